//! The dead man's switch (README "Heartbeat"): one GET after every run that made its
//! check, so that an outside service (healthchecks.io, an Uptime Kuma push monitor,
//! Better Stack) alerts when vigia stops: machine down, timer stopped, config broken.
//! A failed ping is a warning, never a failed run.

use std::time::Duration;

use crate::config::Heartbeat;
use crate::describe::describe_error;

/// Less time than this left in the run's budget: the ping is not tried.
const MIN_TIME: Duration = Duration::from_millis(500);

/// Pings `heartbeat`, in at most its timeout and at most `time_left`.
pub async fn ping(heartbeat: &Heartbeat, time_left: Duration) -> Result<(), String> {
    let limit = heartbeat.timeout.min(time_left);
    if limit < MIN_TIME {
        return Err("no time left in this run's budget".into());
    }
    let tls = heartbeat.url.scheme() == "https";
    // A redirect to https:// from an http:// ping URL finds no roots: keep the URL's scheme.
    let client = crate::ca_bundle::trust(reqwest::Client::builder(), tls)
        .user_agent(concat!("vigia/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| describe_error(&e))?;
    let request = client.get(heartbeat.url.clone()).send();
    match tokio::time::timeout(limit, request).await {
        Err(_) => Err(format!(
            "no answer within {}",
            crate::config::format_duration(limit)
        )),
        // Without the URL: its path is the check's own secret.
        Ok(Err(e)) => Err(describe_error(&e.without_url())),
        Ok(Ok(response)) if response.status().is_success() => Ok(()),
        Ok(Ok(response)) => Err(format!("HTTP {}", response.status().as_u16())),
    }
}
