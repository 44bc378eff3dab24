//! Headless corpus commands: import, search, reindex, merges. Each returns what it prints in
//! both forms (text and JSON); the work itself is done by `ecolens-corpus`.

// Progress goes to stderr when it is a terminal.
#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use ecolens_core::{MergeId, Project};
use ecolens_corpus::import::{
    ImportOptions, ImportProgress, ImportReport, PdfSetup, import_and_index,
};
use ecolens_corpus::index::{Page, SearchIndex, SyncOptions, SyncReport, mark};
use ecolens_corpus::pdf::{ExtractorCommand, PdfLimits};

use crate::cli::Output;

/// Threads for parsing and indexing: the machine's cores, at most 4.
pub fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(4)
}

/// Opens the project's index and brings it up to date; progress on a terminal's stderr.
pub fn synced_index(project: &mut Project) -> Result<(SearchIndex, SyncReport)> {
    let mut index = SearchIndex::open(project).context("cannot open the search index")?;
    let cancel = AtomicBool::new(false);
    let threads = worker_threads();
    let progress = progress_printer("indexed");
    let report = index
        .sync(
            project,
            &SyncOptions::bulk(threads, &cancel, &|done| progress(done)),
        )
        .context("cannot bring the search index up to date")?;
    clear_progress();
    Ok((index, report))
}

/// Brings the index up to date while another thread copies the write-ahead log into the
/// project file (what a large import leaves to do): the two overlap instead of queueing.
pub fn index_after_import(project: &mut Project) -> Result<(SearchIndex, SyncReport)> {
    let file = project.path().to_owned();
    std::thread::scope(|scope| {
        let checkpoint = std::thread::Builder::new()
            .name("ecolens-checkpoint".into())
            .spawn_scoped(scope, || ecolens_core::store::checkpoint(&file));
        let indexed = synced_index(project);
        if let Ok(handle) = checkpoint {
            // A failed checkpoint loses nothing: the log stays and is copied later.
            let _ = handle.join();
        }
        indexed
    })
}

/// Prints "`verb` N records" over itself on a terminal's stderr; silent otherwise.
fn progress_printer(verb: &'static str) -> impl Fn(u64) {
    let terminal = std::io::stderr().is_terminal();
    move |done| {
        if terminal && done > 0 {
            eprint!("\r{verb} {done} records…");
        }
    }
}

fn clear_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}

/// How this binary reads PDFs: it runs itself with the hidden `extract-pdf` subcommand.
pub fn pdf_setup() -> Result<PdfSetup> {
    let program =
        std::env::current_exe().context("cannot find the ecolens binary to read PDFs with")?;
    Ok(pdf_setup_for(program))
}

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

/// `ecolens import PATH...`
pub fn import(
    project: &mut Project,
    paths: &[PathBuf],
    verbose: bool,
    labels_as_votes: bool,
) -> Result<Output> {
    let cancel = AtomicBool::new(false);
    let terminal = std::io::stderr().is_terminal();
    let progress = |p: &ImportProgress| {
        if terminal {
            eprint!("\r\x1b[K{}", progress_line(p));
        }
    };
    // Up to date first, so a new project's records can be indexed while they are stored.
    let (mut search_index, _) = synced_index(project)?;
    let threads = worker_threads();
    let index_cancel = AtomicBool::new(false);
    let sync = SyncOptions::bulk(threads, &index_cancel, &|_| {});
    let (report, indexed) = import_and_index(
        project,
        paths,
        &ImportOptions {
            threads,
            cancel: &cancel,
            progress: &progress,
            labels_as_votes,
            pdf: Some(&pdf_setup()?),
        },
        Some((&mut search_index, &sync)),
    )
    .context("import failed; nothing was written")?;
    clear_progress();
    drop(search_index);
    let index = match indexed {
        Some(index) => index,
        None => index_after_import(project)?.1,
    };
    let json = serde_json::json!({
        "project": project.path(),
        "import": report,
        "index": index,
    });
    let text = import_text(project, &report, &index, verbose)?;
    Ok(Output { json, text })
}

