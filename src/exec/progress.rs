//! The progress bar (stderr, terminal only): bytes read of bytes total, with
//! rate and ETA, shown only when a run lasts longer than about a second.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Ctx;

/// Draws until `done` is set. Called on its own thread.
pub fn bar(ctx: &Ctx, done: &AtomicBool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let total = ctx.bytes_total.load(Ordering::Relaxed);
    if total == 0 {
        return;
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
    pb.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    while !done.load(Ordering::Relaxed) {
        // Compressed inputs report decompressed bytes; keep the bar honest.
        pb.set_position(ctx.bytes_read.load(Ordering::Relaxed).min(total));
        std::thread::sleep(Duration::from_millis(50));
    }
    pb.finish_and_clear();
}
