//! What the fake answers: authentication, scope enforcement, reach, resource bodies, and the
//! faults applied on top.
//!
//! Order of checks for a request (the real order is not documented; UNCONFIRMED where noted):
//! 1. route: the path below `/2.0` is matched against every path template of the spec extract
//!    (a trailing slash is ignored, segments are percent-decoded);
//! 2. authenticate (401 for any credential that is bad, dead or sent the wrong way);
//! 3. unknown path → 404; removed endpoint (`/workspaces`, `/user/permissions/*`) → 410;
//!    method not in the spec for that path → 405;
//! 4. scopes of the operation (403) — checked before reach, since Bitbucket declares them per
//!    endpoint (UNCONFIRMED: the real service might answer 404 first for a resource out of reach);
//! 5. `/user*` with an access token → 403 (access tokens are not users);
//! 6. reach: the workspace / repository / project in the path must be within the token's reach
//!    (anonymous: public repositories only) → 404 otherwise;
//! 7. non-GET methods are never modelled: 501 (but they are recorded);
//! 8. the resource.
//!
//! UNCONFIRMED choices (the real service was not observed; the app must not rely on them beyond
//! what BITBUCKET.md states):
//! - an unscoped API token gets 401 *with* `x-credential-type: api_token` and an empty
//!   `x-oauth-scopes` (see `authenticate`);
//! - the order "scopes (403) before reach (404)";
//! - `/user`, `/user/emails`, `/user/workspaces` answer 403 to every access token, even one
//!   holding `account`; the message wording;
//! - an access token gets 404 for a *public* repository outside its reach (anonymous gets 200);
//! - Basic `x-token-auth:<access token>` (git's form) is refused by the REST API;
//! - the 401 wording for app passwords and for Basic failures, `WWW-Authenticate` on them;
//! - operations whose spec lists no new-style scopes refuse API tokens (403);
//! - anonymous requests: `/workspaces/{ws}` and public repositories answer, other non-repository
//!   endpoints 401;
//! - `X-RateLimit-Resource: api`.
//!
//! Implications are exactly BITBUCKET.md's list (e.g. `pipeline:write` ⊅ `pipeline` here).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Value};

use crate::server::ConnCtl;
use crate::behaviour::{
    self, CheckOrder, CredentialHeaders, Implications, NarrowTokenOnWorkspace, Switch, UnscopedApiToken, UserForAccessTokens,
};
use crate::spec::{OperationScopes, SPEC};
use crate::{ids, DetailMode, FakeRepo, FakeToken, Fault, RecordedRequest, Shared, TokenKind, TokenState, World};

pub(crate) const MSG_BAD_TOKEN: &str = "Token is invalid, expired, or not supported for this endpoint.";
pub(crate) const MSG_SCOPES: &str = "Your credentials lack one or more required privilege scopes.";
pub(crate) const MSG_NO_ACCESS: &str =
    "You may not have access to this repository or it no longer exists in this workspace.";
pub(crate) const MSG_RATE_LIMITED: &str = "Rate limit for this resource has been exceeded";
/// UNCONFIRMED wording: what Bitbucket says to an access token on `/user`.
pub(crate) const MSG_USER_ONLY: &str =
    "This API is only accessible with the following authentication types: session, api_token, oauth";
/// UNCONFIRMED wording (app passwords were removed on 2026-07-28; only the 401 is known).
pub(crate) const MSG_APP_PASSWORD: &str =
    "App passwords are no longer supported. Use an API token or an access token instead.";
pub(crate) const MSG_BASIC: &str = "Invalid credentials";
/// The webhooks of a repository, for an account that is not its admin (wording UNCONFIRMED).
pub(crate) const MSG_NOT_ADMIN: &str = "You do not have permission to access the webhooks of this repository.";
pub(crate) const MSG_REMOVED: &str =
    "This API has been removed. Cross-workspace APIs are no longer available; use workspace-scoped APIs instead.";

const CREATED_ON: &str = "2024-01-15T09:30:00.000000+00:00";
const UPDATED_ON: &str = "2026-10-01T12:00:00.000000+00:00";

pub(crate) enum AnswerBody {
    Json(Value),
    Text(String),
}

/// The credential part of the headers.
#[derive(Clone)]
pub(crate) struct CredHeaders {
    pub credential_type: &'static str,
    pub scopes: Vec<String>,
    /// Access tokens only: X-RateLimit-* headers.
    pub rate_limit: bool,
}

pub(crate) struct Answer {
    pub status: u16,
    pub cred: Option<CredHeaders>,
    /// `x-accepted-oauth-scopes`, sent only together with `cred`.
    pub accepted: String,
    pub body: AnswerBody,
    pub extra: Vec<(&'static str, String)>,
    /// Sent without the credential headers even though the credential was recognised.
    pub bare: bool,
}

impl Answer {
    fn json(status: u16, v: Value) -> Answer {
        Answer { status, cred: None, accepted: String::new(), body: AnswerBody::Json(v), extra: Vec::new(), bare: false }
    }
}

pub(crate) fn error_body(message: &str) -> Value {
    json!({"type": "error", "error": {"message": message}})
}

fn err(status: u16, message: &str) -> Answer {
    Answer::json(status, error_body(message))
}

/// The scheme word of an Authorization header, never the credential.
fn auth_scheme(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?;
    let s = String::from_utf8_lossy(v.as_bytes()).into_owned();
    let mut parts = s.trim().splitn(2, char::is_whitespace);
    let first = parts.next().unwrap_or("");
    let has_rest = parts.next().is_some_and(|r| !r.trim().is_empty());
    if has_rest && !first.is_empty() && first.len() <= 16 && first.chars().all(|c| c.is_ascii_alphabetic()) {
        Some(first.to_owned())
    } else {
        Some("(no scheme)".to_owned())
    }
}

// ---------------------------------------------------------------------------------------------
// the axum handler

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let headers = req.headers().clone();
    let ctl = req.extensions().get::<ConnCtl>().cloned();
    drop(req); // the request body is never read
    let auth = auth_scheme(&headers);
    let index = shared.record(RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        auth: auth.clone(),
        at: Instant::now(),
        credential: None,
        consulted: Vec::new(),
    });
    let fault = shared.fault_for(&path);

    let replaying = shared.world().replay.clone();
    if let Some(t) = replaying {
        let response = crate::replay::answer(&t, &shared.base_url(), &method, &path, &headers);
        if shared.verbose.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!("{method} {path} -> {} [{}] (replayed)", response.status().as_u16(), auth.as_deref().unwrap_or("anonymous"));
        }
        return response;
    }
    let response = match &fault {
        Some(Fault::ConnectionReset) => {
            if let Some(ctl) = ctl {
                ctl.reset.notify_one();
            }
            // The connection task drops this future with the connection; the bounded wait only
            // matters if it could not (HTTP/2 streams run in their own task).
            tokio::time::sleep(Duration::from_secs(5)).await;
            plain(500, "connection reset")
        }
        Some(Fault::HangBeforeHeaders) => {
            let mut stop = shared.stop.clone();
            let _ = stop.changed().await;
            plain(503, "stopping")
        }
        Some(Fault::Redirect { status, location }) => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status_code(*status);
            if let Ok(v) = HeaderValue::from_str(location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        other => {
            if let Some(Fault::Latency(d)) = other {
                tokio::time::sleep(*d).await;
            }
            let answer = {
                let mut world = shared.world();
                behaviour::start_answer();
                let (answer, credential) = answer(&world, &shared.base_url(), &method, &path, &query, &headers);
                if let Some(r) = index.and_then(|i| world.requests.get_mut(i)) {
                    r.credential = credential;
                    r.consulted = behaviour::consulted();
                }
                answer
            };
            render(answer, other.as_ref())
        }
    };
    if shared.verbose.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!(
            "{method} {path} -> {} [{}]{}",
            response.status().as_u16(),
            auth.as_deref().unwrap_or("anonymous"),
            fault.map(|f| format!(" fault {f:?}")).unwrap_or_default()
        );
    }
    response
}

