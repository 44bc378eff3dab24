//! Trace importer tests: every fixture in ../shared/fixtures/traces gives the numbers the tool
//! itself wrote, and files the tests write cover the formats without a licensed sample.

#![allow(clippy::float_cmp, clippy::format_push_string)] // Exact values are written in the files.

use std::path::{Path, PathBuf};

use super::*;

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces")
        .join(relative)
}

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(1e-300)
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, relative: f64) {
    assert!(
        close(actual, expected, relative),
        "{actual} is not within {relative} of {expected}"
    );
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn run<'a>(file: &'a TraceFile, id: &str) -> &'a TraceSummary {
    file.runs.iter().find(|r| r.run == id).unwrap_or_else(|| {
        panic!(
            "no run {id} in {:?}",
            file.runs.iter().map(|r| &r.run).collect::<Vec<_>>()
        )
    })
}

#[test]
fn codecarbon_apple_m1_takes_the_last_snapshot_of_each_run_and_recovers_both_grid_factors() {
    let file = read_trace(&fixture("codecarbon/emissions_v2.4.3rc1_apple-m1.csv")).unwrap();
    assert_eq!(file.format, TraceFormat::Codecarbon);
    // 16 run ids, plus the 3 rows without run_id that have an energy (2 more have none).
    assert_eq!(file.runs.len(), 19);
    let grouped = run(&file, "8a1d9822-56c9-4c52-8497-5a2e32dd5b03");
    assert_close(grouped.duration_s, 91.822_587_013_244_64, 1e-12);
    assert_close(grouped.energy_kwh, 6.403_828_607_971_138e-5, 1e-12);
    assert_close(
        grouped.co2e_kg_tool.unwrap(),
        1.152_689_149_434_805e-6,
        1e-12,
    );
    // Rows at 18 g/kWh are mixed with rows at 84.879 g/kWh (CodeCarbon's FRA value then).
    assert_close(grouped.ef_applied_g_per_kwh.unwrap(), 18.0, 1e-6);
    let first = run(&file, "409f7ac2-203f-4191-9bf4-e3cdf9470de8");
    assert_close(first.ef_applied_g_per_kwh.unwrap(), 84.879, 1e-6);
    assert_eq!(first.pue_applied, 1.0);
    assert_eq!(first.pue_source, "CodeCarbon `pue` column");
    assert_eq!(first.tool_version.as_deref(), Some("2.4.3rc1"));
    assert_eq!(first.location.country_iso3.as_deref(), Some("FRA"));
    assert_eq!(first.start.as_deref(), Some("2024-05-31T10:33:17"));
    // Components as written, summing to the total; RAM is modelled.
    let sum: f64 = first.components.iter().map(|c| c.energy_kwh).sum();
    assert_close(sum, first.energy_kwh, 1e-9);
    let ram = first
        .components
        .iter()
        .find(|c| c.component == Component::Ram)
        .unwrap();
    assert_eq!(ram.basis, Basis::Estimated);
    assert!(
        file.warnings
            .iter()
            .any(|w| w.contains("energy_consumed is empty"))
    );
    assert!(file.warnings.iter().any(|w| w.contains("empty run_id")));
    assert!(file.warnings.iter().any(|w| w.contains("superseded")));
}

/// Issue 18, defect 8: a CodeCarbon run on a laptop (not on a cloud, macOS on an Apple M1)
/// takes PUE 1, as Green Algorithms gives a personal computer, and says why; a Linux run off
/// the cloud may be a cluster node and keeps the unknown data centre's PUE.
#[test]
fn a_run_on_a_personal_computer_takes_pue_1_and_says_why() {
    let laptop = read_trace(&fixture("codecarbon/emissions_v2.4.3rc1_apple-m1.csv")).unwrap();
    let run = &laptop.runs[0];
    let evidence = run.location.personal_computer.as_deref().unwrap();
    assert!(evidence.starts_with("CodeCarbon: on_cloud N"), "{evidence}");
    let (pue, ..) =
        crate::estimate::FactorOverrides::default().resolve(&crate::estimate::Place::of_trace(run));
    let assumption = pue.assumption("PUE", "1");
    assert_close(assumption.value, 1.0, 0.0);
    assert!(
        assumption.source.contains("personal computer"),
        "{}",
        assumption.source
    );
    assert!(
        assumption.source.contains(evidence),
        "{}",
        assumption.source
    );
    // No data centre, no cooling water either.
    let (_, _, wue) =
        crate::estimate::FactorOverrides::default().resolve(&crate::estimate::Place::of_trace(run));
    assert_close(wue.assumption("WUE", "L/kWh").value, 0.0, 0.0);

    let linux = read_trace(&fixture("codecarbon/emissions_v2.7.4_eo-college_linux.csv")).unwrap();
    for run in &linux.runs {
        assert_eq!(run.location.personal_computer, None, "{:?}", run.location);
    }
}

