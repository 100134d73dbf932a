//! The text a QR code carries: `<VERIFIER BASE>/V/<digits>`, a link a phone camera opens on the
//! verifier page.
//!
//! The scheme and host of the base are written in upper case (URLs treat them without regard to
//! case) and the path segment is `V`, so that for a base without a path the whole prefix is in
//! the QR alphanumeric set and the payload in the numeric set: a QR encoder then uses two dense
//! segments instead of byte mode. The verifier's web page must answer both `/v/…` and `/V/…`.
//!
//! [`parse_qr_text`] checks the length before anything else ([`MAX_QR_TEXT_BYTES`]); decoding
//! is linear, allocates at most the payload size, and nothing is decompressed.

use super::QrError;
use super::digits;
use super::summary::SignedSummary;

/// Longest QR text accepted, in bytes (a version-40 QR holds at most 7,089 digits; a version-1
/// summary is about 450).
pub const MAX_QR_TEXT_BYTES: usize = 2048;

/// The QR text for `signed` under the verifier at `base_url` (e.g. `http://127.0.0.1:8081`).
pub fn qr_text(base_url: &str, signed: &SignedSummary) -> Result<String, QrError> {
    let base = qr_base(base_url)?;
    Ok(format!("{base}/V/{}", digits::encode(&signed.to_bytes())))
}

/// The base as written into the QR: scheme and host upper-cased, no trailing slash.
pub fn qr_base(base_url: &str) -> Result<String, QrError> {
    let bad = |problem| QrError::BaseUrl {
        url: base_url.into(),
        problem,
    };
    let trimmed = base_url.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| bad("must start with http:// or https://"))?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(bad("must start with http:// or https://"));
    }
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(bad("needs a host and no query, fragment or spaces"));
    }
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    Ok(format!(
        "{}://{}{path}",
        scheme.to_ascii_uppercase(),
        host.to_ascii_uppercase()
    ))
}

/// Read the signed summary out of scanned text: a verification link `…/v/<digits>` (any case)
/// or the bare digits. Surrounding white space is ignored.
pub fn parse_qr_text(text: &str) -> Result<SignedSummary, QrError> {
    if text.len() > MAX_QR_TEXT_BYTES {
        return Err(QrError::TooLong {
            bytes: text.len(),
            limit: MAX_QR_TEXT_BYTES,
        });
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(QrError::Empty);
    }
    let payload = match text.rsplit_once('/') {
        None => text,
        Some((before, payload)) => {
            let segment = before.rsplit('/').next().unwrap_or("");
            if !segment.eq_ignore_ascii_case("v") {
                return Err(QrError::NotAVerifyLink {
                    found: text.chars().take(60).collect(),
                });
            }
            payload
        }
    };
    let bytes = digits::decode(payload)?;
    SignedSummary::from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_upper_cased_up_to_the_path() {
        assert_eq!(
            qr_base("http://127.0.0.1:8081/").unwrap(),
            "HTTP://127.0.0.1:8081"
        );
        assert_eq!(
            qr_base("https://verify.example/hocba").unwrap(),
            "HTTPS://VERIFY.EXAMPLE/hocba"
        );
        assert!(qr_base("ftp://x").is_err());
        assert!(qr_base("verify.example").is_err());
        assert!(qr_base("https://x/?a=1").is_err());
    }

    #[test]
    fn bounded_and_clear() {
        let long = "1".repeat(MAX_QR_TEXT_BYTES + 1);
        assert!(matches!(parse_qr_text(&long), Err(QrError::TooLong { .. })));
        assert!(matches!(parse_qr_text("  "), Err(QrError::Empty)));
        assert!(matches!(
            parse_qr_text("https://example.com/x/123"),
            Err(QrError::NotAVerifyLink { .. })
        ));
        assert!(matches!(
            parse_qr_text("HTTP://H/V/12x"),
            Err(QrError::NotDigits { position: 2, .. })
        ));
        assert!(matches!(
            parse_qr_text("HTTP://H/V/004"),
            Err(QrError::UnknownVersion { found: 4, .. })
        ));
        assert!(matches!(
            parse_qr_text("001"),
            Err(QrError::Truncated {
                field: "credential id",
                ..
            })
        ));
    }
}
