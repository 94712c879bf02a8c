//! Final scores as the seed documents publish them (`docs/scoring.md`, "Final scores"): the
//! residents' index combined with other stages (a branch's self-assessment, a township's review,
//! a county's acceptance) by weight, minus capped deductions, floored at 0, ranked, and graded
//! by thresholds or by shares, a veto capping the grade.
//!
//! A `stages/1` file names the stages and the lists (CSV or XLSX: the kit's own bytes in, no
//! IO here); [`Stages::compute`] takes the residents' results ([`Residents`], from a
//! [`Report`]) and the lists' bytes by file name. Every problem is reported at once with its
//! file and row (XLSX lists are read by [`crate::sheet`]), and a unit whose residents' figure is suppressed never gets a final score, so
//! the final score cannot republish a suppressed figure.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use survey_core::analysis::score::Report;
use survey_core::Text;

/// The format tag of a stages file.
pub const STAGES_FORMAT: &str = "stages/1";

/// Weights must sum to 1 within this.
const WEIGHT_TOLERANCE: f64 = 1e-9;

/// A share grade takes `ceil(share × N − SHARE_SLACK)` places, so that `0.3 × 10`, which is
/// 3.0000000000000004 in binary floating point, gives 3 places and not 4.
const SHARE_SLACK: f64 = 1e-9;

/// A problem of the stages file or of a list it names: the file, the row (from 1, the header;
/// none for the whole file) or JSON path, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StagesError {
    pub file: String,
    /// `row 3` of a list, or a JSON path (`stages[1].weight`) of the stages file.
    pub at: Option<String>,
    pub message: String,
}

impl fmt::Display for StagesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{}: {at}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

fn no_text(text: &Text) -> bool {
    text.0.is_empty()
}

fn error(file: &str, at: Option<String>, message: impl Into<String>) -> StagesError {
    StagesError { file: file.to_owned(), at, message: message.into() }
}

/// Where a stage's scores come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The residents' index of this kit (or one dimension of it, with `dimension`).
    Residents,
    /// A list of scores per unit (`unit,score`), CSV or XLSX.
    File,
}

/// One stage of the final score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub title: Text,
    pub weight: f64,
    pub source: Source,
    /// With `source: residents`: a top-level dimension instead of the whole index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// With `source: file`: the list's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// The deductions list and its caps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionsRef {
    pub file: String,
    /// The most one item can cost a unit (its rows summed); none: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_per_item: Option<f64>,
    /// The most all items together can cost a unit; none: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_total: Option<f64>,
}

/// The veto list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VetoesRef {
    pub file: String,
}

/// How grades are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeBy {
    Threshold,
    Share,
}

/// One grade, best first in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub id: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub title: Text,
    /// `by: threshold`: the lowest final score (compared at 2 decimals) of the grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// `by: share`: the share of ranked units, counted from the top, within which a rank gets
    /// this grade (cumulative: 0.1 then 0.3 is the top 10%, then the next 20%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    pub by: GradeBy,
    pub levels: Vec<Level>,
}

/// A `stages/1` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StagesFile {
    pub format: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub title: Text,
    pub stages: Vec<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deductions: Option<DeductionsRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vetoes: Option<VetoesRef>,
    /// The best grade a unit with a veto can get (a level id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub veto_grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades: Option<Grades>,
}

/// A checked stages file.
#[derive(Debug, Clone, PartialEq)]
pub struct Stages {
    pub file: StagesFile,
    /// Its file name, for messages.
    pub name: String,
}

/// What the residents' evaluation gives each unit: its index and dimension scores, or that it
/// is suppressed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Residents {
    /// The survey's top-level dimension ids.
    pub dimensions: Vec<String>,
    pub units: Vec<ResidentUnit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidentUnit {
    pub unit: String,
    pub suppressed: bool,
    pub index: Option<f64>,
    /// Dimension id → score (dimensions without data absent).
    #[serde(default)]
    pub dimensions: BTreeMap<String, f64>,
}

impl Residents {
    /// The units of a report (declared in the survey or met in a response; not the responses
    /// without a unit), with their scores as published.
    pub fn from_report(report: &Report, dimensions: Vec<String>) -> Residents {
        let units = report
            .units
            .iter()
            .filter_map(|unit| {
                let id = unit.unit.clone()?;
                let scores = unit.scores.as_ref().filter(|_| !unit.suppressed);
                let dimension_scores = scores
                    .map(|s| dimensions.iter().filter_map(|d| s.dimension_score(d).map(|v| (d.clone(), v))).collect())
                    .unwrap_or_default();
                Some(ResidentUnit {
                    unit: id,
                    suppressed: unit.suppressed,
                    index: scores.and_then(|s| s.index),
                    dimensions: dimension_scores,
                })
            })
            .collect();
        Residents { dimensions, units }
    }
}

