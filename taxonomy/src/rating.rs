//! The fields on which a rebound or ICT-effect risk is rated (lca-and-rebound note §3.4):
//! direction, reduction type, time horizon, scale, likelihood, magnitude class, confidence,
//! evidence type, tier and mechanism resource.

use crate::effects::EffectCode;
use crate::vocab::VocabularyInfo;

const L1480: &str = "ITU-T L.1480 (12/2022)";
const IPCC: &str = "IPCC AR5 calibrated language, Mastrandrea et al. 2010 guidance note";

crate::vocabulary! {
    /// Whether the effect increases or decreases environmental impact.
    pub enum Direction(VocabularyInfo {
        id: "risk-direction",
        name: "Direction",
        version: 1,
        description: "Whether an effect adds to or removes from the environmental impact; L.1480 asks assessments to be agnostic to the outcome.",
        source: L1480,
    }) {
        IncreasesImpact {
            code: "increases_impact",
            name: "Increases impact",
            definition: "The effect adds emissions or other environmental burdens.",
            example: "Cheaper deliveries bring more deliveries (direct rebound).",
            source: L1480,
        },
        DecreasesImpact {
            code: "decreases_impact",
            name: "Decreases impact",
            definition: "The effect removes emissions or other environmental burdens.",
            example: "Better heating control lowers a building's gas use.",
            source: L1480,
        },
        Ambiguous {
            code: "ambiguous",
            name: "Ambiguous",
            definition: "The sign of the effect depends on conditions that are not known.",
            example: "Telework saves commuting but may add home heating and longer leisure trips.",
            source: L1480,
        },
    }
}

crate::vocabulary! {
    /// For a decrease: is it an actual reduction, or only a smaller increase than the baseline?
    pub enum ReductionType(VocabularyInfo {
        id: "risk-reduction-type",
        name: "Reduction type",
        version: 1,
        description: "L.1480 distinguishes actual reductions from lesser increases relative to a growing baseline.",
        source: L1480,
    }) {
        ActualReduction {
            code: "actual_reduction",
            name: "Actual reduction",
            definition: "Absolute emissions go down compared with today.",
            example: "A plant's gas consumption falls year on year after AI control.",
            source: L1480,
        },
        LesserIncrease {
            code: "lesser_increase",
            name: "Lesser increase",
            definition: "Emissions still grow, but less than in the baseline scenario.",
            example: "Data-centre demand grows 8 % a year instead of 10 % thanks to scheduling.",
            source: L1480,
        },
    }
}

crate::vocabulary! {
    /// When the effect materialises.
    pub enum TimeHorizon(VocabularyInfo {
        id: "risk-time-horizon",
        name: "Time horizon",
        version: 1,
        description: "Immediate versus mid- or long-term effects (L.1480).",
        source: L1480,
    }) {
        Immediate {
            code: "immediate",
            name: "Immediate",
            definition: "Appears as soon as the solution is deployed.",
            example: "Electricity of the inference servers.",
            source: L1480,
        },
        MidTerm {
            code: "mid_term",
            name: "Mid-term",
            definition: "Appears within a few years, as users and markets adapt.",
            example: "Users re-spend the money a solution saves them.",
            source: L1480,
        },
        LongTerm {
            code: "long_term",
            name: "Long-term",
            definition: "Appears over a decade or more, through infrastructure and structural change.",
            example: "Lock-in of a fossil asset whose life the optimisation extends.",
            source: L1480,
        },
    }
}

crate::vocabulary! {
    /// The scale at which the effect is assessed.
    pub enum AssessmentScale(VocabularyInfo {
        id: "risk-scale",
        name: "Scale",
        version: 1,
        description: "The scale of an assessment in L.1480: a solution in a specific context, or at organisation, city, country or world scale.",
        source: L1480,
    }) {
        UserOrSite {
            code: "user_or_site",
            name: "User or site",
            definition: "One user, household, building or site.",
            example: "One smart building.",
            source: L1480,
        },
        Organisation {
            code: "organisation",
            name: "Organisation",
            definition: "A company or institution with all its sites.",
            example: "A logistics company's fleet.",
            source: L1480,
        },
        City {
            code: "city",
            name: "City",
            definition: "A city or region.",
            example: "City-wide traffic-signal optimisation.",
            source: L1480,
        },
        Country {
            code: "country",
            name: "Country",
            definition: "A national economy.",
            example: "Nation-wide smart-meter roll-out.",
            source: L1480,
        },
        Global {
            code: "global",
            name: "Global",
            definition: "The world economy.",
            example: "Worldwide adoption of AI-optimised shipping routes.",
            source: L1480,
        },
    }
}

