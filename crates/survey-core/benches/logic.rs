//! Benchmarks of definition validation and of the relevance engine on a generated survey of
//! 1,000 questions with relevance chains (`cargo bench -p survey-core`).

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::collections::BTreeMap;
use std::hint::black_box;
use survey_core::{load_survey, Answer, AnswerValue, Logic};

/// 100 sections of 10 questions. In each section a yes/no gate opens the other nine; four of
/// them form a chain (each depends on the previous one's number), the rest read the gate and a
/// question of the previous section.
fn generated_survey() -> String {
    let text = |s: &str| json!({"zh-CN": s, "en": s});
    let points: Vec<_> = (1..=5).map(|v| json!({"value": v, "label": text(&format!("p{v}"))})).collect();
    let mut sections = Vec::new();
    let mut indicators = Vec::new();
    for s in 0..100 {
        let gate = format!("s{s}_gate");
        let mut questions = vec![json!({"id": gate, "kind": "yes_no", "title": text("gate")})];
        for q in 1..10 {
            let id = format!("s{s}_q{q}");
            let relevant = if q <= 4 && q > 1 {
                format!("${{{gate}}} and ${{s{s}_q{}}} >= 2", q - 1)
            } else if s > 0 {
                format!("${{{gate}}} or ${{s{}_q1}} = 5", s - 1)
            } else {
                format!("${{{gate}}}")
            };
            let mut question = json!({
                "id": id, "kind": "scale", "title": text("rate"), "points": points, "satisfied": [4, 5],
                "unscored": [{"value": 9, "label": text("dk")}], "indicator": format!("ind{s}"), "relevant": relevant,
            });
            if q == 1 {
                question["constraint"] = json!(". != 3 or ${s0_q9} >= 1");
                question["kind"] = json!("integer");
                for key in ["points", "satisfied", "unscored", "indicator"] {
                    question.as_object_mut().unwrap().remove(key);
                }
            }
            questions.push(question);
        }
        sections.push(json!({"id": format!("sec{s}"), "title": text("section"), "questions": questions}));
        indicators.push(json!({"id": format!("ind{s}"), "title": text("indicator"), "weight": 1}));
    }
    json!({
        "format": "survey/1", "id": "bench", "version": "1", "title": text("bench"), "languages": ["zh-CN", "en"],
        "indicators": indicators, "sections": sections,
    })
    .to_string()
}

fn benches(c: &mut Criterion) {
    let text = generated_survey();
    let loaded = load_survey(&text);
    assert!(!loaded.has_errors(), "{:?}", &loaded.diagnostics[..loaded.diagnostics.len().min(5)]);
    let survey = loaded.survey.expect("valid");
    assert_eq!(survey.questions().count(), 1000);

    c.bench_function("validate 1000 questions (parse + checks + fingerprint)", |b| {
        b.iter(|| load_survey(black_box(&text)))
    });

    let logic = Logic::new(&survey);
    let mut answers: BTreeMap<String, Answer> = BTreeMap::new();
    for s in 0..100 {
        answers.insert(format!("s{s}_gate"), Answer { value: AnswerValue::Bool(s % 2 == 0), at: 0, changes: 0 });
        answers.insert(format!("s{s}_q1"), Answer { value: AnswerValue::Number(4), at: 0, changes: 0 });
    }
    c.bench_function("evaluate all relevance of 1000 questions", |b| {
        b.iter(|| logic.evaluate_all(black_box(&answers)))
    });

    let relevance = logic.evaluate_all(&answers);
    c.bench_function("re-evaluate after one answer (gate of section 50)", |b| {
        b.iter_batched(
            || {
                let mut changed = answers.clone();
                let gate = changed.get_mut("s50_gate").expect("gate");
                gate.value = AnswerValue::Bool(true);
                (changed, relevance.clone())
            },
            |(changed, mut relevance)| logic.update(&mut relevance, &changed, black_box("s50_gate")),
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group!(logic_benches, benches);
criterion_main!(logic_benches);
