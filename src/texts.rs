//! Every sentence an alert can say, one table per language (`telegram.language`). A
//! third language is one more table. Templates name their blanks (`{target}`); the
//! message module fills them with values already escaped and styled.

/// The words of one language.
pub struct Texts {
    /// `{when} on {host}`: the line under each event.
    pub when_on: &'static str,
    pub down: &'static str,
    pub up_again: &'static str,
    /// A recovery from a state dated after now: the clock went back, the time is unknown.
    pub up_again_unknown: &'static str,
    pub still_down: &'static str,
    pub still_down_unknown: &'static str,
    pub cert_expires: &'static str,
    pub cert_renewed: &'static str,
    pub day: &'static str,
    pub days: &'static str,
    pub lost_connectivity: &'static str,
    pub back_online: &'static str,
    pub back_online_unknown: &'static str,
    pub unmuted: &'static str,
    pub state_up: &'static str,
    pub state_down: &'static str,
    pub fault: &'static str,
    pub fault_note: &'static str,
    pub and_more: &'static str,
    /// The line under a change confirmed by several runs: when the first of them ran.
    pub confirmed_down: &'static str,
    pub confirmed_up: &'static str,
    pub flapping: &'static str,
    pub still_flapping: &'static str,
    pub stable: &'static str,
    pub slow: &'static str,
    pub fast: &'static str,
    /// Between the whole and the fraction of a number: `2.4 s`.
    pub decimal_separator: &'static str,
    pub not_running: &'static str,
    /// `vigia ack`: who took the outage of these targets on, and why.
    pub ack: &'static str,
    pub ack_no_reason: &'static str,
    /// Under the ack: what it changes.
    pub ack_note: &'static str,
    /// Why a target is up or down, in this language.
    pub reasons: Reasons,
    /// The replies to commands from the chat.
    pub chat: &'static ChatTexts,
    /// `{domain}` of `{target}` expires in `{days}` `{day_word}`, on `{date}`.
    pub domain_expires: &'static str,
}

pub const EN: Texts = Texts {
    when_on: "{when} on {host}",
    down: "🔴 {target} is DOWN: {reason}",
    up_again: "🟢 {target} is UP again after {duration} down: {reason}",
    up_again_unknown: "🟢 {target} is UP again after an unknown time down (the clock went back): {reason}",
    still_down: "⏰ {target} is still DOWN, for {duration} now: {reason}",
    still_down_unknown: "⏰ {target} is still DOWN, for an unknown time (the clock went back): {reason}",
    cert_expires: "🔐 The certificate of {target} expires in {days} {day_word}, on {date}",
    cert_renewed: "🔐 The certificate of {target} was renewed: valid until {date}",
    day: "day",
    days: "days",
    lost_connectivity: "⚠️ {host} has lost its own connectivity since {when}: targets not judged",
    back_online: "✅ {host} is back online after {duration}: targets are judged again",
    back_online_unknown: "✅ {host} is back online after an unknown time (the clock went back): targets are judged again",
    unmuted: "🔔 {target} is no longer muted, and is {state} now: {reason}",
    state_up: "UP",
    state_down: "DOWN",
    fault: "⚠️ vigia on {host} could not check {count} target(s) since {when}: {detail}",
    fault_note: "This is a fault of the checking machine, not of the targets: they keep their last state until checks work again.",
    and_more: "and {count} more",
    confirmed_down: "down since {when} on {host}, confirmed by {count} checks",
    confirmed_up: "up since {when} on {host}, confirmed by {count} checks",
    flapping: "🟠 {target} is FLAPPING: {count} changes in {window}, now {state}",
    still_flapping: "🟠 {target} is still flapping, {count} changes in {window}, now {state}",
    stable: "🔵 {target} is stable again: {state} since {when}",
    slow: "🐢 {target} is SLOW: {elapsed} (limit {limit})",
    fast: "🐇 {target} is fast again: {elapsed}",
    decimal_separator: ".",
    not_running: "⏸️ vigia was not running from {from} to {to} ({duration}; machine off?). Now: {states}",
    ack: "✅ ack: {targets}, by {user}: {reason}",
    ack_no_reason: "✅ ack: {targets}, by {user}",
    ack_note: "No more reminders until it is UP again; the recovery is still sent.",
    reasons: REASONS_EN,
    chat: &EN_CHAT,
    domain_expires: "🌐 The domain {domain} of {target} expires in {days} {day_word}, on {date}",
};

/// Brazilian Portuguese, as an admin in Brazil would write it to a colleague.
pub const PT_BR: Texts = Texts {
    when_on: "{when} em {host}",
    down: "🔴 {target} está FORA DO AR: {reason}",
    up_again: "🟢 {target} voltou ao ar depois de {duration} fora: {reason}",
    up_again_unknown: "🟢 {target} voltou ao ar depois de um tempo desconhecido fora (o relógio voltou atrás): {reason}",
    still_down: "⏰ {target} continua FORA DO AR, já faz {duration}: {reason}",
    still_down_unknown: "⏰ {target} continua FORA DO AR, há um tempo desconhecido (o relógio voltou atrás): {reason}",
    cert_expires: "🔐 O certificado de {target} vence em {days} {day_word}, no dia {date}",
    cert_renewed: "🔐 O certificado de {target} foi renovado: vale até {date}",
    day: "dia",
    days: "dias",
    lost_connectivity: "⚠️ {host} perdeu a própria conexão desde {when}: os alvos não foram avaliados",
    back_online: "✅ {host} voltou a ter conexão depois de {duration}: os alvos voltam a ser avaliados",
    back_online_unknown: "✅ {host} voltou a ter conexão depois de um tempo desconhecido (o relógio voltou atrás): os alvos voltam a ser avaliados",
    unmuted: "🔔 {target} não está mais silenciado e agora está {state}: {reason}",
    state_up: "NO AR",
    state_down: "FORA DO AR",
    fault: "⚠️ o vigia em {host} não conseguiu verificar {count} alvo(s) desde {when}: {detail}",
    fault_note: "A falha é da máquina que faz as verificações, não dos alvos: eles mantêm o último estado até as verificações voltarem a funcionar.",
    and_more: "e mais {count}",
    confirmed_down: "fora do ar desde {when} em {host}, confirmado por {count} verificações",
    confirmed_up: "no ar desde {when} em {host}, confirmado por {count} verificações",
    flapping: "🟠 {target} está OSCILANDO: {count} mudanças em {window}, agora {state}",
    still_flapping: "🟠 {target} continua oscilando, {count} mudanças em {window}, agora {state}",
    stable: "🔵 {target} está estável de novo: {state} desde {when}",
    slow: "🐢 {target} está LENTO: {elapsed} (limite {limit})",
    fast: "🐇 {target} voltou a responder rápido: {elapsed}",
    decimal_separator: ",",
    not_running: "⏸️ o vigia ficou parado de {from} a {to} ({duration}; máquina desligada?). Agora: {states}",
    ack: "✅ reconhecido: {targets}, por {user}: {reason}",
    ack_no_reason: "✅ reconhecido: {targets}, por {user}",
    ack_note: "Sem mais lembretes até voltar ao ar; o aviso da volta ainda é enviado.",
    reasons: REASONS_PT_BR,
    chat: &PT_BR_CHAT,
    domain_expires: "🌐 O domínio {domain} de {target} vence em {days} {day_word}, no dia {date}",
};

