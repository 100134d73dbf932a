//! Recognising JSON that is already in canonical form, without building a tree.
//!
//! Stored and exchanged credentials are written as their own RFC 8785 (JCS) bytes. For such
//! input, canonicalising again gives back the very same bytes, so the bytes can be hashed as
//! they are. [`scan_canonical`] makes one pass over the input and says whether that holds, with
//! the project's limits too: the bytes must be exactly what [`canonical_bytes`] would write for
//! the document they parse to (no whitespace, members sorted by UTF-16 code units, hence no
//! member name twice, strings escaped only as JCS escapes, numbers written as ECMAScript writes
//! them), every string (member names too) in NFC and every number within ±(2^53−1).
//!
//! Anything else (whitespace, a byte order mark, unsorted members, an escape JCS would not
//! write, a big number, non-NFC text, nesting deeper than [`MAX_DEPTH`], invalid JSON) is
//! refused with `None`, and the caller takes its general path, which parses, checks and
//! canonicalises the usual way. Refusing is always safe; accepting is what the tests pin down.
//!
//! The scan also remembers where the members of the top-level object begin and end, and those
//! of the objects that are their values, down to [`RECORDED_DEPTH`] levels of objects
//! ([`CanonicalJson::member`], [`MemberRef::member`]), so that a caller can read only the few
//! members it needs (a credential's `credentialSubject.school.code`, say) without a parser, and
//! hash the document without one member ([`CanonicalJson::without`]).
//!
//! [`canonical_bytes`]: super::canonical_bytes

use std::ops::Range;

use super::{BYTE_CLASS, ESCAPE};

mod scanner;

pub use scanner::scan_canonical;

/// Deepest nesting the scan accepts (the general path's parser allows 128).
pub const MAX_DEPTH: usize = 64;

/// How many levels of nested objects have their members recorded: the top-level object (1),
/// the objects that are its members' values (2), and the objects that are theirs (3). Objects
/// inside arrays, and deeper ones, are scanned but not recorded.
pub const RECORDED_DEPTH: usize = 3;

/// Input recognised as canonical (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct CanonicalJson<'a> {
    text: &'a str,
    members: Vec<Member>,
}

/// Where one member sits in the input: 16 bytes, so that the members a credential records fit
/// one small allocation.
///
/// In canonical JSON a member is `"name":value`, so the name ends two bytes before the value
/// starts and the member starts one byte before the name; the member and its value end
/// together.
#[derive(Debug, Clone)]
struct Member {
    /// The index of the member whose object value holds this one; [`TOP`] at the top level.
    parent: u32,
    /// Where the name starts, after its opening quote (escapes left as they are).
    key_start: u32,
    /// Where the value starts.
    value_start: u32,
    /// Where the value (and the member) ends.
    end: u32,
}

/// [`Member::parent`] of a top-level member.
const TOP: u32 = u32::MAX;

impl Member {
    /// The name as written, without its quotes.
    fn key(&self) -> Range<usize> {
        self.key_start as usize..self.value_start as usize - 2
    }

    /// The whole member, from the name's opening quote to the end of the value.
    fn whole(&self) -> Range<u32> {
        self.key_start - 1..self.end
    }

    /// The value.
    fn value(&self) -> Range<u32> {
        self.value_start..self.end
    }
}

/// One member of a [`CanonicalJson`] document.
#[derive(Debug, Clone, Copy)]
pub struct MemberRef<'d, 'a> {
    doc: &'d CanonicalJson<'a>,
    index: u32,
}

impl<'a> CanonicalJson<'a> {
    /// The whole input.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The top-level member named `name`.
    pub fn member(&self, name: &str) -> Option<MemberRef<'_, 'a>> {
        self.find(TOP, name)
    }

    /// Every member of the top-level object, in order.
    pub fn members(&self) -> impl Iterator<Item = MemberRef<'_, 'a>> {
        self.children(TOP)
    }

