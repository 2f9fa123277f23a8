//! When several elements fail, the error reported is the first in input
//! order (partition, then position), whatever the thread count, the
//! blocksize and the schedule: the same run always fails the same way.

mod common;

use flow::exec::ExecOptions;

/// The message of the error a run of `src` reports.
fn error_of(src: &str, threads: usize) -> String {
    let plan = common::plan(src, true);
    match flow::driver::run(&plan, &ExecOptions::new(threads)) {
        Ok(_) => panic!("{src} should fail"),
        Err(d) => d.0[0].message.clone(),
    }
}

#[test]
fn the_first_bad_element_in_input_order_is_reported() {
    // `range 1100000` is two partitions, 0..550000 and 550000..1100000: the
    // second one's bad element is met first on two threads, but comes later
    // in the input.
    let src = r#"range 1100000 | map int(str(it) ++ ["", "x"][int(it == 549990 or it == 550010 or it == 1090000)])"#;
    for threads in [1, 2, 4] {
        assert_eq!(
            error_of(src, threads),
            "invalid literal for int(): '549990x'",
            "threads {threads}"
        );
    }
    // The same through an aggregation that ignores order, and one that sees it.
    for tail in ["| sum", "| sort", "| frequencies"] {
        let src = format!(
            r#"range 1100000 | map int(str(it) ++ ["", "x"][int(it == 1099999 or it == 549990)]) {tail}"#
        );
        for threads in [1, 4] {
            assert_eq!(
                error_of(&src, threads),
                "invalid literal for int(): '549990x'",
                "{tail} at threads {threads}"
            );
        }
    }
}

/// Invalid UTF-8 is reported at the exact offset of the first bad byte, for
/// every blocksize from 1 to 16 bytes and any thread count.
#[test]
fn utf8_offsets_are_exact_at_every_blocksize() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], u64); 4] = [
        (b"ab\xffcd\nef\xfegh\n", 2),
        (b"line one\nline \xc3\x28two\nthree \xff\n", 14),
        (b"ok\nok\nok\n\xe2\x82\nbad\xff\n", 9),
        (
            "caf\u{e9}\n\u{1F600}\n"
                .as_bytes()
                .iter()
                .copied()
                .chain(*b"x\x80y\n")
                .collect::<Vec<u8>>()
                .leak(),
            12,
        ),
    ];
    for (i, (bytes, offset)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.txt"));
        std::fs::write(&path, bytes).unwrap();
        for bs in 1..=16 {
            for threads in [1, 2, 4] {
                let src = format!("read_text \"{}\" blocksize={bs}B | count", path.display());
                let msg = error_of(&src, threads);
                assert!(
                    msg.ends_with(&format!("at byte offset {offset}")),
                    "case {i}, blocksize {bs}, threads {threads}: {msg}"
                );
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Several bad lines anywhere in a file cut into tiny partitions: the
    /// error names the first bad line in input order, at any thread count.
    #[test]
    fn the_first_of_several_bad_elements_is_reported(
        bad in proptest::collection::btree_set(0usize..600, 1..6),
        blocksize in 8u64..200,
        threads in 1usize..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.txt");
        let text: String = (0..600)
            .map(|i| if bad.contains(&i) { format!("{i}x\n") } else { format!("{i}\n") })
            .collect();
        std::fs::write(&path, text).unwrap();
        let first = bad.iter().next().unwrap();
        let src = format!("read_text \"{}\" blocksize={blocksize}B | map int(it) | sum", path.display());
        proptest::prop_assert_eq!(
            error_of(&src, threads),
            format!("invalid literal for int(): '{first}x'")
        );
    }
}
