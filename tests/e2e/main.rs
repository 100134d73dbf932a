//! End-to-end tests across the crates, one binary (modules listed here).

mod dev_keys;
mod examples;
mod landing_paper;
mod online;
mod paper;
