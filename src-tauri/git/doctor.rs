//! Finds passwords for Bitbucket's git host that git keeps in plain text, and retires them:
//! `~/.git-credentials` and `$XDG_CONFIG_HOME/git/credentials` (git's `store` helper), `~/.netrc`,
//! and remote URLs with a password in them. App passwords stopped working on 2026-07-28, and a
//! `store` helper listed before this app's would keep answering git with one.
//!
//! A finding names the file, the line, the host and the user, never the password. Retiring one
//! first copies the file to a backup next to it (readable only by you), then removes the entry
//! (or, for a remote, the password from its URL); the helper then answers instead.

use std::path::{Path, PathBuf};

use chrono::Utc;
use percent_encoding::percent_decode_str;
use url::Url;

use crate::bitbucket::credential::{self, PastedKind};
use crate::bitbucket::githost::GitBase;

/// Where a stored password was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// A line of git's credential store.
    CredentialStore { line: usize },
    /// A `machine` entry of a netrc file.
    Netrc { line: usize },
    /// A remote of a repository, whose URL holds the password.
    Remote { repository: PathBuf, remote: String },
}

/// A password for Bitbucket's git host in plain text. Never holds the password.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub file: PathBuf,
    pub place: Place,
    pub host: String,
    pub user: String,
    /// What the password looks like: "an app password (retired)" or "a token".
    pub looks_like: &'static str,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = crate::safe_text::visible;
        match &self.place {
            Place::CredentialStore { line } | Place::Netrc { line } => {
                write!(f, "{}, line {line}: {} for user \"{}\" on {}", self.file.display(), self.looks_like, v(&self.user), self.host)
            }
            Place::Remote { repository, remote } => write!(
                f,
                "the remote \"{}\" of {}: {} for user \"{}\" in its URL",
                v(remote),
                repository.display(),
                self.looks_like,
                v(&self.user)
            ),
        }
    }
}

/// Why a finding could not be retired. `Display` is the user's sentence.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    #[error("Could not {action} {}: {source}. Nothing in it was changed.", .path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("git could not change the remote \"{remote}\": {why}")]
    Git { remote: String, why: String },
    #[error("{} changed since it was read; look again before retiring anything.", .path.display())]
    Changed { path: PathBuf },
}

fn looks_like(password: &str) -> &'static str {
    match credential::classify(password).map(|p| p.kind) {
        Ok(PastedKind::AccessToken) | Ok(PastedKind::ApiToken) => "a token",
        Ok(PastedKind::AppPassword) | Ok(PastedKind::LegacyAppPassword) => "an app password (retired)",
        _ => "a password",
    }
}

/// The files git's `store` helper reads, in its order.
pub fn credential_store_files(home: &Path, xdg_config_home: Option<&Path>) -> Vec<PathBuf> {
    let xdg = xdg_config_home.map(Path::to_path_buf).unwrap_or_else(|| home.join(".config"));
    vec![home.join(".git-credentials"), xdg.join("git").join("credentials")]
}

/// `user` and `password` of a URL whose host is `base`'s.
fn credentials_in(url: &str, base: &GitBase) -> Option<(String, String)> {
    let u = Url::parse(url.trim()).ok()?;
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str()?),
        None => u.host_str()?.to_string(),
    };
    if !host.eq_ignore_ascii_case(base.host()) {
        return None;
    }
    let password = percent_decode_str(u.password()?).decode_utf8().ok()?.to_string();
    let user = percent_decode_str(u.username()).decode_utf8().ok()?.to_string();
    Some((user, password))
}

/// Entries of a credential store file for `base`'s host.
pub fn scan_credential_store(path: &Path, text: &str, base: &GitBase) -> Vec<Finding> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (user, password) = credentials_in(line, base)?;
            Some(Finding { file: path.to_path_buf(), place: Place::CredentialStore { line: i + 1 }, host: base.host().to_string(), user, looks_like: looks_like(&password) })
        })
        .collect()
}

/// A netrc's words with their byte ranges; `macdef` bodies (up to a blank line) are skipped.
fn netrc_words(text: &str) -> Vec<(usize, usize, &str)> {
    let mut words = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let word = &text[start..i];
        words.push((start, i, word));
        if word == "macdef" {
            // The macro's name, then its body up to an empty line.
            match text[i..].find("\n\n") {
                Some(end) => i += end + 2,
                None => i = bytes.len(),
            }
        }
    }
    words
}