/// Why a unit has no final score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoScore {
    /// Its residents' figure is suppressed (fewer than 5 responses, or complementary).
    Suppressed,
    /// A stage has no score for it.
    MissingStage,
}

/// One row of the deductions list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    pub item: String,
    pub points: f64,
    pub evidence: String,
}

/// One item's deductions of a unit: its rows summed, then capped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDeduction {
    pub item: String,
    /// The rows' points summed.
    pub points: f64,
    /// What counts after the per-item cap.
    pub counted: f64,
    pub rows: Vec<Deduction>,
}

/// One row of the veto list that vetoes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Veto {
    pub item: String,
    pub evidence: String,
}

/// One unit's final result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalUnit {
    pub unit: String,
    /// Per stage in the stages file's order: its score for the unit, if any.
    pub stages: Vec<StageScore>,
    /// Σ weight × stage score; none without every stage or with a suppressed residents' figure.
    pub weighted: Option<f64>,
    /// Per item, in item order.
    pub deductions: Vec<ItemDeduction>,
    /// All items' counted points together, after the total cap.
    pub deducted: f64,
    pub vetoes: Vec<Veto>,
    /// `max(0, weighted − deducted)`.
    pub score: Option<f64>,
    /// Competition rank on the score at 2 decimals; none without a score.
    pub rank: Option<usize>,
    /// A level id; none without grades, without a score, or below every threshold.
    pub grade: Option<String>,
    /// Why there is no score.
    pub reason: Option<NoScore>,
    /// With `missing_stage`: which stages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageScore {
    pub stage: String,
    pub score: Option<f64>,
}

/// The final ranking: ranked units best first (ties by unit id), then the others by unit id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalReport {
    /// The stages file as read (stages, weights, sources, caps, grades).
    pub stages: StagesFile,
    pub units: Vec<FinalUnit>,
}

impl Stages {
    /// Reads and checks a stages file (`name` for messages). Every problem at once, each at its
    /// JSON path: the members are checked on the parsed JSON value, one by one, so that one
    /// wrong member does not hide the next; the typed file is read only when there is none.
    pub fn parse(name: &str, text: &str) -> Result<Stages, Vec<StagesError>> {
        let text = survey_core::canonical::text_without_bom(text);
        let value: Value =
            serde_json::from_str(text).map_err(|err| vec![error(name, None, format!("not JSON: {err}"))])?;
        let mut problems = Vec::new();
        check_file(&value, &mut |path: String, message: String| problems.push(error(name, Some(path), message)));
        if value.is_object() && problems.is_empty() {
            match serde_path_to_error::deserialize::<_, StagesFile>(&value) {
                Ok(file) => return Ok(Stages { file, name: name.to_owned() }),
                Err(err) => problems.push(error(name, Some(err.path().to_string()), err.inner().to_string())),
            }
        }
        if value.as_object().is_none() {
            problems.push(error(name, None, "not a JSON object"));
        }
        Err(problems)
    }

