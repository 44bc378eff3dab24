//! How text becomes tokens: the stemmed English and plain analyzers, the per-thread stem cache,
//! the pairs of common words indexed as one token for fast phrases, and the common words of a
//! project.

#[allow(clippy::wildcard_imports)] // The index's modules share its imports and helpers.
use super::*;

/// Tokenizer of stemmed text fields.
pub(super) const STEMMED: &str = "ecolens_en";
/// Tokenizer of names (authors, venues) and of prefixes.
pub(super) const PLAIN: &str = "ecolens_plain";

/// Records sampled to find the common words.
pub(super) const COMMON_SAMPLE: usize = 20_000;
/// At most this many common words.
pub(super) const COMMON_WORDS: usize = 64;
/// A word is common when this share of sampled records (per thousand) holds it.
pub(super) const COMMON_PER_MILLE: usize = 100;
/// Longest token kept (longer ones are noise: URLs, chemical names, base64).
pub(super) const LONGEST_TOKEN: usize = 40;

pub(super) fn analyzer(stem: bool) -> TextAnalyzer {
    if stem {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(CachedStemmer)
            .build()
    } else {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }
}

/// The English Snowball stemmer (the one tantivy's `Stemmer` runs), with each thread
/// remembering the stems it computed: words repeat (a few thousand make most of any text), and
/// stemming was a third of the indexing time.
#[derive(Clone, Copy)]
pub(super) struct CachedStemmer;

/// Stems computed on this thread.
pub(super) struct StemCache {
    stemmer: frostem::Stemmer,
    /// Each word's stem; `None` when the stem is the word itself (most words), so a hit
    /// changes nothing and compares nothing.
    stems: std::collections::HashMap<
        Box<str>,
        Option<Box<str>>,
        std::hash::BuildHasherDefault<WordHasher>,
    >,
}

/// A fast hash for short words (the multiply-rotate scheme of rustc's `FxHasher`); the
/// cache holds the index's own words, so resistance to crafted collisions is not needed.
#[derive(Default, Clone, Copy)]
pub(super) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Distinct words remembered per thread before the cache starts afresh.
pub(super) const STEM_CACHE_WORDS: usize = 262_144;

thread_local! {
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache {
        stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        stems: std::collections::HashMap::default(),
    });
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(super) struct CachedStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub(super) struct CachedStemmerStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(stem) = cache.stems.get(token.text.as_str()) {
                if let Some(stem) = stem {
                    token.text.clear();
                    token.text.push_str(stem);
                }
                return;
            }
            let stem = match cache.stemmer.stem(&token.text) {
                std::borrow::Cow::Borrowed(same) if same == token.text => None,
                other => Some(other.into_owned().into_boxed_str()),
            };
            if cache.stems.len() >= STEM_CACHE_WORDS {
                cache.stems.clear();
            }
            let word: Box<str> = token.text.as_str().into();
            if let Some(stem) = &stem {
                token.text.clear();
                token.text.push_str(stem);
            }
            cache.stems.insert(word, stem);
        });
        true
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.tail.token_mut()
    }
}

/// Adds, after each common word that follows another, a token for the pair
/// (`"energi carbon"`) at the same position: a pair token is in a record exactly when the
/// two words stand side by side there.
///
/// A phrase of two words found in most records ("deep learning" in an AI corpus) made the
/// phrase search check word positions in most records; looked up as one pair token it is a
/// single term, and longer phrases check positions only in records holding their pairs. Only
/// pairs of common words are added: a phrase with a rarer word is already fast, and all pairs
/// would make a huge dictionary.
#[derive(Clone)]
pub(super) struct CommonPairs {
    common: Arc<HashSet<String>>,
}

impl TokenFilter for CommonPairs {
    type Tokenizer<T: Tokenizer> = CommonPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CommonPairsFilter<T> {
        CommonPairsFilter {
            inner: tokenizer,
            common: self.common,
        }
    }
}

#[derive(Clone)]
pub(super) struct CommonPairsFilter<T> {
    inner: T,
    common: Arc<HashSet<String>>,
}

impl<T: Tokenizer> Tokenizer for CommonPairsFilter<T> {
    type TokenStream<'a> = CommonPairsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CommonPairsStream {
            tail: self.inner.token_stream(text),
            common: &self.common,
            previous: String::new(),
            previous_from: None,
            pair: tantivy::tokenizer::Token::default(),
            pair_ready: false,
            on_pair: false,
        }
    }
}

