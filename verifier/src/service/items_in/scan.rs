//! The fast path of [`super::parse_json_items`] for the body a bulk client sends,
//! `{"items": [{"credential": {…}}, …]}` and nothing else: one pass that checks the JSON grammar
//! (RFC 8259) of the whole body and notes where each credential's value lies.
//!
//! It answers only "this body is exactly that shape, and JSON" (`Some`, the credentials' byte
//! ranges) or "not sure" (`None`). Everything else — a `qr` item, another member, a member name
//! written with an escape, anything malformed — goes to the general reader (`serde_json`), which
//! gives the items, errors and messages as documented; so this path can only make a request
//! cheaper, never change its answer (the tests compare the two on every kind of body).
//!
//! Written by hand because `serde_json` has no cheaper way to take raw values apart: it reads
//! each string a byte at a time, where this skips eight bytes of text at once, and a credential
//! is mostly text (`crate::json_scan`).

use std::ops::Range;

use crate::json_scan::Cursor;

/// The byte range of each credential of `body`, when `body` is exactly
/// `{"items": [{"credential": VALUE}, …]}` (whitespace anywhere JSON allows it) and valid JSON;
/// `None` otherwise.
pub(super) fn credential_ranges(body: &str) -> Option<Vec<Range<usize>>> {
    let mut c = Cursor::new(body);
    c.space();
    c.eat(b'{')?;
    c.space();
    member_name(&mut c, b"\"items\"")?;
    c.eat(b'[')?;
    c.space();
    let mut ranges = Vec::new();
    if c.eat(b']').is_none() {
        loop {
            c.space();
            c.eat(b'{')?;
            c.space();
            member_name(&mut c, b"\"credential\"")?;
            let start = c.at();
            c.value()?;
            ranges.push(start..c.at());
            c.space();
            c.eat(b'}')?;
            c.space();
            if c.eat(b',').is_none() {
                c.eat(b']')?;
                break;
            }
        }
    }
    c.space();
    c.eat(b'}')?;
    c.space();
    c.at_end().then_some(ranges)
}

/// A member's name written exactly as `quoted` (quotes included, no escapes), then the colon,
/// with the whitespace around it.
fn member_name(c: &mut Cursor<'_>, quoted: &[u8]) -> Option<()> {
    c.literal(quoted)?;
    c.space();
    c.eat(b':')?;
    c.space();
    Some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_usual_body_is_taken_apart() {
        let body = " {\"items\" : [ {\"credential\": {\"a\": [1, -2.5e+3, \"x\\u00e9\\n\", true, null, {}]}},\n{ \"credential\" : \"t\" } ] } ";
        let ranges = credential_ranges(body).unwrap();
        let got: Vec<&str> = ranges.into_iter().map(|r| &body[r]).collect();
        assert_eq!(
            got,
            [
                "{\"a\": [1, -2.5e+3, \"x\\u00e9\\n\", true, null, {}]}",
                "\"t\""
            ]
        );
        assert_eq!(credential_ranges("{\"items\":[]}"), Some(Vec::new()));
        for not_sure in [
            "{\"items\":[{\"qr\":\"1\"}]}",
            "{\"items\":[{\"credential\":{},\"x\":1}]}",
            "{\"items\":[],\"items\":[]}",
            "{\"it\\u0065ms\":[]}",
            "{\"items\":[{\"credential\":01}]}",
            "{\"items\":[{\"credential\":[1,]}]}",
            "{\"items\":[{\"credential\":\"\u{1}\"}]}",
            "{\"items\":[{\"credential\":{\"a\" 1}}]}",
            "{\"items\":[{\"credential\":1.}]}",
            "{\"items\":[{\"credential\":tru}]}",
            "{\"items\":[]} x",
        ] {
            assert_eq!(credential_ranges(not_sure), None, "{not_sure}");
        }
    }
}
