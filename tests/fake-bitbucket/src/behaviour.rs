//! Worlds: the behaviours of Bitbucket Cloud that nobody here has observed.
//!
//! Some of Bitbucket's answers are documented nowhere (`docs/bitbucket-behaviour.md`, "The
//! points", lists them; "What Atlassian documents" lists what is known). Each point a verdict could
//! depend on is a switch here, so that a test can run the app in every plausible Bitbucket
//! instead of in the one the fake's author imagined. [`Behaviour::default`] is the fake's
//! original reading (kept for the demo and the older tests); [`Behaviour::strictest`] is the
//! least helpful Bitbucket that is still plausible; [`Behaviour::all`] is every combination.
//!
//! `docs/bitbucket-behaviour.md` lists the same points with the live case that settles each,
//! and `tests/live.rs` records them from the real service.

use std::fmt;
use std::str::FromStr;

/// What `GET /2.0/workspaces/{workspace}` (and the paths below it) answer to a repository or
/// project access token. The spec lists no old-style scope for it; Atlassian's page says
/// repository access tokens "can't be used to manage or interact with workspaces, projects, or
/// any other repository".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NarrowTokenOnWorkspace {
    /// 200 with the workspace (the fake's original reading).
    #[default]
    Allowed,
    /// 403 "lack one or more required privilege scopes", `x-accepted-oauth-scopes: account`,
    /// `detail.required: ["account"]` — a scope these tokens cannot even be given.
    ForbiddenAccount,
    /// 404, as for a workspace out of reach.
    NotFound,
}

/// Whether `x-oauth-scopes` of an API token lists the Atlassian platform scopes
/// (`read:account`, `read:me`) it holds. Published captures show only `*:bitbucket` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PlatformScopes {
    #[default]
    Listed,
    Hidden,
}

/// Which levels of an access token's scopes `x-oauth-scopes` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScopeLevels {
    /// Exactly the boxes that were ticked (the fake's original reading).
    #[default]
    AsTicked,
    /// Only the highest level of each: `pullrequest:write` stands for pull requests read and
    /// write and repositories read and write.
    HighestOnly,
    /// Every level the token holds, implied ones included.
    EveryLevel,
}

/// What an API token created without scopes gets. Documented: it fails like a bad token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UnscopedApiToken {
    /// 401 with `x-credential-type: api_token` and an empty `x-oauth-scopes`.
    #[default]
    Identified,
    /// A bare 401, like any wrong token.
    Bare,
}

/// What `/2.0/user` (and `/user/*`) answer to an access token, which has no user behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UserForAccessTokens {
    /// 403 with the credential headers (Atlassian: `/user` is not for access tokens;
    /// `docs/bitbucket-behaviour.md`, "Credentials and how each is sent").
    #[default]
    Forbidden,
    /// A bare 401 "not supported for this endpoint".
    Unauthorized,
}

/// Which Bitbucket checks first for a token that both lacks a scope and cannot reach the
/// resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CheckOrder {
    /// 403 for the scope first (the fake's original reading).
    #[default]
    ScopesFirst,
    /// 404 for the reach first.
    ReachFirst,
}

/// Which implications between old-style scopes Bitbucket applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Implications {
    /// Only those Atlassian's narrative states in words (`pullrequest:write` ⊃ `pullrequest` +
    /// `repository:write`, …; `docs/scopes.md`, "Implications"); `pipeline:write` does not
    /// include `pipeline`.
    #[default]
    Documented,
    /// Also write ⊃ read for pipelines, runners and account, as the spec's one-line scope
    /// descriptions suggest (`docs/scopes.md`, "Implications", the unconfirmed rows).
    WriteImpliesRead,
}

/// Whether Bitbucket sends `x-credential-type`, `x-oauth-scopes` and `x-accepted-oauth-scopes`.
/// They are observed, not documented: neither the OpenAPI spec nor Atlassian's pages mention
/// them, so a Bitbucket that stops sending them is plausible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CredentialHeaders {
    /// Sent on every answer to a recognised credential (the fake's original reading).
    #[default]
    Sent,
    /// Never sent: only status codes and bodies say anything.
    Absent,
}

