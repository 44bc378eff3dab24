//! The Workshop tab: a tree of consequences built live with a room, drawn large for a
//! projector. Start from a template (an AI service at a scale) or from the record in focus's
//! own tree; add an effect below any node by typing or picking a card, rate it, move it under
//! another node (Move under…), undo (Ctrl+Z). Saving, the list and the handout's files go
//! through a job on a thread of its own (`ecolens-workshop`); editing is in memory.

use std::path::PathBuf;

use ecolens_core::workshop::{Edit, Editing, TEMPLATES, Workshop, WorkshopNode};
use ecolens_taxonomy::{AssessmentScale, EffectCode, Term};
use eframe::egui;

use super::Action as WindowAction;
use super::JobKind;
use super::session::Session;
use super::tab::{Io, Status, Tab};
use super::widgets::{term_combo, term_combo_or};
use super::worker::JobOutcome;
use crate::service::workshop as service;

/// What the Workshop tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Read the saved workshops and the project's scenario names.
    List,
    /// Start a workshop from the form (template by index).
    New(usize),
    /// Start a workshop from the record in focus's consequence tree.
    FromRecord,
    /// Open a saved workshop.
    Open(String),
    /// Change the workshop (one undo step).
    Edit(EditAction),
    /// Take the last change back.
    Undo,
    /// Select a node (or none).
    Select(Option<u32>),
    /// Save the workshop in the project.
    Save,
    /// Write the handout into the typed folder.
    Export,
    /// Compute the attached scenario's net effect (a Monte Carlo: on the job's thread).
    Net,
}

/// A change, as the tab asks for it (an [`Edit`] is not `PartialEq`-friendly to build in the
/// UI).
#[derive(Debug, Clone, PartialEq)]
pub enum EditAction {
    /// Add the typed effect below the selected node (or the root).
    AddBelow,
    /// Replace the selected node's fields.
    Set(Box<WorkshopNode>),
    /// Move a node under another (or the root).
    Move(u32, Option<u32>),
    /// Remove a node and what follows from it.
    Remove(u32),
    /// Attach a scenario by name (or none).
    Scenario(Option<String>),
}

/// Work a workshop job does with the project.
type Work =
    Box<dyn FnOnce(&mut ecolens_core::Project) -> crate::service::Result<WorkshopDone> + Send>;

/// The form that starts a workshop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewForm {
    /// Its name.
    pub name: String,
    /// The AI service deployed.
    pub solution: String,
    /// The scale.
    pub scale: Option<AssessmentScale>,
}

impl Default for NewForm {
    fn default() -> Self {
        Self {
            name: "Workshop".into(),
            solution: "AI-optimised heating in 1 million homes".into(),
            scale: Some(AssessmentScale::Country),
        }
    }
}

/// What a workshop job did.
#[derive(Debug, Clone)]
pub enum WorkshopDone {
    /// The saved workshops and the project's scenario names.
    Listed(Vec<String>, Vec<String>),
    /// A workshop was created (from a record's tree) and saved.
    Created(Box<Workshop>),
    /// A saved workshop was read.
    Opened(Box<Workshop>),
    /// The workshop was saved.
    Saved(String),
    /// The handout was written.
    Exported(Vec<PathBuf>),
    /// The attached scenario's net effect in a sentence (`None`: no scenario attached).
    Net(Option<String>),
}

impl From<WorkshopDone> for JobOutcome {
    fn from(done: WorkshopDone) -> Self {
        Self::Workshop(Box::new(done))
    }
}

/// The Workshop tab's state.
#[derive(Debug, Default)]
pub struct State {
    /// The workshop being edited, with its undo history.
    pub editing: Editing,
    /// Saved workshops, by name.
    pub saved: Vec<String>,
    /// The project's scenario names.
    pub scenarios: Vec<String>,
    /// The start form.
    pub form: NewForm,
    /// The node selected.
    pub selected: Option<u32>,
    /// The new effect's text.
    pub new_text: String,
    /// The new effect's card.
    pub new_card: Option<EffectCode>,
    /// Who proposes the next effects.
    pub participant: String,
    /// The selected node's text and proposers, as typed (applied when the field is left).
    pub node_text: String,
    /// The selected node's proposers, comma-separated, as typed.
    pub node_by: String,
    /// Where the handout goes.
    pub export_dir: String,
    /// Changes since the last save.
    pub unsaved: bool,
    /// The attached scenario's net effect, once computed (`None` inside: no scenario).
    pub net: Option<Option<String>>,
    listed: bool,
}

