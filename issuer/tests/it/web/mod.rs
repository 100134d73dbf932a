//! The web app through a real `hocba-issuer serve` on a fresh SQLite file, driven by a real
//! Chromium (Debian's `chromium` + `chromium-driver`, through fantoccini) and, for what a
//! browser would never send (a form without its CSRF token, another school's cookie), by
//! plain HTTP with a session cookie.
//!
//! Shared here: [`WebApp`] (the server and its first-start link), [`Rig`] (a desktop browser
//! at 1280 px, one at a time), [`Session`] (a signed-in HTTP client), and the checks every
//! page gets ([`Rig::check`]: no horizontal scroll, nothing loaded from another origin, a
//! screenshot under `HOCBA_SCREENSHOTS` when set).
//!
//! Modules: `accounts` — first start, sign-in, accounts, tokens, CSRF, sessions; `teacher`,
//! `principal`, `authority`, `family` — each role's pages; `sign_pin` — the principal's sign
//! forms with the PIN field (key on a token); `flow` — one school year across the roles in one
//! browser, as issue #11 tells it.

mod accounts;
mod authority;
mod family;
mod flow;
mod principal;
mod sign_pin;
mod teacher;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use hocba_test_support::browser::{Browser, chromium_and_driver};
use hocba_test_support::files::dev_keys;
use hocba_test_support::http::{Answer, request};
use hocba_test_support::server::Server;
use serde_json::json;

/// A password every test account gets.
pub const PASSWORD: &str = "hoa phượng đỏ sân trường";

/// A running issuer with the web app on a fresh SQLite file, the dev keys and its
/// first-start link.
pub struct WebApp {
    pub server: Server,
    pub dir: PathBuf,
    pub first_link: String,
}

impl WebApp {
    /// Starts `hocba-issuer serve` in a fresh folder `web-<name>` of the test target dir.
    pub fn start(name: &str) -> WebApp {
        Self::start_with(name, |_, _| {})
    }

    /// [`WebApp::start`] with `more` arguments or environment for the server, given its
    /// folder (e.g. `--principal-token` and the token's configuration).
    pub fn start_with(name: &str, more: impl FnOnce(&mut Command, &Path)) -> WebApp {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("web-{name}"));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_hocba-issuer"));
        command
            .current_dir(&dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .arg("--database-url")
            .arg(format!("sqlite://{}/hocba.db", dir.display()))
            .arg("--keys")
            .arg(dev_keys());
        more(&mut command, &dir);
        let server = Server::start(&mut command);
        let first_link = server
            .startup_log()
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("http://")
                    .filter(|l| l.contains("/setup/"))
            })
            .map(|l| format!("http://{l}"))
            .unwrap_or_else(|| panic!("no first-start link in:\n{}", server.startup_log()));
        WebApp {
            server,
            dir,
            first_link,
        }
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// `host:port`.
    pub fn addr(&self) -> &str {
        self.server.addr()
    }
}

static ONE_BROWSER: Mutex<()> = Mutex::new(());

/// A desktop browser (1280 × 900) over a [`WebApp`]; one at a time in this process.
pub struct Rig {
    pub app: WebApp,
    pub b: Browser,
    name: String,
    _one: MutexGuard<'static, ()>,
}

/// Chromium and its driver, or `None` (a skipped test) outside CI.
fn chromium(test: &str) -> Option<(PathBuf, PathBuf)> {
    let found = chromium_and_driver();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium or chromedriver is missing"
        );
        eprintln!("SKIPPED {test}: needs chromium and chromedriver on the PATH");
    }
    found
}

impl Rig {
    /// A fresh issuer and a desktop browser; `None` when there is no Chromium (outside CI).
    pub fn start(name: &str) -> Option<Rig> {
        Self::start_with(name, |_, _| {})
    }

    /// [`Rig::start`] with the server started by [`WebApp::start_with`].
    pub fn start_with(name: &str, more: impl FnOnce(&mut Command, &Path)) -> Option<Rig> {
        let (chromium, driver) = chromium(name)?;
        let one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let app = WebApp::start_with(name, more);
        let b = Browser::start(
            &chromium,
            &driver,
            &app.dir,
            &["--window-size=1280,900"],
            serde_json::Map::new(),
        );
        Some(Rig {
            app,
            b,
            name: name.to_owned(),
            _one: one,
        })
    }

    /// Opens `path` on the issuer.
    pub fn open(&self, path: &str) {
        self.b.open(&self.app.url(path));
    }

    /// The current page's path and query.
    #[allow(dead_code)]
    pub fn path(&self) -> String {
        let url = self.b.url();
        let origin = self.app.url("");
        url.strip_prefix(origin.trim_end_matches('/'))
            .unwrap_or(&url)
            .to_owned()
    }

