//! Application domains, sub-domains and machine-learning areas of Rolnick et al. 2019,
//! "Tackling Climate Change with Machine Learning" (arXiv:1906.05433), used to label what an
//! AI-for-green paper is about and which ML method it uses.
//!
//! The sub-domain × ML-area marks are those of the paper's overview table for the mitigation
//! domains. For the remaining domains the copy of the table ecolens was built from does not name
//! ML areas in its columns, so no marks are recorded for them rather than guessed.

use crate::vocab::{Term, VocabularyInfo};

/// Citation of the vocabulary.
pub const ROLNICK_2019: &str = "Rolnick, Donti, Kaack et al. (2019). Tackling Climate Change with Machine Learning. arXiv:1906.05433";

crate::vocabulary! {
    /// A machine-learning area (columns of Rolnick et al.'s overview table).
    pub enum MlArea(VocabularyInfo {
        id: "ml-area",
        name: "Machine-learning areas (Rolnick et al. 2019)",
        version: 1,
        description: "The ML areas by which Rolnick et al. 2019 index their climate applications.",
        source: ROLNICK_2019,
    }) {
        CausalInference {
            code: "causal_inference",
            name: "Causal inference",
            definition: "Estimating the effect of interventions from observational or experimental data.",
            example: "Estimating how much a building retrofit programme cut energy use.",
            source: ROLNICK_2019,
        },
        ComputerVision {
            code: "computer_vision",
            name: "Computer vision",
            definition: "Learning from images and video, including remote sensing.",
            example: "Mapping solar panels or deforestation from satellite images.",
            source: ROLNICK_2019,
        },
        InterpretableModels {
            code: "interpretable_models",
            name: "Interpretable models",
            definition: "Models whose reasoning can be inspected by domain experts.",
            example: "Explaining which process variables drive a furnace's energy use.",
            source: ROLNICK_2019,
        },
        Nlp {
            code: "nlp",
            name: "NLP",
            definition: "Natural-language processing of documents and speech.",
            example: "Extracting building codes or policy measures from text.",
            source: ROLNICK_2019,
        },
        RlControl {
            code: "rl_control",
            name: "RL & control",
            definition: "Reinforcement learning and learned control of dynamic systems.",
            example: "Controlling a data centre's cooling with reinforcement learning.",
            source: ROLNICK_2019,
        },
        TimeSeries {
            code: "time_series",
            name: "Time-series analysis",
            definition: "Forecasting and analysing sequential measurements.",
            example: "Forecasting wind and solar output hours ahead.",
            source: ROLNICK_2019,
        },
        TransferLearning {
            code: "transfer_learning",
            name: "Transfer learning",
            definition: "Reusing models trained in one setting in another with little data.",
            example: "Adapting a crop-type classifier to a region without labels.",
            source: ROLNICK_2019,
        },
        UncertaintyQuantification {
            code: "uncertainty_quantification",
            name: "Uncertainty quantification",
            definition: "Quantifying how uncertain predictions are.",
            example: "Probabilistic forecasts of electricity demand.",
            source: ROLNICK_2019,
        },
        UnsupervisedLearning {
            code: "unsupervised_learning",
            name: "Unsupervised learning",
            definition: "Finding structure in unlabelled data: clustering, generative models, representation learning.",
            example: "Proposing candidate battery materials with generative models.",
            source: ROLNICK_2019,
        },
    }
}

