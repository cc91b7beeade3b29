//! The Debian package, installed: the Tauri CLI (from npm) packages the debug build this test
//! run made, `dpkg -i` installs it into this machine, and the installed app, started from the
//! path its desktop entry names, reaches its first wizard step under the test's Xvfb.
//!
//! The package is made from the debug build so the test command keeps to one build;
//! `scripts/package.sh` makes the release package from the same configuration, and
//! `scripts/test-package.sh` runs this same test on that one (`BITBUCKET_SETUP_DEB=path`).
//! With `SCREENSHOTS_DIR` set the test also saves the screen with the installed app on it
//! (`package-first-step.png`).
//!
//! Installing needs root or password-less sudo, and changes the machine: the package is
//! removed again at the end, and the test refuses to touch a machine where it is already
//! installed. Under `CI=true` a missing prerequisite fails the test.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{app_binary, require, runs};

const PACKAGE: &str = "bitbucket-setup-assistant";

/// `sudo -n` in front of a command when this process is not root (never a password prompt).
fn privileged(program: &str) -> Command {
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
    if root {
        Command::new(program)
    } else {
        let mut cmd = Command::new("sudo");
        cmd.args(["-n", program]);
        cmd
    }
}

fn output(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn installed() -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", PACKAGE])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Removes the package when the test ends, whether it passed or not.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = privileged("dpkg").args(["-r", PACKAGE]).stdout(Stdio::null()).status();
    }
}

/// The triple rustc builds for here (Tauri names an external binary with it).
fn host_triple() -> String {
    let out = ok(Command::new("rustc").arg("-vV"));
    out.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names its host").trim().to_string()
}

/// Packages the test build's app binary with `tauri bundle --debug`, in a copy of the target
/// folder so the binary the other tests run is not touched (the CLI patches the one it packs).
fn build_deb(scratch: &Path) -> PathBuf {
    let target = scratch.join("target");
    let debug = target.join("debug");
    std::fs::create_dir_all(&debug).unwrap();
    std::fs::copy(support::window_binary(), debug.join("bitbucket-setup-window")).expect("copy the window");
    // The command line goes in as Tauri's "external binary": the file named with the target
    // triple, installed beside the window as /usr/bin/bitbucket-setup (as scripts/package.sh).
    let binaries = scratch.join("binaries");
    std::fs::create_dir_all(&binaries).unwrap();
    std::fs::copy(app_binary(), binaries.join(format!("bitbucket-setup-{}", host_triple()))).expect("copy the command line");
    let config = serde_json::json!({"bundle": {"externalBin": [binaries.join("bitbucket-setup")]}});
    ok(Command::new("npx")
        .args(["--yes", "@tauri-apps/cli@2", "bundle", "--debug", "--bundles", "deb", "--config", &config.to_string()])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("window"))
        .env("CARGO_TARGET_DIR", &target)
        .env("CI", "true"));
    let dir = debug.join("bundle/deb");
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no bundle folder {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    assert_eq!(debs.len(), 1, "one .deb in {}: {debs:?}", dir.display());
    debs.into_iter().next().unwrap()
}

