use ecolens_taxonomy::{
    AssessmentScale, Confidence, Criterion, Direction, EffectCode, EvalCategory, EvidenceType,
    Likelihood, Magnitude, MechanismResource, ReductionType, Tier, TimeHorizon,
};

use super::*;
use crate::ids::{ArxivId, Doi, Pmid, RecordId, ReviewerId, RiskId};
use crate::record::{FullText, Person, QuoteField, Record, RecordKind, SourceRef};
use crate::review::{
    Classification, Decision, EvidenceQuote, ProjectLabel, ReboundRisk, ScreeningVote, Stage,
};
use crate::visibility::Visibility;
use crate::{AuditAction, EntityKind};

/// Everything, whatever blind mode says: what the project's own machinery reads.
fn all() -> Visibility {
    Visibility::machinery()
}

fn source(locator: &str) -> SourceRef {
    SourceRef {
        file: "/data/scopus.ris".into(),
        format: "ris".into(),
        locator: Some(locator.into()),
        original_key: Some("ref-1".into()),
    }
}

/// A record with every field set, taken from the Ligozat et al. article.
fn csv_source() -> SourceRef {
    SourceRef {
        file: "/data/rayyan.csv".into(),
        format: "csv".into(),
        locator: Some("row 4".into()),
        original_key: None,
    }
}

fn full_record() -> Record {
    Record {
        kind: RecordKind::JournalArticle,
        title: "Unraveling the Hidden Environmental Impacts of AI Solutions for Environment Life Cycle Assessment of AI Solutions".into(),
        authors: vec![
            Person::new("Ligozat", "Anne-Laure"),
            Person::new("Lefèvre", "Julien"),
            Person::new("Bugeau", "Aurélie"),
            Person::new("Combaz", "Jacques"),
        ],
        editors: vec![Person::new("Hilty", "Lorenz M.")],
        year: Some(2022),
        venue: Some("Sustainability".into()),
        volume: Some("14".into()),
        issue: Some("9".into()),
        pages: Some("5172".into()),
        publisher: Some("MDPI".into()),
        doi: Some(Doi::parse("doi", "10.3390/su14095172").unwrap()),
        pmid: Some(Pmid::parse("pmid", "12345678").unwrap()),
        arxiv: Some(ArxivId::parse("arxiv", "2110.11822").unwrap()),
        url: Some("https://www.mdpi.com/2071-1050/14/9/5172".into()),
        abstract_text: Some("In the past ten years, artificial intelligence has encountered such dramatic progress that it is now seen as a tool of choice to solve environmental issues and, in the first place, greenhouse gas emissions (GHG).".into()),
        keywords: vec!["life cycle assessment".into(), "AI for green".into(), "rebound effects".into()],
        notes: Some("RAYYAN-INCLUSION: {\"Emily\"=>\"Included\"}".into()),
        period: None,
    }
}

fn project_with_record() -> (Project, RecordId) {
    let mut project = Project::open_in_memory().unwrap();
    let id = project
        .insert_record(&full_record(), &source("line 1"))
        .unwrap();
    (project, id)
}

#[test]
fn migrations_from_empty_reach_the_latest_version_and_reopen_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/review.ecolens");
    let project = Project::open(&path).unwrap();
    assert!(project.was_created());
    assert_eq!(
        project.schema_version().unwrap(),
        migrations::latest_version()
    );
    let journal: String = project
        .conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let foreign_keys: bool = project
        .conn
        .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
        .unwrap();
    assert!(foreign_keys);
    let info = project.info(&all()).unwrap();
    assert_eq!(info.project_id.len(), 32);
    assert!(info.project_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        info.index_path,
        dir.path().join("nested/folder/review.ecolens.index")
    );
    assert_eq!(info.counts, Counts::default());
    let reasons = project.project_labels("exclusion-reason").unwrap();
    assert!(reasons.iter().any(|r| r.code == "not_ai"));
    drop(project);

    let again = Project::open(&path).unwrap();
    assert!(!again.was_created());
    assert_eq!(again.info(&all()).unwrap().project_id, info.project_id);
    assert_eq!(again.project_labels("exclusion-reason").unwrap(), reasons);
}

#[test]
fn every_migration_applies_on_top_of_the_previous_one() {
    // Apply migrations one by one as an older ecolens would have, then open with this build.
    let dir = tempfile::tempdir().unwrap();
    for stop in 1..=MIGRATIONS_LEN {
        let path = dir.path().join(format!("v{stop}.ecolens"));
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for (index, sql) in migrations::MIGRATIONS.iter().enumerate().take(stop) {
                conn.execute_batch(sql).unwrap();
                conn.pragma_update(None, "user_version", i64::try_from(index + 1).unwrap())
                    .unwrap();
            }
            conn.pragma_update(None, "application_id", migrations::APPLICATION_ID)
                .unwrap();
        }
        let project = Project::open(&path).unwrap();
        assert_eq!(
            project.schema_version().unwrap(),
            migrations::latest_version()
        );
        assert!(!project.was_created());
    }
}

const MIGRATIONS_LEN: usize = migrations::MIGRATIONS.len();

#[test]
fn foreign_and_newer_files_are_refused_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.ecolens");
    std::fs::write(
        &text,
        "this is a text file, not a database, and long enough to have a header",
    )
    .unwrap();
    let error = Project::open(&text).unwrap_err();
    assert!(matches!(error, Error::NotAProject { .. }), "{error}");
    assert!(error.to_string().contains("notes.ecolens"), "{error}");

    let other = dir.path().join("zotero.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY); INSERT INTO items VALUES (1);")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let error = Project::open(&other).unwrap_err();
    assert!(matches!(error, Error::NotAProject { .. }), "{error}");
    // Refusing a foreign database must not touch it, not even its journal mode.
    assert!(
        std::fs::read(&other).unwrap() == before,
        "the refused database was modified"
    );
    assert_eq!(
        std::fs::read(&text).unwrap(),
        b"this is a text file, not a database, and long enough to have a header"
    );
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        siblings
            .iter()
            .all(|name| !name.to_string_lossy().ends_with("-wal")),
        "{siblings:?}"
    );

    let newer = dir.path().join("newer.ecolens");
    drop(Project::open(&newer).unwrap());
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let newer_before = std::fs::read(&newer).unwrap();
    let error = Project::open(&newer).unwrap_err();
    assert!(
        matches!(error, Error::SchemaTooNew { found: 999, .. }),
        "{error}"
    );
    assert!(
        std::fs::read(&newer).unwrap() == newer_before,
        "a project written by a newer ecolens must be left as it was"
    );

    let missing = dir.path().join("missing.ecolens");
    assert!(matches!(
        Project::open_existing(&missing),
        Err(Error::NotFound { .. })
    ));
    assert!(!missing.exists());
    assert!(matches!(
        Project::open(dir.path()),
        Err(Error::NotAProject { .. })
    ));
}

