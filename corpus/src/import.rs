//! Importing files into a project: every file read (formats and encodings detected), every
//! record checked for duplicates against the project and the records before it, new records
//! added, duplicates merged with provenance, related records linked — all in one transaction.
//! One bad record costs one problem line; a file that cannot be read costs one error line; a
//! cancelled import writes nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use ecolens_core::{
    Decision, EarlierImport, FullText, ImportId, ImportSession, ImportedFile, ImportedVote,
    Project, Record, RecordId, RelationKind, ScreeningVote, SourceRef,
};

use crate::dedup::DedupIndex;
use crate::error::Result;
use crate::index::{ImportIndexer, SearchIndex, SyncOptions, SyncReport};
use crate::labels::{ImportedLabel, LabelDecision, labels_in_notes, without_review_lines};
use crate::parsed::{Parsed, Problem, Severity};
use crate::pdf::{Extracted, ExtractorCommand, PdfLimits};
use crate::stream::read_file_blocks;

/// Extensions of bibliography files picked up when a folder is imported. Files named directly
/// are read whatever their extension (the format is detected from the content).
pub const BIBLIOGRAPHY_EXTENSIONS: [&str; 17] = [
    "ris", "txt", "nbib", "medline", "bib", "xml", "csv", "tsv", "json", "enw", "pdf", "isi",
    "ciw", "xlsx", "rdf", "gz", "biblatex",
];

/// How PDFs are read: the child process that extracts their text, and its limits.
#[derive(Debug, Clone)]
pub struct PdfSetup {
    /// The command that runs the extraction child.
    pub command: ExtractorCommand,
    /// Time and memory per file.
    pub limits: PdfLimits,
    /// Children at a time.
    pub workers: usize,
}

/// How an import runs.
pub struct ImportOptions<'a> {
    /// Threads that parse blocks of large files.
    pub threads: usize,
    /// Set to stop the import; nothing is written then.
    pub cancel: &'a AtomicBool,
    /// Called with progress now and then, on the importing thread.
    pub progress: &'a dyn Fn(&ImportProgress),
    /// Record review labels found in the files (Rayyan, ASReview) as title/abstract
    /// screening votes of the reviewer they name ("ASReview" when they name none).
    pub labels_as_votes: bool,
    /// How to read PDFs; `None` reports each PDF as not readable here.
    pub pdf: Option<&'a PdfSetup>,
    /// Read files again whose content an earlier import read (by default they are
    /// recognised and skipped). Records read again from the same file and line are still not
    /// added or merged twice.
    pub again: bool,
}

/// Where an import is.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportProgress {
    /// Files finished.
    pub files_done: usize,
    /// Files to read.
    pub files_total: usize,
    /// The file being read.
    pub current_file: Option<PathBuf>,
    /// Records read so far.
    pub records_read: u64,
    /// Records added so far.
    pub records_imported: u64,
    /// Duplicates merged so far.
    pub duplicates_merged: u64,
    /// Problems so far (rejections and warnings).
    pub problems: u64,
    /// PDFs whose text was extracted (or failed) so far.
    pub pdfs_done: usize,
    /// PDFs to read.
    pub pdfs_total: usize,
}

/// A problem located in a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LocatedProblem {
    /// The file.
    pub file: PathBuf,
    /// The problem, with its line.
    #[serde(flatten)]
    pub problem: Problem,
}

impl fmt::Display for LocatedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `file:line: …`, the form editors and terminals turn into links; line 0 is the file
        // as a whole.
        let text = self.problem.to_string();
        let rest = text
            .strip_prefix(&format!("line {}", self.problem.line))
            .unwrap_or(&text);
        if self.problem.line == 0 {
            write!(f, "{}{rest}", self.file.display())
        } else {
            write!(f, "{}:{}{rest}", self.file.display(), self.problem.line)
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Format recognised, if any.
    pub format: Option<String>,
    /// Encoding used, if read.
    pub encoding: Option<String>,
    /// Records read.
    pub records_read: u64,
    /// Records added as new.
    pub records_imported: u64,
    /// Records merged into others as duplicates.
    pub duplicates_merged: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Warnings (values left out, lines kept in notes …).
    pub warnings: u64,
    /// Why the file could not be read at all.
    pub error: Option<String>,
    /// For a PDF: the record its text was attached to, and how it was found.
    pub full_text: Option<FullTextOutcome>,
    /// Records read again from the same file and line as before: already in the project,
    /// neither added nor merged again.
    pub already_present: u64,
    /// An earlier import of the same content: the file was not read again.
    pub already_imported: Option<EarlierImport>,
    /// Another file of this import with the same content: this one was not read.
    pub same_as: Option<PathBuf>,
    /// SHA-256 of the file's bytes (hex), when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
}

