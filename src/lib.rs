//! clusterwright compiles a platform blueprint into the infrastructure code that carries its
//! decisions out.
//!
//! ```text
//! blueprint.yaml ─load─▶ Blueprint ─validate─▶ Validated ─plan─▶ Plan ─render─▶ OutputTree ─write─▶ files
//!                (blueprint)        (blueprint::validate)   (plan)    (targets)             (output)
//! ```
//!
//! - [`blueprint`] reads the YAML into types that mirror it, and checks it against every
//!   rule, reporting all problems at once with `file:line:column`.
//! - [`plan`] decides: clusters and who shares them, address ranges, networking and
//!   encryption, and the reasons. It is pure data.
//! - [`targets`] lay the plan out as files, one backend per target.
//! - [`output`] holds the tree and is, with `blueprint`, the only stage that touches the
//!   disk: it writes, compares and diffs, keeps the lock and the cache of `generate`.
//! - [`cli`] holds the commands; [`run`] dispatches one subcommand, and `cli` is the only
//!   place that talks to the terminal.
//!
//! The modules are layers, lowest first: `parallel`, `cloud`, `blueprint`, `error`,
//! `plan`, `output`, `targets`, `cli`; each imports only its own layer and lower ones
//! (`tests/layers.rs`). This file only declares them and re-exports what the binary,
//! the tests, the benches and the fuzz targets call.

#![deny(missing_docs)]

pub mod blueprint;
pub mod cli;
pub mod cloud;
pub mod error;
pub mod output;
pub mod parallel;
pub mod plan;
pub mod targets;

pub use cli::pipeline::check;
pub use cli::run;
pub use cli::style::{Style, render, render_error, render_problems};
pub use error::{Error, Result};
