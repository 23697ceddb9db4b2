//! Sending text to Telegram: always HTML, split on line boundaries so no message passes the
//! 4,096-character limit or cuts a tag in half; through the outbox, which sends again in place
//! on a network error or 5xx.

use teloxide::payloads::{SendMessage, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode, ReplyMarkup, ReplyParameters};
use teloxide::{ApiError, RequestError};

use super::TgBot;
use super::lean::Sent;
use super::outbox::{Attempt, attempt_json};
use crate::domain::ids::ChatId;
use crate::views::names::utf16_len;

/// Telegram's limit, counted in UTF-16 code units of the text after entity parsing; measuring
/// the HTML source is stricter, so a chunk under it is always accepted.
pub const MAX_TEXT: usize = 4096;

/// Telegram or the network failing (not refusing): worth sending again.
pub fn is_transient(err: &RequestError) -> bool {
    match err {
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => true,
        RequestError::Api(api) => is_server_error(api),
        _ => false,
    }
}

/// teloxide reports a 5xx with a JSON body as an unknown API error; its description says what
/// it was.
pub fn is_server_error(api: &ApiError) -> bool {
    matches!(api, ApiError::Unknown(d) if d.starts_with("Internal Server Error") || d.starts_with("Bad Gateway") || d.starts_with("Service Unavailable"))
}

/// Drops tags and decodes the few entities we emit: for menus and the terminal.
pub fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Splits into chunks under the limit at line breaks; a single over-long line is cut between
/// tags, entities and characters (see [`split_long_line`]). Our lines never carry a tag across
/// a break.
pub fn split_message(text: &str, limit: usize) -> Vec<String> {
    if utf16_len(text) <= limit {
        return vec![text.to_string()];
    }
    let mut chunks = Vec::new();
    let mut current = String::new();
    for line in text.split('\n') {
        let extra = utf16_len(line) + usize::from(!current.is_empty());
        if utf16_len(&current) + extra > limit && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
        }
        if utf16_len(line) > limit {
            let mut pieces = split_long_line(line, limit);
            current = pieces.pop().unwrap_or_default();
            chunks.extend(pieces);
            continue;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
    }
    if !current.trim().is_empty() {
        chunks.push(current);
    }
    chunks
}

/// The length in bytes of the first unit of HTML in `s` that must not be cut: a tag, an entity,
/// or a character with what joins it (ZWJ sequences, combining marks, variation selectors, skin
/// tones, flag pairs).
fn atom_len(s: &str) -> usize {
    if s.starts_with('<')
        && let Some(end) = s.find('>')
    {
        return end + 1;
    }
    if s.starts_with('&')
        && let Some(end) = s[..s.len().min(12)].find(';')
    {
        return end + 1;
    }
    let joins = |c: char| matches!(c, '\u{300}'..='\u{36f}' | '\u{fe00}'..='\u{fe0f}' | '\u{20e3}' | '\u{1f3fb}'..='\u{1f3ff}' | '\u{e0020}'..='\u{e007f}');
    let flag = |c: char| ('\u{1f1e6}'..='\u{1f1ff}').contains(&c);
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    let mut end = first.len_utf8();
    if flag(first)
        && let Some(&(i, c)) = chars.peek()
        && flag(c)
    {
        chars.next();
        end = i + c.len_utf8();
    }
    while let Some(&(i, c)) = chars.peek() {
        if joins(c) {
            chars.next();
            end = i + c.len_utf8();
        } else if c == '\u{200d}' {
            chars.next();
            end = i + c.len_utf8();
            if let Some((j, next)) = chars.next() {
                end = j + next.len_utf8();
            }
        } else {
            break;
        }
    }
    end
}

