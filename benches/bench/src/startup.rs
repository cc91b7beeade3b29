//! Benchmark: cold start to an interactive first step, and memory after it, for the assistant
//! and for a hello-world Tauri app built with the same profile (benches/hello-tauri).
//!
//! Each run starts the binary with `BITBUCKET_SETUP_READY_FILE`, which the page's first
//! script asks Rust to write once the first step is rendered (`ui_ready`); the time from spawn
//! to that file is the cold start. Then the PSS of the process and all its children (the
//! WebKit web and network processes) is summed from /proc, and the process group is ended.
//! Needs a display (run under xvfb-run) and a D-Bus session (dbus-run-session): without one,
//! GTK starts a D-Bus of its own through X11 on every run, which once stalled a start by 30 s.
//! Linux only.
//!
//! Both apps are measured on each of WebKitGTK's two renderers, runs taken in turn (hello,
//! app, hello, ...) so that a drift of the machine falls on both alike, after two uncounted
//! warm-up runs of each:
//! - the legacy renderer (`WEBKIT_DISABLE_DMABUF_RENDERER=1`), which the assistant chooses for
//!   itself (window/src/renderer.rs): the like-for-like comparison the targets are read on;
//! - WebKit's default DMA-BUF renderer (`=0`), for reference.
//!
//! `bench-startup --app PATH --hello PATH [--runs 10] [--repeat 3] [--output FILE]`

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The variable WebKitGTK reads for its renderer (see window/src/renderer.rs).
const DMABUF_VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

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
    match std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
        Ok(s) => s
            .lines()
            .find(|l| l.starts_with("Pss:"))
            .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            .unwrap_or(0),
        // The assistant marks itself not dumpable (crates/core/src/hardening.rs): only root may read
        // its memory map. Counting it as 0 would flatter the figures.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => panic!(
            "cannot read the memory of process {pid}: the assistant is not dumpable, so only root may. Run scripts/bench.sh as root (or with sudo)."
        ),
        // The process has ended.
        Err(_) => 0,
    }
}

/// One run, or (from [`summarise`]) the medians of several and the most processes seen.
struct Sample {
    start: Duration,
    pss_kib: u64,
    processes: usize,
}

fn start_ratio(app: &Sample, hello: &Sample) -> f64 {
    app.start.as_secs_f64() / hello.start.as_secs_f64()
}

fn pss_ratio(app: &Sample, hello: &Sample) -> f64 {
    app.pss_kib as f64 / hello.pss_kib.max(1) as f64
}

