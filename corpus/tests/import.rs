//! Importing the real fixtures into a project: counts, cross-format deduplication, relations,
//! located problems, undoing a merge, re-importing, cancelling.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::AtomicBool;

use ecolens_core::{Project, RelationKind};
use ecolens_corpus::import::{ImportOptions, import_paths};

use common::{baseline_folder, fixture, import};

#[test]
fn rayyan_ris_and_csv_of_the_same_ten_records_dedup_to_ten() {
    let mut project = Project::open_in_memory().unwrap();
    let report = import(
        &mut project,
        &[
            fixture("rayyan_export_baseline.ris"),
            fixture("rayyan_export_baseline.csv"),
        ],
    );
    assert_eq!(report.records_read, 20);
    assert_eq!(report.records_imported, 10);
    assert_eq!(report.duplicates_merged, 10);
    assert_eq!(project.record_count().unwrap(), 10);
    assert!(report.import_id.is_some());
    assert_eq!(report.files.len(), 2);
    assert_eq!(report.files[0].format.as_deref(), Some("ris"));
    assert_eq!(report.files[1].format.as_deref(), Some("csv"));
    assert_eq!(report.files[1].duplicates_merged, 10);

    // Every record now has two sources; merges say why.
    let records = project.records().unwrap();
    assert!(
        records.iter().all(|r| r.sources.len() == 2),
        "{:#?}",
        records[0].sources
    );
    let merges = project.merges(None, false).unwrap();
    assert_eq!(merges.len(), 10);
    assert!(
        merges.iter().all(|m| m.reason.starts_with("same DOI 10.")),
        "{:?}",
        merges[0].reason
    );
    assert!(merges.iter().all(|m| m.merged_source.format == "csv"));

    // The two errata are linked to the articles they correct, not merged with them.
    assert_eq!(report.related_linked, 2);
    let errata = project.relations_of_kind(RelationKind::ErratumOf).unwrap();
    assert_eq!(errata.len(), 2);
    for relation in &errata {
        let erratum = project.record(relation.from).unwrap().record;
        let article = project.record(relation.to).unwrap().record;
        assert!(erratum.title.starts_with("Erratum:"), "{}", erratum.title);
        assert!(
            erratum.title.contains(&article.title),
            "{} / {}",
            erratum.title,
            article.title
        );
    }

    // Emily's Rayyan decisions are found once per record.
    assert_eq!(report.labels.len(), 1);
    let emily = &report.labels[0];
    assert_eq!(
        (
            emily.reviewer.as_deref(),
            emily.include,
            emily.maybe,
            emily.exclude
        ),
        (Some("Emily"), 2, 2, 2)
    );
    // ... and became her title/abstract votes, each once although both files carry them.
    assert_eq!((emily.votes_recorded, emily.conflicts), (6, 0));
    let reviewer = project.reviewer_by_name("Emily").unwrap();
    let mut decisions = Vec::new();
    for record in project.records().unwrap() {
        for vote in project
            .screening_votes(record.id, &project.visibility(None).unwrap())
            .unwrap()
        {
            assert_eq!(vote.reviewer, reviewer.id);
            assert_eq!(vote.vote.stage, ecolens_core::Stage::TitleAbstract);
            assert!(
                vote.vote
                    .note
                    .as_deref()
                    .unwrap()
                    .starts_with("Rayyan label in rayyan_export_baseline.")
            );
            decisions.push(vote.vote.decision.code());
        }
    }
    decisions.sort_unstable();
    assert_eq!(
        decisions,
        ["exclude", "exclude", "include", "include", "maybe", "maybe"]
    );
    // The audit log says who decided what.
    let log = project
        .audit_log(
            ecolens_core::store::AuditFilter::default(),
            &project.visibility(None).unwrap(),
        )
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.entity == ecolens_core::EntityKind::Screening)
            .count(),
        6
    );

    // Glued tags reported with file and line, nothing rejected.
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    let first = report
        .warnings
        .iter()
        .find(|w| w.problem.message.contains("glued"))
        .unwrap();
    assert!(first.to_string().ends_with("rayyan_export_baseline.csv:2 (rayyan-42924189) doi: text of another RIS tag glued onto the DOI was cut off"), "{first}");
}

