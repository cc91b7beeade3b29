//! Reading the three kinds of file byte by byte: git's credential store, netrc, and a
//! repository's git configuration. Bytes that are not UTF-8 are read as they are and kept as
//! they are; each line keeps its own end (`\n` or `\r\n`). A scan yields [`Hit`]s: where a
//! password for the host is, and the bytes that replace that place when it is retired.

use std::ops::Range;

use percent_encoding::percent_decode;
use url::Url;

use crate::bitbucket::credential::{self, PastedKind};
use crate::bitbucket::githost::GitBase;

/// A password for the host, found in a file. Never holds the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line of the entry's start.
    pub line: usize,
    pub user: String,
    pub looks_like: &'static str,
    /// The bytes that go, and what takes their place.
    pub range: Range<usize>,
    pub replacement: Vec<u8>,
    /// For a remote: its name and the key (`url` or `pushurl`).
    pub remote: Option<(String, &'static str)>,
}

pub fn looks_like(password: &str) -> &'static str {
    match credential::classify(password).map(|p| p.kind) {
        Ok(PastedKind::AccessToken) | Ok(PastedKind::ApiToken) => "a token",
        Ok(PastedKind::AppPassword) | Ok(PastedKind::LegacyAppPassword) => "an app password (retired)",
        _ => "a password",
    }
}

/// Each line: (start offset, content without its end, the end: `\n`, `\r\n` or nothing).
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8], &[u8])> {
    let mut start = 0;
    bytes.split_inclusive(|b| *b == b'\n').map(move |whole| {
        let at = start;
        start += whole.len();
        let cut = if whole.ends_with(b"\r\n") { 2 } else if whole.ends_with(b"\n") { 1 } else { 0 };
        (at, &whole[..whole.len() - cut], &whole[whole.len() - cut..])
    })
}

fn decode(part: &str) -> String {
    String::from_utf8_lossy(&percent_decode(part.as_bytes()).collect::<Vec<u8>>()).into_owned()
}

/// `user` and `password` of a URL whose host is `base`'s. Bytes that are not UTF-8 cannot be
/// part of a URL's host, so reading them lossily finds every URL git would use.
pub fn credentials_in(url: &[u8], base: &GitBase) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(url);
    let u = Url::parse(text.trim()).ok()?;
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str()?),
        None => u.host_str()?.to_string(),
    };
    if !host.eq_ignore_ascii_case(base.host()) {
        return None;
    }
    Some((decode(u.username()), decode(u.password()?)))
}

/// Lines of git's credential store for `base`'s host; retiring one removes the whole line.
pub fn credential_store(bytes: &[u8], base: &GitBase) -> Vec<Hit> {
    lines(bytes)
        .enumerate()
        .filter_map(|(i, (start, content, end))| {
            let (user, password) = credentials_in(content, base)?;
            let range = start..start + content.len() + end.len();
            Some(Hit { line: i + 1, user, looks_like: looks_like(&password), range, replacement: Vec::new(), remote: None })
        })
        .collect()
}

/// A netrc's words as byte ranges; `macdef` bodies (up to an empty line) are skipped.
fn netrc_words(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        words.push(start..i);
        if &bytes[start..i] == b"macdef" {
            // The macro's name, then its body up to an empty line (`\n\n` or `\r\n\r\n`).
            let rest = lines(&bytes[i..]).skip(1).find(|(_, content, _)| content.is_empty());
            i = match rest {
                Some((at, _, end)) => i + at + end.len(),
                None => bytes.len(),
            };
        }
    }
    words
}

/// `machine` entries for `base`'s host with a password (a netrc names hosts without ports);
/// retiring one removes it up to the next entry.
pub fn netrc(bytes: &[u8], base: &GitBase) -> Vec<Hit> {
    let words = netrc_words(bytes);
    let word = |i: usize| words.get(i).map(|r| &bytes[r.clone()]);
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let is_host = word(i + 1).is_some_and(|h| h.eq_ignore_ascii_case(base.host_name().as_bytes()));
        if word(i) != Some(b"machine".as_slice()) || !is_host {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        let (mut user, mut password) = (&b""[..], None);
        while let Some(w) = word(j).filter(|w| !matches!(*w, b"machine" | b"default" | b"macdef")) {
            match (w, word(j + 1)) {
                (b"login", Some(v)) => user = v,
                (b"password", Some(v)) => password = Some(v),
                _ => {}
            }
            j += 1;
        }
        let start = words[i].start;
        let end = words.get(j).map(|w| w.start).unwrap_or(bytes.len());
        if let Some(p) = password {
            let line = bytes[..start].iter().filter(|b| **b == b'\n').count() + 1;
            let user = String::from_utf8_lossy(user).into_owned();
            found.push(Hit { line, user, looks_like: looks_like(&String::from_utf8_lossy(p)), range: start..end, replacement: Vec::new(), remote: None });
        }
        i = j;
    }
    found
}

