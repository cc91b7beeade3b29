//! The products' own forms: which value goes in which field, in the form's order (from the
//! preset's field list, see `presets.rs`), and the three ways to write them: JSON, a text sheet
//! and a printable HTML page.
//!
//! Mapping decisions (the product guides are in `presets.rs`' comments):
//! * SQAI Suite's "Base URL / API URL" is two inputs with Cloud defaults; the export gives both,
//!   `base_url` = `https://bitbucket.org` and `api_url` = the API the token was checked against.
//!   "Token Scope" is `REPO` for a repository access token (documented) and `WORKSPACE` for a
//!   workspace access token (UNCONFIRMED: SQAI's guide shows only REPO; a warning says so).
//! * Autoheal: the email field appears only for an API token; the token field is labelled
//!   "API Token" or "Access Token" like Autoheal's two methods.
//! * Katalon TestOps: "Bitbucket App Password" gets the API token (app passwords are dead) and
//!   "Bitbucket Username" the Atlassian account email, which is right for Bitbucket's REST API
//!   only. Atlassian: the REST API takes "Basic Auth using your Atlassian account email address
//!   and an API token"
//!   (<https://support.atlassian.com/bitbucket-cloud/kb/this-api-is-not-accessible-by-this-authentication-mechanism/>);
//!   for git over HTTPS "you will need the API token and your Bitbucket username", or "the
//!   static username `x-bitbucket-api-token-auth`"
//!   (<https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/>). Katalon's guide
//!   does not say which of the two it does (UNCONFIRMED), so the field's note says both and
//!   what to enter if Katalon's Test Connection refuses the email. The project-level URL is the
//!   repository address, with `/src/{branch}/{folder}` when the user names a folder (or a
//!   branch).
//! * Cubyts: "Repository" or "Workspace" as the token level, then the token.

use serde::Serialize;
use zeroize::Zeroizing;

use super::doc::Node;
use super::text::{html_escape, indented};
use super::{check_kind, info, Ctx, ExportError, ExportMeta, ExportOptions, FormStyle, Format, FORM_SCHEMA, SCHEMA_VERSION, WEB_BASE};
use crate::bitbucket::credential::{CredentialKind, Secret};
use crate::bitbucket::location::Location;
use crate::presets::{self, PresetId};
use crate::store::connections::Connection;

/// One field of a product's form with the value to put in it.
#[derive(Clone, Serialize)]
pub struct FieldValue {
    /// Stable key (`api_key`, `workspace`, …), also the key in the JSON export's `form`.
    pub key: &'static str,
    /// The field's name as the product shows it.
    pub label: String,
    /// What to enter. For the token field: the token when it was given, else the reference
    /// `keychain:bitbucket-setup:ID`.
    pub value: Zeroizing<String>,
    /// True for the token field (the window fetches the token for its "copy" button).
    pub secret: bool,
    /// The product's length limit, when its guide gives one.
    pub max_len: Option<usize>,
    /// What the field is, in plain words.
    pub note: String,
    /// Something to check before pasting (too long, empty, unconfirmed).
    pub warning: Option<String>,
}

impl std::fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value: &dyn std::fmt::Debug = if self.secret { &"[secret field]" } else { &self.value.as_str() };
        f.debug_struct("FieldValue")
            .field("key", &self.key)
            .field("label", &self.label)
            .field("value", value)
            .field("max_len", &self.max_len)
            .field("warning", &self.warning)
            .finish()
    }
}

/// The form of `preset` filled from `connection`, token field holding the reference: what the
/// window shows with a "copy" button per field.
pub fn fields(connection: &Connection, preset: PresetId) -> Result<Vec<FieldValue>, ExportError> {
    fields_with(connection, preset, None, &ExportOptions::default())
}

/// [`fields`] with the token (when given) and the user's export choices (branch, folder).
pub fn fields_with(
    connection: &Connection,
    preset: PresetId,
    secret: Option<&Secret>,
    options: &ExportOptions,
) -> Result<Vec<FieldValue>, ExportError> {
    let meta = ExportMeta {
        app_version: String::new(),
        exported_at: chrono::Utc::now(),
        validation: super::Validation::Unvalidated { reason: String::new(), last_validated_at: None },
        options: options.clone(),
        git_base: crate::bitbucket::githost::GitBase::from_env(),
        program: crate::shell::Program::current(),
    };
    let ctx = Ctx {
        c: connection,
        token: Zeroizing::new(match secret {
            Some(s) => s.expose().to_string(),
            None => super::secret_reference(connection),
        }),
        secret_included: secret.is_some(),
        meta: &meta,
    };
    form_fields(&ctx, preset)
}

