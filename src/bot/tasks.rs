//! Task commands: `/task`, `/tasks`, `/mytasks`, `/done`, `/block`, `/unblock`, `/due`,
//! `/reassign`, `/cancel`, `/quiet`, and the buttons on deadline pings.

use std::collections::HashMap;

use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, MessageEntityKind, User as TgUser};

use super::reply::escape;
use super::task_actions::{Actor, apply};
use super::task_view::{
    due_text, owner_mention, parse_callback, person, person_name, relative, status_text,
};
use super::{Ctx, HandlerResult, TgBot, Turn, people};
use crate::domain::schedule::{DAY, OVERLOAD_AT, after_quiet, parse_quiet_window, tasks_near};
use crate::domain::tasks::{TaskArgError, parse_task, parse_task_number};
use crate::domain::when::{WhenError, format_local, parse_when};
use crate::i18n::tr;
use crate::storage::{NewTask, TASK_BLOCKED, Task, TaskChange, Team, TeamSetting};

pub async fn task(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let args = args.trim();
    if args.is_empty() {
        return turn.reply(&turn.t("task.usage", &[])).await;
    }
    if let Some(number) = parse_task_number(args) {
        return detail(turn, team, number).await;
    }
    let (context_owner, args) = owner_from_context(&turn.msg, args);
    let now = turn.ctx.now();
    let draft = match parse_task(&args, context_owner.is_some(), now, turn.tz) {
        Ok(draft) => draft,
        Err(err) => return turn.reply(&task_error(turn, &err)).await,
    };
    let store = &turn.ctx.store;
    let (owner_id, owner_username) = match (&draft.owner_username, context_owner) {
        (Some(username), _) => match store.user_by_username(username).await? {
            Some(user) => (Some(user.user_id), None),
            None => (None, Some(username.clone())),
        },
        (None, Some(user)) => {
            people::remember(&turn.ctx, &user, Some(team.chat_id)).await?;
            (Some(user.id.0 as i64), None)
        }
        (None, None) => return turn.reply(&task_error(turn, &TaskArgError::NoOwner)).await,
    };
    if let Some(channel) = &draft.channel
        && store.channel(team.chat_id, channel).await?.is_none()
    {
        return turn.reply(&unknown_channel(turn, channel).await?).await;
    }
    let Some(creator_id) = turn.user_id() else {
        return Ok(());
    };
    let nearby = match owner_id {
        Some(owner) => {
            let due: Vec<i64> = store
                .open_tasks(team.chat_id)
                .await?
                .iter()
                .filter(|t| t.owner_id == Some(owner))
                .map(|t| t.due_at)
                .collect();
            tasks_near(draft.due_at, &due)
        }
        None => 0,
    };
    let new = NewTask {
        chat_id: team.chat_id,
        title: draft.title,
        done_when: draft.done_when,
        owner_id,
        owner_username,
        creator_id,
        channel: draft.channel,
        due_at: draft.due_at,
        recur: draft.recur.map(|r| r.code().to_string()),
        series_id: None,
        source_message: Some(turn.msg.id.0.into()),
    };
    let created = store.create_task(&new, now).await?;
    crate::scheduler::plan_task_jobs(&turn.ctx, &created).await?;
    let mut text = turn.t(
        "task.created",
        &[
            ("number", &created.number.to_string()),
            ("owner", &owner_mention(store, &created).await?),
            ("title", &escape(&created.title)),
            ("due", &due_text(created.due_at, turn.tz)),
            ("relative", &relative(turn.lang, created.due_at, now)),
        ],
    );
    text.push_str(&extras(turn, &created));
    if let Some(username) = &created.owner_username {
        text.push_str(&turn.t("task.pending_owner", &[("username", &escape(username))]));
    }
    if nearby >= OVERLOAD_AT {
        let owner = owner_mention(store, &created).await?;
        text.push_str(&turn.t(
            "task.overload",
            &[("owner", &owner), ("count", &nearby.to_string())],
        ));
    }
    turn.reply(&text).await
}

