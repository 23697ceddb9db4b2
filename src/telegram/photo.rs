//! Sending pictures (charts): a PNG with an HTML caption, and a text followed by its picture.

use crate::domain::ids::ChatId;
use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::TgBot;
use super::outbox::{Attempt, attempt};
use super::send::send_html;

/// Telegram's caption limit.
pub const MAX_CAPTION: usize = 1024;

/// Shortens a caption to `max` UTF-16 units at a character boundary.
fn clip(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in s.chars() {
        n += c.len_utf16();
        if n > max {
            break;
        }
        out.push(c);
    }
    out
}

/// Sends one PNG named `name` with an HTML caption (clipped to [`MAX_CAPTION`]).
pub async fn send_png(
    bot: &TgBot,
    chat_id: ChatId,
    png: Vec<u8>,
    name: &str,
    caption: &str,
) -> Result<(), teloxide::RequestError> {
    let message = png_message(bot, chat_id, png, name, caption);
    bot.outbox().submit(chat_id, vec![message]).await?;
    Ok(())
}

/// The message that sends one PNG named `name` with an HTML caption, for the outbox.
pub fn png_message(bot: &Bot, chat_id: ChatId, png: Vec<u8>, name: &str, caption: &str) -> Attempt {
    attempt(
        bot.send_photo(chat_id, InputFile::memory(png).file_name(name.to_string()))
            .caption(clip(caption, MAX_CAPTION))
            .parse_mode(ParseMode::Html),
    )
}

/// Sends an HTML text (split cleanly if needed), then its picture when there is one.
pub async fn send_text_and_png(
    bot: &TgBot,
    chat_id: ChatId,
    text: &str,
    png: Option<Vec<u8>>,
    name: &str,
    caption: &str,
) -> Result<(), teloxide::RequestError> {
    send_html(bot, chat_id, text, None).await?;
    if let Some(png) = png {
        send_png(bot, chat_id, png, name, caption).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clips_at_a_character_boundary_in_utf16_units() {
        assert_eq!(clip("abc", 2), "ab");
        assert_eq!(clip("a😀b", 2), "a");
        assert_eq!(clip("a😀b", 3), "a😀");
        assert_eq!(clip("短", 1024), "短");
    }
}
