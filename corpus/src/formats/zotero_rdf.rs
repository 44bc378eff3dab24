//! Zotero RDF (Zotero's "Export Collection… → Zotero RDF", the one Zotero export that keeps
//! notes and every field): RDF/XML whose top-level resources are items (`bib:Article`,
//! `bib:Book`, `rdf:Description` … with a `z:itemType`), the journals, books and proceedings
//! they are part of (`dcterms:isPartOf`, inline or by reference), attachments and notes.
//!
//! Items other than attachments and notes become records. Authors and editors come from
//! `bib:authors` / `bib:editors` (`foaf:surname`, `foaf:givenName`); the venue, volume and
//! issue from the container; the DOI from `dc:identifier` ("DOI 10.…") or the item's address.
//! The file is read into a small tree first: Zotero writes references to containers anywhere
//! in the file.

use ecolens_core::{Person, RecordKind};
use quick_xml::events::Event;

use super::draft::Draft;
use crate::parsed::{Parsed, Problem, Severity};
use crate::text::collapse_whitespace;

/// Format name used in provenance.
pub const FORMAT: &str = "zotero-rdf";

/// Whether an XML head is Zotero RDF.
pub fn sniff(head: &str) -> bool {
    head.contains("<rdf:RDF")
        && (head.contains("zotero.org/namespaces/export") || head.contains("purl.org/net/biblio"))
}

/// An element, with its attributes, text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
    line: usize,
}

impl Node {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of a child, collapsed; `None` when empty.
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| collapse_whitespace(&c.deep_text()))
            .filter(|t| !t.is_empty())
    }

    /// All text under this node.
    fn deep_text(&self) -> String {
        let mut out = self.text.clone();
        for child in &self.children {
            out.push_str(&child.deep_text());
        }
        out
    }

    /// Nodes under this one named `name`, at any depth, in document order.
    fn descendants<'a>(&'a self, name: &'a str, into: &mut Vec<&'a Node>) {
        for child in &self.children {
            if child.name == name {
                into.push(child);
            }
            child.descendants(name, into);
        }
    }
}

/// Reads Zotero RDF.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let root = match tree(text) {
        Ok(root) => root,
        Err((line, message)) => {
            parsed.problems.push(Problem {
                line,
                key: None,
                field: None,
                message: format!("malformed XML, the file was not read: {message}"),
                severity: Severity::FileNotRead,
            });
            return parsed;
        }
    };
    let Some(rdf) = root.children.iter().find(|n| n.name == "rdf:RDF") else {
        parsed.problems.push(Problem {
            line: 1,
            key: None,
            field: None,
            message: "no rdf:RDF element".into(),
            severity: Severity::FileNotRead,
        });
        return parsed;
    };
    for resource in &rdf.children {
        let Some(item_type) = resource.text_of("z:itemType") else {
            continue;
        };
        if matches!(item_type.as_str(), "attachment" | "note") {
            continue;
        }
        read_item(resource, &item_type, rdf, &mut parsed);
    }
    parsed
}

fn read_item(item: &Node, item_type: &str, rdf: &Node, parsed: &mut Parsed) {
    let mut draft = Draft::at(item.line);
    draft.kind = kind_for(item_type);
    draft.title = item.text_of("dc:title");
    draft.people = people(item, "bib:authors");
    draft.editor_people = people(item, "bib:editors");
    draft.year = item
        .child("dc:date")
        .map(|d| Draft::located(&d.deep_text(), d.line, "dc:date"));
    draft.pages = item
        .text_of("bib:pages")
        .map(|p| p.replace(['–', '—'], "-"));
    draft.volume = item.text_of("prism:volume");
    draft.issue = item.text_of("prism:number");
    if let Some(abstract_text) = item.child("dcterms:abstract") {
        draft
            .abstract_paragraphs
            .extend(abstract_text.deep_text().lines().map(str::to_owned));
    }
    for subject in item.children_named("dc:subject") {
        draft.keywords_from(&subject.deep_text());
    }
    if let Some(publisher) = item.child("dc:publisher") {
        let mut names = Vec::new();
        publisher.descendants("foaf:name", &mut names);
        draft.publisher = names
            .first()
            .map(|n| collapse_whitespace(&n.deep_text()))
            .or_else(|| Some(collapse_whitespace(&publisher.deep_text())))
            .filter(|p| !p.is_empty());
    }
    for identifier in item.children_named("dc:identifier") {
        let value = collapse_whitespace(&identifier.deep_text());
        if let Some(doi) = value.strip_prefix("DOI ") {
            draft.doi = Some(Draft::located(doi, identifier.line, "dc:identifier"));
        } else if value.starts_with("http://") || value.starts_with("https://") {
            draft.urls.push(value);
        }
    }
    if let Some(about) = item.attribute("rdf:about")
        && (about.starts_with("http://") || about.starts_with("https://"))
    {
        draft.urls.push(about.to_owned());
    }
    // The container: inline, or a resource elsewhere in the file.
    if let Some(part_of) = item.child("dcterms:isPartOf") {
        let container = match part_of.attribute("rdf:resource") {
            Some(reference) => rdf
                .children
                .iter()
                .find(|n| n.attribute("rdf:about") == Some(reference)),
            None => part_of.children.first(),
        };
        if let Some(container) = container {
            draft.venue = container.text_of("dc:title");
            draft.volume = draft
                .volume
                .take()
                .or_else(|| container.text_of("prism:volume"));
            draft.issue = draft
                .issue
                .take()
                .or_else(|| container.text_of("prism:number"));
            if draft.editor_people.is_empty() {
                draft.editor_people = people(container, "bib:editors");
            }
        }
    }
    draft.key = item.attribute("rdf:about").map(str::to_owned);
    draft.finish(parsed, "dc:title");
}

