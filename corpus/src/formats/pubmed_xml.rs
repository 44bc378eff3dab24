//! PubMed XML (`PubmedArticleSet`, what PubMed's "Save → XML" and the E-utilities `efetch`
//! give): `PubmedArticle` and `PubmedBookArticle` records.
//!
//! The PMID is the key; the DOI comes from `ELocationID EIdType="doi"`, else from
//! `ArticleId IdType="doi"`; structured abstracts keep their section labels ("METHODS: …"), one
//! paragraph each; inline markup in titles and abstracts (`<i>`, `<sup>`) is kept as text;
//! authors come from `LastName`/`ForeName` or `CollectiveName` (an `AuthorList` of type
//! `editors` gives editors); keywords are the author keywords, then the `MeSH` descriptors.

use ecolens_core::{Person, RecordKind};
use quick_xml::events::Event;

use super::draft::Draft;
use crate::parsed::Parsed;
use crate::text::collapse_whitespace;

/// Format name used in provenance.
pub const FORMAT: &str = "pubmed-xml";

/// Elements inside titles and abstracts that only style their text.
const INLINE: [&str; 8] = ["i", "b", "u", "sup", "sub", "inf", "mml:math", "math"];

/// One author being read.
#[derive(Default)]
struct Author {
    last: Option<String>,
    fore: Option<String>,
    initials: Option<String>,
    collective: Option<String>,
}

/// The record being read, with what its elements' attributes said.
struct Current {
    draft: Draft,
    pmid_seen: bool,
    article_doi: Option<(String, usize)>,
    author: Author,
    editors_list: bool,
    abstract_label: Option<String>,
    id_type: Option<String>,
    location_type: Option<String>,
    mesh: Vec<String>,
    types: Vec<String>,
    year: Option<(String, usize)>,
    fallback_year: Option<(String, usize)>,
}

