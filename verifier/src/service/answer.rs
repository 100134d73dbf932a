//! The JSON answer of `POST /api/v1/verify`, written straight into one buffer sized for it.
//!
//! The bytes are exactly what `serde_json::to_vec` gives for the same [`ItemReport`]s (member
//! order, `null`s, skipped members, number and string forms): `tests/verifier/bulk_answer.rs`
//! compares the two on valid, invalid, revoked, unreadable and QR items and on strings that
//! need escapes. What makes it cheaper than the derived `Serialize`:
//!
//! * member names are written as constant bytes, not through serde's per-member calls;
//! * a string is scanned for what JSON escapes (`"`, `\`, bytes below 0x20) sixteen bytes at a
//!   time and copied in one piece when it has none — nearly always: Vietnamese text is plain
//!   UTF-8, which JSON leaves as it is; only a string that has one goes through the byte loop;
//! * the buffer is reserved once for the whole answer (about 4.2 KB per valid credential).
//!
//! Parts that are rare in a bulk answer (a revocation note, a QR summary, a PDF's own
//! signatures) are written by `serde_json` into the same buffer, so they cannot drift.

use std::collections::BTreeMap;

use serde::Serialize;

use super::verify::{Dates, ItemReport, PupilOut, ReasonOut, SchoolOut};
use crate::normalise::{Coded, NormalisedRecord, SubjectResult, TermResult};
use crate::reason::Message;
use crate::verdict::{Check, ShowTime};

/// Bytes reserved per item of an answer (a valid grade-11 credential takes about 4.2 KB).
const BYTES_PER_ITEM: usize = 4_608;

/// The answer of `POST /api/v1/verify` (serialised by [`answer_json`]; the derived
/// `Serialize` is the reference the tests compare with).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse<'a> {
    /// When the items were checked (RFC 3339).
    pub checked_at: String,
    /// How many items.
    pub count: usize,
    /// How many items have each verdict.
    pub counts: BTreeMap<&'static str, usize>,
    /// The trust list judged against.
    pub trust_list: TrustListOut<'a>,
    /// One report per item, in the request's order.
    pub items: &'a [ItemReport<'a>],
}

/// The trust list of an answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustListOut<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its version.
    pub version: u64,
    /// Its `validUntil` (RFC 3339).
    pub valid_until: String,
}

/// The whole answer as JSON bytes: the same bytes as `serde_json::to_vec(response)`.
pub fn answer_json(response: &VerifyResponse<'_>) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(512 + response.items.len() * BYTES_PER_ITEM);
    out.extend_from_slice(b"{\"checkedAt\":");
    string(&mut out, &response.checked_at);
    out.extend_from_slice(b",\"count\":");
    unsigned(&mut out, response.count as u64);
    out.extend_from_slice(b",\"counts\":{");
    for (i, (verdict, n)) in response.counts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(&mut out, verdict);
        out.push(b':');
        unsigned(&mut out, *n as u64);
    }
    out.extend_from_slice(b"},\"trustList\":{\"id\":");
    string(&mut out, response.trust_list.id);
    out.extend_from_slice(b",\"version\":");
    unsigned(&mut out, response.trust_list.version);
    out.extend_from_slice(b",\"validUntil\":");
    string(&mut out, &response.trust_list.valid_until);
    out.extend_from_slice(b"},\"items\":");
    items_into(&mut out, response.items)?;
    out.push(b'}');
    Ok(out)
}

/// `reports` as a JSON array, appended to `out`: the same bytes as `serde_json::to_vec`.
pub fn items_into(out: &mut Vec<u8>, reports: &[ItemReport<'_>]) -> Result<(), serde_json::Error> {
    out.reserve(reports.len() * BYTES_PER_ITEM);
    out.push(b'[');
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, r)?;
    }
    out.push(b']');
    Ok(())
}

