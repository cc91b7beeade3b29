//! The list of saved connections: a small versioned JSON file that never holds a secret.
//!
//! ```json
//! {"version": 1, "connections": [ { "id": "…", "name": "…", … } ]}
//! ```
//!
//! Writes are atomic (temporary file in the same folder, fsync, rename, fsync of the folder),
//! the file is private to the user (0600, folder 0700 on Unix), and every change holds a lock
//! across processes from read to write ([`ConnectionsFile::begin`]). A file that cannot be
//! read — broken JSON, or written by a newer version of the app — is moved aside to
//! `connections.json.corrupt-<UTC time>` / `connections.json.newer-version-<UTC time>` (never
//! over an earlier one); records this version cannot read are kept aside on their own in
//! `connections.json.unreadable-records-<UTC time>` and the rest are loaded. Either is reported
//! through [`Loaded::set_aside`] to every reader until the user has seen it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::bitbucket::credential::CredentialKind;
use crate::presets::PresetId;

/// The file format version this build reads and writes.
pub const FILE_VERSION: u64 = 1;
/// The file name inside the config folder.
pub const FILE_NAME: &str = "connections.json";
/// The folder name inside the OS config folder.
pub const APP_DIR: &str = "bitbucket-setup-assistant";
/// Environment variable that overrides the config folder (tests, portable setups).
pub const CONFIG_DIR_ENV: &str = "BITBUCKET_SETUP_CONFIG_DIR";
/// Longest connection name, in characters.
pub const NAME_MAX_CHARS: usize = 50;
/// Longest description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 255;
/// A token expiring within this many days is "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 14;

/// One saved connection: everything about a credential except the secret, which is in the
/// keychain under `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// UUID v4, stable for the connection's life; the keychain account.
    pub id: String,
    /// Trimmed, 1–50 characters, unique (case-insensitive).
    pub name: String,
    /// At most 255 characters.
    #[serde(default)]
    pub description: Option<String>,
    pub preset: PresetId,
    pub kind: CredentialKind,
    pub workspace: String,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    pub api_url: String,
    #[serde(default)]
    pub base_branch: Option<String>,
    #[serde(default)]
    pub granted_scopes: Vec<String>,
    /// `x-credential-type` as Bitbucket reported it.
    #[serde(default)]
    pub credential_type: Option<String>,
    #[serde(default)]
    pub last_check: Option<LastCheck>,
    #[serde(default)]
    pub expires: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Connection {
    /// A fresh stable id (UUID v4).
    pub fn new_id() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// A connection with a fresh id and its place, and every other field at its default (no
    /// check, no expiry, Bitbucket Cloud's API). The one place a record is built from nothing:
    /// the app and the tests say only the fields that matter to them
    /// (`Connection { expires, ..Connection::new(…) }`), so a new field touches one line here.
    pub fn new(name: impl Into<String>, preset: PresetId, kind: CredentialKind, workspace: impl Into<String>, repository: Option<&str>) -> Connection {
        let now = Utc::now();
        Connection {
            id: Self::new_id(),
            name: name.into(),
            description: None,
            preset,
            kind,
            workspace: workspace.into(),
            repository: repository.map(str::to_string),
            email: None,
            username: None,
            api_url: crate::bitbucket::client::DEFAULT_API_URL.to_string(),
            base_branch: None,
            granted_scopes: Vec::new(),
            credential_type: None,
            last_check: None,
            expires: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// "acme/website", or "acme" for a workspace-wide credential.
    pub fn target(&self) -> String {
        match self
            .repository
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(repo) => format!("{}/{}", self.workspace, repo),
            None => self.workspace.clone(),
        }
    }

    /// The expiry status today (local date).
    pub fn expiry_status_today(&self) -> ExpiryStatus {
        expiry_status(self.expires, chrono::Local::now().date_naive())
    }

    /// Checks the fields a person typed and returns the connection with its name and
    /// description trimmed (an empty description becomes `None`).
    pub fn normalized(mut self) -> Result<Connection, ConnectionsError> {
        if uuid::Uuid::parse_str(self.id.trim()).is_err() {
            return Err(ConnectionsError::InvalidId);
        }
        self.id = self.id.trim().to_string();
        self.name = validate_name(&self.name)?;
        self.description = match self.description.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => {
                let len = d.chars().count();
                if len > DESCRIPTION_MAX_CHARS {
                    return Err(ConnectionsError::DescriptionTooLong { len });
                }
                // Line breaks and tabs are a description's own; other control characters
                // would act on a terminal or in a file that shows it.
                if d.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    return Err(ConnectionsError::DescriptionHasControlCharacters);
                }
                Some(d.to_string())
            }
        };
        if self.workspace.trim().is_empty() {
            return Err(ConnectionsError::MissingWorkspace);
        }
        Ok(self)
    }
}

/// The result of the last check against Bitbucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastCheck {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// A short problem code (e.g. "expired", "missing_scope"), when not ok.
    #[serde(default)]
    pub problem: Option<String>,
    /// The plain-language summary shown to the user.
    pub message: String,
    /// What Bitbucket answered, for "Copy details for support" (no secret, no account name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<crate::bitbucket::validate::CheckDetails>>,
}

/// How close a token is to its expiry date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ExpiryStatus {
    /// No expiry date known.
    NoDate,
    /// More than [`EXPIRING_SOON_DAYS`] days left.
    Valid { days_left: i64 },
    /// 0–14 days left (0: the expiry date is today).
    ExpiringSoon { days_left: i64 },
    /// The expiry date is in the past.
    Expired { days_ago: i64 },
}

/// The expiry status of a token that expires on `expires`, seen on `today`. A token is counted
/// as usable through its expiry date ("expires today" = 0 days left, expiring soon) and as
/// expired from the day after.
pub fn expiry_status(expires: Option<NaiveDate>, today: NaiveDate) -> ExpiryStatus {
    let Some(expires) = expires else {
        return ExpiryStatus::NoDate;
    };
    let days = expires.signed_duration_since(today).num_days();
    if days < 0 {
        ExpiryStatus::Expired { days_ago: -days }
    } else if days <= EXPIRING_SOON_DAYS {
        ExpiryStatus::ExpiringSoon { days_left: days }
    } else {
        ExpiryStatus::Valid { days_left: days }
    }
}