/// The words of a [`crate::outcome::Reason`]: why a target is up or down. The English
/// table is also what the transition log and the terminal say (its format is a
/// contract: change these sentences and the log changes with them).
pub struct Reasons {
    /// `{what} in {ms} ms`: an answer and its latency.
    pub answered: &'static str,
    /// After `HTTP 301`: a redirect to `{scheme}` that is not followed.
    pub redirect_not_followed: &'static str,
    pub redirect_unreadable: &'static str,
    pub tcp_connect: &'static str,
    pub connection_refused: &'static str,
    pub connection_reset: &'static str,
    pub connection_aborted: &'static str,
    pub closed_early: &'static str,
    pub host_unreachable: &'static str,
    pub network_unreachable: &'static str,
    pub timed_out: &'static str,
    pub timed_out_after: &'static str,
    pub dns: &'static str,
    /// `{host} has no {family} address` (`IPv4`, `IPv6`).
    pub no_address: &'static str,
    pub no_resolver: &'static str,
    /// `TLS error: {why}`, `why` one of the `tls_*` below or rustls's own words.
    pub tls: &'static str,
    pub tls_expired: &'static str,
    pub tls_unknown_issuer: &'static str,
    pub tls_name_mismatch: &'static str,
    pub tls_not_valid_yet: &'static str,
    pub tls_self_signed: &'static str,
    pub tls_revoked: &'static str,
    pub tls_not_tls: &'static str,
    pub tls_closed_in_handshake: &'static str,
    pub tls_no_certificate: &'static str,
    pub redirect_loop: &'static str,
    pub too_many_redirects: &'static str,
    pub redirected_to_https: &'static str,
    /// `{text}` is quoted.
    pub text_not_found: &'static str,
    pub text_not_found_limited: &'static str,
    pub not_probed_in_time: &'static str,
    pub probe_failed: &'static str,
    pub too_many_open_files: &'static str,
    pub out_of_memory: &'static str,
    pub ca_file_unreadable: &'static str,
    pub http_setup: &'static str,
    pub canaries_failed: &'static str,
    pub canary_answered: &'static str,
    pub canaries_answer: &'static str,
    /// No reason was found (a probe that made no attempt).
    pub unknown: &'static str,
    // Body rules, DNS and ping. `{text}` and `{pointer}` are quoted; `{found}` and
    // `{expected}` are JSON.
    pub text_found: &'static str,
    pub no_match: &'static str,
    pub no_match_limited: &'static str,
    pub not_json: &'static str,
    pub not_json_limited: &'static str,
    pub json_mismatch: &'static str,
    pub json_missing: &'static str,
    /// `{type}` (A, MX, …) and the answers, comma-separated.
    pub dns_answer: &'static str,
    pub dns_nxdomain: &'static str,
    /// `{code}`: SERVFAIL, REFUSED, …
    pub dns_rcode: &'static str,
    pub dns_no_records: &'static str,
    pub dns_text_not_found: &'static str,
    pub echo_reply: &'static str,
    pub ping_not_permitted: &'static str,
}

pub const REASONS_EN: Reasons = Reasons {
    answered: "{what} in {ms} ms",
    redirect_not_followed: " (redirect to {scheme}: not followed)",
    redirect_unreadable: " (redirect to an unreadable location, not followed)",
    tcp_connect: "TCP connect",
    connection_refused: "connection refused",
    connection_reset: "connection reset",
    connection_aborted: "connection aborted",
    closed_early: "connection closed before a complete answer",
    host_unreachable: "host unreachable",
    network_unreachable: "network unreachable",
    timed_out: "timed out",
    timed_out_after: "timed out after {duration}",
    dns: "DNS failure (name not resolved)",
    no_address: "{host} has no {family} address",
    no_resolver: "no DNS resolver configured (/etc/resolv.conf names no nameserver)",
    tls: "TLS error: {why}",
    tls_expired: "certificate expired",
    tls_unknown_issuer: "certificate from an unknown issuer",
    tls_name_mismatch: "certificate name mismatch",
    tls_not_valid_yet: "certificate not valid yet",
    tls_self_signed: "self-signed certificate (a CA certificate used by the server)",
    tls_revoked: "certificate revoked",
    tls_not_tls: "the server does not speak TLS (plain HTTP on this port?)",
    tls_closed_in_handshake: "the server closed the connection during the handshake",
    tls_no_certificate: "the server sent no certificate",
    redirect_loop: "redirect loop",
    too_many_redirects: "too many redirects",
    redirected_to_https: "redirected to https://",
    text_not_found: "text {text} not found",
    text_not_found_limited: "text {text} not found in the first 1 MiB",
    not_probed_in_time:
        "not probed in time: the run's budget ran out (too many targets for check.parallel?)",
    probe_failed: "probe failed",
    too_many_open_files: "too many open files",
    out_of_memory: "out of memory",
    ca_file_unreadable: "cannot read {path}: {why}",
    http_setup: "cannot set up HTTP: {why}",
    canaries_failed: "every canary failed ({reason}), and targets with them",
    canary_answered: "{url} answered: {reason}",
    canaries_answer: "canaries answer again",
    unknown: "no reason known",
    text_found: "text {text} found",
    no_match: "no match for /{pattern}/",
    no_match_limited: "no match for /{pattern}/ in the first 1 MiB",
    not_json: "body is not JSON",
    not_json_limited: "body is not JSON (or over 1 MiB)",
    json_mismatch: "{pointer} is {found}, expected {expected}",
    json_missing: "{pointer} not found in the JSON body",
    dns_answer: "{type} {answers}",
    dns_nxdomain: "{name} does not exist (NXDOMAIN)",
    dns_rcode: "DNS server failed for {name} ({code})",
    dns_no_records: "{name} has no {type} record",
    dns_text_not_found: "text {text} not in the answers ({answers})",
    echo_reply: "echo reply",
    ping_not_permitted: "this machine refuses unprivileged ICMP sockets: allow the group of vigia's user in the sysctl net.ipv4.ping_group_range (e.g. \"0 2147483647\", as Debian's systemd sets it)",
};

