//! Ovid's own export (Embase, MEDLINE, `PsycINFO` through Ovid): each record starts with a line
//! `<1>`, `<2>` …; its fields are written with full labels (`Title` on one line, the value
//! indented on the next lines) or abbreviated ones (`TI  - value`, continued on indented
//! lines), as the user chose in Ovid's export dialog. Both are read.
//!
//! `Source` ("Ecohydrology. 8(6):1048-1064, September 2015.") gives journal, volume, issue,
//! pages and year when no field says them apart; a title's trailing `[Review]` or `[Article]`
//! is Ovid's document type, not part of the title; `Author` values name several authors
//! separated by `;`, with affiliation numbers (`Mathes, Tim 2`), an `[Ed]` marking an editor.

use super::draft::Draft;
use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{Lines, find_year};

/// Format name used in provenance.
pub const FORMAT: &str = "ovid";

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Authors,
    Abstract,
    Source,
    Journal,
    Volume,
    Issue,
    Pages,
    Year,
    Doi,
    Keywords,
    Accession,
    Pmid,
    Url,
    Publisher,
    Kind,
    Other,
}

/// The field a full label or an abbreviated tag names.
fn field_for(label: &str) -> Field {
    match label
        .trim()
        .trim_end_matches(':')
        .to_ascii_lowercase()
        .as_str()
    {
        "title" | "ti" | "chapter title" | "book title" | "bt" => Field::Title,
        "author" | "authors" | "au" | "editor" | "editors" | "ed" => Field::Authors,
        "abstract" | "ab" => Field::Abstract,
        "source" | "so" => Field::Source,
        "journal name" | "jn" | "journal title" | "jt" => Field::Journal,
        "volume" | "vo" | "vi" => Field::Volume,
        "issue" | "ip" | "issue/part" => Field::Issue,
        "page" | "pages" | "pg" => Field::Pages,
        "year of publication" | "yr" | "publication year" | "date of publication" | "dp" => {
            Field::Year
        }
        "doi number" | "digital object identifier" | "doi" | "do" | "di" => Field::Doi,
        "author keywords"
        | "keywords"
        | "keyword heading"
        | "kw"
        | "mesh subject headings"
        | "subject headings"
        | "mh"
        | "heading words"
        | "hw" => Field::Keywords,
        "accession number" | "an" => Field::Accession,
        "pubmed id" | "pm" | "unique identifier" | "ui" => Field::Pmid,
        "url" | "ur" | "link to the ovid full text or citation" | "link to the full text" => {
            Field::Url
        }
        "publisher" | "pb" | "publisher name" => Field::Publisher,
        "publication type" | "pt" | "document type" | "dt" => Field::Kind,
        _ => Field::Other,
    }
}

/// `<1>` … : the line that starts a record.
pub fn is_record_start(line: &str) -> bool {
    line.trim()
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
        .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
}

/// `XX  - value` (two to four capitals, then ` - ` with the dash in the fifth or sixth column).
fn abbreviated(line: &str) -> Option<(&str, &str)> {
    let (tag, rest) = line.split_once(" - ").or_else(|| line.split_once(" -"))?;
    let tag = tag.trim_end();
    let valid = (2..=4).contains(&tag.len())
        && !line.starts_with(' ')
        && tag
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    valid.then_some((tag, rest.trim()))
}

/// Reads Ovid's export.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    // Fields of the open record: label, value lines, line number.
    let mut fields: Vec<(String, Vec<String>, usize)> = Vec::new();
    let mut start = 0;
    let mut open = false;
    for (index, line) in Lines::new(text).enumerate() {
        let number = index + 1;
        if is_record_start(line) {
            if open {
                finish(&std::mem::take(&mut fields), start, &mut parsed);
            }
            open = true;
            start = number;
            continue;
        }
        if !open {
            if !line.trim().is_empty() {
                parsed.problems.push(Problem {
                    line: number,
                    key: None,
                    field: None,
                    message: format!(
                        "line before the first record (<1>) ignored: {:?}",
                        line.trim()
                    ),
                    severity: Severity::Warning,
                });
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // A value line of the field above (full labels), or a continuation (abbreviated).
            match fields.last_mut() {
                Some((_, values, _)) => values.push(line.trim().to_owned()),
                None => parsed.problems.push(Problem {
                    line: number,
                    key: None,
                    field: None,
                    message: format!("value without a field label ignored: {:?}", line.trim()),
                    severity: Severity::Warning,
                }),
            }
        } else if let Some((tag, value)) = abbreviated(line) {
            fields.push((tag.to_owned(), vec![value.to_owned()], number));
        } else {
            fields.push((line.trim().to_owned(), Vec::new(), number));
        }
    }
    if open {
        finish(&fields, start, &mut parsed);
    }
    parsed
}

