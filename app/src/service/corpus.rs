//! Building the corpus: import with indexing (the one path the CLI, the window and the
//! benchmark take), search, export, reindex and merges.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use ecolens_core::{MergeEntry, MergeId, Project, RecordId, ReviewerId};
use ecolens_corpus::export::{ExportFormat, ExportReport, LabelStyle};
use ecolens_corpus::import::{
    ImportOptions, ImportProgress, ImportReport, PdfSetup, import_and_index,
};
use ecolens_corpus::index::{
    IndexStatus, Page, SearchIndex, SearchResults, SyncOptions, SyncReport,
};
use ecolens_corpus::pdf::{ExtractorCommand, PdfLimits};
use serde::Serialize;

use super::project::seen_by;
use super::{Error, Result, worker_threads};

/// How `program` (an ecolens binary) reads PDFs: run with `extract-pdf`, at most two at once.
pub fn pdf_setup_for(program: PathBuf) -> PdfSetup {
    PdfSetup {
        command: ExtractorCommand {
            program,
            args: vec!["extract-pdf".into()],
        },
        limits: PdfLimits::default(),
        workers: worker_threads().min(2),
    }
}

/// How this binary reads PDFs: it runs itself with the hidden `extract-pdf` subcommand.
pub fn pdf_setup() -> Result<PdfSetup> {
    let program = std::env::current_exe().map_err(|source| Error::Io {
        action: "cannot find the ecolens binary to read PDFs with",
        path: PathBuf::from("ecolens"),
        source,
    })?;
    Ok(pdf_setup_for(program))
}

/// One line of import progress: "file 2/3 scopus.ris: 1204 records read, 1100 new,
/// 104 merged, 2 problems; PDFs 3/10".
pub fn progress_line(p: &ImportProgress) -> String {
    let file = p
        .current_file
        .as_ref()
        .and_then(|f| f.file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut text = if p.files_total > 0 {
        format!(
            "file {}/{} {file}: {} records read, {} new, {} merged, {} problems",
            (p.files_done + 1).min(p.files_total),
            p.files_total,
            p.records_read,
            p.records_imported,
            p.duplicates_merged,
            p.problems
        )
    } else {
        String::new()
    };
    if p.pdfs_total > 0 {
        if !text.is_empty() {
            text.push_str("; ");
        }
        let _ = write!(text, "PDFs {}/{}", p.pdfs_done, p.pdfs_total);
    }
    text
}

/// The done fraction of an import, when known.
pub fn progress_fraction(p: &ImportProgress) -> Option<f32> {
    #[allow(clippy::cast_precision_loss)]
    if p.pdfs_total > 0 && p.files_total == 0 {
        Some(p.pdfs_done as f32 / p.pdfs_total as f32)
    } else if p.files_total > 0 {
        Some(p.files_done as f32 / p.files_total as f32)
    } else {
        None
    }
}

/// Opens the project's index and brings it up to date; `progress` hears of records indexed.
pub fn synced_index(
    project: &mut Project,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64),
) -> Result<(SearchIndex, SyncReport)> {
    let mut index = SearchIndex::open(project)?;
    let report = index.sync(
        project,
        &SyncOptions::bulk(worker_threads(), cancel, progress),
    )?;
    Ok((index, report))
}

/// Brings the index up to date while another thread copies the write-ahead log into the
/// project file (what a large import leaves to do): the two overlap instead of queueing.
pub fn index_after_import(
    project: &mut Project,
    cancel: &AtomicBool,
) -> Result<(SearchIndex, SyncReport)> {
    let file = project.path().to_owned();
    std::thread::scope(|scope| {
        let checkpoint = std::thread::Builder::new()
            .name("ecolens-checkpoint".into())
            .spawn_scoped(scope, || ecolens_core::store::checkpoint(&file));
        let indexed = synced_index(project, cancel, &|_| {});
        if let Ok(handle) = checkpoint {
            // A failed checkpoint loses nothing: the log stays and is copied later.
            let _ = handle.join();
        }
        indexed
    })
}

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Turn Rayyan/ASReview review labels into screening votes.
    pub labels_as_votes: bool,
    /// How PDFs are read (`None`: they are reported as not readable).
    pub pdf: Option<PdfSetup>,
    /// Parsing and indexing threads (`None`: the machine's cores, at most 4).
    pub threads: Option<usize>,
    /// Read files again that an earlier import read (same content).
    pub again: bool,
}

