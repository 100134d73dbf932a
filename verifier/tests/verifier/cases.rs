//! Verdict cases as files (`tests/data/cases/`): `NAME.json` is the input exactly as
//! `verify_credential` reads it and `NAME.expect` states the verdict it must give, judged against
//! the trust list of the same folder. One table-driven test runs every case; a bug found gets
//! its own pair of files (see the folder's README).
//!
//! The cases made by program (tampering, wrong keys, malformed proofs and envelopes, the
//! validity period, unreadable input) are recipes below: each states its headline (which check
//! fails with which reason, or the error) and the generator writes the input and the whole
//! verdict. `HOCBA_REGENERATE_CASES=1 cargo test -p hocba-verifier --test verifier cases::`
//! rewrites them; without it a test fails when a file differs from its recipe.

use std::fs;
use std::path::{Path, PathBuf};

use hocba_schema::proof::proof_config;
use hocba_verifier::{CheckName, Outcome, Reason, Verdict, VerifiedTrustList, verify_credential};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

use crate::support::*;

/// Set to regenerate the recipe-made case files.
const REGENERATE: &str = "HOCBA_REGENERATE_CASES";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases")
}

/// The trust list every case is judged against, verified with the test authority.
fn trust() -> VerifiedTrustList {
    let bytes = fs::read(dir().join("trust-list.json")).unwrap();
    authority().verify_trust_list(&bytes).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The `.expect` format
// ---------------------------------------------------------------------------------------------

/// What a `.expect` file says, read line by line (`#` starts a comment).
#[derive(Debug, Default)]
struct Expect {
    /// `now RFC3339`: the time the case is judged at (default [`NOW`]).
    now: Option<OffsetDateTime>,
    /// `error TEXT`: the input cannot be checked; the error's message contains TEXT.
    error: Option<String>,
    /// `result …`, `reason …` and one `OUTCOME CHECK [REASON]` line per check that did not
    /// pass, in the verdict's order (every check not listed passed).
    verdict: Vec<String>,
    /// `detail CHECK TEXT`: that check's technical detail contains TEXT.
    details: Vec<(String, String)>,
}

fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut expect = Expect::default();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "now" => {
                let now =
                    OffsetDateTime::parse(rest, &Rfc3339).map_err(|e| format!("{line}: {e}"))?;
                expect.now = Some(now);
            }
            "error" => expect.error = Some(rest.to_owned()),
            "detail" => {
                let (check, text) = rest.split_once(' ').ok_or(format!("{line}: no text"))?;
                expect.details.push((check.to_owned(), text.to_owned()));
            }
            "result" | "reason" | "failed" | "not_checked" | "warning" => {
                expect.verdict.push(line.to_owned());
            }
            _ => return Err(format!("unknown line {line:?}")),
        }
    }
    let states_a_verdict = !expect.verdict.is_empty();
    if expect.error.is_some() == states_a_verdict {
        return Err("state either `error` or a verdict (`result …`)".into());
    }
    Ok(expect)
}

fn word<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// The verdict as `.expect` lines: result, headline reason, every check that did not pass.
fn verdict_lines(verdict: &Verdict) -> Vec<String> {
    let mut lines = vec![format!("result {}", verdict.result().as_str())];
    if let Some(reason) = verdict.reason() {
        lines.push(format!("reason {}", word(reason)));
    }
    for c in verdict.checks() {
        if c.outcome == Outcome::Passed {
            continue;
        }
        let mut line = format!("{} {}", c.outcome.as_str(), word(c.name));
        if let Some(reason) = c.reason {
            line = format!("{line} {}", word(reason));
        }
        lines.push(line);
    }
    lines
}

/// Runs one case; `Err` says how it differs from what its file states.
fn run_case(input: &[u8], expect: &Expect, trust: &VerifiedTrustList) -> Result<(), String> {
    let now = expect.now.unwrap_or(NOW);
    let verdict = match (verify_credential(input, trust, now), &expect.error) {
        (Err(e), Some(text)) if e.to_string().contains(text.as_str()) => return Ok(()),
        (Err(e), Some(text)) => return Err(format!("error {e:?} does not contain {text:?}")),
        (Err(e), None) => return Err(format!("could not check: {e}")),
        (Ok(v), Some(_)) => {
            return Err(format!("a verdict, not an error: {:?}", verdict_lines(&v)));
        }
        (Ok(v), None) => v,
    };
    let lines = verdict_lines(&verdict);
    if lines != expect.verdict {
        return Err(format!(
            "verdict {lines:#?}\nexpected {:#?}",
            expect.verdict
        ));
    }
    for (check, text) in &expect.details {
        let detail = verdict
            .checks()
            .iter()
            .find(|c| word(c.name) == *check)
            .and_then(|c| c.detail.clone())
            .unwrap_or_default();
        if !detail.contains(text.as_str()) {
            return Err(format!(
                "{check} detail {detail:?} does not contain {text:?}"
            ));
        }
    }
    Ok(())
}

