//! Verdicts that hold in every plausible Bitbucket.
//!
//! Bitbucket's behaviour on several points is UNCONFIRMED (see docs/bitbucket-behaviour.md).
//! The fake has a switch for each ([`fake_bitbucket::behaviour`]); with the 403 detail mode
//! they make 1,728 worlds. Every case below is judged in every one of them:
//!
//! * every preset × every credential kind it accepts, with a token holding exactly the
//!   preset's scopes, at repository level and (where the kind and preset allow) at workspace
//!   level, must pass;
//! * the same token without one scope it can actually have must fail as `missing_scopes`
//!   naming that scope — unless Bitbucket in that world cannot show the scope at all (the
//!   Atlassian platform scopes when the header leaves them out), where it must pass with a
//!   warning naming the scope; and where Bitbucket sends no credential headers (they are
//!   undocumented), it may instead pass with a warning naming the scope that could not be seen
//!   (a write scope is never tried);
//! * every preset × API token on an account that is not an admin of the repository must pass,
//!   except where the preset creates webhooks: there it must fail as `not_repository_admin`,
//!   never as `missing_scopes` (a new token would be refused the same way);
//! * a token in the wrong place, a revoked one, an unscoped API token, a token of another kind
//!   than the one chosen, and one both out of reach and short of a scope must fail with the
//!   right named problem;
//! * no verdict names a scope the credential kind cannot hold.
//!
//! How every world is covered without 1,728 runs of each case: the fake records, for each
//! request, which switches its answer depended on. A case is run in the default world, then
//! in every world that changes only switches its requests consulted, until that set stops
//! growing. A world that differs only in switches no request of the case consulted answers
//! every request of the case byte for byte as an explored world does, so the engine (which
//! sees nothing else) gives the same verdict there. `a_full_product_agrees_for_sample_cases`
//! runs sample cases in all 1,728 worlds directly, as a check on that reasoning.
//!
//! The expectations come from the fake's own model of each world (which scopes the token
//! holds under that world's implications), not from the app's scope tables.

mod support;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use bitbucket_cloud::credential::CredentialKind;
use bitbucket_cloud::scopes;
use bitbucket_cloud::validate::{Problem, Report};
use bitbucket_setup_core::presets::{self, PresetId};
use fake_bitbucket::behaviour::{self, CredentialHeaders, Implications, PlatformScopes, Switch, PLATFORM_SCOPES};
use fake_bitbucket::{demo, AccountRole, Behaviour, DetailMode, FakeBitbucket, FakeToken, TokenState};
use futures::stream::{self, StreamExt};
use support::check::{secret_for, token_for, Check};

/// A world: the switches of the fake, and how much its 403s say.
type World = (Behaviour, DetailMode);

const DETAILS: [DetailMode; 3] = [DetailMode::All, DetailMode::FirstOnly, DetailMode::None];

fn all_worlds() -> Vec<World> {
    Behaviour::all().into_iter().flat_map(|b| DETAILS.into_iter().map(move |d| (b, d))).collect()
}

/// What a case must come to in a world.
#[derive(Debug, Clone)]
enum Expect {
    Pass,
    /// Passes, with a warning naming each of these scopes (Bitbucket cannot show them).
    PassWarning(Vec<String>),
    /// Fails as missing_scopes naming this scope.
    Missing(String),
    /// Fails as missing_scopes naming this scope, or passes with a warning naming it (a
    /// Bitbucket without credential headers cannot show a scope no probe reads).
    MissingOrUnseen(String),
    /// Fails with one of these problems.
    Problem(Vec<Problem>),
}

/// One check and its credential; the expectation depends on the world.
#[derive(Debug, Clone)]
struct Case {
    name: String,
    check: Check,
    token: FakeToken,
    /// For "one scope short" cases: the preset's scopes and the one left out.
    short_of: Option<(Vec<String>, String)>,
    expect: Option<Expect>,
}

impl Case {
    fn token(&self, world: World) -> FakeToken {
        let mut t = self.token.clone();
        if let Some((required, dropped)) = &self.short_of {
            t.scopes = without(required, dropped, world.0.implications);
        }
        t
    }

    fn expect(&self, world: World) -> Expect {
        if let Some(e) = &self.expect {
            return e.clone();
        }
        let (required, dropped) = self.short_of.as_ref().expect("a short case");
        let left = without(required, dropped, world.0.implications);
        let platform = PLATFORM_SCOPES.contains(&dropped.as_str());
        let hidden = world.0.platform_scopes == PlatformScopes::Hidden;
        // The header lists the other platform scope: then it would list this one too.
        let other_listed = PLATFORM_SCOPES.iter().any(|p| *p != dropped.as_str() && left.iter().any(|s| s == p));
        if platform && (hidden || !other_listed) {
            Expect::PassWarning(vec![dropped.clone()])
        } else if world.0.credential_headers == CredentialHeaders::Absent {
            Expect::MissingOrUnseen(dropped.clone())
        } else {
            Expect::Missing(dropped.clone())
        }
    }
}

