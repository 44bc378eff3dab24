//! LCA scenario tests: hand-computed results, paired Monte Carlo, tornado, the shipped examples.

#![allow(clippy::float_cmp)] // Small scenarios with exact binary values.

use super::*;

const NO_TRACES: &dyn Fn(i64) -> Option<f64> = &|_| None;

const SMALL: &str = r#"
name = "small"
functional_unit = "one thing"
criteria = ["gwp", "adpe"]

[parameters]
x = { value = "normal(100, 30)", unit = "kWh" }
k = { value = "uniform(1, 3)", unit = "1" }

[[variant]]
id = "M1"
name = "reference"
[[variant.line]]
phase = "non_ict_process"
name = "process"
amount = "$x"
factors = { gwp = 2.0, adpe = 0.5 }

[[variant]]
id = "M2"
name = "with AI"
[[variant.line]]
phase = "non_ict_process"
name = "process, less"
amount = ["$x", 0.5]
factors = { gwp = 2.0, adpe = 0.5 }
[[variant.line]]
phase = "equipment_manufacturing"
name = "device"
amount = 4
factors = { gwp = "$k", adpe = "triangular(10, 20, 30)" }
"#;

fn small() -> Scenario {
    Scenario::from_toml(SMALL).unwrap()
}

#[test]
fn deterministic_result_per_variant_phase_and_criterion_with_burden_shift() {
    let result = evaluate(&small(), NO_TRACES).unwrap();
    // M1: 100 × 2 = 200 gwp, 50 adpe. M2: 50 × 2 + 4 × 2 = 108 gwp; 25 + 4 × 20 = 105 adpe.
    assert_eq!(result.variants[0].totals, vec![200.0, 50.0]);
    assert_eq!(result.variants[1].totals, vec![108.0, 105.0]);
    assert_eq!(result.criteria[0].delta, -92.0);
    assert_eq!(result.criteria[1].delta, 55.0);
    assert_eq!(result.criteria[0].relative, Some(-0.46));
    assert_eq!(result.criteria[0].unit, "kgCO2e");
    assert!(result.burden_shift.across_criteria());
    assert_eq!(result.burden_shift.improves, vec!["gwp"]);
    assert_eq!(result.burden_shift.worsens, vec!["adpe"]);
    // GWP: saved in the process, added in manufacturing.
    assert_eq!(result.burden_shift.between_phases[0].0, "gwp");
    // Contribution normalised to M1 = 100 %: M2's process 50 %, device 4 %.
    let shares = result.contribution(0);
    assert!(shares.contains(&(0, LifeCyclePhase::NonIctProcess, 100.0)));
    assert!(shares.contains(&(1, LifeCyclePhase::NonIctProcess, 50.0)));
    assert!(shares.contains(&(1, LifeCyclePhase::EquipmentManufacturing, 4.0)));
    assert_eq!(result.inputs.len(), 3);
}

