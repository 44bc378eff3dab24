//! The Assess tab, driven like a user: attach real traces (and a file that is not one), read
//! the factors applied and their sources, set the project's own factors, build a scenario
//! from a shipped example, edit it, pick a factor, evaluate it with Monte Carlo, save it,
//! compute an estimate and write a report. Each test checks what the project (or the written
//! file) holds afterwards, not only what the window shows.

use std::path::{Path, PathBuf};

use ecolens_core::{Project, RecordId};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::window::{harness, settle, type_into};

type Window = Harness<'static, ecolens_app::window::Workbench>;

fn trace(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces")
        .join(relative)
        .display()
        .to_string()
}

/// Types into the field that currently holds `value` (its text input node; accesskit also
/// gives the text run inside it the same value).
fn retype(harness: &mut Window, value: &str, text: &str) {
    harness.get_all_by_value(value).next().unwrap().focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_all_by_value(value)
        .next()
        .unwrap()
        .type_text(text);
    // The form is checked as it is drawn: one frame to take the text, one to show the check.
    harness.step();
    harness.step();
}

/// Opens the demo project's "Green AI" record from the Library into the Assess tab.
fn assess_green_ai(path: &Path) -> (Window, RecordId) {
    let mut harness = harness(path, true);
    harness.get_by_label("Green AI").click();
    settle(&mut harness);
    let record = harness.state().record.as_ref().unwrap().id;
    harness.get_by_label("Assess this record").click();
    settle(&mut harness);
    harness.get_by_label_contains(&format!("Record {record}: Green AI"));
    (harness, record)
}

/// The Scenario part of the Assess tab, a new scenario from the smart-building example.
fn smart_building_in_editor(harness: &mut Window) {
    harness.get_by_label("Scenario").click();
    harness.step();
    harness.get_by_label("New scenario").click();
    harness.step();
    harness.step();
    harness.get_by_label("From example smart-building").click();
    settle(harness);
}

