//! What a format reader returns: the records it could read, each with where it came from, and
//! the problems it met, each located by line and field.

use std::fmt;

use ecolens_core::Record;
use ecolens_core::record::is_blank;

/// A record read from a file, before it enters a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecord {
    /// The bibliographic content.
    pub record: Record,
    /// 1-based line where the record starts.
    pub line: usize,
    /// The record's own key in the file (RIS `ID`, BibTeX key, CSL `id`).
    pub original_key: Option<String>,
    /// Review labels from columns of the file (ASReview's `label_included` …). Labels written
    /// in the notes are read from the notes by the importer.
    pub labels: Vec<crate::labels::ImportedLabel>,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A value was dropped or repaired; the record was kept.
    Warning,
    /// The record was rejected; the rest of the file goes on.
    Rejected,
    /// The file could not be read at all (not found, unreadable, not a known format); the
    /// other files go on.
    FileNotRead,
}

/// A problem met while reading, located by line (and field, when one is to blame).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// The record's key in the file, when known.
    pub key: Option<String>,
    /// The field concerned, e.g. `DOI` or `author[2]`.
    pub field: Option<String>,
    /// What was wrong and what was expected.
    pub message: String,
    /// Whether the record was kept.
    pub severity: Severity,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(key) = &self.key {
            write!(f, " ({key})")?;
        }
        if let Some(field) = &self.field {
            write!(f, " {field}")?;
        }
        // A warning keeps its record; a file not read is said by where it is listed ("Files
        // not read").
        let verdict = match self.severity {
            Severity::Rejected => " — record rejected",
            Severity::Warning | Severity::FileNotRead => "",
        };
        write!(f, ": {}{verdict}", self.message)
    }
}

/// Leaves out values that are empty or only white space (`pages = {}`, `PG  - `): an empty
/// field is no value, not a reason to reject the record.
fn without_empty_values(record: &mut Record) {
    for value in [
        &mut record.venue,
        &mut record.volume,
        &mut record.issue,
        &mut record.pages,
        &mut record.publisher,
        &mut record.abstract_text,
        &mut record.notes,
        &mut record.url,
    ] {
        if value.as_deref().is_some_and(is_blank) {
            *value = None;
        }
    }
    if record.keywords.iter().any(|k| is_blank(k)) {
        record.keywords.retain(|keyword| !is_blank(keyword));
    }
    // One pass over the names; the lists are rebuilt only when a name turned out empty.
    let mut nameless = false;
    for person in record.authors.iter_mut().chain(record.editors.iter_mut()) {
        if person.given.as_deref().is_some_and(is_blank) {
            person.given = None;
        }
        if is_blank(&person.family) {
            // A single name written as a given name (Plato): it is the name.
            match person.given.take() {
                Some(given) => person.family = given,
                None => nameless = true,
            }
        }
    }
    if nameless {
        record.authors.retain(|person| !is_blank(&person.family));
        record.editors.retain(|person| !is_blank(&person.family));
    }
}

/// Whether a record holds nothing a reviewer could recognise it by.
fn is_empty(record: &Record) -> bool {
    record.authors.is_empty()
        && record.editors.is_empty()
        && record.doi.is_none()
        && record.pmid.is_none()
        && record.arxiv.is_none()
        && record.url.is_none()
        && record.abstract_text.is_none()
        && record.venue.is_none()
        && record.keywords.is_empty()
}

/// Everything read from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Records read, in file order.
    pub records: Vec<ParsedRecord>,
    /// Problems met, in file order.
    pub problems: Vec<Problem>,
}

impl Parsed {
    /// Adds a record a reader finished: kept if it is valid, else rejected with a problem
    /// naming the field. Every reader ends a record here.
    /// A record without a title is kept, with a warning naming `title_field`, when it has
    /// anything else a reviewer can recognise it by (ASReview keeps them too; the reviewer
    /// gives it a title); an empty record is rejected.
    pub fn push_validated(
        &mut self,
        record: Record,
        line: usize,
        original_key: Option<String>,
        labels: Vec<crate::labels::ImportedLabel>,
        title_field: &str,
    ) {
        let mut record = record;
        if is_blank(&record.title) {
            record.title.clear();
            without_empty_values(&mut record);
            let (message, severity) = if is_empty(&record) {
                (
                    "no title and nothing else (no authors, editors, identifiers, abstract or venue): an empty record".to_owned(),
                    Severity::Rejected,
                )
            } else {
                (
                    "no title: the record is kept untitled; `NOT has:title` finds such records, and Edit gives them a title".to_owned(),
                    Severity::Warning,
                )
            };
            self.problems.push(Problem {
                line,
                key: original_key.clone(),
                field: Some(title_field.to_owned()),
                message,
                severity,
            });
            if severity == Severity::Rejected {
                return;
            }
        }
        // Values left empty (`pages = {}`) are dropped only when the record is found wanting:
        // validating is needed anyway, and this runs for every record read.
        let valid = record.validate().or_else(|_| {
            without_empty_values(&mut record);
            record.validate()
        });
        match valid {
            Ok(()) => self.records.push(ParsedRecord {
                record,
                line,
                original_key,
                labels,
            }),
            Err(error) => self.problems.push(Problem {
                line,
                key: original_key,
                field: error.field().map(str::to_owned),
                message: error.to_string(),
                severity: Severity::Rejected,
            }),
        }
    }

    /// Number of records the reader gave up on.
    pub fn rejected(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Rejected)
            .count()
    }
}
