//! Project tasks that are not part of the published library or command.
//!
//! ```sh
//! cargo xtask import [--raw ../shared/data/raw] [--out data]
//! ```
//!
//! `import` builds the default data set in `data/` from the raw French open data
//! (see `data/SOURCES.md`); running it again rewrites the same bytes.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use xtask::import;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// sitematch's project tasks.
#[derive(Debug, Parser)]
#[command(name = "xtask")]
struct Args {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Build the default data set from the raw open data (see data/SOURCES.md).
    Import {
        /// The raw open data folder.
        #[arg(long, default_value = "../shared/data/raw")]
        raw: PathBuf,
        /// Where to write the data set.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    match args.task {
        Task::Import { raw, out } => {
            let summary = import::run(&raw, &out)
                .with_context(|| format!("importing {} into {}", raw.display(), out.display()))?;
            let mut w = std::io::stdout().lock();
            for (layer, file, n) in &summary.layers {
                writeln!(w, "{layer:<22} {n:>7}  {}", out.join(file).display())?;
            }
            writeln!(w, "{}", out.join("catalog.toml").display())?;
            writeln!(w, "{}", out.join("SOURCES.md").display())?;
            Ok(())
        }
    }
}
