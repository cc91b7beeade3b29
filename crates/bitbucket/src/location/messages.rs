//! What a person reads when a location cannot be used: `Display` of [`LocationError`], one or two
//! plain sentences saying what is wrong and what to do.


use super::names::{normalise_name, NameKind};
use super::{LocationError, LocationPart, NameProblem};

/// How long a quoted value may be inside a message before it is shortened with "…".
const QUOTE_MAX_CHARS: usize = 60;

/// `Display` is the user's sentence: one or two plain sentences for a non-technical admin,
/// what is wrong and what to do.
impl std::fmt::Display for LocationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence())
    }
}

impl LocationError {
    fn sentence(&self) -> String {
        const EXAMPLE: &str = "https://bitbucket.org/acme/website";
        match self {
            LocationError::Empty => format!(
                "Paste the address of your Bitbucket repository (for example {EXAMPLE}), or type \
                 the workspace ID."
            ),
            LocationError::NotCloud { host } => not_cloud_message(host),
            LocationError::UnsupportedScheme { scheme } => format!(
                "Addresses that start with \"{}:\" cannot point to Bitbucket Cloud. Paste the \
                 https:// address from your browser instead, for example {EXAMPLE}.",
                quote(scheme)
            ),
            LocationError::Unrecognised { input } => format!(
                "\"{}\" does not look like a Bitbucket address. Paste the address of the \
                 repository from your browser (for example {EXAMPLE}), or type \
                 workspace/repository.",
                quote(input)
            ),
            LocationError::NoWorkspace => format!(
                "That address points to Bitbucket itself, not to a workspace or repository. Open \
                 the repository in Bitbucket and copy the address from the address bar (for \
                 example {EXAMPLE})."
            ),
            LocationError::NotAWorkspace { page } => format!(
                "\"{}\" is one of Bitbucket's own pages, not a workspace. Open your repository or \
                 workspace in Bitbucket and copy that address instead (for example {EXAMPLE}).",
                quote(page)
            ),
            LocationError::LooksLikeSecret => format!(
                "That looks like a token or password, not an address. Put it in the token field; \
                 here, paste the address of your repository (for example {EXAMPLE})."
            ),
            LocationError::LocalFolder => format!(
                "That is a folder on this computer, not a Bitbucket address. Open the repository \
                 in Bitbucket and copy the address from your browser (for example {EXAMPLE})."
            ),
            LocationError::InvalidWorkspace { value, problem } => workspace_message(value, problem),
            LocationError::InvalidRepository { value, problem } => {
                repository_message(value, problem)
            }
            LocationError::RepositoryMissing { workspace } => format!(
                "The repository field holds the address of the workspace \"{}\", not of a \
                 repository. Open the repository in Bitbucket and copy its address, or type just \
                 its name.",
                quote(workspace)
            ),
            LocationError::Conflict {
                part: LocationPart::Repository,
                first,
                second,
            } => format!(
                "The workspace field points to the repository \"{}\", but the repository field \
                 says \"{}\". Make them match, or clear the repository field.",
                quote(first),
                quote(second)
            ),
            LocationError::Conflict {
                part: LocationPart::Workspace,
                first,
                second,
            } => format!(
                "The workspace field says \"{}\", but the repository address belongs to the \
                 workspace \"{}\". Make them match, or paste the full repository address into one \
                 field only.",
                quote(first),
                quote(second)
            ),
        }
    }
}

/// Names the other service when it is a well-known one, since "not Bitbucket Cloud" alone
/// would send a GitHub user looking for a Bitbucket Server.
fn not_cloud_message(host: &str) -> String {
    const PASTE: &str = "Paste the address of a repository on bitbucket.org instead, for example \
                         https://bitbucket.org/acme/website.";
    let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    let service = if is("github.com") {
        Some("GitHub")
    } else if is("gitlab.com") {
        Some("GitLab")
    } else if is("dev.azure.com") || is("visualstudio.com") {
        Some("Azure DevOps")
    } else {
        None
    };
    if let Some(service) = service {
        return format!(
            "That is a {service} address ({host}). This app sets up Bitbucket Cloud \
             (bitbucket.org) only. {PASTE}"
        );
    }
    if is("atlassian.net") || is("atlassian.com") {
        return format!(
            "{host} is an Atlassian site or account page, not a Bitbucket repository. {PASTE}"
        );
    }
    format!(
        "{} is not Bitbucket Cloud. This app sets up Bitbucket Cloud (bitbucket.org); Bitbucket \
         Server and Data Center use different tokens. {PASTE}",
        quote(host)
    )
}

