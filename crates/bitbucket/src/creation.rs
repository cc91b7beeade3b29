//! Where each kind of credential is created: the page, and the way to it through Bitbucket's
//! (or id.atlassian.com's) menus. Step 2 of the wizard and every verdict that says "create a
//! new one" take it from here, so the two never disagree.

use super::credential::CredentialKind;
use super::location::Location;

/// The page that creates a credential of one kind for one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationPage {
    /// The way to the page in the menus, in Bitbucket's words.
    pub menu: &'static str,
    /// The address to open (https, bitbucket.org or id.atlassian.com).
    pub url: String,
    /// True when `url` is the creation page itself; false when it is the nearest page the
    /// user goes on from (the workspace when no repository is known, the list of projects).
    pub direct: bool,
}

impl CreationPage {
    /// The page in one sentence for a message: the menu path, with the address when it is
    /// the page itself.
    pub fn hint(&self) -> String {
        if self.direct {
            format!("{} ({}).", self.menu, self.url)
        } else {
            format!("{}.", self.menu)
        }
    }
}

/// The page that creates a credential of `kind` for `location`. An app password (retired)
/// gets the API token's page, which replaces it.
pub fn page(kind: CredentialKind, location: &Location) -> CreationPage {
    let ws = &location.workspace;
    match kind {
        CredentialKind::RepositoryToken => CreationPage {
            menu: "Repository settings > Security > Access tokens",
            url: match &location.repository {
                Some(repo) => format!("https://bitbucket.org/{ws}/{repo}/admin/access-tokens"),
                None => format!("https://bitbucket.org/{ws}/"),
            },
            direct: location.repository.is_some(),
        },
        // UNCONFIRMED: the direct URL of a project's access-token page needs the project key,
        // which the user may not know; the projects list is one click away from it.
        CredentialKind::ProjectToken => CreationPage {
            menu: "Project settings > Security > Access tokens",
            url: format!("https://bitbucket.org/{ws}/workspace/projects/"),
            direct: false,
        },
        CredentialKind::WorkspaceToken => CreationPage {
            menu: "Workspace settings > Security > Access tokens",
            url: format!("https://bitbucket.org/{ws}/workspace/settings/access-tokens"),
            direct: true,
        },
        CredentialKind::ApiToken | CredentialKind::AppPassword => CreationPage {
            menu: "id.atlassian.com > Security > API tokens",
            url: "https://id.atlassian.com/manage-profile/security/api-tokens".to_string(),
            direct: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location;

    #[test]
    fn hints_name_the_page_when_it_is_the_page() {
        let repo = location::parse("acme/website").unwrap();
        let ws = location::parse("acme").unwrap();
        assert_eq!(
            page(CredentialKind::RepositoryToken, &repo).hint(),
            "Repository settings > Security > Access tokens (https://bitbucket.org/acme/website/admin/access-tokens)."
        );
        assert_eq!(page(CredentialKind::RepositoryToken, &ws).hint(), "Repository settings > Security > Access tokens.");
        assert_eq!(page(CredentialKind::RepositoryToken, &ws).url, "https://bitbucket.org/acme/");
        assert_eq!(page(CredentialKind::ProjectToken, &repo).hint(), "Project settings > Security > Access tokens.");
        assert_eq!(
            page(CredentialKind::WorkspaceToken, &repo).hint(),
            "Workspace settings > Security > Access tokens (https://bitbucket.org/acme/workspace/settings/access-tokens)."
        );
        assert_eq!(page(CredentialKind::AppPassword, &ws), page(CredentialKind::ApiToken, &repo));
        assert_eq!(
            page(CredentialKind::ApiToken, &ws).hint(),
            "id.atlassian.com > Security > API tokens (https://id.atlassian.com/manage-profile/security/api-tokens)."
        );
    }
}
