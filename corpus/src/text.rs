//! Text helpers shared by the readers: person names, years, white space, keyword lists, and
//! the repair of RIS tags glued onto the previous value.

use ecolens_core::Person;

/// English function words (stop words): never taken as common words by the search index,
/// and left out of the screening model's features ([`crate::rank`]). Pairs of common words are indexed
/// for fast phrases like "deep learning"; in English text most adjacent pairs of frequent words
/// are pairs of function words ("of the", "in a", "we show"), which nobody searches as a
/// phrase: in the first 18,691 records of `ecolens bench`'s generated 200,000-record file
/// they were 41 % of all words of titles, abstracts and keywords, against 5 % for pairs of
/// content words (counted 2026-12-06). A phrase holding a function word is still found, by
/// positions.
///
/// tantivy's own list is private to its stop-word filter and Lucene's 33 words leave out
/// pronouns and most auxiliaries, so ecolens keeps this list.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him",
    "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "may", "more", "most",
    "much", "must", "my", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other",
    "our", "ours", "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "upon", "us", "very", "was", "we",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "within", "without", "would", "you", "your",
];

/// Lower-case name particles that belong to the family name ("van Baalen", "de la Cruz").
const PARTICLES: [&str; 16] = [
    "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "ten", "ter",
    "dos", "das",
];

/// Words that mark an author as an organisation when the name has no comma.
const ORGANISATION_WORDS: [&str; 16] = [
    "organization",
    "organisation",
    "institute",
    "university",
    "group",
    "consortium",
    "committee",
    "association",
    "agency",
    "team",
    "network",
    "collaboration",
    "council",
    "society",
    "foundation",
    "ministry",
];

/// Where the comma of a plain `Family, Given` name is: ASCII letters, marks and single
/// spaces, one comma followed by a space, nothing to trim. One pass over the bytes.
fn plain_family_given(bytes: &[u8]) -> Option<usize> {
    let (&first, &last) = (bytes.first()?, bytes.last()?);
    if first == b' ' || matches!(last, b' ' | b',' | b';') {
        return None;
    }
    let mut comma = None;
    let mut previous = 0u8;
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b',' if comma.is_none() => comma = Some(at),
            b',' => return None,
            b' ' if previous == b' ' => return None,
            b' ' => {}
            _ if byte.is_ascii_graphic() => {}
            _ => return None,
        }
        previous = byte;
    }
    let comma = comma?;
    (comma > 0 && comma + 2 < bytes.len() && bytes[comma + 1] == b' ').then_some(comma)
}

/// Parses one author name as bibliographic exports write it:
/// `Family, Given` (RIS, CSV, BibTeX), `Family, Suffix, Given` (BibTeX), `Family GI` (MEDLINE
/// `AU`), or `Given Family` with particles (`Mart van Baalen`). Organisation names (several
/// words including one such as "Institute") stay whole. Returns `None` for an empty name.
pub fn parse_person(name: &str) -> Option<Person> {
    // Most names are `Family, Given` in plain ASCII with single spaces: split once and done.
    if let Some(comma) = plain_family_given(name.as_bytes()) {
        return Some(Person {
            family: name[..comma].to_owned(),
            given: Some(name[comma + 2..].to_owned()),
        });
    }
    let name = collapse_whitespace_cow(name.trim().trim_end_matches([',', ';']));
    if name.is_empty() {
        return None;
    }
    let mut parts = name.split(',').map(str::trim);
    let first = parts.next().unwrap_or_default();
    let second = parts.next();
    let third = parts.next();
    match (second, third, parts.next()) {
        (Some(suffix), Some(given), None) if !first.is_empty() && !given.is_empty() => {
            Some(Person {
                family: first.to_owned(),
                given: Some(format!("{given}, {suffix}")),
            })
        }
        (Some(given), None, None) if !first.is_empty() => Some(Person {
            family: first.to_owned(),
            given: (!given.is_empty()).then(|| given.to_owned()),
        }),
        (None, None, None) => Some(person_without_comma(&name)),
        _ => Some(Person::organisation(name.into_owned())),
    }
}

