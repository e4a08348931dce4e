//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod cli;
pub mod fixture;
pub mod git;
pub mod ksef;
pub mod schema;
pub mod sim;
