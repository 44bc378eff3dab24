//! The search index on real data: the bundled demo corpus and every bibliography fixture,
//! searched by every field, with ranking, snippets, facets, incremental updates and rebuilds.
//! Expected hits are computed from the stored records by plain string checks, not typed in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use ecolens_core::{
    Classification, Decision, FullText, Project, ReboundRisk, RecordId, ScreeningVote, Stage,
    StoredRecord,
};
use ecolens_corpus::demo::install_demo;
use ecolens_corpus::import::import_paths;
use ecolens_corpus::index::{Page, SearchIndex, SearchResults, SyncOptions};
use ecolens_taxonomy::{EffectCode, EvalCategory};

use common::{baseline_folder, import};

/// A project on disk with the demo corpus and every fixture imported, and its index synced.
fn corpus() -> (tempfile::TempDir, Project, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let mut project = Project::open(dir.path().join("review.ecolens")).unwrap();
    install_demo(&mut project).unwrap();
    import(&mut project, &[baseline_folder(dir.path())]);
    let cancel = AtomicBool::new(false);
    let mut index = SearchIndex::open(&project).unwrap();
    let report = index
        .sync(&mut project, &SyncOptions::small(&cancel))
        .unwrap();
    assert!(report.rebuilt);
    assert_eq!(report.records_indexed, project.record_count().unwrap());
    (dir, project, index)
}

/// A lead joins and switches blind mode off, so reviewers' judgements may be searched.
fn unblind(project: &mut Project) {
    let lead = project.add_reviewer("Lead", true).unwrap();
    project.set_blind(lead.id, false).unwrap();
}

fn search(index: &SearchIndex, project: &Project, query: &str) -> SearchResults {
    index
        .search(
            project,
            &project.visibility(None).unwrap(),
            query,
            Page {
                offset: 0,
                limit: 1000,
            },
        )
        .unwrap_or_else(|error| panic!("{query}: {error}"))
}

fn ids(results: &SearchResults) -> BTreeSet<RecordId> {
    results.hits.iter().map(|hit| hit.id).collect()
}

/// Lower-cased words of a text, split the way a reader would (on anything not a letter or
/// digit).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn records_where(project: &Project, keep: impl Fn(&StoredRecord) -> bool) -> BTreeSet<RecordId> {
    project
        .records()
        .unwrap()
        .iter()
        .filter(|r| keep(r))
        .map(|r| r.id)
        .collect()
}

fn title_of(project: &Project, id: RecordId) -> String {
    project.record(id).unwrap().record.title
}

#[test]
fn every_field_finds_exactly_the_records_that_hold_the_words() {
    let (_dir, project, index) = corpus();

    // Title, stemmed: "dinosaurs" and "dinosaur-rich" count.
    let expected = records_where(&project, |r| {
        words(&r.record.title)
            .iter()
            .any(|w| w == "dinosaur" || w == "dinosaurs")
    });
    assert!(expected.len() > 20, "{}", expected.len());
    assert_eq!(ids(&search(&index, &project, "ti:dinosaur")), expected);
    assert_eq!(ids(&search(&index, &project, "title:Dinosaurs")), expected);

    // Authors (not stemmed), by family name.
    let expected = records_where(&project, |r| {
        r.record.authors.iter().any(|a| a.family == "Luccioni")
    });
    assert!(expected.len() >= 3);
    assert_eq!(ids(&search(&index, &project, "au:luccioni")), expected);

    // Abstract only.
    let expected = records_where(&project, |r| {
        r.record.abstract_text.as_deref().is_some_and(|a| {
            words(a)
                .iter()
                .any(|w| w == "melanosomes" || w == "melanosome")
        })
    });
    assert!(!expected.is_empty());
    assert_eq!(ids(&search(&index, &project, "ab:melanosomes")), expected);

    // Keywords.
    let expected = records_where(&project, |r| {
        r.record
            .keywords
            .iter()
            .any(|k| words(k).contains(&"keratin".to_owned()))
    });
    assert!(!expected.is_empty());
    assert_eq!(ids(&search(&index, &project, "kw:keratin")), expected);

    // Venue (and publisher), phrase.
    let expected = records_where(&project, |r| {
        [&r.record.venue, &r.record.publisher]
            .into_iter()
            .flatten()
            .any(|v| v.contains("Machine Learning Research"))
    });
    assert!(expected.len() >= 2);
    assert_eq!(
        ids(&search(
            &index,
            &project,
            "venue:\"machine learning research\""
        )),
        expected
    );

    // Year ranges, alone and with words.
    let expected = records_where(&project, |r| {
        r.record.year.is_some_and(|y| (2019..=2020).contains(&y))
    });
    assert_eq!(ids(&search(&index, &project, "year:2019..2020")), expected);
    assert_eq!(
        ids(&search(&index, &project, "year:[2019 TO 2020]")),
        expected
    );
    assert_eq!(
        ids(&search(&index, &project, "year:{2018 TO 2021}")),
        expected
    );
    let results = search(&index, &project, "ti:carbon year:2019");
    assert_eq!(results.hits.len(), 1);
    assert_eq!(
        results.hits[0].title,
        "Quantifying the Carbon Emissions of Machine Learning"
    );

    // Identifiers, typed or pasted.
    for query in [
        "doi:10.1145/3381831",
        "DOI:10.1145/3381831",
        "https://doi.org/10.1145/3381831",
        "10.1145/3381831",
    ] {
        let results = search(&index, &project, query);
        assert_eq!(results.hits[0].title, "Green AI", "{query}");
    }
    let expected = records_where(&project, |r| r.record.doi.is_some());
    assert_eq!(ids(&search(&index, &project, "has:doi")), expected);
    let expected = records_where(&project, |r| r.record.arxiv.is_some());
    assert_eq!(ids(&search(&index, &project, "has:arxiv")), expected);
    let pmid = project
        .records()
        .unwrap()
        .into_iter()
        .find_map(|r| r.record.pmid.map(|p| (r.id, p)))
        .unwrap();
    let results = search(&index, &project, &format!("pmid:{}", pmid.1.as_str()));
    assert_eq!(ids(&results), BTreeSet::from([pmid.0]));
}

