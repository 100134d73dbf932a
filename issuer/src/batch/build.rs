//! Building and signing the credentials of one chunk, in parallel across the cores.

use hocba_schema::credential::{CanonicalUnsigned, StatusEntry, UnsignedCredential};
use hocba_schema::jcs::scan::scan_canonical;
use hocba_schema::validation::parse_and_validate_document;

use time::OffsetDateTime;

use super::{BatchContext, sha256_hex};
use crate::signing::Signer;
use crate::store::{NewCredential, StatusAllocation, YearRecord};

/// Sign each record with its allocation, spreading the work over the available cores. One
/// result per record, in order.
pub(super) fn sign_parallel(
    ctx: &BatchContext<'_>,
    records: &[&YearRecord],
    allocations: &[StatusAllocation],
    replaces: &[Option<String>],
) -> Vec<Result<NewCredential, String>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(records.len().max(1));
    let per_thread = records.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(per_thread)
            .zip(allocations.chunks(per_thread))
            .enumerate()
            .map(|(chunk, (recs, allocs))| {
                let first = chunk * per_thread;
                scope.spawn(move || {
                    recs.iter()
                        .zip(allocs)
                        .enumerate()
                        .map(|(i, (r, a))| {
                            let replaced = replaces.get(first + i).and_then(Option::as_deref);
                            sign_one(ctx, r, a, replaced)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![Err("internal: signing thread panicked".into())])
            })
            .collect()
    })
}

/// Check, wrap, sign and serialise one record (as canonical JSON).
fn sign_one(
    ctx: &BatchContext<'_>,
    record: &YearRecord,
    allocation: &StatusAllocation,
    replaces: Option<&str>,
) -> Result<NewCredential, String> {
    let list_url = format!(
        "{}/status/{}/{}",
        ctx.public_base_url.trim_end_matches('/'),
        ctx.school.code,
        allocation.list_id
    );
    let index = u64::try_from(allocation.index).map_err(|e| e.to_string())?;
    let status = StatusEntry::revocation(&list_url, index);
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let credential_json = signed_text(
        &Wrap {
            signer: ctx.signer,
            school_code: &ctx.school.code,
            now: ctx.now,
        },
        &record.record_json,
        record.validated_now.0,
        &id,
        &status,
        replaces,
    )?;
    Ok(NewCredential {
        id,
        record_id: record.id.clone(),
        sha256: sha256_hex(credential_json.as_bytes()),
        credential_json,
        status_list: allocation.list_id.clone(),
        status_index: allocation.index,
        replaces: replaces.map(str::to_owned),
    })
}

/// Who signs a record, for which school, when.
struct Wrap<'a> {
    signer: &'a Signer,
    school_code: &'a str,
    now: OffsetDateTime,
}

