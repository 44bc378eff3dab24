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
    /// Web of Science plain text (ISI tagged).
    Wos,
    /// EndNote tagged / refer (`.enw`).
    EndnoteTagged,
    /// PubMed XML (`PubmedArticleSet`).
    PubmedXml,
    /// An Excel workbook's first sheet (recognised by its bytes, not as text).
    Xlsx,
    /// Ovid's own export (`<1>` records, full or abbreviated field labels).
    Ovid,
    /// Zotero RDF.
    ZoteroRdf,
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
            Self::Wos => crate::formats::wos::FORMAT,
            Self::EndnoteTagged => crate::formats::refer::FORMAT,
            Self::PubmedXml => crate::formats::pubmed_xml::FORMAT,
            Self::Xlsx => crate::formats::xlsx::FORMAT,
            Self::Ovid => crate::formats::ovid::FORMAT,
            Self::ZoteroRdf => crate::formats::zotero_rdf::FORMAT,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How much of the start of a file detection looks at.
pub const HEAD_BYTES: usize = 64 * 1024;

/// How many lines detection looks at for the first line that shows a structure.
const HEAD_LINES: usize = 2000;

/// Recognises the format of a text, or says what it saw instead.
pub fn detect(text: &str) -> Result<Format, String> {
    detect_head(head_of(text), text.len() <= HEAD_BYTES)
}

/// What the first line that shows a structure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Structure {
    /// `@type{` at a line start.
    BibtexEntry,
    /// `TY  - ` (or `TY - `).
    RisStart,
    /// Another two-letter tag, `XX  - `: RIS or MEDLINE.
    TwoLetterTag,
    /// A tag only MEDLINE writes: three or four characters then `-` in the fifth column
    /// (`PMID- `, `OWN - `, `FAU - `).
    MedlineTag,
    /// EndNote tagged / refer (`%0 `, `%T `).
    Refer,
    /// Web of Science plain text (`FN Clarivate …`, `PT J`).
    Wos,
    /// A header row naming a title column.
    CsvHeader(u8),
}

/// Recognises the format of the start of a text. `complete` says whether `head` is the whole
/// text; when it is not, its last line or row may be cut and is not judged.
///
/// The first line that shows a structure decides: an export's own structure comes first
/// (`@article{`, `TY  - `, a CSV header), and text inside its records that looks like another
/// format (a `TY  - JOUR` line in a BibTeX abstract, `@article{` in a RIS abstract) comes
/// later.
pub fn detect_head(head: &str, complete: bool) -> Result<Format, String> {
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
    if trimmed.starts_with('<') && !is_ovid_record_start(first_line(trimmed)) {
        if head.contains("<record") && (head.contains("<ref-type") || head.contains("<titles>")) {
            return Ok(Format::EndnoteXml);
        }
        if head.contains("<PubmedArticle") || head.contains("<PubmedBookArticle") {
            return Ok(Format::PubmedXml);
        }
        if crate::formats::zotero_rdf::sniff(head) {
            return Ok(Format::ZoteroRdf);
        }
        return Err("XML, but not EndNote XML, PubMed XML or Zotero RDF (no <record> with <ref-type> or <titles>, no <PubmedArticle>, no rdf:RDF with Zotero's namespaces)".into());
    }
    let mut lines: Vec<&str> = head.lines().take(HEAD_LINES).collect();
    if !complete && lines.len() > 1 {
        lines.pop();
    }
    // One stray `%A` line (a comment in a BibTeX file) is no EndNote export: a refer line
    // counts as structure only with another one near it.
    let refer_run = |at: usize| {
        lines[at..]
            .iter()
            .take(20)
            .filter(|line| crate::formats::refer::tag_of(line).is_some())
            .count()
            >= 2
    };
    let Some((at, structure)) = lines.iter().enumerate().find_map(|(at, line)| {
        structure_of(line, at < 50)
            .filter(|s| *s != Structure::Refer || refer_run(at))
            .map(|s| (at, s))
    }) else {
        return if lines.iter().any(|line| is_ovid_record_start(line)) {
            Ok(Format::Ovid)
        } else if lines
            .iter()
            .any(|line| crate::formats::refer::tag_of(line).is_some())
        {
            // Refer lines and nothing else: a short EndNote tagged file.
            Ok(Format::EndnoteTagged)
        } else {
            Err("no RIS tags (TY  - …), no MEDLINE tags (PMID- …), no BibTeX @entries, no CSV header with a title column, not CSL-JSON, XML or another format ecolens reads".into())
        };
    };
    // Ovid's records start with `<1>`, before any tag.
    if lines[..at].iter().any(|line| is_ovid_record_start(line)) {
        return Ok(Format::Ovid);
    }
    match structure {
        Structure::BibtexEntry => Ok(Format::Bibtex),
        Structure::RisStart => Ok(Format::Ris),
        Structure::MedlineTag => Ok(Format::Medline),
        Structure::Refer => Ok(Format::EndnoteTagged),
        Structure::Wos => Ok(Format::Wos),
        Structure::CsvHeader(delimiter) => {
            // The header's delimiter, or a better one if rows agree with that one more.
            Ok(Format::Csv {
                delimiter: csv::sniff_from(&lines[at..].join("\n"), complete).unwrap_or(delimiter),
            })
        }
        Structure::TwoLetterTag => {
            // Tags without a `TY` yet: MEDLINE if a tag only MEDLINE writes comes before
            // any `TY`, RIS if a `TY` comes first or the tags go on.
            let mut tags = 0;
            for line in &lines[at..] {
                match structure_of(line, false) {
                    Some(Structure::MedlineTag) => return Ok(Format::Medline),
                    Some(Structure::RisStart) => return Ok(Format::Ris),
                    Some(Structure::TwoLetterTag) => tags += 1,
                    _ => {}
                }
            }
            if tags >= 3 {
                Ok(Format::Ris)
            } else {
                Err("a few tagged lines (XX  - …) but no RIS record (TY  - …) and no MEDLINE record (PMID- …)".into())
            }
        }
    }
}

