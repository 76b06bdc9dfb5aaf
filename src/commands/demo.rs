//! `flightdeck demo`: the simulated GitOps world. `--serve-only` runs the world without the
//! cockpit and prints where to point kubectl and git; without it the command still says that the
//! cockpit on top of the world is not wired up yet.

use std::process::ExitCode;

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::cli::DemoArgs;
use crate::demo::world::{World, WorldOptions};

/// What `flightdeck demo` says until the cockpit runs on the world.
pub const WORLD_NOT_BUILT: &str = "flightdeck demo: the cockpit on top of the simulated world is not built yet in this \
version, so there is nothing to show.\nNothing was started. `flightdeck demo --serve-only` runs the simulated GitOps \
world alone (API server, controllers, Git repositories); `flightdeck` runs the cockpit against a real cluster (it reads \
KUBECONFIG like kubectl).";

pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    if !args.serve_only {
        eprintln!("{WORLD_NOT_BUILT}");
        return Ok(ExitCode::from(2));
    }
    let state_dir = match &args.state_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("flightdeck-demo-{}", std::process::id())),
    };
    let log = state_dir.join("flightdeck-demo.log");
    if let Err(warning) = crate::logging::init(&log) {
        eprintln!("warning: {warning}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(async {
        let options = WorldOptions {
            speed: args.speed,
            seed: args.seed,
            state_dir: state_dir.clone(),
            port: args.port,
        };
        let world = World::start(options)
            .await
            .map_err(|e| eyre!(e))
            .wrap_err("cannot start the demo world")?;
        if let Some(path) = &args.request_log {
            world
                .server
                .state
                .requests
                .to_file(path)
                .wrap_err_with(|| format!("cannot open the request log {}", path.display()))?;
        }
        let kubeconfig = match &args.kubeconfig_out {
            Some(path) => {
                world
                    .server
                    .write_kubeconfig(path, "demo-app-dev", None)
                    .wrap_err_with(|| format!("cannot write the kubeconfig {}", path.display()))?;
                path.clone()
            }
            None => world.kubeconfig.clone(),
        };
        println!(
            "flightdeck demo world running (speed {}×), API server {}",
            args.speed,
            world.server.url()
        );
        println!("kubeconfig:      {}", kubeconfig.display());
        println!(
            "GitOps repo:     {}",
            world.context.repos.custom_apps.path.display()
        );
        println!(
            "app source repo: {}",
            world.context.repos.demo_app.path.display()
        );
        println!(
            "try: kubectl --kubeconfig {} get applications,rollouts -A",
            kubeconfig.display()
        );
        println!("log:             {}", log.display());
        println!("stop with ctrl-c");
        tokio::signal::ctrl_c()
            .await
            .wrap_err("cannot wait for ctrl-c")?;
        drop(world);
        Ok(ExitCode::SUCCESS)
    })
}
