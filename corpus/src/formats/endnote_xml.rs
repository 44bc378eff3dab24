//! EndNote XML (`<xml><records><record>…`), as EndNote desktop exports it: every text value
//! wrapped in one or more `<style>` runs, the type as `<ref-type name="Journal Article">17`,
//! the DOI in `<electronic-resource-num>`. Malformed XML stops reading at the error, which is
//! reported with its line; the records before it are kept.

use ecolens_core::{Doi, Person, Record, RecordKind};
use quick_xml::events::Event;

use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{
    collapse_whitespace, doi_in_url, find_year, parse_person, split_keywords, value_problem,
};

/// Format name used in provenance.
pub const FORMAT: &str = "endnote-xml";

/// Fields of one `<record>` as text.
#[derive(Default)]
struct RawRecord {
    line: usize,
    number: Option<String>,
    kind: Option<String>,
    authors: Vec<String>,
    editors: Vec<String>,
    title: Option<String>,
    secondary_title: Option<String>,
    periodical: Option<String>,
    year: Option<String>,
    pages: Option<String>,
    volume: Option<String>,
    issue: Option<String>,
    publisher: Option<String>,
    abstract_text: Option<String>,
    notes: Option<String>,
    doi: Option<String>,
    urls: Vec<String>,
    keywords: Vec<String>,
}