fn field(spec: &presets::Field, value: impl Into<String>) -> FieldValue {
    FieldValue {
        key: spec.key,
        label: spec.label.to_string(),
        value: Zeroizing::new(value.into()),
        secret: false,
        max_len: spec.max_len,
        note: spec.note.to_string(),
        warning: None,
    }
}

fn format_label(preset: PresetId) -> &'static str {
    match preset {
        PresetId::Sqai => info(Format::Sqai).label,
        PresetId::Autoheal => info(Format::Autoheal).label,
        PresetId::Katalon => info(Format::Katalon).label,
        PresetId::Cubyts => info(Format::Cubyts).label,
        PresetId::Nirvai => info(Format::Nirvai).label,
        PresetId::N8n => info(Format::N8n).label,
        PresetId::Git => info(Format::GitCredentials).label,
        PresetId::Custom => "custom",
    }
}

/// Checks the user's folder for Katalon's URL: a path inside the repository.
fn clean_folder(raw: &str) -> Result<Option<String>, ExportError> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ExportError::BadOption("The folder cannot contain line breaks or tabs.".into()));
    }
    if trimmed.split('/').any(|s| s == ".." || s == "." || s.is_empty()) {
        return Err(ExportError::BadOption(format!(
            "\"{}\" is not a folder inside the repository. Write it as the path you see in Bitbucket, for example \"Test Cases\" or \"tests/ui\".",
            crate::safe_text::visible_clip(trimmed, 80)
        )));
    }
    Ok(Some(trimmed.to_string()))
}

