//! Bibliographic records: what a paper or project is, where it came from, and its full text.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{Error, Result};
use crate::ids::{ArxivId, Doi, Pmid, RecordId};

/// Oldest and newest publication year a record may carry.
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1500..=2100;

/// The type of a bibliographic record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Article in a journal.
    #[default]
    JournalArticle,
    /// Paper in conference or workshop proceedings.
    ConferencePaper,
    /// Preprint (arXiv, HAL, SSRN …).
    Preprint,
    /// Book.
    Book,
    /// Chapter in an edited book.
    BookChapter,
    /// Report, white paper or working paper.
    Report,
    /// Thesis or dissertation.
    Thesis,
    /// Standard or recommendation (ISO, ITU-T …).
    Standard,
    /// Data set.
    Dataset,
    /// Software.
    Software,
    /// Web page.
    WebPage,
    /// A research project or grant proposal under assessment: it is in no database, so a
    /// reviewer enters it by hand. Its type-specific fields share the base fields, as Zotero's
    /// item types do: the funder is the publisher, the programme the venue, the grant number
    /// the issue (number) and the summary the abstract ([`RecordKind::field_label`]); its
    /// running time is [`Record::period`].
    Project,
    /// Anything else.
    Other,
}

impl RecordKind {
    /// Every kind, in a fixed order.
    pub const ALL: [Self; 13] = [
        Self::JournalArticle,
        Self::ConferencePaper,
        Self::Preprint,
        Self::Book,
        Self::BookChapter,
        Self::Report,
        Self::Thesis,
        Self::Standard,
        Self::Dataset,
        Self::Software,
        Self::WebPage,
        Self::Project,
        Self::Other,
    ];

    /// Stable code stored in the project.
    pub fn code(self) -> &'static str {
        match self {
            Self::JournalArticle => "journal_article",
            Self::ConferencePaper => "conference_paper",
            Self::Preprint => "preprint",
            Self::Book => "book",
            Self::BookChapter => "book_chapter",
            Self::Report => "report",
            Self::Thesis => "thesis",
            Self::Standard => "standard",
            Self::Dataset => "dataset",
            Self::Software => "software",
            Self::WebPage => "web_page",
            Self::Project => "project",
            Self::Other => "other",
        }
    }

    /// Human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Self::JournalArticle => "Journal article",
            Self::ConferencePaper => "Conference paper",
            Self::Preprint => "Preprint",
            Self::Book => "Book",
            Self::BookChapter => "Book chapter",
            Self::Report => "Report",
            Self::Thesis => "Thesis",
            Self::Standard => "Standard",
            Self::Dataset => "Dataset",
            Self::Software => "Software",
            Self::WebPage => "Web page",
            Self::Project => "Project or grant proposal",
            Self::Other => "Other",
        }
    }

    /// What a base field is called for records of this kind: a project's publisher is its
    /// funder, its venue the programme, its issue the grant number, its abstract the summary.
    pub fn field_label(self, field: BaseField) -> &'static str {
        match (self, field) {
            (Self::Project, BaseField::Venue) => "Programme",
            (Self::Project, BaseField::Publisher) => "Funder",
            (Self::Project, BaseField::Issue) => "Grant number",
            (Self::Project, BaseField::Abstract) => "Summary",
            (_, BaseField::Venue) => "Venue",
            (_, BaseField::Publisher) => "Publisher",
            (_, BaseField::Issue) => "Issue",
            (_, BaseField::Abstract) => "Abstract",
        }
    }

    /// Parses a code; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        let wanted = value.trim();
        Self::ALL
            .into_iter()
            .find(|kind| kind.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let codes: Vec<_> = Self::ALL.iter().map(|k| k.code()).collect();
                Error::invalid(field, value, format!("one of: {}", codes.join(", ")))
            })
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A base field whose name depends on the record's kind ([`RecordKind::field_label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseField {
    /// Journal, proceedings, series; a project's programme.
    Venue,
    /// Publisher or institution; a project's funder.
    Publisher,
    /// Issue or number; a project's grant number.
    Issue,
    /// Abstract; a project's summary.
    Abstract,
}

