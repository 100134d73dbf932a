//! One PDF signature as an incremental update: the previous revision's bytes stay as they are
//! and a new revision is appended with the signature dictionary, its widget on the page (a frame
//! over the box [`super::marks`] drew), the page's `/Annots` and the catalog's `/AcroForm`.
//!
//! The signature dictionary is written with a `/ByteRange` placeholder and a `/Contents` of
//! zeros; once the file is complete, the byte range is written over the placeholder (padded with
//! spaces to the same length), the SHA-256 of the two ranges is signed and the CMS written into
//! `/Contents` in hex (the rest stays zero padding).
//!
//! [`Revisions`] carries a PDF through its signatures without parsing it again: the rendered
//! document is read once for the catalog and the page, and each increment's own objects are
//! known when it is written. The first revision, a prefix of every byte range, is hashed once.
//!
//! The update is written by [`super::append`] (appended to the file's bytes, the placeholders'
//! places known as they are written) when the previous revision is not encrypted, as no PDF
//! `render_pdf` makes is; an encrypted PDF from elsewhere given to [`Revisions::parse`] is
//! updated by lopdf's `IncrementalDocument` (which encrypts the new objects too), the
//! placeholders then found in what it wrote.

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::append;
use super::marks::Area;
use crate::pdf::PdfError;

/// What one signature adds.
pub(crate) struct Field<'a> {
    /// The field name (`/T`), unique in the document.
    pub(crate) name: &'a str,
    /// The signer's name (`/Name`).
    pub(crate) signer: &'a str,
    /// Why (`/Reason`).
    pub(crate) reason: &'a str,
    /// The signing time (`/M`).
    pub(crate) at: OffsetDateTime,
    /// The widget's box.
    pub(crate) area: Area,
    /// Bytes reserved for the CMS.
    pub(crate) reserve: usize,
}

fn err(problem: impl std::fmt::Display) -> PdfError {
    PdfError::Pdf(format!("PDF signature: {problem}"))
}

/// A PDF text string: UTF-16BE with its byte-order mark (Vietnamese names).
fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// `D:YYYYMMDDHHmmSS+00'00'` of `at` in UTC.
fn pdf_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The placeholder of `/ByteRange`: wide enough for any offset below 10 GB.
const PLACEHOLDER: i64 = 9_999_999_999;

/// What an update takes besides its `/Contents`, about: the new and changed objects and the
/// cross-reference section (a buffer size hint, not a limit).
pub(crate) const UPDATE_ROOM: usize = 4096;

/// A PDF on its way through its signatures: the bytes so far, and the few objects an
/// increment changes as the latest revision has them (the catalog, the page of the widgets,
/// and the page's annotations and the form when they are objects of their own), so that no
/// revision is parsed again to append the next one.
///
/// The first revision is a prefix of every signature's first byte range: its SHA-256 state is
/// computed once and cloned for each signature.
pub(crate) struct Revisions {
    bytes: Vec<u8>,
    /// Only the objects above, the latest trailer, the highest object id and where the latest
    /// cross-reference section starts: what [`IncrementalDocument`] reads of a previous
    /// revision.
    prev: Document,
    page_id: ObjectId,
    catalog_id: ObjectId,
    first: Sha256,
    first_len: usize,
    /// Whether [`append`] writes the updates (see the module documentation).
    by_hand: bool,
}

