//! The team hub against a real PostgreSQL: a throwaway cluster from Debian's `postgresql`
//! binaries, started in a temporary folder on a free loopback port and stopped after the test.
//! Everything is driven through the real `ecolens` binary, and what the server lets each login
//! see is checked with `psql`, as a reviewer trying their luck would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecolens_app::throwaway_postgres::ThrowawayPostgres;
use serde_json::Value;

/// A throwaway cluster in a temporary folder of its own.
pub(crate) struct Postgres {
    server: ThrowawayPostgres,
    _dir: tempfile::TempDir,
}

impl Postgres {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = ThrowawayPostgres::start(&dir.path().join("pg")).unwrap();
        Self { server, _dir: dir }
    }
}

impl Postgres {
    fn create_database_ok(&self, db: &str) -> String {
        self.server.create_database(db).unwrap()
    }
}

impl std::ops::Deref for Postgres {
    type Target = ThrowawayPostgres;
    fn deref(&self) -> &ThrowawayPostgres {
        &self.server
    }
}

/// Runs SQL through `psql` with a connection string.
pub(crate) fn psql(url: &str, sql: &str) -> Output {
    ecolens_app::throwaway_postgres::psql(url, sql).unwrap()
}

fn ecolens(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args(args)
        .env("ECOLENS_DATA_DIR", data)
        .env("HOME", data)
        .env_remove("ECOLENS_REVIEWER")
        .output()
        .expect("the ecolens binary runs")
}

/// One person's machine: a data folder of their own and a project in it.
struct Machine {
    dir: tempfile::TempDir,
    project: PathBuf,
}

impl Machine {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join(format!("{name}.ecolens"));
        Self { dir, project }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--project", self.project.to_str().unwrap()]);
        ecolens(self.dir.path(), &all)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// `ecolens hub sync` started and left running (its stderr kept), to be cut short.
    fn sync_in_background(&self) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_ecolens"))
            .args(["hub", "sync", "--project", self.project.to_str().unwrap()])
            .env("ECOLENS_DATA_DIR", self.dir.path())
            .env("HOME", self.dir.path())
            .env_remove("ECOLENS_REVIEWER")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

fn fixture_ris() -> PathBuf {
    crate::fixtures().join("pubmed_medline_baseline.ris")
}

/// The workbench window on a machine's project, with that machine's saved hub connections.
fn window_on(machine: &Machine) -> egui_kittest::Harness<'static, ecolens_app::window::Workbench> {
    use ecolens_app::window::{Workbench, WorkbenchOptions};
    let options = WorkbenchOptions {
        project: machine.project.clone(),
        with_demo: false,
        pdf_program: None,
        reopen_last: false,
        hub_credentials: Some(machine.dir.path().join("hubs.json")),
    };
    let mut harness = egui_kittest::Harness::builder()
        .with_size(eframe::egui::Vec2::new(1280.0, 800.0))
        .build_eframe(move |cc| Workbench::new(&cc.egui_ctx, None, options));
    crate::window::settle(&mut harness);
    harness
}

/// The join URL an invitation printed.
fn invite(lead: &Machine, name: &str) -> String {
    let out = lead.json(&["hub", "add-reviewer", name]);
    out["url"].as_str().unwrap().to_owned()
}

