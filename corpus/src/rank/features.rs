//! TF-IDF features of records for the screening model: words and pairs of neighbouring words
//! of the title, the abstract and each keyword, sublinear term frequency, smoothed inverse
//! document frequency, each record's vector of unit length.
//!
//! Function words ("of", "the", "with") are kept, as ASReview LAB keeps them. Replayed with
//! `ecolens simulate --runs 5` on eight real labelled reviews of ASReview's
//! systematic-review-datasets (1,333–2,544 records each), leaving them out took more records
//! to reach 95 % recall in six (8–40 % more: Kitchenham 2010 653 against 467, Nagtegaal 2019
//! 609 against 438) and fewer in two (Cohen's ACE inhibitors 456 against 511, opioids 1,402
//! against 1,417); 7,569 records against 6,684 over all eight medians. Pairs such as "trial
//! of" and "in patients" carry a review's design as much as its content words do.
//!
//! The arithmetic is scikit-learn's `TfidfVectorizer(sublinear_tf=True, max_df=0.95)` (the
//! features of ASReview LAB's default model, ELAS u4), so that the two can be compared number
//! for number (`docs/reference/screening_reference.py`). Title and abstract are one text, as
//! ASReview joins them (pairing the title's last word with the abstract's first: with that,
//! `ecolens simulate` screened the same number of records to 95 % recall as ASReview on two
//! real reviews seed for seed, and one or two more on two others; pairing inside each field
//! only had cost up to 3 % more). Two choices are ecolens's own: keywords count too, each
//! keyword a text of its own (ASReview reads no keywords), and a term is known by a 64-bit hash
//! of its text instead of the text.
//!
//! Why hashes: a dictionary of every word pair of 100,000 abstracts holds millions of strings,
//! most of them seen once, and costs more memory than the whole model may use (≤ 300 MB at
//! 100k records). Two of `t` distinct terms share a 64-bit hash with probability about
//! `t²/2⁶⁵`: one in 500,000 for 8 million terms. (32 bits were tried first: two of the 17,923
//! terms of ASReview's 100-record sample, function words then left out, already shared one.)

use serde::{Deserialize, Serialize};

use crate::text::FUNCTION_WORDS;

/// How records become feature vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureOptions {
    /// Pairs of neighbouring words as terms too (`"carbon footprint"`).
    pub word_pairs: bool,
    /// Term frequency as `1 + ln(tf)` instead of `tf`.
    pub sublinear_tf: bool,
    /// English function words ([`FUNCTION_WORDS`]) left out before pairs are made (off: see
    /// the module's notes for why).
    pub drop_function_words: bool,
    /// Terms in more than this share of records are left out (0.95, ASReview ELAS u4).
    pub max_document_share: f64,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions {
            word_pairs: true,
            sublinear_tf: true,
            drop_function_words: false,
            max_document_share: 0.95,
        }
    }
}

/// The text of one record the features are made of.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordText<'a> {
    /// Title.
    pub title: &'a str,
    /// Abstract, when known.
    pub abstract_text: Option<&'a str>,
    /// Keywords.
    pub keywords: &'a [String],
}

impl<'a> RecordText<'a> {
    /// The text of a record.
    pub fn of(record: &'a ecolens_core::Record) -> Self {
        RecordText {
            title: &record.title,
            abstract_text: record.abstract_text.as_deref(),
            keywords: &record.keywords,
        }
    }
}

/// Bits of an entry that hold its column; the six above them hold the term's count in the
/// record (1–62), or [`LARGE_COUNT`].
pub(super) const COLUMN_BITS: u32 = 26;
pub(super) const COLUMN_MASK: u32 = (1 << COLUMN_BITS) - 1;
/// The count code of a term seen 63 times or more in one record: its count is in the
/// block's list of large counts (function words in a long abstract get there).
pub(super) const LARGE_COUNT: u32 = (1 << (32 - COLUMN_BITS)) - 1;

/// Most distinct terms the features hold: 2²⁶ = 67,108,864 (100,000 records of titles and
/// abstracts hold about 3.6 million). Terms first seen after that many are left out and
/// counted ([`Features::terms_left_out`]); the term map alone would take over a gigabyte by
/// then.
pub const MOST_TERMS: usize = 1 << COLUMN_BITS;

