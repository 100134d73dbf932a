//! A minimal XLSX writer for the tests and the templates (inline strings), and the hostile
//! workbooks of the import limit tests: a ZIP written by hand, deflate bombs.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn column_name(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

/// The XML of a sheet holding `rows` (inline strings), with `<dimension ref=…>` when given.
pub fn sheet_xml(rows: &[Vec<String>], dimension: Option<&str>) -> String {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    if let Some(d) = dimension {
        sheet.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    sheet.push_str("<sheetData>");
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            sheet.push_str(&format!(
                r#"<c r="{}{}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                column_name(c),
                r + 1,
                escape(cell)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    sheet
}

/// The parts of a workbook around the sheets named `names` (`xl/worksheets/sheetN.xml`).
pub fn package_parts(names: &[&str]) -> Vec<(String, String)> {
    let n = names.len();
    let overrides: String = (1..=n)
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    let sheets: String = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#,
                escape(name),
                i + 1,
                i + 1
            )
        })
        .collect();
    let rels: String = (1..=n)
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    vec![
        ("[Content_Types].xml".into(), format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#)),
        ("_rels/.rels".into(), r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml".into(), format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels".into(), format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#)),
    ]
}

/// The bytes of a workbook of sheets `(name, sheet XML)`, deflated by the `zip` crate.
pub fn workbook_of_sheets(sheets: &[(&str, String)]) -> Vec<u8> {
    let names: Vec<&str> = sheets.iter().map(|(n, _)| *n).collect();
    let mut files = package_parts(&names);
    for (i, (_, xml)) in sheets.iter().enumerate() {
        files.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone()));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for (name, body) in files {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// The bytes of a workbook whose first sheet holds `rows`.
pub fn workbook(rows: &[Vec<String>]) -> Vec<u8> {
    workbook_of_sheets(&[("Hoc ba", sheet_xml(rows, None))])
}

/// CRC-32 (IEEE), bit by bit: for the small stored parts of [`raw_zip`].
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One entry of [`raw_zip`]: name, method (0 stored, 8 deflated), the data as stored, and the
/// CRC and inflated size the entry declares (which may lie).
pub struct RawEntry {
    pub name: String,
    pub method: u16,
    pub data: Vec<u8>,
    pub crc: u32,
    pub declared_size: u32,
}

impl RawEntry {
    /// A stored entry, declared truthfully.
    pub fn stored(name: &str, data: &[u8]) -> RawEntry {
        RawEntry {
            name: name.to_owned(),
            method: 0,
            data: data.to_vec(),
            crc: crc32(data),
            declared_size: data.len() as u32,
        }
    }
}

/// A ZIP written by hand, so an entry can declare what it likes.
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let u16le = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let u32le = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for e in entries {
        let offset = out.len() as u32;
        u32le(&mut out, 0x0403_4b50);
        for x in [20, 0, e.method, 0, 0x21] {
            u16le(&mut out, x);
        }
        u32le(&mut out, e.crc);
        u32le(&mut out, e.data.len() as u32);
        u32le(&mut out, e.declared_size);
        u16le(&mut out, e.name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);

        u32le(&mut central, 0x0201_4b50);
        for x in [20, 20, 0, e.method, 0, 0x21] {
            u16le(&mut central, x);
        }
        u32le(&mut central, e.crc);
        u32le(&mut central, e.data.len() as u32);
        u32le(&mut central, e.declared_size);
        for x in [e.name.len() as u16, 0, 0, 0, 0] {
            u16le(&mut central, x);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    for x in [0, 0, entries.len() as u16, entries.len() as u16] {
        u16le(&mut out, x);
    }
    u32le(&mut out, central.len() as u32);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}

/// Raw deflate of `prefix`, then `chunk` `times` over, then `suffix`, made without inflating
/// it all: the chunk is compressed once (flushed to a byte boundary, so it decodes on its own)
/// and its compressed bytes are repeated. How a small file inflates to gigabytes.
pub fn deflate_repeated(prefix: &[u8], chunk: &[u8], times: usize, suffix: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let block = |data: &[u8], flush: FlushCompress| {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        c.compress_vec(data, &mut out, flush).unwrap();
        assert_eq!(c.total_in() as usize, data.len());
        out
    };
    let mut out = block(prefix, FlushCompress::Sync);
    let repeated = block(chunk, FlushCompress::Sync);
    for _ in 0..times {
        out.extend_from_slice(&repeated);
    }
    out.extend(block(suffix, FlushCompress::Finish));
    out
}

/// A workbook whose sheet part is `prefix`, `chunk` × `times`, `suffix` deflated with
/// [`deflate_repeated`], declaring an inflated size of `declared_size` bytes (`None`: the
/// true size) and a CRC that is not checked before the limits trip.
pub fn bomb_workbook(
    prefix: &str,
    chunk: &str,
    times: usize,
    suffix: &str,
    declared_size: Option<u32>,
) -> Vec<u8> {
    let true_size = prefix.len() + chunk.len() * times + suffix.len();
    let declared_size = declared_size.unwrap_or(u32::try_from(true_size).unwrap());
    let mut entries: Vec<RawEntry> = package_parts(&["Hoc ba"])
        .iter()
        .map(|(name, body)| RawEntry::stored(name, body.as_bytes()))
        .collect();
    entries.push(RawEntry {
        name: "xl/worksheets/sheet1.xml".into(),
        method: 8,
        data: deflate_repeated(
            prefix.as_bytes(),
            chunk.as_bytes(),
            times,
            suffix.as_bytes(),
        ),
        crc: 0,
        declared_size,
    });
    raw_zip(&entries)
}

/// The start of a sheet part, up to `<sheetData>`.
pub const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;

/// The end of a sheet part.
pub const SHEET_END: &str = "</sheetData></worksheet>";

/// A workbook with one cell, at `XFD1048576`, and a `<dimension>` saying so (3 KB).
pub fn xfd_workbook() -> Vec<u8> {
    workbook_of_sheets(&[(
        "Hoc ba",
        format!(
            r#"{}<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>{}"#,
            SHEET_START.replace("<sheetData>", r#"<dimension ref="XFD1048576"/><sheetData>"#),
            SHEET_END
        ),
    )])
}

/// A sheet part of 1 GiB of spaces, in a 1 MB file, declaring `declared_size` (`None`: the
/// truth).
pub fn gigabyte_bomb(declared_size: Option<u32>) -> Vec<u8> {
    bomb_workbook(
        SHEET_START,
        &" ".repeat(1 << 20),
        1024,
        SHEET_END,
        declared_size,
    )
}

/// CSV text (with a byte order mark) of `rows`.
pub fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}