crate::vocabulary! {
    /// An application domain (a section of Rolnick et al. 2019).
    pub enum RolnickDomain(VocabularyInfo {
        id: "rolnick-domain",
        name: "Application domains (Rolnick et al. 2019)",
        version: 1,
        description: "The 13 domains in which Rolnick et al. 2019 organise ML for climate change.",
        source: ROLNICK_2019,
    }) {
        ElectricitySystems {
            code: "electricity_systems",
            name: "Electricity systems",
            definition: "Generation, grids, storage and demand of electricity.",
            example: "Forecasting renewable output to reduce fossil reserves.",
            source: ROLNICK_2019,
        },
        Transportation {
            code: "transportation",
            name: "Transportation",
            definition: "Passenger and freight transport, vehicles and fuels.",
            example: "Optimising freight consolidation.",
            source: ROLNICK_2019,
        },
        BuildingsAndCities {
            code: "buildings_and_cities",
            name: "Buildings and cities",
            definition: "Energy use of buildings, and urban planning.",
            example: "Smart thermostats and occupancy-based HVAC control.",
            source: ROLNICK_2019,
        },
        Industry {
            code: "industry",
            name: "Industry",
            definition: "Supply chains, materials and industrial production.",
            example: "Reducing food waste through demand forecasting.",
            source: ROLNICK_2019,
        },
        FarmsAndForests {
            code: "farms_and_forests",
            name: "Farms & forests",
            definition: "Agriculture, land use, peatlands and forests.",
            example: "Precision fertilisation guided by remote sensing.",
            source: ROLNICK_2019,
        },
        CarbonDioxideRemoval {
            code: "carbon_dioxide_removal",
            name: "Carbon dioxide removal",
            definition: "Direct air capture and sequestration of CO2.",
            example: "Screening sorbent materials for direct air capture.",
            source: ROLNICK_2019,
        },
        ClimatePrediction {
            code: "climate_prediction",
            name: "Climate prediction",
            definition: "Climate models and forecasts of extreme events.",
            example: "Learned parameterisations of clouds in climate models.",
            source: ROLNICK_2019,
        },
        SocietalImpacts {
            code: "societal_impacts",
            name: "Societal impacts",
            definition: "Adaptation of ecosystems, infrastructure and social systems, and crisis response.",
            example: "Predicting infrastructure failures under heat waves.",
            source: ROLNICK_2019,
        },
        SolarGeoengineering {
            code: "solar_geoengineering",
            name: "Solar geoengineering",
            definition: "Understanding and controlling deliberate changes to the Earth's radiation balance.",
            example: "Emulating aerosol physics with ML.",
            source: ROLNICK_2019,
        },
        IndividualAction {
            code: "individual_action",
            name: "Individual action",
            definition: "Understanding personal footprints and supporting behaviour change.",
            example: "Estimating a household's footprint from its energy data.",
            source: ROLNICK_2019,
        },
        CollectiveDecisions {
            code: "collective_decisions",
            name: "Collective decisions",
            definition: "Modelling social interactions, informing policy and designing markets.",
            example: "Simulating the effect of a carbon price.",
            source: ROLNICK_2019,
        },
        Education {
            code: "education",
            name: "Education",
            definition: "Teaching and learning about climate change.",
            example: "Personalised climate-literacy material.",
            source: ROLNICK_2019,
        },
        Finance {
            code: "finance",
            name: "Finance",
            definition: "Climate finance and climate-related financial risk.",
            example: "Estimating climate risk in investment portfolios.",
            source: ROLNICK_2019,
        },
    }
}