#[test]
fn codecarbon_v2_7_groups_by_run_id_and_its_factor_is_italys_in_codecarbons_table() {
    let file = read_trace(&fixture("codecarbon/emissions_v2.7.4_eo-college_linux.csv")).unwrap();
    assert_eq!(file.runs.len(), 6);
    let twice = run(&file, "45879b62-cf19-4e93-9bbb-fb25548d0b44");
    assert_close(twice.energy_kwh, 0.000_430_964_912_572_4, 1e-12);
    assert_close(twice.duration_s, 13.883_277_475_833_893, 1e-12);
    for r in &file.runs {
        // global_energy_mix.json ITA carbon_intensity = 330.718 (CodeCarbon 2.7+).
        assert_close(r.ef_applied_g_per_kwh.unwrap(), 330.718, 1e-9);
        assert_eq!(r.location.country_iso3.as_deref(), Some("ITA"));
    }
    // A round 100 W cpu_power is the TDP model.
    let cpu = twice
        .components
        .iter()
        .find(|c| c.component == Component::Cpu)
        .unwrap();
    assert_eq!(cpu.basis, Basis::Estimated);
}

#[test]
fn codecarbon_v3_header_reads_water_and_v1_header_with_bom_has_no_pue() {
    let v3 = read_trace(&fixture("codecarbon/emissions_v3_header_one_row.csv")).unwrap();
    let only = &v3.runs[0];
    assert_close(only.energy_kwh, 0.000_574_428_981_76, 1e-12);
    assert_eq!(only.water_l_tool, Some(0.1));
    assert_close(
        only.ef_applied_g_per_kwh.unwrap(),
        781.818_012_630_038_8,
        1e-9,
    );
    assert_eq!(only.location.country_iso3.as_deref(), Some("MAR"));

    let v1 = read_trace(&fixture("codecarbon/emissions_v1_header_bom_demo.csv")).unwrap();
    assert_eq!(v1.format, TraceFormat::Codecarbon);
    assert_eq!(v1.runs.len(), 100);
    assert_eq!(v1.runs[0].energy_kwh, 8.0);
    assert_eq!(v1.runs[0].pue_applied, 1.0);
    assert!(v1.runs[0].pue_source.contains("before 2.3"));
    assert_eq!(
        v1.runs[0].tool_version.as_deref(),
        Some("header 0.x–1.2 (12 columns)")
    );
    assert!(v1.runs[0].components.is_empty());
}

#[test]
fn codecarbon_short_shifted_rows_are_rejected_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = "2025-01-01T10:00:00,p,r1,e,60,0.001,0.0000166,10,0,3,0.0001,0,0.00005,0.00015,France,FRA,,,,Linux,3.11,3.0.0,4,cpu,,,,,8,machine,N,1.0";
    let short = "2025-01-01T10:01:00,p,r2,e,60,0.001,0.0000166,10,0,3,0.0001,0,0.00005,0.00015,France,FRA,Linux,3.11,3.0.0,4,cpu,8,machine,N,1.0";
    let path = write(
        dir.path(),
        "emissions.csv",
        &format!(
            "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue\n{good}\n{short}\n"
        ),
    );
    let file = read_trace(&path).unwrap();
    assert_eq!(file.runs.len(), 1);
    assert_eq!(file.runs[0].run, "r1");
    assert!(
        file.warnings
            .iter()
            .any(|w| w.starts_with("line 3: 25 fields where the header has 32")),
        "{:?}",
        file.warnings
    );
}