#[test]
fn three_reviewers_blind_on_a_hub_and_the_server_enforces_it() {
    let pg = Postgres::start();
    let owner = pg.create_database_ok("review");
    let lead = Machine::new("lead");
    lead.ok(&["reviewer", "add", "Lena", "--lead"]);
    lead.ok(&["import", fixture_ris().to_str().unwrap()]);
    let records = lead.json(&["info"])["counts"]["records"].as_u64().unwrap();
    assert!(records > 5, "the fixture holds records");
    let created = lead.json(&["hub", "init", &owner, "--reviewer", "Lena"]);
    assert_eq!(created["login"], "lena");
    assert_eq!(created["sync"]["records_shared"].as_u64(), Some(records));

    let ann_url = invite(&lead, "Ann");
    let bob_url = invite(&lead, "Bob");
    let ann = Machine::new("ann");
    let bob = Machine::new("bob");
    let joined = ann.json(&["hub", "join", &ann_url]);
    assert_eq!(joined["records_received"].as_u64(), Some(records));
    bob.json(&["hub", "join", &bob_url]);

    // The lead's later imports reach everyone at their next sync.
    let more = crate::fixtures().join("endnote_3_citations.xml");
    lead.ok(&["import", more.to_str().unwrap()]);
    let shared = lead.json(&["hub", "sync"]);
    assert_eq!(shared["records_shared"].as_u64(), Some(3), "{shared}");
    let received = ann.json(&["hub", "sync"]);
    assert_eq!(received["records_received"].as_u64(), Some(3), "{received}");
    bob.json(&["hub", "sync"]);

    // The password is in the user's own file, readable by its owner only, never in a project.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let saved = ann.dir.path().join("hubs.json");
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", saved.display());
    }
    let password = ann_url
        .split(':')
        .nth(2)
        .unwrap()
        .split('@')
        .next()
        .unwrap();
    let project_bytes = std::fs::read(&ann.project).unwrap();
    assert!(
        !project_bytes
            .windows(password.len())
            .any(|w| w == password.as_bytes()),
        "the project file holds no password"
    );

    // Nobody acts as another reviewer in a working copy.
    let refused = ann.fails(&[
        "screen",
        "1",
        "--stage",
        "tiab",
        "--decision",
        "include",
        "--reviewer",
        "Bob",
    ]);
    assert!(refused.contains("joined as ann"), "{refused}");

    // Both screen the same records blind; Ann's votes differ from Bob's on record 2.
    for (who, decisions) in [
        (&ann, ["include", "include", "exclude"]),
        (&bob, ["include", "exclude", "exclude"]),
    ] {
        for (record, decision) in decisions.iter().enumerate() {
            let id = (record + 1).to_string();
            who.ok(&["screen", &id, "--stage", "tiab", "--decision", decision]);
        }
    }
    let pushed = ann.json(&["hub", "sync"]);
    assert_eq!(pushed["pushed"].as_u64(), Some(3));
    let again = ann.json(&["hub", "sync"]);
    assert_eq!(
        again["pushed"].as_u64(),
        Some(0),
        "a second sync pushes nothing"
    );
    bob.json(&["hub", "sync"]);

    // Bob's own psql connection sees none of Ann's work while blind.
    let bob_sees = psql(
        &bob_url,
        "SELECT count(*), count(*) FILTER (WHERE author <> current_user) FROM ecolens.change",
    );
    assert!(
        bob_sees.status.success(),
        "{}",
        String::from_utf8_lossy(&bob_sees.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&bob_sees.stdout).trim(), "3|0");
    // Bob cannot unblind, rewrite or delete.
    for sql in [
        "SELECT ecolens.set_switch('blind', 'off')",
        "UPDATE ecolens.meta SET value = 'off' WHERE key = 'blind'",
        "DELETE FROM ecolens.change",
        "INSERT INTO ecolens.change (uid, author, kind, record_ref, item) VALUES ('x', 'ann', 'vote', '{}', '{}')",
        "INSERT INTO ecolens.change (uid, kind, record_ref, item) VALUES ('y', 'resolution', '{}', '{}')",
    ] {
        let out = psql(&bob_url, sql);
        assert!(!out.status.success(), "Bob ran {sql}");
    }
    // Not even the lead may rewrite the log.
    let lena_url = {
        let saved: Value = serde_json::from_str(
            &std::fs::read_to_string(lead.dir.path().join("hubs.json")).unwrap(),
        )
        .unwrap();
        saved
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["login"] == "lena")
            .unwrap()["url"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        !psql(&lena_url, "DELETE FROM ecolens.change")
            .status
            .success()
    );
    assert!(
        !psql(
            &pg.admin_url("review"),
            "UPDATE ecolens.change SET kind = 'vote'"
        )
        .status
        .success()
    );

    // Bob's copy holds only his own votes; the lead's holds none while blind.
    let bob_agreement = bob.run(&["agreement"]);
    assert!(
        !bob_agreement.status.success(),
        "agreement is refused while blind"
    );
    let lead_sync = lead.json(&["hub", "sync"]);
    assert_eq!(lead_sync["pulled"].as_u64(), Some(0));

    // The lead unblinds on the hub; everyone pulls everything.
    let unblinded = lead.json(&["hub", "blind", "off"]);
    assert_eq!(unblinded["settings"]["blind"], false);
    assert_eq!(unblinded["pulled"].as_u64(), Some(6), "{unblinded}");
    let conflicts = lead.json(&["conflicts"]);
    assert_eq!(
        conflicts["open"].as_u64(),
        Some(1),
        "Ann and Bob differ on one record: {conflicts}"
    );
    let agreement = lead.json(&["agreement", "--stage", "tiab"]);
    let bob_after = bob.json(&["hub", "sync"]);
    let lead_sees = psql(&lena_url, "SELECT count(*) FROM ecolens.change");
    assert_eq!(String::from_utf8_lossy(&lead_sees.stdout).trim(), "6");
    assert_eq!(
        bob_after["pulled"].as_u64(),
        Some(3),
        "Bob now sees Ann's three votes"
    );
    assert_eq!(
        bob_after["reread"], true,
        "rows hidden before the cursor are read: {bob_after}"
    );
    let bob_agreement = bob.json(&["agreement", "--stage", "tiab"]);
    assert_eq!(agreement, bob_agreement, "everyone's agreement is the same");

    // The lead resolves the conflict; the resolution reaches every copy.
    lead.ok(&[
        "resolve",
        "2",
        "--subject",
        "screening:tiab",
        "--value",
        "include",
        "--note",
        "discussed",
    ]);
    let resolved = lead.json(&["hub", "sync"]);
    assert_eq!(resolved["pushed"].as_u64(), Some(1), "{resolved}");
    let bob_resolved = bob.json(&["hub", "sync"]);
    assert_eq!(
        bob_resolved["applied"][0]["added"].as_u64(),
        Some(1),
        "{bob_resolved}"
    );
    assert_eq!(bob.json(&["conflicts"])["open"].as_u64(), Some(0));
    let refused = bob.fails(&[
        "resolve",
        "1",
        "--subject",
        "screening:tiab",
        "--value",
        "include",
    ]);
    assert!(refused.contains("lead"), "{refused}");

    // The same decisions in one file give the same agreement.
    let single = Machine::new("single");
    single.ok(&["reviewer", "add", "Lena", "--lead"]);
    single.ok(&["reviewer", "add", "Ann"]);
    single.ok(&["reviewer", "add", "Bob"]);
    single.ok(&["import", fixture_ris().to_str().unwrap()]);
    single.ok(&["import", more.to_str().unwrap()]);
    single.ok(&["blind", "off", "--reviewer", "Lena"]);
    for (who, decisions) in [
        ("Ann", ["include", "include", "exclude"]),
        ("Bob", ["include", "exclude", "exclude"]),
    ] {
        for (record, decision) in decisions.iter().enumerate() {
            let id = (record + 1).to_string();
            single.ok(&[
                "screen",
                &id,
                "--stage",
                "tiab",
                "--decision",
                decision,
                "--reviewer",
                who,
            ]);
        }
    }
    single.ok(&[
        "resolve",
        "2",
        "--subject",
        "screening:tiab",
        "--value",
        "include",
        "--note",
        "discussed",
        "--reviewer",
        "Lena",
    ]);
    let single_agreement = single.json(&["agreement", "--stage", "tiab", "--reviewer", "Lena"]);
    assert_eq!(agreement, single_agreement);
    // And the same PRISMA counts, in the lead's copy and in Bob's (its records came from the
    // hub with the files the lead imported them from).
    let single_prisma = single.json(&["prisma", "--reviewer", "Lena"]);
    assert_eq!(lead.json(&["prisma"]), single_prisma);
    assert_eq!(bob.json(&["prisma"]), single_prisma);
}

