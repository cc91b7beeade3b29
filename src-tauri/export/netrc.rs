//! `.netrc` entries for curl (`--netrc-file`), git's netrc helper and other netrc readers.
//!
//! * API token: the REST API host (from the connection's API URL) with the Atlassian account
//!   email — Bitbucket's REST API takes Basic `email:token` — and `bitbucket.org` with
//!   `x-bitbucket-api-token-auth` for git over HTTPS.
//! * Access tokens: only `bitbucket.org` with `x-token-auth`, for git over HTTPS. The REST API
//!   does not take an access token as Basic auth: it needs `Authorization: Bearer <token>`
//!   (curl `--oauth2-bearer`), which a netrc file cannot express.
//!
//! Metadata is in `#` comment lines (curl, Python's netrc and git's netrc helper skip them).

use zeroize::Zeroizing;

use super::text::{comment_lines, netrc_token};
use super::{Ctx, ExportError, GIT_HOST};
use crate::bitbucket::credential::{AuthScheme, CredentialKind};

fn entry(out: &mut String, comment: &str, machine: &str, login: &str, password: &str) {
    out.push_str(&comment_lines(comment));
    out.push_str(&format!("machine {}\n  login {}\n  password {}\n\n", netrc_token(machine), netrc_token(login), netrc_token(password)));
}

pub(crate) fn render(ctx: &Ctx<'_>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    let api_host = url::Url::parse(&c.api_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "api.bitbucket.org".to_string());
    let mut header = String::from("Bitbucket Setup Assistant export: .netrc entries (curl --netrc-file FILE, or append to ~/.netrc).\n");
    if ctx.secret_included {
        header.push_str("THIS FILE CONTAINS THE TOKEN. Keep it private (mode 0600).\n");
    } else {
        header.push_str(&format!(
            "The password is a reference, not the token: export with --include-secret, or get the token with {}.\n",
            super::token_command(c)
        ));
    }
    header.push('\n');
    for (k, v) in ctx.metadata_lines() {
        header.push_str(&format!("{k}: {v}\n"));
    }
    let mut out = comment_lines(&header);
    out.push('\n');
    let token = ctx.token.as_str();
    match c.kind.auth_scheme() {
        AuthScheme::BasicWithEmail => {
            let email = c.email.as_deref().ok_or(ExportError::MissingEmail)?;
            entry(&mut out, "Bitbucket REST API: Basic auth with your Atlassian account email and the API token.", &api_host, email, token);
        }
        AuthScheme::BasicWithUsername => {
            let user = c.username.as_deref().ok_or(ExportError::Unrepresentable {
                format: ".netrc",
                field: "username",
                why: "an app password is used with your Bitbucket username, and the connection has none",
            })?;
            entry(&mut out, "Bitbucket REST API (app passwords stopped working on 2026-07-28).", &api_host, user, token);
        }
        AuthScheme::Bearer => {
            out.push_str(&comment_lines(&format!(
                "No entry for the REST API ({api_host}): it takes a {} only as \"Authorization: Bearer <token>\"\n(curl --oauth2-bearer \"$({})\"), which .netrc cannot express.",
                c.kind.label(),
                super::token_command(c)
            )));
            out.push('\n');
        }
    }
    let git_user = ctx.git_username().unwrap_or_default();
    if !git_user.is_empty() {
        let what = if c.kind == CredentialKind::ApiToken { "git over HTTPS with an API token" } else { "git over HTTPS" };
        entry(&mut out, &format!("{what}: user {git_user}, password the token."), GIT_HOST, &git_user, token);
    }
    Ok(Zeroizing::new(out.trim_end().to_string() + "\n"))
}
