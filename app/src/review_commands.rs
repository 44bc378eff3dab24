//! Headless review commands: reviewers, blind mode and the screening rule, screening,
//! classification, the risk register and consequence trees, agreement, conflicts and their
//! resolution, decision bundles, PRISMA, the audit log and undo. Each returns what it prints in
//! both forms; the rules live in `ecolens-core`.

// clap shows these doc comments as --help text, where backticks would print as they are.
#![allow(clippy::doc_markdown)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::consequence::ConsequenceRoot;
use ecolens_core::store::AuditFilter;
use ecolens_core::{
    Classification, Decision, Error as CoreError, EvidenceQuote, Project, QuoteField, ReboundRisk,
    RecordId, ResolvedValue, Reviewer, RiskId, RiskRating, ScreeningRule, ScreeningVote, Stage,
    Subject,
};
use ecolens_taxonomy::{
    AssessmentScale, Confidence, Criterion, Direction, EffectCode, EvalCategory, EvidenceType,
    Likelihood, Magnitude, MechanismResource, ReductionType, Term, Tier, TimeHorizon,
};
use serde_json::json;

use crate::cli::Output;

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
        /// Who records it.
        #[arg(long)]
        reviewer: String,
        /// The rating.
        #[command(flatten)]
        flags: Box<RiskFlags>,
    },
    /// List the risks you may see (a record's, or all).
    List {
        /// Only this record.
        record: Option<String>,
        /// Who is looking (blind mode shows only their own).
        #[arg(long)]
        reviewer: String,
    },
    /// Counts of the register by effect, direction and Rolnick domain.
    Summary {
        /// Who is looking.
        #[arg(long)]
        reviewer: String,
    },
    /// Set the root of your consequence tree for a record ("deploy X at scale S").
    Root {
        /// The record.
        record: String,
        /// Who.
        #[arg(long)]
        reviewer: String,
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
        /// Who is looking.
        #[arg(long)]
        reviewer: String,
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
    /// Write one reviewer's work to a bundle file for the lead's project.
    Export {
        /// Whose work.
        #[arg(long)]
        reviewer: String,
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

/// The reviewer of that name, or an error that lists who there is.
pub fn reviewer(project: &Project, name: &str) -> Result<Reviewer> {
    project.reviewer_by_name(name).map_err(|error| match error {
        CoreError::NotFound { .. } => {
            let known: Vec<String> = project
                .reviewers()
                .unwrap_or_default()
                .into_iter()
                .map(|r| r.name)
                .collect();
            anyhow::anyhow!(
                "reviewer {name:?} is not in this project (reviewers: {}); add them with `ecolens reviewer add NAME`",
                if known.is_empty() {
                    "none yet".to_owned()
                } else {
                    known.join(", ")
                }
            )
        }
        other => other.into(),
    })
}

pub(crate) fn record(project: &Project, reference: &str) -> Result<RecordId> {
    Ok(project.resolve_record(reference)?)
}

fn term<T: Term>(field: &str, value: Option<&str>) -> Result<Option<T>> {
    value
        .map(|code| T::from_code(code).map_err(|e| CoreError::unknown_code(field, &e).into()))
        .transpose()
}

/// `ecolens reviewer add|list`.
pub fn reviewer_command(project: &mut Project, command: ReviewerCommand) -> Result<Output> {
    match command {
        ReviewerCommand::Add { name, lead } => {
            let added = project.add_reviewer(&name, lead)?;
            let role = if added.is_lead { "lead" } else { "reviewer" };
            Ok(Output {
                text: format!("added {role} {} (#{})\n", added.name, added.id),
                json: serde_json::to_value(&added)?,
            })
        }
        ReviewerCommand::List => {
            let reviewers = project.reviewers()?;
            let settings = project.review_settings()?;
            let mut text = String::new();
            for r in &reviewers {
                writeln!(
                    text,
                    "#{:<3} {}{}",
                    r.id.0,
                    r.name,
                    if r.is_lead { "  (lead)" } else { "" }
                )?;
            }
            if reviewers.is_empty() {
                writeln!(text, "no reviewers yet: ecolens reviewer add NAME [--lead]")?;
            }
            writeln!(
                text,
                "blind mode {}; screening rule: {}",
                if settings.blind { "on" } else { "off" },
                settings.rule.label()
            )?;
            Ok(Output {
                json: json!({ "reviewers": reviewers, "settings": settings }),
                text,
            })
        }
    }
}

/// `ecolens blind on|off --reviewer LEAD`.
pub fn blind(project: &mut Project, state: &str, lead: &str) -> Result<Output> {
    let on = match state {
        "on" => true,
        "off" => false,
        other => bail!("blind: {other:?} is not valid: expected on or off"),
    };
    let lead = reviewer(project, lead)?;
    let settings = project.set_blind(lead.id, on)?;
    Ok(Output {
        text: format!(
            "blind mode {} (by {})\n",
            if settings.blind { "on" } else { "off" },
            lead.name
        ),
        json: serde_json::to_value(settings)?,
    })
}

/// `ecolens rule one|two --reviewer LEAD`.
pub fn rule(project: &mut Project, rule: &str, lead: &str) -> Result<Output> {
    let rule = ScreeningRule::parse("rule", rule)?;
    let lead = reviewer(project, lead)?;
    let settings = project.set_screening_rule(lead.id, rule)?;
    Ok(Output {
        text: format!("screening rule: {}\n", settings.rule.label()),
        json: serde_json::to_value(settings)?,
    })
}

/// `ecolens screen RECORD --stage S --decision D [--reason R] [--note N] --reviewer NAME`.
pub fn screen(
    project: &mut Project,
    reference: &str,
    stage: &str,
    decision: &str,
    reason: Option<String>,
    note: Option<String>,
    name: &str,
) -> Result<Output> {
    let who = reviewer(project, name)?;
    let id = record(project, reference)?;
    let vote = ScreeningVote {
        stage: Stage::parse("stage", stage)?,
        decision: Decision::parse("decision", decision, reason)?,
        note,
    };
    let stored = project.set_screening(id, who.id, &vote)?;
    let outcome = project.outcome(id)?;
    let at = match vote.stage {
        Stage::TitleAbstract => &outcome.tiab,
        Stage::FullText => &outcome.fulltext,
    };
    let shown = if project.review_settings()?.blind {
        "hidden while blind".to_owned()
    } else {
        at.label()
    };
    Ok(Output {
        text: format!(
            "record {id}: {} voted {} at {}; stage outcome: {shown}\n",
            who.name,
            ResolvedValue::Screening(stored.vote.decision.clone()).summary(),
            vote.stage
        ),
        json: json!({ "vote": stored, "outcome": shown }),
    })
}

/// Finds which field of the record a quote comes from.
fn locate_quote(project: &Project, id: RecordId, quote: &str) -> Result<EvidenceQuote> {
    let stored = project.record(id)?.record;
    let full = project.full_text(id)?.map(|f| f.text);
    for (field, text) in [
        (QuoteField::Abstract, stored.abstract_text.clone()),
        (QuoteField::FullText, full),
        (QuoteField::Title, Some(stored.title.clone())),
    ] {
        let candidate = EvidenceQuote::new(field, quote);
        if candidate.validate("evidence", text.as_deref()).is_ok() && text.is_some() {
            return Ok(candidate);
        }
    }
    bail!(
        "evidence: {quote:?} is not a passage of record {id}'s title, abstract or full text; quote the text as it stands"
    )
}

/// `ecolens classify RECORD --category X --reviewer NAME [...]`.
pub fn classify(
    project: &mut Project,
    reference: &str,
    category: &str,
    name: &str,
    rationale: Option<String>,
    evidence: &[String],
    confidence: Option<&str>,
) -> Result<Output> {
    let who = reviewer(project, name)?;
    let id = record(project, reference)?;
    let category: EvalCategory =
        term("category", Some(category))?.context("category: expected one of a, b, c, d, e, f")?;
    let mut classification = Classification::new(category);
    classification.rationale = rationale;
    classification.confidence = term::<Confidence>("confidence", confidence)?;
    for quote in evidence {
        classification
            .evidence
            .push(locate_quote(project, id, quote)?);
    }
    let stored = project.set_classification(id, who.id, &classification)?;
    Ok(Output {
        text: format!(
            "record {id}: {} classified it {} ({}){}\n",
            who.name,
            category.code(),
            category.name(),
            if stored.classification.evidence.is_empty() {
                String::new()
            } else {
                format!(" with {} quote(s)", stored.classification.evidence.len())
            }
        ),
        json: serde_json::to_value(&stored)?,
    })
}

/// Builds a risk from flags.
fn risk_from(
    project: &Project,
    id: RecordId,
    effect: &str,
    flags: &RiskFlags,
) -> Result<ReboundRisk> {
    let effect: EffectCode = term("effect", Some(effect))?.context("effect: expected a code")?;
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
        risk.evidence.push(locate_quote(project, id, quote)?);
    }
    risk.parent = flags.parent.map(RiskId);
    Ok(risk)
}

/// `ecolens risk …`.
pub fn risk_command(project: &mut Project, command: RiskCommand) -> Result<Output> {
    match command {
        RiskCommand::Add {
            record: reference,
            effect,
            reviewer: name,
            flags,
        } => {
            let who = reviewer(project, &name)?;
            let id = record(project, &reference)?;
            let risk = risk_from(project, id, &effect, &flags)?;
            let stored = project.add_risk(id, who.id, &risk)?;
            Ok(Output {
                text: format!(
                    "risk {} on record {id}: {} ({}) {}\n",
                    stored.id,
                    stored.risk.effect.code(),
                    stored.risk.effect.name(),
                    RiskRating::of(&stored.risk).summary()
                ),
                json: serde_json::to_value(&stored)?,
            })
        }
        RiskCommand::List {
            record: reference,
            reviewer: name,
        } => {
            let who = reviewer(project, &name)?;
            let ids: Vec<RecordId> = match reference {
                Some(reference) => vec![record(project, &reference)?],
                None => project.records_with_risks()?,
            };
            let mut risks = Vec::new();
            // Blind mode hides other reviewers' risks: say how many.
            let mut hidden = 0;
            for id in ids {
                let visible = project.record_review(id, who.id)?.risks;
                hidden += project.risks(id)?.len() - visible.len();
                risks.extend(visible);
            }
            let mut text = String::new();
            for r in &risks {
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
            if risks.is_empty() {
                writeln!(text, "no risks to show")?;
            }
            if hidden > 0 {
                writeln!(
                    text,
                    "{hidden} risk(s) of other reviewers hidden by blind mode"
                )?;
            }
            Ok(Output {
                json: json!({ "risks": risks, "hidden": hidden }),
                text,
            })
        }
        RiskCommand::Summary { reviewer: name } => {
            let who = reviewer(project, &name)?;
            let summary = project.risk_summary(who.id)?;
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
            })
        }
        RiskCommand::Root {
            record: reference,
            reviewer: name,
            solution,
            scale,
        } => {
            let who = reviewer(project, &name)?;
            let id = record(project, &reference)?;
            let root = ConsequenceRoot {
                solution,
                scale: term::<AssessmentScale>("scale", scale.as_deref())?,
            };
            project.set_consequence_root(id, who.id, &root)?;
            Ok(Output {
                text: format!(
                    "record {id}: root of {}'s tree: {}\n",
                    who.name,
                    root.label()
                ),
                json: serde_json::to_value(&root)?,
            })
        }
        RiskCommand::Tree {
            record: reference,
            reviewer: name,
            svg,
            json_out,
        } => {
            let who = reviewer(project, &name)?;
            let id = record(project, &reference)?;
            let tree = project.consequence_tree(id, who.id)?;
            let mut text = String::new();
            writeln!(text, "{}", tree.root.label())?;
            outline(&mut text, &tree.children, 1)?;
            if let Some(path) = &svg {
                write_file(path, &tree.svg())?;
                writeln!(text, "SVG written to {}", path.display())?;
            }
            if let Some(path) = &json_out {
                write_file(path, &tree.json())?;
                writeln!(text, "JSON written to {}", path.display())?;
            }
            Ok(Output {
                json: serde_json::to_value(&tree)?,
                text,
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

/// Writes a text file the way exports are written (complete, or not at all).
pub fn write_file(path: &Path, content: &str) -> Result<()> {
    ecolens_corpus::export::write_atomically(path, |out| {
        out.write_all(content.as_bytes())
            .map_err(|source| ecolens_corpus::Error::Io {
                action: "cannot write",
                path: path.to_owned(),
                source,
            })
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

/// `ecolens agreement [--stage S]`.
pub fn agreement(project: &Project, stage: Option<&str>) -> Result<Output> {
    let scopes = project.agreement(stage)?;
    let mut text = String::new();
    for scope in &scopes {
        agreement_text(&mut text, scope)?;
    }
    Ok(Output {
        json: json!({ "scopes": scopes }),
        text,
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
    Ok(())
}

/// `ecolens conflicts`.
pub fn conflicts(project: &Project) -> Result<Output> {
    let conflicts = project.conflicts()?;
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
        writeln!(text, "       {}", conflict.title)?;
    }
    Ok(Output {
        json: json!({ "conflicts": conflicts, "open": open }),
        text,
    })
}

/// `ecolens resolve RECORD --subject S --value V --reviewer LEAD [--note N]`.
pub fn resolve(
    project: &mut Project,
    reference: &str,
    subject: &str,
    value: &str,
    reason: Option<String>,
    name: &str,
    note: Option<&str>,
) -> Result<Output> {
    let lead = reviewer(project, name)?;
    let id = record(project, reference)?;
    let subject = Subject::parse("subject", subject)?;
    let value = match &subject {
        Subject::Screening(_) => ResolvedValue::Screening(Decision::parse("value", value, reason)?),
        Subject::Classification => ResolvedValue::Classification(
            term::<EvalCategory>("value", Some(value))?.context("value: expected a–f")?,
        ),
        Subject::Risk(_) => {
            // The final rating as field=value pairs: direction=increases_impact likelihood=likely
            let mut rating = RiskRating::default();
            for pair in value.split_whitespace() {
                let (field, code) = pair
                    .split_once('=')
                    .with_context(|| format!("value: {pair:?} is not field=code"))?;
                match field {
                    "direction" => rating.direction = term("direction", Some(code))?,
                    "likelihood" => rating.likelihood = term("likelihood", Some(code))?,
                    "magnitude" => rating.magnitude = term("magnitude", Some(code))?,
                    "time_horizon" => rating.time_horizon = term("time_horizon", Some(code))?,
                    "scale" => rating.scale = term("scale", Some(code))?,
                    "confidence" => rating.confidence = term("confidence", Some(code))?,
                    other => bail!(
                        "value: {other:?} is not a rating field: expected direction, likelihood, magnitude, time_horizon, scale or confidence"
                    ),
                }
            }
            ResolvedValue::Risk(rating)
        }
    };
    let resolution = project.resolve(lead.id, id, &subject, &value, note)?;
    Ok(Output {
        text: format!(
            "record {id}: {} resolved by {}: {}\n",
            subject.label(),
            lead.name,
            resolution.value.summary()
        ),
        json: serde_json::to_value(&resolution)?,
    })
}

/// `ecolens review RECORD --reviewer NAME`: a record's review as the reviewer may see it.
pub fn review(project: &Project, reference: &str, name: &str) -> Result<Output> {
    let who = reviewer(project, name)?;
    let id = record(project, reference)?;
    let stored = project.record(id)?;
    let review = project.record_review(id, who.id)?;
    let blind = project.review_settings()?.blind;
    let outcome = (!blind).then(|| project.outcome(id)).transpose()?;
    let mut text = format!("record {id}: {}\n", stored.record.title);
    let names: std::collections::HashMap<_, _> = project
        .reviewers()?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let name_of = |id| names.get(&id).cloned().unwrap_or_default();
    for vote in &review.votes {
        writeln!(
            text,
            "  vote       {:<9} {:<14} {}",
            vote.vote.stage.code(),
            name_of(vote.reviewer),
            ResolvedValue::Screening(vote.vote.decision.clone()).summary()
        )?;
    }
    for c in &review.classifications {
        writeln!(
            text,
            "  category   {:<9} {:<14} {}",
            "",
            name_of(c.reviewer),
            c.classification.category.code()
        )?;
    }
    for r in &review.risks {
        writeln!(
            text,
            "  risk {:<5} {:<9} {:<14} {}",
            r.id.0,
            r.risk.effect.code(),
            name_of(r.reviewer),
            RiskRating::of(&r.risk).summary()
        )?;
    }
    for r in &review.resolutions {
        writeln!(
            text,
            "  resolved   {:<9} {:<14} {}",
            r.subject.code(),
            name_of(r.resolved_by),
            r.value.summary()
        )?;
    }
    if let Some(outcome) = &outcome {
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
        json: json!({ "record": id, "title": stored.record.title, "review": review, "outcome": outcome }),
        text,
    })
}

/// `ecolens bundle export|import`.
pub fn bundle_command(project: &mut Project, command: BundleCommand) -> Result<Output> {
    match command {
        BundleCommand::Export {
            reviewer: name,
            out,
        } => {
            let who = reviewer(project, &name)?;
            let bundle = project.export_bundle(who.id)?;
            let text = serde_json::to_string_pretty(&bundle)?;
            write_file(&out, &text)?;
            let summary = json!({
                "file": out, "reviewer": who.name, "records": bundle.records.len(),
                "votes": bundle.votes.len(), "classifications": bundle.classifications.len(),
                "risks": bundle.risks.len(), "labels": bundle.labels.len(),
                "roots": bundle.roots.len(), "audit_entries": bundle.audit.len(),
            });
            Ok(Output {
                text: format!(
                    "{}'s bundle written to {}: {} votes, {} classifications, {} risks, {} labels on {} records\n",
                    who.name,
                    out.display(),
                    bundle.votes.len(),
                    bundle.classifications.len(),
                    bundle.risks.len(),
                    bundle.labels.len(),
                    bundle.records.len()
                ),
                json: summary,
            })
        }
        BundleCommand::Import { file } => {
            let content = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let report = project.import_bundle(&file, &content)?;
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
            })
        }
    }
}

/// `ecolens prisma [--svg OUT]`.
pub fn prisma(project: &Project, svg: Option<&Path>) -> Result<Output> {
    let counts = project.prisma()?;
    if let Err(broken) = counts.check() {
        bail!("PRISMA counts do not add up ({broken}); please report this");
    }
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
        let title = project.path().file_stem().map_or_else(
            || "ecolens review".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        write_file(path, &counts.svg(&title))?;
        writeln!(text, "diagram written to {}", path.display())?;
    }
    Ok(Output {
        json: serde_json::to_value(&counts)?,
        text,
    })
}

/// `ecolens undo --reviewer NAME`.
pub fn undo(project: &mut Project, name: &str) -> Result<Output> {
    let who = reviewer(project, name)?;
    let outcome = project.undo_last(who.id)?;
    Ok(Output {
        text: format!(
            "undid {}'s {} of {} ({})\n",
            who.name,
            outcome.undone.action.code(),
            outcome.undone.entity_key,
            outcome.undone.at
        ),
        json: serde_json::to_value(&outcome)?,
    })
}

/// `ecolens audit [--reviewer NAME] [--record R] [--limit N]`.
pub fn audit(
    project: &Project,
    name: Option<&str>,
    reference: Option<&str>,
    limit: u64,
) -> Result<Output> {
    let filter = AuditFilter {
        reviewer: name
            .map(|n| reviewer(project, n))
            .transpose()?
            .map(|r| r.id),
        record: reference.map(|r| record(project, r)).transpose()?,
        limit: Some(limit),
    };
    let entries = project.audit_log(filter)?;
    let mut text = String::new();
    for e in &entries {
        writeln!(
            text,
            "#{:<5} {} {:<12} {:<7} {:<16} {}{}",
            e.id.0,
            e.at,
            e.reviewer_name.as_deref().unwrap_or("-"),
            e.action.code(),
            e.entity.code(),
            e.entity_key,
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
    })
}
