//! Identifiers: row ids of the store (newtypes, so a record id is never passed where a reviewer
//! id is meant) and the bibliographic identifiers DOI, PMID and arXiv id, parsed and normalised at
//! the boundary.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

macro_rules! row_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl $name {
            /// What this id identifies, for error messages.
            pub const ENTITY: &'static str = $what;
        }
    };
}

row_id!(
    /// Row id of a bibliographic record in a project.
    RecordId,
    "record"
);
row_id!(
    /// Row id of a reviewer in a project.
    ReviewerId,
    "reviewer"
);
row_id!(
    /// Row id of a rebound or ICT-effect risk.
    RiskId,
    "risk"
);
row_id!(
    /// Row id of an audit-log entry.
    AuditId,
    "audit entry"
);
row_id!(
    /// Row id of an LCA scenario.
    ScenarioId,
    "LCA scenario"
);
row_id!(
    /// Row id of an energy trace.
    TraceId,
    "energy trace"
);

/// `Display` (the normalised text), and the conversions serde uses, for an identifier that
/// wraps its normalised text and has a `parse(field, value)` constructor.
macro_rules! string_identifier {
    ($name:ident, $field:literal) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(value: String) -> Result<Self> {
                Self::parse($field, &value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

/// A Digital Object Identifier, e.g. `10.3390/su14095172`.
///
/// Parsing strips resolver prefixes (`https://doi.org/`, `http://dx.doi.org/`, `doi:`), percent-
/// encoded slashes and trailing punctuation. The original case is kept for display; DOIs are
/// case-insensitive, so comparisons and [`Doi::key`] use the lower-cased form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Doi(String);

impl Doi {
    /// Parses and normalises a DOI; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        let invalid = |expected: &str| Error::invalid(field, value, expected);
        let mut text = value.trim();
        // Most DOIs come bare: skip looking for resolver prefixes.
        let bare = text.starts_with("10.");
        for prefix in [
            "https://doi.org/",
            "http://doi.org/",
            "https://dx.doi.org/",
            "http://dx.doi.org/",
            "doi.org/",
            "dx.doi.org/",
            "doi:",
            "doi ",
        ] {
            if bare {
                break;
            }
            if text.len() >= prefix.len()
                && text.is_char_boundary(prefix.len())
                && text[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                text = text[prefix.len()..].trim_start();
                break;
            }
        }
        let text = text.trim_end_matches(['.', ',', ';', ')', ']']);
        let decoded = if text.contains('%') {
            text.replace("%2F", "/").replace("%2f", "/")
        } else {
            text.to_owned()
        };
        if decoded.chars().any(char::is_whitespace) {
            return Err(invalid("a DOI without spaces, e.g. 10.3390/su14095172"));
        }
        let Some((prefix, suffix)) = decoded.split_once('/') else {
            return Err(invalid("a DOI of the form 10.NNNN/suffix"));
        };
        let registrant = prefix.strip_prefix("10.").unwrap_or_default();
        if registrant.len() < 4
            || !registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
            || suffix.is_empty()
        {
            return Err(invalid("a DOI of the form 10.NNNN/suffix"));
        }
        Ok(Self(decoded))
    }

    /// The DOI as given (normalised, original case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased DOI used for matching.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The resolver URL.
    pub fn url(&self) -> String {
        format!("https://doi.org/{}", self.0)
    }
}

impl PartialEq for Doi {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Doi {}

string_identifier!(Doi, "doi");

/// A PubMed identifier: 1 to 9 digits, no leading zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pmid(String);

impl Pmid {
    /// Parses a PMID, accepting a `PMID:` prefix; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        let text = value.trim();
        let text = text
            .strip_prefix("PMID:")
            .or_else(|| text.strip_prefix("pmid:"))
            .unwrap_or(text)
            .trim();
        if text.is_empty()
            || text.len() > 9
            || text.starts_with('0')
            || !text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::invalid(field, value, "a PubMed id of 1 to 9 digits"));
        }
        Ok(Self(text.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The PubMed URL.
    pub fn url(&self) -> String {
        format!("https://pubmed.ncbi.nlm.nih.gov/{}/", self.0)
    }
}

string_identifier!(Pmid, "pmid");

/// An arXiv identifier without version: new style `2110.11822`, old style `hep-th/9901001`.
///
/// Parsing accepts `arXiv:` prefixes, `arxiv.org/abs/` and `/pdf/` URLs and a trailing version
/// (`v2`), which is dropped so that versions of one preprint match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ArxivId(String);

impl ArxivId {
    /// Parses an arXiv id; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        let invalid = || {
            Error::invalid(
                field,
                value,
                "an arXiv id such as 2110.11822 or hep-th/9901001",
            )
        };
        let mut text = value.trim();
        for prefix in [
            "https://arxiv.org/abs/",
            "http://arxiv.org/abs/",
            "https://arxiv.org/pdf/",
            "http://arxiv.org/pdf/",
            "arxiv.org/abs/",
            "arxiv:",
        ] {
            if text.len() >= prefix.len()
                && text.is_char_boundary(prefix.len())
                && text[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                text = text[prefix.len()..].trim_start();
                break;
            }
        }
        let text = text.strip_suffix(".pdf").unwrap_or(text);
        let without_version = match text.rfind('v') {
            Some(at)
                if at + 1 < text.len() && text[at + 1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                &text[..at]
            }
            _ => text,
        };
        let valid = if let Some((archive, number)) = without_version.split_once('/') {
            !archive.is_empty()
                && archive
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '.')
                && number.len() == 7
                && number.bytes().all(|b| b.is_ascii_digit())
        } else if let Some((yymm, number)) = without_version.split_once('.') {
            yymm.len() == 4
                && yymm.bytes().all(|b| b.is_ascii_digit())
                && (4..=5).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
        } else {
            false
        };
        if valid {
            Ok(Self(without_version.to_owned()))
        } else {
            Err(invalid())
        }
    }

    /// The id without version.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The abstract page URL.
    pub fn url(&self) -> String {
        format!("https://arxiv.org/abs/{}", self.0)
    }
}

