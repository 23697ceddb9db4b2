//! What an import will do, decided before anything is stored: the command's arguments, what
//! each day changes against the numbers already stored, and the preview's buttons.

use super::{ImportField, Values};
use crate::domain::checkins::channel_key;

/// How long a preview can be confirmed: after that the numbers may have moved on.
pub const PREVIEW_TTL_SECS: i64 = 30 * 60;

/// `/import [channel]`: at most one word, the channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportArgs {
    /// No channel named: proposed from the platform.
    Auto,
    /// A channel as typed, and its key.
    Channel { typed: String, key: String },
    /// More than one word.
    TooMany,
}

pub fn parse_import_args(args: &str) -> ImportArgs {
    let mut words = args.split_whitespace();
    match (words.next(), words.next()) {
        (None, _) => ImportArgs::Auto,
        (Some(w), None) => ImportArgs::Channel {
            typed: w.to_string(),
            key: channel_key(w),
        },
        _ => ImportArgs::TooMany,
    }
}

/// A preview's two buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportAction {
    Confirm,
    Cancel,
}

impl ImportAction {
    /// `i:ok:<id>` / `i:no:<id>`, well under Telegram's 64 bytes.
    pub fn callback_data(self, id: i64) -> String {
        let code = match self {
            ImportAction::Confirm => "ok",
            ImportAction::Cancel => "no",
        };
        format!("i:{code}:{id}")
    }
}

/// Reads data made by [`ImportAction::callback_data`]; anything else is None.
pub fn parse_import_callback(data: &str) -> Option<(ImportAction, i64)> {
    let rest = data.strip_prefix("i:")?;
    let (code, id) = rest.split_once(':')?;
    let action = match code {
        "ok" => ImportAction::Confirm,
        "no" => ImportAction::Cancel,
        _ => return None,
    };
    // Only the form callback_data writes: digits without a leading zero or sign.
    if id.starts_with('0') || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: i64 = id.parse().ok()?;
    (id > 0).then_some((action, id))
}

/// Imported numbers over stored ones: a field the report has replaces the stored one; a field
/// it does not have keeps what was stored, as a check-in naming only some fields does.
pub fn merge(stored: Option<&Values>, imported: &Values) -> Values {
    let mut out = stored.copied().unwrap_or([None; 7]);
    for (o, v) in out.iter_mut().zip(imported) {
        if v.is_some() {
            *o = *v;
        }
    }
    out
}

/// What storing one day does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DayChange {
    /// No numbers for that channel and day yet.
    New,
    /// The very numbers already stored: nothing to write.
    Same,
    /// Replaces these stored fields.
    Replaces(Vec<ImportField>),
}

/// Compares the merged day with what is stored.
pub fn day_change(stored: Option<&Values>, merged: &Values) -> DayChange {
    let Some(stored) = stored else {
        return DayChange::New;
    };
    let changed: Vec<ImportField> = ImportField::ALL
        .into_iter()
        .filter(|f| stored[*f as usize] != merged[*f as usize])
        .collect();
    if changed.is_empty() {
        DayChange::Same
    } else {
        DayChange::Replaces(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ImportField as F;

    #[test]
    fn arguments() {
        assert_eq!(parse_import_args("  "), ImportArgs::Auto);
        assert_eq!(
            parse_import_args("#XHS"),
            ImportArgs::Channel {
                typed: "#XHS".into(),
                key: "xhs".into()
            }
        );
        assert_eq!(parse_import_args("xhs jd"), ImportArgs::TooMany);
    }

    #[test]
    fn callback_data_round_trips_and_forgeries_are_none() {
        for a in [ImportAction::Confirm, ImportAction::Cancel] {
            assert_eq!(parse_import_callback(&a.callback_data(42)), Some((a, 42)));
        }
        for d in [
            "i:ok", "i:yes:1", "t:done:1", "i:ok:-1", "i:ok:0", "i:ok:x", "i:ok:+1", "i:ok:01", "",
        ] {
            assert_eq!(parse_import_callback(d), None, "{d}");
        }
    }

    #[test]
    fn merging_keeps_what_the_report_does_not_have() {
        let stored = [Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(7)];
        let imported = [Some(10), None, Some(30), None, None, Some(6), None];
        let merged = merge(Some(&stored), &imported);
        assert_eq!(
            merged,
            [
                Some(10),
                Some(2),
                Some(30),
                Some(4),
                Some(5),
                Some(6),
                Some(7)
            ]
        );
        assert_eq!(
            day_change(Some(&stored), &merged),
            DayChange::Replaces(vec![F::Spend, F::Clicks, F::Leads])
        );
        assert_eq!(day_change(Some(&merged), &merged), DayChange::Same);
        assert_eq!(day_change(None, &merged), DayChange::New);
        assert_eq!(merge(None, &imported), imported);
    }
}