fn item(out: &mut Vec<u8>, r: &ItemReport<'_>) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"index\":");
    unsigned(out, r.index as u64);
    if let Some(name) = r.name {
        out.extend_from_slice(b",\"name\":");
        string(out, name);
    }
    out.extend_from_slice(b",\"kind\":");
    string(out, r.kind);
    out.extend_from_slice(b",\"verdict\":");
    string(out, r.verdict);
    if let Some(reason) = &r.reason {
        out.extend_from_slice(b",\"reason\":");
        reason_out(out, reason);
    }
    if let Some(school) = &r.school {
        out.extend_from_slice(b",\"school\":");
        school_out(out, school);
    }
    if let Some(id) = r.credential_id {
        out.extend_from_slice(b",\"credentialId\":");
        string(out, id);
    }
    if let Some(pupil) = &r.pupil {
        out.extend_from_slice(b",\"pupil\":");
        pupil_out(out, pupil);
    }
    if let Some(at) = &r.status_as_of {
        out.extend_from_slice(b",\"statusAsOf\":");
        string(out, at);
    }
    out.extend_from_slice(b",\"dates\":");
    dates(out, &r.dates);
    if let Some(record) = &r.record {
        out.extend_from_slice(b",\"record\":");
        record_into(out, record)?;
    }
    if let Some(summary) = r.summary {
        out.extend_from_slice(b",\"summary\":");
        serde_json::to_writer(&mut *out, summary)?;
    }
    if !r.checks.is_empty() {
        out.extend_from_slice(b",\"checks\":[");
        for (i, c) in r.checks.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            check(out, c)?;
        }
        out.push(b']');
    }
    if let Some(detail) = r.detail {
        out.extend_from_slice(b",\"detail\":");
        string(out, detail);
    }
    if let Some(pdf) = r.pdf_signatures {
        out.extend_from_slice(b",\"pdfSignatures\":");
        serde_json::to_writer(&mut *out, pdf)?;
    }
    out.push(b'}');
    Ok(())
}

fn message(out: &mut Vec<u8>, m: &Message) {
    out.extend_from_slice(b"{\"vi\":");
    string(out, m.vi);
    out.extend_from_slice(b",\"en\":");
    string(out, m.en);
    out.push(b'}');
}

fn reason_out(out: &mut Vec<u8>, r: &ReasonOut) {
    out.extend_from_slice(b"{\"code\":");
    string(out, r.code);
    out.extend_from_slice(b",\"message\":");
    message(out, &r.message);
    out.push(b'}');
}

fn school_out(out: &mut Vec<u8>, s: &SchoolOut<'_>) {
    out.extend_from_slice(b"{\"id\":");
    opt_string(out, s.id);
    if let Some(code) = s.code {
        out.extend_from_slice(b",\"code\":");
        string(out, code);
    }
    out.extend_from_slice(b",\"name\":");
    string(out, s.name);
    if let Some(province) = s.province {
        out.extend_from_slice(b",\"province\":");
        string(out, province);
    }
    out.extend_from_slice(b",\"trusted\":");
    boolean(out, s.trusted);
    out.push(b'}');
}

fn pupil_out(out: &mut Vec<u8>, p: &PupilOut<'_>) {
    out.push(b'{');
    let mut first = true;
    for (name, value) in [
        (&b"\"fullName\":"[..], p.full_name),
        (b"\"className\":", p.class_name),
        (b"\"schoolYear\":", p.school_year),
        (b"\"grade\":", p.grade.as_deref()),
    ] {
        if let Some(v) = value {
            member(out, &mut first, name);
            string(out, v);
        }
    }
    member(out, &mut first, b"\"verified\":");
    boolean(out, p.verified);
    out.push(b'}');
}

fn dates(out: &mut Vec<u8>, d: &Dates<'_>) {
    out.push(b'{');
    let mut first = true;
    for (name, value) in [
        (&b"\"validFrom\":"[..], d.valid_from),
        (b"\"validUntil\":", d.valid_until),
        (b"\"signedAt\":", d.signed_at),
    ] {
        if let Some(v) = value {
            member(out, &mut first, name);
            string(out, v);
        }
    }
    out.push(b'}');
}

