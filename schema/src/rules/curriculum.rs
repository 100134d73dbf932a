//! Which subjects each grade allows or requires, and how each is assessed — the 2018 general
//! education programme as Circular 27/2020 (primary) and Circular 22/2021 (secondary) assess it.
//!
//! | grades | compulsory | elective |
//! |---|---|---|
//! | 1–2 | Tiếng Việt, Toán, Đạo đức, Tự nhiên và Xã hội, Giáo dục thể chất, Âm nhạc, Mĩ thuật, Hoạt động trải nghiệm | Ngoại ngữ 1, Tiếng dân tộc thiểu số |
//! | 3 | as 1–2, plus Ngoại ngữ 1, Tin học và Công nghệ | Tiếng dân tộc thiểu số |
//! | 4–5 | Tiếng Việt, Toán, Đạo đức, Ngoại ngữ 1, Lịch sử và Địa lí, Khoa học, Tin học và Công nghệ, Giáo dục thể chất, Âm nhạc, Mĩ thuật, Hoạt động trải nghiệm | Tiếng dân tộc thiểu số |
//! | 6–9 | Ngữ văn, Toán, Ngoại ngữ 1, Giáo dục công dân, Lịch sử và Địa lí, Khoa học tự nhiên, Công nghệ, Tin học, Giáo dục thể chất, Âm nhạc, Mĩ thuật, HĐTN-HN, Nội dung GD địa phương | Tiếng dân tộc thiểu số, Ngoại ngữ 2 |
//! | 10–12 | Ngữ văn, Toán, Ngoại ngữ 1, Lịch sử, Giáo dục thể chất, GDQP-AN, HĐTN-HN, Nội dung GD địa phương | exactly four chosen of Địa lí, GD Kinh tế và Pháp luật, Vật lí, Hóa học, Sinh học, Công nghệ, Tin học, Âm nhạc, Mĩ thuật; optional Tiếng dân tộc thiểu số, Ngoại ngữ 2 |
//!
//! Primary Tin học và Công nghệ (grades 3–5) may be written as its two printed parts, `tin_hoc`
//! and `cong_nghe` ([`Requirement::PartOf`]): both parts then stand for the compulsory subject,
//! each with its rating, tests and comment. The optional rows of the secondary forms (Tiếng dân
//! tộc thiểu số, Ngoại ngữ 2) are scored subjects like Ngoại ngữ 1.
//!
//! Primary periodic tests: Tiếng Việt and Toán in every grade; Ngoại ngữ 1 and Tin học và Công
//! nghệ from grade 3; Lịch sử và Địa lí and Khoa học in grades 4–5. Every tested subject has
//! tests at the end of semester I and of the year; Tiếng Việt and Toán in grades 4–5 also at mid
//! semester I and II.
//!
//! Secondary subjects assessed by comment only (Đ / CĐ): Giáo dục thể chất, Âm nhạc, Mĩ thuật,
//! HĐTN-HN, Nội dung giáo dục địa phương. Every other secondary subject is scored.

use crate::record::{PeriodicTest, Subject};

/// Whether a subject must appear in a grade's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// Bắt buộc — every pupil of the grade has it.
    Compulsory,
    /// Tự chọn — optional (Ngoại ngữ 1 in grades 1–2, Tiếng dân tộc thiểu số, Ngoại ngữ 2).
    Optional,
    /// One printed part of a compulsory subject (primary Tin học and Công nghệ, the parts of
    /// Tin học và Công nghệ): the record has either the whole subject or both its parts.
    PartOf(Subject),
    /// Môn học lựa chọn — one of the subjects from which a grade 10–12 pupil takes exactly
    /// [`UPPER_SECONDARY_CHOSEN_SUBJECTS`].
    Chosen,
}

/// How a subject is assessed in a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assessment {
    /// Primary: a rating T / H / C with a comment, plus periodic test scores when `tested`.
    Primary {
        /// Whether the subject has periodic tests in this grade.
        tested: bool,
    },
    /// Secondary: averages per semester and year (nhận xét kết hợp điểm số).
    Scored,
    /// Secondary: Đ / CĐ per semester and year (nhận xét).
    Commented,
}

/// A subject's place in a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubjectRule {
    /// The subject.
    pub subject: Subject,
    /// Compulsory, optional or chosen.
    pub requirement: Requirement,
    /// How it is assessed.
    pub assessment: Assessment,
}

