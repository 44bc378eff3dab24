//! Opening a project, who is who in it, what it holds and its vocabularies.

use std::path::Path;

use ecolens_core::{Project, ProjectInfo, ProjectLabel, Reviewer, ReviewerId, Visibility};
use ecolens_taxonomy::{GUIDING_QUESTIONS, GuidingQuestion, VocabularyView, shipped_vocabularies};
use serde::Serialize;

use super::{Error, Result};

/// A project just opened, and what opening it did.
#[derive(Debug)]
pub struct Opened {
    /// The open project.
    pub project: Project,
    /// Whether this open created the file.
    pub created: bool,
    /// Records added from the demo corpus when the project was created with it.
    pub demo_records: Option<usize>,
}

/// Opens the project at `path`, creating it if needed; a created project receives the demo
/// corpus when `with_demo` (only the default project does: a review's own project starts
/// empty, and [`add_demo`] adds the demo to any project on request).
pub fn open(path: &Path, with_demo: bool) -> Result<Opened> {
    let mut project = Project::open(path)?;
    let created = project.was_created();
    let demo_records = if created && with_demo {
        Some(ecolens_corpus::demo::install_demo(&mut project)?.added)
    } else {
        None
    };
    Ok(Opened {
        project,
        created,
        demo_records,
    })
}

/// Adds the demo corpus to the project (what is already there is not added twice) and brings
/// the search index up to date.
pub fn add_demo(
    project: &mut Project,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<ecolens_corpus::demo::DemoAdded> {
    let added = ecolens_corpus::demo::install_demo(project)?;
    super::corpus::index_after_import(project, cancel)?;
    Ok(added)
}

/// The reviewer of that name, or [`Error::UnknownReviewer`] listing who there is.
pub fn reviewer_named(project: &Project, name: &str) -> Result<Reviewer> {
    project.reviewer_by_name(name).map_err(|error| match error {
        ecolens_core::Error::NotFound { .. } => Error::UnknownReviewer {
            name: name.to_owned(),
            known: project
                .reviewers()
                .unwrap_or_default()
                .into_iter()
                .map(|r| r.name)
                .collect(),
        },
        other => other.into(),
    })
}

/// What `reader` may see of reviewers' judgements (none named: what anyone may).
pub fn seen_by(project: &Project, reader: Option<ReviewerId>) -> Result<Visibility> {
    Ok(project.visibility(reader)?)
}

/// The reviewer who makes a change, who must be named.
pub fn author(reader: Option<ReviewerId>, action: &'static str) -> Result<ReviewerId> {
    reader.ok_or(Error::NeedsReviewer { action })
}

/// What `ecolens info` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Info {
    /// Counts and identity (judgements as the reader may count them).
    #[serde(flatten)]
    pub info: ProjectInfo,
    /// The demo corpus's version, if the project has it.
    pub demo_corpus_version: Option<String>,
}

/// Counts and identity of the project, the judgements counted as `reader` may see them.
pub fn info(project: &Project, reader: Option<ReviewerId>) -> Result<Info> {
    let seen = seen_by(project, reader)?;
    Ok(Info {
        info: project.info(&seen)?,
        demo_corpus_version: project.meta("demo_corpus_version")?,
    })
}

/// Every vocabulary (shipped and the project's), or only the one with id `only`.
pub fn vocabularies(project: &Project, only: Option<&str>) -> Result<Vec<VocabularyView>> {
    let mut vocabularies = shipped_vocabularies();
    vocabularies.extend(project.project_vocabularies()?);
    if let Some(id) = only {
        let known: Vec<String> = vocabularies.iter().map(|v| v.id.clone()).collect();
        vocabularies.retain(|v| v.id == id);
        if vocabularies.is_empty() {
            return Err(Error::Invalid {
                field: "vocabulary",
                value: id.to_owned(),
                expected: format!("one of the known vocabularies: {}", known.join(", ")),
            });
        }
    }
    Ok(vocabularies)
}

/// The a–f scale's guiding questions.
pub fn guiding_questions() -> &'static [GuidingQuestion] {
    &GUIDING_QUESTIONS
}

/// A change to a project vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelChange {
    /// A new vocabulary.
    NewVocabulary {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// What it is for.
        description: String,
    },
    /// A new entry.
    Add(ProjectLabel),
    /// An entry retired.
    Retire {
        /// The vocabulary.
        vocabulary: String,
        /// The entry.
        code: String,
    },
}

/// What a change to a vocabulary did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelChanged {
    /// The vocabulary.
    pub vocabulary: String,
    /// The entry, for entries.
    pub code: Option<String>,
    /// `created`, `added` or `retired`.
    pub action: &'static str,
    /// The vocabulary's version now.
    pub version: u32,
}

/// Changes a project vocabulary.
pub fn change_labels(project: &mut Project, change: LabelChange) -> Result<LabelChanged> {
    let (vocabulary, code, action) = match change {
        LabelChange::NewVocabulary {
            id,
            name,
            description,
        } => {
            project.add_project_vocabulary(&id, &name, &description)?;
            (id, None, "created")
        }
        LabelChange::Add(label) => {
            project.add_project_label(&label)?;
            (label.vocabulary, Some(label.code), "added")
        }
        LabelChange::Retire { vocabulary, code } => {
            project.retire_project_label(&vocabulary, &code)?;
            (vocabulary, Some(code), "retired")
        }
    };
    let version = project
        .project_vocabularies()?
        .into_iter()
        .find(|v| v.id == vocabulary)
        .map(|v| v.version)
        .unwrap_or_default();
    Ok(LabelChanged {
        vocabulary,
        code,
        action,
        version,
    })
}
