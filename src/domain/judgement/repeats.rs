//! No repeats (issue 15): what the last summary or agenda showed is remembered per team, one
//! entry per cause. The next one lists a flag whose cause was shown before, on an earlier day,
//! and is not more severe now, below the new ones as "open since <first day>"; the causes shown
//! last time and gone now get one "resolved" line. Pure: the store keeps [`Shown`] rows.

use crate::domain::ids::UserId;
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::bottleneck::{Flag, FlagKind, Severity, Stage, Subject, cmp_flags};
use crate::domain::playbook::PlanIssue;

/// A cause as remembered between summaries: what kind of problem, about what.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cause {
    /// The kind of problem (`funnel`, `spending`, `person`, `no_checkin`, `tier_share:core`…).
    pub code: String,
    /// What it is about (the channel and stage, the person, the team).
    pub subject: Subject,
}

/// A cause shown in a summary or agenda: how severe it was and the day it was first shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub cause: Cause,
    pub severity: Severity,
    pub first_seen: NaiveDate,
}

/// The flags of now against the last summary's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repeats {
    /// New or worse since the last one (and the too-early notes), in [`cmp_flags`] order.
    pub new: Vec<Flag>,
    /// Shown before on an earlier day and not worse: each with the day first shown.
    pub open: Vec<(Flag, NaiveDate)>,
    /// Shown last time and gone now.
    pub resolved: Vec<Cause>,
    /// Every cause flagged now, with its first day (see [`Repeats::remember_shown`]).
    pub remember: Vec<Shown>,
}

impl Repeats {
    /// The flags in the order shown: new judgements, the open ones, then the too-early notes.
    pub fn ordered(&self) -> Vec<(&Flag, Option<NaiveDate>)> {
        let judged = self.new.iter().filter(|f| !f.too_early).map(|f| (f, None));
        let open = self.open.iter().map(|(f, d)| (f, Some(*d)));
        let early = self.new.iter().filter(|f| f.too_early).map(|f| (f, None));
        judged.chain(open).chain(early).collect()
    }

    /// What to remember once a summary or agenda showing the first `limit` flags is sent:
    /// the causes the reader saw, not those cut off below the top (never shown, never "open
    /// since"). Too-early notes are not problems to follow and are not counted.
    pub fn remember_shown(&self, limit: usize) -> Vec<Shown> {
        let mut out: Vec<Shown> = Vec::new();
        let shown = self.ordered().into_iter().filter(|(f, _)| !f.too_early);
        for (f, _) in shown.take(limit) {
            let Some(cause) = cause_of(f) else { continue };
            if out.iter().any(|s| s.cause == cause) {
                continue;
            }
            if let Some(s) = self.remember.iter().find(|s| s.cause == cause) {
                out.push(s.clone());
            }
        }
        out
    }

    /// How many flags there are in all.
    pub fn len(&self) -> usize {
        self.new.len() + self.open.len()
    }

