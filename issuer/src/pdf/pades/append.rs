//! One signature's incremental update written straight onto the end of the file, for an
//! unencrypted previous revision (`render_pdf`'s PDFs are): the objects [`super::increment`]
//! built for it, then a cross-reference section of the kind the previous revision has — a
//! cross-reference stream as lopdf saves the rendered PDF, or a classic table — and the trailer.
//!
//! Written by hand rather than with lopdf's `IncrementalDocument::save_to`, which writes the
//! reserved `/Contents` one `write!("{:02X}")` per byte (thousands of formatting calls per
//! signature, most of what an increment cost), copies the whole previous revision into a new
//! buffer, and says nowhere where it put `/ByteRange` and `/Contents`, so they had to be
//! searched for afterwards. Here the update is appended to the file's own buffer and the two
//! places are noted as they are written. The objects parse back exactly as lopdf's output does
//! (the tests of `increment` compare the two).

use std::collections::BTreeMap;
use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::pdf::PdfError;

/// Where the signature dictionary's placeholders landed in the file.
pub(crate) struct Placeholders {
    /// The `[` of `/ByteRange` and the length of its placeholder text.
    pub(crate) range: (usize, usize),
    /// The `<` of `/Contents`.
    pub(crate) contents_start: usize,
    /// Just after the `>` of `/Contents`.
    pub(crate) contents_end: usize,
}

fn err(problem: impl std::fmt::Display) -> PdfError {
    PdfError::Pdf(format!("PDF signature: {problem}"))
}

/// How a revision's cross-reference section is written: what the previous revision has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XrefKind {
    /// `xref` and `trailer`.
    Table,
    /// A cross-reference stream (PDF 1.5), uncompressed, the trailer its dictionary.
    Stream,
}

/// What [`append`] wrote.
pub(crate) struct Appended {
    pub(crate) placeholders: Placeholders,
    /// The highest object number now (a cross-reference stream is an object of its own).
    pub(crate) max_id: u32,
}

