//! The review commands: reviewers, blind mode and the rule, screening, classification, the
//! risk register and consequence trees, agreement, conflicts and resolutions, decision
//! bundles, PRISMA, the audit log and undo. Each parses its arguments into typed values, calls
//! the use case and prints what it returns.

// clap shows these doc comments as --help text, where backticks would print as they are.
#![allow(clippy::doc_markdown)]

use ecolens_core::record::shown_title;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::consequence::ConsequenceRoot;
use ecolens_core::store::AuditFilter;
use ecolens_core::{
    Classification, Decision, Error as CoreError, Project, ReboundRisk, RecordId, ResolvedValue,
    RiskId, RiskRating, ScreeningRule, ScreeningVote, Stage, Subject,
};
use ecolens_taxonomy::{
    AssessmentScale, Confidence, Criterion, Direction, EffectCode, EvalCategory, EvidenceType,
    Likelihood, Magnitude, MechanismResource, ReductionType, Term, Tier, TimeHorizon,
};
use serde_json::json;

use super::{Keyboard, Output};
use crate::service::review::{self as service, TreeFormat};
use crate::service::{Error, bundle as bundles, corpus::record as find};

/// Managing reviewers.
#[derive(Debug, Subcommand)]
pub enum ReviewerCommand {
    /// Add a reviewer to the project.
    Add {
        /// The reviewer's name (unique in the project).
        name: String,
        /// Make the reviewer a project lead (may unblind, set the rule, resolve conflicts).
        #[arg(long)]
        lead: bool,
    },
    /// List the project's reviewers.
    List,
}

/// The rating of a risk, as flags.
#[derive(Debug, Args, Default)]
pub struct RiskFlags {
    /// How the effect comes about, in your words.
    #[arg(long, default_value = "")]
    pub mechanism: String,
    /// increases_impact, decreases_impact or ambiguous.
    #[arg(long)]
    pub direction: Option<String>,
    /// For decreases: actual_reduction or lesser_increase.
    #[arg(long)]
    pub reduction_type: Option<String>,
    /// immediate, mid_term or long_term.
    #[arg(long)]
    pub time_horizon: Option<String>,
    /// user_or_site, organisation, city, country or global.
    #[arg(long)]
    pub scale: Option<String>,
    /// Criteria affected, comma-separated (gwp, adpe, pe, water …).
    #[arg(long, value_delimiter = ',')]
    pub criteria: Vec<String>,
    /// virtually_certain … exceptionally_unlikely.
    #[arg(long)]
    pub likelihood: Option<String>,
    /// Magnitude class (partial_rebound, backfire, minor, major …).
    #[arg(long)]
    pub magnitude: Option<String>,
    /// Rebound in percent of the expected savings (rebound effects only).
    #[arg(long)]
    pub rebound_percent: Option<f64>,
    /// very_low, low, medium, high or very_high.
    #[arg(long)]
    pub confidence: Option<String>,
    /// measured, modelled_lca, literature_analogue, expert_judgement …
    #[arg(long)]
    pub evidence_type: Option<String>,
    /// tier1, tier2 or tier3.
    #[arg(long)]
    pub tier: Option<String>,
    /// The resource it travels through: money, time, space, attention_convenience,
    /// production_capacity.
    #[arg(long)]
    pub resource: Option<String>,
    /// Conditions under which it occurs.
    #[arg(long)]
    pub conditions: Option<String>,
    /// How it could be mitigated.
    #[arg(long)]
    pub mitigation: Option<String>,
    /// A quote from the title, abstract or full text supporting it (repeatable).
    #[arg(long)]
    pub evidence: Vec<String>,
    /// The risk (number from `ecolens risk list`) this one follows from in the tree.
    #[arg(long)]
    pub parent: Option<i64>,
}

/// The risk register.
#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Record a rebound or ICT-effect risk on a record.
    Add {
        /// The record: id, DOI, pmid:N or arxiv:ID.
        record: String,
        /// Effect code (FO.USE, SO.OPT, HO.RB.DIR …; `ecolens taxonomy --vocabulary ict-effects`).
        #[arg(long)]
        effect: String,
        /// The rating.
        #[command(flatten)]
        flags: Box<RiskFlags>,
    },
    /// List the risks you may see (a record's, or all).
    List {
        /// Only this record.
        record: Option<String>,
    },
    /// Counts of the register by effect, direction and Rolnick domain.
    Summary,
    /// Feed a direct rebound risk (HO.RB.DIR with --rebound-percent) into a scenario stored
    /// with its record: the risk's rebound % becomes the scenario's direct rebound fraction,
    /// the risk its source (needs blind mode off: scenarios are shared).
    Feed {
        /// The risk's id (ecolens risk list).
        risk: i64,
        /// The scenario's name.
        #[arg(long)]
        scenario: String,
    },
    /// Set the root of your consequence tree for a record ("deploy X at scale S").
    Root {
        /// The record.
        record: String,
        /// The solution deployed.
        #[arg(long)]
        solution: String,
        /// The scale it is deployed at.
        #[arg(long)]
        scale: Option<String>,
    },
    /// Print or export a record's consequence tree.
    Tree {
        /// The record.
        record: String,
        /// Write the tree as SVG.
        #[arg(long, value_name = "OUT")]
        svg: Option<PathBuf>,
        /// Write the tree as JSON.
        #[arg(long = "json-out", value_name = "OUT")]
        json_out: Option<PathBuf>,
    },
}

