//! The rules for workspace IDs and repository slugs, and their canonical (lowercase) forms.

use super::{LocationError, NameProblem, REPOSITORY_SLUG_MAX_LEN, WORKSPACE_ID_MAX_LEN};

/// The two kinds of name, each with its own documented rule.
#[derive(Clone, Copy)]
pub(super) enum NameKind {
    Workspace,
    Repository,
}

impl NameKind {
    /// Workspace IDs: lowercase letters, digits, `-`, `_` (upper case is lowered first).
    /// Repository slugs: additionally `.`.
    fn allows(self, c: char) -> bool {
        c.is_ascii_alphanumeric()
            || c == '-'
            || c == '_'
            || (c == '.' && matches!(self, NameKind::Repository))
    }

    fn max_len(self) -> usize {
        match self {
            NameKind::Workspace => WORKSPACE_ID_MAX_LEN,
            NameKind::Repository => REPOSITORY_SLUG_MAX_LEN,
        }
    }
}

/// Checks a decoded workspace ID and returns its canonical form.
pub(super) fn validate_workspace(value: &str) -> Result<String, LocationError> {
    normalise_name(value, NameKind::Workspace).map_err(|problem| LocationError::InvalidWorkspace {
        value: value.to_string(),
        problem,
    })
}

/// Checks a decoded repository slug and returns its canonical form.
pub(super) fn validate_repository(value: &str) -> Result<String, LocationError> {
    normalise_name(value, NameKind::Repository).map_err(|problem| {
        LocationError::InvalidRepository {
            value: value.to_string(),
            problem,
        }
    })
}

/// Applies a name rule: a `{uuid}` (braces added when missing) or an allowed, lowercased slug.
/// Characters are checked before lowering, so a message names exactly what the user typed.
pub(super) fn normalise_name(value: &str, kind: NameKind) -> Result<String, NameProblem> {
    if value.is_empty() {
        return Err(NameProblem::Empty);
    }
    if let Some(uuid) = read_uuid(value)? {
        return Ok(uuid);
    }
    if let Some(character) = value.chars().find(|&c| !kind.allows(c)) {
        return Err(NameProblem::BadCharacter { character });
    }
    let length = value.chars().count();
    if length > kind.max_len() {
        return Err(NameProblem::TooLong {
            length,
            max: kind.max_len(),
        });
    }
    if !value.chars().any(|c| c.is_ascii_alphanumeric()) {
        return Err(NameProblem::NoLetterOrDigit);
    }
    Ok(value.to_ascii_lowercase())
}

/// `{uuid}` → lowercase `{uuid}`; a bare UUID gets its braces (the API reads a bare one as a
/// slug, and nobody names a workspace like a UUID); braces around anything else are an error.
fn read_uuid(value: &str) -> Result<Option<String>, NameProblem> {
    let braced = value.starts_with('{') || value.ends_with('}');
    let inner = if braced {
        value
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .ok_or(NameProblem::BadUuid)?
    } else {
        value
    };
    if is_uuid(inner) {
        Ok(Some(format!("{{{}}}", inner.to_ascii_lowercase())))
    } else if braced {
        Err(NameProblem::BadUuid)
    } else {
        Ok(None)
    }
}

/// The 8-4-4-4-12 hexadecimal form.
pub(super) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// True when text can only be a name: nothing that makes it an address.
pub(super) fn is_plain_name(text: &str) -> bool {
    !text.contains(['/', ':', '@', '?', '#'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::*;
    use crate::location::testing::*;

    #[test]
    fn bad_workspace_names_the_character_and_rule() {
        let e = err("ac me/website");
        assert_eq!(
            e,
            LocationError::InvalidWorkspace {
                value: "ac me".into(),
                problem: NameProblem::BadCharacter { character: ' ' }
            }
        );
        let message = e.to_string();
        assert!(
            message.contains("a space") && message.contains("lowercase letters"),
            "{message}"
        );

        // `acme.corp/website` would read as a host; a dot that cannot be a domain is a character.
        let e = err("acme.1/website");
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::BadCharacter { character: '.' },
                ..
            }
        ));
        assert!(e.to_string().contains("\".\""));

        let e = err("https://bitbucket.org/ac%24me/website");
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::BadCharacter { character: '$' },
                ..
            }
        ));

        let e = err("---");
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::NoLetterOrDigit,
                ..
            }
        ));

        let e = err("{not-a-uuid}");
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::BadUuid,
                ..
            }
        ));

        let e = err(&"a".repeat(WORKSPACE_ID_MAX_LEN + 1));
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::TooLong { .. },
                ..
            }
        ));
    }

    #[test]
    fn bad_repository_slugs() {
        let e = err("acme/web site");
        assert!(matches!(
            e,
            LocationError::InvalidRepository {
                problem: NameProblem::BadCharacter { character: ' ' },
                ..
            }
        ));
        assert!(
            e.to_string().contains("\"web-site\""),
            "{}",
            e.to_string()
        );

        let e = err("https://bitbucket.org/acme/web%2Bsite");
        assert!(matches!(
            e,
            LocationError::InvalidRepository {
                problem: NameProblem::BadCharacter { character: '+' },
                ..
            }
        ));
        assert!(e.to_string().contains("\"+\""));

        let long = format!("acme/{}", "r".repeat(REPOSITORY_SLUG_MAX_LEN + 1));
        let e = err(&long);
        assert_eq!(
            e,
            LocationError::InvalidRepository {
                value: "r".repeat(63),
                problem: NameProblem::TooLong {
                    length: 63,
                    max: REPOSITORY_SLUG_MAX_LEN
                }
            }
        );
        assert!(e.to_string().contains("at most 62"));
        let ok = format!("acme/{}", "r".repeat(REPOSITORY_SLUG_MAX_LEN));
        assert!(parse(&ok).is_ok());

        let e = err("acme/...");
        assert!(matches!(
            e,
            LocationError::InvalidRepository {
                problem: NameProblem::NoLetterOrDigit,
                ..
            }
        ));
    }

    #[test]
    fn unicode_input_is_reported_by_character() {
        let e = err("ünïcødé");
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::BadCharacter { character: 'ü' },
                ..
            }
        ));
        assert!(e.to_string().contains("\"ü\""));

        let e = err("https://bitbucket.org/acme/caf%C3%A9");
        assert!(matches!(
            e,
            LocationError::InvalidRepository {
                problem: NameProblem::BadCharacter { character: 'é' },
                ..
            }
        ));

        let e = err("acme/web\u{200b}site");
        assert!(
            e.to_string().contains("invisible character (U+200B)"),
            "{}",
            e.to_string()
        );

        let e = err("https://bitbucket.org/acme/%FF%FE");
        assert!(
            e.to_string().contains("could not be read"),
            "{}",
            e.to_string()
        );

        let e = err("🦀/🦀");
        assert!(matches!(
            e,
            LocationError::InvalidWorkspace {
                problem: NameProblem::BadCharacter { character: '🦀' },
                ..
            }
        ));

        // A Unicode host becomes punycode and is simply not Bitbucket.
        assert!(err("https://bitbücket.org/acme/website").is_not_cloud());
    }
}
