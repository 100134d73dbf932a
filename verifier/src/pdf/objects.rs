//! A bounded reader of a PDF's objects, used instead of `lopdf::Document::load_mem`.
//!
//! `load_mem` parses every object each cross-reference entry names, from the offset it names
//! to wherever the parser stops. Hostile tables make that unbounded (all three were tried on
//! hand-made files; see `verifier/tests/verifier/hostile/`): many entries naming the offset of one large
//! object parse it again for each entry; streams whose data holds further object headers are
//! copied again for each (quadratic time and memory); and a chain of indirect `/Length`s is
//! resolved inside the previous stream's parse, recursively, until the stack overflows — a
//! crash no deadline can catch. So here:
//!
//! * the cross-reference data is read by this module: classic tables and cross-reference
//!   streams (inflated to at most what [`MAX_ENTRIES`] rows take), at most [`MAX_SECTIONS`]
//!   along the `/Prev` chain, each section once, at most [`MAX_ENTRIES`] entries; objects in
//!   object streams and encrypted files are refused (the issuer writes neither);
//! * an object is parsed only when asked for, at most once (cached), and lopdf's parser sees
//!   only the object's *region*: its bytes from its offset to the next offset any table names
//!   (or any section starts at). Regions are disjoint, so all parsing together reads each byte
//!   of the file at most once;
//! * an indirect `/Length` is resolved here, one level, after the parse (the parser's reader
//!   knows no other object, so it cannot recurse), and the stream must lie inside its region;
//! * at most [`MAX_OBJECTS_READ`] objects are parsed per document.
//!
//! No clock is read: the bound is on the work, not on the time.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object, ObjectId, Reader};

/// Most cross-reference sections read along the `/Prev` chain (a record has one).
pub const MAX_SECTIONS: usize = 16;
/// Most cross-reference entries, all sections together (a record has a few hundred).
pub const MAX_ENTRIES: usize = 65_536;
/// Most objects parsed for one PDF (a record's embedded file is reached in about six).
pub const MAX_OBJECTS_READ: usize = 256;
/// The trailer dictionary is looked for in this many bytes after `trailer`.
const MAX_TRAILER_BYTES: usize = 64 << 10;
/// `startxref` is looked for in this many bytes at the end of the file.
const TAIL_BYTES: usize = 1024;

/// What went wrong, in words for [`crate::VerifyError::Pdf`].
pub(crate) type Problem = String;

/// The objects of one PDF, read on demand.
pub(crate) struct Objects<'a> {
    /// The file from its `%PDF-` header on (offsets count from there, as in lopdf).
    pdf: &'a [u8],
    /// Object number → (offset, generation), the newest section's entry winning.
    table: BTreeMap<u32, (usize, u16)>,
    /// Every offset a table names and every section's offset, sorted: region ends.
    bounds: Vec<usize>,
    /// The newest trailer.
    trailer: Dictionary,
    /// Objects parsed so far (`None`: parsing failed).
    cache: BTreeMap<ObjectId, Option<Rc<Object>>>,
    /// Objects parsed so far, counted against [`MAX_OBJECTS_READ`].
    parsed: usize,
}

impl<'a> Objects<'a> {
    /// Read the cross-reference tables and the trailer of `pdf`.
    pub(crate) fn open(pdf: &'a [u8]) -> Result<Self, Problem> {
        let start = pdf
            .windows(5)
            .take(1024)
            .position(|w| w == b"%PDF-")
            .ok_or("no %PDF- header")?;
        let pdf = &pdf[start..];
        let mut objects = Objects {
            pdf,
            table: BTreeMap::new(),
            bounds: vec![pdf.len()],
            trailer: Dictionary::new(),
            cache: BTreeMap::new(),
            parsed: 0,
        };
        let mut next = Some(start_xref(pdf)?);
        let mut seen = HashSet::new();
        let mut entries = 0usize;
        while let Some(offset) = next {
            if !seen.insert(offset) {
                break; // a /Prev chain back to a section already read: read once
            }
            if seen.len() > MAX_SECTIONS {
                return Err(format!(
                    "more than {MAX_SECTIONS} cross-reference sections (/Prev chain)"
                ));
            }
            let trailer = objects.read_section(offset, &mut entries)?;
            next = match trailer.get(b"Prev") {
                Ok(Object::Integer(prev)) => Some(
                    usize::try_from(*prev)
                        .ok()
                        .filter(|p| *p < pdf.len())
                        .ok_or_else(|| format!("/Prev {prev} is outside the file"))?,
                ),
                _ => None,
            };
            if seen.len() == 1 {
                objects.trailer = trailer;
            }
        }
        objects.bounds.sort_unstable();
        objects.bounds.dedup();
        if objects.trailer.get(b"Encrypt").is_ok() {
            return Err("the PDF is encrypted; a printed học bạ is not".into());
        }
        Ok(objects)
    }

