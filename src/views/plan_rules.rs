//! The playbook's rules one by one, each with ✅ or ⚠️ and the figure it is judged on — shown
//! by `/plan` and `/budget` also when all is well, so the team sees its 65/15/20 split and not
//! only what is off (issue 16, point 4). The reply after a change keeps the shorter check in
//! `plan::render_check`.

use super::html::Html;
use super::names::tier_name;
use crate::domain::lang::Lang;
use crate::domain::money::{format_bp, format_money};
use crate::domain::plan_args::format_bp_range;
use crate::domain::playbook::{
    ChannelPlan, MAX_CORE_CHANNELS, PlanIssue, Side, Tier, TierTotals, check_plan, share_bp,
};
use crate::tr;

const OK: &str = "✅";
const OFF: &str = "⚠️";

/// How one tier stands against its rule: its share, the rule's range (None for the reserve,
/// which is "the rest") and, when off, which way and by how much.
struct TierMark {
    share: Option<i64>,
    range: Option<(i64, i64)>,
    off: Option<(Side, i64)>,
}

fn tier_mark(tier: Tier, totals: &TierTotals, issues: &[PlanIssue]) -> TierMark {
    let off = issues.iter().find_map(|i| match i {
        PlanIssue::TierShare {
            tier: t,
            side,
            off_by_amount,
            ..
        } if *t == tier => Some((*side, *off_by_amount)),
        _ => None,
    });
    TierMark {
        share: share_bp(totals.get(tier), totals.total),
        range: tier.range_bp(),
        off,
    }
}

fn mark(ok: bool) -> Html {
    Html::markup(if ok { OK } else { OFF })
}

/// ` ✅ playbook 60–70%` after a tier's line in `/budget`.
pub fn budget_tier_rule(lang: Lang, tier: Tier, channels: &[ChannelPlan]) -> Html {
    let totals = TierTotals::of(channels);
    let m = tier_mark(tier, &totals, &check_plan(channels));
    match m.range {
        Some((min, max)) => tr!(
            lang,
            "plan.rules.budget_rule",
            mark = mark(m.off.is_none()),
            range = format_bp_range(min, max)
        ),
        None => tr!(lang, "plan.rules.budget_rest"),
    }
}

/// The rules block of `/plan`: each tier's share, the core count, owners; or the missing budget.
pub fn render_rules(lang: Lang, currency: &str, channels: &[ChannelPlan]) -> Html {
    let issues = check_plan(channels);
    let totals = TierTotals::of(channels);
    let mut lines = vec![tr!(lang, "plan.rules.title")];
    if totals.total <= 0 {
        lines.push(tr!(lang, "plan.rules.no_budget"));
    } else {
        for tier in Tier::ALL {
            lines.push(tier_line(lang, currency, tier, &totals, &issues));
        }
    }
    let core = channels.iter().filter(|c| c.tier == Tier::Core).count();
    lines.push(tr!(
        lang,
        "plan.rules.core_count",
        mark = mark(core <= MAX_CORE_CHANNELS),
        count = core,
        max = MAX_CORE_CHANNELS
    ));
    let no_owner: Vec<&str> = channels
        .iter()
        .filter(|c| !c.has_owner)
        .map(|c| c.name.as_str())
        .collect();
    if !channels.is_empty() {
        lines.push(if no_owner.is_empty() {
            tr!(lang, "plan.rules.owners_ok")
        } else {
            tr!(
                lang,
                "plan.rules.owners_missing",
                channels = no_owner.join(", ")
            )
        });
    }
    Html::lines(lines)
}

fn tier_line(
    lang: Lang,
    currency: &str,
    tier: Tier,
    totals: &TierTotals,
    issues: &[PlanIssue],
) -> Html {
    let m = tier_mark(tier, totals, issues);
    let share = m.share.map(format_bp).unwrap_or_default();
    let Some((min, max)) = m.range else {
        return tr!(
            lang,
            "plan.rules.reserve",
            tier = tier_name(lang, tier),
            share = share
        );
    };
    let mut line = tr!(
        lang,
        "plan.rules.tier",
        mark = mark(m.off.is_none()),
        tier = tier_name(lang, tier),
        share = share,
        range = format_bp_range(min, max)
    );
    if let Some((side, amount)) = m.off {
        let key = match side {
            Side::Above => "plan.rules.move_out",
            Side::Below => "plan.rules.add_in",
        };
        let amount = Html::text(&format_money(amount, currency));
        line.push(&tr!(
            lang,
            key,
            tier = tier_name(lang, tier),
            amount = amount
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str, tier: Tier, budget: i64, has_owner: bool) -> ChannelPlan {
        ChannelPlan {
            name: name.into(),
            tier,
            monthly_budget: budget,
            has_owner,
        }
    }

    #[test]
    fn a_plan_within_the_rules_still_shows_every_share() {
        let channels = [
            plan("淘宝", Tier::Core, 65_000, true),
            plan("小红书", Tier::Test, 15_000, true),
            plan("私域", Tier::Reserve, 20_000, true),
        ];
        let zh = render_rules(Lang::Zh, "¥", &channels);
        for want in [
            "✅ 核心 65.00%",
            "✅ 测试 15.00%",
            "✅ 储备 20.00%",
            "✅ 每个渠道都有负责人",
        ] {
            assert!(zh.as_str().contains(want), "{want}: {zh}");
        }
        assert!(!zh.as_str().contains(OFF), "{zh}");
        let en = render_rules(Lang::En, "¥", &channels);
        assert!(en.as_str().contains("✅ core 65.00%"), "{en}");
    }

    #[test]
    fn a_broken_rule_is_marked_with_the_fix() {
        let channels = [
            plan("淘宝", Tier::Core, 80_000, true),
            plan("小红书", Tier::Test, 15_000, false),
            plan("私域", Tier::Reserve, 5_000, true),
        ];
        let zh = render_rules(Lang::Zh, "¥", &channels);
        assert!(zh.as_str().contains("⚠️ 核心 80.00%"), "{zh}");
        assert!(zh.as_str().contains("✅ 测试 15.00%"), "{zh}");
        assert!(zh.as_str().contains("⚠️ 没有负责人：小红书"), "{zh}");
        assert!(
            zh.as_str().contains("¥100.00"),
            "move 10% of ¥1,000.00: {zh}"
        );
    }

    #[test]
    fn budget_lines_carry_the_rule() {
        let channels = [
            plan("a", Tier::Core, 65, true),
            plan("b", Tier::Test, 30, true),
            plan("c", Tier::Reserve, 5, true),
        ];
        assert_eq!(
            budget_tier_rule(Lang::Zh, Tier::Core, &channels).as_str(),
            " ✅ 打法要求 60–70%"
        );
        assert_eq!(
            budget_tier_rule(Lang::Zh, Tier::Test, &channels).as_str(),
            " ⚠️ 打法要求 10–20%"
        );
        assert_eq!(
            budget_tier_rule(Lang::En, Tier::Reserve, &channels).as_str(),
            " ✅ the rest"
        );
    }
}
