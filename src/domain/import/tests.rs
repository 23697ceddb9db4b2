use proptest::prelude::*;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

fn v(values: &[(ImportField, i64)]) -> Values {
    let mut out = [None; 7];
    for (f, n) in values {
        out[f.index()] = Some(*n);
    }
    out
}

use ImportField as F;

const QIANCHUAN: &str = "巨量千川 数据报表\n\
导出时间,2026-11-30 10:00\n\
\n\
日期,计划名称,整体消耗(元),整体展示次数,整体点击次数,整体成交订单数,整体成交金额(元),点击率\n\
2026-11-28,计划A,\"1,200.50\",50000,1500,45,\"¥9,000.00\",3.00%\n\
2026-11-28,计划B,300,10000,200,-,-,2.00%\n\
2026/11/29,计划A,１００,1000,10,1,100元,1.00%\n\
合计,,\"1,600.50\",61000,1710,46,9100,2.80%\n\
,备注：数据有延迟,,,,,,\n";

#[test]
fn a_qianchuan_report_is_summed_per_day() {
    let r = parse_report(QIANCHUAN.as_bytes(), "report.csv").expect("report");
    assert_eq!(r.platform, Platform::Qianchuan);
    assert_eq!(r.format, Format::Csv(TextEncoding::Utf8));
    assert_eq!(
        r.fields,
        vec![F::Spend, F::Impressions, F::Clicks, F::Orders, F::Gmv]
    );
    assert_eq!(r.days.len(), 2);
    assert_eq!(r.days[0].day, day("2026-11-28"));
    assert_eq!(r.days[0].rows, 2);
    // Plan B's `-` orders and GMV are unknown: the day's sums are plan A's.
    assert_eq!(
        r.days[0].values,
        v(&[
            (F::Spend, 150_050),
            (F::Impressions, 60_000),
            (F::Clicks, 1_700),
            (F::Orders, 45),
            (F::Gmv, 900_000),
        ])
    );
    assert_eq!(r.days[1].get(F::Spend), Some(10_000));
    assert_eq!(r.days[1].get(F::Gmv), Some(10_000));
    assert_eq!(
        r.ignored,
        Ignored {
            totals: 1,
            no_date: 1,
            bad_values: 0,
            no_numbers: 0
        }
    );
    assert_eq!(r.range(), Some((day("2026-11-28"), day("2026-11-29"))));
    assert_eq!(r.totals()[F::Spend.index()], Some(160_050));
    assert_eq!(r.totals()[F::Leads.index()], None);
}

#[test]
fn an_xhs_report_has_leads_and_no_orders() {
    let csv = "日期,消费,展现量,点击量,互动量,私信进线数\n2026-11-28,500,20000,800,120,6\n";
    let r = parse_report(csv.as_bytes(), "").expect("report");
    assert_eq!(r.platform, Platform::Xhs);
    assert_eq!(r.days[0].get(F::Leads), Some(6));
    assert_eq!(r.days[0].get(F::Interactions), Some(120));
    assert_eq!(r.days[0].get(F::Orders), None);
    assert_eq!(r.days[0].get(F::Gmv), None);
}

#[test]
fn unknown_everywhere_stays_unknown_and_bad_rows_are_counted() {
    let csv = "date,spend,orders\n2026-11-28,-,-\n2026-11-28,abc,1\n2026-11-29,5,-\n";
    let r = parse_report(csv.as_bytes(), "").expect("report");
    assert_eq!(r.days.len(), 1);
    assert_eq!(r.days[0].get(F::Orders), None);
    assert_eq!(r.ignored.no_numbers, 1);
    assert_eq!(r.ignored.bad_values, 1);
}

#[test]
fn each_refusal_has_its_reason() {
    let cases: &[(&[u8], ImportError)] = &[
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", ImportError::NotATable),
        (b"name,age\nbob,3\n", ImportError::NotATable),
        ("计划,消耗\nA,1\n".as_bytes(), ImportError::NoDateColumn),
        (
            "日期,展现量,点击量\n2026-11-28,1,1\n".as_bytes(),
            ImportError::NoSpendColumn,
        ),
        (b"date,spend\n", ImportError::NoRows),
        (b"date,spend\nnote,1\n", ImportError::NoRows),
        (b"\xff\xfe\xfd\x81\x30", ImportError::Encoding),
        (b"", ImportError::NotATable),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            parse_report(bytes, "").map(|r| r.days.len()),
            Err(want.clone()),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn too_many_rows_are_refused() {
    let mut csv = String::from("date,spend\n");
    for _ in 0..=MAX_ROWS {
        csv.push_str("2026-11-28,1\n");
    }
    assert_eq!(
        parse_report(csv.as_bytes(), "").map(|_| ()),
        Err(ImportError::TooManyRows)
    );
}

#[test]
fn the_channel_comes_from_the_platform_when_one_fits() {
    let team = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases = [
        (
            Platform::Qianchuan,
            team(&["douyin", "xhs"]),
            ChannelGuess::One("douyin".into()),
        ),
        (
            Platform::Alimama,
            team(&["tmall", "jd"]),
            ChannelGuess::One("tmall".into()),
        ),
        (
            Platform::Alimama,
            team(&["taobao", "tmall"]),
            ChannelGuess::Ask,
        ),
        (Platform::Jd, team(&["xhs"]), ChannelGuess::Ask),
        (
            Platform::Xhs,
            team(&["xhs"]),
            ChannelGuess::One("xhs".into()),
        ),
        (Platform::Generic, team(&["xhs"]), ChannelGuess::Ask),
    ];
    for (p, channels, want) in cases {
        assert_eq!(guess_channel(p, &channels), want, "{p:?} {channels:?}");
    }
}

fn opt_values() -> impl Strategy<Value = Values> {
    prop::array::uniform7(prop::option::of(0i64..1_000_000))
}

proptest! {
    /// A field is unknown for the day exactly when every row left it unknown, and otherwise the
    /// sum of what was reported: never a 0 nobody wrote.
    #[test]
    fn sums_never_invent_numbers(rows in prop::collection::vec(opt_values(), 1..20)) {
        let sum = rows.iter().fold([None; 7], |acc, r| add_values(&acc, r));
        for i in 0..7 {
            let known: Vec<i64> = rows.iter().filter_map(|r| r[i]).collect();
            if known.is_empty() {
                prop_assert_eq!(sum[i], None);
            } else {
                prop_assert_eq!(sum[i], Some(known.iter().sum::<i64>()));
            }
        }
    }

    /// The order of a report's rows does not matter.
    #[test]
    fn row_order_does_not_matter(
        rows in prop::collection::vec((0u32..5, 0i64..100_000, prop::option::of(0i64..1000)), 1..30),
        seed in any::<u64>(),
    ) {
        let line = |(d, s, o): &(u32, i64, Option<i64>)| {
            let o = o.map_or("-".to_string(), |o| o.to_string());
            format!("2026-11-{:02},{}.{:02},{}\n", d + 1, s / 100, s % 100, o)
        };
        let mut a = String::from("date,spend,orders\n");
        rows.iter().for_each(|r| a.push_str(&line(r)));
        let mut shuffled = rows.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed as usize).wrapping_mul(i + 7) % n;
            shuffled.swap(i, j);
        }
        let mut b = String::from("date,spend,orders\n");
        shuffled.iter().for_each(|r| b.push_str(&line(r)));
        let (ra, rb) = (parse_report(a.as_bytes(), ""), parse_report(b.as_bytes(), ""));
        prop_assert_eq!(ra.map(|r| r.days), rb.map(|r| r.days));
    }

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_report(&bytes, "x.csv");
    }
}
