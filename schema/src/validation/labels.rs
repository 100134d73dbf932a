//! Names of the record's fields in Vietnamese and English, for messages: a problem at
//! `/secondary/subjects/3/yearAverage` is about "điểm trung bình môn cả năm (ĐTBmcn)".

/// The Vietnamese and English name of a JSON field name.
fn key_label(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "type" => ("loại tài liệu", "document type"),
        "student" => ("thông tin học sinh", "student"),
        "fullName" => ("họ và tên", "full name"),
        "dateOfBirth" => ("ngày sinh", "date of birth"),
        "gender" => ("giới tính", "gender"),
        "ethnicity" => ("dân tộc", "ethnicity"),
        "nationality" => ("quốc tịch", "nationality"),
        "placeOfBirth" => ("nơi sinh", "place of birth"),
        "residence" => ("nơi ở hiện nay", "residence"),
        "personalIdNumber" => ("mã định danh cá nhân", "personal identification number"),
        "studentCode" => ("mã học sinh", "MOET student code"),
        "fatherName" => ("họ và tên cha", "father's name"),
        "motherName" => ("họ và tên mẹ", "mother's name"),
        "guardianName" => ("họ và tên người giám hộ", "guardian's name"),
        "policyGroup" => ("đối tượng chính sách", "policy group"),
        "disabilityNote" => ("ghi chú khuyết tật", "disability note"),
        "school" => ("nhà trường", "school"),
        "code" => ("mã", "code"),
        "name" => ("tên", "name"),
        "departmentCode" => ("mã Sở GD&ĐT", "Department of Education code"),
        "province" => ("tỉnh / thành phố", "province"),
        "commune" => ("xã / phường", "commune or ward"),
        "levels" => ("cấp học", "school levels"),
        "schoolYear" => ("năm học", "school year"),
        "grade" => ("khối lớp", "grade"),
        "className" => ("tên lớp", "class name"),
        "homeroomTeacher" => ("giáo viên chủ nhiệm", "homeroom teacher"),
        "principal" => ("hiệu trưởng", "principal"),
        "title" => ("chức vụ", "title"),
        "placeOfIssue" => ("nơi cấp", "place of issue"),
        "approvalDate" => ("ngày xác nhận", "approval date"),
        "daysAbsent" => ("số buổi nghỉ", "days absent"),
        "primary" => ("kết quả cấp tiểu học", "primary results"),
        "secondary" => ("kết quả cấp trung học", "secondary results"),
        "subjects" => ("môn học và hoạt động giáo dục", "subjects"),
        "exempt" => ("miễn học", "exemption"),
        "hometown" => ("quê quán", "home town"),
        "fatherOccupation" => ("nghề nghiệp của cha", "father's occupation"),
        "motherOccupation" => ("nghề nghiệp của mẹ", "mother's occupation"),
        "guardianOccupation" => ("nghề nghiệp của người giám hộ", "guardian's occupation"),
        "registrationNumber" => ("số sổ đăng bộ", "enrolment register number"),
        "studyHistory" => ("quá trình học tập", "schooling"),
        "schoolName" => ("tên trường", "school name"),
        "leftOn" => ("ngày chuyển đi", "date the pupil left"),
        "heightCm" => ("chiều cao (cm)", "height (cm)"),
        "weightKg" => ("cân nặng (kg)", "weight (kg)"),
        "daysAbsentExcused" => ("số ngày nghỉ có phép", "days absent with permission"),
        "daysAbsentUnexcused" => ("số ngày nghỉ không phép", "days absent without permission"),
        "teacher" => ("giáo viên bộ môn", "subject teacher"),
        "certificates" => ("chứng chỉ", "certificates"),
        "summer" => (
            "kết quả sau kiểm tra lại / rèn luyện trong hè",
            "results after the summer",
        ),
        "decision" => ("quyết định sau hè", "decision after the summer"),
        "average" => ("điểm trung bình sau kiểm tra lại", "re-assessed average"),
        "exemptionNote" => ("lý do miễn", "grounds of the exemption"),
        "rating" => ("mức đạt được", "rating"),
        "testScores" => ("điểm kiểm tra định kì", "periodic test scores"),
        "midSemester1" => ("điểm kiểm tra giữa học kì I", "mid-semester I test score"),
        "endSemester1" => (
            "điểm kiểm tra cuối học kì I",
            "end-of-semester I test score",
        ),
        "midSemester2" => ("điểm kiểm tra giữa học kì II", "mid-semester II test score"),
        "endYear" => ("điểm kiểm tra cuối năm học", "year-end test score"),
        "comment" => ("nhận xét", "comment"),
        "qualities" => ("phẩm chất chủ yếu", "core qualities"),
        "patriotism" => ("phẩm chất yêu nước", "quality: patriotism"),
        "compassion" => ("phẩm chất nhân ái", "quality: compassion"),
        "diligence" => ("phẩm chất chăm chỉ", "quality: diligence"),
        "honesty" => ("phẩm chất trung thực", "quality: honesty"),
        "responsibility" => ("phẩm chất trách nhiệm", "quality: responsibility"),
        "competencies" => ("năng lực cốt lõi", "core competencies"),
        "autonomyAndSelfLearning" => (
            "năng lực tự chủ và tự học",
            "competency: autonomy and self-learning",
        ),
        "communicationAndCollaboration" => (
            "năng lực giao tiếp và hợp tác",
            "competency: communication and collaboration",
        ),
        "problemSolvingAndCreativity" => (
            "năng lực giải quyết vấn đề và sáng tạo",
            "competency: problem solving and creativity",
        ),
        "language" => ("năng lực ngôn ngữ", "competency: language"),
        "numeracy" => ("năng lực tính toán", "competency: numeracy"),
        "science" => ("năng lực khoa học", "competency: science"),
        "technology" => ("năng lực công nghệ", "competency: technology"),
        "informatics" => ("năng lực tin học", "competency: informatics"),
        "aesthetics" => ("năng lực thẩm mĩ", "competency: aesthetics"),
        "physical" => ("năng lực thể chất", "competency: physical"),
        "qualitiesComment" => ("nhận xét về phẩm chất", "comment on qualities"),
        "competenciesComment" => ("nhận xét về năng lực", "comment on competencies"),
        "yearResult" => ("đánh giá kết quả giáo dục cả năm", "year result"),
        "promotion" => ("quyết định lên lớp", "promotion decision"),
        "award" => ("danh hiệu khen thưởng", "award title"),
        "otherAwards" => ("khen thưởng khác", "other awards"),
        "completedPrimaryProgramme" => (
            "hoàn thành chương trình tiểu học",
            "completion of the primary programme",
        ),
        "completedLowerSecondaryProgramme" => (
            "hoàn thành chương trình trung học cơ sở",
            "completion of the lower-secondary programme",
        ),
        "semester1Average" => ("điểm trung bình môn học kì I", "semester I average"),
        "semester2Average" => ("điểm trung bình môn học kì II", "semester II average"),
        "yearAverage" => ("điểm trung bình môn cả năm (ĐTBmcn)", "year average"),
        "semester1Rating" => ("mức đánh giá học kì I", "semester I rating"),
        "semester2Rating" => ("mức đánh giá học kì II", "semester II rating"),
        "yearRating" => ("mức đánh giá cả năm", "year rating"),
        "learningResult" => ("kết quả học tập", "learning result"),
        "conductResult" => ("kết quả rèn luyện", "conduct result"),
        "semester1" => ("học kì I", "semester I"),
        "semester2" => ("học kì II", "semester II"),
        "year" => ("cả năm", "the year"),
        "teacherComment" => (
            "nhận xét của giáo viên chủ nhiệm",
            "homeroom teacher's comment",
        ),
        _ => return None,
    })
}

