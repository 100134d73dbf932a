//! The web app: the homeroom teacher's pages: my classes, upload, the report as the
//! spreadsheet, corrections, validating a class, sending it to the principal.
//!
//! The class file is the primary template's example row (school 25000731) made into four
//! pupils; three of its cells are then broken, one rule each.

use std::path::PathBuf;

use hocba_test_support::http::{Answer, request};
use serde_json::json;

use super::{Rig, Session, WebApp, set_password_http, urlencode};

const TEMPLATE: &str = include_str!("../../../templates/tieu-hoc.csv");
pub(super) const NAMES: [&str; 4] = [
    "Hà Văn Dũng",
    "Lê Thị Cúc",
    "Bùi Văn Bình",
    "Đinh Thị Ngọc Ánh",
];
/// The three broken cells: (row of the sheet, column, value, what the rule's message says).
pub(super) const BROKEN: [(usize, &str, &str, &str); 3] = [
    (2, "Toán - KTĐK cuối năm", "11", "phải từ 1 đến 10"),
    (
        3,
        "Kết quả giáo dục",
        "Xuất sắc lắm",
        "hãy ghi: Hoàn thành xuất sắc; Hoàn thành tốt; Hoàn thành; Chưa hoàn thành.",
    ),
    (
        4,
        "Giới tính",
        "Khác",
        "không phải giá trị được phép của cột này; hãy ghi: Nam; Nữ.",
    ),
];
pub(super) const CLASS_PAGE: &str = "/teacher/classes/2025-2026/5A";

