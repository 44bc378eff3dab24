//! Duplicate detection the way a careful reviewer works, at least as strict as Zotero's rules,
//! explainable and in linear time (hash maps, no pairwise comparison):
//!
//! 1. same DOI, PMID or arXiv id → duplicate (an arXiv match between records with two
//!    different DOIs is a preprint and its publication, not a duplicate);
//! 2. otherwise same normalised title (Unicode NFKD, case, punctuation and spacing ignored),
//!    years at most one apart and at least one author surname in common → duplicate; two
//!    different DOIs veto it;
//! 3. a preprint and a published record with the same title and a shared author are related
//!    (`preprint_of`), not merged;
//! 4. errata, corrections and retraction notices whose title embeds another record's title (or
//!    names its DOI) are related (`erratum_of`), never merged;
//! 5. same title but no shared author, or years further apart, is a `possible_duplicate` for a
//!    human to judge.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use ecolens_core::{DedupRow, Doi, MergeRule, Record, RecordId, RecordKind, RelationKind};

/// The verdict on one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Check {
    /// The record it duplicates, the rule that fired and why.
    pub duplicate: Option<(RecordId, MergeRule, String)>,
    /// Relations from the checked record to others (erratum of, preprint of, possible duplicate).
    pub relations: Vec<(RecordId, RelationKind, String)>,
}

/// What is kept per known record.
#[derive(Debug, Clone)]
struct Entry {
    id: RecordId,
    year: Option<i32>,
    surnames: Box<[u64]>,
    doi: Option<u64>,
    preprint: bool,
}

/// The identifying data of a record, from a parsed record or a stored one.
struct Keys<'a> {
    title: &'a str,
    year: Option<i32>,
    doi_key: Option<String>,
    pmid: Option<&'a str>,
    arxiv: Option<&'a str>,
    families: Vec<&'a str>,
    preprint: bool,
}

impl<'a> Keys<'a> {
    fn of_record(record: &'a Record) -> Self {
        let doi_key = record.doi.as_ref().map(Doi::key);
        let preprint = is_preprint(record.kind, doi_key.as_deref(), record.venue.as_deref());
        Self {
            title: &record.title,
            year: record.year,
            doi_key,
            pmid: record.pmid.as_ref().map(ecolens_core::Pmid::as_str),
            arxiv: record.arxiv.as_ref().map(ecolens_core::ArxivId::as_str),
            // An edited book is known by its editors.
            families: if record.authors.is_empty() {
                &record.editors
            } else {
                &record.authors
            }
            .iter()
            .map(|a| a.family.as_str())
            .collect(),
            preprint,
        }
    }

    fn of_row(row: &'a DedupRow) -> Self {
        Self {
            title: &row.title,
            year: row.year,
            doi_key: row.doi_key.clone(),
            pmid: row.pmid.as_deref(),
            arxiv: row.arxiv.as_deref(),
            families: row.families.iter().map(String::as_str).collect(),
            preprint: is_preprint(row.kind, row.doi_key.as_deref(), row.venue.as_deref()),
        }
    }
}

/// Known records, indexed by their identifiers and normalised title.
#[derive(Debug, Default)]
pub struct DedupIndex {
    entries: Vec<Entry>,
    by_doi: HashMap<u64, u32>,
    by_pmid: HashMap<u64, u32>,
    by_arxiv: HashMap<u64, u32>,
    by_title: HashMap<u64, u32>,
    /// Next entry with the same title (`u32::MAX` ends the chain).
    next_same_title: Vec<u32>,
    /// Correction notices whose corrected record is not known yet, by the title they embed
    /// and by the DOIs they name; resolved when that record is added.
    pending_errata_by_title: HashMap<u64, Vec<RecordId>>,
    pending_errata_by_doi: HashMap<u64, Vec<RecordId>>,
}

const END: u32 = u32::MAX;

