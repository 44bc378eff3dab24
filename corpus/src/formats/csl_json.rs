//! CSL-JSON (Citation Style Language JSON), as exported by Zotero, Mendeley, `pandoc-citeproc`
//! and Crossref's content negotiation.
//!
//! The top-level array is split into items by a small scanner before each item is parsed, so one
//! malformed item costs one rejected record (with its line) and the rest of the file goes on.
//! Values CSL allows in several shapes (numbers or strings, date parts or raw dates, one or many
//! container titles) are all accepted. arXiv ids are taken from `number` (`arXiv:2110.11822`),
//! from `arXiv:` lines of `note` (Zotero's "Extra" field) and from arXiv DOIs (`10.48550/…`).

use ecolens_core::record::YEAR_RANGE;
use ecolens_core::{ArxivId, Doi, Person, Pmid, Record, RecordKind};
use serde_json::{Map, Value};

use crate::parsed::{Parsed, Problem, Severity};

/// Format name used in provenance.
pub const FORMAT: &str = "csl-json";

/// `true` when the text looks like CSL-JSON: a JSON array of objects (or one object) with a
/// `type` and a `title` or `id` field near the start.
pub fn sniff(text: &str) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let starts_like_json = trimmed.starts_with('[') || trimmed.starts_with('{');
    let head: String = trimmed.chars().take(4000).collect();
    starts_like_json
        && head.contains("\"type\"")
        && (head.contains("\"title\"") || head.contains("\"id\""))
}

/// Reads CSL-JSON text. Never fails as a whole: syntax errors reject the item they are in.
pub fn parse(text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parsed = Parsed::default();
    let items = match split_items(text) {
        Ok(items) => items,
        Err((offset, message)) => {
            parsed.problems.push(Problem {
                line: line_of(text, offset),
                key: None,
                field: None,
                message,
                // Nothing could be split into items: the file as a whole is not read.
                severity: Severity::FileNotRead,
            });
            return parsed;
        }
    };
    let mut lines = crate::text::LineCounter::new(text);
    for (start, end) in items {
        let line = lines.at(start);
        let slice = &text[start..end];
        match serde_json::from_str::<Value>(slice) {
            Ok(Value::Object(object)) => read_item(&object, line, &mut parsed),
            Ok(other) => parsed.problems.push(Problem {
                line,
                key: None,
                field: None,
                message: format!(
                    "expected an object for each item, found {}",
                    kind_of(&other)
                ),
                severity: Severity::Rejected,
            }),
            Err(error) => parsed.problems.push(Problem {
                line: line + error.line().saturating_sub(1),
                key: None,
                field: None,
                message: format!("not valid JSON: {error}"),
                severity: Severity::Rejected,
            }),
        }
    }
    parsed
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Byte ranges of the top-level items: the elements of the top-level array, or the one
/// top-level object. Tracks strings and nesting; does not validate the JSON inside items.
fn split_items(text: &str) -> Result<Vec<(usize, usize)>, (usize, String)> {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(Vec::new());
    };
    match bytes[first] {
        b'{' => return Ok(vec![(first, text.trim_end().len())]),
        b'[' => {}
        _ => {
            return Err((
                first,
                "expected a JSON array of CSL items (or one item object)".into(),
            ));
        }
    }
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut item_start: Option<usize> = None;
    for (offset, &byte) in bytes.iter().enumerate().skip(first + 1) {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                item_start.get_or_insert(offset);
            }
            b'{' | b'[' => {
                depth += 1;
                item_start.get_or_insert(offset);
            }
            b'}' | b']' if depth > 0 => depth -= 1,
            b']' => {
                if let Some(start) = item_start.take() {
                    items.push((start, offset));
                }
                return Ok(trim_ranges(text, items));
            }
            b',' if depth == 0 => {
                if let Some(start) = item_start.take() {
                    items.push((start, offset));
                }
            }
            byte if byte.is_ascii_whitespace() => {}
            _ => {
                item_start.get_or_insert(offset);
            }
        }
    }
    Err((
        text.len(),
        "the top-level array is not closed: expected ']' before the end of the file".into(),
    ))
}

