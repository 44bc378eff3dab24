//! PRISMA 2020 flow: the counts of a review, computed from the project's data
//! ([`crate::Project::prisma`]), and the flow diagram in the PRISMA 2020 layout for new
//! systematic reviews that searched databases and registers (Page et al. 2021, BMJ 372:n71,
//! doi:10.1136/bmj.n71, figure 1), drawn as SVG.
//!
//! Every number comes from stored data: records identified are the sources read per file
//! (merged duplicates included), duplicates removed are the merges not undone, and the screening
//! counts follow each stage's outcome under the project's rule. Records still in progress
//! (awaiting a second reviewer, in conflict, marked maybe) are counted in their own lines, so
//! every box adds up.

use std::fmt::Write as _;

use serde::Serialize;

/// Records identified in one source file (a database export, usually).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCount {
    /// The file's name (`scopus.ris`), or `bundled:…` for data shipped with ecolens.
    pub source: String,
    /// Records read from it, duplicates included.
    pub records: u64,
}

/// Full-text exclusions with one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// The reason's code (`no_evaluation`), or `unspecified`.
    pub reason: String,
    /// Its name from the project's list.
    pub name: String,
    /// Reports excluded for it.
    pub reports: u64,
}

/// One row of the flow diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowRow {
    /// Identification, Screening or Included.
    pub phase: &'static str,
    /// The box on the main line.
    pub left: Vec<String>,
    /// The box beside it (exclusions); empty for none.
    pub right: Vec<String>,
}

/// The counts of a PRISMA 2020 flow diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PrismaCounts {
    /// Records identified, per source file.
    pub identified: Vec<SourceCount>,
    /// Their sum.
    pub identified_total: u64,
    /// Duplicate records removed before screening.
    pub duplicates_removed: u64,
    /// Records left after deduplication (what is screened).
    pub records_after_deduplication: u64,
    /// Records with a title/abstract decision or vote.
    pub records_screened: u64,
    /// Records excluded at title/abstract.
    pub records_excluded: u64,
    /// Screened records not decided yet (awaiting a second reviewer, conflict, maybe).
    pub records_undecided: u64,
    /// Records nobody has screened yet.
    pub records_not_screened: u64,
    /// Reports sought for retrieval: records included at title/abstract.
    pub reports_sought: u64,
    /// Sought, with neither a full text attached nor a full-text vote.
    pub reports_not_retrieved: u64,
    /// Sought, with a full text attached but no full-text vote yet.
    pub reports_awaiting_assessment: u64,
    /// Reports with a full-text vote.
    pub reports_assessed: u64,
    /// Full-text exclusions per reason.
    pub reports_excluded: Vec<ReasonCount>,
    /// Their sum.
    pub reports_excluded_total: u64,
    /// Assessed reports not decided yet.
    pub reports_undecided: u64,
    /// Studies included in the review.
    pub studies_included: u64,
}

impl PrismaCounts {
    /// The identities every diagram must satisfy; returns the first one broken, if any.
    pub fn check(&self) -> Result<(), String> {
        let checks = [
            (
                "identified = sum of sources",
                self.identified_total,
                self.identified.iter().map(|s| s.records).sum(),
            ),
            (
                "identified − duplicates = records after deduplication",
                self.identified_total
                    .saturating_sub(self.duplicates_removed),
                self.records_after_deduplication,
            ),
            (
                "after deduplication = screened + not screened",
                self.records_after_deduplication,
                self.records_screened + self.records_not_screened,
            ),
            (
                "screened = excluded + undecided + sought",
                self.records_screened,
                self.records_excluded + self.records_undecided + self.reports_sought,
            ),
            (
                "sought = not retrieved + awaiting assessment + assessed",
                self.reports_sought,
                self.reports_not_retrieved
                    + self.reports_awaiting_assessment
                    + self.reports_assessed,
            ),
            (
                "assessed = excluded + undecided + included",
                self.reports_assessed,
                self.reports_excluded_total + self.reports_undecided + self.studies_included,
            ),
            (
                "excluded = sum of reasons",
                self.reports_excluded_total,
                self.reports_excluded.iter().map(|r| r.reports).sum(),
            ),
        ];
        for (name, left, right) in checks {
            if left != right {
                return Err(format!("{name}: {left} ≠ {right}"));
            }
        }
        Ok(())
    }

