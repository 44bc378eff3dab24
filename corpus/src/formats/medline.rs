//! MEDLINE / PubMed "nbib" text (and ERIC's export in the same format, without PMIDs): four-character tags (`PMID- `, `FAU - `), values continued
//! on lines indented by six spaces, records separated by blank lines. PubMed exports in this
//! format are often saved as `.txt` or `.ris`; detection goes by content.
//!
//! The DOI is taken from `LID`/`AID` values ending in `[doi]`; full author names from `FAU`
//! (falling back to `AU`); the journal from `JT` (falling back to `TA`); keywords from `OT`
//! then `MeSH` headings (`MH`). A record without PMID and title is rejected; a date without a
//! year leaves the year out with a warning and keeps the record.

use ecolens_core::{Doi, Pmid, Record, RecordKind};

use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{
    Lines, collapse_whitespace, find_year, parse_person, push_keyword, value_problem,
};

/// Format name used in provenance.
pub const FORMAT: &str = "medline";

/// Reads MEDLINE text.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    parse_into(text, 1, &mut parsed);
    parsed
}

/// Reads MEDLINE text whose first line is `first_line` of its file, adding to `parsed`.
pub fn parse_into(text: &str, first_line: usize, parsed: &mut Parsed) {
    let mut fields: Vec<(&str, String, usize)> = Vec::new();
    let mut start_line = first_line;
    for (index, line) in Lines::new(text).enumerate() {
        let number = first_line + index;
        if line.trim().is_empty() {
            if !fields.is_empty() {
                finish(&std::mem::take(&mut fields), start_line, parsed);
            }
            continue;
        }
        if let Some((tag, value)) = tag_and_value(line) {
            // A new record without a blank line before it: PubMed's start with `PMID`,
            // ERIC's (which have no PMID) with `OWN`.
            let starts_record =
                tag == "PMID" || (tag == "OWN" && fields.iter().any(|(t, _, _)| *t == "OWN"));
            if starts_record && !fields.is_empty() {
                finish(&std::mem::take(&mut fields), start_line, parsed);
            }
            if fields.is_empty() {
                start_line = number;
            }
            fields.push((tag, value.to_owned(), number));
        } else if let Some((_, value, _)) = fields.last_mut() {
            value.push(' ');
            value.push_str(line.trim());
        } else {
            parsed.problems.push(Problem {
                line: number,
                key: None,
                field: None,
                message: format!("line outside any record ignored: {:?}", line.trim()),
                severity: Severity::Warning,
            });
        }
    }
    if !fields.is_empty() {
        finish(&fields, start_line, parsed);
    }
}

/// `TAG - value` with the tag left-justified in four columns.
fn tag_and_value(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    if bytes.len() < 5 || bytes[4] != b'-' || !bytes[0].is_ascii_uppercase() {
        return None;
    }
    let tag = line[..4].trim_end();
    if tag.is_empty()
        || !tag
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    Some((tag, line.get(5..).unwrap_or_default().trim()))
}

