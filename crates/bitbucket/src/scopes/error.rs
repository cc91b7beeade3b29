//! Why a custom scope list cannot be used: the typed error [`ScopeError`], whose `Display` is the
//! user's sentence.

use super::{label, Vocabulary};
use crate::credential::CredentialKind;

/// Why a custom scope list cannot be used. `Display` is the user's sentence and what to do
/// about it; it names the scope as the user typed it (shortened), never anything secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("\"{scope}\" is not a Bitbucket scope. {}", unknown_fix(.suggestion))]
    Unknown { scope: String, suggestion: Option<&'static str> },
    #[error("{} ({scope}) cannot be given to {}. {}", label(.scope), .kind.with_article(), not_offered_fix(.offered_by))]
    NotOffered { scope: &'static str, kind: CredentialKind, offered_by: Vec<CredentialKind> },
    #[error("{} ({scope}) has no equivalent for {}. {}", label(.scope), .kind.with_article(), no_equivalent_fix(.kind))]
    NoEquivalent { scope: &'static str, kind: CredentialKind },
    #[error("{scope} is newer than this app's list of Bitbucket scopes, so it has no known box on the page that creates {}. Use an API token with scopes, which takes it by name, or leave it out.", .kind.with_article())]
    NewerThanApp { scope: String, kind: CredentialKind },
}

fn unknown_fix(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(s) => format!("Did you mean \"{s}\" ({})?", label(s)),
        None => "Scope names look like \"repository:write\" (access tokens) or \"read:repository:bitbucket\" (API tokens).".to_string(),
    }
}

fn not_offered_fix(offered_by: &[CredentialKind]) -> String {
    if offered_by.is_empty() {
        "No Bitbucket credential can be created with it any more; leave it out.".to_string()
    } else {
        format!("Bitbucket offers it only on {}. Choose one of those, or leave this scope out.", plural_list(offered_by))
    }
}

fn no_equivalent_fix(kind: &CredentialKind) -> &'static str {
    if Vocabulary::of_kind(*kind) == Vocabulary::AccessToken {
        "Access tokens cannot act as a person: they have no scopes for user profiles, SSH or GPG keys, permissions or workspace administration. Use an API token with scopes, or leave this scope out."
    } else {
        "The newer scope list has no counterpart for it; leave it out or pick the nearest scope from the list."
    }
}

fn plural_list(kinds: &[CredentialKind]) -> String {
    let names: Vec<String> = kinds
        .iter()
        .map(|k| match k {
            CredentialKind::ApiToken => "API tokens with scopes".to_string(),
            other => format!("{}s", other.label()),
        })
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::custom::MAX_SCOPE_INPUT;
    use crate::scopes::for_kind;
    use CredentialKind::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn custom_list_errors_are_plain() {
        let e = for_kind(&s(&["pullrequets:write"]), RepositoryToken).unwrap_err();
        assert_eq!(e, ScopeError::Unknown { scope: "pullrequets:write".into(), suggestion: Some("pullrequest:write") });
        assert!(e.to_string().contains("Did you mean \"pullrequest:write\" (Pull requests: Write)?"), "{e}");
        let e = for_kind(&s(&["read:repo"]), ApiToken).unwrap_err();
        assert!(matches!(e, ScopeError::Unknown { suggestion: Some("read:repository:bitbucket"), .. }), "{e:?}");
        // A Bitbucket scope newer than the app's list: taken by name for an API token, refused
        // with the reason for an access token; a near miss of a known one is still a typo.
        assert_eq!(
            for_kind(&s(&["read:package:bitbucket", "Write:Package:Bitbucket", "read:repository:bitbucket"]), ApiToken).unwrap(),
            s(&["read:package:bitbucket", "write:package:bitbucket", "read:repository:bitbucket"])
        );
        let e = for_kind(&s(&["read:package:bitbucket"]), RepositoryToken).unwrap_err();
        assert!(matches!(e, ScopeError::NewerThanApp { .. }), "{e:?}");
        assert!(e.to_string().contains("API token"), "{e}");
        assert!(matches!(for_kind(&s(&["read:repositry:bitbucket"]), ApiToken).unwrap_err(), ScopeError::Unknown { .. }));
        assert!(matches!(for_kind(&s(&["read:package:jira"]), ApiToken).unwrap_err(), ScopeError::Unknown { .. }));
        assert!(matches!(for_kind(&s(&["peek:package:bitbucket"]), ApiToken).unwrap_err(), ScopeError::Unknown { .. }));
        let e = for_kind(&s(&["completely wrong thing"]), ApiToken).unwrap_err();
        assert!(matches!(e, ScopeError::Unknown { suggestion: None, .. }), "{e:?}");
        assert!(e.to_string().contains("look like"));
        let e = for_kind(&s(&["account"]), RepositoryToken).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Account: Read (account) cannot be given to a repository access token. Bitbucket offers it only on workspace access tokens. Choose one of those, or leave this scope out."
        );
        assert!(e.to_string().contains("only on workspace access tokens"), "{e}");
        let e = for_kind(&s(&["read:user:bitbucket"]), ProjectToken).unwrap_err();
        assert!(matches!(e, ScopeError::NotOffered { scope: "account", .. }), "{e:?}");
        let e = for_kind(&s(&["read:me"]), WorkspaceToken).unwrap_err();
        assert!(matches!(e, ScopeError::NoEquivalent { scope: "read:me", .. }), "{e:?}");
        assert!(e.to_string().contains("Use an API token"));
        let e = for_kind(&s(&["wiki"]), ApiToken).unwrap_err();
        assert!(matches!(e, ScopeError::NoEquivalent { scope: "wiki", .. }), "{e:?}");
        assert!(e.to_string().contains("an API token with scopes"), "{e}");
        let e = for_kind(&s(&["issue"]), WorkspaceToken).unwrap_err();
        assert!(e.to_string().contains("leave it out"), "{e}");
        let long = "x".repeat(5000);
        let e = for_kind(&[long], ApiToken).unwrap_err();
        // The input is echoed shortened to MAX_SCOPE_INPUT characters, the cut marked; the rest is the fixed advice.
        assert!(e.to_string().contains(&format!("\"{}…\"", "x".repeat(MAX_SCOPE_INPUT - 1))), "{e}");
        assert!(e.to_string().len() < 250, "{e}");
    }
}