/// What an import did, and the index after it.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The import's report (files, records, merges, problems).
    pub import: ImportReport,
    /// The search index brought up to date.
    pub index: SyncReport,
}

/// Imports files and folders in one transaction and brings the search index up to date: a
/// new project's records are indexed while they are stored (on the cores the single-threaded
/// store leaves idle); otherwise the index catches up after the commit while the log is
/// checkpointed. Cancelled: nothing is written, and the report says so.
pub fn import(
    project: &mut Project,
    request: &ImportRequest,
    cancel: &AtomicBool,
    progress: &dyn Fn(&ImportProgress),
) -> Result<Imported> {
    // Up to date first, so a new project's records can be indexed while they are stored.
    let (mut index, _) = synced_index(project, cancel, &|_| {})?;
    let threads = request.threads.unwrap_or_else(worker_threads);
    let sync = SyncOptions::bulk(threads, cancel, &|_| {});
    let (report, indexed) = import_and_index(
        project,
        &request.paths,
        &ImportOptions {
            threads,
            cancel,
            progress,
            labels_as_votes: request.labels_as_votes,
            pdf: request.pdf.as_ref(),
            again: request.again,
        },
        Some((&mut index, &sync)),
    )?;
    drop(index);
    let index = match indexed {
        Some(index) => index,
        // A cancelled import wrote nothing: nothing to index.
        None if report.cancelled => SyncReport::default(),
        None => index_after_import(project, cancel)?.1,
    };
    Ok(Imported {
        import: report,
        index,
    })
}

/// Turns a query error into [`Error::Query`] with the query as typed.
fn located(query: &str) -> impl Fn(ecolens_corpus::Error) -> Error + '_ {
    move |error| match error {
        ecolens_corpus::Error::Query(error) => Error::Query {
            query: query.to_owned(),
            error,
        },
        other => other.into(),
    }
}

/// Searches the project as `reader` may (judgement filters: their own while blind).
pub fn search(
    project: &mut Project,
    reader: Option<ReviewerId>,
    query: &str,
    page: Page,
) -> Result<SearchResults> {
    let seen = seen_by(project, reader)?;
    let (index, _) = synced_index(project, &AtomicBool::new(false), &|_| {})?;
    index
        .search(project, &seen, query, page)
        .map_err(located(query))
}

/// Which records an export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every record.
    All,
    /// Those a search selects.
    Query(String),
    /// These records.
    Records(Vec<RecordId>),
}

/// An export to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: ExportFormat,
    /// How screening decisions are written.
    pub labels: LabelStyle,
    /// Which records.
    pub selection: Selection,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The file, format, records and bytes.
    #[serde(flatten)]
    pub report: ExportReport,
    /// Whose review fields it carries: everyone's, or only the reader's while blind (none
    /// when no reader was named).
    pub review_fields: ecolens_core::Sees,
    /// The reader, when named.
    pub reader: Option<String>,
}

/// Writes an export with the review fields `reader` may see.
pub fn export(
    project: &mut Project,
    reader: Option<ReviewerId>,
    request: &ExportRequest,
) -> Result<Exported> {
    let seen = seen_by(project, reader)?;
    let only = match &request.selection {
        Selection::All => None,
        Selection::Records(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            Some(ids)
        }
        Selection::Query(query) => {
            let (index, _) = synced_index(project, &AtomicBool::new(false), &|_| {})?;
            Some(index.matching_ids(&seen, query).map_err(located(query))?)
        }
    };
    let report = ecolens_corpus::export::export_file(
        project,
        &seen,
        &request.path,
        request.format,
        request.labels,
        only.as_deref(),
    )?;
    Ok(Exported {
        report,
        review_fields: seen.sees(),
        reader: seen.reader().map(|r| r.name.clone()),
    })
}

/// What a rebuild of the index did.
#[derive(Debug, Clone, Serialize)]
pub struct Reindexed {
    /// The rebuild.
    pub report: SyncReport,
    /// The index after it.
    pub status: IndexStatus,
}

/// Rebuilds the search index from the project file.
pub fn reindex(
    project: &mut Project,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64),
) -> Result<Reindexed> {
    let mut index = SearchIndex::open(project)?;
    let report = index.rebuild(
        project,
        &SyncOptions::bulk(worker_threads(), cancel, progress),
    )?;
    let status = index.status(project)?;
    Ok(Reindexed { report, status })
}

