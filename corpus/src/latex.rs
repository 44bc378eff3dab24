//! LaTeX markup in BibTeX values, turned into plain Unicode text: accents (`\"o`, `{\'e}`,
//! `\c{c}`, `\v{s}`), special letters (`\ss`, `\o`, `\aa`), escapes (`\&`, `\%`), formatting
//! commands (`\emph{…}` keeps its text), case-protecting braces, simple math (`$CO_2$`,
//! `$\alpha$`), dashes (`--`, `---`), TeX quotes and ties (`~`).

use unicode_normalization::UnicodeNormalization;

/// Converts a BibTeX value to plain text, with white space collapsed.
pub fn to_unicode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let chars: Vec<char> = input.chars().collect();
    convert(&chars, &mut out, false);
    let composed: String = out.nfc().collect();
    crate::text::collapse_whitespace(&composed)
}

/// A combining mark for a one-character accent command.
fn accent_mark(command: char) -> Option<char> {
    Some(match command {
        '"' => '\u{308}',
        '\'' => '\u{301}',
        '`' => '\u{300}',
        '^' => '\u{302}',
        '~' => '\u{303}',
        '=' => '\u{304}',
        '.' => '\u{307}',
        _ => return None,
    })
}

/// A combining mark for a lettered accent command (`\c{c}`).
fn lettered_accent(name: &str) -> Option<char> {
    Some(match name {
        "c" => '\u{327}',
        "v" => '\u{30C}',
        "u" => '\u{306}',
        "H" => '\u{30B}',
        "k" => '\u{328}',
        "r" => '\u{30A}',
        "d" => '\u{323}',
        "b" => '\u{331}',
        "t" => '\u{361}',
        _ => return None,
    })
}

/// Letters and symbols written as commands.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "aa" => "å",
        "AA" => "Å",
        "o" => "ø",
        "O" => "Ø",
        "l" => "ł",
        "L" => "Ł",
        "ss" => "ß",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "i" => "ı",
        "j" => "ȷ",
        "dh" => "ð",
        "DH" => "Ð",
        "th" => "þ",
        "TH" => "Þ",
        "ng" => "ŋ",
        "NG" => "Ŋ",
        "copyright" | "textcopyright" => "©",
        "textregistered" => "®",
        "texttrademark" => "™",
        "dag" | "textdagger" => "†",
        "ddag" | "textdaggerdbl" => "‡",
        "S" | "textsection" => "§",
        "P" | "textparagraph" => "¶",
        "pounds" | "textsterling" => "£",
        "euro" | "texteuro" => "€",
        "textendash" => "–",
        "textemdash" => "—",
        "ldots" | "dots" | "textellipsis" => "…",
        "textquotedblleft" => "“",
        "textquotedblright" => "”",
        "textquoteleft" => "‘",
        "textquoteright" => "’",
        "textdegree" | "degree" => "°",
        "textmu" | "mu" => "μ",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "Delta" => "Δ",
        "epsilon" | "varepsilon" => "ε",
        "eta" => "η",
        "theta" => "θ",
        "lambda" => "λ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "Sigma" => "Σ",
        "tau" => "τ",
        "phi" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Omega" => "Ω",
        "times" => "×",
        "pm" => "±",
        "leq" | "le" => "≤",
        "geq" | "ge" => "≥",
        "approx" => "≈",
        "sim" => "∼",
        "infty" => "∞",
        "rightarrow" | "to" => "→",
        "cdot" => "·",
        "LaTeX" => "LaTeX",
        "TeX" => "TeX",
        "BibTeX" => "BibTeX",
        _ => return None,
    })
}

fn convert(chars: &[char], out: &mut String, math: bool) {
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        match c {
            '{' | '}' => index += 1,
            '$' => {
                // Inline math: convert its content in math mode.
                let end = chars[index + 1..]
                    .iter()
                    .position(|&x| x == '$')
                    .map(|p| index + 1 + p);
                match end {
                    Some(end) => {
                        convert(&chars[index + 1..end], out, true);
                        index = end + 1;
                    }
                    None => index += 1,
                }
            }
            '^' | '_' if math => index += 1,
            '~' => {
                out.push(' ');
                index += 1;
            }
            '-' if !math && chars.get(index + 1) == Some(&'-') => {
                if chars.get(index + 2) == Some(&'-') {
                    out.push('—');
                    index += 3;
                } else {
                    out.push('–');
                    index += 2;
                }
            }
            '`' if chars.get(index + 1) == Some(&'`') => {
                out.push('“');
                index += 2;
            }
            '\'' if chars.get(index + 1) == Some(&'\'') => {
                out.push('”');
                index += 2;
            }
            '\\' => index = command(chars, index, out, math),
            _ => {
                out.push(c);
                index += 1;
            }
        }
    }
}

