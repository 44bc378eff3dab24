//! The formats read since issue 16, each on its real sample in
//! ../shared/fixtures/bibliographies/formats (`SOURCES.md` there: `JabRef`'s and `ASReview`'s test
//! files) with records, fields and located problems asserted, and on small files written for
//! the traps each format has.

// A panic is the failure report of a test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use ecolens_core::RecordKind;
use ecolens_corpus::detect::Format;
use ecolens_corpus::read::{FileRead, read_bytes, read_file};

fn sample(name: &str) -> PathBuf {
    common::fixture(&format!("formats/{name}"))
}

use common::{own, problems};

fn read(name: &str) -> FileRead {
    common::read(&sample(name))
}

fn names(people: &[ecolens_core::Person]) -> Vec<String> {
    people.iter().map(ToString::to_string).collect()
}

#[test]
fn web_of_science_plain_text() {
    let wos = read("IsiImporterTestWOS.isi");
    assert_eq!(wos.format, Format::Wos);
    assert_eq!(wos.parsed.problems, [], "{:?}", problems(&wos));
    assert_eq!(wos.parsed.records.len(), 2);
    let first = &wos.parsed.records[0];
    assert_eq!(first.line, 3);
    assert_eq!(first.original_key.as_deref(), Some("ISI:000238592600006"));
    let record = &first.record;
    assert_eq!(record.kind, RecordKind::JournalArticle);
    // The title wraps over two lines in the file.
    assert_eq!(
        record.title,
        "Optical and photoelectric spectroscopy of photorefractive Sn2P2S6 crystals"
    );
    let families: Vec<&str> = record.authors.iter().map(|p| p.family.as_str()).collect();
    assert_eq!(
        families,
        ["Gamernyk", "Gnatenko", "Bukivskij", "Skubenko", "Slivka"]
    );
    assert_eq!(record.year, Some(2006));
    assert_eq!(
        record.venue.as_deref(),
        Some("JOURNAL OF PHYSICS-CONDENSED MATTER")
    );
    assert_eq!(
        (
            record.volume.as_deref(),
            record.issue.as_deref(),
            record.pages.as_deref()
        ),
        (Some("18"), Some("23"), Some("5323-5331"))
    );
    assert_eq!(record.publisher.as_deref(), Some("IOP PUBLISHING LTD"));
    assert_eq!(record.keywords, ["ELECTRIC-FIELD"]);
    let second = &wos.parsed.records[1].record;
    assert_eq!(second.authors.len(), 6);
    assert_eq!(
        second.keywords.len(),
        5,
        "ID keywords wrapped over lines: {:?}",
        second.keywords
    );
    assert!(
        second
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("Planar waveguides in nonlinear")
    );
    // Full names (AF), editors (BE), the DOI, and a record without ER at the end of the file.
    let text = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT B\nAU Coroama, V\nAF Coroama, Vlad C.\nBE Hilty, LM\n   Aebischer, B\nTI Assessing Internet energy intensity\nSO ICT INNOVATIONS FOR SUSTAINABILITY\nPY 2015\nDI 10.1007/978-3-319-09228-7_21\nUT WOS:000380512300021\n";
    let read = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(read.format, Format::Wos);
    let record = &read.parsed.records[0].record;
    assert_eq!(names(&record.authors), ["Coroama, Vlad C."]);
    assert_eq!(record.editors.len(), 2);
    assert_eq!(record.kind, RecordKind::Book);
    assert_eq!(
        record.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1007/978-3-319-09228-7_21")
    );
    assert_eq!(
        problems(&read),
        ["line 3 ER: no ER line at the end of the file"]
    );
}