    /// The list files the stages file names, in order (stage lists, deductions, vetoes).
    pub fn list_files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self.file.stages.iter().filter_map(|s| s.file.as_deref()).collect();
        files.extend(self.file.deductions.as_ref().map(|d| d.file.as_str()));
        files.extend(self.file.vetoes.as_ref().map(|v| v.file.as_str()));
        files
    }

    /// The final results. `lists` maps each file name [`Stages::list_files`] gives to its bytes;
    /// a missing one is a problem. Every problem of every list at once.
    pub fn compute(
        &self,
        residents: &Residents,
        lists: &BTreeMap<String, Vec<u8>>,
    ) -> Result<FinalReport, Vec<StagesError>> {
        let mut problems = Vec::new();
        let known: BTreeSet<&str> = residents.units.iter().map(|u| u.unit.as_str()).collect();
        let table_of = |file: &str, columns: &[&[&str]], problems: &mut Vec<StagesError>| {
            let Some(bytes) = lists.get(file) else {
                problems.push(error(&self.name, None, format!("`{file}` is named but was not loaded")));
                return None;
            };
            let (rows, mut errors) = read_list(file, bytes, columns, &known);
            problems.append(&mut errors);
            Some(rows)
        };
        // Stage scores: unit → score, per stage.
        let mut stage_scores: Vec<BTreeMap<String, f64>> = Vec::new();
        for (idx, stage) in self.file.stages.iter().enumerate() {
            let mut scores = BTreeMap::new();
            match (&stage.file, &stage.dimension) {
                (Some(file), _) => {
                    if let Some(rows) = table_of(file, &[UNIT, SCORE], &mut problems) {
                        for (row, cells) in rows {
                            let at = Some(format!("row {row}"));
                            match number(&cells[1]) {
                                Some(score) if (0.0..=100.0).contains(&score) => {
                                    if scores.insert(cells[0].clone(), score).is_some() {
                                        problems.push(error(
                                            file,
                                            at,
                                            format!("unit `{}` has a second score", cells[0]),
                                        ));
                                    }
                                }
                                _ => problems.push(error(
                                    file,
                                    at,
                                    format!("score `{}` is not a number from 0 to 100", cells[1]),
                                )),
                            }
                        }
                    }
                }
                (None, Some(dimension)) => {
                    if !residents.dimensions.contains(dimension) {
                        problems.push(error(
                            &self.name,
                            Some(format!("stages[{idx}].dimension")),
                            format!("`{dimension}` is not a top-level dimension of the survey"),
                        ));
                    }
                    for unit in &residents.units {
                        if let Some(score) = unit.dimensions.get(dimension) {
                            scores.insert(unit.unit.clone(), *score);
                        }
                    }
                }
                (None, None) => {
                    for unit in &residents.units {
                        if let Some(index) = unit.index {
                            scores.insert(unit.unit.clone(), index);
                        }
                    }
                }
            }
            stage_scores.push(scores);
        }
        let mut deductions: BTreeMap<String, Vec<Deduction>> = BTreeMap::new();
        if let Some(list) = &self.file.deductions {
            if let Some(rows) = table_of(&list.file, &[UNIT, ITEM, POINTS, EVIDENCE], &mut problems) {
                for (row, cells) in rows {
                    match number(&cells[2]) {
                        Some(points) if points >= 0.0 => deductions
                            .entry(cells[0].clone())
                            .or_default()
                            .push(Deduction { item: cells[1].clone(), points, evidence: cells[3].clone() }),
                        _ => problems.push(error(
                            &list.file,
                            Some(format!("row {row}")),
                            format!("points `{}` is not a number of at least 0", cells[2]),
                        )),
                    }
                }
            }
        }
        let mut vetoes: BTreeMap<String, Vec<Veto>> = BTreeMap::new();
        if let Some(list) = &self.file.vetoes {
            if let Some(rows) = table_of(&list.file, &[UNIT, ITEM, VETO, EVIDENCE], &mut problems) {
                for (row, cells) in rows {
                    match yes_no(&cells[2]) {
                        Some(true) => vetoes
                            .entry(cells[0].clone())
                            .or_default()
                            .push(Veto { item: cells[1].clone(), evidence: cells[3].clone() }),
                        Some(false) => {}
                        None => problems.push(error(
                            &list.file,
                            Some(format!("row {row}")),
                            format!("veto `{}` is not yes or no (yes/no, true/false, 1/0, 是/否)", cells[2]),
                        )),
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let caps = self.file.deductions.as_ref();
        let mut units: Vec<FinalUnit> = residents
            .units
            .iter()
            .map(|resident| {
                let unit = &resident.unit;
                let stages: Vec<StageScore> = self
                    .file
                    .stages
                    .iter()
                    .zip(&stage_scores)
                    .map(|(stage, scores)| StageScore { stage: stage.id.clone(), score: scores.get(unit).copied() })
                    .collect();
                let missing: Vec<String> =
                    stages.iter().filter(|s| s.score.is_none()).map(|s| s.stage.clone()).collect();
                let uses_residents = self.file.stages.iter().any(|s| s.source == Source::Residents);
                let reason = if resident.suppressed && uses_residents {
                    Some(NoScore::Suppressed)
                } else if !missing.is_empty() {
                    Some(NoScore::MissingStage)
                } else {
                    None
                };
                let weighted = reason.is_none().then(|| {
                    self.file.stages.iter().zip(&stages).map(|(stage, s)| stage.weight * s.score.unwrap_or(0.0)).sum()
                });
                let (items, deducted) = deduct(deductions.remove(unit).unwrap_or_default(), caps);
                FinalUnit {
                    unit: unit.clone(),
                    stages,
                    weighted,
                    deductions: items,
                    deducted,
                    vetoes: vetoes.remove(unit).unwrap_or_default(),
                    score: weighted.map(|w: f64| (w - deducted).max(0.0)),
                    rank: None,
                    grade: None,
                    reason,
                    missing: if reason == Some(NoScore::MissingStage) { missing } else { Vec::new() },
                }
            })
            .collect();
        rank(&mut units);
        if let Some(grades) = &self.file.grades {
            grade(&mut units, grades, self.file.veto_grade.as_deref());
        }
        Ok(FinalReport { stages: self.file.clone(), units })
    }
}

/// What a member of the stages file must be.
#[derive(Clone, Copy)]
enum Shape {
    Str,
    Num,
    Text,
    Object,
    Array,
}

fn shape_ok(value: &Value, shape: Shape) -> bool {
    match shape {
        Shape::Str => value.is_string(),
        Shape::Num => value.is_number(),
        Shape::Text => value.as_object().is_some_and(|o| o.values().all(Value::is_string)),
        Shape::Object => value.is_object(),
        Shape::Array => value.is_array(),
    }
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Str => "a string",
        Shape::Num => "a number",
        Shape::Text => "a text ({\"zh-CN\": …, \"en\": …})",
        Shape::Object => "an object",
        Shape::Array => "an array",
    }
}

/// Checks an object's members against `members` (name, shape, required): unknown members,
/// missing required ones, wrong shapes. Returns the object when it is one.
fn members<'a>(
    value: &'a Value,
    path: &str,
    members: &[(&str, Shape, bool)],
    report: &mut dyn FnMut(String, String),
) -> Option<&'a serde_json::Map<String, Value>> {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    let Some(object) = value.as_object() else {
        if !path.is_empty() {
            report(path.to_owned(), "must be an object".to_owned());
        }
        return None;
    };
    for key in object.keys().filter(|k| !members.iter().any(|(m, _, _)| m == *k)) {
        let known: Vec<&str> = members.iter().map(|(m, _, _)| *m).collect();
        report(join(key), format!("unknown member `{key}` (known: {})", known.join(", ")));
    }
    for (key, shape, required) in members {
        match object.get(*key) {
            None if *required => report(join(key), format!("missing: `{key}` is required")),
            Some(v) if !shape_ok(v, *shape) => report(join(key), format!("must be {}", shape_name(*shape))),
            _ => {}
        }
    }
    Some(object)
}

