//! The hand-written update ([`super::append`]) against lopdf's (`IncrementalDocument`) on the
//! same document and fields: the same objects, byte ranges that cover everything but
//! `/Contents`, digests of exactly those ranges, and cross-reference sections that point at
//! their objects.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use lopdf::xref::{XrefEntry, XrefType};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};
use sha2::{Digest, Sha256};
use time::macros::datetime;

use super::{Field, Revisions};

/// A one-page document with the kinds of values a page can hold (escaped names and strings,
/// reals, negative numbers, a stream), saved by lopdf with cross-reference sections of `kind`.
fn sample(kind: XrefType) -> (Document, Vec<u8>) {
    let mut doc = Document::with_version("1.7");
    doc.reference_table.cross_reference_type = kind;
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(Dictionary::new(), b"BT ET".to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(595.28), 842.into()],
        "Odd" => Object::string_literal("a (b) c) \\ \r ("),
        "Hex" => Object::String(vec![0, 0xff, b'<'], StringFormat::Hexadecimal),
        "We ird#" => Object::Name(b"x y/(z)".to_vec()),
        "Neg" => -3,
        "Flags" => vec![true.into(), false.into(), Object::Null],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    (doc, bytes)
}

/// `revisions` signed twice; the signed file and the digest each signature was given.
fn sign_twice(mut revisions: Revisions) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut digests = Vec::new();
    for (name, area) in [
        ("ChuKyHieuTruong", [300.0, 100.0, 500.0, 150.0]),
        ("ConDauNhaTruong", [250.0, 100.0, 380.5, 150.0]),
    ] {
        let field = Field {
            name,
            signer: "Nguyễn Văn (Thử)",
            reason: "Phê duyệt",
            at: datetime!(2026-05-29 09:30 UTC),
            area,
            reserve: 64,
        };
        revisions
            .append_signature(&field, |digest| {
                digests.push(digest.to_vec());
                Ok(vec![0xAB; 40])
            })
            .unwrap();
    }
    (revisions.into_bytes(), digests)
}

/// The objects of the latest revision of `pdf`, the streams without where they were read,
/// the signatures without their byte ranges and the cross-reference streams without their
/// offsets (they differ with the layout).
fn objects(pdf: &[u8]) -> Vec<(lopdf::ObjectId, Object)> {
    let doc = Document::load_mem(pdf).unwrap();
    doc.objects
        .into_iter()
        .map(|(id, mut object)| {
            match &mut object {
                Object::Stream(s) => {
                    s.start_position = None;
                    // A cross-reference stream's offsets (checked by `check_xref`).
                    if s.dict.has_type(b"XRef") {
                        s.dict.set("Prev", Object::Null);
                        s.content.clear();
                    }
                }
                Object::Dictionary(d) if d.has(b"ByteRange") => d.set("ByteRange", Object::Null),
                _ => {}
            }
            (id, object)
        })
        .collect()
}

/// Checks each signature of `pdf`: its byte range covers all of its revision but its
/// `/Contents`, its digest is of exactly those bytes, its `/Contents` holds the CMS then zeros.
fn check_ranges(pdf: &[u8], digests: &[Vec<u8>]) {
    let doc = Document::load_mem(pdf).unwrap();
    let mut sigs: Vec<&Dictionary> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has(b"ByteRange"))
        .collect();
    assert_eq!(sigs.len(), 2);
    let range = |d: &Dictionary| -> Vec<usize> {
        d.get(b"ByteRange")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| usize::try_from(n.as_i64().unwrap()).unwrap())
            .collect()
    };
    sigs.sort_by_key(|d| range(d)[1]);
    for (i, (sig, digest)) in sigs.iter().zip(digests).enumerate() {
        let r = range(sig);
        assert_eq!(r[0], 0);
        // Each signature's range ends with its revision; the last one's with the file.
        let revision = &pdf[..r[2] + r[3]];
        assert!(revision.trim_ascii_end().ends_with(b"%%EOF"), "{r:?}");
        if i + 1 == sigs.len() {
            assert_eq!(revision.len(), pdf.len());
        }
        assert_eq!(pdf[r[1]], b'<');
        assert_eq!(pdf[r[2] - 1], b'>');
        let hex = &pdf[r[1] + 1..r[2] - 1];
        assert_eq!(hex.len(), 128);
        assert_eq!(&hex[..80], "AB".repeat(40).as_bytes());
        assert!(hex[80..].iter().all(|&b| b == b'0'));
        let mut h = Sha256::new();
        h.update(&pdf[..r[1]]);
        h.update(&pdf[r[2]..r[2] + r[3]]);
        assert_eq!(
            h.finalize().as_slice(),
            digest.as_slice(),
            "signature {i}, {r:?}"
        );
        assert_eq!(
            sig.get(b"Contents").unwrap().as_str().unwrap()[..40],
            [0xAB; 40]
        );
    }
}

/// Every object of the cross-reference sections of `pdf` (the latest entry of each, as a reader
/// takes them) is where its entry says.
fn check_xref(pdf: &[u8]) {
    let doc = Document::load_mem(pdf).unwrap();
    let mut checked = 0;
    for (id, entry) in &doc.reference_table.entries {
        if let XrefEntry::Normal { offset, generation } = entry {
            let at = usize::try_from(*offset).unwrap();
            assert!(
                pdf[at..].starts_with(format!("{id} {generation} obj").as_bytes()),
                "object {id} is not at {at}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked}");
}

#[test]
fn the_hand_written_updates_give_what_lopdf_writes() {
    for kind in [
        XrefType::CrossReferenceStream,
        XrefType::CrossReferenceTable,
    ] {
        let (doc, bytes) = sample(kind);
        let first_len = bytes.len();
        let by_hand = Revisions::of_saved(&doc, bytes.clone(), 0).unwrap();
        assert!(by_hand.by_hand);
        let mut general = Revisions::of_saved(&doc, bytes, 0).unwrap();
        general.by_hand = false;
        let (fast, fast_digests) = sign_twice(by_hand);
        let (slow, slow_digests) = sign_twice(general);
        assert_eq!(objects(&fast), objects(&slow), "{kind:?}");
        check_ranges(&fast, &fast_digests);
        check_ranges(&slow, &slow_digests);
        check_xref(&fast);
        check_xref(&slow);
        // The first revision is untouched, and the updates are of the same kind.
        assert_eq!(fast[..first_len], slow[..first_len]);
        let xref_streams = |pdf: &[u8]| pdf.windows(10).filter(|w| w == b"/Type/XRef").count();
        assert_eq!(xref_streams(&fast), xref_streams(&slow));
    }
}

#[test]
fn a_signature_without_a_contents_placeholder_is_refused() {
    let mut objects = std::collections::BTreeMap::new();
    objects.insert(
        (5, 0),
        Object::Dictionary(dictionary! { "Type" => "Sig", "ByteRange" => vec![0.into()] }),
    );
    let mut out = b"%PDF-1.7\n".to_vec();
    let trailer = Dictionary::new();
    let kind = super::append::XrefKind::Table;
    let refused = super::append::append(&mut out, &objects, (&trailer, kind), 5, 0, (5, 0));
    assert!(refused.is_err());
    // Nor a signature dictionary that is not among the objects.
    let refused = super::append::append(&mut out, &objects, (&trailer, kind), 5, 0, (4, 0));
    assert!(refused.is_err());
}
