//! Web of Science plain text ("ISI tagged", `.txt`/`.ciw`: the download `bibliometrix` and
//! `VOSviewer` read): two-letter tags in the first two columns, a space, the value; values go
//! on over lines indented by three spaces (for `AU`, `AF`, `CR`, `C1` each such line is another
//! item); `PT` starts a record, `ER` ends it, `FN`/`VR` head the file and `EF` ends it.
//!
//! Full author names (`AF`) are preferred to short ones (`AU`); book editors (`BE`) are
//! editors; author keywords (`DE`) come before Keywords Plus (`ID`); the accession number
//! (`UT`, `WOS:…`) is the record's key.

use ecolens_core::RecordKind;

use super::draft::Draft;
use crate::parsed::{Parsed, Problem, Severity};
use crate::text::Lines;

/// Format name used in provenance.
pub const FORMAT: &str = "wos";

/// Whether a line is a Web of Science tag line: two capitals or digits, then a space or the
/// end of the line.
pub fn tag_of(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let tagged = bytes.len() >= 2
        && bytes[0].is_ascii_uppercase()
        && (bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
        && bytes.get(2).is_none_or(|b| *b == b' ');
    tagged.then(|| &line[..2])
}

/// Whether a text starts the way a Web of Science export does: `FN` naming the export, or a
/// `PT` line with a one-letter publication type.
pub fn sniff_line(line: &str) -> bool {
    (line.starts_with("FN ")
        && ["ISI", "Web of Science", "Clarivate", "Thomson"]
            .iter()
            .any(|name| line.contains(name)))
        || (line.len() == 4 && line.starts_with("PT ") && line.as_bytes()[3].is_ascii_uppercase())
}

/// Tags whose continuation lines are further items, not more of the same text.
const LIST_TAGS: [&str; 8] = ["AU", "AF", "BE", "BF", "CR", "C1", "CA", "GP"];

/// Reads Web of Science plain text.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut fields: Vec<(String, String, usize)> = Vec::new();
    let mut start = 0;
    let mut open = false;
    for (index, line) in Lines::new(text).enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(continued) = line.strip_prefix("   ")
            && let Some((tag, value, _)) = fields.last_mut()
        {
            if LIST_TAGS.contains(&tag.as_str()) {
                let tag = tag.clone();
                fields.push((tag, continued.trim().to_owned(), number));
            } else {
                // Lines are wrapped, not paragraphs.
                value.push(' ');
                value.push_str(continued.trim());
            }
            continue;
        }
        let Some(tag) = tag_of(line) else {
            parsed.problems.push(Problem {
                line: number,
                key: None,
                field: None,
                message: format!("line without a tag ignored: {:?}", line.trim()),
                severity: Severity::Warning,
            });
            continue;
        };
        let value = line.get(3..).unwrap_or_default().trim();
        match tag {
            "FN" | "VR" | "EF" => {}
            "PT" => {
                if open {
                    finish(&std::mem::take(&mut fields), start, &mut parsed);
                }
                open = true;
                start = number;
                fields.push((tag.to_owned(), value.to_owned(), number));
            }
            "ER" => {
                if open {
                    finish(&std::mem::take(&mut fields), start, &mut parsed);
                    open = false;
                }
            }
            _ => {
                if !open {
                    open = true;
                    start = number;
                }
                fields.push((tag.to_owned(), value.to_owned(), number));
            }
        }
    }
    if open && !fields.is_empty() {
        parsed.problems.push(Problem {
            line: start,
            key: None,
            field: Some("ER".into()),
            message: "no ER line at the end of the file".into(),
            severity: Severity::Warning,
        });
        finish(&fields, start, &mut parsed);
    }
    parsed
}

fn finish(fields: &[(String, String, usize)], line: usize, parsed: &mut Parsed) {
    let get = |tag: &str| fields.iter().find(|(t, _, _)| t == tag);
    let all = |tag: &'static str| fields.iter().filter(move |(t, _, _)| t == tag);
    let mut draft = Draft::at(line);
    let publication_type = get("PT").map_or("", |(_, v, _)| v.as_str());
    let document_type = get("DT").map_or("", |(_, v, _)| v.as_str());
    draft.kind = kind_for(publication_type, document_type);
    draft.title = get("TI").map(|(_, v, _)| v.clone());
    let authors: Vec<_> = if get("AF").is_some() {
        all("AF").collect()
    } else {
        all("AU").collect()
    };
    for (tag, name, name_line) in authors {
        draft.authors.push(Draft::located(name, *name_line, tag));
    }
    if draft.authors.is_empty() {
        for (_, group, _) in all("CA").chain(all("GP")) {
            draft
                .people
                .push(ecolens_core::Person::organisation(group.trim()));
        }
    }
    let editors: Vec<_> = if get("BF").is_some() {
        all("BF").collect()
    } else {
        all("BE").collect()
    };
    for (tag, name, name_line) in editors {
        draft.editors.push(Draft::located(name, *name_line, tag));
    }
    draft.year = get("PY")
        .or_else(|| get("EA"))
        .map(|(tag, v, l)| Draft::located(v, *l, tag));
    draft.venue = get("SO").or_else(|| get("SE")).map(|(_, v, _)| v.clone());
    draft.volume = get("VL").map(|(_, v, _)| v.clone());
    draft.issue = get("IS").map(|(_, v, _)| v.clone());
    draft.start_page = get("BP").map(|(_, v, _)| v.clone());
    draft.end_page = get("EP").map(|(_, v, _)| v.clone());
    if draft.start_page.is_none() {
        draft.pages = get("AR").map(|(_, v, _)| v.clone());
    }
    draft.publisher = get("PU").map(|(_, v, _)| v.clone());
    draft.doi = get("DI")
        .or_else(|| get("D2"))
        .map(|(tag, v, l)| Draft::located(v, *l, tag));
    draft.pmid = get("PM").map(|(tag, v, l)| Draft::located(v, *l, tag));
    if let Some((_, abstract_text, _)) = get("AB") {
        draft.abstract_paragraphs.push(abstract_text.clone());
    }
    for (_, keywords, _) in all("DE").chain(all("ID")) {
        draft.keywords_from(keywords);
    }
    draft.key = get("UT").map(|(_, v, _)| v.clone());
    draft.finish(parsed, "TI");
}

/// The record kind for a publication type (`J`, `B`, `S`, `P`) and document type.
fn kind_for(publication_type: &str, document_type: &str) -> RecordKind {
    let document = document_type.to_ascii_lowercase();
    if document.contains("proceedings paper") || document.contains("meeting") {
        RecordKind::ConferencePaper
    } else if document.contains("book chapter") {
        RecordKind::BookChapter
    } else if document.contains("data") {
        RecordKind::Dataset
    } else if document.contains("preprint") {
        RecordKind::Preprint
    } else {
        match publication_type {
            "B" => RecordKind::Book,
            "S" => RecordKind::ConferencePaper,
            "P" => RecordKind::Other,
            _ => RecordKind::JournalArticle,
        }
    }
}
