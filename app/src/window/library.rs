//! The library view: the search box, the facet filters and the virtualised table.

use ecolens_core::record::shown_title;
use std::collections::BTreeSet;

use ecolens_core::{LibraryColumn, LibraryRow, RecordId, ScreeningStatus, SourceFile};
use ecolens_corpus::index::Hit;
use ecolens_corpus::query::{self, Query, QueryError};
use ecolens_taxonomy::Term as _;
use ecolens_taxonomy::effects::EffectCode;
use ecolens_taxonomy::eval_scale::EvalCategory;
use eframe::egui;
use egui_extras::{Column, TableBuilder};

use super::worker::SortKey;
use super::{Action, LibraryState};

/// Rows read beyond those on screen, on each side.
const PREFETCH_ROWS: usize = 100;

/// Facet filters: within a facet any chosen value matches, across facets all must.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Source file names.
    pub files: BTreeSet<String>,
    /// First year, inclusive.
    pub year_from: Option<i32>,
    /// Last year, inclusive.
    pub year_to: Option<i32>,
    /// Screening statuses (`include`, `conflict` …).
    pub decisions: BTreeSet<String>,
    /// a–f categories.
    pub categories: BTreeSet<String>,
    /// Rebound effect codes.
    pub rebound: BTreeSet<String>,
    /// Only records with a full text.
    pub has_full_text: bool,
    /// Only records with an LCA scenario.
    pub has_lca: bool,
    /// Only records with a measured-energy trace.
    pub has_trace: bool,
}

/// Any of `values` of one facet: the facet itself for one value, an OR for several.
fn any_of(name: &str, values: &BTreeSet<String>) -> Result<Option<Query>, QueryError> {
    let mut clauses: Vec<Query> = values
        .iter()
        .map(|value| query::facet(name, value))
        .collect::<Result<_, _>>()?;
    Ok(match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(Query::Or(clauses)),
    })
}

impl Filters {
    /// The filters as query clauses, all of which must match.
    pub fn clauses(&self) -> Result<Vec<Query>, QueryError> {
        let mut clauses = Vec::new();
        clauses.extend(any_of("file", &self.files)?);
        if self.year_from.is_some() || self.year_to.is_some() {
            clauses.push(Query::Year {
                from: self.year_from,
                to: self.year_to,
            });
        }
        clauses.extend(any_of("decision", &self.decisions)?);
        clauses.extend(any_of("category", &self.categories)?);
        clauses.extend(any_of("rebound", &self.rebound)?);
        for (on, value) in [
            (self.has_full_text, "fulltext"),
            (self.has_lca, "lca"),
            (self.has_trace, "trace"),
        ] {
            if on {
                clauses.push(query::facet("has", value)?);
            }
        }
        Ok(clauses)
    }

    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

fn toggle(ui: &mut egui::Ui, set: &mut BTreeSet<String>, code: &str, label: &str) -> bool {
    let mut on = set.contains(code);
    let changed = ui.checkbox(&mut on, label).changed();
    if changed {
        if on {
            set.insert(code.to_owned());
        } else {
            set.remove(code);
        }
    }
    changed
}

/// The facet panel; returns whether a filter changed.
pub(super) fn filters_ui(ui: &mut egui::Ui, filters: &mut Filters, files: &[SourceFile]) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        ui.strong("Filters");
        if !filters.is_empty() && ui.small_button("Clear filters").clicked() {
            *filters = Filters::default();
            changed = true;
        }
    });
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::CollapsingHeader::new("Decision")
                .default_open(true)
                .show(ui, |ui| {
                    for status in ScreeningStatus::ALL {
                        let label = match status {
                            ScreeningStatus::Unscreened => "Unscreened",
                            ScreeningStatus::Include => "Included",
                            ScreeningStatus::Exclude => "Excluded",
                            ScreeningStatus::Maybe => "Maybe",
                            ScreeningStatus::Conflict => "Reviewers disagree",
                        };
                        changed |= toggle(ui, &mut filters.decisions, status.code(), label);
                    }
                });
            egui::CollapsingHeader::new("a–f category")
                .default_open(true)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        for &category in EvalCategory::ALL {
                            let code = category.code();
                            changed |= toggle(ui, &mut filters.categories, code, code);
                        }
                    });
                });
            egui::CollapsingHeader::new("Publication year")
                .default_open(true)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        changed |= year_field(ui, "From", &mut filters.year_from);
                        changed |= year_field(ui, "To", &mut filters.year_to);
                    });
                });
            egui::CollapsingHeader::new("Has")
                .default_open(true)
                .show(ui, |ui| {
                    changed |= ui
                        .checkbox(&mut filters.has_full_text, "Full text")
                        .changed();
                    changed |= ui.checkbox(&mut filters.has_lca, "LCA scenario").changed();
                    changed |= ui
                        .checkbox(&mut filters.has_trace, "Energy trace")
                        .changed();
                });
            egui::CollapsingHeader::new("Source file")
                .default_open(true)
                .show(ui, |ui| {
                    if files.is_empty() {
                        ui.weak("No files imported yet");
                    }
                    for file in files {
                        changed |= toggle(
                            ui,
                            &mut filters.files,
                            &file.name,
                            &format!("{} ({})", file.name, file.records),
                        );
                    }
                });
            egui::CollapsingHeader::new("Rebound effect")
                .default_open(false)
                .show(ui, |ui| {
                    for &effect in EffectCode::ALL {
                        let code = effect.code();
                        changed |= toggle(ui, &mut filters.rebound, code, code);
                        ui.label(egui::RichText::new(effect.name()).small().weak());
                    }
                });
        });
    changed
}

