//! What a hit shows: the words of a query marked in titles and texts, and the best snippet.

#[allow(clippy::wildcard_imports)] // The index's modules share its imports and helpers.
use super::*;

impl SearchIndex {
    /// Highlights for records a query matched: the title's matched words and the best
    /// snippet, for the rows on screen. Records no longer in the project are left out; the
    /// scores are those given in `ids`.
    pub fn highlight(
        project: &Project,
        query: &Query,
        ids: &[(RecordId, f32)],
    ) -> Result<Vec<Hit>> {
        let terms = HighlightTerms::of(query);
        let mut hits = Vec::with_capacity(ids.len());
        for &(id, score) in ids {
            let record = match project.record(id) {
                Ok(stored) => stored.record,
                Err(ecolens_core::Error::NotFound { .. }) => continue,
                Err(error) => return Err(error.into()),
            };
            let title_highlights = terms.highlight(TextField::Title, &record.title);
            let snippet = Self::snippet(project, &terms, id, &record)?;
            hits.push(Hit {
                id,
                title_highlights,
                authors: ecolens_core::record::short_authors(&record.authors),
                year: record.year,
                venue: record.venue.clone(),
                title: record.title,
                score,
                snippet,
            });
        }
        Ok(hits)
    }
    /// Byte ranges of `text` (a field of a record) that `query` matches: for highlighting a
    /// record's abstract or full text in the record view.
    pub fn highlight_text(query: &Query, field: TextField, text: &str) -> Vec<(usize, usize)> {
        HighlightTerms::of(query).highlight(field, text)
    }
    /// The best snippet of a hit: abstract, else full text, else keywords, each only if it
    /// holds a match; else the abstract's beginning.
    pub(super) fn snippet(
        project: &Project,
        terms: &HighlightTerms,
        id: RecordId,
        record: &ecolens_core::Record,
    ) -> Result<Option<Snippet>> {
        if let Some(text) = &record.abstract_text
            && let Some(snippet) = terms.snippet(TextField::Abstract, text)
        {
            return Ok(Some(snippet));
        }
        if terms.wants(TextField::FullText)
            && let Some(full) = project.full_text(id)?
            && let Some(snippet) = terms.snippet(TextField::FullText, &full.text)
        {
            return Ok(Some(snippet));
        }
        if !record.keywords.is_empty() {
            let joined = record.keywords.join("; ");
            if let Some(snippet) = terms.snippet(TextField::Keywords, &joined) {
                return Ok(Some(snippet));
            }
        }
        Ok(record.abstract_text.as_ref().map(|text| {
            let end = text
                .char_indices()
                .nth(SNIPPET_CHARS)
                .map_or(text.len(), |(at, _)| at);
            Snippet {
                field: TextField::Abstract,
                text: text[..end].to_owned(),
                highlights: Vec::new(),
            }
        }))
    }
}

/// The words of a query to mark in one field.
#[derive(Debug, Default)]
pub(super) struct FieldTerms {
    /// Single tokens.
    words: BTreeSet<String>,
    /// Token sequences (phrases, words that split into several tokens).
    sequences: BTreeSet<Vec<String>>,
    /// Prefixes of original (folded, unstemmed) words.
    prefixes: BTreeSet<String>,
}

/// The words of a query to mark in results, per field. Words under `NOT` are not marked.
pub(super) struct HighlightTerms {
    fields: BTreeMap<TextField, FieldTerms>,
}

/// A match in a text: its byte range and which query term it is (for counting distinct terms).
pub(super) type Match = (std::ops::Range<usize>, usize);

impl HighlightTerms {
    pub(super) fn of(query: &Query) -> Self {
        let mut terms = Self {
            fields: BTreeMap::new(),
        };
        terms.collect(query);
        terms
    }

    pub(super) fn collect(&mut self, query: &Query) {
        match query {
            Query::And(parts) | Query::Or(parts) => {
                for part in parts {
                    self.collect(part);
                }
            }
            Query::Text { fields, value } => {
                for field in fields {
                    let entry = self.fields.entry(*field).or_default();
                    match value {
                        TextValue::Word(text) | TextValue::Phrase(text) => {
                            let mut field_analyzer = analyzer(stemmed(*field));
                            let tokens: Vec<String> = tokens(&mut field_analyzer, text)
                                .into_iter()
                                .map(|(token, _)| token)
                                .collect();
                            match tokens.len() {
                                0 => {}
                                1 => {
                                    entry.words.extend(tokens);
                                }
                                _ => {
                                    entry.sequences.insert(tokens);
                                }
                            }
                        }
                        TextValue::Prefix(prefix) => {
                            let mut plain = analyzer(false);
                            if let Some((folded, _)) = tokens(&mut plain, prefix).into_iter().next()
                            {
                                entry.prefixes.insert(folded);
                            }
                        }
                    }
                }
            }
            Query::All
            | Query::Not(_)
            | Query::Year { .. }
            | Query::Identifier(_)
            | Query::Facet(_) => {}
        }
    }

    pub(super) fn wants(&self, field: TextField) -> bool {
        self.fields.get(&field).is_some_and(|terms| {
            !terms.words.is_empty() || !terms.sequences.is_empty() || !terms.prefixes.is_empty()
        })
    }

