//! Where git talks to Bitbucket Cloud over HTTPS: `https://bitbucket.org`, or, for tests and
//! tunnels, `BITBUCKET_GIT_URL` (the same rule as the API address: https anywhere, plain http
//! only to this computer). Exports that name a git address (clone URLs, credential-store
//! lines, netrc entries for git) use it, so a test can point real git at a local server.

use url::Url;

/// git's address of Bitbucket Cloud.
pub const DEFAULT_GIT_URL: &str = "https://bitbucket.org";

/// A checked git base: scheme and host (with port when not the scheme's default), no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitBase {
    scheme: String,
    /// `bitbucket.org`, or `127.0.0.1:8080`.
    host: String,
}

impl GitBase {
    pub fn cloud() -> GitBase {
        GitBase { scheme: "https".into(), host: "bitbucket.org".into() }
    }

    /// `https://…` anywhere, `http://…` only to this computer; no user, path, query or fragment.
    pub fn parse(raw: &str) -> Option<GitBase> {
        let url = Url::parse(raw.trim()).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        // The API address's rule: an IP address of this computer, or `localhost`; never a name
        // that only starts like one (`127.evil.example`).
        let ok_scheme = url.scheme() == "https" || (url.scheme() == "http" && super::proxy::is_loopback(&url));
        let clean = url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none()
            && url.path().trim_matches('/').is_empty();
        if !ok_scheme || !clean {
            return None;
        }
        let host = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host,
        };
        Some(GitBase { scheme: url.scheme().to_string(), host })
    }

    /// `BITBUCKET_GIT_URL` when set and valid, else Bitbucket Cloud.
    pub fn from_env() -> GitBase {
        std::env::var("BITBUCKET_GIT_URL").ok().and_then(|v| GitBase::parse(&v)).unwrap_or_else(GitBase::cloud)
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host as git's credential protocol names it (`host=`): with the port, if any.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The host without a port, as netrc's `machine` names it.
    pub fn host_name(&self) -> &str {
        if let Some(end) = self.host.find(']') {
            return &self.host[..=end];
        }
        match self.host.rsplit_once(':') {
            Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => h,
            _ => &self.host,
        }
    }

    /// `https://bitbucket.org`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// `https://bitbucket.org/WORKSPACE/REPO.git`.
    pub fn clone_url(&self, workspace: &str, repository: &str) -> String {
        format!("{}/{workspace}/{repository}.git", self.url())
    }
}

impl Default for GitBase {
    fn default() -> Self {
        GitBase::cloud()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_and_local_bases() {
        assert_eq!(GitBase::cloud().url(), "https://bitbucket.org");
        assert_eq!(GitBase::parse("https://bitbucket.org/").unwrap(), GitBase::cloud());
        let local = GitBase::parse("http://127.0.0.1:8123").unwrap();
        assert_eq!(local.host(), "127.0.0.1:8123");
        assert_eq!(local.host_name(), "127.0.0.1");
        assert_eq!(local.clone_url("acme", "website"), "http://127.0.0.1:8123/acme/website.git");
        assert_eq!(GitBase::cloud().host_name(), "bitbucket.org");
    }

    #[test]
    fn plain_http_only_to_this_computer_and_nothing_extra() {
        for good in ["http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9", "http://[::1]:8080"] {
            assert!(GitBase::parse(good).is_some(), "{good}");
        }
        for bad in ["http://127.evil.example", "http://127.0.0.1.evil.example", "http://localhost.evil.example", "http://[::2]", "http://bitbucket.org", "ftp://127.0.0.1", "https://u:p@bitbucket.org", "https://bitbucket.org/acme", "https://bitbucket.org/?q=1", "nonsense"] {
            assert_eq!(GitBase::parse(bad), None, "{bad}");
        }
    }
}
