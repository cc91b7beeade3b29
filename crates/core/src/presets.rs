//! What each target product needs from a Bitbucket Cloud credential: one table, one row per
//! product, derived from the product's own setup guide (quoted in the comments). Each product's
//! needs, with its guide's public address, are in `docs/products.md`; the guides' lines that name
//! scopes are quoted in `tests/data/guides/`, which `tests/guides.rs` holds the table against.
//!
//! Every row lists its scopes in both vocabularies (old-style names for access tokens,
//! new-style for API tokens) so that [`required_scopes`] can answer for whichever kind of
//! credential the user creates. App passwords are accepted by no row: they stopped working on
//! 2026-07-28, and the app only recognises one to explain that.

use serde::{Deserialize, Serialize};

use crate::bitbucket::credential::CredentialKind;
use crate::bitbucket::scopes::{self, ScopeError, Vocabulary};
use crate::bitbucket::target::Target;

/// The products (and the two generic targets) the wizard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresetId {
    Sqai,
    Autoheal,
    Katalon,
    Cubyts,
    Nirvai,
    N8n,
    Git,
    Custom,
}

impl PresetId {
    pub const ALL: [PresetId; 8] = [
        PresetId::Sqai,
        PresetId::Autoheal,
        PresetId::Katalon,
        PresetId::Cubyts,
        PresetId::Nirvai,
        PresetId::N8n,
        PresetId::Git,
        PresetId::Custom,
    ];

    /// The product's stable short name ("sqai"): what files and scripts write.
    pub fn slug(self) -> &'static str {
        get(self).slug
    }

    /// What the validation engine checks a credential against for this preset; `custom` as
    /// in [`required_scopes`].
    pub fn target(self, custom: &[String]) -> Target {
        get(self).target(custom)
    }

    /// The preset whose [`Target::id`] (and JSON name) is `id`, exactly.
    pub fn from_target_id(id: &str) -> Option<PresetId> {
        PresetId::ALL.into_iter().find(|p| p.slug() == id)
    }

    /// Position in [`PRESETS`]; a `match` so that adding a variant without a row fails to build.
    fn index(self) -> usize {
        match self {
            PresetId::Sqai => 0,
            PresetId::Autoheal => 1,
            PresetId::Katalon => 2,
            PresetId::Cubyts => 3,
            PresetId::Nirvai => 4,
            PresetId::N8n => 5,
            PresetId::Git => 6,
            PresetId::Custom => 7,
        }
    }
}

/// One field of the product's own form, so the wizard can say what goes where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    pub key: &'static str,
    /// The field's name as the product shows it.
    pub label: &'static str,
    /// The product's length limit, when its guide gives one.
    pub max_len: Option<usize>,
    /// What to put there, in plain words.
    pub note: &'static str,
}

/// Everything the wizard needs to know about one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preset {
    pub id: PresetId,
    pub slug: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    /// Kinds the product accepts, in order of preference.
    pub kinds: &'static [CredentialKind],
    pub recommended: CredentialKind,
    /// Old-style scopes the product needs from an access token. Bitbucket offers some of them
    /// only on some kinds (Projects and Account on workspace tokens); [`required_scopes`] leaves
    /// out what the chosen kind cannot have, and [`unavailable_scopes`] names it.
    pub access_token_scopes: &'static [&'static str],
    /// New-style scopes the product needs from an API token. Filled for every product, also
    /// those that take no API token, as the equivalent of the access-token list.
    pub api_token_scopes: &'static [&'static str],
    /// True when the product works on one repository, so the check needs one.
    pub needs_repository: bool,
    /// The product's form, in its order.
    pub fields: &'static [Field],
    pub notes: &'static [&'static str],
}

impl Preset {
    /// The engine's view of this preset: its name, whether it needs a repository, and the
    /// scopes (or the refusal, in the user's words) for every kind. The id is the preset's
    /// JSON name, so reports and saved checks show it as before.
    pub fn target(&self, custom: &[String]) -> Target {
        let id = self.id;
        Target::new(self.slug, self.name, self.needs_repository, |kind| {
            required_scopes(id, kind, custom).map_err(|e| e.to_string())
        })
    }
}