#[test]
fn phrases_prefixes_and_boolean_operators() {
    let (_dir, project, index) = corpus();
    let both = ids(&search(&index, &project, "ti:carbon ti:footprint"));
    let phrase = ids(&search(&index, &project, "ti:\"carbon footprint\""));
    let expected_phrase = records_where(&project, |r| {
        words(&r.record.title)
            .windows(2)
            .any(|w| w[0] == "carbon" && (w[1] == "footprint" || w[1] == "footprints"))
    });
    assert_eq!(phrase, expected_phrase);
    assert!(phrase.len() >= 4, "{phrase:?}");
    // Phrases of common words are answered from the pairs the index holds as tokens (one
    // term for two words, a narrowed position check for more); function words are never
    // common, so phrases holding them are answered by positions. The answers are exactly the
    // records that hold the phrase either way.
    let common = index.stamp().unwrap().unwrap().common_words;
    for word in ["fossil", "record"] {
        assert!(
            common.contains(&word.to_owned()),
            "{word} not in {common:?}"
        );
    }
    for word in ["the", "of", "and", "we"] {
        assert!(!common.contains(&word.to_owned()), "{word} in {common:?}");
    }
    let abstract_words = |r: &StoredRecord| words(r.record.abstract_text.as_deref().unwrap_or(""));
    // The words the English stemmer takes to "fossil".
    let fossil = |w: &str| matches!(w, "fossil" | "fossils" | "fossilized" | "fossilised");
    let record = |w: &str| matches!(w, "record" | "records" | "recorded" | "recording");
    let expected = records_where(&project, |r| {
        abstract_words(r)
            .windows(2)
            .any(|w| fossil(&w[0]) && record(&w[1]))
    });
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(
        ids(&search(&index, &project, "ab:\"fossil record\"")),
        expected
    );
    let expected = records_where(&project, |r| {
        abstract_words(r)
            .windows(2)
            .any(|w| w[0] == "the" && fossil(&w[1]))
    });
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(
        ids(&search(&index, &project, "ab:\"the fossil\"")),
        expected
    );
    let expected = records_where(&project, |r| {
        abstract_words(r)
            .windows(3)
            .any(|w| w[0] == "of" && w[1] == "the" && fossil(&w[2]))
    });
    assert!(!expected.is_empty());
    assert_eq!(
        ids(&search(&index, &project, "ab:\"of the fossils\"")),
        expected
    );
    // And a phrase whose words are common, but never side by side, finds nothing.
    assert!(
        search(&index, &project, "ab:\"fossil the\"")
            .hits
            .is_empty()
    );
    assert!(phrase.is_subset(&both));

    // Prefix: every title word starting with "quantif".
    let expected = records_where(&project, |r| {
        words(&r.record.title)
            .iter()
            .any(|w| w.starts_with("quantif"))
    });
    assert!(expected.len() >= 2);
    assert_eq!(ids(&search(&index, &project, "ti:quantif*")), expected);
    // A prefix longer than the stem still finds the word ("environmental" is indexed as
    // "environ").
    let expected = records_where(&project, |r| {
        words(&r.record.title)
            .iter()
            .any(|w| w.starts_with("environmental"))
    });
    assert!(!expected.is_empty());
    assert_eq!(
        ids(&search(&index, &project, "ti:environmental*")),
        expected
    );

    // OR, NOT, minus and groups.
    let water = ids(&search(&index, &project, "ti:water"));
    let coal = ids(&search(&index, &project, "ti:coal"));
    let either = ids(&search(&index, &project, "ti:water OR ti:coal"));
    assert_eq!(either, water.union(&coal).copied().collect());
    let carbon = ids(&search(&index, &project, "ti:carbon"));
    let footprint = ids(&search(&index, &project, "ti:footprint"));
    let without: BTreeSet<_> = carbon.difference(&footprint).copied().collect();
    assert_eq!(
        ids(&search(&index, &project, "ti:carbon NOT ti:footprint")),
        without
    );
    assert_eq!(
        ids(&search(&index, &project, "ti:carbon -ti:footprint")),
        without
    );
    assert_eq!(
        ids(&search(&index, &project, "title:(water OR coal)")),
        either
    );
    let all = project.record_count().unwrap();
    let not_carbon = search(&index, &project, "NOT ti:carbon");
    assert_eq!(
        not_carbon.total,
        usize::try_from(all).unwrap() - carbon.len()
    );

    // Syntax errors are located, words made only of punctuation find nothing to search.
    let everyone = project.visibility(None).unwrap();
    let error = index
        .search(&project, &everyone, "ti:(carbon", Page::default())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid query at column 4: this ( is never closed"
    );
    let error = index
        .search(&project, &everyone, "— …", Page::default())
        .unwrap_err();
    assert!(
        error.to_string().contains("nothing to search for"),
        "{error}"
    );
}

