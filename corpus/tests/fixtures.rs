//! Every bibliography fixture (../shared/fixtures/bibliographies, see SOURCES.md there) read the
//! way an import reads it, with assertions on real records: titles, author lists, DOIs, years,
//! abstracts, and the problems each file is known for.

// A panic is the failure report of a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ecolens_core::{Doi, Person, RecordKind};
use ecolens_corpus::detect::Format;
use ecolens_corpus::labels::{LabelDecision, labels_in_notes};
use ecolens_corpus::read::{FileRead, read_file};

use common::fixture;

fn read(name: &str) -> FileRead {
    read_file(&fixture(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn doi(record: &ecolens_core::Record) -> Option<&str> {
    record.doi.as_ref().map(Doi::as_str)
}

#[test]
fn rayyan_ris_with_glued_tags_and_decisions() {
    let file = read("rayyan_export_baseline.ris");
    assert_eq!(file.format, Format::Ris);
    assert_eq!(file.encoding, "UTF-8");
    let records: Vec<_> = file.parsed.records.iter().map(|r| &r.record).collect();
    assert_eq!(records.len(), 10);
    assert_eq!(file.parsed.rejected(), 0);

    let first = records[0];
    assert_eq!(
        first.title,
        "Cellular structure of dinosaur scales reveals retention of reptile-type skin during the evolutionary transition to feathers"
    );
    assert_eq!(
        first.authors,
        vec![
            Person::new("Yang", "Z."),
            Person::new("Jiang", "B."),
            Person::new("Xu", "J."),
            Person::new("McNamara", "M.E.")
        ]
    );
    assert_eq!(first.year, Some(2024));
    assert_eq!(first.venue.as_deref(), Some("Nat. Commun."));
    // The glued `LK  - …` is not part of the DOI, and `U2  - …` not part of the URL.
    assert_eq!(doi(first), Some("10.1038/s41467-024-48400-3"));
    assert_eq!(
        first.url.as_deref(),
        Some(
            "https://www.embase.com/search/results?subaction=viewrecord&id=L2029880245&from=export"
        )
    );
    assert!(
        first
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("Fossil feathers have transformed our understanding")
    );
    assert!(first.keywords.contains(&"Psittacosaurus".to_owned()));
    assert_eq!(
        file.parsed.records[0].original_key.as_deref(),
        Some("rayyan-42924189")
    );

    // Two records have no abstract, every record has a DOI.
    let without_abstract: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.abstract_text.is_none())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(without_abstract, [1, 4]);
    assert!(records.iter().all(|r| r.doi.is_some()));
    // Non-ASCII author names survive.
    assert!(
        records
            .iter()
            .flat_map(|r| &r.authors)
            .any(|a| a.family == "Černý")
    );
    // Rayyan decisions by Emily on six records.
    let decisions: Vec<_> = records
        .iter()
        .flat_map(|r| labels_in_notes(r.notes.as_deref().unwrap_or_default()))
        .map(|label| (label.reviewer.unwrap(), label.decision))
        .collect();
    assert_eq!(decisions.len(), 6);
    assert_eq!(
        decisions
            .iter()
            .filter(|(_, d)| *d == LabelDecision::Include)
            .count(),
        2
    );
    assert_eq!(
        decisions
            .iter()
            .filter(|(_, d)| *d == LabelDecision::Maybe)
            .count(),
        2
    );
    assert_eq!(
        decisions
            .iter()
            .filter(|(_, d)| *d == LabelDecision::Exclude)
            .count(),
        2
    );
    assert!(decisions.iter().all(|(reviewer, _)| reviewer == "Emily"));
}

#[test]
fn rayyan_csv_carries_the_same_records() {
    let csv = read("rayyan_export_baseline.csv");
    assert_eq!(csv.format, Format::Csv { delimiter: b',' });
    let ris = read("rayyan_export_baseline.ris");
    assert_eq!(csv.parsed.records.len(), 10);
    for (from_csv, from_ris) in csv.parsed.records.iter().zip(&ris.parsed.records) {
        assert_eq!(from_csv.record.title, from_ris.record.title);
        assert_eq!(
            from_csv.record.doi, from_ris.record.doi,
            "{}",
            from_csv.record.title
        );
        assert_eq!(
            from_csv.record.authors, from_ris.record.authors,
            "{}",
            from_csv.record.title
        );
        assert_eq!(from_csv.record.year, from_ris.record.year);
        assert_eq!(from_csv.original_key, from_ris.original_key);
    }
    // The glued tag survives into the CSV cells; it is cut off and reported per row.
    let glued: Vec<_> = csv
        .parsed
        .problems
        .iter()
        .filter(|p| p.message.contains("glued"))
        .collect();
    assert!(glued.len() >= 10, "{:#?}", csv.parsed.problems);
    assert_eq!(glued[0].line, 2);
    assert_eq!(glued[0].field.as_deref(), Some("doi"));
    assert_eq!(glued[1].field.as_deref(), Some("url"));
}

#[test]
fn pubmed_medline_saved_as_ris_is_read_as_medline() {
    let file = read("pubmed_medline_baseline.ris");
    assert_eq!(file.format, Format::Medline);
    let records: Vec<_> = file.parsed.records.iter().map(|r| &r.record).collect();
    assert_eq!(records.len(), 50);
    assert_eq!(file.parsed.rejected(), 0);
    let first = records[0];
    assert_eq!(
        first.title,
        "Time lapse: A glimpse into prehistoric genomics."
    );
    assert_eq!(
        first.pmid.as_ref().map(ecolens_core::Pmid::as_str),
        Some("30922926")
    );
    assert_eq!(doi(first), Some("10.1016/j.ejmg.2019.03.004"));
    assert_eq!(first.year, Some(2020));
    assert_eq!(
        first.venue.as_deref(),
        Some("European journal of medical genetics")
    );
    assert_eq!(
        &first.authors[..2],
        &[
            Person::new("Griffin", "Darren K"),
            Person::new("Larkin", "Denis M")
        ]
    );
    assert_eq!(first.authors[2], Person::new("O'Connor", "Rebecca E"));
    // Six-space continuation lines are joined into one abstract.
    let abstract_text = first.abstract_text.as_deref().unwrap();
    assert!(abstract_text.starts_with(
        "For the purpose of this review, 'time-lapse' refers to the reconstruction of ancestral"
    ));
    assert!(!abstract_text.contains("  "));
    assert!(
        records.iter().all(|r| r.doi.is_some()),
        "every record has a [doi] LID or AID"
    );
    assert_eq!(
        file.parsed.records[49].original_key.as_deref(),
        Some("26605799")
    );
    assert_eq!(
        records[49].title,
        "Eggshell Porosity Provides Insight on Evolution of Nesting in Dinosaurs."
    );
}

#[test]
fn scopus_ris_with_untagged_lines_keeps_them_as_notes() {
    let file = read("scopus_malformed_issue1099.txt");
    assert_eq!(file.format, Format::Ris);
    let records: Vec<_> = file.parsed.records.iter().map(|r| &r.record).collect();
    assert_eq!(records.len(), 7);
    let first = records[0];
    assert_eq!(
        first.title,
        "Design and prototyping of directly driven outer rotor permanent magnet generator for small scale wind turbines"
    );
    assert_eq!(first.authors.len(), 5);
    assert_eq!(first.authors[0], Person::new("Vaimann", "T."));
    assert_eq!(
        first.venue.as_deref(),
        Some("Advances in Electrical and Electronic Engineering")
    );
    assert_eq!(first.pages.as_deref(), Some("271-278"));
    assert_eq!(first.year, Some(2018));
    assert_eq!(doi(first), Some("10.15598/aeee.v16i3.2698"));
    // "Export Date: …" and "Article" are kept in the notes, not glued onto `U3`.
    assert_eq!(
        first.notes.as_deref(),
        Some("Export Date: 12 May 2022\nArticle")
    );
    let untagged: Vec<_> = file
        .parsed
        .problems
        .iter()
        .filter(|p| p.field.as_deref() == Some("untagged"))
        .collect();
    assert_eq!(untagged[0].line, 17);
    assert!(untagged[0].message.contains("Export Date: 12 May 2022"));
    // The second record is a conference paper filed as a book; its correspondence address
    // after blank lines joins the notes too.
    assert_eq!(records[1].kind, RecordKind::Book);
    assert!(
        records[1]
            .notes
            .as_deref()
            .unwrap()
            .contains("Correspondence Address: Van Acker, B.")
    );
    assert_eq!(records[1].authors[0], Person::new("van Acker", "B."));
    // The last two records share title and abstract but not authors or DOI.
    assert_eq!(records[5].title, records[6].title);
    assert_eq!(doi(records[5]), None);
    assert_eq!(doi(records[6]), Some("10.1109/TLA.2005.1642429"));
    assert_ne!(records[5].authors, records[6].authors);
}

#[test]
fn endnote_xml_on_one_line() {
    let file = read("endnote_3_citations.xml");
    assert_eq!(file.format, Format::EndnoteXml);
    let records: Vec<_> = file.parsed.records.iter().map(|r| &r.record).collect();
    let titles: Vec<_> = records.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Important roles of enthalpic and entropic contributions to CO2 capture from simulated flue gas and ambient air using mesoporous silica grafted amines",
            "A common variant mapping to CACNA1A is associated with susceptibility to exfoliation syndrome",
            "Strong CO2 binding in a water-stable, triazolate-bridged metal-organic framework functionalized with ethylenediamine",
        ]
    );
    assert_eq!(
        records.iter().map(|r| r.year).collect::<Vec<_>>(),
        [Some(2014), Some(2015), Some(2009)]
    );
    assert_eq!(
        records.iter().map(|r| doi(r)).collect::<Vec<_>>(),
        [
            Some("10.1021/ja507655x"),
            Some("10.1038/ng.3226"),
            Some("10.1021/ja903411w")
        ]
    );
    assert!(
        records
            .iter()
            .all(|r| r.kind == RecordKind::JournalArticle && !r.authors.is_empty())
    );
    assert!(records.iter().all(|r| r.abstract_text.is_some()));
}

