//! Scope enforcement in both vocabularies, checked against hand-written expectations and against
//! the spec extract (read here on its own, with the implications re-implemented here).

mod common;

use std::collections::BTreeSet;

use common::*;
use fake_bitbucket::{demo, DetailMode, FakeToken};

const R: &str = "/repositories/acme/website";

/// (path, expected status) per demo token, written by hand from `docs/scopes.md` and the extract.
#[tokio::test]
async fn demo_tokens_against_the_probes() {
    let fake = demo_fake().await;
    let probes = [
        R.to_owned(),
        format!("{R}/pullrequests"),
        format!("{R}/pipelines"),
        format!("{R}/pipelines/"),
        format!("{R}/hooks"),
        format!("{R}/refs/branches"),
        format!("{R}/src"),
        "/workspaces/acme".to_owned(),
        "/workspaces/acme/projects".to_owned(),
        "/workspaces/acme/members".to_owned(),
        "/user".to_owned(),
        "/user/workspaces".to_owned(),
        "/user/emails".to_owned(),
    ];
    let table: [(&str, Auth<'static>, [u16; 13]); 7] = [
        //                                         repo  pr   pipe pipe/ hooks br  src  ws   proj memb user uws  mail
        ("sqai-ready", sqai(), [200, 200, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403]),
        ("read-only", Auth::Bearer(demo::READ_ONLY), [200, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403]),
        ("workspace", Auth::Bearer(demo::WORKSPACE_TOKEN), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403]),
        ("project", Auth::Bearer(demo::PROJECT_TOKEN), [200, 200, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403]),
        ("over-privileged", Auth::Bearer(demo::OVER_PRIVILEGED), [200, 200, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403]),
        ("autoheal", autoheal(), [200, 200, 200, 200, 403, 200, 200, 200, 200, 200, 200, 200, 200]),
        (
            "api repo read",
            Auth::Basic(demo::READER_EMAIL, demo::API_TOKEN_REPO_READ),
            [200, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403],
        ),
    ];
    for (name, auth, expected) in table {
        for (path, want) in probes.iter().zip(expected) {
            let r = fetch(&fake, path, auth).await;
            assert_eq!(r.status, want, "{name} {path}: {}", r.text);
            assert!(r.header("x-credential-type").is_some(), "{name} {path}");
            if want == 403 && !(path.starts_with("/user") && name != "autoheal" && name != "api repo read") {
                assert_eq!(
                    r.json()["error"]["message"],
                    "Your credentials lack one or more required privilege scopes.",
                    "{name} {path}"
                );
            }
        }
    }
}

#[tokio::test]
async fn old_style_implications() {
    let fake = demo_fake().await;
    let mk = |secret: &'static str, scopes: &[&str]| FakeToken::repository(secret, "acme", "website", scopes);
    let cases: [(&str, &[&str], &str, u16); 9] = [
        ("ATCT-1", &["pullrequest:write"], "/refs/branches", 200), // ⊃ repository:write ⊃ repository
        ("ATCT-2", &["pullrequest"], "", 200),                    // ⊃ repository
        ("ATCT-3", &["repository:write"], "", 200),               // ⊃ repository
        ("ATCT-4", &["project"], "", 200),                        // ⊃ repository
        ("ATCT-5", &["repository:admin"], "", 403),               // admin implies nothing
        ("ATCT-6", &["repository:delete"], "", 403),
        ("ATCT-7", &["repository:write"], "/pullrequests", 403),  // write does not give PRs
        ("ATCT-8", &["pipeline:write"], "/pipelines", 403),       // not an implication in the model
        ("ATCT-9", &["webhook"], "/hooks", 200),
    ];
    for (secret, scopes, tail, want) in cases {
        fake.add_token(mk(secret, scopes));
        let r = fetch(&fake, &format!("{R}{tail}"), Auth::Bearer(secret)).await;
        assert_eq!(r.status, want, "{scopes:?} {tail}: {}", r.text);
        // the header shows only what was granted
        assert_eq!(r.scopes(), scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn new_style_names_imply_nothing() {
    let fake = demo_fake().await;
    let mk = |secret: &'static str, scopes: &[&str]| FakeToken::api(secret, "dev@acme.example", "acme", scopes);
    let cases: [(&str, &[&str], &str, u16); 6] = [
        ("ATAT-1", &["write:repository:bitbucket"], "", 403), // write does not include read
        ("ATAT-2", &["admin:repository:bitbucket"], "", 403),
        ("ATAT-3", &["read:repository:bitbucket"], "", 200),
        ("ATAT-4", &["write:pullrequest:bitbucket", "read:repository:bitbucket"], "/pullrequests", 403),
        ("ATAT-5", &["read:pullrequest:bitbucket"], "/pullrequests", 200),
        ("ATAT-6", &["repository"], "", 403), // an old-style name means nothing to API tokens
    ];
    for (secret, scopes, tail, want) in cases {
        fake.add_token(mk(secret, scopes));
        let r = fetch(&fake, &format!("{R}{tail}"), Auth::Basic("dev@acme.example", secret)).await;
        assert_eq!(r.status, want, "{scopes:?} {tail}: {}", r.text);
        assert_eq!(r.header("x-credential-type").as_deref(), Some("api_token"));
    }
}

#[tokio::test]
async fn forbidden_detail_modes() {
    let fake = demo_fake().await;
    let c = client();
    let post_pr = |auth| request(&c, reqwest::Method::POST, &fake, "/repositories/acme/website/pullrequests", auth);
    let reader = Auth::Basic(demo::READER_EMAIL, demo::API_TOKEN_REPO_READ);

    // All (default): every required scope of the endpoint, in the token's vocabulary
    let r = send(post_pr(reader)).await;
    assert_eq!(r.status, 403);
    let e = r.json();
    assert_eq!(e["type"], "error");
    assert_eq!(e["error"]["message"], "Your credentials lack one or more required privilege scopes.");
    assert_eq!(e["error"]["detail"]["required"], serde_json::json!(["read:pullrequest:bitbucket", "write:pullrequest:bitbucket"]));
    assert_eq!(e["error"]["detail"]["granted"], serde_json::json!(["read:repository:bitbucket"]));
    // x-accepted-oauth-scopes is always old-style
    assert_eq!(r.header("x-accepted-oauth-scopes").as_deref(), Some("pullrequest:write"));

    let r = send(post_pr(Auth::Bearer(demo::READ_ONLY))).await;
    assert_eq!(r.json()["error"]["detail"]["required"], serde_json::json!(["pullrequest:write"]));
    assert_eq!(r.json()["error"]["detail"]["granted"], serde_json::json!(["repository"]));

    fake.set_detail_mode(DetailMode::FirstOnly);
    let r = send(post_pr(reader)).await;
    assert_eq!(r.json()["error"]["detail"]["required"], serde_json::json!(["read:pullrequest:bitbucket"]));
    // with one of the two held, the first *missing* one is named
    fake.add_token(FakeToken::api("ATAT-half", "dev@acme.example", "acme", &["read:pullrequest:bitbucket"]));
    let r = send(post_pr(Auth::Basic("dev@acme.example", "ATAT-half"))).await;
    assert_eq!(r.json()["error"]["detail"]["required"], serde_json::json!(["write:pullrequest:bitbucket"]));

    fake.set_detail_mode(DetailMode::None);
    let r = send(post_pr(reader)).await;
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].get("detail").is_none());
    assert_eq!(r.json()["error"]["message"], "Your credentials lack one or more required privilege scopes.");
}

/// The old-style implications, written again here so the check does not reuse the fake's code.
fn closure(granted: &[&str]) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = granted.iter().map(|s| s.to_string()).collect();
    loop {
        let before = set.len();
        for s in set.clone() {
            let add: &[&str] = match s.as_str() {
                "pullrequest:write" => &["pullrequest", "repository:write"],
                "pullrequest" | "repository:write" | "project" => &["repository"],
                _ => &[],
            };
            set.extend(add.iter().map(|s| s.to_string()));
        }
        if set.len() == before {
            return set;
        }
    }
}

