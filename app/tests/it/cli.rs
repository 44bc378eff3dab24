//! The `ecolens` binary, run as a user runs it. Every test uses its own data directory
//! (`ECOLENS_DATA_DIR`) so no test touches the real default project.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn ecolens(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args(args)
        .env("ECOLENS_DATA_DIR", data_dir)
        .output()
        .expect("the ecolens binary runs")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

/// `ecolens ARGS --json`, which must succeed, as JSON.
fn json_of(data_dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    json(&ecolens(data_dir, &all))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A lead joins and switches blind mode off, so other reviewers' votes may be searched.
fn unblind(dir: &std::path::Path, project: &str) {
    for args in [
        &["reviewer", "add", "Lead", "--lead"][..],
        &["blind", "off", "--reviewer", "Lead"][..],
    ] {
        let mut all = args.to_vec();
        all.extend(["--project", project]);
        assert!(ecolens(dir, &all).status.success());
    }
}

#[test]
fn a_named_project_starts_empty_takes_the_demo_on_request_and_reopens_the_same_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review.ecolens");
    let project = project.to_str().unwrap();

    // A review's own project starts empty: its PRISMA counts only what the review imports.
    let created = json(&ecolens(
        dir.path(),
        &["info", "--project", project, "--json"],
    ));
    assert_eq!(created["created_now"], true);
    assert_eq!(created["counts"]["records"], 0);
    assert_eq!(created["demo_corpus_version"], Value::Null);
    // The demo is added on request, once.
    let demo = json(&ecolens(
        dir.path(),
        &["demo", "--project", project, "--json"],
    ));
    assert_eq!(demo["demo"]["added"], 47);
    let again = ecolens(dir.path(), &["demo", "--project", project]);
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        format!(
            "The demo corpus is already in {project}: its 47 publications were not added again.\n"
        )
    );
    let first = json(&ecolens(
        dir.path(),
        &["info", "--project", project, "--json"],
    ));
    assert_eq!(first["created_now"], false);
    assert_eq!(first["demo_corpus_version"], "1");
    assert_eq!(first["counts"]["records"], 47);
    assert_eq!(first["counts"]["reviewers"], 0);
    assert_eq!(
        first["schema_version"],
        ecolens_core::store::supported_schema_version()
    );
    assert_eq!(first["project_path"], project);
    assert_eq!(first["index_path"], format!("{project}.index"));

    // Options may come before the subcommand too.
    let again = json(&ecolens(
        dir.path(),
        &["--json", "--project", project, "info"],
    ));
    assert_eq!(again["created_now"], false);
    assert_eq!(again["project_id"], first["project_id"]);
    assert_eq!(again["counts"], first["counts"]);
}

#[test]
fn without_project_the_default_project_is_created_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(dir.path(), &["info"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("with the demo corpus of 47 records"),
        "{text}"
    );
    assert!(dir.path().join("default.ecolens").is_file());
}

#[test]
fn no_demo_creates_an_empty_default_project() {
    let dir = tempfile::tempdir().unwrap();
    let info = json(&ecolens(dir.path(), &["info", "--no-demo", "--json"]));
    assert!(dir.path().join("default.ecolens").is_file());
    assert_eq!(info["counts"]["records"], 0);
    assert_eq!(info["demo_corpus_version"], Value::Null);
}

#[test]
fn taxonomy_lists_the_scale_every_effect_code_and_the_project_vocabularies() {
    let dir = tempfile::tempdir().unwrap();
    let taxonomy = json(&ecolens(dir.path(), &["taxonomy", "--json"]));
    let vocabularies = taxonomy["vocabularies"].as_array().unwrap();
    let find = |id: &str| {
        vocabularies
            .iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("vocabulary {id} missing"))
    };
    let scale = find("eval-scale");
    assert_eq!(scale["version"], 1);
    let categories: Vec<_> = scale["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["a", "b", "c", "d", "e", "f"]);
    assert_eq!(
        scale["entries"][5]["name"],
        "Comprehensive evaluation of the environmental gain (comparison of LCAs)."
    );
    assert_eq!(
        taxonomy["eval_scale_questions"].as_array().unwrap().len(),
        5
    );

    let effects: Vec<_> = find("ict-effects")["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for code in [
        "FO.MAN",
        "FO.USE",
        "FO.EOL",
        "SO.OPT",
        "SO.SUB",
        "SO.IND",
        "SO.OBS",
        "HO.RB.DIR",
        "HO.RB.IND",
        "HO.RB.ECO",
        "HO.RB.TIME",
        "HO.RB.SPACE",
        "HO.RB.PSY",
        "HO.ACC",
        "HO.LCK",
        "HO.INF",
        "HO.STR",
        "HO.LIF",
        "EV.BS",
        "EV.BASE",
        "EV.SCALE",
    ] {
        assert!(effects.contains(&code), "{code} missing");
    }
    assert_eq!(effects.len(), 21);
    for id in [
        "risk-direction",
        "risk-reduction-type",
        "risk-time-horizon",
        "risk-scale",
        "risk-likelihood",
        "risk-magnitude",
        "confidence",
        "evidence-type",
        "assessment-tier",
        "mechanism-resource",
        "lca-phase",
        "lca-criterion",
        "rolnick-domain",
        "rolnick-subdomain",
        "ml-area",
    ] {
        find(id);
    }
    let gwp = find("lca-criterion")["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "gwp")
        .unwrap()
        .clone();
    assert_eq!(gwp["attributes"][0], serde_json::json!(["unit", "kgCO2e"]));
    let reasons = find("exclusion-reason");
    assert_eq!(reasons["project_defined"], true);
}

#[test]
fn taxonomy_text_prints_versions_and_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(dir.path(), &["taxonomy", "--vocabulary", "eval-scale"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("eval-scale@1 — Environmental-evaluation scale (a–f) (shipped)"),
        "{text}"
    );
    assert!(
        text.contains(
            "f  Comprehensive evaluation of the environmental gain (comparison of LCAs)."
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "1. Does the paper mention an environmental gain of its AI solution at all?  [no → a]"
        ),
        "{text}"
    );
}

#[test]
fn a_team_adds_its_own_vocabulary_without_code_changes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    let created = json(&ecolens(
        dir.path(),
        &[
            "label",
            "new-vocabulary",
            "study-design",
            "--name",
            "Study design",
            "--project",
            project,
            "--json",
        ],
    ));
    assert_eq!(created["version"], 1);
    let added = json(&ecolens(
        dir.path(),
        &[
            "label",
            "add",
            "study-design",
            "field_trial",
            "--name",
            "Field trial",
            "--definition",
            "Measured in a real deployment",
            "--project",
            project,
            "--json",
        ],
    ));
    assert_eq!(added["version"], 2);
    let reason = json(&ecolens(
        dir.path(),
        &[
            "label",
            "add",
            "exclusion-reason",
            "no_ict_accounting",
            "--name",
            "No ICT accounting",
            "--project",
            project,
            "--json",
        ],
    ));
    assert_eq!(reason["version"], 2);

    let taxonomy = json(&ecolens(
        dir.path(),
        &[
            "taxonomy",
            "--vocabulary",
            "study-design",
            "--project",
            project,
            "--json",
        ],
    ));
    let entries = taxonomy["vocabularies"][0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["code"], "field_trial");
    assert_eq!(entries[0]["definition"], "Measured in a real deployment");

    let retired = json(&ecolens(
        dir.path(),
        &[
            "label",
            "retire",
            "study-design",
            "field_trial",
            "--project",
            project,
            "--json",
        ],
    ));
    assert_eq!(retired["version"], 3);
}

#[test]
fn refused_inputs_name_the_field_and_the_value_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    let bad_code = ecolens(
        dir.path(),
        &[
            "label",
            "add",
            "tag",
            "Not A Code",
            "--name",
            "x",
            "--project",
            project,
        ],
    );
    assert_eq!(bad_code.status.code(), Some(1));
    assert!(bad_code.stdout.is_empty());
    let message = stderr(&bad_code);
    assert!(
        message.starts_with(
            "error: label.code: \"Not A Code\" is not valid: expected 1 to 64 characters"
        ),
        "{message}"
    );

    let no_vocabulary = ecolens(
        dir.path(),
        &[
            "label",
            "add",
            "nonsense",
            "x",
            "--name",
            "x",
            "--project",
            project,
        ],
    );
    assert_eq!(no_vocabulary.status.code(), Some(1));
    assert!(
        stderr(&no_vocabulary).contains("project vocabulary nonsense not found"),
        "{}",
        stderr(&no_vocabulary)
    );

    let taxonomy = json(&ecolens(
        dir.path(),
        &[
            "taxonomy",
            "--vocabulary",
            "tag",
            "--project",
            project,
            "--json",
        ],
    ));
    assert_eq!(
        taxonomy["vocabularies"][0]["entries"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing was written"
    );
    assert_eq!(taxonomy["vocabularies"][0]["version"], 1);
}

