//! What the printed page says, laid out like the paper học bạ page of its level: national
//! header, title, school and pupil block (with the QR beside it), results table, qualities and
//! competencies (primary) or learning and conduct (secondary), year decisions, the teacher's
//! comment, signatures and the digital-signature line.

use hocba_schema::record::{
    PrimaryYear, RatingScale, SchoolLevel, SecondaryYear, Term, TestScore, YearRecord,
};

use super::fonts::Face;
use super::layout::{CONTENT_W, Column, Layout, MARGIN_X, PAGE_W};
use super::qr_image::QrMatrix;

/// What the page shows besides the record.
pub(crate) struct PageInfo<'a> {
    pub(crate) credential_id: &'a str,
    pub(crate) school_name: &'a str,
    /// `YYYY-MM-DD` of the proof's `created`.
    pub(crate) signed_date: &'a str,
    pub(crate) signed_at: &'a str,
    pub(crate) qr: &'a QrMatrix,
}

const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
/// QR side in points (40 mm).
const QR_SIZE: f32 = 113.4;

/// Lay out the whole record.
pub(crate) fn draw_record(l: &mut Layout, r: &YearRecord, info: &PageInfo<'_>) {
    header(l, r);
    pupil_block(l, r, info);
    match (&r.primary, &r.secondary) {
        (Some(p), _) => primary(l, p),
        (None, Some(s)) => secondary(l, s, r.grade),
        (None, None) => {}
    }
    closing(l, r, info);
}

fn header(l: &mut Layout, r: &YearRecord) {
    let top = l.y;
    let left_cx = MARGIN_X + 95.0;
    let right_cx = PAGE_W - MARGIN_X - 130.0;
    l.centered(
        left_cx,
        top - 10.0,
        Face::Regular,
        SMALL + 0.5,
        &format!("SỞ GD&ĐT {}", r.school.province.to_uppercase()),
    );
    let name = r.school.name.to_uppercase();
    let lines = l.wrap(Face::Bold, SMALL + 0.5, 190.0, &name);
    let mut y = top - 21.0;
    for line in &lines {
        l.centered(left_cx, y, Face::Bold, SMALL + 0.5, line);
        y -= 10.5;
    }
    l.centered(
        right_cx,
        top - 10.0,
        Face::Bold,
        SMALL + 0.5,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    );
    l.centered(
        right_cx,
        top - 21.0,
        Face::Bold,
        SMALL + 1.0,
        "Độc lập - Tự do - Hạnh phúc",
    );
    let w = l.width(Face::Bold, SMALL + 1.0, "Độc lập - Tự do - Hạnh phúc");
    l.line(
        right_cx - w / 2.0,
        top - 24.0,
        right_cx + w / 2.0,
        top - 24.0,
    );
    l.y = y.min(top - 30.0) - 8.0;
    let level = SchoolLevel::of_grade(r.grade)
        .map(|lv| lv.label_vi().to_uppercase())
        .unwrap_or_default();
    l.centered_line(Face::Bold, 15.0, "HỌC BẠ");
    l.centered_line(Face::Bold, 10.5, &level);
    l.centered_line(
        Face::Regular,
        10.0,
        &format!(
            "Năm học {} · Lớp {} · Khối {}",
            r.school_year, r.class_name, r.grade
        ),
    );
    l.gap(6.0);
}

