//! One flag per cause (issue 15). Flags about the same channel and funnel stage (below goal,
//! off its own norm, down week over week, the GMV drop that stage caused) become one line carrying the evidence;
//! over-pace and projected-over-budget on a channel are one cause (spending too fast); a
//! person's flags are one line; channels without an owner are one plan-level line; too-early
//! notes are one closing line. The merged flags ride in [`Flag::also`]; the most telling one
//! leads and the line takes the highest severity of the group.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::domain::bottleneck::{Flag, FlagKind, Stage, Subject};
use crate::domain::playbook::PlanIssue;

/// What a flag is grouped by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// A channel's funnel stage (below goal, pace, week-over-week drops).
    Funnel(Subject),
    /// A channel spending too fast.
    Spending(Subject),
    /// A person's tasks.
    Person(Subject),
    /// Channels nobody owns.
    NoOwner,
    /// Too early to judge.
    TooEarly,
    /// Anything else stands alone.
    Alone(usize),
}

fn key(i: usize, f: &Flag) -> Key {
    if f.too_early {
        return Key::TooEarly;
    }
    match (&f.kind, &f.subject) {
        (
            FlagKind::FunnelStage
            | FlagKind::BudgetUnderPace
            | FlagKind::WeekDrop { .. }
            | FlagKind::OffNorm { .. },
            Subject::Channel { .. },
        ) => Key::Funnel(f.subject.clone()),
        (
            FlagKind::BudgetOverPace | FlagKind::ProjectedOverBudget,
            Subject::Channel { name, .. },
        ) => Key::Spending(Subject::Channel {
            name: name.clone(),
            stage: None,
        }),
        (_, Subject::Person { .. }) => Key::Person(f.subject.clone()),
        (FlagKind::Plan(PlanIssue::NoOwner { .. }), _) => Key::NoOwner,
        _ => Key::Alone(i),
    }
}

/// Which flag of a group leads: the goal before the week-over-week evidence, the stage's own
/// metric before GMV; for a person, the most urgent.
fn lead_order(k: &Key, f: &Flag) -> (Reverse<u8>, u8, bool) {
    let own_metric_last = match (&f.kind, &f.subject) {
        (FlagKind::WeekDrop { metric, .. }, Subject::Channel { stage, .. }) => {
            stage.map(Stage::metric) != Some(*metric)
        }
        _ => false,
    };
    match k {
        Key::Person(_) | Key::TooEarly => {
            (Reverse(f.severity as u8), f.kind.rank(), own_metric_last)
        }
        _ => (Reverse(0), f.kind.rank(), own_metric_last),
    }
}

/// Merges flags of one cause into one flag each (order not kept: sort afterwards).
pub fn merge(flags: Vec<Flag>) -> Vec<Flag> {
    let mut groups: BTreeMap<Key, Vec<Flag>> = BTreeMap::new();
    for (i, f) in flags.into_iter().enumerate() {
        groups.entry(key(i, &f)).or_default().push(f);
    }
    groups
        .into_iter()
        .filter_map(|(k, mut group)| {
            group.sort_by(|a, b| {
                lead_order(&k, a)
                    .cmp(&lead_order(&k, b))
                    .then_with(|| crate::domain::bottleneck::cmp_flags(a, b))
            });
            let mut rest = group.split_off(1.min(group.len()));
            let mut lead = group.pop()?;
            lead.severity = rest
                .iter()
                .map(|f| f.severity)
                .fold(lead.severity, Ord::max);
            if k == Key::NoOwner && !rest.is_empty() {
                lead.subject = Subject::Team;
            }
            lead.also.append(&mut rest);
            Some(lead)
        })
        .collect()
}
