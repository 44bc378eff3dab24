//! The figures a paper states about its own computing, found in its text by a unit grammar
//! (no model): hardware, counts of chips, durations, power, energy, PUE, grid intensity,
//! CO2e, the place, and life-cycle words, each with its unit, its value in a base unit and its
//! character offsets. They pre-fill the paper audit ([`prefill`]) and point to an a–f
//! category ([`suggest`]); both are suggestions a reviewer accepts or rejects.
//!
//! The grammar is regular expressions over numbers and units (the `regex` crate: linear time
//! on any input). Figures that need a computing context to mean anything (a duration, a count,
//! a country) are kept only in a sentence that also names hardware, energy, power, emissions or
//! a PUE: "24 hours" in a clinical abstract is not a training run. Measured on a hand-labelled
//! set (`core/data/cues/passages.toml` and the fixtures' abstracts) by
//! `tests/it/cues.rs`.

use std::sync::OnceLock;

use ecolens_taxonomy::EvalCategory;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::paper_audit::{Mass, PaperChain};

/// What a cue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CueKind {
    /// A chip or processor model (V100, `TPUv3`, Xeon …).
    Hardware,
    /// How many chips.
    Count,
    /// How long (hours, days, GPU-hours).
    Duration,
    /// Power, W.
    Power,
    /// Energy, kWh.
    Energy,
    /// Power usage effectiveness.
    Pue,
    /// Grid carbon intensity, kg CO2e per kWh.
    Intensity,
    /// Emissions, kg CO2e.
    Co2e,
    /// A country.
    Place,
    /// Life-cycle words (embodied, manufacturing, LCA).
    Lifecycle,
}

impl CueKind {
    /// Every kind, in the order the audit form asks.
    pub const ALL: [Self; 10] = [
        Self::Hardware,
        Self::Count,
        Self::Duration,
        Self::Power,
        Self::Energy,
        Self::Pue,
        Self::Intensity,
        Self::Co2e,
        Self::Place,
        Self::Lifecycle,
    ];

    /// Stable code (`co2e`, `pue` …), as the labelled set writes it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Hardware => "hardware",
            Self::Count => "count",
            Self::Duration => "duration",
            Self::Power => "power",
            Self::Energy => "energy",
            Self::Pue => "pue",
            Self::Intensity => "intensity",
            Self::Co2e => "co2e",
            Self::Place => "place",
            Self::Lifecycle => "lifecycle",
        }
    }

    /// The kind of a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// In words, for a reader.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hardware => "hardware",
            Self::Count => "chips",
            Self::Duration => "duration",
            Self::Power => "power",
            Self::Energy => "energy",
            Self::Pue => "PUE",
            Self::Intensity => "grid intensity",
            Self::Co2e => "CO2e",
            Self::Place => "place",
            Self::Lifecycle => "life cycle",
        }
    }
}

/// One figure found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cue {
    /// What it is.
    pub kind: CueKind,
    /// The text as written.
    pub text: String,
    /// Start, in characters of the text searched.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The value in the kind's base unit (kWh, kg CO2e, h, W, kg CO2e/kWh, chips, PUE); for
    /// a range, its upper end. `None` for hardware, places and life-cycle words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Whether a duration counts chip-hours (GPU-hours) rather than wall-clock hours.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_chip: bool,
}

/// `1,082,990`, `1 287` (a PDF's thin space), `0.954`, `1.9e-8`.
const NUMBER: &str = r"(?:\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.\d+)?(?:[eE][-−]?\d+)?";

struct Grammar {
    intensity: Regex,
    co2e: Regex,
    energy: Regex,
    power: Regex,
    pue: Regex,
    duration: Regex,
    hardware: Regex,
    count: Regex,
    lifecycle: Regex,
    computing: Regex,
    running: Regex,
    sentence_end: Regex,
    per_amount: Regex,
}

