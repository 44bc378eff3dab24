//! The index's fields and what one record's document holds: its text fields, identifiers,
//! years, and facet tokens (judgement facets over everyone and over each reviewer's own).

#[allow(clippy::wildcard_imports)] // The index's modules share its imports and helpers.
use super::*;

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) title: Field,
    pub(super) abstract_text: Field,
    pub(super) authors: Field,
    pub(super) keywords: Field,
    pub(super) venue: Field,
    pub(super) full_text: Field,
    pub(super) year: Field,
    pub(super) identifier: Field,
    pub(super) facet: Field,
}

impl Fields {
    pub(super) fn text(self, field: TextField) -> Field {
        match field {
            TextField::Title => self.title,
            TextField::Abstract => self.abstract_text,
            TextField::Authors => self.authors,
            TextField::Keywords => self.keywords,
            TextField::Venue => self.venue,
            TextField::FullText => self.full_text,
        }
    }
}

/// How much each field counts when a word names no field.
pub(super) fn boost(field: TextField) -> f32 {
    match field {
        TextField::Title => 3.0,
        TextField::Keywords | TextField::Authors => 2.0,
        TextField::Abstract => 1.0,
        TextField::FullText => 0.7,
        TextField::Venue => 0.5,
    }
}

pub(super) fn stemmed(field: TextField) -> bool {
    !matches!(field, TextField::Authors | TextField::Venue)
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | FAST),
        title: builder.add_text_field("title", text(STEMMED)),
        abstract_text: builder.add_text_field("abstract", text(STEMMED)),
        authors: builder.add_text_field("authors", text(PLAIN)),
        keywords: builder.add_text_field("keywords", text(STEMMED)),
        venue: builder.add_text_field("venue", text(PLAIN)),
        full_text: builder.add_text_field("fulltext", text(STEMMED)),
        year: builder.add_u64_field("year", INDEXED | FAST),
        identifier: builder.add_text_field("identifier", STRING),
        facet: builder.add_text_field("facet", STRING),
    };
    (builder.build(), fields)
}

impl SearchIndex {
    /// The index document of a record.
    pub(super) fn document(&self, doc: &IndexDoc) -> TantivyDocument {
        self.document_of(&DocParts {
            id: doc.id,
            record: &doc.record,
            full_text: doc.full_text.as_deref(),
            review: &doc.review,
            files: &doc.files,
        })
    }
    /// The index document of a record, from its parts.
    pub(super) fn document_of(&self, doc: &DocParts<'_>) -> TantivyDocument {
        let f = self.fields;
        let record = doc.record;
        let mut out = TantivyDocument::default();
        out.add_u64(f.id, u64::try_from(doc.id.0).unwrap_or(0));
        out.add_text(f.title, &record.title);
        if let Some(text) = &record.abstract_text {
            out.add_text(f.abstract_text, text);
        }
        // Editors are searched as authors: `author:Hilty` finds the book Hilty edited.
        for person in record.authors.iter().chain(&record.editors) {
            out.add_text(f.authors, person.to_string());
        }
        for keyword in &record.keywords {
            out.add_text(f.keywords, keyword);
        }
        for venue in [&record.venue, &record.publisher].into_iter().flatten() {
            out.add_text(f.venue, venue);
        }
        if let Some(text) = doc.full_text {
            out.add_text(f.full_text, text);
        }
        if let Some(year) = record.year.and_then(|y| u64::try_from(y).ok()) {
            out.add_u64(f.year, year);
        }
        if let Some(doi) = &record.doi {
            out.add_text(f.identifier, format!("doi:{}", doi.key()));
        }
        if let Some(pmid) = &record.pmid {
            out.add_text(f.identifier, format!("pmid:{}", pmid.as_str()));
        }
        if let Some(arxiv) = &record.arxiv {
            out.add_text(
                f.identifier,
                format!("arxiv:{}", arxiv.as_str().to_lowercase()),
            );
        }
        for facet in facets(doc) {
            out.add_text(f.facet, facet);
        }
        out
    }
}

/// What an index document is made of, borrowed.
pub(super) struct DocParts<'a> {
    pub(super) id: RecordId,
    pub(super) record: &'a ecolens_core::Record,
    pub(super) full_text: Option<&'a str>,
    pub(super) review: &'a ReviewFacets,
    pub(super) files: &'a [String],
}

/// The facet tokens of a record (lower case, `name:value`): the judgement facets over
/// everyone's judgements and, for each reviewer, over their own ([`own_token`]), then the
/// record's own facets.
pub(super) fn facets(doc: &DocParts<'_>) -> Vec<String> {
    let record = doc.record;
    let review = doc.review;
    let mut out = judgement_tokens(review);
    for reviewer in review.authors() {
        let own = review.by(reviewer);
        if !own.votes.is_empty() {
            out.push(own_token(reviewer.0, SCREENED));
        }
        out.extend(
            judgement_tokens(&own)
                .into_iter()
                .filter(|token| token != "decision:unscreened")
                .map(|token| own_token(reviewer.0, &token)),
        );
    }
    let has = [
        ("title", !record.title.is_empty()),
        ("abstract", record.abstract_text.is_some()),
        ("doi", record.doi.is_some()),
        ("pmid", record.pmid.is_some()),
        ("arxiv", record.arxiv.is_some()),
        ("keywords", !record.keywords.is_empty()),
        ("fulltext", doc.full_text.is_some()),
        ("lca", review.has_lca),
        ("trace", review.has_trace),
    ];
    for (name, present) in has {
        if present {
            out.push(format!("has:{name}"));
        }
    }
    out.push(format!("kind:{}", record.kind.code()));
    for file in doc.files {
        out.push(format!("file:{}", file.to_lowercase()));
    }
    out
}

/// The judgement facet tokens ([`crate::query::is_judgement`]) of some review facets.
pub(super) fn judgement_tokens(review: &ReviewFacets) -> Vec<String> {
    let mut out = Vec::new();
    let (status, stage) = review.screening();
    out.push(format!("decision:{}", status.code()));
    if let Some(stage) = stage {
        out.push(format!("stage:{}", stage.code()));
    }
    let categories = review.categories();
    for category in &categories {
        out.push(format!("category:{}", category.code().to_lowercase()));
    }
    let effects = review.effects();
    let mut effect_tokens: BTreeSet<String> = BTreeSet::new();
    for effect in &effects {
        let code = effect.code().to_lowercase();
        let mut prefix = String::new();
        for (i, part) in code.split('.').enumerate() {
            if i > 0 {
                prefix.push('.');
            }
            prefix.push_str(part);
            effect_tokens.insert(format!("rebound:{prefix}"));
        }
    }
    out.extend(effect_tokens);
    for (vocabulary, code) in review.labels() {
        out.push(format!("label:{}", code.to_lowercase()));
        out.push(format!(
            "label:{}/{}",
            vocabulary.to_lowercase(),
            code.to_lowercase()
        ));
    }
    if !categories.is_empty() {
        out.push("has:category".to_owned());
    }
    if !effects.is_empty() {
        out.push("has:rebound".to_owned());
    }
    out
}
