//! Two reports side by side: the same round with and without flagged responses, or this round
//! against a previous one. Units are matched by unit id and dimensions by indicator id, so a
//! previous round of another survey version compares wherever the ids stayed the same.
//!
//! A number that is suppressed (or absent) on either side gives no change: a difference between
//! a published number and a withheld one would disclose the withheld one.

use serde::{Deserialize, Serialize};
use survey_core::analysis::score::{GroupScores, RankEntry, Report, UnitScores, MIN_UNIT_RESPONSES};

/// The label of the whole-evaluation row in a comparison.
pub const ALL_UNITS: &str = "(all)";

/// One number in two reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Unit id, or [`ALL_UNITS`] for the whole evaluation.
    pub unit: String,
    /// Top-level indicator (dimension) id; none for the overall index.
    pub dimension: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// `after − before`, when both are published.
    pub delta: Option<f64>,
    /// Ranks, for the overall-index rows of units.
    pub rank_before: Option<usize>,
    pub rank_after: Option<usize>,
}

/// What a previous round contributes: its units, ranking and whole-evaluation scores. Read from
/// the JSON export of a round (`{"report": {...}}`) or from a bare report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub units: Vec<UnitScores>,
    pub ranking: Vec<RankEntry>,
    /// None when the round's whole evaluation was suppressed (fewer than 5 responses).
    pub overall: Option<GroupScores>,
}

impl Round {
    /// The comparable part of a report; the overall scores only when they are published.
    pub fn of(report: &Report) -> Round {
        Round {
            units: report.units.clone(),
            ranking: report.ranking.clone(),
            overall: (report.overall.n_responses >= MIN_UNIT_RESPONSES).then(|| report.overall.clone()),
        }
    }

    /// Reads a previous round from the JSON text of an export. Errors name the place.
    pub fn from_json(text: &str) -> Result<Round, String> {
        // A report saved again by an editor may have gained a byte-order mark (and CRLF, which
        // JSON reads as whitespace).
        let text = survey_core::canonical::text_without_bom(text);
        let value: serde_json::Value = serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
        let report = value.get("report").unwrap_or(&value);
        let field = |name: &str| report.get(name).cloned().ok_or_else(|| format!("report.{name}: missing"));
        let units: Vec<UnitScores> =
            serde_json::from_value(field("units")?).map_err(|err| format!("report.units: {err}"))?;
        let ranking: Vec<RankEntry> =
            serde_json::from_value(field("ranking")?).map_err(|err| format!("report.ranking: {err}"))?;
        // A suppressed whole evaluation is written without scores; it simply compares as absent.
        let overall = report.get("overall").and_then(|o| serde_json::from_value::<GroupScores>(o.clone()).ok());
        let overall = overall.filter(|o| o.n_responses >= MIN_UNIT_RESPONSES);
        Ok(Round { units, ranking, overall })
    }
}

fn unit_scores<'a>(round: &'a Round, unit: &str) -> Option<&'a GroupScores> {
    round.units.iter().find(|u| u.label() == unit).and_then(|u| u.scores.as_ref())
}

fn rank_of(round: &Round, unit: &str) -> Option<usize> {
    round.ranking.iter().find(|r| r.unit == unit).and_then(|r| r.rank)
}

/// Every overall index and dimension score of `after`'s units and whole evaluation, next to the
/// same number in `before`. Rows: the whole evaluation first, then units in `after`'s ranking
/// order; for each, the index row then one row per dimension of `dimensions`.
pub fn changes(before: &Round, after: &Round, dimensions: &[String]) -> Vec<Change> {
    let change = |unit: &str, dimension: Option<&str>, b: Option<f64>, a: Option<f64>| Change {
        unit: unit.to_owned(),
        dimension: dimension.map(str::to_owned),
        before: b,
        after: a,
        delta: b.zip(a).map(|(b, a)| a - b),
        rank_before: None,
        rank_after: None,
    };
    let mut out = Vec::new();
    let rows: Vec<(&str, Option<&GroupScores>, Option<&GroupScores>)> =
        std::iter::once((ALL_UNITS, before.overall.as_ref(), after.overall.as_ref()))
            .chain(
                after.ranking.iter().map(|entry| {
                    (entry.unit.as_str(), unit_scores(before, &entry.unit), unit_scores(after, &entry.unit))
                }),
            )
            .collect();
    for (unit, b, a) in rows {
        let mut index = change(unit, None, b.and_then(|s| s.index), a.and_then(|s| s.index));
        if unit != ALL_UNITS {
            index.rank_before = rank_of(before, unit);
            index.rank_after = rank_of(after, unit);
        }
        out.push(index);
        for dimension in dimensions {
            out.push(change(
                unit,
                Some(dimension),
                b.and_then(|s| s.dimension_score(dimension)),
                a.and_then(|s| s.dimension_score(dimension)),
            ));
        }
    }
    out
}

