//! Project tasks of sitematch that are not part of the published library or command:
//! the import of the default data set (`cargo xtask import`, see `main.rs`). A
//! library too, so that the root package's tests can check that the import
//! reproduces the committed `data/`.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod import;
