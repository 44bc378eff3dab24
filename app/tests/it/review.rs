//! The review views driven like a user: screening one record at a time with keys, the team
//! view (add a reviewer, unblind, resolve a conflict, read agreement) and the PRISMA flow.
//! Each test checks what the project holds afterwards, on a connection of its own.

use std::path::Path;

use ecolens_app::service::project::open as open_project;
use ecolens_core::{
    Decision, Project, ReboundRisk, RecordId, ResolvedValue, RiskRating, ScreeningVote, Stage,
    Subject,
};
use ecolens_taxonomy::{Direction, EffectCode, EvalCategory};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::window::{harness, settle};

/// A demo project with a lead and two reviewers; Tomas has voted on the first record.
fn team_project(path: &Path) -> Vec<RecordId> {
    let mut project = open_project(path, true).unwrap().project;
    project.add_reviewer("Anne", true).unwrap();
    project.add_reviewer("Emily", false).unwrap();
    let tomas = project.add_reviewer("Tomas", false).unwrap();
    let records: Vec<RecordId> = project.records().unwrap().iter().map(|r| r.id).collect();
    project
        .set_screening(
            records[0],
            tomas.id,
            &ScreeningVote {
                stage: Stage::TitleAbstract,
                decision: Decision::Include,
                note: None,
            },
        )
        .unwrap();
    records
}

/// Picks who is at the keyboard (the picker's button, not the name in the audit log).
pub(crate) fn be(harness: &mut Harness<'static, ecolens_app::window::Workbench>, name: &str) {
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, name)
        .click();
    settle(harness);
}

/// A team project open in the window: its folder, its path, its records, the window.
type Opened = (
    tempfile::TempDir,
    std::path::PathBuf,
    Vec<RecordId>,
    Harness<'static, ecolens_app::window::Workbench>,
);

/// The team project open in the Screening view, `name` at the keyboard.
fn screening_as(name: &str) -> Opened {
    view_as("Screening", name)
}

/// The team project open in the view whose tab is `tab`, `name` at the keyboard.
fn view_as(tab: &str, name: &str) -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    let records = team_project(&path);
    let mut harness = harness(&path, true);
    harness.get_by_label(tab).click();
    settle(&mut harness);
    be(&mut harness, name);
    (dir, path, records, harness)
}

fn own_votes(path: &Path, name: &str) -> Vec<(RecordId, Decision)> {
    let project = Project::open_existing(path).unwrap();
    let who = project.reviewer_by_name(name).unwrap();
    // What the reviewer sees of their own: every one of their votes, whatever blind mode says.
    let seen = project.visibility(Some(who.id)).unwrap();
    let mut votes = Vec::new();
    for record in project.records().unwrap() {
        for vote in project.screening_votes(record.id, &seen).unwrap() {
            if vote.reviewer == who.id && vote.vote.stage == Stage::TitleAbstract {
                votes.push((vote.record, vote.vote.decision));
            }
        }
    }
    votes
}

/// `name`'s screening queue as the window orders it (the same use case), and its records'
/// titles.
fn queue_of(path: &Path, name: &str) -> Vec<(RecordId, String)> {
    let project = Project::open_existing(path).unwrap();
    let who = project.reviewer_by_name(name).unwrap();
    let mut cache = ecolens_app::service::screening::FeatureCache::default();
    let (queue, _) = ecolens_app::service::screening::ranked_queue(
        &project,
        Some(who.id),
        Stage::TitleAbstract,
        None,
        &[],
        &mut cache,
    )
    .unwrap();
    let titles: std::collections::HashMap<RecordId, String> = project
        .records()
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.record.title))
        .collect();
    queue
        .iter()
        .map(|item| (item.record, titles[&item.record].clone()))
        .collect()
}

/// Whether the control labelled `label` is disabled.
fn disabled(harness: &Harness<'static, ecolens_app::window::Workbench>, label: &str) -> bool {
    harness.get_by_label(label).accesskit_node().is_disabled()
}

