//! What `hocba-verify` prints for each record: the text report and the JSON Lines report.

use std::io::{self, Write};

use hocba_verifier::qr::{Binding, SummaryVerdict};
use hocba_verifier::verdict::Revocation;
use hocba_verifier::verdict::Subject;
use hocba_verifier::{Check, Message, Outcome, Reason, Verdict, VerdictResult};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::material::{BundleInfo, show_age};

pub(super) fn report_error(out: &mut impl Write, json: bool, label: &str, error: &anyhow::Error) {
    eprintln!("hocba-verify: error: {error:#}");
    if json {
        let line = serde_json::json!({
            "file": label,
            "result": "error",
            "error": format!("{error:#}"),
        });
        // A closed stdout shows up again on the next write; nothing to add here.
        let _ = writeln!(out, "{line}");
    }
}

/// The time the revocation status is known as of (the status list's signed `validFrom`).
fn write_status_as_of(out: &mut impl Write, at: Option<OffsetDateTime>) -> io::Result<()> {
    match at.and_then(|t| t.format(&Rfc3339).ok()) {
        Some(t) => writeln!(
            out,
            "  Trạng thái thu hồi tính đến / Revocation status as of: {t}"
        ),
        None => Ok(()),
    }
}

/// The first lines of a record's report: the verdict, why, the revocation and its time.
struct Head<'a> {
    result: VerdictResult,
    reason: Option<Reason>,
    revocation_checked: bool,
    message: Message,
    revocation: Option<&'a Revocation>,
    status_as_of: Option<OffsetDateTime>,
}

fn write_head(out: &mut impl Write, label: &str, prefix: &str, h: &Head<'_>) -> io::Result<()> {
    let valid = h.result == VerdictResult::Valid;
    let headline = headline(h.result, h.reason, h.revocation_checked, prefix);
    writeln!(out, "{label}: {headline}")?;
    if valid && !h.revocation_checked {
        writeln!(out, "  {NOT_CHECKED_HINT}")?;
    }
    if !valid {
        writeln!(out, "  Lý do:  {}", h.message.vi)?;
        writeln!(out, "  Reason: {}", h.message.en)?;
    }
    if let Some(r) = h.revocation {
        writeln!(out, "  {}\n  {}", r.describe_vi(), r.describe_en())?;
    }
    write_status_as_of(out, h.status_as_of)
}

/// One line per check: mark, name, message in both languages, and the detail unless passed.
fn write_checks(out: &mut impl Write, checks: &[Check]) -> io::Result<()> {
    for check in checks {
        let mark = match check.outcome {
            Outcome::Passed => "✓",
            Outcome::Failed => "✗",
            Outcome::Warning => "!",
            Outcome::NotChecked => "–",
        };
        writeln!(
            out,
            "  {mark} {:<16} {} / {}",
            check.name.as_str(),
            check.message.vi,
            check.message.en
        )?;
        if check.outcome != Outcome::Passed
            && let Some(detail) = &check.detail
        {
            writeln!(out, "    {:<16} {detail}", "")?;
        }
    }
    Ok(())
}

/// What to do when revocation was not checked.
const NOT_CHECKED_HINT: &str = "Để kiểm tra thu hồi, dùng --bundle FILE hoặc --online URL / \
     to check revocation, give --bundle FILE or --online URL";

/// The first line of a record's report. A valid verdict whose revocation was not looked up
/// is never printed as plainly valid.
fn headline(
    result: VerdictResult,
    reason: Option<Reason>,
    revocation_checked: bool,
    prefix: &str,
) -> String {
    let words = match result {
        VerdictResult::Valid if revocation_checked => "HỢP LỆ — VALID",
        VerdictResult::Valid => {
            "CHỮ KÝ HỢP LỆ, CHƯA KIỂM TRA THU HỒI — SIGNATURE VALID, REVOCATION NOT CHECKED"
        }
        VerdictResult::StatusUnknown if reason == Some(Reason::TrustListStale) => {
            "KHÔNG KIỂM TRA ĐƯỢC: DANH SÁCH TIN CẬY QUÁ HẠN — COULD NOT CHECK: TRUST LIST OUT OF DATE (NOT VALID)"
        }
        VerdictResult::StatusUnknown => {
            "KHÔNG RÕ TÌNH TRẠNG THU HỒI — REVOCATION STATUS UNKNOWN (NOT VALID)"
        }
        VerdictResult::Invalid => "KHÔNG HỢP LỆ — NOT VALID",
    };
    format!("{prefix}{words}")
}