const NODE_W: f32 = 270.0;
const NODE_H: f32 = 84.0;
const GAP_X: f32 = 24.0;
const LEVEL_H: f32 = 130.0;
const FONT: f32 = 19.0;

impl State {
    fn workshop(&self) -> Option<&Workshop> {
        self.editing.workshop.as_ref()
    }

    fn select(&mut self, id: Option<u32>) {
        self.selected = id;
        let node = id.and_then(|id| self.workshop().and_then(|w| w.node(id)).cloned());
        self.node_text = node.as_ref().map(|n| n.text.clone()).unwrap_or_default();
        self.node_by = node.map(|n| n.by.join(", ")).unwrap_or_default();
    }

    fn start(&mut self, workshop: Workshop) {
        self.editing = Editing::of(workshop);
        self.select(None);
        self.unsaved = true;
        // No scenario yet: nothing to compute (an opened one asks for its net effect).
        self.net = Some(None);
    }

    /// Applies a change, or says why not. An added effect leaves the selection where it was,
    /// so a room can add several below the same node.
    fn edit(&mut self, edit: Edit) -> Result<(), String> {
        let adding = matches!(edit, Edit::Add { .. });
        match self.editing.apply(edit) {
            Ok(id) => {
                self.unsaved = true;
                if let Some(id) = id.filter(|_| !adding) {
                    self.select(Some(id));
                } else if self
                    .selected
                    .is_some_and(|s| self.workshop().is_none_or(|w| w.node(s).is_none()))
                {
                    self.select(None);
                }
                Ok(())
            }
            Err(error) => Err(error.to_string()),
        }
    }

    /// Computes the attached scenario's net effect on the job's thread (none without one).
    fn ask_net(&mut self, io: &mut Io<'_>) {
        let Some(workshop) = self.workshop().filter(|w| w.scenario.is_some()).cloned() else {
            self.net = Some(None);
            return;
        };
        self.net = None;
        run(
            io,
            "The workshop's net effect",
            Box::new(move |project| {
                service::net_effect(project, &workshop)
                    .map(|net| WorkshopDone::Net(net.map(|n| n.sentence())))
            }),
        );
    }