#[test]
fn the_deb_installs_and_the_installed_app_reaches_its_first_step() {
    if require("npx (Node.js) for the Tauri CLI", runs("npx", &["--version"])) {
        return;
    }
    if require("a display (DISPLAY)", std::env::var_os("DISPLAY").is_some()) {
        return;
    }
    if require("root or password-less sudo to install a package", privileged("true").status().is_ok_and(|s| s.success())) {
        return;
    }
    if require(&format!("a machine without {PACKAGE} installed (remove it first)"), !installed()) {
        return;
    }
    let scratch = tempfile::Builder::new().prefix("bitbucket-setup-package.").tempdir().unwrap();
    let deb = match std::env::var_os("BITBUCKET_SETUP_DEB") {
        Some(path) => PathBuf::from(path),
        None => build_deb(scratch.path()),
    };

    // What the package declares and holds.
    let fields = ok(Command::new("dpkg-deb").args(["-f"]).arg(&deb).args(["Package", "Depends"]));
    assert!(fields.contains(&format!("Package: {PACKAGE}")), "{fields}");
    assert!(fields.contains("libwebkit2gtk-4.1-0") && fields.contains("libgtk-3-0"), "{fields}");

    ok(privileged("dpkg").arg("-i").arg(&deb));
    let _installed = Installed;
    assert!(installed(), "dpkg -i did not leave {PACKAGE} installed");
    let files = ok(Command::new("dpkg").args(["-L", PACKAGE]));
    let desktop = files
        .lines()
        .find(|l| l.starts_with("/usr/share/applications/") && l.ends_with(".desktop"))
        .unwrap_or_else(|| panic!("no desktop entry in the package:\n{files}"));
    let entry = std::fs::read_to_string(desktop).expect("read the desktop entry");
    let exec = entry.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap_or_else(|| panic!("no Exec= in {desktop}:\n{entry}"));
    let icon = entry.lines().find_map(|l| l.strip_prefix("Icon=")).unwrap_or_else(|| panic!("no Icon= in {desktop}:\n{entry}"));
    assert!(entry.contains("Type=Application"), "{entry}");
    let program = exec.split_whitespace().next().unwrap();
    let program = if program.starts_with('/') { PathBuf::from(program) } else { Path::new("/usr/bin").join(program) };
    assert!(files.lines().any(|l| Path::new(l) == program), "the desktop entry starts {}, which the package does not install", program.display());
    for size in ["32x32", "64x64", "128x128", "256x256", "512x512"] {
        let path = format!("/usr/share/icons/hicolor/{size}/apps/{icon}.png");
        assert!(files.lines().any(|l| l == path), "no {size} icon ({path}) in the package:\n{files}");
    }

    // The command line is on the PATH beside the window, and starts without a display.
    assert!(files.lines().any(|l| l == "/usr/bin/bitbucket-setup"), "no /usr/bin/bitbucket-setup in the package:\n{files}");
    let version = ok(Command::new("/usr/bin/bitbucket-setup").arg("--version").env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY"));
    assert_eq!(version.trim(), format!("bitbucket-setup {}", env!("CARGO_PKG_VERSION")));

    // The installed app, as the desktop entry starts it, reaches the first step.
    let ready = scratch.path().join("ready");
    let mut child = Command::new(&program)
        .env("BITBUCKET_SETUP_READY_FILE", &ready)
        .env("BITBUCKET_SETUP_CONFIG_DIR", scratch.path().join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start the installed {}: {e}", program.display()));
    let started = Instant::now();
    while !ready.exists() && started.elapsed() < Duration::from_secs(30) {
        if let Ok(Some(status)) = child.try_wait() {
            let err = child.stderr.take().map(std::io::read_to_string).and_then(Result::ok).unwrap_or_default();
            panic!("the installed app exited ({status}) before its first step:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let reached = ready.exists();
    if let (true, Some(dir)) = (reached, std::env::var_os("SCREENSHOTS_DIR")) {
        // As a person would see it: the whole screen, once the first paint is in.
        std::thread::sleep(Duration::from_secs(1));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        ok(Command::new("import").args(["-window", "root"]).arg(dir.join("package-first-step.png")));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(reached, "the installed app did not show its first step within 30 s");
}

/// The Windows installer: `scripts/package-windows.sh` (Debian's makensis) packs the Windows
/// build this test run linked; 7-Zip lists the app, its icon and the uninstaller inside it, and
/// makensis's log shows the Start-menu entry and the uninstaller being written. (Running it, under
/// Wine, is tests/windows_wine.rs.)
#[test]
fn on_windows_the_installer_holds_the_app_its_icon_the_uninstaller_and_a_start_menu_entry() {
    let exe = support::wine::windows_exe();
    if require("the Windows build (scripts/test.sh links it)", exe.exists())
        || require("makensis (nsis)", runs("makensis", &["-VERSION"]))
        || require("7z (p7zip-full)", Command::new("7z").arg("i").output().is_ok())
    {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package-windows.sh");
    let made = ok(Command::new(&script).arg(&exe).arg(out.path()).arg("--fast"));
    let installer = PathBuf::from(made.trim());
    assert!(installer.is_file(), "no installer at {}", installer.display());
    let name = installer.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("Bitbucket Setup Assistant_") && name.ends_with("_x64-setup.exe"), "{name}");
    let head = std::fs::read(&installer).unwrap();
    assert_eq!(&head[..2], b"MZ", "a Windows program");

    let listing = ok(Command::new("7z").arg("l").arg(&installer));
    assert!(listing.contains("SubType = NSIS-3 Unicode"), "{listing}");
    // WebView2Loader.dll: the GNU build loads it at start, so without it the app would not run.
    for file in ["bitbucket-setup.exe", "bitbucket-setup-window.exe", "bitbucket-setup.ico", "WebView2Loader.dll", "uninstall.exe"] {
        assert!(listing.lines().any(|l| l.trim_end().ends_with(&format!(" {file}"))), "{file} is not in the installer:\n{listing}");
    }
    let log = std::fs::read_to_string(out.path().join("makensis.log")).unwrap();
    assert!(!log.contains("warning") || log.contains("0 warnings"), "makensis warned:\n{log}");
    assert!(log.contains("CreateShortcut: \"$SMPROGRAMS\\Bitbucket Setup Assistant\\Bitbucket Setup Assistant.lnk\""), "no Start-menu entry:\n{log}");
    assert!(log.contains("WriteUninstaller: \"$INSTDIR\\uninstall.exe\""), "no uninstaller:\n{log}");
}
