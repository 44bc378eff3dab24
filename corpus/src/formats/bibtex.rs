//! BibTeX and BibLaTeX: `@string` macros (and the month names), `#` concatenation, values in
//! braces (nested) or quotes or bare numbers, `@comment` and `@preamble` blocks, `crossref`
//! inheritance, BibLaTeX's `journaltitle`, `date` and `eprint`, LaTeX accents and escapes
//! turned into Unicode.
//!
//! An entry that cannot be read (unbalanced braces, a missing `=`) is rejected with its line,
//! and reading resumes at the next line that starts an entry; the rest of the file goes on.

use std::borrow::Cow;
use std::collections::HashMap;

use ecolens_core::{ArxivId, Doi, Person, Pmid, Record, RecordKind};

use crate::latex::to_unicode;
use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{find_year, parse_person, split_keywords, value_problem};

/// Format name used in provenance.
pub const FORMAT: &str = "bibtex";

/// An entry as written in the file, before conversion. Values borrow from the text unless
/// they were built (macros, `#` concatenation).
#[derive(Debug, Clone)]
struct RawEntry<'a> {
    kind: String,
    key: &'a str,
    fields: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    line: usize,
}

impl RawEntry<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }
}

/// Reads BibTeX text.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    parse_into(text, 1, &mut parsed);
    parsed
}

/// Reads BibTeX text whose first line is `first_line` of its file, adding to `parsed`.
/// `crossref` parents are looked up within this text.
pub fn parse_into(text: &str, first_line: usize, parsed: &mut Parsed) {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        position: 0,
        line: first_line,
        macros: month_macros(),
    };
    let mut entries = Vec::new();
    while let Some(start) = scanner.next_entry_start() {
        match scanner.entry(start) {
            Ok(Some(entry)) => entries.push(entry),
            Ok(None) => {}
            Err((line, message)) => {
                parsed.problems.push(Problem {
                    line,
                    key: None,
                    field: None,
                    message,
                    severity: Severity::Rejected,
                });
                // Resume at the next entry: if the failure was noticed at an entry that starts
                // a line, read that entry; otherwise skip the rest of this line.
                if !(scanner.peek() == Some(b'@') && scanner.at_line_start()) {
                    scanner.skip_to_next_line();
                }
            }
        }
    }
    if entries.iter().any(|entry| entry.get("crossref").is_some()) {
        resolve_crossrefs(&mut entries, parsed);
    }
    // BibLaTeX's `@set` and `@xdata` group or feed other entries; they are no publications.
    for entry in entries
        .iter()
        .filter(|e| !matches!(e.kind.as_str(), "set" | "xdata"))
    {
        convert(entry, parsed);
    }
}

/// Months are predefined macros in BibTeX.
fn month_macros() -> HashMap<String, String> {
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .enumerate()
    .map(|(index, name)| ((*name).to_owned(), (index + 1).to_string()))
    .collect()
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    position: usize,
    line: usize,
    macros: HashMap<String, String>,
}

type Failure = (usize, String);