/// Checks a connection name and returns it trimmed: 1–50 characters (any Unicode, counted as
/// characters), no line breaks or control characters.
pub fn validate_name(raw: &str) -> Result<String, ConnectionsError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ConnectionsError::NameEmpty);
    }
    let len = name.chars().count();
    if len > NAME_MAX_CHARS {
        return Err(ConnectionsError::NameTooLong { len });
    }
    if name.chars().any(char::is_control) {
        return Err(ConnectionsError::NameHasControlCharacters);
    }
    // Characters that reverse how the rest of a line is shown would let a name pass itself
    // off as another in `list` or the window.
    if name.chars().any(crate::safe_text::is_bidi_control) {
        return Err(ConnectionsError::NameHasDirectionControls);
    }
    Ok(name.to_string())
}

/// Names compare case-insensitively (Unicode lowercase) after trimming.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Why a file, or part of it, was set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetAsideReason {
    /// Not valid JSON, or not the shape we expect. `detail` says where, never what.
    Corrupt { detail: String },
    /// Written by a newer version of the app.
    NewerVersion { version: u64 },
    /// Larger than any list of connections (16 MiB).
    TooLarge,
    /// Some connections in an otherwise good file could not be read (for example one saved
    /// by a newer version, for a tool this version does not know); the others were kept.
    Records { count: usize, detail: String },
}

/// Something that could not be read and was kept aside, unchanged, in a file of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    /// Where the original bytes are now.
    pub path: PathBuf,
    pub reason: SetAsideReason,
    /// When it was set aside.
    pub at: DateTime<Utc>,
}

impl SetAside {
    /// A plain message for the UI or CLI.
    pub fn message(&self) -> String {
        let path = crate::safe_text::visible(&self.path.display().to_string());
        let whole = |why: String| {
            format!(
                "{why} It was moved to {path} so nothing is lost, and the list started again empty. Your tokens are still in the keychain. To get the list back, update the app or send that file to support."
            )
        };
        match &self.reason {
            SetAsideReason::Corrupt { detail } => whole(format!("Your saved connections file could not be read ({detail}).")),
            SetAsideReason::NewerVersion { version } => whole(format!(
                "Your saved connections file was written by a newer version of Bitbucket Setup Assistant (file version {version}; this version reads {FILE_VERSION})."
            )),
            SetAsideReason::TooLarge => whole("Your saved connections file is larger than any list of connections (16 MiB).".to_string()),
            SetAsideReason::Records { count, detail } => format!(
                "{count} saved connection{} could not be read ({detail}) and {} moved to {path} so nothing is lost; the others were loaded. {} still in the keychain. To get {} back, update the app or send that file to support.",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "was" } else { "were" },
                if *count == 1 { "Its token is" } else { "Their tokens are" },
                if *count == 1 { "it" } else { "them" },
            ),
        }
    }
}

/// The connections read from the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loaded {
    pub connections: Vec<Connection>,
    /// What was set aside and the user has not yet seen in the window or in `list` (see
    /// [`ConnectionsFile::acknowledge_set_aside`]), oldest first.
    pub set_aside: Vec<SetAside>,
}

/// Problems with the connections list: `Display` is the user's sentence, with what to do where
/// there is something to do. Messages never contain a secret (the file has none) nor file
/// contents.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionsError {
    #[error("Give the connection a name.")]
    NameEmpty,
    #[error("The name is {len} characters long; use at most 50.")]
    NameTooLong { len: usize },
    #[error("The name cannot contain line breaks or tabs.")]
    NameHasControlCharacters,
    #[error("The name cannot contain characters that change the direction of text (such as U+202E).")]
    NameHasDirectionControls,
    #[error("The description cannot contain control characters (other than line breaks and tabs).")]
    DescriptionHasControlCharacters,
    #[error("A connection named \"{name}\" already exists. Choose another name.")]
    DuplicateName { name: String },
    #[error("The description is {len} characters long; use at most 255.")]
    DescriptionTooLong { len: usize },
    #[error("The connection needs a Bitbucket workspace.")]
    MissingWorkspace,
    #[error("The connection's id is not valid.")]
    InvalidId,
    #[error("A connection with this id already exists.")]
    DuplicateId,
    #[error("No saved connection matches \"{what}\". List the saved connections to see their names.")]
    NotFound { what: String },
    #[error(
        "Your config folder could not be found. Set BITBUCKET_SETUP_CONFIG_DIR to a folder to use."
    )]
    NoConfigDir,
    #[error("{} is {what}, not a file of saved connections. Move it away; the app then starts a new list.", .path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("Could not {action} {}: {source}.{}", .path.display(), io_advice(source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("Another Bitbucket Setup Assistant (a window or a command) kept the saved connections busy for {seconds} seconds, so nothing was changed. Try again in a moment; if it keeps happening, close the other window or command.")]
    Busy { seconds: u64 },
    #[error("Could not write the connections list: {0}")]
    Serialize(#[source] serde_json::Error),
}

/// What to do when the connections file cannot be read or written.
fn io_advice(source: &io::Error) -> &'static str {
    match source.kind() {
        io::ErrorKind::PermissionDenied => " Check that you own this folder and may write to it.",
        io::ErrorKind::StorageFull => " Free some disk space and try again.",
        _ => " Try again; if it keeps failing, check the disk and the folder's permissions.",
    }
}

impl ConnectionsError {
    fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        ConnectionsError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    version: u64,
    connections: &'a [Connection],
}

/// The largest connections file read: far more than any list needs.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The file beside the list that remembers what was set aside until the user has seen it.
const NOTICES_FILE: &str = ".set-aside.json";

#[derive(Serialize, Deserialize, Default)]
struct Notices {
    version: u64,
    set_aside: Vec<SetAside>,
}

/// The connections file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionsFile {
    path: PathBuf,
    /// How long a change waits for another process's change to finish.
    lock_wait: Duration,
}

/// How long a change waits, by default, for the lock another process holds.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// One whole change of the list (read, modify, write) under the cross-process lock: what
/// [`ConnectionsFile::begin`] returns. The keychain side of a change happens while it is held,
/// so the record and the token change as one.
pub struct Txn<'a> {
    file: &'a ConnectionsFile,
    _lock: fs::File,
    /// The list as it is now; change it, then [`commit`](Txn::commit).
    pub list: Vec<Connection>,
    /// What is set aside and not yet seen (see [`Loaded::set_aside`]).
    pub set_aside: Vec<SetAside>,
}

impl Txn<'_> {
    /// Writes [`list`](Txn::list) atomically.
    pub fn commit(&self) -> Result<(), ConnectionsError> {
        self.file.save_unlocked(&self.list)
    }

    /// Writes `list` atomically (to put back what was there when a later step failed).
    pub fn write(&self, list: &[Connection]) -> Result<(), ConnectionsError> {
        self.file.save_unlocked(list)
    }
}

