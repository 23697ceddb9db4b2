//! Rows as the rest of the program sees them. Times are epoch seconds, money minor units.

use crate::domain::ids::{ChatId, UserId};
use sqlx::FromRow;

use crate::domain::goal::Goal as DomainGoal;
use crate::domain::jobs::{JobKind, JobState};
use crate::domain::lang::{Lang, Zone};
use crate::domain::playbook::Tier;
use crate::domain::schedule::Recurrence;
use crate::domain::tasks::{TaskEventKind, TaskStatus};
use crate::domain::totals::Numbers;

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Team {
    pub chat_id: ChatId,
    pub title: String,
    /// Chosen by an admin with /lang.
    pub lang: Option<String>,
    /// From the first member's Telegram language_code.
    pub detected_lang: Option<String>,
    #[sqlx(try_from = "String")]
    pub tz: Zone,
    pub currency: String,
    pub active: i64,
    pub review_weekday: Option<i64>,
    pub review_minute: Option<i64>,
    pub checkin_minute: Option<i64>,
    pub quiet_start: Option<i64>,
    pub quiet_end: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Team {
    pub fn is_active(&self) -> bool {
        self.active != 0
    }

    /// The team's language: an admin's choice, else its first member's, else `default`.
    pub fn language(&self, default: Lang) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .or_else(|| self.detected_lang.as_deref().and_then(Lang::parse))
            .unwrap_or(default)
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.tz.tz()
    }
}

/// What a new team starts with.
#[derive(Clone, Debug)]
pub struct NewTeam<'a> {
    pub chat_id: ChatId,
    pub title: &'a str,
    pub detected_lang: Option<&'a str>,
    pub tz: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct User {
    pub user_id: UserId,
    pub username: Option<String>,
    pub display_name: String,
    pub lang_code: Option<String>,
    pub updated_at: i64,
}

