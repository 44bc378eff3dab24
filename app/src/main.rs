//! `ecolens`: without a subcommand opens the workbench window; with one, runs it headless.

use std::process::ExitCode;

use clap::Parser;

/// Parser threads allocate records that the importing thread frees; glibc's allocator
/// serialises those on a lock, mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = ecolens_app::cli::Cli::parse();
    match ecolens_app::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // The one place errors reach the user on the command line: printed once, with
            // their whole chain of context.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {}", ecolens_app::cli::words(&error));
            }
            ExitCode::FAILURE
        }
    }
}
