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
    /// The replies to commands from the chat.
    pub chat: &'static ChatTexts,
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
    chat: &EN_CHAT,
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
    chat: &PT_BR_CHAT,
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
    pub ack_unavailable: &'static str,
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
    ack_unavailable: "Acknowledging is not available in this vigia yet: /mute silences a target",
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
    ack_unavailable: "Reconhecer ainda não está disponível neste vigia: /mute silencia um alvo",
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
    waiting: "✉️ {count} mensagem(ns) esperando o Telegram",
    set_aside: "⚠️ {count} mensagem(ns) recusada(s) pelo Telegram: veja 'vigia outbox'",
    offline: "⚠️ esta máquina está sem conexão (todos os canários falham): alvos não avaliados",
    check: "🔎 verificação em {host}, {when}: {summary}",
};

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

    #[test]
    fn every_blank_of_every_chat_reply_is_one_the_code_fills() {
        let known = [
            "host", "target", "duration", "who", "list", "text", "usage", "command", "when",
            "since", "until", "count", "summary",
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
                c.ack_unavailable,
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
                c.waiting,
                c.set_aside,
                c.offline,
                c.check,
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
