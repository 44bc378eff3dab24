//! Import and export dialogs, the project menu, the help window, native file dialogs (run on
//! their own thread) and the drag-and-drop overlay.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ecolens_corpus::export::{ExportFormat, LabelStyle};
use ecolens_corpus::import::{ImportReport, LocatedProblem};
use eframe::egui;

use super::path_field::{path_edit, typed_path};
use super::worker::{Event, Outbox, PickPurpose, Preview};
use super::{Action, JobKind, JobView};

/// Lines shown on each side of a problem's line.
const PREVIEW_CONTEXT: usize = 3;

/// How an import reads its files, as ticked in the dialog.
pub(super) struct ImportChoices {
    /// Turn Rayyan/ASReview labels into screening votes.
    pub labels_as_votes: bool,
    /// Read files again that an earlier import read.
    pub again: bool,
}

/// The import dialog's state.
pub(super) struct ImportDialog {
    /// Shown.
    pub open: bool,
    /// Files and folders chosen, not yet imported.
    pub queued: Vec<PathBuf>,
    /// A path being typed.
    pub typed: String,
    /// How files are read.
    pub choices: ImportChoices,
    /// The last import's report.
    pub report: Option<ImportReport>,
    /// Lines around a problem the user clicked.
    pub preview: Option<Preview>,
    /// Lines asked for and not read yet.
    pub preview_pending: bool,
}

impl Default for ImportDialog {
    fn default() -> Self {
        Self {
            open: false,
            queued: Vec::new(),
            typed: String::new(),
            choices: ImportChoices {
                labels_as_votes: true,
                again: false,
            },
            report: None,
            preview: None,
            preview_pending: false,
        }
    }
}

/// Shows the lines around a problem once a thread of its own has read them (files can be
/// hundreds of megabytes): the answer comes back as [`Event::Preview`].
pub(super) fn show_problem(problem: LocatedProblem, outbox: Outbox) {
    let failure = outbox.clone();
    let title = problem.to_string();
    let spawned = std::thread::Builder::new()
        .name("ecolens-preview".into())
        .spawn(move || outbox.send(Event::Preview(read_preview(&problem))));
    if let Err(error) = spawned {
        failure.send(Event::Preview(Preview {
            title,
            lines: vec![(
                0,
                format!("The file cannot be read: no thread to read it ({error})"),
            )],
            line: 0,
        }));
    }
}

/// Reads the lines around a problem, stopping after them. Bytes are decoded leniently, and
/// line numbers count CR LF, LF and lone CR endings alike, as the importers do.
fn read_preview(problem: &LocatedProblem) -> Preview {
    use std::io::BufRead as _;
    let line = problem.problem.line;
    let first = line.saturating_sub(PREVIEW_CONTEXT).max(1);
    let last = line + PREVIEW_CONTEXT;
    let mut lines = Vec::new();
    match std::fs::File::open(&problem.file) {
        Ok(file) => {
            let mut reader = std::io::BufReader::new(file);
            let mut bytes = Vec::new();
            let mut number = 0;
            while number < last {
                bytes.clear();
                match reader.read_until(b'\n', &mut bytes) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(error) => {
                        lines.push((0, format!("The file cannot be read: {error}")));
                        break;
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                for part in text.strip_suffix('\r').unwrap_or(text).split('\r') {
                    number += 1;
                    if (first..=last).contains(&number) {
                        lines.push((number, part.chars().take(300).collect()));
                    }
                }
            }
        }
        Err(error) => lines.push((0, format!("The file cannot be read: {error}"))),
    }
    Preview {
        title: problem.to_string(),
        lines,
        line,
    }
}

/// The export dialog's state.
pub(super) struct ExportDialog {
    /// Shown.
    pub open: bool,
    /// Output path as typed or chosen.
    pub path: String,
    /// Format.
    pub format: ExportFormat,
    /// Label convention.
    pub labels: LabelStyle,
    /// Only the records shown.
    pub only_shown: bool,
    /// The last export's outcome, in words.
    pub outcome: Option<String>,
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            open: false,
            path: String::new(),
            format: ExportFormat::Ris,
            labels: LabelStyle::Rayyan,
            only_shown: true,
            outcome: None,
        }
    }
}