/// The class as CSV: four pupils, with the cells of [`BROKEN`] broken when `broken`, and an
/// extra column the template does not have when `extra`.
pub(super) fn class_csv(broken: bool, extra: bool) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(TEMPLATE.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let mut headers = rows[0].clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut out = Vec::new();
    for (k, name) in NAMES.iter().enumerate() {
        let mut row = rows[1].clone();
        row[col("Họ và tên")] = (*name).to_owned();
        row[col("Mã định danh")] = format!("0173150048{:02}", 10 + k);
        row[col("Mã học sinh")] = format!("17150423{:02}", 10 + k);
        if broken {
            for (at, column, value, _) in BROKEN {
                if at == k + 2 {
                    row[col(column)] = value.to_owned();
                }
            }
        }
        out.push(row);
    }
    if extra {
        headers.push("Ghi chú".to_owned());
        for row in &mut out {
            row.push("chuyển trường".to_owned());
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for row in &out {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}

/// A fifth pupil of 5A whose personal ID number says a boy born in the 2000s (4th digit 2)
/// although she is a girl: a warning the school must confirm, not an error.
pub(super) fn pupil_with_mismatched_id() -> Vec<u8> {
    let class = class_csv(false, false);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(class.as_slice());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let mut row = rows[1].clone();
    row[col("Họ và tên")] = "Vũ Thị Yến".to_owned();
    row[col("Mã định danh")] = "017215004899".to_owned();
    row[col("Mã học sinh")] = "1715042399".to_owned();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&rows[0]).unwrap();
    w.write_record(&row).unwrap();
    w.into_inner().unwrap()
}

/// Creates an account through the form and sets its password; signs it in.
fn account(s: &Session, addr: &str, name: &str, login: &str, role: &str, extra: &str) -> Session {
    let csrf = s.csrf("/accounts");
    let a = s.post(
        "/accounts",
        &format!(
            "_csrf={csrf}&display_name={}&login={login}&role={role}&{extra}",
            urlencode(name)
        ),
    );
    assert_eq!(a.status, 201, "{}", a.text());
    let html = a.text();
    let at = html.find("id=\"setup-link\">").unwrap() + "id=\"setup-link\">".len();
    let link = &html[at..at + html[at..].find('<').unwrap()];
    set_password_http(addr, link);
    Session::sign_in(addr, login)
}

/// A `multipart/form-data` upload of `file` named `name`, as a browser's form sends it.
fn upload(addr: &str, s: &Session, csrf: &str, name: &str, file: &[u8]) -> Answer {
    let boundary = "----hocbaTeacherTest7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    request(
        addr,
        "POST",
        "/teacher/upload",
        &[
            ("Cookie", &s.cookie),
            ("Accept", "text/html"),
            (
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            ),
        ],
        &body,
    )
}

fn is_page(a: &Answer) -> bool {
    a.header("content-type")
        .is_some_and(|t| t.starts_with("text/html"))
}

#[test]
fn the_teacher_uploads_sees_exactly_the_three_wrong_cells_fixes_one_in_the_form_and_the_rest_by_upload()
 {
    let Some(rig) = Rig::start("teacher") else {
        return;
    };
    let addr = rig.app.addr().to_owned();
    set_password_http(&addr, &rig.app.first_link);
    let authority = Session::sign_in(&addr, "authority");
    let principal = account(
        &authority,
        &addr,
        "Bùi Văn Thắng",
        "ht.hoaban",
        "principal",
        "school_code=25000731",
    );
    account(
        &principal,
        &addr,
        "Quách Thị Hồng Nhung",
        "gv.nhung",
        "teacher",
        "",
    );
    let wrong: PathBuf = rig.app.dir.join("lop-5A.csv");
    std::fs::write(&wrong, class_csv(true, false)).unwrap();
    let right: PathBuf = rig.app.dir.join("lop-5A-da-sua.csv");
    std::fs::write(&right, class_csv(false, false)).unwrap();

    rig.sign_in("gv.nhung");
    rig.wait_path("/teacher");
    assert!(rig.text("main").contains("Chưa có lớp nào"));
    rig.check("home-empty");

    // The upload: the report is the sheet, with exactly the three wrong cells marked.
    let input = rig.b.find("#file");
    rig.b.send_keys(&input, wrong.to_str().unwrap());
    rig.click("form[action='/teacher/upload'] button[type=submit]");
    rig.b.wait_for("#sheet", 50);
    let marked = rig.b.script(
        "return [...document.querySelectorAll('#sheet td.bad')].map(td => \
           [td.closest('tr').querySelector('th').textContent.trim().split(/\\s/)[0], \
            document.querySelectorAll('#sheet thead th')[td.cellIndex].textContent, \
            td.textContent]);",
    );
    let marked = marked.as_array().unwrap();
    assert_eq!(marked.len(), 3, "{marked:?}");
    for ((row, column, value, rule), cell) in BROKEN.iter().zip(marked) {
        assert_eq!(cell[0], json!(row.to_string()));
        assert_eq!(cell[1], json!(column));
        let text = cell[2].as_str().unwrap();
        assert!(text.starts_with(value) && text.contains(rule), "{text}");
    }
    let main = rig.text("main");
    assert!(main.contains("đã lưu 1 dòng thành hồ sơ nháp, 3 dòng chưa nhập được"));
    assert!(!main.contains("(`/"), "no JSON pointer on the page: {main}");
    rig.check("report");
    // The list above the sheet links each wrong cell.
    rig.click_in_page("#wrong-cells li:first-child a");
    // The anchor names the sheet's row and the column's index in the template.
    let column = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(TEMPLATE.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .position(|h| h == BROKEN[0].1)
        .unwrap();
    let anchor = format!("#r2c{column}");
    assert!(rig.b.url().ends_with(&anchor), "{} {anchor}", rig.b.url());
    rig.check("report-cell");

    // Row 2 corrected in the form: the one wrong field is marked, with the same rule.
    rig.click("#sheet tbody tr.refused form.fix button");
    rig.b.wait_for("form.row-form", 50);
    assert_eq!(rig.text("main h1"), format!("Sửa dòng 2: {}", NAMES[0]));
    let bad = rig.b.script(
        "return [...document.querySelectorAll('.field.bad')].map(f => \
           [f.querySelector('label').textContent, f.querySelector('input:not([type=hidden])').id, \
            f.querySelector('.rule').textContent]);",
    );
    let bad = bad.as_array().unwrap();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0][0], json!("Toán - KTĐK cuối năm"));
    assert!(bad[0][2].as_str().unwrap().contains("phải từ 1 đến 10"));
    rig.check("row-form");
    rig.fill(&format!("#{}", bad[0][1].as_str().unwrap()), "10");
    rig.click("form.row-form button[type=submit]");
    rig.wait_path(CLASS_PAGE);
    assert!(rig.text("main .notice").contains(NAMES[0]));

    // The others by uploading the corrected file: nothing marked, every row saved.
    rig.open("/teacher");
    let input = rig.b.find("#file");
    rig.b.send_keys(&input, right.to_str().unwrap());
    rig.click("form[action='/teacher/upload'] button[type=submit]");
    rig.b.wait_for("#sheet", 50);
    assert_eq!(
        rig.b
            .script("return document.querySelectorAll('#sheet td.bad').length;"),
        json!(0)
    );
    assert!(
        rig.text("#summary")
            .contains("đã lưu 4 dòng thành hồ sơ nháp, 0 dòng")
    );

    // My classes, then the class by pupil name (given name first), validated in one click.
    rig.open("/teacher");
    assert!(rig.text("main section").contains("5A"));
    rig.check("home");
    rig.open(CLASS_PAGE);
    let names = rig.b.script(
        "return [...document.querySelectorAll('#roster tbody tr td:first-child')].map(t => t.textContent);",
    );
    assert_eq!(
        names,
        json!([
            "Đinh Thị Ngọc Ánh",
            "Bùi Văn Bình",
            "Lê Thị Cúc",
            "Hà Văn Dũng"
        ])
    );
    rig.check("class");
    rig.click("form[action$='/validate'] button[type=submit]");
    rig.b.wait_for("#validation", 50);
    assert!(
        rig.text("#validation")
            .contains("Đã duyệt 4 hồ sơ và gửi hiệu trưởng")
    );
    assert_eq!(rig.text("#validated"), "4");
    assert_eq!(rig.text("#drafts"), "0");
    rig.check("validated");

    // A stored record corrected in the same form: a wrong value is refused beside its field
    // (nothing saved), the right one saved; the record is a draft again, to validate again.
    rig.click("#roster tbody tr:first-child a.button");
    rig.b.wait_for("form.row-form", 50);
    let gender = rig.b.script(
        "return [...document.querySelectorAll('form.row-form label')] \
           .find(l => l.textContent == 'Giới tính').htmlFor;",
    );
    let gender = format!("#{}", gender.as_str().unwrap());
    let back = rig.b.find("main > p > a");
    assert!(
        rig.b
            .attribute(&back, "href")
            .unwrap()
            .ends_with(CLASS_PAGE)
    );
    rig.fill(&gender, "Khác");
    rig.click("form.row-form button[type=submit]");
    rig.b.wait_for("#form-problems", 50);
    assert_eq!(
        rig.b
            .script("return document.querySelectorAll('.field.bad').length;"),
        json!(1)
    );
    assert!(
        rig.text(".field.bad")
            .contains("không phải giá trị được phép")
    );
    rig.check("record-refused");
    rig.fill(&gender, "Nữ");
    rig.click("form.row-form button[type=submit]");
    rig.wait_path(CLASS_PAGE);
    assert!(rig.text("main .notice").contains(NAMES[3]));
    assert_eq!(rig.text("#drafts"), "1");
    assert_eq!(rig.text("#validated"), "3");

    let first = rig.b.find("#roster tbody tr:first-child a.button");
    let record = rig.b.attribute(&first, "href").unwrap();
    let origin = rig.app.url("");
    let record = record.strip_prefix(&origin).unwrap_or(&record);
    assert!(record.starts_with("/teacher/records/"), "{record}");
    rig.check_on_phone("gv.nhung", &["/teacher", CLASS_PAGE, record]);
}

