//! The department page's fieldwork-compliance section (`docs/compliance.md`): the round as the
//! organiser announced it (commitment, seed, source, key), compliance per unit and per evaluator
//! with the flagged evaluators marked, the responses with findings, and the two switches that
//! count non-compliant and off-sample interviews.

use super::model::{Results, RoundCompliance};
use super::text::{t, D};
use crate::ui::i18n::Lang;
use survey_core::analysis::compliance::{Figures, Finding};
use survey_core::short_fingerprint;
use survey_dept::{render, Options};
use yew::prelude::*;

fn rate(value: Option<f64>) -> String {
    value.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "—".to_owned())
}

/// A finding's name in the page's language.
pub fn finding_name(l: Lang, finding: Finding) -> &'static str {
    match finding {
        Finding::NotDrawn => t(l, D::FindingNotDrawn),
        Finding::WrongUnit => t(l, D::FindingWrongUnit),
        Finding::NotAssigned => t(l, D::FindingNotAssigned),
        Finding::OutOfOrder => t(l, D::FindingOutOfOrder),
        Finding::DuplicateHousehold => t(l, D::FindingDuplicateHousehold),
        Finding::OffSampleNotAllowed => t(l, D::FindingOffSampleNotAllowed),
    }
}

fn figure_cells(figures: &Figures) -> Html {
    let [drawn, interviewed, substitutes, off, refused, vacant, inelig, nah, noncompliant] =
        render::figure_counts(figures);
    html! {
        <>
            <td class="num">{ drawn }</td>
            <td class="num" data-testid="interviewed">{ interviewed }</td>
            <td class="num" data-testid="substitutes">{ substitutes }</td>
            <td class="num">{ off }</td>
            <td class="num" data-testid="refused">{ refused }</td>
            <td class="num">{ vacant }</td>
            <td class="num">{ inelig }</td>
            <td class="num" data-testid="not-at-home-final">{ nah }</td>
            <td class="num" data-testid="noncompliant">{ noncompliant }</td>
            <td class="num" data-testid="response-rate">{ rate(figures.response_rate) }</td>
            <td class="num" data-testid="substitution-rate">{ rate(figures.substitution_rate) }</td>
        </>
    }
}

fn figure_headers(l: Lang) -> Html {
    let names = [
        D::Drawn,
        D::Interviewed,
        D::SubstitutesUsed,
        D::OffSampleCount,
        D::RefusedCount,
        D::VacantCount,
        D::NotEligibleCount,
        D::NotAtHomeFinal,
        D::Noncompliant,
        D::ResponseRate,
        D::SubstitutionRate,
    ];
    html! { <>{ for names.iter().map(|name| html! { <th>{ t(l, *name) }</th> }) }</> }
}

