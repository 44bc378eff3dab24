//! EndNote tagged text (`.enw`, the "refer" format EndNote, Google Scholar and many publishers'
//! "Download citation" write): `%X value` lines, `%0` giving the reference type. A record
//! ends at a blank line or where a `%0` follows other fields (consecutive `%0` lines only
//! change the type); lines without `%` continue the field before them.
//!
//! `%A` authors, `%E`/`%Y` editors, `%Q` an organisation as author, `%T` title, `%J`/`%B`
//! journal or book title (and `%S` series), `%D` year, `%V` volume, `%N` issue, `%P` pages,
//! `%I` publisher, `%R` DOI, `%U` URL, `%X` abstract, `%K` keywords, `%Z`/`%O` notes, `%F`
//! label (the key), `%M` accession number (a PubMed id when numeric and `%W` says PubMed).

use super::draft::Draft;
use crate::parsed::Parsed;
use crate::text::Lines;

/// Format name used in provenance.
pub const FORMAT: &str = "endnote-tagged";

/// The tag of a refer line: `%` and one character, then a space or the end of the line.
pub fn tag_of(line: &str) -> Option<char> {
    let mut chars = line.chars();
    if chars.next() != Some('%') {
        return None;
    }
    let tag = chars.next()?;
    let valid = tag.is_ascii_alphanumeric()
        || matches!(
            tag,
            '@' | '!'
                | '#'
                | '$'
                | '&'
                | '+'
                | '^'
                | '~'
                | '*'
                | '('
                | ')'
                | '='
                | '>'
                | '['
                | '\\'
                | ']'
        );
    (valid && chars.next().is_none_or(|c| c == ' ')).then_some(tag)
}

/// Reads EndNote tagged text.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut fields: Vec<(char, String, usize)> = Vec::new();
    let mut start = 1;
    for (index, line) in Lines::new(text).enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            finish(&std::mem::take(&mut fields), start, &mut parsed);
            continue;
        }
        match tag_of(line) {
            Some(tag) => {
                let value = line.get(3..).unwrap_or_default().trim().to_owned();
                let only_types = fields.iter().all(|(t, _, _)| *t == '0');
                if tag == '0' && !only_types {
                    finish(&std::mem::take(&mut fields), start, &mut parsed);
                }
                if fields.is_empty() {
                    start = number;
                }
                fields.push((tag, value, number));
            }
            None => match fields.last_mut() {
                Some((_, value, _)) => {
                    value.push('\n');
                    value.push_str(line.trim());
                }
                None => parsed.problems.push(crate::Problem {
                    line: number,
                    key: None,
                    field: None,
                    message: format!("line outside any record ignored: {:?}", line.trim()),
                    severity: crate::Severity::Warning,
                }),
            },
        }
    }
    finish(&fields, start, &mut parsed);
    parsed
}

fn finish(fields: &[(char, String, usize)], line: usize, parsed: &mut Parsed) {
    if fields.is_empty() {
        return;
    }
    let get = |tag: char| {
        fields
            .iter()
            .find(|(t, v, _)| *t == tag && !v.is_empty())
            .map(|(_, v, _)| v.as_str())
    };
    let all = |tag: char| fields.iter().filter(move |(t, _, _)| *t == tag);
    let mut draft = Draft::at(line);
    // The last `%0` of a run is the record's type.
    let reference_type = fields
        .iter()
        .rev()
        .find(|(t, _, _)| *t == '0')
        .map_or("", |(_, v, _)| v.as_str());
    draft.kind = super::endnote_xml::kind_for(reference_type);
    draft.title = get('T').map(|t| t.replace('\n', " "));
    for (_, name, name_line) in all('A') {
        draft.authors.push(Draft::located(name, *name_line, "%A"));
    }
    for (_, name, _) in all('Q') {
        draft
            .people
            .push(ecolens_core::Person::organisation(name.trim()));
    }
    for (tag, name, name_line) in all('E').chain(all('Y')) {
        draft
            .editors
            .push(Draft::located(name, *name_line, &format!("%{tag}")));
    }
    draft.year = fields
        .iter()
        .find(|(t, v, _)| *t == 'D' && !v.is_empty())
        .or_else(|| fields.iter().find(|(t, v, _)| *t == '8' && !v.is_empty()))
        .map(|(t, v, l)| Draft::located(v, *l, &format!("%{t}")));
    // `%B` is a journal article's journal when `%J` is missing, a chapter's book, a book's
    // series.
    draft.venue = get('J')
        .or_else(|| get('B'))
        .or_else(|| get('S'))
        .map(|v| v.replace('\n', " "));
    draft.volume = get('V').map(str::to_owned);
    draft.issue = get('N').map(str::to_owned);
    draft.pages = get('P').map(str::to_owned);
    draft.publisher = get('I').map(str::to_owned);
    // `%R` holds the DOI, sometimes as `doi:10.…` or a doi.org link; several `%R` lines
    // happen, and the one naming a DOI is taken.
    draft.doi = fields
        .iter()
        .filter(|(t, _, _)| *t == 'R')
        .max_by_key(|(_, v, _)| v.contains("10."))
        .map(|(_, v, l)| {
            let at = v.find("10.").unwrap_or(0);
            Draft::located(&v[at..], *l, "%R")
        });
    for (_, url, _) in all('U') {
        draft.urls.extend(url.lines().map(str::to_owned));
    }
    if let Some(abstract_text) = get('X') {
        draft
            .abstract_paragraphs
            .extend(abstract_text.lines().map(str::to_owned));
    }
    for (_, keywords, _) in all('K') {
        draft.keywords_from(keywords);
    }
    for (_, note, _) in all('Z').chain(all('O')) {
        draft.notes.push(note.clone());
    }
    let database = get('W').unwrap_or_default().to_ascii_lowercase();
    if let Some((_, accession, accession_line)) = fields.iter().find(|(t, _, _)| *t == 'M')
        && database.contains("pubmed")
        && accession.bytes().all(|b| b.is_ascii_digit())
    {
        draft.pmid = Some(Draft::located(accession, *accession_line, "%M"));
    }
    draft.key = get('F').map(str::to_owned);
    draft.finish(parsed, "%T");
}
