//! Exporting a reviewer's work as a decision bundle and importing bundles (see
//! [`crate::bundle`] for the rules).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Transaction, params};

use super::audit::{AuditFilter, log_change};
use super::review::{
    check_parent, classification_key, find_reviewer_by_name, load_classification,
    load_record_label, load_risk_by_uid, load_vote, record_label_key, record_texts,
    require_any_label, require_project_label, reviewer_work, vote_key, write_classification,
    write_record_label, write_risk, write_vote,
};
use super::workflow::{
    StoredRoot, load_resolution, load_root, resolution_key, root_key, write_resolution, write_root,
};
use super::{Project, now, query_all, touch};
use crate::audit::EntityKind;
use crate::bundle::{
    BUNDLE_FORMAT, BUNDLE_VERSION, Bundle, BundleAudit, BundleClassification, BundleConflict,
    BundleLabel, BundleReport, BundleResolution, BundleReviewer, BundleRisk, BundleRoot,
    BundleVote, RecordRef,
};
use crate::error::{Error, Result, SqlContext};
use crate::ids::{Doi, RecordId, RiskId};
use crate::record::title_key;
use crate::review::{
    Decision, Reviewer, StoredClassification, StoredRecordLabel, StoredRisk, StoredVote,
};
use crate::visibility::Visibility;
use crate::workflow::Resolution;

use ecolens_taxonomy::labels::EXCLUSION_REASON;

impl Project {
    /// Everything the reader of `seen` has recorded, as a bundle for the lead's project: a
    /// bundle is always one's own work.
    pub fn export_bundle(&self, seen: &Visibility) -> Result<Bundle> {
        Ok(self.export_bundle_of(seen, None, true)?.0)
    }