fn year_field(ui: &mut egui::Ui, label: &str, year: &mut Option<i32>) -> bool {
    let id = ui.make_persistent_id(("year", label));
    let mut text = ui.data_mut(|d| {
        d.get_temp::<String>(id)
            .unwrap_or_else(|| year.map(|y| y.to_string()).unwrap_or_default())
    });
    let name = ui.label(label);
    let response = ui
        .add(egui::TextEdit::singleline(&mut text).desired_width(44.0))
        .labelled_by(name.id);
    let mut changed = false;
    if response.changed() {
        let parsed = text
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1000..=2999).contains(y));
        if parsed != *year && (parsed.is_some() || text.trim().is_empty()) {
            *year = parsed;
            changed = true;
        }
    }
    if !response.has_focus() && year.map(|y| y.to_string()).unwrap_or_default() != text {
        text = year.map(|y| y.to_string()).unwrap_or_default();
    }
    ui.data_mut(|d| d.insert_temp(id, text));
    changed
}

/// Column header text.
fn column_name(column: LibraryColumn) -> &'static str {
    match column {
        LibraryColumn::Added => "Id",
        LibraryColumn::Title => "Title",
        LibraryColumn::Authors => "Authors",
        LibraryColumn::Year => "Year",
        LibraryColumn::Venue => "Venue",
        LibraryColumn::Source => "Source",
        LibraryColumn::Decision => "Decision",
        LibraryColumn::Category => "a–f",
    }
}

fn status_text(row: &LibraryRow) -> String {
    let status = match row.screening {
        ScreeningStatus::Unscreened => return String::new(),
        ScreeningStatus::Include => "include",
        ScreeningStatus::Exclude => "exclude",
        ScreeningStatus::Maybe => "maybe",
        ScreeningStatus::Conflict => "conflict",
    };
    match row.stage {
        Some(ecolens_core::Stage::FullText) => format!("{status} (full text)"),
        _ => status.to_owned(),
    }
}

