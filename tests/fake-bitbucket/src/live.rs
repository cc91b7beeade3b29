//! The live contract suite's recorder: sends the app's probes (and a few more that settle
//! UNCONFIRMED points) to a Bitbucket — the real one when a maintainer has tokens, or the fake
//! — with each credential it is given, and writes a redacted [`Transcript`].
//!
//! Everything sent is a GET. Nothing secret is kept: the token, the email, account ids, uuids,
//! display names and the workspace and repository names never reach the transcript (paths use
//! placeholders; server messages are scrubbed of the same values).
//!
//! Configuration comes from the environment (see [`LiveConfig::from_env`]); the tokens never
//! appear in a process argument.

use std::fmt;
use std::time::Duration;

use base64::Engine;

use crate::transcript::{CredentialRecord, Exchange, Facts, LiveKind, Transcript};

pub const DEFAULT_API_URL: &str = "https://api.bitbucket.org/2.0";

/// A token, never printed.
#[derive(Clone)]
pub struct LiveSecret(String);

impl LiveSecret {
    pub fn new(s: impl Into<String>) -> LiveSecret {
        LiveSecret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LiveSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LiveSecret(redacted)")
    }
}

#[derive(Debug, Clone)]
pub struct LiveCredential {
    pub kind: LiveKind,
    pub secret: LiveSecret,
    /// The Atlassian account email (API tokens).
    pub email: Option<String>,
    /// The boxes the maintainer ticked, when they say (settles U2, U3).
    pub ticked: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub api_url: String,
    pub workspace: String,
    pub repository: String,
    /// A repository of the workspace that the repository token does not reach (U6).
    pub other_repository: Option<String>,
    /// `workspace/repository` of a public repository the repository token does not reach (U12).
    pub public_repository: Option<String>,
    pub credentials: Vec<LiveCredential>,
}

/// The environment variables [`LiveConfig::from_env`] reads, for messages and the README.
pub const ENV_HELP: &str = "\
BITBUCKET_LIVE_WORKSPACE and BITBUCKET_LIVE_REPOSITORY: where the tokens work (required).
BITBUCKET_LIVE_REPOSITORY_TOKEN, BITBUCKET_LIVE_PROJECT_TOKEN, BITBUCKET_LIVE_WORKSPACE_TOKEN: access tokens (any you have).
BITBUCKET_LIVE_API_TOKEN with BITBUCKET_LIVE_EMAIL: an API token with scopes and its account email.
BITBUCKET_LIVE_UNSCOPED_API_TOKEN: an API token made with plain \"Create API token\" (uses BITBUCKET_LIVE_EMAIL).
BITBUCKET_LIVE_<KIND>_SCOPES: the boxes you ticked for that token, comma-separated (settles what Bitbucket lists).
BITBUCKET_LIVE_OTHER_REPOSITORY: a repository of the workspace the repository token was not made for.
BITBUCKET_LIVE_PUBLIC_REPOSITORY: workspace/repository of a public repository elsewhere.
BITBUCKET_LIVE_API_URL: the API base (default https://api.bitbucket.org/2.0).";

impl LiveConfig {
    /// Reads `BITBUCKET_LIVE_*`. `Ok(None)` when no token is given at all.
    pub fn from_env() -> Result<Option<LiveConfig>, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), from `lookup` (for tests, with [`demo_env`]).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<LiveConfig>, String> {
        let var = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let scopes = |name: &str| var(name).map(|v| crate::transcript::split_scopes(&v));
        let email = var("BITBUCKET_LIVE_EMAIL");
        let mut credentials = Vec::new();
        for (kind, token_var, scopes_var) in [
            (LiveKind::RepositoryToken, "BITBUCKET_LIVE_REPOSITORY_TOKEN", "BITBUCKET_LIVE_REPOSITORY_TOKEN_SCOPES"),
            (LiveKind::ProjectToken, "BITBUCKET_LIVE_PROJECT_TOKEN", "BITBUCKET_LIVE_PROJECT_TOKEN_SCOPES"),
            (LiveKind::WorkspaceToken, "BITBUCKET_LIVE_WORKSPACE_TOKEN", "BITBUCKET_LIVE_WORKSPACE_TOKEN_SCOPES"),
            (LiveKind::ApiToken, "BITBUCKET_LIVE_API_TOKEN", "BITBUCKET_LIVE_API_TOKEN_SCOPES"),
            (LiveKind::UnscopedApiToken, "BITBUCKET_LIVE_UNSCOPED_API_TOKEN", ""),
        ] {
            if let Some(secret) = var(token_var) {
                let needs_email = matches!(kind, LiveKind::ApiToken | LiveKind::UnscopedApiToken);
                if needs_email && email.is_none() {
                    return Err(format!("{token_var} is set, but BITBUCKET_LIVE_EMAIL (the account email that goes with it) is not."));
                }
                credentials.push(LiveCredential {
                    kind,
                    secret: LiveSecret::new(secret),
                    email: if needs_email { email.clone() } else { None },
                    ticked: if scopes_var.is_empty() { None } else { scopes(scopes_var) },
                });
            }
        }
        if credentials.is_empty() {
            return Ok(None);
        }
        let (Some(workspace), Some(repository)) = (var("BITBUCKET_LIVE_WORKSPACE"), var("BITBUCKET_LIVE_REPOSITORY")) else {
            return Err("BITBUCKET_LIVE_WORKSPACE and BITBUCKET_LIVE_REPOSITORY must say where the tokens work.".into());
        };
        credentials.push(LiveCredential { kind: LiveKind::Anonymous, secret: LiveSecret::new(""), email: None, ticked: None });
        Ok(Some(LiveConfig {
            api_url: var("BITBUCKET_LIVE_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            workspace,
            repository,
            other_repository: var("BITBUCKET_LIVE_OTHER_REPOSITORY"),
            public_repository: var("BITBUCKET_LIVE_PUBLIC_REPOSITORY"),
            credentials,
        }))
    }

    /// Every value that must not reach a transcript.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.credentials {
            if !c.secret.expose().is_empty() {
                out.push(c.secret.expose().to_string());
            }
            if let Some(e) = &c.email {
                out.push(e.clone());
            }
        }
        out
    }

    fn service(&self) -> &'static str {
        let host = self.api_url.split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("");
        if host.eq_ignore_ascii_case("api.bitbucket.org") {
            "bitbucket.org"
        } else if host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost") {
            "fake"
        } else {
            "other"
        }
    }
}

