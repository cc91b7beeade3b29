//! Which web pages the app may open in the user's browser: https pages on bitbucket.org and
//! id.atlassian.com, nothing else. Checked here, in Rust, because opening a URL from Rust
//! bypasses the webview's permission scopes.

use url::Url;

/// Hosts the app may open, exactly (no subdomains).
pub const ALLOWED_HOSTS: [&str; 2] = ["bitbucket.org", "id.atlassian.com"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("That is not a web address the app can open.")]
    NotAUrl,
    #[error("The app opens only secure (https) pages.")]
    NotHttps,
    #[error("The app opens only pages on bitbucket.org and id.atlassian.com.")]
    HostNotAllowed,
    #[error("That address contains a user name or password, which the app never opens.")]
    HasCredentials,
}

/// Returns the URL when the app may open it.
pub fn check_external(raw: &str) -> Result<Url, LinkError> {
    let url = Url::parse(raw.trim()).map_err(|_| LinkError::NotAUrl)?;
    if url.scheme() != "https" {
        return Err(LinkError::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LinkError::HasCredentials);
    }
    if url.port().is_some() {
        return Err(LinkError::HostNotAllowed);
    }
    match url.host() {
        Some(url::Host::Domain(host)) if ALLOWED_HOSTS.contains(&host) => Ok(url),
        _ => Err(LinkError::HostNotAllowed),
    }
}

/// Whether the app's own window may show `url`: only the app's bundled pages (served as
/// `tauri://localhost` on Linux and macOS, `http(s)://tauri.localhost` on Windows). Any remote
/// page is refused, so a link can never turn the window into a browser.
pub fn is_app_page(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost") && url.port().is_none(),
        "about" => url.path() == "blank",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_shows_only_app_pages() {
        for ok in ["tauri://localhost/", "tauri://localhost/index.html", "http://tauri.localhost/index.html", "about:blank"] {
            assert!(is_app_page(&Url::parse(ok).unwrap()), "{ok}");
        }
        for bad in ["https://example.com/", "https://bitbucket.org/", "http://localhost:8080/", "tauri://evil.example/",
                    "file:///etc/passwd", "http://tauri.localhost:8080/", "data:text/html,hi", "javascript:alert(1)"] {
            assert!(!is_app_page(&Url::parse(bad).unwrap()), "{bad}");
        }
    }

    #[test]
    fn allows_only_the_two_hosts_over_https() {
        assert!(check_external("https://bitbucket.org/acme/website/admin/access-tokens").is_ok());
        assert!(check_external("https://id.atlassian.com/manage-profile/security/api-tokens").is_ok());
        for (bad, want) in [
            ("http://bitbucket.org/acme", LinkError::NotHttps),
            ("https://example.com/", LinkError::HostNotAllowed),
            ("https://bitbucket.org.evil.example/", LinkError::HostNotAllowed),
            ("https://evil.bitbucket.org/", LinkError::HostNotAllowed),
            ("https://api.bitbucket.org/2.0/user", LinkError::HostNotAllowed),
            ("https://atlassian.com/", LinkError::HostNotAllowed),
            ("https://bitbucket.org:8443/", LinkError::HostNotAllowed),
            ("https://user:pw@bitbucket.org/", LinkError::HasCredentials),
            ("javascript:alert(1)", LinkError::NotHttps),
            ("file:///etc/passwd", LinkError::NotHttps),
            ("data:text/html,hi", LinkError::NotHttps),
            ("ftp://bitbucket.org/", LinkError::NotHttps),
            ("bitbucket.org/acme", LinkError::NotAUrl),
            ("", LinkError::NotAUrl),
            ("https://127.0.0.1/", LinkError::HostNotAllowed),
        ] {
            assert_eq!(check_external(bad), Err(want), "{bad}");
        }
    }
}
