//! The stable codes of the validation rules. A code never changes meaning; new rules get new
//! codes. `schema/docs/record.md` lists them with their source.

use serde::{Deserialize, Serialize};

use super::Severity;

/// A validation rule. Serialised as its kebab-case code, e.g. `score-range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    // ── Reading the JSON ───────────────────────────────────────────────────────────────────
    /// The bytes are not JSON (or not UTF-8, or have trailing characters).
    JsonSyntax,
    /// JSON nested deeper than the parser allows.
    JsonTooDeep,
    /// The document is larger than [`super::MAX_RECORD_BYTES`].
    JsonTooLarge,
    /// An object has the same key twice.
    DuplicateKey,
    /// A field that is not part of the format (often a misspelt name).
    UnknownField,
    /// A required field is missing.
    RequiredFieldMissing,
    /// A value of the wrong JSON type (a string for a number, `null`, …).
    WrongType,
    /// A value outside a closed list of codes (a rating `A`, a gender `male`, …).
    ValueNotAllowed,
    /// A number too large for its field or for JSON.
    NumberOutOfRange,

    // ── Text ───────────────────────────────────────────────────────────────────────────────
    /// A text field is empty or only spaces.
    TextEmpty,
    /// A text field is longer than its limit.
    TextTooLong,
    /// A text field holds a control character (line breaks only in comments).
    TextControlCharacter,
    /// Text not in Unicode NFC (warning; the parsed record is normalised).
    TextNotNfc,

    // ── Identity and the year ──────────────────────────────────────────────────────────────
    /// `type` is present but not `HocBaYearRecord`.
    RecordType,
    /// A date that is not a valid `YYYY-MM-DD` calendar date.
    DateFormat,
    /// A date of birth impossible for the grade (error).
    DateOfBirthImplausible,
    /// A date of birth unusual for the grade (warning).
    DateOfBirthUnusual,
    /// A personal identification number that is not 12 digits.
    PersonalIdFormat,
    /// No personal identification number (warning).
    PersonalIdMissing,
    /// Digits 1–3 of the personal identification number are no province code (warning).
    PersonalIdProvince,
    /// Digit 4 disagrees with the gender and the century of birth (warning).
    PersonalIdGenderCentury,
    /// Digits 5–6 disagree with the year of birth (warning).
    PersonalIdBirthYear,
    /// A student, school or Department code with characters other than ASCII letters and
    /// digits, or too long.
    CodeFormat,
    /// Neither father, mother nor guardian is named.
    ParentOrGuardianMissing,
    /// The school lists no level, or a level twice.
    SchoolLevels,
    /// The school year is not `YYYY-YYYY` with consecutive years.
    SchoolYearFormat,
    /// The grade is outside 1–12.
    GradeRange,
    /// The grade belongs to a level the school does not teach.
    GradeNotInSchoolLevel,
    /// The class name starts with a number other than the grade (warning).
    ClassNameGrade,
    /// The approval date is before the school year began.
    ApprovalDateBeforeSchoolYear,
    /// The results block for the grade's level (`primary` or `secondary`) is missing.
    LevelResultsMissing,
    /// A results block for the other level is present.
    LevelResultsMismatch,

    // ── Subjects ───────────────────────────────────────────────────────────────────────────
    /// A subject code outside the catalogue.
    SubjectUnknown,
    /// A subject the grade does not have.
    SubjectNotAllowedForGrade,
    /// The same subject twice.
    SubjectDuplicate,
    /// A compulsory subject of the grade is missing.
    SubjectRequiredMissing,
    /// A subject written both whole and as its printed parts (primary Tin học và Công nghệ).
    SubjectPartsMixed,
    /// An exempt subject (outside Giáo dục thể chất and the arts) without a disability or
    /// exemption note (warning the school confirms).
    ExemptionWithoutGrounds,
    /// A competency the grade's form does not list (Công nghệ, Tin học in grades 1–2; warning).
    CompetencyNotInGrade,
    /// A grade 10–12 record without exactly four chosen subjects.
    ElectiveCount,
    /// A list longer than the format allows.
    ListTooLong,
    /// A height, weight or count of days outside what a pupil can have.
    MeasureRange,
    /// Quá trình học tập rows out of year order, later than the record's year, or one year
    /// twice without a transfer to another school.
    StudyHistoryOrder,
    /// Quá trình học tập has no row for the record's year, or that row's class or school is not
    /// the record's.
    StudyHistoryCurrentYear,
    /// An exempt subject carries a rating, scores or averages.
    ExemptWithResults,
    /// A subject lacks its rating or one of its averages.
    ResultMissing,
    /// Averages on a comment subject or ratings on a scored subject.
    AssessmentKindMismatch,
    /// A primary subject without the teacher's comment.
    CommentMissing,
    /// A rating from another set than the place allows (e.g. `H` in secondary).
    RatingNotInSet,
    /// A periodic test the subject does not have in this grade.
    TestNotAllowed,
    /// A tested primary subject without its year-end test score.
    TestScoreMissing,
    /// A primary test score that is not a whole number.
    ScoreNotInteger,
    /// A primary test score outside 1–10.
    ScoreRange,
    /// A secondary average outside 0–10.
    AverageRange,
    /// A secondary average with more than one decimal.
    AverageDecimals,

    // ── Year-end decisions ─────────────────────────────────────────────────────────────────
    /// A promotion decision the level does not use.
    PromotionNotForLevel,
    /// An award title the level does not give.
    AwardNotForLevel,
    /// Completion of the primary or lower-secondary programme outside grade 5 or 9.
    CompletionWrongGrade,
    /// Grade 5 or 9 without the completion decision.
    CompletionMissing,

    // ── Derived results that disagree with the rules (warnings) ────────────────────────────
    /// The year average is not (S1 + 2 × S2) / 3 rounded to one decimal.
    YearAverageMismatch,
    /// The learning result is not what Circular 22 gives for the averages and ratings.
    LearningResultMismatch,
    /// The primary year result is not what Circular 27 gives.
    YearResultMismatch,
    /// The promotion decision disagrees with the results and absences.
    PromotionMismatch,
    /// The award title disagrees with the results.
    AwardMismatch,
    /// The completion decision disagrees with the year's results.
    CompletionMismatch,
    /// The year's conduct result is not what the two semesters give (Circular 22, Art. 8(2)(b)).
    ConductResultMismatch,
    /// A comment subject's year rating is not its semester II rating (Circular 22, Art. 9(1)).
    YearRatingMismatch,
    /// Results after the summer where the year-end decision or results call for none.
    SummerNotExpected,
    /// A re-assessed subject the pupil is not re-assessed in (Circular 22, Art. 14).
    ReassessmentNotEligible,
}

