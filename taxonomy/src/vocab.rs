//! The machinery shared by every vocabulary: [`Entry`], [`VocabularyInfo`], the [`Term`] trait,
//! the [`vocabulary!`](crate::vocabulary) macro that declares a typed vocabulary, and the owned
//! [`VocabularyView`] used to print or serialise any vocabulary uniformly.

use std::fmt;

use serde::Serialize;

/// One entry of a controlled vocabulary, as shown to a reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Stable short code, stored in projects and bundles. Never renamed once released.
    pub code: &'static str,
    /// Human-readable name.
    pub name: &'static str,
    /// What the entry means, in one or two sentences (tooltips, help panel).
    pub definition: &'static str,
    /// A concrete AI-for-green example.
    pub example: &'static str,
    /// Where the entry comes from (citation), or "ecolens" where the app defines it.
    pub source: &'static str,
}

/// Identity and version of a vocabulary.
///
/// Every stored label carries `id@version` (see [`VocabularyInfo::versioned_id`]) so that a project
/// labelled under one version of a vocabulary stays interpretable after the vocabulary evolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VocabularyInfo {
    /// Stable identifier, e.g. `eval-scale`.
    pub id: &'static str,
    /// Human-readable name.
    pub name: &'static str,
    /// Version of the entry list; bumped whenever an entry is added, removed or redefined.
    pub version: u32,
    /// What the vocabulary is for.
    pub description: &'static str,
    /// Main citation of the vocabulary as a whole.
    pub source: &'static str,
}

impl VocabularyInfo {
    /// `id@version`, the form stored next to every label that uses this vocabulary.
    pub fn versioned_id(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

/// A code that is not part of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{vocabulary}: unknown code {value:?}, expected one of: {expected}")]
pub struct UnknownCode {
    /// Identifier of the vocabulary that was asked.
    pub vocabulary: &'static str,
    /// The value that did not match.
    pub value: String,
    /// The valid codes, comma separated.
    pub expected: String,
}

/// A typed vocabulary term: an enum whose variants are the entries of one vocabulary.
pub trait Term: Copy + Eq + Ord + fmt::Debug + fmt::Display + 'static {
    /// The vocabulary this term belongs to.
    const VOCABULARY: VocabularyInfo;
    /// Every term, in the vocabulary's canonical order.
    const ALL: &'static [Self];

    /// The entry describing this term.
    fn entry(self) -> &'static Entry;

    /// Extra typed attributes of the term (unit, order, rank …) as `(name, value)` pairs, in a
    /// fixed order. Empty by default.
    fn attributes(self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The stable short code.
    fn code(self) -> &'static str {
        self.entry().code
    }

    /// The human-readable name.
    fn name(self) -> &'static str {
        self.entry().name
    }

    /// Parses a code, ignoring ASCII case and surrounding white space.
    fn from_code(value: &str) -> Result<Self, UnknownCode> {
        let wanted = value.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|term| term.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownCode {
                vocabulary: Self::VOCABULARY.id,
                value: value.to_owned(),
                expected: Self::ALL
                    .iter()
                    .map(|term| term.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Declares a vocabulary as an enum implementing [`Term`], `Display` (the code), `FromStr`, and
/// serde (as the code).
///
/// Each variant is documented by its definition, so the enum carries the vocabulary in its docs.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($info:expr) {
            $(
                $variant:ident {
                    code: $code:literal,
                    name: $label:literal,
                    definition: $definition:literal,
                    example: $example:literal,
                    source: $source:expr $(,)?
                }
            ),+ $(,)?
        }
        $(attributes($this:ident) $attributes:block)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(
                #[doc = $definition]
                $variant,
            )+
        }

        impl $crate::vocab::Term for $name {
            const VOCABULARY: $crate::vocab::VocabularyInfo = $info;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn entry(self) -> &'static $crate::vocab::Entry {
                match self {
                    $(
                        Self::$variant => &$crate::vocab::Entry {
                            code: $code,
                            name: $label,
                            definition: $definition,
                            example: $example,
                            source: $source,
                        },
                    )+
                }
            }

            $(
                fn attributes($this) -> Vec<(&'static str, String)> $attributes
            )?
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::vocab::Term::code(*self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::vocab::Term>::from_code(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::vocab::Term::code(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as $crate::vocab::Term>::from_code(&code).map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// An owned, serialisable picture of a vocabulary, for printing and JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VocabularyView {
    /// Stable identifier.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Version of the entry list.
    pub version: u32,
    /// What the vocabulary is for.
    pub description: String,
    /// Main citation.
    pub source: String,
    /// `true` for vocabularies defined by the project rather than shipped with ecolens.
    pub project_defined: bool,
    /// Entries in canonical order.
    pub entries: Vec<EntryView>,
}

/// An owned entry of a [`VocabularyView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    /// Stable short code.
    pub code: String,
    /// Human-readable name.
    pub name: String,
    /// Definition.
    pub definition: String,
    /// Example.
    pub example: String,
    /// Citation.
    pub source: String,
    /// Extra typed attributes as `(name, value)` pairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<(String, String)>,
}

impl VocabularyView {
    /// The view of a shipped, typed vocabulary.
    pub fn of<T: Term>() -> Self {
        let info = T::VOCABULARY;
        Self {
            id: info.id.to_owned(),
            name: info.name.to_owned(),
            version: info.version,
            description: info.description.to_owned(),
            source: info.source.to_owned(),
            project_defined: false,
            entries: T::ALL
                .iter()
                .map(|term| {
                    let entry = term.entry();
                    EntryView {
                        code: entry.code.to_owned(),
                        name: entry.name.to_owned(),
                        definition: entry.definition.to_owned(),
                        example: entry.example.to_owned(),
                        source: entry.source.to_owned(),
                        attributes: term
                            .attributes()
                            .into_iter()
                            .map(|(key, value)| (key.to_owned(), value))
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}