/// Every problem of a stages file's JSON value (`docs/scoring.md`, "The stages file").
fn check_file(value: &Value, report: &mut dyn FnMut(String, String)) {
    let top = [
        ("format", Shape::Str, true),
        ("title", Shape::Text, false),
        ("stages", Shape::Array, true),
        ("deductions", Shape::Object, false),
        ("vetoes", Shape::Object, false),
        ("veto_grade", Shape::Str, false),
        ("grades", Shape::Object, false),
    ];
    let Some(object) = members(value, "", &top, report) else { return };
    if object.get("format").and_then(Value::as_str).is_some_and(|f| f != STAGES_FORMAT) {
        report("format".into(), format!("must be \"{STAGES_FORMAT}\""));
    }
    let stages = object.get("stages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if object.get("stages").is_some_and(Value::is_array) && stages.is_empty() {
        report("stages".into(), "no stage".into());
    }
    let stage_members = [
        ("id", Shape::Str, true),
        ("title", Shape::Text, false),
        ("weight", Shape::Num, true),
        ("source", Shape::Str, true),
        ("dimension", Shape::Str, false),
        ("file", Shape::Str, false),
    ];
    let mut ids = BTreeSet::new();
    let mut weights = Vec::new();
    let mut whole_index_seen = false;
    for (idx, stage) in stages.iter().enumerate() {
        let path = format!("stages[{idx}]");
        let Some(stage) = members(stage, &path, &stage_members, report) else {
            weights.push(None);
            continue;
        };
        if let Some(id) = stage.get("id").and_then(Value::as_str) {
            if id.trim().is_empty() || !ids.insert(id) {
                report(format!("{path}.id"), format!("stage id `{id}` is empty or used twice"));
            }
        }
        let weight = stage.get("weight").and_then(Value::as_f64);
        let valid = weight.filter(|w| w.is_finite() && *w > 0.0 && *w <= 1.0);
        if weight.is_some() && valid.is_none() {
            report(format!("{path}.weight"), "a weight is a number greater than 0 and at most 1".into());
        }
        weights.push(valid);
        let (file, dimension) = (stage.get("file"), stage.get("dimension"));
        match stage.get("source").and_then(Value::as_str) {
            Some("file") => {
                if file.is_none() {
                    report(format!("{path}.file"), "a stage with `source: file` names its list in `file`".into());
                }
                if dimension.is_some() {
                    report(format!("{path}.dimension"), "only a residents' stage has a dimension".into());
                }
            }
            Some("residents") => {
                if file.is_some() {
                    report(format!("{path}.file"), "a residents' stage comes from the bundles, not a file".into());
                }
                if dimension.is_none() {
                    if whole_index_seen {
                        report(format!("{path}.source"), "the residents' index is a stage at most once".into());
                    }
                    whole_index_seen = true;
                }
            }
            Some(other) => report(format!("{path}.source"), format!("`{other}`: a source is `residents` or `file`")),
            None => {}
        }
    }
    // The sum means something only when every weight does.
    if !weights.is_empty() && weights.iter().all(Option::is_some) {
        let sum: f64 = weights.iter().flatten().sum();
        if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
            report("stages".into(), format!("the weights sum to {sum}, not 1"));
        }
    }
    let list = [("file", Shape::Str, true), ("cap_per_item", Shape::Num, false), ("cap_total", Shape::Num, false)];
    if let Some(deductions) = object.get("deductions").and_then(|d| members(d, "deductions", &list, report)) {
        for field in ["cap_per_item", "cap_total"] {
            if deductions.get(field).and_then(Value::as_f64).is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
                report(format!("deductions.{field}"), "a cap is a number of at least 0".into());
            }
        }
    }
    if let Some(vetoes) = object.get("vetoes") {
        members(vetoes, "vetoes", &[("file", Shape::Str, true)], report);
    }
    let levels = object.get("grades").and_then(|g| check_grades(g, report)).unwrap_or_default();
    let veto_grade = object.get("veto_grade").and_then(Value::as_str);
    match (object.get("vetoes"), veto_grade, object.get("grades")) {
        (Some(_), None, _) if !object.contains_key("veto_grade") => {
            report("veto_grade".into(), "a veto list needs `veto_grade`".into())
        }
        (_, Some(grade), None) => report("veto_grade".into(), format!("`{grade}`: there are no grades")),
        (_, Some(grade), Some(_)) if !levels.contains(&grade.to_owned()) => {
            report("veto_grade".into(), format!("`{grade}` is not one of the grades' ids"))
        }
        _ => {}
    }
}

