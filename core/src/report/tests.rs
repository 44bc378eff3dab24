//! Report tests on a project built here, with a real CodeCarbon trace from the fixtures.

use std::path::PathBuf;

use ecolens_taxonomy::{Direction, EffectCode, EvalCategory};

use super::*;
use crate::estimate::FactorOverrides;
use crate::record::{Person, Record, RecordKind, SourceRef};
use crate::review::{Classification, ReboundRisk};
use crate::store::attach_trace_file;
use crate::workflow::{ResolvedValue, Subject};

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces")
        .join(relative)
}

/// A project with two reviewers (Ana leads), one record whose title needs escaping, Ana's
/// and Ben's categories, one risk of Ana's, the EO-College CodeCarbon trace and the
/// smart-building scenario.
fn assessed() -> (Project, RecordId, ReviewerId, ReviewerId) {
    let mut project = Project::open_in_memory().unwrap();
    let record = Record {
        kind: RecordKind::JournalArticle,
        title: "Smart <b>HVAC</b> control & its | footprint".into(),
        authors: vec![Person::new("Doe", "Jane"), Person::new("Roe", "Rick")],
        year: Some(2023),
        venue: Some("Energy and Buildings".into()),
        ..Record::default()
    };
    let source = SourceRef {
        file: "/data/test.ris".into(),
        format: "ris".into(),
        locator: Some("line 1".into()),
        original_key: None,
    };
    let id = project.insert_record(&record, &source).unwrap();
    let ana = project.add_reviewer("ana", true).unwrap().id;
    let ben = project.add_reviewer("ben", false).unwrap().id;
    let mut c = Classification::new(EvalCategory::D);
    c.rationale = Some("Energy saving measured, AI cost not counted".into());
    project.set_classification(id, ana, &c).unwrap();
    project
        .set_classification(id, ben, &Classification::new(EvalCategory::C))
        .unwrap();
    let mut risk = ReboundRisk::new(EffectCode::HoRbDir);
    risk.mechanism = "Cheaper comfort, warmer set points".into();
    risk.direction = Some(Direction::IncreasesImpact);
    project.add_risk(id, ana, &risk).unwrap();
    attach_trace_file(
        &mut project,
        Some(id),
        &fixture("codecarbon/emissions_v2.7.4_eo-college_linux.csv"),
    )
    .unwrap();
    let (_, smart) = crate::lca::EXAMPLES
        .iter()
        .find(|(f, _)| f.starts_with("smart"))
        .unwrap();
    project.save_scenario(Some(id), smart).unwrap();
    (project, id, ana, ben)
}

const OPTIONS: ReportOptions = ReportOptions {
    runs: 2000,
    seed: 7,
};

/// What `reader` may see in `project`.
fn seen(project: &Project, reader: Option<ReviewerId>) -> crate::Visibility {
    project.visibility(reader).unwrap()
}

#[test]
fn blind_mode_hides_other_reviewers_and_refuses_a_report_without_a_reader() {
    let (project, id, _, ben) = assessed();
    let refused = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap_err();
    assert!(
        refused.to_string().contains("blind mode is on"),
        "{refused}"
    );
    let report = RecordReport::gather(&project, id, &seen(&project, Some(ben)), &OPTIONS).unwrap();
    assert_eq!(report.hidden, 2, "Ana's category and risk");
    assert_eq!(report.category.reviewers.len(), 1);
    assert_eq!(report.category.category, Some(EvalCategory::C));
    assert!(report.risks.is_empty());
    assert!(
        report
            .markdown()
            .contains("2 judgement(s) of other reviewers are hidden")
    );
    // Traces and scenarios are not judgements: they stay.
    assert_eq!(report.traces.len(), 6);
    assert_eq!(report.scenarios.len(), 1);
}

#[test]
fn category_is_agreed_disputed_or_resolved() {
    let (mut project, id, ana, _) = assessed();
    project.set_blind(ana, false).unwrap();
    let disputed = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap();
    assert_eq!(disputed.category.category, None);
    assert_eq!(
        disputed.category.basis,
        "2 reviewers disagree; a lead resolves it"
    );
    assert_eq!(disputed.risks.len(), 1);
    assert_eq!(disputed.risks[0].reviewer, "ana");
    project
        .resolve(
            ana,
            id,
            &Subject::Classification,
            &ResolvedValue::Classification(EvalCategory::D),
            Some("discussed"),
        )
        .unwrap();
    let resolved = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap();
    assert_eq!(resolved.category.category, Some(EvalCategory::D));
    assert_eq!(resolved.category.basis, "resolved by ana");
    let markdown = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS)
        .unwrap()
        .markdown();
    assert!(
        markdown.contains("Category d: Evaluation of the energy gain without the AI program."),
        "{markdown}"
    );
    assert!(markdown.contains("(resolved by ana)"));
}