/// `name` votes `decision` on `record` at title/abstract, on a connection of its own.
fn vote_as(path: &Path, name: &str, record: RecordId, decision: Decision) {
    let mut project = Project::open_existing(path).unwrap();
    crate::cast_vote(&mut project, name, record, Stage::TitleAbstract, decision);
}

/// `name`'s own title/abstract votes in the order cast.
fn votes_in_order(path: &Path, name: &str) -> Vec<(RecordId, Decision)> {
    let project = Project::open_existing(path).unwrap();
    let who = project.reviewer_by_name(name).unwrap();
    let seen = project.visibility(Some(who.id)).unwrap();
    project
        .own_votes_in_order(Stage::TitleAbstract, &seen)
        .unwrap()
}

#[test]
fn screening_with_keys_votes_moves_on_picks_reasons_classifies_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    team_project(&path);
    let mut harness = harness(&path, true);
    harness.get_by_label("Screening").click();
    settle(&mut harness);
    harness.get_by_label_contains("Choose who you are");
    be(&mut harness, "Emily");
    harness.get_by_label("Record 1 of 47");
    harness.get_by_label("0 screened by Emily, 47 to go");
    // Until Emily has an include and an exclude, the order is the project's seeded random one.
    harness.get_by_label_contains("random order until you have included one record");
    // The stopping panel waits for a first vote.
    harness.get_by_label("· nothing screened yet");
    assert!(
        harness
            .query_by_label_contains("since your last include")
            .is_none()
    );
    let queue = queue_of(&path, "Emily");
    harness.get_by_label(&queue[0].1);
    // Blind: Tomas's vote is not shown, only that something is hidden.
    if queue[0].0 == RecordId(1) {
        harness.get_by_label_contains("hidden by blind mode");
    }

    harness.key_press(egui::Key::I);
    settle(&mut harness);
    harness.get_by_label("Record 2 of 47");
    harness.get_by_label(&queue[1].1);
    // The live curve and the heuristics beside it appear with the first vote.
    harness.get_by_label("0 screened since your last include");
    harness.get_by_label("2 % of the queue screened");
    harness.key_press(egui::Key::X);
    settle(&mut harness);
    harness.get_by_label_contains("Exclude: why?");
    harness.key_press(egui::Key::Num1);
    settle(&mut harness);
    // The model now ranks the records after the card on screen, which stays.
    harness.get_by_label("Record 3 of 47");
    harness.get_by_label(&queue[2].1);
    harness.get_by_label_contains(
        "most relevant first — model trained on 2 of your decisions (1 include, 1 exclude)",
    );
    // The stopping panel follows: core's verdict on Emily's include then exclude of 47.
    let test = ecolens_core::stopping::test(
        &[true, false],
        47,
        ecolens_core::stopping::StoppingRule::default(),
    );
    harness.get_by_label("· 2 screened, 1 included");
    harness.get_by_label("1 screened since your last include");
    harness.get_by_label("4 % of the queue screened");
    harness.get_by_label(&format!("· p = {:.3}", test.p_value.unwrap()));
    harness.get_by_label_contains(&format!(
        "not yet: {} more record(s)",
        test.more_to_draw.unwrap()
    ));
    harness.key_press(egui::Key::M);
    settle(&mut harness);
    harness.get_by_label("3 screened by Emily, 44 to go");
    assert_eq!(
        votes_in_order(&path, "Emily"),
        vec![
            (queue[0].0, Decision::Include),
            (
                queue[1].0,
                Decision::Exclude {
                    reason: Some("not_ai".into())
                }
            ),
            (queue[2].0, Decision::Maybe),
        ]
    );
    // The fourth card is the model's first pick from Emily's include and exclude ("maybe"
    // teaches it nothing).
    let ranked = queue_of(&path, "Emily");
    assert_eq!(&ranked[..3], &queue[..3]);
    harness.get_by_label("Record 4 of 47");
    harness.get_by_label(&ranked[3].1);

    // Undo takes the maybe back and returns to its record.
    harness.key_press(egui::Key::U);
    settle(&mut harness);
    harness.get_by_label("Record 3 of 47");
    harness.get_by_label(&queue[2].1);
    assert_eq!(own_votes(&path, "Emily").len(), 2);

    // Back to the first record; classify it with a key.
    harness.key_press(egui::Key::P);
    harness.key_press(egui::Key::ArrowLeft);
    settle(&mut harness);
    harness.get_by_label("Record 1 of 47");
    harness.key_press(egui::Key::C);
    settle(&mut harness);
    harness.get_by_label_contains("c (No quantitative evaluation");
    let project = Project::open_existing(&path).unwrap();
    let emily = project.reviewer_by_name("Emily").unwrap();
    let classified = project
        .classifications(queue[0].0, &project.visibility(Some(emily.id)).unwrap())
        .unwrap();
    assert_eq!(classified.len(), 1);
    assert_eq!(classified[0].classification.category, EvalCategory::C);
}