#[test]
fn files_that_are_not_projects_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a project").unwrap();
    let output = ecolens(dir.path(), &["info", "--project", notes.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert_eq!(
        message.trim(),
        format!(
            "error: not an ecolens project (not an SQLite file): {}",
            notes.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "not a project");
}

#[test]
fn usage_errors_exit_with_two() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(dir.path(), &["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unrecognized subcommand 'frobnicate'"));
    let unknown = ecolens(dir.path(), &["taxonomy", "--vocabulary", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("known vocabularies: eval-scale, ict-effects"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn import_reports_files_merges_and_located_problems_then_search_finds_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review.ecolens");
    let project = project.to_str().unwrap();
    let folder = crate::baseline_folder(dir.path());
    let folder = folder.to_str().unwrap();
    let missing = dir.path().join("nowhere.ris");
    let missing = missing.to_str().unwrap();

    // A path that is not there: the rest is imported, the missing file is said as a file not
    // found (not a rejected record), and the command exits non-zero so a script notices.
    let output = ecolens(
        dir.path(),
        &[
            "import",
            folder,
            missing,
            "--project",
            project,
            "--no-demo",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let import = &report["import"];
    assert_eq!(import["records_read"], 81);
    assert_eq!(import["records_imported"], 71);
    assert_eq!(import["duplicates_merged"], 10);
    let files = import["files"].as_array().unwrap();
    assert_eq!(files.len(), 7);
    assert_eq!(files[0]["path"], missing);
    assert_eq!(files[0]["error"], "file not found");
    assert_eq!(import["labels"][0]["reviewer"], "Emily");
    assert_eq!(import["labels"][0]["votes_recorded"], 6);
    let failed = import["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["file"], missing);
    assert_eq!(failed[0]["message"], "file not found");
    assert_eq!(failed[0]["severity"], "file_not_read");
    assert!(import["rejected"].as_array().unwrap().is_empty());
    assert_eq!(report["index"]["records_indexed"], 71);
    let text = ecolens(dir.path(), &["import", missing, "--project", project]);
    assert!(!text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("Imported 0 file(s) into"), "{text}");
    assert!(text.contains("; 1 not read"), "{text}");
    assert!(
        text.contains(&format!(
            "Files not read (1):\n  {missing}: file not found\n"
        )),
        "{text}"
    );
    assert!(!text.contains("record rejected"), "{text}");
    // A file in no format ecolens reads, and files read with nothing in them, fail too: the
    // command exits non-zero and says why, without calling them rejected records.
    let shopping = dir.path().join("shopping.txt");
    std::fs::write(&shopping, "Milk\nEggs\n").unwrap();
    let header_only = dir.path().join("header-only.csv");
    std::fs::write(&header_only, "title,abstract,doi\n").unwrap();
    let all_rejected = dir.path().join("empty-records.ris");
    std::fs::write(
        &all_rejected,
        "TY  - JOUR\nER  - \nTY  - JOUR\nPY  - 2020\nER  - \n",
    )
    .unwrap();
    for (file, why) in [
        (&shopping, "not a bibliography ecolens reads: no RIS tags"),
        (&header_only, "no records in the file (read as csv)"),
        (
            &all_rejected,
            "no record could be read: all 2 were rejected (listed under Rejected)",
        ),
    ] {
        let file = file.to_str().unwrap();
        let output = ecolens(dir.path(), &["import", file, "--project", project]);
        assert_eq!(output.status.code(), Some(1), "{file}: {}", stderr(&output));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.starts_with("Imported 0 file(s) into"), "{text}");
        assert!(
            text.contains(&format!("Files not read (1):\n  {file}")),
            "{text}"
        );
        assert!(text.contains(why), "{file}: {text}");
    }

    // A file imported before is recognised by its content and not read again.
    let scopus = format!("{folder}/scopus_malformed_issue1099.txt");
    let text = ecolens(dir.path(), &["import", &scopus, "--project", project]);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "Already imported, not read again (1; --again reads them anyway):\n  {scopus}: the same content as {scopus}, read by import #1 on "
        )),
        "{text}"
    );
    assert!(text.contains(" (7 records)\n"), "{text}");
    // Text form: a table of files and the problems with file:line. Read again, every record
    // is found where it was read before: nothing new, nothing merged twice.
    let text = ecolens(
        dir.path(),
        &["import", &scopus, "--again", "--project", project],
    );
    assert!(text.status.success(), "{}", stderr(&text));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("scopus_malformed_issue1099.txt  ris"),
        "{text}"
    );
    assert!(
        text.contains("Records: 7 read, 0 new, 0 duplicates merged, 0 linked as errata or preprints, 0 pairs flagged as possible duplicates, 7 already in the project from the same file and line"),
        "{text}"
    );

    // Search: JSON hits with id, title, year, score and snippet.
    let results = json(&ecolens(
        dir.path(),
        &[
            "search",
            "ti:dinosaur footprints",
            "--limit",
            "3",
            "--project",
            project,
            "--json",
        ],
    ));
    let hits = results["hits"].as_array().unwrap();
    assert!(results["total"].as_u64().unwrap() >= 2);
    assert!(hits.len() <= 3);
    for hit in hits {
        let title = hit["title"].as_str().unwrap().to_lowercase();
        assert!(title.contains("dinosaur"), "{title}");
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(hit["id"].as_i64().is_some());
    }
    // Rayyan's labels are Emily's votes. She is the only reviewer: blind mode has nothing to
    // hide, so a solo user filters on them.
    let solo = ecolens(
        dir.path(),
        &["search", "decision:include", "--project", project],
    );
    assert!(
        String::from_utf8_lossy(&solo.stdout).starts_with("2 records match decision:include"),
        "{}",
        stderr(&solo)
    );
    // With a second reviewer, blind mode hides them from anyone not named, and each reviewer
    // filters on their own.
    ecolens(
        dir.path(),
        &["reviewer", "add", "Tomas", "--project", project],
    );
    let blind = ecolens(
        dir.path(),
        &["search", "decision:include", "--project", project],
    );
    assert_eq!(blind.status.code(), Some(1));
    assert!(
        stderr(&blind).starts_with("error: blind mode is on: decision")
            && stderr(&blind).contains("--reviewer NAME"),
        "{}",
        stderr(&blind)
    );
    let own = |name: &str| {
        let output = ecolens(
            dir.path(),
            &[
                "search",
                "decision:include",
                "--project",
                project,
                "--reviewer",
                name,
            ],
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(
        own("Emily").starts_with("2 records match"),
        "{}",
        own("Emily")
    );
    assert!(
        own("Tomas").starts_with("0 records match"),
        "{}",
        own("Tomas")
    );
    unblind(dir.path(), project);
    let text = ecolens(
        dir.path(),
        &["search", "decision:include", "--project", project],
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("2 records match decision:include"),
        "{text}"
    );

    // A bad query says where.
    let bad = ecolens(dir.path(), &["search", "ti:(carbon", "--project", project]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        stderr(&bad),
        "error: invalid query at column 4: this ( is never closed\n  ti:(carbon\n     ^\n"
    );

    // Merges are listed with their reason and can be undone.
    let merges = json(&ecolens(
        dir.path(),
        &["merges", "--project", project, "--json"],
    ));
    let merges = merges.as_array().unwrap();
    // The ten of the first import: reading a file again merged nothing more.
    assert_eq!(merges.len(), 10);
    let merge = merges[0]["id"].as_i64().unwrap();
    let undone = json(&ecolens(
        dir.path(),
        &[
            "merges",
            "undo",
            &merge.to_string(),
            "--project",
            project,
            "--json",
        ],
    ));
    assert!(undone["restored"].as_i64().is_some());
    assert_eq!(undone["index"]["records_indexed"], 2);
    let info = json(&ecolens(
        dir.path(),
        &["info", "--project", project, "--json"],
    ));
    assert_eq!(info["counts"]["records"], 72);

    // Reindex rebuilds everything.
    let rebuilt = json(&ecolens(
        dir.path(),
        &["reindex", "--project", project, "--json"],
    ));
    assert_eq!(rebuilt["report"]["records_indexed"], 72);
    assert_eq!(rebuilt["status"]["up_to_date"], true);
}

#[test]
fn export_writes_each_format_and_a_selection_and_refuses_unknown_formats() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review.ecolens");
    let project = project.to_str().unwrap();
    let folder = crate::baseline_folder(dir.path());
    json(&ecolens(
        dir.path(),
        &[
            "import",
            folder.to_str().unwrap(),
            "--project",
            project,
            "--json",
        ],
    ));
    for (format, extension) in [
        ("ris", "ris"),
        ("bibtex", "bib"),
        ("csv", "csv"),
        ("csl-json", "json"),
    ] {
        let out = dir.path().join(format!("all.{extension}"));
        let report = json(&ecolens(
            dir.path(),
            &[
                "export",
                out.to_str().unwrap(),
                "--format",
                format,
                "--project",
                project,
                "--json",
            ],
        ));
        assert_eq!(report["records"], 71, "{format}");
        assert_eq!(report["bytes"], std::fs::metadata(&out).unwrap().len());
    }
    // A selection by search, for Zotero: Emily's two includes (a lead unblinds first: while
    // blind, no one selects by other reviewers' votes).
    unblind(dir.path(), project);
    let out = dir.path().join("included.ris");
    let report = json(&ecolens(
        dir.path(),
        &[
            "export",
            out.to_str().unwrap(),
            "--format",
            "ris",
            "--query",
            "decision:include",
            "--project",
            project,
            "--json",
        ],
    ));
    assert_eq!(report["records"], 2);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text.matches("N1  - RAYYAN-INCLUSION: {\"Emily\"=>\"Included\"}")
            .count(),
        2
    );

    let bad = ecolens(
        dir.path(),
        &["export", "x.xls", "--format", "xls", "--project", project],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("expected one of ris, bibtex, csv, csl-json"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn a_review_runs_from_the_command_line_blind_then_resolved_with_prisma_and_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.ecolens");
    let main = main.to_str().unwrap();
    let run = |project: &str, args: &[&str]| {
        let mut all = vec!["--project", project, "--json"];
        all.extend_from_slice(args);
        ecolens(dir.path(), &all)
    };
    json(&run(main, &["demo"]));
    for (name, lead) in [("Anne", true), ("Emily", false), ("Tomas", false)] {
        let mut args = vec!["reviewer", "add", name];
        if lead {
            args.push("--lead");
        }
        json(&run(main, &args));
    }
    let listed = json(&run(main, &["reviewer", "list"]));
    assert_eq!(listed["reviewers"].as_array().unwrap().len(), 3);
    assert_eq!(listed["settings"]["blind"], true);

    // Tomas screens in the lead's project; Emily in her copy, sent back as a bundle.
    let emily_copy = dir.path().join("emily.ecolens");
    std::fs::copy(main, &emily_copy).unwrap();
    let emily_copy = emily_copy.to_str().unwrap();
    let doi = "10.3390/su14095172";
    json(&run(
        main,
        &[
            "screen",
            doi,
            "--stage",
            "tiab",
            "--decision",
            "include",
            "--reviewer",
            "Tomas",
        ],
    ));
    let vote = json(&run(
        emily_copy,
        &[
            "screen",
            doi,
            "--stage",
            "tiab",
            "--decision",
            "exclude",
            "--reason",
            "not_ai",
            "--reviewer",
            "Emily",
        ],
    ));
    assert_eq!(vote["outcome"], "hidden while blind");
    json(&run(
        emily_copy,
        &[
            "classify",
            doi,
            "--category",
            "f",
            "--reviewer",
            "Emily",
            "--evidence",
            "Life Cycle Assessment",
        ],
    ));
    let bundle = dir.path().join("emily.json");
    let exported = json(&run(
        emily_copy,
        &[
            "bundle",
            "export",
            "--reviewer",
            "Emily",
            bundle.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        (
            exported["votes"].as_u64(),
            exported["classifications"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let imported = json(&run(main, &["bundle", "import", bundle.to_str().unwrap()]));
    assert_eq!(imported["added"], 2);
    let again = json(&run(main, &["bundle", "import", bundle.to_str().unwrap()]));
    assert_eq!(again["already_imported"], true);

    // Blind until the lead says otherwise.
    let blinded = run(main, &["conflicts"]);
    assert_eq!(blinded.status.code(), Some(1));
    assert!(
        stderr(&blinded).contains("blind mode is on"),
        "{}",
        stderr(&blinded)
    );
    let not_lead = run(main, &["blind", "off", "--reviewer", "Emily"]);
    assert!(stderr(&not_lead).contains("only a project lead"));
    json(&run(main, &["blind", "off", "--reviewer", "Anne"]));
    let conflicts = json(&run(main, &["conflicts"]));
    assert_eq!(conflicts["open"], 1);
    assert_eq!(conflicts["conflicts"][0]["subject"], "screening:tiab");
    let agreement = json(&run(main, &["agreement", "--stage", "tiab"]));
    assert_eq!(agreement["scopes"][0]["pairs"][0]["items"], 1);

    json(&run(
        main,
        &[
            "resolve",
            doi,
            "--subject",
            "screening:tiab",
            "--value",
            "include",
            "--reviewer",
            "Anne",
            "--note",
            "in scope: a method paper",
        ],
    ));
    let review = json(&run(main, &["review", doi, "--reviewer", "Anne"]));
    assert_eq!(
        review["review"]["votes"].as_array().unwrap().len(),
        2,
        "votes kept"
    );
    assert_eq!(review["outcome"]["tiab"]["decision"], "include");
    assert_eq!(review["outcome"]["tiab"]["resolved"], true);

    // Risks, a tree, the register's counts.
    let first = json(&run(
        main,
        &[
            "risk",
            "add",
            doi,
            "--effect",
            "SO.OPT",
            "--reviewer",
            "Tomas",
            "--direction",
            "decreases_impact",
        ],
    ));
    let parent = first["id"].to_string();
    json(&run(
        main,
        &[
            "risk",
            "add",
            doi,
            "--effect",
            "HO.RB.DIR",
            "--reviewer",
            "Tomas",
            "--direction",
            "increases_impact",
            "--resource",
            "money",
            "--mechanism",
            "cheaper service, more use",
            "--parent",
            &parent,
        ],
    ));
    let svg = dir.path().join("tree.svg");
    let tree = json(&run(
        main,
        &[
            "risk",
            "tree",
            doi,
            "--reviewer",
            "Tomas",
            "--svg",
            svg.to_str().unwrap(),
        ],
    ));
    assert_eq!(tree["children"][0]["children"][0]["effect"], "HO.RB.DIR");
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains("money: cheaper service, more use")
    );
    let summary = json(&run(main, &["risk", "summary", "--reviewer", "Anne"]));
    assert_eq!(summary["risks"], 2);

    // PRISMA from the data, with the diagram.
    let diagram = dir.path().join("prisma.svg");
    let prisma = json(&run(main, &["prisma", "--svg", diagram.to_str().unwrap()]));
    assert_eq!(prisma["records_screened"], 1);
    assert_eq!(prisma["reports_sought"], 1);
    assert!(
        std::fs::read_to_string(&diagram)
            .unwrap()
            .contains("Records screened (n = 1)")
    );

    // Bad inputs: refused with the field named, nothing written.
    let audit_before = json(&run(main, &["audit", "--limit", "1000"]));
    for (args, says) in [
        (
            vec!["classify", doi, "--category", "g", "--reviewer", "Emily"],
            "category",
        ),
        (
            vec![
                "risk",
                "add",
                doi,
                "--effect",
                "HO.XX",
                "--reviewer",
                "Emily",
            ],
            "effect",
        ),
        (
            vec![
                "screen",
                doi,
                "--stage",
                "tiab",
                "--decision",
                "include",
                "--reviewer",
                "Zoe",
            ],
            "not in this project",
        ),
        (
            vec![
                "screen",
                doi,
                "--stage",
                "fulltext",
                "--decision",
                "exclude",
                "--reviewer",
                "Emily",
            ],
            "screening.reason",
        ),
    ] {
        let output = run(main, &args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let other = dir.path().join("other.ecolens");
    json(&run(other.to_str().unwrap(), &["reviewer", "add", "Emily"]));
    let foreign = dir.path().join("foreign.json");
    json(&run(
        other.to_str().unwrap(),
        &[
            "bundle",
            "export",
            "--reviewer",
            "Emily",
            foreign.to_str().unwrap(),
        ],
    ));
    let refused = run(main, &["bundle", "import", foreign.to_str().unwrap()]);
    assert!(
        stderr(&refused).contains("not of this project"),
        "{}",
        stderr(&refused)
    );
    let audit_after = json(&run(main, &["audit", "--limit", "1000"]));
    assert_eq!(audit_before, audit_after);

    // Undo by its author.
    let undone = json(&run(main, &["undo", "--reviewer", "Anne"]));
    assert_eq!(undone["undone"]["entity"], "resolution");
}

fn trace_fixture(relative: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/traces")
        .join(relative)
        .display()
        .to_string()
}

#[test]
fn energy_reports_each_run_with_the_tools_factors_and_the_workbench_footprint() {
    let dir = tempfile::tempdir().unwrap();
    let zeus = trace_fixture("zeus/V100+resnet50+gpu0.csv");
    let carbontracker = trace_fixture("carbontracker/10151_2022-11-14T154243Z_carbontracker.log");
    let output = ecolens(
        dir.path(),
        &[
            "energy",
            &zeus,
            &carbontracker,
            "--pue",
            "1.2",
            "--intensity",
            "100",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    let runs = value["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    // Zeus: 37,461.493 J, no PUE applied by the tool; × 1.2 × 100 g/kWh.
    let zeus_kwh = 37_461.493 / 3.6e6;
    assert!(
        (runs[0]["footprint"]["co2e_kg"].as_f64().unwrap() - zeus_kwh * 1.2 * 0.1).abs() < 1e-9
    );
    // CarbonTracker: its PUE 1.59 is divided out before ours is applied.
    let ct = &runs[1];
    assert_eq!(ct["summary"]["pue_applied"].as_f64(), Some(1.59));
    assert!((ct["footprint"]["it_energy_kwh"].as_f64().unwrap() - 0.003_504 / 1.59).abs() < 1e-12);
    assert_eq!(ct["summary"]["ef_applied_g_per_kwh"].as_f64(), Some(102.0));

    let unknown = ecolens(dir.path(), &["energy", env!("CARGO_MANIFEST_DIR")]);
    assert!(!unknown.status.success());
    let bad = dir.path().join("x.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let output = ecolens(dir.path(), &["energy", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("a table with 2 columns (a, b)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn estimate_gives_the_green_algorithms_and_ml_co2_impact_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--gpu",
            "NVIDIA Tesla V100",
            "--memory-gb",
            "64",
            "--hours",
            "12",
            "--pue",
            "1.56",
            "--country",
            "FRA",
            "--reproduce",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    assert!((value["co2e_kg"].as_f64().unwrap() - 0.310_874).abs() < 1e-6);
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--method",
            "ml-co2-impact",
            "--gpu",
            "Tesla V100-PCIE-16GB",
            "--hours",
            "100",
            "--provider",
            "gcp",
            "--region",
            "us-central1",
            "--json",
        ],
    );
    assert_eq!(json(&output)["co2e_kg"].as_f64(), Some(17.1));
    // The calculator's rounding, and the unrounded value beside it (issue 18, defect 5).
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--method",
            "ml-co2-impact",
            "--gpu",
            "RTX 3090",
            "--hours",
            "7",
            "--provider",
            "gcp",
            "--region",
            "europe-west6",
            "--json",
        ],
    );
    let value = json(&output);
    assert_eq!(value["co2e_kg"].as_f64(), Some(0.05));
    assert!((value["unrounded_co2e_kg"].as_f64().unwrap() - 0.0392).abs() < 1e-12);
}

/// Issue 18, defects 1 and 3: the same country gave 30.04 g/kWh by the chip-hours route and
/// 51.28 by the Green Algorithms route; flags changed nothing without a word.
#[test]
#[allow(clippy::float_cmp)] // Values read from the same table by two routes must be equal bit for bit.
fn every_route_takes_the_projects_grid_source_and_a_flag_that_would_change_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--project", project];
        all.extend_from_slice(args);
        all.push("--json");
        let output = ecolens(dir.path(), &all);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        json(&output)
    };
    let intensity = |value: &Value| value["intensity_g_per_kwh"].as_f64().unwrap();
    // One V100 (300 W in Green Algorithms' table) for 12 h, asked two ways.
    let chip_hours = [
        "estimate",
        "--power-w",
        "300",
        "--hours",
        "12",
        "--country",
        "FRA",
    ];
    let calculator = [
        "estimate",
        "--gpu",
        "NVIDIA Tesla V100",
        "--hours",
        "12",
        "--country",
        "FRA",
    ];
    // No project yet: the shipped defaults, and nothing is created by a calculation.
    let by_power = run(&chip_hours);
    assert!(!std::path::Path::new(project).exists());
    let by_gpu = run(&calculator);
    assert!((intensity(&by_power) - 30.04).abs() < 0.01, "{by_power}");
    assert_eq!(intensity(&by_power), intensity(&by_gpu));
    assert_eq!(by_power["co2e_kg"], by_gpu["co2e_kg"]);
    assert!(
        by_gpu["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "carbon intensity"
                && a["source"].as_str().unwrap().contains("digital4better")),
        "{by_gpu}"
    );
    // A measured run in the same place and data year gets the same intensity.
    let zeus = trace_fixture("zeus/V100+resnet50+gpu0.csv");
    let measured = run(&["energy", &zeus, "--country", "FRA"]);
    let footprint = &measured["runs"][0]["footprint"];
    let year = measured["runs"][0]["summary"]["start"]
        .as_str()
        .and_then(|s| s.get(..4))
        .unwrap_or("2024")
        .to_owned();
    let same_year = run(&[&chip_hours[..], &["--grid-year", &year]].concat());
    assert_eq!(
        footprint["intensity_g_per_kwh"],
        same_year["intensity_g_per_kwh"]
    );
    // Without a country: the world average of the same source, not Green Algorithms' 475.
    let world = run(&["estimate", "--power-w", "300", "--hours", "12"]);
    assert!((intensity(&world) - 477.156).abs() < 0.001, "{world}");

    // The project chooses Green Algorithms' table: every route follows.
    let demo = ecolens(dir.path(), &["--project", project, "demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    run(&["factors", "set", "--grid-source", "green-algorithms"]);
    assert_eq!(intensity(&run(&chip_hours)), 51.28);
    assert_eq!(intensity(&run(&calculator)), 51.28);
    let measured = run(&["energy", &zeus, "--country", "FRA"]);
    assert_eq!(
        measured["runs"][0]["footprint"]["intensity_g_per_kwh"].as_f64(),
        Some(51.28)
    );
    // A command line's source is over the project's.
    let over = run(&[&chip_hours[..], &["--grid-source", "codecarbon"]].concat());
    assert_ne!(intensity(&over), 51.28);
    // Green Algorithms' sub-national values, with its table: California is 216.43.
    let california = run(&[
        "estimate",
        "--gpu",
        "NVIDIA Tesla V100",
        "--hours",
        "1",
        "--country",
        "USA",
        "--region",
        "CA",
    ]);
    assert_eq!(intensity(&california), 216.43);
    run(&["factors", "set", "--grid-source", "digital4better"]);

    // Refused, with the reason: a region the project's source cannot place …
    let refused = |args: &[&str], reason: &str| {
        let mut all = vec!["--project", project];
        all.extend_from_slice(args);
        let output = ecolens(dir.path(), &all);
        assert!(!output.status.success(), "{args:?} was accepted");
        assert!(
            stderr(&output).contains(reason),
            "{args:?}: {}",
            stderr(&output)
        );
    };
    refused(
        &[
            "estimate",
            "--gpu",
            "NVIDIA Tesla V100",
            "--hours",
            "1",
            "--country",
            "USA",
            "--region",
            "CA",
        ],
        "country values only",
    );
    // … which Green Algorithms' own table can, when asked to reproduce it.
    let reproduced = run(&[
        "estimate",
        "--gpu",
        "NVIDIA Tesla V100",
        "--hours",
        "1",
        "--region",
        "US-CA",
        "--reproduce",
    ]);
    assert_eq!(intensity(&reproduced), 216.43);
    assert!(
        reproduced["method"]
            .as_str()
            .unwrap()
            .contains("reproduced")
    );
    // Green Algorithms' PUE for a provider: gcp 1.12, not the unknown data centre's 1.56.
    let gcp = run(&[
        "estimate",
        "--gpu",
        "NVIDIA Tesla V100",
        "--hours",
        "1",
        "--provider",
        "gcp",
        "--reproduce",
    ]);
    assert_eq!(gcp["pue"].as_f64(), Some(1.12));
    let gcp = run(&[
        "estimate",
        "--gpu",
        "NVIDIA Tesla V100",
        "--hours",
        "1",
        "--provider",
        "gcp",
    ]);
    assert_eq!(gcp["pue"].as_f64(), Some(1.12));
    // ML CO2 Impact counts GPUs without PUE: --pue, --cores, --memory-gb are refused.
    for flag in [["--pue", "1.2"], ["--cores", "4"], ["--memory-gb", "64"]] {
        refused(
            &[
                &[
                    "estimate",
                    "--method",
                    "ml-co2-impact",
                    "--gpu",
                    "Tesla V100-PCIE-16GB",
                    "--hours",
                    "100",
                    "--provider",
                    "gcp",
                    "--region",
                    "us-central1",
                ][..],
                &flag[..],
            ]
            .concat(),
            "ML CO2 Impact calculator",
        );
    }
    refused(
        &[
            "estimate",
            "--power-w",
            "300",
            "--hours",
            "1",
            "--gpu",
            "NVIDIA Tesla V100",
        ],
        "no hardware flag with --power-w",
    );
    refused(
        &["factors", "set", "--grid-source", "ember"],
        "not a grid-intensity source",
    );
}

/// Issue 18, defect 2: CarbonTracker writes two logs per run, and each names the other; given
/// both, the run is counted once, in either order.
#[test]
fn both_logs_of_one_carbontracker_run_count_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let standard = trace_fixture("carbontracker/10151_2022-11-14T154243Z_carbontracker.log");
    let output_log =
        trace_fixture("carbontracker/10151_2022-11-14T154243Z_carbontracker_output.log");
    let total = |args: &[&str]| {
        let mut all = vec!["energy"];
        all.extend_from_slice(args);
        all.push("--json");
        let output = ecolens(dir.path(), &all);
        assert!(output.status.success(), "{}", stderr(&output));
        json(&output)
    };
    let one = total(&[&standard]);
    for pair in [[&standard, &output_log], [&output_log, &standard]] {
        let both = total(&[pair[0], pair[1]]);
        assert_eq!(both["total"]["runs"], 1, "{both}");
        assert_eq!(both["total"]["co2e_kg"], one["total"]["co2e_kg"]);
        let skipped = &both["files"][1];
        assert_eq!(skipped["runs"], 0);
        assert!(
            skipped["warnings"][0]
                .as_str()
                .unwrap()
                .contains("its runs are counted once"),
            "{skipped}"
        );
    }
}

/// Issue 18, defect 6: Green Algorithms has a usage factor per kind of device; a mixed job
/// (4 cores of its Any CPU at 50 %, one V100 at 80 %, 10 h) is reproduced with both.
#[test]
fn cpu_and_gpu_usage_are_set_apart() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--cores",
            "4",
            "--cpu-usage",
            "0.5",
            "--gpu",
            "NVIDIA Tesla V100",
            "--gpu-usage",
            "0.8",
            "--hours",
            "10",
            "--pue",
            "1",
            "--intensity",
            "100",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    // (4 × 12 W × 0.5 + 300 W × 0.8) × 10 h = 2.64 kWh.
    assert!(
        (value["energy_kwh"].as_f64().unwrap() - 2.64).abs() < 1e-12,
        "{value}"
    );
    // A usage factor where the method has none is refused.
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--power-w",
            "300",
            "--hours",
            "1",
            "--gpu-usage",
            "0.5",
        ],
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("usage"), "{}", stderr(&output));
}

/// Issue 18: equivalents from Green Algorithms' reference values, each with its source, so
/// that the seed material's "10¹² YOLO inferences ≈ 50 km by car" can be checked: at
/// 0.61 J each (Gay, Ligozat & Bilinski 2023) that is 169,444 kWh, 5.09 tCO2e on France's
/// grid, about 29,000 km by car at 175 g/km; 50 km is about 10⁹ inferences.
#[test]
fn equivalents_check_a_claim_in_car_km() {
    let dir = tempfile::tempdir().unwrap();
    let kwh = 1e12 * 0.61 / 3.6e6;
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--energy-kwh",
            &kwh.to_string(),
            "--pue",
            "1",
            "--country",
            "FRA",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    let car = value["equivalents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "km by passenger car (Europe)")
        .unwrap();
    assert_eq!(car["g_co2e_each"].as_f64(), Some(175.0));
    assert!(
        car["source"]
            .as_str()
            .unwrap()
            .contains("passengerCar_EU_perkm")
    );
    let km = car["amount"].as_f64().unwrap();
    let expected = value["co2e_kg"].as_f64().unwrap() * 1000.0 / 175.0;
    assert!((km - expected).abs() < 1e-9 * expected);
    assert!((28_000.0..30_000.0).contains(&km), "{km}");
}

/// Issue 18: `audit paper` recomputes a paper's stated chain. Strubell et al. 2019's NAS
/// fits its inputs and is 284 t, not "more than 300 t"; a figure in the wrong unit is named
/// as a slip; the log's own `audit` still works beside it.
#[test]
fn audit_paper_checks_the_worked_cases_and_finds_a_unit_slip() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(
        dir.path(),
        &["audit", "paper", "--example", "strubell-nas", "--json"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    let verdicts: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["fits", "claim-contradicted"]);
    let output = ecolens(
        dir.path(),
        &[
            "audit",
            "paper",
            "--energy-kwh",
            "1000",
            "--intensity",
            "0.5 kg/kWh",
            "--co2e",
            "1102 kg",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("UNIT SLIP"), "{text}");
    assert!(
        text.contains("fits when read as 1,102 lbs, not kg"),
        "{text}"
    );
    let output = ecolens(dir.path(), &["audit", "paper", "--co2e", "12 parsecs"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("a unit of mass"),
        "{}",
        stderr(&output)
    );
    let project = dir.path().join("p.ecolens");
    let log = ecolens(
        dir.path(),
        &[
            "--project",
            project.to_str().unwrap(),
            "audit",
            "--limit",
            "5",
        ],
    );
    assert!(log.status.success(), "{}", stderr(&log));
}

/// Issue 18, defect 7: a published energy figure is given as it stands. Patterson et al.
/// 2021, Table 4: GPT-3 drew 1,287 megawatt-hours (its PUE already inside) at 0.429 kgCO2e/kWh: 552 t.
#[test]
fn a_published_energy_figure_is_estimated_as_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--energy-kwh",
            "1287000",
            "--pue",
            "1",
            "--intensity",
            "429",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    let tonnes = value["co2e_kg"].as_f64().unwrap() / 1000.0;
    assert!((tonnes - 552.0).abs() < 0.5, "{value}");
    assert_eq!(value["method"], "energy given");
    // With the project's grid source and the unknown data centre's PUE when not given.
    let output = ecolens(
        dir.path(),
        &[
            "estimate",
            "--energy-kwh",
            "10",
            "--country",
            "FRA",
            "--json",
        ],
    );
    let value = json(&output);
    assert!(
        (value["energy_kwh"].as_f64().unwrap() - 15.6).abs() < 1e-9,
        "{value}"
    );
    assert!((value["intensity_g_per_kwh"].as_f64().unwrap() - 30.04).abs() < 0.01);
    // Hours or power beside a known energy would say nothing: refused, with the reason.
    let output = ecolens(
        dir.path(),
        &["estimate", "--energy-kwh", "10", "--hours", "3"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--energy-kwh with --hours"),
        "{}",
        stderr(&output)
    );
    // Neither hours nor energy: a usage error.
    let output = ecolens(dir.path(), &["estimate", "--power-w", "300"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn trace_attach_and_lca_with_a_trace_fed_line_stored_with_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    let zeus = trace_fixture("zeus/A40+resnet18+gpu0-3.csv");
    assert!(
        ecolens(dir.path(), &["--project", project, "demo"])
            .status
            .success()
    );
    let output = ecolens(
        dir.path(),
        &[
            "--project",
            project,
            "trace",
            "attach",
            "1",
            &zeus,
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let trace_id = json(&output)["trace_ids"][0].as_i64().unwrap();
    let listed = json(&ecolens(
        dir.path(),
        &["--project", project, "trace", "list", "1", "--json"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"trained once\"\nfunctional_unit = \"one model\"\ncriteria = [\"gwp\"]\n\
             [[variant]]\nid = \"M1\"\nname = \"none\"\n\
             [[variant]]\nid = \"M2\"\nname = \"train\"\n[[variant.line]]\nphase = \"training\"\nname = \"A40 run\"\namount = 1.5\ntrace = {trace_id}\nfactors = {{ gwp = 0.4 }}\n"
        ),
    )
    .unwrap();
    let output = ecolens(
        dir.path(),
        &[
            "--project",
            project,
            "lca",
            scenario.to_str().unwrap(),
            "--record",
            "1",
            "--runs",
            "100",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value = json(&output);
    let delta = value["evaluation"]["criteria"][0]["delta"]
        .as_f64()
        .unwrap();
    assert!(
        (delta - 1.5 * 148_815.39 / 3.6e6 * 0.4).abs() < 1e-9,
        "{delta}"
    );
    assert!(value["stored"]["scenario"].as_i64().is_some());

    let output = ecolens(
        dir.path(),
        &[
            "--project",
            project,
            "lca",
            "example:smart-building",
            "--runs",
            "2000",
            "--seed",
            "3",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Burden shift: M2 improves gwp"), "{text}");
    // Issue 20: the example's direct rebound, after the gain.
    assert!(
        text.contains("After rebound:")
            && text.contains("P(net benefit)")
            && text.contains("Break-even direct rebound")
            && text.contains("Chitnis, Fouquet & Sorrell (2020)"),
        "{text}"
    );
    let output = ecolens(
        dir.path(),
        &[
            "--project",
            project,
            "lca",
            "example:smart-building",
            "--runs",
            "2000",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let gwp = &value["evaluation"]["rebound"][0];
    let even = gwp["break_even"].as_f64().unwrap();
    // docs/reference/rebound_reference.py: 0.989809.
    assert!((even - 0.989_809).abs() < 1e-5, "{gwp}");
    let p = value["monte_carlo"]["criteria"][0]["rebound"]["p_net_benefit"]
        .as_f64()
        .unwrap();
    assert!(p > 0.99, "{p}");
    let output = ecolens(
        dir.path(),
        &["--project", project, "lca", "example:nothing"],
    );
    assert!(
        stderr(&output).contains("example:smart-building"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn report_writes_a_record_and_the_project_with_the_projects_own_factors() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--project", project];
        all.extend_from_slice(args);
        ecolens(dir.path(), &all)
    };
    let ok = |output: Output| {
        assert!(output.status.success(), "{}", stderr(&output));
        output
    };
    let eco2ai = trace_fixture("eco2ai/emission_eco2ai_repo.csv");
    ok(run(&["demo"]));
    ok(run(&["trace", "attach", "1", &eco2ai]));
    ok(run(&["reviewer", "add", "Anne", "--lead"]));
    // A second reviewer: blind mode now has something to hide.
    ok(run(&["reviewer", "add", "Ben"]));
    ok(run(&[
        "classify",
        "1",
        "--category",
        "e",
        "--reviewer",
        "Anne",
    ]));
    ok(run(&[
        "lca",
        "example:inference-per-model",
        "--record",
        "1",
        "--runs",
        "200",
    ]));
    let out = dir.path().join("r1.md");
    // Blind mode is on by default: a report names its reader.
    let refused = run(&["report", "1", "--format", "md", out.to_str().unwrap()]);
    assert!(
        stderr(&refused).contains("blind mode is on"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists());
    ok(run(&[
        "report",
        "1",
        "--format",
        "md",
        out.to_str().unwrap(),
        "--reviewer",
        "Anne",
        "--runs",
        "300",
    ]));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("Category e: "), "{md}");
    assert!(md.contains("| eco2AI"), "{md}");
    assert!(md.contains("Monte Carlo: 300 paired runs"), "{md}");

    // The project's own factors: the statement uses them and names their source.
    let refused = run(&["factors", "set", "--pue", "0.5", "--source", "x"]);
    assert!(
        stderr(&refused).contains("factors.pue"),
        "{}",
        stderr(&refused)
    );
    let set = json(&ok(run(&[
        "factors",
        "set",
        "--pue",
        "1.1",
        "--intensity",
        "50",
        "--source",
        "provider report 2024",
        "--json",
    ])));
    assert_eq!(set["pue"].as_f64(), Some(1.1));
    let tex = dir.path().join("statement.tex");
    ok(run(&[
        "report",
        "1",
        "--format",
        "statement-tex",
        tex.to_str().unwrap(),
        "--reviewer",
        "Anne",
    ]));
    let tex = std::fs::read_to_string(&tex).unwrap();
    assert!(tex.contains("PUE of 1.1 "), "{tex}");
    assert!(tex.contains("50 gCO2e/kWh"), "{tex}");
    assert!(
        tex.contains("project setting: provider report 2024"),
        "{tex}"
    );
    // eco2AI's 0.002 kWh (its PUE 1 divided out) × 1.1 × 50 g/kWh = 0.00011 kg, said as 110 mg.
    assert!((0.002 * 1.1 * 50.0 / 1000.0 - 0.000_11_f64).abs() < 1e-12);
    assert!(tex.contains("110~mg\\,CO$_2$e"), "{tex}");
    let cleared = json(&ok(run(&["factors", "clear", "--json"])));
    assert_eq!(cleared, serde_json::json!({}));

    let html = dir.path().join("all.html");
    ok(run(&["blind", "off", "--reviewer", "Anne"]));
    let written = json(&ok(run(&[
        "report",
        "--all",
        "--format",
        "html",
        html.to_str().unwrap(),
        "--json",
    ])));
    assert_eq!(written["report"]["records"].as_array().unwrap().len(), 1);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("assessment summary"));
    assert!(page.contains("<a href=\"#record-1\">1</a>"));
    let usage = run(&["report", "--all", "--format", "md", "a", "b"]);
    assert!(
        stderr(&usage).contains("one file to write"),
        "{}",
        stderr(&usage)
    );
    let none = run(&["report", "2", "--format", "statement-md", "x.md"]);
    assert!(
        stderr(&none).contains("no trace attached"),
        "{}",
        stderr(&none)
    );
}

/// README's list of formats, through the binary: a folder holding one real sample of each
/// format read since issue 16 (and one gzip-compressed) imports each with its format named,
/// its records counted, and nothing rejected.
#[test]
fn every_format_readme_lists_imports_through_the_binary() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exports");
    std::fs::create_dir_all(&folder).unwrap();
    let formats = crate::fixtures().join("formats");
    for name in [
        "IsiImporterTestWOS.isi",
        "Endnote.entries.enw",
        "MedlineImporterTestArticleID.xml",
        "_baseline.xlsx",
    ] {
        std::fs::copy(formats.join(name), folder.join(name)).unwrap();
    }
    std::fs::copy(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/tests/data/zotero_two_items.rdf"),
        folder.join("zotero.rdf"),
    )
    .unwrap();
    std::fs::write(
        folder.join("ovid.txt"),
        "<1>\nTitle\n  Cloud water interception.[Article]\nAuthor\n  Kohler, Lars 1\nSource\n  Ecohydrology.   8(6):1048-1064, September 2015.\n",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(crate::fixtures().join("pubmed_medline_baseline.ris")).unwrap())
        .unwrap();
    std::fs::write(folder.join("pubmed.nbib.gz"), gz.finish().unwrap()).unwrap();
    let project = dir.path().join("formats.ecolens");
    let report = json(&ecolens(
        dir.path(),
        &[
            "import",
            folder.to_str().unwrap(),
            "--project",
            project.to_str().unwrap(),
            "--json",
        ],
    ));
    let files: Vec<(String, String, String, u64)> = report["import"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
                f["format"].as_str().unwrap_or("-").to_owned(),
                f["encoding"].as_str().unwrap_or("-").to_owned(),
                f["records_read"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("Endnote.entries.enw", "endnote-tagged", "UTF-8", 5),
        ("IsiImporterTestWOS.isi", "wos", "UTF-8", 2),
        ("MedlineImporterTestArticleID.xml", "pubmed-xml", "UTF-8", 1),
        ("_baseline.xlsx", "xlsx", "XLSX", 100),
        ("ovid.txt", "ovid", "UTF-8", 1),
        ("pubmed.nbib.gz", "medline", "gzip, UTF-8", 50),
        ("zotero.rdf", "zotero-rdf", "UTF-8", 2),
    ];
    let got: Vec<(&str, &str, &str, u64)> = files
        .iter()
        .map(|(n, f, e, r)| (n.as_str(), f.as_str(), e.as_str(), *r))
        .collect();
    assert_eq!(got, expected);
    assert!(report["import"]["rejected"].as_array().unwrap().is_empty());
    assert!(report["import"]["failed"].as_array().unwrap().is_empty());
}

/// `ecolens record new|edit|show`: a grant proposal entered by hand, corrected, undone,
/// exported and read back; identifiers and periods checked with the field named; an edit
/// without a reviewer refused.
#[test]
fn records_are_entered_edited_and_undone_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("grants.ecolens");
    let project = project.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--project", project]);
        ecolens(dir.path(), &all)
    };
    assert!(run(&["reviewer", "add", "Alice"]).status.success());

    let entered = json(&run(&[
        "record",
        "new",
        "--reviewer",
        "Alice",
        "--json",
        "--kind",
        "project",
        "--title",
        "GreenSched: carbon-aware scheduling of training jobs",
        "--author",
        "Durand, Claire",
        "--author",
        "INRIA",
        "--funder",
        "Agence nationale de la recherche",
        "--programme",
        "AAPG 2025",
        "--grant-number",
        "ANR-25-CE23-0001",
        "--period",
        "2025-10/2029-09",
        "--summary",
        "Shift training jobs to hours of low-carbon electricity.",
    ]));
    assert_eq!(entered["record"], 1);
    let record = &entered["now"]["record"];
    assert_eq!(record["kind"], "project");
    assert_eq!(record["publisher"], "Agence nationale de la recherche");
    assert_eq!(record["period"], "2025-10/2029-09");
    assert_eq!(record["authors"][1]["family"], "INRIA");
    assert_eq!(entered["now"]["sources"][0]["file"], "entered by hand");

    // Text output names a project's fields as a reviewer does.
    let shown = run(&["record", "show", "1"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    for line in [
        "Funder:",
        "Programme:",
        "Grant number:",
        "Period:",
        "Summary:",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }

    // Refused values name the field and write nothing; so does an edit without a reviewer.
    for (args, expected) in [
        (&["--doi", "not a doi"][..], "doi"),
        (&["--period", "2029/2025"][..], "period"),
        (&["--year", "twenty"][..], "year"),
        (&["--clear", "colour"][..], "clear: \"colour\" is not valid"),
    ] {
        let mut all = vec!["record", "edit", "1", "--reviewer", "Alice"];
        all.extend(args);
        let refused = run(&all);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&refused).contains(expected),
            "{args:?}: {}",
            stderr(&refused)
        );
    }
    let nobody = run(&["record", "edit", "1", "--year", "2025"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        stderr(&nobody).contains("--reviewer"),
        "{}",
        stderr(&nobody)
    );

    let edited = json(&run(&[
        "record",
        "edit",
        "1",
        "--reviewer",
        "Alice",
        "--json",
        "--year",
        "2025",
        "--clear",
        "summary",
    ]));
    assert_eq!(
        edited["changed"],
        serde_json::json!(["year", "abstract_text"])
    );
    assert_eq!(edited["now"]["record"]["year"], 2025);
    assert_eq!(
        edited["now"]["record"].get("abstract_text"),
        Some(&Value::Null)
    );

    // The search index follows the edit; a snippet of paragraphs prints on one line.
    let found = json(&run(&["search", "carbon-aware", "--json"]));
    assert_eq!(found["total"], 1);
    let paragraphs = run(&[
        "record",
        "edit",
        "1",
        "--reviewer",
        "Alice",
        "--summary",
        "Shift training jobs.\n\nMeasure what it saves.",
    ]);
    assert!(paragraphs.status.success(), "{}", stderr(&paragraphs));
    let listed = run(&["search", "measure"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("Shift training jobs. «Measure» what it saves."),
        "{listed}"
    );
    assert!(run(&["undo", "--reviewer", "Alice"]).status.success());

    // The export carries the project and reads back the same.
    let out = dir.path().join("grants.ris");
    assert!(
        run(&["export", out.to_str().unwrap(), "--format", "ris"])
            .status
            .success()
    );
    let ris = std::fs::read_to_string(&out).unwrap();
    assert!(
        ris.contains("TY  - GRANT") && ris.contains("DA  - 2025-10/2029-09"),
        "{ris}"
    );

    // Undo puts the summary back; undoing the entry deletes it.
    assert!(run(&["undo", "--reviewer", "Alice"]).status.success());
    let back = json(&run(&["record", "show", "1", "--json"]));
    assert_eq!(back["record"]["year"], Value::Null);
    assert_eq!(
        back["record"]["abstract_text"],
        "Shift training jobs to hours of low-carbon electricity."
    );
    assert!(run(&["undo", "--reviewer", "Alice"]).status.success());
    let gone = run(&["record", "show", "1"]);
    assert_eq!(gone.status.code(), Some(1));
    let info = json(&run(&["info", "--json"]));
    assert_eq!(info["counts"]["records"], 0);
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly_not_with_a_panic() {
    use std::io::Read as _;
    let dir = tempfile::tempdir().unwrap();
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/data/asreview_demo_data.csv");
    // 80 runs print about 140 KB of JSON: more than a pipe holds, so the writes after the
    // reader has gone fail with a broken pipe (as `ecolens simulate … --json | head` does).
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args([
            "simulate",
            sample.to_str().unwrap(),
            "--runs",
            "80",
            "--json",
        ])
        .env("ECOLENS_DATA_DIR", dir.path())
        .env("HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 16];
    stdout.read_exact(&mut head).unwrap();
    assert!(head.starts_with(b"{"));
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = stderr(&output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}

#[test]
fn character_references_in_a_real_export_are_read_as_the_characters_they_stand_for() {
    // ASReview's labelled sample holds "p &lt; 0.001" and, escaped twice, "(OR 0.26, p &amp;lt;
    // .0001)", as the databases' web pipelines leave them.
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review.ecolens");
    let project = project.to_str().unwrap();
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/data/asreview_demo_data.csv");
    let raw = std::fs::read_to_string(&sample).unwrap();
    assert!(raw.contains("p &amp;lt; .0001") && raw.contains("p &lt; 0.001"));
    let imported = ecolens(
        dir.path(),
        &["import", sample.to_str().unwrap(), "--project", project],
    );
    assert!(imported.status.success(), "{}", stderr(&imported));
    let hits = json(&ecolens(
        dir.path(),
        &["search", "curability", "--project", project, "--json"],
    ));
    let id = hits["hits"][0]["id"].as_i64().unwrap().to_string();
    let shown = json(&ecolens(
        dir.path(),
        &["record", "show", &id, "--project", project, "--json"],
    ));
    let text = shown["record"]["abstract_text"].as_str().unwrap();
    assert!(text.contains("(OR 0.26, p < .0001)"), "{text}");
    assert!(!text.contains("&amp;") && !text.contains("&lt;"), "{text}");
    // No record is found by the entity's name any more.
    let amp = json(&ecolens(
        dir.path(),
        &["search", "amp", "--project", project, "--json"],
    ));
    assert_eq!(amp["total"], 0, "{amp}");
}

/// EcoLogits' method through the binary: with `--reproduce` the figures of `ecologits`
/// 0.11.3's `llm_impacts` (`docs/reference/ecologits_reference.py`; `.ci/oracle-ecologits` checks
/// the same against a fresh install), without it the project's grid source for the
/// provider's zone, so that the same kWh costs the same CO2e as by `estimate`.
#[test]
fn inference_follows_ecologits_and_takes_the_projects_grid_source_unless_reproducing() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| json_of(dir.path(), args);
    let gpt = [
        "inference",
        "--provider",
        "openai",
        "--model",
        "gpt-4o-mini",
        "--output-tokens",
        "1000",
    ];
    let mut reproduce = gpt.to_vec();
    reproduce.push("--reproduce");
    let eco = run(&reproduce);
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() <= 1e-9 * want;
    let per = &eco["per_request"];
    assert!(
        close(&per["gwp_kg"]["min"], 2.690_836_272_233_987_6e-5),
        "{per}"
    );
    assert!(
        close(&per["gwp_kg"]["max"], 3.216_154_747_892_434e-5),
        "{per}"
    );
    assert!(close(&per["energy_kwh"]["max"], 7.807_855_987_280_379e-5));
    assert!(close(&per["water_l"]["min"], 2.322_891_081_588_713_2e-4));
    assert_eq!(eco["zone"], "USA");
    assert!(eco["method"].as_str().unwrap().contains("reproduced"));
    // The project's grid source (digital4better by default) for the USA, as `estimate` has it.
    let own = run(&gpt);
    let usa = run(&[
        "estimate",
        "--energy-kwh",
        "1",
        "--pue",
        "1",
        "--country",
        "USA",
    ]);
    assert_eq!(own["intensity_g_per_kwh"], usa["intensity_g_per_kwh"]);
    assert!(
        (own["per_request"]["usage_gwp_kg"]["max"].as_f64().unwrap()
            - own["per_request"]["energy_kwh"]["max"].as_f64().unwrap()
                * usa["intensity_g_per_kwh"].as_f64().unwrap()
                / 1000.0)
            .abs()
            < 1e-15
    );
    // A million requests are a million times one.
    let mut million = gpt.to_vec();
    million.extend(["--requests", "1000000"]);
    let million = run(&million);
    assert!(close(
        &million["total"]["energy_kwh"]["min"],
        own["per_request"]["energy_kwh"]["min"].as_f64().unwrap() * 1e6
    ));
    // An alias, a mixture of experts, another zone.
    let opus = run(&[
        "inference",
        "--provider",
        "anthropic",
        "--model",
        "claude-opus-4-5",
        "--output-tokens",
        "500",
        "--country",
        "FR",
        "--reproduce",
    ]);
    assert_eq!(opus["model"]["alias_of"], "claude-opus-4-5-20251101");
    assert!(close(
        &opus["per_request"]["gwp_kg"]["max"],
        2.493_801_460_914_722_5e-4
    ));
    // The list, and refusals that name what was expected.
    let list = run(&["inference", "--list", "--provider", "mistralai"]);
    assert!(list.as_array().unwrap().len() > 20);
    let typo = ecolens(
        dir.path(),
        &[
            "inference",
            "--provider",
            "openai",
            "--model",
            "4o-mini",
            "--output-tokens",
            "10",
        ],
    );
    assert!(!typo.status.success());
    assert!(stderr(&typo).contains("gpt-4o-mini"), "{}", stderr(&typo));
    let mut clash = reproduce.clone();
    clash.extend(["--intensity", "100"]);
    let clash = ecolens(dir.path(), &clash);
    assert!(!clash.status.success());
    assert!(stderr(&clash).contains("--reproduce"), "{}", stderr(&clash));
    // Nothing here opens a project.
    assert!(!dir.path().join("default.ecolens").exists());
}

/// A Green Algorithms location given as the country (US-CA, WORLD) is taken, as the error
/// text of an unknown place offers it.
#[test]
fn a_sub_national_or_world_country_is_taken_where_the_source_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| json_of(dir.path(), args);
    let base = ["estimate", "--gpu", "NVIDIA Tesla V100", "--hours", "1"];
    let with = |extra: &[&'static str]| {
        let mut all = base.to_vec();
        all.extend_from_slice(extra);
        all
    };
    let ca = run(&with(&["--country", "US-CA", "--reproduce"]));
    assert_eq!(ca["intensity_g_per_kwh"].as_f64(), Some(216.43));
    let world = run(&with(&["--country", "WORLD", "--reproduce"]));
    assert_eq!(world["intensity_g_per_kwh"].as_f64(), Some(475.0));
    let world_d4b = run(&with(&["--country", "WORLD"]));
    let none = run(&base);
    assert_eq!(
        world_d4b["intensity_g_per_kwh"],
        none["intensity_g_per_kwh"]
    );
    let refused = ecolens(dir.path(), &with(&["--country", "US-CA"]));
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("country values only"));
    let bad = ecolens(dir.path(), &with(&["--country", "XX-CA"]));
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("US-CA"), "{}", stderr(&bad));
}

/// The hardware's manufacturing share, amortised as Luccioni et al. 2023 did for BLOOM:
/// 384 A100s for 1,082,990 GPU-hours, 150 kg per card, 2,500 kg per 8-GPU node, 6 years at
/// 85 % use give its published 11.2 tCO2e.
#[test]
fn the_manufacturing_share_reproduces_blooms_and_follows_the_gpu_model() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| json_of(dir.path(), args);
    let hours = format!("{}", 1_082_990.0 / 384.0);
    let bloom = run(&[
        "estimate",
        "--power-w",
        "400",
        "--chips",
        "384",
        "--hours",
        &hours,
        "--pue",
        "1",
        "--intensity",
        "57",
        "--embodied-gpu",
        "gpu.embodied.a100.bloom",
    ]);
    let kg = bloom["embodied_co2e_kg"].as_f64().unwrap();
    assert_eq!(format!("{:.1}", kg / 1000.0), "11.2", "{kg}");
    // 433,196 kWh × 57 g = 24.7 t, BLOOM's dynamic figure, stays the electricity's.
    assert_eq!(
        format!("{:.1}", bloom["co2e_kg"].as_f64().unwrap() / 1000.0),
        "24.7"
    );
    // A Green Algorithms GPU takes its card's value: an A100 BLOOM's, an H100 Boavizta's.
    let a100 = run(&[
        "estimate",
        "--gpu",
        "NVIDIA A100 40GB PCIe",
        "--gpus",
        "8",
        "--hours",
        "100",
        "--embodied",
    ]);
    let want = 8.0 * (150.0 + 2500.0 / 8.0) * 100.0 / (6.0 * 8760.0 * 0.85);
    assert!((a100["embodied_co2e_kg"].as_f64().unwrap() - want).abs() < 1e-9);
    let sources: Vec<&str> = a100["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["source"].as_str().unwrap())
        .collect();
    assert!(sources.iter().any(|s| s.contains("Luccioni")));
    // A card without a shipped value takes the range and says so; a consumer card is refused
    // unless its value is given.
    let v100 = run(&[
        "estimate",
        "--gpu",
        "NVIDIA Tesla V100",
        "--hours",
        "10",
        "--embodied",
    ]);
    assert!(v100.to_string().contains("no value for NVIDIA Tesla V100"));
    let gtx = ecolens(
        dir.path(),
        &[
            "estimate",
            "--gpu",
            "NVIDIA GTX 1080",
            "--hours",
            "10",
            "--embodied",
        ],
    );
    assert!(!gtx.status.success());
    assert!(stderr(&gtx).contains("data-centre"));
    let gtx = run(&[
        "estimate",
        "--gpu",
        "NVIDIA GTX 1080",
        "--hours",
        "10",
        "--embodied-gpu",
        "120",
        "--embodied-server",
        "none",
    ]);
    let want = 120.0 * 10.0 / (6.0 * 8760.0 * 0.85);
    assert!((gtx["embodied_co2e_kg"].as_f64().unwrap() - want).abs() < 1e-12);
    // Routes without hardware to amortise refuse it, with the reason.
    for args in [
        &["estimate", "--energy-kwh", "5", "--embodied"][..],
        &[
            "estimate",
            "--method",
            "ml-co2-impact",
            "--gpu",
            "Tesla V100-PCIE-16GB",
            "--hours",
            "1",
            "--provider",
            "gcp",
            "--region",
            "us-central1",
            "--embodied",
        ][..],
        &[
            "estimate",
            "--cpu",
            "Any",
            "--cores",
            "4",
            "--hours",
            "1",
            "--embodied",
        ][..],
    ] {
        let out = ecolens(dir.path(), args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("embodied"), "{}", stderr(&out));
    }
}

/// A paper audit attached to a record is evidence for its classification: in the report
/// with who attached it, blinded as the classification is, and refused without a reviewer.
#[test]
fn a_paper_audit_attached_to_a_record_is_reported_and_blinded() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = ecolens(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    run(&["reviewer", "add", "Ana", "--lead"]);
    run(&["reviewer", "add", "Ben"]);
    let nameless = ecolens(
        dir.path(),
        &[
            "audit",
            "paper",
            "--example",
            "strubell-nas",
            "--record",
            "1",
        ],
    );
    assert!(!nameless.status.success());
    assert!(stderr(&nameless).contains("--reviewer"));
    let attached = json(&run(&[
        "audit",
        "paper",
        "--power-w",
        "1515.43",
        "--hours",
        "274120",
        "--pue",
        "1.58",
        "--intensity",
        "0.954 lbs/kWh",
        "--co2e",
        "626155 lbs",
        "--claim-more-than",
        "300 t",
        "--label",
        "Table 3, NAS",
        "--record",
        "1",
        "--reviewer",
        "Ana",
        "--json",
    ]));
    assert_eq!(attached["attached"]["record"], 1);
    let report = |who: &str| {
        let out = dir.path().join(format!("{who}.md"));
        run(&[
            "report",
            "1",
            out.to_str().unwrap(),
            "--format",
            "md",
            "--reviewer",
            who,
        ]);
        std::fs::read_to_string(out).unwrap()
    };
    let ana = report("Ana");
    assert!(ana.contains("## The paper's own figures, audited"), "{ana}");
    assert!(ana.contains("Table 3, NAS — attached by Ana: 1 fits, 1 claim contradicted."));
    assert!(ana.contains("| claim | more than 300 t | 284 t | claim contradicted |"));
    // Blind (a new project's default), Ben does not see it, and the report says something is
    // hidden; unblinded, he does.
    let ben = report("Ben");
    assert!(!ben.contains("audited"), "{ben}");
    assert!(ben.contains("judgement(s) of other reviewers are hidden"));
    run(&["blind", "off", "--reviewer", "Ana"]);
    assert!(report("Ben").contains("attached by Ana"));
    // It is a review change: in the audit log, and undone like one.
    let log = json(&run(&["audit", "--by", "Ana", "--json"]));
    assert!(log.to_string().contains("paper_audit"), "{log}");
    // Ana's latest change is unblinding; undone, then the audit.
    run(&["undo", "--reviewer", "Ana"]);
    let undo = run(&["undo", "--reviewer", "Ana"]);
    assert!(
        String::from_utf8_lossy(&undo.stdout).contains("paper audit"),
        "{}",
        String::from_utf8_lossy(&undo.stdout)
    );
    let ana = report("Ana");
    assert!(!ana.contains("Table 3, NAS"), "{ana}");
}

/// `ecolens cues`: the figures of a text with offsets, values in base units, the audit they
/// fill and the category they point to; a record's abstract is read the same way.
#[test]
fn cues_are_found_in_a_text_and_in_a_records_abstract() {
    let dir = tempfile::tempdir().unwrap();
    let text = "BLOOM was trained for 1,082,990 GPU hours on 384 NVIDIA A100 80GB GPUs in France, where the grid emits 57 gCO2eq/kWh; it emitted 24.7 tonnes of CO2eq.";
    let found = json(&ecolens(dir.path(), &["cues", "--text", text, "--json"]));
    let kinds: Vec<&str> = found["abstract_cues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "duration",
            "count",
            "hardware",
            "place",
            "intensity",
            "co2e"
        ]
    );
    assert_eq!(found["prefill"]["hours"], 1_082_990.0);
    assert_eq!(found["prefill"]["chips"], 1.0);
    assert_eq!(found["suggestion"][0], "e");
    // A record's abstract, through an imported file.
    let ris = dir.path().join("one.ris");
    std::fs::write(
        &ris,
        format!("TY  - JOUR\nTI  - A paper\nAB  - {text}\nER  - \n"),
    )
    .unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    json(&ecolens(
        dir.path(),
        &[
            "import",
            ris.to_str().unwrap(),
            "--project",
            project,
            "--json",
        ],
    ));
    let record = json(&ecolens(
        dir.path(),
        &["cues", "1", "--project", project, "--json"],
    ));
    assert_eq!(record["abstract_cues"], found["abstract_cues"]);
    let missing = ecolens(dir.path(), &["cues", "99", "--project", project]);
    assert!(!missing.status.success());
}

/// A paper audit travels with its reviewer's decision bundle: added once in the lead's
/// project, recognised by its stable id when a later bundle brings it again.
#[test]
fn a_paper_audit_travels_in_a_decision_bundle_once() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.ecolens");
    let main = main.to_str().unwrap();
    let run = |project: &str, args: &[&str]| {
        let mut all = vec!["--project", project, "--json"];
        all.extend_from_slice(args);
        json(&ecolens(dir.path(), &all))
    };
    run(main, &["demo"]);
    run(main, &["reviewer", "add", "Anne", "--lead"]);
    run(main, &["reviewer", "add", "Emily"]);
    let copy = dir.path().join("emily.ecolens");
    std::fs::copy(main, &copy).unwrap();
    let copy = copy.to_str().unwrap();
    run(
        copy,
        &[
            "audit",
            "paper",
            "--example",
            "strubell-nas",
            "--record",
            "1",
            "--reviewer",
            "Emily",
        ],
    );
    let bundle = dir.path().join("emily.json");
    let exported = run(
        copy,
        &[
            "bundle",
            "export",
            "--reviewer",
            "Emily",
            bundle.to_str().unwrap(),
        ],
    );
    assert_eq!(exported["paper_audits"], 1);
    let imported = run(main, &["bundle", "import", bundle.to_str().unwrap()]);
    assert_eq!(imported["added"], 1, "{imported}");
    // A later bundle (one more vote) brings the same audit again: unchanged, not doubled.
    run(
        copy,
        &[
            "screen",
            "1",
            "--stage",
            "tiab",
            "--decision",
            "include",
            "--reviewer",
            "Emily",
        ],
    );
    run(
        copy,
        &[
            "bundle",
            "export",
            "--reviewer",
            "Emily",
            bundle.to_str().unwrap(),
        ],
    );
    let again = run(main, &["bundle", "import", bundle.to_str().unwrap()]);
    assert_eq!(
        (again["added"].as_u64(), again["unchanged"].as_u64()),
        (Some(1), Some(1)),
        "{again}"
    );
    let report = dir.path().join("r.md");
    run(
        main,
        &[
            "report",
            "1",
            report.to_str().unwrap(),
            "--format",
            "md",
            "--reviewer",
            "Emily",
        ],
    );
    let text = std::fs::read_to_string(report).unwrap();
    assert_eq!(text.matches("attached by Emily").count(), 1, "{text}");
}

/// `ecolens factors shipped`: the shipped values with their ids and provenance, without a
/// project.
#[test]
fn shipped_factors_are_listed_with_ids_and_provenance_without_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let listed = json(&ecolens(
        dir.path(),
        &["factors", "shipped", "embodied", "--json"],
    ));
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in [
        "gpu.embodied.a100.bloom",
        "gpu.embodied.h100.boavizta",
        "server.embodied.gpu_node.bloom",
        "server.embodied.gpu_node.ecologits",
    ] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["year"].is_number() && f["source"].is_string() && f["licence"].is_string())
    );
    assert!(!dir.path().join("default.ecolens").exists());
}

/// Issue 20: a direct rebound risk of the register feeds a stored scenario's rebound with one
/// command, and the report links the two both ways.
#[test]
fn a_rebound_risk_feeds_a_scenarios_direct_rebound_and_the_report_links_them() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ecolens");
    let project = project.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--project", project, "--reviewer", "Anne"];
        all.extend_from_slice(args);
        ecolens(dir.path(), &all)
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ecolens(
        dir.path(),
        &["--project", project, "reviewer", "add", "Anne", "--lead"],
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/bibliographies/pubmed_medline_baseline.ris");
    ok(&["import", fixture.to_str().unwrap()]);
    ok(&[
        "lca",
        "example:smart-building",
        "--record",
        "1",
        "--runs",
        "500",
    ]);
    let added = json(&run(&[
        "risk",
        "add",
        "1",
        "--effect",
        "HO.RB.DIR",
        "--direction",
        "increases_impact",
        "--rebound-percent",
        "40",
        "--mechanism",
        "warmer rooms for the same bill",
        "--json",
    ]));
    let risk = added["id"].as_i64().unwrap().to_string();
    let other = json(&run(&["risk", "add", "1", "--effect", "FO.USE", "--json"]));
    let other = other["id"].as_i64().unwrap().to_string();
    let name = "AI HVAC controller for an office building";

    // While blind, with a second reviewer to hide it from, a risk stays out of the shared
    // scenario.
    ecolens(
        dir.path(),
        &["--project", project, "reviewer", "add", "Emily"],
    );
    let refused = run(&["risk", "feed", &risk, "--scenario", name]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("blind"), "{}", stderr(&refused));
    ok(&["blind", "off"]);
    let refused = run(&["risk", "feed", &other, "--scenario", name]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("HO.RB.DIR"),
        "{}",
        stderr(&refused)
    );
    let refused = run(&["risk", "feed", &risk, "--scenario", "no such scenario"]);
    assert!(stderr(&refused).contains(name), "{}", stderr(&refused));

    let said = ok(&["risk", "feed", &risk, "--scenario", name]);
    assert!(
        said.contains("0.4") && said.contains("warmer rooms"),
        "{said}"
    );
    // Stored: the next evaluation of the record's scenario takes 40 % back.
    let md = dir.path().join("r.md");
    ok(&[
        "report",
        "1",
        md.to_str().unwrap(),
        "--format",
        "md",
        "--runs",
        "500",
    ]);
    let report = std::fs::read_to_string(&md).unwrap();
    assert!(
        report.contains(&format!("direct rebound of {name}")),
        "{report}"
    );
    assert!(
        report.contains("direct rebound 0.4 (rebound risk"),
        "{report}"
    );
    assert!(report.contains("After rebound"), "{report}");
}

/// Issue 20: a workshop from a template, a scenario attached for its net effect, the handout
/// written and loaded again; a bad file is named.
#[test]
fn a_workshop_starts_from_a_template_and_its_handout_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("w.ecolens");
    let project = project.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--project", project];
        all.extend_from_slice(args);
        ecolens(dir.path(), &all)
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = ok(&[
        "workshop",
        "new",
        "Heating",
        "--template",
        "heating",
        "--solution",
        "AI-optimised heating in 1 million homes",
        "--scale",
        "country",
    ]);
    assert!(
        said.contains(
            "Deploy AI-optimised heating in 1 million homes at Country scale (6 effects)"
        ),
        "{said}"
    );
    let refused = run(&["workshop", "new", "Heating", "--solution", "x"]);
    assert!(!refused.status.success());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/bibliographies/pubmed_medline_baseline.ris");
    ok(&["import", fixture.to_str().unwrap()]);
    ok(&[
        "lca",
        "example:smart-building",
        "--record",
        "1",
        "--runs",
        "200",
    ]);
    let said = ok(&[
        "workshop",
        "attach",
        "Heating",
        "--scenario",
        "AI HVAC controller for an office building",
    ]);
    assert!(
        said.contains("before rebound") && said.contains("P(net benefit)"),
        "{said}"
    );
    let out = dir.path().join("handout");
    ok(&[
        "workshop",
        "export",
        "Heating",
        "--to",
        out.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(out.join("heating.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Warmer rooms, longer heating hours"));
    let md = std::fs::read_to_string(out.join("heating.md")).unwrap();
    assert!(
        md.contains("| Higher order (rebound, structural) | 2 |"),
        "{md}"
    );
    assert!(md.contains("Net effect: scenario"), "{md}");
    let html = std::fs::read_to_string(out.join("heating.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("<table>"));
    // The JSON loads into another project as the same workshop.
    let other = dir.path().join("other.ecolens");
    let other = other.to_str().unwrap();
    let json_file = out.join("heating.json");
    let loaded = json_of(
        dir.path(),
        &[
            "--project",
            other,
            "workshop",
            "import",
            json_file.to_str().unwrap(),
        ],
    );
    let original = json_of(
        dir.path(),
        &["--project", project, "workshop", "show", "Heating"],
    );
    assert_eq!(loaded, original);
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"format\": \"ecolens-workshop\",\n \"name\": 3}",
    )
    .unwrap();
    let bad = ecolens(
        dir.path(),
        &[
            "--project",
            other,
            "workshop",
            "import",
            dir.path().join("bad.json").to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("bad.json") && stderr(&bad).contains("line 2"),
        "{}",
        stderr(&bad)
    );
}