/// The mass units with CO2 after them, in one pattern: `626,155 lbs of CO2e`, `552 tCO2e`,
/// `24.7 tonnes of CO2eq`, `1.8 Mt CO2`.
const MASS: &str = r"(?:lbs?|pounds?|(?:giga|mega|kilo)tonnes?|(?:metric\s+)?tonnes?|(?:metric\s+)?tons?|(?:milli|kilo)?grams?|kt|Mt|Gt|kg|mg|g|t)";
/// `CO2e`, `CO2-eq`, `CO₂`, and `CO 2 e` as PDF text extraction leaves a subscript.
const CARBON: &str = r"(?:CO\s?2|CO₂)(?:[-.\s]?(?:eq(?:uivalent)?|e)\b)?(?:\s+equivalent)?|carbon\s+dioxide(?:\s+equivalent)?";

fn grammar() -> Option<&'static Grammar> {
    static GRAMMAR: OnceLock<Option<Grammar>> = OnceLock::new();
    GRAMMAR
        .get_or_init(|| {
            let n = NUMBER;
            let build = |pattern: String| Regex::new(&pattern).ok();
            Some(Grammar {
                intensity: build(format!(
                    r"\b{n}\s*{MASS}\s*(?:of\s+)?(?:{CARBON})?\s*(?:/|per\s+)\s*(?i:kWh|MWh)\b"
                ))?,
                co2e: build(format!(
                    r"\b{n}\s*(?:(?:net|gross)\s+)?(?:{MASS})\s*(?:of\s+)?(?:{CARBON})"
                ))?,
                energy: build(format!(
                    r"\b{n}(?:\s*(?:to|–|-)\s*{n})?\s*(?:[mkMGT]?Wh|[mkMGT]?J|(?:kilo|mega|giga)?watt[-\s]hours?)\b"
                ))?,
                power: build(format!(
                    r"\b{n}\s*(?:[kM]?W|(?:kilo|mega)?watts?)\b"
                ))?,
                pue: build(format!(
                    r"(?i:\bPUE|power\s+usage\s+effectiveness)(?:\s*\(PUE\))?\s*(?:(?:of|=|:|is|was|at|between)\s*)*{n}(?:\s*(?:and|to|–|-)\s*{n})?"
                ))?,
                duration: build(format!(
                    r"(?i:\b(?:{n}[kKM]?)\s*-?\s*(?:(?:GPU|TPU|chip|node|core|accelerator)[-\s]?)?(?:hours?|hrs?|h|days?|weeks?|months?|years?|minutes?|mins?)\b)"
                ))?,
                hardware: build(
                    r"\b(?:(?:NVIDIA|Nvidia|nVidia)\s+)?(?:(?:Tesla|GeForce|Quadro)\s+)?(?:A100|H100|H200|V100|P100|K80|T4|A10G?|L40S?|A6000|RTX\s?\d{4}(?:\s?Ti)?|GTX\s?\d{3,4}(?:\s?Ti)?|Titan\s?(?:Xp|X|V|RTX)|TPU\s?v\d|MI\d{3}X?)(?:[-\s](?:SXM\d?|PCIe))?(?:[-\s]?\d{2,3}\s?GB)?s?\b|\bIntel\s+Xeon\s+[A-Z0-9]+(?:-\d+\w*)?|\bAMD\s+EPYC\s+\d+\w*"
                        .to_owned(),
                )?,
                count: build(format!(
                    r"(?i:\b({n}|single|one|two|three|four|five|six|seven|eight|nine|ten|twelve|sixteen)\s*(?:[x×]\s*)?(?:nvidia\s+)?(?:tesla\s+)?(?:geforce\s+)?(?:intel\s+|amd\s+)?(?:GPUs?|TPUs?|CPUs?|chips|cards|accelerators|A100|H100|H200|V100|P100|K80|T4|A10G?|RTX|GTX|Titan|TPU\s?v\d|Xeon|EPYC))"
                ))?,
                lifecycle: build(
                    r"(?i:\blife[-\s]cycle(?:\s+assessments?)?|\bLCA\b|\bembodied\s+(?:emissions|carbon|impacts?|energy|footprint)|\bmanufacturing\b|\bcradle[-\s]to[-\s](?:grave|gate)|\bend[-\s]of[-\s]life)"
                        .to_owned(),
                )?,
                computing: build(
                    r"(?i:\bGPUs?\b|\bTPUs?\b|\bCPUs?\b|\bchips?\b|\btrain(?:ing|ed)?\b|\binference\b|\bcompute\b|\bcomputing\b|\bcluster\b|\bdata\s?cent(?:er|re)s?\b|\bserver|\bgrid\b|\belectricity\b|\bemission|\bkWh\b|\bMWh\b|\bCO2)"
                        .to_owned(),
                )?,
                running: build(
                    r"(?i:\bGPUs?\b|\bTPUs?\b|\bCPUs?\b|\bchips?\b|\btrain(?:ing|ed|s)?\b|\bpre-?train|\bfine-?tun|\binference\b|\bcompute\b|\bcomputation|\bcluster\b|\bnodes?\b|\bjobs?\b|\bruns?\b|\bran\b|\brunning\b|\bruntime\b|\bsweep\b|\bexperiments?\b|\binstances?\b|\bservers?\b)"
                        .to_owned(),
                )?,
                sentence_end: build(r"[.!?;](?:\s+|$)|\n\s*\n".to_owned())?,
                per_amount: build(
                    r"^\s*(?:/|per\s+|\x{22C5}\s*)?\s*(?:mol|mmol|g|kg|cm|m2|m²|m\^2)\b".to_owned(),
                )?,
            })
        })
        .as_ref()
}

