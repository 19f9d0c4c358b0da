//! The editor set-ups in `editors/`: the VS Code extension's manifest names
//! files that exist, its TextMate grammar tokenises ICG as intended (with
//! vscode-textmate, VS Code's own engine) and `vsce package` builds it.
//! The last two need npm and the npm registry: without them the test says
//! so and skips.

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_vscode_manifest_names_files_that_exist() {
    let dir = common::root().join("editors/vscode");
    let manifest = json(&dir.join("package.json"));
    let main = manifest["main"].as_str().unwrap();
    assert!(dir.join(main).is_file(), "{main}");
    let grammar = &manifest["contributes"]["grammars"][0];
    let grammar_path = dir.join(grammar["path"].as_str().unwrap());
    let g = json(&grammar_path);
    assert_eq!(g["scopeName"], grammar["scopeName"]);
    let lang = &manifest["contributes"]["languages"][0];
    assert_eq!(lang["extensions"][0], ".icg");
    json(&dir.join(lang["configuration"].as_str().unwrap()));
    // Every pattern the grammar includes is defined.
    let text = std::fs::read_to_string(&grammar_path).unwrap();
    for inc in text.split("\"include\": \"#").skip(1) {
        let name = &inc[..inc.find('"').unwrap()];
        assert!(
            g["repository"].get(name).is_some(),
            "#{name} is not defined"
        );
    }
}

#[test]
fn the_editor_snippets_start_the_server() {
    let root = common::root();
    let helix = std::fs::read_to_string(root.join("editors/helix/languages.toml")).unwrap();
    assert!(helix.contains("command = \"icslint\"") && helix.contains("args = [\"lsp\"]"));
    let nvim = std::fs::read_to_string(root.join("editors/neovim/icslint.lua")).unwrap();
    assert!(nvim.contains("cmd = { \"icslint\", \"lsp\" }"));
}

fn run(cmd: &mut Command) -> Result<String, String> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => Err(format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "node_modules" || name.to_string_lossy().ends_with(".vsix") {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn the_vscode_extension_tokenises_and_packages() {
    if run(Command::new("npm").arg("--version")).is_err() {
        eprintln!("skipped: npm is not installed (needed to test the TextMate grammar and run `vsce package`)");
        return;
    }
    let dir = common::scratch("vscode-extension");
    copy_dir(&common::root().join("editors/vscode"), &dir);
    if let Err(e) = run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir))
    {
        eprintln!("skipped: `npm install` of the extension's dependencies failed (is the npm registry reachable?):\n{e}");
        return;
    }
    let tokens = run(Command::new("node")
        .arg("test/grammar.js")
        .current_dir(&dir));
    assert!(
        tokens.is_ok(),
        "the grammar's tokens: {}",
        tokens.unwrap_err()
    );
    let packaged = run(Command::new("npm")
        .args(["run", "package"])
        .current_dir(&dir));
    assert!(packaged.is_ok(), "vsce package: {}", packaged.unwrap_err());
    let vsix = dir.join("icslint.vsix");
    assert!(std::fs::metadata(&vsix)
        .map(|m| m.len() > 1000)
        .unwrap_or(false));
}
