//! A project on disk, created the way the app creates it (with the demo corpus), used for review
//! work, closed and reopened: everything comes back, and undo works across sessions.

use ecolens_app::service::project::open as open_project;
use ecolens_core::{
    AuditAction, Classification, Decision, EvidenceQuote, Project, QuoteField, ReboundRisk,
    ScreeningVote, Stage, store::AuditFilter,
};
use ecolens_taxonomy::{Direction, EffectCode, EvalCategory, Magnitude, MechanismResource};

#[test]
fn review_work_survives_closing_and_reopening_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");

    let opened = open_project(&path, true).unwrap();
    assert!(opened.created);
    assert_eq!(opened.demo_records, Some(47));
    let mut project = opened.project;
    let lead = project.add_reviewer("Anne-Laure", true).unwrap();
    let record = project.resolve_record("10.3390/su14095172").unwrap();
    project
        .set_screening(
            record,
            lead.id,
            &ScreeningVote {
                stage: Stage::TitleAbstract,
                decision: Decision::Include,
                note: None,
            },
        )
        .unwrap();
    let classification = Classification {
        category: EvalCategory::F,
        answers: vec![true; 5],
        rationale: Some("Proposes comparing LCAs of the reference and the AI solution.".into()),
        evidence: vec![EvidenceQuote::new(
            QuoteField::Title,
            "Life Cycle Assessment of AI Solutions",
        )],
        confidence: None,
    };
    project
        .set_classification(record, lead.id, &classification)
        .unwrap();
    let risk = ReboundRisk {
        direction: Some(Direction::IncreasesImpact),
        magnitude: Some(Magnitude::Backfire),
        rebound_percent: Some(120.0),
        mechanism_resource: Some(MechanismResource::Money),
        mechanism: "Cheaper inference invites more use".into(),
        ..ReboundRisk::new(EffectCode::HoRbDir)
    };
    let stored_risk = project.add_risk(record, lead.id, &risk).unwrap();
    project
        .add_record_label(record, lead.id, "rolnick-domain", "electricity_systems")
        .unwrap();
    drop(project);

    // A new session, as the app opens it: no second demo corpus, everything back.
    let reopened = open_project(&path, true).unwrap();
    assert!(!reopened.created);
    assert_eq!(reopened.demo_records, None);
    let mut project = reopened.project;
    assert_eq!(project.record_count().unwrap(), 47);
    assert_eq!(project.reviewer_by_name("Anne-Laure").unwrap(), lead);
    assert_eq!(
        project
            .classifications(record, &project.visibility(None).unwrap())
            .unwrap()[0]
            .classification,
        classification
    );
    assert_eq!(
        project
            .risks(record, &project.visibility(None).unwrap())
            .unwrap(),
        vec![stored_risk]
    );
    assert_eq!(
        project
            .screening_votes(record, &project.visibility(None).unwrap())
            .unwrap()[0]
            .vote
            .decision,
        Decision::Include
    );
    let info = project.info(&project.visibility(None).unwrap()).unwrap();
    assert_eq!(
        (
            info.counts.screening_decisions,
            info.counts.classifications,
            info.counts.rebound_risks,
            info.counts.record_labels
        ),
        (1, 1, 1, 1)
    );

    // Undo works across sessions, newest change first.
    let undone = project.undo_last(lead.id).unwrap();
    assert_eq!(undone.undone.entity, ecolens_core::EntityKind::RecordLabel);
    let undone = project.undo_last(lead.id).unwrap();
    assert_eq!(undone.undone.action, AuditAction::Create);
    assert!(
        project
            .risks(record, &project.visibility(None).unwrap())
            .unwrap()
            .is_empty()
    );
    let log = project
        .audit_log(
            AuditFilter {
                record: Some(record),
                ..AuditFilter::default()
            },
            &project.visibility(None).unwrap(),
        )
        .unwrap();
    assert_eq!(log.len(), 6, "4 changes and 2 undos");
    drop(project);

    // A second handle on the same file sees the same state (WAL, separate connections).
    let other = Project::open_existing(&path).unwrap();
    assert!(
        other
            .risks(record, &other.visibility(None).unwrap())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        other
            .classifications(record, &other.visibility(None).unwrap())
            .unwrap()
            .len(),
        1
    );
}