    /// Adds `name` to the list of saved workshops.
    fn remember(&mut self, name: &str) {
        if !self.saved.iter().any(|n| n == name) {
            self.saved.push(name.to_owned());
            self.saved.sort();
        }
    }
}

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        workshop_ui(ui, self, session, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        let job = run;
        match action {
            Action::List => job(
                io,
                "Reading workshops",
                Box::new(|project| {
                    let names = service::list(project)?
                        .into_iter()
                        .map(|w| w.name)
                        .collect();
                    let mut scenarios: Vec<String> = project
                        .scenarios(None)?
                        .into_iter()
                        .map(|s| s.name)
                        .collect();
                    scenarios.sort();
                    scenarios.dedup();
                    Ok(WorkshopDone::Listed(names, scenarios))
                }),
            ),
            Action::New(template) => {
                let Some((id, _)) = TEMPLATES.get(template) else {
                    return;
                };
                match ecolens_core::workshop::from_template(
                    id,
                    self.form.name.trim(),
                    &self.form.solution,
                    self.form.scale,
                ) {
                    Ok(workshop) => {
                        self.start(workshop);
                        io.say(Status::Said(
                            "A new workshop: add effects below any node; Save keeps it in the project."
                                .into(),
                        ));
                    }
                    Err(error) => io.say(Status::Fix(error.to_string())),
                }
            }
            Action::FromRecord => {
                let Some(record) = session.focus else {
                    io.say(Status::Fix(
                        "Open a record in the Library first: its consequence tree starts the workshop."
                            .into(),
                    ));
                    return;
                };
                let name = self.form.name.trim().to_owned();
                let reader = session.reader();
                job(
                    io,
                    "Starting a workshop from a record",
                    Box::new(move |project| {
                        service::from_record(project, reader, record, &name)
                            .map(|w| WorkshopDone::Created(Box::new(w)))
                    }),
                );
            }
            Action::Open(name) => job(
                io,
                "Opening a workshop",
                Box::new(move |project| {
                    service::open(project, &name).map(|w| WorkshopDone::Opened(Box::new(w)))
                }),
            ),
            Action::Edit(edit) => {
                let edit = match edit {
                    EditAction::AddBelow => Edit::Add {
                        parent: self.selected,
                        effect: self.new_card,
                        text: self.new_text.clone(),
                        by: vec![self.participant.clone()],
                    },
                    EditAction::Set(node) => Edit::Set(node),
                    EditAction::Move(node, parent) => Edit::Move { node, parent },
                    EditAction::Remove(node) => Edit::Remove(node),
                    EditAction::Scenario(name) => {
                        if let Some(w) = self.editing.workshop.as_mut() {
                            w.scenario = name;
                            self.unsaved = true;
                            self.ask_net(io);
                        }
                        return;
                    }
                };
                let adding = matches!(edit, Edit::Add { .. });
                match self.edit(edit) {
                    Ok(()) if adding => {
                        self.new_text.clear();
                        self.new_card = None;
                    }
                    Ok(()) => {}
                    Err(why) => io.say(Status::Fix(why)),
                }
            }
            Action::Undo => {
                if self.editing.undo() {
                    self.unsaved = true;
                    let selected = self.selected;
                    self.select(
                        selected.filter(|s| self.workshop().is_some_and(|w| w.node(*s).is_some())),
                    );
                    io.say(Status::Said("Undone.".into()));
                }
            }
            Action::Select(id) => self.select(id),
            Action::Save => {
                let Some(workshop) = self.workshop().cloned() else {
                    return;
                };
                job(
                    io,
                    "Saving the workshop",
                    Box::new(move |project| {
                        service::save(project, &workshop)?;
                        Ok(WorkshopDone::Saved(workshop.name))
                    }),
                );
            }
            Action::Export => {
                let Some(workshop) = self.workshop().cloned() else {
                    return;
                };
                let dir = self.export_dir.trim();
                if dir.is_empty() {
                    io.say(Status::Fix("Type the folder the handout goes to.".into()));
                    return;
                }
                let dir = PathBuf::from(dir);
                job(
                    io,
                    "Writing the handout",
                    Box::new(move |project| {
                        service::export(project, &workshop, &dir).map(WorkshopDone::Exported)
                    }),
                );
            }
            Action::Net => self.ask_net(io),
        }
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        if !self.listed {
            self.listed = true;
            self.apply(Action::List, session, io);
        }
    }

    fn finished(&mut self, _: u64, outcome: JobOutcome, io: &mut Io<'_>) -> Option<JobOutcome> {
        let done = match outcome {
            JobOutcome::Workshop(done) => *done,
            other => return Some(other),
        };
        match done {
            WorkshopDone::Listed(saved, scenarios) => {
                self.saved = saved;
                self.scenarios = scenarios;
            }
            WorkshopDone::Created(workshop) | WorkshopDone::Opened(workshop) => {
                let name = workshop.name.clone();
                self.start(*workshop);
                self.unsaved = false;
                self.remember(&name);
                io.say(Status::Said(format!("Workshop \"{name}\" open.")));
                self.ask_net(io);
            }
            WorkshopDone::Saved(name) => {
                self.unsaved = false;
                self.remember(&name);
                io.say(Status::Said(format!("Saved \"{name}\" in the project.")));
            }
            WorkshopDone::Net(net) => self.net = Some(net),
            WorkshopDone::Exported(files) => {
                io.say(Status::Said(format!(
                    "Wrote {}.",
                    files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        None
    }

    fn keys(&mut self, ctx: &egui::Context, _session: &Session, out: &mut Vec<WindowAction>) {
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z)) {
            out.push(Action::Undo.into());
        }
    }
}

/// Runs `work` with the project on the `ecolens-workshop` thread; its outcome comes back to
/// [`State::finished`].
fn run(io: &mut Io<'_>, title: &str, work: Work) {
    let path = io.project_path();
    io.job(title.to_owned(), JobKind::Workshop, move |_, _, _| {
        let done = ecolens_core::Project::open_existing(&path)
            .map_err(crate::service::Error::from)
            .and_then(|mut project| work(&mut project));
        JobOutcome::from(done)
    });
}

fn workshop_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    let act = |out: &mut Vec<WindowAction>, a: Action| out.push(a.into());
    // Start or open.
    ui.horizontal_wrapped(|ui| {
        let name = ui.label("Workshop name");
        ui.add(egui::TextEdit::singleline(&mut state.form.name).desired_width(160.0))
            .labelled_by(name.id);
        let solution = ui.label("AI service deployed");
        ui.add(egui::TextEdit::singleline(&mut state.form.solution).desired_width(320.0))
            .labelled_by(solution.id);
        term_combo_or(ui, "Scale", &mut state.form.scale, "not given");
    });
    ui.horizontal_wrapped(|ui| {
        for (at, (id, about)) in TEMPLATES.iter().enumerate() {
            if ui
                .button(format!("New from template {id}"))
                .on_hover_text(*about)
                .clicked()
            {
                act(out, Action::New(at));
            }
        }
        if ui
            .add_enabled(
                session.focus.is_some(),
                egui::Button::new("New from the record's tree"),
            )
            .on_hover_text("The consequence tree of the record in focus, as you may see it")
            .clicked()
        {
            act(out, Action::FromRecord);
        }
        if !state.saved.is_empty() {
            egui::ComboBox::from_id_salt("workshop_open")
                .selected_text("Open a saved workshop…")
                .show_ui(ui, |ui| {
                    for name in &state.saved {
                        if ui.selectable_label(false, name).clicked() {
                            act(out, Action::Open(name.clone()));
                        }
                    }
                });
        }
    });
    let Some(workshop) = state.workshop().cloned() else {
        ui.separator();
        ui.label(
            "Start from a template (the AI service and its scale above) or from the record in focus's tree, or open a saved workshop.",
        );
        return;
    };
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.heading(&workshop.name);
        if ui
            .add_enabled(state.editing.undoable() > 0, egui::Button::new("Undo"))
            .on_hover_text("Ctrl+Z")
            .clicked()
        {
            act(out, Action::Undo);
        }
        if ui
            .button(if state.unsaved { "Save*" } else { "Save" })
            .clicked()
        {
            act(out, Action::Save);
        }
        let folder = ui.label("Handout folder");
        ui.add(egui::TextEdit::singleline(&mut state.export_dir).desired_width(220.0))
            .labelled_by(folder.id);
        if ui
            .button("Export handout")
            .on_hover_text("SVG, Markdown, HTML and JSON")
            .clicked()
        {
            act(out, Action::Export);
        }
    });
    let tree_height = (ui.available_height() * 0.58).max(260.0);
    egui::ScrollArea::both()
        .id_salt("workshop_tree")
        .max_height(tree_height)
        .show(ui, |ui| tree_ui(ui, &workshop, state.selected, out));
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("workshop_panel")
        .show(ui, |ui| {
            ui.columns(2, |columns| {
                node_ui(&mut columns[0], state, &workshop, out);
                summary_ui(&mut columns[1], state, &workshop, out);
            });
        });
}

