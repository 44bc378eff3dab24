//! A deterministic generator of realistic bibliographies for benchmarks and load tests: RIS
//! and BibTeX files of any size whose records look like database exports (titles of 8–16
//! words, 2–8 authors, abstracts of 150–220 words drawn from a Zipf-distributed vocabulary,
//! keywords, venues, DOIs for nine records in ten; about 1.5 KB per record), with a chosen
//! share of near-duplicates of earlier records (same DOI written differently, or no DOI and
//! the title re-cased and re-punctuated) that deduplication must merge. The same seed gives
//! the same bytes on every machine.

use std::io::Write;

/// Words of the field, frequent in titles and abstracts.
const DOMAIN_WORDS: &[&str] = &[
    "energy",
    "carbon",
    "emissions",
    "learning",
    "model",
    "models",
    "neural",
    "network",
    "networks",
    "training",
    "inference",
    "data",
    "deep",
    "machine",
    "artificial",
    "intelligence",
    "climate",
    "efficiency",
    "power",
    "consumption",
    "footprint",
    "assessment",
    "life",
    "cycle",
    "environmental",
    "impact",
    "impacts",
    "sustainable",
    "sustainability",
    "green",
    "computing",
    "hardware",
    "accelerator",
    "gpu",
    "cloud",
    "datacenter",
    "electricity",
    "grid",
    "renewable",
    "forecasting",
    "optimisation",
    "optimization",
    "building",
    "buildings",
    "heating",
    "cooling",
    "transport",
    "mobility",
    "agriculture",
    "crop",
    "yield",
    "satellite",
    "remote",
    "sensing",
    "rebound",
    "effect",
    "effects",
    "demand",
    "supply",
    "storage",
    "battery",
    "solar",
    "wind",
    "water",
    "waste",
    "recycling",
    "manufacturing",
    "embodied",
    "operational",
    "scenario",
    "reduction",
    "estimate",
    "estimates",
    "measurement",
    "tracking",
    "reporting",
    "transparency",
    "language",
    "vision",
    "transformer",
    "reinforcement",
    "control",
    "smart",
    "city",
    "cities",
    "iot",
    "edge",
    "devices",
    "lifetime",
    "allocation",
    "uncertainty",
    "sensitivity",
    "analysis",
    "method",
    "methods",
    "approach",
    "framework",
    "results",
    "study",
    "review",
    "systematic",
    "evaluation",
    "benchmark",
    "performance",
    "accuracy",
    "trade",
    "off",
    "policy",
    "regulation",
];

/// Function words, very frequent in abstracts.
const FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "in", "to", "a", "for", "we", "on", "with", "is", "that", "by", "this",
    "are", "as", "from", "our", "an", "be", "can", "which", "at", "these", "it", "or", "its",
    "their", "than", "more", "between", "both", "how", "while", "also", "show", "using",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ter", "an", "ve", "ro", "sul", "pen", "di", "ga", "mor", "ti", "xe", "bra",
    "nu", "fel", "chi", "zo", "qua", "ren", "is", "do", "lum", "sa", "vor", "ne", "pli", "tra",
    "ek", "mon", "ba", "ry", "cen", "os", "fu", "la", "dre", "hu", "gin",
];

/// A small, fast, deterministic random number generator (`SplitMix64`).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// `true` with probability `percent` in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A uniformly drawn element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX).max(1);
        let at = usize::try_from(self.next_u64() % len).unwrap_or(0);
        &items[at.min(items.len().saturating_sub(1))]
    }
}

/// A vocabulary with Zipf-distributed draws (rank r drawn with weight 1/r).
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    /// Cumulative weights scaled to `u64`, for drawing by binary search.
    cumulative: Vec<u64>,
}

