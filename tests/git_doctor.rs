//! `git doctor` with real git in a throwaway HOME: every remote and push URL in one run with one
//! backup per file, a linked `~/.git-credentials` (the link kept, its target fixed), files it
//! cannot read named with a failing status, bytes that are not UTF-8, CRLF line ends and file
//! modes kept. Nothing here needs the keychain or a network: git doctor reads and edits files.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::cli_session::text;

/// An app password's shape (`ATBB…`, as the paste classifier knows it).
const AP: &str = "ATBBdoctorTestAppPassword0000000000000000000000E1A2B3C4";
const GITHUB: &str = "https://bob:ghp_notbitbucket@github.com";

/// The exit status for "could not read or write" (`crates/core/src/exit_code.rs`, IO).
const IO: i32 = 74;

/// A throwaway HOME for git and the app, with no system git configuration.
struct Home {
    dir: tempfile::TempDir,
    config: tempfile::TempDir,
}

impl Home {
    /// None (after a loud skip) without git outside CI; panics under CI.
    fn new() -> Option<Home> {
        if support::require("git", support::runs("git", &["--version"])) {
            return None;
        }
        Some(Home { dir: tempfile::tempdir().unwrap(), config: tempfile::tempdir().unwrap() })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.path().display().to_string()),
            ("XDG_CONFIG_HOME", self.path().join(".config").display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_TERMINAL_PROMPT", "0".into()),
        ]
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(dir).stdin(Stdio::null()).env_remove("BITBUCKET_GIT_URL").env_remove("GIT_DIR");
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("git");
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// The app in `cwd`, stopped (and failed) if it hangs.
    fn doctor(&self, cwd: &Path, args: &[&str]) -> Done {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut all = vec!["git", "doctor"];
        all.extend_from_slice(args);
        let mut cmd = support::cli_command(&all, &env, self.config.path());
        cmd.current_dir(cwd).env_remove("BITBUCKET_GIT_URL").env_remove("GIT_DIR").stdin(Stdio::null());
        let mut child = cmd.spawn().expect("start the app binary");
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!("git doctor {args:?} hung for 30 seconds:\n{}{}", text(&out.stdout), text(&out.stderr));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out: Output = child.wait_with_output().unwrap();
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!said.contains(AP), "never the secret:\n{said}");
        Done { code: out.status.code(), said }
    }

    /// Files in `dir` whose name starts with `prefix`.
    fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix)).collect()
    }

    fn helper_is_set_up(&self) -> bool {
        let mut cmd = Command::new("git");
        cmd.args(["config", "--global", "--get-all", "credential.https://bitbucket.org.helper"]).current_dir(self.path());
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        text(&cmd.output().unwrap().stdout).contains("git-credential")
    }
}