    /// The diagram's rows, top to bottom: the phase, the main box and the box beside it
    /// (empty for the last row), as lines of text, the first a heading. The SVG and the
    /// workbench draw the same rows.
    pub fn flow(&self) -> Vec<FlowRow> {
        let n = |text: &str, count: u64| format!("{text} (n = {count})");
        // A line shown only when it counts something.
        let some = |text: &str, count: u64| (count > 0).then(|| n(text, count));
        let mut identified = vec![format!(
            "Records identified from (n = {}):",
            self.identified_total
        )];
        identified.extend(
            self.identified
                .iter()
                .map(|s| n(&format!("  {}", s.source), s.records)),
        );
        let mut reasons = vec![format!(
            "Reports excluded (n = {}):",
            self.reports_excluded_total
        )];
        reasons.extend(
            self.reports_excluded
                .iter()
                .map(|r| n(&format!("  {}", r.name), r.reports)),
        );
        reasons.extend(some("Reports undecided", self.reports_undecided));
        let row = |phase, left: Vec<String>, right: Vec<String>| FlowRow { phase, left, right };
        vec![
            row(
                "Identification",
                identified,
                vec![
                    "Records removed before screening:".to_owned(),
                    n("  Duplicate records removed", self.duplicates_removed),
                ],
            ),
            row(
                "Screening",
                [
                    Some(n("Records screened", self.records_screened)),
                    some("  not screened yet", self.records_not_screened),
                ]
                .into_iter()
                .flatten()
                .collect(),
                [
                    Some(n("Records excluded", self.records_excluded)),
                    some(
                        "Records undecided: awaiting, conflict, maybe",
                        self.records_undecided,
                    ),
                ]
                .into_iter()
                .flatten()
                .collect(),
            ),
            row(
                "Screening",
                vec![n("Reports sought for retrieval", self.reports_sought)],
                [
                    Some(n("Reports not retrieved", self.reports_not_retrieved)),
                    some(
                        "Retrieved, awaiting assessment",
                        self.reports_awaiting_assessment,
                    ),
                ]
                .into_iter()
                .flatten()
                .collect(),
            ),
            row(
                "Screening",
                vec![n("Reports assessed for eligibility", self.reports_assessed)],
                reasons,
            ),
            row(
                "Included",
                vec![n("Studies included in review", self.studies_included)],
                Vec::new(),
            ),
        ]
    }

    /// The flow diagram as a standalone SVG document.
    pub fn svg(&self, title: &str) -> String {
        Diagram::new(self, title).render()
    }
}

const WIDTH: f64 = 930.0;
const LEFT_X: f64 = 60.0;
const RIGHT_X: f64 = 520.0;
const BOX_W: f64 = 380.0;
const LINE_H: f64 = 17.0;
const GAP: f64 = 36.0;

/// One box: lines of text, the first in bold.
struct Block {
    lines: Vec<String>,
}

impl Block {
    fn height(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let lines = self.lines.len() as f64;
        lines * LINE_H + 16.0
    }
}

struct Diagram<'a> {
    counts: &'a PrismaCounts,
    title: &'a str,
    out: String,
}

impl<'a> Diagram<'a> {
    fn new(counts: &'a PrismaCounts, title: &'a str) -> Self {
        Self {
            counts,
            title,
            out: String::new(),
        }
    }