    /// Fills the field `css` (emptied first) with `text`.
    pub fn fill(&self, css: &str, text: &str) {
        let e = self.b.find(css);
        self.b.script(&format!(
            "document.querySelector({}).value = '';",
            json!(css)
        ));
        self.b.send_keys(&e, text);
    }

    /// Clicks `css`, a link or button that leads to another page, and waits for that page.
    pub fn click(&self, css: &str) {
        let e = self.b.find(css);
        self.b.click_to_load(&e);
    }

    /// Clicks `css`, which stays on the page (an anchor within it, a toggle).
    #[allow(dead_code)]
    pub fn click_in_page(&self, css: &str) {
        let e = self.b.find(css);
        self.b.click(&e);
    }

    /// The visible text of `css`.
    pub fn text(&self, css: &str) -> String {
        let e = self.b.wait_for(css, 50);
        self.b.text(&e)
    }

    /// The checks of every page (module doc); `shot` names the screenshot.
    pub fn check(&self, shot: &str) {
        check_page(&self.b, 1280);
        screenshot(&self.b, &format!("{}-{shot}-1280", self.name));
    }

    /// Sets the password through a one-time link.
    pub fn set_password(&self, link: &str) {
        self.b.open(link);
        self.fill("#password", PASSWORD);
        self.fill("#confirm", PASSWORD);
        self.click("button[type=submit]");
        self.wait_path("/sign-in");
    }

    /// Signs in (from wherever the browser is) and waits for the page after.
    pub fn sign_in(&self, login: &str) {
        self.open("/sign-in");
        self.fill("#login", login);
        self.fill("#password", PASSWORD);
        self.click("button[type=submit]");
        for _ in 0..50 {
            if !self.b.url().contains("/sign-in") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("sign-in of {login} failed:\n{}", self.text("main"));
    }

    /// Signs out through the header's button.
    pub fn sign_out(&self) {
        self.click("header form[action='/sign-out'] button");
        self.wait_path("/sign-in");
    }

    /// Waits (up to 5 s) until the browser's path starts with `prefix`.
    pub fn wait_path(&self, prefix: &str) {
        for _ in 0..50 {
            let url = self.b.url();
            let origin = self.app.url("");
            if url
                .strip_prefix(origin.trim_end_matches('/'))
                .is_some_and(|p| p.starts_with(prefix))
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("still on {} (waiting for {prefix})", self.b.url());
    }

    /// Creates an account on `/accounts` and returns its one-time link.
    pub fn create_account(
        &self,
        name: &str,
        login: &str,
        role: &str,
        extra: Option<(&str, &str)>,
    ) -> String {
        self.open("/accounts");
        self.fill("#display_name", name);
        self.fill("#login", login);
        self.b.script(&format!(
            "document.querySelector('#role').value = {};",
            json!(role)
        ));
        if let Some((css, value)) = extra {
            self.fill(css, value);
        }
        self.click("form[action='/accounts'] button[type=submit]");
        self.text("#setup-link")
    }

    /// The same pages in a phone browser (360 CSS px, touch), signed in as `login`: each
    /// fits without horizontal scrolling and loads nothing from elsewhere.
    pub fn check_on_phone(&self, login: &str, paths: &[&str]) {
        self.check_on_phone_with(login, paths, |_| {});
    }

    /// [`Rig::check_on_phone`], with `more` checks of each page.
    pub fn check_on_phone_with(&self, login: &str, paths: &[&str], more: impl Fn(&Browser)) {
        let Some((chromium, driver)) = chromium(&self.name) else {
            return;
        };
        let phone = json!({"mobileEmulation": {"deviceMetrics": {
            "width": 360, "height": 780, "pixelRatio": 3.0, "touch": true, "mobile": true
        }}});
        let b = Browser::start(
            &chromium,
            &driver,
            &self.app.dir.join("phone"),
            &["--window-size=390,844"],
            phone.as_object().unwrap().clone(),
        );
        let phone = PhoneRig {
            b: &b,
            app: &self.app,
        };
        phone.sign_in(login);
        for path in paths {
            b.open(&self.app.url(path));
            b.wait_for("main h1", 50);
            check_page(&b, 360);
            more(&b);
            screenshot(
                &b,
                &format!(
                    "{}-{}-360",
                    self.name,
                    path.trim_matches('/').replace('/', "_")
                ),
            );
        }
    }
}

struct PhoneRig<'a> {
    b: &'a Browser,
    app: &'a WebApp,
}

impl PhoneRig<'_> {
    fn sign_in(&self, login: &str) {
        self.b.open(&self.app.url("/sign-in"));
        let l = self.b.find("#login");
        self.b.send_keys(&l, login);
        let p = self.b.find("#password");
        self.b.send_keys(&p, PASSWORD);
        let go = self.b.find("button[type=submit]");
        self.b.click_to_load(&go);
        for _ in 0..50 {
            if !self.b.url().contains("/sign-in") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("sign-in of {login} on the phone failed");
    }
}

/// No horizontal scroll at `width`, every resource from this origin, a title and an `<h1>`.
pub fn check_page(b: &Browser, width: u64) {
    let v = b.script(
        "return [document.documentElement.scrollWidth, window.innerWidth, \
         performance.getEntriesByType('resource').map(e => e.name) \
           .filter(n => !n.startsWith(location.origin)), document.title, \
         document.querySelectorAll('main h1').length];",
    );
    let (scroll, inner) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert_eq!(inner, width, "viewport width on {}", b.url());
    assert!(
        scroll <= inner,
        "{} is {scroll} px wide in a {inner} px window",
        b.url()
    );
    assert_eq!(v[2], json!([]), "loaded from another origin on {}", b.url());
    assert!(
        !v[3].as_str().unwrap_or("").is_empty(),
        "no title on {}",
        b.url()
    );
    assert_eq!(v[4], 1, "one <h1> on {}", b.url());
}

/// Saves what the browser shows under `HOCBA_SCREENSHOTS`, when set.
pub fn screenshot(b: &Browser, name: &str) {
    let Some(dir) = std::env::var_os("HOCBA_SCREENSHOTS") else {
        return;
    };
    fs::create_dir_all(&dir).unwrap();
    fs::write(Path::new(&dir).join(format!("{name}.png")), b.screenshot()).unwrap();
}

/// A signed-in HTTP client: what a browser sends, and what it never would.
pub struct Session {
    addr: String,
    pub cookie: String,
}

/// The value of `name="…" value="…"` hidden input `_csrf` in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with _csrf");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The value of cookie `name` set by an answer.
pub fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| v.trim().strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

impl Session {
    /// Signs in `login` with [`PASSWORD`] through the sign-in form.
    pub fn sign_in(addr: &str, login: &str) -> Session {
        Self::sign_in_to(addr, login, "/").0
    }

