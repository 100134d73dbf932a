//! Embeds the signed credential in the PDF as the file `hocba-credential.json`
//! (MIME type `application/json`) in the catalog's `EmbeddedFiles` name tree, as PDF 1.7
//! §7.11.4 describes, and lists it as an associated file (`AF`, PDF 2.0 / PDF/A-3 style).

use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use super::PdfError;

/// The embedded file's name.
pub const EMBEDDED_NAME: &str = hocba_schema::publication::EMBEDDED_CREDENTIAL_NAME;

/// Add `json` as the embedded file [`EMBEDDED_NAME`] to `doc`.
pub(crate) fn embed_credential(doc: &mut Document, json: &[u8]) -> Result<(), PdfError> {
    let mut params = Dictionary::new();
    params.set("Size", Object::Integer(json.len() as i64));
    let mut stream_dict = Dictionary::new();
    stream_dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
    stream_dict.set("Subtype", Object::Name(b"application/json".to_vec()));
    stream_dict.set("Params", Object::Dictionary(params));
    let file_id = doc.add_object(Stream::new(stream_dict, json.to_vec()));

    let name = || Object::String(EMBEDDED_NAME.as_bytes().to_vec(), StringFormat::Literal);
    let mut ef = Dictionary::new();
    ef.set("F", Object::Reference(file_id));
    ef.set("UF", Object::Reference(file_id));
    let mut spec = Dictionary::new();
    spec.set("Type", Object::Name(b"Filespec".to_vec()));
    spec.set("F", name());
    spec.set("UF", name());
    spec.set("AFRelationship", Object::Name(b"Source".to_vec()));
    spec.set(
        "Desc",
        Object::String(
            b"Signed W3C Verifiable Credential (hoc ba so)".to_vec(),
            StringFormat::Literal,
        ),
    );
    spec.set("EF", Object::Dictionary(ef));
    let spec_id = doc.add_object(spec);

    let mut tree = Dictionary::new();
    tree.set(
        "Names",
        Object::Array(vec![name(), Object::Reference(spec_id)]),
    );
    let mut names = Dictionary::new();
    names.set("EmbeddedFiles", Object::Dictionary(tree));

    let catalog = doc
        .catalog_mut()
        .map_err(|e| PdfError::Pdf(format!("no catalog: {e}")))?;
    catalog.set("Names", Object::Dictionary(names));
    catalog.set("AF", Object::Array(vec![Object::Reference(spec_id)]));
    Ok(())
}
