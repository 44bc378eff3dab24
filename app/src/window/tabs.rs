//! The list of tabs: the one place a new tab is added (a line in [`tabs!`] and its module).
//! The Library, the window's home, is drawn by the workbench itself; every other tab is a
//! module whose state implements [`Tab`].

use std::path::PathBuf;

use eframe::egui;

use super::assess::worker::ImpactEvent;
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Tab};
use super::worker::{JobOutcome, PickPurpose};
use super::{Action, assess, classify, prisma, rebound, screening, team, workshop};

macro_rules! tabs {
    ($($view:ident => $module:ident, $label:literal, $doc:literal;)*) => {
        /// Which tab fills the window's centre.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        pub enum View {
            /// The library table, search and filters.
            #[default]
            Library,
            $(#[doc = $doc] $view,)*
        }

        impl View {
            /// Every tab, in the order of the tab bar.
            pub const ALL: &'static [Self] = &[Self::Library, $(Self::$view,)*];

            /// The tab's label.
            pub fn label(self) -> &'static str {
                match self {
                    Self::Library => "Library",
                    $(Self::$view => $label,)*
                }
            }
        }

        /// Every tab's state.
        #[derive(Default)]
        pub struct Tabs {
            $(#[doc = $doc] pub $module: $module::State,)*
        }

        /// An action of one of the tabs.
        #[derive(Debug, Clone, PartialEq)]
        pub enum TabAction {
            $(#[doc = $doc] $view($module::Action),)*
        }

        $(impl From<$module::Action> for Action {
            fn from(action: $module::Action) -> Self {
                Action::Tab(TabAction::$view(action))
            }
        })*

        impl Tabs {
            /// Draws the tab `view`.
            pub fn ui(&mut self, view: View, ui: &mut egui::Ui, session: &Session, out: &mut Vec<Action>) {
                match view {
                    View::Library => {}
                    $(View::$view => self.$module.ui(ui, session, out),)*
                }
            }

            /// Carries out a tab's action.
            pub fn apply(&mut self, action: TabAction, session: &Session, io: &mut Io<'_>) {
                match action {
                    $(TabAction::$view(action) => self.$module.apply(action, session, io),)*
                }
            }

            /// The tab `view` came into view (or what it shows changed).
            pub fn show(&mut self, view: View, session: &Session, io: &mut Io<'_>) {
                match view {
                    View::Library => {}
                    $(View::$view => self.$module.show(session, io),)*
                }
            }

            /// The reviewer at the keyboard changed.
            pub fn forget(&mut self) {
                $(self.$module.forget();)*
            }

            /// An answer of the review thread, for every tab.
            pub fn review(&mut self, answer: &mut ReviewAnswer<'_>, view: View, session: &Session, io: &mut Io<'_>) {
                $(self.$module.review(answer, session, view == View::$view, io);)*
            }

            /// An answer of the Assess thread.
            pub fn impact(&mut self, event: ImpactEvent, session: &Session, io: &mut Io<'_>) {
                self.assess.impact(event, session, io);
            }

            /// A job ended: the tab that started it takes its outcome; what no tab takes is
            /// returned.
            pub fn finished(&mut self, job: u64, outcome: JobOutcome, io: &mut Io<'_>) -> Option<JobOutcome> {
                let outcome = Some(outcome);
                $(let outcome = match outcome {
                    Some(outcome) => self.$module.finished(job, outcome, io),
                    None => None,
                };)*
                outcome
            }

            /// A file dialog was answered for the tab `view`.
            pub fn picked(&mut self, view: View, purpose: PickPurpose, path: PathBuf, session: &Session, io: &mut Io<'_>) {
                match view {
                    View::Library => {}
                    $(View::$view => self.$module.picked(purpose, path, session, io),)*
                }
            }

            /// Keys for the tab `view`.
            pub fn keys(&mut self, view: View, ctx: &egui::Context, session: &Session, out: &mut Vec<Action>) {
                match view {
                    View::Library => {}
                    $(View::$view => self.$module.keys(ctx, session, out),)*
                }
            }
        }
    };
}

tabs! {
    Screening => screening, "Screening", "One record at a time, with keys.";
    Classify => classify, "Classify", "The a–f classification panel.";
    Rebound => rebound, "Rebound", "The rebound-risk register and consequence trees.";
    Workshop => workshop, "Workshop", "A tree of consequences built live with a room, for a projector.";
    Assess => assess, "Assess", "Traces, estimates, LCA scenarios and the end-to-end summary of a record.";
    Team => team, "Team", "Reviewers, blind mode, conflicts, agreement, bundles, the audit log.";
    Prisma => prisma, "PRISMA", "The PRISMA 2020 flow.";
}
