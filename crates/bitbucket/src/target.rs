//! What a check is for: the product (or script) that will use the credential, as the
//! validation engine needs to know it. The app's table of products (`presets.rs`) builds one;
//! the engine reads it and knows nothing about where it came from, so this module is the
//! whole of what the engine asks of the layer above it.

use super::credential::CredentialKind;

/// The target of a check: its name, the scopes each kind of credential needs for it, and
/// whether it works on one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The caller's name for the target, reported back unchanged in the report (`"sqai"`).
    pub id: String,
    /// The product's name as the user knows it (`"SQAI Suite"`), for messages.
    pub name: String,
    /// True when the product works on one repository, so the check needs one.
    pub needs_repository: bool,
    /// For every kind of credential: the scopes it needs (in that kind's vocabulary), or why
    /// that kind cannot be used for this target (the user's sentence).
    scopes: Vec<(CredentialKind, Result<Vec<String>, String>)>,
}

impl Target {
    /// A target whose required scopes for a kind are `scopes_for(kind)`, asked once for every
    /// kind so that the target no longer depends on its builder.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        needs_repository: bool,
        scopes_for: impl Fn(CredentialKind) -> Result<Vec<String>, String>,
    ) -> Target {
        Target {
            id: id.into(),
            name: name.into(),
            needs_repository,
            scopes: CredentialKind::ALL.into_iter().map(|k| (k, scopes_for(k))).collect(),
        }
    }

    /// The scopes a credential of `kind` needs, or why this target does not take that kind.
    pub fn required_scopes(&self, kind: CredentialKind) -> Result<Vec<String>, String> {
        self.scopes
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| Ok(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_for_every_kind() {
        let t = Target::new("x", "X", false, |k| {
            if k == CredentialKind::ApiToken {
                Err("no".to_string())
            } else {
                Ok(vec![k.slug().to_string()])
            }
        });
        assert_eq!(t.required_scopes(CredentialKind::ProjectToken), Ok(vec!["project-token".to_string()]));
        assert_eq!(t.required_scopes(CredentialKind::ApiToken), Err("no".to_string()));
    }
}
