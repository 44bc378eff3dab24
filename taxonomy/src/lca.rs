//! Life-cycle phases of an AI service and the impact criteria on which LCA scenarios are
//! evaluated, each criterion with its unit.

use crate::vocab::VocabularyInfo;

const PHASE_SOURCE: &str = "Ligozat et al. 2022 (AI-service phases × equipment life cycle); ITU-T L.1410; ecolens scenario model";

crate::vocabulary! {
    /// A phase of the life cycle of an AI solution, or the non-ICT process it changes.
    pub enum LifeCyclePhase(VocabularyInfo {
        id: "lca-phase",
        name: "Life-cycle phases",
        version: 1,
        description: "Phases in which an LCA scenario places its lines: the equipment's life cycle, the AI service's data, training and inference, and the domain process the AI changes.",
        source: PHASE_SOURCE,
    }) {
        EquipmentManufacturing {
            code: "equipment_manufacturing",
            name: "Equipment manufacturing",
            definition: "Raw-material extraction and manufacturing of the equipment (embodied impacts), allocated to the service by lifetime, utilisation and share.",
            example: "Embodied carbon of 8 GPUs over 6 years, 85 % utilised, of which the training job uses 3 weeks.",
            source: PHASE_SOURCE,
        },
        Transport {
            code: "transport",
            name: "Transport",
            definition: "Transport of the equipment from factory to site.",
            example: "Shipping servers to the data centre.",
            source: PHASE_SOURCE,
        },
        DataAcquisition {
            code: "data_acquisition",
            name: "Data acquisition",
            definition: "Producing or collecting the data: sensors, drones, satellites, labelling.",
            example: "Drone flights to image fields for a crop model.",
            source: PHASE_SOURCE,
        },
        DataStorage {
            code: "data_storage",
            name: "Data storage",
            definition: "Storing data sets, checkpoints and logs.",
            example: "200 TB of satellite tiles kept on disk for 3 years.",
            source: PHASE_SOURCE,
        },
        Network {
            code: "network",
            name: "Network",
            definition: "Moving data between devices, sites and users.",
            example: "Sensor data sent every minute over 4G.",
            source: PHASE_SOURCE,
        },
        Training {
            code: "training",
            name: "Training",
            definition: "Training the model, including experiments, hyper-parameter tuning and retraining.",
            example: "Four weeks on 64 GPUs, plus the grid search before it.",
            source: PHASE_SOURCE,
        },
        Inference {
            code: "inference",
            name: "Inference (use)",
            definition: "Running the model in production: number of inferences × energy per inference, plus idle power.",
            example: "10^9 inferences a year at 0.61 J each.",
            source: PHASE_SOURCE,
        },
        EndOfLife {
            code: "end_of_life",
            name: "End of life",
            definition: "Collection, recycling and disposal of the equipment.",
            example: "Recycling edge devices after 4 years.",
            source: PHASE_SOURCE,
        },
        NonIctProcess {
            code: "non_ict_process",
            name: "Non-ICT process",
            definition: "The domain process the AI changes (fuel, heat, fertiliser, freight …), in both the reference and the AI solution.",
            example: "Gas burnt to heat the building, with and without the AI controller.",
            source: PHASE_SOURCE,
        },
    }
}

const BOAVIZTA_CRITERIA: &str =
    "Boavizta impact criteria (boaviztapi docs, impacts.md); EU Environmental Footprint 3.0";

