//! Readers of bibliographic formats. Each reader turns text into [`Parsed`](crate::Parsed)
//! records and located problems, and never fails as a whole on a bad record.

pub mod csl_json;
