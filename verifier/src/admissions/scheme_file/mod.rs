//! Reading a scheme file (TOML, `schema/docs/admissions.md`) into a checked [`Scheme`]: a
//! mistake is a [`SchemeError`] that names the line, the member, the rule and the value.
//! Pure: the caller reads the file.

// A refusal or a scheme mistake is the rare, cold path and carries the texts people read;
// boxing them would only add noise.
#![allow(clippy::result_large_err)]

use std::ops::Range;

use hocba_schema::record::Subject;
use hocba_schema::rules::curriculum::{Assessment, subject_rule};
use thiserror::Error;
use toml::Spanned;

mod raw;

use raw::{RawCombination, RawConditions, RawPriority, RawScheme, RawSubject, RawTerm};

use crate::admissions::scheme::{
    Combination, Conditions, Period, Priority, Rounding, Scheme, Share, Term, WeightedSubject,
};

/// Largest scheme file read (256 KiB: a few hundred combinations).
pub const MAX_SCHEME_BYTES: usize = 256 << 10;

/// A scheme file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("scheme{}: {field}: {message} [{rule}]", .line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct SchemeError {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// The member concerned (`combinations[2].subjects[1]`, `bonus_cap`, …).
    pub field: String,
    /// Stable rule code (`unknown_subject`, `core_share`, `toml`, …).
    pub rule: &'static str,
    /// The offending value, as written.
    pub value: String,
    /// What is wrong and what to do, in English.
    pub message: String,
    /// The same in Vietnamese.
    pub message_vi: String,
}

/// Reads one file, keeping its text to turn byte offsets into lines.
struct Reader<'a> {
    text: &'a str,
}

impl Reader<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn error(
        &self,
        span: Option<&Range<usize>>,
        field: impl Into<String>,
        rule: &'static str,
        value: impl Into<String>,
        en: impl Into<String>,
        vi: impl Into<String>,
    ) -> SchemeError {
        SchemeError {
            line: span.map(|s| self.line(s)),
            field: field.into(),
            rule,
            value: value.into(),
            message: en.into(),
            message_vi: vi.into(),
        }
    }
}

impl Scheme {
    /// Read and check a scheme file.
    pub fn from_toml(text: &str) -> Result<Scheme, SchemeError> {
        let reader = Reader { text };
        if text.len() > MAX_SCHEME_BYTES {
            return Err(reader.error(
                None,
                "(file)",
                "too_large",
                text.len().to_string(),
                format!("the scheme file is larger than {MAX_SCHEME_BYTES} bytes"),
                format!("tệp phương án lớn hơn {MAX_SCHEME_BYTES} byte"),
            ));
        }
        let raw: RawScheme = toml::from_str(text).map_err(|e| {
            let message = e.message().to_owned();
            reader.error(
                e.span().as_ref(),
                "(file)",
                "toml",
                "",
                format!("not a valid scheme file: {message}"),
                format!("tệp phương án không đúng định dạng: {message}"),
            )
        })?;
        build(&reader, raw)
    }
}

