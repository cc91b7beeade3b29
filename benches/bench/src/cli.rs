//! Benchmark: the command line's hot paths against `secret-tool lookup`, the same Secret Service
//! read by a small C program. git runs the helper on every fetch and push, and scripts call
//! `token` the same way, so both should cost about what reading the keychain costs.
//!
//! It saves one connection (the demo repository token for acme/website) against the fake
//! Bitbucket in a throwaway HOME and config folder, sets git up to ask the helper
//! (`bitbucket-setup git setup`, no system configuration), then runs, interleaved and after two
//! uncounted warm-up rounds, N times each:
//! - `secret-tool lookup service bitbucket-setup-assistant username ID`: the reference;
//! - `git credential fill` through the helper (what git does before a fetch or push);
//! - `git credential fill` through git's own `credential-store` (a plain file): the floor of
//!   anything git asks;
//! - `bitbucket-setup git-credential get` alone (the helper without git);
//! - `bitbucket-setup token NAME`;
//! - `bitbucket-setup --version` (start-up alone).
//!
//! Each run's wall time is from spawn to `wait4`; its peak memory is `wait4`'s `ru_maxrss`,
//! which covers the child and every descendant it waited for (git, its shell and the helper):
//! the largest resident set of any one process of the run, not their sum. Every run's answer is
//! checked (the token, compared and never printed).
//!
//! Needs a Secret Service on the session bus (scripts/bench.sh starts a private one with
//! gnome-keyring), git and secret-tool. Linux only.
//!
//! `bench-cli --app target/release/bitbucket-setup [--runs 20] [--output target/bench/cli.md]`

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_bitbucket::{demo, FakeBitbucket};

/// The keychain service the app stores under (crates/core/src/store/secrets).
const SERVICE: &str = bitbucket_setup_core::store::secrets::SERVICE;
/// The saved connection's name.
const NAME: &str = "bench";
/// The target: the helper through git, and `token`, within this ratio of `secret-tool lookup`.
const TARGET: f64 = 1.5;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// A folder removed when the benchmark ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One run: wall time and the peak resident set (KiB) of the process tree's largest process.
struct Run {
    wall: Duration,
    maxrss_kib: u64,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
}

/// The wrapper's report, the last line of its standard error.
const REPORT: &str = "bench-cli-wrap:";

/// `bench-cli --wrap PROGRAM ARGS...`: runs the program with this process's standard streams
/// and reaps it with `wait4`, then reports the wall time and the child's `ru_maxrss` (its own
/// and that of every descendant it waited for) as the last line of standard error. Through this
/// small, freshly started process, because Linux counts in a process's peak the resident set of
/// the process it was forked from, up to its exec: spawned straight from the benchmark (which
/// also serves the fake Bitbucket) every run would show at least the benchmark's own size.
fn wrap(argv: &[String]) -> ! {
    let started = Instant::now();
    let child =
        Command::new(&argv[0]).args(&argv[1..]).spawn().unwrap_or_else(|e| panic!("could not start {}: {e}", argv[0]));
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our child's, not reaped yet (std's Child is not waited on after this);
    // status and usage are valid for writes.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4: {}", std::io::Error::last_os_error());
    eprintln!("\n{REPORT} {} {}", wall.as_nanos(), usage.ru_maxrss);
    std::process::exit(if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 255 });
}

/// Runs `cmd` through the wrapper ([`wrap`]) with `stdin` as its input.
fn run(cmd: &Command, stdin: &[u8]) -> Run {
    let mut wrapped = Command::new(std::env::current_exe().expect("this program's path"));
    wrapped.arg("--wrap").arg(cmd.get_program()).args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    wrapped.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = wrapped.spawn().unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}"));
    {
        let mut input = child.stdin.take().expect("stdin");
        // A program that does not read its input (secret-tool, --version) may close it first.
        let _ = input.write_all(stdin);
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    child.stdout.take().expect("stdout").read_to_end(&mut stdout).expect("read stdout");
    child.stderr.take().expect("stderr").read_to_end(&mut stderr).expect("read stderr");
    let status = child.wait().expect("wait").code().unwrap_or(-1);
    let text = String::from_utf8_lossy(&stderr).into_owned();
    let (rest, report) =
        text.rsplit_once(&format!("\n{REPORT} ")).unwrap_or_else(|| panic!("the wrapper did not report:\n{text}"));
    let mut fields = report.split_whitespace().map(|f| f.parse::<u64>().expect("the wrapper's report"));
    let (nanos, maxrss_kib) = (fields.next().expect("wall time"), fields.next().expect("ru_maxrss"));
    Run { wall: Duration::from_nanos(nanos), maxrss_kib, stdout, stderr: rest.as_bytes().to_vec(), status }
}