/// A date known to the year, the month or the day (`2024`, `2024-03`, `2024-03-15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// Year, within [`YEAR_RANGE`].
    pub year: i32,
    /// Month 1–12, when known.
    pub month: Option<i8>,
    /// Day of the month, when known (only with a month).
    pub day: Option<i8>,
}

impl PartialDate {
    fn parse(field: &str, text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                field,
                text,
                "a date as YYYY, YYYY-MM or YYYY-MM-DD between 1500 and 2100",
            )
        };
        let mut parts = text.trim().split('-');
        let number = |part: Option<&str>, digits: usize| -> Result<Option<i32>> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map(Some).map_err(|_| bad())
                }
                Some(_) => Err(bad()),
            }
        };
        let year = number(parts.next(), 4)?.ok_or_else(bad)?;
        let month = number(parts.next(), 2)?;
        let day = number(parts.next(), 2)?;
        if parts.next().is_some() || !YEAR_RANGE.contains(&year) {
            return Err(bad());
        }
        let month = month
            .map(|m| i8::try_from(m).map_err(|_| bad()))
            .transpose()?;
        let day = day
            .map(|d| i8::try_from(d).map_err(|_| bad()))
            .transpose()?;
        let year16 = i16::try_from(year).map_err(|_| bad())?;
        match (month, day) {
            (Some(m), Some(d)) => {
                jiff::civil::Date::new(year16, m, d).map_err(|_| bad())?;
            }
            (Some(m), None) if !(1..=12).contains(&m) => return Err(bad()),
            _ => {}
        }
        Ok(Self { year, month, day })
    }

    /// The first day the date can mean, for ordering a period's ends.
    fn first_day(self) -> (i32, i8, i8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day the date can mean.
    fn last_day(self) -> (i32, i8, i8) {
        (self.year, self.month.unwrap_or(12), self.day.unwrap_or(31))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

/// The running time of a project: a start and, when known, an end, written as an ISO 8601
/// interval (`2024-01/2026-12`, `2024/2027`; `2024-01/` while the end is open). BibLaTeX's
/// `date` field and CSL's date ranges hold the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// When it starts.
    pub start: PartialDate,
    /// When it ends; `None` while open-ended.
    pub end: Option<PartialDate>,
}

impl Period {
    /// Parses `start/end`; `field` names the input in the error. Also takes the ways people
    /// write a period by hand: an en dash or ` to ` between the dates, and year–year.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let trimmed = text.trim();
        let (start, end) = if let Some(split) = trimmed.split_once('/') {
            split
        } else if let Some(split) = trimmed.split_once('\u{2013}') {
            split
        } else if let Some(split) = trimmed.split_once(" to ") {
            split
        } else if let Some((a, b)) = trimmed.split_once('-')
            && a.trim().len() == 4
            && b.trim().len() == 4
        {
            (a, b)
        } else {
            (trimmed, "")
        };
        let start = PartialDate::parse(field, start)?;
        let end = if end.trim().is_empty() || end.trim() == ".." {
            None
        } else {
            Some(PartialDate::parse(field, end)?)
        };
        if let Some(end) = end
            && end.last_day() < start.first_day()
        {
            return Err(Error::invalid(
                field,
                text,
                "a period whose end is not before its start",
            ));
        }
        Ok(Self { start, end })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.start)?;
        if let Some(end) = self.end {
            write!(f, "{end}")?;
        }
        Ok(())
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse("period", &text).map_err(serde::de::Error::custom)
    }
}

/// A person or organisation credited as author.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    /// Family name, or the full name of an organisation.
    pub family: String,
    /// Given names or initials, `None` for organisations and mononyms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
}

