//! The a–f scale for how an AI-for-green paper evaluates its environmental gain
//! (Ligozat, Lefèvre, Bugeau, Combaz 2022), and the yes/no questions that guide a reviewer to a
//! category.
//!
//! The category names are the authors' wording. Definitions, examples and the guiding questions
//! are ecolens's own reading of that wording and are marked as such in their `source`.

use crate::vocab::{Term, VocabularyInfo};

/// Citation of the scale.
pub const LIGOZAT_2022: &str = "Ligozat, Lefèvre, Bugeau, Combaz (2022). Unraveling the Hidden Environmental Impacts of AI Solutions for Environment. Sustainability 14(9):5172. doi:10.3390/su14095172";

const CATEGORY_SOURCE: &str = "Category wording: Ligozat et al. 2022 (doi:10.3390/su14095172); definition and example: ecolens";

crate::vocabulary! {
    /// Category of a paper's environmental evaluation, ordered from `A` (lowest) to `F` (highest).
    ///
    /// A reviewer assigns the highest category whose condition the paper meets. Because the scale
    /// is ordered, agreement between reviewers is measured with weighted kappa.
    pub enum EvalCategory(VocabularyInfo {
        id: "eval-scale",
        name: "Environmental-evaluation scale (a–f)",
        version: 1,
        description: "How far an AI-for-green paper evaluates the environmental gain it claims, from no mention (a) to a comparison of life-cycle assessments (f).",
        source: LIGOZAT_2022,
    }) {
        A {
            code: "a",
            name: "No mention of the environmental gain.",
            definition: "The paper applies AI in an environmental domain but states no environmental gain at all; results are task metrics only.",
            example: "A load-forecasting network evaluated by its MAPE alone, with no word on the energy or emissions it would save.",
            source: CATEGORY_SOURCE,
        },
        B {
            code: "b",
            name: "General mention of the environmental gain.",
            definition: "The paper asserts an environmental benefit in general terms (\"reduces emissions\", \"supports decarbonisation\") without discussing or evaluating it.",
            example: "An electric-vehicle charging scheduler whose introduction says it helps the energy transition, with no figure or argument behind it.",
            source: CATEGORY_SOURCE,
        },
        C {
            code: "c",
            name: "No quantitative evaluation or only indirect estimation.",
            definition: "The gain is discussed beyond a slogan but not quantified for this solution, or only through an indirect estimate (a proxy metric, a figure borrowed from another study).",
            example: "A crop-yield model argued to save fertiliser, the saving taken from unrelated literature rather than evaluated.",
            source: CATEGORY_SOURCE,
        },
        D {
            code: "d",
            name: "Evaluation of the energy gain without the AI program.",
            definition: "The energy (or emission) gain of the application is evaluated quantitatively, but the resources used by the AI itself (training, inference, hardware) are not counted.",
            example: "A smart-building HVAC controller shown in simulation to cut heating energy by 12 %, the energy of training and running the model ignored.",
            source: CATEGORY_SOURCE,
        },
        E {
            code: "e",
            name: "Evaluation of the energy gain taking the use phase of the AI service into account.",
            definition: "The net gain subtracts the use-phase energy of the AI service (electricity for data, training and inference), but equipment manufacturing and end of life are left out.",
            example: "A traffic-signal optimiser whose fuel savings are set against the measured kWh of training and serving the model.",
            source: CATEGORY_SOURCE,
        },
        F {
            code: "f",
            name: "Comprehensive evaluation of the environmental gain (comparison of LCAs).",
            definition: "Life-cycle assessments of the reference solution and of the AI solution are compared: equipment manufacturing, use and end of life, ideally on several criteria.",
            example: "A precision-agriculture system whose LCA (sensors, drones, servers, training, inference) is compared with conventional practice on GWP, water and abiotic depletion.",
            source: CATEGORY_SOURCE,
        },
    }
    attributes(self) {
        vec![("rank", (self.rank()).to_string())]
    }
}

impl EvalCategory {
    /// Position on the ordered scale, `0` for `a` … `5` for `f`.
    pub fn rank(self) -> u8 {
        match self {
            Self::A => 0,
            Self::B => 1,
            Self::C => 2,
            Self::D => 3,
            Self::E => 4,
            Self::F => 5,
        }
    }

    /// The category at a rank, if the rank is on the scale.
    pub fn from_rank(rank: u8) -> Option<Self> {
        Self::ALL.get(usize::from(rank)).copied()
    }

