//! Prioritised screening: a model learns from each screening decision which records are
//! likely to be included, and the queue brings those first.
//!
//! - [`features`]: TF-IDF vectors of titles, abstracts and keywords;
//! - [`model`]: a linear SVM trained on the decided records, retrained from its last solution;
//! - [`queue`]: query strategies (most relevant, most uncertain, random, mixed);
//! - [`simulate`]: a review replayed from its known labels, to measure the model (records
//!   screened to reach a recall, WSS, where the stopping rule would have stopped).
//!
//! Nothing here reads the store or spawns threads; the app runs it on its workers.

pub mod features;
pub mod model;
pub mod queue;
pub mod simulate;

pub use features::{FeatureOptions, Features, RecordText};
pub use model::{Model, ModelOptions, Trainer};
pub use queue::Strategy;
