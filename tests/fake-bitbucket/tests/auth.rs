//! Authentication variants, as `docs/bitbucket-behaviour.md` ("Credentials and how each is sent")
//! describes them.

mod common;

use common::*;
use fake_bitbucket::{demo, FakeToken, TokenState};

const WEBSITE: &str = "/repositories/acme/website";

#[tokio::test]
async fn access_tokens_as_bearer_carry_credential_and_rate_limit_headers() {
    let fake = demo_fake().await;
    for (secret, kind) in [
        (demo::SQAI_READY, "repo_access_token"),
        (demo::READ_ONLY, "repo_access_token"),
        (demo::WORKSPACE_TOKEN, "workspace_access_token"),
        (demo::PROJECT_TOKEN, "project_access_token"),
        (demo::OVER_PRIVILEGED, "repo_access_token"),
    ] {
        let r = fetch(&fake, WEBSITE, Auth::Bearer(secret)).await;
        assert_eq!(r.status, 200, "{kind}: {}", r.text);
        assert_eq!(r.header("x-credential-type").as_deref(), Some(kind));
        assert_eq!(r.header("x-accepted-oauth-scopes").as_deref(), Some("repository"));
        assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("1000"));
        assert!(r.header("x-ratelimit-resource").is_some());
        assert_eq!(r.header("x-ratelimit-nearlimit").as_deref(), Some("false"));
        assert_eq!(r.json()["full_name"], "acme/website");
    }
    // scopes exactly as granted: only the highest level, no implications added
    let r = fetch(&fake, WEBSITE, sqai()).await;
    assert_eq!(r.header("x-oauth-scopes").as_deref(), Some("repository:write, pullrequest:write"));
    let r = fetch(&fake, WEBSITE, Auth::Bearer(demo::OVER_PRIVILEGED)).await;
    assert_eq!(
        r.scopes(),
        ["repository:write", "pullrequest:write", "repository:admin", "repository:delete"]
    );
}

