//! A cursor over JSON text (RFC 8259) that checks the grammar as it goes, without building
//! anything: the fast paths of the bulk API's request reader (`service::items_in::scan`) and of
//! the normalised record ([`crate::normalise`]) walk JSON with it and hand anything they are
//! not sure of to `serde_json`.
//!
//! Written by hand because `serde_json` reads each string a byte at a time, where this skips
//! eight bytes of text at once, and a credential is mostly text. No recursion: nested values are
//! followed with a stack, so a deep value costs memory in proportion to its size, as in
//! `serde_json`'s reading of ignored and raw values. The text is a `str`, so UTF-8 is known.

/// A position in JSON text.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// At the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Cursor {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    /// The byte offset.
    pub(crate) fn at(&self) -> usize {
        self.at
    }

    /// Whether the whole text was read.
    pub(crate) fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    /// The text from `start` to here.
    pub(crate) fn since(&self, start: usize) -> Option<&'a str> {
        self.text.get(start..self.at)
    }

    /// A string without escapes (the cursor on its opening quote): its content, borrowed;
    /// `None`, the cursor left where it was, for one with an escape or a control character.
    pub(crate) fn plain_string(&mut self) -> Option<&'a str> {
        let start = self.at;
        let found = self.plain_string_from(start);
        if found.is_none() {
            self.at = start;
        }
        found
    }

    fn plain_string_from(&mut self, start: usize) -> Option<&'a str> {
        self.eat(b'"')?;
        self.skip_plain();
        let content = self.text.get(start + 1..self.at)?;
        self.eat(b'"')?;
        Some(content)
    }

    /// Moves over plain string content (see [`special`]): eight bytes at a time, then the last
    /// few one by one.
    fn skip_plain(&mut self) {
        let bytes = self.bytes;
        let mut at = self.at;
        while let Some(word) = bytes.get(at..at + 8) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            let found = special(u64::from_le_bytes(eight));
            if found != 0 {
                self.at = at + found.trailing_zeros() as usize / 8;
                return;
            }
            at += 8;
        }
        while bytes
            .get(at)
            .is_some_and(|&b| b >= 0x20 && b != b'"' && b != b'\\')
        {
            at += 1;
        }
        self.at = at;
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// JSON whitespace.
    pub(crate) fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    pub(crate) fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    pub(crate) fn literal(&mut self, text: &[u8]) -> Option<()> {
        let end = self.at.checked_add(text.len())?;
        (self.bytes.get(self.at..end)? == text).then(|| self.at = end)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; what follows is the caller's
    /// to check (a digit after a leading 0 is then refused there).
    pub(crate) fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// A string, the cursor on its opening quote: no control character, escapes `\"`, `\\`,
    /// `\/`, `\b`, `\f`, `\n`, `\r`, `\t` and `\u` with four hex digits (the text is UTF-8
    /// already: the body is a `str`).
    pub(crate) fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            self.skip_plain();
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                _ => return None, // a control character
            }
        }
    }

    /// One JSON value (any depth, without recursion: `stack` holds whether each open container
    /// is an object).
    pub(crate) fn value(&mut self) -> Option<()> {
        let mut stack: Vec<bool> = Vec::new();
        loop {
            // A value starts here.
            self.space();
            match self.peek()? {
                b'{' => {
                    self.at += 1;
                    self.space();
                    if self.eat(b'}').is_none() {
                        stack.push(true);
                        self.string()?;
                        self.space();
                        self.eat(b':')?;
                        continue;
                    }
                }
                b'[' => {
                    self.at += 1;
                    self.space();
                    if self.eat(b']').is_none() {
                        stack.push(false);
                        continue;
                    }
                }
                b'"' => self.string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // A value ended: close containers until one goes on with `,`.
            loop {
                let Some(&object) = stack.last() else {
                    return Some(());
                };
                self.space();
                match self.peek()? {
                    b',' => {
                        self.at += 1;
                        if object {
                            self.space();
                            self.string()?;
                            self.space();
                            self.eat(b':')?;
                        }
                        break;
                    }
                    b'}' if object => {
                        self.at += 1;
                        stack.pop();
                    }
                    b']' if !object => {
                        self.at += 1;
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }
}

/// The high bit of each byte of the little-endian word `x` that is not plain string content —
/// below 0x20, `"` or `\\` — and maybe of bytes above it (bytes above 0x7f are masked out). A
/// borrow can only mark a byte *above* a real match, so the lowest marked byte is the first
/// special one.
fn special(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |y: u64| y.wrapping_sub(ONES) & !y;
    (x.wrapping_sub(ONES * 0x20)
        | zero(x ^ (ONES * u64::from(b'"')))
        | zero(x ^ (ONES * u64::from(b'\\'))))
        & !x
        & HIGH
}

/// How many bytes at the start of `text` are plain string content.
#[cfg(test)]
fn plain_len(text: &str) -> usize {
    let mut c = Cursor::new(text);
    c.skip_plain();
    c.at
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn plain_len_stops_at_the_first_special_byte() {
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..20 {
                for filler in ["a", "ệ", "\u{7f}", "#", "]"] {
                    let mut chars: Vec<char> = filler.repeat(20).chars().collect();
                    chars.insert(at, char::from(special));
                    let s: String = chars.into_iter().collect();
                    let expect = filler.repeat(at).len();
                    assert_eq!(plain_len(&s), expect, "{special:#x} at {at}");
                    // A second special byte later changes nothing.
                    let twice = format!("{s}\"");
                    assert_eq!(plain_len(&twice), expect);
                }
            }
        }
        assert_eq!(plain_len("Trần Thị Ánh"), "Trần Thị Ánh".len());
    }
}
