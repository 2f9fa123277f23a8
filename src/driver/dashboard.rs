//! `--dashboard[=ADDR]` and the REPL's `:dashboard`: a small HTTP server
//! (tiny_http: blocking, one thread, no async runtime beside rayon) that
//! shows what a [`Watch`] records. It serves exactly these paths, from
//! memory — never a file from disk:
//!
//! | path | what |
//! |---|---|
//! | `/` | the page (`viz::dashboard::PAGE`) |
//! | `/style.css`, `/app.js` | its style and script |
//! | `/api/status[?run=ID][&since=N]` | [`Watch::status`] as JSON |
//! | `/api/graph.svg[?run=ID]` | the run's graph with node states |
//!
//! Anything else is 404; a method other than GET or HEAD is 405.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::diag::{Diag, Diags};
use crate::exec::watch::Watch;
use crate::viz;

/// The address `--dashboard` binds to when none is given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

/// A running dashboard.
pub struct Dashboard {
    pub watch: Arc<Watch>,
    /// The address bound (the real port when 0 was asked for).
    pub addr: SocketAddr,
}

impl Dashboard {
    /// `http://ADDR/`.
    pub fn url(&self) -> String {
        // The slashes escaped: a `//` in a string reads as a comment to
        // `../shared/tools/floors`, which then misreads the file.
        format!("http:\u{2f}\u{2f}{}/", self.addr)
    }
}

/// Parses `--dashboard=ADDR`: `HOST:PORT`, `:PORT` or `PORT` (loopback).
pub fn parse_addr(s: &str) -> Result<SocketAddr, Diags> {
    let bad = || {
        Diags::from(
            Diag::script(
                "flow::cli::bad_dashboard",
                format!("--dashboard={s}: expected HOST:PORT, :PORT or PORT"),
            )
            .help(format!(
                "e.g. --dashboard={DEFAULT_ADDR}, or --dashboard=0 for any free port"
            )),
        )
    };
    let s = s.trim();
    let full = if let Ok(port) = s.trim_start_matches(':').parse::<u16>() {
        format!("127.0.0.1:{port}")
    } else if s.starts_with("localhost:") {
        s.replacen("localhost", "127.0.0.1", 1)
    } else {
        s.to_string()
    };
    full.parse::<SocketAddr>().map_err(|_| bad())
}

/// Starts serving `watch` at `addr` on a thread of its own, and a sampler
/// of the process's memory (every 250 ms) on another.
pub fn serve(addr: SocketAddr, watch: Arc<Watch>) -> Result<Dashboard, Diags> {
    let server = tiny_http::Server::http(addr).map_err(|e| {
        let why = match e.downcast_ref::<std::io::Error>() {
            Some(io) => crate::diag::io_reason(io),
            None => e.to_string(),
        };
        Diags::from(
            Diag::run(
                "flow::io::dashboard_bind",
                format!("cannot serve the dashboard at {addr}: {why}"),
            )
            .help("choose another address or port, e.g. --dashboard=127.0.0.1:0 for any free port"),
        )
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Diags::from(Diag::run("flow::io::dashboard_bind", "not an IP address")))?;
    let w = watch.clone();
    std::thread::Builder::new()
        .name("flow-dashboard".into())
        .spawn(move || {
            for request in server.incoming_requests() {
                respond(&w, request);
            }
        })
        .map_err(|e| {
            Diags::from(Diag::run(
                "flow::exec::threads",
                format!(
                    "cannot start the dashboard's thread: {}",
                    crate::diag::io_reason(&e)
                ),
            ))
        })?;
    sample_memory(watch.clone());
    Ok(Dashboard { watch, addr: bound })
}

/// Samples the process's memory four times a second, for as long as the
/// process lives (a report without a dashboard wants it too).
pub fn sample_memory(watch: Arc<Watch>) {
    let _ = std::thread::Builder::new()
        .name("flow-memory".into())
        .spawn(move || loop {
            watch.sample();
            std::thread::sleep(Duration::from_millis(250));
        });
}

/// What a request asks for: (path, run, since).
fn route(url: &str) -> (&str, Option<usize>, usize) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut run = None;
    let mut since = 0;
    for kv in query.split('&') {
        match kv.split_once('=') {
            Some(("run", v)) => run = v.parse().ok(),
            Some(("since", v)) => since = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    (path, run, since)
}

/// The body and content type for a path, or `None` (404).
pub fn answer(watch: &Watch, url: &str) -> Option<(Vec<u8>, &'static str)> {
    let (path, run, since) = route(url);
    Some(match path {
        "/" | "/index.html" => (viz::dashboard::PAGE.into(), "text/html; charset=utf-8"),
        "/style.css" => (viz::dashboard::STYLE.into(), "text/css; charset=utf-8"),
        "/app.js" => (
            viz::dashboard::SCRIPT.into(),
            "text/javascript; charset=utf-8",
        ),
        "/api/status" => {
            let mut s = watch.status(run, since).to_string();
            s.push('\n');
            (s.into_bytes(), "application/json")
        }
        "/api/graph.svg" => {
            let r = watch.run(run)?;
            (viz::dashboard::graph(&r).into_bytes(), "image/svg+xml")
        }
        _ => return None,
    })
}

fn respond(watch: &Watch, request: tiny_http::Request) {
    let header = |k: &str, v: &str| {
        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("a valid header")
    };
    let method = request.method().clone();
    let response = if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        tiny_http::Response::from_string("method not allowed\n")
            .with_status_code(405)
            .with_header(header("Allow", "GET, HEAD"))
    } else {
        match answer(watch, request.url()) {
            Some((body, kind)) => tiny_http::Response::from_data(body)
                .with_header(header("Content-Type", kind))
                .with_header(header("Cache-Control", "no-store")),
            None => tiny_http::Response::from_string("not found\n")
                .with_status_code(404)
                .with_header(header("Content-Type", "text/plain; charset=utf-8")),
        }
    };
    // A client that went away is no error of ours.
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse() {
        let a = |s: &str| parse_addr(s).map(|a| a.to_string()).ok();
        assert_eq!(a("127.0.0.1:8787").as_deref(), Some("127.0.0.1:8787"));
        assert_eq!(a("0").as_deref(), Some("127.0.0.1:0"));
        assert_eq!(a(":9000").as_deref(), Some("127.0.0.1:9000"));
        assert_eq!(a("localhost:80").as_deref(), Some("127.0.0.1:80"));
        assert_eq!(a("0.0.0.0:1").as_deref(), Some("0.0.0.0:1"));
        assert_eq!(a("[::1]:8080").as_deref(), Some("[::1]:8080"));
        assert_eq!(a("nowhere"), None);
        assert_eq!(a("1.2.3.4:99999"), None);
    }

    #[test]
    fn only_known_paths_are_served() {
        let w = Watch::new();
        assert!(answer(&w, "/").is_some());
        assert!(answer(&w, "/api/status?since=x&run=").is_some());
        assert!(answer(&w, "/api/graph.svg").is_none(), "no run yet");
        for p in [
            "/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/app.js/..",
            "",
            "/Cargo.toml",
        ] {
            assert!(answer(&w, p).is_none(), "{p}");
        }
    }
}
