//! Reading what the user hands the command line — a file, or standard input for `-` — without
//! ever reading more than a limit or waiting forever.
//!
//! Why: trusting the file's metadata and then reading the path lost in three ways. A named pipe
//! with no writer made `open` wait forever; `/dev/zero`, a `/proc` file (size 0 with contents)
//! or a file growing while it is read said nothing true about how much a read would return;
//! and standard input that never closes hung the command. So here a path is opened without
//! blocking (`O_NONBLOCK` on Unix), the opened handle must be a regular file (symlinks to one
//! are fine: the check is on what was opened), and it is read through [`Read::take`], so at
//! most `limit + 1` bytes are ever read, whatever the file claims. Standard input is read in a
//! background thread that the caller stops waiting for after a time limit.
//!
//! What is read may hold a token, so it comes back as [`Zeroizing`] bytes, and the buffer is
//! reserved for the whole limit before the first read so it never moves: a move would leave an
//! unwiped copy behind. Messages name the input, never its contents, and never repeat an OS
//! error's own text ("Os { code: 2, .. }" is not a message for a person).

use std::fs::{self, File, FileType};
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use zeroize::Zeroizing;

/// Why an input could not be read: `Display` is the whole message, what went wrong and what to
/// do about it. Messages name the input (a path or "standard input"), never what it holds.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("There is no file {input}. Check the path.")]
    NotFound { input: String },
    #[error("{}", not_a_file(input, what))]
    NotAFile { input: String, what: &'static str },
    #[error("{input} is larger than {}, so it was not read.", size_text(*.limit))]
    TooLarge { input: String, limit: usize },
    #[error("Standard input did not end within {} seconds, so nothing was read. Send something that ends, such as a file (< export.json), or give the file's name instead of -.", .timeout.as_secs())]
    TimedOut { timeout: Duration },
    #[error("Could not read {input}.{}", read_advice(source))]
    Io {
        input: String,
        #[source]
        source: io::Error,
    },
}

fn not_a_file(input: &str, what: &str) -> String {
    if what == "a folder" {
        format!("{input} is a folder. Give the file itself.")
    } else {
        format!("{input} is {what}, not a regular file, so it was not read. Give the path of a file saved on disk; to read standard input, give - as the file name.")
    }
}

fn read_advice(source: &io::Error) -> &'static str {
    match source.kind() {
        io::ErrorKind::PermissionDenied => " You are not allowed to read it: check its permissions.",
        io::ErrorKind::InvalidData => " It could not be read as it is.",
        _ => " Try again, or check the path.",
    }
}

/// "1 MiB", "64 KiB" or "100 bytes": a limit as a person reads it.
fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The path as it is shown in a message: no control character can reach the terminal.
fn shown(path: &Path) -> String {
    crate::safe_text::visible(&path.display().to_string())
}

