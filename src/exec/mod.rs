//! Execution: partitioning, fused per-partition kernels, partial/merge
//! aggregation, the rayon driver and output. The only module that does IO
//! or spawns threads.

pub mod source;

use crate::cli::RunArgs;
use crate::diag::{Diag, Diags};
use crate::plan::Plan;

/// The worker count: `--threads N`, else all cores.
pub fn thread_count(requested: Option<usize>) -> usize {
    requested
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs a compiled plan for the command line and prints its outputs.
pub fn run_cli(plan: &Plan, _args: &RunArgs, threads: usize) -> Result<(), Diags> {
    source::partition_counts(plan, threads)?;
    Err(Diag::run("flow::exec::not_built", "execution is not built yet")
        .help("`--visualize` and `flow check` work; running comes with the executor issue")
        .into())
}

/// `flow` with no script: the REPL on a terminal, else standard input as a script.
pub fn run_stdin_or_repl(_args: &RunArgs) -> i32 {
    eprintln!("error: the REPL is not built yet; pass a script or -e");
    2
}