fn status_code(s: u16) -> StatusCode {
    StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn plain(status: u16, text: &str) -> Response {
    let mut r = Response::new(Body::from(text.to_owned()));
    *r.status_mut() = status_code(status);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

// ---------------------------------------------------------------------------------------------
// authentication

enum Cred<'a> {
    Anonymous,
    Token(&'a FakeToken),
    Rejected(Answer),
}

fn reject(message: &str, www: Option<&'static str>) -> Cred<'static> {
    let mut a = err(401, message);
    if let Some(w) = www {
        a.extra.push(("www-authenticate", w.to_owned()));
    }
    Cred::Rejected(a)
}

fn authenticate<'a>(world: &'a World, headers: &HeaderMap, accepted: &str, name: &mut Option<String>) -> Cred<'a> {
    *name = presented(world, headers).map(|t| t.display_name.clone());
    authenticate_inner(world, headers, accepted)
}

/// The known credential whose secret the Authorization header carries, accepted or not.
fn presented<'a>(world: &'a World, headers: &HeaderMap) -> Option<&'a FakeToken> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    let secret = if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        decoded.split_once(':')?.1.to_owned()
    } else {
        rest.trim().to_owned()
    };
    world.tokens.iter().find(|t| t.secret == secret)
}

fn authenticate_inner<'a>(world: &'a World, headers: &HeaderMap, accepted: &str) -> Cred<'a> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Cred::Anonymous };
    let Ok(value) = value.to_str() else { return reject(MSG_BAD_TOKEN, None) };
    let value = value.trim();
    let (scheme, rest) = match value.split_once(char::is_whitespace) {
        Some((s, r)) => (s, r.trim()),
        None => return reject(MSG_BAD_TOKEN, None),
    };
    const BASIC_REALM: &str = "Basic realm=\"Bitbucket.org HTTP\"";
    if scheme.eq_ignore_ascii_case("bearer") {
        let Some(t) = world.tokens.iter().find(|t| t.secret == rest) else {
            return reject(MSG_BAD_TOKEN, None);
        };
        // API tokens and app passwords sent as Bearer: "not supported for this endpoint".
        if !t.kind.is_access_token() || t.state != TokenState::Active {
            return reject(MSG_BAD_TOKEN, None);
        }
        Cred::Token(t)
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(rest));
        let Ok(decoded) = decoded else { return reject(MSG_BASIC, Some(BASIC_REALM)) };
        let decoded = String::from_utf8_lossy(&decoded).into_owned();
        let Some((user, secret)) = decoded.split_once(':') else {
            return reject(MSG_BASIC, Some(BASIC_REALM));
        };
        let Some(t) = world.tokens.iter().find(|t| t.secret == secret) else {
            return reject(MSG_BASIC, Some(BASIC_REALM));
        };
        match t.kind {
            TokenKind::ApiToken => {
                let email_ok = t
                    .email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(user.trim()));
                if !email_ok {
                    // e.g. the Bitbucket username instead of the Atlassian account email
                    return reject(MSG_BASIC, Some(BASIC_REALM));
                }
                match t.state {
                    TokenState::Active => Cred::Token(t),
                    TokenState::Unscoped => {
                        behaviour::consult(Switch::UnscopedApiToken);
                        // UNCONFIRMED real behaviour: an API token created without scopes fails
                        // like a bad token (401) — documented — but whether Bitbucket still
                        // identifies it with `x-credential-type: api_token` and an empty
                        // `x-oauth-scopes` is not known: a switch of the world.
                        if world.behaviour.unscoped_api_token == UnscopedApiToken::Bare {
                            return reject(MSG_BASIC, Some(BASIC_REALM));
                        }
                        let mut a = err(401, MSG_BASIC);
                        a.extra.push(("www-authenticate", BASIC_REALM.to_owned()));
                        a.cred = Some(CredHeaders {
                            credential_type: TokenKind::ApiToken.credential_type(),
                            scopes: Vec::new(),
                            rate_limit: false,
                        });
                        a.accepted = accepted.to_owned();
                        Cred::Rejected(a)
                    }
                    TokenState::Expired | TokenState::Revoked => reject(MSG_BASIC, Some(BASIC_REALM)),
                }
            }
            // Retired since 2026-07-28: always 401 (message UNCONFIRMED).
            TokenKind::AppPassword => reject(MSG_APP_PASSWORD, Some(BASIC_REALM)),
            // Access tokens go as Bearer over the REST API (Basic `x-token-auth:` is for git).
            // UNCONFIRMED whether the REST API also accepts Basic `x-token-auth:<token>`; the
            // fake refuses it.
            _ => reject(MSG_BASIC, Some(BASIC_REALM)),
        }
    } else {
        reject(MSG_BAD_TOKEN, None)
    }
}

