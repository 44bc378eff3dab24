//! `import`, `search`, `export`, `reindex` and `merges`: the corpus commands, printed.

// Progress goes to stderr when it is a terminal.
#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use ecolens_core::{MergeId, Project};
use ecolens_corpus::export::{ExportFormat, LabelStyle};
use ecolens_corpus::import::{ImportProgress, ImportReport};
use ecolens_corpus::index::{Page, SyncReport, mark};

use super::{Keyboard, Output};
use crate::service::corpus::{self as service, ExportRequest, ImportRequest, Selection};

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

/// `ecolens import PATH...`
pub fn import(
    project: &mut Project,
    paths: Vec<PathBuf>,
    verbose: bool,
    labels_as_votes: bool,
    again: bool,
) -> Result<Output> {
    let cancel = AtomicBool::new(false);
    let terminal = std::io::stderr().is_terminal();
    let progress = |p: &ImportProgress| {
        if terminal {
            eprint!("\r\x1b[K{}", service::progress_line(p));
        }
    };
    let request = ImportRequest {
        paths,
        labels_as_votes,
        pdf: Some(service::pdf_setup()?),
        threads: None,
        again,
    };
    let imported = service::import(project, &request, &cancel, &progress);
    clear_progress();
    let imported = imported?;
    let json = serde_json::json!({
        "project": project.path(),
        "import": imported.import,
        "index": imported.index,
    });
    let text = import_text(project, &imported.import, &imported.index, verbose)?;
    // The files that could be read are imported; one that could not makes the command fail.
    let failed = !imported.import.failed.is_empty();
    Ok(Output { json, text, failed })
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
    let read = report.files.iter().filter(|f| f.was_read()).count();
    writeln!(
        text,
        "Imported {read} file(s) into {}{run}{}",
        project.path().display(),
        if report.failed.is_empty() {
            String::new()
        } else {
            format!("; {} not read", report.failed.len())
        }
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
        "Records: {} read, {} new, {} duplicates merged, {} linked as errata or preprints, {} pairs flagged as possible duplicates{}",
        report.records_read,
        report.records_imported,
        report.duplicates_merged,
        report.related_linked,
        report.possible_duplicates,
        if report.already_present > 0 {
            format!(
                ", {} already in the project from the same file and line",
                report.already_present
            )
        } else {
            String::new()
        }
    )?;
    let skipped: Vec<&ecolens_corpus::import::FileReport> =
        report.files.iter().filter(|f| f.skipped()).collect();
    if !skipped.is_empty() {
        writeln!(
            text,
            "Already imported, not read again ({}; --again reads them anyway):",
            skipped.len()
        )?;
        for file in skipped {
            let when = match (&file.already_imported, &file.same_as) {
                (Some(earlier), _) => format!(
                    "the same content as {}, read by {}",
                    earlier.path,
                    earlier.describe()
                ),
                (None, Some(first)) => {
                    format!("the same content as {} in this import", first.display())
                }
                (None, None) => String::new(),
            };
            writeln!(text, "  {}: {when}", file.path.display())?;
        }
    }
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
    if !report.failed.is_empty() {
        writeln!(text, "Files not read ({}):", report.failed.len())?;
        for problem in &report.failed {
            writeln!(text, "  {problem}")?;
        }
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
pub fn search(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    query: &str,
    offset: usize,
    limit: usize,
) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let results = service::search(project, reader, query, Page { offset, limit })?;
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
            mark(
                ecolens_core::record::shown_title(&hit.title),
                &hit.title_highlights,
                open,
                close
            )
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
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens export OUT --format F [--labels S] [--query Q]`
pub fn export(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    out: PathBuf,
    format: ExportFormat,
    labels: LabelStyle,
    query: Option<String>,
) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let request = ExportRequest {
        path: out,
        format,
        labels,
        selection: query.clone().map_or(Selection::All, Selection::Query),
    };
    let exported = service::export(project, reader, &request)?;
    let json = serde_json::to_value(&exported)?;
    let report = &exported.report;
    let fields = match (exported.review_fields, &exported.reader) {
        (ecolens_core::Sees::Everyone(_), _) => String::new(),
        (ecolens_core::Sees::Own, Some(name)) => {
            format!("; review fields: {name}'s own (blind mode hides the others')")
        }
        (ecolens_core::Sees::Own, None) => {
            "; no review fields (blind mode is on: --reviewer NAME exports yours)".to_owned()
        }
    };
    let text = format!(
        "Exported {} records to {} ({}, {} bytes{}{fields})\n",
        report.records,
        report.path.display(),
        format.name(),
        report.bytes,
        query
            .map(|q| format!("; records matching {q}"))
            .unwrap_or_default()
    );
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens reindex`
pub fn reindex(project: &mut Project) -> Result<Output> {
    let cancel = AtomicBool::new(false);
    let progress = progress_printer("indexed");
    let reindexed = service::reindex(project, &cancel, &|done| progress(done));
    clear_progress();
    let reindexed = reindexed?;
    let json = serde_json::to_value(&reindexed)?;
    let text = format!(
        "Search index rebuilt: {} records in {:.1} s ({} segments) at {}\n",
        reindexed.report.records_indexed,
        to_seconds(reindexed.report.elapsed_ms),
        reindexed.status.segments,
        reindexed
            .status
            .location
            .as_ref()
            .map_or_else(|| "memory".to_owned(), |p| p.display().to_string())
    );
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens merges [--record ID] [--all]`
pub fn merges(project: &Project, record: Option<&str>, all: bool) -> Result<Output> {
    let record = record
        .map(|reference| service::record(project, reference))
        .transpose()?;
    let merges = service::merges(project, record, all)?;
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
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens merges undo MERGE`
pub fn undo_merge(project: &mut Project, merge: i64) -> Result<Output> {
    let undone = service::undo_merge(project, MergeId(merge))?;
    let json =
        serde_json::json!({ "merge": merge, "restored": undone.restored, "index": undone.index });
    let text = format!(
        "Merge {merge} undone: the duplicate is record #{} again, and the two will not be merged again.\n",
        undone.restored
    );
    Ok(Output {
        json,
        text,
        failed: false,
    })
}