impl Revisions {
    /// The PDF `bytes`, which `doc` was saved as, its signature widgets going on page `page`.
    pub(crate) fn of_saved(doc: &Document, bytes: Vec<u8>, page: usize) -> Result<Self, PdfError> {
        let page_id = doc
            .page_iter()
            .nth(page)
            .ok_or_else(|| err(format!("no page {}", page + 1)))?;
        let catalog_id = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(err)?;
        let mut prev = Document::new();
        prev.trailer = doc.trailer.clone();
        prev.max_id = doc.max_id;
        prev.reference_table.cross_reference_type = doc.reference_table.cross_reference_type;
        prev.xref_start = last_xref_start(&bytes)?;
        let mut keep = vec![catalog_id, page_id];
        let referenced = |owner: ObjectId, key: &[u8]| {
            doc.get_dictionary(owner)
                .ok()
                .and_then(|d| d.get(key).ok())
                .and_then(|o| o.as_reference().ok())
        };
        keep.extend(referenced(catalog_id, b"AcroForm"));
        keep.extend(referenced(page_id, b"Annots"));
        for id in keep {
            let object = doc.get_object(id).map_err(err)?.clone();
            prev.objects.insert(id, object);
        }
        let first = Sha256::new_with_prefix(&bytes);
        let by_hand = doc.encryption_state.is_none() && !prev.trailer.has(b"Encrypt");
        Ok(Self {
            first_len: bytes.len(),
            bytes,
            prev,
            page_id,
            catalog_id,
            first,
            by_hand,
        })
    }

    /// The PDF `bytes`, parsed once (when the caller has no document of them).
    pub(crate) fn parse(bytes: Vec<u8>, page: usize) -> Result<Self, PdfError> {
        let doc = Document::load_mem(&bytes).map_err(err)?;
        Self::of_saved(&doc, bytes, page)
    }

    /// Make room for `additional` more bytes (the updates to come).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.bytes.reserve(additional);
    }

    /// The signed PDF.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Append a signature of `field` (its widget on the page given at the start), its CMS made
    /// by `sign` from the SHA-256 of the byte range.
    pub(crate) fn append_signature(
        &mut self,
        field: &Field<'_>,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, PdfError>,
    ) -> Result<(), PdfError> {
        let prev_len = self.bytes.len();
        // lopdf's writer wants the previous bytes in the document; `append` adds to them.
        let pdf = if self.by_hand {
            Vec::new()
        } else {
            std::mem::take(&mut self.bytes)
        };
        let mut inc = IncrementalDocument::create_from(pdf, self.prev.clone());
        let sig_id = add_signature_objects(&mut inc, field, self.page_id, self.catalog_id)?;
        let (mut out, start, end) = if self.by_hand {
            let mut out = std::mem::take(&mut self.bytes);
            out.reserve(2 * field.reserve + UPDATE_ROOM);
            let new = &mut inc.new_document;
            let kind = match new.reference_table.cross_reference_type {
                XrefType::CrossReferenceTable => append::XrefKind::Table,
                XrefType::CrossReferenceStream => append::XrefKind::Stream,
            };
            let done = append::append(
                &mut out,
                &new.objects,
                (&new.trailer, kind),
                new.max_id,
                self.prev.xref_start,
                sig_id,
            )?;
            new.max_id = done.max_id;
            let at = done.placeholders;
            let (start, end) = (at.contents_start, at.contents_end);
            write_range(&mut out, at.range, start, end)?;
            (out, start, end)
        } else {
            let mut out = Vec::with_capacity(prev_len + 2 * field.reserve + UPDATE_ROOM);
            inc.save_to(&mut out).map_err(err)?;
            let (start, end) = fill_range(&mut out, prev_len, field.reserve)?;
            (out, start, end)
        };
        let mut hasher = self.first.clone();
        hasher.update(&out[self.first_len..start]);
        hasher.update(&out[end..]);
        let cms = sign(&hasher.finalize())?;
        write_contents(&mut out, start, field.reserve, &cms)?;
        // What the next increment reads: the objects kept, as this revision has them now.
        let mut next = Document::new();
        next.reference_table.cross_reference_type = self.prev.reference_table.cross_reference_type;
        next.xref_start = last_xref_start(&out)?;
        next.max_id = inc.new_document.max_id;
        next.trailer = inc.new_document.trailer.clone();
        for (id, object) in &mut self.prev.objects {
            if let Ok(newer) = inc.new_document.get_object(*id) {
                *object = newer.clone();
            }
        }
        next.objects = std::mem::take(&mut self.prev.objects);
        self.prev = next;
        self.bytes = out;
        Ok(())
    }
}

