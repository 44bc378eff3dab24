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