/// Decision bundles.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write your own work (--reviewer) to a bundle file for the lead's project.
    Export {
        /// The bundle file to write.
        out: PathBuf,
    },
    /// Import a reviewer's bundle (twice changes nothing; conflicts are reported, not
    /// overwritten).
    Import {
        /// The bundle file.
        file: PathBuf,
    },
}

fn term<T: Term>(field: &str, value: Option<&str>) -> Result<Option<T>> {
    value
        .map(|code| T::from_code(code).map_err(|e| CoreError::unknown_code(field, &e).into()))
        .transpose()
}

/// A term that must be given.
fn required<T: Term>(field: &'static str, value: &str, expected: &str) -> Result<T> {
    term::<T>(field, Some(value))?.ok_or_else(|| {
        Error::Invalid {
            field,
            value: value.to_owned(),
            expected: expected.to_owned(),
        }
        .into()
    })
}

/// `ecolens reviewer add|list`.
pub fn reviewer(project: &mut Project, command: ReviewerCommand) -> Result<Output> {
    match command {
        ReviewerCommand::Add { name, lead } => {
            let added = service::add_reviewer(project, &name, lead)?;
            let role = if added.is_lead { "lead" } else { "reviewer" };
            Ok(Output {
                text: format!("added {role} {} (#{})\n", added.name, added.id),
                json: serde_json::to_value(&added)?,
                failed: false,
            })
        }
        ReviewerCommand::List => {
            let team = service::team(project)?;
            let mut text = String::new();
            for r in &team.reviewers {
                writeln!(
                    text,
                    "#{:<3} {}{}",
                    r.id.0,
                    r.name,
                    if r.is_lead { "  (lead)" } else { "" }
                )?;
            }
            if team.reviewers.is_empty() {
                writeln!(text, "no reviewers yet: ecolens reviewer add NAME [--lead]")?;
            }
            writeln!(
                text,
                "blind mode {}{}; screening rule: {}",
                if team.settings.blind { "on" } else { "off" },
                if team.settings.blind && team.settings.leads_see_all {
                    " (leads see all)"
                } else {
                    ""
                },
                team.settings.rule.label()
            )?;
            Ok(Output {
                json: json!({ "reviewers": team.reviewers, "settings": team.settings }),
                text,
                failed: false,
            })
        }
    }
}

/// `ecolens blind on|off [--leads-see-all] --reviewer LEAD`.
pub fn blind(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    state: &str,
    leads_see_all: bool,
) -> Result<Output> {
    let on = match state {
        "on" => true,
        "off" => false,
        other => {
            return Err(Error::Invalid {
                field: "blind",
                value: other.to_owned(),
                expected: "on or off".into(),
            }
            .into());
        }
    };
    let lead = keyboard.author(project, "switching blind mode")?;
    let settings = service::set_blind(project, lead, on, on.then_some(leads_see_all))?;
    let name = project.reviewer(lead)?.name;
    Ok(Output {
        text: format!(
            "blind mode {}{} (by {name})\n",
            if settings.blind { "on" } else { "off" },
            if settings.blind && settings.leads_see_all {
                "; leads see everyone's judgements"
            } else {
                ""
            },
        ),
        json: serde_json::to_value(settings)?,
        failed: false,
    })
}

/// `ecolens rule one|two --reviewer LEAD`.
pub fn rule(project: &mut Project, keyboard: &Keyboard<'_>, rule: &str) -> Result<Output> {
    let rule = ScreeningRule::parse("rule", rule)?;
    let lead = keyboard.author(project, "setting the screening rule")?;
    let settings = service::set_rule(project, lead, rule)?;
    Ok(Output {
        text: format!("screening rule: {}\n", settings.rule.label()),
        json: serde_json::to_value(settings)?,
        failed: false,
    })
}

/// `ecolens screen status|order`.
#[derive(Debug, Subcommand)]
pub enum ScreenCommand {
    /// Your screening queue: its order, the next records, and what the stopping rule says
    /// (Callaghan & Müller-Hansen 2020) of your votes so far.
    Status {
        /// tiab (title/abstract) or fulltext.
        #[arg(long, default_value = "tiab")]
        stage: String,
        /// How many of the next records to list.
        #[arg(long, default_value_t = 10)]
        next: usize,
    },
    /// The words the screening card highlights: include terms in green, exclude terms in red
    /// (comma-separated; `word*` matches words it begins). Without flags, prints them.
    Highlight {
        /// Terms that suggest inclusion, replacing the current ones.
        #[arg(long)]
        include: Option<String>,
        /// Terms that suggest exclusion, replacing the current ones.
        #[arg(long)]
        exclude: Option<String>,
    },
    /// Set how screening queues are ordered, and the stopping rule (a lead only). Flags left
    /// out keep their value.
    Order {
        /// relevant (most relevant first, the default), uncertain, random, mixed (5 % at
        /// random), mixed:PERCENT, or import (import order, no model).
        order: Option<String>,
        /// Seed of the random order before the model can rank, and of random picks.
        #[arg(long)]
        seed: Option<u64>,
        /// The recall screening must reach, a fraction (0.95).
        #[arg(long)]
        target_recall: Option<f64>,
        /// The confidence the stopping rule needs, a fraction (0.95).
        #[arg(long)]
        confidence: Option<f64>,
    },
    /// The known includes screening starts with (a lead only): key papers known before
    /// screening. Until a reviewer has included one record and excluded one, these come first
    /// in their queue, so the model learns sooner. Without records, prints them.
    KnownIncludes {
        /// The records (id, DOI, pmid:N or arxiv:ID), replacing the current ones.
        records: Vec<String>,
        /// Clear the list.
        #[arg(long, conflicts_with = "records")]
        clear: bool,
    },
}

