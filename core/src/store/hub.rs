//! The local side of a team hub ([`crate::hub`]): a project joined to a hub is a working copy.
//!
//! What it keeps: the hub's place and this copy's login (`project_meta`), which shared record
//! each local record is (`hub_record`), the uids of changes the hub already has from here or
//! sent here (`hub_pushed`), and the cursors of the last pull. The outbox is not a queue of its
//! own: it is the reviewer's work whose uid the hub does not have yet, computed from the
//! project itself, so a write can never be missing from it and a push cut short is simply
//! pushed again (the hub skips uids it has).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use super::audit::log_change;
use super::workflow::{read_meta, write_meta};
use super::{Project, now, query_all};
use crate::audit::EntityKind;
use crate::bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, BundleReport, RecordRef};
use crate::error::{Error, Result, SqlContext};
use crate::hub::{
    CHANGE_KINDS, Hub, HubChange, HubReviewer, HubSettings, PulledChange, SharedFullText,
    SharedRecord, SharedVocabulary, change_uid,
};
use crate::ids::RecordId;
use crate::merge::ImportedFile;
use crate::record::{Record, SourceRef};

const PLACE: &str = "hub.place";
const LOGIN: &str = "hub.login";
const REVIEWER: &str = "hub.reviewer";
const CURSOR: &str = "hub.cursor";
const RECORDS_CURSOR: &str = "hub.records_cursor";
const EPOCH: &str = "hub.epoch";
const LAST_SYNC: &str = "hub.last_sync";
/// The last audit entry whose change the hub has: the outbox looks at records touched after.
const AUDIT_MARK: &str = "hub.audit_mark";
/// The settings a lead's copy shares beside blind mode: the screening rule and order, the
/// stopping rule's target and confidence, highlighted words, the assessment's factors; and the
/// known includes ([`KNOWN_INCLUDES`]), which travel as records.
const SHARED_KEYS: [&str; 8] = [
    "review.screening_rule",
    "screening.order",
    "screening.seed",
    "screening.target_recall",
    "screening.confidence",
    "screening.highlight_include",
    "screening.highlight_exclude",
    "assessment.factors",
];
/// The lead's known includes (as local ids in `project_meta`; as records on the hub).
const KNOWN_INCLUDES: &str = "screening.known_includes";
/// The shared settings as they were after the last sync (to tell a lead's new edit).
const SETTINGS_SEEN: &str = "hub.settings_seen";
/// The last full text's extraction time a lead's copy shared.
const FULLTEXT_MARK: &str = "hub.fulltext_mark";
/// The last full-text version read from the hub.
const FULLTEXT_SEEN: &str = "hub.fulltext_seen";
/// Changes pulled per round trip.
const PAGE: i64 = 5_000;

/// Settings shared through the hub: `project_meta` key → value.
type SharedSettings = std::collections::BTreeMap<String, String>;

/// A record and the files it was imported from.
type WithSources = (Record, Vec<SourceRef>);

/// This copy's tie to a hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubLink {
    /// `host:port/db`.
    pub place: String,
    /// The PostgreSQL login this copy acts as.
    pub login: String,
    /// That login's reviewer name in the project.
    pub reviewer: String,
    /// When the last sync finished (RFC 3339), if one has.
    pub last_sync: Option<String>,
    /// The last change pulled.
    pub cursor: i64,
}

/// What a sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Records this lead shared.
    pub records_shared: u64,
    /// Records received (new here).
    pub records_received: u64,
    /// Changes pushed that were new to the hub.
    pub pushed: u64,
    /// Changes pulled (others' work this login may see, or its own from another machine).
    pub pulled: u64,
    /// Whether the hub's visibility changed (unblinded …) and everything was read again.
    pub reread: bool,
    /// The hub's settings after the sync.
    pub settings: Option<HubSettings>,
    /// What applying the pulled changes did, per reviewer.
    pub applied: Vec<BundleReport>,
    /// Pulled changes not valid in this copy yet, tried again at every sync.
    pub parked: Vec<Parked>,
}

/// A pulled change waiting until it is valid here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parked {
    /// The reviewer's login.
    pub author: String,
    /// What it is (`vote`, `classification` …).
    pub kind: String,
    /// The record, as the change names it.
    pub record: String,
    /// Why it does not apply.
    pub reason: String,
}

/// Errors that say a pulled change is not valid in this copy (yet), as opposed to a failure
/// of the store.
fn parkable(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidValue { .. } | Error::NotFound { .. } | Error::AlreadyExists { .. }
    )
}

impl Project {
    /// This copy's hub, if it is joined to one.
    pub fn hub_link(&self) -> Result<Option<HubLink>> {
        let (Some(place), Some(login), Some(reviewer)) =
            (self.meta(PLACE)?, self.meta(LOGIN)?, self.meta(REVIEWER)?)
        else {
            return Ok(None);
        };
        Ok(Some(HubLink {
            place,
            login,
            reviewer,
            last_sync: self.meta(LAST_SYNC)?,
            cursor: self.meta(CURSOR)?.and_then(|v| v.parse().ok()).unwrap_or(0),
        }))
    }

    /// The reviewer this copy is tied to, when it is a hub's working copy: no one else acts
    /// in it.
    pub(crate) fn require_hub_reviewer(&self, name: &str) -> Result<()> {
        require_hub_reviewer_in(&self.conn, name)
    }

    /// Refuses a blind-mode switch in a working copy: the hub holds it.
    pub(crate) fn refuse_local_switch(&self, action: &'static str) -> Result<()> {
        if self.meta(LOGIN)?.is_some() {
            return Err(Error::HubRefused {
                action,
                detail: "in a hub's working copy the hub holds blind mode: a lead runs `ecolens hub blind on|off`".to_owned(),
            });
        }
        Ok(())
    }

