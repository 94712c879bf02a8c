//! The department page's model: the stored inputs replayed into a [`Department`], and the
//! results computed from it for display (owned, so the page can keep them between renders).

use super::store::{Input, Kind};
use crate::ui::examples::BUNDLED;
use crate::ui::i18n::Lang;
use std::collections::BTreeMap;
use survey_core::analysis::compliance::Compliance;
use survey_core::analysis::import::{Conflict, DeviceProgress};
use survey_core::analysis::score::Report;
use survey_core::Survey;
use survey_dept::compare::dimension_ids;
use survey_dept::compare::{Change, Round};
use survey_dept::stages::{FinalReport, Residents, Stages};
use survey_dept::{render, Department, LoadedRound, Options};

/// A problem with a loaded survey, roster, identity or previous round, by file name.
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    pub name: String,
    pub message: String,
}

/// Everything loaded, and the department built from it.
pub struct Model {
    pub inputs: Vec<Input>,
    /// `inputs[i].key()`, kept beside them: a key hashes the whole file, and a batch of many
    /// large files must not hash every earlier file again for each new one.
    keys: Vec<String>,
    pub dept: Department,
    pub previous: Option<(String, Round)>,
    pub problems: Vec<InputProblem>,
    /// Public keys of the loaded identities.
    pub recipients: Vec<String>,
    /// The stages file, with its name.
    pub stages: Option<Stages>,
    /// The lists loaded for it, by file name.
    pub lists: BTreeMap<String, Vec<u8>>,
}

impl Default for Model {
    fn default() -> Self {
        Model::rebuild(Vec::new())
    }
}

impl Model {
    /// Replays stored inputs: the bundled example surveys, then surveys, roster, identity and
    /// previous round, then the bundles in the order they were loaded.
    pub fn rebuild(inputs: Vec<Input>) -> Model {
        let mut model = Model {
            inputs: Vec::new(),
            keys: Vec::new(),
            dept: Department::new(),
            previous: None,
            problems: Vec::new(),
            recipients: Vec::new(),
            stages: None,
            lists: BTreeMap::new(),
        };
        for (_, text) in BUNDLED.iter() {
            // The bundled examples are valid (a test checks); an error would only drop one.
            let _ = model.dept.add_survey(text);
        }
        let (bundles, setup): (Vec<Input>, Vec<Input>) = inputs.into_iter().partition(|i| i.kind == Kind::Bundle);
        for input in setup.into_iter().chain(bundles) {
            model.apply(input);
        }
        model
    }

    /// Whether an input with this key is kept.
    pub fn holds(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// Forgets the kept inputs of one kind (the previous round when it is removed).
    pub fn forget(&mut self, kind: Kind) {
        let (inputs, keys): (Vec<Input>, Vec<String>) = std::mem::take(&mut self.inputs)
            .into_iter()
            .zip(std::mem::take(&mut self.keys))
            .filter(|(i, _)| i.kind != kind)
            .unzip();
        self.inputs = inputs;
        self.keys = keys;
    }

    /// The next loading-order number.
    pub fn next_seq(&self) -> u64 {
        self.inputs.iter().map(|i| i.seq + 1).max().unwrap_or(1)
    }

    /// Whether loading this kind after bundles calls for a rebuild (it changes how bundles
    /// verify).
    pub fn needs_rebuild(&self, kind: Kind) -> bool {
        matches!(kind, Kind::Survey | Kind::Roster | Kind::Identity | Kind::Round)
            && self.inputs.iter().any(|i| i.kind == Kind::Bundle)
    }

    /// Applies one input. A bad survey, roster, identity or previous round is listed as a
    /// problem and not kept; a bundle always gets an outcome in the department's file list.
    /// Returns whether the input was kept.
    pub fn apply(&mut self, input: Input) -> bool {
        let bytes = input.bytes();
        let text = || String::from_utf8_lossy(bytes).into_owned();
        let result: Result<(), String> = match input.kind {
            Kind::Survey => self.dept.add_survey(&text()).map(|_| ()),
            Kind::Roster => self.dept.set_roster(bytes).map(|_| ()),
            Kind::Round => self.dept.set_round(bytes).map(|_| ()),
            Kind::Identity => survey_dept::parse_identities(&text()).map(|identities| {
                self.recipients = survey_dept::recipients(&identities);
                self.dept.set_identities(identities);
            }),
            Kind::Previous => Round::from_json(&text()).map(|round| self.previous = Some((input.name.clone(), round))),
            Kind::Stages => Stages::parse(&input.name, &text())
                .map(|stages| self.stages = Some(stages))
                .map_err(|problems| problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")),
            Kind::StageList => {
                self.lists.insert(input.name.clone(), bytes.to_vec());
                Ok(())
            }
            Kind::Bundle => {
                self.dept.add_file(&input.name, bytes);
                Ok(())
            }
        };
        match result {
            Ok(()) => {
                let key = input.key();
                if let Some(at) = self.keys.iter().position(|k| *k == key) {
                    self.keys.remove(at);
                    self.inputs.remove(at);
                }
                self.keys.push(key);
                self.inputs.push(input);
                true
            }
            Err(message) => {
                self.problems.push(InputProblem { name: input.name.clone(), message });
                false
            }
        }
    }

    /// The final scores of an analysis with the loaded stages file and lists (none without a
    /// stages file), or every problem, each naming its file and place.
    pub fn final_scores(&self, analysis: &survey_dept::Analysis<'_>) -> Option<Result<FinalReport, Vec<String>>> {
        let stages = self.stages.as_ref()?;
        let residents = Residents::from_report(analysis.report(), dimension_ids(analysis.survey));
        Some(
            stages
                .compute(&residents, &self.lists)
                .map_err(|problems| problems.iter().map(ToString::to_string).collect()),
        )
    }

    /// Fingerprints of the surveys with imported responses, then the other loaded surveys.
    pub fn survey_choices(&self) -> Vec<(String, String)> {
        let mut with_data = Vec::new();
        let mut without = Vec::new();
        for loaded in self.dept.surveys() {
            let label = format!(
                "{} · {} {}",
                loaded.survey.title.get(loaded.survey.default_language(), &loaded.survey.languages),
                loaded.survey.id,
                loaded.survey.version
            );
            if self.dept.import(&loaded.fingerprint).is_some() {
                with_data.push((loaded.fingerprint.clone(), label));
            } else {
                without.push((loaded.fingerprint.clone(), label));
            }
        }
        with_data.extend(without);
        with_data
    }
}

/// What the results section shows, computed once per change of data, survey, switch or
/// language.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub survey: Survey,
    pub fingerprint: String,
    pub report: Report,
    pub n_all: usize,
    pub flagged: usize,
    pub flag_counts: [usize; 3],
    pub exclusion: Vec<Change>,
    pub previous: Option<Vec<Change>>,
    pub devices: Vec<DeviceProgress>,
    pub conflicts: Vec<Conflict>,
    pub bundles: usize,
    pub ranking_svg: String,
    pub heat_map_svg: String,
    pub distribution_svgs: Vec<(String, String)>,
    /// With a round: the fieldwork checked against it.
    pub compliance: Option<RoundCompliance>,
    /// With a stages file: the final scores, or why they cannot be computed.
    pub final_scores: Option<Result<FinalReport, Vec<String>>>,
    pub final_svg: Option<String>,
}

/// A round's fieldwork as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundCompliance {
    pub round: RoundFacts,
    pub compliance: Compliance,
}