/// How many times the file dialog library said it could not show a dialog.
///
/// rfd first asks the desktop portal, then runs zenity; when neither can show a dialog it
/// returns the same nothing as a dismissed dialog and says why only through `log`, at error
/// level, from its `rfd::backend::xdg_desktop_portal` module (the portal's own errors come from
/// a module below it and are followed by zenity's try). Counting those records is how a
/// dialog that never appeared is told from one the user closed.
static DIALOG_FAILURES: AtomicUsize = AtomicUsize::new(0);

/// The `log` sink of the window process: counts rfd's failures (see [`DIALOG_FAILURES`]) and
/// prints them, and only them, on stderr.
struct DialogFailures;

/// The module whose error records mean that no dialog could be shown.
const RFD_GAVE_UP: &str = "rfd::backend::xdg_desktop_portal";

impl log::Log for DialogFailures {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Error && metadata.target().starts_with("rfd")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            if record.target() == RFD_GAVE_UP {
                DIALOG_FAILURES.fetch_add(1, Ordering::Relaxed);
            }
            super::log_line(&format!("file dialog: {}", record.args()));
        }
    }

    fn flush(&self) {}
}

/// Installs [`DialogFailures`] as the process's logger (once; a logger set before, as in
/// tests, stays).
pub(super) fn watch_dialog_failures() {
    static SINK: DialogFailures = DialogFailures;
    if log::set_logger(&SINK).is_ok() {
        log::set_max_level(log::LevelFilter::Error);
    }
}

/// Opens a native file dialog on its own thread; the answer comes back as
/// [`Event::Picked`], or [`Event::PickFailed`] when no dialog could be shown (no desktop
/// portal and no zenity): the path can then be typed where [`PickPurpose::typed_instead`]
/// says.
pub(super) fn pick(purpose: PickPurpose, outbox: Outbox) {
    let failure = outbox.clone();
    let spawned = std::thread::Builder::new()
        .name("ecolens-file-dialog".into())
        .spawn(move || {
            let failures = DIALOG_FAILURES.load(Ordering::Relaxed);
            let dialog = rfd::FileDialog::new();
            let paths: Vec<PathBuf> = match purpose {
                PickPurpose::ImportFiles => dialog
                    .set_title("Import bibliographies and PDFs")
                    // The extensions a folder import picks up: one list for both.
                    .add_filter(
                        "Bibliographies and PDFs",
                        &ecolens_corpus::import::BIBLIOGRAPHY_EXTENSIONS,
                    )
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default(),
                PickPurpose::ImportFolder => dialog
                    .set_title("Import a folder (all bibliographies and PDFs in it)")
                    .pick_folder()
                    .into_iter()
                    .collect(),
                PickPurpose::ExportTo => dialog
                    .set_title("Export to")
                    .save_file()
                    .into_iter()
                    .collect(),
                PickPurpose::OpenProject => dialog
                    .set_title("Open a project")
                    .add_filter("ecolens projects", &["ecolens"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                PickPurpose::NewProject => dialog
                    .set_title("New project")
                    .set_file_name("review.ecolens")
                    .save_file()
                    .into_iter()
                    .collect(),
                PickPurpose::PrismaSvg => dialog
                    .set_title("Write the PRISMA diagram")
                    .set_file_name("prisma.svg")
                    .add_filter("SVG", &["svg"])
                    .save_file()
                    .into_iter()
                    .collect(),
                PickPurpose::TreeFile => dialog
                    .set_title("Write the consequence tree (SVG, or JSON)")
                    .set_file_name("consequence-tree.svg")
                    .add_filter("SVG", &["svg"])
                    .add_filter("JSON", &["json"])
                    .save_file()
                    .into_iter()
                    .collect(),
                PickPurpose::BundleOut => dialog
                    .set_title("Write your decision bundle")
                    .set_file_name("bundle.json")
                    .add_filter("Decision bundles", &["json"])
                    .save_file()
                    .into_iter()
                    .collect(),
                PickPurpose::BundleIn => dialog
                    .set_title("Import a decision bundle")
                    .add_filter("Decision bundles", &["json"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                PickPurpose::TraceFile => dialog
                    .set_title("Attach a measured-energy trace")
                    .add_filter("Traces", &["csv", "log", "json", "jsonl", "txt"])
                    .add_filter("All files", &["*"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                PickPurpose::ReportOut => dialog
                    .set_title("Write the report")
                    .set_file_name("report.html")
                    .save_file()
                    .into_iter()
                    .collect(),
            };
            if paths.is_empty() && DIALOG_FAILURES.load(Ordering::Relaxed) > failures {
                outbox.send(Event::PickFailed { purpose });
            } else {
                outbox.send(Event::Picked { purpose, paths });
            }
        });
    if spawned.is_err() {
        failure.send(Event::PickFailed { purpose });
    }
}

/// Opens a file with the system's default application. A viewer that starts but then fails
/// (no application for the type, a browser that refuses to run) is reported as a notice once
/// it exits, from a thread of its own.
pub(super) fn open_in_system_viewer(path: &Path, outbox: Outbox) -> std::io::Result<()> {
    if !path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the file is no longer there",
        ));
    }
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]);
        command
    } else {
        std::process::Command::new("xdg-open")
    };
    let mut child = command
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let shown = path.to_owned();
    // The watcher only waits; if it cannot start, the viewer still runs unwatched.
    let _ = std::thread::Builder::new()
        .name("ecolens-viewer".into())
        .spawn(move || {
            if let Ok(status) = child.wait()
                && !status.success()
            {
                outbox.send(Event::Failed {
                    what: super::worker::Failure::Viewer,
                    error: crate::service::Error::Io {
                        action: "could not be shown:",
                        path: shown,
                        source: std::io::Error::other(format!(
                            "the system's viewer stopped ({status})"
                        )),
                    },
                });
            }
        });
    Ok(())
}