impl DedupIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of records known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when no record is known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a stored record; returns the relations it resolves (correction notices already
    /// known that name this record).
    pub fn add_row(&mut self, row: &DedupRow) -> Vec<(RecordId, RecordId, RelationKind, String)> {
        self.add_keys(row.id, &Keys::of_row(row))
    }

    /// Adds a record just imported under `id`; returns the relations it resolves, as
    /// `(from, to, kind, reason)`: correction notices seen before it that correct it, and, if
    /// it is itself a notice whose target is not known yet, it waits for that target.
    pub fn add(
        &mut self,
        id: RecordId,
        record: &Record,
    ) -> Vec<(RecordId, RecordId, RelationKind, String)> {
        self.add_keys(id, &Keys::of_record(record))
    }

    fn add_keys(
        &mut self,
        id: RecordId,
        keys: &Keys<'_>,
    ) -> Vec<(RecordId, RecordId, RelationKind, String)> {
        let mut resolved = Vec::new();
        if let Some(doi_key) = keys.doi_key.as_deref()
            && let Some(errata) = self.pending_errata_by_doi.remove(&hash(doi_key))
        {
            for erratum in errata {
                resolved.push((
                    erratum,
                    id,
                    RelationKind::ErratumOf,
                    format!("correction notice naming DOI {doi_key}"),
                ));
            }
        }
        if let Some(errata) = self
            .pending_errata_by_title
            .remove(&hash(&title_key(keys.title)))
        {
            for erratum in errata {
                if !resolved.iter().any(|(from, ..)| *from == erratum) {
                    resolved.push((
                        erratum,
                        id,
                        RelationKind::ErratumOf,
                        "correction notice whose title embeds this record's title".into(),
                    ));
                }
            }
        }
        if strip_erratum_prefixes(keys.title).is_some()
            && self.erratum_target_of(keys.title).is_none()
        {
            if let Some(stripped) = strip_erratum_prefixes(keys.title) {
                self.pending_errata_by_title
                    .entry(hash(&title_key(stripped)))
                    .or_default()
                    .push(id);
            }
            for doi in dois_in_text(keys.title) {
                self.pending_errata_by_doi
                    .entry(hash(&doi.key()))
                    .or_default()
                    .push(id);
            }
        }
        self.index_keys(id, keys);
        resolved
    }

    fn index_keys(&mut self, id: RecordId, keys: &Keys<'_>) {
        let index = u32::try_from(self.entries.len()).unwrap_or(END - 1);
        let doi = keys.doi_key.as_deref().map(hash);
        if let Some(doi) = doi {
            self.by_doi.entry(doi).or_insert(index);
        }
        if let Some(pmid) = keys.pmid {
            self.by_pmid.entry(hash(pmid)).or_insert(index);
        }
        if let Some(arxiv) = keys.arxiv {
            self.by_arxiv.entry(hash(arxiv)).or_insert(index);
        }
        let title = title_key(keys.title);
        let mut next = END;
        if !title.is_empty() {
            let title_hash = hash(&title);
            if let Some(previous) = self.by_title.insert(title_hash, index) {
                next = previous;
            }
        }
        self.next_same_title.push(next);
        self.entries.push(Entry {
            id,
            year: keys.year,
            surnames: keys.families.iter().map(|f| hash(&title_key(f))).collect(),
            doi,
            preprint: keys.preprint,
        });
    }

    /// The record with this DOI, if known.
    pub fn find_doi(&self, doi: &Doi) -> Option<RecordId> {
        self.by_doi
            .get(&hash(&doi.key()))
            .map(|&index| self.entries[index as usize].id)
    }

    /// The records whose normalised title is that of `title`.
    pub fn find_title(&self, title: &str) -> Vec<RecordId> {
        let key = title_key(title);
        let mut found = Vec::new();
        if key.is_empty() {
            return found;
        }
        let mut cursor = self.by_title.get(&hash(&key)).copied().unwrap_or(END);
        while cursor != END {
            found.push(self.entries[cursor as usize].id);
            cursor = self.next_same_title[cursor as usize];
        }
        found
    }

    /// Checks a record against every record known: the record it duplicates, or the relations
    /// it has to them.
    pub fn check(&self, record: &Record) -> Check {
        let keys = Keys::of_record(record);
        let mut check = Check::default();
        let doi = keys.doi_key.as_deref().map(hash);
        if let (Some(doi_key), Some(doi_hash)) = (keys.doi_key.as_deref(), doi)
            && let Some(&index) = self.by_doi.get(&doi_hash)
        {
            check.duplicate = Some((
                self.entries[index as usize].id,
                MergeRule::Doi,
                format!("same DOI {doi_key}"),
            ));
            return check;
        }
        if let Some(pmid) = keys.pmid
            && let Some(&index) = self.by_pmid.get(&hash(pmid))
        {
            check.duplicate = Some((
                self.entries[index as usize].id,
                MergeRule::Pmid,
                format!("same PMID {pmid}"),
            ));
            return check;
        }
        if let Some(arxiv) = keys.arxiv
            && let Some(&index) = self.by_arxiv.get(&hash(arxiv))
        {
            let other = &self.entries[index as usize];
            if doi.is_some() && other.doi.is_some() && doi != other.doi {
                check.relations.push(preprint_relation(
                    &keys,
                    other,
                    &format!("same arXiv id {arxiv}, different DOIs"),
                ));
            } else {
                check.duplicate =
                    Some((other.id, MergeRule::Arxiv, format!("same arXiv id {arxiv}")));
                return check;
            }
        }
        let title = title_key(keys.title);
        if !title.is_empty() {
            let mut cursor = self.by_title.get(&hash(&title)).copied().unwrap_or(END);
            while cursor != END {
                let other = &self.entries[cursor as usize];
                cursor = self.next_same_title[cursor as usize];
                if let Some(verdict) = title_verdict(&keys, other) {
                    match verdict {
                        Verdict::Duplicate(reason) => {
                            check.duplicate = Some((other.id, MergeRule::TitleYearAuthor, reason));
                            check.relations.clear();
                            return check;
                        }
                        Verdict::Related(kind, reason) => {
                            if !check.relations.iter().any(|(id, _, _)| *id == other.id) {
                                check.relations.push((other.id, kind, reason));
                            }
                        }
                    }
                }
            }
        }
        if let Some(relation) = self.erratum_target(record) {
            check.relations.push(relation);
        }
        check
    }

    /// For an erratum or correction notice: the record it corrects, by the title it embeds or
    /// the DOI it names.
    fn erratum_target(&self, record: &Record) -> Option<(RecordId, RelationKind, String)> {
        self.erratum_target_of(&record.title)
    }

    fn erratum_target_of(&self, title: &str) -> Option<(RecordId, RelationKind, String)> {
        let stripped = strip_erratum_prefixes(title)?;
        for doi in dois_in_text(title) {
            if let Some(&index) = self.by_doi.get(&hash(&doi.key())) {
                let target = self.entries[index as usize].id;
                return Some((
                    target,
                    RelationKind::ErratumOf,
                    format!("correction notice naming DOI {doi}"),
                ));
            }
        }
        let key = title_key(stripped);
        let &index = self.by_title.get(&hash(&key))?;
        let target = self.entries[index as usize].id;
        Some((
            target,
            RelationKind::ErratumOf,
            "correction notice whose title embeds this record's title".into(),
        ))
    }
}

