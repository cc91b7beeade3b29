//! The standard demo world (see [`FakeBitbucket::seed_demo`](crate::FakeBitbucket::seed_demo)),
//! used by the app's tests, the README's offline demo and the benchmarks.
//!
//! All secrets here are FAKE: they only look like real ones (deterministic, right prefixes and
//! lengths) and work only against the fake.
//!
//! | const | kind | reaches | scopes | state |
//! |---|---|---|---|---|
//! | [`SQAI_READY`] | repository access token "sqai-ready" | acme/website | repository:write, pullrequest:write | active |
//! | [`READ_ONLY`] | repository access token "read-only" | acme/website | repository | active |
//! | [`MOBILE_WRITE`] | repository access token "mobile-write" | acme/mobile-app | repository:write, pullrequest:write, pipeline:write, webhook | active |
//! | [`WORKSPACE_TOKEN`] | workspace access token "acme-workspace" | all of acme | repository, pullrequest, webhook, pipeline, project, account | active |
//! | [`PROJECT_TOKEN`] | project access token "web-project" | acme project WEB (acme/website) | repository, pullrequest | active |
//! | [`API_TOKEN_AUTOHEAL`] | API token of [`ADMIN_EMAIL`] | all of acme | the eight Autoheal scopes | active |
//! | [`API_TOKEN_REPO_READ`] | API token of [`READER_EMAIL`] | all of acme | read:repository:bitbucket | active |
//! | [`API_TOKEN_UNSCOPED`] | API token of [`ADMIN_EMAIL`] without scopes | - | - | unscoped (401) |
//! | [`EXPIRED_TOKEN`] | repository access token | acme/website | repository:write, pullrequest:write | expired (401) |
//! | [`REVOKED_TOKEN`] | repository access token | acme/website | repository:write, pullrequest:write | revoked (401) |
//! | [`APP_PASSWORD`] | app password of user [`APP_PASSWORD_USERNAME`] | acme | repository, pullrequest, account | retired (401) |
//! | [`OVER_PRIVILEGED`] | repository access token "over-privileged" | acme/website | repository:write, pullrequest:write, repository:admin, repository:delete | active |

use crate::{FakeRepo, FakeToken, TokenKind, TokenState};

pub const WORKSPACE: &str = "acme";
pub const WORKSPACE_NAME: &str = "Acme Corp";
pub const OTHER_WORKSPACE: &str = "other-co";
pub const OTHER_WORKSPACE_NAME: &str = "Other Co";
/// (slug, name) of the demo workspaces.
pub const WORKSPACES: [(&str, &str); 2] = [(WORKSPACE, WORKSPACE_NAME), (OTHER_WORKSPACE, OTHER_WORKSPACE_NAME)];

/// acme/website: private, main branch `main`, project WEB.
pub const REPO_WEBSITE: &str = "website";
/// acme/public-docs: public, main branch `master`, no project.
pub const REPO_PUBLIC_DOCS: &str = "public-docs";
/// acme/mobile-app: private, main branch `develop`, project MOB.
pub const REPO_MOBILE_APP: &str = "mobile-app";
/// other-co/secret: private, main branch `main`.
pub const REPO_OTHER_SECRET: &str = "secret";
pub const PROJECT_WEB: &str = "WEB";
pub const PROJECT_MOB: &str = "MOB";

/// The Atlassian account email of [`API_TOKEN_AUTOHEAL`] and [`API_TOKEN_UNSCOPED`].
pub const ADMIN_EMAIL: &str = "admin@acme.example";
pub const ADMIN_DISPLAY_NAME: &str = "Ada Admin";
/// The Atlassian account email of [`API_TOKEN_REPO_READ`].
pub const READER_EMAIL: &str = "reader@acme.example";
pub const READER_DISPLAY_NAME: &str = "Rita Reader";
/// The Bitbucket username of [`APP_PASSWORD`].
pub const APP_PASSWORD_USERNAME: &str = "jdoe";

/// The scopes Autoheal asks for (all of them on [`API_TOKEN_AUTOHEAL`]).
pub const AUTOHEAL_SCOPES: [&str; 8] = [
    "read:repository:bitbucket",
    "read:pipeline:bitbucket",
    "read:workspace:bitbucket",
    "read:pullrequest:bitbucket",
    "read:project:bitbucket",
    "read:user:bitbucket",
    "read:account",
    "read:me",
];