fn import_text(
    project: &Project,
    report: &ImportReport,
    index: &SyncReport,
    verbose: bool,
) -> Result<String> {
    let mut text = String::new();
    let run = report
        .import_id
        .map(|id| format!(" (import #{id})"))
        .unwrap_or_default();
    writeln!(
        text,
        "Imported {} files into {}{run}",
        report.files.len(),
        project.path().display()
    )?;
    if !report.files.is_empty() {
        let width = |header: &str, cell: &dyn Fn(&ecolens_corpus::import::FileReport) -> usize| {
            report
                .files
                .iter()
                .map(cell)
                .max()
                .unwrap_or(0)
                .max(header.len())
        };
        let name_width = width("file", &|f| f.path.display().to_string().chars().count());
        let format_width = width("format", &|f| f.format.as_deref().map_or(1, str::len));
        let encoding_width = width("encoding", &|f| f.encoding.as_deref().map_or(1, str::len));
        writeln!(
            text,
            "  {:name_width$}  {:format_width$}  {:encoding_width$}  {:>8}  {:>8}  {:>7}  {:>8}  {:>8}",
            "file", "format", "encoding", "read", "new", "merged", "rejected", "warnings"
        )?;
        for file in &report.files {
            writeln!(
                text,
                "  {:name_width$}  {:format_width$}  {:encoding_width$}  {:>8}  {:>8}  {:>7}  {:>8}  {:>8}",
                file.path.display().to_string(),
                file.format.as_deref().unwrap_or("-"),
                file.encoding.as_deref().unwrap_or("-"),
                file.records_read,
                file.records_imported,
                file.duplicates_merged,
                file.rejected,
                file.warnings
            )?;
        }
    }
    writeln!(
        text,
        "Records: {} read, {} new, {} duplicates merged, {} linked as errata or preprints, {} pairs flagged as possible duplicates",
        report.records_read,
        report.records_imported,
        report.duplicates_merged,
        report.related_linked,
        report.possible_duplicates
    )?;
    let attached: Vec<String> = report
        .files
        .iter()
        .filter_map(|file| {
            let outcome = file.full_text.as_ref()?;
            let name = file.path.file_name().map_or_else(
                || file.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let how = match outcome.matched_by {
                "doi" => "matched by DOI",
                "title" => "matched by title",
                _ => "new record",
            };
            Some(format!(
                "  {name} → #{} ({how}; {} pages, {} words, {})",
                outcome.record, outcome.pages, outcome.words, outcome.extractor
            ))
        })
        .collect();
    if !attached.is_empty() {
        writeln!(text, "Full texts ({}):", attached.len())?;
        for line in attached {
            writeln!(text, "{line}")?;
        }
    }
    for label in &report.labels {
        writeln!(
            text,
            "Review labels ({}{}): {} include, {} exclude, {} maybe; {} recorded as title/abstract votes{}",
            label.tool,
            label
                .reviewer
                .as_ref()
                .map(|r| format!(", {r}"))
                .unwrap_or_default(),
            label.include,
            label.exclude,
            label.maybe,
            label.votes_recorded,
            if label.conflicts > 0 {
                format!(
                    ", {} differed from votes already recorded (kept)",
                    label.conflicts
                )
            } else {
                String::new()
            }
        )?;
    }
    if !report.rejected.is_empty() {
        writeln!(text, "Rejected ({}):", report.rejected.len())?;
        for problem in &report.rejected {
            writeln!(text, "  {problem}")?;
        }
    }
    if !report.warnings.is_empty() {
        let shown = if verbose { report.warnings.len() } else { 10 };
        writeln!(text, "Warnings ({}):", report.warnings.len())?;
        for problem in report.warnings.iter().take(shown) {
            writeln!(text, "  {problem}")?;
        }
        if report.warnings.len() > shown {
            writeln!(
                text,
                "  … {} more (--verbose or --json lists them all)",
                report.warnings.len() - shown
            )?;
        }
    }
    writeln!(
        text,
        "Search index: {} records {} in {:.1} s",
        index.records_indexed,
        if index.rebuilt {
            "indexed (rebuilt)"
        } else {
            "indexed"
        },
        to_seconds(index.elapsed_ms)
    )?;
    Ok(text)
}

#[allow(clippy::cast_precision_loss)]
fn to_seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// `ecolens search QUERY`
pub fn search(project: &mut Project, query: &str, offset: usize, limit: usize) -> Result<Output> {
    let (index, _) = synced_index(project)?;
    let results = match index.search(project, query, Page { offset, limit }) {
        Ok(results) => results,
        Err(ecolens_corpus::Error::Query(error)) => {
            // Point at the place, under the query as typed.
            anyhow::bail!(
                "{error}\n  {query}\n  {}^",
                " ".repeat(error.column.saturating_sub(1))
            );
        }
        Err(error) => return Err(error.into()),
    };
    let json = serde_json::to_value(&results)?;
    let mut text = String::new();
    let shown_to = offset + results.hits.len();
    writeln!(
        text,
        "{} records match {}{}",
        results.total,
        results.query,
        if results.hits.is_empty() {
            String::new()
        } else {
            format!("; showing {}–{shown_to}", offset + 1)
        }
    )?;
    let (open, close) = if std::io::stdout().is_terminal() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("«", "»")
    };
    for hit in &results.hits {
        writeln!(text)?;
        writeln!(
            text,
            "#{:<6} {:>6.2}  {}  {}",
            hit.id,
            hit.score,
            hit.year
                .map_or_else(|| "----".to_owned(), |y| y.to_string()),
            mark(&hit.title, &hit.title_highlights, open, close)
        )?;
        let venue = hit.venue.as_deref().unwrap_or("");
        let byline = match (hit.authors.is_empty(), venue.is_empty()) {
            (false, false) => format!("{} — {venue}", hit.authors),
            (false, true) => hit.authors.clone(),
            (true, false) => venue.to_owned(),
            (true, true) => String::new(),
        };
        if !byline.is_empty() {
            writeln!(text, "                       {byline}")?;
        }
        if let Some(snippet) = &hit.snippet {
            let field = if snippet.highlights.is_empty() {
                String::new()
            } else {
                format!("[{}] ", snippet.field.name())
            };
            writeln!(
                text,
                "                       {field}{}",
                snippet.marked(open, close)
            )?;
        }
    }
    Ok(Output { json, text })
}

