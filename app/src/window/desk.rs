//! What the Classify and Rebound tabs share: the record in focus as the review thread reads
//! it for one reviewer ([`RecordDesk`]), its text with a selection that becomes an evidence
//! quote, and the list of records beside the tab.

use ecolens_core::record::shown_title;
use ecolens_core::{EvidenceQuote, QuoteField, RecordId};
use eframe::egui;

use super::Action;
use super::review_worker::ReviewCommand;
use super::session::Session;
use super::tab::Io;
use super::widgets::truncate;
use crate::service::review::RecordDesk;

/// Text selected in the record's abstract, full text or title, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Which field.
    pub field: QuoteField,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The characters.
    pub text: String,
}

impl Selection {
    /// The selection as an evidence quote, with its offsets (and no page: extracted full texts
    /// carry no page breaks).
    pub fn quote(&self) -> EvidenceQuote {
        EvidenceQuote {
            start: Some(self.start),
            end: Some(self.end),
            ..EvidenceQuote::new(self.field, self.text.clone())
        }
    }
}

/// The focus record's text, selectable: what is selected becomes `selection`.
pub fn record_text_ui(ui: &mut egui::Ui, desk: &RecordDesk, selection: &mut Option<Selection>) {
    ui.heading(shown_title(&desk.title));
    ui.label(&desk.byline);
    if desk.cues.abstract_cues.is_empty() && desk.cues.full_text_cues.is_empty() {
        ui.weak("Select a passage to quote it as evidence.");
    } else {
        ui.weak("Select a passage to quote it as evidence. Marked: the figures the text states about its computing.");
    }
    let fields = [
        (
            QuoteField::Abstract,
            "Abstract",
            desk.abstract_text.as_deref(),
            &desk.cues.abstract_cues,
        ),
        (
            QuoteField::FullText,
            "Full text",
            desk.full_text.as_deref(),
            &desk.cues.full_text_cues,
        ),
    ];
    for (field, name, text, cues) in fields {
        let Some(text) = text else {
            ui.weak(format!("No {}.", name.to_lowercase()));
            continue;
        };
        ui.strong(name);
        let mut shown: &str = text;
        // The cues' character offsets as byte ranges, for the highlighter.
        let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        let byte = |c: usize| starts.get(c).copied().unwrap_or(text.len());
        let ranges: Vec<(usize, usize)> =
            cues.iter().map(|c| (byte(c.start), byte(c.end))).collect();
        let edit = |ui: &mut egui::Ui, shown: &mut &str| {
            let mut layouter = |ui: &egui::Ui, buffer: &dyn egui::TextBuffer, wrap: f32| {
                let mut job =
                    super::library::highlighted(ui, buffer.as_str(), &ranges, false, false);
                // Wrapped as the plain text was (the highlighter truncates, for titles).
                job.wrap = egui::text::TextWrapping::wrap_at_width(wrap);
                ui.fonts_mut(|f| f.layout_job(job))
            };
            egui::TextEdit::multiline(shown)
                .id_salt(("record_text_edit", name))
                .desired_width(f32::INFINITY)
                .layouter(&mut layouter)
                .show(ui)
        };
        // The abstract is shown whole (the column scrolls); a box of its own cut its last
        // line. The full text, long, scrolls in a box a whole number of lines high.
        let output = if field == QuoteField::Abstract {
            edit(ui, &mut shown)
        } else {
            let line = ui.text_style_height(&egui::TextStyle::Body);
            egui::ScrollArea::vertical()
                .id_salt(("record_text", name))
                .max_height(line * 16.0 + 2.0 * ui.spacing().button_padding.y)
                .min_scrolled_height(line * 16.0 + 2.0 * ui.spacing().button_padding.y)
                .show(ui, |ui| edit(ui, &mut shown))
                .inner
        };
        if let Some(range) = output.cursor_range {
            let chars = range.as_sorted_char_range();
            if range.is_empty() {
                if selection.as_ref().is_some_and(|s| s.field == field) {
                    *selection = None;
                }
            } else {
                let (start, end) = (chars.start.0, chars.end.0);
                let quoted: String = text.chars().skip(start).take(end - start).collect();
                *selection = Some(Selection {
                    field,
                    start,
                    end,
                    text: quoted,
                });
            }
        }
    }
}

