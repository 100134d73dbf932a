//! The application layer: each of the issuer's use cases written once, for every entry point
//! (the CLI commands, the HTTP handlers, the web app, the benches) to call. Entry points only
//! translate their input and output; the rules of *how* live here. Use cases take the time
//! as an argument; only background jobs read the [`Issuer`]'s clock.
//!
//! * [`Issuer`] — what the use cases share: the store, the key ring of the service, the
//!   publication cache and the settings.
//! * `keyring` — which key signs for a school at a time, and which key signed a credential;
//!   `school_keys` — the same rule over the latest published version, for a running service.
//! * `accounts` — who signs in to the web app, who creates whom, sessions, own API tokens.
//! * `import` — files and JSON into drafts: one conversion, one school check, one report.
//! * `edit` — a draft corrected at the version read.
//! * `validate` — a record, a class or a school year marked validated.
//! * `share` — a family's guardian token for one pupil; `share_codes` — the codes a family
//!   makes to give chosen credentials to a portal.
//! * `sign` — signing batches: what to sign, idempotency, nothing-to-sign; `sign_runner` runs
//!   them under a lease in the background and takes over abandoned ones.
//! * `revoke` — a credential revoked, with a published reason; `correction` — the new draft
//!   that re-issues a revoked record, and the links between the two.
//! * `render` — PDFs and class ZIPs of stored credentials, QR signed by the credential's key.
//! * `signed_pdfs` — the PDFs a batch signs with the principal's key on a token (PIN given at
//!   signing time), stored and handed out as made.
//! * `publish` — the service following a newly published trust-list version.
//! * `trust_publish` — a trust-list version published by a running service, once per press.
//! * `register` — a school of the trust list into the store.
//! * `family` — a guardian's pages: the pupil's records as PDFs, share codes and their uses.
//! * `class_file` — the teacher's upload shown as its sheet, a row or a draft corrected as cells.
//! * `coverage` — the province's records signed, expected and held back, per school and
//!   reason, for the Department.
//! * `overview` — a school's classes with records by state, a class's roster by pupil name.
//! * `names` — how a pupil's files are named and how a pupil is named in lists.
//! * `vi_order` — Vietnamese alphabetical order (class lists by pupil name).
//! * `pupil` — how a pupil is recognised across imports, years and entry points.
//! * `vc_issue` — one credential handed over whole (W3C VC-API) issued through import,
//!   validation and signing.

pub mod accounts;
pub mod class_file;
pub mod correction;
pub mod coverage;
pub mod edit;
pub mod family;
pub mod import;
pub mod keyring;
pub mod names;
pub mod national;
pub mod overview;
pub mod own_tokens;
mod passwords;
pub mod publish;
pub mod pupil;
pub mod register;
pub mod render;
pub mod revoke;
pub mod school_keys;
pub mod share;
pub mod share_codes;
pub mod sign;
mod sign_runner;
pub mod signed_pdfs;
pub mod trust_publish;
pub mod validate;
pub mod vc_issue;
pub mod vi_order;

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::error::IssuerError;
use crate::signing::Signer;
use crate::status_lists::Publication;
use crate::store::Store;
use school_keys::SchoolKeys;

/// Where a service gets the time from (tests pin it).
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// What the use cases need to know about the deployment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public base URL of this service; status list URLs in credentials are
    /// `{public_base}/status/{school code}/{list id}`.
    pub public_base: String,
    /// Base URL of the verifier page the QR codes of PDFs open.
    pub verifier_url: String,
    /// Batches with more records than this run as a background job.
    pub background_threshold: usize,
}

/// The issuer as the entry points see it. Cheap to clone.
#[derive(Clone)]
pub struct Issuer {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    keys: SchoolKeys,
    settings: Settings,
    clock: Clock,
    publication: Publication,
    /// Where the principals' keys are when they are on tokens (`signed_pdfs`).
    principal_tokens: std::sync::OnceLock<crate::token::principal::PrincipalTokens>,
}

impl fmt::Debug for Issuer {
    /// Keys and the store's URL are not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("store", &self.inner.store)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// The issuer over `store`, signing with `keys`, with time from `clock` (background jobs
    /// only: use cases take the time as an argument).
    pub fn new(store: Store, keys: SchoolKeys, settings: Settings, clock: Clock) -> Self {
        let publication = Publication::new(keys.trust_list_bytes());
        Issuer {
            inner: Arc::new(Inner {
                store,
                keys,
                settings,
                clock,
                publication,
                principal_tokens: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The issuer of a command-line tool that does not sign (no key ring; the clock stopped at
    /// `now`, the command's time).
    pub fn offline(store: Store, now: OffsetDateTime) -> Self {
        Self::new(
            store,
            SchoolKeys::empty(),
            Settings {
                public_base: String::new(),
                verifier_url: String::new(),
                background_threshold: usize::MAX,
            },
            Arc::new(move || now),
        )
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The keys.
    pub fn keys(&self) -> &SchoolKeys {
        &self.inner.keys
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The principals' keys are on tokens, unlocked by the principal's PIN at signing time
    /// (`serve --principal-token`); set once, at start. `false` when it was set already.
    pub fn set_principal_tokens(&self, tokens: crate::token::principal::PrincipalTokens) -> bool {
        self.inner.principal_tokens.set(tokens).is_ok()
    }

    /// Where the principals' keys are, when they are on tokens.
    pub fn principal_tokens(&self) -> Option<&crate::token::principal::PrincipalTokens> {
        self.inner.principal_tokens.get()
    }

    /// The current time of the clock (background jobs).
    pub fn now(&self) -> OffsetDateTime {
        (self.inner.clock)()
    }

    /// The published trust list and the cache of signed status lists.
    pub fn publication(&self) -> &Publication {
        &self.inner.publication
    }

    /// The key that signs for the school `code` at `at` (the key ring's one rule); the error
    /// names the school and what to do.
    pub fn signer(&self, code: &str, at: OffsetDateTime) -> Result<Arc<Signer>, IssuerError> {
        self.inner.keys.signer_at(code, at).map(Arc::new)
    }
}