/// Every GET of the extract, filled with the demo world, for two tokens of each vocabulary: the
/// status is 403 exactly when the extract's scopes are not held, `x-accepted-oauth-scopes` is the
/// extract's old-style list, and no route answers 5xx.
#[tokio::test]
async fn every_get_of_the_extract_follows_its_scopes() {
    let fake = demo_fake().await;
    let x = extract();
    let ops = x["operations"].as_object().unwrap();
    let tokens: [(&str, Auth<'static>, bool, Vec<&str>); 4] = [
        ("workspace", Auth::Bearer(demo::WORKSPACE_TOKEN), false, vec!["repository", "pullrequest", "webhook", "pipeline", "project", "account"]),
        ("sqai", sqai(), false, vec!["repository:write", "pullrequest:write"]),
        ("autoheal", autoheal(), true, demo::AUTOHEAL_SCOPES.to_vec()),
        ("reader", Auth::Basic(demo::READER_EMAIL, demo::API_TOKEN_REPO_READ), true, vec!["read:repository:bitbucket"]),
    ];
    let removed = ["/workspaces", "/user/permissions/workspaces", "/user/permissions/repositories"];
    let mut checked = 0;
    for (template, methods) in ops {
        let Some(get) = methods.get("get") else { continue };
        let path = template
            .replace("{workspace}", "acme")
            .replace("{repo_slug}", "website")
            .replace("{project_key}", "WEB")
            .replace("{username}", "acme");
        // any other parameter, also inside a segment like `{repo_name}-issues-{task_id}.zip`
        let mut filled = String::new();
        let mut in_param = false;
        for c in path.chars() {
            match (c, in_param) {
                ('{', _) => in_param = true,
                ('}', true) => {
                    in_param = false;
                    filled.push_str("x1");
                }
                (_, true) => {}
                (c, false) => filled.push(c),
            }
        }
        let path = filled;
        let list = |v: &serde_json::Value| -> Option<Vec<String>> {
            v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        };
        let old = list(&get["oauth2"]);
        let new = list(&get["api_token"]);
        for (name, auth, is_api, granted) in &tokens {
            let r = fetch(&fake, &path, *auth).await;
            checked += 1;
            assert!(r.status < 500, "{name} GET {path}: {}", r.status);
            assert!(r.header("x-credential-type").is_some(), "{name} {path}");
            assert_eq!(
                r.header("x-accepted-oauth-scopes").unwrap_or_default(),
                old.clone().unwrap_or_default().join(", "),
                "{name} {path}"
            );
            if removed.contains(&template.as_str()) {
                assert_eq!(r.status, 410, "{path}");
                continue;
            }
            let holds = if *is_api {
                granted.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>()
            } else {
                closure(granted)
            };
            let required = if *is_api { &new } else { &old };
            let lacking = match required {
                Some(req) => req.iter().any(|s| !holds.contains(s)),
                None => true,
            };
            let user_only = !*is_api && (template.starts_with("/user/") || template == "/user");
            if lacking || user_only {
                assert_eq!(r.status, 403, "{name} GET {path} ({template}): {}", r.text);
            } else {
                assert_ne!(r.status, 403, "{name} GET {path} ({template}): {}", r.text);
            }
        }
    }
    assert!(checked > 300, "{checked}");
}