/// A number as written (`1,082,990`, `3.3M`, `18k`, `two`), or `None`.
fn number(text: &str) -> Option<f64> {
    let words = [
        ("single", 1.0),
        ("one", 1.0),
        ("a", 1.0),
        ("the", 1.0),
        ("two", 2.0),
        ("three", 3.0),
        ("four", 4.0),
        ("five", 5.0),
        ("six", 6.0),
        ("seven", 7.0),
        ("eight", 8.0),
        ("nine", 9.0),
        ("ten", 10.0),
        ("twelve", 12.0),
        ("sixteen", 16.0),
    ];
    let lower = text.trim().to_ascii_lowercase();
    if let Some((_, v)) = words.iter().find(|(w, _)| *w == lower) {
        return Some(*v);
    }
    let (digits, scale) = match lower.chars().last() {
        Some('k') => (&lower[..lower.len() - 1], 1e3),
        Some('m') => (&lower[..lower.len() - 1], 1e6),
        _ => (lower.as_str(), 1.0),
    };
    digits
        .replace([',', ' '], "")
        .replace('−', "-")
        .parse::<f64>()
        .ok()
        .map(|v| v * scale)
}

/// The numbers in a match, in order (the last is the upper end of a range).
fn numbers_in(text: &str) -> Vec<f64> {
    static NUMBERS: OnceLock<Option<Regex>> = OnceLock::new();
    NUMBERS
        .get_or_init(|| Regex::new(&format!(r"{NUMBER}[kKM]?")).ok())
        .as_ref()
        .map(|re| {
            re.find_iter(text)
                .filter_map(|m| number(m.as_str()))
                .collect()
        })
        .unwrap_or_default()
}

/// The value of a match in its kind's base unit.
fn value_of(kind: CueKind, text: &str) -> (Option<f64>, bool) {
    let lower = text.to_ascii_lowercase();
    let last = numbers_in(text).last().copied();
    match kind {
        CueKind::Energy => {
            let per_kwh = if lower.contains("watt") {
                if lower.contains("mega") {
                    1e3
                } else if lower.contains("giga") {
                    1e6
                } else if lower.contains("kilo") {
                    1.0
                } else {
                    1e-3
                }
            } else {
                let unit = text
                    .trim_end()
                    .rsplit(|c: char| c.is_ascii_digit() || c.is_whitespace())
                    .next()
                    .unwrap_or_default();
                crate::quantity::kwh_per(unit).unwrap_or(f64::NAN)
            };
            (last.map(|v| v * per_kwh).filter(|v| v.is_finite()), false)
        }
        CueKind::Power => {
            let w = if lower.contains("mw") || lower.contains("mega") {
                1e6
            } else if lower.contains("kw") || lower.contains("kilo") {
                1e3
            } else {
                1.0
            };
            (last.map(|v| v * w), false)
        }
        CueKind::Duration => {
            let per_chip = ["gpu", "tpu", "chip", "node", "core", "accelerator"]
                .iter()
                .any(|w| lower.contains(w));
            let hours = if lower.contains("min") {
                1.0 / 60.0
            } else if lower.contains("day") {
                24.0
            } else if lower.contains("week") {
                168.0
            } else if lower.contains("month") {
                730.0
            } else if lower.contains("year") {
                8760.0
            } else {
                1.0
            };
            let count = numbers_in(text).last().copied().or_else(|| {
                let first = lower.split(|c: char| !c.is_alphanumeric()).next()?;
                number(first)
            });
            (count.map(|v| v * hours), per_chip)
        }
        CueKind::Co2e => {
            let mass: Option<Mass> = co2e_mass(text);
            (mass.map(Mass::kg), false)
        }
        CueKind::Intensity => (intensity_mass(text).map(Mass::kg), false),
        CueKind::Count => {
            let first = lower.split_whitespace().next().unwrap_or_default();
            (number(first), false)
        }
        CueKind::Pue => (last, false),
        CueKind::Hardware | CueKind::Place | CueKind::Lifecycle => (None, false),
    }
}

