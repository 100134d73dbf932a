//! A real browser on the real service: `hocba-verify serve` on an offline bundle, and Debian's
//! headless Chromium driven through W3C WebDriver (`chromedriver`), spoken here over plain
//! HTTP/1.1 on loopback. The browser opens the QR URL of a valid record and sees the valid
//! verdict (Vietnamese, then English with `?lang=en`), the QR URL of a revoked record, and
//! uploads the revoked record's credential through the upload form and sees it revoked, with
//! the date and reason the school published.
//!
//! Without `chromium` or `chromedriver` on the PATH the test says so and passes, unless `CI`
//! is set: then a missing browser is a failure (`.ci/run` installs both).
#![allow(clippy::unwrap_used, missing_docs, unreachable_pub)]

#[allow(dead_code)]
mod pages_support;

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::thread::sleep;
use std::time::Duration as StdDuration;

use pages_support::*;
use serde_json::{Value, json};
use time::macros::datetime;

/// The time the server judges at (`serve --at`), so the fixtures' dates are current for it.
const AT: &str = "2026-06-01T00:00:00Z";
/// Index of the valid record and of the revoked one in school A's status list.
const VALID_INDEX: u64 = 4242;
const REVOKED_INDEX: u64 = 90_017;
/// The W3C WebDriver element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The phone screen's width in CSS pixels.
const PHONE_WIDTH: u64 = 360;
const REASON: &str = "Sai điểm kiểm tra môn Toán; đã cấp lại hồ sơ mới";

/// The first file called `name` on the PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends, however it ends.
struct Process {
    child: Child,
    what: &'static str,
    log: PathBuf,
}

impl Process {
    fn spawn(what: &'static str, command: &mut Command, log: PathBuf) -> Self {
        let out = fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Self { child, what, log }
    }

    /// Panic with the process's output if it has exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited ({status}):\n{}",
                self.what,
                fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection; returns the status and the body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(StdDuration::from_secs(180)))
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream.flush().unwrap();
    // Read the head, then exactly Content-Length bytes (a server may keep the connection
    // open despite `Connection: close`), or chunks, or to the end.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the response head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
    };
    let mut body = raw[head_end..].to_vec();
    if let Some(len) = header("content-length:").and_then(|v| v.parse::<usize>().ok()) {
        while body.len() < len {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "connection closed before the whole body");
            body.extend_from_slice(&buf[..n]);
        }
        body.truncate(len);
    } else {
        stream.read_to_end(&mut body).unwrap();
        if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
            body = dechunk(&body);
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..at]).trim().to_owned();
        let n = usize::from_str_radix(&size, 16).unwrap_or(0);
        let after = &rest[at + 2..];
        if n == 0 || after.len() < n {
            break;
        }
        out.extend_from_slice(&after[..n]);
        rest = after[n..].strip_prefix(b"\r\n").unwrap_or(&after[n..]);
    }
    out
}

/// Wait (polling, up to `tries` × 100 ms) until `ready` says yes.
fn wait_for(what: &str, tries: u32, process: &mut Process, mut ready: impl FnMut() -> bool) {
    for _ in 0..tries {
        process.assert_running();
        if ready() {
            return;
        }
        sleep(StdDuration::from_millis(100));
    }
    panic!(
        "{what} did not become ready:\n{}",
        fs::read_to_string(&process.log).unwrap_or_default()
    );
}

fn answers(port: u16, path: &str) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok() && http(port, "GET", path, None).0 == 200
}

/// A WebDriver session; deleted (closing the browser) when dropped.
struct Session {
    port: u16,
    id: String,
    /// The browser's profile, removed with the session (Chromium would leave one per run in
    /// /tmp otherwise).
    _profile: tempfile::TempDir,
}

