//! A git credential-store entry (`~/.git-credentials` format): one
//! `https://USERNAME:TOKEN@bitbucket.org[/WORKSPACE/REPO.git]` line, user name and token
//! percent-encoded. The git user name depends on the kind: `x-token-auth` for access tokens,
//! `x-bitbucket-api-token-auth` for API tokens. A repository access token's entry names the
//! repository's path: git matches it for that repository (and for any repository on
//! bitbucket.org unless `credential.useHttpPath` is set), other kinds reach more than one
//! repository, so their entry is for the host. git credential-store skips lines that are not
//! URLs, so the metadata rides in `#` lines.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use zeroize::Zeroizing;

use super::text::comment_lines;
use super::{Ctx, ExportError, GIT_HOST};
use crate::bitbucket::credential::CredentialKind;

/// RFC 3986 unreserved characters stay; everything else is encoded.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub(crate) fn render(ctx: &Ctx<'_>, warnings: &mut Vec<String>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    let user = ctx.git_username().ok_or(ExportError::Unrepresentable {
        format: "git credential entry",
        field: "git user name",
        why: "an app password is used with your Bitbucket username, and the connection has none",
    })?;
    if c.kind == CredentialKind::AppPassword {
        warnings.push("App passwords stopped working on 2026-07-28: git will refuse this entry.".into());
    }
    let path = match (c.kind, c.repository.as_deref().map(str::trim).filter(|r| !r.is_empty())) {
        (CredentialKind::RepositoryToken, Some(repo)) => format!(
            "/{}/{}.git",
            utf8_percent_encode(&c.workspace, USERINFO),
            utf8_percent_encode(repo, USERINFO)
        ),
        _ => String::new(),
    };
    let mut header = String::from("Bitbucket Setup Assistant export: a git credential-store entry (git skips these # lines).\n");
    header.push_str("Use it with: git config --global credential.helper 'store --file=/path/to/this/file'\n");
    if ctx.secret_included {
        header.push_str("THIS FILE CONTAINS THE TOKEN. Keep it private (mode 0600).\n");
    } else {
        header.push_str(&format!(
            "The password part is a reference, not the token: export with --include-secret for a working entry, or use {} in a credential helper.\n",
            super::token_command(c)
        ));
    }
    header.push_str(&format!("git user name for a {}: {user}\n\n", c.kind.label()));
    for (k, v) in ctx.metadata_lines() {
        header.push_str(&format!("{k}: {v}\n"));
    }
    let mut out = comment_lines(&header);
    out.push_str(&format!(
        "https://{}:{}@{GIT_HOST}{path}\n",
        utf8_percent_encode(&user, USERINFO),
        utf8_percent_encode(&ctx.token, USERINFO)
    ));
    Ok(Zeroizing::new(out))
}