/// A hub with the fixture's records, its lead's copy, and invitations for Ann and Bob.
fn team(pg: &Postgres, db: &str) -> (Machine, String, String) {
    let owner = pg.create_database_ok(db);
    let lead = Machine::new("lead");
    lead.ok(&["reviewer", "add", "Lena", "--lead"]);
    lead.ok(&["import", fixture_ris().to_str().unwrap()]);
    lead.json(&["hub", "init", &owner, "--reviewer", "Lena"]);
    let ann = invite(&lead, "Ann");
    let bob = invite(&lead, "Bob");
    (lead, ann, bob)
}

/// What the server holds, counted as its owner sees it.
fn hub_rows(pg: &Postgres, db: &str, sql: &str) -> String {
    let out = psql(&pg.owner_url(db), sql);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_reviewer_works_on_while_the_server_is_down_and_syncs_later() {
    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "offline");
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    pg.stop_server();
    for id in ["1", "2", "3", "4"] {
        ann.ok(&["screen", id, "--stage", "tiab", "--decision", "exclude"]);
    }
    let refused = ann.fails(&["hub", "sync"]);
    assert!(refused.contains("cannot be reached"), "{refused}");
    let status = ann.json(&["hub", "status"]);
    assert_eq!(status["online"], false);
    assert_eq!(status["waiting"].as_u64(), Some(4), "{status}");
    let text = ann.ok(&["hub", "status"]);
    assert!(
        text.contains("offline") && text.contains("4 change(s) waiting"),
        "{text}"
    );
    pg.start_server().unwrap();
    let synced = ann.json(&["hub", "sync"]);
    assert_eq!(synced["pushed"].as_u64(), Some(4));
    assert_eq!(ann.json(&["hub", "status"])["waiting"].as_u64(), Some(0));
    assert_eq!(
        hub_rows(
            &pg,
            "offline",
            "SELECT count(*) FROM ecolens.change WHERE author = 'ann'"
        ),
        "4"
    );
}

#[test]
fn a_sync_killed_at_any_moment_loses_nothing_and_doubles_nothing() {
    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "killed");
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    let mut votes = 0;
    for delay_ms in [0_u64, 15, 40, 80, 150, 300] {
        // Two new votes, then a sync cut short by kill -9.
        for _ in 0..2 {
            votes += 1;
            let decision = if votes % 2 == 0 { "include" } else { "exclude" };
            ann.ok(&[
                "screen",
                &votes.to_string(),
                "--stage",
                "tiab",
                "--decision",
                decision,
            ]);
        }
        let mut child = ann.sync_in_background();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    let synced = ann.json(&["hub", "sync"]);
    assert_eq!(
        ann.json(&["hub", "status"])["waiting"].as_u64(),
        Some(0),
        "{synced}"
    );
    assert_eq!(
        hub_rows(
            &pg,
            "killed",
            "SELECT count(*), count(DISTINCT record_ref) FROM ecolens.change WHERE author = 'ann'"
        ),
        format!("{votes}|{votes}"),
        "each vote on the hub exactly once"
    );
    let again = ann.json(&["hub", "sync"]);
    assert_eq!(again["pushed"].as_u64(), Some(0));
    assert_eq!(again["pulled"].as_u64(), Some(0));
}

