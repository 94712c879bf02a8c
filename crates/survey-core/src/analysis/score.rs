//! Scoring of satisfaction evaluations: item scores on 0–100, satisfaction rates, the weighted
//! indicator tree, per-unit results with small-unit and complementary suppression, a ranking of
//! units, and Cronbach's alpha per dimension.
//!
//! The formulas are written down in `docs/scoring.md`; this module is their one implementation.
//! Every mean or variance is summed over values sorted first, so the report is bit-for-bit the
//! same whatever order the responses arrive in (bundles from several tablets are merged in no
//! particular order, and a department must get the same numbers on every run). "No data" is
//! `None` throughout, never NaN: serde_json would silently write NaN as `null`, hiding the
//! difference between "nobody answered" and "the arithmetic broke".

use crate::bundle::ExportedResponse;
use crate::definition::{Indicator, Item, Survey};
use crate::response::AnswerValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Units with fewer responses than this are suppressed: with four residents of one village,
/// a published mean comes too close to naming what each of them said.
pub const MIN_UNIT_RESPONSES: usize = 5;

/// How the group of responses without a unit is shown.
pub const NO_UNIT_LABEL: &str = "(none)";

/// The two-sided 95% quantile of the standard normal distribution.
const Z_95: f64 = 1.96;

/// A total-score variance at or below this (on the 0–100 scale, squared) counts as zero: equal
/// totals can leave a few ulps of rounding noise, and alpha of a constant is undefined.
const ZERO_VARIANCE: f64 = 1e-9;

/// The whole scoring result of one survey's responses. It reads back from its JSON (a previous
/// round's report, kept for comparison) to an equal value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// All responses together, including those of suppressed units. Always computed; with
    /// fewer than [`MIN_UNIT_RESPONSES`] responses it falls under the anonymity rule itself, and
    /// a presentation shows only its count.
    pub overall: GroupScores,
    /// One entry per unit (declared in the survey or met in a response), sorted by unit id; the
    /// responses without a unit come first (`unit: null`, shown as [`NO_UNIT_LABEL`]).
    pub units: Vec<UnitScores>,
    /// The units by overall index, best first; see [`RankEntry`].
    pub ranking: Vec<RankEntry>,
    /// The units ranked by each top-level dimension's score, in definition order, by the same
    /// rules as `ranking` (`RankEntry::index` holds the dimension score).
    #[serde(default)]
    pub dimension_rankings: Vec<DimensionRanking>,
    /// Internal consistency of each top-level dimension, over all responses.
    pub alpha: Vec<DimensionAlpha>,
}

/// Scores of a group of responses (all of them, or one unit's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScores {
    pub n_responses: usize,
    /// The overall index, 0–100: the weighted mean of the top-level dimensions with data.
    pub index: Option<f64>,
    /// The overall satisfaction rate, percent, aggregated like `index`.
    pub rate: Option<f64>,
    /// Every node of the indicator tree, in preorder (parents before their children).
    pub indicators: Vec<IndicatorScores>,
    /// Every scored item, in page order.
    pub items: Vec<ItemScores>,
}

/// One item's statistics within a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScores {
    /// `QID` or `QID.ROW`.
    pub item: String,
    pub indicator: Option<String>,
    /// Scored answers (a scale point).
    pub n: usize,
    /// Answers given but not scored ("don't know").
    pub n_unscored: usize,
    /// Answers that are neither a point nor an unscored value, or of the wrong type; a checked
    /// tablet never produces them, so a non-zero count points at a broken bundle.
    pub n_invalid: usize,
    /// Mean item score, 0–100, after reversing.
    pub mean: Option<f64>,
    /// Sample standard deviation of the item scores (n − 1); none when n < 2.
    pub sd: Option<f64>,
    /// 95% confidence interval of the mean, normal approximation; none when n < 2.
    pub ci95: Option<Interval>,
    /// Percent of the scored answers that are in `satisfied`; none without `satisfied` or data.
    pub rate: Option<f64>,
}

/// A closed interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// One node of the indicator tree within a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScores {
    pub id: String,
    /// The parent node; none for a top-level dimension.
    pub parent: Option<String>,
    pub weight: f64,
    /// 0–100; none when no item below it has data.
    pub score: Option<f64>,
    /// Percent; none when no item below it has a rate.
    pub rate: Option<f64>,
}

/// Why a unit's numbers are withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// Fewer than [`MIN_UNIT_RESPONSES`] responses.
    TooFewResponses,
    /// Enough responses, but withheld so that the small groups' results cannot be recovered by
    /// subtracting the published groups from the overall result.
    Complementary,
}

impl GroupScores {
    /// The score of the top-level indicator (dimension) `id`, if it has one.
    pub fn dimension_score(&self, id: &str) -> Option<f64> {
        self.indicators.iter().find(|i| i.parent.is_none() && i.id == id).and_then(|i| i.score)
    }
}

/// The ranking of units by one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionRanking {
    pub dimension: String,
    pub ranking: Vec<RankEntry>,
}

/// One unit's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScores {
    /// The unit id; none for the responses that named no unit.
    pub unit: Option<String>,
    pub n_responses: usize,
    /// Whether the scores are withheld; the count `n_responses` is always shown.
    pub suppressed: bool,
    /// Why, when suppressed.
    pub reason: Option<Suppression>,
    /// None when suppressed (for any reason).
    pub scores: Option<GroupScores>,
}

impl UnitScores {
    /// The unit id, or [`NO_UNIT_LABEL`].
    pub fn label(&self) -> &str {
        self.unit.as_deref().unwrap_or(NO_UNIT_LABEL)
    }
}

/// A unit's place in the ranking. Ranked units come first, best first, ties in unit-id order;
/// then the units without a rank (suppressed, or no data), by unit id. The responses without a
/// unit are not a unit under evaluation and are not ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankEntry {
    pub unit: String,
    /// Competition ranking ("1, 2, 2, 4") on the index rounded to 2 decimals; none when the
    /// unit is suppressed (for any reason, complementary included) or has no index.
    pub rank: Option<usize>,
    pub index: Option<f64>,
    pub suppressed: bool,
}

