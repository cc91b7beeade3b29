//! Which way a request to the API goes: straight, through the proxy a variable names, or (on
//! macOS and Windows, when no variable is set) through the system's proxy settings.
//!
//! The variables are read as curl reads them (libcurl-env(3), CURLOPT_NOPROXY(3); the code is
//! curl's lib/proxy.c `proxy_detect_proxy`, `proxy_do_not_proxy`, `proxy_check_noproxy` and
//! lib/getenv.c `curl_getenv`), so the check, curl and git agree on the route:
//!
//! - for an https address `https_proxy`, then `HTTPS_PROXY`; for http `http_proxy` only (never
//!   `HTTP_PROXY`: a CGI program gets it from a request header); then `all_proxy`, then
//!   `ALL_PROXY`. The lower-case name wins when both are set.
//! - `no_proxy`, then `NO_PROXY`, is looked at first: a host it names goes straight.
//! - a variable set to the empty string counts as unset (`curl_getenv` returns NULL for it).
//! - a proxy address without a scheme is an http proxy; without a port it is port 1080 (443
//!   for an `https://` proxy), as curl's `--proxy` says.
//!
//! reqwest reads the variables too, but in another order (`HTTPS_PROXY` before `https_proxy`,
//! `NO_PROXY` before `no_proxy`), skips an address it cannot read and goes straight; so the
//! client is given the proxy chosen here and reqwest's own reading is switched off.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Where requests to one API address go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Straight to the server.
    Direct(Direct),
    /// Through the proxy a variable names.
    Env(EnvProxy),
    /// No variable applies, and the system has proxy settings of its own (macOS, Windows):
    /// reqwest reads them (the browser's proxy), if any is switched on.
    System,
}

/// Why a request goes straight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direct {
    /// The address is this computer: a test server or tunnel must not hand the token to a proxy.
    ThisComputer,
    /// The host is in the list of this variable (`no_proxy` or `NO_PROXY`).
    NoProxy(&'static str),
    /// No proxy variable is set.
    NoProxySet,
}

impl Route {
    /// Whether requests may go through a proxy (a variable's, or the system's).
    pub fn via_proxy(&self) -> bool {
        !matches!(self, Route::Direct(_))
    }
}

/// The kind of proxy an address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// `http://` (or no scheme): a CONNECT tunnel.
    Http,
    /// `https://`: a CONNECT tunnel inside TLS to the proxy.
    Https,
    /// `socks4://`, `socks4a://`, `socks://`.
    Socks4,
    /// `socks5://` (this computer looks the host up) and `socks5h://` (the proxy does).
    Socks5,
}

impl ProxyKind {
    pub fn is_socks(self) -> bool {
        matches!(self, ProxyKind::Socks4 | ProxyKind::Socks5)
    }
}

/// A proxy a variable names, its address checked and completed (scheme, port).
#[derive(Clone, PartialEq, Eq)]
pub struct EnvProxy {
    /// The variable it came from, spelled as it was found (`https_proxy`, `ALL_PROXY`, …).
    pub var: &'static str,
    pub kind: ProxyKind,
    /// Whether the address holds a user name or password (`http://user:password@host:port`).
    pub has_credentials: bool,
    /// The address to give reqwest: scheme, credentials (still percent-encoded), host, port.
    url: Url,
}

impl EnvProxy {
    /// The address as reqwest takes it; it may hold a password, so it goes nowhere else.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The address as a message may show it: scheme, host and port, never the credentials.
    pub fn shown(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        let port = self.url.port_or_known_default().map(|p| format!(":{p}")).unwrap_or_default();
        crate::safe_text::visible(&format!("{}://{host}{port}", self.url.scheme()))
    }
}

impl std::fmt::Debug for EnvProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvProxy")
            .field("var", &self.var)
            .field("kind", &self.kind)
            .field("has_credentials", &self.has_credentials)
            .field("address", &self.shown())
            .finish()
    }
}