/// Append to `out` (the previous revisions, whose cross-reference section starts at `prev_xref`)
/// an update with `objects` (numbered up to `max_id`), then its cross-reference section of
/// `kind` with `trailer` (`/Size` and `/Prev` set here). `sig` is the signature dictionary
/// among `objects`.
pub(crate) fn append(
    out: &mut Vec<u8>,
    objects: &BTreeMap<ObjectId, Object>,
    (trailer, kind): (&Dictionary, XrefKind),
    max_id: u32,
    prev_xref: usize,
    sig: ObjectId,
) -> Result<Appended, PdfError> {
    if out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    let mut offsets = Vec::with_capacity(objects.len() + 1);
    let mut placeholders = None;
    for (&id, object) in objects {
        offsets.push((id, out.len()));
        object_header(out, id);
        match object {
            Object::Dictionary(dict) if id == sig => {
                placeholders = Some(write_signature(out, dict)?);
            }
            other => write_object(out, other),
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let placeholders = placeholders.ok_or_else(|| err("no signature dictionary written"))?;
    let mut trailer = trailer.clone();
    trailer.set("Prev", prev_xref as i64);
    let xref_at = out.len();
    let max_id = match kind {
        XrefKind::Table => {
            out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
            for run in runs(&offsets) {
                subsection_head(out, run);
                for &((_, generation), offset) in run {
                    write!(out, "{offset:010} {generation:05} n\r\n").map_err(err)?;
                }
            }
            trailer.set("Size", i64::from(max_id) + 1);
            out.extend_from_slice(b"trailer\n");
            write_dictionary(out, &trailer);
            out.push(b'\n');
            max_id
        }
        XrefKind::Stream => {
            // The stream is an object too, listed in itself.
            let id = max_id + 1;
            offsets.push(((id, 0), xref_at));
            let mut index = Vec::new();
            let mut entries = Vec::with_capacity(7 * offsets.len());
            for run in runs(&offsets) {
                index.extend([
                    Object::from(i64::from(run[0].0.0)),
                    (run.len() as i64).into(),
                ]);
                for &((_, generation), offset) in run {
                    let offset = u32::try_from(offset).map_err(|_| err("the file is over 4 GB"))?;
                    entries.push(1);
                    entries.extend(offset.to_be_bytes());
                    entries.extend(generation.to_be_bytes());
                }
            }
            for key in [b"Filter".as_slice(), b"DecodeParms", b"XRefStm"] {
                trailer.remove(key);
            }
            trailer.set("Type", Object::Name(b"XRef".to_vec()));
            trailer.set("Size", i64::from(id) + 1);
            trailer.set("W", vec![1.into(), 4.into(), 2.into()]);
            trailer.set("Index", index);
            trailer.set("Length", entries.len() as i64);
            object_header(out, (id, 0));
            write_dictionary(out, &trailer);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&entries);
            out.extend_from_slice(b"\nendstream\nendobj\n");
            id
        }
    };
    out.extend_from_slice(b"startxref\n");
    write_num(out, xref_at as u64);
    out.extend_from_slice(b"\n%%EOF\n");
    Ok(Appended {
        placeholders,
        max_id,
    })
}

/// `<id> <generation> obj` and its line end.
fn object_header(out: &mut Vec<u8>, (id, generation): ObjectId) {
    write_num(out, u64::from(id));
    out.push(b' ');
    write_num(out, u64::from(generation));
    out.extend_from_slice(b" obj\n");
}

/// The runs of consecutive object numbers of `offsets` (sorted by number): one subsection each.
fn runs(offsets: &[(ObjectId, usize)]) -> impl Iterator<Item = &[(ObjectId, usize)]> {
    offsets.chunk_by(|a, b| b.0.0 == a.0.0 + 1)
}

/// A subsection's first object number and count.
fn subsection_head(out: &mut Vec<u8>, run: &[(ObjectId, usize)]) {
    write_num(out, u64::from(run[0].0.0));
    out.push(b' ');
    write_num(out, run.len() as u64);
    out.push(b'\n');
}

/// The signature dictionary, noting where `/ByteRange` and `/Contents` go.
fn write_signature(out: &mut Vec<u8>, dict: &Dictionary) -> Result<Placeholders, PdfError> {
    let (mut range, mut contents) = (None, None);
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if needs_space(value) {
            out.push(b' ');
        }
        let at = out.len();
        write_object(out, value);
        match key.as_slice() {
            b"ByteRange" => range = Some((at, out.len() - at)),
            b"Contents" => contents = Some((at, out.len())),
            _ => {}
        }
    }
    out.extend_from_slice(b">>");
    let (range, (contents_start, contents_end)) = range
        .zip(contents)
        .ok_or_else(|| err("the signature dictionary has no /ByteRange or /Contents"))?;
    Ok(Placeholders {
        range,
        contents_start,
        contents_end,
    })
}

/// A decimal number (no formatting machinery: a few digits into a small buffer).
fn write_num(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Objects that need a space between them and a name before them (the others begin with a
/// delimiter).
fn needs_space(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// One object in PDF syntax (ISO 32000-1 §7.3).
pub(crate) fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(n) => {
            if *n < 0 {
                out.push(b'-');
            }
            write_num(out, n.unsigned_abs());
        }
        // Rust's `Display` of a float never uses an exponent, which PDF does not have.
        Object::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Object::Name(name) => write_name(out, name),
        Object::String(bytes, StringFormat::Hexadecimal) => {
            out.reserve(2 * bytes.len() + 2);
            out.push(b'<');
            for b in bytes {
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0x0f)]);
            }
            out.push(b'>');
        }
        Object::String(bytes, StringFormat::Literal) => {
            // Every parenthesis and backslash escaped (then none is unbalanced), and CR as
            // `\r` (a raw one would be read as a line end).
            out.push(b'(');
            for &b in bytes {
                match b {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
            out.push(b')');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && needs_space(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(stream) => {
            write_dictionary(out, &stream.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => {
            write_num(out, u64::from(*id));
            out.push(b' ');
            write_num(out, u64::from(*generation));
            out.extend_from_slice(b" R");
        }
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if needs_space(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

/// `/name`, with `#xx` for white space, delimiters, `#` and bytes outside `!`..`~` (§7.3.5).
fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if !(b'!'..=b'~').contains(&b) || b"()<>[]{}/%#".contains(&b) {
            out.extend_from_slice(&[b'#', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
        } else {
            out.push(b);
        }
    }
}
