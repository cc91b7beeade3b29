//! Each switch of [`Behaviour`] changes exactly what it says, over HTTP; and a recorded
//! transcript is served back by the binary's `--replay`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{autoheal, demo_fake, fetch, raw_get, sqai, Auth};
use fake_bitbucket::behaviour::{CheckOrder, Implications, NarrowTokenOnWorkspace, PlatformScopes, ScopeLevels, UnscopedApiToken, UserForAccessTokens};
use fake_bitbucket::transcript::{LiveKind, Transcript};
use fake_bitbucket::{demo, replay, Behaviour, FakeToken};

#[tokio::test]
async fn narrow_tokens_on_the_workspace() {
    let fake = demo_fake().await;
    let mut b = Behaviour::default();
    assert_eq!(fetch(&fake, "/workspaces/acme", sqai()).await.status, 200);
    b.narrow_token_on_workspace = NarrowTokenOnWorkspace::ForbiddenAccount;
    fake.set_behaviour(b);
    let r = fetch(&fake, "/workspaces/acme", sqai()).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.accepted(), vec!["account"]);
    assert_eq!(r.json()["error"]["detail"]["required"][0], "account");
    assert_eq!(r.header("x-credential-type").as_deref(), Some("repo_access_token"), "Bitbucket still names the token");
    // the project token too, but not on its own project; workspace tokens are never refused
    assert_eq!(fetch(&fake, "/workspaces/acme", Auth::Bearer(demo::PROJECT_TOKEN)).await.status, 403);
    fake.add_token(FakeToken::project("ATCTT3xFfGN0projread", "acme", "WEB", &["project"]));
    assert_eq!(fetch(&fake, "/workspaces/acme/projects/WEB", Auth::Bearer("ATCTT3xFfGN0projread")).await.status, 200);
    assert_eq!(fetch(&fake, "/workspaces/acme/projects", Auth::Bearer("ATCTT3xFfGN0projread")).await.status, 403);
    assert_eq!(fetch(&fake, "/workspaces/acme", Auth::Bearer(demo::WORKSPACE_TOKEN)).await.status, 200);
    assert_eq!(fetch(&fake, "/repositories/acme/website", sqai()).await.status, 200, "the repository still answers");
    b.narrow_token_on_workspace = NarrowTokenOnWorkspace::NotFound;
    fake.set_behaviour(b);
    assert_eq!(fetch(&fake, "/workspaces/acme", sqai()).await.status, 404);
}

#[tokio::test]
async fn platform_scopes_listed_or_hidden() {
    let fake = demo_fake().await;
    let listed = fetch(&fake, "/repositories/acme/website", autoheal()).await.scopes();
    assert!(listed.contains(&"read:account".to_string()) && listed.contains(&"read:me".to_string()), "{listed:?}");
    fake.set_behaviour(Behaviour { platform_scopes: PlatformScopes::Hidden, ..Behaviour::default() });
    let r = fetch(&fake, "/repositories/acme/website", autoheal()).await;
    assert_eq!(r.status, 200);
    let hidden = r.scopes();
    assert!(!hidden.iter().any(|s| s == "read:account" || s == "read:me"), "{hidden:?}");
    assert_eq!(hidden.len(), listed.len() - 2);
}

#[tokio::test]
async fn scope_levels() {
    let fake = demo_fake().await;
    fake.add_token(FakeToken::repository("ATCTT3xFfGN0levels", "acme", "website", &["repository", "repository:write", "pullrequest", "pullrequest:write"]));
    let auth = Auth::Bearer("ATCTT3xFfGN0levels");
    let mut b = Behaviour::default();
    let mut seen = Vec::new();
    for levels in [ScopeLevels::AsTicked, ScopeLevels::HighestOnly, ScopeLevels::EveryLevel] {
        b.scope_levels = levels;
        fake.set_behaviour(b);
        let mut s = fetch(&fake, "/repositories/acme/website", auth).await.scopes();
        s.sort();
        seen.push(s);
    }
    assert_eq!(seen[0], vec!["pullrequest", "pullrequest:write", "repository", "repository:write"]);
    assert_eq!(seen[1], vec!["pullrequest:write"]);
    assert_eq!(seen[2], seen[0], "every level of what was ticked is what was ticked");
    // Every level of a token ticked only at the top:
    let mut s = fetch(&fake, "/repositories/acme/website", sqai()).await.scopes();
    s.sort();
    assert_eq!(s, vec!["pullrequest", "pullrequest:write", "repository", "repository:write"]);
}

#[tokio::test]
async fn write_implies_read_or_not() {
    let fake = demo_fake().await;
    fake.add_token(FakeToken::repository("ATCTT3xFfGN0pipew", "acme", "website", &["repository", "pipeline:write"]));
    let auth = Auth::Bearer("ATCTT3xFfGN0pipew");
    assert_eq!(fetch(&fake, "/repositories/acme/website/pipelines", auth).await.status, 403, "documented: write is not read");
    fake.set_behaviour(Behaviour { implications: Implications::WriteImpliesRead, ..Behaviour::default() });
    assert_eq!(fetch(&fake, "/repositories/acme/website/pipelines", auth).await.status, 200);
}

