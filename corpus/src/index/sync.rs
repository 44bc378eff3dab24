//! Keeping the index in step with the store: sync from the journal, rebuild, the commit stamp,
//! merge policy, and indexing alongside an import ([`ImportIndexer`]).

#[allow(clippy::wildcard_imports)] // The index's modules share its imports and helpers.
use super::*;

/// Segments of more documents than this are left as they are: merging segments of a bulk
/// load into one took a fifth of the load time and made searches no faster.
pub(super) const LARGEST_MERGED_SEGMENT: usize = 100_000;

/// How segments are merged: not at all while everything is rebuilt (the segments come out
/// large), small ones together after updates.
/// Ranges of at most this many records are deleted from the index id by id.
const TERM_DELETES_UP_TO: i64 = 64;

pub(super) fn merge_policy(scope: &IndexScope) -> Box<dyn tantivy::indexer::MergePolicy> {
    if *scope == IndexScope::All {
        Box::new(tantivy::indexer::NoMergePolicy)
    } else {
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(LARGEST_MERGED_SEGMENT);
        Box::new(policy)
    }
}

/// How an index update runs.
pub struct SyncOptions<'a> {
    /// Indexing threads.
    pub threads: usize,
    /// Memory the indexing threads may use together, in bytes (at least 15 MB per thread).
    pub memory_bytes: usize,
    /// Set to stop; the index is left as it was.
    pub cancel: &'a AtomicBool,
    /// Called with the number of records indexed so far, now and then.
    pub progress: &'a dyn Fn(u64),
}

/// Memory tantivy needs per indexing thread at the least.
pub(super) const MIN_MEMORY_PER_THREAD: usize = 15 << 20;

/// Memory per indexing thread for bulk updates (imports, rebuilds): 128 MB. With 2 threads a
/// 1M-record import stays at 659 MB peak (`ecolens bench`), inside the 1 GB target; it was
/// not tuned against other sizes.
pub(super) const BULK_MEMORY_PER_THREAD: usize = 128 << 20;

impl<'a> SyncOptions<'a> {
    /// Options for bulk updates (after an import, a rebuild): `threads` threads with 128 MB
    /// each.
    pub fn bulk(threads: usize, cancel: &'a AtomicBool, progress: &'a dyn Fn(u64)) -> Self {
        SyncOptions {
            threads,
            memory_bytes: threads * BULK_MEMORY_PER_THREAD,
            cancel,
            progress,
        }
    }
}

impl SyncOptions<'_> {
    /// Options for small updates (a review change): one thread, a small budget.
    pub fn small(cancel: &AtomicBool) -> SyncOptions<'_> {
        SyncOptions {
            threads: 1,
            memory_bytes: 32 << 20,
            cancel,
            progress: &|_| {},
        }
    }
}