/// One probe to send: its name, the path with placeholders, and how to authenticate.
struct ProbeSpec {
    name: &'static str,
    template: String,
    basic_x_token_auth: bool,
}

fn probes_for(cfg: &LiveConfig, kind: LiveKind) -> Vec<ProbeSpec> {
    let p = |name: &'static str, template: &str| ProbeSpec { name, template: template.to_string(), basic_x_token_auth: false };
    let mut v = vec![p("repository", "/repositories/{workspace}/{repository}")];
    match kind {
        LiveKind::UnscopedApiToken => {
            v.push(p("user", "/user"));
            return v;
        }
        LiveKind::Anonymous => {
            v.push(p("workspace", "/workspaces/{workspace}"));
            return v;
        }
        _ => {}
    }
    v.push(p("workspace", "/workspaces/{workspace}"));
    v.push(p("workspace_repositories", "/repositories/{workspace}"));
    v.push(p("user", "/user"));
    v.push(p("pullrequests", "/repositories/{workspace}/{repository}/pullrequests"));
    v.push(p("pipelines", "/repositories/{workspace}/{repository}/pipelines"));
    v.push(p("hooks", "/repositories/{workspace}/{repository}/hooks"));
    v.push(p("projects", "/workspaces/{workspace}/projects"));
    if kind == LiveKind::ApiToken {
        // The account's permission per repository (read, write, admin): with `hooks`, it tells a
        // refusal for the account's role from one for a scope (U21).
        v.push(p("repository_permission", "/user/workspaces/{workspace}/permissions/repositories"));
    }
    if kind.is_access_token() {
        v.push(ProbeSpec { name: "repository_basic", template: "/repositories/{workspace}/{repository}".into(), basic_x_token_auth: true });
    }
    if kind == LiveKind::RepositoryToken {
        let other = if cfg.other_repository.is_some() { "{other}" } else { "bitbucket-setup-live-no-such-repository" };
        v.push(p("hooks_elsewhere", &format!("/repositories/{{workspace}}/{other}/hooks")));
        if cfg.public_repository.is_some() {
            v.push(p("repository_public_elsewhere", "/repositories/{public}"));
        }
    }
    v
}

