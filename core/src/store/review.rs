//! Reviewers, screening votes, classifications, risks and record labels.
//!
//! Each public write validates its input, checks what it refers to, writes the row and its audit
//! entry in one transaction. The `load_*`, `write_*` and `delete_*` helpers are shared with undo,
//! which restores earlier values without going through validation again (they were valid when
//! first written).

use ecolens_taxonomy::labels::EXCLUSION_REASON;
use ecolens_taxonomy::{EffectCode, Term, VocabularyView, shipped_vocabularies};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::audit::log_change;
use super::records::require_record;
use super::{Column, Project, now, query_all, to_json, touch};
use crate::audit::EntityKind;
use crate::error::{Error, Result, SqlContext};
use crate::ids::{RecordId, ReviewerId, RiskId};
use crate::record::QuoteField;
use crate::review::{
    Classification, Decision, ReboundRisk, Reviewer, ScreeningVote, Stage, StoredClassification,
    StoredRecordLabel, StoredRisk, StoredVote, validate_code, validate_reviewer_name,
};
use crate::visibility::Visibility;

impl Project {
    /// Starts a review write: a transaction, the record checked (when given), the author.
    pub(crate) fn begin_review(
        &mut self,
        what: &'static str,
        record: Option<RecordId>,
        reviewer: ReviewerId,
    ) -> Result<(Transaction<'_>, Reviewer)> {
        let tx = self.conn.transaction().context(what)?;
        if let Some(record) = record {
            require_record(&tx, record)?;
        }
        let author = require_reviewer(&tx, reviewer)?;
        super::hub::require_hub_reviewer_in(&tx, &author.name)?;
        Ok((tx, author))
    }

    /// Adds a reviewer. Names are unique within a project.
    pub fn add_reviewer(&mut self, name: &str, is_lead: bool) -> Result<Reviewer> {
        validate_reviewer_name(name)?;
        let tx = self
            .conn
            .transaction()
            .context("starting to add a reviewer")?;
        if find_reviewer_by_name(&tx, name)?.is_some() {
            return Err(Error::AlreadyExists {
                entity: "reviewer",
                key: name.to_owned(),
            });
        }
        let reviewer = insert_reviewer(&tx, name, is_lead)?;
        tx.commit().context("committing a new reviewer")?;
        Ok(reviewer)
    }

    /// Every reviewer, in the order they were added.
    pub fn reviewers(&self) -> Result<Vec<Reviewer>> {
        let raws = query_all(
            &self.conn,
            "SELECT id, name, is_lead, created_at FROM reviewer ORDER BY id",
            [],
            "listing reviewers",
            raw_reviewer,
        )?;
        raws.into_iter().map(decode_reviewer).collect()
    }

    /// A reviewer by id.
    pub fn reviewer(&self, id: ReviewerId) -> Result<Reviewer> {
        let raw = self
            .conn
            .query_row(
                "SELECT id, name, is_lead, created_at FROM reviewer WHERE id = ?1",
                [id.0],
                raw_reviewer,
            )
            .optional()
            .context("reading a reviewer")?
            .ok_or_else(|| Error::NotFound {
                entity: "reviewer",
                key: id.to_string(),
            })?;
        decode_reviewer(raw)
    }

    /// A reviewer by name.
    pub fn reviewer_by_name(&self, name: &str) -> Result<Reviewer> {
        let raw = self
            .conn
            .query_row(
                "SELECT id, name, is_lead, created_at FROM reviewer WHERE name = ?1",
                [name],
                raw_reviewer,
            )
            .optional()
            .context("reading a reviewer")?
            .ok_or_else(|| Error::NotFound {
                entity: "reviewer",
                key: name.to_owned(),
            })?;
        decode_reviewer(raw)
    }

