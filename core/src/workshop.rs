//! A workshop: a tree of consequences that a facilitator builds live with a room, on ITU-T
//! L.1480's structure (first-, second- and higher-order effects under "deploy the solution at a
//! scale"). Effects are typed or picked from the controlled vocabulary as cards; each carries a
//! direction, a rough magnitude and likelihood, the resource it travels through, and the names
//! of the participants who proposed it (no reviewer accounts: a room is not a review team).
//!
//! Unlike a record's consequence tree, a workshop is one shared object, not per reviewer work:
//! it is stored in the project by name, exported for the handout (SVG, Markdown, HTML, and the
//! JSON to reload next time), and edited through [`Editing`], which keeps an undo history.

use std::fmt::Write as _;

use ecolens_taxonomy::{
    AssessmentScale, Direction, EffectCode, Likelihood, Magnitude, MechanismResource, Term,
};
use serde::{Deserialize, Serialize};

use crate::consequence::{ConsequenceRoot, ConsequenceTree, TreeNode};
use crate::ids::{RecordId, RiskId};
use crate::prisma::escape;
use crate::{Error, Result};

/// The current format of a workshop's JSON.
pub const WORKSHOP_FORMAT: &str = "ecolens-workshop";

/// A workshop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workshop {
    /// Always [`WORKSHOP_FORMAT`] in files.
    #[serde(default = "format_name")]
    pub format: String,
    /// Its name (a project's workshops are stored by name).
    pub name: String,
    /// What is deployed, at which scale.
    pub root: ConsequenceRoot,
    /// The effects, each under its parent (`None`: under the root).
    #[serde(default)]
    pub nodes: Vec<WorkshopNode>,
    /// The name of an LCA scenario of the project whose net effect the summary shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

fn format_name() -> String {
    WORKSHOP_FORMAT.to_owned()
}

/// One effect on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkshopNode {
    /// Its id in the workshop.
    pub id: u32,
    /// The effect it follows from (`None`: the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// The card it was picked from, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<EffectCode>,
    /// What the room said, in its words.
    pub text: String,
    /// Whether it increases or decreases impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// How large, roughly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<Magnitude>,
    /// How likely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<Likelihood>,
    /// The resource it travels through (money, time, space …), on the edge from its parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<MechanismResource>,
    /// Who proposed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<String>,
}

impl WorkshopNode {
    /// A node with its text only.
    pub fn new(id: u32, parent: Option<u32>, text: impl Into<String>) -> Self {
        Self {
            id,
            parent,
            effect: None,
            text: text.into(),
            direction: None,
            magnitude: None,
            likelihood: None,
            resource: None,
            by: Vec::new(),
        }
    }

    /// `O1`, `O2`, `O3` from its card; a typed effect without a card is unclassified (`–`).
    pub fn order(&self) -> &'static str {
        self.effect.map_or("–", |e| e.order().label())
    }
}

/// A change to a workshop.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A new effect under `parent` (`None`: the root); its id is returned.
    Add {
        /// Where.
        parent: Option<u32>,
        /// Its card, if picked from one.
        effect: Option<EffectCode>,
        /// Its text (the card's name when empty).
        text: String,
        /// Who proposed it.
        by: Vec<String>,
    },
    /// A node's fields replaced (its id and parent stay).
    Set(Box<WorkshopNode>),
    /// A node (with what follows from it) moved under another node or the root.
    Move {
        /// The node.
        node: u32,
        /// Its new parent.
        parent: Option<u32>,
    },
    /// A node and everything under it removed.
    Remove(u32),
    /// The root changed.
    Root(ConsequenceRoot),
}

impl Workshop {
    /// An empty workshop.
    pub fn new(name: impl Into<String>, root: ConsequenceRoot) -> Self {
        Self {
            format: format_name(),
            name: name.into(),
            root,
            nodes: Vec::new(),
            scenario: None,
        }
    }

