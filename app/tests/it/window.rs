//! The workbench window, driven like a user with `egui_kittest`: find things by their label,
//! click them, type, press keys, and check what the window and the project show afterwards.
//! The window's work runs on background threads, so each step waits until the workbench is
//! idle (listing answered, rows read, jobs finished) before it looks.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ecolens_app::window::{Workbench, WorkbenchOptions};
use ecolens_core::Project;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::{baseline_folder, fixtures};

pub(crate) fn harness(project: &Path, with_demo: bool) -> Harness<'static, Workbench> {
    harness_sized(project, with_demo, egui::Vec2::new(1280.0, 800.0))
}

/// [`harness`] in a window of `size` points.
pub(crate) fn harness_sized(
    project: &Path,
    with_demo: bool,
    size: egui::Vec2,
) -> Harness<'static, Workbench> {
    let options = WorkbenchOptions {
        project: project.to_owned(),
        with_demo,
        pdf_program: Some(PathBuf::from(env!("CARGO_BIN_EXE_ecolens"))),
        reopen_last: false,
        hub_credentials: None,
    };
    let mut harness = Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| Workbench::new(&cc.egui_ctx, None, options));
    settle(&mut harness);
    harness
}

/// Steps frames until the workbench has nothing pending (and a few more for the layout).
pub(crate) fn settle(harness: &mut Harness<'static, Workbench>) {
    let started = Instant::now();
    let mut idle_frames = 0;
    while idle_frames < 3 {
        harness.step();
        if harness.state().is_idle() {
            idle_frames += 1;
        } else {
            idle_frames = 0;
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "the workbench did not settle; notices: {:?}",
            harness.state().notices()
        );
    }
}

fn demo() -> (tempfile::TempDir, PathBuf, Harness<'static, Workbench>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ecolens");
    let harness = harness(&path, true);
    (dir, path, harness)
}

/// Types `text` into the field labelled `label`, replacing what it held.
pub(crate) fn type_into(harness: &mut Harness<'static, Workbench>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label(label).type_text(text);
    harness.step();
}

pub(crate) fn search(harness: &mut Harness<'static, Workbench>, text: &str) {
    harness.get_by_label("Search:").focus();
    harness.step();
    harness.get_by_label("Search:").type_text(text);
    settle(harness);
}

#[test]
fn the_window_lists_the_demo_corpus() {
    let (_dir, _path, harness) = demo();
    harness.get_by_label("All 47 records");
    harness.get_by_label("47 records");
    assert_eq!(harness.state().library.ids().len(), 47);
    harness.get_by_label("Energy and Policy Considerations for Deep Learning in NLP");
    harness.get_by_label("Strubell et al.");
    harness.get_by_label("Green AI");
    harness.get_by_label("Communications of the ACM");
    assert!(harness.state().record.is_none());
}

#[test]
fn clicking_a_row_opens_the_record_with_identifiers_and_provenance() {
    let (_dir, _path, mut harness) = demo();
    harness.get_by_label("Green AI").click();
    settle(&mut harness);
    let pane = harness.state().record.as_ref().expect("a record is open");
    let detail = pane.detail.as_ref().expect("read");
    assert_eq!(detail.stored.record.title, "Green AI");
    harness.get_by_label("10.1145/3381831");
    harness.get_by_label("1907.10597");
    harness.get_by_label("Schwartz, Roy; Dodge, Jesse; Smith, Noah A.; Etzioni, Oren");
    harness.get_by_label_contains("bundled:demo-corpus (csl-json), line ");

    harness.get_by_label("Close").click();
    settle(&mut harness);
    assert!(harness.state().record.is_none());
    assert!(harness.query_by_label("10.1145/3381831").is_none());
}

