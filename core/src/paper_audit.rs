//! Auditing a paper's own figures: the chain it states (chips × power × hours, or an energy,
//! × PUE × grid intensity = CO2e) recomputed link by link, each mismatch said with its size,
//! the input that would make a stated figure fit, and unit slips (pounds read as kilograms,
//! short tons as tonnes) found by reading a figure in the other units.
//!
//! Three published chains ship as examples whose numbers the tests reproduce: Strubell, Ganesh
//! and `McCallum` 2019 (Table 3), Patterson et al. 2021 (Table 4, GPT-3) and Luccioni, Viguier
//! and Ligozat 2023 (BLOOM).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A unit of mass as papers write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MassUnit {
    /// Gram.
    Gram,
    /// Kilogram.
    Kilogram,
    /// Metric tonne.
    Tonne,
    /// Avoirdupois pound.
    Pound,
    /// US short ton (2,000 lb).
    ShortTon,
    /// Milligram.
    Milligram,
    /// Kilotonne.
    Kilotonne,
    /// Megatonne.
    Megatonne,
    /// Gigatonne.
    Gigatonne,
}

impl MassUnit {
    /// The units a figure is read in when looking for a unit slip: the confusions papers make
    /// (pounds for kilograms, short tons for tonnes, a factor of 1,000). The larger and smaller
    /// metric units are read but not tried as slips.
    pub const ALL: [Self; 5] = [
        Self::Gram,
        Self::Kilogram,
        Self::Tonne,
        Self::Pound,
        Self::ShortTon,
    ];

    /// Kilograms in one.
    pub fn kg(self) -> f64 {
        match self {
            Self::Gram => 1e-3,
            Self::Kilogram => 1.0,
            Self::Tonne => 1e3,
            Self::Pound => 0.453_592_37,
            Self::ShortTon => 907.184_74,
            Self::Milligram => 1e-6,
            Self::Kilotonne => 1e6,
            Self::Megatonne => 1e9,
            Self::Gigatonne => 1e12,
        }
    }

    /// As written after a number.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Gram => "g",
            Self::Kilogram => "kg",
            Self::Tonne => "t",
            Self::Pound => "lbs",
            Self::ShortTon => "short tons",
            Self::Milligram => "mg",
            Self::Kilotonne => "kt",
            Self::Megatonne => "Mt",
            Self::Gigatonne => "Gt",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        // Mt and mt differ only in case (megatonne, metric tonne is "t"): decided before
        // lower-casing.
        let trimmed = text.trim();
        let exact = trimmed
            .trim_end_matches("CO2e")
            .trim_end_matches("CO2eq")
            .trim_end_matches("CO2")
            .trim();
        match exact {
            "Mt" => return Some(Self::Megatonne),
            "Gt" => return Some(Self::Gigatonne),
            "kt" => return Some(Self::Kilotonne),
            "mg" => return Some(Self::Milligram),
            _ => {}
        }
        let unit = trimmed.to_ascii_lowercase();
        let unit = unit
            .trim_end_matches("co2e")
            .trim_end_matches("co2eq")
            .trim_end_matches("co2")
            .trim();
        Some(match unit {
            "milligram" | "milligrams" => Self::Milligram,
            "kilotonne" | "kilotonnes" | "kilotons" => Self::Kilotonne,
            "megatonne" | "megatonnes" | "megatons" => Self::Megatonne,
            "gigatonne" | "gigatonnes" | "gigatons" => Self::Gigatonne,
            "g" | "gram" | "grams" => Self::Gram,
            "kg" | "kilogram" | "kilograms" => Self::Kilogram,
            "t" | "tonne" | "tonnes" | "metric ton" | "metric tons" => Self::Tonne,
            "lb" | "lbs" | "pound" | "pounds" => Self::Pound,
            "short ton" | "short tons" | "short-ton" | "short-tons" => Self::ShortTon,
            _ => return None,
        })
    }
}

/// A mass as stated: `626155 lbs`, `552 tCO2e`, `0.954 lbs` (per kWh).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mass {
    /// The number as written.
    pub value: f64,
    /// Its unit as written.
    pub unit: MassUnit,
}

impl Mass {
    /// In kilograms.
    pub fn kg(self) -> f64 {
        self.value * self.unit.kg()
    }
}

impl std::fmt::Display for Mass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            crate::quantity::num(self.value),
            self.unit.symbol()
        )
    }
}

impl std::str::FromStr for Mass {
    type Err = Error;

