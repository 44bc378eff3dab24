//! The paper-figure extractor (`ecolens_core::cues`) measured on a hand-labelled set: the
//! passages of `core/data/cues/passages.toml` (ecolens's own sentences restating papers'
//! figures, labelled before the rules were written) and every abstract of the fixtures'
//! bibliographies (real abstracts of chemistry, medicine and palaeontology papers, full of
//! numbers and units none of which is a computing figure: each cue found there is a false
//! positive). Goal of issue 18: precision ≥ 0.9, recall ≥ 0.8. This set shaped the rules;
//! `docs/reference/cues_heldout.py` measures them on real documentation prose they were not
//! written from.

use std::path::PathBuf;

use ecolens_core::cues::{CueKind, extract};

#[derive(serde::Deserialize)]
struct Passages {
    passage: Vec<Passage>,
}

#[derive(serde::Deserialize)]
struct Passage {
    after: String,
    text: String,
    labels: Vec<(String, String)>,
}

/// A label: kind and character span.
struct Label {
    kind: CueKind,
    start: usize,
    end: usize,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn labelled() -> Vec<(String, String, Vec<Label>)> {
    let text = std::fs::read_to_string(root().join("core/data/cues/passages.toml")).unwrap();
    let passages: Passages = toml::from_str(&text).unwrap();
    passages
        .passage
        .into_iter()
        .map(|p| {
            let labels = p
                .labels
                .iter()
                .map(|(kind, quoted)| {
                    let byte = p
                        .text
                        .find(quoted.as_str())
                        .unwrap_or_else(|| panic!("{quoted:?} not in {:?}", p.after));
                    let start = p.text[..byte].chars().count();
                    Label {
                        kind: CueKind::from_code(kind).unwrap_or_else(|| panic!("kind {kind}")),
                        start,
                        end: start + quoted.chars().count(),
                    }
                })
                .collect();
            (p.after, p.text, labels)
        })
        .collect()
}

/// The fixtures' abstracts: no computing figure in any of them (checked by hand: each cue the
/// extractor ever found in them was read).
fn negatives() -> Vec<(String, String, Vec<Label>)> {
    let fixtures = root().join("../shared/fixtures/bibliographies");
    let mut out = Vec::new();
    for file in [
        "pubmed_medline_baseline.ris",
        "rayyan_export_baseline.ris",
        "endnote_3_citations.xml",
        "scopus_malformed_issue1099.txt",
    ] {
        let read = ecolens_corpus::read::read_file(&fixtures.join(file)).unwrap();
        for (i, record) in read.parsed.records.iter().enumerate() {
            if let Some(text) = &record.record.abstract_text {
                out.push((format!("{file} #{i}"), text.clone(), Vec::new()));
            }
        }
    }
    out
}

#[test]
fn the_extractor_finds_stated_figures_with_the_precision_and_recall_issue_18_asks() {
    let positives = labelled();
    let negatives = negatives();
    assert!(
        positives.len() >= 30 && negatives.len() >= 40,
        "{} {}",
        positives.len(),
        negatives.len()
    );
    let (mut found, mut right, mut labels, mut recalled) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for (name, text, gold) in positives.iter().chain(&negatives) {
        let cues = extract(text);
        found += cues.len();
        labels += gold.len();
        for c in &cues {
            if gold
                .iter()
                .any(|l| l.kind == c.kind && c.start < l.end && l.start < c.end)
            {
                right += 1;
            } else {
                misses.push(format!("false {:?} {:?} in {name}", c.kind, c.text));
            }
        }
        for l in gold {
            if cues
                .iter()
                .any(|c| l.kind == c.kind && c.start < l.end && l.start < c.end)
            {
                recalled += 1;
            } else {
                let shown: String = text.chars().skip(l.start).take(l.end - l.start).collect();
                misses.push(format!("missed {:?} {shown:?} in {name}", l.kind));
            }
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let (precision, recall) = (right as f64 / found as f64, recalled as f64 / labels as f64);
    println!(
        "cues: {} passages + {} real abstracts; {labels} labels; {found} found, {right} right: precision {precision:.3}, recall {recall:.3}",
        positives.len(),
        negatives.len()
    );
    for m in &misses {
        println!("  {m}");
    }
    assert!(precision >= 0.9, "precision {precision:.3}");
    assert!(recall >= 0.8, "recall {recall:.3}");
}

/// Offsets are characters of the text searched, so a quote cut from them is the cue.
#[test]
fn cue_offsets_cut_the_cue_out_of_text_with_non_ascii_letters() {
    let text =
        "Über 12 Tage: the model ran on 4 A100 GPUs in Zürich for 36 hours, 52 kWh — 2.1 kg CO₂e.";
    let chars: Vec<char> = text.chars().collect();
    let cues = extract(text);
    assert!(cues.len() >= 5, "{cues:?}");
    for c in &cues {
        let cut: String = chars[c.start..c.end].iter().collect();
        assert_eq!(cut, c.text);
    }
}
