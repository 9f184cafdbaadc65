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
            "count", "detail", "targets", "user",
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
                t.ack,
                t.ack_no_reason,
                t.ack_note,
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
