//! The scheme file as written (serde types with spans), before [`super::build`] checks it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScheme {
    pub(super) name: Spanned<String>,
    pub(super) title: String,
    pub(super) title_en: String,
    #[serde(default)]
    pub(super) basis: String,
    pub(super) terms: Spanned<Vec<Spanned<RawTerm>>>,
    pub(super) scale_max: Spanned<f64>,
    pub(super) bonus_cap: Spanned<f64>,
    pub(super) rounding: RawRounding,
    #[serde(default)]
    pub(super) conditions: Option<Spanned<RawConditions>>,
    #[serde(default)]
    pub(super) priority: Option<Spanned<RawPriority>>,
    pub(super) combinations: Spanned<Vec<Spanned<RawCombination>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTerm {
    pub(super) grade: u8,
    pub(super) period: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRounding {
    pub(super) subject: u8,
    pub(super) total: u8,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConditions {
    #[serde(default)]
    pub(super) core_subjects: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) core_share: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) min_subjects: Option<usize>,
    #[serde(default)]
    pub(super) min_conduct: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) require_completion: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPriority {
    #[serde(default)]
    pub(super) areas: BTreeMap<String, f64>,
    #[serde(default)]
    pub(super) groups: BTreeMap<String, f64>,
    #[serde(default)]
    pub(super) cap: Option<f64>,
    #[serde(default)]
    pub(super) reduce_from: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCombination {
    pub(super) code: Spanned<String>,
    pub(super) name: String,
    pub(super) subjects: Vec<Spanned<RawSubject>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawSubject {
    Code(String),
    Weighted {
        code: String,
        #[serde(default)]
        weight: Option<f64>,
        #[serde(default)]
        name: Option<String>,
    },
}