    /// [`Self::export_bundle`] of the items on `only` records (all: `None`), with or without
    /// the reviewer's audit entries: what a hub's outbox needs.
    pub(crate) fn export_bundle_of(
        &self,
        seen: &Visibility,
        only: Option<&std::collections::HashSet<RecordId>>,
        with_audit: bool,
    ) -> Result<(Bundle, Vec<RecordId>)> {
        let who = seen.require_reader("a decision bundle")?.clone();
        let reviewer = who.id;
        let project_id = self.meta("project_id")?.unwrap_or_default();
        // A risk's parent is a risk of the same record: the risks of wanted records travel whole.
        let (votes, classifications, risks, labels) = reviewer_work(&self.conn, reviewer, only)?;
        let wanted = |record: RecordId| only.is_none_or(|set| set.contains(&record));
        let roots: Vec<i64> = query_all(
            &self.conn,
            "SELECT record_id FROM consequence_root WHERE reviewer_id = ?1 ORDER BY record_id",
            [reviewer.0],
            "reading consequence tree roots",
            |row| row.get(0),
        )?
        .into_iter()
        .filter(|id| wanted(RecordId(*id)))
        .collect();
        let mut refs: Vec<RecordRef> = Vec::new();
        let mut index: HashMap<RecordId, usize> = HashMap::new();
        // A sync names a hundred records: read them in one query rather than one by one.
        let mut known = match only {
            Some(set) => self.record_refs(set.iter().copied())?,
            None => HashMap::new(),
        };
        let mut slot = |project: &Self, record: RecordId| -> Result<usize> {
            if let Some(at) = index.get(&record) {
                return Ok(*at);
            }
            refs.push(match known.remove(&record) {
                Some(reference) => reference,
                None => RecordRef::of(&project.record(record)?.record),
            });
            index.insert(record, refs.len() - 1);
            Ok(refs.len() - 1)
        };
        let uid_of: HashMap<RiskId, String> = risks.iter().map(|r| (r.id, r.uid.clone())).collect();
        let mut bundle_votes = Vec::with_capacity(votes.len());
        for vote in votes {
            bundle_votes.push(BundleVote {
                record: slot(self, vote.record)?,
                vote: vote.vote,
                decided_at: vote.decided_at,
            });
        }
        let mut bundle_classifications = Vec::with_capacity(classifications.len());
        for c in classifications {
            bundle_classifications.push(BundleClassification {
                record: slot(self, c.record)?,
                classification: c.classification,
                classified_at: c.classified_at,
            });
        }
        let mut bundle_risks = Vec::with_capacity(risks.len());
        for stored in risks {
            let parent = stored.risk.parent.and_then(|p| uid_of.get(&p).cloned());
            bundle_risks.push(BundleRisk {
                record: slot(self, stored.record)?,
                uid: stored.uid,
                parent,
                risk: crate::review::ReboundRisk {
                    parent: None,
                    ..stored.risk
                },
                created_at: stored.created_at,
                updated_at: stored.updated_at,
            });
        }
        let mut bundle_labels = Vec::with_capacity(labels.len());
        for label in labels {
            bundle_labels.push(BundleLabel {
                record: slot(self, label.record)?,
                vocabulary: label.vocabulary,
                code: label.code,
                created_at: label.created_at,
            });
        }
        let tx = self.read_transaction("reading consequence tree roots")?;
        let mut bundle_roots = Vec::with_capacity(roots.len());
        for record in roots {
            if let Some(stored) = load_root(&tx, RecordId(record), reviewer)? {
                bundle_roots.push(BundleRoot {
                    record: slot(self, stored.record)?,
                    root: stored.root,
                    updated_at: stored.updated_at,
                });
            }
        }
        drop(tx);
        let mut bundle_audits = Vec::new();
        for stored in super::assessment::reviewer_paper_audits(&self.conn, reviewer)? {
            if !wanted(stored.record) {
                continue;
            }
            bundle_audits.push(BundleAudit {
                record: slot(self, stored.record)?,
                uid: stored.uid,
                audit: stored.audit,
                created_at: stored.created_at,
            });
        }
        let mut bundle_resolutions = Vec::new();
        if who.is_lead {
            for resolution in self.all_resolutions(None)? {
                if resolution.resolved_by != reviewer || !wanted(resolution.record) {
                    continue;
                }
                bundle_resolutions.push(BundleResolution {
                    record: slot(self, resolution.record)?,
                    subject: resolution.subject.code(),
                    value: resolution.value,
                    note: resolution.note,
                    resolved_at: resolution.resolved_at,
                });
            }
        }
        let audit = if with_audit {
            self.audit_log(
                AuditFilter {
                    reviewer: Some(reviewer),
                    ..AuditFilter::default()
                },
                seen,
            )?
        } else {
            Vec::new()
        };
        // The local record of each of the bundle's records, in its order.
        let mut locals = vec![RecordId(0); index.len()];
        for (record, at) in &index {
            if let Some(slot) = locals.get_mut(*at) {
                *slot = *record;
            }
        }
        let bundle = Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            version: BUNDLE_VERSION,
            project_id,
            exported_at: now(),
            exported_by: concat!("ecolens ", env!("CARGO_PKG_VERSION")).to_owned(),
            reviewer: BundleReviewer {
                name: who.name,
                is_lead: who.is_lead,
            },
            records: refs,
            votes: bundle_votes,
            classifications: bundle_classifications,
            risks: bundle_risks,
            labels: bundle_labels,
            roots: bundle_roots,
            audits: bundle_audits,
            resolutions: bundle_resolutions,
            audit,
        };
        Ok((bundle, locals))
    }

    /// Imports a bundle read from `path` (its text is `content`) in one transaction.
    ///
    /// Refuses, writing nothing: text that is not a bundle (with line and column), a bundle of
    /// another project, a reviewer not in this project, and any item that is not valid here
    /// (unknown exclusion reason, a quote not in the record …).
    pub fn import_bundle(&mut self, path: &Path, content: &str) -> Result<BundleReport> {
        let bundle: Bundle = serde_json::from_str(content).map_err(|error| Error::BadFile {
            path: path.to_owned(),
            line: error.line(),
            column: error.column(),
            detail: format!(
                "not a valid ecolens decision bundle: {}",
                strip_position(&error.to_string())
            ),
        })?;
        if bundle.format != BUNDLE_FORMAT || bundle.version > BUNDLE_VERSION {
            return Err(Error::invalid(
                format!("{}: format", path.display()),
                format!("{} version {}", bundle.format, bundle.version),
                format!("{BUNDLE_FORMAT} version {BUNDLE_VERSION} or older"),
            ));
        }
        let project_id = self.meta("project_id")?.unwrap_or_default();
        if bundle.project_id != project_id {
            return Err(Error::WrongProject {
                path: path.to_owned(),
                found: bundle.project_id,
                expected: project_id,
            });
        }
        let digest = digest(content);
        let mut report = BundleReport {
            file: path.display().to_string(),
            reviewer: bundle.reviewer.name.clone(),
            ..BundleReport::default()
        };
        let tx = self
            .conn
            .transaction()
            .context("starting to import a bundle")?;
        let author = find_reviewer_by_name(&tx, &bundle.reviewer.name)?.ok_or_else(|| {
            Error::invalid(
                format!("{}: reviewer", path.display()),
                &bundle.reviewer.name,
                "a reviewer of this project (the lead adds them with `ecolens reviewer add NAME` before sharing the project)",
            )
        })?;
        let seen: Vec<String> = query_all(
            &tx,
            "SELECT content FROM bundle_import WHERE digest = ?1",
            [&digest],
            "looking for earlier imports",
            |row| row.get(0),
        )?;
        if seen.iter().any(|earlier| earlier == content) {
            report.already_imported = true;
            return Ok(report);
        }
        let records = match_records(&tx, &bundle.records)?;
        let mut importer = Importer {
            tx: &tx,
            author: &author,
            bundle: &bundle,
            records: &records,
            report: &mut report,
            path,
        };
        importer.unmatched();
        importer.votes()?;
        importer.classifications()?;
        importer.risks()?;
        importer.labels()?;
        importer.roots()?;
        importer.audits()?;
        importer.resolutions()?;
        let report_json = serde_json::to_string(&report)
            .map_err(|e| Error::invalid("bundle.report", e.to_string(), "serialisable report"))?;
        tx.execute(
            "INSERT INTO bundle_import (digest, reviewer_name, file, imported_at, report, content)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                digest,
                bundle.reviewer.name,
                path.display().to_string(),
                now().to_string(),
                report_json,
                content
            ],
        )
        .context("keeping the bundle")?;
        tx.commit().context("committing a bundle")?;
        Ok(report)
    }
}