    /// Reads a workshop's JSON (as [`Self::json`] writes it); errors name line and column.
    pub fn from_json(text: &str) -> Result<Self> {
        let workshop: Self = serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                format!("workshop (line {}, column {})", e.line(), e.column()),
                text.lines().nth(e.line().saturating_sub(1)).unwrap_or(""),
                format!("an ecolens workshop's JSON: {e}"),
            )
        })?;
        if workshop.format != WORKSHOP_FORMAT {
            return Err(Error::invalid(
                "workshop.format",
                &workshop.format,
                WORKSHOP_FORMAT,
            ));
        }
        workshop.check()?;
        Ok(workshop)
    }

    /// The workshop as pretty JSON, to reload next time.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
    }

    /// Ids unique, parents present, no cycle, a name.
    pub fn check(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("workshop.name", "", "a name"));
        }
        let mut seen = std::collections::HashSet::new();
        for node in &self.nodes {
            if !seen.insert(node.id) {
                return Err(Error::invalid(
                    "workshop.nodes",
                    node.id.to_string(),
                    "ids used once",
                ));
            }
        }
        for node in &self.nodes {
            if let Some(parent) = node.parent
                && !seen.contains(&parent)
            {
                return Err(Error::invalid(
                    format!("workshop.nodes[{}].parent", node.id),
                    parent.to_string(),
                    "the id of another node, or none for the root",
                ));
            }
            if self.ancestors(node.id).contains(&node.id) {
                return Err(Error::invalid(
                    format!("workshop.nodes[{}].parent", node.id),
                    node.parent.map(|p| p.to_string()).unwrap_or_default(),
                    "a parent that does not follow from the node itself",
                ));
            }
        }
        Ok(())
    }

    /// A node by id.
    pub fn node(&self, id: u32) -> Option<&WorkshopNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The node's children, in the order they were added.
    pub fn children(&self, parent: Option<u32>) -> Vec<&WorkshopNode> {
        self.nodes.iter().filter(|n| n.parent == parent).collect()
    }

    /// The chain of parents above `id`, nearest first (stops at a cycle).
    fn ancestors(&self, id: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = self.node(id).and_then(|n| n.parent);
        while let Some(parent) = at {
            if out.contains(&parent) || out.len() > self.nodes.len() {
                out.push(parent);
                break;
            }
            out.push(parent);
            at = self.node(parent).and_then(|n| n.parent);
        }
        out
    }

    /// `id` and every node under it.
    pub fn subtree(&self, id: u32) -> Vec<u32> {
        let mut out = vec![id];
        let mut at = 0;
        while let Some(&next) = out.get(at) {
            out.extend(
                self.nodes
                    .iter()
                    .filter(|n| n.parent == Some(next))
                    .map(|n| n.id),
            );
            at += 1;
        }
        out
    }

    fn next_id(&self) -> u32 {
        self.nodes.iter().map(|n| n.id).max().map_or(1, |m| m + 1)
    }

    fn require(&self, id: u32, field: &str) -> Result<()> {
        if self.node(id).is_none() {
            return Err(Error::invalid(
                field,
                id.to_string(),
                "a node of the workshop",
            ));
        }
        Ok(())
    }

    /// Applies one change; returns the node it concerns.
    pub fn apply(&mut self, edit: Edit) -> Result<Option<u32>> {
        match edit {
            Edit::Add {
                parent,
                effect,
                text,
                by,
            } => {
                if let Some(parent) = parent {
                    self.require(parent, "parent")?;
                }
                let text = match (text.trim(), effect) {
                    ("", Some(effect)) => effect.name().to_owned(),
                    ("", None) => {
                        return Err(Error::invalid(
                            "effect",
                            "(empty)",
                            "a few words, or a card picked",
                        ));
                    }
                    (text, _) => text.to_owned(),
                };
                let id = self.next_id();
                let mut node = WorkshopNode::new(id, parent, text);
                node.effect = effect;
                node.by = clean_names(&by);
                self.nodes.push(node);
                Ok(Some(id))
            }
            Edit::Set(node) => {
                let id = node.id;
                let slot = self.nodes.iter_mut().find(|n| n.id == id).ok_or_else(|| {
                    Error::invalid("node", id.to_string(), "a node of the workshop")
                })?;
                if node.text.trim().is_empty() {
                    return Err(Error::invalid("text", "(empty)", "a few words"));
                }
                *slot = WorkshopNode {
                    parent: slot.parent,
                    text: node.text.trim().to_owned(),
                    by: clean_names(&node.by),
                    ..*node
                };
                Ok(Some(id))
            }
            Edit::Move { node, parent } => {
                self.require(node, "node")?;
                if let Some(parent) = parent {
                    self.require(parent, "parent")?;
                    if self.subtree(node).contains(&parent) {
                        return Err(Error::invalid(
                            "parent",
                            parent.to_string(),
                            "a node that does not follow from the one moved",
                        ));
                    }
                }
                if let Some(slot) = self.nodes.iter_mut().find(|n| n.id == node) {
                    slot.parent = parent;
                }
                Ok(Some(node))
            }
            Edit::Remove(id) => {
                self.require(id, "node")?;
                let gone = self.subtree(id);
                self.nodes.retain(|n| !gone.contains(&n.id));
                Ok(None)
            }
            Edit::Root(root) => {
                if root.solution.trim().is_empty() {
                    return Err(Error::invalid("root", "(empty)", "the solution deployed"));
                }
                self.root = root;
                Ok(None)
            }
        }
    }

    /// The workshop as a consequence tree (for its SVG): the node's text stands for the
    /// effect's name and the participants for the reviewer.
    pub fn tree(&self) -> ConsequenceTree {
        fn build(w: &Workshop, parent: Option<u32>, depth: usize) -> Vec<TreeNode> {
            if depth > 64 {
                return Vec::new();
            }
            w.children(parent)
                .into_iter()
                .map(|n| TreeNode {
                    risk: RiskId(i64::from(n.id)),
                    uid: String::new(),
                    reviewer: n.by.join(", "),
                    effect: n.effect.map_or_else(String::new, |e| e.code().to_owned()),
                    effect_name: n.text.clone(),
                    order: n.order(),
                    direction: n.direction.map(Term::code),
                    magnitude: n.magnitude.map(Term::code),
                    likelihood: n.likelihood.map(Term::code),
                    confidence: None,
                    edge_resource: n.resource.map(Term::code),
                    mechanism: String::new(),
                    children: build(w, Some(n.id), depth + 1),
                })
                .collect()
        }
        ConsequenceTree {
            record: RecordId(0),
            title: self.name.clone(),
            root: self.root.clone(),
            children: build(self, None, 0),
        }
    }

    /// The tree as a standalone SVG.
    pub fn svg(&self) -> String {
        self.tree().svg()
    }

    /// Counts and the effects that stand out.
    pub fn summary(&self) -> Summary {
        let mut by_order: Vec<OrderCount> = ["O1", "O2", "O3", "EV", "–"]
            .into_iter()
            .map(|order| OrderCount {
                order,
                ..OrderCount::default()
            })
            .collect();
        for node in &self.nodes {
            if let Some(row) = by_order.iter_mut().find(|r| r.order == node.order()) {
                match node.direction {
                    Some(Direction::IncreasesImpact) => row.increases += 1,
                    Some(Direction::DecreasesImpact) => row.decreases += 1,
                    Some(_) => row.ambiguous += 1,
                    None => row.unrated += 1,
                }
            }
        }
        by_order.retain(|r| r.total() > 0);
        let rank = |all: &[Likelihood], l: Option<Likelihood>| {
            l.and_then(|l| all.iter().position(|x| *x == l))
        };
        let mut likely: Vec<&WorkshopNode> = self
            .nodes
            .iter()
            .filter(|n| n.likelihood.is_some())
            .collect();
        likely.sort_by_key(|n| (rank(Likelihood::ALL, n.likelihood), n.id));
        let mut large: Vec<&WorkshopNode> = self
            .nodes
            .iter()
            .filter(|n| n.magnitude.is_some())
            .collect();
        large.sort_by_key(|n| (std::cmp::Reverse(magnitude_rank(n.magnitude)), n.id));
        Summary {
            effects: self.nodes.len(),
            by_order,
            most_likely: likely.iter().take(3).map(|n| n.id).collect(),
            largest: large.iter().take(3).map(|n| n.id).collect(),
            participants: {
                let mut names: Vec<String> = self
                    .nodes
                    .iter()
                    .flat_map(|n| n.by.iter().cloned())
                    .collect();
                names.sort();
                names.dedup();
                names
            },
        }
    }

    /// The handout summary as Markdown; `net` is the attached scenario's net effect, when one.
    pub fn markdown(&self, net: Option<&NetEffect>) -> String {
        let mut out = format!("# Workshop: {}\n\n**{}**\n\n", self.name, self.root.label());
        self.write_summary(&mut out, net, false);
        out.push_str("\n## The tree\n\n");
        self.write_outline(&mut out, None, 0);
        out.push_str(
            "\nStructure: ITU-T L.1480 (first-, second- and higher-order effects). Written with ecolens.\n",
        );
        out
    }

    /// The handout summary as a standalone HTML page with the tree's SVG.
    pub fn html(&self, net: Option<&NetEffect>) -> String {
        let mut summary = String::new();
        self.write_summary(&mut summary, net, true);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Workshop: {0}</title>\
             <style>body{{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;}}\
             table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}</style></head>\
             <body><h1>Workshop: {0}</h1><p><strong>{1}</strong></p>{2}<h2>The tree</h2>{3}\
             <p>Structure: ITU-T L.1480 (first-, second- and higher-order effects). Written with ecolens.</p></body></html>\n",
            escape(&self.name),
            escape(&self.root.label()),
            summary,
            self.svg()
        )
    }

    fn write_summary(&self, out: &mut String, net: Option<&NetEffect>, html: bool) {
        let summary = self.summary();
        let name = |id: &u32| self.node(*id).map_or_else(String::new, |n| n.text.clone());
        let detail = |id: &u32, pick: Rating| self.node(*id).and_then(pick).unwrap_or_default();
        // The two rankings, each with the rating it is by.
        let rated: [(&str, &Vec<u32>, Rating); 2] = [
            ("Rated most likely", &summary.most_likely, |n| {
                n.likelihood.map(Term::name)
            }),
            ("Rated largest", &summary.largest, |n| {
                n.magnitude.map(Term::name)
            }),
        ];
        if html {
            let _ = write!(
                out,
                "<h2>Summary</h2><p>{} effects, proposed by {}.</p><table><tr><th>Order</th><th>Increases</th><th>Decreases</th><th>Ambiguous</th><th>Not rated</th></tr>",
                summary.effects,
                escape(&participants(&summary.participants))
            );
            for row in &summary.by_order {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    order_name(row.order),
                    row.increases,
                    row.decreases,
                    row.ambiguous,
                    row.unrated
                );
            }
            out.push_str("</table>");
            for (title, ids, pick) in rated {
                if !ids.is_empty() {
                    let _ = write!(out, "<h3>{title}</h3><ol>");
                    for id in ids {
                        let _ = write!(
                            out,
                            "<li>{} ({})</li>",
                            escape(&name(id)),
                            escape(detail(id, pick))
                        );
                    }
                    out.push_str("</ol>");
                }
            }
            if let Some(net) = net {
                let _ = write!(out, "<h3>Net effect</h3><p>{}</p>", escape(&net.sentence()));
            }
            return;
        }
        let _ = writeln!(
            out,
            "## Summary\n\n{} effects, proposed by {}.\n\n| Order | Increases | Decreases | Ambiguous | Not rated |\n|---|---:|---:|---:|---:|",
            summary.effects,
            participants(&summary.participants)
        );
        for row in &summary.by_order {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                order_name(row.order),
                row.increases,
                row.decreases,
                row.ambiguous,
                row.unrated
            );
        }
        for (title, ids, pick) in rated {
            if !ids.is_empty() {
                let _ = write!(out, "\n{title}:\n\n");
                for (i, id) in ids.iter().enumerate() {
                    let _ = writeln!(out, "{}. {} ({})", i + 1, name(id), detail(id, pick));
                }
            }
        }
        if let Some(net) = net {
            let _ = writeln!(out, "\nNet effect: {}", net.sentence());
        }
    }

    fn write_outline(&self, out: &mut String, parent: Option<u32>, depth: usize) {
        if depth > 64 {
            return;
        }
        for node in self.children(parent) {
            let mut tags: Vec<String> = Vec::new();
            if let Some(effect) = node.effect {
                tags.push(effect.code().to_owned());
            }
            for tag in [
                node.direction.map(Term::name),
                node.magnitude.map(Term::name),
                node.likelihood.map(Term::name),
                node.resource.map(Term::name),
            ]
            .into_iter()
            .flatten()
            {
                tags.push(tag.to_owned());
            }
            if !node.by.is_empty() {
                tags.push(format!("proposed by {}", node.by.join(", ")));
            }
            let _ = writeln!(
                out,
                "{}- {}{}",
                "  ".repeat(depth),
                node.text,
                if tags.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", tags.join("; "))
                }
            );
            self.write_outline(out, Some(node.id), depth + 1);
        }
    }
}

