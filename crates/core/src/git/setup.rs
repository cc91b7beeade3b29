//! `bitbucket-setup git setup [--global|--local] [--undo]`: tells git to ask this app, and only
//! this app, for Bitbucket's git host. Three lines, in the section git matches against the
//! remote's URL:
//!
//! ```ini
//! [credential "https://bitbucket.org"]
//!     helper =
//!     helper = /usr/bin/bitbucket-setup git-credential
//!     useHttpPath = true
//! ```
//!
//! git asks every helper whose section matches, in the order it reads them (system, global,
//! local; top to bottom), and an empty `helper` value empties the list it has so far
//! (gitcredentials(7)). So without the empty line, Git for Windows' system-wide `manager`,
//! macOS's `osxkeychain` or the user's own `credential.helper` would be asked first and answer
//! with an old password, and a `store` helper would write the token to `~/.git-credentials`
//! after every push (git sends `store` to each helper). `gh auth setup-git` does the same. The
//! user's lines stay in the file: they keep answering for every other host.
//!
//! On Windows the helper is `!'C:/Users/…/bitbucket-setup.exe' git-credential`: Git for Windows
//! runs a `!` helper with its own sh, and a path with forward slashes is one both sh and
//! Windows take. The lines shown to the user are in their shell's words ([`crate::shell`]).
//!
//! `useHttpPath` makes git send the repository's path, so a repository token answers for its
//! own repository. A `useHttpPath` the user already has is left as it is (never overwritten),
//! and said.
//!
//! What setup writes is recorded, as exact values, in `git-setup.json` next to the connections
//! file, before it is written (git's configuration cannot say who wrote a line). `--undo`
//! removes exactly those values: a helper value by its exact text (so a renamed or moved
//! program's line still goes, and another tool's `…bitbucket-setup-wrapper git-credential`
//! stays), the empty line only when it stands right before one of them, `useHttpPath` only
//! when it still holds the value written. Values are read with `git config -z` (NUL after
//! each), so a value with a line break is one value. Everything is read and checked before
//! anything is written, and when a write fails, what was written is taken back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::{Deserialize, Serialize};

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
    #[error("This folder is not in a git repository, so there is no local configuration.")]
    NotARepository,
    #[error("git could not change its configuration: {0}")]
    Git(String),
    #[error("Could not record what was added to git's configuration ({0}), so nothing was added. Check that the app's config folder is writable.")]
    Record(String),
    #[error("git could not change its configuration ({0}). What had been added was taken back: the configuration is as it was.")]
    TakenBack(String),
    #[error("git could not change its configuration ({why}), and these lines it had added could not be taken back: {left}. Open the file with git config --edit (with --global or --local) and delete them.")]
    Partly { why: String, left: String },
}

/// One line of git configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigLine {
    pub key: String,
    pub value: String,
}

impl ConfigLine {
    fn is_helper(&self) -> bool {
        is_helper_key(&self.key)
    }
}

impl std::fmt::Display for ConfigLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "{} (empty)", self.key)
        } else {
            write!(f, "{} {}", self.key, self.value)
        }
    }
}

