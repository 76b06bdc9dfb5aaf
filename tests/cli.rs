//! The command line as a product surface: `--help`, the printing subcommands, and the `demo`
//! world behind `flightdeck demo --serve-only`.

use std::process::Command;

use clap::CommandFactory;
use flightdeck::cli::Cli;

fn flightdeck(args: &[&str], config_home: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .env_clear()
        .env("HOME", config_home)
        .env("XDG_CONFIG_HOME", config_home.join("config"))
        .env("XDG_STATE_HOME", config_home.join("state"))
        .output()
        .expect("run flightdeck")
}

#[test]
fn help_text() {
    let help = Cli::command()
        .term_width(100)
        .render_long_help()
        .to_string();
    insta::assert_snapshot!(help);
}

#[test]
fn every_flag_has_an_environment_variable() {
    let command = Cli::command();
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if ["help", "version"].contains(&id) {
            continue;
        }
        let env = arg
            .get_env()
            .unwrap_or_else(|| panic!("--{id} has no env var"));
        assert_eq!(
            env.to_string_lossy(),
            format!("FLIGHTDECK_{}", id.to_ascii_uppercase())
        );
    }
}

#[test]
fn demo_serve_only_runs_the_world_for_kubectl_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().expect("temp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["demo", "--serve-only", "--speed", "50", "--state-dir"])
        .arg(home.path().join("world"))
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start demo");
    let stdout = child.stdout.take().expect("stdout");
    let mut kubeconfig = None;
    let mut metrics = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(path) = line.strip_prefix("kubeconfig:") {
            kubeconfig = Some(path.trim().to_string());
        }
        if let Some(url) = line.strip_prefix("metrics:") {
            metrics = Some(url.trim().to_string());
        }
        if line.starts_with("stop with ctrl-c") {
            break;
        }
    }
    let kubeconfig = kubeconfig.expect("the kubeconfig path is printed");
    assert!(metrics.is_some_and(|m| m.starts_with("http://127.0.0.1:") && m.ends_with("/metrics")));
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let output = Command::new("kubectl")
            .args(["get", "applications", "-n", "argocd", "-o", "name"])
            .env("KUBECONFIG", &kubeconfig)
            .env("KUBECACHEDIR", home.path().join("cache"))
            .output()
            .expect("kubectl");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "application.argoproj.io/demo-app-dev\napplication.argoproj.io/demo-app-prod\napplication.argoproj.io/demo-app-staging\n"
        );
    } else {
        eprintln!("SKIPPED the kubectl part: kubectl is not on the PATH");
    }
    let pid = child.id().to_string();
    Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(
        child.wait().expect("wait").success(),
        "ctrl-c stops the world cleanly"
    );
}

#[test]
fn keys_prints_the_effective_bindings() {
    let home = tempfile::tempdir().expect("temp");
    let output = flightdeck(&["keys", "--keymap", "emacs", "pipeline"], home.path());
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("keymap: emacs"), "{stdout}");
    assert!(stdout.contains("ctrl-n       select-next"), "{stdout}");
    assert!(!stdout.contains("\n  j "), "{stdout}");
    let output = flightdeck(&["keys", "nowhere"], home.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn themes_lists_builtins_and_user_themes() {
    let home = tempfile::tempdir().expect("temp");
    let dir = home.path().join("config/flightdeck/themes");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("ocean.toml"),
        "[meta]\ndescription = \"deep blue\"\n",
    )
    .expect("write");
    let output = flightdeck(&["themes", "--theme", "ocean"], home.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("* ocean            user      deep blue"),
        "{stdout}"
    );
    assert!(stdout.contains("  mono             built-in"), "{stdout}");
}

#[test]
fn config_check_reports_file_and_line_and_fails() {
    let home = tempfile::tempdir().expect("temp");
    let config = home.path().join("config/flightdeck");
    std::fs::create_dir_all(config.join("keymaps")).expect("mkdir");
    std::fs::write(
        config.join("config.toml"),
        "theme = \"default\"\nread_only = maybe\n",
    )
    .expect("write");
    std::fs::write(
        config.join("keymaps/mine.toml"),
        "[global]\n\"x\" = \"explode\"\n",
    )
    .expect("write");
    let output = flightdeck(&["config", "check"], home.path());
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let config_file = config.join("config.toml").display().to_string();
    assert!(
        stdout.contains(&format!("{config_file}:2: not valid TOML")),
        "{stdout}"
    );
    let keymap_file = config.join("keymaps/mine.toml").display().to_string();
    assert!(
        stdout.contains(&format!(
            "{keymap_file}:2: [global] `x`: unknown action `explode`"
        )),
        "{stdout}"
    );
    std::fs::write(config.join("config.toml"), "theme = \"light\"\n").expect("write");
    std::fs::remove_file(config.join("keymaps/mine.toml")).expect("rm");
    let output = flightdeck(&["config", "check"], home.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn completions_are_generated() {
    let home = tempfile::tempdir().expect("temp");
    let output = flightdeck(&["completions", "bash"], home.path());
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("--prometheus-url"));
}
