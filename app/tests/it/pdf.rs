//! PDFs: text extracted in a child process and attached to the right record (by the DOI on
//! the first page, by the title, or as a new record); damaged, truncated, hostile and hanging
//! files cost one error line each and the import goes on. The PDFs are built here with lopdf.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use ecolens_core::Project;
use ecolens_corpus::pdf::{ExtractorCommand, PdfLimits, extract_here, extract_in_child};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A PDF with one page per entry of `pages`, each a list of lines in Helvetica, and an
/// optional metadata title.
pub(crate) fn pdf(pages: &[&[&str]], title: Option<&str>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font },
    });
    let mut kids = Vec::new();
    for lines in pages {
        let mut operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 11.into()]),
            Operation::new("Td", vec![50.into(), 790.into()]),
        ];
        for line in *lines {
            operations.push(Operation::new("Td", vec![0.into(), (-14).into()]));
            operations.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        }
        operations.push(Operation::new("ET", vec![]));
        let content = Content { operations };
        let content = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content,
        });
        kids.push(page.into());
    }
    let count = i64::try_from(kids.len()).unwrap();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    if let Some(title) = title {
        let info = doc.add_object(dictionary! { "Title" => Object::string_literal(title) });
        doc.trailer.set("Info", info);
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A PDF whose page draws a form that draws itself: readers that follow it recurse until the
/// stack overflows.
fn self_drawing_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let form_id = doc.new_object_id();
    let form_content = Content {
        operations: vec![Operation::new("Do", vec!["X1".into()])],
    };
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "X1" => form_id } },
        },
        form_content.encode().unwrap(),
    );
    doc.objects.insert(form_id, Object::Stream(form));
    let content = Content {
        operations: vec![Operation::new("Do", vec!["X1".into()])],
    };
    let content = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content,
        "Resources" => dictionary! { "XObject" => dictionary! { "X1" => form_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page.into()],
            "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// Body text long enough not to look like a failed extraction.
const BODY: &[&str] = &[
    "We estimate the energy consumed to train common natural language processing models,",
    "and the carbon dioxide emitted by that energy, for several hardware configurations.",
    "Training a single large transformer with neural architecture search can emit as much",
    "carbon as five cars over their lifetimes, including the fuel they burn on the road.",
    "We recommend that authors report training time and sensitivity to hyperparameters,",
    "that academic researchers get equitable access to computation resources, and that",
    "researchers prioritise computationally efficient hardware and algorithms in their work.",
];

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn ecolens(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecolens"))
        .args(args)
        .env("ECOLENS_DATA_DIR", data_dir)
        .output()
        .unwrap()
}

fn child() -> ExtractorCommand {
    ExtractorCommand {
        program: PathBuf::from(env!("CARGO_BIN_EXE_ecolens")),
        args: vec!["extract-pdf".into()],
    }
}

#[test]
fn text_comes_out_with_pages_and_the_metadata_title() {
    let dir = tempfile::tempdir().unwrap();
    let mut first: Vec<&str> = vec!["A study of hardware efficiency"];
    first.extend(BODY);
    let path = write(
        dir.path(),
        "two-pages.pdf",
        &pdf(&[&first, BODY], Some("A study of hardware efficiency")),
    );
    let extracted = extract_here(&path).unwrap();
    assert_eq!(extracted.pages, 2);
    assert_eq!(extracted.extractor, "pdf-extract 0.12");
    assert_eq!(
        extracted.title.as_deref(),
        Some("A study of hardware efficiency")
    );
    assert!(
        extracted.text.contains("carbon as five cars"),
        "{}",
        extracted.text
    );
    assert_eq!(extracted.text.matches('\u{c}').count(), 1, "pages apart");
    // The same through the child process.
    let cancel = AtomicBool::new(false);
    let through_child = extract_in_child(&child(), &path, PdfLimits::default(), &cancel).unwrap();
    assert_eq!(through_child, extracted);
}

#[test]
fn broken_files_give_one_message_each() {
    let dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let good = pdf(&[BODY], None);
    let cases = [
        (
            "random.pdf",
            b"%PDF-1.4\n\x00\x01garbage that is no PDF at all".to_vec(),
            "failed",
        ),
        ("text.pdf", b"just some text\n".to_vec(), "not a PDF"),
        ("truncated.pdf", good[..good.len() / 2].to_vec(), "failed"),
        ("empty-page.pdf", pdf(&[&[]], None), "no text in the PDF"),
        ("self-drawing.pdf", self_drawing_pdf(), ""),
    ];
    for (name, bytes, expected) in cases {
        let path = write(dir.path(), name, &bytes);
        let started = Instant::now();
        let result = extract_in_child(&child(), &path, PdfLimits::default(), &cancel);
        let error = result.expect_err(name);
        assert!(error.contains(expected), "{name}: {error}");
        assert!(!error.contains('\n'), "{name}: one line: {error}");
        assert!(started.elapsed() < Duration::from_secs(30), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn a_reader_that_hangs_is_killed_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "any.pdf", &pdf(&[BODY], None));
    // A stand-in reader that never finishes.
    let hanging = ExtractorCommand {
        program: PathBuf::from("sh"),
        args: vec!["-c".into(), "sleep 60".into(), "sh".into()],
    };
    let limits = PdfLimits {
        timeout: Duration::from_secs(1),
        ..PdfLimits::default()
    };
    let started = Instant::now();
    let cancel = AtomicBool::new(false);
    let error = extract_in_child(&hanging, &path, limits, &cancel).unwrap_err();
    assert_eq!(error, "gave up after 1 s (the time limit per PDF)");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_import_attaches_texts_to_their_records_and_goes_on_past_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review.ecolens");
    let project_arg = project.to_str().unwrap();
    let pdfs = dir.path().join("pdfs");
    std::fs::create_dir_all(pdfs.join("more")).unwrap();
    // The PDFs belong to records of the demo corpus.
    assert!(
        ecolens(dir.path(), &["demo", "--project", project_arg])
            .status
            .success()
    );

    // Strubell et al.: its DOI and title on the first page.
    let mut strubell: Vec<&str> = vec![
        "Energy and Policy Considerations for Deep Learning in NLP",
        "Emma Strubell, Ananya Ganesh, Andrew McCallum",
        "https://doi.org/10.18653/v1/P19-1355",
    ];
    strubell.extend(BODY);
    write(&pdfs, "strubell.pdf", &pdf(&[&strubell, BODY], None));
    // Rolnick et al.: no DOI, the title wrapped over two lines.
    let mut rolnick: Vec<&str> = vec![
        "Tackling Climate Change",
        "with Machine Learning",
        "David Rolnick et al.",
    ];
    rolnick.extend(BODY);
    write(&pdfs.join("more"), "rolnick.pdf", &pdf(&[&rolnick], None));
    // A paper that is in no list, citing Green AI's DOI on its first page.
    let mut unknown: Vec<&str> = vec![
        "Counting the joules of federated learning on phones",
        "As Schwartz et al. argue (doi:10.1145/3381831), efficiency should be reported.",
    ];
    unknown.extend(BODY);
    write(
        &pdfs,
        "unknown.pdf",
        &pdf(
            &[&unknown],
            Some("Counting the joules of federated learning on phones"),
        ),
    );
    // Broken ones.
    let good = pdf(&[BODY], None);
    write(&pdfs, "truncated.pdf", &good[..good.len() / 3]);
    write(&pdfs, "self-drawing.pdf", &self_drawing_pdf());

    let started = Instant::now();
    let output = ecolens(
        dir.path(),
        &[
            "import",
            pdfs.to_str().unwrap(),
            "--project",
            project_arg,
            "--json",
        ],
    );
    let elapsed = started.elapsed();
    // The good PDFs are attached; the two broken ones are files not read: exit code 1.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let import = &report["import"];
    assert_eq!(import["files"].as_array().unwrap().len(), 5);
    assert_eq!(import["full_texts_attached"], 3);
    assert_eq!(
        import["records_imported"], 1,
        "only the unknown paper is new: {:#}",
        import["files"]
    );
    assert!(import["rejected"].as_array().unwrap().is_empty());
    let rejected = import["failed"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{rejected:#?}");
    let broken: Vec<&str> = rejected
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert!(
        broken[0].ends_with("self-drawing.pdf") && broken[1].ends_with("truncated.pdf"),
        "{broken:?}"
    );
    assert!(
        rejected[0]["message"].as_str().unwrap().contains("crashed"),
        "{rejected:#?}"
    );
    assert!(elapsed < Duration::from_mins(1), "{elapsed:?}");

    let by_name = |name: &str| {
        import["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("strubell.pdf")["full_text"]["matched_by"], "doi");
    assert_eq!(by_name("strubell.pdf")["full_text"]["pages"], 2);
    assert_eq!(by_name("rolnick.pdf")["full_text"]["matched_by"], "title");
    assert_eq!(by_name("unknown.pdf")["full_text"]["matched_by"], "new");

    // The texts are in the project and searchable; the new record is titled from the PDF.
    let opened = Project::open(&project).unwrap();
    let strubell_id = opened.resolve_record("10.18653/v1/P19-1355").unwrap();
    let text = opened.full_text(strubell_id).unwrap().unwrap();
    assert!(text.text.contains("carbon as five cars"));
    assert_eq!(text.pages, Some(2));
    let green = opened.resolve_record("10.1145/3381831").unwrap();
    assert!(
        opened.full_text(green).unwrap().is_none(),
        "a citation is not a match"
    );
    drop(opened);
    let results = ecolens(
        dir.path(),
        &[
            "search",
            "ft:\"five cars\"",
            "--project",
            project_arg,
            "--json",
        ],
    );
    let results: serde_json::Value = serde_json::from_slice(&results.stdout).unwrap();
    let titles: Vec<&str> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles.contains(&"Counting the joules of federated learning on phones"));
    assert!(titles.contains(&"Tackling Climate Change with Machine Learning"));
}

#[test]
fn a_folder_of_pdfs_dropped_on_the_window_attaches_texts_and_reports_the_broken_one() {
    use crate::window::{Dropped, harness, search, settle};
    use egui_kittest::kittest::Queryable;

    let dir = tempfile::tempdir().unwrap();
    let pdfs = dir.path().join("pdfs");
    std::fs::create_dir_all(&pdfs).unwrap();
    let mut strubell: Vec<&str> = vec![
        "Energy and Policy Considerations for Deep Learning in NLP",
        "Emma Strubell, Ananya Ganesh, Andrew McCallum",
        "https://doi.org/10.18653/v1/P19-1355",
    ];
    strubell.extend(BODY);
    write(&pdfs, "strubell.pdf", &pdf(&[&strubell, BODY], None));
    let good = pdf(&[BODY], None);
    write(&pdfs, "truncated.pdf", &good[..good.len() / 3]);

    let mut harness = harness(&dir.path().join("review.ecolens"), true);
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(pdfs.clone())));
    settle(&mut harness);
    let report = harness
        .state()
        .last_import()
        .expect("the drop imported")
        .clone();
    assert_eq!(report.full_texts_attached, 1);
    assert_eq!(report.records_imported, 0);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert!(report.failed[0].file.ends_with("truncated.pdf"));
    harness.get_by_label("Import finished; 1 file(s) could not be read");
    harness.get_by_label(&report.failed[0].to_string());
    harness.get_by_label("Done").click();
    settle(&mut harness);

    // The full text is searchable and shown, highlighted, in the record view.
    search(&mut harness, "ft:hyperparameters");
    let ids = harness.state().library.ids().to_vec();
    assert_eq!(ids.len(), 1);
    harness
        .state_mut()
        .apply(ecolens_app::window::Action::OpenRecord(ids[0]));
    settle(&mut harness);
    let detail = harness
        .state()
        .record
        .as_ref()
        .and_then(|r| r.detail.as_ref())
        .expect("the record is open");
    let full = detail.full_text.as_ref().expect("a full text");
    assert!(full.text.contains("hyperparameters"));
    assert_eq!(detail.full_text_highlights.len(), 2, "once per page");
    harness.get_by_label("Open PDF");
    harness.get_by_label("2 matches of the search");
}
