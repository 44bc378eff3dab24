//! CSV and TSV with a header row, as Rayyan, ASReview LAB, Scopus, Web of Science and
//! spreadsheets write them. The delimiter is sniffed (`,` `\t` `;` `|`); columns are matched by
//! name, ignoring case and punctuation (`Title`, `Article Title`, `TI` …). ASReview label columns
//! (`label_included`, `included` …) become review labels.

use ecolens_core::{ArxivId, Doi, Pmid, Record, RecordKind};

use crate::labels::{ImportedLabel, LabelTool, asreview_column_decision};
use crate::parsed::{Parsed, Problem, Severity};
use crate::text::{
    collapse_whitespace, doi_in_url, find_year, parse_person, split_glued, split_keywords,
};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Title,
    Abstract,
    Authors,
    Editors,
    Year,
    Venue,
    Volume,
    Issue,
    Pages,
    StartPage,
    EndPage,
    Publisher,
    Doi,
    Url,
    Keywords,
    Pmid,
    Arxiv,
    Notes,
    Kind,
    Key,
    Label,
    Period,
}

/// The column a header names, if ecolens reads it.
fn column_for(header: &str) -> Option<Column> {
    let name: String = header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(char::to_lowercase)
        .collect();
    Some(match name.as_str() {
        "title"
        | "ti"
        | "articletitle"
        | "documenttitle"
        | "primarytitle"
        | "t1"
        | "titleprimary"
        | "displayname"
        | "publicationtitleoriginal" => Column::Title,
        "abstract" | "ab" | "abstractnote" => Column::Abstract,
        // Scopus and Lens ("Author/s"), Embase ("Author Names"), ASReview
        // ("first_authors"), RefWorks ("Authors, Primary"), OpenAlex
        // ("authorships.author.display_name"), Web of Science tab-delimited (AU, AF).
        "authors"
        | "author"
        | "au"
        | "af"
        | "authorfullnames"
        | "authorfullname"
        | "creators"
        | "authorsfullnames"
        | "authornames"
        | "firstauthors"
        | "authorsprimary"
        | "primaryauthors"
        | "authorlist"
        | "authorshipsauthordisplayname" => Column::Authors,
        // Embase and RefWorks ("Editors", "Authors, Secondary"), WoS tab-delimited (BE).
        "editors" | "editor" | "ed" | "a2" | "be" | "authorssecondary" | "secondaryauthors" => {
            Column::Editors
        }
        // Covidence ("Published Year"), Embase, OpenAlex ("publication_year").
        "year" | "py" | "publicationyear" | "pubyear" | "date" | "publicationdate" | "issued"
        | "publishedyear" | "yearpublished" | "datepublished" => Column::Year,
        "journal"
        | "sourcetitle"
        | "publicationtitle"
        | "secondarytitle"
        | "venue"
        | "so"
        | "booktitle"
        | "journaltitle"
        | "containertitle"
        | "source"
        | "periodicalfull"
        | "primarylocationsourcedisplayname"
        | "hostvenuedisplayname"
        | "sourcedisplayname" => Column::Venue,
        "volume" | "vl" => Column::Volume,
        "issue" | "number" | "is" | "issuenumber" => Column::Issue,
        "pages" | "page" | "pg" => Column::Pages,
        "pagestart" | "startpage" | "bp" | "firstpage" | "bibliofirstpage" => Column::StartPage,
        "pageend" | "endpage" | "ep" | "lastpage" | "bibliolastpage" => Column::EndPage,
        "publisher" | "pb" | "bookpublisher" => Column::Publisher,
        "doi" | "di" => Column::Doi,
        "url" | "link" | "urls" | "externalurl" | "fulltextlink" => Column::Url,
        "keywords" | "kw" | "authorkeywords" | "de" | "keyword" | "manualtags" => Column::Keywords,
        "pmid" | "pubmedid" | "medlinepmid" | "idspmid" => Column::Pmid,
        "arxiv" | "arxivid" | "eprint" => Column::Arxiv,
        "notes" | "note" | "n1" => Column::Notes,
        "period" | "projectperiod" | "grantperiod" | "fundingperiod" => Column::Period,
        "type" | "documenttype" | "itemtype" | "ty" | "kind" | "publicationtype" => Column::Kind,
        "key" | "id" | "recordid" | "citationkey" => Column::Key,
        "labelincluded"
        | "included"
        | "finalincluded"
        | "asreviewlabel"
        | "labelabstractincluded"
        | "label" => Column::Label,
        _ => return None,
    })
}

/// The delimiters tried, most common first.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// How many rows above the header an export may put (Embase and spreadsheet exports write
/// the query and date there).
const PREAMBLE_ROWS: usize = 30;