/// Channel, repeat and done-when lines of a task.
fn extras(turn: &Turn, task: &Task) -> String {
    let mut text = String::new();
    if let Some(channel) = &task.channel {
        text.push_str(&turn.t("task.channel_line", &[("channel", &escape(channel))]));
    }
    if let Some(recur) = &task.recur {
        text.push_str(&turn.t(
            "task.recur_line",
            &[("every", &turn.t(&format!("recur.{recur}"), &[]))],
        ));
    }
    if let Some(done_when) = &task.done_when {
        text.push_str(&turn.t("task.done_when_line", &[("done_when", &escape(done_when))]));
    }
    text
}

/// The owner given by replying to someone's message, or by a text mention (a user without a
/// username), with the mention's text taken out of the arguments.
fn owner_from_context(msg: &Message, args: &str) -> (Option<TgUser>, String) {
    for entity in msg.parse_entities().unwrap_or_default() {
        if let MessageEntityKind::TextMention { user } = entity.kind() {
            let rest = args.replacen(entity.text(), "", 1);
            return (Some(user.clone()), rest);
        }
    }
    let replied = msg
        .reply_to_message()
        .and_then(|m| m.from.clone())
        .filter(|u| !u.is_bot);
    (replied, args.to_string())
}

fn task_error(turn: &Turn, err: &TaskArgError) -> String {
    let usage = turn.t("task.usage", &[]);
    let why = match err {
        TaskArgError::NoOwner => turn.t("task.err.no_owner", &[]),
        TaskArgError::NoDue => turn.t("task.err.no_due", &[]),
        TaskArgError::EmptyTitle => turn.t("task.err.empty_title", &[]),
        TaskArgError::TitleTooLong { len, max } => turn.t(
            "task.err.title_too_long",
            &[("len", &len.to_string()), ("max", &max.to_string())],
        ),
        TaskArgError::NoteTooLong { len, max } => turn.t(
            "task.err.note_too_long",
            &[("len", &len.to_string()), ("max", &max.to_string())],
        ),
        TaskArgError::BadWhen(err) => when_error(turn, err),
        TaskArgError::BadRecurrence { input } => {
            turn.t("task.err.bad_recurrence", &[("input", &escape(input))])
        }
        TaskArgError::BadChannel { input } => {
            turn.t("task.err.bad_channel", &[("input", &escape(input))])
        }
        TaskArgError::MarkupInTitle { tag } => turn.t("task.err.markup", &[("tag", &escape(tag))]),
    };
    format!("{why}\n\n{usage}")
}

pub fn when_error(turn: &Turn, err: &WhenError) -> String {
    match err {
        WhenError::InPast { input, at } => turn.t(
            "when.past",
            &[
                ("input", &escape(input)),
                ("at", &format_local(*at, turn.tz)),
            ],
        ),
        WhenError::TooFar { input } => turn.t("when.too_far", &[("input", &escape(input))]),
        WhenError::Unrecognized { input }
        | WhenError::InFuture { input, .. }
        | WhenError::TooOld { input, .. } => {
            turn.t("when.unrecognized", &[("input", &escape(input))])
        }
    }
}

async fn unknown_channel(turn: &Turn, name: &str) -> Result<String, super::BotError> {
    let known: Vec<String> = turn
        .ctx
        .store
        .channels(turn.chat_id())
        .await?
        .iter()
        .map(|c| format!("#{}", escape(&c.name)))
        .collect();
    let known = if known.is_empty() {
        turn.t("task.no_channels", &[])
    } else {
        known.join(", ")
    };
    Ok(turn.t(
        "task.err.unknown_channel",
        &[("input", &escape(name)), ("known", &known)],
    ))
}

