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

/// One record's feature vector: term columns in increasing order and their weights.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Columns (terms), increasing.
    pub columns: &'a [u32],
    /// Weights, one per column.
    pub weights: &'a [f32],
}

impl Row<'_> {
    /// Squared length (1 for a record with any term, 0 for one without).
    pub fn squared_norm(&self) -> f64 {
        self.weights
            .iter()
            .map(|w| f64::from(*w) * f64::from(*w))
            .sum()
    }
    /// Whether the record has no term at all (no title words, no abstract).
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// The feature vectors of a list of records, in the order given, stored as sparse rows over
/// the terms kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub(super) options: FeatureOptions,
    /// Terms kept (too common ones left out).
    pub(super) terms: usize,
    /// Where each row is.
    pub(super) rows: Vec<RowAt>,
    /// The rows' entries.
    pub(super) blocks: Vec<Block>,
}

/// Entries of consecutive rows. Rows are stored in blocks of at least [`BLOCK`] entries
/// rather than in one vector: a vector grown by doubling holds up to twice what it needs
/// while it grows, blocks hold what they need plus one block's slack. A row never spans two
/// blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Block {
    pub(super) columns: Vec<u32>,
    pub(super) weights: Vec<f32>,
}

/// Entries per block at the least (8 MB).
const BLOCK: usize = 1 << 20;

/// Where a row's entries are: a block and a range in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RowAt {
    pub(super) block: u32,
    pub(super) start: u32,
    pub(super) end: u32,
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
    /// Entries; each term's count in the record until [`FeatureBuilder::finish`] makes it a
    /// weight.
    blocks: Vec<Block>,
    /// Entries per block at the least.
    pub(super) block_entries: usize,
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
            block_entries: BLOCK,
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
            .is_some_and(|b| b.columns.capacity() - b.columns.len() >= distinct);
        if !fits {
            let room = self.block_entries.max(distinct);
            self.blocks.push(Block {
                columns: Vec::with_capacity(room),
                weights: Vec::with_capacity(room),
            });
        }
        let block_number = u32::try_from(self.blocks.len() - 1).unwrap_or(u32::MAX);
        let Some(block) = self.blocks.last_mut() else {
            return;
        };
        let start = u32::try_from(block.columns.len()).unwrap_or(u32::MAX);
        for run in self.hashes.chunk_by(|a, b| a == b) {
            let next = u32::try_from(self.frequency.len()).unwrap_or(u32::MAX);
            let number = *self.numbers.entry(run[0]).or_insert(next);
            if number == next {
                self.frequency.push(0);
            }
            self.frequency[number as usize] += 1;
            block.columns.push(number);
            #[allow(clippy::cast_precision_loss)] // Counts of a word in one record.
            block.weights.push(run.len() as f32);
        }
        self.rows.push(RowAt {
            block: block_number,
            start,
            end: u32::try_from(block.columns.len()).unwrap_or(u32::MAX),
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
            ..
        } = self;
        drop(numbers);
        #[allow(clippy::cast_precision_loss)] // Record counts stay far below 2^52.
        let n = rows.len() as f64;
        let most = options.max_document_share * n;
        // Columns left: terms in no more than `most` records, numbered again from 0.
        let mut renumber = vec![u32::MAX; frequency.len()];
        let mut kept = 0u32;
        for (at, df) in frequency.iter().enumerate() {
            if f64::from(*df) <= most {
                renumber[at] = kept;
                kept += 1;
            }
        }
        // Weights, each block's rows compacted in place as too common terms go (rows come in
        // block order, so writing never overtakes reading).
        let mut written = vec![0usize; blocks.len()];
        for row in &mut rows {
            let b = row.block as usize;
            let block = &mut blocks[b];
            let from = written[b];
            let mut write = from;
            for read in row.start as usize..row.end as usize {
                let at = block.columns[read] as usize;
                if renumber[at] == u32::MAX {
                    continue;
                }
                let tf = f64::from(block.weights[read]);
                let df = f64::from(frequency[at]);
                let tf = if options.sublinear_tf {
                    1.0 + tf.ln()
                } else {
                    tf
                };
                // Smoothed idf, as scikit-learn's default: ln((1 + n) / (1 + df)) + 1.
                let idf = ((1.0 + n) / (1.0 + df)).ln() + 1.0;
                block.columns[write] = renumber[at];
                #[allow(clippy::cast_possible_truncation)] // Weights are stored as f32.
                {
                    block.weights[write] = (tf * idf) as f32;
                }
                write += 1;
            }
            let row_weights = &mut block.weights[from..write];
            let norm = row_weights
                .iter()
                .map(|w| f64::from(*w) * f64::from(*w))
                .sum::<f64>()
                .sqrt();
            if norm > 0.0 {
                for w in row_weights {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        *w = (f64::from(*w) / norm) as f32;
                    }
                }
            }
            written[b] = write;
            row.start = u32::try_from(from).unwrap_or(u32::MAX);
            row.end = u32::try_from(write).unwrap_or(u32::MAX);
        }
        for (block, len) in blocks.iter_mut().zip(written) {
            block.columns.truncate(len);
            block.weights.truncate(len);
            block.columns.shrink_to_fit();
            block.weights.shrink_to_fit();
        }
        Features {
            options,
            terms: kept as usize,
            rows,
            blocks,
        }
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
        self.terms
    }

    /// The options the features were built with.
    pub fn options(&self) -> &FeatureOptions {
        &self.options
    }

    /// Non-zero weights over all records.
    pub fn stored(&self) -> usize {
        self.blocks.iter().map(|b| b.columns.len()).sum()
    }

    /// The feature vector of record `index` (in the order given to [`Features::build`]).
    ///
    /// # Panics
    /// When `index` is not below [`Features::len`].
    pub fn row(&self, index: usize) -> Row<'_> {
        let at = self.rows[index];
        let block = &self.blocks[at.block as usize];
        let range = at.start as usize..at.end as usize;
        Row {
            columns: &block.columns[range.clone()],
            weights: &block.weights[range],
        }
    }

    /// Memory held, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<RowAt>()
            + self
                .blocks
                .iter()
                .map(|b| (b.columns.capacity() + b.weights.capacity()) * 4)
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
        assert_eq!(features.row(2).columns.len(), 4);
        // use, of, deep, learning, "energy use", "use of", "of deep", "deep learning".
        assert_eq!(features.row(0).columns.len(), 8);
        // of, data, centres, "energy of", "of data", "data centres".
        assert_eq!(features.row(1).columns.len(), 6);
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
        assert_eq!(without.row(2).columns.len(), 2);
        // use, deep, learning, "energy use", "use deep", "deep learning".
        assert_eq!(without.row(0).columns.len(), 6);
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
            assert_eq!(many.row(row).columns, one.row(row).columns);
            assert_eq!(many.row(row).weights, one.row(row).weights);
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
        assert_eq!(features.row(0).columns.len(), 12);
        // One-letter words are not words.
        assert_eq!(features.row(1).columns.len(), 1);
        let none = Features::build([text("a I ∂")], &FeatureOptions::default());
        assert!(none.row(0).is_empty());
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
