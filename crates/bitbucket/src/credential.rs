//! What a Bitbucket Cloud credential is: its kind, how it authenticates, which git username
//! goes with it, and a classifier that recognises a pasted value before anything is sent.
//!
//! The secret itself lives in [`Secret`], whose `Debug`/`Display` never show the value and
//! whose memory is wiped on drop, so a token cannot leak through a log line or a panic message.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The kinds of credential a user can create for Bitbucket Cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// Repository settings > Security > Access tokens. Reaches one repository.
    RepositoryToken,
    /// Project settings > Security > Access tokens (Premium). Reaches a project's repositories.
    ProjectToken,
    /// Workspace settings > Security > Access tokens (Premium). Reaches the whole workspace.
    WorkspaceToken,
    /// id.atlassian.com "Create API token with scopes", used with the Atlassian account email.
    ApiToken,
    /// Retired on 2026-07-28. Recognised only to explain that and lead to a replacement.
    AppPassword,
}

/// How the credential goes into the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>` (access tokens).
    Bearer,
    /// `Authorization: Basic base64(<email>:<token>)` (API tokens).
    BasicWithEmail,
    /// `Authorization: Basic base64(<username>:<password>)` (app passwords).
    BasicWithUsername,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 5] = [
        CredentialKind::RepositoryToken,
        CredentialKind::ProjectToken,
        CredentialKind::WorkspaceToken,
        CredentialKind::ApiToken,
        CredentialKind::AppPassword,
    ];

    /// The kind's stable name in kebab case ("repository-token"): what files and scripts write.
    pub fn slug(self) -> &'static str {
        match self {
            CredentialKind::RepositoryToken => "repository-token",
            CredentialKind::ProjectToken => "project-token",
            CredentialKind::WorkspaceToken => "workspace-token",
            CredentialKind::ApiToken => "api-token",
            CredentialKind::AppPassword => "app-password",
        }
    }

    pub fn from_slug(name: &str) -> Option<CredentialKind> {
        CredentialKind::ALL
            .into_iter()
            .find(|k| k.slug().eq_ignore_ascii_case(name.trim()))
    }

    /// The name a person reads, in Bitbucket's own words.
    pub fn label(self) -> &'static str {
        match self {
            CredentialKind::RepositoryToken => "repository access token",
            CredentialKind::ProjectToken => "project access token",
            CredentialKind::WorkspaceToken => "workspace access token",
            CredentialKind::ApiToken => "API token with scopes",
            CredentialKind::AppPassword => "app password",
        }
    }

    /// The label with its article ("a repository access token", "an API token with scopes"),
    /// for sentences.
    pub fn with_article(self) -> String {
        let label = self.label();
        let article = if label.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
        format!("{article} {label}")
    }

    pub fn is_access_token(self) -> bool {
        matches!(
            self,
            CredentialKind::RepositoryToken
                | CredentialKind::ProjectToken
                | CredentialKind::WorkspaceToken
        )
    }

    pub fn auth_scheme(self) -> AuthScheme {
        match self {
            CredentialKind::ApiToken => AuthScheme::BasicWithEmail,
            CredentialKind::AppPassword => AuthScheme::BasicWithUsername,
            _ => AuthScheme::Bearer,
        }
    }

    pub fn needs_email(self) -> bool {
        self == CredentialKind::ApiToken
    }

    pub fn needs_username(self) -> bool {
        self == CredentialKind::AppPassword
    }

    /// The username git uses over HTTPS with this credential. `None` means "your Bitbucket
    /// username" (app passwords).
    pub fn git_username(self) -> Option<&'static str> {
        match self {
            CredentialKind::RepositoryToken
            | CredentialKind::ProjectToken
            | CredentialKind::WorkspaceToken => Some("x-token-auth"),
            CredentialKind::ApiToken => Some("x-bitbucket-api-token-auth"),
            CredentialKind::AppPassword => None,
        }
    }

    /// The value Bitbucket sends in `x-credential-type` for this kind.
    pub fn bitbucket_type(self) -> &'static str {
        match self {
            CredentialKind::RepositoryToken => "repo_access_token",
            CredentialKind::ProjectToken => "project_access_token",
            CredentialKind::WorkspaceToken => "workspace_access_token",
            CredentialKind::ApiToken => "api_token",
            // UNCONFIRMED: app passwords may report `apikey`; they are dead either way.
            CredentialKind::AppPassword => "app_password",
        }
    }

    /// The kind behind an `x-credential-type` header value, if it is one of ours.
    pub fn from_bitbucket_type(value: &str) -> Option<CredentialKind> {
        match value.trim().to_ascii_lowercase().as_str() {
            "repo_access_token" | "repository_access_token" => Some(CredentialKind::RepositoryToken),
            "project_access_token" => Some(CredentialKind::ProjectToken),
            "workspace_access_token" => Some(CredentialKind::WorkspaceToken),
            "api_token" => Some(CredentialKind::ApiToken),
            "app_password" | "apikey" => Some(CredentialKind::AppPassword),
            _ => None,
        }
    }
}