pub const REASONS_PT_BR: Reasons = Reasons {
    answered: "{what} em {ms} ms",
    redirect_not_followed: " (redirecionamento para {scheme}: não seguido)",
    redirect_unreadable: " (redirecionamento para um endereço ilegível, não seguido)",
    tcp_connect: "conexão TCP aceita",
    connection_refused: "conexão recusada",
    connection_reset: "conexão resetada",
    connection_aborted: "conexão abortada",
    closed_early: "conexão fechada antes de a resposta chegar inteira",
    host_unreachable: "host inacessível",
    network_unreachable: "rede inacessível",
    timed_out: "tempo esgotado",
    timed_out_after: "sem resposta em {duration}",
    dns: "falha de DNS (nome não resolvido)",
    no_address: "{host} não tem endereço {family}",
    no_resolver: "nenhum servidor DNS configurado (o /etc/resolv.conf não tem nameserver)",
    tls: "erro de TLS: {why}",
    tls_expired: "certificado vencido",
    tls_unknown_issuer: "certificado de um emissor desconhecido",
    tls_name_mismatch: "o nome no certificado não confere",
    tls_not_valid_yet: "certificado ainda não é válido",
    tls_self_signed: "certificado autoassinado (o servidor usa um certificado de CA)",
    tls_revoked: "certificado revogado",
    tls_not_tls: "o servidor não fala TLS (HTTP puro nesta porta?)",
    tls_closed_in_handshake: "o servidor fechou a conexão durante o handshake",
    tls_no_certificate: "o servidor não mandou certificado",
    redirect_loop: "loop de redirecionamento",
    too_many_redirects: "redirecionamentos demais",
    redirected_to_https: "redirecionado para https://",
    text_not_found: "texto {text} não encontrado",
    text_not_found_limited: "texto {text} não encontrado no primeiro 1 MiB",
    not_probed_in_time: "não deu tempo de verificar: o tempo da execução acabou (alvos demais para o check.parallel?)",
    probe_failed: "a verificação falhou",
    too_many_open_files: "arquivos abertos demais",
    out_of_memory: "memória esgotada",
    ca_file_unreadable: "não foi possível ler {path}: {why}",
    http_setup: "não foi possível preparar o HTTP: {why}",
    canaries_failed: "todos os canários falharam ({reason}), e alvos também",
    canary_answered: "{url} respondeu: {reason}",
    canaries_answer: "os canários voltaram a responder",
    unknown: "motivo desconhecido",
    text_found: "texto {text} encontrado",
    no_match: "nada casa com /{pattern}/",
    no_match_limited: "nada casa com /{pattern}/ no primeiro 1 MiB",
    not_json: "a resposta não é JSON",
    not_json_limited: "a resposta não é JSON (ou passa de 1 MiB)",
    json_mismatch: "{pointer} é {found}, esperado {expected}",
    json_missing: "{pointer} não existe no JSON da resposta",
    dns_answer: "{type} {answers}",
    dns_nxdomain: "{name} não existe (NXDOMAIN)",
    dns_rcode: "o servidor DNS falhou para {name} ({code})",
    dns_no_records: "{name} não tem registro {type}",
    dns_text_not_found: "texto {text} não está nas respostas ({answers})",
    echo_reply: "resposta de eco",
    ping_not_permitted: "esta máquina recusa sockets ICMP sem privilégio: permita o grupo do usuário do vigia no sysctl net.ipv4.ping_group_range (ex.: \"0 2147483647\", como o systemd do Debian faz)",
};

/// The languages `telegram.language` accepts, with their tables.
pub const LANGUAGES: [(&str, &Texts); 2] = [("en", &EN), ("pt-BR", &PT_BR)];

/// The table of `language` (`None`: English).
pub fn for_language(language: Option<&str>) -> &'static Texts {
    LANGUAGES
        .iter()
        .find(|(name, _)| Some(*name) == language)
        .map_or(&EN, |(_, texts)| texts)
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The replies to commands from the chat (see [`crate::commands`]), and the menu
/// `vigia init` registers with setMyCommands.
pub struct ChatTexts {
    /// (command, what it does): the menu and `/help`, in this order.
    pub commands: [(&'static str, &'static str); 6],
    pub help: &'static str,
    pub muted_for: &'static str,
    pub muted: &'static str,
    pub unmuted: &'static str,
    pub not_muted: &'static str,
    pub acked: &'static str,
    pub ack_not_down: &'static str,
    pub no_target: &'static str,
    pub not_a_duration: &'static str,
    pub usage: &'static str,
    pub unknown: &'static str,
    pub status: &'static str,
    pub up_since: &'static str,
    pub down_since: &'static str,
    pub never_checked: &'static str,
    pub muted_until: &'static str,
    pub muted_until_unmute: &'static str,
    /// `/status`: a change not confirmed yet, flapping, slowness, an ack.
    pub pending: &'static str,
    pub flapping: &'static str,
    pub slow: &'static str,
    pub acked_by: &'static str,
    pub waiting: &'static str,
    pub set_aside: &'static str,
    pub offline: &'static str,
    pub check: &'static str,
}

pub const EN_CHAT: ChatTexts = ChatTexts {
    commands: [
        ("status", "each target's state and since when"),
        ("check", "the results of this check"),
        (
            "mute",
            "<target|all> [duration] [reason]: send nothing about it",
        ),
        ("unmute", "<target|all>: send alerts again"),
        ("ack", "<target|all> [reason]: acknowledge an outage"),
        ("help", "this list"),
    ],
    help: "vigia on {host} answers within a minute:",
    muted_for: "🔇 {target} muted for {duration} by {who}",
    muted: "🔇 {target} muted until /unmute by {who}",
    unmuted: "🔔 {target} unmuted by {who}",
    not_muted: "{target} is not muted",
    acked: "👍 {target} acknowledged by {who}",
    ack_not_down: "{target}: nothing down to acknowledge",
    no_target: "No target is named {target}; the targets: {list}",
    not_a_duration: "{text} is not a duration: write e.g. 30m, 2h, 1d",
    usage: "Write: {usage}",
    unknown: "{command} is not a command of vigia: /help lists them",
    status: "📋 vigia on {host}, {when}",
    up_since: "🟢 {target} UP since {since}",
    down_since: "🔴 {target} DOWN since {since}, for {duration}",
    never_checked: "⚪ {target} not checked yet",
    muted_until: "🔇 muted until {until}",
    muted_until_unmute: "🔇 muted until /unmute",
    pending: "⏳ {state}? {runs} of {of} checks",
    flapping: "🟠 flapping",
    slow: "🐢 slow",
    acked_by: "✅ ack by {who}",
    waiting: "✉️ {count} message(s) waiting for Telegram",
    set_aside: "⚠️ {count} message(s) refused by Telegram: see 'vigia outbox'",
    offline: "⚠️ this machine is offline (every canary fails): targets not judged",
    check: "🔎 check on {host}, {when}: {summary}",
};

