//! How tasks read in messages: the created reply, list lines and lists that fit one message,
//! the detail with its history, deadline pings, relative due times, statuses, and the refusals
//! of the task commands. Pure: everything comes from the service's view data.

pub use super::names::mention;
use chrono_tz::Tz;

use super::html::Html;
use super::names::{ago, datetime, hhmm, utf16_len, when_short};
use crate::domain::lang::Lang;
use crate::domain::tasks::{PingAction, TaskArgError, TaskStatus};
use crate::domain::when::WhenError;
use crate::service::tasks::{
    EventDetail, MyTasks, Person, PingView, TaskCreated, TaskDetail, TaskList,
};
use crate::storage::Task;
use crate::telegram::send::MAX_TEXT;
use crate::tr;

/// Room for list lines in one message, leaving space for the "and N more" line.
const LIST_BUDGET: usize = MAX_TEXT - 300;

/// A person as a mention, or `@username` while they have not been seen.
pub fn person_mention(p: &Person) -> Html {
    match p.user_id {
        Some(id) => mention(id, &p.name),
        None => Html::text(&format!("@{}", p.name)),
    }
}

/// A person's plain name (no link), for lists and history.
pub fn person_name(p: &Person) -> String {
    match p.user_id {
        Some(_) => p.name.clone(),
        None => format!("@{}", p.name),
    }
}

/// "in 3 h", "2 d overdue" for a due time seen from `now`.
pub fn relative(lang: Lang, due_at: i64, now: i64) -> Html {
    let delta = due_at - now;
    let abs = delta.abs();
    let (unit, n) = if abs < 3600 {
        ("min", (abs / 60).max(1))
    } else if abs < 2 * 86_400 {
        ("h", abs / 3600)
    } else {
        ("d", abs / 86_400)
    };
    let key = if delta >= 0 {
        format!("rel.in_{unit}")
    } else {
        format!("rel.overdue_{unit}")
    };
    tr!(lang, &key, n = n)
}

pub fn status_text(lang: Lang, status: TaskStatus) -> Html {
    tr!(lang, &format!("status.{}", status.code()))
}

/// Channel, repeat and done-when lines of a task.
fn extras(lang: Lang, task: &Task) -> Html {
    let mut text = Html::new();
    if let Some(channel) = &task.channel {
        text.push(&tr!(lang, "task.channel_line", channel = channel.as_str()));
    }
    if let Some(recur) = task.recur {
        let every = tr!(lang, &format!("recur.{}", recur.code()));
        text.push(&tr!(lang, "task.recur_line", every = every));
    }
    if let Some(done_when) = &task.done_when {
        text.push(&tr!(
            lang,
            "task.done_when_line",
            done_when = done_when.as_str()
        ));
    }
    text
}

pub fn render_created(created: &TaskCreated, lang: Lang, tz: Tz, now: i64) -> Html {
    let task = &created.task;
    let owner = person_mention(&created.owner);
    let mut text = tr!(
        lang,
        "task.created",
        number = task.number,
        owner = owner,
        title = task.title.as_str(),
        due = datetime(lang, task.due_at, tz),
        relative = relative(lang, task.due_at, now),
    );
    text.push(&extras(lang, task));
    if let Some(username) = &task.owner_username {
        text.push(&tr!(
            lang,
            "task.pending_owner",
            username = username.as_str()
        ));
    }
    if created.nearby >= crate::domain::schedule::OVERLOAD_AT {
        text.push(&tr!(
            lang,
            "task.overload",
            owner = owner,
            count = created.nearby
        ));
    }
    text
}

