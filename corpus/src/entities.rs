//! Character references left in text by the databases' web pipelines: `&lt;`, `&#39;`,
//! `&sup2;` (HTML), `&mgr;` (SGML's ISO Greek, as Ovid and Embase write "μg"), and the same
//! escaped twice (`&amp;lt;`). Real exports carry them: of ASReview's labelled reviews,
//! Kitchenham 2010 holds 82 `&lt;`, 79 `&gt;`, 52 `&#39;` and 27 `&amp;`, Nagtegaal 2019
//! `&sup2;`, Bannach-Brown 2019 (from Ovid) 11 `&mgr;`; ASReview's own sample shows
//! "p &amp;lt; .0001". Left in, they are read as words by search, the screening model and
//! duplicate detection, and shown to reviewers as they are.
//!
//! HTML5's names come from quick-xml's table (`resolve_html5_entity`, the WHATWG list);
//! ISO 8879's Greek letters (`ISOgrk1`) are not in it, nor in any crate found, so they are
//! listed here. A reference needs its `;`: "AT&T" and "R&D" stay as they are, and so does
//! a name no table knows.

use std::borrow::Cow;

/// `text` with every character reference it holds replaced by its characters, again until
/// none is left (text escaped twice is decoded twice, and the result is stable).
pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let Some(mut current) = decode_once(text) else {
        return Cow::Borrowed(text);
    };
    // Each round replaces at least one reference by something shorter, so this ends.
    while let Some(decoded) = decode_once(&current) {
        current = decoded;
    }
    Cow::Owned(current)
}

/// Longest name looked up (HTML5's longest is 32 characters).
const LONGEST_NAME: usize = 32;

/// One pass; `None` when nothing was replaced.
fn decode_once(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find('&') {
        let at = search + found;
        search = at + 1;
        let rest = &text[at + 1..];
        let Some(end) = rest
            .char_indices()
            .take(LONGEST_NAME + 2)
            .find(|(_, c)| *c == ';' || !(c.is_ascii_alphanumeric() || *c == '#'))
            .filter(|(_, c)| *c == ';')
            .map(|(i, _)| i)
        else {
            continue;
        };
        let Some(replacement) = resolve(&rest[..end]) else {
            continue;
        };
        out.push_str(&text[copied..at]);
        out.push_str(&replacement);
        copied = at + 1 + end + 1;
        search = copied;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// The characters a reference's name (between `&` and `;`) stands for.
pub(crate) fn resolve(name: &str) -> Option<Cow<'static, str>> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        // NUL and the C0 controls other than tab and line ends are not text.
        let c = char::from_u32(code).filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))?;
        return Some(Cow::Owned(c.to_string()));
    }
    if name.is_empty() {
        return None;
    }
    quick_xml::escape::resolve_html5_entity(name)
        .or_else(|| iso_greek(name))
        .map(Cow::Borrowed)
}

/// ISO 8879:1986's `ISOgrk1` entity set (Greek letters), as the W3C lists it
/// (<https://www.w3.org/2003/entities/iso8879doc/isogrk1.html>).
fn iso_greek(name: &str) -> Option<&'static str> {
    Some(match name {
        "agr" => "α",
        "Agr" => "Α",
        "bgr" => "β",
        "Bgr" => "Β",
        "ggr" => "γ",
        "Ggr" => "Γ",
        "dgr" => "δ",
        "Dgr" => "Δ",
        "egr" => "ε",
        "Egr" => "Ε",
        "zgr" => "ζ",
        "Zgr" => "Ζ",
        "eegr" => "η",
        "EEgr" => "Η",
        "thgr" => "θ",
        "THgr" => "Θ",
        "igr" => "ι",
        "Igr" => "Ι",
        "kgr" => "κ",
        "Kgr" => "Κ",
        "lgr" => "λ",
        "Lgr" => "Λ",
        "mgr" => "μ",
        "Mgr" => "Μ",
        "ngr" => "ν",
        "Ngr" => "Ν",
        "xgr" => "ξ",
        "Xgr" => "Ξ",
        "ogr" => "ο",
        "Ogr" => "Ο",
        "pgr" => "π",
        "Pgr" => "Π",
        "rgr" => "ρ",
        "Rgr" => "Ρ",
        "sgr" => "σ",
        "Sgr" => "Σ",
        "sfgr" => "ς",
        "tgr" => "τ",
        "Tgr" => "Τ",
        "ugr" => "υ",
        "Ugr" => "Υ",
        "phgr" => "φ",
        "PHgr" => "Φ",
        "khgr" => "χ",
        "KHgr" => "Χ",
        "psgr" => "ψ",
        "PSgr" => "Ψ",
        "ohgr" => "ω",
        "OHgr" => "Ω",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_become_characters_and_other_ampersands_stay() {
        for (text, expected) in [
            ("p &lt; 0.001 and &gt; 5", "p < 0.001 and > 5"),
            ("Parkinson&#39;s disease", "Parkinson's disease"),
            ("CO&#x2082; per m&sup2;", "CO₂ per m²"),
            ("10 &mgr;g of &Agr;&bgr;", "10 μg of Αβ"),
            // Escaped twice: ASReview's sample, "(OR 0.26, p &amp;lt; .0001)".
            ("p &amp;lt; .0001", "p < .0001"),
            ("R&amp;D at AT&T", "R&D at AT&T"),
            // No `;`, an unknown name, a bare `&`, a NUL: left as they are.
            ("AT&T; R&D; fish & chips", "AT&T; R&D; fish & chips"),
            ("&copy without end", "&copy without end"),
            ("&nosuchname; &#0; &#xZZ; &;", "&nosuchname; &#0; &#xZZ; &;"),
            ("ends with &", "ends with &"),
            ("héllo &eacute;t&eacute;", "héllo été"),
        ] {
            assert_eq!(decode(text), expected, "{text}");
            // Stable: decoding again changes nothing.
            assert_eq!(decode(&decode(text)), expected, "{text} twice");
        }
        assert!(matches!(decode("no references here"), Cow::Borrowed(_)));
        assert!(matches!(decode("AT&T"), Cow::Borrowed(_)));
    }
}