// ---------------------------------------------------------------------------------------------
// routing and the model

fn split_path(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("/2.0")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut rest = rest.trim_start_matches('/');
    if let Some(r) = rest.strip_suffix('/') {
        rest = r;
    }
    if rest.is_empty() {
        return Some(Vec::new());
    }
    Some(
        rest.split('/')
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect(),
    )
}

fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then_some(v)
    })
}

const REMOVED: [&str; 3] = ["/workspaces", "/user/permissions/workspaces", "/user/permissions/repositories"];

/// The answer, and the display name of the credential recognised (for the request record).
pub(crate) fn answer(world: &World, base: &str, method: &str, path: &str, query: &str, headers: &HeaderMap) -> (Answer, Option<String>) {
    let mut name = None;
    let mut a = answer_as(world, base, method, path, query, headers, &mut name);
    if a.cred.is_some() {
        // The credential headers are observed, not documented: a switch of the world.
        behaviour::consult(Switch::CredentialHeaders);
        if world.behaviour.credential_headers == CredentialHeaders::Absent {
            a.cred = None;
            a.accepted.clear();
        }
    }
    (a, name)
}

fn answer_as(
    world: &World,
    base: &str,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    name: &mut Option<String>,
) -> Answer {
    let segs = split_path(path);
    let matched = segs.as_ref().and_then(|s| SPEC.match_path(s));
    let lookup_method = if method == "HEAD" { "GET" } else { method };
    let ops: Option<&OperationScopes> = matched.as_ref().and_then(|(t, _)| t.ops.get(lookup_method));
    let accepted = ops
        .and_then(|o| o.oauth2.as_ref())
        .map(|v| v.join(", "))
        .unwrap_or_default();

    let cred = authenticate(world, headers, &accepted, name);
    let token = match cred {
        Cred::Rejected(a) => return a,
        Cred::Anonymous => None,
        Cred::Token(t) => Some(t),
    };
    let mut a = route(world, base, method, lookup_method, query, token, matched.as_ref().map(|(t, p)| (t.path.as_str(), p)), ops);
    if let Some(t) = token {
        if a.bare {
            return a;
        }
        let b = world.behaviour;
        let scopes = if t.kind.is_access_token() {
            behaviour::listed_access_token_scopes_consulting(&t.scopes, b)
        } else {
            behaviour::listed_api_token_scopes(&t.scopes, b)
        };
        a.cred = Some(CredHeaders { credential_type: t.kind.credential_type(), scopes, rate_limit: t.kind.is_access_token() });
        if a.accepted.is_empty() {
            a.accepted = accepted;
        }
    }
    a
}

#[allow(clippy::too_many_arguments)]
fn route(
    world: &World,
    base: &str,
    method: &str,
    lookup_method: &str,
    query: &str,
    token: Option<&FakeToken>,
    matched: Option<(&str, &BTreeMap<String, String>)>,
    ops: Option<&OperationScopes>,
) -> Answer {
    let Some((tpl, params)) = matched else {
        return err(404, "Resource not found");
    };
    if REMOVED.contains(&tpl) {
        return err(410, MSG_REMOVED);
    }
    let Some(ops) = ops else {
        return err(405, &format!("Method {method} is not allowed on this resource"));
    };

    // Which of two refusals comes first is a switch of the world; it matters only when both
    // apply, so only then is it consulted.
    let by_scope = scopes_and_kind(world, tpl, params, token, ops);
    let by_reach = reach(world, tpl, params, token);
    let first = match (by_scope, by_reach) {
        (Some(s), Some(r)) => {
            behaviour::consult(Switch::CheckOrder);
            Some(if world.behaviour.check_order == CheckOrder::ScopesFirst { s } else { r })
        }
        (s, r) => s.or(r),
    };
    if let Some(a) = first {
        return a;
    }

    if lookup_method != "GET" {
        // Writes are never modelled; they are recorded, so tests can assert none happened.
        return err(501, &format!("The fake Bitbucket does not model {method} requests"));
    }

    let ws = params.get("workspace").and_then(|seg| find_workspace(world, seg));
    let repo = match (ws, params.get("repo_slug")) {
        (Some(ws), Some(seg)) => find_repo(world, &ws.slug, seg),
        _ => None,
    };
    resource(world, base, query, token, tpl, params, ws, repo).unwrap_or_else(|e| e)
}

/// What the kind of credential may not use at all (`/user*` for access tokens; the workspace
/// endpoints for repository and project tokens, a switch of the world), then the operation's
/// scopes (403).
fn scopes_and_kind(
    world: &World,
    tpl: &str,
    params: &BTreeMap<String, String>,
    token: Option<&FakeToken>,
    ops: &OperationScopes,
) -> Option<Answer> {
    let t = token?;
    let b = world.behaviour;
    if let Some(a) = kind_refusal(world, tpl, params, t) {
        return Some(a);
    }
    check_scopes(world.detail_mode, b.implications, t, ops)
}

/// What the kind of credential may not use at all, whatever its scopes: `/user*` for access
/// tokens, and (a switch of the world) the workspace endpoints for repository and project
/// tokens.
fn kind_refusal(world: &World, tpl: &str, params: &BTreeMap<String, String>, t: &FakeToken) -> Option<Answer> {
    let b = world.behaviour;
    if t.kind.is_access_token() && (tpl == "/user" || tpl.starts_with("/user/")) {
        behaviour::consult(Switch::UserForAccessTokens);
        return Some(match b.user_for_access_tokens {
            UserForAccessTokens::Forbidden => err(403, MSG_USER_ONLY),
            UserForAccessTokens::Unauthorized => {
                let mut a = err(401, MSG_BAD_TOKEN);
                a.bare = true;
                a
            }
        });
    }
    let narrow = matches!(t.kind, TokenKind::RepositoryAccessToken | TokenKind::ProjectAccessToken);
    let own_project = t.kind == TokenKind::ProjectAccessToken
        && tpl.starts_with("/workspaces/{workspace}/projects/{project_key}")
        && params
            .get("project_key")
            .is_some_and(|k| t.project.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(k)));
    if narrow && tpl.starts_with("/workspaces/{workspace}") && !own_project {
        behaviour::consult(Switch::NarrowTokenOnWorkspace);
        match b.narrow_token_on_workspace {
            NarrowTokenOnWorkspace::Allowed => {}
            NarrowTokenOnWorkspace::ForbiddenAccount => {
                behaviour::consult(Switch::Detail);
                let mut error = json!({"message": MSG_SCOPES});
                if world.detail_mode != DetailMode::None {
                    error["detail"] = json!({"required": ["account"], "granted": t.scopes});
                }
                let mut a = Answer::json(403, json!({"type": "error", "error": error}));
                a.accepted = "account".to_owned();
                return Some(a);
            }
            NarrowTokenOnWorkspace::NotFound => return Some(err(404, MSG_NO_ACCESS)),
        }
    }
    None
}

