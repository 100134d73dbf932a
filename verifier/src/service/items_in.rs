//! The JSON body of `POST /api/v1/verify`, `{"items": [{"credential": {…}} | {"qr": "…"}, …]}`,
//! read in one pass: each item's credential is borrowed from the body as it is met (its bytes
//! copied once, into the [`Item`]), never parsed into a tree and never scanned twice.
//!
//! An item that is not `{"credential": …}` or `{"qr": "…"}` (another member, both, neither, a
//! `qr` that is not text, not an object at all) does not spoil the request: it becomes
//! [`Item::Malformed`] and is answered on its own. Only a body that is not JSON, or not
//! `{"items": [...]}`, is refused as a whole. Values are skipped or captured without recursion
//! (`serde_json` reads raw and ignored values iteratively), so a deeply nested item is one
//! malformed item, not a failed request.
//!
//! The body a bulk client sends — credentials only — is first tried by a one-pass grammar check
//! ([`scan`]) that finds the same credential bytes several times cheaper; whatever it is not
//! sure of is read by `serde_json` as above, so the answers stay the same.

use std::fmt;

use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::api::too_many;
use super::problem::Problem;
use super::verify::Item;

mod scan;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    items: Vec<ItemIn>,
}

/// One item as read: an [`Item`], or why it is malformed (`Err`, without its index yet).
struct ItemIn(Result<Item, String>);

const SHAPE: &str = "must be {\"credential\": {…}} or {\"qr\": \"…\"}";

