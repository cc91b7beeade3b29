//! Saving, re-testing and replacing tokens through the domain (in-memory keychain fake, the
//! fake Bitbucket over HTTP): nothing is saved before it validates, and a new token replaces
//! the old one only after it validates.

use std::sync::Arc;

use bitbucket_cloud::client::Timeouts;
use bitbucket_cloud::credential::{classify, CredentialKind, PastedKind};
use bitbucket_cloud::validate::{self, CheckRequest};
use bitbucket_setup_core::manage::{self, SaveOptions};
use bitbucket_setup_core::presets::PresetId;
use bitbucket_setup_core::store::connections::ConnectionsFile;
use bitbucket_setup_core::store::secrets::{MemoryStore, SecretStore, SecretStoreError};
use bitbucket_setup_core::store::{Store, StoreError};
use fake_bitbucket::{demo, FakeBitbucket, TokenState};

mod support;
use support::check::Check;

fn request(fake: &FakeBitbucket, secret: &str) -> (CheckRequest, PastedKind) {
    let t = Timeouts::default();
    Check::new(CredentialKind::RepositoryToken, secret, "acme/website", PresetId::Sqai)
        .timeouts(t.connect, t.request)
        .request(&fake.base_url())
}

async fn saved(fake: &FakeBitbucket, store: &Store, name: &str) -> bitbucket_setup_core::store::connections::Connection {
    let (req, kind) = request(fake, demo::SQAI_READY);
    let report = validate::validate(req.clone(), kind).await.unwrap();
    assert!(report.ok, "{report:#?}");
    manage::save_validated(store, &req, &report, &SaveOptions { name: name.into(), description: None, expires: None }).unwrap()
}

fn store_in(dir: &std::path::Path) -> (Store, Arc<MemoryStore>) {
    let secrets = Arc::new(MemoryStore::new());
    (Store::new(ConnectionsFile::at(dir.join("connections.json")), secrets.clone()), secrets)
}

#[tokio::test]
async fn a_failing_check_saves_nothing() {
    let fake = FakeBitbucket::start().await.unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let (store, secrets) = store_in(dir.path());
    let (req, kind) = request(&fake, demo::READ_ONLY);
    let report = validate::validate(req.clone(), kind).await.unwrap();
    assert!(!report.ok);
    let err = manage::save_validated(&store, &req, &report, &SaveOptions { name: "x".into(), ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("nothing was saved"), "{}", err.to_string());
    assert!(secrets.is_empty());
    assert!(store.list().unwrap().connections.is_empty());
}

#[tokio::test]
async fn replacing_keeps_the_old_token_when_the_new_one_fails() {
    let fake = FakeBitbucket::start().await.unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let (store, _secrets) = store_in(dir.path());
    let c = saved(&fake, &store, "website").await;

    for bad in [demo::READ_ONLY, demo::REVOKED_TOKEN, demo::MOBILE_WRITE] {
        let pasted = classify(bad).unwrap();
        let report = manage::replace_token(&store, &c, pasted.secret, pasted.kind, None, None, Timeouts::default()).await.unwrap();
        assert!(!report.ok, "{bad} must not pass");
        assert_eq!(store.secret(&c.id).unwrap().expose(), demo::SQAI_READY, "the old token stays");
    }

    // A good replacement is swapped in, with its new expiry date.
    fake.add_token(fake_bitbucket::FakeToken::repository("ATCTT3xFfGF0replacement000000000000", "acme", "website", &["repository:write", "pullrequest:write"]));
    let pasted = classify("ATCTT3xFfGF0replacement000000000000").unwrap();
    let expires = chrono::NaiveDate::from_ymd_opt(2099, 6, 30);
    let report = manage::replace_token(&store, &c, pasted.secret, pasted.kind, None, expires, Timeouts::default()).await.unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(store.secret(&c.id).unwrap().expose(), "ATCTT3xFfGF0replacement000000000000");
    let after = store.find(&c.id).unwrap().unwrap();
    assert_eq!(after.expires, expires);
    assert!(after.last_check.unwrap().ok);
}

#[tokio::test]
async fn retest_records_the_result() {
    let fake = FakeBitbucket::start().await.unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let (store, secrets) = store_in(dir.path());
    let c = saved(&fake, &store, "website").await;
    let report = manage::retest(&store, &c, Timeouts::default()).await.unwrap();
    assert!(report.ok);
    fake.set_token_state(demo::SQAI_READY, TokenState::Expired);
    let report = manage::retest(&store, &c, Timeouts::default()).await.unwrap();
    assert!(!report.ok);
    let after = store.find(&c.id).unwrap().unwrap();
    let last = after.last_check.unwrap();
    assert!(!last.ok);
    assert_eq!(last.problem.as_deref(), Some("unauthorized"));
    // A keychain entry deleted by hand is reported plainly, as a fact each front end can add
    // its own way to store the token again to ("Replace token" in the window).
    secrets.delete(&c.id).unwrap();
    let err = manage::retest(&store, &c, Timeouts::default()).await.unwrap_err();
    let said = err.to_string();
    assert!(
        matches!(err, manage::ManageError::Store(StoreError::Keychain { source: SecretStoreError::NotFound, .. })),
        "{err:?}"
    );
    assert!(said.contains("is not in the keychain") && !said.contains(demo::SQAI_READY), "{said}");
    assert!(!said.contains("Replace token") && !said.contains("bitbucket-setup"), "no front end's words below them: {said}");
}
