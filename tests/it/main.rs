//! Cross-crate integration tests: the layering rules of the workspace, and flows that cross
//! core, corpus and app.

// In a test binary a panic is the failure report; helpers may unwrap like the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cues;
mod layering;
mod project_flow;
mod review_flow;