    /// Ties this project to a hub as `login` (reviewer `reviewer`). A project that holds
    /// records of another project is refused; an empty one takes the hub's project id.
    pub fn link_hub(
        &mut self,
        place: &str,
        login: &str,
        reviewer: &str,
        hub_project_id: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction().context("starting to join a hub")?;
        let local_id = read_meta(&tx, "project_id")?.unwrap_or_default();
        if local_id != hub_project_id {
            let records: i64 = tx
                .query_row("SELECT count(*) FROM record", [], |row| row.get(0))
                .context("counting records")?;
            if records > 0 {
                return Err(Error::WrongProject {
                    path: self.path.clone(),
                    found: local_id,
                    expected: hub_project_id.to_owned(),
                });
            }
            write_meta(&tx, "project_id", Some(hub_project_id))?;
        }
        for (key, value) in [(PLACE, place), (LOGIN, login), (REVIEWER, reviewer)] {
            write_meta(&tx, key, Some(value))?;
        }
        log_change(
            &tx,
            None,
            EntityKind::Setting,
            "hub".to_owned(),
            None,
            None::<&String>,
            Some(&format!("{login}@{place}")),
        )?;
        tx.commit().context("committing the join")
    }

    /// Adds the hub's reviewers this copy does not know yet.
    fn take_hub_reviewers(&mut self, reviewers: &[HubReviewer]) -> Result<()> {
        let known: HashSet<String> = self.reviewers()?.into_iter().map(|r| r.name).collect();
        for reviewer in reviewers {
            if !known.contains(&reviewer.name) {
                self.add_reviewer(&reviewer.name, reviewer.is_lead)?;
            }
        }
        Ok(())
    }

    /// Takes the hub's blind mode and leads-see-all, audited as the hub's when they change.
    fn take_hub_settings(&mut self, settings: &HubSettings) -> Result<()> {
        let on = |key: &str, default: &str| -> Result<bool> {
            Ok(self.meta(key)?.as_deref().unwrap_or(default) == "on")
        };
        if on("review.blind", "on")? == settings.blind
            && on("review.leads_see_all", "off")? == settings.leads_see_all
        {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction()
            .context("starting to take the hub's settings")?;
        let switch = |on: bool| Some(if on { "on" } else { "off" });
        take_setting(&tx, "review.blind", switch(settings.blind))?;
        take_setting(&tx, "review.leads_see_all", switch(settings.leads_see_all))?;
        tx.commit().context("committing the hub's settings")
    }

    /// The project's vocabularies with every entry, retired ones included.
    fn local_vocabularies(&self) -> Result<Vec<SharedVocabulary>> {
        let heads: Vec<(String, String, String)> = query_all(
            &self.conn,
            "SELECT id, name, description FROM label_vocabulary ORDER BY id",
            [],
            "listing vocabularies",
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        heads
            .into_iter()
            .map(|(id, name, description)| {
                Ok(SharedVocabulary {
                    labels: self.project_labels(&id)?,
                    id,
                    name,
                    description,
                })
            })
            .collect()
    }

    /// Full texts' metadata: a lead shares what its copy holds and the hub lacks or holds
    /// otherwise; every copy keeps what the hub knows, per local record.
    fn swap_full_texts(&mut self, hub: &mut Hub, is_lead: bool, login: &str) -> Result<()> {
        if is_lead {
            // Only full texts extracted since the last share are read and hashed.
            let mark = self.meta(FULLTEXT_MARK)?.unwrap_or_default();
            let fresh: Vec<(i64, i64, String)> = query_all(
                &self.conn,
                "SELECT h.hub_id, f.record_id, f.extracted_at FROM record_fulltext f
                 JOIN hub_record h ON h.record_id = f.record_id
                 WHERE f.extracted_at > ?1 ORDER BY f.extracted_at",
                [&mark],
                "listing full texts to share",
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            if let Some((_, _, last)) = fresh.last().cloned() {
                let mut mine = Vec::with_capacity(fresh.len());
                for (hub_id, record, _) in &fresh {
                    if let Some(text) = self.full_text(RecordId(*record))? {
                        mine.push((*hub_id, shared_full_text(&text, login)));
                    }
                }
                hub.share_full_texts(&mine)?;
                self.set_meta(FULLTEXT_MARK, &last)?;
            }
        }
        let seen: i64 = self
            .meta(FULLTEXT_SEEN)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let (there, last) = hub.full_texts_after(seen)?;
        if there.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction()
            .context("starting to note full texts")?;
        for (hub_id, text) in &there {
            let record: Option<i64> = tx
                .query_row(
                    "SELECT record_id FROM hub_record WHERE hub_id = ?1",
                    [hub_id],
                    |row| row.get(0),
                )
                .optional()
                .context("reading a shared record")?;
            if let Some(record) = record {
                let content = serde_json::to_string(text)
                    .map_err(|e| Error::invalid("hub.fulltext", e.to_string(), "serialisable"))?;
                tx.execute(
                    "INSERT INTO hub_fulltext (record_id, content) VALUES (?1, ?2)
                     ON CONFLICT (record_id) DO UPDATE SET content = excluded.content",
                    params![record, content],
                )
                .context("noting a full text")?;
            }
        }
        write_meta(&tx, FULLTEXT_SEEN, Some(&last.to_string()))?;
        tx.commit().context("committing full texts")
    }

    /// What the hub knows of a record's full text, if anything.
    pub fn hub_full_text(&self, record: RecordId) -> Result<Option<SharedFullText>> {
        let content: Option<String> = self
            .conn
            .query_row(
                "SELECT content FROM hub_fulltext WHERE record_id = ?1",
                [record.0],
                |row| row.get(0),
            )
            .optional()
            .context("reading a full text's metadata")?;
        content
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|e| Error::invalid("hub_fulltext.content", e.to_string(), "metadata"))
            })
            .transpose()
    }

    /// How many records the hub knows a full text of.
    pub fn hub_full_texts(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT count(*) FROM hub_fulltext", [], |row| row.get(0))
            .context("counting full texts' metadata")
    }