fn is_helper_key(key: &str) -> bool {
    key.rsplit_once('.').is_some_and(|(_, name)| name.eq_ignore_ascii_case("helper"))
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

/// The lines `git setup` adds to a configuration that has none of them.
pub fn lines(base: &GitBase, exe: &Path, pinned: Option<&str>) -> Vec<ConfigLine> {
    lines_for(Os::current(), base, &exe.to_string_lossy(), pinned)
}

/// The lines `git setup` adds on `os` for the program at `exe`: the empty `helper` that makes
/// git forget the helpers it has read so far for this host, this app's helper, `useHttpPath`.
pub fn lines_for(os: Os, base: &GitBase, exe: &str, pinned: Option<&str>) -> Vec<ConfigLine> {
    let s = section(base);
    vec![
        ConfigLine { key: format!("{s}.helper"), value: String::new() },
        ConfigLine { key: format!("{s}.helper"), value: helper_command_for(os, exe, pinned) },
        ConfigLine { key: format!("{s}.useHttpPath"), value: "true".into() },
    ]
}

/// The git command the user would type in this system's shell (the window and `git setup`
/// show it).
pub fn command_line(scope: Scope, line: &ConfigLine) -> String {
    command_line_for(Shell::current(), scope, line)
}

/// The git command the user would type in `shell`: `git config --global --add KEY VALUE`, the
/// value quoted for that shell (`''` for the empty one).
pub fn command_line_for(shell: Shell, scope: Scope, line: &ConfigLine) -> String {
    if line.is_helper() {
        shell.line(&["git", "config", scope.flag(), "--add", &line.key, &line.value])
    } else {
        shell.line(&["git", "config", scope.flag(), &line.key, &line.value])
    }
}

/// git's boolean (git-config(1) "Values"); `None` when it is not one.
pub fn git_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" | "" => Some(false),
        v => v.parse::<i64>().ok().map(|n| n != 0),
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

fn stderr_of(out: &Output) -> String {
    crate::safe_text::clip(String::from_utf8_lossy(&out.stderr).trim(), 300)
}

/// git's `-z` output: each item followed by a NUL, so an item may hold a line break.
fn split_z(bytes: &[u8]) -> Vec<String> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    bytes.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect()
}

/// The values `key` has, in git's reading order: in `scope`, or in every file git reads
/// (`None`). None when it is not set.
fn values(dir: Option<&Path>, scope: Option<Scope>, key: &str) -> Result<Vec<String>, SetupError> {
    let out = match scope {
        Some(scope) => config(dir, scope, &["-z", "--get-all", key])?,
        None => git(dir, &["config", "-z", "--get-all", key])?,
    };
    // Status 1: the key is not set.
    if !out.status.success() && out.status.code() != Some(1) {
        return Err(SetupError::Git(stderr_of(&out)));
    }
    Ok(split_z(&out.stdout))
}

fn must(out: Output) -> Result<(), SetupError> {
    if out.status.success() {
        Ok(())
    } else {
        Err(SetupError::Git(stderr_of(&out)))
    }
}

/// git's `store` helpers in `scope` (for every host, or for `base`'s): after git gets in, each
/// writes what it used, this app's token included, to a plain file.
pub fn store_helpers(dir: Option<&Path>, scope: Scope, base: &GitBase) -> Result<Vec<String>, SetupError> {
    let mut all = values(dir, Some(scope), "credential.helper")?;
    all.extend(values(dir, Some(scope), &format!("{}.helper", section(base)))?);
    Ok(all.into_iter().filter(|v| v.split_whitespace().next() == Some("store")).collect())
}

/// Whether git asks this app, and only it, for `base` in `scope`: one of its helper lines comes
/// after the last empty `helper` line, with no other helper after that empty line.
pub fn is_set_up(dir: Option<&Path>, scope: Scope, base: &GitBase) -> Result<bool, SetupError> {
    let key = format!("{}.helper", section(base));
    let own = own_values(&recorded(dir, scope)?, &key, None);
    let present = values(dir, Some(scope), &key)?;
    Ok(after_reset(&present, &own).is_some_and(|after| !after.is_empty()))
}

/// This app's helper values for `key`: those recorded, the one being written, and the exact
/// value this program writes unpinned (set up before anything was recorded).
fn own_values(recorded: &[ConfigLine], key: &str, writing: Option<&str>) -> Vec<String> {
    let mut own: Vec<String> = recorded.iter().filter(|l| l.key == key && !l.value.is_empty()).map(|l| l.value.clone()).collect();
    own.extend(writing.map(str::to_string));
    own.extend(this_program().map(|exe| helper_command(&exe, None)));
    own
}

