//! The demo's campaign: who, which channels, and 28 days of numbers that look lived in — a
//! weekday/weekend rhythm, ±10% noise from a seeded generator (the same every run), and the
//! planted stories the weekly review should find:
//! - the first core channel's CVR drops in the last week (4.0% → 1.2%);
//! - the test channel's ROI beats a core channel's in weeks 3 and 4 (its AOV more than doubles);
//! - carol carries far more open tasks than anyone;
//! - the reserve channel stops checking in three days before the review (a gap).

use crate::domain::lang::Lang;

/// Days of numbers, ending on the review day.
pub const DAYS: i64 = 28;
/// The reserve channel's last `GAP_DAYS` days are missing.
pub const GAP_DAYS: i64 = 3;
const SEED: u64 = 0x5EED_2026_1127;

/// One channel's everyday pattern (money in minor units, per weekday).
pub struct Pattern {
    pub spend: i64,
    pub impressions: i64,
    pub clicks: i64,
    /// Orders per 10,000 clicks: before and in the change.
    pub cvr_bp: (i64, i64),
    /// Average order value: before and in the change.
    pub aov: (i64, i64),
    /// The first day (0-based) of the change.
    pub change_from: i64,
    /// Weekend traffic in percent of a weekday's.
    pub weekend_pct: i64,
}

/// taobao/淘宝 core, douyin/抖音 core, xhs/小红书 test, wechat/私域 reserve, in that order.
pub const PATTERNS: [Pattern; 4] = [
    Pattern {
        spend: 110_000,
        impressions: 60_000,
        clicks: 1_500,
        cvr_bp: (400, 120),
        aov: (15_000, 15_000),
        change_from: 21,
        weekend_pct: 130,
    },
    Pattern {
        spend: 85_000,
        impressions: 80_000,
        clicks: 1_700,
        cvr_bp: (320, 320),
        aov: (6_500, 6_500),
        change_from: DAYS,
        weekend_pct: 140,
    },
    Pattern {
        spend: 48_000,
        impressions: 30_000,
        clicks: 900,
        cvr_bp: (350, 350),
        aov: (4_000, 8_500),
        change_from: 14,
        weekend_pct: 120,
    },
    Pattern {
        spend: 52_000,
        impressions: 10_000,
        clicks: 300,
        cvr_bp: (350, 350),
        aov: (25_000, 25_000),
        change_from: DAYS,
        weekend_pct: 80,
    },
];

/// The channel names in the team's language (the Chinese team names them as it speaks).
pub fn channel_names(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::Zh => ["淘宝", "抖音", "小红书", "私域"],
        Lang::En => ["taobao", "douyin", "xhs", "wechat"],
    }
}

/// One day's numbers: spend, impressions, clicks, orders, gmv.
pub type Day = (i64, i64, i64, i64, i64);

/// Every channel's days (`None` for a day without numbers), from one seeded generator.
pub fn numbers(weekend: impl Fn(i64) -> bool) -> Vec<Vec<Option<Day>>> {
    let mut rng = SplitMix64(SEED);
    PATTERNS
        .iter()
        .enumerate()
        .map(|(c, p)| {
            (0..DAYS)
                .map(|i| {
                    let day = one_day(p, i, weekend(i), &mut rng);
                    // The reserve channel's owner stopped checking in.
                    let missing = c == 3 && i >= DAYS - GAP_DAYS;
                    (!missing).then_some(day)
                })
                .collect()
        })
        .collect()
}

fn one_day(p: &Pattern, i: i64, weekend: bool, rng: &mut SplitMix64) -> Day {
    let rhythm = if weekend { p.weekend_pct } else { 100 };
    let mut noisy = |v: i64| rng.noise(v * rhythm / 100);
    let spend = noisy(p.spend);
    let impressions = noisy(p.impressions);
    let clicks = noisy(p.clicks).min(impressions);
    let (cvr, aov) = if i >= p.change_from {
        (p.cvr_bp.1, p.aov.1)
    } else {
        (p.cvr_bp.0, p.aov.0)
    };
    let orders = rng.noise(clicks * cvr / 10_000).min(clicks);
    let gmv = orders * rng.noise(aov);
    (spend, impressions, clicks, orders, gmv)
}

/// SplitMix64: a few lines, no dependency, and the same sequence on every platform and
/// version, so the demo (and its test) never changes by itself.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `v` times a factor in 0.90..=1.10.
    fn noise(&mut self, v: i64) -> i64 {
        let permille = 900 + (self.next() % 201) as i64;
        v * permille / 1000
    }
}