/// Checks `grades`; returns the level ids.
fn check_grades(grades: &Value, report: &mut dyn FnMut(String, String)) -> Option<Vec<String>> {
    let grades = members(grades, "grades", &[("by", Shape::Str, true), ("levels", Shape::Array, true)], report)?;
    let by = match grades.get("by").and_then(Value::as_str) {
        Some("threshold") => Some(GradeBy::Threshold),
        Some("share") => Some(GradeBy::Share),
        Some(other) => {
            report("grades.by".into(), format!("`{other}`: grades are by `threshold` or by `share`"));
            None
        }
        None => None,
    };
    let levels = grades.get("levels").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if grades.get("levels").is_some_and(Value::is_array) && levels.is_empty() {
        report("grades.levels".into(), "no grade".into());
    }
    let level_members = [
        ("id", Shape::Str, true),
        ("title", Shape::Text, false),
        ("min", Shape::Num, false),
        ("share", Shape::Num, false),
    ];
    let mut ids = Vec::new();
    let mut previous: Option<f64> = None;
    let last = levels.len().saturating_sub(1);
    for (idx, level) in levels.iter().enumerate() {
        let path = format!("grades.levels[{idx}]");
        let Some(level) = members(level, &path, &level_members, report) else { continue };
        if let Some(id) = level.get("id").and_then(Value::as_str) {
            if id.trim().is_empty() || ids.iter().any(|seen| seen == id) {
                report(format!("{path}.id"), format!("grade id `{id}` is empty or used twice"));
            }
            ids.push(id.to_owned());
        }
        let Some(by) = by else { continue };
        let (field, other) = match by {
            GradeBy::Threshold => ("min", "share"),
            GradeBy::Share => ("share", "min"),
        };
        if level.contains_key(other) {
            report(format!("{path}.{other}"), format!("grades by {field} have no `{other}`"));
        }
        match level.get(field).and_then(Value::as_f64) {
            None if idx == last || level.contains_key(field) => {}
            None => report(format!("{path}.{field}"), format!("every grade but the last has `{field}`")),
            Some(v) => {
                let in_range = match by {
                    GradeBy::Threshold => v.is_finite() && (0.0..=100.0).contains(&v),
                    GradeBy::Share => v.is_finite() && v > 0.0 && v <= 1.0,
                };
                if !in_range {
                    let range = if field == "min" { "from 0 to 100" } else { "greater than 0 and at most 1" };
                    report(format!("{path}.{field}"), format!("`{field}` is a number {range}"));
                    continue;
                }
                // Compared with the last valid value (best first: mins decrease, shares increase).
                let ordered = match (by, previous) {
                    (_, None) => true,
                    (GradeBy::Threshold, Some(p)) => v < p,
                    (GradeBy::Share, Some(p)) => v > p,
                };
                if !ordered {
                    let order = if field == "min" { "decrease" } else { "increase" };
                    report(format!("{path}.{field}"), format!("grades are listed best first: `{field}` must {order}"));
                }
                previous = Some(v);
            }
        }
    }
    Some(ids)
}