const fn field(key: &'static str, label: &'static str, max_len: Option<usize>, note: &'static str) -> Field {
    Field { key, label, max_len, note }
}

use CredentialKind::{ApiToken, ProjectToken, RepositoryToken, WorkspaceToken};

/// The table. Order matches [`PresetId::index`].
static PRESETS: [Preset; 8] = [
    // SQAI Suite (docs/products.md#sqai-suite), "Step 3: Set Access Token Scopes":
    //   "Repositories | Read & Write (Allows SQAI to read existing code for context and
    //    write/push new scripts.)"
    //   "Pull Requests | Read & Write (Allows SQAI to create the PR for your team's review.)"
    // Credential: "Repository Access Tokens (Recommended for SQAI)", or a workspace access token.
    Preset {
        id: PresetId::Sqai,
        slug: "sqai",
        name: "SQAI Suite",
        summary: "Reads your repository's code and pushes generated test-automation scripts to a new branch with a pull request for review.",
        kinds: &[RepositoryToken, WorkspaceToken],
        recommended: RepositoryToken,
        access_token_scopes: &["repository", "repository:write", "pullrequest", "pullrequest:write"],
        api_token_scopes: &[
            "read:repository:bitbucket",
            "write:repository:bitbucket",
            "read:pullrequest:bitbucket",
            "write:pullrequest:bitbucket",
        ],
        needs_repository: true,
        fields: &[
            field("api_key", "API key", None, "The access token. SQAI calls it 'API key'."),
            field("expiration_date", "Expiration Date", None, "Optional: the expiry date you chose for the token; SQAI reminds you before it."),
            field("base_url", "Base URL / API URL", None, "Leave the defaults for Bitbucket Cloud."),
            field("base_branch", "Base branch", None, "The repository's default branch (for example main)."),
            field("workspace", "Bitbucket Workspace", None, "The first part of the address after bitbucket.org/."),
            field("repository", "Bitbucket Repository", None, "The second part of the address (the repository name)."),
            field("token_scope", "Token Scope", None, "REPO for a repository access token."),
        ],
        notes: &[
            "SQAI pushes a branch and opens a pull request, so it needs both Repositories (Read and Write) and Pull requests (Read and Write).",
            "Token Scope: SQAI's guide documents only REPO (repository access token); the value for a workspace access token is UNCONFIRMED.",
        ],
    },
    // Autoheal (docs/products.md#autoheal), "Filter permissions by "read" and grant the following
    // scopes: read:repository:bitbucket, read:pipeline:bitbucket, read:workspace:bitbucket,
    // read:pullrequest:bitbucket, read:project:bitbucket, read:user:bitbucket, read:account,
    // read:me". Credential: "An Atlassian API Token with scopes, or a Workspace/Repository
    // Access Token"; API token recommended. The access-token list is the old-style counterpart
    // (`account` covers user and workspace reads; it and `project` exist on workspace tokens
    // only). read:account and read:me have no access-token counterpart.
    Preset {
        id: PresetId::Autoheal,
        slug: "autoheal",
        name: "Autoheal",
        summary: "Reads code, pull requests, commits, branches and pipeline results during investigations (read only).",
        kinds: &[ApiToken, WorkspaceToken, RepositoryToken],
        recommended: ApiToken,
        access_token_scopes: &["repository", "pullrequest", "pipeline", "project", "account"],
        api_token_scopes: &[
            "read:repository:bitbucket",
            "read:pipeline:bitbucket",
            "read:workspace:bitbucket",
            "read:pullrequest:bitbucket",
            "read:project:bitbucket",
            "read:user:bitbucket",
            "read:account",
            "read:me",
        ],
        needs_repository: false,
        fields: &[
            field("name", "Name", None, "Any name, for example \"Production Bitbucket\"."),
            field("email", "Email", None, "API token only: your Atlassian account email, not your Bitbucket username."),
            field("token", "API Token / Access Token", None, "The token you created."),
            field("workspace", "Workspace", None, "Your workspace slug: bitbucket.org/{workspace}."),
        ],
        notes: &[
            "Choose \"Create API token with scopes\" (not plain \"Create API token\") and pick the Bitbucket app.",
            "With a repository access token Bitbucket offers no Projects or Account scopes; Autoheal then sees that one repository only.",
        ],
    },
    // Katalon TestOps (docs/products.md#katalon-testops): the form asks for "Bitbucket Username" and
    // "Bitbucket App Password"; "Service Hooks will be automatically created". The guide lists
    // no scopes; the project reads what Katalon does as "read account, repository, pull requests;
    // it creates service hooks (webhook)". App passwords are dead, so an API token goes in the
    // password field.
    // `webhook` (old) allowed read, create and delete, so the API-token list keeps all three
    // (UNCONFIRMED whether Katalon ever deletes its hooks).
    // "Bitbucket Username" with an API token depends on what Katalon does with it, which its
    // guide does not say (UNCONFIRMED). Atlassian, for the REST API
    // (https://support.atlassian.com/bitbucket-cloud/kb/this-api-is-not-accessible-by-this-authentication-mechanism/):
    //   "Basic Auth using your Atlassian account email address and an API token"
    // and for git over HTTPS (https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/,
    // "Using API tokens with Git commands"):
    //   "To authenticate with Bitbucket Cloud using an API token, you will need the API token and
    //    your Bitbucket username." … "Alternatively, you can also use the static username
    //    `x-bitbucket-api-token-auth`"
    // So the email works for the REST API only; the field note and notes say both.
    Preset {
        id: PresetId::Katalon,
        slug: "katalon",
        name: "Katalon TestOps",
        summary: "Syncs test cases and test suites from your repositories into TestOps and creates webhooks to keep them in sync.",
        kinds: &[ApiToken],
        recommended: ApiToken,
        access_token_scopes: &["account", "repository", "pullrequest", "webhook"],
        api_token_scopes: &[
            "read:user:bitbucket",
            "read:workspace:bitbucket",
            "read:repository:bitbucket",
            "read:pullrequest:bitbucket",
            "read:webhook:bitbucket",
            "write:webhook:bitbucket",
            "delete:webhook:bitbucket",
        ],
        needs_repository: false,
        fields: &[
            field("integration_name", "Integration Name", Some(50), "Any name for the connection."),
            field("organization_account_url", "Organization Account URL", None, "Your workspace address; must start with https://, for example https://bitbucket.org/your-workspace."),
            field("username", "Bitbucket Username", None, "With an API token, Bitbucket's REST API takes your Atlassian account email and git over HTTPS takes your Bitbucket username (or x-bitbucket-api-token-auth), not the email. Katalon's guide does not say which it uses (UNCONFIRMED): the email is filled in; if Test Connection fails, enter your Bitbucket username (Personal Bitbucket settings) instead."),
            field("app_password", "Bitbucket App Password", None, "Paste the API token here: app passwords no longer work."),
            field("description", "Description", Some(255), "Optional."),
            field("project_display_name", "Display Name (project level)", Some(50), "Per TestOps project: any name for the linked repository."),
            field("project_url", "URL (project level)", None, "The repository address with branch and folder, for example https://bitbucket.org/your-workspace/your-repo/src/main/Test%20Cases."),
            field("project_description", "Description (project level)", Some(255), "Optional."),
        ],
        notes: &[
            "Katalon's guide still asks for an app password, but app passwords stopped working on 2026-07-28. Create an API token with scopes and put it in the app-password field.",
            "Which username goes with an API token depends on how it is used. Bitbucket's REST API: \"Basic Auth using your Atlassian account email address and an API token\". Git over HTTPS: \"you will need the API token and your Bitbucket username\", or the static username x-bitbucket-api-token-auth; the email does not work there (Atlassian, \"Using API tokens\").",
            "Katalon creates webhooks (\"service hooks\") by itself, so the token needs the webhook scopes.",
            "You need the Account Admin or System Admin role in TestOps.",
        ],
    },
    // Cubyts (docs/products.md#cubyts), Part 1, "Scopes": "Repositories — Read", "Pull Requests —
    // Read". "Leave all other scopes unchecked unless specifically required by your setup."
    // Token level: repository or workspace. Part 2 (app password) is "only for legacy
    // integrations" and dead now.
    Preset {
        id: PresetId::Cubyts,
        slug: "cubyts",
        name: "Cubyts",
        summary: "Analyses pull requests, commits and review activity to produce engineering insights (read only).",
        kinds: &[RepositoryToken, WorkspaceToken],
        recommended: RepositoryToken,
        access_token_scopes: &["repository", "pullrequest"],
        api_token_scopes: &["read:repository:bitbucket", "read:pullrequest:bitbucket"],
        needs_repository: false,
        fields: &[
            field("token_level", "Token level", None, "Repository or Workspace: the level at which you created the token."),
            field("token", "Access token", None, "The token you created."),
        ],
        notes: &[
            "Choose the same level in Cubyts as the token you created (repository or workspace).",
            "Cubyts' app-password option stopped working on 2026-07-28; use an access token.",
            "Only admins of the Cubyts workspace can set this up.",
        ],
    },
    // Nirvai (docs/products.md#nirvai). Repository access token (recommended) scopes:
    // "read:repository, write:repository, read:webhook, write:webhook". "Required Scopes"
    // table: read:user:bitbucket, read:workspace:bitbucket, read:repository:bitbucket,
    // write:repository:bitbucket, read:webhook:bitbucket, write:webhook:bitbucket,
    // delete:webhook:bitbucket. Its methods: repository token, workspace token, app password
    // (dead). Old-style: Repositories Read/Write, Webhooks (read, write and delete in one), and
    // Account: Read for the user/workspace reads, which only workspace tokens offer.
    Preset {
        id: PresetId::Nirvai,
        slug: "nirvai",
        name: "Nirvai",
        summary: "Lets Nirvai agents read and push to your repository and manage its webhooks.",
        kinds: &[RepositoryToken, WorkspaceToken],
        recommended: RepositoryToken,
        access_token_scopes: &["repository", "repository:write", "webhook", "account"],
        api_token_scopes: &[
            "read:user:bitbucket",
            "read:workspace:bitbucket",
            "read:repository:bitbucket",
            "write:repository:bitbucket",
            "read:webhook:bitbucket",
            "write:webhook:bitbucket",
            "delete:webhook:bitbucket",
        ],
        needs_repository: false,
        fields: &[field("token", "Token", None, "The access token you created.")],
        notes: &[
            "Nirvai's scope table uses API-token names (read:repository:bitbucket, …) because it was adapted from n8n's guide. On an access token tick Repositories: Read and Write and Webhooks: Read and write (and Account: Read on a workspace token).",
            "Nirvai's app-password option stopped working on 2026-07-28; use a repository access token.",
            "Nirvai mentions pull requests, but its scope list has none; if your agents must open pull requests, add pullrequest:write.",
        ],
    },
    // n8n (docs/products.md#n8n; n8n 2.39.10's own code): the
    // credential for an API token is "bitbucketAccessTokenApi" ("Bitbucket Access Token API",
    // fields Email and Access Token; "bitbucketApi" is the app-password one); scopes: "read:user:bitbucket,
    // read:workspace:bitbucket, read:repository:bitbucket, read:webhook:bitbucket,
    // write:webhook:bitbucket, delete:webhook:bitbucket". The Bitbucket Trigger node creates a
    // webhook on activation and deletes it on deactivation.
    Preset {
        id: PresetId::N8n,
        slug: "n8n",
        name: "n8n",
        summary: "The n8n Bitbucket Trigger: creates a webhook on a repository and starts workflows on its events.",
        kinds: &[ApiToken],
        recommended: ApiToken,
        access_token_scopes: &["account", "repository", "webhook"],
        api_token_scopes: &[
            "read:user:bitbucket",
            "read:workspace:bitbucket",
            "read:repository:bitbucket",
            "read:webhook:bitbucket",
            "write:webhook:bitbucket",
            "delete:webhook:bitbucket",
        ],
        needs_repository: false,
        fields: &[
            field("email", "Email", None, "Your Atlassian account email, not your Bitbucket username."),
            field("api_token", "Access Token", None, "The API token with scopes you created (n8n calls the field Access Token)."),
        ],
        notes: &[
            "In n8n, create a \"Bitbucket Access Token API\" credential: your Atlassian account email and the API token with scopes. (n8n's \"Bitbucket API\" credential is for the retired app passwords.) The n8n export is tested with n8n 2.39.10's own import and export.",
            "The trigger creates its webhook when the workflow is activated and deletes it when deactivated, hence read, write and delete of webhooks.",
        ],
    },
    // Plain git over HTTPS: clone needs Repositories Read, push needs Write (spec narrative:
    // "clone (`repository`) and push (`repository:write`)"; API tokens need read and write
    // separately). Every token kind works; the git username differs (see notes).
    Preset {
        id: PresetId::Git,
        slug: "git",
        name: "Git over HTTPS",
        summary: "Clone and push with git over HTTPS.",
        kinds: &[RepositoryToken, ProjectToken, WorkspaceToken, ApiToken],
        recommended: RepositoryToken,
        access_token_scopes: &["repository", "repository:write"],
        api_token_scopes: &["read:repository:bitbucket", "write:repository:bitbucket"],
        needs_repository: true,
        fields: &[
            field("clone_url", "Clone URL", None, "https://bitbucket.org/{workspace}/{repository}.git"),
            field("username", "Username", None, "x-token-auth for an access token; x-bitbucket-api-token-auth for an API token."),
            field("password", "Password", None, "The token."),
        ],
        notes: &[
            "Cloning needs only read; pushing needs write.",
            "git asks for a username and password: the username is x-token-auth (access tokens) or x-bitbucket-api-token-auth (API tokens), the password is the token.",
        ],
    },
    // Custom: the user's own list, in either vocabulary, translated for the kind chosen.
    Preset {
        id: PresetId::Custom,
        slug: "custom",
        name: "Custom",
        summary: "Your own list of scopes.",
        kinds: &[RepositoryToken, ProjectToken, WorkspaceToken, ApiToken],
        recommended: RepositoryToken,
        access_token_scopes: &[],
        api_token_scopes: &[],
        needs_repository: false,
        fields: &[],
        notes: &["Type scopes in either naming (repository:write or write:repository:bitbucket); they are translated for the kind of token you create."],
    },
];