/// What the wizard tells apart the kinds by: who can create one, what it reaches, and on
/// which Bitbucket plans it exists. The window shows these; they live here, with the kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindFacts {
    pub who: &'static str,
    pub reaches: &'static str,
    pub plan: &'static str,
}

impl CredentialKind {
    /// The kind's facts; `None` for app passwords, which nobody can create any more.
    pub fn facts(self) -> Option<KindFacts> {
        let (who, reaches, plan) = match self {
            CredentialKind::RepositoryToken => ("Repository admins", "One repository", "All plans"),
            CredentialKind::ProjectToken => ("Project admins", "The repositories of one project", "Premium only"),
            CredentialKind::WorkspaceToken => ("Workspace admins", "Every repository in the workspace", "Premium only"),
            CredentialKind::ApiToken => ("Any user, for themselves", "What your own account can reach", "All plans"),
            CredentialKind::AppPassword => return None,
        };
        Some(KindFacts { who, reaches, plan })
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A token or password. Its value is shown by [`Secret::expose`] only; `Debug` and `Display`
/// print `[redacted]`, and the memory is zeroed when the value is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret value, for the one place that needs it (an HTTP header, the keychain).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What a pasted value looks like, judged by its shape alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PastedKind {
    /// `ATCT…`: a repository, project or workspace access token.
    AccessToken,
    /// `ATAT…`: an Atlassian API token.
    ApiToken,
    /// `ATBB…`: an app password (retired).
    AppPassword,
    /// 20 letters and digits, no prefix: an app password from before the prefix existed.
    LegacyAppPassword,
    /// None of the above; it may still work, Bitbucket decides.
    Unknown,
}

impl PastedKind {
    pub fn label(self) -> &'static str {
        match self {
            PastedKind::AccessToken => "an access token (repository, project or workspace)",
            PastedKind::ApiToken => "an Atlassian API token",
            PastedKind::AppPassword | PastedKind::LegacyAppPassword => "an app password",
            PastedKind::Unknown => "an unrecognised value",
        }
    }

    /// Whether a value of this shape can be a credential of `kind`.
    pub fn fits(self, kind: CredentialKind) -> bool {
        match self {
            PastedKind::AccessToken => kind.is_access_token(),
            PastedKind::ApiToken => kind == CredentialKind::ApiToken,
            PastedKind::AppPassword => kind == CredentialKind::AppPassword,
            // 20 alphanumerics is too plain a shape to rule anything out.
            PastedKind::LegacyAppPassword | PastedKind::Unknown => true,
        }
    }
}

/// Why a pasted value cannot be a token. `Display` is the user's sentence and what to do
/// about it; it never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    #[error("Nothing was pasted. Copy the token from Bitbucket and paste it here.")]
    Empty,
    #[error("This looks like a web address, not a token. {PASTE_THE_TOKEN}")]
    LooksLikeUrl,
    #[error("This looks like an email address, not a token. {PASTE_THE_TOKEN}")]
    LooksLikeEmail,
    #[error("The pasted value has spaces or line breaks inside it. Copy the token again in one piece; a token never contains spaces.")]
    WhitespaceInside,
    #[error("The pasted value is too long to be a token ({len} characters). Check that you copied only the token and not the page around it.")]
    TooLong { len: usize },
    #[error("The pasted value has characters a token never has. Copy the token again from Bitbucket.")]
    ControlCharacters,
}

const PASTE_THE_TOKEN: &str = "Paste the token itself: the long value Bitbucket showed once when you created it.";

/// The longest value accepted as a token (4 KiB).
pub const MAX_SECRET_LEN: usize = 4096;

/// A pasted value, trimmed, with the shape it was recognised as.
#[derive(Debug, Clone)]
pub struct Pasted {
    pub secret: Secret,
    pub kind: PastedKind,
}