/// Custom lists of two scopes each, so that a token one short still has a scope.
fn custom_scopes(kind: CredentialKind) -> Vec<String> {
    let v: &[&str] = if kind == CredentialKind::ApiToken {
        &["read:repository:bitbucket", "read:webhook:bitbucket"]
    } else {
        &["repository", "webhook"]
    };
    v.iter().map(|s| s.to_string()).collect()
}

/// The scopes (of `ticked`) left when the token must not hold `dropped`: the scope itself and
/// every scope that, in this world, brings it along.
fn without(ticked: &[String], dropped: &str, implications: Implications) -> Vec<String> {
    ticked
        .iter()
        .filter(|s| !behaviour::holds(std::slice::from_ref(*s), implications).iter().any(|h| h == dropped))
        .cloned()
        .collect()
}

/// Every case. Each has a credential of its own (its display name is the case's name, so the
/// fake's request records say which case a request belongs to).
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for preset in presets::all() {
        for &kind in preset.kinds {
            let custom = if preset.id == PresetId::Custom { custom_scopes(kind) } else { Vec::new() };
            let required = presets::required_scopes(preset.id, kind, &custom).expect("accepted kind");
            let mut places = vec![("repo", "https://bitbucket.org/acme/website")];
            if !preset.needs_repository && matches!(kind, CredentialKind::WorkspaceToken | CredentialKind::ApiToken) {
                places.push(("workspace", "https://bitbucket.org/acme/"));
            }
            for (place, location) in places {
                let base = format!("{}-{}-{place}", preset.slug, kind.slug());
                let make = |name: String, short_of: Option<(Vec<String>, String)>, expect: Option<Expect>| {
                    let secret = secret_for(kind, &name);
                    let mut check = Check::new(kind, &secret, location, preset.id).scopes(&custom);
                    if kind == CredentialKind::ApiToken {
                        check = check.email(demo::ADMIN_EMAIL);
                    }
                    let token = token_for(kind, &secret, &required).with_display_name(&name);
                    Case { name, token, check, short_of, expect }
                };
                out.push(make(format!("{base}-exact"), None, Some(Expect::Pass)));
                // The same token on an account that is not an admin of the repository: only
                // webhooks need that role.
                if kind == CredentialKind::ApiToken && place == "repo" {
                    let webhooks = required.iter().any(|s| s.contains("webhook"));
                    let expect = if webhooks { Expect::Problem(vec![Problem::NotRepositoryAdmin]) } else { Expect::Pass };
                    let mut case = make(format!("{base}-not-admin"), None, Some(expect));
                    case.token = case.token.with_role(AccountRole::Write);
                    out.push(case);
                }
                for dropped in &required {
                    // No token of Bitbucket's has no scope at all (in any world).
                    let never_empty = [Implications::Documented, Implications::WriteImpliesRead]
                        .iter()
                        .all(|i| !without(&required, dropped, *i).is_empty());
                    if never_empty {
                        out.push(make(format!("{base}-without-{dropped}"), Some((required.clone(), dropped.clone())), None));
                    }
                }
            }
        }
    }

    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let sqai_scopes = s(&["repository:write", "pullrequest:write"]);
    let mut special = |name: &str, kind: CredentialKind, token: FakeToken, location: &str, preset: PresetId, expect: Vec<Problem>| {
        let mut check = Check::new(kind, &token.secret, location, preset);
        if kind == CredentialKind::ApiToken {
            check = check.email(demo::ADMIN_EMAIL);
        }
        out.push(Case {
            name: name.to_string(),
            token: token.with_display_name(name),
            check,
            short_of: None,
            expect: Some(Expect::Problem(expect)),
        });
    };
    let repo_token = |name: &str, scopes: &[String]| token_for(CredentialKind::RepositoryToken, &secret_for(CredentialKind::RepositoryToken, name), scopes);
    special("wrong-repository", CredentialKind::RepositoryToken, repo_token("wrong-repository", &sqai_scopes), "acme/mobile-app", PresetId::Sqai, vec![Problem::WrongTokenForLocation]);
    special(
        "revoked",
        CredentialKind::RepositoryToken,
        repo_token("revoked", &sqai_scopes).with_state(TokenState::Revoked),
        "acme/website",
        PresetId::Sqai,
        vec![Problem::Unauthorized],
    );
    // Out of reach and short of scopes: which Bitbucket says first is one of the switches.
    special(
        "out-of-reach-and-short",
        CredentialKind::RepositoryToken,
        repo_token("out-of-reach-and-short", &s(&["repository"])),
        "acme/mobile-app",
        PresetId::Sqai,
        vec![Problem::MissingScopes, Problem::WrongTokenForLocation],
    );
    let ws_secret = secret_for(CredentialKind::WorkspaceToken, "workspace-token-elsewhere");
    special(
        "workspace-token-elsewhere",
        CredentialKind::WorkspaceToken,
        token_for(CredentialKind::WorkspaceToken, &ws_secret, &s(&["repository", "pullrequest"])),
        "other-co/secret",
        PresetId::Cubyts,
        vec![Problem::WrongTokenForLocation],
    );
    let api_secret = secret_for(CredentialKind::ApiToken, "api-token-elsewhere");
    special(
        "api-token-elsewhere",
        CredentialKind::ApiToken,
        token_for(CredentialKind::ApiToken, &api_secret, &demo::AUTOHEAL_SCOPES.map(String::from)),
        "other-co/secret",
        PresetId::Autoheal,
        vec![Problem::NotFound],
    );
    // Unscoped: recognised as such where Bitbucket says so; otherwise a plain rejection whose
    // message still names the likely cause (checked in `judge`).
    let unscoped = secret_for(CredentialKind::ApiToken, "unscoped-api-token");
    special("unscoped-api-token", CredentialKind::ApiToken, token_for(CredentialKind::ApiToken, &unscoped, &[]), "acme/website", PresetId::Autoheal, vec![Problem::UnscopedApiToken, Problem::Unauthorized]);
    // A repository token pasted as a workspace token for Autoheal, which wants Projects and
    // Account from a workspace token: the kind is wrong, and no scope is asked of a
    // repository token that it cannot have.
    special(
        "repository-token-chosen-as-workspace-token",
        CredentialKind::WorkspaceToken,
        repo_token("repository-token-chosen-as-workspace-token", &sqai_scopes),
        "acme/website",
        PresetId::Autoheal,
        vec![Problem::WrongCredentialKind, Problem::MissingScopes],
    );
    out
}