/// `ecolens screen status` and `ecolens screen order`.
pub fn screen_command(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    command: ScreenCommand,
) -> Result<Output> {
    use crate::service::screening;
    match command {
        ScreenCommand::Status { stage, next } => {
            let stage = Stage::parse("stage", &stage)?;
            let reader = keyboard.author(project, "reading a screening queue")?;
            let status = screening::status(project, Some(reader), stage, next)?;
            let name = project.reviewer(reader)?.name;
            let mut text = String::new();
            writeln!(
                text,
                "Screening queue of {name} at {}: {} records, {} screened, {} to go",
                stage.label(),
                status.total,
                status.screened,
                status.total - status.screened
            )?;
            writeln!(text, "Order: {}", status.note.words())?;
            if !status.next.is_empty() {
                writeln!(text, "Next:")?;
                for (i, (record, title)) in status.next.iter().enumerate() {
                    writeln!(text, "  {:>2}. [{record}] {title}", i + 1)?;
                }
            }
            let test = &status.stopping;
            write!(
                text,
                "Stopping rule: {:.0} % recall with {:.0} % confidence; {} screened, {} included",
                test.rule.target_recall * 100.0,
                test.rule.confidence * 100.0,
                test.screened,
                test.relevant
            )?;
            match test.p_value {
                None => writeln!(text, "; nothing screened yet")?,
                Some(p) if test.safe_to_stop => {
                    writeln!(text, "; p = {p:.4}: safe to stop")?;
                }
                Some(p) => match test.more_to_draw {
                    Some(more) => writeln!(
                        text,
                        "; p = {p:.4}: not yet ({more} more record(s) drawn at random and excluded would do)"
                    )?,
                    None => writeln!(
                        text,
                        "; p = {p:.4}: not yet (screening every record left would not make it certain)"
                    )?,
                },
            }
            writeln!(
                text,
                "The review's own screening computing: {}",
                status.footprint.words()
            )?;
            Ok(Output {
                json: serde_json::to_value(&status)?,
                text,
                failed: false,
            })
        }
        ScreenCommand::Highlight { include, exclude } => {
            use ecolens_core::priority::HighlightTerms;
            let mut terms = project.highlight_terms()?;
            if include.is_some() || exclude.is_some() {
                let who = keyboard.author(project, "setting the highlighted words")?;
                if let Some(include) = include {
                    terms.include = HighlightTerms::parse_list(&include);
                }
                if let Some(exclude) = exclude {
                    terms.exclude = HighlightTerms::parse_list(&exclude);
                }
                terms = screening::set_highlight(project, who, &terms)?;
            }
            Ok(Output {
                text: format!(
                    "include: {}\nexclude: {}\n",
                    terms.include.join(", "),
                    terms.exclude.join(", ")
                ),
                json: serde_json::to_value(&terms)?,
                failed: false,
            })
        }
        ScreenCommand::Order {
            order,
            seed,
            target_recall,
            confidence,
        } => {
            let lead = keyboard.author(project, "setting the screening order")?;
            let mut settings = project.priority_settings()?;
            if let Some(order) = order {
                settings.order = order.parse().map_err(|expected: String| {
                    ecolens_core::Error::InvalidValue {
                        field: "order".to_owned(),
                        value: order.clone(),
                        expected,
                    }
                })?;
            }
            if let Some(seed) = seed {
                settings.seed = seed;
            }
            if let Some(target) = target_recall {
                settings.stopping.target_recall = target;
            }
            if let Some(confidence) = confidence {
                settings.stopping.confidence = confidence;
            }
            let settings = screening::set_priority(project, lead, settings)?;
            Ok(Output {
                text: format!(
                    "screening order: {} (seed {}); stopping rule: {:.0} % recall with {:.0} % confidence\n",
                    settings.order,
                    settings.seed,
                    settings.stopping.target_recall * 100.0,
                    settings.stopping.confidence * 100.0
                ),
                json: serde_json::to_value(settings)?,
                failed: false,
            })
        }
        ScreenCommand::KnownIncludes { records, clear } => {
            let mut known = project.known_includes()?;
            if clear || !records.is_empty() {
                let lead = keyboard.author(project, "picking the known includes")?;
                let ids = records
                    .iter()
                    .map(|reference| find(project, reference))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                known = screening::set_known_includes(project, lead, &ids)?;
            }
            let mut text = String::new();
            if known.is_empty() {
                writeln!(text, "no known includes")?;
            }
            let mut rows = Vec::new();
            for id in &known {
                let title = ecolens_core::record::shown_title(&project.record(*id)?.record.title)
                    .to_owned();
                writeln!(text, "[{id}] {title}")?;
                rows.push(serde_json::json!({"record": id, "title": title}));
            }
            Ok(Output {
                text,
                json: serde_json::Value::Array(rows),
                failed: false,
            })
        }
    }
}

