//! Reading the world: the KSeF API, CSV files, the exceptions file, trees and git.
//! Returns plain `model` values; nothing here evaluates or prints.

pub mod access_register;
pub mod exceptions;
pub mod inventory;
pub mod results;
pub mod staff;
pub mod table;
