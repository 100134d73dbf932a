//! The verdict banner (what a parent reads first) and the list of checks with the trust list
//! they were judged against (what was checked, at the foot of the page).

use crate::verdict::TrustListInfo;
use crate::{Check, CheckName, Message, Outcome, Reason, VerdictResult};

use super::html::{self, Html, Place};
use super::{Lang, labels};

/// The four verdicts a page shows, each with its own colour, label and `data-verdict` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerdictKind {
    /// Every check passed: `valid`, "Hợp lệ".
    Valid,
    /// A check failed: `invalid`, "Không hợp lệ".
    Invalid,
    /// The school revoked the record: `revoked`, "Đã thu hồi".
    Revoked,
    /// Revocation could not be established (fails closed): `status_unknown`,
    /// "Chưa xác định được trạng thái".
    StatusUnknown,
}

impl VerdictKind {
    /// The kind of a verdict with `result` and `checks`: revoked when the status check failed
    /// because the record is revoked, whatever else failed.
    pub fn of(result: VerdictResult, checks: &[Check]) -> Self {
        let revoked = checks
            .iter()
            .any(|c| c.outcome == Outcome::Failed && c.reason == Some(Reason::Revoked));
        // By name, so that a result added later (say `revoked`) still lands somewhere sensible.
        match result.as_str() {
            _ if revoked => VerdictKind::Revoked,
            "valid" => VerdictKind::Valid,
            "revoked" => VerdictKind::Revoked,
            "status_unknown" => VerdictKind::StatusUnknown,
            _ => VerdictKind::Invalid,
        }
    }

    /// `valid`, `invalid`, `revoked` or `status_unknown` (the `data-verdict` value).
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Valid => "valid",
            VerdictKind::Invalid => "invalid",
            VerdictKind::Revoked => "revoked",
            VerdictKind::StatusUnknown => "status_unknown",
        }
    }

    /// The banner's label.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            VerdictKind::Valid => lang.pick("Hợp lệ", "Valid"),
            VerdictKind::Invalid => lang.pick("Không hợp lệ", "Not valid"),
            VerdictKind::Revoked => lang.pick("Đã thu hồi", "Revoked"),
            VerdictKind::StatusUnknown => lang.pick(
                "Chưa xác định được trạng thái",
                "Status cannot be determined",
            ),
        }
    }

    fn icon(self) -> &'static str {
        match self {
            VerdictKind::Valid => "✓",
            VerdictKind::Invalid => "✗",
            VerdictKind::Revoked => "⊘",
            VerdictKind::StatusUnknown => "?",
        }
    }

    /// Whether the content shown under the banner is what the school signed (the signature,
    /// issuer and key checks passed), even if the record is revoked or its status unknown.
    pub(super) fn content_is_signed(checks: &[Check]) -> bool {
        [
            CheckName::Integrity,
            CheckName::Issuer,
            CheckName::KeyValidity,
        ]
        .iter()
        .all(|name| {
            checks
                .iter()
                .any(|c| c.name == *name && c.outcome == Outcome::Passed)
        })
    }
}

/// What the banner says.
pub(super) struct Banner<'a> {
    pub(super) kind: VerdictKind,
    /// The headline reason (or the valid message).
    pub(super) message: Message,
    /// The issuing school, when the checks established it.
    pub(super) school: Option<&'a str>,
    /// When it was signed (`YYYY-MM-DD…`).
    pub(super) signed_at: Option<&'a str>,
    /// A note under a valid verdict, e.g. that revocation was not checked.
    pub(super) note: Option<Message>,
    /// Revocation date, reason and replacement, when the verdict carries them.
    pub(super) revocation: Option<super::RevocationLine>,
    /// Where the page is served (for the link to the replacement's check).
    pub(super) place: Place,
    /// The time the revocation status is known as of (the status list's signed `validFrom`).
    pub(super) status_as_of: Option<time::OffsetDateTime>,
}

/// Write the banner: `<section id="verdict" data-verdict="…">`.
pub(super) fn banner(h: &mut Html, lang: Lang, b: &Banner<'_>) {
    let kind = b.kind.as_str();
    h.raw("<section id=\"verdict\" class=\"verdict v-")
        .raw(kind)
        .raw("\" data-verdict=\"")
        .raw(kind)
        .raw("\" role=\"status\">\n<p class=\"verdict-label\"><span class=\"icon\" aria-hidden=\"true\">")
        .raw(b.kind.icon())
        .raw("</span><span id=\"verdict-label\">")
        .text(b.kind.label(lang))
        .raw("</span></p>\n")
        .el(
            "<p class=\"verdict-reason\" id=\"verdict-reason\">",
            lang.message(b.message),
            "</p>\n",
        );
    if let Some(r) = &b.revocation
        && (r.date.is_some() || r.reason.is_some())
    {
        let mut line = String::from(lang.pick("Thu hồi", "Revoked"));
        if let Some(date) = &r.date {
            line.push_str(lang.pick(" ngày ", " on "));
            line.push_str(&labels::date(lang, date));
        }
        if let Some(reason) = &r.reason {
            line.push_str(lang.pick(" — lý do: ", " — reason: "));
            line.push_str(reason);
        }
        h.el("<p id=\"revocation\">", &line, "</p>\n");
    }
    if let Some(id) = b.revocation.as_ref().and_then(|r| r.replaced_by.as_deref()) {
        replaced_by(h, lang, b.place, id);
    }
    if let Some(school) = b.school {
        let mut line = format!("{}{school}", lang.pick("Cấp bởi: ", "Issued by: "));
        if let Some(at) = b.signed_at {
            line.push_str(lang.pick(" · ký ngày ", " · signed on "));
            line.push_str(&labels::date(lang, at));
        }
        h.el(
            "<p class=\"verdict-issuer\" id=\"verdict-issuer\">",
            &line,
            "</p>\n",
        );
    }
    if let Some(note) = b.note {
        h.el("<p class=\"note\">", lang.message(note), "</p>\n");
    }
    if let Some(at) = b.status_as_of {
        let when = labels::time_of(lang, at);
        let line = match lang {
            Lang::Vi => format!(
                "Trạng thái thu hồi tính đến {when} (giờ Việt Nam), theo danh sách do nhà trường ký."
            ),
            Lang::En => format!(
                "Revocation status as of {when} (Vietnam time), from the school's signed list."
            ),
        };
        h.raw("<p class=\"as-of\" id=\"status-as-of\" data-at=\"")
            .text(
                &at.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            )
            .raw("\">")
            .text(&line)
            .raw("</p>\n");
    }
    h.raw("</section>\n");
}