fn build(r: &Reader<'_>, raw: RawScheme) -> Result<Scheme, SchemeError> {
    let name = raw.name.get_ref();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(r.error(
            Some(&raw.name.span()),
            "name",
            "name_format",
            name,
            "name must be lowercase ASCII letters, digits and hyphens",
            "tên phương án chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang",
        ));
    }
    let scale_max = *raw.scale_max.get_ref();
    if !(scale_max.is_finite() && scale_max > 0.0) {
        return Err(r.error(
            Some(&raw.scale_max.span()),
            "scale_max",
            "positive",
            scale_max.to_string(),
            "scale_max must be a positive number (30 on the 30-point scale)",
            "scale_max phải là số dương (30 với thang 30 điểm)",
        ));
    }
    let bonus_cap = *raw.bonus_cap.get_ref();
    // Circular 06/2025: bonus points at most 10 % of the scale's maximum.
    if !(bonus_cap.is_finite() && bonus_cap >= 0.0 && bonus_cap <= scale_max / 10.0 + 1e-9) {
        return Err(r.error(
            Some(&raw.bonus_cap.span()),
            "bonus_cap",
            "bonus_cap_at_most_10_percent",
            bonus_cap.to_string(),
            format!(
                "bonus_cap must be between 0 and 10 % of scale_max ({})",
                scale_max / 10.0
            ),
            format!(
                "điểm cộng tối đa phải từ 0 đến 10 % thang điểm ({})",
                scale_max / 10.0
            ),
        ));
    }
    if raw.rounding.subject > 4 || raw.rounding.total > 4 {
        return Err(r.error(
            None,
            "rounding",
            "at_most_4_decimals",
            format!("{}/{}", raw.rounding.subject, raw.rounding.total),
            "rounding keeps at most 4 decimal places",
            "làm tròn tối đa 4 chữ số thập phân",
        ));
    }
    let terms = terms(r, &raw.terms)?;
    let grades: Vec<u8> = terms.iter().map(|t| t.grade).collect();
    let conditions = conditions(r, raw.conditions.as_ref(), &grades)?;
    let priority = priority(r, raw.priority.as_ref(), scale_max)?;
    if raw.combinations.get_ref().is_empty() {
        return Err(r.error(
            Some(&raw.combinations.span()),
            "combinations",
            "at_least_one",
            "[]",
            "a scheme needs at least one combination",
            "phương án cần ít nhất một tổ hợp",
        ));
    }
    let mut combinations: Vec<Combination> = Vec::new();
    for (i, c) in raw.combinations.get_ref().iter().enumerate() {
        let combination = combination(r, i, c, &grades, &conditions)?;
        if combinations.iter().any(|o| o.code == combination.code) {
            return Err(r.error(
                Some(&c.get_ref().code.span()),
                format!("combinations[{i}].code"),
                "duplicate_combination",
                &combination.code,
                format!("combination {} is listed twice", combination.code),
                format!("tổ hợp {} được khai báo hai lần", combination.code),
            ));
        }
        combinations.push(combination);
    }
    Ok(Scheme {
        name: name.clone(),
        title: raw.title,
        title_en: raw.title_en,
        basis: raw.basis,
        terms,
        scale_max,
        bonus_cap,
        rounding: Rounding {
            subject: raw.rounding.subject,
            total: raw.rounding.total,
        },
        conditions,
        priority,
        combinations,
    })
}

fn terms(r: &Reader<'_>, raw: &Spanned<Vec<Spanned<RawTerm>>>) -> Result<Vec<Term>, SchemeError> {
    if raw.get_ref().is_empty() {
        return Err(r.error(
            Some(&raw.span()),
            "terms",
            "at_least_one",
            "[]",
            "a scheme needs at least one term (grade and period)",
            "phương án cần ít nhất một học kì hoặc năm học được tính",
        ));
    }
    let mut out: Vec<Term> = Vec::new();
    for (i, t) in raw.get_ref().iter().enumerate() {
        let span = t.span();
        let t = t.get_ref();
        if !(10..=12).contains(&t.grade) {
            return Err(r.error(
                Some(&span),
                format!("terms[{i}].grade"),
                "grade_10_to_12",
                t.grade.to_string(),
                "admission terms are of grades 10, 11 or 12",
                "chỉ tính kết quả các lớp 10, 11, 12",
            ));
        }
        let Some(period) = Period::from_code(&t.period) else {
            return Err(r.error(
                Some(&span),
                format!("terms[{i}].period"),
                "period",
                &t.period,
                "period must be semester1, semester2 or year",
                "period phải là semester1 (HK I), semester2 (HK II) hoặc year (cả năm)",
            ));
        };
        let term = Term {
            grade: t.grade,
            period,
        };
        if out.contains(&term) {
            return Err(r.error(
                Some(&span),
                format!("terms[{i}]"),
                "duplicate_term",
                format!("{} {}", t.grade, t.period),
                "this term is listed twice",
                "học kì này được khai báo hai lần",
            ));
        }
        out.push(term);
    }
    Ok(out)
}

/// The subject of `code` if it is scored (has averages) in every one of `grades`.
fn scored_subject(code: &str, grades: &[u8]) -> Option<Subject> {
    let subject = Subject::from_code(code)?;
    grades
        .iter()
        .all(|g| {
            subject_rule(subject, *g).is_some_and(|rule| rule.assessment == Assessment::Scored)
        })
        .then_some(subject)
}