fn pupil_block(l: &mut Layout, r: &YearRecord, info: &PageInfo<'_>) {
    let top = l.y;
    let width = CONTENT_W - QR_SIZE - 14.0;
    let s = &r.student;
    let x = MARGIN_X;
    l.field(x, width, BODY, "Họ và tên học sinh:", &s.full_name);
    let dob = s
        .birth_date()
        .map(|d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()))
        .unwrap_or_else(|| s.date_of_birth.clone());
    l.field(
        x,
        width,
        BODY,
        "Ngày sinh:",
        &format!(
            "{dob}   Giới tính: {}   Dân tộc: {}",
            s.gender.label_vi(),
            s.ethnicity
        ),
    );
    l.field(x, width, BODY, "Quốc tịch:", &s.nationality);
    l.field(x, width, BODY, "Nơi sinh:", &s.place_of_birth);
    l.field(x, width, BODY, "Chỗ ở hiện nay:", &s.residence);
    let ids = match &s.personal_id_number {
        Some(pid) => format!("{pid}   Mã học sinh: {}", s.student_code),
        None => format!("—   Mã học sinh: {}", s.student_code),
    };
    l.field(x, width, BODY, "Mã định danh cá nhân:", &ids);
    for (label, value) in [
        ("Họ tên cha:", &s.father_name),
        ("Họ tên mẹ:", &s.mother_name),
        ("Người giám hộ:", &s.guardian_name),
    ] {
        if let Some(v) = value {
            l.field(x, width, BODY, label, v);
        }
    }
    l.field(
        x,
        width,
        BODY,
        "Trường:",
        &format!("{} (mã trường {})", r.school.name, r.school.code),
    );
    l.field(
        x,
        width,
        BODY,
        "Xã/phường, tỉnh/thành phố:",
        &format!("{}, {}", r.school.commune, r.school.province),
    );
    l.field(x, width, BODY, "Giáo viên chủ nhiệm:", &r.homeroom_teacher);
    // The QR to the right of the block.
    let qx = PAGE_W - MARGIN_X - QR_SIZE;
    let qtop = top - 2.0;
    info.qr.draw(l, qx, qtop, QR_SIZE);
    l.centered(
        qx + QR_SIZE / 2.0,
        qtop - QR_SIZE - 9.0,
        Face::Italic,
        7.0,
        "Quét mã để xác minh · Scan to verify",
    );
    l.y = l.y.min(qtop - QR_SIZE - 14.0) - 6.0;
}

fn section(l: &mut Layout, title: &str) {
    l.ensure(40.0);
    l.gap(4.0);
    l.paragraph(MARGIN_X, CONTENT_W, Face::Bold, 10.5, title);
    l.gap(3.0);
}

fn score(s: Option<TestScore>) -> String {
    s.map(|v| match v.whole() {
        Some(w) => w.to_string(),
        None => v.value().to_string(),
    })
    .unwrap_or_default()
}

fn primary(l: &mut Layout, p: &PrimaryYear) {
    section(l, "1. Các môn học và hoạt động giáo dục");
    let cols = [
        Column {
            width: 112.0,
            centered: false,
        },
        Column {
            width: 40.0,
            centered: true,
        },
        Column {
            width: 26.0,
            centered: true,
        },
        Column {
            width: 26.0,
            centered: true,
        },
        Column {
            width: 26.0,
            centered: true,
        },
        Column {
            width: 26.0,
            centered: true,
        },
        Column {
            width: CONTENT_W - 256.0,
            centered: false,
        },
    ];
    let rows: Vec<Vec<String>> = p
        .subjects
        .iter()
        .map(|s| {
            let t = s.test_scores.as_ref();
            vec![
                s.name.clone(),
                if s.exempt {
                    "Miễn".into()
                } else {
                    s.rating.map(|r| r.code().to_owned()).unwrap_or_default()
                },
                score(t.and_then(|t| t.mid_semester1)),
                score(t.and_then(|t| t.end_semester1)),
                score(t.and_then(|t| t.mid_semester2)),
                score(t.map(|t| t.end_year)),
                s.comment.clone().unwrap_or_default(),
            ]
        })
        .collect();
    l.table(
        &cols,
        &[
            "Môn học và HĐGD",
            "Mức đạt được",
            "GK I",
            "CK I",
            "GK II",
            "CN",
            "Nhận xét",
        ],
        &rows,
        SMALL,
    );
    l.paragraph(
        MARGIN_X,
        CONTENT_W,
        Face::Italic,
        7.0,
        "Mức đạt được: T Hoàn thành tốt, H Hoàn thành, C Chưa hoàn thành. Điểm kiểm tra định kì: GK giữa kì, CK cuối kì, CN cuối năm học.",
    );

    section(l, "2. Những phẩm chất chủ yếu và năng lực cốt lõi");
    let q = p.qualities.entries();
    let c = p.competencies.entries();
    let label = |scale: RatingScale, r: hocba_schema::record::Rating| {
        format!("{} ({})", r.code(), scale.label_vi(r).unwrap_or(""))
    };
    let rows: Vec<Vec<String>> = (0..c.len().max(q.len()))
        .map(|i| {
            let (qn, qr) = q
                .get(i)
                .map(|(_, n, r)| ((*n).to_owned(), label(RatingScale::PrimaryQuality, *r)))
                .unwrap_or_default();
            let (cn, cr) = c
                .get(i)
                .map(|(_, n, r)| ((*n).to_owned(), label(RatingScale::PrimaryQuality, *r)))
                .unwrap_or_default();
            vec![qn, qr, cn, cr]
        })
        .collect();
    let w = CONTENT_W / 2.0;
    let cols = [
        Column {
            width: w - 80.0,
            centered: false,
        },
        Column {
            width: 80.0,
            centered: true,
        },
        Column {
            width: w - 80.0,
            centered: false,
        },
        Column {
            width: 80.0,
            centered: true,
        },
    ];
    l.table(
        &cols,
        &["Phẩm chất", "Mức đạt được", "Năng lực", "Mức đạt được"],
        &rows,
        SMALL,
    );
    for (label, text) in [
        ("Nhận xét phẩm chất:", &p.qualities_comment),
        ("Nhận xét năng lực:", &p.competencies_comment),
    ] {
        if let Some(t) = text {
            l.field(MARGIN_X, CONTENT_W, BODY, label, t);
        }
    }

    section(l, "3. Kết quả giáo dục cả năm");
    l.field(
        MARGIN_X,
        CONTENT_W,
        BODY,
        "Kết quả giáo dục:",
        p.year_result.label_vi(),
    );
    let award = p.award.map(|a| a.label_vi().to_owned());
    awards(l, award, &p.other_awards);
    if let Some(done) = p.completed_primary_programme {
        l.field(
            MARGIN_X,
            CONTENT_W,
            BODY,
            "Hoàn thành chương trình tiểu học:",
            if done { "Có" } else { "Chưa hoàn thành" },
        );
    }
    l.field(
        MARGIN_X,
        CONTENT_W,
        BODY,
        "Lên lớp:",
        p.promotion.label_vi(),
    );
}