fn trim_ranges(text: &str, ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges
        .into_iter()
        .map(|(start, end)| (start, start + text[start..end].trim_end().len()))
        .collect()
}

/// Turns one CSL item into a record, or a rejection.
fn read_item(item: &Map<String, Value>, line: usize, parsed: &mut Parsed) {
    let key = item.get("id").and_then(text);
    let mut warn = |field: &str, message: String| {
        parsed.problems.push(Problem {
            line,
            key: key.clone(),
            field: Some(field.to_owned()),
            message,
            severity: Severity::Warning,
        });
    };
    let title = item
        .get("title")
        .and_then(text)
        .map(|t| strip_markup(&t))
        .unwrap_or_default();
    let csl_type = item.get("type").and_then(text).unwrap_or_default();
    let mut record = Record::titled(title);
    record.kind = kind_for(&csl_type);
    // CSL has no type for a project or grant: ecolens writes a document of genre "project",
    // and its period as the event date (a range of date-parts, or raw when open-ended).
    let genre = item.get("genre").and_then(text);
    if record.kind == RecordKind::Other
        && genre
            .as_deref()
            .is_some_and(|g| g.eq_ignore_ascii_case("project"))
    {
        record.kind = RecordKind::Project;
        if let Some(date) = item.get("event-date") {
            match period_of(date) {
                Some(Ok(period)) => record.period = Some(period),
                Some(Err(error)) => warn(
                    "event-date",
                    format!("{}; left out", crate::text::value_problem(&error)),
                ),
                None => warn("event-date", "no period in the date; left out".into()),
            }
        }
    }

    if let Some(Value::Array(authors)) = item.get("author") {
        for (index, author) in authors.iter().enumerate() {
            match person(author) {
                Some(person) => record.authors.push(person),
                None => warn(
                    &format!("author[{index}]"),
                    "neither a family nor a literal name; author left out".into(),
                ),
            }
        }
    } else if item.get("author").is_some() {
        warn(
            "author",
            "expected a list of names; authors left out".into(),
        );
    }
    if let Some(Value::Array(editors)) = item.get("editor") {
        for (index, editor) in editors.iter().enumerate() {
            match person(editor) {
                Some(person) => record.editors.push(person),
                None => warn(
                    &format!("editor[{index}]"),
                    "neither a family nor a literal name; editor left out".into(),
                ),
            }
        }
    }

    if let Some(issued) = item.get("issued") {
        match year_of(issued) {
            Some(year) if YEAR_RANGE.contains(&year) => record.year = Some(year),
            Some(year) => warn(
                "issued",
                format!(
                    "year {year} is outside {}–{}; left out",
                    YEAR_RANGE.start(),
                    YEAR_RANGE.end()
                ),
            ),
            None => warn("issued", "no year in the date; left out".into()),
        }
    }

    record.venue = first_text(
        item,
        &["container-title", "event-title", "collection-title"],
    )
    .map(|v| strip_markup(&v));
    record.volume = item.get("volume").and_then(text);
    record.issue = item.get("issue").and_then(text);
    record.pages = item.get("page").and_then(text);
    record.publisher = item.get("publisher").and_then(text);
    // Markup goes, paragraphs (lines) stay.
    record.abstract_text = item
        .get("abstract")
        .and_then(text)
        .map(|a| a.lines().map(strip_markup).collect::<Vec<_>>().join("\n"));
    record.notes = item.get("note").and_then(text);

    if let Some(doi) = item.get("DOI").and_then(text) {
        match Doi::parse("DOI", &doi) {
            Ok(doi) => record.doi = Some(doi),
            Err(error) => warn(
                "DOI",
                format!("{}; left out", crate::text::value_problem(&error)),
            ),
        }
    }
    if let Some(pmid) = item.get("PMID").and_then(text) {
        match Pmid::parse("PMID", &pmid) {
            Ok(pmid) => record.pmid = Some(pmid),
            Err(error) => warn(
                "PMID",
                format!("{}; left out", crate::text::value_problem(&error)),
            ),
        }
    }
    if let Some(url) = item.get("URL").and_then(text) {
        if url.starts_with("http://") || url.starts_with("https://") {
            record.url = Some(url);
        } else {
            warn(
                "URL",
                format!("{url:?} is not an http(s) address; left out"),
            );
        }
    }
    record.arxiv = arxiv_of(item, &record);
    if let Some(keywords) = item.get("keyword").and_then(text) {
        crate::text::split_keywords(&keywords, &mut record.keywords);
    }
    if record.kind == RecordKind::JournalArticle && csl_type.is_empty() {
        warn("type", "no type given; read as a journal article".into());
    }

    parsed.push_validated(record, line, key, Vec::new(), "title");
}