/// `626,155 lbs of CO2e` as a mass (`626155 lbs`).
fn co2e_mass(text: &str) -> Option<Mass> {
    // The first number: the unit's own digits (CO2) come after it.
    let value = numbers_in(text).first().copied()?;
    let unit_text = text
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == ',' || c == '.')
        .trim_start();
    let unit = unit_text
        .trim_start_matches("net ")
        .trim_start_matches("gross ")
        .trim_start_matches("metric")
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == 'C')
        .next()
        .unwrap_or_default();
    format!("{value} {unit}").parse().ok()
}

/// `0.954 lbs/kWh`, `475 kg CO2/MWh` as a mass per kWh.
fn intensity_mass(text: &str) -> Option<Mass> {
    let mut mass = co2e_mass(&text.replace('/', " /"))
        .or_else(|| co2e_mass(text.split('/').next().unwrap_or_default()))?;
    let per_mwh = text.contains("MWh");
    if per_mwh {
        mass.value /= 1000.0;
    }
    Some(mass)
}

/// Character offsets of byte offsets in `text`.
struct Chars {
    starts: Vec<usize>,
}

impl Chars {
    fn of(text: &str) -> Self {
        Self {
            starts: text.char_indices().map(|(b, _)| b).collect(),
        }
    }

    fn at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }
}

/// The countries a place cue can name: ISO names, their common short forms.
fn place_pattern() -> Option<&'static Regex> {
    static PLACES: OnceLock<Option<Regex>> = OnceLock::new();
    PLACES
        .get_or_init(|| {
            let mut names: Vec<String> = isocountry::CountryCode::iter()
                .map(|c| {
                    c.name()
                        .split([',', '('])
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                })
                .filter(|n| n.len() > 3)
                .collect();
            names.extend(
                [
                    "United States",
                    "U.S.",
                    "USA",
                    "United Kingdom",
                    "UK",
                    "Russia",
                    "South Korea",
                    "Iran",
                    "Vietnam",
                    "Taiwan",
                ]
                .map(str::to_owned),
            );
            names.sort_by_key(|n| std::cmp::Reverse(n.len()));
            names.dedup();
            let alternatives: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
            Regex::new(&format!(r"\b(?:{})(?:\b|$)", alternatives.join("|"))).ok()
        })
        .as_ref()
}

/// Every cue in `text`, in order of position; overlapping matches keep the more specific
/// kind (an intensity over the CO2e and energy inside it, a count over a number). Offsets
/// are characters of `text` as given; LaTeX and Markdown math (`$1,900\ \text{tCO2eq}$`) and
/// the spaces PDFs put in numbers are read through (see [`Plain`]).
pub fn extract(text: &str) -> Vec<Cue> {
    let plain = Plain::of(text);
    let mut cues = extract_plain(&plain.text);
    let original: Vec<char> = text.chars().collect();
    for cue in &mut cues {
        cue.start = plain.origin(cue.start);
        cue.end = plain.origin(cue.end.saturating_sub(1)) + 1;
        cue.text = original[cue.start..cue.end.min(original.len())]
            .iter()
            .collect();
    }
    cues
}

