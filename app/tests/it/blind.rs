//! Blind mode holds on every path. Anne (a lead) and Bob review one project; Anne's vote
//! note, rationale, risk mechanism, conditions, mitigation, evidence quote (from the full
//! text) and tree root carry marker words, and her values (category e, an include, the
//! HO.RB.DIR risk, a solar-geoengineering label) are hers alone. Every CLI command that reads
//! the project runs as Bob and as a reader who is not named, in text and JSON, with every
//! file it writes; every use case the window's threads call runs as Bob. Nothing may show a
//! marker or one of Anne's values. Unblinded, the same matrix shows them: it can fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecolens_app::service;
use ecolens_core::{Project, ReviewerId, Stage};
use ecolens_corpus::index::{Page, SearchIndex};

/// Words only Anne's free text holds. Her evidence quote is a line of the record's full text,
/// which every reader may read (the record view, search snippets, the Classify desk): what
/// must not show is the quote as a quote, a string of its own.
const MARKERS: [&str; 7] = [
    "MARKERNOTE",
    "MARKERRATIONALE",
    "MARKERMECHANISM",
    "MARKERCONDITIONS",
    "MARKERMITIGATION",
    "\"MARKEREVIDENCE the hidden cost of inference\"",
    "MARKERROOT",
];

/// Anne's values, as the outputs would write them.
const ANNE_VALUES: [&str; 10] = [
    "HO.RB.DIR",
    "solar_geoengineering",
    "Anne: e",
    "\"Anne\"=>\"e\"",
    "\"category\": \"e\"",
    "Anne: include",
    "\"Anne\"=>\"Included\"",
    "ECOLENS-DECISION: conflict",
    "include (tiab)",
    "Direct rebound",
];

/// The record everyone works on (Ligozat et al. 2022, in the demo corpus).
const DOI: &str = "10.3390/su14095172";

/// The evidence Anne quotes, a line of the record's full text.
const QUOTE: &str = "MARKEREVIDENCE the hidden cost of inference";

fn ecolens(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args(args)
        .env("ECOLENS_DATA_DIR", data_dir)
        .env_remove("ECOLENS_REVIEWER")
        .output()
        .expect("the ecolens binary runs")
}