/// Cronbach's alpha of one top-level dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionAlpha {
    pub dimension: String,
    /// Items under the dimension.
    pub k: usize,
    /// Responses with a scored answer to every one of them (the only ones used).
    pub n: usize,
    /// None when k < 2, n < 2 or the total score does not vary.
    pub alpha: Option<f64>,
    /// Alpha of the other k − 1 items over the same responses, per item in page order.
    pub if_deleted: Vec<ItemAlpha>,
}

/// Alpha of a dimension without one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAlpha {
    pub item: String,
    pub alpha: Option<f64>,
}

/// What one response says about one item.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Observation {
    Missing,
    /// The original point and its 0–100 score after reversing.
    Scored {
        point: i64,
        score: f64,
    },
    Unscored,
    Invalid,
}

/// What scoring needs of an item, taken from the definition once.
struct ItemSpec<'a> {
    item: Item<'a>,
    key: String,
    /// Lowest and highest scored point; none when the scale has fewer than two distinct points
    /// (validation refuses that, but a division by zero must not be possible).
    range: Option<(i64, i64)>,
}

impl<'a> ItemSpec<'a> {
    fn new(item: Item<'a>) -> Self {
        let points = item.question.points.as_deref().unwrap_or_default();
        let min = points.iter().map(|p| p.value).min();
        let max = points.iter().map(|p| p.value).max();
        let range = match (min, max) {
            (Some(min), Some(max)) if max > min => Some((min, max)),
            _ => None,
        };
        ItemSpec { item, key: item.key(), range }
    }

    fn observe(&self, response: &ExportedResponse) -> Observation {
        let question = self.item.question;
        let value = match (self.item.row, response.answers.get(&question.id).map(|a| &a.value)) {
            (_, None) => return Observation::Missing,
            (None, Some(AnswerValue::Number(point))) => *point,
            (Some(row), Some(AnswerValue::Rows(rows))) => match rows.get(&row.id) {
                Some(point) => *point,
                None => return Observation::Missing,
            },
            _ => return Observation::Invalid,
        };
        if question.is_unscored_value(value) {
            return Observation::Unscored;
        }
        let is_point = question.points.as_deref().unwrap_or_default().iter().any(|p| p.value == value);
        match self.range {
            Some((min, max)) if is_point => {
                // Reversing maps the scale onto itself end to end, so a reversed item's best
                // answer (its lowest point) scores 100 like everyone else's best answer.
                let flipped = if self.item.reverse() { min + max - value } else { value };
                let score = (flipped - min) as f64 / (max - min) as f64 * 100.0;
                Observation::Scored { point: value, score }
            }
            _ => Observation::Invalid,
        }
    }

    fn is_satisfied(&self, point: i64) -> Option<bool> {
        self.item.question.satisfied.as_ref().map(|good| good.contains(&point))
    }
}

/// Scores the responses to a survey. Pure and total: any responses give a report, with `None`
/// wherever there is nothing to compute from.
///
/// Takes owned responses or references to them (`&[ExportedResponse]` or `&[&ExportedResponse]`),
/// so a department with 100,000 responses scores them where they lie, without a copy.
pub fn score<R: std::borrow::Borrow<ExportedResponse>>(survey: &Survey, responses: &[R]) -> Report {
    let specs: Vec<ItemSpec<'_>> = survey.items().into_iter().map(ItemSpec::new).collect();
    // One row per response, one observation per item: every later step reads this table.
    let table: Vec<Vec<Observation>> =
        responses.iter().map(|r| specs.iter().map(|spec| spec.observe(r.borrow())).collect()).collect();

    let all: Vec<usize> = (0..responses.len()).collect();
    let overall = group_scores(survey, &specs, &table, &all);

    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for unit in &survey.units {
        groups.entry(Some(unit.id.as_str())).or_default();
    }
    for (idx, response) in responses.iter().enumerate() {
        groups.entry(response.borrow().unit.as_deref()).or_default().push(idx);
    }
    // Suppression is decided on the group sizes alone, before any group is scored.
    let sizes: Vec<usize> = groups.values().map(Vec::len).collect();
    let units: Vec<UnitScores> = groups
        .into_iter()
        .zip(suppression(&sizes))
        .map(|((unit, members), reason)| UnitScores {
            unit: unit.map(str::to_owned),
            n_responses: members.len(),
            suppressed: reason.is_some(),
            reason,
            scores: reason.is_none().then(|| group_scores(survey, &specs, &table, &members)),
        })
        .collect();

    let ranking = rank(&units, |scores| scores.index);
    let dimension_rankings = survey
        .indicators
        .iter()
        .map(|dimension| DimensionRanking {
            dimension: dimension.id.clone(),
            ranking: rank(&units, |scores| scores.dimension_score(&dimension.id)),
        })
        .collect();
    let alpha = survey.indicators.iter().map(|dimension| dimension_alpha(dimension, &specs, &table)).collect();
    Report { overall, units, ranking, dimension_rankings, alpha }
}