async fn detail(turn: &Turn, team: &Team, number: i64) -> HandlerResult {
    let store = &turn.ctx.store;
    let Some(task) = store.task(team.chat_id, number).await? else {
        return turn
            .reply(&turn.t("task.err.not_found", &[("number", &number.to_string())]))
            .await;
    };
    let now = turn.ctx.now();
    let mut history = Vec::new();
    for event in store.task_events(task.id).await? {
        let who = person_name(store, event.actor_id, None).await?;
        let what = match (event.kind.as_str(), event.detail.as_deref()) {
            ("due", Some(at)) => {
                let at = at
                    .parse()
                    .map(|at| format_local(at, turn.tz))
                    .unwrap_or_default();
                turn.t("event.due", &[("at", &at)])
            }
            ("reassigned", Some(id)) => {
                let name = person_name(store, id.parse().ok(), None).await?;
                turn.t("event.reassigned", &[("owner", &escape(&name))])
            }
            (kind, detail) => {
                let mut what = turn.t(&format!("event.{kind}"), &[]);
                if let Some(detail) = detail {
                    what.push_str(&format!(": {}", escape(detail)));
                }
                what
            }
        };
        history.push(format!(
            "{} · {} — {}",
            format_local(event.at, turn.tz),
            escape(&who),
            what
        ));
    }
    let creator = person(store, Some(task.creator_id), None).await?;
    let mut text = turn.t(
        "task.detail",
        &[
            ("number", &task.number.to_string()),
            ("title", &escape(&task.title)),
            ("owner", &owner_mention(store, &task).await?),
            ("creator", &creator),
            ("due", &due_text(task.due_at, turn.tz)),
            ("relative", &relative(turn.lang, task.due_at, now)),
            ("status", &status_text(turn.lang, &task.status)),
            ("slips", &task.slips.to_string()),
        ],
    );
    if let Some(reason) = &task.blocked_reason {
        text.push_str(&turn.t("task.blocked_line", &[("reason", &escape(reason))]));
    }
    text.push_str(&extras(turn, &task));
    text.push_str(&turn.t("task.history", &[("history", &history.join("\n"))]));
    turn.reply(&text).await
}

/// Which tasks `/tasks` shows.
enum Filter {
    Open,
    Mine,
    Overdue,
    Blocked,
    All,
    Owner(String),
}

fn parse_filter(args: &str) -> Option<Filter> {
    let arg = args.trim().to_lowercase();
    Some(match arg.as_str() {
        "" => Filter::Open,
        "mine" | "me" | "我的" | "我" => Filter::Mine,
        "overdue" | "逾期" | "过期" => Filter::Overdue,
        "blocked" | "阻塞" | "卡住" | "卡点" => Filter::Blocked,
        "all" | "全部" | "所有" => Filter::All,
        name if name.starts_with('@') && name.len() > 1 => Filter::Owner(name[1..].to_string()),
        _ => return None,
    })
}

pub async fn tasks(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(filter) = parse_filter(args) else {
        return turn
            .reply(&turn.t("tasks.usage", &[("input", &escape(args.trim()))]))
            .await;
    };
    let store = &turn.ctx.store;
    let now = turn.ctx.now();
    let mut list = match filter {
        Filter::All => store.tasks_since(team.chat_id, now - 7 * DAY).await?,
        _ => store.open_tasks(team.chat_id).await?,
    };
    if matches!(filter, Filter::All) {
        let open = store.open_tasks(team.chat_id).await?;
        list.retain(|t| !t.is_open());
        list.extend(open);
    }
    let owner_filter = match &filter {
        Filter::Mine => Some(turn.user_id()),
        Filter::Owner(name) => Some(store.user_by_username(name).await?.map(|u| u.user_id)),
        _ => None,
    };
    list.retain(|t| match &filter {
        Filter::Overdue => t.due_at < now,
        Filter::Blocked => t.status == TASK_BLOCKED,
        Filter::Owner(name) => match owner_filter.flatten() {
            Some(id) => t.owner_id == Some(id),
            None => t
                .owner_username
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(name)),
        },
        Filter::Mine => owner_filter.flatten().is_some() && t.owner_id == owner_filter.flatten(),
        Filter::Open | Filter::All => true,
    });
    render_task_list(turn, list, now, "tasks.header").await
}