/// Reads EndNote XML.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<RawRecord> = None;
    let mut buffer = String::new();
    let mut lines = crate::text::LineCounter::new(text);
    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(position);
                let problem = super::xml::malformed(&parsed, lines.at(at), &error);
                parsed.problems.push(problem);
                break;
            }
        };
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if name == "record" {
                    current = Some(RawRecord {
                        line: lines.at(position),
                        ..RawRecord::default()
                    });
                } else if name == "ref-type"
                    && let Some(record) = current.as_mut()
                {
                    record.kind = start
                        .attributes()
                        .flatten()
                        .find(|attribute| attribute.key.as_ref() == "name")
                        .map(|attribute| attribute.value.into_owned());
                }
                if name != "style" {
                    buffer.clear();
                }
                path.push(name);
            }
            Event::Text(content) => buffer.push_str(&content.xml10_content()),
            Event::CData(content) => buffer.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) => super::xml::push_reference(&mut buffer, &reference),
            Event::End(_) => {
                let Some(name) = path.pop() else { continue };
                if name == "style" {
                    continue;
                }
                if name == "record" {
                    if let Some(record) = current.take() {
                        finish(record, &mut parsed);
                    }
                    continue;
                }
                if let Some(record) = current.as_mut() {
                    let value = collapse_whitespace(&buffer);
                    buffer.clear();
                    if !value.is_empty() {
                        store(record, &name, path.last().map(String::as_str), value);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    parsed
}

/// Puts the text of a closed element where it belongs.
fn store(record: &mut RawRecord, name: &str, parent: Option<&str>, value: String) {
    match (name, parent) {
        ("author", Some("authors")) => record.authors.push(value),
        // Editors of a book or proceedings, series editors.
        ("author", Some("secondary-authors" | "tertiary-authors")) => record.editors.push(value),
        ("title", Some("titles")) => record.title = Some(value),
        ("secondary-title", _) => record.secondary_title = Some(value),
        ("full-title", Some("periodical")) => record.periodical = Some(value),
        ("year", _) => record.year = Some(value),
        ("pages", _) => record.pages = Some(value),
        ("volume", _) => record.volume = Some(value),
        ("number", _) => record.issue = Some(value),
        ("publisher", _) => record.publisher = Some(value),
        ("abstract", _) => record.abstract_text = Some(value),
        ("notes", _) => record.notes = Some(value),
        ("electronic-resource-num", _) => record.doi = Some(value),
        ("url", _) => record.urls.push(value),
        ("keyword", _) => record.keywords.push(value),
        ("rec-number", _) => record.number = Some(value),
        _ => {}
    }
}

fn finish(raw: RawRecord, parsed: &mut Parsed) {
    let key = raw.number.clone();
    let line = raw.line;
    let warn = |field: &str, message: String| Problem {
        line,
        key: key.clone(),
        field: Some(field.to_owned()),
        message,
        severity: Severity::Warning,
    };
    let mut record = Record::titled(raw.title.unwrap_or_default());
    record.kind = kind_for(raw.kind.as_deref().unwrap_or_default());
    record.authors = raw
        .authors
        .iter()
        .filter_map(|name| parse_person(name))
        .collect::<Vec<Person>>();
    record.editors = raw
        .editors
        .iter()
        .filter_map(|name| parse_person(name))
        .collect::<Vec<Person>>();
    if let Some(year) = &raw.year {
        match find_year(year) {
            Some(found) if ecolens_core::record::YEAR_RANGE.contains(&found) => {
                record.year = Some(found);
            }
            _ => parsed
                .problems
                .push(warn("year", format!("{year:?} holds no year; left out"))),
        }
    }
    record.venue = raw.secondary_title.or(raw.periodical);
    record.pages = raw.pages;
    record.volume = raw.volume;
    record.issue = raw.issue;
    record.publisher = raw.publisher;
    record.abstract_text = raw.abstract_text;
    record.notes = raw.notes;
    if let Some(doi) = raw.doi {
        match Doi::parse("electronic-resource-num", &doi) {
            Ok(doi) => record.doi = Some(doi),
            Err(error) => parsed.problems.push(warn(
                "electronic-resource-num",
                format!("{}; left out", value_problem(&error)),
            )),
        }
    }
    record.url = raw
        .urls
        .iter()
        .find(|url| url.starts_with("http://") || url.starts_with("https://"))
        .cloned();
    if record.doi.is_none() {
        record.doi = raw
            .urls
            .iter()
            .find_map(|url| doi_in_url(url))
            .and_then(|doi| Doi::parse("url", &doi).ok());
    }
    for keyword in &raw.keywords {
        split_keywords(keyword, &mut record.keywords);
    }
    parsed.push_validated(record, line, key, Vec::new(), "title");
}

pub(crate) fn kind_for(name: &str) -> RecordKind {
    match name.trim() {
        "Journal Article" | "Magazine Article" | "Newspaper Article" | "Electronic Article"
        | "Journal" => RecordKind::JournalArticle,
        "Conference Proceedings" | "Conference Paper" | "Conference" => RecordKind::ConferencePaper,
        "Book" | "Edited Book" | "Electronic Book" => RecordKind::Book,
        "Book Section" | "Electronic Book Section" => RecordKind::BookChapter,
        "Report" | "Government Document" => RecordKind::Report,
        "Thesis" => RecordKind::Thesis,
        "Standard" => RecordKind::Standard,
        "Dataset" => RecordKind::Dataset,
        "Computer Program" => RecordKind::Software,
        "Web Page" | "Blog" => RecordKind::WebPage,
        "Manuscript" | "Unpublished Work" => RecordKind::Preprint,
        _ => RecordKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styled_runs_entities_and_a_malformed_tail() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?><xml><records>
<record><rec-number>1</rec-number><ref-type name="Journal Article">17</ref-type>
<contributors><authors><author><style face="normal">Smith, </style><style face="bold">J.</style></author><author>Doe, K.</author></authors>
<secondary-authors><author>Editor, E.</author></secondary-authors></contributors>
<titles><title><style>CO</style><style face="subscript">2</style><style> capture &amp; storage</style></title><secondary-title>J. Am. Chem. Soc.</secondary-title></titles>
<dates><year>2014</year></dates><electronic-resource-num>10.1021/ja507655x</electronic-resource-num>
<keywords><keyword>carbon</keyword><keyword>MOF</keyword></keywords></record>
<record><rec-number>2</rec-number><titles><secondary-title>No title</secondary-title></titles></record>
<record><rec-number>3</rec-number><titles><title>Unclosed</titles>
</records></xml>"#;
        let parsed = parse(text);
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.records[1].record.venue.as_deref(), Some("No title"));
        let record = &parsed.records[0].record;
        assert_eq!(record.title, "CO2 capture & storage");
        assert_eq!(
            record.authors,
            vec![Person::new("Smith", "J."), Person::new("Doe", "K.")]
        );
        assert_eq!(record.venue.as_deref(), Some("J. Am. Chem. Soc."));
        assert_eq!(record.year, Some(2014));
        assert_eq!(
            record.doi.as_ref().map(Doi::as_str),
            Some("10.1021/ja507655x")
        );
        assert_eq!(record.keywords, ["carbon", "MOF"]);
        assert_eq!(parsed.records[0].line, 2);
        assert_eq!(parsed.problems.len(), 2, "{:#?}", parsed.problems);
        assert_eq!(
            parsed.problems[0].to_string(),
            "line 8 (2) title: no title: the record is kept untitled; `NOT has:title` finds such records, and Edit gives them a title"
        );
        assert_eq!(parsed.problems[1].line, 9);
        assert!(
            parsed.problems[1].message.starts_with("malformed XML"),
            "{}",
            parsed.problems[1].message
        );
    }
}