string_identifier!(ArxivId, "arxiv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_lose_resolver_prefixes_and_match_case_insensitively() {
        let plain = Doi::parse("doi", "10.3390/su14095172").unwrap();
        for variant in [
            "https://doi.org/10.3390/SU14095172",
            "http://dx.doi.org/10.3390/su14095172.",
            "doi:10.3390/su14095172",
            "DOI: 10.3390%2Fsu14095172",
            "  10.3390/su14095172  ",
        ] {
            let parsed = Doi::parse("doi", variant).unwrap();
            assert_eq!(parsed, plain, "{variant}");
            assert_eq!(parsed.key(), "10.3390/su14095172");
        }
        assert_eq!(
            Doi::parse("doi", "https://doi.org/10.1038/S41467-019-14108-Y")
                .unwrap()
                .as_str(),
            "10.1038/S41467-019-14108-Y"
        );
    }

    #[test]
    fn glued_ris_tags_and_garbage_are_refused_with_the_field_named() {
        let glued = "10.1038/nature12373     LK  - https://example.org";
        let error = Doi::parse("record.doi", glued).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("record.doi: "), "{message}");
        assert!(message.contains("without spaces"), "{message}");
        for bad in ["", "10.12/x", "11.1234/x", "10.1234/", "nature12373"] {
            assert!(Doi::parse("doi", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pmids_are_digits() {
        assert_eq!(
            Pmid::parse("pmid", "PMID: 31985447").unwrap().as_str(),
            "31985447"
        );
        for bad in ["", "0123", "12a4", "1234567890"] {
            assert!(Pmid::parse("pmid", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arxiv_ids_drop_prefixes_and_versions() {
        for variant in [
            "2110.11822",
            "arXiv:2110.11822v3",
            "https://arxiv.org/abs/2110.11822v1",
            "https://arxiv.org/pdf/2110.11822.pdf",
        ] {
            assert_eq!(
                ArxivId::parse("arxiv", variant).unwrap().as_str(),
                "2110.11822"
            );
        }
        assert_eq!(
            ArxivId::parse("arxiv", "hep-th/9901001v2")
                .unwrap()
                .as_str(),
            "hep-th/9901001"
        );
        assert_eq!(
            ArxivId::parse("arxiv", "1605.07678").unwrap().as_str(),
            "1605.07678"
        );
        for bad in [
            "",
            "2110.118",
            "21101.11822",
            "hep-th/99",
            "10.3390/su14095172",
        ] {
            assert!(ArxivId::parse("arxiv", bad).is_err(), "{bad}");
        }
    }
}