#[test]
fn monte_carlo_is_paired_seeded_and_reproducible() {
    let scenario = small();
    let a = monte_carlo(&scenario, NO_TRACES, 20_000, 42).unwrap();
    let b = monte_carlo(&scenario, NO_TRACES, 20_000, 42).unwrap();
    assert_eq!(a, b);
    let c = monte_carlo(&scenario, NO_TRACES, 20_000, 43).unwrap();
    assert_ne!(a.criteria[0].delta.median, c.criteria[0].delta.median);
    let gwp = &a.criteria[0];
    // Δgwp = −x + 4k: median ≈ −100 + 8; paired, x's spread (sd 30) shows as −x, not doubled.
    assert!((gwp.delta.median - -92.0).abs() < 1.5, "{:?}", gwp.delta);
    assert!(gwp.delta.p5 < gwp.delta.median && gwp.delta.median < gwp.delta.p95);
    assert!(gwp.p_m2_better > 0.99);
    assert_eq!(a.uncertain_inputs, 3);
    assert!(a.p_burden_shift > 0.9);

    let paired = Scenario::from_toml(
        r#"
name = "paired"
functional_unit = "u"
criteria = ["gwp"]
[parameters]
x = { value = "normal(100, 30)" }
[[variant]]
id = "M1"
name = "a"
[[variant.line]]
phase = "inference"
name = "a"
amount = "$x"
factors = { gwp = 1 }
[[variant]]
id = "M2"
name = "b"
[[variant.line]]
phase = "inference"
name = "b"
amount = "$x"
factors = { gwp = 1 }
[[variant.line]]
phase = "inference"
name = "minus one"
amount = -1
factors = { gwp = 1 }
"#,
    )
    .unwrap();
    let mc = monte_carlo(&paired, NO_TRACES, 5_000, 1).unwrap();
    let delta = mc.criteria[0].delta;
    assert!(
        (delta.p5 + 1.0).abs() < 1e-9 && (delta.p95 + 1.0).abs() < 1e-9,
        "{delta:?}"
    );
    assert_eq!(mc.criteria[0].p_m2_better, 1.0);
    assert!(mc.criteria[0].m1.p95 - mc.criteria[0].m1.p5 > 90.0);
}

#[test]
fn monte_carlo_can_be_cancelled_and_reports_progress() {
    let mut seen = Vec::new();
    let result = monte_carlo_with_progress(&small(), NO_TRACES, 5_000, 1, &mut |done| {
        seen.push(done);
        done < 2_000
    })
    .unwrap();
    assert!(result.is_none());
    assert_eq!(seen, vec![0, 1_000, 2_000]);
}

#[test]
fn tornado_ranks_inputs_by_their_swing() {
    let bars = tornado(&small(), NO_TRACES, 0).unwrap();
    // On gwp: x (normal sd 30 → ±49 kWh × 2 × 0.5 → swing 98.7) ranks above k (swing 4 × 1.8 = 7.2);
    // the adpe triangle does not move gwp.
    assert_eq!(bars[0].input, "$x");
    assert!((bars[0].swing(0) - 2.0 * 1.644_853_626_951_472_2 * 30.0).abs() < 1e-9);
    assert_eq!(bars[1].input, "$k");
    assert!((bars[1].swing(0) - 4.0 * 1.8).abs() < 1e-9);
    assert_eq!(bars[2].swing(0), 0.0);
    let on_adpe = tornado(&small(), NO_TRACES, 1).unwrap();
    assert_eq!(on_adpe[0].input, "M2 · device · adpe factor");
}

#[test]
fn scenarios_round_trip_through_toml_and_bad_ones_say_where() {
    let scenario = small();
    let written = scenario.to_toml().unwrap();
    assert_eq!(Scenario::from_toml(&written).unwrap(), scenario);
    let text = SMALL;

    let error = Scenario::from_toml(&text.replace("\"$x\"", "\"$y\""))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("$y") && error.contains("a parameter defined under [parameters] (k, x)"),
        "{error}"
    );
    let error =
        Scenario::from_toml(&text.replace("triangular(10, 20, 30)", "triangular(30, 20, 10)"))
            .unwrap_err()
            .to_string();
    assert!(
        error.contains("min ≤ mode ≤ max") && error.contains("line "),
        "{error}"
    );
    let error = Scenario::from_toml(&text.replace(
        "criteria = [\"gwp\", \"adpe\"]",
        "criteria = [\"gwp\", \"happiness\"]",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("happiness") && error.contains("[units]"),
        "{error}"
    );
    let one_variant = text
        .split("[[variant]]")
        .take(2)
        .collect::<Vec<_>>()
        .join("[[variant]]");
    let error = Scenario::from_toml(&one_variant).unwrap_err().to_string();
    assert!(error.contains("exactly two [[variant]]"), "{error}");
    let with_units = text
        .replace(
            "criteria = [\"gwp\", \"adpe\"]",
            "criteria = [\"gwp\", \"adpe\", \"noise\"]",
        )
        .replace("[parameters]", "[units]\nnoise = \"dB·h\"\n\n[parameters]");
    let scenario = Scenario::from_toml(&with_units).unwrap();
    assert_eq!(scenario.unit("noise"), "dB·h");
    let result = evaluate(&scenario, NO_TRACES).unwrap();
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.contains("no noise factor"))
    );
}