#[test]
fn carbontracker_pair_gives_the_actual_consumption_and_the_logged_pue_and_intensity() {
    for name in [
        "carbontracker/10151_2022-11-14T154243Z_carbontracker.log",
        "carbontracker/10151_2022-11-14T154243Z_carbontracker_output.log",
    ] {
        let file = read_trace(&fixture(name)).unwrap();
        assert_eq!(file.format, TraceFormat::Carbontracker);
        assert!(
            file.path
                .ends_with("10151_2022-11-14T154243Z_carbontracker.log")
        );
        let only = &file.runs[0];
        assert_eq!(only.energy_kwh, 0.003_504);
        assert_close(only.co2e_kg_tool.unwrap(), 0.000_357_451, 1e-12);
        assert_eq!(only.pue_applied, 1.59);
        assert_eq!(only.ef_applied_g_per_kwh, Some(102.0));
        assert_eq!(only.tool_version.as_deref(), Some("1.1.6"));
        assert_close(only.duration_s, 53.25, 1e-12);
        assert_eq!(only.location.country_iso3.as_deref(), Some("DNK"));
        assert_eq!(
            only.location.region.as_deref(),
            Some("Copenhagen, Capital Region")
        );
        assert_close(only.it_energy_kwh(), 0.003_504 / 1.59, 1e-12);
        // The log's power lines are [None]: no per-component energy, and it says so.
        assert!(only.components.is_empty());
        assert!(file.warnings.iter().any(|w| w.contains("[None]")));
        assert!(
            file.warnings
                .iter()
                .any(|w| w.contains("predicted 0.014018 kWh for 4"))
        );
    }
}

#[test]
fn carbontracker_standard_log_alone_integrates_epoch_powers_with_its_pue() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "1_2024-01-01T100000Z_carbontracker.log",
        "2024-01-01 10:00:00 - carbontracker version 2.0.0\n\
         2024-01-01 10:00:00 - Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 (Uptime).\n\
         2024-01-01 10:01:00 - Epoch 1:\n\
         2024-01-01 10:01:00 - Duration: 0:01:00.00\n\
         2024-01-01 10:01:00 - Average power usage (W) for gpu: [100. 50.]\n\
         2024-01-01 10:01:00 - Average power usage (W) for cpu: [30.]\n\
         2024-01-01 10:01:00 - Average carbon intensity during training was 200.00 gCO2/kWh at detected location: Aarhus, DK.\n",
    );
    let file = read_trace(&path).unwrap();
    let only = &file.runs[0];
    // (150 + 30) W × 60 s = 10,800 J = 0.003 kWh, × 1.58.
    assert_close(only.energy_kwh, 0.003 * 1.58, 1e-12);
    assert_close(
        only.component_kwh(Component::Gpu).unwrap(),
        150.0 * 60.0 / 3.6e6 * 1.58,
        1e-12,
    );
    assert_close(only.co2e_kg_tool.unwrap(), 0.003 * 1.58 * 0.2, 1e-12);
    assert!(
        file.warnings
            .iter()
            .any(|w| w.contains("was not found beside"))
    );
}

#[test]
fn eco2ai_reads_energy_with_its_implied_factor_and_location() {
    let file = read_trace(&fixture("eco2ai/emission_eco2ai_repo.csv")).unwrap();
    assert_eq!(file.format, TraceFormat::Eco2ai);
    let only = &file.runs[0];
    assert_eq!(only.energy_kwh, 0.002);
    assert_eq!(only.co2e_kg_tool, Some(7.844e-5));
    assert_close(only.ef_applied_g_per_kwh.unwrap(), 39.22, 1e-9);
    assert_eq!(only.location.country_iso3.as_deref(), Some("CHE"));
    assert_eq!(only.location.region.as_deref(), Some("Ticino"));
    assert_eq!(only.start.as_deref(), Some("2026-10-06T01:17:23"));
    assert!(only.warnings.iter().any(|w| w.contains("TDP model")));
}

#[test]
fn zeus_sums_windows_over_gpus() {
    let v100 = read_trace(&fixture("zeus/V100+resnet50+gpu0.csv")).unwrap();
    assert_eq!(v100.format, TraceFormat::Zeus);
    assert_close(v100.runs[0].energy_kwh * 3.6e6, 37_461.493, 1e-9);
    assert_close(v100.runs[0].duration_s, 238.21, 1e-4);
    let a40 = read_trace(&fixture("zeus/A40+resnet18+gpu0-3.csv")).unwrap();
    assert_close(a40.runs[0].energy_kwh * 3.6e6, 148_815.39, 1e-9);
    assert_close(a40.runs[0].duration_s, 324.88, 1e-4);
    assert_eq!(a40.runs[0].run, "4 GPU(s), 9 window(s)");
    assert!(a40.runs[0].start.is_none());
}