/// Reads PubMed XML.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut reader = quick_xml::Reader::from_str(text);
    let mut lines = crate::text::LineCounter::new(text);
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<Current> = None;
    let mut buffer = String::new();
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
                let name = start.name().as_ref().to_owned();
                let attribute = |wanted: &str| {
                    start
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == wanted)
                        .map(|a| a.value.into_owned())
                };
                match name.as_str() {
                    "PubmedArticle" | "PubmedBookArticle" => {
                        current = Some(Current {
                            draft: Draft::at(lines.at(position)),
                            pmid_seen: false,
                            article_doi: None,
                            author: Author::default(),
                            editors_list: false,
                            abstract_label: None,
                            id_type: None,
                            location_type: None,
                            mesh: Vec::new(),
                            types: Vec::new(),
                            year: None,
                            fallback_year: None,
                        });
                    }
                    _ => {}
                }
                if let Some(record) = current.as_mut() {
                    match name.as_str() {
                        "AuthorList" => {
                            record.editors_list = attribute("Type").as_deref() == Some("editors");
                        }
                        "Author" => record.author = Author::default(),
                        "AbstractText" => record.abstract_label = attribute("Label"),
                        "ArticleId" => record.id_type = attribute("IdType"),
                        "ELocationID" => record.location_type = attribute("EIdType"),
                        _ => {}
                    }
                }
                if !INLINE.contains(&name.as_str()) {
                    buffer.clear();
                }
                path.push(name);
            }
            Event::Text(content) => buffer.push_str(&content.xml10_content()),
            Event::CData(content) => buffer.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) => super::xml::push_reference(&mut buffer, &reference),
            Event::End(_) => {
                let Some(name) = path.pop() else { continue };
                if INLINE.contains(&name.as_str()) {
                    continue;
                }
                let value = collapse_whitespace(&buffer);
                buffer.clear();
                let line = lines.at(position);
                let ends_record = matches!(name.as_str(), "PubmedArticle" | "PubmedBookArticle");
                if ends_record {
                    if let Some(record) = current.take() {
                        finish(record, &mut parsed);
                    }
                    continue;
                }
                if let Some(record) = current.as_mut() {
                    let parent = path.last().map_or("", String::as_str);
                    store(record, &name, parent, &path, value, line);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    parsed
}

/// Puts the text of a closed element where it belongs.
fn store(
    record: &mut Current,
    name: &str,
    parent: &str,
    path: &[String],
    value: String,
    line: usize,
) {
    let draft = &mut record.draft;
    let inside = |element: &str| path.iter().any(|p| p == element);
    match name {
        "PMID" if !record.pmid_seen && !inside("CommentsCorrections") => {
            record.pmid_seen = true;
            draft.pmid = Some(Draft::located(&value, line, "PMID"));
            draft.key = Some(value);
        }
        "ArticleTitle" | "BookTitle" | "VernacularTitle"
            if draft.title.is_none() && !value.is_empty() =>
        {
            draft.title = Some(value);
        }
        "AbstractText" => {
            let paragraph = match record.abstract_label.take() {
                Some(label) if !label.is_empty() && !value.is_empty() => {
                    format!("{label}: {value}")
                }
                _ => value,
            };
            draft.abstract_paragraphs.push(paragraph);
        }
        "LastName" => record.author.last = Some(value),
        "ForeName" => record.author.fore = Some(value),
        "Initials" => record.author.initials = Some(value),
        "CollectiveName" => record.author.collective = Some(value),
        "Author" => {
            let author = std::mem::take(&mut record.author);
            let person = match (author.last, author.collective) {
                (Some(last), _) => Some(Person {
                    family: last,
                    given: author.fore.or(author.initials).filter(|g| !g.is_empty()),
                }),
                (None, Some(group)) => Some(Person::organisation(group)),
                (None, None) => None,
            };
            if let Some(person) = person {
                if record.editors_list {
                    draft.editor_people.push(person);
                } else {
                    draft.people.push(person);
                }
            }
        }
        "Title" if parent == "Journal" => draft.venue = Some(value),
        "Volume" if parent == "JournalIssue" || parent == "Book" => draft.volume = Some(value),
        "Issue" if parent == "JournalIssue" => draft.issue = Some(value),
        "Year" | "MedlineDate" if parent == "PubDate" => {
            record.year.get_or_insert((value, line));
        }
        "Year" if parent == "ArticleDate" || parent == "PubMedPubDate" => {
            record.fallback_year.get_or_insert((value, line));
        }
        "MedlinePgn" => draft.pages = Some(value),
        // The id types are set at each element's start.
        "ELocationID" if record.location_type.as_deref() == Some("doi") && draft.doi.is_none() => {
            draft.doi = Some(Draft::located(&value, line, "ELocationID"));
        }
        "ArticleId"
            if record.id_type.as_deref() == Some("doi")
                && record.article_doi.is_none()
                && !inside("ReferenceList") =>
        {
            record.article_doi = Some((value, line));
        }
        "Keyword" => crate::text::push_keyword(&value, &mut draft.keywords),
        "DescriptorName" => record.mesh.push(value),
        "PublicationType" => record.types.push(value),
        "PublisherName" => draft.publisher = Some(value),
        _ => {}
    }
}

fn finish(mut record: Current, parsed: &mut Parsed) {
    let mut draft = record.draft;
    if draft.doi.is_none()
        && let Some((doi, line)) = record.article_doi.take()
    {
        draft.doi = Some(Draft::located(&doi, line, "ArticleId"));
    }
    for heading in std::mem::take(&mut record.mesh) {
        crate::text::push_keyword(&heading, &mut draft.keywords);
    }
    draft.year = record
        .year
        .or(record.fallback_year)
        .map(|(year, line)| Draft::located(&year, line, "PubDate"));
    let has = |name: &str| record.types.iter().any(|t| t.eq_ignore_ascii_case(name));
    draft.kind = if has("Preprint") {
        RecordKind::Preprint
    } else if has("Congress") {
        RecordKind::ConferencePaper
    } else if has("Dataset") {
        RecordKind::Dataset
    } else if draft.venue.is_none() && draft.publisher.is_some() {
        RecordKind::Book
    } else {
        RecordKind::JournalArticle
    };
    draft.finish(parsed, "ArticleTitle");
}