/// The `result` member of a JSON report line: the verdict's, except `revocation_not_checked`
/// for a valid verdict whose revocation was not looked up.
fn json_result(result: VerdictResult, revocation_checked: bool) -> &'static str {
    match result {
        VerdictResult::Valid if !revocation_checked => "revocation_not_checked",
        other => other.as_str(),
    }
}

/// A verdict the report shows: a credential's or a QR summary's (the same head and JSON line
/// for both).
trait Reported: serde::Serialize {
    /// The member naming the input in a JSON line: `file` or `qr`.
    const LABEL_KEY: &'static str;
    /// The verdict, why, the revocation and its time.
    fn head(&self) -> Head<'_>;
}

/// The [`Head`] of a verdict type with the usual accessors.
macro_rules! head_of {
    ($verdict:expr) => {
        Head {
            result: $verdict.result(),
            reason: $verdict.reason(),
            revocation_checked: $verdict.revocation_checked(),
            message: $verdict.message(),
            revocation: $verdict.revocation(),
            status_as_of: $verdict.status_as_of(),
        }
    };
}

impl Reported for Verdict {
    const LABEL_KEY: &'static str = "file";
    fn head(&self) -> Head<'_> {
        head_of!(self)
    }
}

impl Reported for SummaryVerdict {
    const LABEL_KEY: &'static str = "qr";
    fn head(&self) -> Head<'_> {
        head_of!(self)
    }
}

/// The start of a JSON report line: the input's label, the verdict's members, `result` and
/// `revocationChecked`.
fn json_line<T: Reported>(label: &str, verdict: &T) -> io::Result<Map<String, Value>> {
    let mut line = Map::new();
    line.insert(T::LABEL_KEY.into(), label.into());
    match serde_json::to_value(verdict) {
        Ok(Value::Object(fields)) => line.extend(fields),
        Ok(other) => {
            line.insert("report".into(), other);
        }
        Err(e) => return Err(io::Error::other(e)),
    }
    let head = verdict.head();
    line.insert(
        "result".into(),
        json_result(head.result, head.revocation_checked).into(),
    );
    line.insert("revocationChecked".into(), head.revocation_checked.into());
    Ok(line)
}

pub(super) fn write_summary_json(
    out: &mut impl Write,
    label: &str,
    verdict: &SummaryVerdict,
    bindings: &[(String, anyhow::Result<Binding>)],
) -> io::Result<()> {
    let mut line = json_line(label, verdict)?;
    let bindings: Vec<Value> = bindings
        .iter()
        .map(|(name, b)| match b {
            Ok(b) => serde_json::json!({"file": name, "matches": b.matches(), "hashMatches": b.hash_matches, "idMatches": b.id_matches}),
            Err(e) => serde_json::json!({"file": name, "error": format!("{e:#}")}),
        })
        .collect();
    if !bindings.is_empty() {
        line.insert("bindings".into(), Value::Array(bindings));
    }
    writeln!(out, "{}", Value::Object(line))
}

pub(super) fn write_summary_text(
    out: &mut impl Write,
    label: &str,
    verdict: &SummaryVerdict,
    bindings: &[(String, anyhow::Result<Binding>)],
) -> io::Result<()> {
    write_head(out, label, "MÃ QR ", &verdict.head())?;
    let s = verdict.info();
    writeln!(
        out,
        "  Trường / School: {} (mã / code {})",
        verdict.school_name().unwrap_or("?"),
        s.school_code
    )?;
    writeln!(
        out,
        "  Học sinh / Pupil: {} · sinh / born {} · năm học / year {} · lớp / class {} · khối / grade {}",
        s.pupil_name, s.date_of_birth, s.school_year, s.class_name, s.grade
    )?;
    writeln!(out, "  {} · {}", s.results, s.promotion)?;
    if let Some(after) = &s.results_after_summer {
        writeln!(out, "  {after}")?;
    }
    if let Some(award) = &s.award {
        writeln!(out, "  Khen thưởng / Award: {award}")?;
    }
    if let Some(c) = &s.completion {
        writeln!(out, "  {c}")?;
    }
    writeln!(
        out,
        "  Mã hồ sơ / Credential: {} · ký lúc / signed {}",
        s.credential_id, s.signed_at
    )?;
    writeln!(out, "  SHA-256: {}", s.credential_sha256)?;
    write_checks(out, verdict.checks())?;
    for (name, b) in bindings {
        match b {
            Ok(b) if b.matches() => writeln!(
                out,
                "  ✓ binding          {name} là hồ sơ của mã QR này / is the record this QR summarises"
            )?,
            Ok(b) => writeln!(
                out,
                "  ✗ binding          {name} KHÔNG khớp mã QR / does NOT match this QR (hash {}, id {})",
                if b.hash_matches { "ok" } else { "differs" },
                if b.id_matches { "ok" } else { "differs" }
            )?,
            Err(e) => writeln!(out, "  – binding          {name}: {e:#}")?,
        }
    }
    Ok(())
}