#[test]
fn typing_a_search_ranks_and_highlights_and_a_bad_query_says_where() {
    let (_dir, _path, mut harness) = demo();
    search(&mut harness, "carbon footprint");
    let ids = harness.state().library.ids().to_vec();
    assert!(ids.len() >= 4 && ids.len() < 47, "{} hits", ids.len());
    // Best match first: a title holding both words.
    let first = harness
        .state()
        .library
        .row(ids[0])
        .expect("row read")
        .title
        .clone();
    let lower = first.to_lowercase();
    assert!(
        lower.contains("carbon") && lower.contains("footprint"),
        "{first}"
    );
    harness.get_by_label_contains("matching records");
    harness.get_by_label("Ordered by relevance");

    // A query error names its column and keeps the last results.
    harness.get_by_label("Search:").type_text(" title:(");
    settle(&mut harness);
    let error = harness
        .state()
        .library
        .error
        .clone()
        .expect("an error is shown");
    // The column is counted in the text as typed ("carbon footprint title:(" is 24 long),
    // as `ecolens search` reports it, whatever filters are set beside it.
    assert!(error.starts_with("invalid query at column 25:"), "{error}");
    harness.get_by_label(&error);

    harness.get_by_label("Clear").click();
    settle(&mut harness);
    assert_eq!(harness.state().library.ids().len(), 47);
    assert!(harness.state().library.error.is_none());
}

#[test]
fn sorting_by_a_column_and_again_reverses() {
    let (_dir, _path, mut harness) = demo();
    harness.get_by_label("Year").click();
    settle(&mut harness);
    let years = |h: &Harness<'static, Workbench>| -> Vec<i32> {
        let library = &h.state().library;
        library
            .ids()
            .iter()
            .take(10)
            .filter_map(|id| library.row(*id).and_then(|r| r.year))
            .collect()
    };
    let newest = years(&harness);
    assert!(newest.len() >= 5);
    assert!(newest.windows(2).all(|w| w[0] >= w[1]), "{newest:?}");
    harness.get_by_label("Year v").click();
    settle(&mut harness);
    let oldest = years(&harness);
    assert!(oldest.windows(2).all(|w| w[0] <= w[1]), "{oldest:?}");
    assert!(oldest[0] < newest[0]);
}

#[test]
fn keyboard_moves_opens_and_closes() {
    let (_dir, _path, mut harness) = demo();
    harness.key_press(egui::Key::J);
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    assert_eq!(harness.state().library.cursor, Some(1));
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let second = harness.state().library.ids()[1];
    assert_eq!(harness.state().record.as_ref().map(|r| r.id), Some(second));
    // With a record open, the cursor carries it along.
    harness.key_press(egui::Key::K);
    settle(&mut harness);
    let first = harness.state().library.ids()[0];
    assert_eq!(harness.state().record.as_ref().map(|r| r.id), Some(first));
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    assert!(harness.state().record.is_none());
    // "/" focuses the search box: typed letters then go there, not to the table.
    harness.key_press(egui::Key::Slash);
    harness.step();
    harness.get_by_label("Search:").type_text("water");
    settle(&mut harness);
    assert_eq!(harness.state().library.search, "water");
    assert!(harness.state().library.ids().len() < 47);
}

#[test]
fn importing_the_fixtures_through_the_dialog_shows_the_rows_and_a_located_report() {
    let (dir, path, mut harness) = demo();
    let folder = baseline_folder(dir.path());
    harness.get_by_label("Import…").click();
    settle(&mut harness);
    harness.get_by_label("Path:").focus();
    harness.step();
    harness
        .get_by_label("Path:")
        .type_text(&folder.display().to_string());
    harness.step();
    harness.get_by_label("Add path").click();
    harness.step();
    harness.get_by_label("Start import").click();
    settle(&mut harness);

    let report = harness.state().last_import().expect("a report").clone();
    assert!(!report.cancelled);
    assert_eq!(report.records_read, 81);
    assert_eq!(report.records_imported, 71);
    harness.get_by_label("Import finished");
    // The Scopus file's malformed lines are listed with file:line; a click shows the line.
    let problem = report
        .rejected
        .iter()
        .chain(&report.warnings)
        .find(|p| p.file.ends_with("scopus_malformed_issue1099.txt") && p.problem.line > 0)
        .expect("a located problem in the Scopus file")
        .clone();
    harness.get_by_label(&problem.to_string()).scroll_to_me();
    settle(&mut harness);
    harness.get_by_label(&problem.to_string()).click();
    settle(&mut harness);
    harness.get_by_label_contains(&format!("{}  ", problem.problem.line));

    // The rows are there (the index was updated after the import), and the project holds them.
    assert_eq!(harness.state().library.total_records(), 47 + 71);
    search(&mut harness, "file:rayyan_export_baseline.ris");
    assert_eq!(harness.state().library.ids().len(), 10);
    drop(harness);
    let project = Project::open_existing(&path).unwrap();
    assert_eq!(project.record_count().unwrap(), 47 + 71);
}

