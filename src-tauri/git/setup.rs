//! `bitbucket-setup git setup [--global|--local] [--undo]`: tells git to ask this app for
//! Bitbucket's git host only. Two lines, in the section git matches against the remote's URL:
//!
//! ```ini
//! [credential "https://bitbucket.org"]
//!     helper = /usr/bin/bitbucket-setup git-credential
//!     useHttpPath = true
//! ```
//!
//! On Windows the helper is `!'C:/Users/…/bitbucket-setup.exe' git-credential`: Git for Windows
//! runs a `!` helper with its own sh, and a path with forward slashes is one both sh and
//! Windows take. The lines shown to the user are in their shell's words ([`crate::shell`]).
//!
//! `helper` is added next to any other helper (never `helper =`, which would reset git's list);
//! `useHttpPath` makes git send the repository's path, so a repository token answers for its
//! own repository. `--undo` removes this app's helper lines, and `useHttpPath` only if this app
//! added it: what it added is recorded in `git-setup.json` next to the connections file, since
//! git's configuration cannot say who wrote a line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::bitbucket::githost::GitBase;
use crate::platform::Os;
use crate::shell::Shell;

/// Which git configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `~/.gitconfig` (or `$XDG_CONFIG_HOME/git/config`): every repository of this user.
    Global,
    /// The current repository's `.git/config`.
    Local,
}

impl Scope {
    fn flag(self) -> &'static str {
        match self {
            Scope::Global => "--global",
            Scope::Local => "--local",
        }
    }
}

/// Why git could not be configured. `Display` is the user's sentence.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("git is not installed (or not on the PATH). Install git, then run this again.")]
    NoGit,
    #[error("This folder is not in a git repository, so there is no local configuration. Run it inside the repository, or use --global.")]
    NotARepository,
    #[error("git could not change its configuration: {0}")]
    Git(String),
    #[error("Could not record what was added to git's configuration ({0}), so nothing was added. Check that the app's config folder is writable.")]
    Record(String),
}

/// One line of git configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLine {
    pub key: String,
    pub value: String,
}

impl std::fmt::Display for ConfigLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.key, self.value)
    }
}

/// The helper as git runs it, for this program at `exe` on this system: see [`helper_command_for`].
pub fn helper_command(exe: &Path, pinned: Option<&str>) -> String {
    helper_command_for(Os::current(), &exe.to_string_lossy(), pinned)
}

/// The helper as git on `os` runs it, for the program at `exe`. Linux and macOS: a plain
/// absolute path when it needs no quoting, else a shell snippet (`!'…' git-credential`), since
/// git runs the absolute form through the shell as well. Windows: always the snippet, with the
/// path's `\` written `/`: Git for Windows runs it with its own sh (MSYS bash), and `C:/…` is a
/// path both that sh and Windows take.
pub fn helper_command_for(os: Os, exe: &str, pinned: Option<&str>) -> String {
    let path = if os == Os::Windows { exe.replace('\\', "/") } else { exe.to_string() };
    let plain = os != Os::Windows && path.starts_with('/') && path.chars().all(|c| c.is_ascii_alphanumeric() || "/._+-".contains(c));
    // sh's quoting, whatever the system: git hands the value to sh.
    let mut command = if plain { format!("{path} git-credential") } else { format!("!{} git-credential", Shell::Posix.quote_always(&path)) };
    if let Some(id) = pinned {
        // A connection id is a UUID: nothing to quote.
        command.push_str(" --connection ");
        command.push_str(id);
    }
    command
}

/// `credential.https://bitbucket.org`: the section for Bitbucket's git host.
pub fn section(base: &GitBase) -> String {
    format!("credential.{}://{}", base.scheme(), base.host())
}

/// The lines `git setup` adds.
pub fn lines(base: &GitBase, exe: &Path, pinned: Option<&str>) -> Vec<ConfigLine> {
    lines_for(Os::current(), base, &exe.to_string_lossy(), pinned)
}

