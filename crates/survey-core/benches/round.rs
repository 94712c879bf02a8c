//! Building a round: a plan of 1,470 units with 500 households each (735,000 codes) read from
//! CSV frames, checked, drawn, hashed and written as canonical JSON, then verified
//! (`cargo bench -p survey-core --features verify --bench round`; `ROUND_BENCH_UNITS` and
//! `ROUND_BENCH_HOUSEHOLDS` change the size). Prints the median of 3 builds and the process's
//! peak resident memory (VmHWM). Without `--bench` (as `cargo test --all-targets` runs it) it
//! builds a small round once, as a smoke test.

use std::collections::HashMap;
use std::time::Instant;
use survey_core::round::plan::{build, Plan};

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn survey_text() -> String {
    serde_json::json!({"format": "survey/1", "id": "bench", "version": "1", "title": {"zh-CN": "测", "en": "bench"},
        "languages": ["zh-CN", "en"], "indicators": [{"id": "d", "title": {"zh-CN": "维", "en": "d"}, "weight": 1}],
        "sections": [{"id": "s", "title": {"zh-CN": "节", "en": "s"}, "questions": [{"id": "q", "kind": "scale",
            "title": {"zh-CN": "满意吗", "en": "rate"}, "indicator": "d", "satisfied": [4, 5],
            "points": (1..=5).map(|v| serde_json::json!({"value": v, "label": {"zh-CN": format!("{v}"), "en": format!("{v}")}})).collect::<Vec<_>>()}]}]})
    .to_string()
}

fn main() {
    let bench = std::env::args().any(|arg| arg == "--bench");
    let env = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let units = env("ROUND_BENCH_UNITS", if bench { 1470 } else { 20 });
    let households = env("ROUND_BENCH_HOUSEHOLDS", if bench { 500 } else { 60 });

    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    files.insert("survey.json".into(), survey_text().into_bytes());
    let mut plan_units = Vec::new();
    for u in 0..units {
        let id = format!("镇{:02}村{u:04}", u % 37);
        let mut csv = String::from("household,address\n");
        for h in 0..households {
            csv.push_str(&format!("{}号楼{}单元{h:04},\"第{u}村, 第{h}户\"\n", h % 30, h % 4));
        }
        let frame = format!("frames/{id}.csv");
        files.insert(frame.clone(), csv.into_bytes());
        plan_units.push(serde_json::json!({"id": id, "frame": frame, "name": {"zh-CN": id, "en": id}}));
    }
    let key = [3u8; 32];
    let device_key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key);
    let keyid = survey_core::bundle::keyid(&key);
    let sample = units.min(100);
    let ids: Vec<String> = plan_units.iter().map(|u| u["id"].as_str().unwrap_or_default().to_owned()).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let seed = "2026-12-01 福利彩票 3D 5 8 2";
    let drawn = survey_core::round::draw::draw(seed, "bench", "units", &refs);
    let assignments: Vec<_> = drawn[..sample].iter().map(|u| serde_json::json!({"unit": u, "device": keyid})).collect();
    let plan = serde_json::json!({"format": "plan/1", "id": "bench", "title": {"zh-CN": "测", "en": "bench"},
        "period": {"from": "2026-12-01", "to": "2026-12-20"}, "organiser": "bench", "survey": "survey.json",
        "seed": seed, "seed_source": "bench", "draw_units": sample, "defaults": {"n": 20}, "units": plan_units,
        "devices": [{"key": device_key, "keyid": keyid, "evaluator": "e", "team": "t"}], "assignments": assignments});
    let plan_bytes = plan.to_string().into_bytes();
    let input_mb = files.values().map(Vec::len).sum::<usize>() as f64 / 1e6;
    drop(plan);

    let runs = if bench { 3 } else { 1 };
    let mut times = Vec::new();
    let mut out_len = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let plan = Plan::parse("plan.json", &plan_bytes).expect("plan parses");
        let read = |path: &str| files.get(path).cloned().ok_or_else(|| "missing".to_owned());
        let payload = build("plan.json", &plan, &read, &[9u8; 32]).expect("plan builds");
        let bytes = payload.to_canonical_bytes();
        times.push(start.elapsed().as_secs_f64());
        out_len = bytes.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "round build: {units} units x {households} households ({:.1} MB of CSV) -> {:.1} MB payload: median {:.2} s of {runs}, peak RSS {:.0} MB",
        input_mb,
        out_len as f64 / 1e6,
        times[times.len() / 2],
        peak_rss_mb().unwrap_or(f64::NAN)
    );
}