fn form_fields(ctx: &Ctx<'_>, preset: PresetId) -> Result<Vec<FieldValue>, ExportError> {
    let c = ctx.c;
    let p = presets::get(preset);
    let label = format_label(preset);
    if preset == PresetId::Custom {
        return Err(ExportError::NoForm { preset: p.name });
    }
    check_kind(label, preset, c.kind)?;
    let repo = c.repository.clone().filter(|r| !r.trim().is_empty());
    let mut out = Vec::new();
    for spec in p.fields {
        let mut f = field(spec, "");
        match (preset, spec.key) {
            (PresetId::Sqai, "api_key") | (PresetId::Katalon, "app_password") | (PresetId::Nirvai, "token")
            | (PresetId::Cubyts, "token") | (PresetId::N8n, "api_token") | (PresetId::Git, "password") => {
                f.value = ctx.token.clone();
                f.secret = true;
            }
            (PresetId::Autoheal, "token") => {
                f.label = if c.kind == CredentialKind::ApiToken { "API Token".into() } else { "Access Token".into() };
                f.value = ctx.token.clone();
                f.secret = true;
            }
            (PresetId::Sqai, "expiration_date") => f.value = Zeroizing::new(c.expires.map(super::date).unwrap_or_default()),
            (PresetId::Sqai, "base_url") => {
                f.label = "Base URL".into();
                f.value = Zeroizing::new(WEB_BASE.into());
                f.note = "Leave SQAI's default for Bitbucket Cloud.".into();
                out.push(f);
                let mut api = field(spec, c.api_url.clone());
                api.key = "api_url";
                api.label = "API URL".into();
                api.note = "Leave SQAI's default for Bitbucket Cloud; this is the API the token was checked against.".into();
                if c.api_url != crate::bitbucket::client::DEFAULT_API_URL {
                    api.warning = Some(format!("This connection was checked against {}, not Bitbucket Cloud's API.", c.api_url));
                }
                f = api;
            }
            (PresetId::Sqai, "base_branch") => {
                f.value = Zeroizing::new(ctx.branch().unwrap_or_default());
                if f.value.is_empty() {
                    f.warning = Some("Bitbucket did not report the default branch; enter the branch SQAI should start from (for example main).".into());
                }
            }
            (PresetId::Sqai, "workspace") | (PresetId::Autoheal, "workspace") => f.value = Zeroizing::new(c.workspace.clone()),
            (PresetId::Sqai, "repository") => {
                f.value = Zeroizing::new(repo.clone().unwrap_or_default());
                if repo.is_none() {
                    f.warning = Some("This connection names no repository; SQAI needs the repository's name.".into());
                }
            }
            (PresetId::Sqai, "token_scope") => {
                if c.kind == CredentialKind::WorkspaceToken {
                    f.value = Zeroizing::new("WORKSPACE".into());
                    f.warning = Some("UNCONFIRMED: SQAI's guide documents only REPO (repository access token); check the value SQAI offers for a workspace token.".into());
                } else {
                    f.value = Zeroizing::new("REPO".into());
                }
            }
            (PresetId::Autoheal, "name") => f.value = Zeroizing::new(c.name.clone()),
            (PresetId::Autoheal, "email") => {
                if c.kind != CredentialKind::ApiToken {
                    continue;
                }
                f.value = Zeroizing::new(c.email.clone().ok_or(ExportError::MissingEmail)?);
            }
            (PresetId::Katalon, "integration_name") => f.value = Zeroizing::new(c.name.clone()),
            (PresetId::Katalon, "organization_account_url") => {
                f.value = Zeroizing::new(format!("{WEB_BASE}/{}", c.workspace));
            }
            (PresetId::Katalon, "username") | (PresetId::N8n, "email") => {
                f.value = Zeroizing::new(c.email.clone().ok_or(ExportError::MissingEmail)?);
            }
            (PresetId::Katalon, "description") => f.value = Zeroizing::new(c.description.clone().unwrap_or_default()),
            (PresetId::Katalon, "project_display_name") => {
                f.value = Zeroizing::new(repo.clone().unwrap_or_default());
            }
            (PresetId::Katalon, "project_url") => match &repo {
                Some(r) => {
                    let folder = match ctx.meta.options.folder.as_deref() {
                        Some(raw) => clean_folder(raw)?,
                        None => None,
                    };
                    let chose_branch = ctx.meta.options.branch.as_deref().is_some_and(|b| !b.trim().is_empty());
                    let branch = ctx.branch();
                    let location = Location {
                        workspace: c.workspace.clone(),
                        repository: Some(r.clone()),
                        git_ref: if folder.is_some() || chose_branch { branch.clone() } else { None },
                        path: folder.clone(),
                    };
                    if folder.is_some() && branch.is_none() {
                        return Err(ExportError::FolderNeedsBranch);
                    }
                    let url = location.source_url().unwrap_or_else(|| location.web_url());
                    f.value = Zeroizing::new(url.trim_end_matches('/').to_string());
                }
                None => {
                    f.warning = Some("This connection names no repository: in each TestOps project, paste the address of the repository (and folder) to link.".into());
                }
            },
            (PresetId::Katalon, "project_description") => {}
            (PresetId::Cubyts, "token_level") => {
                f.value = Zeroizing::new(match c.kind {
                    CredentialKind::WorkspaceToken => "Workspace".into(),
                    _ => "Repository".into(),
                });
            }
            (PresetId::Git, "clone_url") => {
                f.value = Zeroizing::new(ctx.clone_url().unwrap_or_default());
            }
            (PresetId::Git, "username") => f.value = Zeroizing::new(ctx.git_username().unwrap_or_default()),
            _ => {}
        }
        if let Some(max) = f.max_len {
            let len = f.value.chars().count();
            if len > max && f.warning.is_none() {
                f.warning = Some(format!("{} allows at most {max} characters here; this value has {len}. Shorten it when you paste it.", p.name));
            }
        }
        out.push(f);
    }
    Ok(out)
}

/// The product form in `style`, with warnings collected for the caller.
pub(crate) fn render(
    ctx: &Ctx<'_>,
    preset: PresetId,
    style: FormStyle,
    warnings: &mut Vec<super::Warning>,
) -> Result<Zeroizing<String>, ExportError> {
    let fields = form_fields(ctx, preset)?;
    let p = presets::get(preset);
    for f in &fields {
        if let Some(w) = &f.warning {
            warnings.push(super::Warning::Says(format!("{}: {w}", f.label)));
        }
    }
    // What is not about one field: the sheet and the page list it under their notes (a field's
    // warning is shown beside the field).
    let mut general = Vec::new();
    if ctx.c.preset != preset {
        general.push(format!(
            "This connection was checked against {} ({}), not {}: the token may lack scopes {} needs.",
            presets::get(ctx.c.preset).name,
            ctx.c.preset.slug(),
            p.name,
            p.name
        ));
    }
    let contents = match style {
        FormStyle::Json => json(ctx, p, &fields),
        FormStyle::Text => sheet(ctx, p, &fields, &general),
        FormStyle::Html => html(ctx, p, &fields, &general),
    };
    warnings.extend(general.into_iter().map(super::Warning::Says));
    Ok(contents)
}