/// Imports `folder` through the dialog, as a user does: type the path, add it, start.
fn import_through_the_dialog(harness: &mut Harness<'static, Workbench>, folder: &Path) {
    harness.get_by_label("Import…").click();
    settle(harness);
    harness.get_by_label("Path:").focus();
    harness.step();
    harness
        .get_by_label("Path:")
        .type_text(&folder.display().to_string());
    harness.step();
    harness.get_by_label("Add path").click();
    harness.step();
    harness.get_by_label("Start import").click();
    settle(harness);
}

/// The same folder imported twice: the second time each file is recognised and not read, the
/// dialog says so, and nothing is added or merged; ticked to read again, the records are found
/// where they were read and still nothing is added or merged.
#[test]
fn importing_the_same_files_again_changes_nothing_and_says_so() {
    let (dir, path, mut harness) = demo();
    let folder = baseline_folder(dir.path());
    import_through_the_dialog(&mut harness, &folder);
    let first = harness.state().last_import().expect("a report").clone();
    assert_eq!(first.records_imported, 71);
    import_through_the_dialog(&mut harness, &folder);
    let second = harness.state().last_import().expect("a report").clone();
    assert_eq!(
        (
            second.records_read,
            second.records_imported,
            second.duplicates_merged
        ),
        (0, 0, 0)
    );
    assert_eq!(second.already_imported, 6);
    harness.get_by_label_contains(&format!(
        "rayyan_export_baseline.ris was not read again: import #{} on",
        first.import_id.unwrap()
    ));
    harness
        .get_by_label("Read files again that an earlier import read")
        .click();
    harness.step();
    import_through_the_dialog(&mut harness, &folder);
    let third = harness.state().last_import().expect("a report").clone();
    assert_eq!(
        (
            third.records_read,
            third.records_imported,
            third.duplicates_merged,
            third.already_present
        ),
        (81, 0, 0, 81)
    );
    harness.get_by_label_contains(
        "81 records were already in the project from the same file and line",
    );
    drop(harness);
    let project = Project::open_existing(&path).unwrap();
    assert_eq!(project.record_count().unwrap(), 47 + 71);
    assert_eq!(project.merges(None, false).unwrap().len(), 10);
}