    /// Records (or changes) a reviewer's screening vote on a record at a stage.
    pub fn set_screening(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        vote: &ScreeningVote,
    ) -> Result<StoredVote> {
        vote.validate()?;
        let (tx, author) =
            self.begin_review("starting to record a vote", Some(record), reviewer)?;
        let reason_vocabulary = match &vote.decision {
            Decision::Exclude { reason: Some(code) } => Some(require_project_label(
                &tx,
                EXCLUSION_REASON,
                code,
                "screening.reason",
            )?),
            _ => None,
        };
        let stored = StoredVote {
            record,
            reviewer,
            vote: vote.clone(),
            reason_vocabulary,
            decided_at: now(),
        };
        let old = load_vote(&tx, record, reviewer, vote.stage)?;
        if let Some(old) = old.as_ref().filter(|old| old.vote == stored.vote) {
            // The same vote again: nothing changes, nothing to log.
            return Ok(old.clone());
        }
        write_vote(&tx, &stored)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::Screening,
                vote_key(record, reviewer, vote.stage),
                record,
            ),
            old.as_ref(),
            Some(&stored),
            "committing a vote",
        )?;
        Ok(stored)
    }

    /// Withdraws a reviewer's vote on a record at a stage.
    pub fn clear_screening(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        stage: Stage,
    ) -> Result<()> {
        let (tx, author) = self.begin_review("starting to withdraw a vote", None, reviewer)?;
        let old = load_vote(&tx, record, reviewer, stage)?.ok_or_else(|| Error::NotFound {
            entity: "screening vote",
            key: vote_key(record, reviewer, stage),
        })?;
        delete_vote(&tx, record, reviewer, stage)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::Screening,
                vote_key(record, reviewer, stage),
                record,
            ),
            Some(&old),
            None,
            "committing a withdrawn vote",
        )?;
        Ok(())
    }

    /// The votes on a record that `seen` shows, by stage then reviewer.
    pub fn screening_votes(&self, record: RecordId, seen: &Visibility) -> Result<Vec<StoredVote>> {
        let raws = query_all(&self.conn, "SELECT record_id, reviewer_id, stage, decision, reason, reason_vocabulary, note, decided_at
                 FROM screening WHERE record_id = ?1 ORDER BY stage = 'fulltext', reviewer_id", [record.0], "reading votes", raw_vote)?;
        let votes: Vec<StoredVote> = raws.into_iter().map(decode_vote).collect::<Result<_>>()?;
        Ok(votes
            .into_iter()
            .filter(|v| seen.shows(v.reviewer))
            .collect())
    }

    /// Records (or replaces) a reviewer's a–f classification of a record.
    pub fn set_classification(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        classification: &Classification,
    ) -> Result<StoredClassification> {
        let (tx, author) = self.begin_review("starting to classify", Some(record), reviewer)?;
        let texts = record_texts(&tx, record)?;
        classification.validate(|field| texts.get(field))?;
        let stored = StoredClassification {
            record,
            reviewer,
            classification: classification.clone(),
            vocabularies: Classification::vocabularies(),
            classified_at: now(),
        };
        let old = load_classification(&tx, record, reviewer)?;
        if let Some(old) = old
            .as_ref()
            .filter(|old| old.classification == stored.classification)
        {
            return Ok(old.clone());
        }
        write_classification(&tx, &stored)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::Classification,
                classification_key(record, reviewer),
                record,
            ),
            old.as_ref(),
            Some(&stored),
            "committing a classification",
        )?;
        Ok(stored)
    }

    /// Withdraws a reviewer's classification of a record.
    pub fn clear_classification(&mut self, record: RecordId, reviewer: ReviewerId) -> Result<()> {
        let (tx, author) =
            self.begin_review("starting to withdraw a classification", None, reviewer)?;
        let old = load_classification(&tx, record, reviewer)?.ok_or_else(|| Error::NotFound {
            entity: "classification",
            key: classification_key(record, reviewer),
        })?;
        delete_classification(&tx, record, reviewer)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::Classification,
                classification_key(record, reviewer),
                record,
            ),
            Some(&old),
            None,
            "committing a withdrawn classification",
        )?;
        Ok(())
    }

    /// The classifications of a record that `seen` shows, by reviewer.
    pub fn classifications(
        &self,
        record: RecordId,
        seen: &Visibility,
    ) -> Result<Vec<StoredClassification>> {
        let raws = query_all(
            &self.conn,
            &format!(
                "SELECT {CLASSIFICATION_COLUMNS} FROM classification WHERE record_id = ?1 ORDER BY reviewer_id"
            ),
            [record.0],
            "reading classifications",
            raw_classification,
        )?;
        let all: Vec<StoredClassification> = raws
            .into_iter()
            .map(decode_classification)
            .collect::<Result<_>>()?;
        Ok(all.into_iter().filter(|c| seen.shows(c.reviewer)).collect())
    }

    /// Adds a risk to a record.
    pub fn add_risk(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        risk: &ReboundRisk,
    ) -> Result<StoredRisk> {
        let (tx, author) = self.begin_review("starting to add a risk", Some(record), reviewer)?;
        let texts = record_texts(&tx, record)?;
        risk.validate(|field| texts.get(field))?;
        check_parent(&tx, risk.parent, record, reviewer, None)?;
        let at = now();
        let mut stored = StoredRisk {
            id: RiskId(0),
            uid: new_uid(&tx)?,
            record,
            reviewer,
            risk: risk.clone(),
            vocabularies: ReboundRisk::vocabularies(),
            created_at: at,
            updated_at: at,
        };
        stored.id = write_risk(&tx, &stored, false)?;
        commit_review_change(
            tx,
            &author,
            (EntityKind::Risk, format!("risk {}", stored.id), record),
            None,
            Some(&stored),
            "committing a risk",
        )?;
        Ok(stored)
    }

    /// Changes a risk; only the reviewer who recorded it may.
    pub fn update_risk(
        &mut self,
        id: RiskId,
        reviewer: ReviewerId,
        risk: &ReboundRisk,
    ) -> Result<StoredRisk> {
        let (tx, author) = self.begin_review("starting to change a risk", None, reviewer)?;
        let old = require_own_risk(&tx, id, &author)?;
        let texts = record_texts(&tx, old.record)?;
        risk.validate(|field| texts.get(field))?;
        check_parent(&tx, risk.parent, old.record, reviewer, Some(id))?;
        let stored = StoredRisk {
            risk: risk.clone(),
            vocabularies: ReboundRisk::vocabularies(),
            updated_at: now(),
            ..old.clone()
        };
        write_risk(&tx, &stored, true)?;
        commit_review_change(
            tx,
            &author,
            (EntityKind::Risk, format!("risk {id}"), old.record),
            Some(&old),
            Some(&stored),
            "committing a risk change",
        )?;
        Ok(stored)
    }

    /// Deletes a risk; only the reviewer who recorded it may.
    pub fn delete_risk(&mut self, id: RiskId, reviewer: ReviewerId) -> Result<()> {
        let (tx, author) = self.begin_review("starting to delete a risk", None, reviewer)?;
        let old = require_own_risk(&tx, id, &author)?;
        let children: i64 = tx
            .query_row(
                "SELECT count(*) FROM rebound_risk WHERE parent_id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .context("looking for a risk's children")?;
        if children > 0 {
            return Err(Error::invalid(
                "risk.id",
                id.to_string(),
                format!(
                    "a risk without children in the consequence tree ({children} follow from this one: move or delete them first)"
                ),
            ));
        }
        delete_risk_row(&tx, id)?;
        commit_review_change(
            tx,
            &author,
            (EntityKind::Risk, format!("risk {id}"), old.record),
            Some(&old),
            None,
            "committing a risk deletion",
        )?;
        Ok(())
    }

    /// A risk by id; one that `seen` does not show is not found.
    pub fn risk(&self, id: RiskId, seen: &Visibility) -> Result<StoredRisk> {
        let tx = self.read_transaction("reading a risk")?;
        load_risk(&tx, id)?
            .filter(|risk| seen.shows(risk.reviewer))
            .ok_or_else(|| Error::NotFound {
                entity: "risk",
                key: id.to_string(),
            })
    }

    /// The risks of a record that `seen` shows, in the order recorded.
    pub fn risks(&self, record: RecordId, seen: &Visibility) -> Result<Vec<StoredRisk>> {
        let raws = query_all(
            &self.conn,
            &format!("SELECT {RISK_COLUMNS} FROM rebound_risk WHERE record_id = ?1 ORDER BY id"),
            [record.0],
            "reading risks",
            raw_risk,
        )?;
        let all: Vec<StoredRisk> = raws.into_iter().map(decode_risk).collect::<Result<_>>()?;
        Ok(all.into_iter().filter(|r| seen.shows(r.reviewer)).collect())
    }

    /// Puts a label from a shipped vocabulary (`rolnick-domain`, `ml-area` …) or a project
    /// vocabulary (`tag` …) on a record.
    pub fn add_record_label(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        vocabulary: &str,
        code: &str,
    ) -> Result<StoredRecordLabel> {
        let (tx, author) =
            self.begin_review("starting to label a record", Some(record), reviewer)?;
        let vocabulary_version = require_any_label(&tx, vocabulary, code)?;
        let stored = StoredRecordLabel {
            record,
            reviewer,
            vocabulary: vocabulary.to_owned(),
            code: code.to_owned(),
            vocabulary_version,
            created_at: now(),
        };
        if load_record_label(&tx, record, reviewer, vocabulary, code)?.is_some() {
            return Err(Error::AlreadyExists {
                entity: "record label",
                key: record_label_key(record, reviewer, vocabulary, code),
            });
        }
        write_record_label(&tx, &stored)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::RecordLabel,
                record_label_key(record, reviewer, vocabulary, code),
                record,
            ),
            None,
            Some(&stored),
            "committing a record label",
        )?;
        Ok(stored)
    }

    /// Removes a label a reviewer put on a record.
    pub fn remove_record_label(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        vocabulary: &str,
        code: &str,
    ) -> Result<()> {
        let (tx, author) =
            self.begin_review("starting to remove a record label", None, reviewer)?;
        let old = load_record_label(&tx, record, reviewer, vocabulary, code)?.ok_or_else(|| {
            Error::NotFound {
                entity: "record label",
                key: record_label_key(record, reviewer, vocabulary, code),
            }
        })?;
        delete_record_label(&tx, &old)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::RecordLabel,
                record_label_key(record, reviewer, vocabulary, code),
                record,
            ),
            Some(&old),
            None,
            "committing a removed record label",
        )?;
        Ok(())
    }

    /// The labels on a record that `seen` shows.
    pub fn record_labels(
        &self,
        record: RecordId,
        seen: &Visibility,
    ) -> Result<Vec<StoredRecordLabel>> {
        let raws = query_all(
            &self.conn,
            "SELECT record_id, reviewer_id, vocabulary, code, vocabulary_version, created_at
                 FROM record_label WHERE record_id = ?1 ORDER BY vocabulary, code, reviewer_id",
            [record.0],
            "reading record labels",
            raw_record_label,
        )?;
        let all: Vec<StoredRecordLabel> = raws
            .into_iter()
            .map(decode_record_label)
            .collect::<Result<_>>()?;
        Ok(all.into_iter().filter(|l| seen.shows(l.reviewer)).collect())
    }
}

