//! `/import`: a platform's report read (domain::import), compared with the numbers already
//! stored, kept as a pending preview, and stored in one transaction when confirmed.
//! Returns data; the words are views::import's.

use crate::domain::ids::{ChatId, UserId};
use std::collections::HashMap;

use chrono::NaiveDate;

use super::Service;
use crate::domain::checkins::day_key;
use crate::domain::import::plan::{
    DayChange, ImportAction, ImportArgs, PREVIEW_TTL_SECS, day_change, merge, parse_import_args,
};
use crate::domain::import::{
    ChannelGuess, ImportError, ImportField, Platform, Report, Values, guess_channel, parse_report,
};
use crate::storage::{Checkin, NewCheckin, PendingImport, StoreResult, Team};

/// Why nothing was kept for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportRefusal {
    /// More than one word after `/import`.
    TooManyArgs,
    /// The team has no channels to import into.
    NoChannels,
    /// The channel named is not one of the team's.
    UnknownChannel { input: String, known: Vec<String> },
    /// No channel named, and the platform fits none or several of the team's.
    AskChannel {
        platform: Platform,
        known: Vec<String>,
    },
    /// The file can't be read as a report.
    Report(ImportError),
}

/// One day of a preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayPreview {
    pub day: NaiveDate,
    pub change: DayChange,
}

impl DayPreview {
    /// Whether confirming writes this day.
    pub fn writes(&self) -> bool {
        self.change != DayChange::Same
    }
}

/// What the member sees before pressing ✅ Import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportPreview {
    /// The pending import's id; None when confirming would write nothing (no buttons).
    pub id: Option<i64>,
    pub channel: String,
    pub file_name: String,
    pub report: Report,
    pub days: Vec<DayPreview>,
}

/// What a press on a preview did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PressOutcome {
    /// Already confirmed or cancelled (or never this team's).
    Gone,
    /// Older than 30 minutes: dropped, nothing stored.
    Expired,
    Cancelled,
    /// Stored: `days` written (`new` of them first numbers, the rest replacements).
    Stored {
        channel: String,
        days: usize,
        new: usize,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

/// A stored check-in's numbers as import values (unknown stays None).
fn stored_values(c: &Checkin) -> Values {
    [
        c.spend,
        c.impressions,
        c.clicks,
        c.orders,
        c.gmv,
        c.leads,
        c.interactions,
    ]
}

/// Each day against what is stored: what it changes, and the merged numbers to write.
fn plan(report: &Report, stored: &HashMap<String, Checkin>) -> Vec<(DayPreview, Values)> {
    report
        .days
        .iter()
        .map(|d| {
            let before = stored.get(&day_key(d.day)).map(stored_values);
            let merged = merge(before.as_ref(), &d.values);
            let change = day_change(before.as_ref(), &merged);
            let preview = DayPreview { day: d.day, change };
            (preview, merged)
        })
        .collect()
}

/// [`parse_report`] on Tokio's blocking pool: a large spreadsheet takes a while to read, and one
/// thread answers every chat (main.rs). A parser that panicked read no table.
async fn read_report_aside(bytes: Vec<u8>, file_name: &str) -> Result<Report, ImportError> {
    let file_name = file_name.to_string();
    tokio::task::spawn_blocking(move || parse_report(&bytes, &file_name))
        .await
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, "reading a report failed");
            Err(ImportError::NotATable)
        })
}

