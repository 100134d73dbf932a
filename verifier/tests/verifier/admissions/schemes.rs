//! Scheme files: the two shipped examples read and say what they should; a scheme with an
//! unknown subject code, or weights that break its own Toán/Ngữ văn condition, or a bonus cap
//! above 10 % of the scale, or broken TOML, is an error naming the line.

use hocba_verifier::admissions::scheme::{Period, Share};
use hocba_verifier::admissions::{Scheme, SchemeError};

fn shipped(name: &str) -> String {
    let path = format!("{}/schemes/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn ca_nam() -> String {
    shipped("thong-tu-06-2025-ca-nam-lop-12")
}

fn err(text: &str) -> SchemeError {
    Scheme::from_toml(text).expect_err("the scheme must be refused")
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_circular_06_2025_scheme_reads_as_written() {
    let s = Scheme::from_toml(&ca_nam()).unwrap();
    assert_eq!(s.name, "thong-tu-06-2025-ca-nam-lop-12");
    assert_eq!(s.grades(), vec![12]);
    assert_eq!(s.terms.len(), 1);
    assert_eq!(s.terms[0].period, Period::Year);
    assert_eq!(s.scale_max, 30.0);
    assert_eq!(s.bonus_cap, 3.0);
    assert_eq!(
        s.conditions.core_share,
        Some(Share {
            numerator: 1,
            denominator: 4
        })
    );
    assert_eq!(s.priority.reduce_from, Some(22.5));
    assert_eq!(s.priority.areas["KV2-NT"], 0.5);
    assert_eq!(s.priority.groups["UT1"], 2.0);
    let codes: Vec<&str> = s.combinations.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["A00", "A01", "B00", "C00", "D01"]);
    let a01 = s.combination("A01").unwrap();
    assert_eq!(a01.subjects[2].code, "ngoai_ngu_1");
    assert_eq!(a01.subjects[2].name, "Tiếng Anh");
    assert_eq!(a01.subjects[0].name, "Toán");
}

#[test]
fn the_2026_draft_counts_six_semesters_of_three_grades() {
    let s = Scheme::from_toml(&shipped("du-thao-2026-sau-hoc-ki")).unwrap();
    assert_eq!(s.grades(), vec![10, 11, 12]);
    assert_eq!(s.terms.len(), 6);
    assert!(s.terms.iter().all(|t| t.period != Period::Year));
    assert_eq!(
        s.conditions.core_share,
        Some(Share {
            numerator: 1,
            denominator: 3
        })
    );
    assert!(s.conditions.require_completion);
    assert_eq!(s.conditions.min_conduct.as_deref(), Some("K"));
}

#[test]
fn an_unknown_subject_code_is_named_with_its_line() {
    let text = ca_nam().replace(
        "subjects = [\"toan\", \"hoa_hoc\", \"sinh_hoc\"]",
        "subjects = [\"toan\", \"hoa_hoc\", \"sinh_hoc_nang_cao\"]",
    );
    let e = err(&text);
    assert_eq!(e.rule, "unknown_subject");
    assert_eq!(e.value, "sinh_hoc_nang_cao");
    assert_eq!(e.field, "combinations[2].subjects[2]");
    assert_eq!(e.line, Some(line_of(&text, "sinh_hoc_nang_cao")));
    let shown = e.to_string();
    assert!(
        shown.contains(&format!("line {}", line_of(&text, "sinh_hoc_nang_cao"))),
        "{shown}"
    );
    assert!(shown.contains("sinh_hoc_nang_cao"), "{shown}");
    // A subject that exists but has no averages (assessed by comment) is refused too.
    let text = ca_nam().replace(
        "\"lich_su\", \"dia_li\"]",
        "\"lich_su\", \"giao_duc_the_chat\"]",
    );
    let e = err(&text);
    assert_eq!(e.rule, "unknown_subject");
    assert_eq!(e.line, Some(line_of(&text, "giao_duc_the_chat")));
}

#[test]
fn weights_that_break_the_core_share_are_named_with_the_line() {
    // The 2026 draft asks Toán or Ngữ văn to carry ≥ 1/3: Toán ×1 with Vật lí ×2 and Hóa ×1
    // gives Toán 1/4.
    let text = shipped("du-thao-2026-sau-hoc-ki").replace(
        "subjects = [\"toan\", \"vat_li\", \"hoa_hoc\"]",
        "subjects = [\"toan\", { code = \"vat_li\", weight = 2 }, \"hoa_hoc\"]",
    );
    let e = err(&text);
    assert_eq!(e.rule, "core_share");
    assert_eq!(e.value, "A00");
    let code_line = line_of(&text, "code = \"A00\"");
    let subjects_line = line_of(&text, "weight = 2");
    let line = e.line.unwrap();
    assert!(
        (code_line - 1..=subjects_line).contains(&line),
        "line {line} is not the A00 table ({code_line}–{subjects_line})"
    );
    assert!(e.message.contains("1/3"), "{}", e.message);
    assert!(
        e.message_vi.contains("Toán hoặc Ngữ văn"),
        "{}",
        e.message_vi
    );
    // The same weights meet the Circular's 1/4.
    let text = ca_nam().replace(
        "subjects = [\"toan\", \"vat_li\", \"hoa_hoc\"]",
        "subjects = [\"toan\", { code = \"vat_li\", weight = 2 }, \"hoa_hoc\"]",
    );
    let s = Scheme::from_toml(&text).unwrap();
    assert_eq!(s.combination("A00").unwrap().total_weight(), 4.0);
    // A combination without Toán or Ngữ văn at all.
    let text = ca_nam().replace(
        "subjects = [\"toan\", \"hoa_hoc\", \"sinh_hoc\"]",
        "subjects = [\"vat_li\", \"hoa_hoc\", \"sinh_hoc\"]",
    );
    assert_eq!(err(&text).rule, "core_share");
}

#[test]
fn a_bonus_cap_above_a_tenth_of_the_scale_is_refused() {
    let text = ca_nam().replace("bonus_cap = 3", "bonus_cap = 4");
    let e = err(&text);
    assert_eq!(e.rule, "bonus_cap_at_most_10_percent");
    assert_eq!(e.line, Some(line_of(&text, "bonus_cap = 4")));
}

#[test]
fn broken_toml_and_unknown_members_name_the_line() {
    let text = ca_nam().replace("scale_max = 30", "scale_max = = 30");
    let e = err(&text);
    assert_eq!(e.rule, "toml");
    assert_eq!(e.line, Some(line_of(&text, "scale_max = = 30")));
    let text = ca_nam().replace("min_subjects = 3", "min_subject = 3");
    let e = err(&text);
    assert_eq!(e.rule, "toml");
    assert!(e.message.contains("min_subject"), "{}", e.message);
    assert_eq!(e.line, Some(line_of(&text, "min_subject = 3")));
    let text = ca_nam().replace("period = \"year\"", "period = \"ca_nam\"");
    let e = err(&text);
    assert_eq!(e.rule, "period");
    assert_eq!(e.line, Some(line_of(&text, "ca_nam\"")));
    let text = ca_nam().replace("code = \"C00\"", "code = \"A00\"");
    let e = err(&text);
    assert_eq!(e.rule, "duplicate_combination");
}