/// The record that replaces a revoked one: its id, linked to the upload page primed with it.
/// The verifier holds no records and the school publishes none (they are personal data), so
/// the link cannot fetch it: the person checking asks the pupil or family for the replacement
/// and checks it there, where the id to expect is shown.
fn replaced_by(h: &mut Html, lang: Lang, place: Place, id: &str) {
    let base = html::upload_href(place, lang);
    let sep = if base.contains('?') { '&' } else { '?' };
    let href = format!("{base}{sep}replacement={id}");
    h.raw("<p id=\"replaced-by\" class=\"replaced-by\">")
        .text(lang.pick(
            "Nhà trường đã cấp hồ sơ thay thế: ",
            "The school has issued a replacement: ",
        ))
        .raw("<a id=\"replacement-link\" class=\"mono\" href=\"")
        .text(&href)
        .raw("\">")
        .text(id)
        .raw("</a>. ")
        .text(lang.pick(
            "Hãy đề nghị học sinh hoặc gia đình gửi hồ sơ thay thế, rồi kiểm tra hồ sơ đó.",
            "Ask the pupil or the family for the replacement, then check it.",
        ))
        .raw("</p>\n");
}

/// The note a valid verdict needs: revocation was not checked (the QR alone), or a check
/// warned (e.g. a stale trust list).
pub(super) fn status_note(kind: VerdictKind, checks: &[Check]) -> Option<Message> {
    if kind != VerdictKind::Valid {
        return None;
    }
    checks
        .iter()
        .find(|c| c.name == CheckName::Status && c.outcome != Outcome::Passed)
        .or_else(|| checks.iter().find(|c| c.outcome == Outcome::Warning))
        .map(|c| c.message)
}

/// The checks and the trust list: `<section id="checks">`.
pub(super) fn checks(h: &mut Html, lang: Lang, checks: &[Check], trust: Option<&TrustListInfo>) {
    h.raw("<section class=\"card\" id=\"checks\">\n")
        .el(
            "<h2>",
            lang.pick("Những gì đã được kiểm tra", "What was checked"),
            "</h2>\n",
        )
        .el(
            "<p class=\"lead\">",
            lang.pick(
                "Chữ ký số của nhà trường (tính toàn vẹn), đơn vị cấp, khóa ký, trạng thái thu hồi và thời hạn hiệu lực:",
                "The school's digital signature (integrity), the issuer, the signing key, revocation status and the validity period:",
            ),
            "</p>\n<ul class=\"checks\">\n",
        );
    for c in checks {
        let (mark, outcome_text) = match c.outcome {
            Outcome::Passed => ("✓", lang.pick("đạt", "passed")),
            Outcome::Failed => ("✗", lang.pick("không đạt", "failed")),
            Outcome::Warning => ("!", lang.pick("lưu ý", "warning")),
            Outcome::NotChecked => ("–", lang.pick("chưa kiểm tra", "not checked")),
        };
        h.raw("<li class=\"o-")
            .raw(c.outcome.as_str())
            .raw("\" data-check=\"")
            .raw(c.name.as_str())
            .raw("\" data-outcome=\"")
            .raw(c.outcome.as_str())
            .raw("\"><span class=\"mark\" aria-hidden=\"true\">")
            .raw(mark)
            .raw("</span><span><b>")
            .text(labels::check_name(lang, c.name))
            .raw("</b> <span class=\"sr\">(")
            .text(outcome_text)
            .raw(")</span> — ")
            .text(lang.message(c.message));
        if c.outcome != Outcome::Passed
            && let Some(detail) = &c.detail
        {
            h.el("<small class=\"mono\">", detail, "</small>");
        }
        h.raw("</span></li>\n");
    }
    h.raw("</ul>\n");
    if let Some(t) = trust {
        let line = match lang {
            Lang::Vi => format!(
                "Đối chiếu với danh sách tin cậy phiên bản {} của {}, lập ngày {}, cập nhật tiếp theo trước ngày {}.",
                t.version,
                t.authority.name,
                labels::date_of(lang, t.valid_from),
                labels::date_of(lang, t.valid_until)
            ),
            Lang::En => format!(
                "Checked against trust list version {} of {}, made on {}, next update due by {}.",
                t.version,
                t.authority.name,
                labels::date_of(lang, t.valid_from),
                labels::date_of(lang, t.valid_until)
            ),
        };
        h.raw("<p class=\"trust\" id=\"trust-list\" data-version=\"")
            .text(&t.version.to_string())
            .raw("\">")
            .text(&line)
            .raw("</p>\n");
    }
    h.raw("</section>\n");
}
