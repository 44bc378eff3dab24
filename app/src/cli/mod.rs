//! The command line: argument parsing, one call into the use-case layer ([`crate::service`])
//! per command, and printing. With no subcommand, `ecolens` opens the workbench window;
//! every subcommand runs headless, takes `--project PATH`, `--json` and `--reviewer NAME`
//! (who is at the keyboard), prints one result on stdout and reports errors on stderr with a
//! non-zero exit code.
//!
//! Modules: [`project`] (info, taxonomy, labels), [`corpus`] (import, search, export,
//! reindex, merges), [`review`] (the review commands), [`assess`] (energy, estimate, trace,
//! lca, report, factors). Each turns a use case's result into text and JSON; the rules live
//! below.

// The command line's job is to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod assess;
pub mod corpus;
pub mod hub;
pub mod project;
pub mod review;
pub mod workshop;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use ecolens_core::{Project, ReviewerId};

use crate::location::default_project_path;
use crate::service::{self, Front};

/// ecolens: a workbench for judging "AI for green" research and projects.
///
/// Without a command, opens the workbench window on the project. With a command, runs it
/// headless: text on stdout (one JSON object with --json), errors on stderr, exit code 1 on
/// failure.
#[derive(Debug, Parser)]
#[command(name = "ecolens", version)]
pub struct Cli {
    /// Project file to open or create [default: default.ecolens in the data directory].
    #[arg(long, global = true, value_name = "PATH")]
    pub project: Option<PathBuf>,
    /// Print one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// When the default project has to be created, leave it empty instead of adding the demo
    /// corpus (a project named with --project always starts empty; `ecolens demo` adds the
    /// demo to any project).
    #[arg(long, global = true)]
    pub no_demo: bool,
    /// Who is at the keyboard: the reviewer who votes, classifies, resolves, and whose eyes
    /// reads go through (while blind, a reviewer sees their own judgements only).
    #[arg(long, global = true, env = "ECOLENS_REVIEWER", value_name = "NAME")]
    pub reviewer: Option<String>,
    /// What to do; without a command the workbench window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
// clap shows these doc comments as --help text, where backticks would print as they are.
// Parsed once per run: the size of its largest variant (a record's fields) costs nothing.
#[allow(clippy::doc_markdown, clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what the project holds: counts, path, schema version.
    Info,
    /// Add the demo corpus (47 green-AI and AI-for-green publications) to the project. Only
    /// the default project receives it when created; a review's own project starts empty.
    /// Publications already in the project are not added twice.
    Demo,
    /// Print every vocabulary (shipped with ecolens and defined by the project) with its
    /// version and entries.
    Taxonomy {
        /// Print only this vocabulary (e.g. eval-scale, ict-effects, exclusion-reason).
        #[arg(long, value_name = "ID")]
        vocabulary: Option<String>,
    },
    /// Edit the project's own vocabularies (exclusion reasons, tags, coding schemes).
    #[command(subcommand)]
    Label(LabelCommand),
    /// Import bibliography files and folders (RIS, BibTeX/BibLaTeX, MEDLINE, EndNote XML,
    /// CSV/TSV, CSL-JSON; detected from content) in one transaction, merging duplicates, and
    /// update the search index. Prints what was read, merged and rejected, with file:line.
    Import {
        /// Files or folders (folders are read recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// List every warning, not only the first ten.
        #[arg(long)]
        verbose: bool,
        /// Do not turn Rayyan/ASReview review labels into screening votes (they are still
        /// counted and kept in the record's notes).
        #[arg(long)]
        no_label_votes: bool,
        /// Read files again that an earlier import read (same content); by default they are
        /// recognised and skipped. Records read again from the same file and line are never
        /// added or merged twice.
        #[arg(long)]
        again: bool,
    },
    /// Search the project. Words are ANDed; "phrases", field:word (title, abstract, author,
    /// keyword, venue, fulltext, tiab), year:2019..2021, doi:…, OR, NOT, -word, prefix*,
    /// (groups) and facets (decision:include, category:f, rebound:HO, has:lca, has:fulltext).
    Search {
        /// The query; quote it for the shell.
        query: String,
        /// Hits to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Hits to skip (for paging).
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Export records with their review fields: RIS, BibTeX, CSV (ASReview columns) or
    /// CSL-JSON. Importing the file again gives the same records. While blind mode is on, the
    /// review fields are the --reviewer's own (none without one).
    Export {
        /// The file to write (replaced only once complete).
        out: PathBuf,
        /// ris, bibtex, csv or csl-json.
        #[arg(long, value_parser = parse_format)]
        format: ecolens_corpus::export::ExportFormat,
        /// How screening decisions are written: rayyan (every reviewer's votes, the default)
        /// or asreview (the record's decision; in CSV the `included` column).
        #[arg(long, default_value = "rayyan", value_parser = parse_label_style)]
        labels: ecolens_corpus::export::LabelStyle,
        /// Only the records matching this search (e.g. "decision:include").
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
    },
    /// Show, edit or enter a record by hand (a project or grant proposal under assessment,
    /// a paper no database holds). Edits are audited and undone with `ecolens undo`.
    #[command(subcommand)]
    Record(RecordCommand),
    /// Rebuild the search index from the project file.
    Reindex,
    /// Benchmark import, parsing (beside rispy and bibtexparser) and search on generated
    /// corpora; run it on a release build: `cargo run --release -- bench`.
    Bench {
        /// Corpus sizes to import, comma-separated; the largest is searched.
        #[arg(long, value_delimiter = ',', default_values_t = [100_000u64, 1_000_000])]
        sizes: Vec<u64>,
        /// Records in the parse-only files.
        #[arg(long, default_value_t = 100_000)]
        parse_records: u64,
        /// Search queries to time.
        #[arg(long, default_value_t = 1000)]
        queries: usize,
        /// Parse runs per tool; the median is reported.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Folder for the generated files and projects [default: a temporary folder].
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Keep the generated files and projects.
        #[arg(long)]
        keep: bool,
        /// The Python with rispy and bibtexparser installed.
        #[arg(long, default_value = "python3")]
        python: String,
        /// Do not run rispy and bibtexparser (pandas with --suite assess).
        #[arg(long)]
        no_python: bool,
        /// corpus (import, parse, search), assess (an nvidia-smi trace beside pandas + numpy,
        /// and the Monte Carlo of a many-parameter scenario), screening (the screening
        /// model's features and re-ranking beside scikit-learn, as ASReview uses it) or hub
        /// (reviewers syncing with a team hub at once).
        #[arg(long, value_enum, default_value = "corpus")]
        suite: BenchSuite,
        /// Rows of the generated nvidia-smi file (--suite assess).
        #[arg(long, default_value_t = 10_000_000)]
        trace_rows: u64,
        /// Monte Carlo runs (--suite assess).
        #[arg(long, default_value_t = 100_000)]
        mc_runs: usize,
        /// Uncertain parameters of the generated scenario (--suite assess).
        #[arg(long, default_value_t = 50)]
        mc_parameters: usize,
        /// Corpus sizes ranked (--suite screening), comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [10_000u64, 100_000])]
        screening_sizes: Vec<u64>,
        /// Reviewers syncing at once (--suite hub).
        #[arg(long, default_value_t = 10)]
        hub_reviewers: usize,
        /// Decisions each reviewer casts, a sync after every 100 (--suite hub).
        #[arg(long, default_value_t = 1_000)]
        hub_decisions: usize,
        /// The owner's connection to an empty database (--suite hub) [default: a throwaway
        /// server from Debian's postgresql package].
        #[arg(long)]
        hub_url: Option<String>,
    },
    /// Add or list the project's reviewers.
    #[command(subcommand)]
    Reviewer(review::ReviewerCommand),
    /// Switch blind mode (a lead, named with --reviewer). While blind, each reviewer sees
    /// only their own votes, classifications and risks; conflicts stay hidden (from leads too,
    /// unless --leads-see-all).
    Blind {
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
        /// With `on`: leads see everyone's judgements (reviewers still see their own only).
        #[arg(long)]
        leads_see_all: bool,
    },
    /// Set the rule that moves records on (a lead only): one (one reviewer decides) or two
    /// (two reviewers must agree).
    Rule {
        /// one or two.
        rule: String,
    },
    /// Record a screening vote (`ecolens screen RECORD --stage tiab --decision include`), or
    /// see the queue's order and the stopping rule (`ecolens screen status`), or set them (`ecolens
    /// screen order`, a lead).
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Screen {
        /// What else to do than vote.
        #[command(subcommand)]
        command: Option<review::ScreenCommand>,
        /// The record: id, DOI, pmid:N or arxiv:ID.
        #[arg(required = true)]
        record: Option<String>,
        /// tiab (title/abstract) or fulltext.
        #[arg(long, required = true)]
        stage: Option<String>,
        /// include, exclude or maybe.
        #[arg(long, required = true)]
        decision: Option<String>,
        /// Exclusion reason (code from `ecolens taxonomy --vocabulary exclusion-reason`);
        /// required at full text.
        #[arg(long)]
        reason: Option<String>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Classify a record on the a–f environmental-evaluation scale (Ligozat et al. 2022).
    Classify {
        /// The record.
        record: String,
        /// a, b, c, d, e or f.
        #[arg(long)]
        category: String,
        /// Why.
        #[arg(long)]
        rationale: Option<String>,
        /// A quote from the title, abstract or full text (repeatable).
        #[arg(long)]
        evidence: Vec<String>,
        /// very_low, low, medium, high or very_high.
        #[arg(long)]
        confidence: Option<String>,
    },
    /// The rebound-risk register: add, list, summary, consequence trees.
    #[command(subcommand)]
    Risk(review::RiskCommand),
    /// A record's review as the --reviewer may see it (votes, categories, risks, outcome).
    Review {
        /// The record.
        record: String,
    },
    /// Agreement between reviewers: percent, Cohen's κ per pair (weighted for a–f), Fleiss'
    /// κ for three or more. While blind mode is on, for leads only.
    Agreement {
        /// Only tiab, fulltext or classification.
        #[arg(long)]
        stage: Option<String>,
    },
    /// Disagreements between reviewers and their resolutions (needs blind mode off, or a lead
    /// of a project whose leads see all).
    Conflicts,
    /// Resolve a disagreement (a lead only): the final value is recorded beside the votes.
    Resolve {
        /// The record.
        record: String,
        /// screening:tiab, screening:fulltext, classification or risk:EFFECT.
        #[arg(long)]
        subject: String,
        /// The final value: include/exclude/maybe, a–f, or "direction=… likelihood=…".
        #[arg(long)]
        value: String,
        /// Exclusion reason, for an exclusion.
        #[arg(long)]
        reason: Option<String>,
        /// Why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Export or import decision bundles (a reviewer's work between copies of a project).
    #[command(subcommand)]
    Bundle(review::BundleCommand),
    /// A team hub on PostgreSQL: create, invite, join, sync, status, blind mode.
    #[command(subcommand)]
    Hub(hub::HubCommand),
    /// Workshops: a tree of consequences built with a room, from a template or a record's
    /// tree; its handout (SVG, Markdown, HTML, JSON).
    #[command(subcommand)]
    Workshop(workshop::WorkshopCommand),
    /// PRISMA 2020 flow counts from the project, and the diagram as SVG. While blind mode is
    /// on, for leads only.
    Prisma {
        /// Write the flow diagram here.
        #[arg(long, value_name = "OUT")]
        svg: Option<PathBuf>,
    },
    /// Undo the --reviewer's last review change (walks further back when repeated).
    Undo,
    /// The audit log, newest first. While blind mode is on, other reviewers' changes to
    /// judgements show who changed what kind of thing on which record, without values.
    /// `audit paper` checks a paper's own figures instead.
    #[command(args_conflicts_with_subcommands = true)]
    Audit {
        /// `paper`: recompute a paper's stated chain (hardware × hours or energy × PUE ×
        /// intensity = CO2e) and say where its figures do not fit together.
        #[command(subcommand)]
        what: Option<AuditWhat>,
        /// Only this reviewer's entries.
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Only entries about this record.
        #[arg(long)]
        record: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Internal: one phase of `ecolens bench`, run in a child process.
    #[command(hide = true, subcommand)]
    BenchPhase(BenchPhase),
    /// Hostile inputs for the format detector and every reader, mutated from real files:
    /// counts panics (there must be none) and the slowest input; --linear times 10 MB worst
    /// cases (none may take more than 2 s).
    #[command(hide = true)]
    Fuzz(crate::fuzz::FuzzOptions),
    /// Internal: extract one PDF's text in this (child) process and write JSON to OUT.
    #[command(hide = true)]
    ExtractPdf {
        /// The PDF.
        path: PathBuf,
        /// Where to write the result.
        #[arg(long)]
        out: PathBuf,
        /// Address-space limit in bytes.
        #[arg(long)]
        memory: u64,
    },
    /// Replay a labelled review with the screening model (any format ecolens imports, every
    /// record labelled include or exclude: ASReview's label_included/included columns,
    /// Rayyan or ASReview notes, ecolens exports). Prints, per seed, the records screened to
    /// reach 80/90/95/100 % recall, WSS@95, and where the stopping rule would have stopped.
    Simulate {
        /// The labelled file.
        file: PathBuf,
        /// Seeds, comma-separated: one run each (the priors and random picks follow the seed).
        #[arg(long, value_delimiter = ',', default_values_t = [0u64])]
        seeds: Vec<u64>,
        /// Runs with the seeds 0 to N−1, instead of --seeds.
        #[arg(long, value_name = "N", conflicts_with = "seeds")]
        runs: Option<u64>,
        /// Includes drawn at random as known before screening starts.
        #[arg(long, default_value_t = 1)]
        prior_included: usize,
        /// Excludes drawn at random as known before screening starts.
        #[arg(long, default_value_t = 1)]
        prior_excluded: usize,
        /// Query strategy: relevant (most relevant first), uncertain, random, mixed (5 %
        /// random) or mixed:PERCENT.
        #[arg(long, default_value = "relevant", value_parser = parse_strategy)]
        strategy: ecolens_corpus::rank::Strategy,
        /// The stopping rule's target recall, a fraction.
        #[arg(long, default_value_t = 0.95)]
        target_recall: f64,
        /// The stopping rule's confidence, a fraction: stop when p < 1 − confidence.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Also run ASReview LAB (`asreview simulate`, installed for --python) on the same
        /// records, priors and seeds, and print both side by side.
        #[arg(long)]
        compare_asreview: bool,
        /// The Python that has ASReview LAB installed.
        #[arg(long, default_value = "python3")]
        python: String,
        /// Draw the recall curves (includes found against records screened, every run,
        /// random order's line, ASReview's runs when compared) to this SVG file.
        #[arg(long, value_name = "SVG")]
        plot: Option<PathBuf>,
    },
    /// Read measured-energy traces (CodeCarbon, CarbonTracker, eco2AI, Zeus, nvidia-smi,
    /// PowerJoular, Scaphandre, RAPL, experiment-impact-tracker, AIPowerMeter): one summary per
    /// run with CO2e and water from the trace's place (or the flags), plus the total.
    Energy {
        /// Trace files (the format is detected from the content).
        #[arg(required = true)]
        traces: Vec<PathBuf>,
        /// Factor overrides.
        #[command(flatten)]
        factors: FactorArgs,
    },
    /// Estimate energy and CO2e when nothing was measured: --power-w W (chips × hours × W × PUE),
    /// or hardware flags (Green Algorithms, or ML CO2 Impact with --method).
    Estimate {
        /// What ran, how long, and which calculator.
        #[command(flatten)]
        run: assess::EstimateArgs,
        /// Factor overrides.
        #[command(flatten)]
        factors: FactorArgs,
    },
    /// LLM requests to a provider's model by EcoLogits' method: energy, CO2e (use and
    /// manufacturing), abiotic depletion, primary energy and water, as ranges. --list names the
    /// models.
    Inference {
        /// The provider, model and requests.
        #[command(flatten)]
        run: assess::InferenceArgs,
        /// Factor overrides.
        #[command(flatten)]
        factors: FactorArgs,
    },
    /// The figures a paper states about its computing (hardware, chips, hours, power,
    /// energy, PUE, grid intensity, CO2e, place, life-cycle words), found in a record's
    /// abstract and full text or in --text, with their offsets, the audit they fill and the
    /// a–f category they point to (a suggestion).
    Cues {
        /// The record (id or DOI).
        #[arg(required_unless_present = "text", conflicts_with = "text")]
        record: Option<String>,
        /// A text instead of a record.
        #[arg(long)]
        text: Option<String>,
    },
    /// Attach measured-energy traces to records, list or detach them.
    #[command(subcommand)]
    Trace(assess::TraceCommand),
    /// Evaluate an LCA scenario (TOML): Δ(M2|M1) per criterion, paired Monte Carlo intervals,
    /// P(M2 better), burden shift, tornado. --record stores it with that record.
    Lca {
        /// The scenario file, or a shipped example: example:smart-building,
        /// example:inference-per-model.
        scenario: PathBuf,
        /// Monte Carlo runs.
        #[arg(long, default_value_t = 10_000)]
        runs: usize,
        /// Seed of the Monte Carlo generator (same seed, same result).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Store the scenario with this record (id, DOI, pmid:…, arxiv:…).
        #[arg(long)]
        record: Option<String>,
    },
    /// Write the end-to-end assessment of a record (or of every assessed record with --all):
    /// a–f category, rebound risks, traces with their footprint, LCA Δ with intervals. Also
    /// the emissions statement of a record's traces for a paper (statement-md, statement-tex).
    Report {
        /// RECORD OUT: the record (id, DOI, pmid:…, arxiv:…) and the file to write (replaced
        /// only once complete); with --all only OUT.
        #[arg(required = true, num_args = 1..=2, value_names = ["RECORD", "OUT"])]
        targets: Vec<PathBuf>,
        /// Every record with a category, risk, trace or scenario, after summary tables.
        #[arg(long)]
        all: bool,
        /// html, md, statement-md or statement-tex. While blind mode is on, the report shows
        /// the --reviewer's judgements only (and needs one when it would hide others').
        #[arg(long, value_enum)]
        format: assess::ReportFormatArg,
        /// Monte Carlo runs per scenario.
        #[arg(long, default_value_t = 10_000)]
        runs: usize,
        /// Seed of the Monte Carlo generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The project's own factor values (PUE, grid intensity, WUE, country), used instead of
    /// the shipped defaults by trace footprints and reports: show, set or clear them.
    Factors {
        /// What to do (show without one).
        #[command(subcommand)]
        action: Option<assess::FactorsCommand>,
    },
    /// List the duplicates merged by imports (newest first), or undo one.
    Merges {
        /// Undo a merge instead of listing.
        #[command(subcommand)]
        action: Option<MergeCommand>,
        /// Only merges into this record (id, DOI, pmid:…, arxiv:…).
        #[arg(long, value_name = "RECORD")]
        record: Option<String>,
        /// Include merges already undone.
        #[arg(long)]
        all: bool,
    },
}

/// What `audit` checks besides the log.
#[derive(Debug, Subcommand)]
pub enum AuditWhat {
    /// Recompute a paper's stated chain and check each figure against the others: the energy
    /// from chips × power × hours, the CO2e from energy × PUE × intensity, unit slips, and a
    /// claim in words ("more than 300 t"). --example runs a shipped worked case.
    Paper(assess::PaperArgs),
}

/// Factor overrides shared by `energy` and `estimate`.
#[derive(Debug, Clone, clap::Args)]
pub struct FactorArgs {
    /// PUE to apply (the tool's own PUE is divided out first).
    #[arg(long)]
    pub pue: Option<f64>,
    /// Grid carbon intensity, gCO2e/kWh.
    #[arg(long, value_name = "G_PER_KWH", conflicts_with = "country")]
    pub intensity: Option<f64>,
    /// Country (ISO 3166 alpha-3 or alpha-2) whose grid intensity to use.
    #[arg(long, value_name = "ISO3")]
    pub country: Option<String>,
    /// Site water usage effectiveness, L/kWh.
    #[arg(long)]
    pub wue: Option<f64>,
    /// Where grid intensities come from: digital4better (life cycle, by year; the default),
    /// codecarbon (OWID/Ember) or green-algorithms; over the project's choice (`ecolens
    /// factors set --grid-source`).
    #[arg(long, value_name = "SOURCE", conflicts_with = "intensity")]
    pub grid_source: Option<ecolens_core::factors::GridSource>,
    /// Data year of the grid intensities for runs whose year is not known (digital4better
    /// has one table per year).
    #[arg(long, value_name = "YEAR", conflicts_with = "intensity")]
    pub grid_year: Option<i32>,
}

impl FactorArgs {
    /// The flags as overrides, checked.
    fn overrides(&self) -> service::Result<ecolens_core::estimate::FactorOverrides> {
        let overrides = ecolens_core::estimate::FactorOverrides {
            country: self.country.clone(),
            pue: self.pue,
            intensity_g_per_kwh: self.intensity,
            wue_l_per_kwh: self.wue,
            source: None,
            grid_source: self.grid_source,
            grid_year: self.grid_year,
        };
        overrides.check()?;
        Ok(overrides)
    }
}

/// Which benchmark `bench` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchSuite {
    /// Import, parse beside rispy and bibtexparser, search.
    Corpus,
    /// Trace integration beside pandas + numpy; Monte Carlo.
    Assess,
    /// The screening model: features and re-ranking beside scikit-learn.
    Screening,
    /// Reviewers syncing with a team hub on PostgreSQL at once.
    Hub,
}

/// Phases of the benchmark, each run in a child process of its own.
#[derive(Debug, Subcommand)]
pub enum BenchPhase {
    /// Parse a file.
    Parse {
        /// The file.
        file: PathBuf,
        /// Parsing threads.
        #[arg(long)]
        threads: usize,
    },
    /// Import a file into a new project and index it.
    Import {
        /// The file.
        file: PathBuf,
        /// The new project.
        #[arg(long)]
        project_file: PathBuf,
        /// Threads.
        #[arg(long)]
        threads: usize,
    },
    /// Time searches over a project.
    Search {
        /// The project.
        #[arg(long)]
        project_file: PathBuf,
        /// Queries to time.
        #[arg(long)]
        queries: usize,
    },
    /// Integrate a trace file.
    Trace {
        /// The file.
        file: PathBuf,
    },
    /// Run the Monte Carlo of a generated scenario.
    MonteCarlo {
        /// Runs.
        #[arg(long)]
        runs: usize,
        /// Uncertain parameters.
        #[arg(long)]
        parameters: usize,
    },
    /// Import a labelled corpus and cast the first screening decisions.
    ScreeningSetup {
        /// The labelled CSV.
        file: PathBuf,
        /// The new project.
        #[arg(long)]
        project_file: PathBuf,
        /// Decisions to cast.
        #[arg(long)]
        decisions: usize,
    },
    /// Build the screening model's features and time re-rankings after decisions.
    Screening {
        /// The project.
        #[arg(long)]
        project_file: PathBuf,
        /// Decisions already cast.
        #[arg(long)]
        decisions: usize,
        /// Re-rankings to time.
        #[arg(long)]
        reranks: usize,
    },
    /// Time the workbench's library view over a project: startup and scrolling frames.
    Window {
        /// The project.
        #[arg(long)]
        project_file: PathBuf,
        /// Frames per scrolling pattern.
        #[arg(long, default_value_t = 400)]
        frames: usize,
    },
}

/// A record's fields as options. For a project, --funder, --programme, --grant-number and
/// --summary name the publisher, venue, issue and abstract.
///
/// The command line's copy of [`service::corpus::FieldChanges`]: the use-case layer parses no
/// command line, so it does not derive clap's traits; [`RecordFields::into_changes`] hands the
/// values over unchanged.
// clap shows these doc comments as --help text, where backticks would print as they are.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RecordFields {
    /// journal_article, conference_paper, preprint, book, book_chapter, report, thesis,
    /// standard, dataset, software, web_page, project or other.
    #[arg(long)]
    pub kind: Option<String>,
    /// The title.
    #[arg(long)]
    pub title: Option<String>,
    /// An author as bibliographies write names ("Family, Given", "Given Family", or an
    /// organisation's name); repeat in order. Replaces the list.
    #[arg(long = "author", value_name = "NAME")]
    pub authors: Vec<String>,
    /// An editor, written as an author; repeat in order. Replaces the list.
    #[arg(long = "editor", value_name = "NAME")]
    pub editors: Vec<String>,
    /// The year.
    #[arg(long)]
    pub year: Option<String>,
    /// Journal, proceedings or series.
    #[arg(long, visible_alias = "programme")]
    pub venue: Option<String>,
    /// Volume.
    #[arg(long)]
    pub volume: Option<String>,
    /// Issue or number.
    #[arg(long, visible_alias = "grant-number")]
    pub issue: Option<String>,
    /// Pages or article number.
    #[arg(long)]
    pub pages: Option<String>,
    /// Publisher or institution.
    #[arg(long, visible_alias = "funder")]
    pub publisher: Option<String>,
    /// DOI (bare, doi: or a doi.org link).
    #[arg(long)]
    pub doi: Option<String>,
    /// PubMed id.
    #[arg(long)]
    pub pmid: Option<String>,
    /// arXiv id.
    #[arg(long)]
    pub arxiv: Option<String>,
    /// Landing page (http or https).
    #[arg(long)]
    pub url: Option<String>,
    /// Abstract; paragraphs on lines of their own.
    #[arg(long = "abstract", visible_alias = "summary", value_name = "TEXT")]
    pub abstract_text: Option<String>,
    /// A keyword; repeat for more. Replaces the list.
    #[arg(long = "keyword", value_name = "WORD")]
    pub keywords: Vec<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// Running time as an ISO 8601 interval: 2024-01/2026-12, 2024/2027, 2024-01/ (open).
    #[arg(long)]
    pub period: Option<String>,
    /// Empty a field (title, authors, year, abstract, doi, funder …); repeat for more.
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<String>,
}

impl RecordFields {
    /// The changes as the use-case layer takes them.
    pub fn into_changes(self) -> service::corpus::FieldChanges {
        let list = |values: Vec<String>| (!values.is_empty()).then_some(values);
        service::corpus::FieldChanges {
            kind: self.kind,
            title: self.title,
            authors: list(self.authors),
            editors: list(self.editors),
            year: self.year,
            venue: self.venue,
            volume: self.volume,
            issue: self.issue,
            pages: self.pages,
            publisher: self.publisher,
            doi: self.doi,
            pmid: self.pmid,
            arxiv: self.arxiv,
            url: self.url,
            abstract_text: self.abstract_text,
            keywords: list(self.keywords),
            notes: self.notes,
            period: self.period,
            clear: self.clear,
        }
    }
}

/// Acting on one record.
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Every field of a record, where it came from and when it last changed.
    Show {
        /// An id, a DOI, pmid:N or arxiv:ID.
        record: String,
    },
    /// Change fields of a record (the options given; the rest stays). Needs --reviewer.
    Edit {
        /// An id, a DOI, pmid:N or arxiv:ID.
        record: String,
        /// The fields to change.
        #[command(flatten)]
        fields: RecordFields,
    },
    /// Enter a record by hand; --kind project for a project or grant proposal (with
    /// --funder, --programme, --grant-number, --period, --summary). Needs --reviewer.
    New {
        /// The record's fields.
        #[command(flatten)]
        fields: RecordFields,
    },
}

/// Acting on a merge.
#[derive(Debug, Subcommand)]
pub enum MergeCommand {
    /// Undo a merge: the duplicate becomes its own record again, what it filled in is taken
    /// back, and the pair is never merged again.
    Undo {
        /// The merge's number (from `ecolens merges`).
        merge: i64,
    },
}

/// Editing project vocabularies.
#[derive(Debug, Subcommand)]
pub enum LabelCommand {
    /// Create a new project vocabulary.
    NewVocabulary {
        /// Identifier: lower-case letters, digits, '_', '-', '.'.
        id: String,
        /// Name shown to reviewers.
        #[arg(long)]
        name: String,
        /// What the vocabulary is for.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Add an entry to a project vocabulary.
    Add {
        /// The vocabulary (e.g. exclusion-reason, tag).
        vocabulary: String,
        /// Stable code of the entry.
        code: String,
        /// Name shown to reviewers.
        #[arg(long)]
        name: String,
        /// What the entry means.
        #[arg(long, default_value = "")]
        definition: String,
        /// An example.
        #[arg(long, default_value = "")]
        example: String,
    },
    /// Retire an entry: labels already using it stay readable, new uses are refused.
    Retire {
        /// The vocabulary.
        vocabulary: String,
        /// The entry's code.
        code: String,
    },
}

fn parse_format(name: &str) -> std::result::Result<ecolens_corpus::export::ExportFormat, String> {
    ecolens_corpus::export::ExportFormat::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ecolens_corpus::export::ExportFormat::ALL
            .iter()
            .map(|f| f.name())
            .collect();
        format!("expected one of {}", names.join(", "))
    })
}

fn parse_strategy(name: &str) -> std::result::Result<ecolens_corpus::rank::Strategy, String> {
    name.parse()
        .map_err(|expected| format!("expected {expected}"))
}

fn parse_label_style(
    name: &str,
) -> std::result::Result<ecolens_corpus::export::LabelStyle, String> {
    ecolens_corpus::export::LabelStyle::parse(name)
        .ok_or_else(|| "expected rayyan or asreview".to_owned())
}

/// Who is at the keyboard, looked up in the open project once per command.
pub struct Keyboard<'a> {
    name: Option<&'a str>,
}