/// The "Project" menu: new, open, recent.
pub(super) fn project_menu(
    ui: &mut egui::Ui,
    recent: &[PathBuf],
    typed: &mut String,
    actions: &mut Vec<Action>,
) {
    ui.menu_button("Project", |ui| {
        if ui.button("New project…").clicked() {
            actions.push(Action::Pick(PickPurpose::NewProject));
            ui.close();
        }
        if ui.button("Open project…").clicked() {
            actions.push(Action::Pick(PickPurpose::OpenProject));
            ui.close();
        }
        // The same without a file dialog: a typed path, opened or created.
        ui.horizontal(|ui| {
            let label = ui.label("Project file:");
            path_edit(ui, typed, "review.ecolens", 260.0).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let path = typed_path(typed).map(|mut path| {
                if path.extension().is_none() {
                    path.set_extension("ecolens");
                }
                path
            });
            if ui
                .add_enabled(path.is_some(), egui::Button::new("Open this project"))
                .clicked()
                && let Some(path) = &path
            {
                actions.push(Action::OpenProject(path.clone()));
                ui.close();
            }
            if ui
                .add_enabled(path.is_some(), egui::Button::new("Create this project"))
                .clicked()
                && let Some(path) = path
            {
                actions.push(Action::NewProject(path));
                ui.close();
            }
        });
        if ui
            .button("New entry…")
            .on_hover_text(
                "Enter a record by hand: a project or grant proposal under assessment, a paper no database holds",
            )
            .clicked()
        {
            actions.push(Action::NewEntry);
            ui.close();
        }
        if ui
            .button("Join a hub…")
            .on_hover_text(
                "Make this project your working copy of the team's hub, with the login your lead sent you",
            )
            .clicked()
        {
            actions.push(Action::OpenJoinHub);
            ui.close();
        }
        if ui
            .button("Add the demo corpus")
            .on_hover_text(
                "47 green-AI and AI-for-green publications to try ecolens on; those already here are not added twice",
            )
            .clicked()
        {
            actions.push(Action::AddDemo);
            ui.close();
        }
        if ui
            .button("Rebuild the search index")
            .on_hover_text(
                "The index is derived from the project file; rebuilding it loses nothing",
            )
            .clicked()
        {
            actions.push(Action::Reindex);
            ui.close();
        }
        if recent.len() > 1 {
            ui.separator();
            ui.weak("Recent");
            for path in recent.iter().skip(1) {
                if ui.button(path.display().to_string()).clicked() {
                    actions.push(Action::OpenProject(path.clone()));
                    ui.close();
                }
            }
        }
    });
}