/// The byte range of each `machine` entry for `host` with a password: (start, end, user, password).
fn netrc_entries<'a>(text: &'a str, host: &str) -> Vec<(usize, usize, &'a str, &'a str)> {
    let words = netrc_words(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (start, _, w) = words[i];
        if w == "machine" && words.get(i + 1).is_some_and(|(_, _, h)| h.eq_ignore_ascii_case(host)) {
            let mut j = i + 2;
            let (mut user, mut password) = ("", None);
            while j < words.len() && !matches!(words[j].2, "machine" | "default" | "macdef") {
                match (words[j].2, words.get(j + 1)) {
                    ("login", Some(v)) => user = v.2,
                    ("password", Some(v)) => password = Some(v.2),
                    _ => {}
                }
                j += 1;
            }
            let end = words.get(j).map(|w| w.0).unwrap_or(text.len());
            if let Some(p) = password {
                found.push((start, end, user, p));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

/// `machine` entries of a netrc for `base`'s host (a netrc names hosts without ports).
pub fn scan_netrc(path: &Path, text: &str, base: &GitBase) -> Vec<Finding> {
    netrc_entries(text, base.host_name())
        .into_iter()
        .map(|(start, _, user, password)| Finding {
            file: path.to_path_buf(),
            place: Place::Netrc { line: text[..start].matches('\n').count() + 1 },
            host: base.host_name().to_string(),
            user: user.to_string(),
            looks_like: looks_like(password),
        })
        .collect()
}

/// Remotes of the repository at `repo` whose URL holds a password for `base`'s host.
pub fn scan_remotes(repo: &Path, base: &GitBase) -> Vec<Finding> {
    let Ok(out) = std::process::Command::new("git").arg("-C").arg(repo).args(["config", "--local", "--get-regexp", r"^remote\..*\.url$"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (key, url) = line.split_once(' ')?;
            let remote = key.strip_prefix("remote.")?.strip_suffix(".url")?.to_string();
            let (user, password) = credentials_in(url, base)?;
            Some(Finding {
                file: repo.join(".git").join("config"),
                place: Place::Remote { repository: repo.to_path_buf(), remote },
                host: base.host().to_string(),
                user,
                looks_like: looks_like(&password),
            })
        })
        .collect()
}

/// Everything stored in plain text for `base`'s host: the credential stores, `~/.netrc`, and
/// the remotes of `repos`.
pub fn find(home: &Path, xdg_config_home: Option<&Path>, repos: &[PathBuf], base: &GitBase) -> Vec<Finding> {
    let mut found = Vec::new();
    for path in credential_store_files(home, xdg_config_home) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            found.extend(scan_credential_store(&path, &text, base));
        }
    }
    let netrc = home.join(".netrc");
    if let Ok(text) = std::fs::read_to_string(&netrc) {
        found.extend(scan_netrc(&netrc, &text, base));
    }
    for repo in repos {
        found.extend(scan_remotes(repo, base));
    }
    found
}

/// Copies `path` next to itself (`NAME.bitbucket-setup-backup-YYYYMMDD-HHMMSS`), readable only
/// by you. Returns the copy's path.
fn backup(path: &Path) -> Result<PathBuf, DoctorError> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let copy = path.with_file_name(format!("{name}.bitbucket-setup-backup-{}", Utc::now().format("%Y%m%d-%H%M%S")));
    let bytes = std::fs::read(path).map_err(|source| DoctorError::Io { action: "read", path: path.to_path_buf(), source })?;
    write_private(&copy, &bytes, true)?;
    Ok(copy)
}

/// Writes a file readable only by you: new (`create_new`), or replacing `path` atomically.
fn write_private(path: &Path, bytes: &[u8], create_new: bool) -> Result<(), DoctorError> {
    use std::io::Write;
    let io = |action, source| DoctorError::Io { action, path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".bitbucket-setup-").tempfile_in(dir).map_err(|e| io("write next to", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| io("protect", e))?;
    }
    tmp.write_all(bytes).and_then(|_| tmp.as_file().sync_all()).map_err(|e| io("write", e))?;
    // Tried again while another program holds the old file open on Windows.
    crate::replace::persist(tmp, path, !create_new).map_err(|e| io(if create_new { "create" } else { "replace" }, e.error))?;
    Ok(())
}

/// Retires the findings of one file or remote: backup first, then the entries go. Returns
/// the backups made.
pub fn retire(findings: &[Finding], base: &GitBase) -> Result<Vec<PathBuf>, DoctorError> {
    let mut backups = Vec::new();
    let mut files: Vec<&Path> = findings.iter().filter(|f| !matches!(f.place, Place::Remote { .. })).map(|f| f.file.as_path()).collect();
    files.sort();
    files.dedup();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|source| DoctorError::Io { action: "read", path: path.to_path_buf(), source })?;
        let is_netrc = findings.iter().any(|f| f.file == path && matches!(f.place, Place::Netrc { .. }));
        let kept = if is_netrc {
            let mut kept = text.clone();
            for (start, end, _, _) in netrc_entries(&text, base.host_name()).into_iter().rev() {
                kept.replace_range(start..end, "");
            }
            kept
        } else {
            let mut kept: String = text.lines().filter(|l| credentials_in(l, base).is_none()).map(|l| format!("{l}\n")).collect();
            if kept.trim().is_empty() {
                kept.clear();
            }
            kept
        };
        if kept == text {
            return Err(DoctorError::Changed { path: path.to_path_buf() });
        }
        backups.push(backup(path)?);
        write_private(path, kept.as_bytes(), false)?;
    }
    for f in findings {
        let Place::Remote { repository, remote } = &f.place else { continue };
        let git = |args: &[&str]| std::process::Command::new("git").arg("-C").arg(repository).args(args).output();
        let out = git(&["config", "--local", "--get", &format!("remote.{remote}.url")]).map_err(|e| DoctorError::Git { remote: remote.clone(), why: e.to_string() })?;
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let Ok(mut clean) = Url::parse(&url) else { continue };
        let _ = clean.set_password(None);
        let _ = clean.set_username("");
        if !backups.contains(&f.file) && f.file.exists() {
            backups.push(backup(&f.file)?);
        }
        let out = git(&["remote", "set-url", remote, clean.as_str()]).map_err(|e| DoctorError::Git { remote: remote.clone(), why: e.to_string() })?;
        if !out.status.success() {
            return Err(DoctorError::Git { remote: remote.clone(), why: String::from_utf8_lossy(&out.stderr).trim().chars().take(200).collect() });
        }
    }
    Ok(backups)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_PASSWORD: &str = "ATBBxq7Lm2Zp9Rt4Vw8Yb3Nc6Df1Gh5Jk0E1A2B3C4";

    #[test]
    fn credential_store_lines_for_bitbucket_are_found_without_the_password() {
        let text = format!("https://alice:{APP_PASSWORD}@bitbucket.org\nhttps://bob:ghp_x@github.com\nhttps://x-token-auth:ATCTT3xFfGN0abc@BitBucket.org/acme/website.git\n");
        let found = scan_credential_store(Path::new("/h/.git-credentials"), &text, &GitBase::cloud());
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].user.as_str(), found[0].place.clone(), found[0].looks_like), ("alice", Place::CredentialStore { line: 1 }, "an app password (retired)"));
        assert_eq!((found[1].user.as_str(), found[1].looks_like), ("x-token-auth", "a token"));
        for f in &found {
            assert!(!format!("{f} {f:?}").contains("ATBB") && !format!("{f}").contains("ATCTT"), "{f}");
        }
    }

    #[test]
    fn netrc_entries_are_found_and_removed_alone() {
        let text = format!("machine github.com login bob password ghp_x\nmachine bitbucket.org\n  login alice\n  password {APP_PASSWORD}\n\nmacdef init\nmachine bitbucket.org password x\n\ndefault login anonymous password me@example.com\n");
        let found = scan_netrc(Path::new("/h/.netrc"), &text, &GitBase::cloud());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].user, "alice");
        assert_eq!(found[0].place, Place::Netrc { line: 2 });
        let entries = netrc_entries(&text, "bitbucket.org");
        let mut kept = text.clone();
        for (s, e, _, _) in entries.into_iter().rev() {
            kept.replace_range(s..e, "");
        }
        assert!(kept.contains("machine github.com login bob password ghp_x") && kept.contains("default login anonymous"), "{kept}");
        assert!(!kept.contains(APP_PASSWORD) && kept.contains("macdef init"), "{kept}");
    }

    #[test]
    fn retiring_backs_up_then_removes_only_bitbucket() {
        let home = tempfile::tempdir().unwrap();
        let store = home.path().join(".git-credentials");
        std::fs::write(&store, format!("https://bob:ghp_x@github.com\nhttps://alice:{APP_PASSWORD}@bitbucket.org\n")).unwrap();
        let base = GitBase::cloud();
        let found = find(home.path(), None, &[], &base);
        assert_eq!(found.len(), 1);
        let backups = retire(&found, &base).unwrap();
        assert_eq!(std::fs::read_to_string(&store).unwrap(), "https://bob:ghp_x@github.com\n");
        assert_eq!(backups.len(), 1);
        assert!(std::fs::read_to_string(&backups[0]).unwrap().contains(APP_PASSWORD), "the backup is the file as it was");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&backups[0]).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(find(home.path(), None, &[], &base).is_empty());
    }
}