/// A CSL value as trimmed text: strings as they are, numbers printed; empty means absent.
fn text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(values) => return values.iter().find_map(text),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn first_text(item: &Map<String, Value>, fields: &[&str]) -> Option<String> {
    fields
        .iter()
        .find_map(|field| item.get(*field).and_then(text))
}

fn kind_for(csl_type: &str) -> RecordKind {
    match csl_type {
        // No type at all is read as a journal article (and reported as such by the caller).
        "" | "article-journal" | "article-magazine" | "article-newspaper" | "review"
        | "review-book" => RecordKind::JournalArticle,
        "paper-conference" | "speech" => RecordKind::ConferencePaper,
        "article" | "manuscript" => RecordKind::Preprint,
        "book" | "classic" => RecordKind::Book,
        "chapter" | "entry" | "entry-dictionary" | "entry-encyclopedia" => RecordKind::BookChapter,
        "report" => RecordKind::Report,
        "thesis" => RecordKind::Thesis,
        "standard" | "legislation" | "regulation" => RecordKind::Standard,
        "dataset" => RecordKind::Dataset,
        "software" => RecordKind::Software,
        "webpage" | "post" | "post-weblog" => RecordKind::WebPage,
        _ => RecordKind::Other,
    }
}

/// A CSL name: family (with its non-dropping particle) and given (with dropping particle and
/// suffix), or a literal name for organisations.
fn person(value: &Value) -> Option<Person> {
    let Value::Object(name) = value else {
        return text(value).map(Person::organisation);
    };
    let field = |key: &str| name.get(key).and_then(text);
    if let Some(family) = field("family") {
        let family = match field("non-dropping-particle") {
            Some(particle) => format!("{particle} {family}"),
            None => family,
        };
        let mut given = [field("given"), field("dropping-particle")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(suffix) = field("suffix") {
            given = if given.is_empty() {
                suffix
            } else {
                format!("{given}, {suffix}")
            };
        }
        Some(Person {
            family,
            given: (!given.is_empty()).then_some(given),
        })
    } else {
        field("literal").map(Person::organisation)
    }
}

/// A CSL date as a period: two `date-parts` (start and end), or a `raw` ISO 8601 interval.
fn period_of(value: &Value) -> Option<ecolens_core::Result<ecolens_core::Period>> {
    let Value::Object(date) = value else {
        return text(value).map(|t| ecolens_core::Period::parse("event-date", &t));
    };
    if let Some(Value::Array(parts)) = date.get("date-parts") {
        let iso = |part: &Value| -> Option<String> {
            let Value::Array(numbers) = part else {
                return None;
            };
            let numbers: Vec<i64> = numbers
                .iter()
                .map(|n| match n {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            match numbers.as_slice() {
                [y] => Some(format!("{y:04}")),
                [y, m] => Some(format!("{y:04}-{m:02}")),
                [y, m, d] => Some(format!("{y:04}-{m:02}-{d:02}")),
                _ => None,
            }
        };
        let ends: Vec<String> = parts.iter().map(iso).collect::<Option<_>>()?;
        return match ends.as_slice() {
            [start] => Some(ecolens_core::Period::parse(
                "event-date",
                &format!("{start}/"),
            )),
            [start, end] => Some(ecolens_core::Period::parse(
                "event-date",
                &format!("{start}/{end}"),
            )),
            _ => None,
        };
    }
    date.get("raw")
        .and_then(text)
        .map(|t| ecolens_core::Period::parse("event-date", &t))
}

/// The year of a CSL date: `date-parts`, `raw`, `literal`, or a plain string.
fn year_of(value: &Value) -> Option<i32> {
    match value {
        Value::Object(date) => {
            if let Some(Value::Array(parts)) = date.get("date-parts")
                && let Some(Value::Array(first)) = parts.first()
                && let Some(year) = first.first()
            {
                return match year {
                    Value::Number(n) => n.as_i64().and_then(|y| i32::try_from(y).ok()),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
            }
            ["raw", "literal"]
                .iter()
                .find_map(|key| date.get(*key).and_then(text).and_then(|t| year_in(&t)))
        }
        Value::String(s) => year_in(s),
        Value::Number(n) => n.as_i64().and_then(|y| i32::try_from(y).ok()),
        _ => None,
    }
}

/// The first run of exactly four digits in a text.
fn year_in(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let mut start = None;
    for (index, byte) in bytes
        .iter()
        .enumerate()
        .chain(std::iter::once((bytes.len(), &b' ')))
    {
        match (byte.is_ascii_digit(), start) {
            (true, None) => start = Some(index),
            (false, Some(s)) => {
                if index - s == 4 {
                    return text[s..index].parse().ok();
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

/// arXiv id from `number`, from `arXiv:` lines of the note, or from an arXiv DOI.
fn arxiv_of(item: &Map<String, Value>, record: &Record) -> Option<ArxivId> {
    let from_number = item
        .get("number")
        .and_then(text)
        .filter(|n| n.to_ascii_lowercase().starts_with("arxiv"))
        .and_then(|n| ArxivId::parse("number", &n).ok());
    let from_note = || {
        record.notes.as_deref().and_then(|note| {
            note.lines().find_map(|line| {
                let line = line.trim();
                line.to_ascii_lowercase()
                    .starts_with("arxiv:")
                    .then(|| ArxivId::parse("note", line).ok())
                    .flatten()
            })
        })
    };
    let from_doi = || {
        record.doi.as_ref().and_then(|doi| {
            let key = doi.key();
            key.strip_prefix("10.48550/arxiv.")
                .and_then(|id| ArxivId::parse("DOI", id).ok())
        })
    };
    from_number.or_else(from_note).or_else(from_doi)
}

/// Removes the inline rich-text markup CSL allows in titles (`<i>`, `<b>`, `<sup>`, `<sub>`,
/// `<span …>`, `<sc>`) and collapses white space.
fn strip_markup(text: &str) -> String {
    const TAGS: [&str; 7] = ["i", "b", "sup", "sub", "span", "sc", "em"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = after[..close].trim_start_matches('/');
        let name = tag
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default();
        if TAGS.contains(&name.to_ascii_lowercase().as_str()) {
            rest = &after[close + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"[
  {
    "id": "ligozat2022",
    "type": "article-journal",
    "title": "Unraveling the <i>Hidden</i> Environmental Impacts of AI Solutions for Environment",
    "author": [{"family": "Ligozat", "given": "Anne-Laure"}, {"family": "Baalen", "non-dropping-particle": "van", "given": "Mart"}, {"literal": "ITU-T"}],
    "issued": {"date-parts": [[2022, 4, 25]]},
    "container-title": ["Sustainability"],
    "volume": 14, "issue": "9", "page": "5172",
    "DOI": "https://doi.org/10.3390/su14095172",
    "keyword": "LCA, AI for green; rebound",
    "note": "Some note\narXiv: 2110.11822"
  },
  {"id": "broken", "type": "article", "title": "Missing comma" "x": 1},
  {"id": "untitled", "type": "report"},
  {
    "id": "preprint",
    "type": "article",
    "title": "Green AI",
    "issued": {"raw": "July 2019"},
    "number": "arXiv:1907.10597",
    "DOI": "not a doi",
    "author": [{"given": "Nobody"}]
  },
  {"id": "arxivdoi", "type": "article", "title": "Via DOI", "DOI": "10.48550/arXiv.1906.02243", "issued": "2019"}
]"#;

    #[test]
    fn reads_items_and_locates_problems_by_line() {
        let parsed = parse(SAMPLE);
        let titles: Vec<_> = parsed
            .records
            .iter()
            .map(|r| r.record.title.as_str())
            .collect();
        assert_eq!(
            titles,
            [
                "Unraveling the Hidden Environmental Impacts of AI Solutions for Environment",
                "Green AI",
                "Via DOI"
            ]
        );
        let first = &parsed.records[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.original_key.as_deref(), Some("ligozat2022"));
        let record = &first.record;
        assert_eq!(record.kind, RecordKind::JournalArticle);
        assert_eq!(
            record.authors,
            vec![
                Person::new("Ligozat", "Anne-Laure"),
                Person::new("van Baalen", "Mart"),
                Person::organisation("ITU-T")
            ]
        );
        assert_eq!(record.year, Some(2022));
        assert_eq!(record.venue.as_deref(), Some("Sustainability"));
        assert_eq!(record.volume.as_deref(), Some("14"));
        assert_eq!(
            record.doi.as_ref().map(Doi::as_str),
            Some("10.3390/su14095172")
        );
        assert_eq!(
            record.arxiv.as_ref().map(ArxivId::as_str),
            Some("2110.11822")
        );
        // With a `;` anywhere, `;` separates keywords and commas belong to them.
        assert_eq!(record.keywords, ["LCA, AI for green", "rebound"]);

        let preprint = &parsed.records[1].record;
        assert_eq!(preprint.kind, RecordKind::Preprint);
        assert_eq!(preprint.year, Some(2019));
        assert_eq!(
            preprint.arxiv.as_ref().map(ArxivId::as_str),
            Some("1907.10597")
        );
        assert!(preprint.doi.is_none());
        assert!(preprint.authors.is_empty());
        assert_eq!(
            parsed.records[2].record.arxiv.as_ref().map(ArxivId::as_str),
            Some("1906.02243")
        );

        let problems: Vec<_> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(parsed.rejected(), 2, "{problems:#?}");
        assert!(
            problems[0].starts_with("line 14: not valid JSON"),
            "{problems:#?}"
        );
        assert_eq!(
            problems[1],
            "line 15 (untitled) title: no title and nothing else (no authors, editors, identifiers, abstract or venue): an empty record — record rejected"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("line 16 (preprint) author[0]: neither")),
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("line 16 (preprint) DOI: \"not a doi\" is not valid")),
            "{problems:#?}"
        );
    }

    #[test]
    fn an_unclosed_array_is_one_located_problem() {
        let parsed = parse("[\n {\"type\": \"book\", \"title\": \"Open\"}\n");
        assert!(parsed.records.is_empty());
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].line, 3);
        let not_json = parse("TY  - JOUR\nER  -\n");
        assert_eq!(not_json.problems[0].line, 1);
        assert!(parse("  ").records.is_empty());
    }

    #[test]
    fn single_objects_and_sniffing() {
        let one = r#"{"type": "book", "title": "The Coal Question", "issued": {"date-parts": [["1865"]]}}"#;
        assert!(sniff(one));
        let parsed = parse(one);
        assert_eq!(parsed.records[0].record.year, Some(1865));
        assert_eq!(parsed.records[0].record.kind, RecordKind::Book);
        assert!(sniff(SAMPLE));
        assert!(!sniff("TY  - JOUR\nTI  - x\n"));
        assert!(!sniff("@article{x, title={y}}"));
    }

    #[test]
    fn markup_and_years() {
        assert_eq!(
            strip_markup("CO<sub>2</sub> <span style=\"x\">capture</span>  now"),
            "CO2 capture now"
        );
        assert_eq!(
            strip_markup("a < b and <unknown> tag"),
            "a < b and <unknown> tag"
        );
        assert_eq!(year_in("Spring 2021/22"), Some(2021));
        assert_eq!(year_in("12345"), None);
    }
}