/// One record's feature vector: its terms' columns (in no particular order) and their weights
/// `w(count) × idf × scale`, computed when read rather than stored (see [`Features`]).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Column and count code of each entry.
    pub(super) entries: &'a [u32],
    /// The block's large counts, by position in the block.
    large: &'a [(u32, u32)],
    /// The row's first position in its block.
    offset: u32,
    /// Its entries' weights, when the features keep them ([`Features::weigh_entries`]).
    values: Option<&'a [f64]>,
    /// 1 / the length of the row's tf × idf vector (0 for an empty row).
    pub(super) scale: f64,
    /// The weight of each count code.
    pub(super) counts: &'a [f64; 64],
    sublinear: bool,
    /// Each term's idf.
    pub(super) idf: &'a [f64],
}

impl Row<'_> {
    /// Terms in the record.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether the record has no term at all (no title words, no abstract).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The columns (terms).
    pub fn columns(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|e| e & COLUMN_MASK)
    }
    /// Each column with its weight (tf × idf, the row of unit length).
    pub fn weights(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        (0..self.entries.len()).map(|i| {
            let column = self.entries[i] & COLUMN_MASK;
            (
                column,
                self.count_weight(i) * self.idf[column as usize] * self.scale,
            )
        })
    }
    /// Each entry's weight, in order, when the features keep them
    /// ([`Features::weigh_entries`]).
    pub(super) fn entry_weights(&self) -> Option<&[f64]> {
        self.values
    }
    /// Squared length (1 for a record with any term, 0 for one without).
    pub fn squared_norm(&self) -> f64 {
        self.weights().map(|(_, w)| w * w).sum()
    }
    /// The count's weight (`1 + ln(count)`, or the count) of entry `i`.
    pub(super) fn count_weight(&self, i: usize) -> f64 {
        let entry = self.entries[i];
        let weight = Self::table_weight(self.counts, entry);
        if entry >> COLUMN_BITS == LARGE_COUNT {
            weight
                + self
                    .large()
                    .find(|(at, _)| *at == i)
                    .map_or(0.0, |(_, d)| d)
        } else {
            weight
        }
    }
    /// The weight of `entry`'s count code from the table: exact below [`LARGE_COUNT`], the
    /// weight of 63 at it ([`Row::large`] has what to add for those). No branch: the loops
    /// over every entry of every row run on this.
    #[inline]
    pub(super) fn table_weight(counts: &[f64; 64], entry: u32) -> f64 {
        counts[(entry >> COLUMN_BITS) as usize]
    }
    /// The row's entries whose count is 63 or more (rare: function words in a long
    /// abstract), each with what its weight adds to the table's weight of 63.
    pub(super) fn large(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let end = self.offset + u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let first = self.large.partition_point(|(at, _)| *at < self.offset);
        let sublinear = self.sublinear;
        let base = self.counts[LARGE_COUNT as usize];
        self.large[first..]
            .iter()
            .take_while(move |(at, _)| *at < end)
            .map(move |(at, count)| {
                (
                    (at - self.offset) as usize,
                    count_weight(f64::from(*count), sublinear) - base,
                )
            })
    }
}

/// The weight of a term's count in a record.
fn count_weight(count: f64, sublinear: bool) -> f64 {
    if sublinear { 1.0 + count.ln() } else { count }
}

/// The weight of each count code (code 0 is never stored; code 63 stands for 63 or more).
fn count_table(sublinear: bool) -> [f64; 64] {
    let mut table = [0.0; 64];
    for (code, weight) in table.iter_mut().enumerate().skip(1) {
        #[allow(clippy::cast_precision_loss)] // Below 64.
        {
            *weight = count_weight(code as f64, sublinear);
        }
    }
    table
}

/// The feature vectors of a list of records, in the order given, stored as sparse rows over
/// the terms kept.
///
/// Each entry is 4 bytes: the term's column and its count in the record. The weight is
/// computed when it is read, from the count, the term's idf and the row's scale, in f64 as
/// scikit-learn computes it: half the memory of a column and an f32 weight per entry (245
/// against 123 MB for the 30.5 million entries of 100,000 records), and no rounding to f32.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub(super) options: FeatureOptions,
    /// Where each row is.
    pub(super) rows: Vec<RowAt>,
    /// The rows' entries.
    pub(super) blocks: Vec<Block>,
    /// Each kept term's smoothed inverse document frequency; its length is the terms kept.
    pub(super) idf: Vec<f64>,
    /// Distinct terms left out beyond [`MOST_TERMS`].
    pub(super) left_out: u64,
    /// The weight of each count code.
    pub(super) counts: [f64; 64],
    /// Every entry's weight, once asked for ([`Features::weigh_entries`]).
    pub(super) weighed: std::sync::OnceLock<EntryWeights>,
}

