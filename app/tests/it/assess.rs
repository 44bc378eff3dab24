//! The classification panel, the rebound register and the team's bundles and audit log, driven
//! like a user: answer the scale's questions, drag across the abstract to quote it, tick
//! labels, build a consequence tree through the risk form, export it, exchange bundles. Each
//! test checks what the project (or the written file) holds afterwards.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ecolens_app::service::project::open as open_project;
use ecolens_core::{Decision, Project, QuoteField, ReboundRisk, RecordId, Stage, StoredRisk};
use ecolens_corpus::import::{ImportOptions, import_paths};
use ecolens_taxonomy::{Direction, EffectCode, EvalCategory, MechanismResource};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::review::be;
use crate::window::{harness, settle, type_into};

type Window = Harness<'static, ecolens_app::window::Workbench>;

const TIME_LAPSE: &str = "Time lapse: A glimpse into prehistoric genomics.";

fn vote(project: &mut Project, record: RecordId, name: &str, stage: Stage) {
    crate::cast_vote(project, name, record, stage, Decision::Include);
}

/// The demo project plus the MEDLINE fixture (records with abstracts); Anne (lead) included
/// the "Time lapse" record at both stages, so it waits for classification.
fn classify_project(path: &Path) -> RecordId {
    let mut project = open_project(path, true).unwrap().project;
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/bibliographies/pubmed_medline_baseline.ris");
    let cancel = AtomicBool::new(false);
    import_paths(
        &mut project,
        &[fixture],
        &ImportOptions {
            threads: 1,
            cancel: &cancel,
            progress: &|_| {},
            labels_as_votes: false,
            pdf: None,
            again: false,
        },
    )
    .unwrap();
    project.add_reviewer("Anne", true).unwrap();
    project.add_reviewer("Emily", false).unwrap();
    let record = project
        .records()
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .find(|id| project.record(*id).unwrap().record.title == TIME_LAPSE)
        .unwrap();
    vote(&mut project, record, "Anne", Stage::TitleAbstract);
    vote(&mut project, record, "Anne", Stage::FullText);
    record
}

/// Presses the mouse at `from`, moves to `to` over a few frames and releases: a text selection.
fn drag(harness: &mut Window, from: egui::Pos2, to: egui::Pos2) {
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    harness.event(egui::Event::PointerMoved(from));
    harness.step();
    harness.event(button(from, true));
    harness.step();
    for step in 1..=4 {
        #[allow(clippy::cast_precision_loss)]
        let at = from + (to - from) * (step as f32 / 4.0);
        harness.event(egui::Event::PointerMoved(at));
        harness.step();
    }
    harness.event(button(to, false));
    harness.step();
}

#[test]
fn the_classify_view_walks_the_questions_quotes_a_selection_and_labels_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("classify.ecolens");
    let record = classify_project(&path);
    let abstract_text = Project::open_existing(&path)
        .unwrap()
        .record(record)
        .unwrap()
        .record
        .abstract_text
        .unwrap();

    let mut harness = harness(&path, false);
    harness.get_by_label("Classify").click();
    settle(&mut harness);
    be(&mut harness, "Anne");
    harness.get_by_label("To classify: 0 of 1 done");
    harness.get_by_label(TIME_LAPSE);

    // The questions come one at a time; the first "no" decides.
    assert!(
        harness
            .query_by_label_contains("2. Does it go beyond")
            .is_none()
    );
    harness.get_by_label("Yes (Y)").click();
    harness.step();
    harness.get_by_label_contains("2. Does it go beyond");
    // The keys answer the question waiting: Y, then N to question 3 …
    harness.key_press(egui::Key::Y);
    harness.step();
    harness.get_by_label_contains("3. Is the gain evaluated quantitatively");
    harness.key_press(egui::Key::N);
    harness.step();
    harness.get_by_label("Category c: No quantitative evaluation or only indirect estimation.");
    // … Backspace takes it back, D sets the category directly, and an earlier answer is
    // changed by clicking it (question 2's "No").
    harness.key_press(egui::Key::Backspace);
    harness.step();
    harness.get_by_label("No (N)");
    harness.key_press(egui::Key::D);
    harness.step();
    harness.get_by_label_contains("Category d:");
    harness.get_all_by_label("No").nth(1).unwrap().click();
    harness.step();
    assert!(
        harness
            .query_by_label_contains("3. Is the gain evaluated")
            .is_none()
    );
    harness.get_by_label("Category b: General mention of the environmental gain.");

    // Nothing selected yet: the quote button waits for a selection.
    assert!(
        harness
            .get_by_label("Quote selection")
            .accesskit_node()
            .is_disabled()
    );
    let text_rect = harness.get_by_value(&abstract_text).rect();
    let start = text_rect.min + egui::vec2(12.0, 9.0);
    drag(&mut harness, start, start + egui::vec2(260.0, 0.0));
    harness.get_by_label("Quote selection").click();
    harness.step();
    type_into(
        &mut harness,
        "Rationale:",
        "A general statement, no estimate.",
    );
    // Ctrl+S saves; nothing on the form moves when it does.
    let before = harness.get_by_label("Rationale:").rect();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    settle(&mut harness);
    harness.get_by_label("To classify: 1 of 1 done");
    harness.get_by_label("saved: b");
    assert_eq!(harness.get_by_label("Rationale:").rect(), before);

    let project = Project::open_existing(&path).unwrap();
    let anne = project.reviewer_by_name("Anne").unwrap();
    let stored = project
        .classifications(record, &project.visibility(Some(anne.id)).unwrap())
        .unwrap()
        .into_iter()
        .find(|c| c.reviewer == anne.id)
        .unwrap()
        .classification;
    assert_eq!(stored.category, EvalCategory::B);
    assert_eq!(stored.answers, vec![true, false]);
    assert_eq!(
        stored.rationale.as_deref(),
        Some("A general statement, no estimate.")
    );
    assert_eq!(stored.evidence.len(), 1);
    let quote = &stored.evidence[0];
    assert_eq!(quote.field, QuoteField::Abstract);
    let (from, to) = (quote.start.unwrap(), quote.end.unwrap());
    let expected: String = abstract_text.chars().skip(from).take(to - from).collect();
    assert_eq!(quote.text, expected);
    assert!(
        quote.text.chars().count() >= 20 && from < 5,
        "a drag across the first line quotes its start: {quote:?}"
    );
    drop(project);

    // Labels: one click, one write.
    harness.get_by_label("Electricity systems").click();
    settle(&mut harness);
    let project = Project::open_existing(&path).unwrap();
    let anne = project.reviewer_by_name("Anne").unwrap();
    let labels: Vec<(String, String)> = project
        .record_labels(record, &project.visibility(Some(anne.id)).unwrap())
        .unwrap()
        .into_iter()
        .map(|l| (l.vocabulary, l.code))
        .collect();
    assert_eq!(
        labels,
        vec![(
            "rolnick-domain".to_owned(),
            "electricity_systems".to_owned()
        )]
    );
    drop(project);

    // Emily, blind, starts from an empty form on the same record and sees nothing of Anne's.
    be(&mut harness, "Emily");
    harness.get_by_label("To classify: 0 of 1 done");
    harness.get_by_label_contains("hidden by blind mode");
    assert!(harness.query_by_label("saved: b").is_none());
    assert!(harness.query_by_label_contains("Category b").is_none());
    assert!(
        harness
            .query_by_label_contains("2. Does it go beyond")
            .is_none()
    );
}

