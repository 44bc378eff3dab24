//! ICT effects and rebound effects: the controlled vocabulary a reviewer uses to record what an AI
//! solution does to the environment beyond its claimed gain.
//!
//! It merges ITU-T L.1480's orders (first / second / higher), Hilty & Aebischer's LES levels
//! (life-cycle, enabling, structural) and the classic rebound split (direct, indirect,
//! economy-wide, time, space), plus three flags about the quality of an evaluation (`EV.*`).

use crate::vocab::{Term, VocabularyInfo};

/// The order of an effect (ITU-T L.1480).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum EffectOrder {
    /// First order: the life-cycle impacts of the ICT itself.
    First,
    /// Second order: what the ICT changes in other processes.
    Second,
    /// Higher order: systemic, behavioural and macro-economic responses.
    Higher,
    /// Not an effect but a flag on the quality of an evaluation.
    Evaluation,
}

impl EffectOrder {
    /// Short label, `O1`, `O2`, `O3`, or `EV`.
    pub fn label(self) -> &'static str {
        match self {
            Self::First => "O1",
            Self::Second => "O2",
            Self::Higher => "O3",
            Self::Evaluation => "EV",
        }
    }
}

/// Level of the LES model (Hilty & Aebischer 2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum LesLevel {
    /// Life-cycle impacts of ICT.
    LifeCycle,
    /// Enabling impacts on other processes.
    Enabling,
    /// Structural impacts on the economy and society.
    Structural,
}

impl LesLevel {
    /// Short label, `L`, `E` or `S`.
    pub fn label(self) -> &'static str {
        match self {
            Self::LifeCycle => "L",
            Self::Enabling => "E",
            Self::Structural => "S",
        }
    }
}

const LIFE_CYCLE_SOURCES: &str =
    "ITU-T L.1410; ITU-T L.1480 (2022); Ligozat et al. 2022; Hilty & Aebischer 2015";

