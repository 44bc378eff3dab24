//! Records edited and entered by hand: each change audited, undoable, and journalled for the
//! search index.

use rusqlite::{Transaction, params};
use serde::Serialize;

use super::records::{insert_record_tx, load_record, update_record_tx};
use super::review::commit_review_change;
use super::{Project, count_records, now};
use crate::audit::EntityKind;
use crate::error::{Error, Result, SqlContext};
use crate::ids::{RecordId, ReviewerId};
use crate::record::{Record, SourceRef};

/// The file name a record entered by hand gives as its source.
pub const ENTERED_BY_HAND: &str = "entered by hand";

/// The format name of a record entered by hand.
pub const MANUAL_FORMAT: &str = "manual";

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordEdit {
    /// The record.
    pub record: RecordId,
    /// The fields that changed (`title`, `year`, `authors` …), in the record's order
    /// ([`Record::changed_fields`]); empty when the edit changed nothing, and then nothing was
    /// logged.
    pub changed: Vec<&'static str>,
    /// Other records that share an identifier with the edited one (DOI, PMID, arXiv id):
    /// probably duplicates, for the reviewer to merge.
    pub same_identifier: Vec<RecordId>,
}

/// Other records with one of `record`'s identifiers.
fn sharing_identifiers(
    tx: &Transaction<'_>,
    id: Option<RecordId>,
    record: &Record,
) -> Result<Vec<RecordId>> {
    let mut statement = tx
        .prepare_cached(
            "SELECT id FROM record WHERE doi_key = ?1 AND id IS NOT ?4
             UNION SELECT id FROM record WHERE pmid = ?2 AND id IS NOT ?4
             UNION SELECT id FROM record WHERE arxiv = ?3 AND id IS NOT ?4
             ORDER BY 1",
        )
        .context("looking for records with the same identifiers")?;
    let ids = statement
        .query_map(
            params![
                record.doi.as_ref().map(crate::Doi::key),
                record.pmid.as_ref().map(crate::Pmid::as_str),
                record.arxiv.as_ref().map(crate::ArxivId::as_str),
                id.map(|id| id.0),
            ],
            |row| row.get(0).map(RecordId),
        )
        .context("looking for records with the same identifiers")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("looking for records with the same identifiers")?;
    Ok(ids)
}

impl Project {
    /// Replaces a record's bibliographic content by a reviewer's edit, in one transaction:
    /// validates it, logs the content before and after in the audit log (so `undo` can put it
    /// back), and journals the record for the search index.
    ///
    /// `seen` is the content the reviewer started from: when the record has changed since
    /// (another reviewer, a merge), the edit is refused rather than overwriting that change.
    pub fn edit_record(
        &mut self,
        reviewer: ReviewerId,
        id: RecordId,
        seen: &Record,
        edited: &Record,
    ) -> Result<RecordEdit> {
        edited.validate()?;
        let (tx, author) = self.begin_review("starting to edit a record", Some(id), reviewer)?;
        let current = load_record(&tx, id)?;
        if &current != seen {
            return Err(Error::EditConflict { record: id });
        }
        let edit = RecordEdit {
            record: id,
            changed: current.changed_fields(edited),
            same_identifier: sharing_identifiers(&tx, Some(id), edited)?,
        };
        if !edit.changed.is_empty() {
            update_record_tx(&tx, id, edited, &now().to_string())?;
            commit_review_change(
                tx,
                &author,
                (EntityKind::Record, format!("record {id}"), id),
                Some(&current),
                Some(edited),
                "committing a record edit",
            )?;
        }
        Ok(edit)
    }

    /// Adds a record a reviewer entered by hand (a project or grant proposal under assessment,
    /// a paper no database holds), with [`ENTERED_BY_HAND`] as its source, audited and
    /// undoable, in one transaction.
    pub fn enter_record(&mut self, reviewer: ReviewerId, record: &Record) -> Result<RecordEdit> {
        record.validate()?;
        let (tx, author) = self.begin_review("starting to add a record", None, reviewer)?;
        let same_identifier = sharing_identifiers(&tx, None, record)?;
        let source = SourceRef {
            file: ENTERED_BY_HAND.to_owned(),
            format: MANUAL_FORMAT.to_owned(),
            locator: Some(format!("by {}", author.name)),
            original_key: None,
        };
        let id = insert_record_tx(&tx, record, &source, None, &now().to_string())?;
        count_records(&tx, 1)?;
        commit_review_change(
            tx,
            &author,
            (EntityKind::Record, format!("record {id}"), id),
            None,
            Some(record),
            "committing a new record",
        )?;
        Ok(RecordEdit {
            record: id,
            changed: Record::default().changed_fields(record),
            same_identifier,
        })
    }
}

/// Takes back the entry of a record by hand: deletes it, unless anything has been attached to
/// it since (judgements, a full text, merges, relations), which a deletion would lose.
pub(super) fn delete_entered_record(tx: &Transaction<'_>, id: RecordId) -> Result<()> {
    let attached: Vec<&'static str> = [
        (
            "screening votes",
            "SELECT count(*) FROM screening WHERE record_id = ?1",
        ),
        (
            "classifications",
            "SELECT count(*) FROM classification WHERE record_id = ?1",
        ),
        (
            "rebound risks",
            "SELECT count(*) FROM rebound_risk WHERE record_id = ?1",
        ),
        (
            "labels",
            "SELECT count(*) FROM record_label WHERE record_id = ?1",
        ),
        (
            "resolutions",
            "SELECT count(*) FROM resolution WHERE record_id = ?1",
        ),
        (
            "consequence trees",
            "SELECT count(*) FROM consequence_root WHERE record_id = ?1",
        ),
        (
            "a full text",
            "SELECT count(*) FROM record_fulltext WHERE record_id = ?1",
        ),
        (
            "merged duplicates",
            "SELECT count(*) FROM record_merge WHERE kept_id = ?1",
        ),
        (
            "relations",
            "SELECT count(*) FROM record_relation WHERE from_id = ?1 OR to_id = ?1",
        ),
        (
            "other sources",
            "SELECT count(*) - 1 FROM record_source WHERE record_id = ?1",
        ),
    ]
    .into_iter()
    .map(|(what, sql)| {
        tx.query_row(sql, [id.0], |row| row.get::<_, i64>(0))
            .context("looking at what a record holds")
            .map(|n| (what, n))
    })
    .collect::<Result<Vec<_>>>()?
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(what, _)| what)
    .collect();
    if !attached.is_empty() {
        return Err(Error::RecordInUse {
            record: id,
            holds: attached.join(", "),
        });
    }
    tx.execute("DELETE FROM record WHERE id = ?1", [id.0])
        .context("deleting a record entered by hand")?;
    count_records(tx, -1)?;
    Ok(())
}