/// The signed credential of the stored record text `record_json`: read and validated again
/// (errors refuse it), its school checked, wrapped with `id` and `status` and signed.
///
/// A record this process has just validated and stored (`validated_now`, see
/// [`ValidatedNow`](crate::store::ValidatedNow)) whose text is canonical is not read or
/// validated again: its school code is read from the text, and the text is copied into the
/// credential as its subject ([`CanonicalUnsigned`]). The credential is byte for byte the one
/// the general path makes. Anything else (a record loaded from the database, a text that is
/// not canonical, another school's code) takes the general path.
fn signed_text(
    wrap: &Wrap<'_>,
    record_json: &str,
    validated_now: bool,
    id: &str,
    status: &StatusEntry,
    replaces: Option<&str>,
) -> Result<String, String> {
    if let Some(text) = validated_now
        .then(|| scan_canonical(record_json.as_bytes()))
        .flatten()
    {
        let code = text
            .member("school")
            .and_then(|school| school.member("code"))
            .map(|code| code.value_text());
        let quoted = |c: &str| {
            c.strip_prefix('"').and_then(|c| c.strip_suffix('"')) == Some(wrap.school_code)
        };
        if code.is_some_and(quoted) {
            let unsigned = CanonicalUnsigned::new(
                id,
                wrap.signer.issuer(),
                wrap.now,
                &text,
                Some(status),
                replaces,
            )
            .map_err(|e| e.to_string())?;
            let bytes = wrap
                .signer
                .sign_canonical_record(&unsigned, wrap.now)
                .map_err(|e| e.to_string())?;
            return String::from_utf8(bytes).map_err(|e| e.to_string());
        }
    }
    // The stored text is canonical when the import wrote it (`app::import::record_text`):
    // then it is read straight into the record, and the JSON form the validation makes for
    // its text checks becomes the credential's subject (no second serialisation).
    let (parsed, report, subject) = parse_and_validate_document(record_json.as_bytes())
        .map_err(|report| format!("hồ sơ không đọc được / unreadable record: {report}"))?;
    if report.has_errors() {
        return Err(format!("hồ sơ có lỗi / the record has errors: {report}"));
    }
    if parsed.school.code != wrap.school_code {
        return Err(format!(
            "hồ sơ của trường {} / the record is for school {}, the key is school {}'s",
            parsed.school.code, parsed.school.code, wrap.school_code
        ));
    }
    let mut unsigned =
        UnsignedCredential::new(id, wrap.signer.issuer(), wrap.now, subject, Some(status))
            .map_err(|e| e.to_string())?;
    if let Some(replaced) = replaces {
        unsigned = unsigned.with_replaces(replaced);
    }
    // Signed straight into its canonical (JCS) text: the bytes the verifier's fast path reads,
    // made in one pass from the envelope's canonical form.
    let bytes = wrap
        .signer
        .sign_canonical(&unsigned, wrap.now)
        .map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use hocba_schema::credential::{IssuerRef, StatusEntry};
    use hocba_schema::record::{SchoolLevel, YearRecord};

    use super::{Wrap, signed_text};
    use crate::app::import::record_text;
    use crate::keys::KeyPair;
    use crate::signing::Signer;
    use crate::synthetic;

    const CODE: &str = "79000701";

    fn sign(signer: &Signer, text: &str, replaces: Option<&str>) -> Result<String, String> {
        sign_as(signer, text, false, replaces)
    }

    fn sign_as(
        signer: &Signer,
        text: &str,
        validated_now: bool,
        replaces: Option<&str>,
    ) -> Result<String, String> {
        let wrap = Wrap {
            signer,
            school_code: CODE,
            now: time::macros::datetime!(2026-05-29 08:00 UTC),
        };
        let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 7);
        signed_text(&wrap, text, validated_now, "urn:uuid:1", &status, replaces)
    }

    fn signer() -> Signer {
        Signer::new(
            KeyPair::from_seed(&[42; 32]),
            IssuerRef {
                id: format!("urn:hocba:school:{CODE}"),
                name: "Trường".into(),
            },
        )
    }

    fn records() -> Vec<YearRecord> {
        let mut out = Vec::new();
        for (level, grade) in [
            (SchoolLevel::Primary, 5),
            (SchoolLevel::LowerSecondary, 9),
            (SchoolLevel::UpperSecondary, 11),
        ] {
            let school = synthetic::school(CODE, "Trường", level);
            out.extend(synthetic::class(&school, grade, "A", 4, 3));
        }
        out
    }

    /// A record stored canonical (as the import stores it: the fast path) and the same
    /// record stored as plain JSON (as older versions stored it: the general path) give the
    /// very same credential, byte for byte (Ed25519 signatures are deterministic).
    #[test]
    fn canonical_and_plain_stored_text_sign_the_same_credential() {
        let signer = signer();
        for record in records() {
            let canonical = record_text(&record).unwrap();
            let plain = serde_json::to_string(&record).unwrap();
            assert_ne!(canonical, plain);
            assert!(hocba_schema::jcs::scan::scan_canonical(canonical.as_bytes()).is_some());
            let fast = sign(&signer, &canonical, None).unwrap();
            assert_eq!(fast, sign(&signer, &plain, None).unwrap());
            let replacing = sign(&signer, &canonical, Some("urn:uuid:0")).unwrap();
            assert_eq!(
                replacing,
                sign(&signer, &plain, Some("urn:uuid:0")).unwrap()
            );
            // The subject is the record, with its type.
            let credential: serde_json::Value = serde_json::from_str(&fast).unwrap();
            let mut subject = serde_json::to_value(&record).unwrap();
            subject["type"] = "HocBaYearRecord".into();
            // Compared as canonical text: a mark read back is a whole number where the
            // record held a float (`9` and `9.0` are the same JSON number).
            let canonical = hocba_schema::jcs::canonical_bytes;
            assert_eq!(
                canonical(&credential["credentialSubject"]).unwrap(),
                canonical(&subject).unwrap()
            );
        }
    }

    /// Tampered or malformed stored text is refused the same way on both paths.
    #[test]
    fn tampered_and_malformed_text_is_refused_alike() {
        let signer = signer();
        let record = records().remove(0);
        let canonical = record_text(&record).unwrap();
        let plain = serde_json::to_string(&record).unwrap();
        let grade = format!("\"grade\":{}", record.grade);
        let other_school = format!("\"code\":\"{CODE}\"");
        for (canonical, plain) in [
            // An error the rules find.
            (
                canonical.replacen(&grade, "\"grade\":13", 1),
                plain.replacen(&grade, "\"grade\":13", 1),
            ),
            // Another school's record.
            (
                canonical.replacen(&other_school, "\"code\":\"01001205\"", 1),
                plain.replacen(&other_school, "\"code\":\"01001205\"", 1),
            ),
            // Not a record; not JSON.
            (
                canonical.replacen("\"className\":", "\"classNama\":1,\"className\":", 1),
                plain.replacen("\"className\":", "\"classNama\":1,\"className\":", 1),
            ),
            (
                canonical[..canonical.len() / 2].to_owned(),
                plain[..plain.len() / 2].to_owned(),
            ),
        ] {
            assert_ne!(canonical, record_text(&record).unwrap());
            let fast = sign(&signer, &canonical, None).unwrap_err();
            let general = sign(&signer, &plain, None).unwrap_err();
            assert_eq!(fast.split(':').next(), general.split(':').next(), "{fast}");
            if !fast.contains("unreadable") {
                assert_eq!(fast, general);
            }
        }
    }

    /// A record this process has just validated (the import's text, canonical) is signed
    /// without reading it again, into the very credential the general path makes, with and
    /// without `replaces`; a plain text takes the general path even then.
    #[test]
    fn a_record_validated_now_signs_the_same_credential_unread() {
        let signer = signer();
        for record in records() {
            let canonical = record_text(&record).unwrap();
            let plain = serde_json::to_string(&record).unwrap();
            for replaces in [None, Some("urn:uuid:0")] {
                let read = sign_as(&signer, &canonical, false, replaces).unwrap();
                assert_eq!(sign_as(&signer, &canonical, true, replaces).unwrap(), read);
                assert_eq!(sign_as(&signer, &plain, true, replaces).unwrap(), read);
            }
        }
        // Unread indeed: the mark says the import has just validated this very text, so a
        // text the rules would refuse (only a test can make one) is signed with the mark and
        // refused without it.
        let record = records().remove(0);
        let canonical = record_text(&record).unwrap();
        let grade = format!("\"grade\":{}", record.grade);
        let refused = canonical.replacen(&grade, "\"grade\":13", 1);
        assert_ne!(refused, canonical);
        assert!(sign_as(&signer, &refused, true, None).is_ok());
        assert!(sign_as(&signer, &refused, false, None).is_err());
    }

    /// The shortcut never signs another school's record, or text that is not the canonical
    /// text of a record: those take the general path and are refused as before. An error in
    /// a record loaded from the database (not validated now) is found again, as before.
    #[test]
    fn the_shortcut_refuses_what_the_general_path_refuses() {
        let signer = signer();
        let record = records().remove(0);
        let canonical = record_text(&record).unwrap();
        let other_school =
            canonical.replacen(&format!("\"code\":\"{CODE}\""), "\"code\":\"01001205\"", 1);
        assert_ne!(other_school, canonical);
        let fast = sign_as(&signer, &other_school, true, None).unwrap_err();
        assert_eq!(
            fast,
            sign_as(&signer, &other_school, false, None).unwrap_err()
        );
        assert!(fast.contains("01001205"), "{fast}");
        let cut = &canonical[..canonical.len() / 2];
        assert!(sign_as(&signer, cut, true, None).is_err());
        let grade = format!("\"grade\":{}", record.grade);
        let wrong = canonical.replacen(&grade, "\"grade\":13", 1);
        assert!(sign_as(&signer, &wrong, false, None).is_err());
    }

    #[test]
    fn sha256_hex_is_the_lower_case_digest() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::sha256_hex(b"").len(), 64);
    }
}
