//! `flightdeck demo`: the simulated GitOps world (embedded API server, controllers, Git
//! repositories, metrics endpoint) and the cockpit connected to it through a generated kubeconfig,
//! exactly as it would connect to a real cluster. `--serve-only` runs the world alone and prints
//! where to point kubectl, git and Prometheus.

use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::cli::DemoArgs;
use crate::demo::world::{World, WorldOptions};
use crate::settings::Loaded;

pub fn run(args: &DemoArgs, mut loaded: Loaded) -> Result<ExitCode> {
    let state_dir = match &args.state_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("flightdeck-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&state_dir)
        .wrap_err_with(|| format!("cannot create {}", state_dir.display()))?;
    if args.serve_only {
        if let Err(warning) = crate::logging::init(&state_dir.join("flightdeck-demo.log")) {
            eprintln!("warning: {warning}");
        }
    } else {
        crate::start_logging(&mut loaded);
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
            metrics_port: args.metrics_port,
            commit_every: (args.commit_every > 0).then(|| Duration::from_secs(args.commit_every)),
            bad_every: args.bad_every,
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
        if !args.serve_only {
            loaded.settings.kubeconfig = Some(kubeconfig);
            loaded.settings.context = Some("flightdeck-demo".into());
            // The demo spans several namespaces: show them all unless -n says otherwise.
            if loaded.settings.namespace.is_none() {
                loaded.settings.all_namespaces = true;
            }
            loaded.settings.gitops_repo =
                Some(world.context.repos.custom_apps.path.display().to_string());
            // No Prometheus server in the demo: scrape the demo app's endpoint directly.
            if loaded.settings.prometheus_url.is_none() {
                loaded
                    .settings
                    .metrics_scrape
                    .get_or_insert_with(|| format!("http://{}/metrics", world.metrics_address));
            }
            let code = crate::cockpit(loaded).await;
            drop(world);
            return code;
        }
        println!(
            "flightdeck demo world running (speed {}×), API server {}",
            args.speed,
            world.server.url()
        );
        println!("kubeconfig:      {}", kubeconfig.display());
        println!("metrics:         http://{}/metrics", world.metrics_address);
        println!(
            "GitOps repo:     {}",
            world.context.repos.custom_apps.path.display()
        );
        println!(
            "app source repo: {}",
            world.context.repos.demo_app.path.display()
        );
        println!(
            "log:             {}",
            state_dir.join("flightdeck-demo.log").display()
        );
        println!(
            "try: kubectl --kubeconfig {} get applications,rollouts,stages -A",
            kubeconfig.display()
        );
        println!("stop with ctrl-c");
        tokio::signal::ctrl_c()
            .await
            .wrap_err("cannot wait for ctrl-c")?;
        drop(world);
        Ok(ExitCode::SUCCESS)
    })
}