// ---- reviewers ----

type RawReviewer = (i64, String, bool, String);

fn raw_reviewer(row: &Row<'_>) -> rusqlite::Result<RawReviewer> {
    row.try_into()
}

fn decode_reviewer((id, name, is_lead, created_at): RawReviewer) -> Result<Reviewer> {
    Ok(Reviewer {
        id: ReviewerId(id),
        name,
        is_lead,
        created_at: Column::at("reviewer", "created_at", id).time(&created_at)?,
    })
}

/// Adds a reviewer (name already validated and free) and logs it, inside a transaction.
pub(crate) fn insert_reviewer(tx: &Transaction<'_>, name: &str, is_lead: bool) -> Result<Reviewer> {
    let created_at = now();
    tx.execute(
        "INSERT INTO reviewer (name, is_lead, created_at) VALUES (?1, ?2, ?3)",
        params![name, is_lead, created_at.to_string()],
    )
    .context("adding a reviewer")?;
    let reviewer = Reviewer {
        id: ReviewerId(tx.last_insert_rowid()),
        name: name.to_owned(),
        is_lead,
        created_at,
    };
    log_change(
        tx,
        None,
        EntityKind::Reviewer,
        format!("reviewer {}", reviewer.id),
        None,
        None,
        Some(&reviewer),
    )?;
    Ok(reviewer)
}

