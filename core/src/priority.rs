//! How a reviewer's screening queue is ordered: by the screening model with a query strategy
//! (the default: most relevant first) or in import order, the seed of its random draws, and the
//! stopping rule's settings. Settings of the project, changed by a lead and audited.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::stopping::StoppingRule;

/// How the next records are chosen once the model can rank them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum Strategy {
    /// The highest score first (the default: finds includes soonest).
    #[default]
    MostRelevant,
    /// The score nearest the margin first (teaches the model most per decision).
    MostUncertain,
    /// A random order (drawn from the seed): the baseline, and the draws of the stopping rule.
    Random,
    /// Mostly the highest score, and now and then (`random_percent` of the records) a random
    /// one, so that the model also sees records unlike the includes found so far.
    Mixed {
        /// Share of random picks, in percent (5 by default).
        random_percent: u8,
    },
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::MostRelevant => f.write_str("most relevant first"),
            Strategy::MostUncertain => f.write_str("most uncertain first"),
            Strategy::Random => f.write_str("random order"),
            Strategy::Mixed { random_percent } => {
                write!(f, "most relevant first, {random_percent} % at random")
            }
        }
    }
}

impl Strategy {
    /// The code used on the command line and in settings.
    pub fn code(&self) -> String {
        match self {
            Strategy::MostRelevant => "relevant".to_owned(),
            Strategy::MostUncertain => "uncertain".to_owned(),
            Strategy::Random => "random".to_owned(),
            Strategy::Mixed { random_percent } => format!("mixed:{random_percent}"),
        }
    }
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim().to_lowercase();
        match text.as_str() {
            "relevant" | "most-relevant" | "max" => return Ok(Strategy::MostRelevant),
            "uncertain" | "most-uncertain" | "uncertainty" => return Ok(Strategy::MostUncertain),
            "random" => return Ok(Strategy::Random),
            "mixed" => return Ok(Strategy::Mixed { random_percent: 5 }),
            _ => {}
        }
        if let Some(percent) = text.strip_prefix("mixed:") {
            return match percent.trim_end_matches('%').trim().parse::<u8>() {
                Ok(p) if (1..=99).contains(&p) => Ok(Strategy::Mixed { random_percent: p }),
                _ => Err(
                    "a mixed strategy's random share as a whole percent from 1 to 99, as in mixed:5"
                        .to_owned(),
                ),
            };
        }
        Err(STRATEGIES.to_owned())
    }
}

/// The strategies' codes, as an error names them.
const STRATEGIES: &str = "relevant, uncertain, random, mixed or mixed:PERCENT";

/// The order of the screening queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "order")]
pub enum QueueOrder {
    /// Ordered by the screening model, retrained after every decision.
    Model(Strategy),
    /// In the order records were imported (record id).
    Import,
}

impl Default for QueueOrder {
    fn default() -> Self {
        QueueOrder::Model(Strategy::MostRelevant)
    }
}

impl QueueOrder {
    /// The code stored and typed (`relevant`, `mixed:5`, `import` …).
    pub fn code(&self) -> String {
        match self {
            QueueOrder::Model(strategy) => strategy.code(),
            QueueOrder::Import => "import".to_owned(),
        }
    }
}

impl fmt::Display for QueueOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueOrder::Model(strategy) => strategy.fmt(f),
            QueueOrder::Import => f.write_str("import order"),
        }
    }
}

impl FromStr for QueueOrder {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text.trim().eq_ignore_ascii_case("import") {
            return Ok(QueueOrder::Import);
        }
        text.parse::<Strategy>()
            .map(QueueOrder::Model)
            .map_err(|error| {
                if error == STRATEGIES {
                    "relevant, uncertain, random, mixed, mixed:PERCENT or import".to_owned()
                } else {
                    error
                }
            })
    }
}

/// A project's settings of prioritised screening.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PrioritySettings {
    /// The queue's order.
    pub order: QueueOrder,
    /// Seed of the random order before the model can rank, and of random picks.
    pub seed: u64,
    /// The stopping rule.
    pub stopping: StoppingRule,
}

/// The Methods paragraph of a review's prioritised screening, in the spirit of the RAISE
/// recommendations (Responsible AI in Evidence Synthesis, 2024: say which tool and version,
/// what model and settings, how screening was stopped and on what evidence): the model and
/// its features (`model`, in words), the query strategy, the seed, and for each reviewer the
/// records screened and what the stopping rule said. `reviewers` holds each reviewer's name
/// and stopping test.
pub fn methods_paragraph(
    settings: &PrioritySettings,
    model: &str,
    version: &str,
    reviewers: &[(String, crate::stopping::StoppingTest)],
) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    match settings.order {
        QueueOrder::Import => {
            let _ = write!(
                text,
                "Title and abstract screening used ecolens {version} with records in the order they were imported (no prioritisation)."
            );
        }
        QueueOrder::Model(strategy) => {
            let _ = write!(
                text,
                "Title and abstract screening was prioritised with ecolens {version}. Each reviewer's records were ordered {strategy} by {model}, retrained on that reviewer's own include and exclude decisions after every decision; \"maybe\" decisions and other reviewers' decisions were not used. Until a reviewer had included and excluded at least one record, records came in a random order drawn from seed {}.",
                settings.seed
            );
        }
    }
    let _ = write!(
        text,
        " The stopping rule was the hypergeometric test of Callaghan and Müller-Hansen (2020), with a target recall of {:.0} % and a confidence of {:.0} %: screening may stop once the p-value of having missed the target falls below {:.2}.",
        settings.stopping.target_recall * 100.0,
        settings.stopping.confidence * 100.0,
        1.0 - settings.stopping.confidence
    );
    for (name, test) in reviewers {
        let _ = write!(
            text,
            " {name} screened {} of {} records and included {}",
            test.screened, test.total, test.relevant
        );
        match test.p_value {
            None => text.push('.'),
            Some(p) if test.safe_to_stop => {
                let _ = write!(text, "; p = {p:.3}, below the threshold.");
            }
            Some(p) => {
                let _ = write!(text, "; p = {p:.3}, above the threshold.");
            }
        }
    }
    text
}

/// Words and phrases a review highlights on the screening card, as Rayyan does: terms that
/// suggest inclusion in green, exclusion in red. A term ending in `*` matches any word it
/// begins (`neural*`); matching ignores case. Shared by the whole team (no judgement in it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HighlightTerms {
    /// Terms that suggest inclusion.
    pub include: Vec<String>,
    /// Terms that suggest exclusion.
    pub exclude: Vec<String>,
}

impl HighlightTerms {
    /// Terms from a list typed with commas, semicolons or line breaks between them; blanks
    /// and repeats dropped, spaces inside a phrase collapsed.
    pub fn parse_list(text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for term in text.split([',', ';', '\n']) {
            let term = term.split_whitespace().collect::<Vec<_>>().join(" ");
            if !term.is_empty() && !out.iter().any(|t| t.eq_ignore_ascii_case(&term)) {
                out.push(term);
            }
        }
        out
    }
}