/// Every preset, in the order the wizard lists them.
pub fn all() -> &'static [Preset] {
    &PRESETS
}

pub fn get(id: PresetId) -> &'static Preset {
    &PRESETS[id.index()]
}

/// The preset for its short name, ignoring case, spaces, `-` and `_`, and accepting the
/// products' full names ("katalon-testops", "SQAI Suite").
pub fn from_slug(name: &str) -> Option<PresetId> {
    let key: String = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let alias = match key.as_str() {
        "sqaisuite" => Some(PresetId::Sqai),
        "katalontestops" | "testops" => Some(PresetId::Katalon),
        "githttps" | "gitoverhttps" => Some(PresetId::Git),
        _ => None,
    };
    alias.or_else(|| PresetId::ALL.into_iter().find(|id| id.slug() == key))
}

/// Why a preset cannot give a scope list. `Display` is the user's sentence and what to do
/// about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    #[error("{preset} does not accept {}.{} It accepts: {}.", .kind.with_article(), retired_note(.kind), labels(.accepted))]
    KindNotAccepted { preset: &'static str, kind: CredentialKind, accepted: Vec<CredentialKind> },
    #[error("A custom setup needs at least one scope. List the scopes the tool needs, for example \"repository, pullrequest:write\" or \"read:repository:bitbucket\".")]
    NoCustomScopes,
    #[error(transparent)]
    Scope(#[from] ScopeError),
}

fn retired_note(kind: &CredentialKind) -> &'static str {
    if *kind == CredentialKind::AppPassword {
        " App passwords stopped working on 2026-07-28."
    } else {
        ""
    }
}

