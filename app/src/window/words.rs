//! What the window calls things. Projects store codes (`not_primary_research`, `HO.RB.DIR`,
//! `increases_impact`, `gwp`), and the command line prints them because commands take them;
//! people read names. Every place in the window that shows a stored code shows its name here,
//! the code kept where it helps (effects, whose codes reviewers use) or in a tooltip.

use ecolens_core::audit::{AuditAction, AuditEntry, EntityKind};
use ecolens_core::{Decision, ResolvedValue, RiskRating, Stage};
use ecolens_taxonomy::{EffectCode, RolnickDomain, Term};
use serde_json::Value;

use super::session::Session;

/// The name of a vocabulary's code; an unknown code as it is, underscores as spaces.
pub(super) fn term<T: Term>(code: &str) -> String {
    T::from_code(code).map_or_else(|_| code.replace('_', " "), |t| t.name().to_owned())
}

/// An effect as reviewers know it: its name and code, `Direct rebound (HO.RB.DIR)`.
pub(super) fn effect(code: &str) -> String {
    EffectCode::from_code(code).map_or_else(
        |_| code.to_owned(),
        |e| format!("{} ({})", e.name(), e.code()),
    )
}

/// A Rolnick domain, or "no domain" for records without one.
pub(super) fn domain(code: &str) -> String {
    if code == "no_domain" {
        "no domain".to_owned()
    } else {
        term::<RolnickDomain>(code)
    }
}

/// A screening decision: `include`, `maybe`, `exclude (Not primary research)`.
pub(super) fn decision(decision: &Decision, session: &Session) -> String {
    match decision {
        Decision::Exclude {
            reason: Some(reason),
        } => format!("exclude ({})", session.reason_name(reason)),
        other => other.code().to_owned(),
    }
}

/// A rating's fields that are set, by name: `increases impact, likely, large`.
pub(super) fn rating(rating: RiskRating) -> String {
    let set: Vec<&str> = [
        rating.direction.map(Term::name),
        rating.likelihood.map(Term::name),
        rating.magnitude.map(Term::name),
        rating.time_horizon.map(Term::name),
        rating.scale.map(Term::name),
        rating.confidence.map(Term::name),
    ]
    .into_iter()
    .flatten()
    .collect();
    if set.is_empty() {
        "not rated".to_owned()
    } else {
        set.join(", ")
    }
}

/// A value a lead may take to resolve a disagreement.
pub(super) fn value(value: &ResolvedValue, session: &Session) -> String {
    match value {
        ResolvedValue::Screening(d) => decision(d, session),
        ResolvedValue::Classification(category) => category.code().to_owned(),
        ResolvedValue::Risk(r) => rating(*r),
    }
}

/// A stored stage code as its label (`tiab` → `title/abstract`).
fn stage(code: &str) -> String {
    Stage::ALL
        .into_iter()
        .find(|s| s.code() == code)
        .map_or_else(|| code.to_owned(), |s| s.label().to_lowercase())
}