fn cell_text(row: &LibraryRow, column: LibraryColumn) -> String {
    match column {
        LibraryColumn::Added => row.id.to_string(),
        LibraryColumn::Title => shown_title(&row.title).to_owned(),
        LibraryColumn::Authors => row.authors.clone(),
        LibraryColumn::Year => row.year.map(|y| y.to_string()).unwrap_or_default(),
        LibraryColumn::Venue => row.venue.clone().unwrap_or_default(),
        LibraryColumn::Source => {
            if row.source_count > 1 {
                format!("{} +{}", row.source, row.source_count - 1)
            } else {
                row.source.clone()
            }
        }
        LibraryColumn::Decision => status_text(row),
        LibraryColumn::Category => row
            .categories
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Flags shown after the title: full text, LCA, trace, risks.
fn flags(row: &LibraryRow) -> String {
    let mut flags = Vec::new();
    if row.has_full_text {
        flags.push("PDF".to_owned());
    }
    if row.has_lca {
        flags.push("LCA".to_owned());
    }
    if row.has_trace {
        flags.push("trace".to_owned());
    }
    if row.risk_count > 0 {
        flags.push(format!("{} risk(s)", row.risk_count));
    }
    flags.join(" · ")
}

/// Text with byte ranges highlighted, for titles and snippets.
pub(super) fn highlighted(
    ui: &egui::Ui,
    text: &str,
    ranges: &[(usize, usize)],
    small: bool,
    weak: bool,
) -> egui::text::LayoutJob {
    let style = ui.style();
    let font = if small {
        egui::TextStyle::Small.resolve(style)
    } else {
        egui::TextStyle::Body.resolve(style)
    };
    let color = if weak {
        ui.visuals().weak_text_color()
    } else {
        ui.visuals().text_color()
    };
    let plain = egui::TextFormat {
        font_id: font.clone(),
        color,
        ..Default::default()
    };
    let marked = egui::TextFormat {
        font_id: font,
        color: ui.visuals().strong_text_color(),
        background: ui.visuals().selection.bg_fill.gamma_multiply(0.6),
        ..Default::default()
    };
    let mut job = egui::text::LayoutJob::default();
    let mut at = 0;
    for &(start, end) in ranges {
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        job.append(&text[at..start], 0.0, plain.clone());
        job.append(&text[start..end], 0.0, marked.clone());
        at = end;
    }
    job.append(&text[at..], 0.0, plain);
    job.wrap = egui::text::TextWrapping::truncate_at_width(f32::INFINITY);
    job
}

/// The least width the title column keeps, in points.
const TITLE_WIDTH: f32 = 200.0;

/// A column's starting width, in points.
fn column_width(column: LibraryColumn) -> f32 {
    match column {
        LibraryColumn::Year => 48.0,
        LibraryColumn::Category => 40.0,
        LibraryColumn::Decision => 90.0,
        LibraryColumn::Authors => 150.0,
        LibraryColumn::Source => 130.0,
        LibraryColumn::Added => 60.0,
        _ => 190.0,
    }
}

/// The chosen columns that fit `width` beside the title, dropping the least needed first:
/// venue, source, record id, year, authors. The review's own columns (decision, a–f) stay.
fn fitting_columns(columns: &[LibraryColumn], width: f32) -> Vec<LibraryColumn> {
    const DROP_FIRST: [LibraryColumn; 5] = [
        LibraryColumn::Venue,
        LibraryColumn::Source,
        LibraryColumn::Added,
        LibraryColumn::Year,
        LibraryColumn::Authors,
    ];
    // Each column also takes the table's spacing and a resize handle.
    let needed = |kept: &[LibraryColumn]| {
        TITLE_WIDTH + kept.iter().map(|c| column_width(*c) + 12.0).sum::<f32>()
    };
    let mut kept = columns.to_vec();
    for drop in DROP_FIRST {
        if needed(&kept) <= width {
            break;
        }
        kept.retain(|c| *c != drop);
    }
    kept
}

/// Which columns the table shows besides the title; kept in the order of
/// [`LibraryColumn::ALL`].
fn columns_menu(ui: &mut egui::Ui, columns: &mut Vec<LibraryColumn>) {
    ui.menu_button("Columns", |ui| {
        for column in LibraryColumn::ALL {
            if column == LibraryColumn::Title {
                continue;
            }
            let mut shown = columns.contains(&column);
            let name = match column {
                LibraryColumn::Added => "Record id",
                LibraryColumn::Category => "a–f category",
                other => column_name(other),
            };
            if ui.checkbox(&mut shown, name).changed() {
                columns.retain(|c| *c != column);
                if shown {
                    columns.push(column);
                    columns.sort_by_key(|c| LibraryColumn::ALL.iter().position(|a| a == c));
                }
            }
        }
    });
}

/// The search box and the table. Returns the ids of rows on screen not read yet.
pub(super) fn library_ui(
    ui: &mut egui::Ui,
    state: &mut LibraryState,
    columns: &mut Vec<LibraryColumn>,
    open: Option<RecordId>,
    focus_search: bool,
    actions: &mut Vec<Action>,
) -> Vec<RecordId> {
    ui.horizontal(|ui| {
        let label = ui.label("Search:");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.search)
                    .hint_text(
                        "words, \"phrases\", title:carbon, year:2019..2021, decision:include …",
                    )
                    .desired_width(ui.available_width() - 90.0),
            )
            .labelled_by(label.id);
        if focus_search {
            response.request_focus();
        }
        if response.changed() {
            actions.push(Action::Relist);
        }
        if response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::ArrowDown)) {
            response.surrender_focus();
            actions.push(Action::MoveCursor(1));
        }
        if response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            response.surrender_focus();
        }
        if !state.search.is_empty() && ui.button("Clear").clicked() {
            state.search.clear();
            actions.push(Action::Relist);
        }
        if state.is_listing() {
            ui.spinner();
        }
    });
    if let Some(error) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    let query_active = state.is_filtered();
    let searching = query_active && !state.search.trim().is_empty();
    ui.horizontal(|ui| {
        let listing = state.listing.as_ref();
        let shown = listing.map_or(0, |l| l.ids.len());
        if query_active {
            ui.label(format!("{shown} matching records"));
        } else {
            ui.label(format!("All {shown} records"));
        }
        columns_menu(ui, columns);
        if searching {
            let label = if state.sort == SortKey::Relevance {
                "Ordered by relevance"
            } else {
                "Order by relevance"
            };
            if ui
                .selectable_label(state.sort == SortKey::Relevance, label)
                .clicked()
                && state.sort != SortKey::Relevance
            {
                actions.push(Action::SortBy(SortKey::Relevance));
            }
        }
    });
    // A narrow window (or one with a record open) keeps the review columns and drops others.
    let fitting = fitting_columns(columns, ui.available_width());
    let columns: &[LibraryColumn] = &fitting;
    let ids = state
        .listing
        .as_ref()
        .map(|l| std::sync::Arc::clone(&l.ids));
    let Some(ids) = ids else {
        ui.weak("Reading the project…");
        return Vec::new();
    };
    if ids.is_empty() {
        ui.add_space(12.0);
        if query_active {
            ui.label("No record matches. Loosen the search or clear the filters.");
        } else {
            ui.label("This project has no records yet. Import a bibliography: drop files here or choose Import….");
        }
        return Vec::new();
    }
    let body_height = ui.text_style_height(&egui::TextStyle::Body);
    let row_height = if searching {
        body_height + ui.text_style_height(&egui::TextStyle::Small) + 8.0
    } else {
        body_height + 6.0
    };
    let mut wanted = Vec::new();
    let mut wanted_at = Vec::new();
    let mut builder = TableBuilder::new(ui)
        .id_salt("library")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(
            Column::remainder()
                .at_least(TITLE_WIDTH)
                .clip(true)
                .resizable(false),
        );
    for column in columns {
        builder = builder.column(
            Column::initial(column_width(*column))
                .at_least(32.0)
                .clip(true),
        );
    }
    if state.scroll_to_cursor {
        if let Some(cursor) = state.cursor {
            builder = builder.scroll_to_row(cursor, None);
        }
        state.scroll_to_cursor = false;
    }
    let cursor = state.cursor;
    let mut clicked = None;
    builder
        .header(body_height + 8.0, |mut header| {
            for column in std::iter::once(LibraryColumn::Title).chain(columns.iter().copied()) {
                header.col(|ui| {
                    let key = SortKey::Column(column);
                    let arrow = if state.sort == key {
                        if state.descending { " v" } else { " ^" }
                    } else {
                        ""
                    };
                    let text = format!("{}{arrow}", column_name(column));
                    if ui
                        .add(egui::Button::new(egui::RichText::new(text).strong()).frame(false))
                        .on_hover_text("Sort by this column; again to reverse")
                        .clicked()
                    {
                        actions.push(Action::SortBy(key));
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, ids.len(), |mut row| {
                let index = row.index();
                let Some(&id) = ids.get(index) else {
                    return;
                };
                row.set_selected(open == Some(id) || cursor == Some(index));
                let Some(record) = state.rows.get(&id) else {
                    if !state.requested.contains(&id) {
                        wanted.push(id);
                        wanted_at.push(index);
                    }
                    row.col(|ui| {
                        ui.weak("…");
                    });
                    for _ in columns {
                        row.col(|_| {});
                    }
                    return;
                };
                let hit: Option<&Hit> = state.hits.get(&id);
                if searching && hit.is_none() && !state.requested.contains(&id) {
                    wanted.push(id);
                    wanted_at.push(index);
                }
                row.col(|ui| {
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| {
                            let job = highlighted(
                                ui,
                                shown_title(&record.title),
                                hit.map_or(&[][..], |h| &h.title_highlights),
                                false,
                                false,
                            );
                            ui.add(egui::Label::new(job).selectable(false).truncate());
                            let flags = flags(record);
                            if !flags.is_empty() {
                                ui.add(
                                    egui::Label::new(egui::RichText::new(flags).small().weak())
                                        .selectable(false),
                                );
                            }
                        });
                        if searching && let Some(snippet) = hit.and_then(|h| h.snippet.as_ref()) {
                            let job =
                                highlighted(ui, &snippet.text, &snippet.highlights, true, true);
                            ui.add(egui::Label::new(job).selectable(false).truncate());
                        }
                    });
                });
                for column in columns {
                    row.col(|ui| {
                        ui.add(
                            egui::Label::new(cell_text(record, *column))
                                .selectable(false)
                                .truncate(),
                        );
                    });
                }
                if row.response().clicked() {
                    clicked = Some(index);
                    actions.push(if open == Some(id) {
                        Action::CloseRecord
                    } else {
                        Action::OpenRecord(id)
                    });
                }
            });
        });
    if clicked.is_some() {
        state.cursor = clicked;
    }
    // Read a little around the screen too, so scrolling finds rows ready.
    if let (Some(&first), Some(&last)) = (wanted_at.iter().min(), wanted_at.iter().max()) {
        // A fast fling moves about 25 rows a frame: read four frames' worth ahead either way.
        let from = first.saturating_sub(PREFETCH_ROWS);
        let to = (last + PREFETCH_ROWS).min(ids.len());
        for id in ids.get(from..to).unwrap_or_default() {
            if !wanted.contains(id)
                && !state.requested.contains(id)
                && (!state.rows.contains_key(id) || (searching && !state.hits.contains_key(id)))
            {
                wanted.push(*id);
            }
        }
    }
    wanted
}