/// The merges of duplicates (into one record, or all), newest first; undone ones with `all`.
pub fn merges(project: &Project, record: Option<RecordId>, all: bool) -> Result<Vec<MergeEntry>> {
    Ok(project.merges(record, all)?)
}

/// What undoing a merge did.
#[derive(Debug, Clone, Serialize)]
pub struct MergeUndone {
    /// The merge.
    pub merge: MergeId,
    /// The record the duplicate is again.
    pub restored: RecordId,
    /// The index brought up to date.
    pub index: SyncReport,
}

/// Undoes a merge: the duplicate becomes its own record again; the index follows.
pub fn undo_merge(project: &mut Project, merge: MergeId) -> Result<MergeUndone> {
    let restored = project.undo_merge(merge)?;
    let (_, index) = synced_index(project, &AtomicBool::new(false), &|_| {})?;
    Ok(MergeUndone {
        merge,
        restored,
        index,
    })
}

/// The record a reference names: an id, a DOI, `pmid:N` or `arxiv:ID`.
pub fn record(project: &Project, reference: &str) -> Result<RecordId> {
    Ok(project.resolve_record(reference)?)
}

/// Changes to a record's fields as a person types them (the command line's `record edit` and
/// `record new`, the window's record form): a field given replaces what the record holds, an
/// empty text clears it, and fields named in `clear` are emptied. Identifiers are checked as
/// they are parsed, and the error names the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldChanges {
    /// A kind code (`journal_article`, `project` …).
    pub kind: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Authors in order, each as bibliographies write names ("Family, Given", "Given
    /// Family", an organisation): read by [`ecolens_corpus::text::parse_person`].
    pub authors: Option<Vec<String>>,
    /// Editors, written as authors are.
    pub editors: Option<Vec<String>>,
    /// The year.
    pub year: Option<String>,
    /// Venue; a project's programme.
    pub venue: Option<String>,
    /// Volume.
    pub volume: Option<String>,
    /// Issue; a project's grant number.
    pub issue: Option<String>,
    /// Pages.
    pub pages: Option<String>,
    /// Publisher; a project's funder.
    pub publisher: Option<String>,
    /// DOI (bare, `doi:` or a doi.org link).
    pub doi: Option<String>,
    /// PubMed id.
    pub pmid: Option<String>,
    /// arXiv id.
    pub arxiv: Option<String>,
    /// Landing page (http or https).
    pub url: Option<String>,
    /// Abstract; a project's summary.
    pub abstract_text: Option<String>,
    /// Keywords, replacing the record's.
    pub keywords: Option<Vec<String>>,
    /// Notes.
    pub notes: Option<String>,
    /// Running time, `2024-01/2026-12`.
    pub period: Option<String>,
    /// Fields to empty, by name ([`CLEARABLE`]).
    pub clear: Vec<String>,
}

/// Empties one field of a record.
pub type EmptyField = fn(&mut ecolens_core::Record);

/// The fields [`FieldChanges::clear`] empties, by every name a reviewer may call them (a
/// project's names too), each with what emptying it does.
pub const CLEARABLE: &[(&str, EmptyField)] = &[
    ("title", |r| r.title.clear()),
    ("authors", |r| r.authors.clear()),
    ("editors", |r| r.editors.clear()),
    ("year", |r| r.year = None),
    ("venue", |r| r.venue = None),
    ("programme", |r| r.venue = None),
    ("volume", |r| r.volume = None),
    ("issue", |r| r.issue = None),
    ("grant-number", |r| r.issue = None),
    ("pages", |r| r.pages = None),
    ("publisher", |r| r.publisher = None),
    ("funder", |r| r.publisher = None),
    ("doi", |r| r.doi = None),
    ("pmid", |r| r.pmid = None),
    ("arxiv", |r| r.arxiv = None),
    ("url", |r| r.url = None),
    ("abstract", |r| r.abstract_text = None),
    ("summary", |r| r.abstract_text = None),
    ("keywords", |r| r.keywords.clear()),
    ("notes", |r| r.notes = None),
    ("period", |r| r.period = None),
];