/// Brazilian Portuguese.
pub const PT_BR_CHAT: ChatTexts = ChatTexts {
    commands: [
        ("status", "o estado de cada alvo e desde quando"),
        ("check", "os resultados desta verificação"),
        (
            "mute",
            "<alvo|all> [duração] [motivo]: não avisar sobre ele",
        ),
        ("unmute", "<alvo|all>: voltar a avisar"),
        ("ack", "<alvo|all> [motivo]: reconhecer uma queda"),
        ("help", "esta lista"),
    ],
    help: "o vigia em {host} responde em até um minuto:",
    muted_for: "🔇 {who} silenciou {target} por {duration}",
    muted: "🔇 {who} silenciou {target} até /unmute",
    unmuted: "🔔 {who} reativou os avisos de {target}",
    not_muted: "{target} não está silenciado",
    acked: "👍 {who} reconheceu {target}",
    ack_not_down: "{target}: nada fora do ar para reconhecer",
    no_target: "Nenhum alvo se chama {target}; os alvos: {list}",
    not_a_duration: "{text} não é uma duração: escreva por exemplo 30m, 2h, 1d",
    usage: "Escreva: {usage}",
    unknown: "{command} não é um comando do vigia: /help mostra a lista",
    status: "📋 vigia em {host}, {when}",
    up_since: "🟢 {target} NO AR desde {since}",
    down_since: "🔴 {target} FORA DO AR desde {since}, há {duration}",
    never_checked: "⚪ {target} ainda não verificado",
    muted_until: "🔇 silenciado até {until}",
    muted_until_unmute: "🔇 silenciado até /unmute",
    pending: "⏳ {state}? {runs} de {of} verificações",
    flapping: "🟠 oscilando",
    slow: "🐢 lento",
    acked_by: "✅ reconhecido por {who}",
    waiting: "✉️ {count} mensagem(ns) esperando o Telegram",
    set_aside: "⚠️ {count} mensagem(ns) recusada(s) pelo Telegram: veja 'vigia outbox'",
    offline: "⚠️ esta máquina está sem conexão (todos os canários falham): alvos não avaliados",
    check: "🔎 verificação em {host}, {when}: {summary}",
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `{blank}` of `template` (of the language `name`) is one of `known`.
    pub fn assert_blanks_known(name: &str, template: &str, known: &[&str]) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("closed blank") + open;
            let blank = &rest[open + 1..close];
            assert!(
                known.contains(&blank),
                "{name}: unknown blank {blank:?} in {template:?}"
            );
            rest = &rest[close + 1..];
        }
    }

    #[test]
    fn every_blank_of_every_table_is_one_the_code_fills() {
        let known = [
            "when", "host", "target", "reason", "duration", "days", "day_word", "date", "state",
            "count", "detail", "targets", "user", "window", "elapsed", "limit", "from", "to",
            "states", "domain",
        ];
        for (name, t) in LANGUAGES {
            for template in [
                t.when_on,
                t.down,
                t.up_again,
                t.up_again_unknown,
                t.still_down,
                t.still_down_unknown,
                t.cert_expires,
                t.cert_renewed,
                t.domain_expires,
                t.lost_connectivity,
                t.back_online,
                t.back_online_unknown,
                t.unmuted,
                t.fault,
                t.and_more,
                t.ack,
                t.ack_no_reason,
                t.ack_note,
                t.confirmed_down,
                t.confirmed_up,
                t.flapping,
                t.still_flapping,
                t.stable,
                t.slow,
                t.fast,
                t.not_running,
            ] {
                assert_blanks_known(name, template, &known);
            }
        }
        assert_eq!(fill("{a} and {b}", &[("a", "1"), ("b", "2")]), "1 and 2");
        assert_eq!(for_language(Some("pt-BR")).down, PT_BR.down);
        assert_eq!(for_language(None).down, EN.down);
    }

    #[test]
    fn every_blank_of_every_chat_reply_is_one_the_code_fills() {
        let known = [
            "host", "target", "duration", "who", "list", "text", "usage", "command", "when",
            "since", "until", "count", "summary", "state", "runs", "of",
        ];
        for (name, t) in LANGUAGES {
            let c = t.chat;
            for template in [
                c.help,
                c.muted_for,
                c.muted,
                c.unmuted,
                c.not_muted,
                c.acked,
                c.ack_not_down,
                c.no_target,
                c.not_a_duration,
                c.usage,
                c.unknown,
                c.status,
                c.up_since,
                c.down_since,
                c.never_checked,
                c.muted_until,
                c.muted_until_unmute,
                c.pending,
                c.flapping,
                c.slow,
                c.acked_by,
                c.waiting,
                c.set_aside,
                c.offline,
                c.check,
            ] {
                assert_blanks_known(name, template, &known);
            }
            // The menu: 1-32 characters of a-z, 0-9 and _, descriptions 1-256 (Bot API).
            for (command, description) in c.commands {
                assert!(
                    command.len() <= 32
                        && command
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                );
                assert!(
                    (1..=256).contains(&description.chars().count()),
                    "{name}: {command}"
                );
            }
            assert_eq!(c.commands.map(|(n, _)| n), EN_CHAT.commands.map(|(n, _)| n));
        }
    }
}

#[cfg(test)]
mod reason_texts {
    use super::tests::assert_blanks_known;
    use super::*;

    #[test]
    fn every_blank_of_every_reason_is_one_the_code_fills() {
        let known = [
            "what", "ms", "scheme", "duration", "host", "family", "why", "text", "path", "reason",
            "url", "pattern", "pointer", "found", "expected", "type", "answers", "name", "code",
        ];
        for (name, t) in LANGUAGES {
            let r = &t.reasons;
            for template in [
                r.answered,
                r.redirect_not_followed,
                r.timed_out_after,
                r.no_address,
                r.tls,
                r.text_not_found,
                r.text_not_found_limited,
                r.ca_file_unreadable,
                r.http_setup,
                r.canaries_failed,
                r.canary_answered,
                r.text_found,
                r.no_match,
                r.no_match_limited,
                r.json_mismatch,
                r.json_missing,
                r.dns_answer,
                r.dns_nxdomain,
                r.dns_rcode,
                r.dns_no_records,
                r.dns_text_not_found,
            ] {
                assert_blanks_known(name, template, &known);
            }
        }
    }
}