#[tokio::test]
async fn scheme_word_is_case_insensitive() {
    let fake = demo_fake().await;
    let r = fetch(&fake, WEBSITE, Auth::Raw(&format!("bearer {}", demo::SQAI_READY))).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn api_token_with_email_works_and_has_no_rate_limit_headers() {
    let fake = demo_fake().await;
    let r = fetch(&fake, WEBSITE, autoheal()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("x-credential-type").as_deref(), Some("api_token"));
    assert_eq!(r.scopes(), demo::AUTOHEAL_SCOPES.to_vec());
    assert_eq!(r.header("x-accepted-oauth-scopes").as_deref(), Some("repository"));
    assert!(r.header("x-ratelimit-limit").is_none());
    // the email is matched case-insensitively
    let r = fetch(&fake, WEBSITE, Auth::Basic("ADMIN@Acme.Example", demo::API_TOKEN_AUTOHEAL)).await;
    assert_eq!(r.status, 200);
    let r = fetch(&fake, WEBSITE, Auth::Basic(demo::READER_EMAIL, demo::API_TOKEN_REPO_READ)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-oauth-scopes").as_deref(), Some("read:repository:bitbucket"));
}

#[tokio::test]
async fn api_token_sent_wrongly_is_401_without_credential_headers() {
    let fake = demo_fake().await;
    // as Bearer
    let r = fetch(&fake, WEBSITE, Auth::Bearer(demo::API_TOKEN_AUTOHEAL)).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["error"]["message"],
        "Token is invalid, expired, or not supported for this endpoint."
    );
    assert!(r.header("x-credential-type").is_none());
    // with a username instead of the email
    for user in ["admin", "jdoe", "x-bitbucket-api-token-auth", "reader@acme.example", ""] {
        let r = fetch(&fake, WEBSITE, Auth::Basic(user, demo::API_TOKEN_AUTOHEAL)).await;
        assert_eq!(r.status, 401, "user {user:?}");
        assert!(r.header("x-credential-type").is_none());
        assert_eq!(r.json()["type"], "error");
    }
}

#[tokio::test]
async fn app_passwords_are_retired() {
    let fake = demo_fake().await;
    for auth in [
        Auth::Basic(demo::APP_PASSWORD_USERNAME, demo::APP_PASSWORD),
        Auth::Basic("john@acme.example", demo::APP_PASSWORD),
        Auth::Bearer(demo::APP_PASSWORD),
    ] {
        for path in [WEBSITE, "/user"] {
            let r = fetch(&fake, path, auth).await;
            assert_eq!(r.status, 401, "{auth:?} {path}");
            assert!(r.header("x-credential-type").is_none());
        }
    }
}

#[tokio::test]
async fn expired_revoked_unknown_and_garbage_credentials_are_401() {
    let fake = demo_fake().await;
    let cases = [
        Auth::Bearer(demo::EXPIRED_TOKEN),
        Auth::Bearer(demo::REVOKED_TOKEN),
        Auth::Bearer("ATCTT3xFfGN0not-a-token=00000000"),
        Auth::Bearer(""),
        Auth::Raw("Bearer"),
        Auth::Raw(demo::SQAI_READY), // a bare token, no scheme
        Auth::Raw("Token abc"),
        Auth::Raw("Basic !!!not-base64!!!"),
        Auth::Raw("Basic bm9jb2xvbg=="), // "nocolon"
        Auth::Basic("x-token-auth", demo::SQAI_READY), // the git form, not for REST (UNCONFIRMED)
    ];
    for auth in cases {
        for path in [WEBSITE, "/repositories/acme/public-docs", "/nope"] {
            let r = fetch(&fake, path, auth).await;
            assert_eq!(r.status, 401, "{auth:?} {path}");
            assert!(r.header("x-credential-type").is_none(), "{auth:?}");
            assert_eq!(r.json()["type"], "error");
        }
    }
}

#[tokio::test]
async fn unscoped_api_token_is_401_but_identified() {
    let fake = demo_fake().await;
    let r = fetch(&fake, WEBSITE, Auth::Basic(demo::ADMIN_EMAIL, demo::API_TOKEN_UNSCOPED)).await;
    assert_eq!(r.status, 401);
    // UNCONFIRMED real behaviour, modelled so the app can tell "unscoped" apart
    assert_eq!(r.header("x-credential-type").as_deref(), Some("api_token"));
    assert_eq!(r.header("x-oauth-scopes").as_deref(), Some(""));
    // expired / revoked API tokens are plain 401s
    fake.add_token(FakeToken::api("ATATT3xFfGF0expired", "e@acme.example", "acme", &["read:repository:bitbucket"]).with_state(TokenState::Expired));
    let r = fetch(&fake, WEBSITE, Auth::Basic("e@acme.example", "ATATT3xFfGF0expired")).await;
    assert_eq!(r.status, 401);
    assert!(r.header("x-credential-type").is_none());
}

#[tokio::test]
async fn anonymous_requests() {
    let fake = demo_fake().await;
    let r = fetch(&fake, "/repositories/acme/public-docs", Auth::None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("x-credential-type").is_none(), "a 200 alone proves nothing");
    assert!(r.header("x-oauth-scopes").is_none());
    assert_eq!(r.json()["mainbranch"]["name"], "master");
    for private in [WEBSITE, "/repositories/acme/mobile-app", "/repositories/other-co/secret", "/repositories/acme/nope"] {
        let r = fetch(&fake, private, Auth::None).await;
        assert_eq!(r.status, 404, "{private}");
        assert_eq!(
            r.json()["error"]["message"],
            "You may not have access to this repository or it no longer exists in this workspace."
        );
    }
    for path in ["/user", "/user/workspaces", "/user/emails", "/workspaces/acme/members"] {
        let r = fetch(&fake, path, Auth::None).await;
        assert_eq!(r.status, 401, "{path}");
    }
    // public repository listing only shows public repositories
    let r = fetch(&fake, "/repositories/acme", Auth::None).await;
    assert_eq!(r.status, 200);
    let names: Vec<_> = r.json()["values"].as_array().unwrap().iter().map(|v| v["slug"].clone()).collect();
    assert_eq!(names, ["public-docs"]);
}

#[tokio::test]
async fn user_endpoint_per_credential_kind() {
    let fake = demo_fake().await;
    let r = fetch(&fake, "/user", autoheal()).await;
    assert_eq!(r.status, 200);
    let u = r.json();
    assert_eq!(u["type"], "user");
    assert!(u["account_id"].as_str().unwrap().contains(':'));
    assert!(u["uuid"].as_str().unwrap().starts_with('{'));
    assert_eq!(u["display_name"], demo::ADMIN_DISPLAY_NAME);
    assert!(u.get("username").is_none(), "API tokens: no username");
    // access tokens: 403 with the credential headers still there, even holding `account`
    for t in [demo::SQAI_READY, demo::WORKSPACE_TOKEN, demo::PROJECT_TOKEN] {
        for path in ["/user", "/user/emails", "/user/workspaces"] {
            let r = fetch(&fake, path, Auth::Bearer(t)).await;
            assert_eq!(r.status, 403, "{path}");
            assert!(r.header("x-credential-type").unwrap().ends_with("_access_token"));
            assert!(r.header("x-oauth-scopes").is_some());
            assert!(r.header("x-accepted-oauth-scopes").is_some());
        }
    }
    let r = fetch(&fake, "/user/emails", autoheal()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["values"][0]["email"], demo::ADMIN_EMAIL);
    let r = fetch(&fake, "/user/workspaces", autoheal()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["values"][0]["workspace"]["slug"], "acme");
}

#[tokio::test]
async fn removed_and_unknown_endpoints() {
    let fake = demo_fake().await;
    for path in ["/workspaces", "/workspaces/", "/user/permissions/workspaces", "/user/permissions/repositories"] {
        let r = fetch(&fake, path, autoheal()).await;
        assert_eq!(r.status, 410, "{path}");
        assert_eq!(r.json()["type"], "error");
        assert_eq!(r.header("x-credential-type").as_deref(), Some("api_token"));
        let r = fetch(&fake, path, Auth::Bearer(demo::WORKSPACE_TOKEN)).await;
        assert_eq!(r.status, 410, "{path}");
    }
    for path in ["/nope", "/repositories/acme/website/nope", "/"] {
        let r = fetch(&fake, path, sqai()).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.json()["type"], "error");
        assert!(r.json()["error"]["message"].is_string());
        assert_eq!(r.header("x-credential-type").as_deref(), Some("repo_access_token"));
    }
    // outside /2.0
    let r = send(client().get(format!("http://{}/1.0/user", fake.addr())).bearer_auth(demo::SQAI_READY)).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn workspaces_and_repositories_by_uuid() {
    let fake = demo_fake().await;
    let repo = fetch(&fake, WEBSITE, sqai()).await.json();
    let ws_uuid = repo["workspace"]["uuid"].as_str().unwrap().to_owned();
    let repo_uuid = repo["uuid"].as_str().unwrap().to_owned();
    let enc = |s: &str| s.replace('{', "%7B").replace('}', "%7D");
    for path in [
        format!("/repositories/{}/{}", enc(&ws_uuid), enc(&repo_uuid)),
        format!("/repositories/acme/{}", enc(&repo_uuid)),
        format!("/repositories/{}/website", enc(&ws_uuid)),
    ] {
        let r = fetch(&fake, &path, sqai()).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.json()["full_name"], "acme/website");
    }
    let r = fetch(&fake, &format!("/workspaces/{}", enc(&ws_uuid)), sqai()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["slug"], "acme");
}

