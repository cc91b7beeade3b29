//! The format registry: every export format, its name, label, file name and product, in the
//! order the app lists them. Every format can hold the token when the user asks for it.

use serde::{Deserialize, Serialize};

use crate::presets::PresetId;
use crate::store::connections::Connection;


/// Every export format. The command-line names are the kebab-case variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Sqai,
    SqaiSheet,
    SqaiHtml,
    Autoheal,
    AutohealSheet,
    AutohealHtml,
    Katalon,
    KatalonSheet,
    KatalonHtml,
    Cubyts,
    CubytsSheet,
    CubytsHtml,
    Nirvai,
    NirvaiSheet,
    NirvaiHtml,
    N8n,
    Env,
    Json,
    Yaml,
    GitCredentials,
    Netrc,
}

/// How a product form is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStyle {
    Json,
    Text,
    Html,
}

/// One row of the format registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormatInfo {
    pub format: Format,
    /// The format's name for users and scripts (`sqai-sheet`); [`from_slug`] reads it back.
    pub id: &'static str,
    pub label: &'static str,
    /// The file extension, without the dot.
    pub extension: &'static str,
    /// The default file name is the connection's name made file-safe, then this.
    pub file_suffix: &'static str,
    /// The product whose form this is, for product formats.
    pub product: Option<PresetId>,
    pub style: Option<FormStyle>,
    pub description: &'static str,
}

impl FormatInfo {
    /// `acme-web.sqai.json` for a connection named "Acme Web" (see [`file_stem`]).
    pub fn default_file_name(&self, connection: &Connection) -> String {
        format!("{}{}", file_stem(&connection.name), self.file_suffix)
    }
}

/// A format for one product's form: [`plain`] with the product and the form's style.
#[allow(clippy::too_many_arguments)]
const fn form(
    format: Format,
    id: &'static str,
    label: &'static str,
    extension: &'static str,
    file_suffix: &'static str,
    product: PresetId,
    style: FormStyle,
    description: &'static str,
) -> FormatInfo {
    FormatInfo { product: Some(product), style: Some(style), ..plain(format, id, label, extension, file_suffix, description) }
}

/// A format any product can take.
const fn plain(
    format: Format,
    id: &'static str,
    label: &'static str,
    extension: &'static str,
    file_suffix: &'static str,
    description: &'static str,
) -> FormatInfo {
    FormatInfo { format, id, label, extension, file_suffix, product: None, style: None, description }
}

use FormStyle::{Html, Json as JsonStyle, Text};

/// The registry: every format, in the order the app lists them.
pub(crate) static FORMATS: [FormatInfo; 21] = [
    form(Format::Sqai, "sqai", "SQAI Suite (JSON)", "json", ".sqai.json", PresetId::Sqai, JsonStyle, "The fields of SQAI Suite's Bitbucket page, in the form's order, as JSON."),
    form(Format::SqaiSheet, "sqai-sheet", "SQAI Suite (sheet to copy from)", "txt", ".sqai.txt", PresetId::Sqai, Text, "A printable \"copy these into the form\" sheet for SQAI Suite."),
    form(Format::SqaiHtml, "sqai-html", "SQAI Suite (printable page)", "html", ".sqai.html", PresetId::Sqai, Html, "The same sheet as a printable web page."),
    form(Format::Autoheal, "autoheal", "Autoheal (JSON)", "json", ".autoheal.json", PresetId::Autoheal, JsonStyle, "Autoheal's Bitbucket integration: name, email and API token (or access token), workspace."),
    form(Format::AutohealSheet, "autoheal-sheet", "Autoheal (sheet to copy from)", "txt", ".autoheal.txt", PresetId::Autoheal, Text, "A printable sheet for Autoheal's form."),
    form(Format::AutohealHtml, "autoheal-html", "Autoheal (printable page)", "html", ".autoheal.html", PresetId::Autoheal, Html, "The same sheet as a printable web page."),
    form(Format::Katalon, "katalon", "Katalon TestOps (JSON)", "json", ".katalon.json", PresetId::Katalon, JsonStyle, "Katalon TestOps' account-level integration and project-level repository URL."),
    form(Format::KatalonSheet, "katalon-sheet", "Katalon TestOps (sheet to copy from)", "txt", ".katalon.txt", PresetId::Katalon, Text, "A printable sheet for Katalon TestOps' forms."),
    form(Format::KatalonHtml, "katalon-html", "Katalon TestOps (printable page)", "html", ".katalon.html", PresetId::Katalon, Html, "The same sheet as a printable web page."),
    form(Format::Cubyts, "cubyts", "Cubyts (JSON)", "json", ".cubyts.json", PresetId::Cubyts, JsonStyle, "Cubyts' token level (repository or workspace) and token."),
    form(Format::CubytsSheet, "cubyts-sheet", "Cubyts (sheet to copy from)", "txt", ".cubyts.txt", PresetId::Cubyts, Text, "A printable sheet for Cubyts' form."),
    form(Format::CubytsHtml, "cubyts-html", "Cubyts (printable page)", "html", ".cubyts.html", PresetId::Cubyts, Html, "The same sheet as a printable web page."),
    form(Format::Nirvai, "nirvai", "Nirvai (JSON)", "json", ".nirvai.json", PresetId::Nirvai, JsonStyle, "Nirvai's Bitbucket credential: the access token."),
    form(Format::NirvaiSheet, "nirvai-sheet", "Nirvai (sheet to copy from)", "txt", ".nirvai.txt", PresetId::Nirvai, Text, "A printable sheet for Nirvai's form."),
    form(Format::NirvaiHtml, "nirvai-html", "Nirvai (printable page)", "html", ".nirvai.html", PresetId::Nirvai, Html, "The same sheet as a printable web page."),
    plain(Format::N8n, "n8n", "n8n credential (JSON)", "json", ".n8n.json", "An n8n \"Bitbucket Access Token API\" credential ([{\"id\", \"name\", \"type\": \"bitbucketAccessTokenApi\", \"data\": {email, accessToken}}]) for `n8n import:credentials` (tested with n8n 2.39.10); API tokens only."),
    plain(Format::Env, "env", ".env file", "env", ".env", "KEY='value' lines that bash, python-dotenv, Node's dotenv and docker compose read back exactly; a value they would read differently is left out, and the file says so."),
    plain(Format::Json, "json", "JSON", "json", ".json", "Every setting and the metadata, schema bitbucket-setup/connection-export v1; the assistant imports it back."),
    plain(Format::Yaml, "yaml", "YAML", "yaml", ".yaml", "The same document as the JSON export, in YAML; the assistant imports it back."),
    plain(Format::GitCredentials, "git-credentials", "git credential entry", "git-credentials", ".git-credentials", "One line for git credential-store (~/.git-credentials): https://USERNAME:TOKEN@bitbucket.org/…, with the right git username for the kind, and nothing else."),
    plain(Format::Netrc, "netrc", ".netrc entry", "netrc", ".netrc", "machine/login/password lines, and nothing else, for curl --netrc-file, Python's netrc, requests and git."),
];

