//! Signing through a PKCS#11 token (SoftHSM2): the token's raw Ed25519 and RSA-2048 signing
//! rates next to credentials signed per second through it, in the same run, one thread.
//!
//! Run: `cargo bench -p hocba-issuer --bench token`
//!
//! The bench makes its own development token in a temporary directory with
//! `keys/dev/softhsm/load.sh` (plus an RSA-2048 seal key made with openssl) and runs itself
//! again with `SOFTHSM2_CONF` pointing at it (SoftHSM2 reads it once per process). The rates
//! are measured in interleaved rounds ([`rates`]) so that load from other processes falls on
//! all alike, each the median of its rounds (a round another process slowed down does not
//! count):
//!
//! * raw Ed25519 — `C_Sign` with `CKM_EDDSA` on a 64-byte message, straight through `cryptoki`;
//! * raw RSA-2048 — `C_Sign` with `CKM_SHA256_RSA_PKCS` on 1 KB (a PAdES signed-attributes size);
//! * credential through the token — `Signer::sign_canonical` of the grade-11 example with the
//!   token's key (canonicalisation, hashing, `C_Sign`, and the check of the signature);
//! * credential with the PEM key — the same with `keys/dev/school-79000701.pem`;
//! * seal through the token — `TokenSealKey::sign` (RSA-2048), what the PDF signer calls;
//! * Ed25519 `verify_strict` — the check each token signature gets before it is used;
//! * PAdES PDFs through the token — `render_signed_pdf` of the grade-5 example, signed by an
//!   RSA-2048 principal key and an RSA-2048 seal key both on the token (as a VGCA token's
//!   keys are), next to `render_pdf` of the same credential (unsigned, no marks);
//! * a class through the token — `render_group_signed` of [`CLASS`] copies of the same
//!   credential (as JSON text), the way the issuer signs a class's PDFs on each thread:
//!   rendered 16 at a time, then signed one after the other; next to the same call without a
//!   PKI (rendered, unsigned).
//!
//! **What "the two signatures" cost** is exactly (time of one `render_signed_pdf`) − (time of
//! one `render_pdf`), per PDF: everything signing adds to rendering — the "Ký bởi" boxes drawn
//! on the page (no development band: the bench's certificates do not say DEVELOPMENT), the
//! certificates' names checked against the prebuilt fonts, the two incremental updates written, the byte
//! ranges hashed, the two CMS SignedData built and DER-encoded, and the two `C_Sign`s through
//! `TokenSealKey` (lock, key handle, `C_SignInit` + `C_Sign`) — compared with two raw
//! RSA-2048 `C_Sign`s (`C_SignInit` + `C_Sign` on 1 KB, straight through `cryptoki`) of the
//! same run. The same difference is given per PDF of the class (signed batch − unsigned
//! batch, divided by [`CLASS`]): the figure for the issuer's batches, where the token signs
//! with warm caches. The PDF sizes are of the single calls.
//!
//! Each rate is also taken in the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), which
//! leaves out the time spent waiting for a CPU on a shared machine, and the same figure is
//! given for an unsigned PDF followed by two raw `C_Sign`s: what the token's signing costs
//! right after a PDF was rendered (its code and key no longer in the caches), against the
//! raw loop.
//!
//! For instruction counts (the machine is shared: wall-clock is noisy), run it under
//! `valgrind --tool=callgrind --trace-children=yes --toggle-collect='token::rates*'` with
//! `HOCBA_BENCH_TOKEN_ONLY=raw_rsa`, `=pdf_plain`, `=pdf_pades`, `=pdf_plain_raw2`, `=class_plain` or
//! `=class_pades`: only the
//! named operations run (the lines of the others print NaN), and only their loop is counted.
//!
//! Goal (issue #13): the two signatures add < 30 KB and cost < 20 % over the token's raw
//! signing time.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use hocba_issuer::app::keyring::KeyRing;
use hocba_issuer::keys::source::KeySource;
use hocba_issuer::pdf::{PdfOptions, render_group_signed, render_pdf, render_signed_pdf};
use hocba_issuer::pki::{CertifiedKey, SchoolPki};
use hocba_issuer::seal_key::SealKey;
use hocba_issuer::token::{Token, TokenSealKey};
use hocba_schema::credential::UnsignedCredential;
use hocba_test_support::files::{dev_keys, example_path};
use time::macros::datetime;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/it/pades_fixture.rs"]
mod fixture;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "1234";
const ROUNDS: usize = 21;
const PER_ROUND: usize = 200;
/// PDFs in the batch measurement: two signing groups.
const CLASS: usize = 32;
const CHILD_ENV: &str = "HOCBA_BENCH_TOKEN_DIR";
/// Comma-separated names of the only operations to run (see [`rates`]), for a profiler.
const ONLY_ENV: &str = "HOCBA_BENCH_TOKEN_ONLY";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() {
    match std::env::var(CHILD_ENV) {
        Ok(dir) => measure(Path::new(&dir)),
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            make_token(dir.path());
            let status = Command::new(std::env::current_exe().unwrap())
                .args(std::env::args().skip(1))
                .env(CHILD_ENV, dir.path())
                .env("SOFTHSM2_CONF", dir.path().join("token/softhsm2.conf"))
                .status()
                .unwrap();
            std::process::exit(status.code().unwrap_or(1));
        }
    }
}