struct Done {
    code: Option<i32>,
    said: String,
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn every_remote_and_push_url_is_fixed_in_one_run_with_one_backup() {
    let Some(home) = Home::new() else { return };
    home.git(home.path(), &["init", "-q", "r"]);
    let r = home.path().join("r");
    home.git(&r, &["remote", "add", "origin", &format!("https://alice:{AP}@bitbucket.org/acme/website.git")]);
    home.git(&r, &["remote", "add", "up", &format!("https://bob:{AP}@bitbucket.org/acme/other.git")]);
    home.git(&r, &["remote", "set-url", "--push", "origin", &format!("https://alice:{AP}@bitbucket.org/acme/website-push.git")]);
    home.git(&r, &["remote", "add", "gh", "https://carol:ghp_x@github.com/acme/website.git"]);

    let looked = home.doctor(&r, &[]);
    assert_eq!(looked.code, Some(1), "{}", looked.said);
    assert!(looked.said.contains("remote \"origin\"") && looked.said.contains("remote \"up\"") && looked.said.contains("pushurl"), "{}", looked.said);

    let fixed = home.doctor(&r, &["--fix"]);
    assert_eq!(fixed.code, Some(0), "{}", fixed.said);
    assert_eq!(home.git(&r, &["config", "--get-all", "remote.origin.url"]).trim(), "https://bitbucket.org/acme/website.git");
    assert_eq!(home.git(&r, &["config", "--get-all", "remote.origin.pushurl"]).trim(), "https://bitbucket.org/acme/website-push.git");
    assert_eq!(home.git(&r, &["config", "--get-all", "remote.up.url"]).trim(), "https://bitbucket.org/acme/other.git");
    assert_eq!(home.git(&r, &["config", "--get-all", "remote.gh.url"]).trim(), "https://carol:ghp_x@github.com/acme/website.git", "another host is left alone");
    let backups = Home::named(&r.join(".git"), "config.bitbucket-setup-backup-");
    assert_eq!(backups.len(), 1, "one backup for the one file: {backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap().matches(AP).count(), 3, "the backup is the file as it was");
    // Each change is named: the remote, which URL, what it is now.
    for said in ["\"origin\"", "\"up\"", "pushurl", "https://bitbucket.org/acme/website-push.git", "https://bitbucket.org/acme/other.git"] {
        assert!(fixed.said.contains(said), "{said} is not in:\n{}", fixed.said);
    }
    assert!(!fixed.said.contains("Nothing in it was changed"), "{}", fixed.said);
    assert!(home.helper_is_set_up(), "the helper is set up");
    assert_eq!(home.doctor(&r, &[]).code, Some(0));
}

#[cfg(unix)]
#[test]
fn a_linked_credential_file_is_fixed_where_it_lives_and_the_link_kept() {
    let Some(home) = Home::new() else { return };
    let dots = home.path().join("dotfiles");
    std::fs::create_dir(&dots).unwrap();
    let target = dots.join("git-credentials");
    std::fs::write(&target, format!("https://alice:{AP}@bitbucket.org\n{GITHUB}\n")).unwrap();
    let link = home.path().join(".git-credentials");
    std::os::unix::fs::symlink("dotfiles/git-credentials", &link).unwrap();

    let fixed = home.doctor(home.path(), &["--fix"]);
    assert_eq!(fixed.code, Some(0), "{}", fixed.said);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("dotfiles/git-credentials"), "pointing where it did");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), format!("{GITHUB}\n"), "the real file lost the app password and kept the github line");
    assert_eq!(Home::named(&dots, "git-credentials.bitbucket-setup-backup-").len(), 1, "the backup is next to the real file");
    assert!(Home::named(home.path(), ".git-credentials.bitbucket-setup-").is_empty());
    assert!(fixed.said.contains(&target.display().to_string()), "the file changed is named:\n{}", fixed.said);
    assert!(home.helper_is_set_up());
}

#[cfg(unix)]
#[test]
fn a_link_to_nothing_is_reported_not_taken_for_no_file() {
    let Some(home) = Home::new() else { return };
    std::os::unix::fs::symlink("dotfiles/gone", home.path().join(".git-credentials")).unwrap();
    let looked = home.doctor(home.path(), &[]);
    assert_eq!(looked.code, Some(IO), "{}", looked.said);
    assert!(looked.said.contains(".git-credentials") && looked.said.contains("does not exist"), "{}", looked.said);
}

/// Not "nothing found": the file is named with why, and the status says it.
fn assert_reported(done: &Done, file: &str, why: &str) {
    assert_eq!(done.code, Some(IO), "{}", done.said);
    assert!(done.said.contains(file) && done.said.contains(why), "{file} ({why}) is not reported:\n{}", done.said);
    assert!(!done.said.contains("No password for"), "{}", done.said);
}