/// The structure a line shows, if any. CSV headers are looked for only where `header_allowed`
/// (near the top: exports put a few query lines above the header at most).
fn structure_of(line: &str, header_allowed: bool) -> Option<Structure> {
    if is_bibtex_entry_start(line) {
        return Some(Structure::BibtexEntry);
    }
    if is_medline_only_tag_line(line) {
        return Some(Structure::MedlineTag);
    }
    if is_ris_tag_line(line) {
        return Some(if line.starts_with("TY ") {
            Structure::RisStart
        } else {
            Structure::TwoLetterTag
        });
    }
    if crate::formats::wos::sniff_line(line) {
        return Some(Structure::Wos);
    }
    if crate::formats::refer::tag_of(line).is_some() {
        return Some(Structure::Refer);
    }
    if header_allowed && let Some(delimiter) = csv::header_delimiter(line) {
        return Some(Structure::CsvHeader(delimiter));
    }
    None
}

fn is_ovid_record_start(line: &str) -> bool {
    crate::formats::ovid::is_record_start(line)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// A MEDLINE tag no RIS file has: three or four capitals (or digits) left-justified in four
/// columns, then `-` (`PMID- `, `OWN - `, `FAU - `, `STAT- `).
pub fn is_medline_only_tag_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    if bytes.len() < 5 || bytes[4] != b'-' || !bytes[0].is_ascii_uppercase() {
        return false;
    }
    let tag = &bytes[..4];
    let length = tag
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    // `PMID- 123`, and `PMID-123` as some exports write it.
    length >= 3
        && tag[length..].iter().all(|b| *b == b' ')
        && (length == 4 || bytes.get(5).is_none_or(|b| *b == b' '))
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
    let blank = |b: u8| b == b' ' || b == b'\t';
    bytes.len() >= 5
        && bytes[0].is_ascii_uppercase()
        && (bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
        && blank(bytes[2])
        && (bytes[3] == b'-' || (blank(bytes[3]) && bytes[4] == b'-'))
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
        assert_eq!(
            detect("%0 Journal Article\n%T Green AI\n"),
            Ok(Format::EndnoteTagged)
        );
        assert_eq!(
            detect("%A stray line in a BibTeX comment\n@article{k, title={x}}\n"),
            Ok(Format::Bibtex)
        );
        // With nothing else in the file, a refer line is a (short) EndNote tagged file.
        assert_eq!(detect("%A Doe, Jane\nprose\n"), Ok(Format::EndnoteTagged));
        assert_eq!(
            detect("<PubmedArticleSet><PubmedArticle>"),
            Ok(Format::PubmedXml)
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
