//! A synthetic province for benchmarks and tests: deterministic (seeded), realistic Vietnamese
//! names, grades 1–12 in primary, lower and upper secondary schools, classes of about 35, and
//! results whose derived values (year averages, learning results, year results, promotion,
//! awards) agree with the rules, so every record validates clean.
//!
//! The marks are drawn at random around each pupil's ability; the derived values are then
//! taken from what [`hocba_schema::validation`] computes for them. Nothing here is real data.

mod names;
pub mod nation;
mod rng;

use hocba_schema::record::Average;
use hocba_schema::record::{
    Competencies, Gender, PeriodicTest, PrimarySubjectResult, PrimaryYear, PrimaryYearResult,
    Promotion, Qualities, Rating, School, SchoolLevel, SecondarySubjectResult, SecondaryYear,
    Signatory, Student, StudyPeriod, TermRatings, TestScore, YearRecord,
};
use hocba_schema::rules::age::usual_age;
use hocba_schema::rules::curriculum::{
    Assessment, Requirement, UPPER_SECONDARY_CHOSEN_SUBJECTS, periodic_tests, subjects_for_grade,
};
use hocba_schema::rules::personal_id::gender_century_digit;
use hocba_schema::validation::validate;
use serde_json::Value;

pub use rng::Rng;

/// The school year of the synthetic records.
pub const SCHOOL_YEAR: &str = "2025-2026";
const SCHOOL_YEAR_START: i32 = 2025;
/// Pupils per class.
pub const CLASS_SIZE: usize = 35;
/// Department code and province of the synthetic schools.
const DEPARTMENT: &str = "25";
const PROVINCE: &str = "Phú Thọ";
/// Province code of birth registration in the personal identification numbers.
const BIRTH_PROVINCE: &str = "017";

/// One school and the records of its pupils.
#[derive(Debug, Clone)]
pub struct SyntheticSchool {
    /// The school.
    pub school: School,
    /// Its pupils' records, class by class.
    pub records: Vec<YearRecord>,
}

/// A school of `level` with `code`.
pub fn school(code: &str, name: &str, level: SchoolLevel) -> School {
    School {
        code: code.to_owned(),
        name: name.to_owned(),
        department_code: DEPARTMENT.to_owned(),
        province: PROVINCE.to_owned(),
        commune: "Phường Hòa Bình".to_owned(),
        levels: vec![level],
    }
}

/// A province of about `pupils` pupils: grades 1–12 in equal parts, classes of
/// [`CLASS_SIZE`], primary schools with 2 classes per grade, lower secondary with 3, upper
/// secondary with 4.
pub fn province(pupils: usize, seed: u64) -> Vec<SyntheticSchool> {
    let mut schools = Vec::new();
    province_each(pupils, seed, |s| schools.push(s));
    schools
}

/// [`province`] one school at a time (primary schools first, then lower and upper secondary,
/// each level by school number), so that a caller writing a large province out never holds
/// all of it.
pub fn province_each(pupils: usize, seed: u64, mut each: impl FnMut(SyntheticSchool)) {
    let mut rng = Rng::new(seed);
    let mut serial = 0u32;
    let in_grade = |grade: u8| pupils / 12 + usize::from(usize::from(grade) <= pupils % 12);
    for level in [
        SchoolLevel::Primary,
        SchoolLevel::LowerSecondary,
        SchoolLevel::UpperSecondary,
    ] {
        let (per_school, level_digit, kind) = match level {
            SchoolLevel::Primary => (2, 1, "Tiểu học"),
            SchoolLevel::LowerSecondary => (3, 2, "THCS"),
            SchoolLevel::UpperSecondary => (4, 3, "THPT"),
        };
        let grades: Vec<u8> = (1..=12u8)
            .filter(|&g| SchoolLevel::of_grade(g) == Some(level))
            .collect();
        let schools = grades
            .iter()
            .map(|&g| in_grade(g).div_ceil(CLASS_SIZE).div_ceil(per_school))
            .max()
            .unwrap_or(0);
        for school_no in 0..schools {
            let code = format!("25{level_digit}{school_no:05}");
            let name = format!("Trường {kind} {}", names::school_name(school_no));
            let school = school(&code, &name, level);
            let mut records = Vec::new();
            for &grade in &grades {
                let pupils_in_grade = in_grade(grade);
                let classes = pupils_in_grade.div_ceil(CLASS_SIZE);
                for k in school_no * per_school..classes.min((school_no + 1) * per_school) {
                    let size = CLASS_SIZE.min(pupils_in_grade - k * CLASS_SIZE);
                    let class_name = format!("{grade}{}", class_letter(k % per_school));
                    records.extend(class_with(
                        &school,
                        grade,
                        &class_name,
                        size,
                        &mut rng,
                        &mut serial,
                    ));
                }
            }
            each(SyntheticSchool { school, records });
        }
    }
}

