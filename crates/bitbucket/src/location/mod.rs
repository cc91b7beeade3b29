//! Reads whatever a person pastes to say *where* in Bitbucket Cloud a credential is for, and
//! turns it into a clean [`Location`]: a workspace, maybe a repository, maybe a branch and folder.
//!
//! Why a module of its own: admins copy whatever their browser or Bitbucket's Clone dialog shows
//! (a source page three folders deep, a pull request, `git clone git@bitbucket.org:…`, a
//! workspace settings page) or type `acme/website` by hand. Everything after this point deals
//! only with a checked workspace / repository pair, so all the guessing, and every explanation
//! of what was wrong with the text, lives here.
//!
//! The module is pure: no I/O, no Tauri, no other module of the crate. Nothing here panics on any
//! input: strings are cut only at positions returned by `find`/`strip_*`, never by counting bytes.

mod grammar;
mod messages;
mod names;
#[cfg(test)]
mod testing;

use std::fmt;
use std::str::FromStr;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

pub use grammar::{carries_credentials, parse, parse_parts};

/// Bitbucket Cloud's documented maximum length of a repository slug.
pub const REPOSITORY_SLUG_MAX_LEN: usize = 62;

/// Bitbucket documents no maximum for workspace IDs. This cap is only a sanity check, so that a
/// paragraph pasted by mistake is reported as such instead of being sent to the API as a name.
pub const WORKSPACE_ID_MAX_LEN: usize = 100;


/// Characters kept as they are in one URL path segment; everything else (notably `{`, `}`, `/`)
/// is percent-encoded so a name can never change the shape of an API path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A place in Bitbucket Cloud: a workspace, optionally one repository in it, and optionally the
/// branch and folder the user was looking at when they copied the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Lowercase workspace ID, or `{uuid}` with braces, lowercase.
    pub workspace: String,
    /// Lowercase repository slug, or `{uuid}`; `None` means the whole workspace.
    pub repository: Option<String>,
    /// Branch, tag or commit from `/src/{ref}/…`, `/branch/{name}`, `?at=`; decoded, case kept.
    pub git_ref: Option<String>,
    /// Folder or file from `/src/{ref}/{path}`; decoded, no leading or trailing `/`, case kept.
    pub path: Option<String>,
}

/// Which half of a location two inputs disagree about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationPart {
    Workspace,
    Repository,
}

/// What is wrong with a workspace ID or repository slug, precise enough to tell the user which
/// character or rule to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NameProblem {
    /// Nothing where a name should be.
    Empty,
    /// A character the rule does not allow (the first one found).
    BadCharacter { character: char },
    /// Longer than the rule allows.
    TooLong { length: usize, max: usize },
    /// Only hyphens, underscores or dots.
    NoLetterOrDigit,
    /// Written in braces like a UUID, but not a UUID.
    BadUuid,
}

/// Why a pasted location could not be used. `Display` says it in plain words for the person at
/// the screen (the rule of CONTRIBUTING.md); `Debug` is the form for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LocationError {
    Empty,
    NotCloud { host: String },
    UnsupportedScheme { scheme: String },
    Unrecognised {
        /// The text, shortened and with any `user:password@` removed.
        input: String,
    },
    NoWorkspace,
    NotAWorkspace { page: String },
    LooksLikeSecret,
    LocalFolder,
    InvalidWorkspace { value: String, problem: NameProblem },
    InvalidRepository { value: String, problem: NameProblem },
    RepositoryMissing { workspace: String },
    Conflict {
        part: LocationPart,
        first: String,
        second: String,
    },
}

impl std::error::Error for LocationError {}

impl fmt::Display for LocationPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocationPart::Workspace => "workspace",
            LocationPart::Repository => "repository",
        })
    }
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => f.write_str("empty"),
            NameProblem::BadCharacter { character } => {
                write!(f, "character U+{:04X} not allowed", u32::from(*character))
            }
            NameProblem::TooLong { length, max } => write!(f, "{length} characters, at most {max}"),
            NameProblem::NoLetterOrDigit => f.write_str("no letter or digit"),
            NameProblem::BadUuid => f.write_str("braces around something that is not a UUID"),
        }
    }
}

