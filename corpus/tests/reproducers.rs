//! The import defects of real exports, one test each, on the reproducers in
//! ../shared/fixtures/bibliographies/reproducers (SOURCES.md there) and on files written for
//! this repository (corpus/tests/data, SOURCES.md there). Each test fails without its fix.

// A panic is the failure report of a test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use ecolens_corpus::Severity;
use ecolens_corpus::detect::Format;
use ecolens_corpus::read::{FileRead, read_bytes};

fn reproducer(name: &str) -> PathBuf {
    common::fixture(&format!("reproducers/{name}"))
}

use common::{own, problems, read};

fn titles(read: &FileRead) -> Vec<&str> {
    read.parsed
        .records
        .iter()
        .map(|r| r.record.title.as_str())
        .collect()
}

#[test]
fn csv_exports_over_64_kb_and_with_ragged_rows_are_read_whole() {
    // Lens.org: 15 records fit in the 64 KB detection looks at, the 16th crosses it.
    let fifteen = read(&reproducer("lens_15.csv"));
    let sixteen = read(&reproducer("lens_16.csv"));
    assert_eq!(fifteen.parsed.records.len(), 15);
    assert_eq!(sixteen.format, Format::Csv { delimiter: b',' });
    assert_eq!(sixteen.parsed.records.len(), 16, "{:?}", problems(&sixteen));
    assert_eq!(titles(&sixteen)[..15], titles(&fifteen)[..]);
    assert!(
        sixteen
            .parsed
            .records
            .iter()
            .all(|r| !r.record.authors.is_empty()),
        "Lens's Author/s column"
    );
    // Ragged rows (abstrackr writes trailing cells only when they hold something) in a file
    // far over 64 KB.
    let mut text = String::from("id,title,abstract,keywords,labels\n");
    for n in 0..3000 {
        if n % 3 == 0 {
            let _ = writeln!(
                text,
                "{n},Paper {n} on data centres,\"An abstract, with commas\""
            );
        } else {
            let _ = writeln!(
                text,
                "{n},Paper {n} on data centres,Plain abstract,grid; AI,1"
            );
        }
    }
    assert!(text.len() > 128 * 1024);
    let ragged = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(ragged.parsed.records.len(), 3000);
    assert!(
        ragged.parsed.problems.is_empty(),
        "{:?}",
        ragged.parsed.problems
    );
}

#[test]
fn medline_without_pmid_lines_is_medline_record_by_record() {
    let eric = read(&own("eric_three.nbib"));
    assert_eq!(eric.format, Format::Medline);
    assert_eq!(
        titles(&eric),
        [
            "Teaching Energy Literacy with Machine Learning Projects",
            "Green Computing in the Undergraduate Curriculum",
            "Rebound Effects of Digital Learning Platforms: A Review",
        ]
    );
    let authors: Vec<usize> = eric
        .parsed
        .records
        .iter()
        .map(|r| r.record.authors.len())
        .collect();
    assert_eq!(authors, [2, 3, 2]);
    let years: Vec<Option<i32>> = eric.parsed.records.iter().map(|r| r.record.year).collect();
    assert_eq!(years, [Some(2022), Some(2021), Some(2020)]);
    let keys: Vec<Option<&str>> = eric
        .parsed
        .records
        .iter()
        .map(|r| r.original_key.as_deref())
        .collect();
    assert_eq!(
        keys,
        [Some("EJ1345678"), Some("EJ1298765"), Some("ED612345")]
    );
    let first = &eric.parsed.records[0].record;
    assert_eq!(first.pages.as_deref(), Some("512-527"));
    assert!(
        first
            .abstract_text
            .as_deref()
            .unwrap()
            .ends_with("what the training cost.")
    );
    // Without blank lines between records, `OWN` still starts each one.
    let text = std::fs::read_to_string(own("eric_three.nbib")).unwrap();
    let packed: String =
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .fold(String::new(), |mut packed, l| {
                let _ = writeln!(packed, "{l}");
                packed
            });
    assert_eq!(
        read_bytes(packed.as_bytes()).unwrap().parsed.records.len(),
        3
    );
}

