//! What the benchmark harnesses share: running a timed child, timing
//! statistics, the machine's description and load, and how a command is
//! shown in a report.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn count_lines(path: &Path) -> io::Result<u64> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    Ok(lines + u64::from(last != b'\n'))
}

pub fn cpu_name() -> String {
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let n = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {n} CPUs")
}

/// The 1-minute load average (other work on the machine skews the times).
pub fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

pub fn median(v: &[Duration]) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2
    }
}

pub fn median_u64(v: &[u64]) -> Option<u64> {
    let mut s = v.to_vec();
    s.sort_unstable();
    let n = s.len();
    (n > 0).then(|| {
        if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        }
    })
}

pub fn os(s: impl AsRef<OsStr>) -> OsString {
    s.as_ref().to_owned()
}

pub fn show_cmd(cmd: &[OsString]) -> String {
    cmd.iter()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.contains([' ', '|', '"']) {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `flow` binary of this build, refused unless the build is optimized:
/// a debug build's times say nothing.
pub fn release_flow(bench: &str) -> Result<PathBuf, String> {
    if cfg!(debug_assertions) {
        return Err(format!(
            "this benchmark needs an optimized build: run it with `cargo bench --bench {bench}`"
        ));
    }
    let flow_bin = PathBuf::from(env!("CARGO_BIN_EXE_flow"));
    if !flow_bin.components().any(|c| c.as_os_str() == "release") {
        return Err(format!("{} is not a release build", flow_bin.display()));
    }
    Ok(flow_bin)
}

/// Runs commands from `cwd`, each a child process, under `/usr/bin/time`
/// (`time`) when there is one and the run is measured: its peak RSS and
/// CPU time. The wall time is measured here, around the child.
pub struct Runner {
    pub time: Option<PathBuf>,
    pub cwd: PathBuf,
    /// Where `/usr/bin/time` writes its figures.
    pub time_file: PathBuf,
}

pub struct RunOut {
    pub wall: Duration,
    pub rss_kb: Option<u64>,
    pub cpu: Option<Duration>,
    pub stdout: String,
}

impl Runner {
    pub fn run(
        &self,
        cmd: &[OsString],
        env: &[(&str, &str)],
        measure: bool,
    ) -> Result<RunOut, String> {
        let timed = self.time.as_ref().filter(|_| measure);
        let mut c = match timed {
            Some(time) => {
                let _ = fs::remove_file(&self.time_file);
                let mut c = Command::new(time);
                c.arg("-f")
                    .arg("%M %U %S")
                    .arg("-o")
                    .arg(&self.time_file)
                    .args(cmd);
                c
            }
            None => {
                let mut c = Command::new(&cmd[0]);
                c.args(&cmd[1..]);
                c
            }
        };
        c.current_dir(&self.cwd).stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        let t0 = Instant::now();
        let out = c
            .output()
            .map_err(|e| format!("cannot run {:?}: {e}", cmd[0]))?;
        let wall = t0.elapsed();
        if !out.status.success() {
            return Err(format!(
                "`{}` failed ({}):\n{}",
                show_cmd(cmd),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let (mut rss_kb, mut cpu) = (None, None);
        if timed.is_some() {
            // The last line of /usr/bin/time's output: "%M %U %S".
            let text = fs::read_to_string(&self.time_file).unwrap_or_default();
            let f: Vec<&str> = text
                .lines()
                .last()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            rss_kb = f.first().and_then(|v| v.parse().ok());
            if let (Some(Ok(u)), Some(Ok(s))) = (
                f.get(1).map(|v| v.parse::<f64>()),
                f.get(2).map(|v| v.parse::<f64>()),
            ) {
                cpu = Some(Duration::from_secs_f64(u + s));
            }
        }
        Ok(RunOut {
            wall,
            rss_kb,
            cpu,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        })
    }
}