#[cfg(unix)]
#[test]
fn a_file_it_cannot_read_is_reported() {
    let Some(home) = Home::new() else { return };
    let netrc = home.path().join(".netrc");
    // As root, a mode of 000 stops no one: a named pipe is what cannot be read as a file then.
    let root = unsafe { libc::geteuid() } == 0;
    let why = if root {
        let path = std::ffi::CString::new(netrc.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
        "named pipe"
    } else {
        std::fs::write(&netrc, format!("machine bitbucket.org login alice password {AP}\n")).unwrap();
        set_mode(&netrc, 0o000);
        "not allowed to read"
    };
    for args in [&[][..], &["--fix"][..], &["--json"][..]] {
        let done = home.doctor(home.path(), args);
        assert_reported(&done, ".netrc", why);
    }
}

#[test]
fn a_folder_where_the_credential_file_should_be_is_reported() {
    let Some(home) = Home::new() else { return };
    std::fs::create_dir_all(home.path().join(".config/git/credentials")).unwrap();
    std::fs::write(home.path().join(".git-credentials"), format!("https://alice:{AP}@bitbucket.org\n")).unwrap();
    let looked = home.doctor(home.path(), &[]);
    assert_reported(&looked, "credentials", "a folder");
    assert!(looked.said.contains(".git-credentials, line 1"), "what could be read is still listed:\n{}", looked.said);
    let fixed = home.doctor(home.path(), &["--fix"]);
    assert_reported(&fixed, "credentials", "a folder");
    assert_eq!(std::fs::read_to_string(home.path().join(".git-credentials")).unwrap(), "", "what could be fixed was");
}

#[test]
fn bytes_that_are_not_utf8_are_read_and_kept() {
    let Some(home) = Home::new() else { return };
    let store = home.path().join(".git-credentials");
    let other = b"https://\xe9t\xe9:x@example.com\n# caf\xe9\n".to_vec();
    let mut bytes = other.clone();
    bytes.extend_from_slice(format!("https://alice:{AP}@bitbucket.org\n").as_bytes());
    std::fs::write(&store, &bytes).unwrap();

    let looked = home.doctor(home.path(), &[]);
    assert_eq!(looked.code, Some(1), "{}", looked.said);
    assert!(looked.said.contains(".git-credentials, line 3") && looked.said.contains("app password"), "{}", looked.said);
    let fixed = home.doctor(home.path(), &["--fix"]);
    assert_eq!(fixed.code, Some(0), "{}", fixed.said);
    assert_eq!(std::fs::read(&store).unwrap(), other, "every other byte is kept");
}

#[test]
fn line_ends_and_file_modes_are_kept() {
    let Some(home) = Home::new() else { return };
    let store = home.path().join(".git-credentials");
    std::fs::write(&store, format!("{GITHUB}\r\nhttps://alice:{AP}@bitbucket.org\r\nhttps://carol:x@gitlab.com\n")).unwrap();
    let netrc = home.path().join(".netrc");
    std::fs::write(&netrc, format!("machine github.com\r\n  login bob\r\n  password ghp_x\r\nmachine bitbucket.org\r\n  login alice\r\n  password {AP}\r\n")).unwrap();
    #[cfg(unix)]
    {
        set_mode(&store, 0o640);
        set_mode(&netrc, 0o640);
    }
    let fixed = home.doctor(home.path(), &["--fix"]);
    assert_eq!(fixed.code, Some(0), "{}", fixed.said);
    assert_eq!(std::fs::read_to_string(&store).unwrap(), format!("{GITHUB}\r\nhttps://carol:x@gitlab.com\n"));
    assert_eq!(std::fs::read_to_string(&netrc).unwrap(), "machine github.com\r\n  login bob\r\n  password ghp_x\r\n");
    #[cfg(unix)]
    for file in [&store, &netrc] {
        assert_eq!(mode(file), 0o640, "{} keeps its mode", file.display());
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let backups = Home::named(home.path(), &format!("{name}.bitbucket-setup-backup-"));
        assert_eq!(backups.len(), 1, "{backups:?}");
        assert_eq!(mode(&backups[0]), 0o600, "the backup holds the old password: yours only, never wider than the file");
    }
}
