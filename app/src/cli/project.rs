//! `info`, `taxonomy` and `label`: what the project holds and its vocabularies.

use std::fmt::Write as _;

use anyhow::Result;
use ecolens_core::{Open, Project, ProjectLabel, Sees};
use ecolens_taxonomy::VocabularyView;
use serde::Serialize;

use super::{Keyboard, LabelCommand, Output};
use crate::service::project::{self as service, LabelChange, Opened};

#[derive(Serialize)]
struct InfoJson<'a> {
    #[serde(flatten)]
    info: &'a service::Info,
    created_now: bool,
}

/// `ecolens info`.
pub fn info(opened: &Opened, keyboard: &Keyboard<'_>) -> Result<Output> {
    let reader = keyboard.reader(&opened.project)?;
    let shown = service::info(&opened.project, reader)?;
    let json = serde_json::to_value(InfoJson {
        info: &shown,
        created_now: opened.created,
    })?;
    let info = &shown.info;
    let c = &info.counts;
    let mut text = String::new();
    let created = match (opened.created, opened.demo_records) {
        (true, Some(n)) => format!(" (created now, with the demo corpus of {n} records)"),
        (true, None) => " (created now, empty)".to_owned(),
        (false, _) => String::new(),
    };
    writeln!(
        text,
        "Project          {}{created}",
        info.project_path.display()
    )?;
    writeln!(text, "Search index     {}", info.index_path.display())?;
    writeln!(text, "Schema version   {}", info.schema_version)?;
    writeln!(text, "Project id       {}", info.project_id)?;
    writeln!(
        text,
        "Created          {} by {}",
        info.created_at, info.created_by
    )?;
    if let Some(version) = &shown.demo_corpus_version {
        writeln!(text, "Demo corpus      version {version}")?;
    }
    writeln!(
        text,
        "Records          {} ({} with full text)",
        c.records, c.full_texts
    )?;
    writeln!(text, "Reviewers        {}", c.reviewers)?;
    let whose = match (info.judgements_counted, keyboard.name) {
        (Sees::Everyone(Open::Unblinded | Open::NothingToHide | Open::LeadSeesAll), _) => "",
        (Sees::Own, Some(_)) => "  (yours; blind mode hides the others')",
        (Sees::Own, None) => "  (none shown: blind mode is on; --reviewer NAME counts yours)",
    };
    writeln!(text, "Screening votes  {}{whose}", c.screening_decisions)?;
    writeln!(text, "Classifications  {}{whose}", c.classifications)?;
    writeln!(text, "Rebound risks    {}{whose}", c.rebound_risks)?;
    writeln!(text, "Record labels    {}{whose}", c.record_labels)?;
    writeln!(text, "LCA scenarios    {}", c.lca_scenarios)?;
    writeln!(text, "Energy traces    {}", c.energy_traces)?;
    writeln!(text, "Audit entries    {}", c.audit_entries)?;
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens demo`.
pub fn demo(project: &mut Project) -> Result<Output> {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let added = service::add_demo(project, &cancel)?;
    let text = if added.added == 0 {
        format!(
            "The demo corpus is already in {}: its {} publications were not added again.\n",
            project.path().display(),
            added.already_present
        )
    } else if added.already_present == 0 {
        format!(
            "Added the demo corpus to {}: {} publications.\n",
            project.path().display(),
            added.added
        )
    } else {
        format!(
            "Added the demo corpus to {}: {} publications; {} were already in the project and were not added again.\n",
            project.path().display(),
            added.added,
            added.already_present
        )
    };
    Ok(Output {
        json: serde_json::json!({ "project": project.path(), "demo": added }),
        text,
        failed: false,
    })
}

/// `ecolens taxonomy [--vocabulary ID]`.
pub fn taxonomy(project: &Project, only: Option<&str>) -> Result<Output> {
    let vocabularies = service::vocabularies(project, only)?;
    let show_questions = vocabularies.iter().any(|v| v.id == "eval-scale");
    let json = serde_json::json!({
        "vocabularies": vocabularies,
        "eval_scale_questions": if show_questions { serde_json::to_value(service::guiding_questions())? } else { serde_json::Value::Null },
    });
    let mut text = String::new();
    for vocabulary in &vocabularies {
        vocabulary_text(&mut text, vocabulary)?;
        if vocabulary.id == "eval-scale" {
            writeln!(
                text,
                "  Guiding questions (the first \"no\" decides; five \"yes\" give f):"
            )?;
            for question in service::guiding_questions() {
                writeln!(
                    text,
                    "    {}. {}  [no → {}]",
                    question.step, question.text, question.if_no
                )?;
            }
            writeln!(text)?;
        }
    }
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

fn vocabulary_text(text: &mut String, vocabulary: &VocabularyView) -> Result<()> {
    let origin = if vocabulary.project_defined {
        "project"
    } else {
        "shipped"
    };
    writeln!(
        text,
        "{}@{} — {} ({origin})",
        vocabulary.id, vocabulary.version, vocabulary.name
    )?;
    if !vocabulary.description.is_empty() {
        writeln!(text, "  {}", vocabulary.description)?;
    }
    writeln!(text, "  Source: {}", vocabulary.source)?;
    let width = vocabulary
        .entries
        .iter()
        .map(|e| e.code.chars().count())
        .max()
        .unwrap_or(0);
    for entry in &vocabulary.entries {
        let attributes: Vec<_> = entry
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let attributes = if attributes.is_empty() {
            String::new()
        } else {
            format!("  [{}]", attributes.join(", "))
        };
        writeln!(text, "  {:width$}  {}{attributes}", entry.code, entry.name)?;
        if !entry.definition.is_empty() {
            writeln!(text, "  {:width$}    {}", "", entry.definition)?;
        }
    }
    if vocabulary.entries.is_empty() {
        writeln!(text, "  (no entries yet)")?;
    }
    writeln!(text)?;
    Ok(())
}

/// `ecolens label new-vocabulary|add|retire`.
pub fn label(project: &mut Project, command: LabelCommand) -> Result<Output> {
    let change = match command {
        LabelCommand::NewVocabulary {
            id,
            name,
            description,
        } => LabelChange::NewVocabulary {
            id,
            name,
            description,
        },
        LabelCommand::Add {
            vocabulary,
            code,
            name,
            definition,
            example,
        } => LabelChange::Add(ProjectLabel {
            vocabulary,
            code,
            name,
            definition,
            example,
            source: String::new(),
            retired: false,
        }),
        LabelCommand::Retire { vocabulary, code } => LabelChange::Retire { vocabulary, code },
    };
    let changed = service::change_labels(project, change)?;
    let text = match &changed.code {
        Some(code) => format!(
            "{}:{code} {}; {} is now at version {}\n",
            changed.vocabulary, changed.action, changed.vocabulary, changed.version
        ),
        None => format!(
            "vocabulary {} {} (version {})\n",
            changed.vocabulary, changed.action, changed.version
        ),
    };
    Ok(Output {
        json: serde_json::to_value(&changed)?,
        text,
        failed: false,
    })
}
