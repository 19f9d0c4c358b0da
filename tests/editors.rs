//! The editor set-ups in `editors/`: the VS Code extension's manifest names
//! files that exist, its TextMate grammar tokenises ICG as intended (with
//! vscode-textmate, VS Code's own engine) and `vsce package` builds it.
//! The last two need npm and the npm registry: without them the test says
//! so and skips. The Neovim set-up, installed as the README says, gives an
//! `.icg` file its filetype and starts the server, whose diagnostics reach
//! the buffer (headless Neovim; skipped, with a message, without `nvim`).

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
    let nvim = std::fs::read_to_string(root.join("editors/neovim/after/ftplugin/icg.lua")).unwrap();
    assert!(nvim.contains("cmd = { \"icslint\", \"lsp\" }"));
    let detect = std::fs::read_to_string(root.join("editors/neovim/ftdetect/icg.vim")).unwrap();
    assert!(detect.contains("*.icg setfiletype icg"));
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

/// Neovim, headless, with `editors/neovim` copied into its configuration
/// folder as the README says: an `.icg` file gets filetype `icg`, one
/// `icslint` client attaches, rooted at the nearest `icslint.yaml`, and the
/// buffer receives the server's diagnostics. Run with the Neovim on the
/// PATH (Debian 12's is 0.7.2; `.ci/run` installs it).
#[test]
fn neovim_detects_icg_and_shows_the_servers_diagnostics() {
    let version = match run(Command::new("nvim").arg("--version")) {
        Ok(v) => v.lines().next().unwrap_or_default().to_string(),
        Err(_) => {
            eprintln!("skipped: nvim (Neovim) is not installed (Debian: apt-get install neovim)");
            return;
        }
    };
    let root = common::root();
    let dir = common::scratch("neovim");
    let config = dir.join("config/nvim");
    for part in ["ftdetect", "after"] {
        copy_dir(&root.join("editors/neovim").join(part), &config.join(part));
    }
    let ws = dir.join("workspace");
    common::write(&ws, "icslint.yaml", "# the workspace's root\n");
    for e in std::fs::read_dir(root.join("examples/riverbend")).unwrap() {
        let p = e.unwrap().path();
        common::write(
            &ws.join("docs"),
            p.file_name().unwrap().to_str().unwrap(),
            &std::fs::read_to_string(&p).unwrap(),
        );
    }
    let probe = common::write(&dir, "probe.lua", PROBE);
    let out_file = dir.join("out.json");
    let bin = Path::new(env!("CARGO_BIN_EXE_icslint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut child = Command::new("nvim")
        .args(["--headless", "-c"])
        .arg(format!("luafile {}", probe.display()))
        .env("PATH", path)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("ICSLINT_PROBE_FILE", ws.join("docs/places.icg"))
        .env("ICSLINT_PROBE_OUT", &out_file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{version} did not finish within 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&out_file).unwrap_or_else(|e| {
        panic!(
            "{version} wrote no result ({e}): {:?}",
            child.wait_with_output()
        )
    });
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["filetype"], "icg", "{version}: {v}");
    assert_eq!(v["commentstring"], "# %s", "{version}: {v}");
    let clients = v["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{version}: {v}");
    assert_eq!(clients[0]["name"], "icslint");
    assert_eq!(
        Path::new(clients[0]["root"].as_str().unwrap())
            .canonicalize()
            .unwrap(),
        ws.canonicalize().unwrap(),
        "{version}: rooted at the icslint.yaml"
    );
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["code"] == "CCN171"
            && d["line"] == 19
            && d["message"]
                .as_str()
                .unwrap()
                .contains("Portmouth Place is not fully defined")),
        "{version}: {v}"
    );
}

/// Opens the file Neovim is given, waits for diagnostics, and writes what
/// the buffer has as JSON (Neovim 0.7's API, which later ones keep).
const PROBE: &str = r#"
local buf
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.ICSLINT_PROBE_FILE))
  buf = vim.api.nvim_get_current_buf()
  vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
end)
local clients = {}
for _, c in pairs(vim.lsp.get_active_clients()) do
  if buf and vim.lsp.buf_is_attached(buf, c.id) then
    table.insert(clients, { name = c.name, root = c.config.root_dir })
  end
end
local diags = {}
for _, d in ipairs(buf and vim.diagnostic.get(buf) or {}) do
  table.insert(diags, { line = d.lnum + 1, message = d.message, code = d.code or vim.NIL })
end
vim.fn.writefile({ vim.fn.json_encode({
  error = ok and vim.NIL or tostring(err),
  filetype = buf and vim.bo[buf].filetype or vim.NIL,
  commentstring = buf and vim.bo[buf].commentstring or vim.NIL,
  clients = clients,
  diagnostics = diags,
}) }, vim.env.ICSLINT_PROBE_OUT)
vim.cmd("qa!")
"#;