/// One of a node's ratings, by name.
type Rating = fn(&WorkshopNode) -> Option<&'static str>;

fn participants(names: &[String]) -> String {
    if names.is_empty() {
        "no one named".to_owned()
    } else {
        names.join(", ")
    }
}

fn order_name(order: &str) -> &'static str {
    match order {
        "O1" => "First order (the AI's own footprint)",
        "O2" => "Second order (its application)",
        "O3" => "Higher order (rebound, structural)",
        "EV" => "Evaluation flags",
        _ => "Not classified (no card)",
    }
}

/// Magnitude classes from least to most: the rebound classes by RE, then the shares of the
/// claimed benefit.
fn magnitude_rank(magnitude: Option<Magnitude>) -> usize {
    let Some(magnitude) = magnitude else { return 0 };
    match magnitude.code() {
        "super_conservation" | "zero_rebound" | "negligible" => 1,
        "partial_rebound" | "minor" => 2,
        "full_rebound" | "major" => 3,
        "backfire" | "dominant" => 4,
        _ => 0,
    }
}

fn clean_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    out.dedup();
    out
}

/// Effects of one order, by direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct OrderCount {
    /// `O1`, `O2`, `O3`, `EV` or `–`.
    pub order: &'static str,
    /// Increasing impact.
    pub increases: usize,
    /// Decreasing impact.
    pub decreases: usize,
    /// Ambiguous.
    pub ambiguous: usize,
    /// No direction yet.
    pub unrated: usize,
}