/// The fields of one line split by `delimiter`, quotes understood.
fn fields_of(line: &str, delimiter: u8) -> Option<::csv::StringRecord> {
    ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        // One line: no 8 KB buffer for it.
        .buffer_capacity(line.len() + 1)
        .from_reader(line.as_bytes())
        .records()
        .next()?
        .ok()
}

/// Whether a row is a header: two fields or more, one of them naming a title column.
fn is_header(row: &::csv::StringRecord) -> bool {
    row.len() >= 2 && row.iter().any(|h| column_for(h) == Some(Column::Title))
}

/// The delimiter under which `line` is a header row naming a title column (the one giving
/// most fields), if any.
pub fn header_delimiter(line: &str) -> Option<u8> {
    // Detection asks this of every line near the top of every file: most lines name no
    // title column at all, which a look at their letters settles.
    let names_a_title = line.as_bytes().windows(2).any(|pair| {
        pair.eq_ignore_ascii_case(b"ti")
            || pair.eq_ignore_ascii_case(b"t1")
            || pair.eq_ignore_ascii_case(b"na")
    });
    if !names_a_title {
        return None;
    }
    DELIMITERS
        .into_iter()
        .filter(|delimiter| line.as_bytes().contains(delimiter))
        .filter_map(|delimiter| {
            let row = fields_of(line, delimiter)?;
            is_header(&row).then_some((delimiter, row.len()))
        })
        .max_by_key(|(_, columns)| *columns)
        .map(|(delimiter, _)| delimiter)
}

/// The delimiter of a CSV text that starts with its header row: among those under which the
/// header names a title column, the one whose rows most often have the header's number of
/// fields (ragged rows are allowed: exports leave trailing cells out or put a stray
/// delimiter in a cell). Only complete rows are judged: when `complete` is false the text is
/// the start of a file and its last row may be cut.
pub fn sniff_from(text: &str, complete: bool) -> Option<u8> {
    let mut best: Option<(u8, usize, usize)> = None;
    for delimiter in DELIMITERS {
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = reader.records();
        let Some(Ok(header)) = rows.next() else {
            continue;
        };
        if !is_header(&header) {
            continue;
        }
        let mut lengths: Vec<usize> = rows
            .take(50)
            .map_while(Result::ok)
            .map(|r| r.len())
            .collect();
        if !complete {
            lengths.pop();
        }
        let agreeing = lengths.iter().filter(|&&n| n == header.len()).count();
        let better = best.is_none_or(|(_, best_agreeing, best_columns)| {
            (agreeing, header.len()) > (best_agreeing, best_columns)
        });
        if better {
            best = Some((delimiter, agreeing, header.len()));
        }
    }
    best.map(|(delimiter, _, _)| delimiter)
}

/// Reads a CSV/TSV text with the given delimiter. The header is the first row naming a title
/// column within the first rows; rows above it are skipped with a warning.
pub fn parse(text: &str, delimiter: u8) -> Parsed {
    let mut all = Parsed::default();
    // One batch of every row: nothing is handed on before the end.
    let _: Result<(), std::convert::Infallible> =
        parse_in_batches(text, delimiter, usize::MAX, &mut |batch| {
            all.records.append(&mut batch.records);
            all.problems.append(&mut batch.problems);
            Ok(())
        });
    all
}

/// Reads a CSV/TSV text and hands its records to `sink` in batches of `batch` records: a
/// table of millions of short rows becomes records a batch at a time (held whole, they took
/// 200 times the file's size and most of the time in fresh memory).
pub fn parse_in_batches<E>(
    text: &str,
    delimiter: u8,
    batch: usize,
    sink: &mut dyn FnMut(&mut Parsed) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let rows = reader.records().map(|row| match row {
        Ok(row) => Ok((row.position().map_or(0, |p| line_of(text, p)), row)),
        Err(error) => Err((
            error.position().map_or(0, |p| line_of(text, p)),
            format!("unreadable row: {error}"),
        )),
    });
    rows_in_batches(rows, batch, sink)
}

/// A row with the line (or spreadsheet row) it starts on, or why it could not be read.
pub type Row = Result<(usize, ::csv::StringRecord), (usize, String)>;

/// Reads rows of cells, from a CSV text or a spreadsheet: the header is the first row naming a
/// title column within the first rows; rows above it are skipped with a warning.
pub fn parse_rows(rows: impl Iterator<Item = Row>) -> Parsed {
    let mut all = Parsed::default();
    let _: Result<(), std::convert::Infallible> = rows_in_batches(rows, usize::MAX, &mut |batch| {
        all.records.append(&mut batch.records);
        all.problems.append(&mut batch.problems);
        Ok(())
    });
    all
}