#[test]
fn zeus_nested_windows_are_not_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "zeus.csv",
        "start_time,window_name,elapsed_time,gpu0_energy\n100,epoch,10,1000\n102,step,2,150\n110,epoch2,10,900\n",
    );
    let file = read_trace(&path).unwrap();
    assert_close(file.runs[0].energy_kwh * 3.6e6, 1900.0, 1e-12);
    assert!(
        file.warnings
            .iter()
            .any(|w| w.contains("\"step\" lies inside"))
    );
}

#[test]
fn nvidia_smi_query_with_units_na_and_two_gpus_integrates_each_gpu() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("timestamp, name, index, utilization.gpu [%], power.draw [W]\n");
    for second in 0..=10 {
        text.push_str(&format!(
            "2024/10/13 03:33:{second:02}.000, NVIDIA A100, 0, 90 %, 100.00 W\n"
        ));
        let second_gpu = if second == 5 {
            "[N/A]".to_owned()
        } else {
            format!("{} W", 50 + second)
        };
        text.push_str(&format!(
            "2024/10/13 03:33:{second:02}.000, NVIDIA A100, 1, 40 %, {second_gpu}\n"
        ));
    }
    let path = write(dir.path(), "smi.csv", &text);
    let file = read_trace(&path).unwrap();
    assert_eq!(file.format, TraceFormat::NvidiaSmiQuery);
    let only = &file.runs[0];
    // GPU 0: 100 W × 10 s; GPU 1: 50 + t W, linear, so the trapezoid is exact with a gap at 5.
    assert_close(only.energy_kwh * 3.6e6, 1000.0 + 550.0, 1e-12);
    assert_eq!(only.duration_s, 10.0);
    assert_eq!(only.run, "2 GPU(s)");
    assert_eq!(only.start.as_deref(), Some("2024-10-13T03:33:00"));
    assert!(file.warnings.iter().any(|w| w.contains("[N/A]")));
    assert_eq!(only.power[0].component, Component::Gpu);
    assert_close(only.power[0].points[0][1], 150.0, 1e-12);
}

#[test]
fn nvidia_smi_without_index_tells_gpus_apart_by_order_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("timestamp, power.draw [W]\n");
    for second in 0..=4 {
        text.push_str(&format!(
            "2024/10/13 03:33:0{second}.500, 10 W\n2024/10/13 03:33:0{second}.500, 30 W\n"
        ));
    }
    let path = write(dir.path(), "smi.csv", &text);
    let file = read_trace(&path).unwrap();
    assert_close(file.runs[0].energy_kwh * 3.6e6, 160.0, 1e-12);
    assert!(
        file.warnings
            .iter()
            .any(|w| w.contains("told apart by their order"))
    );

    // Nine GPUs, one of them [N/A] once: each stays its own device (GPU g draws 10 + g W).
    let mut text = String::from("timestamp, power.draw [W]\n");
    for second in 0..=2 {
        for gpu in 0..9 {
            let power = if second == 1 && gpu == 4 {
                "[N/A]".to_owned()
            } else {
                format!("{} W", 10 + gpu)
            };
            text.push_str(&format!("2024/10/13 03:33:0{second}.000, {power}\n"));
        }
    }
    let path = write(dir.path(), "nine.csv", &text);
    let file = read_trace(&path).unwrap();
    assert_eq!(file.runs[0].run, "9 GPU(s)");
    // Σ (10 + g) W × 2 s = 2 × 126 J; GPU 4 is interpolated across its missing sample.
    assert_close(file.runs[0].energy_kwh * 3.6e6, 252.0, 1e-12);
}

#[test]
fn nvidia_dmon_with_date_and_time_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "dmon.txt",
        "#Date       Time        gpu   pwr  gtemp  mtemp    sm   mem\n\
         #YYYYMMDD   HH:MM:SS    Idx     W      C      C     %     %\n \
         20240101   10:00:00      0    40     34      -     0     0\n \
         20240101   10:00:01      0    60     34      -     0     0\n \
         20240101   10:00:02      0     -     34      -     0     0\n \
         20240101   10:00:03      0    60     34      -     0     0\n",
    );
    let file = read_trace(&path).unwrap();
    assert_eq!(file.format, TraceFormat::NvidiaSmiDmon);
    // 50 J + 60 J × 2 s across the missing sample.
    assert_close(file.runs[0].energy_kwh * 3.6e6, 170.0, 1e-12);
}

