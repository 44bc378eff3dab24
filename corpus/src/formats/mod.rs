//! Readers of bibliographic formats. Each reader turns text into [`Parsed`](crate::Parsed)
//! records and located problems, and never fails as a whole on a bad record.

pub mod bibtex;
pub mod csl_json;
pub mod csv;
pub(crate) mod draft;
pub mod endnote_xml;
pub mod medline;
pub mod ovid;
pub mod pubmed_xml;
pub mod refer;
pub mod ris;
pub mod wos;
pub mod xlsx;
pub(crate) mod xml;
pub mod zotero_rdf;