/// A new project starts empty; Project → Add the demo corpus fills it, once.
#[test]
fn the_demo_corpus_is_added_from_the_project_menu_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.ecolens");
    let mut harness = harness(&path, false);
    settle(&mut harness);
    assert_eq!(harness.state().library.total_records(), 0);
    for expected in [
        "Added the demo corpus: 47 publications.",
        "The demo corpus is already here: its 47 publications were not added again.",
    ] {
        harness.get_by_label("Project").click();
        settle(&mut harness);
        harness.get_by_label("Add the demo corpus").click();
        settle(&mut harness);
        assert!(
            harness.state().notices().iter().any(|n| n == expected),
            "{:?}",
            harness.state().notices()
        );
        assert_eq!(harness.state().library.total_records(), 47);
    }
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
pub(crate) struct Dropped(pub(crate) PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_files_imports_them_and_the_source_filter_selects_them() {
    let (_dir, path, mut harness) = demo();
    harness.input_mut().dropped_files.push(Arc::new(Dropped(
        fixtures().join("rayyan_export_baseline.ris"),
    )));
    settle(&mut harness);
    let report = harness
        .state()
        .last_import()
        .expect("the drop started an import");
    assert_eq!(report.records_imported, 10);
    assert_eq!(harness.state().library.total_records(), 57);
    // The import window shows the report; Done puts it away.
    harness.get_by_label("Done").click();
    settle(&mut harness);

    harness
        .get_by_label("rayyan_export_baseline.ris (10)")
        .click();
    settle(&mut harness);
    assert_eq!(harness.state().library.ids().len(), 10);
    harness.get_by_label("10 of 57 records");
    // Rayyan's labels became Emily's votes. She is the only reviewer: blind mode has nothing
    // to hide, and the decision filter narrows at once.
    harness.get_by_label("Included").click();
    settle(&mut harness);
    assert_eq!(harness.state().library.ids().len(), 2);
    harness.get_by_label("Included").click();
    settle(&mut harness);
    // A second reviewer joins: while blind, nobody unnamed selects by judgements (refused,
    // with the reason), and Emily selects by her own.
    Project::open_existing(&path)
        .unwrap()
        .add_reviewer("Tomas", false)
        .unwrap();
    harness.get_by_label("Included").click();
    settle(&mut harness);
    harness.get_by_label_contains("blind mode is on: decision, stage, category");
    harness.get_by_label("Emily").click();
    settle(&mut harness);
    assert_eq!(harness.state().library.ids().len(), 2);
    harness.get_by_label("Tomas").click();
    settle(&mut harness);
    assert!(harness.state().library.ids().is_empty());
    // Unblinded by a lead, the decision filter narrows on everyone's votes.
    {
        let mut project = Project::open_existing(&path).unwrap();
        let lead = project.add_reviewer("Lead", true).unwrap();
        project.set_blind(lead.id, false).unwrap();
    }
    harness.get_by_label("Included").click();
    settle(&mut harness);
    assert_eq!(harness.state().library.ids().len(), 10);
    harness.get_by_label("Included").click();
    settle(&mut harness);
    let included = harness.state().library.ids().len();
    assert_eq!(included, 2, "{:?}", harness.state().library.filters);
    harness.get_by_label("Clear filters").click();
    settle(&mut harness);
    assert_eq!(harness.state().library.ids().len(), 57);
}

#[test]
fn a_long_import_can_be_cancelled_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A bibliography big enough to be stopped half way.
    let big = dir.path().join("big.ris");
    let mut text = String::new();
    for n in 0..60_000 {
        write!(
            text,
            "TY  - JOUR\nTI  - Generated record {n} on the energy of inference\nAU  - Author{n}, A.\nPY  - 2020\nAB  - An abstract about carbon, water and rebound effects number {n}.\nER  - \n\n"
        )
        .unwrap();
    }
    std::fs::write(&big, text).unwrap();
    let path = dir.path().join("review.ecolens");
    let mut harness = harness(&path, true);
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(big)));
    // Wait until it is running, then press Cancel.
    let started = Instant::now();
    while harness.query_by_label("Cancel import").is_none() {
        harness.step();
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    harness.get_by_label("Cancel import").click();
    settle(&mut harness);
    let report = harness.state().last_import().expect("a report");
    assert!(
        report.cancelled,
        "the import finished before it could be cancelled"
    );
    assert_eq!(harness.state().library.total_records(), 47);
    harness.get_by_label("Import cancelled: nothing was written");
}

#[test]
fn undoing_a_merge_from_the_record_view_brings_the_duplicate_back() {
    let (_dir, path, mut harness) = demo();
    // The Rayyan RIS and CSV hold the same 10 records: the second file merges into the first.
    harness
        .state_mut()
        .apply(ecolens_app::window::Action::StartImport(vec![
            fixtures().join("rayyan_export_baseline.ris"),
            fixtures().join("rayyan_export_baseline.csv"),
        ]));
    settle(&mut harness);
    assert_eq!(harness.state().last_import().unwrap().duplicates_merged, 10);
    let merged = Project::open_existing(&path)
        .unwrap()
        .merges(None, false)
        .unwrap();
    let kept = merged[0].kept;
    let merge = merged[0].id;
    harness
        .state_mut()
        .apply(ecolens_app::window::Action::OpenRecord(kept));
    settle(&mut harness);
    harness.get_by_label(&format!("Undo merge {merge}")).click();
    settle(&mut harness);
    assert_eq!(harness.state().library.total_records(), 58);
    harness.get_by_label_contains("Undone: it is record ");
    let project = Project::open_existing(&path).unwrap();
    assert_eq!(project.merges(None, false).unwrap().len(), 9);
}

