//! `/import [channel]` on a posted report (as its caption, or replying to it), and the ✅ Import
//! / ✖ Cancel presses on the preview. Download here; reading, comparing and storing in the
//! service; words in views::import.

use crate::domain::ids::{ChatId, UserId};
use futures::StreamExt;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{
    Document, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode, ReplyMarkup,
};

use super::{BotError, Ctx, HandlerResult, TgBot, Turn, people};
use crate::domain::import::plan::{ImportAction, parse_import_callback};
use crate::domain::import::{ImportError, MAX_FILE_BYTES};
use crate::domain::lang::Lang;
use crate::i18n::tr as tr_plain;
use crate::service::import::{ImportRefusal, PressOutcome};
use crate::views::import::{
    render_download_failed, render_import_refusal, render_import_usage, render_pressed,
    render_preview,
};
use crate::views::names::mention;

/// The document the command is about: the message's own, else the one it replies to.
fn document_of(msg: &Message) -> Option<&Document> {
    msg.document()
        .or_else(|| msg.reply_to_message().and_then(Message::document))
}

/// The file's bytes, at most [`MAX_FILE_BYTES`] + 1 (one more is enough to say "too big").
async fn download(bot: &TgBot, file_id: &str) -> Result<Vec<u8>, BotError> {
    let file = bot.get_file(file_id.to_string().into()).await?;
    let mut stream = bot.download_file_stream(&file.path);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| BotError::Telegram(teloxide::RequestError::Network(e.into())))?;
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_FILE_BYTES {
            break;
        }
    }
    Ok(bytes)
}

pub async fn import(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(doc) = document_of(&turn.msg) else {
        return turn.reply(render_import_usage(turn.lang).as_str()).await;
    };
    let file_name = doc
        .file_name
        .clone()
        .unwrap_or_else(|| "report".to_string());
    // Telegram says the size up front: a file over the limit is refused without fetching it.
    let declared = doc.file.size as usize;
    if declared > MAX_FILE_BYTES {
        let refusal = ImportRefusal::Report(ImportError::TooBig { bytes: declared });
        let text = render_import_refusal(&refusal, &file_name, turn.lang);
        return turn.reply(text.as_str()).await;
    }
    let bytes = match download(&turn.bot, &doc.file.id.0).await {
        Ok(b) => b,
        Err(err) => {
            tracing::warn!(chat = %team.chat_id, error = %err, "import download failed");
            return turn.reply(render_download_failed(turn.lang).as_str()).await;
        }
    };
    let outcome = turn
        .ctx
        .prepare_import(team, turn.user_id(), args, &file_name, bytes)
        .await?;
    let preview = match outcome {
        Ok(p) => p,
        Err(refusal) => {
            let text = render_import_refusal(&refusal, &file_name, turn.lang);
            return turn.reply(text.as_str()).await;
        }
    };
    let text = render_preview(&preview, turn.lang, &team.currency);
    match preview.id {
        Some(id) => {
            let markup = ReplyMarkup::InlineKeyboard(keyboard(turn.lang, id));
            turn.reply_with(text.as_str(), markup).await
        }
        None => turn.reply(text.as_str()).await,
    }
}

fn keyboard(lang: Lang, id: i64) -> InlineKeyboardMarkup {
    let button = |key: &str, action: ImportAction| {
        InlineKeyboardButton::callback(tr_plain(lang, key, &[]), action.callback_data(id))
    };
    InlineKeyboardMarkup::new(vec![vec![
        button("import.button.confirm", ImportAction::Confirm),
        button("import.button.cancel", ImportAction::Cancel),
    ]])
}

/// Whether a button press is one of ours (`i:…`).
pub fn is_import_callback(q: CallbackQuery) -> bool {
    q.data.as_deref().is_some_and(|d| d.starts_with("i:"))
}

pub async fn on_callback(bot: TgBot, q: CallbackQuery, ctx: Ctx) -> HandlerResult {
    let message = q.message.as_ref().and_then(|m| m.regular_message());
    let (Some(message), Some((action, id))) =
        (message, q.data.as_deref().and_then(parse_import_callback))
    else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let chat_id = ChatId::from(message.chat.id);
    let lang = match ctx.store.team(chat_id).await? {
        Some(team) => ctx.team_lang(&team),
        None => ctx.settings.default_lang,
    };
    let Some(pending) = ctx.pending_import(chat_id, id).await? else {
        let text = tr_plain(lang, "import.answer.gone", &[]);
        bot.answer_callback_query(q.id.clone()).text(text).await?;
        return Ok(());
    };
    let presser = UserId::from(q.from.id);
    people::remember(&ctx, &q.from, Some(chat_id)).await?;
    if pending.requester_id != Some(presser) {
        let admins = people::admins(&bot, &ctx, chat_id).await?;
        if !admins.iter().any(|a| a.user_id == presser) {
            let text = tr_plain(lang, "import.answer.not_allowed", &[]);
            bot.answer_callback_query(q.id.clone())
                .text(text)
                .show_alert(true)
                .await?;
            return Ok(());
        }
    }
    let outcome = ctx.press_import(&pending, action).await?;
    let answer = match outcome {
        PressOutcome::Gone => Some(tr_plain(lang, "import.answer.gone", &[])),
        PressOutcome::Expired => Some(tr_plain(lang, "import.answer.expired", &[])),
        _ => None,
    };
    let mut answering = bot.answer_callback_query(q.id.clone());
    if let Some(text) = answer {
        answering = answering.text(text);
    }
    answering.await?;
    let who = mention(presser, &people::display_name(&q.from));
    if let Some(text) = render_pressed(&outcome, &who, lang) {
        // The preview becomes the outcome, its buttons gone, so nobody presses it again.
        bot.edit_message_text(message.chat.id, message.id, text.into_string())
            .parse_mode(ParseMode::Html)
            .await?;
    }
    Ok(())
}
