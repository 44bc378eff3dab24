//! The use-case layer's one error type, and the one way an error becomes words.

use std::path::PathBuf;

use ecolens_core::{Needs, RecordId};

/// Result with the service [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a use case can refuse or fail with. The library errors are kept whole inside,
/// so a front end can tell a refusal (`Core(InvalidValue …)`) from a damaged file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The project store refused or failed.
    #[error(transparent)]
    Core(#[from] ecolens_core::Error),
    /// Import, search, the index or an export refused or failed.
    #[error(transparent)]
    Corpus(ecolens_corpus::Error),
    /// A reviewer's name that is not in the project.
    #[error("reviewer {name:?} is not in this project (reviewers: {})", known_list(.known))]
    UnknownReviewer {
        /// The name given.
        name: String,
        /// The reviewers there are.
        known: Vec<String>,
    },
    /// A change that needs to know who makes it, and nobody was named.
    #[error("{action} needs to know who you are")]
    NeedsReviewer {
        /// What was attempted ("vote", "export a decision bundle").
        action: &'static str,
    },
    /// A search query the parser refused, with where.
    #[error("{error}")]
    Query {
        /// The query as typed.
        query: String,
        /// What is wrong, and the column.
        error: ecolens_corpus::query::QueryError,
    },
    /// An evidence quote that is not in the record.
    #[error(
        "evidence: {quote:?} is not a passage of record {record}'s title, abstract or full text; quote the text as it stands"
    )]
    NotAQuote {
        /// The record.
        record: RecordId,
        /// The quote given.
        quote: String,
    },
    /// An input that is not valid for the use case, with what would be.
    #[error("{field}: {value:?} is not valid: expected {expected}")]
    Invalid {
        /// The input.
        field: &'static str,
        /// What was given.
        value: String,
        /// What would be valid.
        expected: String,
    },
    /// An emissions statement was asked for where no trace is attached.
    #[error("{}, so there is no emissions statement", match .record {
        Some(record) => format!("record {record} has no trace attached"),
        None => "no record has a trace attached".to_owned(),
    })]
    NoTraces {
        /// The record, or `None` for the whole project.
        record: Option<RecordId>,
    },
    /// Listing by a query needs the search index, and it could not be opened.
    #[error("the search index is not available")]
    NoIndex,
    /// PRISMA counts that do not add up: a bug, said as such.
    #[error("PRISMA counts do not add up ({0}); please report this")]
    PrismaBroken(String),
    /// A file-system error, with the path.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The work was cancelled; nothing was written.
    #[error("cancelled; nothing was written")]
    Cancelled,
}

impl From<ecolens_corpus::Error> for Error {
    fn from(error: ecolens_corpus::Error) -> Self {
        match error {
            // The store's errors inside corpus are the store's: one variant for them.
            ecolens_corpus::Error::Store(core) => Self::Core(core),
            ecolens_corpus::Error::Cancelled => Self::Cancelled,
            other => Self::Corpus(other),
        }
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "none yet".to_owned()
    } else {
        known.join(", ")
    }
}

/// Which front end the words are for: they differ only in how the user acts (a flag or a
/// command on the command line, a control in the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// The headless command line.
    Cli,
    /// The workbench window.
    Window,
}

/// An error in words, with what to do next: the one function both front ends use.
pub fn describe(error: &Error, front: Front) -> String {
    let cli = front == Front::Cli;
    match error {
        Error::Core(ecolens_core::Error::Blinded { needs, .. }) => {
            let next = match (needs, cli) {
                (Needs::Reader, true) => "name who is reading: --reviewer NAME".to_owned(),
                (Needs::Reader, false) => "choose who you are (\"You are:\")".to_owned(),
                (Needs::Lead, true) => {
                    "a lead can look with --reviewer LEAD, or unblind: ecolens blind off --reviewer LEAD".to_owned()
                }
                (Needs::Lead, false) => {
                    "a lead can look, or unblind the project in the Team view".to_owned()
                }
                (Needs::Unblinded, true) => {
                    "a lead unblinds: ecolens blind off --reviewer LEAD (or lets leads see all: ecolens blind on --leads-see-all --reviewer LEAD)".to_owned()
                }
                (Needs::Unblinded, false) => {
                    "a lead unblinds the project in the Team view".to_owned()
                }
            };
            format!("{error}; {next}")
        }
        Error::Corpus(ecolens_corpus::Error::Blind) => {
            let next = if cli {
                "pass --reviewer NAME to filter on your own, or a lead unblinds"
            } else {
                "choose who you are (\"You are:\") to filter on your own, or a lead unblinds"
            };
            format!("{error}; {next}")
        }
        Error::UnknownReviewer { .. } => {
            let next = if cli {
                "add them with `ecolens reviewer add NAME`"
            } else {
                "add them in the Team view"
            };
            format!("{error}; {next}")
        }
        Error::NeedsReviewer { .. } => {
            let next = if cli {
                "pass --reviewer NAME (or set ECOLENS_REVIEWER)"
            } else {
                "choose who you are (\"You are:\" at the top of the view)"
            };
            format!("{error}: {next}")
        }
        Error::Core(ecolens_core::Error::NotLead { action, reviewer }) if !cli => {
            format!("Only a project lead may {action}; {reviewer} is not a lead.")
        }
        Error::Query { query, error } if cli => {
            // Point at the place, under the query as typed.
            format!(
                "{error}\n  {query}\n  {}^",
                " ".repeat(error.column.saturating_sub(1))
            )
        }
        Error::NoIndex => {
            let next = if cli {
                "ecolens reindex"
            } else {
                "choose Reindex"
            };
            format!("{error}; rebuild it: {next}")
        }
        Error::NoTraces {
            record: Some(record),
        } if cli => {
            format!("{error} (ecolens trace attach {record} FILE)")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_the_flag_on_the_command_line_and_the_control_in_the_window() {
        let blinded = Error::Core(ecolens_core::Error::Blinded {
            what: "agreement between reviewers",
            needs: Needs::Reader,
        });
        assert!(describe(&blinded, Front::Cli).ends_with("--reviewer NAME"));
        assert!(describe(&blinded, Front::Window).contains("You are:"));
        let query = Error::Query {
            query: "ti:(carbon".into(),
            error: ecolens_corpus::query::QueryError {
                column: 4,
                message: "this ( is never closed".into(),
            },
        };
        assert!(describe(&query, Front::Cli).ends_with("\n  ti:(carbon\n     ^"));
        assert!(!describe(&query, Front::Window).contains('^'));
        let unknown = Error::UnknownReviewer {
            name: "Zoe".into(),
            known: vec!["Anne".into()],
        };
        assert_eq!(
            describe(&unknown, Front::Window),
            "reviewer \"Zoe\" is not in this project (reviewers: Anne); add them in the Team view"
        );
    }
}
