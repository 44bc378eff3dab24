//! Full texts from PDFs, extracted in a child process so that a damaged file costs one error
//! line and a bounded time, never the import or the app.
//!
//! pdf-extract panics on about one damaged file in ten, can overflow its stack (an abort no
//! `catch_unwind` stops) and can inflate a small file into gigabytes. So the parent
//! ([`extract_in_child`]) re-runs the ecolens binary with a hidden subcommand, which calls
//! [`child_main`]: it caps its own address space, extracts with pdf-extract (panics caught),
//! falls back to lopdf when pdf-extract fails or finds suspiciously few words (Ghostscript
//! output loses text in pdf-extract), and writes JSON to a file the parent reads. The parent
//! kills the child at the time limit; a crash, a kill or an error is one message for the file.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Text extracted from a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    /// The text, pages separated by form feeds.
    pub text: String,
    /// Pages in the document.
    pub pages: u32,
    /// Which extractor produced the text (`pdf-extract 0.12` or `lopdf 0.47`).
    pub extractor: String,
    /// The title in the document's metadata, if any.
    pub title: Option<String>,
    /// What happened on the way (a fallback and why).
    pub notes: Vec<String>,
}

impl Extracted {
    /// Words in the text.
    pub fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// What the child writes: the text or why there is none.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum ChildReport {
    Extracted(Extracted),
    Failed { message: String },
}

/// Files larger than this are not opened (no paper is this large; a scanned book is).
pub const MAX_PDF_BYTES: u64 = 512 << 20;

/// At most this much decompressed content per page for the lopdf fallback.
const MAX_PAGE_CONTENT_BYTES: usize = 64 << 20;

/// Fewer words per page than this from pdf-extract and the lopdf text is tried as well.
const FEW_WORDS_PER_PAGE: usize = 40;

/// Extracts the text of a PDF in this process. Call it only in a child process (see the
/// module documentation): the underlying reader may abort the process.
pub fn extract_here(path: &Path) -> Result<Extracted, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the file: {e}"))?
        .len();
    if size > MAX_PDF_BYTES {
        return Err(format!(
            "{} MB is larger than the {} MB a PDF may have here",
            size >> 20,
            MAX_PDF_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_none() {
        return Err("not a PDF: no %PDF- header in the first 1024 bytes".into());
    }
    let mut notes = Vec::new();
    // pdf-extract first: it keeps line breaks and reading order best.
    let primary =
        match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(&bytes)) {
            Ok(Ok(pages)) => Some(pages),
            Ok(Err(error)) => {
                notes.push(format!("pdf-extract failed: {error}"));
                None
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                notes.push(format!("pdf-extract panicked: {message}"));
                None
            }
        };
    let document = lopdf::Document::load_mem(&bytes);
    let title = document.as_ref().ok().and_then(metadata_title);
    let primary_words = primary.as_ref().map_or(0, |pages| {
        pages.iter().map(|p| p.split_whitespace().count()).sum()
    });
    let page_count = primary.as_ref().map_or(0, Vec::len);
    let suspicious = primary.is_none() || primary_words < FEW_WORDS_PER_PAGE * page_count.max(1);
    if let Some(pages) = &primary
        && !suspicious
    {
        return Ok(Extracted {
            text: pages.join("\u{c}"),
            pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
            extractor: "pdf-extract 0.12".into(),
            title,
            notes,
        });
    }
    // lopdf: slower to lose words on Ghostscript output, bounded on decompression bombs.
    let fallback = match &document {
        Ok(document) => {
            let numbers: Vec<u32> = document.get_pages().keys().copied().collect();
            let pages: Vec<String> = numbers
                .iter()
                .map(|number| {
                    document
                        .extract_text_with_limit(&[*number], MAX_PAGE_CONTENT_BYTES)
                        .unwrap_or_default()
                })
                .collect();
            Ok(pages)
        }
        Err(error) => Err(format!("lopdf cannot read it: {error}")),
    };
    match (primary, fallback) {
        (primary, Ok(pages)) => {
            let words: usize = pages.iter().map(|p| p.split_whitespace().count()).sum();
            if words > primary_words {
                if primary_words > 0 {
                    notes.push(format!(
                        "pdf-extract found {primary_words} words, lopdf {words}; lopdf's text kept"
                    ));
                }
                Ok(Extracted {
                    text: pages.join("\u{c}"),
                    pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
                    extractor: "lopdf 0.47".into(),
                    title,
                    notes,
                })
            } else if let Some(pages) = primary.filter(|_| primary_words > 0) {
                Ok(Extracted {
                    text: pages.join("\u{c}"),
                    pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
                    extractor: "pdf-extract 0.12".into(),
                    title,
                    notes,
                })
            } else {
                Err("no text in the PDF (scanned pages? ecolens does not run OCR)".into())
            }
        }
        (Some(pages), Err(_)) if primary_words > 0 => Ok(Extracted {
            text: pages.join("\u{c}"),
            pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
            extractor: "pdf-extract 0.12".into(),
            title,
            notes,
        }),
        (_, Err(lopdf_error)) => {
            notes.push(lopdf_error);
            Err(notes.join("; "))
        }
    }
}

/// The document title from the metadata (`/Info /Title`), decoded.
fn metadata_title(document: &lopdf::Document) -> Option<String> {
    let info = document.trailer.get_deref(b"Info", document).ok()?;
    let title = info.as_dict().ok()?.get_deref(b"Title", document).ok()?;
    let bytes = title.as_str().ok()?;
    let text = if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        // PDFDocEncoding agrees with Latin-1 for letters.
        bytes.iter().map(|&b| char::from(b)).collect()
    };
    let text = crate::text::collapse_whitespace(&text);
    // Producers often put the file name or a placeholder in the title.
    let useless = text.is_empty()
        || text.eq_ignore_ascii_case("untitled")
        || text.to_ascii_lowercase().ends_with(".pdf")
        || text.to_ascii_lowercase().ends_with(".docx")
        || text.to_ascii_lowercase().ends_with(".doc")
        || text.starts_with("Microsoft Word");
    (!useless).then_some(text)
}