crate::vocabulary! {
    /// How likely the effect is, in IPCC calibrated language.
    pub enum Likelihood(VocabularyInfo {
        id: "risk-likelihood",
        name: "Likelihood",
        version: 1,
        description: "Probability that the effect occurs, in the IPCC AR5 calibrated likelihood terms (the rebound sources define no scale of their own).",
        source: IPCC,
    }) {
        VirtuallyCertain {
            code: "virtually_certain",
            name: "Virtually certain (99–100 %)",
            definition: "Probability of 99 to 100 %.",
            example: "Training a model consumes electricity.",
            source: IPCC,
        },
        VeryLikely {
            code: "very_likely",
            name: "Very likely (90–100 %)",
            definition: "Probability of 90 to 100 %.",
            example: "An always-on inference endpoint draws idle power.",
            source: IPCC,
        },
        Likely {
            code: "likely",
            name: "Likely (66–100 %)",
            definition: "Probability of 66 to 100 %.",
            example: "Lower delivery costs raise delivery volumes.",
            source: IPCC,
        },
        AboutAsLikelyAsNot {
            code: "about_as_likely_as_not",
            name: "About as likely as not (33–66 %)",
            definition: "Probability of 33 to 66 %.",
            example: "Saved office space is re-let rather than closed.",
            source: IPCC,
        },
        Unlikely {
            code: "unlikely",
            name: "Unlikely (0–33 %)",
            definition: "Probability of 0 to 33 %.",
            example: "Users feel licensed to consume more because the service is \"green\".",
            source: IPCC,
        },
        VeryUnlikely {
            code: "very_unlikely",
            name: "Very unlikely (0–10 %)",
            definition: "Probability of 0 to 10 %.",
            example: "A pilot in one farm changes global fertiliser prices.",
            source: IPCC,
        },
        ExceptionallyUnlikely {
            code: "exceptionally_unlikely",
            name: "Exceptionally unlikely (0–1 %)",
            definition: "Probability of 0 to 1 %.",
            example: "A building controller changes national building codes.",
            source: IPCC,
        },
    }
    attributes(self) {
        let (low, high) = self.probability_range_percent();
        vec![("probability_percent", format!("{low}–{high}"))]
    }
}

impl Likelihood {
    /// The probability range in percent, `(low, high)`.
    pub fn probability_range_percent(self) -> (u8, u8) {
        match self {
            Self::VirtuallyCertain => (99, 100),
            Self::VeryLikely => (90, 100),
            Self::Likely => (66, 100),
            Self::AboutAsLikelyAsNot => (33, 66),
            Self::Unlikely => (0, 33),
            Self::VeryUnlikely => (0, 10),
            Self::ExceptionallyUnlikely => (0, 1),
        }
    }
}

const SAUNDERS: &str =
    "Saunders 2008, rebound classes (RE = (expected − actual savings) / expected savings)";
const SHARE_CLASSES: &str = "ecolens (share of the claimed net benefit)";

crate::vocabulary! {
    /// How large the effect is. Rebound effects (`HO.RB.*`) use Saunders' rebound classes; other
    /// effects use the share of the claimed net benefit.
    pub enum Magnitude(VocabularyInfo {
        id: "risk-magnitude",
        name: "Magnitude class",
        version: 1,
        description: "Rebound effects are rated by rebound class (super-conservation … backfire); other effects by their share of the claimed net benefit.",
        source: "Saunders 2008; ecolens",
    }) {
        SuperConservation {
            code: "super_conservation",
            name: "Super-conservation (RE < 0)",
            definition: "Actual savings exceed the expected savings.",
            example: "Efficiency gains also change habits towards lower use.",
            source: SAUNDERS,
        },
        ZeroRebound {
            code: "zero_rebound",
            name: "Zero rebound (RE = 0)",
            definition: "Actual savings equal the expected savings.",
            example: "A cap on total deliveries keeps volume constant.",
            source: SAUNDERS,
        },
        PartialRebound {
            code: "partial_rebound",
            name: "Partial rebound (0 < RE < 100 %)",
            definition: "Part of the expected savings is taken back by increased consumption.",
            example: "Heating is turned up a little after insulation.",
            source: SAUNDERS,
        },
        FullRebound {
            code: "full_rebound",
            name: "Full rebound (RE = 100 %)",
            definition: "Increased consumption takes back all of the expected savings.",
            example: "Saved fuel is exactly offset by extra trips.",
            source: SAUNDERS,
        },
        Backfire {
            code: "backfire",
            name: "Backfire (RE > 100 %, Jevons paradox)",
            definition: "Consumption grows so much that total use exceeds what it was before the efficiency gain.",
            example: "Cheaper inference multiplies queries until total energy rises.",
            source: SAUNDERS,
        },
        Negligible {
            code: "negligible",
            name: "Negligible (< 5 % of the claimed net benefit)",
            definition: "The effect changes the claimed net benefit by less than 5 %.",
            example: "End-of-life impacts of a few servers against a city-scale saving.",
            source: SHARE_CLASSES,
        },
        Minor {
            code: "minor",
            name: "Minor (5–25 %)",
            definition: "The effect changes the claimed net benefit by 5 to 25 %.",
            example: "Training energy of a model against a year of building savings.",
            source: SHARE_CLASSES,
        },
        Major {
            code: "major",
            name: "Major (25–100 %)",
            definition: "The effect changes the claimed net benefit by 25 to 100 %.",
            example: "Sensor manufacturing in a precision-farming roll-out.",
            source: SHARE_CLASSES,
        },
        Dominant {
            code: "dominant",
            name: "Dominant (> 100 %)",
            definition: "The effect outweighs the claimed net benefit.",
            example: "Induced infrastructure exceeds the efficiency gain.",
            source: SHARE_CLASSES,
        },
    }
    attributes(self) {
        vec![("applies_to", if self.is_rebound_class() { "rebound effects (HO.RB.*)" } else { "other effects" }.to_owned())]
    }
}