#[test]
fn a_trace_feeds_a_line() {
    let text = SMALL.replace("name = \"device\"", "name = \"device\"\ntrace = 7");
    let scenario = Scenario::from_toml(&text).unwrap();
    let result = evaluate(&scenario, &|id| (id == 7).then_some(0.5)).unwrap();
    assert_eq!(result.variants[1].totals[0], 100.0 + 4.0 * 0.5 * 2.0);
    let error = evaluate(&scenario, NO_TRACES).unwrap_err().to_string();
    assert!(
        error.contains("device.trace") && error.contains("ecolens trace attach"),
        "{error}"
    );
}

#[test]
fn shipped_examples_evaluate_with_intervals_and_the_smart_building_shifts_burden() {
    for (file, text) in EXAMPLES {
        let scenario = Scenario::from_toml(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let result = evaluate(&scenario, NO_TRACES).unwrap();
        let mc = monte_carlo(&scenario, NO_TRACES, 10_000, 1).unwrap();
        for c in &mc.criteria {
            assert!(
                c.delta.p5 <= c.delta.median && c.delta.median <= c.delta.p95,
                "{file} {c:?}"
            );
            assert!(c.delta.p5 < c.delta.p95, "{file}: {} has no spread", c.code);
        }
        assert!(!tornado(&scenario, NO_TRACES, 0).unwrap().is_empty());
        if file == "smart-building.toml" {
            assert_eq!(
                result.burden_shift.improves.first().map(String::as_str),
                Some("gwp")
            );
            assert!(
                result.burden_shift.worsens.contains(&"adpe".to_owned()),
                "{:?}",
                result.burden_shift
            );
            assert!(mc.criteria[0].p_m2_better > 0.9);
        }
        if file == "inference-per-model.toml" {
            // Detector energy is tiny next to hours of laptop screening.
            assert!(result.criteria[0].delta < 0.0);
            let inference_m2 = result.variants[1]
                .by_phase
                .iter()
                .find(|(p, _)| *p == LifeCyclePhase::Inference)
                .unwrap();
            assert!(inference_m2.1[0] > 0.0);
        }
    }
}

#[test]
fn scenarios_built_in_code_are_checked_before_they_are_evaluated() {
    let mut scenario = small();
    scenario.variants[1].lines[0].amount = Product(vec![Term::Parameter("missing".to_owned())]);
    let error = evaluate(&scenario, NO_TRACES).unwrap_err().to_string();
    assert!(error.contains("$missing"), "{error}");
    let mut three = small();
    three.variants.push(three.variants[1].clone());
    let error = monte_carlo(&three, NO_TRACES, 10, 1)
        .unwrap_err()
        .to_string();
    assert!(error.contains("exactly two [[variant]]"), "{error}");
}

#[test]
fn products_read_and_write_as_terms_joined_by_times() {
    let product: Product = "$inferences × 0.61*1/$lifetime × triangular(1, 2, 3)"
        .parse()
        .unwrap();
    assert_eq!(
        product.0,
        vec![
            Term::Parameter("inferences".into()),
            Term::Value(Distribution::Fixed(0.61)),
            Term::Reciprocal("lifetime".into()),
            Term::Value(Distribution::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 3.0
            }),
        ]
    );
    let written = product.to_string();
    assert_eq!(
        written,
        "$inferences × 0.61 × 1/$lifetime × triangular(1, 2, 3)"
    );
    assert_eq!(written.parse::<Product>().unwrap(), product);
    let empty = " × ".parse::<Product>().unwrap_err().to_string();
    assert!(empty.contains("terms joined by ×"), "{empty}");
    let wrong = "$n × triangle(1)"
        .parse::<Product>()
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("triangle(1)"), "{wrong}");
}

