//! PKCS#11 URIs (RFC 7512): which module, which token, where the PIN comes from.
//!
//! `pkcs11:token=hocba-dev;object=school-79000701?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt`
//!
//! * Path attributes (`;`-separated): `token`, `manufacturer`, `serial`, `model`, `slot-id`
//!   choose the token; `object` and `id` narrow the keys to one label or id; `type` must be
//!   `private` when given. Values are percent-decoded.
//! * Query attributes (`&`-separated): `module-path` (required: the module is loaded from it);
//!   `pin-source=file:<path>` (relative to the working directory) reads the PIN from the first
//!   line of a file. `pin-value` is **refused**: a PIN in a command's arguments is visible to
//!   every user through `ps`. Without `pin-source` the PIN comes from the environment variable
//!   [`PIN_ENV`]; with neither, the token is opened without login (a token that needs no PIN).
//! * Vendor attributes (`x-…`) are ignored, as RFC 7512 allows; any other unknown attribute is
//!   refused rather than guessed at (`module-name` included: give the module's path).
//!
//! The parsed URI never holds the PIN; [`Pkcs11Uri`]'s `Display` is the URI as given, safe to
//! log, since a URI with `pin-value` never parses.

use std::fmt;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;

use crate::error::IssuerError;

/// The environment variable the PIN is read from when the URI has no `pin-source`.
pub const PIN_ENV: &str = "HOCBA_PKCS11_PIN";

/// Where the token's PIN comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSource {
    /// The first line of this file (`pin-source=file:…`).
    File(PathBuf),
    /// The environment variable [`PIN_ENV`].
    Env,
}

/// A parsed `pkcs11:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// The URI as given (holds no PIN: `pin-value` is refused).
    text: String,
    /// The module to load (`module-path`).
    pub module_path: PathBuf,
    /// The token label (`token`).
    pub token: Option<String>,
    /// The token manufacturer (`manufacturer`).
    pub manufacturer: Option<String>,
    /// The token serial number (`serial`).
    pub serial: Option<String>,
    /// The token model (`model`).
    pub model: Option<String>,
    /// The slot (`slot-id`).
    pub slot_id: Option<u64>,
    /// One key's label (`object`).
    pub object: Option<String>,
    /// One key's id (`id`, raw bytes).
    pub id: Option<Vec<u8>>,
    /// Where the PIN comes from.
    pub pin_source: PinSource,
}

impl fmt::Display for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether `text` is meant as a PKCS#11 URI (rather than a key directory).
pub fn is_pkcs11_uri(text: &str) -> bool {
    text.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("pkcs11:"))
}

