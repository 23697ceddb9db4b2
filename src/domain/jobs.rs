//! The kinds of automatic message the scheduler sends, as stored in the job table.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// A deadline ping for a task (24 h, 1 h, at the deadline, daily while overdue).
    TaskPing,
    /// A recurring task's period ended: open the next occurrence.
    TaskRecur,
    /// The daily "numbers missing" nudge.
    CheckinNudge,
    /// The agenda an hour before the weekly review.
    ReviewAgenda,
    /// The weekly summary at the review time.
    ReviewSummary,
}

impl JobKind {
    pub const ALL: [JobKind; 5] = [
        JobKind::TaskPing,
        JobKind::TaskRecur,
        JobKind::CheckinNudge,
        JobKind::ReviewAgenda,
        JobKind::ReviewSummary,
    ];

    /// Planned at a local time of day (the nudge, the review's agenda and summary), so a zone
    /// change moves it; the others are moments (a deadline) that a zone change keeps.
    pub fn is_wall_clock(self) -> bool {
        match self {
            JobKind::CheckinNudge | JobKind::ReviewAgenda | JobKind::ReviewSummary => true,
            JobKind::TaskPing | JobKind::TaskRecur => false,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            JobKind::TaskPing => "task_ping",
            JobKind::TaskRecur => "task_recur",
            JobKind::CheckinNudge => "checkin_nudge",
            JobKind::ReviewAgenda => "review_agenda",
            JobKind::ReviewSummary => "review_summary",
        }
    }

    pub fn parse(code: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a planned job stands. Stored as its code; the claim query moves pending to claimed,
/// and a claimed job ends sent or dropped (or goes back to pending for a retry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for its `fire_at`.
    Pending,
    /// Taken by a scheduler; its lease runs out after `CLAIM_LEASE_SECS`.
    Claimed,
    /// Delivered.
    Sent,
    /// Not sent, on purpose: stale, superseded, resolved or undeliverable (with why).
    Dropped,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Pending,
        JobState::Claimed,
        JobState::Sent,
        JobState::Dropped,
    ];

    /// The stored code (the SQL in `storage/jobs.rs` names these literally).
    pub fn code(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Claimed => "claimed",
            JobState::Sent => "sent",
            JobState::Dropped => "dropped",
        }
    }

    pub fn parse(code: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A stored job state no version of the program wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job state: {0}")]
pub struct UnknownJobState(pub String);

impl TryFrom<String> for JobState {
    type Error = UnknownJobState;

    fn try_from(code: String) -> Result<JobState, UnknownJobState> {
        JobState::parse(&code).ok_or(UnknownJobState(code))
    }
}

/// A stored code no version of the program wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job kind: {0}")]
pub struct UnknownJobKind(pub String);

impl TryFrom<String> for JobKind {
    type Error = UnknownJobKind;

    fn try_from(code: String) -> Result<JobKind, UnknownJobKind> {
        JobKind::parse(&code).ok_or(UnknownJobKind(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.code()), Some(kind));
            assert_eq!(JobKind::try_from(kind.code().to_string()), Ok(kind));
        }
        assert_eq!(JobKind::parse("Task_Ping"), None);
        assert!(JobKind::try_from("nudge".to_string()).is_err());
    }

    #[test]
    fn states_round_trip_and_are_distinct() {
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.code()), Some(state));
            assert_eq!(JobState::try_from(state.code().to_string()), Ok(state));
        }
        assert_eq!(JobState::parse("Pending"), None);
        assert!(JobState::try_from("done".to_string()).is_err());
    }
}