/// The flags of `ecolens screen`.
pub struct VoteArgs {
    /// tiab or fulltext.
    pub stage: String,
    /// include, exclude or maybe.
    pub decision: String,
    /// The exclusion reason.
    pub reason: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// `ecolens screen RECORD --stage S --decision D [--reason R] [--note N] --reviewer NAME`.
pub fn screen(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    reference: &str,
    args: &VoteArgs,
) -> Result<Output> {
    let who = keyboard.author(project, "voting")?;
    let id = find(project, reference)?;
    let vote = ScreeningVote {
        stage: Stage::parse("stage", &args.stage)?,
        decision: Decision::parse("decision", &args.decision, args.reason.clone())?,
        note: args.note.clone(),
    };
    let voted = service::vote(project, who, id, &vote)?;
    let shown = voted.outcome.as_ref().map_or_else(
        || "hidden while blind".to_owned(),
        ecolens_core::StageOutcome::label,
    );
    let name = project.reviewer(who)?.name;
    Ok(Output {
        text: format!(
            "record {id}: {name} voted {} at {}; stage outcome: {shown}\n",
            ResolvedValue::Screening(voted.vote.vote.decision.clone()).summary(),
            vote.stage
        ),
        json: json!({ "vote": voted.vote, "outcome": shown }),
        failed: false,
    })
}

/// `ecolens classify RECORD --category X --reviewer NAME [...]`.
pub fn classify(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    reference: &str,
    category: &str,
    rationale: Option<String>,
    evidence: &[String],
    confidence: Option<&str>,
) -> Result<Output> {
    let who = keyboard.author(project, "classifying")?;
    let id = find(project, reference)?;
    let category: EvalCategory = required("category", category, "one of a, b, c, d, e, f")?;
    let mut classification = Classification::new(category);
    classification.rationale = rationale;
    classification.confidence = term::<Confidence>("confidence", confidence)?;
    for quote in evidence {
        classification
            .evidence
            .push(service::quote(project, id, quote)?);
    }
    let stored = service::classify(project, who, id, &classification)?;
    let name = project.reviewer(who)?.name;
    Ok(Output {
        text: format!(
            "record {id}: {name} classified it {} ({}){}\n",
            category.code(),
            category.name(),
            if stored.classification.evidence.is_empty() {
                String::new()
            } else {
                format!(" with {} quote(s)", stored.classification.evidence.len())
            }
        ),
        json: serde_json::to_value(&stored)?,
        failed: false,
    })
}

/// Builds a risk from flags.
fn risk_from(
    project: &Project,
    id: RecordId,
    effect: &str,
    flags: &RiskFlags,
) -> Result<ReboundRisk> {
    let effect: EffectCode = required(
        "effect",
        effect,
        "an effect code (ecolens taxonomy --vocabulary ict-effects)",
    )?;
    let mut risk = ReboundRisk::new(effect);
    risk.mechanism.clone_from(&flags.mechanism);
    risk.direction = term::<Direction>("direction", flags.direction.as_deref())?;
    risk.reduction_type = term::<ReductionType>("reduction_type", flags.reduction_type.as_deref())?;
    risk.time_horizon = term::<TimeHorizon>("time_horizon", flags.time_horizon.as_deref())?;
    risk.scale = term::<AssessmentScale>("scale", flags.scale.as_deref())?;
    for code in &flags.criteria {
        risk.criteria
            .extend(term::<Criterion>("criteria", Some(code.as_str()))?);
    }
    risk.likelihood = term::<Likelihood>("likelihood", flags.likelihood.as_deref())?;
    risk.magnitude = term::<Magnitude>("magnitude", flags.magnitude.as_deref())?;
    risk.rebound_percent = flags.rebound_percent;
    risk.confidence = term::<Confidence>("confidence", flags.confidence.as_deref())?;
    risk.evidence_type = term::<EvidenceType>("evidence_type", flags.evidence_type.as_deref())?;
    risk.tier = term::<Tier>("tier", flags.tier.as_deref())?;
    risk.mechanism_resource = term::<MechanismResource>("resource", flags.resource.as_deref())?;
    risk.conditions.clone_from(&flags.conditions);
    risk.mitigation.clone_from(&flags.mitigation);
    for quote in &flags.evidence {
        risk.evidence.push(service::quote(project, id, quote)?);
    }
    risk.parent = flags.parent.map(RiskId);
    Ok(risk)
}

/// `ecolens risk …`.
pub fn risk(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    command: RiskCommand,
) -> Result<Output> {
    match command {
        RiskCommand::Add {
            record: reference,
            effect,
            flags,
        } => {
            let who = keyboard.author(project, "recording a risk")?;
            let id = find(project, &reference)?;
            let risk = risk_from(project, id, &effect, &flags)?;
            let stored = service::save_risk(project, who, id, None, &risk)?;
            Ok(Output {
                text: format!(
                    "risk {} on record {id}: {} ({}) {}\n",
                    stored.id,
                    stored.risk.effect.code(),
                    stored.risk.effect.name(),
                    RiskRating::of(&stored.risk).summary()
                ),
                json: serde_json::to_value(&stored)?,
                failed: false,
            })
        }
        RiskCommand::List { record: reference } => {
            let reader = keyboard.reader(project)?;
            let record = reference.map(|r| find(project, &r)).transpose()?;
            let list = service::risks(project, reader, record)?;
            let mut text = String::new();
            for r in &list.risks {
                writeln!(
                    text,
                    "risk {:<4} record {:<6} {:<12} {}{}{}",
                    r.id.0,
                    r.record.0,
                    r.risk.effect.code(),
                    RiskRating::of(&r.risk).summary(),
                    r.risk
                        .parent
                        .map(|p| format!("  (follows risk {p})"))
                        .unwrap_or_default(),
                    if r.risk.mechanism.is_empty() {
                        String::new()
                    } else {
                        format!("\n       mechanism: {}", r.risk.mechanism)
                    }
                )?;
            }
            if list.risks.is_empty() {
                writeln!(text, "no risks to show")?;
            }
            if list.hidden > 0 {
                writeln!(
                    text,
                    "{} risk(s) of other reviewers hidden by blind mode",
                    list.hidden
                )?;
            }
            Ok(Output {
                json: json!({ "risks": list.risks, "hidden": list.hidden }),
                text,
                failed: false,
            })
        }
        RiskCommand::Feed { risk, scenario } => {
            let reader = keyboard.reader(project)?;
            let fed =
                crate::service::assess::feed_rebound(project, reader, RiskId(risk), &scenario)?;
            let rebound = fed.rebound.as_ref();
            Ok(Output {
                text: format!(
                    "scenario '{}' now takes its direct rebound from risk {risk}: {} ({})\n",
                    fed.name,
                    rebound
                        .and_then(|r| r.direct.as_ref())
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    rebound
                        .map(|r| r.direct_source.as_str())
                        .unwrap_or_default()
                ),
                json: serde_json::to_value(&fed)?,
                failed: false,
            })
        }
        RiskCommand::Summary => {
            let reader = keyboard.reader(project)?;
            let summary = service::risk_summary(project, reader)?;
            let mut text = format!(
                "{} risk(s) on {} record(s)\n",
                summary.risks, summary.records
            );
            for (title, rows) in [
                ("By effect", &summary.by_effect),
                ("By direction", &summary.by_direction),
                ("By domain", &summary.by_domain),
            ] {
                writeln!(text, "{title}:")?;
                for (code, n) in rows {
                    writeln!(text, "  {code:<28} {n}")?;
                }
            }
            Ok(Output {
                json: serde_json::to_value(&summary)?,
                text,
                failed: false,
            })
        }
        RiskCommand::Root {
            record: reference,
            solution,
            scale,
        } => {
            let who = keyboard.author(project, "setting a tree's root")?;
            let id = find(project, &reference)?;
            let root = ConsequenceRoot {
                solution,
                scale: term::<AssessmentScale>("scale", scale.as_deref())?,
            };
            service::set_root(project, who, id, &root)?;
            let name = project.reviewer(who)?.name;
            Ok(Output {
                text: format!("record {id}: root of {name}'s tree: {}\n", root.label()),
                json: serde_json::to_value(&root)?,
                failed: false,
            })
        }
        RiskCommand::Tree {
            record: reference,
            svg,
            json_out,
        } => {
            let reader = keyboard.reader(project)?;
            let id = find(project, &reference)?;
            let tree = service::tree(project, reader, id)?;
            let mut text = String::new();
            writeln!(text, "{}", tree.root.label())?;
            outline(&mut text, &tree.children, 1)?;
            for (path, format) in [(&svg, TreeFormat::Svg), (&json_out, TreeFormat::Json)] {
                if let Some(path) = path {
                    service::write_tree(project, reader, id, path, format)?;
                    let kind = if format == TreeFormat::Svg {
                        "SVG"
                    } else {
                        "JSON"
                    };
                    writeln!(text, "{kind} written to {}", path.display())?;
                }
            }
            Ok(Output {
                json: serde_json::to_value(&tree)?,
                text,
                failed: false,
            })
        }
    }
}

fn outline(
    text: &mut String,
    nodes: &[ecolens_core::consequence::TreeNode],
    depth: usize,
) -> Result<()> {
    for node in nodes {
        let edge = node
            .edge_resource
            .map(|r| format!("--{r}--> "))
            .unwrap_or_default();
        writeln!(
            text,
            "{}{edge}[{}] {} {}{}",
            "  ".repeat(depth),
            node.order,
            node.effect,
            node.direction.unwrap_or("direction not rated"),
            if node.mechanism.is_empty() {
                String::new()
            } else {
                format!(": {}", node.mechanism)
            }
        )?;
        outline(text, &node.children, depth + 1)?;
    }
    Ok(())
}

/// `ecolens agreement [--stage S]`.
pub fn agreement(
    project: &Project,
    keyboard: &Keyboard<'_>,
    stage: Option<&str>,
) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let scopes = service::agreement(project, reader, stage)?;
    let mut text = String::new();
    for scope in &scopes {
        agreement_text(&mut text, scope)?;
    }
    Ok(Output {
        json: json!({ "scopes": scopes }),
        text,
        failed: false,
    })
}

