//! Benchmark: cold start to an interactive first step, and memory after it, for the assistant
//! and for a hello-world Tauri app built with the same profile (benches/hello-tauri).
//!
//! Each run starts the binary with `BITBUCKET_SETUP_READY_FILE`, which the page's first
//! script asks Rust to write once the first step is rendered (`ui_ready`); the time from spawn
//! to that file is the cold start. Then the PSS of the process and all its children (the
//! WebKit web and network processes) is summed from /proc, and the process group is ended.
//! Needs a display (run under xvfb-run). Linux only.
//!
//! `bench-startup --app PATH --hello PATH [--runs 10] [--output FILE]`

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return out };
    for e in entries.flatten() {
        let Some(child) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else { continue };
        // The command name is in parentheses and may hold spaces: read after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { continue };
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
            out.extend(children_of(child));
        }
    }
    out
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

struct Sample {
    start: Duration,
    pss_kib: u64,
    processes: usize,
}

fn run_once(binary: &Path, scratch: &Path, i: usize) -> Sample {
    use std::os::unix::process::CommandExt;
    let ready = scratch.join(format!("ready-{i}"));
    let _ = std::fs::remove_file(&ready);
    let config = scratch.join(format!("config-{i}"));
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("BITBUCKET_SETUP_READY_FILE", &ready)
        .env("BITBUCKET_SETUP_CONFIG_DIR", &config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    while !ready.exists() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{} did not report ready within 60 s (is a display available?)", binary.display());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let start = started.elapsed();
    // Let the page settle, as a person would look at it, before measuring memory.
    std::thread::sleep(Duration::from_millis(700));
    let mut pids = vec![child.id()];
    pids.extend(children_of(child.id()));
    let pss_kib = pids.iter().map(|p| pss_kib(*p)).sum();
    let pgid = child.id() as i32;
    // SIGKILL: WebKitGTK apps may handle SIGTERM and stay up; the whole group goes.
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
    let _ = child.wait();
    Sample { start, pss_kib, processes: pids.len() }
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

fn measure(binary: &Path, runs: usize, scratch: &Path) -> (Duration, u64, usize) {
    let samples: Vec<Sample> = (0..runs).map(|i| run_once(binary, scratch, i)).collect();
    let procs = samples.iter().map(|s| s.processes).max().unwrap_or(0);
    (median(samples.iter().map(|s| s.start).collect()), median(samples.iter().map(|s| s.pss_kib).collect()), procs)
}

fn main() {
    let app = PathBuf::from(arg("--app").unwrap_or_else(|| "target/release/bitbucket-setup".into()));
    let hello = PathBuf::from(arg("--hello").unwrap_or_else(|| "target/release/hello-tauri".into()));
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(10);
    let output = arg("--output");
    let scratch = std::env::temp_dir().join(format!("bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let (hello_start, hello_pss, hello_procs) = measure(&hello, runs, &scratch);
    let (app_start, app_pss, app_procs) = measure(&app, runs, &scratch);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
    let mut table = String::from("| measure | assistant | hello-world Tauri | ratio | target |\n|---|---|---|---|---|\n");
    table.push_str(&format!(
        "| cold start to first step (median of {runs}) | {} ms | {} ms | {:.2}x | ≤ 1.2x |\n",
        app_start.as_millis(),
        hello_start.as_millis(),
        app_start.as_secs_f64() / hello_start.as_secs_f64()
    ));
    table.push_str(&format!(
        "| memory after the first step (PSS, {app_procs} / {hello_procs} processes, median) | {:.1} MiB | {:.1} MiB | {:.2}x | ≤ 1.1x |\n",
        app_pss as f64 / 1024.0,
        hello_pss as f64 / 1024.0,
        app_pss as f64 / hello_pss.max(1) as f64
    ));
    table.push_str(&format!(
        "| binary size | {:.2} MiB | {:.2} MiB | {:.2}x | ≤ 8 MB |\n",
        mib(size(&app)),
        mib(size(&hello)),
        size(&app) as f64 / size(&hello).max(1) as f64
    ));
    print!("{table}");
    let _ = std::fs::remove_dir_all(&scratch);
    if let Some(out) = output {
        std::fs::write(&out, table).unwrap_or_else(|e| panic!("write {out}: {e}"));
    }
}