fn run_once(binary: &Path, renderer: &str, scratch: &Path, i: usize) -> Sample {
    use std::os::unix::process::CommandExt;
    let ready = scratch.join(format!("ready-{i}"));
    let _ = std::fs::remove_file(&ready);
    let config = scratch.join(format!("config-{i}"));
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("BITBUCKET_SETUP_READY_FILE", &ready)
        .env("BITBUCKET_SETUP_CONFIG_DIR", &config)
        .env(DMABUF_VAR, renderer)
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

/// What the runs of one binary on one renderer gave: medians, and the most processes seen.
fn summarise(samples: &[Sample]) -> Sample {
    Sample {
        start: median(samples.iter().map(|s| s.start).collect()),
        pss_kib: median(samples.iter().map(|s| s.pss_kib).collect()),
        processes: samples.iter().map(|s| s.processes).max().unwrap_or(0),
    }
}

/// Runs of each binary that are not counted: the first starts after a build or another
/// renderer's runs read libraries, fonts and caches from disk.
const WARM_UP: usize = 2;

/// `runs` runs of each binary on `renderer`, taken in turn, after [`WARM_UP`] uncounted ones.
fn measure_pair(app: &Path, hello: &Path, renderer: &str, runs: usize, scratch: &Path) -> (Sample, Sample) {
    for i in 0..WARM_UP {
        run_once(hello, renderer, scratch, 1000 + 2 * i);
        run_once(app, renderer, scratch, 1001 + 2 * i);
    }
    let (mut a, mut h) = (Vec::new(), Vec::new());
    for i in 0..runs {
        h.push(run_once(hello, renderer, scratch, 2 * i));
        a.push(run_once(app, renderer, scratch, 2 * i + 1));
    }
    (summarise(&a), summarise(&h))
}

fn main() {
    let app_path = PathBuf::from(arg("--app").unwrap_or_else(|| "target/release/bitbucket-setup".into()));
    let hello = PathBuf::from(arg("--hello").unwrap_or_else(|| "target/release/hello-tauri".into()));
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(10);
    let output = arg("--output");
    let repeat: usize = arg("--repeat").and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let scratch = std::env::temp_dir().join(format!("bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    // The like-for-like measurement is repeated: the table shows the repetition with the
    // median cold-start ratio, and a line below lists every repetition's ratios, so the
    // run-to-run spread of this machine is in the open.
    let mut reps: Vec<(Sample, Sample)> = (0..repeat).map(|_| measure_pair(&app_path, &hello, "1", runs, &scratch)).collect();
    let spread: Vec<String> = reps.iter().map(|(a, h)| format!("{:.2}x / {:.2}x", start_ratio(a, h), pss_ratio(a, h))).collect();
    reps.sort_by(|(a, h), (b, k)| start_ratio(a, h).total_cmp(&start_ratio(b, k)));
    let (app, hello_legacy) = reps.swap_remove(reps.len() / 2);
    let (app_dmabuf, hello_dmabuf) = measure_pair(&app_path, &hello, "0", runs, &scratch);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
    let ms = |m: &Sample| m.start.as_millis();
    let pss = |m: &Sample| m.pss_kib as f64 / 1024.0;
    let mut table = String::from("| measure | assistant | hello-world Tauri | ratio | target |\n|---|---|---|---|---|\n");
    table.push_str(&format!(
        "| cold start to first step (median of {runs}, both on the legacy renderer the assistant uses) | {} ms | {} ms | {:.2}x | ≤ 1.2x |\n",
        ms(&app), ms(&hello_legacy), start_ratio(&app, &hello_legacy)
    ));
    table.push_str(&format!(
        "| memory after the first step (PSS of {} / {} processes, median; both on the legacy renderer) | {:.1} MiB | {:.1} MiB | {:.2}x | ≤ 1.1x |\n",
        app.processes, hello_legacy.processes, pss(&app), pss(&hello_legacy), pss_ratio(&app, &hello_legacy)
    ));
    table.push_str(&format!(
        "| for reference: cold start, both on WebKit's DMA-BUF renderer | {} ms | {} ms | {:.2}x | |\n",
        ms(&app_dmabuf), ms(&hello_dmabuf), start_ratio(&app_dmabuf, &hello_dmabuf)
    ));
    table.push_str(&format!(
        "| for reference: memory, both on WebKit's DMA-BUF renderer | {:.1} MiB | {:.1} MiB | {:.2}x | |\n",
        pss(&app_dmabuf), pss(&hello_dmabuf), pss_ratio(&app_dmabuf, &hello_dmabuf)
    ));
    table.push_str(&format!(
        "| for reference: memory as each ships (assistant legacy, hello-world DMA-BUF) | {:.1} MiB | {:.1} MiB | {:.2}x | |\n",
        pss(&app), pss(&hello_dmabuf), pss_ratio(&app, &hello_dmabuf)
    ));
    table.push_str(&format!(
        "| binary size | {:.2} MiB | {:.2} MiB | {:.2}x | ≤ 8 MB |\n",
        mib(size(&app_path)),
        mib(size(&hello)),
        size(&app_path) as f64 / size(&hello).max(1) as f64
    ));
    table.push_str(&format!(
        "\nThe legacy-renderer measurement was taken {repeat} times ({runs} runs of each app each time); cold-start / memory ratios: {}. The table shows the one with the median cold-start ratio.\n",
        spread.join(", ")
    ));
    print!("{table}");
    let _ = std::fs::remove_dir_all(&scratch);
    if let Some(out) = output {
        std::fs::write(&out, table).unwrap_or_else(|e| panic!("write {out}: {e}"));
    }
}