/// Runs a command that must succeed.
fn ok(dir: &Path, project: &Path, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--project", project.to_str().unwrap()]);
    let output = ecolens(dir, &all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The project: the demo corpus, the record's full text, Anne's and Bob's work.
fn project(dir: &Path) -> PathBuf {
    let project = dir.join("team.ecolens");
    let pdf = dir.join("ligozat.pdf");
    std::fs::write(
        &pdf,
        crate::pdf::pdf(
            &[&[
                "Sustainability 2022, 14, 5172",
                "https://doi.org/10.3390/su14095172",
                "Unraveling the Hidden Environmental Impacts of AI Solutions for Environment",
                "Life Cycle Assessment of AI Solutions",
                QUOTE,
            ]],
            None,
        ),
    )
    .unwrap();
    for args in [
        &["demo"][..],
        &["reviewer", "add", "Anne", "--lead"],
        &["reviewer", "add", "Bob"],
        &["import", pdf.to_str().unwrap()],
        &[
            "screen",
            DOI,
            "--stage",
            "tiab",
            "--decision",
            "include",
            "--note",
            "MARKERNOTE anne's reading",
            "--reviewer",
            "Anne",
        ],
        &[
            "classify",
            DOI,
            "--category",
            "e",
            "--rationale",
            "MARKERRATIONALE compares two life cycles",
            "--evidence",
            QUOTE,
            "--reviewer",
            "Anne",
        ],
        &[
            "risk",
            "add",
            DOI,
            "--effect",
            "HO.RB.DIR",
            "--mechanism",
            "MARKERMECHANISM cheaper inference invites more",
            "--conditions",
            "MARKERCONDITIONS no cap",
            "--mitigation",
            "MARKERMITIGATION pricing",
            "--evidence",
            QUOTE,
            "--reviewer",
            "Anne",
        ],
        &[
            "risk",
            "root",
            DOI,
            "--solution",
            "MARKERROOT deploy the model city-wide",
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
            "--note",
            "bob's own reading",
            "--reviewer",
            "Bob",
        ],
        &["classify", DOI, "--category", "b", "--reviewer", "Bob"],
        &[
            "risk",
            "add",
            DOI,
            "--effect",
            "FO.USE",
            "--reviewer",
            "Bob",
        ],
    ] {
        ok(dir, &project, args);
    }
    // The CLI has no command for domain labels (the window sets them): Anne's goes in
    // through the store, as the window's thread does it.
    let mut store = Project::open_existing(&project).unwrap();
    let anne = store.reviewer_by_name("Anne").unwrap().id;
    let record = store.resolve_record(DOI).unwrap();
    store
        .add_record_label(record, anne, "rolnick-domain", "solar_geoengineering")
        .unwrap();
    project
}

/// What a reading showed, and how many outputs were looked at.
#[derive(Default)]
struct Seen {
    outputs: usize,
    texts: Vec<(String, String)>,
}

impl Seen {
    fn add(&mut self, what: String, text: String) {
        self.outputs += 1;
        self.texts.push((what, text));
    }

    /// Every output that shows a marker or one of Anne's values, with what it shows.
    fn leaks(&self) -> Vec<String> {
        let mut leaks = Vec::new();
        for (what, text) in &self.texts {
            for needle in MARKERS.iter().chain(&ANNE_VALUES) {
                if text.contains(needle) {
                    leaks.push(format!("{what}: shows {needle:?}"));
                }
            }
        }
        leaks
    }

    /// The markers and values shown anywhere.
    fn shown(&self) -> BTreeSet<&'static str> {
        MARKERS
            .iter()
            .chain(&ANNE_VALUES)
            .filter(|needle| self.texts.iter().any(|(_, text)| text.contains(**needle)))
            .copied()
            .collect()
    }
}

/// Every reading command, with the files it writes (`{out}` and `{json}` are replaced).
fn commands() -> Vec<Vec<&'static str>> {
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["info"],
        vec!["search", "hidden environmental impacts"],
        vec!["search", "decision:include"],
        vec!["search", "decision:exclude"],
        vec!["search", "category:e"],
        vec!["search", "has:category"],
        vec!["search", "rebound:HO"],
        vec!["review", DOI],
        vec!["risk", "list"],
        vec!["risk", "list", DOI],
        vec!["risk", "summary"],
        vec![
            "risk",
            "tree",
            DOI,
            "--svg",
            "{out}",
            "--json-out",
            "{json}",
        ],
        vec!["agreement"],
        vec!["conflicts"],
        vec!["prisma", "--svg", "{out}"],
        vec!["audit"],
        vec!["audit", "--by", "Anne"],
        vec!["audit", "--record", DOI],
        vec!["bundle", "export", "{out}"],
        vec!["report", DOI, "--format", "md", "{out}", "--runs", "100"],
        vec!["report", DOI, "--format", "html", "{out}", "--runs", "100"],
        vec![
            "report", "--all", "--format", "md", "{out}", "--runs", "100",
        ],
        vec![
            "export",
            "{out}",
            "--format",
            "ris",
            "--query",
            "decision:exclude",
        ],
    ];
    for format in ["ris", "bibtex", "csv", "csl-json"] {
        for labels in ["rayyan", "asreview"] {
            commands.push(vec![
                "export", "{out}", "--format", format, "--labels", labels,
            ]);
        }
    }
    commands
}

/// Runs every reading command as `reader` (none: nobody named), text and JSON, and collects
/// stdout, stderr and every file written.
fn run_matrix(dir: &Path, project: &Path, reader: Option<&str>) -> Seen {
    let mut seen = Seen::default();
    for (n, command) in commands().into_iter().enumerate() {
        for json in [false, true] {
            let out = dir.join(format!("out-{n}-{json}"));
            let json_out = dir.join(format!("tree-{n}-{json}.json"));
            let _ = std::fs::remove_file(&out);
            let _ = std::fs::remove_file(&json_out);
            let mut args: Vec<String> = command
                .iter()
                .map(|a| match *a {
                    "{out}" => out.display().to_string(),
                    "{json}" => json_out.display().to_string(),
                    other => other.to_owned(),
                })
                .collect();
            args.extend(["--project".into(), project.display().to_string()]);
            if let Some(name) = reader {
                args.extend(["--reviewer".into(), name.into()]);
            }
            if json {
                args.push("--json".into());
            }
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = ecolens(dir, &refs);
            let what = format!("{} as {reader:?}", command.join(" "));
            seen.add(
                format!("{what}: stdout"),
                String::from_utf8_lossy(&output.stdout).into_owned(),
            );
            seen.add(
                format!("{what}: stderr"),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            );
            for file in [&out, &json_out] {
                if let Ok(text) = std::fs::read_to_string(file) {
                    seen.add(format!("{what}: {}", file.display()), text);
                }
            }
        }
    }
    seen
}