/// `serde_json` appends " at line L column C"; the error names the position already.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// A reviewer's item that a bundle brings in whole (a vote, a classification, a tree root).
trait Settled: serde::Serialize {
    /// What the audit log calls it.
    const ENTITY: EntityKind;
    /// What the report calls it.
    const NOUN: &'static str;
    /// Same content (times aside).
    fn same(&self, other: &Self) -> bool;
    /// When it was last changed.
    fn changed_at(&self) -> jiff::Timestamp;
    /// Its record.
    fn record(&self) -> RecordId;
    /// Its audit key.
    fn key(&self) -> String;
    /// Which item, in the report (`vote at tiab`).
    fn item(&self) -> String;
    /// Its value, in the report.
    fn describe(&self) -> String;
    /// Writes it.
    fn write(&self, tx: &Transaction<'_>) -> Result<()>;
}

impl Settled for StoredVote {
    const ENTITY: EntityKind = EntityKind::Screening;
    const NOUN: &'static str = "vote";
    fn same(&self, other: &Self) -> bool {
        self.vote == other.vote
    }
    fn changed_at(&self) -> jiff::Timestamp {
        self.decided_at
    }
    fn record(&self) -> RecordId {
        self.record
    }
    fn key(&self) -> String {
        vote_key(self.record, self.reviewer, self.vote.stage)
    }
    fn item(&self) -> String {
        format!("vote at {}", self.vote.stage)
    }
    fn describe(&self) -> String {
        format!("{} at {}", self.vote.decision.code(), self.decided_at)
    }
    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        write_vote(tx, self)
    }
}

impl Settled for Resolution {
    const ENTITY: EntityKind = EntityKind::Resolution;
    const NOUN: &'static str = "resolution";
    fn same(&self, other: &Self) -> bool {
        self.value == other.value && self.note == other.note
    }
    fn changed_at(&self) -> jiff::Timestamp {
        self.resolved_at
    }
    fn record(&self) -> RecordId {
        self.record
    }
    fn key(&self) -> String {
        resolution_key(self.record, &self.subject)
    }
    fn item(&self) -> String {
        format!("resolution of {}", self.subject)
    }
    fn describe(&self) -> String {
        format!("{} at {}", self.value.summary(), self.resolved_at)
    }
    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        write_resolution(tx, self)
    }
}

