//! The PRISMA tab: the PRISMA 2020 flow drawn from the project's counts, and its export as
//! SVG to a typed path (or one picked with Browse). While blind, the counts are for leads:
//! they follow from everyone's votes.

use std::path::PathBuf;

use ecolens_core::prisma::PrismaCounts;
use eframe::egui;

use super::Action as WindowAction;
use super::review_worker::{Done, ReviewCommand, ReviewSnapshot, Write};
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Tab};
use super::tabs::View;
use super::widgets::{path_row, reviewer_picker};
use super::worker::PickPurpose;
use crate::service::{Front, describe};

/// What the PRISMA tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Write the diagram as SVG here.
    Export(PathBuf),
}

/// The PRISMA tab's state.
#[derive(Debug, Default)]
pub struct State {
    /// The counts, as read last.
    pub snapshot: Option<Box<ReviewSnapshot>>,
    /// Where to write the diagram.
    pub svg_path: String,
}

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        ui.horizontal_wrapped(|ui| reviewer_picker(ui, session, out));
        ui.separator();
        prisma_ui(ui, self, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        match action {
            Action::Export(path) => io.review(ReviewCommand::Write(Write::ExportPrisma {
                reader: session.reader(),
                path,
            })),
        }
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        io.refresh(View::Prisma, ecolens_core::Stage::TitleAbstract, session);
    }

    fn forget(&mut self) {
        self.snapshot = None;
    }

    fn review(
        &mut self,
        answer: &mut ReviewAnswer<'_>,
        session: &Session,
        shown: bool,
        io: &mut Io<'_>,
    ) {
        match answer {
            ReviewAnswer::State(_) => {
                if let Some(snapshot) = answer.snapshot_for(View::Prisma) {
                    self.snapshot = Some(snapshot);
                }
            }
            ReviewAnswer::Done(done) if shown && !matches!(done, Done::PrismaWritten(_)) => {
                self.show(session, io);
            }
            _ => {}
        }
    }

    fn picked(&mut self, purpose: PickPurpose, path: PathBuf, session: &Session, io: &mut Io<'_>) {
        if purpose == PickPurpose::PrismaSvg {
            self.svg_path = path.display().to_string();
            self.apply(Action::Export(path), session, io);
        }
    }
}

/// The PRISMA view: the flow diagram drawn from the counts.
fn prisma_ui(ui: &mut egui::Ui, state: &mut State, out: &mut Vec<WindowAction>) {
    let Some(counts) = state.snapshot.as_ref().and_then(|s| s.prisma.as_ref()) else {
        ui.spinner();
        return;
    };
    let counts = match counts {
        Ok(counts) => counts,
        Err(why) => {
            ui.heading("PRISMA 2020 flow diagram");
            ui.weak(describe(why, Front::Window));
            return;
        }
    };
    ui.heading("PRISMA 2020 flow diagram");
    let row = path_row(
        ui,
        ("Diagram to write:", "prisma.svg", &mut state.svg_path),
        ("Export SVG", true),
    );
    if row.browse {
        out.push(WindowAction::Pick(PickPurpose::PrismaSvg));
    }
    if let Some(path) = row.act {
        out.push(Action::Export(path).into());
    }
    if let Err(broken) = counts.check() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Counts do not add up: {broken}"),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("prisma")
        .show(ui, |ui| flow_ui(ui, counts));
}

fn flow_ui(ui: &mut egui::Ui, counts: &PrismaCounts) {
    let mut previous = "";
    egui::Grid::new("prisma_flow")
        .num_columns(4)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            for row in counts.flow() {
                // The phase names its first row only, as the bands of the diagram do.
                ui.strong(if row.phase == previous { "" } else { row.phase });
                previous = row.phase;
                flow_box(ui, &row.left);
                if row.right.is_empty() {
                    ui.label("");
                    ui.label("");
                } else {
                    ui.label("->");
                    flow_box(ui, &row.right);
                }
                ui.end_row();
            }
        });
}

fn flow_box(ui: &mut egui::Ui, lines: &[String]) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(300.0);
        ui.vertical(|ui| {
            for (at, line) in lines.iter().enumerate() {
                if at == 0 {
                    ui.strong(line);
                } else {
                    ui.label(line);
                }
            }
        });
    });
}