/// The ids of a survey's dimensions (top-level indicators), in definition order.
pub fn dimension_ids(survey: &survey_core::Survey) -> Vec<String> {
    survey.indicators.iter().map(|i| i.id.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use survey_core::analysis::score::{IndicatorScores, Suppression};

    fn group(n: usize, index: Option<f64>, dims: &[(&str, Option<f64>)]) -> GroupScores {
        GroupScores {
            n_responses: n,
            index,
            rate: None,
            indicators: dims
                .iter()
                .map(|(id, score)| IndicatorScores {
                    id: (*id).to_owned(),
                    parent: None,
                    weight: 1.0,
                    score: *score,
                    rate: None,
                })
                .collect(),
            items: Vec::new(),
        }
    }

    fn unit(id: &str, scores: Option<GroupScores>) -> UnitScores {
        let n = scores.as_ref().map_or(2, |s| s.n_responses);
        UnitScores {
            unit: Some(id.to_owned()),
            n_responses: n,
            suppressed: scores.is_none(),
            reason: scores.is_none().then_some(Suppression::TooFewResponses),
            scores,
        }
    }

    fn rank(id: &str, rank: Option<usize>, index: Option<f64>) -> RankEntry {
        RankEntry { unit: id.to_owned(), rank, index, suppressed: rank.is_none() }
    }

    #[test]
    fn changes_are_after_minus_before_and_absent_where_either_side_is_suppressed() {
        let before = Round {
            units: vec![unit("a", Some(group(6, Some(70.0), &[("d1", Some(60.0))]))), unit("b", None)],
            ranking: vec![rank("a", Some(1), Some(70.0)), rank("b", None, None)],
            overall: Some(group(8, Some(68.0), &[("d1", Some(61.0))])),
        };
        let after = Round {
            units: vec![
                unit("a", Some(group(7, Some(75.5), &[("d1", Some(58.0))]))),
                unit("b", Some(group(5, Some(80.0), &[("d1", None)]))),
            ],
            ranking: vec![rank("b", Some(1), Some(80.0)), rank("a", Some(2), Some(75.5))],
            overall: Some(group(12, Some(77.0), &[("d1", Some(59.0))])),
        };
        let rows = changes(&before, &after, &["d1".to_owned()]);
        assert_eq!(rows.len(), 6);
        assert_eq!((rows[0].unit.as_str(), rows[0].delta), (ALL_UNITS, Some(9.0)));
        assert_eq!(rows[1].delta, Some(-2.0));
        // b was suppressed before: no change is shown, though both ranks are known.
        assert_eq!((rows[2].unit.as_str(), rows[2].before, rows[2].delta), ("b", None, None));
        assert_eq!((rows[2].rank_before, rows[2].rank_after), (None, Some(1)));
        assert_eq!(rows[3].delta, None, "dimension without data after");
        assert_eq!((rows[4].unit.as_str(), rows[4].delta), ("a", Some(5.5)));
        assert_eq!((rows[4].rank_before, rows[4].rank_after), (Some(1), Some(2)));
        assert_eq!(rows[5].delta, Some(-2.0));
    }

    #[test]
    fn a_round_reads_back_from_its_json_export_and_a_bad_one_names_the_place() {
        let round = Round {
            units: vec![unit("a", Some(group(6, Some(70.0), &[("d1", Some(60.0))])))],
            ranking: vec![rank("a", Some(1), Some(70.0))],
            overall: Some(group(6, Some(70.0), &[("d1", Some(60.0))])),
        };
        let export = serde_json::json!({"report": {
            "units": round.units, "ranking": round.ranking, "overall": round.overall, "alpha": []
        }});
        assert_eq!(Round::from_json(&export.to_string()), Ok(round.clone()));
        // A suppressed whole evaluation reads as absent.
        let suppressed = serde_json::json!({"report": {
            "units": round.units, "ranking": round.ranking, "overall": {"n_responses": 3, "suppressed": true}
        }});
        assert_eq!(Round::from_json(&suppressed.to_string()).map(|r| r.overall), Ok(None));
        let err = Round::from_json(r#"{"report": {"units": 3, "ranking": []}}"#).unwrap_err();
        assert!(err.starts_with("report.units:"), "{err}");
        assert!(Round::from_json("{").unwrap_err().starts_with("not JSON"));
    }
}