#[test]
fn ranking_puts_title_matches_first_and_snippets_mark_the_words() {
    let (_dir, project, index) = corpus();
    // "footprint" is in titles of the demo corpus and in abstracts of fossil-track papers.
    let results = search(&index, &project, "footprint");
    assert!(results.hits.len() > 5);
    let in_title: Vec<bool> = results
        .hits
        .iter()
        .map(|hit| {
            words(&hit.title)
                .iter()
                .any(|w| w == "footprint" || w == "footprints")
        })
        .collect();
    let first_without = in_title.iter().position(|t| !t).unwrap();
    assert!(
        in_title[first_without..].iter().all(|t| !t),
        "a title match ranks below a non-title match: {:?}",
        results.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
    // Scores are sorted.
    assert!(results.hits.windows(2).all(|w| w[0].score >= w[1].score));

    // Title highlights cover the matched words.
    let hit = &results.hits[0];
    let marked = ecolens_corpus::index::mark(&hit.title, &hit.title_highlights, "[", "]");
    assert!(
        marked.contains("[Footprint]")
            || marked.contains("[footprint]")
            || marked.contains("[Footprints]")
            || marked.contains("[footprints]"),
        "{marked}"
    );
    // A hit found by its abstract shows where.
    let by_abstract = results
        .hits
        .iter()
        .find(|h| !in_title[results.hits.iter().position(|x| x.id == h.id).unwrap()])
        .unwrap();
    let snippet = by_abstract.snippet.as_ref().unwrap();
    let marked = snippet.marked("«", "»");
    assert!(marked.to_lowercase().contains("«footprint"), "{marked}");
    let abstract_text = project
        .record(by_abstract.id)
        .unwrap()
        .record
        .abstract_text
        .unwrap();
    let shown: String = snippet.text.trim_matches('…').chars().take(40).collect();
    let collapsed = abstract_text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        collapsed.contains(&shown),
        "{shown:?} is not from the abstract"
    );

    // Paging: a second page continues the first.
    let everyone = project.visibility(None).unwrap();
    let first = index
        .search(
            &project,
            &everyone,
            "footprint",
            Page {
                offset: 0,
                limit: 3,
            },
        )
        .unwrap();
    let second = index
        .search(
            &project,
            &everyone,
            "footprint",
            Page {
                offset: 3,
                limit: 3,
            },
        )
        .unwrap();
    assert_eq!(first.total, results.total);
    let pages: Vec<_> = first
        .hits
        .iter()
        .chain(&second.hits)
        .map(|h| h.id)
        .collect();
    let whole: Vec<_> = results.hits.iter().take(6).map(|h| h.id).collect();
    assert_eq!(pages, whole);
}

