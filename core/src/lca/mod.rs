//! Comparative, multi-criteria LCA scenarios: M1 (the reference solution, without AI) against
//! M2 (the AI solution) for one functional unit, with uncertainty.
//!
//! A scenario is a TOML file people read, diff and share ([`Scenario::from_toml`]). Each
//! variant has lines in life-cycle phases; a line is an amount × a factor per criterion, and
//! amounts and factors are products of terms: numbers, distributions
//! (`triangular(150, 300, 600)`), shared parameters (`$pue`) or their reciprocals
//! (`1/$lifetime_h`). Shared parameters are drawn once per Monte Carlo run for both variants
//! (paired samples), so Δ(M2|M1) is not blurred by independent draws of the same quantity.
//!
//! [`evaluate`] gives the deterministic result (per variant, phase and criterion; Δ;
//! contribution by phase; burden-shift flags); [`monte_carlo`] the medians, 5–95 % intervals
//! and P(M2 better than M1) per criterion; [`tornado`] ranks the parameters one at a time.

mod eval;

use std::collections::BTreeMap;
use std::str::FromStr;

use ecolens_taxonomy::Term as _;
use ecolens_taxonomy::lca::{Criterion, LifeCyclePhase};
use serde::{Deserialize, Serialize};

use crate::review::ReboundRisk;
use crate::uncertain::{Distribution, Scalar};
use crate::{Error, Result};

pub use eval::{
    BurdenShift, CriterionResult, Evaluation, Interval, McCriterion, McRebound, MonteCarlo,
    ReboundResult, TornadoBar, VariantResult, evaluate, monte_carlo, monte_carlo_with_progress,
    tornado,
};

/// The examples shipped with ecolens: `(file name, TOML)`.
pub const EXAMPLES: [(&str, &str); 2] = [
    (
        "inference-per-model.toml",
        include_str!("../../data/scenarios/inference-per-model.toml"),
    ),
    (
        "smart-building.toml",
        include_str!("../../data/scenarios/smart-building.toml"),
    ),
];

/// A shared parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Value or distribution.
    pub value: Distribution,
    /// Unit.
    #[serde(default)]
    pub unit: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: String,
}

/// One term of a product: a number or distribution, a parameter, or a parameter's reciprocal.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A value (fixed or uncertain) written on the line.
    Value(Distribution),
    /// `$name`.
    Parameter(String),
    /// `1/$name`.
    Reciprocal(String),
    /// `#id`: a factor ecolens ships (`#gpu.embodied.a100.bloom`), with its value, unit and
    /// source (`ecolens_core::factors::FactorLibrary::default_factor`).
    Shipped(String),
}

impl FromStr for Term {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        if let Some(name) = trimmed.strip_prefix("1/$") {
            Ok(Self::Reciprocal(name.trim().to_owned()))
        } else if let Some(name) = trimmed.strip_prefix('$') {
            Ok(Self::Parameter(name.trim().to_owned()))
        } else if let Some(id) = trimmed.strip_prefix('#') {
            Ok(Self::Shipped(id.trim().to_owned()))
        } else {
            Ok(Self::Value(trimmed.parse()?))
        }
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(d) => write!(f, "{d}"),
            Self::Parameter(name) => write!(f, "${name}"),
            Self::Reciprocal(name) => write!(f, "1/${name}"),
            Self::Shipped(id) => write!(f, "#{id}"),
        }
    }
}

/// A product of terms, written as one value or a list (`["$inferences", 0.61, 2.7778e-7]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Product(pub Vec<Term>);

/// Written as its terms joined by ` × ` (`$inferences × 0.61 × 1/$lifetime`).
impl std::fmt::Display for Product {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, term) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" × ")?;
            }
            write!(f, "{term}")?;
        }
        Ok(())
    }
}

