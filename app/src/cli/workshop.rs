//! `ecolens workshop …`: trees of consequences built with a room (see `service::workshop`).

// clap shows these doc comments as --help text, where backticks would print as they are.
#![allow(clippy::doc_markdown)]

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use ecolens_core::Project;
use ecolens_core::workshop::{TEMPLATES, Workshop};
use ecolens_taxonomy::{AssessmentScale, Term};

use super::{Keyboard, Output};
use crate::service::corpus::record as find;
use crate::service::workshop as service;

/// Workshops.
#[derive(Debug, Subcommand)]
pub enum WorkshopCommand {
    /// The project's workshops.
    List,
    /// Start a workshop from a template (heating, blank): "deploy SOLUTION at SCALE" and the
    /// template's first effects.
    New {
        /// Its name.
        name: String,
        /// The template.
        #[arg(long, default_value = "blank")]
        template: String,
        /// The AI service deployed ("AI-optimised heating in 1 million homes").
        #[arg(long)]
        solution: String,
        /// The scale: user_or_site, organisation, city, country or global.
        #[arg(long)]
        scale: Option<String>,
    },
    /// Start a workshop from a record's consequence tree (the risks you may see).
    FromRecord {
        /// The record: id, DOI, pmid:N or arxiv:ID.
        record: String,
        /// The workshop's name.
        #[arg(long)]
        name: String,
    },
    /// Print a workshop as an outline with its summary.
    Show {
        /// Its name.
        name: String,
    },
    /// Attach an LCA scenario of the project (by name): the summary gives its net effect.
    Attach {
        /// The workshop.
        name: String,
        /// The scenario's name.
        #[arg(long)]
        scenario: String,
    },
    /// Write the handout into a folder: the tree as SVG, the summary as Markdown and HTML, and
    /// the JSON to load it again.
    Export {
        /// The workshop.
        name: String,
        /// The folder.
        #[arg(long)]
        to: PathBuf,
    },
    /// Load a workshop's JSON (a handout's .json) into the project.
    Import {
        /// The file.
        file: PathBuf,
    },
}

fn line(w: &Workshop) -> String {
    format!(
        "{} — {} ({} effects{})",
        w.name,
        w.root.label(),
        w.nodes.len(),
        w.scenario
            .as_ref()
            .map(|s| format!(", scenario {s}"))
            .unwrap_or_default()
    )
}

/// `ecolens workshop …`.
pub fn run(
    project: &mut Project,
    keyboard: &Keyboard<'_>,
    command: WorkshopCommand,
) -> Result<Output> {
    let shown = |w: &Workshop, text: String| -> Result<Output> {
        Ok(Output {
            json: serde_json::to_value(w)?,
            text,
            failed: false,
        })
    };
    match command {
        WorkshopCommand::List => {
            let all = service::list(project)?;
            let mut text = String::new();
            for w in &all {
                writeln!(text, "{}", line(w))?;
            }
            if all.is_empty() {
                writeln!(
                    text,
                    "No workshop yet. Templates: {}",
                    TEMPLATES.map(|(id, _)| id).join(", ")
                )?;
            }
            Ok(Output {
                json: serde_json::to_value(&all)?,
                text,
                failed: false,
            })
        }
        WorkshopCommand::New {
            name,
            template,
            solution,
            scale,
        } => {
            let scale = scale
                .map(|s| {
                    AssessmentScale::from_code(&s)
                        .map_err(|e| ecolens_core::Error::unknown_code("scale", &e))
                })
                .transpose()?;
            let w = service::from_template(project, &template, &name, &solution, scale)?;
            let text = format!("{}\n", line(&w));
            shown(&w, text)
        }
        WorkshopCommand::FromRecord { record, name } => {
            let reader = keyboard.reader(project)?;
            let id = find(project, &record)?;
            let w = service::from_record(project, reader, id, &name)?;
            let text = format!("{}\n", line(&w));
            shown(&w, text)
        }
        WorkshopCommand::Show { name } => {
            let w = service::open(project, &name)?;
            let net = service::net_effect(project, &w)?;
            shown(&w, w.markdown(net.as_ref()))
        }
        WorkshopCommand::Attach { name, scenario } => {
            let mut w = service::open(project, &name)?;
            w.scenario = Some(scenario);
            let net = service::net_effect(project, &w)?;
            service::save(project, &w)?;
            let text = format!(
                "{}\n{}\n",
                line(&w),
                net.map(|n| n.sentence()).unwrap_or_default()
            );
            shown(&w, text)
        }
        WorkshopCommand::Export { name, to } => {
            let w = service::open(project, &name)?;
            let files = service::export(project, &w, &to)?;
            let mut text = String::new();
            for f in &files {
                writeln!(text, "wrote {}", f.display())?;
            }
            Ok(Output {
                json: serde_json::to_value(&files)?,
                text,
                failed: false,
            })
        }
        WorkshopCommand::Import { file } => {
            let w = service::import(project, &file)?;
            let text = format!("{}\n", line(&w));
            shown(&w, text)
        }
    }
}