/// The message for a workspace ID that breaks a rule.
fn workspace_message(raw: &str, problem: &NameProblem) -> String {
    const RULE: &str =
        "A workspace ID uses only lowercase letters (a-z), digits (0-9), hyphens (-) \
                        and underscores (_).";
    const WHERE: &str = "Copy it from the address bar in Bitbucket: it is the part right after \
                         bitbucket.org/.";
    let value = quote(raw);
    match problem {
        NameProblem::Empty => format!("The workspace ID is missing. {WHERE}"),
        NameProblem::BadCharacter { character } => format!(
            "The workspace ID \"{value}\" contains {}, which is not allowed. {RULE}{} {WHERE}",
            describe_char(*character),
            pair_suggestion(raw)
                .map(|pair| format!(
                    " If you meant a workspace and a repository, write \"{pair}\"."
                ))
                .unwrap_or_default()
        ),
        NameProblem::TooLong { length, max } => format!(
            "The workspace ID \"{value}\" is {length} characters long, more than the {max} this \
             app accepts. Check that only the workspace ID or address was pasted. {WHERE}"
        ),
        NameProblem::NoLetterOrDigit => format!(
            "\"{value}\" cannot be a workspace ID: it has no letters or digits. {RULE} {WHERE}"
        ),
        NameProblem::BadUuid => format!(
            "\"{value}\" is in braces like a workspace UUID, but it is not one. A UUID looks like \
             {{1b2c3d4e-0000-4000-8000-123456789abc}}. Copy it again, or use the workspace ID \
             from the address bar instead."
        ),
    }
}

/// The message for a repository slug that breaks a rule, with a suggestion when the user typed
/// the repository's title ("My Website") instead of its slug.
fn repository_message(value: &str, problem: &NameProblem) -> String {
    const RULE: &str = "A repository name in an address uses only letters (a-z), digits (0-9), \
                        hyphens (-), underscores (_) and dots (.).";
    const WHERE: &str = "Copy it from the repository's address in Bitbucket: it is the part after \
                         the workspace, as in bitbucket.org/acme/website.";
    let quoted = quote(value);
    match problem {
        NameProblem::Empty => format!("The repository name is missing. {WHERE}"),
        NameProblem::BadCharacter { character } => {
            let hint = slug_suggestion(value)
                .map(|slug| {
                    format!(" Bitbucket turns spaces into hyphens, so it is probably \"{slug}\".")
                })
                .unwrap_or_default();
            format!(
                "The repository name \"{quoted}\" contains {}, which is not allowed. {RULE}{hint} {WHERE}",
                describe_char(*character)
            )
        }
        NameProblem::TooLong { length, max } => format!(
            "The repository name \"{quoted}\" is {length} characters long; Bitbucket allows at \
             most {max}. {WHERE}"
        ),
        NameProblem::NoLetterOrDigit => format!(
            "\"{quoted}\" cannot be a repository name: it has no letters or digits. {RULE} {WHERE}"
        ),
        NameProblem::BadUuid => format!(
            "\"{quoted}\" is in braces like a repository UUID, but it is not one. Use the \
             repository name from its address instead. {WHERE}"
        ),
    }
}

/// `acme website` → `acme/website`, when the two words are a valid workspace and repository.
fn pair_suggestion(value: &str) -> Option<String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    match words.as_slice() {
        [workspace, repository] => {
            let workspace = normalise_name(workspace, NameKind::Workspace).ok()?;
            let repository = normalise_name(repository, NameKind::Repository).ok()?;
            Some(format!("{workspace}/{repository}"))
        }
        _ => None,
    }
}

/// `My Website` → `my-website`, when spaces are the only thing wrong.
fn slug_suggestion(value: &str) -> Option<String> {
    let candidate = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase();
    (value.contains(' ') && normalise_name(&candidate, NameKind::Repository).is_ok())
        .then_some(candidate)
}

