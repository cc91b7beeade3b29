//! A git credential-store entry (`~/.git-credentials` format): one
//! `https://USERNAME:TOKEN@bitbucket.org[/WORKSPACE/REPO.git]` line, user name and token
//! percent-encoded, and nothing else: git's documentation allows no other kind of line
//! (comments and blank lines included), so the metadata is said when the file is written
//! ([`super::Rendered::about`]).
//!
//! The git user name depends on the kind: `x-token-auth` for access tokens,
//! `x-bitbucket-api-token-auth` for API tokens.
//!
//! The entry names the connection's repository (`/WORKSPACE/REPO.git`) whenever it has one,
//! whatever the kind. git's store matches an entry when every part git asks with is in it and
//! equal (credential.c `credential_match`): without `credential.useHttpPath` git asks with no
//! path, so the entry answers for every repository on the host; with it (`git setup` turns it
//! on) git asks with the remote's path and only an entry with that exact path answers. A
//! path-less entry therefore never answers under `useHttpPath`, and the store has no pattern
//! that would stand for "every repository of this workspace": a workspace, project or API token
//! saved without a repository gets the host entry, and the file says that it is then used only
//! where `useHttpPath` is off.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use zeroize::Zeroizing;

use super::{Ctx, ExportError, Format, Note, Warning};
use crate::bitbucket::credential::CredentialKind;

/// RFC 3986 unreserved characters stay; everything else is encoded.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub(crate) fn render(ctx: &Ctx<'_>, warnings: &mut Vec<Warning>, about: &mut Vec<Note>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    let user = ctx.git_username().ok_or(ExportError::Unrepresentable {
        format: "git credential entry",
        field: "git user name",
        why: "an app password is used with your Bitbucket username, and the connection has none",
    })?;
    if c.kind == CredentialKind::AppPassword {
        warnings.push(Warning::Says("App passwords stopped working on 2026-07-28: git will refuse this entry.".into()));
    }
    if ctx.token.contains(['\n', '\r', '\0']) {
        return Err(ExportError::Unrepresentable { format: "git credential entry", field: "token", why: "it contains a line break" });
    }
    let base = &ctx.meta.git_base;
    let path = match crate::safe_text::non_blank(c.repository.as_deref()) {
        Some(repo) => format!("/{}/{}.git", utf8_percent_encode(&c.workspace, USERINFO), utf8_percent_encode(repo, USERINFO)),
        None => {
            about.push(Note::Says(format!(
                "The entry names no repository, so git uses it only where credential.useHttpPath is off (git setup turns it on for {}: git then matches the repository's path exactly). Save the connection with its repository for an entry git uses there too, or let git ask this app instead: {}.",
                base.url(),
                ctx.meta.program.command(&["git", "setup"])
            )));
            String::new()
        }
    };
    about.push(Note::Says(format!("A git credential-store entry for {}: use it with git config --global credential.helper 'store --file=/path/to/this/file'.", base.url())));
    about.push(Note::Says(format!("git user name for a {}: {user}. Use remotes without a user name in them ({}), or git will not match the entry.", c.kind.label(), base.clone_url(&c.workspace, c.repository.as_deref().unwrap_or("REPOSITORY")))));
    if !ctx.secret_included {
        about.push(Note::TokenIsAReference { format: Format::GitCredentials, token_command: super::token_command(&ctx.meta.program, c) });
    }
    for (k, v) in ctx.metadata_lines() {
        about.push(Note::Says(format!("{k}: {v}")));
    }
    Ok(Zeroizing::new(format!(
        "{}://{}:{}@{}{path}\n",
        base.scheme(),
        utf8_percent_encode(&user, USERINFO),
        utf8_percent_encode(&ctx.token, USERINFO),
        base.host()
    )))
}