/// The values after the last empty one, when everything after it is `own` (git then asks only
/// this app); `None` when there is no empty value, or another helper follows it.
fn after_reset<'a>(present: &'a [String], own: &[String]) -> Option<&'a [String]> {
    let last_other = present.iter().rposition(|v| !own.contains(v))?;
    present[last_other].is_empty().then(|| &present[last_other + 1..])
}

/// Where what `git setup` wrote is recorded, per configuration.
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

/// The lines written to one configuration, exactly as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Written {
    lines: Vec<ConfigLine>,
}

/// A record as read: this version's, or an earlier one's list of keys it set (only ever
/// `useHttpPath`, to `true`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Lines(Written),
    Keys(Vec<String>),
}

type Record = BTreeMap<String, Written>;

fn read_record() -> Record {
    let stored: BTreeMap<String, Stored> =
        record_path().and_then(|p| std::fs::read(p).ok()).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    stored
        .into_iter()
        .map(|(k, v)| {
            let w = match v {
                Stored::Lines(w) => w,
                Stored::Keys(keys) => Written { lines: keys.into_iter().map(|key| ConfigLine { key, value: "true".into() }).collect() },
            };
            (k, w)
        })
        .collect()
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

fn recorded(dir: Option<&Path>, scope: Scope) -> Result<Vec<ConfigLine>, SetupError> {
    let key = record_key(dir, scope)?;
    Ok(read_record().remove(&key).map(|w| w.lines).unwrap_or_default())
}

/// What `git setup` does to one configuration, worked out (by reading only) before anything
/// is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The lines to add, in this order.
    pub writes: Vec<ConfigLine>,
    /// The user's own lines for a key this app would set, left as they are (git uses the last).
    pub kept: Vec<ConfigLine>,
    /// Helpers git asked for this host so far, that it no longer asks for it once the empty
    /// line is written (they stay in the file, for every other host).
    pub silenced: Vec<String>,
}

impl Plan {
    /// The user's own `useHttpPath` as git reads it (the last value), when they have one.
    pub fn own_use_http_path(&self) -> Option<bool> {
        self.kept.iter().rev().find(|l| l.key.to_ascii_lowercase().ends_with(".usehttppath")).map(|l| git_bool(&l.value).unwrap_or(false))
    }
}

/// Works out what adding `lines` (as [`lines`] makes them) to `scope` writes: a helper value
/// that is already there after an empty line is not added again; the empty line is written
/// only when some other helper follows the last one; a single-valued key (`useHttpPath`) is
/// written only when the user has none, and otherwise left exactly as it is.
pub fn prepare(dir: Option<&Path>, scope: Scope, lines: &[ConfigLine]) -> Result<Plan, SetupError> {
    let recorded = recorded(dir, scope)?;
    let mut plan = Plan::default();
    let mut reset = false;
    for line in lines {
        if line.is_helper() && line.value.is_empty() {
            reset = true;
            continue;
        }
        let present = values(dir, Some(scope), &line.key)?;
        if line.is_helper() {
            let own = own_values(&recorded, &line.key, Some(&line.value));
            match after_reset(&present, &own) {
                Some(after) if after.contains(&line.value) => {}
                Some(_) => plan.writes.push(line.clone()),
                None if !reset && present.contains(&line.value) => {}
                None => {
                    if reset {
                        plan.silenced = heard(dir, &line.key, &own)?;
                        plan.writes.push(ConfigLine { key: line.key.clone(), value: String::new() });
                    }
                    plan.writes.push(line.clone());
                }
            }
            reset = false;
        } else if present.is_empty() {
            plan.writes.push(line.clone());
        } else if !(present.len() == 1 && present[0].eq_ignore_ascii_case(&line.value)) {
            plan.kept.extend(present.into_iter().map(|value| ConfigLine { key: line.key.clone(), value }));
        }
    }
    Ok(plan)
}