#[test]
fn every_fixture_at_once_with_counts_relations_and_undo() {
    let mut project = Project::open_in_memory().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = baseline_folder(dir.path());
    let report = import(&mut project, std::slice::from_ref(&folder));
    let formats: Vec<_> = report
        .files
        .iter()
        .map(|f| f.format.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        formats,
        ["endnote-xml", "medline", "csv", "ris", "ris", "bibtex"],
        "in name order; SOURCES.md is not a bibliography and is skipped"
    );
    assert_eq!(report.records_read, 81);
    assert_eq!(report.records_imported, 71);
    assert_eq!(project.record_count().unwrap(), 71);
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);

    // The Scopus pair with the same title and abstract but different authors: a human decides.
    assert_eq!(report.possible_duplicates, 1);
    let possible = project
        .relations_of_kind(RelationKind::PossibleDuplicate)
        .unwrap();
    assert_eq!(possible[0].reason, "same title, but no author in common");
    let (a, b) = (
        project.record(possible[0].from).unwrap().record,
        project.record(possible[0].to).unwrap().record,
    );
    assert_eq!(a.title, b.title);

    // Undo one merge: the CSV copy becomes its own record again, with its source, and the pair
    // is remembered as distinct.
    let merge = project
        .merges(None, false)
        .unwrap()
        .into_iter()
        .find(|m| m.merged.title.starts_with("Cellular structure"))
        .unwrap();
    let kept_before = project.record(merge.kept).unwrap();
    assert_eq!(kept_before.sources.len(), 2);
    let restored = project.undo_merge(merge.id).unwrap();
    assert_eq!(project.record_count().unwrap(), 72);
    let restored_record = project.record(restored).unwrap();
    assert_eq!(restored_record.record.title, merge.merged.title);
    assert_eq!(restored_record.sources, vec![merge.merged_source.clone()]);
    assert_eq!(project.record(merge.kept).unwrap().sources.len(), 1);
    assert_eq!(project.distinct_pairs().unwrap().len(), 1);
    assert!(
        project
            .merges(None, false)
            .unwrap()
            .iter()
            .all(|m| m.id != merge.id)
    );
    assert!(
        project.undo_merge(merge.id).is_err(),
        "an undone merge cannot be undone twice"
    );

    // Importing the same folder again reads nothing: each file is known by its content.
    let lead = project.add_reviewer("Lead", true).unwrap();
    project.set_blind(lead.id, false).unwrap();
    let seen = project.visibility(None).unwrap();
    let prisma_before = project.prisma(&seen).unwrap();
    assert_eq!(
        (
            prisma_before.identified_total,
            prisma_before.duplicates_removed
        ),
        (81, 9),
        "81 records read, 10 merged, one merge undone"
    );
    let sources_before: usize = project
        .records()
        .unwrap()
        .iter()
        .map(|r| r.sources.len())
        .sum();
    let first_import = report.import_id.unwrap();
    let again = import(&mut project, std::slice::from_ref(&folder));
    assert_eq!(again.already_imported, 6);
    assert_eq!(
        (
            again.records_read,
            again.records_imported,
            again.duplicates_merged
        ),
        (0, 0, 0)
    );
    assert!(
        again.files.iter().all(|f| f
            .already_imported
            .as_ref()
            .is_some_and(|e| e.import == first_import)),
        "{:#?}",
        again.files
    );
    assert!(again.failed.is_empty() && again.files.iter().all(|f| !f.was_read()));
    // Read again on purpose, every record is found where it was read before: nothing is
    // added, merged or identified twice.
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let forced = ecolens_corpus::import::import_paths(
        &mut project,
        &[folder],
        &ImportOptions {
            again: true,
            ..common::options(&cancel)
        },
    )
    .unwrap();
    assert_eq!(forced.records_read, 81);
    assert_eq!(
        (
            forced.records_imported,
            forced.duplicates_merged,
            forced.already_present
        ),
        (0, 0, 81)
    );
    assert_eq!(project.record_count().unwrap(), 72);
    let sources_after: usize = project
        .records()
        .unwrap()
        .iter()
        .map(|r| r.sources.len())
        .sum();
    assert_eq!(sources_after, sources_before);
    let prisma_after = project.prisma(&project.visibility(None).unwrap()).unwrap();
    assert_eq!(
        (
            &prisma_after.identified,
            prisma_after.identified_total,
            prisma_after.duplicates_removed,
            prisma_after.records_after_deduplication
        ),
        (&prisma_before.identified, 81, 9, 72)
    );
    // The one change: the row whose merge was undone is its own record now, and Emily's
    // label on that row, read again, is her vote on it (it had gone to the merged record).
    assert_eq!(
        prisma_after.records_screened,
        prisma_before.records_screened + 1
    );
    assert_eq!(project.import_runs().unwrap().len(), 3);
}