fn labels(kinds: &[CredentialKind]) -> String {
    kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")
}

/// The preset's own scopes for `kind`, in that kind's vocabulary. Access-token scopes the kind
/// cannot be given are left out: the product's guide accepts the kind, and Bitbucket offers no
/// box to tick (see [`unavailable_scopes`]).
fn base_scopes(preset: &Preset, kind: CredentialKind) -> Vec<String> {
    match Vocabulary::of_kind(kind) {
        Vocabulary::ApiToken => preset.api_token_scopes.iter().map(|s| (*s).to_string()).collect(),
        Vocabulary::AccessToken => preset
            .access_token_scopes
            .iter()
            .filter(|s| scopes::offered_to(s, kind))
            .map(|s| (*s).to_string())
            .collect(),
    }
}

/// The scopes (in the kind's vocabulary) a credential of `kind` needs for this preset.
///
/// For [`PresetId::Custom`], `custom` is the whole list (translated with
/// [`scopes::for_kind`]); for the others, `custom` adds extra scopes to the preset's. Errors
/// when the preset does not accept the kind, when a custom scope is unknown or unavailable for
/// the kind, or when a custom setup lists nothing.
pub fn required_scopes(id: PresetId, kind: CredentialKind, custom: &[String]) -> Result<Vec<String>, PresetError> {
    let preset = get(id);
    if !preset.kinds.contains(&kind) {
        return Err(PresetError::KindNotAccepted { preset: preset.name, kind, accepted: preset.kinds.to_vec() });
    }
    let extra = scopes::for_kind(custom, kind)?;
    if id == PresetId::Custom && extra.is_empty() {
        return Err(PresetError::NoCustomScopes);
    }
    let mut out = base_scopes(preset, kind);
    for name in &extra {
        scopes::push_unique(&mut out, name);
    }
    Ok(out)
}

