//! Excel workbooks (`.xlsx`), as ASReview, Embase, EPPI-Reviewer and Covidence users export
//! them: the first sheet is read as a table with a header row, the same way as CSV (the same
//! column names, the same rows above the header skipped), row numbers standing for lines.
//! Reading the workbook is left to the calamine crate.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::csv::{Row, parse_rows};
use crate::parsed::Parsed;

/// Format name used in provenance.
pub const FORMAT: &str = "xlsx";

/// Reads the first sheet of a workbook; `Err` says why the workbook could not be opened.
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|error| format!("an Excel workbook that cannot be opened: {error}"))?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err("an Excel workbook without a sheet".into());
    };
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|error| format!("the sheet {sheet:?} cannot be read: {error}"))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let rows = range.rows().enumerate().map(|(index, cells)| -> Row {
        let record: ::csv::StringRecord = cells.iter().map(cell_text).collect();
        Ok((first_row + index + 1, record))
    });
    Ok(parse_rows(rows))
}

/// A cell as text: whole numbers without `.0` (years, PMIDs), dates as Excel shows them.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        Data::Float(number) => number.to_string(),
        Data::Int(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(date) => {
            let (year, month, day, ..) = date.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        Data::Error(error) => format!("#{error:?}"),
    }
}
