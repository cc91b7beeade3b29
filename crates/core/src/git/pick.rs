//! Which saved connection answers git for a repository. git names the repository by host and
//! path (`host=bitbucket.org`, `path=acme/website.git` with `credential.useHttpPath`); git does
//! not say which project the repository is in, so a token known to reach it comes before one
//! that only might:
//!
//! 1. the repository token of that repository;
//! 2. a token known to reach it: its check ran against that repository, or git got in there
//!    with it before (git's `store`, [`Connection::reaches`]); a project token, then a workspace
//!    token, then an API token;
//! 3. a project token of the project a token known to reach it names;
//! 4. a workspace token of its workspace;
//! 5. a project token of its workspace, whose project may not hold the repository;
//! 6. an API token saved for that workspace, then any API token (it reaches all the account's).
//!
//! A token git was refused with at that repository ([`Connection::git_refused`]) comes after
//! every other that fits, so it is offered there again only when nothing else may work. A
//! pinned connection (`git-credential --connection NAME`) wins over all. Another host, an
//! expired token, a retired app password or nothing that fits: no answer, so that git asks the
//! next helper.

use chrono::NaiveDate;

use super::protocol::Query;
use crate::bitbucket::credential::CredentialKind;
use crate::bitbucket::githost::GitBase;
use crate::store::connections::Connection;

/// The repository git asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Lower case; `None` when git sent no path (no `useHttpPath`).
    pub workspace: Option<String>,
    pub repository: Option<String>,
}

impl Wanted {
    /// "acme/website", when git named a repository: how a connection remembers it.
    pub fn repository_place(&self) -> Option<String> {
        Some(format!("{}/{}", self.workspace.as_deref()?, self.repository.as_deref()?))
    }

    /// "acme/website", "acme", or "" when git sent no path: where git was refused.
    pub fn place(&self) -> String {
        self.repository_place().or_else(|| self.workspace.clone()).unwrap_or_default()
    }
}

/// The repository a request names, if it is for Bitbucket's git host (`base`).
pub fn wanted(query: &Query, base: &GitBase) -> Option<Wanted> {
    let protocol = query.protocol.as_deref()?;
    let host = query.host.as_deref()?;
    if !protocol.eq_ignore_ascii_case(base.scheme()) || !host.eq_ignore_ascii_case(base.host()) {
        return None;
    }
    let path = query.path.as_deref().unwrap_or("").trim_matches('/');
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    let workspace = parts.next().map(str::to_ascii_lowercase);
    let repository = parts.next().map(|r| {
        let r = r.to_ascii_lowercase();
        r.strip_suffix(".git").map(str::to_string).unwrap_or(r)
    });
    Some(Wanted { workspace, repository })
}

/// How likely `c` is to reach the repository, narrowest first: lower is better; `None` when it
/// cannot reach it. `project` is the project key a token known to reach the repository names.
fn rank(c: &Connection, w: &Wanted, project: Option<&str>) -> Option<u8> {
    let same_ws = w.workspace.as_deref().is_some_and(|ws| c.workspace.eq_ignore_ascii_case(ws));
    let same_repo = same_ws && w.repository.is_some() && c.repository.as_deref().map(str::to_ascii_lowercase) == w.repository;
    let known = w.repository_place().is_some_and(|p| c.known_to_reach(&p));
    let same_project = project.is_some_and(|p| c.project.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(p)));
    match c.kind {
        CredentialKind::RepositoryToken if same_repo => Some(0),
        CredentialKind::ProjectToken if known => Some(1),
        CredentialKind::WorkspaceToken if known => Some(2),
        CredentialKind::ApiToken if known => Some(3),
        CredentialKind::ProjectToken if same_ws && same_project => Some(4),
        CredentialKind::WorkspaceToken if same_ws => Some(5),
        CredentialKind::ProjectToken if same_ws => Some(6),
        CredentialKind::ApiToken if same_ws => Some(7),
        CredentialKind::ApiToken => Some(8),
        _ => None,
    }
}

/// Whether git can use `c` at all today.
fn usable(c: &Connection, today: NaiveDate) -> bool {
    c.kind.git_username().is_some() && c.kind != CredentialKind::AppPassword && c.expires.is_none_or(|d| d >= today)
}

/// Every connection that may answer for `wanted`, the one to offer first first: a token git was
/// refused with there after all others, then the narrowest ([`rank`]); among equals, one whose
/// last check passed, then the most recently changed. Only the pinned one when one is pinned.
pub fn candidates<'a>(connections: &'a [Connection], wanted: &Wanted, pinned: Option<&str>, today: NaiveDate) -> Vec<&'a Connection> {
    if let Some(key) = pinned.map(str::trim) {
        return connections
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(key) || c.name.eq_ignore_ascii_case(key))
            .filter(|c| usable(c, today))
            .into_iter()
            .collect();
    }
    let place = wanted.place();
    let project = wanted.repository_place().and_then(|p| connections.iter().filter(|c| c.known_to_reach(&p)).find_map(|c| c.project.clone()));
    let mut ranked: Vec<_> = connections
        .iter()
        .filter(|c| usable(c, today))
        .filter_map(|c| rank(c, wanted, project.as_deref()).map(|r| (c.refused_at(&place), r, c)))
        .collect();
    ranked.sort_by_key(|(refused, r, c)| (*refused, *r, !c.last_check.as_ref().is_some_and(|l| l.ok), std::cmp::Reverse(c.updated_at)));
    ranked.into_iter().map(|(_, _, c)| c).collect()
}

