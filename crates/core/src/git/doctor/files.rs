//! Reading a file the doctor looks at, and replacing it the way it was: a link is followed and
//! its target edited (in the target's folder, so the link stays), the mode (and, where allowed,
//! owner and group) is kept, and the backup is the file's bytes, readable only by you (never
//! wider than the file). Every replace goes through [`crate::replace::persist`].

use std::fs::Metadata;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;

/// A credential file larger than this is not one.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A file as read: where its bytes are (the link's target, for a link), the bytes, its metadata.
#[derive(Debug)]
pub struct Contents {
    pub edited: PathBuf,
    pub bytes: Vec<u8>,
    pub meta: Metadata,
}

#[derive(Debug)]
pub enum Look {
    /// Nothing there: nothing to find.
    Missing,
    Read(Contents),
    /// There, but it could not be read: why, in plain words.
    Unreadable(String),
}

/// What an IO error means, in plain words (`reading`: the file itself, else writing next to it).
pub fn plain(e: &io::Error, reading: bool) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied if reading => "you are not allowed to read it (permission denied)".into(),
        K::PermissionDenied => "you are not allowed to change files in its folder (permission denied)".into(),
        K::NotFound => "it does not exist".into(),
        K::AlreadyExists => "a file of that name already exists".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::StorageFull => "the disk is full".into(),
        K::ReadOnlyFilesystem => "the disk is read-only".into(),
        _ if crate::replace::is_held_open(e) => format!("another program holds it open.{}", crate::replace::held_open_advice()),
        kind => format!("the system said \"{kind}\""),
    }
}

/// What a file that is not a plain file is.
fn not_a_file(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        } else if t.is_socket() {
            return "a socket";
        } else if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a plain file"
}

/// The bytes of `path` (following links), or why they cannot be read.
pub fn read(path: &Path) -> Look {
    let is_link = match std::fs::symlink_metadata(path) {
        Ok(m) => m.file_type().is_symlink(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Look::Missing,
        Err(e) => return Look::Unreadable(plain(&e, true)),
    };
    let edited = if is_link {
        match std::fs::canonicalize(path) {
            Ok(target) => target,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let to = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
                return Look::Unreadable(format!("it is a link to {to}, which does not exist"));
            }
            Err(e) => return Look::Unreadable(format!("it is a link that cannot be followed: {}", plain(&e, true))),
        }
    } else {
        path.to_path_buf()
    };
    let meta = match std::fs::metadata(&edited) {
        Ok(m) => m,
        Err(e) => return Look::Unreadable(plain(&e, true)),
    };
    if meta.is_dir() {
        return Look::Unreadable("it is a folder, not a file".into());
    }
    if !meta.is_file() {
        return Look::Unreadable(format!("it is {}, not a file, so it was not opened", not_a_file(&meta)));
    }
    match read_bytes(&edited) {
        Ok(bytes) if bytes.len() as u64 > MAX_BYTES => Look::Unreadable(format!("it is larger than {} MB, too large for a credentials file", MAX_BYTES >> 20)),
        Ok(bytes) => Look::Read(Contents { edited, bytes, meta }),
        Err(e) => Look::Unreadable(plain(&e, true)),
    }
}

/// Up to one byte more than [`MAX_BYTES`], shared for delete so a replace is not held up.
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    crate::replace::read_options().open(path)?.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes `bytes` to a new file next to `target` with `mode` (and the original's owner and group
/// where the system allows it), then renames it onto `target` (`overwrite`) or to where nothing
/// is yet.
fn write_next_to(target: &Path, bytes: &[u8], like: &Metadata, mode: u32, overwrite: bool) -> io::Result<()> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".bitbucket-setup-").tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // Only root may give a file away; anyone may keep a group they are in. Best effort.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(like.uid()), Some(like.gid()));
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    let _ = (like, mode);
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    crate::replace::persist(tmp, target, overwrite).map_err(|e| e.error)
}

/// The file's mode (Unix), for the replacement.
fn mode_of(meta: &Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0o600
    }
}

/// Replaces the file with `bytes`, keeping its mode.
pub fn replace(c: &Contents, bytes: &[u8]) -> io::Result<()> {
    write_next_to(&c.edited, bytes, &c.meta, mode_of(&c.meta), true)
}

/// Copies the bytes as read next to the file (`NAME.bitbucket-setup-backup-YYYYMMDD-HHMMSS`, then
/// `-2`, `-3`… if that exists), readable only by you and never wider than the file. Returns its path.
pub fn backup(c: &Contents) -> Result<PathBuf, (PathBuf, io::Error)> {
    let name = c.edited.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let stem = format!("{name}.bitbucket-setup-backup-{}", Utc::now().format("%Y%m%d-%H%M%S"));
    for n in 1.. {
        let copy = c.edited.with_file_name(if n == 1 { stem.clone() } else { format!("{stem}-{n}") });
        match write_next_to(&copy, &c.bytes, &c.meta, mode_of(&c.meta) & 0o600, false) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => continue,
            Err(e) => return Err((copy, e)),
            Ok(()) => return Ok(copy),
        }
    }
    unreachable!("the loop returns by its hundredth name")
}

/// Removes a backup that is no longer needed (the file was left as it was).
pub fn forget(backup: &Path) {
    let _ = crate::replace::retry(|| std::fs::remove_file(backup));
}