#[test]
fn exporting_the_filtered_records_writes_only_those() {
    let (dir, _path, mut harness) = demo();
    search(&mut harness, "carbon");
    let shown = harness.state().library.ids().len();
    assert!(shown > 0 && shown < 47);
    harness.get_by_label("Export…").click();
    settle(&mut harness);
    let out = dir.path().join("selection.ris");
    harness.get_by_label("File:").focus();
    harness.step();
    harness
        .get_by_label("File:")
        .type_text(&out.display().to_string());
    harness.step();
    harness.get_by_label("Write export").click();
    settle(&mut harness);
    let outcome = harness
        .state()
        .last_export()
        .expect("an outcome")
        .to_owned();
    assert!(
        outcome.starts_with(&format!("Wrote {shown} records")),
        "{outcome}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written.matches("\nER  -").count() + usize::from(written.starts_with("ER  -")),
        shown
    );
}

#[test]
fn the_theme_switches_and_help_lists_the_shortcuts() {
    let (_dir, _path, mut harness) = demo();
    harness.get_by_label("Light theme").click();
    settle(&mut harness);
    assert_eq!(
        harness.state().settings.theme,
        ecolens_app::window::Theme::Light
    );
    harness.get_by_label("Dark theme");
    harness.key_press(egui::Key::F1);
    settle(&mut harness);
    harness.get_by_label("open the record under the cursor");
}

/// Settings storage in memory, standing in for eframe's file.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

#[test]
fn search_filters_columns_theme_and_the_project_come_back_on_the_next_start() {
    let (dir, path, mut harness) = demo();
    search(&mut harness, "water");
    let shown = harness.state().library.ids().len();
    assert!(shown > 0 && shown < 47);
    harness.get_by_label("Columns").click();
    settle(&mut harness);
    harness
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, "Venue")
        .click();
    settle(&mut harness);
    assert!(
        !harness
            .state()
            .settings
            .columns
            .contains(&ecolens_core::LibraryColumn::Venue)
    );
    harness.get_by_label("Light theme").click();
    settle(&mut harness);
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    drop(harness);

    // Started again without naming a project: the last one opens, as it was left.
    let options = WorkbenchOptions {
        project: dir.path().join("default.ecolens"),
        with_demo: true,
        pdf_program: None,
        reopen_last: true,
        hub_credentials: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 800.0))
        .build_eframe(move |cc| Workbench::new(&cc.egui_ctx, Some(&storage), options));
    settle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(path.as_path()));
    assert_eq!(harness.state().library.search, "water");
    assert_eq!(harness.state().library.ids().len(), shown);
    assert_eq!(
        harness.state().settings.theme,
        ecolens_app::window::Theme::Light
    );
    assert!(harness.query_by_label("Venue").is_none());
    harness.get_by_label("Authors");
    assert!(!dir.path().join("default.ecolens").exists());
}

#[test]
fn a_new_project_starts_empty_and_the_recent_list_switches_back() {
    let (dir, path, mut harness) = demo();
    let new = dir.path().join("second.ecolens");
    harness
        .state_mut()
        .apply(ecolens_app::window::Action::NewProject(new.clone()));
    settle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(new.as_path()));
    assert_eq!(harness.state().library.total_records(), 0);
    harness.get_by_label_contains("This project has no records yet");
    // Creating over an existing file is refused with what to do instead.
    harness
        .state_mut()
        .apply(ecolens_app::window::Action::NewProject(path.clone()));
    settle(&mut harness);
    assert!(
        harness
            .state()
            .notices()
            .iter()
            .any(|n| n.contains("already exists"))
    );

    harness.get_by_label("Project").click();
    settle(&mut harness);
    harness.get_by_label(&path.display().to_string()).click();
    settle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(path.as_path()));
    assert_eq!(harness.state().library.total_records(), 47);
}