#[test]
fn traces_attach_show_their_factors_and_the_project_factors_replace_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assess.ecolens");
    let (mut harness, record) = assess_green_ai(&path);
    harness.get_by_label("No trace attached to this record yet.");

    // A file that is no trace: refused, saying what was found; nothing stored.
    let bibliography = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces/SOURCES.md")
        .display()
        .to_string();
    type_into(&mut harness, "or path:", &bibliography);
    harness.get_by_label("Attach").click();
    settle(&mut harness);
    harness.get_by_label_contains("Not attached: ");
    assert!(
        Project::open_existing(&path)
            .unwrap()
            .traces(Some(record))
            .unwrap()
            .is_empty()
    );

    // eco2AI: 0.002 kWh in Ticino; its own factor 39.22 g/kWh is shown beside ours.
    type_into(
        &mut harness,
        "or path:",
        &trace("eco2ai/emission_eco2ai_repo.csv"),
    );
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    harness.get_by_label_contains("Attached 1 run(s) of eco2AI");
    harness.get_by_label_contains("Grid factor the tool applied: 39.22 gCO2e/kWh");
    harness.get_by_label("Place: Switzerland (CHE), 2026");
    harness.get_by_label_contains("digital4better country-yearly factors");
    let stored = Project::open_existing(&path)
        .unwrap()
        .traces(Some(record))
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!((stored[0].summary.energy_kwh - 0.002).abs() < 1e-12);

    // Zeus writes no place: said in words beside the intensity, which is the world's.
    type_into(
        &mut harness,
        "or path:",
        &trace("zeus/V100+resnet50+gpu0.csv"),
    );
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    harness.get_by_label_contains("Attached 1 run(s) of Zeus");
    harness.get_all_by_label("2").next().unwrap().click();
    settle(&mut harness);
    harness.get_by_label("Place: place unknown, the world-average grid intensity is used");
    harness.get_by_label_contains("world average, as the run's place is unknown: ");
    harness.get_all_by_label("Detach").nth(1).unwrap().click();
    settle(&mut harness);

    // CarbonTracker: its PUE 1.59 is named as divided out.
    type_into(
        &mut harness,
        "or path:",
        &trace("carbontracker/10151_2022-11-14T154243Z_carbontracker.log"),
    );
    harness.get_by_label("Attach").click();
    settle(&mut harness);
    harness.get_by_label_contains("PUE the tool applied: 1.59");
    harness.get_by_label_contains("2 run(s),");

    // The project's own PUE and intensity, with their source, replace the defaults.
    harness
        .get_by_label("Project factors (override the shipped defaults)")
        .click();
    harness.step();
    type_into(&mut harness, "Project PUE", "1.2");
    type_into(&mut harness, "Project grid intensity, gCO2e/kWh", "50");
    harness.get_by_label("Save project factors").click();
    settle(&mut harness);
    harness.get_by_label_contains("Say where the values come from");
    assert!(
        Project::open_existing(&path)
            .unwrap()
            .factor_overrides()
            .unwrap()
            .is_empty()
    );
    type_into(&mut harness, "Source of these values", "host's 2024 report");
    // The country is picked by name from the tables' countries, searched as typed.
    harness.get_by_label("Project country").click();
    harness.step();
    harness.step();
    harness.get_by_label("Find:").type_text("switz");
    harness.step();
    harness.step();
    harness.get_by_label("Switzerland (CHE)").click();
    harness.step();
    harness.get_by_label("Save project factors").click();
    settle(&mut harness);
    let overrides = Project::open_existing(&path)
        .unwrap()
        .factor_overrides()
        .unwrap();
    assert_eq!(overrides.pue, Some(1.2));
    assert_eq!(overrides.country.as_deref(), Some("CHE"));
    assert_eq!(overrides.intensity_g_per_kwh, Some(50.0));
    // PUE and intensity each name the project's source.
    assert_eq!(
        harness
            .query_all_by_label_contains("project setting: host's 2024 report")
            .count(),
        2
    );
    let desk = harness.state().tabs.assess.desk.as_ref().unwrap();
    for t in &desk.traces {
        let e = &t.footprint.estimate;
        assert!((e.co2e_kg - e.it_energy_kwh * 1.2 * 50.0 / 1000.0).abs() < 1e-15);
    }

    // Detaching removes the run from the project.
    let first = stored[0].id;
    harness.get_by_label("Use shipped defaults").click();
    settle(&mut harness);
    assert!(
        Project::open_existing(&path)
            .unwrap()
            .factor_overrides()
            .unwrap()
            .is_empty()
    );
    harness.get_all_by_label("Detach").next().unwrap().click();
    settle(&mut harness);
    let left = Project::open_existing(&path)
        .unwrap()
        .traces(Some(record))
        .unwrap();
    assert_eq!(left.len(), 1);
    assert!(left.iter().all(|t| t.id != first));
}

