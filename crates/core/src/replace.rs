//! Replacing a file atomically in a way that survives Windows.
//!
//! Everything the app writes is written to a temporary file in the same folder and then renamed
//! over the real one. On Unix that rename always works, whoever has the old file open. On
//! Windows it fails with "Access is denied" (or a sharing violation) while any other process has
//! the old file open: another copy of this app reading the list, but also antivirus scanners,
//! backup tools and the search indexer, which open new files all the time and for a moment. So,
//! as cargo, rustup and npm do, a replace that fails that way is tried again with a short,
//! growing pause, for a few seconds in all; if the file is still held after that, the error is
//! returned (the old file and the temporary one are untouched, so nothing is lost) and
//! [`is_held_open`] lets the message say what happened.
//!
//! Readers do their part by opening files with delete sharing (Rust's standard library does by
//! default on Windows; [`read_options`] makes it explicit), so a reader never blocks a writer
//! for longer than its read.

use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

use tempfile::{NamedTempFile, PersistError};

/// The pauses between tries: 10 ms doubling to 500 ms, about 5 seconds in all.
pub const PAUSES: [Duration; 14] = {
    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }
    [
        ms(10),
        ms(20),
        ms(40),
        ms(80),
        ms(160),
        ms(320),
        ms(500),
        ms(500),
        ms(500),
        ms(500),
        ms(500),
        ms(500),
        ms(500),
        ms(500),
    ]
};

/// How long, in whole seconds, a replace waits in all before it gives up (for messages).
pub fn patience_seconds() -> u64 {
    PAUSES.iter().map(Duration::as_millis).sum::<u128>().div_ceil(1000) as u64
}

/// Windows' `ERROR_ACCESS_DENIED`, `ERROR_SHARING_VIOLATION` and `ERROR_LOCK_VIOLATION`: what a
/// rename or delete gets while another process has the file open.
pub const WINDOWS_HELD_OPEN: [i32; 3] = [5, 32, 33];

/// Whether `code` is one of Windows' "another process has the file open" errors.
pub fn is_windows_held_open_code(code: Option<i32>) -> bool {
    code.is_some_and(|c| WINDOWS_HELD_OPEN.contains(&c))
}

/// Whether `e` says that another program has the file open: on Windows only (elsewhere these
/// numbers mean other things, and a rename never fails that way).
pub fn is_held_open(e: &io::Error) -> bool {
    cfg!(windows) && is_windows_held_open_code(e.raw_os_error())
}

/// Renames the temporary file over `target` (or, without `overwrite`, only where nothing is
/// there yet), trying again while another program holds the target open.
pub fn persist(tmp: NamedTempFile, target: &Path, overwrite: bool) -> Result<(), PersistError> {
    persist_with(tmp, target, overwrite, &PAUSES, is_held_open)
}

/// [`persist`] with the pauses and the test for "held open" given (tests).
pub fn persist_with(
    mut tmp: NamedTempFile,
    target: &Path,
    overwrite: bool,
    pauses: &[Duration],
    held_open: impl Fn(&io::Error) -> bool,
) -> Result<(), PersistError> {
    let mut pauses = pauses.iter();
    loop {
        let result = if overwrite { tmp.persist(target) } else { tmp.persist_noclobber(target) };
        match result {
            Ok(_) => return Ok(()),
            Err(e) => match pauses.next() {
                Some(pause) if held_open(&e.error) => {
                    std::thread::sleep(*pause);
                    tmp = e.file;
                }
                _ => return Err(e),
            },
        }
    }
}

/// Runs a file operation (a rename, a delete), trying again while another program holds the
/// file open.
pub fn retry<T>(op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    retry_with(op, &PAUSES, is_held_open)
}

/// [`retry`] with the pauses and the test for "held open" given (tests).
pub fn retry_with<T>(
    mut op: impl FnMut() -> io::Result<T>,
    pauses: &[Duration],
    held_open: impl Fn(&io::Error) -> bool,
) -> io::Result<T> {
    let mut pauses = pauses.iter();
    loop {
        match op() {
            Ok(v) => return Ok(v),
            Err(e) => match pauses.next() {
                Some(pause) if held_open(&e) => std::thread::sleep(*pause),
                _ => return Err(e),
            },
        }
    }
}

