//! The one-pass scanner behind [`scan_canonical`]: walks the bytes, checks that each value is
//! written exactly as JCS writes it, and records where the members sit.

use std::cmp::Ordering;

use super::super::{BYTE_CLASS, LEAD_E1, MAX_SAFE_INTEGER, OTHER, PLAIN, quiet_prefix8};
use super::super::{is_nfc, utf16_order};
use super::{CanonicalJson, MAX_DEPTH, Member, RECORDED_DEPTH, TOP, decode_escapes};

/// `Some` when `bytes` are a JSON object written exactly as [`canonical_bytes`] writes it, with
/// every string in NFC and every number within ±(2^53−1); `None` otherwise (see the
/// [module docs](super)).
///
/// [`canonical_bytes`]: super::super::canonical_bytes
pub fn scan_canonical(bytes: &[u8]) -> Option<CanonicalJson<'_>> {
    if bytes.first() != Some(&b'{') || bytes.len() >= u32::MAX as usize {
        return None;
    }
    // SIMD validation: on a credential, a third of the time std's takes.
    let text = simdutf8::basic::from_utf8(bytes).ok()?;
    let mut scanner = Scanner {
        b: bytes,
        text,
        i: 0,
        // 2 KB: room for the members a credential records (about 70).
        members: Vec::with_capacity(128),
        scratch: String::new(),
    };
    scanner.object(1, None)?;
    if scanner.i != bytes.len() {
        return None;
    }
    Some(CanonicalJson {
        text,
        members: scanner.members,
    })
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    members: Vec<Member>,
    scratch: String,
}

