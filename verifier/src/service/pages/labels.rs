//! Words for values in the page's language: dates and times as each language writes them, and
//! the record's coded values as [`hocba_schema::paper::words`] prints them (the school's
//! Vietnamese, glossed in English).

use crate::CheckName;
use hocba_schema::paper::{Label, Text, words};
use hocba_schema::qr::Completion;
use hocba_schema::qr::Decision;
use hocba_schema::record::{Award, PrimaryYearResult, Rating, RatingScale};
use time::OffsetDateTime;

use super::Lang;

/// A date written as `YYYY-MM-DD` or an RFC 3339 time (then its date in Vietnam, UTC+7),
/// shown as `dd/mm/yyyy` in Vietnamese and `yyyy-mm-dd` in English; anything else is returned
/// as it is.
pub(super) fn date(lang: Lang, text: &str) -> String {
    // A time (RFC 3339) is shown on the calendar of a Vietnamese reader (UTC+7): a record
    // signed at 23:30 UTC was signed on the next day in Vietnam.
    if text.len() > 10
        && let Ok(at) = hocba_schema::credential::parse_time("time", text)
    {
        return date_of(lang, at.to_offset(VIETNAM));
    }
    pick(lang, &words::date(text))
}

/// The calendar date of `at` (UTC), as [`date`] writes it.
pub(super) fn date_of(lang: Lang, at: OffsetDateTime) -> String {
    let d = at.date();
    date(
        lang,
        &format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
    )
}

/// Vietnam's time zone (UTC+7, no daylight saving): times on the pages are what a Vietnamese
/// reader's clock showed.
const VIETNAM: time::UtcOffset = time::macros::offset!(+7);

/// `at` as a Vietnamese reader's clock showed it: `14:05 ngày 01/12/2026` /
/// `14:05 on 2026-12-01` (UTC+7).
pub(super) fn time_of(lang: Lang, at: OffsetDateTime) -> String {
    let local = at.to_offset(VIETNAM);
    let clock = format!("{:02}:{:02}", local.hour(), local.minute());
    match lang {
        Lang::Vi => format!("{clock} ngày {}", date_of(lang, local)),
        Lang::En => format!("{clock} on {}", date_of(lang, local)),
    }
}

/// A value in the page's language.
pub(super) fn pick(lang: Lang, text: &Text) -> String {
    lang.pick(&text.vi, &text.en).to_owned()
}

/// A label in the page's language.
pub(super) fn label(lang: Lang, label: Label) -> &'static str {
    lang.pick(label.vi, label.en)
}

/// `T (Tốt)` / `T (good)`: a rating with its meaning on `scale`.
pub(super) fn rating(lang: Lang, scale: RatingScale, r: Rating) -> String {
    pick(lang, &words::rating(scale, r))
}

/// The decision, worded as the printed page words it (the final one after the summer).
pub(super) fn promotion(lang: Lang, d: Decision) -> String {
    pick(lang, &words::decision(d))
}

/// The awards line as the paper prints it (title, then the other awards; `Không` for none).
pub(super) fn awards(lang: Lang, a: Option<Award>, other: &[String]) -> String {
    pick(lang, &words::awards(a, other))
}

/// An award title.
pub(super) fn award(lang: Lang, a: Award) -> String {
    pick(lang, &words::award(a))
}

/// The primary year result.
pub(super) fn year_result(lang: Lang, r: PrimaryYearResult) -> String {
    pick(lang, &words::year_result(r))
}

/// The level of a grade, e.g. `Tiểu học` / `Tiểu học (primary)`.
pub(super) fn level(lang: Lang, grade: u8) -> Option<String> {
    words::level(grade).map(|t| pick(lang, &t))
}

/// The label of the completion line for a grade's programme.
pub(super) fn completion_label(lang: Lang, grade: u8) -> &'static str {
    label(lang, words::completion_label(grade))
}

/// Completion as the QR summary states it (`None` when not stated).
pub(super) fn completion(lang: Lang, c: Completion) -> Option<String> {
    match c {
        Completion::NotStated => None,
        Completion::Completed => Some(yes_no(lang, true)),
        Completion::NotCompleted => Some(yes_no(lang, false)),
    }
}

/// Completion as the record states it: `Có` / `Chưa hoàn thành` (as on paper).
pub(super) fn yes_no(lang: Lang, done: bool) -> String {
    pick(lang, &words::yes_no(done))
}

/// What a check is about, in a few words.
pub(super) fn check_name(lang: Lang, name: CheckName) -> &'static str {
    match name {
        CheckName::Integrity => lang.pick("Tính toàn vẹn", "Integrity"),
        CheckName::Issuer => lang.pick("Đơn vị cấp", "Issuer"),
        CheckName::KeyValidity => lang.pick("Khóa ký", "Signing key"),
        CheckName::ValidityPeriod => lang.pick("Thời hạn hiệu lực", "Validity period"),
        CheckName::Status => lang.pick("Trạng thái thu hồi", "Revocation status"),
        CheckName::Format => lang.pick("Định dạng", "Format"),
        CheckName::TrustList => lang.pick("Danh sách tin cậy", "Trust list"),
    }
}