/// [`parse_rows`], handing records on in batches.
fn rows_in_batches<E>(
    rows: impl Iterator<Item = Row>,
    batch: usize,
    sink: &mut dyn FnMut(&mut Parsed) -> Result<(), E>,
) -> Result<(), E> {
    let mut parsed = Parsed::default();
    let mut rows = rows;
    let mut headers = None;
    let mut skipped = 0;
    for row in rows.by_ref().take(PREAMBLE_ROWS + 1) {
        match row {
            Ok((line, row)) if is_header(&row) => {
                headers = Some((line, row));
                break;
            }
            // Blank rows are nothing skipped.
            Ok((_, row)) if row.iter().all(|cell| cell.trim().is_empty()) => {}
            _ => skipped += 1,
        }
    }
    let Some((header_line, headers)) = headers else {
        parsed.problems.push(Problem {
            line: 1,
            key: None,
            field: None,
            message: format!(
                "no header row with a title column (title, Title, Article Title, TI …) in the first {} rows",
                PREAMBLE_ROWS + 1
            ),
            severity: Severity::FileNotRead,
        });
        return sink(&mut parsed);
    };
    if skipped > 0 {
        parsed.problems.push(Problem {
            line: 1,
            key: None,
            field: None,
            message: format!(
                "{skipped} row(s) above the header row (line {header_line}) were skipped"
            ),
            severity: Severity::Warning,
        });
    }
    let columns: Vec<Option<Column>> = headers.iter().map(column_for).collect();
    for row in rows {
        let (line, row) = match row {
            Ok(row) => row,
            Err((line, message)) => {
                parsed.problems.push(rejected(line, None, None, message));
                continue;
            }
        };
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        // A row of one cell below the records is a note, not a record (abstrackr ends its
        // export with "citations that are not yet labeled by anyone").
        let filled: Vec<&str> = row.iter().filter(|cell| !cell.trim().is_empty()).collect();
        if let [only] = filled.as_slice()
            && columns.get(row.iter().position(|c| !c.trim().is_empty()).unwrap_or(0))
                != Some(&Some(Column::Title))
        {
            parsed.problems.push(Problem {
                line,
                key: None,
                field: None,
                message: format!(
                    "a row with one cell and no title, not a record: {:?}; ignored",
                    only.trim()
                ),
                severity: Severity::Warning,
            });
            continue;
        }
        if row.len() > headers.len() {
            parsed.problems.push(Problem {
                line,
                key: None,
                field: None,
                message: format!(
                    "the row has {} fields where the header has {}; values after a stray delimiter may be in the wrong columns",
                    row.len(),
                    headers.len()
                ),
                severity: Severity::Warning,
            });
        }
        read_row(&row, &headers, &columns, line, &mut parsed);
        if parsed.records.len() >= batch {
            sink(&mut parsed)?;
            parsed.records.clear();
            parsed.problems.clear();
        }
    }
    sink(&mut parsed)
}