impl FieldChanges {
    /// The record's one-value fields as text, as a form shows them; [`FieldChanges::apply`]
    /// gives them back. People and keywords, which a form edits as lists, are left as they
    /// are (`None`).
    pub fn texts_of(record: &ecolens_core::Record) -> Self {
        let text = |value: Option<&str>| Some(value.unwrap_or_default().to_owned());
        Self {
            kind: text(Some(record.kind.code())),
            title: text(Some(&record.title)),
            year: Some(record.year.map(|y| y.to_string()).unwrap_or_default()),
            venue: text(record.venue.as_deref()),
            volume: text(record.volume.as_deref()),
            issue: text(record.issue.as_deref()),
            pages: text(record.pages.as_deref()),
            publisher: text(record.publisher.as_deref()),
            doi: text(record.doi.as_ref().map(ecolens_core::Doi::as_str)),
            pmid: text(record.pmid.as_ref().map(ecolens_core::Pmid::as_str)),
            arxiv: text(record.arxiv.as_ref().map(ecolens_core::ArxivId::as_str)),
            url: text(record.url.as_deref()),
            abstract_text: text(record.abstract_text.as_deref()),
            notes: text(record.notes.as_deref()),
            period: Some(record.period.map(|p| p.to_string()).unwrap_or_default()),
            ..Self::default()
        }
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the changes to `record`; the first value that cannot be read fails, naming its
    /// field, and leaves the caller's record to be thrown away.
    pub fn apply(&self, record: &mut ecolens_core::Record) -> Result<()> {
        use ecolens_core::{ArxivId, Doi, Period, Pmid, RecordKind};
        let text = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        let people = |names: &[String]| {
            names
                .iter()
                .filter_map(|n| ecolens_corpus::text::parse_person(n))
                .collect()
        };
        for name in &self.clear {
            let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
            let (_, empty) = CLEARABLE
                .iter()
                .find(|(field, _)| *field == wanted)
                .ok_or_else(|| Error::Invalid {
                    field: "clear",
                    value: name.clone(),
                    expected: format!(
                        "one of {}",
                        CLEARABLE
                            .iter()
                            .map(|(f, _)| *f)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
            empty(record);
        }
        if let Some(kind) = &self.kind {
            record.kind = RecordKind::parse("kind", kind)?;
        }
        if let Some(title) = &self.title {
            title.trim().clone_into(&mut record.title);
        }
        if let Some(names) = &self.authors {
            record.authors = people(names);
        }
        if let Some(names) = &self.editors {
            record.editors = people(names);
        }
        if let Some(year) = &self.year {
            record.year = match text(year) {
                None => None,
                Some(year) => Some(year.parse().map_err(|_| Error::Invalid {
                    field: "year",
                    value: year.clone(),
                    expected: "a year such as 2021".into(),
                })?),
            };
        }
        for (value, field) in [
            (&self.venue, &mut record.venue),
            (&self.volume, &mut record.volume),
            (&self.issue, &mut record.issue),
            (&self.pages, &mut record.pages),
            (&self.publisher, &mut record.publisher),
            (&self.url, &mut record.url),
            (&self.abstract_text, &mut record.abstract_text),
            (&self.notes, &mut record.notes),
        ] {
            if let Some(value) = value {
                *field = text(value);
            }
        }
        if let Some(doi) = &self.doi {
            record.doi = text(doi).map(|d| Doi::parse("doi", &d)).transpose()?;
        }
        if let Some(pmid) = &self.pmid {
            record.pmid = text(pmid).map(|p| Pmid::parse("pmid", &p)).transpose()?;
        }
        if let Some(arxiv) = &self.arxiv {
            record.arxiv = text(arxiv)
                .map(|a| ArxivId::parse("arxiv", &a))
                .transpose()?;
        }
        if let Some(period) = &self.period {
            record.period = text(period)
                .map(|p| Period::parse("period", &p))
                .transpose()?;
        }
        if let Some(keywords) = &self.keywords {
            record.keywords = keywords.iter().filter_map(|k| text(k)).collect();
        }
        Ok(())
    }
}

/// What an edit or a hand entry did. The search index catches up at its next sync (every
/// search and list starts with one), on whichever thread owns it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordSaved {
    /// What changed.
    #[serde(flatten)]
    pub edit: ecolens_core::RecordEdit,
    /// The record as it is now.
    pub now: ecolens_core::StoredRecord,
}

impl RecordSaved {
    /// The fields that changed, named for the record's kind ("year", "funder", "summary").
    pub fn changed_names(&self) -> Vec<String> {
        self.edit
            .changed
            .iter()
            .map(|field| field_name(self.now.record.kind, field))
            .collect()
    }

    /// What to say about other records with the same identifiers, if any.
    pub fn duplicate_note(&self) -> Option<String> {
        let others = &self.edit.same_identifier;
        (!others.is_empty()).then(|| {
            let ids: Vec<String> = others.iter().map(ToString::to_string).collect();
            format!(
                "Record {} has the same DOI, PMID or arXiv id: probably a duplicate",
                ids.join(", ")
            )
        })
    }
}

/// A record field's name (as [`ecolens_core::Record::changed_fields`] gives it) as a reviewer
/// reads it for a record of `kind`: a project's publisher is its funder, and so on.
pub fn field_name(kind: ecolens_core::RecordKind, field: &str) -> String {
    use ecolens_core::BaseField;
    let base = match field {
        "venue" => Some(BaseField::Venue),
        "publisher" => Some(BaseField::Publisher),
        "issue" => Some(BaseField::Issue),
        "abstract_text" => Some(BaseField::Abstract),
        _ => None,
    };
    base.map_or_else(
        || field.replace('_', " "),
        |base| kind.field_label(base).to_lowercase(),
    )
}

/// Saves a reviewer's edit of a record (`seen` is the content they started from: a change
/// made since is not overwritten), in the one form imports give records
/// ([`ecolens_corpus::normalise::normalise`]).
pub fn edit_record(
    project: &mut Project,
    reviewer: ReviewerId,
    id: RecordId,
    seen: &ecolens_core::Record,
    edited: &ecolens_core::Record,
) -> Result<RecordSaved> {
    let mut edited = edited.clone();
    ecolens_corpus::normalise::normalise(&mut edited);
    let edit = project.edit_record(reviewer, id, seen, &edited)?;
    Ok(RecordSaved {
        now: project.record(id)?,
        edit,
    })
}

/// Adds a record a reviewer entered by hand, in the one form imports give records.
pub fn enter_record(
    project: &mut Project,
    reviewer: ReviewerId,
    record: &ecolens_core::Record,
) -> Result<RecordSaved> {
    let mut record = record.clone();
    ecolens_corpus::normalise::normalise(&mut record);
    if record.title.is_empty() {
        // Databases export records without titles; a person entering one gives it a name.
        return Err(Error::Invalid {
            field: "title",
            value: String::new(),
            expected: "a title for a record entered by hand".into(),
        });
    }
    let edit = project.enter_record(reviewer, &record)?;
    Ok(RecordSaved {
        now: project.record(edit.record)?,
        edit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A form filled from a record and saved untouched gives the record back: opening Edit
    /// and saving changes nothing, for every record of the demo corpus and a project.
    #[test]
    fn a_record_read_into_a_form_and_back_is_the_same_record() {
        let mut project = Project::open_in_memory().unwrap();
        ecolens_corpus::demo::install_demo(&mut project).unwrap();
        let mut records: Vec<ecolens_core::Record> = (1..=47)
            .map(|id| project.record(RecordId(id)).unwrap().record)
            .collect();
        let mut grant = ecolens_core::Record::titled("GreenSched");
        grant.kind = ecolens_core::RecordKind::Project;
        grant.publisher = Some("ANR".into());
        grant.period = Some(ecolens_core::Period::parse("period", "2025-10/").unwrap());
        records.push(grant);
        for record in records {
            let mut back = ecolens_core::Record {
                authors: record.authors.clone(),
                editors: record.editors.clone(),
                ..ecolens_core::Record::default()
            };
            FieldChanges {
                keywords: Some(record.keywords.clone()),
                ..FieldChanges::texts_of(&record)
            }
            .apply(&mut back)
            .unwrap();
            assert_eq!(back, record, "{}", record.title);
            assert!(record.changed_fields(&back).is_empty());
        }
    }

    #[test]
    fn clearing_takes_every_name_a_field_has_and_refuses_others() {
        let mut record = ecolens_core::Record::titled("T");
        record.publisher = Some("ANR".into());
        record.abstract_text = Some("Text".into());
        let clear = |names: &[&str]| FieldChanges {
            clear: names.iter().map(|n| (*n).to_owned()).collect(),
            ..FieldChanges::default()
        };
        clear(&["funder", "Summary"]).apply(&mut record).unwrap();
        assert_eq!((record.publisher, record.abstract_text), (None, None));
        let refused = clear(&["colour"]).apply(&mut ecolens_core::Record::default());
        assert!(
            matches!(refused, Err(Error::Invalid { field: "clear", .. })),
            "{refused:?}"
        );
        assert!(FieldChanges::default().is_empty() && !clear(&["doi"]).is_empty());
    }
}