/// The lines `git setup` adds on `os` for the program at `exe`.
pub fn lines_for(os: Os, base: &GitBase, exe: &str, pinned: Option<&str>) -> Vec<ConfigLine> {
    let s = section(base);
    vec![
        ConfigLine { key: format!("{s}.helper"), value: helper_command_for(os, exe, pinned) },
        ConfigLine { key: format!("{s}.useHttpPath"), value: "true".into() },
    ]
}

/// Whether a helper value is this app's (any path to it, pinned or not; Windows' `C:/…` and
/// the `C:\…` form of earlier versions too).
pub fn is_ours(value: &str) -> bool {
    let v = value.trim();
    v.contains("bitbucket-setup") && (v.ends_with(" git-credential") || v.contains(" git-credential --connection "))
}

/// The git command the user would type in this system's shell (the window and `git setup`
/// show it).
pub fn command_line(scope: Scope, line: &ConfigLine) -> String {
    command_line_for(Shell::current(), scope, line)
}

/// The git command the user would type in `shell`: `git config --global --add KEY VALUE`, the
/// value quoted for that shell.
pub fn command_line_for(shell: Shell, scope: Scope, line: &ConfigLine) -> String {
    if line.key.ends_with(".helper") {
        shell.line(&["git", "config", scope.flag(), "--add", &line.key, &line.value])
    } else {
        shell.line(&["git", "config", scope.flag(), &line.key, &line.value])
    }
}

fn git(dir: Option<&Path>, args: &[&str]) -> Result<Output, SetupError> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.args(args).stdin(Stdio::null()).output().map_err(|_| SetupError::NoGit)
}

fn config(dir: Option<&Path>, scope: Scope, args: &[&str]) -> Result<Output, SetupError> {
    let mut all = vec!["config", scope.flag()];
    all.extend_from_slice(args);
    let out = git(dir, &all)?;
    if scope == Scope::Local && !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not in a git directory") {
        return Err(SetupError::NotARepository);
    }
    Ok(out)
}

