//! The tree of consequences of a record (ITU-T L.1480's consequence tree, as workshops build
//! it): the root is "deploy the solution at a scale"; below it the effects recorded as risks,
//! each under the risk it follows from, with the mechanism resource (money, time, space …) on
//! the edge that leads to it. Exported as JSON (nested) and SVG (coloured by direction).

use std::collections::HashMap;
use std::fmt::Write as _;

use ecolens_taxonomy::{AssessmentScale, Direction, Term};
use serde::{Deserialize, Serialize};

use crate::ids::{RecordId, RiskId};
use crate::prisma::escape;
use crate::review::StoredRisk;

/// The root of a consequence tree: what is deployed, at which scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsequenceRoot {
    /// The solution deployed ("AI route optimisation for a delivery fleet").
    pub solution: String,
    /// The scale it is deployed at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<AssessmentScale>,
}

impl ConsequenceRoot {
    /// The root's label: "Deploy X at scale S".
    pub fn label(&self) -> String {
        match self.scale {
            Some(scale) => format!("Deploy {} at {} scale", self.solution, scale.name()),
            None => format!("Deploy {}", self.solution),
        }
    }
}

/// One effect in the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeNode {
    /// The risk.
    pub risk: RiskId,
    /// Its stable id.
    pub uid: String,
    /// Who recorded it.
    pub reviewer: String,
    /// Effect code (`HO.RB.DIR`).
    pub effect: String,
    /// Effect name.
    pub effect_name: String,
    /// Order (`O1`, `O2`, `O3`, `EV`).
    pub order: &'static str,
    /// Direction code, when rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    /// Magnitude class code, when rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<&'static str>,
    /// Likelihood code, when rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<&'static str>,
    /// Confidence code, when rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<&'static str>,
    /// The mechanism resource on the edge from the parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_resource: Option<&'static str>,
    /// The mechanism, in the reviewer's words (edge label).
    pub mechanism: String,
    /// Effects that follow from this one.
    pub children: Vec<TreeNode>,
}

/// The fill colour of an effect by its direction code, the same in the SVG and the window:
/// red for increases, green for decreases, amber for ambiguous, grey when not rated.
pub fn direction_rgb(direction: Option<&str>) -> [u8; 3] {
    match direction {
        Some("increases_impact") => [0xf4, 0xb6, 0xb6],
        Some("decreases_impact") => [0xb9, 0xe0, 0xb0],
        Some("ambiguous") => [0xf7, 0xdc, 0x9c],
        _ => [0xe4, 0xe4, 0xe4],
    }
}

/// A record's consequence tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsequenceTree {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// The root, when set; otherwise the record's title stands for the solution.
    pub root: ConsequenceRoot,
    /// Effects directly under the root.
    pub children: Vec<TreeNode>,
}

impl ConsequenceTree {
    /// Builds the tree from the risks (with their reviewers' names). A risk whose parent is not
    /// among them hangs under the root.
    pub fn build(
        record: RecordId,
        title: String,
        root: ConsequenceRoot,
        risks: &[(StoredRisk, String)],
    ) -> Self {
        let present: Vec<RiskId> = risks.iter().map(|(r, _)| r.id).collect();
        let mut by_parent: HashMap<Option<RiskId>, Vec<&(StoredRisk, String)>> = HashMap::new();
        for entry in risks {
            let parent = entry.0.risk.parent.filter(|p| present.contains(p));
            by_parent.entry(parent).or_default().push(entry);
        }
        let children = nodes(&by_parent, None, 0);
        Self {
            record,
            title,
            root,
            children,
        }
    }

    /// Number of effects in the tree.
    pub fn len(&self) -> usize {
        fn count(nodes: &[TreeNode]) -> usize {
            nodes.iter().map(|n| 1 + count(&n.children)).sum()
        }
        count(&self.children)
    }