#[tokio::test]
async fn requests_are_recorded_without_secrets() {
    let fake = demo_fake().await;
    fake.reset_requests();
    fetch(&fake, WEBSITE, sqai()).await;
    fetch(&fake, "/user", autoheal()).await;
    fetch(&fake, "/repositories/acme/public-docs?pagelen=5", Auth::None).await;
    fetch(&fake, "/user", Auth::Raw(demo::READ_ONLY)).await;
    assert_eq!(fake.request_count(), 4);
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, "/2.0/repositories/acme/website");
    assert_eq!(reqs[0].auth.as_deref(), Some("Bearer"));
    assert_eq!(reqs[1].auth.as_deref(), Some("Basic"));
    assert_eq!(reqs[2].auth, None);
    assert_eq!(reqs[2].path, "/2.0/repositories/acme/public-docs");
    assert_eq!(reqs[3].auth.as_deref(), Some("(no scheme)"));
    assert!(reqs[0].at <= reqs[1].at);
    let dump = format!("{reqs:?}");
    for (_, _, secret) in demo::ALL {
        assert!(!dump.contains(secret));
    }
    fake.reset_requests();
    assert_eq!(fake.request_count(), 0);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn token_state_can_change_mid_test() {
    let fake = demo_fake().await;
    assert_eq!(fetch(&fake, WEBSITE, sqai()).await.status, 200);
    assert!(fake.set_token_state(demo::SQAI_READY, TokenState::Revoked));
    assert_eq!(fetch(&fake, WEBSITE, sqai()).await.status, 401);
    fake.remove_token(demo::READ_ONLY);
    assert_eq!(fetch(&fake, WEBSITE, Auth::Bearer(demo::READ_ONLY)).await.status, 401);
    assert!(!fake.set_token_state("nope", TokenState::Active));
}

#[tokio::test]
async fn writes_are_never_modelled_but_recorded() {
    let fake = demo_fake().await;
    let c = client();
    let r = send(request(&c, reqwest::Method::POST, &fake, "/repositories/acme/website/pullrequests", sqai()).body("{}")).await;
    assert_eq!(r.status, 501);
    assert_eq!(r.header("x-accepted-oauth-scopes").as_deref(), Some("pullrequest:write"));
    let r = send(request(&c, reqwest::Method::DELETE, &fake, WEBSITE, sqai())).await;
    assert_eq!(r.status, 403, "repository:delete is not granted");
    let r = send(request(&c, reqwest::Method::PATCH, &fake, WEBSITE, sqai())).await;
    assert_eq!(r.status, 405);
    let methods: Vec<_> = fake.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["POST", "DELETE", "PATCH"]);
}