fn agreement_text(text: &mut String, scope: &ScopeAgreement) -> Result<()> {
    let kappa = |k: Option<f64>| k.map_or_else(|| "n/a".to_owned(), |k| format!("{k:.3}"));
    writeln!(
        text,
        "{} ({} items with two or more ratings; categories {})",
        scope.scope,
        scope.items_compared,
        scope.categories.join("/")
    )?;
    if scope.pairs.is_empty() {
        writeln!(text, "  no two reviewers rated the same item")?;
    }
    for pair in &scope.pairs {
        write!(
            text,
            "  {} × {}: {} items, agreement {}, Cohen's κ {}",
            pair.first,
            pair.second,
            pair.items,
            pair.percent
                .map_or_else(|| "n/a".to_owned(), |p| format!("{:.1} %", p * 100.0)),
            kappa(pair.kappa)
        )?;
        if scope.ordered {
            write!(
                text,
                ", linear κ {}, quadratic κ {}",
                kappa(pair.kappa_linear),
                kappa(pair.kappa_quadratic)
            )?;
        }
        writeln!(text)?;
    }
    if let Some(fleiss) = &scope.fleiss {
        writeln!(
            text,
            "  Fleiss' κ ({} reviewers, {} ratings per item, {} items): {}",
            fleiss.reviewers,
            fleiss.raters_per_item,
            fleiss.items,
            kappa(fleiss.kappa)
        )?;
    }
    if scope.items_compared > 0 {
        writeln!(
            text,
            "  All reviewers, {} items with two or more ratings: Krippendorff's α ({}) {}, Gwet's {} {}",
            scope.items_compared,
            if scope.ordered { "ordinal" } else { "nominal" },
            kappa(scope.krippendorff_alpha),
            if scope.ordered {
                "AC2 (ordinal weights)"
            } else {
                "AC1"
            },
            kappa(scope.gwet_ac)
        )?;
    }
    Ok(())
}