    /// Whether the tree has no effects.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// The tree as pretty JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
    }

    /// The tree as a standalone SVG document, top-down, nodes coloured by direction.
    pub fn svg(&self) -> String {
        let mut layout = Layout::default();
        let leaves = layout.place_children(&self.children, 1);
        let leaves = leaves.max(1);
        #[allow(clippy::cast_precision_loss)]
        let width = (leaves as f64 * SLOT_W).max(ROOT_W + 40.0).max(860.0) + 40.0;
        let depth = layout.depth.max(1);
        #[allow(clippy::cast_precision_loss)]
        let height = 90.0 + (depth as f64) * LEVEL_H + NODE_H + 70.0;
        let root_x = width / 2.0;
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">
<title>Consequence tree: {}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="24" font-size="14" font-weight="bold">Tree of consequences (ITU-T L.1480): {}</text>
"##,
            escape(&self.title),
            escape(&truncate(&self.title, 90)),
        );
        // Edges first, so boxes cover their ends.
        for placed in &layout.placed {
            let (px, py) = match placed.parent {
                Some(index) => {
                    let parent = &layout.placed[index];
                    (parent.x, parent.y + NODE_H)
                }
                None => (root_x, ROOT_Y + NODE_H),
            };
            let _ = writeln!(
                out,
                r##"<line x1="{px}" y1="{py}" x2="{}" y2="{}" stroke="#555555" stroke-width="1.2"/>"##,
                placed.x, placed.y
            );
            let label = match (placed.node.edge_resource, placed.node.mechanism.trim()) {
                (Some(resource), "") => resource.to_owned(),
                (Some(resource), mechanism) => format!("{resource}: {}", truncate(mechanism, 28)),
                (None, "") => String::new(),
                (None, mechanism) => truncate(mechanism, 30),
            };
            if !label.is_empty() {
                // Above the child's box, centred on it: siblings' labels never overlap.
                let _ = writeln!(
                    out,
                    r##"<text x="{}" y="{}" text-anchor="middle" font-style="italic" fill="#333333">{}</text>"##,
                    placed.x,
                    placed.y - 6.0,
                    escape(&label)
                );
            }
        }
        let _ = writeln!(
            out,
            r##"<rect x="{}" y="{ROOT_Y}" width="{ROOT_W}" height="{NODE_H}" rx="6" fill="#cfe2f3" stroke="#3d6fa3" stroke-width="2"/><text x="{root_x}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"##,
            root_x - ROOT_W / 2.0,
            ROOT_Y + 30.0,
            escape(&truncate(&self.root.label(), 60)),
        );
        for placed in &layout.placed {
            let node = placed.node;
            let [r, g, b] = direction_rgb(node.direction);
            let fill = format!("#{r:02x}{g:02x}{b:02x}");
            let stroke_width = match node.confidence {
                Some("very_high") => 3.0,
                Some("high") => 2.5,
                Some("medium") => 2.0,
                _ => 1.0,
            };
            let x = placed.x - NODE_W / 2.0;
            let details: Vec<&str> = [node.magnitude, node.likelihood]
                .into_iter()
                .flatten()
                .collect();
            let _ = writeln!(
                out,
                r##"<g><title>{} ({}), {}: {}</title><rect x="{x}" y="{}" width="{NODE_W}" height="{NODE_H}" rx="4" fill="{fill}" stroke="#333333" stroke-width="{stroke_width}"/><text x="{}" y="{}" text-anchor="middle" font-weight="bold">{} {}</text><text x="{}" y="{}" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle" fill="#444444">{}</text></g>"##,
                escape(&node.effect_name),
                node.effect,
                escape(&node.reviewer),
                escape(&node.mechanism),
                placed.y,
                placed.x,
                placed.y + 15.0,
                node.order,
                node.effect,
                placed.x,
                placed.y + 30.0,
                escape(&truncate(&node.effect_name, 30)),
                placed.x,
                placed.y + 45.0,
                escape(&details.join(", ")),
            );
        }
        let legend_y = height - 30.0;
        let _ = writeln!(
            out,
            r##"<g font-size="11"><rect x="20" y="{legend_y}" width="12" height="12" fill="#f4b6b6" stroke="#333333"/><text x="36" y="{}">increases impact</text><rect x="150" y="{legend_y}" width="12" height="12" fill="#b9e0b0" stroke="#333333"/><text x="166" y="{}">decreases impact</text><rect x="280" y="{legend_y}" width="12" height="12" fill="#f7dc9c" stroke="#333333"/><text x="296" y="{}">ambiguous</text><rect x="380" y="{legend_y}" width="12" height="12" fill="#e4e4e4" stroke="#333333"/><text x="396" y="{}">direction not rated; edge labels: mechanism resource, mechanism; outline: confidence</text></g>"##,
            legend_y + 10.0,
            legend_y + 10.0,
            legend_y + 10.0,
            legend_y + 10.0,
        );
        out.push_str("</svg>\n");
        out
    }
}

fn nodes(
    by_parent: &HashMap<Option<RiskId>, Vec<&(StoredRisk, String)>>,
    parent: Option<RiskId>,
    depth: usize,
) -> Vec<TreeNode> {
    // Parents are checked on write, so a cycle cannot be stored; the depth cap is a guard
    // against a hand-edited file.
    if depth > 64 {
        return Vec::new();
    }
    let Some(list) = by_parent.get(&parent) else {
        return Vec::new();
    };
    let mut list = list.clone();
    list.sort_by_key(|(risk, _)| (risk.risk.effect.order(), risk.id));
    list.into_iter()
        .map(|(stored, reviewer)| {
            let risk = &stored.risk;
            TreeNode {
                risk: stored.id,
                uid: stored.uid.clone(),
                reviewer: reviewer.clone(),
                effect: risk.effect.code().to_owned(),
                effect_name: risk.effect.name().to_owned(),
                order: risk.effect.order().label(),
                direction: risk.direction.map(Direction::code),
                magnitude: risk.magnitude.map(Term::code),
                likelihood: risk.likelihood.map(Term::code),
                confidence: risk.confidence.map(Term::code),
                edge_resource: risk.mechanism_resource.map(Term::code),
                mechanism: risk.mechanism.clone(),
                children: nodes(by_parent, Some(stored.id), depth + 1),
            }
        })
        .collect()
}