const UNIT: &[&str] = &["unit", "单位编号", "单位"];
const SCORE: &[&str] = &["score", "得分", "分数"];
const ITEM: &[&str] = &["item", "项目", "事项"];
const POINTS: &[&str] = &["points", "扣分", "分值"];
const EVIDENCE: &[&str] = &["evidence", "依据", "说明"];
const VETO: &[&str] = &["veto", "否决", "一票否决"];

/// A number cell: digits with an optional sign and decimal point (as a CSV or a spreadsheet
/// writes it).
fn number(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    let plain =
        !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    plain.then(|| cell.parse::<f64>().ok()).flatten().filter(|v| v.is_finite())
}

fn yes_no(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" | "否决" => Some(true),
        "no" | "n" | "false" | "0" | "否" | "" => Some(false),
        _ => None,
    }
}

/// The rows of a list (CSV or XLSX), each with its row number and its cells in the order of
/// `columns` (each column found by any of its names in the header, in any order, any case), and
/// the problems: a row naming a unit the survey does not know is left out with one.
fn read_list(
    file: &str,
    bytes: &[u8],
    columns: &[&[&str]],
    known: &BTreeSet<&str>,
) -> (Vec<(usize, Vec<String>)>, Vec<StagesError>) {
    match read_list_rows(file, bytes, columns, known) {
        Ok(read) => read,
        Err(problems) => (Vec::new(), problems),
    }
}