fn person_without_comma(name: &str) -> Person {
    let words: Vec<&str> = name.split(' ').collect();
    let lower = name.to_lowercase();
    let is_organisation = words.len() > 4
        || ORGANISATION_WORDS
            .iter()
            .any(|w| lower.split(' ').any(|x| x == *w));
    if words.len() == 1 || is_organisation {
        return Person::organisation(name);
    }
    // MEDLINE `AU`: "Griffin DK" — the last word is the initials.
    if let Some((last, rest)) = words.split_last()
        && last.trim_end_matches('.').len() <= 3
        && last.chars().all(|c| c.is_uppercase() || c == '.')
    {
        return Person {
            family: rest.join(" "),
            given: Some((*last).to_owned()),
        };
    }
    // "Given [particles] Family".
    let mut family_start = words.len() - 1;
    while family_start > 1 && PARTICLES.contains(&words[family_start - 1]) {
        family_start -= 1;
    }
    Person {
        family: words[family_start..].join(" "),
        given: Some(words[..family_start].join(" ")),
    }
}

/// What was wrong with a refused value, without the field name (the problem names the field
/// already): `"x" is not valid: expected …`.
pub fn value_problem(error: &ecolens_core::Error) -> String {
    match error {
        ecolens_core::Error::InvalidValue {
            value, expected, ..
        } => {
            format!("{value:?} is not valid: expected {expected}")
        }
        other => other.to_string(),
    }
}

