//! The index of a school's status lists, served at `{base}/status/{schoolCode}/index.json`:
//! `{"school": "<issuer id>", "statusLists": ["{base}/status/<code>/<listId>", …]}`. A QR
//! summary names its status index but not its list; an online verifier reads this index to
//! know which lists to fetch. Not signed: it only says where to look, and every list it names
//! is verified with the school's key. The issuer writes it and the verifier reads it with this
//! one type.

use serde::{Deserialize, Serialize};

/// Most list URLs an index names (the issuer writes no more, a verifier reads no more).
pub const MAX_INDEX_LISTS: usize = 64;

/// A school's index of status lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusIndex {
    /// The school's issuer id (`urn:hocba:school:<code>`). Readers do not need it (the URL
    /// names the school), so an index without it is still read.
    #[serde(default)]
    pub school: String,
    /// The URLs of the school's status lists, in the order they were made.
    #[serde(rename = "statusLists")]
    pub status_lists: Vec<String>,
}

impl StatusIndex {
    /// The index of `school` naming `status_lists` (at most [`MAX_INDEX_LISTS`] kept).
    pub fn new(school: String, mut status_lists: Vec<String>) -> Self {
        status_lists.truncate(MAX_INDEX_LISTS);
        Self {
            school,
            status_lists,
        }
    }

    /// The bytes served: compact JSON, `school` then `statusLists`.
    pub fn to_json(&self) -> Vec<u8> {
        // A struct of strings always serialises.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Read an index from `bytes` (unknown members ignored).
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn written_as_the_issuer_always_wrote_it() {
        let urls: Vec<String> = (0..70)
            .map(|i| format!("http://h/status/79000701/{i}"))
            .collect();
        let index = StatusIndex::new("urn:hocba:school:79000701".into(), urls.clone());
        assert_eq!(index.status_lists.len(), MAX_INDEX_LISTS);
        // What `serde_json::json!({"school": …, "statusLists": …}).to_string()` gave.
        let before = serde_json::json!({
            "school": "urn:hocba:school:79000701",
            "statusLists": &urls[..MAX_INDEX_LISTS],
        })
        .to_string();
        assert_eq!(index.to_json(), before.into_bytes());
        assert_eq!(StatusIndex::from_json(&index.to_json()).unwrap(), index);
        let lenient = StatusIndex::from_json(br#"{"statusLists":["u"],"x":1}"#).unwrap();
        assert_eq!(lenient.status_lists, ["u"]);
        assert!(StatusIndex::from_json(br#"{"school":"s"}"#).is_err());
    }
}
