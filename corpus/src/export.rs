//! Exports: RIS, BibTeX, CSV (ASReview-compatible columns) and CSL-JSON, each carrying the
//! review fields, written so that importing an export into ecolens gives the same records.
//!
//! Screening decisions are written the way other tools read them ([`LabelStyle`]):
//! - Rayyan style (default): every reviewer's title/abstract vote as
//!   `RAYYAN-INCLUSION: {"Emily"=>"Included"}` in the notes (RIS `N1`, BibTeX `note`, CSV
//!   `notes`, CSL `note`); full-text votes as `ECOLENS-FULLTEXT: {"Emily"=>"Excluded (not_ai)"}`.
//!   Rayyan, and ecolens itself, read these back as votes of the named reviewers.
//! - ASReview style: the record's decision as `ASReview_relevant` / `ASReview_irrelevant` /
//!   `ASReview_not_seen` notes, and in CSV the `included` column (1, 0, empty), which ASReview
//!   LAB reads as labels.
//!
//! The other review fields travel as lines ecolens writes and recognises but does not import
//! (they summarise review work and are recomputed on export): `ECOLENS-DECISION`,
//! `RAYYAN-EXCLUSION-REASONS`, `ECOLENS-CATEGORY`, `ECOLENS-REBOUND`, `ECOLENS-LABELS`; in CSV
//! they are columns of their own. Text cells of CSV exports that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'`;
//! the CSV reader takes the prefix off again.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use ecolens_core::{
    Decision, IndexDoc, IndexScope, Person, Project, Record, RecordId, Stage, Visibility,
};
use ecolens_taxonomy::Term as _;
use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization as _;

use crate::error::{Error, Result};
use crate::formats::{bibtex, ris};
use crate::labels::{LabelDecision, asreview_note, rayyan_note, without_review_lines};

/// A file format ecolens exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// RIS (Zotero, EndNote, Mendeley, Rayyan, Covidence, ASReview).
    Ris,
    /// BibTeX/BibLaTeX.
    Bibtex,
    /// CSV with ASReview's column names.
    Csv,
    /// CSL-JSON (Zotero, Pandoc, citeproc).
    CslJson,
}

impl ExportFormat {
    /// Every format, for help texts.
    pub const ALL: [Self; 4] = [Self::Ris, Self::Bibtex, Self::Csv, Self::CslJson];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ris => "ris",
            Self::Bibtex => "bibtex",
            Self::Csv => "csv",
            Self::CslJson => "csl-json",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Ris => "ris",
            Self::Bibtex => "bib",
            Self::Csv => "csv",
            Self::CslJson => "json",
        }
    }

    /// Parses a format name (`ris`, `bibtex`/`bib`, `csv`, `csl-json`/`json`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "ris" => Some(Self::Ris),
            "bibtex" | "bib" | "biblatex" => Some(Self::Bibtex),
            "csv" => Some(Self::Csv),
            "csl-json" | "csljson" | "csl" | "json" => Some(Self::CslJson),
            _ => None,
        }
    }
}

/// How screening decisions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelStyle {
    /// Every reviewer's votes, Rayyan's way (and full-text votes ecolens' way).
    #[default]
    Rayyan,
    /// The record's decision, ASReview's way.
    Asreview,
}

