//! The generic document (schema `bitbucket-setup/connection-export` v1, described in
//! `mod.rs`), as JSON or YAML. `bitbucket-setup import` reads both back.

use zeroize::Zeroizing;

use super::doc::Node;
use super::env::{auth_scheme, kind_name};
use super::{Ctx, SCHEMA, SCHEMA_VERSION};

pub(crate) fn document(ctx: &Ctx<'_>) -> Node {
    let c = ctx.c;
    Node::map(vec![
        ("schema", Node::str(SCHEMA)),
        ("schema_version", Node::Int(SCHEMA_VERSION as i64)),
        (
            "connection",
            Node::map(vec![
                ("name", Node::str(&c.name)),
                ("description", Node::opt(c.description.as_deref())),
                ("preset", Node::str(c.preset.slug())),
                ("credential_kind", Node::str(kind_name(c.kind))),
                ("workspace", Node::str(&c.workspace)),
                ("repository", Node::opt(c.repository.as_deref())),
                ("web_url", Node::str(ctx.web_url())),
                ("clone_url", Node::opt(ctx.clone_url())),
                ("base_branch", Node::opt(ctx.branch())),
                ("api_url", Node::str(&c.api_url)),
                ("auth_scheme", Node::str(auth_scheme(c.kind))),
                ("email", Node::opt(c.email.as_deref())),
                ("username", Node::opt(c.username.as_deref())),
                ("git_username", Node::opt(ctx.git_username())),
                ("expires", Node::opt(c.expires.map(super::date))),
            ]),
        ),
        ("token", Node::str(ctx.token.as_str())),
        ("metadata", ctx.metadata_node()),
    ])
}

pub(crate) fn render_json(ctx: &Ctx<'_>) -> Zeroizing<String> {
    document(ctx).to_json()
}

pub(crate) fn render_yaml(ctx: &Ctx<'_>) -> Zeroizing<String> {
    let mut out = String::from("# Bitbucket Setup Assistant export, schema bitbucket-setup/connection-export v1.\n");
    if ctx.secret_included {
        out.push_str("# THIS FILE CONTAINS THE TOKEN. Keep it private and out of version control.\n");
    } else {
        out.push_str(&format!("# \"token\" is a reference, not the token: {} prints it.\n", super::token_command(&ctx.meta.program, ctx.c)));
    }
    out.push_str(&document(ctx).to_yaml());
    Zeroizing::new(out)
}
