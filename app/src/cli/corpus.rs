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
            // One line per snippet: an abstract's paragraphs are joined as the hit's layout
            // needs (a line break and a space are one byte each, so the marks stay put).
            writeln!(
                text,
                "                       {field}{}",
                snippet.marked(open, close).replace('\n', " ")
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

/// `ecolens record show|edit|new`.
pub fn record(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    action: super::RecordCommand,
) -> Result<Output> {
    match action {
        super::RecordCommand::Show { record } => {
            let id = service::record(project, &record)?;
            let stored = project.record(id)?;
            Ok(Output {
                text: record_text(&stored),
                json: serde_json::to_value(&stored)?,
                failed: false,
            })
        }
        super::RecordCommand::Edit { record, fields } => {
            let changes = fields.into_changes();
            if changes.is_empty() {
                anyhow::bail!(
                    "record edit: no field given; name what to change (--title, --year, --abstract, --clear FIELD …; `ecolens record edit --help` lists them)"
                );
            }
            let who = keyboard.author(project, "editing a record")?;
            let id = service::record(project, &record)?;
            let seen = project.record(id)?.record;
            let mut edited = seen.clone();
            changes.apply(&mut edited)?;
            let saved = service::edit_record(project, who, id, &seen, &edited)?;
            saved_output(&saved, "edited")
        }
        super::RecordCommand::New { fields } => {
            let who = keyboard.author(project, "entering a record")?;
            let mut record = ecolens_core::Record::default();
            fields.into_changes().apply(&mut record)?;
            let saved = service::enter_record(project, who, &record)?;
            saved_output(&saved, "entered")
        }
    }
}

fn saved_output(saved: &service::RecordSaved, verb: &str) -> Result<Output> {
    let mut text = String::new();
    let id = saved.edit.record;
    if saved.edit.changed.is_empty() {
        writeln!(text, "record {id}: nothing changed")?;
    } else {
        writeln!(
            text,
            "record {id} {verb}: {} (`ecolens undo` takes it back)",
            saved.changed_names().join(", ")
        )?;
    }
    if let Some(note) = saved.duplicate_note() {
        writeln!(text, "note: {note}")?;
    }
    text.push('\n');
    text.push_str(&record_text(&saved.now));
    Ok(Output {
        text,
        json: serde_json::to_value(saved)?,
        failed: false,
    })
}

/// Every field of a record, one per line, named for its kind; then where it came from.
fn record_text(stored: &ecolens_core::StoredRecord) -> String {
    use ecolens_core::BaseField;
    let record = &stored.record;
    let kind = record.kind;
    let names = |people: &[ecolens_core::Person]| {
        people
            .iter()
            .map(|p| match &p.given {
                Some(given) => format!("{}, {given}", p.family),
                None => p.family.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut lines: Vec<(String, String)> = vec![
        ("Type".into(), kind.label().into()),
        ("Title".into(), record.shown_title().into()),
    ];
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            lines.push((name.to_owned(), value));
        }
    };
    put("Authors", Some(names(&record.authors)));
    put("Editors", Some(names(&record.editors)));
    put("Year", record.year.map(|y| y.to_string()));
    put("Period", record.period.map(|p| p.to_string()));
    put(kind.field_label(BaseField::Venue), record.venue.clone());
    put("Volume", record.volume.clone());
    put(kind.field_label(BaseField::Issue), record.issue.clone());
    put("Pages", record.pages.clone());
    put(
        kind.field_label(BaseField::Publisher),
        record.publisher.clone(),
    );
    put("DOI", record.doi.as_ref().map(|d| d.as_str().to_owned()));
    put("PMID", record.pmid.as_ref().map(|p| p.as_str().to_owned()));
    put(
        "arXiv",
        record.arxiv.as_ref().map(|a| a.as_str().to_owned()),
    );
    put("URL", record.url.clone());
    put("Keywords", Some(record.keywords.join("; ")));
    put(
        kind.field_label(BaseField::Abstract),
        record.abstract_text.clone(),
    );
    put("Notes", record.notes.clone());
    let width = lines
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    let mut text = format!("record {}\n", stored.id);
    for (name, value) in &lines {
        let mut value_lines = value.lines();
        let first = value_lines.next().unwrap_or_default();
        let _ = writeln!(text, "  {:<width$} {first}", format!("{name}:"));
        for more in value_lines {
            let _ = writeln!(text, "  {:<width$} {more}", "");
        }
    }
    for source in &stored.sources {
        let place = source
            .locator
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "  {:<width$} {} [{}]{place}",
            "Source:", source.file, source.format
        );
    }
    let _ = writeln!(
        text,
        "  {:<width$} added {}, changed {}",
        "When:", stored.added_at, stored.updated_at
    );
    text
}