impl Session {
    fn new(port: u16, chromium: &Path) -> Self {
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--disable-background-networking",
                         "--window-size=390,844",
                         format!("--user-data-dir={}", profile.path().display())],
                // A desktop window is at least 500 px wide: emulate the narrowest common
                // phone screen (360 CSS px), touch and mobile viewport rules included.
                "mobileEmulation": {"deviceMetrics": {
                    "width": PHONE_WIDTH, "height": 780, "pixelRatio": 3.0,
                    "touch": true, "mobile": true
                }}
            }
        }}});
        let (status, body) = http(port, "POST", "/session", Some(&caps));
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert_eq!(status, 200, "new session: {body}");
        let id = v["value"]["sessionId"].as_str().unwrap().to_owned();
        Self {
            port,
            id,
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        match self.try_call(method, path, body) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let path = format!("/session/{}{path}", self.id);
        let (status, text) = http(self.port, method, &path, body.as_ref());
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status == 200 {
            Ok(v["value"].clone())
        } else {
            Err(format!(
                "{method} {path}: {status} {}",
                v["value"]["message"]
            ))
        }
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("find {css}: {v}"))
            .to_owned()
    }

    fn attribute(&self, element: &str, name: &str) -> Option<String> {
        self.call("GET", &format!("/element/{element}/attribute/{name}"), None)
            .as_str()
            .map(str::to_owned)
    }

    fn text(&self, element: &str) -> String {
        self.call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// The verdict banner: `data-verdict` and its visible text (waiting up to 10 s for a
    /// page with one, e.g. after a form was submitted).
    fn verdict(&self) -> (String, String) {
        let query = json!({"using": "css selector", "value": "#verdict"});
        let mut found = None;
        for _ in 0..100 {
            if let Ok(v) = self.try_call("POST", "/element", Some(query.clone())) {
                found = v[ELEMENT].as_str().map(str::to_owned);
                break;
            }
            sleep(StdDuration::from_millis(100));
        }
        let Some(banner) = found else {
            let url = self.call("GET", "/url", None);
            let source = self.call("GET", "/source", None);
            panic!(
                "no #verdict on {url}:\n{}",
                source.as_str().unwrap_or_default()
            );
        };
        (
            self.attribute(&banner, "data-verdict").unwrap_or_default(),
            self.text(&banner),
        )
    }

    /// With `HOCBA_SCREENSHOTS=DIR`, save what the browser shows as `DIR/<name>.png` (to look
    /// at the pages; nothing is checked).
    fn screenshot(&self, name: &str) {
        use base64::Engine;
        let Some(dir) = std::env::var_os("HOCBA_SCREENSHOTS") else {
            return;
        };
        let png = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        fs::create_dir_all(&dir).unwrap();
        fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }

    /// What a phone user would notice: the page wider than the screen, or anything loaded
    /// besides the page itself.
    fn assert_fits_and_loads_nothing(&self) {
        let v = self.script(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             performance.getEntriesByType('resource').length, document.styleSheets.length];",
        );
        let (scroll, inner) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
        assert_eq!(inner, PHONE_WIDTH, "viewport width");
        assert!(
            scroll <= inner,
            "page is {scroll} px wide in a {inner} px window"
        );
        assert_eq!(v[2], 0, "the page loaded other resources");
        assert_eq!(v[3], 1, "one inline style sheet");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

/// The bundle, the authority key and the two credentials (`valid.json`, `revoked.json`) in a
/// fresh directory; returns the two QR texts and the revoked credential's path.
fn setup(dir: &Path, w: &World) -> (String, String, PathBuf) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).unwrap();
    let valid = w.credential(PRIMARY_GRADE5, SCHOOL_A, 11, VALID_INDEX, |_| {});
    let revoked = w.credential(PRIMARY_GRADE5, SCHOOL_A, 12, REVOKED_INDEX, |r| {
        r["student"]["fullName"] = "Lò Văn Pháo".into();
    });
    let list = w.status_list(SCHOOL_A, &[(REVOKED_INDEX as usize, REASON)]);
    fs::write(dir.join("bundle.json"), bytes(&w.bundle(&[list]))).unwrap();
    fs::write(dir.join("authority.pub.pem"), authority_pem()).unwrap();
    fs::write(dir.join("valid.json"), bytes(&valid)).unwrap();
    let revoked_file = dir.join("revoked.json");
    fs::write(&revoked_file, bytes(&revoked)).unwrap();
    (
        w.qr_text(&valid, &SCHOOL_A.key()),
        w.qr_text(&revoked, &SCHOOL_A.key()),
        revoked_file,
    )
}

