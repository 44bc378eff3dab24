//! The ecolens application: the workbench window and the headless command line, in one binary.
//!
//! Modules:
//! - [`bench`]: `ecolens bench`, the corpus benchmark;
//! - [`bench_assess`]: `ecolens bench --suite assess`, traces beside pandas and Monte Carlo;
//! - [`assess_commands`]: energy, estimate, trace, lca, report, factors;
//! - [`cli`]: argument parsing and the headless subcommands;
//! - [`corpus_commands`]: import, search, reindex, merges;
//! - [`review_commands`]: reviewers, screening, classification, risks, agreement, conflicts,
//!   bundles, PRISMA, audit and undo;
//! - [`location`]: where projects live, and opening one (a new project gets the demo corpus);
//! - [`window`]: the eframe workbench ([`window::Workbench`]).
//!
//! This is the only crate that knows egui/eframe. It holds view state and applies user actions
//! through `ecolens-core` and `ecolens-corpus`.

pub mod assess_commands;
pub mod bench;
pub mod bench_assess;
pub mod cli;
pub mod corpus_commands;
pub mod location;
pub mod review_commands;
pub mod window;