impl SearchIndex {
    /// Brings the index up to date with `project`: re-reads the records changed since its
    /// stamp, or everything. On cancel or error the index is left as it was.
    pub fn sync(&mut self, project: &mut Project, options: &SyncOptions<'_>) -> Result<SyncReport> {
        let indexed = self.stamp()?.map(|stamp| stamp.data_version);
        self.update(project, indexed, options)
    }
    /// Re-reads every record.
    pub fn rebuild(
        &mut self,
        project: &mut Project,
        options: &SyncOptions<'_>,
    ) -> Result<SyncReport> {
        self.update(project, None, options)
    }
    pub(super) fn update(
        &mut self,
        project: &mut Project,
        indexed: Option<u64>,
        options: &SyncOptions<'_>,
    ) -> Result<SyncReport> {
        let started = Instant::now();
        let changes = project.index_changes(indexed)?;
        let Some(mut scope) = changes.scope else {
            return Ok(SyncReport {
                rebuilt: false,
                records_indexed: 0,
                data_version: changes.version,
                elapsed_ms: 0,
            });
        };
        // More records to read than the index holds (a large import into a small project):
        // read everything, so the common words come from the records that now make the bulk.
        if let IndexScope::Ranges(ranges) = &scope {
            let widths: u64 = ranges
                .iter()
                .map(|range| u64::try_from(range.end().0 - range.start().0 + 1).unwrap_or(0))
                .sum();
            if widths
                > self
                    .reader
                    .searcher()
                    .num_docs()
                    .max(COMMON_SAMPLE as u64 / 4)
            {
                scope = IndexScope::All;
            }
        }
        if scope == IndexScope::All {
            // Everything is re-read: the common words may have changed with the records.
            let words = common_words(project)?;
            self.set_common(words);
        }
        let threads = options.threads.max(1);
        let memory = options.memory_bytes.max(threads * MIN_MEMORY_PER_THREAD);
        let mut writer: IndexWriter<TantivyDocument> = self
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(index_error("starting to write the search index"))?;
        writer.set_merge_policy(merge_policy(&scope));
        let written = self.write(project, &scope, &mut writer, options);
        let records_indexed = match written {
            Ok(count) => count,
            Err(error) => {
                // Nothing of this update reaches the index.
                let _ = writer.rollback();
                return Err(error);
            }
        };
        self.commit(project, writer, changes.version)?;
        Ok(SyncReport {
            rebuilt: scope == IndexScope::All,
            records_indexed,
            data_version: changes.version,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
    /// Commits what `writer` holds, stamped with `version`, and lets the store forget the
    /// changes up to it.
    pub(super) fn commit(
        &self,
        project: &mut Project,
        mut writer: IndexWriter<TantivyDocument>,
        version: u64,
    ) -> Result<()> {
        let mut common_words: Vec<String> = self.common.iter().cloned().collect();
        common_words.sort();
        let stamp = Stamp {
            project_id: self.project_id.clone(),
            data_version: version,
            schema: INDEX_SCHEMA_VERSION,
            common_words,
        };
        let payload = serde_json::to_string(&stamp).map_err(|error| Error::Index {
            action: "stamping the search index",
            source: Box::new(tantivy::TantivyError::InternalError(error.to_string())),
        })?;
        let mut commit = writer
            .prepare_commit()
            .map_err(index_error("committing the search index"))?;
        commit.set_payload(&payload);
        commit
            .commit()
            .map_err(index_error("committing the search index"))?;
        writer
            .wait_merging_threads()
            .map_err(index_error("merging the search index"))?;
        self.reader
            .reload()
            .map_err(index_error("reloading the search index"))?;
        project.prune_index_journal(version)?;
        Ok(())
    }
    pub(super) fn write(
        &self,
        project: &Project,
        scope: &IndexScope,
        writer: &mut IndexWriter<TantivyDocument>,
        options: &SyncOptions<'_>,
    ) -> Result<u64> {
        match scope {
            IndexScope::All => {
                writer
                    .delete_all_documents()
                    .map_err(index_error("clearing the search index"))?;
            }
            IndexScope::Ranges(ranges) => {
                let term = |id: RecordId| {
                    Term::from_field_u64(self.fields.id, u64::try_from(id.0).unwrap_or(0))
                };
                for range in ranges {
                    let records = range.end().0.saturating_sub(range.start().0) + 1;
                    if records <= TERM_DELETES_UP_TO {
                        // A few records (what an import's merges leave): each deleted by its
                        // id's term, a dictionary look-up; a range query scans every
                        // document's id in every segment, which made thousands of merges
                        // quadratic (pairs of neighbouring merged records were 3 % of a
                        // 200k-record import's CPU).
                        for id in range.start().0..=range.end().0 {
                            writer.delete_term(term(RecordId(id)));
                        }
                    } else {
                        writer
                            .delete_query(Box::new(RangeQuery::new(
                                Bound::Included(term(*range.start())),
                                Bound::Included(term(*range.end())),
                            )))
                            .map_err(index_error("removing records from the search index"))?;
                    }
                }
            }
        }
        let mut count = 0u64;
        project.for_each_index_doc(scope, true, |doc| -> Result<()> {
            if count.is_multiple_of(1024) {
                if options.cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                (options.progress)(count);
            }
            writer
                .add_document(self.document(&doc))
                .map_err(index_error("adding to the search index"))?;
            count += 1;
            Ok(())
        })?;
        (options.progress)(count);
        Ok(count)
    }
    /// Starts indexing alongside an import, if the index is empty and up to date with
    /// `version` (the project's data version where the import started): the import hands
    /// over each new record as it stores it ([`ImportIndexer::add_new`]) and the records it
    /// changed ([`ImportIndexer::changed`]), and [`ImportIndexer::finish`] completes the
    /// index once the import is committed. Indexing then runs on the cores the import leaves
    /// idle, instead of after it. `None`: index after the import as usual.
    pub fn begin_import(
        &mut self,
        version: u64,
        options: &SyncOptions<'_>,
    ) -> Result<Option<ImportIndexer<'_>>> {
        let up_to_date = self
            .stamp()?
            .is_some_and(|stamp| stamp.data_version == version);
        let empty = self.reader.searcher().num_docs() == 0;
        if !(up_to_date && empty) {
            return Ok(None);
        }
        Ok(Some(ImportIndexer {
            threads: options.threads.max(1),
            memory: options
                .memory_bytes
                .max(options.threads.max(1) * MIN_MEMORY_PER_THREAD),
            index: self,
            writer: None,
            counter: WordCounter::new(),
            waiting: Vec::new(),
            dirty: BTreeSet::new(),
            added: Vec::new(),
        }))
    }
}

/// Indexing alongside an import (see [`SearchIndex::begin_import`]).
///
/// The first [`COMMON_SAMPLE`] new records wait in memory until the common words are known
/// from them; after that every record goes to tantivy's indexing threads as it comes.
pub struct ImportIndexer<'i> {
    index: &'i mut SearchIndex,
    threads: usize,
    memory: usize,
    writer: Option<IndexWriter<TantivyDocument>>,
    counter: WordCounter,
    waiting: Vec<(RecordId, ecolens_core::Record, String)>,
    /// Records stored before this import and changed by it, or added and then changed:
    /// re-read from the store once the import is committed.
    dirty: BTreeSet<RecordId>,
    /// Records added as new, in the order the import stored them (ids grow).
    added: Vec<RecordId>,
}

impl std::fmt::Debug for ImportIndexer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportIndexer")
            .field("added", &self.added.len())
            .field("dirty", &self.dirty.len())
            .finish_non_exhaustive()
    }
}