impl FromStr for Location {
    type Err = LocationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Location {
    /// The page of the repository (or workspace) on bitbucket.org, for "Open in Bitbucket".
    pub fn web_url(&self) -> String {
        match self.repository_segment() {
            Some(repo) => format!(
                "https://bitbucket.org/{}/{}",
                self.workspace_segment(),
                repo
            ),
            None => format!("https://bitbucket.org/{}", self.workspace_segment()),
        }
    }

    /// The source page of the branch and folder, when both a repository and a ref are known;
    /// some products ask for exactly this "repository URL with branch and folder".
    pub fn source_url(&self) -> Option<String> {
        let repo = self.repository_segment()?;
        let git_ref = self.git_ref.as_deref()?;
        let mut url = format!(
            "https://bitbucket.org/{}/{}/src/{}/",
            self.workspace_segment(),
            repo,
            encode_segment(git_ref)
        );
        if let Some(path) = &self.path {
            let encoded: Vec<String> = path.split('/').map(encode_segment).collect();
            url.push_str(&encoded.join("/"));
        }
        Some(url)
    }

    /// `workspace/repository`, the form the API calls `full_name`.
    pub fn full_name(&self) -> Option<String> {
        self.repository
            .as_ref()
            .map(|repo| format!("{}/{}", self.workspace, repo))
    }

    /// The workspace as one API path segment; `{uuid}` becomes `%7Buuid%7D`.
    pub fn workspace_segment(&self) -> String {
        encode_segment(&self.workspace)
    }

    /// The repository as one API path segment, when there is one.
    pub fn repository_segment(&self) -> Option<String> {
        self.repository.as_deref().map(encode_segment)
    }

    /// True when `git_ref` looks like a commit hash (7 to 40 hex digits) rather than a branch,
    /// so callers do not offer a commit as a "base branch".
    pub fn ref_is_commit(&self) -> bool {
        self.git_ref.as_deref().is_some_and(is_commit_hash)
    }

    /// A short human form: `acme/website`, `acme (whole workspace)`, plus ` @ main / docs`
    /// when a branch or folder is known.
    pub fn display(&self) -> String {
        let mut out = match &self.repository {
            Some(repo) => format!("{}/{}", self.workspace, repo),
            None => format!("{} (whole workspace)", self.workspace),
        };
        if let Some(git_ref) = &self.git_ref {
            out.push_str(" @ ");
            out.push_str(git_ref);
        }
        if let Some(path) = &self.path {
            out.push_str(" / ");
            out.push_str(path);
        }
        out
    }

    fn workspace_only(workspace: String) -> Self {
        Location {
            workspace,
            repository: None,
            git_ref: None,
            path: None,
        }
    }
}

impl LocationError {

    /// True when the address belongs to some other service (Bitbucket Server / Data Center,
    /// GitHub, …), which callers report as its own kind of problem.
    pub fn is_not_cloud(&self) -> bool {
        matches!(self, LocationError::NotCloud { .. })
    }
}

/// Percent-encodes one path segment.
pub(super) fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// 7 to 40 hexadecimal digits: the shapes of a short or full git commit hash.
pub(super) fn is_commit_hash(text: &str) -> bool {
    (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::testing::*;

    #[test]
    fn derived_forms() {
        let repo =
            parse("https://bitbucket.org/acme/website/src/feature%2Fx/docs/My%20File.md").unwrap();
        assert_eq!(repo.web_url(), "https://bitbucket.org/acme/website");
        assert_eq!(repo.full_name().as_deref(), Some("acme/website"));
        assert_eq!(repo.display(), "acme/website @ feature/x / docs/My File.md");
        assert_eq!(repo.to_string(), repo.display());
        assert_eq!(
            repo.source_url().as_deref(),
            Some("https://bitbucket.org/acme/website/src/feature%2Fx/docs/My%20File.md")
        );
        assert_eq!(parse(&repo.source_url().unwrap()).unwrap(), repo);
        assert!(!repo.ref_is_commit());

        let ws = parse("acme").unwrap();
        assert_eq!(ws.web_url(), "https://bitbucket.org/acme");
        assert_eq!(ws.full_name(), None);
        assert_eq!(ws.repository_segment(), None);
        assert_eq!(ws.source_url(), None);
        assert_eq!(ws.display(), "acme (whole workspace)");

        let ids = parse(&format!("{UUID}/{UUID2}")).unwrap();
        assert_eq!(
            ids.workspace_segment(),
            "%7B0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b%7D"
        );
        assert_eq!(
            ids.repository_segment().as_deref(),
            Some("%7B11111111-2222-4333-8444-555555555555%7D")
        );
        assert_eq!(parse(&ids.web_url()).unwrap(), ids);

        assert!(parse("acme/website/commits/9f8e7d6c5b4a")
            .unwrap()
            .ref_is_commit());
        assert_eq!(
            "acme/website"
                .parse::<Location>()
                .unwrap()
                .full_name()
                .as_deref(),
            Some("acme/website")
        );
    }
}