    /// The shared settings of this copy.
    fn shared_settings(&self) -> Result<std::collections::BTreeMap<String, String>> {
        let mut out = std::collections::BTreeMap::new();
        for key in SHARED_KEYS {
            if let Some(value) = self.meta(key)? {
                out.insert(key.to_owned(), value);
            }
        }
        // Known includes are local record ids: they travel as records named between copies.
        let known = self.known_includes()?;
        if !known.is_empty() {
            let refs = known
                .into_iter()
                .map(|id| Ok(RecordRef::of(&self.record(id)?.record)))
                .collect::<Result<Vec<RecordRef>>>()?;
            let text = serde_json::to_string(&refs)
                .map_err(|e| Error::invalid("hub.settings", e.to_string(), "serialisable"))?;
            out.insert(KNOWN_INCLUDES.to_owned(), text);
        }
        Ok(out)
    }

    /// Settings: a lead's edit made here since the last sync goes up; otherwise the hub's
    /// come down (audited as the hub's), each key checked as it is written.
    fn swap_settings(
        &mut self,
        hub: &mut Hub,
        there: Option<&SharedSettings>,
        is_lead: bool,
    ) -> Result<()> {
        let here = self.shared_settings()?;
        let seen: Option<SharedSettings> = self
            .meta(SETTINGS_SEEN)?
            .and_then(|text| serde_json::from_str(&text).ok());
        let edited_here = seen.as_ref() != Some(&here);
        let result = if is_lead && (edited_here || there.is_none()) {
            if there != Some(&here) {
                hub.set_shared_settings(&here)?;
            }
            here
        } else if let Some(there) = there.filter(|t| **t != here) {
            let tx = self
                .conn
                .transaction()
                .context("starting to take the hub's settings")?;
            for key in SHARED_KEYS.iter().copied().chain([KNOWN_INCLUDES]) {
                let mut new = there.get(key).cloned();
                if key == KNOWN_INCLUDES
                    && let Some(text) = &new
                {
                    let refs: Vec<RecordRef> = serde_json::from_str(text).map_err(|e| {
                        Error::invalid("hub.settings.known_includes", e.to_string(), "records")
                    })?;
                    let ids: Vec<String> = super::bundle::match_records(&tx, &refs)?
                        .into_iter()
                        .flatten()
                        .map(|id| id.0.to_string())
                        .collect();
                    new = (!ids.is_empty()).then(|| ids.join(" "));
                }
                take_setting(&tx, key, new.as_deref())?;
            }
            tx.commit().context("committing the hub's settings")?;
            // What came down must still read: a bad value is refused here, not later.
            self.review_settings()?;
            self.priority_settings()?;
            there.clone()
        } else {
            here
        };
        if seen.as_ref() == Some(&result) {
            return Ok(());
        }
        let text = serde_json::to_string(&result)
            .map_err(|e| Error::invalid("hub.settings", e.to_string(), "serialisable"))?;
        self.set_meta(SETTINGS_SEEN, &text)
    }