/// `ecolens export OUT --format F [--labels S] [--query Q]`
pub fn export(
    project: &mut Project,
    out: &std::path::Path,
    format: ecolens_corpus::export::ExportFormat,
    labels: ecolens_corpus::export::LabelStyle,
    query: Option<&str>,
) -> Result<Output> {
    let only = match query {
        Some(query) => {
            let (index, _) = synced_index(project)?;
            Some(match index.matching_ids(project, query) {
                Ok(ids) => ids,
                Err(ecolens_corpus::Error::Query(error)) => anyhow::bail!(
                    "{error}\n  {query}\n  {}^",
                    " ".repeat(error.column.saturating_sub(1))
                ),
                Err(error) => return Err(error.into()),
            })
        }
        None => None,
    };
    let report = ecolens_corpus::export::export_file(project, out, format, labels, only.as_deref())
        .with_context(|| format!("export to {} failed", out.display()))?;
    let json = serde_json::to_value(&report)?;
    let text = format!(
        "Exported {} records to {} ({}, {} bytes{})\n",
        report.records,
        report.path.display(),
        format.name(),
        report.bytes,
        query
            .map(|q| format!("; records matching {q}"))
            .unwrap_or_default()
    );
    Ok(Output { json, text })
}

/// `ecolens reindex`
pub fn reindex(project: &mut Project) -> Result<Output> {
    let mut index = SearchIndex::open(project).context("cannot open the search index")?;
    let cancel = AtomicBool::new(false);
    let threads = worker_threads();
    let progress = progress_printer("indexed");
    let report = index
        .rebuild(
            project,
            &SyncOptions::bulk(threads, &cancel, &|done| progress(done)),
        )
        .context("cannot rebuild the search index")?;
    clear_progress();
    let status = index.status(project)?;
    let json = serde_json::json!({ "report": report, "status": status });
    let text = format!(
        "Search index rebuilt: {} records in {:.1} s ({} segments) at {}\n",
        report.records_indexed,
        to_seconds(report.elapsed_ms),
        status.segments,
        status
            .location
            .map_or_else(|| "memory".to_owned(), |p| p.display().to_string())
    );
    Ok(Output { json, text })
}

/// `ecolens merges [--record ID] [--all]`
pub fn merges(project: &Project, record: Option<&str>, all: bool) -> Result<Output> {
    let record = record
        .map(|reference| project.resolve_record(reference))
        .transpose()?;
    let merges = project.merges(record, all)?;
    let json = serde_json::to_value(&merges)?;
    let mut text = String::new();
    if merges.is_empty() {
        writeln!(text, "No merges{}.", if all { "" } else { " in effect" })?;
    }
    for merge in &merges {
        let state = match (merge.undone_at, merge.restored) {
            (Some(at), Some(restored)) => format!(" — undone {at}, restored as #{restored}"),
            (Some(at), None) => format!(" — undone {at}"),
            _ => String::new(),
        };
        writeln!(
            text,
            "merge {}: kept #{} ← \"{}\" from {} ({}){state}",
            merge.id,
            merge.kept,
            merge.merged.title,
            merge.merged_source.file,
            merge.merged_source.locator.as_deref().unwrap_or("-"),
        )?;
        writeln!(text, "    {}", merge.reason)?;
        let filled = merge.filled.names();
        if !filled.is_empty() {
            writeln!(text, "    filled in: {}", filled.join(", "))?;
        }
    }
    Ok(Output { json, text })
}

/// `ecolens merges undo MERGE`
pub fn undo_merge(project: &mut Project, merge: i64) -> Result<Output> {
    let restored = project.undo_merge(MergeId(merge))?;
    let (_, index) = synced_index(project)?;
    let json = serde_json::json!({ "merge": merge, "restored": restored, "index": index });
    let text = format!(
        "Merge {merge} undone: the duplicate is record #{restored} again, and the two will not be merged again.\n"
    );
    Ok(Output { json, text })
}
