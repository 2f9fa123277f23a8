//! flow: a small, checked dataflow language for text, logs and JSON records,
//! run in parallel over partitions of its input.
//!
//! | step     | module           | in → out                          | how a user sees it          |
//! |----------|------------------|-----------------------------------|-----------------------------|
//! | parse    | [`syntax`]       | `&str` → `ast::Program`           | syntax diagnostics          |
//! | build    | [`plan`]         | `Program` → `Plan` (typed DAG)    | `--visualize --no-optimize` |
//! | optimize | [`optimize`]     | `Plan` → `Plan`                   | `--visualize`, `--explain`  |
//! | lower    | [`exec::lower()`]| `Plan` → `Lowered` (tasks)        | `--visualize=tasks`         |
//! | execute  | [`exec`]         | tasks → outputs and events        | stdout, `--profile`         |
//!
//! [`driver`] runs the steps for the command line, the REPL and tests; the
//! operator catalog ([`ops`]) is read by every step. Modules sit on floors
//! (ARCHITECTURE.md) and use only the floors below them.

pub mod cli;
pub mod diag;
pub mod driver;
pub mod exec;
pub mod export;
pub mod ops;
pub mod optimize;
pub mod plan;
pub mod repl;
pub mod syntax;
pub mod text;
pub mod types;
pub mod value;
pub mod viz;