/// Server, chromedriver and a browser session for one test (`None`: no browser here, and not
/// in CI). Fields drop in order: the session (closing the browser), then the processes.
struct Rig {
    browser: Session,
    _driver: Process,
    server: Process,
    base: String,
    valid_qr: String,
    revoked_qr: String,
    revoked_file: PathBuf,
    /// One browser at a time (CI has two cores and runs other tests beside these).
    _one_at_a_time: MutexGuard<'static, ()>,
}

static ONE_BROWSER: Mutex<()> = Mutex::new(());

impl Rig {
    fn start(test: &str) -> Option<Rig> {
        let (Some(chromium), Some(chromedriver)) = (on_path("chromium"), on_path("chromedriver"))
        else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but chromium or chromedriver is missing \
                 (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "SKIPPED {test}: the real-browser test needs chromium and chromedriver on the \
                 PATH (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let one_at_a_time = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("hocba-browser")
            .join(test);
        let w = World::at(datetime!(2026-06-01 00:00 UTC));
        let (valid_qr, revoked_qr, revoked_file) = setup(&dir, &w);

        let port = free_port();
        let mut server = Process::spawn(
            "hocba-verify serve",
            Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
                .current_dir(&dir)
                .args(["serve", "--bundle", "bundle.json"])
                .args(["--authority", "authority.pub.pem"])
                .args(["--listen", &format!("127.0.0.1:{port}"), "--at", AT]),
            dir.join("server.log"),
        );
        wait_for("the verifier", 300, &mut server, || {
            answers(port, "/upload")
        });

        let driver_port = free_port();
        let mut driver = Process::spawn(
            "chromedriver",
            Command::new(&chromedriver).args([format!("--port={driver_port}")]),
            dir.join("chromedriver.log"),
        );
        wait_for("chromedriver", 300, &mut driver, || {
            TcpStream::connect(("127.0.0.1", driver_port)).is_ok()
                && serde_json::from_str::<Value>(&http(driver_port, "GET", "/status", None).1)
                    .is_ok_and(|v| v["value"]["ready"] == true)
        });
        Some(Rig {
            browser: Session::new(driver_port, &chromium),
            _driver: driver,
            server,
            base: format!("http://127.0.0.1:{port}"),
            valid_qr,
            revoked_qr,
            revoked_file,
            _one_at_a_time: one_at_a_time,
        })
    }

    /// Open `path` (with its query) on the verifier.
    fn open(&self, path: &str) {
        self.browser.open(&format!("{}{path}", self.base));
    }
}

#[test]
fn a_phone_opens_a_valid_records_qr_url_and_sees_it_valid_in_both_languages() {
    let Some(mut rig) = Rig::start("valid-qr") else {
        return;
    };
    let b = &rig.browser;
    // The QR text's prefix is the issuer's; the path is what the phone opens here.
    let path = qr_path(&rig.valid_qr);
    rig.open(&path);
    let (verdict, text) = b.verdict();
    assert_eq!(verdict, "valid", "{text}");
    assert!(text.contains("Hợp lệ"), "{text}");
    assert!(text.contains("Trường Tiểu học Lê Văn Tám"), "{text}");
    let name = b.find("#pupil-name");
    assert_eq!(b.text(&name), "Đinh Thị Ngọc Ánh");
    // The service holds the school's status list: revocation was checked, not just the QR.
    let status = b.find("#checks li[data-check=status]");
    assert_eq!(
        b.attribute(&status, "data-outcome").as_deref(),
        Some("passed")
    );
    b.assert_fits_and_loads_nothing();
    b.screenshot("qr-valid-vi");

    // The language switch is a link to the same page in English.
    let switch = b.find("#lang-switch");
    b.call("POST", &format!("/element/{switch}/click"), Some(json!({})));
    assert_eq!(
        b.call("GET", "/url", None),
        format!("{}{path}?lang=en", rig.base)
    );
    let (verdict, text) = b.verdict();
    assert_eq!(verdict, "valid");
    assert!(text.contains("Valid"), "{text}");
    assert!(!text.contains("Hợp lệ"), "{text}");
    b.assert_fits_and_loads_nothing();
    b.screenshot("qr-valid-en");
    // Lower-case `/v/` works as well.
    rig.open(&format!("{}?lang=en", path.replace("/V/", "/v/")));
    assert_eq!(b.verdict().0, "valid");
    rig.server.assert_running();
}

#[test]
fn uploaded_credentials_show_the_record_or_that_it_was_revoked() {
    let Some(mut rig) = Rig::start("upload") else {
        return;
    };
    let b = &rig.browser;
    let upload = |file: &Path| {
        rig.open("/upload");
        let input = b.find("#upload-file input[type=file]");
        b.call(
            "POST",
            &format!("/element/{input}/value"),
            Some(json!({"text": file.to_string_lossy()})),
        );
        let submit = b.find("#upload-file button");
        b.call("POST", &format!("/element/{submit}/click"), Some(json!({})));
    };
    // The valid record, with its results table: the table scrolls inside its card, the page
    // stays as wide as the phone.
    upload(&rig.revoked_file.with_file_name("valid.json"));
    let (verdict, text) = b.verdict();
    assert_eq!(verdict, "valid", "{text}");
    assert!(text.contains("Hợp lệ"), "{text}");
    let table = b.find("#subjects");
    assert!(b.text(&table).contains("Tiếng Việt"));
    b.assert_fits_and_loads_nothing();
    b.screenshot("upload-valid-vi");
    b.script("document.getElementById('subjects').scrollIntoView(); return 0;");
    b.screenshot("upload-valid-table-vi");
    b.script("document.getElementById('checks').scrollIntoView(); return 0;");
    b.screenshot("upload-valid-checks-vi");

    upload(&rig.revoked_file);
    let (verdict, text) = b.verdict();
    assert_eq!(verdict, "revoked", "{text}");
    assert!(text.contains("Đã thu hồi"), "{text}");
    assert!(
        text.contains(&format!("Thu hồi ngày 31/05/2026 — lý do: {REASON}")),
        "{text}"
    );
    b.assert_fits_and_loads_nothing();
    b.screenshot("upload-revoked-vi");
    rig.open("/upload");
    b.screenshot("upload-form-vi");
    rig.server.assert_running();
}

#[test]
fn a_revoked_records_qr_url_shows_revoked() {
    let Some(mut rig) = Rig::start("revoked-qr") else {
        return;
    };
    let b = &rig.browser;
    let path = qr_path(&rig.revoked_qr);
    rig.open(&path);
    b.screenshot("qr-revoked-vi");
    let (verdict, text) = b.verdict();
    assert_eq!(verdict, "revoked", "{text}");
    assert!(text.contains("Đã thu hồi"), "{text}");
    assert!(
        text.contains(&format!("Thu hồi ngày 31/05/2026 — lý do: {REASON}")),
        "{text}"
    );
    b.assert_fits_and_loads_nothing();
    rig.open(&format!("{path}?lang=en"));
    let (verdict, text) = b.verdict();
    assert_eq!(verdict, "revoked", "{text}");
    assert!(text.contains("Revoked"), "{text}");
    assert!(
        text.contains(&format!("Revoked on 2026-05-31 — reason: {REASON}")),
        "{text}"
    );
    rig.server.assert_running();
}
