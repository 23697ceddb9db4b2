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
    /// Who you are here: role, open tasks, channels you own.
    Whoami(String),
    // -- plan (issue 4) --
    /// Set or clear a goal.
    Goal(String),
    /// The goals and where the team stands.
    Goals(String),
    /// Add, change or remove a channel.
    Channel(String),
    /// The channels with tier, owner and budget.
    Channels(String),
    /// Budget allocation, spend and pacing.
    Budget(String),
    /// The whole plan on one screen.
    Plan(String),
    /// Add or remove a festival week-over-week comparisons step around: /festival add 11-27 黑五
    Festival(String),
    /// The festivals: built-in and the team's own.
    Festivals(String),
    // -- numbers (issue 5) --
    /// Check in one day's numbers for a channel.
    Checkin(String),
    /// Totals and derived metrics by channel, with goals.
    Metrics(String),
    /// CSV documents of check-ins and tasks.
    Export(String),
    /// The daily check-in nudge time.
    CheckinTime(String),
    /// Import an ad platform's report file: /import [channel]
    Import(String),
    // -- rhythm (issue 6) --
    /// The weekly review meeting: /review fri 17:00
    Review(String),
    /// The summary now: /summary [week|month]
    Summary(String),
    /// The current bottlenecks with their levers.
    Bottlenecks(String),
    /// A PNG chart: /chart [metric] [#channel] [30d]
    Chart(String),
    // -- abtest (issue 7) --
    /// Compare a channel's creatives: /abtest xhs [7d|14d|30d]
    Abtest(String),
}

/// Every command with its menu text, in the order the menu shows them.
pub const MENU: &[&str] = &[
    "start",
    "help",
    "lang",
    "timezone",
    "currency", // -- tasks (issue 3) --
    "task",
    "tasks",
    "mytasks",
    "done",
    "block",
    "unblock",
    "due",
    "reassign",
    "cancel",
    "quiet",
    "whoami",
    // -- plan (issue 4) --
    "goal",
    "goals",
    "channel",
    "channels",
    "budget",
    "plan",
    "festival",
    "festivals",
    // -- numbers (issue 5) --
    "checkin",
    "metrics",
    "export",
    "checkin_time",
    "import",
    // -- rhythm (issue 6) --
    "review",
    "summary",
    "bottlenecks",
    "chart",
    // -- abtest (issue 7) --
    "abtest",
];

/// The `/help <command>` text for a command name (with or without the slash), if there is one.
/// In Chinese the examples are Chinese (`/checkin 淘宝 花费 1000 …`): copy one, change it.
pub fn help_for(lang: Lang, name: &str) -> Option<String> {
    let name = name.trim().trim_start_matches('/').to_lowercase();
    if !MENU.contains(&name.as_str()) {
        return None;
    }
    let mut text = tr(lang, &format!("help.{name}"), &[]);
    let key = format!("examples.{name}");
    if crate::i18n::has(lang, &key) {
        // Examples are trusted locale markup (entities already escaped), one per line.
        let examples = tr(lang, &key, &[]);
        text.push_str("\n\n");
        text.push_str(&tr(lang, "examples.title", &[]));
        for example in examples.lines() {
            text.push_str(&format!("\n<code>{example}</code>"));
        }
    }
    Some(text)
}

/// The short menu description for `setMyCommands` (plain text, no HTML).
pub fn menu_description(lang: Lang, name: &str) -> String {
    let full = tr(lang, &format!("help.{name}"), &[]);
    let plain = crate::telegram::send::strip_html(&full);
    // "/cmd args — description": the menu shows only the description.
    let description = plain
        .split_once('—')
        .map(|(_, d)| d.trim())
        .unwrap_or(plain.trim());
    description.chars().take(256).collect()
}

/// Parses a message as one of our commands. Unlike teloxide's own parse, the arguments may
/// start on the next line (`/checkin` then one line per channel): teloxide splits the command
/// from its arguments at a space only, so a newline or tab right after the command is read as
/// that separator here, and the lines after it are kept as they are.
pub fn parse_command(text: &str, bot_name: &str) -> Option<Command> {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let (head, rest) = text.split_at(end);
    match rest.chars().next() {
        Some(c) if c != ' ' => {
            let joined = format!("{head} {}", &rest[c.len_utf8()..]);
            Command::parse(&joined, bot_name).ok()
        }
        _ => Command::parse(text, bot_name).ok(),
    }
}
