//! The principal's sign forms when the principal's key is on a token (`serve
//! --principal-token`, SoftHSM2 tokens made by `keys/dev/softhsm/load.sh … principals`): a
//! class's row on the overview, "sign the whole school" and the class page each ask for "Mã
//! PIN chữ ký số của Hiệu trưởng". In a 1280 px window and on a 360 px phone, every form's
//! label, PIN field and button lie inside the window, the field is wide enough for a PIN, and
//! the label is whole (not clipped); a Vietnamese page shows no English label. Under
//! `HOCBA_SCREENSHOTS` each page is saved as `sign-pin-<page>-<width>.png`.

use std::process::Command;

use hocba_test_support::browser::Browser;
use serde_json::Value;

use super::principal::{CLASS, YEAR, principal_with_class};
use super::{Rig, screenshot};
use crate::token::{MODULE, root};

const LABEL_VI: &str = "Mã PIN chữ ký số của Hiệu trưởng";
const LABEL_EN: &str = "The principal's signing PIN";

/// Each sign form of the page: its PIN label's text, whether its label, field and button are
/// inside the window, the field's width, and whether the label's text is clipped.
fn sign_forms(b: &Browser) -> Vec<Value> {
    let v = b.script(
        "const w = window.innerWidth; \
         const inside = e => { const r = e.getBoundingClientRect(); \
           return r.width > 0 && r.left >= 0 && r.right <= w + 0.5; }; \
         return [...document.querySelectorAll(\"form[action='/school/sign']\")].map(f => { \
           const label = f.querySelector('label.pin'); \
           const pin = f.querySelector('input[name=pin]'); \
           const button = f.querySelector('button[type=submit]'); \
           return { label: label ? label.innerText.trim() : null, \
                    inside: !!(label && pin && button) && [label, pin, button].every(inside), \
                    pinWidth: pin ? pin.getBoundingClientRect().width : 0, \
                    clipped: !!label && label.scrollWidth > label.clientWidth + 1 }; });",
    );
    v.as_array().cloned().unwrap_or_default()
}

/// The page's sign forms (`expected` of them) ask for the PIN in `label` and fit the window.
#[track_caller]
fn assert_pin_forms(b: &Browser, expected: usize, label: &str) {
    let forms = sign_forms(b);
    assert_eq!(forms.len(), expected, "{} on {}", json(&forms), b.url());
    for f in &forms {
        assert_eq!(f["label"].as_str(), Some(label), "{f} on {}", b.url());
        assert_eq!(f["inside"], true, "{f} on {}", b.url());
        assert_eq!(f["clipped"], false, "{f} on {}", b.url());
        let width = f["pinWidth"].as_f64().unwrap_or_default();
        assert!(
            width >= 96.0,
            "a PIN field {width} px wide: {f} on {}",
            b.url()
        );
    }
    // The PIN fields leave the tables their room: no heading or cell breaks inside a word.
    let broken = cells_breaking_words(b, "#classes, #roster");
    assert_eq!(
        broken,
        serde_json::json!([]),
        "cells broken inside a word on {}",
        b.url()
    );
}

/// The cells shown of the tables `css` whose text breaks inside a word: a cell narrower than
/// its longest word (measured in the cell's own font).
fn cells_breaking_words(b: &Browser, css: &str) -> Value {
    b.script(&format!(
        "const ctx = document.createElement('canvas').getContext('2d'); \
         return [...document.querySelectorAll({css:?})].flatMap(t => \
           [...t.querySelectorAll('th, td')]).filter(c => {{ \
             const s = getComputedStyle(c); \
             if (c.getClientRects().length === 0) return false; \
             ctx.font = s.font; \
             const longest = Math.max(0, ...c.innerText.split(/\\s+/) \
               .map(w => ctx.measureText(w).width)); \
             const inner = c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); \
             return longest > inner + 1; }}).map(c => c.innerText);"
    ))
}

fn json(v: &[Value]) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[test]
fn every_sign_form_asks_for_the_principals_pin_and_fits_a_desktop_and_a_phone() {
    let Some(rig) = Rig::start_with("sign-pin", |serve, dir| {
        let tokens = dir.join("token");
        let load = root().join("keys/dev/softhsm/load.sh");
        let out = Command::new("bash")
            .arg(&load)
            .arg(&tokens)
            .arg("principals")
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "load.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serve
            .args([
                "--principal-token",
                &format!("pkcs11:?module-path={MODULE}"),
            ])
            .env("SOFTHSM2_CONF", tokens.join("softhsm2.conf"));
    }) else {
        return;
    };
    principal_with_class(&rig.app, "ht.79000701");

    // The overview: the class's row and "sign the whole school"; then the class page.
    let class_page = format!("/school/classes/{YEAR}/{CLASS}");
    rig.sign_in("ht.79000701");
    rig.wait_path("/school");
    for (path, forms, shot) in [
        ("/school", 2, "overview"),
        (class_page.as_str(), 1, "class"),
    ] {
        rig.open(path);
        rig.b.wait_for("main h1", 50);
        assert_pin_forms(&rig.b, forms, LABEL_VI);
        assert!(
            !rig.b.source().contains(LABEL_EN),
            "English label on {path}"
        );
        rig.check(&format!("vi-{shot}"));
        rig.open(&format!("{path}?lang=en"));
        rig.b.wait_for("main h1", 50);
        assert_pin_forms(&rig.b, forms, LABEL_EN);
        rig.check(&format!("en-{shot}"));
        rig.open(&format!("{path}?lang=vi"));
    }
    rig.check_on_phone_with("ht.79000701", &["/school", &class_page], |b| {
        let (forms, page) = if b.url().contains("/classes/") {
            (1, "class")
        } else {
            (2, "overview")
        };
        assert_pin_forms(b, forms, LABEL_VI);
        // Each form in view, for a look (the phone's first screen shows the top of the page).
        for i in 0..forms {
            b.script(&format!(
                "document.querySelectorAll(\"form[action='/school/sign']\")[{i}] \
                 .scrollIntoView({{block: 'center'}}); return 0;"
            ));
            screenshot(b, &format!("sign-pin-{page}-form{i}-360"));
        }
    });
}