/// Positions: leaves take consecutive slots, a parent sits over its children.
fn layout(w: &Workshop) -> (Vec<(u32, egui::Pos2, usize)>, f32, usize) {
    fn place(
        w: &Workshop,
        parent: Option<u32>,
        depth: usize,
        next: &mut f32,
        out: &mut Vec<(u32, egui::Pos2, usize)>,
        deepest: &mut usize,
    ) -> Option<f32> {
        if depth > 64 {
            return None;
        }
        let children = w.children(parent);
        let mut xs = Vec::new();
        for child in children {
            *deepest = (*deepest).max(depth);
            let at = out.len();
            out.push((child.id, egui::Pos2::ZERO, depth));
            let x = place(w, Some(child.id), depth + 1, next, out, deepest).unwrap_or_else(|| {
                let x = *next;
                *next += NODE_W + GAP_X;
                x
            });
            #[allow(clippy::cast_precision_loss)]
            let y = LEVEL_H * (depth + 1) as f32;
            out[at].1 = egui::pos2(x, y);
            xs.push(x);
        }
        match (xs.first(), xs.last()) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            _ => None,
        }
    }
    let mut out = Vec::new();
    let mut next = 0.0;
    let mut deepest = 0;
    let _ = place(w, None, 0, &mut next, &mut out, &mut deepest);
    (out, next.max(NODE_W * 2.0), deepest)
}