/// The connection that answers, if any: the first of [`candidates`].
pub fn pick<'a>(connections: &'a [Connection], wanted: &Wanted, pinned: Option<&str>, today: NaiveDate) -> Option<&'a Connection> {
    candidates(connections, wanted, pinned, today).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn conn(name: &str, kind: CredentialKind, ws: &str, repo: Option<&str>) -> Connection {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        Connection {
            id: format!("id-{name}"),
            created_at: at,
            updated_at: at,
            ..Connection::new(name, crate::presets::PresetId::Git, kind, ws, repo)
        }
    }

    fn query(protocol: &str, host: &str, path: Option<&str>) -> Query {
        Query { protocol: Some(protocol.into()), host: Some(host.into()), path: path.map(String::from), ..Query::default() }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn picked(all: &[Connection], path: Option<&str>) -> Option<String> {
        let w = wanted(&query("https", "bitbucket.org", path), &GitBase::cloud())?;
        pick(all, &w, None, today()).map(|c| c.name.clone())
    }

    #[test]
    fn paths_are_read_the_way_bitbucket_names_repositories() {
        let cloud = GitBase::cloud();
        let w = |p: &str| wanted(&query("https", "bitbucket.org", Some(p)), &cloud).unwrap();
        let both = Wanted { workspace: Some("acme".into()), repository: Some("website".into()) };
        for p in ["acme/website.git", "acme/website", "/acme/website.git/", "Acme/WebSite.GIT", "acme/website.git/info/refs"] {
            assert_eq!(w(p), both, "{p}");
        }
        assert_eq!(w("acme"), Wanted { workspace: Some("acme".into()), repository: None });
        assert_eq!(wanted(&query("https", "bitbucket.org", None), &cloud), Some(Wanted { workspace: None, repository: None }));
        assert!(wanted(&query("https", "BitBucket.ORG", Some("a/b")), &cloud).is_some(), "host names are not case-sensitive");
    }

    #[test]
    fn other_hosts_and_protocols_get_no_answer() {
        let cloud = GitBase::cloud();
        assert!(wanted(&query("https", "github.com", Some("acme/website.git")), &cloud).is_none());
        assert!(wanted(&query("http", "bitbucket.org", Some("acme/website.git")), &cloud).is_none());
        assert!(wanted(&query("https", "bitbucket.org.evil.example", Some("a/b")), &cloud).is_none());
        assert!(wanted(&query("https", "bitbucket.org:8443", Some("a/b")), &cloud).is_none());
        let local = GitBase::parse("http://127.0.0.1:8080").unwrap();
        assert!(wanted(&query("http", "127.0.0.1:8080", Some("a/b")), &local).is_some());
        assert!(wanted(&query("http", "127.0.0.1:8081", Some("a/b")), &local).is_none());
    }

    #[test]
    fn the_narrowest_connection_wins() {
        let repo = conn("repo", CredentialKind::RepositoryToken, "acme", Some("website"));
        let other_repo = conn("other-repo", CredentialKind::RepositoryToken, "acme", Some("api"));
        let project = conn("project", CredentialKind::ProjectToken, "acme", Some("api"));
        let workspace = conn("workspace", CredentialKind::WorkspaceToken, "ACME", None);
        let api_here = conn("api-here", CredentialKind::ApiToken, "acme", None);
        let api_elsewhere = conn("api-elsewhere", CredentialKind::ApiToken, "globex", None);
        let all = vec![api_elsewhere.clone(), api_here.clone(), workspace.clone(), project.clone(), other_repo.clone(), repo.clone()];
        assert_eq!(picked(&all, Some("acme/website.git")).as_deref(), Some("repo"));
        assert_eq!(picked(&all, Some("acme/api.git")).as_deref(), Some("other-repo"));
        assert_eq!(picked(&all[..4], Some("acme/website.git")).as_deref(), Some("workspace"), "its project may not hold the repository");
        assert_eq!(picked(&all[..4], Some("acme/api.git")).as_deref(), Some("project"), "checked against this repository");
        assert_eq!(picked(&[project.clone(), api_here.clone()], Some("acme/website.git")).as_deref(), Some("project"), "a project token of the workspace");
        assert_eq!(picked(&all[..3], Some("acme/website.git")).as_deref(), Some("workspace"));
        assert_eq!(picked(&all[..2], Some("acme/website.git")).as_deref(), Some("api-here"));
        assert_eq!(picked(&all[..1], Some("acme/website.git")).as_deref(), Some("api-elsewhere"), "an API token reaches every workspace of its account");
        assert_eq!(picked(&[repo.clone(), workspace.clone()], Some("globex/site.git")), None, "nothing reaches it: git asks the next helper");
        assert_eq!(picked(&[repo.clone(), api_here.clone()], None).as_deref(), Some("api-here"), "without a path only an API token fits");
        assert_eq!(picked(&[repo], None), None);
    }

    #[test]
    fn a_token_known_to_reach_the_repository_comes_before_one_that_only_might() {
        let project = conn("project", CredentialKind::ProjectToken, "acme", Some("website"));
        let workspace = conn("workspace", CredentialKind::WorkspaceToken, "acme", None);
        let all = vec![project.clone(), workspace.clone()];
        assert_eq!(picked(&all, Some("acme/website.git")).as_deref(), Some("project"), "checked against it");
        assert_eq!(picked(&all, Some("acme/other.git")).as_deref(), Some("workspace"), "the project may be another");
        let mut reached = project.clone();
        reached.note_reached("acme/other");
        assert_eq!(picked(&[reached, workspace.clone()], Some("acme/other.git")).as_deref(), Some("project"), "git got in there with it");
        // A project token of the project a token reaching the repository names.
        let mut web = conn("web", CredentialKind::ProjectToken, "acme", Some("website"));
        web.project = Some("WEB".into());
        let mut web_repo = conn("web-repo", CredentialKind::RepositoryToken, "acme", Some("shop"));
        web_repo.project = Some("web".into());
        let api = conn("api", CredentialKind::ApiToken, "acme", None);
        let w = wanted(&query("https", "bitbucket.org", Some("acme/shop.git")), &GitBase::cloud()).unwrap();
        let order: Vec<_> = candidates(&[api.clone(), workspace.clone(), web.clone(), web_repo], &w, None, today()).iter().map(|c| c.name.clone()).collect();
        assert_eq!(order, ["web-repo", "web", "workspace", "api"]);
    }

    #[test]
    fn a_token_refused_at_a_repository_is_offered_there_last() {
        let mut project = conn("project", CredentialKind::ProjectToken, "acme", Some("website"));
        let api = conn("api", CredentialKind::ApiToken, "acme", None);
        assert_eq!(picked(&[project.clone(), api.clone()], Some("acme/other.git")).as_deref(), Some("project"));
        project.note_refused("acme/other", chrono::Utc::now());
        let all = vec![project.clone(), api.clone()];
        assert_eq!(picked(&all, Some("acme/other.git")).as_deref(), Some("api"), "another token may work there");
        assert_eq!(picked(&all, Some("acme/website.git")).as_deref(), Some("project"), "only that repository");
        assert_eq!(picked(&[project.clone()], Some("acme/other.git")).as_deref(), Some("project"), "nothing else may work: offered again");
        project.note_reached("acme/other");
        assert_eq!(picked(&[project, api], Some("acme/other.git")).as_deref(), Some("project"), "git got in after all");
    }

    #[test]
    fn expired_tokens_and_app_passwords_never_answer() {
        let mut expired = conn("expired", CredentialKind::RepositoryToken, "acme", Some("website"));
        expired.expires = NaiveDate::from_ymd_opt(2026, 11, 27);
        let app = conn("app", CredentialKind::AppPassword, "acme", Some("website"));
        let api = conn("api", CredentialKind::ApiToken, "acme", None);
        assert_eq!(picked(&[expired.clone(), app.clone(), api], Some("acme/website.git")).as_deref(), Some("api"));
        assert_eq!(picked(&[expired, app], Some("acme/website.git")), None);
    }

    #[test]
    fn a_passing_connection_beats_a_failing_one_and_a_pinned_one_beats_all() {
        let mut failing = conn("failing", CredentialKind::WorkspaceToken, "acme", None);
        failing.updated_at += chrono::Duration::days(1);
        failing.last_check = Some(crate::store::connections::LastCheck { at: failing.updated_at, ok: false, problem: None, message: String::new(), details: None });
        let mut passing = conn("passing", CredentialKind::WorkspaceToken, "acme", None);
        passing.last_check = Some(crate::store::connections::LastCheck { at: passing.updated_at, ok: true, problem: None, message: String::new(), details: None });
        let all = vec![failing, passing];
        assert_eq!(picked(&all, Some("acme/website.git")).as_deref(), Some("passing"));
        let w = wanted(&query("https", "bitbucket.org", Some("globex/x.git")), &GitBase::cloud()).unwrap();
        assert_eq!(pick(&all, &w, Some("FAILING"), today()).map(|c| c.name.as_str()), Some("failing"), "pinned by name, any case");
        assert_eq!(pick(&all, &w, Some("id-passing"), today()).map(|c| c.name.as_str()), Some("passing"), "pinned by id");
        assert_eq!(pick(&all, &w, Some("gone"), today()), None);
    }
}