impl FileReport {
    /// A file not read yet: nothing counted.
    fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            format: None,
            encoding: None,
            records_read: 0,
            records_imported: 0,
            duplicates_merged: 0,
            rejected: 0,
            warnings: 0,
            error: None,
            full_text: None,
            already_present: 0,
            already_imported: None,
            same_as: None,
            sha256: None,
            bytes: 0,
        }
    }

    /// A path that could not be read at all, as its problem says.
    fn not_read(problem: &LocatedProblem) -> Self {
        Self {
            error: Some(problem.problem.message.clone()),
            ..Self::new(&problem.file)
        }
    }

    /// Whether the file was read (whatever it held): not failed, not skipped as imported
    /// before.
    pub fn was_read(&self) -> bool {
        self.error.is_none() && !self.skipped()
    }

    /// Whether the file was skipped because its content was imported before (or is another
    /// file of this import).
    pub fn skipped(&self) -> bool {
        self.already_imported.is_some() || self.same_as.is_some()
    }
}

/// Where a PDF's text went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FullTextOutcome {
    /// The record.
    pub record: RecordId,
    /// `doi`, `title` or `new` (no record matched; one was made from the PDF).
    pub matched_by: &'static str,
    /// Pages.
    pub pages: u32,
    /// Words extracted.
    pub words: u64,
    /// The extractor used.
    pub extractor: String,
}

/// Review labels found in the imported records (Rayyan, ASReview conventions), per reviewer:
/// each counted once per record, however many copies of the record carried it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LabelCount {
    /// Tool whose convention.
    pub tool: String,
    /// Reviewer named, if any.
    pub reviewer: Option<String>,
    /// Includes.
    pub include: u64,
    /// Excludes.
    pub exclude: u64,
    /// Maybes.
    pub maybe: u64,
    /// Labels that became screening votes.
    pub votes_recorded: u64,
    /// Labels that differed from a vote the reviewer had already cast (the vote was kept).
    pub conflicts: u64,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// The import run, when it was committed.
    pub import_id: Option<ImportId>,
    /// Files read (or not), in order.
    pub files: Vec<FileReport>,
    /// Records read from all files.
    pub records_read: u64,
    /// Records added as new.
    pub records_imported: u64,
    /// Duplicates merged.
    pub duplicates_merged: u64,
    /// Records read again from the same file and line as before (neither added nor merged).
    pub already_present: u64,
    /// Files skipped because an earlier import read the same content.
    pub already_imported: u64,
    /// Records linked to others as errata or preprints.
    pub related_linked: u64,
    /// Pairs flagged as possible duplicates for a human to judge.
    pub possible_duplicates: u64,
    /// PDF texts attached to records.
    pub full_texts_attached: u64,
    /// Files that could not be read at all (not found, unreadable, not a known format): each
    /// also has its entry in `files`, with its `error`.
    pub failed: Vec<LocatedProblem>,
    /// Rejected records, located.
    pub rejected: Vec<LocatedProblem>,
    /// Warnings, located.
    pub warnings: Vec<LocatedProblem>,
    /// Review labels found in the records.
    pub labels: Vec<LabelCount>,
    /// `true` when the import was cancelled: nothing was written.
    pub cancelled: bool,
    /// Records added or changed (for the search index).
    #[serde(skip)]
    pub touched: Vec<RecordId>,
}

/// The files an import reads: files named, and in folders (recursively) the files with a
/// bibliography extension, in name order. Paths that do not exist are reported.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LocatedProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            walk(path, &mut files, &mut problems);
        } else {
            problems.push(located(
                path,
                0,
                "file not found".into(),
                Severity::FileNotRead,
            ));
        }
    }
    (files, problems)
}