/// The helpers git asks for `key`'s host now, in every file it reads, other than this app's.
fn heard(dir: Option<&Path>, key: &str, own: &[String]) -> Result<Vec<String>, SetupError> {
    let mut all = values(dir, None, "credential.helper")?;
    all.extend(values(dir, None, key)?);
    let mut out: Vec<String> = Vec::new();
    for v in all {
        if !v.is_empty() && !own.contains(&v) && !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Writes `plan` to `scope`: recorded first (a line the record does not know is never removed
/// by `--undo`), then added with `git config --add` (which never replaces a value). When a
/// write fails, the lines already written are taken back and the record is as it was.
pub fn write(dir: Option<&Path>, scope: Scope, plan: &Plan) -> Result<Vec<ConfigLine>, SetupError> {
    if plan.writes.is_empty() {
        return Ok(Vec::new());
    }
    let key = record_key(dir, scope)?;
    let before = read_record();
    let mut record = before.clone();
    let entry = record.entry(key.clone()).or_default();
    for l in &plan.writes {
        if !entry.lines.contains(l) {
            entry.lines.push(l.clone());
        }
    }
    write_record(&record)?;
    let mut done: Vec<&ConfigLine> = Vec::new();
    for l in &plan.writes {
        match config(dir, scope, &["--add", &l.key, &l.value]).and_then(must) {
            Ok(()) => done.push(l),
            Err(e) => {
                let why = match e {
                    SetupError::Git(s) => s,
                    other => other.to_string(),
                };
                let left = take_back(dir, scope, &done);
                let mut restored = before;
                if !left.is_empty() {
                    restored.entry(key).or_default().lines.extend(left.iter().cloned());
                }
                let _ = write_record(&restored);
                if left.is_empty() {
                    return Err(SetupError::TakenBack(why));
                }
                let left = left.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("; ");
                return Err(SetupError::Partly { why, left });
            }
        }
    }
    Ok(plan.writes.clone())
}

/// Removes `done` again, newest first: each value only where it is the only one of its kind
/// under its key (git cannot remove one of two equal values). Returns what stayed.
fn take_back(dir: Option<&Path>, scope: Scope, done: &[&ConfigLine]) -> Vec<ConfigLine> {
    let mut left = Vec::new();
    for l in done.iter().rev() {
        let present = values(dir, Some(scope), &l.key).unwrap_or_default();
        let gone = present.iter().filter(|v| **v == l.value).count() == 1
            && config(dir, scope, &["--fixed-value", "--unset", &l.key, &l.value]).and_then(must).is_ok();
        if !gone {
            left.push((*l).clone());
        }
    }
    left
}

/// Adds `lines` that are not there yet ([`prepare`], then [`write`]); returns the ones it added.
pub fn apply(dir: Option<&Path>, scope: Scope, lines: &[ConfigLine]) -> Result<Vec<ConfigLine>, SetupError> {
    write(dir, scope, &prepare(dir, scope, lines)?)
}

/// Helpers git reads after this app's line in `scope`'s file, for `base`'s host: git still
/// asks them after this app, and after a push hands them the token (`store`). Only the same
/// file is looked at: its lines are in the order git reads them.
pub fn asked_after(dir: Option<&Path>, scope: Scope, base: &GitBase, ours: &str) -> Result<Vec<String>, SetupError> {
    let out = config(dir, scope, &["-z", "--get-regexp", r"^credential\..*helper$"])?;
    if !out.status.success() && out.status.code() != Some(1) {
        return Err(SetupError::Git(stderr_of(&out)));
    }
    let own_key = format!("{}.helper", section(base));
    let entries: Vec<(String, String)> = split_z(&out.stdout)
        .into_iter()
        .map(|e| match e.split_once('\n') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e, String::new()),
        })
        .collect();
    let Some(at) = entries.iter().rposition(|(k, v)| k.eq_ignore_ascii_case(&own_key) && v == ours) else { return Ok(Vec::new()) };
    let mut after: Vec<String> = Vec::new();
    for (k, v) in &entries[at + 1..] {
        if v.is_empty() {
            // An empty line silences this app too; `is_set_up` says so.
            after.clear();
        } else if v != ours && applies(k, base) {
            after.push(v.clone());
        }
    }
    Ok(after)
}

/// Whether git applies the helper key `key` (`credential.helper`, `credential.URL.helper`) to
/// `base`'s host: the same scheme and host (a `*` standing for one label), any path.
fn applies(key: &str, base: &GitBase) -> bool {
    let Some(rest) = key.strip_prefix("credential.") else { return false };
    let Some(url) = rest.strip_suffix(".helper") else { return rest == "helper" };
    let Some((scheme, rest)) = url.split_once("://") else { return false };
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let labels = |h: &str| h.split('.').map(str::to_ascii_lowercase).collect::<Vec<_>>();
    let (want, have) = (labels(base.host()), labels(host));
    scheme.eq_ignore_ascii_case(base.scheme()) && want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| h == "*" || h == w)
}