#[allow(clippy::type_complexity)]
fn read_list_rows(
    file: &str,
    bytes: &[u8],
    columns: &[&[&str]],
    known: &BTreeSet<&str>,
) -> Result<(Vec<(usize, Vec<String>)>, Vec<StagesError>), Vec<StagesError>> {
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        crate::sheet::first_sheet_rows(bytes).map_err(|message| vec![error(file, None, message)])?
    } else {
        let bytes = survey_core::canonical::without_bom(bytes);
        let text = std::str::from_utf8(bytes).map_err(|err| {
            vec![error(
                file,
                None,
                format!(
                    "not UTF-8 (at byte {}): saved as GBK? In Excel, save it as \"CSV UTF-8 (comma delimited)\"",
                    err.valid_up_to()
                ),
            )]
        })?;
        let mut rows = Vec::new();
        let mut problems = Vec::new();
        for (row, cells) in survey_core::round::frame::csv_rows(text) {
            match cells {
                Ok(cells) => rows.push((row, cells)),
                Err(message) => problems.push(error(file, Some(format!("row {row}")), message)),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        rows
    };
    let mut rows = rows.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(vec![error(file, None, "empty: the first row that is not empty is the header")]);
    };
    let mut positions = Vec::new();
    let mut problems = Vec::new();
    let at = Some(format!("row {header_row}"));
    for names in columns {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
            .map(|(position, _)| position)
            .collect();
        match found.as_slice() {
            [position] => positions.push(*position),
            [] => problems.push(error(file, at.clone(), format!("no column named `{}`", names[0]))),
            _ => problems.push(error(file, at.clone(), format!("two columns are `{}`", names[0]))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    for (row, cells) in rows {
        let picked: Vec<String> =
            positions.iter().map(|p| cells.get(*p).map(|c| c.trim().to_owned()).unwrap_or_default()).collect();
        if !known.contains(picked[0].as_str()) {
            problems.push(error(
                file,
                Some(format!("row {row}")),
                format!("`{}` is not a unit of the survey", picked[0]),
            ));
            continue;
        }
        out.push((row, picked));
    }
    Ok((out, problems))
}

/// A unit's deductions per item (in item order), each item's sum capped, then the total capped.
fn deduct(rows: Vec<Deduction>, caps: Option<&DeductionsRef>) -> (Vec<ItemDeduction>, f64) {
    let mut items: BTreeMap<String, Vec<Deduction>> = BTreeMap::new();
    for row in rows {
        items.entry(row.item.clone()).or_default().push(row);
    }
    let per_item = caps.and_then(|c| c.cap_per_item);
    let items: Vec<ItemDeduction> = items
        .into_iter()
        .map(|(item, rows)| {
            let points: f64 = rows.iter().map(|r| r.points).sum();
            let counted = per_item.map_or(points, |cap| points.min(cap));
            ItemDeduction { item, points, counted, rows }
        })
        .collect();
    // Folded from +0 (`sum` of nothing is −0, which would print as "-0").
    let total = items.iter().map(|i| i.counted).fold(0.0, |sum, counted| sum + counted);
    let deducted = caps.and_then(|c| c.cap_total).map_or(total, |cap| total.min(cap));
    (items, deducted)
}

/// The score as ranks and thresholds compare it: at 2 decimals, half away from zero.
fn key(score: f64) -> i64 {
    (score * 100.0).round() as i64
}

/// Competition ranking on the score at 2 decimals; ranked units first (best first, ties by
/// unit id), then the others by unit id.
fn rank(units: &mut [FinalUnit]) {
    units.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => key(y).cmp(&key(x)).then_with(|| a.unit.cmp(&b.unit)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit.cmp(&b.unit),
    });
    let mut previous: Option<(i64, usize)> = None;
    for (position, unit) in units.iter_mut().enumerate() {
        let Some(score) = unit.score else { break };
        let rank = match previous {
            Some((k, r)) if k == key(score) => r,
            _ => position + 1,
        };
        previous = Some((key(score), rank));
        unit.rank = Some(rank);
    }
}

/// Grades by the stages file's rule, then a veto caps a unit's grade at `veto_grade`.
fn grade(units: &mut [FinalUnit], grades: &Grades, veto_grade: Option<&str>) {
    let ranked = units.iter().filter(|u| u.rank.is_some()).count();
    let order = |id: &str| grades.levels.iter().position(|l| l.id == id);
    for unit in units.iter_mut() {
        let (Some(score), Some(rank)) = (unit.score, unit.rank) else { continue };
        let level = grades.levels.iter().find(|level| match grades.by {
            GradeBy::Threshold => level.min.is_none_or(|min| key(score) >= key(min)),
            GradeBy::Share => {
                level.share.is_none_or(|share| rank as f64 <= (share * ranked as f64 - SHARE_SLACK).ceil())
            }
        });
        let mut grade = level.map(|l| l.id.clone());
        if let (false, Some(cap)) = (unit.vetoes.is_empty(), veto_grade) {
            // A worse grade stays; a better one comes down to the cap.
            if let (Some(g), Some(c)) = (grade.as_deref().and_then(order), order(cap)) {
                if g < c {
                    grade = Some(cap.to_owned());
                }
            }
        }
        unit.grade = grade;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn residents() -> Residents {
        let unit = |id: &str, suppressed: bool, index: Option<f64>| ResidentUnit {
            unit: id.to_owned(),
            suppressed,
            index,
            dimensions: index.map(|i| [("d".to_owned(), i - 10.0)].into_iter().collect()).unwrap_or_default(),
        };
        Residents {
            dimensions: vec!["d".into()],
            units: vec![unit("a", false, Some(80.0)), unit("b", false, Some(90.0)), unit("c", true, None)],
        }
    }

    fn stages(json: &str) -> Stages {
        Stages::parse("stages.json", json).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn lists(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files.iter().map(|(name, text)| ((*name).to_owned(), text.as_bytes().to_vec())).collect()
    }

    #[test]
    fn weights_deductions_vetoes_and_grades_combine() {
        let s = stages(
            r#"{"format": "stages/1", "stages": [
                {"id": "residents", "weight": 0.6, "source": "residents"},
                {"id": "county", "weight": 0.4, "source": "file", "file": "county.csv"}],
              "deductions": {"file": "ded.csv", "cap_per_item": 3, "cap_total": 4},
              "vetoes": {"file": "veto.csv"}, "veto_grade": "two",
              "grades": {"by": "threshold", "levels": [{"id": "one", "min": 85}, {"id": "two", "min": 70}, {"id": "three"}]}}"#,
        );
        let files = lists(&[
            ("county.csv", "\u{feff}unit,score\r\na,70\r\nb,95\r\nc,60\r\n"),
            ("ded.csv", "unit,item,points,evidence\na,x,2,late\na,x,2,again\na,y,1,\"report, missing\"\nb,z,0.5,\n"),
            ("veto.csv", "单位编号,项目,否决,依据\nb,安全,是,事故\na,安全,否,\n"),
        ]);
        let result = s.compute(&residents(), &files).expect("computes");
        let by = |id: &str| result.units.iter().find(|u| u.unit == id).expect("unit");
        // a: 0.6·80 + 0.4·70 = 76; x capped at 3, y 1: 4 (total cap 4) → 72.
        assert!((by("a").weighted.unwrap() - 76.0).abs() < 1e-9);
        assert_eq!(by("a").deducted, 4.0);
        assert_eq!(by("a").deductions[0].counted, 3.0);
        assert!((by("a").score.unwrap() - 72.0).abs() < 1e-9);
        // b: 0.6·90 + 0.4·95 = 92 − 0.5 = 91.5: grade one, vetoed down to two.
        assert!((by("b").score.unwrap() - 91.5).abs() < 1e-9);
        assert_eq!(by("b").grade.as_deref(), Some("two"));
        assert_eq!(by("b").vetoes.len(), 1);
        assert_eq!(by("a").grade.as_deref(), Some("two"));
        // c: suppressed residents' figure: no score even with a county score.
        assert_eq!(by("c").reason, Some(NoScore::Suppressed));
        assert_eq!(by("c").score, None);
        assert_eq!(
            result.units.iter().map(|u| (u.unit.as_str(), u.rank)).collect::<Vec<_>>(),
            [("b", Some(1)), ("a", Some(2)), ("c", None)]
        );
    }

    #[test]
    fn shares_count_places_from_the_top_with_ties_shared() {
        let s = stages(
            r#"{"format": "stages/1", "stages": [{"id": "r", "weight": 1, "source": "residents", "dimension": "d"}],
              "grades": {"by": "share", "levels": [{"id": "top", "share": 0.3}, {"id": "rest"}]}}"#,
        );
        let unit = |id: &str, index: f64| ResidentUnit {
            unit: id.into(),
            suppressed: false,
            index: Some(index),
            dimensions: [("d".to_owned(), index)].into_iter().collect(),
        };
        // Ten units, two tied at the third place: ceil(0.3 × 10) = 3 places, both tied units get it.
        let mut units: Vec<ResidentUnit> = (0..10).map(|i| unit(&format!("u{i}"), 90.0 - i as f64)).collect();
        units[3].dimensions.insert("d".into(), 88.0);
        let residents = Residents { dimensions: vec!["d".into()], units };
        let result = s.compute(&residents, &BTreeMap::new()).expect("computes");
        let top: Vec<&str> =
            result.units.iter().filter(|u| u.grade.as_deref() == Some("top")).map(|u| u.unit.as_str()).collect();
        assert_eq!(top, ["u0", "u1", "u2", "u3"]);
        assert_eq!(result.units[3].rank, Some(3));
    }

    #[test]
    fn problems_name_their_file_and_place() {
        let bad = Stages::parse(
            "s.json",
            r#"{"format": "stages/1", "stages": [{"id": "a", "weight": 0.5, "source": "residents"},
                {"id": "a", "weight": 0.4, "source": "file"}], "vetoes": {"file": "v.csv"}}"#,
        )
        .expect_err("refused");
        let text: Vec<String> = bad.iter().map(ToString::to_string).collect();
        assert!(text.contains(&"s.json: stages[1].id: stage id `a` is empty or used twice".to_owned()), "{text:?}");
        assert!(
            text.contains(&"s.json: stages[1].file: a stage with `source: file` names its list in `file`".to_owned())
        );
        assert!(text.contains(&"s.json: stages: the weights sum to 0.9, not 1".to_owned()), "{text:?}");
        assert!(text.contains(&"s.json: veto_grade: a veto list needs `veto_grade`".to_owned()));
        let wrong =
            Stages::parse("s.json", r#"{"format": "stages/1", "stages": [{"id": "a", "weight": 1, "source": "x"}]}"#)
                .expect_err("refused");
        assert_eq!(wrong[0].at.as_deref(), Some("stages[0].source"), "{wrong:?}");

        let s = stages(
            r#"{"format": "stages/1", "stages": [{"id": "f", "weight": 1, "source": "file", "file": "f.csv"}],
              "deductions": {"file": "d.csv"}}"#,
        );
        let files = lists(&[("f.csv", "unit,score\na,101\nzz,50\na,x\n"), ("d.csv", "unit,item,evidence\n")]);
        let text: Vec<String> =
            s.compute(&residents(), &files).expect_err("refused").iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "f.csv: row 3: `zz` is not a unit of the survey",
                "f.csv: row 2: score `101` is not a number from 0 to 100",
                "f.csv: row 4: score `x` is not a number from 0 to 100",
                "d.csv: row 1: no column named `points`",
            ]
        );
        let missing = s.compute(&residents(), &BTreeMap::new()).expect_err("refused");
        assert_eq!(missing[0].to_string(), "stages.json: `f.csv` is named but was not loaded");
    }

    #[test]
    fn a_missing_stage_leaves_a_unit_unranked_and_the_floor_is_zero() {
        let s = stages(
            r#"{"format": "stages/1", "stages": [{"id": "f", "weight": 1, "source": "file", "file": "f.csv"}],
              "deductions": {"file": "d.csv"}}"#,
        );
        let files = lists(&[("f.csv", "unit,score\na,3\n"), ("d.csv", "unit,item,points,evidence\na,x,5,e\n")]);
        let result = s.compute(&residents(), &files).expect("computes");
        assert_eq!(result.units[0].unit, "a");
        assert_eq!(result.units[0].score, Some(0.0), "3 − 5 floors at 0");
        assert_eq!(result.units[1].reason, Some(NoScore::MissingStage));
        assert_eq!(result.units[1].missing, ["f"]);
        assert_eq!(result.units[1].rank, None);
    }
}