    /// No flags at all (resolved ones aside).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A subject as stored: `channel:xhs:cvr`, `channel:xhs:`, `person:503:wang`, `person::@ann`,
/// `team`.
pub fn subject_key(s: &Subject) -> String {
    match s {
        Subject::Channel { name, stage } => {
            format!("channel:{name}:{}", stage.map_or("", Stage::code))
        }
        Subject::Person { user_id, name } => {
            format!(
                "person:{}:{name}",
                user_id.map_or(String::new(), |id| id.to_string())
            )
        }
        Subject::Team => "team".to_string(),
    }
}

/// Reads [`subject_key`]'s text back; `None` for a key this version does not know.
pub fn parse_subject_key(key: &str) -> Option<Subject> {
    if key == "team" {
        return Some(Subject::Team);
    }
    let (kind, rest) = key.split_once(':')?;
    match kind {
        "channel" => {
            let (name, stage) = rest.rsplit_once(':')?;
            let stage = match stage {
                "" => None,
                code => Some(Stage::parse(code)?),
            };
            Some(Subject::Channel {
                name: name.to_string(),
                stage,
            })
        }
        "person" => {
            let (id, name) = rest.split_once(':')?;
            let user_id = match id {
                "" => None,
                id => Some(UserId(id.parse().ok()?)),
            };
            Some(Subject::Person {
                user_id,
                name: name.to_string(),
            })
        }
        _ => None,
    }
}

/// The cause of a (merged) flag; `None` for a too-early note (not a problem to follow).
pub fn cause_of(f: &Flag) -> Option<Cause> {
    if f.too_early {
        return None;
    }
    let on_channel = matches!(f.subject, Subject::Channel { .. });
    let channel_only = match &f.subject {
        Subject::Channel { name, .. } => Subject::Channel {
            name: name.clone(),
            stage: None,
        },
        other => other.clone(),
    };
    let (code, subject) = match &f.kind {
        _ if matches!(f.subject, Subject::Person { .. }) => {
            ("person".to_string(), f.subject.clone())
        }
        FlagKind::FunnelStage
        | FlagKind::BudgetUnderPace
        | FlagKind::WeekDrop { .. }
        | FlagKind::OffNorm { .. }
            if on_channel =>
        {
            ("funnel".to_string(), f.subject.clone())
        }
        FlagKind::BudgetOverPace | FlagKind::ProjectedOverBudget => {
            ("spending".to_string(), channel_only)
        }
        FlagKind::Plan(PlanIssue::NoOwner { .. }) => ("no_owner".to_string(), Subject::Team),
        FlagKind::Plan(PlanIssue::NoBudget { .. }) => ("no_budget".to_string(), Subject::Team),
        FlagKind::Plan(PlanIssue::TierShare { tier, .. }) => {
            (format!("tier_share:{}", tier.code()), Subject::Team)
        }
        FlagKind::Plan(PlanIssue::TooManyCore { .. }) => {
            ("too_many_core".to_string(), Subject::Team)
        }
        FlagKind::TestBeatsCore { .. } => ("test_beats_core".to_string(), channel_only),
        FlagKind::NoCheckin => ("no_checkin".to_string(), channel_only),
        FlagKind::OrdersStopped => ("orders_stopped".to_string(), channel_only),
        FlagKind::SpendNoImpressions { .. } => ("spend_no_impressions".to_string(), channel_only),
        FlagKind::OddDay { .. } => ("odd_day".to_string(), channel_only),
        // A rule on no channel or person (none today): its kind and subject as they are.
        other => (format!("other:{}", other.rank()), f.subject.clone()),
    };
    Some(Cause { code, subject })
}

/// What makes two causes the same: a person known by user id stays the same person when
/// their display name changes.
fn identity(c: &Cause) -> Cause {
    match &c.subject {
        Subject::Person {
            user_id: Some(id), ..
        } => Cause {
            code: c.code.clone(),
            subject: Subject::Person {
                user_id: Some(*id),
                name: String::new(),
            },
        },
        _ => c.clone(),
    }
}

/// Sorts the flags of now against `last` (the last summary's or agenda's causes) on `today`.
/// A cause in both keeps its first day. It is "open" when that day is before today and it is
/// not more severe than it was; shown again the same day (the agenda, then the summary an hour
/// later) or worse, it is listed with the new ones.
pub fn compare(last: &[Shown], flags: &[Flag], today: NaiveDate) -> Repeats {
    let before: HashMap<Cause, &Shown> = last.iter().map(|s| (identity(&s.cause), s)).collect();
    let mut out = Repeats::default();
    let mut seen: Vec<Cause> = Vec::new();
    let mut sorted = flags.to_vec();
    sorted.sort_by(cmp_flags);
    for f in sorted {
        // Too-early notes, and a second flag of a cause already listed, are not remembered.
        let Some(cause) = cause_of(&f).filter(|c| !seen.contains(c)) else {
            out.new.push(f);
            continue;
        };
        let prev = before.get(&identity(&cause));
        let first_seen = prev.map_or(today, |p| p.first_seen.min(today));
        out.remember.push(Shown {
            cause: cause.clone(),
            severity: f.severity,
            first_seen,
        });
        seen.push(cause);
        match prev {
            Some(p) if p.first_seen < today && f.severity <= p.severity => {
                out.open.push((f, p.first_seen));
            }
            _ => out.new.push(f),
        }
    }
    let seen: Vec<Cause> = seen.iter().map(identity).collect();
    out.resolved = last
        .iter()
        .filter(|s| !seen.contains(&identity(&s.cause)))
        .map(|s| s.cause.clone())
        .collect();
    out.resolved.sort();
    out.resolved.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bottleneck::{Lever, Num};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("date")
    }

