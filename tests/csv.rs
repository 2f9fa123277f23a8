//! `read_csv` (SPEC §2 Sources): `types=` conversions as Python's `int()`
//! and `float()` (checked against Python itself when it is installed),
//! `header=false` field names, and the header read at check time by
//! `flow check` and a run alike (gzip too), with the record type flowing
//! into the checker.

mod common;

use std::io::Write;

use common::{flow_command, ran, scratch};

/// Texts Python's `int()` and `float()` disagree about with a naive parser.
const TRICKY: &[&str] = &[
    "7",
    " 42 ",
    "\t-3\n",
    "+5",
    "1_000",
    "1__0",
    "_1",
    "1_",
    "007",
    "٣",
    "１２",
    "0x10",
    "1e3",
    "1E-2",
    "2.5",
    ".5",
    "5.",
    "nan",
    "-NaN",
    "inf",
    "-Infinity",
    "1_0.2_5",
    "1e1_0",
    "--1",
    "1 2",
    "x",
    "\u{a0}8\u{2003}",
    "\u{1c}9",
    "9223372036854775807",
    "9223372036854775808",
];

fn csv_of(values: &[&str]) -> String {
    let mut text = String::from("v\n");
    for v in values {
        text += &format!("\"{}\"\n", v.replace('"', "\"\""));
    }
    text
}

/// What flow makes of each text as `ty`: its JSON, or `error`.
fn flow_reads(ty: &str) -> Vec<String> {
    TRICKY
        .iter()
        .map(|v| {
            let dir = scratch(&[("t.csv", csv_of(&[v]).as_bytes())]);
            let src = format!("read_csv \"t.csv\" types={{v: {ty}}} | map .v | to_json");
            let r = ran(&mut flow_command(dir.path(), &["-e", &src]));
            match r.code {
                0 => r.stdout.trim_end().to_string(),
                1 => {
                    assert!(r.stderr.contains("flow::io::bad_csv_value"), "{}", r.stderr);
                    assert!(r.stderr.contains("t.csv:2"), "{}", r.stderr);
                    "error".to_string()
                }
                c => panic!("exit {c} for {v:?}: {}", r.stderr),
            }
        })
        .collect()
}