/// The preset's access-token scopes that Bitbucket does not offer on `kind` (for example
/// Projects: Read and Account: Read on a repository access token), so the wizard can say the
/// product will see less. Empty for API tokens and for kinds the preset does not accept.
pub fn unavailable_scopes(id: PresetId, kind: CredentialKind) -> Vec<&'static str> {
    let preset = get(id);
    if !preset.kinds.contains(&kind) || Vocabulary::of_kind(kind) != Vocabulary::AccessToken {
        return Vec::new();
    }
    preset.access_token_scopes.iter().copied().filter(|s| !scopes::offered_to(s, kind)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn table_is_in_enum_order_and_names_round_trip() {
        assert_eq!(all().len(), PresetId::ALL.len());
        for (i, id) in PresetId::ALL.into_iter().enumerate() {
            assert_eq!(all()[i].id, id);
            assert_eq!(get(id).id, id);
            assert_eq!(from_slug(id.slug()), Some(id));
            assert_eq!(from_slug(&format!("  {} ", id.slug().to_uppercase())), Some(id));
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.slug()));
            assert_eq!(serde_json::from_str::<PresetId>(&json).unwrap(), id);
        }
        assert_eq!(from_slug("Katalon-TestOps"), Some(PresetId::Katalon));
        assert_eq!(from_slug("SQAI Suite"), Some(PresetId::Sqai));
        assert_eq!(from_slug("nope"), None);
        assert_eq!(from_slug(""), None);
    }

    #[test]
    fn rows_are_consistent() {
        for p in all() {
            assert!(!p.kinds.is_empty(), "{}", p.name);
            assert!(p.kinds.contains(&p.recommended), "{}", p.name);
            assert!(!p.kinds.contains(&CredentialKind::AppPassword), "{}: app passwords are dead", p.name);
            let keys: BTreeSet<&str> = p.fields.iter().map(|f| f.key).collect();
            assert_eq!(keys.len(), p.fields.len(), "{}: duplicate field keys", p.name);
            assert!(!p.summary.is_empty() && !p.notes.is_empty(), "{}", p.name);
        }
        assert!(get(PresetId::Sqai).needs_repository);
        let katalon = get(PresetId::Katalon);
        assert_eq!(katalon.fields.iter().find(|f| f.key == "integration_name").and_then(|f| f.max_len), Some(50));
        assert_eq!(katalon.fields.iter().find(|f| f.key == "description").and_then(|f| f.max_len), Some(255));
        assert!(katalon.notes.iter().any(|n| n.contains("app password")));
    }

    #[test]
    fn scopes_are_known_names_of_the_right_vocabulary() {
        for p in all() {
            for name in p.access_token_scopes {
                let info = scopes::lookup(name).unwrap_or_else(|| panic!("{}: unknown {name}", p.name));
                assert_eq!(info.name, *name, "{}: use the exact name", p.name);
                assert_eq!(info.vocabulary, Vocabulary::AccessToken, "{}: {name}", p.name);
                assert!(!scopes::kinds_offering(name).is_empty(), "{}: no access token can have {name}", p.name);
            }
            for name in p.api_token_scopes {
                let info = scopes::lookup(name).unwrap_or_else(|| panic!("{}: unknown {name}", p.name));
                assert_eq!(info.name, *name, "{}: use the exact name", p.name);
                assert_eq!(info.vocabulary, Vocabulary::ApiToken, "{}: {name}", p.name);
            }
        }
    }

    #[test]
    fn api_token_lists_cover_the_access_token_lists() {
        for p in all() {
            // Old → new: the translation of the access-token list is inside the API-token list.
            let translated = scopes::for_kind(&s(p.access_token_scopes), CredentialKind::ApiToken).unwrap();
            for n in &translated {
                assert!(p.api_token_scopes.contains(&n.as_str()), "{}: API-token list lacks {n}", p.name);
            }
            // New → old, where a counterpart exists: covered by the access-token list.
            let expanded = scopes::expand(p.access_token_scopes);
            for n in p.api_token_scopes {
                if let Some(o) = scopes::new_to_old(n) {
                    assert!(expanded.contains(o), "{}: access-token list lacks {o} (for {n})", p.name);
                }
            }
        }
    }

    #[test]
    fn required_scopes_for_every_accepted_kind() {
        for p in all().iter().filter(|p| p.id != PresetId::Custom) {
            for kind in p.kinds {
                let got = required_scopes(p.id, *kind, &[]).unwrap();
                assert!(!got.is_empty(), "{} / {kind:?}", p.name);
                let vocab = Vocabulary::of_kind(*kind);
                for name in &got {
                    assert_eq!(scopes::vocabulary_of(name), Some(vocab), "{} / {kind:?}: {name}", p.name);
                    assert!(scopes::offered_to(name, *kind), "{} / {kind:?}: {name} cannot be ticked", p.name);
                }
            }
        }
        assert_eq!(
            required_scopes(PresetId::Sqai, CredentialKind::RepositoryToken, &[]).unwrap(),
            s(&["repository", "repository:write", "pullrequest", "pullrequest:write"])
        );
        assert_eq!(
            required_scopes(PresetId::Autoheal, CredentialKind::ApiToken, &[]).unwrap().len(),
            8
        );
        assert_eq!(
            required_scopes(PresetId::Autoheal, CredentialKind::RepositoryToken, &[]).unwrap(),
            s(&["repository", "pullrequest", "pipeline"])
        );
        assert_eq!(
            required_scopes(PresetId::Autoheal, CredentialKind::WorkspaceToken, &[]).unwrap(),
            s(&["repository", "pullrequest", "pipeline", "project", "account"])
        );
        assert_eq!(unavailable_scopes(PresetId::Autoheal, CredentialKind::RepositoryToken), vec!["project", "account"]);
        assert!(unavailable_scopes(PresetId::Autoheal, CredentialKind::ApiToken).is_empty());
        assert_eq!(
            required_scopes(PresetId::Nirvai, CredentialKind::RepositoryToken, &[]).unwrap(),
            s(&["repository", "repository:write", "webhook"])
        );
        assert_eq!(
            required_scopes(PresetId::Git, CredentialKind::ApiToken, &[]).unwrap(),
            s(&["read:repository:bitbucket", "write:repository:bitbucket"])
        );
        assert_eq!(
            required_scopes(PresetId::N8n, CredentialKind::ApiToken, &[]).unwrap(),
            s(&["read:user:bitbucket", "read:workspace:bitbucket", "read:repository:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket", "delete:webhook:bitbucket"])
        );
    }

    #[test]
    fn rejects_unaccepted_kinds() {
        for p in all() {
            for kind in CredentialKind::ALL.into_iter().filter(|k| !p.kinds.contains(k)) {
                let e = required_scopes(p.id, kind, &[]).unwrap_err();
                assert!(matches!(e, PresetError::KindNotAccepted { .. }), "{} / {kind:?}", p.name);
                let m = e.to_string();
                assert!(m.contains(p.name) && m.contains(p.recommended.label()), "{m}");
            }
        }
        let e = required_scopes(PresetId::Katalon, CredentialKind::AppPassword, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Katalon TestOps does not accept an app password. App passwords stopped working on 2026-07-28. It accepts: API token with scopes."
        );
        let e = required_scopes(PresetId::Sqai, CredentialKind::ApiToken, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "SQAI Suite does not accept an API token with scopes. It accepts: repository access token, workspace access token."
        );
    }

    #[test]
    fn custom_lists() {
        assert_eq!(
            required_scopes(PresetId::Custom, CredentialKind::ApiToken, &s(&["repository:write", "Pull requests: Read"])).unwrap(),
            s(&["write:repository:bitbucket", "read:repository:bitbucket", "read:pullrequest:bitbucket"])
        );
        assert_eq!(
            required_scopes(PresetId::Custom, CredentialKind::WorkspaceToken, &s(&["read:repository:bitbucket, read:user:bitbucket"])).unwrap(),
            s(&["repository", "account"])
        );
        let e = required_scopes(PresetId::Custom, CredentialKind::RepositoryToken, &[]).unwrap_err();
        assert_eq!(e, PresetError::NoCustomScopes);
        assert!(e.to_string().contains("for example"));
        let e = required_scopes(PresetId::Custom, CredentialKind::RepositoryToken, &s(&[" , "])).unwrap_err();
        assert_eq!(e, PresetError::NoCustomScopes);
        let e = required_scopes(PresetId::Custom, CredentialKind::RepositoryToken, &s(&["repositroy"])).unwrap_err();
        assert!(e.to_string().contains("Did you mean \"repository\""), "{e}");
        let e = required_scopes(PresetId::Custom, CredentialKind::RepositoryToken, &s(&["account"])).unwrap_err();
        assert!(matches!(e, PresetError::Scope(ScopeError::NotOffered { .. })), "{e:?}");
        let e = required_scopes(PresetId::Custom, CredentialKind::AppPassword, &s(&["repository"])).unwrap_err();
        assert!(matches!(e, PresetError::KindNotAccepted { .. }));
    }

    #[test]
    fn extras_add_to_a_preset() {
        assert_eq!(
            required_scopes(PresetId::Cubyts, CredentialKind::RepositoryToken, &s(&["pipeline", "repository"])).unwrap(),
            s(&["repository", "pullrequest", "pipeline"])
        );
        assert_eq!(
            required_scopes(PresetId::Nirvai, CredentialKind::RepositoryToken, &s(&["write:pullrequest:bitbucket"])).unwrap(),
            s(&["repository", "repository:write", "webhook", "pullrequest:write"])
        );
        let e = required_scopes(PresetId::Cubyts, CredentialKind::RepositoryToken, &s(&["project"])).unwrap_err();
        assert!(e.to_string().contains("project access tokens and workspace access tokens"), "{e}");
    }

    #[test]
    fn the_engine_target_is_the_row() {
        let extra = s(&["pipeline"]);
        for p in all() {
            let t = p.target(&extra);
            assert_eq!(t.id, serde_json::to_value(p.id).unwrap(), "the report shows the id as before");
            assert_eq!(PresetId::from_target_id(&t.id), Some(p.id));
            assert_eq!((t.name.as_str(), t.needs_repository), (p.name, p.needs_repository));
            for kind in CredentialKind::ALL {
                let expected = required_scopes(p.id, kind, &extra).map_err(|e| e.to_string());
                assert_eq!(t.required_scopes(kind), expected, "{} / {kind:?}", p.name);
            }
        }
        assert_eq!(PresetId::from_target_id("SQAI"), None);
    }

    #[test]
    fn presets_serialize_for_the_window() {
        let json = serde_json::to_value(get(PresetId::Katalon)).unwrap();
        assert_eq!(json["id"], "katalon");
        assert_eq!(json["kinds"][0], "api_token");
        assert_eq!(json["fields"][0]["max_len"], 50);
    }
}