    /// The matches of the query's terms in `text`, in order, not overlapping.
    pub(super) fn matches(&self, field: TextField, text: &str) -> Vec<Match> {
        let Some(terms) = self.fields.get(&field) else {
            return Vec::new();
        };
        let mut field_analyzer = analyzer(stemmed(field));
        let tokens = tokens(&mut field_analyzer, text);
        // The plain analyzer splits exactly as the stemming one: same tokenizer, same
        // length filter; the streams line up one to one.
        let originals: Vec<String> = if terms.prefixes.is_empty() {
            Vec::new()
        } else {
            let mut plain = analyzer(false);
            self::tokens(&mut plain, text)
                .into_iter()
                .map(|(t, _)| t)
                .collect()
        };
        let words: Vec<&String> = terms.words.iter().collect();
        let sequences: Vec<&Vec<String>> = terms.sequences.iter().collect();
        let prefixes: Vec<&String> = terms.prefixes.iter().collect();
        let mut found = Vec::new();
        let mut at = 0;
        'tokens: while at < tokens.len() {
            for (key, sequence) in sequences.iter().enumerate() {
                let end = at + sequence.len();
                if end <= tokens.len()
                    && tokens[at..end]
                        .iter()
                        .zip(sequence.iter())
                        .all(|((token, _), wanted)| token == wanted)
                {
                    found.push((tokens[at].1.start..tokens[end - 1].1.end, key));
                    at = end;
                    continue 'tokens;
                }
            }
            let (token, range) = &tokens[at];
            if let Some(key) = words.iter().position(|word| *word == token) {
                found.push((range.clone(), sequences.len() + key));
            } else if let Some(original) = originals.get(at)
                && let Some(key) = prefixes
                    .iter()
                    .position(|p| original.starts_with(p.as_str()))
            {
                found.push((range.clone(), sequences.len() + words.len() + key));
            }
            at += 1;
        }
        found
    }

    /// Byte ranges of `text` that match in `field`.
    pub(super) fn highlight(&self, field: TextField, text: &str) -> Vec<(usize, usize)> {
        if !self.wants(field) {
            return Vec::new();
        }
        self.matches(field, text)
            .into_iter()
            .map(|(range, _)| (range.start, range.end))
            .collect()
    }

    /// A window of about [`SNIPPET_CHARS`] characters of `text` holding the most distinct
    /// matches in `field` (the earliest such window), cut at word boundaries and marked with
    /// `…` where text was left out; `None` when nothing matches.
    pub(super) fn snippet(&self, field: TextField, text: &str) -> Option<Snippet> {
        if !self.wants(field) {
            return None;
        }
        let matches = self.matches(field, text);
        if matches.is_empty() {
            return None;
        }
        // Context shown before the first match of the window.
        let lead = SNIPPET_CHARS / 6;
        let byte_window = |start: usize| -> usize {
            text[start..]
                .char_indices()
                .nth(SNIPPET_CHARS)
                .map_or(text.len(), |(at, _)| start + at)
        };
        let mut best: Option<(usize, usize, usize)> = None; // (distinct, count, first match)
        for first in 0..matches.len() {
            let end = byte_window(matches[first].0.start);
            let inside: Vec<&Match> = matches[first..]
                .iter()
                .take_while(|(range, _)| range.end <= end)
                .collect();
            let distinct: BTreeSet<usize> = inside.iter().map(|(_, key)| *key).collect();
            let candidate = (distinct.len(), inside.len(), first);
            if best.is_none_or(|(d, c, _)| (candidate.0, candidate.1) > (d, c)) {
                best = Some(candidate);
            }
        }
        let (_, _, first) = best?;
        let anchor = matches[first].0.start;
        // Start a little before the first match, at a word boundary.
        let back = text[..anchor]
            .char_indices()
            .rev()
            .nth(lead)
            .map_or(0, |(at, _)| at);
        let start = if back == 0 {
            0
        } else {
            text[back..anchor]
                .find(char::is_whitespace)
                .map_or(anchor, |space| back + space + 1)
        };
        let mut end = byte_window(start);
        if end < text.len()
            && let Some(space) = text[start..end].rfind(char::is_whitespace)
            && start + space > anchor
        {
            end = start + space;
        }
        let mut shown = String::new();
        let mut shift = 0;
        if start > 0 {
            shown.push('…');
            shift = '…'.len_utf8();
        }
        shown.push_str(&collapse_spaces(&text[start..end]));
        let collapsed_same = text[start..end].len() == shown.len() - shift;
        if end < text.len() {
            shown.push('…');
        }
        let highlights = if collapsed_same {
            matches
                .iter()
                .filter(|(range, _)| range.start >= start && range.end <= end)
                .map(|(range, _)| (range.start - start + shift, range.end - start + shift))
                .collect()
        } else {
            // White space was collapsed: find the matches again in the text shown.
            self.highlight(field, &shown)
        };
        Some(Snippet {
            field,
            text: shown,
            highlights,
        })
    }
}

/// Runs of white space (line breaks of extracted text) as one space.
pub(super) fn collapse_spaces(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\r', '\t']) && !text.contains("  ") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    std::borrow::Cow::Owned(out)
}