/// Cuts one over-long line into pieces under `limit` UTF-16 units, never inside a tag, an
/// entity or a character sequence; a tag open at a cut is closed there and opened again at the
/// start of the next piece, so every piece is valid HTML on its own.
fn split_long_line(line: &str, limit: usize) -> Vec<String> {
    fn closers(open: &[(String, String)]) -> String {
        open.iter()
            .rev()
            .map(|(name, _)| format!("</{name}>"))
            .collect()
    }
    fn tag_name(tag: &str) -> String {
        tag.trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase()
    }
    let mut pieces = Vec::new();
    let mut open: Vec<(String, String)> = Vec::new();
    let mut piece = String::new();
    // utf16_len(&piece), kept as we go: a line can be tens of thousands of units long.
    let mut units = 0;
    let mut rest = line;
    while !rest.is_empty() {
        let (atom, tail) = rest.split_at(atom_len(rest));
        rest = tail;
        let mut after = open.clone();
        if atom.starts_with("</") && atom.len() > 2 {
            let name = tag_name(atom);
            if let Some(i) = after.iter().rposition(|(n, _)| *n == name) {
                after.remove(i);
            }
        } else if atom.starts_with('<') && atom.ends_with('>') && atom.len() > 2 {
            after.push((tag_name(atom), atom.to_string()));
        }
        let needed = units + utf16_len(atom) + utf16_len(&closers(&after));
        // A piece holds at least one atom, so every cut makes progress.
        if needed > limit && !piece.is_empty() {
            piece.push_str(&closers(&open));
            pieces.push(std::mem::take(&mut piece));
            piece = open.iter().map(|(_, tag)| tag.as_str()).collect();
            units = utf16_len(&piece);
        }
        piece.push_str(atom);
        units += utf16_len(atom);
        open = after;
    }
    pieces.push(piece);
    pieces
}

/// Sends HTML text to a chat through the outbox, split if needed; the markup goes on the last
/// chunk. Automatic messages use this: they answer no one.
pub async fn send_html(
    bot: &TgBot,
    chat_id: ChatId,
    text: &str,
    markup: Option<ReplyMarkup>,
) -> Result<Vec<Sent>, teloxide::RequestError> {
    let messages = html_messages(bot, chat_id, text, markup, None);
    Ok(bot.outbox().submit(chat_id, messages).await?)
}

/// The messages that send HTML text to a chat, split under the limit, the markup on the last,
/// threaded to the message `reply_to` (the first chunk; the rest follow it). Sent anyway if
/// that message is gone: the answer matters more than the thread.
pub fn html_messages(
    bot: &Bot,
    chat_id: ChatId,
    text: &str,
    markup: Option<ReplyMarkup>,
    reply_to: Option<MessageId>,
) -> Vec<Attempt> {
    let chunks = split_message(text, MAX_TEXT);
    let last = chunks.len().saturating_sub(1);
    let mut messages = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut request = SendMessage::new(chat_id, chunk).parse_mode(ParseMode::Html);
        if i == 0
            && let Some(id) = reply_to
        {
            request =
                request.reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
        }
        if i == last
            && let Some(markup) = markup.clone()
        {
            request = request.reply_markup(markup);
        }
        messages.push(attempt_json(bot, request));
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_chunk() {
        assert_eq!(split_message("a\nb", 10), vec!["a\nb".to_string()]);
    }

    #[test]
    fn long_text_splits_on_lines_under_the_limit() {
        let text = (0..100)
            .map(|i| format!("line {i} 中文"))
            .collect::<Vec<_>>()
            .join("\n");
        let chunks = split_message(&text, 200);
        assert!(chunks.len() > 1);
        assert!(chunks.iter().all(|c| utf16_len(c) <= 200));
        assert_eq!(chunks.join("\n"), text);
    }

    #[test]
    fn an_overlong_line_is_cut_on_character_boundaries() {
        let text = "😀".repeat(3000);
        let chunks = split_message(&text, MAX_TEXT);
        assert!(chunks.iter().all(|c| utf16_len(c) <= MAX_TEXT));
        assert_eq!(chunks.concat(), text);
    }

    #[test]
    fn an_overlong_line_is_not_cut_inside_a_tag_an_entity_or_an_emoji_sequence() {
        use crate::console::html::parse_telegram_html;
        let family = "👩\u{200d}👩\u{200d}👧";
        for user in [
            "<&".repeat(2000),
            family.repeat(700),
            "e\u{301}🇨🇳".repeat(1500),
        ] {
            let text = format!(
                "I don't know <b><code>{}</code></b> — see /help",
                crate::views::Html::text(&user)
            );
            let chunks = split_message(&text, MAX_TEXT);
            assert!(chunks.len() > 1);
            let mut shown = String::new();
            for c in &chunks {
                assert!(utf16_len(c) <= MAX_TEXT, "{} units", utf16_len(c));
                shown.push_str(&parse_telegram_html(c).expect("each chunk is valid HTML"));
                let first = c.strip_prefix("<b><code>").unwrap_or(c);
                assert!(!first.starts_with(['\u{200d}', '\u{301}']));
            }
            assert_eq!(shown, format!("I don't know {user} — see /help"));
        }
    }

    #[test]
    fn strip_html_decodes_entities() {
        assert_eq!(strip_html("<b>a &lt;b&gt; &amp;</b>"), "a <b> &");
    }
}