#[test]
fn a_scenario_from_an_example_is_edited_evaluated_with_intervals_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.ecolens");
    let (mut harness, record) = assess_green_ai(&path);
    smart_building_in_editor(&mut harness);
    harness.get_by_label("The scenario is complete; Evaluate runs it.");

    type_into(&mut harness, "Scenario name", "Green AI HVAC");
    // A mistake is shown where it is and blocks nothing else.
    retype(&mut harness, "triangular(0.05, 0.15, 0.3)", "triangle(1)");
    harness.get_by_label_contains("To fix: parameter saving:");
    retype(&mut harness, "triangle(1)", "triangular(0.1, 0.2, 0.3)");
    harness.get_by_label("The scenario is complete; Evaluate runs it.");

    // A new line in M2, its electricity picked in the factor picker.
    // Below the fold: clicked as a screen reader would.
    let lines = |h: &Window| {
        h.state().tabs.assess.draft.as_ref().unwrap().variants[1]
            .lines
            .len()
    };
    let before = lines(&harness);
    harness.get_by_label("+ Line in M2").click_accesskit();
    harness.step();
    harness.step();
    assert_eq!(lines(&harness), before + 1);
    let added = before;
    harness
        .get_all_by_label("Factors…")
        .last()
        .unwrap()
        .click_accesskit();
    harness.step();
    harness.step();
    harness.get_by_label_contains(&format!("For the line “line {}”", added + 1));
    harness.get_by_label("Use the electricity of FRA").click();
    harness.step();
    let draft = harness.state().tabs.assess.draft.clone().unwrap();
    assert_eq!(draft.variants[1].lines[added].electricity, "FRA");
    // The shipped defaults show their source; Use writes the factor into the line.
    assert!(
        harness
            .query_all_by_label_contains("Uptime Institute")
            .count()
            >= 1
    );
    type_into(&mut harness, "Criterion", "gwp");
    harness.get_all_by_label("Use").next().unwrap().click();
    harness.step();
    let factors = harness.state().tabs.assess.draft.as_ref().unwrap().variants[1].lines[added]
        .factors
        .clone();
    assert!(factors.starts_with("gwp = "), "{factors}");
    harness.get_by_label("Done").click();
    harness.step();
    assert!(harness.state().tabs.assess.picker.is_none());

    type_into(&mut harness, "Runs", "2000");
    harness.get_by_label("Evaluate").click();
    settle(&mut harness);
    let result = harness
        .state()
        .tabs
        .assess
        .result
        .clone()
        .unwrap_or_else(|| {
            panic!(
                "not evaluated: {:?} {:?}",
                harness.state().tabs.assess.message,
                harness.state().notices()
            )
        });
    assert_eq!(result.monte_carlo.runs, 2000);
    assert_eq!(result.scenario.name, "Green AI HVAC");
    let gwp = &result.monte_carlo.criteria[0];
    assert!(gwp.delta.p5 <= gwp.delta.median && gwp.delta.median <= gwp.delta.p95);
    assert!(gwp.p_m2_better > 0.95, "{gwp:?}");
    assert_eq!(result.tornado.len(), result.scenario.criteria.len());
    harness.get_by_label_contains("Burden shift: M2 improves gwp");
    harness.get_by_label("Δ(M2|M1), % of M1: median and 5–95 % interval");
    harness.get_by_label("P(M2 better than M1), % of runs: before rebound, and after (faded)");
    harness.get_by_label("Contribution by phase to gwp, % of M1's total");
    harness.get_by_label("Tornado: Δ gwp with each input at its 5 % and 95 % values");
    harness.get_by_label("$saving");

    harness.get_by_label("Save").click();
    settle(&mut harness);
    let stored = Project::open_existing(&path)
        .unwrap()
        .scenarios(Some(record))
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name, "Green AI HVAC");
    assert!(stored[0].toml.contains("triangular(0.1, 0.2, 0.3)"));

    // The summary reads the stored scenario with its intervals.
    harness.get_by_label("Summary").click();
    settle(&mut harness);
    harness.get_by_label_contains("Green AI HVAC: gwp Δ ");

    // Another record in focus: the editor does not carry this record's scenario over.
    let other = if record.0 == 1 { 2 } else { 1 };
    type_into(&mut harness, "Record id", &other.to_string());
    harness.get_by_label("Go").click();
    settle(&mut harness);
    assert!(harness.state().tabs.assess.draft.is_none());
    assert!(harness.state().tabs.assess.result.is_none());
}

/// Issue 20: a scenario's rebound is edited in the form (which lines are the saving, the direct
/// fraction) and the result shows Δ after rebound, P(net benefit) and the break-even.
#[test]
fn a_scenarios_rebound_is_edited_in_the_form_and_shown_with_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rebound.ecolens");
    let (mut harness, _) = assess_green_ai(&path);
    smart_building_in_editor(&mut harness);
    // The example's rebound is open in the form: both saving lines ticked, its direct range.
    let rebound = |h: &Window| {
        h.state()
            .tabs
            .assess
            .draft
            .as_ref()
            .unwrap()
            .rebound
            .clone()
    };
    assert_eq!(rebound(&harness).saving_lines.len(), 2);
    retype(&mut harness, "uniform(0, 0.7)", "0.5");
    harness
        .get_by_label("Electricity for HVAC, saving")
        .click_accesskit();
    harness.step();
    harness.step();
    assert_eq!(
        rebound(&harness).saving_lines,
        ["Gas for heating, after savings"]
    );
    harness.get_by_label("The scenario is complete; Evaluate runs it.");
    type_into(&mut harness, "Runs", "2000");
    harness.get_by_label("Evaluate").click();
    settle(&mut harness);
    let result = harness.state().tabs.assess.result.clone().unwrap();
    let rebound = result.evaluation.rebound.clone().unwrap();
    // gwp: half of the gas saving comes back (the electricity saving is no longer the saving).
    let gwp = &rebound[0];
    assert!(gwp.saving < 0.0 && gwp.direct > 0.0);
    assert!((gwp.direct + 0.5 * gwp.saving).abs() < 1e-9 * gwp.saving.abs());
    assert!(gwp.indirect.abs() <= f64::EPSILON, "{gwp:?}");
    let delta = result.evaluation.criteria[0].delta;
    assert!((gwp.delta_after - (delta + gwp.direct)).abs() < 1e-9 * delta.abs());
    let after = result.monte_carlo.criteria[0].rebound.clone().unwrap();
    assert!(after.p_net_benefit > 0.9, "{after:?}");
    harness.get_by_label("After rebound");
    harness.get_by_label("Break-even direct rebound");
    harness.get_by_label("P(M2 better than M1), % of runs: before rebound, and after (faded)");
    harness.get_by_label_contains("direct rebound 0.5 (teaching range");
    assert!(result.scenario.to_toml().unwrap().contains("direct = 0.5"));
}