/// The people of a `bib:authors` / `bib:editors` list, in order.
fn people(item: &Node, list: &str) -> Vec<Person> {
    let Some(list) = item.child(list) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    list.descendants("foaf:Person", &mut found);
    let mut people: Vec<Person> = found
        .into_iter()
        .filter_map(|person| {
            let family = person.text_of("foaf:surname")?;
            Some(Person {
                family,
                given: person.text_of("foaf:givenName"),
            })
        })
        .collect();
    let mut organisations = Vec::new();
    list.descendants("foaf:Organization", &mut organisations);
    people.extend(
        organisations
            .into_iter()
            .filter_map(|o| o.text_of("foaf:name"))
            .map(Person::organisation),
    );
    people
}

fn kind_for(item_type: &str) -> RecordKind {
    match item_type {
        "journalArticle" | "magazineArticle" | "newspaperArticle" => RecordKind::JournalArticle,
        "conferencePaper" => RecordKind::ConferencePaper,
        "preprint" => RecordKind::Preprint,
        "book" => RecordKind::Book,
        "bookSection" => RecordKind::BookChapter,
        "report" => RecordKind::Report,
        "thesis" => RecordKind::Thesis,
        "standard" => RecordKind::Standard,
        "dataset" => RecordKind::Dataset,
        "computerProgram" => RecordKind::Software,
        "webpage" | "blogPost" => RecordKind::WebPage,
        _ => RecordKind::Other,
    }
}

/// How deep elements may nest.
const MAX_DEPTH: usize = 64;

/// The document as a tree, or the line and reason it could not be read.
fn tree(text: &str) -> Result<Node, (usize, String)> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut lines = crate::text::LineCounter::new(text);
    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let line = lines.at(position);
        let event = reader
            .read_event()
            .map_err(|error| (line, error.to_string()))?;
        match event {
            Event::Start(start) => {
                // Zotero nests a few levels; a file nested deeper is no Zotero export, and
                // reading it would exhaust the stack.
                if stack.len() > MAX_DEPTH {
                    return Err((
                        line,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(node(&start, line));
            }
            Event::Empty(start) => {
                let node = node(&start, line);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::Text(content) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&content.xml10_content());
                }
            }
            Event::CData(content) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&content.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(node) = stack.last_mut() {
                    super::xml::push_reference(&mut node.text, &reference);
                }
            }
            Event::End(_) => {
                if stack.len() > 1
                    && let Some(done) = stack.pop()
                    && let Some(parent) = stack.last_mut()
                {
                    parent.children.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    while stack.len() > 1 {
        if let Some(done) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            parent.children.push(done);
        }
    }
    stack
        .pop()
        .ok_or((lines.at(text.len()), "empty document".to_owned()))
}

fn node(start: &quick_xml::events::BytesStart<'_>, line: usize) -> Node {
    Node {
        name: start.name().as_ref().to_owned(),
        attributes: start
            .attributes()
            .flatten()
            .map(|a| {
                (
                    a.key.as_ref().to_owned(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(std::borrow::Cow::into_owned)
                        .unwrap_or_default(),
                )
            })
            .collect(),
        line,
        ..Node::default()
    }
}