/// Issue 18, defect 11: one bad cell failed a whole Zeus or PowerJoular file, and its error
/// repeated the whole cell (5 MB on stderr). The row is rejected with its line and a cut of
/// the cell; the others go on.
#[test]
fn a_bad_cell_rejects_its_row_with_its_line_and_a_cut_of_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let huge = format!("9{}", "x".repeat(5_000_000));
    let zeus = write(
        dir.path(),
        "zeus.csv",
        &format!(
            "start_time,window_name,elapsed_time,gpu0_energy\n100,a,10,1000\n110,b,10,{huge}\n120,c,10,900\n"
        ),
    );
    let file = read_trace(&zeus).unwrap();
    assert_close(file.runs[0].energy_kwh * 3.6e6, 1900.0, 1e-12);
    let warning = file
        .warnings
        .iter()
        .find(|w| w.starts_with("line 3: column gpu0_energy"))
        .unwrap_or_else(|| panic!("{:?}", file.warnings));
    assert!(warning.len() < 200, "{} bytes", warning.len());
    assert!(warning.contains("(5000001 bytes)"), "{warning}");
    assert!(warning.ends_with("window rejected"), "{warning}");

    let powerjoular = write(
        dir.path(),
        "power.csv",
        "Date,CPU Utilization,Total Power,CPU Power,GPU Power\n\
         2025-9-19 8:5:3.7,0.5,30.0,20.0,10.0\n\
         2025-9-19 8:5:4.9,0.5,32.0,lots,11.0\n\
         2025-9-19 8:5:5.12,0.5,34.0,22.0,12.0\n",
    );
    let file = read_trace(&powerjoular).unwrap();
    assert_close(file.runs[0].energy_kwh * 3.6e6, 64.0, 1e-12);
    assert!(
        file.warnings
            .iter()
            .any(|w| w == "line 3: column CPU Power: \"lots\" is not a number; row rejected"),
        "{:?}",
        file.warnings
    );
}

#[test]
fn powerjoular_sums_one_second_cycles_and_reads_unpadded_millisecond_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "power.csv",
        "Date,CPU Utilization,Total Power,CPU Power,GPU Power\n\
         2025-9-19 8:5:3.7,0.5,30.0,20.0,10.0\n\
         2025-9-19 8:5:4.9,0.5,32.0,21.0,11.0\n\
         2025-9-19 8:5:5.12,0.5,34.0,22.0,12.0\n",
    );
    let file = read_trace(&path).unwrap();
    assert_eq!(file.format, TraceFormat::Powerjoular);
    let only = &file.runs[0];
    assert_close(only.energy_kwh * 3.6e6, 96.0, 1e-12);
    assert_close(
        only.component_kwh(Component::Cpu).unwrap() * 3.6e6,
        63.0,
        1e-12,
    );
    assert_eq!(only.start.as_deref(), Some("2025-09-19T08:05:03"));
    // 7 ms, 9 ms, 12 ms past the second: the plot's times come from milliseconds, not tenths.
    assert_close(only.power[0].points[1][0], 1.002, 1e-6);
}

#[test]
fn scaphandre_unterminated_array_in_microwatts() {
    let dir = tempfile::tempdir().unwrap();
    let report = |t: f64, host: f64, package: f64, dram: f64| {
        format!(
            r#"{{"host":{{"consumption":{host},"timestamp":{t}}},"consumers":[],"sockets":[{{"id":0,"consumption":{package},"domains":[{{"name":"dram","consumption":{dram},"timestamp":{t}}}],"timestamp":{t}}}]}}"#
        )
    };
    let text = format!(
        "[{{\"host\":{{\"consumption\":0.0,\"timestamp\":1700000000.0}},\"consumers\":[],\"sockets\":[]}},{},{},{}",
        report(1_700_000_002.0, 50e6, 30e6, 5e6),
        report(1_700_000_004.0, 50e6, 30e6, 5e6),
        report(1_700_000_006.0, 70e6, 40e6, 5e6),
    );
    let path = write(dir.path(), "scaph.json", &text);
    let file = read_trace(&path).unwrap();
    assert_eq!(file.format, TraceFormat::Scaphandre);
    let only = &file.runs[0];
    // Host: 50 W × 2 s + 60 W × 2 s = 220 J; package 30×2 + 35×2 = 130 J; DRAM 20 J.
    assert_close(only.energy_kwh * 3.6e6, 220.0, 1e-12);
    assert_close(
        only.component_kwh(Component::Cpu).unwrap() * 3.6e6,
        130.0,
        1e-12,
    );
    assert_close(
        only.component_kwh(Component::Ram).unwrap() * 3.6e6,
        20.0,
        1e-12,
    );
    assert_close(
        only.component_kwh(Component::Other).unwrap() * 3.6e6,
        70.0,
        1e-12,
    );
    assert!(file.warnings.iter().any(|w| w.contains("no closing ]")));
    assert!(file.warnings.iter().any(|w| w.contains("1 empty report")));
}