/// Repository access token for acme/website with repository:write + pullrequest:write (SQAI Suite).
pub const SQAI_READY: &str = "ATCTT3xFfGN0CJnDuvROH8bzVyN81av6xLPWZWACYKciJjbBrEcDkWDCs_zeb2IbOg3TZhQNLvAheGIegt1DYwE8Eg6xM_NSE6Ocyjap8nD56Ut1fKuSvpmEheLlwZTvGJryNtcv4GnPSDcoKNhJjQXN6Gx2FmtZW8Oz3Ly1uoqj3vRDhjFr=B953C3F4";
/// Repository access token for acme/website with repository (read) only.
pub const READ_ONLY: &str = "ATCTT3xFfGN01PVVGh9BYfS6VySGKmWany5sDoMBvpha3bc4m19VhH_m8MJMF07gv7_KceXAnZBzI5mL-g02kibWYeJW2VcD8t8ZMbvHDRss99rRLNwd67SjY_vW9XvlM2PKTMsV16ZUW5Ib2XmGK40DhxW79BOZU4eGq6yZcyx93Lkc7l43=BDE8BB9F";
/// Repository access token for acme/mobile-app with repository:write, pullrequest:write, pipeline:write, webhook.
pub const MOBILE_WRITE: &str = "ATCTT3xFfGN0yDPRlhiRESLdA8-j8LpiSiRzOvsktjs-pHHuwVNCFFQTxumi-La0weXMSax2IbVEFuboKcZ5qYViBhUlWWdFkP6zUsRslg43-NAaxBtzLVGs-sSwIYvWlfSxDQcJOyCNkAguj6ugSFYjQV10ZxqNm0HpcKe6NXtD8y3bc4Cr=BB6ECAA3";
/// Workspace access token for acme with repository, pullrequest, webhook, pipeline, project, account.
pub const WORKSPACE_TOKEN: &str = "ATCTT3xFfGN0McxVsq6lT96XgYS-1EyhSPEduTKwQS9bi7cYiG3MLFob5yZcftjpHDoVa8XlqEpztH7RIBAXJhWJCIc-f2qHWT_RdpqSVX6_ynS7Tn7w4JM9JN8IHA0b6fjl07us9iSglKsNe9HAFWEvKKq0Z9ECdA47QDHPzttO9tDvIbW2=99AB30FC";
/// Project access token for acme project WEB with repository, pullrequest.
pub const PROJECT_TOKEN: &str = "ATCTT3xFfGN0eLZwpkw1_2gf2UtNxHqhaqAjqRZu2YKJlHphtDGjhcBTECY03GzSC1LckL6BWZJdc4GAENSS0Jzyvg2z2Mhgn39vp_hPw2xR2MDiYXREoAv_o5_FQDyIX5sANLrZdlP6yFhrsa8XO6CHEKdREY4Vv1nbhb-vA3nUFDALrDZB=520412EF";
/// API token (Basic with [`ADMIN_EMAIL`]) with all [`AUTOHEAL_SCOPES`].
pub const API_TOKEN_AUTOHEAL: &str = "ATATT3xFfGF0NJTmSgmV0pfEbvZdJCcu59PfzzaAIIOeh2ThMhP6If5Z-2Kmg-5sMA5WrOIpZX-DRikpG3_yclllmu3NkC4ucgmsX3CBIEWdjvDVeqW_t45rN-PUbMOcoc0CvxHelqiAAhzgOnHRTbE8IhMFlBC5g5AU5hrMXABp0Un5I0UH=C189EE2C";
/// API token (Basic with [`READER_EMAIL`]) with read:repository:bitbucket only.
pub const API_TOKEN_REPO_READ: &str = "ATATT3xFfGF0DE88KOaSzaH6mll4PbprRKSgZlkSF5GiWQLpFgj6i-liJaka0JLmMRP_UgoepJpFdY8dR2u5ob4gGtDDCYd93lSWIsCDvZ3AUIfMTJIbEpb92w4DfoQDo4t6VGywErFvDiPWIK3Yc3NKX7SenHjCCywDJxzlm_Wb1T3g_iQk=6221F376";
/// API token (Basic with [`ADMIN_EMAIL`]) created without scopes: 401.
pub const API_TOKEN_UNSCOPED: &str = "ATATT3xFfGF020eNaHQsUNyM9gjTD685Xue0-YO54m-Zku80xZDz7uAdlEshZ8-leEXCp7A4sFYDrg7dVHA1Q_WznzkLZGhQUNAFtMNfBCV0biYvPEY_jEYqqm53spgURwWJg-HrvLCBIH18xU7aN7iva41Tr7gCaxFN4fRw6c_RkG0f-jDI=AE028A29";
/// Expired repository access token for acme/website: 401.
pub const EXPIRED_TOKEN: &str = "ATCTT3xFfGN0Z4eNkJ0e_jno5w4osKPLDRbVNaOWZK22Wk17mX1EKXF1bKom1dgqi2OVtt5Ibm5Z6Ujn2-qDmNIzj62ue1tmlN9qrmtZDl5OkmqE9aj2F65T9y-82DTWoswn2MXHx_1RtFiZKnFx4s_8q4H_WFfwr6pMJY6l1cVaK_ApVrc-=F8F0EC56";
/// Revoked repository access token for acme/website: 401.
pub const REVOKED_TOKEN: &str = "ATCTT3xFfGN0sj0DYLDYUKGwN2xUl6f-dpv5mDEj_EhNAbwXpwVFHssxZ-4JxOhO9o8YyL0QSM_uG3qTeIbWTW6gCzCPZopeReB1RPr8YI9GCQdwt04rtEtnpWj8c3OCR6hMa0IDkzJrNKxD5RylTGvlUdvQbPI4Wm2j1ku-GP_rU2OMeTP5=CC8E8E0D";
/// App password of [`APP_PASSWORD_USERNAME`] (retired: 401).
pub const APP_PASSWORD: &str = "ATBBp3tv4sRXc1ymA330MpCekp3MGmr7164FD435";
/// Repository access token for acme/website with write plus repository:admin and repository:delete.
pub const OVER_PRIVILEGED: &str = "ATCTT3xFfGN0MDvam-pjbfG1orsiDfZdhpLQ4W6p-Qc0qBuIpVEssoC1aMeJi0_IZDG4Q7SXlk24agu7OuCxMm5LRgffcnkyqatVaSKlLAKVJSY582wlKXYLmF4jaT8zPDZ6fo1UZ_Grzn0dNXsHDR3bin2pVkXtSGTft8zp3KH2zxgyGfHO=53CA7862";

