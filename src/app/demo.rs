//! `ksef-audit demo`: the whole pipeline on the built-in example firm, served by the
//! in-process simulator. (Filled in once the simulator lands.)

use anyhow::{Result, bail};

use crate::cli::{DemoArgs, GlobalArgs};
use crate::error::Outcome;

pub fn run(_global: &GlobalArgs, _args: &DemoArgs) -> Result<Outcome> {
    bail!("`ksef-audit demo` needs the simulator, which is not in this build yet")
}
