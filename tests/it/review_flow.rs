//! A systematic review end to end on the real fixture corpus, the way a team on several
//! machines works: the lead sets up the project and shares copies; two reviewers screen blind
//! in their copies and send decision bundles; the lead imports them (twice: nothing changes),
//! unblinds, sees the conflicts, resolves them (votes stay as cast); full-text screening repeats
//! the round; three reviewers classify the included studies on the a–f scale (one in her own
//! copy); risks and a consequence tree; PRISMA. Agreement equals scikit-learn and statsmodels
//! on the same votes (`docs/reference/review_flow_reference.py`). Bad bundles and bad inputs are
//! refused with nothing written.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ecolens_core::store::AuditFilter;
use ecolens_core::{
    Classification, Decision, Error, Project, ReboundRisk, RecordId, ResolvedValue, Reviewer,
    ReviewerId, ScreeningRule, ScreeningVote, Stage, StageOutcome, Subject, Visibility,
};
use ecolens_corpus::import::{ImportOptions, import_paths};
use ecolens_taxonomy::{Direction, EffectCode, EvalCategory, MechanismResource, Term};

// The votes and categories of docs/reference/review_flow_reference.py.
const EMILY_TIAB: &str = "IIIIIIIIIIIIIIEEEEEEEMII";
const TOMAS_TIAB: &str = "IIIIIIIIIIIIIEEEEEEEIMMI";
const EMILY_FT: &str = "IIIIIIIIIIIAABBI";
const TOMAS_FT: &str = "IIIIIIIIIIAABBBM";
const EMILY_C: &str = "abccdcbacbdc";
const TOMAS_C: &str = "abcccdbacbcc";
const SARA_C: &str = "abbcdcbbcbdd";

fn decision(code: char) -> Decision {
    match code {
        'I' => Decision::Include,
        'M' => Decision::Maybe,
        'E' | 'A' => Decision::Exclude {
            reason: Some("not_ai".into()),
        },
        'B' => Decision::Exclude {
            reason: Some("no_environmental_application".into()),
        },
        other => panic!("no decision {other}"),
    }
}

fn vote(project: &mut Project, record: RecordId, who: &Reviewer, stage: Stage, code: char) {
    project
        .set_screening(
            record,
            who.id,
            &ScreeningVote {
                stage,
                decision: decision(code),
                note: None,
            },
        )
        .unwrap();
}

fn category(code: char) -> EvalCategory {
    EvalCategory::from_code(&code.to_string()).unwrap()
}

fn close(value: Option<f64>, expected: f64) {
    let value = value.expect("defined");
    assert!((value - expected).abs() < 1e-12, "{value} != {expected}");
}

/// A copy of the project file, as the lead shares it (the source is closed first).
fn share(main: &Path, name: &str) -> PathBuf {
    let copy = main.with_file_name(name);
    std::fs::copy(main, &copy).unwrap();
    copy
}

/// What the lead, Anne-Laure, reads: while blind the overviews (agreement, PRISMA,
/// outcomes), once unblinded everything.
fn lead(project: &Project) -> Visibility {
    let anne = project.reviewer_by_name("Anne-Laure").unwrap();
    project.visibility(Some(anne.id)).unwrap()
}

/// What one reviewer reads.
fn as_who(project: &Project, who: ReviewerId) -> Visibility {
    project.visibility(Some(who)).unwrap()
}