impl OrderCount {
    /// All of them.
    pub fn total(&self) -> usize {
        self.increases + self.decreases + self.ambiguous + self.unrated
    }
}

/// A workshop's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Effects on the board.
    pub effects: usize,
    /// Counts by order and direction.
    pub by_order: Vec<OrderCount>,
    /// The three effects rated most likely (ids).
    pub most_likely: Vec<u32>,
    /// The three effects rated largest (ids).
    pub largest: Vec<u32>,
    /// Everyone named as proposing an effect.
    pub participants: Vec<String>,
}

/// The net effect of an attached scenario on one criterion, from its Monte Carlo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetEffect {
    /// The scenario.
    pub scenario: String,
    /// The criterion's name.
    pub criterion: String,
    /// Its unit.
    pub unit: String,
    /// Δ(M2|M1): 5 %, median, 95 %.
    pub delta: [f64; 3],
    /// After rebound, when the scenario declares one: 5 %, median, 95 %.
    pub after_rebound: Option<[f64; 3]>,
    /// P(net benefit) after rebound, or P(M2 better) without rebound.
    pub p_benefit: f64,
}

impl NetEffect {
    /// In one sentence.
    pub fn sentence(&self) -> String {
        let range = |r: &[f64; 3]| {
            format!(
                "{} {} (5–95 %: {} to {})",
                crate::quantity::num(r[1]),
                self.unit,
                crate::quantity::num(r[0]),
                crate::quantity::num(r[2])
            )
        };
        match &self.after_rebound {
            Some(after) => format!(
                "scenario \"{}\", {}: Δ(M2|M1) {} before rebound, {} after; P(net benefit) {:.0} %.",
                self.scenario,
                self.criterion,
                range(&self.delta),
                range(after),
                100.0 * self.p_benefit
            ),
            None => format!(
                "scenario \"{}\", {}: Δ(M2|M1) {}; P(M2 better) {:.0} % (no rebound declared).",
                self.scenario,
                self.criterion,
                range(&self.delta),
                100.0 * self.p_benefit
            ),
        }
    }
}