/// Bytes allowed in identifiers (entry types, keys, field and macro names); bytes of
/// multi-byte characters are allowed too, so keys like `Müller2020` work.
fn identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"_-:.+/'".contains(&b)
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.position += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Some(b)
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }

    /// Moves to the next `@` that starts a line (after white space); returns its line.
    fn next_entry_start(&mut self) -> Option<usize> {
        loop {
            let offset = memchr::memchr(b'@', &self.bytes[self.position..])?;
            let at = self.position + offset;
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.position..at]).count();
            self.position = at;
            if self.at_line_start() {
                return Some(self.line);
            }
            self.position += 1;
        }
    }

    fn at_line_start(&self) -> bool {
        self.bytes[..self.position]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .is_none_or(|b| *b == b'\n')
    }

    fn skip_to_next_line(&mut self) {
        while let Some(b) = self.bump() {
            if b == b'\n' {
                break;
            }
        }
    }

    fn identifier(&mut self) -> &'a str {
        let start = self.position;
        while self.peek().is_some_and(identifier_byte) {
            self.position += 1;
        }
        &self.text[start..self.position]
    }

    fn expect(&mut self, wanted: u8, what: &str) -> Result<(), Failure> {
        self.skip_whitespace();
        match self.peek() {
            Some(b) if b == wanted => {
                self.bump();
                Ok(())
            }
            Some(_) => Err((
                self.line,
                format!("expected {what}, found {:?}", self.current_char()),
            )),
            None => Err((
                self.line,
                format!("expected {what}, found the end of the file"),
            )),
        }
    }

    fn current_char(&self) -> char {
        self.text[self.position..].chars().next().unwrap_or(' ')
    }

    /// Reads the entry at `@`. `Ok(None)` for `@string`, `@comment`, `@preamble`.
    fn entry(&mut self, line: usize) -> Result<Option<RawEntry<'a>>, Failure> {
        self.bump(); // '@'
        let kind = self.identifier().to_ascii_lowercase();
        if kind.is_empty() {
            return Err((line, "'@' not followed by an entry type".into()));
        }
        self.skip_whitespace();
        let close = match self.peek() {
            Some(b'{') => b'}',
            Some(b'(') => b')',
            // `@comment free text`: BibTeX ignores the line, and so does ecolens.
            _ if kind == "comment" => {
                self.skip_to_next_line();
                return Ok(None);
            }
            _ => return Err((line, format!("@{kind} not followed by '{{' or '('"))),
        };
        let close_char = char::from(close);
        self.bump();
        match kind.as_str() {
            "comment" => {
                self.skip_group(close, line)?;
                return Ok(None);
            }
            "preamble" => {
                self.skip_whitespace();
                self.value(line)?;
                self.expect(close, &format!("'{close_char}' closing @preamble"))?;
                return Ok(None);
            }
            "string" => {
                self.skip_whitespace();
                let name = self.identifier().to_ascii_lowercase();
                self.expect(b'=', "'=' in @string")?;
                let value = self.value(line)?.into_owned();
                self.skip_whitespace();
                if self.peek() == Some(b',') {
                    self.bump();
                }
                self.expect(close, &format!("'{close_char}' closing @string"))?;
                self.macros.insert(name, value);
                return Ok(None);
            }
            _ => {}
        }
        self.skip_whitespace();
        let (key_start, key_line) = (self.position, self.line);
        while let Some(b) = self.peek() {
            if b == b',' || b == close || b == b'=' || b.is_ascii_whitespace() {
                break;
            }
            self.position += 1;
        }
        let mut key = &self.text[key_start..self.position];
        self.skip_whitespace();
        let mut fields = Vec::with_capacity(12);
        if self.peek() == Some(b'=') {
            // No key: what was read is the first field's name (EndNote writes `@article{`
            // then the fields). Read it again as a field.
            self.position = key_start;
            self.line = key_line;
            key = "";
        } else {
            match self.peek() {
                Some(b',') => {
                    self.bump();
                }
                Some(b) if b == close => {
                    self.bump();
                    return Ok(Some(RawEntry {
                        kind,
                        key,
                        fields,
                        line,
                    }));
                }
                _ => {
                    return Err((
                        self.line,
                        format!("@{kind}{{{key}: expected ',' after the key"),
                    ));
                }
            }
        }
        loop {
            self.skip_whitespace();
            // A stray comma between fields (`title = {x},  , number = {2}`) is nothing.
            while self.peek() == Some(b',') {
                self.bump();
                self.skip_whitespace();
            }
            match self.peek() {
                Some(b) if b == close => {
                    self.bump();
                    break;
                }
                None => {
                    return Err((
                        line,
                        format!(
                            "@{kind}{{{key}: the entry is not closed before the end of the file"
                        ),
                    ));
                }
                _ => {}
            }
            if self.peek() == Some(b'@') && self.at_line_start() {
                return Err((
                    line,
                    format!(
                        "@{kind}{{{key}: not closed before the entry at line {}",
                        self.line
                    ),
                ));
            }
            let name = self.identifier();
            if name.is_empty() {
                let found = self.current_char();
                return Err((
                    self.line,
                    format!("@{kind}{{{key}: expected a field name, found {found:?}"),
                ));
            }
            let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                Cow::Borrowed(name)
            };
            self.expect(b'=', &format!("'=' after field {name}"))?;
            let value = self.value(line)?;
            fields.push((name, value));
            self.skip_whitespace();
            if self.peek() == Some(b'@') && self.at_line_start() {
                return Err((
                    line,
                    format!(
                        "@{kind}{{{key}: not closed before the entry at line {}",
                        self.line
                    ),
                ));
            }
            match self.peek() {
                Some(b',') => {
                    self.bump();
                }
                Some(b) if b == close => {}
                Some(_) => {
                    let found = self.current_char();
                    return Err((
                        self.line,
                        format!(
                            "@{kind}{{{key}: expected ',' or '{close_char}' after a field value, found {found:?}"
                        ),
                    ));
                }
                None => {
                    return Err((
                        line,
                        format!(
                            "@{kind}{{{key}: the entry is not closed before the end of the file"
                        ),
                    ));
                }
            }
        }
        Ok(Some(RawEntry {
            kind,
            key,
            fields,
            line,
        }))
    }

    /// A value: parts joined by `#`, each `{…}`, `"…"`, a number or a macro name.
    fn value(&mut self, entry_line: usize) -> Result<Cow<'a, str>, Failure> {
        let mut value: Option<Cow<'a, str>> = None;
        loop {
            self.skip_whitespace();
            let part: Cow<'a, str> = match self.peek() {
                Some(b'{') => {
                    self.bump();
                    Cow::Borrowed(self.braced(entry_line)?)
                }
                Some(b'"') => {
                    self.bump();
                    Cow::Borrowed(self.quoted(entry_line)?)
                }
                Some(b) if b.is_ascii_digit() => {
                    let start = self.position;
                    while self.peek().is_some_and(|d| d.is_ascii_alphanumeric()) {
                        self.position += 1;
                    }
                    Cow::Borrowed(&self.text[start..self.position])
                }
                Some(b) if b.is_ascii_alphabetic() => {
                    let name = self.identifier();
                    match self.macros.get(&name.to_ascii_lowercase()) {
                        Some(expansion) => Cow::Owned(expansion.clone()),
                        None => Cow::Borrowed(name),
                    }
                }
                Some(_) => {
                    let found = self.current_char();
                    return Err((self.line, format!("expected a value, found {found:?}")));
                }
                None => {
                    return Err((
                        entry_line,
                        "expected a value, found the end of the file".into(),
                    ));
                }
            };
            value = Some(match value {
                None => part,
                Some(previous) => Cow::Owned(previous.into_owned() + &part),
            });
            self.skip_whitespace();
            if self.peek() == Some(b'#') {
                self.bump();
            } else {
                return Ok(value.unwrap_or_default());
            }
        }
    }

    /// The content of a braced value, inner braces kept, up to the matching brace.
    fn braced(&mut self, entry_line: usize) -> Result<&'a str, Failure> {
        let start_line = self.line;
        let start = self.position;
        let mut depth = 1usize;
        // Where the next line break is: found again only once passed, so that a value with
        // many braces and no line break is read in linear time.
        let mut next_newline = self.position;
        loop {
            if next_newline < self.position
                || (next_newline == self.position && self.bytes.get(next_newline) != Some(&b'\n'))
            {
                next_newline = memchr::memchr(b'\n', &self.bytes[self.position..])
                    .map_or(self.bytes.len(), |offset| self.position + offset);
            }
            // Jump to the next byte that matters; plain text in between is skipped in bulk.
            let rest = &self.bytes[self.position..];
            let skip = memchr::memchr3(b'{', b'}', b'\\', rest)
                .map_or(rest.len(), |offset| offset)
                .min(next_newline - self.position);
            self.position += skip;
            let Some(b) = self.bump() else { break };
            match b {
                b'\\' => {
                    self.bump();
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(&self.text[start..self.position - 1]);
                    }
                }
                b'\n' => {
                    // An entry starting inside a value means the braces are unbalanced.
                    let mut look = self.position;
                    while matches!(self.bytes.get(look), Some(b' ' | b'\t' | b'\r')) {
                        look += 1;
                    }
                    if self.bytes.get(look) == Some(&b'@')
                        && looks_like_entry_start(&self.text[look + 1..])
                    {
                        return Err((
                            entry_line,
                            format!(
                                "unbalanced braces in the value opened at line {start_line}: a new entry starts at line {} inside it",
                                self.line
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        Err((
            entry_line,
            format!("unbalanced braces: the value opened at line {start_line} is never closed"),
        ))
    }

    fn quoted(&mut self, entry_line: usize) -> Result<&'a str, Failure> {
        let start_line = self.line;
        let start = self.position;
        let mut depth = 0usize;
        while let Some(b) = self.bump() {
            match b {
                b'\\' => {
                    self.bump();
                }
                b'{' => depth += 1,
                b'}' => depth = depth.saturating_sub(1),
                b'"' if depth == 0 => return Ok(&self.text[start..self.position - 1]),
                _ => {}
            }
        }
        Err((
            entry_line,
            format!("the quoted value opened at line {start_line} is never closed"),
        ))
    }

    fn skip_group(&mut self, close: u8, line: usize) -> Result<(), Failure> {
        let open = if close == b'}' { b'{' } else { b'(' };
        let mut depth = 1usize;
        while let Some(b) = self.bump() {
            if b == open {
                depth += 1;
            } else if b == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
        }
        Err((
            line,
            "@comment is not closed before the end of the file".into(),
        ))
    }
}

/// `type{` or `type(` at the start of `rest` (just after an `@`).
fn looks_like_entry_start(rest: &str) -> bool {
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    name_end > 0 && rest[name_end..].trim_start().starts_with(['{', '('])
}

/// Fills missing fields of entries with a `crossref` from the entry they refer to; the
/// parent's `title` becomes the child's `booktitle`.
fn resolve_crossrefs(entries: &mut [RawEntry<'_>], parsed: &mut Parsed) {
    let parents: HashMap<String, RawEntry<'_>> = entries
        .iter()
        .filter(|entry| !entry.key.is_empty())
        .map(|entry| (entry.key.to_lowercase(), entry.clone()))
        .collect();
    for entry in entries.iter_mut() {
        let Some(reference) = entry.get("crossref").map(str::to_lowercase) else {
            continue;
        };
        let Some(parent) = parents.get(&reference) else {
            parsed.problems.push(Problem {
                line: entry.line,
                key: Some(entry.key.to_owned()),
                field: Some("crossref".into()),
                message: format!(
                    "crossref to {reference:?}, which is not in the file; nothing inherited"
                ),
                severity: Severity::Warning,
            });
            continue;
        };
        for (name, value) in &parent.fields {
            let target = if name == "title" {
                "booktitle"
            } else {
                name.as_ref()
            };
            if target != "crossref" && entry.get(target).is_none() {
                entry
                    .fields
                    .push((Cow::Owned(target.to_owned()), value.clone()));
            }
        }
    }
}

fn convert(entry: &RawEntry<'_>, parsed: &mut Parsed) {
    let key = (!entry.key.is_empty()).then(|| entry.key.to_owned());
    let line = entry.line;
    let mut problems = Vec::new();
    let mut warn = |field: &str, message: String| {
        problems.push(Problem {
            line,
            key: key.clone(),
            field: Some(field.to_owned()),
            message,
            severity: Severity::Warning,
        });
    };
    let text = |name: &str| entry.get(name).map(to_unicode).filter(|v| !v.is_empty());
    // BibLaTeX splits a title from its subtitle; the record holds them as one, as Zotero does.
    let title = match (text("title"), text("subtitle")) {
        (Some(title), Some(subtitle)) => format!("{title}: {subtitle}"),
        (title, _) => title.unwrap_or_default(),
    };
    let mut record = Record::titled(title);
    let eprint_type = text("eprinttype")
        .or_else(|| text("archiveprefix"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if let Some(eprint) = text("eprint")
        && (eprint_type.is_empty() || eprint_type == "arxiv")
    {
        match ArxivId::parse("eprint", &eprint) {
            Ok(id) => record.arxiv = Some(id),
            Err(error) if eprint_type == "arxiv" => {
                warn("eprint", format!("{}; left out", value_problem(&error)));
            }
            Err(_) => {}
        }
    }
    // `@misc` with an arXiv `eprint` is a preprint (arXiv's own export), unless ecolens wrote
    // `entrysubtype = {other}` to say it is not.
    let subtype = text("entrysubtype");
    let marked_other = subtype
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("other"));
    record.kind = kind_for(&entry.kind, record.arxiv.is_some() && !marked_other);
    // BibLaTeX has no entry type for a project or grant: ecolens writes `@misc` with
    // `entrysubtype = {project}`.
    if record.kind == RecordKind::Other
        && subtype
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("project"))
    {
        record.kind = RecordKind::Project;
    }
    if let Some(authors) = entry.get("author") {
        record.authors = people(authors);
    }
    if let Some(editors) = entry.get("editor") {
        record.editors = people(editors);
    }
    // A BibLaTeX date range (`2025-10/2029-09`, `2024/` open-ended) is a period.
    if let Some(date) = text("date").filter(|d| d.contains('/')) {
        match ecolens_core::Period::parse("date", &date) {
            Ok(period) => record.period = Some(period),
            Err(error) => warn("date", format!("{}; left out", value_problem(&error))),
        }
    }
    // A date range is a period, not the year of the entry.
    let year_source = text("year").or_else(|| text("date").filter(|_| record.period.is_none()));
    if let Some(year) = year_source {
        match find_year(&year) {
            Some(found) if ecolens_core::record::YEAR_RANGE.contains(&found) => {
                record.year = Some(found);
            }
            _ => warn("year", format!("{year:?} holds no year; left out")),
        }
    }
    record.venue = [
        "journaltitle",
        "journal",
        "booktitle",
        "series",
        "school",
        "institution",
        "organization",
        "howpublished",
    ]
    .iter()
    .find_map(|name| text(name));
    record.volume = text("volume");
    record.issue = text("number").or_else(|| text("issue"));
    record.pages = entry
        .get("pages")
        .map(|pages| to_unicode(&pages.replace("--", "-")).replace('–', "-"));
    record.publisher = text("publisher");
    if let Some(doi) = text("doi") {
        match Doi::parse("doi", &doi) {
            Ok(doi) => record.doi = Some(doi),
            Err(error) => warn("doi", format!("{}; left out", value_problem(&error))),
        }
    }
    if let Some(url) = entry.get("url").map(str::trim).filter(|u| !u.is_empty()) {
        if url.starts_with("http://") || url.starts_with("https://") {
            record.url = Some(url.to_owned());
        } else {
            warn(
                "url",
                format!("{url:?} is not an http(s) address; left out"),
            );
        }
    }
    if let Some(pmid) = text("pmid") {
        match Pmid::parse("pmid", &pmid) {
            Ok(pmid) => record.pmid = Some(pmid),
            Err(error) => warn("pmid", format!("{}; left out", value_problem(&error))),
        }
    }
    // Long texts keep their paragraphs (blank lines, as in LaTeX).
    let paragraphs = |name: &str| {
        entry
            .get(name)
            .map(to_unicode_paragraphs)
            .filter(|v| !v.is_empty())
    };
    record.abstract_text = paragraphs("abstract");
    if let Some(keywords) = text("keywords").or_else(|| text("keyword")) {
        split_keywords(&keywords, &mut record.keywords);
    }
    record.notes = paragraphs("note").or_else(|| paragraphs("annote"));
    parsed.problems.extend(problems);
    parsed.push_validated(record, line, key, Vec::new(), "title");
}

/// [`to_unicode`] per paragraph (paragraphs are separated by blank lines), joined with line
/// breaks.
/// Names joined by `and`, LaTeX turned into text; a braced name is one organisation.
fn people(value: &str) -> Vec<Person> {
    split_names(value)
        .into_iter()
        .filter_map(|name| {
            let trimmed = name.trim();
            if trimmed.starts_with('{')
                && trimmed.ends_with('}')
                && crate::latex::to_unicode(trimmed).split(',').count() == 1
            {
                // A braced name is one unit: an organisation.
                return Some(Person::organisation(to_unicode(trimmed)));
            }
            parse_person(&to_unicode(trimmed))
        })
        .collect()
}

fn to_unicode_paragraphs(value: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in value.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(to_unicode(&current));
                current.clear();
            }
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(to_unicode(&current));
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs.join("\n")
}

/// Splits an author list on " and " at brace depth 0 (so `{Smith and Sons}` stays whole).
fn split_names(value: &str) -> Vec<&str> {
    let bytes = value.as_bytes();
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => {
                // The whole run of blanks at once: looking past each blank of a long run
                // again would take quadratic time.
                let run_end = bytes[index..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map_or(bytes.len(), |offset| index + offset);
                // Bytes, not `str` slices: the name may continue with a multi-byte letter.
                let after = &bytes[run_end..];
                if after.len() > 4
                    && after[..3].eq_ignore_ascii_case(b"and")
                    && after[3].is_ascii_whitespace()
                {
                    names.push(&value[start..index]);
                    index = run_end + 3;
                    start = index;
                    continue;
                }
                index = run_end;
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    names.push(&value[start..]);
    names.retain(|name| !name.trim().is_empty() && !name.trim().eq_ignore_ascii_case("others"));
    names
}

fn kind_for(entry_type: &str, has_arxiv: bool) -> RecordKind {
    match entry_type {
        "article" | "periodical" | "suppperiodical" => RecordKind::JournalArticle,
        "inproceedings" | "conference" | "proceedings" | "mvproceedings" => {
            RecordKind::ConferencePaper
        }
        "book" | "mvbook" | "booklet" | "collection" | "mvcollection" => RecordKind::Book,
        "incollection" | "inbook" | "inreference" | "bookinbook" => RecordKind::BookChapter,
        "techreport" | "report" => RecordKind::Report,
        "phdthesis" | "mastersthesis" | "thesis" => RecordKind::Thesis,
        "unpublished" | "preprint" => RecordKind::Preprint,
        "online" | "electronic" | "www" => RecordKind::WebPage,
        "dataset" => RecordKind::Dataset,
        "software" => RecordKind::Software,
        "standard" => RecordKind::Standard,
        _ if has_arxiv => RecordKind::Preprint,
        _ => RecordKind::Other,
    }
}

/// The entry type written for a record kind.
pub fn entry_type_for(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::JournalArticle => "article",
        RecordKind::ConferencePaper => "inproceedings",
        RecordKind::Book => "book",
        RecordKind::BookChapter => "incollection",
        RecordKind::Report => "techreport",
        RecordKind::Thesis => "phdthesis",
        RecordKind::Preprint => "unpublished",
        RecordKind::WebPage => "online",
        RecordKind::Dataset => "dataset",
        RecordKind::Software => "software",
        RecordKind::Standard => "standard",
        RecordKind::Project | RecordKind::Other => "misc",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_concatenation_braces_crossref_and_latex() {
        let text = r#"% a comment line
@STRING{acm = {ACM}}
@string(conf = "Proceedings of the " # acm # " Conference")
@Comment{jabref-meta: databaseType:biblatex;}
@preamble{"\newcommand{\noop}[1]{}"}

@InProceedings{Lefevre2023,
  author    = {Lef{\`e}vre, Laurent and {\O}stergaard, J. and {Green Software Foundation}},
  title     = {{Environmental} assessment of {AI}: \emph{a} case},
  crossref  = {proc2023},
  pages     = {1--10},
  month     = jun,
}
@Proceedings{proc2023,
  title     = conf,
  year      = 2023,
  publisher = {ACM},
}
@article{broken,
  title = {Unbalanced {brace},
  year = {2020}
}
@Article{Verwilghen+vanGalen+Wilke2011,
  author       = {D. Verwilghen and V. Busoni and G. van Galen and M. Wilke},
  date         = {2011-12},
  journaltitle = {Veterinary Record},
  title        = {Investigation of the best suture pattern to close a stuffed Christmas turkey},
  doi          = {10.1136/vr.d6221},
  eprint       = {1234.56789}, eprinttype = {arxiv},
}
@misc{nodoi, title = "Quoted {title} with {"}escape{"}", doi = {not a doi}, year = {circa}}
"#;
        let parsed = parse(text);
        let keys: Vec<_> = parsed
            .records
            .iter()
            .map(|r| r.original_key.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            keys,
            [
                "Lefevre2023",
                "proc2023",
                "Verwilghen+vanGalen+Wilke2011",
                "nodoi"
            ]
        );

        let lefevre = &parsed.records[0].record;
        assert_eq!(lefevre.title, "Environmental assessment of AI: a case");
        assert_eq!(lefevre.kind, RecordKind::ConferencePaper);
        assert_eq!(
            lefevre.venue.as_deref(),
            Some("Proceedings of the ACM Conference")
        );
        assert_eq!(lefevre.year, Some(2023));
        assert_eq!(lefevre.pages.as_deref(), Some("1-10"));
        assert_eq!(lefevre.publisher.as_deref(), Some("ACM"));
        assert_eq!(
            lefevre.authors,
            vec![
                Person::new("Lefèvre", "Laurent"),
                Person::new("Østergaard", "J."),
                Person::organisation("Green Software Foundation")
            ]
        );
        let turkey = &parsed.records[2].record;
        assert_eq!(turkey.year, Some(2011));
        assert_eq!(turkey.venue.as_deref(), Some("Veterinary Record"));
        assert_eq!(turkey.authors[2], Person::new("van Galen", "G."));
        assert_eq!(
            turkey.arxiv.as_ref().map(ArxivId::as_str),
            Some("1234.56789")
        );
        assert_eq!(
            parsed.records[3].record.title,
            "Quoted title with \"escape\""
        );

        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "line 19: @article{broken: not closed before the entry at line 23 — record rejected",
                "line 31 (nodoi) year: \"circa\" holds no year; left out",
                "line 31 (nodoi) doi: \"not a doi\" is not valid: expected a DOI without spaces, e.g. 10.3390/su14095172; left out",
            ]
        );
    }

    #[test]
    fn names_split_at_depth_zero() {
        assert_eq!(
            split_names("A and {B and C} AND D and others"),
            ["A", " {B and C}", " D"]
        );
        assert_eq!(split_names("Anderson, K."), ["Anderson, K."]);
    }
}
