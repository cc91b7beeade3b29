//! git's credential helper protocol (gitcredentials(7) "Custom helpers", git-credential(1)
//! "Input/output format"): git writes `key=value` lines ending with a blank line or the end of
//! input; a helper's `get` answers with `username=` and `password=` lines, or with nothing, so
//! that git asks the next helper.

use std::io::{BufRead, Write};

use zeroize::Zeroizing;

use crate::bitbucket::credential::Secret;

/// git's own limit on one line.
const MAX_LINE: usize = 65_535;
/// Far more than git ever sends; anything longer is not git.
const MAX_LINES: usize = 64;

/// What git asks about. Values are git's; `password` only comes with `store` and `erase`.
#[derive(Default)]
pub struct Query {
    pub protocol: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("protocol", &self.protocol)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// Why git's input could not be read. Never repeats a value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("git's request could not be read (it is not text).")]
    Unreadable,
    #[error("git's request has a line longer than git writes (64 KiB), so it was not read. Only git should run this helper.")]
    LineTooLong,
    #[error("git's request is longer than git writes (more than 64 lines), so it was not read. Only git should run this helper.")]
    TooLong,
}

/// Reads one request. Unknown attributes (`capability[]`, `wwwauth[]`, …) are ignored, as the
/// protocol asks. Reads at most [`MAX_LINES`] lines of at most [`MAX_LINE`] bytes, and stops
/// reading as soon as a line is longer: input that is not git's (no line break, or no end)
/// never grows the memory the helper uses.
pub fn read(mut input: impl BufRead) -> Result<Query, ProtocolError> {
    let mut q = Query::default();
    // Reserved whole before the first read so it never moves: a password is wiped where it was.
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    let mut lines = 0;
    while read_line(&mut input, &mut line)? {
        lines += 1;
        if lines > MAX_LINES {
            return Err(ProtocolError::TooLong);
        }
        let text = std::str::from_utf8(&line).map_err(|_| ProtocolError::Unreadable)?;
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.is_empty() {
            break;
        }
        let Some((key, value)) = text.split_once('=') else { continue };
        match key {
            "protocol" => q.protocol = Some(value.to_string()),
            "host" => q.host = Some(value.to_string()),
            "path" => q.path = Some(value.to_string()),
            "username" => q.username = Some(value.to_string()),
            "password" => q.password = Some(Secret::new(value.to_string())),
            _ => {}
        }
    }
    Ok(q)
}

/// Reads the next line into `line` without its line break; `false` at the end of the input.
/// Takes what the reader has buffered a piece at a time and gives up at the first byte past
/// [`MAX_LINE`], so no more than that is ever held.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> Result<bool, ProtocolError> {
    line.clear();
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ProtocolError::Unreadable),
        };
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (piece, used, ended) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if line.len() + piece.len() > MAX_LINE {
            return Err(ProtocolError::LineTooLong);
        }
        line.extend_from_slice(piece);
        input.consume(used);
        if ended {
            return Ok(true);
        }
    }
}

/// Answers a `get`: the user name and the token, for git only.
pub fn answer(out: &mut impl Write, username: &str, secret: &Secret) -> std::io::Result<()> {
    let mut text = Zeroizing::new(String::with_capacity(secret.expose().len() + 64));
    text.push_str("username=");
    text.push_str(username);
    text.push_str("\npassword=");
    text.push_str(secret.expose());
    text.push('\n');
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_git_sends_and_ignores_the_rest() {
        let q = read(&b"capability[]=authtype\nprotocol=https\nhost=bitbucket.org\npath=acme/website.git\nusername=alice\nwwwauth[]=Basic realm=\"x\"\n\nprotocol=ignored\n"[..]).unwrap();
        assert_eq!(q.protocol.as_deref(), Some("https"));
        assert_eq!(q.host.as_deref(), Some("bitbucket.org"));
        assert_eq!(q.path.as_deref(), Some("acme/website.git"));
        assert_eq!(q.username.as_deref(), Some("alice"));
        assert!(q.password.is_none());
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let q = read(&b"protocol=https\nhost=bitbucket.org\npassword=ATBBsecretvalue\n"[..]).unwrap();
        assert_eq!(q.password.as_ref().unwrap().expose(), "ATBBsecretvalue");
        assert!(!format!("{q:?}").contains("secretvalue"));
    }

    #[test]
    fn input_that_is_not_git_is_refused() {
        assert_eq!(read(&b"host=\xff\n"[..]).unwrap_err(), ProtocolError::Unreadable);
        let long = "a=b\n".repeat(MAX_LINES + 1);
        assert_eq!(read(long.as_bytes()).unwrap_err(), ProtocolError::TooLong);
        let huge = format!("host={}\n", "x".repeat(MAX_LINE + 1));
        assert_eq!(read(huge.as_bytes()).unwrap_err(), ProtocolError::LineTooLong);
        let at_limit = format!("host={}\n\n", "x".repeat(MAX_LINE - 5));
        assert_eq!(read(at_limit.as_bytes()).unwrap().host.map(|h| h.len()), Some(MAX_LINE - 5));
        assert_eq!(read(&b"protocol=https\nhost=bitbucket.org"[..]).unwrap().host.as_deref(), Some("bitbucket.org"), "the last line may end without a break");
    }

    /// Input that never ends and has no line break: reading stops at the limit.
    #[test]
    fn endless_input_without_a_line_break_is_read_only_to_the_limit() {
        struct Zeros {
            given: usize,
        }
        impl std::io::Read for Zeros {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                buf.fill(0);
                self.given += buf.len();
                Ok(buf.len())
            }
        }
        let mut zeros = Zeros { given: 0 };
        let err = read(std::io::BufReader::with_capacity(4096, &mut zeros)).unwrap_err();
        assert_eq!(err, ProtocolError::LineTooLong);
        assert!(zeros.given <= MAX_LINE + 4096, "read {} bytes", zeros.given);
    }

    #[test]
    fn the_answer_is_two_lines() {
        let mut out = Vec::new();
        answer(&mut out, "x-token-auth", &Secret::new("ATCTT3xFfGN0token")).unwrap();
        assert_eq!(out, b"username=x-token-auth\npassword=ATCTT3xFfGN0token\n");
    }
}