    /// The members whose parent is `parent`. Members are recorded in the order they are
    /// met, so a member's children follow it, each followed by its own recorded members (which
    /// lie within it in the text): the walk steps from one child to the next by skipping
    /// those, and stops at the first member beyond the parent's value.
    fn children(&self, parent: u32) -> impl Iterator<Item = MemberRef<'_, 'a>> + '_ {
        let (mut next, end) = match parent {
            TOP => (0, u32::MAX),
            p => (p as usize + 1, self.members[p as usize].end),
        };
        std::iter::from_fn(move || {
            let index = next;
            let m = self.members.get(index).filter(|m| m.key_start < end)?;
            debug_assert_eq!(m.parent, parent);
            next += 1;
            while self.members.get(next).is_some_and(|n| n.key_start < m.end) {
                next += 1;
            }
            Some(MemberRef {
                doc: self,
                index: index as u32,
            })
        })
    }

    fn find(&self, parent: u32, name: &str) -> Option<MemberRef<'_, 'a>> {
        // A name without escapes is written as itself; members are unique.
        if name.bytes().any(needs_escape) {
            return None;
        }
        self.children(parent).find(|m| m.raw_key() == name)
    }

    /// The bytes of the top-level object without `member` (the canonical form of the object
    /// without it), as two pieces to feed a hash in order.
    pub fn without(&self, member: MemberRef<'_, 'a>) -> [&'a [u8]; 2] {
        let m = &self.members[member.index as usize];
        let enclosing = match m.parent {
            TOP => 0..self.text.len() as u32,
            p => self.members[p as usize].value(),
        };
        cut(self.text.as_bytes(), enclosing, m.whole())
    }
}

impl<'d, 'a> MemberRef<'d, 'a> {
    /// The member's name as written (between the quotes, escapes as they are).
    pub fn raw_key(&self) -> &'a str {
        &self.doc.text[self.doc.members[self.index as usize].key()]
    }

    /// The member's value as written (itself canonical JSON).
    pub fn value_text(&self) -> &'a str {
        let r = self.doc.members[self.index as usize].value();
        &self.doc.text[r.start as usize..r.end as usize]
    }

    /// The members of this member's value, when the value is an object whose members were
    /// recorded (this member at depth 1 or 2: see [`RECORDED_DEPTH`]); none otherwise.
    pub fn members(&self) -> impl Iterator<Item = MemberRef<'d, 'a>> {
        self.doc.children(self.index)
    }

    /// How deep the member sits: 1 for a member of the top-level object, 2 for a member of
    /// its value, and so on. The members of an object value are recorded when this is below
    /// [`RECORDED_DEPTH`].
    pub fn depth(&self) -> usize {
        let mut depth = 1;
        let mut at = self.doc.members[self.index as usize].parent;
        while at != TOP {
            depth += 1;
            at = self.doc.members[at as usize].parent;
        }
        depth
    }

    /// The member's name, with escapes decoded.
    pub fn key(&self) -> std::borrow::Cow<'a, str> {
        let raw = self.raw_key();
        if raw.contains('\\') {
            let mut s = String::with_capacity(raw.len());
            decode_escapes(raw, &mut s);
            s.into()
        } else {
            raw.into()
        }
    }

    /// The member named `name` of this member's value, when the value is an object whose
    /// members were recorded (see [`MemberRef::members`]).
    pub fn member(&self, name: &str) -> Option<MemberRef<'d, 'a>> {
        self.doc.find(self.index, name)
    }

    /// The bytes of this member's object value without its member `inner`, as pieces to feed
    /// a hash in order (`inner` must be a member of this one's value).
    pub fn without(&self, inner: MemberRef<'d, 'a>) -> [&'a [u8]; 2] {
        let outer = self.doc.members[self.index as usize].value();
        let m = &self.doc.members[inner.index as usize];
        debug_assert_eq!(m.parent, self.index);
        cut(self.doc.text.as_bytes(), outer, m.whole())
    }
}

/// `bytes[object]` without `member` and the comma that separates it from a neighbour.
fn cut(bytes: &[u8], object: Range<u32>, member: Range<u32>) -> [&[u8]; 2] {
    let (o, m) = (
        object.start as usize..object.end as usize,
        member.start as usize..member.end as usize,
    );
    if bytes[m.end] == b',' {
        // Not the last member: drop the comma after it.
        [&bytes[o.start..m.start], &bytes[m.end + 1..o.end]]
    } else if bytes[m.start - 1] == b',' {
        // The last of several: drop the comma before it.
        [&bytes[o.start..m.start - 1], &bytes[m.end..o.end]]
    } else {
        // The only member.
        [&bytes[o.start..m.start], &bytes[m.end..o.end]]
    }
}

fn needs_escape(b: u8) -> bool {
    BYTE_CLASS[usize::from(b)] == ESCAPE
}

/// Append the text of a string's content with its (canonical) escapes decoded.
fn decode_escapes(content: &str, out: &mut String) {
    let mut rest = content;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let (c, used) = match tail.as_bytes().first() {
            Some(b'b') => ('\u{8}', 1),
            Some(b'f') => ('\u{c}', 1),
            Some(b'n') => ('\n', 1),
            Some(b'r') => ('\r', 1),
            Some(b't') => ('\t', 1),
            Some(b'u') => (
                tail.get(1..5)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}'),
                5,
            ),
            Some(&other) => (char::from(other), 1),
            None => break,
        };
        out.push(c);
        rest = tail.get(used..).unwrap_or("");
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;
