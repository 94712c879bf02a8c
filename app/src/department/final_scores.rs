//! The final scores on the department page (`survey_dept::stages`): the stages file and its
//! lists loaded beside the bundles, then the final ranking with grades, each unit's stage
//! scores side by side, the deductions and vetoes with their evidence, and the chart.

use super::model::{Model, Results};
use super::store::Kind;
use super::text::{t, D};
use super::{message_lang, number, picker, svg, Page};
use crate::ui::i18n::Lang;
use survey_dept::render::words::{w, W};
use survey_dept::render::{grade_title, unit_name_in};
use survey_dept::stages::NoScore;
use yew::prelude::*;

/// The loaders and their status, in the import card (the lists come with the bundles).
pub(crate) fn loaders(page: &Page, model: &Model, l: Lang) -> Html {
    let named: Vec<&str> = model.stages.as_ref().map(|s| s.list_files()).unwrap_or_default();
    let lists = model.lists.keys().map(|name| {
        let used = named.contains(&name.as_str());
        html! { <li><code>{ name }</code>{ if used { "" } else { " ?" } }</li> }
    });
    html! {
        <div class="stages-input" data-testid="stages-input">
            <h3>{ t(l, D::StagesTitle) }</h3>
            <p data-testid="stages-status">
                { match &model.stages {
                    Some(stages) => format!("{} · {}", stages.name, named.join(", ")),
                    None => t(l, D::StagesNone).to_owned(),
                } }
            </p>
            { picker(page, "load-stages", Kind::Stages, t(l, D::LoadStages), ".json,application/json", false, false) }
            { picker(page, "load-lists", Kind::StageList, t(l, D::LoadLists), ".csv,.xlsx,text/csv", true, false) }
            if !model.lists.is_empty() {
                <p class="meta">{ t(l, D::ListsLoaded) }</p>
                <ul class="lists" data-testid="lists-loaded">{ for lists }</ul>
            }
        </div>
    }
}

/// The final ranking in the results, or why it cannot be computed; nothing without a stages
/// file.
pub fn section(results: &Results, l: Lang) -> Html {
    let Some(outcome) = &results.final_scores else { return html! {} };
    let result = match outcome {
        Ok(result) => result,
        Err(problems) => {
            return html! {
                <>
                    <h3>{ t(l, D::FinalRanking) }</h3>
                    <p>{ t(l, D::FinalProblems) }</p>
                    <ul class="problems" role="alert" data-testid="final-problems">
                        { for problems.iter().map(|p| html! { <li>{ p }</li> }) }
                    </ul>
                </>
            };
        }
    };
    let words = message_lang(l);
    let survey = &results.survey;
    let name = |unit: &str| unit_name_in(survey, unit, l.tag());
    let stage_heads = result.stages.stages.iter().map(|stage| {
        let title = stage.title.get(l.tag(), &survey.languages);
        let title = if title.is_empty() { stage.id.as_str() } else { title };
        html! { <th scope="col">{ format!("{title} ({}%)", number(Some(stage.weight * 100.0))) }</th> }
    });
    let rows = result.units.iter().map(|unit| {
        let reason = match unit.reason {
            Some(NoScore::Suppressed) => w(words, W::SuppressedResidents).to_owned(),
            Some(NoScore::MissingStage) => format!("{}{}", w(words, W::MissingStage), unit.missing.join(", ")),
            None => String::new(),
        };
        let grade = unit.grade.as_deref().map(|g| grade_title(survey, result, g, words)).unwrap_or_default();
        html! {
            <tr data-testid="final-row" data-unit={unit.unit.clone()} data-grade={unit.grade.clone().unwrap_or_default()}>
                <td class="num" data-testid="final-rank">{ unit.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".to_owned()) }</td>
                <th scope="row">{ name(&unit.unit) }</th>
                { for unit.stages.iter().map(|s| html! { <td class="num">{ number(s.score) }</td> }) }
                <td class="num">{ number(unit.weighted) }</td>
                <td class="num">{ if unit.deducted > 0.0 { format!("−{}", number(Some(unit.deducted))) } else { "—".to_owned() } }</td>
                if unit.score.is_some() {
                    <td class="num" data-testid="final-score">{ number(unit.score) }</td>
                    <td data-testid="final-grade">{ grade }{ if unit.vetoes.is_empty() { "" } else { " ⚑" } }</td>
                } else {
                    <td colspan="2" class="suppressed">{ reason }</td>
                }
            </tr>
        }
    });
    let deductions: Vec<Html> = result
        .units
        .iter()
        .flat_map(|unit| {
            let items = unit.deductions.iter().map(move |item| {
                let evidence: Vec<&str> = item.rows.iter().map(|r| r.evidence.as_str()).filter(|e| !e.is_empty()).collect();
                html! {
                    <tr data-testid="deduction">
                        <th scope="row">{ name(&unit.unit) }</th>
                        <td>{ w(words, W::Deduction) }</td>
                        <td>{ &item.item }</td>
                        <td class="num">{ format!("−{}", number(Some(item.counted))) }{ if item.counted < item.points { format!(" ({})", number(Some(item.points))) } else { String::new() } }</td>
                        <td>{ evidence.join("；") }</td>
                    </tr>
                }
            });
            let vetoes = unit.vetoes.iter().map(move |veto| {
                html! {
                    <tr data-testid="veto">
                        <th scope="row">{ name(&unit.unit) }</th>
                        <td>{ w(words, W::VetoKind) }</td>
                        <td>{ &veto.item }</td>
                        <td></td>
                        <td>{ &veto.evidence }</td>
                    </tr>
                }
            });
            items.chain(vetoes).collect::<Vec<_>>()
        })
        .collect();
    html! {
        <>
            <h3>{ t(l, D::FinalRanking) }</h3>
            <div class="wide">
                <table class="final" data-testid="final-ranking">
                    <thead><tr>
                        <th scope="col">{ t(l, D::Rank) }</th><th scope="col">{ t(l, D::Unit) }</th>
                        { for stage_heads }
                        <th scope="col">{ w(words, W::Weighted) }</th><th scope="col">{ w(words, W::Deducted) }</th>
                        <th scope="col">{ w(words, W::FinalScore) }</th><th scope="col">{ w(words, W::Grade) }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            if let Some(chart) = &results.final_svg {
                <figure class="chart" data-testid="final-chart">{ svg(chart) }</figure>
            }
            <h4>{ t(l, D::DeductionsTitle) }</h4>
            if deductions.is_empty() {
                <p>{ t(l, D::NoDeductions) }</p>
            } else {
                <table class="deductions" data-testid="deductions"><tbody>{ for deductions }</tbody></table>
            }
        </>
    }
}