/// Every entry's weight, row after row (8 bytes an entry): kept for small features, where
/// the model trains many times over the same rows (see the model's notes).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EntryWeights {
    /// Where each row's weights start, and one past the last.
    starts: Vec<usize>,
    weights: Vec<f64>,
}

/// Entries of consecutive rows. Rows are stored in blocks of at least [`BLOCK`] entries
/// rather than in one vector: a vector grown by doubling holds up to twice what it needs
/// while it grows, blocks hold what they need plus one block's slack. A row never spans two
/// blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Block {
    /// Column and count code of each entry.
    pub(super) entries: Vec<u32>,
    /// Counts of [`LARGE_COUNT`] or more: position in the block and count, by position.
    pub(super) large: Vec<(u32, u32)>,
}

/// Entries per block at the least (4 MB).
const BLOCK: usize = 1 << 20;

/// Where a row's entries are, a block and a range in it, and its scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RowAt {
    pub(super) block: u32,
    pub(super) start: u32,
    pub(super) end: u32,
    /// 1 / the length of the row's tf × idf vector (0 for an empty row).
    pub(super) scale: f64,
}

/// Builds [`Features`] one record at a time, so that records can stream from the store
/// instead of being held in memory together.
pub struct FeatureBuilder {
    options: FeatureOptions,
    tokenizer: Tokenizer,
    hashes: Vec<u64>,
    /// Each term's column, numbered as first seen.
    numbers: std::collections::HashMap<u64, u32, std::hash::BuildHasherDefault<Spread>>,
    /// Records holding each column's term.
    frequency: Vec<u32>,
    rows: Vec<RowAt>,
    /// Entries: column as first seen and count code.
    blocks: Vec<Block>,
    /// Distinct terms left out beyond `most_terms`.
    left_out: std::collections::HashSet<u64, std::hash::BuildHasherDefault<Spread>>,
    /// Entries per block at the least.
    pub(super) block_entries: usize,
    /// Most distinct terms ([`MOST_TERMS`]; smaller in tests).
    pub(super) most_terms: usize,
}

impl FeatureBuilder {
    /// A builder with `options`.
    pub fn new(options: &FeatureOptions) -> Self {
        FeatureBuilder {
            options: options.clone(),
            tokenizer: Tokenizer::new(options.drop_function_words),
            hashes: Vec::new(),
            numbers: std::collections::HashMap::default(),
            frequency: Vec::new(),
            rows: Vec::new(),
            blocks: Vec::new(),
            left_out: std::collections::HashSet::default(),
            block_entries: BLOCK,
            most_terms: MOST_TERMS,
        }
    }