fn report_ui(ui: &mut egui::Ui, report: &ImportReport, actions: &mut Vec<Action>) {
    ui.strong(if report.cancelled {
        "Import cancelled: nothing was written".to_owned()
    } else if report.failed.is_empty() {
        "Import finished".to_owned()
    } else {
        format!(
            "Import finished; {} file(s) could not be read",
            report.failed.len()
        )
    });
    // A file that could not be read at all (not found, unreadable, not a known format) is
    // said so, apart from the records that were rejected.
    for problem in &report.failed {
        ui.colored_label(ui.visuals().error_fg_color, problem.to_string());
    }
    ui.label(format!(
        "{} files read, {} records read, {} imported, {} duplicates merged, {} linked as errata or preprints, {} full texts attached",
        report.files.iter().filter(|f| f.was_read()).count(),
        report.records_read,
        report.records_imported,
        report.duplicates_merged,
        report.related_linked,
        report.full_texts_attached
    ));
    if report.already_present > 0 {
        ui.label(format!(
            "{} records were already in the project from the same file and line: neither added nor merged again",
            report.already_present
        ));
    }
    for file in report.files.iter().filter(|f| f.skipped()) {
        let name = file.path.file_name().map_or_else(
            || file.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let why = match (&file.already_imported, &file.same_as) {
            (Some(earlier), _) => format!(
                "{name} was not read again: {} read the same content. Tick \"Read files again\" to read it anyway.",
                earlier.describe()
            ),
            (None, Some(first)) => format!(
                "{name} was not read: it has the same content as {}",
                first.display()
            ),
            (None, None) => continue,
        };
        ui.label(why);
    }
    egui::Grid::new("import-files")
        .striped(true)
        .show(ui, |ui| {
            for title in ["File", "Format", "Read", "New", "Merged", "Rejected"] {
                ui.strong(title);
            }
            ui.end_row();
            for file in &report.files {
                ui.label(file.path.file_name().map_or_else(
                    || file.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ))
                .on_hover_text(file.path.display().to_string());
                ui.label(if file.skipped() {
                    "imported before"
                } else {
                    file.format.as_deref().unwrap_or("?")
                });
                ui.label(file.records_read.to_string());
                ui.label(file.records_imported.to_string());
                ui.label(file.duplicates_merged.to_string());
                ui.label(file.rejected.to_string());
                ui.end_row();
            }
        });
    let problems = report.rejected.len() + report.warnings.len();
    if problems > 0 {
        ui.add_space(4.0);
        ui.strong(format!(
            "{} rejected, {} warnings — click a line to see it in its file",
            report.rejected.len(),
            report.warnings.len()
        ));
        egui::ScrollArea::vertical()
            .id_salt("import-problems")
            .max_height(180.0)
            .show(ui, |ui| {
                for problem in report.rejected.iter().chain(&report.warnings) {
                    if ui.link(problem.to_string()).clicked() {
                        actions.push(Action::ShowProblem(problem.clone()));
                    }
                }
            });
    }
}

/// The import window: choose files, start, watch, read the report.
pub(super) fn import_window(
    ctx: &egui::Context,
    dialog: &mut ImportDialog,
    jobs: &BTreeMap<u64, JobView>,
    actions: &mut Vec<Action>,
) {
    if !dialog.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Import")
        .open(&mut open)
        .default_width(560.0)
        .collapsible(false)
        .vscroll(true)
        .resizable(true)
        .default_height(640.0)
        .max_height(ctx.content_rect().height() - 60.0)
        .show(ctx, |ui| {
            let running = jobs.iter().find(|(_, job)| job.kind == JobKind::Import);
            if let Some((id, job)) = running {
                ui.label(&job.title);
                ui.add(
                    egui::ProgressBar::new(job.fraction.unwrap_or(0.0))
                        .text(job.progress.clone())
                        .animate(true),
                );
                if ui.button("Cancel import").clicked() {
                    actions.push(Action::CancelJob(*id));
                }
                return;
            }
            ui.label("RIS, BibTeX/BibLaTeX, MEDLINE, PubMed XML, Web of Science, EndNote XML and tagged, Ovid, Zotero RDF, CSV/TSV, XLSX, CSL-JSON (gzip-compressed too) and PDFs; the format is read from the content. A file imported before is recognised and not read again. You can also drop files and folders on the window.");
            ui.horizontal(|ui| {
                if ui.button("Add files…").clicked() {
                    actions.push(Action::Pick(PickPurpose::ImportFiles));
                }
                if ui.button("Add folder…").clicked() {
                    actions.push(Action::Pick(PickPurpose::ImportFolder));
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("Path:");
                let response =
                    path_edit(ui, &mut dialog.typed, "a file or folder", 360.0).labelled_by(label.id);
                let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui.button("Add path").clicked() || entered)
                    && let Some(path) = typed_path(&dialog.typed)
                {
                    if !dialog.queued.contains(&path) {
                        dialog.queued.push(path);
                    }
                    dialog.typed.clear();
                }
            });
            let mut remove = None;
            for (at, path) in dialog.queued.iter().enumerate() {
                ui.horizontal(|ui| {
                    if ui.small_button("Remove").clicked() {
                        remove = Some(at);
                    }
                    ui.label(path.display().to_string());
                });
            }
            if let Some(at) = remove {
                dialog.queued.remove(at);
            }
            ui.checkbox(
                &mut dialog.choices.labels_as_votes,
                "Record Rayyan/ASReview labels as screening votes",
            );
            ui.checkbox(
                &mut dialog.choices.again,
                "Read files again that an earlier import read",
            )
            .on_hover_text(
                "Files are recognised by their content. Records already read from the same \
                 file and line are never added or merged twice.",
            );
            ui.add_enabled_ui(!dialog.queued.is_empty(), |ui| {
                if ui.button("Start import").clicked() {
                    actions.push(Action::StartImport(std::mem::take(&mut dialog.queued)));
                }
            });
            if let Some(preview) = &dialog.preview {
                ui.separator();
                ui.strong(&preview.title);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    for (number, text) in &preview.lines {
                        let line = format!("{number:>6}  {text}");
                        let text = egui::RichText::new(line).monospace();
                        if *number == preview.line {
                            ui.label(text.strong().color(ui.visuals().warn_fg_color));
                        } else {
                            ui.label(text);
                        }
                    }
                });
            }
            if let Some(report) = &dialog.report {
                ui.separator();
                report_ui(ui, report, actions);
                if ui.button("Done").clicked() {
                    dialog.report = None;
                    dialog.preview = None;
                    dialog.open = false;
                }
            }
        });
    if !open {
        dialog.open = false;
    }
}