    /// `626155 lbs`, `552 tCO2e`, `0.954 lbs/kWh` (the `/kWh` is dropped: intensities are
    /// masses per kWh), `57 gCO2e/kWh`; thousands separators are allowed.
    fn from_str(text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "mass",
                text,
                "a number and a unit of mass: 626155 lbs, 552 t, 24.7 tCO2e, 0.954 lbs/kWh, 57 gCO2e/kWh",
            )
        };
        let trimmed = text.trim();
        let trimmed = trimmed
            .strip_suffix("/kWh")
            .or_else(|| trimmed.strip_suffix("/kwh"))
            .unwrap_or(trimmed);
        let split = trimmed
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-' || c == 'e'))
            .ok_or_else(bad)?;
        let value: f64 = trimmed[..split]
            .replace(',', "")
            .parse()
            .map_err(|_| bad())?;
        let unit = MassUnit::parse(&trimmed[split..]).ok_or_else(bad)?;
        if !value.is_finite() || value < 0.0 {
            return Err(bad());
        }
        Ok(Self { value, unit })
    }
}

/// The chain a paper states. Any link may be missing; what can be recomputed is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaperChain {
    /// What the chain is (`Strubell et al. 2019, Table 3, NAS`).
    pub label: String,
    /// Chips (GPUs, TPUs) counted in `power_w`.
    pub chips: Option<f64>,
    /// Average power per chip, W.
    pub power_w: Option<f64>,
    /// Hours.
    pub hours: Option<f64>,
    /// Energy stated, kWh.
    pub energy_kwh: Option<f64>,
    /// Whether the stated energy already holds the PUE.
    pub energy_includes_pue: bool,
    /// PUE stated (1 when none).
    pub pue: Option<f64>,
    /// Grid intensity stated, as a mass per kWh.
    pub intensity_per_kwh: Option<Mass>,
    /// CO2e stated.
    pub co2e: Option<Mass>,
    /// A lower bound the paper claims in words ("more than 300 t").
    pub claimed_more_than: Option<Mass>,
}

/// How a stated figure fits the recomputed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Equal to the stated figure's own printed precision.
    Fits,
    /// Within 2 %: what inputs rounded as printed explain.
    WithinRounding,
    /// Further off.
    Mismatch,
    /// Fits only when read in another unit.
    UnitSlip,
    /// A claim the paper's own figures contradict.
    ClaimContradicted,
}

impl Verdict {
    /// In words: `fits`, `within rounding`, `mismatch`, `unit slip`, `claim contradicted`.
    pub fn words(self) -> &'static str {
        match self {
            Self::Fits => "fits",
            Self::WithinRounding => "within rounding",
            Self::Mismatch => "mismatch",
            Self::UnitSlip => "unit slip",
            Self::ClaimContradicted => "claim contradicted",
        }
    }

    /// Whether the figures do not fit together (not a matter of printed rounding).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Self::Mismatch | Self::UnitSlip | Self::ClaimContradicted
        )
    }
}

