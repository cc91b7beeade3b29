//! What an export says about itself beyond the connection ([`ExportMeta`]: app version,
//! export time, validation, the user's choices), and the same facts as a `metadata` object or
//! as `(label, value)` lines.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::doc::Node;
use super::{token_command, Ctx, GENERATOR};
use crate::bitbucket::githost::GitBase;
use crate::freshness::{validation_of, Validation};
use crate::presets;
use crate::shell::Program;
use crate::store::connections::Connection;

/// Choices the user makes at export time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// A branch other than the connection's base branch (Katalon's project URL).
    #[serde(default)]
    pub branch: Option<String>,
    /// A folder in the repository (Katalon's project URL, e.g. "Test Cases").
    #[serde(default)]
    pub folder: Option<String>,
}

/// What an export says about itself, beyond the connection. Tests inject fixed values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportMeta {
    pub app_version: String,
    pub exported_at: DateTime<Utc>,
    pub validation: Validation,
    pub options: ExportOptions,
    /// Where git reaches Bitbucket (`BITBUCKET_GIT_URL` for tests and tunnels).
    #[serde(skip)]
    pub git_base: GitBase,
    /// How the command lines the export shows start this program, in the shell of the system
    /// that exports ([`Program::current`]; tests choose one).
    #[serde(skip)]
    pub program: Program,
}

impl ExportMeta {
    /// This build's version, the current time, and the connection's validation now.
    pub fn now(connection: &Connection) -> ExportMeta {
        let now = Utc::now();
        ExportMeta {
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            exported_at: now,
            validation: validation_of(connection, now),
            options: ExportOptions::default(),
            git_base: GitBase::from_env(),
            program: Program::current(),
        }
    }
}

impl Ctx<'_> {
    /// The metadata every structured export carries, in a fixed order.
    pub(crate) fn metadata_node(&self) -> Node {
        let v = &self.meta.validation;
        Node::map(vec![
            ("generator", Node::str(GENERATOR)),
            ("app_version", Node::str(&self.meta.app_version)),
            ("exported_at", Node::str(rfc3339(self.meta.exported_at))),
            ("validation", Node::str(if v.is_validated() { "validated" } else { "unvalidated" })),
            ("validated_at", Node::opt(v.validated_at().map(rfc3339))),
            (
                "unvalidated_reason",
                match v {
                    Validation::Unvalidated { reason, .. } => Node::str(reason),
                    Validation::Validated { .. } => Node::Null,
                },
            ),
            ("credential_type", Node::opt(self.c.credential_type.clone())),
            ("granted_scopes", Node::List(self.c.granted_scopes.iter().map(Node::str).collect())),
            ("checked_against_preset", Node::str(self.c.preset.slug())),
            ("expires", Node::opt(self.c.expires.map(date))),
            ("secret_included", Node::Bool(self.secret_included)),
            ("token_command", Node::str(token_command(&self.meta.program, self.c))),
        ])
    }

    /// The same facts as `(label, value)` lines for text formats.
    pub(crate) fn metadata_lines(&self) -> Vec<(&'static str, String)> {
        let v = &self.meta.validation;
        let validation = match v {
            Validation::Validated { at } => format!("validated {}", rfc3339(*at)),
            Validation::Unvalidated { reason, .. } => format!("UNVALIDATED: {reason}"),
        };
        let scopes = if self.c.granted_scopes.is_empty() { "(none reported)".to_string() } else { self.c.granted_scopes.join(", ") };
        vec![
            ("Exported by", format!("{GENERATOR} {}", self.meta.app_version)),
            ("Exported at", rfc3339(self.meta.exported_at)),
            ("Validation", validation),
            ("Credential type (reported by Bitbucket)", self.c.credential_type.clone().unwrap_or_else(|| "(not reported)".into())),
            ("Granted scopes", scopes),
            ("Checked against", format!("{} ({})", presets::get(self.c.preset).name, self.c.preset.slug())),
            ("Token expires", self.c.expires.map(date).unwrap_or_else(|| "(no date given)".into())),
            (
                "Token in this file",
                if self.secret_included {
                    "YES: this file is a secret; keep it like a password and delete it when done".into()
                } else {
                    format!("no; get it with: {}", token_command(&self.meta.program, self.c))
                },
            ),
        ]
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::credential::CredentialKind;
    use crate::presets::PresetId;
    use crate::store::connections::LastCheck;
    use chrono::TimeZone;

    #[test]
    fn validation_ages_out_after_a_day() {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let mut c = Connection {
            last_check: Some(LastCheck { at: t, ok: true, problem: None, message: "OK".into(), details: None }),
            ..Connection::new("Acme Web", PresetId::Sqai, CredentialKind::RepositoryToken, "acme", Some("website"))
        };
        let at = c.last_check.as_ref().unwrap().at;
        assert_eq!(validation_of(&c, at + chrono::Duration::hours(23)), Validation::Validated { at });
        let old = validation_of(&c, at + chrono::Duration::hours(25));
        assert!(!old.is_validated());
        assert_eq!(old.validated_at(), Some(at));
        let Validation::Unvalidated { reason, .. } = old else { unreachable!() };
        assert!(reason.contains("more than 24 hours ago"), "{reason}");
        c.last_check.as_mut().unwrap().ok = false;
        c.last_check.as_mut().unwrap().problem = Some("unauthorized".into());
        let failed = validation_of(&c, at);
        assert_eq!(failed.validated_at(), None);
        assert!(matches!(&failed, Validation::Unvalidated { reason, .. } if reason.contains("did not pass (unauthorized)")));
        c.last_check = None;
        assert!(matches!(validation_of(&c, at), Validation::Unvalidated { reason, .. } if reason.contains("never been checked")));
    }
}