/// Ends every review write the same way: its audit entry (who, old → new) and the index
/// journal entry for its record go into the change's own transaction, which then commits.
pub(crate) fn commit_review_change<T: serde::Serialize>(
    tx: Transaction<'_>,
    author: &Reviewer,
    (entity, key, record): (EntityKind, String, RecordId),
    old: Option<&T>,
    new: Option<&T>,
    what: &'static str,
) -> Result<()> {
    log_change(&tx, Some(author), entity, key, Some(record), old, new)?;
    touch(&tx, &[record])?;
    tx.commit().context(what)
}

pub(crate) fn find_reviewer_by_name(tx: &Transaction<'_>, name: &str) -> Result<Option<Reviewer>> {
    tx.query_row(
        "SELECT id, name, is_lead, created_at FROM reviewer WHERE name = ?1",
        [name],
        raw_reviewer,
    )
    .optional()
    .context("looking up a reviewer")?
    .map(decode_reviewer)
    .transpose()
}

/// The reviewer with this id, or [`Error::NotFound`].
pub(crate) fn require_reviewer(tx: &Transaction<'_>, id: ReviewerId) -> Result<Reviewer> {
    tx.query_row(
        "SELECT id, name, is_lead, created_at FROM reviewer WHERE id = ?1",
        [id.0],
        raw_reviewer,
    )
    .optional()
    .context("looking up a reviewer")?
    .map(decode_reviewer)
    .transpose()?
    .ok_or_else(|| Error::NotFound {
        entity: "reviewer",
        key: id.to_string(),
    })
}

// ---- labels used by review data ----

/// Checks that `code` is a current entry of project vocabulary `vocabulary`; returns
/// `vocabulary@version`.
pub(crate) fn require_project_label(
    tx: &Transaction<'_>,
    vocabulary: &str,
    code: &str,
    field: &str,
) -> Result<String> {
    let version: Option<i64> = tx
        .query_row(
            "SELECT version FROM label_vocabulary WHERE id = ?1",
            [vocabulary],
            |row| row.get(0),
        )
        .optional()
        .context("looking up a project vocabulary")?;
    let Some(version) = version else {
        return Err(Error::NotFound {
            entity: "project vocabulary",
            key: vocabulary.to_owned(),
        });
    };
    let retired: Option<bool> = tx
        .query_row(
            "SELECT retired FROM project_label WHERE vocabulary = ?1 AND code = ?2",
            [vocabulary, code],
            |row| row.get(0),
        )
        .optional()
        .context("looking up a label")?;
    if retired == Some(false) {
        return Ok(format!("{vocabulary}@{version}"));
    }
    let codes = query_all(
        tx,
        "SELECT code FROM project_label WHERE vocabulary = ?1 AND retired = 0 ORDER BY position, code",
        [vocabulary],
        "listing labels",
        |row| row.get::<_, String>(0),
    )?;
    let state = if retired == Some(true) {
        " (this one is retired)"
    } else {
        ""
    };
    Err(Error::invalid(
        field,
        code,
        format!(
            "a current {vocabulary} code{state}, one of: {}",
            codes.join(", ")
        ),
    ))
}

/// Checks a label against the shipped vocabularies or, failing that, the project's; returns
/// `vocabulary@version`.
pub(crate) fn require_any_label(
    tx: &Transaction<'_>,
    vocabulary: &str,
    code: &str,
) -> Result<String> {
    if let Some(view) = shipped_vocabularies()
        .into_iter()
        .find(|v| v.id == vocabulary)
    {
        return shipped_entry(&view, code);
    }
    validate_code("record_label.vocabulary", vocabulary)?;
    require_project_label(tx, vocabulary, code, "record_label.code")
}

fn shipped_entry(view: &VocabularyView, code: &str) -> Result<String> {
    if view
        .entries
        .iter()
        .any(|entry| entry.code.eq_ignore_ascii_case(code))
    {
        Ok(format!("{}@{}", view.id, view.version))
    } else {
        let codes: Vec<_> = view.entries.iter().map(|e| e.code.as_str()).collect();
        Err(Error::invalid(
            "record_label.code",
            code,
            format!("a {} code, one of: {}", view.id, codes.join(", ")),
        ))
    }
}

// ---- text a quote may come from ----

/// Title, abstract and full text of a record, for checking quotes.
pub(crate) struct RecordTexts {
    title: String,
    abstract_text: Option<String>,
    full_text: Option<String>,
}

impl RecordTexts {
    pub(crate) fn get(&self, field: QuoteField) -> Option<String> {
        match field {
            QuoteField::Title => Some(self.title.clone()),
            QuoteField::Abstract => self.abstract_text.clone(),
            QuoteField::FullText => self.full_text.clone(),
        }
    }
}

pub(crate) fn record_texts(tx: &Transaction<'_>, record: RecordId) -> Result<RecordTexts> {
    tx.query_row(
        "SELECT r.title, r.abstract, f.text FROM record r LEFT JOIN record_fulltext f ON f.record_id = r.id
         WHERE r.id = ?1",
        [record.0],
        |row| {
            Ok(RecordTexts {
                title: row.get(0)?,
                abstract_text: row.get(1)?,
                full_text: row.get(2)?,
            })
        },
    )
    .optional()
    .context("reading a record's text")?
    .ok_or_else(|| Error::NotFound {
        entity: "record",
        key: record.to_string(),
    })
}