fn tree_ui(ui: &mut egui::Ui, w: &Workshop, selected: Option<u32>, out: &mut Vec<WindowAction>) {
    let (placed, width, deepest) = layout(w);
    #[allow(clippy::cast_precision_loss)]
    let height = LEVEL_H * (deepest as f32 + 2.0) + 20.0;
    let (canvas, _) = ui.allocate_exact_size(
        egui::vec2(width.max(ui.available_width()), height),
        egui::Sense::hover(),
    );
    let origin = canvas.min + egui::vec2(GAP_X, 10.0);
    let root_center = egui::pos2(origin.x + width / 2.0 - GAP_X, origin.y + NODE_H / 2.0);
    let center = |p: egui::Pos2| origin + p.to_vec2() + egui::vec2(NODE_W / 2.0, 0.0);
    let painter = ui.painter_at(canvas);
    let stroke = egui::Stroke::new(2.0, ui.visuals().text_color());
    for (id, pos, _) in &placed {
        let Some(node) = w.node(*id) else { continue };
        let from = match node
            .parent
            .and_then(|p| placed.iter().find(|(i, _, _)| *i == p))
        {
            Some((_, parent, _)) => center(*parent) + egui::vec2(0.0, NODE_H),
            None => root_center + egui::vec2(0.0, NODE_H / 2.0),
        };
        let to = center(*pos);
        painter.line_segment([from, to], stroke);
        if let Some(resource) = node.resource {
            painter.text(
                to - egui::vec2(0.0, 8.0),
                egui::Align2::CENTER_BOTTOM,
                resource.name(),
                egui::FontId::proportional(FONT - 3.0),
                ui.visuals().weak_text_color(),
            );
        }
    }
    let root_rect = egui::Rect::from_center_size(root_center, egui::vec2(NODE_W * 1.8, NODE_H));
    let root = ui.put(
        root_rect,
        egui::Button::new(
            egui::RichText::new(w.root.label())
                .size(FONT + 2.0)
                .strong()
                .color(egui::Color32::from_rgb(0x10, 0x20, 0x40)),
        )
        .fill(egui::Color32::from_rgb(0xcf, 0xe2, 0xf3))
        .selected(selected.is_none())
        .wrap(),
    );
    if root.clicked() {
        out.push(Action::Select(None).into());
    }
    for (id, pos, _) in &placed {
        let Some(node) = w.node(*id) else { continue };
        let rect = egui::Rect::from_min_size(origin + pos.to_vec2(), egui::vec2(NODE_W, NODE_H));
        let [r, g, b] = ecolens_core::consequence::direction_rgb(node.direction.map(Term::code));
        let mut text = egui::text::LayoutJob::default();
        let dark = egui::Color32::from_rgb(0x20, 0x20, 0x20);
        text.append(
            &node.text,
            0.0,
            egui::TextFormat::simple(egui::FontId::proportional(FONT), dark),
        );
        // The order when a card gives it; a typed effect has none yet.
        let mut tags: Vec<&str> = node.effect.map(|_| node.order()).into_iter().collect();
        tags.extend(node.magnitude.map(Term::code));
        tags.extend(node.likelihood.map(Term::code));
        let by = node.by.join(", ");
        if !by.is_empty() {
            tags.push(&by);
        }
        text.append(
            &format!("\n{}", tags.join(" · ")),
            0.0,
            egui::TextFormat::simple(egui::FontId::proportional(FONT - 4.0), dark),
        );
        let response = ui.put(
            rect,
            egui::Button::new(text)
                .fill(egui::Color32::from_rgb(r, g, b))
                .stroke(if selected == Some(*id) {
                    // The selection, visible from the back of the room.
                    egui::Stroke::new(4.0, egui::Color32::from_rgb(0x1f, 0x5f, 0xbf))
                } else {
                    egui::Stroke::new(1.0, egui::Color32::from_gray(0x55))
                })
                .selected(selected == Some(*id))
                .wrap(),
        );
        let response = match node.effect {
            Some(effect) => response.on_hover_text(format!(
                "{} ({}): {}\nExample: {}",
                effect.name(),
                effect.code(),
                effect.entry().definition,
                effect.entry().example
            )),
            None => response,
        };
        if response.clicked() {
            out.push(Action::Select(Some(*id)).into());
        }
    }
}