/// Reads terms joined by `×` or `*`; each a number, a distribution, `$name` or `1/$name`.
impl FromStr for Product {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let terms = text
            .split(['×', '*'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::parse::<Term>)
            .collect::<Result<Vec<_>>>()?;
        if terms.is_empty() {
            return Err(Error::invalid(
                "product",
                text,
                "terms joined by × (a number, a distribution, $parameter or 1/$parameter)",
            ));
        }
        Ok(Self(terms))
    }
}

impl Serialize for Product {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [Term::Value(d)] => d.serialize(serializer),
            [single] => serializer.serialize_str(&single.to_string()),
            terms => {
                use serde::ser::SerializeSeq;
                let mut seq = serializer.serialize_seq(Some(terms.len()))?;
                for term in terms {
                    match term {
                        Term::Value(d) => seq.serialize_element(d)?,
                        other => seq.serialize_element(&other.to_string())?,
                    }
                }
                seq.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Product {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(Scalar),
            List(Vec<Scalar>),
        }
        let term = |scalar: Scalar| match scalar.number_or_text() {
            Ok(value) => Ok(Term::Value(Distribution::Fixed(value))),
            Err(text) => text.parse::<Term>().map_err(serde::de::Error::custom),
        };
        let terms = match Raw::deserialize(deserializer)? {
            Raw::One(scalar) => vec![term(scalar)?],
            Raw::List(items) => items
                .into_iter()
                .map(term)
                .collect::<std::result::Result<_, _>>()?,
        };
        Ok(Product(terms))
    }
}

/// One line of a variant: amount × factor per criterion, in a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Life-cycle phase.
    pub phase: LifeCyclePhase,
    /// What the line is.
    pub name: String,
    /// Amount of activity, as a product of terms.
    pub amount: Product,
    /// Unit of the amount (`kWh`, `unit`, `inference` …).
    #[serde(default)]
    pub unit: String,
    /// A stored trace (by id) whose IT energy in kWh multiplies the amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<i64>,
    /// Use a country's electricity factors (digital4better, ISO code) for the criteria the
    /// line's own `factors` do not give; the amount is then in kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electricity: Option<String>,
    /// Factor per criterion, per unit of amount.
    #[serde(default)]
    pub factors: BTreeMap<String, Product>,
    /// Where the numbers come from.
    #[serde(default)]
    pub source: String,
}

/// A variant (M1 or M2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// `M1` or `M2`.
    pub id: String,
    /// What it is.
    pub name: String,
    /// Its lines.
    #[serde(default, rename = "line")]
    pub lines: Vec<Line>,
}

/// A comparative LCA scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Title.
    pub name: String,
    /// The functional unit both variants deliver.
    pub functional_unit: String,
    /// Criteria codes (`gwp`, `adpe`, `pe`, `water`, `ctue`, or new ones with a unit in
    /// [`Self::units`]).
    pub criteria: Vec<String>,
    /// Units of criteria that are not in ecolens's vocabulary.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<String, String>,
    /// Electricity data year for `electricity = "…"` lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Why M1 is the right reference.
    #[serde(default)]
    pub baseline_justification: String,
    /// System boundary: what is in and out.
    #[serde(default)]
    pub boundary: String,
    /// Free notes (critical review, data quality).
    #[serde(default)]
    pub notes: String,
    /// Shared parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// M1 then M2.
    #[serde(rename = "variant")]
    pub variants: Vec<Variant>,
    /// What the saving's users take back, and what the money saved buys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebound: Option<Rebound>,
}

