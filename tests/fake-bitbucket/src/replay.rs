//! Serves a [`Transcript`] back: a fake Bitbucket that answers each recorded request exactly
//! as the recorded Bitbucket did (status and headers as recorded, bodies rebuilt from the
//! recorded facts), so a live recording becomes a test of the app.
//!
//! Each recorded credential gets a replay secret ([`secret`]) of the right shape; API tokens go
//! with [`EMAIL`]. Paths use [`crate::transcript::WORKSPACE`] and friends in place of the
//! recording's placeholders. A request the transcript does not hold gets 501 with
//! `x-replay: not recorded`, so a test sees at once that the app asked something new.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Value};

use crate::transcript::{Exchange, LiveKind, Transcript, OTHER_REPOSITORY, REPOSITORY, WORKSPACE};

/// The account email the replay expects with its API tokens.
pub const EMAIL: &str = "replay@example.invalid";
/// The workspace and repository a public-repository probe is served under.
pub const PUBLIC_WORKSPACE: &str = "live-public";
pub const PUBLIC_REPOSITORY: &str = "live-public-repo";

/// The replay's secret for a recorded credential kind (FAKE; shaped like the real kind).
pub fn secret(kind: LiveKind) -> String {
    let (prefix, tag) = match kind {
        LiveKind::RepositoryToken => ("ATCTT3xFfGN0", "replayrepositorytoken"),
        LiveKind::ProjectToken => ("ATCTT3xFfGN0", "replayprojecttoken"),
        LiveKind::WorkspaceToken => ("ATCTT3xFfGN0", "replayworkspacetoken"),
        LiveKind::ApiToken => ("ATATT3xFfGF0", "replayapitoken"),
        LiveKind::UnscopedApiToken => ("ATATT3xFfGF0", "replayunscopedapitoken"),
        LiveKind::Anonymous => ("", ""),
    };
    if prefix.is_empty() {
        return String::new();
    }
    let body = format!("{tag}{}", "R".repeat(160));
    format!("{prefix}{}", &body[..160])
}

/// Which recorded credential, and which kind of authentication, a request carries.
fn who(headers: &HeaderMap) -> Option<(LiveKind, &'static str)> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Some((LiveKind::Anonymous, "none"));
    };
    let (scheme, rest) = value.trim().split_once(' ')?;
    let kinds = [
        LiveKind::RepositoryToken,
        LiveKind::ProjectToken,
        LiveKind::WorkspaceToken,
        LiveKind::ApiToken,
        LiveKind::UnscopedApiToken,
    ];
    if scheme.eq_ignore_ascii_case("bearer") {
        return kinds.into_iter().find(|k| secret(*k) == rest.trim()).map(|k| (k, "Bearer"));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, pass) = decoded.split_once(':')?;
        let kind = kinds.into_iter().find(|k| secret(*k) == pass)?;
        return if user == "x-token-auth" {
            Some((kind, "Basic x-token-auth"))
        } else if user.eq_ignore_ascii_case(EMAIL) {
            Some((kind, "Basic email"))
        } else {
            None
        };
    }
    None
}

/// The recorded path for a served one: the replay's names back to placeholders.
fn template_of(path: &str) -> String {
    let rest = path.strip_prefix("/2.0").unwrap_or(path).trim_end_matches('/');
    let segs: Vec<String> = rest
        .split('/')
        .enumerate()
        .map(|(i, s)| match (i, s) {
            (_, s) if s == WORKSPACE => "{workspace}".to_string(),
            (_, s) if s == REPOSITORY => "{repository}".to_string(),
            (_, s) if s == OTHER_REPOSITORY => "{other}".to_string(),
            (_, s) if s == PUBLIC_WORKSPACE => "{public-workspace}".to_string(),
            (_, s) if s == PUBLIC_REPOSITORY => "{public-repository}".to_string(),
            (_, s) => s.to_string(),
        })
        .collect();
    segs.join("/")
}

/// The answer to one request, from the transcript.
pub(crate) fn answer(t: &Transcript, base: &str, method: &str, path: &str, headers: &HeaderMap) -> Response {
    let Some((kind, auth)) = who(headers) else {
        // Not one of the replay's credentials: what any wrong token gets.
        return respond(401, &Default::default(), json!({"type": "error", "error": {"message": "Token is invalid, expired, or not supported for this endpoint."}}), false);
    };
    let template = template_of(path);
    let found = t
        .credential(kind)
        .and_then(|c| c.exchanges.iter().find(|e| e.method == method && e.auth == auth && e.path == template));
    match found {
        Some(e) => replayed(e, base),
        None => respond(
            501,
            &[("x-replay".to_string(), "not recorded".to_string())].into_iter().collect(),
            json!({"type": "error", "error": {"message": format!("The transcript has no {method} {template} for the {} ({auth}).", kind.name())}}),
            false,
        ),
    }
}

