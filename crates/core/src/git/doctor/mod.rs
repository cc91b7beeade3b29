//! Finds passwords for Bitbucket's git host that git keeps in plain text, and retires them:
//! `~/.git-credentials` and `$XDG_CONFIG_HOME/git/credentials` (git's `store` helper), `~/.netrc`,
//! and the `url` and `pushurl` of every remote of the repositories named. App passwords stopped
//! working on 2026-07-28, and a `store` helper listed before this app's would keep answering git
//! with one.
//!
//! A finding names the file, the line, the host and the user, never the password. A file that is
//! there but cannot be read (not allowed, a folder, a named pipe, a link to nothing) is reported
//! as such, never taken for "nothing found". Files are read byte by byte ([`scan`]): bytes that
//! are not UTF-8 and each line's end are kept as they were.
//!
//! Retiring is all or nothing per file: the file's bytes are copied to a backup next to it
//! (readable only by you), every entry in it is removed (or, for a remote, the user and password
//! are taken out of its URL) and the file is replaced in one rename, with its mode ([`files`]).
//! A link is followed: its target is edited and the link stays. A file that fails is left as it
//! was, and the others are still retired.

mod files;
mod scan;

use std::path::{Path, PathBuf};

use crate::bitbucket::githost::GitBase;

pub use files::plain;

/// Where a stored password was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// A line of git's credential store.
    CredentialStore { line: usize },
    /// A `machine` entry of a netrc file.
    Netrc { line: usize },
    /// A remote of a repository, whose URL (`url`) or push URL (`pushurl`) holds the password.
    Remote { repository: PathBuf, remote: String, key: &'static str, line: usize },
}

/// A password for Bitbucket's git host in plain text. Never holds the password.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub file: PathBuf,
    pub place: Place,
    pub host: String,
    pub user: String,
    /// What the password looks like: "an app password (retired)", "a token" or "a password".
    pub looks_like: &'static str,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = crate::safe_text::visible;
        match &self.place {
            Place::CredentialStore { line } | Place::Netrc { line } => {
                write!(f, "{}, line {line}: {} for user \"{}\" on {}", self.file.display(), self.looks_like, v(&self.user), self.host)
            }
            Place::Remote { repository, remote, key, line } => write!(
                f,
                "the remote \"{}\" of {} ({key}, {} line {line}): {} for user \"{}\" in its URL",
                v(remote),
                repository.display(),
                self.file.display(),
                self.looks_like,
                v(&self.user)
            ),
        }
    }
}

/// A file that is there but could not be read, so what it holds is not known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unreadable {
    pub file: PathBuf,
    /// Why, in plain words.
    pub why: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.why)
    }
}

/// What was looked at: the passwords found, and the files that could not be read.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Survey {
    pub found: Vec<Finding>,
    pub unreadable: Vec<Unreadable>,
}

/// One change `--fix` made. Never holds the password.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub place: Place,
    pub user: String,
    pub looks_like: &'static str,
    /// A remote's URL after the change (it never held more than the user and password).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = crate::safe_text::visible;
        let (what, user) = (self.looks_like, v(&self.user));
        match &self.place {
            Place::CredentialStore { line } => write!(f, "line {line}: removed {what} for user \"{user}\"; git asks this app instead"),
            Place::Netrc { line } => write!(f, "line {line}: removed the machine entry with {what} for user \"{user}\"; git asks this app instead"),
            Place::Remote { remote, key, line, .. } => write!(
                f,
                "remote \"{}\" {key} (line {line}): took out user \"{user}\" and {what}; it is now {}",
                v(remote),
                v(self.now.as_deref().unwrap_or(""))
            ),
        }
    }
}

/// A file `--fix` changed: the path as found, the file written (a link's target), its backup
/// and each change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileFixed {
    pub file: PathBuf,
    pub edited: PathBuf,
    pub backup: PathBuf,
    pub changes: Vec<Change>,
}

impl FileFixed {
    /// The file, and the file changed when it is a link's target.
    pub fn names(&self) -> String {
        if self.edited == self.file {
            self.file.display().to_string()
        } else {
            format!("{} (a link; the file changed is {}, and the link is kept)", self.file.display(), self.edited.display())
        }
    }
}

/// What `--fix` did: the files changed, and why each other file was left as it was.
#[derive(Debug, Default)]
pub struct Fixed {
    pub files: Vec<FileFixed>,
    pub failed: Vec<DoctorError>,
}

/// Why a file was left as it was. `Display` is the user's sentence.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    #[error("{} was left as it was: could not {step}: {}.", .file.display(), plain(.source, false))]
    Io { file: PathBuf, step: String, source: std::io::Error },
    #[error("{} was left as it was: it could not be read ({why}).", .file.display())]
    Unreadable { file: PathBuf, why: String },
    #[error("{} changed since it was read, so it was left as it was; run git doctor again.", .path.display())]
    Changed { path: PathBuf },
}