#[test]
fn one_reviewer_on_two_machines_gets_their_own_work_and_the_newer_value_wins() {
    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "twice");
    let office = Machine::new("office");
    let laptop = Machine::new("laptop");
    office.json(&["hub", "join", &ann_url]);
    laptop.json(&["hub", "join", &ann_url]);
    office.ok(&["screen", "1", "--stage", "tiab", "--decision", "include"]);
    office.json(&["hub", "sync"]);
    let pulled = laptop.json(&["hub", "sync"]);
    assert_eq!(pulled["pulled"].as_u64(), Some(1), "{pulled}");
    let review = laptop.json(&["review", "1"]);
    assert!(review.to_string().contains("include"), "{review}");
    // Both change record 2 while offline from each other; the laptop's change is newer.
    office.ok(&["screen", "2", "--stage", "tiab", "--decision", "include"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    laptop.ok(&["screen", "2", "--stage", "tiab", "--decision", "exclude"]);
    office.json(&["hub", "sync"]);
    let laptop_sync = laptop.json(&["hub", "sync"]);
    let conflicts = &laptop_sync["applied"][0]["conflicts"];
    assert_eq!(
        conflicts.as_array().map(Vec::len),
        Some(1),
        "the older value is reported: {laptop_sync}"
    );
    let office_sync = office.json(&["hub", "sync"]);
    assert_eq!(
        office_sync["applied"][0]["updated"].as_u64(),
        Some(1),
        "{office_sync}"
    );
    for machine in [&office, &laptop] {
        let review = machine.json(&["review", "2"]).to_string();
        assert!(
            review.contains("exclude") && !review.contains("\"include\""),
            "{review}"
        );
    }
}

#[test]
fn a_removed_reviewer_loses_access_and_their_work_stays() {
    let pg = Postgres::start();
    let (lead, _, bob_url) = team(&pg, "removal");
    let bob = Machine::new("bob");
    bob.json(&["hub", "join", &bob_url]);
    bob.ok(&["screen", "1", "--stage", "tiab", "--decision", "exclude"]);
    bob.json(&["hub", "sync"]);
    let removed = lead.json(&["hub", "remove-reviewer", "Bob"]);
    assert_eq!(removed["removed"], true);
    let refused = bob.fails(&["hub", "sync"]);
    assert!(
        refused.contains("refused") || refused.contains("not permitted"),
        "{refused}"
    );
    assert!(
        !psql(&bob_url, "SELECT 1").status.success(),
        "Bob's login no longer connects"
    );
    assert_eq!(
        hub_rows(
            &pg,
            "removal",
            "SELECT count(*) FROM ecolens.change WHERE author = 'bob'"
        ),
        "1"
    );
    // Bob's copy keeps working locally.
    bob.ok(&["screen", "2", "--stage", "tiab", "--decision", "include"]);
    let status = lead.json(&["hub", "status"]);
    let bob_row = status["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Bob")
        .unwrap();
    assert_eq!(bob_row["removed"], true);
}

#[test]
fn the_owner_backs_the_hub_up_with_pg_dump_and_restores_it() {
    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "backed");
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    for id in ["1", "2", "3"] {
        ann.ok(&["screen", id, "--stage", "tiab", "--decision", "include"]);
    }
    ann.json(&["hub", "sync"]);
    let dump = ann.dir.path().join("review.dump");
    let pg_dump = pg.bin().join("pg_dump");
    let out = Command::new(&pg_dump)
        .args([
            "-Fc",
            "-d",
            &pg.owner_url("backed"),
            "-f",
            dump.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pg.create_database_ok("restored");
    let out = Command::new(pg.bin().join("pg_restore"))
        .args([
            "--no-owner",
            "-d",
            &pg.owner_url("restored"),
            dump.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = "SELECT (SELECT count(*) FROM ecolens.change) || '/' || (SELECT count(*) FROM ecolens.record)";
    assert_eq!(
        hub_rows(&pg, "restored", count),
        hub_rows(&pg, "backed", count)
    );
    assert_eq!(hub_rows(&pg, "restored", count), "3/50");
}

/// The window joins a hub from Project → Join a hub, shows the copy's one reviewer and the
/// hub's line in the status bar, and says so when the server goes away.
#[test]
fn the_window_joins_a_hub_and_shows_its_sync_status() {
    use ecolens_app::window::Workbench;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "windowed");
    let ann = Machine::new("ann");
    let mut harness = window_on(&ann);
    harness.get_by_label("Project").click();
    crate::window::settle(&mut harness);
    harness.get_by_label("Join a hub…").click();
    crate::window::settle(&mut harness);
    crate::window::type_into(&mut harness, "Connection:", &ann_url);
    harness.get_by_label("Join").click();
    crate::window::settle(&mut harness);
    assert_eq!(harness.state().library.total_records(), 50);
    let place = format!("127.0.0.1:{}/windowed", pg.port());
    let shows = |harness: &Harness<'static, Workbench>, text: &str| {
        harness.query_by_label_contains(text).is_some()
    };
    assert!(
        shows(
            &harness,
            &format!("Hub {place} as ann: online · 0 changes waiting · last sync 20")
        ),
        "the status bar shows the hub"
    );
    assert!(shows(&harness, "You are:") && harness.query_by_label("Ann").is_some());
    pg.stop_server();
    harness.get_by_label("Sync now").click();
    crate::window::settle(&mut harness);
    assert!(shows(&harness, &format!("Hub {place} as ann: offline")));
    pg.start_server().unwrap();
    harness.get_by_label("Sync now").click();
    crate::window::settle(&mut harness);
    assert!(shows(&harness, &format!("Hub {place} as ann: online")));
}

/// `sslmode=require` encrypts (the server here refuses a reviewer's login without TLS), and a
/// self-signed certificate is accepted as libpq's `require` accepts it.
#[test]
fn a_reviewer_joins_over_tls_with_sslmode_require() {
    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "tls");
    pg.require_tls().unwrap();
    let ann = Machine::new("ann");
    let refused = ann.fails(&["hub", "join", &ann_url]);
    assert!(
        refused.contains("no encryption") || refused.contains("pg_hba"),
        "{refused}"
    );
    let over_tls = ann_url.replace("sslmode=disable", "sslmode=require");
    let joined = ann.json(&["hub", "join", &over_tls]);
    assert_eq!(joined["records_received"].as_u64(), Some(50));
    let prefer = ann_url.replace("?sslmode=disable", "");
    let other = Machine::new("ann-laptop");
    let joined = other.json(&["hub", "join", &prefer]);
    assert_eq!(
        joined["records_received"].as_u64(),
        Some(50),
        "prefer takes TLS when offered"
    );
}

/// `ecolens bench --suite hub` runs on a fresh machine with the package installed, starts its
/// own server, and checks that nothing was lost or doubled.
#[test]
fn the_hub_benchmark_runs_on_its_own_server() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args([
            "bench",
            "--suite",
            "hub",
            "--hub-reviewers",
            "3",
            "--hub-decisions",
            "150",
            "--json",
        ])
        .env("ECOLENS_DATA_DIR", dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["on_hub"].as_u64(), Some(450), "{result}");
    assert_eq!(result["lost"].as_i64(), Some(0));
    assert_eq!(result["doubled"].as_u64(), Some(0));
    assert_eq!(
        result["syncs"].as_u64(),
        Some(6),
        "two syncs each: 100, then the last 50"
    );
}