/// The demo repositories.
pub fn repositories() -> Vec<FakeRepo> {
    let repo = |ws: &str, slug: &str, name: &str, private: bool, branch: &str, project: Option<&str>| FakeRepo {
        workspace: ws.to_owned(),
        slug: slug.to_owned(),
        name: name.to_owned(),
        private,
        main_branch: branch.to_owned(),
        project: project.map(str::to_owned),
    };
    vec![
        repo(WORKSPACE, REPO_WEBSITE, "Website", true, "main", Some(PROJECT_WEB)),
        repo(WORKSPACE, REPO_PUBLIC_DOCS, "Public Docs", false, "master", None),
        repo(WORKSPACE, REPO_MOBILE_APP, "Mobile App", true, "develop", Some(PROJECT_MOB)),
        repo(OTHER_WORKSPACE, REPO_OTHER_SECRET, "Secret", true, "main", None),
    ]
}

/// One line per demo credential: (const name, label, secret), for printing.
pub const ALL: [(&str, &str, &str); 12] = [
    ("SQAI_READY", "repository token acme/website: repository:write, pullrequest:write", SQAI_READY),
    ("READ_ONLY", "repository token acme/website: repository", READ_ONLY),
    ("MOBILE_WRITE", "repository token acme/mobile-app: repository:write, pullrequest:write, pipeline:write, webhook", MOBILE_WRITE),
    ("WORKSPACE_TOKEN", "workspace token acme: repository, pullrequest, webhook, pipeline, project, account", WORKSPACE_TOKEN),
    ("PROJECT_TOKEN", "project token acme/WEB: repository, pullrequest", PROJECT_TOKEN),
    ("API_TOKEN_AUTOHEAL", "API token, Basic admin@acme.example: Autoheal read scopes + read:account, read:me", API_TOKEN_AUTOHEAL),
    ("API_TOKEN_REPO_READ", "API token, Basic reader@acme.example: read:repository:bitbucket", API_TOKEN_REPO_READ),
    ("API_TOKEN_UNSCOPED", "API token without scopes, Basic admin@acme.example (fails: 401)", API_TOKEN_UNSCOPED),
    ("EXPIRED_TOKEN", "repository token acme/website, expired (fails: 401)", EXPIRED_TOKEN),
    ("REVOKED_TOKEN", "repository token acme/website, revoked (fails: 401)", REVOKED_TOKEN),
    ("APP_PASSWORD", "app password, Basic jdoe (retired: 401)", APP_PASSWORD),
    ("OVER_PRIVILEGED", "repository token acme/website: write + repository:admin, repository:delete", OVER_PRIVILEGED),
];