/// Sends every probe with every credential and returns the redacted transcript.
pub async fn record(cfg: &LiveConfig) -> Result<Transcript, String> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("bitbucket-setup-live-contract/1")
        .build()
        .map_err(|e| format!("no HTTP client: {e}"))?;
    let mut t = Transcript::new(cfg.service());
    t.recorded_at = now_rfc3339();
    for c in &cfg.credentials {
        let mut rec = CredentialRecord { kind: c.kind, ticked: c.ticked.clone(), exchanges: Vec::new() };
        for probe in probes_for(cfg, c.kind) {
            rec.exchanges.push(exchange(&http, cfg, c, &probe).await);
            // Bitbucket counts requests per user; a few a second is far below any limit.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        t.credentials.push(rec);
    }
    Ok(t)
}

async fn exchange(http: &reqwest::Client, cfg: &LiveConfig, c: &LiveCredential, probe: &ProbeSpec) -> Exchange {
    let real_path = probe
        .template
        .replace("{workspace}", &cfg.workspace)
        .replace("{repository}", &cfg.repository)
        .replace("{other}", cfg.other_repository.as_deref().unwrap_or(""))
        .replace("{public}", cfg.public_repository.as_deref().unwrap_or(""));
    let url = format!("{}{real_path}", cfg.api_url.trim_end_matches('/'));
    let mut rb = http.get(url).header("Accept", "application/json");
    let auth = match (c.kind, probe.basic_x_token_auth) {
        (LiveKind::Anonymous, _) => "none",
        (_, true) => {
            rb = rb.header("Authorization", basic("x-token-auth", c.secret.expose()));
            "Basic x-token-auth"
        }
        (LiveKind::ApiToken | LiveKind::UnscopedApiToken, _) => {
            rb = rb.header("Authorization", basic(c.email.as_deref().unwrap_or(""), c.secret.expose()));
            "Basic email"
        }
        _ => {
            rb = rb.header("Authorization", format!("Bearer {}", c.secret.expose()));
            "Bearer"
        }
    };
    let template = probe.template.replace("{public}", "{public-workspace}/{public-repository}");
    let mut e = Exchange {
        probe: probe.name.to_string(),
        auth: auth.to_string(),
        method: "GET".to_string(),
        path: template,
        status: None,
        error: None,
        headers: Default::default(),
        message: None,
        detail_required: None,
        detail_granted: None,
        facts: None,
    };
    let response = match rb.send().await {
        Ok(r) => r,
        Err(err) => {
            e.error = Some(if err.is_timeout() {
                "timed out".to_string()
            } else if err.is_connect() {
                "could not connect".to_string()
            } else {
                "the request failed".to_string()
            });
            return e;
        }
    };
    e.status = Some(response.status().as_u16());
    for name in [
        "x-credential-type",
        "x-oauth-scopes",
        "x-accepted-oauth-scopes",
        "x-ratelimit-limit",
        "x-ratelimit-resource",
        "x-ratelimit-nearlimit",
        "retry-after",
        "www-authenticate",
        "content-type",
    ] {
        if let Some(v) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            e.headers.insert(name.to_string(), scrub(v, cfg));
        }
    }
    let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) {
        if let Some(m) = json.pointer("/error/message").and_then(|v| v.as_str()) {
            e.message = Some(scrub(m, cfg));
        }
        let names = |p: &str| {
            json.pointer(p).and_then(|v| v.as_array()).map(|a| {
                a.iter().filter_map(|x| x.as_str()).map(|s| scrub(s, cfg)).collect::<Vec<String>>()
            })
        };
        e.detail_required = names("/error/detail/required");
        e.detail_granted = names("/error/detail/granted");
        if e.status == Some(200) {
            let facts = Facts {
                mainbranch: json.pointer("/mainbranch/name").and_then(|v| v.as_str()).map(|s| scrub(s, cfg)),
                is_private: json.get("is_private").and_then(|v| v.as_bool()),
                items: json.get("values").and_then(|v| v.as_array()).map(|a| a.len()),
            };
            if facts != Facts::default() {
                e.facts = Some(facts);
            }
        }
    } else if !body.is_empty() && e.status != Some(200) {
        let text = String::from_utf8_lossy(&body);
        e.message = Some(scrub(&text.chars().take(200).collect::<String>(), cfg));
    }
    e
}

fn basic(user: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}")))
}

/// Removes from server text everything that could identify the person or the account, and
/// the names the paths stand in for.
pub fn scrub(text: &str, cfg: &LiveConfig) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).collect();
    for secret in cfg.secrets() {
        out = replace_ci(&out, &secret, "[redacted]");
    }
    if let Some(p) = &cfg.public_repository {
        out = replace_ci(&out, p, "{public-workspace}/{public-repository}");
    }
    if let Some(o) = &cfg.other_repository {
        out = replace_ci(&out, o, "{other}");
    }
    out = replace_ci(&out, &cfg.repository, "{repository}");
    out = replace_ci(&out, &cfg.workspace, "{workspace}");
    scrub_ids(&out)
}