/// `ecolens conflicts`.
pub fn conflicts(project: &Project, keyboard: &Keyboard<'_>) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let conflicts = service::conflicts(project, reader)?;
    let mut text = String::new();
    let open = conflicts.iter().filter(|c| c.resolution.is_none()).count();
    writeln!(
        text,
        "{} conflict(s), {open} open, {} resolved",
        conflicts.len(),
        conflicts.len() - open
    )?;
    for conflict in &conflicts {
        let positions: Vec<String> = conflict
            .positions
            .iter()
            .map(|p| format!("{}: {}", p.reviewer_name, p.text))
            .collect();
        writeln!(
            text,
            "record {:<6} {:<22} {}  [{}]",
            conflict.record.0,
            conflict.subject.code(),
            positions.join("; "),
            conflict.resolution.as_ref().map_or_else(
                || "open".to_owned(),
                |r| format!("resolved: {}", r.value.summary())
            )
        )?;
        writeln!(text, "       {}", shown_title(&conflict.title))?;
    }
    Ok(Output {
        json: json!({ "conflicts": conflicts, "open": open }),
        text,
        failed: false,
    })
}

/// `ecolens resolve RECORD --subject S --value V --reviewer LEAD [--note N]`.
pub fn resolve(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    reference: &str,
    subject: &str,
    value: &str,
    reason: Option<String>,
    note: Option<&str>,
) -> Result<Output> {
    let lead = keyboard.author(project, "resolving a conflict")?;
    let id = find(project, reference)?;
    let subject = Subject::parse("subject", subject)?;
    let value = match &subject {
        Subject::Screening(_) => ResolvedValue::Screening(Decision::parse("value", value, reason)?),
        Subject::Classification => {
            ResolvedValue::Classification(required("value", value, "a, b, c, d, e or f")?)
        }
        Subject::Risk(_) => {
            // The final rating as field=value pairs: direction=increases_impact likelihood=likely
            let mut rating = RiskRating::default();
            for pair in value.split_whitespace() {
                let Some((field, code)) = pair.split_once('=') else {
                    return Err(Error::Invalid {
                        field: "value",
                        value: pair.to_owned(),
                        expected: "field=code pairs".into(),
                    }
                    .into());
                };
                match field {
                    "direction" => rating.direction = term("direction", Some(code))?,
                    "likelihood" => rating.likelihood = term("likelihood", Some(code))?,
                    "magnitude" => rating.magnitude = term("magnitude", Some(code))?,
                    "time_horizon" => rating.time_horizon = term("time_horizon", Some(code))?,
                    "scale" => rating.scale = term("scale", Some(code))?,
                    "confidence" => rating.confidence = term("confidence", Some(code))?,
                    other => {
                        return Err(Error::Invalid {
                            field: "value",
                            value: other.to_owned(),
                            expected: "a rating field: direction, likelihood, magnitude, time_horizon, scale or confidence".into(),
                        }
                        .into());
                    }
                }
            }
            ResolvedValue::Risk(rating)
        }
    };
    let resolution = service::resolve(project, lead, id, &subject, &value, note)?;
    let name = project.reviewer(lead)?.name;
    Ok(Output {
        text: format!(
            "record {id}: {} resolved by {name}: {}\n",
            subject.label(),
            resolution.value.summary()
        ),
        json: serde_json::to_value(&resolution)?,
        failed: false,
    })
}

/// `ecolens review RECORD --reviewer NAME`: a record's review as the reviewer may see it.
pub fn review(project: &Project, keyboard: &Keyboard<'_>, reference: &str) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let id = find(project, reference)?;
    let view = service::record_review(project, reader, id)?;
    let review = &view.review;
    let mut text = format!("record {id}: {}\n", shown_title(&view.title));
    for vote in &review.votes {
        writeln!(
            text,
            "  vote       {:<9} {:<14} {}",
            vote.vote.stage.code(),
            view.name(vote.reviewer),
            ResolvedValue::Screening(vote.vote.decision.clone()).summary()
        )?;
    }
    for c in &review.classifications {
        writeln!(
            text,
            "  category   {:<9} {:<14} {}",
            "",
            view.name(c.reviewer),
            c.classification.category.code()
        )?;
    }
    for r in &review.risks {
        writeln!(
            text,
            "  risk {:<5} {:<9} {:<14} {}",
            r.id.0,
            r.risk.effect.code(),
            view.name(r.reviewer),
            RiskRating::of(&r.risk).summary()
        )?;
    }
    for r in &review.resolutions {
        writeln!(
            text,
            "  resolved   {:<9} {:<14} {}",
            r.subject.code(),
            view.name(r.resolved_by),
            r.value.summary()
        )?;
    }
    if let Some(outcome) = &view.outcome {
        writeln!(
            text,
            "  outcome    tiab: {}; full text: {}",
            outcome.tiab.label(),
            outcome.fulltext.label()
        )?;
    }
    if review.hidden > 0 {
        writeln!(
            text,
            "  {} item(s) of other reviewers hidden by blind mode",
            review.hidden
        )?;
    }
    Ok(Output {
        json: json!({ "record": id, "title": view.title, "review": review, "outcome": view.outcome }),
        text,
        failed: false,
    })
}