#[test]
#[allow(clippy::float_cmp)] // Sums of the same stored numbers.
fn traces_carry_their_footprint_and_the_project_overrides_it_with_a_source() {
    let (mut project, id, ana, _) = assessed();
    project.set_blind(ana, false).unwrap();
    let report = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap();
    let first = &report.traces[0];
    // CodeCarbon's own factor for Italy is kept beside ours; ours is digital4better's ITA 2024.
    assert_eq!(first.footprint.place, "Italy (ITA), 2024");
    let e = &first.footprint.estimate;
    assert_eq!(e.it_energy_kwh, first.summary.it_energy_kwh());
    assert!((e.co2e_kg - e.energy_kwh * e.intensity_g_per_kwh / 1000.0).abs() < 1e-15);
    assert!(e.assumptions[2].source.contains("digital4better"));
    let (low, high) = first.footprint.co2e_range_kg.unwrap();
    assert!(low <= e.co2e_kg && e.co2e_kg <= high && low < high);
    let totals = report.trace_totals();
    assert_eq!(totals.runs, 6);
    let sum: f64 = report
        .traces
        .iter()
        .map(|t| t.footprint.estimate.co2e_kg)
        .sum();
    assert!((totals.co2e_kg - sum).abs() < 1e-15);

    let bad = FactorOverrides {
        pue: Some(0.8),
        ..FactorOverrides::default()
    };
    let refused = project.set_factor_overrides(&bad).unwrap_err();
    assert!(refused.to_string().contains("factors.pue"), "{refused}");
    let overrides = FactorOverrides {
        pue: Some(1.2),
        intensity_g_per_kwh: Some(100.0),
        source: Some("host's 2024 sustainability report".into()),
        ..FactorOverrides::default()
    };
    project.set_factor_overrides(&overrides).unwrap();
    assert_eq!(project.factor_overrides().unwrap(), overrides);
    let report = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap();
    let e = &report.traces[0].footprint.estimate;
    assert_eq!(e.pue, 1.2);
    assert_eq!(e.intensity_g_per_kwh, 100.0);
    assert!((e.co2e_kg - e.it_energy_kwh * 1.2 * 100.0 / 1000.0).abs() < 1e-15);
    assert_eq!(
        e.assumptions[1].source,
        "project setting: host's 2024 sustainability report (the project's own value)"
    );
    assert_eq!(report.traces[0].footprint.co2e_range_kg, None);
    // Clearing brings the defaults back.
    project
        .set_factor_overrides(&FactorOverrides::default())
        .unwrap();
    assert!(project.factor_overrides().unwrap().is_empty());
}

#[test]
fn scenarios_give_deltas_with_intervals_and_a_broken_one_says_why() {
    let (mut project, id, ana, _) = assessed();
    project.set_blind(ana, false).unwrap();
    let broken = r#"
name = "Fed by a detached trace"
functional_unit = "one run"
criteria = ["gwp"]
[[variant]]
id = "M1"
name = "none"
[[variant]]
id = "M2"
name = "model"
[[variant.line]]
phase = "training"
name = "training run"
amount = 1
trace = 999
unit = "kWh"
electricity = "FRA"
"#;
    project.save_scenario(Some(id), broken).unwrap();
    let report = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap();
    assert_eq!(report.scenarios.len(), 2);
    let smart = report
        .scenarios
        .iter()
        .find(|s| s.name.contains("HVAC"))
        .unwrap();
    let (e, mc) = (
        smart.evaluation.as_ref().unwrap(),
        smart.monte_carlo.as_ref().unwrap(),
    );
    assert_eq!(mc.runs, 2000);
    assert!(e.burden_shift.across_criteria());
    let gwp = &mc.criteria[0];
    assert!(gwp.delta.p5 <= gwp.delta.median && gwp.delta.median <= gwp.delta.p95);
    let failed = report
        .scenarios
        .iter()
        .find(|s| s.name.contains("detached"))
        .unwrap();
    assert!(failed.evaluation.is_none());
    assert!(
        failed.error.as_deref().unwrap().contains("999"),
        "{failed:?}"
    );

    let markdown = report.markdown();
    assert!(
        markdown.contains("| Global warming potential (gwp) | kgCO2e |"),
        "{markdown}"
    );
    assert!(markdown.contains("Burden shift: M2 improves gwp"));
    assert!(markdown.contains("No result: "));
    assert!(markdown.contains(r"Smart \<b\>HVAC\</b\> control & its \| footprint"));
    assert!(markdown.contains("**Energy and emissions of the computations.**"));

    let html = report.html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Smart &lt;b&gt;HVAC&lt;/b&gt; control &amp; its | footprint"));
    assert!(!html.contains("<b>HVAC"));
    assert_eq!(
        html.matches("<table>").count(),
        html.matches("</table>").count()
    );
    assert!(html.contains("<svg class=\"delta\""));
    assert!(
        html.contains("⚠ traces 1, 2, 3, 4, 5, 6: "),
        "warnings grouped"
    );
}