/// A proxy variable whose address cannot be used. It carries the address only as shown
/// ([`shown`]: no user name or password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadProxy {
    pub var: &'static str,
    pub shown: String,
    pub why: Unreadable,
}

/// What is wrong with a proxy address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    NotAnAddress,
    UnknownScheme(String),
    NoHost,
    BadPort,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::NotAnAddress => f.write_str("it is not a proxy address"),
            Unreadable::UnknownScheme(s) => write!(
                f,
                "\"{s}://\" is not a kind of proxy this app knows (use http://, https://, socks5:// or socks5h://)"
            ),
            Unreadable::NoHost => f.write_str("it has no host name"),
            Unreadable::BadPort => f.write_str("its port is not a number from 1 to 65535"),
        }
    }
}

/// The route of requests to `target`, from this process's environment.
pub fn route_from_env(target: &Url) -> Result<Route, BadProxy> {
    route(target, |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
}

/// The route of requests to `target`, with `get` reading a variable.
pub fn route(target: &Url, get: impl Fn(&str) -> Option<String>) -> Result<Route, BadProxy> {
    if is_loopback(target) {
        return Ok(Route::Direct(Direct::ThisComputer));
    }
    let host = match target.host() {
        Some(Host::Domain(d)) => d.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => String::new(),
    };
    if let Some((var, list)) = no_proxy_var(&get) {
        if no_proxy_matches(&host, &list) {
            return Ok(Route::Direct(Direct::NoProxy(var)));
        }
    }
    match proxy_var(target.scheme(), &get) {
        Some((var, raw)) => parse_proxy(&raw).map(|(url, kind)| {
            let has_credentials = !url.username().is_empty() || url.password().is_some();
            Route::Env(EnvProxy { var, kind, has_credentials, url })
        })
        .map_err(|why| BadProxy { var, shown: shown(&raw), why }),
        None if cfg!(any(target_os = "macos", target_os = "windows")) => Ok(Route::System),
        None => Ok(Route::Direct(Direct::NoProxySet)),
    }
}

/// `curl_getenv`: a variable set to the empty string counts as unset.
fn getenv(get: &impl Fn(&str) -> Option<String>, name: &'static str) -> Option<(&'static str, String)> {
    get(name).filter(|v| !v.is_empty()).map(|v| (name, v))
}

/// The exclusion list and the variable it came from: `no_proxy`, else `NO_PROXY`.
pub fn no_proxy_var(get: &impl Fn(&str) -> Option<String>) -> Option<(&'static str, String)> {
    getenv(get, "no_proxy").or_else(|| getenv(get, "NO_PROXY"))
}

/// The proxy for a URL of `scheme` and the variable it came from, as curl's
/// `proxy_detect_proxy` picks it.
pub fn proxy_var(scheme: &str, get: &impl Fn(&str) -> Option<String>) -> Option<(&'static str, String)> {
    let specific = match scheme {
        "https" => getenv(get, "https_proxy").or_else(|| getenv(get, "HTTPS_PROXY")),
        // Never HTTP_PROXY: under CGI it comes from the request's `Proxy:` header.
        "http" => getenv(get, "http_proxy"),
        _ => None,
    };
    specific.or_else(|| getenv(get, "all_proxy")).or_else(|| getenv(get, "ALL_PROXY"))
}

/// A proxy address checked and completed as curl completes it: no scheme means http://, no
/// port means 1080 (443 for https://), `socks://` means SOCKS4.
fn parse_proxy(raw: &str) -> Result<(Url, ProxyKind), Unreadable> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") { raw.to_string() } else { format!("http://{raw}") };
    let (scheme, rest) = with_scheme.split_once("://").ok_or(Unreadable::NotAnAddress)?;
    let scheme = scheme.to_ascii_lowercase();
    let (kind, scheme) = match scheme.as_str() {
        "http" => (ProxyKind::Http, "http"),
        "https" => (ProxyKind::Https, "https"),
        "socks" | "socks4" => (ProxyKind::Socks4, "socks4"),
        "socks4a" => (ProxyKind::Socks4, "socks4a"),
        "socks5" => (ProxyKind::Socks5, "socks5"),
        "socks5h" => (ProxyKind::Socks5, "socks5h"),
        _ if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            return Err(Unreadable::NotAnAddress)
        }
        _ => return Err(Unreadable::UnknownScheme(crate::safe_text::visible_clip(&scheme, 20))),
    };
    // Parsed as http (a special scheme: the host is checked as a host name or address), then
    // given its own scheme back.
    let mut url = Url::parse(&format!("http://{rest}")).map_err(|e| match e {
        url::ParseError::InvalidPort => Unreadable::BadPort,
        url::ParseError::EmptyHost => Unreadable::NoHost,
        _ => Unreadable::NotAnAddress,
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Unreadable::NoHost);
    }
    let port = match explicit_port(rest) {
        Some(_) if url.port() == Some(0) => return Err(Unreadable::BadPort),
        Some(port) => port,
        None if kind == ProxyKind::Https => 443,
        None => 1080,
    };
    url.set_path("");
    url.set_query(None);
    url.set_fragment(None);
    // http and https are special schemes: one can become the other; a SOCKS scheme cannot be
    // set on a special URL, so that address is rebuilt from its parts.
    let url = if scheme == "http" || scheme == "https" {
        url.set_scheme(scheme).map_err(|_| Unreadable::NotAnAddress)?;
        url.set_port(Some(port)).map_err(|_| Unreadable::BadPort)?;
        url
    } else {
        let userinfo = match (url.username(), url.password()) {
            ("", None) => String::new(),
            (user, None) => format!("{user}@"),
            (user, Some(password)) => format!("{user}:{password}@"),
        };
        let host = url.host_str().unwrap_or_default().to_string();
        Url::parse(&format!("{scheme}://{userinfo}{host}:{port}")).map_err(|_| Unreadable::NotAnAddress)?
    };
    Ok((url, kind))
}

