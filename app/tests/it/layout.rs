//! The window on a laptop's 1024×700: every tab, with a team at work on a record, keeps every
//! control and every line of text inside the window's width (a wide table or tree may scroll
//! sideways; nothing may be cut off where no scroll bar reaches it).

use std::path::Path;
use std::process::Command;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::review::be;
use crate::window::{harness_sized, search, settle};

const DOI: &str = "10.3390/su14095172";

/// The demo project with Anne (lead) and Bob at work on Ligozat et al.: votes and categories
/// that disagree, a risk, a measured trace and a stored LCA scenario, unblinded.
fn team_at_work(dir: &Path) -> std::path::PathBuf {
    let project = dir.join("review.ecolens");
    let trace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces/zeus/V100+resnet50+gpu0.csv");
    let steps: [&[&str]; 11] = [
        &["demo"],
        &["reviewer", "add", "Anne", "--lead"],
        &["reviewer", "add", "Bob"],
        &[
            "screen",
            DOI,
            "--stage",
            "tiab",
            "--decision",
            "include",
            "--reviewer",
            "Anne",
        ],
        &[
            "screen",
            DOI,
            "--stage",
            "tiab",
            "--decision",
            "exclude",
            "--reason",
            "not_ai",
            "--reviewer",
            "Bob",
        ],
        &[
            "classify",
            DOI,
            "--category",
            "d",
            "--reviewer",
            "Anne",
            "--rationale",
            "Energy gains are estimated; the footprint of the AI itself is not counted anywhere in the paper.",
        ],
        &["classify", DOI, "--category", "c", "--reviewer", "Bob"],
        &[
            "risk",
            "add",
            DOI,
            "--effect",
            "HO.RB.DIR",
            "--reviewer",
            "Anne",
            "--direction",
            "increases_impact",
            "--resource",
            "money",
        ],
        &["blind", "off", "--reviewer", "Anne"],
        &["trace", "attach", DOI, trace.to_str().unwrap()],
        &[
            "lca",
            "example:smart-building",
            "--record",
            DOI,
            "--runs",
            "200",
        ],
    ];
    for args in steps {
        let output = Command::new(env!("CARGO_BIN_EXE_ecolens"))
            .args(args)
            .arg("--project")
            .arg(&project)
            .env("ECOLENS_DATA_DIR", dir)
            .env_remove("ECOLENS_REVIEWER")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    project
}

/// Every node a user reads or uses that reaches past the window's right edge, with where.
fn cut_off(harness: &Harness<'static, ecolens_app::window::Workbench>, width: f32) -> Vec<String> {
    use egui::accesskit::Role;
    harness
        .query_all_by(|node| {
            matches!(
                node.role(),
                Role::Button
                    | Role::CheckBox
                    | Role::RadioButton
                    | Role::TextInput
                    | Role::MultilineTextInput
                    | Role::ComboBox
                    | Role::Label
            )
        })
        .filter(|node| node.rect().max.x > width + 0.5 || node.rect().min.x < -0.5)
        .map(|node| {
            format!(
                "{:?} {:?} at x {:.0}..{:.0}",
                node.accesskit_node().role(),
                node.accesskit_node()
                    .label()
                    .or_else(|| node.accesskit_node().value())
                    .unwrap_or_default(),
                node.rect().min.x,
                node.rect().max.x
            )
        })
        .collect()
}

#[test]
fn every_tab_fits_a_1024_by_700_window() {
    let dir = tempfile::tempdir().unwrap();
    let project = team_at_work(dir.path());
    let size = egui::Vec2::new(1024.0, 700.0);
    let mut harness = harness_sized(&project, true, size);
    be(&mut harness, "Anne");
    search(&mut harness, &format!("doi:{DOI}"));
    harness.key_press(egui::Key::ArrowDown);
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);

    let mut problems = Vec::new();
    let mut look = |harness: &mut Harness<'static, ecolens_app::window::Workbench>, place: &str| {
        settle(harness);
        for cut in cut_off(harness, size.x) {
            problems.push(format!("{place}: {cut}"));
        }
    };
    look(&mut harness, "Library with the record open");
    // The record editor: every field reachable, Save and Cancel on screen.
    harness.get_by_label("Edit").click();
    look(&mut harness, "Record editor");
    for button in ["Save", "Cancel"] {
        let rect = harness.get_by_label(button).rect();
        assert!(
            rect.max.y <= size.y,
            "the record editor's {button} is below the window, at y {:.0}",
            rect.max.y
        );
    }
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    for view in ecolens_app::window::View::ALL.iter().skip(1) {
        harness
            .get_all_by_label(view.label())
            .next()
            .unwrap()
            .click();
        look(&mut harness, view.label());
    }
    harness.get_all_by_label("Assess").next().unwrap().click();
    settle(&mut harness);
    // The record in the Assess tab's list (the title is also the open record's heading).
    harness
        .get_all_by_label_contains("Unraveling the Hidden Environmental")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the record in the Assess list")
        .click();
    for part in ["Traces", "Estimate", "Scenario", "Summary"] {
        harness.get_by_label(part).click();
        look(&mut harness, &format!("Assess, {part}"));
    }
    // A scenario evaluated: the editor, the result table, its sentences and the plots.
    harness.get_by_label("Scenario").click();
    settle(&mut harness);
    harness.get_by_label("New scenario").click();
    harness.step();
    harness.step();
    harness.get_by_label("From example smart-building").click();
    settle(&mut harness);
    crate::window::type_into(&mut harness, "Runs", "500");
    harness.get_by_label("Evaluate").click();
    settle(&mut harness);
    assert!(
        harness.state().tabs.assess.result.is_some(),
        "not evaluated"
    );
    look(&mut harness, "Assess, Scenario evaluated");
    assert!(
        problems.is_empty(),
        "cut off at 1024×700:\n{}",
        problems.join("\n")
    );
}

