//! The commands the bot answers. Arguments arrive as the raw rest of the line and are parsed in
//! `domain/`, so a malformed one gets a reply that quotes it instead of a silent parse failure.

use teloxide::utils::command::BotCommands;

use crate::domain::lang::Lang;
use crate::i18n::tr;

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "snake_case")]
pub enum Command {
    /// What the bot does, this team's settings, the next step.
    Start(String),
    /// The list of commands, or one command's details.
    Help(String),
    /// The team's language: zh or en.
    Lang(String),
    /// The team's time zone (IANA name).
    Timezone(String),
    /// The currency symbol.
    Currency(String),
    // -- tasks (issue 3) --
    /// Create a task, or show one: /task @owner title due fri 18:00 · /task 3
    Task(String),
    /// Open tasks by owner: /tasks [@user|mine|overdue|blocked|all]
    Tasks(String),
    /// Your open tasks (in private: across all your teams)
    Mytasks(String),
    /// Mark a task done: /done 3 [note]
    Done(String),
    /// Mark a task blocked: /block 3 reason
    Block(String),
    /// Unblock a task: /unblock 3
    Unblock(String),
    /// Move a deadline: /due 3 fri 18:00
    Due(String),
    /// Give a task to someone else: /reassign 3 @user
    Reassign(String),
    /// Cancel a task: /cancel 3
    Cancel(String),
    /// Quiet hours for pings: /quiet 22:00-08:00 | off
    Quiet(String),
    // -- plan (issue 4) --
    // -- numbers (issue 5) --
}

/// Every command with its menu text, in the order the menu shows them.
pub const MENU: &[&str] = &[
    "start", "help", "lang", "timezone", "currency", // -- tasks (issue 3) --
    "task", "tasks", "mytasks", "done", "block", "unblock", "due", "reassign", "cancel",
    "quiet",
    // -- plan (issue 4) --
    // -- numbers (issue 5) --
];

/// The `/help <command>` text for a command name (with or without the slash), if there is one.
pub fn help_for(lang: Lang, name: &str) -> Option<String> {
    let name = name.trim().trim_start_matches('/').to_lowercase();
    MENU.contains(&name.as_str())
        .then(|| tr(lang, &format!("help.{name}"), &[]))
}

/// The short menu description for `setMyCommands` (plain text, no HTML).
pub fn menu_description(lang: Lang, name: &str) -> String {
    let full = tr(lang, &format!("help.{name}"), &[]);
    let plain = crate::bot::reply::strip_html(&full);
    // "/cmd args — description": the menu shows only the description.
    let description = plain
        .split_once('—')
        .map(|(_, d)| d.trim())
        .unwrap_or(plain.trim());
    description.chars().take(256).collect()
}
