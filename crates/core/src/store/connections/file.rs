//! The connections file on disk: read leniently, written atomically under a lock held across
//! processes, a file or records that cannot be read kept aside and reported.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;

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


#[derive(Serialize)]
pub(super) struct FileOut<'a> {
    version: u64,
    connections: &'a [Connection],
}

/// The largest connections file read: far more than any list needs.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The file beside the list that remembers what was set aside until the user has seen it.
pub(super) const NOTICES_FILE: &str = ".set-aside.json";

#[derive(Serialize, Deserialize, Default)]
pub(super) struct Notices {
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
pub(super) const LOCK_WAIT: Duration = Duration::from_secs(10);

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
pub(super) enum Parsed {
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
        // With delete sharing on Windows: a reader must not make another process's replace fail.
        #[allow(unused_mut)] // changed on Unix only
        let mut options = crate::replace::read_options();
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
        let path = self.dir().join(NOTICES_FILE);
        crate::replace::read_options()
            .open(&path)
            .and_then(|mut f| {
                let mut bytes = Vec::new();
                io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
            })
            .ok()
            .and_then(|b| serde_json::from_slice::<Notices>(&b).ok())
            .map(|n| n.set_aside)
            .unwrap_or_default()
    }

    fn write_notices(&self, list: &[SetAside]) -> Result<(), ConnectionsError> {
        let path = self.dir().join(NOTICES_FILE);
        if list.is_empty() {
            return match crate::replace::retry(|| fs::remove_file(&path)) {
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
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists && fs::symlink_metadata(target).is_err() => {
                crate::replace::retry(|| fs::rename(&source, target))
            }
            other => other,
        })?;
        match crate::replace::retry(|| fs::remove_file(&self.path)) {
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
    pub(super) fn save_with_hook(
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

pub(super) fn file_kind(meta: &fs::Metadata) -> &'static str {
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

pub(super) fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), ConnectionsError> {
    write_atomically_with_hook(dir, path, bytes, || {})
}

/// A temporary file in the same folder (0600), written and synced, renamed over `path`, then
/// the folder synced.
pub(super) fn write_atomically_with_hook(dir: &Path, path: &Path, bytes: &[u8], before_rename: impl FnOnce()) -> Result<(), ConnectionsError> {
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
    // Tried again for a few seconds while another program holds the old file open on Windows
    // (another copy of this app reading it, an antivirus scanner, the indexer).
    crate::replace::persist(tmp, path, true).map_err(|e| ConnectionsError::io("replace", path, e.error))?;
    sync_dir(dir);
    Ok(())
}

pub(super) fn default_path_from(
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

pub(super) fn parse_lenient(bytes: &[u8]) -> Parsed {
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

pub(super) fn create_private_dir(dir: &Path) -> Result<(), ConnectionsError> {
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
pub(super) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