impl Settled for StoredClassification {
    const ENTITY: EntityKind = EntityKind::Classification;
    const NOUN: &'static str = "classification";
    fn same(&self, other: &Self) -> bool {
        self.classification == other.classification
    }
    fn changed_at(&self) -> jiff::Timestamp {
        self.classified_at
    }
    fn record(&self) -> RecordId {
        self.record
    }
    fn key(&self) -> String {
        classification_key(self.record, self.reviewer)
    }
    fn item(&self) -> String {
        "classification".into()
    }
    fn describe(&self) -> String {
        self.classification.category.to_string()
    }
    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        write_classification(tx, self)
    }
}

impl Settled for StoredRoot {
    const ENTITY: EntityKind = EntityKind::ConsequenceRoot;
    const NOUN: &'static str = "root";
    fn same(&self, other: &Self) -> bool {
        self.root == other.root
    }
    fn changed_at(&self) -> jiff::Timestamp {
        self.updated_at
    }
    fn record(&self) -> RecordId {
        self.record
    }
    fn key(&self) -> String {
        root_key(self.record, self.reviewer)
    }
    fn item(&self) -> String {
        "consequence tree root".into()
    }
    fn describe(&self) -> String {
        self.root.label()
    }
    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        write_root(tx, self)
    }
}

/// FNV-1a (64 bit) of the text, with its length: finds earlier imports of the same bundle
/// (the content is compared too, so a collision cannot hide a bundle).
fn digest(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}-{}", text.len())
}

/// The local id of each record a bundle names, by DOI, PMID, arXiv id, else normalised title
/// and year.
pub(super) fn match_records(
    tx: &Transaction<'_>,
    refs: &[RecordRef],
) -> Result<Vec<Option<RecordId>>> {
    let mut out = Vec::with_capacity(refs.len());
    let mut by_title: Option<HashMap<(String, Option<i32>), i64>> = None;
    for reference in refs {
        let by_id = |sql: &str, value: &str| -> Result<Option<i64>> {
            tx.query_row(sql, [value], |row| row.get(0))
                .context("matching a bundle's record")
        };
        let mut found = None;
        if let Some(doi) = reference
            .doi
            .as_deref()
            .and_then(|d| Doi::parse("doi", d).ok())
        {
            found = by_id("SELECT min(id) FROM record WHERE doi_key = ?1", &doi.key())?;
        }
        if found.is_none()
            && let Some(pmid) = &reference.pmid
        {
            found = by_id("SELECT min(id) FROM record WHERE pmid = ?1", pmid)?;
        }
        if found.is_none()
            && let Some(arxiv) = &reference.arxiv
        {
            found = by_id("SELECT min(id) FROM record WHERE arxiv = ?1", arxiv)?;
        }
        if found.is_none() {
            let titles = match &mut by_title {
                Some(map) => map,
                None => {
                    let rows: Vec<(i64, String, Option<i32>)> = query_all(
                        tx,
                        "SELECT id, title, year FROM record ORDER BY id",
                        [],
                        "matching records by title",
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )?;
                    let mut map = HashMap::with_capacity(rows.len());
                    for (id, title, year) in rows {
                        map.entry((title_key(&title), year)).or_insert(id);
                    }
                    by_title.insert(map)
                }
            };
            found = titles
                .get(&(reference.title_key.clone(), reference.year))
                .copied();
        }
        out.push(found.map(RecordId));
    }
    Ok(out)
}

struct Importer<'a, 'tx> {
    tx: &'a Transaction<'tx>,
    author: &'a Reviewer,
    bundle: &'a Bundle,
    records: &'a [Option<RecordId>],
    report: &'a mut BundleReport,
    path: &'a Path,
}

impl Importer<'_, '_> {
    fn unmatched(&mut self) {
        for (at, record) in self.records.iter().enumerate() {
            if record.is_none() {
                self.report
                    .unmatched
                    .push(self.bundle.records[at].describe());
            }
        }
    }