/// Every use case the window's threads call for a reader, as `reader`.
fn run_services(project_path: &Path, reader: Option<ReviewerId>, out: &Path) -> Seen {
    let mut seen = Seen::default();
    let mut project = Project::open_existing(project_path).unwrap();
    let record = project.resolve_record(DOI).unwrap();
    let mut add = |what: &str, text: String| seen.add(what.to_owned(), text);
    add(
        "library rows",
        format!(
            "{:?}",
            service::library::rows(
                &project,
                reader,
                &[record],
                None,
                None::<&std::collections::HashMap<_, _>>
            )
        ),
    );
    add(
        "record detail",
        format!(
            "{:?}",
            service::library::record_detail(&project, reader, record, None)
        ),
    );
    let mut index = SearchIndex::open(&project).unwrap();
    index
        .sync(
            &mut project,
            &ecolens_corpus::index::SyncOptions::small(&std::sync::atomic::AtomicBool::new(false)),
        )
        .unwrap();
    let mut lister = service::library::Lister::default();
    // Each selects the record only through one of Anne's judgements (Bob excluded it, gave
    // it b and recorded FO.USE).
    for query in ["decision:include", "category:e", "rebound:HO"] {
        let parsed = ecolens_corpus::query::parse(query).unwrap();
        let listed = lister.list(
            &project,
            Some(&index),
            reader,
            Some(parsed),
            service::library::Order::Relevance,
            false,
        );
        // Only the ids: a listing names records, and the check is whether Anne's include
        // selected this one.
        add(
            &format!("listing {query}"),
            match listed {
                Ok(listing) if listing.ids.contains(&record) => {
                    format!("{query} selects the record: include (tiab)")
                }
                Ok(_) => String::new(),
                Err(error) => error.to_string(),
            },
        );
    }
    for order in [
        ecolens_core::LibraryColumn::Decision,
        ecolens_core::LibraryColumn::Category,
    ] {
        let listed = lister
            .list(
                &project,
                Some(&index),
                reader,
                None,
                service::library::Order::Column(order),
                false,
            )
            .unwrap();
        // Anne's include ranks the record among the included, her e among the classified.
        let rank = listed.ids.iter().position(|id| *id == record).unwrap();
        add(&format!("order {order:?}"), format!("rank {rank}"));
    }
    add(
        "screening queue",
        format!(
            "{:?}",
            ecolens_app::service::screening::ranked_queue(
                &project,
                reader,
                Stage::TitleAbstract,
                None,
                &[],
                &mut ecolens_app::service::screening::FeatureCache::default(),
            )
            .map(|(queue, _)| queue)
        ),
    );
    add(
        "classification queue",
        format!(
            "{:?}",
            service::review::classification_queue(&project, reader)
        ),
    );
    add(
        "risk records",
        format!("{:?}", service::review::risk_records(&project, reader)),
    );
    add(
        "risk summary",
        format!("{:?}", service::review::risk_summary(&project, reader)),
    );
    add(
        "record review",
        format!(
            "{:?}",
            service::review::record_review(&project, reader, record)
        ),
    );
    add(
        "tree",
        format!("{:?}", service::review::tree(&project, reader, record)),
    );
    add(
        "conflicts",
        format!("{:?}", service::review::conflicts(&project, reader)),
    );
    add(
        "agreement",
        format!("{:?}", service::review::agreement(&project, reader, None)),
    );
    add(
        "prisma",
        format!("{:?}", service::review::prisma(&project, reader)),
    );
    add(
        "audit",
        format!(
            "{:?}",
            service::review::audit(
                &project,
                reader,
                ecolens_core::store::AuditFilter::default()
            )
        ),
    );
    add(
        "info",
        format!("{:?}", service::project::info(&project, reader)),
    );
    add(
        "report",
        format!(
            "{:?}",
            service::assess::record_report(
                &project,
                reader,
                record,
                &ecolens_core::report::ReportOptions { runs: 100, seed: 1 },
            )
        ),
    );
    if let Some(reader) = reader {
        add(
            "card",
            format!(
                "{:?}",
                service::review::card(&project, reader, record, Stage::TitleAbstract)
            ),
        );
        add(
            "desk",
            format!("{:?}", service::review::desk(&project, reader, record)),
        );
    }
    let bundle = out.join("service-bundle.json");
    let _ = service::bundle::export(&project, reader, &bundle);
    add(
        "bundle",
        std::fs::read_to_string(&bundle).unwrap_or_default(),
    );
    let export = out.join("service-export.ris");
    let _ = service::corpus::export(
        &mut project,
        reader,
        &service::corpus::ExportRequest {
            path: export.clone(),
            format: ecolens_corpus::export::ExportFormat::Ris,
            labels: ecolens_corpus::export::LabelStyle::Rayyan,
            selection: service::corpus::Selection::All,
        },
    );
    add(
        "export",
        std::fs::read_to_string(&export).unwrap_or_default(),
    );
    let found = service::corpus::search(
        &mut project,
        reader,
        "hidden environmental impacts",
        Page {
            offset: 0,
            limit: 5,
        },
    );
    add("search", format!("{found:?}"));
    seen
}