#[test]
fn project_summary_counts_categories_and_lists_assessed_records_only() {
    let (mut project, id, ana, ben) = assessed();
    project.set_blind(ana, false).unwrap();
    let source = SourceRef {
        file: "/data/test.ris".into(),
        format: "ris".into(),
        locator: Some("line 9".into()),
        original_key: None,
    };
    let other = project
        .insert_record(
            &Record {
                title: "Untouched record".into(),
                ..Record::default()
            },
            &source,
        )
        .unwrap();
    let third = project
        .insert_record(
            &Record {
                title: "Agreed record".into(),
                ..Record::default()
            },
            &source,
        )
        .unwrap();
    for who in [ana, ben] {
        project
            .set_classification(third, who, &Classification::new(EvalCategory::B))
            .unwrap();
    }
    let summary = ProjectReport::gather(&project, &seen(&project, None), &OPTIONS).unwrap();
    let ids: Vec<RecordId> = summary.records.iter().map(|r| r.record).collect();
    assert_eq!(ids, vec![id, third]);
    assert!(!ids.contains(&other));
    assert_eq!(
        summary.by_category,
        vec![
            ("a".to_owned(), 0),
            ("b".to_owned(), 1),
            ("c".to_owned(), 0),
            ("d".to_owned(), 0),
            ("e".to_owned(), 0),
            ("f".to_owned(), 0),
            ("unsettled".to_owned(), 1),
        ]
    );
    assert_eq!(summary.traces.runs, 6);
    let markdown = summary.markdown();
    assert!(markdown.contains("| Record | Title | Category |"));
    assert!(!markdown.contains("Untouched"));
    assert!(markdown.contains("yes (adpe, ctue)"), "{markdown}");
    let html = summary.html();
    assert!(html.contains(&format!("<a href=\"#record-{id}\">{id}</a>")));
    assert!(html.contains(&format!("<section id=\"record-{third}\">")));
}

#[test]
fn emissions_statement_reads_as_a_paragraph_in_markdown_and_latex() {
    let (mut project, id, ana, _) = assessed();
    project.set_blind(ana, false).unwrap();
    let report = RecordReport::gather(&project, id, &seen(&project, None), &OPTIONS).unwrap();
    let statement = EmissionsStatement::of(&report.traces).unwrap();
    assert_eq!(statement.tools, vec!["CodeCarbon 2.7.4".to_owned()]);
    assert_eq!(statement.totals.runs, 6);
    let md = statement.markdown();
    assert!(md.contains("(6 run(s), "), "{md}");
    // Said at the prefix that keeps the number readable (g for a few runs, kg, t …).
    let (co2e, mass) = crate::quantity::scale(statement.totals.co2e_kg, "kg");
    assert!(md.contains(&format!("{} {mass}CO₂e", num(co2e))), "{md}");
    assert!(md.contains("Sources: PUE: Uptime Institute"));
    let tex = statement.latex();
    assert!(tex.starts_with("\\paragraph{Energy and emissions of the computations.}"));
    assert!(tex.contains(&format!("~{mass}\\,CO$_2$e")), "{tex}");
    assert!(!tex.contains('₂') && !tex.contains('–'));
    assert!(EmissionsStatement::of(&[]).is_none());
}

#[test]
fn numbers_and_escapes() {
    assert_eq!(num(1234.5678), "1,235");
    assert_eq!(num(0.5), "0.5");
    assert_eq!(num(-20_268.4), "-20,268");
    assert_eq!(num(0.012_345_6), "0.01235");
    assert_eq!(num(1e-5), "1e-5");
    assert_eq!(num(0.0), "0");
    assert_eq!(
        latex_escape("50 % & $x_1$ – {a}"),
        "50 \\% \\& \\$x\\_1\\$ -- \\{a\\}"
    );
    assert_eq!(doc::md("a|b\nc"), "a\\|b c");
}