/// Every sentence `vigia init` says, asks or fails with, one table per language, chosen
/// by `--language` or the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`). `--help` stays
/// English (clap's). Blanks as in [`Texts`].
pub struct WizardTexts {
    pub needs_flags: &'static str,
    pub flag_token: &'static str,
    pub flag_chat: &'static str,
    pub flag_url: &'static str,
    pub intro: &'static str,
    pub kept_old: &'static str,
    pub wrote: &'static str,
    pub step_bot: &'static str,
    pub bot_answers: &'static str,
    pub try_again: &'static str,
    pub cannot_read_stdin: &'static str,
    pub cannot_read_token_file: &'static str,
    pub paste_token: &'static str,
    pub not_a_token_retry: &'static str,
    pub not_a_token: &'static str,
    pub webhook_unknown: &'static str,
    pub step_webhook: &'static str,
    pub delete_webhook: &'static str,
    pub webhook_stays: &'static str,
    pub webhook_deleted: &'static str,
    pub no_code: &'static str,
    pub step_chat: &'static str,
    pub found: &'static str,
    pub topic: &'static str,
    pub private_chat: &'static str,
    pub group: &'static str,
    pub supergroup: &'static str,
    pub channel: &'static str,
    /// Telegram HTML; `{host}` comes escaped.
    pub test_message: &'static str,
    pub test_not_sent: &'static str,
    pub chat_place: &'static str,
    pub step_test: &'static str,
    pub did_it_arrive: &'static str,
    pub start_over: &'static str,
    pub did_not_arrive: &'static str,
    pub name_twice: &'static str,
    pub step_targets: &'static str,
    pub url_prompt: &'static str,
    pub name_prompt: &'static str,
    pub name_taken: &'static str,
    pub add_another: &'static str,
    pub step_canaries: &'static str,
    pub add_canaries: &'static str,
    /// Commands from the chat (`telegram.commands`).
    pub step_commands: &'static str,
    pub answer_commands: &'static str,
    pub nobody_commands: &'static str,
    pub commands_on: &'static str,
    pub menu_failed: &'static str,
    pub menu_registered: &'static str,
    /// `check.confirm`: how many failed checks in a row make an alert.
    pub confirm_prompt: &'static str,
    pub confirm_range: &'static str,
    /// One target probed: `{mark}` is ✓ or ✗, `{state}` one of the two below.
    pub probed: &'static str,
    pub probed_up: &'static str,
    pub probed_down: &'static str,
    pub other_file: &'static str,
    pub no_systemd: &'static str,
    pub as_root: &'static str,
    pub run_yourself: &'static str,
    pub step_timer: &'static str,
    pub enable_timer: &'static str,
    pub not_enabled: &'static str,
    pub cannot_run: &'static str,
    pub command_failed: &'static str,
    pub timer_running: &'static str,
    pub code_timeout: &'static str,
    pub waiting: &'static str,
    pub ignored: &'static str,
    pub token_unknown: &'static str,
    pub api_not_found: &'static str,
    pub token_malformed: &'static str,
    pub api_no_tls: &'static str,
    pub api_unreachable: &'static str,
    pub not_a_file_name: &'static str,
    pub already_exists: &'static str,
    /// `[Y/n]` and `[y/N]`: the default in capitals.
    pub yes_no_hint_yes: &'static str,
    pub yes_no_hint_no: &'static str,
    /// The answers taken for yes and for no (lowercase); English ones always work too.
    pub yes_words: &'static [&'static str],
    pub no_words: &'static [&'static str],
    pub answer_yes_no: &'static str,
    pub cancelled: &'static str,
    pub cancelled_written: &'static str,
    pub cannot_read_answer: &'static str,
}

