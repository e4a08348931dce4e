//! Where the leak scanner reads bytes from: trees, archives, standard input and git history.

pub mod git;