/// The demo project with Anne (lead) and one risk of hers on the first record.
fn rebound_project(path: &Path) -> (RecordId, StoredRisk) {
    let mut project = open_project(path, true).unwrap().project;
    let anne = project.add_reviewer("Anne", true).unwrap();
    let record = project.records().unwrap()[0].id;
    let risk = project
        .add_risk(
            record,
            anne.id,
            &ReboundRisk {
                direction: Some(Direction::IncreasesImpact),
                mechanism: "GPU hours of training".into(),
                ..ReboundRisk::new(EffectCode::FoUse)
            },
        )
        .unwrap();
    (record, risk)
}

#[test]
fn the_rebound_register_builds_a_consequence_tree_and_exports_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rebound.ecolens");
    let (record, first) = rebound_project(&path);

    let mut harness = harness(&path, false);
    harness.get_by_label("Rebound").click();
    settle(&mut harness);
    be(&mut harness, "Anne");
    harness.get_by_label("Register: 1 risks on 1 records");
    harness.get_by_label_contains("FO.USE Operational");

    // A second-order effect under the first: the form with every rating field.
    harness.get_by_label("Add effect below").click();
    harness.step();
    harness.get_by_label_contains("Follows from: FO.USE");
    harness.get_by_label("Effect").click();
    harness.step();
    harness.step();
    harness.get_by_label("Direct rebound").click();
    harness.step();
    type_into(
        &mut harness,
        "Mechanism",
        "cheaper training invites more training",
    );
    for (field, choice) in [
        ("Mechanism resource", "Money"),
        ("Direction", "Increases impact"),
        ("Confidence", "Medium"),
    ] {
        harness.get_by_label(field).click();
        harness.step();
        harness.step();
        harness.get_by_label(choice).click();
        harness.step();
    }
    harness.get_by_label("Global warming potential").click();
    type_into(&mut harness, "Rebound (%)", "forty");
    harness.get_by_label("Save risk").click();
    settle(&mut harness);
    // A number that is not one is refused before anything is written.
    harness.get_by_label_contains("Rebound (%) must be a number");
    assert_eq!(crate::read(&path, |p, seen| p.risks(record, seen)).len(), 1);
    type_into(&mut harness, "Rebound (%)", "40");
    harness.get_by_label("Save risk").click();
    settle(&mut harness);
    harness.get_by_label("Register: 2 risks on 1 records");
    harness.get_by_label_contains("HO.RB.DIR Direct rebound");
    harness.get_by_label("|  via money: cheaper training invites more training");

    let risks = crate::read(&path, |p, seen| p.risks(record, seen));
    assert_eq!(risks.len(), 2);
    let second = &risks[1].risk;
    assert_eq!(second.effect, EffectCode::HoRbDir);
    assert_eq!(second.parent, Some(first.id));
    assert_eq!(second.mechanism, "cheaper training invites more training");
    assert_eq!(second.mechanism_resource, Some(MechanismResource::Money));
    assert_eq!(second.direction, Some(Direction::IncreasesImpact));
    assert_eq!(second.rebound_percent, Some(40.0));
    assert_eq!(second.criteria.len(), 1);

    // The root: what is deployed, and where.
    type_into(
        &mut harness,
        "Solution deployed:",
        "Transformer training for NLP",
    );
    harness.get_by_label("Set root").click();
    settle(&mut harness);
    harness.get_by_label("Deploy Transformer training for NLP");

    // Export as JSON, then as SVG.
    let json_path = dir.path().join("tree.json");
    type_into(&mut harness, "Export to:", &json_path.display().to_string());
    harness.get_by_label("Export tree").click();
    settle(&mut harness);
    let tree: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(tree["root"]["solution"], "Transformer training for NLP");
    assert_eq!(tree["children"][0]["effect"], "FO.USE");
    assert_eq!(tree["children"][0]["children"][0]["effect"], "HO.RB.DIR");
    assert_eq!(tree["children"][0]["children"][0]["edge_resource"], "money");
    let svg_path = dir.path().join("tree.svg");
    type_into(&mut harness, "Export to:", &svg_path.display().to_string());
    harness.get_by_label("Export tree").click();
    settle(&mut harness);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains("<svg") && svg.contains("HO.RB.DIR"));

    // Only a leaf can go: delete the rebound again.
    harness.get_by_label("Delete").click();
    settle(&mut harness);
    harness.get_by_label("Register: 1 risks on 1 records");
    assert_eq!(crate::read(&path, |p, seen| p.risks(record, seen)).len(), 1);
}