/// Issue 18, defect 9: the headline Δ is at the central values, and a skewed input moves the
/// Monte Carlo median and mean away from it, each its own figure. M2 saves a lognormal
/// amount (median 100, σ 0.8): central Δ −100, median −100, mean −100 · e^(0.32) = −137.7
/// (the lognormal's mean, exp(μ + σ²/2)).
#[test]
fn central_median_and_mean_are_three_figures_of_a_skewed_saving() {
    let scenario = Scenario::from_toml(
        r#"
name = "skewed"
functional_unit = "one thing"
criteria = ["gwp"]

[parameters]
saving = { value = "lognormal(100, 0.8)", unit = "kgCO2e" }

[[variant]]
id = "M1"
name = "reference"
[[variant.line]]
phase = "non_ict_process"
name = "process"
amount = 1000
factors = { gwp = 1.0 }

[[variant]]
id = "M2"
name = "with AI"
[[variant.line]]
phase = "non_ict_process"
name = "process"
amount = 1000
factors = { gwp = 1.0 }
[[variant.line]]
phase = "non_ict_process"
name = "saving"
amount = ["$saving", -1]
factors = { gwp = 1.0 }
"#,
    )
    .unwrap();
    let central = evaluate(&scenario, NO_TRACES).unwrap().criteria[0].delta;
    assert!((central + 100.0).abs() < 1e-9, "{central}");
    let mc = monte_carlo(&scenario, NO_TRACES, 200_000, 7).unwrap();
    let delta = mc.criteria[0].delta;
    let mean = -100.0 * (0.8_f64 * 0.8 / 2.0).exp();
    assert!(
        (delta.mean - mean).abs() < 0.01 * mean.abs(),
        "{delta:?} against {mean}"
    );
    assert!((delta.median + 100.0).abs() < 1.5, "{delta:?}");
    // The tables show all three, each labelled.
    let cells = crate::report::criterion_cells(
        &evaluate(&scenario, NO_TRACES).unwrap().criteria[0],
        &mc.criteria[0],
    );
    assert_eq!(crate::report::CRITERION_HEADERS[7], "Δ mean");
    assert_eq!(cells[7], crate::report::num(delta.mean));
}

/// Issue 18, defect 4: `unit = "MWh"` on an electricity line was computed as kWh, a silent
/// × 1000. The amount is converted to the factors' kWh; a unit that is not energy is refused
/// and the error names the line.
#[test]
fn an_electricity_line_converts_its_energy_unit_and_refuses_a_unit_that_is_not_energy() {
    let scenario = |amount: &str, unit: &str| {
        Scenario::from_toml(&format!(
            r#"
name = "units"
functional_unit = "one thing"
criteria = ["gwp"]
year = 2024

[[variant]]
id = "M1"
name = "reference"
[[variant.line]]
phase = "non_ict_process"
name = "grid"
amount = {amount}
unit = "{unit}"
electricity = "FRA"

[[variant]]
id = "M2"
name = "with AI"
[[variant.line]]
phase = "non_ict_process"
name = "grid"
amount = 0
unit = "kWh"
electricity = "FRA"
"#
        ))
    };
    let gwp_m1 = |amount: &str, unit: &str| {
        evaluate(&scenario(amount, unit).unwrap(), NO_TRACES)
            .unwrap()
            .variants[0]
            .totals[0]
    };
    let kwh = gwp_m1("1000", "kWh");
    assert!((gwp_m1("1", "MWh") - kwh).abs() < 1e-9 * kwh);
    assert!((gwp_m1("3600", "MJ") - kwh).abs() < 1e-9 * kwh);
    assert!((gwp_m1("1000000", "Wh") - kwh).abs() < 1e-9 * kwh);
    assert!((gwp_m1("1000", "") - kwh).abs() < 1e-12);
    let error = scenario("10", "kg").unwrap_err().to_string();
    assert!(error.contains("variant[0].line[0] (grid).unit"), "{error}");
    assert!(error.contains("an energy unit"), "{error}");
}

