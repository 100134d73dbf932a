//! The admissions officer's form, read: the scheme picked (or a scheme file uploaded), a ZIP
//! of PDFs (one folder per candidate, or the candidate's id before the first `_` of each file
//! name: `TS-001/lop12.pdf`, `TS-001_lop12.pdf`) and candidate lines
//! `id; share codes; area; policy group; bonus` (codes separated by spaces; every part after
//! the id optional, so `TS-001; ; KV1; UT1; 1` gives priority to a candidate of the ZIP).
//!
//! The ZIP is read with bounds: at most [`MAX_ZIP_ENTRIES`] files, each PDF at most
//! [`crate::pdf::MAX_PDF_BYTES`] inflated, all together at most [`MAX_ZIP_INFLATED`].

use std::io::{Cursor, Read};

use super::super::verify::Item;
use super::{CandidateIn, ItemIn};
use crate::admissions::Extras;

/// Most files in one ZIP.
pub(super) const MAX_ZIP_ENTRIES: usize = 3_000;
/// Most bytes inflated from one ZIP (512 MiB).
pub(super) const MAX_ZIP_INFLATED: u64 = 512 << 20;

/// What a field of the form says is wrong (Vietnamese, English).
pub(super) type FormError = (String, String);

fn bad(vi: impl Into<String>, en: impl Into<String>) -> FormError {
    (vi.into(), en.into())
}

/// The candidate id a ZIP entry belongs to: its folder, else the name before the first `_`.
fn candidate_of(path: &str) -> Option<String> {
    let path = path.trim_start_matches("./");
    let (id, _) = match path.split_once('/') {
        Some((folder, rest)) if !rest.is_empty() => (folder, rest),
        _ => path.split_once('_')?,
    };
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// Every PDF of `zip` as (candidate id, item), in the ZIP's order.
pub(super) fn read_zip(zip: &[u8]) -> Result<Vec<(String, Item)>, FormError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| {
        bad(
            format!("Tệp tải lên không phải tệp ZIP đọc được ({e}): hãy nén các tệp PDF thành một tệp .zip."),
            format!("The upload is not a readable ZIP file ({e}): put the PDFs in one .zip file."),
        )
    })?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(bad(
            format!(
                "Tệp ZIP có {} tệp; tối đa {MAX_ZIP_ENTRIES}.",
                archive.len()
            ),
            format!(
                "The ZIP holds {} files; at most {MAX_ZIP_ENTRIES}.",
                archive.len()
            ),
        ));
    }
    let mut out = Vec::new();
    let mut inflated: u64 = 0;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| {
            bad(
                format!("Không đọc được tệp thứ {} trong ZIP: {e}", i + 1),
                format!("File {} of the ZIP cannot be read: {e}", i + 1),
            )
        })?;
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        if file.is_dir() || !name.to_ascii_lowercase().ends_with(".pdf") {
            continue;
        }
        let Some(id) = candidate_of(&name) else {
            return Err(bad(
                format!(
                    "Không biết tệp \"{name}\" thuộc thí sinh nào: đặt PDF của mỗi thí sinh trong \
                     một thư mục mang mã thí sinh, hoặc đặt tên tệp bắt đầu bằng mã thí sinh và \
                     dấu _ (TS-001_lop12.pdf)."
                ),
                format!(
                    "File \"{name}\" belongs to no candidate: put each candidate's PDFs in a \
                     folder named by the candidate id, or start the file name with the id and _ \
                     (TS-001_lop12.pdf)."
                ),
            ));
        };
        let limit = crate::pdf::MAX_PDF_BYTES as u64;
        let mut bytes = Vec::new();
        (&mut file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                bad(
                    format!("Không giải nén được \"{name}\": {e}"),
                    format!("\"{name}\" cannot be unpacked: {e}"),
                )
            })?;
        inflated += bytes.len() as u64;
        if bytes.len() as u64 > limit || inflated > MAX_ZIP_INFLATED {
            return Err(bad(
                format!("\"{name}\" hoặc cả tệp ZIP quá lớn khi giải nén."),
                format!("\"{name}\", or the ZIP as a whole, is too large unpacked."),
            ));
        }
        out.push((
            id,
            Item::File {
                name: Some(name),
                claims_pdf: true,
                bytes,
            },
        ));
    }
    Ok(out)
}