/// The workspace / repository / project of the path must be within the token's reach
/// (anonymous: public repositories only): 404 otherwise.
fn reach(world: &World, tpl: &str, params: &BTreeMap<String, String>, token: Option<&FakeToken>) -> Option<Answer> {
    let answer = |a: Answer| Some(a);
    let ws = match params.get("workspace") {
        Some(seg) => match find_workspace(world, seg) {
            Some(ws) => Some(ws),
            None => return answer(err(404, MSG_NO_ACCESS)),
        },
        None => None,
    };
    let repo = match (ws, params.get("repo_slug")) {
        (Some(ws), Some(seg)) => match find_repo(world, &ws.slug, seg) {
            Some(r) => Some(r),
            None => return answer(err(404, MSG_NO_ACCESS)),
        },
        _ => None,
    };
    match token {
        Some(t) => {
            if let Some(ws) = ws {
                if !t.workspace.eq_ignore_ascii_case(&ws.slug) {
                    return answer(err(404, MSG_NO_ACCESS));
                }
            }
            if let Some(r) = repo {
                if !reaches_repo(t, r) {
                    return answer(err(404, MSG_NO_ACCESS));
                }
            }
            // a project token reaches only its own project
            if let Some(key) = params.get("project_key") {
                let own = t.project.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(key));
                if t.kind == TokenKind::ProjectAccessToken && !own {
                    return answer(err(404, MSG_NO_ACCESS));
                }
            }
        }
        None => {
            if let Some(r) = repo {
                if r.private {
                    return answer(err(404, MSG_NO_ACCESS));
                }
            } else if !matches!(tpl, "/repositories" | "/repositories/{workspace}" | "/workspaces/{workspace}")
                && !tpl.starts_with("/hook_events")
            {
                return answer(err(401, "Authentication required. Log in or send credentials."));
            }
        }
    }
    None
}

