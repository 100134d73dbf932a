//! W3C Bitstring Status List v1.0: a school publishes, per list, a credential whose
//! `encodedList` is multibase base64url (`u`) of the GZIP-compressed bitstring. Index 0 is the
//! left-most bit: bit `i` is bit `7 - i % 8` of byte `i / 8`. A set bit means revoked.
//!
//! Decoding is bounded: the compressed input and the decompressed bitstring both have limits, so
//! a crafted list cannot make a verifier allocate without end.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credential::{CONTEXT_VC_V2, IssuerRef};
use crate::error::{SchemaError, shorten};
use crate::multibase::{decode_base64url, encode_base64url};

/// Smallest list the spec allows (16 KiB of bits), which is also the default size.
pub const MIN_ENTRIES: usize = 131_072;
/// Largest decompressed list accepted (8 Mi entries = 1 MiB).
pub const MAX_ENTRIES: usize = 8 * 1024 * 1024;
/// Largest `encodedList` string accepted (characters).
pub const MAX_ENCODED_LEN: usize = 2 * 1024 * 1024;
/// The status list credential type.
pub const STATUS_LIST_CREDENTIAL_TYPE: &str = "BitstringStatusListCredential";

/// A bitstring of status entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Bitstring {
    /// A list of `entries` zero bits (rounded up to whole bytes, at least [`MIN_ENTRIES`]).
    pub fn new(entries: usize) -> Self {
        let entries = entries.max(MIN_ENTRIES);
        Self {
            bytes: vec![0; entries.div_ceil(8)],
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Never empty (at least [`MIN_ENTRIES`]); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index`, or `None` beyond the end.
    pub fn get(&self, index: usize) -> Option<bool> {
        let byte = self.bytes.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Set the bit at `index`; false when `index` is beyond the end.
    pub fn set(&mut self, index: usize, value: bool) -> bool {
        let Some(byte) = self.bytes.get_mut(index / 8) else {
            return false;
        };
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        true
    }

    /// `u` + base64url(GZIP(bitstring)).
    pub fn encode(&self) -> String {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        // Writing into a Vec cannot fail.
        let compressed = gz
            .write_all(&self.bytes)
            .and_then(|()| gz.finish())
            .unwrap_or_default();
        encode_base64url(&compressed)
    }

    /// Decode an `encodedList`, refusing lists shorter than [`MIN_ENTRIES`], longer than
    /// [`MAX_ENTRIES`] once decompressed, or encoded in more than [`MAX_ENCODED_LEN`] characters.
    pub fn decode(encoded: &str) -> Result<Self, SchemaError> {
        let err = |problem: String| SchemaError::Encoding {
            field: "encodedList",
            problem,
            value: shorten(encoded),
        };
        if encoded.len() > MAX_ENCODED_LEN {
            return Err(err(format!(
                "{} characters is more than the {MAX_ENCODED_LEN} accepted",
                encoded.len()
            )));
        }
        let compressed = decode_base64url("encodedList", encoded)?;
        let limit = (MAX_ENTRIES / 8) as u64;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("not GZIP data: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(err(format!(
                "decompresses to more than {MAX_ENTRIES} entries"
            )));
        }
        if bytes.len() * 8 < MIN_ENTRIES {
            return Err(err(format!(
                "{} entries is fewer than the {MIN_ENTRIES} the specification requires",
                bytes.len() * 8
            )));
        }
        Ok(Self { bytes })
    }
}

/// The `credentialSubject` of a status list credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListSubject {
    /// `<list url>#list`.
    pub id: String,
    /// Always `BitstringStatusList`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `revocation`.
    pub status_purpose: String,
    /// The encoded bitstring.
    pub encoded_list: String,
}

/// A status list credential (without proof).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListCredential {
    /// `["https://www.w3.org/ns/credentials/v2"]`.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// The list's URL.
    pub id: String,
    /// `["VerifiableCredential", "BitstringStatusListCredential"]`.
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    /// The school.
    pub issuer: IssuerRef,
    /// When this version was made.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// When it must be refreshed.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// The list.
    pub credential_subject: StatusListSubject,
}

impl StatusListCredential {
    /// A revocation list at `url` issued by `issuer`.
    pub fn revocation(
        url: &str,
        issuer: IssuerRef,
        valid_from: OffsetDateTime,
        valid_until: OffsetDateTime,
        bits: &Bitstring,
    ) -> Self {
        Self {
            context: vec![CONTEXT_VC_V2.into()],
            id: url.into(),
            kind: vec![
                "VerifiableCredential".into(),
                STATUS_LIST_CREDENTIAL_TYPE.into(),
            ],
            issuer,
            valid_from,
            valid_until,
            credential_subject: StatusListSubject {
                id: format!("{url}#list"),
                kind: "BitstringStatusList".into(),
                status_purpose: "revocation".into(),
                encoded_list: bits.encode(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bit_order_is_left_most_first() {
        let mut b = Bitstring::new(MIN_ENTRIES);
        assert_eq!(b.len(), MIN_ENTRIES);
        assert!(b.set(0, true));
        assert!(b.set(9, true));
        assert_eq!(b.bytes[0], 0b1000_0000);
        assert_eq!(b.bytes[1], 0b0100_0000);
        assert_eq!(b.get(9), Some(true));
        assert_eq!(b.get(8), Some(false));
        assert!(!b.set(MIN_ENTRIES, true));
        assert_eq!(b.get(MIN_ENTRIES), None);
        b.set(9, false);
        assert_eq!(b.get(9), Some(false));
    }

    #[test]
    fn encode_decode_round_trip() {
        let mut b = Bitstring::new(0);
        for i in [1, 77, 94_567, MIN_ENTRIES - 1] {
            b.set(i, true);
        }
        let text = b.encode();
        assert!(text.starts_with('u'));
        let back = Bitstring::decode(&text).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn short_huge_and_garbage_lists_are_refused() {
        let short = {
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(&[0u8; 100]).unwrap();
            encode_base64url(&gz.finish().unwrap())
        };
        assert!(
            Bitstring::decode(&short)
                .unwrap_err()
                .to_string()
                .contains("fewer")
        );
        // A GZIP bomb: 64 MiB of zeros compresses to ~64 KiB.
        let bomb = {
            let mut gz = GzEncoder::new(Vec::new(), Compression::best());
            let chunk = vec![0u8; 1 << 20];
            for _ in 0..64 {
                gz.write_all(&chunk).unwrap();
            }
            encode_base64url(&gz.finish().unwrap())
        };
        assert!(
            Bitstring::decode(&bomb)
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
        assert!(Bitstring::decode("uAAAA").is_err());
        assert!(Bitstring::decode("zAAAA").is_err());
    }
}