fn walk(folder: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<LocatedProblem>) {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(located(
                folder,
                0,
                format!("cannot list the folder: {error}"),
                Severity::FileNotRead,
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, files, problems);
        } else if path.extension().is_some_and(|ext| {
            BIBLIOGRAPHY_EXTENSIONS
                .iter()
                .any(|known| ext.eq_ignore_ascii_case(known))
        }) {
            files.push(path);
        }
    }
}

fn located(file: &Path, line: usize, message: String, severity: Severity) -> LocatedProblem {
    LocatedProblem {
        file: file.to_owned(),
        problem: Problem {
            line,
            key: None,
            field: None,
            message,
            severity,
        },
    }
}

/// Imports bibliography files and folders into a project in one transaction.
pub fn import_paths(
    project: &mut Project,
    paths: &[PathBuf],
    options: &ImportOptions<'_>,
) -> Result<ImportReport> {
    import_and_index(project, paths, options, None).map(|(report, _)| report)
}

/// [`import_paths`], indexing the new records as they are stored when `index` is empty and
/// up to date ([`SearchIndex::begin_import`]): the indexing threads then use the cores the
/// import leaves idle. Returns the index update too, when it was done this way; otherwise
/// bring the index up to date after the import as usual.
pub fn import_and_index(
    project: &mut Project,
    paths: &[PathBuf],
    options: &ImportOptions<'_>,
    index: Option<(&mut SearchIndex, &SyncOptions<'_>)>,
) -> Result<(ImportReport, Option<SyncReport>)> {
    let (all_files, missing) = collect_files(paths);
    let mut report = ImportReport {
        files: missing.iter().map(FileReport::not_read).collect(),
        failed: missing,
        ..ImportReport::default()
    };
    // Each file's content is recognised by its SHA-256: a file an earlier import read is not
    // read again (unless asked), and the digest is recorded with the import.
    let mut digests: std::collections::HashMap<PathBuf, (String, u64)> =
        std::collections::HashMap::new();
    let mut all_files_to_read = Vec::with_capacity(all_files.len());
    for path in all_files {
        if options.cancel.load(Ordering::Relaxed) {
            break;
        }
        match sha256_of(path.as_path()) {
            Ok((sha256, bytes)) => {
                let earlier = if options.again {
                    None
                } else {
                    project.earlier_import(&sha256)?
                };
                if let Some(earlier) = earlier {
                    report.already_imported += 1;
                    report.files.push(FileReport {
                        already_imported: Some(earlier),
                        sha256: Some(sha256),
                        bytes,
                        ..FileReport::new(&path)
                    });
                    continue;
                }
                if let Some((first, _)) = digests.iter().find(|(_, (seen, _))| *seen == sha256) {
                    report.already_imported += 1;
                    report.files.push(FileReport {
                        same_as: Some(first.clone()),
                        sha256: Some(sha256),
                        bytes,
                        ..FileReport::new(&path)
                    });
                    continue;
                }
                digests.insert(path.clone(), (sha256, bytes));
            }
            Err(error) => {
                let message = format!("cannot read the file: {error}");
                let problem = located(&path, 0, message, Severity::FileNotRead);
                report.files.push(FileReport::not_read(&problem));
                report.failed.push(problem);
                continue;
            }
        }
        all_files_to_read.push(path);
    }
    let all_files = all_files_to_read;
    let (pdfs, files): (Vec<PathBuf>, Vec<PathBuf>) = all_files.into_iter().partition(|path| {
        path.extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"))
            || crate::pdf::looks_like_pdf(path)
    });
    // PDFs are read before the transaction starts: extraction takes seconds per file.
    let extracted = match options.pdf {
        Some(setup) if !pdfs.is_empty() => {
            let progress = ImportProgress {
                files_total: files.len() + pdfs.len(),
                pdfs_total: pdfs.len(),
                ..ImportProgress::default()
            };
            crate::pdf::extract_all(
                &setup.command,
                &pdfs,
                setup.limits,
                setup.workers,
                options.cancel,
                &|done| {
                    (options.progress)(&ImportProgress {
                        pdfs_done: done,
                        ..progress.clone()
                    });
                },
            )
        }
        _ => pdfs
            .iter()
            .map(|_| Err("PDFs cannot be read here (no PDF reader set up)".to_owned()))
            .collect(),
    };
    let mut dedup = DedupIndex::new();
    // Correction notices already in the project can only wait for their target here; the
    // relations they resolve are among stored records and were linked when those came in.
    project.for_each_dedup_row(|row| {
        dedup.add_row(&row);
    })?;
    let mut session = project.begin_import()?;
    // The import holds the write lock from here: no one else changes the version.
    let version_before = session.data_version()?;
    let mut indexer = match index {
        Some((index, sync)) => index.begin_import(version_before, sync)?,
        None => None,
    };
    let mut progress = ImportProgress {
        files_total: files.len() + pdfs.len(),
        pdfs_total: pdfs.len(),
        pdfs_done: pdfs.len(),
        ..ImportProgress::default()
    };
    let mut labels: Vec<LabelCount> = Vec::new();
    for path in &files {
        if options.cancel.load(Ordering::Relaxed) {
            break;
        }
        progress.current_file = Some(path.clone());
        (options.progress)(&progress);
        let session_file_seen = session.file_seen(&path.display().to_string())?;
        let mut file_report = FileReport::new(path);
        if let Some((sha256, bytes)) = digests.get(path) {
            file_report.sha256 = Some(sha256.clone());
            file_report.bytes = *bytes;
        }
        let mut context = FileContext {
            session: &mut session,
            dedup: &mut dedup,
            report: &mut report,
            file: &mut file_report,
            progress: &mut progress,
            labels: &mut labels,
            options,
            indexer: &mut indexer,
            last_line: 0,
            on_line: 0,
            seen_before: session_file_seen,
        };
        match read_file_blocks(path, options.threads, options.cancel, |format, parsed| {
            context.take(path, format, parsed)
        }) {
            Ok(outcome) => {
                file_report.format = Some(outcome.format.name().to_owned());
                file_report.encoding = Some(outcome.encoding);
                if file_report.records_read == 0 && file_report.error.is_none() {
                    // Read, and nothing in it: as much a failure as a file not found.
                    let message = if file_report.rejected > 0 {
                        format!(
                            "no record could be read: all {} were rejected (listed under Rejected)",
                            file_report.rejected
                        )
                    } else {
                        format!("no records in the file (read as {})", outcome.format.name())
                    };
                    report
                        .failed
                        .push(located(path, 0, message.clone(), Severity::FileNotRead));
                    file_report.error = Some(message);
                }
            }
            Err(crate::Error::Store(error)) => return Err(crate::Error::Store(error)),
            Err(crate::Error::Unreadable { line, message, .. }) => {
                report
                    .failed
                    .push(located(path, line, message.clone(), Severity::FileNotRead));
                file_report.error = Some(message);
            }
            Err(error) => {
                let message = error.to_string();
                report
                    .failed
                    .push(located(path, 0, message.clone(), Severity::FileNotRead));
                file_report.error = Some(message);
            }
        }
        progress.files_done += 1;
        report.files.push(file_report);
    }
    report.labels = labels;
    for (path, extracted) in pdfs.iter().zip(extracted) {
        if options.cancel.load(Ordering::Relaxed) {
            break;
        }
        let mut file_report = attach_pdf(
            &mut session,
            &mut dedup,
            path,
            extracted,
            &mut report,
            &mut indexer,
        )?;
        if let Some((sha256, bytes)) = digests.get(path) {
            file_report.sha256 = Some(sha256.clone());
            file_report.bytes = *bytes;
        }
        progress.files_done += 1;
        report.files.push(file_report);
    }
    if options.cancel.load(Ordering::Relaxed) {
        // Dropping the session rolls everything back.
        drop(session);
        project.end_import()?;
        if let Some(indexer) = indexer {
            indexer.abandon();
        }
        report.cancelled = true;
        report.records_imported = 0;
        report.duplicates_merged = 0;
        return Ok((report, None));
    }
    let imported: Vec<ImportedFile> = report
        .files
        .iter()
        .filter(|file| !file.skipped())
        .map(|file| ImportedFile {
            path: file.path.display().to_string(),
            format: file.format.clone().unwrap_or_else(|| "unreadable".into()),
            encoding: file.encoding.clone().unwrap_or_default(),
            records_read: file.records_read,
            rejected: file.rejected,
            // Only files read in full are recognised later: one that failed may be fixed.
            sha256: file.sha256.clone().filter(|_| file.error.is_none()),
            bytes: file.bytes,
        })
        .collect();
    let (id, counts, touched, version) = session.finish(&imported, report.records_read)?;
    project.end_import()?;
    let indexed = match indexer {
        Some(indexer) => Some(finish_indexing(project, indexer, version)?),
        None => None,
    };
    report.import_id = Some(id);
    report.records_imported = counts.records_imported;
    report.duplicates_merged = counts.duplicates_merged;
    report.touched = touched;
    progress.current_file = None;
    (options.progress)(&progress);
    Ok((report, indexed))
}

/// Completes import-time indexing while another thread copies the write-ahead log into the
/// project file (what a large import leaves to do): the two overlap instead of queueing.
fn finish_indexing(
    project: &mut Project,
    indexer: ImportIndexer<'_>,
    version: u64,
) -> Result<SyncReport> {
    let file = project.path().to_owned();
    let on_disk = file != Path::new(":memory:");
    std::thread::scope(|scope| {
        let checkpoint = on_disk
            .then(|| {
                std::thread::Builder::new()
                    .name("ecolens-checkpoint".into())
                    .spawn_scoped(scope, || ecolens_core::store::checkpoint(&file))
                    .ok()
            })
            .flatten();
        let indexed = indexer.finish(project, version);
        if let Some(handle) = checkpoint {
            // A failed checkpoint loses nothing: the log stays and is copied later.
            let _ = handle.join();
        }
        indexed
    })
}

/// What the per-block callback works on.
struct FileContext<'s, 'p, 'i> {
    session: &'s mut ImportSession<'p>,
    dedup: &'s mut DedupIndex,
    report: &'s mut ImportReport,
    file: &'s mut FileReport,
    progress: &'s mut ImportProgress,
    labels: &'s mut Vec<LabelCount>,
    options: &'s ImportOptions<'s>,
    indexer: &'s mut Option<ImportIndexer<'i>>,
    /// The line the last record started on, and how many records started on it: records
    /// sharing a line (EndNote XML or JSON written on one line) are told apart by their place.
    last_line: usize,
    on_line: usize,
    /// Whether records were read from this file before: each record is then looked for
    /// where it was read.
    seen_before: bool,
}