/// What a file holds, read leniently.
enum Parsed {
    Clean(Vec<Connection>),
    /// Nothing in it can be used.
    Whole(SetAsideReason),
    /// Some records cannot be read; `bad` are their JSON values, as they were.
    Partial { good: Vec<Connection>, bad: Vec<serde_json::Value>, detail: String },
}

impl ConnectionsFile {
    /// `$BITBUCKET_SETUP_CONFIG_DIR/connections.json` when that is set (tests), otherwise
    /// `<OS config dir>/bitbucket-setup-assistant/connections.json`.
    pub fn default_path() -> Result<PathBuf, ConnectionsError> {
        default_path_from(std::env::var_os(CONFIG_DIR_ENV), dirs::config_dir())
    }

    /// The file at [`ConnectionsFile::default_path`].
    pub fn open_default() -> Result<Self, ConnectionsError> {
        Ok(ConnectionsFile::at(ConnectionsFile::default_path()?))
    }

    pub fn at(path: PathBuf) -> Self {
        ConnectionsFile { path, lock_wait: LOCK_WAIT }
    }

    /// The same file, with changes waiting at most `wait` for another process's lock.
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// Takes the lock that makes one change (read, modify, write) whole: the window and the
    /// command line may change the list at the same moment, and without it one of two changes
    /// would be lost. An advisory lock on a file beside the list (`flock` on Unix,
    /// `LockFileEx` on Windows), released when the returned file is dropped, also when the
    /// process dies. Waits up to the file's lock wait, then gives up with
    /// [`ConnectionsError::Busy`].
    pub fn lock(&self) -> Result<fs::File, ConnectionsError> {
        let dir = self.dir();
        create_private_dir(&dir)?;
        let path = dir.join(".connections.json.lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ConnectionsError::io("open the lock file", &path, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < self.lock_wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(ConnectionsError::Busy { seconds: self.lock_wait.as_secs().max(1) });
                }
                Err(fs::TryLockError::Error(e)) => return Err(ConnectionsError::io("lock", &path, e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn file_name(&self) -> String {
        self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| FILE_NAME.to_string())
    }

    /// The file's bytes (at most [`MAX_FILE_BYTES`] + 1), `None` when there is no file. Refuses
    /// anything that is not a regular file, without waiting on it: a named pipe put in the
    /// list's place must not hang every command.
    fn read_current(&self) -> Result<Option<Vec<u8>>, ConnectionsError> {
        use std::io::Read;
        let meta = match fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ConnectionsError::io("read", &self.path, e)),
        };
        if !meta.is_file() {
            return Err(ConnectionsError::NotAFile { path: self.path.clone(), what: file_kind(&meta) });
        }
        let mut options = fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = match options.open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ConnectionsError::io("read", &self.path, e)),
        };
        let meta = file.metadata().map_err(|e| ConnectionsError::io("read", &self.path, e))?;
        if !meta.is_file() {
            return Err(ConnectionsError::NotAFile { path: self.path.clone(), what: file_kind(&meta) });
        }
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ConnectionsError::io("read", &self.path, e))?;
        Ok(Some(bytes))
    }

    /// Reads the list. A missing file is an empty list. What cannot be read is set aside (under
    /// the lock, after reading the file again, so a good file another process has just written
    /// is never moved) and reported in [`Loaded::set_aside`] until the user has seen it.
    pub fn load(&self) -> Result<Loaded, ConnectionsError> {
        if let Some(bytes) = self.read_current()? {
            if let Parsed::Clean(connections) = parse_lenient(&bytes) {
                return Ok(Loaded { connections, set_aside: self.notices() });
            }
        } else {
            return Ok(Loaded { connections: Vec::new(), set_aside: self.notices() });
        }
        let tx = self.begin()?;
        Ok(Loaded { connections: tx.list, set_aside: tx.set_aside })
    }

    /// Takes the lock and reads the list for a change (setting aside what cannot be read).
    pub fn begin(&self) -> Result<Txn<'_>, ConnectionsError> {
        let lock = self.lock()?;
        let list = match self.read_current()? {
            None => Vec::new(),
            Some(bytes) => match parse_lenient(&bytes) {
                Parsed::Clean(list) => list,
                Parsed::Whole(reason) => {
                    let path = self.move_whole_aside(&reason)?;
                    self.add_notice(SetAside { path, reason, at: Utc::now() })?;
                    Vec::new()
                }
                Parsed::Partial { good, bad, detail } => {
                    let count = bad.len();
                    let json = serde_json::to_vec_pretty(&serde_json::json!({"version": FILE_VERSION, "connections": bad}))
                        .map_err(ConnectionsError::Serialize)?;
                    let path = self.write_aside("unreadable-records", &json)?;
                    self.save_unlocked(&good)?;
                    self.add_notice(SetAside { path, reason: SetAsideReason::Records { count, detail }, at: Utc::now() })?;
                    good
                }
            },
        };
        Ok(Txn { file: self, set_aside: self.notices(), list, _lock: lock })
    }

    /// What is set aside and not yet seen (an unreadable notice file counts as none).
    fn notices(&self) -> Vec<SetAside> {
        fs::read(self.dir().join(NOTICES_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<Notices>(&b).ok())
            .map(|n| n.set_aside)
            .unwrap_or_default()
    }

    fn write_notices(&self, list: &[SetAside]) -> Result<(), ConnectionsError> {
        let path = self.dir().join(NOTICES_FILE);
        if list.is_empty() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(ConnectionsError::io("update", &path, e)),
                _ => Ok(()),
            };
        }
        let json = serde_json::to_vec_pretty(&Notices { version: 1, set_aside: list.to_vec() }).map_err(ConnectionsError::Serialize)?;
        write_atomically(&self.dir(), &path, &json)
    }

    /// Must be called with the lock held.
    fn add_notice(&self, notice: SetAside) -> Result<(), ConnectionsError> {
        let mut list = self.notices();
        list.push(notice);
        self.write_notices(&list)
    }

    /// The user has seen what was set aside (in the window or in `list`): stop reporting it.
    pub fn acknowledge_set_aside(&self) -> Result<(), ConnectionsError> {
        let _lock = self.lock()?;
        self.write_notices(&[])
    }

    /// A name for a file set aside that no earlier one has: `connections.json.TAG-<UTC time>`,
    /// then `-2`, `-3`, ... `claim` makes the file, failing with AlreadyExists when the name
    /// is taken (so two processes never pick the same one).
    fn claim_aside(&self, tag: &str, mut claim: impl FnMut(&Path) -> io::Result<()>) -> Result<PathBuf, ConnectionsError> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        let (dir, name) = (self.dir(), self.file_name());
        for n in 1..10_000u32 {
            let target = if n == 1 { dir.join(format!("{name}.{tag}-{stamp}")) } else { dir.join(format!("{name}.{tag}-{stamp}-{n}")) };
            match claim(&target) {
                Ok(()) => {
                    sync_dir(&dir);
                    return Ok(target);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(ConnectionsError::io("set aside", &self.path, e)),
            }
        }
        Err(ConnectionsError::io("set aside", &self.path, io::Error::new(io::ErrorKind::AlreadyExists, "too many set-aside files")))
    }

    /// Keeps `bytes` in a new file of their own.
    fn write_aside(&self, tag: &str, bytes: &[u8]) -> Result<PathBuf, ConnectionsError> {
        self.claim_aside(tag, |target| {
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(target)?;
            f.write_all(bytes)?;
            f.sync_all()
        })
    }

    /// Moves the whole file aside, bytes untouched: a hard link under a new name (which fails
    /// rather than replace anything), then the old name is removed. Where hard links are not
    /// possible, a rename to a name checked to be free.
    fn move_whole_aside(&self, reason: &SetAsideReason) -> Result<PathBuf, ConnectionsError> {
        let tag = match reason {
            SetAsideReason::NewerVersion { .. } => "newer-version",
            SetAsideReason::TooLarge => "too-large",
            _ => "corrupt",
        };
        let source = self.path.clone();
        let target = self.claim_aside(tag, |target| match fs::hard_link(&source, target) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists && fs::symlink_metadata(target).is_err() => fs::rename(&source, target),
            other => other,
        })?;
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(ConnectionsError::io("set aside", &self.path, e)),
            _ => {}
        }
        sync_dir(&self.dir());
        Ok(target)
    }

    /// Writes the whole list atomically. Only with the lock held: through [`Txn`].
    fn save_unlocked(&self, list: &[Connection]) -> Result<(), ConnectionsError> {
        self.save_with_hook(list, || {})
    }

    /// [`save_unlocked`](Self::save_unlocked), calling `before_rename` after the new content is
    /// written and synced to the temporary file and before it replaces the real one (crash
    /// tests).
    fn save_with_hook(
        &self,
        list: &[Connection],
        before_rename: impl FnOnce(),
    ) -> Result<(), ConnectionsError> {
        let dir = self.dir();
        create_private_dir(&dir)?;
        let mut json = serde_json::to_vec_pretty(&FileOut {
            version: FILE_VERSION,
            connections: list,
        })
        .map_err(ConnectionsError::Serialize)?;
        json.push(b'\n');
        write_atomically_with_hook(&dir, &self.path, &json, before_rename)
    }

    /// Replaces the whole list (tests and tools; takes the lock).
    pub fn save(&self, list: &[Connection]) -> Result<(), ConnectionsError> {
        let tx = self.begin()?;
        tx.write(list)
    }

    /// Adds a connection (name and description checked and trimmed). Refuses a name that is
    /// already used (case-insensitive) and an id that is already used.
    pub fn add(&self, c: Connection) -> Result<(), ConnectionsError> {
        let c = c.normalized()?;
        let mut tx = self.begin()?;
        check_unique(&tx.list, &c)?;
        tx.list.push(c);
        tx.commit()
    }

    /// Replaces the connection with the same id.
    pub fn update(&self, c: Connection) -> Result<(), ConnectionsError> {
        let c = c.normalized()?;
        let mut tx = self.begin()?;
        replace_in(&mut tx.list, c)?;
        tx.commit()
    }

    /// Removes the connection with this id.
    pub fn remove(&self, id: &str) -> Result<(), ConnectionsError> {
        let mut tx = self.begin()?;
        let before = tx.list.len();
        tx.list.retain(|x| x.id != id);
        if tx.list.len() == before {
            return Err(ConnectionsError::NotFound { what: id.to_string() });
        }
        tx.commit()
    }

    /// The connection with this id, or else with this name (trimmed, case-insensitive).
    pub fn find(&self, name_or_id: &str) -> Result<Option<Connection>, ConnectionsError> {
        let list = self.load()?.connections;
        Ok(find_in(&list, name_or_id).cloned())
    }
}