/// Whether a run's standard output is the right answer.
type Check = Box<dyn Fn(&[u8]) -> bool>;

/// What each measured command is and how its answer is checked.
struct Case {
    label: &'static str,
    program: PathBuf,
    args: Vec<String>,
    stdin: Vec<u8>,
    env: Vec<(String, String)>,
    /// Whether the answer is right (it holds the token, or the version).
    check: Check,
    /// Whether the target applies to it.
    targeted: bool,
    walls: Vec<Duration>,
    rss: Vec<u64>,
}

impl Case {
    fn command(&self, base_env: &[(String, String)], dir: &Path) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).current_dir(dir).env_clear();
        for (k, v) in base_env.iter().chain(&self.env) {
            cmd.env(k, v);
        }
        cmd
    }

    fn once(&mut self, base_env: &[(String, String)], dir: &Path, keep: bool) {
        let r = run(&self.command(base_env, dir), &self.stdin);
        assert!(
            r.status == 0 && (self.check)(&r.stdout),
            "{}: exit status {}, the answer was not the expected one (not shown: it may hold the token); standard error:\n{}",
            self.label,
            r.status,
            String::from_utf8_lossy(&r.stderr)
        );
        if keep {
            self.walls.push(r.wall);
            self.rss.push(r.maxrss_kib);
        }
    }
}