    /// The newest trailer.
    pub(crate) fn trailer(&self) -> &Dictionary {
        &self.trailer
    }

    /// The objects whose newest definition starts at or after `offset` (those a revision
    /// appended after that point defines or redefines), in number order.
    pub(crate) fn ids_from(&self, offset: usize) -> Vec<ObjectId> {
        self.table
            .iter()
            .filter(|(_, (at, _))| *at >= offset)
            .map(|(number, (_, generation))| (*number, *generation))
            .collect()
    }

    /// Read the section at `offset` (table and trailer), adding its entries.
    fn read_section(&mut self, offset: usize, entries: &mut usize) -> Result<Dictionary, Problem> {
        self.bounds.push(offset);
        let mut c = Cursor {
            bytes: self.pdf,
            at: offset,
        };
        c.space();
        if !c.keyword(b"xref") {
            let mut probe = c.clone();
            let stream_object = probe.uint().is_some()
                && {
                    probe.space();
                    probe.uint().is_some()
                }
                && {
                    probe.space();
                    probe.keyword(b"obj")
                };
            if stream_object {
                return self.read_stream_section(offset, entries);
            }
            return Err(format!("no cross-reference table at offset {offset}"));
        }
        loop {
            c.space();
            if c.keyword(b"trailer") {
                break;
            }
            let bad = || format!("the cross-reference table at offset {offset} is malformed");
            let first = c.uint().ok_or_else(bad)?;
            c.space();
            let count = c.uint().ok_or_else(bad)?;
            *entries = entries.saturating_add(usize::try_from(count).unwrap_or(usize::MAX));
            if *entries > MAX_ENTRIES {
                return Err(format!(
                    "more than {MAX_ENTRIES} cross-reference entries; a printed học bạ has a few hundred"
                ));
            }
            for k in 0..count {
                c.space();
                let at = c.uint().ok_or_else(bad)?;
                c.space();
                let generation = c.uint().ok_or_else(bad)?;
                c.space();
                let kind = c.byte().ok_or_else(bad)?;
                if kind == b'f' {
                    continue;
                }
                if kind != b'n' {
                    return Err(bad());
                }
                let (Ok(at), Ok(generation), Ok(number)) = (
                    usize::try_from(at),
                    u16::try_from(generation),
                    u32::try_from(first + k),
                ) else {
                    continue;
                };
                if at >= self.pdf.len() {
                    continue;
                }
                self.bounds.push(at);
                self.table.entry(number).or_insert((at, generation));
            }
        }
        let from = c.at;
        let window = &self.pdf[from..self.pdf.len().min(from + MAX_TRAILER_BYTES)];
        let to = find(window, b"startxref").unwrap_or(window.len());
        let mut wrapped = Vec::with_capacity(to + 20);
        wrapped.extend_from_slice(b"1 0 obj\n");
        wrapped.extend_from_slice(&window[..to]);
        wrapped.extend_from_slice(b"\nendobj\n");
        match parse_one(&wrapped, (1, 0), 0) {
            Ok(Object::Dictionary(d)) => Ok(d),
            _ => Err(format!(
                "the trailer after offset {offset} is not a dictionary"
            )),
        }
    }

