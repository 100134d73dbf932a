//! Building and signing the credentials of one chunk, in parallel across the cores.

use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::validation::parse_and_validate;

use super::{BatchContext, sha256_hex};
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
    let (parsed, report) = parse_and_validate(record.record_json.as_bytes())
        .map_err(|report| format!("hồ sơ không đọc được / unreadable record: {report}"))?;
    if report.has_errors() {
        return Err(format!("hồ sơ có lỗi / the record has errors: {report}"));
    }
    if parsed.school.code != ctx.school.code {
        return Err(format!(
            "hồ sơ của trường {} / the record is for school {}, the key is school {}'s",
            parsed.school.code, parsed.school.code, ctx.school.code
        ));
    }
    let subject = serde_json::to_value(&parsed).map_err(|e| e.to_string())?;
    let list_url = format!(
        "{}/status/{}/{}",
        ctx.public_base_url.trim_end_matches('/'),
        ctx.school.code,
        allocation.list_id
    );
    let index = u64::try_from(allocation.index).map_err(|e| e.to_string())?;
    let status = StatusEntry::revocation(&list_url, index);
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let mut unsigned =
        UnsignedCredential::new(&id, ctx.signer.issuer(), ctx.now, subject, Some(&status))
            .map_err(|e| e.to_string())?;
    if let Some(replaced) = replaces {
        unsigned = unsigned.with_replaces(replaced);
    }
    // Signed straight into its canonical (JCS) text: the bytes the verifier's fast path reads,
    // made in one pass from the envelope's canonical form.
    let bytes = ctx
        .signer
        .sign_canonical(&unsigned, ctx.now)
        .map_err(|e| e.to_string())?;
    let credential_json = String::from_utf8(bytes).map_err(|e| e.to_string())?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_hex_is_the_lower_case_digest() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::sha256_hex(b"").len(), 64);
    }
}