    /// Walks the guiding questions with the given answers (in order) and returns the category once
    /// the answers determine it: at the first `false`, or after five `true`s. Returns `None` while
    /// more answers are needed. Answers past the deciding one are ignored.
    pub fn from_answers(answers: &[bool]) -> Option<Self> {
        for (question, &answer) in GUIDING_QUESTIONS.iter().zip(answers) {
            if !answer {
                return Some(question.if_no);
            }
        }
        (answers.len() >= GUIDING_QUESTIONS.len()).then_some(Self::F)
    }

    /// The answers that lead to this category: `true` for every question before the deciding
    /// one, then `false` (none for `f`, whose five answers are all `true`).
    pub fn answers(self) -> Vec<bool> {
        let rank = usize::from(self.rank());
        let mut answers = vec![true; rank];
        if rank < GUIDING_QUESTIONS.len() {
            answers.push(false);
        }
        answers
    }
}

/// One yes/no question of the guided classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct GuidingQuestion {
    /// 1-based step number.
    pub step: u8,
    /// The question shown to the reviewer.
    pub text: &'static str,
    /// What to look for in the paper.
    pub help: &'static str,
    /// The category the paper gets if the answer is "no".
    pub if_no: EvalCategory,
}

/// Source of the guiding questions: they are ecolens's operationalisation of the scale.
pub const GUIDING_QUESTIONS_SOURCE: &str =
    "ecolens, derived from the category wording of Ligozat et al. 2022 (doi:10.3390/su14095172)";

/// The questions, in order. The first "no" decides the category; five "yes" give `f`.
pub const GUIDING_QUESTIONS: [GuidingQuestion; 5] = [
    GuidingQuestion {
        step: 1,
        text: "Does the paper mention an environmental gain of its AI solution at all?",
        help: "Any statement that the solution saves energy, emissions, water or materials counts, even a single sentence.",
        if_no: EvalCategory::A,
    },
    GuidingQuestion {
        step: 2,
        text: "Does it go beyond a general statement and discuss or estimate that gain?",
        help: "A slogan in the abstract or introduction is not enough; look for an argument or an estimate of the gain.",
        if_no: EvalCategory::B,
    },
    GuidingQuestion {
        step: 3,
        text: "Is the gain evaluated quantitatively for this solution, not only estimated indirectly?",
        help: "Measured, simulated or modelled figures for the application itself; a proxy metric or a figure borrowed from elsewhere is indirect.",
        if_no: EvalCategory::C,
    },
    GuidingQuestion {
        step: 4,
        text: "Does the evaluation subtract the energy used by the AI service itself in its use phase?",
        help: "Electricity of data handling, training (with experiments) and inference counted against the gain.",
        if_no: EvalCategory::D,
    },
    GuidingQuestion {
        step: 5,
        text: "Does it compare life-cycle assessments of the reference and the AI solution?",
        help: "Manufacturing, use and end of life of the equipment for both solutions, ideally on several criteria.",
        if_no: EvalCategory::E,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_has_six_ordered_categories_with_the_authors_wording() {
        let codes: Vec<_> = EvalCategory::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes, ["a", "b", "c", "d", "e", "f"]);
        assert!(EvalCategory::A < EvalCategory::F);
        assert_eq!(
            EvalCategory::F.name(),
            "Comprehensive evaluation of the environmental gain (comparison of LCAs)."
        );
        assert_eq!(
            EvalCategory::D.name(),
            "Evaluation of the energy gain without the AI program."
        );
    }

    #[test]
    fn answers_walk_to_the_category_and_back() {
        for category in EvalCategory::ALL {
            let answers = category.answers();
            assert_eq!(EvalCategory::from_answers(&answers), Some(*category));
        }
        assert_eq!(EvalCategory::from_answers(&[]), None);
        assert_eq!(EvalCategory::from_answers(&[true, true]), None);
        assert_eq!(
            EvalCategory::from_answers(&[true, false, true]),
            Some(EvalCategory::B)
        );
        assert_eq!(
            EvalCategory::from_answers(&[true; 5]),
            Some(EvalCategory::F)
        );
    }

    #[test]
    fn codes_parse_case_insensitively_and_bad_codes_name_the_choices() {
        assert_eq!("D".parse::<EvalCategory>(), Ok(EvalCategory::D));
        let error = "g".parse::<EvalCategory>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "eval-scale: unknown code \"g\", expected one of: a, b, c, d, e, f"
        );
    }

    #[test]
    fn ranks_round_trip() {
        for category in EvalCategory::ALL {
            assert_eq!(EvalCategory::from_rank(category.rank()), Some(*category));
        }
        assert_eq!(EvalCategory::from_rank(6), None);
    }
}
