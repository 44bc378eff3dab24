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

/// Adds the demo corpus to a project in one transaction and records its version in the
/// project's metadata. Returns the number of records added.
pub fn install_demo(project: &mut Project) -> Result<usize> {
    let parsed = csl_json::parse(DEMO_CORPUS);
    let batch: Vec<_> = parsed
        .records
        .into_iter()
        .map(|mut parsed| {
            crate::normalise::normalise(&mut parsed.record);
            let source = SourceRef {
                file: DEMO_SOURCE.to_owned(),
                format: csl_json::FORMAT.to_owned(),
                locator: Some(format!("line {}", parsed.line)),
                original_key: parsed.original_key,
            };
            (parsed.record, source)
        })
        .collect();
    let ids = project.insert_records(&batch)?;
    project.set_meta("demo_corpus_version", DEMO_VERSION)?;
    Ok(ids.len())
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
        assert_eq!(
            u64::try_from(added).unwrap(),
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
