//! End-to-end tests across the crates, one binary (modules listed here).

mod admissions;
mod dev_keys;
mod examples;
mod online;
mod paper;