impl<'de> Deserialize<'de> for ItemIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl ItemVisitor {
    fn not_an_object<E>(found: &str) -> Result<ItemIn, E> {
        Ok(ItemIn(Err(format!("{SHAPE}, not {found}"))))
    }
}

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = ItemIn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an item {\"credential\": {…}} or {\"qr\": \"…\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemIn, A::Error> {
        let mut credential: Option<&'de RawValue> = None;
        let mut qr: Option<&'de RawValue> = None;
        let mut problem: Option<String> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let slot = match key.0.as_ref() {
                "credential" => &mut credential,
                "qr" => &mut qr,
                other => {
                    map.next_value::<IgnoredAny>()?;
                    problem.get_or_insert_with(|| format!("{SHAPE}: unknown member {other:?}"));
                    continue;
                }
            };
            let value = map.next_value::<&'de RawValue>()?;
            if slot.replace(value).is_some() {
                problem.get_or_insert_with(|| format!("{SHAPE}: member {:?} twice", key.0));
            }
        }
        if let Some(p) = problem {
            return Ok(ItemIn(Err(p)));
        }
        Ok(ItemIn(match (credential, qr) {
            (Some(c), None) => Ok(Item::Credential(c.get().as_bytes().to_vec())),
            (None, Some(q)) => serde_json::from_str::<String>(q.get())
                .map(Item::Qr)
                .map_err(|e| format!("{SHAPE}: qr must be text: {e}")),
            _ => Err("must have exactly one of \"credential\" or \"qr\"".to_owned()),
        }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ItemIn, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Self::not_an_object("an array")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ItemIn, E> {
        Self::not_an_object("true or false")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<ItemIn, E> {
        Self::not_an_object("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<ItemIn, E> {
        Self::not_an_object("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ItemIn, E> {
        Self::not_an_object("a number")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ItemIn, E> {
        Self::not_an_object("text")
    }

    fn visit_unit<E: de::Error>(self) -> Result<ItemIn, E> {
        Self::not_an_object("null")
    }
}

/// A member name, borrowed from the body unless it has escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_owned().into()))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Read the items of a JSON body (at most `max_items`), each with no file name. The usual body
/// (credentials only) is taken apart by the fast path ([`scan::credential_ranges`]); any other
/// by `serde_json` ([`read_general`]), with the same items.
pub(super) fn parse_json_items(
    body: &[u8],
    max_items: usize,
) -> Result<(Vec<Item>, Vec<Option<String>>), Problem> {
    // A body that is UTF-8 (checked at once, with SIMD) is read as text: `serde_json` then
    // takes each credential's bytes as they are instead of checking their UTF-8 again, byte by
    // byte. Any other body is read as bytes, as before, and fails with the same message.
    let text = simdutf8::basic::from_utf8(body).ok();
    let items: Vec<Result<Item, String>> = match text.and_then(scan::credential_ranges) {
        Some(ranges) => ranges
            .into_iter()
            .map(|r| Ok(Item::Credential(body.get(r).unwrap_or_default().to_vec())))
            .collect(),
        None => read_general(body, text)?,
    };
    finish(items, max_items)
}

/// The items of any body, read by `serde_json` (as text when it is UTF-8: `text`).
fn read_general(body: &[u8], text: Option<&str>) -> Result<Vec<Result<Item, String>>, Problem> {
    let parsed = match text {
        Some(text) => serde_json::from_str::<VerifyRequest>(text),
        None => serde_json::from_slice::<VerifyRequest>(body),
    };
    let request = parsed.map_err(|e| {
        Problem::bad_json(format!(
            "expected {{\"items\": [{{\"credential\": {{…}}}} or {{\"qr\": \"…\"}}, …]}}: {e}"
        ))
    })?;
    Ok(request.items.into_iter().map(|item| item.0).collect())
}

/// At most `max_items` items, at least one; a malformed item answered on its own.
fn finish(
    items: Vec<Result<Item, String>>,
    max_items: usize,
) -> Result<(Vec<Item>, Vec<Option<String>>), Problem> {
    if items.len() > max_items {
        return Err(too_many(items.len(), max_items));
    }
    if items.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-items",
            "No items",
            "items is empty: give at least one credential or QR text",
        )
        .field("items"));
    }
    let items: Vec<Item> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            item.unwrap_or_else(|detail| Item::Malformed {
                code: "item_malformed",
                detail: format!("items[{i}] {detail}"),
            })
        })
        .collect();
    let names = vec![None; items.len()];
    Ok((items, names))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(body: &str) -> Vec<Item> {
        parse_json_items(body.as_bytes(), 1000).unwrap().0
    }

    /// What `serde_json` alone makes of `body` (the reader before the fast path).
    fn general(body: &[u8], max_items: usize) -> String {
        let items = read_general(body, std::str::from_utf8(body).ok());
        format!("{:?}", items.and_then(|items| finish(items, max_items)))
    }

    fn same(body: &[u8], max_items: usize) {
        assert_eq!(
            format!("{:?}", parse_json_items(body, max_items)),
            general(body, max_items),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }

    /// The fast path gives what `serde_json` gives — items, or the problem with its message —
    /// for the usual body, every prefix of it, and every byte of it replaced by each character
    /// that matters to JSON (or by a byte that is not UTF-8).
    #[test]
    fn the_fast_path_answers_as_serde_json() {
        let body = concat!(
            r#" {"items": [{"credential": {"id": "urn:x", "n": [0, -1.5e-3, 2E+8, 10.25],"#,
            r#" "t": "Trần \"Thị\" \u00e9\\\/\b\f\n\r\t", "ok": true, "no": false,"#,
            r#" "nil": null, "e": {}, "a": [], "d": [[{"k": [1]}]]}},"#,
            "\n\t{ \"credential\" : \"text\" },{\"credential\":12}]}\r\n"
        )
        .as_bytes()
        .to_vec();
        // The fast path takes this body (and so is what the comparisons below test).
        let ranges = scan::credential_ranges(std::str::from_utf8(&body).unwrap()).unwrap();
        assert_eq!(ranges.len(), 3);
        for max in [1000, 2] {
            same(&body, max);
        }
        for end in 0..body.len() {
            same(&body[..end], 1000);
        }
        let swaps: &[u8] = b"\"\\{}[],: 0-+.eEtfnu1\x01\x1f\xff";
        for at in 0..body.len() {
            for &b in swaps {
                let mut changed = body.clone();
                changed[at] = b;
                same(&changed, 1000);
            }
        }
        for odd in [
            &br#"{"items":[]}"#[..],
            br#"{"items":[{"qr":"1"},{"credential":{}}]}"#,
            br#"{"items":[{"credential":1,"credential":2}]}"#,
            br#"{"items":[1]}"#,
            br#"{"items":[],"items":[]}"#,
            br#"{"it\u0065ms":[{"credential":{}}]}"#,
            br#"{"items":[{"credential":"\ud800"}]}"#,
            br#"{"items":[{"credential":1e999}]}"#,
        ] {
            same(odd, 1000);
        }
    }

    #[test]
    fn credentials_are_their_bytes_and_bad_items_stand_alone() {
        let items = read(
            r#"{"items": [{"credential": {"a": [1, "x"]}}, {"qr": "123"}, {"neither": 1},
                {"credential": {}, "qr": "1"}, {"qr": 5}, 7, [[[]]], null, "t",
                {"credential": 1, "credential": 2}]}"#,
        );
        assert_eq!(items.len(), 10);
        assert!(matches!(&items[0], Item::Credential(b) if b == br#"{"a": [1, "x"]}"#));
        assert!(matches!(&items[1], Item::Qr(q) if q == "123"));
        for (i, item) in items.iter().enumerate().skip(2) {
            match item {
                Item::Malformed { code, detail } => {
                    assert_eq!(*code, "item_malformed");
                    assert!(detail.starts_with(&format!("items[{i}] ")), "{detail}");
                }
                _ => panic!("item {i} is not malformed"),
            }
        }
    }

    #[test]
    fn a_deep_item_is_one_malformed_item() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let items = read(&format!(
            r#"{{"items": [{deep}, {{"credential": {deep}}}]}}"#
        ));
        assert!(matches!(items[0], Item::Malformed { .. }));
        assert!(matches!(&items[1], Item::Credential(b) if b.len() == 20_000));
    }

    #[test]
    fn the_envelope_is_strict() {
        for body in [r#"{"items": [}"#, r#"{"items": [], "x": 1}"#, r#"[1]"#] {
            assert!(parse_json_items(body.as_bytes(), 10).is_err(), "{body}");
        }
        let p = parse_json_items(br#"{"items": [1, 2, 3]}"#, 2).unwrap_err();
        assert_eq!(p.rule(), "too-many-items");
    }
}
