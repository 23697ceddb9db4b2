//! Task use-cases: create a task (with its ping plan), change one (done, block, unblock, new
//! deadline, new owner, cancel), open a recurring task's next occurrence, quiet hours, the
//! lists and the detail view, and what a due ping job should say. Every write that touches
//! several rows is one Store transaction; planning a job rings the scheduler.

use crate::domain::ids::{ChatId, UserId};
use std::collections::HashMap;

use super::Service;
use crate::domain::jobs::JobKind;
use crate::domain::lang::Lang;
use crate::domain::schedule::{self, DAY, LATE_AFTER_SECS, Mark, tasks_near};
use crate::domain::tasks::{TaskDraft, TaskEventKind, TaskFilter, TaskStatus};
use crate::storage::{
    Job, NewJob, NewTask, Store, StoreError, Task, TaskChange, TaskJob, TaskWrite, Team,
};

/// Someone a task names: a known user (by id) or an `@username` not seen yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Person {
    pub user_id: Option<UserId>,
    /// The display name for a known user (their id when we have no row for them), else the
    /// username without `@`.
    pub name: String,
}

/// The owner of a new task as the command gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerRef {
    /// From a reply or a text mention (the handler has recorded the user).
    Id(UserId),
    /// `@username` as typed, without `@`.
    Username(String),
}

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the team has no channel #{input}")]
    UnknownChannel { input: String, known: Vec<String> },
}

/// A task just created, for its reply.
#[derive(Clone, Debug)]
pub struct TaskCreated {
    pub task: Task,
    pub owner: Person,
    /// The owner's other open tasks due within a day of this one.
    pub nearby: usize,
}

/// The outcome of a change: the task after it, and a recurring task's next occurrence.
#[derive(Clone, Debug)]
pub struct Changed {
    pub task: Task,
    pub next: Option<Task>,
}

/// `/task <n>`: a task with its people and history, names resolved.
#[derive(Clone, Debug)]
pub struct TaskDetail {
    pub task: Task,
    pub owner: Person,
    pub creator: Person,
    pub history: Vec<HistoryEntry>,
}

#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub at: i64,
    pub who: Person,
    pub kind: TaskEventKind,
    pub detail: EventDetail,
}

/// What an event carries besides its kind, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventDetail {
    None,
    /// A new deadline (None when the stored value does not read as a time).
    Due(Option<i64>),
    /// The new owner.
    Owner(Person),
    /// A note or reason, as written.
    Text(String),
}

/// Tasks grouped by owner: the owner with the most urgent task first, and within a group by
/// due time.
#[derive(Clone, Debug, Default)]
pub struct TaskList {
    pub groups: Vec<OwnerTasks>,
}

#[derive(Clone, Debug)]
pub struct OwnerTasks {
    pub owner: Person,
    pub tasks: Vec<Task>,
}