crate::vocabulary! {
    /// An impact criterion of a multi-criteria LCA.
    pub enum Criterion(VocabularyInfo {
        id: "lca-criterion",
        name: "Impact criteria",
        version: 1,
        description: "Criteria on which LCA scenarios are computed and compared, each with its unit; burden shifting is read across them.",
        source: BOAVIZTA_CRITERIA,
    }) {
        Gwp {
            code: "gwp",
            name: "Global warming potential",
            definition: "Greenhouse-gas emissions over 100 years, in CO2 equivalents.",
            example: "Emissions of the electricity used to train a model.",
            source: BOAVIZTA_CRITERIA,
        },
        Adpe {
            code: "adpe",
            name: "Abiotic depletion potential (minerals and metals)",
            definition: "Depletion of mineral and metal resources, in antimony equivalents.",
            example: "Metals in GPU boards and server chassis.",
            source: BOAVIZTA_CRITERIA,
        },
        Adpf {
            code: "adpf",
            name: "Abiotic depletion potential (fossil)",
            definition: "Depletion of fossil resources, in megajoules.",
            example: "Coal and gas behind grid electricity.",
            source: BOAVIZTA_CRITERIA,
        },
        Pe {
            code: "pe",
            name: "Primary energy",
            definition: "Primary energy consumed over the life cycle.",
            example: "Primary energy behind one kWh of grid electricity.",
            source: BOAVIZTA_CRITERIA,
        },
        Water {
            code: "water",
            name: "Water consumption",
            definition: "Water consumed, e.g. on-site cooling water (IT energy × WUE); not to be added to the EF water-use index.",
            example: "Evaporative cooling water of a data centre.",
            source: "ecolens; WUE as defined by The Green Grid",
        },
        Wu {
            code: "wu",
            name: "Water use (EF scarcity index)",
            definition: "Water use weighted by local scarcity (EF 3.0 AWARE), in world-equivalent cubic metres.",
            example: "Electricity from a water-stressed region.",
            source: BOAVIZTA_CRITERIA,
        },
        Ctue {
            code: "ctue",
            name: "Freshwater ecotoxicity",
            definition: "Ecotoxicity to freshwater ecosystems, in comparative toxic units (USEtox).",
            example: "Mining and refining of metals for electronics.",
            source: BOAVIZTA_CRITERIA,
        },
        CtuhC {
            code: "ctuh_c",
            name: "Human toxicity, cancer",
            definition: "Cancer effects on humans, in comparative toxic units (USEtox).",
            example: "Emissions from electronics manufacturing.",
            source: BOAVIZTA_CRITERIA,
        },
        CtuhNc {
            code: "ctuh_nc",
            name: "Human toxicity, non-cancer",
            definition: "Non-cancer effects on humans, in comparative toxic units (USEtox).",
            example: "Heavy metals released by informal e-waste processing.",
            source: BOAVIZTA_CRITERIA,
        },
        Ir {
            code: "ir",
            name: "Ionising radiation",
            definition: "Ionising radiation affecting human health, in uranium-235 equivalents.",
            example: "Nuclear share of a grid mix.",
            source: BOAVIZTA_CRITERIA,
        },
        Pm {
            code: "pm",
            name: "Particulate matter",
            definition: "Disease incidence from fine-particle emissions.",
            example: "Coal-fired electricity.",
            source: BOAVIZTA_CRITERIA,
        },
        Ap {
            code: "ap",
            name: "Acidification",
            definition: "Acidification of soils and water, in moles of H+ equivalents.",
            example: "SO2 from fossil power plants.",
            source: BOAVIZTA_CRITERIA,
        },
    }
    attributes(self) {
        vec![("unit", self.unit().to_owned())]
    }
}

impl Criterion {
    /// The unit in which the criterion is counted.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Gwp => "kgCO2e",
            Self::Adpe => "kg Sb eq",
            Self::Adpf | Self::Pe => "MJ",
            Self::Water => "L",
            Self::Wu => "m3 world eq",
            Self::Ctue => "CTUe",
            Self::CtuhC | Self::CtuhNc => "CTUh",
            Self::Ir => "kg U235 eq",
            Self::Pm => "disease incidence",
            Self::Ap => "mol H+ eq",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Term;

    #[test]
    fn the_five_named_criteria_carry_their_units() {
        assert_eq!(Criterion::Gwp.unit(), "kgCO2e");
        assert_eq!(Criterion::Adpe.unit(), "kg Sb eq");
        assert_eq!(Criterion::Pe.unit(), "MJ");
        assert_eq!(Criterion::Water.unit(), "L");
        assert_eq!(Criterion::Ctue.unit(), "CTUe");
    }

    #[test]
    fn phases_cover_the_scenario_model() {
        assert_eq!(LifeCyclePhase::ALL.len(), 9);
        assert_eq!(
            "inference".parse::<LifeCyclePhase>(),
            Ok(LifeCyclePhase::Inference)
        );
    }
}