    /// Adds the next record.
    pub fn add(&mut self, text: &RecordText<'_>) {
        self.hashes.clear();
        let pairs = self.options.word_pairs;
        // Title and abstract are one text, as ASReview LAB joins them: the title's last word
        // and the abstract's first make a pair. Each keyword is a text of its own.
        let mut previous = None;
        self.tokenizer
            .terms(text.title, pairs, &mut self.hashes, &mut previous);
        if let Some(abstract_text) = text.abstract_text {
            self.tokenizer
                .terms(abstract_text, pairs, &mut self.hashes, &mut previous);
        }
        for keyword in text.keywords {
            self.tokenizer
                .terms(keyword, pairs, &mut self.hashes, &mut None);
        }
        self.hashes.sort_unstable();
        let distinct = self.hashes.chunk_by(|a, b| a == b).count();
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.entries.capacity() - b.entries.len() >= distinct);
        if !fits {
            let room = self.block_entries.max(distinct);
            self.blocks.push(Block {
                entries: Vec::with_capacity(room),
                large: Vec::new(),
            });
        }
        let block_number = u32::try_from(self.blocks.len() - 1).unwrap_or(u32::MAX);
        let Some(block) = self.blocks.last_mut() else {
            return;
        };
        let start = u32::try_from(block.entries.len()).unwrap_or(u32::MAX);
        for run in self.hashes.chunk_by(|a, b| a == b) {
            let next = self.frequency.len();
            let number = match self.numbers.get(&run[0]) {
                Some(number) => *number,
                None if next < self.most_terms => {
                    let number = u32::try_from(next).unwrap_or(u32::MAX);
                    self.numbers.insert(run[0], number);
                    self.frequency.push(0);
                    number
                }
                None => {
                    self.left_out.insert(run[0]);
                    continue;
                }
            };
            self.frequency[number as usize] += 1;
            let count = u32::try_from(run.len()).unwrap_or(u32::MAX);
            if count >= LARGE_COUNT {
                let at = u32::try_from(block.entries.len()).unwrap_or(u32::MAX);
                block.large.push((at, count));
            }
            block
                .entries
                .push(number | (count.min(LARGE_COUNT) << COLUMN_BITS));
        }
        self.rows.push(RowAt {
            block: block_number,
            start,
            end: u32::try_from(block.entries.len()).unwrap_or(u32::MAX),
            scale: 0.0,
        });
    }

    /// The features of the records added.
    pub fn finish(self) -> Features {
        let FeatureBuilder {
            options,
            numbers,
            frequency,
            mut rows,
            mut blocks,
            left_out,
            ..
        } = self;
        drop(numbers);
        #[allow(clippy::cast_precision_loss)] // Record counts stay far below 2^52.
        let n = rows.len() as f64;
        let most = options.max_document_share * n;
        // Columns left: terms in no more than `most` records, numbered again from 0, each
        // with its smoothed idf, as scikit-learn's default: ln((1 + n) / (1 + df)) + 1.
        // Each term's count of records becomes its new number in place (one array of a
        // number per term instead of two, 14 MB at 100,000 records), and the idf is made the
        // length it will have (no doubling of 29 MB).
        //
        // Terms are numbered from the most common down (a counting sort on the number of
        // records, ties in the order first seen): a model's weights are read at the columns of
        // every entry, and most entries are of common terms, so that the weights read most
        // often sit together in a few cache lines instead of spread over all of them.
        let mut renumber = frequency;
        let kept_df = |df: u32| f64::from(df) <= most;
        let highest = renumber
            .iter()
            .copied()
            .filter(|df| kept_df(*df))
            .max()
            .unwrap_or(0) as usize;
        let mut next_of = vec![0u32; highest + 1];
        for df in renumber.iter().copied().filter(|df| kept_df(*df)) {
            next_of[df as usize] += 1;
        }
        let mut kept = 0u32;
        for slot in next_of.iter_mut().rev() {
            let terms = *slot;
            *slot = kept;
            kept += terms;
        }
        let mut idf = vec![0.0; kept as usize];
        for slot in &mut renumber {
            let df = *slot;
            if kept_df(df) {
                let number = next_of[df as usize];
                next_of[df as usize] += 1;
                idf[number as usize] = ((1.0 + n) / (1.0 + f64::from(df))).ln() + 1.0;
                *slot = number;
            } else {
                *slot = u32::MAX;
            }
        }
        drop(next_of);
        // Each block's rows compacted in place as too common terms go (rows come in block
        // order, so writing never overtakes reading), large counts with them.
        let mut written = vec![0usize; blocks.len()];
        let mut large_read = vec![0usize; blocks.len()];
        let mut large_written = vec![0usize; blocks.len()];
        for row in &mut rows {
            let b = row.block as usize;
            let block = &mut blocks[b];
            let from = written[b];
            let mut write = from;
            let mut squares = 0.0;
            for read in row.start as usize..row.end as usize {
                let entry = block.entries[read];
                let code = entry >> COLUMN_BITS;
                let count = if code == LARGE_COUNT {
                    let (_, count) = block.large[large_read[b]];
                    large_read[b] += 1;
                    count
                } else {
                    code
                };
                let column = renumber[(entry & COLUMN_MASK) as usize];
                if column == u32::MAX {
                    continue;
                }
                let weight =
                    count_weight(f64::from(count), options.sublinear_tf) * idf[column as usize];
                squares += weight * weight;
                if code == LARGE_COUNT {
                    let at = u32::try_from(write).unwrap_or(u32::MAX);
                    block.large[large_written[b]] = (at, count);
                    large_written[b] += 1;
                }
                block.entries[write] = column | (code << COLUMN_BITS);
                write += 1;
            }
            written[b] = write;
            row.start = u32::try_from(from).unwrap_or(u32::MAX);
            row.end = u32::try_from(write).unwrap_or(u32::MAX);
            row.scale = if squares > 0.0 {
                1.0 / squares.sqrt()
            } else {
                0.0
            };
        }
        for ((block, len), large) in blocks.iter_mut().zip(written).zip(large_written) {
            block.entries.truncate(len);
            block.entries.shrink_to_fit();
            block.large.truncate(large);
            block.large.shrink_to_fit();
        }
        let left_out = u64::try_from(left_out.len()).unwrap_or(u64::MAX);
        Features::from_parts(options, rows, blocks, idf, left_out)
    }
}

