//! Judgement a lead trusts (issue 15), on top of the raw rules of [`bottleneck::evaluate`]:
//! data problems first ([`data_checks`]), and they silence the funnel judgements they explain;
//! channels against their own norm ([`baselines`]), goals or not; then one flag per cause
//! ([`merge`]). Week-over-week drops skip festival weeks
//! ([`festivals`]). Pacing's rules are in [`pacing`] (used by the raw rules).
//!
//! What a data problem silences on its channel:
//! - orders stopped: the stages after the click (CVR, AOV, ROI, CAC, below goal or off their
//!   own norm), GMV and CVR drops, a test channel's ROI win;
//! - spend with no impressions: CTR (below goal, off its norm or down) and a GMV drop put on
//!   impressions;
//! - an odd day: every funnel, budget and week-over-week judgement of the channel;
//! - no numbers for days: the spend pace, and "too early" notes (no numbers is the news).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::metrics::{Metric, Numbers};
use crate::domain::bottleneck::{
    self, Flag, FlagKind, Snapshot, Stage, Subject, WINDOW_DAYS, cmp_flags,
};

pub mod baselines;
pub mod data_checks;
pub mod festivals;
pub mod merge;
pub mod pacing;
pub mod repeats;

/// The flags to show: [`bottleneck::evaluate`]'s, data problems added, the judgements they
/// explain dropped, one flag per cause; sorted by [`cmp_flags`] (data problems first).
pub fn judge(s: &Snapshot) -> Vec<Flag> {
    // A day's numbers per channel (several creatives summed; unknown stays unknown).
    let mut days: HashMap<&str, BTreeMap<NaiveDate, Numbers>> = HashMap::new();
    for d in &s.days {
        let day = days
            .entry(d.channel.as_str())
            .or_default()
            .entry(d.day)
            .or_default();
        *day = day.plus(&d.numbers);
    }
    let mut flags = bottleneck::evaluate(s);
    // Festival weeks are not compared week over week (see `festivals`).
    let offset = festivals::comparison_offset(s.today, WINDOW_DAYS, &s.festivals);
    if offset != Some(WINDOW_DAYS) {
        flags.retain(|f| !matches!(f.kind, FlagKind::WeekDrop { .. }));
        if let Some(offset) = offset {
            flags.extend(bottleneck::week_drops_against(s, offset));
        }
    }
    for c in &s.channels {
        flags.extend(data_checks::check(
            s.today,
            c,
            days.get(c.name.as_str()),
            &s.festivals,
        ));
        flags.extend(baselines::check(
            s.today,
            &c.name,
            days.get(c.name.as_str()),
        ));
    }
    let problems: Vec<Flag> = flags
        .iter()
        .filter(|f| f.kind.is_data_problem())
        .cloned()
        .collect();
    flags.retain(|f| !problems.iter().any(|p| silences(p, f)));
    let mut out = merge::merge(flags);
    out.sort_by(cmp_flags);
    out
}

fn channel_of(f: &Flag) -> Option<(&str, Option<Stage>)> {
    match &f.subject {
        Subject::Channel { name, stage } => Some((name, *stage)),
        _ => None,
    }
}

/// Whether the data problem `p` explains the judgement `f` (so `f` is not shown).
pub fn silences(p: &Flag, f: &Flag) -> bool {
    if f.kind.is_data_problem() {
        return false;
    }
    if f.too_early {
        return p.kind == FlagKind::NoCheckin
            && channel_of(p).map(|c| c.0) == channel_of(f).map(|c| c.0);
    }
    let (Some((pc, _)), Some((fc, stage))) = (channel_of(p), channel_of(f)) else {
        return false;
    };
    if pc != fc {
        return false;
    }
    let after_click = matches!(
        stage,
        Some(Stage::Cvr | Stage::Aov | Stage::Roi | Stage::Cac)
    );
    match (&p.kind, &f.kind) {
        (FlagKind::OrdersStopped, FlagKind::FunnelStage) => after_click,
        (FlagKind::OrdersStopped, FlagKind::WeekDrop { metric, .. }) => {
            matches!(metric, Metric::Gmv | Metric::Cvr)
        }
        (FlagKind::OrdersStopped, FlagKind::TestBeatsCore { .. }) => true,
        (FlagKind::OrdersStopped, FlagKind::OffNorm { .. }) => after_click,
        (FlagKind::SpendNoImpressions { .. }, FlagKind::OffNorm { .. }) => {
            stage == Some(Stage::Ctr)
        }
        (FlagKind::SpendNoImpressions { .. }, FlagKind::FunnelStage) => stage == Some(Stage::Ctr),
        (FlagKind::SpendNoImpressions { .. }, FlagKind::WeekDrop { metric, .. }) => {
            *metric == Metric::Ctr || stage == Some(Stage::Pace)
        }
        (FlagKind::OddDay { .. }, kind) => !matches!(kind, FlagKind::Plan(_)),
        (FlagKind::NoCheckin, FlagKind::FunnelStage | FlagKind::BudgetUnderPace) => {
            stage == Some(Stage::Pace)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