impl Service {
    /// Reads a posted file for `/import [channel]` and keeps it for confirmation (unless there
    /// is nothing to write). Nothing is stored in the check-ins.
    pub async fn prepare_import(
        &self,
        team: &Team,
        requester: Option<UserId>,
        args: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> StoreResult<Result<ImportPreview, ImportRefusal>> {
        let named = match parse_import_args(args) {
            ImportArgs::TooMany => return Ok(Err(ImportRefusal::TooManyArgs)),
            ImportArgs::Auto => None,
            ImportArgs::Channel { typed, key } => Some((typed, key)),
        };
        let known = self.channel_names(team.chat_id).await?;
        if known.is_empty() {
            return Ok(Err(ImportRefusal::NoChannels));
        }
        if let Some((typed, key)) = &named
            && !known.contains(key)
        {
            let input = typed.clone();
            return Ok(Err(ImportRefusal::UnknownChannel { input, known }));
        }
        let report = match read_report_aside(bytes, file_name).await {
            Ok(r) => r,
            Err(e) => return Ok(Err(ImportRefusal::Report(e))),
        };
        let channel = match named {
            Some((_, key)) => key,
            None => match guess_channel(report.platform, &known) {
                ChannelGuess::One(c) => c,
                ChannelGuess::Ask => {
                    let platform = report.platform;
                    return Ok(Err(ImportRefusal::AskChannel { platform, known }));
                }
            },
        };
        let stored = self.stored_days(team.chat_id, &channel, &report).await?;
        let days: Vec<DayPreview> = plan(&report, &stored).into_iter().map(|(d, _)| d).collect();
        let mut id = None;
        if days.iter().any(DayPreview::writes) {
            let now = self.now();
            let json = serde_json::to_string(&report).unwrap_or_default();
            let pending = PendingImport {
                id: 0,
                chat_id: team.chat_id,
                requester_id: requester,
                channel: channel.clone(),
                file_name: file_name.to_string(),
                report: json,
                created_at: now,
                expires_at: now + PREVIEW_TTL_SECS,
            };
            id = Some(self.store.put_pending_import(&pending, now).await?);
        }
        Ok(Ok(ImportPreview {
            id,
            channel,
            file_name: file_name.to_string(),
            report,
            days,
        }))
    }

    /// The pending import a button is about, if it is still this team's.
    pub async fn pending_import(
        &self,
        chat_id: ChatId,
        id: i64,
    ) -> StoreResult<Option<PendingImport>> {
        self.store.pending_import(id, chat_id).await
    }

    /// ✅ Import or ✖ Cancel on a preview (the caller checked who pressed).
    pub async fn press_import(
        &self,
        pending: &PendingImport,
        action: ImportAction,
    ) -> StoreResult<PressOutcome> {
        let now = self.now();
        if now > pending.expires_at {
            self.store.drop_pending_import(pending.id).await?;
            return Ok(PressOutcome::Expired);
        }
        if action == ImportAction::Cancel {
            let dropped = self.store.drop_pending_import(pending.id).await?;
            return Ok(if dropped {
                PressOutcome::Cancelled
            } else {
                PressOutcome::Gone
            });
        }
        let Ok(report) = serde_json::from_str::<Report>(&pending.report) else {
            // Written by this program; unreadable only after an incompatible upgrade.
            self.store.drop_pending_import(pending.id).await?;
            return Ok(PressOutcome::Expired);
        };
        let stored = self
            .stored_days(pending.chat_id, &pending.channel, &report)
            .await?;
        // Planned again: numbers checked in since the preview are merged, not overwritten.
        // Each written day carries only the report's own numbers: the upsert keeps every field
        // the report lacks (COALESCE), so a check-in that lands between the read above and the
        // write below is never overwritten with what was read.
        let own: HashMap<NaiveDate, Values> =
            report.days.iter().map(|d| (d.day, d.values)).collect();
        let planned: Vec<(DayPreview, Values, String)> = plan(&report, &stored)
            .into_iter()
            .filter(|(d, _)| d.writes())
            .map(|(d, _)| {
                let key = day_key(d.day);
                let values = own.get(&d.day).copied().unwrap_or_default();
                (d, values, key)
            })
            .collect();
        let rows: Vec<NewCheckin<'_>> = planned
            .iter()
            .map(|(_, v, key)| NewCheckin {
                chat_id: pending.chat_id,
                channel: &pending.channel,
                day: key,
                creative: "",
                spend: v[ImportField::Spend as usize],
                impressions: v[ImportField::Impressions as usize],
                clicks: v[ImportField::Clicks as usize],
                orders: v[ImportField::Orders as usize],
                gmv: v[ImportField::Gmv as usize],
                leads: v[ImportField::Leads as usize],
                new_customers: None,
                interactions: v[ImportField::Interactions as usize],
                author_id: pending.requester_id,
            })
            .collect();
        let Some(_) = self.store.confirm_import(pending.id, &rows, now).await? else {
            return Ok(PressOutcome::Gone);
        };
        Ok(PressOutcome::Stored {
            channel: pending.channel.clone(),
            days: planned.len(),
            new: planned
                .iter()
                .filter(|(d, _, _)| d.change == DayChange::New)
                .count(),
            from: planned.first().map(|(d, _, _)| d.day),
            to: planned.last().map(|(d, _, _)| d.day),
        })
    }

    /// The channel's stored check-ins (no creative) over the report's days, by day key.
    async fn stored_days(
        &self,
        chat_id: ChatId,
        channel: &str,
        report: &Report,
    ) -> StoreResult<HashMap<String, Checkin>> {
        let Some((from, to)) = report.range() else {
            return Ok(HashMap::new());
        };
        let rows = self
            .store
            .checkins_between(chat_id, &day_key(from), &day_key(to))
            .await?;
        Ok(rows
            .into_iter()
            .filter(|c| c.channel == channel && c.creative.is_empty())
            .map(|c| (c.day.clone(), c))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{DayNumbers, Format, Ignored, TextEncoding};

    fn report(values: Values) -> Report {
        Report {
            platform: Platform::Generic,
            format: Format::Csv(TextEncoding::Utf8),
            fields: vec![ImportField::Spend],
            days: vec![DayNumbers {
                day: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
                values,
                rows: 1,
            }],
            ignored: Ignored::default(),
        }
    }

    #[test]
    fn a_day_without_orders_is_stored_with_orders_unknown_not_zero() {
        let r = report([Some(100), Some(10), Some(1), None, None, Some(3), None]);
        let planned = plan(&r, &HashMap::new());
        assert_eq!(planned[0].0.change, DayChange::New);
        assert!(planned[0].0.writes());
        assert_eq!(planned[0].1[ImportField::Orders as usize], None);
        assert_eq!(planned[0].1[ImportField::Gmv as usize], None);
        assert_eq!(planned[0].1[ImportField::Leads as usize], Some(3));
    }
}
