//! RIS, in the dialects real exports use: Rayyan and Embase (two tags glued on one line),
//! Scopus (untagged lines and blank lines inside records), Web of Science (indented
//! continuation lines), EndNote and Zotero (`A1`/`T1`, `N1` notes), mixed line endings.
//!
//! Rules, each reported where it applies:
//! - a record runs from `TY` to `ER`; a `TY` before the `ER` ends the open record (warning);
//! - `XX  - value     YY  - value2` on one line is read as two fields;
//! - an untagged line right after a text field (title, abstract, notes …) continues it, and
//!   an untagged line after a keyword is another keyword;
//! - any other untagged line is kept in the record's notes, never dropped (warning);
//! - a value that cannot be used (a DOI with spaces, a year that is no year) is left out with a
//!   warning, and the record is kept; a record without a title is rejected.

use std::borrow::Cow;

use ecolens_core::{ArxivId, Doi, Pmid, Record, RecordKind};

use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{Lines, doi_in_url, find_year, parse_person, push_keyword, split_glued};

/// Format name used in provenance.
pub const FORMAT: &str = "ris";

/// Reads RIS text.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    parse_into(text, 1, &mut parsed);
    parsed
}

/// Reads RIS text whose first line is line `first_line` of its file, adding to `parsed`.
/// Blocks of a large file are read this way, each starting at a record boundary.
pub fn parse_into(text: &str, first_line: usize, parsed: &mut Parsed) {
    let returns = memchr::memchr(b'\r', text.as_bytes()).is_some();
    parse_lines(Lines::knowing_returns(text, returns), first_line, parsed);
}

/// [`parse_into`] for a block whose reader knows whether it holds carriage returns.
pub fn parse_block(text: &str, first_line: usize, returns: bool, parsed: &mut Parsed) {
    parse_lines(Lines::knowing_returns(text, returns), first_line, parsed);
}

fn parse_lines(lines: Lines<'_>, first_line: usize, parsed: &mut Parsed) {
    // One builder serves every record of the block; its lists keep their capacity.
    let mut builder = Builder::new(first_line, "");
    let mut open = false;
    // Whether the open record's `TY` was written `TY  - ` (two spaces, as the RIS
    // specification has it): its lines are then tags only when written the same way, and a
    // paragraph like `ML - based forecasting …` or `TY - JOUR is how …` is text.
    let mut strict = false;
    let mut skipped_before_first_record = 0usize;
    let mut first_skipped = 0usize;
    for (index, line) in lines.enumerate() {
        let number = first_line + index;
        if line.bytes().all(|b| b.is_ascii_whitespace()) {
            builder.saw_blank = true;
            continue;
        }
        // In a record whose `TY` had two blanks, a one-blank line (`ML - based …`) is text:
        // the dash in the fourth column without a tab before it.
        let tagged = tag_and_value(line).filter(|_| {
            !(strict
                && open
                && line.as_bytes().get(3) == Some(&b'-')
                && line.as_bytes().get(2) != Some(&b'\t'))
        });
        let Some((tag, value)) = tagged else {
            if open {
                builder.untagged(line.trim(), number);
            } else {
                if skipped_before_first_record == 0 {
                    first_skipped = number;
                }
                skipped_before_first_record += 1;
            }
            continue;
        };
        match tag {
            "TY" if open && builder.only_type() => {
                // `TY` lines one after another: the last says the type.
                builder.kind = value;
                strict = spaced_as_specified(line);
            }
            "TY" => {
                if open {
                    let line = builder.line;
                    builder.finish(parsed, Some(format!("no ER line before the next TY at line {number}; the record ends there (it started at line {line})")));
                }
                builder.reset(number, value);
                open = true;
                strict = spaced_as_specified(line);
            }
            "ER" => {
                if open {
                    builder.finish(parsed, None);
                    open = false;
                } else {
                    parsed.problems.push(Problem {
                        line: number,
                        key: None,
                        field: Some("ER".into()),
                        message: "ER without a TY before it; ignored".into(),
                        severity: Severity::Warning,
                    });
                }
            }
            _ => {
                if !open {
                    builder.reset(number, "");
                    builder.warn(
                        number,
                        "TY",
                        "record has no TY line; read as a generic record".into(),
                    );
                    open = true;
                }
                builder.tagged(tag, value, number);
            }
        }
    }
    if open {
        builder.finish(parsed, Some("no ER line at the end of the file".into()));
    }
    if skipped_before_first_record > 0 {
        parsed.problems.push(Problem {
            line: first_skipped,
            key: None,
            field: None,
            message: format!(
                "{skipped_before_first_record} untagged line(s) outside any record were ignored"
            ),
            severity: Severity::Warning,
        });
    }
}

