//! Sending text: always Telegram HTML, user text escaped by the caller, split on line boundaries
//! so no message passes Telegram's 4,096-character limit or cuts a tag in half.

use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{ParseMode, ReplyMarkup};

use super::TgBot;

/// Telegram's limit, counted in UTF-16 code units of the text after entity parsing; measuring
/// the HTML source is stricter, so a chunk under it is always accepted.
pub const MAX_TEXT: usize = 4096;

pub fn escape(s: &str) -> String {
    teloxide::utils::html::escape(s)
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

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Splits into chunks under the limit at line breaks; a single over-long line is cut at a
/// character boundary (our lines never carry a tag across a break).
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
            let mut piece = String::new();
            for c in line.chars() {
                if utf16_len(&piece) + c.len_utf16() > limit {
                    chunks.push(std::mem::take(&mut piece));
                }
                piece.push(c);
            }
            current = piece;
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

/// Sends HTML text to a chat, split if needed; the markup goes on the last chunk.
pub async fn send_html(
    bot: &TgBot,
    chat_id: i64,
    text: &str,
    markup: Option<ReplyMarkup>,
) -> Result<Vec<Message>, teloxide::RequestError> {
    let chunks = split_message(text, MAX_TEXT);
    let last = chunks.len().saturating_sub(1);
    let mut sent = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut request = bot
            .send_message(ChatId(chat_id), chunk)
            .parse_mode(ParseMode::Html);
        if i == last
            && let Some(markup) = markup.clone()
        {
            request = request.reply_markup(markup);
        }
        sent.push(request.await?);
    }
    Ok(sent)
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
    fn strip_html_decodes_entities() {
        assert_eq!(strip_html("<b>a &lt;b&gt; &amp;</b>"), "a <b> &");
    }
}