enum Verdict {
    Duplicate(String),
    Related(RelationKind, String),
}

/// The verdict for two records with the same normalised title.
fn title_verdict(keys: &Keys<'_>, other: &Entry) -> Option<Verdict> {
    let doi = keys.doi_key.as_deref().map(hash);
    let shared = shared_surname(keys, other);
    let both_have_authors = !keys.families.is_empty() && !other.surnames.is_empty();
    if doi.is_some() && other.doi.is_some() && doi != other.doi {
        // Different DOIs never merge; a preprint and its publication are related.
        return (keys.preprint != other.preprint && (shared.is_some() || !both_have_authors))
            .then(|| preprint_relation(keys, other, "same title, different DOIs"))
            .map(|(_, kind, reason)| Verdict::Related(kind, reason));
    }
    let years_close = match (keys.year, other.year) {
        (Some(a), Some(b)) => (a - b).abs() <= 1,
        _ => true,
    };
    if both_have_authors && shared.is_none() {
        return Some(Verdict::Related(
            RelationKind::PossibleDuplicate,
            "same title, but no author in common".into(),
        ));
    }
    if !years_close {
        let (a, b) = (
            keys.year.unwrap_or_default(),
            other.year.unwrap_or_default(),
        );
        return Some(Verdict::Related(
            RelationKind::PossibleDuplicate,
            format!("same title, but published {a} and {b}"),
        ));
    }
    if keys.preprint != other.preprint {
        let (_, kind, reason) = preprint_relation(keys, other, "same title and author");
        return Some(Verdict::Related(kind, reason));
    }
    let author = shared.map_or_else(
        || "no author list to compare".to_owned(),
        |name| format!("shared author {name}"),
    );
    let year = match (keys.year, other.year) {
        (Some(a), Some(b)) if a == b => format!("year {a}"),
        (Some(a), Some(b)) => format!("years {a} and {b}"),
        _ => "no year to compare".to_owned(),
    };
    Some(Verdict::Duplicate(format!("same title, {year}, {author}")))
}

fn preprint_relation(
    keys: &Keys<'_>,
    other: &Entry,
    why: &str,
) -> (RecordId, RelationKind, String) {
    let direction = if keys.preprint {
        "this is the preprint"
    } else {
        "the other is the preprint"
    };
    (
        other.id,
        RelationKind::PreprintOf,
        format!("{why}; {direction}"),
    )
}

/// The first surname of `keys` that `other` shares.
fn shared_surname<'a>(keys: &Keys<'a>, other: &Entry) -> Option<&'a str> {
    keys.families
        .iter()
        .find(|family| other.surnames.contains(&hash(&title_key(family))))
        .copied()
}

