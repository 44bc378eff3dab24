//! Reading one bibliography file: bytes → text (encoding detected) → format (detected from the
//! content) → records and located problems.

use std::borrow::Cow;
use std::path::Path;

use crate::decode::decode;
use crate::detect::{Format, detect};
use crate::error::{Error, Result};
use crate::formats::{
    bibtex, csl_json, csv, endnote_xml, medline, ovid, pubmed_xml, refer, ris, wos, xlsx,
    zotero_rdf,
};
use crate::parsed::Parsed;

/// What reading a file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The format recognised.
    pub format: Format,
    /// The encoding used.
    pub encoding: String,
    /// Records and problems (decoding problems first).
    pub parsed: Parsed,
}

/// Reads text in a known format.
pub fn parse_text(text: &str, format: Format) -> Parsed {
    match format {
        Format::Ris => ris::parse(text),
        Format::Medline => medline::parse(text),
        Format::Bibtex => bibtex::parse(text),
        Format::EndnoteXml => endnote_xml::parse(text),
        Format::Csv { delimiter } => csv::parse(text, delimiter),
        Format::CslJson => csl_json::parse(text),
        Format::Wos => wos::parse(text),
        Format::EndnoteTagged => refer::parse(text),
        Format::PubmedXml => pubmed_xml::parse(text),
        Format::Ovid => ovid::parse(text),
        Format::ZoteroRdf => zotero_rdf::parse(text),
        // A workbook is read from its bytes (`read_bytes`); text cannot be one.
        Format::Xlsx => Parsed {
            records: Vec::new(),
            problems: vec![crate::Problem {
                line: 1,
                key: None,
                field: None,
                message: "an Excel workbook is read from its bytes, not as text".into(),
                severity: crate::Severity::FileNotRead,
            }],
        },
    }
}

/// Records of a CSV/TSV file handed on at a time by [`read_bytes_into`].
pub const CSV_BATCH: usize = 16_384;

/// [`read_bytes`], handing the records to `sink` instead of returning them: CSV and TSV in
/// batches of [`CSV_BATCH`], other formats at once. The outer `Err` is the sink's; the inner
/// says what the content looked like when no format fits. Returns the format and encoding.
pub fn read_bytes_into(
    bytes: &[u8],
    sink: &mut dyn FnMut(Format, &mut Parsed) -> Result<()>,
) -> Result<std::result::Result<(Format, String), String>> {
    let plain_text = !bytes.starts_with(b"\x1f\x8b") && !is_workbook(bytes);
    if plain_text && container_of(bytes).is_none() {
        let decoded = decode(bytes);
        let text = with_line_feeds(&decoded.text);
        let format = match detect(&text) {
            Ok(format) => format,
            Err(message) => return Ok(Err(message)),
        };
        let mut decoding = Some(decoded.problems);
        let mut with_decoding = |batch: &mut Parsed| {
            if let Some(mut problems) = decoding.take() {
                problems.append(&mut batch.problems);
                batch.problems = problems;
            }
            sink(format, batch)
        };
        if let Format::Csv { delimiter } = format {
            csv::parse_in_batches(&text, delimiter, CSV_BATCH, &mut with_decoding)?;
        } else {
            with_decoding(&mut parse_text(&text, format))?;
        }
        return Ok(Ok((format, decoded.encoding)));
    }
    match read_bytes(bytes) {
        Ok(mut read) => {
            sink(read.format, &mut read.parsed)?;
            Ok(Ok((read.format, read.encoding)))
        }
        Err(message) => Ok(Err(message)),
    }
}

/// Reads a file's bytes; `Err` says what the content looked like when no format fits.
pub fn read_bytes(bytes: &[u8]) -> std::result::Result<FileRead, String> {
    if bytes.starts_with(b"\x1f\x8b") {
        let inner = gunzip(bytes)?;
        let mut read =
            read_bytes(&inner).map_err(|message| format!("gzip-compressed; inside: {message}"))?;
        read.encoding = format!("gzip, {}", read.encoding);
        return Ok(read);
    }
    if is_workbook(bytes) {
        return Ok(FileRead {
            format: Format::Xlsx,
            encoding: "XLSX".into(),
            parsed: xlsx::parse(bytes)?,
        });
    }
    if let Some(container) = container_of(bytes) {
        return Err(container.into());
    }
    let decoded = decode(bytes);
    let text = with_line_feeds(&decoded.text);
    let format = detect(&text)?;
    let mut parsed = parse_text(&text, format);
    let mut problems = decoded.problems;
    problems.append(&mut parsed.problems);
    parsed.problems = problems;
    Ok(FileRead {
        format,
        encoding: decoded.encoding,
        parsed,
    })
}

/// A text whose lone carriage returns (classic Mac OS line ends, or a few strays in a CRLF
/// file) are line feeds: every reader then sees the lines the text shows. Line numbers do not
/// change: a lone CR already counts as a line break.
pub fn with_line_feeds(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'));
    if !lone {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\r') {
        out.push_str(&rest[..at]);
        if rest[at + 1..].starts_with('\n') {
            out.push_str("\r\n");
            rest = &rest[at + 2..];
        } else {
            out.push('\n');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The most a compressed file may unpack to: a bibliography of 4 GiB is far beyond any
/// export, and a "zip bomb" stops here instead of filling the memory.
const GUNZIP_LIMIT: u64 = 4 << 30;

/// The bytes of a gzip file (all its members), up to [`GUNZIP_LIMIT`].
fn gunzip(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read as _;
    let mut inner = Vec::with_capacity(bytes.len().saturating_mul(4).min(256 << 20));
    flate2::read::MultiGzDecoder::new(bytes)
        .take(GUNZIP_LIMIT + 1)
        .read_to_end(&mut inner)
        .map_err(|error| format!("gzip-compressed, but damaged: {error}"))?;
    if inner.len() as u64 > GUNZIP_LIMIT {
        return Err("gzip-compressed to more than 4 GiB; unpack it and import the parts".into());
    }
    Ok(inner)
}

/// Whether the bytes are a ZIP holding an Excel workbook.
fn is_workbook(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    bytes.starts_with(b"PK\x03\x04")
        && (memchr::memmem::find(head, b"xl/").is_some()
            || memchr::memmem::find(head, b"[Content_Types].xml").is_some())
}

/// What a file that is a container, not text, holds, when ecolens knows it by its first bytes.
fn container_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some("a ZIP archive; unpack it and import the files inside");
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(
            "a PDF; import it as a full text (with PDF reading set up), not as a bibliography",
        );
    }
    None
}

/// Reads a file from disk.
pub fn read_file(path: &Path) -> Result<FileRead> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        action: "cannot read",
        path: path.to_owned(),
        source,
    })?;
    read_bytes(&bytes).map_err(|message| Error::Unreadable {
        file: path.to_owned(),
        line: 1,
        message: format!("not a bibliography ecolens reads: {message}"),
    })
}