crate::vocabulary! {
    /// An ICT effect or rebound effect.
    pub enum EffectCode(VocabularyInfo {
        id: "ict-effects",
        name: "ICT effects and rebound effects",
        version: 1,
        description: "First-order (life-cycle), second-order (enabling) and higher-order (structural, rebound) effects of an AI solution, plus flags on the quality of its evaluation.",
        source: "ITU-T L.1480 (2022); Hilty & Aebischer 2015 (doi:10.1007/978-3-319-09228-7_1); Börjesson Rivera et al. 2014; Saunders 2008; Coroamă & Mattern 2019; merged by ecolens",
    }) {
        FoMan {
            code: "FO.MAN",
            name: "Embodied impacts of equipment",
            definition: "Raw-material extraction, manufacturing and transport of the ICT used by the solution (GPUs, servers, sensors, drones, terminals, network gear), allocated to the service.",
            example: "GPU cluster for a crop-yield model; IoT soil sensors across 10,000 ha.",
            source: LIFE_CYCLE_SOURCES,
        },
        FoUse {
            code: "FO.USE",
            name: "Operational (use-phase) impacts",
            definition: "Electricity (× PUE), water (WUE) and other flows for data acquisition, storage, network, training (incl. experiments and retraining) and inference.",
            example: "Daily re-training of a forecasting model; a 24/7 inference endpoint idling.",
            source: LIFE_CYCLE_SOURCES,
        },
        FoEol {
            code: "FO.EOL",
            name: "End-of-life impacts",
            definition: "Collection, recycling and disposal (incl. informal e-waste) of the equipment.",
            example: "Short-lived edge devices left in fields.",
            source: LIFE_CYCLE_SOURCES,
        },
        SoOpt {
            code: "SO.OPT",
            name: "Optimisation (efficiency)",
            definition: "ICT makes another process use fewer resources per unit of output.",
            example: "ML-controlled HVAC cuts a building's heat demand.",
            source: "Hilty & Aebischer 2015; Pohl, Hilty & Finkbeiner 2019; ITU-T L.1480",
        },
        SoSub {
            code: "SO.SUB",
            name: "Substitution / dematerialisation",
            definition: "An ICT service replaces a physical product or activity; the replacement can be partial or additive.",
            example: "Satellite imagery with AI replaces field trips; virtual prototyping replaces physical ones.",
            source: "Hilty & Aebischer 2015; Pohl et al. 2019; Börjesson Rivera et al. 2014",
        },
        SoInd {
            code: "SO.IND",
            name: "Induction (complementarity)",
            definition: "ICT stimulates demand for other goods, services or infrastructure beyond what it substitutes (L.1480 treats convenience-induced usage as higher order).",
            example: "A precision-farming platform drives purchases of drones, sensors and connectivity; a recommender increases purchases.",
            source: "Hilty & Aebischer 2015; ITU-T L.1480",
        },
        SoObs {
            code: "SO.OBS",
            name: "Obsolescence",
            definition: "ICT shortens the useful life of other equipment or of ICT itself (compatibility, performance race).",
            example: "An \"AI-ready\" requirement retires working tractors or meters; a 3-year GPU refresh cycle.",
            source: "Hilty & Aebischer 2015; Börjesson Rivera et al. 2014",
        },
        HoRbDir {
            code: "HO.RB.DIR",
            name: "Direct rebound",
            definition: "The lower effective cost or time of the improved service raises its own consumption; with a rebound above 100 % this is the Jevons paradox (backfire).",
            example: "Route optimisation cuts the cost per delivery, so more and faster deliveries follow; cheaper inference brings more queries.",
            source: "Jevons 1865; Saunders 2008; Coroamă & Mattern 2019",
        },
        HoRbInd {
            code: "HO.RB.IND",
            name: "Indirect (income / re-spending) rebound",
            definition: "Money saved is spent on other goods and services with their own impacts, on the user side and the vendor side.",
            example: "A farm saves on fertiliser and buys a larger machine; a vendor reinvests profit in expansion.",
            source: "Börjesson Rivera et al. 2014; ITU-T L Suppl. 54 (2022)",
        },
        HoRbEco {
            code: "HO.RB.ECO",
            name: "Economy-wide / macro rebound",
            definition: "Price, productivity and growth effects across the economy; with a rebound above 100 % this is the Jevons paradox (backfire).",
            example: "Cheaper logistics increases global freight volumes; AI productivity gains raise output and energy use.",
            source: "Jevons 1865; ITU-T L.1451 (2019); Horner, Shehabi & Azevedo 2016",
        },
        HoRbTime {
            code: "HO.RB.TIME",
            name: "Time rebound",
            definition: "Time saved is re-invested in other, possibly resource-intensive, activities.",
            example: "Optimised commuting frees time that is spent on more trips; an AI assistant's saved working time goes into more output.",
            source: "Börjesson Rivera et al. 2014; Girod, de Haan & Scholz 2011; Coroamă & Mattern 2019",
        },
        HoRbSpace {
            code: "HO.RB.SPACE",
            name: "Space rebound",
            definition: "Space freed (storage, office, road, grid capacity) is filled by other uses.",
            example: "Occupancy optimisation frees floor space in a smart building that is re-let and heated.",
            source: "Börjesson Rivera et al. 2014; Girod, de Haan & Scholz 2011",
        },
        HoRbPsy {
            code: "HO.RB.PSY",
            name: "Psychological rebound (moral licensing)",
            definition: "Feeling \"green\" from using the solution licenses other consumption.",
            example: "\"Our AI cut emissions\" is used to justify expansion elsewhere.",
            source: "Santarius & Soland 2018",
        },
        HoAcc {
            code: "HO.ACC",
            name: "Acceleration / push effect",
            definition: "Optimisation accelerates production or extraction instead of saving resources.",
            example: "AI-accelerated seismic interpretation speeds up oil and gas exploration.",
            source: "Townsend & Coroamă 2018 (doi:10.3390/su10082816); Spreng",
        },
        HoLck {
            code: "HO.LCK",
            name: "Lock-in / path dependency",
            definition: "The solution entrenches an unsustainable system: it extends assets, shapes infrastructure or creates dependency.",
            example: "AI dispatch optimisation prolongs a gas plant's economic life; data-centre build-out locks in demand.",
            source: "ITU-T L.1480; Horner, Shehabi & Azevedo 2016",
        },
        HoInf {
            code: "HO.INF",
            name: "Infrastructure expansion",
            definition: "Deployment requires or induces new generic infrastructure (data centres, networks, grid reinforcement) shared with other uses.",
            example: "Edge AI for cities needs 5G densification.",
            source: "ITU-T L.1480; ADEME–Arcep 2022",
        },
        HoStr {
            code: "HO.STR",
            name: "Structural change",
            definition: "Shifts in economic structure, institutions or markets: towards sustainable patterns, or towards new resource-intensive markets.",
            example: "AI-enabled grid flexibility enables a higher renewable share (positive).",
            source: "Hilty & Aebischer 2015",
        },
        HoLif {
            code: "HO.LIF",
            name: "Lifestyle / practice change",
            definition: "Changes in norms, expectations and routines.",
            example: "Expectation of instant delivery or hyper-personalised services.",
            source: "Börjesson Rivera et al. 2014; ITU-T L.1480",
        },
        EvBs {
            code: "EV.BS",
            name: "Burden shifting (evaluation flag)",
            definition: "An improvement on one criterion, phase, region or actor is paid for by another.",
            example: "Lower GWP from a nuclear-heavy grid but higher water use and ionising radiation.",
            source: "Ligozat et al. 2022; ITU-T L.1410",
        },
        EvBase {
            code: "EV.BASE",
            name: "Baseline / scenario transparency issue (flag)",
            definition: "The reference solution (M1) is unjustified, outdated or cherry-picked, or the hypotheses are not stated.",
            example: "M1 assumes nothing would improve without AI.",
            source: "Rasoldier et al. 2022 (hal-03949261); ITU-T L.1480",
        },
        EvScale {
            code: "EV.SCALE",
            name: "Scale-up extrapolation issue (flag)",
            definition: "A pilot result is extrapolated to a sector or the world without deployment constraints or the context of a global strategy.",
            example: "\"If deployed worldwide, this saves X Gt.\"",
            source: "Rasoldier et al. 2022; Ligozat et al. 2022",
        },
    }
    attributes(self) {
        let mut attributes = vec![("order", self.order().label().to_owned())];
        if let Some(level) = self.les_level() {
            attributes.push(("les_level", level.label().to_owned()));
        }
        attributes
    }
}

