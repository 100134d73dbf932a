//! What validation finds: each [`Problem`] names the field (JSON pointer), the rule, the
//! offending value and, for a derived result, the value the rules compute; a
//! [`ValidationReport`] holds them all.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Rule;
use super::labels::field_label;

/// Whether a problem blocks signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Lỗi — the record cannot be signed until it is fixed.
    Error,
    /// Cảnh báo — a person must look at it and decide before signing.
    Warning,
}

impl Severity {
    /// `Lỗi` or `Cảnh báo`.
    pub fn label_vi(self) -> &'static str {
        match self {
            Severity::Error => "Lỗi",
            Severity::Warning => "Cảnh báo",
        }
    }

    /// `Error` or `Warning`.
    pub fn label_en(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        }
    }
}

/// One problem of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// RFC 6901 JSON pointer to the field, e.g. `/secondary/subjects/3/yearAverage` (`""` for
    /// the whole document).
    pub pointer: String,
    /// The rule, serialised as its code (`score-range`, …).
    pub rule: Rule,
    /// Error or warning (always the rule's [`Rule::severity`]).
    pub severity: Severity,
    /// The offending value as written (`null` when the field is missing).
    pub value: Value,
    /// For a derived result that disagrees with the rules: what the rules compute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// The problem in Vietnamese: field, value, what is wrong and the rule code.
    pub message_vi: String,
    /// The problem in English: field, value, what is wrong and the rule code.
    pub message_en: String,
}

impl Problem {
    /// A problem at `pointer`. `detail_vi` / `detail_en` say what is wrong, without a final
    /// full stop; the messages add the field's name, the value and the rule code.
    pub fn new(
        pointer: impl Into<String>,
        rule: Rule,
        value: Value,
        detail_vi: &str,
        detail_en: &str,
    ) -> Self {
        let pointer = pointer.into();
        let (label_vi, label_en) = field_label(&pointer);
        let place = if pointer.is_empty() { "/" } else { &pointer };
        let (value_vi, value_en) = match &value {
            Value::Null => ("(không có)".to_owned(), "(none)".to_owned()),
            other => {
                let text = shorten_json(other);
                (text.clone(), text)
            }
        };
        let mut message_vi =
            format!("{label_vi} (`{place}`), giá trị {value_vi}: {detail_vi} (quy tắc `{rule}`).");
        let mut message_en =
            format!("{label_en} (`{place}`), value {value_en}: {detail_en} (rule `{rule}`).");
        if rule.needs_confirmation() {
            message_vi.push_str(CONFIRM_VI);
            message_en.push_str(CONFIRM_EN);
        }
        Self {
            pointer,
            rule,
            severity: rule.severity(),
            value,
            expected: None,
            message_vi,
            message_en,
        }
    }

    /// Add the value the rules compute.
    pub fn with_expected(mut self, expected: Value) -> Self {
        self.expected = Some(expected);
        self
    }

    /// Whether this problem blocks signing.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How a school confirms a warning that needs it, added to the warning's message.
pub const CONFIRM_VI: &str = " Sửa lại nếu sai; nếu đúng, nhà trường xác nhận trước khi ký: đánh dấu «Chấp nhận cảnh báo» trên trang, hoặc gửi acceptWarnings: true (API), hoặc dùng --accept-warnings (dòng lệnh).";
/// [`CONFIRM_VI`] in English.
pub const CONFIRM_EN: &str = " Fix it if it is wrong; if it is right, the school confirms it before signing: tick \"Accept the warnings\" on the page, or send acceptWarnings: true (API), or use --accept-warnings (command line).";

/// A JSON value on one line, cut after 80 characters.
fn shorten_json(value: &Value) -> String {
    const MAX: usize = 80;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let mut cut: String = text.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

/// Every problem of a record, errors and warnings, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// The problems.
    pub problems: Vec<Problem>,
}

impl ValidationReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a problem.
    pub fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Whether any problem blocks signing.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// The problems that block signing.
    pub fn errors(&self) -> Vec<&Problem> {
        self.problems.iter().filter(|p| p.is_error()).collect()
    }

    /// The problems a person must look at.
    pub fn warnings(&self) -> Vec<&Problem> {
        self.problems.iter().filter(|p| !p.is_error()).collect()
    }

    /// The warnings the school must confirm before signing ([`Rule::needs_confirmation`]);
    /// any other warning never blocks signing.
    pub fn to_confirm(&self) -> Vec<&Problem> {
        self.problems
            .iter()
            .filter(|p| p.rule.needs_confirmation())
            .collect()
    }

    /// Whether signing must wait for the school to confirm a warning.
    pub fn needs_confirmation(&self) -> bool {
        self.problems.iter().any(|p| p.rule.needs_confirmation())
    }

    /// Whether there is no problem at all.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Whether there is no problem (same as [`Self::is_clean`]).
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Extend<Problem> for ValidationReport {
    fn extend<I: IntoIterator<Item = Problem>>(&mut self, iter: I) {
        self.problems.extend(iter);
    }
}

/// One problem per line: severity, then the Vietnamese message, then the English one.
impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "[{} | {}] {} | {}",
                p.severity.label_vi(),
                p.severity.label_en(),
                p.message_vi,
                p.message_en
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_name_field_value_and_rule() {
        let p = Problem::new(
            "/primary/subjects/1/testScores/endYear",
            Rule::ScoreRange,
            json!(11),
            "điểm kiểm tra phải là số nguyên từ 1 đến 10",
            "a test score must be a whole number from 1 to 10",
        );
        assert_eq!(p.severity, Severity::Error);
        assert!(p.message_vi.contains("Điểm kiểm tra cuối năm học"));
        assert!(p.message_vi.contains("11"));
        assert!(p.message_vi.contains("score-range"));
        assert!(p.message_en.contains("Year-end test score"));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["rule"], "score-range");
        assert_eq!(json["severity"], "error");
        assert!(json.get("messageVi").is_some());
        assert!(json.get("expected").is_none());
    }

    #[test]
    fn report_splits_errors_and_warnings_and_prints_one_line_each() {
        let mut r = ValidationReport::new();
        assert!(!r.has_errors());
        r.push(Problem::new(
            "/a",
            Rule::TextNotNfc,
            json!("x\ny"),
            "văn bản",
            "text",
        ));
        r.push(Problem::new(
            "/b",
            Rule::GradeRange,
            json!(13),
            "lớp",
            "grade",
        ));
        assert!(r.has_errors());
        assert_eq!(r.errors().len(), 1);
        assert_eq!(r.warnings().len(), 1);
        let text = r.to_string();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("[Cảnh báo | Warning]"));
        let back: ValidationReport =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