/// A workshop being edited, with its undo history.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Editing {
    /// The workshop as it is now.
    pub workshop: Option<Workshop>,
    undo: Vec<Workshop>,
}

impl Editing {
    /// Starts editing `workshop` with an empty history.
    pub fn of(workshop: Workshop) -> Self {
        Self {
            workshop: Some(workshop),
            undo: Vec::new(),
        }
    }

    /// Applies a change; on success it can be undone.
    pub fn apply(&mut self, edit: Edit) -> Result<Option<u32>> {
        let Some(workshop) = self.workshop.as_mut() else {
            return Err(Error::invalid("workshop", "(none)", "a workshop open"));
        };
        let before = workshop.clone();
        let done = workshop.apply(edit)?;
        self.undo.push(before);
        Ok(done)
    }

    /// Takes the last change back; `false` when there is none.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(before) => {
                self.workshop = Some(before);
                true
            }
            None => false,
        }
    }

    /// Changes that can be undone.
    pub fn undoable(&self) -> usize {
        self.undo.len()
    }
}

/// The templates a workshop can start from: `(id, what it is)`.
pub const TEMPLATES: [(&str, &str); 2] = [
    (
        "heating",
        "AI-optimised heating: the footprint of the devices and servers, the saving claimed, and the rebounds a room usually raises",
    ),
    (
        "blank",
        "The three first-order effects of any AI service and the main effect claimed, to fill in",
    ),
];

