//! A redacted record of what a Bitbucket (the real one, or the fake) answered to the probes of
//! the live contract suite ([`crate::live`]), and what each answer settles.
//!
//! The format (`bitbucket-setup/live-transcript`, version 1) is JSON. It holds no token, no
//! email address, no account id, no account name and not the workspace or repository names:
//! paths use the placeholders `{workspace}`, `{repository}`, `{other}`, and any of those
//! values that a server message quoted is replaced the same way. [`crate::replay`] serves a
//! transcript back as a fake Bitbucket, so a recording becomes a test.

use serde::{Deserialize, Serialize};

use crate::behaviour::{Behaviour, ScopeLevels};

pub const SCHEMA: &str = "bitbucket-setup/live-transcript";
pub const VERSION: u32 = 1;

/// The names a transcript's paths use instead of the real ones; the replay serves them.
pub const WORKSPACE: &str = "live-ws";
pub const REPOSITORY: &str = "live-repo";
pub const OTHER_REPOSITORY: &str = "live-other";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub schema: String,
    pub version: u32,
    /// RFC 3339.
    pub recorded_at: String,
    /// `bitbucket.org` for the real service, `fake` for the fake, else `other`.
    pub service: String,
    pub credentials: Vec<CredentialRecord>,
}

/// The kinds the suite can record. The names match `x-credential-type` where Bitbucket has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    RepositoryToken,
    ProjectToken,
    WorkspaceToken,
    ApiToken,
    /// An API token created without scopes ("Create API token").
    UnscopedApiToken,
    /// No Authorization header.
    Anonymous,
}

impl LiveKind {
    pub fn is_access_token(self) -> bool {
        matches!(self, LiveKind::RepositoryToken | LiveKind::ProjectToken | LiveKind::WorkspaceToken)
    }

    pub fn name(self) -> &'static str {
        match self {
            LiveKind::RepositoryToken => "repository_token",
            LiveKind::ProjectToken => "project_token",
            LiveKind::WorkspaceToken => "workspace_token",
            LiveKind::ApiToken => "api_token",
            LiveKind::UnscopedApiToken => "unscoped_api_token",
            LiveKind::Anonymous => "anonymous",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialRecord {
    pub kind: LiveKind,
    /// The boxes the maintainer says they ticked (BITBUCKET_LIVE_*_SCOPES), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticked: Option<Vec<String>>,
    pub exchanges: Vec<Exchange>,
}

/// One request and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What the probe is for (`repository`, `workspace`, `user`, …).
    pub probe: String,
    /// `Bearer`, `Basic email`, `Basic x-token-auth`, or `none`.
    pub auth: String,
    pub method: String,
    /// With placeholders, e.g. `/repositories/{workspace}/{repository}`.
    pub path: String,
    /// `None` when no answer came (the error is in `error`).
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The answer's headers that matter, lower-case names, values as sent.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// `error.message`, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `error.detail.required` / `.granted` of a 403 (scope names are not secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_required: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_granted: Option<Vec<String>>,
    /// Facts of a successful body that a verdict uses (`mainbranch`, `is_private`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mainbranch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    /// Items on the first page of a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<usize>,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// `x-oauth-scopes`, split.
    pub fn scopes(&self) -> Option<Vec<String>> {
        self.header("x-oauth-scopes").map(split_scopes)
    }
}

pub fn split_scopes(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// What one observation says about one UNCONFIRMED point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// The point's id in docs/bitbucket-behaviour.md (`U1`, …).
    pub point: &'static str,
    pub title: &'static str,
    /// What was seen, in words.
    pub observed: String,
    /// The world switch it fixes (`workspace=403`), when it maps to one.
    pub switch: Option<String>,
}

impl Transcript {
    pub fn new(service: &str) -> Transcript {
        Transcript {
            schema: SCHEMA.to_string(),
            version: VERSION,
            recorded_at: String::new(),
            service: service.to_string(),
            credentials: Vec::new(),
        }
    }

