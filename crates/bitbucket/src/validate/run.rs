//! Sending the probes: at most [`MAX_PROBES`](super::MAX_PROBES) read-only GETs, together, on
//! one client. The answers go to the judge as they came; nothing here reads them.

use super::judge::{judge, Outcome};
use super::plan::{plan, CheckRequest, InputError, Plan, Probe};
use super::report::{Problem, Report, Verdict};
use crate::client::Client;
use crate::credential::PastedKind;

/// Sends the probes concurrently and judges the answers, on a client of its own.
pub async fn run(plan: Plan) -> Report {
    if let Some(early) = plan.early.clone() {
        return Report::base(&plan, early, chrono::Utc::now());
    }
    match Client::new(plan.request.api_base.clone(), plan.request.timeouts) {
        Ok(client) => run_with(plan, &client).await,
        Err(e) => no_client(&plan, &e),
    }
}

/// [`run`] on `client`, whose connection may already be open ([`Client::preconnect`]): the
/// caller may open it while the person creates the token, so the check costs one round trip.
/// `client` must be for the plan's API address.
pub async fn run_with(plan: Plan, client: &Client) -> Report {
    if let Some(early) = plan.early.clone() {
        return Report::base(&plan, early, chrono::Utc::now());
    }
    if client.base() != &plan.request.api_base {
        return match Client::new(plan.request.api_base.clone(), plan.request.timeouts) {
            Ok(own) => Box::pin(run_with(plan, &own)).await,
            Err(e) => no_client(&plan, &e),
        };
    }
    let outcomes = send_probes(&plan, client).await;
    judge(&plan, &outcomes, chrono::Utc::now())
}

/// The report when no client could be built for the plan's API address.
fn no_client(plan: &Plan, e: &crate::client::NetworkError) -> Report {
    Report::base(plan, Verdict::fails(Problem::Network, e.to_string(), e.next_step()), chrono::Utc::now())
}

/// Sends the probes together, over as few connections as the server allows.
///
/// On a client with no open connection, requests sent together would each open one: the
/// pool learns that the server speaks HTTP/2 only when the first TLS handshake ends. So the
/// first probe goes alone, and the others follow the moment its connection is up (not when
/// its answer comes back), sharing it over HTTP/2; over HTTP/1.1 they open their own, as
/// concurrency needs. If the first probe found a pooled connection, the others go at once.
/// If its connection could not be opened (offline, DNS, refused, proxy, TLS), the others
/// would fail the same way: they are given the same error instead of waiting for their own.
async fn send_probes(plan: &Plan, client: &Client) -> Vec<Outcome> {
    use std::task::Poll;
    let credential = &plan.request.credential;
    let send = |probe: &Probe| {
        let probe = probe.clone();
        async move {
            let segments: Vec<&str> = probe.segments.iter().map(String::as_str).collect();
            let query: Vec<(&str, &str)> = probe.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let answer = client.get_query(&segments, &query, Some(credential)).await;
            (probe, answer)
        }
    };
    let Some((first, rest)) = plan.probes.split_first() else {
        return Vec::new();
    };
    let mut first = std::pin::pin!(send(first));
    // One poll: the request either takes a pooled connection or starts opening one.
    let early = match futures::poll!(first.as_mut()) {
        Poll::Ready(outcome) => Some(outcome),
        Poll::Pending if client.opening_connections() == 0 => None,
        // Biased: in the poll where its connection comes up, the first probe also reaches
        // the pool (and sends its request) before the others look for a connection.
        Poll::Pending => tokio::select! {
            biased;
            outcome = first.as_mut() => Some(outcome),
            () = client.connections_opened() => None,
        },
    };
    let mut outcomes = Vec::with_capacity(plan.probes.len());
    match early {
        Some((probe, Err(error))) if client.last_connect_failed() => {
            outcomes.push((probe, Err(error.clone())));
            outcomes.extend(rest.iter().map(|p| (p.clone(), Err(error.clone()))));
        }
        Some(outcome) => {
            outcomes.push(outcome);
            outcomes.extend(futures::future::join_all(rest.iter().map(send)).await);
        }
        None => {
            let (outcome, others) =
                futures::future::join(first, futures::future::join_all(rest.iter().map(send))).await;
            outcomes.push(outcome);
            outcomes.extend(others);
        }
    }
    outcomes
}

/// Convenience: plan and run in one call (input errors come back as `Err`).
pub async fn validate(request: CheckRequest, pasted: PastedKind) -> Result<Report, InputError> {
    Ok(run(plan(request, pasted)?).await)
}
