//! Small pieces of drawing more than one tab uses.

use ecolens_taxonomy::Term;
use eframe::egui;

use super::Action;
use super::path_field::{path_edit, typed_path};
use super::session::Session;

/// The keys that set an a–f category, in the Screening and Classify views alike.
pub(super) const CATEGORY_KEYS: [(egui::Key, ecolens_taxonomy::EvalCategory); 6] = {
    use ecolens_taxonomy::EvalCategory;
    [
        (egui::Key::A, EvalCategory::A),
        (egui::Key::B, EvalCategory::B),
        (egui::Key::C, EvalCategory::C),
        (egui::Key::D, EvalCategory::D),
        (egui::Key::E, EvalCategory::E),
        (egui::Key::F, EvalCategory::F),
    ]
};

/// "You are:" and one button per reviewer: who is at the keyboard.
pub(super) fn reviewer_picker(ui: &mut egui::Ui, session: &Session, out: &mut Vec<Action>) {
    ui.label("You are:");
    if let Some(link) = session.team.as_ref().and_then(|t| t.hub.as_ref()) {
        ui.strong(&link.reviewer).on_hover_text(format!(
            "This project is a working copy of the hub at {}, joined with the login {}: only {} works in it.",
            link.place, link.login, link.reviewer
        ));
        return;
    }
    let reviewers = session.reviewers();
    if reviewers.is_empty() {
        ui.weak("nobody yet: add reviewers in the Team view");
    }
    let you = session.you().map(|r| r.id);
    for reviewer in reviewers {
        let chosen = you == Some(reviewer.id);
        if ui
            .selectable_label(chosen, &reviewer.name)
            .on_hover_text(if reviewer.is_lead { "lead" } else { "reviewer" })
            .clicked()
            && !chosen
        {
            out.push(Action::SetReviewer(reviewer.name.clone()));
        }
    }
}

/// Two side-by-side columns, each scrolling on its own, text left-aligned and ragged
/// (`ui.columns` lays out justified, which spreads the words of every wrapped line apart).
/// `column` draws the left (`Side::Left`) and then the right column, named by `salts`.
pub(super) fn side_by_side(
    ui: &mut egui::Ui,
    salts: [&str; 2],
    mut column: impl FnMut(&mut egui::Ui, Side),
) {
    let ragged = egui::Layout::top_down(egui::Align::LEFT);
    ui.columns(2, |columns| {
        for ((ui, salt), side) in columns.iter_mut().zip(salts).zip([Side::Left, Side::Right]) {
            egui::ScrollArea::vertical()
                .id_salt(salt)
                .show(ui, |ui| ui.with_layout(ragged, |ui| column(ui, side)));
        }
    });
}

/// A column of [`side_by_side`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// The left one.
    Left,
    /// The right one.
    Right,
}

/// The text cut to `chars` characters, with an ellipsis when cut.
pub(super) fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A drop-down over a vocabulary, with "not rated"; one row of a grid.
pub(super) fn term_combo<T: Term>(ui: &mut egui::Ui, label: &str, value: &mut Option<T>) -> bool {
    term_combo_or(ui, label, value, "not rated")
}

/// [`term_combo`] naming the empty choice.
pub(super) fn term_combo_or<T: Term>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<T>,
    none: &str,
) -> bool {
    let shown = value.map_or_else(|| none.to_owned(), |v| v.name().to_owned());
    let mut changed = false;
    let label_id = ui.label(label).id;
    egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .width(260.0)
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(value, None, none).changed();
            for term in T::ALL {
                changed |= ui
                    .selectable_value(value, Some(*term), term.name())
                    .on_hover_text(term.entry().definition)
                    .changed();
            }
        })
        .response
        .labelled_by(label_id);
    ui.end_row();
    changed
}

/// A labelled path field (with completion) and "Browse…" and a button that acts on the path
/// typed: every place that takes a path takes a typed one, so no file dialog service is needed.
pub(super) fn path_row(
    ui: &mut egui::Ui,
    (label, hint, path): (&str, &str, &mut String),
    (button, enabled): (&str, bool),
) -> PathRow {
    let mut row = PathRow::default();
    ui.horizontal(|ui| {
        let label = ui.label(label);
        let response = path_edit(ui, path, hint, 280.0).labelled_by(label.id);
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        row.browse = ui.button("Browse…").clicked();
        let target = typed_path(path);
        if (ui
            .add_enabled(enabled && target.is_some(), egui::Button::new(button))
            .clicked()
            || (entered && enabled))
            && target.is_some()
        {
            row.act = target;
        }
    });
    row
}

/// What a [`path_row`] was asked for.
#[derive(Debug, Default)]
pub(super) struct PathRow {
    /// "Browse…" was clicked.
    pub browse: bool,
    /// The button was clicked with this path.
    pub act: Option<std::path::PathBuf>,
}
