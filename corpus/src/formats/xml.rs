//! What the XML readers (EndNote XML, PubMed XML, Zotero RDF) share: entity references turned
//! into text, and the problem a malformed document gives.

use quick_xml::events::BytesRef;

use crate::parsed::{Parsed, Problem, Severity};

/// Appends what an entity or character reference stands for (`&amp;`, `&#x2082;`); an entity
/// XML does not predefine (a DTD's) stands for its HTML or ISO Greek meaning when it has one
/// (`&eacute;`, `&mgr;`: [`crate::entities`]), else for nothing.
pub(crate) fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        text.push(c);
    } else if let Some(meaning) = crate::entities::resolve(reference.as_ref()) {
        text.push_str(&meaning);
    }
}

/// The problem of a document that stops being XML at `line`: the file is not read when
/// nothing was read before, else the record being read is rejected (with the rest).
pub(crate) fn malformed(parsed: &Parsed, line: usize, error: &quick_xml::Error) -> Problem {
    Problem {
        line,
        key: None,
        field: None,
        message: format!("malformed XML, reading stopped here: {error}"),
        severity: if parsed.records.is_empty() && parsed.problems.is_empty() {
            Severity::FileNotRead
        } else {
            Severity::Rejected
        },
    }
}