fn finish(fields: &[(String, Vec<String>, usize)], line: usize, parsed: &mut Parsed) {
    let mut draft = Draft::at(line);
    let mut source = None;
    for (label, values, value_line) in fields {
        let field = field_for(label);
        // Abstracts and titles are wrapped text; lists are one item per line.
        let joined = values.join(" ");
        if joined.trim().is_empty() {
            continue;
        }
        match field {
            Field::Title if draft.title.is_none() => {
                draft.title = Some(without_document_type(&joined).to_owned());
            }
            Field::Authors => {
                for value in values {
                    for name in value.split(';') {
                        let name = name.trim();
                        if name.is_empty() || is_credential(name) {
                            continue;
                        }
                        let (name, editor) = match name.strip_suffix("[Ed]") {
                            Some(rest) => (rest.trim(), true),
                            None => (name, label.to_ascii_lowercase().starts_with("ed")),
                        };
                        let name = without_credentials(name);
                        let located = Draft::located(&name, *value_line, label);
                        if editor {
                            draft.editors.push(located);
                        } else {
                            draft.authors.push(located);
                        }
                    }
                }
            }
            Field::Abstract => draft.abstract_paragraphs.push(joined),
            Field::Source => source = Some((joined, *value_line)),
            Field::Journal => draft.venue = Some(joined),
            Field::Volume => draft.volume = Some(joined),
            Field::Issue => draft.issue = Some(joined),
            Field::Pages => draft.pages = Some(joined),
            Field::Year => draft.year = Some(Draft::located(&joined, *value_line, label)),
            Field::Doi => draft.doi = Some(Draft::located(&joined, *value_line, label)),
            Field::Keywords => {
                for value in values {
                    draft.keywords_from(value.trim_end_matches('.'));
                }
            }
            Field::Accession => {
                draft.key = Some(joined.trim_end_matches('.').to_owned());
            }
            Field::Pmid if joined.bytes().all(|b| b.is_ascii_digit()) => {
                draft.pmid = Some(Draft::located(&joined, *value_line, label));
            }
            Field::Url => draft.urls.extend(values.iter().cloned()),
            Field::Publisher => draft.publisher = Some(joined),
            Field::Kind => draft.kind = kind_for(&joined),
            Field::Title | Field::Pmid | Field::Other => {}
        }
    }
    if let Some((source, source_line)) = source {
        read_source(&source, source_line, &mut draft);
    }
    draft.finish(parsed, "Title");
}

/// "Ecohydrology.   8(6):1048-1064, September 2015." → journal, volume, issue, pages, year;
/// fields given apart win.
fn read_source(source: &str, line: usize, draft: &mut Draft) {
    let source = source.trim();
    // Where the numbers start: the first digit after the journal's name.
    let numbers_at = source
        .char_indices()
        .find(|(at, c)| c.is_ascii_digit() && source[..*at].trim_end().ends_with('.'))
        .map(|(at, _)| at);
    let (name, numbers) = match numbers_at {
        Some(at) => (&source[..at], &source[at..]),
        None => (source, ""),
    };
    if draft.venue.is_none() {
        let name = name.trim().trim_end_matches('.').trim();
        if !name.is_empty() {
            draft.venue = Some(name.to_owned());
        }
    }
    // volume(issue):pages
    if let Some((volume_issue, rest)) = numbers.split_once(':') {
        let (volume, issue) = match volume_issue.split_once('(') {
            Some((volume, issue)) => (volume, Some(issue.trim_end_matches(')'))),
            None => (volume_issue, None),
        };
        if draft.volume.is_none() && !volume.trim().is_empty() {
            draft.volume = Some(volume.trim().to_owned());
        }
        if draft.issue.is_none() {
            draft.issue = issue.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
        }
        let pages: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if draft.pages.is_none() && !pages.is_empty() {
            draft.pages = Some(pages);
        }
    }
    // The date follows the pages ("…:1048-1064, September 2015."): four-digit pages are no
    // year.
    let date = numbers.split_once(", ").map_or(numbers, |(_, date)| date);
    if draft.year.is_none() && find_year(date).is_some() {
        draft.year = Some(Draft::located(date, line, "Source"));
    }
}

/// A name without what Ovid puts around it: affiliation numbers and marks ("Mathes, Tim 2",
/// "Verbeek, Jan MD *") and degrees ("van Vugt, Arie MD, `PhD` +").
fn without_credentials(name: &str) -> String {
    let parts: Vec<String> = name
        .split(',')
        .map(|part| {
            let mut words: Vec<&str> = part.split_whitespace().collect();
            while let Some(last) = words.last() {
                let mark = last
                    .chars()
                    .all(|c| c.is_ascii_digit() || "*+†‡§#".contains(c));
                if mark || (words.len() > 1 && is_credential(last)) {
                    words.pop();
                } else {
                    break;
                }
            }
            words.join(" ")
        })
        .filter(|part| !part.is_empty() && !is_credential(part))
        .collect();
    parts.join(", ")
}

/// A degree or title Ovid lists with authors ("Bunkers, Sandra Schmidt RN; `PhD`; FAAN 1").
/// Only degrees that cannot be initials are listed: "JM" stays a given name.
fn is_credential(piece: &str) -> bool {
    const DEGREES: [&str; 24] = [
        "MD", "PhD", "RN", "FAAN", "MSc", "BSc", "MPH", "MBBS", "FRCS", "FRCP", "DPhil", "PharmD",
        "FACS", "FACP", "MBA", "MSN", "BSN", "DNP", "CNM", "APRN", "MBChB", "FRCPC", "DrPH", "ScD",
    ];
    let word = piece.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.');
    DEGREES.contains(&word)
}

/// A title without Ovid's trailing document type (`….[Review]`).
fn without_document_type(title: &str) -> &str {
    let title = title.trim();
    match title.rfind('[') {
        Some(at) if title.ends_with(']') && at > 0 => title[..at].trim_end(),
        _ => title,
    }
}

fn kind_for(value: &str) -> ecolens_core::RecordKind {
    use ecolens_core::RecordKind;
    let lower = value.to_ascii_lowercase();
    if lower.contains("conference") {
        RecordKind::ConferencePaper
    } else if lower.contains("chapter") {
        RecordKind::BookChapter
    } else if lower.contains("book") {
        RecordKind::Book
    } else if lower.contains("thesis") || lower.contains("dissertation") {
        RecordKind::Thesis
    } else if lower.contains("report") {
        RecordKind::Report
    } else if lower.contains("preprint") {
        RecordKind::Preprint
    } else {
        RecordKind::JournalArticle
    }
}