#[test]
fn rapl_counters_are_differenced_with_wrap_around_and_nested_domains_are_not_added() {
    let dir = tempfile::tempdir().unwrap();
    let max = 262_143_328_850_u64;
    let path = write(
        dir.path(),
        "rapl.csv",
        &format!(
            "timestamp,domain,energy_uj,max_energy_range_uj\n\
             1700000000,package-0,{a},{max}\n1700000000,core,100,{max}\n1700000000,dram,1000,{max}\n\
             1700000010,package-0,{b},{max}\n1700000010,core,200,{max}\n1700000010,dram,50001000,{max}\n",
            a = max - 400_000_000,
            b = 600_000_000,
        ),
    );
    let file = read_trace(&path).unwrap();
    assert_eq!(file.format, TraceFormat::Rapl);
    let only = &file.runs[0];
    // Package wrapped: 400 J before the wrap + 600 J after; DRAM 50 J.
    assert_close(
        only.component_kwh(Component::Cpu).unwrap() * 3.6e6,
        1000.0,
        1e-12,
    );
    assert_close(only.energy_kwh * 3.6e6, 1050.0, 1e-12);
    assert!(file.warnings.iter().any(|w| w.contains("wrapped 1 time")));
    assert!(file.warnings.iter().any(|w| w.contains("core are nested")));
}

#[test]
fn experiment_impact_tracker_and_aipowermeter_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let eit = write(
        dir.path(),
        "data.json",
        "{\"timestamp\": 1600000000.0, \"rapl_power_draw_absolute\": 80.0, \"rapl_estimated_attributable_power_draw\": 40.0, \"nvidia_draw_absolute\": 200.0, \"nvidia_estimated_attributable_power_draw\": 100.0}\n\
         {\"timestamp\": 1600000010.0, \"rapl_power_draw_absolute\": 80.0, \"rapl_estimated_attributable_power_draw\": 40.0, \"nvidia_draw_absolute\": 200.0, \"nvidia_estimated_attributable_power_draw\": 100.0}\n",
    );
    let file = read_trace(&eit).unwrap();
    assert_eq!(file.format, TraceFormat::ExperimentImpactTracker);
    assert_close(file.runs[0].energy_kwh * 3.6e6, 1400.0, 1e-12);
    assert!(file.warnings.iter().any(|w| w.contains("1.58")));

    let aipm = write(
        dir.path(),
        "power_metrics.json",
        "{\"date\": \"2023-07-27 17:21:57.000000\", \"metrics\": {\"cpu\": {\"intel_power\": 66.3, \"psys_power\": -1, \"total_cpu_power\": 26.0, \"total_dram_power\": 10.0}, \"gpu\": {\"nvidia_draw_absolute\": 90.0}}}\n\
         {\"date\": \"2023-07-27 17:21:59.000000\", \"metrics\": {\"cpu\": {\"intel_power\": 66.3, \"psys_power\": -1, \"total_cpu_power\": 28.0, \"total_dram_power\": 10.0}, \"gpu\": {\"nvidia_draw_absolute\": 110.0}}}\n",
    );
    let file = read_trace(&aipm).unwrap();
    assert_eq!(file.format, TraceFormat::AiPowerMeter);
    // CPU 54 J, DRAM 20 J, GPU 200 J over 2 s.
    assert_close(file.runs[0].energy_kwh * 3.6e6, 274.0, 1e-12);
    assert_close(
        file.runs[0].component_kwh(Component::Ram).unwrap() * 3.6e6,
        20.0,
        1e-12,
    );
}

