//! Quality flags on responses, for departments to weigh the evidence behind each number.
//!
//! - **Speeding**: a duration under 0.3 × the median duration of the responses checked together,
//!   or under the survey's `quality.min_seconds_per_question` × the number of questions answered.
//! - **Straight-lining**: a matrix of at least 4 rows answered with one and the same scored point
//!   in at least 90% of its rows ("one answer across most of a grid").
//! - **Contradiction**: an item and its reverse partner (`reverse_of`) whose 0–100 scores, after
//!   flipping the reverse item, differ by 75 points or more (e.g. "very satisfied" with the
//!   openness of village affairs, and "strongly agree" that the notice board was not updated).
//!
//! Flags never change a response; a report can exclude flagged responses to show how each number
//! moves (`score` on the unflagged ones).

use crate::bundle::ExportedResponse;
use crate::definition::{Item, QuestionKind, Survey};
use crate::response::AnswerValue;
use serde::Serialize;
use std::collections::BTreeMap;

/// Fraction of the median duration under which a response is speeding.
pub const SPEEDING_FRACTION: f64 = 0.3;
/// Share of a grid's rows that, all on one point, make it straight-lined.
pub const STRAIGHT_LINE_SHARE: f64 = 0.9;
/// Fewest rows for a grid to be judged for straight-lining.
pub const STRAIGHT_LINE_MIN_ROWS: usize = 4;
/// Score difference (0–100) between an item and its flipped reverse partner that is a contradiction.
pub const CONTRADICTION_GAP: f64 = 75.0;

/// Why a response is flagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    Speeding { seconds: f64, median_seconds: f64, floor_seconds: f64 },
    StraightLining { question: String, point: i64, rows: usize },
    Contradiction { item: String, partner: String, gap: f64 },
}

impl Flag {
    /// The flag's name, as in JSON (`speeding`, `straight_lining`, `contradiction`).
    pub fn name(&self) -> &'static str {
        match self {
            Flag::Speeding { .. } => "speeding",
            Flag::StraightLining { .. } => "straight_lining",
            Flag::Contradiction { .. } => "contradiction",
        }
    }
}

/// The flags of one response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flagged {
    pub id: String,
    pub flags: Vec<Flag>,
}

/// The point an answer gives an item, if it is one of the item's scored points.
fn scored_point(item: &Item<'_>, response: &ExportedResponse) -> Option<i64> {
    let answer = response.answers.get(&item.question.id)?;
    let point = match (&answer.value, item.row) {
        (AnswerValue::Number(point), None) => *point,
        (AnswerValue::Rows(rows), Some(row)) => *rows.get(&row.id)?,
        _ => return None,
    };
    let points = item.question.points.as_deref().unwrap_or_default();
    points.iter().any(|p| p.value == point).then_some(point)
}

/// The 0–100 score of an item's answer, reverse items flipped.
fn item_score(item: &Item<'_>, response: &ExportedResponse) -> Option<f64> {
    let point = scored_point(item, response)?;
    let points = item.question.points.as_deref().unwrap_or_default();
    let min = points.iter().map(|p| p.value).min()?;
    let max = points.iter().map(|p| p.value).max()?;
    if max == min {
        return None;
    }
    let value = if item.reverse() { min + max - point } else { point };
    Some((value - min) as f64 / (max - min) as f64 * 100.0)
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] })
}