impl Magnitude {
    /// `true` for Saunders' rebound classes, `false` for the share-of-benefit classes.
    pub fn is_rebound_class(self) -> bool {
        matches!(
            self,
            Self::SuperConservation
                | Self::ZeroRebound
                | Self::PartialRebound
                | Self::FullRebound
                | Self::Backfire
        )
    }

    /// `true` when this magnitude class can rate the given effect: rebound classes for `HO.RB.*`,
    /// share classes for every other effect.
    pub fn fits(self, effect: EffectCode) -> bool {
        self.is_rebound_class() == effect.is_rebound()
    }
}

crate::vocabulary! {
    /// Confidence in the rating, combining evidence and agreement (IPCC).
    pub enum Confidence(VocabularyInfo {
        id: "confidence",
        name: "Confidence",
        version: 1,
        description: "Confidence in a judgement, from the amount of evidence (limited, medium, robust) and agreement (low, medium, high), in IPCC calibrated terms.",
        source: IPCC,
    }) {
        VeryLow {
            code: "very_low",
            name: "Very low",
            definition: "Limited evidence and low agreement.",
            example: "One speculative remark in a discussion section.",
            source: IPCC,
        },
        Low {
            code: "low",
            name: "Low",
            definition: "Limited evidence or low agreement.",
            example: "A single case study with unstated assumptions.",
            source: IPCC,
        },
        Medium {
            code: "medium",
            name: "Medium",
            definition: "Medium evidence and medium agreement.",
            example: "Several studies of similar systems, partly consistent.",
            source: IPCC,
        },
        High {
            code: "high",
            name: "High",
            definition: "Robust evidence or high agreement.",
            example: "Measured data from the deployment itself.",
            source: IPCC,
        },
        VeryHigh {
            code: "very_high",
            name: "Very high",
            definition: "Robust evidence and high agreement.",
            example: "Repeated measurements confirmed by independent studies.",
            source: IPCC,
        },
    }
}

crate::vocabulary! {
    /// What kind of evidence supports the rating.
    pub enum EvidenceType(VocabularyInfo {
        id: "evidence-type",
        name: "Evidence type",
        version: 1,
        description: "The kind of evidence behind a rating.",
        source: "ITU-T L.1451 (2019); Bieser & Hilty 2018 (doi:10.3390/su10082662)",
    }) {
        Measured {
            code: "measured",
            name: "Measured",
            definition: "Observed in the deployment or an experiment.",
            example: "Metered electricity before and after the roll-out.",
            source: "Bieser & Hilty 2018",
        },
        ModelledLca {
            code: "modelled_lca",
            name: "Modelled (LCA)",
            definition: "Computed with a life-cycle assessment model.",
            example: "Comparative LCA of the reference and the AI solution.",
            source: "ITU-T L.1410; Bieser & Hilty 2018",
        },
        ModelledCge {
            code: "modelled_cge",
            name: "Modelled (CGE)",
            definition: "Computed with a computable general-equilibrium model of the economy.",
            example: "Economy-wide rebound of cheaper freight.",
            source: "ITU-T L.1451 (2019)",
        },
        ModelledAgentBased {
            code: "modelled_agent_based",
            name: "Modelled (agent-based)",
            definition: "Computed with an agent-based or other behavioural simulation.",
            example: "Simulated household responses to dynamic pricing.",
            source: "Bieser & Hilty 2018",
        },
        LiteratureAnalogue {
            code: "literature_analogue",
            name: "Literature analogue",
            definition: "Transferred from studies of a similar technology or context.",
            example: "Rebound rates of fuel-efficient cars applied to route optimisation.",
            source: "Bieser & Hilty 2018",
        },
        ExpertJudgement {
            code: "expert_judgement",
            name: "Expert judgement",
            definition: "Reasoned opinion of the reviewers or consulted experts.",
            example: "A workshop's consensus on likely induced demand.",
            source: "Bieser & Hilty 2018",
        },
    }
}