/// Every `NAME.expect` of the folder with its `NAME.json`, sorted by name.
fn case_files() -> Vec<(String, Vec<u8>, String)> {
    let mut cases: Vec<_> = fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "expect"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let input = fs::read(p.with_extension("json"))
                .unwrap_or_else(|e| panic!("{name}.json next to {name}.expect: {e}"));
            (name, input, fs::read_to_string(&p).unwrap())
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_case_file_gives_its_stated_verdict() {
    let trust = trust();
    let mut failures = Vec::new();
    let cases = case_files();
    for (name, input, text) in &cases {
        let outcome = parse_expect(text).and_then(|expect| run_case(input, &expect, &trust));
        if let Err(why) = outcome {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every recipe has its files (a deleted file is not a passing case).
    assert!(cases.len() >= recipes().len(), "{} case files", cases.len());
}

/// The files hold the compact bytes the issuer writes (the fast path reads them); the same
/// documents pretty-printed take the general path and must get the verdict their file states.
#[test]
fn every_case_file_gives_its_stated_verdict_pretty_printed_too() {
    let trust = trust();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, input, text) in &case_files() {
        let expect = parse_expect(text).unwrap();
        let Ok(value) = serde_json::from_slice::<Value>(input) else {
            continue;
        };
        if expect.error.is_some() || !value.is_object() {
            continue;
        }
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        assert_ne!(&pretty, input, "{name}");
        checked += 1;
        if let Err(why) = run_case(&pretty, &expect, &trust) {
            failures.push(format!("{name} (pretty-printed): {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 40, "{checked} cases pretty-printed");
}

#[test]
fn a_case_file_that_states_another_verdict_fails() {
    let trust = trust();
    let valid = bytes(&valid_credential());
    let right = parse_expect("result valid\nnot_checked status status_not_checked\n").unwrap();
    assert_eq!(run_case(&valid, &right, &trust), Ok(()));
    for wrong in [
        "result invalid\nnot_checked status status_not_checked",
        "result valid",
        "result valid\nnot_checked status status_not_checked\nfailed issuer unknown_key",
        "error not valid JSON",
        "result valid\nnot_checked status status_not_checked\ndetail status nothing-like-this",
    ] {
        let expect = parse_expect(wrong).unwrap();
        assert!(run_case(&valid, &expect, &trust).is_err(), "{wrong}");
    }
    assert!(parse_expect("result valid\nerror x").is_err());
    assert!(parse_expect("# nothing").is_err());
    assert!(parse_expect("resutl valid").is_err());
}

// ---------------------------------------------------------------------------------------------
// The recipes and the generator
// ---------------------------------------------------------------------------------------------

/// What a recipe asserts before its files are written (the `.expect` holds the whole verdict).
enum Headline {
    Valid,
    /// The verdict is invalid with this reason, and this check failed with it.
    Invalid(CheckName, Reason),
    /// Not checkable: the error message contains this text.
    Error(&'static str),
}

struct Recipe {
    name: &'static str,
    about: &'static str,
    input: Vec<u8>,
    now: OffsetDateTime,
    headline: Headline,
    /// A `detail CHECK TEXT` line.
    detail: Option<(&'static str, &'static str)>,
}

fn recipe(name: &'static str, about: &'static str, v: &Value, headline: Headline) -> Recipe {
    Recipe {
        name,
        about,
        input: bytes(v),
        now: NOW,
        headline,
        detail: None,
    }
}

/// The valid credential with the member at `pointer` set to `value` after signing.
fn edited(pointer: &str, value: Value) -> Value {
    let mut v = valid_credential();
    *v.pointer_mut(pointer).unwrap() = value;
    v
}

/// A credential of school A, edited before it is signed with school A's key.
fn signed_with(edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut doc = unsigned(&school_a(), "79000701");
    edit(&mut doc);
    signed_by(doc, &school_a_key(), SCHOOL_A, &time_text(SIGNED_AT))
}

fn signed_by(
    doc: Map<String, Value>,
    key: &ed25519_dalek::SigningKey,
    controller: &str,
    created: &str,
) -> Value {
    sign(doc, key, &vm(controller, key), created)
}

fn bad_signature(edit: impl FnOnce(&[u8; 64]) -> [u8; 64]) -> Value {
    let mut v = valid_credential();
    let sig = edit(&signature_of(&v));
    set_signature(&mut v, &sig);
    v
}

fn tampering() -> Vec<Recipe> {
    use CheckName::Integrity;
    use Headline::Invalid;
    let broken = Invalid(Integrity, Reason::SignatureMismatch);
    let mut out = Vec::new();
    for (name, about, pointer, value) in [
        (
            "tamper-score",
            "a subject's score changed after signing",
            "/credentialSubject/subjects/1/score",
            json!(9),
        ),
        (
            "tamper-pupil-name",
            "a space added to the pupil's name",
            "/credentialSubject/student/fullName",
            json!("Nguyễn Thị Ánh Tuyết "),
        ),
        (
            "tamper-date-of-birth",
            "the date of birth changed",
            "/credentialSubject/student/dateOfBirth",
            json!("2015-03-03"),
        ),
        (
            "tamper-school-name",
            "the school's name in the record changed",
            "/credentialSubject/school/name",
            json!("Trường khác"),
        ),
        (
            "tamper-class-name",
            "the class changed",
            "/credentialSubject/className",
            json!("5B"),
        ),
        (
            "tamper-conduct",
            "the conduct changed",
            "/credentialSubject/conduct",
            json!("Hoàn thành tốt"),
        ),
        (
            "tamper-issuer-name",
            "the issuer's name changed",
            "/issuer/name",
            json!("Trường Tiểu học Lê Văn Tám 2"),
        ),
        (
            "tamper-valid-from",
            "validFrom moved a day earlier",
            "/validFrom",
            json!("2026-05-24T08:00:00Z"),
        ),
        (
            "tamper-credential-id",
            "the credential id changed",
            "/id",
            json!("urn:uuid:22222222-2222-4222-8222-222222222223"),
        ),
        (
            "tamper-status-index",
            "the status list index changed",
            "/credentialStatus/statusListIndex",
            json!("4243"),
        ),
        (
            "tamper-school-code",
            "the school code changed: the signature and the issuer check both fail",
            "/credentialSubject/school/code",
            json!("01000502"),
        ),
        (
            "tamper-context-other",
            "the project's context replaced",
            "/@context/1",
            json!("https://example.org/other/v1"),
        ),
    ] {
        let headline = match name {
            "tamper-context-other" => Invalid(Integrity, Reason::ProofContextMismatch),
            _ => Invalid(Integrity, Reason::SignatureMismatch),
        };
        out.push(recipe(name, about, &edited(pointer, value), headline));
    }
    out.push(recipe(
        "control-same-value",
        "control: a member set to the value it already has stays valid",
        &edited("/type/1", json!("HocBaCredential")),
        Headline::Valid,
    ));
    let mut v = valid_credential();
    v["credentialSubject"]["note"] = json!("thêm");
    out.push(recipe(
        "tamper-member-added",
        "a member added to the subject",
        &v,
        broken,
    ));
    let mut v = valid_credential();
    v.as_object_mut().unwrap().remove("credentialStatus");
    out.push(recipe(
        "tamper-status-removed",
        "credentialStatus removed",
        &v,
        Invalid(Integrity, Reason::SignatureMismatch),
    ));
    let mut v = valid_credential();
    v["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/x"));
    out.push(recipe(
        "tamper-context-added",
        "a context added after the signed ones: the proof's @context is a strict prefix, and \
         vc-di-eddsa §3.3.2 hashes the document with it, so the credential verifies",
        &v,
        Headline::Valid,
    ));
    out
}

fn proofs() -> Vec<Recipe> {
    use CheckName::Integrity;
    use Headline::Invalid;
    let mut out = Vec::new();
    for (name, about, pointer, value, reason) in [
        (
            "proof-type-other",
            "another proof type",
            "/proof/type",
            json!("Ed25519Signature2020"),
            Reason::WrongProofType,
        ),
        (
            "proof-cryptosuite-other",
            "another cryptosuite named",
            "/proof/cryptosuite",
            json!("eddsa-rdfc-2022"),
            Reason::WrongCryptosuite,
        ),
        (
            "proof-purpose-authentication",
            "proofPurpose authentication",
            "/proof/proofPurpose",
            json!("authentication"),
            Reason::WrongProofPurpose,
        ),
        (
            "proof-created-changed",
            "the proof's creation time changed by a second",
            "/proof/created",
            json!("2026-05-25T08:00:01Z"),
            Reason::SignatureMismatch,
        ),
        (
            "proof-created-not-a-time",
            "the proof's creation time is not a time",
            "/proof/created",
            json!("yesterday"),
            Reason::MalformedProof,
        ),
        (
            "proof-context-shortened",
            "the proof's context shortened",
            "/proof/@context",
            json!(["https://www.w3.org/ns/credentials/v2"]),
            Reason::SignatureMismatch,
        ),
        (
            "proof-context-other",
            "the proof's context differs from the document's",
            "/proof/@context/1",
            json!("https://example.org/x"),
            Reason::ProofContextMismatch,
        ),
        (
            "proof-value-short",
            "a proofValue too short to be a signature",
            "/proof/proofValue",
            json!("z3yq"),
            Reason::MalformedProof,
        ),
        (
            "proof-value-number",
            "a proofValue that is a number",
            "/proof/proofValue",
            json!(42),
            Reason::MalformedProof,
        ),
        (
            "proof-method-number",
            "a verificationMethod that is a number",
            "/proof/verificationMethod",
            json!(7),
            Reason::MalformedProof,
        ),
        (
            "proof-method-swapped",
            "the verification method swapped for the school's retired key",
            "/proof/verificationMethod",
            vm(SCHOOL_A, &retired_key()).into(),
            Reason::SignatureMismatch,
        ),
        (
            "proof-option-added",
            "a proof option added",
            "/proof/nonce",
            json!("abc"),
            Reason::SignatureMismatch,
        ),
    ] {
        let v = if pointer == "/proof/nonce" {
            let mut v = valid_credential();
            v["proof"]["nonce"] = value;
            v
        } else {
            edited(pointer, value)
        };
        out.push(recipe(name, about, &v, Invalid(Integrity, reason)));
    }
    let v = bad_signature(|s| {
        let mut s = *s;
        s[5] ^= 1;
        s
    });
    out.push(recipe(
        "proof-signature-bit-flipped",
        "one bit of the signature flipped",
        &v,
        Invalid(Integrity, Reason::SignatureMismatch),
    ));
    let v = bad_signature(malleate);
    out.push(recipe(
        "proof-malleable-twin",
        "the signature's malleable twin (S + ℓ)",
        &v,
        Invalid(Integrity, Reason::NonCanonicalSignature),
    ));
    let mut v = valid_credential();
    v.as_object_mut().unwrap().remove("proof");
    out.push(recipe(
        "proof-missing",
        "no proof",
        &v,
        Invalid(Integrity, Reason::NotSigned),
    ));
    let mut v = valid_credential();
    v["proof"] = json!([v["proof"].clone()]);
    out.push(recipe(
        "proof-as-array",
        "the proof inside an array: a proof set of one is read as that proof",
        &v,
        Headline::Valid,
    ));
    let mut v = valid_credential();
    v["proof"] = json!([v["proof"].clone(), v["proof"].clone()]);
    out.push(recipe(
        "proof-set-of-two",
        "a proof set of two proofs: only a set of one is accepted",
        &v,
        Invalid(Integrity, Reason::MalformedProof),
    ));
    let doc = unsigned(&school_a(), "79000701");
    let mut config = proof_config(&doc, &vm(SCHOOL_A, &school_a_key()), &time_text(SIGNED_AT));
    config.insert("cryptosuite".into(), "eddsa-rdfc-2022".into());
    let v = sign_with_config(doc, &school_a_key(), config);
    out.push(recipe(
        "proof-other-cryptosuite-signed",
        "properly signed under another cryptosuite",
        &v,
        Invalid(Integrity, Reason::WrongCryptosuite),
    ));
    out
}

fn envelopes() -> Vec<Recipe> {
    use CheckName::Format;
    use Headline::Invalid;
    let mut out = Vec::new();
    let v = signed_with(|d| {
        // "Nguyễn" decomposed (NFD), signed as it is by a careless issuer.
        d["credentialSubject"]["student"]["fullName"] = json!("Nguye\u{302}\u{303}n Văn An");
    });
    let mut r = recipe(
        "format-not-nfc-signed",
        "text not in NFC, signed as it is",
        &v,
        Invalid(Format, Reason::NotNfc),
    );
    r.detail = Some(("format", "/credentialSubject/student/fullName"));
    out.push(r);
    let v = signed_with(|d| {
        d["credentialSubject"]["subjects"][0]["score"] = json!(9_007_199_254_740_992u64);
    });
    let mut r = recipe(
        "format-number-beyond-2-53-signed",
        "a number beyond 2^53, signed as it is",
        &v,
        Invalid(Format, Reason::NumberOutOfRange),
    );
    r.detail = Some(("format", "/credentialSubject/subjects/0/score"));
    out.push(r);
    for (name, about, member, value, reason) in [
        (
            "envelope-type-missing",
            "signed without the project's type",
            "type",
            Some(json!(["VerifiableCredential"])),
            Reason::WrongType,
        ),
        (
            "envelope-context-other",
            "signed with another context",
            "@context",
            Some(json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://example.org/other/v1"
            ])),
            Reason::WrongContext,
        ),
        (
            "envelope-valid-from-missing",
            "signed without validFrom",
            "validFrom",
            None,
            Reason::MalformedEnvelope,
        ),
        (
            "envelope-valid-from-not-a-time",
            "signed with a validFrom that is not a time",
            "validFrom",
            Some(json!("25/05/2026")),
            Reason::MalformedEnvelope,
        ),
        (
            "envelope-issuer-a-string",
            "signed with the issuer as a bare string: the issuer is not checked",
            "issuer",
            Some(json!(SCHOOL_A)),
            Reason::MalformedEnvelope,
        ),
    ] {
        let v = signed_with(|d| match value {
            Some(value) => {
                d.insert(member.into(), value);
            }
            None => {
                d.remove(member);
            }
        });
        out.push(recipe(name, about, &v, Invalid(Format, reason)));
    }
    out
}

fn validity_and_keys() -> Vec<Recipe> {
    use CheckName::{Issuer, KeyValidity, ValidityPeriod};
    use Headline::Invalid;
    let mut out = vec![recipe(
        "valid",
        "the valid credential of school A",
        &valid_credential(),
        Headline::Valid,
    )];
    for (name, about, member, value, headline) in [
        (
            "validity-not-yet-valid",
            "validFrom after now",
            "validFrom",
            "2026-07-01T00:00:00Z",
            Invalid(ValidityPeriod, Reason::NotYetValid),
        ),
        (
            "validity-expired",
            "validUntil before now",
            "validUntil",
            "2026-05-31T00:00:00Z",
            Invalid(ValidityPeriod, Reason::Expired),
        ),
        (
            "validity-within",
            "validUntil after now: valid",
            "validUntil",
            "2031-05-31T00:00:00Z",
            Headline::Valid,
        ),
    ] {
        let v = signed_with(|d| {
            d.insert(member.into(), json!(value));
        });
        out.push(recipe(name, about, &v, headline));
    }
    let future = signed_by(
        unsigned(&school_a(), "79000701"),
        &school_a_key(),
        SCHOOL_A,
        "2026-06-02T00:00:00Z",
    );
    out.push(recipe(
        "validity-proof-created-in-future",
        "a proof dated after now",
        &future,
        Invalid(ValidityPeriod, Reason::ProofCreatedInFuture),
    ));
    let mut later = recipe(
        "validity-proof-created-judged-later",
        "the same credential judged after its proof's date: valid",
        &future,
        Headline::Valid,
    );
    later.now = datetime!(2026-06-03 00:00 UTC);
    out.push(later);
    for (name, about, key, controller, headline) in [
        (
            "key-retired",
            "signed by school A's key after its retirement",
            retired_key(),
            SCHOOL_A,
            Invalid(KeyValidity, Reason::RetiredKeyAfterRetirement),
        ),
        (
            "key-compromised",
            "signed by school A's compromised key",
            compromised_key(),
            SCHOOL_A,
            Invalid(KeyValidity, Reason::CompromisedKey),
        ),
        (
            "key-of-another-school",
            "school A's record signed by school B's key",
            school_b_key(),
            SCHOOL_B,
            Invalid(Issuer, Reason::KeyOfAnotherSchool),
        ),
        (
            "key-unregistered",
            "signed by a key nobody registered",
            unregistered_key(),
            SCHOOL_A,
            Invalid(Issuer, Reason::UnknownKey),
        ),
    ] {
        let v = signed_by(
            unsigned(&school_a(), "79000701"),
            &key,
            controller,
            &time_text(SIGNED_AT),
        );
        out.push(recipe(name, about, &v, headline));
    }
    out
}

fn inputs() -> Vec<Recipe> {
    let text = String::from_utf8(bytes(&valid_credential())).unwrap();
    let mut out = Vec::new();
    for (name, about, input, error) in [
        (
            "input-not-json",
            "input that is not JSON",
            b"not json".to_vec(),
            "credential is not valid JSON (line 1",
        ),
        (
            "input-array",
            "a JSON array, not an object",
            b"[]".to_vec(),
            "must be a JSON object, found array",
        ),
        (
            "input-member-twice",
            "a member twice: two parsers could read two records",
            text.replacen('{', "{\"id\":\"urn:uuid:x\",", 1)
                .into_bytes(),
            "twice",
        ),
        (
            "input-deep-nesting",
            "arrays nested 10,000 deep",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            "recursion limit",
        ),
    ] {
        out.push(Recipe {
            name,
            about,
            input,
            now: NOW,
            headline: Headline::Error(error),
            detail: None,
        });
    }
    out
}

fn recipes() -> Vec<Recipe> {
    let mut all = tampering();
    all.extend(proofs());
    all.extend(envelopes());
    all.extend(validity_and_keys());
    all.extend(inputs());
    all
}

/// The `.expect` text of a recipe, after checking its headline on the real verdict.
fn expect_text(r: &Recipe, trust: &VerifiedTrustList) -> String {
    let mut text = format!("# {}\n", r.about);
    if r.now != NOW {
        text += &format!("now {}\n", r.now.format(&Rfc3339).unwrap());
    }
    let verdict = match (&r.headline, verify_credential(&r.input, trust, r.now)) {
        (Headline::Error(part), Err(e)) => {
            assert!(e.to_string().contains(part), "{}: {e}", r.name);
            return format!("{text}error {part}\n");
        }
        (_, Err(e)) => panic!("{}: could not check: {e}", r.name),
        (Headline::Error(_), Ok(v)) => panic!("{}: a verdict, not an error: {v:#?}", r.name),
        (Headline::Valid, Ok(v)) => {
            assert!(v.is_valid(), "{}: {v:#?}", r.name);
            v
        }
        (Headline::Invalid(check, reason), Ok(v)) => {
            assert_eq!(v.reason(), Some(*reason), "{}: {v:#?}", r.name);
            assert!(!v.is_valid() && v.verified().is_none(), "{}", r.name);
            let c = v.check(*check).unwrap();
            assert_eq!(
                (c.outcome, c.reason),
                (Outcome::Failed, Some(*reason)),
                "{}",
                r.name
            );
            v
        }
    };
    for line in verdict_lines(&verdict) {
        text += &line;
        text.push('\n');
    }
    if let Some((check, part)) = r.detail {
        text += &format!("detail {check} {part}\n");
    }
    text
}

/// Each recipe's files are what the recipe makes (rewritten with `HOCBA_REGENERATE_CASES=1`).
#[test]
fn the_recipe_made_case_files_are_up_to_date() {
    let regenerate = std::env::var_os(REGENERATE).is_some();
    let dir = dir();
    let mut files = vec![("trust-list.json".to_owned(), bytes(&signed_trust_list()))];
    let trust = authority().verify_trust_list(&files[0].1).unwrap();
    for r in recipes() {
        let expect = expect_text(&r, &trust);
        files.push((format!("{}.json", r.name), r.input));
        files.push((format!("{}.expect", r.name), expect.into_bytes()));
    }
    let mut stale = Vec::new();
    for (name, content) in files {
        let path = dir.join(&name);
        if fs::read(&path).ok().as_deref() == Some(content.as_slice()) {
            continue;
        }
        if regenerate {
            fs::write(&path, content).unwrap();
        } else {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run with {REGENERATE}=1 and review the diff): {stale:?}"
    );
}