/// Every format, in the order the app lists them.
pub fn formats() -> &'static [FormatInfo] {
    &FORMATS
}

/// The registry row of a format.
pub fn info(format: Format) -> &'static FormatInfo {
    FORMATS
        .iter()
        .find(|f| f.format == format)
        .expect("every format has a registry row")
}

/// The format for its short name (case and `_`/`-` ignored), with a few aliases.
pub fn from_slug(name: &str) -> Option<Format> {
    let key: String = name
        .trim()
        .trim_start_matches('.')
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() })
        .collect();
    let alias = match key.as_str() {
        "sqai-suite" | "sqai-json" => Some(Format::Sqai),
        "sqai-text" | "sqai-txt" => Some(Format::SqaiSheet),
        "autoheal-json" => Some(Format::Autoheal),
        "autoheal-text" | "autoheal-txt" => Some(Format::AutohealSheet),
        "katalon-testops" | "katalon-json" => Some(Format::Katalon),
        "katalon-text" | "katalon-txt" => Some(Format::KatalonSheet),
        "cubyts-json" => Some(Format::Cubyts),
        "cubyts-text" | "cubyts-txt" => Some(Format::CubytsSheet),
        "nirvai-json" => Some(Format::Nirvai),
        "nirvai-text" | "nirvai-txt" => Some(Format::NirvaiSheet),
        "n8n-json" => Some(Format::N8n),
        "dotenv" => Some(Format::Env),
        "yml" => Some(Format::Yaml),
        "git" | "git-credential" | "gitcredentials" => Some(Format::GitCredentials),
        _ => None,
    };
    alias.or_else(|| FORMATS.iter().find(|f| f.id == key).map(|f| f.format))
}

/// The connection's name as a file name: ASCII letters and digits kept (lowercased), every run
/// of anything else one `-`; "connection" when nothing is left.
pub fn file_stem(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "connection".to_string()
    } else {
        out
    }
}

/// Every format's name, for "Use one of: …".
pub(crate) fn format_names() -> String {
    FORMATS.iter().map(|f| f.id).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::credential::CredentialKind;

    #[test]
    fn registry_is_complete_and_names_round_trip() {
        let mut ids = std::collections::BTreeSet::new();
        for f in formats() {
            assert!(ids.insert(f.id), "duplicate id {}", f.id);
            assert_eq!(from_slug(f.id), Some(f.format));
            assert_eq!(from_slug(&f.id.to_uppercase()), Some(f.format));
            assert_eq!(serde_json::to_value(f.format).unwrap(), serde_json::json!(f.id));
            assert!(f.file_suffix.ends_with(&format!(".{}", f.extension)), "{}", f.id);
            assert_eq!(info(f.format).id, f.id);
            assert_eq!(f.product.is_some(), f.style.is_some());
        }
        assert_eq!(from_slug("dotenv"), Some(Format::Env));
        assert_eq!(from_slug(".env"), Some(Format::Env));
        assert_eq!(from_slug("YML"), Some(Format::Yaml));
        assert_eq!(from_slug("sqai_text"), Some(Format::SqaiSheet));
        assert_eq!(from_slug("nope"), None);
        let e = super::super::ExportError::unknown_format("nope");
        assert!(e.to_string().contains("sqai-sheet, sqai-html"), "{}", e.to_string());
    }

    #[test]
    fn file_names_are_safe() {
        let c = Connection::new("Acme Web", PresetId::Sqai, CredentialKind::RepositoryToken, "acme", Some("website"));
        assert_eq!(file_stem("Acme Web"), "acme-web");
        assert_eq!(file_stem("  ../../etc/passwd "), "etc-passwd");
        assert_eq!(file_stem("Ünïcode только"), "n-code");
        assert_eq!(file_stem("!!!"), "connection");
        assert_eq!(info(Format::SqaiSheet).default_file_name(&c), "acme-web.sqai.txt");
        assert_eq!(info(Format::Env).default_file_name(&c), "acme-web.env");
    }
}