/// Names a character so that a person can find it: invisible ones by name and code.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        char::REPLACEMENT_CHARACTER => {
            "a character that could not be read (the address may be cut off or mis-encoded)"
                .to_string()
        }
        c if c.is_control() || is_invisible(c) => {
            format!("an invisible character (U+{:04X})", u32::from(c))
        }
        c if c.is_whitespace() => format!("a special space character (U+{:04X})", u32::from(c)),
        c => format!("\"{c}\""),
    }
}

/// Zero-width and direction marks that copy-paste carries along unseen.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// A value as it may appear inside a message: invisible characters replaced, long text cut.
fn quote(value: &str) -> String {
    let visible: String = value
        .chars()
        .map(|c| {
            if c.is_control() || is_invisible(c) {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect();
    shorten(&visible)
}

/// Cuts text to [`QUOTE_MAX_CHARS`] characters (never inside a character).
pub(super) fn shorten(text: &str) -> String {
    crate::safe_text::clip(text, QUOTE_MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use crate::location::*;
    use crate::location::testing::*;

    #[test]
    fn server_and_other_hosts_are_not_cloud() {
        let cases = [
            (
                "https://git.company.com/projects/X/repos/y/browse",
                "git.company.com",
            ),
            (
                "bitbucket.mycorp.com/scm/prj/repo.git",
                "bitbucket.mycorp.com",
            ),
            (
                "https://bitbucket.mycorp.com:7990/scm/prj/repo.git",
                "bitbucket.mycorp.com",
            ),
            (
                "ssh://git@bitbucket.mycorp.com:7999/prj/repo.git",
                "bitbucket.mycorp.com",
            ),
            (
                "git@bitbucket.mycorp.com:prj/repo.git",
                "bitbucket.mycorp.com",
            ),
            ("http://10.0.0.5:7990/projects/PRJ", "10.0.0.5"),
            ("http://localhost:7990/scm/prj/repo.git", "localhost"),
            ("https://github.com/a/b", "github.com"),
            ("gitlab.com/group/project", "gitlab.com"),
            (
                "https://acme.atlassian.net/browse/WEB-1",
                "acme.atlassian.net",
            ),
        ];
        for (input, host) in cases {
            let e = err(input);
            assert_eq!(
                e,
                LocationError::NotCloud {
                    host: host.to_string()
                },
                "{input}"
            );
            assert!(e.is_not_cloud());
        }
        let server = err("bitbucket.mycorp.com/scm/prj/repo.git").to_string();
        assert!(
            server.contains("bitbucket.mycorp.com is not Bitbucket Cloud"),
            "{server}"
        );
        assert!(server.contains("Data Center"), "{server}");
        assert!(err("https://github.com/a/b")
            .to_string()
            .contains("GitHub"));
        assert!(err("https://gitlab.com/a/b")
            .to_string()
            .contains("GitLab"));
        assert!(!err("https://github.com/a/b")
            .to_string()
            .contains("Data Center"));
    }

    #[test]
    fn two_words_suggest_a_pair() {
        let message = err("acme website").to_string();
        assert!(message.contains("\"acme/website\""), "{message}");
        assert!(!err("ac me x").to_string().contains("If you meant"));
    }

    #[test]
    fn tokens_are_never_quoted_back() {
        let token = "ATCTT3xFfGN0abcdefghijklmnopqrstuvwxyz0123456789=ABCDEF12";
        assert_eq!(err(token), LocationError::LooksLikeSecret);
        assert_eq!(
            err(&format!("token: {token}")),
            LocationError::LooksLikeSecret
        );
        let e = parse_parts("acme", Some(token)).unwrap_err();
        assert_eq!(e, LocationError::LooksLikeSecret);
        assert!(!e.to_string().contains("ATCT"));
        assert_plain(&e);
    }

    #[test]
    fn display_is_the_sentence_and_debug_the_details() {
        let e = LocationError::InvalidWorkspace {
            value: "a b".into(),
            problem: NameProblem::BadCharacter { character: ' ' },
        };
        let shown = e.to_string();
        assert!(shown.starts_with(|c: char| c.is_uppercase()) && shown.trim_end().ends_with('.'), "{shown}");
        assert!(shown.contains("a b"), "{shown}");
        assert!(format!("{e:?}").contains("BadCharacter"));
    }
}
