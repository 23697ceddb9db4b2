//! Picture checks for `report::chart`: the PNG decodes, is wide enough for a phone, Chinese text
//! renders as real glyphs (not the font's missing-glyph boxes), edge cases never panic, and a busy
//! chart renders quickly. Samples are written to `target/chart-samples/` for a human to look at.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use campaign_bot::report::chart::{ChartSpec, HEIGHT, Series, WIDTH, YFormat, render_png};
use chrono::NaiveDate;

/// The title band of the chart (the title is centred in the top 64 px).
const TITLE_ROWS: std::ops::Range<usize> = 0..64;

struct Image {
    width: usize,
    height: usize,
    /// RGB, row-major.
    rgb: Vec<u8>,
}

impl Image {
    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Pixels of the given rows that are not white.
    fn ink(&self, rows: std::ops::Range<usize>) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for y in rows {
            for x in 0..self.width {
                if self.pixel(x, y) != [255, 255, 255] {
                    v.push((x, y));
                }
            }
        }
        v
    }

    fn rows(&self, rows: std::ops::Range<usize>) -> &[u8] {
        &self.rgb[rows.start * self.width * 3..rows.end * self.width * 3]
    }
}

fn decode(bytes: &[u8]) -> Image {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let rgb: Vec<u8> = buf
        .chunks(channels)
        .flat_map(|px| match channels {
            1 | 2 => [px[0], px[0], px[0]],
            _ => [px[0], px[1], px[2]],
        })
        .collect();
    Image {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    }
}

fn sample_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/chart-samples");
    std::fs::create_dir_all(&dir).expect("create target/chart-samples");
    dir.join(name)
}

fn save(name: &str, bytes: &[u8]) {
    std::fs::write(sample_path(name), bytes).expect("write sample");
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 4)
        .unwrap()
        .checked_add_days(chrono::Days::new(n))
        .unwrap()
}

fn money() -> YFormat {
    YFormat::Money {
        symbol: "¥".into()
    }
}

/// A daily-GMV chart: `channels` lines over `days` days, a goal line and a pace line.
fn gmv_spec(title: &str, channels: usize, days: u64) -> ChartSpec {
    let names = [
        "抖音直播",
        "小红书",
        "Taobao Live",
        "微信私域",
        "快手",
        "Bilibili",
        "京东",
        "拼多多",
        "Weibo",
        "知乎",
        "美团",
        "得物",
    ];
    let series = (0..channels)
        .map(|c| Series {
            label: names[c % names.len()].to_string(),
            points: (0..days)
                .map(|d| {
                    let base = 2_000.0 + 900.0 * c as f64;
                    let wave = ((d as f64 + c as f64) * 0.7).sin() * 600.0;
                    let trend = d as f64 * 40.0 * ((c % 3) as f64 - 0.5);
                    (day(d), (base + wave + trend).max(0.0))
                })
                .collect(),
        })
        .collect();
    ChartSpec {
        title: title.to_string(),
        y_label: "成交额 GMV (¥)".to_string(),
        series,
        goal_line: Some(("日目标 daily goal".to_string(), 6_000.0)),
        pace_line: Some((
            "目标进度 goal pace".to_string(),
            (0..days)
                .map(|d| (day(d), 4_000.0 + d as f64 * 60.0))
                .collect(),
        )),
        y_format: money(),
    }
}

fn title_only(title: &str) -> ChartSpec {
    let mut spec = gmv_spec(title, 1, 7);
    spec.goal_line = None;
    spec.pace_line = None;
    spec
}

fn render(spec: &ChartSpec) -> Image {
    decode(&render_png(spec).expect("render"))
}

#[test]
fn png_decodes_and_is_phone_readable() {
    let bytes = render_png(&gmv_spec("成交额 · 近30天", 4, 30)).expect("render");
    save("gmv_30d_zh.png", &bytes);
    let img = decode(&bytes);
    assert!(img.width >= 1000, "width {}", img.width);
    assert_eq!((img.width, img.height), (WIDTH as usize, HEIGHT as usize));
    // Under Telegram's photo limits (10 MB; width + height ≤ 10000).
    assert!(bytes.len() < 10 * 1024 * 1024);
    assert!(img.width + img.height <= 10_000);
    // Something was drawn in the plot area: several distinct series colours.
    let colours: std::collections::HashSet<[u8; 3]> = (70..img.height - 80)
        .flat_map(|y| (0..img.width).map(move |x| (x, y)))
        .map(|(x, y)| img.pixel(x, y))
        .collect();
    assert!(
        colours.len() > 20,
        "plot looks empty: {} colours",
        colours.len()
    );
}

