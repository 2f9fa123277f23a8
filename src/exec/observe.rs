//! Executor events: what a run tells whoever watches it. `--profile`
//! ([`super::profile::Recorder`]) and the progress bar
//! ([`super::progress::Progress`]) are observers; a dashboard is one more.
//!
//! Events come from the worker threads as tasks start and finish, so an
//! observer must be cheap and thread-safe. With no observer nothing is
//! recorded: the executor checks [`super::Ctx::observed`] before building an
//! event.

use std::time::Instant;

use super::lower::Lowered;
use super::NodeProfile;
use crate::plan::{NodeId, Plan};

/// One task (a partition of a node) that ran.
#[derive(Clone, Debug)]
pub struct Task {
    pub node: NodeId,
    /// The partition: its index among the node's tasks (for a streamed gzip
    /// source, the index of the decompressed block).
    pub partition: usize,
    /// The rayon worker that ran it (0-based; `threads` for the calling thread).
    pub worker: usize,
    pub started: Instant,
    pub finished: Instant,
    /// Elements that entered the node's chain, and that left it (into the
    /// partial aggregation, the collected output or the file).
    pub elements_in: u64,
    pub elements_out: u64,
    /// Bytes of input files the task owns (its split of a file).
    pub bytes: u64,
}

/// Something that happened in a run.
pub enum Event<'a> {
    /// The run starts: the plan and its tasks.
    Started {
        plan: &'a Plan,
        lowered: &'a Lowered,
        /// Worker threads (task `worker`s are below this; this number is
        /// the calling thread).
        threads: usize,
    },
    TaskStarted {
        node: NodeId,
        partition: usize,
        worker: usize,
    },
    TaskFinished(&'a Task),
    /// Bytes were read from an input file.
    BytesRead(u64),
    /// Every task of a node finished.
    NodeDone(&'a NodeProfile),
    /// The run ended (`ok`: without an error).
    Finished {
        ok: bool,
    },
}

/// Watches a run. Called from worker threads; keep it quick.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event<'_>);
}