/// Which groups are withheld, and why, from the groups' sizes in report order (the `(none)`
/// group first, then by unit id). See "Groups, units and suppression" in `docs/scoring.md`.
///
/// 1. A group with fewer than [`MIN_UNIT_RESPONSES`] responses is withheld
///    ([`Suppression::TooFewResponses`]), an empty one included (it discloses nothing).
/// 2. The overall group is published, so the withheld groups taken together can be recovered by
///    subtracting the published groups from it. When they hold between 1 and
///    `MIN_UNIT_RESPONSES − 1` responses together, that recovered remainder would be a result of
///    too few residents, and with a single small group it *is* that group's result. Then the
///    published group with the fewest responses is withheld too
///    ([`Suppression::Complementary`]), ties going to the first in report order. It has at least
///    `MIN_UNIT_RESPONSES` responses, so the remainder then has enough, and one step suffices.
///
/// When all responses together are fewer than `MIN_UNIT_RESPONSES`, every group is withheld by
/// rule 1 and there is no published group to add (the overall is then below the threshold itself,
/// and a presentation shows only its count).
fn suppression(sizes: &[usize]) -> Vec<Option<Suppression>> {
    let mut reasons: Vec<Option<Suppression>> =
        sizes.iter().map(|&n| (n < MIN_UNIT_RESPONSES).then_some(Suppression::TooFewResponses)).collect();
    let withheld: usize = sizes.iter().zip(&reasons).filter(|(_, reason)| reason.is_some()).map(|(n, _)| n).sum();
    if (1..MIN_UNIT_RESPONSES).contains(&withheld) {
        // `min_by_key` keeps the first of equal minima: the earliest group in report order.
        let smallest = (0..sizes.len()).filter(|&g| reasons[g].is_none()).min_by_key(|&g| sizes[g]);
        if let Some(g) = smallest {
            reasons[g] = Some(Suppression::Complementary);
        }
    }
    reasons
}