    fn flag(kind: FlagKind, subject: Subject, severity: Severity) -> Flag {
        Flag {
            kind,
            subject,
            actual: Some(Num::Count(1)),
            norm: None,
            severity,
            lever: Lever::DetailPage,
            too_early: false,
            tasks: Vec::new(),
            also: Vec::new(),
        }
    }

    fn cvr(channel: &str, severity: Severity) -> Flag {
        let subject = Subject::Channel {
            name: channel.into(),
            stage: Some(Stage::Cvr),
        };
        flag(FlagKind::FunnelStage, subject, severity)
    }

    fn gap(channel: &str, severity: Severity) -> Flag {
        let subject = Subject::Channel {
            name: channel.into(),
            stage: None,
        };
        flag(FlagKind::NoCheckin, subject, severity)
    }

    fn shown(f: &Flag, first_seen: NaiveDate) -> Shown {
        Shown {
            cause: cause_of(f).expect("a cause"),
            severity: f.severity,
            first_seen,
        }
    }

    #[test]
    fn repeats_by_cause_day_and_severity() {
        use Severity::{High, Medium};
        let today = day(12, 1);
        let last_week = day(11, 24);
        // (what was shown, what is flagged now, open since, is new, resolved)
        struct Case {
            name: &'static str,
            last: Vec<Shown>,
            now: Vec<Flag>,
            open: Vec<NaiveDate>,
            new: usize,
            resolved: usize,
        }
        let cases = [
            Case {
                name: "nothing before: all new",
                last: vec![],
                now: vec![cvr("xhs", Medium)],
                open: vec![],
                new: 1,
                resolved: 0,
            },
            Case {
                name: "same cause, same severity: open since its first day",
                last: vec![shown(&cvr("xhs", Medium), last_week)],
                now: vec![cvr("xhs", Medium)],
                open: vec![last_week],
                new: 0,
                resolved: 0,
            },
            Case {
                name: "same cause, less severe: still open",
                last: vec![shown(&cvr("xhs", High), last_week)],
                now: vec![cvr("xhs", Medium)],
                open: vec![last_week],
                new: 0,
                resolved: 0,
            },
            Case {
                name: "same cause, worse: news again",
                last: vec![shown(&cvr("xhs", Medium), last_week)],
                now: vec![cvr("xhs", High)],
                open: vec![],
                new: 1,
                resolved: 0,
            },
            Case {
                name: "another channel's CVR is another cause",
                last: vec![shown(&cvr("taobao", Medium), last_week)],
                now: vec![cvr("xhs", Medium)],
                open: vec![],
                new: 1,
                resolved: 1,
            },
            Case {
                name: "first shown today (the agenda an hour ago): still new",
                last: vec![shown(&cvr("xhs", Medium), today)],
                now: vec![cvr("xhs", Medium)],
                open: vec![],
                new: 1,
                resolved: 0,
            },
            Case {
                name: "gone: one resolved entry each, new ones above",
                last: vec![
                    shown(&cvr("xhs", Medium), last_week),
                    shown(&gap("wechat", High), last_week),
                ],
                now: vec![gap("taobao", Medium)],
                open: vec![],
                new: 1,
                resolved: 2,
            },
        ];
        for c in cases {
            let r = compare(&c.last, &c.now, today);
            let open: Vec<NaiveDate> = r.open.iter().map(|(_, d)| *d).collect();
            assert_eq!(open, c.open, "{}", c.name);
            assert_eq!(r.new.len(), c.new, "{}", c.name);
            assert_eq!(r.resolved.len(), c.resolved, "{}", c.name);
            assert_eq!(r.remember.len(), c.now.len(), "{}", c.name);
        }
    }