/// People read names, not the codes projects store: the register, the risk card, the
/// conflicts, the audit log and the status line say "Direct rebound", "Increases impact",
/// the exclusion reason's name, "set blind mode: off".
#[test]
fn the_window_names_what_projects_store_as_codes() {
    let dir = tempfile::tempdir().unwrap();
    let project = team_at_work(dir.path());
    let mut harness = harness_sized(&project, true, egui::Vec2::new(1280.0, 800.0));
    be(&mut harness, "Anne");
    search(&mut harness, &format!("doi:{DOI}"));
    harness.key_press(egui::Key::ArrowDown);
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);

    harness.get_by_label("Rebound").click();
    settle(&mut harness);
    harness.get_by_label("Direct rebound (HO.RB.DIR): 1");
    harness.get_by_label("Increases impact: 1");
    harness.get_by_label("no domain: 1");
    harness.get_by_label_contains("Increases impact, by Anne");
    assert!(
        harness
            .query_by_label_contains("increases_impact")
            .is_none()
    );

    harness.get_by_label("Team").click();
    settle(&mut harness);
    harness.get_by_label("Anne: include; Bob: exclude (No AI or machine-learning method)");
    harness.get_by_label("set blind mode: off");
    for code in [
        "not_ai",
        "reviewer reviewer",
        "review.blind",
        "record 32 reviewer",
    ] {
        assert!(
            harness.query_by_label_contains(code).is_none(),
            "{code} shown in the Team view"
        );
    }
    // A lead takes a value by the reviewer who holds it; the status line names the reason.
    // The screening conflict comes first, then the a–f one.
    harness
        .get_all_by_label("Take Bob's")
        .next()
        .unwrap()
        .click();
    settle(&mut harness);
    harness.get_by_label_contains("resolved as exclude (No AI or machine-learning method)");
}

/// A stored scenario reopens with its result, above its form, without pressing Evaluate.
#[test]
fn a_stored_scenario_reopens_with_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let project = team_at_work(dir.path());
    let mut harness = harness_sized(&project, true, egui::Vec2::new(1280.0, 800.0));
    be(&mut harness, "Anne");
    harness.get_all_by_label("Assess").next().unwrap().click();
    settle(&mut harness);
    harness
        .get_all_by_label_contains("Unraveling the Hidden Environmental")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::Button)
        .unwrap()
        .click();
    settle(&mut harness);
    harness.get_by_label("Scenario").click();
    settle(&mut harness);
    harness.get_by_value("Open a scenario…").click();
    harness.step();
    harness.step();
    harness
        .get_by_label("AI HVAC controller for an office building")
        .click();
    settle(&mut harness);
    let result = harness
        .state()
        .tabs
        .assess
        .result
        .clone()
        .expect("evaluated on opening");
    assert_eq!(
        result.scenario.name,
        "AI HVAC controller for an office building"
    );
    // The result comes first: its heading is above the form's first field.
    let heading = harness.get_by_label("Result").rect();
    let form = harness.get_by_label("Scenario name").rect();
    assert!(heading.max.y < form.min.y, "{heading:?} {form:?}");
}

/// A view taller than the window scrolls, and the lists inside it keep their height (the
/// audit log shrank to the three rows left at the window's bottom, and the Team view did not
/// scroll at all).
#[test]
fn the_team_view_scrolls_to_a_whole_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let project = team_at_work(dir.path());
    let mut harness = harness_sized(&project, true, egui::Vec2::new(1280.0, 800.0));
    be(&mut harness, "Anne");
    harness.get_by_label("Team").click();
    settle(&mut harness);
    let before = harness.get_by_label("Undo my last change").rect();
    harness.hover_at(egui::pos2(1000.0, 470.0));
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, -20.0),
        modifiers: egui::Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    settle(&mut harness);
    let after = harness.get_by_label("Undo my last change").rect();
    assert!(after.min.y < before.min.y - 50.0, "{before:?} {after:?}");
    // The log shows eight entries or more at once.
    let rows = harness
        .query_all_by_label_contains(" UTC")
        .filter(|n| n.rect().max.y <= 800.0)
        .count();
    assert!(rows >= 8, "{rows} audit rows in view");
}