fn group_scores(survey: &Survey, specs: &[ItemSpec<'_>], table: &[Vec<Observation>], members: &[usize]) -> GroupScores {
    let items: Vec<ItemScores> =
        specs.iter().enumerate().map(|(col, spec)| item_scores(spec, members.iter().map(|&r| table[r][col]))).collect();

    // Each leaf's items, in page order.
    let mut by_leaf: BTreeMap<&str, Vec<Part>> = BTreeMap::new();
    for (spec, stats) in specs.iter().zip(&items) {
        if let Some(leaf) = spec.item.indicator() {
            by_leaf.entry(leaf).or_default().push(Part {
                weight: spec.item.weight(),
                score: stats.mean,
                rate: stats.rate,
            });
        }
    }
    let mut indicators = Vec::new();
    let top: Vec<Part> =
        survey.indicators.iter().map(|node| indicator_scores(node, None, &by_leaf, &mut indicators)).collect();
    let overall = Part::combine(1.0, &top);
    GroupScores { n_responses: members.len(), index: overall.score, rate: overall.rate, indicators, items }
}

/// One weighted input of a node of the tree: an item of a leaf, or a child of an inner node.
#[derive(Debug, Clone, Copy)]
struct Part {
    weight: f64,
    score: Option<f64>,
    rate: Option<f64>,
}

impl Part {
    /// A part of weight `weight` made of `parts`: score and rate each the weighted mean over the
    /// parts that have one.
    fn combine(weight: f64, parts: &[Part]) -> Part {
        Part {
            weight,
            score: weighted_mean(parts.iter().map(|p| (p.weight, p.score))),
            rate: weighted_mean(parts.iter().map(|p| (p.weight, p.rate))),
        }
    }
}

/// Scores `node` and everything below it, pushing them in preorder; returns the node as a part
/// of its parent.
fn indicator_scores(
    node: &Indicator,
    parent: Option<&str>,
    by_leaf: &BTreeMap<&str, Vec<Part>>,
    out: &mut Vec<IndicatorScores>,
) -> Part {
    let slot = out.len();
    out.push(IndicatorScores {
        id: node.id.clone(),
        parent: parent.map(str::to_owned),
        weight: node.weight,
        score: None,
        rate: None,
    });
    // A node with children is scored from them only: validation refuses items pointing at an
    // inner node, and mixing item and indicator weights on one level would have no meaning.
    let parts: Vec<Part> = if node.children.is_empty() {
        by_leaf.get(node.id.as_str()).cloned().unwrap_or_default()
    } else {
        node.children.iter().map(|child| indicator_scores(child, Some(&node.id), by_leaf, out)).collect()
    };
    let part = Part::combine(node.weight, &parts);
    out[slot].score = part.score;
    out[slot].rate = part.rate;
    part
}

fn item_scores(spec: &ItemSpec<'_>, observations: impl Iterator<Item = Observation>) -> ItemScores {
    let mut scores = Vec::new();
    let (mut n_unscored, mut n_invalid, mut n_satisfied) = (0, 0, 0);
    for observation in observations {
        match observation {
            Observation::Missing => {}
            Observation::Unscored => n_unscored += 1,
            Observation::Invalid => n_invalid += 1,
            Observation::Scored { point, score } => {
                scores.push(score);
                if spec.is_satisfied(point) == Some(true) {
                    n_satisfied += 1;
                }
            }
        }
    }
    let n = scores.len();
    let mean = mean(&mut scores);
    let sd = sample_variance(&mut scores).map(f64::sqrt);
    let ci95 = match (mean, sd) {
        (Some(mean), Some(sd)) => {
            let half = Z_95 * sd / (n as f64).sqrt();
            Some(Interval { low: mean - half, high: mean + half })
        }
        _ => None,
    };
    let has_satisfied = spec.item.question.satisfied.is_some();
    let rate = (has_satisfied && n > 0).then(|| n_satisfied as f64 / n as f64 * 100.0);
    ItemScores {
        item: spec.key.clone(),
        indicator: spec.item.indicator().map(str::to_owned),
        n,
        n_unscored,
        n_invalid,
        mean,
        sd,
        ci95,
        rate,
    }
}

/// Σ wᵢxᵢ / Σ wᵢ over the parts that have a value, so the weights are renormalised over the
/// parts with data; none when no part has data or their weights sum to zero.
fn weighted_mean(parts: impl Iterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (weight, value) in parts {
        if let Some(value) = value {
            sum += weight * value;
            weights += weight;
        }
    }
    (weights > 0.0).then(|| sum / weights)
}

/// The mean, summed in sorted order so the result does not depend on the input order.
fn mean(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample variance (n − 1), two-pass for accuracy; none when n < 2.
fn sample_variance(values: &mut [f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let mean = mean(values)?;
    let squares: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    Some(squares / (values.len() - 1) as f64)
}

/// Ranks the units by overall index (see [`RankEntry`]).
/// Ranks the units by `value` (the index, or a dimension's score).
fn rank(units: &[UnitScores], value: impl Fn(&GroupScores) -> Option<f64>) -> Vec<RankEntry> {
    let mut ranked: Vec<(String, f64)> = Vec::new();
    let mut unranked: Vec<RankEntry> = Vec::new();
    for unit in units {
        let Some(id) = &unit.unit else { continue };
        match unit.scores.as_ref().and_then(&value) {
            Some(index) => ranked.push((id.clone(), index)),
            None => unranked.push(RankEntry { unit: id.clone(), rank: None, index: None, suppressed: unit.suppressed }),
        }
    }
    ranked.sort_by(|(a_id, a), (b_id, b)| rounded_key(*b).cmp(&rounded_key(*a)).then_with(|| a_id.cmp(b_id)));
    let mut entries: Vec<RankEntry> = Vec::new();
    let mut previous: Option<(i64, usize)> = None;
    for (position, (id, index)) in ranked.iter().enumerate() {
        // Competition ranking: a tie shares the rank of its first member, the next distinct
        // value skips the places the tie took ("1, 2, 2, 4").
        let key = rounded_key(*index);
        let rank = match previous {
            Some((prev_key, prev_rank)) if prev_key == key => prev_rank,
            _ => position + 1,
        };
        previous = Some((key, rank));
        entries.push(RankEntry { unit: id.clone(), rank: Some(rank), index: Some(*index), suppressed: false });
    }
    entries.extend(unranked);
    entries
}

/// The index rounded to 2 decimals as an integer, so two indices that print the same tie even
/// when float noise separates them in the 15th digit.
fn rounded_key(index: f64) -> i64 {
    (index * 100.0).round() as i64
}

fn dimension_alpha(dimension: &Indicator, specs: &[ItemSpec<'_>], table: &[Vec<Observation>]) -> DimensionAlpha {
    let mut leaves = BTreeSet::new();
    collect_leaves(dimension, &mut leaves);
    let columns: Vec<usize> = specs
        .iter()
        .enumerate()
        .filter(|(_, spec)| spec.item.indicator().is_some_and(|leaf| leaves.contains(leaf)))
        .map(|(col, _)| col)
        .collect();
    // Complete cases only: alpha compares each item's variance with the total's, which needs
    // every item answered by the same people. Sorted, so the sums do not depend on input order.
    let mut rows: Vec<Vec<f64>> = table
        .iter()
        .filter_map(|row| {
            columns
                .iter()
                .map(|&col| match row[col] {
                    Observation::Scored { score, .. } => Some(score),
                    _ => None,
                })
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    rows.sort_by(|a, b| {
        a.iter().zip(b).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    });
    let all: Vec<usize> = (0..columns.len()).collect();
    let if_deleted = columns
        .iter()
        .enumerate()
        .map(|(drop, &col)| {
            let rest: Vec<usize> = all.iter().copied().filter(|&i| i != drop).collect();
            ItemAlpha { item: specs[col].key.clone(), alpha: cronbach_alpha(&rows, &rest) }
        })
        .collect();
    DimensionAlpha {
        dimension: dimension.id.clone(),
        k: columns.len(),
        n: rows.len(),
        alpha: cronbach_alpha(&rows, &all),
        if_deleted,
    }
}

fn collect_leaves<'a>(node: &'a Indicator, out: &mut BTreeSet<&'a str>) {
    if node.children.is_empty() {
        out.insert(&node.id);
    }
    for child in &node.children {
        collect_leaves(child, out);
    }
}

/// α = k/(k−1) · (1 − Σ var(itemᵢ) / var(total)) over the columns `use_cols` of `rows`, with
/// sample variances; none when k < 2, n < 2 or the total does not vary.
fn cronbach_alpha(rows: &[Vec<f64>], use_cols: &[usize]) -> Option<f64> {
    let k = use_cols.len();
    if k < 2 || rows.len() < 2 {
        return None;
    }
    // Row order is fixed by the caller; the variance sums run in that order, not re-sorted per
    // column, so the columns stay aligned with their totals.
    let variance_in_order = |values: &[f64]| {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
    };
    let item_variances: f64 =
        use_cols.iter().map(|&c| variance_in_order(&rows.iter().map(|row| row[c]).collect::<Vec<_>>())).sum();
    let totals: Vec<f64> = rows.iter().map(|row| use_cols.iter().map(|&c| row[c]).sum()).collect();
    let total_variance = variance_in_order(&totals);
    if total_variance <= ZERO_VARIANCE {
        return None;
    }
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - item_variances / total_variance))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::validate::load_survey;
    use crate::response::Answer;
    use proptest::prelude::*;

    /// Two dimensions: `a` (weight 2) with leaves `a1` (1) and `a2` (3), and the leaf `b` (1).
    /// `q1` (weight 2) and the reversed `q2` feed `a1`; matrix `m` has row `r1` → `a2` and row
    /// `r2` → `b`. Every scale is 1–5 with 9 = "don't know".
    const SURVEY: &str = r#"{
      "format": "survey/1", "id": "t", "version": "1",
      "title": {"en": "T"}, "languages": ["en"],
      "indicators": [
        {"id": "a", "title": {"en": "A"}, "weight": 2, "children": [
          {"id": "a1", "title": {"en": "A1"}, "weight": 1},
          {"id": "a2", "title": {"en": "A2"}, "weight": 3}]},
        {"id": "b", "title": {"en": "B"}, "weight": 1}
      ],
      "sections": [{"id": "s", "title": {"en": "S"}, "questions": [
        {"id": "q1", "kind": "scale", "title": {"en": "Q1"}, "points": POINTS, "satisfied": [4, 5],
         "unscored": DK, "indicator": "a1", "weight": 2},
        {"id": "q2", "kind": "scale", "title": {"en": "Q2"}, "points": POINTS, "satisfied": [1, 2],
         "unscored": DK, "indicator": "a1", "reverse": true, "reverse_of": "q1"},
        {"id": "m", "kind": "matrix", "title": {"en": "M"}, "points": POINTS, "satisfied": [4, 5],
         "unscored": DK, "rows": [
           {"id": "r1", "label": {"en": "R1"}, "indicator": "a2"},
           {"id": "r2", "label": {"en": "R2"}, "indicator": "b"}]}
      ]}]
    }"#;

    fn survey() -> Survey {
        let points = r#"[{"value": 1, "label": {"en": "1"}}, {"value": 2, "label": {"en": "2"}},
            {"value": 3, "label": {"en": "3"}}, {"value": 4, "label": {"en": "4"}},
            {"value": 5, "label": {"en": "5"}}]"#;
        let dk = r#"[{"value": 9, "label": {"en": "Don't know"}}]"#;
        let text = SURVEY.replace("POINTS", points).replace("DK", dk);
        let loaded = load_survey(&text);
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        loaded.survey.expect("valid survey")
    }

    fn response(unit: Option<&str>, q1: Option<i64>, q2: Option<i64>, rows: &[(&str, i64)]) -> ExportedResponse {
        crate::test_support::response(unit, q1, q2, rows)
    }

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|a| (a - expected).abs() < 1e-9)
    }

    #[track_caller]
    fn assert_close(actual: Option<f64>, expected: f64) {
        assert!(close(actual, expected), "{actual:?} != {expected}");
    }

    fn indicator<'a>(group: &'a GroupScores, id: &str) -> &'a IndicatorScores {
        group.indicators.iter().find(|i| i.id == id).expect("indicator")
    }

    /// Worked by hand (scores are (x' − 1)/4 × 100 on the 1–5 scales):
    ///
    /// | resp | q1 | q2 (rev) | m.r1 | m.r2 |
    /// | R1   | 5  | 1        | 4    | 9    |
    /// | R2   | 4  | 9        | 2    | 9    |
    /// | R3   | 9  | 4        | 9    | 9    |
    ///
    /// - q1: 5 → 100, 4 → 75, 9 excluded. n = 2, n_unscored = 1, mean 87.5; deviations ±12.5, so
    ///   var = 2·156.25/1 = 312.5, sd = √312.5 = 17.67767; CI half-width = 1.96·sd/√2 = 1.96·12.5
    ///   = 24.5 → [63, 112]. Rate: 5 and 4 both in {4, 5} → 100%.
    /// - q2 reversed, x' = 1 + 5 − x: 1 → 5 → 100, 4 → 2 → 25; mean 62.5; deviations ±37.5, sd
    ///   = √2812.5; half-width 1.96·37.5 = 73.5 → [−11, 136]. Rate on the ORIGINAL answers,
    ///   satisfied = {1, 2}: 1 yes, 4 no → 50%.
    /// - m.r1: 4 → 75, 2 → 25; mean 50, rate 1 of 2 → 50%.
    /// - m.r2: only "don't know": n = 0, n_unscored = 3, no mean, no rate.
    /// - a1 = (2·87.5 + 1·62.5)/3 = 237.5/3 = 79.1667; rate (2·100 + 1·50)/3 = 83.3333.
    /// - a2 = 50; rate 50.
    /// - a = (1·237.5/3 + 3·50)/4 = 687.5/12 = 57.2917; rate (1·250/3 + 3·50)/4 = 700/12 = 58.3333.
    /// - b has no data, so the index is renormalised over `a` alone: (2·57.2917)/2 = 57.2917
    ///   (counting `b` as 0 would give 2·57.2917/3 = 38.19). Rate likewise 58.3333.
    #[test]
    fn hand_computed_overall_scores() {
        let responses = [
            response(None, Some(5), Some(1), &[("r1", 4), ("r2", 9)]),
            response(None, Some(4), Some(9), &[("r1", 2), ("r2", 9)]),
            response(None, Some(9), Some(4), &[("r1", 9), ("r2", 9)]),
        ];
        let report = score(&survey(), &responses);
        let overall = &report.overall;
        assert_eq!(overall.n_responses, 3);

        let q1 = &overall.items[0];
        assert_eq!((q1.item.as_str(), q1.n, q1.n_unscored, q1.n_invalid), ("q1", 2, 1, 0));
        assert_close(q1.mean, 87.5);
        assert_close(q1.sd, 312.5_f64.sqrt());
        let ci = q1.ci95.expect("ci");
        assert_close(Some(ci.low), 63.0);
        assert_close(Some(ci.high), 112.0);
        assert_close(q1.rate, 100.0);

        let q2 = &overall.items[1];
        assert_eq!((q2.n, q2.n_unscored), (2, 1));
        assert_close(q2.mean, 62.5);
        assert_close(q2.sd, 2812.5_f64.sqrt());
        let ci = q2.ci95.expect("ci");
        assert_close(Some(ci.low), -11.0);
        assert_close(Some(ci.high), 136.0);
        assert_close(q2.rate, 50.0);

        let r1 = &overall.items[2];
        assert_eq!(r1.item, "m.r1");
        assert_close(r1.mean, 50.0);
        assert_close(r1.rate, 50.0);

        let r2 = &overall.items[3];
        assert_eq!((r2.item.as_str(), r2.n, r2.n_unscored), ("m.r2", 0, 3));
        assert_eq!((r2.mean, r2.sd, r2.ci95, r2.rate), (None, None, None, None));

        assert_close(indicator(overall, "a1").score, 237.5 / 3.0);
        assert_close(indicator(overall, "a1").rate, 250.0 / 3.0);
        assert_close(indicator(overall, "a2").score, 50.0);
        assert_close(indicator(overall, "a").score, 687.5 / 12.0);
        assert_close(indicator(overall, "a").rate, 700.0 / 12.0);
        assert_eq!(indicator(overall, "a1").parent.as_deref(), Some("a"));
        assert_eq!((indicator(overall, "b").score, indicator(overall, "b").rate), (None, None));
        assert_close(overall.index, 687.5 / 12.0);
        assert_close(overall.rate, 700.0 / 12.0);
        let order: Vec<&str> = overall.indicators.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(order, ["a", "a1", "a2", "b"]);
    }

    /// Only q1 is answered, so a unit's index is its q1 mean (a1 → a, the only dimension with
    /// data): 5 → 100, 4 → 75, 3 → 50.
    /// - u_a: 5 × q1=5 → 100.
    /// - u_b: q1 = 5, 3, 4, 4, 4 → (100 + 50 + 75·3)/5 = 375/5 = 75.
    /// - u_c: 5 × q1=4 → 75 (ties with u_b).
    /// - u_d: 5 × q1=3 → 50: fourth, since two units share second place.
    /// - u_e: 4 × q1=5 → would be 100, but 4 < 5 responses: suppressed, no rank, no numbers.
    /// - u_f: 5 responses of "don't know" only: not suppressed, but no index, so unranked.
    /// - one response without unit: its own group, never ranked.
    ///
    /// Ranking: u_a 1, u_b 2, u_c 2, u_d 4, then u_e and u_f unranked.
    #[test]
    fn ranking_shares_ties_and_suppresses_small_units() {
        let mut responses = Vec::new();
        let mut add = |unit: &str, points: &[i64]| {
            for &p in points {
                responses.push(response(Some(unit), Some(p), None, &[]));
            }
        };
        add("u_a", &[5; 5]);
        add("u_b", &[5, 3, 4, 4, 4]);
        add("u_c", &[4; 5]);
        add("u_d", &[3; 5]);
        add("u_e", &[5; 4]);
        add("u_f", &[9; 5]);
        responses.push(response(None, Some(1), None, &[]));
        let report = score(&survey(), &responses);

        let ranks: Vec<(&str, Option<usize>)> = report.ranking.iter().map(|e| (e.unit.as_str(), e.rank)).collect();
        assert_eq!(
            ranks,
            [("u_a", Some(1)), ("u_b", Some(2)), ("u_c", Some(2)), ("u_d", Some(4)), ("u_e", None), ("u_f", None)]
        );
        assert_close(report.ranking[1].index, 75.0);
        assert_close(report.ranking[2].index, 75.0);
        let e = &report.ranking[4];
        assert_eq!((e.index, e.suppressed), (None, true));
        assert!(!report.ranking[5].suppressed);

        let labels: Vec<&str> = report.units.iter().map(UnitScores::label).collect();
        assert_eq!(labels, ["(none)", "u_a", "u_b", "u_c", "u_d", "u_e", "u_f"]);
        let u_e = &report.units[5];
        assert_eq!((u_e.n_responses, u_e.suppressed, u_e.reason), (4, true, Some(Suppression::TooFewResponses)));
        assert_eq!(u_e.scores, None);
        assert!(report.units[0].suppressed, "1 response without unit is suppressed too");
        // The overall group keeps every response, suppressed units included.
        assert_eq!(report.overall.n_responses, 30);
    }

    #[test]
    fn ties_are_judged_on_two_decimals() {
        let unit = |id: &str, index: f64| UnitScores {
            unit: Some(id.to_owned()),
            n_responses: 5,
            suppressed: false,
            reason: None,
            scores: Some(GroupScores {
                n_responses: 5,
                index: Some(index),
                rate: None,
                indicators: vec![],
                items: vec![],
            }),
        };
        // 75.004 and 74.9999999999 both print as 75.00; 74.994 prints as 74.99.
        let units = [unit("a", 80.0), unit("b", 75.004), unit("c", 74.999_999_999_9), unit("d", 74.994)];
        let ranks: Vec<Option<usize>> = rank(&units, |scores| scores.index).iter().map(|e| e.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(2), Some(4)]);
    }

    /// Items X = [1, 2, 3] and Y = [1, 3, 2]: var X = var Y = 1; totals [2, 5, 5] with mean 4,
    /// squared deviations 4 + 1 + 1 = 6, var 3. α = 2/1 · (1 − 2/3) = 2/3.
    #[test]
    fn alpha_by_hand() {
        let rows = vec![vec![1.0, 1.0], vec![2.0, 3.0], vec![3.0, 2.0]];
        assert_close(cronbach_alpha(&rows, &[0, 1]), 2.0 / 3.0);
        assert_eq!(cronbach_alpha(&rows, &[0]), None, "k < 2");
        assert_eq!(cronbach_alpha(&rows[..1], &[0, 1]), None, "n < 2");
        assert_eq!(cronbach_alpha(&[vec![1.0, 2.0], vec![2.0, 1.0]], &[0, 1]), None, "constant total");
    }

    /// q1 = 1, 3, 5 and the reversed q2 = 5, 3, 1 say the same thing: after the flip both items
    /// score 0, 50, 100, so α = 2 · (1 − 2v/4v) = 1. Without the flip it would be negative.
    /// Dimension `a` also holds m.r1, left unanswered: then no response is complete (n = 0).
    #[test]
    fn alpha_uses_reversed_scores_and_complete_cases() {
        let survey = survey();
        let consistent: Vec<ExportedResponse> =
            [(1, 5), (3, 3), (5, 1)].iter().map(|&(a, b)| response(None, Some(a), Some(b), &[("r1", 3)])).collect();
        let report = score(&survey, &consistent);
        let a = &report.alpha[0];
        assert_eq!((a.dimension.as_str(), a.k, a.n), ("a", 3, 3));
        // With r1 constant at 50, var(r1) = 0 and var(total) = var(2·q1) = 4v: α = 3/2 · (1 − 2v/4v) = 0.75.
        assert_close(a.alpha, 0.75);
        let if_deleted: Vec<(&str, Option<f64>)> = a.if_deleted.iter().map(|i| (i.item.as_str(), i.alpha)).collect();
        assert_eq!(if_deleted[0].0, "q1");
        assert!(close(if_deleted[2].1, 1.0), "without the constant row, q1 and reversed q2 agree: {if_deleted:?}");
        assert_eq!(report.alpha[1].k, 1);
        assert_eq!(report.alpha[1].alpha, None);

        let incomplete: Vec<ExportedResponse> =
            [(1, 5), (3, 3), (5, 1)].iter().map(|&(a, b)| response(None, Some(a), Some(b), &[])).collect();
        let a = &score(&survey, &incomplete).alpha[0];
        assert_eq!((a.n, a.alpha), (0, None));
    }

    /// Responses of the given sizes per group (`None`: no unit), every one answering q1 = 5.
    fn groups_of(sizes: &[(Option<&str>, usize)]) -> Vec<ExportedResponse> {
        sizes.iter().flat_map(|&(unit, n)| (0..n).map(move |_| response(unit, Some(5), None, &[]))).collect()
    }

    /// Each group's label and why it is withheld, in report order.
    fn reasons(report: &Report) -> Vec<(&str, Option<Suppression>)> {
        report.units.iter().map(|u| (u.label(), u.reason)).collect()
    }

    const TOO_FEW: Option<Suppression> = Some(Suppression::TooFewResponses);
    const COMPLEMENTARY: Option<Suppression> = Some(Suppression::Complementary);

    /// u1 (3) is the only small group: overall (24) − u2 − u3 − u4 would give its result, so the
    /// smallest published unit, u3 (6), is withheld too. Its count stays visible; the remainder
    /// anyone can now recover is u1 + u3 together, 9 responses.
    #[test]
    fn one_small_unit_withholds_the_smallest_other_too() {
        let survey = survey();
        let report = score(&survey, &groups_of(&[(Some("u1"), 3), (Some("u2"), 8), (Some("u3"), 6), (Some("u4"), 7)]));
        assert_eq!(reasons(&report), [("u1", TOO_FEW), ("u2", None), ("u3", COMPLEMENTARY), ("u4", None)]);
        let u3 = &report.units[2];
        assert_eq!((u3.n_responses, u3.suppressed, &u3.scores), (6, true, &None));
        assert!(report.units[1].scores.is_some() && report.units[3].scores.is_some());
        assert_eq!(report.overall.n_responses, 24, "withheld groups still count in the overall");

        // Ranking: u3 is treated like any suppressed unit.
        let ranking: Vec<(&str, Option<usize>, bool)> =
            report.ranking.iter().map(|e| (e.unit.as_str(), e.rank, e.suppressed)).collect();
        assert_eq!(ranking, [("u2", Some(1), false), ("u4", Some(1), false), ("u1", None, true), ("u3", None, true)]);
        assert_eq!(report.ranking[3].index, None);
    }

    /// Two small groups of 3 and 4: the remainder (7 responses of two units) is not one small
    /// group's result and has enough responses, so nothing more is withheld.
    #[test]
    fn two_small_units_need_no_complement() {
        let report = score(&survey(), &groups_of(&[(Some("u1"), 3), (Some("u2"), 4), (Some("u3"), 6)]));
        assert_eq!(reasons(&report), [("u1", TOO_FEW), ("u2", TOO_FEW), ("u3", None)]);
    }

    /// Small groups of 1 and 2: overall − u3 − u4 would be the result of 3 residents, as
    /// revealing as a published unit of 3. The smallest published unit goes too.
    #[test]
    fn small_units_below_the_threshold_together_need_a_complement() {
        let report =
            score(&survey(), &groups_of(&[(Some("u1"), 1), (Some("u2"), 2), (Some("u3"), 6), (Some("u4"), 7)]));
        assert_eq!(reasons(&report), [("u1", TOO_FEW), ("u2", TOO_FEW), ("u3", COMPLEMENTARY), ("u4", None)]);
    }

    /// A declared unit without responses is withheld (nothing to show) but discloses nothing, so
    /// it neither calls for a complement nor serves as one.
    #[test]
    fn a_unit_without_responses_needs_no_complement() {
        let mut survey = survey();
        survey.units =
            vec![serde_json::from_value(serde_json::json!({"id": "u0", "name": {"en": "U0"}})).expect("a unit")];
        let report = score(&survey, &groups_of(&[(Some("u1"), 5), (Some("u2"), 6)]));
        assert_eq!(reasons(&report), [("u0", TOO_FEW), ("u1", None), ("u2", None)]);
        assert_eq!(report.units[0].n_responses, 0);

        // With one small group besides it, the complement is a published group, not u0.
        let report = score(&survey, &groups_of(&[(Some("u1"), 5), (Some("u2"), 6), (Some("u3"), 2)]));
        assert_eq!(reasons(&report), [("u0", TOO_FEW), ("u1", COMPLEMENTARY), ("u2", None), ("u3", TOO_FEW)]);
    }

    /// The responses without a unit are a group like any other: as the small group ...
    #[test]
    fn the_no_unit_group_can_be_the_small_group() {
        let report = score(&survey(), &groups_of(&[(None, 2), (Some("u1"), 6), (Some("u2"), 5)]));
        assert_eq!(reasons(&report), [("(none)", TOO_FEW), ("u1", None), ("u2", COMPLEMENTARY)]);
        assert_eq!(report.ranking.iter().filter(|e| e.rank.is_some()).count(), 1);
    }

    /// ... and as the complement, where it comes first in report order and so wins a tie.
    #[test]
    fn the_no_unit_group_can_be_the_complement() {
        let report = score(&survey(), &groups_of(&[(None, 5), (Some("u1"), 3), (Some("u2"), 5), (Some("u3"), 9)]));
        assert_eq!(reasons(&report), [("(none)", COMPLEMENTARY), ("u1", TOO_FEW), ("u2", None), ("u3", None)]);
        // Unit ids are not touched by the choice, so u2 and u3 are both ranked.
        assert_eq!(report.ranking.iter().filter(|e| e.rank.is_some()).count(), 2);
    }

    /// u2 and u3 both have the fewest responses (6): the lowest unit id is withheld.
    #[test]
    fn complement_ties_go_to_the_lowest_unit_id() {
        let report =
            score(&survey(), &groups_of(&[(Some("u4"), 9), (Some("u3"), 6), (Some("u2"), 6), (Some("u1"), 2)]));
        assert_eq!(reasons(&report), [("u1", TOO_FEW), ("u2", COMPLEMENTARY), ("u3", None), ("u4", None)]);
    }

    /// The rule on the sizes alone, including the edges.
    #[test]
    fn suppression_by_group_sizes() {
        let cases: &[(&[usize], &[Option<Suppression>])] = &[
            (&[], &[]),
            // Everything together below the threshold: all withheld already, no complement exists.
            (&[3], &[TOO_FEW]),
            (&[2, 2], &[TOO_FEW, TOO_FEW]),
            (&[0, 4], &[TOO_FEW, TOO_FEW]),
            // The only other group is the complement: nothing but the overall is left.
            (&[3, 10], &[TOO_FEW, COMPLEMENTARY]),
            (&[10, 4], &[COMPLEMENTARY, TOO_FEW]),
            // Remainders of exactly the threshold, and above it.
            (&[4, 1, 7], &[TOO_FEW, TOO_FEW, None]),
            (&[4, 4, 7], &[TOO_FEW, TOO_FEW, None]),
            // Empty groups count for nothing.
            (&[0, 0, 5, 8], &[TOO_FEW, TOO_FEW, None, None]),
            (&[0, 1, 0, 5, 5], &[TOO_FEW, TOO_FEW, TOO_FEW, COMPLEMENTARY, None]),
            // Nothing small at all.
            (&[5, 5], &[None, None]),
        ];
        for (sizes, expected) in cases {
            assert_eq!(suppression(sizes), *expected, "sizes {sizes:?}");
        }
    }

    /// A previous round's report, read back from JSON, equals the report written (serde_json
    /// writes the shortest representation that round-trips, and parses it back exactly: its
    /// `float_roundtrip` feature is on, enabled by serde_json_canonicalizer).
    #[test]
    fn report_round_trips_through_json() {
        let mut responses = groups_of(&[(None, 1), (Some("u1"), 3), (Some("u2"), 6), (Some("u3"), 7)]);
        responses.extend([
            response(Some("u3"), Some(4), Some(2), &[("r1", 3), ("r2", 9)]),
            response(Some("u3"), Some(9), Some(5), &[("r1", 1), ("r2", 4)]),
            response(Some("u2"), Some(3), Some(1), &[("r2", 2)]),
        ]);
        let report = score(&survey(), &responses);
        assert_eq!(reasons(&report), [("(none)", TOO_FEW), ("u1", TOO_FEW), ("u2", COMPLEMENTARY), ("u3", None)]);
        let text = serde_json::to_string(&report).expect("serialise");
        assert!(text.contains(r#""reason":"complementary""#), "{text}");
        assert!(text.contains(r#""reason":"too_few_responses""#), "{text}");
        let read: Report = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(read, report);
    }

    #[test]
    fn no_responses_give_none_not_nan() {
        let report = score::<ExportedResponse>(&survey(), &[]);
        assert_eq!(report.overall.index, None);
        assert_eq!(report.overall.rate, None);
        assert!(report.overall.items.iter().all(|i| i.mean.is_none() && i.n == 0));
        assert!(report.units.is_empty() && report.ranking.is_empty());
    }

    #[test]
    fn values_that_are_not_points_are_counted_invalid() {
        let mut wrong_type = response(None, None, None, &[]);
        wrong_type.answers.insert("q1".into(), Answer { value: AnswerValue::Text("5".into()), at: 0, changes: 0 });
        let responses = [response(None, Some(7), None, &[("r1", 0)]), wrong_type];
        let report = score(&survey(), &responses);
        assert_eq!((report.overall.items[0].n, report.overall.items[0].n_invalid), (0, 2));
        assert_eq!(report.overall.items[2].n_invalid, 1);
    }

    fn numbers(report: &Report) -> Vec<f64> {
        fn group(g: &GroupScores, out: &mut Vec<f64>) {
            out.extend(g.index.into_iter().chain(g.rate));
            for i in &g.indicators {
                out.extend(i.score.into_iter().chain(i.rate));
            }
            for i in &g.items {
                out.extend(i.mean.into_iter().chain(i.sd).chain(i.rate));
                out.extend(i.ci95.into_iter().flat_map(|ci| [ci.low, ci.high]));
            }
        }
        let mut out = Vec::new();
        group(&report.overall, &mut out);
        for unit in &report.units {
            if let Some(g) = &unit.scores {
                group(g, &mut out);
            }
        }
        for a in &report.alpha {
            out.extend(a.alpha.into_iter().chain(a.if_deleted.iter().filter_map(|i| i.alpha)));
        }
        out
    }

    fn arb_response() -> impl Strategy<Value = ExportedResponse> {
        let point = prop::option::of(prop::sample::select(vec![1, 2, 3, 4, 5, 9]));
        let unit = prop::option::of(prop::sample::select(vec!["u1", "u2", "u3"]));
        (unit, point.clone(), point.clone(), point.clone(), point).prop_map(|(unit, q1, q2, r1, r2)| {
            let rows: Vec<(&str, i64)> =
                [("r1", r1), ("r2", r2)].into_iter().filter_map(|(row, v)| v.map(|v| (row, v))).collect();
            response(unit, q1, q2, &rows)
        })
    }

    proptest! {
        /// Bundles from several tablets are merged in no set order; the report must not care.
        /// Every sum runs over sorted values, so the reports are equal exactly, not just close.
        #[test]
        fn report_does_not_depend_on_response_order(
            (responses, shuffled) in prop::collection::vec(arb_response(), 0..40)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let survey = survey();
            let report = score(&survey, &responses);
            prop_assert_eq!(&report, &score(&survey, &shuffled));
            prop_assert!(numbers(&report).iter().all(|x| x.is_finite()));
            let alpha_ok = report.alpha.iter().filter_map(|a| a.alpha).all(|a| a <= 1.0 + 1e-9);
            prop_assert!(alpha_ok);
            let text = serde_json::to_string(&report).expect("serialise");
            prop_assert_eq!(&serde_json::from_str::<Report>(&text).expect("deserialise"), &report);
        }
    }
}