#[test]
fn review_changes_reach_the_facets_with_incremental_updates() {
    let (_dir, mut project, mut index) = corpus();
    let cancel = AtomicBool::new(false);
    let options = SyncOptions::small(&cancel);
    let all = usize::try_from(project.record_count().unwrap()).unwrap();
    // Emily's Rayyan labels came in as votes; she is the only reviewer: nothing to hide.
    let emily = project.reviewer_by_name("Emily").unwrap();
    assert_eq!(search(&index, &project, "decision:include").total, 2);
    // A second reviewer: while blind (the default) nobody unnamed selects by judgements, in
    // any entry point; Emily and Tomás each select by their own.
    let tomas = project.add_reviewer("Tomás", false).unwrap();
    let nobody = project.visibility(None).unwrap();
    for error in [
        index
            .search(
                &project,
                &nobody,
                "energy OR decision:include",
                Page::default(),
            )
            .map(|_| ())
            .unwrap_err(),
        index
            .matching_ids(&nobody, "NOT category:f")
            .map(|_| ())
            .unwrap_err(),
        index
            .matching_ids(&nobody, "has:category")
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert!(matches!(error, ecolens_corpus::Error::Blind), "{error}");
    }
    assert!(index.matching_ids(&nobody, "energy has:doi").is_ok());
    let as_emily = project.visibility(Some(emily.id)).unwrap();
    let as_tomas = project.visibility(Some(tomas.id)).unwrap();
    assert_eq!(
        index
            .matching_ids(&as_emily, "decision:include")
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        index
            .matching_ids(&as_emily, "decision:unscreened")
            .unwrap()
            .len(),
        all - 6
    );
    assert!(
        index
            .matching_ids(&as_tomas, "decision:include")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        index
            .matching_ids(&as_tomas, "decision:unscreened")
            .unwrap()
            .len(),
        all
    );
    unblind(&mut project);
    // Emily's Rayyan labels came in as votes: 2 include, 2 exclude, 2 maybe.
    assert_eq!(
        search(&index, &project, "decision:unscreened").total,
        all - 6
    );
    let included_before = ids(&search(&index, &project, "decision:include"));
    assert_eq!(included_before.len(), 2);
    assert_eq!(search(&index, &project, "decision:exclude").total, 2);
    assert_eq!(search(&index, &project, "decision:maybe").total, 2);

    let green = project.resolve_record("10.1145/3381831").unwrap();
    let coal = search(&index, &project, "ti:coal").hits[0].id;
    let vote = |decision| ScreeningVote {
        stage: Stage::TitleAbstract,
        decision,
        note: None,
    };
    project
        .set_screening(green, emily.id, &vote(Decision::Include))
        .unwrap();
    project
        .set_screening(coal, emily.id, &vote(Decision::Include))
        .unwrap();
    project
        .set_screening(coal, tomas.id, &vote(Decision::Exclude { reason: None }))
        .unwrap();
    project
        .set_classification(
            green,
            emily.id,
            &Classification {
                category: EvalCategory::B,
                answers: vec![true, false],
                rationale: None,
                evidence: vec![],
                confidence: None,
            },
        )
        .unwrap();
    project
        .add_risk(
            green,
            emily.id,
            &ReboundRisk {
                mechanism: "Cheaper training invites more training.".into(),
                ..ReboundRisk::new(EffectCode::HoRbDir)
            },
        )
        .unwrap();
    project
        .set_full_text(
            coal,
            &FullText {
                text: "Chapter VII. Of the economy of fuel. It is wholly a confusion of ideas to suppose that the economical use of fuel is equivalent to a diminished consumption.".into(),
                source_file: "jevons-1865.pdf".into(),
                extractor: "test".into(),
                pages: Some(1),
            },
        )
        .unwrap();

    // Before the update the index still says what it said.
    assert_eq!(
        ids(&search(&index, &project, "decision:include")),
        included_before
    );
    assert!(!index.status(&project).unwrap().up_to_date);
    let report = index.sync(&mut project, &options).unwrap();
    assert!(!report.rebuilt);
    assert_eq!(report.records_indexed, 2, "only the two changed records");
    assert!(index.status(&project).unwrap().up_to_date);

    let mut included = included_before.clone();
    included.insert(green);
    assert_eq!(ids(&search(&index, &project, "decision:include")), included);
    assert_eq!(
        ids(&search(&index, &project, "decision:conflict")),
        BTreeSet::from([coal])
    );
    assert_eq!(
        search(&index, &project, "decision:unscreened").total,
        all - 8
    );
    assert_eq!(
        ids(&search(&index, &project, "category:b")),
        BTreeSet::from([green])
    );
    assert_eq!(
        ids(&search(&index, &project, "rebound:HO")),
        BTreeSet::from([green])
    );
    assert_eq!(
        ids(&search(&index, &project, "rebound:ho.rb.dir")),
        BTreeSet::from([green])
    );
    assert!(search(&index, &project, "rebound:SO").hits.is_empty());
    assert_eq!(
        ids(&search(&index, &project, "has:fulltext")),
        BTreeSet::from([coal])
    );
    assert_eq!(
        search(
            &index,
            &project,
            "NOT decision:unscreened NOT decision:conflict"
        )
        .total,
        7
    );

    // Full text is searched, and the snippet comes from it.
    let results = search(&index, &project, "ft:\"economical use of fuel\"");
    assert_eq!(ids(&results), BTreeSet::from([coal]));
    let snippet = results.hits[0].snippet.as_ref().unwrap();
    assert_eq!(snippet.field, ecolens_corpus::query::TextField::FullText);
    assert_eq!(
        snippet.marked("[", "]"),
        "…confusion of ideas to suppose that the [economical use of fuel] is equivalent to a diminished consumption."
    );
    // A bare word looks in the full text too.
    assert_eq!(
        ids(&search(&index, &project, "diminished consumption")),
        BTreeSet::from([coal])
    );

    // Nothing changed: nothing to do.
    let report = index.sync(&mut project, &options).unwrap();
    assert_eq!(report.records_indexed, 0);
    assert_eq!(title_of(&project, coal), "The Coal Question");
}

