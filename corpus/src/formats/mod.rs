//! Readers of bibliographic formats. Each reader turns text into [`Parsed`](crate::Parsed)
//! records and located problems, and never fails as a whole on a bad record.

pub mod bibtex;
pub mod csl_json;
pub mod csv;
pub mod endnote_xml;
pub mod medline;
pub mod ris;