/// A reviewer's queue learns from their own votes only: however Tomas votes, Emily's order
/// is the same, blind or not; her own votes change it.
#[test]
fn a_screening_queue_learns_only_from_its_readers_own_votes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    let records = team_project(&path);
    let vote = |name: &str, record: RecordId, decision: Decision| {
        vote_as(&path, name, record, decision);
    };
    vote("Emily", records[3], Decision::Include);
    vote("Emily", records[4], Decision::Exclude { reason: None });
    let before = queue_of(&path, "Emily");
    for (i, record) in records.iter().enumerate().skip(5).take(30) {
        let decision = if i % 3 == 0 {
            Decision::Include
        } else {
            Decision::Exclude { reason: None }
        };
        vote("Tomas", *record, decision);
    }
    assert_eq!(
        queue_of(&path, "Emily"),
        before,
        "Tomas's votes moved Emily's queue"
    );
    // Unblinded, the same: a queue follows its reader's own decisions.
    let mut project = Project::open_existing(&path).unwrap();
    let anne = project.reviewer_by_name("Anne").unwrap();
    project.set_blind(anne.id, false).unwrap();
    drop(project);
    assert_eq!(queue_of(&path, "Emily"), before);
    // Emily's own next votes do change it.
    vote("Emily", before[2].0, Decision::Include);
    vote("Emily", before[3].0, Decision::Exclude { reason: None });
    assert_ne!(queue_of(&path, "Emily")[4..], before[4..]);
}