    pub fn from_json(text: &str) -> Result<Transcript, String> {
        let t: Transcript = serde_json::from_str(text).map_err(|e| format!("not a live transcript: {e}"))?;
        if t.schema != SCHEMA {
            return Err(format!("not a live transcript (schema {:?})", t.schema));
        }
        if t.version != VERSION {
            return Err(format!("transcript version {} is not supported (this build reads {VERSION})", t.version));
        }
        Ok(t)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn credential(&self, kind: LiveKind) -> Option<&CredentialRecord> {
        self.credentials.iter().find(|c| c.kind == kind)
    }

    fn exchange(&self, kind: LiveKind, probe: &str) -> Option<&Exchange> {
        self.credential(kind)?.exchanges.iter().find(|e| e.probe == probe)
    }

    /// What the recording settles, point by point (points it has no evidence for are left out).
    pub fn settlements(&self) -> Vec<Settlement> {
        let mut out = Vec::new();
        let mut push = |point, title, observed: String, switch: Option<String>| {
            out.push(Settlement { point, title, observed, switch })
        };
        for kind in [LiveKind::RepositoryToken, LiveKind::ProjectToken] {
            if let Some(e) = self.exchange(kind, "workspace") {
                let switch = match e.status {
                    Some(200) => Some("workspace=allowed".to_string()),
                    Some(403) => Some("workspace=403".to_string()),
                    Some(404) => Some("workspace=404".to_string()),
                    _ => None,
                };
                push(
                    "U1",
                    "what /workspaces/{workspace} answers a repository or project access token",
                    format!(
                        "{}: HTTP {}{}",
                        kind.name(),
                        status_text(e.status),
                        e.header("x-accepted-oauth-scopes").map(|a| format!(", x-accepted-oauth-scopes: {a}")).unwrap_or_default()
                    ),
                    switch,
                );
            }
        }
        if let Some(c) = self.credential(LiveKind::ApiToken) {
            if let Some(listed) = c.exchanges.iter().find_map(|e| e.scopes()) {
                let ticked_platform: Vec<&String> = c
                    .ticked
                    .iter()
                    .flatten()
                    .filter(|s| crate::behaviour::PLATFORM_SCOPES.contains(&s.as_str()))
                    .collect();
                if !ticked_platform.is_empty() {
                    let shown = ticked_platform.iter().filter(|s| listed.contains(s)).count();
                    let switch = if shown == ticked_platform.len() {
                        Some("platform-scopes=listed".to_string())
                    } else if shown == 0 {
                        Some("platform-scopes=hidden".to_string())
                    } else {
                        None
                    };
                    push(
                        "U2",
                        "whether x-oauth-scopes lists the platform scopes read:account and read:me",
                        format!("ticked {}, listed {}", join(ticked_platform.iter().map(|s| s.as_str())), join(listed.iter().map(String::as_str))),
                        switch,
                    );
                }
            }
        }
        if let Some(c) = self.credential(LiveKind::RepositoryToken) {
            if let (Some(ticked), Some(listed)) = (&c.ticked, c.exchanges.iter().find_map(|e| e.scopes())) {
                let every = crate::behaviour::holds(ticked, crate::behaviour::Implications::Documented);
                let same = |a: &[String], b: &[String]| {
                    let mut a = a.to_vec();
                    let mut b = b.to_vec();
                    a.sort();
                    b.sort();
                    a == b
                };
                let highest = crate::behaviour::listed_access_token_scopes(
                    ticked,
                    Behaviour { scope_levels: ScopeLevels::HighestOnly, ..Behaviour::default() },
                );
                let switch = if same(&listed, ticked) {
                    Some("levels=as-ticked".to_string())
                } else if same(&listed, &highest) {
                    Some("levels=highest".to_string())
                } else if listed.iter().all(|s| every.contains(s) || ticked.contains(s)) && every.iter().all(|s| listed.contains(s)) {
                    Some("levels=every".to_string())
                } else {
                    None
                };
                push(
                    "U3",
                    "which scope levels x-oauth-scopes lists for an access token",
                    format!("ticked {}, listed {}", join(ticked.iter().map(String::as_str)), join(listed.iter().map(String::as_str))),
                    switch,
                );
            }
        }
        if let Some(e) = self.exchange(LiveKind::UnscopedApiToken, "repository") {
            let identified = e.header("x-credential-type").is_some();
            push(
                "U4",
                "what an API token without scopes gets",
                format!(
                    "HTTP {}, x-credential-type {}",
                    status_text(e.status),
                    e.header("x-credential-type").unwrap_or("absent")
                ),
                (e.status == Some(401)).then(|| format!("unscoped={}", if identified { "identified" } else { "bare" })),
            );
        }
        if let Some(e) = self.exchange(LiveKind::RepositoryToken, "user") {
            let switch = match e.status {
                Some(403) => Some("user=403".to_string()),
                Some(401) => Some("user=401".to_string()),
                _ => None,
            };
            push("U5", "what /user answers an access token", format!("HTTP {}", status_text(e.status)), switch);
        }
        if let Some(e) = self.exchange(LiveKind::RepositoryToken, "hooks_elsewhere") {
            let switch = match e.status {
                Some(403) => Some("order=scopes-first".to_string()),
                Some(404) => Some("order=reach-first".to_string()),
                _ => None,
            };
            push(
                "U6",
                "403 (scope) or 404 (reach) first, for a repository out of reach and a scope the token lacks",
                format!("HTTP {}", status_text(e.status)),
                switch,
            );
        }
        for kind in [LiveKind::RepositoryToken, LiveKind::ProjectToken, LiveKind::WorkspaceToken, LiveKind::ApiToken] {
            if let Some(t) = self.credential(kind).and_then(|c| c.exchanges.iter().find_map(|e| e.header("x-credential-type"))) {
                push("U8", "the x-credential-type of each kind", format!("{}: {t}", kind.name()), None);
            }
        }
        if let Some(e) = self
            .credentials
            .iter()
            .flat_map(|c| c.exchanges.iter())
            .find(|e| e.status == Some(403) && e.detail_required.is_some())
        {
            push(
                "U9",
                "how a 403's error.detail names scopes",
                format!(
                    "required {:?}, granted {:?}, message {:?}",
                    e.detail_required.clone().unwrap_or_default(),
                    e.detail_granted.clone().unwrap_or_default(),
                    e.message.clone().unwrap_or_default()
                ),
                None,
            );
        }
        if let Some(v) = self
            .credentials
            .iter()
            .flat_map(|c| c.exchanges.iter())
            .find_map(|e| e.header("x-ratelimit-resource"))
        {
            push("U10", "the value of X-RateLimit-Resource", v.to_string(), None);
        }
        if let Some(e) = self.exchange(LiveKind::RepositoryToken, "repository_basic") {
            push(
                "U11",
                "whether the REST API takes an access token as Basic x-token-auth:<token>",
                format!("HTTP {}", status_text(e.status)),
                None,
            );
        }
        if let Some(e) = self.exchange(LiveKind::RepositoryToken, "repository_public_elsewhere") {
            push(
                "U12",
                "what a repository access token gets for a public repository it was not made for",
                format!("HTTP {}", status_text(e.status)),
                None,
            );
        }
        if let Some(e) = self.exchange(LiveKind::ApiToken, "user") {
            push("U13", "what /user answers an API token", format!("HTTP {}", status_text(e.status)), None);
        }
        out
    }

    /// The fake's world this recording shows, as far as it shows one: the switches it settles,
    /// on top of the default.
    pub fn behaviour(&self) -> (Behaviour, Vec<String>) {
        let settled: Vec<String> = self.settlements().into_iter().filter_map(|s| s.switch).collect();
        let text = settled.join(",");
        let b = text.parse::<Behaviour>().unwrap_or_default();
        (b, settled)
    }
}

fn status_text(s: Option<u16>) -> String {
    s.map(|s| s.to_string()).unwrap_or_else(|| "no answer".to_string())
}

fn join<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}