/// A workshop from a template: `solution` and `scale` name the root.
pub fn from_template(
    template: &str,
    name: &str,
    solution: &str,
    scale: Option<AssessmentScale>,
) -> Result<Workshop> {
    let mut w = Workshop::new(
        name,
        ConsequenceRoot {
            solution: solution.trim().to_owned(),
            scale,
        },
    );
    if w.root.solution.is_empty() {
        return Err(Error::invalid(
            "solution",
            "(empty)",
            "the solution deployed",
        ));
    }
    let mut add =
        |parent: Option<u32>, effect: EffectCode, text: &str, direction: Option<Direction>| {
            let id = w.next_id();
            let mut node = WorkshopNode::new(id, parent, text);
            node.effect = Some(effect);
            node.direction = direction;
            w.nodes.push(node);
            id
        };
    let up = Some(Direction::IncreasesImpact);
    let down = Some(Direction::DecreasesImpact);
    match template {
        "heating" => {
            add(
                None,
                EffectCode::FoMan,
                "Thermostats, sensors and gateways made for every home",
                up,
            );
            add(
                None,
                EffectCode::FoUse,
                "Servers and networks run the model",
                up,
            );
            let saving = add(
                None,
                EffectCode::SoOpt,
                "Less gas and electricity burnt for the same comfort",
                down,
            );
            add(
                Some(saving),
                EffectCode::HoRbDir,
                "Warmer rooms, longer heating hours",
                up,
            );
            add(
                Some(saving),
                EffectCode::HoRbInd,
                "Lower bills spent on other things",
                up,
            );
            add(
                None,
                EffectCode::FoEol,
                "Devices replaced and discarded",
                up,
            );
        }
        "blank" => {
            add(None, EffectCode::FoMan, "Hardware made for the service", up);
            add(
                None,
                EffectCode::FoUse,
                "Electricity of training and inference",
                up,
            );
            add(None, EffectCode::FoEol, "Hardware at its end of life", up);
            add(None, EffectCode::SoOpt, "The main effect claimed", None);
        }
        other => {
            return Err(Error::invalid(
                "template",
                other,
                TEMPLATES.map(|(id, _)| id).join(", "),
            ));
        }
    }
    Ok(w)
}

