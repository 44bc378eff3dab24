//! CSV tables of trace tools, read by header name (rule 4): BOM stripped, fields trimmed,
//! units inside values tolerated, rows whose field count differs from the header's rejected
//! with a warning instead of being padded.

use std::path::Path;

use crate::Result;

/// The column names of a header line (comma- or tab-separated), trimmed.
pub(super) fn header_names(line: &str) -> Vec<String> {
    let line = line.trim_start_matches('\u{feff}');
    let separator = if line.contains('\t') && !line.contains(',') {
        '\t'
    } else {
        ','
    };
    line.split(separator)
        .map(|c| c.trim().trim_matches('"').trim().to_owned())
        .collect()
}

/// A CSV table: header and the rows that have as many fields as the header.
pub(super) struct Table {
    /// Column names as written (trimmed).
    pub(super) header: Vec<String>,
    /// Rows with their 1-based line numbers.
    pub(super) rows: Vec<(usize, Vec<String>)>,
    /// Rejected rows, said in words.
    pub(super) warnings: Vec<String>,
}

impl Table {
    /// Parses `text` (BOM already stripped). Comma-separated unless the header has tabs and no
    /// commas (eco2AI 0.1).
    pub(super) fn parse(path: &Path, text: &str) -> Result<Self> {
        let first = text.lines().next().unwrap_or("");
        let delimiter = if first.contains('\t') && !first.contains(',') {
            b'\t'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut warnings = Vec::new();
        for result in reader.records() {
            let record = result.map_err(|error| {
                let line = error
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                super::bad(path, line, format!("not readable as CSV: {error}"))
            })?;
            let line = record
                .position()
                .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
            let fields: Vec<String> = record.iter().map(str::to_owned).collect();
            if fields.iter().all(String::is_empty) {
                continue;
            }
            match &header {
                None => {
                    header = Some(
                        fields
                            .iter()
                            .map(|f| f.trim_start_matches('\u{feff}').trim().to_owned())
                            .collect(),
                    );
                }
                Some(names) => {
                    if fields.len() == names.len() {
                        rows.push((line, fields));
                    } else {
                        warnings.push(format!(
                            "line {line}: {} fields where the header has {}; row rejected (a short row is shifted left, padding it would put values under the wrong columns)",
                            fields.len(),
                            names.len()
                        ));
                    }
                }
            }
        }
        let Some(header) = header else {
            return Err(super::bad(path, 1, "no header line"));
        };
        Ok(Self {
            header,
            rows,
            warnings,
        })
    }

    /// Index of a column by name (case-insensitive).
    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// Index of the first column whose name starts with `prefix` (case-insensitive).
    pub(super) fn column_prefix(&self, prefix: &str) -> Option<usize> {
        let prefix = prefix.to_ascii_lowercase();
        self.header
            .iter()
            .position(|h| h.to_ascii_lowercase().starts_with(&prefix))
    }

    /// A required column, or an error naming it and the header.
    pub(super) fn require(&self, path: &Path, name: &str) -> Result<usize> {
        self.column(name).ok_or_else(|| {
            super::bad(
                path,
                1,
                format!(
                    "the header has no column {name:?} (columns: {})",
                    self.header.join(", ")
                ),
            )
        })
    }
}

/// The text of a field, `None` when empty or a missing-value marker.
pub(super) fn text(field: &str) -> Option<&str> {
    let field = field.trim();
    if is_missing(field) { None } else { Some(field) }
}

/// True for the markers tools write for "no value".
pub(super) fn is_missing(field: &str) -> bool {
    matches!(
        field,
        "" | "-" | "N/A" | "n/a" | "NA" | "None" | "none" | "nan" | "NaN" | "null"
    ) || field.starts_with("[N/A")
        || field.starts_with("[Not Supported")
        || field.starts_with("[Unknown")
}

/// A number in a field, taking the first whitespace-separated token (`19.46 W` → 19.46).
/// `Ok(None)` for a missing value; `Err` with the field when it is not a number.
pub(super) fn number(field: &str) -> Result<Option<f64>, String> {
    let Some(field) = text(field) else {
        return Ok(None);
    };
    let token = field.split_whitespace().next().unwrap_or(field);
    let token = token.trim_end_matches('%');
    match token.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        Ok(_) => Ok(None),
        Err(_) => Err(format!("{:?} is not a number", shown(field))),
    }
}

/// A field as an error shows it: the first 60 characters and how long it was, so that one bad
/// cell of megabytes does not fill the terminal.
pub(super) fn shown(field: &str) -> String {
    let cut = crate::error::excerpt(field, 60);
    if cut.len() == field.len() {
        cut
    } else {
        format!("{cut} ({} bytes)", field.len())
    }
}

/// A number in a named column of a row, with an error naming line and column.
pub(super) fn number_at(
    path: &Path,
    table: &Table,
    line: usize,
    row: &[String],
    column: Option<usize>,
) -> Result<Option<f64>> {
    let Some(index) = column else {
        return Ok(None);
    };
    number(&row[index]).map_err(|detail| {
        super::bad(
            path,
            line,
            format!(
                "column {}: {detail}, expected a number",
                table.header[index]
            ),
        )
    })
}