impl LabelStyle {
    /// Parses `rayyan` or `asreview`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "rayyan" => Some(Self::Rayyan),
            "asreview" => Some(Self::Asreview),
            _ => None,
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportReport {
    /// The file written.
    pub path: PathBuf,
    /// Its format.
    pub format: ExportFormat,
    /// Records written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes the records of `project` (all, or those in `only`, in id order) to `path`, with the
/// review fields `seen` shows. The file is written beside its final name and renamed when
/// complete, so a failed export never leaves a half-written file behind or damages an older
/// one.
pub fn export_file(
    project: &Project,
    seen: &Visibility,
    path: &Path,
    format: ExportFormat,
    labels: LabelStyle,
    only: Option<&[RecordId]>,
) -> Result<ExportReport> {
    let records = write_atomically(path, |out| {
        write_export(project, seen, out, format, labels, only)
    })?;
    let bytes = std::fs::metadata(path)
        .map_err(|source| Error::Io {
            action: "cannot read",
            path: path.to_owned(),
            source,
        })?
        .len();
    Ok(ExportReport {
        path: path.to_owned(),
        format,
        records,
        bytes,
    })
}

/// Writes a file through `write` into a temporary file of its own in the same folder, flushes
/// it to disk and renames it over `path` once complete. A failed write removes the temporary
/// file and leaves an older file at `path` untouched; two writers of the same name at once each
/// write their own temporary file, so the file at `path` is always one of them whole, never a
/// mix; a crash right after the rename keeps the new content (it was synced first).
pub fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // A temporary file is private (0600) by default; the file it becomes is not: it keeps the
    // permissions of the file it replaces, or gets a new file's (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let replaced = std::fs::metadata(path).ok().map(|m| m.permissions());
    let temporary = builder
        .tempfile_in(folder)
        .map_err(io("cannot create a file in", folder))?;
    if let Some(permissions) = replaced {
        temporary
            .as_file()
            .set_permissions(permissions)
            .map_err(io("cannot set the permissions of", path))?;
    }
    let mut out = std::io::BufWriter::new(temporary);
    let value = write(&mut out)?;
    let temporary = out
        .into_inner()
        .map_err(|error| io("cannot write", path)(error.into_error()))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(io("cannot write", path))?;
    // Dropping the temporary file on an error above removed it; here it becomes the file.
    temporary
        .persist(path)
        .map_err(|error| io("cannot write", path)(error.error))?;
    Ok(value)
}

/// Writes the records of `project` (all, or those in `only`) to `out`, with the review fields
/// `seen` shows; returns how many. While `seen` hides other reviewers' judgements, review
/// labels other tools wrote into a record's notes (kept there by an import that did not take
/// them as votes) are left out too.
pub fn write_export(
    project: &Project,
    seen: &Visibility,
    out: &mut dyn Write,
    format: ExportFormat,
    labels: LabelStyle,
    only: Option<&[RecordId]>,
) -> Result<u64> {
    let scope = match only {
        None => IndexScope::All,
        Some(ids) => {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            IndexScope::Ranges(ids.into_iter().map(|id| id..=id).collect())
        }
    };
    let io = |source| Error::Io {
        action: "cannot write the export",
        path: PathBuf::from("(output)"),
        source,
    };
    let mut count = 0u64;
    let mut keys = CiteKeys::default();
    if format == ExportFormat::Csv {
        out.write_all(&csv_line(&CSV_HEADER)?).map_err(io)?;
    }
    if format == ExportFormat::CslJson {
        out.write_all(b"[\n").map_err(io)?;
    }
    project.for_each_doc_shown(&scope, seen, |mut doc| -> Result<()> {
        if !seen.sees_everyone() {
            doc.record.notes = doc.record.notes.as_deref().and_then(without_review_lines);
        }
        // A reader who is not named, while blind, gets no review fields at all: a decision
        // worked out from none of the votes ("unscreened") would be a false statement.
        let review = if seen.sees_everyone() || seen.reader().is_some() {
            ReviewLines::of(&doc, labels)
        } else {
            ReviewLines::default()
        };
        match format {
            ExportFormat::Ris => out.write_all(ris_entry(&doc, &review).as_bytes()),
            ExportFormat::Bibtex => {
                let key = keys.next(&doc.record);
                out.write_all(bibtex_entry(&doc, &review, &key).as_bytes())
            }
            ExportFormat::CslJson => {
                let item = csl_item(&doc, &review);
                let text = serde_json::to_string_pretty(&item).map_err(|e| Error::Io {
                    action: "cannot write the export",
                    path: PathBuf::from("(output)"),
                    source: std::io::Error::other(e),
                })?;
                let separator = if count == 0 { "" } else { ",\n" };
                out.write_all(format!("{separator}{text}").as_bytes())
            }
            ExportFormat::Csv => out.write_all(&csv_line(&csv_row(&doc, &review, labels))?),
        }
        .map_err(io)?;
        count += 1;
        Ok(())
    })?;
    if format == ExportFormat::CslJson {
        out.write_all(b"\n]\n").map_err(io)?;
    }
    Ok(count)
}

/// One CSV line (quoted as needed, CRLF-terminated as RFC 4180 says).
fn csv_line<S: AsRef<[u8]>>(cells: &[S]) -> Result<Vec<u8>> {
    let failed = |error: &dyn std::fmt::Display| Error::Io {
        action: "cannot write the export",
        path: PathBuf::from("(output)"),
        source: std::io::Error::other(error.to_string()),
    };
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(2048));
    writer.write_record(cells).map_err(|e| failed(&e))?;
    writer.into_inner().map_err(|e| failed(&e))
}