/// What an auditor compares with the organiser's notice (the round's frames are not copied).
#[derive(Debug, Clone, PartialEq)]
pub struct RoundFacts {
    pub id: String,
    pub title: survey_core::Text,
    pub from: String,
    pub to: String,
    pub organiser: String,
    pub organiser_keyid: String,
    pub frame_commitment: String,
    pub seed: String,
    pub seed_source: String,
    pub sha256: String,
}

impl RoundFacts {
    pub fn of(round: &LoadedRound) -> RoundFacts {
        let p = &round.payload;
        RoundFacts {
            id: p.id.clone(),
            title: p.title.clone(),
            from: p.period.from.clone(),
            to: p.period.to.clone(),
            organiser: p.organiser.name.clone(),
            organiser_keyid: round.organiser_keyid.clone(),
            frame_commitment: p.frame_commitment.clone(),
            seed: p.seed.clone(),
            seed_source: p.seed_source.clone(),
            sha256: round.sha256.clone(),
        }
    }
}

impl Results {
    pub fn compute(model: &Model, fingerprint: &str, options: Options, lang: Lang) -> Option<Results> {
        let analysis = model.dept.analysis(fingerprint, options)?;
        let report = analysis.report().clone();
        let counted = analysis.counted_responses();
        let survey = analysis.survey;
        let tag = lang.tag();
        let distribution_svgs = survey_dept::charts::distributions(survey, &counted, tag)
            .iter()
            .map(|d| (d.title.clone(), survey_dept::charts::distribution_bar(d, tag)))
            .collect();
        let final_scores = model.final_scores(&analysis);
        let final_svg = match &final_scores {
            Some(Ok(result)) => Some(survey_dept::charts::final_bars(survey, result, tag)),
            _ => None,
        };
        Some(Results {
            final_scores,
            final_svg,
            survey: survey.clone(),
            fingerprint: fingerprint.to_owned(),
            ranking_svg: survey_dept::charts::ranking_bars(survey, &report, tag),
            heat_map_svg: survey_dept::charts::heat_map(survey, &report, tag),
            distribution_svgs,
            n_all: analysis.responses.len(),
            flagged: analysis.flagged_count(),
            flag_counts: render::flag_counts(&analysis),
            exclusion: render::exclusion_changes(&analysis),
            previous: model.previous.as_ref().map(|(_, round)| render::previous_changes(&analysis, round)),
            devices: analysis.import.devices(),
            conflicts: analysis.import.conflicts(),
            bundles: analysis.import.bundle_count(),
            compliance: model
                .dept
                .round()
                .zip(analysis.compliance.clone())
                .map(|(round, compliance)| RoundCompliance { round: RoundFacts::of(round), compliance }),
            report,
        })
    }
}
