//! LaTeX markup in BibTeX values, turned into plain Unicode text: accents (`\"o`, `{\'e}`,
//! `\c{c}`, `\v{s}`), special letters (`\ss`, `\o`, `\aa`), escapes (`\&`, `\%`), formatting
//! commands (`\emph{…}` keeps its text), case-protecting braces, simple math (`$CO_2$`,
//! `$\alpha$`), dashes (`--`, `---`), TeX quotes and ties (`~`).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Converts a BibTeX value to plain text, with white space collapsed.
pub fn to_unicode(input: &str) -> String {
    to_unicode_cow(input).into_owned()
}

/// [`to_unicode`], borrowing the input when it holds no markup and no extra white space.
pub fn to_unicode_cow(input: &str) -> Cow<'_, str> {
    let bytes = input.as_bytes();
    let markup = memchr::memchr3(b'\\', b'{', b'}', bytes).is_some()
        || memchr::memchr2(b'$', b'~', bytes).is_some()
        || pair_finders()
            .iter()
            .any(|finder| finder.find(bytes).is_some());
    if !markup {
        return crate::text::collapse_whitespace_cow(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut accented = false;
    convert(input, &mut out, false, &mut accented, 0);
    if accented {
        let composed: String = out.nfc().collect();
        Cow::Owned(crate::text::collapse_whitespace(&composed))
    } else {
        Cow::Owned(crate::text::collapse_whitespace_cow(&out).into_owned())
    }
}

/// Searchers for `--`, ` `` ` and `''`, built once.
fn pair_finders() -> &'static [memchr::memmem::Finder<'static>; 3] {
    static FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::LazyLock::new(|| {
            [
                memchr::memmem::Finder::new(b"--"),
                memchr::memmem::Finder::new(b"``"),
                memchr::memmem::Finder::new(b"''"),
            ]
        });
    &FINDERS
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
        "textasciitilde" => "~",
        "textasciicircum" => "^",
        "textbackslash" => "\\",
        "textbar" => "|",
        "textless" => "<",
        "textgreater" => ">",
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
        "times" | "texttimes" => "×",
        "pm" | "textpm" => "±",
        "leq" | "le" => "≤",
        "geq" | "ge" => "≥",
        "approx" => "≈",
        "sim" => "∼",
        "infty" => "∞",
        "rightarrow" | "to" => "→",
        "cdot" | "textperiodcentered" => "·",
        "slash" | "textslash" => "/",
        "textunderscore" => "_",
        "textbullet" => "•",
        "textasteriskcentered" => "*",
        "textquotesingle" => "'",
        "textquotedbl" => "\"",
        "guillemotleft" | "guillemetleft" => "«",
        "guillemotright" | "guillemetright" => "»",
        "textcelsius" => "℃",
        "textminus" | "minus" => "−",
        "lbrace" => "{",
        "rbrace" => "}",
        "percent" => "%",
        "circ" => "∘",
        "prime" => "′",
        "sum" => "∑",
        "partial" => "∂",
        "nabla" => "∇",
        "neq" | "ne" => "≠",
        "propto" => "∝",
        "leftarrow" => "←",
        "Rightarrow" => "⇒",
        "leftrightarrow" => "↔",
        "uparrow" => "↑",
        "downarrow" => "↓",
        "kappa" => "κ",
        "nu" => "ν",
        "xi" => "ξ",
        "zeta" => "ζ",
        "iota" => "ι",
        "upsilon" => "υ",
        "Gamma" => "Γ",
        "Lambda" => "Λ",
        "Pi" => "Π",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Theta" => "Θ",
        "LaTeX" => "LaTeX",
        "TeX" => "TeX",
        "BibTeX" => "BibTeX",
        _ => return None,
    })
}

/// How deep commands with arguments are converted within each other (`\emph{\textbf{…}}`).
/// Real values nest a few levels; hostile files nest thousands, which would exhaust the stack
/// and take quadratic time.
const MAX_DEPTH: usize = 32;