impl FileContext<'_, '_, '_> {
    /// Takes a parsed block's problems and records. The records are read in place (and
    /// normalised there): the block goes back to the thread that parsed it to be dropped.
    fn take(
        &mut self,
        path: &Path,
        format: crate::detect::Format,
        parsed: &mut Parsed,
    ) -> Result<()> {
        for problem in std::mem::take(&mut parsed.problems) {
            let problem = LocatedProblem {
                file: path.to_owned(),
                problem,
            };
            self.progress.problems += 1;
            match problem.problem.severity {
                Severity::Rejected => {
                    self.file.rejected += 1;
                    self.report.rejected.push(problem);
                }
                Severity::Warning => {
                    self.file.warnings += 1;
                    self.report.warnings.push(problem);
                }
                Severity::FileNotRead => {
                    // The reader recognised the format and still found nothing to read
                    // (a CSV without a header row, JSON that does not parse).
                    self.file.error = Some(problem.problem.message.clone());
                    self.report.failed.push(problem);
                }
            }
        }
        for parsed_record in &mut parsed.records {
            if self.options.cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            self.file.records_read += 1;
            self.report.records_read += 1;
            self.progress.records_read += 1;
            let record = &mut parsed_record.record;
            crate::normalise::normalise(record);
            let mut found = std::mem::take(&mut parsed_record.labels);
            if let Some(notes) = &record.notes {
                found.extend(labels_in_notes(notes));
                if self.options.labels_as_votes {
                    // The labels become votes; the summaries are recomputed on export.
                    record.notes = without_review_lines(notes);
                }
            }
            if parsed_record.line == self.last_line {
                self.on_line += 1;
            } else {
                (self.last_line, self.on_line) = (parsed_record.line, 1);
            }
            let locator = if self.on_line == 1 {
                format!("line {}", parsed_record.line)
            } else {
                format!("line {}, record {}", parsed_record.line, self.on_line)
            };
            let source = SourceRef {
                file: path.display().to_string(),
                format: format.name().to_owned(),
                locator: Some(locator),
                original_key: parsed_record.original_key.take(),
            };
            let record = &*record;
            if self.seen_before
                && let Some(present) = self.session.record_from(&source)?
            {
                // Read from here before: the record is already in the project.
                self.file.already_present += 1;
                self.report.already_present += 1;
                for label in found {
                    self.take_label(path, parsed_record.line, present, false, &label)?;
                }
                continue;
            }
            let check = self.dedup.check(record);
            let (target, is_new) = match check.duplicate {
                Some((kept, rule, reason)) => {
                    self.session.merge(kept, record, &source, rule, &reason)?;
                    if let Some(indexer) = self.indexer.as_mut() {
                        indexer.changed(kept);
                    }
                    self.file.duplicates_merged += 1;
                    self.progress.duplicates_merged += 1;
                    (kept, false)
                }
                None => {
                    let id = self.session.insert(record, &source)?;
                    for (other, kind, reason) in check.relations {
                        self.session.relate(id, other, kind, &reason)?;
                        match kind {
                            RelationKind::PossibleDuplicate => self.report.possible_duplicates += 1,
                            RelationKind::ErratumOf | RelationKind::PreprintOf => {
                                self.report.related_linked += 1;
                            }
                        }
                    }
                    for (from, to, kind, reason) in self.dedup.add(id, record) {
                        self.session.relate(from, to, kind, &reason)?;
                        self.report.related_linked += 1;
                    }
                    self.file.records_imported += 1;
                    self.progress.records_imported += 1;
                    if let Some(indexer) = self.indexer.as_mut() {
                        if found.is_empty() {
                            indexer.add_new(id, record, path)?;
                        } else {
                            // Its labels become votes: read it back with them.
                            indexer.changed(id);
                        }
                    }
                    (id, true)
                }
            };
            for label in found {
                self.take_label(path, parsed_record.line, target, is_new, &label)?;
            }
            if self.progress.records_read.is_multiple_of(10_000) {
                (self.options.progress)(self.progress);
            }
        }
        Ok(())
    }
}

