//! collect/: the only code that reads the world (KSeF API, CSV files, trees, git).

pub mod inventory;
pub mod staff;
pub mod table;