/// Rebound (Saunders 2008's RE = (expected − actual saving) / expected saving): the gain
/// Δ(M2|M1) is an engineering saving before anyone reacts to it.
///
/// - **Direct**: a fraction `r` of the saving (the M2 lines named in `saving_lines`, whose
///   values are the saving, negative when it is one) is taken back as extra use of the same
///   service: `−r × saving` per criterion. `r` = 1 takes all of it back; above 1 is backfire.
/// - **Indirect**: the money saved per functional unit, less the part spent on the extra use
///   (`× (1 − r)`), is re-spent on other goods with `respending` impact per currency unit.
///
/// Δ after rebound = Δ − r × saving + `money_saved` × (1 − r) × `respending`; the break-even
/// rebound is the `r` at which it reaches 0: (Δ + M·I) / (saving + M·I).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rebound {
    /// The names of M2's lines that are the saving the rebound takes back from.
    pub saving_lines: Vec<String>,
    /// The direct rebound fraction (1 = the whole saving), as a product of terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<Product>,
    /// Where the direct rebound comes from.
    #[serde(default)]
    pub direct_source: String,
    /// Money saved per functional unit, in `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money_saved: Option<Product>,
    /// The currency of `money_saved` (`EUR`, `USD` …).
    #[serde(default)]
    pub currency: String,
    /// Impact of re-spending one currency unit, per criterion (`gwp` in kgCO2e per unit).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub respending: BTreeMap<String, Product>,
    /// Where the money saved and the re-spending intensities come from, with their year.
    #[serde(default)]
    pub indirect_source: String,
    /// The stable id of the rebound risk in the register that gave the direct fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
}

impl Scenario {
    /// Takes a direct-rebound risk of the register (`HO.RB.DIR` with its rebound %) as the
    /// scenario's direct rebound fraction, naming the risk (`uid`, recorded by `by`) as its
    /// source and keeping the link. A scenario without a rebound section gets one whose saving
    /// is M2's lines with a negative amount at the central values; without such lines it is
    /// refused, saying what to do.
    pub fn feed_direct_rebound(&mut self, uid: &str, by: &str, risk: &ReboundRisk) -> Result<()> {
        if risk.effect != ecolens_taxonomy::EffectCode::HoRbDir {
            return Err(Error::invalid(
                "risk.effect",
                risk.effect.code(),
                "a direct rebound (HO.RB.DIR): an indirect one is the money saved and its re-spending, set in the scenario's rebound",
            ));
        }
        let percent = risk.rebound_percent.ok_or_else(|| {
            Error::invalid(
                "risk.rebound_percent",
                "(none)",
                "the risk's rebound in percent of the saving (ecolens risk add … --rebound-percent N)",
            )
        })?;
        if !(percent.is_finite() && percent >= 0.0) {
            return Err(Error::invalid(
                "risk.rebound_percent",
                percent.to_string(),
                "a rebound of 0 % or more",
            ));
        }
        let mut rebound = match self.rebound.take() {
            Some(rebound) => rebound,
            None => {
                let saving_lines = eval::negative_lines(self)?;
                if saving_lines.is_empty() {
                    return Err(Error::invalid(
                        "rebound.saving_lines",
                        "(none found)",
                        "M2 lines that are the saving (a negative amount), or a [rebound] section naming them",
                    ));
                }
                Rebound {
                    saving_lines,
                    direct: None,
                    direct_source: String::new(),
                    money_saved: None,
                    currency: String::new(),
                    respending: BTreeMap::new(),
                    indirect_source: String::new(),
                    risk: None,
                }
            }
        };
        rebound.direct = Some(Product(vec![Term::Value(Distribution::Fixed(
            percent / 100.0,
        ))]));
        let mechanism = risk.mechanism.trim();
        rebound.direct_source = format!(
            "rebound risk {uid} of the register ({by}): {percent} % of the saving{}",
            if mechanism.is_empty() {
                String::new()
            } else {
                format!(", {mechanism}")
            }
        );
        rebound.risk = Some(uid.to_owned());
        self.rebound = Some(rebound);
        self.check()
    }
}

impl Rebound {
    /// Every product of the section, with the field it is in.
    fn products(&self) -> Vec<(String, &Product)> {
        let mut out = Vec::new();
        if let Some(direct) = &self.direct {
            out.push(("rebound.direct".to_owned(), direct));
        }
        if let Some(money) = &self.money_saved {
            out.push(("rebound.money_saved".to_owned(), money));
        }
        for (criterion, product) in &self.respending {
            out.push((format!("rebound.respending.{criterion}"), product));
        }
        out
    }
}

