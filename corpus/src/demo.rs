//! The demo corpus bundled with ecolens: real AI-for-green and green-AI publications, so a new
//! project has something to search, screen and classify.
//!
//! The data is `corpus/data/demo-corpus.json` (CSL-JSON), compiled into the binary. It holds
//! bibliographic facts only: title, authors, year, venue, identifiers. Every DOI and arXiv id in
//! it comes from the project's reference notes or was checked against public citations of the
//! paper; where none could be checked, the field is empty. Where an author list could not be
//! checked in full it is shortened, and the record's note says so.

use ecolens_core::{Project, SourceRef};

use crate::error::Result;
use crate::formats::csl_json;

/// The demo corpus, CSL-JSON.
pub const DEMO_CORPUS: &str = include_str!("../data/demo-corpus.json");

/// Provenance name of the demo corpus.
pub const DEMO_SOURCE: &str = "bundled:demo-corpus";

/// Version of the demo corpus data, stored in a project that receives it.
pub const DEMO_VERSION: &str = "1";

/// What adding the demo corpus did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DemoAdded {
    /// Records added.
    pub added: usize,
    /// Demo records already in the project (added before, or the same publication imported
    /// from elsewhere): not added again.
    pub already_present: usize,
}

/// Adds the demo corpus to a project in one transaction and records its version in the
/// project's metadata. Only the default project receives it on its own; any project can ask
/// for it. Records already in the project (the demo added before, or the same publication,
/// by identifier or title, year and author) are not added again.
pub fn install_demo(project: &mut Project) -> Result<DemoAdded> {
    let parsed = csl_json::parse(DEMO_CORPUS);
    let mut dedup = crate::dedup::DedupIndex::new();
    project.for_each_dedup_row(|row| {
        dedup.add_row(&row);
    })?;
    let mut already_present = 0;
    let mut batch = Vec::with_capacity(parsed.records.len());
    for mut parsed in parsed.records {
        crate::normalise::normalise(&mut parsed.record);
        if dedup.check(&parsed.record).duplicate.is_some() {
            already_present += 1;
            continue;
        }
        let source = SourceRef {
            file: DEMO_SOURCE.to_owned(),
            format: csl_json::FORMAT.to_owned(),
            locator: Some(format!("line {}", parsed.line)),
            original_key: parsed.original_key,
        };
        batch.push((parsed.record, source));
    }
    let ids = project.insert_records(&batch)?;
    project.set_meta("demo_corpus_version", DEMO_VERSION)?;
    Ok(DemoAdded {
        added: ids.len(),
        already_present,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use ecolens_core::{Project, RecordKind};

    use super::*;

    #[test]
    fn the_demo_corpus_reads_without_a_single_problem() {
        let parsed = csl_json::parse(DEMO_CORPUS);
        assert!(parsed.problems.is_empty(), "{:#?}", parsed.problems);
        assert!(
            parsed.records.len() >= 40,
            "only {} records",
            parsed.records.len()
        );
        for record in &parsed.records {
            let r = &record.record;
            assert!(!r.authors.is_empty(), "{} has no authors", r.title);
            assert!(r.year.is_some(), "{} has no year", r.title);
            assert!(record.original_key.is_some());
        }
        let dois: Vec<_> = parsed
            .records
            .iter()
            .filter_map(|r| r.record.doi.as_ref())
            .map(ecolens_core::Doi::key)
            .collect();
        let unique: HashSet<_> = dois.iter().collect();
        assert_eq!(unique.len(), dois.len(), "a DOI appears twice");
    }

    #[test]
    fn the_demo_corpus_holds_the_anchor_papers_with_their_identifiers() {
        let parsed = csl_json::parse(DEMO_CORPUS);
        let find = |key: &str| {
            parsed
                .records
                .iter()
                .find(|r| r.original_key.as_deref() == Some(key))
                .map_or_else(|| panic!("{key} missing"), |r| r.record.clone())
        };
        let ligozat = find("ligozat2022");
        assert_eq!(
            ligozat.doi.map(|d| d.key()).as_deref(),
            Some("10.3390/su14095172")
        );
        assert_eq!(
            ligozat.arxiv.map(|a| a.as_str().to_owned()).as_deref(),
            Some("2110.11822")
        );
        assert_eq!(ligozat.authors.len(), 4);
        let strubell = find("strubell2019");
        assert_eq!(strubell.kind, RecordKind::ConferencePaper);
        assert_eq!(strubell.pages.as_deref(), Some("3645-3650"));
        assert_eq!(
            strubell.arxiv.map(|a| a.as_str().to_owned()).as_deref(),
            Some("1906.02243")
        );
        let rolnick = find("rolnick2019");
        assert_eq!(rolnick.kind, RecordKind::Preprint);
        assert!(rolnick.notes.unwrap_or_default().contains("shortened"));
        let itu = find("itu2022l1480");
        assert_eq!(itu.kind, RecordKind::Standard);
        assert_eq!(itu.authors[0].family, "ITU-T");
        // Hu & Li 2013: no DOI could be checked, so none is given.
        assert!(find("hu2013").doi.is_none());
    }

    #[test]
    fn installing_fills_a_project_with_provenance() {
        let mut project = Project::open_in_memory().unwrap();
        let added = install_demo(&mut project).unwrap();
        assert_eq!(added.already_present, 0);
        assert_eq!(
            u64::try_from(added.added).unwrap(),
            project.record_count().unwrap()
        );
        // Asked for again, nothing is added twice.
        let again = install_demo(&mut project).unwrap();
        assert_eq!((again.added, again.already_present), (0, added.added));
        assert_eq!(
            u64::try_from(added.added).unwrap(),
            project.record_count().unwrap()
        );
        assert_eq!(
            project.meta("demo_corpus_version").unwrap().as_deref(),
            Some(DEMO_VERSION)
        );
        let first = project.records().unwrap().remove(0);
        assert_eq!(first.sources[0].file, DEMO_SOURCE);
        assert_eq!(first.sources[0].format, "csl-json");
        assert_eq!(first.sources[0].locator.as_deref(), Some("line 2"));
        assert_eq!(
            first.sources[0].original_key.as_deref(),
            Some("strubell2019")
        );
    }
}