fn replace_ci(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let n = needle.to_lowercase();
    if lower.len() != text.len() {
        return text.replace(needle, with);
    }
    let mut out = String::new();
    let mut i = 0;
    while let Some(pos) = lower[i..].find(&n) {
        out.push_str(&text[i..i + pos]);
        out.push_str(with);
        i += pos + n.len();
    }
    out.push_str(&text[i..]);
    out
}

/// Uuids (`{…}` or bare), Atlassian account ids (`557058:…`, `712020:…`) and email addresses.
fn scrub_ids(text: &str) -> String {
    let mut out = String::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core = word.trim_matches(|c: char| matches!(c, '{' | '}' | '"' | '\'' | ',' | '.' | '(' | ')' | ':'));
        let hexish = |s: &str| s.len() >= 32 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        let account = core.split_once(':').is_some_and(|(a, b)| a.chars().all(|c| c.is_ascii_digit()) && !a.is_empty() && b.len() >= 20);
        let email = core.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
        if hexish(core) || account || email {
            out.push_str("[id]");
        } else {
            out.push_str(word);
        }
    }
    out
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The environment lines that point the live suite at a fake serving the demo world (what
/// `fake-bitbucket --live-env` prints).
pub fn demo_env(api_url: &str) -> Vec<(String, String)> {
    use crate::demo;
    let v = |k: &str, s: &str| (k.to_string(), s.to_string());
    vec![
        v("BITBUCKET_LIVE_API_URL", api_url),
        v("BITBUCKET_LIVE_WORKSPACE", demo::WORKSPACE),
        v("BITBUCKET_LIVE_REPOSITORY", demo::REPO_WEBSITE),
        v("BITBUCKET_LIVE_OTHER_REPOSITORY", demo::REPO_MOBILE_APP),
        v("BITBUCKET_LIVE_PUBLIC_REPOSITORY", &format!("{}/{}", demo::WORKSPACE, demo::REPO_PUBLIC_DOCS)),
        v("BITBUCKET_LIVE_REPOSITORY_TOKEN", demo::SQAI_READY),
        v("BITBUCKET_LIVE_REPOSITORY_TOKEN_SCOPES", "repository,repository:write,pullrequest,pullrequest:write"),
        v("BITBUCKET_LIVE_PROJECT_TOKEN", demo::PROJECT_TOKEN),
        v("BITBUCKET_LIVE_WORKSPACE_TOKEN", demo::WORKSPACE_TOKEN),
        v("BITBUCKET_LIVE_API_TOKEN", demo::API_TOKEN_AUTOHEAL),
        v("BITBUCKET_LIVE_API_TOKEN_SCOPES", &demo::AUTOHEAL_SCOPES.join(",")),
        v("BITBUCKET_LIVE_EMAIL", demo::ADMIN_EMAIL),
        v("BITBUCKET_LIVE_UNSCOPED_API_TOKEN", demo::API_TOKEN_UNSCOPED),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> LiveConfig {
        LiveConfig {
            api_url: DEFAULT_API_URL.into(),
            workspace: "acme".into(),
            repository: "website".into(),
            other_repository: None,
            public_repository: None,
            credentials: vec![LiveCredential {
                kind: LiveKind::ApiToken,
                secret: LiveSecret::new("ATATT3xsecretvalue"),
                email: Some("Jane@Acme.example".into()),
                ticked: None,
            }],
        }
    }

    #[test]
    fn scrub_removes_people_names_and_secrets() {
        let out = scrub(
            "jane@acme.example cannot see Acme/WEBSITE ({d1b5d5a0-8a9b-4c6e-9d2f-1234567890ab}, 557058:0a1b2c3d-4e5f-6789-abcd-ef0123456789) with ATATT3xsecretvalue",
            &cfg(),
        );
        assert_eq!(out, "[redacted] cannot see {workspace}/{repository} [id] [id] with [redacted]");
    }

    #[test]
    fn dates_are_rfc3339() {
        let d = now_rfc3339();
        assert_eq!(d.len(), 20, "{d}");
        assert!(d.starts_with("20") && d.ends_with('Z'));
    }

    #[test]
    fn a_secret_is_never_printed() {
        assert_eq!(format!("{:?}", LiveSecret::new("x")), "LiveSecret(redacted)");
    }
}
