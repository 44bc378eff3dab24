//! Workshops: a tree of consequences built live with a room (`ecolens_core::workshop`),
//! started from a template or from a record's own tree, kept in the project, and exported for
//! the handout.

use std::path::{Path, PathBuf};

use ecolens_core::lca::{Scenario, evaluate, monte_carlo};
use ecolens_core::workshop::{self as core_workshop, NetEffect, Workshop};
use ecolens_core::{Project, RecordId, ReviewerId};
use ecolens_taxonomy::AssessmentScale;

use super::{Error, Result, write_text};

/// Monte Carlo runs behind a workshop's net effect.
pub const NET_RUNS: usize = 10_000;

/// The project's workshops.
pub fn list(project: &Project) -> Result<Vec<Workshop>> {
    Ok(project.workshops()?)
}

/// One workshop by name.
pub fn open(project: &Project, name: &str) -> Result<Workshop> {
    project.workshop(name)?.ok_or_else(|| Error::Invalid {
        field: "workshop",
        value: name.to_owned(),
        expected: "the name of a workshop of this project (ecolens workshop list)".to_owned(),
    })
}

/// A new workshop from a template, saved in the project; refused when the name is taken.
pub fn from_template(
    project: &mut Project,
    template: &str,
    name: &str,
    solution: &str,
    scale: Option<AssessmentScale>,
) -> Result<Workshop> {
    refuse_taken(project, name)?;
    let workshop = core_workshop::from_template(template, name, solution, scale)?;
    project.save_workshop(&workshop)?;
    Ok(workshop)
}

/// A new workshop from a record's consequence tree as `reader` may see it, saved.
pub fn from_record(
    project: &mut Project,
    reader: Option<ReviewerId>,
    record: RecordId,
    name: &str,
) -> Result<Workshop> {
    refuse_taken(project, name)?;
    let tree = super::review::tree(project, reader, record)?;
    let workshop = core_workshop::from_tree(name, &tree);
    project.save_workshop(&workshop)?;
    Ok(workshop)
}

fn refuse_taken(project: &Project, name: &str) -> Result<()> {
    if project.workshop(name)?.is_some() {
        return Err(Error::Invalid {
            field: "workshop",
            value: name.to_owned(),
            expected: "a name no workshop of this project has".to_owned(),
        });
    }
    Ok(())
}

/// Saves a workshop (replacing the one of its name).
pub fn save(project: &mut Project, workshop: &Workshop) -> Result<()> {
    Ok(project.save_workshop(workshop)?)
}

/// Reads a workshop's JSON file (a handout's `.json`) into the project.
pub fn import(project: &mut Project, path: &Path) -> Result<Workshop> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "cannot read",
        path: path.to_owned(),
        source,
    })?;
    let workshop = Workshop::from_json(&text).map_err(|e| Error::Invalid {
        field: "file",
        value: path.display().to_string(),
        expected: e.to_string(),
    })?;
    project.save_workshop(&workshop)?;
    Ok(workshop)
}

/// The net effect of the workshop's attached scenario (any stored scenario of that name) on
/// its first criterion, from a seeded Monte Carlo; `None` without one.
pub fn net_effect(project: &Project, workshop: &Workshop) -> Result<Option<NetEffect>> {
    let Some(name) = &workshop.scenario else {
        return Ok(None);
    };
    let stored = project.scenarios(None)?;
    let found = stored
        .iter()
        .find(|s| &s.name == name)
        .ok_or_else(|| Error::Invalid {
            field: "workshop.scenario",
            value: name.clone(),
            expected: "the name of an LCA scenario stored in this project".to_owned(),
        })?;
    let scenario = Scenario::from_toml(&found.toml)?;
    let traces = super::assess::trace_energies(project)?;
    let lookup = |id: i64| traces.get(&id).copied();
    let e = evaluate(&scenario, &lookup)?;
    let mc = monte_carlo(&scenario, &lookup, NET_RUNS, 1)?;
    let (Some(c), Some(m)) = (e.criteria.first(), mc.criteria.first()) else {
        return Ok(None);
    };
    let three = |i: &ecolens_core::lca::Interval| [i.p5, i.median, i.p95];
    Ok(Some(NetEffect {
        scenario: name.clone(),
        criterion: ecolens_core::report::criterion_name(&c.code),
        unit: c.unit.clone(),
        delta: three(&m.delta),
        after_rebound: m.rebound.as_ref().map(|r| three(&r.delta_after)),
        p_benefit: m
            .rebound
            .as_ref()
            .map_or(m.p_m2_better, |r| r.p_net_benefit),
    }))
}

/// Writes the handout into `dir`: the tree as SVG, the summary as Markdown and HTML, and the
/// JSON to reload next time; returns the files written.
pub fn export(project: &Project, workshop: &Workshop, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "cannot create",
        path: dir.to_owned(),
        source,
    })?;
    let net = net_effect(project, workshop)?;
    let stem = slug(&workshop.name);
    let files = [
        ("svg", workshop.svg()),
        ("md", workshop.markdown(net.as_ref())),
        ("html", workshop.html(net.as_ref())),
        ("json", workshop.json()),
    ];
    let mut written = Vec::new();
    for (extension, content) in files {
        let path = dir.join(format!("{stem}.{extension}"));
        write_text(&path, &content)?;
        written.push(path);
    }
    Ok(written)
}

/// A file name from a workshop's name: letters and digits, the rest as `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        "workshop".to_owned()
    } else {
        out
    }
}
