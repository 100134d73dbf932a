//! Reading the signed credential out of a printed record's PDF: the embedded file
//! `hocba-credential.json` in the catalog's `EmbeddedFiles` name tree. Bounded: the PDF is at
//! most [`MAX_PDF_BYTES`], PDFs with compressed object streams are refused (their inflation
//! would be unbounded inside the parser; the issuer never writes them), and the embedded file is
//! inflated to at most [`MAX_CREDENTIAL_BYTES`](crate::MAX_CREDENTIAL_BYTES).

use std::io::Read;

use lopdf::{Dictionary, Document, Object};

use crate::error::VerifyError;
use crate::input::MAX_CREDENTIAL_BYTES;

/// Largest PDF accepted, in bytes (16 MiB; a record is about 40 KB).
pub const MAX_PDF_BYTES: usize = 16 << 20;
/// The embedded file's name.
pub const EMBEDDED_NAME: &str = "hocba-credential.json";

/// Whether `bytes` look like a PDF (`%PDF-` header, possibly after a few bytes of junk as
/// readers allow).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes
        .get(..1024.min(bytes.len()))
        .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"))
}

fn bad(problem: impl Into<String>) -> VerifyError {
    VerifyError::Pdf {
        problem: problem.into(),
    }
}

/// The bytes of the embedded `hocba-credential.json`.
pub fn extract_credential(pdf: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(bad(format!(
            "{} bytes is larger than the {MAX_PDF_BYTES}-byte limit",
            pdf.len()
        )));
    }
    if pdf.windows(7).any(|w| w == b"/ObjStm") {
        return Err(bad(
            "the PDF uses compressed object streams, which this verifier does not read; \
             give the PDF as the school issued it",
        ));
    }
    let doc = Document::load_mem(pdf).map_err(|e| bad(format!("not a readable PDF: {e}")))?;
    let missing = || {
        bad(format!(
            "no embedded file {EMBEDDED_NAME:?}: not a printed học bạ"
        ))
    };
    let catalog = doc.catalog().map_err(|e| bad(format!("no catalog: {e}")))?;
    let names = deref_dict(&doc, catalog.get(b"Names").ok()).ok_or_else(missing)?;
    let tree = deref_dict(&doc, names.get(b"EmbeddedFiles").ok()).ok_or_else(missing)?;
    let spec = find_in_name_tree(&doc, tree, 0).ok_or_else(missing)?;
    let ef = deref_dict(&doc, spec.get(b"EF").ok()).ok_or_else(missing)?;
    let file = ef
        .get(b"F")
        .or_else(|_| ef.get(b"UF"))
        .map_err(|_| missing())?;
    let stream = match file {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
    .and_then(|o| o.as_stream().ok())
    .ok_or_else(missing)?;
    let filter = stream.dict.get(b"Filter").ok();
    let content = match filter {
        None => {
            if stream.content.len() > MAX_CREDENTIAL_BYTES {
                return Err(too_large());
            }
            stream.content.clone()
        }
        Some(Object::Name(n)) if n == b"FlateDecode" => inflate(&stream.content)?,
        Some(Object::Array(a))
            if a.len() == 1 && matches!(&a[0], Object::Name(n) if n == b"FlateDecode") =>
        {
            inflate(&stream.content)?
        }
        Some(other) => {
            return Err(bad(format!(
                "the embedded file uses filter {other:?}; only FlateDecode is read"
            )));
        }
    };
    Ok(content)
}

fn too_large() -> VerifyError {
    bad(format!(
        "the embedded credential is larger than {MAX_CREDENTIAL_BYTES} bytes"
    ))
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let mut out = Vec::new();
    let limit = u64::try_from(MAX_CREDENTIAL_BYTES).unwrap_or(u64::MAX) + 1;
    flate2::read::ZlibDecoder::new(data)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| bad(format!("the embedded file does not inflate: {e}")))?;
    if out.len() > MAX_CREDENTIAL_BYTES {
        return Err(too_large());
    }
    Ok(out)
}

fn deref_dict<'a>(doc: &'a Document, obj: Option<&'a Object>) -> Option<&'a Dictionary> {
    match obj? {
        Object::Reference(id) => doc.get_object(*id).ok()?.as_dict().ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// The file specification named [`EMBEDDED_NAME`] in a name tree (depth-limited).
fn find_in_name_tree<'a>(
    doc: &'a Document,
    node: &'a Dictionary,
    depth: u8,
) -> Option<&'a Dictionary> {
    if depth > 8 {
        return None;
    }
    if let Ok(Object::Array(names)) = node.get(b"Names") {
        for pair in names.chunks(2) {
            if let [Object::String(name, _), spec] = pair
                && name == EMBEDDED_NAME.as_bytes()
            {
                return deref_dict(doc, Some(spec));
            }
        }
    }
    if let Ok(Object::Array(kids)) = node.get(b"Kids") {
        for kid in kids.iter().take(64) {
            if let Some(found) =
                deref_dict(doc, Some(kid)).and_then(|k| find_in_name_tree(doc, k, depth + 1))
            {
                return Some(found);
            }
        }
    }
    None
}