#[test]
fn column_names_of_embase_covidence_asreview_refworks_and_openalex() {
    let embase = read(&reproducer("embase_nopreamble.csv"));
    assert_eq!(embase.parsed.records.len(), 10);
    let with_authors = embase
        .parsed
        .records
        .iter()
        .filter(|r| !r.record.authors.is_empty())
        .count();
    assert_eq!(with_authors, 10, "Embase's Author Names");
    assert_eq!(embase.parsed.records[0].record.authors[0].family, "Yang");
    // Embase as downloaded: the query and its date above the header.
    let original = std::fs::read_to_string(reproducer("embase_nopreamble.csv")).unwrap();
    let with_preamble = format!(
        "\"Embase Session Results\"\n\"#1 'dinosaur scales'\"\n\"Date: 2024-05-02\"\n\n{original}"
    );
    let embase = read_bytes(with_preamble.as_bytes()).unwrap();
    assert_eq!(embase.parsed.records.len(), 10);
    assert_eq!(
        problems(&embase)[0],
        "line 1: 3 row(s) above the header row (line 5) were skipped"
    );
    let cases: [(&str, &str); 4] = [
        // Covidence
        (
            "Title,Authors,Abstract,Published Year,Journal,DOI\nGreen AI,\"Schwartz, R.; Dodge, J.\",Costs.,2020,CACM,10.1145/3381831\n",
            "Covidence",
        ),
        // ASReview LAB
        (
            "record_id,title,abstract,first_authors,year,included\n1,Green AI,Costs.,\"Schwartz, R.; Dodge, J.\",2020,1\n",
            "ASReview",
        ),
        // RefWorks
        (
            "\"Ref Type\",\"Authors, Primary\",\"Title Primary\",\"Periodical Full\",\"Pub Year\"\n\"Journal Article\",\"Schwartz, R.; Dodge, J.\",\"Green AI\",\"CACM\",\"2020\"\n",
            "RefWorks",
        ),
        // OpenAlex
        (
            "id,doi,title,display_name,publication_year,authorships.author.display_name,primary_location.source.display_name\nhttps://openalex.org/W3,https://doi.org/10.1145/3381831,Green AI,Green AI,2020,Roy Schwartz|Jesse Dodge,Communications of the ACM\n",
            "OpenAlex",
        ),
    ];
    for (text, tool) in cases {
        let read = read_bytes(text.as_bytes()).unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert_eq!(
            read.parsed.records.len(),
            1,
            "{tool}: {:?}",
            read.parsed.problems
        );
        let record = &read.parsed.records[0].record;
        assert_eq!(record.title, "Green AI", "{tool}");
        assert_eq!(record.authors.len(), 2, "{tool}: {:?}", record.authors);
        assert_eq!(record.authors[1].family, "Dodge", "{tool}");
        assert_eq!(record.year, Some(2020), "{tool}");
    }
}

#[test]
fn an_empty_field_is_no_value_not_a_rejection() {
    for name in ["empty_pages.bib", "pages_space.bib", "pg.nbib"] {
        let read = read(&reproducer(name));
        assert_eq!(
            read.parsed.records.len(),
            1,
            "{name}: {:?}",
            problems(&read)
        );
        assert_eq!(read.parsed.records[0].record.pages, None, "{name}");
        assert_eq!(read.parsed.rejected(), 0, "{name}");
    }
}

#[test]
fn latex_font_switches_do_not_leak_into_titles() {
    let text = r"@article{a, title = {The {\sc CONNIVER} Manual: Planning {\em with\/} {\rm GaN}, input\slash output, $\left(x\right)$ and \emph{}}}";
    let read = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(
        titles(&read),
        ["The CONNIVER Manual: Planning with GaN, input/output, (x) and"]
    );
}

#[test]
fn bibtex_without_keys_as_endnote_writes_it() {
    let read = read(&reproducer("endnote_keyless.bib"));
    assert_eq!(
        titles(&read),
        [
            "Paper number 1 on green AI",
            "Paper number 2 on green AI",
            "Paper number 3 on green AI"
        ],
        "{:?}",
        problems(&read)
    );
    assert!(read.parsed.records.iter().all(|r| r.original_key.is_none()));
    assert_eq!(read.parsed.records[2].line, 15);
    assert_eq!(read.parsed.records[2].record.authors[0].family, "Author3");
}