/// Issue 20: a direct rebound risk of the register gives the scenario's direct rebound in one
/// action in the editor, named as its source; Save keeps the link.
#[test]
fn the_editor_takes_the_direct_rebound_from_a_risk_of_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fed.ecolens");
    {
        let mut project = ecolens_app::service::project::open(&path, true)
            .unwrap()
            .project;
        let anne = project.add_reviewer("Anne", true).unwrap();
        project.set_blind(anne.id, false).unwrap();
        let record = project
            .records()
            .unwrap()
            .into_iter()
            .find(|r| r.record.title == "Green AI")
            .unwrap()
            .id;
        let mut risk =
            ecolens_core::review::ReboundRisk::new(ecolens_taxonomy::EffectCode::HoRbDir);
        risk.rebound_percent = Some(40.0);
        risk.mechanism = "warmer rooms for the same bill".into();
        project.add_risk(record, anne.id, &risk).unwrap();
    }
    let (mut harness, record) = assess_green_ai(&path);
    smart_building_in_editor(&mut harness);
    harness
        .get_by_value("Take the direct rebound from a risk…")
        .click_accesskit();
    harness.step();
    harness.step();
    harness
        .get_by_label("40 % — Anne: warmer rooms for the same bill")
        .click();
    harness.step();
    harness.step();
    let draft = harness.state().tabs.assess.draft.clone().unwrap();
    assert_eq!(draft.rebound.direct, "0.4");
    assert!(
        draft
            .rebound
            .direct_source
            .contains("(Anne): 40 % of the saving")
    );
    assert!(draft.rebound.risk.is_some());
    harness.get_by_label_contains("The direct rebound is now Anne's 40 %");
    harness.get_by_label("Save").click();
    settle(&mut harness);
    let stored = Project::open_existing(&path)
        .unwrap()
        .scenarios(Some(record))
        .unwrap();
    assert!(
        stored[0].toml.contains("direct = 0.4"),
        "{}",
        stored[0].toml
    );
    assert!(stored[0].toml.contains("risk = "), "{}", stored[0].toml);
}

/// Issue 18, defect 7: the calculator takes a published energy as it stands (GPT-3, 1,287
/// megawatt-hours with its PUE inside, 0.429 kgCO2e/kWh: 552 t; Patterson et al. 2021,
/// Table 4).
#[test]
fn the_calculator_takes_a_known_energy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("energy.ecolens");
    let (mut harness, _) = assess_green_ai(&path);
    harness.get_by_label("Estimate").click();
    harness.step();
    harness.get_by_label("Energy known").click();
    harness.step();
    type_into(
        &mut harness,
        "Energy, kWh (IT, before PUE; PUE 1 if it holds the overhead)",
        "1287000",
    );
    type_into(&mut harness, "PUE (empty: default)", "1");
    type_into(
        &mut harness,
        "Grid intensity, gCO2e/kWh (empty: the country's)",
        "429",
    );
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    let estimate = estimate_shown(&harness);
    assert!(
        (estimate.co2e_kg / 1000.0 - 552.0).abs() < 0.5,
        "{estimate:?}"
    );
    assert_eq!(estimate.method, "energy given");
}

