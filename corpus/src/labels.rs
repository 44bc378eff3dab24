//! Review labels other tools write into exports: Rayyan's `RAYYAN-INCLUSION: {"Emily"=>"Included"}`
//! notes, ASReview's `ASReview_relevant` notes and `label_included` columns. Reading them lets an
//! import carry earlier screening decisions; writing them lets Zotero, EndNote, Rayyan and
//! ASReview filter ecolens exports the way they filter their own.

use std::fmt;

use ecolens_core::Stage;

/// The tool whose convention a label follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelTool {
    /// Rayyan (`RAYYAN-INCLUSION` notes).
    Rayyan,
    /// ASReview LAB (`ASReview_relevant` notes, `label_included` columns).
    Asreview,
    /// ecolens' own full-text votes (`ECOLENS-FULLTEXT` notes).
    Ecolens,
}

impl fmt::Display for LabelTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rayyan => "Rayyan",
            Self::Asreview => "ASReview",
            Self::Ecolens => "ecolens",
        })
    }
}

/// A decision as other tools record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelDecision {
    /// Included / relevant.
    Include,
    /// Excluded / irrelevant.
    Exclude,
    /// Maybe.
    Maybe,
    /// Shown in the export but not screened (ASReview `not_seen`).
    NotSeen,
}

/// A review label found in an imported record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ImportedLabel {
    /// Whose convention.
    pub tool: LabelTool,
    /// The reviewer, when the tool names one (Rayyan does; ASReview does not).
    pub reviewer: Option<String>,
    /// The decision.
    pub decision: LabelDecision,
    /// The screening stage: title/abstract for Rayyan and ASReview labels, full text for
    /// ecolens' `ECOLENS-FULLTEXT` lines.
    pub stage: Stage,
    /// The exclusion reason given with a full-text exclusion.
    pub reason: Option<String>,
}

impl ImportedLabel {
    /// A title/abstract label.
    pub fn title_abstract(
        tool: LabelTool,
        reviewer: Option<String>,
        decision: LabelDecision,
    ) -> Self {
        Self {
            tool,
            reviewer,
            decision,
            stage: Stage::TitleAbstract,
            reason: None,
        }
    }
}

/// Note lines ecolens writes to summarise review work; recognised (and dropped from the notes
/// when labels become votes) but not imported, as they are recomputed on export.
const SUMMARY_PREFIXES: [&str; 5] = [
    "ECOLENS-DECISION:",
    "RAYYAN-EXCLUSION-REASONS:",
    "ECOLENS-CATEGORY:",
    "ECOLENS-REBOUND:",
    "ECOLENS-LABELS:",
];

/// `true` for a part of a note line that is a review label or a review summary.
fn is_review_part(part: &str) -> bool {
    let part = part.trim();
    part.starts_with("RAYYAN-INCLUSION:")
        || part.starts_with("ECOLENS-FULLTEXT:")
        || asreview_note_decision(part).is_some()
        || SUMMARY_PREFIXES
            .iter()
            .any(|prefix| part.starts_with(prefix))
}

/// The notes without review labels and summaries (other tools' `|`-separated parts on the same
/// line are kept); `None` when nothing else is left.
pub fn without_review_lines(notes: &str) -> Option<String> {
    let kept: Vec<String> = notes
        .lines()
        .filter_map(|line| {
            if !line.split('|').any(is_review_part) {
                return Some(line.to_owned());
            }
            let parts: Vec<&str> = line
                .split('|')
                .map(str::trim)
                .filter(|part| !part.is_empty() && !is_review_part(part))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" | "))
        })
        .collect();
    let text = kept.join("\n");
    let text = text.trim_matches('\n');
    (!text.trim().is_empty()).then(|| text.to_owned())
}

/// The labels in a record's notes, in order.
pub fn labels_in_notes(notes: &str) -> Vec<ImportedLabel> {
    let mut labels = Vec::new();
    for line in notes.lines() {
        for part in line.split('|') {
            let part = part.trim();
            let (hash, tool, stage) = if let Some(hash) = part.strip_prefix("RAYYAN-INCLUSION:") {
                (hash, LabelTool::Rayyan, Stage::TitleAbstract)
            } else if let Some(hash) = part.strip_prefix("ECOLENS-FULLTEXT:") {
                (hash, LabelTool::Ecolens, Stage::FullText)
            } else {
                if let Some(decision) = asreview_note_decision(part) {
                    labels.push(ImportedLabel::title_abstract(
                        LabelTool::Asreview,
                        None,
                        decision,
                    ));
                }
                continue;
            };
            for (reviewer, value) in ruby_hash_pairs(hash) {
                // `Excluded (reason_code)` carries the exclusion reason.
                let (value, reason) = match value.split_once('(') {
                    Some((value, reason)) => (
                        value.trim().to_owned(),
                        Some(reason.trim_end_matches(')').trim().to_owned())
                            .filter(|r| !r.is_empty()),
                    ),
                    None => (value, None),
                };
                let decision = match value.to_ascii_lowercase().as_str() {
                    "included" | "include" => LabelDecision::Include,
                    "excluded" | "exclude" => LabelDecision::Exclude,
                    "maybe" | "undecided" => LabelDecision::Maybe,
                    _ => continue,
                };
                labels.push(ImportedLabel {
                    tool,
                    reviewer: Some(reviewer),
                    decision,
                    stage,
                    reason: reason.filter(|_| decision == LabelDecision::Exclude),
                });
            }
        }
    }
    labels
}