/// A workshop from a record's consequence tree (the risks a reader may see): each risk an
/// effect with its ratings, its reviewer as the one who proposed it.
pub fn from_tree(name: &str, tree: &ConsequenceTree) -> Workshop {
    fn walk(w: &mut Workshop, parent: Option<u32>, nodes: &[TreeNode]) {
        for n in nodes {
            let id = w.next_id();
            let effect = EffectCode::from_code(&n.effect).ok();
            let text = if n.mechanism.trim().is_empty() {
                n.effect_name.clone()
            } else {
                format!("{}: {}", n.effect_name, n.mechanism.trim())
            };
            let mut node = WorkshopNode::new(id, parent, text);
            node.effect = effect;
            node.direction = n.direction.and_then(|c| Direction::from_code(c).ok());
            node.magnitude = n.magnitude.and_then(|c| Magnitude::from_code(c).ok());
            node.likelihood = n.likelihood.and_then(|c| Likelihood::from_code(c).ok());
            node.resource = n
                .edge_resource
                .and_then(|c| MechanismResource::from_code(c).ok());
            node.by = clean_names(std::slice::from_ref(&n.reviewer));
            w.nodes.push(node);
            walk(w, Some(id), &n.children);
        }
    }
    let mut w = Workshop::new(name, tree.root.clone());
    walk(&mut w, None, &tree.children);
    w
}

