//! The error type of `ecolens-core`.

use std::path::PathBuf;

use ecolens_taxonomy::UnknownCode;

use crate::ids::RecordId;

/// Result with the core [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the domain model and the project store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value was refused. `field` names where it came from (`record.year`,
    /// `classification.evidence[1].text`), `value` what was given, `expected` what would be valid.
    #[error("{field}: {value:?} is not valid: expected {expected}")]
    InvalidValue {
        /// Dotted path of the field.
        field: String,
        /// The refused value (truncated to 200 characters).
        value: String,
        /// What a valid value looks like.
        expected: String,
    },
    /// A referenced entity does not exist in the project.
    #[error("{entity} {key} not found in this project")]
    NotFound {
        /// Kind of entity (`record`, `reviewer`, …).
        entity: &'static str,
        /// How it was addressed (id, DOI, name).
        key: String,
    },
    /// An entity with the same unique key already exists.
    #[error("{entity} {key} already exists in this project")]
    AlreadyExists {
        /// Kind of entity.
        entity: &'static str,
        /// The clashing key.
        key: String,
    },
    /// A reviewer tried to change another reviewer's work.
    #[error("{entity} {key} belongs to reviewer {owner}; only its author can change it")]
    NotOwner {
        /// Kind of entity.
        entity: &'static str,
        /// Its key.
        key: String,
        /// Name of the reviewer who owns it.
        owner: String,
    },
    /// Only a project lead may do this.
    #[error(
        "only a project lead may {action}; {reviewer} is not a lead (ecolens reviewer add NAME --lead)"
    )]
    NotLead {
        /// What was attempted ("switch blind mode", "resolve a conflict").
        action: &'static str,
        /// Name of the reviewer who tried.
        reviewer: String,
    },
    /// Blind mode hides what was asked for.
    #[error("blind mode is on and hides {what} ({})", needs.sentence())]
    Blinded {
        /// What stays hidden.
        what: &'static str,
        /// What would show it.
        needs: crate::visibility::Needs,
    },
    /// A file ecolens reads (a decision bundle) is not what it should be.
    #[error("{}:{line}:{column}: {detail}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What is wrong, and what was expected.
        detail: String,
    },
    /// A file is not in any format ecolens knows; `detail` says what was recognised in it and
    /// what was looked for.
    #[error("{}: {detail}", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was recognised and what was expected.
        detail: String,
    },
    /// A decision bundle was exported from another project.
    #[error("{} is a bundle of project {found}, not of this project ({expected}); bundles only go back into the project they were exported from (or a copy of it)", path.display())]
    WrongProject {
        /// The bundle file.
        path: PathBuf,
        /// The bundle's project id.
        found: String,
        /// This project's id.
        expected: String,
    },
    /// The reviewer has no change left to undo.
    #[error("reviewer {reviewer} has no change left to undo")]
    NothingToUndo {
        /// Name of the reviewer.
        reviewer: String,
    },
    /// An undo would overwrite a change it does not know about.
    #[error("cannot undo: {entity} {key} has changed since; undo refuses to overwrite that change")]
    Stale {
        /// Kind of entity.
        entity: &'static str,
        /// Its key.
        key: String,
    },
    /// A record changed between the moment a reviewer opened it and their edit.
    #[error(
        "record {record} was changed by someone else since you opened it; open it again and redo your edit"
    )]
    EditConflict {
        /// The record.
        record: RecordId,
    },
    /// Taking back a record entered by hand would lose what has been attached to it since.
    #[error(
        "cannot undo entering record {record}: it holds {holds} now, which deleting it would lose"
    )]
    RecordInUse {
        /// The record.
        record: RecordId,
        /// What it holds, in words.
        holds: String,
    },
    /// The project file was written by a newer ecolens.
    #[error(
        "schema version {found} is newer than this ecolens supports ({supported}); update ecolens to open {}",
        path.display()
    )]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
        /// The project file.
        path: PathBuf,
    },
    /// The file is not an ecolens project (or not SQLite at all).
    #[error("not an ecolens project ({reason}): {}", path.display())]
    NotAProject {
        /// What was wrong.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// A stored value could not be read back: the file was edited by hand or damaged.
    #[error("stored {table}.{column} of row {row} is damaged: {detail}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// Row id.
        row: i64,
        /// What failed.
        detail: String,
    },
    /// The team hub could not be reached (server down, network gone, connection broken):
    /// work goes on locally and syncs later.
    #[error("the hub at {place} cannot be reached ({detail}); work goes on here and syncs later")]
    HubUnreachable {
        /// `host:port/db`.
        place: String,
        /// What the client saw.
        detail: String,
    },
    /// The hub refused: the login may not do this (a reviewer changing settings, a removed
    /// login, a wrong password).
    #[error("the hub refused {action}: {detail}")]
    HubRefused {
        /// What was attempted.
        action: &'static str,
        /// The server's words.
        detail: String,
    },
    /// Another error from the hub's server.
    #[error("hub error while {action}: {detail}")]
    Hub {
        /// What was attempted.
        action: &'static str,
        /// The server's words.
        detail: String,
    },
    /// This working copy is joined to a hub as one reviewer; no one else acts in it.
    #[error(
        "this project is a working copy of a hub joined as {login}; {name} cannot act in it (each reviewer joins with their own login)"
    )]
    NotHubLogin {
        /// The name asked for.
        name: String,
        /// The hub login of this copy.
        login: String,
    },
    /// An SQLite error, with what the store was doing.
    #[error("database error while {context}: {source}")]
    Sqlite {
        /// What the store was doing.
        context: &'static str,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A file-system error, with the path.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was attempted ("cannot create directory", …).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The first `chars` characters of `text`, and `…` when there were more: how an error or a
/// table shows a value that may be megabytes long.
pub(crate) fn excerpt(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl Error {
    /// An [`Error::InvalidValue`].
    pub fn invalid(
        field: impl Into<String>,
        value: impl AsRef<str>,
        expected: impl Into<String>,
    ) -> Self {
        Self::InvalidValue {
            field: field.into(),
            value: excerpt(value.as_ref(), 200),
            expected: expected.into(),
        }
    }

    /// An [`Error::InvalidValue`] from an unknown vocabulary code.
    pub fn unknown_code(field: impl Into<String>, error: &UnknownCode) -> Self {
        Self::invalid(
            field,
            &error.value,
            format!("a {} code, one of: {}", error.vocabulary, error.expected),
        )
    }

    /// The name of the field, for an [`Error::InvalidValue`].
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidValue { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Attaches what the store was doing to an SQLite error.
pub(crate) trait SqlContext<T> {
    /// Wraps the error in [`Error::Sqlite`] with `context`.
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> SqlContext<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Sqlite { context, source })
    }
}
