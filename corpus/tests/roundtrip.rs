//! Import → export → import gives the same records, in every export format: the demo corpus,
//! every bibliography fixture and records built to hold what breaks naive writers (LaTeX
//! specials, ligatures, formula-like cells, paragraphs, organisations, en dashes, every
//! identifier). Review labels travel too: votes per reviewer in Rayyan style, the decision in
//! ASReview style.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use ecolens_core::{
    ArxivId, Classification, Decision, Doi, IndexScope, Period, Person, Pmid, Project, ReboundRisk,
    Record, RecordKind, ScreeningVote, SourceRef, Stage, Visibility,
};
use ecolens_corpus::demo::install_demo;
use ecolens_corpus::export::{ExportFormat, LabelStyle, export_file};
use ecolens_taxonomy::{EffectCode, EvalCategory};

use common::{baseline_folder, import};

/// Records written to break writers that do not escape.
fn awkward_records() -> Vec<Record> {
    vec![
        Record {
            kind: RecordKind::ConferencePaper,
            title: "=HYPERLINK(\"http://evil.example\") -- 100% of {CO2} & $costs$ in C#_x ~ a^b \\ end".into(),
            authors: vec![
                Person::new("Lefèvre", "Laurent"),
                Person::new("van der Berg", "Anne-Marie"),
                Person::organisation("Green Software Foundation"),
                Person::organisation("World Meteorological Organization"),
            ],
            editors: vec![
                Person::new("Hilty", "Lorenz M."),
                Person::organisation("ITU-T Study Group 5"),
            ],
            year: Some(2023),
            venue: Some("Proceedings of ICT4S '23 — Rennes & online".into()),
            volume: Some("12".into()),
            issue: Some("3".into()),
            pages: Some("45-67".into()),
            publisher: Some("IEEE".into()),
            doi: Some(Doi::parse("doi", "10.1109/ICT4S58814.2023.00012").unwrap()),
            pmid: Some(Pmid::parse("pmid", "31234567").unwrap()),
            arxiv: Some(ArxivId::parse("arxiv", "2301.01234").unwrap()),
            url: Some("https://example.org/paper?id=1&x=2%20y".into()),
            abstract_text: Some(
                "Background: ``quoted'' text -- with -- dashes and 'single' quotes.\n\
                 Methods: a second paragraph with 50% more; a {brace} and a \\command.\n\
                 @mention and +plus at the start of a line."
                    .into(),
            ),
            keywords: vec![
                "life cycle assessment".into(),
                "rebound effect".into(),
                "Jevons' paradox".into(),
            ],
            notes: Some("Export Date: 12 May 2022\nSource: Scopus".into()),
            period: None,
        },
        Record {
            kind: RecordKind::Report,
            title: "-5 °C: Ölkühlung in Rechenzentren – eine Ökobilanz".into(),
            authors: vec![Person::new("Müller", "Jürgen"), Person::new("Ñúñez", "José")],
            year: Some(2021),
            venue: Some("Umweltbundesamt".into()),
            pages: Some("e0292318".into()),
            abstract_text: Some("+ Plus and = equals; \"double quotes\", commas, and\ttabs.".into()),
            ..Record::default()
        },
        Record {
            kind: RecordKind::Thesis,
            title: "Energy of inference@edge".into(),
            authors: vec![Person::new("O'Neil", "C.")],
            year: Some(2020),
            venue: Some("Université Grenoble Alpes".into()),
            ..Record::default()
        },
        // Paragraphs that start like tags or entries of every format read (the reproducers
        // of issue 16: `ML - based …` dropped, `TY  -` lines injecting records, BibTeX and
        // CSV detected as RIS).
        Record {
            kind: RecordKind::JournalArticle,
            title: "Hostile paragraphs".into(),
            authors: vec![Person::new("O'Brien} {Pat", "X.")],
            year: Some(2022),
            abstract_text: Some(
                "We study forecasting.\n\
                 ML - based forecasting reduces curtailment.\n\
                 AI - driven control saves 10%.\n\
                 ER  - \n\
                 TY  - JOUR\n\
                 TY - JOUR is how RIS starts a record.\n\
                 TI  - INJECTED VIA ABSTRACT\n\
                 PMID- 12345678\n\
                 FAU - Someone, Else\n\
                 @article{evil, title={EVIL}}\n\
                 @misc(evil2, title = \"EVIL2\")\n\
                 %0 Journal Article\n\
                 Second paragraph } with { braces and \\end{document} %comment"
                    .into(),
            ),
            notes: Some("ER  - \nTY  - JOUR\n@article{x,".into()),
            ..Record::default()
        },
        // Projects entered by hand: funder, programme, grant number, summary and period (a
        // closed one, and one whose end is open).
        Record {
            kind: RecordKind::Project,
            title: "GreenSched: carbon-aware scheduling of training jobs".into(),
            authors: vec![Person::new("Durand", "Claire"), Person::organisation("INRIA")],
            year: Some(2025),
            venue: Some("AAPG 2025 – CE23 Artificial intelligence".into()),
            issue: Some("ANR-25-CE23-0001".into()),
            publisher: Some("Agence nationale de la recherche".into()),
            abstract_text: Some("Shift training jobs to hours of low-carbon electricity.\nMeasure what it saves and what it costs.".into()),
            period: Some(Period::parse("period", "2025-10/2029-09").unwrap()),
            ..Record::default()
        },
        Record {
            kind: RecordKind::Project,
            title: "Open-ended monitoring of a campus data centre".into(),
            publisher: Some("Région Auvergne-Rhône-Alpes".into()),
            period: Some(Period::parse("period", "2024-03-01/").unwrap()),
            ..Record::default()
        },
        Record {
            kind: RecordKind::Preprint,
            title: "Untitled preprint with only an arXiv id".into(),
            arxiv: Some(ArxivId::parse("arxiv", "cs/0112017").unwrap()),
            ..Record::default()
        },
    ]
}

