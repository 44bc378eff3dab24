//! The error type of `ecolens-corpus`.

use std::path::PathBuf;

/// Result with the corpus [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can stop a corpus operation as a whole. Problems with single records are not errors:
/// they are reported as [`Problem`](crate::Problem)s and the rest goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The project store refused or failed.
    #[error(transparent)]
    Store(#[from] ecolens_core::Error),
    /// A whole file could not be read as the format it claims to be.
    #[error("{}:{line}: {message}", file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// 1-based line where reading failed.
        line: usize,
        /// What was expected and found.
        message: String,
    },
    /// A search query that could not be parsed.
    #[error(transparent)]
    Query(#[from] crate::query::QueryError),
    /// The search index failed.
    #[error("search index: {action}: {source}")]
    Index {
        /// What was attempted.
        action: &'static str,
        /// The index error.
        #[source]
        source: Box<tantivy::TantivyError>,
    },
    /// Another ecolens is writing the search index.
    #[error("the search index is being written by another ecolens; try again when it is done")]
    IndexBusy,
    /// A query selected by reviewers' judgements while blind mode is on, and no reader was
    /// named: each reviewer filters on their own judgements while blind.
    #[error(
        "blind mode is on: decision, stage, category, rebound, label, has:category and has:rebound filters select by reviewers' judgements, and each reviewer filters on their own; name who is searching"
    )]
    Blind,
    /// A simulated review could not run (labels and records do not fit).
    #[error("cannot simulate the review: {0}")]
    Simulation(String),
    /// The work was cancelled; nothing was changed.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    /// A file-system error.
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
}