#[test]
fn the_calculator_gives_the_green_algorithms_example_and_a_report_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calc.ecolens");
    let (mut harness, record) = assess_green_ai(&path);
    // A record id that does not exist says so and leaves nothing in focus.
    type_into(&mut harness, "Record id", "99999");
    harness.get_by_label("Go").click();
    settle(&mut harness);
    harness.get_by_label_contains("99999");
    assert_eq!(harness.state().session.focus, None);
    type_into(&mut harness, "Record id", &record.to_string());
    harness.get_by_label("Go").click();
    settle(&mut harness);
    assert_eq!(harness.state().session.focus, Some(record));
    harness.get_by_label("Estimate").click();
    harness.step();
    // Unticked, the project's grid source for France, as every route gives it, and the
    // unknown data centre's PUE: the ML CO2 Impact form's hidden provider and region move
    // nothing.
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    let estimate = estimate_shown(&harness);
    assert!(
        (estimate.intensity_g_per_kwh - 30.04).abs() < 0.01,
        "{estimate:?}"
    );
    assert!((estimate.pue - 1.56).abs() < 1e-12, "{estimate:?}");
    // The Green Algorithms worked example: 12 h, one V100, 64 GB, PUE 1.56, France, with
    // Green Algorithms' own grid table.
    type_into(&mut harness, "PUE (empty: default)", "1.56");
    harness
        .get_by_label("Reproduce Green Algorithms' own number")
        .click();
    harness.step();
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    // 0.3109 kg, said as grams.
    harness.get_by_label("6.062 kWh, 310.9 gCO2e");
    let estimate = estimate_shown(&harness);
    assert!((estimate.co2e_kg - 0.310_874).abs() < 1e-6);
    // An estimate feeds a scenario line: refused without a scenario, added to M2 with one.
    harness
        .get_by_label("Add to the scenario as a line of M2")
        .click();
    harness.step();
    harness.step();
    harness.get_by_label("Open or start a scenario in the Scenario tab first.");
    harness.get_by_label("Scenario").click();
    harness.step();
    harness.get_by_label("New scenario").click();
    harness.step();
    harness.step();
    harness.get_by_label("Blank").click();
    harness.step();
    harness.get_by_label("Estimate").click();
    harness.step();
    harness
        .get_by_label("Add to the scenario as a line of M2")
        .click();
    harness.step();
    let draft = harness.state().tabs.assess.draft.clone().unwrap();
    let line = draft.variants[1].lines.last().unwrap();
    assert_eq!(line.amount, "6.062");
    assert_eq!(line.electricity, "FRA");
    assert!(
        line.source.contains("TDP, NVIDIA Tesla V100 = 300 W"),
        "{}",
        line.source
    );
    let scenario = draft.to_scenario().unwrap();
    assert_eq!(scenario.variants[1].lines.len(), 2);
    type_into(&mut harness, "Hours", "twelve");
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    harness.get_by_label_contains("hours: \"twelve\" is not a number");

    harness.get_by_label("Summary").click();
    settle(&mut harness);
    let out = dir.path().join("green-ai.html");
    type_into(&mut harness, "to", &out.display().to_string());
    harness.get_by_label("Write this record's report").click();
    settle(&mut harness);
    harness.get_by_label_contains(&format!("Wrote {}", out.display()));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(&format!("Record {record}: Green AI")));
    harness.get_by_label("Open in browser");
}

/// The calculator's result on screen.
fn estimate_shown(harness: &Window) -> ecolens_core::estimate::Estimate {
    let shown = harness
        .state()
        .tabs
        .assess
        .estimate_result
        .clone()
        .unwrap()
        .unwrap();
    *shown
}