/// The ways a report can be wrong for its case (empty: right).
fn judge(case: &Case, world: World, r: &Report) -> Vec<String> {
    let mut wrong = Vec::new();
    let kind = r.credential_kind;
    // No verdict names a scope the credential kind cannot hold.
    for s in &r.missing {
        if scopes::lookup(s).is_some() && !scopes::offered_to(s, kind) {
            wrong.push(format!("names {s}, which a {} cannot have", kind.label()));
        }
    }
    match case.expect(world) {
        Expect::Pass => {
            if !r.ok || r.problem.is_some() {
                wrong.push(format!("should pass, got {:?}: {}", r.problem, r.message));
            }
        }
        Expect::PassWarning(scopes_) => {
            if !r.ok || r.problem.is_some() {
                wrong.push(format!("should pass with a warning, got {:?}: {}", r.problem, r.message));
            }
            for s in scopes_ {
                if !r.warnings.iter().any(|w| w.contains(s.as_str())) {
                    wrong.push(format!("no warning names {s}: {:?}", r.warnings));
                }
            }
        }
        Expect::Missing(s) => {
            if r.ok || r.problem != Some(Problem::MissingScopes) || !r.missing.contains(&s) {
                wrong.push(format!("should miss {s}, got {:?} missing {:?}: {}", r.problem, r.missing, r.message));
            }
        }
        Expect::MissingOrUnseen(s) => {
            let missed = !r.ok && r.problem == Some(Problem::MissingScopes) && r.missing.contains(&s);
            let unseen = r.ok && r.problem.is_none() && r.warnings.iter().any(|w| w.contains(s.as_str()));
            if !missed && !unseen {
                wrong.push(format!("should miss {s} or warn that it was not seen, got {:?} missing {:?}: {} {:?}", r.problem, r.missing, r.message, r.warnings));
            }
        }
        Expect::Problem(allowed) => {
            if r.ok || !r.problem.is_some_and(|p| allowed.contains(&p)) {
                wrong.push(format!("should fail as one of {allowed:?}, got {:?}: {}", r.problem, r.message));
            }
            if r.problem == Some(Problem::NotRepositoryAdmin) && (r.next_step.contains("new token") || !r.next_step.contains("Admin permission")) {
                wrong.push(format!("a missing role must name the role, not a new token: {}", r.next_step));
            }
            if r.problem == Some(Problem::Unauthorized) && case.name == "unscoped-api-token" && !r.message.contains("with scopes") {
                wrong.push(format!("a bare 401 for an API token should name the likely cause: {}", r.message));
            }
        }
    }
    wrong
}