/// The modelled GET answers; `Err` is an error answer.
#[allow(clippy::result_large_err)]
#[allow(clippy::too_many_arguments)]
fn resource(
    world: &World,
    base: &str,
    query: &str,
    token: Option<&FakeToken>,
    tpl: &str,
    params: &BTreeMap<String, String>,
    ws: Option<&crate::Workspace>,
    repo: Option<&FakeRepo>,
) -> Result<Answer, Answer> {
    let need_repo = || repo.ok_or_else(|| err(404, MSG_NO_ACCESS));
    let need_ws = || ws.ok_or_else(|| err(404, MSG_NO_ACCESS));
    let repo_url = |r: &FakeRepo| format!("{base}/repositories/{}/{}", r.workspace, r.slug);
    Ok(match tpl {
        "/repositories/{workspace}/{repo_slug}" => Answer::json(200, repository_json(world, base, need_repo()?)),
        "/repositories/{workspace}/{repo_slug}/hooks"
            if token.is_some_and(|t| !t.kind.is_access_token() && t.role != crate::AccountRole::Admin) =>
        {
            // The spec: 403 "if the authenticated user does not have permission to access the
            // webhooks" (repository admins only). Bitbucket's wording is UNCONFIRMED; it names no
            // scope, since none is missing.
            return Err(err(403, MSG_NOT_ADMIN));
        }
        "/user/workspaces/{workspace}/permissions/repositories" => {
            let ws = need_ws()?;
            let t = token.ok_or_else(|| err(401, MSG_BAD_TOKEN))?;
            // `q=repository.full_name="ws/repo"` (the only filter modelled).
            let wanted = query_param(query, "q").map(|q| {
                percent_encoding::percent_decode_str(&q.replace('+', " ")).decode_utf8_lossy().into_owned()
            });
            let wanted = wanted.as_deref().map(|q| {
                q.trim()
                    .strip_prefix("repository.full_name")
                    .map(|rest| rest.trim().trim_start_matches('=').trim().trim_matches('"').to_ascii_lowercase())
            });
            if let Some(None) = wanted {
                return Err(err(400, "Invalid query: only repository.full_name=\"…\" is understood by this fake."));
            }
            let values = world
                .repos
                .iter()
                .filter(|r| r.workspace == ws.slug && reaches_repo(t, r))
                .filter(|r| match &wanted {
                    Some(Some(full)) => format!("{}/{}", r.workspace, r.slug) == *full,
                    _ => true,
                })
                .map(|r| {
                    json!({
                        "type": "repository_permission",
                        "user": {"type": "user", "display_name": t.display_name, "uuid": ids::uuid(&format!("user:{}", t.display_name))},
                        "repository": {"type": "repository", "name": r.name, "full_name": format!("{}/{}", r.workspace, r.slug), "uuid": ids::uuid(&format!("repo:{}/{}", r.workspace, r.slug))},
                        "permission": t.role.name(),
                    })
                })
                .collect();
            Answer::json(200, page(values, query, &format!("{base}/user/workspaces/{}/permissions/repositories", ws.slug)))
        }
        "/repositories/{workspace}/{repo_slug}/pullrequests"
        | "/repositories/{workspace}/{repo_slug}/pipelines"
        | "/repositories/{workspace}/{repo_slug}/hooks" => {
            let r = need_repo()?;
            let tail = tpl.rsplit('/').next().unwrap_or("");
            Answer::json(200, page(Vec::new(), query, &format!("{}/{tail}", repo_url(r))))
        }
        "/repositories/{workspace}/{repo_slug}/refs/branches" => {
            let r = need_repo()?;
            Answer::json(200, page(vec![branch_json(base, r)], query, &format!("{}/refs/branches", repo_url(r))))
        }
        "/repositories/{workspace}/{repo_slug}/refs/branches/{name}" => {
            let r = need_repo()?;
            if params.get("name").map(String::as_str) == Some(r.main_branch.as_str()) {
                Answer::json(200, branch_json(base, r))
            } else {
                err(404, "Branch not found")
            }
        }
        "/repositories/{workspace}/{repo_slug}/src" => {
            let r = need_repo()?;
            Answer::json(200, page(vec![src_file_json(base, r)], query, &format!("{}/src", repo_url(r))))
        }
        "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}" => {
            let r = need_repo()?;
            if params.get("path").map(String::as_str) == Some("README.md") {
                let mut a = Answer::json(200, Value::Null);
                a.body = AnswerBody::Text(format!("# {}\n\nA demo repository of the fake Bitbucket.\n", r.name));
                a
            } else {
                err(404, "No such file or directory")
            }
        }
        "/repositories/{workspace}" => {
            let ws = need_ws()?;
            let values = world
                .repos
                .iter()
                .filter(|r| r.workspace == ws.slug)
                .filter(|r| token.map_or(!r.private, |t| reaches_repo(t, r)))
                .map(|r| repository_json(world, base, r))
                .collect();
            Answer::json(200, page(values, query, &format!("{base}/repositories/{}", ws.slug)))
        }
        "/repositories" => {
            let values = world
                .repos
                .iter()
                .filter(|r| !r.private)
                .map(|r| repository_json(world, base, r))
                .collect();
            Answer::json(200, page(values, query, &format!("{base}/repositories")))
        }
        "/workspaces/{workspace}" => Answer::json(200, workspace_json(base, need_ws()?)),
        "/workspaces/{workspace}/projects" => {
            let ws = need_ws()?;
            let values = project_keys(world, &ws.slug)
                .into_iter()
                .filter(|k| match token {
                    Some(t) if t.kind == TokenKind::ProjectAccessToken => {
                        t.project.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(k))
                    }
                    Some(t) if t.kind == TokenKind::RepositoryAccessToken => world
                        .repos
                        .iter()
                        .any(|r| reaches_repo(t, r) && r.project.as_deref() == Some(k.as_str())),
                    _ => true,
                })
                .map(|k| project_json(world, ws, &k))
                .collect();
            Answer::json(200, page(values, query, &format!("{base}/workspaces/{}/projects", ws.slug)))
        }
        "/workspaces/{workspace}/projects/{project_key}" => {
            let ws = need_ws()?;
            let key = params.get("project_key").cloned().unwrap_or_default();
            match project_keys(world, &ws.slug).into_iter().find(|k| k.eq_ignore_ascii_case(&key)) {
                Some(k) => Answer::json(200, project_json(world, ws, &k)),
                None => err(404, "Project not found"),
            }
        }
        "/workspaces/{workspace}/members" => {
            let ws = need_ws()?;
            let values = members(world, &ws.slug)
                .into_iter()
                .map(|t| {
                    json!({
                        "type": "workspace_membership",
                        "user": account_json(base, t),
                        "workspace": workspace_json(base, ws),
                        "links": {"self": {"href": format!("{base}/workspaces/{}/members/{}", ws.slug, account_uuid(t))}},
                    })
                })
                .collect();
            Answer::json(200, page(values, query, &format!("{base}/workspaces/{}/members", ws.slug)))
        }
        "/user" => match token {
            Some(t) => Answer::json(200, account_json(base, t)),
            None => err(401, "Authentication required. Log in or send credentials."),
        },
        "/user/workspaces" => match token {
            Some(t) => {
                let values = world
                    .workspaces
                    .iter()
                    .filter(|w| w.slug.eq_ignore_ascii_case(&t.workspace))
                    .map(|w| {
                        json!({
                            "type": "workspace_access",
                            "administrator": false,
                            "workspace": {
                                "type": "workspace_base",
                                "uuid": w.uuid,
                                "slug": w.slug,
                                "name": w.name,
                                "links": {"self": {"href": format!("{base}/workspaces/{}", w.slug)}},
                            },
                            "links": {"self": {"href": format!("{base}/user/workspaces/{}/permission", w.slug)}},
                        })
                    })
                    .collect();
                Answer::json(200, page(values, query, &format!("{base}/user/workspaces")))
            }
            None => err(401, "Authentication required. Log in or send credentials."),
        },
        "/user/emails" => match token.and_then(|t| t.email.as_deref()) {
            Some(email) => Answer::json(
                200,
                page(
                    vec![json!({
                        "type": "email",
                        "email": email,
                        "is_primary": true,
                        "is_confirmed": true,
                        "links": {"self": {"href": format!("{base}/user/emails/{email}")}},
                    })],
                    query,
                    &format!("{base}/user/emails"),
                ),
            ),
            None => Answer::json(200, page(Vec::new(), query, &format!("{base}/user/emails"))),
        },
        _ => {
            // A GET of the spec the fake does not model: an empty collection, or no such item.
            let last_is_param = tpl.rsplit('/').next().is_some_and(|s| s.starts_with('{'));
            if last_is_param {
                err(404, "Resource not found")
            } else {
                Answer::json(200, page(Vec::new(), query, &format!("{base}{tpl}")))
            }
        }
    })
}

fn check_scopes(mode: DetailMode, implications: Implications, t: &FakeToken, ops: &OperationScopes) -> Option<Answer> {
    let (required, holds): (Option<&Vec<String>>, Vec<String>) = if t.kind == TokenKind::ApiToken {
        // New-style names: nothing implies anything.
        (ops.api_token.as_ref(), t.scopes.clone())
    } else {
        (ops.oauth2.as_ref(), behaviour::holds_consulting(&t.scopes, implications))
    };
    // `None`: the spec lists no scopes of the token's vocabulary for this operation, i.e. that
    // kind of credential is not accepted there (UNCONFIRMED; no endpoint the app probes is so).
    let missing: Vec<String> = match required {
        Some(req) => req.iter().filter(|s| !holds.iter().any(|h| h == *s)).cloned().collect(),
        None => Vec::new(),
    };
    if required.is_some() && missing.is_empty() {
        return None;
    }
    behaviour::consult(Switch::Detail);
    let mut error = json!({"message": MSG_SCOPES});
    match mode {
        DetailMode::All => {
            error["detail"] = json!({"required": required.cloned().unwrap_or_default(), "granted": t.scopes});
        }
        DetailMode::FirstOnly => {
            error["detail"] = json!({"required": missing.first().into_iter().collect::<Vec<_>>(), "granted": t.scopes});
        }
        DetailMode::None => {}
    }
    Some(Answer::json(403, json!({"type": "error", "error": error})))
}