/// A project with the demo corpus, every fixture, the awkward records and review work of
/// every kind.
fn source_project(dir: &Path) -> Project {
    let mut project = Project::open(dir.join("source.ecolens")).unwrap();
    install_demo(&mut project).unwrap();
    import(&mut project, &[baseline_folder(dir)]);
    let batch: Vec<_> = awkward_records()
        .into_iter()
        .map(|mut record| {
            ecolens_corpus::normalise::normalise(&mut record);
            (
                record,
                SourceRef {
                    file: "built-by-test".into(),
                    format: "test".into(),
                    locator: None,
                    original_key: None,
                },
            )
        })
        .collect();
    let awkward = project.insert_records(&batch).unwrap();
    let tomas = project.add_reviewer("Tomás", false).unwrap();
    let emily = project.reviewer_by_name("Emily").unwrap();
    for (index, record) in awkward.iter().enumerate() {
        let decision = match index {
            0 => Decision::Include,
            1 => Decision::Exclude {
                reason: Some("not_ai".into()),
            },
            _ => Decision::Maybe,
        };
        project
            .set_screening(
                *record,
                tomas.id,
                &ScreeningVote {
                    stage: Stage::TitleAbstract,
                    decision: Decision::Include,
                    note: None,
                },
            )
            .unwrap();
        project
            .set_screening(
                *record,
                tomas.id,
                &ScreeningVote {
                    stage: Stage::FullText,
                    decision,
                    note: None,
                },
            )
            .unwrap();
    }
    project
        .set_screening(
            awkward[0],
            emily.id,
            &ScreeningVote {
                stage: Stage::TitleAbstract,
                decision: Decision::Maybe,
                note: None,
            },
        )
        .unwrap();
    project
        .set_classification(awkward[0], tomas.id, &Classification::new(EvalCategory::D))
        .unwrap();
    project
        .add_risk(
            awkward[0],
            tomas.id,
            &ReboundRisk {
                mechanism: "Cheaper cooling invites more compute.".into(),
                ..ReboundRisk::new(EffectCode::HoRbDir)
            },
        )
        .unwrap();
    project
        .add_record_label(
            awkward[0],
            tomas.id,
            "rolnick-domain",
            "buildings_and_cities",
        )
        .unwrap();
    project
}

/// Every record's content, in id order.
fn contents(project: &Project) -> Vec<Record> {
    project
        .records()
        .unwrap()
        .into_iter()
        .map(|stored| stored.record)
        .collect()
}