crate::vocabulary! {
    /// A sub-domain (a subsection of Rolnick et al. 2019), with its parent domain and ML areas.
    pub enum RolnickSubdomain(VocabularyInfo {
        id: "rolnick-subdomain",
        name: "Application sub-domains (Rolnick et al. 2019)",
        version: 1,
        description: "Sub-domains of Rolnick et al. 2019, each with its domain and, for the mitigation domains, the ML areas the paper marks for it.",
        source: ROLNICK_2019,
    }) {
        EnablingLowCarbonElectricity {
            code: "enabling_low_carbon_electricity",
            name: "Enabling low-carbon electricity",
            definition: "Forecasting, scheduling and control that let grids integrate variable renewables.",
            example: "Solar nowcasting from sky images.",
            source: ROLNICK_2019,
        },
        ReducingCurrentSystemImpacts {
            code: "reducing_current_system_impacts",
            name: "Reducing current-system impacts",
            definition: "Lowering emissions of today's fossil-based electricity system.",
            example: "Detecting methane leaks from gas infrastructure.",
            source: ROLNICK_2019,
        },
        EnsuringGlobalImpact {
            code: "ensuring_global_impact",
            name: "Ensuring global impact",
            definition: "Making electricity solutions work where data are scarce.",
            example: "Mapping energy access from satellite images in data-poor regions.",
            source: ROLNICK_2019,
        },
        ReducingTransportActivity {
            code: "reducing_transport_activity",
            name: "Reducing transport activity",
            definition: "Understanding and reducing the demand for transport.",
            example: "Forecasting freight demand to consolidate shipments.",
            source: ROLNICK_2019,
        },
        ImprovingVehicleEfficiency {
            code: "improving_vehicle_efficiency",
            name: "Improving vehicle efficiency",
            definition: "Designing and driving vehicles to use less energy.",
            example: "Eco-driving control of autonomous vehicles.",
            source: ROLNICK_2019,
        },
        AlternativeFuelsAndElectrification {
            code: "alternative_fuels_and_electrification",
            name: "Alternative fuels & electrification",
            definition: "Batteries, charging and low-carbon fuels for transport.",
            example: "Predicting battery degradation for electric vehicles.",
            source: ROLNICK_2019,
        },
        ModalShift {
            code: "modal_shift",
            name: "Modal shift",
            definition: "Moving trips to lower-carbon modes.",
            example: "Estimating bike-sharing demand.",
            source: ROLNICK_2019,
        },
        OptimizingBuildings {
            code: "optimizing_buildings",
            name: "Optimizing buildings",
            definition: "Reducing the energy use of individual buildings.",
            example: "Model-predictive HVAC control.",
            source: ROLNICK_2019,
        },
        UrbanPlanning {
            code: "urban_planning",
            name: "Urban planning",
            definition: "Gathering and using data for low-carbon urban planning.",
            example: "Estimating building energy use across a city from imagery.",
            source: ROLNICK_2019,
        },
        FutureOfCities {
            code: "future_of_cities",
            name: "The future of cities",
            definition: "Integrating city systems and data for low-carbon urban life.",
            example: "Coordinating district heating and mobility data.",
            source: ROLNICK_2019,
        },
        OptimizingSupplyChains {
            code: "optimizing_supply_chains",
            name: "Optimizing supply chains",
            definition: "Reducing emissions of production and logistics chains.",
            example: "Demand forecasting to cut food waste.",
            source: ROLNICK_2019,
        },
        ImprovingMaterials {
            code: "improving_materials",
            name: "Improving materials",
            definition: "Discovering lower-carbon materials and processes.",
            example: "Searching for low-clinker cement formulations.",
            source: ROLNICK_2019,
        },
        ProductionAndEnergy {
            code: "production_and_energy",
            name: "Production & energy",
            definition: "Lowering the energy use and emissions of industrial production.",
            example: "Predictive maintenance and control of industrial heat.",
            source: ROLNICK_2019,
        },
        RemoteSensingOfEmissions {
            code: "remote_sensing_of_emissions",
            name: "Remote sensing of emissions",
            definition: "Measuring emissions and land use from space or the air.",
            example: "Detecting methane plumes in satellite spectra.",
            source: ROLNICK_2019,
        },
        PrecisionAgriculture {
            code: "precision_agriculture",
            name: "Precision agriculture",
            definition: "Applying water, fertiliser and treatment where and when needed.",
            example: "Variable-rate nitrogen maps from drone images.",
            source: ROLNICK_2019,
        },
        MonitoringPeatlands {
            code: "monitoring_peatlands",
            name: "Monitoring peatlands",
            definition: "Mapping and monitoring carbon-rich peatlands.",
            example: "Detecting drained peat from radar imagery.",
            source: ROLNICK_2019,
        },
        ManagingForests {
            code: "managing_forests",
            name: "Managing forests",
            definition: "Estimating forest carbon and detecting deforestation and fires.",
            example: "Deforestation alerts from satellite time series.",
            source: ROLNICK_2019,
        },
        DirectAirCapture {
            code: "direct_air_capture",
            name: "Direct air capture",
            definition: "Capturing CO2 from ambient air.",
            example: "Screening sorbents for CO2 capture.",
            source: ROLNICK_2019,
        },
        SequesteringCo2 {
            code: "sequestering_co2",
            name: "Sequestering CO2",
            definition: "Storing captured CO2 underground and monitoring the storage.",
            example: "Detecting leaks at storage sites from seismic data.",
            source: ROLNICK_2019,
        },
        UnitingDataMlAndClimateScience {
            code: "uniting_data_ml_and_climate_science",
            name: "Uniting data, ML & climate science",
            definition: "Combining climate models with data-driven methods.",
            example: "Learning sub-grid parameterisations from high-resolution simulations.",
            source: ROLNICK_2019,
        },
        ForecastingExtremeEvents {
            code: "forecasting_extreme_events",
            name: "Forecasting extreme events",
            definition: "Predicting storms, floods, droughts and heat waves.",
            example: "Nowcasting heavy rain from radar.",
            source: ROLNICK_2019,
        },
        Ecology {
            code: "ecology",
            name: "Ecology",
            definition: "Monitoring biodiversity and ecosystems under climate change.",
            example: "Species counts from camera traps.",
            source: ROLNICK_2019,
        },
        Infrastructure {
            code: "infrastructure",
            name: "Infrastructure",
            definition: "Keeping infrastructure working in a changing climate.",
            example: "Predicting grid-asset failures in heat waves.",
            source: ROLNICK_2019,
        },
        SocialSystems {
            code: "social_systems",
            name: "Social systems",
            definition: "Food security, health and livelihoods under climate change.",
            example: "Crop-yield forecasts for food-security early warning.",
            source: ROLNICK_2019,
        },
        Crisis {
            code: "crisis",
            name: "Crisis",
            definition: "Disaster response and relief.",
            example: "Damage maps from post-disaster imagery.",
            source: ROLNICK_2019,
        },
        UnderstandingAndImprovingAerosols {
            code: "understanding_and_improving_aerosols",
            name: "Understanding & improving aerosols",
            definition: "Modelling the aerosols that solar geoengineering would use.",
            example: "Emulating aerosol microphysics.",
            source: ROLNICK_2019,
        },
        EngineeringAControlSystem {
            code: "engineering_a_control_system",
            name: "Engineering a control system",
            definition: "Controlling a geoengineering intervention.",
            example: "Feedback control of stratospheric injection in a climate model.",
            source: ROLNICK_2019,
        },
        ModelingImpacts {
            code: "modeling_impacts",
            name: "Modeling impacts",
            definition: "Modelling regional effects of geoengineering.",
            example: "Emulating precipitation changes of an injection scenario.",
            source: ROLNICK_2019,
        },
        UnderstandingPersonalFootprint {
            code: "understanding_personal_footprint",
            name: "Understanding personal footprint",
            definition: "Estimating individual and household footprints.",
            example: "Disaggregating household electricity by appliance.",
            source: ROLNICK_2019,
        },
        FacilitatingBehaviorChange {
            code: "facilitating_behavior_change",
            name: "Facilitating behavior change",
            definition: "Helping people adopt lower-carbon practices.",
            example: "Personalised energy-saving feedback.",
            source: ROLNICK_2019,
        },
        ModelingSocialInteractions {
            code: "modeling_social_interactions",
            name: "Modeling social interactions",
            definition: "Modelling how groups and institutions interact on climate issues.",
            example: "Agent-based models of technology adoption.",
            source: ROLNICK_2019,
        },
        InformingPolicy {
            code: "informing_policy",
            name: "Informing policy",
            definition: "Evidence and analysis for climate policy.",
            example: "Text mining of policy documents.",
            source: ROLNICK_2019,
        },
        DesigningMarkets {
            code: "designing_markets",
            name: "Designing markets",
            definition: "Designing carbon and energy markets.",
            example: "Learning bidding behaviour in electricity markets.",
            source: ROLNICK_2019,
        },
    }
    attributes(self) {
        let areas: Vec<&str> = self.ml_areas().iter().map(|area| area.code()).collect();
        vec![("domain", self.domain().code().to_owned()), ("ml_areas", areas.join(" "))]
    }
}

