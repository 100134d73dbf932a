//! Reading the embedded credential out of a PDF: found in the name tree, and bounded (an
//! oversized or inflating embedded file, compressed object streams, and non-PDFs are errors).

use std::io::Write;

use hocba_verifier::VerifyError;
use hocba_verifier::pdf::{EMBEDDED_NAME, extract_credential, is_pdf};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use crate::support::*;

/// A one-page PDF carrying `content` as the embedded file (compressed when `deflate`).
pub fn pdf_with(content: &[u8], deflate: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Page".to_vec())),
        ("Parent", Object::Reference(pages_id)),
        (
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
        ),
    ]));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(vec![Object::Reference(page_id)])),
            ("Count", Object::Integer(1)),
        ])),
    );
    let mut stream_dict = Dictionary::new();
    stream_dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
    let data = if deflate {
        stream_dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(content).unwrap();
        e.finish().unwrap()
    } else {
        content.to_vec()
    };
    let mut stream = Stream::new(stream_dict, data);
    stream.allows_compression = false;
    let file_id = doc.add_object(stream);
    let name = Object::String(EMBEDDED_NAME.as_bytes().to_vec(), StringFormat::Literal);
    let spec_id = doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Filespec".to_vec())),
        ("F", name.clone()),
        (
            "EF",
            Object::Dictionary(Dictionary::from_iter(vec![(
                "F",
                Object::Reference(file_id),
            )])),
        ),
    ]));
    let tree = Dictionary::from_iter(vec![(
        "Names",
        Object::Array(vec![name, Object::Reference(spec_id)]),
    )]);
    let catalog_id = doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(pages_id)),
        (
            "Names",
            Object::Dictionary(Dictionary::from_iter(vec![(
                "EmbeddedFiles",
                Object::Dictionary(tree),
            )])),
        ),
    ]));
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn the_embedded_credential_is_found_and_verifies() {
    let credential = bytes(&valid_credential());
    for deflate in [false, true] {
        let pdf = pdf_with(&credential, deflate);
        assert!(is_pdf(&pdf));
        let got = extract_credential(&pdf).unwrap();
        assert_eq!(got, credential);
        assert!(
            hocba_verifier::verify_json(&got, &verified_trust(), NOW)
                .unwrap()
                .is_valid()
        );
    }
}

#[test]
fn bounded_and_clear() {
    // A 64 MB inflation bomb in the embedded file.
    let bomb = vec![b' '; 64 << 20];
    let pdf = pdf_with(&bomb, true);
    assert!(pdf.len() < 200_000);
    let e = extract_credential(&pdf).unwrap_err();
    assert!(matches!(e, VerifyError::Pdf { .. }), "{e}");
    assert!(e.to_string().contains("larger than"), "{e}");
    // Not a PDF, a PDF without the file, object streams.
    assert!(!is_pdf(b"{\"a\":1}"));
    assert!(matches!(
        extract_credential(b"%PDF-1.7 junk"),
        Err(VerifyError::Pdf { .. })
    ));
    let mut objstm = pdf_with(b"{}", false);
    objstm.extend_from_slice(b"\n% /ObjStm\n");
    assert!(
        extract_credential(&objstm)
            .unwrap_err()
            .to_string()
            .contains("object streams")
    );
}