pub use ecolens_core::record::title_key;

fn hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Whether a record is a preprint: by type, by a preprint server's DOI prefix, or by venue.
pub fn is_preprint(kind: RecordKind, doi_key: Option<&str>, venue: Option<&str>) -> bool {
    const PREFIXES: [&str; 6] = [
        "10.48550/",
        "10.1101/",
        "10.31219/",
        "10.20944/",
        "10.2139/",
        "10.21203/",
    ];
    const VENUES: [&str; 6] = [
        "arxiv",
        "biorxiv",
        "medrxiv",
        "ssrn",
        "research square",
        "preprint",
    ];
    kind == RecordKind::Preprint
        || doi_key.is_some_and(|doi| PREFIXES.iter().any(|p| doi.starts_with(p)))
        || venue.is_some_and(|v| {
            let lower = v.to_lowercase();
            VENUES.iter().any(|name| lower.contains(name))
        })
}

/// The title without leading "Erratum:", "Correction to:", "Retraction note:" … and without a
/// trailing parenthesis (which usually cites the corrected article); `None` when the title is
/// not a correction notice.
pub fn strip_erratum_prefixes(title: &str) -> Option<&str> {
    const MARKERS: [&str; 12] = [
        "erratum",
        "corrigendum",
        "author correction",
        "publisher correction",
        "correction",
        "retraction note",
        "notice of retraction",
        "retraction",
        "retracted",
        "expression of concern",
        "addendum",
        "editorial expression of concern",
    ];
    let mut rest = title.trim();
    let mut stripped = false;
    loop {
        let lower = rest.to_lowercase();
        // A marker is a whole word: "Corrections in power grids" is no correction notice.
        let Some(marker) = MARKERS.iter().find(|m| {
            lower.starts_with(**m)
                && lower[m.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        }) else {
            break;
        };
        let mut after = rest[marker.len()..].trim_start();
        // "Correction to: …", "Erratum to …".
        if after.len() >= 2
            && after.is_char_boundary(2)
            && after[..2].eq_ignore_ascii_case("to")
            && after[2..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        {
            after = after[2..].trim_start();
        }
        let after = after
            .trim_start_matches([':', '.', '-', '–', '—'])
            .trim_start();
        if after.len() == rest.len() {
            break;
        }
        rest = after;
        stripped = true;
    }
    if !stripped || rest.is_empty() {
        return None;
    }
    if rest.ends_with(')') {
        // Drop the trailing parenthesis, which may itself contain parentheses.
        let mut depth = 0usize;
        for (at, c) in rest.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        rest = rest[..at].trim_end();
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    (!rest.is_empty()).then_some(rest)
}

/// DOIs written inside a text ("… DOI: 10.1038/s41598-024-56479-3)").
/// DOIs written in a text, in order.
pub fn dois_in_text(text: &str) -> Vec<Doi> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("10.") {
        let candidate: String = rest[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ')' && *c != ',')
            .collect();
        if let Ok(doi) = Doi::parse("title", &candidate) {
            found.push(doi);
        }
        rest = &rest[at + 3..];
    }
    found
}

#[cfg(test)]
mod tests {
    use ecolens_core::{ArxivId, Person};

    use super::*;

    fn record(title: &str, year: i32, authors: &[&str]) -> Record {
        Record {
            year: Some(year),
            authors: authors.iter().map(|f| Person::new(*f, "A.")).collect(),
            ..Record::titled(title)
        }
    }

    fn with_doi(mut record: Record, doi: &str) -> Record {
        record.doi = Some(Doi::parse("doi", doi).unwrap());
        record
    }

    #[test]
    fn titles_normalise_across_case_accents_and_punctuation() {
        assert_eq!(
            title_key("Green AI: Energy & Policy!"),
            "greenaienergypolicy"
        );
        assert_eq!(title_key("Černý's CO₂ capture"), "cernysco2capture");
        assert_eq!(title_key("ＡＩ"), "ai");
    }

    #[test]
    fn identifiers_then_title_year_and_author() {
        let mut index = DedupIndex::new();
        let green = with_doi(
            record("Green AI", 2020, &["Schwartz", "Dodge"]),
            "10.1145/3381831",
        );
        index.add(RecordId(1), &green);

        let same_doi = with_doi(
            record("Green A.I.", 2019, &["Other"]),
            "https://doi.org/10.1145/3381831",
        );
        assert_eq!(
            index.check(&same_doi).duplicate,
            Some((
                RecordId(1),
                MergeRule::Doi,
                "same DOI 10.1145/3381831".into()
            ))
        );

        let by_title = record("green ai", 2021, &["Dodge"]);
        let (of, rule, reason) = index.check(&by_title).duplicate.unwrap();
        assert_eq!((of, rule), (RecordId(1), MergeRule::TitleYearAuthor));
        assert_eq!(
            reason,
            "same title, years 2021 and 2020, shared author Dodge"
        );

        let other_authors = record("Green AI", 2020, &["Someone"]);
        let check = index.check(&other_authors);
        assert!(check.duplicate.is_none());
        assert_eq!(check.relations[0].1, RelationKind::PossibleDuplicate);

        let later = record("Green AI", 2024, &["Schwartz"]);
        assert_eq!(
            index.check(&later).relations[0].2,
            "same title, but published 2024 and 2020"
        );

        let other_doi = with_doi(record("Green AI", 2020, &["Schwartz"]), "10.1000/other");
        let check = index.check(&other_doi);
        assert!(
            check.duplicate.is_none() && check.relations.is_empty(),
            "different DOIs veto: {check:?}"
        );
    }

    #[test]
    fn preprints_and_errata_are_related_not_merged() {
        let mut index = DedupIndex::new();
        let published = with_doi(
            record(
                "Energy and Policy Considerations for Deep Learning in NLP",
                2019,
                &["Strubell"],
            ),
            "10.18653/v1/P19-1355",
        );
        index.add(RecordId(1), &published);
        let preprint = Record {
            kind: RecordKind::Preprint,
            arxiv: Some(ArxivId::parse("arxiv", "1906.02243").unwrap()),
            ..with_doi(
                record(
                    "Energy and policy considerations for deep learning in NLP",
                    2019,
                    &["Strubell"],
                ),
                "10.48550/arXiv.1906.02243",
            )
        };
        let check = index.check(&preprint);
        assert!(check.duplicate.is_none());
        assert_eq!(check.relations[0].0, RecordId(1));
        assert_eq!(check.relations[0].1, RelationKind::PreprintOf);
        assert!(
            check.relations[0].2.ends_with("this is the preprint"),
            "{}",
            check.relations[0].2
        );

        let article = with_doi(
            record(
                "A remarkable assemblage of petroglyphs and dinosaur footprints in Northeast Brazil",
                2024,
                &["Troiano"],
            ),
            "10.1038/s41598-024-56479-3",
        );
        index.add(RecordId(2), &article);
        let erratum = with_doi(
            record(
                "Erratum: Author Correction: A remarkable assemblage of petroglyphs and dinosaur footprints in Northeast Brazil (Scientific reports (2024) 14 1 DOI: 10.1038/s41598-024-56479-3)",
                2024,
                &["Troiano"],
            ),
            "10.1038/s41598-024-65283-y",
        );
        let check = index.check(&erratum);
        assert!(check.duplicate.is_none());
        assert_eq!(
            check.relations,
            vec![(
                RecordId(2),
                RelationKind::ErratumOf,
                "correction notice naming DOI 10.1038/s41598-024-56479-3".into()
            )]
        );
        let by_title = record(
            "Correction to: A remarkable assemblage of petroglyphs and dinosaur footprints in Northeast Brazil",
            2024,
            &[],
        );
        assert_eq!(
            index.check(&by_title).relations[0].1,
            RelationKind::ErratumOf
        );
    }

    #[test]
    fn a_correction_notice_seen_before_its_article_is_linked_when_the_article_comes() {
        let mut index = DedupIndex::new();
        let erratum = record("Correction to: Green AI", 2021, &[]);
        assert!(index.check(&erratum).relations.is_empty());
        assert!(index.add(RecordId(1), &erratum).is_empty());
        let article = record("Green AI", 2020, &["Schwartz"]);
        let resolved = index.add(RecordId(2), &article);
        assert_eq!(
            resolved,
            vec![(
                RecordId(1),
                RecordId(2),
                RelationKind::ErratumOf,
                "correction notice whose title embeds this record's title".into()
            )]
        );
        // Resolved once only.
        assert!(
            index
                .add(RecordId(3), &record("Green AI", 2020, &["Dodge"]))
                .is_empty()
        );
    }

    #[test]
    fn erratum_prefixes() {
        assert_eq!(
            strip_erratum_prefixes("Erratum: Correction: A juvenile bird (BMC (2024) 24 1 (20))"),
            Some("A juvenile bird")
        );
        assert_eq!(
            strip_erratum_prefixes("Correction to: Green AI"),
            Some("Green AI")
        );
        assert_eq!(strip_erratum_prefixes("Corrections in power grids"), None);
        assert_eq!(strip_erratum_prefixes("Green AI"), None);
    }
}
