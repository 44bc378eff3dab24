//! The record view: metadata, identifiers as links, abstract and full text with the search's
//! words highlighted, keywords, provenance, merged duplicates (with undo) and relations.

use std::fmt::Write as _;
use std::path::PathBuf;

use ecolens_core::{BaseField, Record, RelationKind};
use eframe::egui;

use super::View;
use super::library::highlighted;
use super::{Action, RecordPane};

/// "Venue 14(9): 5172 (2022)".
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

/// Draws the open record.
pub(super) fn record_ui(ui: &mut egui::Ui, pane: &RecordPane, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Close").on_hover_text("Esc").clicked() {
                actions.push(Action::CloseRecord);
            }
            for (text, view) in [
                ("Assess this record", View::Assess),
                ("Rebound risks", View::Rebound),
                ("Classify", View::Classify),
            ] {
                if ui.button(text).clicked() {
                    actions.push(Action::Open {
                        record: pane.id,
                        view,
                    });
                }
            }
        });
    });
    let Some(detail) = &pane.detail else {
        ui.spinner();
        return;
    };
    let r = &detail.stored.record;
    ui.horizontal(|ui| {
        ui.label(
            egui::RichText::new(format!("Record {} · {}", pane.id, r.kind.label()))
                .small()
                .weak(),
        );
        if ui
            .small_button("Edit")
            .on_hover_text("Correct or complete the record; the change is audited and undoable")
            .clicked()
        {
            actions.push(Action::EditRecord);
        }
    });
    let title = {
        let mut job = highlighted(ui, r.shown_title(), &detail.title_highlights, false, false);
        job.wrap = egui::text::TextWrapping::default();
        for section in &mut job.sections {
            section.format.font_id = egui::TextStyle::Heading.resolve(ui.style());
        }
        job
    };
    ui.label(title);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let authors: Vec<String> = r.authors.iter().map(ToString::to_string).collect();
            if !authors.is_empty() {
                ui.label(authors.join("; "));
            }
            if !r.editors.is_empty() {
                let editors: Vec<String> = r.editors.iter().map(ToString::to_string).collect();
                ui.label(format!("{} (ed.)", editors.join("; ")));
            }
            if r.kind == ecolens_core::RecordKind::Project {
                // A project's base fields under its own names.
                egui::Grid::new("project-fields")
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (name, value) in [
                            (
                                r.kind.field_label(BaseField::Publisher),
                                r.publisher.clone(),
                            ),
                            (r.kind.field_label(BaseField::Venue), r.venue.clone()),
                            (r.kind.field_label(BaseField::Issue), r.issue.clone()),
                            ("Period", r.period.map(|p| p.to_string())),
                            ("Year", r.year.map(|y| y.to_string())),
                        ] {
                            if let Some(value) = value {
                                ui.weak(name);
                                ui.label(value);
                                ui.end_row();
                            }
                        }
                    });
            } else {
                ui.label(citation(r));
                if let Some(publisher) = &r.publisher {
                    ui.weak(publisher);
                }
                if let Some(period) = r.period {
                    ui.weak(format!("Period {period}"));
                }
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
                ui.strong(r.kind.field_label(BaseField::Abstract));
                let mut job = highlighted(ui, text, &detail.abstract_highlights, false, false);
                job.wrap = egui::text::TextWrapping::default();
                ui.label(job);
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
            if let Some((shared, same)) = &detail.hub_full_text {
                ui.add_space(6.0);
                ui.horizontal_wrapped(|ui| {
                    ui.strong("Full text at the hub");
                    ui.label(format!(
                        "{} holds {} ({}{} characters): {}",
                        shared.held_by,
                        shared.file,
                        shared
                            .pages
                            .map(|p| format!("{p} pages, "))
                            .unwrap_or_default(),
                        shared.chars,
                        match same {
                            Some(true) => "the text here is the same",
                            Some(false) => "the text here differs (another file or extraction): quotes may not match",
                            None => "not here; the file is not shared through the hub, ask for it and import it",
                        }
                    ));
                });
            }
            if let Some(full) = &detail.full_text {
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    ui.strong("Full text");
                    ui.weak(format!(
                        "{} characters, {}{}",
                        detail.full_text_chars,
                        full.extractor,
                        full.pages
                            .map(|p| format!(", {p} pages"))
                            .unwrap_or_default()
                    ));
                    if ui
                        .button("Open PDF")
                        .on_hover_text(&full.source_file)
                        .clicked()
                    {
                        actions.push(Action::OpenFile(PathBuf::from(&full.source_file)));
                    }
                });
                if !detail.full_text_highlights.is_empty() {
                    ui.weak(format!(
                        "{} matches of the search",
                        detail.full_text_highlights.len()
                    ));
                }
                let excerpt = &detail.full_text_excerpt;
                let id = ui.make_persistent_id(("full-text", pane.id.0));
                let mut all = ui.data(|d| d.get_temp::<bool>(id).unwrap_or(false));
                let mut job = if all {
                    highlighted(ui, &full.text, &detail.full_text_highlights, true, false)
                } else {
                    highlighted(ui, &excerpt.text, &excerpt.highlights, true, false)
                };
                job.wrap = egui::text::TextWrapping::default();
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.label(job);
                });
                if excerpt.cut
                    && ui
                        .button(if all { "Show less" } else { "Show all" })
                        .clicked()
                {
                    all = !all;
                    ui.data_mut(|d| d.insert_temp(id, all));
                }
            }
            ui.add_space(6.0);
            ui.strong("Provenance");
            for source in &detail.stored.sources {
                let mut line = format!("{} ({})", source.file, source.format);
                if let Some(locator) = &source.locator {
                    let _ = write!(line, ", {locator}");
                }
                if let Some(key) = &source.original_key {
                    let _ = write!(line, ", key {key}");
                }
                ui.label(line);
            }
            if !detail.merges.is_empty() {
                ui.add_space(6.0);
                ui.strong("Merged duplicates");
                for merge in &detail.merges {
                    ui.group(|ui| {
                        ui.label(format!(
                            "“{}” from {}{}",
                            merge.merged.title,
                            merge.merged_source.file,
                            merge
                                .merged_source
                                .locator
                                .as_ref()
                                .map(|l| format!(", {l}"))
                                .unwrap_or_default()
                        ));
                        ui.weak(format!("Merge {}: {}", merge.id, merge.reason));
                        match (merge.undone_at, merge.restored) {
                            (Some(_), Some(restored)) => {
                                ui.weak(format!("Undone: it is record {restored} again."));
                            }
                            (Some(_), None) => {
                                ui.weak("Undone.");
                            }
                            _ => {
                                if ui
                                    .button(format!("Undo merge {}", merge.id))
                                    .on_hover_text("Make the duplicate its own record again")
                                    .clicked()
                                {
                                    actions.push(Action::UndoMerge(merge.id));
                                }
                            }
                        }
                    });
                }
            }
            if !detail.relations.is_empty() {
                ui.add_space(6.0);
                ui.strong("Related records");
                for relation in &detail.relations {
                    let other = if relation.from == pane.id {
                        relation.to
                    } else {
                        relation.from
                    };
                    let kind = match relation.kind {
                        RelationKind::ErratumOf => "erratum or correction",
                        RelationKind::PreprintOf => "preprint and published version",
                        RelationKind::PossibleDuplicate => "possible duplicate",
                    };
                    if ui
                        .link(format!("Record {other}: {kind}"))
                        .on_hover_text(&relation.reason)
                        .clicked()
                    {
                        actions.push(Action::OpenRecord(other));
                    }
                }
            }
        });
}