#[test]
fn classic_mac_line_ends_and_utf16_big_endian() {
    let read = read(&reproducer("two_cr.bib"));
    assert_eq!(titles(&read), ["First paper", "Second paper"]);
    assert_eq!(read.parsed.records[1].line, 7);
    let text = std::fs::read_to_string(reproducer("two_cr.bib")).unwrap();
    for bom in [true, false] {
        let mut bytes: Vec<u8> = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
        bytes.extend(
            text.replace('\r', "\n")
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        );
        let read = read_bytes(&bytes).unwrap_or_else(|e| panic!("BOM {bom}: {e}"));
        assert_eq!(titles(&read), ["First paper", "Second paper"], "BOM {bom}");
    }
}

#[test]
fn what_is_not_read_is_named_for_what_it_is() {
    // Ovid's export, XLSX, gzip and EndNote tagged were named wrongly here before ecolens
    // read them (formats.rs tests them now); what is still not read is named for what it is.
    let cases: [(&[u8], &str); 6] = [
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml xl/workbook.xml",
            "an Excel workbook that cannot be opened",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00notes.txt", "a ZIP archive"),
        (
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
            "gzip-compressed, but damaged",
        ),
        (b"%PDF-1.7\n", "a PDF; import it as a full text"),
        (
            b"<?xml version=\"1.0\"?><catalog><book/></catalog>",
            "XML, but not EndNote XML, PubMed XML or Zotero RDF",
        ),
        (b"just some prose\nwithout structure\n", "no RIS tags"),
    ];
    for (bytes, named) in cases {
        match read_bytes(bytes) {
            Ok(read) => panic!("{named}: read as {}", read.format),
            Err(message) => assert!(message.contains(named), "{named}: {message}"),
        }
    }
}

#[test]
fn the_first_structure_decides_the_format() {
    // BibTeX and CSV whose abstracts hold RIS-looking lines.
    for (name, format, count) in [
        ("min_bib_misdetected_as_ris.bib", Format::Bibtex, 2),
        (
            "roundtrip_bibtex_misdetected_as_ris_3to0.bib",
            Format::Bibtex,
            3,
        ),
        (
            "roundtrip_csv_misdetected_as_ris_3to0.csv",
            Format::Csv { delimiter: b',' },
            3,
        ),
    ] {
        let read = read(&reproducer(name));
        assert_eq!(
            (read.format, read.parsed.records.len()),
            (format, count),
            "{name}: {:?}",
            problems(&read)
        );
    }
}

#[test]
fn a_whole_file_failure_is_not_a_rejected_record() {
    let read = read_bytes(b"title,abstract\n").unwrap();
    assert!(read.parsed.records.is_empty());
    let header_only_rows = read_bytes(b"\"a\",\"b\"\n\"c\",\"d\"\n");
    assert!(header_only_rows.is_err());
    let json = read_bytes(b"[{\"type\": \"book\", \"title\": \"x\"}, {oops").unwrap();
    let severities: Vec<Severity> = json.parsed.problems.iter().map(|p| p.severity).collect();
    assert_eq!(
        severities,
        [Severity::FileNotRead],
        "{:?}",
        json.parsed.problems
    );
}

