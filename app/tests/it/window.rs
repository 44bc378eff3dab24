//! The workbench window, driven like a user with `egui_kittest`: find things by their label,
//! click them, and check what the window and the project show afterwards.

use ecolens_app::window::Workbench;
use ecolens_core::Project;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn demo_project() -> Project {
    let mut project = Project::open_in_memory().unwrap();
    ecolens_corpus::demo::install_demo(&mut project).unwrap();
    project
}

fn harness(project: Project) -> Harness<'static, Workbench> {
    Harness::builder()
        .with_size(egui::Vec2::new(1200.0, 760.0))
        .build_eframe(|_cc| Workbench::new(project).unwrap())
}

#[test]
fn the_window_lists_the_demo_corpus() {
    let harness = harness(demo_project());
    harness.get_by_label("47 records");
    assert_eq!(harness.state().rows().len(), 47);
    // The first rows are visible with their columns.
    harness.get_by_label("Energy and Policy Considerations for Deep Learning in NLP");
    harness.get_by_label("Strubell et al.");
    harness.get_by_label("Green AI");
    harness.get_by_label("Communications of the ACM");
    assert!(harness.state().selected().is_none());
}

#[test]
fn clicking_a_title_opens_the_record_with_identifiers_and_provenance() {
    let mut harness = harness(demo_project());
    harness.get_by_label("Green AI").click();
    harness.run();

    let selected = harness.state().selected().expect("a record is open");
    assert_eq!(selected.record.title, "Green AI");
    // Identifiers are links; provenance names the file, line and key.
    harness.get_by_label("10.1145/3381831");
    harness.get_by_label("1907.10597");
    harness.get_by_label("Schwartz, Roy; Dodge, Jesse; Smith, Noah A.; Etzioni, Oren");
    harness.get_by_label_contains("bundled:demo-corpus (csl-json), line ");
    harness.get_by_label_contains("key schwartz2020");

    harness.get_by_label("Close").click();
    harness.run();
    assert!(harness.state().selected().is_none());
    assert!(harness.query_by_label("10.1145/3381831").is_none());
}

#[test]
fn clicking_another_row_switches_and_clicking_it_again_closes() {
    let mut harness = harness(demo_project());
    harness.get_by_label("Green AI").click();
    harness.run();
    harness
        .get_by_label("Energy and Policy Considerations for Deep Learning in NLP")
        .click();
    harness.run();
    assert_eq!(
        harness.state().selected().map(|r| r.record.title.as_str()),
        Some("Energy and Policy Considerations for Deep Learning in NLP")
    );
    harness.get_by_label("10.18653/v1/P19-1355");
    // Clicking the selected row again closes it; any cell of the row will do.
    harness.get_by_label("Strubell et al.").click();
    harness.run();
    assert!(harness.state().selected().is_none());
}

#[test]
fn a_click_anywhere_on_a_row_selects_it() {
    let mut harness = harness(demo_project());
    harness.get_by_label("Communications of the ACM").click();
    harness.run();
    assert_eq!(
        harness.state().selected().map(|r| r.record.title.as_str()),
        Some("Green AI")
    );
    harness.get_by_label("Henderson et al.").click();
    harness.run();
    assert_eq!(
        harness.state().selected().map(|r| r.record.title.as_str()),
        Some(
            "Towards the Systematic Reporting of the Energy and Carbon Footprints of Machine Learning"
        )
    );
}

#[test]
fn an_empty_project_says_so() {
    let harness = harness(Project::open_in_memory().unwrap());
    harness.get_by_label("0 records");
    harness.get_by_label("This project has no records yet.");
}
