//! Process hardening (crates/core/src/hardening.rs) seen from outside: the app binary, while it runs
//! a `check` against a slow fake Bitbucket (with the token in its memory), may write no core
//! file (core limit 0, soft and hard) and is not dumpable. Linux only: that is where /proc
//! shows both.
//!
//! "Not dumpable" is read from /proc: the kernel makes a non-dumpable process's /proc entries
//! owned by root. So the process must run as someone else: as root, the test runs it as
//! nobody (65534).

#![cfg(target_os = "linux")]

mod support;

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use fake_bitbucket::{demo, FakeBitbucket, Fault};

/// The current core file size limit (soft, hard).
fn core_limit() -> (libc::rlim_t, libc::rlim_t) {
    let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes the struct it is given.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut l) }, 0, "getrlimit");
    (l.rlim_cur, l.rlim_max)
}

/// Gives this process (and so the app it starts) a core limit above 0, soft and hard, so the
/// app's own limit of 0 is its doing and this test can fail.
fn allow_core_files() {
    let (_, hard) = core_limit();
    let want = if hard == 0 { libc::RLIM_INFINITY } else { hard };
    let l = libc::rlimit { rlim_cur: want, rlim_max: want };
    // SAFETY: setrlimit reads the struct it is given. Raising the soft limit to the hard one is
    // always allowed; raising a hard limit of 0 needs root.
    let raised = unsafe { libc::setrlimit(libc::RLIMIT_CORE, &l) } == 0;
    let (soft, hard) = core_limit();
    assert!(raised && soft > 0 && hard > 0, "precondition: this test needs a core limit above 0 to start the app with (got {soft} {hard}); run it as root or with `ulimit -H -c unlimited`");
}

/// The "Max core file size" line of /proc/PID/limits: (soft, hard) as written there.
fn core_line(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("read /proc/PID/limits");
    let line = limits.lines().find(|l| l.starts_with("Max core file size")).expect("a core size line");
    let mut words = line.trim_start_matches("Max core file size").split_whitespace();
    (words.next().unwrap_or("").to_string(), words.next().unwrap_or("").to_string())
}

#[test]
fn a_running_command_writes_no_core_file_and_is_not_dumpable() {
    allow_core_files();
    let fake = FakeBitbucket::start_in_background().expect("start the fake Bitbucket");
    fake.seed_demo();
    fake.set_fault(Fault::Latency(Duration::from_secs(3)));
    let config = tempfile::tempdir().unwrap();
    let api = fake.base_url();
    let mut cmd = support::cli_command(
        &["check", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"],
        &[("BITBUCKET_API_URL", api.as_str())],
        config.path(),
    );
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        use std::os::unix::fs::PermissionsExt;
        use std::os::unix::process::CommandExt;
        std::fs::set_permissions(config.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        cmd.uid(65534).gid(65534).current_dir("/");
    }
    let mut child = cmd.spawn().expect("start the app binary");
    child.stdin.take().expect("stdin").write_all(demo::SQAI_READY.as_bytes()).expect("write the token");
    let pid = child.id();

    // A request at the fake means `main` has run; the fake then holds the answer for 3 s.
    let deadline = Instant::now() + Duration::from_secs(20);
    while fake.request_count() == 0 {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the app ended ({status}) before it sent a request: {:?}", child.wait_with_output().map(|o| String::from_utf8_lossy(&o.stderr).into_owned()));
        }
        assert!(Instant::now() < deadline, "no request reached the fake in 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (soft, hard) = core_line(pid);
    let proc_owner = std::fs::metadata(format!("/proc/{pid}/environ")).expect("stat /proc/PID/environ").uid();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/PID/status");
    let uid = status.lines().find(|l| l.starts_with("Uid:")).unwrap_or("").to_string();
    let still_running = child.try_wait().expect("wait").is_none();
    let out = child.wait_with_output().expect("wait for the app");

    assert!(still_running, "the app ended before /proc was read: the reading proves nothing");
    assert_eq!((soft.as_str(), hard.as_str()), ("0", "0"), "Max core file size of the running app");
    assert!(uid.split_whitespace().nth(1).is_some_and(|u| u != "0"), "the app must run as someone other than root here: {uid}");
    assert_eq!(proc_owner, 0, "/proc/PID/environ belongs to the process's user ({uid}): the app is dumpable");
    assert!(out.status.success(), "the check failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK:"), "{}", String::from_utf8_lossy(&out.stdout));

    // In this process too: every step succeeds (main ignores failures; here they count).
    if let Err(failed) = bitbucket_setup_core::hardening::apply() {
        panic!("hardening steps failed: {:?}", failed.iter().map(|e| e.to_string()).collect::<Vec<_>>());
    }
    assert_eq!(core_limit(), (0, 0));
    // SAFETY: PR_GET_DUMPABLE takes no further arguments.
    assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE) }, 0);
}