/// Trims surrounding whitespace and newlines, rejects obvious wrong pastes and recognises the
/// token's kind by its prefix.
pub fn classify(raw: &str) -> Result<Pasted, PasteError> {
    let value = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if value.is_empty() {
        return Err(PasteError::Empty);
    }
    if value.len() > MAX_SECRET_LEN {
        return Err(PasteError::TooLong { len: value.chars().count() });
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.starts_with("ssh://")
        || lower.starts_with("bitbucket.org/")
        || lower.starts_with("www.")
    {
        return Err(PasteError::LooksLikeUrl);
    }
    if value.chars().any(char::is_whitespace) {
        return Err(PasteError::WhitespaceInside);
    }
    if value.chars().any(char::is_control) {
        return Err(PasteError::ControlCharacters);
    }
    if looks_like_email(value) {
        return Err(PasteError::LooksLikeEmail);
    }
    let kind = if value.starts_with("ATCT") {
        PastedKind::AccessToken
    } else if value.starts_with("ATAT") {
        PastedKind::ApiToken
    } else if value.starts_with("ATBB") {
        PastedKind::AppPassword
    } else if value.len() == 20 && value.chars().all(|c| c.is_ascii_alphanumeric()) {
        PastedKind::LegacyAppPassword
    } else {
        PastedKind::Unknown
    };
    Ok(Pasted { secret: Secret::new(value), kind })
}

fn looks_like_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.starts_with('.'),
        None => false,
    }
}

/// A plain-language warning when the pasted shape does not fit the kind the user chose,
/// for example "this looks like an API token, but you chose repository access token".
pub fn mismatch_warning(pasted: PastedKind, chosen: CredentialKind) -> Option<String> {
    if pasted.fits(chosen) {
        return None;
    }
    let advice = match pasted {
        PastedKind::ApiToken => "Choose \"API token with scopes\" and enter your Atlassian account email, or paste the access token instead.",
        PastedKind::AccessToken => "Choose the access token kind (repository, project or workspace), or paste the API token instead.",
        PastedKind::AppPassword | PastedKind::LegacyAppPassword => "App passwords stopped working on 2026-07-28. Create an API token with scopes or an access token instead.",
        PastedKind::Unknown => return None,
    };
    Some(format!(
        "This looks like {}, but you chose {}. {advice}",
        pasted.label(),
        chosen.label()
    ))
}

/// Checks an Atlassian account email (the login for API tokens).
pub fn check_email(value: &str) -> Result<String, String> {
    let email = value.trim();
    if email.is_empty() {
        return Err("An API token is used together with your Atlassian account email. Enter the email you log in to Bitbucket with (shown at id.atlassian.com > Account settings).".into());
    }
    if email.chars().any(char::is_whitespace) || !looks_like_email(email) {
        return Err(format!(
            "\"{}\" is not an email address. API tokens need the email of your Atlassian account, not your Bitbucket username.",
            crate::safe_text::visible_clip(email, 80)
        ));
    }
    Ok(email.to_string())
}

/// Everything needed to authenticate one request.
#[derive(Debug, Clone)]
pub struct Credential {
    pub kind: CredentialKind,
    pub secret: Secret,
    /// Atlassian account email (API tokens).
    pub email: Option<String>,
    /// Bitbucket username (app passwords).
    pub username: Option<String>,
}

impl Credential {
    /// The value of the `Authorization` header. Callers must mark the header sensitive.
    pub fn authorization(&self) -> Zeroizing<String> {
        use base64::Engine as _;
        let encode = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        match self.kind.auth_scheme() {
            AuthScheme::Bearer => Zeroizing::new(format!("Bearer {}", self.secret.expose())),
            AuthScheme::BasicWithEmail => {
                let user = self.email.as_deref().unwrap_or_default();
                let raw = Zeroizing::new(format!("{user}:{}", self.secret.expose()));
                Zeroizing::new(format!("Basic {}", encode(raw.as_bytes())))
            }
            AuthScheme::BasicWithUsername => {
                let user = self.username.as_deref().unwrap_or_default();
                let raw = Zeroizing::new(format!("{user}:{}", self.secret.expose()));
                Zeroizing::new(format!("Basic {}", encode(raw.as_bytes())))
            }
        }
    }

