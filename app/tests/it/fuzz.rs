//! The fuzz harness, briefly, in every test run: mutated real files of every format through
//! detection and every reader, with no panic. (`ecolens fuzz` runs it long; the closing notes
//! of issue 16 give those runs' figures.)

use ecolens_app::fuzz::{FuzzOptions, run};

#[test]
fn mutated_files_of_every_format_never_panic_a_reader() {
    let corpus = vec![
        crate::fixtures(),
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/data"),
        // The demo corpus is CSL-JSON.
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/data"),
    ];
    let output = run(&FuzzOptions {
        corpus,
        inputs: 1_500,
        start: 0,
        seed: 16,
        threads: 2,
        only: Vec::new(),
        keep: None,
        linear: false,
    })
    .unwrap();
    let families = output.json["families"].as_array().unwrap();
    let names: Vec<&str> = families
        .iter()
        .map(|f| f["family"].as_str().unwrap())
        .collect();
    // Seeds of every family the fixtures hold were found, and each family was fed.
    for family in [
        "bibtex",
        "csl-json",
        "csv",
        "endnote-tagged",
        "endnote-xml",
        "medline",
        "pubmed-xml",
        "ris",
        "wos",
        "xlsx",
        "zotero-rdf",
    ] {
        assert!(names.contains(&family), "no {family} seeds: {names:?}");
    }
    for family in families {
        assert_eq!(family["inputs"], 1_500);
        assert_eq!(family["panics"], 0, "{}", output.text);
    }
    assert!(!output.failed, "{}", output.text);
}