pub(super) struct CommonPairsStream<'a, S> {
    tail: S,
    common: &'a HashSet<String>,
    /// The previous word, when common, and where it started.
    previous: String,
    previous_from: Option<usize>,
    /// The pair token to emit next, and whether the stream stands on it.
    pair: tantivy::tokenizer::Token,
    pair_ready: bool,
    on_pair: bool,
}

impl<S: TokenStream> TokenStream for CommonPairsStream<'_, S> {
    fn advance(&mut self) -> bool {
        if self.pair_ready {
            self.pair_ready = false;
            self.on_pair = true;
            return true;
        }
        self.on_pair = false;
        if !self.tail.advance() {
            return false;
        }
        let word = self.tail.token();
        if self.common.contains(&word.text) {
            if let Some(from) = self.previous_from {
                self.pair.text.clear();
                self.pair.text.push_str(&self.previous);
                self.pair.text.push(' ');
                self.pair.text.push_str(&word.text);
                self.pair.offset_from = from;
                self.pair.offset_to = word.offset_to;
                self.pair.position = word.position;
                self.pair_ready = true;
            }
            self.previous.clear();
            self.previous.push_str(&word.text);
            self.previous_from = Some(word.offset_from);
        } else {
            self.previous_from = None;
        }
        true
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        if self.on_pair {
            &self.pair
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        if self.on_pair {
            &mut self.pair
        } else {
            self.tail.token_mut()
        }
    }
}

/// The analyzer stemmed fields are indexed with: [`analyzer`] plus the pairs of common words.
pub(super) fn indexing_analyzer(common: &Arc<HashSet<String>>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .filter(CommonPairs {
            common: Arc::clone(common),
        })
        .build()
}

/// Counts, over a sample of records, in how many each stemmed word occurs.
pub(super) struct WordCounter {
    counts: HashMap<String, usize>,
    sampled: usize,
    stemmer: TextAnalyzer,
}

impl WordCounter {
    pub(super) fn new() -> Self {
        Self {
            counts: HashMap::new(),
            sampled: 0,
            stemmer: analyzer(true),
        }
    }

    pub(super) fn full(&self) -> bool {
        self.sampled >= COMMON_SAMPLE
    }

    pub(super) fn count(&mut self, record: &ecolens_core::Record) {
        self.sampled += 1;
        let mut words: HashSet<String> = HashSet::new();
        for text in std::iter::once(record.title.as_str())
            .chain(record.abstract_text.as_deref())
            .chain(record.keywords.iter().map(String::as_str))
        {
            words.extend(
                tokens(&mut self.stemmer, text)
                    .into_iter()
                    .map(|(word, _)| word),
            );
        }
        for word in words {
            *self.counts.entry(word).or_default() += 1;
        }
    }

    /// The words in at least 10 % of the sampled records, at most [`COMMON_WORDS`], sorted;
    /// function words ([`FUNCTION_WORDS`](crate::text::FUNCTION_WORDS)) are never common.
    pub(super) fn common(self) -> Vec<String> {
        let threshold = (self.sampled * COMMON_PER_MILLE / 1000).max(2);
        let mut stemmer = analyzer(true);
        let function: HashSet<String> = crate::text::FUNCTION_WORDS
            .iter()
            .flat_map(|word| tokens(&mut stemmer, word))
            .map(|(token, _)| token)
            .collect();
        let mut common: Vec<(String, usize)> = self
            .counts
            .into_iter()
            .filter(|(word, count)| *count >= threshold && !function.contains(word))
            .collect();
        common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        common.truncate(COMMON_WORDS);
        let mut words: Vec<String> = common.into_iter().map(|(word, _)| word).collect();
        words.sort();
        words
    }
}

/// The common words of a project: the stemmed words in at least 10 % of the first
/// [`COMMON_SAMPLE`] records' titles, abstracts and keywords, at most [`COMMON_WORDS`].
pub(super) fn common_words(project: &Project) -> Result<Vec<String>> {
    let mut counter = WordCounter::new();
    let read = project.for_each_index_doc(&IndexScope::All, false, |doc| -> Result<()> {
        if counter.full() {
            // Enough: stop reading (not a failure).
            return Err(Error::Cancelled);
        }
        counter.count(&doc.record);
        Ok(())
    });
    match read {
        Ok(()) | Err(Error::Cancelled) => {}
        Err(error) => return Err(error),
    }
    Ok(counter.common())
}

/// Tokens of `text` as the index sees them: `(token, byte range in text)`.
pub(super) fn tokens(
    analyzer: &mut TextAnalyzer,
    text: &str,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.text.clone(), token.offset_from..token.offset_to));
    }
    out
}