/// The section; `options` holds the two counting switches.
pub fn section(l: Lang, results: &Results, round: &RoundCompliance, options: &UseStateHandle<Options>) -> Html {
    let facts = &round.round;
    let compliance = &round.compliance;
    let toggle_noncompliant = {
        let options = options.clone();
        Callback::from(move |_| {
            options.set(Options { include_noncompliant: !options.include_noncompliant, ..*options })
        })
    };
    let toggle_off_sample = {
        let options = options.clone();
        Callback::from(move |_| options.set(Options { include_off_sample: !options.include_off_sample, ..*options }))
    };
    let unit_name = |unit: &str| render::unit_name_in(&results.survey, unit, l.tag());
    let unit_rows = compliance.units.iter().map(|unit| {
        html! {
            <tr data-testid="compliance-unit" data-unit={unit.unit.clone()}>
                <th scope="row">{ unit_name(&unit.unit) }</th>
                <td>{ &unit.evaluator }</td>
                { figure_cells(&unit.figures) }
            </tr>
        }
    });
    let evaluator_rows = compliance.evaluators.iter().map(|evaluator| {
        html! {
            <tr data-testid="compliance-evaluator" data-device={evaluator.device.clone()} class={classes!(evaluator.flagged.then_some("flagged"))}>
                <th scope="row">{ &evaluator.evaluator }<span class="meta">{ format!(" · {}", short_fingerprint(&evaluator.device)) }</span></th>
                <td class="num">{ evaluator.units }</td>
                { figure_cells(&evaluator.figures) }
                <td data-testid="evaluator-flag">{ if evaluator.flagged { t(l, D::SubstitutionStandsOut) } else { "" } }</td>
            </tr>
        }
    });
    let findings: Vec<Html> = compliance
        .findings()
        .map(|check| {
            let names: Vec<&str> = check.findings.iter().map(|f| finding_name(l, *f)).collect();
            let codes: Vec<&str> = check.findings.iter().map(|f| f.code()).collect();
            html! {
                <tr data-testid="finding" data-response={check.response.clone()} data-codes={codes.join(" ")}>
                    <td><code>{ &check.response }</code></td>
                    <td>{ check.unit.as_deref().map(unit_name).unwrap_or_else(|| "—".to_owned()) }</td>
                    <td>{ check.household.clone().unwrap_or_default() }</td>
                    <td class="num">{ check.position.map(|p| p.to_string()).unwrap_or_else(|| "—".to_owned()) }</td>
                    <td><code>{ short_fingerprint(&check.device) }</code></td>
                    <td>{ names.join("、") }</td>
                </tr>
            }
        })
        .collect();
    let off_sample = compliance.off_sample().count();
    let spread = compliance.substitution;
    html! {
        <div class="compliance" data-testid="compliance">
            <h3>{ t(l, D::ComplianceTitle) }</h3>
            <dl class="round-facts" data-testid="round-facts">
                <dt>{ t(l, D::RoundTitle) }</dt>
                <dd>{ format!("{} · {} · {} – {}", facts.id, facts.title.get(l.tag(), &[]), facts.from, facts.to) }</dd>
                <dt>{ t(l, D::Organiser) }</dt>
                <dd>{ &facts.organiser }{ " · " }<code data-testid="organiser-keyid">{ &facts.organiser_keyid }</code></dd>
                <dt>{ t(l, D::FrameCommitment) }</dt>
                <dd><code data-testid="frame-commitment">{ &facts.frame_commitment }</code></dd>
                <dt>{ t(l, D::Seed) }</dt>
                <dd data-testid="seed">{ &facts.seed }</dd>
                <dt>{ t(l, D::SeedSource) }</dt>
                <dd>{ &facts.seed_source }</dd>
                <dt>{ t(l, D::RoundFileHash) }</dt>
                <dd><code>{ &facts.sha256 }</code></dd>
            </dl>
            <label class="switch no-print">
                <input type="checkbox" checked={options.include_noncompliant} onchange={toggle_noncompliant} data-testid="include-noncompliant" />
                { t(l, D::IncludeNoncompliant) }
            </label>
            <label class="switch no-print">
                <input type="checkbox" checked={options.include_off_sample} onchange={toggle_off_sample} data-testid="include-off-sample" />
                { format!("{} ({off_sample})", t(l, D::IncludeOffSample)) }
            </label>
            <h4>{ t(l, D::ComplianceByUnit) }</h4>
            <div class="wide">
                <table class="compliance-units" data-testid="compliance-units">
                    <thead><tr><th>{ t(l, D::Unit) }</th><th>{ t(l, D::Evaluator) }</th>{ figure_headers(l) }</tr></thead>
                    <tbody>{ for unit_rows }</tbody>
                </table>
            </div>
            <h4>{ t(l, D::ComplianceByEvaluator) }</h4>
            <div class="wide">
                <table class="compliance-evaluators" data-testid="compliance-evaluators">
                    <thead><tr><th>{ t(l, D::Evaluator) }</th><th>{ t(l, D::UnitsCount) }</th>{ figure_headers(l) }<th>{ t(l, D::Flag) }</th></tr></thead>
                    <tbody>{ for evaluator_rows }</tbody>
                </table>
            </div>
            if let (Some(median), Some(threshold)) = (spread.median, spread.threshold) {
                <p class="meta" data-testid="substitution-spread">
                    { format!("{}: {} · {}: {}", t(l, D::SubstitutionMedian), rate(Some(median)), t(l, D::FlaggedAbove), rate(Some(threshold))) }
                </p>
            }
            <h4>{ format!("{} ({})", t(l, D::Findings), findings.len()) }</h4>
            if findings.is_empty() {
                <p>{ t(l, D::NoFindings) }</p>
            } else {
                <p class="meta">{ if options.include_noncompliant { t(l, D::FindingsCounted) } else { t(l, D::FindingsNotCounted) } }</p>
                <div class="wide">
                    <table class="findings" data-testid="findings">
                        <thead><tr><th>{ t(l, D::Response) }</th><th>{ t(l, D::Unit) }</th><th>{ t(l, D::Household) }</th>
                            <th>{ t(l, D::Position) }</th><th>{ t(l, D::Device) }</th><th>{ t(l, D::Findings) }</th></tr></thead>
                        <tbody>{ for findings }</tbody>
                    </table>
                </div>
            }
            if !compliance.contact_conflicts.is_empty() {
                <p class="problem" data-testid="contact-conflicts">
                    { format!("{}: {}", t(l, D::ContactConflicts), compliance.contact_conflicts.join(", ")) }
                </p>
            }
        </div>
    }
}