impl Scenario {
    /// Parses and checks a scenario. Errors name the field (and TOML position) at fault.
    pub fn from_toml(text: &str) -> Result<Self> {
        let scenario: Self = toml::from_str(text).map_err(|error| {
            let (line, column) = error.span().map_or((0, 0), |span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, column)
            });
            Error::invalid(
                format!("scenario (line {line}, column {column})"),
                text.lines().nth(line.saturating_sub(1)).unwrap_or(""),
                error.message().to_owned(),
            )
        })?;
        scenario.check()?;
        Ok(scenario)
    }

    /// The scenario as TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::invalid("scenario", &self.name, format!("serialisable TOML: {e}")))
    }

    /// Unit of a criterion.
    pub fn unit(&self, criterion: &str) -> String {
        self.units.get(criterion).cloned().unwrap_or_else(|| {
            Criterion::from_str(criterion).map_or_else(|_| String::new(), |c| c.unit().to_owned())
        })
    }

    /// Checks what TOML cannot: two variants `M1` and `M2`, known phases and criteria, every
    /// `$parameter` defined, units for criteria beyond the vocabulary.
    pub fn check(&self) -> Result<()> {
        if self.variants.len() != 2 {
            return Err(Error::invalid(
                "variant",
                format!("{} variants", self.variants.len()),
                "exactly two [[variant]] tables: M1 (reference, no AI) then M2 (the AI solution)",
            ));
        }
        if self.criteria.is_empty() {
            return Err(Error::invalid(
                "criteria",
                "[]",
                "at least one criterion (gwp, adpe, pe, water, ctue …)",
            ));
        }
        for criterion in &self.criteria {
            if Criterion::from_str(criterion).is_err() && !self.units.contains_key(criterion) {
                return Err(Error::invalid(
                    "criteria",
                    criterion,
                    "a criterion ecolens knows (gwp, adpe, adpf, pe, water, wu, ctue, ctuh_c, ctuh_nc, ir, pm, ap) or one with its unit under [units]",
                ));
            }
        }
        if let Some(rebound) = &self.rebound {
            self.check_rebound(rebound)?;
        }
        for (v, variant) in self.variants.iter().enumerate() {
            for (l, line) in variant.lines.iter().enumerate() {
                let field = |what: &str| format!("variant[{v}].line[{l}] ({}).{what}", line.name);
                let mut terms: Vec<&Term> = line.amount.0.iter().collect();
                for (criterion, product) in &line.factors {
                    if !self.criteria.contains(criterion) {
                        return Err(Error::invalid(
                            field("factors"),
                            criterion,
                            format!(
                                "one of the scenario's criteria ({})",
                                self.criteria.join(", ")
                            ),
                        ));
                    }
                    terms.extend(product.0.iter());
                }
                for (criterion, product) in &line.factors {
                    for term in &product.0 {
                        let Term::Shipped(id) = term else { continue };
                        let Some(factor) = crate::factors::library().default_factor(id) else {
                            continue;
                        };
                        let per = factor.unit.split('/').next().unwrap_or_default().trim();
                        let wanted = self.unit(criterion);
                        if per != wanted {
                            return Err(Error::invalid(
                                field(&format!("factors.{criterion}")),
                                format!("#{id} ({})", factor.unit),
                                format!(
                                    "a {criterion} factor in {wanted} per unit of the amount; #{id} is in {}",
                                    factor.unit
                                ),
                            ));
                        }
                    }
                }
                for term in &terms {
                    if let Term::Shipped(id) = term
                        && crate::factors::library().default_factor(id).is_none()
                    {
                        return Err(Error::invalid(
                            field("amount/factors"),
                            format!("#{id}"),
                            format!(
                                "the id of a factor ecolens ships ({})",
                                crate::factors::library()
                                    .defaults()
                                    .iter()
                                    .map(|f| f.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
                for term in terms {
                    if let Term::Parameter(name) | Term::Reciprocal(name) = term
                        && !self.parameters.contains_key(name)
                    {
                        return Err(Error::invalid(
                            field("amount/factors"),
                            format!("${name}"),
                            format!(
                                "a parameter defined under [parameters] ({})",
                                self.parameters
                                    .keys()
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
                if line.electricity.is_some() && crate::quantity::kwh_per(&line.unit).is_none() {
                    return Err(Error::invalid(
                        field("unit"),
                        &line.unit,
                        "an energy unit for a line with electricity factors (Wh, kWh, MWh, GWh, TWh, J, kJ, MJ, GJ, TJ; empty means kWh): its amount is converted to kWh, the factors' unit",
                    ));
                }
                if let Some(country) = &line.electricity
                    && crate::factors::library()
                        .electricity(country, self.year)
                        .is_none()
                {
                    return Err(Error::invalid(
                        field("electricity"),
                        country,
                        "an ISO 3166 country code with digital4better electricity factors",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The rebound section: saving lines of M2 that exist, an indirect part whole (money,
    /// currency and intensities together) on the scenario's criteria, every `$parameter`
    /// defined, and at least one part.
    fn check_rebound(&self, rebound: &Rebound) -> Result<()> {
        if rebound.saving_lines.is_empty() {
            return Err(Error::invalid(
                "rebound.saving_lines",
                "[]",
                "the names of M2's lines that are the saving (the rebound takes back from them)",
            ));
        }
        let m2 = &self.variants[1];
        for name in &rebound.saving_lines {
            if !m2.lines.iter().any(|l| &l.name == name) {
                return Err(Error::invalid(
                    "rebound.saving_lines",
                    name,
                    format!(
                        "the name of a line of {} ({})",
                        m2.id,
                        m2.lines
                            .iter()
                            .map(|l| l.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        if rebound.direct.is_none() && rebound.money_saved.is_none() {
            return Err(Error::invalid(
                "rebound",
                "no direct and no money_saved",
                "a direct rebound fraction, or money_saved with respending intensities, or both",
            ));
        }
        match (&rebound.money_saved, rebound.respending.is_empty()) {
            (Some(_), true) => {
                return Err(Error::invalid(
                    "rebound.respending",
                    "{}",
                    "the impact of re-spending one currency unit, per criterion (gwp = 0.4 …), with the money saved",
                ));
            }
            (None, false) => {
                return Err(Error::invalid(
                    "rebound.money_saved",
                    "(missing)",
                    "the money saved per functional unit, re-spent with the respending intensities",
                ));
            }
            (Some(_), false) if rebound.currency.trim().is_empty() => {
                return Err(Error::invalid(
                    "rebound.currency",
                    "(empty)",
                    "the currency of money_saved (EUR, USD …)",
                ));
            }
            _ => {}
        }
        for criterion in rebound.respending.keys() {
            if !self.criteria.contains(criterion) {
                return Err(Error::invalid(
                    "rebound.respending",
                    criterion,
                    format!(
                        "one of the scenario's criteria ({})",
                        self.criteria.join(", ")
                    ),
                ));
            }
        }
        for (field, product) in rebound.products() {
            for term in &product.0 {
                match term {
                    Term::Parameter(name) | Term::Reciprocal(name)
                        if !self.parameters.contains_key(name) =>
                    {
                        return Err(Error::invalid(
                            field,
                            format!("${name}"),
                            "a parameter defined under [parameters]",
                        ));
                    }
                    Term::Shipped(id) if crate::factors::library().default_factor(id).is_none() => {
                        return Err(Error::invalid(
                            field,
                            format!("#{id}"),
                            "the id of a factor ecolens ships",
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