    /// A cross-reference stream (PDF 1.5) at `offset`: its entries, and its dictionary as the
    /// trailer. Entries in object streams (type 2) are not read (object streams are refused).
    fn read_stream_section(
        &mut self,
        offset: usize,
        entries: &mut usize,
    ) -> Result<Dictionary, Problem> {
        let bad = |why: &str| format!("the cross-reference stream at offset {offset} {why}");
        let mut c = Cursor {
            bytes: self.pdf,
            at: offset,
        };
        c.space();
        let number = c.uint().and_then(|n| u32::try_from(n).ok());
        c.space();
        let generation = c.uint().and_then(|g| u16::try_from(g).ok());
        let (Some(number), Some(generation)) = (number, generation) else {
            return Err(bad("has no object number"));
        };
        // The bounds are not sorted yet while the sections are read: the nearest one after.
        let end = self
            .bounds
            .iter()
            .copied()
            .filter(|b| *b > offset)
            .min()
            .unwrap_or(self.pdf.len());
        let Ok(Object::Stream(stream)) = parse_one(&self.pdf[..end], (number, generation), offset)
        else {
            return Err(bad("is not a readable stream"));
        };
        let widths: Vec<usize> = integers(stream.dict.get(b"W").ok())
            .into_iter()
            .filter_map(|w| usize::try_from(w).ok().filter(|w| *w <= 8))
            .collect();
        let [w1, w2, w3] = widths[..] else {
            return Err(bad("has no usable /W"));
        };
        if w2 == 0 {
            return Err(bad("has no offset field"));
        }
        let size = match stream.dict.get(b"Size") {
            Ok(Object::Integer(n)) => *n,
            _ => return Err(bad("has no /Size")),
        };
        let index = match stream.dict.get(b"Index") {
            Ok(_) => integers(stream.dict.get(b"Index").ok()),
            Err(_) => vec![0, size],
        };
        let row = w1 + w2 + w3;
        let data = stream
            .decompressed_content_with_limit(MAX_ENTRIES * row)
            .or_else(|_| {
                if stream.dict.get(b"Filter").is_err() {
                    Ok(stream.content.clone())
                } else {
                    Err(())
                }
            })
            .map_err(|()| bad("does not decompress within its limit"))?;
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        let mut rows = data.chunks_exact(row);
        for pair in index.chunks_exact(2) {
            let (Ok(first), Ok(count)) = (u64::try_from(pair[0]), usize::try_from(pair[1])) else {
                return Err(bad("has a negative /Index"));
            };
            *entries = entries.saturating_add(count);
            if *entries > MAX_ENTRIES {
                return Err(format!(
                    "more than {MAX_ENTRIES} cross-reference entries; a printed học bạ has a few hundred"
                ));
            }
            for k in 0..count {
                let Some(r) = rows.next() else {
                    return Err(bad("is shorter than its /Index says"));
                };
                let kind = if w1 == 0 { 1 } else { field(&r[..w1]) };
                let at = field(&r[w1..w1 + w2]);
                let generation = if w3 == 0 { 0 } else { field(&r[w1 + w2..]) };
                let number = first.saturating_add(k as u64);
                let (1, Ok(at), Ok(generation), Ok(number)) = (
                    kind,
                    usize::try_from(at),
                    u16::try_from(generation),
                    u32::try_from(number),
                ) else {
                    continue;
                };
                if at >= self.pdf.len() {
                    continue;
                }
                self.bounds.push(at);
                self.table.entry(number).or_insert((at, generation));
            }
        }
        Ok(stream.dict)
    }

    /// The object `id`: parsed in its region (at most once), an indirect stream `/Length`
    /// resolved. `Ok(None)` when the table does not list it or it does not parse.
    pub(crate) fn get(&mut self, id: ObjectId) -> Result<Option<Rc<Object>>, Problem> {
        if let Some(cached) = self.cache.get(&id) {
            return Ok(cached.clone());
        }
        let mut object = self.parse(id)?;
        if let Some(Object::Stream(stream)) = &mut object
            && stream.content.is_empty()
            && let (Some(start), Ok(Object::Reference(length_id))) =
                (stream.start_position, stream.dict.get(b"Length"))
        {
            let length_id = *length_id;
            // The length object itself is read without resolving anything further.
            let length = match self.cache.get(&length_id) {
                Some(cached) => cached.as_deref().cloned(),
                None => {
                    let parsed = self.parse(length_id)?;
                    self.cache.insert(length_id, parsed.clone().map(Rc::new));
                    parsed
                }
            };
            let region_end = self.region_end(self.table.get(&id.0).map_or(0, |e| e.0));
            let data = length
                .and_then(|l| l.as_i64().ok())
                .and_then(|l| usize::try_from(l).ok())
                .and_then(|l| start.checked_add(l))
                .filter(|end| *end <= region_end)
                .and_then(|end| self.pdf.get(start..end));
            match data {
                Some(data) => stream.set_content(data.to_vec()),
                None => object = None,
            }
        }
        let object = object.map(Rc::new);
        self.cache.insert(id, object.clone());
        Ok(object)
    }