/// Import… and Export… in the top bar open their dialogs from every tab, not only from the
/// Library (they used to wait there until the Library was opened), and the dialogs work there.
#[test]
fn import_and_export_open_from_every_tab() {
    let (dir, _path, mut harness) = demo();
    for (n, view) in ecolens_app::window::View::ALL.iter().enumerate() {
        harness
            .get_all_by_label(view.label())
            .next()
            .unwrap_or_else(|| panic!("no tab labelled {}", view.label()))
            .click();
        settle(&mut harness);
        assert_eq!(harness.state().view, *view);

        harness.get_by_label("Import…").click();
        settle(&mut harness);
        harness.get_by_label("Start import");
        harness.key_press(egui::Key::Escape);
        settle(&mut harness);
        assert!(
            harness.query_by_label("Start import").is_none(),
            "Escape closes the import dialog on {}",
            view.label()
        );

        harness.get_by_label("Export…").click();
        settle(&mut harness);
        let out = dir.path().join(format!("from-tab-{n}.csv"));
        type_into(&mut harness, "File:", &out.display().to_string());
        harness.get_by_label("csv").click();
        harness.get_by_label("Write export").click();
        settle(&mut harness);
        assert_eq!(harness.state().view, *view, "the tab stays in front");
        let written = std::fs::read_to_string(&out)
            .unwrap_or_else(|e| panic!("export from {}: {e}", view.label()));
        assert_eq!(written.lines().count(), 48, "a header and 47 records");
        harness.key_press(egui::Key::Escape);
        settle(&mut harness);
    }
}

/// Steps frames until `label` shows (a folder is listed on a thread of its own).
fn wait_for_label(harness: &mut Harness<'static, Workbench>, label: &str) {
    let started = Instant::now();
    while harness.query_by_label(label).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{label} never showed"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A typed path offers the folder's entries: a click takes one, Tab completes as far as the
/// entries agree (folders end in the separator), and the export goes where the path says.
#[test]
fn a_typed_path_completes_from_the_folder() {
    let (dir, _path, mut harness) = demo();
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    std::fs::create_dir(folder.join("by-year")).unwrap();
    std::fs::write(folder.join("alpha-old.ris"), "").unwrap();
    std::fs::write(folder.join("beta.ris"), "").unwrap();
    let sep = std::path::MAIN_SEPARATOR;
    let typed = |name: &str| format!("{}{sep}{name}", folder.display());

    harness.get_by_label("Export…").click();
    settle(&mut harness);
    type_into(&mut harness, "File:", &typed("a"));
    wait_for_label(&mut harness, "alpha-old.ris");
    harness.get_by_label("alpha-old.ris").click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().export_path(), typed("alpha-old.ris"));

    // Tab: "b" is shared by a folder and a file, so it stays; "by" is the folder.
    type_into(&mut harness, "File:", &typed("by"));
    wait_for_label(&mut harness, &format!("by-year{sep}"));
    harness.key_press(egui::Key::Tab);
    harness.step();
    harness.step();
    assert_eq!(
        harness.state().export_path(),
        typed(&format!("by-year{sep}"))
    );
    // A folder is not where an export goes (it used to become "by-year.csv" beside it).
    harness.get_by_label("Write export").click();
    settle(&mut harness);
    harness.get_by_label_contains("is a folder: add the file's name");
    assert!(!folder.join("by-year.csv").exists() && !folder.join("by-year.ris").exists());
    harness.get_by_label("File:").focus();
    harness.step();
    harness.key_press(egui::Key::End);
    harness.get_by_label("File:").type_text("selection");
    harness.step();
    harness.get_by_label("csv").click();
    harness.get_by_label("Write export").click();
    settle(&mut harness);
    let written = folder.join("by-year").join("selection.csv");
    assert!(
        written.is_file(),
        "{} ({:?}, {:?})",
        written.display(),
        harness.state().export_path(),
        harness.state().last_export()
    );
}

