//! The application layer: each of the issuer's use cases written once, for every entry point
//! (the CLI commands, the HTTP handlers, the web app, the benches) to call. Entry points only
//! translate their input and output; the rules of *how* live here.
//!
//! * `keyring` — which key signs for a school at a time, and which key signed a credential.
//! * `names` — how a pupil's files are named.
//! * `pupil` — how a pupil is recognised across imports, years and entry points.
//!
//! (Work in progress: the import, validate, sign, render, revoke, share and publish use cases
//! move here from the entry points one at a time; see the project's application-layer issue.)

pub mod keyring;
pub mod names;
pub mod pupil;