    /// The local record of an item, or `None` (reported once as unmatched).
    fn record(&self, index: usize, item: &str) -> Result<Option<RecordId>> {
        match self.records.get(index) {
            Some(found) => Ok(*found),
            None => Err(Error::invalid(
                format!("{}: {item}.record", self.path.display()),
                index.to_string(),
                format!("an index into the bundle's {} records", self.records.len()),
            )),
        }
    }

    fn describe(&self, index: usize) -> String {
        self.bundle
            .records
            .get(index)
            .map_or_else(|| index.to_string(), RecordRef::describe)
    }

    fn conflict(
        &mut self,
        index: usize,
        item: String,
        in_project: String,
        in_bundle: String,
        why: &str,
    ) {
        self.report.conflicts.push(BundleConflict {
            record: self.describe(index),
            item,
            in_project,
            in_bundle,
            kept_because: why.to_owned(),
        });
    }

    fn log<T: serde::Serialize>(
        &self,
        entity: EntityKind,
        key: String,
        record: RecordId,
        old: Option<&T>,
        new: &T,
    ) -> Result<()> {
        log_change(
            self.tx,
            Some(self.author),
            entity,
            key,
            Some(record),
            old,
            Some(new),
        )?;
        touch(self.tx, &[record])
    }

    fn votes(&mut self) -> Result<()> {
        for (n, item) in self.bundle.votes.iter().enumerate() {
            item.vote
                .validate()
                .map_err(|e| self.locate(e, &format!("votes[{n}]")))?;
            let Some(record) = self.record(item.record, "vote")? else {
                continue;
            };
            let reason_vocabulary = match &item.vote.decision {
                Decision::Exclude { reason: Some(code) } => Some(require_project_label(
                    self.tx,
                    EXCLUSION_REASON,
                    code,
                    &format!("{}: votes[{n}].reason", self.path.display()),
                )?),
                _ => None,
            };
            let stored = StoredVote {
                record,
                reviewer: self.author.id,
                vote: item.vote.clone(),
                reason_vocabulary,
                decided_at: item.decided_at,
            };
            let old = load_vote(self.tx, record, self.author.id, item.vote.stage)?;
            self.settle(item.record, old, &stored)?;
        }
        Ok(())
    }

    fn classifications(&mut self) -> Result<()> {
        for (n, item) in self.bundle.classifications.iter().enumerate() {
            let Some(record) = self.record(item.record, "classification")? else {
                continue;
            };
            let texts = record_texts(self.tx, record)?;
            item.classification
                .validate(|field| texts.get(field))
                .map_err(|e| self.locate(e, &format!("classifications[{n}]")))?;
            let stored = StoredClassification {
                record,
                reviewer: self.author.id,
                classification: item.classification.clone(),
                vocabularies: crate::review::Classification::vocabularies(),
                classified_at: item.classified_at,
            };
            let old = load_classification(self.tx, record, self.author.id)?;
            self.settle(item.record, old, &stored)?;
        }
        Ok(())
    }