// ---- screening rows ----

pub(crate) fn vote_key(record: RecordId, reviewer: ReviewerId, stage: Stage) -> String {
    format!("record {record} reviewer {reviewer} stage {stage}")
}

type RawVote = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn raw_vote(row: &Row<'_>) -> rusqlite::Result<RawVote> {
    row.try_into()
}

fn decode_vote(raw: RawVote) -> Result<StoredVote> {
    let (record, reviewer, stage, decision, reason, reason_vocabulary, note, decided_at) = raw;
    let at = |column| Column::at("screening", column, record);
    Ok(StoredVote {
        record: RecordId(record),
        reviewer: ReviewerId(reviewer),
        vote: ScreeningVote {
            stage: Stage::parse("screening.stage", &stage).map_err(|e| at("stage").corrupt(e))?,
            decision: Decision::parse("screening.decision", &decision, reason)
                .map_err(|e| at("decision").corrupt(e))?,
            note,
        },
        reason_vocabulary,
        decided_at: at("decided_at").time(&decided_at)?,
    })
}

pub(crate) fn load_vote(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
    stage: Stage,
) -> Result<Option<StoredVote>> {
    tx.query_row(
        "SELECT record_id, reviewer_id, stage, decision, reason, reason_vocabulary, note, decided_at
         FROM screening WHERE record_id = ?1 AND reviewer_id = ?2 AND stage = ?3",
        params![record.0, reviewer.0, stage.code()],
        raw_vote,
    )
    .optional()
    .context("reading a vote")?
    .map(decode_vote)
    .transpose()
}

pub(crate) fn write_vote(tx: &Transaction<'_>, stored: &StoredVote) -> Result<()> {
    let reason = match &stored.vote.decision {
        Decision::Exclude { reason } => reason.clone(),
        _ => None,
    };
    tx.execute(
        "INSERT INTO screening (record_id, reviewer_id, stage, decision, reason, reason_vocabulary, note, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (record_id, reviewer_id, stage) DO UPDATE SET decision = excluded.decision,
           reason = excluded.reason, reason_vocabulary = excluded.reason_vocabulary, note = excluded.note,
           decided_at = excluded.decided_at",
        params![
            stored.record.0,
            stored.reviewer.0,
            stored.vote.stage.code(),
            stored.vote.decision.code(),
            reason,
            stored.reason_vocabulary,
            stored.vote.note,
            stored.decided_at.to_string()
        ],
    )
    .context("writing a vote")?;
    Ok(())
}

pub(crate) fn delete_vote(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
    stage: Stage,
) -> Result<()> {
    tx.execute(
        "DELETE FROM screening WHERE record_id = ?1 AND reviewer_id = ?2 AND stage = ?3",
        params![record.0, reviewer.0, stage.code()],
    )
    .context("deleting a vote")?;
    Ok(())
}

// ---- classification rows ----

pub(crate) fn classification_key(record: RecordId, reviewer: ReviewerId) -> String {
    format!("record {record} reviewer {reviewer}")
}

const CLASSIFICATION_COLUMNS: &str = "record_id, reviewer_id, category, answers, rationale, evidence, confidence, vocabularies, classified_at";

type RawClassification = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
);

fn raw_classification(row: &Row<'_>) -> rusqlite::Result<RawClassification> {
    row.try_into()
}

fn decode_classification(raw: RawClassification) -> Result<StoredClassification> {
    let (
        record,
        reviewer,
        category,
        answers,
        rationale,
        evidence,
        confidence,
        vocabularies,
        classified_at,
    ) = raw;
    let at = |column| Column::at("classification", column, record);
    Ok(StoredClassification {
        record: RecordId(record),
        reviewer: ReviewerId(reviewer),
        classification: Classification {
            category: at("category").term(&category)?,
            answers: at("answers").json(&answers)?,
            rationale,
            evidence: at("evidence").json(&evidence)?,
            confidence: at("confidence").opt_term(confidence.as_deref())?,
        },
        vocabularies,
        classified_at: at("classified_at").time(&classified_at)?,
    })
}

pub(crate) fn load_classification(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
) -> Result<Option<StoredClassification>> {
    tx.query_row(
        &format!("SELECT {CLASSIFICATION_COLUMNS} FROM classification WHERE record_id = ?1 AND reviewer_id = ?2"),
        params![record.0, reviewer.0],
        raw_classification,
    )
    .optional()
    .context("reading a classification")?
    .map(decode_classification)
    .transpose()
}

pub(crate) fn write_classification(
    tx: &Transaction<'_>,
    stored: &StoredClassification,
) -> Result<()> {
    let c = &stored.classification;
    tx.execute(
        "INSERT INTO classification (record_id, reviewer_id, category, answers, rationale, evidence, confidence,
           vocabularies, classified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (record_id, reviewer_id) DO UPDATE SET category = excluded.category, answers = excluded.answers,
           rationale = excluded.rationale, evidence = excluded.evidence, confidence = excluded.confidence,
           vocabularies = excluded.vocabularies, classified_at = excluded.classified_at",
        params![
            stored.record.0,
            stored.reviewer.0,
            c.category.code(),
            to_json("classification.answers", &c.answers)?,
            c.rationale,
            to_json("classification.evidence", &c.evidence)?,
            c.confidence.map(Term::code),
            stored.vocabularies,
            stored.classified_at.to_string()
        ],
    )
    .context("writing a classification")?;
    Ok(())
}