impl Pkcs11Uri {
    /// Parse `text`; the error names the attribute, the rule and what to do.
    pub fn parse(text: &str) -> Result<Self, IssuerError> {
        let bad = |problem: String| IssuerError::TokenUri {
            // Never echo a URI holding a PIN.
            uri: if text.contains("pin-value") {
                "pkcs11:…".into()
            } else {
                text.to_owned()
            },
            problem,
        };
        if !is_pkcs11_uri(text) {
            return Err(bad("a PKCS#11 URI starts with `pkcs11:` (RFC 7512)".into()));
        }
        let rest = &text[7..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Pkcs11Uri {
            text: text.to_owned(),
            module_path: PathBuf::new(),
            token: None,
            manufacturer: None,
            serial: None,
            model: None,
            slot_id: None,
            object: None,
            id: None,
            pin_source: PinSource::Env,
        };
        for part in path.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("path attribute `{part}` has no `=value`")))?;
            let name = name.to_ascii_lowercase();
            if name == "id" {
                uri.id = Some(percent_decode_str(value).collect());
                continue;
            }
            let value = decode(value).map_err(|e| bad(format!("attribute `{name}`: {e}")))?;
            match name.as_str() {
                "token" => uri.token = Some(value),
                "manufacturer" => uri.manufacturer = Some(value),
                "serial" => uri.serial = Some(value),
                "model" => uri.model = Some(value),
                "object" => uri.object = Some(value),
                "slot-id" => {
                    uri.slot_id = Some(value.parse().map_err(|_| {
                        bad(format!("slot-id `{value}` is not a decimal slot number"))
                    })?);
                }
                "type" if value == "private" => {}
                "type" => {
                    return Err(bad(format!(
                        "type `{value}`: the keys used here are private keys (`type=private`)"
                    )));
                }
                // The library description attributes choose nothing we need; ignored.
                "library-manufacturer"
                | "library-description"
                | "library-version"
                | "slot-description"
                | "slot-manufacturer" => {}
                other if other.starts_with("x-") => {}
                other => {
                    return Err(bad(format!(
                        "unknown path attribute `{other}` (RFC 7512: token, manufacturer, \
                         serial, model, slot-id, object, id, type)"
                    )));
                }
            }
        }
        let mut module = None;
        let mut pin_file = None;
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("query attribute `{part}` has no `=value`")))?;
            let name = name.to_ascii_lowercase();
            match name.as_str() {
                "pin-value" => {
                    return Err(bad(
                        "pin-value is refused: a PIN in a command's arguments is visible to \
                         every user through `ps`; put it in a file readable only by you and \
                         give `pin-source=file:<path>`, or set the environment variable \
                         HOCBA_PKCS11_PIN"
                            .into(),
                    ));
                }
                "module-path" => {
                    module = Some(PathBuf::from(
                        decode(value).map_err(|e| bad(format!("module-path: {e}")))?,
                    ));
                }
                "pin-source" => {
                    let value = decode(value).map_err(|e| bad(format!("pin-source: {e}")))?;
                    let file = value
                        .strip_prefix("file:")
                        .map(|f| f.strip_prefix("//").unwrap_or(f))
                        .filter(|f| !f.is_empty())
                        .ok_or_else(|| {
                            bad(format!(
                                "pin-source `{value}`: only `file:<path>` is supported (or no \
                                 pin-source and the PIN in HOCBA_PKCS11_PIN)"
                            ))
                        })?;
                    pin_file = Some(PathBuf::from(file));
                }
                "module-name" => {
                    return Err(bad(
                        "module-name is not searched for: give the module's file with \
                         module-path=… (e.g. /usr/lib/softhsm/libsofthsm2.so)"
                            .into(),
                    ));
                }
                other if other.starts_with("x-") => {}
                other => {
                    return Err(bad(format!(
                        "unknown query attribute `{other}` (module-path, pin-source)"
                    )));
                }
            }
        }
        uri.module_path = module.ok_or_else(|| {
            bad("no module-path: say which PKCS#11 module to load, e.g. \
                 ?module-path=/usr/lib/softhsm/libsofthsm2.so"
                .into())
        })?;
        if let Some(file) = pin_file {
            uri.pin_source = PinSource::File(file);
        }
        Ok(uri)
    }

    /// The token as people name it: its label, else the URI.
    pub fn token_name(&self) -> String {
        self.token.clone().unwrap_or_else(|| self.text.clone())
    }
}

fn decode(value: &str) -> Result<String, String> {
    percent_decode_str(value)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("`{value}` is not UTF-8 once percent-decoded"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_the_documented_form() {
        let u = Pkcs11Uri::parse(
            "pkcs11:token=hocba-dev;object=school-79000701;id=%01%02\
             ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt",
        )
        .unwrap();
        assert_eq!(u.token.as_deref(), Some("hocba-dev"));
        assert_eq!(u.object.as_deref(), Some("school-79000701"));
        assert_eq!(u.id.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(
            u.module_path,
            PathBuf::from("/usr/lib/softhsm/libsofthsm2.so")
        );
        assert_eq!(u.pin_source, PinSource::File("pin.txt".into()));
        assert!(is_pkcs11_uri("PKCS11:token=a"));
        assert!(!is_pkcs11_uri("keys/dev"));
    }

    #[test]
    fn percent_encoded_labels_and_env_pin() {
        let u = Pkcs11Uri::parse("pkcs11:token=Tr%C6%B0%E1%BB%9Dng%20A?module-path=/m.so").unwrap();
        assert_eq!(u.token.as_deref(), Some("Trường A"));
        assert_eq!(u.pin_source, PinSource::Env);
    }

    #[test]
    fn pin_value_is_refused_and_not_echoed() {
        let err = Pkcs11Uri::parse("pkcs11:token=t?module-path=/m.so&pin-value=4321").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("pin-source=file:"), "{text}");
        assert!(!text.contains("4321"), "{text}");
    }

    #[test]
    fn unknown_or_missing_attributes_are_named() {
        for (uri, needle) in [
            ("pkcs11:token=t", "module-path"),
            ("pkcs11:tokn=t?module-path=/m.so", "tokn"),
            ("pkcs11:token=t?module-path=/m.so&pin-source=env:X", "file:"),
            ("pkcs11:token=t?module-name=softhsm2", "module-path"),
            ("pkcs11:slot-id=x?module-path=/m.so", "slot-id"),
            ("pkcs11:type=cert?module-path=/m.so", "private"),
            ("file:keys", "pkcs11:"),
        ] {
            let err = Pkcs11Uri::parse(uri).unwrap_err().to_string();
            assert!(err.contains(needle), "{uri}: {err}");
        }
        // Vendor attributes are ignored.
        assert!(Pkcs11Uri::parse("pkcs11:x-a=1?module-path=/m.so&x-b=2").is_ok());
    }
}