/// The review fields of a record as note lines (and as values for CSV columns).
#[derive(Default)]
struct ReviewLines {
    /// Lines that other tools (and ecolens) read as votes.
    labels: Vec<String>,
    /// Lines that summarise the review.
    summary: Vec<String>,
    /// The record's decision, e.g. `include (fulltext)`.
    decision: String,
    /// `1`, `0` or empty: ASReview's `included`.
    included: &'static str,
    /// Exclusion reasons given, comma-separated.
    reasons: String,
    /// `Emily: c; Tomás: d`.
    categories: String,
    /// Effect codes.
    effects: String,
    /// `vocabulary/code` labels.
    record_labels: String,
}

impl ReviewLines {
    fn of(doc: &IndexDoc, style: LabelStyle) -> Self {
        let review = &doc.review;
        let (status, stage) = review.screening();
        let decision = match stage {
            Some(stage) => format!("{} ({})", status.code(), stage.code()),
            None => status.code().to_owned(),
        };
        let included = match status {
            ecolens_core::ScreeningStatus::Include => "1",
            ecolens_core::ScreeningStatus::Exclude => "0",
            _ => "",
        };
        let mut labels = Vec::new();
        match style {
            LabelStyle::Rayyan => {
                let tiab: Vec<(String, LabelDecision)> = review
                    .votes
                    .iter()
                    .filter(|vote| vote.stage == Stage::TitleAbstract)
                    .map(|vote| (vote.reviewer.clone(), label_decision(&vote.decision)))
                    .collect();
                labels.extend(rayyan_note(&tiab));
                let fulltext: Vec<String> = review
                    .votes
                    .iter()
                    .filter(|vote| vote.stage == Stage::FullText)
                    .map(|vote| {
                        let value = match &vote.decision {
                            Decision::Include => "Included".to_owned(),
                            Decision::Maybe => "Maybe".to_owned(),
                            Decision::Exclude {
                                reason: Some(reason),
                            } => {
                                format!("Excluded ({reason})")
                            }
                            Decision::Exclude { reason: None } => "Excluded".to_owned(),
                        };
                        format!("\"{}\"=>\"{value}\"", vote.reviewer.replace('"', "'"))
                    })
                    .collect();
                if !fulltext.is_empty() {
                    labels.push(format!("ECOLENS-FULLTEXT: {{{}}}", fulltext.join(", ")));
                }
            }
            LabelStyle::Asreview => {
                let decision = match status {
                    ecolens_core::ScreeningStatus::Include => LabelDecision::Include,
                    ecolens_core::ScreeningStatus::Exclude => LabelDecision::Exclude,
                    _ => LabelDecision::NotSeen,
                };
                labels.push(asreview_note(decision).to_owned());
            }
        }
        let mut reasons: Vec<&str> = review
            .votes
            .iter()
            .filter_map(|vote| match &vote.decision {
                Decision::Exclude {
                    reason: Some(reason),
                } => Some(reason.as_str()),
                _ => None,
            })
            .collect();
        reasons.sort_unstable();
        reasons.dedup();
        let reasons = reasons.join(", ");
        let categories = review
            .named_categories()
            .map(|c| format!("{}: {}", c.reviewer, c.category.code()))
            .collect::<Vec<_>>()
            .join("; ");
        let effects = review
            .effects()
            .iter()
            .map(|effect| effect.code())
            .collect::<Vec<_>>()
            .join(", ");
        let record_labels = review
            .labels()
            .iter()
            .map(|(vocabulary, code)| format!("{vocabulary}/{code}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut summary = vec![format!("ECOLENS-DECISION: {decision}")];
        if !reasons.is_empty() {
            summary.push(format!("RAYYAN-EXCLUSION-REASONS: {reasons}"));
        }
        if !review.classifications.is_empty() {
            let pairs: Vec<String> = review
                .named_categories()
                .map(|c| {
                    format!(
                        "\"{}\"=>\"{}\"",
                        c.reviewer.replace('"', "'"),
                        c.category.code()
                    )
                })
                .collect();
            summary.push(format!("ECOLENS-CATEGORY: {{{}}}", pairs.join(", ")));
        }
        if !effects.is_empty() {
            summary.push(format!("ECOLENS-REBOUND: {effects}"));
        }
        if !record_labels.is_empty() {
            summary.push(format!("ECOLENS-LABELS: {record_labels}"));
        }
        Self {
            labels,
            summary,
            decision,
            included,
            reasons,
            categories,
            effects,
            record_labels,
        }
    }

    /// The record's own notes followed by the review lines, one per line.
    fn notes(&self, record: &Record, with_summary: bool) -> Vec<String> {
        let mut lines: Vec<String> = record
            .notes
            .as_deref()
            .map(|notes| notes.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        lines.extend(self.labels.iter().cloned());
        if with_summary {
            lines.extend(self.summary.iter().cloned());
        }
        lines
    }
}

fn label_decision(decision: &Decision) -> LabelDecision {
    match decision {
        Decision::Include => LabelDecision::Include,
        Decision::Exclude { .. } => LabelDecision::Exclude,
        Decision::Maybe => LabelDecision::Maybe,
    }
}

/// Keywords in one value: `; `-separated, with a trailing `;` when the only separator-like
/// character is a comma inside a keyword, so readers that split on commas when no `;` is
/// present keep "Evolution, Molecular" whole.
fn joined_keywords(keywords: &[String]) -> String {
    let joined = keywords.join("; ");
    if !joined.contains(';') && joined.contains(',') {
        format!("{joined};")
    } else {
        joined
    }
}

/// Paragraphs of a text (its lines; ecolens keeps one paragraph per line).
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty())
}

fn ris_entry(doc: &IndexDoc, review: &ReviewLines) -> String {
    let record = &doc.record;
    let mut out = String::with_capacity(2048);
    let mut tag = |tag: &str, value: &str| {
        // A value never spans lines in RIS except for paragraphs, handled by the caller.
        let _ = writeln!(out, "{tag}  - {}", value.replace(['\r', '\n'], " "));
    };
    tag("TY", ris::ty_for(record.kind));
    tag("ID", &format!("ecolens-{}", doc.id));
    tag("TI", &record.title);
    for person in &record.authors {
        tag("AU", &ris_name(person));
    }
    for person in &record.editors {
        tag("ED", &ris_name(person));
    }
    if let Some(year) = record.year {
        tag("PY", &year.to_string());
    }
    if let Some(period) = &record.period {
        // An ISO 8601 interval where RIS has a date: no RIS date looks like one.
        tag("DA", &period.to_string());
    }
    if let Some(venue) = &record.venue {
        tag("T2", venue);
    }
    if let Some(volume) = &record.volume {
        tag("VL", volume);
    }
    if let Some(issue) = &record.issue {
        tag("IS", issue);
    }
    if let Some(pages) = &record.pages {
        match pages.split_once('-') {
            Some((start, end)) if !start.is_empty() && !end.is_empty() && !end.contains('-') => {
                tag("SP", start);
                tag("EP", end);
            }
            _ => tag("SP", pages),
        }
    }
    if let Some(publisher) = &record.publisher {
        tag("PB", publisher);
    }
    if let Some(doi) = &record.doi {
        tag("DO", doi.as_str());
    }
    if let Some(pmid) = &record.pmid {
        tag("AN", &format!("PMID:{}", pmid.as_str()));
    }
    if let Some(url) = &record.url {
        tag("UR", url);
    }
    for keyword in &record.keywords {
        tag("KW", keyword);
    }
    let mut notes = review.notes(record, true);
    if let Some(arxiv) = &record.arxiv {
        notes.push(format!("arXiv:{}", arxiv.as_str()));
    }
    for note in &notes {
        tag("N1", note);
    }
    if let Some(text) = &record.abstract_text {
        // Paragraphs after the first follow a blank line, which RIS readers (ecolens among
        // them) take as a paragraph break inside the field.
        for (index, paragraph) in paragraphs(text).enumerate() {
            if index == 0 {
                let _ = writeln!(out, "AB  - {paragraph}");
            } else if looks_tagged(paragraph) {
                // A paragraph that starts like a tag (`ER  - `, `TY  - `) is indented: tags
                // start in the first column, and readers trim continuation lines.
                let _ = writeln!(out, "\n {paragraph}");
            } else {
                let _ = writeln!(out, "\n{paragraph}");
            }
        }
    }
    out.push_str("ER  - \n\n");
    out
}

/// Whether a line would be read as a tag line by some reader: RIS (`XX  - `, `XX - `) or
/// MEDLINE (`PMID- `, `FAU - `).
fn looks_tagged(line: &str) -> bool {
    crate::detect::is_ris_tag_line(line) || crate::detect::is_medline_only_tag_line(line)
}

/// `Family, Given`; an organisation's name as it is.
fn ris_name(person: &Person) -> String {
    match &person.given {
        Some(given) => format!("{}, {given}", person.family),
        None => person.family.clone(),
    }
}

/// Citation keys: first author's family name, year, first word of the title; `a`, `b` …
/// appended when taken.
#[derive(Default)]
struct CiteKeys {
    taken: std::collections::HashSet<String>,
}

impl CiteKeys {
    fn next(&mut self, record: &Record) -> String {
        const SKIP: [&str; 8] = ["a", "an", "the", "on", "of", "in", "for", "and"];
        let ascii = |text: &str| -> String {
            text.nfkd()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let author = record
            .authors
            .first()
            .map(|person| ascii(&person.family))
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "anon".to_owned());
        let year = record.year.map(|y| y.to_string()).unwrap_or_default();
        let word = record
            .title
            .split_whitespace()
            .map(ascii)
            .find(|word| word.len() > 1 && !SKIP.contains(&word.as_str()))
            .unwrap_or_default();
        let base = format!("{author}{year}{word}");
        let mut key = base.clone();
        let mut suffix = b'a';
        while self.taken.contains(&key) {
            key = format!("{base}{}", char::from(suffix));
            suffix = suffix.saturating_add(1);
            if suffix > b'z' {
                key = format!("{base}{}", self.taken.len());
                break;
            }
        }
        self.taken.insert(key.clone());
        key
    }
}

/// Escapes text for a braced BibTeX value so that it reads back as the same text.
fn bibtex_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous = '\0';
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            // `--`, ``` `` ``` and `''` are ligatures in LaTeX: keep them apart.
            '-' | '`' | '\'' if previous == c => {
                out.push_str("{}");
                out.push(c);
            }
            _ => out.push(c),
        }
        previous = c;
    }
    out
}

