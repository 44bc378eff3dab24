//! The record editor: every bibliographic field of a record (or of a new entry) as text,
//! authors and editors as lists of family and given names, checked when saved. The text lives
//! here, in view state; Save turns it into a record through the use-case layer's field
//! parsing (so the window and `ecolens record edit` read a value the same way) and hands it to
//! [`Action::SaveRecord`].

use ecolens_core::{BaseField, Person, Record, RecordId, RecordKind};
use eframe::egui;

use super::Action;
use crate::service::corpus::FieldChanges;

/// One person as two fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonRow {
    /// Family name, or an organisation's name.
    pub family: String,
    /// Given names; empty for an organisation.
    pub given: String,
}

impl PersonRow {
    fn from_person(person: &Person) -> Self {
        Self {
            family: person.family.clone(),
            given: person.given.clone().unwrap_or_default(),
        }
    }

    fn to_person(&self) -> Option<Person> {
        let family = self.family.trim();
        let given = self.given.trim();
        match (family.is_empty(), given.is_empty()) {
            (true, true) => None,
            // A given name alone is a mononym: keep it as the one name.
            (true, false) => Some(Person::organisation(given)),
            (false, true) => Some(Person::organisation(family)),
            (false, false) => Some(Person::new(family, given)),
        }
    }
}

/// A record being edited, or entered by hand.
#[derive(Debug, Clone)]
pub struct RecordEditor {
    /// The record edited; `None` for a new entry.
    pub id: Option<RecordId>,
    /// Its content when editing started: the store refuses the edit if it changed since.
    pub seen: Record,
    /// The type.
    pub kind: RecordKind,
    /// The one-value fields as typed ([`FieldChanges::texts_of`]).
    pub fields: FieldChanges,
    /// Keywords, `;`-separated.
    pub keywords: String,
    /// Authors in order.
    pub authors: Vec<PersonRow>,
    /// Editors in order.
    pub editors: Vec<PersonRow>,
    /// Why the last Save was refused.
    pub error: Option<String>,
    /// A save is under way.
    pub saving: bool,
}

impl RecordEditor {
    /// An editor on a stored record.
    pub fn editing(id: RecordId, record: &Record) -> Self {
        Self {
            id: Some(id),
            seen: record.clone(),
            kind: record.kind,
            fields: FieldChanges::texts_of(record),
            keywords: record.keywords.join("; "),
            authors: record.authors.iter().map(PersonRow::from_person).collect(),
            editors: record.editors.iter().map(PersonRow::from_person).collect(),
            error: None,
            saving: false,
        }
    }

    /// An empty new entry of `kind`.
    pub fn new_entry(kind: RecordKind) -> Self {
        let mut editor = Self::editing(RecordId(0), &Record::default());
        editor.id = None;
        editor.kind = kind;
        editor.authors.push(PersonRow::default());
        editor
    }

    /// The record the form says, or what is wrong with it (the field named). The store checks
    /// the rest when it is saved.
    pub fn record(&self) -> Result<Record, String> {
        let mut record = self.seen.clone();
        let changes = FieldChanges {
            kind: Some(self.kind.code().to_owned()),
            keywords: Some(self.keywords.split(';').map(str::to_owned).collect()),
            ..self.fields.clone()
        };
        changes
            .apply(&mut record)
            .map_err(|error| crate::service::describe(&error, crate::service::Front::Window))?;
        record.authors = self
            .authors
            .iter()
            .filter_map(PersonRow::to_person)
            .collect();
        record.editors = self
            .editors
            .iter()
            .filter_map(PersonRow::to_person)
            .collect();
        Ok(record)
    }

    /// The text of one of [`Self::fields`], for a text field to edit.
    fn text(field: &mut Option<String>) -> &mut String {
        field.get_or_insert_with(String::new)
    }
}

/// One labelled single-line field.
fn line(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) {
    let name = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(name.id);
    ui.end_row();
}

/// A text field whose accessible name is `name` (screen readers, and tests, find it so).
fn named(ui: &mut egui::Ui, edit: egui::TextEdit<'_>, name: &str) {
    let response = ui.add(edit);
    let enabled = response.enabled();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, enabled, name));
}

