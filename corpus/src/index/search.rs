//! Searching: ranked hits with highlights, every matching id, the ranked list the workbench
//! pages through; each asked as the reader may ([`super::compile::shown`]).

#[allow(clippy::wildcard_imports)] // The index's modules share its imports and helpers.
use super::*;

impl SearchIndex {
    /// Searches with a query typed by a reviewer (see [`crate::query`]), as `seen` may.
    pub fn search(
        &self,
        project: &Project,
        seen: &Visibility,
        text: &str,
        page: Page,
    ) -> Result<SearchResults> {
        let query = parse(text)?;
        self.search_query(project, seen, &query, page)
    }
    /// Searches with a parsed query, as `seen` may ([`shown`]).
    pub fn search_query(
        &self,
        project: &Project,
        seen: &Visibility,
        query: &Query,
        page: Page,
    ) -> Result<SearchResults> {
        let compiled = self.compiled(&*shown(seen, query)?)?;
        let searcher = self.reader.searcher();
        let collector = (
            TopDocs::with_limit(page.limit.max(1))
                .and_offset(page.offset)
                .order_by_score(),
            Count,
        );
        let (top, total) = searcher
            .search(&*compiled, &collector)
            .map_err(index_error("searching"))?;
        let mut ids = IdReader::new(&searcher);
        let mut scored = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(page.limit) {
            if let Some(id) = ids.id(address)? {
                scored.push((id, score));
            }
        }
        Ok(SearchResults {
            query: query.to_string(),
            total,
            hits: Self::highlight(project, query, &scored)?,
        })
    }
    /// The index query for a parsed query, or the error a query without searchable words
    /// gets.
    pub(super) fn compiled(&self, query: &Query) -> Result<Box<dyn TantivyQuery>> {
        self.compile(query).ok_or_else(|| {
            Error::Query(crate::query::QueryError {
                column: 1,
                message: "nothing to search for: the query has no searchable words".into(),
            })
        })
    }
    /// Every record matching a query as `seen` may ask it ([`shown`]), in id order (for
    /// exporting a selection).
    pub fn matching_ids(&self, seen: &Visibility, text: &str) -> Result<Vec<RecordId>> {
        let query = parse(text)?;
        let compiled = self.compiled(&*shown(seen, &query)?)?;
        let searcher = self.reader.searcher();
        let addresses = searcher
            .search(&*compiled, &tantivy::collector::DocSetCollector)
            .map_err(index_error("searching"))?;
        let mut reader = IdReader::new(&searcher);
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            ids.extend(reader.id(address)?);
        }
        ids.sort_unstable();
        Ok(ids)
    }
    /// Every record matching a parsed query with its relevance, best first (ties by id): the
    /// workbench's ranked result list, of which it shows only the rows on screen. Asked as
    /// `seen` may ([`shown`]).
    pub fn ranked_ids(&self, seen: &Visibility, query: &Query) -> Result<Vec<(RecordId, f32)>> {
        let compiled = self.compiled(&*shown(seen, query)?)?;
        let searcher = self.reader.searcher();
        let total = searcher
            .search(&*compiled, &Count)
            .map_err(index_error("searching"))?;
        if total == 0 {
            return Ok(Vec::new());
        }
        let top = searcher
            .search(&*compiled, &TopDocs::with_limit(total).order_by_score())
            .map_err(index_error("searching"))?;
        let mut reader = IdReader::new(&searcher);
        let mut ranked = Vec::with_capacity(top.len());
        for (score, address) in top {
            if let Some(id) = reader.id(address)? {
                ranked.push((id, score));
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(ranked)
    }
}
