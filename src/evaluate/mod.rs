//! Turning collected data, rules and config into findings. Never prints or reads the environment.

pub mod audit;
pub mod compare;
pub mod exceptions;
pub mod leaks;
pub mod merge;
pub mod policy;
pub mod posture;
pub mod scan;
pub mod selftest;