    /// The username git uses over HTTPS.
    pub fn git_username(&self) -> Option<String> {
        self.kind
            .git_username()
            .map(str::to_string)
            .or_else(|| self.username.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_one_can_create_has_facts() {
        for kind in CredentialKind::ALL {
            let facts = kind.facts();
            assert_eq!(facts.is_none(), kind == CredentialKind::AppPassword, "{kind:?}");
            if let Some(f) = facts {
                assert!(!f.who.is_empty() && !f.reaches.is_empty() && !f.plan.is_empty(), "{kind:?}");
            }
        }
        assert_eq!(CredentialKind::ProjectToken.facts().unwrap().plan, "Premium only");
    }

    #[test]
    fn recognises_prefixes() {
        assert_eq!(classify("ATCTT3xFfGF0abc").unwrap().kind, PastedKind::AccessToken);
        assert_eq!(classify("ATATT3xFfGF0abc").unwrap().kind, PastedKind::ApiToken);
        assert_eq!(classify("ATBBabcdef123").unwrap().kind, PastedKind::AppPassword);
        assert_eq!(classify("abcdEFGH1234ijklMNOP").unwrap().kind, PastedKind::LegacyAppPassword);
        assert_eq!(classify("something-else_123").unwrap().kind, PastedKind::Unknown);
    }

    #[test]
    fn trims_whitespace_and_newlines() {
        let p = classify("  \n\tATCTabc123\r\n ").unwrap();
        assert_eq!(p.secret.expose(), "ATCTabc123");
        let p = classify("\u{feff}ATATxyz\n").unwrap();
        assert_eq!(p.secret.expose(), "ATATxyz");
    }

    #[test]
    fn rejects_wrong_pastes() {
        assert_eq!(classify("").unwrap_err(), PasteError::Empty);
        assert_eq!(classify(" \n\t ").unwrap_err(), PasteError::Empty);
        assert_eq!(classify("https://bitbucket.org/acme/web").unwrap_err(), PasteError::LooksLikeUrl);
        assert_eq!(classify("git@bitbucket.org:acme/web.git").unwrap_err(), PasteError::LooksLikeUrl);
        assert_eq!(classify("jane@example.com").unwrap_err(), PasteError::LooksLikeEmail);
        assert_eq!(classify("ATCT abc").unwrap_err(), PasteError::WhitespaceInside);
        assert_eq!(classify("ATCT\nabc").unwrap_err(), PasteError::WhitespaceInside);
        assert_eq!(classify("ATCT\u{7}abc").unwrap_err(), PasteError::ControlCharacters);
        let long = "A".repeat(MAX_SECRET_LEN + 1);
        assert!(matches!(classify(&long).unwrap_err(), PasteError::TooLong { .. }));
        assert!(classify(&"A".repeat(MAX_SECRET_LEN)).is_ok());
    }

    #[test]
    fn errors_never_contain_the_value() {
        for raw in ["ATCT canary-secret", "canary@secret.example", "https://canary.example/secret"] {
            let e = classify(raw).unwrap_err();
            assert!(!e.to_string().contains("canary"), "{e}");
            assert!(!format!("{e:?}").contains("canary"));
        }
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("ATCTcanary");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        let c = Credential {
            kind: CredentialKind::RepositoryToken,
            secret: s,
            email: None,
            username: None,
        };
        assert!(!format!("{c:?}").contains("canary"));
    }

    #[test]
    fn mismatch_is_explained() {
        let w = mismatch_warning(PastedKind::ApiToken, CredentialKind::RepositoryToken).unwrap();
        assert!(w.contains("looks like an Atlassian API token, but you chose repository access token"), "{w}");
        assert!(mismatch_warning(PastedKind::AccessToken, CredentialKind::WorkspaceToken).is_none());
        assert!(mismatch_warning(PastedKind::Unknown, CredentialKind::ApiToken).is_none());
        assert!(mismatch_warning(PastedKind::AppPassword, CredentialKind::ApiToken).unwrap().contains("2026-07-28"));
    }

    #[test]
    fn authorization_headers() {
        let bearer = Credential {
            kind: CredentialKind::WorkspaceToken,
            secret: Secret::new("ATCTxyz"),
            email: None,
            username: None,
        };
        assert_eq!(bearer.authorization().as_str(), "Bearer ATCTxyz");
        let basic = Credential {
            kind: CredentialKind::ApiToken,
            secret: Secret::new("ATATtok"),
            email: Some("jane@example.com".into()),
            username: None,
        };
        // base64("jane@example.com:ATATtok")
        assert_eq!(basic.authorization().as_str(), "Basic amFuZUBleGFtcGxlLmNvbTpBVEFUdG9r");
        assert_eq!(basic.git_username().as_deref(), Some("x-bitbucket-api-token-auth"));
        assert_eq!(bearer.git_username().as_deref(), Some("x-token-auth"));
    }

    #[test]
    fn slugs_round_trip() {
        for k in CredentialKind::ALL {
            assert_eq!(CredentialKind::from_slug(k.slug()), Some(k));
        }
        assert_eq!(CredentialKind::from_slug("nope"), None);
    }

    #[test]
    fn email_check() {
        assert_eq!(check_email(" jane@example.com ").unwrap(), "jane@example.com");
        assert!(check_email("").is_err());
        assert!(check_email("janedoe").unwrap_err().contains("not your Bitbucket username"));
    }
}
