//! The built-in packs' compiled form made ahead (`rules::frozen`,
//! `src/rules/builtin-packs.postcard`) against a compile of the same texts
//! now: a pack or compiler edit that leaves the form stale fails here, not
//! in a user's run (where a stale form is refused by its key and the packs
//! compiled at run time). `ICSLINT_FREEZE=1 cargo test --test frozen_packs`
//! makes the form again.

use icslint::rules::{frozen, pack};

#[test]
fn the_kept_form_is_the_packs_compiled_now() {
    let (packs, findings) = pack::compile_builtin_now();
    assert!(
        findings.is_empty(),
        "the built-in packs must compile cleanly: {findings:#?}"
    );
    let made = frozen::freeze(&packs);
    if made == frozen::kept() {
        return;
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(frozen::FORM_PATH);
    if std::env::var_os("ICSLINT_FREEZE").is_some() {
        std::fs::write(&path, &made).unwrap();
        eprintln!(
            "wrote {} ({} bytes); build again to use it",
            path.display(),
            made.len()
        );
        return;
    }
    panic!(
        "{} is stale (the packs or their compiler changed): run \
         `ICSLINT_FREEZE=1 cargo test --test frozen_packs` and commit it",
        frozen::FORM_PATH
    );
}

#[test]
fn the_form_reads_back_to_the_same_packs() {
    let (packs, _) = pack::compile_builtin_now();
    let made = frozen::freeze(&packs);
    let read = frozen::thaw_form(&made).expect("a form made by this build reads back");
    assert_eq!(read.len(), packs.len());
    // Everything serde writes reads back: written again, the same bytes.
    assert_eq!(frozen::freeze(&read), made);
    // And what is not in the bytes' comparison by construction: each
    // rule's debug form (messages aside, a map in no order), rule by rule.
    for (a, b) in read.iter().zip(&packs) {
        assert_eq!(a.rules.len(), b.rules.len(), "{}", a.name);
        for (x, y) in a.rules.iter().zip(&b.rules) {
            let (mut x, mut y) = (x.clone(), y.clone());
            let (mx, my) = (
                std::mem::take(&mut x.messages),
                std::mem::take(&mut y.messages),
            );
            assert_eq!(format!("{x:?}"), format!("{y:?}"), "{}", y.id);
            let mut mx: Vec<_> = mx.into_iter().map(|(k, v)| format!("{k}{v:?}")).collect();
            let mut my: Vec<_> = my.into_iter().map(|(k, v)| format!("{k}{v:?}")).collect();
            mx.sort();
            my.sort();
            assert_eq!(mx, my, "{}", y.id);
        }
    }
}

#[test]
fn a_stale_or_damaged_form_is_refused_not_misread() {
    let (packs, _) = pack::compile_builtin_now();
    let made = frozen::freeze(&packs);
    // Another key: another version of the packs or of their compiler.
    let mut other = made.clone();
    other[0] ^= 1;
    assert!(frozen::thaw_form(&other).is_none());
    // Cut short anywhere, or empty (the file before it is first made).
    for cut in [0, 1, 9, made.len() / 3, made.len() - 1] {
        assert!(frozen::thaw_form(&made[..cut]).is_none(), "cut at {cut}");
    }
}

#[test]
fn a_run_gets_the_packs_compiled_now_and_reads_the_form_when_fresh() {
    let now = frozen::freeze(&pack::compile_builtin_now().0);
    // The form is read exactly when it is the packs compiled now.
    assert_eq!(frozen::thaw().is_some(), now == frozen::kept());
    // Either way, a workspace gets the packs compiled now.
    let mut sources = icslint::source::Sources::default();
    let (packs, findings) = icslint::rules::builtin_packs(&mut sources);
    assert!(findings.is_empty());
    assert_eq!(frozen::freeze(&packs), now);
}
