use proptest::prelude::*;

use super::*;
use crate::domain::metrics::parse_checkin_fields;

#[test]
fn forgiving_forms_become_key_value() {
    let cases = [
        ("spend=1000 clicks=5", "spend=1000 clicks=5"),
        ("spend:1000 clicks：5", "spend=1000 clicks=5"),
        (
            "spend 2000 impressions 80000 clicks 1200",
            "spend=2000 impressions=80000 clicks=1200",
        ),
        ("花费1000 点击50", "花费=1000 点击=50"),
        ("花费 1000元 点击 50次", "花费=1000元 点击=50次"),
        ("花费 1000 元，展现 5 万", "花费=1000元 展现=5万"),
        ("花费：１０００，点击：５０", "花费=1000 点击=50"),
        ("花费＝１，２００　点击＝３", "花费=1,200 点击=3"),
        (
            "spend = 10 clicks =5 orders= 1",
            "spend=10 clicks=5 orders=1",
        ),
        ("spend=1,200,clicks=5", "spend=1,200 clicks=5"),
        ("花费¥1000 成交额￥3千", "花费=¥1000 成交额=￥3千"),
        ("日期 昨天 素材 B", "日期=昨天 素材=B"),
        ("线索 30", "线索=30"),
        ("", ""),
    ];
    for (input, want) in cases {
        assert_eq!(normalize(input).as_deref(), Ok(want), "input {input:?}");
    }
}

#[test]
fn a_pasted_spreadsheet_row_lines_up_with_its_header() {
    let cases = [
        (
            "花费\t展现\t点击\t订单\t成交额\n1000\t50000\t1200\t30\t6000",
            "花费=1000 展现=50000 点击=1200 订单=30 成交额=6000",
        ),
        // Derived columns are the bot's job; an empty cell is unknown, not zero.
        (
            "花费\t点击率\t点击\t订单\n1,000\t2.4%\t\t30",
            "花费=1,000 订单=30",
        ),
        // Tabs turned into spaces by the chat client.
        (
            "spend clicks orders\n100 20 3",
            "spend=100 clicks=20 orders=3",
        ),
        // A trailing empty cell the paste trimmed.
        ("花费\t点击\t订单\n100\t20", "花费=100 点击=20"),
        // A cell with a stray comma (a CSV row pasted into a sheet) is its one word: the
        // result reads the same on a second pass (found by the fuzz suite).
        ("花费\t点击\t订单\n,100\t20,\t3", "花费=100 点击=20 订单=3"),
    ];
    for (input, want) in cases {
        assert_eq!(normalize(input).as_deref(), Ok(want), "input {input:?}");
    }
}

#[test]
fn a_paste_is_recognised_as_one_piece() {
    assert!(is_sheet("花费\t展现\t点击\n1000\t5万\t1200"));
    assert!(is_sheet("spend clicks orders\n100 20 3"));
    assert!(!is_sheet("花费 1000 点击 50"));
    assert!(!is_sheet("花费 1000\n点击 50"));
    assert!(!is_sheet("花费\t展现"));
}

#[test]
fn what_is_not_understood_is_named() {
    let cases = [
        (
            "taobao spend=1",
            NormalizeError::NotUnderstood {
                token: "taobao".into(),
            },
        ),
        (
            "花钱 1000",
            NormalizeError::NotUnderstood {
                token: "花钱".into(),
            },
        ),
        (
            "spend clicks 5",
            NormalizeError::NoValue {
                key: "spend".into(),
            },
        ),
        (
            "spend 1000 clicks",
            NormalizeError::NoValue {
                key: "clicks".into(),
            },
        ),
        (
            "creative=Video 1",
            NormalizeError::NotUnderstood { token: "1".into() },
        ),
        (
            "花费\t渠道费\t点击\n1\t2\t3",
            NormalizeError::UnknownColumn {
                key: "渠道费".into(),
            },
        ),
        (
            "spend clicks\n100",
            NormalizeError::NoValue {
                key: "clicks".into(),
            },
        ),
        (
            "spend clicks\n1 2 3",
            NormalizeError::NotUnderstood { token: "3".into() },
        ),
        (
            "spend clicks\n1 2\n3 4",
            NormalizeError::NotUnderstood {
                token: "3 4".into(),
            },
        ),
    ];
    for (input, want) in cases {
        assert_eq!(normalize(input), Err(want), "input {input:?}");
    }
}

#[test]
fn the_parser_reads_the_forgiving_forms() {
    let got = parse_checkin_fields("花费 1000元 曝光：５万，点击1500 订单 45 成交额 ¥9000")
        .expect("parses");
    assert_eq!(got.numbers.spend, Some(100_000));
    assert_eq!(got.numbers.impressions, Some(50_000));
    assert_eq!(got.numbers.clicks, Some(1500));
    assert_eq!(got.numbers.orders, Some(45));
    assert_eq!(got.numbers.gmv, Some(900_000));
    assert_eq!(
        parse_checkin_fields("花钱 1000"),
        Err(CheckinError::NotKeyValue {
            token: "花钱".into()
        })
    );
    assert_eq!(
        parse_checkin_fields("花费\t渠道费\t点击\n1\t2\t3"),
        Err(CheckinError::UnknownKey {
            key: "渠道费".into()
        })
    );
}

fn canonical() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "spend", "花费", "曝光", "clicks", "orders", "gmv", "新客", "互动", "creative", "date",
        "foo",
    ]);
    let value = "[0-9]{1,6}(\\.[0-9]{1,2})?(万|元|k)?";
    prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

proptest! {
    #[test]
    fn normalizing_the_canonical_form_is_identity(s in canonical()) {
        prop_assert_eq!(normalize(&s), Ok(s.clone()));
    }

    #[test]
    fn normalized_text_is_stable(s in "\\PC{0,40}") {
        if let Ok(once) = normalize(&s) {
            prop_assert_eq!(normalize(&once), Ok(once.clone()));
        }
    }

    #[test]
    fn key_space_value_reads_like_key_equals_value(
        pairs in prop::collection::vec(
            (prop::sample::select(vec!["spend", "花费", "点击", "orders"]), 1u32..1_000_000),
            1..5,
        )
    ) {
        let spaced: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let equals: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        prop_assert_eq!(normalize(&spaced.join("，")), Ok(equals.join(" ")));
    }
}
