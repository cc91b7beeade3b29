//! What each credential reaches: another repository or workspace answers 404 (with the
//! credential headers), exactly like a repository that does not exist.

mod common;

use common::*;
use fake_bitbucket::{demo, FakeRepo, FakeToken};

const NO_ACCESS: &str = "You may not have access to this repository or it no longer exists in this workspace.";

async fn status(fake: &fake_bitbucket::FakeBitbucket, path: &str, auth: Auth<'_>) -> Reply {
    fetch(fake, path, auth).await
}

#[tokio::test]
async fn reach_per_token_kind() {
    let fake = demo_fake().await;
    let repos = [
        "/repositories/acme/website",
        "/repositories/acme/public-docs",
        "/repositories/acme/mobile-app",
        "/repositories/other-co/secret",
        "/repositories/acme/does-not-exist",
        "/repositories/nobody/nothing",
    ];
    let table: [(&str, Auth<'static>, [u16; 6]); 7] = [
        // public repositories of the same workspace are out of a repository token's reach too
        // (UNCONFIRMED: the real service might show public repositories to any token)
        ("sqai", sqai(), [200, 404, 404, 404, 404, 404]),
        ("mobile", Auth::Bearer(demo::MOBILE_WRITE), [404, 404, 200, 404, 404, 404]),
        ("project WEB", Auth::Bearer(demo::PROJECT_TOKEN), [200, 404, 404, 404, 404, 404]),
        ("workspace", Auth::Bearer(demo::WORKSPACE_TOKEN), [200, 200, 200, 404, 404, 404]),
        ("autoheal", autoheal(), [200, 200, 200, 404, 404, 404]),
        ("reader", Auth::Basic(demo::READER_EMAIL, demo::API_TOKEN_REPO_READ), [200, 200, 200, 404, 404, 404]),
        ("anonymous", Auth::None, [404, 200, 404, 404, 404, 404]),
    ];
    for (name, auth, want) in table {
        for (path, want) in repos.iter().zip(want) {
            let r = status(&fake, path, auth).await;
            assert_eq!(r.status, want, "{name} {path}: {}", r.text);
            if want == 404 {
                assert_eq!(r.json()["type"], "error");
                assert_eq!(r.json()["error"]["message"], NO_ACCESS, "{name} {path}");
                let anonymous = matches!(auth, Auth::None);
                assert_eq!(r.header("x-credential-type").is_some(), !anonymous, "{name} {path}");
                assert_eq!(r.header("x-oauth-scopes").is_some(), !anonymous, "{name} {path}");
            }
        }
    }
}

#[tokio::test]
async fn sub_resources_and_workspaces_follow_reach() {
    let fake = demo_fake().await;
    for path in [
        "/repositories/acme/mobile-app/pullrequests",
        "/repositories/acme/mobile-app/refs/branches",
        "/repositories/other-co/secret/src",
    ] {
        assert_eq!(status(&fake, path, sqai()).await.status, 404, "{path}");
    }
    for (auth, ws, want) in [
        (sqai(), "/workspaces/acme", 200),
        (sqai(), "/workspaces/other-co", 404),
        (autoheal(), "/workspaces/other-co", 404),
        (autoheal(), "/workspaces/nope", 404),
        (Auth::Bearer(demo::WORKSPACE_TOKEN), "/workspaces/other-co/members", 404),
        (Auth::Bearer(demo::WORKSPACE_TOKEN), "/workspaces/acme/members", 200),
    ] {
        let r = status(&fake, ws, auth).await;
        assert_eq!(r.status, want, "{auth:?} {ws}: {}", r.text);
    }
}

#[tokio::test]
async fn listings_show_only_what_is_reached() {
    let fake = demo_fake().await;
    let slugs = |r: Reply| -> Vec<String> {
        r.json()["values"].as_array().unwrap().iter().map(|v| v["slug"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(slugs(status(&fake, "/repositories/acme", sqai()).await), ["website"]);
    assert_eq!(
        slugs(status(&fake, "/repositories/acme", Auth::Bearer(demo::WORKSPACE_TOKEN)).await),
        ["website", "public-docs", "mobile-app"]
    );
    let r = status(&fake, "/workspaces/acme/projects", Auth::Bearer(demo::WORKSPACE_TOKEN)).await;
    let keys: Vec<_> = r.json()["values"].as_array().unwrap().iter().map(|v| v["key"].clone()).collect();
    assert_eq!(keys, ["MOB", "WEB"]);
    let r = status(&fake, "/workspaces/acme/members", autoheal()).await;
    assert_eq!(r.status, 200);
    let names: Vec<_> = r.json()["values"].as_array().unwrap().iter().map(|v| v["user"]["display_name"].clone()).collect();
    assert!(names.contains(&serde_json::json!(demo::ADMIN_DISPLAY_NAME)), "{names:?}");
    // pagination
    let r = status(&fake, "/repositories/acme?pagelen=2", Auth::Bearer(demo::WORKSPACE_TOKEN)).await;
    let j = r.json();
    assert_eq!(j["values"].as_array().unwrap().len(), 2);
    assert_eq!(j["size"], 3);
    let next = j["next"].as_str().unwrap().to_owned();
    let r = send(client().get(&next).bearer_auth(demo::WORKSPACE_TOKEN)).await;
    assert_eq!(r.json()["values"].as_array().unwrap().len(), 1);
    assert!(r.json().get("next").is_none());
}

#[tokio::test]
async fn main_branch_and_project_per_repository() {
    let fake = demo_fake().await;
    let r = status(&fake, "/repositories/acme/mobile-app", Auth::Bearer(demo::MOBILE_WRITE)).await;
    let j = r.json();
    assert_eq!(j["mainbranch"]["name"], "develop");
    assert_eq!(j["project"]["key"], "MOB");
    assert_eq!(j["is_private"], true);
    let r = status(&fake, "/repositories/acme/mobile-app/refs/branches/develop", Auth::Bearer(demo::MOBILE_WRITE)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "develop");
    let r = status(&fake, "/repositories/acme/mobile-app/refs/branches/nope", Auth::Bearer(demo::MOBILE_WRITE)).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn custom_world() {
    let fake = fake_bitbucket::FakeBitbucket::start().await.unwrap();
    fake.add_workspace("team-x", "Team X");
    fake.add_repository(FakeRepo { project: Some("CORE".into()), ..FakeRepo::new("team-x", "api") });
    fake.add_repository(FakeRepo::new("auto-created", "thing"));
    fake.add_token(FakeToken::project("ATCT-p", "team-x", "CORE", &["repository"]));
    fake.add_token(FakeToken::workspace("ATCT-w", "auto-created", &["repository"]));
    let r = fetch(&fake, "/repositories/team-x/api", Auth::Bearer("ATCT-p")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["workspace"]["name"], "Team X");
    assert_eq!(r.header("x-credential-type").as_deref(), Some("project_access_token"));
    let r = fetch(&fake, "/repositories/auto-created/thing", Auth::Bearer("ATCT-w")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["workspace"]["name"], "auto-created");
    // case-insensitive slugs
    assert_eq!(fetch(&fake, "/repositories/Team-X/API", Auth::Bearer("ATCT-p")).await.status, 200);
}
