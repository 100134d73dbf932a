//! The printed PDF and the verifier's record page say the same thing: for a primary and a
//! secondary example, the section titles, column and row headings and field labels of each are
//! those of the one description, `hocba_schema::paper::describe`, in its order — and neither
//! shows a label the description does not have.
//!
//! The PDF side needs `pdftotext` (Debian `poppler-utils`); without it that half is skipped with
//! a message.

use std::process::Command;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf};
use hocba_schema::credential::StatusEntry;
use hocba_schema::paper::{self, Block, Paper, Table};
use hocba_schema::record::YearRecord;
use hocba_tests::{dev_signer, dev_trust, examples, root, school_code};
use hocba_verifier::service::pages::{Lang, credential_page};
use hocba_verifier::verify_json;
use serde_json::Value;
use time::macros::datetime;

const SIGNED_AT: time::OffsetDateTime = datetime!(2026-05-29 09:30 UTC);
const CHECKED_AT: time::OffsetDateTime = datetime!(2026-06-15 00:00 UTC);

/// The example `name`, changed by `edit`, signed with its school's development key.
fn signed(name: &str, edit: fn(&mut Value)) -> (Value, YearRecord, String) {
    let (_, record) = examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .expect("the example");
    let mut value: Value = serde_json::from_slice(&record).expect("the example reads");
    edit(&mut value);
    let record = serde_json::to_vec(&value).expect("JSON");
    let code = school_code(&record);
    let issued = issue_record(
        &record,
        &dev_signer(&dev_trust(), &code),
        &code,
        &IssueOptions {
            accept_warnings: true,
            status: Some(StatusEntry::revocation(
                &format!("https://hocba.example/status/{code}/1"),
                4_242,
            )),
            now: SIGNED_AT,
            id: None,
        },
    )
    .expect("the example signs");
    let parsed: YearRecord = serde_json::from_slice(&record).expect("the example reads");
    (Value::Object(issued.credential), parsed, code)
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<h3>`, `<dt>` and `<th>` of the record card (the verdict and the record
/// id after it are not the record), in page order.
fn page_labels(html: &str) -> Vec<String> {
    let start = html.find("id=\"record\"").expect("the record card");
    let end = start
        + html[start..]
            .find("id=\"record-meta\"")
            .expect("record meta");
    let card = &html[start..end];
    let mut out = Vec::new();
    let mut rest = card;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !matches!(name.as_str(), "h3" | "dt" | "th") {
            continue;
        }
        let open_end = rest.find('>').expect("tag end") + 1;
        let close = rest.find(&format!("</{name}>")).expect("closing tag");
        out.push(unescape(&rest[open_end..close]));
        rest = &rest[close..];
    }
    out
}

/// The comment columns' headings: on the page they label each comment instead of heading a
/// column.
fn comment_labels(paper: &Paper) -> Vec<&'static str> {
    let mut out = Vec::new();
    for block in paper.sections.iter().flat_map(|s| &s.blocks) {
        let tables: &[Table] = match block {
            Block::Table(t) => std::slice::from_ref(t),
            Block::Beside(ts) => ts,
            _ => &[],
        };
        out.extend(tables.iter().filter_map(|t| t.comment.map(|c| c.label.vi)));
    }
    out
}

fn check_page(name: &str, credential: &Value, paper: &Paper) {
    let bytes = serde_json::to_vec(credential).expect("JSON");
    let verdict = verify_json(&bytes, &dev_trust(), CHECKED_AT).expect("verifies");
    assert!(verdict.is_valid(), "{name}: {verdict:?}");
    let html = credential_page(&verdict, Lang::Vi);
    let comments = comment_labels(paper);
    let mut expected = vec![paper::PUPIL_HEADING.vi.to_owned()];
    expected.extend(
        paper
            .labels_vi()
            .into_iter()
            .filter(|l| !comments.contains(&l.as_str())),
    );
    assert_eq!(page_labels(&html), expected, "{name}: the page's labels");
    for comment in comments {
        assert!(
            html.contains(&format!("<span class=\"note-label\">{comment}:</span>")),
            "{name}: comments are labelled {comment:?}"
        );
    }
}

/// `label` found in `text` at or after `from`; returns where it ends.
fn find_after(name: &str, text: &str, from: usize, label: &str) -> usize {
    match text[from..].find(label) {
        Some(at) => from + at + label.len(),
        None => {
            // The 80 bytes before `from`, widened to a character boundary (Vietnamese text has
            // multi-byte characters; slicing inside one would panic and hide the missing label).
            let mut start = from.saturating_sub(80);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            panic!(
                "{name}: {label:?} is not in the PDF after {:?}",
                &text[start..from]
            )
        }
    }
}

/// The PDF's text holds the description's labels in its order: each table's headings, then
/// its rows (tables side by side on paper read row by row across them), each `label:` of a
/// field.
fn check_pdf_order(name: &str, text: &str, paper: &Paper) {
    let mut at = 0;
    for f in &paper.pupil {
        at = find_after(name, text, at, &format!("{}:", f.label.vi));
    }
    for section in &paper.sections {
        if let Some(title) = section.title {
            at = find_after(name, text, at, title.vi);
        }
        for block in &section.blocks {
            let tables: &[Table] = match block {
                Block::Table(t) => std::slice::from_ref(t),
                Block::Beside(ts) => ts,
                Block::Fields { fields, .. } => {
                    for f in fields {
                        at = find_after(name, text, at, &format!("{}:", f.label.vi));
                    }
                    continue;
                }
                Block::Legend(_) | Block::Paragraph { .. } => continue,
            };
            let heads: Vec<&str> = tables
                .iter()
                .flat_map(|t| t.columns.iter().chain(&t.comment).map(|c| c.label.vi))
                .filter(|l| !l.is_empty())
                .collect();
            // Each column label in the description's order. Not as one line: a page printed
            // smaller to fit on one sheet has tables side by side that `pdftotext` may read
            // column by column.
            let start = at;
            for head in &heads {
                at = find_after(name, text, at, head);
            }
            at = start;
            let rows = tables.iter().map(|t| t.rows.len()).max().unwrap_or(0);
            for i in 0..rows {
                for t in tables {
                    if let Some(row) = t.rows.get(i) {
                        at = find_after(name, text, at, &row.head.vi);
                    }
                }
            }
        }
    }
}

/// Every line of the PDF that starts with a `label:` is a described field line (or the start
/// of one), or a line of a legend: the PDF prints no label the description does not have.
fn check_pdf_fields(name: &str, raw: &str, paper: &Paper) {
    let mut lines: Vec<String> = Vec::new();
    let mut legends: Vec<&str> = Vec::new();
    let mut groups: Vec<&[paper::Field]> = vec![&paper.pupil];
    for block in paper.sections.iter().flat_map(|s| &s.blocks) {
        match block {
            Block::Fields { fields, .. } => groups.push(fields),
            Block::Legend(l) => legends.push(l.vi),
            _ => {}
        }
    }
    for fields in groups {
        for f in fields {
            let part = format!("{}: {}", f.label.vi, f.value.vi);
            match lines.last_mut() {
                Some(line) if f.inline => *line = normalise(&format!("{line} {part}")),
                _ => lines.push(normalise(&part)),
            }
        }
    }
    let mut labelled = 0;
    for line in raw.lines().map(normalise) {
        let Some((head, _)) = line.split_once(':') else {
            continue;
        };
        // A label starts with a capital and has no digits (not a time, an id or a page number).
        let label_like = head.chars().next().is_some_and(char::is_uppercase)
            && head.chars().count() <= 60
            && !head.chars().any(|c| c.is_ascii_digit());
        if !label_like {
            continue;
        }
        labelled += 1;
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&line) || line.starts_with(l.as_str()))
                || legends.iter().any(|l| normalise(l).contains(&line)),
            "{name}: the PDF prints {line:?}, which is not a line of the description"
        );
    }
    assert!(labelled >= lines.len(), "{name}: {labelled} labelled lines");
}

fn check_pdf(name: &str, credential: &Value, code: &str, paper: &Paper) {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("SKIPPED: `pdftotext` is not installed (apt-get install poppler-utils)");
        return;
    }
    let key = KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).expect("key");
    let pdf = render_pdf(credential, &key, &PdfOptions::default()).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("record.pdf");
    std::fs::write(&path, &pdf.bytes).expect("write");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "{name}: pdftotext");
    let raw = String::from_utf8(out.stdout).expect("UTF-8");
    check_pdf_order(name, &normalise(&raw), paper);
    check_pdf_fields(name, &raw, paper);
}

#[test]
fn the_pdf_and_the_record_page_show_the_labels_of_the_one_description() {
    for name in ["primary-grade5.json", "secondary-grade11.json"] {
        let (credential, record, code) = signed(name, |_| {});
        let paper = paper::describe(&record);
        check_page(name, &credential, &paper);
        check_pdf(name, &credential, &code, &paper);
    }
}

#[test]
fn the_optional_lines_of_the_pupil_block_are_on_both() {
    let name = "primary-grade5.json";
    let (credential, record, code) = signed(name, |v| {
        v["student"]["policyGroup"] = "Con thương binh".into();
        v["student"]["disabilityNote"] = "Khiếm thị nhẹ".into();
    });
    let paper = paper::describe(&record);
    let labels = paper.labels_vi();
    for label in ["Đối tượng", "Khuyết tật"] {
        assert!(labels.iter().any(|l| l == label), "{label}");
    }
    check_page(name, &credential, &paper);
    check_pdf(name, &credential, &code, &paper);
}