#[test]
fn the_team_view_adds_a_reviewer_unblinds_resolves_and_shows_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    let records = team_project(&path);
    {
        // Emily disagrees with Tomas on the first record.
        let mut project = Project::open_existing(&path).unwrap();
        let emily = project.reviewer_by_name("Emily").unwrap();
        project
            .set_screening(
                records[0],
                emily.id,
                &ScreeningVote {
                    stage: Stage::TitleAbstract,
                    decision: Decision::Maybe,
                    note: None,
                },
            )
            .unwrap();
        // And they rate the same rebound effect differently.
        let tomas = project.reviewer_by_name("Tomas").unwrap();
        for (who, direction) in [
            (emily.id, Direction::Ambiguous),
            (tomas.id, Direction::IncreasesImpact),
        ] {
            project
                .add_risk(
                    records[1],
                    who,
                    &ReboundRisk {
                        direction: Some(direction),
                        ..ReboundRisk::new(EffectCode::HoRbDir)
                    },
                )
                .unwrap();
        }
    }
    let mut harness = harness(&path, true);
    harness.get_by_label("Team").click();
    settle(&mut harness);
    harness.get_by_label_contains("blind mode is on and hides who voted what");

    // A reviewer is added from the form.
    harness.get_by_label("Name:").focus();
    harness.step();
    harness.get_by_label("Name:").type_text("Sara");
    harness.step();
    harness.get_by_label("Add reviewer").click();
    settle(&mut harness);
    harness.get_by_label("Added reviewer Sara");
    assert!(
        Project::open_existing(&path)
            .unwrap()
            .reviewer_by_name("Sara")
            .is_ok()
    );

    // A reviewer who is not a lead cannot unblind; the lead can.
    be(&mut harness, "Emily");
    assert!(disabled(&harness, "Unblind…"));
    be(&mut harness, "Anne");
    // The lead is asked first; Cancel leaves the project blind.
    harness.get_all_by_label("Unblind…").next().unwrap().click();
    settle(&mut harness);
    harness.get_by_label("Unblind the project?");
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    assert!(
        Project::open_existing(&path)
            .unwrap()
            .review_settings()
            .unwrap()
            .blind
    );
    assert!(harness.query_by_label("Unblind now").is_none());
    harness.get_all_by_label("Unblind…").next().unwrap().click();
    settle(&mut harness);
    harness.get_by_label("Unblind now").click();
    settle(&mut harness);
    assert!(
        !Project::open_existing(&path)
            .unwrap()
            .review_settings()
            .unwrap()
            .blind
    );
    harness.get_by_label("2 conflict(s): 2 open");
    harness.get_by_label("Emily: maybe; Tomas: include");
    harness.get_by_label("Emily x Tomas");

    // Each value's button is named for the reviewer who holds it: the screening conflict's
    // comes first (Tomas voted include).
    harness
        .get_all_by_label("Take Tomas's")
        .next()
        .unwrap()
        .click();
    settle(&mut harness);
    harness.get_by_label("resolved: include");
    let project = Project::open_existing(&path).unwrap();
    assert!(
        project
            .outcome(records[0], &project.visibility(None).unwrap())
            .unwrap()
            .tiab
            .moves_on()
    );
    assert_eq!(
        project
            .screening_votes(records[0], &project.visibility(None).unwrap())
            .unwrap()
            .len(),
        2,
        "votes kept"
    );

    // A risk rating is resolved by taking one reviewer's rating.
    harness.get_by_label("Take Tomas's").click();
    settle(&mut harness);
    let project = Project::open_existing(&path).unwrap();
    let resolution = &project
        .resolutions(records[1], &project.visibility(None).unwrap())
        .unwrap()[0];
    assert_eq!(resolution.subject, Subject::Risk(EffectCode::HoRbDir));
    assert_eq!(
        resolution.value,
        ResolvedValue::Risk(RiskRating {
            direction: Some(Direction::IncreasesImpact),
            ..RiskRating::default()
        })
    );
}

#[test]
fn the_prisma_view_draws_the_flow_from_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    team_project(&path);
    let mut harness = harness(&path, true);
    harness.get_by_label("PRISMA").click();
    settle(&mut harness);
    // While blind the counts follow from everyone's votes: for a lead only.
    harness.get_by_label_contains("choose who you are");
    assert!(
        harness
            .query_by_label_contains("Records identified")
            .is_none()
    );
    harness.get_by_label("Emily").click();
    settle(&mut harness);
    harness.get_by_label_contains("shown only to a lead while blind");
    assert!(
        harness
            .query_by_label_contains("Records identified")
            .is_none()
    );
    harness.get_by_label("Anne").click();
    settle(&mut harness);
    harness.get_by_label("PRISMA 2020 flow diagram");
    harness.get_by_label("Records identified from (n = 47):");
    harness.get_by_label("  bundled:demo-corpus (n = 47)");
    harness.get_by_label("Records screened (n = 1)");
    harness.get_by_label("Reports sought for retrieval (n = 1)");
    harness.get_by_label("Reports not retrieved (n = 1)");
    harness.get_by_label("Studies included in review (n = 0)");
    // The diagram goes to a typed path (no file dialog needed).
    let svg = dir.path().join("flow.svg");
    crate::window::type_into(
        &mut harness,
        "Diagram to write:",
        &svg.display().to_string(),
    );
    harness.get_by_label("Export SVG").click();
    settle(&mut harness);
    let written = std::fs::read_to_string(&svg).unwrap();
    assert!(
        written.starts_with("<svg") && written.contains("47"),
        "{written}"
    );
    assert!(
        harness
            .state()
            .status_line()
            .is_some_and(|(ok, line)| ok && line.contains("flow.svg")),
        "{:?}",
        harness.state().status_line()
    );
}