/// The reviewer a label is recorded for: the one it names, else the tool.
fn label_reviewer(label: &ImportedLabel) -> String {
    label
        .reviewer
        .clone()
        .unwrap_or_else(|| label.tool.to_string())
}

impl FileContext<'_, '_, '_> {
    /// Counts a review label and, when asked, records it as a vote on `target`. A label is
    /// counted once per record: a duplicate's copy of a label already recorded is not.
    fn take_label(
        &mut self,
        path: &Path,
        line: usize,
        target: RecordId,
        is_new: bool,
        label: &ImportedLabel,
    ) -> Result<()> {
        let decision = match label.decision {
            LabelDecision::Include => Decision::Include,
            LabelDecision::Exclude => Decision::Exclude {
                reason: label.reason.clone(),
            },
            LabelDecision::Maybe => Decision::Maybe,
            LabelDecision::NotSeen => return Ok(()),
        };
        let outcome = if self.options.labels_as_votes {
            let vote = ScreeningVote {
                stage: label.stage,
                decision: decision.clone(),
                note: Some(format!(
                    "{} label in {}",
                    label.tool,
                    path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                )),
            };
            Some(
                self.session
                    .import_vote(target, &label_reviewer(label), &vote)?,
            )
        } else {
            None
        };
        let counted = match &outcome {
            None => is_new,
            Some(outcome) => !matches!(outcome, ImportedVote::AlreadyThere),
        };
        if !counted {
            return Ok(());
        }
        let tool = label.tool.to_string();
        let at = match self
            .labels
            .iter()
            .position(|c| c.tool == tool && c.reviewer == label.reviewer)
        {
            Some(at) => at,
            None => {
                self.labels.push(LabelCount {
                    tool,
                    reviewer: label.reviewer.clone(),
                    include: 0,
                    exclude: 0,
                    maybe: 0,
                    votes_recorded: 0,
                    conflicts: 0,
                });
                self.labels.len() - 1
            }
        };
        let count = &mut self.labels[at];
        match decision {
            Decision::Include => count.include += 1,
            Decision::Exclude { .. } => count.exclude += 1,
            Decision::Maybe => count.maybe += 1,
        }
        match outcome {
            Some(ImportedVote::Recorded) => count.votes_recorded += 1,
            Some(ImportedVote::Kept(old)) => {
                count.conflicts += 1;
                let problem = LocatedProblem {
                    file: path.to_owned(),
                    problem: Problem {
                        line,
                        key: None,
                        field: Some("review label".into()),
                        message: format!(
                            "{}'s {} label ({}) differs from the vote already recorded ({}); the recorded vote was kept",
                            label_reviewer(label),
                            label.tool,
                            decision.code(),
                            old.vote.decision.code()
                        ),
                        severity: Severity::Warning,
                    },
                };
                self.file.warnings += 1;
                self.progress.problems += 1;
                self.report.warnings.push(problem);
            }
            Some(ImportedVote::Refused(why)) => {
                let problem = LocatedProblem {
                    file: path.to_owned(),
                    problem: Problem {
                        line,
                        key: None,
                        field: Some("review label".into()),
                        message: format!(
                            "{}'s {} label ({}) was not recorded: {why}",
                            label_reviewer(label),
                            label.tool,
                            decision.code()
                        ),
                        severity: Severity::Warning,
                    },
                };
                self.file.warnings += 1;
                self.progress.problems += 1;
                self.report.warnings.push(problem);
            }
            Some(ImportedVote::AlreadyThere) | None => {}
        }
        Ok(())
    }
}

