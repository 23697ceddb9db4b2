//! Line charts rendered to PNG bytes, readable on a phone.
//!
//! [`render_png`] is pure over a [`ChartSpec`]: one line per [`Series`] (distinct colours, with a
//! legend under the plot), an optional horizontal goal line, an optional goal-pace line, dates on
//! the x-axis (`MM-DD`) and y-axis labels formatted per [`YFormat`]. The picture is
//! [`WIDTH`]×[`HEIGHT`] pixels with labels of at least 22 px.
//!
//! Text is drawn with a font embedded in the binary that covers both Latin and CJK (WenQuanYi Micro
//! Hei, Apache-2.0, `assets/fonts/`), registered with plotters' `ab_glyph` support, so Chinese titles
//! and channel names render as Chinese glyphs, and digits as digits, with no font installed on the
//! host. (Droid Sans Fallback alone was tried first: it has no Latin glyphs, so digits came out as
//! boxes.)
//!
//! Values that are NaN or infinite are skipped. A spec with no finite point still renders a valid
//! PNG: the title and "no data yet · 暂无数据".

use crate::views::names::truncate_chars;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1200;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 700;

/// The embedded font: WenQuanYi Micro Hei 0.2.0-beta (Latin + CJK), unmodified from Debian's
/// `fonts-wqy-microhei`. It is a TrueType collection; ab_glyph loads its first face ("WenQuanYi
/// Micro Hei", proportional), the second being the monospaced variant.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");
/// The family name the embedded font is registered under.
const FONT: &str = "campaign-sans";

const TITLE_PX: f64 = 34.0;
const LABEL_PX: f64 = 22.0;
const LEGEND_PX: f64 = 22.0;
const TITLE_AREA: u32 = 64;
const LEGEND_ROW: u32 = 36;
const MAX_LEGEND_ROWS: usize = 3;
const MAX_LABEL_CHARS: usize = 24;
/// Text shown under the title when there is nothing to plot (language-neutral on purpose: the
/// renderer knows no locale).
const NO_DATA: &str = "no data yet · 暂无数据";

/// Line colours (Tableau 10), cycled when there are more series.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
    RGBColor(57, 59, 121),
];
const GOAL_COLOR: RGBColor = RGBColor(214, 39, 40);
const PACE_COLOR: RGBColor = RGBColor(40, 40, 40);
const TEXT_COLOR: RGBColor = RGBColor(30, 30, 30);
const GRID_COLOR: RGBColor = RGBColor(225, 225, 225);

/// One line of the chart: a label for the legend and its daily values.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(NaiveDate, f64)>,
}

/// How y values are shown on the axis. Values are in display units, as
/// `MetricValue::display_f64` gives them: currency units for money, percent for rates
/// (`3.5` = 3.5%), plain numbers for ratios and counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YFormat {
    /// `¥800`, `¥12k`, `¥1.5M`.
    Money { symbol: String },
    /// `3.5%`.
    Percent,
    /// `2.5`.
    Ratio,
    /// `45`, `12k`.
    Count,
}

/// Everything a chart shows. Text is drawn as given (already localised by the caller).
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    pub title: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// A horizontal line at the goal value, with its legend label.
    pub goal_line: Option<(String, f64)>,
    /// The goal pace (e.g. the daily GMV needed to reach the goal), with its legend label.
    pub pace_line: Option<(String, Vec<(NaiveDate, f64)>)>,
    pub y_format: YFormat,
}

/// Why a chart could not be rendered (never expected in practice: the font is embedded).
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(String),
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// Registers the embedded font with plotters once per process.
fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn text_style(px: f64, color: RGBColor) -> TextStyle<'static> {
    (FONT, px).into_font().color(&color)
}

/// A legend entry: the label and how its swatch is drawn.
struct LegendItem {
    label: String,
    color: RGBColor,
    dashed: bool,
}

/// The finite points of a line, sorted by date.
fn clean(points: &[(NaiveDate, f64)]) -> Vec<(NaiveDate, f64)> {
    let mut v: Vec<_> = points
        .iter()
        .copied()
        .filter(|(_, y)| y.is_finite())
        .collect();
    v.sort_by_key(|(d, _)| *d);
    v
}

/// Shortens `s` (with `…`) until it fits `max_px` in `style`.
fn fit_text(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    s: &str,
    style: &TextStyle<'_>,
    max_px: u32,
) -> Result<String, ChartError> {
    let mut n = s.chars().count();
    let mut text = s.to_string();
    while n > 1 && area.estimate_text_size(&text, style).map_err(draw_err)?.0 > max_px {
        n -= 1;
        text = truncate_chars(s, n);
    }
    Ok(text)
}