/// The port written in the authority of `rest` (what follows `scheme://`), when one is.
fn explicit_port(rest: &str) -> Option<u16> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let after_host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(_, after)| after),
        None => host_port.find(':').map_or("", |at| &host_port[at..]),
    };
    after_host.strip_prefix(':').filter(|p| !p.is_empty()).and_then(|p| p.parse().ok())
}

/// Whether `name` (a host name, or an address without brackets) is in `list`, exactly as
/// curl's `proxy_check_noproxy` decides:
///
/// - the whole value `*` matches every host (a `*` among other entries matches nothing);
/// - entries are separated by commas, with blanks (space, tab) allowed around them; a blank
///   that is not followed by a comma ends the list;
/// - a name matches itself and every name below it (`example.com` and `.example.com` both
///   match `example.com` and `www.example.com`, not `nonexample.com`), case-insensitively;
///   one trailing dot on the entry and on the name is ignored;
/// - an IPv4 or IPv6 address matches only address entries: the same address, or a CIDR range
///   (`192.168.0.0/16`, `2001:db8::/32`); an address is never matched by a name.
///
/// The port of the request is not looked at; an entry with a port (`host:8080`) matches nothing.
pub fn no_proxy_matches(name: &str, list: &str) -> bool {
    let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    if name.is_empty() || list.is_empty() {
        return false;
    }
    if list == "*" {
        return true;
    }
    enum Name<'a> {
        Host(&'a [u8]),
        V4(Ipv4Addr),
        V6(Ipv6Addr),
    }
    let name = if let Ok(ip) = name.parse::<Ipv4Addr>() {
        Name::V4(ip)
    } else if let Ok(ip) = name.parse::<Ipv6Addr>() {
        Name::V6(ip)
    } else {
        let b = name.as_bytes();
        Name::Host(b.strip_suffix(b".").unwrap_or(b))
    };
    let b = list.as_bytes();
    let blank = |c: u8| c == b' ' || c == b'\t';
    let mut p = 0;
    while p < b.len() {
        while p < b.len() && blank(b[p]) {
            p += 1;
        }
        let start = p;
        while p < b.len() && !blank(b[p]) && b[p] != b',' {
            p += 1;
        }
        let token = &b[start..p];
        if !token.is_empty() {
            let hit = match name {
                Name::Host(host) => host_matches(token, host),
                Name::V4(ip) => ip_matches(token, |net, bits| cidr4_matches(ip, net, bits)),
                Name::V6(ip) => ip_matches(token, |net, bits| cidr6_matches(ip, net, bits)),
            };
            if hit {
                return true;
            }
        }
        while p < b.len() && blank(b[p]) {
            p += 1;
        }
        if p >= b.len() || b[p] != b',' {
            break;
        }
        while p < b.len() && b[p] == b',' {
            p += 1;
        }
    }
    false
}