#[test]
fn endnote_tagged() {
    let enw = read("Endnote.entries.enw");
    assert_eq!(enw.format, Format::EndnoteTagged);
    // JabRef reads five entries from this file, and so does ecolens: consecutive %0 lines
    // only change the type.
    assert_eq!(enw.parsed.records.len(), 5);
    let first = &enw.parsed.records[0].record;
    assert_eq!(first.title, "testT");
    assert_eq!(names(&first.authors), ["testA0", "testA1"]);
    assert_eq!(names(&first.editors), ["testE0", "testE1"]);
    let kinds: Vec<RecordKind> = enw.parsed.records.iter().map(|r| r.record.kind).collect();
    assert_eq!(
        kinds,
        [
            RecordKind::Other,
            RecordKind::Other,
            RecordKind::JournalArticle,
            RecordKind::Book,
            RecordKind::Thesis
        ]
    );
    assert_eq!(
        enw.parsed.records[2].record.venue.as_deref(),
        Some("testB0")
    );
    let fifth = &enw.parsed.records[4];
    assert_eq!(fifth.original_key.as_deref(), Some("testF"));
    assert_eq!(fifth.record.abstract_text.as_deref(), Some("testX"));
    assert_eq!(fifth.record.keywords, ["testK"]);
    assert_eq!(fifth.record.pages.as_deref(), Some("testP"));
    // The file's made-up values are named where they cannot be used.
    let said = problems(&enw);
    assert!(
        said.contains(&"line 18 %D: \"testD\" holds no year; left out".to_owned()),
        "{said:#?}"
    );
    assert!(
        said.iter()
            .any(|p| p.starts_with("line 35 (testF) %R: \"testR\" is not valid")),
        "{said:#?}"
    );
    // A Google Scholar style record.
    let text = "%0 Journal Article\n%T Green AI\n%A Schwartz, Roy\n%A Dodge, Jesse\n%J Communications of the ACM\n%V 63\n%N 12\n%P 54-63\n%@ 0001-0782\n%D 2020\n%R 10.1145/3381831\n%I ACM New York, NY, USA\n%X The computations required for deep learning research\nhave been doubling every few months.\n\n%0 Book\n%T ICT Innovations for Sustainability\n%E Hilty, Lorenz M.\n%D 2015\n";
    let read = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(read.parsed.records.len(), 2, "{:?}", problems(&read));
    let green = &read.parsed.records[0].record;
    assert_eq!(
        (green.year, green.venue.as_deref()),
        (Some(2020), Some("Communications of the ACM"))
    );
    assert_eq!(
        green.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1145/3381831")
    );
    assert_eq!(
        green.abstract_text.as_deref(),
        Some(
            "The computations required for deep learning research\nhave been doubling every few months."
        )
    );
    assert_eq!(
        names(&read.parsed.records[1].record.editors),
        ["Hilty, Lorenz M."]
    );
}

#[test]
fn pubmed_xml_against_jabrefs_expected_entries() {
    // JabRef's expected .bib files beside the samples give these values.
    let article = read("MedlineImporterTestArticleID.xml");
    assert_eq!(article.format, Format::PubmedXml);
    assert_eq!(article.parsed.problems, []);
    let record = &article.parsed.records[0];
    assert_eq!(record.original_key.as_deref(), Some("26711635"));
    let r = &record.record;
    assert_eq!(
        r.title,
        "Diagnostic performance of a multiplex PCR assay for meningitis in an HIV-infected population in Uganda."
    );
    assert_eq!(r.authors.len(), 15);
    assert_eq!(r.authors[0].to_string(), "Rhein, Joshua");
    assert_eq!(
        r.authors[14],
        ecolens_core::Person::organisation("ASTRO-CM Team")
    );
    assert_eq!(
        r.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1016/j.diagmicrobio.2015.11.017")
    );
    assert_eq!(
        r.pmid.as_ref().map(ecolens_core::Pmid::as_str),
        Some("26711635")
    );
    assert_eq!((r.year, r.pages.as_deref()), (Some(2015), Some("1234")));
    assert_eq!(
        r.venue.as_deref(),
        Some("Diagnostic microbiology and infectious disease")
    );
    assert_eq!(
        r.abstract_text.as_deref(),
        Some("This abstract is a dummy.")
    );
    assert_eq!(
        r.keywords,
        [
            "Cryptococcal meningitis",
            "Diagnostics",
            "HIV",
            "Immunocompromised",
            "Meningitis",
            "PCR"
        ]
    );
    let mesh = read("MedlineImporterTestMeshHeadingList.xml");
    let r = &mesh.parsed.records[0].record;
    assert_eq!(
        (r.title.as_str(), r.year, r.volume.as_deref()),
        (
            "Test article for MeSH heading parsing.",
            Some(2024),
            Some("1")
        )
    );
    // MeSH headings without their qualifiers, as the MEDLINE reader keeps them.
    assert_eq!(
        r.keywords,
        [
            "Humans",
            "Software",
            "Kidney Diseases",
            "Models, Theoretical",
            "Sample Heading"
        ]
    );
    // Structured abstracts keep their labels; inline markup stays text; a record with no
    // ELocationID takes the DOI of its ArticleIdList, not of a cited reference.
    let text = r#"<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">111</PMID><Article><Journal><JournalIssue><Volume>5</Volume><Issue>2</Issue><PubDate><MedlineDate>2019 Nov-Dec</MedlineDate></PubDate></JournalIssue><Title>Energy</Title></Journal><ArticleTitle>CO<sub>2</sub> of <i>training</i></ArticleTitle><Abstract><AbstractText Label="BACKGROUND">Why.</AbstractText><AbstractText Label="RESULTS">What &amp; how.</AbstractText></Abstract><AuthorList><Author><LastName>Doe</LastName><Initials>J</Initials></Author></AuthorList></Article></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">111</ArticleId><ArticleId IdType="doi">10.5555/own.1</ArticleId></ArticleIdList><ReferenceList><Reference><ArticleIdList><ArticleId IdType="doi">10.5555/cited</ArticleId></ArticleIdList></Reference></ReferenceList></PubmedData></PubmedArticle></PubmedArticleSet>"#;
    let read = read_bytes(text.as_bytes()).unwrap();
    let r = &read.parsed.records[0].record;
    assert_eq!(r.title, "CO2 of training");
    assert_eq!(
        r.abstract_text.as_deref(),
        Some("BACKGROUND: Why.\nRESULTS: What & how.")
    );
    assert_eq!(
        (r.year, r.volume.as_deref(), r.issue.as_deref()),
        (Some(2019), Some("5"), Some("2"))
    );
    assert_eq!(
        r.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.5555/own.1")
    );
    assert_eq!(r.authors[0].to_string(), "Doe, J");
}

