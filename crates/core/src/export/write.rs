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
//!
//! The temporary file is named `.bitbucket-setup-export.PID.NAME.XXXXXX.tmp`. A writer killed
//! between creating it and renaming it (during the fsync, say) leaves it behind, possibly with
//! the token inside; so every write first removes this app's temporary files in the folder
//! whose writer is gone (`remove_stale_temporaries`). Files of any other name are never
//! touched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{ExportError, Rendered};

/// How every temporary export file's name starts.
const TMP_PREFIX: &str = ".bitbucket-setup-export.";
/// How every temporary export file's name ends.
const TMP_SUFFIX: &str = ".tmp";
/// The target's name in a temporary file's name is cut to this many bytes, so the whole name
/// stays within the 255 bytes file systems allow.
const TMP_NAME_BYTES: usize = 100;
/// A temporary file this old is stale whoever wrote it: no write takes this long. On Unix the
/// writer's pid decides first; this catches a pid that was reused (after a reboot, say). Where
/// there is no cheap way to ask whether a pid runs, only the age decides.
#[cfg(unix)]
const STALE_AGE: Duration = Duration::from_secs(24 * 60 * 60);
#[cfg(not(unix))]
const STALE_AGE: Duration = Duration::from_secs(10 * 60);

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
    remove_stale_temporaries(&dir);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let prefix = temporary_prefix(&name);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TMP_SUFFIX);
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
    // Tried again for a few seconds while another program (an antivirus scanner, the indexer)
    // holds the old file open on Windows.
    crate::replace::persist(tmp, path, overwrite).map_err(|e| {
        if !overwrite && e.error.kind() == std::io::ErrorKind::AlreadyExists {
            ExportError::Exists { path: path.to_path_buf() }
        } else {
            ExportError::Io { action: if overwrite { "replace" } else { "create" }, path: path.to_path_buf(), source: e.error }
        }
    })?;
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

/// The start of a temporary file's name for a write to `target_name` by this process.
fn temporary_prefix(target_name: &str) -> String {
    let mut end = target_name.len().min(TMP_NAME_BYTES);
    while !target_name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{TMP_PREFIX}{}.{}.", std::process::id(), &target_name[..end])
}

/// The writer's pid when `file_name` is one of this app's temporary export files.
fn temporary_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix(TMP_PREFIX)?.strip_suffix(TMP_SUFFIX)?;
    let (pid, _) = rest.split_once('.')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes this app's temporary export files in `dir` whose writer is gone: on Unix, a pid no