/// Issue 18, defect 4: scenarios name shipped factors by id (`#id`) instead of retyping their
/// values; the value comes with its source, and a factor in the wrong unit for its criterion
/// is refused, naming the line.
#[test]
fn a_scenario_names_shipped_factors_by_id_with_their_source() {
    let scenario = |gwp: &str| {
        Scenario::from_toml(&format!(
            r#"
name = "by id"
functional_unit = "one thing"
criteria = ["gwp"]

[[variant]]
id = "M1"
name = "reference"
[[variant.line]]
phase = "equipment_manufacturing"
name = "GPUs"
amount = 0
unit = "unit"
factors = {{ gwp = 1 }}

[[variant]]
id = "M2"
name = "with AI"
[[variant.line]]
phase = "equipment_manufacturing"
name = "GPUs"
amount = 8
unit = "unit"
factors = {{ gwp = "{gwp}" }}
"#
        ))
    };
    let result = evaluate(&scenario("#gpu.embodied.a100.bloom").unwrap(), NO_TRACES).unwrap();
    // BLOOM's 150 kgCO2e per A100, eight of them.
    assert_eq!(result.variants[1].totals[0], 1200.0);
    let (id, described) = &result.shipped[0];
    assert_eq!(id, "gpu.embodied.a100.bloom");
    assert!(described.contains("Luccioni"), "{described}");
    // J per inference is not a gwp factor.
    let error = scenario("#inference.yolov5s").unwrap_err().to_string();
    assert!(
        error.contains("variant[1].line[0] (GPUs).factors.gwp"),
        "{error}"
    );
    assert!(error.contains("J/inference"), "{error}");
    let error = scenario("#no.such.factor").unwrap_err().to_string();
    assert!(
        error.contains("the id of a factor ecolens ships"),
        "{error}"
    );
}

const REBOUND: &str = r#"
name = "rebound"
functional_unit = "one year of a building"
criteria = ["gwp"]

[parameters]
r = { value = 0.25, unit = "1", source = "test" }

[[variant]]
id = "M1"
name = "reference"
[[variant.line]]
phase = "non_ict_process"
name = "heating"
amount = 100
factors = { gwp = 2.0 }

[[variant]]
id = "M2"
name = "with AI"
[[variant.line]]
phase = "non_ict_process"
name = "heating"
amount = 100
factors = { gwp = 2.0 }
[[variant.line]]
phase = "non_ict_process"
name = "heating, saving"
amount = [100, 0.4, -1.0]
factors = { gwp = 2.0 }
[[variant.line]]
phase = "equipment_manufacturing"
name = "device"
amount = 4
factors = { gwp = 2.0 }

[rebound]
saving_lines = ["heating, saving"]
direct = "$r"
money_saved = 30
currency = "EUR"
respending = { gwp = 0.5 }
"#;

#[test]
fn rebound_takes_back_part_of_the_saving_and_the_money_saved_is_respent() {
    let scenario = Scenario::from_toml(REBOUND).unwrap();
    let result = evaluate(&scenario, NO_TRACES).unwrap();
    // Δ = 200 − 80 + 8 − 200 = −72; the saving is −80.
    assert_eq!(result.criteria[0].delta, -72.0);
    let rebound = &result.rebound.as_ref().unwrap()[0];
    assert_eq!(rebound.saving, -80.0);
    // Direct: 25 % of the 80 saved comes back; indirect: 30 EUR less the 25 % spent on
    // more heating, at 0.5 kgCO2e/EUR.
    assert_eq!(rebound.direct, 20.0);
    assert_eq!(rebound.indirect, 0.75 * 30.0 * 0.5);
    assert_eq!(rebound.delta_after, -72.0 + 20.0 + 11.25);
    // Δ(r) = (−72 + 15) − r (−80 + 15) = 0 at r = 57/65.
    let even = rebound.break_even.unwrap();
    assert!((even - 57.0 / 65.0).abs() < 1e-12, "{even}");
    let at_even = -72.0 + even * 80.0 + (1.0 - even) * 15.0;
    assert!(at_even.abs() < 1e-9, "Δ at break-even: {at_even}");
}