fn awards(l: &mut Layout, award: Option<String>, other: &[String]) {
    let mut all: Vec<String> = award.into_iter().collect();
    all.extend(other.iter().cloned());
    let text = if all.is_empty() {
        "Không".to_owned()
    } else {
        all.join("; ")
    };
    l.field(MARGIN_X, CONTENT_W, BODY, "Khen thưởng:", &text);
}

fn secondary(l: &mut Layout, s: &SecondaryYear, grade: u8) {
    section(l, "1. Kết quả học tập các môn học và hoạt động giáo dục");
    let cols = [
        Column {
            width: 130.0,
            centered: false,
        },
        Column {
            width: 44.0,
            centered: true,
        },
        Column {
            width: 44.0,
            centered: true,
        },
        Column {
            width: 44.0,
            centered: true,
        },
        Column {
            width: CONTENT_W - 262.0,
            centered: false,
        },
    ];
    let rows: Vec<Vec<String>> = s
        .subjects
        .iter()
        .map(|sub| {
            let cell = |term: Term| {
                if sub.exempt {
                    "Miễn".to_owned()
                } else {
                    sub.printed(term).unwrap_or_default()
                }
            };
            vec![
                sub.name.clone(),
                cell(Term::Semester1),
                cell(Term::Semester2),
                cell(Term::Year),
                sub.comment.clone().unwrap_or_default(),
            ]
        })
        .collect();
    l.table(
        &cols,
        &["Môn học / HĐGD", "HK I", "HK II", "Cả năm", "Nhận xét"],
        &rows,
        SMALL,
    );
    l.paragraph(
        MARGIN_X,
        CONTENT_W,
        Face::Italic,
        7.0,
        "Điểm trung bình môn học kì và cả năm; môn đánh giá bằng nhận xét: Đ Đạt, CĐ Chưa đạt.",
    );

    section(l, "2. Kết quả học tập và rèn luyện");
    let label = |r: hocba_schema::record::Rating| {
        format!(
            "{} ({})",
            r.code(),
            RatingScale::SecondaryResult.label_vi(r).unwrap_or("")
        )
    };
    let cols = [
        Column {
            width: 150.0,
            centered: false,
        },
        Column {
            width: (CONTENT_W - 150.0) / 3.0,
            centered: true,
        },
        Column {
            width: (CONTENT_W - 150.0) / 3.0,
            centered: true,
        },
        Column {
            width: (CONTENT_W - 150.0) / 3.0,
            centered: true,
        },
    ];
    let rows = vec![
        vec![
            "Kết quả học tập".to_owned(),
            label(s.learning_result.semester1),
            label(s.learning_result.semester2),
            label(s.learning_result.year),
        ],
        vec![
            "Kết quả rèn luyện".to_owned(),
            label(s.conduct_result.semester1),
            label(s.conduct_result.semester2),
            label(s.conduct_result.year),
        ],
    ];
    l.table(
        &cols,
        &["", "Học kì I", "Học kì II", "Cả năm"],
        &rows,
        SMALL,
    );

    section(l, "3. Quyết định cuối năm");
    l.field(
        MARGIN_X,
        CONTENT_W,
        BODY,
        "Lên lớp:",
        s.promotion.label_vi(),
    );
    awards(l, s.award.map(|a| a.label_vi().to_owned()), &s.other_awards);
    if let Some(done) = s.completed_lower_secondary_programme {
        l.field(
            MARGIN_X,
            CONTENT_W,
            BODY,
            "Hoàn thành chương trình trung học cơ sở:",
            if done { "Có" } else { "Chưa hoàn thành" },
        );
    } else if grade == 12 {
        l.field(MARGIN_X, CONTENT_W, BODY, "Hoàn thành chương trình:", "—");
    }
}

