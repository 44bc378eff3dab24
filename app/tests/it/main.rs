//! Tests of the application: the real `ecolens` binary driven like a user on the command line
//! (`cli`), and the workbench window driven with `egui_kittest` (`window`).

// In a test binary a panic is the failure report; helpers may unwrap like the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assess;
mod cli;
mod impact;
mod pdf;
mod review;
mod window;