/// Why a `/task` was refused, followed by the usage.
pub fn render_task_error(err: &TaskArgError, lang: Lang, tz: Tz) -> Html {
    let why = match err {
        TaskArgError::NoOwner => tr!(lang, "task.err.no_owner"),
        TaskArgError::NoDue => tr!(lang, "task.err.no_due"),
        TaskArgError::EmptyTitle => tr!(lang, "task.err.empty_title"),
        TaskArgError::TitleTooLong { len, max } => {
            tr!(lang, "task.err.title_too_long", len = *len, max = *max)
        }
        TaskArgError::NoteTooLong { len, max } => render_note_too_long(lang, *len, *max),
        TaskArgError::BadWhen(err) => render_when_error(err, lang, tz),
        TaskArgError::BadRecurrence { input } => {
            tr!(lang, "task.err.bad_recurrence", input = input.as_str())
        }
        TaskArgError::BadChannel { input } => {
            tr!(lang, "task.err.bad_channel", input = input.as_str())
        }
        TaskArgError::MarkupInTitle { tag } => tr!(lang, "task.err.markup", tag = tag.as_str()),
    };
    Html::join(&[why, tr!(lang, "task.usage")], "\n\n")
}

pub fn render_note_too_long(lang: Lang, len: usize, max: usize) -> Html {
    tr!(lang, "task.err.note_too_long", len = len, max = max)
}

pub fn render_when_error(err: &WhenError, lang: Lang, tz: Tz) -> Html {
    match err {
        WhenError::InPast { input, at } => tr!(
            lang,
            "when.past",
            input = input.as_str(),
            at = datetime(lang, *at, tz)
        ),
        WhenError::TooFar { input } => tr!(lang, "when.too_far", input = input.as_str()),
        WhenError::Unrecognized { input }
        | WhenError::InFuture { input, .. }
        | WhenError::TooOld { input, .. } => tr!(lang, "when.unrecognized", input = input.as_str()),
    }
}

pub fn render_unknown_channel(input: &str, known: &[String], lang: Lang) -> Html {
    let known = if known.is_empty() {
        tr!(lang, "task.no_channels")
    } else {
        super::names::channel_list(known)
    };
    tr!(
        lang,
        "task.err.unknown_channel",
        input = input,
        known = known
    )
}

pub fn render_detail(detail: &TaskDetail, lang: Lang, tz: Tz, now: i64) -> Html {
    let task = &detail.task;
    let history: Vec<Html> = detail
        .history
        .iter()
        .map(|entry| {
            let kind = entry.kind.code();
            let what = match &entry.detail {
                EventDetail::Due(at) => {
                    let at = at.map(|at| datetime(lang, at, tz)).unwrap_or_default();
                    tr!(lang, "event.due", at = at)
                }
                EventDetail::Owner(owner) => {
                    tr!(lang, "event.reassigned", owner = person_name(owner))
                }
                EventDetail::Text(text) => {
                    let mut what = tr!(lang, &format!("event.{kind}"));
                    what.push_text(&format!(": {text}"));
                    what
                }
                EventDetail::None => tr!(lang, &format!("event.{kind}")),
            };
            // Recent events read as "3 小时前", older ones by their date.
            let when = if now - entry.at < 2 * 86_400 {
                ago(lang, entry.at, now)
            } else {
                Html::text(&datetime(lang, entry.at, tz))
            };
            let mut line = Html::from_trusted(format!(
                "{when} · {} — ",
                Html::text(&person_name(&entry.who))
            ));
            line.push(&what);
            line
        })
        .collect();
    let mut text = tr!(
        lang,
        "task.detail",
        number = task.number,
        title = task.title.as_str(),
        owner = person_mention(&detail.owner),
        creator = person_mention(&detail.creator),
        due = datetime(lang, task.due_at, tz),
        relative = relative(lang, task.due_at, now),
        status = status_text(lang, task.status),
        slips = task.slips,
    );
    if let Some(reason) = &task.blocked_reason {
        text.push(&tr!(lang, "task.blocked_line", reason = reason.as_str()));
    }
    text.push(&extras(lang, task));
    text.push(&tr!(lang, "task.history", history = Html::lines(history)));
    text
}

fn icon(task: &Task, now: i64) -> &'static str {
    match task.status {
        TaskStatus::Blocked => "🚧",
        TaskStatus::Done => "✅",
        TaskStatus::Cancelled => "✖️",
        TaskStatus::Open if task.due_at < now => "🔴",
        TaskStatus::Open => "⏳",
    }
}