#[test]
fn bad_files_and_missing_paths_cost_one_line_each_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("notes.ris");
    std::fs::write(
        &garbage,
        "This is a shopping list, not a bibliography.\nMilk\n",
    )
    .unwrap();
    let broken = dir.path().join("broken.ris");
    std::fs::write(&broken, "TY  - JOUR\nTI  - Kept\nPY  - 2020\nER  - \nTY  - JOUR\nAU  - Untitled, A.\nER  - \nTY  - JOUR\nTI  - Also kept\nDO  - not a doi\nER  - \nTY  - JOUR\nPY  - 2021\nER  - \n").unwrap();
    let missing = dir.path().join("missing.bib");
    let mut project = Project::open_in_memory().unwrap();
    let report = import(
        &mut project,
        &[
            garbage.clone(),
            missing.clone(),
            broken.clone(),
            fixture("utf16le_bom_tiny.bib"),
        ],
    );
    // The untitled record with an author is kept (flagged), the empty one is rejected.
    assert_eq!(project.record_count().unwrap(), 4);
    // Files that could not be read are files not read, not rejected records.
    let failed: Vec<String> = report.failed.iter().map(ToString::to_string).collect();
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert_eq!(failed[0], format!("{}: file not found", missing.display()));
    assert!(
        failed.iter().any(|r| r.starts_with(&format!(
            "{}:1: not a bibliography ecolens reads: no RIS tags",
            garbage.display()
        ))),
        "{failed:#?}"
    );
    let rejected: Vec<String> = report.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        [format!(
            "{}:12 TI: no title and nothing else (no authors, editors, identifiers, abstract or venue): an empty record — record rejected",
            broken.display()
        )]
    );
    assert!(
        report.warnings.iter().any(|w| w.to_string()
            == format!(
                "{}:5 TI: no title: the record is kept untitled; `NOT has:title` finds such records, and Edit gives them a title",
                broken.display()
            )),
        "{:#?}",
        report.warnings
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.problem.line == 10 && w.problem.field.as_deref() == Some("DO"))
    );
    // Every path has its entry, the missing one first (paths are checked before reading).
    let files: Vec<(&std::path::Path, bool)> = report
        .files
        .iter()
        .map(|f| (f.path.as_path(), f.was_read()))
        .collect();
    assert_eq!(
        files,
        [
            (missing.as_path(), false),
            (garbage.as_path(), false),
            (broken.as_path(), true),
            (fixture("utf16le_bom_tiny.bib").as_path(), true),
        ]
    );
    assert_eq!(report.files[0].error.as_deref(), Some("file not found"));
    assert_eq!(
        report.files[1]
            .error
            .as_deref()
            .map(|e| e.contains("not a bibliography")),
        Some(true)
    );
    assert_eq!(
        (
            report.files[2].records_read,
            report.files[2].rejected,
            report.files[2].warnings
        ),
        (3, 1, 2)
    );
}

#[test]
fn a_cancelled_import_writes_nothing() {
    let mut project = Project::open_in_memory().unwrap();
    let cancel = AtomicBool::new(true);
    let options = ImportOptions {
        threads: 1,
        cancel: &cancel,
        progress: &|_| {},
        labels_as_votes: true,
        pdf: None,
        again: false,
    };
    let report = import_paths(
        &mut project,
        &[fixture("pubmed_medline_baseline.ris")],
        &options,
    )
    .unwrap();
    assert!(report.cancelled);
    assert_eq!(project.record_count().unwrap(), 0);
    assert!(project.import_runs().unwrap().is_empty());
}

#[test]
fn a_label_that_contradicts_a_recorded_vote_is_reported_and_the_vote_kept() {
    let mut project = Project::open_in_memory().unwrap();
    import(&mut project, &[fixture("rayyan_export_baseline.ris")]);
    let emily = project.reviewer_by_name("Emily").unwrap();
    // Emily changes her mind on one record in ecolens.
    let (record, vote) = project
        .records()
        .unwrap()
        .into_iter()
        .find_map(|r| {
            let votes = project
                .screening_votes(r.id, &project.visibility(None).unwrap())
                .unwrap();
            votes.into_iter().next().map(|v| (r.id, v))
        })
        .unwrap();
    let changed = ecolens_core::ScreeningVote {
        decision: if vote.vote.decision == ecolens_core::Decision::Include {
            ecolens_core::Decision::Maybe
        } else {
            ecolens_core::Decision::Include
        },
        ..vote.vote.clone()
    };
    project.set_screening(record, emily.id, &changed).unwrap();
    // The old export comes in again: her newer vote stays, the difference is reported.
    let report = import(&mut project, &[fixture("rayyan_export_baseline.csv")]);
    assert_eq!(report.labels[0].conflicts, 1, "{:#?}", report.labels);
    assert_eq!(report.labels[0].votes_recorded, 0);
    let warning = report
        .warnings
        .iter()
        .find(|w| w.problem.field.as_deref() == Some("review label"))
        .unwrap();
    assert!(
        warning
            .to_string()
            .contains("differs from the vote already recorded"),
        "{warning}"
    );
    assert_eq!(
        project
            .screening_votes(record, &project.visibility(None).unwrap())
            .unwrap()[0]
            .vote
            .decision,
        changed.decision
    );
}

#[test]
fn every_generated_near_duplicate_is_merged_and_nothing_else() {
    for bibtex in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(if bibtex { "synth.bib" } else { "synth.ris" });
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let generated = ecolens_corpus::synth::generate(11, 3000, 5, bibtex, &mut file).unwrap();
        drop(file);
        let mut project = Project::open_in_memory().unwrap();
        let report = import(&mut project, &[path]);
        assert!(
            report.rejected.is_empty() && report.warnings.is_empty(),
            "{:#?}",
            report.warnings.first()
        );
        assert_eq!(report.records_read, 3000);
        assert!(
            generated.near_duplicates > 100,
            "{}",
            generated.near_duplicates
        );
        assert_eq!(
            report.duplicates_merged, generated.near_duplicates,
            "bibtex: {bibtex}"
        );
        assert_eq!(report.records_imported, 3000 - generated.near_duplicates);
    }
}