/// One fake per world, started on first use, with every case's credential.
struct Fakes {
    cases: Arc<Vec<Case>>,
    fakes: tokio::sync::Mutex<HashMap<World, FakeBitbucket>>,
}

impl Fakes {
    async fn get(&self, world: World) -> FakeBitbucket {
        let mut fakes = self.fakes.lock().await;
        if let Some(f) = fakes.get(&world) {
            return f.clone();
        }
        let fake = FakeBitbucket::start().await.expect("start the fake");
        fake.seed_demo();
        fake.set_behaviour(world.0);
        fake.set_detail_mode(world.1);
        for case in self.cases.iter() {
            fake.add_token(case.token(world));
        }
        fakes.insert(world, fake.clone());
        fake
    }
}

/// Runs `case` in `world`: the report, and the switches its requests consulted.
async fn run_in(fakes: &Fakes, case: &Case, world: World) -> (Report, BTreeSet<Switch>) {
    let fake = fakes.get(world).await;
    let report = case.check.clone().run(&fake).await;
    let consulted = fake
        .requests()
        .into_iter()
        .filter(|r| r.credential.as_deref() == Some(case.name.as_str()))
        .flat_map(|r| r.consulted)
        .collect();
    (report, consulted)
}

/// Every world that differs from `world` in one of `switches`.
fn neighbours(world: World, switches: &BTreeSet<Switch>) -> Vec<World> {
    let mut out = Vec::new();
    for s in switches {
        if *s == Switch::Detail {
            out.extend(DETAILS.iter().map(|d| (world.0, *d)));
        } else {
            out.extend(world.0.each_value_of(*s).into_iter().map(|b| (b, world.1)));
        }
    }
    out
}

