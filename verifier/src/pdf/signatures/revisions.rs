//! What the revisions appended after a signature change: only signatures may follow one.
//!
//! Allowed in a later revision: new signature dictionaries (`/Type /Sig`), new signature
//! widgets (`/Subtype /Widget /FT /Sig`), new form XObjects (their appearances), and redefined
//! objects that differ from their signed version only in `/Annots` (a page), `/AcroForm` (the
//! catalog) or `/Fields` and `/SigFlags` (the form). Anything else — a new page, changed
//! contents, a changed page tree — is a change after signing.

use lopdf::{Dictionary, Object};

use super::super::objects::Objects;

/// Keys a signature may change in an existing object.
const SIGNATURE_KEYS: &[&[u8]] = &[b"Annots", b"AcroForm", b"Fields", b"SigFlags"];

fn without_signature_keys(d: &Dictionary) -> Dictionary {
    let mut d = d.clone();
    for key in SIGNATURE_KEYS {
        d.remove(key);
    }
    d
}

fn name_is(d: &Dictionary, key: &[u8], value: &[u8]) -> bool {
    d.get(key).and_then(Object::as_name).ok() == Some(value)
}

/// `Err` names the first object that a revision after `revision_end` changes beyond
/// signatures; `pdf` is the whole file, `later` its objects.
pub(crate) fn only_signatures_after(
    pdf: &[u8],
    revision_end: usize,
    later: &mut Objects<'_>,
) -> Result<(), String> {
    let signed = pdf
        .get(..revision_end)
        .ok_or("the revision ends outside the file")?;
    let mut earlier =
        Objects::open(signed).map_err(|e| format!("the signed revision does not read: {e}"))?;
    for id in later.ids_from(revision_end) {
        let Some(new) = later
            .get(id)
            .map_err(|e| format!("object {} {}: {e}", id.0, id.1))?
        else {
            continue;
        };
        let old = earlier.get(id).ok().flatten();
        let allowed = match (&*new, old.as_deref()) {
            (Object::Dictionary(d), None) => {
                name_is(d, b"Type", b"Sig")
                    || (name_is(d, b"Subtype", b"Widget") && name_is(d, b"FT", b"Sig"))
                    || d.has(b"Fields")
            }
            (Object::Stream(s), None) => {
                name_is(&s.dict, b"Subtype", b"Form") && !name_is(&s.dict, b"Type", b"Page")
            }
            (Object::Dictionary(d), Some(Object::Dictionary(o))) => {
                without_signature_keys(d) == without_signature_keys(o)
            }
            (Object::Array(a), Some(Object::Array(o))) => a.starts_with(o),
            _ => false,
        };
        if !allowed {
            return Err(format!(
                "object {} {} was {} after the signature",
                id.0,
                id.1,
                if old.is_some() { "changed" } else { "added" }
            ));
        }
    }
    Ok(())
}
