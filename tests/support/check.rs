//! One way for tests to ask the validation engine about a credential: a [`Check`] builder
//! that turns test inputs into a `CheckRequest` against a fake Bitbucket (every test that
//! needs a request builds it here, so a change to the request is made once), and
//! [`token_for`], the fake credential of a kind holding given scopes.

use std::time::Duration;

use bitbucket_cloud::client::{ApiBase, Timeouts};
use bitbucket_cloud::credential::{classify, Credential, CredentialKind};
use bitbucket_cloud::location;
use bitbucket_cloud::validate::{self, CheckRequest, Report};
use bitbucket_setup_core::presets::PresetId;
use fake_bitbucket::{demo, FakeBitbucket, FakeToken};

/// What a test asks the engine to check.
#[derive(Debug, Clone)]
pub struct Check {
    pub kind: CredentialKind,
    pub secret: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub location: String,
    pub preset: PresetId,
    pub scopes: Vec<String>,
    pub api_url: Option<String>,
    /// The request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl Check {
    pub fn new(kind: CredentialKind, secret: &str, location: &str, preset: PresetId) -> Check {
        Check {
            kind,
            secret: secret.to_string(),
            email: None,
            username: None,
            location: location.to_string(),
            preset,
            scopes: Vec::new(),
            api_url: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
        }
    }

    pub fn email(mut self, email: &str) -> Check {
        self.email = Some(email.to_string());
        self
    }

    pub fn scopes(mut self, scopes: &[String]) -> Check {
        self.scopes = scopes.to_vec();
        self
    }

    /// Connect within `connect`, answer within `request`.
    pub fn timeouts(mut self, connect: Duration, request: Duration) -> Check {
        self.connect_timeout = connect;
        self.timeout = request;
        self
    }

    /// The request the engine gets, against `api_url` (or the fake's when none was set).
    pub fn request(&self, fake_url: &str) -> (CheckRequest, bitbucket_cloud::credential::PastedKind) {
        let pasted = classify(&self.secret).expect("test secrets are well-formed");
        let request = CheckRequest {
            credential: Credential {
                kind: self.kind,
                secret: pasted.secret.clone(),
                email: self.email.clone(),
                username: self.username.clone(),
            },
            location: location::parse(&self.location).expect("test locations parse"),
            target: self.preset.target(&self.scopes),
            api_base: ApiBase::parse(self.api_url.as_deref().unwrap_or(fake_url)).expect("api url"),
            timeouts: Timeouts { connect: self.connect_timeout, request: self.timeout },
        };
        (request, pasted.kind)
    }

    pub async fn run(self, fake: &FakeBitbucket) -> Report {
        self.run_at(&fake.base_url()).await
    }

    pub async fn run_at(self, api_url: &str) -> Report {
        let (request, pasted) = self.request(api_url);
        validate::validate(request, pasted).await.expect("inputs are valid")
    }
}

/// A fake credential of `kind` whose boxes `scopes` were ticked, for acme/website (its
/// repository, its project WEB, its workspace acme, or the account of [`demo::ADMIN_EMAIL`]).
pub fn token_for(kind: CredentialKind, secret: &str, scopes: &[String]) -> FakeToken {
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    match kind {
        CredentialKind::RepositoryToken => FakeToken::repository(secret, "acme", "website", &scopes),
        CredentialKind::ProjectToken => FakeToken::project(secret, "acme", "WEB", &scopes),
        CredentialKind::WorkspaceToken => FakeToken::workspace(secret, "acme", &scopes),
        CredentialKind::ApiToken => FakeToken::api(secret, demo::ADMIN_EMAIL, "acme", &scopes),
        CredentialKind::AppPassword => FakeToken::app_password(secret, demo::APP_PASSWORD_USERNAME, "acme", &scopes),
    }
}

/// A secret of the right shape for `kind` (the paste classifier accepts it), unique by `tag`.
pub fn secret_for(kind: CredentialKind, tag: &str) -> String {
    let prefix = match kind {
        CredentialKind::ApiToken => "ATATT3xFfGF0",
        CredentialKind::AppPassword => "ATBB",
        _ => "ATCTT3xFfGN0",
    };
    let tag: String = tag.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let body = format!("{tag}{}", "x".repeat(160));
    format!("{prefix}{}", &body[..160])
}