pub(crate) fn delete_classification(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
) -> Result<()> {
    tx.execute(
        "DELETE FROM classification WHERE record_id = ?1 AND reviewer_id = ?2",
        params![record.0, reviewer.0],
    )
    .context("deleting a classification")?;
    Ok(())
}

// ---- risk rows ----

const RISK_COLUMNS: &str = "id, record_id, reviewer_id, effect, mechanism, direction, reduction_type, time_horizon, \
     scale, criteria, likelihood, magnitude, rebound_percent, confidence, evidence_type, tier, mechanism_resource, \
     conditions, mitigation, evidence, vocabularies, created_at, updated_at, uid, parent_id";

/// A risk row as stored.
struct RawRisk {
    id: i64,
    record: i64,
    reviewer: i64,
    effect: String,
    mechanism: String,
    direction: Option<String>,
    reduction_type: Option<String>,
    time_horizon: Option<String>,
    scale: Option<String>,
    criteria: String,
    likelihood: Option<String>,
    magnitude: Option<String>,
    rebound_percent: Option<f64>,
    confidence: Option<String>,
    evidence_type: Option<String>,
    tier: Option<String>,
    mechanism_resource: Option<String>,
    conditions: Option<String>,
    mitigation: Option<String>,
    evidence: String,
    vocabularies: String,
    created_at: String,
    updated_at: String,
    uid: Option<String>,
    parent: Option<i64>,
}

fn raw_risk(row: &Row<'_>) -> rusqlite::Result<RawRisk> {
    Ok(RawRisk {
        id: row.get(0)?,
        record: row.get(1)?,
        reviewer: row.get(2)?,
        effect: row.get(3)?,
        mechanism: row.get(4)?,
        direction: row.get(5)?,
        reduction_type: row.get(6)?,
        time_horizon: row.get(7)?,
        scale: row.get(8)?,
        criteria: row.get(9)?,
        likelihood: row.get(10)?,
        magnitude: row.get(11)?,
        rebound_percent: row.get(12)?,
        confidence: row.get(13)?,
        evidence_type: row.get(14)?,
        tier: row.get(15)?,
        mechanism_resource: row.get(16)?,
        conditions: row.get(17)?,
        mitigation: row.get(18)?,
        evidence: row.get(19)?,
        vocabularies: row.get(20)?,
        created_at: row.get(21)?,
        updated_at: row.get(22)?,
        uid: row.get(23)?,
        parent: row.get(24)?,
    })
}

fn decode_risk(raw: RawRisk) -> Result<StoredRisk> {
    let at = |column| Column::at("rebound_risk", column, raw.id);
    let criteria: Vec<String> = at("criteria").json(&raw.criteria)?;
    Ok(StoredRisk {
        id: RiskId(raw.id),
        uid: raw.uid.unwrap_or_default(),
        record: RecordId(raw.record),
        reviewer: ReviewerId(raw.reviewer),
        risk: ReboundRisk {
            effect: at("effect").term::<EffectCode>(&raw.effect)?,
            mechanism: raw.mechanism,
            direction: at("direction").opt_term(raw.direction.as_deref())?,
            reduction_type: at("reduction_type").opt_term(raw.reduction_type.as_deref())?,
            time_horizon: at("time_horizon").opt_term(raw.time_horizon.as_deref())?,
            scale: at("scale").opt_term(raw.scale.as_deref())?,
            criteria: criteria
                .iter()
                .map(|code| at("criteria").term(code))
                .collect::<Result<_>>()?,
            likelihood: at("likelihood").opt_term(raw.likelihood.as_deref())?,
            magnitude: at("magnitude").opt_term(raw.magnitude.as_deref())?,
            rebound_percent: raw.rebound_percent,
            confidence: at("confidence").opt_term(raw.confidence.as_deref())?,
            evidence_type: at("evidence_type").opt_term(raw.evidence_type.as_deref())?,
            tier: at("tier").opt_term(raw.tier.as_deref())?,
            mechanism_resource: at("mechanism_resource")
                .opt_term(raw.mechanism_resource.as_deref())?,
            conditions: raw.conditions,
            mitigation: raw.mitigation,
            evidence: at("evidence").json(&raw.evidence)?,
            parent: raw.parent.map(RiskId),
        },
        vocabularies: raw.vocabularies,
        created_at: at("created_at").time(&raw.created_at)?,
        updated_at: at("updated_at").time(&raw.updated_at)?,
    })
}

/// A reviewer's votes, classifications, risks and labels.
pub(crate) type ReviewerWork = (
    Vec<StoredVote>,
    Vec<StoredClassification>,
    Vec<StoredRisk>,
    Vec<StoredRecordLabel>,
);