pub(super) fn write_json(
    out: &mut impl Write,
    label: &str,
    verdict: &Verdict,
    bundle: Option<&BundleInfo>,
    now: OffsetDateTime,
    extra: Option<(&str, Value)>,
) -> io::Result<()> {
    let mut line = json_line(label, verdict)?;
    if let Some((name, value)) = extra {
        line.insert(name.into(), value);
    }
    if let Some(b) = bundle {
        line.insert(
            "bundle".into(),
            serde_json::json!({
                "createdAt": b.created_at.format(&Rfc3339).unwrap_or_default(),
                "ageSeconds": b.age.whole_seconds(),
                "statusLists": b.status_lists,
                "checkedAt": now.format(&Rfc3339).unwrap_or_default(),
            }),
        );
    }
    writeln!(out, "{}", Value::Object(line))
}

pub(super) fn write_text(
    out: &mut impl Write,
    label: &str,
    verdict: &Verdict,
    bundle: Option<&BundleInfo>,
) -> io::Result<()> {
    write_head(out, label, "", &verdict.head())?;
    write_subject(out, verdict.subject(), verdict.trust_list().is_some())?;
    if let Some(list) = verdict.trust_list() {
        writeln!(
            out,
            "  Danh sách tin cậy / Trust list: {} version {}, next update due {}",
            list.authority.name,
            list.version,
            list.valid_until.format(&Rfc3339).unwrap_or_default()
        )?;
    }
    if let Some(b) = bundle {
        writeln!(
            out,
            "  Gói tin cậy / Trust bundle: made {}, {} old",
            b.created_at.format(&Rfc3339).unwrap_or_default(),
            show_age(b.age)
        )?;
    }
    write_checks(out, verdict.checks())?;
    Ok(())
}

pub(super) fn write_subject(
    out: &mut impl Write,
    s: &Subject,
    has_trust_list: bool,
) -> io::Result<()> {
    let unverified = if has_trust_list {
        "không có trong danh sách tin cậy / not in the trust list"
    } else {
        "chưa xác minh / not verified"
    };
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    match (&s.school, &s.issuer) {
        (Some(school), _) => writeln!(
            out,
            "  Trường / School: {} (mã / code {}, {})",
            school.name, school.code, school.province
        )?,
        (None, Some(issuer)) => writeln!(
            out,
            "  Trường / School: {} ({}; {unverified})",
            issuer.name, issuer.id
        )?,
        (None, None) => {}
    }
    let p = &s.pupil;
    if p.full_name.is_some() || p.school_year.is_some() {
        writeln!(
            out,
            "  Học sinh / Pupil: {} · năm học / year {} · lớp / class {} · khối / grade {}",
            or_unknown(&p.full_name),
            or_unknown(&p.school_year),
            or_unknown(&p.class_name),
            or_unknown(&p.grade)
        )?;
    }
    if let Some(key) = &s.key {
        let status = key
            .status
            .map(|st| format!("{st:?}").to_lowercase())
            .unwrap_or_else(|| unverified.into());
        writeln!(
            out,
            "  Khóa / Key: {} ({status}), ký lúc / signed {}",
            key.id,
            or_unknown(&s.signed_at)
        )?;
    }
    if let Some(id) = &s.credential_id {
        writeln!(out, "  Mã hồ sơ / Credential: {id}")?;
    }
    if let Some(replaced) = &s.replaces {
        writeln!(
            out,
            "  Thay thế hồ sơ đã thu hồi / Corrects revoked: {replaced}"
        )?;
    }
    Ok(())
}