/// Team settings an admin can change one at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TeamSetting {
    Lang(String),
    Tz(String),
    Currency(String),
    Title(String),
    Active(bool),
    Review { weekday: i64, minute: i64 },
    CheckinTime(i64),
    Quiet { start: i64, end: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Task {
    pub id: i64,
    pub chat_id: ChatId,
    pub number: i64,
    pub title: String,
    pub done_when: Option<String>,
    pub owner_id: Option<UserId>,
    pub owner_username: Option<String>,
    pub creator_id: UserId,
    pub channel: Option<String>,
    pub due_at: i64,
    /// Decoded by its sqlx impls in storage/tasks.rs (NULL = does not repeat).
    pub recur: Option<Recurrence>,
    pub series_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub blocked_reason: Option<String>,
    pub blocked_at: Option<i64>,
    pub slips: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub done_at: Option<i64>,
}

impl Task {
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

#[derive(Clone, Debug)]
pub struct NewTask {
    pub chat_id: ChatId,
    pub title: String,
    pub done_when: Option<String>,
    pub owner_id: Option<UserId>,
    pub owner_username: Option<String>,
    pub creator_id: UserId,
    pub channel: Option<String>,
    pub due_at: i64,
    pub recur: Option<Recurrence>,
    pub series_id: Option<i64>,
    /// The command message that asked for the task: a command handled again after a crash
    /// finds its task instead of creating a second one.
    pub source_message: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct TaskEvent {
    pub id: i64,
    pub task_id: i64,
    pub at: i64,
    pub actor_id: Option<UserId>,
    #[sqlx(try_from = "String")]
    pub kind: TaskEventKind,
    pub detail: Option<String>,
}

/// A change to a task, recorded in its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskChange {
    Done { note: Option<String> },
    Block { reason: String },
    Unblock,
    Due { due_at: i64 },
    Reassign { owner_id: UserId },
    Cancel,
}

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Job {
    pub id: i64,
    pub chat_id: ChatId,
    #[sqlx(try_from = "String")]
    pub kind: JobKind,
    pub subject_id: i64,
    pub mark: String,
    pub due_at: i64,
    pub fire_at: i64,
    pub version: i64,
    #[sqlx(try_from = "String")]
    pub state: JobState,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<i64>,
    pub done_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// One planned occurrence of an automatic message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    pub chat_id: ChatId,
    pub kind: JobKind,
    pub subject_id: i64,
    pub mark: String,
    pub due_at: i64,
    pub fire_at: i64,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Channel {
    pub id: i64,
    pub chat_id: ChatId,
    pub name: String,
    /// Stored as its code; an unknown code reads as Reserve (see `Tier::from_stored`).
    #[sqlx(try_from = "String")]
    pub tier: Tier,
    /// Minor units.
    pub monthly_budget: i64,
    pub owner_id: Option<UserId>,
    pub owner_username: Option<String>,
    pub removed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A goal as an admin sets it (replacing any for the same metric and channel).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGoal<'a> {
    pub chat_id: ChatId,
    pub metric: &'a str,
    /// '' = team-wide.
    pub channel: &'a str,
    pub direction: &'a str,
    pub period: &'a str,
    pub value: i64,
}

impl<'a> NewGoal<'a> {
    /// The row for a domain goal: every typed value written as its code.
    pub fn of(chat_id: ChatId, goal: &'a DomainGoal) -> NewGoal<'a> {
        NewGoal {
            chat_id,
            metric: goal.metric.code(),
            channel: goal.scope.stored(),
            direction: goal.kind.direction_code(),
            period: goal.kind.period_code(),
            value: goal.target,
        }
    }
}

/// A goal row as stored; the program reads it through [`Goal::decode`] (or
/// `Store::team_goals`), the one place its text columns become a typed goal.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Goal {
    pub id: i64,
    pub chat_id: ChatId,
    pub metric: String,
    /// '' = team-wide, else a channel name.
    pub channel: String,
    /// volume | at_least | at_most
    pub direction: String,
    /// week | month | quarter for volume goals, '' for rate goals.
    pub period: String,
    /// Minor units, counts, or rate micros (see domain::money::Rate).
    pub value: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Goal {
    /// The typed goal; `None` for a metric, direction or period this version does not know.
    pub fn decode(&self) -> Option<DomainGoal> {
        DomainGoal::from_parts(
            &self.metric,
            &self.channel,
            &self.direction,
            &self.period,
            self.value,
        )
    }
}

// ---------------------------------------------------------------- check-ins (issue 5)

/// One day's numbers for one channel (and creative) of a team. A number is `None` when nobody
/// reported it (issue 14: unknown is stored as NULL, never 0).
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Checkin {
    pub id: i64,
    pub chat_id: ChatId,
    pub channel: String,
    /// Local date in the team's zone, `YYYY-MM-DD`.
    pub day: String,
    /// '' when no creative was named.
    pub creative: String,
    /// Minor units.
    pub spend: Option<i64>,
    pub impressions: Option<i64>,
    pub clicks: Option<i64>,
    pub orders: Option<i64>,
    /// Minor units.
    pub gmv: Option<i64>,
    pub leads: Option<i64>,
    pub new_customers: Option<i64>,
    pub interactions: Option<i64>,
    pub author_id: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Checkin {
    /// The numbers as reported.
    pub fn numbers(&self) -> Numbers {
        Numbers {
            spend: self.spend,
            impressions: self.impressions,
            clicks: self.clicks,
            orders: self.orders,
            gmv: self.gmv,
            leads: self.leads,
            new_customers: self.new_customers,
            interactions: self.interactions,
        }
    }
}

/// A check-in as written: merges into any row with the same team, channel, day and creative,
/// replacing only the numbers it carries (`None` keeps what was there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCheckin<'a> {
    pub chat_id: ChatId,
    pub channel: &'a str,
    pub day: &'a str,
    pub creative: &'a str,
    pub spend: Option<i64>,
    pub impressions: Option<i64>,
    pub clicks: Option<i64>,
    pub orders: Option<i64>,
    pub gmv: Option<i64>,
    pub leads: Option<i64>,
    pub new_customers: Option<i64>,
    pub interactions: Option<i64>,
    pub author_id: Option<UserId>,
}

impl<'a> NewCheckin<'a> {
    /// A row carrying `numbers` for one key.
    pub fn new(
        chat_id: ChatId,
        channel: &'a str,
        day: &'a str,
        creative: &'a str,
        numbers: &Numbers,
        author_id: Option<UserId>,
    ) -> NewCheckin<'a> {
        NewCheckin {
            chat_id,
            channel,
            day,
            creative,
            spend: numbers.spend,
            impressions: numbers.impressions,
            clicks: numbers.clicks,
            orders: numbers.orders,
            gmv: numbers.gmv,
            leads: numbers.leads,
            new_customers: numbers.new_customers,
            interactions: numbers.interactions,
            author_id,
        }
    }
}

/// An imported report waiting for its ✅ Import / ✖ Cancel press.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct PendingImport {
    pub id: i64,
    pub chat_id: ChatId,
    /// Who posted `/import`; None for an anonymous admin.
    pub requester_id: Option<UserId>,
    pub channel: String,
    pub file_name: String,
    /// `domain::import::Report` as JSON.
    pub report: String,
    pub created_at: i64,
    pub expires_at: i64,
}