#[test]
fn blind_mode_hides_another_reviewers_judgements_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path());
    let bob = {
        let store = Project::open_existing(&project).unwrap();
        // The full text came in with the PDF: the quote is there to be found.
        let record = store.resolve_record(DOI).unwrap();
        assert!(
            store
                .full_text(record)
                .unwrap()
                .unwrap()
                .text
                .contains(QUOTE)
        );
        store.reviewer_by_name("Bob").unwrap().id
    };

    // Blind (the default): Bob and a reader who is not named see nothing of Anne's.
    let as_bob = run_matrix(dir.path(), &project, Some("Bob"));
    let as_nobody = run_matrix(dir.path(), &project, None);
    let services_bob = run_services(&project, Some(bob), dir.path());
    let services_nobody = run_services(&project, None, dir.path());
    let mut leaks = as_bob.leaks();
    leaks.extend(as_nobody.leaks());
    leaks.extend(services_bob.leaks());
    leaks.extend(services_nobody.leaks());
    assert!(leaks.is_empty(), "{leaks:#?}");
    // A reader who is not named gets no review fields in an export at all: no decision worked
    // out from none of the votes ("unscreened" where Anne voted), no "not seen" labels.
    let exports: Vec<&(String, String)> = as_nobody
        .texts
        .iter()
        .filter(|(what, _)| what.starts_with("export ") && what.contains("out-"))
        .collect();
    // 8 formats and label styles × text and JSON (the export by decision is refused).
    assert_eq!(exports.len(), 16);
    for (what, text) in exports {
        for line in [
            "ECOLENS-DECISION",
            "RAYYAN-INCLUSION",
            "ASReview_",
            "unscreened",
        ] {
            assert!(!text.contains(line), "{what} writes {line}");
        }
    }
    // Bob still sees his own work on the same paths.
    let own: Vec<&str> = ["bob's own reading", "FO.USE"]
        .into_iter()
        .filter(|needle| as_bob.texts.iter().any(|(_, t)| t.contains(needle)))
        .collect();
    assert_eq!(own, ["bob's own reading", "FO.USE"]);
    let checks =
        (as_bob.outputs + as_nobody.outputs + services_bob.outputs + services_nobody.outputs)
            * (MARKERS.len() + ANNE_VALUES.len());
    println!(
        "blind matrix: {} commands × 2 forms × 2 readers, {} outputs from the binary, {} from the use cases, {checks} checks",
        commands().len(),
        as_bob.outputs + as_nobody.outputs,
        services_bob.outputs + services_nobody.outputs,
    );

    // Leads may be let see all: Anne then sees Bob's vote, Bob still sees his own only.
    ok(
        dir.path(),
        &project,
        &["blind", "on", "--leads-see-all", "--reviewer", "Anne"],
    );
    let review = ok(dir.path(), &project, &["review", DOI, "--reviewer", "Anne"]);
    assert!(
        String::from_utf8_lossy(&review.stdout).contains("Bob"),
        "{}",
        String::from_utf8_lossy(&review.stdout)
    );
    let leaks = run_matrix(dir.path(), &project, Some("Bob")).leaks();
    assert!(leaks.is_empty(), "{leaks:#?}");

    // Unblinded, the same matrix shows every marker and value: the check can fail.
    ok(
        dir.path(),
        &project,
        &["blind", "off", "--reviewer", "Anne"],
    );
    let open = run_matrix(dir.path(), &project, Some("Bob"));
    let services = run_services(&project, Some(bob), dir.path());
    let mut shown = open.shown();
    shown.extend(services.shown());
    let missing: Vec<&&str> = MARKERS
        .iter()
        .chain(&ANNE_VALUES)
        .filter(|needle| !shown.contains(**needle))
        .collect();
    assert!(missing.is_empty(), "unblinded, never shown: {missing:?}");
}