fn unknown_subject(r: &Reader<'_>, span: &Range<usize>, field: String, code: &str) -> SchemeError {
    r.error(
        Some(span),
        field,
        "unknown_subject",
        code,
        format!(
            "unknown subject code {code:?}: use a scored grade 10–12 subject code of the record \
             (toan, ngu_van, ngoai_ngu_1, vat_li, hoa_hoc, sinh_hoc, lich_su, dia_li, tin_hoc, …)"
        ),
        format!(
            "mã môn {code:?} không có: dùng mã môn tính điểm của lớp 10–12 như trong học bạ \
             (toan, ngu_van, ngoai_ngu_1, vat_li, hoa_hoc, sinh_hoc, lich_su, dia_li, tin_hoc, …)"
        ),
    )
}

fn conditions(
    r: &Reader<'_>,
    raw: Option<&Spanned<RawConditions>>,
    grades: &[u8],
) -> Result<Conditions, SchemeError> {
    let empty = RawConditions::default();
    let c = raw.map_or(&empty, Spanned::get_ref);
    let mut core_subjects = Vec::new();
    for (i, s) in c.core_subjects.iter().enumerate() {
        if scored_subject(s.get_ref(), grades).is_none() {
            return Err(unknown_subject(
                r,
                &s.span(),
                format!("conditions.core_subjects[{i}]"),
                s.get_ref(),
            ));
        }
        core_subjects.push(s.get_ref().clone());
    }
    let core_share = match &c.core_share {
        None => None,
        Some(s) => Some(parse_share(s.get_ref()).ok_or_else(|| {
            r.error(
                Some(&s.span()),
                "conditions.core_share",
                "fraction",
                s.get_ref(),
                "core_share is a fraction between 0 and 1 written a/b, e.g. \"1/3\"",
                "core_share là phân số từ 0 đến 1 dạng a/b, ví dụ \"1/3\"",
            )
        })?),
    };
    if core_share.is_some() && core_subjects.is_empty() {
        return Err(r.error(
            raw.map(Spanned::span).as_ref(),
            "conditions.core_subjects",
            "needed_with_core_share",
            "[]",
            "core_share needs the core_subjects it applies to (toan, ngu_van)",
            "core_share cần danh sách core_subjects (toan, ngu_van)",
        ));
    }
    if let Some(m) = &c.min_conduct
        && !matches!(m.get_ref().as_str(), "T" | "K" | "Đ")
    {
        return Err(r.error(
            Some(&m.span()),
            "conditions.min_conduct",
            "conduct_rating",
            m.get_ref(),
            "min_conduct is T (Tốt), K (Khá) or Đ (Đạt)",
            "min_conduct là T (Tốt), K (Khá) hoặc Đ (Đạt)",
        ));
    }
    Ok(Conditions {
        core_subjects,
        core_share,
        min_subjects: c.min_subjects.unwrap_or(3),
        min_conduct: c.min_conduct.as_ref().map(|m| m.get_ref().clone()),
        require_completion: c.require_completion,
    })
}

fn parse_share(text: &str) -> Option<Share> {
    let (n, d) = text.split_once('/')?;
    let numerator: u32 = n.trim().parse().ok()?;
    let denominator: u32 = d.trim().parse().ok()?;
    (denominator > 0 && numerator <= denominator).then_some(Share {
        numerator,
        denominator,
    })
}

fn priority(
    r: &Reader<'_>,
    raw: Option<&Spanned<RawPriority>>,
    scale_max: f64,
) -> Result<Priority, SchemeError> {
    let empty = RawPriority::default();
    let span = raw.map(Spanned::span);
    let p = raw.map_or(&empty, Spanned::get_ref);
    let bad = |field: String, value: f64| {
        r.error(
            span.as_ref(),
            field,
            "between_0_and_scale_max",
            value.to_string(),
            format!("priority points are between 0 and scale_max ({scale_max})"),
            format!("điểm ưu tiên phải từ 0 đến thang điểm ({scale_max})"),
        )
    };
    for (key, v) in p
        .areas
        .iter()
        .map(|(k, v)| (format!("priority.areas.{k}"), v))
        .chain(
            p.groups
                .iter()
                .map(|(k, v)| (format!("priority.groups.{k}"), v)),
        )
    {
        if !(v.is_finite() && *v >= 0.0 && *v <= scale_max) {
            return Err(bad(key, *v));
        }
    }
    if let Some(cap) = p.cap
        && !(cap.is_finite() && cap >= 0.0 && cap <= scale_max)
    {
        return Err(bad("priority.cap".into(), cap));
    }
    if let Some(from) = p.reduce_from
        && !(from.is_finite() && from > 0.0 && from < scale_max)
    {
        return Err(r.error(
            span.as_ref(),
            "priority.reduce_from",
            "below_scale_max",
            from.to_string(),
            format!("reduce_from is a total above 0 and below scale_max ({scale_max})"),
            format!("reduce_from là tổng điểm lớn hơn 0 và nhỏ hơn thang điểm ({scale_max})"),
        ));
    }
    Ok(Priority {
        areas: p.areas.clone(),
        groups: p.groups.clone(),
        cap: p.cap,
        reduce_from: p.reduce_from,
    })
}

