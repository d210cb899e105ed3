//! The `sitematch` command: parse arguments, call the library, print, set the exit code.

mod args;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Parser;

use args::{Args, Command};
use sitematch::{catalog, report, Catalog};

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`sitematch layers | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // Each cause once: a cause whose text its parent already shows is left out.
            let mut message = String::new();
            for cause in e.chain() {
                let text = cause.to_string();
                if !message.contains(&text) {
                    if !message.is_empty() {
                        message.push_str(": ");
                    }
                    message.push_str(&text);
                }
            }
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Layers {
            data,
            strict,
            show_skipped,
            tags,
        } => {
            let dir = catalog::data_dir(data.as_deref());
            let catalog = Catalog::builder(&dir)
                .strict(strict)
                .build()
                .with_context(|| {
                    format!(
                        "loading the data set {} (choose another with --data DIR or \
                         SITEMATCH_DATA)",
                        dir.display()
                    )
                })?;
            let mut out = std::io::stdout().lock();
            if catalog.layers.is_empty() {
                writeln!(out, "{}: no layers", dir.display())?;
            } else {
                out.write_all(report::layers_table(&catalog).as_bytes())?;
            }
            if show_skipped {
                out.write_all(report::skipped_lines(&catalog).as_bytes())?;
            }
            if let Some(name) = tags {
                let layer = catalog.layer(&name).ok_or_else(|| {
                    let names: Vec<&str> = catalog.layers.iter().map(|l| l.name.as_str()).collect();
                    anyhow!(
                        "--tags {name}: no such layer; the layers are: {}",
                        names.join(", ")
                    )
                })?;
                writeln!(out, "\ntags of {name}:")?;
                out.write_all(report::tags_table(layer).as_bytes())?;
            }
            Ok(())
        }
    }
}