impl Features {
    /// Builds the features of `texts`.
    pub fn build<'a>(
        texts: impl IntoIterator<Item = RecordText<'a>>,
        options: &FeatureOptions,
    ) -> Self {
        let mut builder = FeatureBuilder::new(options);
        for text in texts {
            builder.add(&text);
        }
        builder.finish()
    }

    /// Features from their parts (as built, or as read back from a file and checked).
    pub(super) fn from_parts(
        options: FeatureOptions,
        rows: Vec<RowAt>,
        blocks: Vec<Block>,
        idf: Vec<f64>,
        left_out: u64,
    ) -> Self {
        let counts = count_table(options.sublinear_tf);
        Features {
            options,
            rows,
            blocks,
            idf,
            left_out,
            counts,
            weighed: std::sync::OnceLock::new(),
        }
    }

    /// Works out every entry's weight once and keeps it, so that rows carry their weights
    /// ([`Row::entry_weights`]) from then on.
    pub fn weigh_entries(&self) {
        self.weighed.get_or_init(|| {
            let mut starts = Vec::with_capacity(self.len() + 1);
            let mut weights = Vec::with_capacity(self.stored());
            for index in 0..self.len() {
                starts.push(weights.len());
                weights.extend(self.row(index).weights().map(|(_, w)| w));
            }
            starts.push(weights.len());
            EntryWeights { starts, weights }
        });
    }

    /// Records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Terms kept (the length of a weight vector over these features).
    pub fn terms(&self) -> usize {
        self.idf.len()
    }

    /// Each kept term's inverse document frequency, by column.
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// Distinct terms left out because there were more than [`MOST_TERMS`].
    pub fn terms_left_out(&self) -> u64 {
        self.left_out
    }

    /// The options the features were built with.
    pub fn options(&self) -> &FeatureOptions {
        &self.options
    }

    /// Non-zero weights over all records.
    pub fn stored(&self) -> usize {
        self.blocks.iter().map(|b| b.entries.len()).sum()
    }

    /// The feature vector of record `index` (in the order given to [`Features::build`]).
    ///
    /// # Panics
    /// When `index` is not below [`Features::len`].
    pub fn row(&self, index: usize) -> Row<'_> {
        let at = self.rows[index];
        let block = &self.blocks[at.block as usize];
        Row {
            entries: &block.entries[at.start as usize..at.end as usize],
            large: &block.large,
            offset: at.start,
            values: self
                .weighed
                .get()
                .map(|w| &w.weights[w.starts[index]..w.starts[index + 1]]),
            scale: at.scale,
            counts: &self.counts,
            sublinear: self.options.sublinear_tf,
            idf: &self.idf,
        }
    }

    /// Memory held, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<RowAt>()
            + self.idf.capacity() * 8
            + self
                .weighed
                .get()
                .map_or(0, |w| w.starts.capacity() * 8 + w.weights.capacity() * 8)
            + self
                .blocks
                .iter()
                .map(|b| b.entries.capacity() * 4 + b.large.capacity() * 8)
                .sum::<usize>()
    }
}

/// Hasher of the term numbering: the keys are hashes already.
#[derive(Default, Clone, Copy)]
struct Spread(u64);