/// Attaches a PDF's text to the record it belongs to: the record whose DOI is printed on the
/// first page (when that record's title is there too), else the record whose title is the
/// document's metadata title or its first lines, else a new record made from the PDF.
fn attach_pdf(
    session: &mut ImportSession<'_>,
    dedup: &mut DedupIndex,
    path: &Path,
    extracted: std::result::Result<Extracted, String>,
    report: &mut ImportReport,
    indexer: &mut Option<ImportIndexer<'_>>,
) -> Result<FileReport> {
    let mut file_report = FileReport {
        format: Some("pdf".into()),
        ..FileReport::new(path)
    };
    let extracted = match extracted {
        Ok(extracted) => extracted,
        Err(message) => {
            report
                .failed
                .push(located(path, 0, message.clone(), Severity::FileNotRead));
            file_report.error = Some(message);
            return Ok(file_report);
        }
    };
    file_report.records_read = 1;
    file_report.encoding = Some(extracted.extractor.clone());
    for note in &extracted.notes {
        report
            .warnings
            .push(located(path, 0, note.clone(), Severity::Warning));
        file_report.warnings += 1;
    }
    let first_page = first_page(&extracted.text);
    let (record, matched_by) = match match_pdf(session, dedup, &extracted, first_page)? {
        Some(found) => found,
        None => {
            let record = record_from_pdf(path, &extracted, first_page);
            let source = SourceRef {
                file: path.display().to_string(),
                format: "pdf".into(),
                locator: None,
                original_key: None,
            };
            let id = session.insert(&record, &source)?;
            dedup.add(id, &record);
            file_report.records_imported = 1;
            report.records_imported += 1;
            (id, "new")
        }
    };
    let text = crate::text::collapse_pdf_text(&extracted.text);
    let full_text = FullText {
        text,
        source_file: path.display().to_string(),
        extractor: extracted.extractor.clone(),
        pages: Some(extracted.pages),
    };
    if let Some(indexer) = indexer.as_mut() {
        indexer.changed(record);
    }
    if let Some(previous) = session.set_full_text(record, &full_text)?
        && previous != full_text.source_file
    {
        report.warnings.push(located(
            path,
            0,
            format!("replaces the full text of record {record} that came from {previous}"),
            Severity::Warning,
        ));
        file_report.warnings += 1;
    }
    report.full_texts_attached += 1;
    file_report.full_text = Some(FullTextOutcome {
        record,
        matched_by,
        pages: extracted.pages,
        words: extracted.words() as u64,
        extractor: extracted.extractor,
    });
    Ok(file_report)
}