/// Blind mode in the window follows the same policy as every other path: the status line
/// says what the reviewer at the keyboard did, and is gone when someone else sits down;
/// agreement and conflicts are refused to a reviewer who is not a lead, with the reason;
/// the lead sees agreement while blind, and everything once the project lets leads see all.
#[test]
fn the_status_line_and_the_team_view_follow_who_is_at_the_keyboard() {
    let (_dir, path, _records, mut harness) = screening_as("Anne");
    // Anne thinks maybe of the first record in her queue; Tomas included it.
    let first = queue_of(&path, "Anne")[0].0;
    vote_as(&path, "Tomas", first, Decision::Include);
    harness.key_press(egui::Key::M);
    settle(&mut harness);
    let said = format!("Anne: maybe on record {first}");
    harness.get_by_label(&said);
    assert_eq!(harness.state().status_line(), Some((true, said.clone())));
    // Emily sits down: Anne's vote is not hers to read, on the status line or anywhere.
    be(&mut harness, "Emily");
    assert_eq!(harness.state().status_line(), None);
    assert!(harness.query_by_label_contains("Anne: maybe").is_none());
    harness.get_by_label("0 screened by Emily, 47 to go");

    // The Team view as Emily: agreement and conflicts are refused, saying why.
    harness.get_by_label("Team").click();
    settle(&mut harness);
    harness.get_by_label_contains(
        "blind mode is on and hides agreement between reviewers (shown only to a lead while blind)",
    );
    harness.get_by_label_contains("the list of conflicts (hidden until a lead unblinds");
    assert!(harness.query_by_label("Cohen's k").is_none());
    // As Anne, a lead: agreement is hers to see while blind; conflicts still wait.
    be(&mut harness, "Anne");
    harness.get_by_label("Cohen's k");
    harness.get_by_label("Anne x Tomas");
    harness.get_by_label_contains("hidden until a lead unblinds");
    // Leads see all: the conflict between Anne and Tomas shows, to Anne only.
    harness.get_by_label("Leads see all").click();
    settle(&mut harness);
    harness.get_by_label("1 conflict(s): 1 open");
    be(&mut harness, "Emily");
    harness.get_by_label_contains("hidden until a lead unblinds");
    assert!(harness.query_by_label_contains("conflict(s)").is_none());
}

/// A key pressed while a dialog or help is open belongs to it: I does not vote on the card
/// behind the Export dialog, Escape closes the dialog, and then I votes again.
#[test]
fn screening_keys_wait_while_a_dialog_is_open() {
    let (_dir, path, _records, mut harness) = screening_as("Emily");
    let first = queue_of(&path, "Emily")[0].0;
    for open in ["Export…", "Import…"] {
        harness.get_by_label(open).click();
        settle(&mut harness);
        harness.key_press(egui::Key::I);
        settle(&mut harness);
        assert!(
            own_votes(&path, "Emily").is_empty(),
            "I voted behind {open}"
        );
        harness.key_press(egui::Key::Escape);
        settle(&mut harness);
    }
    harness.key_press(egui::Key::F1);
    settle(&mut harness);
    harness.key_press(egui::Key::I);
    settle(&mut harness);
    assert!(own_votes(&path, "Emily").is_empty(), "I voted behind help");
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    harness.key_press(egui::Key::I);
    settle(&mut harness);
    assert_eq!(own_votes(&path, "Emily"), [(first, Decision::Include)]);
}