/// The demo credentials.
pub fn tokens() -> Vec<FakeToken> {
    let rw = ["repository:write", "pullrequest:write"];
    vec![
        FakeToken::repository(SQAI_READY, WORKSPACE, REPO_WEBSITE, &rw).with_display_name("sqai-ready"),
        FakeToken::repository(READ_ONLY, WORKSPACE, REPO_WEBSITE, &["repository"]).with_display_name("read-only"),
        FakeToken::repository(
            MOBILE_WRITE,
            WORKSPACE,
            REPO_MOBILE_APP,
            &["repository:write", "pullrequest:write", "pipeline:write", "webhook"],
        )
        .with_display_name("mobile-write"),
        FakeToken::workspace(
            WORKSPACE_TOKEN,
            WORKSPACE,
            &["repository", "pullrequest", "webhook", "pipeline", "project", "account"],
        )
        .with_display_name("acme-workspace"),
        FakeToken::project(PROJECT_TOKEN, WORKSPACE, PROJECT_WEB, &["repository", "pullrequest"])
            .with_display_name("web-project"),
        FakeToken::api(API_TOKEN_AUTOHEAL, ADMIN_EMAIL, WORKSPACE, &AUTOHEAL_SCOPES).with_display_name(ADMIN_DISPLAY_NAME),
        FakeToken::api(API_TOKEN_REPO_READ, READER_EMAIL, WORKSPACE, &["read:repository:bitbucket"])
            .with_display_name(READER_DISPLAY_NAME),
        FakeToken::api(API_TOKEN_UNSCOPED, ADMIN_EMAIL, WORKSPACE, &[])
            .with_display_name(ADMIN_DISPLAY_NAME)
            .with_state(TokenState::Unscoped),
        FakeToken::repository(EXPIRED_TOKEN, WORKSPACE, REPO_WEBSITE, &rw)
            .with_display_name("expired")
            .with_state(TokenState::Expired),
        FakeToken::repository(REVOKED_TOKEN, WORKSPACE, REPO_WEBSITE, &rw)
            .with_display_name("revoked")
            .with_state(TokenState::Revoked),
        FakeToken::app_password(APP_PASSWORD, APP_PASSWORD_USERNAME, WORKSPACE, &["repository", "pullrequest", "account"])
            .with_display_name("John Doe"),
        FakeToken::repository(
            OVER_PRIVILEGED,
            WORKSPACE,
            REPO_WEBSITE,
            &["repository:write", "pullrequest:write", "repository:admin", "repository:delete"],
        )
        .with_display_name("over-privileged"),
    ]
}

/// The kind of a demo credential, by secret.
pub fn kind_of(secret: &str) -> Option<TokenKind> {
    tokens().into_iter().find(|t| t.secret == secret).map(|t| t.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_look_real_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (name, _, secret) in ALL {
            assert!(seen.insert(secret), "{name} duplicated");
            let kind = kind_of(secret).unwrap();
            match kind {
                TokenKind::ApiToken => assert!(secret.starts_with("ATATT3xFfGF0") && secret.len() > 180, "{name}"),
                TokenKind::AppPassword => assert!(secret.starts_with("ATBB") && secret.len() == 40, "{name}"),
                _ => assert!(secret.starts_with("ATCTT3xFfGN0") && secret.len() > 180, "{name}"),
            }
            assert!(secret.chars().all(|c| c.is_ascii_alphanumeric() || "-_=".contains(c)));
        }
        assert_eq!(seen.len(), tokens().len());
    }
}
