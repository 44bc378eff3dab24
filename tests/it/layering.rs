//! The workspace's layering rules, checked mechanically:
//! taxonomy ← core ← corpus ← app; only app knows egui/eframe; only core's store (SQLite) and
//! hub (PostgreSQL) hold SQL; only corpus touches tantivy; no package is named `core`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use ecolens_tests::workspace_root;
use serde_json::Value;

const UI_CRATES: [&str; 7] = [
    "egui",
    "eframe",
    "egui_extras",
    "egui_kittest",
    "egui_plot",
    "egui-winit",
    "winit",
];

/// Package name → (normal and build dependencies, dev dependencies), by package name.
struct Graph {
    deps: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    workspace: BTreeSet<String>,
}

fn graph() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let names: BTreeMap<&str, &str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let workspace = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| names[id.as_str().unwrap()].to_owned())
        .collect();
    let mut deps = BTreeMap::new();
    for node in metadata["resolve"]["nodes"].as_array().unwrap() {
        let name = names[node["id"].as_str().unwrap()].to_owned();
        let entry: &mut (BTreeSet<String>, BTreeSet<String>) = deps.entry(name).or_default();
        for dep in node["deps"].as_array().unwrap() {
            let dep_name = names[dep["pkg"].as_str().unwrap()].to_owned();
            for kind in dep["dep_kinds"].as_array().unwrap() {
                if kind["kind"] == "dev" {
                    entry.1.insert(dep_name.clone());
                } else {
                    entry.0.insert(dep_name.clone());
                }
            }
        }
    }
    Graph { deps, workspace }
}