#[test]
fn ris_paragraphs_that_look_like_tags_stay_text() {
    // Files written by an earlier ecolens: paragraphs as continuation lines after blank lines.
    let cut = read(&reproducer("roundtrip_ris_3to3_abstracts_cut.ris"));
    assert_eq!(
        titles(&cut),
        [
            "Realistic multi-paragraph abstract",
            "Another",
            "Third normal"
        ]
    );
    assert_eq!(cut.parsed.problems, [], "{:?}", problems(&cut));
    assert_eq!(
        cut.parsed.records[0].record.abstract_text.as_deref(),
        Some(
            "Background: AI for grids.\nEU - wide deployment could cut emissions by 5%.\nUS - China comparisons follow.\nResults: savings."
        )
    );
    assert_eq!(
        cut.parsed.records[1].record.abstract_text.as_deref(),
        Some("Methods:\nTY - JOUR is how RIS starts a record.")
    );
    let ml = read(&reproducer("roundtrip_ris_ML_dash_lines_dropped.ris"));
    assert_eq!(
        ml.parsed.records[0].record.abstract_text.as_deref(),
        Some(
            "We study forecasting.\nML - based forecasting reduces curtailment.\nAI - driven control saves 10%.\nConclusion: promising."
        )
    );
    let injection = read(&reproducer("roundtrip_ris_record_injection.ris"));
    assert_eq!(
        titles(&injection),
        ["Abstract injection test", "Second"],
        "{:?}",
        problems(&injection)
    );
    let abstract_text = injection.parsed.records[0]
        .record
        .abstract_text
        .as_deref()
        .unwrap();
    assert!(
        abstract_text.contains("TI - INJECTED VIA ABSTRACT\nDO - 10.6666/evil"),
        "{abstract_text}"
    );
    assert_eq!(
        injection.parsed.records[0]
            .record
            .doi
            .as_ref()
            .map(ecolens_core::Doi::as_str),
        Some("10.5555/abs.1")
    );
    // A file whose records are written `TY - ` (one blank) is still read leniently.
    let lenient =
        read_bytes(b"TY - JOUR\nTI - One\nAU - Doe, J.\nER - \nTY - JOUR\nTI - Two\nER - \n")
            .unwrap();
    assert_eq!(titles(&lenient), ["One", "Two"]);
    assert_eq!(lenient.parsed.records[0].record.authors.len(), 1);
}

#[test]
fn minor_ris_and_bibtex_habits() {
    // A long title split over two TI lines is one title; DA wins over the deprecated Y1;
    // tabs where the blanks go are read.
    let ris = read_bytes(
        b"TY  - JOUR\nTI  - Energy use of large language models:\nTI  - a review\nY1  - 1999\nDA  - 2023/05/01\nAU\t- Doe, J.\nER  - \n",
    )
    .unwrap();
    let record = &ris.parsed.records[0].record;
    assert_eq!(
        record.title,
        "Energy use of large language models: a review"
    );
    assert_eq!(record.year, Some(2023));
    assert_eq!(record.authors.len(), 1);
    // `@Comment` free text is no rejection.
    let bib = read_bytes(b"@Comment This file was made by hand.\n@article{a, title = {One}}\n@comment{jabref-meta: databaseType:bibtex;}\n").unwrap();
    assert_eq!(titles(&bib), ["One"]);
    assert_eq!(bib.parsed.problems, []);
}

#[test]
fn deep_nesting_neither_overflows_the_stack_nor_loses_the_record() {
    // 50,000 nested formatting commands once overflowed the stack (an abort, not a panic);
    // 800,000 nested braces took 18 s. The text is kept without its markup.
    let depth = 50_000;
    let text = format!(
        "@article{{a, title = {{Green {}AI{}}}, note = {{{}deep{}}}}}\n@article{{b, title = {{Next}}}}\n",
        "\\emph{".repeat(depth),
        "}".repeat(depth),
        "{".repeat(depth * 4),
        "}".repeat(depth * 4)
    );
    let read = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(titles(&read), ["Green AI", "Next"], "{:?}", problems(&read));
    assert_eq!(read.parsed.records[0].record.notes.as_deref(), Some("deep"));
}