/// Split an RFC 6901 pointer into its unescaped segments.
pub(crate) fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The Vietnamese and English names of the field a pointer designates.
pub(crate) fn field_label(pointer: &str) -> (String, String) {
    let segs = segments(pointer);
    let Some(last) = segs.last() else {
        return ("Bản ghi học bạ".into(), "The record".into());
    };
    // An item of a list: "môn học thứ 4" / "subject no. 4".
    if let Ok(index) = last.parse::<usize>() {
        let parent = segs.len().checked_sub(2).and_then(|i| segs.get(i));
        let (vi, en) = match parent.map(String::as_str) {
            Some("subjects") => ("Môn học", "Subject"),
            Some("otherAwards") => ("Khen thưởng", "Award"),
            Some("levels") => ("Cấp học", "School level"),
            _ => ("Phần tử", "Item"),
        };
        return (
            format!("{vi} thứ {}", index + 1),
            format!("{en} no. {}", index + 1),
        );
    }
    let parent = segs
        .len()
        .checked_sub(2)
        .and_then(|i| segs.get(i))
        .map(String::as_str);
    match (parent, key_label(last)) {
        // learningResult/semester1 → "kết quả học tập học kì I".
        (Some("learningResult"), Some((vi, en))) => (
            capitalise(&format!("kết quả học tập {vi}")),
            format!("Learning result, {en}"),
        ),
        (Some("conductResult"), Some((vi, en))) => (
            capitalise(&format!("kết quả rèn luyện {vi}")),
            format!("Conduct result, {en}"),
        ),
        (Some("school"), Some(_)) if last == "code" || last == "name" => {
            let (vi, en) = if last == "code" {
                ("mã trường", "school code")
            } else {
                ("tên trường", "school name")
            };
            (capitalise(vi), capitalise(en))
        }
        (Some(p), Some(_))
            if p.parse::<usize>().is_ok()
                && segs.len() >= 3
                && segs[segs.len() - 3] == "subjects"
                && (last == "code" || last == "name") =>
        {
            if last == "code" {
                ("Mã môn học".into(), "Subject code".into())
            } else {
                ("Tên môn học".into(), "Subject name".into())
            }
        }
        (Some("principal"), Some(_)) if last == "name" => {
            ("Họ và tên hiệu trưởng".into(), "Principal's name".into())
        }
        (_, Some((vi, en))) => (capitalise(vi), capitalise(en)),
        (_, None) => (format!("Trường `{last}`"), format!("Field `{last}`")),
    }
}

/// Upper-case the first letter.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            field_label("/secondary/subjects/3/yearAverage").0,
            "Điểm trung bình môn cả năm (ĐTBmcn)"
        );
        assert_eq!(
            field_label("/secondary/learningResult/semester1"),
            (
                "Kết quả học tập học kì I".to_owned(),
                "Learning result, semester I".to_owned()
            )
        );
        assert_eq!(field_label("/primary/subjects/0").1, "Subject no. 1");
        assert_eq!(field_label("/school/code").0, "Mã trường");
        assert_eq!(field_label("/primary/subjects/2/code").0, "Mã môn học");
        assert_eq!(field_label("/student/foo").1, "Field `foo`");
        assert_eq!(field_label("").1, "The record");
        assert_eq!(segments("/a~1b/~0c"), vec!["a/b", "~c"]);
    }
}
