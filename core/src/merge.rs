//! Merging duplicates and linking related records: which rule found a duplicate and why,
//! what the duplicate added to the record kept, and how records relate (an erratum of, a
//! preprint of, a possible duplicate for a human to judge).

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::record::{Record, SourceRef};

/// Row id of an import run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImportId(pub i64);

/// Row id of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MergeId(pub i64);

impl fmt::Display for ImportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for MergeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The rule that found a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeRule {
    /// Same DOI (case-folded, resolver prefixes stripped).
    Doi,
    /// Same PubMed id.
    Pmid,
    /// Same arXiv id (versions ignored).
    Arxiv,
    /// Same normalised title, years at most one apart, at least one shared author surname.
    TitleYearAuthor,
}

impl MergeRule {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Doi => "doi",
            Self::Pmid => "pmid",
            Self::Arxiv => "arxiv",
            Self::TitleYearAuthor => "title_year_author",
        }
    }

    /// Parses a stored code.
    pub fn parse(value: &str) -> Result<Self> {
        [Self::Doi, Self::Pmid, Self::Arxiv, Self::TitleYearAuthor]
            .into_iter()
            .find(|rule| rule.code() == value)
            .ok_or_else(|| {
                Error::invalid("merge.rule", value, "doi, pmid, arxiv or title_year_author")
            })
    }
}

/// How two records relate without being the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// The first is an erratum, correction or retraction notice of the second.
    ErratumOf,
    /// The first is a preprint of the second (published) record.
    PreprintOf,
    /// Same title, but the rules could not decide (different authors, or a year gap): a
    /// human should look.
    PossibleDuplicate,
}

impl RelationKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::ErratumOf => "erratum_of",
            Self::PreprintOf => "preprint_of",
            Self::PossibleDuplicate => "possible_duplicate",
        }
    }

    /// Parses a stored code.
    pub fn parse(value: &str) -> Result<Self> {
        [Self::ErratumOf, Self::PreprintOf, Self::PossibleDuplicate]
            .into_iter()
            .find(|kind| kind.code() == value)
            .ok_or_else(|| {
                Error::invalid(
                    "relation.kind",
                    value,
                    "erratum_of, preprint_of or possible_duplicate",
                )
            })
    }
}

/// What a duplicate filled in the record it was merged into, so an undo can take it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filled {
    /// Fields that were empty and got the duplicate's value, with that value (as JSON).
    #[serde(default)]
    pub fields: Vec<(String, serde_json::Value)>,
    /// Keywords the duplicate added.
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl Filled {
    /// `true` when the duplicate added nothing.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.keywords.is_empty()
    }

    /// Names of what was filled, for reports.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.fields.iter().map(|(name, _)| name.clone()).collect();
        if !self.keywords.is_empty() {
            names.push(format!("{} keyword(s)", self.keywords.len()));
        }
        names
    }
}

/// A merge as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeEntry {
    /// Row id.
    pub id: MergeId,
    /// The record kept.
    pub kept: RecordId,
    /// The duplicate as it was read.
    pub merged: Record,
    /// Where the duplicate was read.
    pub merged_source: SourceRef,
    /// The rule that fired.
    pub rule: MergeRule,
    /// Why, in words ("same DOI 10.1145/3381831").
    pub reason: String,
    /// What the duplicate filled in the kept record.
    pub filled: Filled,
    /// The import that found it.
    pub import: Option<ImportId>,
    /// When.
    pub created_at: Timestamp,
    /// When it was undone, if it was.
    pub undone_at: Option<Timestamp>,
    /// The record re-created from the duplicate by the undo.
    pub restored: Option<RecordId>,
}

/// A relation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The record the relation is about (the erratum, the preprint).
    pub from: RecordId,
    /// The record it relates to.
    pub to: RecordId,
    /// How.
    pub kind: RelationKind,
    /// Why, in words.
    pub reason: String,
}

/// One file read by an import, as recorded with the import run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFile {
    /// Path as given.
    pub path: String,
    /// Format recognised (or `pdf`).
    pub format: String,
    /// Encoding used.
    pub encoding: String,
    /// Records read from the file.
    pub records_read: u64,
    /// Records rejected.
    pub rejected: u64,
    /// SHA-256 of the file's bytes (hex), for files that were read: an import of the same
    /// content is recognised by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub bytes: u64,
}

/// An earlier import of a file with the same content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierImport {
    /// The import run.
    pub import: ImportId,
    /// The path the file was read from then.
    pub path: String,
    /// When that import finished (RFC 3339).
    pub at: String,
    /// Records read from it then.
    pub records_read: u64,
}

impl EarlierImport {
    /// "import #1 on 2026-12-06 (16 records)": which import read the same content.
    pub fn describe(&self) -> String {
        format!(
            "import #{} on {} ({} record{})",
            self.import,
            self.at.get(..10).unwrap_or(&self.at),
            self.records_read,
            if self.records_read == 1 { "" } else { "s" }
        )
    }
}

/// An import run as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRun {
    /// Row id.
    pub id: ImportId,
    /// When it started.
    pub started_at: Timestamp,
    /// Files read.
    pub files: Vec<ImportedFile>,
    /// Records read.
    pub records_read: u64,
    /// Records added as new.
    pub records_imported: u64,
    /// Duplicates merged.
    pub duplicates_merged: u64,
}

