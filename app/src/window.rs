//! The workbench window: the project's records in a table, the selected record's details beside
//! it, a status bar below.
//!
//! The window holds view state only. Drawing code emits [`Action`]s; after the frame,
//! [`Workbench::apply`] carries them out against the project. The richer views (search, import
//! with progress, review) grow on this pattern.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use ecolens_core::{Project, Record, RecordId, RecordQuery, RecordRow, StoredRecord};
use eframe::egui;
use egui_extras::{Column, TableBuilder};

use crate::location::open_project;

/// Something the user asked for, applied after the frame by [`Workbench::apply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Show this record's details.
    Select(RecordId),
    /// Close the details panel.
    Deselect,
}

/// The workbench application: the open project and what the window shows of it.
pub struct Workbench {
    project: Project,
    rows: Vec<RecordRow>,
    selected: Option<StoredRecord>,
    /// A problem to show once, in words a reviewer understands.
    notice: Option<String>,
}

impl Workbench {
    /// A workbench on an open project; reads the record list once, before the first frame.
    pub fn new(project: Project) -> Result<Self> {
        let rows = project
            .record_rows(RecordQuery::default())
            .with_context(|| format!("cannot list the records of {}", project.path().display()))?;
        Ok(Self {
            project,
            rows,
            selected: None,
            notice: None,
        })
    }

    /// The rows the table shows.
    pub fn rows(&self) -> &[RecordRow] {
        &self.rows
    }

    /// The record whose details are shown.
    pub fn selected(&self) -> Option<&StoredRecord> {
        self.selected.as_ref()
    }

    /// The notice currently shown, if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Carries out one user action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Select(id) => match self.project.record(id) {
                Ok(record) => self.selected = Some(record),
                Err(error) => {
                    self.notice = Some(format!(
                        "Record {id} could not be opened: {error}. The project file may have been changed by another program; reopen it."
                    ));
                }
            },
            Action::Deselect => self.selected = None,
        }
    }

    fn top_bar_ui(&self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("ecolens");
            ui.separator();
            ui.label(format!("{} records", self.rows.len()));
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label(format!("Project: {}", self.project.path().display()));
            if let Some(notice) = &self.notice {
                ui.separator();
                ui.colored_label(ui.visuals().warn_fg_color, notice);
                if ui.small_button("Dismiss").clicked() {
                    self.notice = None;
                }
            }
        });
    }

    fn table_ui(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let selected = self.selected.as_ref().map(|record| record.id);
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        TableBuilder::new(ui)
            .id_salt("records")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            // The title takes what the other columns leave, so it must not be resizable
            // itself: egui_extras keeps a resizable column's stored width even when the
            // details panel narrows the table.
            .column(
                Column::remainder()
                    .at_least(240.0)
                    .clip(true)
                    .resizable(false),
            )
            .column(Column::initial(160.0).at_least(60.0).clip(true))
            .column(Column::initial(48.0).at_least(40.0))
            .column(Column::initial(220.0).at_least(60.0).clip(true))
            .header(row_height, |mut header| {
                for title in ["Title", "Authors", "Year", "Venue"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.rows.len(), |mut row| {
                    let Some(record) = self.rows.get(row.index()) else {
                        return;
                    };
                    let is_selected = selected == Some(record.id);
                    row.set_selected(is_selected);
                    // Cells hold plain, non-selectable labels so that a click anywhere on the
                    // row reaches the row.
                    let cell = |text: &str| egui::Label::new(text).selectable(false).truncate();
                    let year = record.year.map(|y| y.to_string()).unwrap_or_default();
                    for text in [
                        record.title.as_str(),
                        record.authors.as_str(),
                        year.as_str(),
                        record.venue.as_deref().unwrap_or_default(),
                    ] {
                        row.col(|ui| {
                            ui.add(cell(text));
                        });
                    }
                    if row.response().clicked() {
                        actions.push(if is_selected {
                            Action::Deselect
                        } else {
                            Action::Select(record.id)
                        });
                    }
                });
            });
    }

    fn detail_ui(record: &StoredRecord, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let r = &record.record;
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(r.kind.label()).small());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close").clicked() {
                    actions.push(Action::Deselect);
                }
            });
        });
        ui.heading(&r.title);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let authors: Vec<String> = r.authors.iter().map(ToString::to_string).collect();
                ui.label(authors.join("; "));
                ui.label(citation(r));
                if let Some(publisher) = &r.publisher {
                    ui.label(publisher);
                }
                ui.add_space(6.0);
                egui::Grid::new("identifiers")
                    .num_columns(2)
                    .show(ui, |ui| {
                        if let Some(doi) = &r.doi {
                            ui.label("DOI");
                            ui.hyperlink_to(doi.as_str(), doi.url());
                            ui.end_row();
                        }
                        if let Some(arxiv) = &r.arxiv {
                            ui.label("arXiv");
                            ui.hyperlink_to(arxiv.as_str(), arxiv.url());
                            ui.end_row();
                        }
                        if let Some(pmid) = &r.pmid {
                            ui.label("PMID");
                            ui.hyperlink_to(pmid.as_str(), pmid.url());
                            ui.end_row();
                        }
                        if let Some(url) = &r.url {
                            ui.label("Link");
                            ui.hyperlink_to(url, url);
                            ui.end_row();
                        }
                    });
                if let Some(text) = &r.abstract_text {
                    ui.add_space(6.0);
                    ui.strong("Abstract");
                    ui.label(text);
                }
                if !r.keywords.is_empty() {
                    ui.add_space(6.0);
                    ui.strong("Keywords");
                    ui.label(r.keywords.join(", "));
                }
                if let Some(notes) = &r.notes {
                    ui.add_space(6.0);
                    ui.strong("Notes");
                    ui.label(notes);
                }
                ui.add_space(6.0);
                ui.strong("Provenance");
                for source in &record.sources {
                    let mut line = format!("{} ({})", source.file, source.format);
                    if let Some(locator) = &source.locator {
                        let _ = write!(line, ", {locator}");
                    }
                    if let Some(key) = &source.original_key {
                        let _ = write!(line, ", key {key}");
                    }
                    ui.label(line);
                }
            });
    }
}

