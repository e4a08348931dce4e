//! A simulator serving a fixture on loopback for one test, on its own runtime, shut down
//! when dropped.

use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;

pub struct RunningSim {
    rt: tokio::runtime::Runtime,
    sim: Option<SimHandle>,
}

impl RunningSim {
    pub fn start(fixture: Fixture) -> RunningSim {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sim = rt
            .block_on(ksef_sim::start(fixture, SimOptions::default()))
            .expect("simulator");
        RunningSim { rt, sim: Some(sim) }
    }

    pub fn handle(&self) -> &SimHandle {
        self.sim.as_ref().expect("running")
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}