#[test]
fn unknown_and_broken_files_say_what_was_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let table = write(dir.path(), "x.csv", "a,b,c\n1,2,3\n");
    let error = read_trace(&table).unwrap_err().to_string();
    assert!(error.contains("x.csv"), "{error}");
    assert!(
        error.contains("a table with 3 columns (a, b, c)"),
        "{error}"
    );
    assert!(error.contains("looked for CodeCarbon CSV"), "{error}");

    let json = write(dir.path(), "y.json", "{\"foo\": 1, \"bar\": 2}\n");
    let error = read_trace(&json).unwrap_err().to_string();
    assert!(error.contains("JSON lines with keys {"), "{error}");
    assert!(error.contains("bar") && error.contains("foo"), "{error}");

    let empty = write(dir.path(), "z.csv", "\n\n");
    assert!(
        read_trace(&empty)
            .unwrap_err()
            .to_string()
            .contains("empty")
    );

    let broken = write(
        dir.path(),
        "emissions.csv",
        "timestamp,project_name,run_id,duration,emissions,energy_consumed\n2025-01-01T00:00:00,p,r,60,0.1,lots\n",
    );
    let error = read_trace(&broken).unwrap_err().to_string();
    assert!(
        error.contains("emissions.csv:2:1: column energy_consumed: \"lots\" is not a number"),
        "{error}"
    );

    let binary = write(
        dir.path(),
        "w.csv",
        "timestamp,duration,emissions,energy_consumed\n\u{0}\u{1}",
    );
    let file = read_trace(&binary).unwrap();
    assert!(file.runs.is_empty());
    assert!(
        file.warnings
            .iter()
            .any(|w| w.starts_with("line 2: 1 fields where the header has 4")),
        "{:?}",
        file.warnings
    );
}

#[test]
fn integration_flags_gaps_and_backward_times() {
    let samples = [
        (0.0, 10.0),
        (1.0, 10.0),
        (2.0, 10.0),
        (30.0, 10.0),
        (29.0, 10.0),
        (31.0, 10.0),
    ];
    let result = integrate(&samples);
    assert_eq!(result.joules, 310.0);
    assert_eq!(result.gaps, 1);
    assert_eq!(result.backwards, 1);
    assert_eq!(result.longest_gap_s, 28.0);
    let warnings = result.warnings("GPU");
    assert!(warnings[0].starts_with("GPU: 1 gap(s)"), "{warnings:?}");
}

#[test]
fn summaries_round_trip_through_json() {
    let file = read_trace(&fixture("zeus/V100+resnet50+gpu0.csv")).unwrap();
    let json = serde_json::to_string(&file.runs[0]).unwrap();
    let back: TraceSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(back, file.runs[0]);
}

#[test]
fn nvidia_smi_files_larger_than_a_block_stream_in_parallel_chunks_with_line_numbers() {
    // Blocks are 16 KiB under test: this file spans about 20 of them.
    let dir = tempfile::tempdir().unwrap();
    let samples = 3000;
    for with_index in [true, false] {
        let mut text = String::from(if with_index {
            "timestamp, index, power.draw [W]\n"
        } else {
            "timestamp, power.draw [W]\n"
        });
        let mut bad_line = 0;
        let mut line = 1;
        for second in 0..samples {
            let (hour, minute, sec) = (10 + second / 3600, second / 60 % 60, second % 60);
            let stamp = format!("2024/10/13 {hour:02}:{minute:02}:{sec:02}.000");
            for gpu in 0..3 {
                line += 1;
                if with_index {
                    text.push_str(&format!("{stamp}, {gpu}, {}.50 W\n", 100 + gpu));
                } else {
                    text.push_str(&format!("{stamp}, {}.50 W\n", 100 + gpu));
                }
            }
            if second == 2500 && with_index {
                line += 1;
                bad_line = line;
                text.push_str("2024/10/13 not a row\n");
            }
        }
        let path = write(dir.path(), "big.csv", &text);
        assert!(text.len() > 15 * 16 * 1024, "{} bytes", text.len());
        let file = read_trace(&path).unwrap();
        let run = &file.runs[0];
        assert_eq!(run.run, "3 GPU(s)");
        // Each GPU: (samples − 1) s at a constant 100.5, 101.5, 102.5 W.
        let expected_j = f64::from(samples - 1) * (100.5 + 101.5 + 102.5);
        assert_close(run.energy_kwh * 3.6e6, expected_j, 1e-9);
        assert_eq!(run.duration_s, f64::from(samples - 1));
        if with_index {
            let rejected = file
                .warnings
                .iter()
                .find(|w| w.contains("rejected"))
                .unwrap();
            assert!(
                rejected.contains(&format!("first at line {bad_line}")),
                "{rejected} (expected line {bad_line})"
            );
        } else {
            assert!(!file.warnings.iter().any(|w| w.contains("rejected")));
        }
    }
}