/// Where the last cross-reference section of `pdf` starts (`startxref` at its end).
fn last_xref_start(pdf: &[u8]) -> Result<usize, PdfError> {
    let tail = &pdf[pdf.len().saturating_sub(64)..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| err("no startxref at the end of the file"))?;
    std::str::from_utf8(&tail[at + 9..])
        .ok()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| err("no offset after startxref"))
}

/// Add the signature dictionary, its widget on page `page_id`, the page's `/Annots` and the
/// catalog's `/AcroForm` to the new revision of `inc`; the signature dictionary's id.
fn add_signature_objects(
    inc: &mut IncrementalDocument,
    field: &Field<'_>,
    page_id: ObjectId,
    catalog_id: ObjectId,
) -> Result<ObjectId, PdfError> {
    let new = &mut inc.new_document;

    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    sig.set(
        "ByteRange",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(PLACEHOLDER),
            Object::Integer(PLACEHOLDER),
            Object::Integer(PLACEHOLDER),
        ]),
    );
    sig.set(
        "Contents",
        Object::String(vec![0; field.reserve], StringFormat::Hexadecimal),
    );
    sig.set("M", Object::string_literal(pdf_date(field.at)));
    sig.set("Name", text_string(field.signer));
    sig.set("Reason", text_string(field.reason));
    let sig_id = new.add_object(Object::Dictionary(sig));

    let [x1, y1, x2, y2] = field.area;
    let (w, h) = (x2 - x1, y2 - y1);
    let mut ap = Dictionary::new();
    ap.set("Type", Object::Name(b"XObject".to_vec()));
    ap.set("Subtype", Object::Name(b"Form".to_vec()));
    ap.set(
        "BBox",
        Object::Array(vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)]),
    );
    ap.set("Resources", Object::Dictionary(Dictionary::new()));
    let frame = format!(
        "q 0.05 0.2 0.6 RG 0.8 w 0.4 0.4 {:.1} {:.1} re S Q",
        w - 0.8,
        h - 0.8
    );
    let ap_id = new.add_object(Object::Stream(Stream::new(ap, frame.into_bytes())));

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text_string(field.name));
    widget.set("V", Object::Reference(sig_id));
    widget.set("P", Object::Reference(page_id));
    widget.set(
        "Rect",
        Object::Array(vec![
            Object::Real(x1),
            Object::Real(y1),
            Object::Real(x2),
            Object::Real(y2),
        ]),
    );
    // Print (4) + Locked (128).
    widget.set("F", Object::Integer(132));
    let mut aps = Dictionary::new();
    aps.set("N", Object::Reference(ap_id));
    widget.set("AP", Object::Dictionary(aps));
    let widget_id = new.add_object(Object::Dictionary(widget));

    add_to_array(inc, page_id, b"Annots", widget_id)?;
    inc.opt_clone_object_to_new_document(catalog_id)
        .map_err(err)?;
    let acroform = inc
        .new_document
        .get_object(catalog_id)
        .and_then(Object::as_dict)
        .map_err(err)?
        .get(b"AcroForm")
        .ok()
        .cloned();
    match acroform {
        Some(Object::Reference(form_id)) => {
            add_to_array(inc, form_id, b"Fields", widget_id)?;
        }
        other => {
            let mut form = match other {
                Some(Object::Dictionary(d)) => d,
                _ => Dictionary::new(),
            };
            let mut fields = form
                .get(b"Fields")
                .and_then(Object::as_array)
                .cloned()
                .unwrap_or_default();
            fields.push(Object::Reference(widget_id));
            form.set("Fields", Object::Array(fields));
            // SignaturesExist (1) + AppendOnly (2).
            form.set("SigFlags", Object::Integer(3));
            inc.new_document
                .get_object_mut(catalog_id)
                .and_then(Object::as_dict_mut)
                .map_err(err)?
                .set("AcroForm", Object::Dictionary(form));
        }
    }
    Ok(sig_id)
}

