//! An n8n credential as `n8n export:credentials --decrypted` writes one and
//! `n8n import:credentials` reads it: `{"name", "type": "bitbucketApi", "data": {...}}`.
//! n8n's `bitbucketApi` credential has the fields `email` and `apiToken` (it signs in with
//! Basic email:token), so only API tokens fit. Nirvai adapted n8n's guide; its own form (the
//! `nirvai*` formats) takes an access token.
//!
//! Metadata goes in a `bitbucketSetup` object beside `data`. UNCONFIRMED whether every n8n
//! version ignores unknown top-level keys on import; `jq 'del(.bitbucketSetup)'` removes it.

use zeroize::Zeroizing;

use super::doc::Node;
use super::{info, Ctx, ExportError, Format};
use crate::bitbucket::credential::CredentialKind;

/// n8n's credential type for Bitbucket Cloud.
pub const N8N_TYPE: &str = "bitbucketApi";

pub(crate) fn render(ctx: &Ctx<'_>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    if c.kind != CredentialKind::ApiToken {
        return Err(ExportError::NeedsApiToken { format: info(Format::N8n).label, kind: c.kind.label() });
    }
    let email = c.email.clone().ok_or(ExportError::MissingEmail)?;
    Ok(Node::map(vec![
        ("name", Node::str(&c.name)),
        ("type", Node::str(N8N_TYPE)),
        ("data", Node::map(vec![("email", Node::str(email)), ("apiToken", Node::str(ctx.token.as_str()))])),
        (
            "bitbucketSetup",
            Node::map(vec![
                ("workspace", Node::str(&c.workspace)),
                ("repository", Node::opt(c.repository.as_deref())),
                ("api_url", Node::str(&c.api_url)),
                ("metadata", ctx.metadata_node()),
            ]),
        ),
    ])
    .to_json())
}