#[test]
fn xlsx_spreadsheets_read_as_tables() {
    let xlsx = read("_baseline.xlsx");
    assert_eq!(
        (xlsx.format, xlsx.encoding.as_str()),
        (Format::Xlsx, "XLSX")
    );
    assert_eq!(xlsx.parsed.records.len(), 100);
    // The sheet's title row above the header is named.
    assert_eq!(
        problems(&xlsx),
        ["line 1: 1 row(s) above the header row (line 2) were skipped"]
    );
    let first = &xlsx.parsed.records[0];
    assert_eq!(first.line, 3, "spreadsheet rows stand for lines");
    let r = &first.record;
    assert!(
        r.title
            .starts_with("The Value of Radiologic Interventions and 18 F-DOPA PET")
    );
    assert_eq!(r.authors.len(), 5);
    assert_eq!(r.year, Some(2012), "a number cell, not 2012.0");
    assert_eq!(
        r.pmid.as_ref().map(ecolens_core::Pmid::as_str),
        Some("22752652")
    );
    assert_eq!(
        r.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1007/s11307-012-0572-0")
    );
    assert_eq!(r.pages.as_deref(), Some("97-105"));
    let with_abstract = xlsx
        .parsed
        .records
        .iter()
        .filter(|r| r.record.abstract_text.is_some())
        .count();
    assert!(with_abstract > 80, "{with_abstract}");
    // A damaged workbook is a file not read, with the reason.
    let mut damaged = std::fs::read(sample("_baseline.xlsx")).unwrap();
    damaged.truncate(damaged.len() / 2);
    let message = read_bytes(&damaged).unwrap_err();
    assert!(
        message.starts_with("an Excel workbook that cannot be opened"),
        "{message}"
    );
}