/// Converts `text` into `out`. All LaTeX syntax is ASCII, so plain runs between syntax bytes
/// are copied as slices and always end at character boundaries.
fn convert(text: &str, out: &mut String, math: bool, accented: &mut bool, depth: usize) {
    let bytes = text.as_bytes();
    let mut index = 0;
    let mut plain = 0;
    while index < bytes.len() {
        let next = bytes.get(index + 1).copied();
        let special = match bytes[index] {
            b'{' | b'}' => Some(index + 1),
            b'$' => Some(match memchr::memchr(b'$', &bytes[index + 1..]) {
                Some(offset) => {
                    out.push_str(&text[plain..index]);
                    plain = index;
                    convert(
                        &text[index + 1..index + 1 + offset],
                        out,
                        true,
                        accented,
                        depth + 1,
                    );
                    index + offset + 2
                }
                None => index + 1,
            }),
            b'^' | b'_' if math => Some(index + 1),
            b'~' => {
                out.push_str(&text[plain..index]);
                plain = index;
                out.push(' ');
                Some(index + 1)
            }
            b'-' if !math && next == Some(b'-') => {
                out.push_str(&text[plain..index]);
                plain = index;
                if bytes.get(index + 2) == Some(&b'-') {
                    out.push('—');
                    Some(index + 3)
                } else {
                    out.push('–');
                    Some(index + 2)
                }
            }
            b'`' if next == Some(b'`') => {
                out.push_str(&text[plain..index]);
                plain = index;
                out.push('“');
                Some(index + 2)
            }
            b'\'' if next == Some(b'\'') => {
                out.push_str(&text[plain..index]);
                plain = index;
                out.push('”');
                Some(index + 2)
            }
            b'\\' => {
                out.push_str(&text[plain..index]);
                plain = index;
                Some(command(text, index, out, math, accented, depth))
            }
            _ => None,
        };
        match special {
            Some(after) => {
                if plain < index {
                    out.push_str(&text[plain..index]);
                }
                index = after.min(bytes.len());
                plain = index;
            }
            None => index += 1,
        }
    }
    out.push_str(&text[plain..]);
}

/// Handles the command at `text[start] == '\\'`; returns the index after it.
fn command(
    text: &str,
    start: usize,
    out: &mut String,
    math: bool,
    accented: &mut bool,
    depth: usize,
) -> usize {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.get(start + 1) else {
        return start + 1;
    };
    if let Some(mark) = accent_mark(char::from(first)) {
        let (base, next) = accent_argument(text, start + 2);
        out.push_str(base);
        out.push(mark);
        *accented = true;
        return next;
    }
    if !first.is_ascii_alphabetic() {
        // Escaped characters and spacing commands.
        match first {
            b'&' | b'%' | b'$' | b'#' | b'_' | b'{' | b'}' => out.push(char::from(first)),
            b' ' | b',' | b';' | b':' | b'!' | b'\\' => out.push(' '),
            // `\-` (a hyphenation point), `\/` (italic correction), `\@` (spacing): no text.
            b'-' | b'/' | b'@' => {}
            _ => {
                // Any other character, possibly multi-byte: keep it.
                let c = text[start + 1..].chars().next().unwrap_or(' ');
                out.push(c);
                return start + 1 + c.len_utf8();
            }
        }
        return start + 2;
    }
    let name_end = bytes[start + 1..]
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .map_or(bytes.len(), |p| start + 1 + p);
    let name = &text[start + 1..name_end];
    // A command eats the spaces after its name.
    let mut next = name_end;
    while bytes.get(next) == Some(&b' ') {
        next += 1;
    }
    if let Some(mark) = lettered_accent(name) {
        let (base, after) = accent_argument(text, next);
        out.push_str(base);
        out.push(mark);
        *accented = true;
        return after;
    }
    if let Some(symbol) = symbol(name) {
        out.push_str(symbol);
        return next;
    }
    if is_declaration(name) {
        // `{\sc CONNIVER}`, `{\em with\/}`: the switch goes, the text it applies to stays.
        return next;
    }
    if bytes.get(next) == Some(&b'{') {
        // Formatting commands (`\emph`, `\textbf`, `\url` …) keep their argument as text;
        // references keep nothing; `\href{url}{text}` keeps the text.
        let close = matching_brace(bytes, next);
        let after = (close + 1).min(bytes.len());
        match name {
            "cite" | "citep" | "citet" | "label" | "ref" | "footnote" | "href" => {}
            _ if depth >= MAX_DEPTH => {
                // Deeper than any real title: the text is kept without its markup, and
                // neither the stack nor the time grows with the nesting.
                without_markup(&text[next + 1..close.min(bytes.len())], out);
            }
            _ => convert(
                &text[next + 1..close.min(bytes.len())],
                out,
                math,
                accented,
                depth + 1,
            ),
        }
        return after;
    }
    // An unknown command without argument: keep its name, it is usually a word.
    out.push_str(name);
    next
}