crate::vocabulary! {
    /// Rigour of the assessment (L.1480 tiers).
    pub enum Tier(VocabularyInfo {
        id: "assessment-tier",
        name: "Tier",
        version: 1,
        description: "Rigour of an assessment in L.1480; tier 3 screening results are not for public or consumer-facing claims.",
        source: L1480,
    }) {
        Tier1 {
            code: "tier1",
            name: "Tier 1: comprehensive",
            definition: "Full assessment with a consequence tree and quantified effects.",
            example: "Consequential LCA with measured baseline data.",
            source: L1480,
        },
        Tier2 {
            code: "tier2",
            name: "Tier 2: intermediate",
            definition: "Assessment with a consequence tree and partly generic data.",
            example: "Comparative LCA using database factors.",
            source: L1480,
        },
        Tier3 {
            code: "tier3",
            name: "Tier 3: screening",
            definition: "Simplified screening; not for public or consumer-facing communication.",
            example: "Back-of-the-envelope estimate in a workshop.",
            source: L1480,
        },
    }
}

const GIROD: &str = "Girod, de Haan & Scholz 2011; ITU-T L Suppl. 54 (2022)";

crate::vocabulary! {
    /// The resource through which a higher-order effect travels (edge label in a consequence tree).
    pub enum MechanismResource(VocabularyInfo {
        id: "mechanism-resource",
        name: "Mechanism resource",
        version: 1,
        description: "What the solution frees or makes cheaper, and that is then re-spent: the label of an edge in a consequence tree.",
        source: GIROD,
    }) {
        Money {
            code: "money",
            name: "Money",
            definition: "Money saved or earned is re-spent.",
            example: "Lower energy bills fund a holiday flight.",
            source: GIROD,
        },
        Time {
            code: "time",
            name: "Time",
            definition: "Time saved is re-invested in other activities.",
            example: "Faster commutes lead to more leisure trips.",
            source: GIROD,
        },
        Space {
            code: "space",
            name: "Space",
            definition: "Space freed is filled by other uses.",
            example: "Warehouse space freed by forecasting is rented out.",
            source: GIROD,
        },
        AttentionConvenience {
            code: "attention_convenience",
            name: "Attention / convenience",
            definition: "Effort or attention saved makes more use attractive.",
            example: "One-click ordering raises order frequency.",
            source: "ITU-T L.1480 (convenience-induced usage)",
        },
        ProductionCapacity {
            code: "production_capacity",
            name: "Production capacity",
            definition: "Capacity freed by optimisation is used to produce more.",
            example: "A factory's optimised line runs more batches.",
            source: "Townsend & Coroamă 2018",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Term;

    #[test]
    fn magnitude_classes_fit_their_effects() {
        assert!(Magnitude::Backfire.fits(EffectCode::HoRbDir));
        assert!(!Magnitude::Backfire.fits(EffectCode::FoMan));
        assert!(Magnitude::Major.fits(EffectCode::FoMan));
        assert!(!Magnitude::Major.fits(EffectCode::HoRbEco));
        let rebound: Vec<_> = Magnitude::ALL
            .iter()
            .filter(|m| m.is_rebound_class())
            .collect();
        assert_eq!(rebound.len(), 5);
    }

    #[test]
    fn likelihood_ranges_are_nested_the_ipcc_way() {
        for likelihood in Likelihood::ALL {
            let (low, high) = likelihood.probability_range_percent();
            assert!(low < high && high <= 100, "{likelihood}");
        }
        assert_eq!(
            Likelihood::AboutAsLikelyAsNot.probability_range_percent(),
            (33, 66)
        );
    }

    #[test]
    fn every_rating_vocabulary_parses_its_own_codes() {
        fn check<T: Term + std::str::FromStr<Err = crate::UnknownCode>>() {
            for term in T::ALL {
                assert_eq!(term.code().parse::<T>().ok(), Some(*term));
            }
        }
        check::<Direction>();
        check::<ReductionType>();
        check::<TimeHorizon>();
        check::<AssessmentScale>();
        check::<Likelihood>();
        check::<Magnitude>();
        check::<Confidence>();
        check::<EvidenceType>();
        check::<Tier>();
        check::<MechanismResource>();
    }
}
