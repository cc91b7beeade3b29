//! The JSON bodies of the answers: which resource a GET of the spec returns, and its shape, which
//! follows the schemas of the spec extract (`tests/schemas.rs` checks them). Paging follows
//! Bitbucket's `pagelen` / `page` / `next`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::policy::reaches_repo;
use super::{
    err, find_workspace, query_param, repo_uuid, Answer, AnswerBody, MSG_BAD_TOKEN, MSG_NOT_ADMIN,
    MSG_NO_ACCESS,
};
use crate::{ids, FakeRepo, FakeToken, TokenKind, World};

const CREATED_ON: &str = "2024-01-15T09:30:00.000000+00:00";
const UPDATED_ON: &str = "2026-10-01T12:00:00.000000+00:00";

/// The modelled GET answers; `Err` is an error answer.
#[allow(clippy::result_large_err)]
#[allow(clippy::too_many_arguments)]
pub(super) fn resource(
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
