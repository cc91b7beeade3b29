//! The Windows build of the app, run under Wine as a Windows user would run it: a Wine prefix
//! of its own (its own registry, so its own Credential Manager, and its own `C:\users\<user>`),
//! the exe cargo built for `x86_64-pc-windows-gnu` with `WebView2Loader.dll` beside it, and a
//! stand-in for `bcryptprimitives.dll` (tests/wine/bcryptprimitives.c), which Rust's standard
//! library needs and Wine 8 lacks, compiled with mingw into the prefix's system32.
//!
//! A prefix is made anew for each run under `target/wine-tests/NAME` (about 6 seconds; Wine's
//! server stops by itself a few seconds after its last program). It is removed when its test
//! passes (about 700 MB each) and kept when it fails, to be looked into.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One Wine prefix.
pub struct Wine {
    prefix: PathBuf,
    user: String,
}

/// The folder cargo builds into (`target/`), found from this test binary's own path
/// (`target/debug/deps/NAME-HASH`), so it holds with any `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("this test's path");
    exe.ancestors().nth(3).expect("target/debug/deps/…").to_path_buf()
}

/// The Windows build of the app: where `scripts/test.sh` builds it (`target/cross/`, a target
/// folder of its own, so it can build while the Linux tests run), else where a plain
/// `cargo build --target x86_64-pc-windows-gnu` puts it.
pub fn windows_exe() -> PathBuf {
    let cross = target_dir().join("cross/x86_64-pc-windows-gnu/debug/bitbucket-setup.exe");
    if cross.exists() {
        cross
    } else {
        target_dir().join("x86_64-pc-windows-gnu/debug/bitbucket-setup.exe")
    }
}

 /// How long one program may run under Wine before the test stops it and fails.
const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

impl Wine {
    /// A new prefix named `name`, ready to run the app. None (after a loud skip) when Wine, mingw
    /// or the Windows build is missing outside CI; under CI that is a failure.
    pub fn start(name: &str) -> Option<Wine> {
        Wine::start_on(name, None)
    }