/// LLM requests in the calculator: EcoLogits' method with its model table, the project's grid
/// source unless "Reproduce EcoLogits' own number" is ticked, then the figures the CLI and the
/// `ecologits` package give (`docs/reference/ecologits_reference.py`).
#[test]
fn the_calculator_estimates_llm_requests_by_ecologits_method() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("llm.ecolens");
    let (mut harness, _) = assess_green_ai(&path);
    harness.get_by_label("Estimate").click();
    harness.step();
    harness.get_by_label("LLM requests (EcoLogits)").click();
    harness.step();
    // The form starts on gpt-4o-mini; the country is the provider's zone unless chosen.
    harness.get_by_label("Country (for the grid)").click();
    harness.step();
    harness.step();
    harness.get_by_label("The provider's zone").click();
    harness.step();
    assert_eq!(harness.state().tabs.assess.estimate.country, "");
    type_into(&mut harness, "Output tokens per request", "1000");
    harness
        .get_by_label("Reproduce EcoLogits' own number")
        .click();
    harness.step();
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    let shown = match &harness.state().tabs.assess.inference_result {
        Some(Ok(e)) => e.clone(),
        other => panic!("no inference shown: {other:?}"),
    };
    assert_eq!(shown.zone, "USA");
    let gwp = shown.per_request.gwp_kg;
    assert!(
        (gwp.min - 2.690_836_272_233_987_6e-5).abs() < 1e-15,
        "{gwp:?}"
    );
    assert!(
        (gwp.max - 3.216_154_747_892_434e-5).abs() < 1e-15,
        "{gwp:?}"
    );
    harness.get_by_label("  of making the hardware");
    harness.get_by_label_contains("the model's architecture has not been released");
    // A thousand requests: a thousand times one, in the table's second column.
    type_into(&mut harness, "Requests", "1000");
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    let Some(Ok(thousand)) = &harness.state().tabs.assess.inference_result else {
        panic!("no answer");
    };
    assert!((thousand.total.gwp_kg.max - gwp.max * 1000.0).abs() < 1e-12);
}

/// The manufacturing share in the calculator gives what `ecolens estimate --embodied` gives.
#[test]
fn the_calculator_adds_the_manufacturing_share_when_ticked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embodied.ecolens");
    let (mut harness, _) = assess_green_ai(&path);
    harness.get_by_label("Estimate").click();
    harness.step();
    harness.get_by_label("Chips × hours × power").click();
    harness.step();
    type_into(&mut harness, "Chips", "384");
    type_into(&mut harness, "Hours", &format!("{}", 1_082_990.0 / 384.0));
    type_into(&mut harness, "Average power per chip, W", "400");
    harness
        .get_by_label("Add the hardware's manufacturing share")
        .click();
    harness.step();
    harness.get_all_by_label("Estimate").last().unwrap().click();
    settle(&mut harness);
    let estimate = estimate_shown(&harness);
    // Chip-hours know no GPU model: the data-centre card range's 300 kg, BLOOM's node.
    let want = 1_082_990.0 * (300.0 + 2500.0 / 8.0) / (6.0 * 8760.0 * 0.85);
    let got = estimate.embodied_co2e_kg.expect("a manufacturing share");
    assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    harness.get_by_label_contains("+ manufacturing share");
}

/// The Paper audit part: a worked case audited, another loaded, and the audit attached to the
/// record in focus as the reviewer at the keyboard (refused while no one is).
#[test]
fn a_papers_figures_are_audited_and_attached_to_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paper.ecolens");
    {
        let mut project = ecolens_app::service::project::open(&path, true)
            .unwrap()
            .project;
        project.add_reviewer("Anne", true).unwrap();
    }
    let (mut harness, record) = assess_green_ai(&path);
    harness.get_by_label("Paper audit").click();
    settle(&mut harness);
    // The form starts on Strubell et al.'s NAS row: its CO2e fits, its "more than 300 t" not.
    harness.get_all_by_label("Audit").next().unwrap().click();
    settle(&mut harness);
    harness.get_by_label_contains("1 fits, 1 claim contradicted");
    harness.get_by_label("claim contradicted");
    // Another worked case.
    harness.get_by_label("patterson-gpt3").click();
    harness.step();
    assert!(harness.state().tabs.assess.paper.label.contains("GPT-3"));
    harness.get_all_by_label("Audit").next().unwrap().click();
    settle(&mut harness);
    let Some(Ok(audit)) = &harness.state().tabs.assess.paper_result else {
        panic!("no audit shown");
    };
    assert!(audit.findings.iter().all(|f| !f.verdict.is_problem()));
    // A typo names its field.
    type_into(
        &mut harness,
        "CO2e as stated (626155 lbs, 552 t)",
        "552 parsecs",
    );
    harness.get_all_by_label("Audit").next().unwrap().click();
    settle(&mut harness);
    harness.get_by_label_contains("CO2e:");
    type_into(&mut harness, "CO2e as stated (626155 lbs, 552 t)", "552 t");
    // Attaching needs someone at the keyboard.
    let attach = format!("Audit and attach to record {record}");
    harness.get_by_label(&attach).click();
    settle(&mut harness);
    assert!(matches!(
        harness.state().tabs.assess.paper_result,
        Some(Err(_))
    ));
    assert!(
        Project::open_existing(&path)
            .unwrap()
            .paper_audits(record)
            .unwrap()
            .is_empty()
    );
    // Who is at the keyboard is picked here too.
    crate::review::be(&mut harness, "Anne");
    harness.get_by_label(&attach).click();
    settle(&mut harness);
    harness.get_by_label_contains("Attached the audit to record");
    harness.get_by_label(&format!("Attached to record {record}"));
    let stored = Project::open_existing(&path)
        .unwrap()
        .paper_audits(record)
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].audit.chain.label.contains("GPT-3"));
    assert!(stored[0].reviewer.is_some());
    // Classify shows it as evidence beside the classification.
    harness.get_by_label("Classify").click();
    settle(&mut harness);
    harness.get_by_label("The paper's own figures, audited (Assess → Paper audit)");
    harness.get_by_label_contains("(attached by Anne)");
}

