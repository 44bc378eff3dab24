//! Project vocabularies: lists a review team edits itself (exclusion reasons, tags, its own
//! coding schemes). Each change bumps the vocabulary's version, which labels store with their
//! code.

use ecolens_taxonomy::{EntryView, VocabularyView};
use rusqlite::{OptionalExtension, Transaction, params};

use super::audit::{Change, log};
use super::{Project, query_all, to_json_value};
use crate::audit::{AuditAction, EntityKind};
use crate::error::{Error, Result, SqlContext};
use crate::review::{ProjectLabel, validate_code};

impl Project {
    /// Creates a project vocabulary.
    pub fn add_project_vocabulary(
        &mut self,
        id: &str,
        name: &str,
        description: &str,
    ) -> Result<()> {
        validate_code("vocabulary.id", id)?;
        if ecolens_taxonomy::shipped_vocabularies()
            .iter()
            .any(|v| v.id == id)
        {
            return Err(Error::invalid(
                "vocabulary.id",
                id,
                "an id not used by a vocabulary shipped with ecolens",
            ));
        }
        if name.trim().is_empty() {
            return Err(Error::invalid("vocabulary.name", name, "a non-empty name"));
        }
        let tx = self
            .conn
            .transaction()
            .context("starting to add a vocabulary")?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM label_vocabulary WHERE id = ?1)",
                [id],
                |row| row.get(0),
            )
            .context("looking up a vocabulary")?;
        if exists {
            return Err(Error::AlreadyExists {
                entity: "project vocabulary",
                key: id.to_owned(),
            });
        }
        tx.execute(
            "INSERT INTO label_vocabulary (id, name, description, version) VALUES (?1, ?2, ?3, 1)",
            params![id, name.trim(), description.trim()],
        )
        .context("adding a vocabulary")?;
        tx.commit().context("committing a vocabulary")?;
        Ok(())
    }

    /// Adds an entry to a project vocabulary and bumps its version.
    pub fn add_project_label(&mut self, label: &ProjectLabel) -> Result<()> {
        validate_code("label.code", &label.code)?;
        if label.name.trim().is_empty() {
            return Err(Error::invalid(
                "label.name",
                &label.name,
                "a non-empty name",
            ));
        }
        let tx = self.conn.transaction().context("starting to add a label")?;
        require_vocabulary(&tx, &label.vocabulary)?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM project_label WHERE vocabulary = ?1 AND code = ?2)",
                [&label.vocabulary, &label.code],
                |row| row.get(0),
            )
            .context("looking up a label")?;
        if exists {
            return Err(Error::AlreadyExists {
                entity: "label",
                key: format!("{}:{}", label.vocabulary, label.code),
            });
        }
        tx.execute(
            "INSERT INTO project_label (vocabulary, code, name, definition, example, source, retired, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0,
               (SELECT coalesce(max(position), -1) + 1 FROM project_label WHERE vocabulary = ?1))",
            params![
                label.vocabulary,
                label.code,
                label.name.trim(),
                label.definition.trim(),
                label.example.trim(),
                if label.source.trim().is_empty() { "project" } else { label.source.trim() },
            ],
        )
        .context("adding a label")?;
        bump_version(&tx, &label.vocabulary)?;
        log(
            &tx,
            None,
            &Change {
                entity: EntityKind::ProjectLabel,
                key: format!("{}:{}", label.vocabulary, label.code),
                record: None,
                action: AuditAction::Create,
                old: None,
                new: Some(to_json_value(
                    "label",
                    &ProjectLabel {
                        retired: false,
                        ..label.clone()
                    },
                )?),
            },
            None,
        )?;
        tx.commit().context("committing a label")?;
        Ok(())
    }

    /// Retires an entry: labels that use it stay readable, new uses are refused. Bumps the
    /// vocabulary's version.
    pub fn retire_project_label(&mut self, vocabulary: &str, code: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .context("starting to retire a label")?;
        require_vocabulary(&tx, vocabulary)?;
        let changed = tx
            .execute(
                "UPDATE project_label SET retired = 1 WHERE vocabulary = ?1 AND code = ?2 AND retired = 0",
                [vocabulary, code],
            )
            .context("retiring a label")?;
        if changed == 0 {
            return Err(Error::NotFound {
                entity: "current label",
                key: format!("{vocabulary}:{code}"),
            });
        }
        bump_version(&tx, vocabulary)?;
        log(
            &tx,
            None,
            &Change {
                entity: EntityKind::ProjectLabel,
                key: format!("{vocabulary}:{code}"),
                record: None,
                action: AuditAction::Update,
                old: Some(serde_json::json!({ "retired": false })),
                new: Some(serde_json::json!({ "retired": true })),
            },
            None,
        )?;
        tx.commit().context("committing a retired label")?;
        Ok(())
    }

    /// The entries of a project vocabulary, retired ones included, in list order.
    pub fn project_labels(&self, vocabulary: &str) -> Result<Vec<ProjectLabel>> {
        query_all(
            &self.conn,
            "SELECT vocabulary, code, name, definition, example, source, retired FROM project_label
             WHERE vocabulary = ?1 ORDER BY position, code",
            [vocabulary],
            "listing labels",
            |row| {
                Ok(ProjectLabel {
                    vocabulary: row.get(0)?,
                    code: row.get(1)?,
                    name: row.get(2)?,
                    definition: row.get(3)?,
                    example: row.get(4)?,
                    source: row.get(5)?,
                    retired: row.get(6)?,
                })
            },
        )
    }

    /// Every project vocabulary with its current entries, as views like the shipped ones.
    pub fn project_vocabularies(&self) -> Result<Vec<VocabularyView>> {
        let heads: Vec<(String, String, String, u32)> = query_all(
            &self.conn,
            "SELECT id, name, description, version FROM label_vocabulary ORDER BY id",
            [],
            "listing project vocabularies",
            |row| row.try_into(),
        )?;
        heads
            .into_iter()
            .map(|(id, name, description, version)| {
                let entries = self
                    .project_labels(&id)?
                    .into_iter()
                    .filter(|label| !label.retired)
                    .map(|label| EntryView {
                        code: label.code,
                        name: label.name,
                        definition: label.definition,
                        example: label.example,
                        source: label.source,
                        attributes: Vec::new(),
                    })
                    .collect();
                Ok(VocabularyView {
                    id,
                    name,
                    version,
                    description,
                    source: "this project".into(),
                    project_defined: true,
                    entries,
                })
            })
            .collect()
    }
}

fn require_vocabulary(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.query_row("SELECT 1 FROM label_vocabulary WHERE id = ?1", [id], |_| {
        Ok(())
    })
    .optional()
    .context("looking up a vocabulary")?
    .ok_or_else(|| Error::NotFound {
        entity: "project vocabulary",
        key: id.to_owned(),
    })
}

fn bump_version(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.execute(
        "UPDATE label_vocabulary SET version = version + 1 WHERE id = ?1",
        [id],
    )
    .context("bumping a vocabulary version")?;
    Ok(())
}