/// A text with its math markup read through: `$` dropped, `\ ` and `~` as spaces,
/// `\text{…}`, `\mathrm{…}`, `\textrm{…}`, `\mathit{…}` as their content; no-break and thin
/// spaces as spaces (a thin space is also a thousands separator: `1 287`). Each character
/// kept remembers where it was.
struct Plain {
    text: String,
    /// For each character of `text`, its index in the original.
    from: Vec<usize>,
}

impl Plain {
    fn of(original: &str) -> Self {
        const COMMANDS: [&str; 4] = ["text{", "mathrm{", "textrm{", "mathit{"];
        let chars: Vec<char> = original.chars().collect();
        let mut text = String::with_capacity(original.len());
        let mut from = Vec::with_capacity(chars.len());
        // Closing braces of the commands read through, by depth.
        let mut open: Vec<usize> = Vec::new();
        let mut depth = 0usize;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let rest = || chars[i + 1..].iter().take(8).collect::<String>();
            match c {
                '$' => {}
                '\\' if matches!(chars.get(i + 1), Some(' ' | ',' | ';' | ':')) => {
                    text.push(' ');
                    from.push(i);
                    i += 1;
                }
                '\\' => {
                    let ahead = rest();
                    if let Some(command) = COMMANDS.iter().find(|c| ahead.starts_with(*c)) {
                        depth += 1;
                        open.push(depth);
                        i += command.chars().count();
                    } else {
                        text.push(c);
                        from.push(i);
                    }
                }
                '{' => {
                    depth += 1;
                    text.push(c);
                    from.push(i);
                }
                '}' => {
                    if open.last() == Some(&depth) {
                        open.pop();
                    } else {
                        text.push(c);
                        from.push(i);
                    }
                    depth = depth.saturating_sub(1);
                }
                '~' | '\u{a0}' | '\u{2009}' | '\u{202f}' => {
                    text.push(' ');
                    from.push(i);
                }
                _ => {
                    text.push(c);
                    from.push(i);
                }
            }
            i += 1;
        }
        Self { text, from }
    }

    /// The original index of a character of the plain text.
    fn origin(&self, plain: usize) -> usize {
        self.from
            .get(plain)
            .copied()
            .unwrap_or_else(|| self.from.last().map_or(0, |l| l + 1))
    }
}