/// Puts `c` in place of the connection with its id, refusing a name another one has.
pub(crate) fn replace_in(list: &mut [Connection], c: Connection) -> Result<(), ConnectionsError> {
    let Some(pos) = list.iter().position(|x| x.id == c.id) else {
        return Err(ConnectionsError::NotFound { what: c.name.clone() });
    };
    if let Some(other) = list.iter().find(|x| x.id != c.id && same_name(&x.name, &c.name)) {
        return Err(ConnectionsError::DuplicateName { name: other.name.clone() });
    }
    list[pos] = c;
    Ok(())
}

fn file_kind(meta: &fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    "not a regular file"
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), ConnectionsError> {
    write_atomically_with_hook(dir, path, bytes, || {})
}

/// A temporary file in the same folder (0600), written and synced, renamed over `path`, then
/// the folder synced.
fn write_atomically_with_hook(dir: &Path, path: &Path, bytes: &[u8], before_rename: impl FnOnce()) -> Result<(), ConnectionsError> {
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".connections.json.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| ConnectionsError::io("create a temporary file in", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| ConnectionsError::io("set permissions on", tmp.path(), e))?;
    }
    tmp.write_all(bytes)
        .and_then(|_| tmp.flush())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| ConnectionsError::io("write", tmp.path(), e))?;
    before_rename();
    tmp.persist(path).map_err(|e| ConnectionsError::io("replace", path, e.error))?;
    sync_dir(dir);
    Ok(())
}

fn default_path_from(
    override_dir: Option<std::ffi::OsString>,
    config_dir: Option<PathBuf>,
) -> Result<PathBuf, ConnectionsError> {
    if let Some(dir) = override_dir.filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join(FILE_NAME));
    }
    config_dir
        .map(|d| d.join(APP_DIR).join(FILE_NAME))
        .ok_or(ConnectionsError::NoConfigDir)
}

/// The connection with this id, or else with this name (trimmed, case-insensitive).
pub fn find_in<'a>(list: &'a [Connection], name_or_id: &str) -> Option<&'a Connection> {
    let key = name_or_id.trim();
    list.iter()
        .find(|c| c.id.eq_ignore_ascii_case(key))
        .or_else(|| list.iter().find(|c| same_name(&c.name, key)))
}

pub(crate) fn check_unique(list: &[Connection], c: &Connection) -> Result<(), ConnectionsError> {
    if list.iter().any(|x| x.id == c.id) {
        return Err(ConnectionsError::DuplicateId);
    }
    if let Some(other) = list.iter().find(|x| same_name(&x.name, &c.name)) {
        return Err(ConnectionsError::DuplicateName {
            name: other.name.clone(),
        });
    }
    Ok(())
}