    fn risks(&mut self) -> Result<()> {
        // Two passes: rows first, then parents (a child may come before its parent).
        let mut placed: Vec<(usize, StoredRisk)> = Vec::new();
        for (n, item) in self.bundle.risks.iter().enumerate() {
            let Some(record) = self.record(item.record, "risk")? else {
                continue;
            };
            if item.uid.len() < 8 || !item.uid.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(Error::invalid(
                    format!("{}: risks[{n}].uid", self.path.display()),
                    &item.uid,
                    "a stable id of 8 or more letters and digits",
                ));
            }
            let texts = record_texts(self.tx, record)?;
            let risk = crate::review::ReboundRisk {
                parent: None,
                ..item.risk.clone()
            };
            risk.validate(|field| texts.get(field))
                .map_err(|e| self.locate(e, &format!("risks[{n}]")))?;
            let old = load_risk_by_uid(self.tx, &item.uid)?;
            let mut stored = StoredRisk {
                id: RiskId(0),
                uid: item.uid.clone(),
                record,
                reviewer: self.author.id,
                risk,
                vocabularies: crate::review::ReboundRisk::vocabularies(),
                created_at: item.created_at,
                updated_at: item.updated_at,
            };
            match old {
                Some(old) if old.reviewer != self.author.id || old.record != record => {
                    self.conflict(
                        item.record,
                        format!("risk {}", item.risk.effect),
                        format!("risk {} of another reviewer or record", old.id),
                        format!("risk {}", item.uid),
                        "its stable id belongs to another reviewer's or record's risk here",
                    );
                }
                Some(old) => {
                    let same = crate::review::ReboundRisk {
                        parent: None,
                        ..old.risk.clone()
                    } == stored.risk;
                    if same {
                        self.report.unchanged += 1;
                        placed.push((n, old));
                    } else if old.updated_at >= stored.updated_at {
                        self.conflict(
                            item.record,
                            format!("risk {}", item.risk.effect),
                            crate::workflow::RiskRating::of(&old.risk).summary(),
                            crate::workflow::RiskRating::of(&stored.risk).summary(),
                            "the project's risk is as recent or newer",
                        );
                    } else {
                        stored.id = old.id;
                        stored.risk.parent = old.risk.parent;
                        stored.created_at = old.created_at;
                        write_risk(self.tx, &stored, true)?;
                        self.log(
                            EntityKind::Risk,
                            format!("risk {}", old.id),
                            record,
                            Some(&old),
                            &stored,
                        )?;
                        self.count(true);
                        placed.push((n, stored));
                    }
                }
                None => {
                    stored.id = write_risk(self.tx, &stored, false)?;
                    self.log(
                        EntityKind::Risk,
                        format!("risk {}", stored.id),
                        record,
                        None,
                        &stored,
                    )?;
                    self.count(false);
                    placed.push((n, stored));
                }
            }
        }
        for (n, stored) in placed {
            let wanted = match &self.bundle.risks[n].parent {
                Some(uid) => load_risk_by_uid(self.tx, uid)?.map(|p| p.id),
                None => None,
            };
            if wanted == stored.risk.parent {
                continue;
            }
            if check_parent(
                self.tx,
                wanted,
                stored.record,
                stored.reviewer,
                Some(stored.id),
            )
            .is_err()
            {
                self.conflict(
                    self.bundle.risks[n].record,
                    format!("parent of risk {}", stored.risk.effect),
                    format!("{:?}", stored.risk.parent.map(|p| p.0)),
                    format!("{:?}", self.bundle.risks[n].parent),
                    "the parent is not a risk of the same record and reviewer here",
                );
                continue;
            }
            let moved = StoredRisk {
                risk: crate::review::ReboundRisk {
                    parent: wanted,
                    ..stored.risk.clone()
                },
                ..stored.clone()
            };
            write_risk(self.tx, &moved, true)?;
            self.log(
                EntityKind::Risk,
                format!("risk {}", stored.id),
                stored.record,
                Some(&stored),
                &moved,
            )?;
        }
        Ok(())
    }

    fn labels(&mut self) -> Result<()> {
        for item in &self.bundle.labels {
            let Some(record) = self.record(item.record, "label")? else {
                continue;
            };
            let vocabulary_version = require_any_label(self.tx, &item.vocabulary, &item.code)?;
            if load_record_label(
                self.tx,
                record,
                self.author.id,
                &item.vocabulary,
                &item.code,
            )?
            .is_some()
            {
                self.report.unchanged += 1;
                continue;
            }
            let stored = StoredRecordLabel {
                record,
                reviewer: self.author.id,
                vocabulary: item.vocabulary.clone(),
                code: item.code.clone(),
                vocabulary_version,
                created_at: item.created_at,
            };
            write_record_label(self.tx, &stored)?;
            self.log(
                EntityKind::RecordLabel,
                record_label_key(record, self.author.id, &item.vocabulary, &item.code),
                record,
                None,
                &stored,
            )?;
            self.count(false);
        }
        Ok(())
    }

    fn roots(&mut self) -> Result<()> {
        for item in &self.bundle.roots {
            let Some(record) = self.record(item.record, "root")? else {
                continue;
            };
            let stored = StoredRoot {
                record,
                reviewer: self.author.id,
                root: item.root.clone(),
                updated_at: item.updated_at,
            };
            let old = load_root(self.tx, record, self.author.id)?;
            self.settle(item.record, old, &stored)?;
        }
        Ok(())
    }

    /// A lead's resolutions: written when the bundle's reviewer is a lead here, newer over
    /// older as every item is; from a reviewer who is not a lead, reported and not written.
    fn resolutions(&mut self) -> Result<()> {
        for (n, item) in self.bundle.resolutions.iter().enumerate() {
            let Some(record) = self.record(item.record, "resolution")? else {
                continue;
            };
            let field = format!("resolutions[{n}].subject");
            let subject = crate::workflow::Subject::parse(&field, &item.subject)
                .map_err(|e| self.locate(e, "resolution"))?;
            item.value
                .validate(&subject)
                .map_err(|e| self.locate(e, "resolution"))?;
            if !self.author.is_lead {
                self.conflict(
                    item.record,
                    format!("resolution of {}", item.subject),
                    "no resolution from this reviewer".to_owned(),
                    item.value.summary(),
                    "only a lead of this project resolves",
                );
                continue;
            }
            let stored = Resolution {
                record,
                subject: subject.clone(),
                value: item.value.clone(),
                note: item.note.clone(),
                resolved_by: self.author.id,
                resolved_at: item.resolved_at,
            };
            let old = load_resolution(self.tx, record, &subject)?;
            self.settle(item.record, old, &stored)?;
        }
        Ok(())
    }

    /// Paper audits: each is added once (by its stable id) and never changed; one whose id
    /// belongs to another reviewer's or record's audit here is reported, not written.
    fn audits(&mut self) -> Result<()> {
        for (n, item) in self.bundle.audits.iter().enumerate() {
            let Some(record) = self.record(item.record, "paper audit")? else {
                continue;
            };
            let stored = super::assessment::StoredPaperAudit {
                id: 0,
                uid: item.uid.clone(),
                record,
                reviewer: Some(self.author.id),
                audit: item.audit.clone(),
                created_at: item.created_at.clone(),
            };
            match super::assessment::load_paper_audit_by_uid(self.tx, &item.uid)? {
                Some(old)
                    if old.reviewer == Some(self.author.id)
                        && old.record == record
                        && old.audit == stored.audit =>
                {
                    self.report.unchanged += 1;
                }
                Some(old) => {
                    self.conflict(
                        item.record,
                        format!("paper audit {}", item.audit.chain.label),
                        format!("paper audit {}", old.id),
                        format!("audits[{n}] {}", item.uid),
                        "its stable id belongs to another audit here",
                    );
                }
                None => {
                    let id = super::assessment::write_paper_audit(self.tx, &stored, false)?;
                    let stored = super::assessment::StoredPaperAudit { id, ..stored };
                    self.log(
                        EntityKind::PaperAudit,
                        format!("paper audit {id}"),
                        record,
                        None,
                        &stored,
                    )?;
                    self.count(false);
                }
            }
        }
        Ok(())
    }

    /// Brings one of the reviewer's items in: unchanged when the project holds the same value;
    /// kept as the project has it, and reported, when the project's value is as recent or
    /// newer; otherwise written and logged (added or updated).
    fn settle<T: Settled>(&mut self, index: usize, old: Option<T>, new: &T) -> Result<()> {
        match old {
            Some(old) if old.same(new) => self.report.unchanged += 1,
            Some(old) if old.changed_at() >= new.changed_at() => {
                let why = format!("the project's {} is as recent or newer", T::NOUN);
                self.conflict(index, new.item(), old.describe(), new.describe(), &why);
            }
            old => {
                new.write(self.tx)?;
                self.log(T::ENTITY, new.key(), new.record(), old.as_ref(), new)?;
                self.count(old.is_some());
            }
        }
        Ok(())
    }

    fn count(&mut self, updated: bool) {
        if updated {
            self.report.updated += 1;
        } else {
            self.report.added += 1;
        }
    }

    /// Prefixes an item's validation error with the bundle file and the item.
    fn locate(&self, error: Error, item: &str) -> Error {
        match error {
            Error::InvalidValue {
                field,
                value,
                expected,
            } => Error::InvalidValue {
                field: format!("{}: {item}: {field}", self.path.display()),
                value,
                expected,
            },
            other => other,
        }
    }
}