/// What a file system object is when it is not a regular file ("a named pipe", "a device", …),
/// for messages; `None` for a regular file. A symlink is reported as such: callers that follow
/// links look at the target's type instead.
pub fn special_kind(file_type: &FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    if file_type.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// Reads the regular file at `path` (or a symlink to one), at most `limit` bytes.
///
/// Anything else — a folder, a named pipe, a socket, a device — is refused without reading
/// from it, and a named pipe without a writer does not block. The size is measured by reading
/// (at most `limit + 1` bytes), never taken from the metadata.
pub fn read_regular_file(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>, InputError> {
    let input = shown(path);
    // Looked at before opening, so a device is not even opened (opening some has effects, a
    // tape rewinds); the opened handle is checked again below, since the path may change.
    match fs::metadata(path) {
        Ok(m) => {
            if let Some(what) = special_kind(&m.file_type()) {
                return Err(InputError::NotAFile { input, what });
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(InputError::NotFound { input }),
        Err(source) => return Err(InputError::Io { input, source }),
    }
    let file = open_regular(path)?;
    read_at_most(file, limit).map_err(|e| e.named(&input))
}

/// Opens `path` for reading without blocking and refuses the handle unless it is a regular
/// file. Split from [`read_regular_file`] so a test can show that a named pipe which appears
/// after the first look does not block either.
fn open_regular(path: &Path) -> Result<File, InputError> {
    let input = shown(path);
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(InputError::NotFound { input }),
        Err(source) => {
            // A socket cannot be opened at all (ENXIO): say what it is rather than the error.
            if let Some(what) = fs::metadata(path).ok().and_then(|m| special_kind(&m.file_type())) {
                return Err(InputError::NotAFile { input, what });
            }
            return Err(InputError::Io { input, source });
        }
    };
    // fstat of what was opened, not of the path.
    let meta = file.metadata().map_err(|source| InputError::Io { input: input.clone(), source })?;
    if let Some(what) = special_kind(&meta.file_type()) {
        return Err(InputError::NotAFile { input, what });
    }
    Ok(file)
}

/// `O_NONBLOCK`: opening a named pipe for reading returns at once even with no writer (a plain
/// open waits for one, forever). It changes nothing for a regular file. `O_NOCTTY`: should the
/// path turn out to be a terminal, it does not become this process's controlling terminal.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Reads standard input, at most `limit` bytes, and gives up after `timeout`: standard input
/// that never ends, or a writer that never closes it, must not hang the command. The reading
/// thread is left behind when the time is up; the process is about to exit with the message.
pub fn read_stdin_bounded(limit: usize, timeout: Duration) -> Result<Zeroizing<Vec<u8>>, InputError> {
    read_with_deadline(io::stdin(), "Standard input", limit, timeout)
}

/// [`read_stdin_bounded`] for any reader (tests use a reader that never ends).
pub fn read_with_deadline<R: Read + Send + 'static>(
    reader: R,
    input: &str,
    limit: usize,
    timeout: Duration,
) -> Result<Zeroizing<Vec<u8>>, InputError> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("bounded-input".into())
        .spawn(move || {
            // When the receiver has given up, the result is dropped here and wiped.
            let _ = tx.send(read_at_most(reader, limit));
        })
        .map_err(|source| InputError::Io { input: input.to_string(), source })?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result.map_err(|e| e.named(input)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(InputError::TimedOut { timeout }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(InputError::Io {
            input: input.to_string(),
            source: io::Error::other("the reading thread stopped"),
        }),
    }
}

/// Why [`read_at_most`] stopped, before the input is named.
#[derive(Debug)]
enum ReadError {
    TooLarge(usize),
    Io(io::Error),
}

impl ReadError {
    fn named(self, input: &str) -> InputError {
        match self {
            ReadError::TooLarge(limit) => InputError::TooLarge { input: input.to_string(), limit },
            ReadError::Io(source) => InputError::Io { input: input.to_string(), source },
        }
    }
}

/// Reads at most `limit + 1` bytes: one more than allowed is how "too large" is known without
/// trusting any size the source reports.
fn read_at_most<R: Read>(reader: R, limit: usize) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let cap = limit.checked_add(1).ok_or(ReadError::TooLarge(limit))?;
    let mut buf = Zeroizing::new(Vec::new());
    // All of it now, so the buffer never grows (and moves) while it holds a token.
    buf.try_reserve_exact(cap).map_err(|_| ReadError::Io(io::Error::from(io::ErrorKind::OutOfMemory)))?;
    reader.take(cap as u64).read_to_end(&mut buf).map_err(ReadError::Io)?;
    if buf.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Runs `f` on a thread and fails (instead of hanging the test run) if it takes longer
    /// than `secs` seconds.
    fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(secs)).expect("it blocked: the call did not return in time")
    }

    #[test]
    fn reads_a_regular_file_and_a_symlink_to_one() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.json");
        fs::write(&p, b"{\"a\": 1}").unwrap();
        assert_eq!(&read_regular_file(&p, 100).unwrap()[..], b"{\"a\": 1}");
        // Exactly at the limit is fine; one byte more is not.
        assert_eq!(read_regular_file(&p, 8).unwrap().len(), 8);
        let e = read_regular_file(&p, 7).unwrap_err();
        assert!(matches!(e, InputError::TooLarge { limit: 7, .. }), "{e:?}");
        assert!(e.to_string().contains("larger than 7 bytes"), "{}", e.to_string());
        #[cfg(unix)]
        {
            let link = d.path().join("link.json");
            std::os::unix::fs::symlink(&p, &link).unwrap();
            assert_eq!(&read_regular_file(&link, 100).unwrap()[..], b"{\"a\": 1}");
        }
    }

    #[test]
    fn missing_and_folders_get_plain_messages() {
        let d = tempfile::tempdir().unwrap();
        let e = read_regular_file(&d.path().join("nope.json"), 10).unwrap_err();
        assert!(matches!(e, InputError::NotFound { .. }), "{e:?}");
        assert!(e.to_string().starts_with("There is no file ") && e.to_string().ends_with("Check the path."));
        let e = read_regular_file(d.path(), 10).unwrap_err();
        assert!(matches!(e, InputError::NotAFile { what: "a folder", .. }), "{e:?}");
        assert!(e.to_string().contains("is a folder"), "{}", e.to_string());
        // No raw OS error text in any message.
        for m in [e.to_string(), read_regular_file(&d.path().join("x"), 1).unwrap_err().to_string()] {
            assert!(!m.contains("Os {") && !m.contains("os error"), "{m}");
        }
    }

    #[cfg(unix)]
    fn mkfifo(p: &Path) {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_without_a_writer_is_refused_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("pipe.json");
        mkfifo(&fifo);
        let f = fifo.clone();
        let e = within(5, move || read_regular_file(&f, 1024)).unwrap_err();
        assert!(matches!(e, InputError::NotAFile { what: "a named pipe", .. }), "{e:?}");
        assert!(e.to_string().contains("give - as the file name"), "{}", e.to_string());
        // The open itself (the path could turn into a pipe after the first look) must not
        // block either: that is what O_NONBLOCK is for.
        let e = within(5, move || open_regular(&fifo).map(|_| ())).unwrap_err();
        assert!(matches!(e, InputError::NotAFile { what: "a named pipe", .. }), "{e:?}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_sockets_are_refused() {
        for dev in ["/dev/zero", "/dev/null", "/dev/urandom"] {
            let e = within(5, move || read_regular_file(Path::new(dev), 1024)).unwrap_err();
            assert!(matches!(e, InputError::NotAFile { what: "a device", .. }), "{dev}: {e:?}");
            let e = within(5, move || open_regular(Path::new(dev)).map(|_| ())).unwrap_err();
            assert!(matches!(e, InputError::NotAFile { what: "a device", .. }), "{dev}: {e:?}");
        }
        let d = tempfile::tempdir().unwrap();
        let sock = d.path().join("s.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = read_regular_file(&sock, 1024).unwrap_err();
        assert!(matches!(e, InputError::NotAFile { what: "a socket", .. }), "{e:?}");
        let e = open_regular(&sock).unwrap_err();
        assert!(matches!(e, InputError::NotAFile { what: "a socket", .. }), "{e:?}");
        // A symlink to a device is judged by the device.
        let link = d.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = within(5, move || read_regular_file(&link, 1024)).unwrap_err();
        assert!(matches!(e, InputError::NotAFile { what: "a device", .. }), "{e:?}");
    }

    /// A regular file whose metadata says 0 bytes but which reads far more: the limit holds
    /// because it is measured by reading, not by what the file claims.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_limit_is_measured_by_reading_not_by_metadata() {
        let p = Path::new("/proc/self/status");
        assert_eq!(fs::metadata(p).unwrap().len(), 0, "precondition: /proc reports size 0");
        let e = read_regular_file(p, 16).unwrap_err();
        assert!(matches!(e, InputError::TooLarge { limit: 16, .. }), "{e:?}");
        assert!(read_regular_file(p, 1 << 20).unwrap().len() > 16);
    }

    /// A reader that never ends and one that never says anything.
    struct Endless;
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            buf.fill(b'x');
            Ok(buf.len())
        }
    }
    struct Silent;
    impl Read for Silent {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(Duration::from_secs(3600));
            Ok(0)
        }
    }

    #[test]
    fn standard_input_is_bounded_in_size_and_time() {
        let ok = read_with_deadline(&b"hello"[..], "Standard input", 10, Duration::from_secs(5)).unwrap();
        assert_eq!(&ok[..], b"hello");
        let e = within(10, || read_with_deadline(Endless, "Standard input", 1000, Duration::from_secs(5))).unwrap_err();
        assert!(matches!(e, InputError::TooLarge { limit: 1000, .. }), "{e:?}");
        let started = Instant::now();
        let e = within(10, || read_with_deadline(Silent, "Standard input", 1000, Duration::from_millis(300))).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        assert!(matches!(e, InputError::TimedOut { .. }), "{e:?}");
        assert!(e.to_string().starts_with("Standard input did not end within"), "{}", e.to_string());
        assert_eq!(
            InputError::TimedOut { timeout: Duration::from_secs(30) }.to_string(),
            "Standard input did not end within 30 seconds, so nothing was read. Send something that ends, such as a file (< export.json), or give the file's name instead of -."
        );
    }

    #[test]
    fn sizes_read_plainly() {
        assert_eq!(size_text(1024 * 1024), "1 MiB");
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(7), "7 bytes");
    }
}