/// curl's `match_host`: `token` is `name` or a domain above it.
fn host_matches(token: &[u8], name: &[u8]) -> bool {
    let token = token.strip_suffix(b".").unwrap_or(token);
    let token = token.strip_prefix(b".").unwrap_or(token);
    if token.len() == name.len() {
        token.eq_ignore_ascii_case(name)
    } else if token.len() < name.len() {
        let tail = name.len() - token.len();
        name[tail - 1] == b'.' && name[tail..].eq_ignore_ascii_case(token)
    } else {
        false
    }
}

/// curl's `match_ip`: the entry is an address, with `/bits` (decimal digits only, at most
/// 128) when it is a range.
fn ip_matches(token: &[u8], matches: impl Fn(&str, u32) -> bool) -> bool {
    if token.len() >= 128 {
        return false;
    }
    let Ok(token) = std::str::from_utf8(token) else { return false };
    let (net, bits) = match token.split_once('/') {
        Some((net, bits)) => {
            if bits.is_empty() || !bits.bytes().all(|c| c.is_ascii_digit()) {
                return false;
            }
            match bits.parse::<u32>() {
                Ok(n) if n <= 128 => (net, n),
                _ => return false,
            }
        }
        None => (token, 0),
    };
    matches(net, bits)
}

/// curl's `cidr4_match`: no bits (or 32) means the same address.
fn cidr4_matches(ip: Ipv4Addr, net: &str, bits: u32) -> bool {
    if bits > 32 {
        return false;
    }
    let Ok(net) = net.parse::<Ipv4Addr>() else { return false };
    if bits != 0 && bits != 32 {
        let mask = u32::MAX << (32 - bits);
        (u32::from(ip) ^ u32::from(net)) & mask == 0
    } else {
        ip == net
    }
}

/// curl's `cidr6_match`: no bits means 128.
fn cidr6_matches(ip: Ipv6Addr, net: &str, bits: u32) -> bool {
    let bits = if bits == 0 { 128 } else { bits };
    let (bytes, rest) = ((bits / 8) as usize, bits % 8);
    if bytes > 16 || (bytes == 16 && rest != 0) {
        return false;
    }
    let Ok(net) = net.parse::<Ipv6Addr>() else { return false };
    let (a, c) = (ip.octets(), net.octets());
    if a[..bytes] != c[..bytes] {
        return false;
    }
    rest == 0 || (a[bytes] ^ c[bytes]) & (0xff00u16 >> rest) as u8 == 0
}

/// Whether the address is this computer (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// An address as an error message may repeat it: without a user name and password (`https://
/// user:pass@…` becomes `https://…@…`), at most 100 characters, control characters visible.
pub fn shown(raw: &str) -> String {
    let without_user = match (raw.find("://"), raw.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}://…@{}", &raw[..scheme_end], &raw[at + 1..]),
        (None, Some(at)) => format!("…@{}", &raw[at + 1..]),
        _ => raw.to_string(),
    };
    crate::safe_text::visible_clip(&without_user, 100)
}

#[cfg(test)]
mod tests;
