//! `/whoami`: a member's name, role, open tasks and channels.

use chrono_tz::Tz;

use super::html::Html;
use super::names::channel_list;
use crate::domain::lang::Lang;
use crate::service::people::MemberView;
use crate::tr;

/// Tasks listed by name before the rest are only counted (one message, however busy).
const LISTED_TASKS: usize = 10;

pub fn render_whoami(name: &str, is_admin: bool, me: &MemberView, lang: Lang, tz: Tz) -> Html {
    let role = if is_admin {
        tr!(lang, "whoami.role_admin")
    } else {
        tr!(lang, "whoami.role_member")
    };
    let mut lines = vec![tr!(lang, "whoami.head", name = name, role = role)];
    if me.open_tasks.is_empty() {
        lines.push(tr!(lang, "whoami.no_tasks"));
    } else {
        lines.push(tr!(lang, "whoami.tasks_head", count = me.open_tasks.len()));
        for task in me.open_tasks.iter().take(LISTED_TASKS) {
            lines.push(tr!(
                lang,
                "whoami.task_line",
                number = task.number,
                title = task.title.as_str(),
                due = super::names::datetime(lang, task.due_at, tz),
            ));
        }
        let more = me.open_tasks.len().saturating_sub(LISTED_TASKS);
        if more > 0 {
            lines.push(tr!(lang, "whoami.more_tasks", count = more));
        }
    }
    lines.push(if me.channels.is_empty() {
        tr!(lang, "whoami.no_channels")
    } else {
        tr!(
            lang,
            "whoami.channels",
            channels = channel_list(&me.channels)
        )
    });
    Html::lines(lines)
}