#[test]
fn the_team_view_exchanges_bundles_and_undoes_from_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let main_path = dir.path().join("main.ecolens");
    let record = {
        let mut project = open_project(&main_path, true).unwrap().project;
        project.add_reviewer("Anne", true).unwrap();
        project.add_reviewer("Emily", false).unwrap();
        project.records().unwrap()[1].id
    };
    // Emily works on a copy and sends her bundle.
    let copy = dir.path().join("emily.ecolens");
    std::fs::copy(&main_path, &copy).unwrap();
    let bundle_path = dir.path().join("emily.json");
    {
        let mut project = Project::open_existing(&copy).unwrap();
        vote(&mut project, record, "Emily", Stage::TitleAbstract);
    }

    let mut harness = harness(&copy, false);
    harness.get_by_label("Team").click();
    settle(&mut harness);
    be(&mut harness, "Emily");
    type_into(
        &mut harness,
        "Bundle to write:",
        &bundle_path.display().to_string(),
    );
    harness.get_by_label("Export my bundle").click();
    settle(&mut harness);
    harness.get_by_label_contains("Emily's bundle written to");
    drop(harness);
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle_path).unwrap()).unwrap();
    assert_eq!(bundle["format"], "ecolens-decision-bundle");
    assert_eq!(bundle["votes"].as_array().unwrap().len(), 1);

    // The lead imports it into the main project, twice.
    let mut harness = crate::window::harness(&main_path, false);
    harness.get_by_label("Team").click();
    settle(&mut harness);
    be(&mut harness, "Anne");
    for _ in 0..2 {
        type_into(
            &mut harness,
            "Bundle to import:",
            &bundle_path.display().to_string(),
        );
        harness.get_by_label("Import bundle").click();
        settle(&mut harness);
    }
    harness.get_by_label("Emily: this bundle was imported before; nothing changed");
    // Emily's vote came in with her bundle (read as Emily: blind mode hides it from others).
    let votes = crate::read_as(&main_path, "Emily", |p, seen| {
        p.screening_votes(record, seen)
    });
    assert_eq!(votes.len(), 1);

    // The audit log lists the imported vote: while blind, Anne reads that Emily changed a
    // vote on the record, not what it was. Once unblinded, she reads it whole.
    harness.get_by_label(&format!(
        "added a screening vote on record {record} (what it says is hidden by blind mode)"
    ));
    harness.get_all_by_label("Unblind…").next().unwrap().click();
    settle(&mut harness);
    harness.get_by_label("Unblind now").click();
    settle(&mut harness);
    // Unblinded, the entry says what the vote was, in words (no internal key).
    harness.get_by_label_contains(&format!(
        "added screening vote on record {record} (title/abstract): "
    ));
    assert!(
        harness
            .query_by_label_contains(&format!("record {record} reviewer"))
            .is_none()
    );
    // Anne's own last change can be undone from here.
    assert!(
        !Project::open_existing(&main_path)
            .unwrap()
            .review_settings()
            .unwrap()
            .blind
    );
    harness.get_by_label("Undo my last change").click();
    settle(&mut harness);
    assert!(
        Project::open_existing(&main_path)
            .unwrap()
            .review_settings()
            .unwrap()
            .blind
    );
    harness.get_all_by_label("Unblind…").next().unwrap();
}
