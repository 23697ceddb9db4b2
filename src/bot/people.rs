//! Who is in a team and who may change its plan: members recorded from every message, admins
//! from the Bot API (cached), anonymous admins posting as the group.

use crate::domain::ids::{ChatId, UserId};
use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, MessageEntityKind, User as TgUser};

use super::context::{Admin, Ctx};
use super::{BotError, HandlerResult, TgBot};
use crate::domain::lang::Lang;
use crate::storage::{NewTeam, Team, TeamSetting, User};

/// Telegram's service accounts: the anonymous-admin proxy and the channel forwarder.
const SERVICE_USER_IDS: [u64; 2] = [1_087_968_824, 777_000];

fn is_person(user: &TgUser) -> bool {
    !user.is_bot && !SERVICE_USER_IDS.contains(&user.id.0)
}

pub fn display_name(user: &TgUser) -> String {
    let mut name = user.first_name.clone();
    if let Some(last) = &user.last_name {
        name.push(' ');
        name.push_str(last);
    }
    name
}

pub fn user_row(user: &TgUser, now: i64) -> User {
    User {
        user_id: UserId::from(user.id),
        username: user.username.clone(),
        display_name: display_name(user),
        lang_code: user.language_code.clone(),
        updated_at: now,
    }
}

/// The group's team as `record_message` left it, so the command's turn need not read it again.
#[derive(Clone, Debug)]
pub struct RecordedTeam(pub Option<Team>);

pub async fn record_message(msg: Message, ctx: Ctx) -> RecordedTeam {
    match record_people(&msg, &ctx).await {
        Ok(team) => RecordedTeam(team),
        Err(err) => {
            tracing::error!(error = %err, chat = msg.chat.id.0, "could not record members");
            RecordedTeam(None)
        }
    }
}

/// Records the team and the people of a message; the team when it is current as returned.
async fn record_people(msg: &Message, ctx: &Ctx) -> Result<Option<Team>, BotError> {
    let now = ctx.now();
    let chat_id = ChatId::from(msg.chat.id);
    if let Some(new_id) = msg.migrate_to_chat_id() {
        ctx.store.move_team(chat_id, (*new_id).into(), now).await?;
        return Ok(None);
    }
    let group = msg.chat.is_group() || msg.chat.is_supergroup();
    let speaker = msg.from.as_ref().filter(|u| is_person(u));
    let mut recorded = None;
    if group {
        let title = msg.chat.title().unwrap_or("");
        let detected = speaker
            .and_then(|u| Lang::from_language_code(u.language_code.as_deref()))
            .map(Lang::code);
        let team = ctx
            .store
            .ensure_team(
                &NewTeam {
                    chat_id,
                    title,
                    detected_lang: detected,
                    tz: ctx.settings.default_tz.name(),
                },
                now,
            )
            .await?;
        if team.is_active() {
            recorded = Some(team);
        } else {
            ctx.store
                .update_team(chat_id, &TeamSetting::Active(true), now)
                .await?;
        }
    }
    let mut people: Vec<&TgUser> = speaker.into_iter().collect();
    for entity in msg.entities().unwrap_or_default() {
        if let MessageEntityKind::TextMention { user } = &entity.kind {
            people.push(user);
        }
    }
    if let Some(new_members) = msg.new_chat_members() {
        people.extend(new_members.iter());
    }
    for user in people.into_iter().filter(|u| is_person(u)) {
        remember(ctx, user, group.then_some(chat_id)).await?;
    }
    Ok(recorded)
}

/// Records a person (and their membership); tasks waiting for their @username become theirs.
/// Someone this process recorded a moment ago, unchanged, is not written again.
pub async fn remember(ctx: &Ctx, user: &TgUser, chat_id: Option<ChatId>) -> Result<(), BotError> {
    let now = ctx.now();
    let row = user_row(user, now);
    if ctx.people_seen.is_fresh(chat_id, &row) {
        return Ok(());
    }
    ctx.store.upsert_user(&row).await?;
    if let Some(chat_id) = chat_id {
        ctx.store
            .add_member(chat_id, UserId::from(user.id), now)
            .await?;
    }
    if let Some(username) = &user.username {
        let user_id = UserId::from(user.id);
        ctx.store
            .resolve_pending_owner(username, user_id, now)
            .await?;
        ctx.store
            .resolve_pending_channel_owner(username, user_id, now)
            .await?;
    }
    ctx.people_seen.put(chat_id, &row);
    Ok(())
}

/// A `/word` that none of our commands matched, addressed to us (or in private).
pub fn is_unknown_command(msg: Message, me: teloxide::types::Me) -> bool {
    let Some(text) = msg.text() else { return false };
    let Some(first) = text.split_whitespace().next() else {
        return false;
    };
    if !first.starts_with('/') || first.len() < 2 {
        return false;
    }
    match first.split_once('@') {
        Some((_, bot)) => bot.eq_ignore_ascii_case(me.username()),
        None => msg.chat.is_private() || msg.chat.is_group() || msg.chat.is_supergroup(),
    }
}

pub async fn my_chat_member(update: ChatMemberUpdated, ctx: Ctx) -> HandlerResult {
    let chat_id = ChatId::from(update.chat.id);
    let present = update.new_chat_member.is_present();
    if ctx.store.team(chat_id).await?.is_some() {
        ctx.store
            .update_team(chat_id, &TeamSetting::Active(present), ctx.now())
            .await?;
    }
    ctx.admins.invalidate(chat_id);
    Ok(())
}

pub async fn chat_member(update: ChatMemberUpdated, ctx: Ctx) -> HandlerResult {
    ctx.admins.invalidate(ChatId::from(update.chat.id));
    Ok(())
}

pub async fn admins(
    bot: &TgBot,
    ctx: &Ctx,
    chat_id: ChatId,
) -> Result<std::sync::Arc<Vec<Admin>>, BotError> {
    if let Some(cached) = ctx.admins.get(chat_id) {
        return Ok(cached);
    }
    let members = bot.get_chat_administrators(chat_id).await?;
    let admins = members
        .into_iter()
        .filter(|m| !m.user.is_bot)
        .map(|m| Admin {
            user_id: UserId::from(m.user.id),
            name: display_name(&m.user),
        })
        .collect();
    Ok(ctx.admins.put(chat_id, admins))
}

/// Admins change the plan; an anonymous admin posts as the group itself.
pub fn is_admin(msg: &Message, admins: &[Admin]) -> bool {
    if msg.chat.is_private() {
        return true;
    }
    if msg
        .sender_chat
        .as_ref()
        .is_some_and(|c| c.id == msg.chat.id)
    {
        return true;
    }
    msg.from
        .as_ref()
        .is_some_and(|u| admins.iter().any(|a| a.user_id == UserId::from(u.id)))
}