/// One switch of [`Behaviour`] (plus the 403 detail mode), as the fake records it when an
/// answer depends on it. A test can then skip the worlds that differ only in switches a
/// request never consulted: those worlds answer it byte for byte the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Switch {
    NarrowTokenOnWorkspace,
    PlatformScopes,
    ScopeLevels,
    UnscopedApiToken,
    UserForAccessTokens,
    CheckOrder,
    Implications,
    CredentialHeaders,
    /// [`crate::DetailMode`]: how much a 403 for missing scopes says.
    Detail,
}

impl Switch {
    pub const ALL: [Switch; 9] = [
        Switch::NarrowTokenOnWorkspace,
        Switch::PlatformScopes,
        Switch::ScopeLevels,
        Switch::UnscopedApiToken,
        Switch::UserForAccessTokens,
        Switch::CheckOrder,
        Switch::Implications,
        Switch::CredentialHeaders,
        Switch::Detail,
    ];
}

thread_local! {
    /// The switches the answer being built has consulted (see [`consulted`]).
    static CONSULTED: std::cell::RefCell<Vec<Switch>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes that the answer being built depends on `s`.
pub(crate) fn consult(s: Switch) {
    CONSULTED.with(|c| {
        let mut c = c.borrow_mut();
        if !c.contains(&s) {
            c.push(s);
        }
    });
}

/// Starts a new answer: forgets what the last one consulted.
pub(crate) fn start_answer() {
    CONSULTED.with(|c| c.borrow_mut().clear());
}

/// What the answer built since [`start_answer`] consulted, sorted.
pub(crate) fn consulted() -> Vec<Switch> {
    CONSULTED.with(|c| {
        let mut v = c.borrow().clone();
        v.sort();
        v
    })
}

/// One plausible Bitbucket: a value for every UNCONFIRMED switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Behaviour {
    pub narrow_token_on_workspace: NarrowTokenOnWorkspace,
    pub platform_scopes: PlatformScopes,
    pub scope_levels: ScopeLevels,
    pub unscoped_api_token: UnscopedApiToken,
    pub user_for_access_tokens: UserForAccessTokens,
    pub check_order: CheckOrder,
    pub implications: Implications,
    pub credential_headers: CredentialHeaders,
}

impl Behaviour {
    /// The least helpful plausible Bitbucket: repository and project tokens refused on the
    /// workspace with a scope they cannot have, platform scopes not listed, only the highest
    /// scope levels listed, a bare 401 for an unscoped API token and for `/user`, reach checked
    /// before scopes, only the documented implications. (The credential headers are still
    /// sent: the live contract suite compares them with the real service's.)
    pub fn strictest() -> Behaviour {
        Behaviour {
            narrow_token_on_workspace: NarrowTokenOnWorkspace::ForbiddenAccount,
            platform_scopes: PlatformScopes::Hidden,
            scope_levels: ScopeLevels::HighestOnly,
            unscoped_api_token: UnscopedApiToken::Bare,
            user_for_access_tokens: UserForAccessTokens::Unauthorized,
            check_order: CheckOrder::ReachFirst,
            implications: Implications::Documented,
            credential_headers: CredentialHeaders::Sent,
        }
    }

