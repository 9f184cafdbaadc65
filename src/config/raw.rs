//! The config file as TOML holds it: serde structs that mirror the file, every value
//! `Spanned` so that an error can name its line. Validated in `sections`.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) telegram: Option<Spanned<RawTelegram>>,
    pub(super) check: Option<RawCheck>,
    #[serde(default)]
    pub(super) target: Vec<Spanned<RawTarget>>,
    pub(super) heartbeat: Option<Spanned<RawHeartbeat>>,
    pub(super) metrics: Option<Spanned<RawMetrics>>,
    #[serde(default)]
    pub(super) maintenance: Vec<Spanned<RawMaintenance>>,
    pub(super) fleet: Option<Spanned<RawFleet>>,
    pub(super) alertmanager: Option<Spanned<RawAlertmanager>>,
    pub(super) status_page: Option<Spanned<RawStatusPage>>,
    pub(super) report: Option<Spanned<RawReport>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeartbeat {
    pub(super) url: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetrics {
    pub(super) textfile: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTelegram {
    pub(super) token: Option<Spanned<String>>,
    pub(super) token_file: Option<Spanned<String>>,
    pub(super) chat_id: Option<Spanned<i64>>,
    pub(super) message_thread_id: Option<Spanned<i64>>,
    pub(super) api_url: Option<Spanned<String>>,
    pub(super) proxy: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) language: Option<Spanned<String>>,
    // Commands from the chat: typed by hand in `sections`, so that an error names the key.
    pub(super) commands: Option<Spanned<toml::Value>>,
    pub(super) commands_from: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) attempts: Option<Spanned<i64>>,
    pub(super) retry_delay: Option<Spanned<String>>,
    pub(super) log_file: Option<Spanned<String>>,
    pub(super) state_dir: Option<Spanned<String>>,
    pub(super) parallel: Option<Spanned<i64>>,
    pub(super) parallel_per_host: Option<Spanned<i64>>,
    pub(super) canary: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) remind_every: Option<Spanned<String>>,
    pub(super) cert_warn_days: Option<Spanned<Vec<i64>>>,
    // When results become alerts: also in every [[target]].
    pub(super) confirm: Option<Spanned<i64>>,
    pub(super) recover: Option<Spanned<i64>>,
    pub(super) flapping: Option<Spanned<String>>,
    pub(super) slow: Option<Spanned<String>>,
    pub(super) domain_warn_days: Option<Spanned<Vec<i64>>>,
    pub(super) rdap_url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    pub(super) name: Option<Spanned<String>>,
    pub(super) url: Option<Spanned<String>>,
    pub(super) expect_status: Option<Spanned<Vec<i64>>>,
    pub(super) contains: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) attempts: Option<Spanned<i64>>,
    pub(super) retry_delay: Option<Spanned<String>>,
    pub(super) remind_every: Option<Spanned<String>>,
    pub(super) cert_warn_days: Option<Spanned<Vec<i64>>>,
    pub(super) ca_file: Option<Spanned<String>>,
    pub(super) ip: Option<Spanned<String>>,
    pub(super) confirm: Option<Spanned<i64>>,
    pub(super) recover: Option<Spanned<i64>>,
    pub(super) flapping: Option<Spanned<String>>,
    pub(super) slow: Option<Spanned<String>>,
    // Body rules and domain expiry.
    pub(super) not_contains: Option<Spanned<String>>,
    pub(super) matches: Option<Spanned<String>>,
    pub(super) json: Option<Spanned<RawJsonRules>>,
    pub(super) domain_warn_days: Option<Spanned<Vec<i64>>>,
}

/// `[target.json]`: pointer = value.
pub(super) type RawJsonRules = std::collections::BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMaintenance {
    pub(super) targets: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) days: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) start: Option<Spanned<String>>,
    pub(super) duration: Option<Spanned<String>>,
    pub(super) reason: Option<Spanned<String>>,
}

/// `[fleet]`: who this checker is, in the metrics and the alerts of a fleet.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFleet {
    pub(super) checker: Option<Spanned<String>>,
}

/// `[alertmanager]`: where each run posts its alerts (one URL, or a cluster's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlertmanager {
    pub(super) url: Option<Spanned<String>>,
    pub(super) urls: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStatusPage {
    pub(super) file: Option<Spanned<String>>,
    pub(super) title: Option<Spanned<String>>,
    pub(super) show_urls: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    pub(super) every: Option<Spanned<String>>,
    pub(super) at: Option<Spanned<String>>,
}