/// Grouped by owner (the owner with the most urgent task first), overdue first within each.
async fn render_task_list(
    turn: &Turn,
    mut list: Vec<Task>,
    now: i64,
    header_key: &str,
) -> HandlerResult {
    if list.is_empty() {
        return turn.reply(&turn.t("tasks.empty", &[])).await;
    }
    list.sort_by_key(|t| (t.owner_id, t.owner_username.clone(), t.due_at, t.number));
    let mut names: HashMap<(Option<i64>, Option<String>), String> = HashMap::new();
    let mut groups: Vec<(String, Vec<Task>)> = Vec::new();
    for task in list {
        let key = (task.owner_id, task.owner_username.clone());
        let name = match names.get(&key) {
            Some(name) => name.clone(),
            None => {
                let store = &turn.ctx.store;
                let name =
                    person_name(store, task.owner_id, task.owner_username.as_deref()).await?;
                names.insert(key, name.clone());
                name
            }
        };
        match groups.last_mut() {
            Some((last, tasks)) if *last == name => tasks.push(task),
            _ => groups.push((name, vec![task])),
        }
    }
    groups.sort_by_key(|(_, tasks)| tasks.iter().map(|t| t.due_at).min());
    let total: usize = groups.iter().map(|(_, t)| t.len()).sum();
    // One message: the most urgent first, and a pointer to narrower views for the rest.
    let mut text = turn.t(header_key, &[("count", &total.to_string())]);
    let mut shown = 0;
    'groups: for (owner, tasks) in groups {
        let count = tasks.len().to_string();
        let heading = turn.t(
            "tasks.owner",
            &[("owner", &escape(&owner)), ("count", &count)],
        );
        if utf16_len(&text) + utf16_len(&heading) > LIST_BUDGET {
            break;
        }
        text.push_str(&heading);
        for task in tasks {
            let icon = match task.status.as_str() {
                "blocked" => "🚧",
                "done" => "✅",
                "cancelled" => "✖️",
                _ if task.due_at < now => "🔴",
                _ => "⏳",
            };
            let line = format!(
                "\n{icon} #{} {} — {}",
                task.number,
                escape(&task.title),
                relative(turn.lang, task.due_at, now)
            );
            if utf16_len(&text) + utf16_len(&line) > LIST_BUDGET {
                break 'groups;
            }
            text.push_str(&line);
            shown += 1;
        }
    }
    if shown < total {
        text.push_str(&turn.t("tasks.more", &[("n", &(total - shown).to_string())]));
    }
    turn.reply(&text).await
}

/// Room for list lines in one message, leaving space for the "and N more" line.
const LIST_BUDGET: usize = super::reply::MAX_TEXT - 300;

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub async fn mytasks(turn: &Turn) -> HandlerResult {
    let Some(user_id) = turn.user_id() else {
        return Ok(());
    };
    let store = &turn.ctx.store;
    let now = turn.ctx.now();
    // In a group, only that group's tasks: nothing of one team shows in another.
    if let Some(team) = &turn.team {
        let list: Vec<Task> = store
            .open_tasks(team.chat_id)
            .await?
            .into_iter()
            .filter(|t| t.owner_id == Some(user_id))
            .collect();
        return render_task_list(turn, list, now, "mytasks.header").await;
    }
    let list = store.open_tasks_of_user(user_id).await?;
    if list.is_empty() {
        return turn.reply(&turn.t("mytasks.empty", &[])).await;
    }
    let teams = store.teams_of_user(user_id).await?;
    let mut text = turn.t("mytasks.header", &[("count", &list.len().to_string())]);
    for team in teams {
        let tz = team.tz();
        let mine: Vec<&Task> = list.iter().filter(|t| t.chat_id == team.chat_id).collect();
        if mine.is_empty() {
            continue;
        }
        text.push_str(&format!("\n\n<b>{}</b>", escape(&team.title)));
        for task in mine {
            let icon = if task.status == TASK_BLOCKED {
                "🚧"
            } else if task.due_at < now {
                "🔴"
            } else {
                "⏳"
            };
            text.push_str(&format!(
                "\n{icon} #{} {} — {} ({})",
                task.number,
                escape(&task.title),
                relative(turn.lang, task.due_at, now),
                format_local(task.due_at, tz)
            ));
        }
    }
    turn.reply(&text).await
}

