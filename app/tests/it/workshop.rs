//! The Workshop tab, driven as a facilitator drives it: a template, effects added and moved,
//! undo, the handout written and the workshop saved in the project.

use ecolens_core::Project;
use ecolens_core::workshop::Workshop;
use egui_kittest::kittest::Queryable;

use crate::window::{harness, settle, type_into};

fn board(harness: &egui_kittest::Harness<'static, ecolens_app::window::Workbench>) -> Workshop {
    harness
        .state()
        .tabs
        .workshop
        .editing
        .workshop
        .clone()
        .expect("a workshop is open")
}

fn id_of(w: &Workshop, text: &str) -> u32 {
    w.nodes.iter().find(|n| n.text == text).unwrap().id
}

#[test]
fn a_workshop_is_built_from_a_template_moved_undone_exported_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("room.ecolens");
    let mut harness = harness(&path, false);
    harness.get_by_label("Workshop").click();
    settle(&mut harness);
    type_into(&mut harness, "Workshop name", "Heating 2026");
    harness.get_by_label("New from template heating").click();
    settle(&mut harness);
    harness
        .get_by_label_contains("Deploy AI-optimised heating in 1 million homes at Country scale");
    assert_eq!(board(&harness).nodes.len(), 6);

    // A participant's effect below the saving.
    harness
        .get_by_label_contains("Less gas and electricity burnt")
        .click();
    harness.step();
    type_into(&mut harness, "New effect", "Heated conservatories");
    type_into(&mut harness, "Proposed by", "Maya");
    harness.get_by_label("Add below").click();
    harness.step();
    harness.step();
    let w = board(&harness);
    let saving = id_of(&w, "Less gas and electricity burnt for the same comfort");
    let added = id_of(&w, "Heated conservatories");
    assert_eq!(w.node(added).unwrap().parent, Some(saving));
    assert_eq!(w.node(added).unwrap().by, ["Maya"]);
    // The field is empty for the next one, and the saving stays selected.
    assert!(harness.state().tabs.workshop.new_text.is_empty());
    assert_eq!(harness.state().tabs.workshop.selected, Some(saving));
    harness
        .get_by_label("Heated conservatories\nMaya")
        .click_accesskit();
    harness.step();
    harness.step();

    // Moved under the direct rebound with the menu, then the move undone.
    // Below the fold of a 1280×800 window: clicked as a screen reader would.
    harness.get_by_label("Move under…").click_accesskit();
    settle(&mut harness);
    harness
        .get_by_label("Warmer rooms, longer heating hours")
        .click();
    harness.step();
    harness.step();
    let w = board(&harness);
    let direct = id_of(&w, "Warmer rooms, longer heating hours");
    assert_eq!(w.node(added).unwrap().parent, Some(direct));
    harness.get_by_label("Undo").click();
    harness.step();
    harness.step();
    assert_eq!(board(&harness).node(added).unwrap().parent, Some(saving));
    harness.get_by_label_contains("Undone.");

    // The handout.
    let out = dir.path().join("handout");
    type_into(&mut harness, "Handout folder", out.to_str().unwrap());
    harness.get_by_label("Export handout").click();
    settle(&mut harness);
    let svg = std::fs::read_to_string(out.join("heating-2026.svg")).unwrap();
    assert!(
        svg.contains("Heated conservatories") && svg.contains("Maya"),
        "{svg}"
    );
    let md = std::fs::read_to_string(out.join("heating-2026.md")).unwrap();
    assert!(
        md.contains("\n  - Heated conservatories (proposed by Maya)"),
        "{md}"
    );
    let json = std::fs::read_to_string(out.join("heating-2026.json")).unwrap();
    assert_eq!(Workshop::from_json(&json).unwrap(), board(&harness));

    // Saved in the project, as it is on the board.
    harness.get_by_label("Save*").click();
    settle(&mut harness);
    harness.get_by_label_contains("Saved \"Heating 2026\" in the project.");
    let stored = Project::open_existing(&path)
        .unwrap()
        .workshop("Heating 2026")
        .unwrap()
        .unwrap();
    assert_eq!(stored, board(&harness));
    assert_eq!(stored.nodes.len(), 7);

    // Ctrl+Z takes the participant's effect back too (no field has the keyboard).
    harness.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::Z);
    harness.step();
    harness.step();
    assert_eq!(board(&harness).nodes.len(), 6);
    harness.get_by_label("Save*");
}