/// The development token, with an RSA-2048 seal key `seal-bench-rsa` beside the school keys.
fn make_token(dir: &Path) {
    let dev = dir.join("dev");
    std::fs::create_dir_all(dev.join("softhsm")).unwrap();
    std::fs::create_dir_all(dev.join("pki")).unwrap();
    for entry in std::fs::read_dir(root().join("keys/dev")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("school-") && name.ends_with(".pem") {
            std::fs::copy(&path, dev.join(&name)).unwrap();
        }
    }
    for name in ["load.sh", "pin.txt"] {
        std::fs::copy(
            root().join("keys/dev/softhsm").join(name),
            dev.join("softhsm").join(name),
        )
        .unwrap();
    }
    std::fs::write(dev.join("softhsm/pin.txt"), format!("{PIN}\n")).unwrap();
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(dev.join("pki/seal-bench-rsa.pem"))
        .status()
        .unwrap();
    assert!(ok.success());
    // The PDF signers: an RSA-2048 principal key beside the seal key, each with a
    // self-signed certificate (DER) the PAdES signature embeds.
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(dev.join("pki/principal-bench-rsa.pem"))
        .status()
        .unwrap();
    assert!(ok.success());
    for (name, cn) in [
        ("seal-bench-rsa", "Trường Tiểu học Hoa Ban (bench)"),
        ("principal-bench-rsa", "Nguyễn Văn Bench"),
    ] {
        let ok = Command::new("openssl")
            .args(["req", "-x509", "-new", "-utf8", "-days", "3650", "-key"])
            .arg(dev.join(format!("pki/{name}.pem")))
            .args(["-subj", &format!("/CN={cn}/O=BẢN THỬ NGHIỆM bench")])
            .args(["-outform", "DER", "-out"])
            .arg(dir.join(format!("{name}.der")))
            .status()
            .unwrap();
        assert!(ok.success());
    }
    // `load.sh` puts principal keys on tokens of their own; the bench wants both on one.
    std::fs::rename(
        dev.join("pki/principal-bench-rsa.pem"),
        dev.join("pki/bench-principal-rsa.pem"),
    )
    .unwrap();
    let ok = Command::new("bash")
        .arg(dev.join("softhsm/load.sh"))
        .arg(dir.join("token"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
}

/// One operation's rounds: for each, the wall-clock and CPU time of its `n` runs.
#[derive(Default, Clone)]
struct Rate {
    n: usize,
    /// Wall-clock, and time the thread was on a CPU (not waiting for one behind others).
    rounds: Vec<(Duration, Duration)>,
}

impl Rate {
    /// The median over the rounds of `time` of a round, per operation, in seconds (NaN when
    /// the operation did not run): a round slowed down by another process does not count.
    fn median(&self, time: impl Fn(&(Duration, Duration)) -> Duration) -> f64 {
        let mut secs: Vec<f64> = self.rounds.iter().map(|r| time(r).as_secs_f64()).collect();
        secs.sort_by(f64::total_cmp);
        let mid = secs.len() / 2;
        let median = match secs.len() {
            0 => f64::NAN,
            len if len % 2 == 1 => secs[mid],
            _ => (secs[mid - 1] + secs[mid]) / 2.0,
        };
        median / self.n as f64
    }

    fn per_sec(&self) -> f64 {
        1.0 / self.median(|r| r.0)
    }

    /// Milliseconds of CPU per operation.
    fn cpu_ms(&self) -> f64 {
        1000.0 * self.median(|r| r.1)
    }
}

/// This thread's time on a CPU so far (`CLOCK_THREAD_CPUTIME_ID`): on a shared machine it
/// leaves out the time spent waiting for a CPU. (`/proc/thread-self/schedstat` moves by whole
/// scheduler ticks of 4 ms, too coarse for a round.)
fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// One measured operation: its name, how many runs per round, and the run.
type Op<'a> = (&'static str, usize, Box<dyn FnMut() + 'a>);

/// Runs every one of `ops` in [`ROUNDS`] interleaved rounds (so that load from other processes
/// falls on all alike); the rounds of each, by name. Never inlined: callgrind's
/// `--toggle-collect='token::rates*'` needs it as a function of its own.
#[inline(never)]
fn rates(mut ops: Vec<Op<'_>>) -> std::collections::HashMap<&'static str, Rate> {
    let mut rates: std::collections::HashMap<&'static str, Rate> = ops
        .iter()
        .map(|(name, ..)| (*name, Rate::default()))
        .collect();
    // For a profiler: only the operations named (the others then print NaN).
    if let Ok(only) = std::env::var(ONLY_ENV) {
        let only: Vec<&str> = only.split(',').collect();
        ops.retain(|(name, ..)| only.contains(name));
    }
    for _ in 0..ROUNDS {
        for (name, n, op) in &mut ops {
            let (start, cpu) = (Instant::now(), cpu_time());
            for _ in 0..*n {
                op();
            }
            let rate = rates.entry(*name).or_default();
            rate.n = *n;
            rate.rounds
                .push((start.elapsed(), cpu_time().saturating_sub(cpu)));
        }
    }
    rates
}

fn measure(dir: &Path) {
    // The raw rates, straight through cryptoki with a session of the bench's own.
    let ctx = Pkcs11::new(MODULE).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = ctx.get_slots_with_token().unwrap()[0];
    let session = ctx.open_ro_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::from(PIN.to_owned())))
        .unwrap();
    let find = |label: &str| {
        session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .unwrap()[0]
    };
    let ed = find("school-79000701");
    let rsa = find("seal-bench-rsa");
    let eddsa = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
    let message64 = [7u8; 64];
    let message1k = [9u8; 1024];

    // The library's way: the key ring on the token, and the PEM ring, as `issue` uses them.
    let uri = format!(
        "pkcs11:token=hocba-dev?module-path={MODULE}&pin-source=file:{}",
        dir.join("dev/softhsm/pin.txt").display()
    );
    let at = datetime!(2026-05-29 08:00 UTC);
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(dev_keys().join("trust-list.json")).unwrap())
        .unwrap();
    let source = KeySource::open(uri.as_ref(), Some(&dev_keys())).unwrap();
    let token_signer = KeyRing::from_source(&source)
        .unwrap()
        .signer_for(&trust, "79000701", at)
        .unwrap();
    let pem_signer = KeyRing::load(&dev_keys())
        .unwrap()
        .signer_for(&trust, "79000701", at)
        .unwrap();
    let token = Token::open_uri(&uri).unwrap();
    let seal = TokenSealKey::by_label(&token, "seal-bench-rsa").unwrap();
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(example_path("secondary-grade11.json")).unwrap())
            .unwrap();
    let unsigned = UnsignedCredential::new(
        "urn:uuid:00000000-0000-4000-8000-000000000001",
        token_signer.issuer(),
        at,
        record,
        None,
    )
    .unwrap();

    // The PAdES signers on the token.
    let certified = |label: &str, der: &str| {
        CertifiedKey::new(
            std::sync::Arc::new(TokenSealKey::by_label(&token, label).unwrap()),
            vec![std::fs::read(dir.join(der)).unwrap()],
        )
        .unwrap()
    };
    let pki = SchoolPki {
        principal: Some(certified("bench-principal-rsa", "principal-bench-rsa.der")),
        seal: certified("seal-bench-rsa", "seal-bench-rsa.der"),
    };
    let (pdf_credential, pdf_key, _) =
        fixture::issue_example(&root(), "primary-grade5.json", None, None);
    let options = PdfOptions::default();
    let plain_size = render_pdf(&pdf_credential, &pdf_key, &options)
        .unwrap()
        .bytes
        .len();
    let pades_size = render_signed_pdf(&pdf_credential, &pdf_key, &options, Some(&pki))
        .unwrap()
        .bytes
        .len();
    let public =
        ed25519_dalek::VerifyingKey::from_bytes(&token_signer.key().verifying_key().to_bytes())
            .unwrap();
    let signature = ed25519_dalek::Signature::from_bytes(
        &<[u8; 64]>::try_from(session.sign(&eddsa, ed, &message64).unwrap().as_slice()).unwrap(),
    );
    // A class as a batch renders it: [`CLASS`] credentials as JSON text, rendered in groups
    // and then signed (`render_group_signed`, what each thread of `render_all_signed` runs).
    let class = vec![serde_json::to_string(&pdf_credential).unwrap(); CLASS];
    let rates = rates(vec![
        (
            "verify",
            PER_ROUND,
            Box::new(|| {
                black_box(
                    public
                        .verify_strict(black_box(&message64), &signature)
                        .is_ok(),
                );
            }),
        ),
        (
            "raw_ed",
            PER_ROUND,
            Box::new(|| {
                black_box(session.sign(&eddsa, ed, &message64).unwrap());
            }),
        ),
        (
            "cred_token",
            PER_ROUND,
            Box::new(|| {
                black_box(token_signer.sign_canonical(&unsigned, at).unwrap());
            }),
        ),
        (
            "cred_pem",
            PER_ROUND,
            Box::new(|| {
                black_box(pem_signer.sign_canonical(&unsigned, at).unwrap());
            }),
        ),
        (
            "raw_rsa",
            PER_ROUND / 4,
            Box::new(|| {
                black_box(
                    session
                        .sign(&Mechanism::Sha256RsaPkcs, rsa, &message1k)
                        .unwrap(),
                );
            }),
        ),
        (
            "seal_token",
            PER_ROUND / 4,
            Box::new(|| {
                black_box(seal.sign(&message1k).unwrap());
            }),
        ),
        (
            "pdf_plain",
            PER_ROUND / 10,
            Box::new(|| {
                black_box(render_pdf(&pdf_credential, &pdf_key, &options).unwrap());
            }),
        ),
        (
            "pdf_plain_raw2",
            PER_ROUND / 10,
            Box::new(|| {
                black_box(render_pdf(&pdf_credential, &pdf_key, &options).unwrap());
                for _ in 0..2 {
                    black_box(
                        session
                            .sign(&Mechanism::Sha256RsaPkcs, rsa, &message1k)
                            .unwrap(),
                    );
                }
            }),
        ),
        (
            "pdf_pades",
            PER_ROUND / 10,
            Box::new(|| {
                black_box(
                    render_signed_pdf(&pdf_credential, &pdf_key, &options, Some(&pki)).unwrap(),
                );
            }),
        ),
        (
            "class_plain",
            1,
            Box::new(|| {
                let pdfs = render_group_signed(&class, &pdf_key, &options, None);
                black_box(pdfs.into_iter().map(Result::unwrap).count());
            }),
        ),
        (
            "class_pades",
            1,
            Box::new(|| {
                let pdfs = render_group_signed(&class, &pdf_key, &options, Some(&pki));
                black_box(pdfs.into_iter().map(Result::unwrap).count());
            }),
        ),
    ]);
    let [
        raw_ed,
        cred_token,
        cred_pem,
        verify,
        raw_rsa_rate,
        seal_token,
        pdf_plain,
        pdf_pades,
        pdf_plain_raw2,
        class_plain,
        class_pades,
    ] = [
        "raw_ed",
        "cred_token",
        "cred_pem",
        "verify",
        "raw_rsa",
        "seal_token",
        "pdf_plain",
        "pdf_pades",
        "pdf_plain_raw2",
        "class_plain",
        "class_pades",
    ]
    .map(|name| rates[name].clone());
    let raw = raw_ed.per_sec();
    println!("SoftHSM2 {MODULE}, one thread, median of {ROUNDS} interleaved rounds");
    println!("  raw Ed25519 C_Sign (CKM_EDDSA, 64 B)        {raw:>9.0} /s");
    println!(
        "  credentials signed through the token        {:>9.0} /s  ({:.0} % of raw Ed25519)",
        cred_token.per_sec(),
        100.0 * cred_token.per_sec() / raw
    );
    println!(
        "  credentials signed with the PEM key         {:>9.0} /s  (same run, no token)",
        cred_pem.per_sec()
    );
    println!(
        "  Ed25519 verify_strict (the self-check)      {:>9.0} /s",
        verify.per_sec()
    );
    let raw_rsa = raw_rsa_rate.per_sec();
    println!("  raw RSA-2048 C_Sign (SHA256_RSA_PKCS, 1 KB)  {raw_rsa:>9.0} /s");
    println!(
        "  seal signatures through TokenSealKey (RSA)   {:>9.0} /s  ({:.0} % of raw RSA-2048)",
        seal_token.per_sec(),
        100.0 * seal_token.per_sec() / raw_rsa
    );
    let pades = pdf_pades.per_sec();
    let plain = pdf_plain.per_sec();
    let signing_ms = 1000.0 / pades - 1000.0 / plain;
    let raw_two_ms = 2000.0 / raw_rsa;
    println!(
        "  PAdES PDFs through the token (2 x RSA-2048)  {pades:>9.0} /s  ({plain:.0}/s unsigned, \
         same run)"
    );
    println!(
        "  the two signatures per PDF                 {signing_ms:>9.2} ms  (two raw RSA-2048 \
         C_Sign: {raw_two_ms:.2} ms; {:+.0} % over raw; goal < +20 %)",
        100.0 * (signing_ms / raw_two_ms - 1.0)
    );
    let cpu_signing = pdf_pades.cpu_ms() - pdf_plain.cpu_ms();
    let cpu_raw_two = 2.0 * raw_rsa_rate.cpu_ms();
    println!(
        "    the same in CPU time                     {cpu_signing:>9.2} ms  (two raw: \
         {cpu_raw_two:.2} ms; {:+.0} % over raw)",
        100.0 * (cpu_signing / cpu_raw_two - 1.0)
    );
    let cold = pdf_plain_raw2.cpu_ms() - pdf_plain.cpu_ms();
    println!(
        "    two raw C_Sign right after rendering     {cold:>9.2} ms  CPU ({:+.0} % over the \
         raw loop: the token's caches gone cold)",
        100.0 * (cold / cpu_raw_two - 1.0)
    );
    // Per PDF of a class: the op renders (and signs) CLASS PDFs.
    let per_pdf = |r: &Rate| r.per_sec() * CLASS as f64;
    let (class_pades_rate, class_plain_rate) = (per_pdf(&class_pades), per_pdf(&class_plain));
    let class_ms = 1000.0 / class_pades_rate - 1000.0 / class_plain_rate;
    println!(
        "  a class of {CLASS} through the token, in batch  {class_pades_rate:>9.0} /s  \
         ({class_plain_rate:.0}/s unsigned; rendered in groups, then signed in a row)"
    );
    println!(
        "  the two signatures per PDF of a class      {class_ms:>9.2} ms  (two raw RSA-2048 \
         C_Sign: {raw_two_ms:.2} ms; {:+.0} % over raw; goal < +20 %)",
        100.0 * (class_ms / raw_two_ms - 1.0)
    );
    let class_cpu = (class_pades.cpu_ms() - class_plain.cpu_ms()) / CLASS as f64;
    println!(
        "    the same in CPU time                     {class_cpu:>9.2} ms  (two raw: \
         {cpu_raw_two:.2} ms; {:+.0} % over raw)",
        100.0 * (class_cpu / cpu_raw_two - 1.0)
    );
    println!(
        "  PDF size                                  {pades_size:>9} B  ({plain_size} B \
         unsigned, {} B added; goal < 30000)",
        pades_size - plain_size
    );
}