fn braces_eq(seg: &str, uuid: &str) -> bool {
    seg.starts_with('{') && seg.eq_ignore_ascii_case(uuid)
}

fn find_workspace<'a>(world: &'a World, seg: &str) -> Option<&'a crate::Workspace> {
    world
        .workspaces
        .iter()
        .find(|w| w.slug.eq_ignore_ascii_case(seg) || braces_eq(seg, &w.uuid))
}

fn repo_uuid(r: &FakeRepo) -> String {
    ids::uuid(&format!("repository:{}/{}", r.workspace, r.slug))
}

fn find_repo<'a>(world: &'a World, ws: &str, seg: &str) -> Option<&'a FakeRepo> {
    world
        .repos
        .iter()
        .filter(|r| r.workspace == ws)
        .find(|r| r.slug.eq_ignore_ascii_case(seg) || braces_eq(seg, &repo_uuid(r)))
}

fn reaches_repo(t: &FakeToken, r: &FakeRepo) -> bool {
    if !t.workspace.eq_ignore_ascii_case(&r.workspace) {
        return false;
    }
    match t.kind {
        TokenKind::RepositoryAccessToken => t.repository.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(&r.slug)),
        TokenKind::ProjectAccessToken => match (&t.project, &r.project) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        },
        TokenKind::WorkspaceAccessToken | TokenKind::ApiToken => true,
        TokenKind::AppPassword => false,
    }
}