#[test]
fn undoing_a_merge_brings_the_record_back_into_search() {
    let (_dir, mut project, mut index) = corpus();
    let cancel = AtomicBool::new(false);
    let merges = project.merges(None, false).unwrap();
    let merge = merges.first().expect("the fixtures hold duplicates");
    let title = merge.merged.title.clone();
    let before = search(&index, &project, &format!("ti:\"{title}\"")).total;
    // The kept count of records (what `info` reads) follows the import's merges and the undo.
    let counted = |project: &Project| {
        project
            .info(&project.visibility(None).unwrap())
            .unwrap()
            .counts
            .records
    };
    let before_count = project.record_count().unwrap();
    assert_eq!(counted(&project), before_count);
    let restored = project.undo_merge(merge.id).unwrap();
    assert_eq!(counted(&project), before_count + 1);
    assert_eq!(project.record_count().unwrap(), before_count + 1);
    index
        .sync(&mut project, &SyncOptions::small(&cancel))
        .unwrap();
    let after = search(&index, &project, &format!("ti:\"{title}\""));
    assert_eq!(after.total, before + 1);
    assert!(ids(&after).contains(&restored));
}

#[test]
fn the_index_is_rebuilt_when_missing_damaged_or_stale_and_foreign_folders_are_kept() {
    let (dir, mut project, index) = corpus();
    let cancel = AtomicBool::new(false);
    let records = project.record_count().unwrap();
    let location = project.index_path();
    drop(index);

    // Reopened: up to date, nothing to do.
    let mut index = SearchIndex::open(&project).unwrap();
    assert!(index.status(&project).unwrap().up_to_date);
    assert_eq!(
        index
            .sync(&mut project, &SyncOptions::small(&cancel))
            .unwrap()
            .records_indexed,
        0
    );
    drop(index);

    // Deleted: rebuilt.
    std::fs::remove_dir_all(&location).unwrap();
    let mut index = SearchIndex::open(&project).unwrap();
    assert_eq!(index.status(&project).unwrap().records, 0);
    let report = index
        .sync(&mut project, &SyncOptions::small(&cancel))
        .unwrap();
    assert!(report.rebuilt);
    assert_eq!(report.records_indexed, records);
    assert!(search(&index, &project, "ti:dinosaur").total > 20);
    drop(index);

    // Damaged (meta.json truncated): started afresh, then rebuilt.
    std::fs::write(location.join("meta.json"), b"{\"segm").unwrap();
    let mut index = SearchIndex::open(&project).unwrap();
    let report = index
        .sync(&mut project, &SyncOptions::small(&cancel))
        .unwrap();
    assert!(report.rebuilt);
    assert_eq!(index.status(&project).unwrap().records, records);
    drop(index);

    // A folder of someone else's files where the index should be is not touched.
    let other = dir.path().join("other.ecolens");
    let other_index = dir.path().join("other.ecolens.index");
    std::fs::create_dir_all(&other_index).unwrap();
    std::fs::write(other_index.join("thesis.docx"), b"precious").unwrap();
    let other_project = Project::open(&other).unwrap();
    let error = SearchIndex::open(&other_project).unwrap_err();
    assert!(error.to_string().contains("other.ecolens.index"), "{error}");
    // `open` only replaces what is missing or damaged, so an empty index opens fine, and
    // the file is still there.
    assert_eq!(
        std::fs::read(other_index.join("thesis.docx")).unwrap(),
        b"precious"
    );
}

