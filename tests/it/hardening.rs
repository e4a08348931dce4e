//! Issue 13: every promise holds under hostile input, hostile servers and edited files.
//! One regression test per point, named `issue_13_<topic>`; the property tests of the parsers
//! that take outside input live in `tests/properties.rs`.

mod verify;

mod inputs;

mod bounded;

mod output;

mod revoke;