fn project_keys(world: &World, ws: &str) -> Vec<String> {
    let mut keys: Vec<String> = world
        .repos
        .iter()
        .filter(|r| r.workspace == ws)
        .filter_map(|r| r.project.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The people of a workspace: the owners of its API tokens and app passwords, one per account.
fn members<'a>(world: &'a World, ws: &str) -> Vec<&'a FakeToken> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for t in &world.tokens {
        if t.workspace != ws || !matches!(t.kind, TokenKind::ApiToken | TokenKind::AppPassword) {
            continue;
        }
        let key = account_key(t);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(t);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// bodies (shapes follow the spec schemas of the extract; see tests/schemas.rs)

fn link(href: String) -> Value {
    json!({"href": href})
}

fn html(path: &str) -> Value {
    link(format!("https://bitbucket.org/{path}"))
}

fn pct_braces(uuid: &str) -> String {
    uuid.replace('{', "%7B").replace('}', "%7D")
}

fn page(values: Vec<Value>, query: &str, self_url: &str) -> Value {
    let pagelen = query_param(query, "pagelen")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let page_no = query_param(query, "page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let size = values.len();
    let start = (page_no - 1).saturating_mul(pagelen).min(size);
    let end = start.saturating_add(pagelen).min(size);
    let slice: Vec<Value> = values[start..end].to_vec();
    let mut v = json!({"pagelen": pagelen, "size": size, "page": page_no, "values": slice});
    if end < size {
        v["next"] = json!(format!("{self_url}?pagelen={pagelen}&page={}", page_no + 1));
    }
    if page_no > 1 {
        v["previous"] = json!(format!("{self_url}?pagelen={pagelen}&page={}", page_no - 1));
    }
    v
}

fn workspace_json(base: &str, ws: &crate::Workspace) -> Value {
    let s = &ws.slug;
    json!({
        "type": "workspace",
        "uuid": ws.uuid,
        "name": ws.name,
        "slug": s,
        "is_private": true,
        "is_privacy_enforced": false,
        "forking_mode": "allow_forks",
        "created_on": CREATED_ON,
        "updated_on": UPDATED_ON,
        "links": {
            "avatar": link(format!("https://bitbucket.org/workspaces/{s}/avatar/?ts=1700000000")),
            "html": html(&format!("{s}/")),
            "members": link(format!("{base}/workspaces/{s}/members")),
            "owners": link(format!("{base}/workspaces/{s}/members?q=permission%3D%22owner%22")),
            "projects": link(format!("{base}/workspaces/{s}/projects")),
            "repositories": link(format!("{base}/repositories/{s}")),
            "snippets": link(format!("{base}/snippets/{s}")),
            "self": link(format!("{base}/workspaces/{s}")),
        },
    })
}

fn project_json(world: &World, ws: &crate::Workspace, key: &str) -> Value {
    let public = world
        .repos
        .iter()
        .any(|r| r.workspace == ws.slug && r.project.as_deref() == Some(key) && !r.private);
    json!({
        "type": "project",
        "key": key,
        "uuid": ids::uuid(&format!("project:{}/{key}", ws.slug)),
        "name": key,
        "description": "",
        "is_private": !public,
        "has_publicly_visible_repos": public,
        "created_on": CREATED_ON,
        "updated_on": UPDATED_ON,
        "owner": {"type": "team", "uuid": ws.uuid, "username": ws.slug, "display_name": ws.name},
        "links": {
            "html": html(&format!("{}/workspace/projects/{key}", ws.slug)),
            "avatar": link(format!("https://bitbucket.org/{}/workspace/projects/{key}/avatar/32", ws.slug)),
        },
    })
}

fn repository_json(world: &World, base: &str, r: &FakeRepo) -> Value {
    let ws = find_workspace(world, &r.workspace);
    let ws_name = ws.map_or(r.workspace.clone(), |w| w.name.clone());
    let ws_uuid = ws.map_or_else(|| ids::uuid(&format!("workspace:{}", r.workspace)), |w| w.uuid.clone());
    let full = format!("{}/{}", r.workspace, r.slug);
    let api = format!("{base}/repositories/{full}");
    let uuid = repo_uuid(r);
    let mut v = json!({
        "type": "repository",
        "full_name": full,
        "name": r.name,
        "slug": r.slug,
        "uuid": uuid,
        "description": "",
        "scm": "git",
        "is_private": r.private,
        "fork_policy": if r.private { "no_public_forks" } else { "allow_forks" },
        "language": "",
        "has_issues": false,
        "has_wiki": false,
        "size": 1_048_576,
        "created_on": CREATED_ON,
        "updated_on": UPDATED_ON,
        "mainbranch": {"type": "branch", "name": r.main_branch},
        "owner": {
            "type": "team",
            "uuid": ws_uuid,
            "username": r.workspace,
            "display_name": ws_name,
            "links": {"self": link(format!("{base}/workspaces/{}", r.workspace)), "html": html(&format!("{}/", r.workspace))},
        },
        "workspace": {
            "type": "workspace",
            "uuid": ws_uuid,
            "slug": r.workspace,
            "name": ws_name,
            "links": {"self": link(format!("{base}/workspaces/{}", r.workspace)), "html": html(&format!("{}/", r.workspace))},
        },
        "links": {
            "self": link(api.clone()),
            "html": html(&full),
            "avatar": link(format!("https://bytebucket.org/ravatar/{}?ts=default", pct_braces(&uuid))),
            "pullrequests": link(format!("{api}/pullrequests")),
            "commits": link(format!("{api}/commits")),
            "forks": link(format!("{api}/forks")),
            "watchers": link(format!("{api}/watchers")),
            "downloads": link(format!("{api}/downloads")),
            "hooks": link(format!("{api}/hooks")),
            "clone": [
                {"name": "https", "href": format!("https://bitbucket.org/{full}.git")},
                {"name": "ssh", "href": format!("git@bitbucket.org:{full}.git")},
            ],
        },
    });
    if let Some(key) = &r.project {
        if let Some(ws) = ws {
            let p = project_json(world, ws, key);
            v["project"] = json!({
                "type": "project",
                "key": key,
                "uuid": p["uuid"],
                "name": p["name"],
                "links": p["links"],
            });
        }
    }
    v
}

fn branch_json(base: &str, r: &FakeRepo) -> Value {
    let full = format!("{}/{}", r.workspace, r.slug);
    let hash = ids::commit_hash(&format!("{full}@{}", r.main_branch));
    json!({
        "type": "branch",
        "name": r.main_branch,
        "default_merge_strategy": "merge_commit",
        "merge_strategies": ["merge_commit", "squash", "fast_forward"],
        "target": {
            "type": "commit",
            "hash": hash,
            "date": UPDATED_ON,
            "message": "Initial commit\n",
            "links": {"self": link(format!("{base}/repositories/{full}/commit/{hash}"))},
        },
        "links": {
            "self": link(format!("{base}/repositories/{full}/refs/branches/{}", r.main_branch)),
            "commits": link(format!("{base}/repositories/{full}/commits/{}", r.main_branch)),
            "html": html(&format!("{full}/branch/{}", r.main_branch)),
        },
    })
}

fn src_file_json(base: &str, r: &FakeRepo) -> Value {
    let full = format!("{}/{}", r.workspace, r.slug);
    let hash = ids::commit_hash(&format!("{full}@{}", r.main_branch));
    json!({
        "type": "commit_file",
        "path": "README.md",
        "size": 64,
        "mimetype": null,
        "commit": {"type": "commit", "hash": hash},
        "links": {"self": link(format!("{base}/repositories/{full}/src/{hash}/README.md"))},
    })
}

fn account_key(t: &FakeToken) -> String {
    t.email
        .as_deref()
        .or(t.username.as_deref())
        .unwrap_or(&t.display_name)
        .to_ascii_lowercase()
}

fn account_uuid(t: &FakeToken) -> String {
    ids::uuid(&format!("user:{}", account_key(t)))
}

/// The `user` object of an API token's (or app password's) account. API tokens may have no
/// `username` (documented), so none is sent; app passwords (never accepted now) would have one.
fn account_json(base: &str, t: &FakeToken) -> Value {
    let key = account_key(t);
    let uuid = account_uuid(t);
    let nickname = t
        .username
        .clone()
        .unwrap_or_else(|| key.split('@').next().unwrap_or(&key).to_owned());
    let mut v = json!({
        "type": "user",
        "display_name": t.display_name,
        "uuid": uuid,
        "account_id": ids::account_id(&key),
        "nickname": nickname,
        "account_status": "active",
        "is_staff": false,
        "has_2fa_enabled": false,
        "created_on": CREATED_ON,
        "links": {
            "self": link(format!("{base}/users/{}", pct_braces(&uuid))),
            "html": html(&format!("{}/", pct_braces(&uuid))),
            "avatar": link(format!("https://avatar-management.services.atlassian.com/default/{}", ids::account_id(&key))),
        },
    });
    if let Some(u) = &t.username {
        v["username"] = json!(u);
    }
    v
}

// ---------------------------------------------------------------------------------------------
// rendering and faults

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn odd(list: &[String]) -> String {
    let parts: Vec<String> = list
        .iter()
        .enumerate()
        .map(|(i, s)| match i % 3 {
            0 => {
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
            1 => match s.split_once(':') {
                Some((a, b)) => format!("{}:{b}", a.to_ascii_uppercase()),
                None => s.to_ascii_uppercase(),
            },
            _ => s.clone(),
        })
        .collect();
    format!("  {} ,", parts.join(" ,  "))
}

const HEADER_CRED_TYPE: &str = "x-credential-type";
const HEADER_SCOPES: &str = "x-oauth-scopes";
const HEADER_ACCEPTED: &str = "x-accepted-oauth-scopes";

fn set(headers: &mut HeaderMap, name: &'static str, value: HeaderValue) {
    headers.insert(HeaderName::from_static(name), value);
}

fn render(mut a: Answer, fault: Option<&Fault>) -> Response {
    let mut keep_cred = true;
    let mut odd_headers = false;
    match fault {
        Some(Fault::RateLimited { retry_after }) => {
            a.status = 429;
            a.body = AnswerBody::Text(MSG_RATE_LIMITED.to_owned());
            a.extra.clear();
            if let Some(s) = retry_after {
                a.extra.push(("retry-after", s.to_string()));
            }
        }
        Some(Fault::Status(s)) => {
            let s = status_code(*s);
            a.status = s.as_u16();
            a.body = AnswerBody::Json(error_body(s.canonical_reason().unwrap_or("Something went wrong")));
            a.extra.clear();
            keep_cred = !(502..=504).contains(&a.status);
        }
        Some(Fault::MissingHeaders) => keep_cred = false,
        Some(Fault::WrongContentType) => {
            a.status = 200;
            a.body = AnswerBody::Text(String::new());
            a.extra.clear();
            keep_cred = false;
        }
        Some(Fault::OddHeaderSpacing) => odd_headers = true,
        _ => {}
    }

    let mut headers = HeaderMap::new();
    if keep_cred {
        if let Some(c) = &a.cred {
            if odd_headers {
                set(&mut headers, HEADER_CRED_TYPE, hv(&format!(" {} ", c.credential_type.to_ascii_uppercase())));
                set(&mut headers, HEADER_SCOPES, hv(&odd(&c.scopes)));
                let accepted: Vec<String> = a.accepted.split(", ").filter(|s| !s.is_empty()).map(str::to_owned).collect();
                set(&mut headers, HEADER_ACCEPTED, hv(&odd(&accepted)));
            } else {
                set(&mut headers, HEADER_CRED_TYPE, hv(c.credential_type));
                set(&mut headers, HEADER_SCOPES, hv(&c.scopes.join(", ")));
                set(&mut headers, HEADER_ACCEPTED, hv(&a.accepted));
            }
            if c.rate_limit {
                // X-RateLimit-Resource's real value is UNCONFIRMED.
                set(&mut headers, "x-ratelimit-limit", HeaderValue::from_static("1000"));
                set(&mut headers, "x-ratelimit-resource", HeaderValue::from_static("api"));
                set(&mut headers, "x-ratelimit-nearlimit", HeaderValue::from_static("false"));
            }
        }
    }
    for (name, value) in &a.extra {
        set(&mut headers, name, hv(value));
    }

    let json_ct = HeaderValue::from_static("application/json; charset=utf-8");
    let body_bytes: Bytes = match &a.body {
        AnswerBody::Json(v) => {
            headers.insert(header::CONTENT_TYPE, json_ct.clone());
            Bytes::from(serde_json::to_vec(v).unwrap_or_default())
        }
        AnswerBody::Text(t) => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            Bytes::from(t.clone())
        }
    };

    let status = status_code(a.status);
    let body = match fault {
        Some(Fault::WrongContentType) => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            Body::from(LOGIN_PAGE)
        }
        Some(Fault::MalformedJson) => {
            headers.insert(header::CONTENT_TYPE, json_ct);
            let mut cut = body_bytes.len() / 2;
            if cut < 2 {
                return build(StatusCode::OK, headers, Body::from("{\"type\": \"repository\", \"full_na"));
            }
            while cut > 0 && std::str::from_utf8(&body_bytes[..cut]).is_err() {
                cut -= 1;
            }
            let mut broken = body_bytes.slice(..cut).to_vec();
            broken.extend_from_slice(b"\x01\"}");
            return build(StatusCode::OK, headers, Body::from(broken));
        }
        Some(Fault::SlowBody { chunk_every }) => {
            let every = *chunk_every;
            let n = 10usize;
            let size = body_bytes.len().div_ceil(n).max(1);
            let pieces: Vec<Bytes> = (0..body_bytes.len())
                .step_by(size)
                .map(|i| body_bytes.slice(i..(i + size).min(body_bytes.len())))
                .collect();
            let stream = futures_util::stream::unfold((pieces, 0usize), move |(pieces, i)| async move {
                if i >= pieces.len() {
                    return None;
                }
                if i > 0 {
                    tokio::time::sleep(every).await;
                }
                let piece = pieces[i].clone();
                Some((Ok::<Bytes, Infallible>(piece), (pieces, i + 1)))
            });
            Body::from_stream(stream)
        }
        Some(Fault::BodyNeverEnds) => {
            headers.insert(header::CONTENT_TYPE, json_ct);
            // about 1 KiB per piece
            let filler = Bytes::from("{\"type\":\"repository\",\"name\":\"filler\"},".repeat(26));
            let stream = futures_util::stream::unfold(0u64, move |i| {
                let filler = filler.clone();
                async move {
                    if i == 0 {
                        return Some((Ok::<Bytes, Infallible>(Bytes::from_static(b"{\"type\":\"paginated\",\"values\":[")), 1));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    Some((Ok(filler), i + 1))
                }
            });
            return build(StatusCode::OK, headers, Body::from_stream(stream));
        }
        Some(Fault::HugeBody { bytes }) => {
            headers.insert(header::CONTENT_TYPE, json_ct);
            return build(StatusCode::OK, headers, huge_body(*bytes));
        }
        _ => Body::from(body_bytes),
    };
    build(status, headers, body)
}

fn build(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in to continue</title></head>\n<body><h1>Log in to continue</h1><form method=\"post\" action=\"/login\"><input name=\"username\"><input type=\"password\" name=\"password\"><button>Log in</button></form></body></html>\n";

/// Exactly `total` bytes: valid JSON when `total` is at least 62 (a repository-ish object with a
/// long padding string), streamed in 64 KiB chunks.
fn huge_body(total: usize) -> Body {
    const PREFIX: &[u8] = b"{\"type\":\"repository\",\"full_name\":\"acme/website\",\"padding\":\"";
    const SUFFIX: &[u8] = b"\"}";
    const CHUNK: usize = 64 * 1024;
    let stream = futures_util::stream::unfold(0usize, move |pos| async move {
        if pos >= total {
            return None;
        }
        let end = (pos + CHUNK).min(total);
        let mut chunk = vec![b'x'; end - pos];
        if pos < PREFIX.len() {
            let upto = end.min(PREFIX.len());
            chunk[..upto - pos].copy_from_slice(&PREFIX[pos..upto]);
        }
        if total >= PREFIX.len() + SUFFIX.len() {
            let suffix_start = total - SUFFIX.len();
            let from = pos.max(suffix_start);
            if from < end {
                chunk[from - pos..].copy_from_slice(&SUFFIX[from - suffix_start..end - suffix_start]);
            }
        }
        Some((Ok::<Bytes, Infallible>(Bytes::from(chunk)), end))
    });
    Body::from_stream(stream)
}