impl EffectCode {
    /// The effect's order. `SO.IND` is second order here, as its code says; L.1480 counts its
    /// convenience-induced part as higher order.
    pub fn order(self) -> EffectOrder {
        match self {
            Self::FoMan | Self::FoUse | Self::FoEol => EffectOrder::First,
            Self::SoOpt | Self::SoSub | Self::SoInd | Self::SoObs => EffectOrder::Second,
            Self::HoRbDir
            | Self::HoRbInd
            | Self::HoRbEco
            | Self::HoRbTime
            | Self::HoRbSpace
            | Self::HoRbPsy
            | Self::HoAcc
            | Self::HoLck
            | Self::HoInf
            | Self::HoStr
            | Self::HoLif => EffectOrder::Higher,
            Self::EvBs | Self::EvBase | Self::EvScale => EffectOrder::Evaluation,
        }
    }

    /// The LES level, `None` for evaluation flags.
    pub fn les_level(self) -> Option<LesLevel> {
        match self.order() {
            EffectOrder::First => Some(LesLevel::LifeCycle),
            EffectOrder::Second => Some(LesLevel::Enabling),
            EffectOrder::Higher => Some(LesLevel::Structural),
            EffectOrder::Evaluation => None,
        }
    }

    /// `true` for the rebound effects proper (`HO.RB.*`), whose magnitude is a rebound class.
    pub fn is_rebound(self) -> bool {
        self.code().starts_with("HO.RB.")
    }

    /// `true` for the evaluation flags (`EV.*`), which describe a paper's evaluation rather than
    /// an effect of the solution.
    pub fn is_evaluation_flag(self) -> bool {
        self.order() == EffectOrder::Evaluation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_note_is_present_once() {
        let codes: Vec<_> = EffectCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), 21);
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        for expected in ["FO.MAN", "SO.IND", "HO.RB.SPACE", "HO.LIF", "EV.SCALE"] {
            assert!(codes.contains(&expected), "{expected} missing");
        }
    }

    #[test]
    fn order_follows_the_code_prefix() {
        for code in EffectCode::ALL {
            let prefix = code.code().split('.').next().unwrap_or_default();
            let expected = match prefix {
                "FO" => EffectOrder::First,
                "SO" => EffectOrder::Second,
                "HO" => EffectOrder::Higher,
                "EV" => EffectOrder::Evaluation,
                other => panic!("unexpected prefix {other}"),
            };
            assert_eq!(code.order(), expected, "{code}");
        }
        assert!(EffectCode::HoRbTime.is_rebound());
        assert!(!EffectCode::HoAcc.is_rebound());
        assert!(EffectCode::EvBs.is_evaluation_flag());
    }

    #[test]
    fn codes_parse_ignoring_case() {
        assert_eq!("ho.rb.dir".parse::<EffectCode>(), Ok(EffectCode::HoRbDir));
        assert!("HO.RB.X".parse::<EffectCode>().is_err());
    }
}