/// Handles the command starting at `chars[start] == '\\'`; returns the index after it.
fn command(chars: &[char], start: usize, out: &mut String, math: bool) -> usize {
    let Some(&first) = chars.get(start + 1) else {
        return start + 1;
    };
    if let Some(mark) = accent_mark(first) {
        let (base, next) = accent_argument(chars, start + 2);
        out.push_str(&base);
        out.push(mark);
        return next;
    }
    if !first.is_ascii_alphabetic() {
        // Escaped characters and spacing commands.
        match first {
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => out.push(first),
            ' ' | ',' | ';' | ':' | '!' | '\\' => out.push(' '),
            '-' => {}
            other => out.push(other),
        }
        return start + 2;
    }
    let name_end = chars[start + 1..]
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .map_or(chars.len(), |p| start + 1 + p);
    let name: String = chars[start + 1..name_end].iter().collect();
    // A command eats the white space after its name.
    let mut next = name_end;
    while chars.get(next).is_some_and(|c| *c == ' ') {
        next += 1;
    }
    if let Some(mark) = lettered_accent(&name) {
        let (base, after) = accent_argument(chars, next);
        out.push_str(&base);
        out.push(mark);
        return after;
    }
    if let Some(text) = symbol(&name) {
        out.push_str(text);
        // `{\o}` and `\o{}` both end here; an empty group after is dropped by the caller.
        return next;
    }
    if chars.get(next) == Some(&'{') {
        // Formatting commands (`\emph`, `\textbf`, `\url` …) keep their argument as text;
        // references keep nothing; `\href{url}{text}` keeps the text.
        let close = matching_brace(chars, next);
        let argument = &chars[next + 1..close.min(chars.len())];
        match name.as_str() {
            "cite" | "citep" | "citet" | "label" | "ref" | "footnote" => {}
            "href" => return (close + 1).min(chars.len()),
            _ => convert(argument, out, math),
        }
        return (close + 1).min(chars.len());
    }
    // An unknown command without argument: keep its name (`\LaTeXe`), it is usually a word.
    out.push_str(&name);
    next
}

/// The base letter of an accent: `{o}`, `o`, `\i`, `{\i}`. Returns it and the index after.
fn accent_argument(chars: &[char], start: usize) -> (String, usize) {
    let mut index = start;
    while chars.get(index) == Some(&' ') {
        index += 1;
    }
    match chars.get(index) {
        Some('{') => {
            let close = matching_brace(chars, index);
            let inner: String = chars[index + 1..close.min(chars.len())].iter().collect();
            let base = match inner.trim() {
                "\\i" => "i".to_owned(),
                "\\j" => "j".to_owned(),
                other => other.to_owned(),
            };
            (base, (close + 1).min(chars.len()))
        }
        Some('\\') if matches!(chars.get(index + 1), Some('i' | 'j')) => {
            (chars[index + 1].to_string(), index + 2)
        }
        Some(&c) => (c.to_string(), index + 1),
        None => (String::new(), index),
    }
}

/// The index of the brace closing the one at `open`, or the end of the input.
fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    let mut index = open;
    while index < chars.len() {
        match chars[index] {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return index;
                }
            }
            // `\{` and `\}` are characters, not braces.
            '\\' => index += 1,
            _ => {}
        }
        index += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_in_every_notation() {
        assert_eq!(to_unicode(r#"M{\"u}ller"#), "Müller");
        assert_eq!(to_unicode(r#"M\"uller"#), "Müller");
        assert_eq!(
            to_unicode(r"Lef{\`e}vre and Lef\`{e}vre"),
            "Lefèvre and Lefèvre"
        );
        assert_eq!(
            to_unicode(r#"Fran\c{c}ois, \v{S}koda, Ga\"{e}l, {\'E}cole"#),
            "François, Škoda, Gaël, École"
        );
        assert_eq!(
            to_unicode(r"Erd\H{o}s, \k{a}, \r{a}, \u{g}"),
            "Erdős, ą, å, ğ"
        );
        assert_eq!(to_unicode(r#"na\"{\i}ve, \'{\i}"#), "naïve, í");
        assert_eq!(
            to_unicode(r#"Stra{\ss}e, {\o}re, \AA ngstr\"om, \l{}\'od\'z"#),
            "Straße, øre, Ångström, łódź"
        );
    }

    #[test]
    fn markup_escapes_math_and_punctuation() {
        assert_eq!(
            to_unicode(r"{{Green AI}}: \emph{Energy} \& Policy --- 100\% of $CO_2$ and $\alpha$"),
            "Green AI: Energy & Policy — 100% of CO2 and α"
        );
        assert_eq!(
            to_unicode("pages 685--686, ``quoted''"),
            "pages 685–686, “quoted”"
        );
        assert_eq!(to_unicode(r"The \LaTeX{} Companion"), "The LaTeX Companion");
        assert_eq!(to_unicode("New~York,\n  NY"), "New York, NY");
        assert_eq!(
            to_unicode(r"\textbf{\textit{nested}} \unknown{kept} \cite{gone}"),
            "nested kept"
        );
        assert_eq!(
            to_unicode(r"\href{https://x.org}{the link} and \{braces\}"),
            "the link and {braces}"
        );
        assert_eq!(to_unicode(r"broken {brace"), "broken brace");
        assert_eq!(to_unicode(r"trailing \"), "trailing");
    }
}