/// Renders the chart as PNG bytes ([`WIDTH`]×[`HEIGHT`], RGB).
pub fn render_png(spec: &ChartSpec) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, spec)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&buf, WIDTH, HEIGHT)
}

/// [`render_png`] on Tokio's blocking pool: drawing takes milliseconds, and one thread answers
/// every chat (main.rs), so it must not wait for a picture.
pub async fn render_png_aside(spec: ChartSpec) -> Result<Vec<u8>, ChartError> {
    tokio::task::spawn_blocking(move || render_png(&spec))
        .await
        .unwrap_or_else(|err| Err(ChartError::Draw(err.to_string())))
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
    }
    Ok(out)
}

fn draw(root: &DrawingArea<BitMapBackend<'_>, Shift>, spec: &ChartSpec) -> Result<(), ChartError> {
    root.fill(&WHITE).map_err(draw_err)?;

    let series: Vec<(String, Vec<(NaiveDate, f64)>)> = spec
        .series
        .iter()
        .map(|s| (s.label.clone(), clean(&s.points)))
        .collect();
    let pace = spec
        .pace_line
        .as_ref()
        .map(|(label, pts)| (label.clone(), clean(pts)));
    let goal = spec
        .goal_line
        .as_ref()
        .filter(|(_, v)| v.is_finite())
        .cloned();

    let dates = series
        .iter()
        .flat_map(|(_, p)| p.iter())
        .chain(pace.iter().flat_map(|(_, p)| p.iter()))
        .map(|(d, _)| *d);
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return draw_empty(root, &spec.title);
    };

    // Title.
    let (title_area, rest) = root.split_vertically(TITLE_AREA);
    let title_style = text_style(TITLE_PX, TEXT_COLOR);
    let title = fit_text(root, &spec.title, &title_style, WIDTH - 40)?;
    title_area
        .draw_text(
            &title,
            &title_style.pos(Pos::new(HPos::Center, VPos::Center)),
            (WIDTH as i32 / 2, TITLE_AREA as i32 / 2),
        )
        .map_err(draw_err)?;

    // Legend entries, laid out in rows under the plot.
    let mut items: Vec<LegendItem> = series
        .iter()
        .enumerate()
        .map(|(i, (label, _))| LegendItem {
            label: truncate_chars(label, MAX_LABEL_CHARS),
            color: PALETTE[i % PALETTE.len()],
            dashed: false,
        })
        .collect();
    if let Some((label, _)) = &goal {
        items.push(LegendItem {
            label: truncate_chars(label, MAX_LABEL_CHARS),
            color: GOAL_COLOR,
            dashed: true,
        });
    }
    if let Some((label, pts)) = &pace
        && !pts.is_empty()
    {
        items.push(LegendItem {
            label: truncate_chars(label, MAX_LABEL_CHARS),
            color: PACE_COLOR,
            dashed: true,
        });
    }
    let legend_style = text_style(LEGEND_PX, TEXT_COLOR);
    let rows = layout_legend(root, &mut items, &legend_style)?;
    let legend_h = LEGEND_ROW * rows.len() as u32 + 12;
    let rest_h = HEIGHT - TITLE_AREA;
    let (plot_area, legend_area) = rest.split_vertically(rest_h.saturating_sub(legend_h));

    // Axes ranges.
    let span = (last - first).num_days().max(0) as i32;
    let (x0, x1) = if span == 0 { (-1, 1) } else { (0, span) };
    let ys = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(_, y)| *y))
        .chain(pace.iter().flat_map(|(_, p)| p.iter().map(|(_, y)| *y)))
        .chain(goal.iter().map(|(_, v)| *v));
    let (mut lo, mut hi) = ys.fold((0.0f64, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    if spec.y_format == YFormat::Count && hi - lo < 5.0 {
        // Whole-number ticks for small counts.
        hi = lo + 5.0;
    }
    let pad = (hi - lo) * 0.08;
    hi += pad;
    if lo < 0.0 {
        lo -= pad;
    }
    let y_fmt = TickFormat::new(&spec.y_format, lo, hi);
    let day = |d: NaiveDate| (d - first).num_days() as i32;

    let label_style = text_style(LABEL_PX, TEXT_COLOR);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_left(16)
        .margin_right(36)
        .margin_top(8)
        .margin_bottom(4)
        .x_label_area_size(44)
        .y_label_area_size(if spec.y_label.trim().is_empty() {
            110
        } else {
            140
        })
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(7)
        .disable_x_mesh()
        .bold_line_style(GRID_COLOR)
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(120, 120, 120))
        .label_style(label_style.clone())
        .axis_desc_style(label_style)
        .y_desc(spec.y_label.as_str())
        .x_label_formatter(&|x: &i32| {
            let d = if *x >= 0 {
                first.checked_add_days(Days::new(*x as u64))
            } else {
                first.checked_sub_days(Days::new(x.unsigned_abs() as u64))
            };
            d.map(|d| format!("{:02}-{:02}", d.month(), d.day()))
                .unwrap_or_default()
        })
        .y_label_formatter(&|y: &f64| y_fmt.format(*y))
        .draw()
        .map_err(draw_err)?;

    if let Some((_, v)) = &goal {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x0, *v), (x1, *v)],
                14,
                8,
                GOAL_COLOR.stroke_width(3),
            ))
            .map_err(draw_err)?;
    }
    if let Some((_, pts)) = &pace
        && !pts.is_empty()
    {
        let pts: Vec<(i32, f64)> = pts.iter().map(|(d, y)| (day(*d), *y)).collect();
        if pts.len() == 1 {
            chart
                .draw_series(std::iter::once(Circle::new(pts[0], 5, PACE_COLOR.filled())))
                .map_err(draw_err)?;
        } else {
            chart
                .draw_series(DashedLineSeries::new(pts, 6, 6, PACE_COLOR.stroke_width(3)))
                .map_err(draw_err)?;
        }
    }
    for (i, (_, pts)) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let pts: Vec<(i32, f64)> = pts.iter().map(|(d, y)| (day(*d), *y)).collect();
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))
            .map_err(draw_err)?;
        if pts.len() <= 45 {
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 4, color.filled())))
                .map_err(draw_err)?;
        }
    }

    draw_legend(&legend_area, &rows, &legend_style)
}