/// Commands that change how the text after them looks (font switches, sizes, math sizing of
/// delimiters) or do nothing to the text: they leave no text of their own.
fn is_declaration(name: &str) -> bool {
    matches!(
        name,
        "sc" | "em"
            | "it"
            | "bf"
            | "rm"
            | "sf"
            | "tt"
            | "sl"
            | "up"
            | "md"
            | "normalfont"
            | "itshape"
            | "bfseries"
            | "scshape"
            | "rmfamily"
            | "ttfamily"
            | "sffamily"
            | "mdseries"
            | "upshape"
            | "slshape"
            | "em@"
            | "tiny"
            | "scriptsize"
            | "footnotesize"
            | "small"
            | "normalsize"
            | "large"
            | "Large"
            | "LARGE"
            | "huge"
            | "Huge"
            | "boldmath"
            | "unboldmath"
            | "left"
            | "right"
            | "big"
            | "Big"
            | "bigg"
            | "Bigg"
            | "bigl"
            | "bigr"
            | "Bigl"
            | "Bigr"
            | "biggl"
            | "biggr"
            | "middle"
            | "displaystyle"
            | "textstyle"
            | "scriptstyle"
            | "relax"
            | "protect"
            | "noindent"
            | "nobreak"
            | "allowbreak"
            | "hfill"
            | "quad"
            | "qquad"
            | "xspace"
            | "ignorespaces"
            | "mathrm"
            | "mathit"
            | "mathbf"
            | "mathsf"
            | "mathtt"
            | "mathcal"
            | "mathbb"
    )
}

/// Text with command names, backslashes and braces left out, in one pass.
fn without_markup(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                while chars.peek().is_some_and(char::is_ascii_alphabetic) {
                    chars.next();
                }
            }
            '{' | '}' => {}
            _ => out.push(c),
        }
    }
}

/// The base letter of an accent: `{o}`, `o`, `\i`, `{\i}`. Returns it and the index after.
fn accent_argument(text: &str, start: usize) -> (&str, usize) {
    let bytes = text.as_bytes();
    let mut index = start;
    while bytes.get(index) == Some(&b' ') {
        index += 1;
    }
    match bytes.get(index) {
        Some(b'{') => {
            let close = matching_brace(bytes, index);
            let inner = text[index + 1..close.min(bytes.len())].trim();
            let base = match inner {
                "\\i" => "i",
                "\\j" => "j",
                other => other,
            };
            (base, (close + 1).min(bytes.len()))
        }
        Some(b'\\') if matches!(bytes.get(index + 1), Some(b'i' | b'j')) => {
            (&text[index + 1..index + 2], index + 2)
        }
        Some(_) => {
            let c = text[index..].chars().next().map_or(0, char::len_utf8);
            (&text[index..index + c], index + c)
        }
        None => ("", index),
    }
}

/// The index of the brace closing the one at `open`, or the end of the input.
fn matching_brace(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut index = open;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return index;
                }
            }
            // `\{` and `\}` are characters, not braces.
            b'\\' => index += 1,
            _ => {}
        }
        index += 1;
    }
    bytes.len()
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

    #[test]
    fn font_switches_and_sizing_leave_no_names_behind() {
        // Each of these once leaked its command name into titles (JabRef's and Better
        // BibTeX's test files have them all).
        assert_eq!(
            to_unicode(r"The {\sc CONNIVER} Reference Manual"),
            "The CONNIVER Reference Manual"
        );
        assert_eq!(
            to_unicode(r"Planning {\em with\/} Uncertainty"),
            "Planning with Uncertainty"
        );
        assert_eq!(to_unicode(r"{\rm GaN} transistors"), "GaN transistors");
        assert_eq!(to_unicode(r"input\slash output"), "input/output");
        assert_eq!(
            to_unicode(r"$\left( x \right)$ and \emph{} done"),
            "( x ) and done"
        );
        assert_eq!(
            to_unicode(r"{\bfseries Bold} and {\itshape it}"),
            "Bold and it"
        );
        assert_eq!(
            to_unicode(r"$\mathrm{CO}_2$ at 20\,\textcelsius"),
            "CO2 at 20 ℃"
        );
    }
}