    fn render(mut self) -> String {
        let rows: Vec<(&str, Block, Option<Block>)> = self
            .counts
            .flow()
            .into_iter()
            .map(|row| {
                let right = (!row.right.is_empty()).then_some(Block { lines: row.right });
                (row.phase, Block { lines: row.left }, right)
            })
            .collect();
        let mut y = 70.0;
        let mut body = String::new();
        let mut bands: Vec<(&str, f64, f64)> = Vec::new();
        let mut previous_bottom: Option<f64> = None;
        for (phase, left, right) in &rows {
            let height = left.height().max(right.as_ref().map_or(0.0, Block::height));
            if let Some(bottom) = previous_bottom {
                arrow(
                    &mut body,
                    LEFT_X + BOX_W / 2.0,
                    bottom,
                    LEFT_X + BOX_W / 2.0,
                    y,
                );
            }
            draw_block(&mut body, LEFT_X, y, height, left);
            if let Some(right) = right {
                draw_block(&mut body, RIGHT_X, y, height, right);
                arrow(
                    &mut body,
                    LEFT_X + BOX_W,
                    y + height / 2.0,
                    RIGHT_X,
                    y + height / 2.0,
                );
            }
            match bands.last_mut() {
                Some((name, _, end)) if name == phase => *end = y + height,
                _ => bands.push((phase, y, y + height)),
            }
            previous_bottom = Some(y + height);
            y += height + GAP;
        }
        let total_height = y + 10.0;
        let _ = write!(
            self.out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total_height}" viewBox="0 0 {WIDTH} {total_height}" font-family="Helvetica, Arial, sans-serif" font-size="13">
<title>{}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333333"/></marker></defs>
<text x="{}" y="30" font-size="16" font-weight="bold" text-anchor="middle">{}</text>
<text x="{}" y="50" font-size="11" text-anchor="middle" fill="#555555">PRISMA 2020 flow diagram (Page et al. 2021, doi:10.1136/bmj.n71), counts from the ecolens project</text>
"##,
            escape(self.title),
            WIDTH / 2.0,
            escape(self.title),
            WIDTH / 2.0,
        );
        for (name, start, end) in bands {
            let middle = f64::midpoint(start, end);
            let _ = writeln!(
                self.out,
                r##"<rect x="10" y="{start}" width="32" height="{}" rx="4" fill="#9cc3e6" stroke="#5b8fc7"/><text x="26" y="{middle}" transform="rotate(-90 26 {middle})" text-anchor="middle" dominant-baseline="middle" font-weight="bold">{name}</text>"##,
                end - start
            );
        }
        self.out.push_str(&body);
        self.out.push_str("</svg>\n");
        self.out
    }
}

fn draw_block(out: &mut String, x: f64, y: f64, height: f64, block: &Block) {
    let _ = writeln!(
        out,
        r##"<rect x="{x}" y="{y}" width="{BOX_W}" height="{height}" fill="#ffffff" stroke="#333333"/>"##
    );
    for (index, line) in block.lines.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let line_y = y + 20.0 + index as f64 * LINE_H;
        let weight = if index == 0 {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{line_y}"{weight} xml:space="preserve">{}</text>"#,
            x + 10.0,
            escape(line)
        );
    }
}

fn arrow(out: &mut String, x1: f64, y1: f64, x2: f64, y2: f64) {
    let _ = writeln!(
        out,
        r##"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333333" stroke-width="1.5" marker-end="url(#arrow)"/>"##
    );
}

/// Escapes text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> PrismaCounts {
        PrismaCounts {
            identified: vec![
                SourceCount {
                    source: "scopus.ris".into(),
                    records: 30,
                },
                SourceCount {
                    source: "pubmed <2024>.nbib".into(),
                    records: 20,
                },
            ],
            identified_total: 50,
            duplicates_removed: 8,
            records_after_deduplication: 42,
            records_screened: 40,
            records_excluded: 25,
            records_undecided: 3,
            records_not_screened: 2,
            reports_sought: 12,
            reports_not_retrieved: 1,
            reports_awaiting_assessment: 1,
            reports_assessed: 10,
            reports_excluded: vec![ReasonCount {
                reason: "no_evaluation".into(),
                name: "No environmental evaluation".into(),
                reports: 6,
            }],
            reports_excluded_total: 6,
            reports_undecided: 0,
            studies_included: 4,
        }
    }

    #[test]
    fn identities_hold_or_name_the_broken_one() {
        let good = counts();
        assert_eq!(good.check(), Ok(()));
        let bad = PrismaCounts {
            studies_included: 5,
            ..good
        };
        assert!(bad.check().unwrap_err().starts_with("assessed"));
    }

    #[test]
    fn the_diagram_has_every_box_and_escapes_names() {
        let svg = counts().svg("Green AI review");
        for text in [
            "Records identified from (n = 50):",
            "pubmed &lt;2024&gt;.nbib (n = 20)",
            "Duplicate records removed (n = 8)",
            "Records screened (n = 40)",
            "Records excluded (n = 25)",
            "Reports sought for retrieval (n = 12)",
            "Reports not retrieved (n = 1)",
            "Reports assessed for eligibility (n = 10)",
            "No environmental evaluation (n = 6)",
            "Studies included in review (n = 4)",
            ">Identification<",
            ">Included<",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 3 + 9,
            "background, bands, boxes"
        );
    }
}