fn node_ui(ui: &mut egui::Ui, state: &mut State, w: &Workshop, out: &mut Vec<WindowAction>) {
    let act = |out: &mut Vec<WindowAction>, a: Action| out.push(a.into());
    let edit = |out: &mut Vec<WindowAction>, e: EditAction| out.push(Action::Edit(e).into());
    // Adding below the selection (or the root).
    let below = state.selected.and_then(|s| w.node(s)).map_or_else(
        || "the root".to_owned(),
        |n| format!("\u{201c}{}\u{201d}", n.text),
    );
    ui.strong(format!("Add an effect below {below}"));
    let new_label = ui.label("New effect");
    let typed = ui
        .add(egui::TextEdit::singleline(&mut state.new_text).desired_width(f32::INFINITY))
        .labelled_by(new_label.id);
    let enter = typed.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.horizontal_wrapped(|ui| {
        ui.label("Card");
        egui::ComboBox::from_id_salt("workshop_card")
            .selected_text(state.new_card.map_or("none (typed only)", Term::name))
            .width(260.0)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(state.new_card.is_none(), "none (typed only)")
                    .clicked()
                {
                    state.new_card = None;
                }
                for card in EffectCode::ALL {
                    let entry = card.entry();
                    if ui
                        .selectable_label(
                            state.new_card == Some(*card),
                            format!("{} {}", card.code(), card.name()),
                        )
                        .on_hover_text(format!(
                            "{}\nExample: {}\n({})",
                            entry.definition, entry.example, entry.source
                        ))
                        .clicked()
                    {
                        state.new_card = Some(*card);
                    }
                }
            });
        let who = ui.label("Proposed by");
        ui.add(egui::TextEdit::singleline(&mut state.participant).desired_width(140.0))
            .labelled_by(who.id);
    });
    if ui.button("Add below").clicked() || enter {
        edit(out, EditAction::AddBelow);
    }
    let Some(node) = state.selected.and_then(|s| w.node(s)).cloned() else {
        ui.weak("Click an effect on the board to rate, move or remove it.");
        return;
    };
    ui.separator();
    ui.strong("The selected effect");
    let text_label = ui.label("Effect text");
    let text = ui
        .add(egui::TextEdit::singleline(&mut state.node_text).desired_width(f32::INFINITY))
        .labelled_by(text_label.id);
    let by_label = ui.label("Proposed by (comma-separated)");
    let by = ui
        .add(egui::TextEdit::singleline(&mut state.node_by).desired_width(f32::INFINITY))
        .labelled_by(by_label.id);
    let by_names: Vec<String> = state.node_by.split(',').map(str::to_owned).collect();
    if (text.lost_focus() && state.node_text.trim() != node.text)
        || (by.lost_focus()
            && by_names
                .iter()
                .map(|n| n.trim())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                != node.by)
    {
        edit(
            out,
            EditAction::Set(Box::new(WorkshopNode {
                text: state.node_text.clone(),
                by: by_names,
                ..node.clone()
            })),
        );
    }
    egui::Grid::new("workshop_ratings").show(ui, |ui| {
        let mut changed = node.clone();
        // Each a row of the grid; `|`, not `||`: every one is drawn.
        let any = term_combo(ui, "Direction", &mut changed.direction)
            | term_combo(ui, "Magnitude", &mut changed.magnitude)
            | term_combo(ui, "Likelihood", &mut changed.likelihood)
            | term_combo(ui, "Through", &mut changed.resource);
        if any {
            edit(out, EditAction::Set(Box::new(changed)));
        }
    });
    ui.horizontal_wrapped(|ui| {
        let inside = w.subtree(node.id);
        ui.menu_button("Move under…", |ui| {
            if node.parent.is_some() && ui.button("the root").clicked() {
                edit(out, EditAction::Move(node.id, None));
                ui.close();
            }
            for other in &w.nodes {
                if inside.contains(&other.id) || node.parent == Some(other.id) {
                    continue;
                }
                if ui.button(&other.text).clicked() {
                    edit(out, EditAction::Move(node.id, Some(other.id)));
                    ui.close();
                }
            }
        });
        if ui
            .button("Remove")
            .on_hover_text("With what follows from it; Undo brings it back")
            .clicked()
        {
            edit(out, EditAction::Remove(node.id));
        }
        if ui.button("Deselect").clicked() {
            act(out, Action::Select(None));
        }
    });
}