impl PaperAudit {
    /// "2 fit, 1 unit slip": the verdicts counted, in their order.
    pub fn summary(&self) -> String {
        let order = [
            Verdict::Fits,
            Verdict::WithinRounding,
            Verdict::Mismatch,
            Verdict::UnitSlip,
            Verdict::ClaimContradicted,
        ];
        let parts: Vec<String> = order
            .iter()
            .filter_map(|v| {
                let n = self.findings.iter().filter(|f| f.verdict == *v).count();
                (n > 0).then(|| format!("{n} {}", v.words()))
            })
            .collect();
        if parts.is_empty() {
            "nothing to check".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// One link checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Which link (`energy`, `CO2e`, `claim`).
    pub link: String,
    /// As the paper states it.
    pub stated: String,
    /// As recomputed from the paper's other figures.
    pub recomputed: String,
    /// (stated − recomputed) / recomputed.
    pub relative_difference: f64,
    /// How it fits.
    pub verdict: Verdict,
    /// What explains it, in words.
    pub note: String,
}

/// An audited chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperAudit {
    /// The chain as given.
    pub chain: PaperChain,
    /// Energy at the meter recomputed, kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy_kwh: Option<f64>,
    /// CO2e recomputed, kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co2e_kg: Option<f64>,
    /// Each link checked.
    pub findings: Vec<Finding>,
}

/// Half a unit of a number's last significant digit as written (`1438` → 0.5, `552` → 0.5,
/// `24.7` → 0.05, `1287000` → 500): what rounding it to print could have moved it.
fn half_unit(value: f64) -> f64 {
    let written = format!("{}", value.abs());
    let (whole, fraction) = written.split_once('.').unwrap_or((&written, ""));
    if fraction.is_empty() {
        let trailing_zeros = whole.len() - whole.trim_end_matches('0').len();
        0.5 * 10f64.powi(i32::try_from(trailing_zeros).unwrap_or(0))
    } else {
        0.5 * 10f64.powi(-i32::try_from(fraction.len()).unwrap_or(0))
    }
}

/// Fits: the figures agree to the stated one's own printed precision; within rounding: to
/// 2 %, what inputs rounded as printed explain; else a mismatch.
fn verdict(stated: f64, recomputed: f64) -> Verdict {
    let relative = (stated - recomputed) / recomputed;
    if (stated - recomputed).abs() <= half_unit(stated) * (1.0 + 1e-9) {
        Verdict::Fits
    } else if relative.abs() <= 0.02 {
        Verdict::WithinRounding
    } else {
        Verdict::Mismatch
    }
}

fn percent(relative: f64) -> String {
    if relative.abs() < 5e-5 {
        "0.00 %".to_owned()
    } else {
        format!("{:+.2} %", relative * 100.0)
    }
}

/// Recomputes the chain and checks each stated figure against the others.
pub fn audit(chain: &PaperChain) -> Result<PaperAudit> {
    use crate::quantity::num;
    for (field, value) in [
        ("chips", chain.chips),
        ("power_w", chain.power_w),
        ("hours", chain.hours),
        ("energy_kwh", chain.energy_kwh),
    ] {
        if let Some(v) = value
            && !(v.is_finite() && v >= 0.0)
        {
            return Err(Error::invalid(field, v.to_string(), "a number ≥ 0"));
        }
    }
    let pue = chain.pue.unwrap_or(1.0);
    if !(pue.is_finite() && pue >= 1.0) {
        return Err(Error::invalid("pue", pue.to_string(), "a PUE of 1 or more"));
    }
    let mut findings = Vec::new();
    let chips = chain.chips.unwrap_or(1.0);
    // IT energy from the hardware, when the paper gives it.
    let from_hardware = chain
        .power_w
        .zip(chain.hours)
        .map(|(w, h)| chips * w * h / 1000.0);
    // Energy at the meter: the stated energy (× PUE unless it holds it), else the hardware's.
    let at_meter = |it_kwh: f64| it_kwh * pue;
    let stated_at_meter = chain.energy_kwh.map(|e| {
        if chain.energy_includes_pue {
            e
        } else {
            at_meter(e)
        }
    });
    if let (Some(stated), Some(it)) = (chain.energy_kwh, from_hardware) {
        let recomputed = if chain.energy_includes_pue {
            at_meter(it)
        } else {
            it
        };
        let relative = (stated - recomputed) / recomputed;
        findings.push(Finding {
            link: "energy".to_owned(),
            stated: format!("{} kWh", num(stated)),
            recomputed: format!(
                "{} kWh = {} chips × {} W × {} h{}",
                num(recomputed),
                num(chips),
                num(chain.power_w.unwrap_or_default()),
                num(chain.hours.unwrap_or_default()),
                if chain.energy_includes_pue {
                    format!(" × PUE {}", num(pue))
                } else {
                    String::new()
                }
            ),
            relative_difference: relative,
            verdict: verdict(stated, recomputed),
            note: format!(
                "the stated energy is {} from the hardware's",
                percent(relative)
            ),
        });
    }
    let energy_kwh = stated_at_meter.or_else(|| from_hardware.map(at_meter));
    let co2e_kg = energy_kwh
        .zip(chain.intensity_per_kwh)
        .map(|(e, intensity)| e * intensity.kg());
    if let (Some(stated), Some(recomputed_kg)) = (chain.co2e, co2e_kg) {
        let relative = (stated.kg() - recomputed_kg) / recomputed_kg;
        let mut verdict = verdict(stated.value, recomputed_kg / stated.unit.kg());
        let mut note = format!("the stated CO2e is {} from its inputs", percent(relative));
        if verdict == Verdict::Mismatch {
            // Read the number in every other unit: a slip makes it fit.
            if let Some(unit) = MassUnit::ALL.into_iter().find(|unit| {
                *unit != stated.unit
                    && ((stated.value * unit.kg() - recomputed_kg) / recomputed_kg).abs() <= 0.02
            }) {
                verdict = Verdict::UnitSlip;
                note = format!(
                    "fits when read as {} {}, not {}",
                    num(stated.value),
                    unit.symbol(),
                    stated.unit.symbol()
                );
            }
        }
        if verdict != Verdict::Fits
            && verdict != Verdict::UnitSlip
            && chain.energy_kwh.is_none()
            && let (Some(w), Some(h), Some(intensity)) =
                (chain.power_w, chain.hours, chain.intensity_per_kwh)
        {
            let implied_h = stated.kg() / (chips * w / 1000.0 * pue * intensity.kg());
            let _ = write!(
                note,
                "; it implies {} h where the paper states {} h (hours rounded as printed)",
                num(implied_h),
                num(h)
            );
        }
        findings.push(Finding {
            link: "CO2e".to_owned(),
            stated: stated.to_string(),
            recomputed: format!(
                "{} = {} kWh × {}/kWh",
                Mass {
                    value: recomputed_kg / stated.unit.kg(),
                    unit: stated.unit,
                },
                num(energy_kwh.unwrap_or_default()),
                chain
                    .intensity_per_kwh
                    .map(|i| i.to_string())
                    .unwrap_or_default()
            ),
            relative_difference: relative,
            verdict,
            note,
        });
    }
    if let Some(claim) = chain.claimed_more_than {
        // The paper's own figure: its stated CO2e, else the recomputed one.
        let own_kg = chain.co2e.map(Mass::kg).or(co2e_kg);
        if let Some(own_kg) = own_kg {
            let in_claim_unit = own_kg / claim.unit.kg();
            let holds = own_kg > claim.kg();
            findings.push(Finding {
                link: "claim".to_owned(),
                stated: format!("more than {claim}"),
                recomputed: format!(
                    "{}",
                    Mass {
                        value: in_claim_unit,
                        unit: claim.unit,
                    }
                ),
                relative_difference: (claim.kg() - own_kg) / own_kg,
                verdict: if holds {
                    Verdict::Fits
                } else {
                    Verdict::ClaimContradicted
                },
                note: if holds {
                    "the paper's own figure bears the claim out".to_owned()
                } else {
                    format!(
                        "the paper's own figure is {} {}, not more than {claim}",
                        num(in_claim_unit),
                        claim.unit.symbol()
                    )
                },
            });
        }
    }
    Ok(PaperAudit {
        chain: chain.clone(),
        energy_kwh,
        co2e_kg,
        findings,
    })
}

/// The shipped worked cases: `(name, chain)`.
pub fn examples() -> Vec<(&'static str, PaperChain)> {
    let pounds = |value| Mass {
        value,
        unit: MassUnit::Pound,
    };
    vec![
        (
            "strubell-nas",
            PaperChain {
                label: "Strubell, Ganesh & McCallum 2019, ACL, Table 3: NAS (with the \"more than 300 t\" said of it)".to_owned(),
                chips: Some(1.0),
                power_w: Some(1515.43),
                hours: Some(274_120.0),
                pue: Some(1.58),
                intensity_per_kwh: Some(pounds(0.954)),
                co2e: Some(pounds(626_155.0)),
                claimed_more_than: Some(Mass {
                    value: 300.0,
                    unit: MassUnit::Tonne,
                }),
                ..PaperChain::default()
            },
        ),
        (
            "strubell-bert",
            PaperChain {
                label: "Strubell, Ganesh & McCallum 2019, ACL, Table 3: BERT base (79 h as printed; 79.2 h in the text)".to_owned(),
                chips: Some(1.0),
                power_w: Some(12_041.51),
                hours: Some(79.0),
                pue: Some(1.58),
                intensity_per_kwh: Some(pounds(0.954)),
                co2e: Some(pounds(1438.0)),
                ..PaperChain::default()
            },
        ),
        (
            "patterson-gpt3",
            PaperChain {
                label: "Patterson et al. 2021, Table 4: GPT-3 (10,000 V100 at 330 W for 14.8 days, PUE 1.10; 1,287 MWh with the PUE inside; 0.429 kgCO2e/kWh; 552 tCO2e)".to_owned(),
                chips: Some(10_000.0),
                power_w: Some(330.0),
                hours: Some(14.8 * 24.0),
                energy_kwh: Some(1_287_000.0),
                energy_includes_pue: true,
                pue: Some(1.1),
                intensity_per_kwh: Some(Mass {
                    value: 0.429,
                    unit: MassUnit::Kilogram,
                }),
                co2e: Some(Mass {
                    value: 552.0,
                    unit: MassUnit::Tonne,
                }),
                ..PaperChain::default()
            },
        ),
        (
            "bloom",
            PaperChain {
                label: "Luccioni, Viguier & Ligozat 2023, JMLR 24(253): BLOOM's dynamic consumption (1,082,990 A100 hours at 400 W, 57 gCO2e/kWh, 24.7 t)".to_owned(),
                chips: Some(1.0),
                power_w: Some(400.0),
                hours: Some(1_082_990.0),
                energy_kwh: Some(433_196.0),
                pue: None,
                intensity_per_kwh: Some(Mass {
                    value: 57.0,
                    unit: MassUnit::Gram,
                }),
                co2e: Some(Mass {
                    value: 24.7,
                    unit: MassUnit::Tonne,
                }),
                ..PaperChain::default()
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> PaperAudit {
        let chain = examples()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c)
            .unwrap();
        audit(&chain).unwrap()
    }

    fn finding<'a>(audit: &'a PaperAudit, link: &str) -> &'a Finding {
        audit.findings.iter().find(|f| f.link == link).unwrap()
    }

    /// Strubell's NAS: 626,155 lbs fits its inputs; it is 284 metric tonnes, so "more than
    /// 300 t" is contradicted by the paper's own figure.
    #[test]
    fn strubell_nas_fits_and_its_300_tonnes_claim_does_not() {
        let nas = example("strubell-nas");
        let co2e = finding(&nas, "CO2e");
        assert_eq!(co2e.verdict, Verdict::Fits, "{co2e:?}");
        assert!((nas.co2e_kg.unwrap() / 0.453_592_37 - 626_155.0).abs() < 5.0);
        let claim = finding(&nas, "claim");
        assert_eq!(claim.verdict, Verdict::ClaimContradicted);
        assert!(claim.note.contains("284"), "{}", claim.note);
    }

    /// BERT base: at the 79 h printed, 1,433.9 lbs; the stated 1,438 implies 79.2 h.
    #[test]
    fn strubell_bert_is_within_rounding_and_names_the_hours_it_implies() {
        let bert = example("strubell-bert");
        let co2e = finding(&bert, "CO2e");
        assert_eq!(co2e.verdict, Verdict::WithinRounding, "{co2e:?}");
        assert!((bert.co2e_kg.unwrap() / 0.453_592_37 - 1433.9).abs() < 0.1);
        assert!(co2e.note.contains("implies 79.23 h"), "{}", co2e.note);
    }

    /// GPT-3: 1,287,000 kWh holds its PUE (10,000 × 330 W × 355.2 h × 1.1 = 1,289,376 kWh, 0.2 %
    /// off), and × 0.429 kg/kWh gives 552 t.
    #[test]
    fn patterson_gpt3_fits_with_the_pue_inside_its_energy() {
        let gpt3 = example("patterson-gpt3");
        // 14.8 days as printed: the energy is within rounding of the hardware's.
        assert_eq!(finding(&gpt3, "energy").verdict, Verdict::WithinRounding);
        assert_eq!(finding(&gpt3, "CO2e").verdict, Verdict::Fits);
        assert!((gpt3.co2e_kg.unwrap() / 1000.0 - 552.1).abs() < 0.1);
    }

    /// BLOOM: 1,082,990 A100 hours at 400 W is 433,196 kWh; × 57 g is 24.7 t.
    #[test]
    fn bloom_dynamic_consumption_fits() {
        let bloom = example("bloom");
        assert_eq!(finding(&bloom, "energy").verdict, Verdict::Fits);
        assert_eq!(finding(&bloom, "CO2e").verdict, Verdict::Fits);
    }

    /// A figure written in pounds but meant as kilograms (or the other way) is a unit slip.
    #[test]
    fn a_figure_in_the_wrong_unit_is_named_as_a_slip() {
        let chain = PaperChain {
            energy_kwh: Some(1000.0),
            intensity_per_kwh: Some("0.5 kg/kWh".parse().unwrap()),
            co2e: Some("1102 kg".parse().unwrap()),
            ..PaperChain::default()
        };
        let slipped = audit(&chain).unwrap();
        let co2e = finding(&slipped, "CO2e");
        assert_eq!(co2e.verdict, Verdict::UnitSlip, "{co2e:?}");
        assert!(co2e.note.contains("read as 1,102 lbs"), "{}", co2e.note);
        assert!("12 parsecs".parse::<Mass>().is_err());
        assert!(("626,155 lbs".parse::<Mass>().unwrap().value - 626_155.0).abs() < 1e-9);
        assert_eq!("57 gCO2e/kWh".parse::<Mass>().unwrap().unit, MassUnit::Gram);
    }
}
