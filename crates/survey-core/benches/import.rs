//! Department import throughput: verify + deduplicate + score 100,000 responses of 20 answers
//! in signed bundles of 1,000, against serde_json parsing the same bytes alone
//! (`cargo bench -p survey-core --features verify --bench import`; `IMPORT_BENCH_RESPONSES`
//! changes the count). With `IMPORT_BENCH_WRITE=DIR`, the generated bundles
//! (`DIR/bench-NNNN.bundle.json`), the survey (`DIR/survey.json`) and the roster
//! (`DIR/roster.json`) are written first, so that the same data can be imported elsewhere:
//! `survey report --survey DIR/survey.json --roster DIR/roster.json DIR --format json`, or the
//! department page in a browser.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::{Signer, SigningKey};
use std::collections::BTreeMap;
use std::hint::black_box;
use survey_core::analysis::import::Import;
use survey_core::analysis::score::score;
use survey_core::bundle::{self, DeviceInfo, ExportedResponse, Roster, RosterDevice, SurveyRef};
use survey_core::{load_survey, Answer, AnswerValue, Mode};

const PER_BUNDLE: usize = 1000;

fn survey_text() -> String {
    let points: Vec<_> = (1..=5).map(|v| serde_json::json!({"value": v, "label": {"en": format!("p{v}")}})).collect();
    let questions: Vec<_> = (0..20)
        .map(|q| {
            serde_json::json!({"id": format!("q{q}"), "kind": "scale", "title": {"en": "rate"}, "points": points,
                "satisfied": [4, 5], "unscored": [{"value": 9, "label": {"en": "dk"}}], "indicator": format!("d{}", q % 4)})
        })
        .collect();
    let indicators: Vec<_> =
        (0..4).map(|d| serde_json::json!({"id": format!("d{d}"), "title": {"en": "d"}, "weight": 1})).collect();
    serde_json::json!({"format": "survey/1", "id": "bench", "version": "1", "title": {"en": "bench"}, "languages": ["en"],
        "indicators": indicators, "sections": [{"id": "s", "title": {"en": "s"}, "questions": questions}]})
    .to_string()
}

fn benches(c: &mut Criterion) {
    let default = if cfg!(debug_assertions) { 2_000 } else { 100_000 };
    let n: usize = std::env::var("IMPORT_BENCH_RESPONSES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let text = survey_text();
    let loaded = load_survey(&text);
    let survey = loaded.survey.expect("valid");
    let fingerprint = loaded.fingerprint.expect("fingerprint");
    let signing = SigningKey::from_bytes(&[9u8; 32]);
    let public = signing.verifying_key().to_bytes();
    let keyid = bundle::keyid(&public);
    let roster = Roster {
        format: bundle::ROSTER_FORMAT.into(),
        devices: vec![RosterDevice {
            key: STANDARD.encode(public),
            keyid: keyid.clone(),
            evaluator: "e".into(),
            team: "t".into(),
        }],
    };
    let mut files = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for start in (0..n).step_by(PER_BUNDLE) {
        let responses: Vec<ExportedResponse> = (start..(start + PER_BUNDLE).min(n))
            .map(|i| {
                let answers: BTreeMap<String, Answer> = (0..20)
                    .map(|q| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        let value = [1, 2, 3, 4, 5, 9][(seed % 6) as usize];
                        (
                            format!("q{q}"),
                            Answer { value: AnswerValue::Number(value), at: 1_700_000_000_000 + q, changes: 0 },
                        )
                    })
                    .collect();
                ExportedResponse {
                    id: format!("00000000-0000-4000-8000-{i:012}"),
                    survey_id: "bench".into(),
                    fingerprint: fingerprint.clone(),
                    unit: Some(format!("unit{}", i % 50)),
                    device: keyid.clone(),
                    seq: i as u64 + 1,
                    answers,
                    started_at: 1_700_000_000_000,
                    finished_at: 1_700_000_300_000,
                    mode: Mode::Interview,
                    lang: "zh-CN".into(),
                    app_version: "0.1.0".into(),
                    sample: None,
                }
            })
            .collect();
        let device = DeviceInfo { key: STANDARD.encode(public), evaluator: "e".into(), team: "t".into() };
        let survey_ref = SurveyRef { id: "bench".into(), version: "1".into(), fingerprint: fingerprint.clone() };
        let payload = bundle::payload_bytes(&format!("b{start}"), 0, device, survey_ref, n as u64, &responses);
        let signature = signing.sign(&bundle::pae(bundle::PAYLOAD_TYPE, &payload)).to_bytes();
        files.push(bundle::envelope_bytes(&payload, &public, &signature));
    }
    let total: usize = files.iter().map(Vec::len).sum();
    eprintln!("{n} responses in {} bundles, {:.1} MB", files.len(), total as f64 / 1e6);
    if let Some(dir) = std::env::var_os("IMPORT_BENCH_WRITE") {
        write_data(std::path::Path::new(&dir), &files, &text, &roster);
    }

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("serde_json parse only (IgnoredAny)", |b| {
        b.iter(|| {
            for file in &files {
                let _: serde::de::IgnoredAny = serde_json::from_slice(black_box(file)).expect("json");
            }
        })
    });
    // The envelope is mostly one base64 string, which a JSON parser skims; the payload inside is
    // the JSON that has to be read, so this is the fairer "parsing alone".
    group.bench_function("base64 decode + parse payload only (IgnoredAny)", |b| {
        b.iter(|| {
            for file in &files {
                let envelope: bundle::Envelope = serde_json::from_slice(black_box(file)).expect("json");
                let payload = STANDARD.decode(envelope.payload).expect("base64");
                let _: serde::de::IgnoredAny = serde_json::from_slice(&payload).expect("json");
            }
        })
    });
    group.bench_function("verify only", |b| {
        b.iter(|| {
            for file in &files {
                black_box(bundle::verify(black_box(file), &roster).expect("valid"));
            }
        })
    });
    group.bench_function("verify + dedupe + score", |b| {
        b.iter(|| {
            let mut import = Import::default();
            for file in &files {
                let verified = bundle::verify(black_box(file), &roster).expect("valid");
                import.add_owned(verified);
            }
            score(&survey, &import.into_responses())
        })
    });
    group.finish();
}

/// Writes the bench data where the CLI and the browser can import it.
fn write_data(dir: &std::path::Path, files: &[Vec<u8>], survey: &str, roster: &Roster) {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    };
    std::fs::create_dir_all(dir).unwrap_or_else(|err| panic!("cannot create {}: {err}", dir.display()));
    for (idx, file) in files.iter().enumerate() {
        write(&format!("bench-{idx:04}.bundle.json"), file);
    }
    write("survey.json", survey.as_bytes());
    let roster = serde_json::to_vec_pretty(roster).expect("roster JSON");
    assert!(Roster::parse(&roster).is_ok(), "the roster written must read back");
    write("roster.json", &roster);
    eprintln!("wrote {} bundles, survey.json and roster.json to {}", files.len(), dir.display());
}

criterion_group!(import_benches, benches);
criterion_main!(import_benches);