#[test]
fn p_net_benefit_is_the_share_of_runs_below_the_break_even() {
    let text = REBOUND.replace("r = { value = 0.25,", "r = { value = \"uniform(0, 1)\",");
    let scenario = Scenario::from_toml(&text).unwrap();
    let mc = monte_carlo(&scenario, NO_TRACES, 40_000, 7).unwrap();
    let rebound = mc.criteria[0].rebound.as_ref().unwrap();
    // Everything else is fixed: a net benefit exactly when r < 57/65 (a uniform's CDF).
    assert!(
        (rebound.p_net_benefit - 57.0 / 65.0).abs() < 0.01,
        "{}",
        rebound.p_net_benefit
    );
    // The gain before rebound is certain; the break-even is the same in every run.
    assert_eq!(mc.criteria[0].p_m2_better, 1.0);
    let even = rebound.break_even.unwrap();
    assert!((even.median - 57.0 / 65.0).abs() < 1e-12);
    assert_eq!(rebound.break_even_share, 1.0);
}

#[test]
fn a_rebound_section_names_real_lines_and_a_whole_indirect_part() {
    let unknown = REBOUND.replace(
        "saving_lines = [\"heating, saving\"]",
        "saving_lines = [\"heating, savings\"]",
    );
    let error = Scenario::from_toml(&unknown).unwrap_err().to_string();
    assert!(
        error.contains("rebound.saving_lines") && error.contains("heating, saving, device"),
        "{error}"
    );
    let no_intensity = REBOUND.replace("respending = { gwp = 0.5 }\n", "");
    let error = Scenario::from_toml(&no_intensity).unwrap_err().to_string();
    assert!(error.contains("rebound.respending"), "{error}");
    let no_currency = REBOUND.replace("currency = \"EUR\"\n", "");
    let error = Scenario::from_toml(&no_currency).unwrap_err().to_string();
    assert!(error.contains("rebound.currency"), "{error}");
    let undefined = REBOUND.replace("direct = \"$r\"", "direct = \"$q\"");
    let error = Scenario::from_toml(&undefined).unwrap_err().to_string();
    assert!(
        error.contains("rebound.direct") && error.contains("$q"),
        "{error}"
    );
    // A scenario with rebound goes through TOML and back whole.
    let scenario = Scenario::from_toml(REBOUND).unwrap();
    let again = Scenario::from_toml(&scenario.to_toml().unwrap()).unwrap();
    assert_eq!(again, scenario);
}