    #[test]
    fn the_first_day_is_kept_and_a_retry_shifts_nothing() {
        let f = cvr("xhs", Severity::Medium);
        let first = compare(&[], std::slice::from_ref(&f), day(11, 24));
        assert_eq!(first.remember[0].first_seen, day(11, 24));
        let week = compare(&first.remember, std::slice::from_ref(&f), day(12, 1));
        assert_eq!(week.remember[0].first_seen, day(11, 24));
        // The same summary again (a retried job before it was marked sent) judges the same.
        let again = compare(&first.remember, std::slice::from_ref(&f), day(12, 1));
        assert_eq!(again, week);
        // Worse keeps the day it was first seen (listed as new, remembered as open since 11-24).
        let worse = compare(&week.remember, &[cvr("xhs", Severity::High)], day(12, 8));
        assert_eq!(worse.new.len(), 1);
        assert_eq!(worse.remember[0].first_seen, day(11, 24));
    }

    #[test]
    fn a_person_renamed_is_the_same_person() {
        let person = |name: &str| {
            let subject = Subject::Person {
                user_id: Some(UserId(7)),
                name: name.into(),
            };
            flag(FlagKind::Overdue, subject, Severity::Medium)
        };
        let last = [shown(&person("bob"), day(11, 24))];
        let r = compare(&last, &[person("Bob Li")], day(12, 1));
        assert_eq!(r.open.len(), 1);
        assert!(r.resolved.is_empty());
        assert_eq!(r.remember[0].first_seen, day(11, 24));
    }

    #[test]
    fn only_the_flags_shown_are_remembered() {
        let today = day(12, 1);
        let last = [shown(&gap("wechat", Severity::Medium), day(11, 24))];
        // Six causes: the open one (wechat) goes below the five new ones.
        let mut now: Vec<Flag> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|c| cvr(c, Severity::High))
            .collect();
        now.push(gap("wechat", Severity::Medium));
        let mut early = cvr("f", Severity::Low);
        early.too_early = true;
        now.push(early);
        let r = compare(&last, &now, today);
        assert_eq!(r.remember.len(), 6);
        let kept = r.remember_shown(5);
        assert_eq!(kept.len(), 5);
        assert!(kept.iter().all(|s| s.cause.code == "funnel"), "{kept:?}");
        // Shown in full, wechat keeps its first day.
        let all = r.remember_shown(usize::MAX);
        assert_eq!(all.len(), 6);
        let wechat = all.iter().find(|s| s.cause.code == "no_checkin");
        assert_eq!(wechat.map(|s| s.first_seen), Some(day(11, 24)));
    }

    #[test]
    fn too_early_notes_are_not_remembered() {
        let mut f = cvr("xhs", Severity::Low);
        f.too_early = true;
        let r = compare(&[], &[f], day(12, 1));
        assert!(r.remember.is_empty());
        assert_eq!(r.new.len(), 1);
    }

    #[test]
    fn subject_keys_round_trip() {
        let subjects = [
            Subject::Team,
            Subject::Channel {
                name: "小红书".into(),
                stage: Some(Stage::LeadRate),
            },
            Subject::Channel {
                name: "xhs".into(),
                stage: None,
            },
            Subject::Person {
                user_id: Some(UserId(503)),
                name: "wang: the boss".into(),
            },
            Subject::Person {
                user_id: None,
                name: "@ann".into(),
            },
        ];
        for s in subjects {
            assert_eq!(
                parse_subject_key(&subject_key(&s)),
                Some(s.clone()),
                "{s:?}"
            );
        }
        assert_eq!(parse_subject_key("planet:mars"), None);
        assert_eq!(parse_subject_key("channel:xhs:warp"), None);
        assert_eq!(parse_subject_key("person:x:ann"), None);
    }
}