#[tokio::test]
async fn unscoped_api_token_identified_or_bare() {
    let fake = demo_fake().await;
    let auth = Auth::Basic(demo::ADMIN_EMAIL, demo::API_TOKEN_UNSCOPED);
    let r = fetch(&fake, "/repositories/acme/website", auth).await;
    assert_eq!((r.status, r.header("x-credential-type").as_deref()), (401, Some("api_token")));
    fake.set_behaviour(Behaviour { unscoped_api_token: UnscopedApiToken::Bare, ..Behaviour::default() });
    let r = fetch(&fake, "/repositories/acme/website", auth).await;
    assert_eq!((r.status, r.header("x-credential-type")), (401, None));
}

#[tokio::test]
async fn user_for_access_tokens() {
    let fake = demo_fake().await;
    let r = fetch(&fake, "/user", Auth::Bearer(demo::WORKSPACE_TOKEN)).await;
    assert_eq!((r.status, r.header("x-credential-type").as_deref()), (403, Some("workspace_access_token")));
    fake.set_behaviour(Behaviour { user_for_access_tokens: UserForAccessTokens::Unauthorized, ..Behaviour::default() });
    let r = fetch(&fake, "/user", Auth::Bearer(demo::WORKSPACE_TOKEN)).await;
    assert_eq!((r.status, r.header("x-credential-type")), (401, None));
    assert_eq!(fetch(&fake, "/user", autoheal()).await.status, 200, "API tokens are users");
}

#[tokio::test]
async fn scopes_or_reach_first() {
    let fake = demo_fake().await;
    // READ_ONLY (repository) on mobile-app's hooks (webhook): both wrong.
    let path = "/repositories/acme/mobile-app/hooks";
    assert_eq!(fetch(&fake, path, Auth::Bearer(demo::READ_ONLY)).await.status, 403);
    fake.set_behaviour(Behaviour { check_order: CheckOrder::ReachFirst, ..Behaviour::default() });
    assert_eq!(fetch(&fake, path, Auth::Bearer(demo::READ_ONLY)).await.status, 404);
    assert_eq!(fetch(&fake, "/repositories/acme/website/hooks", Auth::Bearer(demo::READ_ONLY)).await.status, 403, "in reach: the scope");
}

/// `fake-bitbucket --replay FILE` answers exactly as the recording says, and 501 to anything
/// it did not record.
#[test]
fn the_binary_replays_a_committed_transcript() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/live/fake-strictest.json");
    let t = Transcript::from_json(&std::fs::read_to_string(file).expect("committed transcript")).expect("parses");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-bitbucket"))
        .args(["--quiet", "--replay", file])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("its URL");
    let addr: std::net::SocketAddr = line.trim().trim_start_matches("http://").trim_end_matches("/2.0").parse().expect("an address");

    let rec = t.credential(LiveKind::RepositoryToken).expect("recorded");
    let mut compared = 0;
    for e in rec.exchanges.iter().filter(|e| e.auth == "Bearer") {
        let path = format!(
            "/2.0{}",
            e.path
                .replace("{workspace}", fake_bitbucket::transcript::WORKSPACE)
                .replace("{repository}", fake_bitbucket::transcript::REPOSITORY)
                .replace("{other}", fake_bitbucket::transcript::OTHER_REPOSITORY)
                .replace("{public-workspace}", replay::PUBLIC_WORKSPACE)
                .replace("{public-repository}", replay::PUBLIC_REPOSITORY)
        );
        let (status, head, _) = raw_get(addr, &path, Some(&format!("Bearer {}", replay::secret(LiveKind::RepositoryToken)))).expect("answer");
        assert_eq!(Some(status), e.status, "{path}");
        let head = head.to_ascii_lowercase();
        for (name, value) in &e.headers {
            if name != "content-type" {
                assert!(head.contains(&format!("{name}: {}", value.to_ascii_lowercase())), "{path}: {name} in {head}");
            }
        }
        compared += 1;
    }
    assert!(compared >= 8, "{compared}");
    let (status, head, _) = raw_get(addr, "/2.0/repositories/live-ws/live-repo/commits", Some(&format!("Bearer {}", replay::secret(LiveKind::RepositoryToken)))).unwrap();
    assert_eq!(status, 501);
    assert!(head.to_ascii_lowercase().contains("x-replay: not recorded"), "{head}");
    let (status, _, _) = raw_get(addr, "/2.0/repositories/live-ws/live-repo", Some("Bearer ATCTnotatoken")).unwrap();
    assert_eq!(status, 401);
    drop(child.stdin.take()); // end of standard input stops it
    let _ = child.wait();
}