/// Project vocabularies travel both ways before the changes that use them: the lead's new
/// exclusion reason reaches Ann, and the reason Ann adds herself reaches the lead, so her
/// full-text exclusion with it is applied there instead of refused.
#[test]
fn vocabulary_entries_reach_every_copy_before_the_votes_that_use_them() {
    let pg = Postgres::start();
    let (lead, ann_url, _) = team(&pg, "vocab");
    lead.ok(&[
        "label",
        "add",
        "exclusion-reason",
        "no_energy",
        "--name",
        "No energy figures",
    ]);
    lead.json(&["hub", "sync"]);
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    let reasons = ann.ok(&["taxonomy", "--vocabulary", "exclusion-reason"]);
    assert!(reasons.contains("no_energy"), "{reasons}");
    ann.ok(&[
        "label",
        "add",
        "exclusion-reason",
        "wrong_scale",
        "--name",
        "Wrong scale",
    ]);
    ann.ok(&["screen", "1", "--stage", "tiab", "--decision", "include"]);
    ann.ok(&[
        "screen",
        "1",
        "--stage",
        "fulltext",
        "--decision",
        "exclude",
        "--reason",
        "wrong_scale",
    ]);
    ann.json(&["hub", "sync"]);
    lead.ok(&["hub", "blind", "off"]);
    let review = lead.json(&["review", "1"]).to_string();
    assert!(review.contains("wrong_scale"), "{review}");
    let reasons = lead.ok(&["taxonomy", "--vocabulary", "exclusion-reason"]);
    assert!(reasons.contains("wrong_scale"), "{reasons}");
}

/// The lead's screening rule, order and highlighted words reach every copy; a lead's later
/// edit goes up at the lead's next sync.
#[test]
fn the_leads_settings_reach_every_copy() {
    let pg = Postgres::start();
    let (lead, ann_url, _) = team(&pg, "settings");
    lead.ok(&["rule", "two"]);
    lead.ok(&["screen", "order", "mixed:5", "--seed", "7"]);
    lead.ok(&["screen", "highlight", "--include", "energy, quuxwatt"]);
    lead.ok(&["screen", "known-includes", "10.1016/j.ejmg.2019.03.004"]);
    lead.json(&["hub", "sync"]);
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    let rule = |m: &Machine| m.json(&["reviewer", "list"])["settings"]["rule"].clone();
    assert_eq!(rule(&ann), "two_agreeing");
    let status = ann.json(&["screen", "status"]);
    let text = status.to_string();
    assert!(text.contains("\"seed\":7"), "{text}");
    let known = ann.json(&["screen", "known-includes"]).to_string();
    assert!(
        known.contains("Time lapse"),
        "the known include, as Ann's own record: {known}"
    );
    let words = ann.json(&["screen", "highlight"]);
    assert_eq!(
        words["include"],
        serde_json::json!(["energy", "quuxwatt"]),
        "{words}"
    );
    // Ann is no lead: her copy refuses her rule, and the rule stays the lead's.
    ann.fails(&["rule", "one"]);
    lead.ok(&["rule", "one"]);
    lead.json(&["hub", "sync"]);
    ann.json(&["hub", "sync"]);
    assert_eq!(rule(&ann), "one_reviewer");
}