fn asreview_note_decision(text: &str) -> Option<LabelDecision> {
    match text {
        "ASReview_relevant" => Some(LabelDecision::Include),
        "ASReview_irrelevant" => Some(LabelDecision::Exclude),
        "ASReview_not_seen" => Some(LabelDecision::NotSeen),
        _ => None,
    }
}

/// `{"Emily"=>"Included", "Bob"=>"Excluded"}` → pairs.
fn ruby_hash_pairs(text: &str) -> Vec<(String, String)> {
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once("=>")?;
            let unquote = |s: &str| s.trim().trim_matches('"').trim().to_owned();
            let (key, value) = (unquote(key), unquote(value));
            (!key.is_empty() && !value.is_empty()).then_some((key, value))
        })
        .collect()
}

/// An ASReview-style label column value (`1`, `0`, `yes`, `no`, `-1`, empty).
pub fn asreview_column_decision(value: &str) -> Option<LabelDecision> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "1.0" | "yes" | "true" | "y" | "included" | "relevant" => {
            Some(LabelDecision::Include)
        }
        "0" | "0.0" | "no" | "false" | "n" | "excluded" | "irrelevant" => {
            Some(LabelDecision::Exclude)
        }
        "-1" | "-1.0" | "not_seen" | "unseen" => Some(LabelDecision::NotSeen),
        _ => None,
    }
}

/// Rayyan's note for a set of reviewer decisions: `RAYYAN-INCLUSION: {"Emily"=>"Included"}`.
pub fn rayyan_note(decisions: &[(String, LabelDecision)]) -> Option<String> {
    let pairs: Vec<String> = decisions
        .iter()
        .filter_map(|(reviewer, decision)| {
            let value = match decision {
                LabelDecision::Include => "Included",
                LabelDecision::Exclude => "Excluded",
                LabelDecision::Maybe => "Maybe",
                LabelDecision::NotSeen => return None,
            };
            Some(format!("\"{}\"=>\"{value}\"", reviewer.replace('"', "'")))
        })
        .collect();
    (!pairs.is_empty()).then(|| format!("RAYYAN-INCLUSION: {{{}}}", pairs.join(", ")))
}

/// ASReview's note for a final decision.
pub fn asreview_note(decision: LabelDecision) -> &'static str {
    match decision {
        LabelDecision::Include => "ASReview_relevant",
        LabelDecision::Exclude => "ASReview_irrelevant",
        LabelDecision::Maybe | LabelDecision::NotSeen => "ASReview_not_seen",
    }
}

/// `true` for a note line that is one of these labels (so exports can rewrite them).
pub fn is_label_line(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("RAYYAN-INCLUSION:") || asreview_note_decision(line).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rayyan_and_asreview_notes_are_read() {
        let notes = "RAYYAN-INCLUSION: {\"Emily\"=>\"Included\", \"Bob\"=>\"Maybe\"} | RAYYAN-LABELS: x\n\
                     ASReview_irrelevant\n\
                     ECOLENS-FULLTEXT: {\"Emily\"=>\"Excluded (not_ai)\", \"Bob\"=>\"Included (ignored)\"}\n\
                     Export Date: 12 May 2022\n\
                     ECOLENS-DECISION: conflict (fulltext)";
        let labels = labels_in_notes(notes);
        assert_eq!(
            labels,
            vec![
                ImportedLabel::title_abstract(
                    LabelTool::Rayyan,
                    Some("Emily".into()),
                    LabelDecision::Include
                ),
                ImportedLabel::title_abstract(
                    LabelTool::Rayyan,
                    Some("Bob".into()),
                    LabelDecision::Maybe
                ),
                ImportedLabel::title_abstract(LabelTool::Asreview, None, LabelDecision::Exclude),
                ImportedLabel {
                    tool: LabelTool::Ecolens,
                    reviewer: Some("Emily".into()),
                    decision: LabelDecision::Exclude,
                    stage: Stage::FullText,
                    reason: Some("not_ai".into()),
                },
                ImportedLabel {
                    tool: LabelTool::Ecolens,
                    reviewer: Some("Bob".into()),
                    decision: LabelDecision::Include,
                    stage: Stage::FullText,
                    reason: None,
                },
            ]
        );
        assert!(labels_in_notes("Export Date: 12 May 2022").is_empty());
        // Without the labels and summaries, other tools' parts of a line stay.
        assert_eq!(
            without_review_lines(notes).as_deref(),
            Some("RAYYAN-LABELS: x\nExport Date: 12 May 2022")
        );
        assert_eq!(without_review_lines("ASReview_relevant"), None);
    }

    #[test]
    fn notes_round_trip() {
        let decisions = vec![
            ("Emily".to_owned(), LabelDecision::Include),
            ("Bob".to_owned(), LabelDecision::Exclude),
        ];
        let note = rayyan_note(&decisions).unwrap();
        assert_eq!(
            note,
            "RAYYAN-INCLUSION: {\"Emily\"=>\"Included\", \"Bob\"=>\"Excluded\"}"
        );
        let back: Vec<_> = labels_in_notes(&note)
            .into_iter()
            .map(|l| (l.reviewer.unwrap(), l.decision))
            .collect();
        assert_eq!(back, decisions);
        assert!(is_label_line(asreview_note(LabelDecision::Include)));
        assert_eq!(asreview_column_decision("1"), Some(LabelDecision::Include));
        assert_eq!(asreview_column_decision(""), None);
    }
}