impl Rule {
    /// The stable kebab-case code, e.g. `score-range`.
    pub fn code(self) -> &'static str {
        use Rule::*;
        match self {
            JsonSyntax => "json-syntax",
            JsonTooDeep => "json-too-deep",
            JsonTooLarge => "json-too-large",
            DuplicateKey => "duplicate-key",
            UnknownField => "unknown-field",
            RequiredFieldMissing => "required-field-missing",
            WrongType => "wrong-type",
            ValueNotAllowed => "value-not-allowed",
            NumberOutOfRange => "number-out-of-range",
            TextEmpty => "text-empty",
            TextTooLong => "text-too-long",
            TextControlCharacter => "text-control-character",
            TextNotNfc => "text-not-nfc",
            RecordType => "record-type",
            DateFormat => "date-format",
            DateOfBirthImplausible => "date-of-birth-implausible",
            DateOfBirthUnusual => "date-of-birth-unusual",
            PersonalIdFormat => "personal-id-format",
            PersonalIdMissing => "personal-id-missing",
            PersonalIdProvince => "personal-id-province",
            PersonalIdGenderCentury => "personal-id-gender-century",
            PersonalIdBirthYear => "personal-id-birth-year",
            CodeFormat => "code-format",
            ParentOrGuardianMissing => "parent-or-guardian-missing",
            SchoolLevels => "school-levels",
            SchoolYearFormat => "school-year-format",
            GradeRange => "grade-range",
            GradeNotInSchoolLevel => "grade-not-in-school-level",
            ClassNameGrade => "class-name-grade",
            ApprovalDateBeforeSchoolYear => "approval-date-before-school-year",
            LevelResultsMissing => "level-results-missing",
            LevelResultsMismatch => "level-results-mismatch",
            SubjectUnknown => "subject-unknown",
            SubjectNotAllowedForGrade => "subject-not-allowed-for-grade",
            SubjectDuplicate => "subject-duplicate",
            SubjectRequiredMissing => "subject-required-missing",
            SubjectPartsMixed => "subject-parts-mixed",
            ExemptionWithoutGrounds => "exemption-without-grounds",
            CompetencyNotInGrade => "competency-not-in-grade",
            ElectiveCount => "elective-count",
            ListTooLong => "list-too-long",
            MeasureRange => "measure-range",
            StudyHistoryOrder => "study-history-order",
            StudyHistoryCurrentYear => "study-history-current-year",
            ExemptWithResults => "exempt-with-results",
            ResultMissing => "result-missing",
            AssessmentKindMismatch => "assessment-kind-mismatch",
            CommentMissing => "comment-missing",
            RatingNotInSet => "rating-not-in-set",
            TestNotAllowed => "test-not-allowed",
            TestScoreMissing => "test-score-missing",
            ScoreNotInteger => "score-not-integer",
            ScoreRange => "score-range",
            AverageRange => "average-range",
            AverageDecimals => "average-decimals",
            PromotionNotForLevel => "promotion-not-for-level",
            AwardNotForLevel => "award-not-for-level",
            CompletionWrongGrade => "completion-wrong-grade",
            CompletionMissing => "completion-missing",
            YearAverageMismatch => "year-average-mismatch",
            LearningResultMismatch => "learning-result-mismatch",
            YearResultMismatch => "year-result-mismatch",
            PromotionMismatch => "promotion-mismatch",
            AwardMismatch => "award-mismatch",
            CompletionMismatch => "completion-mismatch",
            ConductResultMismatch => "conduct-result-mismatch",
            YearRatingMismatch => "year-rating-mismatch",
            SummerNotExpected => "summer-not-expected",
            ReassessmentNotEligible => "reassessment-not-eligible",
        }
    }

    /// Whether breaking the rule blocks signing (error) or asks a person to look (warning).
    pub fn severity(self) -> Severity {
        use Rule::*;
        match self {
            TextNotNfc
            | DateOfBirthUnusual
            | PersonalIdMissing
            | PersonalIdProvince
            | PersonalIdGenderCentury
            | PersonalIdBirthYear
            | ClassNameGrade
            | ExemptionWithoutGrounds
            | CompetencyNotInGrade
            | YearAverageMismatch
            | LearningResultMismatch
            | YearResultMismatch
            | PromotionMismatch
            | AwardMismatch
            | CompletionMismatch
            | ConductResultMismatch
            | YearRatingMismatch => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Whether a warning of this rule must be confirmed by the school before the record is
    /// signed (issue #12, item 9). A warning that does not need confirmation never blocks
    /// signing: the record is signed and the warning stays in the report.
    ///
    /// Confirmation is needed where signing would put a value on the record that the rules
    /// or the population database contradict — a derived result that disagrees with the
    /// rules (the school writes what it decided, but must say so), a personal identification
    /// number that disagrees with the date of birth or gender, an exemption without grounds.
    /// Text normalised to NFC (lossless: the signed output is NFC), an unusual age, a missing
    /// personal identification number (pupils without one), a class name that does not start
    /// with the grade and a competency the grade's form does not list need no confirmation.
    pub fn needs_confirmation(self) -> bool {
        use Rule::*;
        self.severity() == Severity::Warning
            && !matches!(
                self,
                TextNotNfc
                    | DateOfBirthUnusual
                    | PersonalIdMissing
                    | ClassNameGrade
                    | CompetencyNotInGrade
            )
    }

    /// Every rule, for documentation and tests.
    pub const ALL: [Rule; 69] = {
        use Rule::*;
        [
            JsonSyntax,
            JsonTooDeep,
            JsonTooLarge,
            DuplicateKey,
            UnknownField,
            RequiredFieldMissing,
            WrongType,
            ValueNotAllowed,
            NumberOutOfRange,
            TextEmpty,
            TextTooLong,
            TextControlCharacter,
            TextNotNfc,
            RecordType,
            DateFormat,
            DateOfBirthImplausible,
            DateOfBirthUnusual,
            PersonalIdFormat,
            PersonalIdMissing,
            PersonalIdProvince,
            PersonalIdGenderCentury,
            PersonalIdBirthYear,
            CodeFormat,
            ParentOrGuardianMissing,
            SchoolLevels,
            SchoolYearFormat,
            GradeRange,
            GradeNotInSchoolLevel,
            ClassNameGrade,
            ApprovalDateBeforeSchoolYear,
            LevelResultsMissing,
            LevelResultsMismatch,
            SubjectUnknown,
            SubjectNotAllowedForGrade,
            SubjectDuplicate,
            SubjectRequiredMissing,
            SubjectPartsMixed,
            ExemptionWithoutGrounds,
            CompetencyNotInGrade,
            ElectiveCount,
            ListTooLong,
            MeasureRange,
            StudyHistoryOrder,
            StudyHistoryCurrentYear,
            ExemptWithResults,
            ResultMissing,
            AssessmentKindMismatch,
            CommentMissing,
            RatingNotInSet,
            TestNotAllowed,
            TestScoreMissing,
            ScoreNotInteger,
            ScoreRange,
            AverageRange,
            AverageDecimals,
            PromotionNotForLevel,
            AwardNotForLevel,
            CompletionWrongGrade,
            CompletionMissing,
            YearAverageMismatch,
            LearningResultMismatch,
            YearResultMismatch,
            PromotionMismatch,
            AwardMismatch,
            CompletionMismatch,
            ConductResultMismatch,
            YearRatingMismatch,
            SummerNotExpected,
            ReassessmentNotEligible,
        ]
    };
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_warnings_need_confirmation_and_nfc_never_does() {
        assert!(!Rule::TextNotNfc.needs_confirmation());
        assert!(!Rule::GradeRange.needs_confirmation());
        assert!(Rule::PromotionMismatch.needs_confirmation());
        assert!(Rule::ExemptionWithoutGrounds.needs_confirmation());
        for rule in Rule::ALL {
            if rule.needs_confirmation() {
                assert_eq!(rule.severity(), Severity::Warning, "{rule}");
            }
        }
    }

    #[test]
    fn serde_code_and_code_agree() {
        let mut seen = std::collections::HashSet::new();
        for rule in Rule::ALL {
            let json = serde_json::to_value(rule).unwrap();
            assert_eq!(json, rule.code(), "{rule:?}");
            assert!(seen.insert(rule.code()));
            let back: Rule = serde_json::from_value(json).unwrap();
            assert_eq!(back, rule);
        }
    }
}