#[test]
fn editors_are_kept_from_every_format() {
    fn hilty(read: &FileRead) -> (usize, Vec<&str>) {
        let record = &read.parsed.records[0].record;
        let editors = record.editors.iter().map(|p| p.family.as_str()).collect();
        (record.authors.len(), editors)
    }
    let bib = read(&reproducer("editor.bib"));
    assert_eq!(hilty(&bib), (0, vec!["Hilty", "Aebischer"]));
    assert_eq!(
        bib.parsed.records[0].record.editors[0].given.as_deref(),
        Some("Lorenz M.")
    );
    let ris = read_bytes(
        b"TY  - CHAP\nTI  - Rebound effects of ICT\nAU  - Coroama, V.\nED  - Hilty, Lorenz M.\nA2  - Aebischer, Bernard\nA3  - Series, Ed\nER  - \n",
    )
    .unwrap();
    assert_eq!(hilty(&ris), (1, vec!["Hilty", "Aebischer", "Series"]));
    let xml = read_bytes(br#"<?xml version="1.0"?><xml><records><record><ref-type name="Book Section">5</ref-type><contributors><authors><author>Coroama, V.</author></authors><secondary-authors><author>Hilty, Lorenz M.</author><author>Aebischer, Bernard</author></secondary-authors></contributors><titles><title>Rebound effects of ICT</title></titles></record></records></xml>"#).unwrap();
    assert_eq!(hilty(&xml), (1, vec!["Hilty", "Aebischer"]));
    let csl = read_bytes(br#"[{"type": "book", "title": "ICT Innovations", "editor": [{"family": "Hilty", "given": "Lorenz M."}, {"family": "Aebischer", "given": "Bernard"}]}]"#).unwrap();
    assert_eq!(hilty(&csl), (0, vec!["Hilty", "Aebischer"]));
    let csv =
        read_bytes(b"Title,Authors,Editors\nICT Innovations,,\"Hilty, L. M.; Aebischer, B.\"\n")
            .unwrap();
    assert_eq!(hilty(&csv), (0, vec!["Hilty", "Aebischer"]));
}

/// Habits `JabRef`'s importer test files taught (`.ci/public-suites` runs them all).
#[test]
fn habits_from_jabrefs_test_files() {
    // `TY` lines one after another only change the type; a `PY` that holds no year gives way
    // to a later one (RisImporterTest1.ris).
    let ris = read_bytes(
        b"TY  - BOOK\nTY  - JOUR\nT1  - Editorial\nPY  - 99\nPY  - 2001/09/01/\nER  - \n",
    )
    .unwrap();
    assert_eq!(ris.parsed.records.len(), 1, "{:?}", problems(&ris));
    let record = &ris.parsed.records[0].record;
    assert_eq!(
        (record.kind, record.year),
        (ecolens_core::RecordKind::JournalArticle, Some(2001))
    );
    // MEDLINE: `AID - doi:…` and a title over several TI lines (MedlinePlainImporterTest*).
    let medline = read_bytes(
        b"PMID- 1\nTI  - this is a testtitle\nTI  - this title should be appended\nAID - doi:10.1016/j.cpr.2005.02.002\n",
    )
    .unwrap();
    let record = &medline.parsed.records[0].record;
    assert_eq!(
        record.title,
        "this is a testtitle this title should be appended"
    );
    assert_eq!(
        record.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1016/j.cpr.2005.02.002")
    );
    // BibLaTeX `@set` groups entries and is none itself (BibtexImporter.examples.bib).
    let bib = read_bytes(
        b"@set{s, entryset = {a,b}}\n@article{a, title = {One}}\n@article{b, title = {Two}}\n",
    )
    .unwrap();
    assert_eq!(titles(&bib), ["One", "Two"]);
    assert_eq!(bib.parsed.problems, []);
}

#[test]
fn short_and_squeezed_files_are_still_recognised() {
    // `PMID-22664238` without a blank (MedlinePlainImporterTestInproceeding.txt).
    let medline = read_bytes(b"PMID-22664238\nPT  - Editorial\nTI  - Inproceedings title\nJT  - Inproceedings book title\n").unwrap();
    assert_eq!(medline.format, Format::Medline);
    assert_eq!(
        medline.parsed.records[0].original_key.as_deref(),
        Some("22664238")
    );
    // A one-line EndNote tagged file (Endnote.pattern.A.enw): nothing else in it.
    let refer = read_bytes(b"%A testA\n").unwrap();
    assert_eq!(refer.format, Format::EndnoteTagged);
    assert_eq!(refer.parsed.records[0].record.authors[0].family, "testA");
}

/// Habits `ASReview`'s citation-file-formatting exports taught (`.ci/public-suites`).
#[test]
fn habits_from_asreviews_exports() {
    // EBSCO (CINAHL) RIS: the DOI in `L3`, the copyright notice as a second `AB`.
    let ebsco = read_bytes(b"TY  - JOUR\nT1  - Osteohistological insight\nAB  - Dinosauria debuted.\nAB  - Copyright of PLoS ONE.\nL3  - 10.1371/journal.pone.0298242\nUR  - https://search.ebscohost.com/login.aspx?AN=176404503\nER  - \n").unwrap();
    let record = &ebsco.parsed.records[0].record;
    assert_eq!(
        record.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1371/journal.pone.0298242")
    );
    assert_eq!(
        record.abstract_text.as_deref(),
        Some("Dinosauria debuted.\nCopyright of PLoS ONE.")
    );
    // abstrackr's last line is a note, not a rejected record.
    let abstrackr = read_bytes(b"(internal) id,title,authors\n1,A new dinosaur,\"Doe, J.\"\n\ncitations that are not yet labeled by anyone\n").unwrap();
    assert_eq!(abstrackr.parsed.records.len(), 1);
    assert_eq!(abstrackr.parsed.rejected(), 0);
    assert_eq!(
        problems(&abstrackr),
        [
            "line 4: a row with one cell and no title, not a record: \"citations that are not yet labeled by anyone\"; ignored"
        ]
    );
}

/// Habits Better BibTeX's import fixtures taught (`.ci/public-suites`).
#[test]
fn habits_from_better_bibtex_fixtures() {
    // A stray comma between fields ("Import from Clipboard stopped working #2377").
    let stray = read_bytes(b"@techreport{TBD,  title = {Report number 2PTE3},  , number = {2PTE3},  institution = {{Research Institute X}}}").unwrap();
    assert_eq!(
        titles(&stray),
        ["Report number 2PTE3"],
        "{:?}",
        problems(&stray)
    );
    // BibLaTeX's subtitle ("Better BibTeX.001").
    let subtitle = read_bytes(b"@Book{r, title = {Technisches Schreiben}, subtitle = {(nicht nur) f{\\\"u}r Informatiker}, year = {2006}}").unwrap();
    assert_eq!(
        titles(&subtitle),
        ["Technisches Schreiben: (nicht nur) für Informatiker"]
    );
}

/// What `ecolens fuzz` found.
#[test]
fn fuzz_findings() {
    // An XML declaration whose encoding is quoted by a character of several bytes once
    // panicked (a slice inside a character).
    let bytes = b"<?xml version=\"1.0\" encoding=\xC0\xAF\"UTF-8\"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>";
    let read = read_bytes(bytes).unwrap();
    assert_eq!(titles(&read), ["T"]);
    // Author lists with long runs of blanks were split in quadratic time (300 KB took 6 s);
    // the names still split at `and` whatever the blanks around it.
    let text = format!(
        "@article{{a, title = {{T}}, author = {{Doe, Jane{}and\t\n  Roe, Rich and {}}}}}",
        " ".repeat(200_000),
        " ".repeat(100_000)
    );
    let read = read_bytes(text.as_bytes()).unwrap();
    let names: Vec<String> = read.parsed.records[0]
        .record
        .authors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(names, ["Doe, Jane", "Roe, Rich"]);
}

/// A table of many short rows is read in batches of records (held whole, 10 MB of tiny rows
/// took 2 GB and 5 s), with the same records and lines as read at once.
#[test]
fn large_csv_files_are_handed_on_in_batches() {
    use std::fmt::Write as _;
    let mut text = String::from("\u{feff}title,abstract\n");
    for n in 0..40_000 {
        let _ = writeln!(text, "Paper {n},a");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.csv");
    std::fs::write(&path, &text).unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut batches = 0;
    let mut lines = Vec::new();
    let outcome = ecolens_corpus::stream::read_file_blocks(&path, 2, &cancel, |format, parsed| {
        assert_eq!(format, Format::Csv { delimiter: b',' });
        batches += 1;
        lines.extend(
            parsed
                .records
                .iter()
                .map(|r| (r.line, r.record.title.clone())),
        );
        Ok(())
    })
    .unwrap();
    assert_eq!(outcome.encoding, "UTF-8 (BOM)");
    assert_eq!(
        batches,
        3,
        "40,000 records in batches of {}",
        ecolens_corpus::read::CSV_BATCH
    );
    assert_eq!(lines.len(), 40_000);
    assert_eq!(lines[39_999], (40_001, "Paper 39999".to_owned()));
    let whole = read_bytes(text.as_bytes()).unwrap();
    let whole: Vec<(usize, String)> = whole
        .parsed
        .records
        .iter()
        .map(|r| (r.line, r.record.title.clone()))
        .collect();
    assert_eq!(lines, whole);
}