/// Flags the responses (checked together: the median duration is theirs). Responses without
/// any flag are listed too, with an empty list, in the order given.
pub fn flag_responses<R: std::borrow::Borrow<ExportedResponse>>(survey: &Survey, responses: &[R]) -> Vec<Flagged> {
    let duration = |r: &ExportedResponse| (r.finished_at - r.started_at).max(0) as f64 / 1000.0;
    let median_seconds = median(&mut responses.iter().map(|r| duration(r.borrow())).collect::<Vec<_>>()).unwrap_or(0.0);
    let per_question = survey.quality.as_ref().and_then(|q| q.min_seconds_per_question).unwrap_or(0.0);
    let items = survey.items();
    let by_key: BTreeMap<String, &Item<'_>> = items.iter().map(|item| (item.key(), item)).collect();
    let grids: Vec<_> = survey.questions().map(|(_, q)| q).filter(|q| q.kind == QuestionKind::Matrix).collect();

    responses
        .iter()
        .map(|response| {
            let response = response.borrow();
            let mut flags = Vec::new();
            let seconds = duration(response);
            let floor_seconds = per_question * response.answers.len() as f64;
            if seconds < SPEEDING_FRACTION * median_seconds || seconds < floor_seconds {
                flags.push(Flag::Speeding { seconds, median_seconds, floor_seconds });
            }
            for grid in &grids {
                let rows: Vec<i64> = items
                    .iter()
                    .filter(|item| item.question.id == grid.id)
                    .filter_map(|item| scored_point(item, response))
                    .collect();
                if rows.len() < STRAIGHT_LINE_MIN_ROWS {
                    continue;
                }
                let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
                for point in &rows {
                    *counts.entry(*point).or_default() += 1;
                }
                if let Some((&point, &count)) = counts.iter().max_by_key(|(point, count)| (**count, -**point)) {
                    if count as f64 >= STRAIGHT_LINE_SHARE * rows.len() as f64 {
                        flags.push(Flag::StraightLining { question: grid.id.clone(), point, rows: rows.len() });
                    }
                }
            }
            for item in &items {
                let Some(partner) = item.reverse_of().and_then(|key| by_key.get(key)) else { continue };
                if let (Some(a), Some(b)) = (item_score(item, response), item_score(partner, response)) {
                    let gap = (a - b).abs();
                    if gap >= CONTRADICTION_GAP {
                        flags.push(Flag::Contradiction { item: item.key(), partner: partner.key(), gap });
                    }
                }
            }
            Flagged { id: response.id.clone(), flags }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::validate::load_survey;
    use crate::response::{Answer, Mode};

    const SURVEY: &str = r#"{
      "format": "survey/1", "id": "q", "version": "1", "title": {"en": "Q"}, "languages": ["en"],
      "quality": {"min_seconds_per_question": 2},
      "sections": [{"id": "a", "title": {"en": "A"}, "questions": [
        {"id": "open", "kind": "scale", "title": {"en": "Affairs are public"},
         "points": [{"value": 1, "label": {"en": "1"}}, {"value": 5, "label": {"en": "5"}}]},
        {"id": "stale", "kind": "scale", "reverse": true, "reverse_of": "open", "title": {"en": "Board not updated"},
         "points": [{"value": 1, "label": {"en": "1"}}, {"value": 5, "label": {"en": "5"}}]},
        {"id": "grid", "kind": "matrix", "title": {"en": "Grid"},
         "points": [{"value": 1, "label": {"en": "1"}}, {"value": 5, "label": {"en": "5"}}],
         "rows": [{"id": "r1", "label": {"en": "1"}}, {"id": "r2", "label": {"en": "2"}}, {"id": "r3", "label": {"en": "3"}},
                  {"id": "r4", "label": {"en": "4"}}]}
      ]}]}"#;

    fn response(id: &str, seconds: i64, open: i64, stale: i64, grid: [i64; 4]) -> ExportedResponse {
        let answer = |value| Answer { value, at: 0, changes: 0 };
        let rows = ["r1", "r2", "r3", "r4"].iter().zip(grid).map(|(k, v)| ((*k).to_owned(), v)).collect();
        let answers = [
            ("open".to_owned(), answer(AnswerValue::Number(open))),
            ("stale".to_owned(), answer(AnswerValue::Number(stale))),
            ("grid".to_owned(), answer(AnswerValue::Rows(rows))),
        ]
        .into_iter()
        .collect();
        ExportedResponse {
            id: id.into(),
            survey_id: "q".into(),
            fingerprint: "f".into(),
            unit: None,
            device: "d".into(),
            seq: 1,
            answers,
            started_at: 0,
            finished_at: seconds * 1000,
            mode: Mode::Interview,
            lang: "en".into(),
            app_version: "0".into(),
            sample: None,
        }
    }

    #[test]
    fn each_flag_by_hand() {
        let survey = load_survey(SURVEY).survey.expect("valid");
        let responses = [
            // Median of 100, 100, 20, 100, 5 seconds is 100: 20 s is under 0.3 × 100 = 30 s.
            response("fast", 20, 5, 1, [1, 5, 1, 5]),
            // open 5 scores 100; stale 5 flipped is 1 and scores 0: a gap of 100.
            response("contradiction", 100, 5, 5, [1, 5, 5, 1]),
            // All four rows on 5: straight-lining.
            response("straight", 100, 5, 1, [5, 5, 5, 5]),
            response("fine", 100, 4, 2, [1, 5, 4, 2]),
            // 5 s for 3 answered questions is under the floor of 2 s per question (6 s).
            response("floor", 5, 5, 1, [1, 5, 1, 4]),
        ];
        let mut responses = responses.to_vec();
        // `4` and `2` are not points of this 1/5 scale: they count for nothing.
        responses[3].answers.get_mut("open").unwrap().value = AnswerValue::Number(5);
        let flagged = flag_responses(&survey, &responses);
        let kinds: Vec<(&str, Vec<&str>)> = flagged
            .iter()
            .map(|f| {
                let names = f.flags.iter().map(Flag::name).collect();
                (f.id.as_str(), names)
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("fast", vec!["speeding"]),
                ("contradiction", vec!["contradiction"]),
                ("straight", vec!["straight_lining"]),
                ("fine", vec![]),
                ("floor", vec!["speeding"]),
            ]
        );
        assert_eq!(
            flagged[1].flags[0],
            Flag::Contradiction { item: "stale".into(), partner: "open".into(), gap: 100.0 }
        );
        assert_eq!(flagged[0].flags[0], Flag::Speeding { seconds: 20.0, median_seconds: 100.0, floor_seconds: 6.0 });
    }
}