#[test]
fn a_cancelled_update_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = Project::open(dir.path().join("p.ecolens")).unwrap();
    install_demo(&mut project).unwrap();
    let mut index = SearchIndex::open(&project).unwrap();
    let cancel = AtomicBool::new(true);
    let error = index
        .sync(&mut project, &SyncOptions::small(&cancel))
        .unwrap_err();
    assert!(matches!(error, ecolens_corpus::Error::Cancelled));
    assert_eq!(index.status(&project).unwrap().records, 0);
    assert!(index.stamp().unwrap().is_none());
    let go = AtomicBool::new(false);
    let report = index.sync(&mut project, &SyncOptions::small(&go)).unwrap();
    assert_eq!(report.records_indexed, 47);
}

#[test]
fn indexing_during_an_import_gives_the_same_index_as_indexing_after_it() {
    let cancel = AtomicBool::new(false);
    let options = common::options(&cancel);
    let dir = tempfile::tempdir().unwrap();

    // During: a new project, its empty index up to date, records indexed as they are stored.
    let mut during = Project::open(dir.path().join("during.ecolens")).unwrap();
    let mut during_index = SearchIndex::open(&during).unwrap();
    during_index
        .sync(&mut during, &SyncOptions::small(&cancel))
        .unwrap();
    let (report, indexed) = ecolens_corpus::import::import_and_index(
        &mut during,
        &[baseline_folder(dir.path())],
        &options,
        Some((&mut during_index, &SyncOptions::small(&cancel))),
    )
    .unwrap();
    let indexed = indexed.expect("indexed during the import");
    assert_eq!(indexed.records_indexed, report.records_imported);
    assert!(during_index.status(&during).unwrap().up_to_date);

    // After: the same import, then a sync.
    let mut after = Project::open(dir.path().join("after.ecolens")).unwrap();
    import_paths(&mut after, &[baseline_folder(dir.path())], &options).unwrap();
    let mut after_index = SearchIndex::open(&after).unwrap();
    after_index
        .sync(&mut after, &SyncOptions::small(&cancel))
        .unwrap();

    assert_eq!(
        during_index.status(&during).unwrap().records,
        after_index.status(&after).unwrap().records
    );
    unblind(&mut during);
    unblind(&mut after);
    let titles = |index: &SearchIndex, project: &Project, query: &str| -> Vec<String> {
        let mut titles: Vec<String> = search(index, project, query)
            .hits
            .into_iter()
            .map(|hit| hit.title)
            .collect();
        titles.sort();
        titles
    };
    for query in [
        "dinosaur",
        "ti:dinosaur footprints",
        "ab:\"the fossil\"",
        "decision:include",
        "decision:unscreened",
        "has:doi year:2020..2024",
        "file:rayyan_export_baseline.ris",
        "kw:keratin OR au:bordy",
    ] {
        let expected = titles(&after_index, &after, query);
        assert!(!expected.is_empty(), "{query}");
        assert_eq!(titles(&during_index, &during, query), expected, "{query}");
    }
}