fn json(ctx: &Ctx<'_>, p: &presets::Preset, fields: &[FieldValue]) -> Zeroizing<String> {
    let form = Node::Map(fields.iter().map(|f| (f.key.to_string(), Node::str(f.value.as_str()))).collect());
    let described = Node::List(
        fields
            .iter()
            .map(|f| {
                Node::map(vec![
                    ("key", Node::str(f.key)),
                    ("label", Node::str(&f.label)),
                    ("secret", Node::Bool(f.secret)),
                    ("max_len", f.max_len.map(|m| Node::Int(m as i64)).unwrap_or(Node::Null)),
                    ("note", Node::str(&f.note)),
                    ("warning", Node::opt(f.warning.as_deref())),
                ])
            })
            .collect(),
    );
    Node::map(vec![
        ("schema", Node::str(FORM_SCHEMA)),
        ("schema_version", Node::Int(SCHEMA_VERSION as i64)),
        ("product", Node::str(p.name)),
        ("preset", Node::str(p.slug)),
        ("connection", Node::str(&ctx.c.name)),
        ("form", form),
        ("fields", described),
        ("notes", Node::List(p.notes.iter().map(Node::str).collect())),
        ("metadata", ctx.metadata_node()),
    ])
    .to_json()
}

fn title(p: &presets::Preset) -> String {
    format!("{}: copy these into the form", p.name)
}

fn subtitle(ctx: &Ctx<'_>) -> String {
    format!("Connection \"{}\": {} for {}", ctx.c.name, ctx.c.kind.label(), ctx.c.target())
}

fn secret_hint(ctx: &Ctx<'_>) -> String {
    format!("The token is not on this sheet. Get it with: {}", super::token_command(&ctx.meta.program, ctx.c))
}

fn sheet(ctx: &Ctx<'_>, p: &presets::Preset, fields: &[FieldValue], general: &[String]) -> Zeroizing<String> {
    let mut out = String::new();
    let t = title(p);
    out.push_str(&t);
    out.push('\n');
    out.push_str(&subtitle(ctx));
    out.push('\n');
    out.push_str(&"=".repeat(t.chars().count().max(40)));
    out.push_str("\n\n");
    if ctx.secret_included {
        out.push_str("THIS SHEET CONTAINS THE TOKEN. Keep it like a password and destroy it when done.\n\n");
    }
    for (i, f) in fields.iter().enumerate() {
        out.push_str(&format!("{:>2}. {}", i + 1, f.label));
        if let Some(m) = f.max_len {
            out.push_str(&format!(" (at most {m} characters)"));
        }
        out.push('\n');
        out.push_str(&indented(&f.value, 6));
        if f.secret && !ctx.secret_included {
            out.push_str(&indented(&secret_hint(ctx), 6));
        }
        out.push_str(&indented(&f.note, 6));
        if let Some(w) = &f.warning {
            out.push_str(&indented(&format!("CHECK: {w}"), 6));
        }
        out.push('\n');
    }
    out.push_str("Notes\n");
    for n in p.notes {
        out.push_str(&format!("  - {n}\n"));
    }
    for w in general {
        out.push_str(&format!("  - {w}\n"));
    }
    out.push_str("\nAbout this sheet\n");
    for (k, v) in ctx.metadata_lines() {
        out.push_str(&format!("  {k}: {v}\n"));
    }
    Zeroizing::new(out)
}

