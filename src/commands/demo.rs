//! `flightdeck demo`: for now only `--serve-only`, which runs the embedded Kubernetes API server
//! and prints where its kubeconfig is, so kubectl and other tools can be pointed at it. The
//! simulated world and the cockpit on top of it are not built yet, and the command says so.

use std::process::ExitCode;

use color_eyre::eyre::{Result, WrapErr};

use crate::cli::DemoArgs;
use crate::demo::apiserver::{ApiServer, ServerOptions};

/// What `flightdeck demo` says until the demo world exists.
pub const WORLD_NOT_BUILT: &str = "flightdeck demo: the simulated GitOps world (controllers, metrics and Git repositories) \
and the cockpit on top of it are not built yet in this version, so there is nothing to show.\n\
Nothing was started. `flightdeck demo --serve-only` runs the embedded Kubernetes API server alone; \
`flightdeck` runs the cockpit against a real cluster (it reads KUBECONFIG like kubectl).";

pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    if !args.serve_only {
        eprintln!("{WORLD_NOT_BUILT}");
        return Ok(ExitCode::from(2));
    }
    let kubeconfig = match &args.kubeconfig_out {
        Some(path) => path.clone(),
        None => crate::settings::paths::default_log_file()
            .and_then(|log| log.parent().map(|dir| dir.join("demo").join("kubeconfig")))
            .unwrap_or_else(|| std::env::temp_dir().join("flightdeck-demo-kubeconfig")),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(async {
        let options = ServerOptions {
            port: args.port,
            ..ServerOptions::default()
        };
        let server = ApiServer::start(options)
            .await
            .wrap_err_with(|| format!("cannot start the API server on 127.0.0.1:{}", args.port))?;
        if let Some(path) = &args.request_log {
            server
                .state
                .requests
                .to_file(path)
                .wrap_err_with(|| format!("cannot open the request log {}", path.display()))?;
        }
        server
            .write_kubeconfig(&kubeconfig, "default", None)
            .wrap_err_with(|| format!("cannot write the kubeconfig {}", kubeconfig.display()))?;
        println!("flightdeck demo API server listening on {}", server.url());
        println!("kubeconfig: {}", kubeconfig.display());
        println!(
            "try: kubectl --kubeconfig {} api-resources",
            kubeconfig.display()
        );
        println!("stop with ctrl-c");
        tokio::signal::ctrl_c()
            .await
            .wrap_err("cannot wait for ctrl-c")?;
        server.stop();
        Ok(ExitCode::SUCCESS)
    })
}