fn finish(fields: &[(&str, String, usize)], line: usize, parsed: &mut Parsed) {
    let get = |tag: &str| fields.iter().find(|(t, _, _)| *t == tag);
    let all = |tag: &'static str| fields.iter().filter(move |(t, _, _)| *t == tag);
    // PubMed's PMID; ERIC's own accession number (`OID - EJ1345678`) when there is none.
    let key = get("PMID")
        .or_else(|| get("OID"))
        .map(|(_, value, _)| value.clone());
    let mut problems = Vec::new();
    let mut warn = |line: usize, field: &str, message: String| {
        problems.push(Problem {
            line,
            key: key.clone(),
            field: Some(field.to_owned()),
            message,
            severity: Severity::Warning,
        });
    };
    // A title given over several TI lines is one title.
    let titles: Vec<&str> = all("TI").map(|(_, value, _)| value.as_str()).collect();
    let title = if titles.is_empty() {
        get("BTI").map(|(_, value, _)| collapse_whitespace(value))
    } else {
        Some(collapse_whitespace(&titles.join(" ")))
    };
    let mut record = Record::titled(title.unwrap_or_default());
    record.kind = kind_for(all("PT").map(|(_, value, _)| value.as_str()));
    if let Some((_, pmid, pmid_line)) = get("PMID") {
        match Pmid::parse("PMID", pmid) {
            Ok(pmid) => record.pmid = Some(pmid),
            Err(error) => warn(
                *pmid_line,
                "PMID",
                format!("{}; left out", value_problem(&error)),
            ),
        }
    }
    let full_names: Vec<_> = all("FAU").collect();
    let names = if full_names.is_empty() {
        all("AU").collect()
    } else {
        full_names
    };
    for (tag, name, name_line) in names {
        match parse_person(name) {
            Some(person) => record.authors.push(person),
            None => warn(
                *name_line,
                tag,
                format!("author {name:?} has no name; left out"),
            ),
        }
    }
    // Book editors: full names (`FED`), else short ones (`ED`).
    let full_editors: Vec<_> = all("FED").collect();
    let editors = if full_editors.is_empty() {
        all("ED").collect()
    } else {
        full_editors
    };
    for (_, name, _) in editors {
        if let Some(person) = parse_person(name) {
            record.editors.push(person);
        }
    }
    if record.authors.is_empty() {
        for (_, name, _) in all("CN") {
            record
                .authors
                .push(ecolens_core::Person::organisation(name.clone()));
        }
    }
    if let Some((_, date, date_line)) = get("DP") {
        match find_year(date) {
            Some(year) if ecolens_core::record::YEAR_RANGE.contains(&year) => {
                record.year = Some(year);
            }
            _ => warn(
                *date_line,
                "DP",
                format!("{date:?} holds no year; left out"),
            ),
        }
    }
    record.venue = get("JT")
        .or_else(|| get("TA"))
        .map(|(_, value, _)| collapse_whitespace(value));
    record.volume = get("VI").map(|(_, value, _)| value.clone());
    record.issue = get("IP").map(|(_, value, _)| value.clone());
    record.pages = get("PG").map(|(_, value, _)| value.clone());
    record.publisher = get("PB").map(|(_, value, _)| value.clone());
    let doi = all("LID")
        .chain(all("AID"))
        .find_map(|(_, value, doi_line)| {
            // `10.1016/… [doi]` (PubMed), or `doi:10.1016/…` (older exports).
            value
                .strip_suffix("[doi]")
                .or_else(|| value.strip_prefix("doi:"))
                .map(|doi| (doi.trim(), *doi_line))
        });
    if let Some((doi, doi_line)) = doi {
        match Doi::parse("LID", doi) {
            Ok(doi) => record.doi = Some(doi),
            Err(error) => warn(
                doi_line,
                "LID",
                format!("{}; left out", value_problem(&error)),
            ),
        }
    }
    record.abstract_text = get("AB").map(|(_, value, _)| collapse_whitespace(value));
    for (_, keyword, _) in all("OT").chain(all("MH")) {
        // MeSH qualifiers ("Dinosaurs/genetics") keep the heading; "*" marks a major topic.
        let heading = keyword
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_start_matches('*');
        push_keyword(heading, &mut record.keywords);
    }
    parsed.problems.extend(problems);
    parsed.push_validated(record, line, key, Vec::new(), "TI");
}

fn kind_for<'a>(mut types: impl Iterator<Item = &'a str>) -> RecordKind {
    let types: Vec<&str> = types.by_ref().collect();
    let has = |name: &str| types.iter().any(|t| t.eq_ignore_ascii_case(name));
    if has("Preprint") {
        RecordKind::Preprint
    } else if has("Congress") {
        RecordKind::ConferencePaper
    } else if has("Book") || has("Monograph") {
        RecordKind::Book
    } else if has("Dataset") {
        RecordKind::Dataset
    } else {
        RecordKind::JournalArticle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_tags_and_identifiers() {
        let text = "PMID- 30922926\nOWN - NLM\nDP  - 2020 Feb\nTI  - Time lapse: A glimpse into\n      prehistoric genomics.\n\
                    LID - S1769-7212(19)30059-X [pii]\nLID - 10.1016/j.ejmg.2019.03.004 [doi]\nFAU - Griffin, Darren K\nAU  - Griffin DK\n\
                    MH  - *Dinosaurs/genetics\nOT  - karyotype\nPT  - Journal Article\nPT  - Review\n\n\
                    PMID- 2\nDP  - sometime\nTI  - Second\nPMID- 3\nAB  - no title here\n";
        let parsed = parse(text);
        assert_eq!(parsed.records.len(), 3);
        let first = &parsed.records[0].record;
        assert_eq!(
            first.title,
            "Time lapse: A glimpse into prehistoric genomics."
        );
        assert_eq!(
            first.doi.as_ref().map(Doi::as_str),
            Some("10.1016/j.ejmg.2019.03.004")
        );
        assert_eq!(first.pmid.as_ref().map(Pmid::as_str), Some("30922926"));
        assert_eq!(first.authors[0].family, "Griffin");
        assert_eq!(first.authors[0].given.as_deref(), Some("Darren K"));
        assert_eq!(first.year, Some(2020));
        assert_eq!(first.keywords, ["karyotype", "Dinosaurs"]);
        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "line 16 (2) DP: \"sometime\" holds no year; left out",
                "line 18 (3) TI: no title: the record is kept untitled; `NOT has:title` finds such records, and Edit gives them a title",
            ]
        );
    }
}