#[test]
fn numbers_convert_as_python_int_and_float() {
    let python = std::process::Command::new("python3")
        .current_dir(common::root())
        .arg("-c")
        .arg(
            "import json, sys\n\
             for line in sys.stdin.read().split('\\x00')[:-1]:\n\
             \x20   ty, v = line.split('\\x01')\n\
             \x20   try:\n\
             \x20       x = int(v) if ty == 'int' else float(v)\n\
             \x20       if ty == 'int' and not -2**63 <= x < 2**63: raise ValueError\n\
             \x20       print(json.dumps(x))\n\
             \x20   except ValueError:\n\
             \x20       print('error')\n",
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = python else {
        eprintln!("skipped: no python3");
        return;
    };
    let mut input = String::new();
    for ty in ["int", "float"] {
        for v in TRICKY {
            input += &format!("{ty}\u{1}{v}\u{0}");
        }
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let want: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    let got: Vec<String> = [flow_reads("int"), flow_reads("float")].concat();
    assert_eq!(want.len(), got.len());
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        let v = TRICKY[i % TRICKY.len()];
        assert_eq!(
            w,
            g,
            "{v:?} as {}",
            if i < TRICKY.len() { "int" } else { "float" }
        );
    }
}

#[test]
fn typed_fields_bools_and_empty_fields() {
    let text = "name,age,ok,score,note\nann, 31 ,TRUE,1e3,\nbob,,false,,x\ncid,7,True,nan,\"\"\n";
    let dir = scratch(&[("p.csv", text.as_bytes())]);
    let r = ran(&mut flow_command(
        dir.path(),
        &[
            "-e",
            "read_csv \"p.csv\" types={age: int, ok: bool, score: float, note: str} | to_json",
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"name\":\"ann\",\"age\":31,\"ok\":true,\"score\":1000.0,\"note\":null}\n\
         {\"name\":\"bob\",\"age\":null,\"ok\":false,\"score\":null,\"note\":\"x\"}\n\
         {\"name\":\"cid\",\"age\":7,\"ok\":true,\"score\":NaN,\"note\":null}\n"
    );
    // A bool is true or false, in any case, and nothing else.
    let dir = scratch(&[("b.csv", b"ok\nyes\n")]);
    let r = ran(&mut flow_command(
        dir.path(),
        &["-e", "read_csv \"b.csv\" types={ok: bool}"],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot read field `ok` as bool at b.csv:2"),
        "{}",
        r.stderr
    );
}

#[test]
fn without_a_header_fields_are_c0_c1() {
    let dir = scratch(&[("h.csv", b"a;1\nb;2\n")]);
    let r = ran(&mut flow_command(
        dir.path(),
        &[
            "-e",
            "read_csv \"h.csv\" header=false sep=\";\" types={c1: int} | map .c0 ++ str(.c1 * 10)",
        ],
    ));
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "a10\nb20\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_header_is_read_at_check_time() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"\xEF\xBB\xBFname,age\nann,31\n").unwrap();
    let gz = gz.finish().unwrap();
    let dir = scratch(&[
        ("a.csv.gz", &gz),
        ("b.csv", b"name,age\n"),
        (
            "typo.flow",
            b"read_csv \"*.csv*\" types={age: int} | map .nmae\n",
        ),
        (
            "ok.flow",
            b"read_csv \"a.csv.gz\" types={age: int} | map .age + 1\n",
        ),
        ("missing.flow", b"read_csv \"none/*.csv\" | map .nmae\n"),
        (
            "types.flow",
            b"read_csv \"b.csv\" types={age: int} | map .age ++ \"!\"\n",
        ),
    ]);
    for args in [&["check", "typo.flow"][..], &["typo.flow"][..]] {
        let r = ran(&mut flow_command(dir.path(), args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("did you mean `name`?"), "{}", r.stderr);
    }
    let r = ran(&mut flow_command(dir.path(), &["check", "ok.flow"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = ran(&mut flow_command(dir.path(), &["ok.flow"]));
    assert_eq!((r.code, r.stdout.as_str()), (0, "32\n"), "{}", r.stderr);
    // No file yet: the fields are not known, and the run says the glob
    // matched nothing, as before.
    let r = ran(&mut flow_command(dir.path(), &["check", "missing.flow"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("flow::io::glob_matched_nothing"),
        "{}",
        r.stderr
    );
    // `types=` gives the field its type: `int ++ str` is caught.
    let r = ran(&mut flow_command(dir.path(), &["check", "types.flow"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot apply `++` to int and str"),
        "{}",
        r.stderr
    );
}

/// The files of one `read_csv` share the first file's columns (the record
/// type the checker used): a file with other columns stops the run, named,
/// rather than giving records the type does not describe; a sink writes
/// nothing. The same file in a header-less read is fine.
#[test]
fn every_file_has_the_first_files_columns() {
    let dir = scratch(&[
        ("1.csv", b"a,b\n1,2\n"),
        ("2.csv", b"a,c\n3,4\n"),
        ("3.csv", b"a,b\n5,6\n"),
    ]);
    let r = ran(&mut flow_command(
        dir.path(),
        &["-e", "read_csv \"*.csv\" | map .a | write_text \"out.txt\""],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("flow::io::bad_csv"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the header of 2.csv is `a,c`, but the first file's is `a,b`"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("out.txt").exists());
    let r = ran(&mut flow_command(
        dir.path(),
        &["-e", "read_csv \"*.csv\" header=false | map .c1"],
    ));
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "b\n2\nc\n4\nb\n6\n"),
        "{}",
        r.stderr
    );
}
