//! What every tab shares: the project's team and review settings, the reviewer at the
//! keyboard and the record in focus. One value, kept by the [`super::Workbench`] and handed to
//! each tab; only the workbench changes it, through [`super::Action`]s.

use ecolens_core::{RecordId, ReviewSettings, Reviewer, ReviewerId};

use crate::service::review::Team;

/// The shared context of the tabs.
#[derive(Debug, Default, Clone)]
pub struct Session {
    /// The project's reviewers and review settings, once read.
    pub team: Option<Team>,
    /// Who is at the keyboard, by name (as remembered between runs).
    pub you_name: Option<String>,
    /// The record the Classify, Rebound and Assess tabs work on.
    pub focus: Option<RecordId>,
}

impl Session {
    /// The reviewer at the keyboard, when they are a reviewer of the project.
    /// In a hub's working copy, always the copy's own reviewer.
    pub fn you(&self) -> Option<&Reviewer> {
        let team = self.team.as_ref()?;
        let name = match &team.hub {
            Some(link) => link.reviewer.as_str(),
            None => self.you_name.as_deref()?,
        };
        team.reviewers.iter().find(|r| r.name == name)
    }

    /// The reviewer at the keyboard's id.
    pub fn reader(&self) -> Option<ReviewerId> {
        self.you().map(|r| r.id)
    }

    /// Whether the reviewer at the keyboard is a lead.
    pub fn is_lead(&self) -> bool {
        self.you().is_some_and(|r| r.is_lead)
    }

    /// The reviewers, in the order they were added.
    pub fn reviewers(&self) -> &[Reviewer] {
        self.team.as_ref().map_or(&[], |t| t.reviewers.as_slice())
    }

    /// The review settings, once read.
    pub fn settings(&self) -> Option<ReviewSettings> {
        self.team.as_ref().map(|t| t.settings)
    }

    /// Words and phrases highlighted on the screening card, as read last.
    pub fn highlight(&self) -> Option<&ecolens_core::priority::HighlightTerms> {
        self.team.as_ref().map(|t| &t.highlight)
    }

    /// The lead's known includes, as read last.
    pub fn known_includes(&self) -> &[RecordId] {
        self.team.as_ref().map_or(&[], |t| &t.known_includes)
    }

    /// How screening queues are ordered, and the stopping rule, as read last.
    pub fn priority(&self) -> Option<ecolens_core::priority::PrioritySettings> {
        self.team.as_ref().map(|t| t.priority)
    }

    /// What an exclusion reason is called (its code when the project does not know it).
    pub fn reason_name(&self, code: &str) -> String {
        self.team
            .as_ref()
            .and_then(|t| t.reason_names.iter().find(|(c, _)| c == code))
            .map_or_else(|| code.to_owned(), |(_, name)| name.clone())
    }

    /// A reviewer's name.
    pub fn name(&self, id: ReviewerId) -> String {
        self.reviewers()
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| format!("reviewer {id}"), |r| r.name.clone())
    }
}