/// Parses the file, or says why it cannot be used (any record that cannot be read makes the
/// whole file unusable here). The reason names a position, never content. Public for the fuzz
/// and property tests; loading reads records one by one ([`ConnectionsFile::load`]).
pub fn parse(bytes: &[u8]) -> Result<Vec<Connection>, SetAsideReason> {
    match parse_lenient(bytes) {
        Parsed::Clean(list) => Ok(list),
        Parsed::Whole(reason) => Err(reason),
        Parsed::Partial { bad, detail, .. } => Err(SetAsideReason::Records { count: bad.len(), detail }),
    }
}

fn parse_lenient(bytes: &[u8]) -> Parsed {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Parsed::Whole(SetAsideReason::TooLarge);
    }
    let corrupt = |e: serde_json::Error| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not valid JSON",
            serde_json::error::Category::Data => "unexpected content",
            serde_json::error::Category::Io => "unreadable",
        };
        SetAsideReason::Corrupt { detail: format!("{what} at line {}, column {}", e.line(), e.column()) }
    };
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Parsed::Whole(corrupt(e)),
    };
    let version = match value.get("version") {
        Some(v) => match v.as_u64() {
            Some(v) => v,
            None => return Parsed::Whole(SetAsideReason::Corrupt { detail: "the version is not a number".to_string() }),
        },
        None => return Parsed::Whole(SetAsideReason::Corrupt { detail: "it has no version".to_string() }),
    };
    if version > FILE_VERSION {
        return Parsed::Whole(SetAsideReason::NewerVersion { version });
    }
    if version < 1 {
        return Parsed::Whole(SetAsideReason::Corrupt { detail: format!("unknown version {version}") });
    }
    let Some(items) = value.get("connections").and_then(|c| c.as_array()) else {
        return Parsed::Whole(SetAsideReason::Corrupt { detail: "it has no list of connections".to_string() });
    };
    let (mut good, mut bad, mut detail) = (Vec::new(), Vec::new(), String::new());
    for (i, item) in items.iter().enumerate() {
        match serde_json::from_value::<Connection>(item.clone()) {
            Ok(c) => good.push(c),
            Err(_) => {
                if detail.is_empty() {
                    detail = format!("connection {} of {} has content this version does not know", i + 1, items.len());
                }
                bad.push(item.clone());
            }
        }
    }
    if bad.is_empty() {
        Parsed::Clean(good)
    } else {
        Parsed::Partial { good, bad, detail }
    }
}

fn create_private_dir(dir: &Path) -> Result<(), ConnectionsError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| ConnectionsError::io("create the folder", dir, e))
}