/// One message: a header, each owner's tasks (the most urgent owner first), and when it does
/// not all fit, a pointer to narrower views for the rest. `header_key` is `tasks.header` or
/// `mytasks.header`.
pub fn render_list(list: &TaskList, lang: Lang, now: i64, tz: Tz, header_key: &str) -> Html {
    if list.is_empty() {
        return tr!(lang, "tasks.empty");
    }
    let total = list.total();
    let mut text = tr!(lang, header_key, count = total);
    let mut shown = 0;
    'groups: for group in &list.groups {
        let heading = tr!(
            lang,
            "tasks.owner",
            owner = person_name(&group.owner),
            count = group.tasks.len()
        );
        if utf16_len(text.as_str()) + utf16_len(heading.as_str()) > LIST_BUDGET {
            break;
        }
        text.push(&heading);
        for task in &group.tasks {
            let mut line = Html::markup("\n");
            line.push_text(&format!(
                "{} #{} {} — ",
                icon(task, now),
                task.number,
                task.title
            ));
            line.push(&relative(lang, task.due_at, now));
            line.push_text(&format!(" · {}", when_short(lang, task.due_at, now, tz)));
            if utf16_len(text.as_str()) + utf16_len(line.as_str()) > LIST_BUDGET {
                break 'groups;
            }
            text.push(&line);
            shown += 1;
        }
    }
    if shown < total {
        text.push(&tr!(lang, "tasks.more", n = total - shown));
    }
    text
}

/// `/mytasks` in private: by team, with each deadline in that team's zone.
pub fn render_my_tasks(mine: &MyTasks, lang: Lang, now: i64) -> Html {
    if mine.total == 0 {
        return tr!(lang, "mytasks.empty");
    }
    let mut text = tr!(lang, "mytasks.header", count = mine.total);
    for (team, tasks) in &mine.teams {
        let tz = team.tz();
        text.push(&Html::markup("\n\n"));
        text.push(&Html::bold(&team.title));
        for task in tasks {
            let icon = if task.status == TaskStatus::Blocked {
                "🚧"
            } else if task.due_at < now {
                "🔴"
            } else {
                "⏳"
            };
            let mut line = Html::markup("\n");
            line.push_text(&format!("{icon} #{} {} — ", task.number, task.title));
            line.push(&relative(lang, task.due_at, now));
            line.push_text(&format!(" ({})", datetime(lang, task.due_at, tz)));
            text.push(&line);
        }
    }
    text
}

/// A deadline ping: 24 h, 1 h, at the deadline, or daily while overdue (the creator named
/// from the second overdue day).
pub fn render_ping(ping: &PingView) -> Html {
    let lang = ping.lang;
    let task = &ping.task;
    let days = ping.mark.overdue_days();
    let key = match ping.mark.label.as_str() {
        "24h" => "ping.h24",
        "1h" => "ping.h1",
        "due" => "ping.due",
        _ => "ping.overdue",
    };
    let mut text = Html::new();
    if ping.late {
        text.push(&tr!(lang, "ping.late"));
    }
    text.push(&tr!(
        lang,
        key,
        owner = person_mention(&ping.owner),
        number = task.number,
        title = task.title.as_str(),
        due = datetime(lang, task.due_at, ping.team.tz()),
        days = days,
    ));
    if days >= 2 {
        let creator = mention(task.creator_id, &ping.creator.name);
        text.push(&tr!(lang, "ping.cc_creator", creator = creator));
    }
    text
}

/// The line a ping gets once someone pressed one of its buttons.
pub fn render_ping_acted(action: PingAction, who: &Html, due: i64, tz: Tz, lang: Lang) -> Html {
    match action {
        PingAction::Done => tr!(lang, "ping.acted_done", who = who),
        PingAction::Snooze => tr!(
            lang,
            "ping.acted_snooze",
            who = who,
            due = datetime(lang, due, tz)
        ),
        PingAction::Block => tr!(lang, "ping.acted_block", who = who),
    }
}

/// The pressed ping keeps its words (as plain text) and says what happened.
pub fn render_ping_edited(original: &str, outcome: &Html) -> Html {
    let mut text = Html::text(original);
    text.push(&Html::markup("\n\n"));
    text.push(outcome);
    text
}

