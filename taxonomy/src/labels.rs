//! Vocabularies a project edits itself (exclusion reasons, tags, any other list a review team
//! needs). ecolens ships starting entries for some of them; a new project copies these into its
//! store, where reviewers add, rename or retire entries without code changes.

use crate::vocab::Entry;

/// Identifier of the project vocabulary of exclusion reasons used in screening.
pub const EXCLUSION_REASON: &str = "exclusion-reason";
/// Identifier of the project vocabulary of free tags.
pub const TAG: &str = "tag";

const SOURCE: &str = "ecolens default, editable per project";

/// The starting entries of a project-editable vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultLabels {
    /// Vocabulary identifier.
    pub vocabulary: &'static str,
    /// Human-readable name of the vocabulary.
    pub name: &'static str,
    /// What the vocabulary is for.
    pub description: &'static str,
    /// Starting entries.
    pub entries: &'static [Entry],
}

/// The project-editable vocabularies with their starting entries, copied into every new project.
pub const DEFAULT_PROJECT_LABELS: &[DefaultLabels] = &[
    DefaultLabels {
        vocabulary: EXCLUSION_REASON,
        name: "Exclusion reasons",
        description: "Why a record is excluded at screening; counted per reason in the PRISMA flow.",
        entries: &[
            Entry {
                code: "not_ai",
                name: "No AI or machine-learning method",
                definition: "The work does not develop or apply an AI or ML method.",
                example: "A rule-based building-management system.",
                source: SOURCE,
            },
            Entry {
                code: "no_environmental_application",
                name: "No environmental application",
                definition: "The AI is not applied to an environmental or climate problem, and its own footprint is not the topic.",
                example: "An image classifier for retail products.",
                source: SOURCE,
            },
            Entry {
                code: "not_primary_research",
                name: "Not primary research",
                definition: "Review, editorial, commentary or position paper where the protocol asks for primary studies.",
                example: "A survey of ML for smart grids.",
                source: SOURCE,
            },
            Entry {
                code: "wrong_publication_type",
                name: "Wrong publication type",
                definition: "Erratum, conference abstract only, retracted article, or other type outside the protocol.",
                example: "\"Erratum: …\" notice.",
                source: SOURCE,
            },
            Entry {
                code: "out_of_scope_domain",
                name: "Outside the review's domains",
                definition: "The application domain is not one the review covers.",
                example: "A climate-finance model in a review of building energy.",
                source: SOURCE,
            },
            Entry {
                code: "language",
                name: "Language not covered",
                definition: "Written in a language the review team cannot assess.",
                example: "Full text only in a language no reviewer reads.",
                source: SOURCE,
            },
            Entry {
                code: "no_full_text",
                name: "Full text not available",
                definition: "The full text could not be obtained at the full-text stage.",
                example: "Paywalled thesis with no copy from the authors.",
                source: SOURCE,
            },
            Entry {
                code: "duplicate",
                name: "Duplicate publication",
                definition: "Reports the same study as another included record.",
                example: "Conference version of an included journal article.",
                source: SOURCE,
            },
        ],
    },
    DefaultLabels {
        vocabulary: TAG,
        name: "Tags",
        description: "Free tags the review team defines for its own grouping and filtering.",
        entries: &[],
    },
];