#[test]
fn teacher_pages_refuse_wrong_roles_other_schools_missing_tokens_and_bad_files_with_pages() {
    let app = WebApp::start("teacher-http");
    let addr = app.addr().to_owned();
    set_password_http(&addr, &app.first_link);
    let authority = Session::sign_in(&addr, "authority");
    let principal = account(
        &authority,
        &addr,
        "Bùi Văn Thắng",
        "ht.a",
        "principal",
        "school_code=25000731",
    );
    let teacher = account(&principal, &addr, "Giáo viên A", "gv.a", "teacher", "");
    let other_principal = account(
        &authority,
        &addr,
        "Hiệu trưởng B",
        "ht.b",
        "principal",
        "school_code=79000701",
    );
    let other_teacher = account(
        &other_principal,
        &addr,
        "Giáo viên B",
        "gv.b",
        "teacher",
        "",
    );
    let csrf = teacher.csrf("/teacher");

    // A file with a column the template does not have: imported, the column named as ignored.
    let extra = upload(
        &addr,
        &teacher,
        &csrf,
        "lop 5A.csv",
        &class_csv(false, true),
    );
    assert_eq!(extra.status, 200, "{}", extra.text());
    let html = extra.text();
    assert!(html.contains("Cột «Ghi chú» không có trong mẫu nên đã được bỏ qua"));
    assert!(html.contains("đã lưu 4 dòng thành hồ sơ nháp, 0 dòng chưa nhập được"));
    assert_eq!(html.matches("<td class=\"bad\">").count(), 0);

    // The template's own XLSX (its example row, a fifth pupil of 5A): one row saved.
    let xlsx = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/tieu-hoc.xlsx"
    ))
    .unwrap();
    let from_xlsx = upload(&addr, &teacher, &csrf, "tieu-hoc.xlsx", &xlsx);
    assert_eq!(from_xlsx.status, 200, "{}", from_xlsx.text());
    assert!(
        from_xlsx
            .text()
            .contains("đã lưu 1 dòng thành hồ sơ nháp, 0 dòng")
    );

    // The language switch on the report comes back to a page, not a "not found".
    let back = teacher.get("/teacher/upload");
    assert_eq!(back.status, 303);
    assert_eq!(back.header("location"), Some("/teacher"));

    // Another school's teacher: the class and its records are the 404 page.
    let class = teacher.get(CLASS_PAGE);
    assert_eq!(class.status, 200);
    let page = class.text();
    let at = page.find("/teacher/records/").unwrap();
    let record = &page[at..at + "/teacher/records/".len() + 36];
    for path in [CLASS_PAGE, record] {
        let other = other_teacher.get(path);
        assert_eq!(other.status, 404, "{path}");
        assert!(is_page(&other) && other.text().contains("Không tìm thấy"));
    }
    let other_csrf = other_teacher.csrf("/teacher");
    let cross = other_teacher.post(
        &format!("{CLASS_PAGE}/validate"),
        &format!("_csrf={other_csrf}"),
    );
    assert_eq!(cross.status, 404);

    // The authority has no class to upload: a 403 page.
    let forbidden = authority.get("/teacher");
    assert_eq!(forbidden.status, 403);
    assert!(is_page(&forbidden) && forbidden.text().contains("Không có quyền"));

    // Without the form's token: refused, nothing validated.
    let no_token = teacher.post(&format!("{CLASS_PAGE}/validate"), "accept_warnings=1");
    assert_eq!(no_token.status, 403);
    assert!(no_token.text().contains("Biểu mẫu đã hết hạn"));
    let no_token = upload(&addr, &teacher, "", "lop.csv", &class_csv(false, false));
    assert_eq!(no_token.status, 403);
    assert!(
        teacher
            .get(CLASS_PAGE)
            .text()
            .contains("id=\"validated\">0<")
    );
    // A stored draft corrected without its token: refused too.
    let edit = teacher.post(record, "version=1&h0=STT&c0=");
    assert_eq!(edit.status, 403);

    // A 50 MB upload: the "file too large" page (413), not JSON, not a 5xx.
    let big = vec![b'x'; 50 * 1000 * 1000];
    let too_large = upload(&addr, &teacher, &csrf, "lop.csv", &big);
    assert_eq!(too_large.status, 413);
    assert!(
        is_page(&too_large),
        "{:?}",
        too_large.header("content-type")
    );
    assert!(too_large.text().contains("Tệp quá lớn"));

    // Not a sheet, an empty form, a file the import cannot read: pages saying what to do.
    let pdf = upload(&addr, &teacher, &csrf, "hoc-ba.pdf", b"%PDF-1.7");
    assert_eq!(pdf.status, 415);
    assert!(is_page(&pdf) && pdf.text().contains("không phải CSV hoặc XLSX"));
    let empty = upload(&addr, &teacher, &csrf, "", b"");
    assert_eq!(empty.status, 400);
    assert!(is_page(&empty) && empty.text().contains("Chưa chọn tệp"));
    let garbage = upload(&addr, &teacher, &csrf, "lop.csv", b"a,b\n1,2\n");
    assert_eq!(garbage.status, 422, "{}", garbage.text());
    assert!(is_page(&garbage) && garbage.text().contains("id=\"upload-error\""));

    // A pupil without a personal ID number: saved, the cell marked as a warning; validating
    // leaves that record a draft until the warning is accepted.
    let warned = upload(
        &addr,
        &teacher,
        &csrf,
        "them.csv",
        &pupil_with_mismatched_id(),
    );
    assert_eq!(warned.status, 200);
    assert!(
        warned
            .text()
            .contains("đã lưu 1 dòng thành hồ sơ nháp, 0 dòng")
    );
    assert_eq!(warned.text().matches("<td class=\"warn\">").count(), 1);

    // A principal may use the teacher's pages; validating twice does nothing twice.
    let csrf = principal.csrf(CLASS_PAGE);
    let first = principal.post(&format!("{CLASS_PAGE}/validate"), &format!("_csrf={csrf}"));
    assert_eq!(first.status, 200);
    let page = first.text();
    assert!(page.contains("Đã duyệt 5 hồ sơ"), "{page}");
    let refused = &page[page.find("<ul>").unwrap()..page.find("</ul>").unwrap()];
    assert!(
        refused.contains("Vũ Thị Yến") && refused.contains("định danh"),
        "{refused}"
    );
    assert!(!refused.contains('`'), "no pointer or rule code: {refused}");
    let accepted = principal.post(
        &format!("{CLASS_PAGE}/validate"),
        &format!("_csrf={csrf}&accept_warnings=1"),
    );
    assert!(accepted.text().contains("Đã duyệt 1 hồ sơ"));
    let again = principal.post(&format!("{CLASS_PAGE}/validate"), &format!("_csrf={csrf}"));
    assert!(again.text().contains("Đã duyệt 0 hồ sơ"));
    assert!(
        again
            .text()
            .contains("6 hồ sơ đã duyệt hoặc đã ký từ trước")
    );
}
