//! The grammar of a pasted location: cleaning what copying adds, splitting an address into
//! host, path and query, and reading Bitbucket's web, clone and API path shapes into a
//! [`Location`]. Names found on the way are checked by [`super::names`].

use percent_encoding::percent_decode_str;
use url::Url;

use super::names::{is_plain_name, validate_repository, validate_workspace};
use super::messages::{is_invisible, shorten};
use super::{is_commit_hash, Location, LocationError, LocationPart};


/// First path segments of bitbucket.org that are Bitbucket's own pages, so never a workspace.
/// `api` and `!api` are not here: they are read as API addresses.
const RESERVED_FIRST_SEGMENTS: &[&str] = &[
    "account",
    "dashboard",
    "site",
    "repo",
    "product",
    "blog",
    "support",
    "snippets",
    "socialauth",
    "search",
    "xhr",
];

/// Second path segments that belong to the workspace itself (`/acme/workspace/settings/...`,
/// `/acme/profile/repositories`), not to a repository of that name.
const WORKSPACE_PAGES: &[&str] = &["workspace", "profile"];

/// Hosts that serve the Bitbucket Cloud website or git (altssh is git over SSH on port 443).
const WEB_HOSTS: &[&str] = &["bitbucket.org", "www.bitbucket.org", "altssh.bitbucket.org"];

/// The host of the REST API, whose paths look like `/2.0/repositories/{ws}/{repo}`.
const API_HOST: &str = "api.bitbucket.org";

/// URL schemes under which a Bitbucket Cloud repository can be reached.
const ACCEPTED_SCHEMES: &[&str] = &["http", "https", "ssh", "git", "git+ssh", "ssh+git"];

/// Prefixes of Bitbucket tokens and app passwords, used only to avoid echoing a secret back when
/// one is pasted into the location field by mistake.
const SECRET_PREFIXES: &[&str] = &["ATCT", "ATAT", "ATBB"];

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/// Reads one pasted text: a browser address, a clone URL, an API URL, `workspace/repository`,
/// or a workspace ID alone.
///
/// # Errors
/// A [`LocationError`] saying what is wrong with the text; its `Display`
/// explains it to the user.
pub fn parse(input: &str) -> Result<Location, LocationError> {
    let text = clean_input(input)?;
    reject_secret(&text)?;
    let address = split_address(&text)?;
    read_address(&address)
}

/// Reads the two fields of a form. `workspace` may itself be anything [`parse`] accepts; when it
/// already names a repository and `repository` names another, that is a
/// [`LocationError::Conflict`] rather than a silent choice. `repository` is a slug (or `{uuid}`),
/// but a full address there is accepted too, as long as it agrees with `workspace`. When the
/// workspace field is empty and the repository field holds a full repository address, that
/// address alone is used.
///
/// # Errors
/// As [`parse`], plus [`LocationError::Conflict`] and [`LocationError::RepositoryMissing`].
pub fn parse_parts(workspace: &str, repository: Option<&str>) -> Result<Location, LocationError> {
    let repository = match repository.map(clean_input) {
        None | Some(Err(LocationError::Empty)) => None,
        Some(Err(other)) => return Err(other),
        Some(Ok(text)) => Some(text),
    };
    let base = match (parse(workspace), &repository) {
        (Err(LocationError::Empty), Some(text)) if !is_plain_name(text) => {
            return read_repository_field(text).and_then(|field| match field {
                RepositoryField::Address(location) => Ok(location),
                RepositoryField::Slug(_) => Err(LocationError::Empty),
            });
        }
        (result, _) => result?,
    };
    match repository {
        None => Ok(base),
        Some(text) => merge(base, read_repository_field(&text)?),
    }
}