    /// Signs in from the sign-in page that `next` sent to; also returns where the answer
    /// goes.
    pub fn sign_in_to(addr: &str, login: &str, next: &str) -> (Session, String) {
        let form = request(addr, "GET", "/sign-in", &[], b"");
        let form_cookie = set_cookie(&form, "hocba_form").expect("a form cookie");
        let body = format!(
            "_csrf={}&login={login}&password={}&next={}",
            csrf_of(&form.text()),
            urlencode(PASSWORD),
            urlencode(next)
        );
        let answer = request(
            addr,
            "POST",
            "/sign-in",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &format!("hocba_form={form_cookie}")),
            ],
            body.as_bytes(),
        );
        assert_eq!(answer.status, 303, "{}", answer.text());
        let session = set_cookie(&answer, "hocba_session").expect("a session cookie");
        let location = answer.header("location").unwrap_or("").to_owned();
        (
            Session {
                addr: addr.to_owned(),
                cookie: format!("hocba_session={session}"),
            },
            location,
        )
    }

    /// `GET path` as this person (HTML asked for).
    pub fn get(&self, path: &str) -> Answer {
        request(
            &self.addr,
            "GET",
            path,
            &[("Cookie", &self.cookie), ("Accept", "text/html")],
            b"",
        )
    }

    /// `POST path` with a form body as this person.
    pub fn post(&self, path: &str, body: &str) -> Answer {
        request(
            &self.addr,
            "POST",
            path,
            &[
                ("Cookie", &self.cookie),
                ("Accept", "text/html"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    }

    /// The CSRF token of this session's forms (read from `page`).
    pub fn csrf(&self, page: &str) -> String {
        csrf_of(&self.get(page).text())
    }
}

/// Percent-encoding of a form value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sets a password through a one-time link with plain HTTP.
pub fn set_password_http(addr: &str, link: &str) {
    let path = &link[link.find("/setup/").unwrap()..];
    let form = request(addr, "GET", path, &[], b"");
    assert_eq!(form.status, 200, "{}", form.text());
    let cookie = set_cookie(&form, "hocba_form").unwrap();
    let body = format!(
        "_csrf={}&password={p}&confirm={p}",
        csrf_of(&form.text()),
        p = urlencode(PASSWORD)
    );
    let done = request(
        addr,
        "POST",
        path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &format!("hocba_form={cookie}")),
        ],
        body.as_bytes(),
    );
    assert_eq!(done.status, 303, "{}", done.text());
}

/// Creates an account through the form; returns its link.
pub fn create_http(s: &Session, name: &str, login: &str, role: &str, extra: &str) -> String {
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
    html[at..at + html[at..].find('<').unwrap()].to_owned()
}
