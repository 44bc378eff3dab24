//! Importing files into a project: every file read (formats and encodings detected), every
//! record checked for duplicates against the project and the records before it, new records
//! added, duplicates merged with provenance, related records linked — all in one transaction.
//! One bad record costs one problem line; a file that cannot be read costs one error line; a
//! cancelled import writes nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use ecolens_core::{
    Decision, ImportId, ImportSession, ImportedFile, ImportedVote, Project, RecordId, RelationKind,
    ScreeningVote, SourceRef,
};

use crate::dedup::DedupIndex;
use crate::error::Result;
use crate::labels::{ImportedLabel, LabelDecision, labels_in_notes, without_review_lines};
use crate::parsed::{Parsed, Problem, Severity};
use crate::stream::read_file_blocks;

/// Extensions of bibliography files picked up when a folder is imported. Files named directly
/// are read whatever their extension (the format is detected from the content).
pub const BIBLIOGRAPHY_EXTENSIONS: [&str; 10] = [
    "ris", "txt", "nbib", "medline", "bib", "xml", "csv", "tsv", "json", "enw",
];

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
    /// Records linked to others as errata or preprints.
    pub related_linked: u64,
    /// Pairs flagged as possible duplicates for a human to judge.
    pub possible_duplicates: u64,
    /// Rejected records and unreadable files, located.
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
                "no such file or folder".into(),
                Severity::Rejected,
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
                Severity::Rejected,
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
    let (files, missing) = collect_files(paths);
    let mut report = ImportReport {
        rejected: missing,
        ..ImportReport::default()
    };
    let mut dedup = DedupIndex::new();
    // Correction notices already in the project can only wait for their target here; the
    // relations they resolve are among stored records and were linked when those came in.
    project.for_each_dedup_row(|row| {
        dedup.add_row(&row);
    })?;
    let mut session = project.begin_import()?;
    let mut progress = ImportProgress {
        files_total: files.len(),
        ..ImportProgress::default()
    };
    let mut labels: Vec<LabelCount> = Vec::new();
    for path in &files {
        if options.cancel.load(Ordering::Relaxed) {
            break;
        }
        progress.current_file = Some(path.clone());
        (options.progress)(&progress);
        let mut file_report = FileReport {
            path: path.clone(),
            format: None,
            encoding: None,
            records_read: 0,
            records_imported: 0,
            duplicates_merged: 0,
            rejected: 0,
            warnings: 0,
            error: None,
        };
        let mut context = FileContext {
            session: &mut session,
            dedup: &mut dedup,
            report: &mut report,
            file: &mut file_report,
            progress: &mut progress,
            labels: &mut labels,
            options,
        };
        match read_file_blocks(path, options.threads, options.cancel, |format, parsed| {
            context.take(path, format, parsed)
        }) {
            Ok(outcome) => {
                file_report.format = Some(outcome.format.name().to_owned());
                file_report.encoding = Some(outcome.encoding);
            }
            Err(crate::Error::Store(error)) => return Err(crate::Error::Store(error)),
            Err(crate::Error::Unreadable { line, message, .. }) => {
                report
                    .rejected
                    .push(located(path, line, message.clone(), Severity::Rejected));
                file_report.error = Some(message);
            }
            Err(error) => {
                let message = error.to_string();
                report
                    .rejected
                    .push(located(path, 0, message.clone(), Severity::Rejected));
                file_report.error = Some(message);
            }
        }
        progress.files_done += 1;
        report.files.push(file_report);
    }
    report.labels = labels;
    if options.cancel.load(Ordering::Relaxed) {
        // Dropping the session rolls everything back.
        drop(session);
        report.cancelled = true;
        report.records_imported = 0;
        report.duplicates_merged = 0;
        return Ok(report);
    }
    let imported: Vec<ImportedFile> = report
        .files
        .iter()
        .map(|file| ImportedFile {
            path: file.path.display().to_string(),
            format: file.format.clone().unwrap_or_else(|| "unreadable".into()),
            encoding: file.encoding.clone().unwrap_or_default(),
            records_read: file.records_read,
            rejected: file.rejected,
        })
        .collect();
    let (id, counts, touched) = session.finish(&imported, report.records_read)?;
    report.import_id = Some(id);
    report.records_imported = counts.records_imported;
    report.duplicates_merged = counts.duplicates_merged;
    report.touched = touched;
    progress.current_file = None;
    (options.progress)(&progress);
    Ok(report)
}

/// What the per-block callback works on.
struct FileContext<'s, 'p> {
    session: &'s mut ImportSession<'p>,
    dedup: &'s mut DedupIndex,
    report: &'s mut ImportReport,
    file: &'s mut FileReport,
    progress: &'s mut ImportProgress,
    labels: &'s mut Vec<LabelCount>,
    options: &'s ImportOptions<'s>,
}

impl FileContext<'_, '_> {
    fn take(&mut self, path: &Path, format: crate::detect::Format, parsed: Parsed) -> Result<()> {
        for problem in parsed.problems {
            let problem = LocatedProblem {
                file: path.to_owned(),
                problem,
            };
            self.progress.problems += 1;
            if problem.problem.severity == Severity::Rejected {
                self.file.rejected += 1;
                self.report.rejected.push(problem);
            } else {
                self.file.warnings += 1;
                self.report.warnings.push(problem);
            }
        }
        for parsed_record in parsed.records {
            if self.options.cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            self.file.records_read += 1;
            self.report.records_read += 1;
            self.progress.records_read += 1;
            let mut record = parsed_record.record;
            crate::normalise::normalise(&mut record);
            let mut found = parsed_record.labels;
            if let Some(notes) = &record.notes {
                found.extend(labels_in_notes(notes));
                if self.options.labels_as_votes {
                    // The labels become votes; the summaries are recomputed on export.
                    record.notes = without_review_lines(notes);
                }
            }
            let source = SourceRef {
                file: path.display().to_string(),
                format: format.name().to_owned(),
                locator: Some(format!("line {}", parsed_record.line)),
                original_key: parsed_record.original_key,
            };
            let check = self.dedup.check(&record);
            let (target, is_new) = match check.duplicate {
                Some((kept, rule, reason)) => {
                    self.session.merge(kept, &record, &source, rule, &reason)?;
                    self.file.duplicates_merged += 1;
                    self.progress.duplicates_merged += 1;
                    (kept, false)
                }
                None => {
                    let id = self.session.insert(&record, &source)?;
                    for (other, kind, reason) in check.relations {
                        self.session.relate(id, other, kind, &reason)?;
                        match kind {
                            RelationKind::PossibleDuplicate => self.report.possible_duplicates += 1,
                            RelationKind::ErratumOf | RelationKind::PreprintOf => {
                                self.report.related_linked += 1;
                            }
                        }
                    }
                    for (from, to, kind, reason) in self.dedup.add(id, &record) {
                        self.session.relate(from, to, kind, &reason)?;
                        self.report.related_linked += 1;
                    }
                    self.file.records_imported += 1;
                    self.progress.records_imported += 1;
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

impl FileContext<'_, '_> {
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