/// The audit fills itself from the record's text: each figure found is a suggestion the
/// reviewer accepts or rejects, and Classify shows the category they point to.
#[test]
fn the_audit_fills_from_the_records_text_and_classify_shows_what_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cues.ecolens");
    let ris = dir.path().join("one.ris");
    std::fs::write(
        &ris,
        "TY  - JOUR\nTI  - Searching architectures\nAB  - Training the neural architecture search on 8 P100 GPUs for 274,120 hours at a PUE of 1.58 emits 626,155 lbs of CO2e, using the U.S. average of 0.954 lbs/kWh.\nER  - \n",
    )
    .unwrap();
    let imported = std::process::Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args([
            "import",
            ris.to_str().unwrap(),
            "--project",
            path.to_str().unwrap(),
        ])
        .env("ECOLENS_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(imported.status.success());
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args([
            "reviewer",
            "add",
            "Anne",
            "--lead",
            "--project",
            path.to_str().unwrap(),
        ])
        .env("ECOLENS_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(added.status.success());
    let mut harness = harness(&path, false);
    harness.get_by_label("Assess").click();
    settle(&mut harness);
    type_into(&mut harness, "Record id", "1");
    harness.get_by_label("Go").click();
    settle(&mut harness);
    harness.get_by_label("Paper audit").click();
    settle(&mut harness);
    harness.get_by_label("Fill from record 1's text").click();
    settle(&mut harness);
    let form = harness.state().tabs.assess.paper.clone();
    assert_eq!(form.hours, "274120");
    assert_eq!(form.pue, "1.58");
    assert_eq!(form.chips, "8");
    assert_eq!(form.co2e, "626,155 lbs");
    assert_eq!(form.intensity, "0.954 lbs/kWh");
    // Rejecting a figure empties its field.
    harness.get_by_label("8 (chips)").click();
    settle(&mut harness);
    assert_eq!(harness.state().tabs.assess.paper.chips, "");
    // The abstract gives no power, so nothing meets yet: the reviewer adds the table's
    // 1,515.43 W (the whole machine's: one "chip") and the CO2e is checked.
    harness.get_all_by_label("Audit").next().unwrap().click();
    settle(&mut harness);
    let Some(Ok(audit)) = &harness.state().tabs.assess.paper_result else {
        panic!("no audit");
    };
    assert!(audit.findings.is_empty());
    type_into(&mut harness, "Chips", "1");
    type_into(&mut harness, "Average power per chip, W", "1515.43");
    harness.get_all_by_label("Audit").next().unwrap().click();
    settle(&mut harness);
    let Some(Ok(audit)) = &harness.state().tabs.assess.paper_result else {
        panic!("no audit");
    };
    assert_eq!(audit.summary(), "1 fits");
    // Classify marks the figures and says what they point to.
    harness.get_by_label("Classify").click();
    settle(&mut harness);
    crate::review::be(&mut harness, "Anne");
    harness.get_by_label_contains("The text's figures point to e");
}