    /// [`start`](Self::start), with Wine's desktop on the X display `display`: the desktop
    /// process wineboot starts stays for the whole test, and a window can appear only on the
    /// display it was started with (without one, a message box is made on no screen at all and
    /// returns at once).
    pub fn start_on(name: &str, display: Option<&str>) -> Option<Wine> {
        let exe = windows_exe();
        if super::require("Wine (apt-get install wine wine64)", super::on_path("wine") && super::on_path("wineboot") && super::on_path("wineserver"))
            || super::require("mingw-w64 (apt-get install gcc-mingw-w64-x86-64)", super::on_path("x86_64-w64-mingw32-gcc"))
            || super::require(
                "the Windows build with WebView2Loader.dll beside it (cargo build --target x86_64-pc-windows-gnu --bin bitbucket-setup; scripts/test.sh does)",
                exe.is_file() && exe.with_file_name("WebView2Loader.dll").is_file(),
            )
        {
            return None;
        }
        let prefix = target_dir().join("wine-tests").join(name);
        if prefix.exists() {
            let _ = Command::new("wineserver").arg("-k").env("WINEPREFIX", &prefix).status();
            std::fs::remove_dir_all(&prefix).expect("remove the previous run's Wine prefix");
        }
        std::fs::create_dir_all(&prefix).unwrap();
        // One wineserver for the whole test, kept running: Wine's services then start once,
        // here with no pipes of the test's, instead of again for every program run (seconds
        // each, and holding the program's output pipes open after it ends).
        let status = Command::new("wineserver")
            .arg("-p")
            .env("WINEPREFIX", &prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("start wineserver");
        assert!(status.success(), "wineserver -p failed in {}", prefix.display());
        let mut wineboot = Command::new("wineboot");
        wineboot.arg("-i").env("WINEPREFIX", &prefix).env("WINEDEBUG", "-all").env_remove("DISPLAY");
        if let Some(display) = display {
            wineboot.env("DISPLAY", display);
        }
        let status = wineboot
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run wineboot");
        assert!(status.success(), "wineboot -i failed in {}", prefix.display());
        let shim_source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wine/bcryptprimitives.c");
        let out = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(prefix.join("drive_c/windows/system32/bcryptprimitives.dll"))
            .arg(&shim_source)
            .arg("-ladvapi32")
            .output()
            .expect("run mingw gcc");
        assert!(
            out.status.success(),
            "building the bcryptprimitives stand-in failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let user = std::fs::read_dir(prefix.join("drive_c/users"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n != "Public")
            .expect("the prefix's user folder");
        // wineboot links Documents, Desktop and the like to this machine's home folder; a test
        // must not write there, so they become plain folders inside the prefix.
        unlink_home(&prefix.join("drive_c/users"));
        Some(Wine { prefix, user })
    }

    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The Windows user's name in this prefix.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// `C:\users\<user>` on this machine's disk.
    pub fn profile(&self) -> PathBuf {
        self.prefix.join("drive_c/users").join(&self.user)
    }

    /// `%APPDATA%` (`C:\users\<user>\AppData\Roaming`) on this machine's disk.
    pub fn appdata(&self) -> PathBuf {
        self.profile().join("AppData/Roaming")
    }

    /// `%LOCALAPPDATA%` on this machine's disk.
    pub fn local_appdata(&self) -> PathBuf {
        self.profile().join("AppData/Local")
    }

    /// The file on this machine's disk behind a `C:\…` path of the prefix.
    pub fn unix_path(&self, windows: &str) -> PathBuf {
        let rest = windows.strip_prefix(r"C:\").or_else(|| windows.strip_prefix("C:/")).expect("a C: path");
        self.prefix.join("drive_c").join(rest.replace('\\', "/"))
    }

    /// `program` (an exe, by Windows or Unix path) under Wine in this prefix: no display, no
    /// token, API address or config folder inherited from the test's environment.
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("wine");
        cmd.arg(program)
            .args(args)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env_remove("DISPLAY")
            .env_remove("BITBUCKET_TOKEN")
            .env_remove("BITBUCKET_API_URL")
            .env_remove("BITBUCKET_GIT_URL")
            .env_remove("BITBUCKET_SETUP_CONFIG_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// The app's Windows build with `args`, `stdin` and `env`.
    pub fn app(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        self.run(&windows_exe().display().to_string(), args, stdin, env)
    }

    /// Any exe of the prefix (e.g. the installed app) with `args`, `stdin` and `env`.
    pub fn run(&self, program: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(program, args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        if std::env::var_os("WINE_TRACE").is_some() {
            eprintln!("wine {program} {args:?}");
        }
        let mut child = cmd.spawn().expect("start wine");
        use std::io::Write as _;
        let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
        // Read both pipes on their own threads, into buffers that can be taken without waiting
        // for the end of the pipe: Wine's background programs (services.exe, explorer.exe) may
        // inherit the pipes and hold them open long after the program itself has ended.
        let out = drain(child.stdout.take().expect("stdout"));
        let err = drain(child.stderr.take().expect("stderr"));
        let deadline = std::time::Instant::now() + RUN_LIMIT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for wine") {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = Command::new("wineserver").arg("-k").env("WINEPREFIX", &self.prefix).status();
                let _ = child.wait();
                let err = String::from_utf8_lossy(&err.take()).into_owned();
                panic!(
                    "{program} {args:?} did not end within {} s under Wine; its standard error:\n{err}",
                    RUN_LIMIT.as_secs()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Output { status, stdout: out.take(), stderr: err.take() }
    }

    /// Waits until every program of this prefix has ended (an installer's uninstaller runs on
    /// as a copy of itself, for example).
    pub fn wait_idle(&self) {
        // `wineserver -w` would wait for the kept-running wineserver itself; instead wait until
        // no program of this prefix but Wine's own services is left.
        const SERVICES: [&str; 8] = [
            "services.exe",
            "winedevice.exe",
            "svchost.exe",
            "plugplay.exe",
            "rpcss.exe",
            "explorer.exe",
            "conhost.exe",
            "wineserver",
        ];
        let marker = format!("WINEPREFIX={}", self.prefix.display());
        let deadline = std::time::Instant::now() + RUN_LIMIT;
        loop {
            let busy: Vec<String> = std::fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
                .filter(|e| {
                    std::fs::read(e.path().join("environ"))
                        .map(|env| env.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
                        .unwrap_or(false)
                })
                .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                .filter(|c| !c.trim().is_empty() && !SERVICES.iter().any(|s| c.contains(s)))
                .collect();
            if busy.is_empty() {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still running under Wine after {} s: {busy:?}",
                RUN_LIMIT.as_secs()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// `reg query KEY` in this prefix: its output, or None when the key does not exist.
    pub fn reg_query(&self, key: &str) -> Option<String> {
        let out = self.run("reg", &["query", key], "", &[]);
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Wine {
    /// Ends the prefix's wineserver and every program still running in it, then removes the
    /// prefix unless the test is failing.
    fn drop(&mut self) {
        let _ = Command::new("wineserver").arg("-k").env("WINEPREFIX", &self.prefix).status();
        if !std::thread::panicking() {
            // `-w` waits until the server has ended, so nothing writes into the prefix any more.
            let _ = Command::new("wineserver").arg("-w").env("WINEPREFIX", &self.prefix).status();
            let _ = std::fs::remove_dir_all(&self.prefix);
        }
    }
}

/// Replaces every symbolic link under `dir` (wineboot's links to the home folder: Documents,
/// Desktop, Templates…) by an empty folder.
fn unlink_home(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::fs::remove_file(entry.path()).unwrap();
            std::fs::create_dir(entry.path()).unwrap();
        } else if kind.is_dir() {
            unlink_home(&entry.path());
        }
    }
}

/// A pipe being read on its own thread.
struct Drained {
    buf: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    done: std::sync::mpsc::Receiver<()>,
}

impl Drained {
    /// What was read, once the program has ended: all of it when the pipe ends, or, when
    /// another process still holds the pipe open, once nothing more has come for 100 ms (the
    /// program's output is already in the pipe, so the reader has it by then).
    fn take(&self) -> Vec<u8> {
        let step = std::time::Duration::from_millis(50);
        let mut seen = usize::MAX;
        for _ in 0..40 {
            if self.done.recv_timeout(step).is_ok() {
                break;
            }
            let len = self.buf.lock().unwrap().len();
            if len == seen {
                break;
            }
            seen = len;
        }
        std::mem::take(&mut *self.buf.lock().unwrap())
    }
}

fn drain(mut pipe: impl std::io::Read + Send + 'static) -> Drained {
    let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (tx, done) = std::sync::mpsc::channel();
    let shared = buf.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            shared.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
        let _ = tx.send(());
    });
    Drained { buf, done }
}
