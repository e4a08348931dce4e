//! ksef-audit, the binary: keeps KSeF access under control.
//!
//! A thin layer over the workspace's crates: [`cli`] parses the flags, [`config`] turns
//! `ksef-audit.toml` into a validated config, [`inputs`] reads the CSV and TOML files a user
//! keeps (inventory, staff, exceptions, access register, earlier results), [`render`]
//! writes every output format, and [`app`] wires one command each: `ksef_client` collects,
//! `ksef_policy` and `ksef_leaks` evaluate, [`render`] writes. Only `app`, `render` and the
//! binary print. [`demo`] is the built-in example firm.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod inputs;
pub mod render;
