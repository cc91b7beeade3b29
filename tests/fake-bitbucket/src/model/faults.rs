//! Injected failures ([`Fault`]): those that take the place of an answer (a reset connection,
//! headers that never come, a redirect), and those applied while the answer is written (status
//! codes, missing or oddly spaced credential headers, a login page, broken, slow, endless or huge
//! bodies). Writing an answer with no fault is the plain case of [`render`].

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;

use super::{error_body, plain, status_code, Answer, AnswerBody, MSG_RATE_LIMITED};
use crate::server::ConnCtl;
use crate::{Fault, Shared};

/// The faults that take the place of the answer; `None` for the others, which [`render`] applies
/// to the modelled answer (a [`Fault::Latency`] waits before it).
pub(super) async fn instead_of_answer(fault: Option<&Fault>, shared: &Shared, ctl: Option<ConnCtl>) -> Option<Response> {
    Some(match fault? {
        Fault::ConnectionReset => {
            if let Some(ctl) = ctl {
                ctl.reset.notify_one();
            }
            // The connection task drops this future with the connection; the bounded wait only
            // matters if it could not (HTTP/2 streams run in their own task).
            tokio::time::sleep(Duration::from_secs(5)).await;
            plain(500, "connection reset")
        }
        Fault::HangBeforeHeaders => {
            let mut stop = shared.stop.clone();
            let _ = stop.changed().await;
            plain(503, "stopping")
        }
        Fault::Redirect { status, location } => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status_code(*status);
            if let Ok(v) = HeaderValue::from_str(location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Fault::Latency(d) => {
            tokio::time::sleep(*d).await;
            return None;
        }
        _ => return None,
    })
}

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn odd(list: &[String]) -> String {
    let parts: Vec<String> = list
        .iter()
        .enumerate()
        .map(|(i, s)| match i % 3 {
            0 => {
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
            1 => match s.split_once(':') {
                Some((a, b)) => format!("{}:{b}", a.to_ascii_uppercase()),
                None => s.to_ascii_uppercase(),
            },
            _ => s.clone(),
        })
        .collect();
    format!("  {} ,", parts.join(" ,  "))
}

const HEADER_CRED_TYPE: &str = "x-credential-type";
const HEADER_SCOPES: &str = "x-oauth-scopes";
const HEADER_ACCEPTED: &str = "x-accepted-oauth-scopes";

fn set(headers: &mut HeaderMap, name: &'static str, value: HeaderValue) {
    headers.insert(HeaderName::from_static(name), value);
}

pub(super) fn render(mut a: Answer, fault: Option<&Fault>) -> Response {
    let mut keep_cred = true;
    let mut odd_headers = false;
    match fault {
        Some(Fault::RateLimited { retry_after }) => {
            a.status = 429;
            a.body = AnswerBody::Text(MSG_RATE_LIMITED.to_owned());
            a.extra.clear();
            if let Some(s) = retry_after {
                a.extra.push(("retry-after", s.to_string()));
            }
        }
        Some(Fault::Status(s)) => {
            let s = status_code(*s);
            a.status = s.as_u16();
            a.body = AnswerBody::Json(error_body(s.canonical_reason().unwrap_or("Something went wrong")));
            a.extra.clear();
            keep_cred = !(502..=504).contains(&a.status);
        }
        Some(Fault::MissingHeaders) => keep_cred = false,
        Some(Fault::WrongContentType) => {
            a.status = 200;
            a.body = AnswerBody::Text(String::new());
            a.extra.clear();
            keep_cred = false;
        }
        Some(Fault::OddHeaderSpacing) => odd_headers = true,
        _ => {}
    }

    let mut headers = HeaderMap::new();
    if keep_cred {
        if let Some(c) = &a.cred {
            if odd_headers {
                set(&mut headers, HEADER_CRED_TYPE, hv(&format!(" {} ", c.credential_type.to_ascii_uppercase())));
                set(&mut headers, HEADER_SCOPES, hv(&odd(&c.scopes)));
                let accepted: Vec<String> = a.accepted.split(", ").filter(|s| !s.is_empty()).map(str::to_owned).collect();
                set(&mut headers, HEADER_ACCEPTED, hv(&odd(&accepted)));
            } else {
                set(&mut headers, HEADER_CRED_TYPE, hv(c.credential_type));
                set(&mut headers, HEADER_SCOPES, hv(&c.scopes.join(", ")));
                set(&mut headers, HEADER_ACCEPTED, hv(&a.accepted));
            }
            if c.rate_limit {
                // X-RateLimit-Resource's real value is UNCONFIRMED.
                set(&mut headers, "x-ratelimit-limit", HeaderValue::from_static("1000"));
                set(&mut headers, "x-ratelimit-resource", HeaderValue::from_static("api"));
                set(&mut headers, "x-ratelimit-nearlimit", HeaderValue::from_static("false"));
            }
        }
    }
    for (name, value) in &a.extra {
        set(&mut headers, name, hv(value));
    }

    let json_ct = HeaderValue::from_static("application/json; charset=utf-8");
    let body_bytes: Bytes = match &a.body {
        AnswerBody::Json(v) => {
            headers.insert(header::CONTENT_TYPE, json_ct.clone());
            Bytes::from(serde_json::to_vec(v).unwrap_or_default())
        }
        AnswerBody::Text(t) => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            Bytes::from(t.clone())
        }
    };

    let status = status_code(a.status);
    let body = match fault {
        Some(Fault::WrongContentType) => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            Body::from(LOGIN_PAGE)
        }
        Some(Fault::MalformedJson) => {
            headers.insert(header::CONTENT_TYPE, json_ct);
            let mut cut = body_bytes.len() / 2;
            if cut < 2 {
                return build(StatusCode::OK, headers, Body::from("{\"type\": \"repository\", \"full_na"));
            }
            while cut > 0 && std::str::from_utf8(&body_bytes[..cut]).is_err() {
                cut -= 1;
            }
            let mut broken = body_bytes.slice(..cut).to_vec();
            broken.extend_from_slice(b"\x01\"}");
            return build(StatusCode::OK, headers, Body::from(broken));
        }
        Some(Fault::SlowBody { chunk_every }) => {
            let every = *chunk_every;
            let n = 10usize;
            let size = body_bytes.len().div_ceil(n).max(1);
            let pieces: Vec<Bytes> = (0..body_bytes.len())
                .step_by(size)
                .map(|i| body_bytes.slice(i..(i + size).min(body_bytes.len())))
                .collect();
            let stream = futures_util::stream::unfold((pieces, 0usize), move |(pieces, i)| async move {
                if i >= pieces.len() {
                    return None;
                }
                if i > 0 {
                    tokio::time::sleep(every).await;
                }
                let piece = pieces[i].clone();
                Some((Ok::<Bytes, Infallible>(piece), (pieces, i + 1)))
            });
            Body::from_stream(stream)
        }
        Some(Fault::BodyNeverEnds) => {
            headers.insert(header::CONTENT_TYPE, json_ct);
            // about 1 KiB per piece
            let filler = Bytes::from("{\"type\":\"repository\",\"name\":\"filler\"},".repeat(26));
            let stream = futures_util::stream::unfold(0u64, move |i| {
                let filler = filler.clone();
                async move {
                    if i == 0 {
                        return Some((Ok::<Bytes, Infallible>(Bytes::from_static(b"{\"type\":\"paginated\",\"values\":[")), 1));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    Some((Ok(filler), i + 1))
                }
            });
            return build(StatusCode::OK, headers, Body::from_stream(stream));
        }
        Some(Fault::HugeBody { bytes }) => {
            headers.insert(header::CONTENT_TYPE, json_ct);
            return build(StatusCode::OK, headers, huge_body(*bytes));
        }
        _ => Body::from(body_bytes),
    };
    build(status, headers, body)
}

fn build(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in to continue</title></head>\n<body><h1>Log in to continue</h1><form method=\"post\" action=\"/login\"><input name=\"username\"><input type=\"password\" name=\"password\"><button>Log in</button></form></body></html>\n";

/// Exactly `total` bytes: valid JSON when `total` is at least 62 (a repository-ish object with a
/// long padding string), streamed in 64 KiB chunks.
fn huge_body(total: usize) -> Body {
    const PREFIX: &[u8] = b"{\"type\":\"repository\",\"full_name\":\"acme/website\",\"padding\":\"";
    const SUFFIX: &[u8] = b"\"}";
    const CHUNK: usize = 64 * 1024;
    let stream = futures_util::stream::unfold(0usize, move |pos| async move {
        if pos >= total {
            return None;
        }
        let end = (pos + CHUNK).min(total);
        let mut chunk = vec![b'x'; end - pos];
        if pos < PREFIX.len() {
            let upto = end.min(PREFIX.len());
            chunk[..upto - pos].copy_from_slice(&PREFIX[pos..upto]);
        }
        if total >= PREFIX.len() + SUFFIX.len() {
            let suffix_start = total - SUFFIX.len();
            let from = pos.max(suffix_start);
            if from < end {
                chunk[from - pos..].copy_from_slice(&SUFFIX[from - suffix_start..end - suffix_start]);
            }
        }
        Some((Ok::<Bytes, Infallible>(Bytes::from(chunk)), end))
    });
    Body::from_stream(stream)
}