/// `ecolens bundle export|import`.
pub fn bundle(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    command: BundleCommand,
) -> Result<Output> {
    match command {
        BundleCommand::Export { out } => {
            let reader = keyboard.reader(project)?;
            let written = bundles::export(project, reader, &out)?;
            Ok(Output {
                text: format!(
                    "{}'s bundle written to {}: {} votes, {} classifications, {} risks, {} labels, {} paper audits on {} records\n",
                    written.reviewer,
                    out.display(),
                    written.votes,
                    written.classifications,
                    written.risks,
                    written.labels,
                    written.paper_audits,
                    written.records
                ),
                json: serde_json::to_value(&written)?,
                failed: false,
            })
        }
        BundleCommand::Import { file } => {
            let report = bundles::import(project, &file)?;
            let mut text = format!("{}\n", report.summary());
            for c in &report.conflicts {
                writeln!(
                    text,
                    "  conflict  {} {}: project has {}, bundle has {} (kept the project's: {})",
                    c.record, c.item, c.in_project, c.in_bundle, c.kept_because
                )?;
            }
            for r in &report.unmatched {
                writeln!(text, "  not found {r}")?;
            }
            Ok(Output {
                json: serde_json::to_value(&report)?,
                text,
                failed: false,
            })
        }
    }
}