fn html(ctx: &Ctx<'_>, p: &presets::Preset, fields: &[FieldValue], general: &[String]) -> Zeroizing<String> {
    let e = html_escape;
    let t = title(p);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<meta name=\"generator\" content=\"{} {}\">\n", e(super::GENERATOR), e(&ctx.meta.app_version)));
    out.push_str(&format!("<title>{}</title>\n", e(&t)));
    out.push_str("<style>\nbody{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#111}\ntable{border-collapse:collapse;width:100%}\nth,td{border:1px solid #888;padding:.45em .6em;text-align:left;vertical-align:top}\n.value{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}\n.note{color:#444;font-size:.9em;margin:.3em 0 0}\n.warn{color:#8a0000;font-weight:bold}\n.secret{border:2px solid #8a0000;padding:.6em;color:#8a0000}\n</style>\n</head>\n<body>\n");
    out.push_str(&format!("<h1>{}</h1>\n<p>{}</p>\n", e(&t), e(&subtitle(ctx))));
    if ctx.secret_included {
        out.push_str("<p class=\"secret\">This page contains the token. Keep it like a password and delete or shred it when done.</p>\n");
    }
    out.push_str("<table>\n<thead><tr><th>#</th><th>Field</th><th>Value</th></tr></thead>\n<tbody>\n");
    for (i, f) in fields.iter().enumerate() {
        let limit = f.max_len.map(|m| format!(" <span class=\"note\">(at most {m} characters)</span>")).unwrap_or_default();
        out.push_str(&format!("<tr><td>{}</td><th>{}{limit}</th><td><div class=\"value\">{}</div>", i + 1, e(&f.label), e(&f.value)));
        if f.secret && !ctx.secret_included {
            out.push_str(&format!("<p class=\"note\">{}</p>", e(&secret_hint(ctx))));
        }
        out.push_str(&format!("<p class=\"note\">{}</p>", e(&f.note)));
        if let Some(w) = &f.warning {
            out.push_str(&format!("<p class=\"warn\">Check: {}</p>", e(w)));
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<h2>Notes</h2>\n<ul>\n");
    for n in p.notes {
        out.push_str(&format!("<li>{}</li>\n", e(n)));
    }
    for w in general {
        out.push_str(&format!("<li class=\"warn\">{}</li>\n", e(w)));
    }
    out.push_str("</ul>\n<h2>About this page</h2>\n<dl>\n");
    for (k, v) in ctx.metadata_lines() {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", e(k), e(&v)));
    }
    out.push_str("</dl>\n</body>\n</html>\n");
    Zeroizing::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::connections::LastCheck;
    use chrono::{TimeZone, Utc};

    fn conn(kind: CredentialKind, preset: PresetId) -> Connection {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        Connection {
            id: "8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11".into(),
            description: Some("x".repeat(300)),
            email: Some("admin@acme.example".into()),
            base_branch: Some("main".into()),
            last_check: Some(LastCheck { at: t, ok: true, problem: None, message: "OK".into(), details: None }),
            expires: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
            created_at: t,
            updated_at: t,
            ..Connection::new("Acme Web", preset, kind, "acme", Some("website"))
        }
    }

    fn values(f: &[FieldValue]) -> Vec<(&str, &str)> {
        f.iter().map(|f| (f.key, f.value.as_str())).collect()
    }

    #[test]
    fn sqai_fields_in_form_order() {
        let c = conn(CredentialKind::RepositoryToken, PresetId::Sqai);
        let f = fields(&c, PresetId::Sqai).unwrap();
        assert_eq!(
            values(&f),
            vec![
                ("api_key", "keychain:bitbucket-setup:8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"),
                ("expiration_date", "2027-01-31"),
                ("base_url", "https://bitbucket.org"),
                ("api_url", "https://api.bitbucket.org/2.0"),
                ("base_branch", "main"),
                ("workspace", "acme"),
                ("repository", "website"),
                ("token_scope", "REPO"),
            ]
        );
        assert!(f[0].secret && f.iter().filter(|f| f.secret).count() == 1);
        let mut w = c.clone();
        w.kind = CredentialKind::WorkspaceToken;
        let f = fields(&w, PresetId::Sqai).unwrap();
        assert_eq!(f.last().unwrap().value.as_str(), "WORKSPACE");
        assert!(f.last().unwrap().warning.as_deref().unwrap().contains("UNCONFIRMED"));
        let e = fields(&conn(CredentialKind::ApiToken, PresetId::Sqai), PresetId::Sqai).unwrap_err();
        assert!(e.to_string().contains("SQAI Suite does not accept an API token"), "{}", e.to_string());
    }

    #[test]
    fn autoheal_by_kind() {
        let api = fields(&conn(CredentialKind::ApiToken, PresetId::Autoheal), PresetId::Autoheal).unwrap();
        assert_eq!(api.iter().map(|f| f.key).collect::<Vec<_>>(), ["name", "email", "token", "workspace"]);
        assert_eq!(api[2].label, "API Token");
        let at = fields(&conn(CredentialKind::WorkspaceToken, PresetId::Autoheal), PresetId::Autoheal).unwrap();
        assert_eq!(at.iter().map(|f| f.key).collect::<Vec<_>>(), ["name", "token", "workspace"]);
        assert_eq!(at[1].label, "Access Token");
        let mut no_email = conn(CredentialKind::ApiToken, PresetId::Autoheal);
        no_email.email = None;
        assert!(matches!(fields(&no_email, PresetId::Autoheal), Err(ExportError::MissingEmail)));
    }

    #[test]
    fn katalon_urls_and_limits() {
        let c = conn(CredentialKind::ApiToken, PresetId::Katalon);
        let get = |f: &[FieldValue], k: &str| f.iter().find(|x| x.key == k).unwrap().clone();
        let f = fields(&c, PresetId::Katalon).unwrap();
        assert_eq!(get(&f, "organization_account_url").value.as_str(), "https://bitbucket.org/acme");
        assert_eq!(get(&f, "username").value.as_str(), "admin@acme.example");
        // The email is right for the REST API, not for git: the note says which takes what.
        let note = get(&f, "username").note;
        for words in ["REST API takes your Atlassian account email", "git over HTTPS takes your Bitbucket username", "x-bitbucket-api-token-auth"] {
            assert!(note.contains(words), "{note}");
        }
        assert_eq!(get(&f, "project_url").value.as_str(), "https://bitbucket.org/acme/website");
        assert!(get(&f, "description").warning.as_deref().unwrap().contains("at most 255"));
        let opts = ExportOptions { branch: None, folder: Some("/Test Cases/UI/".into()) };
        let f = fields_with(&c, PresetId::Katalon, None, &opts).unwrap();
        assert_eq!(get(&f, "project_url").value.as_str(), "https://bitbucket.org/acme/website/src/main/Test%20Cases/UI");
        let opts = ExportOptions { branch: Some("release/2.0".into()), folder: None };
        let f = fields_with(&c, PresetId::Katalon, None, &opts).unwrap();
        assert_eq!(get(&f, "project_url").value.as_str(), "https://bitbucket.org/acme/website/src/release%2F2.0");
        let bad = ExportOptions { branch: None, folder: Some("../x".into()) };
        assert!(matches!(fields_with(&c, PresetId::Katalon, None, &bad), Err(ExportError::BadOption(_))));
        let e = fields(&conn(CredentialKind::RepositoryToken, PresetId::Katalon), PresetId::Katalon).unwrap_err();
        assert!(e.to_string().contains("It accepts: API token with scopes"), "{}", e.to_string());
    }

    #[test]
    fn cubyts_levels() {
        let f = fields(&conn(CredentialKind::RepositoryToken, PresetId::Cubyts), PresetId::Cubyts).unwrap();
        assert_eq!(values(&f), vec![("token_level", "Repository"), ("token", "keychain:bitbucket-setup:8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11")]);
        let f = fields(&conn(CredentialKind::WorkspaceToken, PresetId::Cubyts), PresetId::Cubyts).unwrap();
        assert_eq!(f[0].value.as_str(), "Workspace");
        assert!(fields(&conn(CredentialKind::ProjectToken, PresetId::Cubyts), PresetId::Cubyts).is_err());
    }

    #[test]
    fn secret_fields_hide_in_debug() {
        let c = conn(CredentialKind::RepositoryToken, PresetId::Sqai);
        let f = fields_with(&c, PresetId::Sqai, Some(&Secret::new("ATCTcanary")), &ExportOptions::default()).unwrap();
        assert_eq!(f[0].value.as_str(), "ATCTcanary");
        assert!(!format!("{f:?}").contains("ATCTcanary"));
        assert!(matches!(fields(&c, PresetId::Custom), Err(ExportError::NoForm { .. })));
    }
}
