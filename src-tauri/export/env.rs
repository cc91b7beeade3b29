//! `.env`: `NAME='value'` lines. Every value is single-quoted for a POSIX shell, so `source`,
//! `.` and `set -a; . file` give back exactly the text (quotes, spaces, `$`, backquotes, `\`
//! and line breaks included); dotenv libraries that follow shell quoting read it the same way.
//! Metadata is in `BITBUCKET_SETUP_*` variables, and explained in the comment header.

use zeroize::Zeroizing;

use super::text::{comment_lines, shell_quote};
use super::{Ctx, ExportError, Validation};

pub(crate) fn render(ctx: &Ctx<'_>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    let v = &ctx.meta.validation;
    let opt = |o: Option<String>| o.unwrap_or_default();
    let vars: Vec<(&str, &'static str, String)> = vec![
        ("BITBUCKET_CONNECTION_NAME", "connection name", c.name.clone()),
        ("BITBUCKET_DESCRIPTION", "description", opt(c.description.clone())),
        ("BITBUCKET_PRESET", "preset", c.preset.cli_name().to_string()),
        ("BITBUCKET_CREDENTIAL_KIND", "credential kind", kind_name(c.kind)),
        ("BITBUCKET_WORKSPACE", "workspace", c.workspace.clone()),
        ("BITBUCKET_REPOSITORY", "repository", opt(c.repository.clone())),
        ("BITBUCKET_BASE_BRANCH", "base branch", opt(ctx.branch())),
        ("BITBUCKET_API_URL", "API URL", c.api_url.clone()),
        ("BITBUCKET_AUTH_SCHEME", "auth scheme", auth_scheme(c.kind).to_string()),
        ("BITBUCKET_EMAIL", "email", opt(c.email.clone())),
        ("BITBUCKET_USERNAME", "username", opt(c.username.clone())),
        ("BITBUCKET_GIT_USERNAME", "git username", opt(ctx.git_username())),
        ("BITBUCKET_TOKEN", "token", ctx.token.to_string()),
        ("BITBUCKET_TOKEN_EXPIRES", "expiry date", c.expires.map(super::date).unwrap_or_default()),
        ("BITBUCKET_SETUP_APP_VERSION", "app version", ctx.meta.app_version.clone()),
        ("BITBUCKET_SETUP_EXPORTED_AT", "export time", super::rfc3339(ctx.meta.exported_at)),
        ("BITBUCKET_SETUP_VALIDATION", "validation", if v.is_validated() { "validated".into() } else { "unvalidated".into() }),
        ("BITBUCKET_SETUP_VALIDATED_AT", "validation time", v.validated_at().map(super::rfc3339).unwrap_or_default()),
        (
            "BITBUCKET_SETUP_UNVALIDATED_REASON",
            "reason",
            match v {
                Validation::Unvalidated { reason, .. } => reason.clone(),
                Validation::Validated { .. } => String::new(),
            },
        ),
        ("BITBUCKET_SETUP_CREDENTIAL_TYPE", "credential type", opt(c.credential_type.clone())),
        ("BITBUCKET_SETUP_GRANTED_SCOPES", "scopes", c.granted_scopes.join(" ")),
        ("BITBUCKET_SETUP_CHECKED_AGAINST_PRESET", "preset", c.preset.cli_name().to_string()),
        ("BITBUCKET_SETUP_SECRET_INCLUDED", "secret flag", ctx.secret_included.to_string()),
        ("BITBUCKET_SETUP_TOKEN_COMMAND", "token command", super::token_command(c)),
    ];
    let mut header = String::from("Bitbucket Setup Assistant export (.env).\n");
    header.push_str("Values are single-quoted: `. ./FILE` in bash or sh gives them back exactly.\n");
    if ctx.secret_included {
        header.push_str("THIS FILE CONTAINS THE TOKEN (BITBUCKET_TOKEN). Keep it private (mode 0600) and out of version control.\n");
    } else {
        header.push_str("BITBUCKET_TOKEN holds a reference, not the token. Resolve it from the keychain with:\n");
        header.push_str("  BITBUCKET_TOKEN=$(bitbucket-setup token \"$BITBUCKET_TOKEN\")\n");
    }
    header.push_str(match c.kind.auth_scheme() {
        crate::bitbucket::credential::AuthScheme::Bearer => "REST API: Authorization: Bearer $BITBUCKET_TOKEN. git over HTTPS: user $BITBUCKET_GIT_USERNAME, password the token.\n",
        _ => "REST API: Basic auth with $BITBUCKET_EMAIL and the token. git over HTTPS: user $BITBUCKET_GIT_USERNAME, password the token.\n",
    });
    header.push('\n');
    for (k, v) in ctx.metadata_lines() {
        header.push_str(&format!("{k}: {v}\n"));
    }
    let mut out = comment_lines(&header);
    for (name, what, value) in vars {
        if value.contains('\0') {
            return Err(ExportError::Unrepresentable { format: ".env", field: what, why: "it contains a NUL character, which no shell variable can hold" });
        }
        out.push_str(name);
        out.push('=');
        out.push_str(&shell_quote(&value));
        out.push('\n');
    }
    Ok(Zeroizing::new(out))
}

/// The connection's kind as the JSON/YAML exports name it.
pub(crate) fn kind_name(kind: crate::bitbucket::credential::CredentialKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

pub(crate) fn auth_scheme(kind: crate::bitbucket::credential::CredentialKind) -> &'static str {
    match kind.auth_scheme() {
        crate::bitbucket::credential::AuthScheme::Bearer => "bearer",
        _ => "basic",
    }
}