/// Enter in the name field adds the reviewer; while conflicts are hidden, the lead gets the
/// buttons that show them right there (no command to type).
#[test]
fn the_team_view_adds_on_enter_and_offers_the_way_to_conflicts() {
    let (_dir, path, _records, mut harness) = view_as("Team", "Anne");
    crate::window::type_into(&mut harness, "Name:", "Zoe");
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let project = Project::open_existing(&path).unwrap();
    assert!(project.reviewer_by_name("Zoe").is_ok());

    harness.get_by_label_contains("the list of conflicts (hidden until a lead unblinds");
    harness.get_by_label("Let leads see all").click();
    settle(&mut harness);
    let settings = Project::open_existing(&path)
        .unwrap()
        .review_settings()
        .unwrap();
    assert!(settings.blind && settings.leads_see_all);
    harness.get_by_label_contains("conflict(s):");
}

/// The record being judged reads well: its abstract at full contrast in lines of about 100
/// characters, not the window's width; picking an exclusion reason does not move it.
#[test]
fn the_screening_card_keeps_a_reading_measure_and_the_picker_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    let ris = dir.path().join("one.ris");
    let abstract_text = "Machine learning is increasingly proposed to cut the energy use of \
        buildings, yet the energy and materials of the learning systems themselves are rarely \
        counted. We model a heating and cooling controller for an office building over one \
        year and compare it with the rule-based controller it replaces, including training, \
        inference and the sensors installed for it. The net saving depends on the occupancy \
        pattern and the grid mix; in a low-carbon grid the sensors' manufacture dominates.";
    std::fs::write(
        &ris,
        format!("TY  - JOUR\nTI  - Learning to heat\nAU  - Doe, Jane\nPY  - 2024\nAB  - {abstract_text}\nER  - \n"),
    )
    .unwrap();
    for args in [
        vec!["import", ris.to_str().unwrap()],
        vec!["reviewer", "add", "Anne", "--lead"],
    ] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_ecolens"))
            .args(&args)
            .args(["--project", path.to_str().unwrap(), "--no-demo"])
            .env("ECOLENS_DATA_DIR", dir.path())
            .env_remove("ECOLENS_REVIEWER")
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
    }
    let mut harness = crate::window::harness_sized(&path, false, egui::Vec2::new(1600.0, 1000.0));
    harness.get_by_label("Screening").click();
    settle(&mut harness);
    be(&mut harness, "Anne");
    let text = harness.get_by_label(abstract_text).rect();
    // About 100 characters of body text at egui's default size: well under the 1600 px window.
    assert!(text.width() < 800.0, "{text:?}");
    let title = harness.get_by_label("Learning to heat").rect();
    harness.key_press(egui::Key::X);
    settle(&mut harness);
    harness.get_by_label_contains("Exclude: why?");
    assert_eq!(harness.get_by_label("Learning to heat").rect(), title);
    assert_eq!(harness.get_by_label(abstract_text).rect(), text);
}

/// A lead sets the screening order and the stopping rule in the Team view; the Screening view
/// follows, and a reviewer who is not a lead cannot change it.
#[test]
fn a_lead_sets_the_screening_order_in_the_team_view() {
    let (_dir, path, _records, mut harness) = view_as("Team", "Emily");
    assert!(disabled(&harness, "Apply order"));
    be(&mut harness, "Anne");
    // Nothing changed yet: nothing to apply.
    assert!(disabled(&harness, "Apply order"));
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Screening order:")
        .click();
    settle(&mut harness);
    harness.get_by_label("import order").click();
    settle(&mut harness);
    harness.get_by_label("Apply order").click();
    settle(&mut harness);
    let settings = Project::open_existing(&path)
        .unwrap()
        .priority_settings()
        .unwrap();
    assert_eq!(settings.order, ecolens_core::priority::QueueOrder::Import);
    harness.get_by_label_contains("Screening order: import order (seed 0)");
    harness.get_by_label("Screening").click();
    settle(&mut harness);
    harness.get_by_label("import order");
    // In import order, the first record is the first imported.
    let first = queue_of(&path, "Anne")[0].clone();
    assert_eq!(first.0, RecordId(1));
    harness.get_by_label(&first.1);
}