/// Quiet hours as `HH:MM-HH:MM`, or "none".
pub fn render_quiet_current(window: Option<(i64, i64)>, lang: Lang) -> Html {
    let window = match window.filter(|(s, e)| s != e) {
        Some((s, e)) => Html::text(&format!("{}-{}", hhmm(s), hhmm(e))),
        None => tr!(lang, "quiet.none"),
    };
    tr!(lang, "quiet.current", window = window)
}

pub fn render_quiet_set((start, end): (i64, i64), lang: Lang) -> Html {
    if start == end {
        return tr!(lang, "quiet.off");
    }
    tr!(
        lang,
        "quiet.set",
        window = format!("{}-{}", hhmm(start), hhmm(end))
    )
}

/// `/done`'s reply, with a recurring task's next occurrence.
pub fn render_done(task: &Task, next: Option<&Task>, lang: Lang, tz: Tz) -> Html {
    let mut text = tr!(
        lang,
        "task.done",
        number = task.number,
        title = task.title.as_str()
    );
    if let Some(next) = next {
        text.push(&tr!(
            lang,
            "task.next",
            number = next.number,
            due = datetime(lang, next.due_at, tz)
        ));
    }
    text
}

/// Replies that name a task by number and title (`task.blocked`, `task.unblocked`, …), with
/// one more value where the key has one.
pub fn render_task_reply(key: &str, task: &Task, lang: Lang) -> Html {
    tr!(lang, key, number = task.number, title = task.title.as_str())
}

pub fn render_blocked(task: &Task, reason: &str, lang: Lang) -> Html {
    tr!(
        lang,
        "task.blocked",
        number = task.number,
        title = task.title.as_str(),
        reason = reason
    )
}

pub fn render_rescheduled(task: &Task, lang: Lang, tz: Tz) -> Html {
    tr!(
        lang,
        "task.rescheduled",
        number = task.number,
        title = task.title.as_str(),
        due = datetime(lang, task.due_at, tz),
        slips = task.slips
    )
}

pub fn render_reassigned(task: &Task, owner: &Person, lang: Lang) -> Html {
    tr!(
        lang,
        "task.reassigned",
        number = task.number,
        title = task.title.as_str(),
        owner = person_mention(owner)
    )
}

/// `<input> is not a task number` with the command's usage.
pub fn render_bad_number(input: &str, command: &str, lang: Lang) -> Html {
    let usage = tr!(lang, &format!("usage.{command}"));
    tr!(lang, "task.err.number", input = input, usage = usage)
}

/// Refusals about task `number`: `task.err.not_found`, `not_allowed`, `not_blocked`.
pub fn render_numbered_refusal(key: &str, number: i64, lang: Lang) -> Html {
    tr!(lang, key, number = number)
}

pub fn render_closed(key: &str, task: &Task, lang: Lang) -> Html {
    tr!(
        lang,
        key,
        number = task.number,
        status = status_text(lang, task.status)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_pick_a_unit() {
        let cases = [
            (30, "in 1 min"),
            (2 * 3600, "in 2 h"),
            (-3 * 86_400, "3 d overdue"),
        ];
        for (delta, text) in cases {
            assert_eq!(relative(Lang::En, 1000 + delta, 1000).as_str(), text);
        }
    }

    #[test]
    fn people_are_escaped() {
        let known = Person {
            user_id: Some(crate::domain::ids::UserId(7)),
            name: "<b>".into(),
        };
        let unseen = Person {
            user_id: None,
            name: "a&b".into(),
        };
        assert_eq!(
            person_mention(&known).as_str(),
            "<a href=\"tg://user?id=7\">&lt;b&gt;</a>"
        );
        assert_eq!(person_mention(&unseen).as_str(), "@a&amp;b");
        assert_eq!(person_name(&unseen), "@a&b");
    }

    #[test]
    fn quiet_windows_read_as_clock_times() {
        assert!(
            render_quiet_set((22 * 60, 8 * 60), Lang::En)
                .as_str()
                .contains("22:00-08:00")
        );
        assert_eq!(
            render_quiet_set((0, 0), Lang::En),
            tr!(Lang::En, "quiet.off")
        );
    }
}