fn export(project: &Project, who: &Reviewer, dir: &Path, name: &str) -> (PathBuf, String) {
    let bundle = project.export_bundle(&as_who(project, who.id)).unwrap();
    let text = serde_json::to_string_pretty(&bundle).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

fn audit_len(project: &Project) -> usize {
    project
        .audit_log(AuditFilter::default(), &lead(project))
        .unwrap()
        .len()
}

#[test]
fn three_reviewers_on_several_machines_review_the_fixture_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let main_path = dir.path().join("main.ecolens");
    let fixtures = ecolens_tests::fixtures_dir().join("bibliographies");
    assert!(
        fixtures.is_dir(),
        "fixtures missing: {}",
        fixtures.display()
    );

    // The lead sets up: the corpus, the team, the rule.
    let (anne, emily, tomas, sara, records, report) = {
        let mut main = Project::open(&main_path).unwrap();
        let cancel = AtomicBool::new(false);
        let report = import_paths(
            &mut main,
            &[
                fixtures.join("pubmed_medline_baseline.ris"),
                fixtures.join("rayyan_export_baseline.ris"),
                fixtures.join("scopus_malformed_issue1099.txt"),
            ],
            &ImportOptions {
                threads: 2,
                cancel: &cancel,
                progress: &|_| {},
                labels_as_votes: false,
                pdf: None,
                again: false,
            },
        )
        .unwrap();
        let anne = main.add_reviewer("Anne-Laure", true).unwrap();
        let emily = main.add_reviewer("Emily", false).unwrap();
        let tomas = main.add_reviewer("Tomas", false).unwrap();
        let sara = main.add_reviewer("Sara", false).unwrap();
        assert!(main.review_settings().unwrap().blind, "blind by default");
        assert!(matches!(
            main.set_screening_rule(emily.id, ScreeningRule::TwoAgreeing),
            Err(Error::NotLead { .. })
        ));
        main.set_screening_rule(anne.id, ScreeningRule::TwoAgreeing)
            .unwrap();
        let records: Vec<RecordId> = main
            .outcomes(&lead(&main))
            .unwrap()
            .iter()
            .map(|o| o.record)
            .collect();
        (anne, emily, tomas, sara, records, report)
    };
    assert!(records.len() > 25, "{} records", records.len());
    let tiab: Vec<RecordId> = records[..24].to_vec();

    // Round 1: title/abstract, each in their own copy, blind.
    let mut bundles = Vec::new();
    for (who, pattern, name) in [
        (&emily, EMILY_TIAB, "emily-1.ecolens"),
        (&tomas, TOMAS_TIAB, "tomas-1.ecolens"),
    ] {
        let mut copy = Project::open(share(&main_path, name)).unwrap();
        assert_eq!(
            copy.screening_queue(Stage::TitleAbstract, &as_who(&copy, who.id))
                .unwrap()
                .len(),
            records.len()
        );
        for (record, code) in tiab.iter().zip(pattern.chars()) {
            vote(&mut copy, *record, who, Stage::TitleAbstract, code);
        }
        if who.name == "Emily" {
            // One more, on a record nobody else screens.
            vote(&mut copy, records[24], who, Stage::TitleAbstract, 'I');
        }
        bundles.push(export(
            &copy,
            who,
            dir.path(),
            &format!("{}-1.json", who.name),
        ));
    }

    let mut main = Project::open(&main_path).unwrap();
    for (path, text) in &bundles {
        let report = main.import_bundle(path, text).unwrap();
        assert!(
            report.conflicts.is_empty() && report.unmatched.is_empty(),
            "{report:?}"
        );
        assert_eq!(report.updated + report.unchanged, 0);
        assert!(report.added >= 24, "{report:?}");
    }
    // The same bundle again changes nothing.
    let (before_audit, before_version) = (audit_len(&main), main.data_version().unwrap());
    let again = main.import_bundle(&bundles[0].0, &bundles[0].1).unwrap();
    assert!(again.already_imported);
    assert_eq!(
        (audit_len(&main), main.data_version().unwrap()),
        (before_audit, before_version)
    );

    // Blind: each reviewer sees only their own; conflicts stay hidden; only a lead unblinds.
    let seen = main
        .record_review(tiab[13], &as_who(&main, emily.id))
        .unwrap();
    assert_eq!((seen.votes.len(), seen.hidden), (1, 1));
    assert!(seen.votes.iter().all(|v| v.reviewer == emily.id));
    assert!(matches!(
        main.conflicts(&lead(&main)),
        Err(Error::Blinded { .. })
    ));
    assert!(matches!(
        main.set_blind(emily.id, false),
        Err(Error::NotLead { .. })
    ));
    main.set_blind(anne.id, false).unwrap();
    assert_eq!(
        main.record_review(tiab[13], &as_who(&main, emily.id))
            .unwrap()
            .hidden,
        0
    );

    // Conflicts where the votes differ; agreement equals scikit-learn.
    let conflicts = main.conflicts(&lead(&main)).unwrap();
    let at: Vec<RecordId> = [13, 20, 22].iter().map(|i| tiab[*i]).collect();
    assert_eq!(
        conflicts.iter().map(|c| c.record).collect::<Vec<_>>(),
        at,
        "{conflicts:#?}"
    );
    assert!(
        conflicts.iter().all(
            |c| c.subject == Subject::Screening(Stage::TitleAbstract) && c.positions.len() == 2
        )
    );
    let tiab_agreement = &main.agreement(Some("tiab"), &lead(&main)).unwrap()[0];
    let pair = &tiab_agreement.pairs[0];
    assert_eq!(
        (pair.first.as_str(), pair.second.as_str(), pair.items),
        ("Emily", "Tomas", 24)
    );
    close(pair.percent, 0.875);
    close(pair.kappa, 0.747_368_421_052_631_6);
    assert!(tiab_agreement.fleiss.is_none(), "two reviewers");

    // The lead resolves; votes stay as cast, agreement does not move.
    let votes_before: Vec<_> = at
        .iter()
        .map(|r| main.screening_votes(*r, &lead(&main)).unwrap())
        .collect();
    assert!(matches!(
        main.resolve(
            tomas.id,
            at[0],
            &Subject::Screening(Stage::TitleAbstract),
            &ResolvedValue::Screening(Decision::Include),
            None
        ),
        Err(Error::NotLead { .. })
    ));
    for (record, code) in at.iter().zip(['I', 'E', 'I']) {
        main.resolve(
            anne.id,
            *record,
            &Subject::Screening(Stage::TitleAbstract),
            &ResolvedValue::Screening(decision(code)),
            Some("discussed at the team meeting"),
        )
        .unwrap();
    }
    let votes_after: Vec<_> = at
        .iter()
        .map(|r| main.screening_votes(*r, &lead(&main)).unwrap())
        .collect();
    assert_eq!(votes_before, votes_after);
    assert!(
        main.conflicts(&lead(&main))
            .unwrap()
            .iter()
            .all(|c| c.resolution.is_some())
    );
    close(
        main.agreement(Some("tiab"), &lead(&main)).unwrap()[0].pairs[0].kappa,
        0.747_368_421_052_631_6,
    );
    let outcome = main.outcome(tiab[21], &lead(&main)).unwrap();
    assert_eq!(
        outcome.tiab,
        StageOutcome::Decided {
            decision: Decision::Maybe,
            resolved: false
        }
    );
    assert_eq!(
        main.outcome(records[24], &lead(&main)).unwrap().tiab,
        StageOutcome::Awaiting { votes: 1 },
        "rule: two must agree"
    );
    main.set_blind(anne.id, true).unwrap();
    drop(main);

    // Round 2: full text, in fresh copies of the lead's project.
    let moved_on: Vec<RecordId> = tiab
        .iter()
        .enumerate()
        .filter(|(i, _)| *i <= 13 || *i == 22 || *i == 23)
        .map(|(_, r)| *r)
        .collect();
    let mut bundles = Vec::new();
    for (who, pattern, name) in [
        (&emily, EMILY_FT, "emily-2.ecolens"),
        (&tomas, TOMAS_FT, "tomas-2.ecolens"),
    ] {
        let mut copy = Project::open(share(&main_path, name)).unwrap();
        let queue: Vec<RecordId> = copy
            .screening_queue(Stage::FullText, &as_who(&copy, who.id))
            .unwrap()
            .iter()
            .map(|q| q.record)
            .collect();
        assert_eq!(queue, moved_on);
        for (record, code) in queue.iter().zip(pattern.chars()) {
            vote(&mut copy, *record, who, Stage::FullText, code);
        }
        bundles.push(export(
            &copy,
            who,
            dir.path(),
            &format!("{}-2.json", who.name),
        ));
    }
    let mut main = Project::open(&main_path).unwrap();
    // Meanwhile Emily, at the lead's machine, changed her mind on the extra record: her later
    // exclusion must not be overwritten by the bundle's older inclusion.
    vote(&mut main, records[24], &emily, Stage::TitleAbstract, 'E');
    let emily_report = main.import_bundle(&bundles[0].0, &bundles[0].1).unwrap();
    assert_eq!(emily_report.added, 16);
    assert_eq!(emily_report.unchanged, 24);
    assert_eq!(emily_report.conflicts.len(), 1, "{emily_report:#?}");
    assert_eq!(emily_report.conflicts[0].item, "vote at tiab");
    assert!(matches!(
        main.screening_votes(records[24], &as_who(&main, emily.id))
            .unwrap()[0]
            .vote
            .decision,
        Decision::Exclude { .. }
    ));
    assert_eq!(
        main.import_bundle(&bundles[1].0, &bundles[1].1)
            .unwrap()
            .added,
        16
    );

    main.set_blind(anne.id, false).unwrap();
    let ft_agreement = &main.agreement(Some("fulltext"), &lead(&main)).unwrap()[0];
    assert_eq!(ft_agreement.pairs[0].items, 16);
    close(ft_agreement.pairs[0].percent, 0.875);
    close(ft_agreement.pairs[0].kappa, 0.724_137_931_034_482_8);
    let ft_conflicts: Vec<RecordId> = main
        .conflicts(&lead(&main))
        .unwrap()
        .into_iter()
        .filter(|c| c.subject == Subject::Screening(Stage::FullText))
        .map(|c| c.record)
        .collect();
    // Different exclusion reasons are a conflict at full text (PRISMA counts per reason).
    assert_eq!(ft_conflicts, vec![moved_on[10], moved_on[12], moved_on[15]]);
    for (record, code) in ft_conflicts.iter().zip(['I', 'A', 'I']) {
        main.resolve(
            anne.id,
            *record,
            &Subject::Screening(Stage::FullText),
            &ResolvedValue::Screening(decision(code)),
            None,
        )
        .unwrap();
    }
    let included: Vec<RecordId> = main
        .outcomes(&lead(&main))
        .unwrap()
        .into_iter()
        .filter(|o| o.fulltext.moves_on())
        .map(|o| o.record)
        .collect();
    assert_eq!(included.len(), 12);
    main.set_blind(anne.id, true).unwrap();
    drop(main);

    // Round 3: a–f classification; Sara in her own copy, Emily and Tomas at the lead's machine.
    let sara_bundle = {
        let mut copy = Project::open(share(&main_path, "sara-3.ecolens")).unwrap();
        for (record, code) in included.iter().zip(SARA_C.chars()) {
            copy.set_classification(*record, sara.id, &Classification::new(category(code)))
                .unwrap();
        }
        export(&copy, &sara, dir.path(), "Sara-3.json")
    };
    let mut main = Project::open(&main_path).unwrap();
    for (who, pattern) in [(&emily, EMILY_C), (&tomas, TOMAS_C)] {
        for (record, code) in included.iter().zip(pattern.chars()) {
            main.set_classification(*record, who.id, &Classification::new(category(code)))
                .unwrap();
        }
    }
    assert_eq!(
        main.import_bundle(&sara_bundle.0, &sara_bundle.1)
            .unwrap()
            .added,
        12
    );
    let scopes = main
        .agreement(Some("classification"), &lead(&main))
        .unwrap();
    let classification = &scopes[0];
    assert!(classification.ordered);
    let expected = [
        (
            "Emily",
            "Tomas",
            0.75,
            [0.636_363_636_363_636_4, 0.746_478_873_239_436_5, 0.85],
        ),
        (
            "Emily",
            "Sara",
            0.75,
            [
                0.660_377_358_490_566_1,
                0.763_157_894_736_842_1,
                0.861_538_461_538_461_6,
            ],
        ),
        (
            "Tomas",
            "Sara",
            0.5,
            [0.320_754_716_981_132_1, 0.506_849_315_068_493_2, 0.7],
        ),
    ];
    assert_eq!(classification.pairs.len(), 3);
    for (first, second, percent, kappas) in expected {
        let pair = classification
            .pairs
            .iter()
            .find(|p| p.first == first && p.second == second)
            .unwrap_or_else(|| panic!("no pair {first} × {second}"));
        assert_eq!(pair.items, 12);
        close(pair.percent, percent);
        close(pair.kappa, kappas[0]);
        close(pair.kappa_linear, kappas[1]);
        close(pair.kappa_quadratic, kappas[2]);
    }
    let fleiss = classification.fleiss.as_ref().expect("three reviewers");
    assert_eq!(
        (fleiss.reviewers, fleiss.raters_per_item, fleiss.items),
        (3, 3, 12)
    );
    close(fleiss.kappa, 0.529_411_764_705_882_4);
    // Krippendorff's α (ordinal) and Gwet's AC2 (ordinal weights): `krippendorff` 0.9.0 and
    // `irrCAC` 0.4.4 on the same ratings (docs/reference/review_flow_reference.py).
    close(classification.krippendorff_alpha, 0.828_687_263_257_575_7);
    close(classification.gwet_ac, 0.940_000_000_000_000_2);

    // Risks and a consequence tree on the first included study.
    let study = included[0];
    let optimisation = main
        .add_risk(
            study,
            emily.id,
            &ReboundRisk {
                mechanism: "Better forecasts cut waste".into(),
                direction: Some(Direction::DecreasesImpact),
                ..ReboundRisk::new(EffectCode::SoOpt)
            },
        )
        .unwrap();
    let rebound = main
        .add_risk(
            study,
            emily.id,
            &ReboundRisk {
                mechanism: "Lower cost per unit invites more use".into(),
                direction: Some(Direction::IncreasesImpact),
                mechanism_resource: Some(MechanismResource::Money),
                parent: Some(optimisation.id),
                ..ReboundRisk::new(EffectCode::HoRbDir)
            },
        )
        .unwrap();
    main.add_risk(
        study,
        emily.id,
        &ReboundRisk {
            mechanism_resource: Some(MechanismResource::Time),
            parent: Some(rebound.id),
            ..ReboundRisk::new(EffectCode::HoRbTime)
        },
    )
    .unwrap();
    main.add_risk(
        study,
        tomas.id,
        &ReboundRisk {
            direction: Some(Direction::Ambiguous),
            ..ReboundRisk::new(EffectCode::HoRbDir)
        },
    )
    .unwrap();
    // A parent must be the same reviewer's risk on the same record.
    let stray = main.add_risk(
        study,
        tomas.id,
        &ReboundRisk {
            parent: Some(optimisation.id),
            ..ReboundRisk::new(EffectCode::HoAcc)
        },
    );
    assert_eq!(stray.unwrap_err().field(), Some("risk.parent"));
    let blind_tree = main
        .consequence_tree(study, &as_who(&main, emily.id))
        .unwrap();
    assert_eq!(blind_tree.len(), 3);
    assert_eq!(
        blind_tree.children[0].children[0].children[0].effect,
        "HO.RB.TIME"
    );
    main.set_blind(anne.id, false).unwrap();
    assert_eq!(
        main.consequence_tree(study, &as_who(&main, emily.id))
            .unwrap()
            .len(),
        4
    );
    let summary = main.risk_summary(&as_who(&main, anne.id)).unwrap();
    assert_eq!((summary.risks, summary.records), (4, 1));
    assert!(summary.by_effect.contains(&("HO.RB.DIR".to_owned(), 2)));
    let conflicts = main.conflicts(&lead(&main)).unwrap();
    assert!(
        conflicts
            .iter()
            .any(|c| c.record == study && c.subject == Subject::Risk(EffectCode::HoRbDir))
    );
    let classification_conflicts = conflicts
        .iter()
        .filter(|c| c.subject == Subject::Classification)
        .count();
    let differing = (0..12)
        .filter(|i| {
            let row: Vec<char> = [EMILY_C, TOMAS_C, SARA_C]
                .iter()
                .map(|p| p.chars().nth(*i).unwrap())
                .collect();
            row.iter().any(|c| *c != row[0])
        })
        .count();
    assert_eq!(classification_conflicts, differing);

    // PRISMA 2020 from the data.
    let prisma = main.prisma(&lead(&main)).unwrap();
    prisma.check().unwrap();
    assert_eq!(
        prisma.identified_total,
        report.records_read - report.rejected.len() as u64
    );
    assert_eq!(prisma.duplicates_removed, report.duplicates_merged);
    assert_eq!(prisma.records_after_deduplication, records.len() as u64);
    assert_eq!(prisma.identified.len(), 3, "{:?}", prisma.identified);
    assert_eq!(prisma.records_screened, 25);
    assert_eq!(prisma.records_excluded, 7);
    assert_eq!(
        prisma.records_undecided, 2,
        "one maybe, one awaiting a second reviewer"
    );
    assert_eq!(prisma.reports_sought, 16);
    assert_eq!(prisma.reports_assessed, 16);
    assert_eq!(prisma.reports_excluded_total, 4);
    assert_eq!(
        prisma
            .reports_excluded
            .iter()
            .map(|r| (r.reason.as_str(), r.reports))
            .collect::<Vec<_>>(),
        [("no_environmental_application", 2), ("not_ai", 2)]
    );
    assert_eq!(prisma.studies_included, 12);
    let svg = prisma.svg("Fixture review");
    assert!(svg.contains("Studies included in review (n = 12)"));
    assert!(svg.contains("Duplicate records removed"));

    // Undo by its author: the last resolution, then the blind switch.
    main.resolve(
        anne.id,
        study,
        &Subject::Risk(EffectCode::HoRbDir),
        &ResolvedValue::Risk(ecolens_core::RiskRating {
            direction: Some(Direction::IncreasesImpact),
            ..Default::default()
        }),
        None,
    )
    .unwrap();
    assert!(
        main.conflicts(&lead(&main))
            .unwrap()
            .iter()
            .any(|c| c.record == study
                && c.subject == Subject::Risk(EffectCode::HoRbDir)
                && c.resolution.is_some())
    );
    main.undo_last(anne.id).unwrap();
    assert!(
        main.conflicts(&lead(&main))
            .unwrap()
            .iter()
            .any(|c| c.record == study
                && c.subject == Subject::Risk(EffectCode::HoRbDir)
                && c.resolution.is_none())
    );
    main.undo_last(anne.id).unwrap();
    assert!(main.review_settings().unwrap().blind, "undoing the unblind");

    // Bad inputs are refused, and nothing is written.
    let (audit, version) = (audit_len(&main), main.data_version().unwrap());
    let foreign_path = dir.path().join("other.ecolens");
    let (other_path, other_text) = {
        let mut other = Project::open(&foreign_path).unwrap();
        let record = other
            .insert_record(
                &ecolens_core::Record::titled("Another project's record"),
                &ecolens_core::SourceRef {
                    file: "x.ris".into(),
                    format: "ris".into(),
                    locator: None,
                    original_key: None,
                },
            )
            .unwrap();
        let emily_there = other.add_reviewer("Emily", false).unwrap();
        vote(&mut other, record, &emily_there, Stage::TitleAbstract, 'I');
        export(&other, &emily_there, dir.path(), "foreign.json")
    };
    assert!(matches!(
        main.import_bundle(&other_path, &other_text),
        Err(Error::WrongProject { .. })
    ));
    let (sara_path, sara_text) = &sara_bundle;
    for (bad, field) in [
        (
            sara_text.replacen("\"category\": \"a\"", "\"category\": \"g\"", 1),
            "eval-scale: unknown code \"g\", expected one of: a, b, c, d, e, f",
        ),
        (
            sara_text.replacen("\"name\": \"Sara\"", "\"name\": \"Zoe\"", 1),
            "reviewer",
        ),
        (
            {
                let mut bundle: serde_json::Value = serde_json::from_str(sara_text).unwrap();
                bundle["risks"] = serde_json::json!([{
                    "record": 0, "uid": "0123456789abcdef", "created_at": "2026-11-23T10:00:00Z",
                    "updated_at": "2026-11-23T10:00:00Z", "risk": { "effect": "HO.XX" }
                }]);
                serde_json::to_string(&bundle).unwrap()
            },
            "HO.XX",
        ),
    ] {
        let error = main.import_bundle(sara_path, &bad).unwrap_err().to_string();
        assert!(error.contains(field), "{error}");
    }
    let unknown_reason = main.set_screening(
        records[30],
        emily.id,
        &ScreeningVote {
            stage: Stage::FullText,
            decision: Decision::Exclude {
                reason: Some("too_long".into()),
            },
            note: None,
        },
    );
    assert_eq!(
        unknown_reason.unwrap_err().field(),
        Some("screening.reason")
    );
    assert_eq!(
        (audit_len(&main), main.data_version().unwrap()),
        (audit, version)
    );
}