    /// Parse `id` in its region, counting it against the budget.
    fn parse(&mut self, id: ObjectId) -> Result<Option<Object>, Problem> {
        let Some(&(offset, generation)) = self.table.get(&id.0) else {
            return Ok(None);
        };
        if generation != id.1 {
            return Ok(None);
        }
        self.parsed += 1;
        if self.parsed > MAX_OBJECTS_READ {
            return Err(format!(
                "reaching the embedded file takes more than {MAX_OBJECTS_READ} objects; \
                 a printed học bạ needs a handful"
            ));
        }
        let end = self.region_end(offset);
        Ok(parse_one(&self.pdf[..end], id, offset).ok())
    }

    /// Where the region of the object at `offset` ends: the next bound after it (the bounds
    /// are sorted once every section is read).
    fn region_end(&self, offset: usize) -> usize {
        let i = self.bounds.partition_point(|b| *b <= offset);
        self.bounds.get(i).copied().unwrap_or(self.pdf.len())
    }
}

/// Parse the object `id` at `offset` of `buffer` with lopdf's parser, through a reader that
/// knows only this object (an indirect `/Length` is left unresolved: [`Objects::get`]).
fn parse_one(buffer: &[u8], id: ObjectId, offset: usize) -> lopdf::Result<Object> {
    let mut document = Document::new();
    let offset = u32::try_from(offset).map_err(|_| lopdf::Error::InvalidOffset(offset))?;
    document.reference_table.entries.insert(
        id.0,
        XrefEntry::Normal {
            offset,
            generation: id.1,
        },
    );
    let reader = Reader {
        buffer,
        document,
        encryption_state: None,
        raw_objects: BTreeMap::new(),
        password: None,
        strict: false,
        max_decompressed_size: Some(0),
    };
    reader.get_object(id, &mut HashSet::new())
}

/// The offset after the last `startxref` near the end of the file.
fn start_xref(pdf: &[u8]) -> Result<usize, Problem> {
    let tail_from = pdf.len().saturating_sub(TAIL_BYTES);
    let tail = &pdf[tail_from..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or("no startxref at the end: not a complete PDF")?;
    let mut c = Cursor {
        bytes: pdf,
        at: tail_from + at + 9,
    };
    c.space();
    c.uint()
        .and_then(|o| usize::try_from(o).ok())
        .filter(|o| *o < pdf.len())
        .ok_or_else(|| "startxref does not give an offset inside the file".into())
}

/// The integers of an array object (others skipped).
fn integers(obj: Option<&Object>) -> Vec<i64> {
    match obj {
        Some(Object::Array(items)) => items.iter().filter_map(|i| i.as_i64().ok()).collect(),
        _ => Vec::new(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A position in the file, for the cross-reference table's tokens.
#[derive(Clone)]
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Skip white-space (PDF's six characters) and comments.
    fn space(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0' => self.at += 1,
                b'%' => {
                    while self
                        .bytes
                        .get(self.at)
                        .is_some_and(|b| *b != b'\n' && *b != b'\r')
                    {
                        self.at += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn keyword(&mut self, word: &[u8]) -> bool {
        let matched = self
            .bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word));
        if matched {
            self.at += word.len();
        }
        matched
    }

    /// An unsigned integer of at most 10 digits.
    fn uint(&mut self) -> Option<u64> {
        let digits = self
            .bytes
            .get(self.at..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 10 {
            return None;
        }
        let text = std::str::from_utf8(&self.bytes[self.at..self.at + digits]).ok()?;
        self.at += digits;
        text.parse().ok()
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }
}
