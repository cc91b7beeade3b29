//! What the fake answers. The request is routed here against the spec extract; the rest has a
//! file of its own: `auth.rs` (which credential is who), `policy.rs` (what it may see and do),
//! `bodies.rs` (the JSON of the answers) and `faults.rs` (the failures injected on top).
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
//! what `docs/bitbucket-behaviour.md`, "What Atlassian documents", states):
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
//! Implications are, by default, exactly those Atlassian's narrative states in words
//! (`docs/scopes.md`, "Implications"; e.g. `pipeline:write` ⊅ `pipeline` here).

mod auth;
mod bodies;
mod faults;
mod policy;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::behaviour::{self, CheckOrder, CredentialHeaders, Switch};
use crate::server::ConnCtl;
use crate::spec::{OperationScopes, SPEC};
use crate::{ids, FakeRepo, FakeToken, RecordedRequest, Shared, World};
use auth::{auth_scheme, authenticate, Cred};
use bodies::resource;
use policy::{reach, scopes_and_kind};

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
    let response = match faults::instead_of_answer(fault.as_ref(), &shared, ctl).await {
        Some(response) => response,
        None => {
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
            faults::render(answer, fault.as_ref())
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

// ---------------------------------------------------------------------------------------------
// the world's workspaces and repositories, by slug or `{uuid}`

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
