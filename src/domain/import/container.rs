//! From a file's bytes to rows of cells: what kind of file it is (CSV text in some encoding,
//! an XLSX workbook, a ZIP holding one of those), with the limits that keep a hostile file
//! from costing more than a small one.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use encoding_rs::{Encoding, GB18030, UTF_8};
use serde::{Deserialize, Serialize};

use super::ImportError;
use super::values::Cell;

/// The largest file accepted (what the member posts).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The most a ZIP (or an XLSX, which is one) may unpack to, all entries together.
pub const MAX_UNPACKED_BYTES: u64 = 20 * 1024 * 1024;
/// The most rows a report may have.
pub const MAX_ROWS: usize = 50_000;

/// What the file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Csv(TextEncoding),
    Xlsx,
    /// A ZIP holding one CSV or XLSX.
    ZipCsv(TextEncoding),
    ZipXlsx,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16,
    Gb18030,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Rows of cells, top to bottom.
pub type Table = Vec<Vec<Cell>>;

/// Rows of the file's table (the first sheet with a header, for a workbook: every sheet is
/// returned and the caller picks).
pub fn read_tables(bytes: &[u8]) -> Result<(Format, Vec<Table>), ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooBig { bytes: bytes.len() });
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        let (enc, rows) = read_csv(bytes)?;
        return Ok((Format::Csv(enc), vec![rows]));
    }
    let names = check_zip(bytes)?;
    if names.iter().any(|n| n == "xl/workbook.xml") {
        return Ok((Format::Xlsx, read_xlsx(bytes.to_vec())?));
    }
    // A ZIP of reports: exactly one table file, ignoring folders and macOS metadata.
    let tables: Vec<&String> = names
        .iter()
        .filter(|n| !n.ends_with('/') && !n.starts_with("__MACOSX/"))
        .filter(|n| {
            let l = n.to_lowercase();
            l.ends_with(".csv") || l.ends_with(".xlsx") || l.ends_with(".txt")
        })
        .collect();
    let [name] = tables.as_slice() else {
        return Err(ImportError::ZipContents {
            tables: tables.len(),
        });
    };
    let inner = unzip_one(bytes, name)?;
    if inner.starts_with(ZIP_MAGIC) {
        check_zip(&inner)?;
        return Ok((Format::ZipXlsx, read_xlsx(inner)?));
    }
    let (enc, rows) = read_csv(&inner)?;
    Ok((Format::ZipCsv(enc), vec![rows]))
}

/// Entry names, once the archive is known to unpack within [`MAX_UNPACKED_BYTES`]: the sizes
/// the archive declares are checked first (cheap), then every entry is really inflated into a
/// counting sink, because a declared size can lie.
fn check_zip(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportError::NotATable)?;
    let declared: u64 = (0..archive.len())
        .filter_map(|i| archive.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if declared > MAX_UNPACKED_BYTES {
        return Err(ImportError::ZipBomb);
    }
    let mut names = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| ImportError::NotATable)?;
        names.push(
            entry
                .name()
                .map_err(|_| ImportError::NotATable)?
                .into_owned(),
        );
        let budget = MAX_UNPACKED_BYTES - total;
        let read = std::io::copy(&mut (&mut entry).take(budget + 1), &mut std::io::sink())
            .map_err(|_| ImportError::NotATable)?;
        total += read;
        if total > MAX_UNPACKED_BYTES {
            return Err(ImportError::ZipBomb);
        }
    }
    Ok(names)
}

/// One entry's bytes (the archive was checked, so this is bounded).
fn unzip_one(bytes: &[u8], name: &str) -> Result<Vec<u8>, ImportError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportError::NotATable)?;
    let entry = archive.by_name(name).map_err(|_| ImportError::NotATable)?;
    let mut out = Vec::new();
    entry
        .take(MAX_UNPACKED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|_| ImportError::NotATable)?;
    Ok(out)
}

fn read_xlsx(bytes: Vec<u8>) -> Result<Vec<Table>, ImportError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| ImportError::NotATable)?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        if range.height() > MAX_ROWS + super::header::HEADER_SEARCH_ROWS {
            return Err(ImportError::TooManyRows);
        }
        let rows = range
            .rows()
            .map(|r| r.iter().map(cell_of).collect())
            .collect();
        sheets.push(rows);
    }
    if sheets.is_empty() {
        return Err(ImportError::NotATable);
    }
    Ok(sheets)
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) | Data::DateTimeIso(s) => Cell::Text(s.clone()),
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        other => Cell::Text(other.to_string()),
    }
}

/// Text in UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030 (which covers GBK and
/// GB2312, what Excel on a Chinese Windows saves as "CSV").
pub fn decode(bytes: &[u8]) -> Result<(TextEncoding, String), ImportError> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(ImportError::Encoding);
        }
        let kind = if enc == UTF_8 {
            TextEncoding::Utf8Bom
        } else {
            TextEncoding::Utf16
        };
        return Ok((kind, text.into_owned()));
    }
    if looks_binary(bytes) {
        return Err(ImportError::NotATable);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((TextEncoding::Utf8, text.to_string()));
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ImportError::Encoding);
    }
    Ok((TextEncoding::Gb18030, text.into_owned()))
}

/// Images, PDFs and other binaries: NUL bytes or other control bytes text never has.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let controls = head
        .iter()
        .filter(|b| **b < 0x09 || (0x0e..0x1b).contains(*b) || **b == 0x7f)
        .count();
    head.contains(&0) || controls * 50 > head.len().max(1)
}

/// The separator the text uses: the one that splits the first lines most (`,`, tab or `;`).
fn delimiter(text: &str) -> u8 {
    let sample: Vec<&str> = text.lines().take(25).collect();
    // max_by_key keeps the last of equals: a comma wins a tie (and an empty text).
    [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| {
            sample
                .iter()
                .map(|l| l.bytes().filter(|b| b == d).count())
                .sum::<usize>()
        })
        .unwrap_or(b',')
}

fn read_csv(bytes: &[u8]) -> Result<(TextEncoding, Table), ImportError> {
    let (enc, text) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| ImportError::NotATable)?;
        if rows.len() >= MAX_ROWS + super::header::HEADER_SEARCH_ROWS {
            return Err(ImportError::TooManyRows);
        }
        rows.push(
            record
                .iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok((enc, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let text = "日期,消耗\n2026-11-28,12.5\n";
        assert_eq!(
            decode(text.as_bytes()).expect("utf8"),
            (TextEncoding::Utf8, text.to_string())
        );
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).expect("bom").0, TextEncoding::Utf8Bom);
        let (gbk, _, _) = GB18030.encode(text);
        assert_eq!(
            decode(&gbk).expect("gbk"),
            (TextEncoding::Gb18030, text.to_string())
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(decode(png), Err(ImportError::NotATable));
    }

    #[test]
    fn the_delimiter_is_guessed() {
        assert_eq!(delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(delimiter("a;b;c"), b';');
        assert_eq!(delimiter(""), b',');
    }

    #[test]
    fn too_big_is_refused_before_reading() {
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(
            read_tables(&big).map(|_| ()),
            Err(ImportError::TooBig {
                bytes: MAX_FILE_BYTES + 1
            })
        );
    }
}