/// The identifying data of a stored record that duplicate detection needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupRow {
    /// The record.
    pub id: RecordId,
    /// Kind.
    pub kind: crate::record::RecordKind,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Lower-cased DOI.
    pub doi_key: Option<String>,
    /// PMID.
    pub pmid: Option<String>,
    /// arXiv id.
    pub arxiv: Option<String>,
    /// Venue.
    pub venue: Option<String>,
    /// Family names of the authors.
    pub families: Vec<String>,
}

/// Calls `$then!` with the optional fields of a [`Record`] a merge may fill: the one list
/// filling and taking back both read, so a field cannot be filled without being undoable.
macro_rules! with_fillable_fields {
    ($then:ident) => {
        $then!(
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
            notes,
            period
        )
    };
}

/// Fills the fields of `kept` that are empty with the duplicate's values and adds its missing
/// keywords; returns what was filled. Nothing `kept` already has is overwritten.
pub fn fill_missing(kept: &mut Record, duplicate: &Record) -> Filled {
    let mut filled = Filled::default();
    macro_rules! fill {
        ($($field:ident),+) => {
            $(
                if kept.$field.is_none() && duplicate.$field.is_some() {
                    kept.$field.clone_from(&duplicate.$field);
                    filled.fields.push((stringify!($field).to_owned(), serde_json::to_value(&kept.$field).unwrap_or_default()));
                }
            )+
        };
    }
    with_fillable_fields!(fill);
    if kept.authors.is_empty() && !duplicate.authors.is_empty() {
        kept.authors.clone_from(&duplicate.authors);
        filled.fields.push((
            "authors".to_owned(),
            serde_json::to_value(&kept.authors).unwrap_or_default(),
        ));
    }
    if kept.editors.is_empty() && !duplicate.editors.is_empty() {
        kept.editors.clone_from(&duplicate.editors);
        filled.fields.push((
            "editors".to_owned(),
            serde_json::to_value(&kept.editors).unwrap_or_default(),
        ));
    }
    for keyword in &duplicate.keywords {
        if !kept
            .keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(keyword))
        {
            kept.keywords.push(keyword.clone());
            filled.keywords.push(keyword.clone());
        }
    }
    filled
}

/// Takes back what a merge filled, where the value is still the one it filled (a field edited
/// since is left alone). Returns the names of fields that could not be taken back.
pub fn unfill(record: &mut Record, filled: &Filled) -> Vec<String> {
    let mut kept_as_edited = Vec::new();
    for (name, value) in &filled.fields {
        macro_rules! clear {
            ($($field:ident),+) => {
                match name.as_str() {
                    $(
                        stringify!($field) => {
                            if serde_json::to_value(&record.$field).unwrap_or_default() == *value {
                                record.$field = None;
                            } else {
                                kept_as_edited.push(name.clone());
                            }
                        }
                    )+
                    "authors" => {
                        if serde_json::to_value(&record.authors).unwrap_or_default() == *value {
                            record.authors.clear();
                        } else {
                            kept_as_edited.push(name.clone());
                        }
                    }
                    "editors" => {
                        if serde_json::to_value(&record.editors).unwrap_or_default() == *value {
                            record.editors.clear();
                        } else {
                            kept_as_edited.push(name.clone());
                        }
                    }
                    _ => kept_as_edited.push(name.clone()),
                }
            };
        }
        with_fillable_fields!(clear);
    }
    record
        .keywords
        .retain(|keyword| !filled.keywords.contains(keyword));
    kept_as_edited
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Doi;
    use crate::record::Person;

    #[test]
    fn filling_takes_only_empty_fields_and_undoes_exactly() {
        let mut kept = Record {
            year: Some(2024),
            keywords: vec!["fossil".into()],
            ..Record::titled("Cellular structure of dinosaur scales")
        };
        let original = kept.clone();
        let duplicate = Record {
            year: Some(2023),
            abstract_text: Some("Fossil feathers have transformed…".into()),
            doi: Some(Doi::parse("doi", "10.1038/s41467-024-48400-3").unwrap()),
            authors: vec![Person::new("Yang", "Z.")],
            keywords: vec!["Fossil".into(), "keratin".into()],
            ..Record::titled("Cellular structure of dinosaur scales")
        };
        let filled = fill_missing(&mut kept, &duplicate);
        assert_eq!(
            kept.year,
            Some(2024),
            "present values are never overwritten"
        );
        assert_eq!(kept.abstract_text, duplicate.abstract_text);
        assert_eq!(kept.keywords, ["fossil", "keratin"]);
        assert_eq!(
            filled.names(),
            ["doi", "abstract_text", "authors", "1 keyword(s)"]
        );

        let mut undone = kept.clone();
        assert!(unfill(&mut undone, &filled).is_empty());
        assert_eq!(undone, original);

        // A field edited after the merge stays as edited.
        let mut edited = kept.clone();
        edited.abstract_text = Some("Corrected abstract".into());
        assert_eq!(unfill(&mut edited, &filled), ["abstract_text"]);
        assert_eq!(edited.abstract_text.as_deref(), Some("Corrected abstract"));
        assert!(edited.doi.is_none());
    }
}