impl DoctorError {
    /// The file left as it was.
    pub fn file(&self) -> &Path {
        match self {
            DoctorError::Io { file, .. } | DoctorError::Unreadable { file, .. } => file,
            DoctorError::Changed { path } => path,
        }
    }
}

/// The files git's `store` helper reads, in its order.
pub fn credential_store_files(home: &Path, xdg_config_home: Option<&Path>) -> Vec<PathBuf> {
    let xdg = xdg_config_home.map(Path::to_path_buf).unwrap_or_else(|| home.join(".config"));
    vec![home.join(".git-credentials"), xdg.join("git").join("credentials")]
}

/// What kind of file a path is, which says how it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    CredentialStore,
    Netrc,
    GitConfig { repository: PathBuf },
}

impl Kind {
    fn of(place: &Place) -> Kind {
        match place {
            Place::CredentialStore { .. } => Kind::CredentialStore,
            Place::Netrc { .. } => Kind::Netrc,
            Place::Remote { repository, .. } => Kind::GitConfig { repository: repository.clone() },
        }
    }

    fn scan(&self, bytes: &[u8], base: &GitBase) -> Vec<scan::Hit> {
        match self {
            Kind::CredentialStore => scan::credential_store(bytes, base),
            Kind::Netrc => scan::netrc(bytes, base),
            Kind::GitConfig { .. } => scan::git_config(bytes, base),
        }
    }

    fn place(&self, hit: &scan::Hit) -> Place {
        match (self, &hit.remote) {
            (Kind::GitConfig { repository }, Some((remote, key))) => Place::Remote { repository: repository.clone(), remote: remote.clone(), key, line: hit.line },
            (Kind::Netrc, _) => Place::Netrc { line: hit.line },
            _ => Place::CredentialStore { line: hit.line },
        }
    }

    fn host(&self, base: &GitBase) -> String {
        if *self == Kind::Netrc { base.host_name() } else { base.host() }.to_string()
    }
}

/// The configuration file of the repository at `repo` (shared by its worktrees).
fn config_of(repo: &Path) -> Result<PathBuf, String> {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").arg("-C").arg(repo).args(args).stdin(std::process::Stdio::null()).output().ok()?;
        out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', '\r'])))
    };
    if std::process::Command::new("git").arg("--version").output().is_err() {
        return Err("git could not be run to find its configuration".into());
    }
    // --path-format needs git 2.31; older git answers relative to the folder.
    let dir = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]).or_else(|| git(&["rev-parse", "--git-common-dir"]).map(|d| repo.join(d)));
    dir.map(|d| d.join("config")).ok_or_else(|| "it is not a git repository (git found none there)".into())
}

/// Looks at one file of a kind: its findings, or why it could not be read.
fn look(path: &Path, kind: &Kind, base: &GitBase, survey: &mut Survey) {
    match files::read(path) {
        files::Look::Missing => {}
        files::Look::Unreadable(why) => survey.unreadable.push(Unreadable { file: path.to_path_buf(), why }),
        files::Look::Read(c) => survey.found.extend(kind.scan(&c.bytes, base).iter().map(|hit| Finding {
            file: path.to_path_buf(),
            place: kind.place(hit),
            host: kind.host(base),
            user: hit.user.clone(),
            looks_like: hit.looks_like,
        })),
    }
}

/// Everything stored in plain text for `base`'s host: the credential stores, `~/.netrc`, and
/// the remotes of `repos`; and every one of those files that is there but could not be read.
pub fn survey(home: &Path, xdg_config_home: Option<&Path>, repos: &[PathBuf], base: &GitBase) -> Survey {
    let mut survey = Survey::default();
    for path in credential_store_files(home, xdg_config_home) {
        look(&path, &Kind::CredentialStore, base, &mut survey);
    }
    look(&home.join(".netrc"), &Kind::Netrc, base, &mut survey);
    for repo in repos {
        match config_of(repo) {
            Ok(config) => look(&config, &Kind::GitConfig { repository: repo.clone() }, base, &mut survey),
            Err(why) => survey.unreadable.push(Unreadable { file: repo.clone(), why }),
        }
    }
    survey
}

