//! `.env`: `NAME='value'` lines that bash (`set -a; . FILE`), python-dotenv, Node's dotenv
//! and docker compose's `env_file` all read back as exactly the connection's text (see
//! [`super::text::dotenv_value`] for the one quoting they agree on). A value that no quoting
//! keeps the same in all of them (a name or description with `${`, or with `'` and `"`
//! together) is left out, and a comment says which and why: no reader gets a line the others
//! read differently. Metadata is in `BITBUCKET_SETUP_*` variables and the comment header.

use zeroize::Zeroizing;

use super::text::{comment_lines, dotenv_value};
use super::{Ctx, ExportError, Validation};

pub(crate) fn render(ctx: &Ctx<'_>, warnings: &mut Vec<super::Warning>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    // The lines to type are in the exporting system's shell (sh, or PowerShell on Windows),
    // with `/` in a Windows path: no quoting keeps a `\` the same in every .env reader.
    let program = &ctx.meta.program.with_forward_slashes();
    let v = &ctx.meta.validation;
    let opt = |o: Option<String>| o.unwrap_or_default();
    let vars: Vec<(&str, &'static str, String)> = vec![
        ("BITBUCKET_CONNECTION_NAME", "connection name", c.name.clone()),
        ("BITBUCKET_DESCRIPTION", "description", opt(c.description.clone())),
        ("BITBUCKET_PRESET", "preset", c.preset.slug().to_string()),
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
        ("BITBUCKET_SETUP_CHECKED_AGAINST_PRESET", "preset", c.preset.slug().to_string()),
        ("BITBUCKET_SETUP_SECRET_INCLUDED", "secret flag", ctx.secret_included.to_string()),
        ("BITBUCKET_SETUP_TOKEN_COMMAND", "token command", super::token_command(program, c)),
    ];
    let mut lines = String::new();
    let mut left_out: Vec<String> = Vec::new();
    for (name, what, value) in vars {
        match dotenv_value(&value) {
            Ok(quoted) => {
                lines.push_str(name);
                lines.push('=');
                lines.push_str(&quoted);
                lines.push('\n');
            }
            Err(_) if name == "BITBUCKET_TOKEN" => {
                return Err(ExportError::Unrepresentable { format: ".env", field: what, why: "it has characters no .env reader keeps" });
            }
            Err(why) => {
                left_out.push(format!("{name} (the {what}) is left out: {why}."));
                warnings.push(super::Warning::Says(format!("The {what} is not in the .env file: {why}. The JSON or YAML export holds it.")));
            }
        }
    }
    let mut header = String::from("Bitbucket Setup Assistant export (.env).\n");
    header.push_str("bash (set -a; . ./FILE), python-dotenv, Node's dotenv and docker compose read every value back exactly.\n");
    let var = |name: &str| program.shell().var(name);
    if ctx.secret_included {
        header.push_str("THIS FILE CONTAINS THE TOKEN (BITBUCKET_TOKEN). Keep it private (mode 0600) and out of version control.\n");
    } else {
        header.push_str("BITBUCKET_TOKEN holds a reference, not the token. Resolve it from the keychain with:\n");
        header.push_str(&format!("  {}\n", program.set_token_from_reference()));
    }
    let git = format!("git over HTTPS: user {}, password the token.", var("BITBUCKET_GIT_USERNAME"));
    header.push_str(&match c.kind.auth_scheme() {
        crate::bitbucket::credential::AuthScheme::Bearer => format!("REST API: Authorization: Bearer {}. {git}\n", var("BITBUCKET_TOKEN")),
        _ => format!("REST API: Basic auth with {} and the token. {git}\n", var("BITBUCKET_EMAIL")),
    });
    for l in &left_out {
        header.push_str(l);
        header.push('\n');
    }
    header.push('\n');
    for (k, v) in ctx.metadata_lines() {
        header.push_str(&format!("{k}: {v}\n"));
    }
    let mut out = comment_lines(&header);
    out.push_str(&lines);
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
