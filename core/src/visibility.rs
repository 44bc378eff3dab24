//! What one reader may see of reviewers' judgements: the one place blind mode is decided.
//!
//! A judgement is a screening vote, an a–f classification, a rebound risk, a label on a record,
//! the root of a consequence tree, a lead's resolution, and anything computed from them (stage
//! outcomes, conflicts, agreement, PRISMA counts, search facets, exports, reports, the audit
//! log's values). [`crate::Project::visibility`] works out a [`Visibility`] from the project's
//! review settings, its reviewers and the reader; every read that returns judgements takes one
//! and applies it, none looks at blind mode itself.
//!
//! The rule:
//! - blind mode off: everyone sees everyone's judgements;
//! - a project with no reviewer or one reviewer has nothing to hide: everything is shown;
//! - a lead of a project whose leads see all (`ecolens blind on --leads-see-all`) sees
//!   everyone's;
//! - otherwise a reader sees their own judgements only (a reader who is not named sees none);
//!   counts and statistics over everyone's judgements (agreement, PRISMA, stage outcomes) are
//!   for leads; conflicts, resolutions and searches by judgement wait until the reader sees
//!   everyone's.
//!
//! Within one shared project file this stops accidental looks, not a determined colleague:
//! anyone can name another reviewer, or open the SQLite file. The team hub enforces it with
//! real accounts.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::ReviewerId;
use crate::review::Reviewer;

/// Why a reader sees everyone's judgements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Open {
    /// Blind mode is off.
    Unblinded,
    /// The project has at most one reviewer: there is nobody to hide from.
    NothingToHide,
    /// The reader is a lead, and the project lets leads see everyone's judgements.
    LeadSeesAll,
}

/// What a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "sees", content = "because")]
pub enum Sees {
    /// Everyone's judgements.
    Everyone(Open),
    /// Only the reader's own (none without a named reader).
    Own,
}

/// What must change for a refused read to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Needs {
    /// The reader must be named (a reviewer of the project).
    Reader,
    /// Only a lead may see it while blind.
    Lead,
    /// It stays hidden until a lead unblinds the project (or lets leads see all, for a lead).
    Unblinded,
}

impl Needs {
    /// The condition in words, front-end neutral.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::Reader => "shown to a named reviewer, each seeing their own",
            Self::Lead => "shown only to a lead while blind",
            Self::Unblinded => "hidden until a lead unblinds the project",
        }
    }
}

/// What one reader may see of reviewers' judgements. Made only by
/// [`crate::Project::visibility`] (and, inside this crate, for the project's own machinery).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visibility {
    reader: Option<Reviewer>,
    sees: Sees,
}

impl Visibility {
    /// Decides what `reader` may see: the rule of this module, in one place.
    pub(crate) fn decide(
        blind: bool,
        leads_see_all: bool,
        reviewers: usize,
        reader: Option<Reviewer>,
    ) -> Self {
        let sees = if !blind {
            Sees::Everyone(Open::Unblinded)
        } else if reviewers <= 1 {
            Sees::Everyone(Open::NothingToHide)
        } else if leads_see_all && reader.as_ref().is_some_and(|r| r.is_lead) {
            Sees::Everyone(Open::LeadSeesAll)
        } else {
            Sees::Own
        };
        Self { reader, sees }
    }

    /// Everyone's judgements, for the project's own machinery (undo, bundle imports, the
    /// search index's mirror): never handed to a reader.
    pub(crate) fn machinery() -> Self {
        Self {
            reader: None,
            sees: Sees::Everyone(Open::Unblinded),
        }
    }

    /// The reader, if named.
    pub fn reader(&self) -> Option<&Reviewer> {
        self.reader.as_ref()
    }

    /// The reader's id, if named.
    pub fn reader_id(&self) -> Option<ReviewerId> {
        self.reader.as_ref().map(|r| r.id)
    }

    /// What the reader sees.
    pub fn sees(&self) -> Sees {
        self.sees
    }

    /// Whether the reader sees everyone's judgements.
    pub fn sees_everyone(&self) -> bool {
        matches!(self.sees, Sees::Everyone(_))
    }

    /// Whether everyone may see everyone's judgements (unblinded, or no one to hide them
    /// from), so one may go into something shared, such as a scenario. A lead who sees all
    /// while blind does not make it so.
    pub fn open_to_all(&self) -> bool {
        matches!(
            self.sees,
            Sees::Everyone(Open::Unblinded | Open::NothingToHide)
        )
    }