fn combination(
    r: &Reader<'_>,
    i: usize,
    raw: &Spanned<RawCombination>,
    grades: &[u8],
    conditions: &Conditions,
) -> Result<Combination, SchemeError> {
    let c = raw.get_ref();
    let code = c.code.get_ref().trim().to_owned();
    if code.is_empty() {
        return Err(r.error(
            Some(&c.code.span()),
            format!("combinations[{i}].code"),
            "non_empty",
            "",
            "a combination needs a code (A00, D01, …)",
            "tổ hợp cần có mã (A00, D01, …)",
        ));
    }
    let mut subjects: Vec<WeightedSubject> = Vec::new();
    for (j, s) in c.subjects.iter().enumerate() {
        let field = format!("combinations[{i}].subjects[{j}]");
        let (subject_code, weight, name) = match s.get_ref() {
            RawSubject::Code(code) => (code, None, None),
            RawSubject::Weighted { code, weight, name } => (code, *weight, name.clone()),
        };
        let Some(subject) = scored_subject(subject_code, grades) else {
            return Err(unknown_subject(r, &s.span(), field, subject_code));
        };
        let weight = weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0 && weight <= 100.0) {
            return Err(r.error(
                Some(&s.span()),
                format!("{field}.weight"),
                "positive_weight",
                weight.to_string(),
                "a weight is a number above 0 (at most 100)",
                "hệ số phải là số lớn hơn 0 (tối đa 100)",
            ));
        }
        if subjects.iter().any(|o| o.code == *subject_code) {
            return Err(r.error(
                Some(&s.span()),
                field,
                "duplicate_subject",
                subject_code,
                format!("{subject_code} appears twice in combination {code}"),
                format!("môn {subject_code} xuất hiện hai lần trong tổ hợp {code}"),
            ));
        }
        subjects.push(WeightedSubject {
            code: subject_code.clone(),
            name: name.unwrap_or_else(|| subject.name_vi().to_owned()),
            weight,
        });
    }
    let combination = Combination {
        code: code.clone(),
        name: c.name.clone(),
        subjects,
    };
    if combination.subjects.len() < conditions.min_subjects {
        return Err(r.error(
            Some(&raw.span()),
            format!("combinations[{i}].subjects"),
            "min_subjects",
            combination.subjects.len().to_string(),
            format!(
                "combination {code} has {} subjects; the scheme asks for at least {}",
                combination.subjects.len(),
                conditions.min_subjects
            ),
            format!(
                "tổ hợp {code} có {} môn; phương án yêu cầu ít nhất {} môn",
                combination.subjects.len(),
                conditions.min_subjects
            ),
        ));
    }
    if let Some(share) = conditions.core_share {
        let total = combination.total_weight();
        let met = combination
            .subjects
            .iter()
            .any(|s| conditions.core_subjects.contains(&s.code) && share.met_by(s.weight, total));
        if !met {
            let names = conditions.core_subjects.join(" or ");
            return Err(r.error(
                Some(&raw.span()),
                format!("combinations[{i}].subjects"),
                "core_share",
                code.clone(),
                format!(
                    "combination {code} breaks the scheme's own condition: {names} must carry at \
                     least {share} of the weight; add one of them or raise its weight"
                ),
                format!(
                    "tổ hợp {code} vi phạm điều kiện của chính phương án: Toán hoặc Ngữ văn \
                     ({names}) phải chiếm ít nhất {share} tổng hệ số; thêm môn đó hoặc tăng hệ số"
                ),
            ));
        }
    }
    Ok(combination)
}