impl Person {
    /// A person with family and given names.
    pub fn new(family: impl Into<String>, given: impl Into<String>) -> Self {
        Self {
            family: family.into(),
            given: Some(given.into()),
        }
    }

    /// An organisation or a person known by one name only.
    pub fn organisation(name: impl Into<String>) -> Self {
        Self {
            family: name.into(),
            given: None,
        }
    }
}

impl fmt::Display for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.given {
            Some(given) => write!(f, "{}, {given}", self.family),
            None => f.write_str(&self.family),
        }
    }
}

/// Short author line for tables: "Strubell", "Strubell & Ganesh", "Strubell et al.".
pub fn short_authors(authors: &[Person]) -> String {
    match authors {
        [] => String::new(),
        [one] => one.family.clone(),
        [one, two] => format!("{} & {}", one.family, two.family),
        [first, ..] => format!("{} et al.", first.family),
    }
}

/// Where a record came from: one row per file (or bundled corpus) that contributed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Path of the imported file, or `bundled:NAME` for data shipped with ecolens.
    pub file: String,
    /// Format the file was read as (`ris`, `bibtex`, `csl-json` …).
    pub format: String,
    /// Where in the file: `line 12`, `record 3`, `entry smith2020` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    /// The record's own key in that file (RIS `ID`, BibTeX key, CSL `id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_key: Option<String>,
}

/// What is shown in place of the title of a record that has none.
pub const UNTITLED: &str = "(no title)";

/// Whether a text is empty or white space only. Almost every value starts with a visible
/// ASCII character, which settles it at once: validation runs for every record imported.
pub fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii() && !b.is_ascii_whitespace() => false,
        Some(_) => text.trim().is_empty(),
    }
}

/// Every name of a list has a family name, and a given name only when it has one.
fn check_people(list: &str, people: &[Person]) -> Result<()> {
    for (index, person) in people.iter().enumerate() {
        if is_blank(&person.family) {
            return Err(Error::invalid(
                format!("record.{list}[{index}].family"),
                &person.family,
                "a non-empty family name (or organisation name)",
            ));
        }
        if person.given.as_deref().is_some_and(is_blank) {
            return Err(Error::invalid(
                format!("record.{list}[{index}].given"),
                "",
                "given names, or no given field at all",
            ));
        }
    }
    Ok(())
}

/// A title as lists and cards show it: "(no title)" for a record that has none.
pub fn shown_title(title: &str) -> &str {
    if title.is_empty() { UNTITLED } else { title }
}

/// The bibliographic content of a record, without store bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Record {
    /// Type of publication.
    pub kind: RecordKind,
    /// Title (required).
    pub title: String,
    /// Authors in order.
    #[serde(default)]
    pub authors: Vec<Person>,
    /// Editors and other secondary contributors (BibTeX `editor`, RIS `ED`/`A2`–`A4`, EndNote's
    /// secondary and tertiary authors), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editors: Vec<Person>,
    /// Publication year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Journal, proceedings, series or institution.
    #[serde(default)]
    pub venue: Option<String>,
    /// Volume.
    #[serde(default)]
    pub volume: Option<String>,
    /// Issue or number.
    #[serde(default)]
    pub issue: Option<String>,
    /// Pages or article number.
    #[serde(default)]
    pub pages: Option<String>,
    /// Publisher.
    #[serde(default)]
    pub publisher: Option<String>,
    /// DOI.
    #[serde(default)]
    pub doi: Option<Doi>,
    /// PubMed id.
    #[serde(default)]
    pub pmid: Option<Pmid>,
    /// arXiv id.
    #[serde(default)]
    pub arxiv: Option<ArxivId>,
    /// Landing page.
    #[serde(default)]
    pub url: Option<String>,
    /// Abstract.
    #[serde(default)]
    pub abstract_text: Option<String>,
    /// Keywords, in the order given by the source.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Free notes carried over from the source (RIS `N1`, BibTeX `note`).
    #[serde(default)]
    pub notes: Option<String>,
    /// A project's running time (for other kinds, when a source gives a date range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