/// True when the pasted text carries a password or token in the address itself
/// (`https://user:secret@bitbucket.org/…`). [`parse`] ignores that part; the caller may want to
/// warn that the secret is now in the clipboard history and should be treated as exposed.
pub fn carries_credentials(input: &str) -> bool {
    let Ok(text) = clean_input(input) else {
        return false;
    };
    let Some((scheme, _)) = text.split_once("://") else {
        return false;
    };
    if !is_scheme(scheme) {
        return false;
    }
    match Url::parse(&text) {
        Ok(url) => url.password().is_some() || looks_like_secret(url.username()),
        Err(_) => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Cleaning the pasted text
// ---------------------------------------------------------------------------------------------

/// Removes what copying adds around an address: line breaks, spaces, invisible characters,
/// quotes or angle brackets, a `git clone` in front, trailing slashes.
fn clean_input(input: &str) -> Result<String, LocationError> {
    // Line breaks and tabs inside a URL are dropped by browsers too (a wrapped line in an email).
    let joined: String = input
        .chars()
        .filter(|c| !matches!(c, '\n' | '\r' | '\t'))
        .collect();
    let trimmed = strip_wrapping(joined.trim_matches(is_edge_noise)).trim_matches(is_edge_noise);
    let picked = pick_address_token(trimmed);
    let text = picked.trim_end_matches('/');
    if text.is_empty() {
        Err(LocationError::Empty)
    } else {
        Ok(text.to_string())
    }
}

/// Spaces and the invisible characters that editors and chat apps put around copied text.
fn is_edge_noise(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// Removes one pair of quotes, backticks or angle brackets around the whole text.
fn strip_wrapping(text: &str) -> &str {
    const PAIRS: &[(char, char)] = &[
        ('<', '>'),
        ('"', '"'),
        ('\'', '\''),
        ('`', '`'),
        ('\u{201C}', '\u{201D}'),
        ('\u{2018}', '\u{2019}'),
    ];
    PAIRS
        .iter()
        .find_map(|&(open, close)| {
            text.strip_prefix(open)
                .and_then(|rest| rest.strip_suffix(close))
        })
        .unwrap_or(text)
}

/// From a command or sentence (`git clone https://…/website.git my-dir`), keeps the one word
/// that is an address. Text with no such word, or several, is returned unchanged.
fn pick_address_token(text: &str) -> &str {
    if !text.contains(char::is_whitespace) {
        return text;
    }
    let mut candidates = text
        .split_whitespace()
        .map(strip_wrapping)
        .filter(|word| word.contains("://") || (word.contains('@') && word.contains(':')));
    match (candidates.next(), candidates.next()) {
        (Some(only), None) => only,
        _ => text,
    }
}

/// Refuses text that is or contains a Bitbucket token (`token: ATCTT…`), so that it is never
/// quoted back in a message.
fn reject_secret(text: &str) -> Result<(), LocationError> {
    if text.split_whitespace().any(looks_like_secret) {
        Err(LocationError::LooksLikeSecret)
    } else {
        Ok(())
    }
}

/// A Bitbucket token or app password: known prefix, long, one word, no slash.
fn looks_like_secret(text: &str) -> bool {
    SECRET_PREFIXES
        .iter()
        .any(|prefix| text.starts_with(prefix))
        && text.chars().count() >= 30
        && text.chars().all(|c| c.is_ascii_graphic() && c != '/')
}

// ---------------------------------------------------------------------------------------------
// Splitting an address into host, path segments and query
// ---------------------------------------------------------------------------------------------

/// An address taken apart but not yet interpreted. Segments are still percent-encoded, so that an
/// encoded `/` inside a branch name (`feature%2Fx`) is not mistaken for a separator.
#[derive(Debug)]
struct Address {
    /// Lowercase host, without port; `None` for typed text such as `acme/website`.
    host: Option<String>,
    segments: Vec<String>,
    query: Vec<(String, String)>,
}

/// Recognises the four shapes of text: `scheme://…`, scp-style `git@host:ws/repo`,
/// `host/ws/repo` without a scheme, and a bare `ws/repo`.
fn split_address(text: &str) -> Result<Address, LocationError> {
    if let Some((scheme, rest)) = text.split_once("://") {
        if is_scheme(scheme) {
            return split_url(text, scheme, rest);
        }
    }
    if looks_like_local_folder(text) {
        return Err(LocationError::LocalFolder);
    }
    if let Some(address) = split_scp(text) {
        return Ok(address);
    }
    // `//bitbucket.org/acme/website` (protocol-relative) reads like `bitbucket.org/acme/website`.
    let hosted = text.strip_prefix("//").unwrap_or(text);
    let head = hosted.split(['/', '?', '#']).next().unwrap_or_default();
    let host_part = head.rsplit('@').next().unwrap_or_default();
    if looks_like_host(host_part) {
        return split_url(&format!("https://{hosted}"), "https", hosted);
    }
    let (segments, query) = split_path(text);
    if segments.is_empty() {
        return Err(unrecognised(text));
    }
    Ok(Address {
        host: None,
        segments,
        query,
    })
}

/// Parses a text with a scheme using the WHATWG rules browsers use.
fn split_url(text: &str, scheme: &str, rest: &str) -> Result<Address, LocationError> {
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "file" {
        return Err(LocationError::LocalFolder);
    }
    if !ACCEPTED_SCHEMES.contains(&scheme.as_str()) {
        return Err(LocationError::UnsupportedScheme { scheme });
    }
    let url = match Url::parse(text) {
        Ok(url) => url,
        // `ssh://git@bitbucket.org:acme/website.git` mixes two syntaxes; read it as scp-style.
        Err(_) => return split_scp(rest).ok_or_else(|| unrecognised(text)),
    };
    let host = match url.host_str() {
        Some(host) if !host.is_empty() => normalise_host(host),
        _ => return Err(unrecognised(text)),
    };
    let segments = url
        .path_segments()
        .map(|parts| {
            parts
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let query = url.query().map(split_query).unwrap_or_default();
    Ok(Address {
        host: Some(host),
        segments,
        query,
    })
}

/// A path on the user's own disk (`C:\Users\…`, `~/code/website`, `/home/me/website`), which
/// would otherwise be read as `home/me`. `/acme/website` stays an address: only the usual
/// top-level folders of Windows, macOS and Linux count.
fn looks_like_local_folder(text: &str) -> bool {
    const ROOTS: &[&str] = &[
        "home", "users", "usr", "var", "tmp", "mnt", "media", "opt", "srv", "root", "volumes",
        "private", "etc",
    ];
    let mut chars = text.chars();
    let drive = matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(letter), Some(':'), Some('\\' | '/')) if letter.is_ascii_alphabetic()
    );
    let unix_root = text.strip_prefix('/').is_some_and(|rest| {
        let first = rest.split('/').next().unwrap_or_default();
        ROOTS.contains(&first.to_ascii_lowercase().as_str()) && rest.contains('/')
    });
    drive
        || unix_root
        || text.contains('\\')
        || text.starts_with("~/")
        || text.starts_with("./")
        || text.starts_with("../")
}

/// Reads git's scp-like syntax `user@host:path` (no scheme, colon before the first slash).
fn split_scp(text: &str) -> Option<Address> {
    let colon = text.find(':')?;
    if text.find('/').is_some_and(|slash| slash < colon) {
        return None;
    }
    let (prefix, path) = (&text[..colon], &text[colon + 1..]);
    let host = prefix.rsplit('@').next().unwrap_or_default();
    if !(prefix.contains('@') || looks_like_host(host)) || host.is_empty() {
        return None;
    }
    // `bitbucket.org:443/acme/website` is a host with a port, not scp syntax.
    let port_like = path
        .split('/')
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let path = if port_like && !prefix.contains('@') {
        path.split_once('/').map_or("", |(_, after)| after)
    } else {
        path
    };
    let (segments, query) = split_path(path);
    Some(Address {
        host: Some(normalise_host(host)),
        segments,
        query,
    })
}

/// Splits `ws/repo/src/main?at=x#frag` into raw segments and query pairs.
fn split_path(text: &str) -> (Vec<String>, Vec<(String, String)>) {
    let without_fragment = text.split('#').next().unwrap_or_default();
    let (path, query) = match without_fragment.split_once('?') {
        Some((path, query)) => (path, split_query(query)),
        None => (without_fragment, Vec::new()),
    };
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (segments, query)
}

/// Query pairs, percent-decoded. `+` stays `+`: git branch names may contain it, never a space.
fn split_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// True for a URL scheme as RFC 3986 writes it (`https`, `git+ssh`).
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// True when text before the first `/` is a host name (`bitbucket.org`, `git.corp.example:7990`,
/// `10.0.0.5`, `localhost`). A workspace ID never contains a dot, so this cannot swallow one;
/// `website.git` is kept as text because `.git` is a suffix, not a top-level domain.
fn looks_like_host(text: &str) -> bool {
    let name = match text.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => text,
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !well_formed {
        return false;
    }
    let is_ipv4 = labels.len() == 4 && labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit()));
    let top = labels.last().copied().unwrap_or_default();
    is_ipv4
        || (top.chars().count() >= 2
            && top.chars().all(char::is_alphabetic)
            && !top.eq_ignore_ascii_case("git"))
}

/// Lowercase, without a trailing dot (`bitbucket.org.` is the same host).
fn normalise_host(host: &str) -> String {
    let lower = host.to_lowercase();
    lower.strip_suffix('.').map(str::to_string).unwrap_or(lower)
}

/// The error for text that cannot be read, quoting it without any `user:password@` part.
fn unrecognised(text: &str) -> LocationError {
    LocationError::Unrecognised {
        input: shorten(&without_userinfo(text)),
    }
}

/// Drops `user:password@` from `scheme://user:password@host/…`.
fn without_userinfo(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => text.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Interpreting the path
// ---------------------------------------------------------------------------------------------

/// Where an address with a host points: the website and git share paths, the API has its own.
enum Site {
    Web,
    Api,
}

/// Decides whether the host is Bitbucket Cloud at all.
fn classify_host(host: &str) -> Result<Site, LocationError> {
    if WEB_HOSTS.contains(&host) {
        Ok(Site::Web)
    } else if host == API_HOST {
        Ok(Site::Api)
    } else {
        Err(LocationError::NotCloud {
            host: host.to_string(),
        })
    }
}

/// Interprets a split address according to where it points.
fn read_address(address: &Address) -> Result<Location, LocationError> {
    match &address.host {
        Some(host) => match classify_host(host)? {
            Site::Web => read_web_path(&address.segments, &address.query, true),
            Site::Api => read_api_path(&address.segments),
        },
        None => read_web_path(&address.segments, &address.query, false),
    }
}

/// Reads a bitbucket.org path: `/{ws}`, `/{ws}/{repo}` and any page below them.
/// `follow_next` lets a sign-in page's `?next=/acme/website` be read once, never recursively.
fn read_web_path(
    segments: &[String],
    query: &[(String, String)],
    follow_next: bool,
) -> Result<Location, LocationError> {
    let Some(first_raw) = segments.first() else {
        return Err(LocationError::NoWorkspace);
    };
    let first = decode(first_raw);
    let first_lower = first.to_ascii_lowercase();
    if first_lower == "api" || first_lower == "!api" {
        if segments.len() == 1 {
            return Err(LocationError::NotAWorkspace { page: first_lower });
        }
        return read_api_path(&segments[1..]);
    }
    if let Some(workspace) = legacy_account_workspace(segments) {
        return Ok(Location::workspace_only(validate_workspace(&workspace)?));
    }
    if RESERVED_FIRST_SEGMENTS.contains(&first_lower.as_str()) {
        return match query_value(query, "next").filter(|next| follow_next && next.starts_with('/'))
        {
            Some(next) => {
                let (segments, query) = split_path(&next);
                read_web_path(&segments, &query, false)
                    .map_err(|_| LocationError::NotAWorkspace { page: first_lower })
            }
            None => Err(LocationError::NotAWorkspace { page: first_lower }),
        };
    }
    let workspace = validate_workspace(&first)?;
    let Some(second_raw) = segments.get(1) else {
        return Ok(Location::workspace_only(workspace));
    };
    let second = decode(second_raw);
    if WORKSPACE_PAGES.contains(&second.to_ascii_lowercase().as_str()) {
        return Ok(Location::workspace_only(workspace));
    }
    let repository = validate_repository(strip_git_suffix(&second))?;
    let (git_ref, path) = read_web_tail(segments.get(2..).unwrap_or_default());
    // `?at=` names the branch only when the path did not (the path's ref may be a commit).
    let git_ref = git_ref
        .as_deref()
        .and_then(clean_ref)
        .or_else(|| query_value(query, "at").as_deref().and_then(clean_ref));
    Ok(Location {
        workspace,
        repository: Some(repository),
        git_ref,
        path,
    })
}

/// The workspace of the old settings addresses `/account/user/{ws}/…`.
fn legacy_account_workspace(segments: &[String]) -> Option<String> {
    match segments {
        [account, user, workspace, ..]
            if decode(account).eq_ignore_ascii_case("account")
                && decode(user).eq_ignore_ascii_case("user") =>
        {
            Some(decode(workspace))
        }
        _ => None,
    }
}

/// The branch and folder named by what follows `/{ws}/{repo}` on the website.
fn read_web_tail(tail: &[String]) -> (Option<String>, Option<String>) {
    let Some(kind) = tail.first().map(|s| decode(s).to_ascii_lowercase()) else {
        return (None, None);
    };
    let rest = tail.get(1..).unwrap_or_default();
    match kind.as_str() {
        // Source, raw file, blame and file history all read `/{kind}/{ref}/{path}`.
        "src" | "raw" | "annotate" | "history-node" => ref_and_path(rest),
        // The branch name may be encoded (`feature%2Fx`) or not (`feature/x`).
        "branch" => (join_decoded(rest), None),
        "commits" => (read_commits_tail(rest), None),
        // Download of an archive: `/get/{ref}.zip`.
        "get" => (
            rest.first()
                .map(|s| decode(s))
                .and_then(|name| strip_archive_suffix(&name)),
            None,
        ),
        _ => (None, None),
    }
}

/// `/commits/{hash}`, `/commits/branch/{name}`, `/commits/tag/{name}`; `/commits/all` names none.
fn read_commits_tail(rest: &[String]) -> Option<String> {
    let first = decode(rest.first()?);
    match first.to_ascii_lowercase().as_str() {
        "branch" | "tag" => join_decoded(rest.get(1..).unwrap_or_default()),
        _ if is_commit_hash(&first) => Some(first),
        _ => None,
    }
}

/// Reads an API path: `/2.0/repositories/{ws}/{repo}/…`, `/2.0/workspaces/{ws}/…`.
fn read_api_path(segments: &[String]) -> Result<Location, LocationError> {
    let rest = match segments.first() {
        Some(version) if is_api_version(version) => &segments[1..],
        _ => segments,
    };
    let kind = rest
        .first()
        .map(|s| decode(s).to_ascii_lowercase())
        .unwrap_or_default();
    let workspace_raw = rest.get(1).ok_or(LocationError::NoWorkspace)?;
    match kind.as_str() {
        "repositories" => {
            let workspace = validate_workspace(&decode(workspace_raw))?;
            let Some(repo_raw) = rest.get(2) else {
                return Ok(Location::workspace_only(workspace));
            };
            let repository = validate_repository(strip_git_suffix(&decode(repo_raw)))?;
            let (git_ref, path) = read_api_tail(rest.get(3..).unwrap_or_default());
            Ok(Location {
                workspace,
                repository: Some(repository),
                git_ref: git_ref.as_deref().and_then(clean_ref),
                path,
            })
        }
        "workspaces" | "teams" | "users" | "snippets" => Ok(Location::workspace_only(
            validate_workspace(&decode(workspace_raw))?,
        )),
        _ => Err(LocationError::NoWorkspace),
    }
}

/// The branch and folder named below an API repository path.
fn read_api_tail(tail: &[String]) -> (Option<String>, Option<String>) {
    let Some(kind) = tail.first().map(|s| decode(s).to_ascii_lowercase()) else {
        return (None, None);
    };
    let rest = tail.get(1..).unwrap_or_default();
    match kind.as_str() {
        "src" => ref_and_path(rest),
        "refs" => match rest
            .first()
            .map(|s| decode(s).to_ascii_lowercase())
            .as_deref()
        {
            Some("branches" | "tags") => (join_decoded(rest.get(1..).unwrap_or_default()), None),
            _ => (None, None),
        },
        "commit" | "commits" => (rest.first().map(|s| decode(s)), None),
        _ => (None, None),
    }
}

/// `{ref}/{path…}` as used by source pages: the first segment is the ref, the rest the path.
fn ref_and_path(rest: &[String]) -> (Option<String>, Option<String>) {
    let git_ref = rest.first().map(|s| decode(s));
    let path = join_decoded(rest.get(1..).unwrap_or_default()).and_then(|p| clean_path(&p));
    (git_ref, path)
}

/// A folder or file path without empty, `.` and `..` steps, so that a path taken from pasted
/// text can only ever name something inside the repository.
fn clean_path(path: &str) -> Option<String> {
    let steps: Vec<&str> = path
        .split('/')
        .filter(|step| !matches!(*step, "" | "." | ".."))
        .collect();
    (!steps.is_empty()).then(|| steps.join("/"))
}

/// `2.0`, `1.0`: the version segment at the start of an API path.
fn is_api_version(segment: &str) -> bool {
    segment.split_once('.').is_some_and(|(major, minor)| {
        !major.is_empty()
            && !minor.is_empty()
            && (major.to_string() + minor)
                .bytes()
                .all(|b| b.is_ascii_digit())
    })
}

/// The value of a query parameter, when present and not empty.
fn query_value(query: &[(String, String)], key: &str) -> Option<String> {
    query
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
}

/// A ref as the API wants it: `refs/heads/main` → `main`. `HEAD` means "the default branch",
/// which is the same as naming none; text git could never use as a ref name (spaces, control
/// characters) is dropped rather than passed on.
fn clean_ref(git_ref: &str) -> Option<String> {
    let trimmed = git_ref.trim();
    let short = trimmed
        .strip_prefix("refs/heads/")
        .or_else(|| trimmed.strip_prefix("refs/tags/"))
        .unwrap_or(trimmed);
    let usable = !short.is_empty()
        && short != "HEAD"
        && !short.chars().any(|c| c.is_whitespace() || c.is_control());
    usable.then(|| short.to_string())
}

/// Decodes each segment and joins them with `/`; `None` when nothing is left.
fn join_decoded(segments: &[String]) -> Option<String> {
    let joined = segments
        .iter()
        .map(|s| decode(s))
        .collect::<Vec<_>>()
        .join("/");
    let trimmed = joined.trim_matches('/');
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// `v1.2.zip` → `v1.2`, for archive download links.
fn strip_archive_suffix(name: &str) -> Option<String> {
    [".tar.gz", ".tar.bz2", ".tgz", ".zip"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|stem| !stem.is_empty())
        .map(str::to_string)
}

/// Removes every trailing `.git` (any case) from a clone URL's repository part, keeping a name
/// that is nothing but `.git`. All of them, not one: `web.git.git` must mean the same as the
/// address shown back to the user, or a second reading would change the repository (found by
/// the fuzzer).
fn strip_git_suffix(mut name: &str) -> &str {
    loop {
        let cut = name.len().checked_sub(4);
        match cut.and_then(|at| name.get(at..).map(|suffix| (at, suffix))) {
            Some((at, suffix)) if at > 0 && suffix.eq_ignore_ascii_case(".git") => {
                name = name.get(..at).unwrap_or(name);
            }
            _ => return name,
        }
    }
}

/// Percent-decodes; bytes that are not UTF-8 become U+FFFD, which the name rules then report.
fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------------
// Two fields
// ---------------------------------------------------------------------------------------------

/// What the repository field of a form held.
enum RepositoryField {
    Slug(String),
    Address(Location),
}

/// Reads the repository field: a slug, or a full address that must name a repository.
fn read_repository_field(text: &str) -> Result<RepositoryField, LocationError> {
    reject_secret(text)?;
    if is_plain_name(text) {
        return validate_repository(strip_git_suffix(&decode(text))).map(RepositoryField::Slug);
    }
    let location = parse(text)?;
    if location.repository.is_none() {
        return Err(LocationError::RepositoryMissing {
            workspace: location.workspace,
        });
    }
    Ok(RepositoryField::Address(location))
}

/// Joins the two fields, refusing to pick one when they disagree.
fn merge(base: Location, field: RepositoryField) -> Result<Location, LocationError> {
    let other = match field {
        RepositoryField::Slug(slug) => Location {
            workspace: base.workspace.clone(),
            repository: Some(slug),
            git_ref: None,
            path: None,
        },
        RepositoryField::Address(location) => location,
    };
    if other.workspace != base.workspace {
        return Err(LocationError::Conflict {
            part: LocationPart::Workspace,
            first: base.workspace,
            second: other.workspace,
        });
    }
    if let (Some(first), Some(second)) = (&base.repository, &other.repository) {
        if first != second {
            return Err(LocationError::Conflict {
                part: LocationPart::Repository,
                first: first.clone(),
                second: second.clone(),
            });
        }
    }
    // A ref and its path travel together: take both from whichever field named a ref.
    let (git_ref, path) = if base.git_ref.is_some() {
        (base.git_ref, base.path)
    } else {
        (other.git_ref, other.path)
    };
    Ok(Location {
        workspace: base.workspace,
        repository: other.repository.or(base.repository),
        git_ref,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::*;
    use crate::location::testing::*;

    /// (input, workspace, repository, git_ref, path)
    type Case = (
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );

    const CASES: &[Case] = &[
        // Repository pages.
        ("https://bitbucket.org/acme/website", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/", "acme", Some("website"), None, None),
        ("  https://bitbucket.org/acme/website/ \n", "acme", Some("website"), None, None),
        ("http://bitbucket.org/acme/website", "acme", Some("website"), None, None),
        ("bitbucket.org/acme/website", "acme", Some("website"), None, None),
        ("www.bitbucket.org/acme/website", "acme", Some("website"), None, None),
        ("https://www.bitbucket.org/acme/website", "acme", Some("website"), None, None),
        ("https://BitBucket.ORG/Acme/WebSite", "acme", Some("website"), None, None),
        ("https://bitbucket.org./acme/website", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/my.site_v2-x", "acme", Some("my.site_v2-x"), None, None),
        ("<https://bitbucket.org/acme/website>", "acme", Some("website"), None, None),
        ("\"https://bitbucket.org/acme/website\"", "acme", Some("website"), None, None),
        ("\u{feff}https://bitbucket.org/acme/website\u{200b}", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/\nwebsite", "acme", Some("website"), None, None),
        // Clone URLs.
        ("https://jdoe@bitbucket.org/acme/website.git", "acme", Some("website"), None, None),
        ("https://x-token-auth:secret@bitbucket.org/acme/website.git", "acme", Some("website"), None, None),
        ("git@bitbucket.org:acme/website.git", "acme", Some("website"), None, None),
        ("git@bitbucket.org:/acme/website.git", "acme", Some("website"), None, None),
        ("ssh://git@bitbucket.org/acme/website.git", "acme", Some("website"), None, None),
        ("ssh://git@bitbucket.org:22/acme/website.git", "acme", Some("website"), None, None),
        ("ssh://git@bitbucket.org:acme/website.git", "acme", Some("website"), None, None),
        ("ssh://git@altssh.bitbucket.org:443/acme/website.git", "acme", Some("website"), None, None),
        ("git+ssh://git@bitbucket.org/acme/website.git", "acme", Some("website"), None, None),
        ("git clone git@bitbucket.org:acme/website.git", "acme", Some("website"), None, None),
        ("git clone https://jdoe@bitbucket.org/acme/website.git my-dir", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website.GIT/", "acme", Some("website"), None, None),
        // Source pages.
        ("https://bitbucket.org/acme/website/src", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/src/main", "acme", Some("website"), Some("main"), None),
        ("https://bitbucket.org/acme/website/src/main/", "acme", Some("website"), Some("main"), None),
        ("https://bitbucket.org/acme/website/src/main/docs/", "acme", Some("website"), Some("main"), Some("docs")),
        (
            "https://bitbucket.org/acme/website/src/main/docs/My%20File.md",
            "acme",
            Some("website"),
            Some("main"),
            Some("docs/My File.md"),
        ),
        (
            "https://bitbucket.org/acme/website/src/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678/src/App.tsx",
            "acme",
            Some("website"),
            Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"),
            Some("src/App.tsx"),
        ),
        (
            "https://bitbucket.org/acme/website/src/a1b2c3d/?at=feature%2Flogin",
            "acme",
            Some("website"),
            Some("a1b2c3d"),
            None,
        ),
        ("https://bitbucket.org/acme/website/src/?at=develop", "acme", Some("website"), Some("develop"), None),
        ("https://bitbucket.org/acme/website?at=refs%2Fheads%2Frelease", "acme", Some("website"), Some("release"), None),
        (
            "https://bitbucket.org/acme/website/src/feature%2Fx/Src/Main.java#lines-12",
            "acme",
            Some("website"),
            Some("feature/x"),
            Some("Src/Main.java"),
        ),
        ("https://bitbucket.org/acme/website/src/HEAD/README.md", "acme", Some("website"), None, Some("README.md")),
        ("https://bitbucket.org/acme/website/src/HEAD/?at=develop", "acme", Some("website"), Some("develop"), None),
        ("https://bitbucket.org/acme/website/src/ma%20in/", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/raw/v1.0/setup.py", "acme", Some("website"), Some("v1.0"), Some("setup.py")),
        ("https://bitbucket.org/acme/website/annotate/main/a.txt", "acme", Some("website"), Some("main"), Some("a.txt")),
        ("https://bitbucket.org/acme/website/src/main/%C3%A9t%C3%A9", "acme", Some("website"), Some("main"), Some("été")),
        // Other repository pages.
        ("https://bitbucket.org/acme/website/pull-requests/12", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/pull-requests/12/diff", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/pull-requests/", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/branch/feature%2Fx", "acme", Some("website"), Some("feature/x"), None),
        ("https://bitbucket.org/acme/website/branch/feature/Y", "acme", Some("website"), Some("feature/Y"), None),
        ("https://bitbucket.org/acme/website/branches/", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/commits/", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/commits/9f8e7d6c5b4a", "acme", Some("website"), Some("9f8e7d6c5b4a"), None),
        ("https://bitbucket.org/acme/website/commits/branch/develop", "acme", Some("website"), Some("develop"), None),
        ("https://bitbucket.org/acme/website/commits/all", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/downloads/", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/get/v1.2.zip", "acme", Some("website"), Some("v1.2"), None),
        ("https://bitbucket.org/acme/website/admin/access-tokens", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/pipelines/results/5", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/deployments", "acme", Some("website"), None, None),
        ("https://bitbucket.org/acme/website/jira?site=x&statuses=new", "acme", Some("website"), None, None),
        // Typed forms.
        ("acme/website", "acme", Some("website"), None, None),
        ("ACME/WebSite", "acme", Some("website"), None, None),
        ("/acme/website/", "acme", Some("website"), None, None),
        ("acme/website.git", "acme", Some("website"), None, None),
        ("git@bitbucket.org:acme/.ebsite.git.git", "acme", Some(".ebsite"), None, None),
        ("acme", "acme", None, None, None),
        ("my_team-2", "my_team-2", None, None, None),
        ("acme/website/src/main/docs", "acme", Some("website"), Some("main"), Some("docs")),
        ("acme/website/src/main/../docs/./a.md", "acme", Some("website"), Some("main"), Some("docs/a.md")),
        ("//bitbucket.org/acme/website", "acme", Some("website"), None, None),
        // Workspace pages.
        ("https://bitbucket.org/acme/", "acme", None, None, None),
        ("https://bitbucket.org/acme", "acme", None, None, None),
        ("https://bitbucket.org/acme/workspace/overview", "acme", None, None, None),
        ("https://bitbucket.org/acme/workspace/settings/access-tokens", "acme", None, None, None),
        ("https://bitbucket.org/acme/workspace/projects/PRJ", "acme", None, None, None),
        ("https://bitbucket.org/acme/profile/repositories", "acme", None, None, None),
        ("https://bitbucket.org/account/user/acme/api", "acme", None, None, None),
        (
            "https://bitbucket.org/account/signin/?next=%2Facme%2Fwebsite%2Fsrc%2Fmain%2F",
            "acme",
            Some("website"),
            Some("main"),
            None,
        ),
        // UUIDs.
        ("{0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b}", UUID, None, None, None),
        ("{0F4C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B}", UUID, None, None, None),
        ("0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", UUID, None, None, None),
        ("%7B0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b%7D", UUID, None, None, None),
        (
            "{0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b}/{11111111-2222-4333-8444-555555555555}",
            UUID,
            Some(UUID2),
            None,
            None,
        ),
        (
            "https://bitbucket.org/%7B0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b%7D/website",
            UUID,
            Some("website"),
            None,
            None,
        ),
        (
            "https://bitbucket.org/{0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b}/{11111111-2222-4333-8444-555555555555}",
            UUID,
            Some(UUID2),
            None,
            None,
        ),
        // API addresses.
        ("https://api.bitbucket.org/2.0/repositories/acme/website", "acme", Some("website"), None, None),
        ("api.bitbucket.org/2.0/repositories/acme/website/", "acme", Some("website"), None, None),
        ("https://api.bitbucket.org/2.0/repositories/acme", "acme", None, None, None),
        ("https://api.bitbucket.org/2.0/workspaces/acme/members", "acme", None, None, None),
        (
            "https://api.bitbucket.org/2.0/repositories/acme/website/src/main/docs/a.md",
            "acme",
            Some("website"),
            Some("main"),
            Some("docs/a.md"),
        ),
        (
            "https://api.bitbucket.org/2.0/repositories/acme/website/refs/branches/feature/x",
            "acme",
            Some("website"),
            Some("feature/x"),
            None,
        ),
        ("https://bitbucket.org/!api/2.0/repositories/acme/website", "acme", Some("website"), None, None),
        (
            "https://api.bitbucket.org/2.0/repositories/%7B0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b%7D/website",
            UUID,
            Some("website"),
            None,
            None,
        ),
    ];

    #[test]
    fn real_world_shapes_are_read() {
        assert!(CASES.len() >= 45, "table has {} cases", CASES.len());
        for &(input, workspace, repository, git_ref, path) in CASES {
            let expected = Location {
                workspace: workspace.to_string(),
                repository: repository.map(str::to_string),
                git_ref: git_ref.map(str::to_string),
                path: path.map(str::to_string),
            };
            match parse(input) {
                Ok(actual) => assert_eq!(actual, expected, "input {input:?}"),
                Err(e) => panic!("input {input:?} failed: {e:?} / {}", e),
            }
        }
    }

    #[test]
    fn empty_inputs() {
        for input in [
            "", "   ", "\n\t", "/", "///", " / ", "\u{feff}", "<>", "\"\"",
        ] {
            assert_eq!(err(input), LocationError::Empty, "{input:?}");
        }
    }

    #[test]
    fn punctuation_and_garbage() {
        for input in [
            "!!!", "...", ":", "@", "%", "?", "#", "?at=main", "{}", "{", "}", "&&", "=",
        ] {
            let e = err(input);
            assert!(
                matches!(
                    e,
                    LocationError::InvalidWorkspace { .. } | LocationError::Unrecognised { .. }
                ),
                "{input:?} gave {e:?}"
            );
        }
    }

    #[test]
    fn bitbucket_pages_that_are_not_workspaces() {
        for (input, page) in [
            (
                "https://bitbucket.org/account/settings/app-passwords/",
                "account",
            ),
            ("https://bitbucket.org/dashboard/overview", "dashboard"),
            ("https://bitbucket.org/product/pricing", "product"),
            ("https://bitbucket.org/blog/some-post", "blog"),
            ("https://bitbucket.org/support", "support"),
            ("https://bitbucket.org/repo/create", "repo"),
            ("https://bitbucket.org/site/master", "site"),
            ("account", "account"),
            (
                "https://bitbucket.org/account/signin/?next=%2Fdashboard",
                "account",
            ),
        ] {
            assert_eq!(
                err(input),
                LocationError::NotAWorkspace {
                    page: page.to_string()
                },
                "{input}"
            );
        }
        assert!(err("https://bitbucket.org/dashboard/overview")
            .to_string()
            .contains("not a workspace"));
    }

    #[test]
    fn addresses_without_a_workspace() {
        for input in [
            "https://bitbucket.org",
            "https://bitbucket.org/",
            "bitbucket.org",
            "https://api.bitbucket.org/2.0/user",
        ] {
            assert_eq!(err(input), LocationError::NoWorkspace, "{input}");
        }
    }

    #[test]
    fn unsupported_and_broken_addresses() {
        assert_eq!(
            err("ftp://bitbucket.org/acme/website"),
            LocationError::UnsupportedScheme {
                scheme: "ftp".into()
            }
        );
        assert!(matches!(
            err("mailto:x@y"),
            LocationError::InvalidWorkspace { .. }
        ));
        let e = err("https://user:hunter2@bitbucket.org:99999/acme");
        assert!(matches!(e, LocationError::Unrecognised { .. }), "{e:?}");
        assert!(
            !e.to_string().contains("hunter2"),
            "{}",
            e.to_string()
        );
    }

    #[test]
    fn local_folders_are_recognised() {
        for input in [
            "C:\\Users\\me\\website",
            "c:/code/website",
            "/home/me/website",
            "/Users/me/code/website",
            "~/code/website",
            "./website",
            "file:///home/me/website",
        ] {
            assert_eq!(err(input), LocationError::LocalFolder, "{input}");
        }
        assert!(parse("/acme/website").is_ok());
    }

    #[test]
    fn credentials_in_addresses_are_noticed() {
        assert!(carries_credentials(
            "https://x-token-auth:abc@bitbucket.org/acme/website.git"
        ));
        assert!(carries_credentials(
            "https://ATBBabcdefghijklmnopqrstuvwxyz012345@bitbucket.org/acme/w"
        ));
        assert!(!carries_credentials(
            "https://jdoe@bitbucket.org/acme/website.git"
        ));
        assert!(!carries_credentials("git@bitbucket.org:acme/website.git"));
        assert!(!carries_credentials("acme/website"));
    }

    #[test]
    fn parse_parts_combines_fields() {
        let loc = |ws: &str, repo: Option<&str>| parse_parts(ws, repo).unwrap();
        let website = Location {
            workspace: "acme".into(),
            repository: Some("website".into()),
            git_ref: None,
            path: None,
        };
        assert_eq!(loc("acme", Some("website")), website);
        assert_eq!(loc("ACME", Some(" WebSite.git ")), website);
        assert_eq!(
            loc("acme", Some("")),
            Location::workspace_only("acme".into())
        );
        assert_eq!(
            loc("acme", Some("   ")),
            Location::workspace_only("acme".into())
        );
        assert_eq!(loc("acme", None), Location::workspace_only("acme".into()));
        assert_eq!(loc("https://bitbucket.org/acme/website", None), website);
        assert_eq!(
            loc("https://bitbucket.org/acme/website", Some("website")),
            website
        );
        assert_eq!(
            loc("acme", Some("https://bitbucket.org/acme/website")),
            website
        );
        assert_eq!(loc("acme", Some("acme/website")), website);
        assert_eq!(loc("", Some("https://bitbucket.org/acme/website")), website);
        assert_eq!(loc("acme", Some(UUID2)).repository.as_deref(), Some(UUID2));
        assert_eq!(
            loc("acme", Some("%7B11111111-2222-4333-8444-555555555555%7D"))
                .repository
                .as_deref(),
            Some(UUID2)
        );
        let with_ref = loc(
            "acme",
            Some("https://bitbucket.org/acme/website/src/dev/app"),
        );
        assert_eq!(
            (with_ref.git_ref.as_deref(), with_ref.path.as_deref()),
            (Some("dev"), Some("app"))
        );
    }

    #[test]
    fn parse_parts_conflicts_and_errors() {
        let e = parse_parts("https://bitbucket.org/acme/website", Some("blog")).unwrap_err();
        assert_eq!(
            e,
            LocationError::Conflict {
                part: LocationPart::Repository,
                first: "website".into(),
                second: "blog".into()
            }
        );
        assert_plain(&e);
        assert!(e.to_string().contains("\"website\"") && e.to_string().contains("\"blog\""));

        let e = parse_parts("acme", Some("https://bitbucket.org/other/website")).unwrap_err();
        assert_eq!(
            e,
            LocationError::Conflict {
                part: LocationPart::Workspace,
                first: "acme".into(),
                second: "other".into()
            }
        );
        assert_plain(&e);

        let e = parse_parts("acme", Some("https://bitbucket.org/acme/")).unwrap_err();
        assert_eq!(
            e,
            LocationError::RepositoryMissing {
                workspace: "acme".into()
            }
        );
        assert_plain(&e);

        let e = parse_parts("acme", Some("my repo")).unwrap_err();
        assert!(matches!(e, LocationError::InvalidRepository { .. }));
        assert_plain(&e);

        assert_eq!(
            parse_parts("", Some("website")).unwrap_err(),
            LocationError::Empty
        );
        assert_eq!(parse_parts("", None).unwrap_err(), LocationError::Empty);
        assert!(parse_parts("acme", Some("https://github.com/a/b"))
            .unwrap_err()
            .is_not_cloud());
        assert!(
            parse_parts("https://git.corp.example/scm/a/b.git", Some("b"))
                .unwrap_err()
                .is_not_cloud()
        );
    }

    #[test]
    fn every_table_entry_round_trips_through_web_url() {
        for &(input, ..) in CASES {
            let location = parse(input).unwrap();
            let again = parse(&location.web_url()).unwrap();
            assert_eq!(again.workspace, location.workspace, "{input}");
            assert_eq!(again.repository, location.repository, "{input}");
        }
    }

    /// Deterministic pseudo-random mix of awkward pieces: nothing may panic, every success must
    /// satisfy the name rules, every failure must have a plain message.
    #[test]
    fn no_input_panics() {
        const PIECES: &[&str] = &[
            "https://",
            "http://",
            "ssh://",
            "git@",
            "bitbucket.org",
            "api.bitbucket.org",
            "www.",
            ":",
            ":22",
            "/",
            "//",
            "@",
            "?",
            "#",
            "&",
            "=",
            "at=",
            "next=",
            "%",
            "%2F",
            "%7B",
            "%7D",
            "%E2%82",
            "%C3",
            "%FF",
            "{",
            "}",
            "acme",
            "ACME",
            "website",
            ".git",
            ".",
            "..",
            "src",
            "branch",
            "commits",
            "api",
            "!api",
            "2.0",
            "repositories",
            "workspace",
            "account",
            "user",
            "é",
            "ü",
            "🦀",
            "\u{200b}",
            "\u{feff}",
            "\u{202e}",
            "\u{0}",
            "\u{7f}",
            " ",
            "\n",
            "\t",
            "\"",
            "<",
            ">",
            "'",
            "\\",
            "[::1]",
            "0",
            "-",
            "_",
            "a1b2c3d",
            "{0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b}",
            "ATCT",
            "git clone ",
            "İ",
            "ß",
            "ﬁ",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let count = 1 + (next() % 7) as usize;
            let input: String = (0..count)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            check_invariants(&input);
            let other: String = (0..2)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let _ = parse_parts(&input, Some(&other)).map_err(|e| e.to_string());
            let _ = parse_parts(&other, Some(&input)).map_err(|e| e.to_string());
            let _ = carries_credentials(&input);
        }
        for input in [
            "\u{0}",
            "%",
            "%%",
            "%ZZ",
            "a%",
            "🦀:🦀@🦀/🦀",
            "::::",
            "@@@@",
            "://",
            "a://b",
            "x:/",
            "[",
            "]",
        ] {
            check_invariants(input);
        }
    }

    fn check_invariants(input: &str) {
        match parse(input) {
            Ok(location) => {
                let ws = &location.workspace;
                assert!(!ws.is_empty(), "{input:?}");
                assert!(
                    is_uuid_form(ws)
                        || ws.chars().all(|c| c.is_ascii_lowercase()
                            || c.is_ascii_digit()
                            || c == '-'
                            || c == '_'),
                    "{input:?} → {ws:?}"
                );
                if let Some(repo) = &location.repository {
                    assert!(
                        is_uuid_form(repo)
                            || (repo.len() <= REPOSITORY_SLUG_MAX_LEN
                                && repo.chars().all(|c| c.is_ascii_lowercase()
                                    || c.is_ascii_digit()
                                    || "-_.".contains(c))),
                        "{input:?} → {repo:?}"
                    );
                }
                if let Some(path) = &location.path {
                    assert!(
                        !path.starts_with('/') && !path.ends_with('/') && !path.is_empty(),
                        "{input:?}"
                    );
                }
                let _ = (
                    location.web_url(),
                    location.display(),
                    location.source_url(),
                );
            }
            Err(e) => assert_plain(&e),
        }
    }

    fn is_uuid_form(text: &str) -> bool {
        text.strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .is_some_and(is_uuid)
            && text.chars().all(|c| !c.is_ascii_uppercase())
    }
}