#[test]
fn utf16le_biblatex_with_string_macro() {
    let file = read("utf16le_bom_tiny.bib");
    assert_eq!(file.format, Format::Bibtex);
    assert_eq!(file.encoding, "UTF-16LE (BOM)");
    assert_eq!(file.parsed.records.len(), 1);
    assert!(
        file.parsed.problems.is_empty(),
        "{:#?}",
        file.parsed.problems
    );
    let parsed = &file.parsed.records[0];
    assert_eq!(
        parsed.original_key.as_deref(),
        Some("Verwilghen+vanGalen+Wilke2011")
    );
    let record = &parsed.record;
    assert_eq!(
        record.title,
        "Investigation of the best suture pattern to close a stuffed Christmas turkey"
    );
    assert_eq!(record.venue.as_deref(), Some("Veterinary Record"));
    assert_eq!(record.year, Some(2011));
    assert_eq!(doi(record), Some("10.1136/vr.d6221"));
    assert_eq!(record.pages.as_deref(), Some("685-686"));
    assert_eq!(record.volume.as_deref(), Some("169"));
    assert_eq!(record.issue.as_deref(), Some("26"));
    assert_eq!(
        record.authors,
        vec![
            Person::new("Verwilghen", "D."),
            Person::new("Busoni", "V."),
            Person::new("van Galen", "G."),
            Person::new("Wilke", "M.")
        ]
    );
}
