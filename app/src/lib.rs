//! The ecolens application: the workbench window and the headless command line, in one binary,
//! over one use-case layer.
//!
//! Modules:
//! - [`service`]: the use cases both front ends call (import, search, export, the review,
//!   bundles, assessment, reports), typed requests and results, one error type and the one
//!   way it becomes words;
//! - [`cli`]: argument parsing, a call into [`service`] per command, printing;
//! - [`window`]: the eframe workbench ([`window::Workbench`]), whose threads call [`service`];
//!   it never imports [`cli`];
//! - [`bench`]: `ecolens bench`, the corpus benchmark;
//! - [`bench_assess`]: `ecolens bench --suite assess`, traces beside pandas and Monte Carlo;
//! - [`bench_hub`]: `ecolens bench --suite hub`, reviewers syncing with a hub at once;
//! - [`throwaway_postgres`]: a PostgreSQL server for the hub's tests and benchmark;
//! - [`location`]: where the default project lives.
//!
//! This is the only crate that knows egui/eframe.

pub mod bench;
pub mod bench_assess;
pub mod bench_hub;
pub mod bench_screening;
pub mod cli;
pub mod fuzz;
pub mod location;
pub mod service;
pub mod throwaway_postgres;
pub mod window;
