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
    /// Why a target is up or down, in this language.
    pub reasons: Reasons,
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
    reasons: REASONS_EN,
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
    reasons: REASONS_PT_BR,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_blank_of_every_table_is_one_the_code_fills() {
        let known = [
            "when", "host", "target", "reason", "duration", "days", "day_word", "date", "state",
            "count", "detail",
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
                t.lost_connectivity,
                t.back_online,
                t.back_online_unknown,
                t.unmuted,
                t.fault,
                t.and_more,
            ] {
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
        }
        assert_eq!(fill("{a} and {b}", &[("a", "1"), ("b", "2")]), "1 and 2");
        assert_eq!(for_language(Some("pt-BR")).down, PT_BR.down);
        assert_eq!(for_language(None).down, EN.down);
    }
}

#[cfg(test)]
mod reason_texts {
    use super::*;

    #[test]
    fn every_blank_of_every_reason_is_one_the_code_fills() {
        let known = [
            "what", "ms", "scheme", "duration", "host", "family", "why", "text", "path", "reason",
            "url",
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
            ] {
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
        }
    }
}