/// What `--undo` did: the lines it removed, and those of its own it had to leave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undone {
    pub removed: Vec<ConfigLine>,
    /// Lines this app wrote that git cannot remove alone (an empty `helper` line beside one of
    /// the user's own, or a `useHttpPath` the user has set again beside it).
    pub left: Vec<ConfigLine>,
}

/// Removes from `scope` exactly what `git setup` wrote for `base`: the recorded helper values
/// (and this program's exact unpinned value, from before anything was recorded), the empty
/// `helper` line right before one of them, and `useHttpPath` while it holds the value written.
pub fn undo(dir: Option<&Path>, scope: Scope, base: &GitBase) -> Result<Undone, SetupError> {
    let s = section(base);
    let helper_key = format!("{s}.helper");
    let path_key = format!("{s}.useHttpPath");
    let key = record_key(dir, scope)?;
    let mut record = read_record();
    let recorded = record.get(&key).map(|w| w.lines.clone()).unwrap_or_default();
    let mut done = Undone::default();

    let own = own_values(&recorded, &helper_key, None);
    let present = values(dir, Some(scope), &helper_key)?;
    // The empty lines setup wrote: each stands right before one of this app's values.
    let resets = present.windows(2).filter(|w| w[0].is_empty() && own.contains(&w[1])).count();
    let empties = present.iter().filter(|v| v.is_empty()).count();
    let wrote_reset = recorded.is_empty() || recorded.iter().any(|l| l.key == helper_key && l.value.is_empty());
    let mut seen = Vec::new();
    for value in present.iter().filter(|v| !v.is_empty() && own.contains(v)) {
        if seen.contains(value) {
            continue;
        }
        seen.push(value.clone());
        must(config(dir, scope, &["--fixed-value", "--unset-all", &helper_key, value])?)?;
        done.removed.push(ConfigLine { key: helper_key.clone(), value: value.clone() });
    }
    if resets > 0 && wrote_reset {
        let empty = ConfigLine { key: helper_key.clone(), value: String::new() };
        if empties == resets {
            must(config(dir, scope, &["--fixed-value", "--unset-all", &helper_key, ""])?)?;
            done.removed.push(empty);
        } else {
            done.left.push(empty);
        }
    }

    for line in recorded.iter().filter(|l| l.key == path_key) {
        let present = values(dir, Some(scope), &path_key)?;
        if present.len() == 1 && present[0] == line.value {
            must(config(dir, scope, &["--fixed-value", "--unset", &path_key, &line.value])?)?;
            done.removed.push(line.clone());
        } else if present.len() > 1 && present.contains(&line.value) {
            done.left.push(line.clone());
        }
    }
    if record.remove(&key).is_some() {
        write_record(&record)?;
    }
    Ok(done)
}