impl Keyboard<'_> {
    /// The reviewer named with `--reviewer` (or `ECOLENS_REVIEWER`), if any.
    /// In a hub's working copy, nobody named means the copy's own reviewer.
    pub fn reader(&self, project: &Project) -> service::Result<Option<ReviewerId>> {
        let joined = match self.name {
            Some(_) => None,
            None => project.hub_link()?.map(|link| link.reviewer),
        };
        self.name
            .or(joined.as_deref())
            .map(|name| service::project::reviewer_named(project, name).map(|r| r.id))
            .transpose()
    }

    /// The reviewer making a change, who must be named.
    pub fn author(&self, project: &Project, action: &'static str) -> service::Result<ReviewerId> {
        service::project::author(self.reader(project)?, action)
    }
}

/// Runs a parsed command line. `Ok` carries the exit code; errors are for the caller to print
/// ([`words`]).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let path = match &cli.project {
        Some(path) => path.clone(),
        None => default_project_path()?,
    };
    // Only the default project receives the demo corpus when it is created.
    let with_demo = cli.project.is_none() && !cli.no_demo;
    let Some(command) = cli.command else {
        crate::window::run_window(&path, with_demo, cli.project.is_none())?;
        return Ok(ExitCode::SUCCESS);
    };
    let keyboard = Keyboard {
        name: cli.reviewer.as_deref(),
    };
    // Commands that need no project.
    let output = match command {
        Command::Bench {
            sizes,
            parse_records,
            queries,
            repeat,
            dir,
            keep,
            python,
            no_python,
            suite,
            trace_rows,
            mc_runs,
            mc_parameters,
            screening_sizes,
            hub_reviewers,
            hub_decisions,
            hub_url,
        } => {
            let temporary = dir.is_none();
            let dir = dir.unwrap_or_else(|| {
                std::env::temp_dir().join(format!("ecolens-bench-{}", std::process::id()))
            });
            let output = if suite == BenchSuite::Hub {
                crate::bench_hub::run(&crate::bench_hub::HubBenchOptions {
                    reviewers: hub_reviewers,
                    decisions: hub_decisions,
                    batch: 100,
                    dir: dir.clone(),
                    hub_url,
                })
            } else if suite == BenchSuite::Screening {
                crate::bench_screening::run(&crate::bench_screening::ScreeningBenchOptions {
                    sizes: screening_sizes,
                    decisions: 200,
                    reranks: repeat.max(1) * 5,
                    dir: dir.clone(),
                    keep,
                    python: (!no_python).then(|| python.clone()),
                })
            } else if suite == BenchSuite::Assess {
                crate::bench_assess::run(&crate::bench_assess::AssessBenchOptions {
                    trace_rows,
                    mc_runs,
                    mc_parameters,
                    dir: dir.clone(),
                    keep,
                    python: (!no_python).then(|| python.clone()),
                    repeat: repeat.max(1),
                })
            } else {
                crate::bench::run(&crate::bench::BenchOptions {
                    sizes,
                    parse_records,
                    queries,
                    dir: dir.clone(),
                    keep,
                    python: (!no_python).then(|| python.clone()),
                    repeat: repeat.max(1),
                })
            };
            if temporary && !keep {
                let _ = std::fs::remove_dir_all(&dir);
            }
            output?
        }
        Command::Fuzz(options) => crate::fuzz::run(&options)?,
        Command::BenchPhase(phase) => {
            let value = match phase {
                BenchPhase::Parse { file, threads } => crate::bench::phase_parse(&file, threads)?,
                BenchPhase::Import {
                    file,
                    project_file,
                    threads,
                } => crate::bench::phase_import(&file, &project_file, threads)?,
                BenchPhase::Search {
                    project_file,
                    queries,
                } => crate::bench::phase_search(&project_file, queries)?,
                BenchPhase::Window {
                    project_file,
                    frames,
                } => crate::bench::phase_window(&project_file, frames)?,
                BenchPhase::Trace { file } => crate::bench_assess::phase_trace(&file)?,
                BenchPhase::ScreeningSetup {
                    file,
                    project_file,
                    decisions,
                } => crate::bench_screening::phase_setup(&file, &project_file, decisions)?,
                BenchPhase::Screening {
                    project_file,
                    decisions,
                    reranks,
                } => crate::bench_screening::phase_rank(&project_file, decisions, reranks)?,
                BenchPhase::MonteCarlo { runs, parameters } => {
                    crate::bench_assess::phase_monte_carlo(runs, parameters)?
                }
            };
            write_stdout(&format!("{value}\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::ExtractPdf { path, out, memory } => {
            // The child of a PDF import: no project, no output but the result file.
            let code = ecolens_corpus::pdf::child_main(&path, &out, memory);
            return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
        }
        Command::Energy { traces, factors } => {
            assess::energy(&traces, &project_factors(&path)?, &factors.overrides()?)?
        }
        Command::Simulate {
            file,
            seeds,
            runs,
            prior_included,
            prior_excluded,
            strategy,
            target_recall,
            confidence,
            compare_asreview,
            python,
            plot,
        } => review::simulate(
            &service::screening::SimulateRequest {
                path: file,
                seeds: runs.map_or(seeds, |n| (0..n).collect()),
                prior_included,
                prior_excluded,
                strategy,
                rule: ecolens_core::stopping::StoppingRule {
                    target_recall,
                    confidence,
                },
                threads: service::worker_threads(),
            },
            compare_asreview.then_some(python.as_str()),
            plot.as_deref(),
        )?,
        Command::Audit {
            what: Some(AuditWhat::Paper(args)),
            ..
        } if args.record.is_none() => assess::audit_paper(&args, None)?,
        Command::Cues {
            record: None,
            text: Some(text),
        } => assess::cues(
            &crate::service::assess::RecordCues::of_text(&text, "as given"),
            false,
        )?,
        Command::Factors {
            action: Some(assess::FactorsCommand::Shipped { contains }),
        } => assess::shipped_factors(contains.as_deref())?,
        Command::Inference { run, factors } => {
            assess::inference(run, &project_factors(&path)?, &factors.overrides()?)?
        }
        Command::Estimate { run, factors } => assess::estimate(
            &run.into_request(),
            &project_factors(&path)?,
            &factors.overrides()?,
        )?,
        project_command => {
            let mut opened = service::project::open(&path, with_demo)?;
            in_project(&mut opened, &keyboard, project_command)?
        }
    };
    print_output(&output, cli.json)?;
    Ok(if output.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The project's own factors (its grid source, PUE, …) for the commands that need no
/// project otherwise: read from the project when it exists; the shipped defaults when it
/// does not (nothing is created for a calculation).
fn project_factors(path: &std::path::Path) -> Result<ecolens_core::estimate::FactorOverrides> {
    if !path.exists() {
        return Ok(ecolens_core::estimate::FactorOverrides::default());
    }
    let project = ecolens_core::Project::open_existing(path)?;
    Ok(service::assess::factors(&project)?)
}

/// Runs a command that works on the open project.
fn in_project(
    opened: &mut service::project::Opened,
    keyboard: &Keyboard<'_>,
    command: Command,
) -> Result<Output> {
    let project = &mut opened.project;
    Ok(match command {
        Command::Info => project::info(opened, keyboard)?,
        Command::Taxonomy { vocabulary } => project::taxonomy(project, vocabulary.as_deref())?,
        Command::Demo => project::demo(project)?,
        Command::Label(label) => project::label(project, label)?,
        Command::Import {
            paths,
            verbose,
            no_label_votes,
            again,
        } => corpus::import(project, paths, verbose, !no_label_votes, again)?,
        Command::Search {
            query,
            limit,
            offset,
        } => corpus::search(project, keyboard, &query, offset, limit)?,
        Command::Record(action) => corpus::record(project, keyboard, action)?,
        Command::Reindex => corpus::reindex(project)?,
        Command::Export {
            out,
            format,
            labels,
            query,
        } => corpus::export(project, keyboard, out, format, labels, query)?,
        Command::Merges {
            action: None,
            record,
            all,
        } => corpus::merges(project, record.as_deref(), all)?,
        Command::Merges {
            action: Some(MergeCommand::Undo { merge }),
            ..
        } => corpus::undo_merge(project, merge)?,
        Command::Reviewer(command) => review::reviewer(project, command)?,
        Command::Blind {
            state,
            leads_see_all,
        } => review::blind(project, keyboard, &state, leads_see_all)?,
        Command::Rule { rule } => review::rule(project, keyboard, &rule)?,
        Command::Screen {
            command: Some(command),
            ..
        } => review::screen_command(project, keyboard, command)?,
        Command::Screen {
            command: None,
            record,
            stage,
            decision,
            reason,
            note,
        } => review::screen(
            project,
            keyboard,
            record.as_deref().unwrap_or_default(),
            &review::VoteArgs {
                stage: stage.unwrap_or_default(),
                decision: decision.unwrap_or_default(),
                reason,
                note,
            },
        )?,
        Command::Classify {
            record,
            category,
            rationale,
            evidence,
            confidence,
        } => review::classify(
            project,
            keyboard,
            &record,
            &category,
            rationale,
            &evidence,
            confidence.as_deref(),
        )?,
        Command::Risk(command) => review::risk(project, keyboard, command)?,
        Command::Review { record } => review::review(project, keyboard, &record)?,
        Command::Agreement { stage } => review::agreement(project, keyboard, stage.as_deref())?,
        Command::Conflicts => review::conflicts(project, keyboard)?,
        Command::Resolve {
            record,
            subject,
            value,
            reason,
            note,
        } => review::resolve(
            project,
            keyboard,
            &record,
            &subject,
            &value,
            reason,
            note.as_deref(),
        )?,
        Command::Bundle(command) => review::bundle(project, keyboard, command)?,
        Command::Hub(command) => hub::run(project, keyboard, command)?,
        Command::Workshop(command) => workshop::run(project, keyboard, command)?,
        Command::Prisma { svg } => review::prisma(project, keyboard, svg.as_deref())?,
        Command::Cues { record, .. } => {
            let id =
                crate::service::corpus::record(project, record.as_deref().unwrap_or_default())?;
            assess::cues(&crate::service::assess::record_cues(project, id)?, true)?
        }
        Command::Undo => review::undo(project, keyboard)?,
        Command::Audit {
            what: Some(AuditWhat::Paper(args)),
            ..
        } => assess::audit_paper(&args, Some((project, keyboard)))?,
        Command::Audit {
            by, record, limit, ..
        } => review::audit(project, keyboard, by.as_deref(), record.as_deref(), limit)?,
        Command::Trace(command) => assess::trace(project, command)?,
        Command::Lca {
            scenario,
            runs,
            seed,
            record,
        } => assess::lca(project, &scenario, runs, seed, record.as_deref())?,
        Command::Report {
            targets,
            all,
            format,
            runs,
            seed,
        } => assess::report(project, keyboard, &targets, all, format.into(), runs, seed)?,
        Command::Factors { action } => assess::factors(project, action)?,
        Command::ExtractPdf { .. }
        | Command::Bench { .. }
        | Command::BenchPhase(_)
        | Command::Fuzz(_)
        | Command::Energy { .. }
        | Command::Simulate { .. }
        | Command::Estimate { .. }
        | Command::Inference { .. } => {
            return Err(anyhow::anyhow!(
                "this command runs before a project opens; reaching it here is a bug"
            ));
        }
    })
}

/// An error in words for the terminal: a use case's error as [`service::describe`] says it,
/// anything else with its chain of causes.
pub fn words(error: &anyhow::Error) -> String {
    match error.downcast_ref::<service::Error>() {
        Some(error) => service::describe(error, Front::Cli),
        None => format!("{error:#}"),
    }
}

fn print_output(output: &Output, json: bool) -> Result<()> {
    if json {
        write_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&output.json)?
        ))
    } else {
        write_stdout(&output.text)
    }
}

/// Writes a command's output. A reader that closed the pipe early (`ecolens … | head`) has
/// read what it wanted: that is not an error, and never a panic as `println!` would make it.
fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(error).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

/// What a command prints, in both forms.
pub struct Output {
    /// Printed with `--json`.
    pub json: serde_json::Value,
    /// Printed otherwise.
    pub text: String,
    /// Part of the work could not be done (an import's file not found): printed like a
    /// success, then the command exits non-zero so a script notices.
    pub failed: bool,
}