impl Record {
    /// The fields (by their names in JSON) in which `other` differs from this record, in the
    /// record's order. Both records are taken apart whole, so a field added to [`Record`]
    /// cannot be left out here without the compiler saying so.
    pub fn changed_fields(&self, other: &Self) -> Vec<&'static str> {
        let Self {
            kind,
            title,
            authors,
            editors,
            year,
            venue,
            volume,
            issue,
            pages,
            publisher,
            doi,
            pmid,
            arxiv,
            url,
            abstract_text,
            keywords,
            notes,
            period,
        } = self;
        [
            ("kind", *kind != other.kind),
            ("title", *title != other.title),
            ("authors", *authors != other.authors),
            ("editors", *editors != other.editors),
            ("year", *year != other.year),
            ("venue", *venue != other.venue),
            ("volume", *volume != other.volume),
            ("issue", *issue != other.issue),
            ("pages", *pages != other.pages),
            ("publisher", *publisher != other.publisher),
            ("doi", *doi != other.doi),
            ("pmid", *pmid != other.pmid),
            ("arxiv", *arxiv != other.arxiv),
            ("url", *url != other.url),
            ("abstract_text", *abstract_text != other.abstract_text),
            ("keywords", *keywords != other.keywords),
            ("notes", *notes != other.notes),
            ("period", *period != other.period),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
    }

    /// A record with a title and everything else empty.
    pub fn titled(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Checks every field; the first problem is returned as an [`Error::InvalidValue`] naming
    /// `record.<field>`.
    pub fn validate(&self) -> Result<()> {
        // A record may have no title (databases export some, and the reviewer gives them
        // one), but not a title of white space only.
        let title = self.title.trim();
        if title.is_empty() && !self.title.is_empty() {
            return Err(Error::invalid(
                "record.title",
                &self.title,
                "a title, or none at all",
            ));
        }
        // Bytes are at least as many as characters: count only long titles.
        if title.len() > 2000 && title.chars().count() > 2000 {
            return Err(Error::invalid(
                "record.title",
                &self.title,
                "a title of at most 2000 characters",
            ));
        }
        check_people("authors", &self.authors)?;
        check_people("editors", &self.editors)?;
        if let Some(year) = self.year
            && !YEAR_RANGE.contains(&year)
        {
            return Err(Error::invalid(
                "record.year",
                year.to_string(),
                format!("a year from {} to {}", YEAR_RANGE.start(), YEAR_RANGE.end()),
            ));
        }
        for (index, keyword) in self.keywords.iter().enumerate() {
            if is_blank(keyword) {
                return Err(Error::invalid(
                    format!("record.keywords[{index}]"),
                    keyword,
                    "a non-empty keyword",
                ));
            }
        }
        if let Some(url) = &self.url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(Error::invalid(
                "record.url",
                url,
                "an http:// or https:// address",
            ));
        }
        for (field, value) in [
            ("record.venue", &self.venue),
            ("record.volume", &self.volume),
            ("record.issue", &self.issue),
            ("record.pages", &self.pages),
            ("record.publisher", &self.publisher),
            ("record.abstract_text", &self.abstract_text),
            ("record.notes", &self.notes),
        ] {
            if value.as_deref().is_some_and(is_blank) {
                return Err(Error::invalid(field, "", "text, or no value at all"));
            }
        }
        Ok(())
    }

    /// The title, or "(no title)" for a record that has none: what lists and cards show.
    pub fn shown_title(&self) -> &str {
        shown_title(&self.title)
    }

    /// The text of a quotable field, if the record has it.
    pub fn field_text(&self, field: QuoteField) -> Option<&str> {
        match field {
            QuoteField::Title => Some(&self.title),
            QuoteField::Abstract => self.abstract_text.as_deref(),
            QuoteField::FullText => None,
        }
    }
}