/// Evidence quotes with a remove button each, and the button that adds the selection.
pub fn evidence_ui(
    ui: &mut egui::Ui,
    evidence: &mut Vec<EvidenceQuote>,
    selection: &mut Option<Selection>,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (at, quote) in evidence.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            if ui.small_button("Remove").clicked() {
                remove = Some(at);
            }
            let place = match (quote.start, quote.end) {
                (Some(start), Some(end)) => format!("{} {start}..{end}", quote.field.code()),
                _ => quote.field.code().to_owned(),
            };
            ui.weak(place);
            ui.label(format!("\"{}\"", truncate(&quote.text, 160)));
        });
    }
    if let Some(at) = remove {
        evidence.remove(at);
        changed = true;
    }
    ui.horizontal_wrapped(|ui| {
        let button = ui
            .add_enabled(selection.is_some(), egui::Button::new("Quote selection"))
            .on_disabled_hover_text("Select a passage of the abstract or full text first");
        match selection.as_ref() {
            Some(picked) => {
                ui.weak(format!("\"{}\"", truncate(&picked.text, 80)));
                if button.clicked() {
                    let quote = picked.quote();
                    if !evidence.contains(&quote) {
                        evidence.push(quote);
                        changed = true;
                    }
                    *selection = None;
                }
            }
            None => {
                ui.weak("nothing selected");
            }
        }
    });
    changed
}

/// Records listed beside a view, with the record in focus first when the list lacks it (it
/// shows `unlisted` as its status); a click focuses one.
pub fn record_list<'a>(
    ui: &mut egui::Ui,
    mut items: Vec<(RecordId, &'a str, String)>,
    (desk, unlisted): (Option<&'a RecordDesk>, &str),
    out: &mut Vec<Action>,
) {
    let focus = desk.map(|d| d.record);
    if let Some(desk) = desk
        && !items.iter().any(|(record, _, _)| *record == desk.record)
    {
        items.insert(
            0,
            (desk.record, shown_title(&desk.title), unlisted.to_owned()),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("assess_list")
        .show(ui, |ui| {
            for (record, title, status) in items {
                let chosen = focus == Some(record);
                let text = format!("{status}  {}", truncate(title, 48));
                if ui
                    .selectable_label(chosen, text)
                    .on_hover_text(title)
                    .clicked()
                    && !chosen
                {
                    out.push(Action::Focus(record));
                }
            }
        });
}

/// The record in focus once it has been read; until then a spinner, or `hint` when nothing
/// is in focus.
pub fn focused<'a>(
    ui: &mut egui::Ui,
    (desk, focus): (Option<&'a RecordDesk>, Option<RecordId>),
    hint: &str,
) -> Option<&'a RecordDesk> {
    let desk = desk.filter(|d| Some(d.record) == focus);
    if desk.is_none() {
        if focus.is_some() {
            ui.spinner();
        } else {
            ui.label(hint);
        }
    }
    desk
}

/// The reading of the record in focus a tab keeps, and asks for again when it may have
/// changed.
#[derive(Debug, Default)]
pub struct DeskSlot {
    /// What the review thread read last.
    pub desk: Option<Box<RecordDesk>>,
}

impl DeskSlot {
    /// Asks for the record in focus, as the reviewer at the keyboard reads it.
    pub fn request(session: &Session, io: &mut Io<'_>) {
        if let (Some(reader), Some(record)) = (session.reader(), session.focus) {
            io.review(ReviewCommand::Desk { record, reader });
        }
    }

    /// Takes a reading when it is of the record in focus for the reviewer at the keyboard;
    /// `true` when taken.
    pub fn offer(&mut self, desk: &RecordDesk, session: &Session) -> bool {
        let fits = Some(desk.record) == session.focus && Some(desk.reviewer) == session.reader();
        if fits {
            self.desk = Some(Box::new(desk.clone()));
        }
        fits
    }

    /// The reading, when it is of the record in focus.
    pub fn current(&self, session: &Session) -> Option<&RecordDesk> {
        self.desk
            .as_deref()
            .filter(|d| Some(d.record) == session.focus)
    }
}