/// A date that does not exist (February 31st) is refused with its line and the rest of the
/// file goes on: a row placed in time by it is rejected, a start time is left unknown. It was
/// once shifted silently to March 2nd. Real files carry such dates: CodeCarbon's own demo file
/// has 2020-04-31.
#[test]
fn impossible_dates_are_refused_with_their_line_not_shifted() {
    let dir = tempfile::tempdir().unwrap();
    let warned = |name: &str, content: &str, warning: &str| {
        let path = write(dir.path(), name, content);
        let file = read_trace(&path).unwrap();
        let warnings: Vec<&String> = file
            .runs
            .iter()
            .flat_map(|run| &run.warnings)
            .chain(&file.warnings)
            .collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(warning) && w.contains("not a real date")),
            "{name}: {warnings:?}"
        );
        file
    };
    let file = warned(
        "power.csv",
        "Date,CPU Utilization,Total Power,CPU Power,GPU Power\n\
         2025-2-28 8:5:3.7,0.5,30.0,20.0,10.0\n\
         2025-2-31 8:5:4.9,0.5,32.0,21.0,11.0\n\
         2025-2-28 8:5:5.12,0.5,34.0,22.0,12.0\n",
        "line 3: Date \"2025-2-31 8:5:4.9\"",
    );
    // The two good rows, 1.012 s apart: (30 + 34) / 2 W × 1 s cycles = 64 J.
    assert_close(file.runs[0].energy_kwh * 3.6e6, 64.0, 1e-12);
    warned(
        "rapl.csv",
        "timestamp,domain,energy_uj\n2024-02-28 10:00:00,package-0,100\n2024-02-31 10:00:00,package-0,200\n2024-02-28 10:00:01,package-0,300\n",
        "line 3: timestamp",
    );
    let good = "2025-01-01T10:00:00,p,r1,e,60,0.001,0.0000166,10,0,3,0.0001,0,0.00005,0.00015,France,FRA,,,,Linux,3.11,3.0.0,4,cpu,,,,,8,machine,N,1.0";
    let header = "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue";
    let file = warned(
        "emissions.csv",
        &format!(
            "{header}\n{}\n",
            good.replacen("2025-01-01", "2025-02-31", 1)
        ),
        "line 2: timestamp",
    );
    assert_eq!(file.runs[0].start, None);
    assert_eq!(file.runs[0].energy_kwh, 0.00015);
    warned(
        "dmon.txt",
        "#Date       Time        gpu   pwr\n\
         #YYYYMMDD   HH:MM:SS    Idx     W\n \
         20240101   10:00:00      0    40\n \
         20240231   10:00:01      0    60\n \
         20240101   10:00:02      0    40\n",
        "line 4: Date and Time",
    );
    // CodeCarbon's demo file: its line 33 says 2020-04-31; the run is read, its start unknown.
    let demo = read_trace(&fixture("codecarbon/emissions_v1_header_bom_demo.csv")).unwrap();
    assert!(
        demo.warnings
            .iter()
            .any(|w| w.starts_with("line 33: timestamp \"2020-04-31T03:26:11\""))
    );

    // nvidia-smi's fast path: the row is rejected and counted with its line; the rest is read.
    let mut text = String::from("timestamp, index, power.draw [W]\n");
    for (day, second) in [(28, 0), (28, 1), (31, 2), (28, 3)] {
        text.push_str(&format!(
            "2024/02/{day} 03:33:{second:02}.000, 0, 100.00 W\n"
        ));
    }
    let path = write(dir.path(), "smi.csv", &text);
    let file = read_trace(&path).unwrap();
    assert_close(file.runs[0].energy_kwh * 3.6e6, 300.0, 1e-12);
    assert!(
        file.warnings.iter().any(|w| w.contains("line 4")),
        "{:?}",
        file.warnings
    );
}