fn closing(l: &mut Layout, r: &YearRecord, info: &PageInfo<'_>) {
    l.field(
        MARGIN_X,
        CONTENT_W,
        BODY,
        "Số buổi nghỉ học:",
        &r.days_absent.to_string(),
    );
    section(l, "Nhận xét của giáo viên chủ nhiệm");
    l.paragraph(MARGIN_X, CONTENT_W, Face::Regular, BODY, &r.teacher_comment);

    // Signatures.
    l.ensure(120.0);
    l.gap(10.0);
    let top = l.y;
    let left_cx = MARGIN_X + 100.0;
    let right_cx = PAGE_W - MARGIN_X - 120.0;
    let date = r
        .approval_date
        .as_deref()
        .and_then(hocba_schema::record::parse_date)
        .map(|d| {
            format!(
                "{}, ngày {:02} tháng {:02} năm {}",
                r.place_of_issue,
                d.day(),
                u8::from(d.month()),
                d.year()
            )
        })
        .unwrap_or_else(|| r.place_of_issue.clone());
    l.centered(right_cx, top - 10.0, Face::Italic, BODY, &date);
    l.centered(left_cx, top - 24.0, Face::Bold, BODY, "GIÁO VIÊN CHỦ NHIỆM");
    l.centered(
        right_cx,
        top - 24.0,
        Face::Bold,
        BODY,
        &r.principal.title.to_uppercase(),
    );
    l.centered(left_cx, top - 64.0, Face::Bold, BODY, &r.homeroom_teacher);
    l.centered(right_cx, top - 64.0, Face::Bold, BODY, &r.principal.name);
    l.y = top - 76.0;

    let line = format!(
        "Đã ký số bởi {} (mã trường {}) ngày {}, phê duyệt bởi {} {} — mã hồ sơ {}",
        info.school_name,
        r.school.code,
        info.signed_date,
        r.principal.title.to_lowercase(),
        r.principal.name,
        info.credential_id
    );
    l.paragraph(MARGIN_X, CONTENT_W, Face::Italic, SMALL, &line);
    l.paragraph(
        MARGIN_X,
        CONTENT_W,
        Face::Italic,
        7.0,
        &format!(
            "Chữ ký số Ed25519 (eddsa-jcs-2022) lúc {}. Tệp hồ sơ đã ký (hocba-credential.json) được đính kèm trong tệp PDF này; mã QR mang bản tóm tắt có chữ ký của nhà trường.",
            info.signed_at
        ),
    );
    footer(l, info);
}

fn footer(l: &mut Layout, info: &PageInfo<'_>) {
    let text = format!("Trang {} · {}", l.page_number(), info.credential_id);
    l.centered(PAGE_W / 2.0, 24.0, Face::Regular, 6.5, &text);
}