/// The SHA-256 of a file's bytes (hex) and its size, read in blocks.
fn sha256_of(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        bytes += read as u64;
        hasher.update(&buffer[..read]);
    }
    let digest = hasher.finalize();
    let hex = digest
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
            hex
        });
    Ok((hex, bytes))
}

/// The first page of an extracted text (pages are separated by form feeds), at most 8000
/// characters.
fn first_page(text: &str) -> &str {
    let page = text
        .split('\u{c}')
        .find(|p| !p.trim().is_empty())
        .unwrap_or("");
    match page.char_indices().nth(8000) {
        Some((at, _)) => &page[..at],
        None => page,
    }
}

/// Lower-case words of a text, letters and digits only.
fn plain_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(crate::dedup::title_key)
        .filter(|word| !word.is_empty())
        .collect()
}

/// Whether most words of `title` (four in five) occur on the page.
fn title_on_page(title: &str, page: &str) -> bool {
    let page_words: std::collections::HashSet<String> = plain_words(page).into_iter().collect();
    let title_words: Vec<String> = plain_words(title)
        .into_iter()
        .filter(|w| w.chars().count() > 2)
        .collect();
    if title_words.is_empty() {
        return false;
    }
    let present = title_words
        .iter()
        .filter(|w| page_words.contains(*w))
        .count();
    present * 5 >= title_words.len() * 4
}