pub const WIZARD_EN: WizardTexts = WizardTexts {
    needs_flags: "init needs a terminal to ask, or these flags: {flags}",
    flag_token: "--token-file FILE (or '-' for stdin, or VIGIA_TOKEN)",
    flag_chat: "--chat-id ID",
    flag_url: "--url URL (or --yes to watch this machine's address)",
    intro: "vigia init: set up alerts for {host} in a few steps. Ctrl-C leaves without writing anything.\n",
    kept_old: "Kept the old config as {path}.",
    wrote: "\nStep 7 of 8: wrote {path} (mode 0600).",
    step_bot: "Step 1 of 8: the bot. In Telegram, open https://t.me/BotFather and send /newbot.\n\
               Give it a display name, then a username ending in 'bot' (e.g. myserver_alerts_bot).\n\
               BotFather answers with a token like 123456789:AAH...; copy it.",
    bot_answers: "✓ Bot @{username} ({name}) answers.",
    try_again: "Try again?",
    cannot_read_stdin: "cannot read the token from standard input",
    cannot_read_token_file: "cannot read the token file {path}",
    paste_token: "Paste the bot token (hidden)",
    not_a_token_retry: "✗ That is not a bot token: {why}.",
    not_a_token: "that is not a bot token: {why}",
    webhook_unknown: "! Could not ask whether the bot has a webhook ({error}); going on.",
    step_webhook: "\nStep 2 of 8: the webhook. The bot has a webhook ({url}): Telegram sends its\n\
                   updates there, so vigia cannot read them to find your chat. Deleting the webhook\n\
                   stops whatever uses it.",
    delete_webhook: "Delete the webhook?",
    webhook_stays: "the webhook stays; give the chat with --chat-id instead",
    webhook_deleted: "✓ Webhook deleted.",
    no_code: "cannot make a one-time code",
    step_chat: "\nStep 3 of 8: prove the chat that gets the alerts.\n\
                - For yourself: open https://t.me/{username}?start={code} and press Start.\n\
                - For a group: add @{username} to it, then send there:  /start@{username} {code}\n\
                Waiting for the code (up to {minutes} minutes)...",
    found: "✓ Found: {chat} (chat id {id}{topic}).",
    topic: ", topic {topic}",
    private_chat: "private chat with {name}",
    group: "group",
    supergroup: "supergroup",
    channel: "channel",
    test_message: "✅ <b>vigia</b> on {host} will send its alerts here.",
    test_not_sent: "the test message was not sent: {error}",
    chat_place: "chat {id}",
    step_test: "\nStep 4 of 8: ✓ sent a test message to {place}.",
    did_it_arrive: "Did it arrive?",
    start_over: "Start over with a new code?",
    did_not_arrive: "the test message did not arrive; nothing was written",
    name_twice: "the name {name} is given twice",
    step_targets: "\nStep 5 of 8: what to watch.",
    url_prompt: "URL to watch (http://, https:// or tcp://host:port)",
    name_prompt: "Name for it",
    name_taken: "the name {name} is taken by another target",
    add_another: "Add another URL?",
    step_canaries: "\nStep 6 of 8: canaries. If this machine loses its own connection, every site looks down.\n\
                    Two public canaries ({canaries}) tell that apart:\n\
                    when they fail too, vigia says so once instead of alerting on every site.",
    add_canaries: "Add these canaries?",
    step_commands: "\nCommands from the chat: vigia can answer /status, /mute, /unmute, /ack, /check and /help\n\
                    sent in this chat, within a minute (each check reads them once; only the users\n\
                    you allow).",
    answer_commands: "Answer commands from the chat?",
    nobody_commands: "! Nobody may command yet: add Telegram user ids to telegram.commands_from.",
    commands_on: "✓ Commands on; allowed: {ids}.",
    menu_failed: "! Could not register the command menu ({error}); the commands work without it.",
    menu_registered: "✓ Registered the command menu with Telegram.",
    confirm_prompt: "Alert after how many failed checks in a row? (1 alerts at once; 2 or 3 ignore one-minute blips)",
    confirm_range: "a number from 1 to 10",
    probed: "{mark} {name} ({url}) is {state}: {reason}",
    probed_up: "up",
    probed_down: "DOWN",
    other_file: "The timer's service reads {unit_config}, not this file: run `vigia --config {path} check`\n\
                 from a timer or cron job of your own, or write the config there (as root, without --config).",
    no_systemd: " (systemd is not running here)",
    as_root: " (as root)",
    run_yourself: "Step 8 of 8: run `{command}`{why} to check every minute; `vigia status` shows the results.",
    step_timer: "\nStep 8 of 8: the timer.",
    enable_timer: "Enable and start vigia.timer now (checks every minute)?",
    not_enabled: "Not enabled. Later: `{command}`.",
    cannot_run: "cannot run {path}",
    command_failed: "`{command}` failed ({status})",
    timer_running: "✓ vigia.timer is running: the first check is within a minute. `vigia status` shows it.",
    code_timeout: "no message with the code arrived in {minutes} minutes; nothing was written (run 'vigia init' again)",
    waiting: "waiting for /start {code}",
    ignored: " ({count} other message(s) ignored)",
    token_unknown: "Telegram does not know this token (401): it is wrong or was revoked. \
                    Copy it again from @BotFather (/token shows the current one).",
    api_not_found: "the Bot API at {api_url} answered 404 Not Found: either --api-url is wrong (it is the \
                    server's base URL, without /bot..., e.g. http://127.0.0.1:8081) or the token is malformed",
    token_malformed: "Telegram rejects this token as malformed (404). Copy it again from @BotFather.",
    api_no_tls: "{api_url} does not answer in TLS: if that server speaks plain HTTP (a local Bot API server \
                 does, on port 8081), use --api-url {plain_url}",
    api_unreachable: "{error}. Check DNS and the firewall; where {api_url} is blocked, set HTTPS_PROXY \
                      (e.g. socks5h://127.0.0.1:1080) or use --api-url with a reverse proxy or a local Bot API server.",
    not_a_file_name: "{path} is not a file name for the config",
    already_exists: "{path} already exists: pass --force to replace it (the old one is kept as a backup)",
    yes_no_hint_yes: "Y/n",
    yes_no_hint_no: "y/N",
    yes_words: &["y", "yes"],
    no_words: &["n", "no"],
    answer_yes_no: "answer y or n",
    cancelled: "cancelled; nothing was written",
    cancelled_written: "cancelled; the config is written, the timer is not enabled",
    cannot_read_answer: "cannot read the answer",
};