/// Paragraphs separated by blank lines, as LaTeX reads them. A paragraph starting with `@`
/// starts `{@}`: a line starting `@misc(` would be read as a new entry.
fn bibtex_paragraphs(text: &str) -> String {
    paragraphs(text)
        .map(|paragraph| match paragraph.strip_prefix('@') {
            Some(rest) => format!("{{@}}{}", bibtex_text(rest)),
            None => bibtex_text(paragraph),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn bibtex_entry(doc: &IndexDoc, review: &ReviewLines, key: &str) -> String {
    let record = &doc.record;
    let entry_type = bibtex::entry_type_for(record.kind);
    let mut fields: Vec<(&str, String)> = vec![("title", bibtex_text(&record.title))];
    let names = |people: &[Person]| -> String {
        people
            .iter()
            .map(|person| match &person.given {
                Some(given) => format!("{}, {}", bibtex_text(&person.family), bibtex_text(given)),
                None => format!("{{{}}}", bibtex_text(&person.family)),
            })
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if !record.authors.is_empty() {
        fields.push(("author", names(&record.authors)));
    }
    if !record.editors.is_empty() {
        fields.push(("editor", names(&record.editors)));
    }
    if let Some(year) = record.year {
        fields.push(("year", year.to_string()));
    }
    if let Some(period) = &record.period {
        // BibLaTeX's date range.
        fields.push(("date", period.to_string()));
    }
    if record.kind == ecolens_core::RecordKind::Project {
        fields.push(("entrysubtype", "project".to_owned()));
    }
    if let Some(venue) = &record.venue {
        let name = match entry_type {
            "article" => "journal",
            "inproceedings" | "incollection" => "booktitle",
            "techreport" => "institution",
            "phdthesis" => "school",
            _ => "howpublished",
        };
        fields.push((name, bibtex_text(venue)));
    }
    if let Some(volume) = &record.volume {
        fields.push(("volume", bibtex_text(volume)));
    }
    if let Some(issue) = &record.issue {
        fields.push(("number", bibtex_text(issue)));
    }
    if let Some(pages) = &record.pages {
        fields.push(("pages", bibtex_text(pages).replace('-', "--")));
    }
    if let Some(publisher) = &record.publisher {
        fields.push(("publisher", bibtex_text(publisher)));
    }
    if let Some(doi) = &record.doi {
        fields.push(("doi", bibtex_text(doi.as_str())));
    }
    if let Some(url) = &record.url {
        // `url` is read verbatim (hyperref's convention).
        fields.push(("url", url.replace(['{', '}'], "")));
    }
    if let Some(pmid) = &record.pmid {
        fields.push(("pmid", pmid.as_str().to_owned()));
    }
    if let Some(arxiv) = &record.arxiv {
        fields.push(("eprint", bibtex_text(arxiv.as_str())));
        fields.push(("archiveprefix", "arXiv".to_owned()));
        if record.kind == ecolens_core::RecordKind::Other {
            // Readers take `@misc` with an arXiv id for a preprint; this one is not.
            fields.push(("entrysubtype", "other".to_owned()));
        }
    }
    if let Some(text) = &record.abstract_text {
        fields.push(("abstract", bibtex_paragraphs(text)));
    }
    if !record.keywords.is_empty() {
        fields.push(("keywords", bibtex_text(&joined_keywords(&record.keywords))));
    }
    let notes = review.notes(record, true);
    if !notes.is_empty() {
        fields.push((
            "note",
            notes
                .iter()
                .map(|line| bibtex_text(line))
                .collect::<Vec<_>>()
                .join("\n\n"),
        ));
    }
    let mut out = format!("@{entry_type}{{{key},\n");
    for (name, value) in fields {
        let _ = writeln!(out, "  {name} = {{{value}}},");
    }
    out.push_str("}\n\n");
    out
}

fn csl_type(record: &Record) -> &'static str {
    use ecolens_core::RecordKind as K;
    match record.kind {
        K::JournalArticle => "article-journal",
        K::ConferencePaper => "paper-conference",
        K::Preprint => "article",
        K::Book => "book",
        K::BookChapter => "chapter",
        K::Report => "report",
        K::Thesis => "thesis",
        K::Standard => "standard",
        K::Dataset => "dataset",
        K::Software => "software",
        K::WebPage => "webpage",
        // CSL has no type for a project or grant: a document whose genre says so.
        K::Project | K::Other => "document",
    }
}

/// A period as a CSL date: start and end as date-parts, or raw when the end is open (CSL's
/// date-parts cannot say "open").
fn csl_period(period: &ecolens_core::Period) -> Value {
    let parts = |date: ecolens_core::PartialDate| -> Value {
        let mut parts = vec![json!(date.year)];
        parts.extend(date.month.map(|m| json!(m)));
        parts.extend(date.day.map(|d| json!(d)));
        Value::Array(parts)
    };
    match period.end {
        Some(end) => json!({ "date-parts": [parts(period.start), parts(end)] }),
        None => json!({ "raw": period.to_string() }),
    }
}

fn csl_item(doc: &IndexDoc, review: &ReviewLines) -> Value {
    let record = &doc.record;
    let mut item = Map::new();
    item.insert("id".into(), json!(format!("ecolens-{}", doc.id)));
    item.insert("type".into(), json!(csl_type(record)));
    item.insert("title".into(), json!(record.title));
    if !record.authors.is_empty() {
        let authors: Vec<Value> = record
            .authors
            .iter()
            .map(|person| match &person.given {
                Some(given) => json!({ "family": person.family, "given": given }),
                None => json!({ "literal": person.family }),
            })
            .collect();
        item.insert("author".into(), Value::Array(authors));
    }
    if !record.editors.is_empty() {
        let editors: Vec<Value> = record
            .editors
            .iter()
            .map(|person| match &person.given {
                Some(given) => json!({ "family": person.family, "given": given }),
                None => json!({ "literal": person.family }),
            })
            .collect();
        item.insert("editor".into(), Value::Array(editors));
    }
    if let Some(year) = record.year {
        item.insert("issued".into(), json!({ "date-parts": [[year]] }));
    }
    if record.kind == ecolens_core::RecordKind::Project {
        item.insert("genre".into(), json!("project"));
    }
    if let Some(period) = &record.period {
        item.insert("event-date".into(), csl_period(period));
    }
    let mut put = |name: &str, value: &Option<String>| {
        if let Some(value) = value {
            item.insert(name.to_owned(), json!(value));
        }
    };
    put("container-title", &record.venue);
    put("volume", &record.volume);
    put("issue", &record.issue);
    put("page", &record.pages);
    put("publisher", &record.publisher);
    put("URL", &record.url);
    put("abstract", &record.abstract_text);
    if let Some(doi) = &record.doi {
        item.insert("DOI".into(), json!(doi.as_str()));
    }
    if let Some(pmid) = &record.pmid {
        item.insert("PMID".into(), json!(pmid.as_str()));
    }
    if let Some(arxiv) = &record.arxiv {
        item.insert("number".into(), json!(format!("arXiv:{}", arxiv.as_str())));
    }
    if !record.keywords.is_empty() {
        item.insert("keyword".into(), json!(joined_keywords(&record.keywords)));
    }
    let notes = review.notes(record, true);
    if !notes.is_empty() {
        item.insert("note".into(), json!(notes.join("\n")));
    }
    Value::Object(item)
}

/// CSV columns: ASReview's names first, then ecolens' review columns.
pub const CSV_HEADER: [&str; 25] = [
    "record_id",
    "title",
    "abstract",
    "authors",
    "editors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "publisher",
    "doi",
    "pmid",
    "arxiv",
    "url",
    "keywords",
    "type",
    "period",
    "notes",
    "included",
    "decision",
    "exclusion_reasons",
    "categories",
    "rebound_effects",
    "labels",
];

/// A cell a spreadsheet would evaluate is prefixed with `'`.
fn safe_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_row(doc: &IndexDoc, review: &ReviewLines, style: LabelStyle) -> Vec<String> {
    let record = &doc.record;
    let text = |value: &Option<String>| safe_cell(value.as_deref().unwrap_or_default());
    let names = |people: &[Person]| people.iter().map(ris_name).collect::<Vec<_>>().join("; ");
    let authors = names(&record.authors);
    let editors = names(&record.editors);
    // Rayyan style carries the votes in the notes, and no `included` column, which would be
    // read as a second, anonymous vote; ASReview style carries the decision in `included`.
    let (notes, included) = match style {
        LabelStyle::Rayyan => (review.notes(record, false).join("\n"), ""),
        LabelStyle::Asreview => (record.notes.clone().unwrap_or_default(), review.included),
    };
    vec![
        doc.id.to_string(),
        safe_cell(&record.title),
        text(&record.abstract_text),
        safe_cell(&authors),
        safe_cell(&editors),
        record.year.map(|y| y.to_string()).unwrap_or_default(),
        text(&record.venue),
        text(&record.volume),
        text(&record.issue),
        text(&record.pages),
        text(&record.publisher),
        record
            .doi
            .as_ref()
            .map(|d| safe_cell(d.as_str()))
            .unwrap_or_default(),
        record
            .pmid
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        record
            .arxiv
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        text(&record.url),
        safe_cell(&joined_keywords(&record.keywords)),
        record.kind.code().to_owned(),
        record.period.map(|p| p.to_string()).unwrap_or_default(),
        safe_cell(&notes),
        included.to_owned(),
        review.decision.clone(),
        safe_cell(&review.reasons),
        safe_cell(&review.categories),
        review.effects.clone(),
        safe_cell(&review.record_labels),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_the_older_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ris");
        std::fs::write(&path, "older").unwrap();
        let failed = write_atomically(&path, |out| {
            out.write_all(b"half of a new").unwrap();
            Err::<(), _>(Error::Io {
                action: "cannot write",
                path: path.clone(),
                source: std::io::Error::other("disk full"),
            })
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "older");
        assert_eq!(names(dir.path()), ["out.ris"]);
        let written = write_atomically(&path, |out| {
            out.write_all(b"new").unwrap();
            Ok(3)
        });
        assert_eq!(written.unwrap(), 3);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    /// A written file is a normal file, not a private temporary one: a new file gets what any
    /// new file gets (0666 less the umask), a replaced file keeps its permissions.
    #[cfg(unix)]
    #[test]
    fn a_written_file_has_a_new_files_permissions_or_keeps_the_replaced_ones() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, "a file made the usual way").unwrap();
        let new = dir.path().join("new.ris");
        write_atomically(&new, |out| {
            out.write_all(b"new").unwrap();
            Ok(())
        })
        .unwrap();
        assert_eq!(
            mode(&new),
            mode(&plain),
            "a new file's mode under this umask"
        );
        assert_ne!(mode(&new), 0o600);
        let shared = dir.path().join("shared.ris");
        std::fs::write(&shared, "older").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&shared, |out| {
            out.write_all(b"newer").unwrap();
            Ok(())
        })
        .unwrap();
        assert_eq!(mode(&shared), 0o640);
        assert_eq!(std::fs::read_to_string(&shared).unwrap(), "newer");
    }

    /// Two exports to the same name at once (two windows, or a script and the window): the
    /// file ends up as one of them whole, never a mix, and no temporary file is left.
    #[test]
    fn writers_of_the_same_name_at_once_never_mix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.csv");
        let contents: Vec<String> = (0..4)
            .map(|writer| format!("{writer}").repeat(200_000))
            .collect();
        let barrier = std::sync::Barrier::new(contents.len());
        std::thread::scope(|scope| {
            for content in &contents {
                let (path, barrier) = (&path, &barrier);
                std::thread::Builder::new()
                    .name("writer".into())
                    .spawn_scoped(scope, move || {
                        write_atomically(path, |out| {
                            barrier.wait();
                            // Small pieces, so the writers interleave.
                            for piece in content.as_bytes().chunks(1000) {
                                out.write_all(piece).unwrap();
                                std::thread::yield_now();
                            }
                            Ok(())
                        })
                        .unwrap();
                    })
                    .unwrap();
            }
        });
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(contents.contains(&written), "a mix of writers");
        assert_eq!(names(dir.path()), ["shared.csv"]);
    }
}
