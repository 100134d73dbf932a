//! The QR landing page: the verdict on the school-signed summary in a printed record's QR
//! code, and the summary's fields in the order of the paper page, to compare with it.

use crate::SummaryVerdict;
use hocba_schema::paper::words;
use hocba_schema::qr::LevelSummary;
use hocba_schema::record::RatingScale;

use super::html::{self, Html, Place, Shell};
use super::verdict::{self, Banner, VerdictKind};
use super::{Lang, labels};

/// The whole page.
pub(super) fn page(v: &SummaryVerdict, lang: Lang) -> String {
    let kind = VerdictKind::of(v.result(), v.checks());
    let signed = VerdictKind::content_is_signed(v.checks());
    let title = format!(
        "{} — {}",
        kind.label(lang),
        lang.pick("Kiểm tra mã QR học bạ", "Học bạ QR check")
    );
    let shell = Shell {
        lang,
        title: &title,
        place: Place::QrLanding,
        page: "qr",
    };
    html::page(&shell, |h| {
        h.el(
            "<h1>",
            lang.pick("Kiểm tra mã QR trên học bạ", "QR code on a school record"),
            "</h1>\n",
        );
        let info = v.info();
        verdict::banner(
            h,
            lang,
            &Banner {
                kind,
                message: v.message(),
                school: v.school_name().filter(|_| signed),
                signed_at: Some(info.signed_at.as_str()).filter(|_| signed),
                note: verdict::status_note(kind, v.checks()),
                revocation: super::revocation(v.checks()),
                place: Place::QrLanding,
                status_as_of: v.status_as_of(),
            },
        );
        fields(h, v, lang, kind, signed);
        verdict::checks(h, lang, v.checks(), Some(v.trust_list()));
    })
}