/// The wizard in Brazilian Portuguese, as [`PT_BR`] speaks.
pub const WIZARD_PT_BR: WizardTexts = WizardTexts {
    needs_flags: "o init precisa de um terminal para perguntar, ou destas opções: {flags}",
    flag_token: "--token-file ARQUIVO (ou '-' para a entrada padrão, ou VIGIA_TOKEN)",
    flag_chat: "--chat-id ID",
    flag_url: "--url URL (ou --yes para vigiar o endereço desta máquina)",
    intro: "vigia init: configurar os alertas de {host} em poucos passos. Ctrl-C sai sem gravar nada.\n",
    kept_old: "A config antiga ficou guardada em {path}.",
    wrote: "\nPasso 7 de 8: gravei {path} (modo 0600).",
    step_bot: "Passo 1 de 8: o bot. No Telegram, abra https://t.me/BotFather e mande /newbot.\n\
               Dê um nome de exibição e depois um nome de usuário terminado em 'bot' (ex.: meuservidor_alertas_bot).\n\
               O BotFather responde com um token como 123456789:AAH...; copie o token.",
    bot_answers: "✓ O bot @{username} ({name}) respondeu.",
    try_again: "Tentar de novo?",
    cannot_read_stdin: "não foi possível ler o token da entrada padrão",
    cannot_read_token_file: "não foi possível ler o arquivo do token {path}",
    paste_token: "Cole o token do bot (fica oculto)",
    not_a_token_retry: "✗ Isso não é um token de bot: {why}.",
    not_a_token: "isso não é um token de bot: {why}",
    webhook_unknown: "! Não deu para saber se o bot tem um webhook ({error}); seguindo em frente.",
    step_webhook: "\nPasso 2 de 8: o webhook. O bot tem um webhook ({url}): o Telegram manda as\n\
                   atualizações para lá, então o vigia não consegue lê-las para achar o seu chat. Apagar o\n\
                   webhook interrompe o que estiver usando ele.",
    delete_webhook: "Apagar o webhook?",
    webhook_stays: "o webhook fica; informe o chat com --chat-id",
    webhook_deleted: "✓ Webhook apagado.",
    no_code: "não foi possível gerar um código de uso único",
    step_chat: "\nPasso 3 de 8: confirme o chat que vai receber os alertas.\n\
                - Para você mesmo: abra https://t.me/{username}?start={code} e toque em Iniciar.\n\
                - Para um grupo: adicione @{username} nele e mande lá:  /start@{username} {code}\n\
                Esperando o código (até {minutes} minutos)...",
    found: "✓ Encontrado: {chat} (chat id {id}{topic}).",
    topic: ", tópico {topic}",
    private_chat: "chat privado com {name}",
    group: "grupo",
    supergroup: "supergrupo",
    channel: "canal",
    test_message: "✅ O <b>vigia</b> em {host} vai mandar os alertas aqui.",
    test_not_sent: "a mensagem de teste não foi enviada: {error}",
    chat_place: "o chat {id}",
    step_test: "\nPasso 4 de 8: ✓ mandei uma mensagem de teste para {place}.",
    did_it_arrive: "Chegou?",
    start_over: "Recomeçar com um código novo?",
    did_not_arrive: "a mensagem de teste não chegou; nada foi gravado",
    name_twice: "o nome {name} aparece duas vezes",
    step_targets: "\nPasso 5 de 8: o que vigiar.",
    url_prompt: "URL para vigiar (http://, https:// ou tcp://host:porta)",
    name_prompt: "Nome para ela",
    name_taken: "o nome {name} já é de outro alvo",
    add_another: "Adicionar outra URL?",
    step_canaries: "\nPasso 6 de 8: canários. Se esta máquina perder a própria conexão, todos os sites parecem fora do ar.\n\
                    Dois canários públicos ({canaries}) tiram a dúvida:\n\
                    quando eles também falham, o vigia avisa uma vez só em vez de alertar sobre cada site.",
    add_canaries: "Adicionar esses canários?",
    step_commands: "\nComandos pelo chat: o vigia pode responder /status, /mute, /unmute, /ack, /check e /help\n\
                    enviados neste chat, em até um minuto (cada verificação os lê uma vez; só dos usuários\n\
                    que você permitir).",
    answer_commands: "Responder comandos pelo chat?",
    nobody_commands: "! Ninguém pode mandar comandos ainda: ponha ids de usuários do Telegram em telegram.commands_from.",
    commands_on: "✓ Comandos ligados; permitidos: {ids}.",
    menu_failed: "! Não consegui registrar o menu de comandos ({error}); os comandos funcionam sem ele.",
    menu_registered: "✓ Registrei o menu de comandos no Telegram.",
    confirm_prompt: "Alertar depois de quantas verificações com falha seguidas? (1 alerta na hora; 2 ou 3 ignoram quedas de um minuto)",
    confirm_range: "um número de 1 a 10",
    probed: "{mark} {name} ({url}) está {state}: {reason}",
    probed_up: "no ar",
    probed_down: "FORA DO AR",
    other_file: "O serviço do timer lê {unit_config}, não este arquivo: rode `vigia --config {path} check`\n\
                 num timer ou cron seu, ou grave a config lá (como root, sem --config).",
    no_systemd: " (o systemd não está rodando aqui)",
    as_root: " (como root)",
    run_yourself: "Passo 8 de 8: rode `{command}`{why} para verificar a cada minuto; `vigia status` mostra os resultados.",
    step_timer: "\nPasso 8 de 8: o timer.",
    enable_timer: "Habilitar e iniciar o vigia.timer agora (verifica a cada minuto)?",
    not_enabled: "Não habilitado. Depois: `{command}`.",
    cannot_run: "não foi possível rodar {path}",
    command_failed: "`{command}` falhou ({status})",
    timer_running: "✓ O vigia.timer está rodando: a primeira verificação sai em até um minuto. `vigia status` mostra.",
    code_timeout: "nenhuma mensagem com o código chegou em {minutes} minutos; nada foi gravado (rode 'vigia init' de novo)",
    waiting: "esperando /start {code}",
    ignored: " ({count} outra(s) mensagem(ns) ignorada(s))",
    token_unknown: "O Telegram não conhece este token (401): está errado ou foi revogado. \
                    Copie de novo do @BotFather (/token mostra o atual).",
    api_not_found: "a Bot API em {api_url} respondeu 404 Not Found: ou o --api-url está errado (é o endereço \
                    base do servidor, sem /bot..., ex.: http://127.0.0.1:8081) ou o token está malformado",
    token_malformed: "O Telegram recusa este token como malformado (404). Copie de novo do @BotFather.",
    api_no_tls: "{api_url} não responde em TLS: se esse servidor fala HTTP puro (um servidor local da Bot API \
                 fala, na porta 8081), use --api-url {plain_url}",
    api_unreachable: "{error}. Confira o DNS e o firewall; onde {api_url} estiver bloqueado, defina HTTPS_PROXY \
                      (ex.: socks5h://127.0.0.1:1080) ou use --api-url com um proxy reverso ou um servidor local da Bot API.",
    not_a_file_name: "{path} não é um nome de arquivo para a config",
    already_exists: "{path} já existe: use --force para substituir (a antiga fica guardada como backup)",
    yes_no_hint_yes: "S/n",
    yes_no_hint_no: "s/N",
    yes_words: &["s", "sim"],
    no_words: &["n", "não", "nao"],
    answer_yes_no: "responda s ou n",
    cancelled: "cancelado; nada foi gravado",
    cancelled_written: "cancelado; a config foi gravada, o timer não foi habilitado",
    cannot_read_answer: "não foi possível ler a resposta",
};

/// The wizard's table for each language `telegram.language` accepts.
pub const WIZARD_LANGUAGES: [(&str, &WizardTexts); 2] =
    [("en", &WIZARD_EN), ("pt-BR", &WIZARD_PT_BR)];

/// The wizard's table of `language` (`None` or unknown: English).
pub fn wizard_for(language: Option<&str>) -> &'static WizardTexts {
    WIZARD_LANGUAGES
        .iter()
        .find(|(name, _)| Some(*name) == language)
        .map_or(&WIZARD_EN, |(_, texts)| texts)
}

#[cfg(test)]
mod wizard_texts {
    use super::*;