fn replayed(e: &Exchange, base: &str) -> Response {
    let Some(status) = e.status else {
        // No answer was recorded (the connection failed): fail the same way, as a reset.
        return respond(502, &Default::default(), json!({"type": "error", "error": {"message": "No answer was recorded for this request."}}), false);
    };
    let path = e
        .path
        .replace("{workspace}", WORKSPACE)
        .replace("{repository}", REPOSITORY)
        .replace("{other}", OTHER_REPOSITORY)
        .replace("{public-workspace}", PUBLIC_WORKSPACE)
        .replace("{public-repository}", PUBLIC_REPOSITORY);
    let body = if status == 200 {
        body_for(e, base, &path)
    } else {
        let mut error = json!({"message": e.message.clone().unwrap_or_default()});
        if e.detail_required.is_some() || e.detail_granted.is_some() {
            error["detail"] = json!({
                "required": e.detail_required.clone().unwrap_or_default(),
                "granted": e.detail_granted.clone().unwrap_or_default(),
            });
        }
        json!({"type": "error", "error": error})
    };
    let html = e.header("content-type").is_some_and(|c| c.contains("html"));
    respond(status, &e.headers, body, html)
}

/// A body of the recorded kind, with the recorded facts.
fn body_for(e: &Exchange, base: &str, path: &str) -> Value {
    let facts = e.facts.clone().unwrap_or_default();
    if let Some(items) = facts.items {
        let values: Vec<Value> = (0..items).map(|i| json!({"type": "item", "index": i})).collect();
        return json!({"pagelen": 10, "size": items, "page": 1, "values": values});
    }
    match e.probe.as_str() {
        "repository" | "repository_basic" | "repository_public_elsewhere" => {
            let full = path.trim_start_matches("/repositories/");
            let ws = full.split('/').next().unwrap_or(WORKSPACE);
            json!({
                "type": "repository",
                "full_name": full,
                "name": full.rsplit('/').next().unwrap_or(REPOSITORY),
                "is_private": facts.is_private.unwrap_or(true),
                "mainbranch": facts.mainbranch.map(|m| json!({"type": "branch", "name": m})).unwrap_or(Value::Null),
                "workspace": {"type": "workspace", "slug": ws, "name": "Replayed workspace"},
                "links": {"self": {"href": format!("{base}{path}")}},
            })
        }
        "workspace" => json!({"type": "workspace", "slug": WORKSPACE, "name": "Replayed workspace", "is_private": true}),
        "user" => json!({"type": "user", "display_name": "Replayed account", "nickname": "replay"}),
        _ => json!({"pagelen": 10, "values": []}),
    }
}

fn respond(status: u16, headers: &std::collections::BTreeMap<String, String>, body: Value, html: bool) -> Response {
    let mut r = Response::new(Body::from(if html {
        "<!DOCTYPE html><html><body>Replayed page</body></html>".to_string()
    } else {
        serde_json::to_string(&body).unwrap_or_default()
    }));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            r.headers_mut().insert(n, v);
        }
    }
    let ct = if html { "text/html; charset=utf-8" } else { "application/json; charset=utf-8" };
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_secrets_are_distinct_and_shaped() {
        let kinds = [LiveKind::RepositoryToken, LiveKind::ProjectToken, LiveKind::WorkspaceToken, LiveKind::ApiToken, LiveKind::UnscopedApiToken];
        let secrets: std::collections::HashSet<String> = kinds.iter().map(|k| secret(*k)).collect();
        assert_eq!(secrets.len(), kinds.len());
        assert!(secret(LiveKind::RepositoryToken).starts_with("ATCT"));
        assert!(secret(LiveKind::ApiToken).starts_with("ATAT"));
    }

    #[test]
    fn served_paths_map_back_to_templates() {
        assert_eq!(template_of("/2.0/repositories/live-ws/live-repo/hooks"), "/repositories/{workspace}/{repository}/hooks");
        assert_eq!(template_of("/2.0/workspaces/live-ws/"), "/workspaces/{workspace}");
        assert_eq!(template_of("/2.0/user"), "/user");
    }
}