impl RolnickSubdomain {
    /// The domain this sub-domain belongs to.
    pub fn domain(self) -> RolnickDomain {
        use RolnickDomain as D;
        match self {
            Self::EnablingLowCarbonElectricity
            | Self::ReducingCurrentSystemImpacts
            | Self::EnsuringGlobalImpact => D::ElectricitySystems,
            Self::ReducingTransportActivity
            | Self::ImprovingVehicleEfficiency
            | Self::AlternativeFuelsAndElectrification
            | Self::ModalShift => D::Transportation,
            Self::OptimizingBuildings | Self::UrbanPlanning | Self::FutureOfCities => {
                D::BuildingsAndCities
            }
            Self::OptimizingSupplyChains | Self::ImprovingMaterials | Self::ProductionAndEnergy => {
                D::Industry
            }
            Self::RemoteSensingOfEmissions
            | Self::PrecisionAgriculture
            | Self::MonitoringPeatlands
            | Self::ManagingForests => D::FarmsAndForests,
            Self::DirectAirCapture | Self::SequesteringCo2 => D::CarbonDioxideRemoval,
            Self::UnitingDataMlAndClimateScience | Self::ForecastingExtremeEvents => {
                D::ClimatePrediction
            }
            Self::Ecology | Self::Infrastructure | Self::SocialSystems | Self::Crisis => {
                D::SocietalImpacts
            }
            Self::UnderstandingAndImprovingAerosols
            | Self::EngineeringAControlSystem
            | Self::ModelingImpacts => D::SolarGeoengineering,
            Self::UnderstandingPersonalFootprint | Self::FacilitatingBehaviorChange => {
                D::IndividualAction
            }
            Self::ModelingSocialInteractions | Self::InformingPolicy | Self::DesigningMarkets => {
                D::CollectiveDecisions
            }
        }
    }

