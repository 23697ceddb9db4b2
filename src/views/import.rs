//! `/import`: the preview, the refusals and what a press did.

use chrono::NaiveDate;

use super::html::Html;
use crate::domain::import::plan::DayChange;
use crate::domain::import::{ImportError, ImportField, Platform};
use crate::domain::lang::Lang;
use crate::domain::money::{format_money, format_number};
use crate::service::import::{ImportPreview, ImportRefusal, PressOutcome};
use crate::tr;

fn platform_name(p: Platform, lang: Lang) -> Html {
    tr!(lang, &format!("import.platform.{}", p.code()))
}

fn field_name(f: ImportField, lang: Lang) -> Html {
    tr!(lang, &format!("import.field.{}", f.code()))
}

fn short(d: NaiveDate) -> String {
    d.format("%m-%d").to_string()
}

/// `11-28, 11-29, …`: days as a short list (the first ten, then a count).
fn day_list(days: &[NaiveDate]) -> String {
    let mut out: Vec<String> = days.iter().take(10).map(|d| short(*d)).collect();
    if days.len() > 10 {
        out.push(format!("+{}", days.len() - 10));
    }
    out.join(", ")
}

fn value(f: ImportField, v: i64, currency: &str) -> String {
    if f.is_money() {
        format_money(v, currency)
    } else {
        format_number(v)
    }
}

/// Usage, with the supported formats.
pub fn render_import_usage(lang: Lang) -> Html {
    let formats = tr!(lang, "import.formats");
    tr!(lang, "import.usage", formats = formats)
}

pub fn render_download_failed(lang: Lang) -> Html {
    tr!(lang, "import.download_failed")
}

/// A refusal: what was missing or wrong, and the formats supported when the file was at fault.
pub fn render_import_refusal(refusal: &ImportRefusal, file: &str, lang: Lang) -> Html {
    match refusal {
        ImportRefusal::TooManyArgs => tr!(lang, "import.too_many_args"),
        ImportRefusal::NoChannels => tr!(lang, "import.no_channels"),
        ImportRefusal::UnknownChannel { input, known } => {
            tr!(
                lang,
                "import.unknown_channel",
                input = input,
                known = known.join(", ")
            )
        }
        ImportRefusal::AskChannel { platform, known } => tr!(
            lang,
            "import.ask_channel",
            platform = platform_name(*platform, lang),
            known = known.join(", ")
        ),
        ImportRefusal::Report(e) => render_file_error(e, file, lang),
    }
}

/// Why a file can't be read, then the formats supported.
pub fn render_file_error(e: &ImportError, file: &str, lang: Lang) -> Html {
    let reason = match e {
        ImportError::NotATable => tr!(lang, "import.err.not_a_table", file = file),
        ImportError::NoDateColumn => tr!(lang, "import.err.no_date", file = file),
        ImportError::NoSpendColumn => tr!(lang, "import.err.no_spend", file = file),
        ImportError::Encoding => tr!(lang, "import.err.encoding", file = file),
        ImportError::TooBig { bytes } => {
            let size = format!("{:.1} MB", *bytes as f64 / (1024.0 * 1024.0));
            tr!(lang, "import.err.too_big", file = file, size = size)
        }
        ImportError::TooManyRows => tr!(lang, "import.err.too_many_rows", file = file),
        ImportError::ZipBomb => tr!(lang, "import.err.zip_bomb", file = file),
        ImportError::ZipContents { tables } => {
            tr!(
                lang,
                "import.err.zip_contents",
                file = file,
                count = *tables
            )
        }
        ImportError::NoRows => tr!(lang, "import.err.no_rows", file = file),
    };
    Html::lines([reason, tr!(lang, "import.formats")])
}

/// The preview: platform, days, totals, what each day does, rows ignored.
pub fn render_preview(p: &ImportPreview, lang: Lang, currency: &str) -> Html {
    let r = &p.report;
    let mut lines = vec![tr!(
        lang,
        "import.preview.title",
        channel = p.channel.as_str(),
        file = p.file_name.as_str()
    )];
    if let Some((from, to)) = r.range() {
        lines.push(tr!(
            lang,
            "import.preview.source",
            platform = platform_name(r.platform, lang),
            from = from.to_string(),
            to = to.to_string(),
            days = r.days.len()
        ));
    }
    let totals = r.totals();
    let items: Vec<Html> = r
        .fields
        .iter()
        .map(|f| match totals[*f as usize] {
            Some(v) => tr!(
                lang,
                "import.preview.item",
                name = field_name(*f, lang),
                value = value(*f, v, currency)
            ),
            None => tr!(lang, "import.preview.unknown", name = field_name(*f, lang)),
        })
        .collect();
    lines.push(tr!(
        lang,
        "import.preview.totals",
        items = Html::join(&items, " · ")
    ));
    let pick = |want: fn(&crate::service::import::DayPreview) -> bool| -> Vec<NaiveDate> {
        p.days.iter().filter(|d| want(d)).map(|d| d.day).collect()
    };
    let new = pick(|d| d.writes() && d.change == DayChange::New);
    let replaces = pick(|d| d.writes() && matches!(d.change, DayChange::Replaces(_)));
    let same = pick(|d| d.change == DayChange::Same);
    for (key, days) in [
        ("import.preview.new_days", &new),
        ("import.preview.replaces", &replaces),
        ("import.preview.same", &same),
    ] {
        if !days.is_empty() {
            lines.push(tr!(lang, key, days = day_list(days)));
        }
    }
    let ig = &r.ignored;
    let reasons: Vec<Html> = [
        ("import.preview.ignored_totals", ig.totals),
        ("import.preview.ignored_no_date", ig.no_date),
        ("import.preview.ignored_bad", ig.bad_values),
        ("import.preview.ignored_empty", ig.no_numbers),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(key, n)| tr!(lang, key, n = n))
    .collect();
    if !reasons.is_empty() {
        lines.push(tr!(
            lang,
            "import.preview.ignored",
            items = Html::join(&reasons, ", ")
        ));
    }
    lines.push(match p.id {
        Some(_) => tr!(lang, "import.preview.confirm"),
        None => tr!(lang, "import.preview.nothing_new"),
    });
    Html::lines(lines)
}

/// The preview message after a press (its buttons removed). `who`: the presser, as HTML.
pub fn render_pressed(outcome: &PressOutcome, who: &Html, lang: Lang) -> Option<Html> {
    Some(match outcome {
        PressOutcome::Gone => return None,
        PressOutcome::Expired => tr!(lang, "import.done.expired"),
        PressOutcome::Cancelled => tr!(lang, "import.done.cancelled", who = who.clone()),
        PressOutcome::Stored {
            channel,
            days,
            new,
            from,
            to,
        } => tr!(
            lang,
            "import.done.stored",
            channel = channel.as_str(),
            days = *days,
            from = from.map(short).unwrap_or_default(),
            to = to.map(short).unwrap_or_default(),
            new = *new,
            replaced = days - new,
            who = who.clone()
        ),
    })
}
