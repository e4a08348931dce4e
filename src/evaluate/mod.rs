//! evaluate/: turns collected values and rules into findings; never prints.

pub mod policy;
