//! The progress bar (stderr, terminal only): bytes read of bytes total, with
//! rate and ETA, shown only when a run lasts longer than about a second. An
//! [`Observer`] of the run's bytes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::observe::{Event, Observer};

/// Draws the bar once a run has taken a second.
pub struct Progress {
    start: Mutex<Option<Instant>>,
    total: AtomicU64,
    read: AtomicU64,
    bar: OnceLock<ProgressBar>,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress {
            start: Mutex::new(None),
            total: AtomicU64::new(0),
            read: AtomicU64::new(0),
            bar: OnceLock::new(),
        }
    }
}

impl Progress {
    fn started(&self) -> Option<Instant> {
        *self.start.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Observer for Progress {
    fn event(&self, event: &Event<'_>) {
        match event {
            Event::Started { lowered, .. } => {
                *self.start.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                self.total.store(lowered.total_bytes(), Ordering::Relaxed);
                self.read.store(0, Ordering::Relaxed);
            }
            Event::BytesRead(n) => {
                let read = self.read.fetch_add(*n, Ordering::Relaxed) + n;
                let total = self.total.load(Ordering::Relaxed);
                let late = self
                    .started()
                    .is_some_and(|s| s.elapsed() >= Duration::from_secs(1));
                if total == 0 || !late {
                    return;
                }
                let bar = self.bar.get_or_init(|| {
                    let pb = ProgressBar::with_draw_target(
                        Some(total),
                        ProgressDrawTarget::stderr_with_hz(10),
                    );
                    pb.set_style(
                        ProgressStyle::with_template(
                            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    pb
                });
                // Compressed inputs report decompressed bytes; keep the bar honest.
                bar.set_position(read.min(total));
            }
            Event::Finished { .. } => {
                if let Some(bar) = self.bar.get() {
                    bar.finish_and_clear();
                }
            }
            Event::TaskStarted { .. } | Event::TaskFinished(_) | Event::NodeDone(_) => {}
        }
    }
}