/// The values `key` has in `scope` (none when it is not set).
fn values(dir: Option<&Path>, scope: Scope, key: &str) -> Result<Vec<String>, SetupError> {
    let out = config(dir, scope, &["--get-all", key])?;
    // Status 1: the key is not set.
    if !out.status.success() && out.status.code() != Some(1) {
        return Err(SetupError::Git(String::from_utf8_lossy(&out.stderr).trim().chars().take(300).collect()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

fn must(out: Output) -> Result<(), SetupError> {
    if out.status.success() {
        Ok(())
    } else {
        Err(SetupError::Git(String::from_utf8_lossy(&out.stderr).trim().chars().take(300).collect()))
    }
}

/// git's `store` helpers in `scope` (for every host, or for `base`'s): after git gets in, each
/// writes what it used, this app's token included, to a plain file.
pub fn store_helpers(dir: Option<&Path>, scope: Scope, base: &GitBase) -> Result<Vec<String>, SetupError> {
    let mut all = values(dir, scope, "credential.helper")?;
    all.extend(values(dir, scope, &format!("{}.helper", section(base)))?);
    Ok(all.into_iter().filter(|v| v.split_whitespace().next() == Some("store")).collect())
}

/// Whether git already asks this app for Bitbucket in `scope`.
pub fn is_set_up(dir: Option<&Path>, scope: Scope, base: &GitBase) -> Result<bool, SetupError> {
    Ok(values(dir, scope, &format!("{}.helper", section(base)))?.iter().any(|v| is_ours(v)))
}

/// Where the keys this app added (other than its helper lines) are recorded, per configuration.
fn record_path() -> Option<PathBuf> {
    crate::store::connections::ConnectionsFile::default_path().ok()?.parent().map(|d| d.join("git-setup.json"))
}

/// The record's name for `scope`: "global", or "local:" and the repository's folder.
fn record_key(dir: Option<&Path>, scope: Scope) -> Result<String, SetupError> {
    match scope {
        Scope::Global => Ok("global".into()),
        Scope::Local => {
            let out = git(dir, &["rev-parse", "--show-toplevel"])?;
            if !out.status.success() {
                return Err(SetupError::NotARepository);
            }
            Ok(format!("local:{}", String::from_utf8_lossy(&out.stdout).trim()))
        }
    }
}

type Record = std::collections::BTreeMap<String, Vec<String>>;

fn read_record() -> Record {
    record_path().and_then(|p| std::fs::read(p).ok()).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn write_record(record: &Record) -> Result<(), SetupError> {
    let Some(path) = record_path() else { return Ok(()) };
    let fail = |e: std::io::Error| SetupError::Record(e.to_string());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, serde_json::to_string_pretty(record).unwrap_or_default().as_bytes()).map_err(fail)?;
    crate::replace::persist(tmp, &path, true).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Adds `lines` that are not there yet; returns the ones it added.
pub fn apply(dir: Option<&Path>, scope: Scope, lines: &[ConfigLine]) -> Result<Vec<ConfigLine>, SetupError> {
    let key = record_key(dir, scope)?;
    let mut added = Vec::new();
    for line in lines {
        let present = values(dir, scope, &line.key)?;
        if line.key.ends_with(".helper") {
            if present.iter().any(|v| v == &line.value) {
                continue;
            }
            must(config(dir, scope, &["--add", &line.key, &line.value])?)?;
        } else {
            if present.last().is_some_and(|v| v.eq_ignore_ascii_case(&line.value)) {
                continue;
            }
            // Recorded first: a line the record does not know is never removed by --undo.
            let mut record = read_record();
            let keys = record.entry(key.clone()).or_default();
            if !keys.contains(&line.key) {
                keys.push(line.key.clone());
            }
            write_record(&record)?;
            must(config(dir, scope, &[&line.key, &line.value])?)?;
        }
        added.push(line.clone());
    }
    Ok(added)
}

/// Removes this app's helper lines for `base` in `scope`, and the other lines it recorded as
/// added. Returns what it removed.
pub fn undo(dir: Option<&Path>, scope: Scope, base: &GitBase) -> Result<Vec<ConfigLine>, SetupError> {
    let s = section(base);
    let helper_key = format!("{s}.helper");
    let mut removed = Vec::new();
    for value in values(dir, scope, &helper_key)?.into_iter().filter(|v| is_ours(v)) {
        must(config(dir, scope, &["--fixed-value", "--unset-all", &helper_key, &value])?)?;
        removed.push(ConfigLine { key: helper_key.clone(), value });
    }
    let key = record_key(dir, scope)?;
    let mut record = read_record();
    let path_key = format!("{s}.useHttpPath");
    if record.get(&key).is_some_and(|keys| keys.contains(&path_key)) {
        if let Some(v) = values(dir, scope, &path_key)?.pop() {
            must(config(dir, scope, &["--unset-all", &path_key])?)?;
            removed.push(ConfigLine { key: path_key.clone(), value: v });
        }
        if let Some(keys) = record.get_mut(&key) {
            keys.retain(|k| k != &path_key);
            if keys.is_empty() {
                record.remove(&key);
            }
        }
        write_record(&record)?;
    }
    Ok(removed)
}

/// The app's own path, for the helper line.
pub fn this_program() -> Option<PathBuf> {
    std::env::current_exe().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_line_quotes_only_when_it_must() {
        let unix = |exe: &str, pinned| helper_command_for(Os::Linux, exe, pinned);
        assert_eq!(unix("/usr/bin/bitbucket-setup", None), "/usr/bin/bitbucket-setup git-credential");
        assert_eq!(unix("/opt/My Apps/bitbucket-setup", None), "!'/opt/My Apps/bitbucket-setup' git-credential");
        assert_eq!(unix("/opt/it's/bitbucket-setup", None), r"!'/opt/it'\''s/bitbucket-setup' git-credential");
        assert_eq!(unix("/usr/bin/bitbucket-setup", Some("8a0f")), "/usr/bin/bitbucket-setup git-credential --connection 8a0f");
        for v in [
            "/usr/bin/bitbucket-setup git-credential",
            "!'/opt/My Apps/bitbucket-setup' git-credential",
            "/x/bitbucket-setup git-credential --connection 8a0f",
            "!'C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe' git-credential",
            r"!'C:\Program Files\Bitbucket Setup Assistant\bitbucket-setup.exe' git-credential",
            "!'C:/Users/Ann/AppData/Local/Programs/Bitbucket Setup Assistant/bitbucket-setup.exe' git-credential --connection 8a0f",
        ] {
            assert!(is_ours(v), "{v}");
        }
        for v in ["store", "cache --timeout=3600", "/usr/bin/git-credential-manager", "manager"] {
            assert!(!is_ours(v), "{v}");
        }
    }

    #[test]
    fn the_windows_helper_is_an_sh_snippet_with_forward_slashes() {
        let exe = r"C:\Program Files\Bitbucket Setup Assistant\bitbucket-setup.exe";
        assert_eq!(helper_command_for(Os::Windows, exe, None), "!'C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe' git-credential");
        assert_eq!(helper_command_for(Os::Windows, r"C:\Tools\bitbucket-setup.exe", Some("8a0f")), "!'C:/Tools/bitbucket-setup.exe' git-credential --connection 8a0f");
        assert_eq!(helper_command_for(Os::Windows, r"C:\Users\O'Brien\bitbucket-setup.exe", None), r"!'C:/Users/O'\''Brien/bitbucket-setup.exe' git-credential");
        // Linux and macOS as before.
        for os in [Os::Linux, Os::MacOs] {
            assert_eq!(helper_command_for(os, "/usr/bin/bitbucket-setup", None), "/usr/bin/bitbucket-setup git-credential");
            assert_eq!(helper_command_for(os, "/opt/My Apps/bitbucket-setup", None), "!'/opt/My Apps/bitbucket-setup' git-credential");
        }
        assert_eq!(helper_command(Path::new("/usr/bin/bitbucket-setup"), None), helper_command_for(Os::current(), "/usr/bin/bitbucket-setup", None));
    }

    #[test]
    fn the_command_lines_are_in_each_shells_words() {
        let l = lines_for(Os::Windows, &GitBase::cloud(), r"C:\Program Files\Bitbucket Setup Assistant\bitbucket-setup.exe", None);
        assert_eq!(
            command_line_for(Shell::PowerShell, Scope::Global, &l[0]),
            "git config --global --add credential.https://bitbucket.org.helper '!''C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe'' git-credential'"
        );
        assert_eq!(command_line_for(Shell::PowerShell, Scope::Local, &l[1]), "git config --local credential.https://bitbucket.org.useHttpPath true");
        let l = lines_for(Os::Linux, &GitBase::cloud(), "/opt/My Apps/bitbucket-setup", None);
        assert_eq!(
            command_line_for(Shell::Posix, Scope::Global, &l[0]),
            r"git config --global --add credential.https://bitbucket.org.helper '!'\''/opt/My Apps/bitbucket-setup'\'' git-credential'"
        );
    }

    #[test]
    fn the_lines_name_bitbucket_only() {
        let l = lines_for(Os::Linux, &GitBase::cloud(), "/usr/bin/bitbucket-setup", None);
        assert_eq!(l[0].key, "credential.https://bitbucket.org.helper");
        assert_eq!(l[1], ConfigLine { key: "credential.https://bitbucket.org.useHttpPath".into(), value: "true".into() });
        assert_eq!(command_line_for(Shell::Posix, Scope::Global, &l[0]), "git config --global --add credential.https://bitbucket.org.helper '/usr/bin/bitbucket-setup git-credential'");
        let local = GitBase::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(section(&local), "credential.http://127.0.0.1:8080");
    }
}
