//! ksef-audit: keeps KSeF authentication tokens under control.
//!
//! Data flows one way: [`collect`] reads the world (KSeF API, CSV files, trees, git),
//! [`evaluate`] turns it into findings, [`render`] writes them. [`app`] wires the
//! three together per command; only `app`, `render` and the binary print.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod inputs;
pub mod render;
