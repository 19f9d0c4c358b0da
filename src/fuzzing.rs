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

fn run(ws: &Workspace) -> usize {
    let engine = Engine::new(ws, Options::default());
    let findings = engine.run();
    // Rendering turns every span into lines and columns: it must hold too.
    crate::report::json(&findings, &ws.sources).len()
}

/// An `.icg` file: parsed, lowered and checked with every built-in pack.
pub fn icg(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    crate::syntax::assert_fast_reader_agrees(text);
    let ws = Workspace::from_texts(&[("fuzz.icg", text)], Config::default());
    run(&ws);
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
    run(&ws);
}

/// An `icslint.yaml`, from its bytes.
pub fn config(data: &[u8]) {
    let (text, _) = crate::config::decode(data.to_vec());
    let _ = crate::config::load(&text);
}
