//! `.netrc` entries for curl (`--netrc-file`), Python's `netrc` and `requests`, and git over
//! HTTPS (libcurl reads `~/.netrc`).
//!
//! * API token: the REST API host (from the connection's API URL) with the Atlassian account
//!   email — Bitbucket's REST API takes Basic `email:token` — and the git host with
//!   `x-bitbucket-api-token-auth`.
//! * Access tokens: only the git host with `x-token-auth`. The REST API does not take an
//!   access token as Basic auth: it needs `Authorization: Bearer <token>` (curl
//!   `--oauth2-bearer`), which a netrc file cannot express.
//!
//! Only `machine … login … password …` lines, one entry a line: Python's netrc (3.11 to 3.13)
//! refuses a comment after a blank line and `requests` then silently sends no credentials, so
//! the file carries no comment at all; its metadata is said when it is written
//! ([`super::Rendered::about`]). Values are written bare, since each reader unquotes
//! differently; a value no reader would read back exactly is refused.

use zeroize::Zeroizing;

use super::text::netrc_word;
use super::{Ctx, ExportError, Format, Note};
use crate::bitbucket::credential::AuthScheme;

fn entry(out: &mut String, machine: &str, login: &str, password: &str, field: &'static str) -> Result<(), ExportError> {
    let word = |value: &str, field: &'static str| {
        netrc_word(value).map(str::to_string).map_err(|why| ExportError::Unrepresentable { format: ".netrc", field, why })
    };
    let machine = word(machine, "host")?;
    let login = word(login, field)?;
    let password = word(password, "token")?;
    out.push_str(&format!("machine {machine} login {login} password {password}\n"));
    Ok(())
}

pub(crate) fn render(ctx: &Ctx<'_>, about: &mut Vec<Note>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    let api_host = url::Url::parse(&c.api_url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
        .unwrap_or_else(|| "api.bitbucket.org".to_string());
    let git_host = ctx.meta.git_base.host_name().to_ascii_lowercase();
    let token = ctx.token.as_str();
    let mut out = String::new();
    match c.kind.auth_scheme() {
        AuthScheme::BasicWithEmail => {
            let email = c.email.as_deref().ok_or(ExportError::MissingEmail)?;
            entry(&mut out, &api_host, email, token, "email")?;
            about.push(Note::Says(format!("{api_host}: the REST API, Basic auth with your Atlassian account email and the API token.")));
        }
        AuthScheme::BasicWithUsername => {
            let user = c.username.as_deref().ok_or(ExportError::Unrepresentable {
                format: ".netrc",
                field: "username",
                why: "an app password is used with your Bitbucket username, and the connection has none",
            })?;
            entry(&mut out, &api_host, user, token, "username")?;
            about.push(Note::Says(format!("{api_host}: the REST API (app passwords stopped working on 2026-07-28).")));
        }
        AuthScheme::Bearer => {
            let shell = ctx.meta.program.shell();
            about.push(Note::Says(format!(
                "No entry for the REST API ({api_host}): it takes a {} only as \"Authorization: Bearer <token>\" ({} --oauth2-bearer {}), which .netrc cannot express.",
                c.kind.label(),
                shell.curl(),
                shell.output_arg(&super::token_command(&ctx.meta.program, c))
            )))
        }
    }
    if let Some(git_user) = ctx.git_username().filter(|u| !u.is_empty()) {
        if git_host != api_host || c.kind.auth_scheme() == AuthScheme::Bearer {
            entry(&mut out, &git_host, &git_user, token, "git user name")?;
            about.push(Note::Says(format!("{git_host}: git over HTTPS, user {git_user}, password the token.")));
        }
    }
    about.push(Note::Says("Append these lines to ~/.netrc (mode 0600), replacing any entry for the same machine: curl uses the first entry for a machine, Python the last.".into()));
    if !ctx.secret_included {
        about.push(Note::TokenIsAReference { format: Format::Netrc, token_command: super::token_command(&ctx.meta.program, c) });
    }
    for (k, v) in ctx.metadata_lines() {
        about.push(Note::Says(format!("{k}: {v}")));
    }
    Ok(Zeroizing::new(out))
}