/// Every vote as (record title, reviewer, stage, decision), sorted: read from what the search
/// index mirrors, which is everyone's whatever blind mode says.
fn votes(project: &Project) -> Vec<(String, String, Stage, Decision)> {
    let mut all = Vec::new();
    project
        .for_each_index_doc(&IndexScope::All, false, |doc| {
            for vote in doc.review.votes {
                all.push((
                    doc.record.title.clone(),
                    vote.reviewer,
                    vote.stage,
                    vote.decision,
                ));
            }
            Ok::<_, ecolens_core::Error>(())
        })
        .unwrap();
    all.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    all
}

/// A reader who sees everyone's judgements: a lead who has unblinded the project (imports
/// make reviewers of the names in review labels, and a new project is blind).
fn lead_unblinded(project: &mut Project) -> Visibility {
    if !project.visibility(None).unwrap().sees_everyone() {
        let lead = project.add_reviewer("Round-trip lead", true).unwrap();
        project.set_blind(lead.id, false).unwrap();
    }
    project.visibility(None).unwrap()
}

/// An export's lines (CSV: rows) without the record ids, which differ between projects.
fn without_ids(path: &Path, format: ExportFormat) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    if format == ExportFormat::Csv {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap();
        return reader
            .records()
            .map(|row| {
                row.unwrap()
                    .iter()
                    .skip(1)
                    .collect::<Vec<_>>()
                    .join("\u{1f}")
            })
            .collect();
    }
    text.lines()
        .map(|line| {
            let Some(at) = line.find("ecolens-") else {
                return line.to_owned();
            };
            let digits = line[at + 8..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            format!("{}ecolens-#{}", &line[..at], &line[at + 8 + digits..])
        })
        .collect()
}

fn assert_same_records(before: &[Record], after: &[Record], format: ExportFormat) {
    assert_eq!(before.len(), after.len(), "{format:?}: record count");
    for (a, b) in before.iter().zip(after) {
        if a != b {
            // Name the fields that changed.
            let (a_json, b_json) = (
                serde_json::to_value(a).unwrap(),
                serde_json::to_value(b).unwrap(),
            );
            let changed: Vec<String> = a_json
                .as_object()
                .unwrap()
                .iter()
                .filter(|(name, value)| b_json.get(name.as_str()) != Some(value))
                .map(|(name, value)| format!("{name}: {value} → {}", b_json[name.as_str()]))
                .collect();
            panic!(
                "{format:?}: record {:?} changed:\n{}",
                a.title,
                changed.join("\n")
            );
        }
    }
}

#[test]
fn every_format_gives_back_the_same_records_and_votes() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = source_project(dir.path());
    let source_seen = lead_unblinded(&mut source);
    let records = contents(&source);
    let source_votes = votes(&source);
    assert!(records.len() > 120, "{}", records.len());
    assert!(source_votes.len() >= 15, "{}", source_votes.len());

    for format in ExportFormat::ALL {
        let file = dir.path().join(format!("export.{}", format.extension()));
        let report = export_file(
            &source,
            &source_seen,
            &file,
            format,
            LabelStyle::Rayyan,
            None,
        )
        .unwrap();
        assert_eq!(report.records, records.len() as u64);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".part"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        let mut copy =
            Project::open(dir.path().join(format!("copy-{}.ecolens", format.name()))).unwrap();
        let imported = import(&mut copy, std::slice::from_ref(&file));
        assert!(
            imported.rejected.is_empty(),
            "{format:?}: {:#?}",
            imported.rejected
        );
        assert!(
            imported.warnings.is_empty(),
            "{format:?}: {:#?}",
            &imported.warnings[..imported.warnings.len().min(5)]
        );
        assert_eq!(imported.duplicates_merged, 0, "{format:?}");
        assert_same_records(&records, &contents(&copy), format);
        assert_eq!(votes(&copy), source_votes, "{format:?}: votes");

        // The export carries the review fields imports do not take back (classifications,
        // risks, record labels), as summary lines or columns.
        let text = std::fs::read_to_string(&file).unwrap();
        let carried = if format == ExportFormat::Csv {
            [
                "Tomás: d",
                "HO.RB.DIR",
                "rolnick-domain/buildings_and_cities",
            ]
        } else {
            [
                "ECOLENS-CATEGORY: {\"Tomás\"=>\"d\"}",
                "ECOLENS-REBOUND: HO.RB.DIR",
                "ECOLENS-LABELS: rolnick-domain/buildings_and_cities",
            ]
        };
        for needle in carried {
            // BibTeX escapes what LaTeX would read as markup.
            let needle = if format == ExportFormat::Bibtex {
                needle
                    .replace('{', "\\{")
                    .replace('}', "\\}")
                    .replace('_', "\\_")
            } else {
                needle.to_owned()
            };
            let needle = if format == ExportFormat::CslJson {
                needle.replace('"', "\\\"")
            } else {
                needle
            };
            assert!(
                text.contains(&needle),
                "{format:?}: {needle} not in the export"
            );
        }

        // From the first copy on, a trip changes nothing at all.
        let first_copy = dir
            .path()
            .join(format!("first-copy.{}", format.extension()));
        let copy_seen = lead_unblinded(&mut copy);
        export_file(
            &copy,
            &copy_seen,
            &first_copy,
            format,
            LabelStyle::Rayyan,
            None,
        )
        .unwrap();
        let mut second_copy =
            Project::open(dir.path().join(format!("copy2-{}.ecolens", format.name()))).unwrap();
        import(&mut second_copy, std::slice::from_ref(&first_copy));
        let second_copy_seen = lead_unblinded(&mut second_copy);
        assert_same_records(&records, &contents(&second_copy), format);
        let file = first_copy;
        let again = dir.path().join(format!("again.{}", format.extension()));
        export_file(
            &second_copy,
            &second_copy_seen,
            &again,
            format,
            LabelStyle::Rayyan,
            None,
        )
        .unwrap();
        let (first, second) = (without_ids(&file, format), without_ids(&again, format));
        assert_eq!(first.len(), second.len(), "{format:?}: exports differ");
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a, b, "{format:?}: exports differ");
        }
    }
}