/// One candidate line: (id, share codes, extras).
fn parse_line(n: usize, line: &str) -> Result<(String, Vec<String>, Extras), FormError> {
    let parts: Vec<&str> = line.split(';').map(str::trim).collect();
    let id = parts.first().copied().unwrap_or("").to_owned();
    if id.is_empty() || id.chars().count() > 64 {
        return Err(bad(
            format!("Dòng {n}: thiếu mã thí sinh (hoặc dài quá 64 ký tự) trước dấu ;"),
            format!(
                "Line {n}: the candidate id before the first ; is missing (or over 64 characters)"
            ),
        ));
    }
    let codes = parts
        .get(1)
        .map(|c| c.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let opt = |i: usize| {
        parts
            .get(i)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_uppercase())
    };
    let bonus = match parts.get(4).filter(|s| !s.is_empty()) {
        None => 0.0,
        Some(b) => b.replace(',', ".").parse::<f64>().map_err(|_| {
            bad(
                format!("Dòng {n} ({id}): điểm cộng \"{b}\" không phải là số (ví dụ 1,5)."),
                format!("Line {n} ({id}): bonus \"{b}\" is not a number (e.g. 1.5)."),
            )
        })?,
    };
    Ok((
        id,
        codes,
        Extras {
            area: opt(2),
            group: opt(3),
            bonus,
        },
    ))
}

/// The candidates of the form: the ZIP's (by id, in order of first appearance) merged with
/// the lines (share codes added, priority and bonus set).
pub(super) fn candidates(
    zip_items: Vec<(String, Item)>,
    lines: &str,
) -> Result<Vec<CandidateIn>, FormError> {
    let mut out: Vec<CandidateIn> = Vec::new();
    let index_of = |out: &mut Vec<CandidateIn>, id: &str| match out.iter().position(|c| c.id == id)
    {
        Some(i) => i,
        None => {
            out.push(CandidateIn {
                id: id.to_owned(),
                extras: Extras::default(),
                items: Vec::new(),
            });
            out.len() - 1
        }
    };
    for (id, item) in zip_items {
        let i = index_of(&mut out, &id);
        out[i].items.push(ItemIn::Item(item));
    }
    for (n, line) in lines.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (id, codes, extras) = parse_line(n + 1, line)?;
        let i = index_of(&mut out, &id);
        out[i].extras = extras;
        out[i]
            .items
            .extend(codes.into_iter().map(ItemIn::ShareCode));
    }
    if out.is_empty() {
        return Err(bad(
            "Chưa có thí sinh nào: hãy chọn tệp ZIP chứa PDF học bạ hoặc dán mã chia sẻ.",
            "No candidates yet: choose a ZIP of record PDFs or paste share codes.",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_ids_come_from_folders_or_prefixes() {
        assert_eq!(candidate_of("TS-001/lop12.pdf").as_deref(), Some("TS-001"));
        assert_eq!(candidate_of("TS-002_lop10.pdf").as_deref(), Some("TS-002"));
        assert_eq!(candidate_of("lop10.pdf"), None);
    }

    #[test]
    fn lines_give_codes_priority_and_bonus() {
        let c = candidates(
            Vec::new(),
            "TS-1; ABC DEF; kv1; ut1; 1,5\n\n# note\nTS-2; GHI",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].items.len(), 2);
        assert_eq!(c[0].extras.area.as_deref(), Some("KV1"));
        assert_eq!(c[0].extras.group.as_deref(), Some("UT1"));
        assert_eq!(c[0].extras.bonus, 1.5);
        assert_eq!(c[1].extras, Extras::default());
        assert!(candidates(Vec::new(), "TS-1; A; KV1; ; nhiều").is_err());
        assert!(candidates(Vec::new(), "").is_err());
    }
}