/// `XX  - value` → `(XX, value)`. Accepts `XX  -` with nothing after it, and one space before
/// the dash, as some exporters write.
fn tag_and_value(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    if bytes.len() < 4
        || !bytes[0].is_ascii_uppercase()
        || !(bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
        || !matches!(bytes[2], b' ' | b'\t')
    {
        return None;
    }
    // Some exports put a tab where the spaces go (`TY\t- JOUR`, `TY  -\tJOUR`).
    let dash = if bytes[3] == b'-' {
        3
    } else if matches!(bytes[3], b' ' | b'\t') && bytes.get(4) == Some(&b'-') {
        4
    } else {
        return None;
    };
    // After the dash: end of line or a space.
    match bytes.get(dash + 1) {
        None => Some((&line[..2], "")),
        Some(b' ' | b'\t') => Some((&line[..2], line[dash + 2..].trim_ascii())),
        _ => None,
    }
}

/// Whether a tag line has the two blanks before the dash the specification asks for
/// (`TY  - `), not one (`TY - `). A tab in their place counts as both: prose has none.
fn spaced_as_specified(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.get(4) == Some(&b'-') || bytes.get(2) == Some(&b'\t')
}

/// Which field an untagged line would continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    Nothing,
    Title,
    Abstract,
    SecondaryAbstract,
    Venue,
    Keyword,
    Note,
    Orphan,
    Other,
}