#[test]
fn asreview_style_carries_the_decision_and_csv_cells_cannot_run_as_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = source_project(dir.path());
    let source_seen = lead_unblinded(&mut source);
    let file = dir.path().join("asreview.csv");
    export_file(
        &source,
        &source_seen,
        &file,
        ExportFormat::Csv,
        LabelStyle::Asreview,
        None,
    )
    .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    for name in [
        "record_id",
        "title",
        "abstract",
        "authors",
        "keywords",
        "doi",
        "included",
    ] {
        assert!(headers.iter().any(|h| h == name), "missing column {name}");
    }
    // No cell starts with a character a spreadsheet evaluates.
    for row in reader.records() {
        for cell in &row.unwrap() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "unsafe cell {cell:?}"
            );
        }
    }
    assert!(
        text.contains("'=HYPERLINK("),
        "the formula-like title is kept, defused"
    );

    // Into a fresh project: records the same, and the decisions as ASReview votes.
    let mut copy = Project::open(dir.path().join("copy.ecolens")).unwrap();
    import(&mut copy, &[file]);
    assert_same_records(&contents(&source), &contents(&copy), ExportFormat::Csv);
    let asreview = copy.reviewer_by_name("ASReview").unwrap();
    let mut decided = 0;
    let copy_seen = copy.visibility(Some(asreview.id)).unwrap();
    for stored in copy.records().unwrap() {
        for vote in copy.screening_votes(stored.id, &copy_seen).unwrap() {
            assert_eq!(vote.reviewer, asreview.id);
            decided += 1;
        }
    }
    // Emily's 2 includes and 2 excludes, and Tomás' full-text include and exclusion.
    assert_eq!(decided, 6);
}

#[test]
fn a_selection_exports_only_its_records_and_a_failed_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = source_project(dir.path());
    let source_seen = lead_unblinded(&mut source);
    let some: Vec<_> = source
        .records()
        .unwrap()
        .iter()
        .take(3)
        .map(|r| r.id)
        .collect();
    let file = dir.path().join("three.ris");
    let report = export_file(
        &source,
        &source_seen,
        &file,
        ExportFormat::Ris,
        LabelStyle::Rayyan,
        Some(&some),
    )
    .unwrap();
    assert_eq!(report.records, 3);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("ER  - ").count(), 3);

    let missing = dir.path().join("no-such-folder").join("out.ris");
    let error = export_file(
        &source,
        &source_seen,
        &missing,
        ExportFormat::Ris,
        LabelStyle::Rayyan,
        None,
    )
    .unwrap_err();
    assert!(error.to_string().contains("no-such-folder"), "{error}");
    assert!(!missing.exists());
}
