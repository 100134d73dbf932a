//! Multibase strings as this project uses them: `z` + base58btc (keys, signatures) and
//! `u` + base64url without padding (status list bitstrings).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{SchemaError, shorten};

/// `z` + base58btc of `bytes`.
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(1 + bytes.len() * 138 / 100 + 1);
    s.push('z');
    s.push_str(&bs58::encode(bytes).into_string());
    s
}

/// Decode a `z`-prefixed base58btc string; `field` names the field for the error.
pub fn decode_base58btc(field: &'static str, value: &str) -> Result<Vec<u8>, SchemaError> {
    let body = value
        .strip_prefix('z')
        .ok_or_else(|| SchemaError::Encoding {
            field,
            problem: "multibase prefix must be `z` (base58btc)".into(),
            value: shorten(value),
        })?;
    bs58::decode(body)
        .into_vec()
        .map_err(|e| SchemaError::Encoding {
            field,
            problem: format!("not base58btc: {e}"),
            value: shorten(value),
        })
}

/// `u` + base64url (no padding) of `bytes`.
pub fn encode_base64url(bytes: &[u8]) -> String {
    let mut s = String::from("u");
    URL_SAFE_NO_PAD.encode_string(bytes, &mut s);
    s
}

/// Decode a `u`-prefixed base64url string (padding not allowed).
pub fn decode_base64url(field: &'static str, value: &str) -> Result<Vec<u8>, SchemaError> {
    let body = value
        .strip_prefix('u')
        .ok_or_else(|| SchemaError::Encoding {
            field,
            problem: "multibase prefix must be `u` (base64url, no padding)".into(),
            value: shorten(value),
        })?;
    URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| SchemaError::Encoding {
            field,
            problem: format!("not base64url: {e}"),
            value: shorten(value),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let bytes = [0u8, 0, 1, 2, 255, 254];
        assert_eq!(
            decode_base58btc("x", &encode_base58btc(&bytes)).unwrap(),
            bytes
        );
        assert_eq!(
            decode_base64url("x", &encode_base64url(&bytes)).unwrap(),
            bytes
        );
    }

    #[test]
    fn wrong_prefix_is_named() {
        let err = decode_base58btc("proofValue", "u123").unwrap_err();
        assert!(err.to_string().contains("proofValue"), "{err}");
        assert!(decode_base64url("encodedList", "zabc").is_err());
        assert!(decode_base58btc("proofValue", "z0OIl").is_err());
    }
}