/// Splits the legend items into rows that fit the width; at most [`MAX_LEGEND_ROWS`] rows, the
/// last ending with "+N" when items do not fit.
fn layout_legend(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    items: &mut Vec<LegendItem>,
    style: &TextStyle<'_>,
) -> Result<Vec<Vec<(LegendItem, u32)>>, ChartError> {
    const SWATCH: u32 = 44;
    const GAP: u32 = 28;
    let max_w = WIDTH - 48;
    let mut rows: Vec<Vec<(LegendItem, u32)>> = Vec::new();
    let mut row: Vec<(LegendItem, u32)> = Vec::new();
    let mut used = 0u32;
    let total = items.len();
    for (taken, item) in items.drain(..).enumerate() {
        let w = SWATCH
            + area
                .estimate_text_size(&item.label, style)
                .map_err(draw_err)?
                .0
            + GAP;
        if used + w > max_w && !row.is_empty() {
            if rows.len() + 1 == MAX_LEGEND_ROWS {
                let more = format!("+{}", total - taken);
                row.push((
                    LegendItem {
                        label: more,
                        color: TEXT_COLOR,
                        dashed: false,
                    },
                    0,
                ));
                rows.push(std::mem::take(&mut row));
                return Ok(rows);
            }
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        row.push((item, w));
        used += w;
    }
    if !row.is_empty() {
        rows.push(row);
    }
    Ok(rows)
}

fn draw_legend(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    rows: &[Vec<(LegendItem, u32)>],
    style: &TextStyle<'_>,
) -> Result<(), ChartError> {
    let left = 40i32;
    for (r, row) in rows.iter().enumerate() {
        let cy = 6 + r as i32 * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        let mut x = left;
        for (item, w) in row {
            if *w == 0 {
                // The "+N more" marker: text only.
                area.draw_text(
                    &item.label,
                    &style.pos(Pos::new(HPos::Left, VPos::Center)),
                    (x, cy),
                )
                .map_err(draw_err)?;
                continue;
            }
            let style_line = item.color.stroke_width(4);
            if item.dashed {
                for k in 0..3 {
                    let sx = x + k * 12;
                    area.draw(&PathElement::new(vec![(sx, cy), (sx + 7, cy)], style_line))
                        .map_err(draw_err)?;
                }
            } else {
                area.draw(&PathElement::new(vec![(x, cy), (x + 32, cy)], style_line))
                    .map_err(draw_err)?;
            }
            area.draw_text(
                &item.label,
                &style.pos(Pos::new(HPos::Left, VPos::Center)),
                (x + 44, cy),
            )
            .map_err(draw_err)?;
            x += *w as i32;
        }
    }
    Ok(())
}

/// The picture for a chart with nothing to plot: the title and a "no data yet" line.
fn draw_empty(root: &DrawingArea<BitMapBackend<'_>, Shift>, title: &str) -> Result<(), ChartError> {
    let title_style = text_style(TITLE_PX, TEXT_COLOR);
    let title = fit_text(root, title, &title_style, WIDTH - 40)?;
    root.draw_text(
        &title,
        &title_style.pos(Pos::new(HPos::Center, VPos::Center)),
        (WIDTH as i32 / 2, TITLE_AREA as i32 / 2),
    )
    .map_err(draw_err)?;
    root.draw_text(
        NO_DATA,
        &text_style(40.0, RGBColor(120, 120, 120)).pos(Pos::new(HPos::Center, VPos::Center)),
        (WIDTH as i32 / 2, HEIGHT as i32 / 2),
    )
    .map_err(draw_err)
}

/// Formats y tick values: a unit (k/M/B for money and counts) chosen from the largest magnitude,
/// and just enough decimals for the tick step.
struct TickFormat {
    kind: YFormat,
    divisor: f64,
    suffix: &'static str,
    decimals: usize,
}

impl TickFormat {
    fn new(kind: &YFormat, lo: f64, hi: f64) -> TickFormat {
        let mag = lo.abs().max(hi.abs());
        let (divisor, suffix) = match kind {
            YFormat::Money { .. } | YFormat::Count if mag >= 1e9 => (1e9, "B"),
            YFormat::Money { .. } | YFormat::Count if mag >= 1e6 => (1e6, "M"),
            YFormat::Money { .. } | YFormat::Count if mag >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        let step = (hi - lo) / 7.0 / divisor;
        let decimals = if step > 0.0 && step.is_finite() {
            (-step.log10()).ceil().clamp(0.0, 4.0) as usize + 1
        } else {
            0
        };
        TickFormat {
            kind: kind.clone(),
            divisor,
            suffix,
            decimals,
        }
    }

    fn format(&self, v: f64) -> String {
        let mut n = format!("{:.*}", self.decimals, v / self.divisor);
        if n.contains('.') {
            while n.ends_with('0') {
                n.pop();
            }
            if n.ends_with('.') {
                n.pop();
            }
        }
        if n == "-0" {
            n = "0".to_string();
        }
        let (sign, digits) = match n.strip_prefix('-') {
            Some(d) => ("-", d.to_string()),
            None => ("", n),
        };
        let suffix = if digits == "0" { "" } else { self.suffix };
        match &self.kind {
            YFormat::Money { symbol } => format!("{sign}{symbol}{digits}{suffix}"),
            YFormat::Percent => format!("{sign}{digits}%"),
            YFormat::Ratio => format!("{sign}{digits}"),
            YFormat::Count => format!("{sign}{digits}{suffix}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels() {
        let money = YFormat::Money {
            symbol: "¥".into()
        };
        let f = TickFormat::new(&money, 0.0, 70_000.0);
        assert_eq!(f.format(10_000.0), "¥10k");
        assert_eq!(f.format(0.0), "¥0");
        assert_eq!(f.format(-0.0), "¥0");
        let f = TickFormat::new(&money, 0.0, 2_500_000.0);
        assert_eq!(f.format(1_500_000.0), "¥1.5M");
        let f = TickFormat::new(&money, -700.0, 700.0);
        assert_eq!(f.format(-200.0), "-¥200");
        let f = TickFormat::new(&YFormat::Percent, 0.0, 3.5);
        assert_eq!(f.format(0.5), "0.5%");
        assert_eq!(f.format(3.0), "3%");
        let f = TickFormat::new(&YFormat::Ratio, 0.0, 7.0);
        assert_eq!(f.format(2.5), "2.5");
        let f = TickFormat::new(&YFormat::Count, 0.0, 70.0);
        assert_eq!(f.format(40.0), "40");
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_chars("abc", 5), "abc");
        assert_eq!(truncate_chars("抖音直播间主推渠道", 5), "抖音直播…");
    }

    #[test]
    fn cleaning_drops_non_finite_and_sorts() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
        let v = clean(&[
            (d(3), 1.0),
            (d(1), f64::NAN),
            (d(2), f64::INFINITY),
            (d(1), 2.0),
        ]);
        assert_eq!(v, vec![(d(1), 2.0), (d(3), 1.0)]);
    }
}