/// The commands that set the team up, in the team's language.
pub fn setup(lang: Lang) -> Vec<String> {
    let [a, b, c, d] = channel_names(lang);
    let (hello, goals, tasks): (&[&str], &[&str], &[&str]) = match lang {
        Lang::En => (
            &[
                "hi, I run taobao",
                "hi, douyin here",
                "xhs here",
                "wechat here",
            ],
            &[
                "/goal gmv 50万 month",
                "/goal cvr >= 3%",
                "/goal ctr >= 2%",
                "/goal roi >= 3",
            ],
            &[
                "/task @bob Taobao daily numbers due today 23:00 every day #{a}",
                "/task @dave Publish 3 xhs notes due sun 18:00 every week #{c}",
                "/task @erin WeChat community post due tomorrow 12:00 every weekday #{d}",
                "/task @carol Douyin live-stream script due tomorrow 18:00 #{b}",
                "/task @carol Douyin creative batch B due tomorrow 20:00 #{b}",
                "/task @carol Influencer shortlist due sat 18:00 #{b}",
                "/task @carol Double-12 price plan due sun 18:00",
                "/task @carol Douyin shop page refresh due mon 18:00 #{b}",
                "/task @carol Live-stream host briefing due tue 18:00 #{b}",
                "/task @carol Douyin ad audit due wed 18:00 #{b}",
                "/task @carol Weekly douyin report due fri 12:00 every week #{b}",
            ],
        ),
        Lang::Zh => (
            &[
                "大家好，淘宝我来负责",
                "抖音这边我来",
                "小红书我负责",
                "私域我来",
            ],
            &[
                "/goal 成交额 50万 每月",
                "/goal 转化率 >= 3%",
                "/goal 点击率 >= 2%",
                "/goal 投产比 >= 3",
            ],
            &[
                "/task @bob 淘宝每日数据 截止 今天 23:00 每天 #taobao",
                "/task @dave 发 3 篇小红书笔记 截止 周日 18:00 每周 #{c}",
                "/task @erin 社群每日推送 截止 明天 12:00 工作日 #{d}",
                "/task @carol 抖音直播脚本 截止 明天 18:00 #{b}",
                "/task @carol 抖音素材第二批 截止 明天 20:00 #douyin",
                "/task @carol 达人名单 截止 周六 18:00 #{b}",
                "/task @carol 双12价格方案 截止 周日 18:00",
                "/task @carol 抖音店铺页面更新 截止 周一 18:00 #{b}",
                "/task @carol 主播培训 截止 周二 18:00 #{b}",
                "/task @carol 抖音投放检查 截止 周三 18:00 #{b}",
                "/task @carol 抖音周报 截止 周五 12:00 每周 #{b}",
            ],
        ),
    };
    let mut out = Vec::new();
    for (who, line) in ["bob", "carol", "dave", "erin"].iter().zip(hello) {
        out.push(format!("/as {who}"));
        out.push(line.to_string());
    }
    out.push("/as alice".into());
    out.push("/timezone Asia/Shanghai".into());
    for (name, tier, budget) in [
        (a, "core", "38000"),
        (b, "core", "30000"),
        (c, "test", "15000"),
        (d, "reserve", "15000"),
    ] {
        out.push(format!("/channel add {name} {tier} {budget}"));
    }
    for (name, owner) in [(a, "bob"), (b, "carol"), (c, "dave"), (d, "erin")] {
        out.push(format!("/channel owner {name} @{owner}"));
    }
    out.extend(goals.iter().map(|g| g.to_string()));
    let fill = |t: &str| {
        t.replace("{a}", a)
            .replace("{b}", b)
            .replace("{c}", c)
            .replace("{d}", d)
    };
    out.extend(tasks.iter().map(|t| fill(t)));
    out.push(match lang {
        Lang::En => "/review fri 17:00".into(),
        Lang::Zh => "/review 周五 17:00".into(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_numbers_are_the_same_every_run_and_have_their_planted_shape() {
        let weekend = |i: i64| i % 7 == 1 || i % 7 == 2;
        let a = numbers(weekend);
        assert_eq!(a, numbers(weekend), "seeded: deterministic");
        // Noise: no two weekdays of a channel are identical.
        let taobao: Vec<Day> = a[0].iter().flatten().copied().collect();
        assert!(taobao.windows(2).all(|w| w[0] != w[1]));
        // The gap: the reserve channel's last three days are missing, nobody else's.
        assert_eq!(a[3].iter().rev().take_while(|d| d.is_none()).count(), 3);
        assert!(a[..3].iter().all(|c| c.iter().all(Option::is_some)));
        // The CVR drop: taobao's last week converts at well under half the week before.
        let cvr = |days: &[Option<Day>]| {
            let (o, c) = days
                .iter()
                .flatten()
                .fold((0, 0), |(o, c), d| (o + d.3, c + d.2));
            o * 10_000 / c
        };
        assert!(cvr(&a[0][21..]) * 2 < cvr(&a[0][14..21]));
        // The rhythm: douyin's weekends (+40%) stand out from its weekdays beyond the noise.
        let avg = |want: bool| {
            let days: Vec<i64> = (0..DAYS)
                .filter(|i| weekend(*i) == want)
                .filter_map(|i| a[1][i as usize].map(|d| d.0))
                .collect();
            days.iter().sum::<i64>() / days.len() as i64
        };
        assert!(
            avg(true) > avg(false) * 125 / 100,
            "{} vs {}",
            avg(true),
            avg(false)
        );
    }
}
