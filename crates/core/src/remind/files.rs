//! The job's files on disk: written atomically (a temporary file in the same folder renamed
//! over the old one, [`crate::replace`]), and each write remembered so that a registration that
//! fails half-way can put back exactly what was there before.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::error::RemindError;

/// Files written so far, with what each held before (`None`: it did not exist).
#[derive(Debug, Default)]
pub struct Written {
    before: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Written {
    /// Writes `contents` to `path` (creating its folder), remembering what was there.
    pub fn write(&mut self, path: &Path, contents: &[u8]) -> Result<(), RemindError> {
        let previous = std::fs::read(path).ok();
        write_atomic(path, contents)?;
        self.before.push((path.to_path_buf(), previous));
        Ok(())
    }

    /// The files written, in order.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.before.iter().map(|(p, _)| p.clone()).collect()
    }

    /// Puts back what each file held before (or removes it), newest first. Best effort: this
    /// runs after another failure, which is the one reported.
    pub fn undo(self) {
        for (path, previous) in self.before.into_iter().rev() {
            let _ = match previous {
                Some(bytes) => write_atomic(&path, &bytes),
                None => {
                    std::fs::remove_file(&path).map_err(|source| RemindError::Remove { path: path.clone(), source })
                }
            };
        }
    }
}

/// Writes `contents` to `path` atomically, creating its folder.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), RemindError> {
    let err = |source| RemindError::Write { path: path.to_path_buf(), source };
    let dir = path.parent().ok_or_else(|| err(std::io::Error::from(std::io::ErrorKind::InvalidInput)))?;
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::Builder::new().prefix(".bitbucket-setup-").tempfile_in(dir).map_err(err)?;
    tmp.write_all(contents).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    crate::replace::persist(tmp, path, true).map_err(|e| err(e.error))?;
    Ok(())
}

/// Removes `path`; one that is not there is fine. Returns whether it was there.
pub fn remove(path: &Path) -> Result<bool, RemindError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(RemindError::Remove { path: path.to_path_buf(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_puts_back_what_was_there_and_removes_what_was_not() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.service");
        let new = dir.path().join("sub/new.timer");
        std::fs::write(&old, "before").unwrap();
        let mut written = Written::default();
        written.write(&old, b"after").unwrap();
        written.write(&new, b"fresh").unwrap();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "after");
        assert_eq!(written.paths(), vec![old.clone(), new.clone()]);
        written.undo();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "before");
        assert!(!new.exists());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 2, "no temporary file is left: {left:?}");
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_said_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let err = write_atomic(&blocker.join("x.service"), b"x").unwrap_err();
        assert!(matches!(err, RemindError::Write { .. }));
        assert!(
            err.to_string().starts_with("The daily job's file ") && err.to_string().ends_with("Nothing was changed."),
            "{err}"
        );
        assert!(!remove(&dir.path().join("absent")).unwrap());
    }
}