/// The prompts a facilitator asks the room, with where they come from.
pub const PROMPTS: [(&str, &str); 6] = [
    (
        "What becomes cheaper, faster or easier, and for whom?",
        "direct rebound",
    ),
    (
        "What will they do with the money, time or space saved?",
        "indirect, time and space rebound (Girod et al.)",
    ),
    (
        "What new uses, purchases or infrastructure does it require or invite?",
        "induction, infrastructure",
    ),
    ("What is replaced before its end of life?", "obsolescence"),
    (
        "Does it speed up an extractive activity or extend a fossil asset?",
        "acceleration, lock-in",
    ),
    (
        "Is the baseline realistic, and how does the result fit sector reduction pathways?",
        "baseline (Rasoldier et al.)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn heating() -> Workshop {
        from_template(
            "heating",
            "Heating",
            "AI-optimised heating in 1 million homes",
            Some(AssessmentScale::Country),
        )
        .unwrap()
    }

    #[test]
    fn a_template_gives_the_l1480_structure_and_edits_keep_the_tree_whole() {
        let mut editing = Editing::of(heating());
        let w = editing.workshop.as_ref().unwrap();
        assert_eq!(w.children(None).len(), 4);
        let saving = w
            .nodes
            .iter()
            .find(|n| n.effect == Some(EffectCode::SoOpt))
            .unwrap()
            .id;
        assert_eq!(w.children(Some(saving)).len(), 2);
        // Add under the saving, then move it under the direct rebound.
        let added = editing
            .apply(Edit::Add {
                parent: Some(saving),
                effect: None,
                text: "Heated conservatories".into(),
                by: vec![" Maya ".into(), String::new()],
            })
            .unwrap()
            .unwrap();
        let w = editing.workshop.as_ref().unwrap();
        assert_eq!(w.node(added).unwrap().by, ["Maya"]);
        assert_eq!(w.node(added).unwrap().order(), "–");
        let direct = w
            .nodes
            .iter()
            .find(|n| n.effect == Some(EffectCode::HoRbDir))
            .unwrap()
            .id;
        editing
            .apply(Edit::Move {
                node: added,
                parent: Some(direct),
            })
            .unwrap();
        assert_eq!(
            editing
                .workshop
                .as_ref()
                .unwrap()
                .node(added)
                .unwrap()
                .parent,
            Some(direct)
        );
        // A node cannot go under what follows from it.
        let error = editing
            .apply(Edit::Move {
                node: saving,
                parent: Some(added),
            })
            .unwrap_err();
        assert!(error.to_string().contains("does not follow"), "{error}");
        assert_eq!(
            editing.undoable(),
            2,
            "a refused change is not in the history"
        );
        // Undo takes the move back, then the addition.
        assert!(editing.undo());
        assert_eq!(
            editing
                .workshop
                .as_ref()
                .unwrap()
                .node(added)
                .unwrap()
                .parent,
            Some(saving)
        );
        assert!(editing.undo());
        assert!(editing.workshop.as_ref().unwrap().node(added).is_none());
        assert!(!editing.undo());
        // Removing the saving removes what follows from it.
        editing.apply(Edit::Remove(saving)).unwrap();
        assert_eq!(editing.workshop.as_ref().unwrap().nodes.len(), 3);
    }

    #[test]
    fn the_summary_counts_by_order_and_direction_and_ranks_the_rated() {
        let mut w = heating();
        let direct = w
            .nodes
            .iter()
            .find(|n| n.effect == Some(EffectCode::HoRbDir))
            .unwrap()
            .clone();
        w.apply(Edit::Set(Box::new(WorkshopNode {
            likelihood: Some(Likelihood::Likely),
            magnitude: Some(Magnitude::from_code("major").unwrap()),
            by: vec!["Ana".into()],
            ..direct
        })))
        .unwrap();
        let summary = w.summary();
        assert_eq!(summary.effects, 6);
        let o1 = summary.by_order.iter().find(|r| r.order == "O1").unwrap();
        assert_eq!((o1.increases, o1.total()), (3, 3));
        let o3 = summary.by_order.iter().find(|r| r.order == "O3").unwrap();
        assert_eq!(o3.increases, 2);
        assert_eq!(summary.most_likely, [direct.id]);
        assert_eq!(summary.largest, [direct.id]);
        assert_eq!(summary.participants, ["Ana"]);
        let md = w.markdown(None);
        assert!(
            md.contains("| Higher order (rebound, structural) | 2 | 0 | 0 | 0 |"),
            "{md}"
        );
        assert!(
            md.contains("  - Warmer rooms, longer heating hours (HO.RB.DIR; "),
            "{md}"
        );
        let html = w.html(None);
        assert!(
            html.contains("<svg") && html.contains("Warmer rooms"),
            "{html}"
        );
    }

    #[test]
    fn json_goes_back_to_the_same_workshop_and_bad_files_are_named() {
        let w = heating();
        let again = Workshop::from_json(&w.json()).unwrap();
        assert_eq!(again, w);
        let mut cyclic = w.clone();
        cyclic.nodes[0].parent = Some(cyclic.nodes[0].id);
        let error = Workshop::from_json(&cyclic.json()).unwrap_err().to_string();
        assert!(error.contains("parent"), "{error}");
        let error = Workshop::from_json("{\"name\": 3}")
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 1"), "{error}");
    }
}
