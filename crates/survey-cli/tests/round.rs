//! `survey round` on real files: the committed example round (`tests/fixtures/rounds/example/`,
//! inputs written by `tests/rounds/make_example.py`) rebuilds byte for byte from its plan, frames
//! and organiser key (Ed25519 signatures are deterministic), verifies and shows; the draw
//! fixtures of `crates/survey-core/test_data/draw/` come out of `survey round draw` in order;
//! bad members, bad plans and existing files are refused as documented.
//! `UPDATE_EXPECT=1` rewrites the committed example round.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    root().join("tests/fixtures/rounds/example")
}

fn survey(args: &[&std::ffi::OsStr], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_survey"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run survey");
    // A command refused on its arguments exits before it reads stdin: a broken pipe then is
    // expected, any other write error is not.
    if let Err(err) = child.stdin.take().expect("stdin").write_all(stdin) {
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {err}");
    }
    child.wait_with_output().expect("wait for survey")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("survey-round-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn the_example_round_rebuilds_byte_for_byte_and_verifies() {
    let dir = temp_dir("rebuild");
    let out = dir.join("example.round.json");
    let output = survey(
        &[
            "round".as_ref(),
            "build".as_ref(),
            example().join("plan.json").as_os_str(),
            "--key".as_ref(),
            example().join("organiser.pem").as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("frame commitment: "), "{stdout}");
    let built = std::fs::read(&out).expect("built round");
    let committed_path = example().join("2026-q4-example.round.json");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&committed_path, &built).expect("write the example round");
    }
    let committed = std::fs::read(&committed_path).expect("committed example round (UPDATE_EXPECT=1 writes it)");
    assert!(built == committed, "the example round no longer rebuilds to the committed file");

    let output = survey(&["round".as_ref(), "verify".as_ref(), committed_path.as_os_str()], b"");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(": ok (round 2026-q4-example, 6 units, 4 sampled"));

    let output = survey(
        &["round".as_ref(), "show".as_ref(), committed_path.as_os_str(), "--format".as_ref(), "csv".as_ref()],
        b"",
    );
    assert_eq!(output.status.code(), Some(0));
    let csv = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(csv.starts_with("unit,position,household,role\n"));
    // Every household of the four sampled units, each once.
    let frames: usize = ["baisha_shimen", "baisha_taoyuan", "chengnan_zhulin", "yunling_qingxi"]
        .iter()
        .map(|unit| csv.lines().filter(|line| line.starts_with(&format!("{unit},"))).count())
        .sum();
    assert_eq!(frames, csv.lines().count() - 1);
    assert_eq!(csv.lines().filter(|line| line.ends_with(",drawn")).count(), 20 + 25 + 20 + 20);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn draw_fixtures_come_out_in_order() {
    let dir = root().join("crates/survey-core/test_data/draw");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("draw fixtures").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for case in cases {
        let fixture: serde_json::Value = serde_json::from_slice(&std::fs::read(&case).expect("read")).expect("JSON");
        let text = |key: &str| fixture[key].as_str().expect("string").to_owned();
        let lines = |key: &str| -> String {
            fixture[key]
                .as_array()
                .expect("array")
                .iter()
                .map(|m| format!("{}\n", m.as_str().expect("string")))
                .collect()
        };
        let (seed, round, scope) = (text("seed"), text("round"), text("scope"));
        let output = survey(
            &[
                "round".as_ref(),
                "draw".as_ref(),
                "--seed".as_ref(),
                seed.as_ref(),
                "--round".as_ref(),
                round.as_ref(),
                "--scope".as_ref(),
                scope.as_ref(),
            ],
            lines("members").as_bytes(),
        );
        assert_eq!(output.status.code(), Some(0), "{}: {}", case.display(), String::from_utf8_lossy(&output.stderr));
        assert_eq!(String::from_utf8_lossy(&output.stdout), lines("expected"), "{}", case.display());
    }
}

