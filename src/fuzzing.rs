//! The fuzz targets' bodies (`fuzz/`, run with `cargo fuzz`), kept in the
//! library so that `tests/fuzz_regressions.rs` replays every input a fuzzer
//! ever crashed on with plain `cargo test`, on stable Rust. Each takes
//! arbitrary bytes and must neither panic nor hang.

use crate::config::Config;
use crate::engine::{Engine, Options};
use crate::rules::check::{compile_str, Scope, T};
use crate::workspace::Workspace;
use std::path::Path;

/// A small, sound workspace for packs and expressions to run over.
const SAMPLE: &str = r#"system s "Sample ICS" { regime 2022 }
authority a "Sample County Council" { kind county; tier upper; population 500_000; share @s 100% }
icb s_icb "NHS Sample ICB" {
    system @s
    member "Chair" { role chair; person "Dame A"; appointed_by nhs_england; approved_by secretary_of_state }
    membership_review every 12 months
}
icp s_icp "Sample ICP" { system @s; established_by [@s_icb, @a]; member "Chair" { role chair; person "Dame A" } }
hwb a_hwb "Sample HWB" { system @s; authority @a; functions [jsna, jhws]; regard { party @a; by [cabinet_report] } }
"#;

fn run(ws: &Workspace) -> String {
    let engine = Engine::new(ws, Options::default());
    let findings = engine.run();
    // Rendering turns every span into lines and columns: it must hold too.
    crate::report::json(&findings, &ws.sources)
}

thread_local! {
    /// The `icg` target's workspace: one file, every built-in pack. Built
    /// once per thread; each input replaces the file's text as an editor's
    /// re-check does ([`Workspace::set_text`]: the file is parsed again and
    /// the whole model lowered again from it). Building a workspace per
    /// input spent a third of each execution copying the packs' sources
    /// and cloning and dropping the compiled packs.
    static ICG_WS: std::cell::RefCell<Workspace> =
        std::cell::RefCell::new(Workspace::from_texts(&[("fuzz.icg", "")], Config::default()));
}

/// An `.icg` file: parsed, lowered and checked with every built-in pack.
pub fn icg(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    crate::syntax::assert_fast_reader_agrees(text);
    ICG_WS.with_borrow_mut(|ws| {
        let file = ws.files[0];
        ws.set_text(file, text.to_string());
        let _ = run(ws);
        // Back to the empty file, so that this input's parse and model are
        // freed within its run: libFuzzer re-runs an input whose run
        // allocated more than it freed, to look for a leak.
        ws.set_text(file, String::new());
    });
}

/// A check-language expression, compiled in the scopes rules use.
pub fn check_expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [
        None,
        Some("icb"),
        Some("hwb"),
        Some("system"),
        Some("authority"),
    ] {
        let sc = Scope {
            current: T::Block(kind),
            self_ty: T::Block(kind),
            vars: Default::default(),
        };
        let _ = compile_str(text, &sc);
    }
    let _ = compile_str(text, &Scope::empty());
}

/// A rule pack: loaded as a local pack, then run over a small workspace.
pub fn pack(data: &[u8]) {
    let ws = Workspace::with_only_pack(
        &[("sample.icg", SAMPLE)],
        Config::default(),
        Path::new("fuzz.yaml"),
        data.to_vec(),
    );
    let _ = run(&ws);
}

/// An `icslint.yaml`, from its bytes.
pub fn config(data: &[u8]) {
    let (text, _) = crate::config::decode(data.to_vec());
    let (config, _) = crate::config::load(&text);
    // The `exclude:` patterns that compiled, matched as discovery does.
    for path in [
        "",
        "north/icb.icg",
        "a/b/c/d/e/f.icg",
        "drafts/",
        "target/x.icg",
    ] {
        let _ = config.excludes.matches(path);
    }
}

/// What an editor (or anything on the other end of the pipe) sends the
/// language server: frames read until the input ends, malformed ones
/// skipped, none allocated past its limit.
pub fn lsp_input(data: &[u8]) {
    let (tx, rx) = crossbeam_channel::unbounded();
    crate::lsp::transport::read_loop(std::io::Cursor::new(data), tx);
    // Every message that came through is one the server can take apart.
    for msg in rx.try_iter() {
        let _ = serde_json::to_string(&msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `icg` target reuses one workspace: after any sequence of
    /// inputs, each is checked exactly as a fresh workspace checks it, so
    /// a crash replays from its input alone.
    #[test]
    fn the_reused_icg_workspace_checks_as_a_fresh_one_does() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/icg");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut texts: Vec<String> = files
            .iter()
            .filter_map(|f| String::from_utf8(std::fs::read(f).unwrap()).ok())
            .collect();
        assert!(texts.len() > 10, "the icg seeds are missing");
        // A syntax error, then an empty file, then a sound file again.
        texts.insert(3, "icb x \"X\" { system @s\n".into());
        texts.insert(4, String::new());
        let mut reused = Workspace::from_texts(&[("fuzz.icg", "")], Config::default());
        let mut rules = std::collections::BTreeSet::new();
        for text in texts.iter().chain(texts.iter().rev()) {
            let file = reused.files[0];
            reused.set_text(file, text.clone());
            let fresh = Workspace::from_texts(&[("fuzz.icg", text)], Config::default());
            let (a, b) = (run(&reused), run(&fresh));
            assert_eq!(a, b, "for:\n{text}");
            rules.extend(
                Engine::new(&fresh, Options::default())
                    .run()
                    .into_iter()
                    .map(|f| f.rule),
            );
        }
        // The comparison covers syntax errors, lowering and pack findings.
        for id in ["ICG001", "ICG004", "STA010"] {
            assert!(rules.contains(id), "no {id} among {rules:?}");
        }
    }
}