/// The first run of exactly four digits that reads as a year from 1000 to 2999.
pub fn find_year(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let mut start = None;
    for index in 0..=bytes.len() {
        let digit = bytes.get(index).is_some_and(u8::is_ascii_digit);
        match (digit, start) {
            (true, None) => start = Some(index),
            (false, Some(s)) => {
                if index - s == 4 && matches!(bytes[s], b'1' | b'2') {
                    return text[s..index].parse().ok();
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

/// [`collapse_whitespace`] without allocating when the text, once trimmed, is already
/// collapsed (the common case).
pub fn collapse_whitespace_cow(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim();
    if is_collapsed(trimmed) {
        std::borrow::Cow::Borrowed(trimmed)
    } else {
        std::borrow::Cow::Owned(collapse_whitespace(trimmed))
    }
}

/// No white space but single ASCII spaces between words (the text is trimmed already).
/// Whether `text` has no white space but single spaces.
pub(crate) fn is_collapsed(text: &str) -> bool {
    if text.is_ascii() {
        static DOUBLE_SPACE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
        let bytes = text.as_bytes();
        DOUBLE_SPACE.find(bytes).is_none()
            && memchr::memchr3(b'\n', b'\r', b'\t', bytes).is_none()
            && memchr::memchr2(0x0b, 0x0c, bytes).is_none()
    } else {
        let mut previous_space = false;
        for c in text.chars() {
            let space = c == ' ';
            if (space && previous_space) || (!space && c.is_whitespace()) {
                return false;
            }
            previous_space = space;
        }
        true
    }
}

/// Collapses runs of white space (including line breaks) to single spaces and trims.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        for word in text.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    } else {
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Splits a keyword list on `;` (or `,` when there is no `;`), trims, drops empties and
/// case-insensitive repeats, keeping the first spelling and the order.
pub fn split_keywords(text: &str, into: &mut Vec<String>) {
    let separator = if text.contains(';') { ';' } else { ',' };
    for keyword in text.split(separator) {
        push_keyword(keyword, into);
    }
}

/// Adds one keyword unless it is empty or already there (ignoring case).
pub fn push_keyword(keyword: &str, into: &mut Vec<String>) {
    let keyword = keyword.trim();
    if !keyword.is_empty() && !into.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
        into.push(keyword.to_owned());
    }
}

/// Where a RIS tag glued onto a value starts: two or more spaces, then `XX  - `. Exports from
/// Rayyan and Embase write `DO  - 10.1038/…     LK  - https://…` on one line.
pub fn glued_tag_at(value: &str) -> Option<usize> {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  - "));
    let bytes = value.as_bytes();
    // Dashes are rare in values: look at each, rather than searching for the whole pattern.
    if bytes.len() < 256 {
        // `␣␣XX␣␣-␣`: the dash at `dash`, the tag four bytes before it.
        for dash in memchr::memchr_iter(b'-', bytes) {
            if dash >= 6
                && bytes.get(dash + 1) == Some(&b' ')
                && bytes[dash - 1] == b' '
                && bytes[dash - 2] == b' '
            {
                let tag = &bytes[dash - 4..dash - 2];
                let valid_tag = tag[0].is_ascii_uppercase()
                    && (tag[1].is_ascii_uppercase() || tag[1].is_ascii_digit());
                if valid_tag && bytes[dash - 5] == b' ' && bytes[dash - 6] == b' ' {
                    let mut start = dash - 4;
                    while start > 0 && bytes[start - 1] == b' ' {
                        start -= 1;
                    }
                    return Some(start);
                }
            }
        }
        return None;
    }
    let mut search = 0;
    while let Some(offset) = FINDER.find(&bytes[search..]) {
        let dash = search + offset;
        // `XX  - ` with XX a tag, preceded by at least two spaces.
        if dash >= 4 {
            let tag = &bytes[dash - 2..dash];
            let valid_tag = tag[0].is_ascii_uppercase()
                && (tag[1].is_ascii_uppercase() || tag[1].is_ascii_digit());
            if valid_tag && bytes[dash - 3] == b' ' && bytes[dash - 4] == b' ' {
                let mut start = dash - 2;
                while start > 0 && bytes[start - 1] == b' ' {
                    start -= 1;
                }
                return Some(start);
            }
        }
        search = dash + 1;
    }
    None
}

/// `value` without a glued tag and what followed it, and the glued tag with its value, if any.
pub fn split_glued(value: &str) -> (&str, Option<(&str, &str)>) {
    match glued_tag_at(value) {
        Some(start) => {
            let rest = value[start..].trim_start();
            let tag = &rest[..2];
            let glued = rest[2..]
                .trim_start()
                .strip_prefix('-')
                .unwrap_or_default()
                .trim();
            (value[..start].trim_end(), Some((tag, glued)))
        }
        None => (value, None),
    }
}

/// The DOI inside a resolver or publisher URL (`https://doi.org/…`, `…&doi=10.1016%2f…`).
pub fn doi_in_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let start = ["doi.org/", "doi=", "/doi/"]
        .iter()
        .find_map(|marker| lower.find(marker).map(|at| at + marker.len()))?;
    let rest = &url[start..];
    let end = rest.find(['&', '?', '#', ' ']).unwrap_or(rest.len());
    let candidate = rest[..end].replace("%2F", "/").replace("%2f", "/");
    candidate.starts_with("10.").then_some(candidate)
}

/// Lines of a text split on LF, CRLF or a lone CR (old Mac exports), without the line breaks.
pub struct Lines<'a> {
    text: &'a str,
    position: usize,
    /// Line feeds, found as the iteration goes, when the text has no carriage return at all
    /// (most files: one byte to look for, with the search kept between lines).
    newlines: Option<memchr::Memchr<'a>>,
}

impl<'a> Lines<'a> {
    /// Lines of `text`.
    pub fn new(text: &'a str) -> Self {
        Self::knowing_returns(text, memchr::memchr(b'\r', text.as_bytes()).is_some())
    }

    /// Lines of `text`, whose caller already knows whether it holds a carriage return (a
    /// reader that counted lines looked already).
    pub fn knowing_returns(text: &'a str, returns: bool) -> Self {
        Self {
            text,
            position: 0,
            newlines: (!returns).then(|| memchr::memchr_iter(b'\n', text.as_bytes())),
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        if self.position >= bytes.len() {
            return None;
        }
        let start = self.position;
        let found = match &mut self.newlines {
            Some(newlines) => newlines.next().map(|at| at - start),
            None => memchr::memchr2(b'\n', b'\r', &bytes[start..]),
        };
        match found {
            Some(offset) => {
                let end = start + offset;
                self.position = end + 1;
                if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                    self.position += 1;
                }
                Some(&self.text[start..end])
            }
            None => {
                self.position = bytes.len();
                Some(&self.text[start..])
            }
        }
    }
}

/// Counts lines up to offsets that only grow: a reader asking for the line of each record of
/// a file counts the file once, not once per record (which took quadratic time).
#[derive(Debug)]
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `text` (line 1).
    pub fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset`. An offset before the last one asked for is counted
    /// from the start again.
    pub fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.offset..offset]).count();
        self.offset = offset;
        self.line
    }
}

/// Cleans text extracted from a PDF: line endings unified, words hyphenated across line
/// breaks joined ("environ-\nmental"), runs of spaces and blank lines shortened, page breaks
/// (form feeds) kept.
pub fn collapse_pdf_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut blank_lines = 0;
    while i < chars.len() {
        let c = chars[i];
        // "environ-\nmental": a lower-case letter, a hyphen, a line break, a lower-case letter.
        if c == '-'
            && i > 0
            && chars[i - 1].is_lowercase()
            && chars.get(i + 1) == Some(&'\n')
            && chars.get(i + 2).is_some_and(|n| n.is_lowercase())
        {
            i += 2;
            continue;
        }
        match c {
            '\n' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                blank_lines += 1;
                if blank_lines <= 2 {
                    out.push('\n');
                }
            }
            ' ' | '\t' => {
                if !out.ends_with([' ', '\n', '\u{c}']) && !out.is_empty() {
                    out.push(' ');
                }
            }
            _ => {
                blank_lines = 0;
                out.push(c);
            }
        }
        i += 1;
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(family: &str, given: Option<&str>) -> Person {
        Person {
            family: family.into(),
            given: given.map(Into::into),
        }
    }

    #[test]
    fn names_in_the_shapes_exports_use() {
        assert_eq!(parse_person("Yang, Z."), Some(person("Yang", Some("Z."))));
        assert_eq!(
            parse_person("McNamara, M.E."),
            Some(person("McNamara", Some("M.E.")))
        );
        assert_eq!(
            parse_person("van Acker, B."),
            Some(person("van Acker", Some("B.")))
        );
        assert_eq!(
            parse_person("Griffin DK"),
            Some(person("Griffin", Some("DK")))
        );
        assert_eq!(
            parse_person("Mart van Baalen"),
            Some(person("van Baalen", Some("Mart")))
        );
        assert_eq!(
            parse_person("Jean-Pierre de la Cruz"),
            Some(person("de la Cruz", Some("Jean-Pierre")))
        );
        assert_eq!(
            parse_person("King, Jr., Martin Luther"),
            Some(person("King", Some("Martin Luther, Jr.")))
        );
        assert_eq!(
            parse_person("World Health Organization"),
            Some(Person::organisation("World Health Organization"))
        );
        assert_eq!(parse_person("Babur O."), Some(person("Babur", Some("O."))));
        assert_eq!(parse_person("Plato"), Some(Person::organisation("Plato")));
        assert_eq!(parse_person(" , "), None);
        assert_eq!(parse_person(""), None);
    }

    #[test]
    fn years_anywhere_in_a_date() {
        assert_eq!(find_year("2020 Feb"), Some(2020));
        assert_eq!(find_year("2024///"), Some(2024));
        assert_eq!(find_year("Spring 1998"), Some(1998));
        assert_eq!(find_year("10 15"), None);
        assert_eq!(find_year("12345"), None);
        assert_eq!(find_year("0999"), None);
    }

    #[test]
    fn glued_tags_are_found_and_split() {
        let doi =
            "10.1038/s41467-024-48400-3     LK  - https://utrechtuniversity.on.worldcat.org/x";
        assert_eq!(
            split_glued(doi),
            (
                "10.1038/s41467-024-48400-3",
                Some(("LK", "https://utrechtuniversity.on.worldcat.org/x"))
            )
        );
        let url = "https://www.embase.com/search?id=L2029880245&from=export     U2  - L2029880245";
        assert_eq!(split_glued(url).1, Some(("U2", "L2029880245")));
        assert_eq!(split_glued("A - B and C  - D"), ("A - B and C  - D", None));
        assert_eq!(split_glued("plain"), ("plain", None));
    }

    #[test]
    fn lines_split_on_every_kind_of_break() {
        let lines: Vec<_> = Lines::new("a\r\nb\rc\n\nd").collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
        assert_eq!(Lines::new("").count(), 0);
        assert_eq!(Lines::new("x\n").collect::<Vec<_>>(), ["x"]);
    }

    #[test]
    fn keywords_and_dois_in_urls() {
        let mut keywords = Vec::new();
        split_keywords("keratin;melanin; Keratin ;", &mut keywords);
        split_keywords("energy, machine learning", &mut keywords);
        assert_eq!(
            keywords,
            ["keratin", "melanin", "energy", "machine learning"]
        );
        assert_eq!(
            doi_in_url(
                "https://www.scopus.com/inward/record.uri?eid=2-s2.0-8505&doi=10.15598%2faeee.v16i3.2698&partnerID=40"
            ),
            Some("10.15598/aeee.v16i3.2698".into())
        );
        assert_eq!(
            doi_in_url("https://doi.org/10.1145/3381831"),
            Some("10.1145/3381831".into())
        );
        assert_eq!(doi_in_url("https://example.org/paper"), None);
    }

    #[test]
    fn pdf_text_is_cleaned_but_keeps_lines_and_pages() {
        assert_eq!(
            collapse_pdf_text(
                "Environ-\nmental  impacts\r\n\n\n\n\nof AI-\nBased tools \u{c}Page two"
            ),
            "Environmental impacts\n\nof AI-\nBased tools \u{c}Page two"
        );
    }
}

/// Where `terms` occur in `text`, as byte ranges in order, not overlapping: a term's words
/// must stand as whole words, in order, with only spaces or punctuation between them;
/// case is ignored; a term ending in `*` matches any word its last word begins. The
/// screening card highlights the review's include and exclude terms with these.
pub fn find_terms(text: &str, terms: &[String]) -> Vec<std::ops::Range<usize>> {
    // Words of the text: runs of letters and digits, with their byte ranges, lower-cased.
    let mut words: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                words.push((from..at, text[from..at].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    let patterns: Vec<(Vec<String>, bool)> = terms
        .iter()
        .filter_map(|term| {
            let prefix = term.trim_end().ends_with('*');
            let words: Vec<String> = term
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            (!words.is_empty()).then_some((words, prefix))
        })
        .collect();
    let mut found: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // The longest term matching here wins.
        let best = patterns
            .iter()
            .filter(|(pattern, prefix)| {
                pattern.len() <= words.len() - i
                    && pattern.iter().enumerate().all(|(k, p)| {
                        let word = &words[i + k].1;
                        if *prefix && k + 1 == pattern.len() {
                            word.starts_with(p.as_str())
                        } else {
                            word == p
                        }
                    })
            })
            .map(|(pattern, _)| pattern.len())
            .max();
        match best {
            Some(n) => {
                found.push(words[i].0.start..words[i + n - 1].0.end);
                i += n;
            }
            None => i += 1,
        }
    }
    found
}

#[cfg(test)]
mod find_terms_tests {
    use super::find_terms;

    fn terms(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn whole_words_and_phrases_any_case_and_prefixes_with_a_star() {
        let text = "Neural networks cut energy; a NEURAL-network model. Carbonate is not carbon.";
        let found = find_terms(text, &terms(&["neural network*", "carbon", "energy"]));
        let words: Vec<&str> = found.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            words,
            ["Neural networks", "energy", "NEURAL-network", "carbon"]
        );
        // No term, or only punctuation: nothing.
        assert!(find_terms(text, &terms(&["", "--"])).is_empty());
        // Byte ranges stay on the text's characters.
        let text = "Énergie et énergie";
        let found = find_terms(text, &terms(&["énergie"]));
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].clone()], "Énergie");
    }
}