/// S skips the record on screen for now: the next one takes its place, and the skipped one
/// waits at the end of the queue.
#[test]
fn a_skipped_record_comes_back_at_the_end_of_the_queue() {
    let (_dir, path, _records, mut harness) = screening_as("Emily");
    let queue = queue_of(&path, "Emily");
    harness.get_by_label("Record 1 of 47");
    harness.get_by_label(&queue[0].1);
    harness.key_press(egui::Key::S);
    settle(&mut harness);
    harness.get_by_label_contains("comes back at the end of the queue");
    harness.get_by_label("Record 1 of 47");
    harness.get_by_label(&queue[1].1);
    for _ in 0..46 {
        harness.key_press(egui::Key::N);
    }
    settle(&mut harness);
    harness.get_by_label("Record 47 of 47");
    harness.get_by_label(&queue[0].1);
    // Nothing was voted.
    assert!(own_votes(&path, "Emily").is_empty());
}

/// Any reviewer sets the words the card highlights (include green, exclude red); they are the
/// project's, shown to everyone.
#[test]
fn reviewers_set_the_words_the_screening_card_highlights() {
    let (_dir, path, _records, mut harness) = screening_as("Emily");
    harness.get_by_label("no words yet");
    harness.get_by_label("Edit words…").click();
    settle(&mut harness);
    crate::window::type_into(&mut harness, "Include terms:", "energy, deep learning");
    crate::window::type_into(&mut harness, "Exclude terms:", "dinosaur*");
    harness.get_by_label("Save words").click();
    settle(&mut harness);
    let terms = Project::open_existing(&path)
        .unwrap()
        .highlight_terms()
        .unwrap();
    assert_eq!(terms.include, ["energy", "deep learning"]);
    assert_eq!(terms.exclude, ["dinosaur*"]);
    harness.get_by_label("deep learning");
    harness.get_by_label("dinosaur*");
    be(&mut harness, "Tomas");
    harness.get_by_label("dinosaur*");
}

/// A lead ticks "Known include" on a card; the record then opens Emily's queue, which the
/// model cannot rank yet, and Emily sees that the lead picked it but cannot change it.
#[test]
fn a_lead_picks_a_known_include_on_the_card_and_it_opens_the_other_queues() {
    let (_dir, path, _records, mut harness) = screening_as("Anne");
    let anne_queue = queue_of(&path, "Anne");
    let emily_before = queue_of(&path, "Emily");
    // The record on Anne's card, not the one opening Emily's queue.
    let picked = anne_queue
        .iter()
        .find(|(id, _)| *id != emily_before[0].0)
        .map(|(id, title)| (*id, title.clone()))
        .unwrap();
    while harness.query_by_label(&picked.1).is_none() {
        harness.key_press(egui::Key::ArrowRight);
        settle(&mut harness);
    }
    harness.get_by_label("Known include").click();
    settle(&mut harness);
    assert_eq!(
        Project::open_existing(&path)
            .unwrap()
            .known_includes()
            .unwrap(),
        [picked.0]
    );
    harness.get_by_label_contains("Known includes: 1 record(s)");
    let emily_after = queue_of(&path, "Emily");
    assert_eq!(emily_after[0].0, picked.0);
    be(&mut harness, "Emily");
    harness.get_by_label(&picked.1);
    harness.get_by_label_contains("the lead's 1 known include(s) first");
    harness.get_by_label("Known include, picked by the lead");
    assert!(harness.query_by_label("Known include").is_none());
}
