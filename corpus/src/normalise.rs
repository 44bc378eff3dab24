//! One form for every record, whatever file it came from: character references decoded
//! (`&lt;`, `&#39;`, `&mgr;`: [`crate::entities`]), white space collapsed in one-line
//! fields, one paragraph per line in abstracts, page ranges with a plain hyphen, no blank
//! note lines, no empty or repeated keywords. Every import applies it, so a record reads the
//! same after a trip through any export format.

use ecolens_core::{ArxivId, Record};

use crate::text::{collapse_whitespace, collapse_whitespace_cow, is_collapsed};

/// Brings a record into the one form.
pub fn normalise(record: &mut Record) {
    decode_entities(record);
    collapse(&mut record.title);
    for field in [
        &mut record.venue,
        &mut record.volume,
        &mut record.issue,
        &mut record.publisher,
        &mut record.url,
    ] {
        collapse_option(field);
    }
    if let Some(pages) = &mut record.pages
        && (pages.contains("--")
            || !pages
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        let plain = collapse_whitespace(&pages.replace(['–', '—', '‐', '‑'], "-"));
        let mut joined = plain.replace(" - ", "-");
        while joined.contains("--") {
            joined = joined.replace("--", "-");
        }
        *pages = joined;
    }
    record.pages = record.pages.take().filter(|p| !p.is_empty());
    for person in record.authors.iter_mut().chain(record.editors.iter_mut()) {
        collapse(&mut person.family);
        collapse_option(&mut person.given);
    }
    paragraphs_in_place(&mut record.abstract_text);
    paragraphs_in_place(&mut record.notes);
    // A note line that only states an identifier the record holds says nothing more.
    if let Some(notes) = &record.notes {
        let kept: Vec<&str> = notes
            .lines()
            .filter(|line| !states_identifier(line, record))
            .collect();
        record.notes = (!kept.is_empty()).then(|| kept.join("\n"));
    }
    let mut keywords: Vec<String> = Vec::with_capacity(record.keywords.len());
    for mut keyword in record.keywords.drain(..) {
        collapse(&mut keyword);
        if !keyword.is_empty() && !keywords.iter().any(|k| k.eq_ignore_ascii_case(&keyword)) {
            keywords.push(keyword);
        }
    }
    record.keywords = keywords;
}

/// Character references decoded in the fields people read and search (the URL and the
/// identifiers are left as they are).
fn decode_entities(record: &mut Record) {
    let decode = |text: &mut String| {
        if let std::borrow::Cow::Owned(decoded) = crate::entities::decode(text) {
            *text = decoded;
        }
    };
    decode(&mut record.title);
    for field in [
        &mut record.abstract_text,
        &mut record.notes,
        &mut record.venue,
        &mut record.publisher,
    ]
    .into_iter()
    .flatten()
    {
        decode(field);
    }
    for keyword in &mut record.keywords {
        decode(keyword);
    }
    for person in record.authors.iter_mut().chain(record.editors.iter_mut()) {
        decode(&mut person.family);
        if let Some(given) = &mut person.given {
            decode(given);
        }
    }
}

/// [`paragraphs`] in place, leaving a text already in form untouched (no copy).
fn paragraphs_in_place(text: &mut Option<String>) {
    let Some(value) = text else {
        return;
    };
    let in_form = !value.is_empty()
        && value.split('\n').all(|line| {
            !line.is_empty()
                && !line.starts_with(char::is_whitespace)
                && !line.ends_with(char::is_whitespace)
                && is_collapsed(line)
        });
    if !in_form {
        *text = paragraphs(value);
    }
}

/// `arXiv: 1906.02243` or `PMID: 31234567` naming the record's own identifier.
fn states_identifier(line: &str, record: &Record) -> bool {
    let line = line.trim();
    let lower = line.to_ascii_lowercase();
    if let (Some(rest), Some(arxiv)) = (lower.strip_prefix("arxiv:"), &record.arxiv) {
        let original = &line[line.len() - rest.len()..];
        return ArxivId::parse("note", original.trim())
            .is_ok_and(|id| id.as_str() == arxiv.as_str());
    }
    if let (Some(rest), Some(pmid)) = (lower.strip_prefix("pmid:"), &record.pmid) {
        return rest.trim() == pmid.as_str();
    }
    false
}

fn collapse(text: &mut String) {
    let collapsed = collapse_whitespace_cow(text);
    if collapsed.len() != text.len() {
        *text = collapsed.into_owned();
    }
}

fn collapse_option(text: &mut Option<String>) {
    if let Some(value) = text {
        collapse(value);
    }
    *text = text.take().filter(|t| !t.is_empty());
}

/// One paragraph per line, white space collapsed within each; `None` when empty.
pub fn paragraphs(text: &str) -> Option<String> {
    let lines: Vec<std::borrow::Cow<'_, str>> = text
        .split(['\n', '\r'])
        .map(collapse_whitespace_cow)
        .filter(|line| !line.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use ecolens_core::Person;

    use super::*;

    #[test]
    fn records_take_one_form_and_it_is_stable() {
        let mut record = Record {
            title: "  Green\n  AI &amp; its &ldquo;costs&rdquo; ".into(),
            venue: Some("Nat.  Commun.".into()),
            pages: Some("123 – 130".into()),
            volume: Some("   ".into()),
            abstract_text: Some(
                "First  part (p &amp;lt; 0.01)\n  continued\n\n\nSecond paragraph&nbsp; ".into(),
            ),
            notes: Some("\nline one\r\n\r\nline two\n".into()),
            keywords: vec![
                "LCA".into(),
                " lca ".into(),
                "  ".into(),
                "rebound  effect".into(),
            ],
            authors: vec![Person::new(" Strubell ", "Emma  ")],
            ..Record::default()
        };
        normalise(&mut record);
        assert_eq!(record.title, "Green AI & its “costs”");
        assert_eq!(record.venue.as_deref(), Some("Nat. Commun."));
        assert_eq!(record.pages.as_deref(), Some("123-130"));
        assert_eq!(record.volume, None);
        assert_eq!(
            record.abstract_text.as_deref(),
            Some("First part (p < 0.01)\ncontinued\nSecond paragraph")
        );
        assert_eq!(record.notes.as_deref(), Some("line one\nline two"));
        assert_eq!(record.keywords, ["LCA", "rebound effect"]);
        assert_eq!(record.authors, [Person::new("Strubell", "Emma")]);
        let once = record.clone();
        normalise(&mut record);
        assert_eq!(record, once);
    }
}
