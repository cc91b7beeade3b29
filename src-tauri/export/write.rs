//! Writing an export: atomically (a temporary file in the same folder, flushed to disk, then
//! renamed over the target), and created with its final mode — `0600` when it holds the token —
//! so the secret is never readable by others, not even for a moment. The mode is never changed
//! after the secret is written.

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
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Err(ExportError::IsFolder { path: path.to_path_buf() }),
        Ok(_) if !overwrite => return Err(ExportError::Exists { path: path.to_path_buf() }),
        _ => {}
    }
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
}