impl ImportIndexer<'_> {
    /// A record the import just added, read from `file`.
    pub fn add_new(
        &mut self,
        id: RecordId,
        record: &ecolens_core::Record,
        file: &Path,
    ) -> Result<()> {
        let file = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if self.writer.is_none() {
            self.counter.count(record);
            self.waiting.push((id, record.clone(), file));
            if self.counter.full() {
                self.start()?;
            }
            return Ok(());
        }
        self.add(id, record, file)
    }

    /// A record the import changed after adding it, or that was stored before it.
    pub fn changed(&mut self, id: RecordId) {
        self.dirty.insert(id);
    }

    /// Settles the common words, opens the writer and indexes what waited.
    pub(super) fn start(&mut self) -> Result<()> {
        let counter = std::mem::replace(&mut self.counter, WordCounter::new());
        self.index.set_common(counter.common());
        let writer: IndexWriter<TantivyDocument> = self
            .index
            .index
            .writer_with_num_threads(self.threads, self.memory)
            .map_err(index_error("starting to write the search index"))?;
        writer.set_merge_policy(merge_policy(&IndexScope::All));
        self.writer = Some(writer);
        for (id, record, file) in std::mem::take(&mut self.waiting) {
            self.add(id, &record, file)?;
        }
        Ok(())
    }

    pub(super) fn add(
        &mut self,
        id: RecordId,
        record: &ecolens_core::Record,
        file: String,
    ) -> Result<()> {
        let files = [file];
        let document = self.index.document_of(&DocParts {
            id,
            record,
            full_text: None,
            review: &ReviewFacets::default(),
            files: &files,
        });
        if let Some(writer) = &self.writer {
            writer
                .add_document(document)
                .map_err(index_error("adding to the search index"))?;
            self.added.push(id);
        }
        Ok(())
    }

    /// After the import committed: re-reads the changed records from the store and commits
    /// the index, stamped with `version` (the data version the import left).
    pub fn finish(mut self, project: &mut Project, version: u64) -> Result<SyncReport> {
        let started = Instant::now();
        if self.writer.is_none() {
            self.start()?;
        }
        let Some(mut writer) = self.writer.take() else {
            return Err(Error::Cancelled);
        };
        let dirty: Vec<RecordId> = std::mem::take(&mut self.dirty).into_iter().collect();
        let mut added = std::mem::take(&mut self.added);
        added.sort_unstable();
        // Records indexed: the ones added and not read again, and the ones read again.
        let mut count = added
            .iter()
            .filter(|id| dirty.binary_search(id).is_err())
            .count() as u64;
        if !dirty.is_empty() {
            // Neighbouring ids make one range: one read of the store and one delete each.
            let scope = IndexScope::Ranges(ecolens_core::store::id_ranges(&dirty));
            let cancel = AtomicBool::new(false);
            let options = SyncOptions::small(&cancel);
            count += match self.index.write(project, &scope, &mut writer, &options) {
                Ok(written) => written,
                Err(error) => {
                    let _ = writer.rollback();
                    return Err(error);
                }
            };
        }
        self.index.commit(project, writer, version)?;
        Ok(SyncReport {
            rebuilt: true,
            records_indexed: count,
            data_version: version,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// The import failed or was cancelled: nothing reaches the index.
    pub fn abandon(mut self) {
        if let Some(mut writer) = self.writer.take() {
            let _ = writer.rollback();
        }
    }
}
