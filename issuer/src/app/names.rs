//! How the issuer names a pupil's files (credential JSON, PDF, the entries of a class's ZIP):
//! `<class>-<pupil name in ASCII>-<short id>`, so a teacher recognises each file, two pupils
//! of one name stay apart, and no personal identification number is ever in a file name.

use unicode_normalization::UnicodeNormalization;

/// `Nguyễn Thị Ánh` → `Nguyen-Thi-Anh`: Vietnamese letters without their marks (đ → d),
/// anything else but ASCII letters and digits as one `-`; `x` when nothing is left.
pub fn ascii_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        let c = match c {
            'đ' => 'd',
            'Đ' => 'D',
            c if unicode_normalization::char::is_combining_mark(c) => continue,
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "x".to_owned() } else { out }
}

/// The last 8 ASCII letters and digits of an id. The end, not the start: year records and
/// pupils have time-ordered ids (UUID v7, `store::ordered_id`) whose first 8 hex digits are the
/// same for every row made in the same minute, while the last 32 bits of a v7 id, as of a v4
/// one, are random — two pupils of one class with the same name still get two file names.
pub fn short_id(id: &str) -> String {
    let alnum: Vec<char> = id.chars().filter(char::is_ascii_alphanumeric).collect();
    alnum[alnum.len().saturating_sub(8)..].iter().collect()
}

/// `<class>-<pupil name in ASCII>-<short id>` (no extension).
pub fn file_stem(class_name: &str, full_name: &str, id: &str) -> String {
    format!(
        "{}-{}-{}",
        ascii_name(class_name),
        ascii_name(full_name),
        short_id(id)
    )
}

/// The pupil's full name in a stored record's JSON (`student.fullName`), for lists and
/// reports; `None` when the JSON has none.
pub fn pupil_name(record_json: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Student {
        #[serde(rename = "fullName")]
        full_name: String,
    }
    #[derive(serde::Deserialize)]
    struct Record {
        student: Student,
    }
    serde_json::from_str::<Record>(record_json)
        .ok()
        .map(|r| r.student.full_name)
}

/// The pupil's full name and class in a signed credential's JSON (its subject), for lists,
/// reports and file names; `None` when either is missing.
pub fn credential_pupil(credential_json: &str) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Subject {
        class_name: String,
        student: Student,
    }
    #[derive(serde::Deserialize)]
    struct Student {
        #[serde(rename = "fullName")]
        full_name: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Credential {
        credential_subject: Subject,
    }
    let c: Credential = serde_json::from_str(credential_json).ok()?;
    Some((
        c.credential_subject.student.full_name,
        c.credential_subject.class_name,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ascii_and_readable() {
        assert_eq!(ascii_name("Võ Ngọc Bảo Trân"), "Vo-Ngoc-Bao-Tran");
        assert_eq!(ascii_name("Đặng Thị Ánh"), "Dang-Thi-Anh");
        // Decomposed input gives the same.
        let nfd: String = "Nguyễn Đức".nfd().collect();
        assert_eq!(ascii_name(&nfd), "Nguyen-Duc");
        assert_eq!(ascii_name("  --  "), "x");
        assert_eq!(
            file_stem(
                "11A2",
                "Võ Ngọc Bảo Trân",
                "urn:uuid:0193a1b2-7c00-7abc-8def-5e0a1f207a17"
            ),
            "11A2-Vo-Ngoc-Bao-Tran-1f207a17"
        );
    }
}
