//! End-to-end tests across the crates, one binary (modules listed here).

mod dev_keys;
mod examples;
mod federation;
mod online;
mod paper;