/// What one reviewer has recorded: votes, classifications, risks, labels; of the records in
/// `only`, or of every record.
///
/// The filter is in the SQL, not after it: a hub's sync asks for the hundred records touched
/// since the last push, and decoding a whole review's work each time made a sync's cost grow
/// with the review.
pub(crate) fn reviewer_work(
    conn: &rusqlite::Connection,
    reviewer: ReviewerId,
    only: Option<&std::collections::HashSet<RecordId>>,
) -> Result<ReviewerWork> {
    let context = "reading a reviewer's work";
    // A JSON array of record ids, or NULL for every record.
    let only: Option<String> = only.map(|set| {
        let ids: Vec<i64> = set.iter().map(|r| r.0).collect();
        serde_json::Value::from(ids).to_string()
    });
    let among = "(?2 IS NULL OR record_id IN (SELECT value FROM json_each(?2)))";
    let votes = query_all(
        conn,
        &format!(
            "SELECT record_id, reviewer_id, stage, decision, reason, reason_vocabulary, note, decided_at
         FROM screening WHERE reviewer_id = ?1 AND {among} ORDER BY record_id, stage = 'fulltext'"
        ),
        params![reviewer.0, only],
        context,
        raw_vote,
    )?
    .into_iter()
    .map(decode_vote)
    .collect::<Result<_>>()?;
    let classifications = query_all(
        conn,
        &format!("SELECT {CLASSIFICATION_COLUMNS} FROM classification WHERE reviewer_id = ?1 AND {among} ORDER BY record_id"),
        params![reviewer.0, only],
        context,
        raw_classification,
    )?
    .into_iter()
    .map(decode_classification)
    .collect::<Result<_>>()?;
    let risks = query_all(
        conn,
        &format!(
            "SELECT {RISK_COLUMNS} FROM rebound_risk WHERE reviewer_id = ?1 AND {among} ORDER BY record_id, id"
        ),
        params![reviewer.0, only],
        context,
        raw_risk,
    )?
    .into_iter()
    .map(decode_risk)
    .collect::<Result<_>>()?;
    let labels = query_all(
        conn,
        &format!(
            "SELECT record_id, reviewer_id, vocabulary, code, vocabulary_version, created_at
         FROM record_label WHERE reviewer_id = ?1 AND {among} ORDER BY record_id, vocabulary, code"
        ),
        params![reviewer.0, only],
        context,
        raw_record_label,
    )?
    .into_iter()
    .map(decode_record_label)
    .collect::<Result<_>>()?;
    Ok((votes, classifications, risks, labels))
}

/// A risk by its stable id.
pub(crate) fn load_risk_by_uid(tx: &Transaction<'_>, uid: &str) -> Result<Option<StoredRisk>> {
    tx.query_row(
        &format!("SELECT {RISK_COLUMNS} FROM rebound_risk WHERE uid = ?1"),
        [uid],
        raw_risk,
    )
    .optional()
    .context("reading a risk")?
    .map(decode_risk)
    .transpose()
}

/// Every risk of the project, by record then id.
pub(crate) fn all_risks(conn: &rusqlite::Connection) -> Result<Vec<StoredRisk>> {
    let raws = query_all(
        conn,
        &format!("SELECT {RISK_COLUMNS} FROM rebound_risk ORDER BY record_id, id"),
        [],
        "reading risks",
        raw_risk,
    )?;
    raws.into_iter().map(decode_risk).collect()
}

pub(crate) fn load_risk(tx: &Transaction<'_>, id: RiskId) -> Result<Option<StoredRisk>> {
    tx.query_row(
        &format!("SELECT {RISK_COLUMNS} FROM rebound_risk WHERE id = ?1"),
        [id.0],
        raw_risk,
    )
    .optional()
    .context("reading a risk")?
    .map(decode_risk)
    .transpose()
}

/// Writes a risk row. With `keep_id`, the row gets `stored.id` (update, or restore by undo);
/// otherwise SQLite assigns a new id. Returns the row's id.
pub(crate) fn write_risk(
    tx: &Transaction<'_>,
    stored: &StoredRisk,
    keep_id: bool,
) -> Result<RiskId> {
    let r = &stored.risk;
    let criteria: Vec<&str> = r.criteria.iter().map(|c| c.code()).collect();
    tx.execute(
        "INSERT INTO rebound_risk (id, record_id, reviewer_id, effect, mechanism, direction, reduction_type,
           time_horizon, scale, criteria, likelihood, magnitude, rebound_percent, confidence, evidence_type, tier,
           mechanism_resource, conditions, mitigation, evidence, vocabularies, created_at, updated_at, uid, parent_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
                 coalesce(?24, lower(hex(randomblob(16)))), ?25)
         ON CONFLICT (id) DO UPDATE SET effect = excluded.effect, mechanism = excluded.mechanism,
           direction = excluded.direction, reduction_type = excluded.reduction_type,
           time_horizon = excluded.time_horizon, scale = excluded.scale, criteria = excluded.criteria,
           likelihood = excluded.likelihood, magnitude = excluded.magnitude,
           rebound_percent = excluded.rebound_percent, confidence = excluded.confidence,
           evidence_type = excluded.evidence_type, tier = excluded.tier,
           mechanism_resource = excluded.mechanism_resource, conditions = excluded.conditions,
           mitigation = excluded.mitigation, evidence = excluded.evidence, vocabularies = excluded.vocabularies,
           updated_at = excluded.updated_at, parent_id = excluded.parent_id",
        params![
            keep_id.then_some(stored.id.0),
            stored.record.0,
            stored.reviewer.0,
            r.effect.code(),
            r.mechanism,
            r.direction.map(Term::code),
            r.reduction_type.map(Term::code),
            r.time_horizon.map(Term::code),
            r.scale.map(Term::code),
            to_json("risk.criteria", &criteria)?,
            r.likelihood.map(Term::code),
            r.magnitude.map(Term::code),
            r.rebound_percent,
            r.confidence.map(Term::code),
            r.evidence_type.map(Term::code),
            r.tier.map(Term::code),
            r.mechanism_resource.map(Term::code),
            r.conditions,
            r.mitigation,
            to_json("risk.evidence", &r.evidence)?,
            stored.vocabularies,
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
            (!stored.uid.is_empty()).then_some(stored.uid.as_str()),
            r.parent.map(|p| p.0)
        ],
    )
    .context("writing a risk")?;
    Ok(if keep_id {
        stored.id
    } else {
        RiskId(tx.last_insert_rowid())
    })
}

