//! `grantscope completions SHELL` prints clap's completion script for each shell, naming
//! every subcommand; an unknown shell is refused with the list of known ones.

use std::process::Command;

fn grantscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .output()
        .expect("run grantscope")
}

#[test]
fn completions_name_every_subcommand_in_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = grantscope(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for sub in [
            "serve",
            "report",
            "inventory",
            "lesson",
            "credentials",
            "completions",
        ] {
            assert!(script.contains(sub), "{shell} completes {sub}");
        }
    }
    let out = grantscope(&["completions", "cmd.exe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: bash"));
}
