//! Corpus building for ecolens: reading bibliographic formats, the bundled demo corpus, and (in
//! coming work) deduplication, the search index and export.
//!
//! Modules:
//! - [`parsed`]: what a reader returns, [`Parsed`] records and located [`Problem`]s;
//! - [`formats`]: one reader per format ([`formats::csl_json`] so far);
//! - [`demo`]: the demo corpus and [`demo::install_demo`];
//! - [`error`]: the crate's [`enum@Error`].
//!
//! Functions here are synchronous and spawn no threads; the app runs them on its workers.

pub mod decode;
pub mod dedup;
pub mod demo;
pub mod detect;
pub mod entities;
pub mod error;
pub mod export;
pub mod formats;
pub mod import;
pub mod index;
pub mod labels;
pub mod latex;
pub mod normalise;
pub mod parsed;
pub mod pdf;
pub mod query;
pub mod rank;
pub mod read;
pub mod stream;
pub mod synth;
pub mod text;

pub use error::{Error, Result};
pub use parsed::{Parsed, ParsedRecord, Problem, Severity};