/// The shipped smart-building example after its direct rebound, against
/// `docs/reference/rebound_reference.py` (standard-library Python: its own TOML reader,
/// sampler and reading of the electricity table), whose printed figures are quoted here.
#[test]
fn the_smart_building_after_rebound_matches_an_independent_computation() {
    let text = EXAMPLES
        .iter()
        .find(|(file, _)| *file == "smart-building.toml")
        .unwrap()
        .1;
    let scenario = Scenario::from_toml(text).unwrap();
    let result = evaluate(&scenario, NO_TRACES).unwrap();
    let rebound = result.rebound.as_ref().unwrap();
    // The reference prints six significant digits.
    let close = |ours: f64, theirs: f64| (ours - theirs).abs() <= 6e-6 * theirs.abs();
    let codes: Vec<&str> = result.criteria.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["gwp", "adpe", "pe", "ctue"]);
    // Δ after at the central values, and the break-even direct rebound.
    for (c, (after, even)) in [
        (-13101.0, Some(0.989_809)),
        (0.042_499_6, None),
        (-451_541.0, Some(0.983_609)),
        (546.388, None),
    ]
    .into_iter()
    .enumerate()
    {
        let r = &rebound[c];
        assert!(
            close(r.delta_after, after),
            "{}: {} against {after}",
            codes[c],
            r.delta_after
        );
        match (r.break_even, even) {
            (Some(ours), Some(theirs)) => assert!((ours - theirs).abs() < 1e-5, "{ours} {theirs}"),
            (None, None) => {}
            other => panic!("{}: break-even {other:?}", codes[c]),
        }
    }
    // P(net benefit) and P(M2 better): 100,000 runs here against 400,000 there; the
    // tolerances are about four standard errors of both.
    let mc = monte_carlo(&scenario, NO_TRACES, 100_000, 1).unwrap();
    for (c, (net, better)) in [(1.0, 1.0), (0.0011, 0.0067), (1.0, 1.0), (0.1799, 0.5063)]
        .into_iter()
        .enumerate()
    {
        let m = &mc.criteria[c];
        let ours = m.rebound.as_ref().unwrap().p_net_benefit;
        let tolerance = |p: f64| 4.0 * (p * (1.0 - p) / 100_000.0).sqrt() + 0.001;
        assert!(
            (ours - net).abs() <= tolerance(net),
            "{}: {ours} against {net}",
            codes[c]
        );
        assert!(
            (m.p_m2_better - better).abs() <= tolerance(better),
            "{}: {} against {better}",
            codes[c],
            m.p_m2_better
        );
    }
}

#[test]
fn a_direct_rebound_risk_feeds_a_scenario_and_finds_its_saving_lines() {
    use crate::review::ReboundRisk;
    use ecolens_taxonomy::EffectCode;
    // The rebound scenario without its [rebound] section: the saving is found as the line
    // with a negative amount.
    let text = &REBOUND[..REBOUND.find("[rebound]").unwrap()];
    let mut scenario = Scenario::from_toml(text).unwrap();
    assert!(scenario.rebound.is_none());
    let mut risk = ReboundRisk::new(EffectCode::HoRbDir);
    risk.rebound_percent = Some(40.0);
    risk.mechanism = "warmer rooms".into();
    scenario
        .feed_direct_rebound("uid-1", "Anne", &risk)
        .unwrap();
    let rebound = scenario.rebound.as_ref().unwrap();
    assert_eq!(rebound.saving_lines, ["heating, saving"]);
    assert_eq!(rebound.risk.as_deref(), Some("uid-1"));
    assert_eq!(
        rebound.direct_source,
        "rebound risk uid-1 of the register (Anne): 40 % of the saving, warmer rooms"
    );
    let result = evaluate(&scenario, NO_TRACES).unwrap();
    assert_eq!(result.rebound.unwrap()[0].direct, 0.4 * 80.0);
    // Only a direct rebound with its percentage feeds it.
    let error = scenario
        .feed_direct_rebound("uid-2", "Anne", &ReboundRisk::new(EffectCode::FoUse))
        .unwrap_err();
    assert!(error.to_string().contains("HO.RB.DIR"), "{error}");
    let error = scenario
        .feed_direct_rebound("uid-3", "Anne", &ReboundRisk::new(EffectCode::HoRbDir))
        .unwrap_err();
    assert!(error.to_string().contains("rebound-percent"), "{error}");
    // A scenario with no saving line says what to do.
    let mut small = small();
    let error = small
        .feed_direct_rebound("uid-1", "Anne", &risk)
        .unwrap_err();
    assert!(
        error.to_string().contains("rebound.saving_lines"),
        "{error}"
    );
}