/// A fresh stable id (128 random bits, hex).
pub(crate) fn new_uid(tx: &Transaction<'_>) -> Result<String> {
    tx.query_row("SELECT lower(hex(randomblob(16)))", [], |row| row.get(0))
        .context("drawing a stable id")
}

/// Checks a risk's parent: a risk of the same record by the same reviewer, and not the risk
/// itself or one of its descendants (the tree must stay a tree).
pub(crate) fn check_parent(
    tx: &Transaction<'_>,
    parent: Option<RiskId>,
    record: RecordId,
    reviewer: ReviewerId,
    itself: Option<RiskId>,
) -> Result<()> {
    let Some(parent) = parent else {
        return Ok(());
    };
    let expected = "a risk of the same record recorded by the same reviewer, not this risk or one that follows from it";
    let mut cursor = Some(parent);
    let mut steps = 0;
    while let Some(id) = cursor {
        let row: Option<(i64, i64, Option<i64>)> = tx
            .query_row(
                "SELECT record_id, reviewer_id, parent_id FROM rebound_risk WHERE id = ?1",
                [id.0],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .context("reading a risk's parent")?;
        let Some((parent_record, parent_reviewer, next)) = row else {
            return Err(Error::invalid("risk.parent", parent.to_string(), expected));
        };
        let foreign = id == parent && (parent_record != record.0 || parent_reviewer != reviewer.0);
        if foreign || Some(id) == itself || steps > 10_000 {
            return Err(Error::invalid("risk.parent", parent.to_string(), expected));
        }
        cursor = next.map(RiskId);
        steps += 1;
    }
    Ok(())
}

pub(crate) fn delete_risk_row(tx: &Transaction<'_>, id: RiskId) -> Result<()> {
    tx.execute("DELETE FROM rebound_risk WHERE id = ?1", [id.0])
        .context("deleting a risk")?;
    Ok(())
}

fn require_own_risk(tx: &Transaction<'_>, id: RiskId, author: &Reviewer) -> Result<StoredRisk> {
    let risk = load_risk(tx, id)?.ok_or_else(|| Error::NotFound {
        entity: "risk",
        key: id.to_string(),
    })?;
    if risk.reviewer != author.id {
        let owner = require_reviewer(tx, risk.reviewer)?;
        return Err(Error::NotOwner {
            entity: "risk",
            key: id.to_string(),
            owner: owner.name,
        });
    }
    Ok(risk)
}

// ---- record-label rows ----

pub(crate) fn record_label_key(
    record: RecordId,
    reviewer: ReviewerId,
    vocabulary: &str,
    code: &str,
) -> String {
    format!("record {record} reviewer {reviewer} label {vocabulary}:{code}")
}

type RawRecordLabel = (i64, i64, String, String, String, String);

fn raw_record_label(row: &Row<'_>) -> rusqlite::Result<RawRecordLabel> {
    row.try_into()
}

fn decode_record_label(raw: RawRecordLabel) -> Result<StoredRecordLabel> {
    let (record, reviewer, vocabulary, code, vocabulary_version, created_at) = raw;
    Ok(StoredRecordLabel {
        record: RecordId(record),
        reviewer: ReviewerId(reviewer),
        vocabulary,
        code,
        vocabulary_version,
        created_at: Column::at("record_label", "created_at", record).time(&created_at)?,
    })
}

pub(crate) fn load_record_label(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
    vocabulary: &str,
    code: &str,
) -> Result<Option<StoredRecordLabel>> {
    tx.query_row(
        "SELECT record_id, reviewer_id, vocabulary, code, vocabulary_version, created_at FROM record_label
         WHERE record_id = ?1 AND reviewer_id = ?2 AND vocabulary = ?3 AND code = ?4",
        params![record.0, reviewer.0, vocabulary, code],
        raw_record_label,
    )
    .optional()
    .context("reading a record label")?
    .map(decode_record_label)
    .transpose()
}

pub(crate) fn write_record_label(tx: &Transaction<'_>, stored: &StoredRecordLabel) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO record_label (record_id, reviewer_id, vocabulary, code, vocabulary_version, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            stored.record.0,
            stored.reviewer.0,
            stored.vocabulary,
            stored.code,
            stored.vocabulary_version,
            stored.created_at.to_string()
        ],
    )
    .context("writing a record label")?;
    Ok(())
}

pub(crate) fn delete_record_label(tx: &Transaction<'_>, stored: &StoredRecordLabel) -> Result<()> {
    tx.execute(
        "DELETE FROM record_label WHERE record_id = ?1 AND reviewer_id = ?2 AND vocabulary = ?3 AND code = ?4",
        params![stored.record.0, stored.reviewer.0, stored.vocabulary, stored.code],
    )
    .context("deleting a record label")?;
    Ok(())
}