fn extract_plain(text: &str) -> Vec<Cue> {
    let Some(g) = grammar() else {
        return Vec::new();
    };
    let chars = Chars::of(text);
    // Byte spans of sentences, for the figures that need a computing context.
    let mut sentences = Vec::new();
    let mut from = 0;
    for end in g.sentence_end.find_iter(text) {
        sentences.push((from, end.end()));
        from = end.end();
    }
    sentences.push((from, text.len()));
    // Sentences are in order: the one holding a byte is found by bisection (a long full text
    // has tens of thousands).
    let sentence_of = |byte: usize| {
        let at = sentences.partition_point(|(_, e)| *e <= byte);
        sentences.get(at).copied().unwrap_or((0, text.len()))
    };
    // Most specific first: a later match overlapping an earlier one is dropped.
    let ordered: [(CueKind, &Regex); 9] = [
        (CueKind::Intensity, &g.intensity),
        (CueKind::Co2e, &g.co2e),
        (CueKind::Pue, &g.pue),
        (CueKind::Energy, &g.energy),
        (CueKind::Power, &g.power),
        (CueKind::Hardware, &g.hardware),
        // Before counts: "1,082,990 GPU hours" is a duration, not 1,082,990 GPUs.
        (CueKind::Duration, &g.duration),
        (CueKind::Count, &g.count),
        (CueKind::Lifecycle, &g.lifecycle),
    ];
    let mut found: Vec<(CueKind, usize, usize)> = Vec::new();
    // Spans taken so far, by start: a new match is free when neither neighbour overlaps it.
    let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    let free = |taken: &std::collections::BTreeMap<usize, usize>, s: usize, e: usize| {
        taken.range(..e).next_back().is_none_or(|(_, fe)| *fe <= s)
    };
    for (kind, re) in ordered {
        for m in re.captures_iter(text) {
            let whole = m.get(0).map_or((0, 0), |w| (w.start(), w.end()));
            // A count is its number only (the hardware after it is a cue of its own).
            let (s, e) = if kind == CueKind::Count {
                m.get(1).map_or(whole, |n| (n.start(), n.end()))
            } else {
                whole
            };
            // Energy per mole or per gram is chemistry, not computing.
            if kind == CueKind::Energy && g.per_amount.is_match(&text[e..]) {
                continue;
            }
            if free(&taken, s, e) {
                taken.insert(s, e);
                found.push((kind, s, e));
            }
        }
    }
    if let Some(places) = place_pattern() {
        for m in places.find_iter(text) {
            if free(&taken, m.start(), m.end()) {
                taken.insert(m.start(), m.end());
                found.push((CueKind::Place, m.start(), m.end()));
            }
        }
    }
    // Context: a duration, count or place stands only in a sentence with a computing word or
    // a figure of another kind.
    let anchored_by = |kinds: &[CueKind]| -> std::collections::HashSet<(usize, usize)> {
        found
            .iter()
            .filter(|(k, _, _)| kinds.contains(k))
            .map(|(_, s, _)| sentence_of(*s))
            .collect()
    };
    let figures = anchored_by(&[
        CueKind::Hardware,
        CueKind::Energy,
        CueKind::Power,
        CueKind::Pue,
        CueKind::Intensity,
        CueKind::Co2e,
    ]);
    let hardware = anchored_by(&[CueKind::Hardware]);
    found.retain(|(kind, s, _)| {
        let sentence = sentence_of(*s);
        let (a, b) = sentence;
        match kind {
            // A count, or a place, beside any figure or computing word.
            CueKind::Count => figures.contains(&sentence),
            CueKind::Place => figures.contains(&sentence) || g.computing.is_match(&text[a..b]),
            // A duration is a run's only beside hardware or a word of running it: "52 weeks
            // in a year" beside an emission figure is not.
            CueKind::Duration => hardware.contains(&sentence) || g.running.is_match(&text[a..b]),
            _ => true,
        }
    });
    found.sort_by_key(|(_, s, _)| *s);
    found
        .into_iter()
        .map(|(kind, s, e)| {
            let written = &text[s..e];
            let (value, per_chip) = value_of(kind, written);
            Cue {
                kind,
                text: written.to_owned(),
                start: chars.at(s),
                end: chars.at(e),
                value,
                per_chip,
            }
        })
        .collect()
}