    /// Vocabularies: what this copy has and the hub lacks goes up, what the hub has and this
    /// copy lacks comes down, before any change that may use an entry is applied anywhere.
    fn swap_vocabularies(&mut self, hub: &mut Hub) -> Result<()> {
        let there = hub.vocabularies()?;
        let here = self.local_vocabularies()?;
        let has = |list: &[SharedVocabulary], vocabulary: &str, code: Option<&str>| {
            list.iter().any(|v| {
                v.id == vocabulary
                    && code.is_none_or(|code| v.labels.iter().any(|l| l.code == code))
            })
        };
        let missing_there: Vec<SharedVocabulary> = here
            .iter()
            .filter_map(|v| {
                let labels: Vec<_> = v
                    .labels
                    .iter()
                    .filter(|l| !has(&there, &v.id, Some(&l.code)))
                    .cloned()
                    .collect();
                (!labels.is_empty() || !has(&there, &v.id, None)).then(|| SharedVocabulary {
                    labels,
                    ..v.clone()
                })
            })
            .collect();
        if !missing_there.is_empty() {
            hub.add_vocabularies(&missing_there)?;
        }
        for vocabulary in &there {
            if !has(&here, &vocabulary.id, None) {
                self.add_project_vocabulary(
                    &vocabulary.id,
                    &vocabulary.name,
                    &vocabulary.description,
                )?;
            }
            for label in &vocabulary.labels {
                if !has(&here, &vocabulary.id, Some(&label.code)) {
                    self.add_project_label(label)?;
                    if label.retired {
                        self.retire_project_label(&vocabulary.id, &label.code)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The reviewer's work the hub does not have yet, as changes.
    pub fn hub_outbox(&self) -> Result<Vec<HubChange>> {
        Ok(self
            .outbox_since()?
            .0
            .into_iter()
            .map(|out| out.change)
            .collect())
    }

    /// The outbox, and the audit entry it reaches to. Every review write leaves an audit
    /// entry naming its record in the same transaction, so the records touched after the mark
    /// hold everything new; their items whose uid the hub lacks are the outbox, and the items
    /// the hub holds that are gone here (an undo) are taken back. Reading a record's items
    /// again costs nothing but a few hashes: a change already pushed is known.
    fn outbox_since(&self) -> Result<(Vec<Outgoing>, i64)> {
        let Some(link) = self.hub_link()? else {
            return Ok((Vec::new(), 0));
        };
        let mark: i64 = self
            .meta(AUDIT_MARK)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let top: i64 = self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |row| {
                row.get(0)
            })
            .context("reading the audit log's end")?;
        let reviewer = self
            .reviewers()?
            .into_iter()
            .find(|r| r.name == link.reviewer)
            .ok_or_else(|| Error::NotFound {
                entity: "reviewer",
                key: link.reviewer.clone(),
            })?;
        let touched: HashSet<RecordId> = query_all(
            &self.conn,
            "SELECT DISTINCT record_id FROM audit_log
             WHERE id > ?1 AND reviewer_id = ?2 AND record_id IS NOT NULL",
            params![mark, reviewer.id.0],
            "reading what changed since the last push",
            |row| Ok(RecordId(row.get(0)?)),
        )?
        .into_iter()
        .collect();
        if touched.is_empty() {
            return Ok((Vec::new(), top));
        }
        let seen = self.visibility(Some(reviewer.id))?;
        let (bundle, locals) = self.export_bundle_of(&seen, Some(&touched), false)?;
        let value = serde_json::to_value(&bundle)
            .map_err(|e| Error::invalid("bundle", e.to_string(), "a serialisable bundle"))?;
        let mut out = Vec::new();
        let mut present = HashSet::new();
        for (kind, list) in CHANGE_KINDS {
            let Some(Value::Array(items)) = value.get(list) else {
                continue;
            };
            for item in items {
                let index = item
                    .get("record")
                    .and_then(Value::as_u64)
                    .and_then(|i| usize::try_from(i).ok());
                let (Some(record), Some(local)) = (
                    index.and_then(|i| bundle.records.get(i)),
                    index.and_then(|i| locals.get(i)),
                ) else {
                    continue;
                };
                let identity = identity(kind, *local, item);
                if let Some(identity) = &identity {
                    present.insert(identity.clone());
                }
                let mut item = item.clone();
                item["record"] = Value::from(0);
                out.push(Outgoing {
                    change: HubChange {
                        uid: change_uid(&link.login, kind, record, &item),
                        kind: kind.to_owned(),
                        record: record.clone(),
                        item,
                    },
                    record: *local,
                    identity,
                });
            }
        }
        let pushed = self.pushed_among(out.iter().map(|o| o.change.uid.as_str()))?;
        out.retain(|o| !pushed.contains(&o.change.uid));
        // Held there, gone here: taken back.
        let touched_ids = Value::from(touched.iter().map(|r| r.0).collect::<Vec<_>>()).to_string();
        let held: Vec<(String, i64)> = query_all(
            &self.conn,
            "SELECT identity, record_id FROM hub_held
             WHERE record_id IN (SELECT value FROM json_each(?1)) ORDER BY identity",
            [touched_ids],
            "reading what the hub holds",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let at = now();
        for (identity, record) in held {
            let record = RecordId(record);
            if present.contains(&identity) {
                continue;
            }
            let mut parts = identity.splitn(3, '|');
            let (Some(of), Some(_), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let reference = RecordRef::of(&self.record(record)?.record);
            let item = serde_json::json!({"record": 0, "of": of, "key": key, "at": at.to_string()});
            out.push(Outgoing {
                change: HubChange {
                    uid: change_uid(&link.login, "retract", &reference, &item),
                    kind: "retract".to_owned(),
                    record: reference,
                    item,
                },
                record,
                identity: Some(identity),
            });
        }
        Ok((out, top))
    }

    /// Notes what the hub now has from here: the uids pushed, and which items it holds.
    fn note_pushed(&mut self, pushed: &[Outgoing]) -> Result<()> {
        let tx = self.conn.transaction().context("starting to note a push")?;
        for out in pushed {
            tx.execute(
                "INSERT OR IGNORE INTO hub_pushed (uid) VALUES (?1)",
                [&out.change.uid],
            )
            .context("noting what the hub has")?;
            note_held(
                &tx,
                out.change.kind.as_str(),
                out.identity.as_deref(),
                out.record,
            )?;
        }
        tx.commit().context("committing a push")
    }

    /// Which of `uids` the hub has from here or gave here.
    fn pushed_among<'a>(&self, uids: impl IntoIterator<Item = &'a str>) -> Result<HashSet<String>> {
        // The uids asked about, not every uid ever pushed: that list grows with the review.
        let asked = Value::from(uids.into_iter().collect::<Vec<_>>()).to_string();
        Ok(query_all(
            &self.conn,
            "SELECT value FROM json_each(?1) WHERE value IN (SELECT uid FROM hub_pushed)",
            [asked],
            "reading what the hub has",
            |row| row.get(0),
        )?
        .into_iter()
        .collect())
    }

    /// Local records not yet shared with the hub, in id order, with their sources.
    fn records_to_share(&self) -> Result<Vec<(RecordId, WithSources)>> {
        let ids: Vec<i64> = query_all(
            &self.conn,
            "SELECT id FROM record WHERE id NOT IN (SELECT record_id FROM hub_record) ORDER BY id",
            [],
            "listing records to share",
            |row| row.get(0),
        )?;
        ids.into_iter()
            .map(|id| {
                let stored = self.record(RecordId(id))?;
                Ok((RecordId(id), (stored.record, stored.sources)))
            })
            .collect()
    }

    fn map_shared(&mut self, pairs: &[(i64, RecordId)]) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .context("starting to note shared records")?;
        for (hub_id, record) in pairs {
            tx.execute(
                "INSERT OR REPLACE INTO hub_record (hub_id, record_id) VALUES (?1, ?2)",
                params![hub_id, record.0],
            )
            .context("noting a shared record")?;
        }
        tx.commit().context("committing shared records")
    }

    /// Takes records from the hub: one already here (same DOI, PMID, arXiv id or title and
    /// year) is tied to its hub id, the others are added with the hub as their source, all in
    /// one transaction. Returns the records added.
    fn take_hub_records(&mut self, place: &str, records: &[SharedRecord]) -> Result<Vec<RecordId>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let refs: Vec<RecordRef> = records.iter().map(|r| RecordRef::of(&r.record)).collect();
        let matched = {
            let tx = self.read_transaction("matching shared records")?;
            let matched = super::bundle::match_records(&tx, &refs)?;
            drop(tx);
            matched
        };
        let file = format!("hub:{place}");
        let mut session = self.begin_import()?;
        let mut added = Vec::new();
        for (shared, found) in records.iter().zip(matched) {
            let hub_id = shared.hub_id;
            let local = match found {
                Some(id) => id,
                None => {
                    // The record keeps the files the lead imported it from, so PRISMA names
                    // the same sources in every copy; the hub is said where none is known.
                    let hub = SourceRef {
                        file: file.clone(),
                        format: "ecolens-hub".to_owned(),
                        locator: Some(format!("hub record {hub_id}")),
                        original_key: None,
                    };
                    let (first, rest) = shared
                        .sources
                        .split_first()
                        .map_or((&hub, &[][..]), |(f, r)| (f, r));
                    let id = session.insert(&shared.record, first)?;
                    for source in rest {
                        super::records::insert_source(
                            &session.tx,
                            id,
                            source,
                            Some(session.id()),
                            &now().to_string(),
                        )?;
                    }
                    added.push(id);
                    id
                }
            };
            session
                .tx
                .execute(
                    "INSERT OR REPLACE INTO hub_record (hub_id, record_id) VALUES (?1, ?2)",
                    params![hub_id, local.0],
                )
                .context("noting a shared record")?;
        }
        let files = [ImportedFile {
            path: file,
            format: "ecolens-hub".to_owned(),
            encoding: "utf-8".to_owned(),
            records_read: u64::try_from(records.len()).unwrap_or(u64::MAX),
            rejected: 0,
            sha256: None,
            bytes: 0,
        }];
        session.finish(&files, u64::try_from(records.len()).unwrap_or(u64::MAX))?;
        self.end_import()?;
        Ok(added)
    }

    /// Applies pulled changes: each author's as one decision bundle (the bundle rules: a later
    /// value from the same reviewer replaces an earlier one, a different value at the same
    /// time is kept and reported), and the uids noted so they are never pushed back.
    fn take_changes(
        &mut self,
        place: &str,
        changes: &[PulledChange],
        names: &HashMap<String, (String, bool)>,
        pushed: &HashSet<String>,
        login: &str,
    ) -> Result<Vec<BundleReport>> {
        let project_id = self.meta("project_id")?.unwrap_or_default();
        let fresh: Vec<&PulledChange> = changes
            .iter()
            .filter(|c| !pushed.contains(&c.change.uid))
            .collect();
        let mut reports = Vec::new();
        // In order: the additions before a retraction are applied (per author, as bundles)
        // before it, so an item added and then taken back ends taken back.
        for run in fresh.split_inclusive(|c| c.change.kind == "retract") {
            let (additions, retraction) = match run.split_last() {
                Some((last, rest)) if last.change.kind == "retract" => (rest, Some(*last)),
                _ => (run, None),
            };
            let mut by_author: Vec<(String, Vec<&PulledChange>)> = Vec::new();
            for change in additions {
                match by_author.iter_mut().find(|(a, _)| *a == change.author) {
                    Some((_, list)) => list.push(change),
                    None => by_author.push((change.author.clone(), vec![change])),
                }
            }
            for (author, list) in by_author {
                let (name, is_lead) = names
                    .get(&author)
                    .cloned()
                    .unwrap_or_else(|| (author.clone(), false));
                let bundle = bundle_of(&project_id, &name, is_lead, &list);
                let content = serde_json::to_string(&bundle)
                    .map_err(|e| Error::invalid("hub.bundle", e.to_string(), "serialisable"))?;
                let path = format!("hub:{place}#{author}@{}", list.last().map_or(0, |c| c.seq));
                match self.import_bundle(Path::new(&path), &content) {
                    Ok(report) => reports.push(report),
                    // One item not valid here: the others apply one by one, and it waits.
                    Err(error) if parkable(&error) => {
                        for change in list {
                            if let Some(report) =
                                self.apply_one(place, &project_id, &name, is_lead, change)?
                            {
                                reports.push(report);
                            }
                        }
                    }
                    Err(error) => return Err(error),
                }
            }
            if let Some(retraction) = retraction {
                let name = names
                    .get(&retraction.author)
                    .map_or_else(|| retraction.author.clone(), |(n, _)| n.clone());
                self.take_retraction(&name, retraction)?;
            }
        }
        if fresh.is_empty() {
            return Ok(reports);
        }
        // The uids are known now, and what the hub holds of this login from another machine.
        let tx = self
            .conn
            .transaction()
            .context("starting to note what was pulled")?;
        for change in &fresh {
            tx.execute(
                "INSERT OR IGNORE INTO hub_pushed (uid) VALUES (?1)",
                [&change.change.uid],
            )
            .context("noting what the hub has")?;
            if change.author == login {
                let found =
                    super::bundle::match_records(&tx, std::slice::from_ref(&change.change.record))?;
                if let Some(Some(record)) = found.first() {
                    let item_identity = if change.change.kind == "retract" {
                        let text = |f: &str| {
                            change
                                .change
                                .item
                                .get(f)
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                        };
                        Some(identity_of(text("of"), *record, text("key")))
                    } else {
                        identity(&change.change.kind, *record, &change.change.item)
                    };
                    note_held(&tx, &change.change.kind, item_identity.as_deref(), *record)?;
                }
            }
        }
        tx.commit().context("committing what was pulled")?;
        Ok(reports)
    }

    /// Applies one pulled change as a bundle of its own; one not valid here is parked with
    /// the reason, to be tried again at the next sync.
    fn apply_one(
        &mut self,
        place: &str,
        project_id: &str,
        name: &str,
        is_lead: bool,
        change: &PulledChange,
    ) -> Result<Option<BundleReport>> {
        let bundle = bundle_of(project_id, name, is_lead, &[change]);
        let content = serde_json::to_string(&bundle)
            .map_err(|e| Error::invalid("hub.bundle", e.to_string(), "serialisable"))?;
        let path = format!("hub:{place}#{}@{}", change.author, change.seq);
        match self.import_bundle(Path::new(&path), &content) {
            Ok(report) => {
                self.conn
                    .execute(
                        "DELETE FROM hub_parked WHERE uid = ?1",
                        [&change.change.uid],
                    )
                    .context("unparking a change")?;
                Ok(Some(report))
            }
            Err(error) if parkable(&error) => {
                let text = serde_json::to_string(change)
                    .map_err(|e| Error::invalid("hub.change", e.to_string(), "serialisable"))?;
                self.conn
                    .execute(
                        "INSERT INTO hub_parked (uid, seq, change, reason) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (uid) DO UPDATE SET reason = excluded.reason",
                        params![change.change.uid, change.seq, text, error.to_string()],
                    )
                    .context("parking a change")?;
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// Tries the parked changes again, oldest first.
    fn retry_parked(
        &mut self,
        place: &str,
        names: &HashMap<String, (String, bool)>,
    ) -> Result<Vec<BundleReport>> {
        let project_id = self.meta("project_id")?.unwrap_or_default();
        let parked: Vec<String> = query_all(
            &self.conn,
            "SELECT change FROM hub_parked ORDER BY seq",
            [],
            "reading parked changes",
            |row| row.get(0),
        )?;
        let mut reports = Vec::new();
        for text in parked {
            let change: PulledChange = serde_json::from_str(&text)
                .map_err(|e| Error::invalid("hub_parked.change", e.to_string(), "a change"))?;
            let (name, is_lead) = names
                .get(&change.author)
                .cloned()
                .unwrap_or_else(|| (change.author.clone(), false));
            if let Some(report) = self.apply_one(place, &project_id, &name, is_lead, &change)? {
                reports.push(report);
            }
        }
        Ok(reports)
    }

    /// The changes waiting to be valid here.
    pub fn hub_parked(&self) -> Result<Vec<Parked>> {
        let texts: Vec<(String, String)> = query_all(
            &self.conn,
            "SELECT change, reason FROM hub_parked ORDER BY seq",
            [],
            "reading parked changes",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        texts
            .into_iter()
            .map(|(text, reason)| {
                let change: PulledChange = serde_json::from_str(&text)
                    .map_err(|e| Error::invalid("hub_parked.change", e.to_string(), "a change"))?;
                Ok(Parked {
                    author: change.author,
                    kind: change.change.kind,
                    record: change.change.record.describe(),
                    reason,
                })
            })
            .collect()
    }

    /// Takes back an item its author removed, unless the item here is newer than the
    /// retraction (then it was set again after, and stays).
    fn take_retraction(&mut self, name: &str, pulled: &PulledChange) -> Result<()> {
        use super::review::{
            classification_key, delete_classification, delete_record_label, delete_vote,
            load_classification, load_record_label, load_vote, record_label_key, vote_key,
        };
        use super::workflow::{
            delete_resolution, delete_root, load_resolution, load_root, resolution_key, root_key,
        };
        let item = &pulled.change.item;
        let text = |f: &str| {
            item.get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (of, key) = (text("of"), text("key"));
        let at: jiff::Timestamp = text("at").parse().map_err(|_| {
            Error::invalid(
                format!("hub change {}.at", pulled.seq),
                text("at"),
                "a time",
            )
        })?;
        let Some(author) = self.reviewers()?.into_iter().find(|r| r.name == name) else {
            return Ok(());
        };
        let tx = self
            .conn
            .transaction()
            .context("starting to take a change back")?;
        let found = super::bundle::match_records(&tx, std::slice::from_ref(&pulled.change.record))?;
        let Some(Some(record)) = found.first().copied() else {
            return Ok(());
        };
        let field = format!("hub change {}", pulled.seq);
        let taken = match of.as_str() {
            "vote" => {
                let stage: crate::review::Stage = serde_json::from_value(Value::from(key.clone()))
                    .map_err(|e| Error::invalid(field.clone(), &key, e.to_string()))?;
                match load_vote(&tx, record, author.id, stage)? {
                    Some(old) if old.decided_at <= at => {
                        delete_vote(&tx, record, author.id, stage)?;
                        log_removed(
                            &tx,
                            &author,
                            (
                                EntityKind::Screening,
                                vote_key(record, author.id, stage),
                                record,
                            ),
                            &old,
                        )?;
                        true
                    }
                    _ => false,
                }
            }
            "classification" => match load_classification(&tx, record, author.id)? {
                Some(old) if old.classified_at <= at => {
                    delete_classification(&tx, record, author.id)?;
                    log_removed(
                        &tx,
                        &author,
                        (
                            EntityKind::Classification,
                            classification_key(record, author.id),
                            record,
                        ),
                        &old,
                    )?;
                    true
                }
                _ => false,
            },
            "label" => {
                let (vocabulary, code) = key.split_once(':').unwrap_or_default();
                match load_record_label(&tx, record, author.id, vocabulary, code)? {
                    Some(old) if old.created_at <= at => {
                        delete_record_label(&tx, &old)?;
                        log_removed(
                            &tx,
                            &author,
                            (
                                EntityKind::RecordLabel,
                                record_label_key(record, author.id, vocabulary, code),
                                record,
                            ),
                            &old,
                        )?;
                        true
                    }
                    _ => false,
                }
            }
            "root" => match load_root(&tx, record, author.id)? {
                Some(old) if old.updated_at <= at => {
                    delete_root(&tx, record, author.id)?;
                    log_removed(
                        &tx,
                        &author,
                        (
                            EntityKind::ConsequenceRoot,
                            root_key(record, author.id),
                            record,
                        ),
                        &old,
                    )?;
                    true
                }
                _ => false,
            },
            "resolution" => {
                let subject = crate::workflow::Subject::parse(&field, &key)?;
                match load_resolution(&tx, record, &subject)? {
                    Some(old) if old.resolved_by == author.id && old.resolved_at <= at => {
                        delete_resolution(&tx, record, &subject)?;
                        log_removed(
                            &tx,
                            &author,
                            (
                                EntityKind::Resolution,
                                resolution_key(record, &subject),
                                record,
                            ),
                            &old,
                        )?;
                        true
                    }
                    _ => false,
                }
            }
            "risk" => match super::review::load_risk_by_uid(&tx, &key)? {
                Some(old) if old.reviewer == author.id && old.updated_at <= at => {
                    // Its children were taken away first where it was removed, and their
                    // retractions are on their way if they have not come: they hang from its
                    // parent meanwhile.
                    tx.execute(
                        "UPDATE rebound_risk SET parent_id = ?2 WHERE parent_id = ?1",
                        params![old.id.0, old.risk.parent.map(|p| p.0)],
                    )
                    .context("moving a risk's children")?;
                    super::review::delete_risk_row(&tx, old.id)?;
                    log_removed(
                        &tx,
                        &author,
                        (EntityKind::Risk, format!("risk {}", old.id), record),
                        &old,
                    )?;
                    true
                }
                _ => false,
            },
            "audit" => match super::assessment::load_paper_audit_by_uid(&tx, &key)? {
                Some(old) if old.reviewer == Some(author.id) => {
                    super::assessment::delete_paper_audit_row(&tx, old.id)?;
                    log_removed(
                        &tx,
                        &author,
                        (
                            EntityKind::PaperAudit,
                            format!("paper audit {}", old.id),
                            record,
                        ),
                        &old,
                    )?;
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if taken {
            super::touch(&tx, &[record])?;
            tx.commit().context("committing a change taken back")?;
        }
        Ok(())
    }

    /// Syncs with the hub: settings and reviewers first, then records (a lead shares new
    /// ones; everyone receives), then this reviewer's changes pushed and what the login may
    /// see pulled. Each step is its own transaction here and on the hub, and each can be
    /// repeated: a sync cut at any point loses nothing and doubles nothing when run again.
    pub fn sync_hub(&mut self, hub: &mut Hub) -> Result<SyncReport> {
        let link = self.hub_link()?.ok_or_else(|| Error::NotFound {
            entity: "hub",
            key: "(this project has not joined one: ecolens hub join URL)".to_owned(),
        })?;
        let mut report = SyncReport::default();
        let settings = hub.settings()?;
        let local_id = self.meta("project_id")?.unwrap_or_default();
        if settings.project_id != local_id {
            return Err(Error::WrongProject {
                path: self.path.clone(),
                found: settings.project_id,
                expected: local_id,
            });
        }
        let login = hub.login()?;
        if login != link.login {
            return Err(Error::NotHubLogin {
                name: login,
                login: link.login,
            });
        }
        let reviewers = hub.reviewers()?;
        let me = reviewers
            .iter()
            .find(|r| r.login == login)
            .ok_or_else(|| Error::HubRefused {
                action: "a sync",
                detail: format!("{login} is not a reviewer of this hub"),
            })?;
        if me.removed {
            return Err(Error::HubRefused {
                action: "a sync",
                detail: format!("{login} was removed from this hub by a lead"),
            });
        }
        let is_lead = me.is_lead;
        self.take_hub_reviewers(&reviewers)?;
        self.take_hub_settings(&settings)?;
        self.swap_vocabularies(hub)?;
        let epoch: i64 = self.meta(EPOCH)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut cursor = link.cursor;
        if epoch != settings.epoch {
            report.reread = cursor > 0;
            cursor = 0;
        }
        // Records: a lead shares what is new here, then everyone takes what is new there.
        if is_lead {
            let local = self.records_to_share()?;
            if !local.is_empty() {
                let records: Vec<WithSources> = local.iter().map(|(_, r)| r.clone()).collect();
                let ids = hub.add_records(&records)?;
                let pairs: Vec<(i64, RecordId)> = ids
                    .into_iter()
                    .zip(local.iter().map(|(id, _)| *id))
                    .collect();
                self.map_shared(&pairs)?;
                report.records_shared = u64::try_from(pairs.len()).unwrap_or(u64::MAX);
            }
        }
        let after: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(max(hub_id), 0) FROM hub_record",
                [],
                |row| row.get(0),
            )
            .optional()
            .context("reading the records cursor")?
            .unwrap_or(0);
        let after = after.max(
            self.meta(RECORDS_CURSOR)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        );
        let incoming = hub.records_after(after)?;
        let added = self.take_hub_records(&link.place, &incoming)?;
        report.records_received = u64::try_from(added.len()).unwrap_or(u64::MAX);
        self.swap_full_texts(hub, is_lead, &login)?;
        // After the records: known includes name records, which must be here to be matched.
        self.swap_settings(hub, settings.shared.as_ref(), is_lead)?;
        if let Some(last) = incoming.last() {
            self.set_meta(RECORDS_CURSOR, &last.hub_id.to_string())?;
        }
        // Push before pulling, so what comes back from here is known as ours.
        let link_mark: i64 = self
            .meta(AUDIT_MARK)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let (outbox, top) = self.outbox_since()?;
        if !outbox.is_empty() {
            let changes: Vec<HubChange> = outbox.iter().map(|o| o.change.clone()).collect();
            report.pushed = hub.push(&changes)?;
            self.note_pushed(&outbox)?;
        }
        let mark_moved = top > link_mark;
        let names: HashMap<String, (String, bool)> = reviewers
            .iter()
            .map(|r| (r.login.clone(), (r.name.clone(), r.is_lead)))
            .collect();
        report
            .applied
            .extend(self.retry_parked(&link.place, &names)?);
        loop {
            let page = hub.changes_after(cursor, PAGE)?;
            let Some(last) = page.last().map(|c| c.seq) else {
                break;
            };
            let pushed = self.pushed_among(page.iter().map(|c| c.change.uid.as_str()))?;
            report.pulled += u64::try_from(
                page.iter()
                    .filter(|c| !pushed.contains(&c.change.uid))
                    .count(),
            )
            .unwrap_or(u64::MAX);
            let applied = self.take_changes(&link.place, &page, &names, &pushed, &login)?;
            report.applied.extend(applied);
            cursor = last;
            if i64::try_from(page.len()).unwrap_or(i64::MAX) < PAGE {
                break;
            }
            // More pages follow: what is applied so far is not read again after a crash.
            self.set_meta(CURSOR, &cursor.to_string())?;
        }
        let mut notes = vec![
            (CURSOR, cursor.to_string()),
            (EPOCH, settings.epoch.to_string()),
            (LAST_SYNC, now().to_string()),
        ];
        if mark_moved {
            notes.push((AUDIT_MARK, top.to_string()));
        }
        self.set_metas(&notes)?;
        report.parked = self.hub_parked()?;
        report.settings = Some(settings);
        Ok(report)
    }

    /// Writes several `project_meta` keys in one transaction.
    fn set_metas(&mut self, pairs: &[(&str, String)]) -> Result<()> {
        let tx = self.conn.transaction().context("starting to note a sync")?;
        for (key, value) in pairs {
            write_meta(&tx, key, Some(value))?;
        }
        tx.commit().context("committing a sync's notes")
    }

    /// How many of this reviewer's changes the hub does not have yet.
    pub fn hub_waiting(&self) -> Result<usize> {
        Ok(self.hub_outbox()?.len())
    }
}

/// [`Project::require_hub_reviewer`] inside a transaction.
pub(crate) fn require_hub_reviewer_in(conn: &rusqlite::Connection, name: &str) -> Result<()> {
    let read = |key: &str| -> Result<Option<String>> {
        conn.query_row(
            "SELECT value FROM project_meta WHERE key = ?1",
            [key],
            |row| row.get(0),
        )
        .optional()
        .context("reading the hub login")
    };
    if let (Some(reviewer), Some(login)) = (read(REVIEWER)?, read(LOGIN)?)
        && reviewer != name
    {
        return Err(Error::NotHubLogin {
            name: name.to_owned(),
            login,
        });
    }
    Ok(())
}

/// One change of the outbox, with the local record and the item it is about.
struct Outgoing {
    change: HubChange,
    record: RecordId,
    /// `kind|record|key` for the items an undo or a removal can take away (`None` for a
    /// retraction's own change).
    identity: Option<String>,
}

/// Which item a change is about, as `kind|local record|key`, for the kinds an undo removes.
fn identity(kind: &str, record: RecordId, item: &Value) -> Option<String> {
    let text = |field: &str| item.get(field).and_then(Value::as_str).unwrap_or_default();
    let key = match kind {
        "vote" => text("stage").to_owned(),
        "classification" | "root" => String::new(),
        "label" => format!("{}:{}", text("vocabulary"), text("code")),
        "resolution" => text("subject").to_owned(),
        "risk" | "audit" => text("uid").to_owned(),
        _ => return None,
    };
    Some(identity_of(kind, record, &key))
}

/// `kind|local record|key`: how `hub_held` names an item.
fn identity_of(kind: &str, record: RecordId, key: &str) -> String {
    format!("{kind}|{}|{key}", record.0)
}

/// Keeps `hub_held` in step with a change the hub has from this copy's reviewer.
fn note_held(
    tx: &rusqlite::Transaction<'_>,
    kind: &str,
    identity: Option<&str>,
    record: RecordId,
) -> Result<()> {
    let Some(identity) = identity else {
        return Ok(());
    };
    if kind == "retract" {
        tx.execute("DELETE FROM hub_held WHERE identity = ?1", [identity])
    } else {
        tx.execute(
            "INSERT OR REPLACE INTO hub_held (identity, record_id) VALUES (?1, ?2)",
            params![identity, record.0],
        )
    }
    .context("noting what the hub holds")?;
    Ok(())
}

/// What the hub is told of a full text: the file's name, pages, length and the text's hash.
fn shared_full_text(text: &crate::record::FullText, login: &str) -> SharedFullText {
    let file = std::path::Path::new(&text.source_file)
        .file_name()
        .map_or_else(
            || text.source_file.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
    SharedFullText {
        file,
        pages: text.pages.and_then(|p| i32::try_from(p).ok()),
        chars: i64::try_from(text.text.chars().count()).unwrap_or(i64::MAX),
        text_sha256: crate::hub::text_digest(&text.text),
        held_by: login.to_owned(),
    }
}

/// One author's pulled changes as a decision bundle.
fn bundle_of(project_id: &str, name: &str, is_lead: bool, changes: &[&PulledChange]) -> Value {
    let mut records: Vec<&RecordRef> = Vec::new();
    let mut lists: HashMap<&str, Vec<Value>> = HashMap::new();
    for pulled in changes {
        let change = &pulled.change;
        let index = match records.iter().position(|r| **r == change.record) {
            Some(at) => at,
            None => {
                records.push(&change.record);
                records.len() - 1
            }
        };
        let mut item = change.item.clone();
        item["record"] = Value::from(index);
        let Some((_, list)) = CHANGE_KINDS.iter().find(|(kind, _)| *kind == change.kind) else {
            continue;
        };
        lists.entry(list).or_default().push(item);
    }
    let mut bundle = serde_json::json!({
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "project_id": project_id,
        "exported_at": now().to_string(),
        "exported_by": "ecolens hub",
        "reviewer": {"name": name, "is_lead": is_lead},
        "records": records,
    });
    for (list, items) in lists {
        bundle[list] = Value::Array(items);
    }
    bundle
}

/// Writes a setting the hub holds, audited as the hub's (no author), when it differs.
fn take_setting(tx: &rusqlite::Transaction<'_>, key: &str, new: Option<&str>) -> Result<()> {
    let old = read_meta(tx, key)?;
    if old.as_deref() == new {
        return Ok(());
    }
    write_meta(tx, key, new)?;
    log_change(
        tx,
        None,
        EntityKind::Setting,
        key.to_owned(),
        None,
        Some(&old),
        Some(&new.map(str::to_owned)),
    )?;
    Ok(())
}

/// Writes the audit entry of an item `author` took back, with its old value.
fn log_removed<T: serde::Serialize>(
    tx: &rusqlite::Transaction<'_>,
    author: &crate::review::Reviewer,
    (entity, key, record): (EntityKind, String, RecordId),
    old: &T,
) -> Result<()> {
    log_change(
        tx,
        Some(author),
        entity,
        key,
        Some(record),
        Some(old),
        None::<&T>,
    )?;
    Ok(())
}