/// The export window.
pub(super) fn export_window(
    ctx: &egui::Context,
    dialog: &mut ExportDialog,
    total: u64,
    shown: usize,
    filtered: bool,
    actions: &mut Vec<Action>,
) {
    if !dialog.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Export")
        .open(&mut open)
        .collapsible(false)
        .default_width(460.0)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label("Format:");
                for format in [
                    ExportFormat::Ris,
                    ExportFormat::Bibtex,
                    ExportFormat::Csv,
                    ExportFormat::CslJson,
                ] {
                    ui.radio_value(&mut dialog.format, format, format.name());
                }
            });
            if matches!(dialog.format, ExportFormat::Ris | ExportFormat::Csv) {
                ui.horizontal(|ui| {
                    ui.label("Review labels as:");
                    ui.radio_value(&mut dialog.labels, LabelStyle::Rayyan, "Rayyan");
                    ui.radio_value(&mut dialog.labels, LabelStyle::Asreview, "ASReview");
                });
            }
            ui.horizontal(|ui| {
                ui.label("Records:");
                ui.radio_value(&mut dialog.only_shown, false, format!("all {total}"));
                ui.add_enabled_ui(filtered, |ui| {
                    ui.radio_value(
                        &mut dialog.only_shown,
                        true,
                        format!("the {shown} the search and filters show"),
                    );
                });
            });
            ui.horizontal(|ui| {
                let label = ui.label("File:");
                path_edit(ui, &mut dialog.path, "included.ris", 280.0).labelled_by(label.id);
                if ui.button("Browse…").clicked() {
                    actions.push(Action::Pick(PickPurpose::ExportTo));
                }
            });
            ui.add_enabled_ui(!dialog.path.trim().is_empty(), |ui| {
                if ui.button("Write export").clicked()
                    && let Some(mut path) = typed_path(&dialog.path)
                {
                    if path.is_dir()
                        || dialog
                            .path
                            .trim_end()
                            .ends_with(['/', std::path::MAIN_SEPARATOR])
                    {
                        dialog.outcome = Some(format!(
                            "{} is a folder: add the file's name.",
                            path.display()
                        ));
                        return;
                    }
                    if path.extension().is_none() {
                        path.set_extension(dialog.format.extension());
                    }
                    dialog.outcome = None;
                    actions.push(Action::Export {
                        path,
                        format: dialog.format,
                        labels: dialog.labels,
                        only_shown: dialog.only_shown && filtered,
                    });
                }
            });
            if let Some(outcome) = &dialog.outcome {
                ui.label(outcome);
            }
        });
    if !open {
        dialog.open = false;
    }
}