/// A lead's window invites through the hub (Team → Invite to the hub) and unblinds on the hub
/// (Team → Unblind… → Unblind now); the invitation's string works for the new reviewer.
#[test]
fn the_leads_window_invites_and_unblinds_through_the_hub() {
    use egui_kittest::kittest::Queryable;

    let pg = Postgres::start();
    let (lead, _, _) = team(&pg, "leadwindow");
    let mut harness = window_on(&lead);
    harness.get_by_label("Team").click();
    crate::window::settle(&mut harness);
    crate::window::type_into(&mut harness, "Name:", "Dora");
    harness.get_by_label("Invite to the hub").click();
    crate::window::settle(&mut harness);
    assert!(
        harness
            .query_by_label_contains("Dora can join as dora")
            .is_some()
    );
    let url = harness
        .get_by_label("Connection:")
        .value()
        .unwrap_or_default();
    assert!(url.starts_with("postgres://dora:"), "{url}");
    let dora = Machine::new("dora");
    let joined = dora.json(&["hub", "join", &url]);
    assert_eq!(joined["records_received"].as_u64(), Some(50));
    harness.get_by_label("Done").click();
    crate::window::settle(&mut harness);

    harness.get_all_by_label("Unblind…").next().unwrap().click();
    crate::window::settle(&mut harness);
    harness.get_by_label("Unblind now").click();
    crate::window::settle(&mut harness);
    assert_eq!(
        hub_rows(
            &pg,
            "leadwindow",
            "SELECT value FROM ecolens.meta WHERE key = 'blind'"
        ),
        "off"
    );
    assert!(
        harness
            .query_by_label_contains("Blind mode is off")
            .is_some()
    );
}

