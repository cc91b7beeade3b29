//! A user's own scope list (`--scopes`, the window's custom setup): read in either vocabulary,
//! with Bitbucket's labels and common slips accepted, "did you mean" for typos, and translated
//! into the vocabulary of the chosen kind of credential.

use super::{
    all_scopes, canonical, closure, kinds_offering, new_to_old, offered_to, old_to_new, squash, vocabulary_of, ScopeError,
    Vocabulary,
};
use crate::credential::CredentialKind;

/// Longest input (in characters) echoed in a message or compared for a suggestion.
pub(super) const MAX_SCOPE_INPUT: usize = 80;

fn shorten(value: &str) -> String {
    crate::safe_text::clip(value.trim(), MAX_SCOPE_INPUT)
}

/// Edit distance, for "did you mean". Inputs are short (capped before the call).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The known name closest to `input`: the shortest name starting with it (a cut-off name
/// such as "read:repo"), else the nearest by edit distance if that is a plausible typo (at most
/// a third of the input's length changed, minimum 2).
pub fn suggest(input: &str) -> Option<&'static str> {
    let key = squash(input);
    if key.is_empty() || key.chars().count() > MAX_SCOPE_INPUT {
        return None;
    }
    if key.len() >= 3 {
        let by_prefix = all_scopes().map(|s| s.name).filter(|n| n.starts_with(key.as_str())).min_by_key(|n| n.len());
        if by_prefix.is_some() {
            return by_prefix;
        }
    }
    let candidates = all_scopes().flat_map(|s| {
        // Compare against the shorthand too, so "read:repo" finds read:repository:bitbucket.
        let short = s.name.strip_suffix(":bitbucket");
        [Some((s.name, s.name)), short.map(|sh| (s.name, sh))].into_iter().flatten()
    });
    let (best, dist) = candidates
        .map(|(name, form)| (name, distance(&key, form)))
        .min_by_key(|(_, d)| *d)?;
    (dist <= (key.chars().count() / 3).max(2)).then_some(best)
}

/// Splits one entry of a custom list: commas, semicolons and line breaks separate names. An
/// entry that is not a known name as a whole but whose space-separated words all are ("repository
/// pullrequest") is taken word by word; otherwise spaces are kept so labels like "Pull requests:
/// Write" still match.
fn split_custom(entry: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in entry.split([',', ';', '\n', '\r']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        if canonical(part).is_none() && words.len() > 1 && words.iter().all(|w| canonical(w).is_some()) {
            out.extend(words.iter().map(|w| (*w).to_string()));
        } else {
            out.push(part.to_string());
        }
    }
    out
}

/// Translates a user's custom list (either vocabulary, any case or spacing, labels accepted,
/// several names per entry allowed) into the vocabulary `kind` uses, deduplicated, in the order
/// given.
///
/// * For an API token, an old-style name becomes the new-style scopes of it and of everything
///   it implies (`pullrequest:write` → write and read of pull requests and repositories), since
///   nothing implies anything among new-style scopes.
/// * For an access token, a new-style name becomes its old-style counterpart, and every scope
///   must be one that kind of token can be given.
///
/// Unknown names, names the kind cannot be given, and names without a counterpart are errors
/// that name the scope and say what to do.
pub fn for_kind(scopes: &[String], kind: CredentialKind) -> Result<Vec<String>, ScopeError> {
    let target = Vocabulary::of_kind(kind);
    let mut out = Vec::new();
    for entry in scopes {
        for item in split_custom(entry) {
            let Some(name) = canonical(&item) else {
                if let Some(newer) = newer_bitbucket_scope(&item) {
                    if target == Vocabulary::AccessToken {
                        return Err(ScopeError::NewerThanApp { scope: newer, kind });
                    }
                    if !out.contains(&newer) {
                        out.push(newer);
                    }
                    continue;
                }
                return Err(ScopeError::Unknown { scope: shorten(&item), suggestion: suggest(&item) });
            };
            translate_into(name, kind, target, &mut out)?;
        }
    }
    Ok(out)
}

/// A Bitbucket scope of the API-token vocabulary that this app does not know yet
/// (`read:package:bitbucket` appeared in id.atlassian.com's picker after the committed spec),
/// normalised; `None` for anything else, including a near miss of a known scope, which is a
/// typo rather than a new scope.
pub fn newer_bitbucket_scope(input: &str) -> Option<String> {
    let key = squash(input);
    if canonical(&key).is_some() || key.chars().count() > MAX_SCOPE_INPUT {
        return None;
    }
    let mut parts = key.split(':');
    let (action, resource, app) = (parts.next()?, parts.next()?, parts.next()?);
    let resource_ok = !resource.is_empty()
        && resource.starts_with(|c: char| c.is_ascii_lowercase())
        && resource.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if parts.next().is_some() || app != "bitbucket" || !matches!(action, "read" | "write" | "admin" | "delete") || !resource_ok {
        return None;
    }
    let near_known = all_scopes().any(|s| distance(&key, s.name) <= 2);
    (!near_known).then_some(key)
}

fn translate_into(
    name: &'static str,
    kind: CredentialKind,
    target: Vocabulary,
    out: &mut Vec<String>,
) -> Result<(), ScopeError> {
    let Some(source) = vocabulary_of(name) else {
        return Err(ScopeError::Unknown { scope: name.to_string(), suggestion: None });
    };
    match (source, target) {
        (Vocabulary::ApiToken, Vocabulary::ApiToken) => super::push_unique(out, name),
        (Vocabulary::AccessToken, Vocabulary::ApiToken) => {
            if old_to_new(name).is_empty() {
                return Err(ScopeError::NoEquivalent { scope: name, kind });
            }
            for implied in closure(name) {
                for n in old_to_new(&implied) {
                    super::push_unique(out, n);
                }
            }
        }
        (Vocabulary::ApiToken, Vocabulary::AccessToken) => {
            let old = new_to_old(name).ok_or(ScopeError::NoEquivalent { scope: name, kind })?;
            check_offered(old, kind)?;
            super::push_unique(out, old);
        }
        (Vocabulary::AccessToken, Vocabulary::AccessToken) => {
            check_offered(name, kind)?;
            super::push_unique(out, name);
        }
    }
    Ok(())
}

fn check_offered(name: &'static str, kind: CredentialKind) -> Result<(), ScopeError> {
    if offered_to(name, kind) {
        Ok(())
    } else {
        Err(ScopeError::NotOffered { scope: name, kind, offered_by: kinds_offering(name) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialKind::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn custom_lists_translate() {
        let api = for_kind(&s(&["Repository:Write", " pullrequest "]), ApiToken).unwrap();
        assert_eq!(api, s(&["write:repository:bitbucket", "read:repository:bitbucket", "read:pullrequest:bitbucket"]));
        let api = for_kind(&s(&["read:repository", "read:repository:bitbucket, read:me"]), ApiToken).unwrap();
        assert_eq!(api, s(&["read:repository:bitbucket", "read:me"]));
        let tok = for_kind(&s(&["read:repository:bitbucket", "write:webhook:bitbucket", "read:webhook", "Pull requests: Write"]), RepositoryToken).unwrap();
        assert_eq!(tok, s(&["repository", "webhook", "pullrequest:write"]));
        let tok = for_kind(&s(&["repository pullrequest", "", " ; "]), ProjectToken).unwrap();
        assert_eq!(tok, s(&["repository", "pullrequest"]));
        assert_eq!(for_kind(&[], WorkspaceToken).unwrap(), Vec::<String>::new());
        assert_eq!(for_kind(&s(&["account"]), WorkspaceToken).unwrap(), s(&["account"]));
    }
}
