//! The report files `/import` is tested with, written by the project (plausible numbers, not
//! copies of real exports), one per platform with the quirks real exports have: title rows
//! above the header, GBK text, a BOM, total rows, `-` cells, ¥/元/thousands separators,
//! several rows per day, Excel serial dates; and bad files. `tests/e2e_import.rs` checks the
//! committed files in `tests/fixtures/import/` match this generator (`UPDATE_FIXTURES=1`
//! rewrites them); `benches/import.rs` builds its 50,000-row export here.
#![allow(dead_code)]

use std::io::{Cursor, Write};

use encoding_rs::GB18030;

pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

/// Every fixture: file name and bytes.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("qianchuan_bom.csv", qianchuan_csv()),
        ("wanxiangtai_gbk.csv", wanxiangtai_gbk()),
        ("jingzhuntong.xlsx", jingzhuntong_xlsx()),
        ("juguang.zip", juguang_zip()),
        ("generic_en.csv", generic_csv()),
        ("chart.png.csv", png_bytes()),
        ("no_spend.csv", no_spend_csv()),
        ("bomb.zip", zip_bomb()),
        ("bad_encoding.csv", bad_encoding()),
    ]
}

/// 巨量千川 daily report by plan: UTF-8 with BOM, two title rows, `消耗(元)` with ¥ and
/// thousands separators, `-` where a plan has no conversions, a 合计 row and a note row.
/// Days 2026-10-27…29; per day: 10-27 ¥1,700.50 / 10-28 ¥900.00 / 10-29 ¥2,345.68.
pub fn qianchuan_csv() -> Vec<u8> {
    let text = "\u{feff}巨量千川 推广数据 - 计划日报\n\
统计时间：2026-10-27 至 2026-10-29\n\
日期,计划ID,计划名称,整体消耗(元),整体展示次数,整体点击次数,点击率,整体成交订单数,整体成交金额(元),整体支付ROI\n\
2026-10-27,1790001,双11预热-直播间,\"¥1,200.50\",\"48,000\",\"1,440\",3.00%,36,\"¥7,200.00\",6.00\n\
2026-10-27,1790002,新品短视频,¥500.00,\"20,000\",400,2.00%,-,-,-\n\
2026-10-28,1790001,双11预热-直播间,¥900.00,\"30,000\",900,3.00%,20,\"¥4,000.00\",4.44\n\
2026-10-29,1790001,双11预热-直播间,\"¥2,000.00\",\"60,000\",\"1,800\",3.00%,50,\"¥10,000.00\",5.00\n\
2026-10-29,1790002,新品短视频,345.678,\"10,000\",200,2.00%,4,800,2.31\n\
合计,,,\"¥4,946.18\",\"168,000\",\"4,740\",2.82%,110,\"¥22,000.00\",4.45\n\
,,注：数据有约 2 小时延迟,,,,,,,\n";
    text.as_bytes().to_vec()
}

/// 阿里妈妈 万相台无界 report by unit, saved from Excel as GBK: a title row, `花费(元)` with
/// 元, full-width digits in one cell, an empty line and a 总计 row.
/// Days 2026-10-26…27: 10-26 ¥800.00, 10-27 ¥1,234.50.
pub fn wanxiangtai_gbk() -> Vec<u8> {
    let text = "万相台无界版-推广单元报表\r\n\
\r\n\
日期,推广单元,花费(元),展现量,点击量,点击率,总成交笔数,总成交金额(元)\r\n\
2026/10/26,宝贝A-货品加速,500.00元,25000,750,3.00%,15,\"3,000.00元\"\r\n\
2026/10/26,宝贝B-拉新快,300.00元,15000,300,2.00%,６,1200.00元\r\n\
2026/10/27,宝贝A-货品加速,\"1,234.50元\",40000,1200,3.00%,30,\"6,000.00元\"\r\n\
\r\n\
总计,,\"2,034.50元\",80000,2250,2.81%,51,\"10,200.00元\"\r\n";
    let (bytes, _, _) = GB18030.encode(text);
    bytes.into_owned()
}