/// The audit's form filled from the cues: the first of each kind (the largest energy and
/// CO2e, a paper's totals), GPU-hours as one chip's hours.
pub fn prefill(cues: &[Cue], label: &str) -> PaperChain {
    let first = |kind: CueKind| cues.iter().find(|c| c.kind == kind);
    let largest = |kind: CueKind| {
        cues.iter()
            .filter(|c| c.kind == kind && c.value.is_some())
            .max_by(|a, b| {
                a.value
                    .partial_cmp(&b.value)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    };
    let duration = first(CueKind::Duration);
    let per_chip = duration.is_some_and(|d| d.per_chip);
    PaperChain {
        label: label.to_owned(),
        chips: if per_chip {
            Some(1.0)
        } else {
            first(CueKind::Count).and_then(|c| c.value)
        },
        power_w: first(CueKind::Power).and_then(|c| c.value),
        hours: duration.and_then(|d| d.value),
        energy_kwh: largest(CueKind::Energy).and_then(|c| c.value),
        energy_includes_pue: false,
        pue: first(CueKind::Pue).and_then(|c| c.value),
        intensity_per_kwh: first(CueKind::Intensity).and_then(|c| intensity_mass(&c.text)),
        co2e: largest(CueKind::Co2e).and_then(|c| co2e_mass(&c.text)),
        claimed_more_than: None,
    }
}

/// The a–f category the cues point to, with the reason: a suggestion beside the guided
/// questions, never the decision (the cues cannot tell the application's gain from the AI's
/// own cost, nor a net figure from a gross one).
pub fn suggest(cues: &[Cue]) -> Option<(EvalCategory, String)> {
    let has = |kind: CueKind| cues.iter().any(|c| c.kind == kind);
    let quantified = has(CueKind::Energy) || has(CueKind::Co2e);
    let computing = has(CueKind::Hardware)
        || has(CueKind::Count)
        || has(CueKind::Power)
        || cues
            .iter()
            .any(|c| c.kind == CueKind::Duration && c.per_chip);
    if has(CueKind::Lifecycle) && quantified {
        return Some((
            EvalCategory::F,
            "life-cycle words (embodied, manufacturing, LCA) beside quantified energy or emissions: check that life-cycle assessments are compared (f)".to_owned(),
        ));
    }
    if quantified && computing {
        return Some((
            EvalCategory::E,
            "the AI's own computing is quantified (hardware, chips or GPU-hours beside energy or emissions): at least d; e if the gain is net of it".to_owned(),
        ));
    }
    if quantified {
        return Some((
            EvalCategory::D,
            "energy or emissions are quantified, with no figure of the AI's own computing: at least d if the figures are the application's gain".to_owned(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(CueKind, String)> {
        extract(text)
            .into_iter()
            .map(|c| (c.kind, c.text))
            .collect()
    }

    #[test]
    fn strubell_nas_is_read_with_units_and_values() {
        let text = "Training the neural architecture search on 8 P100 GPUs for 274,120 hours at a PUE of 1.58 emits 626,155 lbs of CO2e, using the U.S. average of 0.954 lbs/kWh.";
        let cues = extract(text);
        let get = |k: CueKind| cues.iter().find(|c| c.kind == k).expect("cue");
        assert_eq!(get(CueKind::Count).value, Some(8.0));
        assert_eq!(get(CueKind::Duration).value, Some(274_120.0));
        assert_eq!(get(CueKind::Pue).value, Some(1.58));
        let co2e = get(CueKind::Co2e);
        assert!((co2e.value.unwrap() - 626_155.0 * 0.453_592_37).abs() < 1e-6);
        // Offsets are characters: the text between them is the cue.
        let chars: Vec<char> = text.chars().collect();
        let between: String = chars[co2e.start..co2e.end].iter().collect();
        assert_eq!(between, co2e.text);
        let intensity = get(CueKind::Intensity);
        assert!((intensity.value.unwrap() - 0.954 * 0.453_592_37).abs() < 1e-9);
        let chain = prefill(&cues, "NAS");
        assert_eq!(chain.hours, Some(274_120.0));
        assert_eq!(chain.co2e.map(|m| m.value), Some(626_155.0));
    }

    #[test]
    fn a_clinical_duration_is_not_a_computing_figure() {
        assert!(kinds("Patients were followed for 24 hours and then for 6 months.").is_empty());
        assert_eq!(
            kinds("Training took 24 hours on the cluster."),
            vec![(CueKind::Duration, "24 hours".to_owned())]
        );
    }

    #[test]
    fn gpu_hours_and_megawatt_hours_are_converted() {
        let cues = extract("It used 3.3M GPU hours and 1,287 MWh.");
        assert_eq!(cues[0].value, Some(3.3e6));
        assert!(cues[0].per_chip);
        assert_eq!(cues[1].value, Some(1_287_000.0));
    }

    #[test]
    fn a_figure_at_the_end_of_a_sentence_stops_before_its_full_stop() {
        let cues = extract("It emitted 24.7 tonnes of CO2eq. Then 475 gCO2.eq/kWh applies.");
        let texts: Vec<&str> = cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["24.7 tonnes of CO2eq", "475 gCO2.eq/kWh"]);
    }

    #[test]
    fn large_and_small_masses_are_read_written_out_or_short() {
        let kg = |text: &str| extract(text).first().and_then(|c| c.value);
        assert_eq!(
            kg("adding up to 33.1 gigatonnes of CO2 in 2019"),
            Some(33.1e12)
        );
        assert_eq!(kg("it would avoid 1.8 Mt CO2 per year"), Some(1.8e9));
        assert_eq!(kg("48 kilograms of CO2e"), Some(48.0));
        assert_eq!(kg("25 t CO2e"), Some(25_000.0));
    }

    #[test]
    fn the_category_suggested_follows_the_cues() {
        let own = extract("Training on 8 V100 GPUs used 120 kWh.");
        assert_eq!(suggest(&own).map(|s| s.0), Some(EvalCategory::E));
        let gain = extract("The controller saves 41.5 MWh a year.");
        assert_eq!(suggest(&gain).map(|s| s.0), Some(EvalCategory::D));
        assert_eq!(suggest(&extract("It helps the energy transition.")), None);
    }
}