/// The font's missing glyph (U+FFFF is a non-character, in no font) is what a "tofu" looks like:
/// either nothing, or a hollow box. A real CJK glyph has ink and differs from it, and different
/// CJK characters differ from each other (tofu boxes would all be the same).
#[test]
fn chinese_glyphs_are_real_not_tofu() {
    let blank = render(&title_only(""));
    let cheng = render(&title_only("成"));
    let missing = render(&title_only("\u{FFFF}"));
    save("glyph_cheng.png", &render_png(&title_only("成")).unwrap());
    save(
        "glyph_missing.png",
        &render_png(&title_only("\u{FFFF}")).unwrap(),
    );

    assert!(
        blank.ink(TITLE_ROWS).is_empty(),
        "an empty title draws nothing"
    );
    let cheng_ink = cheng.ink(TITLE_ROWS);
    assert!(cheng_ink.len() > 60, "成 has ink: {} px", cheng_ink.len());
    assert!(
        cheng.rows(TITLE_ROWS) != missing.rows(TITLE_ROWS),
        "成 ≠ missing glyph"
    );

    // Characterise the missing glyph: nothing, or a box (ink only near its bounding box's edges).
    let missing_ink = missing.ink(TITLE_ROWS);
    if !missing_ink.is_empty() {
        let (x0, x1) = minmax(missing_ink.iter().map(|p| p.0));
        let (y0, y1) = minmax(missing_ink.iter().map(|p| p.1));
        assert!(
            x1 - x0 >= 6 && y1 - y0 >= 6,
            "missing glyph is a box, not a dot"
        );
        let interior = missing_ink
            .iter()
            .filter(|(x, y)| *x > x0 + 3 && *x + 3 < x1 && *y > y0 + 3 && *y + 3 < y1)
            .count();
        assert!(
            interior * 10 < missing_ink.len(),
            "missing glyph should be a hollow box"
        );
        assert!(
            cheng_ink.len() > missing_ink.len(),
            "成 has more strokes than the box"
        );
    }

    // Every character the charts use renders as its own glyph (all pairwise different, none the
    // missing glyph): CJK, and the Latin letters, digits and signs of labels and ticks.
    let chars: Vec<char> = "成交额近天渠道GMVk0123456789¥%·-".chars().collect();
    let renders: Vec<Image> = chars
        .iter()
        .map(|c| render(&title_only(&c.to_string())))
        .collect();
    for i in 0..renders.len() {
        assert!(
            !renders[i].ink(TITLE_ROWS).is_empty(),
            "{} has ink",
            chars[i]
        );
        assert!(
            renders[i].rows(TITLE_ROWS) != missing.rows(TITLE_ROWS),
            "{} is not the missing glyph",
            chars[i]
        );
        for j in i + 1..renders.len() {
            assert!(
                renders[i].rows(TITLE_ROWS) != renders[j].rows(TITLE_ROWS),
                "{} and {} render differently",
                chars[i],
                chars[j]
            );
        }
    }
}

#[test]
fn zh_title_differs_from_missing_glyphs_and_from_empty() {
    let title = "成交额 · 近30天";
    let zh = render(&gmv_spec(title, 3, 30));
    let tofu_title: String = title
        .chars()
        .map(|c| {
            if c.is_ascii() || c == '·' {
                c
            } else {
                '\u{FFFF}'
            }
        })
        .collect();
    let all_missing: String = title.chars().map(|_| '\u{FFFF}').collect();
    let tofu = render(&gmv_spec(&tofu_title, 3, 30));
    let missing = render(&gmv_spec(&all_missing, 3, 30));
    let empty = render(&gmv_spec("", 3, 30));
    save(
        "title_missing_glyphs.png",
        &render_png(&gmv_spec(&tofu_title, 3, 30)).unwrap(),
    );

    let zh_title = zh.rows(TITLE_ROWS);
    assert!(
        zh_title != tofu.rows(TITLE_ROWS),
        "zh title ≠ CJK replaced by missing glyphs"
    );
    assert!(
        zh_title != missing.rows(TITLE_ROWS),
        "zh title ≠ all missing glyphs"
    );
    assert!(zh_title != empty.rows(TITLE_ROWS), "zh title ≠ empty title");
    // The CJK characters add ink on top of what the ASCII/· part alone draws.
    assert!(zh.ink(TITLE_ROWS).len() > tofu.ink(TITLE_ROWS).len() + 200);
    // Below the title the pictures are identical: only the title changed.
    assert!(
        zh.rows(TITLE_ROWS.end..zh.height) == empty.rows(TITLE_ROWS.end..empty.height),
        "only the title band differs"
    );
}

