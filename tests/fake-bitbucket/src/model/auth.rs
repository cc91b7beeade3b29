//! Which credential is who: the Authorization header read the ways Bitbucket reads it (Bearer for
//! access tokens, Basic with the account email for API tokens), and the 401 for every credential
//! that is bad, dead or sent the wrong way. What is documented and where: `docs/bitbucket-behaviour.md`,
//! "Credentials and how each is sent"; the undocumented choices are the points U4, U11 and U14 there.

use axum::http::{header, HeaderMap};
use base64::Engine;

use super::{err, Answer, CredHeaders, MSG_APP_PASSWORD, MSG_BAD_TOKEN, MSG_BASIC};
use crate::behaviour::{self, Switch, UnscopedApiToken};
use crate::{FakeToken, TokenKind, TokenState, World};

/// The scheme word of an Authorization header, never the credential.
pub(super) fn auth_scheme(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?;
    let s = String::from_utf8_lossy(v.as_bytes()).into_owned();
    let mut parts = s.trim().splitn(2, char::is_whitespace);
    let first = parts.next().unwrap_or("");
    let has_rest = parts.next().is_some_and(|r| !r.trim().is_empty());
    if has_rest && !first.is_empty() && first.len() <= 16 && first.chars().all(|c| c.is_ascii_alphabetic()) {
        Some(first.to_owned())
    } else {
        Some("(no scheme)".to_owned())
    }
}

pub(super) enum Cred<'a> {
    Anonymous,
    Token(&'a FakeToken),
    Rejected(Answer),
}

fn reject(message: &str, www: Option<&'static str>) -> Cred<'static> {
    let mut a = err(401, message);
    if let Some(w) = www {
        a.extra.push(("www-authenticate", w.to_owned()));
    }
    Cred::Rejected(a)
}

pub(super) fn authenticate<'a>(world: &'a World, headers: &HeaderMap, accepted: &str, name: &mut Option<String>) -> Cred<'a> {
    *name = presented(world, headers).map(|t| t.display_name.clone());
    authenticate_inner(world, headers, accepted)
}

/// The known credential whose secret the Authorization header carries, accepted or not.
fn presented<'a>(world: &'a World, headers: &HeaderMap) -> Option<&'a FakeToken> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    let secret = if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        decoded.split_once(':')?.1.to_owned()
    } else {
        rest.trim().to_owned()
    };
    world.tokens.iter().find(|t| t.secret == secret)
}

pub(super) fn authenticate_inner<'a>(world: &'a World, headers: &HeaderMap, accepted: &str) -> Cred<'a> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Cred::Anonymous };
    let Ok(value) = value.to_str() else { return reject(MSG_BAD_TOKEN, None) };
    let value = value.trim();
    let (scheme, rest) = match value.split_once(char::is_whitespace) {
        Some((s, r)) => (s, r.trim()),
        None => return reject(MSG_BAD_TOKEN, None),
    };
    const BASIC_REALM: &str = "Basic realm=\"Bitbucket.org HTTP\"";
    if scheme.eq_ignore_ascii_case("bearer") {
        let Some(t) = world.tokens.iter().find(|t| t.secret == rest) else {
            return reject(MSG_BAD_TOKEN, None);
        };
        // API tokens and app passwords sent as Bearer: "not supported for this endpoint".
        if !t.kind.is_access_token() || t.state != TokenState::Active {
            return reject(MSG_BAD_TOKEN, None);
        }
        Cred::Token(t)
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(rest));
        let Ok(decoded) = decoded else { return reject(MSG_BASIC, Some(BASIC_REALM)) };
        let decoded = String::from_utf8_lossy(&decoded).into_owned();
        let Some((user, secret)) = decoded.split_once(':') else {
            return reject(MSG_BASIC, Some(BASIC_REALM));
        };
        let Some(t) = world.tokens.iter().find(|t| t.secret == secret) else {
            return reject(MSG_BASIC, Some(BASIC_REALM));
        };
        match t.kind {
            TokenKind::ApiToken => {
                let email_ok = t
                    .email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(user.trim()));
                if !email_ok {
                    // e.g. the Bitbucket username instead of the Atlassian account email
                    return reject(MSG_BASIC, Some(BASIC_REALM));
                }
                match t.state {
                    TokenState::Active => Cred::Token(t),
                    TokenState::Unscoped => {
                        behaviour::consult(Switch::UnscopedApiToken);
                        // UNCONFIRMED real behaviour: an API token created without scopes fails
                        // like a bad token (401) — documented — but whether Bitbucket still
                        // identifies it with `x-credential-type: api_token` and an empty
                        // `x-oauth-scopes` is not known: a switch of the world.
                        if world.behaviour.unscoped_api_token == UnscopedApiToken::Bare {
                            return reject(MSG_BASIC, Some(BASIC_REALM));
                        }
                        let mut a = err(401, MSG_BASIC);
                        a.extra.push(("www-authenticate", BASIC_REALM.to_owned()));
                        a.cred = Some(CredHeaders {
                            credential_type: TokenKind::ApiToken.credential_type(),
                            scopes: Vec::new(),
                            rate_limit: false,
                        });
                        a.accepted = accepted.to_owned();
                        Cred::Rejected(a)
                    }
                    TokenState::Expired | TokenState::Revoked => reject(MSG_BASIC, Some(BASIC_REALM)),
                }
            }
            // Retired since 2026-07-28: always 401 (message UNCONFIRMED).
            TokenKind::AppPassword => reject(MSG_APP_PASSWORD, Some(BASIC_REALM)),
            // Access tokens go as Bearer over the REST API (Basic `x-token-auth:` is for git).
            // UNCONFIRMED whether the REST API also accepts Basic `x-token-auth:<token>`; the
            // fake refuses it.
            _ => reject(MSG_BASIC, Some(BASIC_REALM)),
        }
    } else {
        reject(MSG_BAD_TOKEN, None)
    }
}
