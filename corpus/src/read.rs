//! Reading one bibliography file: bytes → text (encoding detected) → format (detected from the
//! content) → records and located problems.

use std::path::Path;

use crate::decode::decode;
use crate::detect::{Format, detect};
use crate::error::{Error, Result};
use crate::formats::{bibtex, csl_json, csv, endnote_xml, medline, ris};
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
    }
}

/// Reads a file's bytes; `Err` says what the content looked like when no format fits.
pub fn read_bytes(bytes: &[u8]) -> std::result::Result<FileRead, String> {
    let decoded = decode(bytes);
    let format = detect(&decoded.text)?;
    let mut parsed = parse_text(&decoded.text, format);
    let mut problems = decoded.problems;
    problems.append(&mut parsed.problems);
    parsed.problems = problems;
    Ok(FileRead {
        format,
        encoding: decoded.encoding,
        parsed,
    })
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