/// A record being read; values borrow from the text until [`Builder::finish`].
struct Builder<'a> {
    line: usize,
    kind: &'a str,
    title: Option<(u8, Cow<'a, str>)>,
    book_title: Option<&'a str>,
    venue: Option<(u8, Cow<'a, str>)>,
    authors: Vec<(&'a str, usize)>,
    editors: Vec<(&'a str, usize)>,
    year: Option<(u8, &'a str, usize)>,
    /// A `DA` holding an ISO 8601 interval (`2025-10/2029-09`): a project's period.
    period: Option<&'a str>,
    volume: Option<&'a str>,
    issue: Option<&'a str>,
    start_page: Option<&'a str>,
    end_page: Option<&'a str>,
    publisher: Option<&'a str>,
    doi: Option<(&'a str, usize)>,
    urls: Vec<&'a str>,
    abstract_text: Option<Cow<'a, str>>,
    secondary_abstract: Option<Cow<'a, str>>,
    keywords: Vec<Cow<'a, str>>,
    notes: Vec<Cow<'a, str>>,
    id: Option<&'a str>,
    accession: Option<&'a str>,
    current: Current,
    saw_blank: bool,
    problems: Vec<Problem>,
}

impl<'a> Builder<'a> {
    fn new(line: usize, kind: &'a str) -> Self {
        Self {
            line,
            kind,
            title: None,
            book_title: None,
            venue: None,
            authors: Vec::new(),
            editors: Vec::new(),
            year: None,
            period: None,
            volume: None,
            issue: None,
            start_page: None,
            end_page: None,
            publisher: None,
            doi: None,
            urls: Vec::new(),
            abstract_text: None,
            secondary_abstract: None,
            keywords: Vec::new(),
            notes: Vec::new(),
            id: None,
            accession: None,
            current: Current::Nothing,
            saw_blank: false,
            problems: Vec::new(),
        }
    }

    /// Whether nothing but the type was read into the record.
    fn only_type(&self) -> bool {
        matches!(self.current, Current::Nothing) && self.problems.is_empty()
    }

    /// Starts a new record, keeping the lists' capacity.
    fn reset(&mut self, line: usize, kind: &'a str) {
        self.line = line;
        self.kind = kind;
        self.title = None;
        self.book_title = None;
        self.venue = None;
        self.authors.clear();
        self.editors.clear();
        self.year = None;
        self.period = None;
        self.volume = None;
        self.issue = None;
        self.start_page = None;
        self.end_page = None;
        self.publisher = None;
        self.doi = None;
        self.urls.clear();
        self.abstract_text = None;
        self.secondary_abstract = None;
        self.keywords.clear();
        self.notes.clear();
        self.id = None;
        self.accession = None;
        self.current = Current::Nothing;
        self.saw_blank = false;
        self.problems.clear();
    }

    fn warn(&mut self, line: usize, field: &str, message: String) {
        self.problems.push(Problem {
            line,
            key: None,
            field: Some(field.to_owned()),
            message,
            severity: Severity::Warning,
        });
    }

    fn tagged(&mut self, tag: &'a str, value: &'a str, line: usize) {
        self.saw_blank = false;
        // Exporters glue tags onto identifiers and links (`DO  - 10.1038/…     LK  - …`,
        // `UR  - https://…     U2  - …`); only those are searched for them.
        let (value, glued) = if matches!(
            tag,
            "DO" | "UR" | "L1" | "L2" | "L3" | "L4" | "LK" | "AN" | "SN" | "ID" | "M3" | "U2"
        ) {
            split_glued(value)
        } else {
            (value, None)
        };
        self.field(tag, value, line);
        if let Some((glued_tag, glued_value)) = glued {
            // A glued tag can itself carry another; read them all.
            self.tagged(glued_tag, glued_value, line);
        }
    }

    fn field(&mut self, tag: &'a str, value: &'a str, line: usize) {
        self.current = Current::Other;
        if value.is_empty() {
            return;
        }
        // Two-byte tags compared as bytes: a jump on a pair instead of string comparisons.
        let code: [u8; 2] = tag.as_bytes().try_into().unwrap_or([0, 0]);
        match &code {
            b"TI" | b"T1" | b"CT" => {
                let rank = match &code {
                    b"TI" => 0,
                    b"T1" => 1,
                    _ => 2,
                };
                match &mut self.title {
                    // A long title split over two lines of the same tag (`TI  - first half`,
                    // `TI  - second half`) is one title.
                    Some((r, title)) if *r == rank => {
                        let title = title.to_mut();
                        title.push(' ');
                        title.push_str(value);
                    }
                    Some((r, _)) if *r < rank => {}
                    _ => self.title = Some((rank, Cow::Borrowed(value))),
                }
                self.current = Current::Title;
            }
            b"BT" => {
                self.book_title = Some(value);
                self.offer_venue(5, value);
            }
            b"T2" | b"JF" | b"JO" | b"JA" | b"J2" | b"T3" => {
                let rank = match &code {
                    b"T2" => 0,
                    b"JF" => 1,
                    b"JO" => 2,
                    b"JA" => 3,
                    b"J2" => 4,
                    _ => 6,
                };
                self.offer_venue(rank, value);
                self.current = Current::Venue;
            }
            b"AU" | b"A1" => self.authors.push((value, line)),
            // Editors (`ED`), secondary (editors of the book or proceedings), tertiary (series
            // editors) and subsidiary authors.
            b"ED" | b"A2" | b"A3" | b"A4" => self.editors.push((value, line)),
            b"PY" | b"Y1" | b"DA" | b"Y2" => {
                // RIS 2011: PY is the year and DA the date; Y1 is the deprecated older
                // name of the primary date, used when neither is there.
                let rank = match &code {
                    b"PY" => 0,
                    b"DA" => 1,
                    b"Y1" => 2,
                    _ => 3,
                };
                // A better-ranked tag wins, and so does a later one of the same rank when the
                // earlier holds no year (`PY  - 99`, then `PY  - 2001/09/01/`).
                let better = self.year.as_ref().is_none_or(|(r, held, _)| {
                    rank < *r || (rank == *r && find_year(held).is_none())
                });
                if better {
                    self.year = Some((rank, value, line));
                }
                if code == *b"DA" && value.contains('/') {
                    self.period = Some(value);
                }
            }
            b"VL" => self.volume = Some(value),
            b"IS" | b"CP" => {
                self.issue.get_or_insert(value);
            }
            b"SP" => self.start_page = Some(value),
            b"EP" => self.end_page = Some(value),
            b"PB" => self.publisher = Some(value),
            b"DO" => self.doi = Some((value, line)),
            b"UR" | b"L1" | b"L2" | b"L3" | b"L4" | b"LK" => self.urls.push(value),
            b"AB" => {
                // A second AB is another paragraph (EBSCO adds its copyright notice so).
                match &mut self.abstract_text {
                    Some(text) => {
                        let text = text.to_mut();
                        text.push('\n');
                        text.push_str(value);
                    }
                    None => self.abstract_text = Some(Cow::Borrowed(value)),
                }
                self.current = Current::Abstract;
            }
            b"N2" => {
                self.secondary_abstract = Some(Cow::Borrowed(value));
                self.current = Current::SecondaryAbstract;
            }
            b"KW" => {
                self.keywords.push(Cow::Borrowed(value));
                self.current = Current::Keyword;
            }
            b"N1" => {
                self.notes.push(Cow::Borrowed(value));
                self.current = Current::Note;
            }
            b"ID" => self.id = Some(value),
            b"AN" => self.accession = Some(value),
            // Affiliations, ISSN, language, database names, custom fields: not part of the
            // record model. They are not errors.
            _ => {}
        }
    }

    fn offer_venue(&mut self, rank: u8, value: &'a str) {
        if self.venue.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.venue = Some((rank, Cow::Borrowed(value)));
        }
    }

    /// An untagged line. Directly after a field it continues that field (a keyword line is
    /// another keyword); after a blank line only long texts continue (as a new paragraph).
    /// Anything else is kept in the notes with a warning, once per run of such lines.
    fn untagged(&mut self, text: &'a str, line: usize) {
        let after_blank = std::mem::take(&mut self.saw_blank);
        let long_text = matches!(
            self.current,
            Current::Abstract | Current::SecondaryAbstract | Current::Note | Current::Orphan
        );
        let target = if after_blank && !long_text {
            Current::Nothing
        } else {
            self.current
        };
        let separator = if after_blank { "\n" } else { " " };
        match target {
            Current::Title => append(self.title.as_mut().map(|(_, t)| t), " ", text),
            Current::Abstract => append(self.abstract_text.as_mut(), separator, text),
            Current::SecondaryAbstract => append(self.secondary_abstract.as_mut(), separator, text),
            Current::Venue => append(self.venue.as_mut().map(|(_, v)| v), " ", text),
            Current::Keyword => self.keywords.push(Cow::Borrowed(text)),
            Current::Note | Current::Orphan => append(self.notes.last_mut(), "\n", text),
            Current::Nothing | Current::Other => {
                self.notes.push(Cow::Borrowed(text));
                self.warn(
                    line,
                    "untagged",
                    format!("untagged line {text:?} kept in the notes"),
                );
                self.current = Current::Orphan;
            }
        }
    }

    fn finish(&mut self, parsed: &mut Parsed, ending: Option<String>) {
        if let Some(message) = ending {
            self.warn(self.line, "ER", message);
        }
        let key = self.id.or(self.accession).map(str::to_owned);
        let title = self
            .title
            .take()
            .map(|(_, title)| title)
            .or_else(|| self.book_title.map(Cow::Borrowed))
            .map(|title| crate::text::collapse_whitespace_cow(&title).into_owned())
            .unwrap_or_default();
        let mut record = Record::titled(title);
        record.kind = kind_for(self.kind);
        if self.title_is_book_title() {
            record.venue = None;
        } else {
            record.venue = self.venue.take().map(|(_, venue)| venue.into_owned());
        }
        record.authors.reserve_exact(self.authors.len());
        record.keywords.reserve_exact(self.keywords.len());
        for (name, line) in &self.authors {
            match parse_person(name) {
                Some(person) => record.authors.push(person),
                None => self.problems.push(warning(
                    *line,
                    "AU",
                    format!("author {name:?} has no name; left out"),
                )),
            }
        }
        for (name, line) in &self.editors {
            match parse_person(name) {
                Some(person) => record.editors.push(person),
                None => self.problems.push(warning(
                    *line,
                    "ED",
                    format!("editor {name:?} has no name; left out"),
                )),
            }
        }
        // RIS dates (`2001/09/01/`) are not intervals; an open-ended one (`2024-01/`) is
        // taken only from a GRANT, where a date is a period.
        record.period = self
            .period
            .and_then(|value| ecolens_core::Period::parse("DA", value).ok())
            .filter(|period| period.end.is_some() || record.kind == RecordKind::Project);
        // A `DA` read as a period gives no year: the year is the record's own (`PY`).
        let year = self
            .year
            .filter(|(rank, _, _)| !(*rank == 1 && record.period.is_some()));
        if let Some((_, value, line)) = year {
            match find_year(value) {
                Some(year) if ecolens_core::record::YEAR_RANGE.contains(&year) => {
                    record.year = Some(year);
                }
                _ => self.problems.push(warning(
                    line,
                    "PY",
                    format!("{value:?} holds no year; left out"),
                )),
            }
        }
        record.volume = self.volume.map(str::to_owned);
        record.issue = self.issue.map(str::to_owned);
        record.pages = match (self.start_page, self.end_page) {
            (Some(start), Some(end)) if start != end => {
                let mut pages = String::with_capacity(start.len() + end.len() + 1);
                pages.push_str(start);
                pages.push('-');
                pages.push_str(end);
                Some(pages)
            }
            (Some(start), _) => Some(start.to_owned()),
            (None, Some(end)) => Some(end.to_owned()),
            (None, None) => None,
        };
        record.publisher = self.publisher.map(str::to_owned);
        // `AN  - PMID:31234567` (ecolens, Zotero) or a bare number (PubMed) is a PubMed id.
        if let Some(accession) = self.accession {
            let number = accession
                .strip_prefix("PMID:")
                .or_else(|| accession.strip_prefix("PMID"))
                .unwrap_or(accession)
                .trim();
            if !number.is_empty() && number.len() <= 9 && number.bytes().all(|b| b.is_ascii_digit())
            {
                record.pmid = Pmid::parse("AN", number).ok();
            }
        }
        if let Some((value, line)) = self.doi {
            match Doi::parse("DO", value) {
                Ok(doi) => record.doi = Some(doi),
                Err(error) => self.problems.push(warning(
                    line,
                    "DO",
                    format!("{}; left out", crate::text::value_problem(&error)),
                )),
            }
        }
        for url in &self.urls {
            // A DOI in a link, or a bare DOI where a link goes (EBSCO writes it in `L3`).
            let doi = doi_in_url(url).or_else(|| url.starts_with("10.").then(|| (*url).to_owned()));
            if record.doi.is_none()
                && let Some(doi) = doi.and_then(|d| Doi::parse("UR", &d).ok())
            {
                record.doi = Some(doi);
            }
            if record.arxiv.is_none() && url.contains("arxiv.org/") {
                record.arxiv = ArxivId::parse("UR", url).ok();
            }
        }
        record.url = self
            .urls
            .iter()
            .find(|url| url.starts_with("http://") || url.starts_with("https://"))
            .map(|url| (*url).to_owned());
        record.abstract_text = self
            .abstract_text
            .take()
            .or_else(|| self.secondary_abstract.take())
            .map(Cow::into_owned)
            .filter(|text| !text.trim().is_empty());
        // One keyword per `KW`, or several separated by `;` (Scopus); commas belong to the
        // keyword ("Evolution, Molecular").
        for keyword in &self.keywords {
            for part in keyword.split(';') {
                push_keyword(part, &mut record.keywords);
            }
        }
        if !self.notes.is_empty() {
            let notes: Vec<&str> = self.notes.iter().map(AsRef::as_ref).collect();
            record.notes = Some(notes.join("\n"));
        }
        if record.arxiv.is_none()
            && let Some(notes) = &record.notes
        {
            record.arxiv = notes.lines().find_map(|line| {
                line.trim()
                    .strip_prefix("arXiv:")
                    .and_then(|id| ArxivId::parse("N1", id).ok())
            });
        }
        for mut problem in self.problems.drain(..) {
            problem.key.clone_from(&key);
            parsed.problems.push(problem);
        }
        parsed.push_validated(record, self.line, key, Vec::new(), "TI");
    }

    /// For books the `BT` tag is the title itself, not a venue.
    fn title_is_book_title(&self) -> bool {
        self.venue.as_ref().is_some_and(|(rank, _)| *rank == 5) && self.title.is_none()
    }
}

fn append(target: Option<&mut Cow<'_, str>>, separator: &str, text: &str) {
    if let Some(target) = target {
        let owned = target.to_mut();
        owned.push_str(separator);
        owned.push_str(text);
    }
}

fn warning(line: usize, field: &str, message: String) -> Problem {
    Problem {
        line,
        key: None,
        field: Some(field.to_owned()),
        message,
        severity: Severity::Warning,
    }
}

/// The record kind for a RIS `TY` code.
pub fn kind_for(ty: &str) -> RecordKind {
    let ty = ty.trim();
    // Exports write the codes in capitals; only others need a copy to compare.
    let upper;
    let code = if ty.bytes().all(|b| !b.is_ascii_lowercase()) {
        ty
    } else {
        upper = ty.to_ascii_uppercase();
        upper.as_str()
    };
    match code {
        "JOUR" | "JFULL" | "ABST" | "INPR" | "MGZN" | "NEWS" | "EJOUR" => {
            RecordKind::JournalArticle
        }
        "CONF" | "CPAPER" => RecordKind::ConferencePaper,
        "UNPB" | "MANSCPT" => RecordKind::Preprint,
        "BOOK" | "EBOOK" | "EDBOOK" => RecordKind::Book,
        "CHAP" | "ECHAP" => RecordKind::BookChapter,
        "RPRT" | "GOVDOC" => RecordKind::Report,
        "THES" => RecordKind::Thesis,
        "STAND" => RecordKind::Standard,
        "DATA" | "DBASE" => RecordKind::Dataset,
        "COMP" => RecordKind::Software,
        "ELEC" | "WEB" | "BLOG" => RecordKind::WebPage,
        "GRANT" => RecordKind::Project,
        _ => RecordKind::Other,
    }
}

/// The RIS `TY` code written for a record kind.
pub fn ty_for(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::JournalArticle => "JOUR",
        RecordKind::ConferencePaper => "CPAPER",
        RecordKind::Preprint => "UNPB",
        RecordKind::Book => "BOOK",
        RecordKind::BookChapter => "CHAP",
        RecordKind::Report => "RPRT",
        RecordKind::Thesis => "THES",
        RecordKind::Standard => "STAND",
        RecordKind::Dataset => "DATA",
        RecordKind::Software => "COMP",
        RecordKind::WebPage => "ELEC",
        RecordKind::Project => "GRANT",
        RecordKind::Other => "GEN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_recognised_leniently() {
        assert_eq!(tag_and_value("TY  - JOUR"), Some(("TY", "JOUR")));
        assert_eq!(tag_and_value("ER  -"), Some(("ER", "")));
        assert_eq!(tag_and_value("ER  - "), Some(("ER", "")));
        assert_eq!(tag_and_value("A1 - Smith, J."), Some(("A1", "Smith, J.")));
        assert_eq!(tag_and_value("Export Date: 12 May 2022"), None);
        assert_eq!(tag_and_value("AB  -no space"), None);
        assert_eq!(tag_and_value("   indented continuation"), None);
    }

    #[test]
    fn dialect_edge_cases_in_one_file() {
        let text = "\u{1}preamble line\r\nTY  - JOUR\r\nT1  - A title\r\nAU  - Černý, J.\rA1  - van Acker, B.\n\
                    DO  - 10.1038/s41467-024-48400-3     LK  - https://example.org/link\n\
                    AB  - First part\n   continued\n\nsecond paragraph\nKW  - energy\nmachine learning\n\
                    PY  - 10 15\nU3  - Cited By :9\n\nExport Date: 12 May 2022\n\nArticle\nER  - \n\
                    TY  - BOOK\nBT  - A whole book\nER  -\nTY  - JOUR\nAU  - Untitled, A.\nTY  - JOUR\nTI  - Last\n";
        let parsed = parse(text);
        let titles: Vec<_> = parsed
            .records
            .iter()
            .map(|r| r.record.title.as_str())
            .collect();
        assert_eq!(titles, ["A title", "A whole book", "", "Last"]);
        let first = &parsed.records[0].record;
        assert_eq!(first.authors.len(), 2);
        assert_eq!(first.authors[1].family, "van Acker");
        assert_eq!(
            first.doi.as_ref().map(Doi::as_str),
            Some("10.1038/s41467-024-48400-3")
        );
        assert_eq!(first.url.as_deref(), Some("https://example.org/link"));
        assert_eq!(
            first.abstract_text.as_deref(),
            Some("First part continued\nsecond paragraph")
        );
        assert_eq!(first.keywords, ["energy", "machine learning"]);
        assert_eq!(first.year, None);
        assert_eq!(
            first.notes.as_deref(),
            Some("Export Date: 12 May 2022\nArticle")
        );
        assert_eq!(parsed.records[1].record.kind, RecordKind::Book);
        assert_eq!(parsed.records[1].record.venue, None);

        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        let expect = [
            "line 13 PY: \"10 15\" holds no year; left out",
            "line 16 untagged: untagged line \"Export Date: 12 May 2022\" kept in the notes",
            "line 23 ER: no ER line before the next TY at line 25; the record ends there (it started at line 23)",
            "line 23 TI: no title: the record is kept untitled; `NOT has:title` finds such records, and Edit gives them a title",
            "line 25 ER: no ER line at the end of the file",
            "line 1: 1 untagged line(s) outside any record were ignored",
        ];
        for expected in expect {
            assert!(
                problems.iter().any(|p| p == expected),
                "missing {expected:?} in {problems:#?}"
            );
        }
        assert_eq!(parsed.rejected(), 0);
        assert_eq!(parsed.records[2].record.authors[0].family, "Untitled");
    }
}
