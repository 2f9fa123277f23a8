//! flow: a small, checked dataflow language for text, logs and JSON records,
//! run in parallel over partitions of its input.
//!
//! | stage    | module     | in → out                        | how a user sees it                  |
//! |----------|------------|---------------------------------|-------------------------------------|
//! | parse    | [`syntax`] | `&str` → `ast::Program`         | syntax diagnostics                  |
//! | build    | [`plan`]   | `Program` → `Plan` (typed DAG)  | `--visualize --no-optimize`         |
//! | optimize | [`optimize`] | `Plan` → `Plan`               | `--visualize`, `--explain`          |
//! | lower    | [`exec`]   | `Plan` → tasks per partition    | `--visualize=tasks`                 |
//! | execute  | [`exec`]   | tasks → outputs                 | stdout                              |
//!
//! The operator catalog ([`ops`]) is read by every stage.

pub mod cli;
pub mod diag;
pub mod driver;
pub mod exec;
pub mod ops;
pub mod optimize;
pub mod plan;
pub mod repl;
pub mod syntax;
pub mod text;
pub mod types;
pub mod value;
pub mod viz;
