//! The CSV documents of `/export`: a UTF-8 BOM, a fixed English header, one row per check-in
//! or task, times as local `YYYY-MM-DD HH:MM` cells, user text guarded against formulas.

use chrono_tz::Tz;

use crate::domain::checkins::{csv_money, csv_text};
use crate::service::checkins::{ExportCheckin, ExportTask};

/// UTF-8 byte-order mark: without it Excel reads UTF-8 CSV as the local code page.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The header of the check-ins CSV.
pub const CHECKINS_CSV_HEADER: [&str; 14] = [
    "date",
    "channel",
    "creative",
    "spend",
    "impressions",
    "clicks",
    "orders",
    "gmv",
    "leads",
    "new_customers",
    "interactions",
    "author",
    "created",
    "updated",
];

/// The header of the tasks CSV.
pub const TASKS_CSV_HEADER: [&str; 14] = [
    "number",
    "title",
    "status",
    "owner",
    "channel",
    "due",
    "recur",
    "slips",
    "blocked_reason",
    "done_when",
    "creator",
    "created",
    "updated",
    "done",
];

fn local_time_cell(epoch: i64, tz: Tz) -> String {
    super::names::sheet_datetime(epoch, tz)
}

/// A CSV document: BOM, header, rows. Writing into memory fails only on a bug in the writer.
fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `checkins.csv`. A number nobody reported is an empty cell, never 0.
pub fn checkins_csv(rows: &[ExportCheckin], tz: Tz) -> Result<Vec<u8>, csv::Error> {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let money = |v: Option<i64>| v.map(csv_money).unwrap_or_default();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|ExportCheckin { checkin: c, author }| {
            vec![
                c.day.clone(),
                c.channel.clone(),
                csv_text(&c.creative),
                money(c.spend),
                opt(c.impressions),
                opt(c.clicks),
                opt(c.orders),
                money(c.gmv),
                opt(c.leads),
                opt(c.new_customers),
                opt(c.interactions),
                csv_text(author),
                local_time_cell(c.created_at, tz),
                local_time_cell(c.updated_at, tz),
            ]
        })
        .collect();
    write_csv(&CHECKINS_CSV_HEADER, &rows)
}

/// `tasks.csv`.
pub fn tasks_csv(rows: &[ExportTask], tz: Tz) -> Result<Vec<u8>, csv::Error> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(
            |ExportTask {
                 task: t,
                 owner,
                 creator,
             }| {
                vec![
                    t.number.to_string(),
                    csv_text(&t.title),
                    t.status.code().to_string(),
                    csv_text(owner),
                    t.channel.clone().unwrap_or_default(),
                    local_time_cell(t.due_at, tz),
                    t.recur.map(|r| r.code().to_string()).unwrap_or_default(),
                    t.slips.to_string(),
                    csv_text(t.blocked_reason.as_deref().unwrap_or("")),
                    csv_text(t.done_when.as_deref().unwrap_or("")),
                    csv_text(creator),
                    local_time_cell(t.created_at, tz),
                    local_time_cell(t.updated_at, tz),
                    t.done_at
                        .map(|d| local_time_cell(d, tz))
                        .unwrap_or_default(),
                ]
            },
        )
        .collect();
    write_csv(&TASKS_CSV_HEADER, &rows)
}