/// A member name as scanned: where it is and whether it holds escapes.
#[derive(Clone, Copy)]
struct Key {
    start: usize,
    end: usize,
    escaped: bool,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth + 1, None),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(depth)?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object at nesting `depth` (the top level is 1). Members of objects at depths 1 to
    /// [`RECORDED_DEPTH`] are recorded, each object reached through recorded members only (an
    /// object inside an array is not); `recorded` is the index of the member whose value this
    /// object is, when that member was recorded (`None` at the top level, whose members are
    /// [`TOP`]'s).
    fn object(&mut self, depth: usize, recorded: Option<u32>) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let record = depth == 1 || recorded.is_some();
        let mut previous: Option<Key> = None;
        loop {
            let start = self.i;
            let key = self.string()?;
            if let Some(prev) = previous
                && self.order(prev, key) != Ordering::Less
            {
                return None;
            }
            previous = Some(key);
            self.eat(b':')?;
            let value_start = self.i;
            if record {
                let index = self.members.len() as u32;
                debug_assert_eq!((start + 1, key.end + 2), (key.start, value_start));
                self.members.push(Member {
                    parent: recorded.unwrap_or(TOP),
                    key_start: key.start as u32,
                    value_start: value_start as u32,
                    end: 0,
                });
                if depth < RECORDED_DEPTH && self.peek() == Some(b'{') {
                    self.object(depth + 1, Some(index))?;
                } else {
                    self.value(depth)?;
                }
                self.members[index as usize].end = self.i as u32;
            } else {
                self.value(depth)?;
            }
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// RFC 8785 order of two member names (UTF-16 code units of the decoded names).
    fn order(&mut self, a: Key, b: Key) -> Ordering {
        let raw = |k: Key| &self.text[k.start..k.end];
        if !a.escaped && !b.escaped {
            // Where the names first differ, an ASCII byte on either side orders them as their
            // UTF-16 code units do (the bytes before are whole characters, alike in both);
            // only two high bytes need the UTF-16 comparison.
            let (x, y) = (raw(a).as_bytes(), raw(b).as_bytes());
            return match x.iter().zip(y).position(|(p, q)| p != q) {
                Some(i) if x[i] < 0x80 || y[i] < 0x80 => x[i].cmp(&y[i]),
                Some(_) => utf16_order(raw(a), raw(b)),
                None => x.len().cmp(&y.len()),
            };
        }
        let (ta, tb) = (raw(a), raw(b));
        let mut da = String::new();
        let mut db = String::new();
        decode_escapes(ta, &mut da);
        decode_escapes(tb, &mut db);
        utf16_order(&da, &db)
    }

    /// A string as JCS writes it, in NFC; returns where its content is.
    fn string(&mut self) -> Option<Key> {
        self.eat(b'"')?;
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let mut slow_nfc = false;
        let mut escaped = false;
        loop {
            // Plain bytes eight at a time, then straight to the first byte that is not. A run
            // of plain words advances by a constant, so the next load need not wait for the
            // count of this one.
            while i + 8 <= b.len() {
                let plain = quiet_prefix8(&b[i..i + 8]);
                if plain < 8 {
                    i += plain;
                    break;
                }
                i += 8;
            }
            let c = *b.get(i)?;
            match BYTE_CLASS[usize::from(c)] {
                PLAIN => i += 1,
                LEAD_E1 => {
                    if !matches!(b.get(i + 1), Some(0xB8..=0xBB)) {
                        slow_nfc = true;
                    }
                    i += 1; // its continuation bytes are plain
                }
                OTHER => {
                    slow_nfc = true;
                    i += 1;
                }
                _ => match c {
                    b'"' => break,
                    b'\\' => {
                        escaped = true;
                        i += 1 + canonical_escape(&b[i + 1..])?;
                    }
                    _ => return None, // a raw control character: not JSON
                },
            }
        }
        self.i = i + 1;
        // Most strings need neither check below; the content is sliced only for those that do.
        let nfc = if escaped {
            self.scratch.clear();
            let mut s = std::mem::take(&mut self.scratch);
            decode_escapes(&self.text[start..i], &mut s);
            let ok = is_nfc(&s);
            self.scratch = s;
            ok
        } else {
            !slow_nfc || is_nfc(&self.text[start..i])
        };
        nfc.then_some(Key {
            start,
            end: i,
            escaped,
        })
    }

    /// A number written as ECMAScript writes it, within ±(2^53−1).
    fn number(&mut self) -> Option<()> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let negative = b[i] == b'-';
        if negative {
            i += 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = i - int_start;
        if int_digits == 0 || (int_digits > 1 && b[int_start] == b'0') {
            return None;
        }
        let int_is_zero = b[int_start] == b'0';
        let mut frac_digits = 0;
        let mut frac_leading_zeros = 0;
        let mut simple = true;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_digits = i - frac_start;
            if frac_digits == 0 || b[i - 1] == b'0' {
                return None; // "1." is not JSON; a trailing zero is not canonical
            }
            frac_leading_zeros = b[frac_start..i].iter().take_while(|&&d| d == b'0').count();
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            simple = false;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp_start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == exp_start {
                return None;
            }
        }
        self.i = i;
        let token = &self.text[start..i];
        if simple && frac_digits == 0 {
            // An integer: canonical unless "-0"; within range up to 15 digits, compared
            // beyond.
            if negative && int_is_zero {
                return None;
            }
            return match int_digits {
                0..=15 => Some(()),
                16 => token
                    .trim_start_matches('-')
                    .parse::<u64>()
                    .ok()
                    .filter(|&u| u <= MAX_SAFE_INTEGER)
                    .map(|_| ()),
                _ => None,
            };
        }
        // A plain decimal of at most 15 significant digits is its own shortest round trip,
        // and ECMAScript writes it without an exponent from 10^-6 up.
        let significant = if int_is_zero {
            frac_digits - frac_leading_zeros
        } else {
            int_digits + frac_digits
        };
        if simple && significant <= 15 && !(int_is_zero && frac_leading_zeros > 5) {
            return Some(());
        }
        // Anything else: exactly as the general path would write it.
        let f: f64 = token.parse().ok()?;
        if !f.is_finite() || f.abs() > MAX_SAFE_INTEGER as f64 {
            return None;
        }
        (ryu_js::Buffer::new().format_finite(f) == token).then_some(())
    }
}

/// Length of a JCS escape after its backslash: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, or
/// `\u00xx` in lowercase hex for another control character. `None` for any other escape.
fn canonical_escape(rest: &[u8]) -> Option<usize> {
    match *rest.first()? {
        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => Some(1),
        b'u' => {
            let hex = rest.get(1..5)?;
            if hex[0] != b'0' || hex[1] != b'0' {
                return None;
            }
            let digit = |h: u8| match h {
                b'0'..=b'9' => Some(h - b'0'),
                b'a'..=b'f' => Some(h - b'a' + 10),
                _ => None,
            };
            let c = digit(hex[2])? << 4 | digit(hex[3])?;
            (c < 0x20 && !matches!(c, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d)).then_some(5)
        }
        _ => None,
    }
}
