//! Integration tests of the `sitematch` command, built as one binary.

mod bad_inputs;
mod cli;
mod limits;
mod targets;
mod util;