    /// The ML areas marked for this sub-domain in Rolnick et al.'s overview table (empty where
    /// ecolens has no reliable copy of the marks; see the module documentation).
    pub fn ml_areas(self) -> &'static [MlArea] {
        use MlArea as M;
        match self {
            Self::EnablingLowCarbonElectricity => &[
                M::CausalInference,
                M::ComputerVision,
                M::RlControl,
                M::TimeSeries,
                M::UncertaintyQuantification,
                M::UnsupervisedLearning,
            ],
            Self::ReducingCurrentSystemImpacts
            | Self::AlternativeFuelsAndElectrification
            | Self::ImprovingMaterials => &[M::UnsupervisedLearning],
            Self::EnsuringGlobalImpact => &[M::TransferLearning, M::UnsupervisedLearning],
            Self::ReducingTransportActivity => &[M::TimeSeries, M::UncertaintyQuantification],
            Self::ImprovingVehicleEfficiency => &[M::RlControl],
            Self::ModalShift => &[
                M::CausalInference,
                M::ComputerVision,
                M::UncertaintyQuantification,
            ],
            Self::OptimizingBuildings => &[M::CausalInference, M::RlControl, M::TimeSeries],
            Self::UrbanPlanning => &[
                M::ComputerVision,
                M::TransferLearning,
                M::UnsupervisedLearning,
            ],
            Self::FutureOfCities => &[
                M::Nlp,
                M::UncertaintyQuantification,
                M::UnsupervisedLearning,
            ],
            Self::OptimizingSupplyChains => &[M::ComputerVision, M::RlControl, M::TimeSeries],
            Self::ProductionAndEnergy => &[M::ComputerVision, M::InterpretableModels],
            Self::RemoteSensingOfEmissions | Self::MonitoringPeatlands | Self::SequesteringCo2 => {
                &[M::ComputerVision]
            }
            Self::PrecisionAgriculture | Self::ManagingForests => {
                &[M::ComputerVision, M::TimeSeries, M::TransferLearning]
            }
            Self::DirectAirCapture => &[M::UncertaintyQuantification, M::UnsupervisedLearning],
            Self::UnitingDataMlAndClimateScience
            | Self::ForecastingExtremeEvents
            | Self::Ecology
            | Self::Infrastructure
            | Self::SocialSystems
            | Self::Crisis
            | Self::UnderstandingAndImprovingAerosols
            | Self::EngineeringAControlSystem
            | Self::ModelingImpacts
            | Self::UnderstandingPersonalFootprint
            | Self::FacilitatingBehaviorChange
            | Self::ModelingSocialInteractions
            | Self::InformingPolicy
            | Self::DesigningMarkets => &[],
        }
    }

    /// The sub-domains of a domain, in canonical order.
    pub fn of_domain(domain: RolnickDomain) -> impl Iterator<Item = Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(move |sub| sub.domain() == domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_domains_and_nine_ml_areas() {
        assert_eq!(RolnickDomain::ALL.len(), 13);
        assert_eq!(MlArea::ALL.len(), 9);
    }

    #[test]
    fn the_table_marks_are_kept() {
        let areas = RolnickSubdomain::EnablingLowCarbonElectricity.ml_areas();
        assert_eq!(areas.len(), 6);
        assert!(!areas.contains(&MlArea::Nlp));
        assert_eq!(
            RolnickSubdomain::PrecisionAgriculture.ml_areas(),
            &[
                MlArea::ComputerVision,
                MlArea::TimeSeries,
                MlArea::TransferLearning
            ]
        );
        let farms: Vec<_> = RolnickSubdomain::of_domain(RolnickDomain::FarmsAndForests).collect();
        assert_eq!(farms.len(), 4);
    }

    #[test]
    fn every_domain_with_subdomains_in_the_table_has_them() {
        for domain in RolnickDomain::ALL {
            let count = RolnickSubdomain::of_domain(*domain).count();
            let expected_empty =
                matches!(domain, RolnickDomain::Education | RolnickDomain::Finance);
            assert_eq!(count == 0, expected_empty, "{domain}");
        }
    }
}