/// The task a numbered command is about, if it exists in this team and the speaker may change
/// it; otherwise replies with why and returns None.
async fn changeable(
    turn: &Turn,
    args: &str,
    command: &str,
) -> Result<Option<(Task, String)>, super::BotError> {
    let Some(team) = turn.require_team().await? else {
        return Ok(None);
    };
    let args = args.trim();
    let (first, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let Some(number) = parse_task_number(first) else {
        let usage = turn.t(&format!("usage.{command}"), &[]);
        turn.reply(&turn.t(
            "task.err.number",
            &[("input", &escape(first)), ("usage", &usage)],
        ))
        .await?;
        return Ok(None);
    };
    let Some(task) = turn.ctx.store.task(team.chat_id, number).await? else {
        turn.reply(&turn.t("task.err.not_found", &[("number", &number.to_string())]))
            .await?;
        return Ok(None);
    };
    let Some(user_id) = turn.user_id() else {
        return Ok(None);
    };
    let as_group = turn
        .msg
        .sender_chat
        .as_ref()
        .is_some_and(|c| c.id == turn.msg.chat.id);
    let actor = Actor {
        user_id,
        as_group,
        bot: &turn.bot,
        ctx: &turn.ctx,
    };
    if !actor.may_change(&task).await? {
        turn.reply(&turn.t("task.err.not_allowed", &[("number", &number.to_string())]))
            .await?;
        return Ok(None);
    }
    if !task.is_open() {
        let status = status_text(turn.lang, &task.status);
        turn.reply(&turn.t(
            "task.err.closed",
            &[("number", &number.to_string()), ("status", &status)],
        ))
        .await?;
        return Ok(None);
    }
    Ok(Some((task, rest.trim().to_string())))
}

fn short_note(turn: &Turn, text: &str) -> Result<Option<String>, String> {
    let len = text.chars().count();
    if len > crate::domain::tasks::MAX_NOTE_CHARS {
        let max = crate::domain::tasks::MAX_NOTE_CHARS.to_string();
        return Err(turn.t(
            "task.err.note_too_long",
            &[("len", &len.to_string()), ("max", &max)],
        ));
    }
    Ok(Some(text.to_string()).filter(|s| !s.is_empty()))
}

pub async fn done(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, rest)) = changeable(turn, args, "done").await? else {
        return Ok(());
    };
    let note = match short_note(turn, &rest) {
        Ok(note) => note,
        Err(why) => return turn.reply(&why).await,
    };
    let changed = apply(&turn.ctx, &task, TaskChange::Done { note }, turn.user_id()).await?;
    let mut text = turn.t(
        "task.done",
        &[
            ("number", &task.number.to_string()),
            ("title", &escape(&task.title)),
        ],
    );
    if let Some(next) = changed.next {
        let due = due_text(next.due_at, turn.tz);
        text.push_str(&turn.t(
            "task.next",
            &[("number", &next.number.to_string()), ("due", &due)],
        ));
    }
    turn.reply(&text).await
}

pub async fn block(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, reason)) = changeable(turn, args, "block").await? else {
        return Ok(());
    };
    let reason = match short_note(turn, &reason) {
        Ok(Some(reason)) => reason,
        Ok(None) => {
            return turn
                .reply(&turn.t("task.err.reason", &[("usage", &turn.t("usage.block", &[]))]))
                .await;
        }
        Err(why) => return turn.reply(&why).await,
    };
    apply(
        &turn.ctx,
        &task,
        TaskChange::Block {
            reason: reason.clone(),
        },
        turn.user_id(),
    )
    .await?;
    let n = task.number.to_string();
    turn.reply(&turn.t(
        "task.blocked",
        &[
            ("number", &n),
            ("title", &escape(&task.title)),
            ("reason", &escape(&reason)),
        ],
    ))
    .await
}