/// 京东 京准通 (快车) as XLSX: a title row, dates as Excel serial numbers (no date style, as
/// some exports have), money as numbers, a 汇总 row. Days 2026-10-28 (serial 46323)…29.
pub fn jingzhuntong_xlsx() -> Vec<u8> {
    use XCell::{N, S};
    let rows: Vec<Vec<XCell>> = vec![
        vec![S("京准通-京东快车 推广计划日报")],
        vec![
            S("日期"),
            S("计划名称"),
            S("总费用"),
            S("展现数"),
            S("点击数"),
            S("总订单行"),
            S("总订单金额"),
        ],
        vec![
            N(46323.0),
            S("家电-搜索"),
            N(650.25),
            N(21000.0),
            N(630.0),
            N(12.0),
            N(5400.0),
        ],
        vec![
            N(46323.0),
            S("家电-推荐"),
            N(149.75),
            N(9000.0),
            N(180.0),
            N(3.0),
            N(900.0),
        ],
        vec![
            N(46324.0),
            S("家电-搜索"),
            N(700.0),
            N(22000.0),
            N(660.0),
            N(14.0),
            N(6300.5),
        ],
        vec![
            S("汇总"),
            S(""),
            N(1500.0),
            N(52000.0),
            N(1470.0),
            N(29.0),
            N(12600.5),
        ],
    ];
    xlsx(&rows)
}

/// 小红书聚光 note report, UTF-8, zipped: spend, impressions, clicks, interactions and leads,
/// no orders or GMV. Days 2026-10-30…31.
pub fn juguang_zip() -> Vec<u8> {
    let csv = "日期,笔记标题,消费,展现量,点击量,点击率,互动量,私信进线数\n\
2026-10-30,秋冬护肤清单,300.00,12000,480,4.00%,96,5\n\
2026-10-30,成分党测评,200.00,8000,240,3.00%,40,-\n\
2026-10-31,秋冬护肤清单,450.00,15000,600,4.00%,150,8\n";
    zip_of(&[("聚光_笔记报表_20261031.csv", csv.as_bytes())])
}

/// Generic English export (a Meta-style report): `Amount spent (CNY)`, dates as 20261030,
/// several ad sets per day, a Total row.
pub fn generic_csv() -> Vec<u8> {
    let text = "Date,Ad set,Amount spent (CNY),Impressions,Clicks,Purchases,Conversion value\n\
20261030,Lookalike 1%,120.00,6000,90,3,450.00\n\
20261030,Retargeting,80.00,2000,60,4,600.00\n\
20261031,Lookalike 1%,150.00,7000,105,2,300.00\n\
Total,,350.00,15000,255,9,1350.00\n";
    text.as_bytes().to_vec()
}

/// A PNG's first bytes, posted as `.csv`.
pub fn png_bytes() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    b.extend((0..200u32).map(|i| (i * 7 % 256) as u8));
    b
}

/// A report with every column but spend.
pub fn no_spend_csv() -> Vec<u8> {
    "日期,展现量,点击量\n2026-10-30,1000,20\n"
        .as_bytes()
        .to_vec()
}

/// One entry of 21 MiB of zeros: about 21 KB packed.
pub fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 21 * 1024 * 1024];
    zip_of(&[("report.csv", &zeros)])
}

/// Bytes that are neither UTF-8 nor GB18030.
pub fn bad_encoding() -> Vec<u8> {
    b"\xe6\x97\xa5\xff\xff,spend\n\xff\xfe\x80,1\n".to_vec()
}

/// A generic export with `rows` rows over 30 days, several campaigns per day (the bench).
pub fn big_export(rows: usize) -> Vec<u8> {
    let mut s = String::with_capacity(rows * 64);
    s.push_str(
        "日期,计划名称,整体消耗(元),整体展示次数,整体点击次数,整体成交订单数,整体成交金额(元)\n",
    );
    for i in 0..rows {
        let day = 1 + i % 30;
        let spend = 100 + (i * 37) % 5000;
        s.push_str(&format!(
            "2026-11-{day:02},计划{},\"{}.{:02}\",{},{},{},{}\n",
            i % 997,
            spend,
            i % 100,
            spend * 40,
            spend,
            i % 20,
            spend * 3
        ));
    }
    s.into_bytes()
}

/// A ZIP of the given entries, deflated, with fixed timestamps so the bytes never change.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in entries {
        w.start_file(*name, options).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

pub enum XCell {
    S(&'static str),
    N(f64),
}

fn col_name(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

/// The smallest XLSX calamine (and Excel) reads: one sheet, inline strings, no styles.
pub fn xlsx(rows: &[Vec<XCell>]) -> Vec<u8> {
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", col_name(c), r + 1);
            match cell {
                XCell::S(s) => sheet.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{s}</t></is></c>"
                )),
                XCell::N(n) => sheet.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
</Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
</Relationships>";
    let workbook = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<sheets><sheet name=\"报表\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    let workbook_rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
</Relationships>";
    zip_of(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}
