//! The PDF's signature fields: the catalog's `/AcroForm /Fields`, each `/FT /Sig` with a value,
//! read through the bounded object reader; each signature's `/ByteRange`, the hex `/Contents`
//! exactly in the byte range's gap (read from the file itself, not from the parser), `/M`.

use lopdf::{Dictionary, Object};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::super::objects::Objects;

/// Most signature fields read (a record has two).
pub const MAX_SIGNATURES: usize = 8;

/// One signature as the file states it.
#[derive(Debug, Clone)]
pub(crate) struct RawSignature {
    /// The field name (`/T`).
    pub(crate) field: String,
    /// `/ByteRange`, if it is four non-negative integers.
    pub(crate) byte_range: Option<[usize; 4]>,
    /// `/SubFilter`.
    pub(crate) sub_filter: String,
    /// `/M`, if it parses.
    pub(crate) claimed_time: Option<OffsetDateTime>,
}

fn resolve(objects: &mut Objects<'_>, object: &Object) -> Option<Object> {
    match object {
        Object::Reference(id) => objects.get(*id).ok().flatten().map(|o| (*o).clone()),
        other => Some(other.clone()),
    }
}

fn dict(objects: &mut Objects<'_>, object: &Object) -> Option<Dictionary> {
    match resolve(objects, object)? {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, or PDFDocEncoding read as Latin-1.
fn text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// `D:YYYYMMDDHHmmSS` with an optional `Z` or `±HH'mm'`.
pub(crate) fn pdf_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let date = Date::from_calendar_date(
        i32::try_from(num(0..4)?).ok()?,
        Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?,
        u8::try_from(num(6..8)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(num(8..10).unwrap_or(0)).ok()?,
        u8::try_from(num(10..12).unwrap_or(0)).ok()?,
        u8::try_from(num(12..14).unwrap_or(0)).ok()?,
    )
    .ok()?;
    let offset = match s.get(14..15) {
        Some(sign @ ("+" | "-")) => {
            let h = i8::try_from(num(15..17)?).ok()?;
            let m = s
                .get(18..20)
                .and_then(|m| m.parse::<i8>().ok())
                .unwrap_or(0);
            let (h, m) = if sign == "-" { (-h, -m) } else { (h, m) };
            UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => UtcOffset::UTC,
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// The signature fields of the PDF whose objects are `objects`, in field order; `Err` names
/// what could not be read.
pub(crate) fn signatures(objects: &mut Objects<'_>) -> Result<Vec<RawSignature>, String> {
    let Some(root) = objects.trailer().get(b"Root").ok().cloned() else {
        return Err("no /Root in the trailer".into());
    };
    let catalog = dict(objects, &root).ok_or("the catalog is not a dictionary")?;
    let Some(form) = catalog.get(b"AcroForm").ok().cloned() else {
        return Ok(Vec::new());
    };
    let form = dict(objects, &form).ok_or("/AcroForm is not a dictionary")?;
    let fields = match form.get(b"Fields").ok().cloned() {
        Some(f) => match resolve(objects, &f) {
            Some(Object::Array(a)) => a,
            _ => return Err("/AcroForm /Fields is not an array".into()),
        },
        None => return Ok(Vec::new()),
    };
    let mut found = Vec::new();
    for field in fields.iter().take(64) {
        let Some(field) = dict(objects, field) else {
            continue;
        };
        if field.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        let Some(value) = field.get(b"V").ok().cloned() else {
            continue; // an empty signature field: nothing signed
        };
        if found.len() == MAX_SIGNATURES {
            return Err(format!("more than {MAX_SIGNATURES} signatures"));
        }
        let name = field
            .get(b"T")
            .and_then(Object::as_str)
            .map(text)
            .unwrap_or_default();
        let sig = dict(objects, &value)
            .ok_or_else(|| format!("signature {name}: /V is not a dictionary"))?;
        let byte_range = match sig.get(b"ByteRange") {
            Ok(Object::Array(a)) if a.len() == 4 => {
                let v: Vec<usize> = a
                    .iter()
                    .filter_map(|o| o.as_i64().ok().and_then(|n| usize::try_from(n).ok()))
                    .collect();
                <[usize; 4]>::try_from(v).ok()
            }
            _ => None,
        };
        found.push(RawSignature {
            field: name,
            byte_range,
            sub_filter: sig
                .get(b"SubFilter")
                .and_then(Object::as_name)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default(),
            claimed_time: sig
                .get(b"M")
                .and_then(Object::as_str)
                .ok()
                .and_then(|m| pdf_date(&text(m))),
        });
    }
    Ok(found)
}

/// The DER in the hex `<…>` of `pdf[start..end]` (the byte range's gap), trailing zero padding
/// left on; `None` if the gap is not one hex string.
pub(crate) fn contents(pdf: &[u8], start: usize, end: usize) -> Option<Vec<u8>> {
    let gap = pdf.get(start..end)?;
    let hex = gap.strip_prefix(b"<")?.strip_suffix(b">")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    hex.chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}