/// How many records `query` matches for `reader`, or the error's words.
fn matches(dir: &Path, project: &Path, query: &str, reader: Option<&str>) -> Result<u64, String> {
    let mut args = vec![
        "search",
        query,
        "--json",
        "--project",
        project.to_str().unwrap(),
    ];
    if let Some(name) = reader {
        args.extend(["--reviewer", name]);
    }
    let output = ecolens(dir, &args);
    if output.status.success() {
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        Ok(json["total"].as_u64().unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// README: the reader is the reviewer at the keyboard (`--reviewer` or `ECOLENS_REVIEWER`); a
/// project with one reviewer or none has nothing to hide, so every filter works for a solo
/// user; while blind, a reviewer filters on their own judgements and a reader not named is
/// told which flag to pass.
#[test]
fn a_solo_project_filters_freely_and_a_blind_team_filters_on_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("solo.ecolens");
    let p = project.as_path();
    // A fresh project (a named project starts empty: the demo is added on request), blind
    // mode on by default, nobody in it yet.
    ok(dir.path(), p, &["demo"]);
    assert_eq!(matches(dir.path(), p, "decision:unscreened", None), Ok(47));
    ok(dir.path(), p, &["reviewer", "add", "Anne", "--lead"]);
    ok(
        dir.path(),
        p,
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
    );
    // One reviewer: nothing to hide, with or without a name.
    assert_eq!(matches(dir.path(), p, "decision:include", None), Ok(1));
    assert_eq!(matches(dir.path(), p, "decision:unscreened", None), Ok(46));

    // A second reviewer: now each filters on their own.
    ok(dir.path(), p, &["reviewer", "add", "Bob"]);
    ok(
        dir.path(),
        p,
        &[
            "screen",
            DOI,
            "--stage",
            "tiab",
            "--decision",
            "exclude",
            "--reviewer",
            "Bob",
        ],
    );
    assert_eq!(
        matches(dir.path(), p, "decision:include", Some("Anne")),
        Ok(1)
    );
    assert_eq!(
        matches(dir.path(), p, "decision:exclude", Some("Anne")),
        Ok(0)
    );
    assert_eq!(
        matches(dir.path(), p, "decision:include", Some("Bob")),
        Ok(0)
    );
    assert_eq!(
        matches(dir.path(), p, "decision:exclude", Some("Bob")),
        Ok(1)
    );
    let refused = matches(dir.path(), p, "decision:include", None).unwrap_err();
    assert!(refused.contains("--reviewer NAME"), "{refused}");
    // Words that are not judgements need no name.
    assert_eq!(
        matches(dir.path(), p, "year:2022", None).map(|n| n > 0),
        Ok(true)
    );

    // ECOLENS_REVIEWER names the reader as --reviewer does.
    let output = Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args(["search", "decision:exclude", "--json", "--project"])
        .arg(p)
        .env("ECOLENS_DATA_DIR", dir.path())
        .env("ECOLENS_REVIEWER", "Bob")
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["total"], 1);

    // While blind the lead sees agreement, not conflicts; with leads-see-all, conflicts too.
    let as_anne = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--reviewer", "Anne", "--project", p.to_str().unwrap()]);
        ecolens(dir.path(), &all)
    };
    assert!(as_anne(&["agreement"]).status.success());
    let conflicts = as_anne(&["conflicts"]);
    assert!(!conflicts.status.success());
    assert!(String::from_utf8_lossy(&conflicts.stderr).contains("--leads-see-all"));
    ok(
        dir.path(),
        p,
        &["blind", "on", "--leads-see-all", "--reviewer", "Anne"],
    );
    let conflicts = as_anne(&["conflicts"]);
    assert!(conflicts.status.success());
    assert!(String::from_utf8_lossy(&conflicts.stdout).contains("Anne: include; Bob: exclude"));
    let bob = ecolens(
        dir.path(),
        &[
            "conflicts",
            "--reviewer",
            "Bob",
            "--project",
            p.to_str().unwrap(),
        ],
    );
    assert!(!bob.status.success());
}