fn check(out: &mut Vec<u8>, c: &Check) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"name\":");
    string(out, c.name.as_str());
    out.extend_from_slice(b",\"outcome\":");
    string(out, c.outcome.as_str());
    if let Some(reason) = c.reason {
        out.extend_from_slice(b",\"reason\":");
        string(out, reason.code());
    }
    out.extend_from_slice(b",\"message\":");
    message(out, &c.message);
    if let Some(detail) = &c.detail {
        out.extend_from_slice(b",\"detail\":");
        string(out, detail);
    }
    if let Some(revocation) = &c.revocation {
        out.extend_from_slice(b",\"revocation\":");
        serde_json::to_writer(&mut *out, revocation)?;
    }
    if let Some(at) = c.status_as_of {
        out.extend_from_slice(b",\"statusAsOf\":");
        // `ShowTime` is RFC 3339 (what `time::serde::rfc3339` writes), with a fast path for
        // whole seconds in UTC; it writes no character JSON escapes.
        out.push(b'"');
        std::io::Write::write_fmt(out, format_args!("{}", ShowTime(at)))
            .map_err(serde_json::Error::io)?;
        out.push(b'"');
    }
    out.push(b'}');
    Ok(())
}

/// A [`NormalisedRecord`] as JSON, appended to `out`: the same bytes as `serde_json::to_vec`.
pub fn record_into(out: &mut Vec<u8>, r: &NormalisedRecord) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"pupil\":{\"fullName\":");
    opt_string(out, r.pupil.full_name.as_deref());
    out.extend_from_slice(b",\"dateOfBirth\":");
    opt_string(out, r.pupil.date_of_birth.as_deref());
    out.extend_from_slice(b",\"gender\":");
    opt_string(out, r.pupil.gender.as_deref());
    out.extend_from_slice(b",\"studentCode\":");
    opt_string(out, r.pupil.student_code.as_deref());
    out.extend_from_slice(b",\"personalIdNumber\":");
    opt_string(out, r.pupil.personal_id_number.as_deref());
    out.extend_from_slice(b"},\"school\":{\"code\":");
    opt_string(out, r.school.code.as_deref());
    out.extend_from_slice(b",\"name\":");
    opt_string(out, r.school.name.as_deref());
    out.extend_from_slice(b",\"province\":");
    opt_string(out, r.school.province.as_deref());
    out.extend_from_slice(b"},\"schoolYear\":");
    opt_string(out, r.school_year.as_deref());
    out.extend_from_slice(b",\"grade\":");
    match r.grade {
        Some(g) => unsigned(out, u64::from(g)),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"level\":");
    opt_string(out, r.level);
    out.extend_from_slice(b",\"className\":");
    opt_string(out, r.class_name.as_deref());
    out.extend_from_slice(b",\"subjects\":[");
    for (i, s) in r.subjects.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        subject(out, s)?;
    }
    out.push(b']');
    if let Some(t) = &r.learning_result {
        out.extend_from_slice(b",\"learningResult\":");
        term(out, t);
    }
    if let Some(t) = &r.conduct_result {
        out.extend_from_slice(b",\"conductResult\":");
        term(out, t);
    }
    if let Some(c) = &r.year_result {
        out.extend_from_slice(b",\"yearResult\":");
        coded(out, Some(c));
    }
    out.extend_from_slice(b",\"promotion\":");
    coded(out, r.promotion.as_ref());
    out.extend_from_slice(b",\"award\":");
    coded(out, r.award.as_ref());
    out.extend_from_slice(b",\"otherAwards\":[");
    for (i, a) in r.other_awards.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, a);
    }
    out.extend_from_slice(b"],\"completion\":");
    match &r.completion {
        Some(c) => {
            out.extend_from_slice(b"{\"programme\":");
            string(out, c.programme);
            out.extend_from_slice(b",\"completed\":");
            boolean(out, c.completed);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"daysAbsent\":");
    match r.days_absent {
        Some(n) => unsigned(out, n),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"approvalDate\":");
    opt_string(out, r.approval_date.as_deref());
    out.push(b'}');
    Ok(())
}

fn subject(out: &mut Vec<u8>, s: &SubjectResult) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"code\":");
    opt_string(out, s.code.as_deref());
    out.extend_from_slice(b",\"name\":");
    opt_string(out, s.name.as_deref());
    for (name, value) in [
        (&b",\"yearAverage\":"[..], s.year_average),
        (b",\"semester1Average\":", s.semester1_average),
        (b",\"semester2Average\":", s.semester2_average),
    ] {
        if let Some(v) = value {
            out.extend_from_slice(name);
            float(out, v)?;
        }
    }
    if let Some(rating) = &s.year_rating {
        out.extend_from_slice(b",\"yearRating\":");
        string(out, rating);
    }
    if let Some(v) = s.end_year_score {
        out.extend_from_slice(b",\"endYearScore\":");
        float(out, v)?;
    }
    if s.exempt {
        out.extend_from_slice(b",\"exempt\":true");
    }
    out.push(b'}');
    Ok(())
}

