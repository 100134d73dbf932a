//! Integration tests of the record format: the valid examples pass both the JSON Schema and the
//! Rust validator, every invalid example gets exactly the problems its expectation file lists,
//! structural mutations are rejected by both, and reading bytes never panics.

#![allow(clippy::unwrap_used)]

mod api;
mod examples;
mod invalid;
mod mutations;
mod rules;
mod support;
