//! A `systemd --user` of the test's own: its runtime folder, config folder and home, so a test
//! can register the reminders' daily job with a real user manager and ask it what it holds
//! (tests/reminders.rs for the command line, tests/e2e_reminders.rs for the window).
//!
//! systemd refuses to start a user manager on a system that was not booted with systemd (it
//! asks `sd_booted()`, which looks for /run/systemd/system:
//! <https://www.freedesktop.org/software/systemd/man/latest/sd_booted.html>), as in a container;
//! there the manager is started with a one-line library preloaded whose `sd_booted` says yes, a
//! way integration tests of systemd user services use (Meta's EdenFS, in its `fake_sd_booted`).
//! Nothing else of systemd is changed, the library is the manager's alone (its jobs do not get
//! it), and the manager ends with the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::cli_session::{ok, text};
use super::require;

/// The user manager's program.
pub fn systemd_program() -> Option<&'static str> {
    ["/usr/lib/systemd/systemd", "/lib/systemd/systemd"].into_iter().find(|p| Path::new(p).is_file())
}

 /// Whether a private user manager can be started here: systemd, systemctl, a C compiler for the
/// `sd_booted` stand-in, and a D-Bus session for its jobs. Under `CI=true` a missing one fails
/// the test ([`require`]); otherwise the test is skipped, loudly.
pub fn user_manager_available() -> bool {
    !(require("systemd's user manager (Debian package systemd)", systemd_program().is_some() && super::on_path("systemctl"))
        || require("a C compiler (cc) for the sd_booted stand-in", super::on_path("cc"))
        || require(
            "a D-Bus session bus (DBUS_SESSION_BUS_ADDRESS; run the tests through scripts/test.sh)",
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        ))
}

/// A `systemd --user` of the test's own: its runtime folder, config folder and home.
pub struct UserManager {
    child: Child,
    pub home: PathBuf,
    pub config: PathBuf,
    pub runtime: PathBuf,
}

impl UserManager {
    /// Starts a manager with `dir/home` as HOME, `dir/home/.config` as XDG_CONFIG_HOME and
    /// `dir/run` as XDG_RUNTIME_DIR (made when missing), and waits until it answers.
    pub fn start(dir: &Path) -> UserManager {
        let home = dir.join("home");
        let config = home.join(".config");
        let runtime = dir.join("run");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        // The manager's own session bus (dbus-user-session's dbus.socket) is masked. The jobs
        // must get the test's bus, which `set-environment` below gives them; a bus of the
        // manager's own, started a moment later, would take its place in some runs (seen: the
        // job's notification went to a bus where nobody served it).
        let units = config.join("systemd/user");
        std::fs::create_dir_all(&units).unwrap();
        for unit in ["dbus.socket", "dbus.service"] {
            std::os::unix::fs::symlink("/dev/null", units.join(unit)).unwrap();
        }
        let mut cmd = Command::new(systemd_program().unwrap());
        cmd.arg("--user")
            .env_clear()
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &config)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_PROXY", "127.0.0.1,localhost,::1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if !Path::new("/run/systemd/system").exists() {
            cmd.env("LD_PRELOAD", fake_sd_booted(dir));
        }
        let child = cmd.spawn().expect("start systemd --user");
        let manager = UserManager { child, home, config, runtime };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !manager.systemctl(&["show", "--property=Version"]).status.success() {
            assert!(Instant::now() < deadline, "systemd --user did not answer within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        // As a desktop session does (dbus-update-activation-environment --systemd): the jobs
        // get the session's bus, where the keychain and the notification service are. And the
        // preloaded library is the manager's alone.
        let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap();
        ok(manager.systemctl(&["set-environment", &format!("DBUS_SESSION_BUS_ADDRESS={bus}")]), "set-environment");
        ok(manager.systemctl(&["unset-environment", "LD_PRELOAD"]), "unset-environment");
        manager
    }

    /// The variables that point a program at this manager.
    pub fn env(&self) -> [(&'static str, &Path); 3] {
        [("HOME", &self.home), ("XDG_CONFIG_HOME", &self.config), ("XDG_RUNTIME_DIR", &self.runtime)]
    }

    /// `systemctl --user ARGS`, asking this manager.
    pub fn systemctl(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("systemctl");
        cmd.arg("--user").args(args).env("SYSTEMD_LOG_COLOR", "0");
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.output().expect("run systemctl")
    }

    /// The user's own unit folder, where the reminders' units are written.
    pub fn units(&self) -> PathBuf {
        self.config.join("systemd/user")
    }
}

impl Drop for UserManager {
    fn drop(&mut self) {
        // SAFETY: the manager is this test's own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A library whose `sd_booted()` answers yes, built with the system's C compiler into `dir`.
fn fake_sd_booted(dir: &Path) -> PathBuf {
    let source = dir.join("fake_sd_booted.c");
    let library = dir.join("fake_sd_booted.so");
    std::fs::write(&source, "int sd_booted(void) { return 1; }\n").unwrap();
    let out = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&library).arg(&source).output().expect("run cc");
    assert!(out.status.success(), "cc failed:\n{}", text(&out.stderr));
    library
}
