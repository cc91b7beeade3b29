//! What a credential may see and do: the refusals of its kind (`/user*` for access tokens, the
//! workspace endpoints for repository and project tokens), the operation's scopes from the spec
//! extract (403), and reach: the workspace, repository or project of the path (404). The facts are
//! in `docs/scopes.md` and `docs/bitbucket-behaviour.md`; each choice Bitbucket's documents leave
//! open is a switch of [`crate::Behaviour`].

use std::collections::BTreeMap;

use serde_json::json;

use super::{
    err, find_repo, find_workspace, Answer, MSG_BAD_TOKEN, MSG_NO_ACCESS, MSG_SCOPES, MSG_USER_ONLY,
};
use crate::behaviour::{self, Implications, NarrowTokenOnWorkspace, Switch, UserForAccessTokens};
use crate::spec::OperationScopes;
use crate::{DetailMode, FakeRepo, FakeToken, TokenKind, World};

/// What the kind of credential may not use at all (`/user*` for access tokens; the workspace
/// endpoints for repository and project tokens, a switch of the world), then the operation's
/// scopes (403).
pub(super) fn scopes_and_kind(
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
pub(super) fn reach(world: &World, tpl: &str, params: &BTreeMap<String, String>, token: Option<&FakeToken>) -> Option<Answer> {
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

pub(super) fn reaches_repo(t: &FakeToken, r: &FakeRepo) -> bool {
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