/// `ecolens prisma [--svg OUT]`.
pub fn prisma(project: &Project, keyboard: &Keyboard<'_>, svg: Option<&Path>) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let counts = match svg {
        Some(path) => service::write_prisma(project, reader, path)?,
        None => service::prisma(project, reader)?,
    };
    let mut text = String::new();
    let mut phase = "";
    for row in counts.flow() {
        if row.phase != phase {
            writeln!(text, "{}", row.phase)?;
            phase = row.phase;
        }
        for line in &row.left {
            writeln!(text, "  {line}")?;
        }
        for line in &row.right {
            writeln!(text, "      {line}")?;
        }
    }
    if let Some(path) = svg {
        writeln!(text, "diagram written to {}", path.display())?;
    }
    let methods = crate::service::screening::methods(project, reader)?;
    writeln!(text, "\nMethods (screening): {methods}")?;
    let mut json = serde_json::to_value(&counts)?;
    if let Some(object) = json.as_object_mut() {
        object.insert("methods".to_owned(), methods.into());
    }
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens undo --reviewer NAME`.
pub fn undo(project: &mut Project, keyboard: &Keyboard<'_>) -> Result<Output> {
    let who = keyboard.author(project, "undoing a change")?;
    let outcome = service::undo(project, who)?;
    let name = project.reviewer(who)?.name;
    Ok(Output {
        text: format!(
            "undid {name}'s {} of {} ({})\n",
            outcome.undone.action.code(),
            outcome.undone.entity_key,
            outcome.undone.at
        ),
        json: serde_json::to_value(&outcome)?,
        failed: false,
    })
}

/// `ecolens audit [--by NAME] [--record R] [--limit N]`.
pub fn audit(
    project: &Project,
    keyboard: &Keyboard<'_>,
    by: Option<&str>,
    reference: Option<&str>,
    limit: u64,
) -> Result<Output> {
    let reader = keyboard.reader(project)?;
    let filter = AuditFilter {
        reviewer: by
            .map(|name| crate::service::project::reviewer_named(project, name))
            .transpose()?
            .map(|r| r.id),
        record: reference.map(|r| find(project, r)).transpose()?,
        limit: Some(limit),
    };
    let entries = service::audit(project, reader, filter)?;
    let mut text = String::new();
    for e in &entries {
        writeln!(
            text,
            "#{:<5} {} {:<12} {:<7} {:<16} {}{}{}",
            e.id.0,
            e.at,
            e.reviewer_name.as_deref().unwrap_or("-"),
            e.action.code(),
            e.entity.code(),
            e.entity_key,
            if e.hidden {
                "  (what was changed is hidden by blind mode)"
            } else {
                ""
            },
            if e.undone_by.is_some() {
                "  (undone)"
            } else {
                ""
            }
        )?;
    }
    Ok(Output {
        json: json!({ "entries": entries }),
        text,
        failed: false,
    })
}

/// `ecolens simulate`: replayed runs of the screening model, one line per seed and the
/// medians.
pub fn simulate(
    request: &crate::service::screening::SimulateRequest,
    asreview_python: Option<&str>,
    plot: Option<&Path>,
) -> Result<Output> {
    use crate::service::screening::{RECALLS, compare_asreview, median, recall_svg, simulate};
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let report = simulate(request, &cancel)?;
    let mut text = String::new();
    writeln!(
        text,
        "Simulated screening of {}: {} records, {} includes; features: {} terms in {:.0} ms",
        report.file.display(),
        report.records,
        report.includes,
        report.terms,
        report.features_ms
    )?;
    writeln!(
        text,
        "Model: {}; {}; priors: {} include(s) and {} exclude(s) drawn per seed",
        ecolens_corpus::rank::describe(
            &ecolens_corpus::rank::ModelOptions::default(),
            &ecolens_corpus::rank::FeatureOptions::default()
        ),
        report.strategy,
        request.prior_included,
        request.prior_excluded
    )?;
    writeln!(
        text,
        "Counted after the priors. Stopping rule: {:.0} % recall with {:.0} % confidence (Callaghan & Müller-Hansen 2020).",
        report.rule.target_recall * 100.0,
        report.rule.confidence * 100.0
    )?;
    writeln!(
        text,
        "\n{:>6}  {:>7} {:>7} {:>7} {:>7}  {:>6}  {:>19}  {:>9}",
        "seed", "80 %", "90 %", "95 %", "100 %", "WSS@95", "rule stops (recall)", "time"
    )?;
    let count = |n: Option<usize>| n.map_or_else(|| "–".to_owned(), |n| n.to_string());
    for run in &report.runs {
        let stop = match (run.stopped_after, run.recall_at_stop) {
            (Some(after), Some(recall)) => format!("{after} ({:.1} %)", recall * 100.0),
            _ => "never".to_owned(),
        };
        writeln!(
            text,
            "{:>6}  {:>7} {:>7} {:>7} {:>7}  {:>6}  {:>19}  {:>6.0} ms",
            run.seed,
            count(run.screened_to_recall[0]),
            count(run.screened_to_recall[1]),
            count(run.screened_to_recall[2]),
            count(run.screened_to_recall[3]),
            run.wss_95
                .map_or_else(|| "–".to_owned(), |w| format!("{w:.3}")),
            stop,
            run.elapsed_ms
        )?;
    }
    #[allow(clippy::cast_precision_loss)] // Record counts.
    let medians: Vec<Option<f64>> = (0..RECALLS.len())
        .map(|i| {
            let mut values: Vec<f64> = report
                .runs
                .iter()
                .filter_map(|r| r.screened_to_recall[i].map(|n| n as f64))
                .collect();
            median(&mut values)
        })
        .collect();
    let mut wss: Vec<f64> = report.runs.iter().filter_map(|r| r.wss_95).collect();
    let mut times: Vec<f64> = report.runs.iter().map(|r| r.elapsed_ms).collect();
    let shown = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    writeln!(
        text,
        "{:>6}  {:>7} {:>7} {:>7} {:>7}  {:>6}  {:>19}  {:>6.0} ms",
        "median",
        shown(medians[0]),
        shown(medians[1]),
        shown(medians[2]),
        shown(medians[3]),
        median(&mut wss).map_or_else(|| "–".to_owned(), |w| format!("{w:.3}")),
        "",
        median(&mut times).unwrap_or(0.0)
    )?;
    let rule = &report.stopping;
    writeln!(
        text,
        "\nThe stopping rule stopped in {} of {} run(s), at ≥ {:.0} % recall in {} of them ({} before the last include), after a median of {} of the {} records.",
        rule.stopped,
        report.runs.len(),
        report.rule.target_recall * 100.0,
        rule.at_target,
        rule.before_last_include,
        rule.median_stop
            .map_or_else(|| "–".to_owned(), |m| format!("{m:.1}")),
        rule.records,
    )?;
    if let Some(footprint) = &report.footprint {
        writeln!(
            text,
            "This simulation's own footprint: {}.",
            crate::service::screening::footprint_words(report.cpu_seconds, footprint)
        )?;
    }
    let mut json = serde_json::to_value(&report)?;
    let mut peer_hits: Vec<(String, Vec<Vec<bool>>)> = Vec::new();
    if let Some(python) = asreview_python {
        let peers = compare_asreview(request, &report, python)?;
        peer_hits.push((
            "ASReview LAB".to_owned(),
            peers.iter().map(|p| p.hits.clone()).collect(),
        ));
        writeln!(
            text,
            "\nASReview LAB (its default model, ELAS u4) on the same records, priors and seeds, counted the same way:"
        )?;
        writeln!(
            text,
            "{:>6}  {:>15} {:>15} {:>15} {:>15}  {:>17}",
            "seed", "80 % ecolens|AR", "90 %", "95 %", "100 %", "time ecolens|AR"
        )?;
        for (ours, theirs) in report.runs.iter().zip(&peers) {
            let pair = |i: usize| {
                format!(
                    "{}|{}",
                    count(ours.screened_to_recall[i]),
                    count(theirs.screened_to_recall[i])
                )
            };
            writeln!(
                text,
                "{:>6}  {:>15} {:>15} {:>15} {:>15}  {:>17}",
                ours.seed,
                pair(0),
                pair(1),
                pair(2),
                pair(3),
                format!("{:.0}|{:.0} ms", ours.elapsed_ms, theirs.elapsed_ms)
            )?;
        }
        #[allow(clippy::cast_precision_loss)] // Record counts.
        let mut theirs_95: Vec<f64> = peers
            .iter()
            .filter_map(|p| p.screened_to_recall[2].map(|n| n as f64))
            .collect();
        let mut their_times: Vec<f64> = peers.iter().map(|p| p.elapsed_ms).collect();
        let no_more = report
            .runs
            .iter()
            .zip(&peers)
            .filter(
                |(o, t)| match (o.screened_to_recall[2], t.screened_to_recall[2]) {
                    (Some(o), Some(t)) => o <= t,
                    _ => false,
                },
            )
            .count();
        writeln!(
            text,
            "median to 95 %: ecolens {}, ASReview {}; ecolens needed no more records in {} of {} run(s); median time {:.0} ms against {:.0} ms (ASReview's includes starting Python)",
            shown(medians[2]),
            shown(median(&mut theirs_95)),
            no_more,
            peers.len(),
            median(&mut report.runs.iter().map(|r| r.elapsed_ms).collect::<Vec<_>>())
                .unwrap_or(0.0),
            median(&mut their_times).unwrap_or(0.0)
        )?;
        if let Some(object) = json.as_object_mut() {
            object.insert("asreview".to_owned(), serde_json::to_value(&peers)?);
        }
    }
    if let Some(path) = plot {
        crate::service::write_text(path, &recall_svg(&report, &peer_hits))?;
        writeln!(text, "\nrecall curves written to {}", path.display())?;
    }
    Ok(Output {
        json,
        text,
        failed: false,
    })
}
