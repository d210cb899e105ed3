//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// sitematch: rank brownfield sites for a relocating plant.
#[derive(Debug, Parser)]
#[command(name = "sitematch", version, about)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the layers of a data set: role, format, source CRS, features loaded,
    /// features skipped by reason, bounding box.
    Layers {
        /// Data folder (or catalog file); default: $SITEMATCH_DATA, else the
        /// project's data/ folder.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Make the first bad feature an error instead of skipping it.
        #[arg(long)]
        strict: bool,
        /// Also print every skipped feature with its file, place and reason.
        #[arg(long)]
        show_skipped: bool,
        /// Print the tag values of this layer with their counts.
        #[arg(long, value_name = "LAYER")]
        tags: Option<String>,
    },
}