impl Graph {
    /// Everything a package pulls in when built (normal and build dependencies, transitively).
    fn reach(&self, package: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![package.to_owned()];
        while let Some(next) = stack.pop() {
            for dep in self.deps.get(&next).map(|d| &d.0).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }

    fn direct(&self, package: &str) -> BTreeSet<String> {
        let (normal, dev) = &self.deps[package];
        normal.union(dev).cloned().collect()
    }

    fn internal(&self, package: &str) -> BTreeSet<String> {
        self.deps[package]
            .0
            .iter()
            .filter(|d| self.workspace.contains(*d))
            .cloned()
            .collect()
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn the_workspace_has_the_five_packages_and_none_is_named_core() {
    let graph = graph();
    assert_eq!(
        graph.workspace,
        set(&[
            "ecolens-app",
            "ecolens-core",
            "ecolens-corpus",
            "ecolens-taxonomy",
            "ecolens-tests"
        ])
    );
    assert!(!graph.workspace.contains("core"));
}

#[test]
fn internal_dependencies_point_one_way() {
    let graph = graph();
    assert_eq!(graph.internal("ecolens-taxonomy"), set(&[]));
    assert_eq!(graph.internal("ecolens-core"), set(&["ecolens-taxonomy"]));
    assert_eq!(
        graph.internal("ecolens-corpus"),
        set(&["ecolens-core", "ecolens-taxonomy"])
    );
    assert_eq!(
        graph.internal("ecolens-app"),
        set(&["ecolens-core", "ecolens-corpus", "ecolens-taxonomy"])
    );
}

#[test]
fn egui_and_eframe_never_reach_the_library_crates() {
    let graph = graph();
    for library in ["ecolens-taxonomy", "ecolens-core", "ecolens-corpus"] {
        let reached = graph.reach(library);
        let direct = graph.direct(library);
        for ui in UI_CRATES {
            assert!(!reached.contains(ui), "{ui} reaches {library}");
            assert!(
                !direct.contains(ui),
                "{library} depends on {ui} (perhaps as a dev-dependency)"
            );
        }
    }
    // The app does use them: the check above looks at the right names.
    assert!(graph.reach("ecolens-app").contains("eframe"));
}

#[test]
fn sqlite_and_tantivy_have_one_owner_each() {
    let graph = graph();
    let owners = |krate: &str| -> BTreeSet<String> {
        graph
            .workspace
            .iter()
            .filter(|member| graph.direct(member).contains(krate))
            .cloned()
            .collect()
    };
    assert_eq!(owners("rusqlite"), set(&["ecolens-core"]));
    assert_eq!(owners("postgres"), set(&["ecolens-core"]));
    let tantivy = owners("tantivy");
    assert!(
        tantivy.is_empty() || tantivy == set(&["ecolens-corpus"]),
        "tantivy used by {tantivy:?}"
    );
    let ui: BTreeSet<String> = UI_CRATES.iter().flat_map(|krate| owners(krate)).collect();
    assert_eq!(ui, set(&["ecolens-app"]));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn sql_lives_only_in_the_core_store_and_ui_code_only_in_the_app() {
    let root = workspace_root();
    let mut files = Vec::new();
    for member in ["app", "core", "corpus", "taxonomy"] {
        rust_files(&root.join(member), &mut files);
    }
    assert!(
        files.len() > 10,
        "found only {} source files under {}",
        files.len(),
        root.display()
    );
    let mut offenders = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&file).unwrap();
        // The store holds SQLite's SQL, `core/src/hub.rs` the hub's PostgreSQL; the hub's
        // tests speak SQL to the server through psql, as a reviewer trying their luck would.
        let sql_allowed = relative.starts_with("core/src/store/")
            || relative == "core/src/hub.rs"
            || relative == "core/src/error.rs"
            || relative == "app/tests/it/hub.rs"
            // Server administration for tests and the benchmark: a cluster, a role, a database.
            || relative == "app/src/throwaway_postgres.rs";
        if text.contains("rusqlite") && !sql_allowed {
            offenders.push(format!("{relative} uses rusqlite"));
        }
        for keyword in [
            "SELECT ",
            "INSERT INTO",
            "CREATE TABLE",
            "UPDATE record",
            "DELETE FROM",
        ] {
            if text.contains(keyword) && !sql_allowed {
                offenders.push(format!("{relative} holds SQL ({keyword:?})"));
            }
        }
        if (text.contains("egui::") || text.contains("eframe::")) && !relative.starts_with("app/") {
            offenders.push(format!("{relative} uses egui/eframe"));
        }
        if text.contains("tantivy::") && !relative.starts_with("corpus/") {
            offenders.push(format!("{relative} uses tantivy"));
        }
        if text.contains("std::thread::spawn") {
            offenders.push(format!("{relative} spawns an unnamed thread"));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Every Rust file under `folder` (relative to the workspace root) with its text.
fn sources(folder: &str) -> Vec<(String, String)> {
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root.join(folder), &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).unwrap();
            (relative, text)
        })
        .collect()
}

/// Lines of window code that reach the command line: `crate::cli`, a `cli::` path from a
/// window module, or the command modules the CLI had before the use-case layer.
fn window_reaches_cli(files: &[(String, String)]) -> Vec<String> {
    let mut offences = Vec::new();
    for (path, text) in files {
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let reaches = code.contains("crate::cli")
                || code.contains("super::cli")
                || code.contains("_commands")
                || (code.contains("use ") && code.contains("cli::"));
            if reaches {
                offences.push(format!("{path}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    offences
}

#[test]
fn the_window_never_imports_the_cli() {
    let window = sources("app/src/window");
    assert!(window.len() > 10, "found {} window files", window.len());
    let offences = window_reaches_cli(&window);
    assert!(offences.is_empty(), "{offences:#?}");
}

/// The check above can fail: an import of the CLI, as the window once had, is caught.
#[test]
fn the_cli_check_catches_an_import() {
    let planted = vec![
        (
            "app/src/window/planted.rs".to_owned(),
            "use crate::cli::review::BundleCommand;\nfn f() {}\n".to_owned(),
        ),
        (
            "app/src/window/other.rs".to_owned(),
            "let x = crate::assess_commands::compute_estimate(&a, &b); // old\n".to_owned(),
        ),
        (
            "app/src/window/fine.rs".to_owned(),
            "// the CLI (crate::cli) is not used here\nuse crate::service;\n".to_owned(),
        ),
    ];
    let offences = window_reaches_cli(&planted);
    assert_eq!(offences.len(), 2, "{offences:#?}");
    assert!(offences[0].starts_with("app/src/window/planted.rs:1:"));
}

/// Blind mode is read in one place: outside the core's visibility policy and the settings
/// store, no library code looks at the blind switch to decide what a reader sees, and only
/// the core makes a `Visibility` that shows everything.
#[test]
fn no_read_path_computes_visibility_itself() {
    let allowed = [
        "core/src/visibility.rs",
        "core/src/workflow.rs",
        "core/src/store/workflow.rs",
        "core/src/store/tests.rs",
        // The hub carries the switch between server and copy; the server's row-level
        // security decides what a login sees there, and the copy's Visibility here.
        "core/src/hub.rs",
        "core/src/store/hub.rs",
        "app/src/service/hub.rs",
    ];
    let mut offences = Vec::new();
    for folder in ["core/src", "corpus/src", "app/src/service"] {
        for (path, text) in sources(folder) {
            if allowed.contains(&path.as_str()) {
                continue;
            }
            for (number, line) in text.lines().enumerate() {
                if line.contains(".blind") || line.contains(".leads_see_all") {
                    offences.push(format!("{path}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    for (path, text) in sources("app").into_iter().chain(sources("corpus")) {
        if text.contains("Visibility::machinery") {
            offences.push(format!("{path}: makes an all-seeing Visibility"));
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}