/// What an audit entry changed, in words: `screening vote on record 2 (title/abstract):
/// include → exclude (Not AI)`. While blind mode hides it, only the kind and the record.
pub(super) fn audit(entry: &AuditEntry, session: &Session) -> String {
    // A stored JSON null is no value (a setting never written held its default).
    let old = entry.old.as_ref().filter(|v| !v.is_null());
    let new = entry.new.as_ref().filter(|v| !v.is_null());
    let verb = match entry.action {
        _ if entry.entity == EntityKind::Setting && old.is_none() => "set",
        AuditAction::Create => "added",
        AuditAction::Update => "changed",
        AuditAction::Delete => "removed",
        AuditAction::Undo => "undid",
    };
    let kind = match entry.entity {
        EntityKind::Screening => "screening vote",
        EntityKind::Classification => "a–f category",
        EntityKind::Risk => "rebound risk",
        EntityKind::RecordLabel => "label",
        EntityKind::Reviewer => "reviewer",
        EntityKind::ProjectLabel => "vocabulary entry",
        EntityKind::Resolution => "resolution",
        EntityKind::Setting => "setting",
        EntityKind::ConsequenceRoot => "consequence-tree root",
        EntityKind::Record => "record",
        EntityKind::PaperAudit => "paper audit",
    };
    let on = entry
        .record
        .map(|r| format!(" on record {r}"))
        .unwrap_or_default();
    if entry.hidden {
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return format!("{verb} {article} {kind}{on} (what it says is hidden by blind mode)");
    }
    if entry.entity == EntityKind::Record {
        return record_change(verb, entry, old, new);
    }
    let shown = |v: Option<&Value>| v.map(|v| shown_value(entry.entity, v, session));
    let change = match (shown(old), shown(new)) {
        (Some(old), Some(new)) if old != new => format!(": {old} → {new}"),
        (_, Some(new)) if !new.is_empty() => format!(": {new}"),
        (Some(old), None) if !old.is_empty() => format!(": was {old}"),
        _ => String::new(),
    };
    let what = match entry.entity {
        EntityKind::Setting => match entry.entity_key.as_str() {
            "review.blind" => "blind mode".to_owned(),
            "review.leads_see_all" => "leads see all".to_owned(),
            "review.rule" => "the screening rule".to_owned(),
            other => other.to_owned(),
        },
        EntityKind::Screening => {
            let at = entry
                .entity_key
                .split_whitespace()
                .skip_while(|w| *w != "stage")
                .nth(1)
                .map(stage)
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            format!("{kind}{on}{at}")
        }
        EntityKind::Risk => {
            let id = entry
                .entity_key
                .strip_prefix("risk ")
                .map(|id| format!(" #{id}"))
                .unwrap_or_default();
            format!("{kind}{id}{on}")
        }
        EntityKind::Reviewer | EntityKind::ProjectLabel => kind.to_owned(),
        _ => format!("{kind}{on}"),
    };
    if entry.action == AuditAction::Undo {
        let undone = entry
            .undoes
            .map(|id| format!(" (entry #{})", id.0))
            .unwrap_or_default();
        return format!("{verb} a change to the {what}{undone}{change}");
    }
    format!("{verb} {what}{change}")
}