const NODE_W: f64 = 190.0;
const NODE_H: f64 = 54.0;
const ROOT_W: f64 = 420.0;
const SLOT_W: f64 = 210.0;
const LEVEL_H: f64 = 110.0;
const ROOT_Y: f64 = 44.0;

struct Placed<'a> {
    node: &'a TreeNode,
    parent: Option<usize>,
    x: f64,
    y: f64,
}

#[derive(Default)]
struct Layout<'a> {
    placed: Vec<Placed<'a>>,
    next_leaf: usize,
    depth: usize,
}

impl<'a> Layout<'a> {
    /// Places the children (leaves left to right, parents centred over their children);
    /// returns the number of leaf slots used.
    fn place_children(&mut self, children: &'a [TreeNode], level: usize) -> usize {
        let start = self.next_leaf;
        self.place_under(children, None, level);
        self.next_leaf - start
    }

    fn place_under(&mut self, children: &'a [TreeNode], parent: Option<usize>, level: usize) {
        for node in children {
            self.depth = self.depth.max(level);
            let index = self.placed.len();
            #[allow(clippy::cast_precision_loss)]
            let y = ROOT_Y + level as f64 * LEVEL_H;
            self.placed.push(Placed {
                node,
                parent,
                x: 0.0,
                y,
            });
            let first_leaf = self.next_leaf;
            if node.children.is_empty() {
                self.next_leaf += 1;
            } else {
                self.place_under(&node.children, Some(index), level + 1);
            }
            #[allow(clippy::cast_precision_loss)]
            let centre = (first_leaf + self.next_leaf) as f64 / 2.0;
            self.placed[index].x = 20.0 + centre * SLOT_W;
        }
    }
}

fn truncate(text: &str, chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= chars {
        text
    } else {
        let cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use ecolens_taxonomy::{EffectCode, MechanismResource};

    use super::*;
    use crate::ids::ReviewerId;
    use crate::review::ReboundRisk;

    fn risk(id: i64, effect: EffectCode, parent: Option<i64>) -> (StoredRisk, String) {
        let at = jiff::Timestamp::UNIX_EPOCH;
        (
            StoredRisk {
                id: RiskId(id),
                uid: format!("u{id}"),
                record: RecordId(1),
                reviewer: ReviewerId(1),
                risk: ReboundRisk {
                    parent: parent.map(RiskId),
                    mechanism: format!("mechanism {id}"),
                    mechanism_resource: Some(MechanismResource::Money),
                    direction: Some(Direction::IncreasesImpact),
                    ..ReboundRisk::new(effect)
                },
                vocabularies: String::new(),
                created_at: at,
                updated_at: at,
            },
            "Emily".into(),
        )
    }

    #[test]
    fn risks_hang_under_their_parents() {
        let risks = vec![
            risk(1, EffectCode::SoOpt, None),
            risk(2, EffectCode::HoRbInd, Some(1)),
            risk(3, EffectCode::HoRbTime, Some(2)),
            risk(4, EffectCode::FoUse, None),
            risk(5, EffectCode::HoAcc, Some(99)),
        ];
        let tree = ConsequenceTree::build(
            RecordId(1),
            "Route optimisation".into(),
            ConsequenceRoot {
                solution: "route optimisation".into(),
                scale: Some(AssessmentScale::Country),
            },
            &risks,
        );
        assert_eq!(tree.len(), 5);
        let top: Vec<&str> = tree.children.iter().map(|n| n.effect.as_str()).collect();
        assert_eq!(
            top,
            ["FO.USE", "SO.OPT", "HO.ACC"],
            "by order; unknown parent → root"
        );
        assert_eq!(
            tree.children[1].children[0].children[0].effect,
            "HO.RB.TIME"
        );
        let json: serde_json::Value = serde_json::from_str(&tree.json()).unwrap();
        assert_eq!(json["children"][1]["children"][0]["edge_resource"], "money");
        let svg = tree.svg();
        assert_eq!(svg.matches("<line").count(), 5);
        assert!(svg.contains("Deploy route optimisation at"));
        assert!(svg.contains("money: mechanism 3"));
        assert!(svg.contains("#f4b6b6"));
    }
}