impl Vocabulary {
    /// The domain words first (the most frequent), then `extra` made-up words.
    pub fn new(extra: usize, rng: &mut Rng) -> Self {
        let mut words: Vec<String> = DOMAIN_WORDS.iter().map(|w| (*w).to_owned()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < DOMAIN_WORDS.len() + extra {
            let syllables = rng.range(2, 4);
            let word: String = (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0f64;
        let weights: Vec<f64> = (1..=words.len())
            .map(|rank| {
                #[allow(clippy::cast_precision_loss)]
                let weight = 1.0 / rank as f64;
                total += weight;
                total
            })
            .collect();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let cumulative = weights
            .iter()
            .map(|w| (w / total * u64::MAX as f64) as u64)
            .collect();
        Self { words, cumulative }
    }

    /// A word drawn by frequency.
    pub fn draw(&self, rng: &mut Rng) -> &str {
        let x = rng.next_u64();
        let at = self.cumulative.partition_point(|&c| c < x);
        &self.words[at.min(self.words.len() - 1)]
    }

    /// A word drawn uniformly from the `top` most frequent (for queries).
    pub fn frequent(&self, top: usize, rng: &mut Rng) -> &str {
        rng.pick(&self.words[..top.min(self.words.len())]).as_str()
    }

    /// A word drawn uniformly from the rare tail (for queries).
    pub fn rare(&self, rng: &mut Rng) -> &str {
        let start = self.words.len() / 2;
        rng.pick(&self.words[start..]).as_str()
    }
}

/// A generated record, before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthRecord {
    /// Reference type: `JOUR`, `CONF`, `CHAP` or `RPRT`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Authors as (family, initials).
    pub authors: Vec<(String, String)>,
    /// Year.
    pub year: u16,
    /// Venue.
    pub venue: String,
    /// Volume, issue, first and last page.
    pub volume: u16,
    /// Issue.
    pub issue: u8,
    /// First page.
    pub first_page: u32,
    /// Last page.
    pub last_page: u32,
    /// DOI as written (sometimes as a link, in capitals).
    pub doi: Option<String>,
    /// Abstract.
    pub abstract_text: String,
    /// Keywords.
    pub keywords: Vec<String>,
}

/// The generator of a corpus.
#[derive(Debug)]
pub struct Generator {
    rng: Rng,
    vocabulary: Vocabulary,
    surnames: Vec<String>,
    venues: Vec<String>,
    /// Records kept to copy as near-duplicates (a sample, so memory stays flat).
    kept: Vec<SynthRecord>,
    produced: u64,
    duplicate_percent: u64,
    /// Near-duplicates produced so far.
    pub duplicates: u64,
}

impl Generator {
    /// A generator with `duplicate_percent` near-duplicates per hundred records.
    pub fn new(seed: u64, duplicate_percent: u64) -> Self {
        let mut rng = Rng::new(seed);
        let vocabulary = Vocabulary::new(20_000, &mut rng);
        let mut surnames = Vec::with_capacity(3000);
        for _ in 0..3000 {
            let syllables = rng.range(2, 3);
            let name: String = (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect();
            surnames.push(capitalised(&name));
        }
        let mut venues = Vec::with_capacity(600);
        for _ in 0..600 {
            let field = capitalised(vocabulary.frequent(120, &mut rng));
            let second = capitalised(vocabulary.draw(&mut rng));
            let venue = match rng.range(0, 2) {
                0 => format!("Journal of {field} {second}"),
                1 => format!("Proceedings of the International Conference on {field} and {second}"),
                _ => format!("{field} {second} Letters"),
            };
            venues.push(venue);
        }
        Self {
            rng,
            vocabulary,
            surnames,
            venues,
            kept: Vec::new(),
            produced: 0,
            duplicate_percent,
            duplicates: 0,
        }
    }

    /// The vocabulary, for building queries.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    fn sentence(&mut self, words: u64) -> String {
        let mut out = String::with_capacity(usize::try_from(words).unwrap_or(0) * 8);
        for index in 0..words {
            if index > 0 {
                out.push(' ');
            }
            let word = if self.rng.chance(45) {
                *self.rng.pick(FUNCTION_WORDS)
            } else {
                self.vocabulary.draw(&mut self.rng)
            };
            if index == 0 {
                out.push_str(&capitalised(word));
            } else {
                out.push_str(word);
            }
        }
        out.push('.');
        out
    }

    /// The next record: new, or now and then a near-duplicate of an earlier one.
    pub fn next_record(&mut self) -> SynthRecord {
        self.produced += 1;
        if !self.kept.is_empty() && self.rng.chance(self.duplicate_percent) {
            self.duplicates += 1;
            let original = self.rng.pick(&self.kept).clone();
            return self.near_duplicate(original);
        }
        let record = self.fresh();
        // Keep a bounded sample of earlier records to duplicate.
        if self.kept.len() < 4096 {
            self.kept.push(record.clone());
        } else if self.rng.chance(2) {
            let at = usize::try_from(self.rng.range(0, 4095)).unwrap_or(0);
            self.kept[at] = record.clone();
        }
        record
    }

    fn fresh(&mut self) -> SynthRecord {
        // Publishers' prefixes (not preprint servers', whose records dedup links instead of
        // merging).
        const PREFIXES: [&str; 8] = [
            "10.1016", "10.1007", "10.1109", "10.1145", "10.3390", "10.1038", "10.1371", "10.1002",
        ];
        let title_words = self.rng.range(8, 16);
        let mut title = String::new();
        for index in 0..title_words {
            if index > 0 {
                title.push(' ');
            }
            let word = if index > 0 && self.rng.chance(25) {
                *self.rng.pick(FUNCTION_WORDS)
            } else {
                self.vocabulary.draw(&mut self.rng)
            };
            title.push_str(&if index == 0 {
                capitalised(word)
            } else {
                word.to_owned()
            });
        }
        let authors = (0..self.rng.range(2, 8))
            .map(|_| {
                let family = self.rng.pick(&self.surnames).clone();
                let first = char::from(b'A' + u8::try_from(self.rng.range(0, 25)).unwrap_or(0));
                let second = char::from(b'A' + u8::try_from(self.rng.range(0, 25)).unwrap_or(0));
                (family, format!("{first}. {second}."))
            })
            .collect();
        let mut abstract_text = String::new();
        let mut words = 0;
        let target = self.rng.range(150, 220);
        while words < target {
            let length = self.rng.range(12, 28).min(target - words).max(4);
            if !abstract_text.is_empty() {
                abstract_text.push(' ');
            }
            let sentence = self.sentence(length);
            abstract_text.push_str(&sentence);
            words += length;
        }
        let keywords = (0..self.rng.range(3, 6))
            .map(|_| {
                if self.rng.chance(40) {
                    format!(
                        "{} {}",
                        self.vocabulary.frequent(200, &mut self.rng),
                        self.vocabulary.draw(&mut self.rng)
                    )
                } else {
                    self.vocabulary.draw(&mut self.rng).to_owned()
                }
            })
            .collect();
        let kind = match self.rng.range(0, 9) {
            0..=6 => "JOUR",
            7 => "CONF",
            8 => "CHAP",
            _ => "RPRT",
        };
        let year =
            u16::try_from(2025 - self.rng.range(0, 35).min(self.rng.range(0, 35))).unwrap_or(2020);
        let first_page = u32::try_from(self.rng.range(1, 2000)).unwrap_or(1);
        let doi = self.rng.chance(90).then(|| {
            format!(
                "{}/synth.{}.{}",
                self.rng.pick(&PREFIXES),
                year,
                self.produced
            )
        });
        SynthRecord {
            kind,
            title,
            authors,
            year,
            venue: self.rng.pick(&self.venues).clone(),
            volume: u16::try_from(self.rng.range(1, 120)).unwrap_or(1),
            issue: u8::try_from(self.rng.range(1, 12)).unwrap_or(1),
            first_page,
            last_page: first_page + u32::try_from(self.rng.range(5, 25)).unwrap_or(5),
            doi,
            abstract_text,
            keywords,
        }
    }

    /// The same paper as another database would export it: the DOI as a link in capitals,
    /// or no DOI and the title in other case and punctuation (the year may differ by one).
    fn near_duplicate(&mut self, mut record: SynthRecord) -> SynthRecord {
        match (&record.doi, self.rng.range(0, 1)) {
            (Some(doi), 0) => {
                record.doi = Some(format!("https://doi.org/{}", doi.to_uppercase()));
                record.title = record.title.to_uppercase();
            }
            _ => {
                record.doi = None;
                record.title = format!("{}.", record.title.to_lowercase().replace(' ', "  "));
                if self.rng.chance(30) {
                    record.year += 1;
                }
            }
        }
        record
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Writes a record as RIS, the way Scopus and Web of Science export it.
pub fn write_ris(record: &SynthRecord, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "TY  - {}", record.kind)?;
    writeln!(out, "TI  - {}", record.title)?;
    for (family, initials) in &record.authors {
        writeln!(out, "AU  - {family}, {initials}")?;
    }
    writeln!(out, "PY  - {}", record.year)?;
    writeln!(out, "T2  - {}", record.venue)?;
    writeln!(out, "VL  - {}", record.volume)?;
    writeln!(out, "IS  - {}", record.issue)?;
    writeln!(out, "SP  - {}", record.first_page)?;
    writeln!(out, "EP  - {}", record.last_page)?;
    if let Some(doi) = &record.doi {
        writeln!(out, "DO  - {doi}")?;
    }
    writeln!(out, "AB  - {}", record.abstract_text)?;
    for keyword in &record.keywords {
        writeln!(out, "KW  - {keyword}")?;
    }
    writeln!(out, "ER  - \n")
}

/// Writes a record as BibTeX, the way reference managers export it.
pub fn write_bibtex(record: &SynthRecord, key: u64, out: &mut impl Write) -> std::io::Result<()> {
    let entry_type = match record.kind {
        "CONF" => "inproceedings",
        "CHAP" => "incollection",
        "RPRT" => "techreport",
        _ => "article",
    };
    let venue_field = match entry_type {
        "article" => "journal",
        "techreport" => "institution",
        _ => "booktitle",
    };
    let authors: Vec<String> = record
        .authors
        .iter()
        .map(|(family, initials)| format!("{family}, {initials}"))
        .collect();
    writeln!(out, "@{entry_type}{{synth{key},")?;
    writeln!(out, "  title = {{{}}},", record.title)?;
    writeln!(out, "  author = {{{}}},", authors.join(" and "))?;
    writeln!(out, "  {venue_field} = {{{}}},", record.venue)?;
    writeln!(out, "  year = {{{}}},", record.year)?;
    writeln!(out, "  volume = {{{}}},", record.volume)?;
    writeln!(out, "  number = {{{}}},", record.issue)?;
    writeln!(
        out,
        "  pages = {{{}--{}}},",
        record.first_page, record.last_page
    )?;
    if let Some(doi) = &record.doi {
        writeln!(out, "  doi = {{{doi}}},")?;
    }
    writeln!(out, "  abstract = {{{}}},", record.abstract_text)?;
    writeln!(out, "  keywords = {{{}}}", record.keywords.join(", "))?;
    writeln!(out, "}}\n")
}

/// What a generated file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Generated {
    /// Records written.
    pub records: u64,
    /// Of which near-duplicates of earlier ones.
    pub near_duplicates: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes `records` generated records (RIS when `bibtex` is false) to `out`.
pub fn generate(
    seed: u64,
    records: u64,
    duplicate_percent: u64,
    bibtex: bool,
    out: &mut impl Write,
) -> std::io::Result<Generated> {
    let mut generator = Generator::new(seed, duplicate_percent);
    let mut counting = CountingWriter {
        inner: out,
        bytes: 0,
    };
    for key in 0..records {
        let record = generator.next_record();
        if bibtex {
            write_bibtex(&record, key, &mut counting)?;
        } else {
            write_ris(&record, &mut counting)?;
        }
    }
    counting.flush()?;
    Ok(Generated {
        records,
        near_duplicates: generator.duplicates,
        bytes: counting.bytes,
    })
}

struct CountingWriter<'a, W: Write> {
    inner: &'a mut W,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The kinds of query in the search benchmark.
pub const QUERY_KINDS: [&str; 5] = ["word", "phrase", "field", "boolean", "facet"];

/// A deterministic mix of queries over a generated corpus: `(kind, query)`.
pub fn query_mix(seed: u64, count: usize) -> Vec<(&'static str, String)> {
    let generator = Generator::new(seed, 0);
    let vocabulary = generator.vocabulary();
    let mut rng = Rng::new(seed ^ 0x5EED);
    let mut queries = Vec::with_capacity(count);
    for index in 0..count {
        let kind = QUERY_KINDS[index % QUERY_KINDS.len()];
        let query = match kind {
            "word" => {
                if rng.chance(50) {
                    vocabulary.frequent(100, &mut rng).to_owned()
                } else {
                    format!(
                        "{} {}",
                        vocabulary.frequent(300, &mut rng),
                        vocabulary.rare(&mut rng)
                    )
                }
            }
            "phrase" => format!(
                "\"{} {}\"",
                vocabulary.frequent(40, &mut rng),
                vocabulary.frequent(40, &mut rng)
            ),
            "field" => match rng.range(0, 2) {
                0 => format!("ti:{}", vocabulary.frequent(200, &mut rng)),
                1 => format!(
                    "au:{}",
                    generator.surnames[usize::try_from(rng.range(0, 2999)).unwrap_or(0)]
                        .to_lowercase()
                ),
                _ => format!("kw:{} year:2015..2020", vocabulary.frequent(200, &mut rng)),
            },
            "boolean" => match rng.range(0, 2) {
                0 => format!(
                    "{} OR {}",
                    vocabulary.frequent(300, &mut rng),
                    vocabulary.rare(&mut rng)
                ),
                1 => format!(
                    "{} AND NOT {}",
                    vocabulary.frequent(100, &mut rng),
                    vocabulary.frequent(100, &mut rng)
                ),
                _ => {
                    let stem: String = vocabulary.frequent(200, &mut rng).chars().take(4).collect();
                    format!(
                        "({} OR {}) {stem}*",
                        vocabulary.frequent(200, &mut rng),
                        vocabulary.frequent(200, &mut rng),
                    )
                }
            },
            _ => format!(
                "{} decision:unscreened has:doi",
                vocabulary.frequent(200, &mut rng)
            ),
        };
        queries.push((kind, query));
    }
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes_of_the_promised_size() {
        let mut first = Vec::new();
        let generated = generate(7, 2000, 5, false, &mut first).unwrap();
        let mut second = Vec::new();
        generate(7, 2000, 5, false, &mut second).unwrap();
        assert_eq!(first, second);
        assert_eq!(generated.bytes, first.len() as u64);
        let per_record = generated.bytes / generated.records;
        assert!(
            (1300..=1800).contains(&per_record),
            "{per_record} bytes per record"
        );
        // About 5 % near-duplicates.
        assert!(
            (60..=140).contains(&generated.near_duplicates),
            "{}",
            generated.near_duplicates
        );
        let parsed = crate::formats::ris::parse(std::str::from_utf8(&first).unwrap());
        assert_eq!(parsed.records.len(), 2000);
        assert!(parsed.problems.is_empty(), "{:?}", &parsed.problems[..1]);

        let mut bib = Vec::new();
        generate(7, 2000, 5, true, &mut bib).unwrap();
        let parsed = crate::formats::bibtex::parse(std::str::from_utf8(&bib).unwrap());
        assert_eq!(parsed.records.len(), 2000);
        assert!(parsed.problems.is_empty(), "{:?}", &parsed.problems[..1]);
    }

    #[test]
    fn queries_are_deterministic_and_parse() {
        let queries = query_mix(3, 50);
        assert_eq!(queries, query_mix(3, 50));
        for (_, query) in &queries {
            crate::query::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        }
    }
}