/// Project → Project file: creates and opens projects by a typed path, without a file dialog;
/// opening a path with no project says so and keeps the current one.
#[test]
fn projects_are_created_and_opened_by_a_typed_path() {
    let (dir, first, mut harness) = demo();
    let second = dir.path().join("second");
    harness.get_by_label("Project").click();
    settle(&mut harness);
    type_into(&mut harness, "Project file:", &second.display().to_string());
    harness.get_by_label("Create this project").click();
    settle(&mut harness);
    let created = second.with_extension("ecolens");
    assert!(created.is_file(), "{}", created.display());
    assert_eq!(harness.state().project_path(), Some(created.as_path()));
    harness.get_by_label("All 0 records");

    harness.get_by_label("Project").click();
    settle(&mut harness);
    let missing = dir.path().join("nowhere.ecolens");
    type_into(
        &mut harness,
        "Project file:",
        &missing.display().to_string(),
    );
    harness.get_by_label("Open this project").click();
    settle(&mut harness);
    harness.get_by_label_contains("There is no project at");
    assert!(!missing.exists());
    assert_eq!(harness.state().project_path(), Some(created.as_path()));

    harness.get_by_label("Project").click();
    settle(&mut harness);
    type_into(&mut harness, "Project file:", &first.display().to_string());
    harness.get_by_label("Open this project").click();
    settle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(first.as_path()));
    harness.get_by_label("All 47 records");
}

/// Types `text` into the text field named `label` (a field, not a column header or a filter
/// of the same name), replacing what it held.
fn field_into(harness: &mut Harness<'static, Workbench>, label: &str, text: &str) {
    let role = [
        egui::accesskit::Role::TextInput,
        egui::accesskit::Role::MultilineTextInput,
    ]
    .into_iter()
    .find(|role| harness.query_by_role_and_label(*role, label).is_some())
    .unwrap_or_else(|| panic!("no text field named {label:?}"));
    harness.get_by_role_and_label(role, label).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.step();
}

/// A demo project with a reviewer, who is chosen as the one at the keyboard.
fn demo_with_reviewer(name: &str) -> (tempfile::TempDir, PathBuf, Harness<'static, Workbench>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ecolens");
    {
        let mut project = Project::open(&path).unwrap();
        ecolens_corpus::demo::install_demo(&mut project).unwrap();
        project.add_reviewer(name, false).unwrap();
    }
    let mut harness = harness(&path, false);
    harness.get_by_label(name).click();
    settle(&mut harness);
    (dir, path, harness)
}

/// Edit: every field as text, a bad identifier refused with its field, a good edit saved,
/// audited and undoable, and the record view and search follow.
#[test]
fn a_record_is_edited_in_the_record_view_and_the_edit_is_audited() {
    let (_dir, path, mut harness) = demo_with_reviewer("Ann");
    harness.get_by_label("Green AI").click();
    settle(&mut harness);
    let id = harness.state().record.as_ref().unwrap().id;
    harness.get_by_label("Edit").click();
    settle(&mut harness);
    assert!(harness.state().record.as_ref().unwrap().editor.is_some());

    // A DOI with a space is refused, naming the field; nothing is written.
    field_into(&mut harness, "DOI", "10.1145/3381831 x");
    harness.get_by_label("Save").click();
    settle(&mut harness);
    let error = harness
        .state()
        .record
        .as_ref()
        .unwrap()
        .editor
        .as_ref()
        .unwrap()
        .error
        .clone();
    assert!(
        error.as_deref().is_some_and(|e| e.contains("doi")),
        "{error:?}"
    );

    field_into(&mut harness, "DOI", "10.1145/3381831");
    field_into(&mut harness, "Year", "2021");
    field_into(
        &mut harness,
        "Notes",
        "Year corrected from the publisher's page.",
    );
    field_into(&mut harness, "Authors 1: given names", "Roy");
    harness.get_by_label("Save").click();
    settle(&mut harness);
    assert!(
        harness
            .state()
            .notices()
            .iter()
            .any(|n| n.starts_with(&format!("Saved record {id}: "))),
        "{:?}",
        harness.state().notices()
    );
    let pane = harness.state().record.as_ref().unwrap();
    assert!(pane.editor.is_none());
    let shown = &pane.detail.as_ref().unwrap().stored.record;
    assert_eq!(shown.year, Some(2021));
    assert_eq!(shown.authors[0].given.as_deref(), Some("Roy"));

    let project = Project::open(&path).unwrap();
    let stored = project.record(id).unwrap().record;
    assert_eq!(stored.year, Some(2021));
    assert_eq!(
        stored.notes.as_deref(),
        Some("Year corrected from the publisher's page.")
    );
    let log = project
        .audit_log(
            ecolens_core::store::AuditFilter {
                record: Some(id),
                ..Default::default()
            },
            &project.visibility(None).unwrap(),
        )
        .unwrap();
    assert_eq!(log[0].entity, ecolens_core::EntityKind::Record);
    assert_eq!(log[0].reviewer_name.as_deref(), Some("Ann"));
}

