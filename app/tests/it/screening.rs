//! Prioritised screening through the real binary: `ecolens simulate` on ASReview's labelled
//! sample, and what it refuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn ecolens(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args(args)
        .env("ECOLENS_DATA_DIR", data_dir)
        .env("HOME", data_dir)
        .output()
        .expect("the ecolens binary runs")
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/data/asreview_demo_data.csv")
}

fn simulate(dir: &Path, extra: &[&str]) -> Value {
    let sample = sample();
    let mut args = vec!["simulate", sample.to_str().unwrap(), "--json"];
    args.extend(extra);
    let output = ecolens(dir, &args);
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn to_all(report: &Value) -> Vec<u64> {
    let mut found: Vec<u64> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["screened_to_recall"][3].as_u64().unwrap())
        .collect();
    found.sort_unstable();
    found
}

#[test]
fn the_model_finds_the_includes_of_a_real_review_long_before_random_order_does() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("recall.svg");
    let model = simulate(
        dir.path(),
        &["--runs", "6", "--plot", plot.to_str().unwrap()],
    );
    // The recall curves: one per run (and its legend line), random order's line.
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches(r##"stroke="#1a7f37""##).count(), 6 + 1, "{svg}");
    assert!(
        svg.contains("98 records and 9 includes after the priors"),
        "{svg}"
    );
    assert_eq!(model["records"], 100);
    assert_eq!(model["includes"], 10);
    // Its own footprint: its CPU time on one core at Green Algorithms' "Any" CPU's 12 W per
    // core, PUE 1, at the world's average intensity, with every number's source.
    let cpu_s = model["cpu_seconds"].as_f64().unwrap();
    let footprint = &model["footprint"];
    let kwh = footprint["energy_kwh"].as_f64().unwrap();
    assert!(
        cpu_s > 0.0 && (kwh - cpu_s * 12.0 / 3.6e6).abs() < 1e-12,
        "{footprint}"
    );
    let intensity = footprint["intensity_g_per_kwh"].as_f64().unwrap();
    assert!((footprint["co2e_kg"].as_f64().unwrap() - kwh * intensity / 1000.0).abs() < 1e-15);
    assert!(
        footprint["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !a["source"].as_str().unwrap().is_empty())
    );
    for run in model["runs"].as_array().unwrap() {
        let priors: Vec<u64> = serde_json::from_value(run["priors"].clone()).unwrap();
        let order: Vec<u64> = serde_json::from_value(run["order"].clone()).unwrap();
        assert_eq!(priors.len(), 2);
        // Every record once, the priors not screened again, and the run ends at the last
        // include: 100 % recall after exactly the records screened.
        let distinct: std::collections::HashSet<u64> = order.iter().copied().collect();
        assert_eq!(distinct.len(), order.len());
        assert!(priors.iter().all(|p| !distinct.contains(p)));
        assert_eq!(
            run["screened_to_recall"][3].as_u64(),
            Some(order.len() as u64)
        );
        // The stopping rule's point is known in every run, past the last include if it
        // needed more excludes, and no further than the 98 records there are.
        let stopped = run["stopped_after"].as_u64().unwrap();
        assert!(stopped <= 98, "{run}");
        if stopped >= order.len() as u64 {
            assert_eq!(run["recall_at_stop"].as_f64(), Some(1.0));
        }
    }
    // The summary over the runs is the runs' own figures, in the JSON as in the text.
    let runs = model["runs"].as_array().unwrap();
    let summary = &model["stopping"];
    assert_eq!(summary["records"], 98);
    assert_eq!(
        summary["stopped"].as_u64(),
        Some(
            runs.iter()
                .filter(|r| !r["stopped_after"].is_null())
                .count() as u64
        )
    );
    assert_eq!(
        summary["at_target"].as_u64(),
        Some(
            runs.iter()
                .filter(|r| r["recall_at_stop"].as_f64().is_some_and(|x| x >= 0.95))
                .count() as u64
        )
    );
    let text = ecolens(
        dir.path(),
        &["simulate", sample().to_str().unwrap(), "--runs", "2"],
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("The stopping rule stopped in 2 of 2 run(s), at ≥ 95 % recall in"),
        "{text}"
    );
    let random = simulate(dir.path(), &["--runs", "6", "--strategy", "random"]);
    let (model, random) = (to_all(&model), to_all(&random));
    // Medians of 6 runs: the model's is below random order's.
    assert!(
        model[2] + model[3] < random[2] + random[3],
        "model {model:?}, random {random:?}"
    );
    // With the 9 includes left spread at random among 98 records, the last one comes after
    // about 89; the model finds all of them within the first half.
    assert!(model[5] <= 60, "{model:?}");
}

/// Records screened to reach 80 % and 95 % recall on ASReview's sample, seeds 0–9 (priors
/// drawn by ecolens, given to ASReview as `--prior-idx`), by ASReview LAB 3.0.8's default
/// model: printed by `ecolens simulate asreview_demo_data.csv --runs 10 --compare-asreview
/// --python P` with `P -m pip install asreview==3.0.8` (2026-12-06).
const ASREVIEW_TO_80: [u64; 10] = [11, 12, 11, 10, 11, 11, 12, 11, 12, 11];
const ASREVIEW_TO_95: [u64; 10] = [50, 50, 53, 53, 50, 54, 53, 49, 49, 49];

#[test]
fn the_model_screens_asreviews_sample_as_asreview_does_seed_for_seed() {
    let dir = tempfile::tempdir().unwrap();
    let report = simulate(dir.path(), &["--runs", "10"]);
    let at = |i: usize| -> Vec<u64> {
        report["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|run| run["screened_to_recall"][i].as_u64().unwrap())
            .collect()
    };
    assert_eq!(at(0), ASREVIEW_TO_80);
    assert_eq!(at(2), ASREVIEW_TO_95);
}

#[test]
fn a_file_with_unlabelled_records_or_wrong_settings_is_refused_with_where_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("half.csv");
    std::fs::write(
        &file,
        "title,abstract,label_included\nEnergy of training,abc,1\nMedieval trade,def,\nBaltic grain,ghi,0\n",
    )
    .unwrap();
    let sample = sample();
    let sample = sample.to_str().unwrap();
    for (args, says) in [
        (
            &["simulate", file.to_str().unwrap()][..],
            "1 record(s), from line(s) 3 without a label",
        ),
        (
            &["simulate", sample, "--target-recall", "95"],
            "target recall: \"95\" is not valid: expected a fraction between 0 and 1",
        ),
        (
            &["simulate", sample, "--prior-included", "11"],
            "11 prior includes asked for, the labels hold 10",
        ),
    ] {
        let output = ecolens(dir.path(), args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn comparing_with_asreview_says_how_to_install_it_when_it_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample();
    // A Python without ASReview: a missing module, not a crash or a silent skip.
    let output = ecolens(
        dir.path(),
        &[
            "simulate",
            sample.to_str().unwrap(),
            "--compare-asreview",
            "--python",
            "python3",
        ],
    );
    if Command::new("python3")
        .args(["-c", "import asreview"])
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(output.status.success());
        return;
    }
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pip install asreview"), "{stderr}");
}

#[test]
fn screen_status_shows_the_order_and_the_stopping_rule_and_a_lead_sets_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review.ecolens");
    let project = project.to_str().unwrap();
    let sample = sample();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--project", project]);
        ecolens(dir.path(), &all)
    };
    for args in [
        &["import", sample.to_str().unwrap(), "--no-label-votes"][..],
        &["reviewer", "add", "Lead", "--lead"],
        &["reviewer", "add", "Ann"],
    ] {
        let output = run(args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let status = |name: &str| -> Value {
        let output = run(&[
            "screen",
            "status",
            "--reviewer",
            name,
            "--json",
            "--next",
            "5",
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let before = status("Ann");
    assert_eq!(before["total"], 100);
    assert_eq!(before["note"]["ranked"], false);
    assert_eq!(before["next"].as_array().unwrap().len(), 5);
    assert_eq!(before["stopping"]["p_value"], Value::Null);
    // Ann includes one record and excludes another: the model ranks her queue.
    for (record, decision) in [("5", "include"), ("7", "exclude")] {
        let output = run(&[
            "screen",
            record,
            "--stage",
            "tiab",
            "--decision",
            decision,
            "--reviewer",
            "Ann",
        ]);
        assert!(output.status.success());
    }
    let after = status("Ann");
    assert_eq!(after["note"]["ranked"], true);
    // The features were built once (by the first status) and kept beside the project; the
    // next command reads them from there instead of building them again, and a damaged file
    // is built again.
    assert_eq!(before["note"]["features"], "built");
    assert_eq!(after["note"]["features"], "file");
    let kept = dir.path().join("review.ecolens.features");
    assert!(kept.is_file());
    let bytes = std::fs::read(&kept).unwrap();
    std::fs::write(&kept, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(status("Ann")["note"]["features"], "built");
    assert_eq!(std::fs::read(&kept).unwrap(), bytes);
    // The review's own computing: nothing before the model ranked; then this ranking, its
    // CPU time at one core of 12 W, with the estimate's sources.
    assert_eq!(before["footprint"]["rankings"], 0);
    let footprint = &after["footprint"];

    assert_eq!(footprint["rankings"], 1, "{footprint}");
    let cpu_s = footprint["cpu_seconds"].as_f64().unwrap();
    let kwh = footprint["estimate"]["energy_kwh"].as_f64().unwrap();
    assert!(
        cpu_s > 0.0 && (kwh - cpu_s * 12.0 / 3.6e6).abs() < 1e-15,
        "{footprint}"
    );
    // Under the world's average grid of the project's grid source (digital4better's 2024
    // countries weighted by generation) until the project sets its own factors; then its own.
    let world = footprint["estimate"]["intensity_g_per_kwh"]
        .as_f64()
        .unwrap();
    assert!((world - 477.156).abs() < 0.001, "{footprint}");
    let set = run(&[
        "factors",
        "set",
        "--intensity",
        "56",
        "--source",
        "RTE 2023",
        "--reviewer",
        "Lead",
    ]);
    assert!(set.status.success());
    let text = run(&["screen", "status", "--reviewer", "Ann"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("The review's own screening computing: 3 ranking(s) of the screening queue by the model:"),
        "{text}"
    );
    assert!(text.contains("one core at 12 W"), "{text}");
    assert!(
        text.contains("PUE 1; 56 gCO2e/kWh, project setting: RTE 2023"),
        "{text}"
    );
    assert_eq!(after["note"]["includes"], 1);
    assert_eq!(after["screened"], 2);
    let next: Vec<u64> = after["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| pair[0].as_u64().unwrap())
        .collect();
    assert!(!next.contains(&5) && !next.contains(&7));
    // The stopping rule's figures are core's, for Ann's two votes out of 100 records.
    let expected = ecolens_core::stopping::test(
        &[true, false],
        100,
        ecolens_core::stopping::StoppingRule::default(),
    );
    assert_eq!(after["stopping"]["p_value"].as_f64(), expected.p_value);
    assert_eq!(
        after["stopping"]["more_to_draw"].as_u64(),
        expected.more_to_draw.map(|n| n as u64)
    );
    // Lead's queue is untouched by Ann's votes: still random.
    assert_eq!(status("Lead")["note"]["ranked"], false);
    // The lead picks two known includes: they open every queue the model cannot rank yet,
    // in the order picked; Ann's ranked queue is not changed by them. Ann may not pick.
    let refused = run(&["screen", "known-includes", "9", "--reviewer", "Ann"]);
    assert!(!refused.status.success());
    let picked = run(&[
        "screen",
        "known-includes",
        "9",
        "3",
        "9",
        "--reviewer",
        "Lead",
        "--json",
    ]);
    assert!(
        picked.status.success(),
        "{}",
        String::from_utf8_lossy(&picked.stderr)
    );
    let picked: Value = serde_json::from_slice(&picked.stdout).unwrap();
    assert_eq!(picked.as_array().unwrap().len(), 2, "{picked}");
    let lead = status("Lead");
    let first: Vec<u64> = lead["next"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|pair| pair[0].as_u64().unwrap())
        .collect();
    assert_eq!(first, [9, 3]);
    assert_eq!(lead["note"]["known_first"], 2);
    let ann = status("Ann");
    assert_eq!(ann["note"]["known_first"], 0);
    let missing = run(&["screen", "known-includes", "4242", "--reviewer", "Lead"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("4242"));
    // The Methods paragraph of `ecolens prisma` names the model, the rule and Ann's figures.
    let prisma = run(&["prisma", "--reviewer", "Lead", "--json"]);
    assert!(prisma.status.success());
    let prisma: Value = serde_json::from_slice(&prisma.stdout).unwrap();
    let methods = prisma["methods"].as_str().unwrap();
    assert!(
        methods.contains("ordered most relevant first by a linear support vector machine"),
        "{methods}"
    );
    assert!(
        methods.contains("random order drawn from seed 0"),
        "{methods}"
    );
    assert!(
        methods.contains(&format!(
            "Ann screened 2 of 100 records and included 1; p = {:.3}, above the threshold.",
            expected.p_value.unwrap()
        )),
        "{methods}"
    );
    // Ann's queue was ranked by the model four times (`screen status`); Lead's never was.
    assert!(
        methods.contains("The screening's own computing: 4 ranking(s) of the screening queue"),
        "{methods}"
    );

    // The project's summary report carries the same paragraph.
    let summary = dir.path().join("summary.md");
    let written = run(&[
        "report",
        "--all",
        "--format",
        "md",
        summary.to_str().unwrap(),
        "--reviewer",
        "Lead",
    ]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("## Screening methods"), "{summary}");
    assert!(summary.contains(methods), "{summary}");

    // Any reviewer sets the highlighted words; everyone reads them.
    let set = run(&[
        "screen",
        "highlight",
        "--include",
        "cancer; quality of life",
        "--exclude",
        "surgery*",
        "--reviewer",
        "Ann",
    ]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let read = run(&["screen", "highlight", "--json"]);
    let terms: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(
        terms["include"],
        serde_json::json!(["cancer", "quality of life"])
    );
    assert_eq!(terms["exclude"], serde_json::json!(["surgery*"]));
    let nobody = run(&["screen", "highlight", "--include", "x"]);
    assert!(!nobody.status.success());

    // Only a lead sets the order; the settings persist.
    let refused = run(&["screen", "order", "uncertain", "--reviewer", "Ann"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only a project lead"));
    let set = run(&[
        "screen",
        "order",
        "import",
        "--seed",
        "3",
        "--target-recall",
        "0.9",
        "--reviewer",
        "Lead",
    ]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let settings = status("Ann")["settings"].clone();
    assert_eq!(settings["order"]["order"], "import");
    assert_eq!(settings["seed"], 3);
    assert_eq!(settings["stopping"]["target_recall"], 0.9);
    let bad = run(&[
        "screen",
        "order",
        "--confidence",
        "95",
        "--reviewer",
        "Lead",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("a fraction between 0 and 1"));
}

/// The screening benchmark runs as documented on a fresh machine (without its Python peer
/// here) and reports every figure; the sizes are small so that the test stays quick.
#[test]
fn the_screening_benchmark_runs_on_a_fresh_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("bench");
    let output = ecolens(
        dir.path(),
        &[
            "bench",
            "--suite",
            "screening",
            "--screening-sizes",
            "600",
            "--no-python",
            "--repeat",
            "1",
            "--dir",
            work.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &report["screening"][0];
    assert_eq!(run["records"], 600);
    assert!(run["terms"].as_u64().unwrap() > 1000);
    assert!(run["stored"].as_u64().unwrap() > 600 * 50);
    assert!(run["rerank_ms_median"].as_f64().unwrap() > 0.0);
    assert!(run["features_read_s"].as_f64().unwrap() > 0.0);
    assert!(run["peak_rss_kb"].as_u64().unwrap() > 0);
    // Nothing left behind unless asked.
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0);
}
