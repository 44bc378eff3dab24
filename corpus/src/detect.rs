//! Recognising a bibliographic format from a file's content, never from its extension: a
//! PubMed export saved as `.ris` is MEDLINE, a Scopus RIS saved as `.txt` is RIS.

use std::fmt;

use crate::formats::{csl_json, csv};

/// A format ecolens reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RIS (Research Information Systems) tagged text.
    Ris,
    /// MEDLINE / PubMed `.nbib` tagged text.
    Medline,
    /// BibTeX or BibLaTeX.
    Bibtex,
    /// EndNote XML.
    EndnoteXml,
    /// Comma-, tab-, semicolon- or bar-separated values with a header row.
    Csv {
        /// The delimiter byte.
        delimiter: u8,
    },
    /// CSL-JSON.
    CslJson,
}

impl Format {
    /// Short name used in provenance and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ris => "ris",
            Self::Medline => "medline",
            Self::Bibtex => "bibtex",
            Self::EndnoteXml => "endnote-xml",
            Self::Csv { delimiter: b'\t' } => "tsv",
            Self::Csv { .. } => "csv",
            Self::CslJson => csl_json::FORMAT,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How much of the start of a file detection looks at.
const HEAD_BYTES: usize = 64 * 1024;

/// Recognises the format of a text, or says what it saw instead.
pub fn detect(text: &str) -> Result<Format, String> {
    let head = head_of(text);
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err("the file is empty".into());
    }
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        return if csl_json::sniff(trimmed) {
            Ok(Format::CslJson)
        } else {
            Err("JSON, but not CSL-JSON (no items with \"type\" and \"title\")".into())
        };
    }
    if trimmed.starts_with('<') {
        if head.contains("<record") && (head.contains("<ref-type") || head.contains("<titles>")) {
            return Ok(Format::EndnoteXml);
        }
        if head.contains("<PubmedArticle") {
            return Err("PubMed XML; export from PubMed in MEDLINE (PubMed) format instead".into());
        }
        return Err("XML, but not EndNote XML (no <record> with <ref-type> or <titles>)".into());
    }
    let mut ris_lines = 0;
    let mut has_ty = false;
    let mut has_pmid = false;
    let mut bibtex_entries = 0;
    let mut enw_lines = 0;
    for line in head.lines().take(2000) {
        if line.starts_with("PMID-") {
            has_pmid = true;
        }
        if is_ris_tag_line(line) {
            ris_lines += 1;
            has_ty |= line.starts_with("TY ");
        }
        if is_bibtex_entry_start(line) {
            bibtex_entries += 1;
        }
        if line.starts_with("%0 ") || line.starts_with("%T ") {
            enw_lines += 1;
        }
    }
    if has_pmid {
        return Ok(Format::Medline);
    }
    if has_ty || ris_lines >= 3 {
        return Ok(Format::Ris);
    }
    if bibtex_entries > 0 {
        return Ok(Format::Bibtex);
    }
    if enw_lines > 0 {
        return Err("EndNote tagged text (%0, %T …), which ecolens does not read; export RIS or EndNote XML from EndNote instead".into());
    }
    if let Some(delimiter) = csv::sniff(head) {
        return Ok(Format::Csv { delimiter });
    }
    Err("no RIS tags (TY  - …), no MEDLINE PMID, no BibTeX @entries, no CSV header with a title column, not CSL-JSON or EndNote XML".into())
}

/// The first [`HEAD_BYTES`] of a text, cut at a character boundary.
fn head_of(text: &str) -> &str {
    if text.len() <= HEAD_BYTES {
        return text;
    }
    let mut end = HEAD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `XX  - ` at the start of a line, XX a RIS tag (letter, then letter or digit).
pub fn is_ris_tag_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() >= 5
        && bytes[0].is_ascii_uppercase()
        && (bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
        && bytes[2] == b' '
        && (bytes[3] == b'-' || (bytes[3] == b' ' && bytes[4] == b'-'))
}

/// `@type{` or `@type(` at the start of a line (after white space).
pub fn is_bibtex_entry_start(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('@') else {
        return false;
    };
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    name_end > 0 && rest[name_end..].trim_start().starts_with(['{', '('])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(detect("TY  - JOUR\nTI  - x\nER  - \n"), Ok(Format::Ris));
        assert_eq!(
            detect("PMID- 30922926\nOWN - NLM\nTI  - x\n"),
            Ok(Format::Medline)
        );
        assert_eq!(
            detect("% Encoding: UTF-8\n\n@Article{k,\n title={x}}\n"),
            Ok(Format::Bibtex)
        );
        assert_eq!(
            detect("[{\"type\": \"book\", \"title\": \"x\"}]"),
            Ok(Format::CslJson)
        );
        assert_eq!(
            detect(
                "<?xml version=\"1.0\"?><xml><records><record><ref-type name=\"Journal Article\">17</ref-type>"
            ),
            Ok(Format::EndnoteXml)
        );
        assert_eq!(
            detect("title,abstract,doi\nGreen AI,,10.1145/3381831\n"),
            Ok(Format::Csv { delimiter: b',' })
        );
        assert_eq!(
            detect("Title\tYear\nGreen AI\t2020\n"),
            Ok(Format::Csv { delimiter: b'\t' })
        );
    }

    #[test]
    fn other_content_is_named() {
        assert!(detect("").unwrap_err().contains("empty"));
        assert!(
            detect("%0 Journal Article\n%T Green AI\n")
                .unwrap_err()
                .contains("EndNote tagged")
        );
        assert!(
            detect("<PubmedArticleSet><PubmedArticle>")
                .unwrap_err()
                .contains("PubMed XML")
        );
        assert!(
            detect("{\"hello\": 1}")
                .unwrap_err()
                .contains("not CSL-JSON")
        );
        assert!(
            detect("just some prose\nwithout structure\n")
                .unwrap_err()
                .contains("no RIS tags")
        );
    }
}