#[test]
fn records_round_trip_with_lists_identifiers_and_provenance() {
    let (mut project, id) = project_with_record();
    let stored = project.record(id).unwrap();
    assert_eq!(stored.record, full_record());
    assert_eq!(stored.sources, vec![source("line 1")]);

    let csv = csv_source();
    project.add_source(id, &csv).unwrap();
    assert_eq!(
        project.record(id).unwrap().sources,
        vec![source("line 1"), csv]
    );
    assert_eq!(project.records().unwrap().len(), 1);

    let minimal = Record::titled("Green AI");
    let second = project.insert_record(&minimal, &source("line 40")).unwrap();
    assert_eq!(project.record(second).unwrap().record, minimal);

    for reference in [
        id.to_string(),
        "https://doi.org/10.3390/SU14095172".into(),
        "pmid:12345678".into(),
        "arXiv:2110.11822v2".into(),
    ] {
        assert_eq!(
            project.resolve_record(&reference).unwrap(),
            id,
            "{reference}"
        );
    }
    assert!(matches!(
        project.resolve_record("10.1000/none"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        project.resolve_record("nonsense").unwrap_err().field(),
        Some("record")
    );

    let order = project
        .record_order(LibraryColumn::Title, false, &all())
        .unwrap();
    let rows = project.library_rows(&order, &all()).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>()[0],
        "Green AI"
    );
    assert_eq!(rows[1].authors, "Ligozat et al.");
    assert_eq!(rows[1].doi.as_deref(), Some("10.3390/su14095172"));

    let mut changed = full_record();
    changed.keywords.push("LCA".into());
    changed.year = Some(2023);
    changed.doi = Some(Doi::parse("doi", "10.1000/CHANGED").unwrap());
    changed.abstract_text = None;
    let editor = project.add_reviewer("Editor", false).unwrap();
    project
        .edit_record(editor.id, id, &full_record(), &changed)
        .unwrap();
    let after = project.record(id).unwrap();
    assert_eq!(after.record, changed);
    assert_eq!(after.sources, vec![source("line 1"), csv_source()]);
    assert_eq!(project.resolve_record("10.1000/changed").unwrap(), id);
    assert!(matches!(
        project.edit_record(editor.id, RecordId(999), &changed, &full_record()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn a_batch_with_one_bad_record_writes_nothing_and_names_it() {
    let mut project = Project::open_in_memory().unwrap();
    let good = full_record();
    let bad = Record {
        year: Some(3022),
        ..Record::titled("From the future")
    };
    let error = project
        .insert_records(&[(good.clone(), source("line 1")), (bad, source("line 9"))])
        .unwrap_err();
    assert_eq!(error.field(), Some("records[1].year"));
    assert!(error.to_string().contains("3022"), "{error}");
    assert_eq!(project.record_count().unwrap(), 0);

    let no_file = SourceRef {
        file: String::new(),
        ..source("x")
    };
    let error = project.insert_records(&[(good, no_file)]).unwrap_err();
    assert_eq!(error.field(), Some("records[0].file"));
}

#[test]
fn full_texts_attach_and_empty_extractions_are_refused() {
    let (mut project, id) = project_with_record();
    let text = FullText {
        text: "1 Introduction\nArtificial intelligence …".into(),
        source_file: "/pdfs/ligozat2022.pdf".into(),
        extractor: "pdf-extract 0.10".into(),
        pages: Some(14),
    };
    project.set_full_text(id, &text).unwrap();
    assert_eq!(project.full_text(id).unwrap(), Some(text.clone()));
    let empty = FullText {
        text: " ".into(),
        ..text
    };
    assert_eq!(
        project.set_full_text(id, &empty).unwrap_err().field(),
        Some("full_text.text")
    );
    assert!(matches!(
        project.set_full_text(RecordId(99), &empty),
        Err(Error::InvalidValue { .. })
    ));
    assert_eq!(project.info(&all()).unwrap().counts.full_texts, 1);
}

#[test]
fn reviewers_round_trip_and_names_are_unique() {
    let mut project = Project::open_in_memory().unwrap();
    let lead = project.add_reviewer("Anne-Laure", true).unwrap();
    let second = project.add_reviewer("Julien", false).unwrap();
    assert_eq!(
        project.reviewers().unwrap(),
        vec![lead.clone(), second.clone()]
    );
    assert_eq!(project.reviewer_by_name("Julien").unwrap(), second);
    assert_eq!(project.reviewer(lead.id).unwrap(), lead);
    assert!(matches!(
        project.add_reviewer("Julien", false),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(
        project.add_reviewer(" ", false).unwrap_err().field(),
        Some("reviewer.name")
    );
    assert!(matches!(
        project.reviewer_by_name("Nobody"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn screening_votes_round_trip_and_bad_votes_are_refused() {
    let (mut project, record) = project_with_record();
    let emily = project.add_reviewer("Emily", false).unwrap();
    let include = ScreeningVote {
        stage: Stage::TitleAbstract,
        decision: Decision::Include,
        note: Some("clearly AI for green".into()),
    };
    let stored = project.set_screening(record, emily.id, &include).unwrap();
    assert_eq!(
        project.screening_votes(record, &all()).unwrap(),
        vec![stored]
    );

    let exclude = ScreeningVote {
        stage: Stage::FullText,
        decision: Decision::Exclude {
            reason: Some("not_ai".into()),
        },
        note: None,
    };
    let stored = project.set_screening(record, emily.id, &exclude).unwrap();
    assert_eq!(
        stored.reason_vocabulary.as_deref(),
        Some("exclusion-reason@1")
    );
    assert_eq!(project.screening_votes(record, &all()).unwrap().len(), 2);

    let unknown = ScreeningVote {
        decision: Decision::Exclude {
            reason: Some("too_long".into()),
        },
        ..exclude.clone()
    };
    let error = project
        .set_screening(record, emily.id, &unknown)
        .unwrap_err();
    assert_eq!(error.field(), Some("screening.reason"));
    assert!(
        error.to_string().contains("not_ai"),
        "the message lists the valid reasons: {error}"
    );

    assert!(matches!(
        project.set_screening(RecordId(404), emily.id, &include),
        Err(Error::NotFound {
            entity: "record",
            ..
        })
    ));
    assert!(matches!(
        project.set_screening(record, crate::ReviewerId(404), &include),
        Err(Error::NotFound {
            entity: "reviewer",
            ..
        })
    ));
    // Only the two successful votes were written and logged.
    assert_eq!(project.info(&all()).unwrap().counts.screening_decisions, 2);
    assert_eq!(
        project
            .audit_log(
                AuditFilter {
                    reviewer: Some(emily.id),
                    ..AuditFilter::default()
                },
                &all()
            )
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn classifications_round_trip_with_evidence_and_quotes_are_checked() {
    let (mut project, record) = project_with_record();
    let julien = project.add_reviewer("Julien", false).unwrap();
    let classification = Classification {
        category: EvalCategory::B,
        answers: vec![true, false],
        rationale: Some("Only states that AI can help.".into()),
        evidence: vec![
            EvidenceQuote::new(
                QuoteField::Abstract,
                "a tool of choice to solve environmental issues",
            ),
            EvidenceQuote {
                start: Some(0),
                end: Some(10),
                page: None,
                ..EvidenceQuote::new(QuoteField::Title, "Unraveling")
            },
        ],
        confidence: Some(Confidence::High),
    };
    let stored = project
        .set_classification(record, julien.id, &classification)
        .unwrap();
    assert_eq!(stored.vocabularies, "eval-scale@1 confidence@1");
    assert_eq!(
        project.classifications(record, &all()).unwrap(),
        vec![stored]
    );

    let invented = Classification {
        evidence: vec![EvidenceQuote::new(
            QuoteField::Abstract,
            "we measured 12 kWh",
        )],
        ..classification
    };
    let error = project
        .set_classification(record, julien.id, &invented)
        .unwrap_err();
    assert_eq!(error.field(), Some("classification.evidence[0].text"));
    assert_eq!(
        project.classifications(record, &all()).unwrap()[0]
            .classification
            .evidence
            .len(),
        2
    );
}

fn full_risk() -> ReboundRisk {
    ReboundRisk {
        effect: EffectCode::HoRbDir,
        mechanism: "Cheaper inference invites more queries".into(),
        direction: Some(Direction::IncreasesImpact),
        reduction_type: None,
        time_horizon: Some(TimeHorizon::MidTerm),
        scale: Some(AssessmentScale::Global),
        criteria: vec![Criterion::Gwp, Criterion::Water],
        likelihood: Some(Likelihood::Likely),
        magnitude: Some(Magnitude::PartialRebound),
        rebound_percent: Some(35.5),
        confidence: Some(Confidence::Medium),
        evidence_type: Some(EvidenceType::LiteratureAnalogue),
        tier: Some(Tier::Tier3),
        mechanism_resource: Some(MechanismResource::Money),
        conditions: Some("No cap on usage".into()),
        mitigation: Some("Usage-based pricing".into()),
        evidence: vec![EvidenceQuote::new(
            QuoteField::Abstract,
            "greenhouse gas emissions (GHG)",
        )],
        parent: None,
    }
}

#[test]
fn risks_round_trip_and_only_their_author_changes_them() {
    let (mut project, record) = project_with_record();
    let a = project.add_reviewer("A", false).unwrap();
    let b = project.add_reviewer("B", false).unwrap();
    let stored = project.add_risk(record, a.id, &full_risk()).unwrap();
    assert_eq!(project.risk(stored.id, &all()).unwrap(), stored);
    assert_eq!(project.risks(record, &all()).unwrap(), vec![stored.clone()]);
    assert!(stored.vocabularies.contains("ict-effects@1"));

    let mut lower = full_risk();
    lower.rebound_percent = Some(10.0);
    let updated = project.update_risk(stored.id, a.id, &lower).unwrap();
    assert_eq!(updated.risk.rebound_percent, Some(10.0));
    assert_eq!(updated.created_at, stored.created_at);

    let error = project
        .update_risk(stored.id, b.id, &full_risk())
        .unwrap_err();
    assert!(
        matches!(&error, Error::NotOwner { owner, .. } if owner == "A"),
        "{error}"
    );
    assert!(matches!(
        project.delete_risk(stored.id, b.id),
        Err(Error::NotOwner { .. })
    ));

    let inconsistent = ReboundRisk {
        reduction_type: Some(ReductionType::ActualReduction),
        ..full_risk()
    };
    assert_eq!(
        project
            .add_risk(record, a.id, &inconsistent)
            .unwrap_err()
            .field(),
        Some("risk.reduction_type")
    );

    project.delete_risk(stored.id, a.id).unwrap();
    assert!(project.risks(record, &all()).unwrap().is_empty());
    assert!(matches!(
        project.risk(stored.id, &all()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn record_labels_come_from_shipped_or_project_vocabularies() {
    let (mut project, record) = project_with_record();
    let r = project.add_reviewer("R", false).unwrap();
    let domain = project
        .add_record_label(record, r.id, "rolnick-domain", "buildings_and_cities")
        .unwrap();
    assert_eq!(domain.vocabulary_version, "rolnick-domain@1");
    let error = project
        .add_record_label(record, r.id, "rolnick-domain", "space_travel")
        .unwrap_err();
    assert_eq!(error.field(), Some("record_label.code"));
    assert!(error.to_string().contains("farms_and_forests"), "{error}");
    assert!(matches!(
        project.add_record_label(record, r.id, "rolnick-domain", "buildings_and_cities"),
        Err(Error::AlreadyExists { .. })
    ));

    // A project-defined vocabulary, added without code changes.
    project
        .add_project_vocabulary("study-design", "Study design", "How the paper evaluates")
        .unwrap();
    project
        .add_project_label(&ProjectLabel {
            vocabulary: "study-design".into(),
            code: "simulation".into(),
            name: "Simulation only".into(),
            definition: "Results from a simulated deployment".into(),
            example: String::new(),
            source: String::new(),
            retired: false,
        })
        .unwrap();
    let label = project
        .add_record_label(record, r.id, "study-design", "simulation")
        .unwrap();
    assert_eq!(label.vocabulary_version, "study-design@2");
    assert_eq!(
        project.record_labels(record, &all()).unwrap(),
        vec![domain, label]
    );
    let views = project.project_vocabularies().unwrap();
    assert!(
        views
            .iter()
            .any(|v| v.id == "study-design" && v.project_defined && v.entries.len() == 1)
    );

    project
        .retire_project_label("study-design", "simulation")
        .unwrap();
    project
        .remove_record_label(record, r.id, "study-design", "simulation")
        .unwrap();
    let error = project
        .add_record_label(record, r.id, "study-design", "simulation")
        .unwrap_err();
    assert!(error.to_string().contains("retired"), "{error}");
    assert!(matches!(
        project.add_project_vocabulary("ml-area", "Clash", ""),
        Err(Error::InvalidValue { .. })
    ));
}

#[test]
fn the_audit_log_records_old_and_new_and_undo_walks_back_per_reviewer() {
    let (mut project, record) = project_with_record();
    let a = project.add_reviewer("A", true).unwrap();
    let b = project.add_reviewer("B", false).unwrap();
    let tiab = |decision| ScreeningVote {
        stage: Stage::TitleAbstract,
        decision,
        note: None,
    };

    project
        .set_screening(record, a.id, &tiab(Decision::Maybe))
        .unwrap();
    project
        .set_screening(record, a.id, &tiab(Decision::Include))
        .unwrap();
    project
        .set_screening(
            record,
            b.id,
            &tiab(Decision::Exclude {
                reason: Some("not_ai".into()),
            }),
        )
        .unwrap();
    let risk = project.add_risk(record, a.id, &full_risk()).unwrap();
    project.delete_risk(risk.id, a.id).unwrap();

    let log = project
        .audit_log(
            AuditFilter {
                reviewer: Some(a.id),
                ..AuditFilter::default()
            },
            &all(),
        )
        .unwrap();
    let actions: Vec<_> = log.iter().map(|e| (e.entity, e.action)).collect();
    assert_eq!(
        actions,
        [
            (EntityKind::Risk, AuditAction::Delete),
            (EntityKind::Risk, AuditAction::Create),
            (EntityKind::Screening, AuditAction::Update),
            (EntityKind::Screening, AuditAction::Create),
        ]
    );
    let update = &log[2];
    assert_eq!(update.reviewer_name.as_deref(), Some("A"));
    assert_eq!(update.old.as_ref().unwrap()["vote"]["decision"], "maybe");
    assert_eq!(update.new.as_ref().unwrap()["vote"]["decision"], "include");

    // Undo the deletion: the risk comes back with its id.
    let outcome = project.undo_last(a.id).unwrap();
    assert_eq!(outcome.undone.action, AuditAction::Delete);
    assert_eq!(project.risk(risk.id, &all()).unwrap(), risk);
    // Undo the creation: gone again.
    project.undo_last(a.id).unwrap();
    assert!(project.risks(record, &all()).unwrap().is_empty());
    // Undo include -> maybe, without touching B's vote.
    project.undo_last(a.id).unwrap();
    let votes = project.screening_votes(record, &all()).unwrap();
    let a_vote = votes.iter().find(|v| v.reviewer == a.id).unwrap();
    assert_eq!(a_vote.vote.decision, Decision::Maybe);
    let b_vote = votes.iter().find(|v| v.reviewer == b.id).unwrap();
    assert_eq!(
        b_vote.vote.decision,
        Decision::Exclude {
            reason: Some("not_ai".into())
        }
    );
    // Undo the first vote, then nothing is left.
    project.undo_last(a.id).unwrap();
    assert!(
        project
            .screening_votes(record, &all())
            .unwrap()
            .iter()
            .all(|v| v.reviewer != a.id)
    );
    assert!(
        matches!(project.undo_last(a.id), Err(Error::NothingToUndo { reviewer }) if reviewer == "A")
    );

    // The log keeps everything: 4 changes, 4 undos, each change marked.
    let log = project
        .audit_log(
            AuditFilter {
                reviewer: Some(a.id),
                ..AuditFilter::default()
            },
            &all(),
        )
        .unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == AuditAction::Undo).count(),
        4
    );
    assert!(
        log.iter()
            .filter(|e| e.action != AuditAction::Undo)
            .all(|e| e.undone_by.is_some())
    );
    // B can still undo their own vote.
    project.undo_last(b.id).unwrap();
    assert!(project.screening_votes(record, &all()).unwrap().is_empty());
}

#[test]
fn undo_restores_classifications_and_labels() {
    let (mut project, record) = project_with_record();
    let a = project.add_reviewer("A", false).unwrap();
    let first = project
        .set_classification(record, a.id, &Classification::new(EvalCategory::C))
        .unwrap();
    project
        .set_classification(record, a.id, &Classification::new(EvalCategory::D))
        .unwrap();
    project
        .add_record_label(record, a.id, "ml-area", "time_series")
        .unwrap();
    project.undo_last(a.id).unwrap();
    assert!(project.record_labels(record, &all()).unwrap().is_empty());
    project.undo_last(a.id).unwrap();
    assert_eq!(
        project.classifications(record, &all()).unwrap(),
        vec![first]
    );
}

#[test]
fn damaged_rows_are_reported_with_table_column_and_row() {
    let (mut project, record) = project_with_record();
    let a = project.add_reviewer("A", false).unwrap();
    let risk = project.add_risk(record, a.id, &full_risk()).unwrap();
    project
        .conn
        .execute(
            "UPDATE rebound_risk SET effect = 'XX.YY' WHERE id = ?1",
            [risk.id.0],
        )
        .unwrap();
    let error = project.risks(record, &all()).unwrap_err();
    assert!(
        matches!(&error, Error::Corrupt { table: "rebound_risk", column: "effect", row, .. } if *row == risk.id.0),
        "{error}"
    );
    project
        .conn
        .execute(
            "UPDATE record SET authors = 'not json' WHERE id = ?1",
            [record.0],
        )
        .unwrap();
    assert!(matches!(
        project.record(record),
        Err(Error::Corrupt {
            column: "authors",
            ..
        })
    ));
    let _ = RiskId(0);
}

#[test]
fn info_counts_what_the_project_holds() {
    let (mut project, record) = project_with_record();
    let a = project.add_reviewer("A", false).unwrap();
    project
        .set_screening(
            record,
            a.id,
            &ScreeningVote {
                stage: Stage::TitleAbstract,
                decision: Decision::Include,
                note: None,
            },
        )
        .unwrap();
    project
        .set_classification(record, a.id, &Classification::new(EvalCategory::A))
        .unwrap();
    project
        .add_risk(record, a.id, &ReboundRisk::new(EffectCode::FoUse))
        .unwrap();
    let counts = project.info(&all()).unwrap().counts;
    assert_eq!(
        (
            counts.records,
            counts.reviewers,
            counts.screening_decisions,
            counts.classifications,
            counts.rebound_risks
        ),
        (1, 1, 1, 1, 1)
    );
    // Adding a reviewer and three review changes: four audit entries.
    assert_eq!(counts.audit_entries, 4);
}

#[test]
fn the_index_journal_names_what_changed_since_a_version() {
    use crate::index_feed::{IndexScope, ScreeningStatus};

    let (mut project, first) = project_with_record();
    // A new index (no stamp) reads everything.
    let changes = project.index_changes(None).unwrap();
    assert_eq!(changes.scope, Some(IndexScope::All));
    let indexed = changes.version;
    assert_eq!(project.index_changes(Some(indexed)).unwrap().scope, None);

    let ids = project
        .insert_records(&[
            (Record::titled("Second"), source("line 20")),
            (Record::titled("Third"), source("line 30")),
        ])
        .unwrap();
    let emily = project.add_reviewer("Emily", false).unwrap();
    // Adding a reviewer changes nothing the index holds.
    let changes = project.index_changes(Some(indexed)).unwrap();
    assert_eq!(
        changes.scope,
        Some(IndexScope::Ranges(vec![ids[0]..=ids[1]]))
    );
    project
        .set_screening(
            first,
            emily.id,
            &ScreeningVote {
                stage: Stage::TitleAbstract,
                decision: Decision::Include,
                note: None,
            },
        )
        .unwrap();
    let changes = project.index_changes(Some(indexed)).unwrap();
    assert_eq!(
        changes.scope,
        Some(IndexScope::Ranges(vec![first..=ids[1]])),
        "adjacent ranges are joined"
    );
    // An index from the future, or older than the pruned journal, is rebuilt.
    assert_eq!(
        project
            .index_changes(Some(changes.version + 1))
            .unwrap()
            .scope,
        Some(IndexScope::All)
    );
    project.prune_index_journal(changes.version).unwrap();
    assert_eq!(
        project.index_changes(Some(changes.version)).unwrap().scope,
        None
    );
    assert_eq!(
        project.index_changes(Some(indexed)).unwrap().scope,
        Some(IndexScope::All)
    );

    // Documents carry the record, its files and its review facets.
    project
        .set_full_text(
            first,
            &FullText {
                text: "Full text of the paper.".into(),
                source_file: "ligozat.pdf".into(),
                extractor: "test".into(),
                pages: Some(1),
            },
        )
        .unwrap();
    project
        .set_classification(
            first,
            emily.id,
            &Classification {
                category: EvalCategory::C,
                answers: vec![true, true, false],
                rationale: None,
                evidence: vec![],
                confidence: None,
            },
        )
        .unwrap();
    project.add_risk(first, emily.id, &full_risk()).unwrap();
    project
        .add_record_label(first, emily.id, "exclusion-reason", "not_ai")
        .unwrap();
    let mut docs = Vec::new();
    project
        .for_each_index_doc(&IndexScope::Ranges(vec![first..=first]), true, |doc| {
            docs.push(doc);
            Ok::<_, Error>(())
        })
        .unwrap();
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc.id, first);
    assert_eq!(doc.record, full_record());
    assert_eq!(doc.full_text.as_deref(), Some("Full text of the paper."));
    assert_eq!(doc.files, vec!["scopus.ris".to_owned()]);
    assert_eq!(
        doc.review.screening(),
        (ScreeningStatus::Include, Some(Stage::TitleAbstract))
    );
    let emily = project.reviewer_by_name("Emily").unwrap().id;
    assert_eq!(
        doc.review.classifications,
        vec![(emily, "Emily".to_owned(), EvalCategory::C)]
    );
    assert_eq!(doc.review.votes[0].reviewer, "Emily");
    assert_eq!(doc.review.effects(), vec![full_risk().effect]);
    assert_eq!(
        doc.review.labels(),
        vec![("exclusion-reason".to_owned(), "not_ai".to_owned())]
    );
    assert!(!doc.review.has_lca && !doc.review.has_trace);

    let mut all = Vec::new();
    project
        .for_each_index_doc(&IndexScope::All, false, |doc| {
            all.push(doc.id);
            Ok::<_, Error>(())
        })
        .unwrap();
    assert_eq!(all, vec![first, ids[0], ids[1]]);
}

/// Three records with different titles, years, authors, sources and review states.
fn library_project() -> (Project, [RecordId; 3]) {
    let mut project = Project::open_in_memory().unwrap();
    let mut a = Record::titled("zeta: carbon of training");
    a.year = Some(2021);
    a.authors = vec![Person::new("Moreau", "A.")];
    a.venue = Some("Nature".into());
    let mut b = Record::titled("Alpha and the rebound");
    b.year = None;
    b.authors = vec![Person::new("adams", "B."), Person::new("Ngo", "C.")];
    let mut c = Record::titled("beta: water of inference");
    c.year = Some(2019);
    c.venue = Some("arXiv".into());
    let mut other = source("line 9");
    other.file = "/elsewhere/zotero.bib".into();
    let ids = project
        .insert_records(&[
            (a, source("line 1")),
            (b, other.clone()),
            (c, source("line 5")),
        ])
        .unwrap();
    project.add_source(ids[0], &other).unwrap();
    let lead = project.add_reviewer("Lead", true).unwrap().id;
    let second = project.add_reviewer("Second", false).unwrap().id;
    let vote = |decision| ScreeningVote {
        stage: Stage::TitleAbstract,
        decision,
        note: None,
    };
    project
        .set_screening(ids[0], lead, &vote(Decision::Include))
        .unwrap();
    project
        .set_screening(ids[2], lead, &vote(Decision::Include))
        .unwrap();
    project
        .set_screening(ids[2], second, &vote(Decision::Exclude { reason: None }))
        .unwrap();
    project
        .set_classification(ids[2], lead, &Classification::new(EvalCategory::B))
        .unwrap();
    project
        .set_classification(ids[2], second, &Classification::new(EvalCategory::D))
        .unwrap();
    project
        .set_classification(ids[1], lead, &Classification::new(EvalCategory::E))
        .unwrap();
    // Unblinded: the library shows everyone's judgements combined.
    project.set_blind(lead, false).unwrap();
    (project, [ids[0], ids[1], ids[2]])
}

#[test]
fn while_blind_the_library_shows_each_reviewer_only_their_own_judgements() {
    let (mut project, [a, b, c]) = library_project();
    let lead = project.reviewer_by_name("Lead").unwrap().id;
    let second = project.reviewer_by_name("Second").unwrap().id;
    project
        .add_risk(c, lead, &ReboundRisk::new(EffectCode::FoUse))
        .unwrap();
    project.set_blind(lead, true).unwrap();
    let row = |viewer| {
        let seen = project.visibility(viewer).unwrap();
        project.library_rows(&[c], &seen).unwrap().remove(0)
    };
    // The conflict on c is the two reviewers' votes together: each sees only their own.
    let seen = row(Some(second));
    assert_eq!(seen.screening, crate::ScreeningStatus::Exclude);
    assert_eq!(seen.categories, vec![EvalCategory::D]);
    assert_eq!(seen.risk_count, 0);
    let seen = row(Some(lead));
    assert_eq!(seen.screening, crate::ScreeningStatus::Include);
    assert_eq!(seen.categories, vec![EvalCategory::B]);
    assert_eq!(seen.risk_count, 1);
    let nobody = row(None);
    assert_eq!(nobody.screening, crate::ScreeningStatus::Unscreened);
    assert!(nobody.categories.is_empty());
    // The orders follow the same rule: Second has voted on c only.
    let order = |column, viewer| {
        let seen = project.visibility(viewer).unwrap();
        project.record_order(column, false, &seen).unwrap()
    };
    assert_eq!(order(LibraryColumn::Decision, Some(second)), vec![a, b, c]);
    assert_eq!(order(LibraryColumn::Decision, Some(lead)), vec![b, a, c]);
    assert_eq!(order(LibraryColumn::Category, Some(second)), vec![c, a, b]);
    assert_eq!(order(LibraryColumn::Category, Some(lead)), vec![c, b, a]);
}

#[test]
fn the_library_orders_every_record_by_each_column() {
    let (project, [a, b, c]) = library_project();
    let order = |column, descending| project.record_order(column, descending, &all()).unwrap();
    assert_eq!(order(LibraryColumn::Added, false), vec![a, b, c]);
    assert_eq!(order(LibraryColumn::Added, true), vec![c, b, a]);
    // Case is ignored.
    assert_eq!(order(LibraryColumn::Title, false), vec![b, c, a]);
    assert_eq!(order(LibraryColumn::Authors, false), vec![b, a, c]);
    // Records without a year or a venue come last.
    assert_eq!(order(LibraryColumn::Year, false), vec![c, a, b]);
    assert_eq!(order(LibraryColumn::Venue, false), vec![c, a, b]);
    assert_eq!(order(LibraryColumn::Source, false), vec![a, c, b]);
    // Unscreened, include, …, conflict.
    assert_eq!(order(LibraryColumn::Decision, false), vec![b, a, c]);
    // Lowest category first, unclassified last.
    assert_eq!(order(LibraryColumn::Category, false), vec![c, b, a]);
    assert_eq!(order(LibraryColumn::Category, true), vec![a, b, c]);
}

#[test]
fn library_rows_carry_the_review_state_and_sources() {
    let (project, [a, b, c]) = library_project();
    let rows = project
        .library_rows(&[c, RecordId(999), a, b], &all())
        .unwrap();
    // The missing id is left out; the order is kept.
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c, a, b]);
    let (rc, ra, rb) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!(rc.screening, crate::ScreeningStatus::Conflict);
    assert_eq!(rc.stage, Some(Stage::TitleAbstract));
    assert_eq!(rc.categories, vec![EvalCategory::B, EvalCategory::D]);
    assert_eq!(ra.screening, crate::ScreeningStatus::Include);
    assert_eq!(ra.source, "scopus.ris");
    assert_eq!(ra.source_count, 2);
    assert_eq!(rb.screening, crate::ScreeningStatus::Unscreened);
    assert_eq!(rb.stage, None);
    assert_eq!(rb.authors, "adams & Ngo");
    assert_eq!(rb.source, "zotero.bib");
    assert_eq!(rb.categories, vec![EvalCategory::E]);
    assert_eq!(ra.venue.as_deref(), Some("Nature"));

    let files = project.source_files().unwrap();
    assert_eq!(
        files,
        vec![
            SourceFile {
                name: "scopus.ris".into(),
                records: 2
            },
            SourceFile {
                name: "zotero.bib".into(),
                records: 2
            },
        ]
    );
}

#[test]
fn consequence_trees_stay_trees_and_parents_are_not_deleted_under_their_children() {
    let (mut project, record) = project_with_record();
    let emily = project.add_reviewer("Emily", false).unwrap();
    let root = project
        .add_risk(record, emily.id, &ReboundRisk::new(EffectCode::SoOpt))
        .unwrap();
    let child = project
        .add_risk(
            record,
            emily.id,
            &ReboundRisk {
                parent: Some(root.id),
                ..ReboundRisk::new(EffectCode::HoRbDir)
            },
        )
        .unwrap();
    assert_eq!(child.uid.len(), 32, "a stable id of 128 random bits");
    assert_ne!(child.uid, root.uid);
    // The root may not move under its own child: that would be a cycle.
    let cycle = project.update_risk(
        root.id,
        emily.id,
        &ReboundRisk {
            parent: Some(child.id),
            ..root.risk.clone()
        },
    );
    assert_eq!(cycle.unwrap_err().field(), Some("risk.parent"));
    let deleted = project.delete_risk(root.id, emily.id);
    assert_eq!(deleted.unwrap_err().field(), Some("risk.id"));
    project.delete_risk(child.id, emily.id).unwrap();
    project.delete_risk(root.id, emily.id).unwrap();
    assert!(project.risks(record, &all()).unwrap().is_empty());
}

#[test]
fn settings_roots_and_resolutions_are_undone_by_their_author() {
    use crate::consequence::ConsequenceRoot;
    let (mut project, record) = project_with_record();
    let lead = project.add_reviewer("Anne", true).unwrap();
    let emily = project.add_reviewer("Emily", false).unwrap();
    project
        .set_consequence_root(
            record,
            emily.id,
            &ConsequenceRoot {
                solution: "ML-controlled HVAC".into(),
                scale: None,
            },
        )
        .unwrap();
    assert_eq!(
        project
            .consequence_tree(record, &project.visibility(Some(emily.id)).unwrap())
            .unwrap()
            .root
            .solution,
        "ML-controlled HVAC"
    );
    project.undo_last(emily.id).unwrap();
    assert_eq!(
        project
            .consequence_tree(record, &project.visibility(Some(emily.id)).unwrap())
            .unwrap()
            .root
            .solution,
        full_record().title,
        "back to the record's title"
    );
    project.set_blind(lead.id, false).unwrap();
    project
        .set_screening_rule(lead.id, crate::ScreeningRule::TwoAgreeing)
        .unwrap();
    let vote = ScreeningVote {
        stage: Stage::TitleAbstract,
        decision: Decision::Maybe,
        note: None,
    };
    project.set_screening(record, emily.id, &vote).unwrap();
    let subject = crate::Subject::Screening(Stage::TitleAbstract);
    project
        .resolve(
            lead.id,
            record,
            &subject,
            &crate::ResolvedValue::Screening(Decision::Include),
            None,
        )
        .unwrap();
    assert!(project.outcome(record, &all()).unwrap().tiab.moves_on());
    // Undo walks back: the resolution, the rule, the blind switch.
    project.undo_last(lead.id).unwrap();
    assert_eq!(
        project.outcome(record, &all()).unwrap().tiab,
        crate::StageOutcome::Awaiting { votes: 1 }
    );
    project.undo_last(lead.id).unwrap();
    assert_eq!(
        project.review_settings().unwrap().rule,
        crate::ScreeningRule::OneReviewer
    );
    project.undo_last(lead.id).unwrap();
    assert!(project.review_settings().unwrap().blind);
    // Resolving something nobody judged is refused.
    let nothing = project.resolve(
        lead.id,
        record,
        &crate::Subject::Classification,
        &crate::ResolvedValue::Classification(EvalCategory::C),
        None,
    );
    assert!(matches!(nothing, Err(Error::Blinded { .. })));
}

#[test]
fn a_later_bundle_from_the_same_reviewer_updates_and_an_older_one_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let main_path = dir.path().join("main.ecolens");
    let (record, emily) = {
        let mut main = Project::open(&main_path).unwrap();
        let record = main
            .insert_record(&full_record(), &source("line 1"))
            .unwrap();
        let emily = main.add_reviewer("Emily", false).unwrap();
        (record, emily)
    };
    let copy_path = dir.path().join("emily.ecolens");
    std::fs::copy(&main_path, &copy_path).unwrap();
    let mut copy = Project::open(&copy_path).unwrap();
    let vote = |decision| ScreeningVote {
        stage: Stage::TitleAbstract,
        decision,
        note: None,
    };
    copy.set_screening(record, emily.id, &vote(Decision::Include))
        .unwrap();
    let root = crate::consequence::ConsequenceRoot {
        solution: "ML-controlled HVAC".into(),
        scale: Some(ecolens_taxonomy::AssessmentScale::City),
    };
    copy.set_consequence_root(record, emily.id, &root).unwrap();
    let first = serde_json::to_string(
        &copy
            .export_bundle(&copy.visibility(Some(emily.id)).unwrap())
            .unwrap(),
    )
    .unwrap();
    let mut main = Project::open(&main_path).unwrap();
    let bundle = dir.path().join("emily.json");
    assert_eq!(main.import_bundle(&bundle, &first).unwrap().added, 2);
    assert_eq!(
        main.consequence_tree(record, &main.visibility(Some(emily.id)).unwrap())
            .unwrap()
            .root,
        root
    );
    // Emily changes her mind in her copy: the later vote replaces the earlier one.
    copy.set_screening(record, emily.id, &vote(Decision::Maybe))
        .unwrap();
    let second = serde_json::to_string(
        &copy
            .export_bundle(&copy.visibility(Some(emily.id)).unwrap())
            .unwrap(),
    )
    .unwrap();
    let report = main.import_bundle(&bundle, &second).unwrap();
    assert_eq!((report.updated, report.conflicts.len()), (1, 0));
    assert_eq!(
        main.screening_votes(record, &all()).unwrap()[0]
            .vote
            .decision,
        Decision::Maybe
    );
    // The first bundle, brought again, is older than what the project holds: kept, reported.
    let stale = main.import_bundle(&bundle, &first).unwrap();
    assert!(
        stale.already_imported,
        "the very same bundle: nothing to do"
    );
    let mut edited: serde_json::Value = serde_json::from_str(&first).unwrap();
    edited["exported_by"] = "ecolens (again)".into();
    let report = main.import_bundle(&bundle, &edited.to_string()).unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert_eq!(
        main.screening_votes(record, &all()).unwrap()[0]
            .vote
            .decision,
        Decision::Maybe
    );
    // Undo by its author takes the update back.
    main.undo_last(emily.id).unwrap();
    assert_eq!(
        main.screening_votes(record, &all()).unwrap()[0]
            .vote
            .decision,
        Decision::Include
    );
}

#[test]
fn the_library_shows_and_orders_a_resolved_conflict_by_its_resolution() {
    let (mut project, [a, b, c]) = library_project();
    let lead = project.reviewer_by_name("Lead").unwrap().id;
    let second = project.reviewer_by_name("Second").unwrap().id;
    // a becomes a conflict too; c's conflict is resolved as an inclusion.
    project
        .set_screening(
            a,
            second,
            &ScreeningVote {
                stage: Stage::TitleAbstract,
                decision: Decision::Maybe,
                note: None,
            },
        )
        .unwrap();
    project.set_blind(lead, false).unwrap();
    project
        .resolve(
            lead,
            c,
            &crate::Subject::Screening(Stage::TitleAbstract),
            &crate::ResolvedValue::Screening(Decision::Include),
            None,
        )
        .unwrap();
    let rows = project.library_rows(&[a, c], &all()).unwrap();
    assert_eq!(rows[0].screening, crate::ScreeningStatus::Conflict);
    assert_eq!(rows[1].screening, crate::ScreeningStatus::Include);
    // Unscreened, include (c, resolved), conflict (a).
    assert_eq!(
        project
            .record_order(LibraryColumn::Decision, false, &all())
            .unwrap(),
        vec![b, c, a]
    );
}

#[test]
fn the_classification_list_holds_full_text_inclusions_and_the_risk_list_respects_blinding() {
    let (mut project, first) = project_with_record();
    let second = project
        .insert_record(
            &Record {
                title: "Green AI".into(),
                doi: None,
                pmid: None,
                arxiv: None,
                ..full_record()
            },
            &source("line 2"),
        )
        .unwrap();
    let anne = project.add_reviewer("Anne", true).unwrap();
    let emily = project.add_reviewer("Emily", false).unwrap();
    let include = |stage| ScreeningVote {
        stage,
        decision: Decision::Include,
        note: None,
    };
    // Nothing included at full text yet: nothing to classify.
    assert!(
        project
            .classification_queue(&project.visibility(Some(anne.id)).unwrap())
            .unwrap()
            .is_empty()
    );
    project
        .set_screening(first, anne.id, &include(Stage::TitleAbstract))
        .unwrap();
    assert!(
        project
            .classification_queue(&project.visibility(Some(anne.id)).unwrap())
            .unwrap()
            .is_empty()
    );
    project
        .set_screening(first, anne.id, &include(Stage::FullText))
        .unwrap();
    // Emily classified the second record without any screening: it is on her list only.
    project
        .set_classification(second, emily.id, &Classification::new(EvalCategory::C))
        .unwrap();
    let anne_list = project
        .classification_queue(&project.visibility(Some(anne.id)).unwrap())
        .unwrap();
    assert_eq!(
        anne_list
            .iter()
            .map(|i| (i.record, i.own))
            .collect::<Vec<_>>(),
        vec![(first, None)]
    );
    assert!(anne_list[0].title.starts_with("Unraveling the Hidden"));
    let emily_list = project
        .classification_queue(&project.visibility(Some(emily.id)).unwrap())
        .unwrap();
    assert_eq!(
        emily_list
            .iter()
            .map(|i| (i.record, i.own))
            .collect::<Vec<_>>(),
        vec![(first, None), (second, Some(EvalCategory::C))]
    );

    project
        .add_risk(first, anne.id, &ReboundRisk::new(EffectCode::FoUse))
        .unwrap();
    project
        .add_risk(first, anne.id, &ReboundRisk::new(EffectCode::HoRbDir))
        .unwrap();
    project
        .add_risk(second, emily.id, &ReboundRisk::new(EffectCode::SoOpt))
        .unwrap();
    let counts = |list: Vec<RiskRecord>| {
        list.into_iter()
            .map(|r| (r.record, r.risks))
            .collect::<Vec<_>>()
    };
    // Blind: each sees their own.
    assert_eq!(
        counts(
            project
                .risk_records(&project.visibility(Some(anne.id)).unwrap())
                .unwrap()
        ),
        vec![(first, 2)]
    );
    assert_eq!(
        counts(
            project
                .risk_records(&project.visibility(Some(emily.id)).unwrap())
                .unwrap()
        ),
        vec![(second, 1)]
    );
    project.set_blind(anne.id, false).unwrap();
    assert_eq!(
        counts(
            project
                .risk_records(&project.visibility(Some(emily.id)).unwrap())
                .unwrap()
        ),
        vec![(first, 2), (second, 1)]
    );
    assert_eq!(
        project
            .risk_records(&project.visibility(Some(emily.id)).unwrap())
            .unwrap()[1]
            .title,
        "Green AI"
    );
}

#[test]
#[allow(clippy::float_cmp)] // Stored JSON reads back to the same bits (float_roundtrip).
fn traces_attach_per_run_and_scenarios_save_and_replace_by_name() {
    let (mut project, record) = project_with_record();
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces/codecarbon/emissions_v2.7.4_eo-college_linux.csv");
    let (file, ids) = attach_trace_file(&mut project, Some(record), &fixture).unwrap();
    assert_eq!(ids.len(), 6);
    let stored = project.traces(Some(record)).unwrap();
    assert_eq!(stored.len(), 6);
    assert_eq!(stored[0].summary.energy_kwh, file.runs[0].energy_kwh);
    assert!(
        stored[0]
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("superseded"))
    );
    assert_eq!(stored[1].id, ids[1]);
    assert_eq!(
        stored[1].summary.it_energy_kwh(),
        file.runs[1].it_energy_kwh()
    );
    assert_eq!(project.info(&all()).unwrap().counts.energy_traces, 6);
    project.delete_trace(ids[0]).unwrap();
    assert_eq!(project.traces(None).unwrap().len(), 5);
    assert!(project.delete_trace(ids[0]).is_err());
    let missing = project
        .attach_trace(Some(RecordId(999)), &file)
        .unwrap_err();
    assert!(
        missing.to_string().contains("record 999 not found"),
        "{missing}"
    );
    assert_eq!(
        project.traces(None).unwrap().len(),
        5,
        "nothing written for a missing record"
    );

    let (_, example) = crate::lca::EXAMPLES[1];
    let first = project.save_scenario(Some(record), example).unwrap();
    let again = project
        .save_scenario(
            Some(record),
            &example.replace(
                "saving = { value = \"triangular(0.05, 0.15, 0.30)\"",
                "saving = { value = \"triangular(0.05, 0.10, 0.30)\"",
            ),
        )
        .unwrap();
    assert_eq!(first, again);
    let scenarios = project.scenarios(Some(record)).unwrap();
    assert_eq!(scenarios.len(), 1);
    assert!(scenarios[0].toml.contains("0.10"));
    assert!(project.save_scenario(Some(record), "name = 1").is_err());
    assert_eq!(project.info(&all()).unwrap().counts.lca_scenarios, 1);
}

/// Two processes writing review work to one file (two reviewers on a shared file): every write
/// waits for the other's lock instead of failing with "database is locked", and none is lost.
/// Each writer has its own connection, as each process would.
#[test]
fn two_writers_on_one_file_wait_for_each_other_and_lose_nothing() {
    const WRITES: usize = 600;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.ecolens");
    let mut project = Project::open(&path).unwrap();
    let batch: Vec<(Record, SourceRef)> = (0..WRITES)
        .map(|i| {
            let mut record = full_record();
            record.title = format!("Shared record {i}");
            record.doi = None;
            record.pmid = None;
            record.arxiv = None;
            (record, source(&format!("line {i}")))
        })
        .collect();
    let ids = project.insert_records(&batch).unwrap();
    let anne = project.add_reviewer("Anne", true).unwrap().id;
    let bob = project.add_reviewer("Bob", false).unwrap().id;
    let audited_before = project.info(&all()).unwrap().counts.audit_entries;
    drop(project);

    let write = |reviewer: ReviewerId, ids: Vec<RecordId>| {
        let path = path.clone();
        std::thread::Builder::new()
            .name(format!("writer-{reviewer}"))
            .spawn(move || {
                let mut project = Project::open_existing(&path).unwrap();
                let mut failures = Vec::new();
                for (i, id) in ids.into_iter().enumerate() {
                    // Votes (read the old vote, then write) and classifications alternate, as
                    // a reviewer screening and classifying does.
                    let result = if i % 3 == 2 {
                        project
                            .set_classification(id, reviewer, &Classification::new(EvalCategory::C))
                            .map(drop)
                    } else {
                        let vote = ScreeningVote {
                            stage: Stage::TitleAbstract,
                            decision: Decision::Include,
                            note: None,
                        };
                        project.set_screening(id, reviewer, &vote).map(drop)
                    };
                    if let Err(error) = result {
                        failures.push(error.to_string());
                    }
                }
                failures
            })
            .unwrap()
    };
    let first = write(anne, ids.clone());
    let mut reversed = ids.clone();
    reversed.reverse();
    let second = write(bob, reversed);
    let failures: Vec<String> = [first, second]
        .into_iter()
        .flat_map(|handle| handle.join().unwrap())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} writes failed, first: {:?}",
        failures.len(),
        2 * WRITES,
        failures.first()
    );
    let project = Project::open_existing(&path).unwrap();
    let counts = project.info(&all()).unwrap().counts;
    let classified = (0..WRITES).filter(|i| i % 3 == 2).count() as u64;
    assert_eq!(counts.screening_decisions, 2 * (WRITES as u64 - classified));
    assert_eq!(counts.classifications, 2 * classified);
    assert_eq!(counts.audit_entries - audited_before, 2 * WRITES as u64);
}

/// Every read that returns judgements follows one [`Visibility`]: with blind mode on, Bob sees
/// his own and nothing of Anne's; Anne, a lead, sees the overviews (agreement, PRISMA,
/// outcomes) but not Bob's judgements, unless the project lets leads see all; a project with
/// one reviewer has nothing to hide.
#[test]
fn blind_reads_follow_one_policy() {
    let (mut project, record) = project_with_record();
    let anne = project.add_reviewer("Anne", true).unwrap().id;
    let solo = project.visibility(None).unwrap();
    assert!(solo.sees_everyone(), "one reviewer: nothing to hide");
    let bob = project.add_reviewer("Bob", false).unwrap().id;
    let vote = ScreeningVote {
        stage: Stage::TitleAbstract,
        decision: Decision::Include,
        note: Some("MARKER-VOTE-NOTE".into()),
    };
    project.set_screening(record, anne, &vote).unwrap();
    let mut classification = Classification::new(EvalCategory::E);
    classification.rationale = Some("MARKER-RATIONALE".into());
    project
        .set_classification(record, anne, &classification)
        .unwrap();
    project.add_risk(record, anne, &full_risk()).unwrap();
    project
        .add_record_label(record, anne, "rolnick-domain", "buildings_and_cities")
        .unwrap();
    let bob_vote = ScreeningVote {
        decision: Decision::Exclude { reason: None },
        note: None,
        ..vote.clone()
    };
    project.set_screening(record, bob, &bob_vote).unwrap();

    let as_bob = project.visibility(Some(bob)).unwrap();
    let as_anne = project.visibility(Some(anne)).unwrap();
    let nobody = project.visibility(None).unwrap();
    assert!(!as_bob.sees_everyone() && !as_anne.sees_everyone());
    let review = project.record_review(record, &as_bob).unwrap();
    assert_eq!(review.votes.len(), 1);
    assert_eq!(review.votes[0].reviewer, bob);
    assert!(review.classifications.is_empty() && review.risks.is_empty());
    assert!(review.labels.is_empty() && review.resolutions.is_empty());
    assert_eq!(review.hidden, 4);
    assert_eq!(project.screening_votes(record, &as_bob).unwrap().len(), 1);
    assert!(project.classifications(record, &as_bob).unwrap().is_empty());
    assert!(project.risks(record, &as_bob).unwrap().is_empty());
    assert!(project.record_labels(record, &as_bob).unwrap().is_empty());
    assert!(project.risk_records(&as_bob).unwrap().is_empty());
    let summary = project.risk_summary(&as_bob).unwrap();
    assert_eq!((summary.risks, summary.by_domain.len()), (0, 0));
    let risk_id = project.risks(record, &all()).unwrap()[0].id;
    assert!(matches!(
        project.risk(risk_id, &as_bob),
        Err(Error::NotFound { .. })
    ));
    // Counts: Bob's own.
    let info = project.info(&as_bob).unwrap();
    assert_eq!(info.counts.screening_decisions, 1);
    assert_eq!(info.counts.classifications + info.counts.rebound_risks, 0);
    assert_eq!(project.info(&nobody).unwrap().counts.screening_decisions, 0);
    // The audit log: Anne's entries say who changed what kind of thing on which record, no more.
    let log = project.audit_log(AuditFilter::default(), &as_bob).unwrap();
    let text = serde_json::to_string(&log).unwrap();
    assert!(
        !text.contains("MARKER") && !text.contains("buildings"),
        "{text}"
    );
    let hidden: Vec<&crate::AuditEntry> = log.iter().filter(|e| e.hidden).collect();
    assert_eq!(hidden.len(), 4);
    assert!(hidden.iter().all(|e| e.old.is_none()
        && e.new.is_none()
        && e.entity_key == format!("record {record}")
        && e.reviewer == Some(anne)));
    assert!(
        log.iter()
            .any(|e| e.reviewer == Some(bob) && !e.hidden && e.new.is_some())
    );
    // Overviews: refused to Bob and to nobody, shown to the lead; conflicts wait for everyone.
    for seen in [&as_bob, &nobody] {
        assert!(matches!(
            project.agreement(None, seen),
            Err(Error::Blinded { .. })
        ));
        assert!(matches!(project.prisma(seen), Err(Error::Blinded { .. })));
        assert!(matches!(project.outcomes(seen), Err(Error::Blinded { .. })));
    }
    assert!(project.agreement(None, &as_anne).is_ok());
    assert_eq!(project.prisma(&as_anne).unwrap().records_screened, 1);
    assert!(matches!(
        project.conflicts(&as_anne),
        Err(Error::Blinded { .. })
    ));
    assert!(project.export_bundle(&nobody).is_err());
    let bundle = project.export_bundle(&as_bob).unwrap();
    assert_eq!((bundle.votes.len(), bundle.classifications.len()), (1, 0));

    // Leads see all: Anne sees Bob's vote and the conflict; Bob still sees his own only.
    project.set_leads_see_all(anne, true).unwrap();
    let as_anne = project.visibility(Some(anne)).unwrap();
    let as_bob = project.visibility(Some(bob)).unwrap();
    assert!(as_anne.sees_everyone() && !as_bob.sees_everyone());
    assert_eq!(project.screening_votes(record, &as_anne).unwrap().len(), 2);
    assert_eq!(project.conflicts(&as_anne).unwrap().len(), 1);
    assert_eq!(project.record_review(record, &as_bob).unwrap().hidden, 4);
}

#[test]
fn a_setting_set_to_the_value_it_has_writes_nothing_even_before_it_was_ever_written() {
    let mut project = Project::open_in_memory().unwrap();
    let lead = project.add_reviewer("Anne", true).unwrap().id;
    let settings = |project: &Project| {
        project
            .audit_log(AuditFilter::default(), &all())
            .unwrap()
            .into_iter()
            .filter(|e| e.entity == crate::audit::EntityKind::Setting)
            .map(|e| e.entity_key)
            .collect::<Vec<_>>()
    };
    // The defaults: blind on, leads do not see all, one reviewer decides.
    project.set_blind(lead, true).unwrap();
    project.set_leads_see_all(lead, false).unwrap();
    project
        .set_screening_rule(lead, crate::ScreeningRule::OneReviewer)
        .unwrap();
    assert!(settings(&project).is_empty());
    project.set_leads_see_all(lead, true).unwrap();
    project.set_leads_see_all(lead, true).unwrap();
    project.set_blind(lead, false).unwrap();
    assert_eq!(
        settings(&project),
        ["review.blind", "review.leads_see_all"],
        "newest first, one entry per change"
    );
}

#[test]
fn kept_counts_survive_a_migration_from_version_5_and_follow_changes() {
    // A project written by the previous schema, with records, a full text and audit entries,
    // gets its counts from the migration and keeps them as rows come and go.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.ecolens");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (index, sql) in migrations::MIGRATIONS.iter().enumerate().take(5) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", i64::try_from(index + 1).unwrap())
                .unwrap();
        }
        conn.pragma_update(None, "application_id", migrations::APPLICATION_ID)
            .unwrap();
        for n in 0..3 {
            conn.execute(
                "INSERT INTO record (kind, title, authors, keywords, added_at, updated_at)
                 VALUES ('report', ?1, '[]', '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [format!("Old record {n}")],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO record_fulltext (record_id, text, source_file, extractor, extracted_at)
             VALUES (1, 'text', 'a.pdf', 'test', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    let mut project = Project::open(&path).unwrap();
    let counts = project.info(&all()).unwrap().counts;
    assert_eq!((counts.records, counts.full_texts), (3, 1));
    project
        .insert_record(&Record::titled("New"), &source("line 9"))
        .unwrap();
    let a = project.add_reviewer("A", false).unwrap();
    let counts = project.info(&all()).unwrap().counts;
    assert_eq!(counts.records, 4);
    // The reviewer's creation is audited.
    let direct: i64 = project
        .conn
        .query_row("SELECT count(*) FROM audit_log", [], |row| row.get(0))
        .unwrap();
    assert_eq!(counts.audit_entries, u64::try_from(direct).unwrap());
    let entered = project
        .enter_record(a.id, &Record::titled("By hand"))
        .unwrap();
    project.undo_last(a.id).unwrap();
    let counts = project.info(&all()).unwrap().counts;
    assert_eq!(
        counts.records, 4,
        "the record entered and taken back is not counted"
    );
    assert!(project.record(entered.record).is_err());
}

fn project_record() -> Record {
    Record {
        kind: RecordKind::Project,
        title: "GreenSched: carbon-aware scheduling of training jobs".into(),
        authors: vec![Person::new("Durand", "Claire")],
        publisher: Some("Agence nationale de la recherche".into()),
        venue: Some("AAPG 2025".into()),
        issue: Some("ANR-25-CE23-0001".into()),
        abstract_text: Some("Shift training jobs to hours of low-carbon electricity.".into()),
        period: Some(crate::record::Period::parse("period", "2025-10/2029-09").unwrap()),
        ..Record::default()
    }
}

#[test]
fn an_edit_is_audited_undoable_and_refused_over_a_change_it_did_not_see() {
    let (mut project, id) = project_with_record();
    let a = project.add_reviewer("A", false).unwrap();
    let b = project.add_reviewer("B", false).unwrap();
    let seen = project.record(id).unwrap().record;
    let mut edited = seen.clone();
    edited.year = Some(2021);
    edited.title = "A corrected title".into();
    edited.abstract_text = None;
    let edit = project.edit_record(a.id, id, &seen, &edited).unwrap();
    assert_eq!(edit.changed, vec!["title", "year", "abstract_text"]);
    assert_eq!(project.record(id).unwrap().record, edited);
    let log = project
        .audit_log(
            AuditFilter {
                record: Some(id),
                ..AuditFilter::default()
            },
            &all(),
        )
        .unwrap();
    assert_eq!(log[0].entity, EntityKind::Record);
    assert_eq!(log[0].action, AuditAction::Update);
    assert_eq!(log[0].reviewer, Some(a.id));

    // B edits from what they saw before A's edit: refused, A's edit stays.
    let mut late = seen.clone();
    late.year = Some(1999);
    assert!(matches!(
        project.edit_record(b.id, id, &seen, &late),
        Err(Error::EditConflict { record }) if record == id
    ));
    // An edit that changes nothing logs nothing.
    let nothing = project.edit_record(b.id, id, &edited, &edited).unwrap();
    assert!(nothing.changed.is_empty());
    // Invalid values are refused with the field.
    let mut bad = edited.clone();
    bad.year = Some(20_210);
    let error = project.edit_record(a.id, id, &edited, &bad).unwrap_err();
    assert!(error.to_string().contains("record.year"), "{error}");

    project.undo_last(a.id).unwrap();
    assert_eq!(project.record(id).unwrap().record, seen);
    assert!(matches!(
        project.undo_last(a.id),
        Err(Error::NothingToUndo { .. })
    ));
}

#[test]
fn undo_of_an_edit_refuses_to_overwrite_a_later_edit() {
    let (mut project, id) = project_with_record();
    let a = project.add_reviewer("A", false).unwrap();
    let b = project.add_reviewer("B", false).unwrap();
    let seen = project.record(id).unwrap().record;
    let mut first = seen.clone();
    first.year = Some(2020);
    project.edit_record(a.id, id, &seen, &first).unwrap();
    let mut second = first.clone();
    second.pages = Some("1-20".into());
    project.edit_record(b.id, id, &first, &second).unwrap();
    assert!(matches!(project.undo_last(a.id), Err(Error::Stale { .. })));
    assert_eq!(project.record(id).unwrap().record, second);
}

#[test]
fn a_project_entered_by_hand_keeps_its_fields_and_says_where_it_came_from() {
    let mut project = Project::open_in_memory().unwrap();
    let a = project.add_reviewer("Alice", false).unwrap();
    let entered = project.enter_record(a.id, &project_record()).unwrap();
    let stored = project.record(entered.record).unwrap();
    assert_eq!(stored.record, project_record());
    assert_eq!(stored.record.period.unwrap().to_string(), "2025-10/2029-09");
    assert_eq!(
        stored.sources,
        vec![SourceRef {
            file: ENTERED_BY_HAND.into(),
            format: MANUAL_FORMAT.into(),
            locator: Some("by Alice".into()),
            original_key: None,
        }]
    );
    assert!(entered.changed.contains(&"period"));

    // Another record with the same DOI is pointed out.
    let mut paper = Record::titled("A paper");
    paper.doi = Some(Doi::parse("doi", "10.1000/shared").unwrap());
    let first = project.enter_record(a.id, &paper).unwrap();
    assert!(first.same_identifier.is_empty());
    let second = project.enter_record(a.id, &paper).unwrap();
    assert_eq!(second.same_identifier, vec![first.record]);

    // Taking back an entry that has been screened since is refused, naming what it holds.
    project.undo_last(a.id).unwrap(); // the second paper
    project.undo_last(a.id).unwrap(); // the first paper
    let include = ScreeningVote {
        stage: Stage::TitleAbstract,
        decision: Decision::Include,
        note: None,
    };
    project
        .set_screening(entered.record, a.id, &include)
        .unwrap();
    let b = project.add_reviewer("Bob", false).unwrap();
    project
        .set_screening(entered.record, b.id, &include)
        .unwrap();
    project.undo_last(a.id).unwrap(); // Alice's vote; Bob's stays
    let error = project.undo_last(a.id).unwrap_err();
    assert!(matches!(error, Error::RecordInUse { .. }), "{error}");
    assert!(error.to_string().contains("screening votes"), "{error}");
    assert!(project.record(entered.record).is_ok());
}

#[test]
fn periods_are_read_as_people_write_them_and_checked() {
    use crate::record::Period;
    for (text, shown) in [
        ("2024-01/2026-12", "2024-01/2026-12"),
        ("2024/2027", "2024/2027"),
        ("2024 – 2027", "2024/2027"),
        ("2024-2027", "2024/2027"),
        ("2024-03-15 to 2026-03-14", "2024-03-15/2026-03-14"),
        ("2024-01/", "2024-01/"),
        ("2024", "2024/"),
    ] {
        assert_eq!(
            Period::parse("period", text).unwrap().to_string(),
            shown,
            "{text}"
        );
    }
    for bad in [
        "2027/2024",
        "2024-13/2025",
        "2023-02-29/2024",
        "24/25",
        "soon",
        "2024-01-01-01",
    ] {
        let error = Period::parse("record.period", bad).unwrap_err();
        assert!(
            error.to_string().contains("record.period"),
            "{bad}: {error}"
        );
    }
    // The same month at both ends is one month, not an empty period.
    assert!(Period::parse("period", "2024-05/2024-05").is_ok());
}

/// A reviewer's screening sequence (for the stopping rule) is theirs to read, and a lead's as
/// figures while blind; another reviewer is refused.
#[test]
fn a_reviewers_screening_sequence_is_read_by_them_and_by_a_lead_only() {
    let (mut project, record) = project_with_record();
    let lead = project.add_reviewer("Anne", true).unwrap();
    let emily = project.add_reviewer("Emily", false).unwrap();
    let tomas = project.add_reviewer("Tomas", false).unwrap();
    let vote = ScreeningVote {
        stage: Stage::TitleAbstract,
        decision: Decision::Include,
        note: None,
    };
    project.set_screening(record, emily.id, &vote).unwrap();
    let sequence = |reader: ReviewerId| {
        let seen = project.visibility(Some(reader)).unwrap();
        project.includes_in_order(emily.id, Stage::TitleAbstract, &seen)
    };
    assert_eq!(sequence(emily.id).unwrap(), [true]);
    assert_eq!(sequence(lead.id).unwrap(), [true]);
    assert!(matches!(sequence(tomas.id), Err(Error::Blinded { .. })));
}

#[test]
fn the_reviews_computing_is_summed_per_activity_and_bad_times_count_as_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = Project::open(dir.path().join("p.ecolens")).unwrap();
    assert!(project.compute_totals().unwrap().is_empty());
    let ann = project.add_reviewer("Ann", false).unwrap().id;
    project.record_compute(Some(ann), "ranking", 0.25).unwrap();
    project.record_compute(None, "ranking", 0.5).unwrap();
    project.record_compute(Some(ann), "features", 4.0).unwrap();
    project
        .record_compute(Some(ann), "ranking", f64::NAN)
        .unwrap();
    project.record_compute(Some(ann), "ranking", -3.0).unwrap();
    let totals = project.compute_totals().unwrap();
    let summary: Vec<(&str, u64, f64)> = totals
        .iter()
        .map(|t| (t.activity.as_str(), t.runs, t.cpu_seconds))
        .collect();
    assert_eq!(summary, [("features", 1, 4.0), ("ranking", 4, 0.75)]);
    assert!(totals[1].first_at <= totals[1].last_at);
    // Not a judgement: nothing in the audit log to undo.
    assert_eq!(project.info(&all()).unwrap().counts.audit_entries, 1);
}

#[test]
fn known_includes_are_picked_by_a_lead_audited_and_must_exist() {
    let (mut project, id) = project_with_record();
    let lead = project.add_reviewer("Lead", true).unwrap().id;
    let ann = project.add_reviewer("Ann", false).unwrap().id;
    assert!(project.known_includes().unwrap().is_empty());
    assert!(project.set_known_includes(ann, &[id]).is_err());
    let missing = project.set_known_includes(lead, &[id, RecordId(999)]);
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    assert!(
        project.known_includes().unwrap().is_empty(),
        "nothing half-set"
    );
    assert_eq!(project.set_known_includes(lead, &[id, id]).unwrap(), [id]);
    let entries = project.audit_log(AuditFilter::default(), &all()).unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.entity_key == "screening.known_includes"),
        "{entries:?}"
    );
    assert!(project.set_known_includes(lead, &[]).unwrap().is_empty());
}

/// A lead's resolutions travel in the lead's bundle and are written where the lead is a lead;
/// the same resolution in a bundle of a reviewer who is not a lead is reported, not written.
#[test]
fn a_leads_resolution_travels_in_a_bundle_and_a_reviewers_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let main_path = dir.path().join("main.ecolens");
    let (record, lead, emily) = {
        let mut main = Project::open(&main_path).unwrap();
        let record = main
            .insert_record(&full_record(), &source("line 1"))
            .unwrap();
        let lead = main.add_reviewer("Lena", true).unwrap();
        let emily = main.add_reviewer("Emily", false).unwrap();
        main.set_blind(lead.id, false).unwrap();
        (record, lead, emily)
    };
    let copy_path = dir.path().join("lena.ecolens");
    std::fs::copy(&main_path, &copy_path).unwrap();
    let mut copy = Project::open(&copy_path).unwrap();
    let vote = ScreeningVote {
        stage: Stage::TitleAbstract,
        decision: Decision::Maybe,
        note: None,
    };
    copy.set_screening(record, emily.id, &vote).unwrap();
    let subject = crate::Subject::Screening(Stage::TitleAbstract);
    let resolved = copy
        .resolve(
            lead.id,
            record,
            &subject,
            &crate::ResolvedValue::Screening(Decision::Include),
            Some("discussed"),
        )
        .unwrap();
    let bundle = copy
        .export_bundle(&copy.visibility(Some(lead.id)).unwrap())
        .unwrap();
    assert_eq!(bundle.resolutions.len(), 1);
    let mut main = Project::open(&main_path).unwrap();
    main.set_screening(record, emily.id, &vote).unwrap();
    let text = serde_json::to_string(&bundle).unwrap();
    let report = main
        .import_bundle(&dir.path().join("lena.json"), &text)
        .unwrap();
    assert_eq!(report.added, 1, "{report:?}");
    let all = main.visibility(Some(lead.id)).unwrap();
    assert_eq!(
        main.resolutions(record, &all).unwrap(),
        vec![resolved.clone()]
    );
    // The same resolution under a reviewer's name is not a resolution.
    let mut forged = bundle.clone();
    forged.reviewer.name = "Emily".into();
    forged.resolutions[0].resolved_at = jiff::Timestamp::now();
    forged.resolutions[0].value =
        crate::ResolvedValue::Screening(Decision::Exclude { reason: None });
    let report = main
        .import_bundle(
            &dir.path().join("forged.json"),
            &serde_json::to_string(&forged).unwrap(),
        )
        .unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert_eq!(main.resolutions(record, &all).unwrap(), vec![resolved]);
}