/// A record as stored: its id, bookkeeping, provenance and content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    /// Row id.
    pub id: RecordId,
    /// When it was first added.
    pub added_at: Timestamp,
    /// When its bibliographic content last changed.
    pub updated_at: Timestamp,
    /// Content.
    pub record: Record,
    /// Every file that contributed it, oldest first.
    pub sources: Vec<SourceRef>,
}

/// Extracted full text attached to a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullText {
    /// The text.
    pub text: String,
    /// The file it was extracted from.
    pub source_file: String,
    /// Which extractor produced it (`pdf-extract 0.10`, `lopdf` …).
    pub extractor: String,
    /// Number of pages, when known.
    #[serde(default)]
    pub pages: Option<u32>,
}

impl FullText {
    /// Checks the rule that needs no database: an empty extraction is a failure, not a text.
    pub fn validate(&self) -> crate::Result<()> {
        if self.text.trim().is_empty() {
            return Err(crate::Error::invalid(
                "full_text.text",
                "",
                "extracted text (an empty extraction is a failure, not a text)",
            ));
        }
        Ok(())
    }
}

/// A field of a record a reviewer can quote as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteField {
    /// The title.
    Title,
    /// The abstract.
    Abstract,
    /// The extracted full text.
    FullText,
}

impl QuoteField {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Abstract => "abstract",
            Self::FullText => "full_text",
        }
    }
}

/// Lower-case letters and digits only, after Unicode NFKD without combining marks: "Č" and
/// "C", "CO₂" and "co2", "Green AI:" and "green ai" compare equal.
pub fn title_key(title: &str) -> String {
    if title.is_ascii() {
        title
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect()
    } else {
        title
            .nfkd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_record_passes_and_each_bad_field_is_named() {
        let mut record = Record::titled("Green AI");
        record.authors = vec![Person::new("Schwartz", "Roy")];
        record.year = Some(2020);
        record.url = Some("https://arxiv.org/abs/1907.10597".into());
        assert!(record.validate().is_ok());

        let cases: Vec<(Record, &str)> = vec![
            (
                Record {
                    title: "  ".into(),
                    ..record.clone()
                },
                "record.title",
            ),
            (
                Record {
                    year: Some(20),
                    ..record.clone()
                },
                "record.year",
            ),
            (
                Record {
                    authors: vec![Person::new("Schwartz", "Roy"), Person::organisation(" ")],
                    ..record.clone()
                },
                "record.authors[1].family",
            ),
            (
                Record {
                    keywords: vec!["ai".into(), String::new()],
                    ..record.clone()
                },
                "record.keywords[1]",
            ),
            (
                Record {
                    url: Some("ftp://x".into()),
                    ..record.clone()
                },
                "record.url",
            ),
            (
                Record {
                    venue: Some(" ".into()),
                    ..record.clone()
                },
                "record.venue",
            ),
        ];
        for (bad, field) in cases {
            let error = bad.validate().unwrap_err();
            assert_eq!(error.field(), Some(field), "{error}");
        }
    }

    #[test]
    fn short_author_lines() {
        let a = Person::new("Strubell", "Emma");
        let b = Person::new("Ganesh", "Ananya");
        let c = Person::new("McCallum", "Andrew");
        assert_eq!(short_authors(&[]), "");
        assert_eq!(short_authors(std::slice::from_ref(&a)), "Strubell");
        assert_eq!(short_authors(&[a.clone(), b.clone()]), "Strubell & Ganesh");
        assert_eq!(short_authors(&[a, b, c]), "Strubell et al.");
    }

    #[test]
    fn kinds_parse_from_their_codes() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse("kind", kind.code()).unwrap(), kind);
        }
        assert_eq!(
            RecordKind::parse("record.kind", "poem")
                .unwrap_err()
                .field(),
            Some("record.kind")
        );
    }
}