    /// Every template of a wizard table, by name.
    fn templates(w: &WizardTexts) -> Vec<(&'static str, &'static str)> {
        vec![
            ("needs_flags", w.needs_flags),
            ("flag_token", w.flag_token),
            ("flag_chat", w.flag_chat),
            ("flag_url", w.flag_url),
            ("intro", w.intro),
            ("kept_old", w.kept_old),
            ("wrote", w.wrote),
            ("step_bot", w.step_bot),
            ("bot_answers", w.bot_answers),
            ("try_again", w.try_again),
            ("cannot_read_stdin", w.cannot_read_stdin),
            ("cannot_read_token_file", w.cannot_read_token_file),
            ("paste_token", w.paste_token),
            ("not_a_token_retry", w.not_a_token_retry),
            ("not_a_token", w.not_a_token),
            ("webhook_unknown", w.webhook_unknown),
            ("step_webhook", w.step_webhook),
            ("delete_webhook", w.delete_webhook),
            ("webhook_stays", w.webhook_stays),
            ("webhook_deleted", w.webhook_deleted),
            ("no_code", w.no_code),
            ("step_chat", w.step_chat),
            ("found", w.found),
            ("topic", w.topic),
            ("private_chat", w.private_chat),
            ("group", w.group),
            ("supergroup", w.supergroup),
            ("channel", w.channel),
            ("test_message", w.test_message),
            ("test_not_sent", w.test_not_sent),
            ("chat_place", w.chat_place),
            ("step_test", w.step_test),
            ("did_it_arrive", w.did_it_arrive),
            ("start_over", w.start_over),
            ("did_not_arrive", w.did_not_arrive),
            ("name_twice", w.name_twice),
            ("step_targets", w.step_targets),
            ("url_prompt", w.url_prompt),
            ("name_prompt", w.name_prompt),
            ("name_taken", w.name_taken),
            ("add_another", w.add_another),
            ("step_canaries", w.step_canaries),
            ("add_canaries", w.add_canaries),
            ("step_commands", w.step_commands),
            ("answer_commands", w.answer_commands),
            ("nobody_commands", w.nobody_commands),
            ("commands_on", w.commands_on),
            ("menu_failed", w.menu_failed),
            ("menu_registered", w.menu_registered),
            ("confirm_prompt", w.confirm_prompt),
            ("confirm_range", w.confirm_range),
            ("probed", w.probed),
            ("probed_up", w.probed_up),
            ("probed_down", w.probed_down),
            ("other_file", w.other_file),
            ("no_systemd", w.no_systemd),
            ("as_root", w.as_root),
            ("run_yourself", w.run_yourself),
            ("step_timer", w.step_timer),
            ("enable_timer", w.enable_timer),
            ("not_enabled", w.not_enabled),
            ("cannot_run", w.cannot_run),
            ("command_failed", w.command_failed),
            ("timer_running", w.timer_running),
            ("code_timeout", w.code_timeout),
            ("waiting", w.waiting),
            ("ignored", w.ignored),
            ("token_unknown", w.token_unknown),
            ("api_not_found", w.api_not_found),
            ("token_malformed", w.token_malformed),
            ("api_no_tls", w.api_no_tls),
            ("api_unreachable", w.api_unreachable),
            ("not_a_file_name", w.not_a_file_name),
            ("already_exists", w.already_exists),
            ("yes_no_hint_yes", w.yes_no_hint_yes),
            ("yes_no_hint_no", w.yes_no_hint_no),
            ("answer_yes_no", w.answer_yes_no),
            ("cancelled", w.cancelled),
            ("cancelled_written", w.cancelled_written),
            ("cannot_read_answer", w.cannot_read_answer),
        ]
    }

    fn blanks(template: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("closed blank") + open;
            found.push(&rest[open + 1..close]);
            rest = &rest[close + 1..];
        }
        found.sort_unstable();
        found
    }

    #[test]
    fn every_language_fills_the_same_blanks_and_translates_every_sentence() {
        // The same in every language: a flag's name, the protocol's words.
        let same = ["flag_chat", "waiting"];
        let english = templates(&WIZARD_EN);
        for (language, w) in WIZARD_LANGUAGES {
            for ((name, ours), (_, theirs)) in templates(w).into_iter().zip(&english) {
                assert_eq!(blanks(ours), blanks(theirs), "{language}: {name}");
                if language != "en" && !same.contains(&name) {
                    assert_ne!(ours, *theirs, "{language}: {name} is not translated");
                }
            }
        }
        assert_eq!(wizard_for(Some("pt-BR")).did_it_arrive, "Chegou?");
        assert_eq!(wizard_for(None).did_it_arrive, "Did it arrive?");
        let names: Vec<&str> = WIZARD_LANGUAGES.iter().map(|(n, _)| *n).collect();
        let alerts: Vec<&str> = LANGUAGES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, alerts, "a wizard for every language of the alerts");
    }
}

/// The words of the scheduled report (`[report]`, `vigia report`) in one language.
pub struct ReportTexts {
    pub daily: &'static str,
    pub weekly: &'static str,
    pub monthly: &'static str,
    pub custom: &'static str,
    /// `{title}` is one of the above.
    pub heading: &'static str,
    pub target: &'static str,
    pub no_outage: &'static str,
    pub no_data: &'static str,
    pub certificates: &'static str,
    pub certificate: &'static str,
    pub none: &'static str,
    pub decimal_separator: &'static str,
    /// With `check.slow`: the day it was slow longest.
    pub slowest_day: &'static str,
}

pub const REPORT_EN: ReportTexts = ReportTexts {
    daily: "Daily report",
    weekly: "Weekly report",
    monthly: "Monthly report",
    custom: "Report",
    heading: "📊 {title} of {host}: {from} to {to}",
    target: "{target}: {uptime} up ({coverage} checked), {outages} outage(s), {downtime} down, the longest {longest}",
    no_outage: "{target}: {uptime} up ({coverage} checked), no outage",
    no_data: "{target}: no data",
    certificates: "🔐 Certificates expiring within 30 days: {list}",
    certificate: "{target} in {days} day(s) ({date})",
    none: "(no targets)",
    decimal_separator: ".",
    slowest_day: "🐢 {target}: slowest on {date}, slow for {duration}",
};

pub const REPORT_PT_BR: ReportTexts = ReportTexts {
    daily: "Relatório diário",
    weekly: "Relatório semanal",
    monthly: "Relatório mensal",
    custom: "Relatório",
    heading: "📊 {title} de {host}: de {from} a {to}",
    target: "{target}: {uptime} no ar ({coverage} verificado), {outages} queda(s), {downtime} fora do ar, a mais longa {longest}",
    no_outage: "{target}: {uptime} no ar ({coverage} verificado), nenhuma queda",
    no_data: "{target}: sem dados",
    certificates: "🔐 Certificados que expiram em 30 dias: {list}",
    certificate: "{target} em {days} dia(s) ({date})",
    none: "(nenhum alvo)",
    decimal_separator: ",",
    slowest_day: "🐢 {target}: mais lento em {date}, lento por {duration}",
};

/// The table of `language` (`None` or unknown: English).
pub fn report_texts(language: Option<&str>) -> &'static ReportTexts {
    match language {
        Some("pt-BR") => &REPORT_PT_BR,
        _ => &REPORT_EN,
    }
}
