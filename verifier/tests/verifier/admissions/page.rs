//! The admissions officer's page in a real Chromium (headless, a 360 px phone screen), on
//! `hocba-verify serve --bundle`: a ZIP of PDFs (one folder per candidate, and `ID_` file
//! names) and a pasted line are scored; the ranked table, the refusals with their reasons and
//! the XLSX download are there; the page fits the screen, loads nothing from elsewhere and
//! switches to English.
//!
//! Without `chromium` or `chromedriver` the test says so and passes, unless `CI` is set.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use hocba_test_support::browser::{Browser, chromium_and_driver};
use hocba_test_support::server::Server;
use serde_json::json;

use super::world::*;
use crate::hostile::craft::{Tree, with_files};
use crate::support::*;

const AT: &str = "2026-06-01T00:00:00Z";

fn pdf_of(credential: &serde_json::Value) -> Vec<u8> {
    with_files(
        &[("hocba-credential.json", &bytes(credential))],
        Tree::OneNode,
    )
}

/// Lan in her folder, Minh as `HS-MINH_…` files, and HS-MIX with another pupil's grade 11.
fn zip_of_pdfs() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let [l10, l11, l12] = lan();
        let [m10, m11, m12] = minh();
        let files = [
            ("HS-LAN/lop10.pdf", &l10),
            ("HS-LAN/lop11.pdf", &l11),
            ("HS-LAN/lop12.pdf", &l12),
            ("HS-MINH_lop10.pdf", &m10),
            ("HS-MINH_lop11.pdf", &m11),
            ("HS-MINH_lop12.pdf", &m12),
            ("HS-MIX/lop10.pdf", &l10),
            ("HS-MIX/lop11.pdf", &m11),
            ("HS-MIX/lop12.pdf", &l12),
        ];
        for (name, c) in files {
            zip.start_file(name, stored).unwrap();
            zip.write_all(&pdf_of(c)).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// `GET path` on the server: (status line, headers, body).
fn http_get(addr: &str, path: &str) -> (String, String, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let status = head.lines().next().unwrap().to_owned();
    (status, head, all[split + 4..].to_vec())
}

fn screenshot(b: &Browser, name: &str) {
    let Some(dir) = std::env::var_os("HOCBA_SCREENSHOTS") else {
        return;
    };
    fs::create_dir_all(&dir).unwrap();
    fs::write(Path::new(&dir).join(format!("{name}.png")), b.screenshot()).unwrap();
}

fn fits_and_loads_nothing(b: &Browser) {
    let v = b.script(
        "return [document.documentElement.scrollWidth, window.innerWidth, \
         performance.getEntriesByType('resource').length];",
    );
    assert!(
        v[0].as_u64() <= v[1].as_u64(),
        "page wider than the screen: {v}"
    );
    assert_eq!(v[2], 0, "the page loaded other resources");
}

#[test]
fn the_officer_uploads_a_zip_and_gets_the_ranked_table_and_the_xlsx() {
    let Some((chromium, chromedriver)) = chromium_and_driver() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing"
        );
        eprintln!("SKIPPED: needs chromium and chromedriver on the PATH");
        return;
    };
    let _one = crate::browser::one_browser();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hocba-admissions-page");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("bundle.json"), bundle()).unwrap();
    fs::write(
        dir.join("authority.pub.pem"),
        authority_key()
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    let zip_path = dir.join("hoc-ba.zip");
    fs::write(&zip_path, zip_of_pdfs()).unwrap();
    let mut server = Server::start(
        Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
            .current_dir(&dir)
            .args(["serve", "--bundle", "bundle.json"])
            .args(["--authority", "authority.pub.pem"])
            .args(["--listen", "127.0.0.1:0", "--at", AT]),
    );
    let phone = json!({"mobileEmulation": {"deviceMetrics": {
        "width": 360, "height": 780, "pixelRatio": 3.0, "touch": true, "mobile": true
    }}});
    let b = Browser::start(
        &chromium,
        &chromedriver,
        &dir,
        &["--window-size=390,844"],
        phone.as_object().unwrap().clone(),
    );
    b.open(&server.url("/admissions"));
    let heading = b.find("h1");
    assert_eq!(b.text(&heading), "Xét tuyển bằng học bạ số");
    fits_and_loads_nothing(&b);
    screenshot(&b, "admissions-form-vi");
    let zip = b.find("#zip");
    b.send_keys(&zip, &zip_path.to_string_lossy());
    let lines = b.find("#candidates");
    b.send_keys(&lines, "HS-LAN; ; KV2\nHS-SHARE; ABCD-EFGH-JKLM");
    let submit = b.find("#admissions-form button");
    b.click_to_load(&submit);
    b.wait_for("#ranking", 100);
    // Lan (KV2): A01 and D01 26.62, first; Minh (no priority): B00 = 7 + 7 + 8 = 22.
    let first = b.find("#ranking tbody tr");
    assert_eq!(
        b.attribute(&first, "data-candidate").as_deref(),
        Some("HS-LAN")
    );
    assert_eq!(
        b.attribute(&first, "data-combination").as_deref(),
        Some("A01")
    );
    assert_eq!(b.attribute(&first, "data-total").as_deref(), Some("26.62"));
    assert!(b.text(&first).contains("Đỗ Ngọc Lan"));
    let minh = b.find("#ranking tbody tr[data-candidate=HS-MINH]");
    assert_eq!(b.attribute(&minh, "data-total").as_deref(), Some("22"));
    let mix = b.find("#refused li[data-candidate=HS-MIX]");
    assert_eq!(
        b.attribute(&mix, "data-code").as_deref(),
        Some("pupil_mismatch")
    );
    assert!(b.text(&mix).contains("học sinh khác"), "{}", b.text(&mix));
    let share = b.find("#refused li[data-candidate=HS-SHARE]");
    assert_eq!(
        b.attribute(&share, "data-code").as_deref(),
        Some("share_code_refused")
    );
    // The breakdown of each candidate scored.
    let lan = b.find("details.candidate[data-candidate=HS-LAN]");
    b.click(&b.find("details.candidate[data-candidate=HS-LAN] summary"));
    assert!(
        b.text(&lan).contains("Lớp 12 Cả năm: 9"),
        "{}",
        b.text(&lan)
    );
    fits_and_loads_nothing(&b);
    screenshot(&b, "admissions-result-vi");
    b.script("document.getElementById('refused').scrollIntoView(); return 0;");
    screenshot(&b, "admissions-refused-vi");
    b.script("document.querySelector('details.candidate').scrollIntoView(); return 0;");
    screenshot(&b, "admissions-breakdown-vi");

    // The XLSX of the very table on screen.
    let link = b.find("#download-xlsx");
    let href = b.attribute(&link, "href").unwrap();
    assert!(href.starts_with("admissions/results/"), "{href}");
    let (status, head, body) = http_get(server.addr(), &format!("/{href}"));
    assert!(status.contains("200"), "{status}");
    assert!(head.to_ascii_lowercase().contains(
        "content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ));
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    let mut strings = String::new();
    book.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains("Đỗ Ngọc Lan") && strings.contains("HS-MIX"));
    // An unknown token is a page, not an error body.
    let (status, _, _) = http_get(server.addr(), "/admissions/results/00/xet-tuyen.xlsx");
    assert!(status.contains("404"), "{status}");

    // English.
    b.click_to_load(&b.find("#lang-switch"));
    let heading = b.find("h1");
    assert_eq!(b.text(&heading), "Admission by digital school records");
    fits_and_loads_nothing(&b);
    screenshot(&b, "admissions-form-en");
    server.assert_running();
}