/// How many chosen subjects a grade 10–12 pupil takes.
pub const UPPER_SECONDARY_CHOSEN_SUBJECTS: usize = 4;

/// The subject's place in `grade`, or `None` when the grade does not have it.
pub fn subject_rule(subject: Subject, grade: u8) -> Option<SubjectRule> {
    use Requirement::*;
    use Subject::*;
    let primary = |requirement: Requirement, tested: bool| SubjectRule {
        subject,
        requirement,
        assessment: Assessment::Primary { tested },
    };
    let secondary = |requirement: Requirement| SubjectRule {
        subject,
        requirement,
        assessment: if is_comment_assessed(subject) {
            Assessment::Commented
        } else {
            Assessment::Scored
        },
    };
    match grade {
        1..=5 => match subject {
            TiengViet | Toan => Some(primary(Compulsory, true)),
            DaoDuc | GiaoDucTheChat | AmNhac | MiThuat | HoatDongTraiNghiem => {
                Some(primary(Compulsory, false))
            }
            TiengDanTocThieuSo => Some(primary(Optional, false)),
            NgoaiNgu1 if grade <= 2 => Some(primary(Optional, false)),
            NgoaiNgu1 | TinHocVaCongNghe if grade >= 3 => Some(primary(Compulsory, true)),
            TinHoc | CongNghe if grade >= 3 => Some(primary(PartOf(TinHocVaCongNghe), true)),
            TuNhienVaXaHoi if grade <= 3 => Some(primary(Compulsory, false)),
            LichSuVaDiaLi | KhoaHoc if grade >= 4 => Some(primary(Compulsory, true)),
            _ => None,
        },
        6..=9 => match subject {
            NguVan
            | Toan
            | NgoaiNgu1
            | GiaoDucCongDan
            | LichSuVaDiaLi
            | KhoaHocTuNhien
            | CongNghe
            | TinHoc
            | GiaoDucTheChat
            | AmNhac
            | MiThuat
            | HoatDongTraiNghiemHuongNghiep
            | NoiDungGiaoDucDiaPhuong => Some(secondary(Compulsory)),
            TiengDanTocThieuSo | NgoaiNgu2 => Some(secondary(Optional)),
            _ => None,
        },
        10..=12 => match subject {
            NguVan
            | Toan
            | NgoaiNgu1
            | LichSu
            | GiaoDucTheChat
            | GiaoDucQuocPhongVaAnNinh
            | HoatDongTraiNghiemHuongNghiep
            | NoiDungGiaoDucDiaPhuong => Some(secondary(Compulsory)),
            DiaLi
            | GiaoDucKinhTeVaPhapLuat
            | VatLi
            | HoaHoc
            | SinhHoc
            | CongNghe
            | TinHoc
            | AmNhac
            | MiThuat => Some(secondary(Chosen)),
            TiengDanTocThieuSo | NgoaiNgu2 => Some(secondary(Optional)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a secondary subject is assessed by comment only (Đ / CĐ).
pub fn is_comment_assessed(subject: Subject) -> bool {
    matches!(
        subject,
        Subject::GiaoDucTheChat
            | Subject::AmNhac
            | Subject::MiThuat
            | Subject::HoatDongTraiNghiem
            | Subject::HoatDongTraiNghiemHuongNghiep
            | Subject::NoiDungGiaoDucDiaPhuong
    )
}

/// The printed parts of a subject in `grade` (primary Tin học và Công nghệ: Tin học, Công
/// nghệ); empty for a subject printed as one row.
pub fn parts_of(subject: Subject, grade: u8) -> Vec<Subject> {
    Subject::ALL
        .into_iter()
        .filter(|s| {
            subject_rule(*s, grade).is_some_and(|r| r.requirement == Requirement::PartOf(subject))
        })
        .collect()
}

/// Whether an exemption (Miễn) from `subject` is routine, needing no written grounds: Giáo dục
/// thể chất and the arts (Âm nhạc, Mĩ thuật), from which pupils are commonly exempted for
/// health reasons. Any other exempt subject needs a disability or exemption note.
pub fn exemption_is_routine(subject: Subject) -> bool {
    matches!(
        subject,
        Subject::GiaoDucTheChat | Subject::AmNhac | Subject::MiThuat
    )
}

/// Every subject `grade` allows, in the học bạ's order.
pub fn subjects_for_grade(grade: u8) -> Vec<SubjectRule> {
    Subject::ALL
        .into_iter()
        .filter_map(|s| subject_rule(s, grade))
        .collect()
}

/// The periodic tests a primary subject has in `grade` (empty when it is not tested).
pub fn periodic_tests(subject: Subject, grade: u8) -> &'static [PeriodicTest] {
    const END_ONLY: &[PeriodicTest] = &[PeriodicTest::EndSemester1, PeriodicTest::EndYear];
    const WITH_MID: &[PeriodicTest] = &PeriodicTest::ALL;
    match subject_rule(subject, grade) {
        Some(SubjectRule {
            assessment: Assessment::Primary { tested: true },
            ..
        }) => {
            if matches!(subject, Subject::TiengViet | Subject::Toan) && grade >= 4 {
                WITH_MID
            } else {
                END_ONLY
            }
        }
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compulsory(grade: u8) -> Vec<&'static str> {
        subjects_for_grade(grade)
            .into_iter()
            .filter(|r| r.requirement == Requirement::Compulsory)
            .map(|r| r.subject.code())
            .collect()
    }

    #[test]
    fn primary_grades() {
        assert_eq!(compulsory(1).len(), 8);
        assert!(!compulsory(1).contains(&"ngoai_ngu_1"));
        assert!(compulsory(3).contains(&"ngoai_ngu_1"));
        assert!(compulsory(3).contains(&"tu_nhien_va_xa_hoi"));
        assert!(!compulsory(4).contains(&"tu_nhien_va_xa_hoi"));
        assert_eq!(compulsory(5).len(), 11);
        assert_eq!(
            subject_rule(Subject::NgoaiNgu1, 2).map(|r| r.requirement),
            Some(Requirement::Optional)
        );
        assert_eq!(subject_rule(Subject::KhoaHoc, 3), None);
        assert_eq!(
            parts_of(Subject::TinHocVaCongNghe, 4),
            vec![Subject::CongNghe, Subject::TinHoc]
        );
        assert!(parts_of(Subject::TinHocVaCongNghe, 2).is_empty());
        assert_eq!(periodic_tests(Subject::TinHoc, 3).len(), 2);
        assert_eq!(subject_rule(Subject::NgoaiNgu2, 5), None);
        assert_eq!(subject_rule(Subject::NguVan, 5), None);
    }

    #[test]
    fn tests_per_grade() {
        assert_eq!(periodic_tests(Subject::Toan, 3).len(), 2);
        assert_eq!(periodic_tests(Subject::Toan, 4).len(), 4);
        assert_eq!(periodic_tests(Subject::KhoaHoc, 5).len(), 2);
        assert!(periodic_tests(Subject::NgoaiNgu1, 2).is_empty());
        assert_eq!(periodic_tests(Subject::NgoaiNgu1, 3).len(), 2);
        assert!(periodic_tests(Subject::DaoDuc, 5).is_empty());
        assert!(periodic_tests(Subject::Toan, 6).is_empty());
    }

    #[test]
    fn secondary_grades() {
        assert_eq!(compulsory(6).len(), 13);
        assert_eq!(compulsory(9), compulsory(6));
        assert_eq!(compulsory(10).len(), 8);
        let chosen: Vec<_> = subjects_for_grade(11)
            .into_iter()
            .filter(|r| r.requirement == Requirement::Chosen)
            .collect();
        assert_eq!(chosen.len(), 9);
        assert_eq!(
            subject_rule(Subject::AmNhac, 11).map(|r| r.assessment),
            Some(Assessment::Commented)
        );
        assert_eq!(
            subject_rule(Subject::GiaoDucQuocPhongVaAnNinh, 12).map(|r| r.assessment),
            Some(Assessment::Scored)
        );
        assert_eq!(subject_rule(Subject::GiaoDucCongDan, 10), None);
        for grade in 6..=12 {
            for optional in [Subject::NgoaiNgu2, Subject::TiengDanTocThieuSo] {
                assert_eq!(
                    subject_rule(optional, grade),
                    Some(SubjectRule {
                        subject: optional,
                        requirement: Requirement::Optional,
                        assessment: Assessment::Scored
                    })
                );
            }
        }
        assert_eq!(subject_rule(Subject::Toan, 0), None);
        assert_eq!(subject_rule(Subject::Toan, 13), None);
    }
}