/// The line a row starts on. The csv crate puts a row's position where its search for the
/// row began, before any blank lines it skipped: those are counted here.
fn line_of(text: &str, position: &::csv::Position) -> usize {
    let mut line = usize::try_from(position.line()).unwrap_or(0);
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let bytes = text.as_bytes().get(start..).unwrap_or_default();
    for (at, byte) in bytes.iter().enumerate() {
        match byte {
            b'\n' => line += 1,
            b'\r' if bytes.get(at + 1) != Some(&b'\n') => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn rejected(line: usize, key: Option<String>, field: Option<String>, message: String) -> Problem {
    Problem {
        line,
        key,
        field,
        message,
        severity: Severity::Rejected,
    }
}

fn read_row(
    row: &::csv::StringRecord,
    headers: &::csv::StringRecord,
    columns: &[Option<Column>],
    line: usize,
    parsed: &mut Parsed,
) {
    let value = |wanted: Column| -> Option<&str> {
        columns
            .iter()
            .zip(row.iter())
            .find(|(column, value)| **column == Some(wanted) && !value.trim().is_empty())
            .map(|(_, value)| unguarded(value.trim()))
    };
    let header_of = |wanted: Column| -> String {
        columns
            .iter()
            .zip(headers.iter())
            .find(|(column, _)| **column == Some(wanted))
            .map_or_else(String::new, |(_, header)| header.to_owned())
    };
    let key = value(Column::Key).map(str::to_owned);
    let mut problems = Vec::new();
    let mut warn = |column: Column, message: String| {
        problems.push(Problem {
            line,
            key: key.clone(),
            field: Some(header_of(column)),
            message,
            severity: Severity::Warning,
        });
    };
    let mut record = Record::titled(
        value(Column::Title)
            .map(collapse_whitespace)
            .unwrap_or_default(),
    );
    record.kind = value(Column::Kind).map_or(RecordKind::JournalArticle, kind_for);
    if let Some(authors) = value(Column::Authors) {
        for name in split_authors(authors) {
            if let Some(person) = parse_person(name) {
                record.authors.push(person);
            }
        }
    }
    if let Some(editors) = value(Column::Editors) {
        for name in split_authors(editors) {
            if let Some(person) = parse_person(name) {
                record.editors.push(person);
            }
        }
    }
    if let Some(year) = value(Column::Year) {
        match find_year(year) {
            Some(found) if ecolens_core::record::YEAR_RANGE.contains(&found) => {
                record.year = Some(found);
            }
            _ => warn(Column::Year, format!("{year:?} holds no year; left out")),
        }
    }
    record.venue = value(Column::Venue).map(collapse_whitespace);
    record.volume = value(Column::Volume).map(str::to_owned);
    record.issue = value(Column::Issue).map(str::to_owned);
    record.pages = value(Column::Pages).map(str::to_owned).or_else(|| {
        match (value(Column::StartPage), value(Column::EndPage)) {
            (Some(start), Some(end)) => Some(format!("{start}-{end}")),
            (Some(start), None) => Some(start.to_owned()),
            _ => None,
        }
    });
    record.publisher = value(Column::Publisher).map(str::to_owned);
    if let Some(raw) = value(Column::Doi) {
        let (doi, glued) = split_glued(raw);
        if glued.is_some() {
            warn(
                Column::Doi,
                "text of another RIS tag glued onto the DOI was cut off".into(),
            );
        }
        match Doi::parse("doi", doi) {
            Ok(doi) => record.doi = Some(doi),
            Err(error) => warn(
                Column::Doi,
                format!("{}; left out", crate::text::value_problem(&error)),
            ),
        }
    }
    if let Some(raw) = value(Column::Url) {
        let (url, glued) = split_glued(raw);
        if glued.is_some() {
            warn(
                Column::Url,
                "text of another RIS tag glued onto the URL was cut off".into(),
            );
        }
        let url = url.split_whitespace().next().unwrap_or_default();
        if url.starts_with("http://") || url.starts_with("https://") {
            record.url = Some(url.to_owned());
            if record.doi.is_none() {
                record.doi = doi_in_url(url).and_then(|d| Doi::parse("url", &d).ok());
            }
        } else {
            warn(
                Column::Url,
                format!("{url:?} is not an http(s) address; left out"),
            );
        }
    }
    if let Some(pmid) = value(Column::Pmid) {
        match Pmid::parse("pmid", pmid.trim_end_matches(".0")) {
            Ok(pmid) => record.pmid = Some(pmid),
            Err(error) => warn(
                Column::Pmid,
                format!("{}; left out", crate::text::value_problem(&error)),
            ),
        }
    }
    if let Some(arxiv) = value(Column::Arxiv) {
        match ArxivId::parse("arxiv", arxiv) {
            Ok(arxiv) => record.arxiv = Some(arxiv),
            Err(error) => warn(
                Column::Arxiv,
                format!("{}; left out", crate::text::value_problem(&error)),
            ),
        }
    }
    record.abstract_text = value(Column::Abstract).map(str::to_owned);
    if let Some(keywords) = value(Column::Keywords) {
        split_keywords(keywords, &mut record.keywords);
    }
    record.notes = value(Column::Notes).map(str::to_owned);
    if let Some(period) = value(Column::Period) {
        match ecolens_core::Period::parse("period", period) {
            Ok(period) => record.period = Some(period),
            Err(error) => warn(
                Column::Period,
                format!("{}; left out", crate::text::value_problem(&error)),
            ),
        }
    }
    let labels = value(Column::Label)
        .and_then(asreview_column_decision)
        .map(|decision| ImportedLabel::title_abstract(LabelTool::Asreview, None, decision))
        .into_iter()
        .collect();
    parsed.problems.extend(problems);
    parsed.push_validated(record, line, key, labels, &header_of(Column::Title));
}

/// Splits an author cell: `A and B` (Rayyan, BibTeX style), `A; B` (Scopus, `WoS`),
/// `Last F., Last G.` (Scopus short form), or `Last, First` for one author.
fn split_authors(cell: &str) -> Vec<&str> {
    // OpenAlex joins its authorship columns with `|`.
    if cell.contains('|') {
        return cell
            .split('|')
            .filter(|name| !name.trim().is_empty())
            .collect();
    }
    if cell.contains(" and ") {
        return cell.split(" and ").collect();
    }
    if cell.contains(';') {
        return cell.split(';').collect();
    }
    let pieces: Vec<&str> = cell.split(',').map(str::trim).collect();
    if pieces.len() <= 2 {
        return vec![cell];
    }
    if pieces.iter().all(|piece| piece.contains(' ')) {
        return pieces;
    }
    // "Last, F., Last, G." → every second comma ends a name.
    let mut names = Vec::new();
    let mut start = 0;
    for (count, (comma, _)) in cell.match_indices(',').enumerate() {
        if count % 2 == 1 {
            names.push(&cell[start..comma]);
            start = comma + 1;
        }
    }
    names.push(&cell[start..]);
    names.retain(|name| !name.trim().is_empty());
    names
}

/// A cell without the `'` that spreadsheet-safe exports (ecolens' among them) put before a
/// leading `=`, `+`, `-` or `@`.
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn kind_for(value: &str) -> RecordKind {
    if let Ok(kind) = RecordKind::parse("type", value) {
        return kind;
    }
    let lower = value.to_ascii_lowercase();
    if lower.contains("conference") || lower.contains("proceedings") {
        RecordKind::ConferencePaper
    } else if lower.contains("chapter") {
        RecordKind::BookChapter
    } else if lower.contains("book") {
        RecordKind::Book
    } else if lower.contains("preprint") {
        RecordKind::Preprint
    } else if lower.contains("report") {
        RecordKind::Report
    } else if lower.contains("thesis") || lower.contains("dissertation") {
        RecordKind::Thesis
    } else {
        // RIS type codes (JOUR, CHAP …) appear in some exports; anything else is an article.
        match super::ris::kind_for(value) {
            RecordKind::Other => RecordKind::JournalArticle,
            kind => kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_cells_in_every_shape() {
        assert_eq!(
            split_authors("Yang, Z. and Jiang, B."),
            ["Yang, Z.", "Jiang, B."]
        );
        assert_eq!(
            split_authors("Yang, Z.; Jiang, B."),
            ["Yang, Z.", " Jiang, B."]
        );
        assert_eq!(
            split_authors("Vaimann T., Kudrjavtsev O., Kilk A."),
            ["Vaimann T.", "Kudrjavtsev O.", "Kilk A."]
        );
        assert_eq!(split_authors("Smith, John"), ["Smith, John"]);
        assert_eq!(
            split_authors("Smith, J., Doe, K."),
            ["Smith, J.", " Doe, K."]
        );
    }

    #[test]
    fn columns_are_matched_by_name_and_labels_read() {
        let text = "Title;Authors;Publication Year;DOI;label_included\n\
                    Green AI;Schwartz, R.; Dodge, J.;2020;10.1145/3381831;1\n\
                    ;Nobody;2020;;0\n\
                    Odd year;Doe, J.;MMXX;not a doi;\n";
        // A stray ';' in a cell makes one row longer than the header: the file is still
        // read, and that row is named.
        assert_eq!(sniff_from(text, true), Some(b';'));
        let stray = parse(text, b';');
        assert!(
            stray.problems[0]
                .to_string()
                .starts_with("line 2: the row has 6 fields where the header has 5"),
            "{:?}",
            stray.problems
        );
        let text = "Title\tAuthors\tPublication Year\tDOI\tlabel_included\n\
                    Green AI\tSchwartz, R.; Dodge, J.\t2020\t10.1145/3381831\t1\n\
                    \tNobody\t2020\t\t0\n\
                    Odd year\tDoe, J.\tMMXX\tnot a doi\t\n";
        assert_eq!(sniff_from(text, true), Some(b'\t'));
        let parsed = parse(text, b'\t');
        assert_eq!(parsed.records.len(), 3);
        assert_eq!(parsed.records[1].record.title, "");
        let green = &parsed.records[0];
        assert_eq!(green.line, 2);
        assert_eq!(green.record.authors.len(), 2);
        assert_eq!(green.record.year, Some(2020));
        assert_eq!(
            green.labels[0].decision,
            crate::labels::LabelDecision::Include
        );
        let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "line 3 Title: no title: the record is kept untitled; `NOT has:title` finds such records, and Edit gives them a title",
                "line 4 Publication Year: \"MMXX\" holds no year; left out",
                "line 4 DOI: \"not a doi\" is not valid: expected a DOI without spaces, e.g. 10.3390/su14095172; left out",
            ]
        );
    }
}