pub async fn unblock(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, _)) = changeable(turn, args, "unblock").await? else {
        return Ok(());
    };
    let n = task.number.to_string();
    if task.status != TASK_BLOCKED {
        return turn
            .reply(&turn.t("task.err.not_blocked", &[("number", &n)]))
            .await;
    }
    apply(&turn.ctx, &task, TaskChange::Unblock, turn.user_id()).await?;
    turn.reply(&turn.t(
        "task.unblocked",
        &[("number", &n), ("title", &escape(&task.title))],
    ))
    .await
}

pub async fn due(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, when)) = changeable(turn, args, "due").await? else {
        return Ok(());
    };
    if when.is_empty() {
        return turn.reply(&turn.t("task.err.no_due", &[])).await;
    }
    let due_at = match parse_when(&when, turn.ctx.now(), turn.tz) {
        Ok(at) => at,
        Err(err) => return turn.reply(&when_error(turn, &err)).await,
    };
    let changed = apply(&turn.ctx, &task, TaskChange::Due { due_at }, turn.user_id()).await?;
    let args = [
        ("number", task.number.to_string()),
        ("title", escape(&task.title)),
        ("due", due_text(due_at, turn.tz)),
        ("slips", changed.task.slips.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    turn.reply(&turn.t("task.rescheduled", &args)).await
}

pub async fn reassign(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, who)) = changeable(turn, args, "reassign").await? else {
        return Ok(());
    };
    let (context_owner, who) = owner_from_context(&turn.msg, &who);
    let store = &turn.ctx.store;
    let owner_id = match (who.trim().strip_prefix('@'), context_owner) {
        (Some(username), _) if !username.is_empty() => {
            match store.user_by_username(username).await? {
                Some(user) => user.user_id,
                None => {
                    return turn
                        .reply(&turn.t("task.err.owner_unseen", &[("username", &escape(username))]))
                        .await;
                }
            }
        }
        (_, Some(user)) => {
            people::remember(&turn.ctx, &user, Some(task.chat_id)).await?;
            user.id.0 as i64
        }
        _ => {
            let usage = turn.t("usage.reassign", &[]);
            return turn
                .reply(&turn.t(
                    "task.err.number",
                    &[("input", &escape(who.trim())), ("usage", &usage)],
                ))
                .await;
        }
    };
    let changed = apply(
        &turn.ctx,
        &task,
        TaskChange::Reassign { owner_id },
        turn.user_id(),
    )
    .await?;
    let owner = owner_mention(store, &changed.task).await?;
    let n = task.number.to_string();
    turn.reply(&turn.t(
        "task.reassigned",
        &[
            ("number", &n),
            ("title", &escape(&task.title)),
            ("owner", &owner),
        ],
    ))
    .await
}

pub async fn cancel(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, _)) = changeable(turn, args, "cancel").await? else {
        return Ok(());
    };
    apply(&turn.ctx, &task, TaskChange::Cancel, turn.user_id()).await?;
    let n = task.number.to_string();
    turn.reply(&turn.t(
        "task.cancelled",
        &[("number", &n), ("title", &escape(&task.title))],
    ))
    .await
}