/// Judges `case` in every world, through the worlds its requests can tell apart; returns
/// (worlds run, worlds the case stands for, failures).
async fn every_world(fakes: &Fakes, case: &Case) -> (usize, usize, Vec<String>) {
    let start: World = (Behaviour::default(), DetailMode::All);
    let mut seen: HashSet<World> = HashSet::new();
    let mut todo = vec![start];
    let mut consulted: BTreeSet<Switch> = BTreeSet::new();
    let mut failures = Vec::new();
    while let Some(world) = todo.pop() {
        if !seen.insert(world) {
            continue;
        }
        let (report, used) = run_in(fakes, case, world).await;
        for w in judge(case, world, &report) {
            failures.push(format!("[{}, detail {:?}] {}: {w}", world.0, world.1, case.name));
        }
        let grew = used.iter().any(|s| !consulted.contains(s));
        consulted.extend(used);
        // Explore the neighbours of every world seen so far in the switches consulted so far.
        let sources: Vec<World> = if grew { seen.iter().copied().collect() } else { vec![world] };
        for w in sources {
            todo.extend(neighbours(w, &consulted).into_iter().filter(|n| !seen.contains(n)));
        }
    }
    // The worlds this case stands for: all of them, since the unexplored ones differ from an
    // explored one only in switches no request consulted.
    let stands_for = all_worlds().len();
    (seen.len(), stands_for, failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verdict_holds_in_every_plausible_bitbucket() {
    let cases = Arc::new(cases());
    let fakes = Arc::new(Fakes { cases: cases.clone(), fakes: tokio::sync::Mutex::new(HashMap::new()) });
    let results: Vec<(usize, usize, Vec<String>)> = stream::iter(cases.iter())
        .map(|case| {
            let fakes = fakes.clone();
            async move { every_world(&fakes, case).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let runs: usize = results.iter().map(|r| r.0).sum();
    let covered: usize = results.iter().map(|r| r.1).sum();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    println!("{} cases, {runs} checks run, standing for {covered} (case, world) pairs in {} worlds", cases.len(), all_worlds().len());
    assert!(cases.len() >= 120, "only {} cases", cases.len());
    assert!(runs > cases.len() * 3, "the switches were hardly explored: {runs} runs");
    assert!(
        failures.is_empty(),
        "{} verdicts are wrong in some world:\n{}",
        failures.len(),
        failures.iter().take(40).map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// The reasoning above, checked: sample cases (one whose requests consult many switches, and
/// the special ones) judged in all 1,728 worlds directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_product_agrees_for_sample_cases() {
    let all = cases();
    let picked: Vec<Case> = all
        .into_iter()
        .filter(|c| {
            [
                "sqai-repository-token-repo-exact",
                "autoheal-api-token-repo-without-read:me",
                "autoheal-workspace-token-repo-without-pipeline",
                "out-of-reach-and-short",
                "unscoped-api-token",
            ]
            .contains(&c.name.as_str())
        })
        .collect();
    assert_eq!(picked.len(), 5);
    let cases = Arc::new(picked);
    let fakes = Arc::new(Fakes { cases: cases.clone(), fakes: tokio::sync::Mutex::new(HashMap::new()) });
    let pairs: Vec<(usize, World)> = (0..cases.len()).flat_map(|i| all_worlds().into_iter().map(move |w| (i, w))).collect();
    let failures: Vec<String> = stream::iter(pairs)
        .map(|(i, world)| {
            let (fakes, cases) = (fakes.clone(), cases.clone());
            async move {
                let (report, _) = run_in(&fakes, &cases[i], world).await;
                judge(&cases[i], world, &report)
                    .into_iter()
                    .map(|w| format!("[{}, detail {:?}] {}: {w}", world.0, world.1, cases[i].name))
                    .collect::<Vec<_>>()
            }
        })
        .buffer_unordered(16)
        .flat_map(stream::iter)
        .collect()
        .await;
    assert!(failures.is_empty(), "{}", failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}

/// The matrix is not empty by accident: the worlds really differ where the verdicts could.
#[tokio::test]
async fn the_worlds_differ_where_it_matters() {
    let fake = FakeBitbucket::start().await.expect("start the fake");
    fake.seed_demo();
    let sqai = || Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai);
    let r = sqai().run(&fake).await;
    assert!(r.ok);
    assert_eq!(r.granted_raw, vec!["repository:write", "pullrequest:write"]);
    fake.set_behaviour(Behaviour::strictest());
    let r = sqai().run(&fake).await;
    assert!(r.ok, "the SQAI path passes in the strictest world too");
    assert_eq!(r.granted_raw, vec!["pullrequest:write"], "highest levels only");

    // The unscoped API token: identified, or a bare 401.
    let unscoped = || Check::new(CredentialKind::ApiToken, demo::API_TOKEN_UNSCOPED, "acme/website", PresetId::Autoheal).email(demo::ADMIN_EMAIL);
    fake.set_behaviour(Behaviour::default());
    assert_eq!(unscoped().run(&fake).await.problem, Some(Problem::UnscopedApiToken));
    fake.set_behaviour(Behaviour::strictest());
    assert_eq!(unscoped().run(&fake).await.problem, Some(Problem::Unauthorized));

    // Platform scopes hidden: Autoheal's API token still passes, with a warning.
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Autoheal)
        .email(demo::ADMIN_EMAIL)
        .run(&fake)
        .await;
    assert!(r.ok, "{r:#?}");
    assert!(r.warnings.iter().any(|w| w.contains("read:account") && w.contains("read:me")), "{:?}", r.warnings);
    assert!(!r.granted_raw.iter().any(|s| s == "read:account"), "{:?}", r.granted_raw);

    // The fake says which switches an answer consulted: the SQAI check's depend on the scope
    // levels and the workspace switch is never touched (the engine does not ask there).
    fake.reset_requests();
    fake.set_behaviour(Behaviour::default());
    let _ = sqai().run(&fake).await;
    let consulted: BTreeSet<Switch> = fake.requests().into_iter().flat_map(|r| r.consulted).collect();
    assert!(consulted.contains(&Switch::ScopeLevels), "{consulted:?}");
    assert!(!consulted.contains(&Switch::NarrowTokenOnWorkspace), "{consulted:?}");
    assert!(consulted.contains(&Switch::CredentialHeaders), "{consulted:?}");

    // No credential headers: the private repository's answer proves the token; the scopes no
    // probe read are named in a warning.
    fake.set_behaviour(Behaviour { credential_headers: CredentialHeaders::Absent, ..Behaviour::default() });
    let r = sqai().run(&fake).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.credential_type, None);
    assert!(r.granted_raw.is_empty());
    assert!(
        r.warnings.iter().any(|w| w.contains("could not be confirmed") && w.contains("Repositories: Write") && w.contains("Pull requests: Write")),
        "{:?}",
        r.warnings
    );
    // A public repository's answer still proves nothing.
    let mut public = fake_bitbucket::FakeRepo::new("acme", "website");
    public.private = false;
    fake.add_repository(public);
    let r = sqai().run(&fake).await;
    assert_eq!(r.problem, Some(Problem::PublicRepoWithoutValidCredential), "{r:#?}");
}
