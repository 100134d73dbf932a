//! Reading a bundle's top level without building a tree of the whole file: a gzip-compressed
//! bundle is inflated (at most [`MAX_BUNDLE_BYTES`](super::MAX_BUNDLE_BYTES)), the top-level
//! object is read strictly (no member twice, as [`hocba_schema::json`] reads everything
//! untrusted), and each member is kept as its raw JSON text. The trust lists are then read
//! from that text by the trust-list code, and each status list is taken in as the bytes it
//! was published as (read, strictly, when a credential first uses it). At national scale
//! this is what keeps opening under a second or two: 54,000 status lists are not parsed,
//! re-serialised and compared to open the bundle.

use std::borrow::Cow;
use std::fmt;
use std::io::Read as _;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::VerifyError;

/// The first two bytes of a gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What a bundle's reader is called in errors.
const WHAT: &str = "trust bundle";

/// The bundle's bytes as JSON: inflated when they are gzip-compressed, the UTF-8 byte order
/// mark skipped.
pub(super) fn inflate(bytes: &[u8], limit: usize) -> Result<Cow<'_, [u8]>, VerifyError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(hocba_schema::json::strip_bom(bytes)));
    }
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(3).min(limit));
    flate2::read::MultiGzDecoder::new(bytes)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| VerifyError::Bundle {
            problem: format!("the gzip-compressed bundle cannot be inflated: {e}"),
        })?;
    if out.len() > limit {
        return Err(VerifyError::TooLarge {
            what: WHAT,
            size: out.len(),
            limit,
        });
    }
    Ok(Cow::Owned(out))
}

/// The top-level members of a bundle, each as its JSON text, in file order.
pub(super) struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Members<'a> {
    /// Read the top-level object of `json`. Errors as [`crate::input`] gives them for any
    /// untrusted JSON: not JSON (with line and column), not an object, a member twice.
    pub(super) fn read(json: &'a [u8]) -> Result<Self, VerifyError> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let members = Members::deserialize(&mut de).and_then(|m| de.end().map(|()| m));
        match members {
            Ok(m) => Ok(m),
            // Not an object, or not JSON: the strict reader names what it is, and where.
            Err(e) => Err(match crate::input::parse_object(json, WHAT, usize::MAX) {
                Err(precise) => precise,
                Ok(_) => VerifyError::NotJson {
                    what: WHAT,
                    line: e.line(),
                    column: e.column(),
                    problem: e.to_string(),
                },
            }),
        }
    }

    /// Take the member `name` out.
    pub(super) fn take(&mut self, name: &str) -> Option<&'a RawValue> {
        let i = self.0.iter().position(|(k, _)| k == name)?;
        Some(self.0.swap_remove(i).1)
    }

    /// The member `name` as a string, when it is one.
    pub(super) fn string(&self, name: &str) -> Option<String> {
        let (_, raw) = self.0.iter().find(|(k, _)| k == name)?;
        serde_json::from_str::<String>(raw.get()).ok()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members<'a>, M::Error> {
                let mut out: Vec<(Cow<'a, str>, &'a RawValue)> = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if out.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!(
                            "{}`{key}`",
                            hocba_schema::json::DUPLICATE_KEY_PREFIX
                        )));
                    }
                    let value: &'de RawValue = map.next_value()?;
                    out.push((key, value));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The items of a member that must be an array, each as its JSON text; `Err` gives what it
/// is instead, shortened.
pub(super) fn items(raw: &RawValue) -> Result<Vec<&RawValue>, String> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).map_err(|_| short(raw.get()))
}

/// The `id` of a status list, read without reading the rest.
pub(super) fn id_of(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Option<Cow<'a, str>>,
    }
    // Only an object has an `id` (serde would also read `["…"]` as one).
    if !raw.get().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Id<'_>>(raw.get())
        .ok()?
        .id
        .map(Cow::into_owned)
}

/// At most 60 characters of `text`.
pub(super) fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write as _;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflating_stops_at_the_limit() {
        // A megabyte of spaces compresses to a few kilobytes: refused past a limit of 64 KiB,
        // named with the limit, without inflating it all.
        let bomb = gzip(&vec![b' '; 1 << 20]);
        assert!(bomb.len() < 16 << 10);
        let err = inflate(&bomb, 64 << 10).unwrap_err();
        assert!(
            matches!(err, VerifyError::TooLarge { size, limit, .. } if limit == 64 << 10 && size == limit + 1),
            "{err:?}"
        );
        assert_eq!(inflate(&bomb, 1 << 20).unwrap().len(), 1 << 20);
        // Not compressed: passed through, a byte order mark skipped.
        assert_eq!(&*inflate(b"\xEF\xBB\xBF{}", 10).unwrap(), b"{}");
    }
}