/// "Venue 14(9): 5172 (2022)" for the details panel.
fn citation(r: &Record) -> String {
    let mut line = r.venue.clone().unwrap_or_default();
    // Writing to a String cannot fail.
    let _ = match (&r.volume, &r.issue) {
        (Some(volume), Some(issue)) => write!(line, " {volume}({issue})"),
        (Some(volume), None) => write!(line, " {volume}"),
        (None, Some(issue)) => write!(line, " ({issue})"),
        (None, None) => Ok(()),
    };
    if let Some(pages) = &r.pages {
        let _ = write!(line, ": {pages}");
    }
    if let Some(year) = r.year {
        let _ = write!(line, " ({year})");
    }
    line.trim().to_owned()
}

impl eframe::App for Workbench {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        if let Some(record) = &self.selected {
            egui::Panel::right("record_detail")
                .resizable(true)
                .default_size(380.0)
                .show(ui, |ui| Self::detail_ui(record, ui, &mut actions));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if self.rows.is_empty() {
                ui.label("This project has no records yet.");
            } else {
                self.table_ui(ui, &mut actions);
            }
        });
        for action in actions {
            self.apply(action);
        }
    }
}

/// Opens the workbench window on the project at `path` (created, with the demo corpus unless
/// `with_demo` is false, if it does not exist) and runs until the window closes.
pub fn run_window(path: &Path, with_demo: bool) -> Result<()> {
    let opened = open_project(path, with_demo)?;
    let workbench = Workbench::new(opened.project)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ecolens")
            .with_inner_size([1200.0, 760.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    eframe::run_native("ecolens", options, Box::new(|_cc| Ok(Box::new(workbench))))
        .map_err(|error| anyhow!("cannot open the workbench window: {error}"))
}