/// Retires everything found in one file, or nothing: backup, then one replace. The file must
/// hold exactly the findings it held when it was looked at.
fn fix_file(path: &Path, findings: &[&Finding], base: &GitBase) -> Result<FileFixed, DoctorError> {
    let kind = Kind::of(&findings[0].place);
    let c = match files::read(path) {
        files::Look::Read(c) => c,
        files::Look::Missing => return Err(DoctorError::Changed { path: path.to_path_buf() }),
        files::Look::Unreadable(why) => return Err(DoctorError::Unreadable { file: path.to_path_buf(), why }),
    };
    let hits = kind.scan(&c.bytes, base);
    let changes: Vec<Change> = hits
        .iter()
        .map(|h| Change {
            place: kind.place(h),
            user: h.user.clone(),
            looks_like: h.looks_like,
            now: h.remote.as_ref().map(|_| String::from_utf8_lossy(&h.replacement).into_owned()),
        })
        .collect();
    if changes.iter().map(|c| &c.place).ne(findings.iter().map(|f| &f.place)) {
        return Err(DoctorError::Changed { path: path.to_path_buf() });
    }
    let bytes = scan::apply(&c.bytes, &hits, kind == Kind::CredentialStore);
    let io = |step: String, source| DoctorError::Io { file: path.to_path_buf(), step, source };
    let backup = files::backup(&c).map_err(|(copy, e)| io(format!("create the backup {}", copy.display()), e))?;
    // Written by another program meanwhile: its change is not lost.
    if files::read_bytes(&c.edited).ok().as_deref() != Some(c.bytes.as_slice()) {
        files::forget(&backup);
        return Err(DoctorError::Changed { path: path.to_path_buf() });
    }
    if let Err(e) = files::replace(&c, &bytes) {
        files::forget(&backup);
        return Err(io(format!("replace {}", c.edited.display()), e));
    }
    Ok(FileFixed { file: path.to_path_buf(), edited: c.edited, backup, changes })
}

/// Retires the findings, file by file: each file is changed completely or not at all, and a file
/// that fails does not stop the others.
pub fn fix(findings: &[Finding], base: &GitBase) -> Fixed {
    let mut paths: Vec<&Path> = Vec::new();
    for f in findings {
        if !paths.contains(&f.file.as_path()) {
            paths.push(&f.file);
        }
    }
    let mut fixed = Fixed::default();
    for path in paths {
        let of_file: Vec<&Finding> = findings.iter().filter(|f| f.file == path).collect();
        match fix_file(path, &of_file, base) {
            Ok(done) => fixed.files.push(done),
            Err(e) => fixed.failed.push(e),
        }
    }
    fixed
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_PASSWORD: &str = "ATBBxq7Lm2Zp9Rt4Vw8Yb3Nc6Df1Gh5Jk0E1A2B3C4";

    #[test]
    fn retiring_backs_up_then_removes_only_bitbucket() {
        let home = tempfile::tempdir().unwrap();
        let store = home.path().join(".git-credentials");
        std::fs::write(&store, format!("https://bob:ghp_x@github.com\nhttps://alice:{APP_PASSWORD}@bitbucket.org\n")).unwrap();
        let base = GitBase::cloud();
        let found = survey(home.path(), None, &[], &base).found;
        assert_eq!(found.len(), 1);
        for text in [found[0].to_string(), format!("{:?}", found[0])] {
            assert!(!text.contains("ATBB"), "{text}");
        }
        let fixed = fix(&found, &base);
        assert!(fixed.failed.is_empty(), "{:?}", fixed.failed);
        assert_eq!(std::fs::read_to_string(&store).unwrap(), "https://bob:ghp_x@github.com\n");
        assert_eq!(fixed.files.len(), 1);
        let done = &fixed.files[0];
        assert_eq!(done.changes.len(), 1);
        assert!(done.changes[0].to_string().starts_with("line 2: removed an app password (retired) for user \"alice\""), "{}", done.changes[0]);
        assert!(std::fs::read_to_string(&done.backup).unwrap().contains(APP_PASSWORD), "the backup is the file as it was");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&done.backup).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(survey(home.path(), None, &[], &base).found.is_empty());
    }

    #[test]
    fn a_file_that_changed_since_it_was_read_is_left_alone() {
        let home = tempfile::tempdir().unwrap();
        let store = home.path().join(".git-credentials");
        std::fs::write(&store, format!("https://alice:{APP_PASSWORD}@bitbucket.org\n")).unwrap();
        let base = GitBase::cloud();
        let found = survey(home.path(), None, &[], &base).found;
        let now = format!("https://alice:{APP_PASSWORD}@bitbucket.org\nhttps://carol:{APP_PASSWORD}@bitbucket.org\n");
        std::fs::write(&store, &now).unwrap();
        let fixed = fix(&found, &base);
        assert!(matches!(fixed.failed[..], [DoctorError::Changed { .. }]), "{:?}", fixed.failed);
        assert_eq!(std::fs::read_to_string(&store).unwrap(), now);
        assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 1, "no backup is left behind");
    }

    #[test]
    fn a_folder_that_is_not_a_repository_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        if std::process::Command::new("git").arg("--version").output().is_err() {
            return;
        }
        let s = survey(home.path(), None, &[dir.path().to_path_buf()], &GitBase::cloud());
        assert!(s.found.is_empty());
        assert_eq!(s.unreadable.len(), 1, "{:?}", s.unreadable);
        assert!(s.unreadable[0].why.contains("not a git repository"), "{}", s.unreadable[0]);
    }
}