/// While a record is edited, a click on another row or a key does not throw the typing away.
#[test]
fn typed_edits_survive_a_click_elsewhere() {
    let (_dir, _path, mut harness) = demo_with_reviewer("Ann");
    harness.get_by_label("Green AI").click();
    settle(&mut harness);
    harness.get_by_label("Edit").click();
    settle(&mut harness);
    field_into(&mut harness, "Year", "1999");
    harness
        .get_by_label("Energy and Policy Considerations for Deep Learning in NLP")
        .click();
    settle(&mut harness);
    let editor = harness
        .state()
        .record
        .as_ref()
        .unwrap()
        .editor
        .as_ref()
        .unwrap();
    assert_eq!(editor.fields.year.as_deref(), Some("1999"));
    assert!(
        harness
            .state()
            .notices()
            .iter()
            .any(|n| n == "Save or cancel the edit first.")
    );
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    assert!(harness.state().record.as_ref().unwrap().editor.is_none());
}

/// Project → New entry…: a grant proposal entered by hand, under its own field names, found
/// by search afterwards and shown with funder, programme and period.
#[test]
fn a_project_is_entered_by_hand_from_the_project_menu() {
    let (_dir, path, mut harness) = demo_with_reviewer("Ann");
    harness.get_by_label("Project").click();
    settle(&mut harness);
    harness.get_by_label("New entry…").click();
    settle(&mut harness);
    assert!(harness.state().entry.is_some());
    // A new entry needs a title.
    harness.get_by_label("Add entry").click();
    settle(&mut harness);
    let error = harness.state().entry.as_ref().unwrap().error.clone();
    assert!(
        error.as_deref().is_some_and(|e| e.starts_with("title: ")),
        "{error:?}"
    );
    field_into(
        &mut harness,
        "Title",
        "GreenSched: carbon-aware scheduling of training jobs",
    );
    field_into(&mut harness, "Funder", "Agence nationale de la recherche");
    field_into(&mut harness, "Programme", "AAPG 2025");
    field_into(&mut harness, "Grant number", "ANR-25-CE23-0001");
    field_into(&mut harness, "Period", "2025-10 to 2029-09");
    field_into(
        &mut harness,
        "Summary",
        "Shift training jobs to low-carbon hours.",
    );
    field_into(&mut harness, "Authors 1: family name", "Durand");
    field_into(&mut harness, "Authors 1: given names", "Claire");
    harness.get_by_label("Add entry").click();
    settle(&mut harness);
    assert!(harness.state().entry.is_none());
    assert!(
        harness
            .state()
            .notices()
            .iter()
            .any(|n| n.starts_with("Added record 48")),
        "{:?}",
        harness.state().notices()
    );
    harness.get_by_label("2025-10/2029-09");
    harness.get_by_label("Agence nationale de la recherche");

    search(&mut harness, "carbon-aware");
    assert_eq!(
        harness.state().library.ids(),
        vec![ecolens_core::RecordId(48)]
    );

    let project = Project::open(&path).unwrap();
    let stored = project.record(ecolens_core::RecordId(48)).unwrap();
    assert_eq!(stored.record.kind, ecolens_core::RecordKind::Project);
    assert_eq!(stored.record.issue.as_deref(), Some("ANR-25-CE23-0001"));
    assert_eq!(stored.sources[0].file, "entered by hand");
    assert_eq!(stored.sources[0].locator.as_deref(), Some("by Ann"));
}