fn term(out: &mut Vec<u8>, t: &TermResult) {
    out.extend_from_slice(b"{\"semester1\":");
    opt_string(out, t.semester1.as_deref());
    out.extend_from_slice(b",\"semester2\":");
    opt_string(out, t.semester2.as_deref());
    out.extend_from_slice(b",\"year\":");
    opt_string(out, t.year.as_deref());
    out.extend_from_slice(b",\"yearLabel\":");
    opt_string(out, t.year_label);
    out.push(b'}');
}

fn coded(out: &mut Vec<u8>, c: Option<&Coded>) {
    match c {
        Some(c) => {
            out.extend_from_slice(b"{\"code\":");
            string(out, &c.code);
            out.extend_from_slice(b",\"label\":");
            opt_string(out, c.label);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// A member name (`"name":`) after a comma unless it is the object's first.
fn member(out: &mut Vec<u8>, first: &mut bool, name: &[u8]) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    out.extend_from_slice(name);
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn unsigned(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A number, written by `serde_json` itself (its shortest round-trip form, `null` when not
/// finite): a handful per record, not worth a second implementation.
fn float(out: &mut Vec<u8>, v: f64) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, &v)
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// `s` as a JSON string, escaped as `serde_json` escapes it.
pub fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if plain(bytes) {
        out.extend_from_slice(bytes);
    } else {
        escaped(out, bytes);
    }
    out.push(b'"');
}

/// Whether no byte of `bytes` needs escaping: checked eight bytes at a time in a `u64` (a
/// byte below 0x20, or equal to `"` or `\`, sets its high bit in `special`; the bytes of
/// UTF-8 text above 0x7f are excluded by the final mask).
fn plain(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        // A zero byte of `y` sets its high bit in `y - ONES & !y` (the classic test; a borrow
        // can only mark a byte above one that is really zero, so "any" is exact).
        let zero = |y: u64| y.wrapping_sub(ONES) & !y;
        let special = (x.wrapping_sub(ONES * 0x20)
            | zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\'))))
            & !x
            & HIGH;
        if special != 0 {
            return false;
        }
    }
    !words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// The escaping loop: `"` and `\` escaped, the control characters as `\b \t \n \f \r` or
/// `\u00XX` (lowercase hex), everything else as it is.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every character below 0x80, alone and inside text, escapes as `serde_json` escapes it;
    /// Vietnamese and other non-ASCII text is copied as it is.
    #[test]
    fn strings_escape_as_serde_json_does() {
        let mut cases: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        cases.extend((0u8..0x80).map(|b| format!("Trần Thị Ánh {} Nguyệt\u{7f}", char::from(b))));
        cases.push("a\"b\\c\n\u{1}\u{1f}".repeat(9));
        cases.push("Học sinh Xuất sắc — “đạt” 𝔘".repeat(5));
        cases.push(String::new());
        for s in cases {
            let mut out = Vec::new();
            string(&mut out, &s);
            assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    /// The eight-byte test finds a character to escape at every position of a word, next to
    /// multi-byte UTF-8 (bytes above 0x7f), and passes text without one.
    #[test]
    fn the_word_test_finds_every_special_byte_anywhere() {
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..24 {
                for filler in ["a", "ệ", "\u{7f}", " ", "!", "#", "[", "]"] {
                    let mut chars: Vec<char> = filler.repeat(24).chars().collect();
                    chars.insert(at, char::from(special));
                    let s: String = chars.into_iter().collect();
                    assert!(!plain(s.as_bytes()), "{special:#x} at {at} in {filler:?}");
                    let clean = filler.repeat(at + 9);
                    assert!(plain(clean.as_bytes()), "{clean:?}");
                }
            }
        }
    }

    #[test]
    fn integers_are_written_as_serde_json_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            unsigned(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).unwrap());
        }
    }
}
