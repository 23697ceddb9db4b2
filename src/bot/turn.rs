//! One command being handled: who said it, in which team, in which language and zone.

use crate::domain::ids::{ChatId, UserId};
use chrono_tz::Tz;
use teloxide::prelude::*;
use teloxide::types::ReplyMarkup;

use super::context::Ctx;
use super::inbox::InboxClaim;
use super::people::RecordedTeam;
use super::{HandlerResult, TgBot, people};
use crate::domain::lang::Lang;
use crate::i18n::tr;
use crate::storage::Team;
use crate::telegram::outbox::{Attempt, Undelivered};
use crate::telegram::send as reply;

pub struct Turn {
    pub bot: TgBot,
    pub ctx: Ctx,
    pub msg: Message,
    /// The team, when the message came from a group.
    pub team: Option<Team>,
    pub lang: Lang,
    pub tz: Tz,
    /// The inbox's hold on this update: the first accepted reply is recorded on it.
    claim: InboxClaim,
}

impl Turn {
    /// `recorded` is the team as this update's `people::record_message` left it, if it did.
    pub async fn load(
        bot: TgBot,
        ctx: Ctx,
        msg: Message,
        claim: InboxClaim,
        recorded: RecordedTeam,
    ) -> Result<Turn, super::BotError> {
        let team = if msg.chat.is_private() {
            None
        } else if let Some(team) = recorded
            .0
            .filter(|t| t.chat_id == ChatId::from(msg.chat.id))
        {
            Some(team)
        } else {
            ctx.store.team(ChatId::from(msg.chat.id)).await?
        };
        let user_lang = msg.from.as_ref().and_then(|u| u.language_code.as_deref());
        let lang = match &team {
            Some(team) => team.language(ctx.settings.default_lang),
            None => Lang::from_language_code(user_lang).unwrap_or(ctx.settings.default_lang),
        };
        let tz = team
            .as_ref()
            .map(Team::tz)
            .unwrap_or(ctx.settings.default_tz);
        Ok(Turn {
            bot,
            ctx,
            msg,
            team,
            lang,
            tz,
            claim,
        })
    }

    pub fn chat_id(&self) -> ChatId {
        ChatId::from(self.msg.chat.id)
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.msg.from.as_ref().map(|u| UserId::from(u.id))
    }

    pub fn t(&self, key: &str, args: &[(&str, &str)]) -> String {
        tr(self.lang, key, args)
    }

    pub async fn reply(&self, html: &str) -> HandlerResult {
        self.send(html, None).await
    }

    pub async fn reply_with(&self, html: &str, markup: ReplyMarkup) -> HandlerResult {
        self.send(html, Some(markup)).await
    }

    /// In a group, a reply is threaded to the command, so two members checking in at once can
    /// tell whose answer is whose and the asker is notified; in private there is no one else.
    fn thread(&self) -> Option<teloxide::types::MessageId> {
        (!self.msg.chat.is_private()).then_some(self.msg.id)
    }

    async fn send(&self, html: &str, markup: Option<ReplyMarkup>) -> HandlerResult {
        let to = self.thread();
        self.queue(reply::html_messages(
            &self.bot,
            self.chat_id(),
            html,
            markup,
            to,
        ));
        Ok(())
    }

    /// Queues messages (a reply, a picture, a file) in the chat's outbox, after this command's
    /// earlier ones, and returns at once: a chat waiting for its rate limit must not hold the
    /// dispatcher. The outbox keeps a clone of the inbox claim until they are sent, so the
    /// update is done (and counted finished) only then; the first accepted one marks it
    /// replied, after which a crash does not make the command run again.
    pub fn queue(&self, messages: Vec<Attempt>) {
        let claim = self.claim.clone();
        let chat = self.chat_id();
        let outbox = self.bot.outbox();
        outbox.submit_then(chat, messages, move |outcome| match outcome {
            Ok(sent) if !sent.is_empty() => claim.replied(),
            Ok(_) => {}
            // Unsent at shutdown: the update stays unfinished and is handled again.
            Err(Undelivered::Stopped) => claim.abandon(),
            Err(Undelivered::Telegram(err)) => {
                tracing::error!(chat = %chat, error = %err, "reply not sent");
            }
        });
    }

    /// The team for a group-only command; replies with the reason and returns None in private.
    pub async fn require_team(&self) -> Result<Option<&Team>, super::BotError> {
        if self.team.is_none() {
            self.reply(&self.t("perm.group_only", &[])).await?;
        }
        Ok(self.team.as_ref())
    }

    /// Whether the speaker may change the plan; replies with who can when not.
    pub async fn require_admin(&self, action_key: &str) -> Result<bool, super::BotError> {
        let admins = people::admins(&self.bot, &self.ctx, self.chat_id()).await?;
        if people::is_admin(&self.msg, &admins) {
            return Ok(true);
        }
        let names: Vec<&str> = admins.iter().map(|a| a.name.as_str()).collect();
        let names = if names.is_empty() {
            "—".to_string()
        } else {
            names.join(", ")
        };
        let action = crate::tr!(self.lang, action_key);
        let text = crate::tr!(
            self.lang,
            "perm.admin_only",
            action = action,
            admins = names
        );
        self.reply(text.as_str()).await?;
        Ok(false)
    }
}
