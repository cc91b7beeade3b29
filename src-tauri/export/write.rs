//! Writing an export: atomically (a temporary file in the same folder, flushed to disk, then
//! renamed over the target), and created with its final mode — `0600` when it holds the token —
//! so the secret is never readable by others, not even for a moment. The mode is never changed
//! after the secret is written.
//!
//! Only regular files are written or replaced. A target that is a named pipe, a socket or a
//! device — or a symlink to one, or anything in `/dev` or `/proc` — is refused with or without
//! `--force`: renaming over it would replace the system's entry (as root, `-o /dev/stdout
//! --force` replaced `/dev/stdout` with a file), and writing through it is what `-o -` is for.
//! A symlink to a regular file is replaced by the new file, never followed, as before.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{ExportError, Rendered};

/// Writes `rendered` to `path`. An existing file is replaced only with `overwrite`; a missing
/// folder is an error. Returns the path written.
pub fn write_file(path: &Path, rendered: &Rendered, overwrite: bool) -> Result<PathBuf, ExportError> {
    write_bytes(path, rendered.contents.as_bytes(), rendered.mode, overwrite)
}

/// [`write_file`] for raw contents and a mode (Unix permission bits; ignored elsewhere).
pub fn write_bytes(path: &Path, contents: &[u8], mode: u32, overwrite: bool) -> Result<PathBuf, ExportError> {
    let io = |action: &'static str, p: &Path| {
        let p = p.to_path_buf();
        move |source| ExportError::Io { action, path: p, source }
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(ExportError::NoFolder { path: dir });
    }
    check_target(path, &dir, overwrite)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) gets the mode: the file is never wider than this (the umask can only narrow).
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(&dir).map_err(io("create a file in", &dir))?;
    tmp.write_all(contents).map_err(io("write", tmp.path()))?;
    tmp.as_file().sync_all().map_err(io("write", tmp.path()))?;
    if overwrite {
        tmp.persist(path).map_err(|e| ExportError::Io { action: "replace", path: path.to_path_buf(), source: e.error })?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                ExportError::Exists { path: path.to_path_buf() }
            } else {
                ExportError::Io { action: "create", path: path.to_path_buf(), source: e.error }
            }
        })?;
    }
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(path.to_path_buf())
}

/// Whether `path` may be written: not a folder, not a special file or a link to one, not in
/// the system's `/dev` or `/proc`, and, unless `overwrite`, not there at all. Special files
/// are refused before the "already exists" check, so their message never suggests `--force`.
fn check_target(path: &Path, dir: &Path, overwrite: bool) -> Result<(), ExportError> {
    let not_regular = |what: &'static str| ExportError::NotRegular { path: path.to_path_buf(), what };
    if let Some(what) = system_folder(dir) {
        return Err(not_regular(what));
    }
    let Ok(meta) = fs::symlink_metadata(path) else { return Ok(()) };
    let file_type = meta.file_type();
    if file_type.is_dir() {
        return Err(ExportError::IsFolder { path: path.to_path_buf() });
    }
    if file_type.is_symlink() {
        // The link itself is what gets replaced; but a link to a device or a pipe is what
        // /dev/stdout is, and is refused like its target. A dangling link, or one to a file or
        // a folder, is replaced (with overwrite) as before.
        if let Ok(target) = fs::metadata(path) {
            match crate::input::special_kind(&target.file_type()) {
                None | Some("a folder") => {}
                Some("a named pipe") => return Err(not_regular("a link to a named pipe")),
                Some("a socket") => return Err(not_regular("a link to a socket")),
                Some("a device") => return Err(not_regular("a link to a device")),
                Some(_) => return Err(not_regular("a link to a special file")),
            }
        }
    } else if let Some(what) = crate::input::special_kind(&file_type) {
        return Err(not_regular(what));
    }
    if !overwrite {
        return Err(ExportError::Exists { path: path.to_path_buf() });
    }
    Ok(())
}