/// Options for reading a file that another process may replace at any moment: on Windows with
/// read, write and delete sharing, so the replace is not refused because of this reader.
pub fn read_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        /// winnt.h
        const FILE_SHARE_READ: u32 = 0x1;
        const FILE_SHARE_WRITE: u32 = 0x2;
        const FILE_SHARE_DELETE: u32 = 0x4;
        options.share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    }
    options
}

/// The sentence a message adds when a replace gave up because the file stayed open.
pub fn held_open_advice() -> String {
    format!(
        " Another program (an antivirus scanner, a backup or the search indexer) kept the file open for {} seconds, so it was left as it was. Try again in a moment.",
        patience_seconds()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const QUICK: [Duration; 5] = [Duration::from_millis(5); 5];

    fn temporary(dir: &Path, contents: &[u8]) -> NamedTempFile {
        let mut tmp = NamedTempFile::new_in(dir).unwrap();
        tmp.write_all(contents).unwrap();
        tmp
    }

    /// A non-empty folder where the file should go: a rename over it fails on every system, like
    /// a file another program holds open on Windows. "Held open" here is that failure.
    fn obstacle(target: &Path) {
        fs::create_dir(target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
    }

    fn blocked_by_folder(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::IsADirectory
            || e.kind() == io::ErrorKind::DirectoryNotEmpty
            || e.raw_os_error() == Some(21)
            || e.raw_os_error() == Some(39)
    }

    #[test]
    fn a_replace_is_tried_again_until_the_other_program_lets_go() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("connections.json");
        obstacle(&target);
        let tmp = temporary(d.path(), b"new");
        let blocker = target.clone();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            fs::remove_dir_all(&blocker).unwrap();
        });
        let pauses = [Duration::from_millis(20); 20];
        persist_with(tmp, &target, true, &pauses, blocked_by_folder).unwrap();
        release.join().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1, "the temporary file is gone");
    }

    #[test]
    fn a_replace_that_still_fails_gives_up_after_the_pauses_and_loses_nothing() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("connections.json");
        obstacle(&target);
        let tries = AtomicUsize::new(0);
        let tmp = temporary(d.path(), b"new");
        let e = persist_with(tmp, &target, true, &QUICK, |e| {
            tries.fetch_add(1, Ordering::SeqCst);
            blocked_by_folder(e)
        })
        .unwrap_err();
        assert_eq!(tries.load(Ordering::SeqCst), QUICK.len(), "asked once per pause");
        // The new contents are still in the temporary file, the old target as it was.
        assert_eq!(fs::read(e.file.path()).unwrap(), b"new");
        assert_eq!(fs::read(target.join("inside")).unwrap(), b"x");
    }

    #[test]
    fn other_failures_are_not_tried_again() {
        let d = tempfile::tempdir().unwrap();
        let calls = AtomicUsize::new(0);
        let e = retry_with(
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                fs::remove_file(d.path().join("missing"))
            },
            &QUICK,
            |e| e.kind() == io::ErrorKind::PermissionDenied,
        )
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // And a held-open failure is tried once more per pause, then returned.
        let calls = AtomicUsize::new(0);
        let e = retry_with(
            || -> io::Result<()> {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(io::Error::from(io::ErrorKind::PermissionDenied))
            },
            &QUICK,
            |e| e.kind() == io::ErrorKind::PermissionDenied,
        )
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(calls.load(Ordering::SeqCst), QUICK.len() + 1);
    }

    #[test]
    fn only_windows_codes_count_as_held_open() {
        for code in [5, 32, 33] {
            assert!(is_windows_held_open_code(Some(code)));
        }
        for code in [None, Some(2), Some(13), Some(183)] {
            assert!(!is_windows_held_open_code(code));
        }
        let e = io::Error::from_raw_os_error(32);
        assert_eq!(is_held_open(&e), cfg!(windows));
        assert!((4..=6).contains(&patience_seconds()), "{}", patience_seconds());
        assert!(held_open_advice().contains(&format!("{} seconds", patience_seconds())));
    }

    #[test]
    fn without_overwrite_an_existing_file_is_never_replaced() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("a.env");
        fs::write(&target, b"old").unwrap();
        let e = persist_with(temporary(d.path(), b"new"), &target, false, &QUICK, is_held_open).unwrap_err();
        assert_eq!(e.error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&target).unwrap(), b"old");
    }
}
