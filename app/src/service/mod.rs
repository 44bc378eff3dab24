//! The use cases the window and the command line share: one layer under both front ends.
//!
//! Each use case takes the project (each thread opens its own), typed ids and plain request
//! data, and returns plain data or an [`enum@Error`]; [`describe`] turns an error into words for
//! either front end. Nothing here prints, draws or parses a command line: the CLI
//! (`crate::cli`) parses arguments, calls a use case and prints its result; the window's
//! threads call the same use cases and send the results to the view.
//!
//! Who is reading comes in as a [`ReviewerId`] (or none) and becomes a
//! [`ecolens_core::Visibility`] through [`project::seen_by`]; every read of judgements goes
//! through it, so blind mode is decided in one place (`ecolens_core::visibility`).
//!
//! Modules:
//! - [`project`]: opening a project, who is who, what it holds, its vocabularies;
//! - [`corpus`]: import (with indexing), search, export, reindex, merges;
//! - [`library`]: what the workbench's library lists and shows, and the open record;
//! - [`review`]: review settings, writes (votes, categories, risks, labels, roots,
//!   resolutions, undo) and reads (a record's review, queues, the register, trees,
//!   conflicts, agreement, PRISMA, the audit log);
//! - [`bundle`]: decision bundles out and in;
//! - [`hub`]: the team hub (create, invite, join, sync, status, blind mode);
//! - [`screening`]: prioritised screening's model replayed on a labelled review;
//! - [`assess`]: traces, estimates, LCA evaluation, reports, the project's factors.

pub mod assess;
pub mod bundle;
pub mod corpus;
mod error;
pub mod hub;
pub mod library;
pub mod project;
pub mod review;
pub mod screening;
pub mod workshop;

pub use ecolens_core::ReviewerId;
pub use error::{Error, Front, Result, describe};

/// Threads for parsing and indexing: the machine's cores, at most 4.
pub fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(4)
}

/// Writes a text file the way exports are written: complete, or not at all.
pub fn write_text(path: &std::path::Path, content: &str) -> Result<()> {
    ecolens_corpus::export::write_atomically(path, |out| {
        out.write_all(content.as_bytes())
            .map_err(|source| ecolens_corpus::Error::Io {
                action: "cannot write",
                path: path.to_owned(),
                source,
            })
    })
    .map_err(Error::from)
}
