//! A headless Chromium driven through ChromeDriver with [`fantoccini`] (W3C WebDriver, plain
//! HTTP on loopback: no TLS stack), wrapped in a blocking API so a `#[test]` reads top to
//! bottom. The browser and its driver end when the [`Browser`] is dropped, the profile
//! directory with them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value, json};

/// The first file called `name` on the PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `chromium` and `chromedriver` from the PATH, when both are there.
pub fn chromium_and_driver() -> Option<(PathBuf, PathBuf)> {
    Some((on_path("chromium")?, on_path("chromedriver")?))
}

/// A free loopback port (free when asked; the caller binds it soon after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A browser session: Chromium under ChromeDriver.
pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    driver_log: PathBuf,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `chromedriver` (its log in `log_dir/chromedriver.log`) and a headless `chromium`
    /// with `args` added to its command line and `chrome_options` merged into
    /// `goog:chromeOptions` (e.g. `mobileEmulation`).
    pub fn start(
        chromium: &Path,
        chromedriver: &Path,
        log_dir: &Path,
        args: &[&str],
        chrome_options: Map<String, Value>,
    ) -> Browser {
        fs::create_dir_all(log_dir).unwrap();
        let driver_log = log_dir.join("chromedriver.log");
        let out = fs::File::create(&driver_log).unwrap();
        let port = free_port();
        // One temporary folder holds the profile and Chromium's own temporary files (its
        // `org.chromium.Chromium.scoped_dir.*`), so nothing of the browser outlives the test.
        let profile = tempfile::tempdir().unwrap();
        let scratch = profile.path().join("tmp");
        fs::create_dir_all(&scratch).unwrap();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &scratch)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut browser = Browser {
            rt,
            client: None,
            driver,
            driver_log,
            _profile: profile,
        };
        browser.wait_for_driver(port);

        let mut all_args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            format!(
                "--user-data-dir={}",
                browser._profile.path().join("profile").display()
            ),
        ];
        all_args.extend(args.iter().map(|a| (*a).to_owned()));
        let mut options = chrome_options;
        options.insert("binary".into(), json!(chromium.to_string_lossy()));
        options.insert("args".into(), json!(all_args));
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), Value::Object(options));
        let connect = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await_in(&browser.rt);
        match connect {
            Ok(client) => browser.client = Some(client),
            Err(e) => panic!("new session: {e}\n{}", browser.driver_log()),
        }
        browser
    }

    fn wait_for_driver(&mut self, port: u16) {
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..300 {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!("chromedriver exited ({status}):\n{}", self.driver_log());
            }
            if std::net::TcpStream::connect(&addr).is_ok()
                && crate::http::get(&addr, "/status").json()["value"]["ready"] == true
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not become ready:\n{}", self.driver_log());
    }

    fn driver_log(&self) -> String {
        fs::read_to_string(&self.driver_log).unwrap_or_default()
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    /// Opens `url`.
    pub fn open(&self, url: &str) {
        self.client()
            .goto(url)
            .await_in(&self.rt)
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.client()
            .current_url()
            .await_in(&self.rt)
            .unwrap()
            .to_string()
    }

    /// The page's source.
    pub fn source(&self) -> String {
        self.client().source().await_in(&self.rt).unwrap()
    }

    /// The first element matching `css`, if any.
    pub fn try_find(&self, css: &str) -> Option<Element> {
        self.client()
            .find(Locator::Css(css))
            .await_in(&self.rt)
            .ok()
    }

    /// The first element matching `css`; panics with the page's URL when there is none.
    pub fn find(&self, css: &str) -> Element {
        self.try_find(css)
            .unwrap_or_else(|| panic!("no {css} on {}", self.url()))
    }

    /// The element matching `css`, waiting up to `tries` × 100 ms for a page that has one
    /// (e.g. after a form was submitted).
    pub fn wait_for(&self, css: &str, tries: u32) -> Element {
        for _ in 0..tries {
            if let Some(found) = self.try_find(css) {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no {css} on {}:\n{}", self.url(), self.source());
    }

    /// An element's visible text.
    pub fn text(&self, element: &Element) -> String {
        element.text().await_in(&self.rt).unwrap()
    }

    /// An element's attribute.
    pub fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        element.attr(name).await_in(&self.rt).unwrap()
    }

    /// Clicks an element.
    pub fn click(&self, element: &Element) {
        element.click().await_in(&self.rt).unwrap();
    }

    /// Clicks an element that leads to another page (a link, a form's button) and waits,
    /// up to 10 s, until the browser holds the new page, fully loaded. Without the wait a
    /// test may read the old page, or an element of it that is gone a moment later.
    pub fn click_to_load(&self, element: &Element) {
        // A mark on the current page's `window`; a new page does not have it.
        let _ = self
            .client()
            .execute("window.__hocbaOldPage = true; return 0;", Vec::new())
            .await_in(&self.rt);
        self.click(element);
        for _ in 0..100 {
            let loaded = self
                .client()
                .execute(
                    "return window.__hocbaOldPage === undefined && document.readyState === 'complete';",
                    Vec::new(),
                )
                .await_in(&self.rt);
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the click did not lead to a new page: still on {}",
            self.url()
        );
    }

    /// Types `text` into an element (for a file input: the file's path).
    pub fn send_keys(&self, element: &Element, text: &str) {
        element.send_keys(text).await_in(&self.rt).unwrap();
    }

    /// Runs `script` in the page; what it returns.
    pub fn script(&self, script: &str) -> Value {
        self.client()
            .execute(script, Vec::new())
            .await_in(&self.rt)
            .unwrap()
    }

    /// What the browser shows, as PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        self.client().screenshot().await_in(&self.rt).unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await_in(&self.rt);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `future.await_in(&rt)`: runs a future to completion on the browser's runtime.
trait AwaitIn: std::future::Future + Sized {
    fn await_in(self, rt: &tokio::runtime::Runtime) -> Self::Output {
        rt.block_on(self)
    }
}

impl<F: std::future::Future> AwaitIn for F {}