/// process has (or a file older than a day, in case the pid was reused); elsewhere, a file
/// older than 10 minutes. Only regular files with this app's name pattern are considered;
/// anything it cannot read or remove is left alone (best effort: the export goes on).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(temporary_pid) else { continue };
        // Not followed: a symlink or folder with this name is not one of ours.
        let Ok(meta) = entry.path().symlink_metadata() else { continue };
        if !meta.file_type().is_file() {
            continue;
        }
        let old = meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|age| age > STALE_AGE);
        if old || writer_is_gone(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether no process has `pid`: kill(pid, 0) sends nothing and fails with ESRCH only then
/// (EPERM means another user's process has it).
#[cfg(unix)]
fn writer_is_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let result = unsafe { libc::kill(pid, 0) };
    result == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn writer_is_gone(_pid: u32) -> bool {
    false
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
        assert!(matches!(&e, ExportError::Exists { path } if path == &p), "{e:?}");
        // A fact: how to replace it is each front end's to say.
        assert!(e.to_string().ends_with("a.env already exists."), "{e}");
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

    /// A message for a special file says what it is (how to write to standard output is the
    /// command line's to add), and never suggests replacing it, which would not help.
    #[cfg(unix)]
    fn assert_refused(e: ExportError, what: &str) {
        let m = e.to_string();
        assert!(matches!(e, ExportError::NotRegular { .. }), "{e:?}");
        assert!(m.contains("is not a regular file") && m.contains(what), "{m}");
        assert!(m.ends_with("so nothing was written to it."), "{m}");
        assert!(!m.contains("--force") && !m.contains("replace"), "{m}");
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

    #[test]
    fn temporary_files_are_named_after_the_app_the_writer_and_the_target() {
        let prefix = temporary_prefix("acme.env");
        assert_eq!(prefix, format!(".bitbucket-setup-export.{}.acme.env.", std::process::id()));
        assert_eq!(temporary_pid(&format!("{prefix}Ab12Cd.tmp")), Some(std::process::id()));
        for other in [".acme.env.Ab12Cd.tmp", ".bitbucket-setup-export.x1.a.tmp", ".bitbucket-setup-export.12.a.txt", ".bitbucket-setup-export..a.tmp", "bitbucket-setup-export.12.a.tmp"] {
            assert_eq!(temporary_pid(other), None, "{other}");
        }
        // A long name is cut (on a character boundary) so the whole name fits in 255 bytes.
        let long = "é".repeat(120); // 244 bytes with ".env": a name the file system allows
        let p = temporary_prefix(&long);
        assert!(p.len() <= TMP_PREFIX.len() + 11 + TMP_NAME_BYTES + 1, "{}", p.len());
        let d = tempfile::tempdir().unwrap();
        write_bytes(&d.path().join(format!("{long}.env")), b"x", 0o600, false).unwrap();
    }

    /// The pid of a process that has ended (and been waited for), so no process has it.
    #[cfg(unix)]
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[cfg(unix)]
    #[test]
    fn stale_temporary_files_of_this_app_are_removed_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let own = std::process::id();
        let file = |name: String| {
            fs::write(d.path().join(&name), b"ATCTT3xSECRET").unwrap();
            name
        };
        let stale = file(format!(".bitbucket-setup-export.{dead}.acme.env.Ab12Cd.tmp"));
        // pid 1 always runs; this one is old enough that its pid must have been reused.
        let ancient = file(".bitbucket-setup-export.1.acme.env.Zz99Yy.tmp".to_string());
        let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
        fs::File::options().write(true).open(d.path().join(&ancient)).unwrap().set_modified(two_days_ago).unwrap();
        let keep = [
            file(format!(".bitbucket-setup-export.{own}.acme.env.Qq11Ww.tmp")), // being written
            file(".bitbucket-setup-export.1.acme.env.Rr22Tt.tmp".to_string()), // pid 1 runs
            file(".foo.tmp".to_string()),
            file(".acme.env.Ab12Cd.tmp".to_string()), // older versions' name: cannot tell whose
            file(format!(".bitbucket-setup-export.{dead}.acme.env.Ab12Cd.txt")),
            file(format!("bitbucket-setup-export.{dead}.acme.env.Ab12Cd.tmp")),
        ];
        let dir_named_like_ours = format!(".bitbucket-setup-export.{dead}.dir.Ab12Cd.tmp");
        fs::create_dir(d.path().join(&dir_named_like_ours)).unwrap();
        let link_named_like_ours = format!(".bitbucket-setup-export.{dead}.link.Ab12Cd.tmp");
        std::os::unix::fs::symlink(d.path().join(".foo.tmp"), d.path().join(&link_named_like_ours)).unwrap();

        write_bytes(&d.path().join("acme.env"), b"export", 0o600, false).unwrap();

        assert!(!d.path().join(&stale).exists(), "the dead writer's file is still there");
        assert!(!d.path().join(&ancient).exists(), "the day-old file is still there");
        for name in keep.iter().chain([&dir_named_like_ours, &link_named_like_ours]) {
            assert!(d.path().join(name).symlink_metadata().is_ok(), "{name} was removed");
        }
        assert_eq!(fs::read(d.path().join("acme.env")).unwrap(), b"export");
    }
}