fn class_letter(i: usize) -> char {
    char::from(b'A' + u8::try_from(i % 26).unwrap_or(0))
}

/// One class of `pupils` pupils of `grade` at `school`.
pub fn class(
    school: &School,
    grade: u8,
    class_name: &str,
    pupils: usize,
    seed: u64,
) -> Vec<YearRecord> {
    let mut rng = Rng::new(seed);
    let mut serial = u32::try_from(seed % 100_000).unwrap_or(0) * 10;
    class_with(school, grade, class_name, pupils, &mut rng, &mut serial)
}

fn class_with(
    school: &School,
    grade: u8,
    class_name: &str,
    pupils: usize,
    rng: &mut Rng,
    serial: &mut u32,
) -> Vec<YearRecord> {
    let female = rng.chance(80);
    let teacher = names::full_name(rng, female).0;
    let female = rng.chance(50);
    let principal = names::full_name(rng, female).0;
    (0..pupils)
        .map(|_| {
            *serial += 1;
            let record = pupil_record(
                school, grade, class_name, &teacher, &principal, rng, *serial,
            );
            make_consistent(record)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn pupil_record(
    school: &School,
    grade: u8,
    class_name: &str,
    teacher: &str,
    principal: &str,
    rng: &mut Rng,
    serial: u32,
) -> YearRecord {
    let female = rng.chance(50);
    let gender = if female { Gender::Female } else { Gender::Male };
    let (full_name, family) = names::full_name(rng, female);
    let birth_year = SCHOOL_YEAR_START - usual_age(grade);
    let month = 1 + rng.below(12) as u8;
    let day = 1 + rng.below(28) as u8;
    let century = gender_century_digit(gender, birth_year).unwrap_or(2);
    let personal_id = format!(
        "{BIRTH_PROVINCE}{century}{:02}{:06}",
        birth_year.rem_euclid(100),
        serial % 1_000_000
    );
    let ability = rng.below(3); // 0 strong, 1 average, 2 weaker
    let father = format!("{family} {}", names::given_male(rng));
    let mother = names::full_name(rng, true).0;
    let level = SchoolLevel::of_grade(grade).unwrap_or(SchoolLevel::Primary);
    let (primary, secondary) = if level == SchoolLevel::Primary {
        (Some(primary_year(grade, ability, rng)), None)
    } else {
        (None, Some(secondary_year(grade, ability, rng)))
    };
    YearRecord {
        record_type: None,
        student: Student {
            full_name,
            date_of_birth: format!("{birth_year:04}-{month:02}-{day:02}"),
            gender,
            ethnicity: if rng.chance(70) { "Kinh" } else { "Mường" }.to_owned(),
            nationality: "Việt Nam".to_owned(),
            place_of_birth: "Thành phố Hòa Bình, tỉnh Hòa Bình".to_owned(),
            residence: format!("Tổ {}, phường Hòa Bình, tỉnh Phú Thọ", 1 + rng.below(30)),
            hometown: Some("Xã Tân Lạc, tỉnh Phú Thọ".to_owned()),
            personal_id_number: Some(personal_id),
            student_code: format!("25{serial:08}"),
            father_name: Some(father),
            father_occupation: Some(OCCUPATIONS[rng.below(4) as usize].to_owned()),
            mother_name: Some(mother),
            mother_occupation: Some(OCCUPATIONS[rng.below(4) as usize].to_owned()),
            guardian_name: None,
            guardian_occupation: None,
            policy_group: None,
            disability_note: None,
            registration_number: Some(format!(
                "{}/{}",
                serial % 1000,
                SCHOOL_YEAR_START - i32::from(grade) + 1
            )),
        },
        school: school.clone(),
        school_year: SCHOOL_YEAR.to_owned(),
        grade,
        class_name: class_name.to_owned(),
        homeroom_teacher: teacher.to_owned(),
        principal: Signatory {
            name: principal.to_owned(),
            title: "Hiệu trưởng".to_owned(),
        },
        place_of_issue: "Hòa Bình".to_owned(),
        approval_date: Some("2026-05-29".to_owned()),
        days_absent: u16::try_from(rng.below(6)).unwrap_or(0),
        primary,
        secondary,
        teacher_comment: names::TEACHER_COMMENTS[ability as usize].to_owned(),
        study_history: vec![StudyPeriod {
            school_year: SCHOOL_YEAR.to_owned(),
            class_name: class_name.to_owned(),
            school_name: school.name.clone(),
            left_on: None,
        }],
    }
}

/// Parents' occupations as the forms write them.
const OCCUPATIONS: [&str; 4] = ["Làm ruộng", "Công nhân", "Giáo viên", "Kinh doanh"];

fn primary_year(grade: u8, ability: u64, rng: &mut Rng) -> PrimaryYear {
    let rating = |rng: &mut Rng| match ability {
        0 => Rating::T,
        1 => {
            if rng.chance(50) {
                Rating::T
            } else {
                Rating::H
            }
        }
        _ => Rating::H,
    };
    let score = |rng: &mut Rng| {
        let base = match ability {
            0 => 8,
            1 => 6,
            _ => 5,
        };
        TestScore::new(base + rng.below(3) as u8)
    };
    let subjects = subjects_for_grade(grade)
        .into_iter()
        .filter(|r| r.requirement == Requirement::Compulsory)
        .map(|r| {
            let tests = periodic_tests(r.subject, grade);
            let test_scores = (!tests.is_empty()).then(|| {
                let mut get = |t: PeriodicTest| tests.contains(&t).then(|| score(rng));
                hocba_schema::record::TestScores {
                    mid_semester1: get(PeriodicTest::MidSemester1),
                    end_semester1: get(PeriodicTest::EndSemester1),
                    mid_semester2: get(PeriodicTest::MidSemester2),
                    end_year: score(rng),
                }
            });
            PrimarySubjectResult {
                code: r.subject.code().to_owned(),
                name: r.subject.name_vi().to_owned(),
                exempt: false,
                exemption_note: None,
                rating: Some(rating(rng)),
                test_scores,
                comment: Some(names::SUBJECT_COMMENTS[rng.below(4) as usize].to_owned()),
                teacher: None,
            }
        })
        .collect();
    let q = |rng: &mut Rng| {
        if ability == 0 || rng.chance(60) {
            Rating::T
        } else {
            Rating::D
        }
    };
    PrimaryYear {
        subjects,
        qualities: Qualities {
            patriotism: q(rng),
            compassion: q(rng),
            diligence: q(rng),
            honesty: q(rng),
            responsibility: q(rng),
        },
        competencies: Competencies {
            autonomy_and_self_learning: q(rng),
            communication_and_collaboration: q(rng),
            problem_solving_and_creativity: q(rng),
            language: q(rng),
            numeracy: q(rng),
            science: q(rng),
            // The grade 1–2 forms list no Công nghệ / Tin học competency.
            technology: (grade >= 3).then(|| q(rng)),
            informatics: (grade >= 3).then(|| q(rng)),
            aesthetics: q(rng),
            physical: q(rng),
        },
        qualities_comment: Some("Chăm chỉ, trung thực, biết giúp đỡ bạn bè.".to_owned()),
        competencies_comment: Some("Tự giác học tập, mạnh dạn trình bày ý kiến.".to_owned()),
        year_result: PrimaryYearResult::Completed,
        // Circular 27, Art. 11: grades 1–4 complete the grade's programme; grade 5 goes up with
        // the primary programme completed.
        promotion: if grade <= 4 {
            Promotion::CompletedGrade
        } else {
            Promotion::Promoted
        },
        award: None,
        other_awards: Vec::new(),
        completed_primary_programme: (grade == 5).then_some(true),
        height_cm: Some(110 + 6 * u16::from(grade) + rng.below(8) as u16),
        weight_kg: Some(f64::from(18 + 3 * u32::from(grade) + rng.below(6) as u32)),
        days_absent_excused: Some(rng.below(3) as u16),
        days_absent_unexcused: Some(0),
    }
}

fn secondary_year(grade: u8, ability: u64, rng: &mut Rng) -> SecondaryYear {
    let rules = subjects_for_grade(grade);
    let mut chosen: Vec<_> = rules
        .iter()
        .filter(|r| r.requirement == Requirement::Chosen)
        .collect();
    let offset = rng.below(chosen.len().max(1) as u64) as usize;
    chosen.rotate_left(offset);
    chosen.truncate(UPPER_SECONDARY_CHOSEN_SUBJECTS);
    let base = match ability {
        0 => 80,
        1 => 65,
        _ => 52,
    };
    let subjects = rules
        .iter()
        .filter(|r| {
            r.requirement == Requirement::Compulsory
                || chosen.iter().any(|c| c.subject == r.subject)
        })
        .map(|r| {
            let mut s = SecondarySubjectResult {
                code: r.subject.code().to_owned(),
                name: r.subject.name_vi().to_owned(),
                exempt: false,
                exemption_note: None,
                semester1_average: None,
                semester2_average: None,
                year_average: None,
                semester1_rating: None,
                semester2_rating: None,
                year_rating: None,
                comment: None,
                teacher: None,
            };
            if r.assessment == Assessment::Commented {
                s.semester1_rating = Some(Rating::D);
                s.semester2_rating = Some(Rating::D);
                s.year_rating = Some(Rating::D);
            } else {
                let tenths = |rng: &mut Rng| base + rng.below(20) as u16;
                let (a, b) = (tenths(rng), tenths(rng));
                let year = (u32::from(a) + 2 * u32::from(b) + 1) / 3;
                s.semester1_average = Some(Average::from_f64(f64::from(a) / 10.0));
                s.semester2_average = Some(Average::from_f64(f64::from(b) / 10.0));
                s.year_average = Some(Average::from_f64(f64::from(year) / 10.0));
            }
            s
        })
        .collect();
    let k = TermRatings {
        semester1: Rating::K,
        semester2: Rating::K,
        year: Rating::K,
    };
    SecondaryYear {
        subjects,
        learning_result: k.clone(),
        conduct_result: TermRatings {
            semester1: Rating::T,
            semester2: Rating::T,
            year: Rating::T,
        },
        promotion: Promotion::Promoted,
        award: None,
        other_awards: Vec::new(),
        completed_lower_secondary_programme: (grade == 9).then_some(true),
        certificates: Vec::new(),
        summer: None,
    }
}

/// Take every derived value from what the rules compute, until validation is clean.
fn make_consistent(record: YearRecord) -> YearRecord {
    let mut record = record;
    for _ in 0..6 {
        let report = validate(&record);
        if report.is_clean() {
            break;
        }
        let Ok(mut doc) = serde_json::to_value(&record) else {
            break;
        };
        let mut changed = false;
        for p in &report.problems {
            let Some(expected) = &p.expected else {
                continue;
            };
            if expected.is_null() {
                changed |= remove_at(&mut doc, &p.pointer);
            } else if let Some(slot) = doc.pointer_mut(&p.pointer) {
                *slot = expected.clone();
                changed = true;
            } else {
                changed |= insert_at(&mut doc, &p.pointer, expected.clone());
            }
        }
        match serde_json::from_value(doc) {
            Ok(r) if changed => record = r,
            _ => break,
        }
    }
    record
}

fn split_pointer(pointer: &str) -> Option<(&str, &str)> {
    pointer.rsplit_once('/')
}

fn remove_at(doc: &mut Value, pointer: &str) -> bool {
    let Some((parent, key)) = split_pointer(pointer) else {
        return false;
    };
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .is_some_and(|m| m.remove(key).is_some())
}

fn insert_at(doc: &mut Value, pointer: &str, value: Value) -> bool {
    let Some((parent, key)) = split_pointer(pointer) else {
        return false;
    };
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .map(|m| m.insert(key.to_owned(), value))
        .is_some()
}