fn median<T: Copy + Ord>(v: &[T]) -> T {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

/// The 90th percentile, nearest rank.
fn p90<T: Copy + Ord>(v: &[T]) -> T {
    let mut v = v.to_vec();
    v.sort();
    v[(v.len() * 9).div_ceil(10).max(1) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The environment every run gets: the session bus (the Secret Service), the throwaway HOME,
/// and nothing of the caller's git or app settings.
fn base_env(home: &Path, config: &Path) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = ["PATH", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
        .collect();
    env.extend(
        [
            ("HOME", home.display().to_string()),
            ("XDG_CONFIG_HOME", home.join(".config").display().to_string()),
            ("BITBUCKET_SETUP_CONFIG_DIR", config.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_TERMINAL_PROMPT", "0".into()),
            ("LANG", "C.UTF-8".into()),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    env
}

/// Runs `cmd` once and insists that it succeeds (setting up).
fn must(cmd: &Command, stdin: &[u8], what: &str) -> Vec<u8> {
    let r = run(cmd, stdin);
    assert!(
        r.status == 0,
        "{what} failed (status {}):\n{}{}",
        r.status,
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&r.stderr)
    );
    r.stdout
}

/// Number of shared libraries `ldd` lists for `program`.
fn shared_libraries(program: &Path) -> Option<usize> {
    let out = Command::new("ldd").arg(program).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains(".so")).count())
}

fn which(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file()))
        .unwrap_or_else(|| panic!("{program} is not installed"))
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--wrap") {
        wrap(&argv[2..]);
    }
    let app = PathBuf::from(arg("--app").unwrap_or_else(|| "target/release/bitbucket-setup".into()));
    let app = std::fs::canonicalize(&app)
        .unwrap_or_else(|e| panic!("{}: {e} (cargo build --release -p bitbucket-setup)", app.display()));
    let runs: usize = arg("--runs").map(|r| r.parse().expect("--runs N")).unwrap_or(20);
    let output = arg("--output").map(PathBuf::from);
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a session bus with a Secret Service (run through scripts/bench.sh)"
    );
    let secret_tool = which("secret-tool");
    let git = which("git");

    let scratch = Scratch(std::env::temp_dir().join(format!("bitbucket-setup-bench-cli.{}", std::process::id())));
    let (home, config) = (scratch.0.join("home"), scratch.0.join("config"));
    std::fs::create_dir_all(home.join(".config")).expect("scratch HOME");
    std::fs::create_dir_all(&config).expect("scratch config");
    let env = base_env(&home, &config);
    let cmd = |program: &Path, args: &[&str]| {
        let mut c = Command::new(program);
        c.args(args).current_dir(&scratch.0).env_clear().envs(env.iter().map(|(k, v)| (k, v)));
        c
    };

    // One connection, saved the way a person saves it: checked against the fake first.
    let fake = FakeBitbucket::start_in_background().expect("start the fake Bitbucket");
    fake.seed_demo();
    let save_args =
        ["save", "--name", NAME, "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"];
    must(cmd(&app, &save_args).env("BITBUCKET_API_URL", fake.base_url()), demo::SQAI_READY.as_bytes(), "save");
    let listed: serde_json::Value =
        serde_json::from_slice(&must(&cmd(&app, &["list", "--json"]), b"", "list")).expect("list --json");
    let id = listed[0]["id"].as_str().expect("the saved connection's id").to_string();
    must(&cmd(&app, &["git", "setup"]), b"", "git setup");

    // The attributes the keychain item carries (never its secret), as `secret-tool lookup` needs them.
    let found = run(&cmd(&secret_tool, &["search", "--all", "service", SERVICE]), b"");
    assert_eq!(found.status, 0, "secret-tool search: {}", String::from_utf8_lossy(&found.stderr));
    // secret-tool prints the attributes on standard output or error, by version.
    let attributes: Vec<String> = [&found.stdout, &found.stderr]
        .iter()
        .flat_map(|o| {
            String::from_utf8_lossy(o)
                .lines()
                .filter(|l| l.starts_with("attribute."))
                .map(|l| l["attribute.".len()..].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    println!("The keychain item's attributes: {}", attributes.join(", "));

    // git's own store helper, the floor: a plain file, in a global configuration of its own.
    let store_file = scratch.0.join("git-credentials");
    std::fs::write(&store_file, format!("https://x-token-auth:{}@bitbucket.org\n", demo::SQAI_READY))
        .expect("store file");
    let store_config = scratch.0.join("store.gitconfig");
    std::fs::write(&store_config, format!("[credential]\n\thelper = store --file={}\n", store_file.display()))
        .expect("store config");

    let token = demo::SQAI_READY;
    let query = b"protocol=https\nhost=bitbucket.org\npath=acme/website.git\n\n".to_vec();
    let filled = move |out: &[u8]| String::from_utf8_lossy(out).lines().any(|l| l == format!("password={token}"));
    let printed = move |out: &[u8]| String::from_utf8_lossy(out).trim_end() == token;
    let case = |label, program: &Path, args: &[&str], stdin: Vec<u8>, check: Check, targeted| Case {
        label,
        program: program.to_path_buf(),
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin,
        env: Vec::new(),
        check,
        targeted,
        walls: Vec::new(),
        rss: Vec::new(),
    };
    let mut cases = vec![
        case(
            "`secret-tool lookup service … username ID`",
            &secret_tool,
            &["lookup", "service", SERVICE, "username", &id],
            Vec::new(),
            Box::new(printed),
            false,
        ),
        case(
            "`git credential fill` through the helper",
            &git,
            &["credential", "fill"],
            query.clone(),
            Box::new(filled),
            true,
        ),
        case(
            "`git credential fill` through git's `credential-store` (floor)",
            &git,
            &["credential", "fill"],
            query.clone(),
            Box::new(filled),
            false,
        ),
        case(
            "`bitbucket-setup git-credential get` (the helper alone)",
            &app,
            &["git-credential", "get"],
            query.clone(),
            Box::new(filled),
            false,
        ),
        case("`bitbucket-setup token NAME`", &app, &["token", NAME], Vec::new(), Box::new(printed), true),
        case(
            "`bitbucket-setup --version`",
            &app,
            &["--version"],
            Vec::new(),
            Box::new(|out: &[u8]| String::from_utf8_lossy(out).starts_with("bitbucket-setup")),
            false,
        ),
    ];
    cases[2].env.push(("GIT_CONFIG_GLOBAL".into(), store_config.display().to_string()));

    // How busy the machine was: the ratios hold on a busy one (the runs are interleaved), the
    // times do not.
    let load =
        std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next().map(str::to_string));
    // Two uncounted rounds, then the runs in turn, each round starting one case later, so that
    // a drift of the machine falls on every case alike.
    for round in 0..runs + 2 {
        for k in 0..cases.len() {
            let i = (round + k) % cases.len();
            cases[i].once(&env, &scratch.0, round >= 2);
        }
    }
    drop(fake);
    // What the method itself counts: the wrapper's resident set when it forks, and its time.
    let floor: Vec<Run> = (0..runs).map(|_| run(&cmd(&which("true"), &[]), b"")).collect();
    let floor_rss = median(&floor.iter().map(|r| r.maxrss_kib).collect::<Vec<_>>());
    let floor_wall = median(&floor.iter().map(|r| r.wall).collect::<Vec<_>>());

    let reference_wall = median(&cases[0].walls);
    let reference_rss = median(&cases[0].rss);
    let mut table = format!(
        "Made by `bench-cli`: {runs} runs of each command, interleaved, after two uncounted rounds, in a throwaway HOME with one saved \
         connection and a private Secret Service (gnome-keyring). Wall time from start to exit; peak memory is the largest resident set \
         of any one process of the run (`wait4`'s `ru_maxrss`: git, its shell and the helper included). Target: `git credential fill` \
         through the helper and `bitbucket-setup token NAME` within {TARGET}x of `secret-tool lookup` (median wall time).\n\n\
         | command | median | p90 | ratio to secret-tool | peak memory (median) | ratio | target |\n|---|---|---|---|---|---|---|\n"
    );
    let mut missed = Vec::new();
    for c in &cases {
        let (wall, rss) = (median(&c.walls), median(&c.rss));
        let ratio = wall.as_secs_f64() / reference_wall.as_secs_f64();
        let target = if !c.targeted {
            String::new()
        } else if ratio <= TARGET {
            format!("≤ {TARGET}x: met")
        } else {
            missed.push(c.label);
            format!("≤ {TARGET}x: missed")
        };
        table.push_str(&format!(
            "| {} | {} | {} | {:.2}x | {} | {:.2}x | {target} |\n",
            c.label,
            ms(wall),
            ms(p90(&c.walls)),
            ratio,
            mib(rss),
            rss as f64 / reference_rss as f64
        ));
    }
    let libs = |p: &Path| shared_libraries(p).map(|n| n.to_string()).unwrap_or_else(|| "?".into());
    let size = std::fs::metadata(&app).map(|m| format!("{:.2} MiB", m.len() as f64 / 1048576.0)).unwrap_or_default();
    table.push_str(&format!(
        "\nShared libraries (`ldd`): bitbucket-setup {}, secret-tool {}, git {}. bitbucket-setup's size: {size}. The keychain item's \
         attributes: {}. The measurement's own floor (`true` through the same wrapper): {} and {}. Load average \
         (1 minute) when the runs began: {}.\n",
        libs(&app),
        libs(&secret_tool),
        libs(&git),
        attributes.iter().map(|a| a.split(" = ").next().unwrap_or(a)).collect::<Vec<_>>().join(", "),
        ms(floor_wall),
        mib(floor_rss),
        load.as_deref().unwrap_or("?")
    ));
    println!("{table}");
    if let Some(path) = output {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("output folder");
        }
        std::fs::write(&path, &table).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    if !missed.is_empty() {
        eprintln!("Target missed: {}", missed.join(", "));
    }
}