/// The child's side: caps the address space at `memory_bytes`, extracts `path`, writes a
/// JSON report to `out`. Returns the process exit code (0 when a report was written, even
/// one of failure).
pub fn child_main(path: &Path, out: &Path, memory_bytes: u64) -> i32 {
    #[cfg(unix)]
    {
        // Best effort: where limits cannot be set, the parent's time limit still holds.
        let _ = rlimit::setrlimit(rlimit::Resource::AS, memory_bytes, memory_bytes);
    }
    #[cfg(not(unix))]
    let _ = memory_bytes;
    // Keep panic messages out of the terminal: they are reported in the JSON.
    std::panic::set_hook(Box::new(|_| {}));
    let report = match extract_here(path) {
        Ok(extracted) => ChildReport::Extracted(extracted),
        Err(message) => ChildReport::Failed { message },
    };
    let written = serde_json::to_vec(&report)
        .map_err(std::io::Error::other)
        .and_then(|json| {
            let mut file = std::fs::File::create(out)?;
            file.write_all(&json)?;
            file.sync_all()
        });
    i32::from(written.is_err())
}

/// How to start the child: the ecolens binary and the hidden subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractorCommand {
    /// The program.
    pub program: PathBuf,
    /// Arguments before `PATH --out FILE --memory BYTES`.
    pub args: Vec<OsString>,
}

/// Limits of one extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfLimits {
    /// Wall-clock time per file.
    pub timeout: Duration,
    /// Address space of the child, in bytes.
    pub memory_bytes: u64,
}

impl Default for PdfLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_mins(1),
            memory_bytes: 2 << 30,
        }
    }
}

/// Extracts `path` in a child process within `limits`. The error says what went wrong in
/// one line (crash, timeout, not a PDF, no text …).
pub fn extract_in_child(
    command: &ExtractorCommand,
    path: &Path,
    limits: PdfLimits,
    cancel: &AtomicBool,
) -> Result<Extracted, String> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let out = std::env::temp_dir().join(format!(
        "ecolens-pdf-{}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut child = Command::new(&command.program)
        .args(&command.args)
        .arg(path)
        .arg("--out")
        .arg(&out)
        .arg("--memory")
        .arg(limits.memory_bytes.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the PDF reader: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(error) => break Err(format!("lost the PDF reader: {error}")),
        }
        if cancel.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            break Err("cancelled".into());
        }
        if started.elapsed() > limits.timeout {
            let _ = child.kill();
            let _ = child.wait();
            break Err(format!(
                "gave up after {} s (the time limit per PDF)",
                limits.timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let report = std::fs::read(&out);
    let _ = std::fs::remove_file(&out);
    let status = status?;
    if !status.success() {
        return Err(match exit_signal(status) {
            Some(signal) => format!(
                "the PDF reader crashed on this file (signal {signal}{})",
                match signal {
                    6 => ", an abort: typically a stack overflow on a self-referencing object",
                    9 => ", killed: typically the memory limit",
                    11 => ", a segmentation fault",
                    _ => "",
                }
            ),
            None => format!(
                "the PDF reader stopped with exit code {}",
                status.code().unwrap_or(-1)
            ),
        });
    }
    let report = report.map_err(|e| format!("the PDF reader wrote no result: {e}"))?;
    match serde_json::from_slice::<ChildReport>(&report) {
        Ok(ChildReport::Extracted(extracted)) => Ok(extracted),
        Ok(ChildReport::Failed { message }) => Err(message),
        Err(error) => Err(format!("the PDF reader's result is unreadable: {error}")),
    }
}

#[cfg(unix)]
fn exit_signal(status: std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn exit_signal(_: std::process::ExitStatus) -> Option<i32> {
    None
}

/// Extracts several PDFs, `workers` children at a time; results in input order. `progress`
/// is called on the calling thread with the number of files done.
pub fn extract_all(
    command: &ExtractorCommand,
    paths: &[PathBuf],
    limits: PdfLimits,
    workers: usize,
    cancel: &AtomicBool,
    progress: &dyn Fn(usize),
) -> Vec<Result<Extracted, String>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Extracted, String>>> =
        (0..paths.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        for worker in 0..workers.clamp(1, paths.len().max(1)) {
            let (next, sender) = (&next, sender.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("ecolens-pdf-{worker}"))
                .spawn_scoped(scope, move || {
                    loop {
                        let at = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(at) else { break };
                        let result = if cancel.load(Ordering::Relaxed) {
                            Err("cancelled".into())
                        } else {
                            extract_in_child(command, path, limits, cancel)
                        };
                        if sender.send((at, result)).is_err() {
                            break;
                        }
                    }
                });
            if spawned.is_err() {
                // Fewer workers; the others take the work.
                break;
            }
        }
        drop(sender);
        let mut done = 0;
        for (at, result) in receiver {
            results[at] = Some(result);
            done += 1;
            progress(done);
        }
    });
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err("not extracted".into())))
        .collect()
}

/// Whether a file starts like a PDF (for files named directly, whatever their extension).
pub fn looks_like_pdf(path: &Path) -> bool {
    let mut head = [0u8; 1024];
    let read = std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read(&mut file, &mut head))
        .unwrap_or(0);
    memchr::memmem::find(&head[..read], b"%PDF-").is_some()
}