/// A list of people, each a family and a given name, with add, remove and move up.
fn people(ui: &mut egui::Ui, heading: &str, rows: &mut Vec<PersonRow>) {
    let one = heading.to_lowercase().trim_end_matches('s').to_owned();
    ui.horizontal(|ui| {
        ui.strong(heading);
        if ui.small_button(format!("Add {one}")).clicked() {
            rows.push(PersonRow::default());
        }
    });
    let mut remove = None;
    let mut raise = None;
    // Rows of fixed-width fields: a text field in a grid keeps the width of its first frame.
    let family_width = (ui.available_width() - 150.0).clamp(90.0, 220.0);
    for (index, row) in rows.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let number = index + 1;
            named(
                ui,
                egui::TextEdit::singleline(&mut row.family)
                    .hint_text("Family name or organisation")
                    .desired_width(family_width),
                &format!("{heading} {number}: family name"),
            );
            named(
                ui,
                egui::TextEdit::singleline(&mut row.given)
                    .hint_text("Given names")
                    .desired_width(90.0),
                &format!("{heading} {number}: given names"),
            );
            if index > 0 && ui.small_button("↑").on_hover_text("Move up").clicked() {
                raise = Some(index);
            }
            if ui
                .small_button("✕")
                .on_hover_text(format!("Remove {one} {number}"))
                .clicked()
            {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = raise {
        rows.swap(index - 1, index);
    }
    if let Some(index) = remove {
        rows.remove(index);
    }
}

/// Draws the editor; Save and Cancel become actions.
pub(super) fn editor_ui(
    ui: &mut egui::Ui,
    editor: &mut RecordEditor,
    who: Option<&str>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.heading(match editor.id {
            Some(id) => format!("Edit record {id}"),
            None => "New entry".to_owned(),
        });
    });
    if who.is_none() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Choose who you are (reviewer, left) to save: edits are audited and undoable.",
        );
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        // Room below for the buttons, and for the reason a save was refused (two lines).
        .max_height(ui.available_height() - if editor.error.is_some() { 90.0 } else { 40.0 })
        .show(ui, |ui| {
            egui::Grid::new("record-fields")
                .num_columns(2)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    ui.label("Type");
                    egui::ComboBox::from_id_salt("record-kind")
                        .selected_text(editor.kind.label())
                        .show_ui(ui, |ui| {
                            for kind in RecordKind::ALL {
                                ui.selectable_value(&mut editor.kind, kind, kind.label());
                            }
                        });
                    ui.end_row();
                    let name = ui.label("Title");
                    ui.add(
                        egui::TextEdit::multiline(RecordEditor::text(&mut editor.fields.title))
                            .desired_rows(2)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(name.id);
                    ui.end_row();
                    let kind = editor.kind;
                    line(
                        ui,
                        "Year",
                        RecordEditor::text(&mut editor.fields.year),
                        "e.g. 2021",
                    );
                    line(
                        ui,
                        "Period",
                        RecordEditor::text(&mut editor.fields.period),
                        "e.g. 2024-01/2026-12, or 2024-01/ while open",
                    );
                    line(
                        ui,
                        kind.field_label(BaseField::Venue),
                        RecordEditor::text(&mut editor.fields.venue),
                        "",
                    );
                    line(
                        ui,
                        kind.field_label(BaseField::Publisher),
                        RecordEditor::text(&mut editor.fields.publisher),
                        "",
                    );
                    line(
                        ui,
                        kind.field_label(BaseField::Issue),
                        RecordEditor::text(&mut editor.fields.issue),
                        "",
                    );
                    line(
                        ui,
                        "Volume",
                        RecordEditor::text(&mut editor.fields.volume),
                        "",
                    );
                    line(
                        ui,
                        "Pages",
                        RecordEditor::text(&mut editor.fields.pages),
                        "e.g. 45-67 or e0292318",
                    );
                    line(
                        ui,
                        "DOI",
                        RecordEditor::text(&mut editor.fields.doi),
                        "e.g. 10.3390/su14095172",
                    );
                    line(
                        ui,
                        "PMID",
                        RecordEditor::text(&mut editor.fields.pmid),
                        "e.g. 31234567",
                    );
                    line(
                        ui,
                        "arXiv",
                        RecordEditor::text(&mut editor.fields.arxiv),
                        "e.g. 2110.11822",
                    );
                    line(
                        ui,
                        "Link",
                        RecordEditor::text(&mut editor.fields.url),
                        "https://…",
                    );
                    line(ui, "Keywords", &mut editor.keywords, "separated by ;");
                });
            ui.add_space(4.0);
            people(ui, "Authors", &mut editor.authors);
            people(ui, "Editors", &mut editor.editors);
            ui.add_space(4.0);
            let name = ui.strong(editor.kind.field_label(BaseField::Abstract));
            ui.add(
                egui::TextEdit::multiline(RecordEditor::text(&mut editor.fields.abstract_text))
                    .desired_rows(6)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(name.id);
            let name = ui.strong("Notes");
            ui.add(
                egui::TextEdit::multiline(RecordEditor::text(&mut editor.fields.notes))
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(name.id);
        });
    if let Some(error) = &editor.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    ui.horizontal(|ui| {
        let save = ui.add_enabled(
            who.is_some() && !editor.saving,
            egui::Button::new(if editor.id.is_some() {
                "Save"
            } else {
                "Add entry"
            }),
        );
        if save.clicked() {
            actions.push(Action::SaveRecord);
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CancelEdit);
        }
        if editor.saving {
            ui.spinner();
        }
    });
}
