//! One school year across the roles, in one browser against one `hocba-issuer serve` on a
//! fresh SQLite file, in the order issue #11 tells it: the Department's first password, a
//! school's principal, a teacher who uploads a class with three wrong cells (with the file
//! picker), fixes one in the form and the rest by dropping the corrected file on the page, the
//! principal who signs the class and downloads a ZIP whose PDFs verify, the Department who
//! sees the school's rate and what holds a record back, and a family whose share code a
//! portal redeems. Along the way, what a browser would never send is tried over HTTP: a
//! teacher on the signing action, a form without its CSRF token, another school's cookie.
//!
//! Each role's pages are tested in depth in their own modules; this one checks that the
//! roles meet: what one person does is what the next one sees.

use std::process::Command;

use serde_json::json;

use super::authority::figures;
use super::principal::{count, hocba_verify, token_of};
use super::teacher::{BROKEN, CLASS_PAGE, NAMES, class_csv, pupil_with_mismatched_id};
use super::{Rig, Session, create_http, set_password_http};

/// The school of the primary template (a demo school with a development key).
const SCHOOL: &str = "25000731";
/// The portal that redeems the family's code.
const PORTAL: &str = "Cổng tuyển sinh lớp 6 tỉnh Phú Thọ";

#[test]
fn one_school_year_from_the_first_link_to_a_redeemed_share_code() {
    let Some(rig) = Rig::start("flow") else {
        return;
    };
    let addr = rig.app.addr().to_owned();

    // The Department: its own password from the first-start link, then the school's
    // principal and the portal, on the accounts page.
    rig.set_password(&rig.app.first_link);
    rig.sign_in("authority");
    let principal_link = rig.create_account(
        "Bùi Văn Thắng",
        "ht.flow",
        "principal",
        Some(("#school_code", SCHOOL)),
    );
    rig.check("authority-accounts");
    let portal_link = rig.create_account(PORTAL, "cong.flow", "portal", None);
    let department = Session::sign_in(&addr, "authority");
    let row = format!("school-{SCHOOL}");
    assert_eq!(
        figures(&department.get("/authority").text(), &row),
        json!({"expected": 0, "signed": 0, "held": 0, "refused": 0})
    );
    rig.sign_out();

    // The principal makes the teacher.
    rig.set_password(&principal_link);
    rig.sign_in("ht.flow");
    rig.wait_path("/school");
    let teacher_link = rig.create_account("Quách Thị Hồng Nhung", "gv.flow", "teacher", None);
    rig.sign_out();

    // The teacher: the class file with three wrong cells, through the file picker.
    rig.set_password(&teacher_link);
    rig.sign_in("gv.flow");
    rig.wait_path("/teacher");
    let wrong = rig.app.dir.join("lop-5A.csv");
    std::fs::write(&wrong, class_csv(true, false)).unwrap();
    let input = rig.b.find("#file");
    rig.b.send_keys(&input, wrong.to_str().unwrap());
    rig.click("form[action='/teacher/upload'] button[type=submit]");
    rig.b.wait_for("#sheet", 50);
    let marked = rig.b.script(
        "return [...document.querySelectorAll('#sheet td.bad')].map(td => \
           document.querySelectorAll('#sheet thead th')[td.cellIndex].textContent);",
    );
    let columns: Vec<&str> = BROKEN.iter().map(|(_, column, _, _)| *column).collect();
    assert_eq!(marked, json!(columns), "exactly the three wrong cells");
    rig.check("teacher-report");

    // One fixed in the form …
    rig.click("#sheet tbody tr.refused form.fix button");
    rig.b.wait_for("form.row-form", 50);
    let field = rig
        .b
        .script("return document.querySelector('.field.bad input:not([type=hidden])').id;");
    rig.fill(&format!("#{}", field.as_str().unwrap()), "10");
    rig.click("form.row-form button[type=submit]");
    rig.wait_path(CLASS_PAGE);
    assert!(rig.text("main .notice").contains(NAMES[0]));

    // … the others by dropping the corrected file on the upload box (the page's script puts
    // a dropped file into the form's file input).
    rig.open("/teacher");
    let corrected = String::from_utf8(class_csv(false, false)).unwrap();
    rig.b.script(&format!(
        "const dt = new DataTransfer(); \
         dt.items.add(new File([{}], 'lop-5A-da-sua.csv', {{type: 'text/csv'}})); \
         document.querySelector('.dropzone').dispatchEvent(\
           new DragEvent('drop', {{dataTransfer: dt, bubbles: true, cancelable: true}}));",
        json!(corrected)
    ));
    assert_eq!(
        rig.b
            .script("return document.querySelector('#file').files[0].name;"),
        json!("lop-5A-da-sua.csv"),
        "the dropped file is in the form"
    );
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
    // A fifth pupil whose ID number disagrees with her gender: a warning to confirm, so the
    // record is held back.
    let fifth = rig.app.dir.join("hoc-sinh-moi.csv");
    std::fs::write(&fifth, pupil_with_mismatched_id()).unwrap();
    rig.open("/teacher");
    let input = rig.b.find("#file");
    rig.b.send_keys(&input, fifth.to_str().unwrap());
    rig.click("form[action='/teacher/upload'] button[type=submit]");
    rig.b.wait_for("#sheet", 50);

    rig.open(CLASS_PAGE);
    rig.click("form[action$='/validate'] button[type=submit]");
    rig.b.wait_for("#validation", 50);
    assert_eq!(rig.text("#validated"), "4");
    assert_eq!(rig.text("#drafts"), "1");
    rig.check("teacher-validated");

    // The teacher may not sign: a 403 page, even with a valid form token.
    let teacher = Session::sign_in(&addr, "gv.flow");
    let csrf = teacher.csrf(CLASS_PAGE);
    let denied = teacher.post(
        "/school/sign",
        &format!("_csrf={csrf}&year=2025-2026&class=5A&nonce=flow-1"),
    );
    assert_eq!(denied.status, 403);
    assert!(denied.text().contains("Không có quyền"));
    // The error page keeps the teacher's header: who is signed in, the menu, sign-out.
    assert!(denied.text().contains("Quách Thị Hồng Nhung"));
    assert!(denied.text().contains("action=\"/sign-out\""));
    rig.sign_out();

    // The principal signs the class: the progress reaches 100 %, the ZIP's PDFs verify.
    rig.sign_in("ht.flow");
    rig.wait_path("/school");
    assert_eq!(count(&rig.b.source(), "validated"), 4);
    rig.open("/school/classes/2025-2026/5A");
    rig.click("form.sign button[type=submit]");
    rig.wait_path("/school/batches/");
    rig.b.wait_for("#batch-done", 100);
    let bar = rig.b.find("#batch progress");
    assert_eq!(rig.b.attribute(&bar, "value").as_deref(), Some("100"));
    rig.check("principal-batch");
    let zip_href = rig.b.attribute(&rig.b.find("#zip"), "href").unwrap();
    let principal = Session::sign_in(&addr, "ht.flow");
    let zip = principal.get(&zip_href[zip_href.find("/school/").unwrap()..]);
    assert_eq!(zip.status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.clone())).unwrap();
    assert_eq!(
        archive.len(),
        4,
        "the four validated records, not the held one"
    );
    let verify = hocba_verify();
    let dir = rig.app.dir.join("zip");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..archive.len() {
        let path = dir.join(format!("{i}.pdf"));
        let mut out = std::fs::File::create(&path).unwrap();
        std::io::copy(&mut archive.by_index(i).unwrap(), &mut out).unwrap();
        let v = Command::new(&verify)
            .args(["--online", &format!("http://{addr}"), "--cache-dir"])
            .arg(dir.join("cache"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    }

    // Another school's principal sees neither the class nor can sign it with their cookie.
    let other_link = create_http(
        &department,
        "Nguyễn Thị Hoa",
        "ht.other",
        "principal",
        "school_code=79000701",
    );
    set_password_http(&addr, &other_link);
    let other = Session::sign_in(&addr, "ht.other");
    let hidden = other.get("/school/classes/2025-2026/5A");
    assert_eq!(hidden.status, 404);
    assert!(
        hidden.text().contains("Nguyễn Thị Hoa"),
        "the header of who asked"
    );
    assert!(
        hidden
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    );
    let csrf = other.csrf("/school");
    let elsewhere = other.post(
        "/school/sign",
        &format!("_csrf={csrf}&year=2025-2026&class=5A&nonce=flow-2"),
    );
    assert!(
        elsewhere.status == 404 || elsewhere.status == 409,
        "{}",
        elsewhere.status
    );
    assert_eq!(count(&principal.get("/school").text(), "signed"), 4);
    // A form without its token is refused and does nothing.
    let no_token = principal.post("/school/sign", "year=2025-2026&class=5A&nonce=flow-3");
    assert_eq!(no_token.status, 403);
    assert!(no_token.text().contains("Biểu mẫu đã hết hạn"));

    // The Department sees the school's rate change and what holds the fifth record back.
    let page = department.get("/authority").text();
    assert_eq!(
        figures(&page, &row),
        json!({"expected": 5, "signed": 4, "held": 1, "refused": 0})
    );
    assert!(page.contains("80,00 %"), "the rate 4 / 5");
    rig.sign_out();
    rig.sign_in("authority");
    rig.wait_path("/authority");
    rig.check("authority-province");
    rig.sign_out();

    // The family of the first pupil: a share code for the portal; after the portal redeems
    // it, the use is listed with the portal's name.
    rig.sign_in("ht.flow");
    let guardian_link = rig.create_account(
        "Hà Văn Tuấn",
        "ph.flow",
        "guardian",
        Some(("#pupil", "1715042310")),
    );
    rig.sign_out();
    rig.set_password(&guardian_link);
    rig.sign_in("ph.flow");
    rig.wait_path("/family");
    assert!(rig.text("main .lead").contains(NAMES[0]));
    rig.open("/family/shares");
    rig.fill("#purpose", "Tuyển sinh lớp 6 năm học 2026-2027");
    rig.fill("#days", "30");
    rig.b.script(&format!(
        "var s = document.querySelector('#portal'); \
         s.value = [...s.options].find(o => o.text === {}).value;",
        json!(PORTAL)
    ));
    rig.click("form[action='/family/shares'] button[type=submit]");
    let code = rig.text("#share-code");
    set_password_http(&addr, &portal_link);
    let portal = token_of(&Session::sign_in(&addr, "cong.flow"));
    let redeemed = hocba_test_support::http::request(
        &addr,
        "POST",
        "/api/v1/shares/redeem",
        &[
            ("Authorization", &format!("Bearer {portal}")),
            ("Content-Type", "application/json"),
        ],
        json!({ "code": code }).to_string().as_bytes(),
    );
    assert_eq!(redeemed.status, 200, "{}", redeemed.text());
    rig.open("/family/shares");
    let uses = rig.text("section.family-share table.family-uses tbody");
    assert!(uses.contains(PORTAL), "{uses}");
    rig.check("family-shares");
    rig.check_on_phone("ph.flow", &["/family", "/family/shares"]);
}
