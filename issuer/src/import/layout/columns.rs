//! The columns of each level's template, in template order: the school and class, the
//! pupil, one group per subject, the year results.

use hocba_schema::record::{PeriodicTest, Subject, Term};
use hocba_schema::rules::curriculum::{periodic_tests, subject_rule};

use super::super::cells::{AWARD, Conv, PRIMARY_RESULT, PROMOTION};
use super::{
    Column, LayoutLevel, SubjectField, Target, col, subject_label, term_label, test_label,
};

/// The columns of `level`.
pub(super) fn columns(level: LayoutLevel) -> Vec<Column> {
    use Conv::*;
    use Target::{Block, Ignored, Path};
    let mut c = vec![
        col("STT", Ignored, false),
        col("Mã trường", Path(&["school", "code"], Text), true),
        col("Tên trường", Path(&["school", "name"], Text), true),
        col(
            "Mã Sở GD&ĐT",
            Path(&["school", "departmentCode"], Text),
            true,
        ),
        col("Tỉnh/Thành phố", Path(&["school", "province"], Text), true),
        col("Xã/Phường", Path(&["school", "commune"], Text), true),
        col(
            "Cấp học của trường",
            Path(&["school", "levels"], Levels),
            true,
        ),
        col("Năm học", Path(&["schoolYear"], Text), true),
        col("Khối", Path(&["grade"], Int), true),
        col("Lớp", Path(&["className"], Text), true),
        col(
            "Giáo viên chủ nhiệm",
            Path(&["homeroomTeacher"], Text),
            true,
        ),
        col("Người ký", Path(&["principal", "name"], Text), true),
        col(
            "Chức vụ người ký",
            Path(&["principal", "title"], Text),
            true,
        ),
        col("Nơi cấp", Path(&["placeOfIssue"], Text), true),
        col("Ngày xác nhận", Path(&["approvalDate"], Date), false),
        col("Họ và tên", Path(&["student", "fullName"], Text), true),
        col("Ngày sinh", Path(&["student", "dateOfBirth"], Date), true),
        col("Giới tính", Path(&["student", "gender"], Gender), true),
        col("Dân tộc", Path(&["student", "ethnicity"], Text), true),
        col("Quốc tịch", Path(&["student", "nationality"], Text), true),
        col("Nơi sinh", Path(&["student", "placeOfBirth"], Text), true),
        col(
            "Nơi ở hiện nay",
            Path(&["student", "residence"], Text),
            true,
        ),
        col(
            "Mã định danh",
            Path(&["student", "personalIdNumber"], Text),
            false,
        ),
        col("Mã học sinh", Path(&["student", "studentCode"], Text), true),
        col("Quê quán", Path(&["student", "hometown"], Text), false),
        col("Họ tên cha", Path(&["student", "fatherName"], Text), false),
        col(
            "Nghề nghiệp của cha",
            Path(&["student", "fatherOccupation"], Text),
            false,
        ),
        col("Họ tên mẹ", Path(&["student", "motherName"], Text), false),
        col(
            "Nghề nghiệp của mẹ",
            Path(&["student", "motherOccupation"], Text),
            false,
        ),
        col(
            "Họ tên người giám hộ",
            Path(&["student", "guardianName"], Text),
            false,
        ),
        col(
            "Nghề nghiệp của người giám hộ",
            Path(&["student", "guardianOccupation"], Text),
            false,
        ),
        col(
            "Đối tượng chính sách",
            Path(&["student", "policyGroup"], Text),
            false,
        ),
        col(
            "Khuyết tật",
            Path(&["student", "disabilityNote"], Text),
            false,
        ),
        col(
            "Số sổ đăng bộ",
            Path(&["student", "registrationNumber"], Text),
            false,
        ),
        col("Số buổi nghỉ", Path(&["daysAbsent"], Int), true),
    ];
    if level == LayoutLevel::Primary {
        c.extend([
            col("Chiều cao (cm)", Block(&["heightCm"], Int), false),
            col("Cân nặng (kg)", Block(&["weightKg"], Number), false),
            col(
                "Số ngày nghỉ có phép",
                Block(&["daysAbsentExcused"], Int),
                false,
            ),
            col(
                "Số ngày nghỉ không phép",
                Block(&["daysAbsentUnexcused"], Int),
                false,
            ),
        ]);
    }
    let grades = match level {
        LayoutLevel::Primary => 1..=5u8,
        LayoutLevel::Secondary => 6..=12u8,
    };
    for subject in Subject::ALL {
        if !grades.clone().any(|g| subject_rule(subject, g).is_some()) {
            continue;
        }
        let name = subject_label(level, subject);
        let sub = |field: SubjectField, label: &str| {
            col(
                &format!("{name} - {label}"),
                Target::Subject(subject, field),
                false,
            )
        };
        if matches!(
            subject,
            Subject::NgoaiNgu1 | Subject::TiengDanTocThieuSo | Subject::NgoaiNgu2
        ) {
            c.push(sub(SubjectField::Name, "Tên môn"));
        }
        match level {
            LayoutLevel::Primary => {
                c.push(sub(SubjectField::Rating, "Mức đạt"));
                for test in PeriodicTest::ALL {
                    if grades
                        .clone()
                        .any(|g| periodic_tests(subject, g).contains(&test))
                    {
                        c.push(sub(SubjectField::Test(test), test_label(test)));
                    }
                }
            }
            LayoutLevel::Secondary => {
                for term in Term::ALL {
                    c.push(sub(SubjectField::Term(term), term_label(term)));
                }
            }
        }
        c.push(sub(SubjectField::Comment, "Nhận xét"));
        c.push(sub(SubjectField::Teacher, "GV bộ môn"));
    }
    match level {
        LayoutLevel::Primary => {
            let qualities: [(&'static [&'static str], &str); 5] = [
                (&["qualities", "patriotism"], "Yêu nước"),
                (&["qualities", "compassion"], "Nhân ái"),
                (&["qualities", "diligence"], "Chăm chỉ"),
                (&["qualities", "honesty"], "Trung thực"),
                (&["qualities", "responsibility"], "Trách nhiệm"),
            ];
            for (path, label) in qualities {
                c.push(col(label, Block(path, Rating), true));
            }
            c.push(col(
                "Nhận xét phẩm chất",
                Block(&["qualitiesComment"], Text),
                false,
            ));
            let competencies: [(&'static [&'static str], &str); 10] = [
                (
                    &["competencies", "autonomyAndSelfLearning"],
                    "Tự chủ và tự học",
                ),
                (
                    &["competencies", "communicationAndCollaboration"],
                    "Giao tiếp và hợp tác",
                ),
                (
                    &["competencies", "problemSolvingAndCreativity"],
                    "Giải quyết vấn đề và sáng tạo",
                ),
                (&["competencies", "language"], "Ngôn ngữ"),
                (&["competencies", "numeracy"], "Tính toán"),
                (&["competencies", "science"], "Khoa học (năng lực)"),
                (&["competencies", "technology"], "Công nghệ (năng lực)"),
                (&["competencies", "informatics"], "Tin học (năng lực)"),
                (&["competencies", "aesthetics"], "Thẩm mĩ"),
                (&["competencies", "physical"], "Thể chất"),
            ];
            for (path, label) in competencies {
                // Công nghệ and Tin học are rated from grade 3 (the grade 1–2 forms do not
                // list them): optional columns, validation says where they are needed.
                let required = !matches!(path.last(), Some(&"technology" | &"informatics"));
                c.push(col(label, Block(path, Rating), required));
            }
            c.push(col(
                "Nhận xét năng lực",
                Block(&["competenciesComment"], Text),
                false,
            ));
            c.push(col(
                "Kết quả giáo dục",
                Block(&["yearResult"], Code(PRIMARY_RESULT)),
                true,
            ));
        }
        LayoutLevel::Secondary => {
            let results: [(&'static [&'static str], &str); 6] = [
                (&["learningResult", "semester1"], "Học tập - HK1"),
                (&["learningResult", "semester2"], "Học tập - HK2"),
                (&["learningResult", "year"], "Học tập - Cả năm"),
                (&["conductResult", "semester1"], "Rèn luyện - HK1"),
                (&["conductResult", "semester2"], "Rèn luyện - HK2"),
                (&["conductResult", "year"], "Rèn luyện - Cả năm"),
            ];
            for (path, label) in results {
                c.push(col(label, Block(path, Rating), true));
            }
        }
    }
    c.push(col("Lên lớp", Block(&["promotion"], Code(PROMOTION)), true));
    c.push(col("Danh hiệu", Block(&["award"], Code(AWARD)), false));
    c.push(col(
        "Khen thưởng khác",
        Block(&["otherAwards"], List),
        false,
    ));
    match level {
        LayoutLevel::Primary => c.push(col(
            "Hoàn thành chương trình tiểu học",
            Block(&["completedPrimaryProgramme"], Bool),
            false,
        )),
        LayoutLevel::Secondary => {
            c.push(col(
                "Hoàn thành chương trình THCS",
                Block(&["completedLowerSecondaryProgramme"], Bool),
                false,
            ));
            c.push(col("Chứng chỉ", Block(&["certificates"], List), false));
        }
    }
    c.push(col(
        "Nhận xét của GVCN",
        Path(&["teacherComment"], Text),
        true,
    ));
    c
}