/// `/quiet 22:00-08:00` (or `off`): pings that fall inside wait until the window ends.
pub async fn quiet(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    if input.is_empty() {
        let current = match team.quiet_start.zip(team.quiet_end).filter(|(s, e)| s != e) {
            Some((s, e)) => format!("{}-{}", hhmm(s), hhmm(e)),
            None => turn.t("quiet.none", &[]),
        };
        return turn
            .reply(&turn.t("quiet.current", &[("window", &current)]))
            .await;
    }
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    let Some((start, end)) = parse_quiet_window(input) else {
        return turn
            .reply(&turn.t("quiet.usage", &[("input", &escape(input))]))
            .await;
    };
    let store = &turn.ctx.store;
    store
        .update_team(
            team.chat_id,
            &TeamSetting::Quiet { start, end },
            turn.ctx.now(),
        )
        .await?;
    // Pings already planned move with the new window.
    for job in store.pending_jobs_of_chat(team.chat_id).await? {
        store
            .set_job_fire_at(job.id, after_quiet(job.due_at, Some((start, end)), turn.tz))
            .await?;
    }
    turn.ctx.jobs_changed();
    if start == end {
        return turn.reply(&turn.t("quiet.off", &[])).await;
    }
    turn.reply(&turn.t(
        "quiet.set",
        &[("window", &format!("{}-{}", hhmm(start), hhmm(end)))],
    ))
    .await
}

fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A button on a deadline ping: ✅ Done · ⏰ +1 day · 🚧 Blocked.
pub async fn on_callback(bot: TgBot, q: CallbackQuery, ctx: Ctx) -> HandlerResult {
    let parsed = q.data.as_deref().and_then(parse_callback);
    let message = q.message.as_ref().and_then(|m| m.regular_message());
    let (Some((action, task_id)), Some(message)) = (parsed, message) else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let store = &ctx.store;
    let now = ctx.now();
    // The task must belong to the chat the button is in: no acting across teams.
    let task = store
        .task_by_id(task_id)
        .await?
        .filter(|t| t.chat_id == message.chat.id.0);
    let team = store.team(message.chat.id.0).await?;
    let (Some(task), Some(team)) = (task, team) else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let lang = team.language(ctx.settings.default_lang);
    let tz = team.tz();
    people::remember(&ctx, &q.from, Some(team.chat_id)).await?;
    // The presser may just have become the owner (they were known only by @username).
    let task = store.task_by_id(task.id).await?.unwrap_or(task);
    if !task.is_open() {
        let status = status_text(lang, &task.status);
        let text = tr(
            lang,
            "callback.closed",
            &[("number", &task.number.to_string()), ("status", &status)],
        );
        bot.answer_callback_query(q.id.clone()).text(text).await?;
        return Ok(());
    }
    let actor = Actor {
        user_id: q.from.id.0 as i64,
        as_group: false,
        bot: &bot,
        ctx: &ctx,
    };
    if !actor.may_change(&task).await? {
        let text = tr(lang, "callback.not_allowed", &[]);
        bot.answer_callback_query(q.id.clone())
            .text(text)
            .show_alert(true)
            .await?;
        return Ok(());
    }
    let who = super::task_view::mention(q.from.id.0 as i64, &people::display_name(&q.from));
    let (change, outcome) = match action {
        "done" => (
            TaskChange::Done { note: None },
            tr(lang, "ping.acted_done", &[("who", &who)]),
        ),
        "snooze" => {
            let due_at = task.due_at.max(now) + DAY;
            let text = tr(
                lang,
                "ping.acted_snooze",
                &[("who", &who), ("due", &due_text(due_at, tz))],
            );
            (TaskChange::Due { due_at }, text)
        }
        _ => (
            TaskChange::Block {
                reason: tr(lang, "ping.block_reason", &[]),
            },
            tr(lang, "ping.acted_block", &[("who", &who)]),
        ),
    };
    apply(&ctx, &task, change, Some(q.from.id.0 as i64)).await?;
    bot.answer_callback_query(q.id.clone()).await?;
    // The ping keeps its words and says what happened, without buttons.
    let original = message.text().map(escape).unwrap_or_default();
    bot.edit_message_text(
        message.chat.id,
        message.id,
        format!("{original}\n\n{outcome}"),
    )
    .parse_mode(teloxide::types::ParseMode::Html)
    .await?;
    Ok(())
}