    /// Every combination of the switches (576 worlds), the default first.
    pub fn all() -> Vec<Behaviour> {
        use NarrowTokenOnWorkspace as W;
        let mut out = Vec::new();
        for narrow in [W::Allowed, W::ForbiddenAccount, W::NotFound] {
            for platform in [PlatformScopes::Listed, PlatformScopes::Hidden] {
                for levels in [ScopeLevels::AsTicked, ScopeLevels::HighestOnly, ScopeLevels::EveryLevel] {
                    for unscoped in [UnscopedApiToken::Identified, UnscopedApiToken::Bare] {
                        for user in [UserForAccessTokens::Forbidden, UserForAccessTokens::Unauthorized] {
                            for order in [CheckOrder::ScopesFirst, CheckOrder::ReachFirst] {
                                for implications in [Implications::Documented, Implications::WriteImpliesRead] {
                                    for headers in [CredentialHeaders::Sent, CredentialHeaders::Absent] {
                                        out.push(Behaviour {
                                            narrow_token_on_workspace: narrow,
                                            platform_scopes: platform,
                                            scope_levels: levels,
                                            unscoped_api_token: unscoped,
                                            user_for_access_tokens: user,
                                            check_order: order,
                                            implications,
                                            credential_headers: headers,
                                        });
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// `self` with `switch` set to each of its values in turn (the detail mode is not part
    /// of a `Behaviour`: see [`crate::DetailMode`]).
    pub fn each_value_of(self, switch: Switch) -> Vec<Behaviour> {
        let with = |f: &dyn Fn(&mut Behaviour)| {
            let mut b = self;
            f(&mut b);
            b
        };
        match switch {
            Switch::NarrowTokenOnWorkspace => [NarrowTokenOnWorkspace::Allowed, NarrowTokenOnWorkspace::ForbiddenAccount, NarrowTokenOnWorkspace::NotFound]
                .into_iter()
                .map(|v| with(&|b| b.narrow_token_on_workspace = v))
                .collect(),
            Switch::PlatformScopes => [PlatformScopes::Listed, PlatformScopes::Hidden].into_iter().map(|v| with(&|b| b.platform_scopes = v)).collect(),
            Switch::ScopeLevels => [ScopeLevels::AsTicked, ScopeLevels::HighestOnly, ScopeLevels::EveryLevel]
                .into_iter()
                .map(|v| with(&|b| b.scope_levels = v))
                .collect(),
            Switch::UnscopedApiToken => [UnscopedApiToken::Identified, UnscopedApiToken::Bare].into_iter().map(|v| with(&|b| b.unscoped_api_token = v)).collect(),
            Switch::UserForAccessTokens => [UserForAccessTokens::Forbidden, UserForAccessTokens::Unauthorized]
                .into_iter()
                .map(|v| with(&|b| b.user_for_access_tokens = v))
                .collect(),
            Switch::CheckOrder => [CheckOrder::ScopesFirst, CheckOrder::ReachFirst].into_iter().map(|v| with(&|b| b.check_order = v)).collect(),
            Switch::Implications => [Implications::Documented, Implications::WriteImpliesRead].into_iter().map(|v| with(&|b| b.implications = v)).collect(),
            Switch::CredentialHeaders => [CredentialHeaders::Sent, CredentialHeaders::Absent]
                .into_iter()
                .map(|v| with(&|b| b.credential_headers = v))
                .collect(),
            Switch::Detail => vec![self],
        }
    }

    /// The switches as `key=value` pairs, the form [`FromStr`] reads.
    fn pairs(&self) -> [(&'static str, &'static str); 8] {
        [
            (
                "workspace",
                match self.narrow_token_on_workspace {
                    NarrowTokenOnWorkspace::Allowed => "allowed",
                    NarrowTokenOnWorkspace::ForbiddenAccount => "403",
                    NarrowTokenOnWorkspace::NotFound => "404",
                },
            ),
            ("platform-scopes", match self.platform_scopes {
                PlatformScopes::Listed => "listed",
                PlatformScopes::Hidden => "hidden",
            }),
            ("levels", match self.scope_levels {
                ScopeLevels::AsTicked => "as-ticked",
                ScopeLevels::HighestOnly => "highest",
                ScopeLevels::EveryLevel => "every",
            }),
            ("unscoped", match self.unscoped_api_token {
                UnscopedApiToken::Identified => "identified",
                UnscopedApiToken::Bare => "bare",
            }),
            ("user", match self.user_for_access_tokens {
                UserForAccessTokens::Forbidden => "403",
                UserForAccessTokens::Unauthorized => "401",
            }),
            ("order", match self.check_order {
                CheckOrder::ScopesFirst => "scopes-first",
                CheckOrder::ReachFirst => "reach-first",
            }),
            ("implications", match self.implications {
                Implications::Documented => "documented",
                Implications::WriteImpliesRead => "write-implies-read",
            }),
            ("headers", match self.credential_headers {
                CredentialHeaders::Sent => "sent",
                CredentialHeaders::Absent => "absent",
            }),
        ]
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&text.join(","))
    }
}

/// Reads `default`, `strictest`, or comma-separated `key=value` pairs on top of the default
/// (the keys and values [`Display`](fmt::Display) writes).
impl FromStr for Behaviour {
    type Err = String;

    fn from_str(s: &str) -> Result<Behaviour, String> {
        let s = s.trim();
        match s {
            "" | "default" => return Ok(Behaviour::default()),
            "strictest" => return Ok(Behaviour::strictest()),
            _ => {}
        }
        let mut b = Behaviour::default();
        for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| format!("{pair:?} is not key=value"))?;
            let bad = || format!("unknown value {value:?} for {key}");
            match key.trim() {
                "workspace" => {
                    b.narrow_token_on_workspace = match value {
                        "allowed" | "200" => NarrowTokenOnWorkspace::Allowed,
                        "403" => NarrowTokenOnWorkspace::ForbiddenAccount,
                        "404" => NarrowTokenOnWorkspace::NotFound,
                        _ => return Err(bad()),
                    }
                }
                "platform-scopes" => {
                    b.platform_scopes = match value {
                        "listed" => PlatformScopes::Listed,
                        "hidden" => PlatformScopes::Hidden,
                        _ => return Err(bad()),
                    }
                }
                "levels" => {
                    b.scope_levels = match value {
                        "as-ticked" => ScopeLevels::AsTicked,
                        "highest" => ScopeLevels::HighestOnly,
                        "every" => ScopeLevels::EveryLevel,
                        _ => return Err(bad()),
                    }
                }
                "unscoped" => {
                    b.unscoped_api_token = match value {
                        "identified" => UnscopedApiToken::Identified,
                        "bare" => UnscopedApiToken::Bare,
                        _ => return Err(bad()),
                    }
                }
                "user" => {
                    b.user_for_access_tokens = match value {
                        "403" => UserForAccessTokens::Forbidden,
                        "401" => UserForAccessTokens::Unauthorized,
                        _ => return Err(bad()),
                    }
                }
                "order" => {
                    b.check_order = match value {
                        "scopes-first" => CheckOrder::ScopesFirst,
                        "reach-first" => CheckOrder::ReachFirst,
                        _ => return Err(bad()),
                    }
                }
                "implications" => {
                    b.implications = match value {
                        "documented" => Implications::Documented,
                        "write-implies-read" => Implications::WriteImpliesRead,
                        _ => return Err(bad()),
                    }
                }
                "headers" => {
                    b.credential_headers = match value {
                        "sent" => CredentialHeaders::Sent,
                        "absent" => CredentialHeaders::Absent,
                        _ => return Err(bad()),
                    }
                }
                other => return Err(format!("unknown switch {other:?}")),
            }
        }
        Ok(b)
    }
}

/// The old-style implications of `implications`, applied transitively: what a token whose
/// boxes `ticked` were ticked holds.
pub fn holds(ticked: &[String], implications: Implications) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in ticked {
        let s = s.trim().to_owned();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    let mut i = 0;
    while i < out.len() {
        for s in implied(&out[i], implications) {
            if !out.iter().any(|o| o == s) {
                out.push((*s).to_owned());
            }
        }
        i += 1;
    }
    out
}

fn implied(scope: &str, implications: Implications) -> &'static [&'static str] {
    match scope {
        "repository:write" => &["repository"],
        "pullrequest" => &["repository"],
        "pullrequest:write" => &["pullrequest", "repository:write"],
        "project" => &["repository"],
        _ if implications == Implications::Documented => &[],
        "pipeline:write" | "pipeline:variable" => &["pipeline"],
        "runner:write" => &["runner"],
        "account:write" => &["account"],
        _ => &[],
    }
}

/// What `x-oauth-scopes` lists for an access token whose boxes `ticked` were ticked, noting
/// the switches the listing depends on for this token.
pub(crate) fn listed_access_token_scopes_consulting(ticked: &[String], b: Behaviour) -> Vec<String> {
    let listing = |levels, implications| {
        listed_access_token_scopes(ticked, Behaviour { scope_levels: levels, implications, ..b })
    };
    let levels = [ScopeLevels::AsTicked, ScopeLevels::HighestOnly, ScopeLevels::EveryLevel];
    let as_is = listing(b.scope_levels, b.implications);
    if levels.iter().any(|l| listing(*l, b.implications) != as_is) {
        consult(Switch::ScopeLevels);
    }
    let other = match b.implications {
        Implications::Documented => Implications::WriteImpliesRead,
        Implications::WriteImpliesRead => Implications::Documented,
    };
    if levels.iter().any(|l| listing(*l, other) != listing(*l, b.implications)) {
        consult(Switch::Implications);
    }
    as_is
}

/// What a token whose boxes `ticked` were ticked holds, noting whether the implications of
/// the world changed it.
pub(crate) fn holds_consulting(ticked: &[String], implications: Implications) -> Vec<String> {
    let mut a = holds(ticked, Implications::Documented);
    let mut b = holds(ticked, Implications::WriteImpliesRead);
    a.sort();
    b.sort();
    if a != b {
        consult(Switch::Implications);
    }
    holds(ticked, implications)
}

/// What `x-oauth-scopes` lists for an access token whose boxes `ticked` were ticked.
pub fn listed_access_token_scopes(ticked: &[String], b: Behaviour) -> Vec<String> {
    match b.scope_levels {
        ScopeLevels::AsTicked => ticked.iter().map(|s| s.trim().to_owned()).collect(),
        ScopeLevels::EveryLevel => holds(ticked, b.implications),
        ScopeLevels::HighestOnly => {
            let all = holds(ticked, b.implications);
            all.iter()
                .filter(|s| {
                    !all.iter().any(|other| {
                        other != *s && holds(std::slice::from_ref(other), b.implications).contains(s)
                    })
                })
                .cloned()
                .collect()
        }
    }
}

/// The Atlassian platform scopes (not Bitbucket's own).
pub const PLATFORM_SCOPES: [&str; 2] = ["read:account", "read:me"];

/// What `x-oauth-scopes` lists for an API token holding `scopes`.
pub fn listed_api_token_scopes(scopes: &[String], b: Behaviour) -> Vec<String> {
    if scopes.iter().any(|s| PLATFORM_SCOPES.contains(&s.as_str())) {
        consult(Switch::PlatformScopes);
    }
    scopes
        .iter()
        .filter(|s| b.platform_scopes == PlatformScopes::Listed || !PLATFORM_SCOPES.contains(&s.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn every_world_round_trips_through_its_name() {
        let all = Behaviour::all();
        assert_eq!(all.len(), 3 * 2 * 3 * 2 * 2 * 2 * 2 * 2);
        assert_eq!(all[0], Behaviour::default());
        assert!(all.contains(&Behaviour::strictest()));
        let mut seen = std::collections::HashSet::new();
        for b in all {
            assert!(seen.insert(b));
            assert_eq!(b.to_string().parse::<Behaviour>(), Ok(b));
        }
        assert_eq!("strictest".parse::<Behaviour>(), Ok(Behaviour::strictest()));
        assert_eq!("default".parse::<Behaviour>(), Ok(Behaviour::default()));
        assert!("workspace=500".parse::<Behaviour>().is_err());
        assert!("nonsense".parse::<Behaviour>().is_err());
    }

    #[test]
    fn listings_follow_the_levels() {
        let ticked = v(&["repository", "repository:write", "pullrequest", "pullrequest:write"]);
        let mut b = Behaviour::default();
        assert_eq!(listed_access_token_scopes(&ticked, b), ticked);
        b.scope_levels = ScopeLevels::HighestOnly;
        assert_eq!(listed_access_token_scopes(&ticked, b), v(&["pullrequest:write"]));
        b.scope_levels = ScopeLevels::EveryLevel;
        let mut every = listed_access_token_scopes(&v(&["pullrequest:write"]), b);
        every.sort();
        assert_eq!(every, v(&["pullrequest", "pullrequest:write", "repository", "repository:write"]));
        // pipeline:write stands alone unless write implies read in this world
        b.scope_levels = ScopeLevels::HighestOnly;
        assert_eq!(listed_access_token_scopes(&v(&["pipeline", "pipeline:write"]), b), v(&["pipeline", "pipeline:write"]));
        b.implications = Implications::WriteImpliesRead;
        assert_eq!(listed_access_token_scopes(&v(&["pipeline", "pipeline:write"]), b), v(&["pipeline:write"]));
    }

    #[test]
    fn platform_scopes_can_be_hidden() {
        let scopes = v(&["read:repository:bitbucket", "read:account", "read:me"]);
        let mut b = Behaviour::default();
        assert_eq!(listed_api_token_scopes(&scopes, b), scopes);
        b.platform_scopes = PlatformScopes::Hidden;
        assert_eq!(listed_api_token_scopes(&scopes, b), v(&["read:repository:bitbucket"]));
    }
}