fn draw(stdin: &[u8]) -> Output {
    survey(
        &[
            "round".as_ref(),
            "draw".as_ref(),
            "--seed".as_ref(),
            "s".as_ref(),
            "--round".as_ref(),
            "r".as_ref(),
            "--scope".as_ref(),
            "households/u1".as_ref(),
        ],
        stdin,
    )
}

#[test]
fn draw_reads_stdin_as_documented_and_refuses_bad_members_by_line() {
    let plain = draw(b"A\nB\nC\n");
    assert_eq!(plain.status.code(), Some(0));
    // One BOM removed, CR before LF removed, the final LF optional: the same draw.
    assert_eq!(draw(b"\xEF\xBB\xBFA\r\nB\r\nC").stdout, plain.stdout);
    for (input, line) in
        [(&b"A\n\nB\n"[..], 2), (b"A\nB\nA\n", 3), (b"A\n B\n", 2), (b"A\nx/y\n", 2), (b"A\nCafe\xcc\x81\n", 2)]
    {
        let output = draw(input);
        assert_eq!(output.status.code(), Some(1), "{input:?}");
        assert!(output.stdout.is_empty(), "nothing on stdout on an error: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with(&format!("stdin:{line}: ")), "{input:?}: {stderr}");
    }
    // A seed with a trailing space is refused, never trimmed; a reserved scope too.
    let output = survey(
        &[
            "round".as_ref(),
            "draw".as_ref(),
            "--seed".as_ref(),
            "s ".as_ref(),
            "--round".as_ref(),
            "r".as_ref(),
            "--scope".as_ref(),
            "units".as_ref(),
        ],
        b"A\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let output = survey(
        &[
            "round".as_ref(),
            "draw".as_ref(),
            "--seed".as_ref(),
            "s".as_ref(),
            "--round".as_ref(),
            "r".as_ref(),
            "--scope".as_ref(),
            "items/q1".as_ref(),
        ],
        b"A\n",
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn keygen_writes_a_pkcs8_key_that_build_and_openssl_read_and_never_overwrites() {
    let dir = temp_dir("keygen");
    let key = dir.join("organiser.pem");
    let output = survey(&["round".as_ref(), "keygen".as_ref(), "-o".as_ref(), key.as_os_str()], b"");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let pem = std::fs::read_to_string(&key).expect("key written");
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    let again = survey(&["round".as_ref(), "keygen".as_ref(), "-o".as_ref(), key.as_os_str()], b"");
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&key).expect("key kept"), pem);
    // openssl, when the machine has it, reads the key as Ed25519.
    if let Ok(openssl) = Command::new("openssl").args(["pkey", "-noout", "-text", "-in"]).arg(&key).output() {
        assert!(openssl.status.success(), "{openssl:?}");
        assert!(String::from_utf8_lossy(&openssl.stdout).contains("ED25519"), "{openssl:?}");
    }
    let out = dir.join("round.json");
    let output = survey(
        &[
            "round".as_ref(),
            "build".as_ref(),
            example().join("plan.json").as_os_str(),
            "--key".as_ref(),
            key.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let output = survey(&["round".as_ref(), "verify".as_ref(), out.as_os_str()], b"");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_plan_gets_every_problem_and_nothing_is_written() {
    let dir = temp_dir("bad-plan");
    let case = root().join("crates/survey-core/test_data/plan/err/malformed_household");
    let out = dir.join("round.json");
    let output = survey(
        &[
            "round".as_ref(),
            "build".as_ref(),
            case.join("plan.json").as_os_str(),
            "--key".as_ref(),
            example().join("organiser.pem").as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().filter(|line| line.contains("yunling_shangtang.csv:")).count(), 3, "{stderr}");
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_changed_round_file_is_rejected() {
    let committed = std::fs::read(example().join("2026-q4-example.round.json")).expect("example round");
    let dir = temp_dir("changed");
    let path = dir.join("changed.round.json");
    let mut changed = committed.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    std::fs::write(&path, &changed).expect("write");
    let output = survey(&["round".as_ref(), "verify".as_ref(), path.as_os_str()], b"");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("rejected"));
    let _ = std::fs::remove_dir_all(dir);
}