fn trim_start(b: &[u8]) -> usize {
    b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count()
}

/// The remote a section header names: `[remote "NAME"]` (or the old `[remote.NAME]`), else None.
fn remote_of_header(content: &[u8]) -> Option<String> {
    let inner = &content[1..content.iter().position(|b| *b == b']')?];
    let (section, sub) = match inner.iter().position(|b| *b == b'"') {
        Some(q) => {
            let mut sub = Vec::new();
            let mut escaped = false;
            for &b in &inner[q + 1..] {
                match (escaped, b) {
                    (false, b'\\') => escaped = true,
                    (false, b'"') => break,
                    _ => {
                        sub.push(b);
                        escaped = false;
                    }
                }
            }
            (inner[..q].trim_ascii(), sub)
        }
        None => {
            let dot = inner.iter().position(|b| *b == b'.')?;
            (&inner[..dot], inner[dot + 1..].to_ascii_lowercase())
        }
    };
    section.eq_ignore_ascii_case(b"remote").then(|| String::from_utf8_lossy(&sub).into_owned())
}

/// The byte range of the value of a `key = value` line (without quotes), if it is simple:
/// one line, no escapes.
fn value_of(content: &[u8], key: &[u8]) -> Option<Range<usize>> {
    let mut i = trim_start(content);
    let name_len = content[i..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
    if !content[i..i + name_len].eq_ignore_ascii_case(key) {
        return None;
    }
    i += name_len;
    i += trim_start(&content[i..]);
    if content.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    i += trim_start(&content[i..]);
    let (start, end) = if content.get(i) == Some(&b'"') {
        let close = i + 1 + content[i + 1..].iter().position(|b| *b == b'"')?;
        (i + 1, close)
    } else {
        let end = i + content[i..].iter().position(|b| matches!(b, b'#' | b';')).unwrap_or(content.len() - i);
        (i, i + content[i..end].trim_ascii_end().len())
    };
    (!content[start..end].iter().any(|b| matches!(b, b'\\' | b'"'))).then_some(start..end)
}

/// The URL without its `user:password@`, every other byte as it was.
pub fn without_userinfo(url: &[u8]) -> Option<Vec<u8>> {
    let auth = url.windows(3).position(|w| w == b"://")? + 3;
    let auth_end = auth + url[auth..].iter().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(url.len() - auth);
    let at = auth + url[auth..auth_end].iter().rposition(|b| *b == b'@')?;
    Some([&url[..auth], &url[at + 1..]].concat())
}

/// `url` and `pushurl` values of the remotes in a git configuration file whose URL holds a
/// password for `base`'s host; retiring one takes `user:password@` out of the URL.
pub fn git_config(bytes: &[u8], base: &GitBase) -> Vec<Hit> {
    let mut remote: Option<String> = None;
    let mut found = Vec::new();
    for (i, (start, content, _)) in lines(bytes).enumerate() {
        let text = &content[trim_start(content)..];
        if text.starts_with(b"[") {
            remote = remote_of_header(text);
            continue;
        }
        let Some(name) = &remote else { continue };
        for key in ["url", "pushurl"] {
            let Some(value) = value_of(content, key.as_bytes()) else { continue };
            let url = &content[value.clone()];
            let Some((user, password)) = credentials_in(url, base) else { continue };
            let Some(replacement) = without_userinfo(url) else { continue };
            let range = start + value.start..start + value.end;
            found.push(Hit { line: i + 1, user, looks_like: looks_like(&password), range, replacement, remote: Some((name.clone(), key)) });
        }
    }
    found
}

/// The bytes with every hit replaced. A credential store left with nothing but blank space
/// becomes empty.
pub fn apply(bytes: &[u8], hits: &[Hit], blank_is_empty: bool) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut hits: Vec<&Hit> = hits.iter().collect();
    hits.sort_by_key(|h| h.range.start);
    for h in hits.into_iter().rev() {
        out.splice(h.range.clone(), h.replacement.iter().copied());
    }
    if blank_is_empty && out.iter().all(u8::is_ascii_whitespace) {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_PASSWORD: &str = "ATBBxq7Lm2Zp9Rt4Vw8Yb3Nc6Df1Gh5Jk0E1A2B3C4";

    #[test]
    fn credential_store_lines_for_bitbucket_are_found_without_the_password() {
        let text = format!("https://alice:{APP_PASSWORD}@bitbucket.org\nhttps://bob:ghp_x@github.com\nhttps://x-token-auth:ATCTT3xFfGN0abc@BitBucket.org/acme/website.git\n");
        let found = credential_store(text.as_bytes(), &GitBase::cloud());
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].user.as_str(), found[0].line, found[0].looks_like), ("alice", 1, "an app password (retired)"));
        assert_eq!((found[1].user.as_str(), found[1].looks_like), ("x-token-auth", "a token"));
        assert!(!format!("{found:?}").contains("ATBB") && !format!("{found:?}").contains("ATCTT"));
    }

    #[test]
    fn lines_keep_their_own_ends_and_bytes() {
        let bytes = b"a\xe9\r\nhttps://alice:ATBBx@bitbucket.org\r\nb\nhttps://u:p@bitbucket.org".to_vec();
        let hits = credential_store(&bytes, &GitBase::cloud());
        assert_eq!(hits.iter().map(|h| h.line).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(apply(&bytes, &hits, true), b"a\xe9\r\nb\n");
    }

    #[test]
    fn netrc_entries_are_found_and_removed_alone() {
        let text = format!("machine github.com login bob password ghp_x\nmachine bitbucket.org\n  login alice\n  password {APP_PASSWORD}\n\nmacdef init\nmachine bitbucket.org password x\n\ndefault login anonymous password me@example.com\n");
        let found = netrc(text.as_bytes(), &GitBase::cloud());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].user.as_str(), found[0].line), ("alice", 2));
        let kept = String::from_utf8(apply(text.as_bytes(), &found, false)).unwrap();
        assert!(kept.contains("machine github.com login bob password ghp_x") && kept.contains("default login anonymous"), "{kept}");
        assert!(!kept.contains(APP_PASSWORD) && kept.contains("macdef init"), "{kept}");
        // A macro ended by a CRLF empty line.
        let crlf = "macdef m\r\nmachine bitbucket.org password x\r\n\r\nmachine bitbucket.org login a password ATBBy\r\n";
        assert_eq!(netrc(crlf.as_bytes(), &GitBase::cloud()).iter().map(|h| h.line).collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn remote_urls_and_push_urls_lose_only_their_user_and_password() {
        let config = format!("[core]\n\turl = https://a:b@bitbucket.org/x\n[remote \"origin\"]\r\n\turl = https://alice:{APP_PASSWORD}@bitbucket.org/acme/web.git # mine\r\n\tPushURL=\"https://alice:{APP_PASSWORD}@bitbucket.org/acme/push.git\"\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[remote.up]\n\turl = https://bob:p@BITBUCKET.org:443/acme/o.git\n[remote \"gh\"]\n\turl = https://c:d@github.com/x\n");
        let hits = git_config(config.as_bytes(), &GitBase::cloud());
        let seen: Vec<_> = hits.iter().map(|h| (h.remote.clone().unwrap(), h.line, String::from_utf8(h.replacement.clone()).unwrap())).collect();
        assert_eq!(
            seen,
            [
                (("origin".to_string(), "url"), 4, "https://bitbucket.org/acme/web.git".to_string()),
                (("origin".to_string(), "pushurl"), 5, "https://bitbucket.org/acme/push.git".to_string()),
                (("up".to_string(), "url"), 8, "https://BITBUCKET.org:443/acme/o.git".to_string()),
            ]
        );
        let fixed = String::from_utf8(apply(config.as_bytes(), &hits, false)).unwrap();
        assert_eq!(fixed, config.replace(&format!("alice:{APP_PASSWORD}@"), "").replace("bob:p@", ""));
        assert!(fixed.contains("web.git # mine\r\n") && fixed.contains("https://a:b@bitbucket.org/x"), "{fixed}");
    }

    #[test]
    fn userinfo_is_taken_out_byte_for_byte() {
        assert_eq!(without_userinfo(b"https://u:p@h/a@b").unwrap(), b"https://h/a@b");
        assert_eq!(without_userinfo(b"https://u:p@w@h:1/x\xe9").unwrap(), b"https://h:1/x\xe9");
        assert_eq!(without_userinfo(b"https://h/x"), None);
    }
}