fn fields(h: &mut Html, v: &SummaryVerdict, lang: Lang, kind: VerdictKind, signed: bool) {
    let info = v.info();
    let s = v.signed_summary().summary();
    let (class, heading, lead) = match (signed, kind) {
        (true, VerdictKind::Valid) => (
            "card",
            lang.pick("Nội dung nhà trường đã ký", "What the school signed"),
            lang.pick(
                "Hãy so sánh với bản học bạ giấy: mọi thông tin dưới đây phải trùng khớp.",
                "Compare with the paper record: everything below must match it.",
            ),
        ),
        (true, _) => (
            "card",
            lang.pick("Nội dung nhà trường đã ký", "What the school signed"),
            lang.pick(
                "Nội dung này do nhà trường ký, nhưng xem kết luận ở trên trước khi dùng hồ sơ.",
                "The school signed this content, but read the verdict above before relying on the record.",
            ),
        ),
        (false, _) => (
            "card unverified",
            lang.pick(
                "Nội dung ghi trong mã QR (chưa được xác thực)",
                "What the QR code says (not verified)",
            ),
            lang.pick(
                "Không thể xác nhận nội dung này do nhà trường ký: đừng dựa vào nó.",
                "This content could not be confirmed as signed by the school: do not rely on it.",
            ),
        ),
    };
    h.raw("<section class=\"")
        .raw(class)
        .raw("\" id=\"record\" data-signed=\"")
        .raw(if signed { "true" } else { "false" })
        .raw("\">\n")
        .el("<h2>", heading, "</h2>\n")
        .el("<p class=\"lead\">", lead, "</p>\n<dl class=\"fields\">\n");
    h.field(
        Some("pupil-name"),
        lang.pick("Họ và tên học sinh", "Pupil's full name"),
        &info.pupil_name,
    );
    h.field(
        Some("date-of-birth"),
        lang.pick("Ngày sinh", "Date of birth"),
        &labels::date(lang, &info.date_of_birth),
    );
    let school = match v.school_name() {
        Some(name) => format!(
            "{name} ({} {})",
            lang.pick("mã trường", "school code"),
            info.school_code
        ),
        None => format!(
            "{} {}",
            lang.pick("Mã trường", "School code"),
            info.school_code
        ),
    };
    h.field(Some("school"), lang.pick("Trường", "School"), &school);
    h.field(
        Some("school-year"),
        lang.pick("Năm học", "School year"),
        &info.school_year,
    );
    let grade = match labels::level(lang, info.grade) {
        Some(level) => format!("{} · {level}", info.grade),
        None => info.grade.to_string(),
    };
    h.field(Some("grade"), lang.pick("Khối", "Grade"), &grade);
    h.field(Some("class"), lang.pick("Lớp", "Class"), &info.class_name);
    match s.results {
        LevelSummary::Primary { year_result } => {
            h.field(
                Some("year-result"),
                lang.pick("Kết quả giáo dục cả năm", "Year result"),
                &labels::year_result(lang, year_result),
            );
        }
        LevelSummary::Secondary { learning, conduct } => {
            h.field(
                Some("learning-result"),
                lang.pick("Kết quả học tập cả năm", "Learning result (year)"),
                &labels::rating(lang, RatingScale::SecondaryResult, learning),
            );
            h.field(
                Some("conduct-result"),
                lang.pick("Kết quả rèn luyện cả năm", "Conduct result (year)"),
                &labels::rating(lang, RatingScale::SecondaryResult, conduct),
            );
        }
    }
    // After the summer (summary version 3): the results the paper's section 4 prints, worded
    // and labelled as it prints them.
    if let Some(after) = s.summer {
        let results = [
            (
                "learning-after-summer",
                words::LEARNING_AFTER_SUMMER,
                after.learning,
            ),
            (
                "conduct-after-summer",
                words::CONDUCT_AFTER_SUMMER,
                after.conduct,
            ),
        ];
        for (id, label, rating) in results {
            if let Some(r) = rating {
                h.field(
                    Some(id),
                    labels::label(lang, label),
                    &labels::rating(lang, RatingScale::SecondaryResult, r),
                );
            }
        }
    }
    h.field(
        Some("promotion"),
        labels::label(lang, words::DECISION),
        &labels::promotion(lang, s.promotion),
    );
    // The awards line as the paper prints it: the title, then the other awards. A version 1
    // summary does not carry the other awards: the page says so rather than "none".
    let mut award = labels::awards(lang, s.award, &s.other_awards);
    if s.version < 2 {
        award = match s.award {
            Some(a) => labels::award(lang, a),
            None => String::new(),
        };
        let note = lang.pick(
            "mã QR cũ không ghi các khen thưởng khác: xem học bạ",
            "an older QR code does not carry other awards: see the record",
        );
        award = if award.is_empty() {
            format!("({note})")
        } else {
            format!("{award} ({note})")
        };
    }
    h.field(Some("award"), lang.pick("Khen thưởng", "Awards"), &award);
    if let Some(done) = labels::completion(lang, s.completion) {
        h.field(
            Some("completion"),
            labels::completion_label(lang, info.grade),
            &done,
        );
    }
    // The date the paper carries above the signatures; then when it was signed digitally.
    if let Some(date) = &info.record_date {
        h.field(
            Some("record-date"),
            lang.pick("Ngày ghi trên học bạ", "Date on the record"),
            &labels::date(lang, date),
        );
    }
    h.field(
        Some("signed-at"),
        lang.pick("Ngày ký số", "Digitally signed on"),
        &labels::date(lang, &info.signed_at),
    );
    if let Some(replaced) = &info.replaces {
        h.raw("<dt>")
            .text(lang.pick("Thay thế hồ sơ đã thu hồi", "Replaces the revoked record"))
            .raw("</dt><dd id=\"replaces\" class=\"mono\">")
            .text(replaced)
            .raw("</dd>\n");
    }
    h.raw("<dt>")
        .text(lang.pick("Mã hồ sơ", "Record id"))
        .raw("</dt><dd id=\"credential-id\" class=\"mono\">")
        .text(&info.credential_id)
        .raw("</dd>\n</dl>\n");
    h.raw("<p class=\"hint\">")
        .text(lang.pick(
            "Mã QR chỉ mang bản tóm tắt có chữ ký của nhà trường. Bảng kết quả từng môn nằm trong tệp PDF của học bạ: ",
            "The QR code carries only a summary signed by the school. The subject-by-subject results are in the record's PDF file: ",
        ))
        .raw("<a href=\"")
        .text(&html::upload_href(Place::QrLanding, lang))
        .raw("\">")
        .text(lang.pick("tải tệp lên để kiểm tra", "upload it to check it"))
        .raw("</a>.</p>\n</section>\n");
}