impl TaskList {
    pub fn total(&self) -> usize {
        self.groups.iter().map(|g| g.tasks.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// `/mytasks` in private, by team.
#[derive(Clone, Debug, Default)]
pub struct MyTasks {
    /// Open tasks in all active teams.
    pub total: usize,
    pub teams: Vec<(Team, Vec<Task>)>,
}

/// A due deadline ping, ready to render.
#[derive(Clone, Debug)]
pub struct PingView {
    pub task: Task,
    pub owner: Person,
    /// Named from the second overdue day on (display name, empty when unknown).
    pub creator: Person,
    pub mark: Mark,
    /// The ping goes out more than a minute after its time (the bot was offline).
    pub late: bool,
    pub team: Team,
    pub lang: Lang,
}

/// What a claimed ping job comes to.
#[derive(Clone, Debug)]
pub enum PingDue {
    Send(Box<PingView>),
    Dropped(&'static str),
}

/// What a claimed recurrence job comes to.
#[derive(Clone, Debug)]
pub enum RecurDue {
    Opened,
    Dropped(&'static str),
}

fn quiet(team: &Team) -> Option<(i64, i64)> {
    team.quiet_start.zip(team.quiet_end)
}

fn ping_job(team: &Team, mark: &Mark) -> TaskJob {
    TaskJob {
        kind: JobKind::TaskPing,
        mark: mark.label.clone(),
        due_at: mark.at,
        fire_at: schedule::after_quiet(mark.at, quiet(team), team.tz()),
    }
}

/// The jobs a task due at `due_at` starts with: its pings still ahead of `now`, and for a
/// recurring task the end of its period.
fn first_jobs(team: &Team, due_at: i64, recurs: bool, now: i64) -> Vec<TaskJob> {
    let mut jobs: Vec<TaskJob> = schedule::initial_marks(due_at, now, team.tz())
        .iter()
        .map(|mark| ping_job(team, mark))
        .collect();
    if recurs {
        jobs.push(TaskJob {
            kind: JobKind::TaskRecur,
            mark: "next".into(),
            due_at,
            fire_at: due_at,
        });
    }
    jobs
}

/// A person by id (their display name, or the id when unseen) or by `@username`.
pub async fn person(
    store: &Store,
    user_id: Option<UserId>,
    username: Option<&str>,
) -> Result<Person, StoreError> {
    let name = match user_id {
        Some(id) => store
            .user(id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| id.to_string()),
        None => username.unwrap_or("?").to_string(),
    };
    Ok(Person { user_id, name })
}

async fn owner_of(svc: &Service, task: &Task) -> Result<Person, StoreError> {
    person(&svc.store, task.owner_id, task.owner_username.as_deref()).await
}

/// The next occurrence of a recurring task, as a row to write; None when it does not repeat.
fn next_occurrence(task: &Task, team: &Team, now: i64) -> Option<NewTask> {
    let recur = task.recur?;
    let tz = team.tz();
    let mut due_at = recur.next_after(task.due_at, tz);
    // A long outage must not create a backlog of past occurrences: jump to the next one ahead.
    while due_at <= now {
        due_at = recur.next_after(due_at, tz);
    }
    Some(NewTask {
        chat_id: task.chat_id,
        title: task.title.clone(),
        done_when: task.done_when.clone(),
        owner_id: task.owner_id,
        owner_username: task.owner_username.clone(),
        creator_id: task.creator_id,
        channel: task.channel.clone(),
        due_at,
        recur: task.recur,
        series_id: Some(task.series_id.unwrap_or(task.id)),
        source_message: None,
    })
}

/// Plans a task's pings still ahead of now (and, for a recurring task, its next occurrence),
/// replacing pending ones, in one transaction. For tasks written without a plan (tests, tools).
pub async fn plan_task_jobs(svc: &Service, task: &Task) -> Result<(), StoreError> {
    let Some(team) = svc.store.team(task.chat_id).await? else {
        return Ok(());
    };
    let jobs = first_jobs(&team, task.due_at, task.recur.is_some(), svc.now());
    let drop: &[JobKind] = if task.recur.is_some() {
        &[JobKind::TaskPing, JobKind::TaskRecur]
    } else {
        &[JobKind::TaskPing]
    };
    let write = TaskWrite {
        drop,
        plan: &jobs,
        ..TaskWrite::default()
    };
    svc.store.write_task(task.id, &write, svc.now()).await?;
    svc.jobs_changed();
    Ok(())
}

/// Creates the next occurrence of a recurring task with its jobs; None if it already exists or
/// the task does not repeat.
pub async fn open_next_occurrence(svc: &Service, task: &Task) -> Result<Option<Task>, StoreError> {
    let Some(team) = svc.store.team(task.chat_id).await? else {
        return Ok(None);
    };
    let now = svc.now();
    let Some(new) = next_occurrence(task, &team, now) else {
        return Ok(None);
    };
    let jobs = first_jobs(&team, new.due_at, true, now);
    match svc.store.create_task_planned(&new, now, &jobs).await {
        Ok(next) => {
            svc.jobs_changed();
            Ok(Some(next))
        }
        Err(err) if err.is_unique_violation() => Ok(None),
        Err(err) => Err(err),
    }
}

impl Service {
    /// Creates a task from a parsed `/task` (idempotent per source message) with its pings.
    pub async fn create_task(
        &self,
        team: &Team,
        draft: TaskDraft,
        owner: OwnerRef,
        creator_id: UserId,
        source_message: Option<i64>,
    ) -> Result<TaskCreated, TaskError> {
        let store = &self.store;
        let (owner_id, owner_username) = match owner {
            OwnerRef::Id(id) => (Some(id), None),
            OwnerRef::Username(username) => match store.user_by_username(&username).await? {
                Some(user) => (Some(user.user_id), None),
                None => (None, Some(username)),
            },
        };
        let mut draft = draft;
        if let Some(channel) = &draft.channel {
            // `#taobao` for a channel named 淘宝: the task carries the channel's own name.
            match self.find_channel(team.chat_id, channel).await? {
                Ok(c) => draft.channel = Some(c.name),
                Err(known) => {
                    return Err(TaskError::UnknownChannel {
                        input: channel.clone(),
                        known,
                    });
                }
            }
        }
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
        let now = self.now();
        let new = NewTask {
            chat_id: team.chat_id,
            title: draft.title,
            done_when: draft.done_when,
            owner_id,
            owner_username,
            creator_id,
            channel: draft.channel,
            due_at: draft.due_at,
            recur: draft.recur,
            series_id: None,
            source_message,
        };
        let jobs = first_jobs(team, new.due_at, new.recur.is_some(), now);
        let task = store.create_task_planned(&new, now, &jobs).await?;
        self.jobs_changed();
        let owner = owner_of(self, &task).await?;
        Ok(TaskCreated {
            task,
            owner,
            nearby,
        })
    }

    /// Applies a change and keeps the schedule in step, in one transaction: done and cancelled
    /// tasks lose their pending jobs, a new deadline gets a new ping plan, a finished recurring
    /// task opens its next occurrence.
    pub async fn change_task(
        &self,
        task: &Task,
        change: TaskChange,
        actor: Option<UserId>,
    ) -> Result<Changed, StoreError> {
        let now = self.now();
        let team = self.store.team(task.chat_id).await?;
        let mut drop: &[JobKind] = &[];
        let mut plan = Vec::new();
        let mut next = None;
        match (&change, &team) {
            (TaskChange::Done { .. }, _) => {
                drop = &[JobKind::TaskPing, JobKind::TaskRecur];
                next = team.as_ref().and_then(|team| {
                    let new = next_occurrence(task, team, now)?;
                    let jobs = first_jobs(team, new.due_at, true, now);
                    Some((new, jobs))
                });
            }
            (TaskChange::Cancel, _) => drop = &[JobKind::TaskPing, JobKind::TaskRecur],
            (TaskChange::Due { due_at }, Some(team)) => {
                drop = if task.recur.is_some() {
                    &[JobKind::TaskPing, JobKind::TaskRecur]
                } else {
                    &[JobKind::TaskPing]
                };
                plan = first_jobs(team, *due_at, task.recur.is_some(), now);
            }
            _ => {}
        }
        let write = TaskWrite {
            change: Some(&change),
            actor_id: actor,
            drop,
            plan: &plan,
            next: next.as_ref().map(|(new, jobs)| (new, jobs.as_slice())),
        };
        let (task, next) = self.store.write_task(task.id, &write, now).await?;
        if !plan.is_empty() || next.is_some() {
            self.jobs_changed();
        }
        Ok(Changed { task, next })
    }

    /// The deadline "+1 day" on a ping moves to: a day after the deadline, or after now when
    /// the deadline has passed.
    pub fn snoozed_due(&self, task: &Task) -> i64 {
        task.due_at.max(self.now()) + DAY
    }

    /// A team's task by its number.
    pub async fn find_task(
        &self,
        chat_id: ChatId,
        number: i64,
    ) -> Result<Option<Task>, StoreError> {
        self.store.task(chat_id, number).await
    }

    /// The task a ping button is about, if it belongs to the chat the button is in (no acting
    /// across teams), with its team.
    pub async fn task_in_chat(
        &self,
        task_id: i64,
        chat_id: ChatId,
    ) -> Result<Option<(Task, Team)>, StoreError> {
        let task = self
            .store
            .task_by_id(task_id)
            .await?
            .filter(|t| t.chat_id == chat_id);
        let team = self.store.team(chat_id).await?;
        Ok(task.zip(team))
    }

    /// A seen user's id by `@username`.
    pub async fn user_id_by_username(&self, username: &str) -> Result<Option<UserId>, StoreError> {
        Ok(self
            .store
            .user_by_username(username)
            .await?
            .map(|u| u.user_id))
    }

    /// `/task <n>`.
    pub async fn task_detail(
        &self,
        chat_id: ChatId,
        number: i64,
    ) -> Result<Option<TaskDetail>, StoreError> {
        let Some(task) = self.store.task(chat_id, number).await? else {
            return Ok(None);
        };
        let mut history = Vec::new();
        for event in self.store.task_events(task.id).await? {
            let who = person(&self.store, event.actor_id, None).await?;
            let detail = match (event.kind, event.detail) {
                (TaskEventKind::Due, Some(at)) => EventDetail::Due(at.parse().ok()),
                (TaskEventKind::Reassigned, Some(id)) => EventDetail::Owner(
                    person(&self.store, id.parse().ok().map(UserId), None).await?,
                ),
                (_, Some(text)) => EventDetail::Text(text),
                (_, None) => EventDetail::None,
            };
            history.push(HistoryEntry {
                at: event.at,
                who,
                kind: event.kind,
                detail,
            });
        }
        Ok(Some(TaskDetail {
            owner: owner_of(self, &task).await?,
            creator: person(&self.store, Some(task.creator_id), None).await?,
            task,
            history,
        }))
    }

    /// `/tasks [filter]` in a team; `user_id` is who asked (for `mine`).
    pub async fn task_list(
        &self,
        team: &Team,
        filter: &TaskFilter,
        user_id: Option<UserId>,
    ) -> Result<TaskList, StoreError> {
        let store = &self.store;
        let now = self.now();
        let mut list = match filter {
            TaskFilter::All => {
                let mut closed = store.tasks_since(team.chat_id, now - 7 * DAY).await?;
                closed.retain(|t| !t.is_open());
                closed.extend(store.open_tasks(team.chat_id).await?);
                closed
            }
            _ => store.open_tasks(team.chat_id).await?,
        };
        let owner_filter = match filter {
            TaskFilter::Mine => Some(user_id),
            TaskFilter::Owner(name) => Some(self.user_id_by_username(name).await?),
            _ => None,
        };
        list.retain(|t| match filter {
            TaskFilter::Overdue => t.due_at < now,
            TaskFilter::Blocked => t.status == TaskStatus::Blocked,
            TaskFilter::Owner(name) => match owner_filter.flatten() {
                Some(id) => t.owner_id == Some(id),
                None => t
                    .owner_username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(name)),
            },
            TaskFilter::Mine => {
                owner_filter.flatten().is_some() && t.owner_id == owner_filter.flatten()
            }
            TaskFilter::Open | TaskFilter::All => true,
        });
        self.group_by_owner(list).await
    }

    /// `/mytasks` in a group: only that group's tasks (nothing of one team shows in another).
    pub async fn my_tasks_in(&self, team: &Team, user_id: UserId) -> Result<TaskList, StoreError> {
        let list: Vec<Task> = self
            .store
            .open_tasks(team.chat_id)
            .await?
            .into_iter()
            .filter(|t| t.owner_id == Some(user_id))
            .collect();
        self.group_by_owner(list).await
    }

    /// `/mytasks` in private: the user's open tasks in each active team they are in.
    pub async fn my_tasks_everywhere(&self, user_id: UserId) -> Result<MyTasks, StoreError> {
        let list = self.store.open_tasks_of_user(user_id).await?;
        let mut out = MyTasks {
            total: list.len(),
            teams: Vec::new(),
        };
        if list.is_empty() {
            return Ok(out);
        }
        for team in self.store.teams_of_user(user_id).await? {
            let mine: Vec<Task> = list
                .iter()
                .filter(|t| t.chat_id == team.chat_id)
                .cloned()
                .collect();
            if !mine.is_empty() {
                out.teams.push((team, mine));
            }
        }
        Ok(out)
    }

    /// Each owner's name is looked up once.
    async fn group_by_owner(&self, mut list: Vec<Task>) -> Result<TaskList, StoreError> {
        list.sort_by_key(|t| (t.owner_id, t.owner_username.clone(), t.due_at, t.number));
        let mut names: HashMap<(Option<UserId>, Option<String>), Person> = HashMap::new();
        let mut groups: Vec<OwnerTasks> = Vec::new();
        for task in list {
            let key = (task.owner_id, task.owner_username.clone());
            let owner = match names.get(&key) {
                Some(owner) => owner.clone(),
                None => {
                    let owner = owner_of(self, &task).await?;
                    names.insert(key, owner.clone());
                    owner
                }
            };
            match groups.last_mut() {
                Some(last) if last.owner == owner => last.tasks.push(task),
                _ => groups.push(OwnerTasks {
                    owner,
                    tasks: vec![task],
                }),
            }
        }
        groups.sort_by_key(|g| g.tasks.iter().map(|t| t.due_at).min());
        Ok(TaskList { groups })
    }

    /// `/quiet`: sets the window and moves every pending job of the team with it, in one
    /// transaction. `(s, s)` turns quiet hours off.
    pub async fn set_quiet_hours(&self, team: &Team, window: (i64, i64)) -> Result<(), StoreError> {
        let tz = team.tz();
        self.store
            .set_quiet_hours(team.chat_id, window, self.now(), |due_at| {
                schedule::after_quiet(due_at, Some(window), tz)
            })
            .await?;
        self.jobs_changed();
        Ok(())
    }

    /// What a claimed ping job should do: send (with what to say) or drop, and why.
    pub async fn ping_due(&self, job: &Job) -> Result<PingDue, StoreError> {
        let store = &self.store;
        let Some(task) = store.task_by_id(job.subject_id).await? else {
            return Ok(PingDue::Dropped("task gone"));
        };
        if !task.is_open() {
            return Ok(PingDue::Dropped("task closed"));
        }
        if task.version != job.version {
            return Ok(PingDue::Dropped("rescheduled"));
        }
        let Some(team) = store.team(task.chat_id).await? else {
            return Ok(PingDue::Dropped("team gone"));
        };
        if !team.is_active() {
            return Ok(PingDue::Dropped("team inactive"));
        }
        let tz = team.tz();
        let now = self.now();
        // After downtime, only the newest passed mark is worth sending; older ones are superseded.
        if let Some(latest) = schedule::latest_passed_mark(task.due_at, now, tz)
            && latest.at > job.due_at
        {
            let mut newer = new_ping_job(&task, &team, &latest);
            newer.fire_at = newer.fire_at.max(now);
            store.plan_job(&newer).await?;
            return Ok(PingDue::Dropped("superseded"));
        }
        let mark = Mark {
            label: job.mark.clone(),
            at: job.due_at,
        };
        let creator = Person {
            user_id: Some(task.creator_id),
            name: store
                .user(task.creator_id)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
        };
        Ok(PingDue::Send(Box::new(PingView {
            owner: owner_of(self, &task).await?,
            creator,
            late: now - job.fire_at > LATE_AFTER_SECS,
            mark,
            lang: self.team_lang(&team),
            team,
            task,
        })))
    }

    /// After a ping went out: plan the one after it.
    pub async fn ping_sent(&self, ping: &PingView, job: &Job) -> Result<(), StoreError> {
        let task = &ping.task;
        if let Some(next) = schedule::next_mark(task.due_at, &job.mark, ping.team.tz()) {
            self.store
                .plan_job(&new_ping_job(task, &ping.team, &next))
                .await?;
        }
        Ok(())
    }

    /// The period of a recurring task ended: open its next occurrence (once).
    pub async fn recurrence_due(&self, job: &Job) -> Result<RecurDue, StoreError> {
        let Some(task) = self.store.task_by_id(job.subject_id).await? else {
            return Ok(RecurDue::Dropped("task gone"));
        };
        if task.status == TaskStatus::Cancelled {
            return Ok(RecurDue::Dropped("cancelled"));
        }
        match open_next_occurrence(self, &task).await? {
            Some(_) => Ok(RecurDue::Opened),
            None => Ok(RecurDue::Dropped("next already open")),
        }
    }
}

fn new_ping_job(task: &Task, team: &Team, mark: &Mark) -> NewJob {
    let job = ping_job(team, mark);
    NewJob {
        chat_id: task.chat_id,
        kind: job.kind,
        subject_id: task.id,
        mark: job.mark,
        due_at: job.due_at,
        fire_at: job.fire_at,
        version: task.version,
    }
}