/// The part of a stored value a person looks for, by kind of entity.
fn shown_value(kind: EntityKind, value: &Value, session: &Session) -> String {
    let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str);
    match kind {
        EntityKind::Screening => match (text("/vote/decision"), text("/vote/reason")) {
            (Some("exclude"), Some(reason)) => {
                format!("exclude ({})", session.reason_name(reason))
            }
            (Some(decision), _) => decision.to_owned(),
            _ => String::new(),
        },
        EntityKind::Classification => text("/classification/category")
            .unwrap_or_default()
            .to_owned(),
        EntityKind::PaperAudit => text("/audit/chain/label").unwrap_or_default().to_owned(),
        EntityKind::Risk => text("/risk/effect")
            .or_else(|| text("/effect"))
            .map(effect)
            .unwrap_or_default(),
        EntityKind::Reviewer => match (text("/name"), value.pointer("/is_lead")) {
            (Some(name), Some(Value::Bool(true))) => format!("{name} (lead)"),
            (Some(name), _) => name.to_owned(),
            _ => String::new(),
        },
        EntityKind::ProjectLabel => match (text("/vocabulary"), text("/name")) {
            (Some(vocabulary), Some(name)) => format!("{vocabulary}: {name}"),
            (None, Some(name)) => name.to_owned(),
            _ => String::new(),
        },
        EntityKind::RecordLabel => match (text("/vocabulary"), text("/code")) {
            (Some(vocabulary), Some(code)) => format!("{vocabulary}: {code}"),
            _ => String::new(),
        },
        EntityKind::Setting => match value {
            Value::String(s) if s == "one" => "one reviewer decides".to_owned(),
            Value::String(s) if s == "two" => "two reviewers must agree".to_owned(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        EntityKind::Resolution => text("/value/screening/decision")
            .or_else(|| text("/value/classification"))
            .unwrap_or_default()
            .to_owned(),
        EntityKind::ConsequenceRoot => text("/solution").unwrap_or_default().to_owned(),
        EntityKind::Record => text("/title").unwrap_or_default().to_owned(),
    }
}

/// A record edited or entered by hand, in words: the fields that changed, a short value
/// beside each that fits on a line (`year 2019 → 2021; abstract`).
fn record_change(
    verb: &str,
    entry: &AuditEntry,
    old: Option<&Value>,
    new: Option<&Value>,
) -> String {
    let id = entry
        .record
        .map_or_else(|| "a record".to_owned(), |r| format!("record {r}"));
    let title = |v: &Value| {
        let title = v
            .pointer("/title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        ecolens_core::record::shown_title(title).to_owned()
    };
    match (old, new) {
        (None, Some(new)) if entry.action == AuditAction::Undo => {
            return format!("{verb} taking back {id}: {}", title(new));
        }
        (None, Some(new)) => return format!("{verb} {id} by hand: {}", title(new)),
        (Some(old), None) if entry.action == AuditAction::Undo => {
            return format!("took back the entry of {id} by hand: {}", title(old));
        }
        (Some(old), None) => return format!("{verb} {id}: {}", title(old)),
        _ => {}
    }
    // Which fields changed is the record's own rule; the logged sides are whole records.
    let record = |v: Option<&Value>| {
        v.and_then(|v| serde_json::from_value::<ecolens_core::Record>(v.clone()).ok())
    };
    let (Some(before), Some(after)) = (record(old), record(new)) else {
        return format!("{verb} {id}");
    };
    let short = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "none".to_owned(),
        Some(Value::String(s)) if s.chars().count() <= 30 => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => String::new(),
    };
    let value = |side: Option<&Value>, name: &str| short(side.and_then(|v| v.get(name)));
    let changed: Vec<String> = before
        .changed_fields(&after)
        .into_iter()
        .map(|name| {
            let label = crate::service::corpus::field_name(after.kind, name);
            match (value(old, name), value(new, name)) {
                (a, b) if a.is_empty() || b.is_empty() => label,
                (a, b) => format!("{label} {a} → {b}"),
            }
        })
        .collect();
    let what = if entry.action == AuditAction::Undo {
        let undone = entry
            .undoes
            .map(|id| format!(" (entry #{})", id.0))
            .unwrap_or_default();
        format!("{verb} an edit of {id}{undone}")
    } else {
        format!("edited {id}")
    };
    if changed.is_empty() {
        what
    } else {
        format!("{what}: {}", changed.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use ecolens_core::audit::{AuditEntry, EntityKind};
    use ecolens_core::{Decision, ReviewSettings};
    use serde_json::json;

    use super::*;
    use crate::service::review::Team;

    fn session() -> Session {
        Session {
            team: Some(Team {
                reviewers: Vec::new(),
                settings: ReviewSettings::default(),
                priority: ecolens_core::priority::PrioritySettings::default(),
                highlight: ecolens_core::priority::HighlightTerms::default(),
                known_includes: Vec::new(),
                reason_names: vec![("not_primary_research".into(), "Not primary research".into())],
                hub: None,
                hub_waiting: 0,
            }),
            ..Session::default()
        }
    }

    #[allow(clippy::needless_pass_by_value)] // Built in place by each call, read by json!.
    fn entry(entity: EntityKind, key: &str, old: Option<Value>, new: Option<Value>) -> AuditEntry {
        let record: Option<i64> = key
            .strip_prefix("record ")
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|id| id.parse().ok());
        let action = if old.is_some() { "update" } else { "create" };
        serde_json::from_value(json!({
            "id": 7,
            "at": "2026-12-06T04:00:00Z",
            "reviewer": null,
            "reviewer_name": "Anne",
            "entity": entity.code(),
            "entity_key": key,
            "record": record,
            "action": action,
            "old": old,
            "new": new,
            "undoes": null,
            "undone_by": null,
        }))
        .unwrap()
    }

    #[test]
    fn codes_are_named() {
        let session = session();
        let excluded = Decision::Exclude {
            reason: Some("not_primary_research".into()),
        };
        assert_eq!(
            decision(&excluded, &session),
            "exclude (Not primary research)"
        );
        // A reason the project no longer knows keeps its code rather than vanish.
        let unknown = Decision::Exclude {
            reason: Some("gone".into()),
        };
        assert_eq!(decision(&unknown, &session), "exclude (gone)");
        assert_eq!(effect("HO.RB.DIR"), "Direct rebound (HO.RB.DIR)");
        assert_eq!(
            term::<ecolens_taxonomy::Direction>("increases_impact"),
            "Increases impact"
        );
        assert_eq!(
            term::<ecolens_taxonomy::Direction>("not_rated"),
            "not rated"
        );
        assert_eq!(domain("no_domain"), "no domain");
    }

    #[test]
    fn audit_entries_say_what_changed_without_internal_keys() {
        let session = session();
        let vote = |decision: Value| json!({"record": 12, "reviewer": 2, "vote": decision});
        let changed = entry(
            EntityKind::Screening,
            "record 12 reviewer 2 stage tiab",
            Some(vote(json!({"decision": "include", "stage": "tiab"}))),
            Some(vote(
                json!({"decision": "exclude", "reason": "not_primary_research", "stage": "tiab"}),
            )),
        );
        assert_eq!(
            audit(&changed, &session),
            "changed screening vote on record 12 (title/abstract): include → exclude (Not primary research)"
        );
        let reviewer = entry(
            EntityKind::Reviewer,
            "reviewer 1",
            None,
            Some(json!({"id": 1, "is_lead": true, "name": "Anne"})),
        );
        assert_eq!(audit(&reviewer, &session), "added reviewer: Anne (lead)");
        let risk = entry(
            EntityKind::Risk,
            "risk 2",
            None,
            Some(json!({"id": 2, "record": 3, "risk": {"effect": "HO.RB.DIR"}})),
        );
        assert_eq!(
            audit(&risk, &session),
            "added rebound risk #2: Direct rebound (HO.RB.DIR)"
        );
        let setting = entry(
            EntityKind::Setting,
            "review.rule",
            Some(json!("one")),
            Some(json!("two")),
        );
        assert_eq!(
            audit(&setting, &session),
            "changed the screening rule: one reviewer decides → two reviewers must agree"
        );
        let mut hidden = entry(
            EntityKind::Classification,
            "record 5 reviewer 2",
            None,
            None,
        );
        hidden.hidden = true;
        assert_eq!(
            audit(&hidden, &session),
            "added an a–f category on record 5 (what it says is hidden by blind mode)"
        );
    }

    #[test]
    fn record_edits_say_which_fields_changed() {
        let session = session();
        let before = json!({"kind": "journal_article", "title": "Green AI", "year": 2020,
            "abstract_text": "A long abstract that no line of an audit log could hold whole."});
        let after = json!({"kind": "journal_article", "title": "Green AI", "year": 2021,
            "abstract_text": null});
        let edit = entry(
            EntityKind::Record,
            "record 2",
            Some(before),
            Some(after.clone()),
        );
        assert_eq!(
            audit(&edit, &session),
            "edited record 2: year 2020 → 2021; abstract"
        );
        let entered = entry(EntityKind::Record, "record 48", None, Some(after.clone()));
        assert_eq!(
            audit(&entered, &session),
            "added record 48 by hand: Green AI"
        );
        let mut undone = entry(EntityKind::Record, "record 48", Some(after), None);
        undone.action = AuditAction::Undo;
        assert_eq!(
            audit(&undone, &session),
            "took back the entry of record 48 by hand: Green AI"
        );
    }
}