    /// Whether the reader may see a judgement by `author`.
    pub fn shows(&self, author: ReviewerId) -> bool {
        self.sees_everyone() || self.reader_id() == Some(author)
    }

    /// Whether the reader may see a judgement by the reviewer named `author` (facets and
    /// exports carry names).
    pub fn shows_name(&self, author: &str) -> bool {
        self.sees_everyone() || self.reader.as_ref().is_some_and(|r| r.name == author)
    }

    /// Whether the reader is a lead.
    pub fn is_lead(&self) -> bool {
        self.reader.as_ref().is_some_and(|r| r.is_lead)
    }

    /// Refuses unless the reader sees everyone's judgements (conflicts, resolutions, searches
    /// by judgement).
    pub fn require_everyone(&self, what: &'static str) -> Result<()> {
        if self.sees_everyone() {
            Ok(())
        } else {
            Err(Error::Blinded {
                what,
                needs: Needs::Unblinded,
            })
        }
    }

    /// Refuses unless the reader sees everyone's judgements or is a lead: counts and
    /// statistics over everyone's judgements (agreement, PRISMA, stage outcomes).
    pub fn require_overview(&self, what: &'static str) -> Result<()> {
        if self.sees_everyone() || self.is_lead() {
            Ok(())
        } else {
            Err(Error::Blinded {
                what,
                needs: if self.reader.is_none() {
                    Needs::Reader
                } else {
                    Needs::Lead
                },
            })
        }
    }

    /// The reader, who must be named: reads of one's own work (queues, bundles).
    pub fn require_reader(&self, what: &'static str) -> Result<&Reviewer> {
        self.reader.as_ref().ok_or(Error::Blinded {
            what,
            needs: Needs::Reader,
        })
    }

    /// Refuses when something would be hidden from a reader who is not named: a read without
    /// a reader returns everything or nothing, never a part that looks whole.
    pub fn refuse_hidden(&self, hidden: usize, what: &'static str) -> Result<()> {
        if hidden > 0 && self.reader.is_none() {
            Err(Error::Blinded {
                what,
                needs: Needs::Reader,
            })
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviewer(id: i64, lead: bool) -> Reviewer {
        Reviewer {
            id: ReviewerId(id),
            name: format!("R{id}"),
            is_lead: lead,
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_rule_in_one_table() {
        let anne = reviewer(1, true);
        let bob = reviewer(2, false);
        let cases = [
            // blind, leads see all, reviewers, reader → sees everyone's?
            (false, false, 2, None, true),
            (true, false, 0, None, true),
            (true, false, 1, Some(&anne), true),
            (true, false, 2, None, false),
            (true, false, 2, Some(&anne), false),
            (true, true, 2, Some(&anne), true),
            (true, true, 2, Some(&bob), false),
            (true, true, 2, None, false),
        ];
        for (blind, leads, count, reader, everyone) in cases {
            let seen = Visibility::decide(blind, leads, count, reader.cloned());
            assert_eq!(
                seen.sees_everyone(),
                everyone,
                "{blind} {leads} {count} {reader:?}"
            );
            assert!(seen.shows(ReviewerId(1)) == (everyone || reader == Some(&anne)));
        }
        let blind_bob = Visibility::decide(true, false, 2, Some(bob.clone()));
        assert!(blind_bob.shows(bob.id) && !blind_bob.shows(anne.id));
        assert!(blind_bob.shows_name("R2") && !blind_bob.shows_name("R1"));
        assert!(matches!(
            blind_bob.require_overview("agreement"),
            Err(Error::Blinded {
                needs: Needs::Lead,
                ..
            })
        ));
        let blind_anne = Visibility::decide(true, false, 2, Some(anne));
        assert!(blind_anne.require_overview("agreement").is_ok());
        assert!(blind_anne.require_everyone("conflicts").is_err());
        let nobody = Visibility::decide(true, false, 2, None);
        assert!(matches!(
            nobody.require_overview("PRISMA"),
            Err(Error::Blinded {
                needs: Needs::Reader,
                ..
            })
        ));
        assert!(nobody.refuse_hidden(1, "a report").is_err());
        assert!(nobody.refuse_hidden(0, "a report").is_ok());
    }
}