/// An undo reaches the hub: the vote taken back in Ann's copy is taken back in the lead's and
/// on Ann's other machine; voting again brings it back everywhere.
#[test]
fn an_undone_vote_is_taken_back_in_every_copy() {
    let pg = Postgres::start();
    let (lead, ann_url, _) = team(&pg, "undo");
    lead.ok(&["hub", "blind", "off"]);
    let ann = Machine::new("ann");
    let laptop = Machine::new("ann-laptop");
    ann.json(&["hub", "join", &ann_url]);
    laptop.json(&["hub", "join", &ann_url]);
    ann.ok(&["screen", "1", "--stage", "tiab", "--decision", "include"]);
    ann.ok(&["screen", "2", "--stage", "tiab", "--decision", "exclude"]);
    ann.json(&["hub", "sync"]);
    lead.json(&["hub", "sync"]);
    laptop.json(&["hub", "sync"]);
    let votes = |m: &Machine, record: &str| {
        m.json(&["review", record])["review"]["votes"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(votes(&lead, "2"), 1);
    assert_eq!(votes(&laptop, "2"), 1);
    ann.ok(&["undo"]);
    assert_eq!(votes(&ann, "2"), 0);
    let pushed = ann.json(&["hub", "sync"]);
    assert_eq!(
        pushed["pushed"].as_u64(),
        Some(1),
        "one retraction: {pushed}"
    );
    lead.json(&["hub", "sync"]);
    laptop.json(&["hub", "sync"]);
    assert_eq!(votes(&lead, "2"), 0, "taken back in the lead's copy");
    assert_eq!(votes(&laptop, "2"), 0, "and on Ann's other machine");
    assert_eq!(votes(&lead, "1"), 1, "the other vote stays");
    // Voting again brings it back, from the laptop this time.
    laptop.ok(&["screen", "2", "--stage", "tiab", "--decision", "include"]);
    laptop.json(&["hub", "sync"]);
    lead.json(&["hub", "sync"]);
    ann.json(&["hub", "sync"]);
    assert_eq!(votes(&lead, "2"), 1);
    assert_eq!(votes(&ann, "2"), 1);
    let again = ann.json(&["hub", "sync"]);
    assert_eq!(again["pushed"].as_u64(), Some(0), "{again}");
}

/// A change not valid in a copy waits there instead of stopping the sync: the lead retired an
/// exclusion reason that Ann's copy still offered; the lead's sync applies everything else,
/// says what waits and why, and tries it again at every sync.
#[test]
fn a_change_not_valid_here_waits_and_the_rest_applies() {
    let pg = Postgres::start();
    let (lead, ann_url, _) = team(&pg, "parked");
    lead.ok(&[
        "label",
        "add",
        "exclusion-reason",
        "no_energy",
        "--name",
        "No energy figures",
    ]);
    lead.ok(&["hub", "blind", "off"]);
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    lead.ok(&["label", "retire", "exclusion-reason", "no_energy"]);
    ann.ok(&["screen", "1", "--stage", "tiab", "--decision", "include"]);
    ann.ok(&[
        "screen",
        "1",
        "--stage",
        "fulltext",
        "--decision",
        "exclude",
        "--reason",
        "no_energy",
    ]);
    ann.ok(&["screen", "2", "--stage", "tiab", "--decision", "include"]);
    ann.json(&["hub", "sync"]);
    let synced = lead.json(&["hub", "sync"]);
    let parked = synced["parked"].as_array().unwrap();
    assert_eq!(parked.len(), 1, "{synced}");
    assert_eq!(parked[0]["kind"], "vote");
    assert!(
        parked[0]["reason"].as_str().unwrap().contains("no_energy"),
        "{synced}"
    );
    let votes = |record: &str| {
        lead.json(&["review", record])["review"]["votes"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(votes("1"), 1, "Ann's title/abstract vote applied beside it");
    assert_eq!(votes("2"), 1);
    let text = lead.ok(&["hub", "sync"]);
    assert!(text.contains("waiting: ann's vote"), "{text}");
}

/// A risk and a paper audit taken back in Ann's copy (undo) are taken back in the lead's.
#[test]
fn an_undone_risk_and_paper_audit_are_taken_back_too() {
    let pg = Postgres::start();
    let (lead, ann_url, _) = team(&pg, "undorisk");
    lead.ok(&["hub", "blind", "off"]);
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    ann.ok(&["risk", "add", "1", "--effect", "HO.RB.DIR"]);
    ann.ok(&[
        "audit",
        "paper",
        "--example",
        "strubell-nas",
        "--record",
        "1",
    ]);
    ann.json(&["hub", "sync"]);
    lead.json(&["hub", "sync"]);
    let risks = |m: &Machine| {
        m.json(&["review", "1"])["review"]["risks"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(risks(&lead), 1);
    // The record's report lists the paper audits attached to it.
    let audited = |m: &Machine| {
        let out = m.dir.path().join("report.md");
        m.ok(&["report", "1", "--format", "md", out.to_str().unwrap()]);
        std::fs::read_to_string(&out).unwrap().contains("Strubell")
    };
    assert!(audited(&lead), "the audit reached the lead");
    ann.ok(&["undo"]);
    ann.ok(&["undo"]);
    let pushed = ann.json(&["hub", "sync"]);
    assert_eq!(
        pushed["pushed"].as_u64(),
        Some(2),
        "two retractions: {pushed}"
    );
    lead.json(&["hub", "sync"]);
    assert_eq!(risks(&lead), 0, "the risk is taken back");
    assert!(!audited(&lead), "the audit is taken back");
}

/// A lead's full texts are known in every copy by their metadata (the file and the text stay
/// with the lead); a copy that imports the same file sees that its text is the same.
#[test]
fn full_texts_metadata_reaches_every_copy() {
    use ecolens_app::service::library::record_detail;
    use ecolens_core::{Project, RecordId};

    let pg = Postgres::start();
    let (lead, ann_url, _) = team(&pg, "fulltexts");
    let pdf = lead.dir.path().join("lapse.pdf");
    let lines: &[&str] = &[
        "Time lapse: A glimpse into prehistoric genomics",
        "https://doi.org/10.1016/j.ejmg.2019.03.004",
        "ancient genomes and the energy of sequencing them",
    ];
    std::fs::write(&pdf, crate::pdf::pdf(&[lines], None)).unwrap();
    lead.ok(&["import", pdf.to_str().unwrap()]);
    lead.json(&["hub", "sync"]);
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    assert_eq!(
        ann.json(&["hub", "status"])["full_texts_at_hub"].as_i64(),
        Some(1)
    );
    let record = {
        let project = Project::open(&ann.project).unwrap();
        let found = project
            .records()
            .unwrap()
            .into_iter()
            .find(|r| {
                r.record
                    .doi
                    .as_ref()
                    .is_some_and(|d| d.as_str() == "10.1016/j.ejmg.2019.03.004")
            })
            .unwrap();
        found.id
    };
    let detail = |m: &Machine, record: RecordId| {
        let project = Project::open(&m.project).unwrap();
        record_detail(&project, None, record, None)
            .unwrap()
            .hub_full_text
    };
    let (shared, same) = detail(&ann, record).unwrap();
    assert_eq!(shared.file, "lapse.pdf");
    assert_eq!(shared.held_by, "lena");
    assert_eq!(same, None, "Ann has no full text yet");
    let copy = ann.dir.path().join("lapse.pdf");
    std::fs::copy(&pdf, &copy).unwrap();
    ann.ok(&["import", copy.to_str().unwrap()]);
    assert_eq!(detail(&ann, record).unwrap().1, Some(true), "the same text");
}

/// PostgreSQL's logins are shared by a server's databases: a second hub on the same server
/// whose lead has the same name gets a login of its own; a login asked for that the server
/// has already is refused whole (nothing made).
#[test]
fn a_second_hub_on_one_server_gets_free_logins_and_is_made_whole_or_not_at_all() {
    let pg = Postgres::start();
    let (_first, _, _) = team(&pg, "first");
    let owner = pg.create_database_ok("second");
    let lead = Machine::new("lead2");
    lead.ok(&["reviewer", "add", "Lena", "--lead"]);
    let refused = lead.fails(&[
        "hub",
        "init",
        &owner,
        "--reviewer",
        "Lena",
        "--login",
        "lena",
    ]);
    assert!(refused.contains("--login"), "{refused}");
    assert_eq!(
        hub_rows(
            &pg,
            "second",
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'ecolens'"
        ),
        "0",
        "nothing was made"
    );
    let created = lead.json(&["hub", "init", &owner, "--reviewer", "Lena"]);
    assert_eq!(created["login"], "lena_second");
    let invite = lead.json(&["hub", "add-reviewer", "Ann"]);
    assert_eq!(
        invite["login"], "ann_second",
        "Ann has a login on the first hub"
    );
}

/// The server stopped in the middle of syncs (at several moments): each sync cut short fails
/// and says the hub cannot be reached, the copy goes on, and the next sync after the restart
/// leaves the hub with every change once.
#[test]
fn the_server_stopped_mid_sync_loses_nothing_and_doubles_nothing() {
    let pg = Postgres::start();
    let (_lead, ann_url, _) = team(&pg, "midsync");
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    let mut votes = 0;
    for delay_ms in [0_u64, 10, 30, 60, 120] {
        for _ in 0..3 {
            votes += 1;
            ann.ok(&[
                "screen",
                &votes.to_string(),
                "--stage",
                "tiab",
                "--decision",
                "exclude",
            ]);
        }
        let child = ann.sync_in_background();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        pg.stop_server();
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(said.contains("cannot be reached"), "{said}");
        }
        pg.start_server().unwrap();
    }
    ann.json(&["hub", "sync"]);
    assert_eq!(ann.json(&["hub", "status"])["waiting"].as_u64(), Some(0));
    assert_eq!(
        hub_rows(
            &pg,
            "midsync",
            "SELECT count(*), count(DISTINCT record_ref) FROM ecolens.change WHERE author = 'ann'"
        ),
        format!("{votes}|{votes}")
    );
}

#[test]
fn a_hub_made_by_an_older_ecolens_is_upgraded_by_its_lead_and_stays_blind() {
    let pg = Postgres::start();
    let (lead, ann_url, bob_url) = team(&pg, "upgrade");
    assert_eq!(
        hub_rows(
            &pg,
            "upgrade",
            "SELECT value FROM ecolens.meta WHERE key = 'schema_version'"
        ),
        "2",
        "a new hub is made at this build's version"
    );
    let ann = Machine::new("ann");
    ann.json(&["hub", "join", &ann_url]);
    for id in ["1", "2"] {
        ann.ok(&["screen", id, "--stage", "tiab", "--decision", "exclude"]);
    }
    ann.json(&["hub", "sync"]);
    // The hub as version 1 made it.
    hub_rows(
        &pg,
        "upgrade",
        "ALTER POLICY change_read ON ecolens.change USING (author = current_user OR ecolens.sees_all());
         UPDATE ecolens.meta SET value = '1' WHERE key = 'schema_version';",
    );
    let status = lead.ok(&["hub", "status"]);
    assert!(
        status.contains("schema is version 1") && status.contains("ecolens hub upgrade"),
        "{status}"
    );
    let bob = Machine::new("bob");
    bob.json(&["hub", "join", &bob_url]);
    bob.ok(&["hub", "sync"]);
    let refused = bob.fails(&["hub", "upgrade"]);
    assert!(refused.contains("owner connection"), "{refused}");

    let upgraded = lead.json(&["hub", "upgrade"]);
    assert_eq!(
        (upgraded["from"].as_i64(), upgraded["to"].as_i64()),
        (Some(1), Some(2))
    );
    let policy = hub_rows(
        &pg,
        "upgrade",
        "SELECT qual FROM pg_policies WHERE tablename = 'change' AND policyname = 'change_read'",
    );
    assert!(policy.contains("SELECT"), "the per-query form: {policy}");
    assert!(lead.ok(&["hub", "upgrade"]).contains("nothing to do"));
    assert!(!lead.ok(&["hub", "status"]).contains("schema is version"));

    let ann_rows = "SELECT count(*) FROM ecolens.change WHERE author = 'ann'";
    let as_bob = psql(&bob_url, ann_rows);
    assert_eq!(
        String::from_utf8_lossy(&as_bob.stdout).trim(),
        "0",
        "still blind"
    );
    lead.ok(&["hub", "blind", "off"]);
    let as_bob = psql(&bob_url, ann_rows);
    assert_eq!(
        String::from_utf8_lossy(&as_bob.stdout).trim(),
        "2",
        "unblinded"
    );
}