/// Makes a rename in `dir` durable. Best effort: not every platform or file system can.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn sample(name: &str) -> Connection {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        Connection {
            description: Some("Pipelines for the website".into()),
            base_branch: Some("main".into()),
            granted_scopes: vec!["repository".into(), "pullrequest:write".into()],
            credential_type: Some("repo_access_token".into()),
            last_check: Some(LastCheck { at: t, ok: true, problem: None, message: "All good.".into(), details: None }),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31),
            created_at: t,
            updated_at: t,
            ..Connection::new(name, PresetId::Git, CredentialKind::RepositoryToken, "acme", Some("website"))
        }
    }

    fn temp_file() -> (tempfile::TempDir, ConnectionsFile) {
        let dir = tempfile::tempdir().unwrap();
        let file = ConnectionsFile::at(dir.path().join("cfg").join(FILE_NAME));
        (dir, file)
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn names_refuse_direction_overrides_and_descriptions_control_characters() {
        assert!(matches!(validate_name("invoice\u{202e}fdp.exe"), Err(ConnectionsError::NameHasDirectionControls)));
        assert!(matches!(validate_name("a\u{2066}b"), Err(ConnectionsError::NameHasDirectionControls)));
        assert_eq!(validate_name("שלום עולם").unwrap(), "שלום עולם", "right-to-left text itself is fine");
        let mut c = sample("x");
        c.description = Some("line one\nline two\twith a tab".into());
        assert!(c.clone().normalized().is_ok());
        c.description = Some("clear \u{1b}[2J screen".into());
        assert!(matches!(c.normalized(), Err(ConnectionsError::DescriptionHasControlCharacters)));
    }

    #[test]
    fn names_are_trimmed_and_limited() {
        assert_eq!(validate_name("  Website CI \n").unwrap(), "Website CI");
        assert!(matches!(
            validate_name(""),
            Err(ConnectionsError::NameEmpty)
        ));
        assert!(matches!(
            validate_name("  \t "),
            Err(ConnectionsError::NameEmpty)
        ));
        assert_eq!(validate_name("x").unwrap(), "x");
        let fifty = "a".repeat(50);
        assert_eq!(validate_name(&fifty).unwrap(), fifty);
        assert!(matches!(
            validate_name(&"a".repeat(51)),
            Err(ConnectionsError::NameTooLong { len: 51 })
        ));
        // Whitespace around does not count.
        assert!(validate_name(&format!("  {fifty}  ")).is_ok());
        assert!(matches!(
            validate_name("a\nb"),
            Err(ConnectionsError::NameHasControlCharacters)
        ));
        let e = validate_name(&"a".repeat(51)).unwrap_err();
        assert!(
            e.to_string().contains("at most 50"),
            "{}",
            e.to_string()
        );
    }

    #[test]
    fn emoji_count_as_characters() {
        // 50 emoji are 200 bytes but 50 characters.
        let fifty = "🚀".repeat(50);
        assert_eq!(fifty.len(), 200);
        assert_eq!(validate_name(&fifty).unwrap(), fifty);
        assert!(matches!(
            validate_name(&"🚀".repeat(51)),
            Err(ConnectionsError::NameTooLong { len: 51 })
        ));
        assert_eq!(validate_name("Déploiement ✓").unwrap(), "Déploiement ✓");
    }

    #[test]
    fn duplicate_names_are_refused_case_insensitively() {
        let (_d, file) = temp_file();
        file.add(sample("Website CI")).unwrap();
        for dup in ["website ci", "  WEBSITE CI  ", "Website CI"] {
            let e = file.add(sample(dup)).unwrap_err();
            assert!(
                matches!(e, ConnectionsError::DuplicateName { .. }),
                "{dup}: {e:?}"
            );
            assert!(e.to_string().contains("already exists"));
        }
        // Unicode case folding too.
        file.add(sample("Ärger")).unwrap();
        assert!(matches!(
            file.add(sample("ärger")),
            Err(ConnectionsError::DuplicateName { .. })
        ));
        assert_eq!(file.load().unwrap().connections.len(), 2);
    }

    #[test]
    fn add_trims_and_checks_fields() {
        let (_d, file) = temp_file();
        let mut c = sample("  Spaced  ");
        c.description = Some("   ".into());
        file.add(c.clone()).unwrap();
        let got = file.find("spaced").unwrap().unwrap();
        assert_eq!(got.name, "Spaced");
        assert_eq!(got.description, None);

        let mut long = sample("Long");
        long.description = Some("d".repeat(256));
        assert!(matches!(
            file.add(long),
            Err(ConnectionsError::DescriptionTooLong { len: 256 })
        ));
        let mut ok = sample("Long");
        ok.description = Some("é".repeat(255));
        file.add(ok).unwrap();

        let mut bad_id = sample("Bad id");
        bad_id.id = "not-a-uuid".into();
        assert!(matches!(file.add(bad_id), Err(ConnectionsError::InvalidId)));

        let dup_id = sample("Other");
        let mut dup_id2 = sample("Other 2");
        dup_id2.id = dup_id.id.clone();
        file.add(dup_id).unwrap();
        assert!(matches!(
            file.add(dup_id2),
            Err(ConnectionsError::DuplicateId)
        ));
    }

    #[test]
    fn update_find_remove() {
        let (_d, file) = temp_file();
        let a = sample("Alpha");
        let b = sample("Beta");
        file.add(a.clone()).unwrap();
        file.add(b.clone()).unwrap();

        assert_eq!(file.find(&a.id).unwrap().unwrap().name, "Alpha");
        assert_eq!(file.find(" ALPHA ").unwrap().unwrap().id, a.id);
        assert!(file.find("gamma").unwrap().is_none());

        let mut a2 = a.clone();
        a2.name = "Alpha renamed".into();
        a2.granted_scopes.push("webhook".into());
        file.update(a2.clone()).unwrap();
        assert_eq!(file.find(&a.id).unwrap().unwrap(), a2);

        // Renaming onto another connection's name is refused; keeping one's own name is fine.
        let mut clash = a2.clone();
        clash.name = "beta".into();
        assert!(matches!(
            file.update(clash),
            Err(ConnectionsError::DuplicateName { .. })
        ));
        let mut same = a2.clone();
        same.name = "ALPHA RENAMED".into();
        file.update(same).unwrap();

        let ghost = sample("Ghost");
        assert!(matches!(
            file.update(ghost.clone()),
            Err(ConnectionsError::NotFound { .. })
        ));
        assert!(matches!(
            file.remove(&ghost.id),
            Err(ConnectionsError::NotFound { .. })
        ));

        file.remove(&a.id).unwrap();
        let left = file.load().unwrap().connections;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, b.id);
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let (_d, file) = temp_file();
        let mut c = sample("Everything");
        c.kind = CredentialKind::ApiToken;
        c.email = Some("jane@example.com".into());
        c.preset = PresetId::N8n;
        c.last_check = Some(LastCheck {
            at: Utc::now(),
            ok: false,
            problem: Some("missing_scope".into()),
            message: "Needs pullrequest:write.".into(),
            details: None,
        });
        file.save(&[c.clone()]).unwrap();
        let text = fs::read_to_string(file.path()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["connections"][0]["preset"], "n8n");
        assert_eq!(v["connections"][0]["kind"], "api_token");
        assert_eq!(v["connections"][0]["expires"], "2026-12-31");
        assert_eq!(file.load().unwrap().connections, vec![c]);
    }

    #[test]
    fn expiry_boundaries() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let d = |n: i64| Some(today + chrono::Duration::days(n));
        assert_eq!(expiry_status(None, today), ExpiryStatus::NoDate);
        assert_eq!(
            expiry_status(d(15), today),
            ExpiryStatus::Valid { days_left: 15 }
        );
        assert_eq!(
            expiry_status(d(14), today),
            ExpiryStatus::ExpiringSoon { days_left: 14 }
        );
        assert_eq!(
            expiry_status(d(1), today),
            ExpiryStatus::ExpiringSoon { days_left: 1 }
        );
        assert_eq!(
            expiry_status(d(0), today),
            ExpiryStatus::ExpiringSoon { days_left: 0 }
        );
        assert_eq!(
            expiry_status(d(-1), today),
            ExpiryStatus::Expired { days_ago: 1 }
        );
        assert_eq!(
            expiry_status(d(-400), today),
            ExpiryStatus::Expired { days_ago: 400 }
        );
        assert_eq!(
            expiry_status(d(365), today),
            ExpiryStatus::Valid { days_left: 365 }
        );
        // Across a month and leap day.
        let feb = NaiveDate::from_ymd_opt(2028, 2, 15).unwrap();
        assert_eq!(
            expiry_status(NaiveDate::from_ymd_opt(2028, 2, 29), feb),
            ExpiryStatus::ExpiringSoon { days_left: 14 }
        );
        assert_eq!(
            expiry_status(NaiveDate::from_ymd_opt(2028, 3, 1), feb),
            ExpiryStatus::Valid { days_left: 15 }
        );
        assert_eq!(
            serde_json::to_value(ExpiryStatus::ExpiringSoon { days_left: 3 }).unwrap(),
            serde_json::json!({"status": "expiring_soon", "days_left": 3})
        );
    }

    #[test]
    fn missing_file_is_an_empty_list() {
        let (d, file) = temp_file();
        let loaded = file.load().unwrap();
        assert!(loaded.connections.is_empty());
        assert!(loaded.set_aside.is_empty());
        // Loading creates nothing.
        assert!(entries(d.path()).is_empty());
    }

    fn only_notice(loaded: &Loaded) -> SetAside {
        assert_eq!(loaded.set_aside.len(), 1, "{:?}", loaded.set_aside);
        loaded.set_aside[0].clone()
    }

    #[test]
    fn corrupt_file_is_kept_aside_and_reported_until_seen() {
        let (_d, file) = temp_file();
        file.add(sample("One")).unwrap();
        let dir = file.path().parent().unwrap().to_path_buf();
        let original = b"{\"version\": 1, \"connections\": [ {\"id\": \"truncated".to_vec();
        fs::write(file.path(), &original).unwrap();

        let loaded = file.load().unwrap();
        assert!(loaded.connections.is_empty());
        let aside = only_notice(&loaded);
        assert!(matches!(aside.reason, SetAsideReason::Corrupt { .. }));
        let name = aside.path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("connections.json.corrupt-"), "{name}");
        let stamp = name.trim_start_matches("connections.json.corrupt-");
        assert_eq!(stamp.len(), "20260101T120000Z".len(), "{stamp}");
        assert!(stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T', "{stamp}");
        // The original bytes, untouched.
        assert_eq!(fs::read(&aside.path).unwrap(), original);
        assert!(!file.path().exists());
        let msg = aside.message();
        assert!(msg.contains("could not be read"), "{msg}");
        assert!(msg.contains(&name), "{msg}");
        assert!(!msg.contains("truncated"), "the message names a position, not content: {msg}");

        // Every later reader (another process) learns it too, until it has been seen.
        let other = ConnectionsFile::at(file.path().to_path_buf());
        assert_eq!(only_notice(&other.load().unwrap()), aside);
        assert_eq!(only_notice(&file.load().unwrap()), aside);

        // A second corrupt file in the same second gets its own name; the first stays.
        fs::write(file.path(), b"garbage").unwrap();
        let both = file.load().unwrap().set_aside;
        assert_eq!(both.len(), 2, "{both:?}");
        assert_ne!(both[1].path, aside.path);
        assert_eq!(fs::read(&aside.path).unwrap(), original);
        assert_eq!(fs::read(&both[1].path).unwrap(), b"garbage");

        file.acknowledge_set_aside().unwrap();
        assert!(file.load().unwrap().set_aside.is_empty(), "seen: no longer reported");

        // Then the app goes on with a fresh file.
        file.add(sample("Fresh")).unwrap();
        assert_eq!(file.load().unwrap().connections.len(), 1);
        // Two set aside, the new list, and the lock file changes take.
        let names = entries(&dir);
        assert_eq!(names.len(), 4, "{names:?}");
        assert!(names.iter().any(|n| n == ".connections.json.lock"), "{names:?}");
    }

    #[test]
    fn one_unreadable_record_is_kept_aside_on_its_own() {
        let (_d, file) = temp_file();
        let keep = sample("Keep");
        file.add(keep.clone()).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&fs::read(file.path()).unwrap()).unwrap();
        let mut odd = v["connections"][0].clone();
        odd["id"] = serde_json::json!("odd-one");
        odd["name"] = serde_json::json!("From the future");
        odd["preset"] = serde_json::json!("a-tool-from-the-future");
        v["connections"].as_array_mut().unwrap().push(odd.clone());
        fs::write(file.path(), serde_json::to_vec(&v).unwrap()).unwrap();

        let loaded = file.load().unwrap();
        assert_eq!(loaded.connections, vec![keep], "the readable one is loaded");
        let aside = only_notice(&loaded);
        assert!(matches!(aside.reason, SetAsideReason::Records { count: 1, .. }), "{aside:?}");
        assert!(aside.path.file_name().unwrap().to_string_lossy().starts_with("connections.json.unreadable-records-"));
        let kept: serde_json::Value = serde_json::from_slice(&fs::read(&aside.path).unwrap()).unwrap();
        assert_eq!(kept["connections"][0], odd, "the record itself, as it was");
        assert!(aside.message().contains("the others were loaded"), "{}", aside.message());
        // The list itself no longer holds it, so it is not set aside twice.
        assert_eq!(file.load().unwrap().set_aside.len(), 1);
    }

    #[test]
    fn wrong_shape_is_corrupt_too() {
        for bad in [
            &b""[..],
            b"[]",
            b"{\"connections\": []}",
            b"{\"version\": \"one\", \"connections\": []}",
            b"{\"version\": 0, \"connections\": []}",
            b"{\"version\": 1}",
        ] {
            let (_d, file) = temp_file();
            fs::create_dir_all(file.path().parent().unwrap()).unwrap();
            fs::write(file.path(), bad).unwrap();
            let aside = only_notice(&file.load().unwrap());
            assert!(matches!(aside.reason, SetAsideReason::Corrupt { .. }), "{aside:?}");
            assert_eq!(fs::read(&aside.path).unwrap(), bad);
        }
        // A record that is not a connection is kept aside on its own; its content is not
        // repeated.
        let (_d, file) = temp_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        fs::write(file.path(), b"{\"version\": 1, \"connections\": [{\"id\": \"secret-looking-value\"}]}").unwrap();
        let aside = only_notice(&file.load().unwrap());
        assert!(matches!(aside.reason, SetAsideReason::Records { count: 1, .. }), "{aside:?}");
        assert!(!aside.message().contains("secret-looking-value"));
    }

    #[test]
    fn newer_version_is_kept_aside() {
        let (_d, file) = temp_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        let original = br#"{"version": 2, "connections": [], "profiles": {"x": 1}}"#;
        fs::write(file.path(), original).unwrap();
        let aside = only_notice(&file.load().unwrap());
        assert_eq!(aside.reason, SetAsideReason::NewerVersion { version: 2 });
        assert!(aside.path.file_name().unwrap().to_string_lossy().starts_with("connections.json.newer-version-"));
        assert_eq!(fs::read(&aside.path).unwrap(), original);
        assert!(aside.message().contains("newer version"));
    }

    #[test]
    fn a_change_waits_for_another_process_lock_then_gives_up_plainly() {
        let (_d, file) = temp_file();
        file.add(sample("First")).unwrap();
        // Another process's change in progress: its lock is held (a separate open file
        // description, as another process would have).
        let other = ConnectionsFile::at(file.path().to_path_buf());
        let held = other.lock().unwrap();
        let impatient = file.clone().with_lock_wait(Duration::from_millis(200));
        let started = Instant::now();
        let e = impatient.add(sample("Second")).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(200), "it gave up without waiting");
        assert!(matches!(e, ConnectionsError::Busy { .. }), "{e:?}");
        assert!(e.to_string().contains("nothing was changed"), "{}", e.to_string());
        assert_eq!(file.load().unwrap().connections.len(), 1, "nothing was written");
        // Once the other change is done, the change goes through, waiting as long as needed.
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        file.add(sample("Second")).unwrap();
        release.join().unwrap();
        assert_eq!(file.load().unwrap().connections.len(), 2);
    }

    #[test]
    fn a_corrupt_file_is_set_aside_under_the_lock_and_never_a_good_one() {
        // A reader that found the file corrupt must not set aside the good file another
        // process has written since: it reads again under the lock.
        let (_d, file) = temp_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        fs::write(file.path(), b"{oops").unwrap();
        let held = ConnectionsFile::at(file.path().to_path_buf()).lock().unwrap();
        let reader = file.clone();
        let read = std::thread::spawn(move || reader.load().unwrap());
        std::thread::sleep(Duration::from_millis(100));
        // The other process repairs the file while it holds the lock.
        let good = serde_json::to_vec(&serde_json::json!({"version": 1, "connections": [sample("Good")]})).unwrap();
        fs::write(file.path(), &good).unwrap();
        drop(held);
        let loaded = read.join().unwrap();
        assert_eq!(loaded.connections.len(), 1, "the good file was read, not set aside");
        assert!(loaded.set_aside.is_empty());
        assert_eq!(fs::read(file.path()).unwrap(), good);
    }

    #[test]
    fn many_readers_of_one_corrupt_file_set_it_aside_once() {
        let (_d, file) = temp_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        for round in 0..20 {
            let bytes = format!("{{broken {round}");
            fs::write(file.path(), &bytes).unwrap();
            let readers: Vec<_> = (0..4)
                .map(|_| {
                    let f = ConnectionsFile::at(file.path().to_path_buf());
                    std::thread::spawn(move || f.load().unwrap())
                })
                .collect();
            for r in readers {
                r.join().unwrap();
            }
            let notices = file.load().unwrap().set_aside;
            assert_eq!(notices.len(), round + 1, "set aside exactly once per broken file");
            assert_eq!(fs::read(&notices[round].path).unwrap(), bytes.as_bytes(), "its bytes, whole");
        }
        let names: std::collections::BTreeSet<_> = file.load().unwrap().set_aside.into_iter().map(|a| a.path).collect();
        assert_eq!(names.len(), 20, "no set-aside name was used twice");
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_in_the_lists_place_is_refused_at_once() {
        let (_d, file) = temp_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        let c = std::ffi::CString::new(file.path().to_string_lossy().as_bytes()).unwrap();
        // SAFETY: mkfifo with a valid C string and a mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let started = Instant::now();
        let e = file.load().unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2), "it waited on the pipe");
        assert!(matches!(e, ConnectionsError::NotAFile { what: "a named pipe", .. }), "{e:?}");
        assert!(e.to_string().contains("a named pipe"), "{}", e.to_string());
        assert!(file.add(sample("x")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn file_and_folder_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, file) = temp_file();
        file.save(&[sample("One")]).unwrap();
        let mode = fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = fs::metadata(file.path().parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
        // Saving again over an existing file keeps it private and leaves no temp file.
        file.save(&[sample("One"), sample("Two")]).unwrap();
        let mode = fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            entries(file.path().parent().unwrap()),
            vec![".connections.json.lock".to_string(), FILE_NAME.to_string()]
        );
    }

    #[test]
    fn hook_runs_between_write_and_rename() {
        let (_d, file) = temp_file();
        file.save(&[sample("Old")]).unwrap();
        let before = fs::read(file.path()).unwrap();
        let dir = file.path().parent().unwrap().to_path_buf();
        let mut seen = None;
        file.save_with_hook(&[sample("New")], || {
            // The real file is still the old one; the new content sits in a temp file.
            seen = Some((fs::read(file.path()).unwrap(), entries(&dir)));
        })
        .unwrap();
        let (during, names) = seen.unwrap();
        assert_eq!(during, before);
        assert_eq!(names.len(), 3, "the list, the lock and the temporary file: {names:?}");
        assert!(names
            .iter()
            .any(|n| n.starts_with(".connections.json.") && n.ends_with(".tmp")));
        assert_eq!(file.load().unwrap().connections[0].name, "New");
    }

    const CRASH_ENV: &str = "BITBUCKET_SETUP_TEST_CRASH_FILE";
    const CRASH_MARKER: &str = "CRASH-CHILD: about to abort before rename";

    /// Run by `crash_between_write_and_rename_keeps_the_old_file` in a child process: writes a
    /// new list and aborts the process just before the rename.
    #[test]
    #[ignore = "run only as the child of crash_between_write_and_rename_keeps_the_old_file"]
    fn crash_child_aborts_before_rename() {
        let Some(path) = std::env::var_os(CRASH_ENV) else {
            return;
        };
        let file = ConnectionsFile::at(PathBuf::from(path));
        let list: Vec<Connection> = (0..20).map(|i| sample(&format!("New {i}"))).collect();
        let _ = file.save_with_hook(&list, || {
            println!("{CRASH_MARKER}");
            let _ = io::stdout().flush();
            std::process::abort();
        });
        unreachable!("the hook aborts");
    }

    #[test]
    fn crash_between_write_and_rename_keeps_the_old_file() {
        let (_d, file) = temp_file();
        let old = vec![sample("Old one"), sample("Old two")];
        file.save(&old).unwrap();
        let before = fs::read(file.path()).unwrap();

        // This test's name without the crate: "store::connections::tests".
        let module = module_path!().split_once("::").map(|(_, m)| m).unwrap();
        let child = format!("{module}::crash_child_aborts_before_rename");
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                child.as_str(),
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CRASH_ENV, file.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(CRASH_MARKER),
            "the child never reached the hook: {stdout}"
        );
        assert!(!out.status.success(), "the child should have aborted");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                out.status.signal(),
                Some(6),
                "SIGABRT expected: {:?}",
                out.status
            );
        }

        // The old file is intact, byte for byte, and still loads.
        assert_eq!(fs::read(file.path()).unwrap(), before);
        let loaded = file.load().unwrap();
        assert!(loaded.set_aside.is_empty());
        assert_eq!(loaded.connections, old);
        // The new content only ever reached the temporary file left behind.
        let dir = file.path().parent().unwrap();
        let tmp: Vec<String> = entries(dir)
            .into_iter()
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert_eq!(tmp.len(), 1, "{:?}", entries(dir));
        let partial = fs::read_to_string(dir.join(&tmp[0])).unwrap();
        assert!(partial.contains("New 19"));
        // And the next save still works.
        file.save(&[sample("After")]).unwrap();
        assert_eq!(file.load().unwrap().connections[0].name, "After");
    }

    #[test]
    fn default_path_honours_the_env_override() {
        // Through the helper: tests must not change the process environment.
        let cfg = PathBuf::from("/home/jane/.config");
        assert_eq!(
            default_path_from(Some("/tmp/x".into()), Some(cfg.clone())).unwrap(),
            PathBuf::from("/tmp/x").join(FILE_NAME)
        );
        assert_eq!(
            default_path_from(Some("".into()), Some(cfg.clone())).unwrap(),
            cfg.join(APP_DIR).join(FILE_NAME)
        );
        assert_eq!(
            default_path_from(None, Some(cfg.clone())).unwrap(),
            cfg.join("bitbucket-setup-assistant")
                .join("connections.json")
        );
        assert!(matches!(
            default_path_from(None, None),
            Err(ConnectionsError::NoConfigDir)
        ));
        if std::env::var_os(CONFIG_DIR_ENV).is_none() {
            if let Some(cfg) = dirs::config_dir() {
                assert_eq!(
                    ConnectionsFile::default_path().unwrap(),
                    cfg.join(APP_DIR).join(FILE_NAME)
                );
            }
        }
    }
}