#[test]
fn ovid_with_full_and_abbreviated_labels() {
    // Full labels, as Ovid writes by default (after JabRef's OvidImporterTest4).
    let text = "<4>\nAccession Number\n  01445406-201509000-00006.\nAuthor\n  Kohler, Lars 1;  Leuschner, Christoph 1;  Hauck, Markus 1\nInstitution\n  (1) Plant Ecology, University of Gottingen\nTitle\n  Cloud water interception differs between Norway spruce stands.[Article]\nSource\n  Ecohydrology.   8(6):1048-1064, September 2015.\nAbstract\n  First line of the abstract\n  and its second.\nAuthor Keywords\n  alpine treeline;  canopy cover;  throughfall.\nDOI Number\n  10.1002/eco.1563\n\n<5>\nAuthor\n  Bunkers, Sandra Schmidt RN; PhD; FAAN 1\nTitle\n  Listening: Important to the Stuff of a Life.[Miscellaneous]\nSource\n  Nursing Science Quarterly.   28(2):103-106, April 2015.\n";
    let read = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(read.format, Format::Ovid);
    assert_eq!(read.parsed.problems, [], "{:?}", problems(&read));
    let first = &read.parsed.records[0];
    assert_eq!(
        first.original_key.as_deref(),
        Some("01445406-201509000-00006")
    );
    let r = &first.record;
    assert_eq!(
        r.title,
        "Cloud water interception differs between Norway spruce stands."
    );
    assert_eq!(
        names(&r.authors),
        ["Kohler, Lars", "Leuschner, Christoph", "Hauck, Markus"]
    );
    assert_eq!(r.venue.as_deref(), Some("Ecohydrology"));
    assert_eq!(
        (
            r.volume.as_deref(),
            r.issue.as_deref(),
            r.pages.as_deref(),
            r.year
        ),
        (Some("8"), Some("6"), Some("1048-1064"), Some(2015)),
        "four-digit pages are no year"
    );
    assert_eq!(
        r.abstract_text.as_deref(),
        Some("First line of the abstract and its second.")
    );
    assert_eq!(
        r.keywords,
        ["alpine treeline", "canopy cover", "throughfall"]
    );
    assert_eq!(
        r.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1002/eco.1563")
    );
    // Degrees between authors are no authors.
    assert_eq!(
        names(&read.parsed.records[1].record.authors),
        ["Bunkers, Sandra Schmidt"]
    );
    // Abbreviated labels.
    let text = "<1>\nVN  - Ovid Technologies\nDB  - Embase\nAN  - 2012345678\nTI  - Energy use of data centres:\n      a review\nAU  - Smith J.M.\nAU  - Doe A.\nSO  - Energy Policy. 150 (no pagination), 2021. Article Number: 112121.\nYR  - 2021\nDO  - https://dx.doi.org/10.1016/j.enpol.2021.112121\nKW  - data centre\nKW  - energy\n\n<2>\nTI  - Second\nAU  - Roe R.\nYR  - 2020\n";
    let read = read_bytes(text.as_bytes()).unwrap();
    assert_eq!(read.format, Format::Ovid);
    assert_eq!(read.parsed.records.len(), 2, "{:?}", problems(&read));
    let r = &read.parsed.records[0].record;
    assert_eq!(r.title, "Energy use of data centres: a review");
    assert_eq!(r.authors.len(), 2);
    assert_eq!(r.year, Some(2021));
    assert_eq!(r.venue.as_deref(), Some("Energy Policy"));
    assert_eq!(r.keywords, ["data centre", "energy"]);
}

#[test]
fn zotero_rdf_with_containers_and_editors() {
    let path = own("zotero_two_items.rdf");
    let rdf = read_file(&path).unwrap();
    assert_eq!(rdf.format, Format::ZoteroRdf);
    assert_eq!(rdf.parsed.problems, [], "{:?}", problems(&rdf));
    // The attachment and the note are no records.
    assert_eq!(rdf.parsed.records.len(), 2);
    let green = &rdf.parsed.records[0].record;
    assert_eq!(green.title, "Green AI");
    assert_eq!(names(&green.authors), ["Schwartz, Roy", "Dodge, Jesse"]);
    assert_eq!(
        green.venue.as_deref(),
        Some("Communications of the ACM"),
        "the journal referenced by rdf:resource"
    );
    assert_eq!(
        (
            green.volume.as_deref(),
            green.issue.as_deref(),
            green.pages.as_deref()
        ),
        (Some("63"), Some("12"), Some("54-63"))
    );
    assert_eq!(green.year, Some(2020));
    assert_eq!(
        green.doi.as_ref().map(ecolens_core::Doi::as_str),
        Some("10.1145/3381831")
    );
    assert_eq!(green.keywords, ["energy efficiency", "green AI"]);
    assert_eq!(
        green.abstract_text.as_deref().map(|a| a.lines().count()),
        Some(2)
    );
    let chapter = &rdf.parsed.records[1];
    assert_eq!(chapter.line, 53);
    let r = &chapter.record;
    assert_eq!(r.kind, RecordKind::BookChapter);
    assert_eq!(r.title, "Assessing Internet energy intensity & its rebound");
    assert_eq!(
        r.venue.as_deref(),
        Some("ICT Innovations for Sustainability")
    );
    assert_eq!(
        names(&r.editors),
        ["Hilty, Lorenz M.", "Aebischer, Bernard"]
    );
    assert_eq!(r.publisher.as_deref(), Some("Springer"));
}

#[test]
fn gzip_compressed_files_of_any_format() {
    use std::io::Write as _;
    for name in [
        "IsiImporterTestWOS.isi",
        "Endnote.entries.enw",
        "MedlineImporterTestArticleID.xml",
    ] {
        let plain = read(name);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all(&std::fs::read(sample(name)).unwrap())
            .unwrap();
        let packed = read_bytes(&encoder.finish().unwrap()).unwrap();
        assert_eq!(packed.format, plain.format, "{name}");
        assert_eq!(packed.encoding, format!("gzip, {}", plain.encoding));
        assert_eq!(packed.parsed, plain.parsed, "{name}");
    }
    let message = read_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage").unwrap_err();
    assert!(
        message.starts_with("gzip-compressed, but damaged"),
        "{message}"
    );
}