fn match_pdf(
    session: &ImportSession<'_>,
    dedup: &DedupIndex,
    extracted: &Extracted,
    first_page: &str,
) -> Result<Option<(RecordId, &'static str)>> {
    // A DOI on the first page that belongs to a known record, if that record's title is on
    // the page too: first pages also cite other papers.
    for doi in crate::dedup::dois_in_text(first_page).into_iter().take(8) {
        if let Some(id) = dedup.find_doi(&doi) {
            let record = session.record(id)?;
            if title_on_page(&record.title, first_page) {
                return Ok(Some((id, "doi")));
            }
        }
    }
    // The metadata title, then runs of one to four of the first lines (titles wrap).
    let lines: Vec<&str> = first_page
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(30)
        .collect();
    let mut candidates: Vec<String> = extracted.title.iter().cloned().collect();
    for start in 0..lines.len() {
        for length in 1..=4 {
            if start + length <= lines.len() {
                candidates.push(lines[start..start + length].join(" "));
            }
        }
    }
    for candidate in candidates {
        if plain_words(&candidate).len() < 3 {
            continue;
        }
        if let [id] = dedup.find_title(&candidate).as_slice() {
            return Ok(Some((*id, "title")));
        }
    }
    Ok(None)
}

/// A record for a PDF no record matched: its metadata title, else its first substantial
/// line, else its file name. DOIs seen on the first page go to the notes, not the DOI field:
/// they may be citations.
fn record_from_pdf(path: &Path, extracted: &Extracted, first_page: &str) -> Record {
    let first_line = first_page
        .lines()
        .map(str::trim)
        .find(|line| line.split_whitespace().count() >= 4 && line.chars().count() <= 300);
    let title = extracted
        .title
        .clone()
        .or_else(|| first_line.map(str::to_owned))
        .or_else(|| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().replace(['_', '-'], " "))
        })
        .unwrap_or_else(|| "Untitled PDF".into());
    let mut notes = vec![format!(
        "Made from the PDF {}: no record in the project matched it.",
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        )
    )];
    let dois: Vec<String> = crate::dedup::dois_in_text(first_page)
        .into_iter()
        .take(3)
        .map(|doi| doi.as_str().to_owned())
        .collect();
    if !dois.is_empty() {
        notes.push(format!("DOIs on its first page: {}", dois.join(", ")));
    }
    let mut record = Record {
        kind: ecolens_core::RecordKind::Other,
        notes: Some(notes.join("\n")),
        ..Record::titled(crate::text::collapse_whitespace(&title))
    };
    crate::normalise::normalise(&mut record);
    record
}
