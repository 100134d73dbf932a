//! The collector every check writes its problems into.

use serde::Serialize;
use serde_json::Value;

use super::{Problem, Rule, ValidationReport};
use crate::rules::Thresholds;

/// Problems found so far, and the thresholds the derived checks use.
pub(crate) struct Checks<'a> {
    /// The thresholds in force.
    pub(crate) thresholds: &'a Thresholds,
    /// What was found.
    pub(crate) report: ValidationReport,
}

impl<'a> Checks<'a> {
    /// Start with no problem.
    pub(crate) fn new(thresholds: &'a Thresholds) -> Self {
        Self {
            thresholds,
            report: ValidationReport::new(),
        }
    }

    /// Record a problem.
    pub(crate) fn add(
        &mut self,
        pointer: impl Into<String>,
        rule: Rule,
        value: Value,
        detail_vi: &str,
        detail_en: &str,
    ) {
        self.report
            .push(Problem::new(pointer, rule, value, detail_vi, detail_en));
    }

    /// Record a derived result that disagrees with what the rules compute.
    pub(crate) fn add_mismatch(
        &mut self,
        pointer: impl Into<String>,
        rule: Rule,
        school_value: Value,
        computed: Value,
        detail_vi: &str,
        detail_en: &str,
    ) {
        self.report.push(
            Problem::new(pointer, rule, school_value, detail_vi, detail_en).with_expected(computed),
        );
    }
}

/// Any serialisable value as JSON (`null` if it cannot be represented).
pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Whether a text is empty or only white space (reported by the text check).
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}
