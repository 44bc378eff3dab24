//! Turning file bytes into text: byte-order marks, UTF-16 without a mark, UTF-8, a declared
//! encoding as a hint only, and a Windows-1252 fallback line by line, so that one stray byte
//! costs one line's accents rather than the file.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::parsed::{Problem, Severity};

/// Text decoded from a file, with how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text, without byte-order mark.
    pub text: Cow<'a, str>,
    /// The encoding used, as reported to the user ("UTF-8", "UTF-16LE (BOM)" …).
    pub encoding: String,
    /// Lines that needed a fallback, and malformed sequences.
    pub problems: Vec<Problem>,
}

/// Decodes a whole file.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let mut decoded = decode_utf8_lines(rest);
        decoded.encoding = format!("{} (BOM)", decoded.encoding);
        return decoded;
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_with(UTF_16LE, rest, "UTF-16LE (BOM)");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_with(UTF_16BE, rest, "UTF-16BE (BOM)");
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let name = format!("{} (no BOM, recognised by its zero bytes)", encoding.name());
        return decode_with(encoding, bytes, &name);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: "UTF-8".into(),
            problems: Vec::new(),
        };
    }
    // Not UTF-8. A declared encoding is a hint: use it only if the bytes decode cleanly in it.
    if let Some(declared) = declared_encoding(bytes)
        && declared != encoding_rs::UTF_8
        && let Some(text) = declared.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Decoded {
            text: Cow::Owned(text.into_owned()),
            encoding: format!("{} (as declared in the file)", declared.name()),
            problems: Vec::new(),
        };
    }
    decode_utf8_lines(bytes)
}

/// UTF-8 line by line; lines that are not valid UTF-8 are read as Windows-1252 and reported.
pub fn decode_utf8_lines(bytes: &[u8]) -> Decoded<'_> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: "UTF-8".into(),
            problems: Vec::new(),
        };
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut fallback_lines = Vec::new();
    let mut utf8_beyond_ascii = false;
    for (index, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        if let Ok(valid) = std::str::from_utf8(line) {
            utf8_beyond_ascii |= !valid.is_ascii();
            text.push_str(valid);
        } else {
            let (decoded, _) = WINDOWS_1252.decode_without_bom_handling(line);
            text.push_str(&decoded);
            fallback_lines.push(index + 1);
        }
    }
    // Without a single line of real UTF-8 beyond ASCII, the file simply is Windows-1252.
    let (encoding, problems) = if utf8_beyond_ascii {
        let shown: Vec<String> = fallback_lines
            .iter()
            .take(10)
            .map(ToString::to_string)
            .collect();
        let more = fallback_lines.len().saturating_sub(10);
        let message = format!(
            "{} line(s) were not valid UTF-8 and were read as Windows-1252: line {}{}",
            fallback_lines.len(),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        (
            format!(
                "UTF-8 with {} line(s) in Windows-1252",
                fallback_lines.len()
            ),
            vec![Problem {
                line: fallback_lines.first().copied().unwrap_or(1),
                key: None,
                field: None,
                message,
                severity: Severity::Warning,
            }],
        )
    } else {
        ("Windows-1252".to_owned(), Vec::new())
    };
    Decoded {
        text: Cow::Owned(text),
        encoding,
        problems,
    }
}

fn decode_with<'a>(encoding: &'static Encoding, bytes: &'a [u8], name: &str) -> Decoded<'a> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    let problems = if had_errors {
        vec![Problem {
            line: 1,
            key: None,
            field: None,
            message: format!(
                "the file has byte sequences that are not valid {}; they were replaced by �",
                encoding.name()
            ),
            severity: Severity::Warning,
        }]
    } else {
        Vec::new()
    };
    Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: name.to_owned(),
        problems,
    }
}

/// UTF-16 without a byte-order mark shows as ASCII letters alternating with zero bytes.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024) & !1];
    if head.len() < 16 {
        return None;
    }
    let pairs = head.len() / 2;
    let even_zeros = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zeros = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_zeros * 10 >= pairs * 7 && even_zeros * 10 <= pairs {
        Some(UTF_16LE)
    } else if even_zeros * 10 >= pairs * 7 && odd_zeros * 10 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// An encoding the file declares: `% Encoding: X` (`JabRef` BibTeX) or `encoding="X"` (XML).
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let label = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("% Encoding:").map(str::trim))
        .or_else(|| {
            let at = text.find("encoding=")? + "encoding=".len();
            let rest = &text[at..];
            let quote = rest.chars().next()?;
            rest[quote.len_utf8()..].split(quote).next()
        })?;
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_decide() {
        let utf8 = decode(b"\xEF\xBB\xBFTY  - JOUR\n");
        assert_eq!(utf8.text, "TY  - JOUR\n");
        assert_eq!(utf8.encoding, "UTF-8 (BOM)");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Černý".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).text, "Černý");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Černý".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let decoded = decode(&be);
        assert_eq!(
            (decoded.text.as_ref(), decoded.encoding.as_str()),
            ("Černý", "UTF-16BE (BOM)")
        );
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let text = "@article{key, title = {Green AI}}\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let decoded = decode(&le);
        assert_eq!(decoded.text, text);
        assert!(
            decoded.encoding.starts_with("UTF-16LE"),
            "{}",
            decoded.encoding
        );
    }

    #[test]
    fn a_lying_header_is_only_a_hint_and_stray_lines_fall_back_alone() {
        // Declared UTF-8, actually Windows-1252 (JabRef's test case).
        let lying = b"% Encoding: UTF-8\n@article{k, author = {M\xFCller, J.}}\n";
        let decoded = decode(lying);
        assert!(decoded.text.contains("Müller"), "{}", decoded.text);
        assert_eq!(decoded.encoding, "Windows-1252");
        // Declared Windows-1252 and really so.
        let honest = b"% Encoding: windows-1252\n@article{k, author = {Gr\xE9goire}}\n";
        assert!(decode(honest).text.contains("Grégoire"));
        // One stray line in a UTF-8 file.
        let mixed = "TY  - JOUR\nAU  - Černý, J.\n"
            .bytes()
            .chain(b"AU  - M\xFCller, K.\nER  -\n".iter().copied())
            .collect::<Vec<u8>>();
        let decoded = decode(&mixed);
        assert!(
            decoded.text.contains("Černý") && decoded.text.contains("Müller"),
            "{}",
            decoded.text
        );
        assert_eq!(decoded.problems.len(), 1);
        assert_eq!(decoded.problems[0].line, 3);
        assert!(
            decoded.problems[0].message.contains("line 3"),
            "{}",
            decoded.problems[0].message
        );
    }
}