impl std::hash::Hasher for Spread {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A term's hash, mixed (the finaliser of `SplitMix64`) so that every bit depends on every input bit.
fn term_of(hash: u64) -> u64 {
    // The final avalanche of SplitMix64, so that the top bits depend on every input bit.
    let mut x = hash;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    x
}

/// FNV-1a over a word's bytes: fixed, so a term has the same hash on every machine and in
/// every release (features can be kept on disk).
fn word_hash(word: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in word.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A pair's hash from its words' hashes (order matters: "energy use" ≠ "use energy").
fn pair_hash(first: u64, second: u64) -> u64 {
    first.rotate_left(23).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ second
}

/// Splits text into the model's words: runs of two or more letters, digits or underscores,
/// lower-cased (scikit-learn's default `(?u)\b\w\w+\b`).
struct Tokenizer {
    function_words: std::collections::HashSet<&'static str>,
    word: String,
}

impl Tokenizer {
    fn new(drop_function_words: bool) -> Self {
        Tokenizer {
            function_words: if drop_function_words {
                FUNCTION_WORDS.iter().copied().collect()
            } else {
                std::collections::HashSet::new()
            },
            word: String::new(),
        }
    }

    /// Pushes the term hashes of `text`'s words (and pairs) onto `out`; `previous` is the
    /// last word before `text` (the first word pairs with it) and is left at `text`'s last.
    fn terms(&mut self, text: &str, pairs: bool, out: &mut Vec<u64>, previous: &mut Option<u64>) {
        let mut chars = text.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if !is_word_char(c) {
                continue;
            }
            self.word.clear();
            self.word.extend(c.to_lowercase());
            let mut length = 1;
            while let Some(&(_, next)) = chars.peek() {
                if !is_word_char(next) {
                    break;
                }
                self.word.extend(next.to_lowercase());
                length += 1;
                chars.next();
            }
            if length < 2 || self.function_words.contains(self.word.as_str()) {
                continue;
            }
            let hash = word_hash(&self.word);
            out.push(term_of(hash));
            if pairs {
                if let Some(first) = *previous {
                    out.push(term_of(pair_hash(first, hash)));
                }
                *previous = Some(hash);
            }
        }
    }
}

/// A character of a word (Python's `\w`: letters, digits, underscore).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(title: &str) -> RecordText<'_> {
        RecordText {
            title,
            abstract_text: None,
            keywords: &[],
        }
    }

    #[test]
    fn rows_have_unit_length_and_a_word_in_every_record_is_left_out() {
        let options = FeatureOptions {
            max_document_share: 0.95,
            ..FeatureOptions::default()
        };
        let features = Features::build(
            [
                text("Energy use of deep learning"),
                text("Energy of data centres"),
                text("Energy and water"),
            ],
            &options,
        );
        assert_eq!(features.len(), 3);
        for row in 0..3 {
            assert!((features.row(row).squared_norm() - 1.0).abs() < 1e-6);
        }
        // "energy" is in all three records (more than 95 %): gone, its pairs stay.
        // and, water, "energy and", "and water".
        assert_eq!(features.row(2).len(), 4);
        // use, of, deep, learning, "energy use", "use of", "of deep", "deep learning".
        assert_eq!(features.row(0).len(), 8);
        // of, data, centres, "energy of", "of data", "data centres".
        assert_eq!(features.row(1).len(), 6);
        // Function words left out on request go before pairs are made: "energy water" is a
        // pair of the last record.
        let without = Features::build(
            [
                text("Energy use of deep learning"),
                text("Energy of data centres"),
                text("Energy and water"),
            ],
            &FeatureOptions {
                drop_function_words: true,
                ..options
            },
        );
        assert_eq!(without.row(2).len(), 2);
        // use, deep, learning, "energy use", "use deep", "deep learning".
        assert_eq!(without.row(0).len(), 6);
    }

    #[test]
    fn rows_across_many_blocks_are_the_rows_of_one_block() {
        let titles: Vec<String> = (0..200)
            .map(|i| {
                format!(
                    "energy use {} of model {} training run {}",
                    i % 7,
                    i % 13,
                    i
                )
            })
            .collect();
        let texts = || titles.iter().map(|t| text(t));
        let one = Features::build(texts(), &FeatureOptions::default());
        let mut small = FeatureBuilder::new(&FeatureOptions::default());
        small.block_entries = 16;
        for t in texts() {
            small.add(&t);
        }
        let many = small.finish();
        assert!(many.blocks.len() > 50 && one.blocks.len() == 1);
        assert_eq!(many.stored(), one.stored());
        for row in 0..one.len() {
            let (a, b) = (many.row(row), one.row(row));
            assert_eq!(
                a.weights().collect::<Vec<_>>(),
                b.weights().collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn title_and_abstract_pair_as_one_text_keywords_apart_and_one_letter_words_do_not_count() {
        let keywords = ["climate".to_owned()];
        let record = RecordText {
            title: "Smart grids",
            abstract_text: Some("the grid of a city"),
            keywords: &keywords,
        };
        let empty = text("zz");
        let features = Features::build([record, empty], &FeatureOptions::default());
        // smart, grids, "smart grids"; the, grid, of, city, "the grid", "grid of", "of city"
        // (no "a"); "grids the" (title and abstract are one text); climate, and no pair of a
        // keyword with the abstract's last word.
        assert_eq!(features.row(0).len(), 12);
        // One-letter words are not words.
        assert_eq!(features.row(1).len(), 1);
        let none = Features::build([text("a I ∂")], &FeatureOptions::default());
        assert!(none.row(0).is_empty());
    }

    #[test]
    fn a_word_seen_63_times_or_more_keeps_its_count_across_blocks_and_too_common_terms() {
        // "the" 70 times and "of" 100 times in one abstract: counts beyond the entry's six
        // bits, kept in the block's list, and right after other terms are compacted away.
        let long = format!("{} {}", "the ".repeat(70), "of ".repeat(100));
        let titles = ["common grid", "common solar", "common wind"];
        let build = |block_entries: usize| {
            let mut builder = FeatureBuilder::new(&FeatureOptions::default());
            builder.block_entries = block_entries;
            for title in titles {
                builder.add(&RecordText {
                    title,
                    abstract_text: Some(&long),
                    keywords: &[],
                });
            }
            builder.finish()
        };
        for features in [build(1 << 20), build(4)] {
            // "common", "the", "of", "the the" … are in every record: left out; the titles'
            // second words, "common grid" and "grid the" stay (three terms).
            let row = features.row(0);
            assert_eq!(row.len(), 3);
            assert!((row.squared_norm() - 1.0).abs() < 1e-12);
        }
        let big = Features::build(
            [
                RecordText {
                    title: "x1",
                    abstract_text: Some(&long),
                    keywords: &[],
                },
                text("y1 z1"),
            ],
            &FeatureOptions {
                word_pairs: false,
                ..FeatureOptions::default()
            },
        );
        // x1, the (70), of (100): weights ∝ (1 + ln count) × idf, idf the same for all.
        let mut got: Vec<f64> = big.row(0).weights().map(|(_, w)| w).collect();
        let raw = [1.0, 1.0 + 70f64.ln(), 1.0 + 100f64.ln()];
        let norm = raw.iter().map(|w| w * w).sum::<f64>().sqrt();
        let mut expected: Vec<f64> = raw.iter().map(|w| w / norm).collect();
        assert_eq!(got.len(), expected.len());
        expected.sort_by(f64::total_cmp);
        got.sort_by(f64::total_cmp);
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-12, "{g} vs {e}");
        }
    }

    #[test]
    fn terms_beyond_the_most_are_left_out_and_counted() {
        let mut builder = FeatureBuilder::new(&FeatureOptions {
            word_pairs: false,
            ..FeatureOptions::default()
        });
        builder.most_terms = 3;
        for title in ["aa bb", "bb cc dd", "ee aa"] {
            builder.add(&text(title));
        }
        let features = builder.finish();
        // aa, bb, cc numbered; dd and ee left out.
        assert_eq!(features.terms(), 3);
        assert_eq!(features.terms_left_out(), 2);
        assert_eq!(features.row(1).len(), 2);
        assert_eq!(features.row(2).len(), 1);
    }

    /// Computed apart from this code, in Python, from the published constants of FNV-1a and `SplitMix64`
    /// (see `word_hash` and `term_of`).
    const PINNED_CARBON_HASH: u64 = 0xcd7f_0051_0a10_f0e4;
    const PINNED_CARBON_TERM: u64 = 0x41ee_3716_647e_dc24;

    #[test]
    fn a_term_has_the_same_hash_in_every_build() {
        // Pinned: features kept on disk stay valid across releases only if hashing is fixed.
        // FNV-1a of "carbon" as published (offset basis 0xcbf29ce484222325, prime 2^40+0x1b3).
        assert_eq!(word_hash("carbon"), PINNED_CARBON_HASH);
        assert_eq!(term_of(word_hash("carbon")), PINNED_CARBON_TERM);
    }
}