/// Keyboard shortcuts and the search syntax.
pub(super) fn help_window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Help")
        .open(open)
        .default_width(520.0)
        .show(ctx, |ui| {
            const LIBRARY: &[(&str, &str)] = &[
                ("/  or  Ctrl+F", "focus the search box"),
                ("↓ / j,  ↑ / k", "move through the table"),
                (
                    "Page Down / Page Up, Home / End",
                    "move by a page, to the ends",
                ),
                ("Enter", "open the record under the cursor"),
                ("↓ in the search box", "go to the results"),
            ];
            const EVERYWHERE: &[(&str, &str)] = &[
                (
                    "Esc",
                    "close help, a dialog, then the record (or leave a text field)",
                ),
                ("F1  or  ?", "this help"),
            ];
            for (section, keys) in [
                ("Keyboard, everywhere", EVERYWHERE),
                ("Library", LIBRARY),
                ("Screening", super::screening::KEYS),
                ("Classify", super::classify::KEYS),
            ] {
                ui.strong(section);
                egui::Grid::new(("shortcuts", section))
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for &(keys, what) in keys {
                            ui.monospace(keys);
                            ui.label(what);
                            ui.end_row();
                        }
                    });
                ui.add_space(4.0);
            }
            ui.add_space(8.0);
            ui.strong("Search");
            for line in [
                "rebound effect — both words, in any field",
                "\"life cycle assessment\" — a phrase",
                "title:carbon  ab:water  au:strubell  kw:lca  so:nature  ft:inference",
                "emission* — words starting with emission",
                "year:2019..2021  year:>=2020",
                "energy OR carbon   energy AND NOT training   -training",
                "decision:include|exclude|maybe|conflict|unscreened   category:a…f",
                "rebound:HO.RB.DIR   has:fulltext|lca|trace|doi   file:scopus.ris",
            ] {
                ui.monospace(line);
            }
            ui.add_space(4.0);
            ui.weak(format!("Fields: {}", ecolens_corpus::query::FIELD_NAMES));
        });
}

/// A hint over the window while files are dragged over it.
pub(super) fn drop_overlay(ctx: &egui::Context) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop-overlay"),
    ));
    let screen = ctx.content_rect();
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        "Drop bibliographies, PDFs or folders to import them",
        egui::TextStyle::Heading.resolve(&ctx.global_style()),
        egui::Color32::WHITE,
    );
}
