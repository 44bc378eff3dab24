//! A record being read from a tagged format whose fields map one to one onto the record
//! (Web of Science, EndNote tagged, Ovid, PubMed XML, Zotero RDF): each reader puts what its
//! tags say into a [`Draft`], and [`Draft::finish`] checks the values the same way for all of
//! them (a year that is no year, a DOI with spaces), with the tag named in each warning.

use ecolens_core::{ArxivId, Doi, Person, Pmid, Record, RecordKind};

use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{collapse_whitespace, doi_in_url, find_year, parse_person, push_keyword};

/// A value with the line and tag it was read from.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) value: String,
    pub(crate) line: usize,
    pub(crate) tag: String,
}

/// What a tagged record said, before its values are checked.
#[derive(Debug, Default, Clone)]
pub(crate) struct Draft {
    /// Line where the record starts.
    pub(crate) line: usize,
    pub(crate) kind: RecordKind,
    pub(crate) title: Option<String>,
    pub(crate) authors: Vec<Located>,
    /// Authors already split into names (XML readers).
    pub(crate) people: Vec<Person>,
    pub(crate) editors: Vec<Located>,
    pub(crate) editor_people: Vec<Person>,
    pub(crate) year: Option<Located>,
    pub(crate) venue: Option<String>,
    pub(crate) volume: Option<String>,
    pub(crate) issue: Option<String>,
    pub(crate) pages: Option<String>,
    pub(crate) start_page: Option<String>,
    pub(crate) end_page: Option<String>,
    pub(crate) publisher: Option<String>,
    pub(crate) doi: Option<Located>,
    pub(crate) pmid: Option<Located>,
    pub(crate) arxiv: Option<Located>,
    pub(crate) urls: Vec<String>,
    pub(crate) abstract_paragraphs: Vec<String>,
    pub(crate) keywords: Vec<String>,
    pub(crate) notes: Vec<String>,
    pub(crate) key: Option<String>,
    pub(crate) problems: Vec<Problem>,
}

impl Draft {
    /// A draft starting at `line`.
    pub(crate) fn at(line: usize) -> Self {
        Self {
            line,
            ..Self::default()
        }
    }

    /// A value located at `line` under `tag`.
    pub(crate) fn located(value: &str, line: usize, tag: &str) -> Located {
        Located {
            value: value.trim().to_owned(),
            line,
            tag: tag.to_owned(),
        }
    }

    /// Keywords from one value, split on `;` (or on line breaks).
    pub(crate) fn keywords_from(&mut self, value: &str) {
        for keyword in value.split([';', '\n']) {
            push_keyword(keyword, &mut self.keywords);
        }
    }

    fn warn(&mut self, line: usize, tag: &str, message: String) {
        self.problems.push(Problem {
            line,
            key: None,
            field: Some(tag.to_owned()),
            message,
            severity: Severity::Warning,
        });
    }

    /// Checks the values and hands the record to `parsed` (kept, or rejected with a problem).
    /// `title_tag` names the title's tag in the warning for a record without one.
    pub(crate) fn finish(mut self, parsed: &mut Parsed, title_tag: &str) {
        let mut record = Record::titled(
            self.title
                .as_deref()
                .map(collapse_whitespace)
                .unwrap_or_default(),
        );
        record.kind = self.kind;
        let authors = std::mem::take(&mut self.authors);
        for name in &authors {
            match parse_person(&name.value) {
                Some(person) => record.authors.push(person),
                None => self.warn(
                    name.line,
                    &name.tag,
                    format!("author {:?} has no name; left out", name.value),
                ),
            }
        }
        record.authors.append(&mut self.people);
        for name in std::mem::take(&mut self.editors) {
            if let Some(person) = parse_person(&name.value) {
                record.editors.push(person);
            }
        }
        record.editors.append(&mut self.editor_people);
        if let Some(year) = self.year.take() {
            match find_year(&year.value) {
                Some(found) if ecolens_core::record::YEAR_RANGE.contains(&found) => {
                    record.year = Some(found);
                }
                _ => self.warn(
                    year.line,
                    &year.tag,
                    format!("{:?} holds no year; left out", year.value),
                ),
            }
        }
        record.venue = self.venue.take().map(|v| collapse_whitespace(&v));
        record.volume = self.volume.take();
        record.issue = self.issue.take();
        record.pages =
            self.pages
                .take()
                .or_else(|| match (self.start_page.take(), self.end_page.take()) {
                    (Some(start), Some(end)) if start != end => Some(format!("{start}-{end}")),
                    (Some(start), _) => Some(start),
                    (None, end) => end,
                });
        record.publisher = self.publisher.take();
        if let Some(doi) = self.doi.take() {
            let value = doi.value.trim_start_matches("doi:").trim();
            match Doi::parse(&doi.tag, value) {
                Ok(parsed) => record.doi = Some(parsed),
                Err(error) => self.warn(
                    doi.line,
                    &doi.tag,
                    format!("{}; left out", crate::text::value_problem(&error)),
                ),
            }
        }
        if let Some(pmid) = self.pmid.take() {
            match Pmid::parse(&pmid.tag, &pmid.value) {
                Ok(parsed) => record.pmid = Some(parsed),
                Err(error) => self.warn(
                    pmid.line,
                    &pmid.tag,
                    format!("{}; left out", crate::text::value_problem(&error)),
                ),
            }
        }
        if let Some(arxiv) = self.arxiv.take() {
            match ArxivId::parse(&arxiv.tag, &arxiv.value) {
                Ok(parsed) => record.arxiv = Some(parsed),
                Err(error) => self.warn(
                    arxiv.line,
                    &arxiv.tag,
                    format!("{}; left out", crate::text::value_problem(&error)),
                ),
            }
        }
        for url in &self.urls {
            let url = url.trim();
            if record.doi.is_none() {
                record.doi = doi_in_url(url).and_then(|d| Doi::parse("url", &d).ok());
            }
            if record.url.is_none() && (url.starts_with("http://") || url.starts_with("https://")) {
                record.url = Some(url.to_owned());
            }
        }
        let paragraphs: Vec<String> = self
            .abstract_paragraphs
            .iter()
            .map(|p| collapse_whitespace(p))
            .filter(|p| !p.is_empty())
            .collect();
        record.abstract_text = (!paragraphs.is_empty()).then(|| paragraphs.join("\n"));
        record.keywords = std::mem::take(&mut self.keywords);
        let notes: Vec<&str> = self
            .notes
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect();
        record.notes = (!notes.is_empty()).then(|| notes.join("\n"));
        let key = self.key.take();
        for mut problem in self.problems.drain(..) {
            problem.key.clone_from(&key);
            parsed.problems.push(problem);
        }
        parsed.push_validated(record, self.line, key, Vec::new(), title_tag);
    }
}