fn summary_ui(ui: &mut egui::Ui, state: &State, w: &Workshop, out: &mut Vec<WindowAction>) {
    let summary = w.summary();
    ui.strong(format!("Summary: {} effects", summary.effects));
    egui::Grid::new("workshop_summary")
        .striped(true)
        .show(ui, |ui| {
            for h in ["Order", "Increases", "Decreases", "Ambiguous", "Not rated"] {
                ui.strong(h);
            }
            ui.end_row();
            for row in &summary.by_order {
                ui.label(row.order);
                for n in [row.increases, row.decreases, row.ambiguous, row.unrated] {
                    ui.label(n.to_string());
                }
                ui.end_row();
            }
        });
    let name = |id: &u32| w.node(*id).map_or_else(String::new, |n| n.text.clone());
    if !summary.most_likely.is_empty() {
        ui.label(format!(
            "Rated most likely: {}",
            summary
                .most_likely
                .iter()
                .map(name)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if !summary.largest.is_empty() {
        ui.label(format!(
            "Rated largest: {}",
            summary
                .largest
                .iter()
                .map(name)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if !summary.participants.is_empty() {
        ui.label(format!("Proposed by: {}", summary.participants.join(", ")));
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Scenario for the net effect");
        egui::ComboBox::from_id_salt("workshop_scenario")
            .selected_text(w.scenario.as_deref().unwrap_or("none"))
            .show_ui(ui, |ui| {
                if ui.selectable_label(w.scenario.is_none(), "none").clicked() {
                    out.push(Action::Edit(EditAction::Scenario(None)).into());
                }
                for s in &state.scenarios {
                    if ui
                        .selectable_label(w.scenario.as_ref() == Some(s), s)
                        .clicked()
                    {
                        out.push(Action::Edit(EditAction::Scenario(Some(s.clone()))).into());
                    }
                }
            });
    });
    match &state.net {
        Some(Some(net)) => {
            ui.label(format!("Net effect: {net}"));
        }
        Some(None) => {}
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("The scenario's net effect (10,000 Monte Carlo runs)…");
            });
        }
    }
    ui.separator();
    ui.strong("Prompts for the room");
    for (prompt, about) in ecolens_core::workshop::PROMPTS {
        ui.label(format!("• {prompt}")).on_hover_text(about);
    }
}
