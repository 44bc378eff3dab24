//! Domain model and project store of ecolens.
//!
//! Modules:
//! - [`ids`]: row-id newtypes and the bibliographic identifiers (DOI, PMID, arXiv id);
//! - [`record`]: bibliographic records, provenance, full texts;
//! - [`review`]: reviewers, screening votes, a–f classifications, rebound risks, labels;
//! - [`audit`]: the audit log's entries;
//! - [`agreement`]: percent agreement, Cohen's κ (weighted for ordered scales), Fleiss' κ;
//! - [`workflow`]: review settings (blind mode, screening rule), stage outcomes, conflicts,
//!   resolutions;
//! - [`visibility`]: what one reader may see of reviewers' judgements (blind mode, decided
//!   once);
//! - [`prisma`]: PRISMA 2020 counts and flow diagram;
//! - [`consequence`]: consequence trees of rebound risks (JSON, SVG);
//! - [`bundle`]: decision bundles that carry a reviewer's work between copies of a project;
//! - [`energy`]: measured-energy traces of ten tools, read into one normalised summary;
//! - [`estimate`]: Green Algorithms, ML CO2 Impact and chip-hour estimates; CO2e and water of a trace;
//! - [`lca`]: comparative LCA scenarios (TOML), Δ(M2|M1), paired Monte Carlo, tornado, burden shift;
//! - [`factors`]: default factors shipped as data, each value with source, year, unit, licence;
//! - [`uncertain`]: fixed values and distributions (uniform, triangular, normal, lognormal);
//! - [`merge`]: import runs, duplicate merges and relations between records;
//! - [`index_feed`]: what the search index mirrors and how it learns what changed;
//! - [`hub`]: the team hub on PostgreSQL (the only module that speaks to it);
//! - [`store`]: [`Project`], the SQLite-backed store (the only module with SQL);
//! - [`error`]: the crate's [`enum@Error`].
//!
//! Values are validated when they enter (parse, don't validate): a refused value is an
//! [`Error::InvalidValue`] naming the field, the value and what was expected, and nothing is
//! written. This crate knows nothing of UI, file formats or how the search index works; it
//! only says what the index must hold ([`index_feed`]).

pub mod agreement;
pub mod audit;
pub mod bundle;
pub mod consequence;
pub mod cues;
pub mod ecologits;
pub mod energy;
pub mod error;
pub mod estimate;
pub mod factors;
pub mod hub;
pub mod ids;
pub mod index_feed;
pub mod lca;
pub mod merge;
pub mod paper_audit;
pub mod priority;
pub mod prisma;
pub mod quantity;
pub mod record;
pub mod report;
pub mod review;
pub mod stopping;
pub mod store;
pub mod uncertain;
pub mod visibility;
pub mod workflow;
pub mod workshop;

pub use audit::{AuditAction, AuditEntry, EntityKind, UndoOutcome};
pub use error::{Error, Result};
pub use ids::{ArxivId, AuditId, Doi, Pmid, RecordId, ReviewerId, RiskId, ScenarioId, TraceId};
pub use index_feed::{
    IndexChanges, IndexDoc, IndexScope, NamedVote, ReviewFacets, ScreeningStatus,
};
pub use merge::{
    DedupRow, EarlierImport, Filled, ImportId, ImportRun, ImportedFile, MergeEntry, MergeId,
    MergeRule, Relation, RelationKind,
};
pub use record::{
    BaseField, FullText, PartialDate, Period, Person, QuoteField, Record, RecordKind, SourceRef,
    StoredRecord,
};
pub use review::{
    Classification, Decision, EvidenceQuote, ProjectLabel, ReboundRisk, Reviewer, ScreeningVote,
    Stage, StoredClassification, StoredRecordLabel, StoredRisk, StoredVote,
};
pub use store::{
    ClassifyItem, ComputeTotal, Counts, ImportCounts, ImportSession, ImportedVote, LibraryColumn,
    LibraryRow, Project, ProjectInfo, QueueItem, RecordEdit, RecordOutcome, RecordReview, RiskList,
    RiskRecord, RiskSummary, SourceFile,
};
pub use visibility::{Needs, Open, Sees, Visibility};
pub use workflow::{
    Conflict, Position, Resolution, ResolvedValue, ReviewSettings, RiskRating, ScreeningRule,
    StageOutcome, Subject,
};