#[test]
fn empty_data_is_a_valid_png_saying_no_data() {
    for (name, spec) in [
        (
            "empty_no_series.png",
            ChartSpec {
                title: "成交额 · 近30天".into(),
                y_label: "GMV".into(),
                series: vec![],
                goal_line: Some(("goal".into(), 1000.0)),
                pace_line: None,
                y_format: money(),
            },
        ),
        (
            "empty_nan_only.png",
            ChartSpec {
                title: "CVR".into(),
                y_label: "%".into(),
                series: vec![Series {
                    label: "x".into(),
                    points: vec![(day(0), f64::NAN), (day(1), f64::INFINITY)],
                }],
                goal_line: Some(("goal".into(), f64::NAN)),
                pace_line: Some(("pace".into(), vec![])),
                y_format: YFormat::Percent,
            },
        ),
    ] {
        let bytes = render_png(&spec).expect("render");
        save(name, &bytes);
        let img = decode(&bytes);
        assert!(img.width >= 1000);
        // The "no data yet" line is drawn in the middle of the picture.
        let mid = img.height / 2;
        assert!(
            !img.ink(mid - 20..mid + 20).is_empty(),
            "{name}: says no data"
        );
    }
}

#[test]
fn odd_data_never_panics() {
    let specs = [
        // One point only, negative values, NaN mixed in, unsorted dates, duplicate dates.
        ChartSpec {
            title: "ROI".into(),
            y_label: String::new(),
            series: vec![Series {
                label: "solo".into(),
                points: vec![(day(3), 2.5)],
            }],
            goal_line: Some(("goal".into(), 3.0)),
            pace_line: Some(("pace".into(), vec![(day(3), 2.0)])),
            y_format: YFormat::Ratio,
        },
        ChartSpec {
            title: "Profit".into(),
            y_label: "¥".into(),
            series: vec![Series {
                label: "mixed".into(),
                points: vec![
                    (day(5), -1200.0),
                    (day(1), f64::NAN),
                    (day(2), 300.0),
                    (day(2), 350.0),
                    (day(0), f64::NEG_INFINITY),
                    (day(9), 0.0),
                ],
            }],
            goal_line: None,
            pace_line: None,
            y_format: money(),
        },
        // All zeros; huge values; tiny percentages; a very long title and labels.
        ChartSpec {
            title: "零".repeat(200),
            y_label: "订单 orders".into(),
            series: vec![Series {
                label: "a very long channel name that will not fit in the legend at all".into(),
                points: (0..10).map(|d| (day(d), 0.0)).collect(),
            }],
            goal_line: None,
            pace_line: None,
            y_format: YFormat::Count,
        },
        ChartSpec {
            title: "big".into(),
            y_label: "GMV".into(),
            series: vec![Series {
                label: "b".into(),
                points: (0..10).map(|d| (day(d), 1e12 * d as f64)).collect(),
            }],
            goal_line: Some(("g".into(), 5e12)),
            pace_line: None,
            y_format: money(),
        },
        ChartSpec {
            title: "CVR".into(),
            y_label: "%".into(),
            series: vec![Series {
                label: "c".into(),
                points: (0..10).map(|d| (day(d), 0.001 * d as f64)).collect(),
            }],
            goal_line: None,
            pace_line: None,
            y_format: YFormat::Percent,
        },
        // A year of data.
        gmv_spec("一年 · 365 days", 3, 365),
    ];
    for (i, spec) in specs.iter().enumerate() {
        let bytes = render_png(spec).unwrap_or_else(|e| panic!("spec {i}: {e}"));
        save(&format!("odd_{i}.png"), &bytes);
        assert!(decode(&bytes).width >= 1000);
    }
}

#[test]
fn many_series_30_days_renders_quickly() {
    let spec = gmv_spec("成交额 · 12 渠道 · 近30天", 12, 30);
    render_png(&spec).expect("warm-up (font registration)");
    let start = Instant::now();
    let bytes = render_png(&spec).expect("render");
    let took = start.elapsed();
    save("gmv_30d_12_channels.png", &bytes);
    assert!(decode(&bytes).width >= 1000);
    // Generous for debug builds on a busy CI machine; release is far faster.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    eprintln!("12 series × 30 days rendered in {took:?}");
}

fn minmax(it: impl Iterator<Item = usize>) -> (usize, usize) {
    it.fold((usize::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)))
}