/// The system folder `dir` is in, when it is one no export belongs in: `/dev` (devices, and
/// `/dev/stdout` and the like, links into `/proc`) or `/proc` (each process's open files).
/// Judged on the real folder, so a link to `/dev` or `/dev/../dev` does not get past it.
#[cfg(unix)]
fn system_folder(dir: &Path) -> Option<&'static str> {
    let real = fs::canonicalize(dir).ok()?;
    if real.starts_with("/dev") {
        Some("it is in /dev, where the system keeps its devices")
    } else if real.starts_with("/proc") {
        Some("it is in /proc, where the system describes its processes")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn system_folder(_dir: &Path) -> Option<&'static str> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn writes_atomically_with_the_mode() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.env");
        write_bytes(&p, b"one", 0o600, false).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        #[cfg(unix)]
        assert_eq!(mode(&p), 0o600);
        let e = write_bytes(&p, b"two", 0o600, false).unwrap_err();
        assert!(matches!(e, ExportError::Exists { .. }));
        assert!(e.user_message().contains("--force"));
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_bytes(&p, b"three", 0o644, true).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"three");
        #[cfg(unix)]
        assert!(mode(&p) & 0o077 <= 0o044);
        // Nothing else is left in the folder.
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        let e = write_bytes(&d.path().join("missing/x.env"), b"x", 0o600, false).unwrap_err();
        assert!(matches!(e, ExportError::NoFolder { .. }), "{e:?}");
        let e = write_bytes(d.path(), b"x", 0o600, true).unwrap_err();
        assert!(matches!(e, ExportError::IsFolder { .. }), "{e:?}");
    }

    #[cfg(unix)]
    fn mkfifo(p: &Path) {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    /// A message for a special file says what it is and how to write to standard output, and
    /// never suggests --force, which would not help.
    fn assert_refused(e: ExportError, what: &str) {
        let m = e.user_message();
        assert!(matches!(e, ExportError::NotRegular { .. }), "{e:?}");
        assert!(m.contains("is not a regular file") && m.contains(what), "{m}");
        assert!(m.contains("to write to standard output use -o -"), "{m}");
        assert!(!m.contains("--force"), "{m}");
        assert_eq!(e.exit_code(), 73);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_never_replaced_even_with_force() {
        use std::os::unix::fs::FileTypeExt;
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("pipe.env");
        mkfifo(&fifo);
        let sock = d.path().join("s.env");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let to_null = d.path().join("null.env");
        std::os::unix::fs::symlink("/dev/null", &to_null).unwrap();
        let to_fifo = d.path().join("to-pipe.env");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        for force in [false, true] {
            assert_refused(write_bytes(&fifo, b"x", 0o600, force).unwrap_err(), "a named pipe");
            assert_refused(write_bytes(&sock, b"x", 0o600, force).unwrap_err(), "a socket");
            assert_refused(write_bytes(&to_null, b"x", 0o600, force).unwrap_err(), "a link to a device");
            assert_refused(write_bytes(&to_fifo, b"x", 0o600, force).unwrap_err(), "a link to a named pipe");
        }
        // All still there as they were, and no temporary file left behind.
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(fs::symlink_metadata(&sock).unwrap().file_type().is_socket());
        assert_eq!(fs::read_link(&to_null).unwrap(), Path::new("/dev/null"));
        assert_eq!(fs::read_link(&to_fifo).unwrap(), fifo);
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 4);
    }

    /// Checked without writing: if the check were wrong, a write as root would replace the
    /// machine's /dev/null or /dev/stdout.
    #[cfg(unix)]
    #[test]
    fn targets_in_dev_and_proc_are_refused() {
        for (path, what) in [
            ("/dev/null", "in /dev"),
            ("/dev/stdout", "in /dev"),
            ("/dev/new-file.env", "in /dev"),
            ("/dev/../dev/null", "in /dev"),
            ("/proc/self/fd/1", "in /proc"),
        ] {
            let p = Path::new(path);
            for force in [false, true] {
                let dir = p.parent().unwrap();
                assert_refused(check_target(p, dir, force).unwrap_err(), what);
            }
        }
        // A link to /dev is judged by where it leads.
        let d = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev", d.path().join("devices")).unwrap();
        let p = d.path().join("devices/null");
        assert_refused(check_target(&p, p.parent().unwrap(), true).unwrap_err(), "in /dev");
        // An ordinary place is fine.
        let p = d.path().join("ok.env");
        assert!(check_target(&p, d.path(), false).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_a_regular_file_is_replaced_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.env");
        fs::write(&real, b"old").unwrap();
        let link = d.path().join("link.env");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = write_bytes(&link, b"new", 0o600, false).unwrap_err();
        assert!(matches!(e, ExportError::Exists { .. }), "{e:?}");
        write_bytes(&link, b"new", 0o600, true).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_file());
        assert_eq!(fs::read(&link).unwrap(), b"new");
        assert_eq!(fs::read(&real).unwrap(), b"old");
    }
}