/// Append `id` to the array `key` of dictionary object `owner` (copied into the new revision).
fn add_to_array(
    inc: &mut IncrementalDocument,
    owner: ObjectId,
    key: &[u8],
    id: ObjectId,
) -> Result<(), PdfError> {
    inc.opt_clone_object_to_new_document(owner).map_err(err)?;
    let current = inc
        .new_document
        .get_object(owner)
        .and_then(Object::as_dict)
        .map_err(err)?
        .get(key)
        .ok()
        .cloned();
    let mut items = match current {
        Some(Object::Array(a)) => a,
        Some(Object::Reference(r)) => inc
            .get_prev_documents()
            .get_object(r)
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    items.push(Object::Reference(id));
    inc.new_document
        .get_object_mut(owner)
        .and_then(Object::as_dict_mut)
        .map_err(err)?
        .set(key, Object::Array(items));
    Ok(())
}

/// Where `needle` first occurs in `haystack` at or after `from`: each occurrence of its first
/// byte is a candidate (a window compare at every position cost a `memcmp` call per byte of
/// the increment).
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let hay = haystack.get(from..)?;
    let first = *needle.first()?;
    let mut at = 0;
    while let Some(p) = hay.get(at..)?.iter().position(|&b| b == first) {
        let i = at + p;
        if hay.get(i..i + needle.len())? == needle {
            return Some(from + i);
        }
        at = i + 1;
    }
    None
}

/// Write the byte range over its placeholder in the revision after `prev_len`; returns
/// where `/Contents` starts (its `<`) and ends (after its `>`): the gap in the range.
fn fill_range(out: &mut [u8], prev_len: usize, reserve: usize) -> Result<(usize, usize), PdfError> {
    let mut zeros = Vec::with_capacity(2 * reserve + 1);
    zeros.push(b'<');
    zeros.resize(2 * reserve + 1, b'0');
    let start = find(out, &zeros, prev_len).ok_or_else(|| err("no /Contents placeholder"))?;
    let end = start + zeros.len() + 1;
    if out.get(end - 1) != Some(&b'>') {
        return Err(err("the /Contents placeholder is not where it was written"));
    }
    let placeholder = format!("[0 {PLACEHOLDER} {PLACEHOLDER} {PLACEHOLDER}]");
    let range_at = find(out, placeholder.as_bytes(), prev_len)
        .ok_or_else(|| err("no /ByteRange placeholder"))?;
    write_range(out, (range_at, placeholder.len()), start, end)?;
    Ok((start, end))
}

/// Write the byte range of a file whose `/Contents` spans `start..end` over the placeholder
/// `(at, len)`, padded with spaces to its length.
fn write_range(
    out: &mut [u8],
    (at, len): (usize, usize),
    start: usize,
    end: usize,
) -> Result<(), PdfError> {
    let mut range = format!("[0 {start} {end} {}]", out.len() - end).into_bytes();
    if range.len() > len || out.get(at..at + len).is_none() {
        return Err(err("the byte range does not fit its placeholder"));
    }
    range.resize(len, b' ');
    out[at..at + len].copy_from_slice(&range);
    Ok(())
}

/// Write `cms` in hex into the `/Contents` starting at `start` (the rest stays zero padding).
fn write_contents(
    out: &mut [u8],
    start: usize,
    reserve: usize,
    cms: &[u8],
) -> Result<(), PdfError> {
    if cms.len() > reserve {
        return Err(err(format!(
            "the signature needs {} bytes, {reserve} were reserved",
            cms.len()
        )));
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, b) in cms.iter().enumerate() {
        out[start + 1 + 2 * i] = HEX[usize::from(b >> 4)];
        out[start + 2 + 2 * i] = HEX[usize::from(b & 0x0f)];
    }
    Ok(())
}

#[cfg(test)]
mod tests;
