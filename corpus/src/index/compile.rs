//! Turning a parsed query into a tantivy query, and the query a reader may ask while blind.

#[allow(clippy::wildcard_imports)] // The index's modules share its imports and helpers.
use super::*;

impl SearchIndex {
    /// Turns a parsed query into a tantivy query; `None` when nothing searchable is left
    /// (every word was punctuation).
    pub(super) fn compile(&self, query: &Query) -> Option<Box<dyn TantivyQuery>> {
        let f = self.fields;
        match query {
            Query::All => Some(Box::new(AllQuery)),
            Query::And(parts) => {
                let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = parts
                    .iter()
                    .filter_map(|part| match part {
                        Query::Not(inner) => self.compile(inner).map(|q| (Occur::MustNot, q)),
                        other => self.compile(other).map(|q| (Occur::Must, q)),
                    })
                    .collect();
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    return None;
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Query::Or(parts) => {
                let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = parts
                    .iter()
                    .filter_map(|part| self.compile(part).map(|q| (Occur::Should, q)))
                    .collect();
                (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<_>)
            }
            Query::Not(inner) => {
                let inner = self.compile(inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                    (Occur::MustNot, inner),
                ])))
            }
            Query::Text { fields, value } => {
                let mut per_field: Vec<Box<dyn TantivyQuery>> = fields
                    .iter()
                    .filter_map(|field| {
                        self.text_query(*field, value).map(|q| {
                            Box::new(BoostQuery::new(q, boost(*field))) as Box<dyn TantivyQuery>
                        })
                    })
                    .collect();
                match per_field.len() {
                    0 => None,
                    1 => per_field.pop(),
                    _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                        per_field, 0.1,
                    ))),
                }
            }
            Query::Year { from, to } => {
                let bound = |year: &Option<i32>| match year.and_then(|y| u64::try_from(y).ok()) {
                    Some(y) => Bound::Included(Term::from_field_u64(f.year, y)),
                    None => Bound::Unbounded,
                };
                let (low, high) = (bound(from), bound(to));
                let range: Box<dyn TantivyQuery> =
                    if matches!((&low, &high), (Bound::Unbounded, Bound::Unbounded)) {
                        Box::new(RangeQuery::new(
                            Bound::Included(Term::from_field_u64(f.year, 0)),
                            Bound::Unbounded,
                        ))
                    } else {
                        Box::new(RangeQuery::new(low, high))
                    };
                Some(Box::new(ConstScoreQuery::new(range, 0.0)))
            }
            Query::Identifier(token) => Some(Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f.identifier, token),
                    IndexRecordOption::Basic,
                )),
                1.0,
            ))),
            Query::Facet(token) => Some(Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f.facet, token),
                    IndexRecordOption::Basic,
                )),
                0.0,
            ))),
        }
    }
    /// A phrase. In stemmed fields pairs of common words are indexed as single tokens: a
    /// two-word phrase of common words is one term, and a longer phrase checks word positions
    /// only in records that hold each of its common pairs.
    pub(super) fn phrase_query(&self, field: TextField, terms: Vec<Term>) -> Box<dyn TantivyQuery> {
        let index_field = self.fields.text(field);
        let words: Vec<String> = terms
            .iter()
            .filter_map(|t| t.value().as_str().map(str::to_owned))
            .collect();
        let pairs: Vec<Term> = if stemmed(field) {
            words
                .windows(2)
                .filter(|pair| pair.iter().all(|w| self.common.contains(w)))
                .map(|pair| Term::from_field_text(index_field, &format!("{} {}", pair[0], pair[1])))
                .collect()
        } else {
            Vec::new()
        };
        if terms.len() == 2
            && let [pair] = pairs.as_slice()
        {
            return Box::new(TermQuery::new(pair.clone(), IndexRecordOption::WithFreqs));
        }
        let phrase: Box<dyn TantivyQuery> = Box::new(PhraseQuery::new(terms));
        if pairs.is_empty() {
            return phrase;
        }
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(Occur::Must, phrase)];
        for pair in pairs {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(pair, IndexRecordOption::Basic)),
                    0.0,
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }
    pub(super) fn text_query(
        &self,
        field: TextField,
        value: &TextValue,
    ) -> Option<Box<dyn TantivyQuery>> {
        let index_field = self.fields.text(field);
        let mut field_analyzer = analyzer(stemmed(field));
        match value {
            TextValue::Word(text) | TextValue::Phrase(text) => {
                let terms: Vec<Term> = tokens(&mut field_analyzer, text)
                    .into_iter()
                    .map(|(token, _)| Term::from_field_text(index_field, &token))
                    .collect();
                match terms.len() {
                    0 => None,
                    1 => Some(Box::new(TermQuery::new(
                        terms.into_iter().next()?,
                        IndexRecordOption::WithFreqs,
                    ))),
                    _ => Some(self.phrase_query(field, terms)),
                }
            }
            TextValue::Prefix(prefix) => {
                let mut plain = analyzer(false);
                let folded: Vec<String> = tokens(&mut plain, prefix)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                let [folded] = folded.as_slice() else {
                    return None;
                };
                let mut alternatives: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(
                    Occur::Should,
                    Box::new(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(index_field, folded),
                        0,
                        true,
                    )),
                )];
                if stemmed(field) {
                    // Stemming can cut a word shorter than the prefix typed ("environmental"
                    // is indexed as "environ"); also look for the stem and short cuts of the
                    // prefix.
                    let mut exact: BTreeSet<String> = BTreeSet::new();
                    for (token, _) in tokens(&mut field_analyzer, folded) {
                        exact.insert(token);
                    }
                    let chars: Vec<char> = folded.chars().collect();
                    for keep in chars.len().saturating_sub(3).max(3)..chars.len() {
                        exact.insert(chars[..keep].iter().collect());
                    }
                    for token in exact {
                        alternatives.push((
                            Occur::Should,
                            Box::new(TermQuery::new(
                                Term::from_field_text(index_field, &token),
                                IndexRecordOption::WithFreqs,
                            )),
                        ));
                    }
                }
                Some(Box::new(BooleanQuery::new(alternatives)))
            }
        }
    }
}

/// The query a reader may ask: as typed when it does not select by judgements or the reader
/// sees everyone's; over the reader's own judgements otherwise ([`Query::for_reviewer`]); a
/// reader who is not named cannot select by judgements while blind mode hides them.
pub(super) fn shown<'q>(
    seen: &Visibility,
    query: &'q Query,
) -> Result<std::borrow::Cow<'q, Query>> {
    if !query.uses_judgements() || seen.sees_everyone() {
        return Ok(std::borrow::Cow::Borrowed(query));
    }
    match seen.reader_id() {
        Some(reader) => Ok(std::borrow::Cow::Owned(query.for_reviewer(reader.0))),
        None => Err(Error::Blind),
    }
}