/// The command line's path, for the helper line (the window names it too).
pub fn this_program() -> Option<PathBuf> {
    crate::exe::command_line()
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
            command_line_for(Shell::PowerShell, Scope::Global, &l[1]),
            "git config --global --add credential.https://bitbucket.org.helper '!''C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe'' git-credential'"
        );
        assert_eq!(command_line_for(Shell::PowerShell, Scope::Local, &l[2]), "git config --local credential.https://bitbucket.org.useHttpPath true");
        assert_eq!(command_line_for(Shell::PowerShell, Scope::Global, &l[0]), "git config --global --add credential.https://bitbucket.org.helper --% \"\"");
        assert_eq!(command_line_for(Shell::Posix, Scope::Global, &l[0]), "git config --global --add credential.https://bitbucket.org.helper ''");
        let l = lines_for(Os::Linux, &GitBase::cloud(), "/opt/My Apps/bitbucket-setup", None);
        assert_eq!(
            command_line_for(Shell::Posix, Scope::Global, &l[1]),
            r"git config --global --add credential.https://bitbucket.org.helper '!'\''/opt/My Apps/bitbucket-setup'\'' git-credential'"
        );
    }

    #[test]
    fn the_lines_name_bitbucket_only() {
        let l = lines_for(Os::Linux, &GitBase::cloud(), "/usr/bin/bitbucket-setup", None);
        // The empty line first: git forgets every helper it read before it, for this host only.
        assert_eq!(l[0], ConfigLine { key: "credential.https://bitbucket.org.helper".into(), value: String::new() });
        assert_eq!(l[1].key, "credential.https://bitbucket.org.helper");
        assert_eq!(l[2], ConfigLine { key: "credential.https://bitbucket.org.useHttpPath".into(), value: "true".into() });
        assert_eq!(command_line_for(Shell::Posix, Scope::Global, &l[0]), "git config --global --add credential.https://bitbucket.org.helper ''");
        assert_eq!(command_line_for(Shell::Posix, Scope::Global, &l[1]), "git config --global --add credential.https://bitbucket.org.helper '/usr/bin/bitbucket-setup git-credential'");
        let local = GitBase::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(section(&local), "credential.http://127.0.0.1:8080");
    }

    #[test]
    fn minus_z_output_keeps_empty_values_and_line_breaks() {
        assert_eq!(split_z(b""), Vec::<String>::new());
        assert_eq!(split_z(b"\0"), vec![String::new()]);
        assert_eq!(split_z(b"manager\0\0!f() {\n echo; }; f\0"), vec!["manager".to_string(), String::new(), "!f() {\n echo; }; f".to_string()]);
    }

    #[test]
    fn only_this_apps_values_after_an_empty_line_count_as_set_up() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let own = v(&["/a/bitbucket-setup git-credential"]);
        assert_eq!(after_reset(&v(&["manager", "", "/a/bitbucket-setup git-credential"]), &own), Some(&own[..]));
        assert_eq!(after_reset(&v(&["manager", "/a/bitbucket-setup git-credential"]), &own), None);
        assert_eq!(after_reset(&v(&["", "/a/bitbucket-setup git-credential", "store"]), &own), None);
        assert_eq!(after_reset(&v(&["store", ""]), &own), Some(&[][..]));
        // Another tool's wrapper is not this app's, whatever its name holds.
        assert_eq!(after_reset(&v(&["", "/opt/corp-bitbucket-setup-wrapper git-credential"]), &own), None);
    }

    #[test]
    fn helper_keys_apply_by_scheme_and_host() {
        let cloud = GitBase::cloud();
        for (key, yes) in [
            ("credential.helper", true),
            ("credential.https://bitbucket.org.helper", true),
            ("credential.https://BitBucket.org/acme.helper", true),
            ("credential.https://*.org.helper", true),
            ("credential.https://u@bitbucket.org.helper", true),
            ("credential.https://github.com.helper", false),
            ("credential.http://bitbucket.org.helper", false),
            ("credential.https://bitbucket.org.usehttppath", false),
        ] {
            assert_eq!(applies(key, &cloud), yes, "{key}");
        }
        assert_eq!(git_bool("False"), Some(false));
        assert_eq!(git_bool("on"), Some(true));
        assert_eq!(git_bool("2"), Some(true));
    }
}
