//! Filling a response: one page per section showing its relevant questions, a progress bar,
//! back/next (skipping pages with nothing relevant), and finish with a list of what is missing
//! or needs correcting, each entry jumping to its question.

use crate::field::app::AppHandle;
use crate::field::components::save_status::SaveStatus;
use crate::field::state::Action;
use crate::ui::i18n::{answered_of, page_of, tr, Msg};
use crate::ui::paging::{neighbour_page, question_numbers, section_questions, SectionQuestions};
use crate::ui::platform;
use crate::ui::progress::Progress;
use std::collections::BTreeMap;
use survey_core::AnswerValue;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FillProps {
    pub state: AppHandle,
}

#[component]
pub fn FillPage(props: &FillProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let page = state.current.as_ref().map(|d| d.page);
    // Put keyboard focus on the page heading after a page change, so screen readers and
    // keyboard users start at the top of the new page.
    use_effect_with(page, |_| platform::focus("page-title"));
    // After a refused finish, move to the list of what is missing (focus scrolls it into view).
    use_effect_with((state.missing.len(), state.invalid.len()), |(missing, invalid)| {
        if missing + invalid > 0 {
            platform::focus("missing");
        }
    });
    // A jump from that list: focus the question once its page is shown.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((state.focus_question.clone(), page), move |(target, _)| {
            if let Some(question_id) = target {
                platform::focus(&format!("q-{question_id}"));
                dispatcher.dispatch(Action::Focused);
            }
        });
    }

    // One callback for the life of the page: a new one per render would make every question's
    // props differ, and every question render again after each answer.
    let on_answer = {
        let dispatcher = state.dispatcher();
        use_callback((), move |(question_id, value): (String, Option<AnswerValue>), _| {
            dispatcher.dispatch(Action::Answer { question_id, value, now: platform::now_ms() });
        })
    };

    let Some((draft, entry, relevance)) = state.current_logic() else {
        let message = if state.current.is_none() { Msg::ResponseNotFound } else { Msg::SurveyUnavailable };
        return html! { <p class="alert" role="alert">{ tr(lang, message) }</p> };
    };
    let survey = entry.survey.clone();
    let logic = entry.logic.clone();
    let page = draft.page.min(survey.sections.len().saturating_sub(1));
    let Some(section) = survey.sections.get(page) else {
        return html! { <p class="alert" role="alert">{ tr(lang, Msg::SurveyUnavailable) }</p> };
    };
    let text = |t: &survey_core::Text| t.get(lang.tag(), &survey.languages).to_owned();
    let (answered, total) = draft.progress(&survey, &logic, relevance);
    let problems: BTreeMap<String, survey_core::Problem> =
        draft.problems(&survey, &logic, relevance).into_iter().collect();
    let numbers = question_numbers(&survey);

    let go = |target: usize| {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Page(target)))
    };
    let finish = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Finish { now: platform::now_ms() }))
    };

    let questions = section_questions(&SectionQuestions {
        survey: &survey,
        page,
        logic: &logic,
        relevance,
        numbers: &numbers,
        answers: &draft.answers,
        lang,
        missing: &state.missing,
        problems: &problems,
        on_answer: &on_answer,
    });

    let jump_list = |ids: Vec<&String>| {
        ids.into_iter()
            .filter_map(|id| {
                let (section_idx, question) = survey.questions().find(|(_, q)| &q.id == id)?;
                let onclick = {
                    let state = state.clone();
                    let id = id.clone();
                    Callback::from(move |_| state.dispatch(Action::GoToQuestion(id.clone())))
                };
                let number = numbers.get(id).map(|n| format!("{n}. ")).unwrap_or_default();
                Some(html! {
                    <li>
                        <button class="link" data-testid={format!("goto-{id}")} {onclick}>
                            { format!("{} · {number}{}", page_of(lang, section_idx + 1, survey.sections.len()), text(&question.title)) }
                        </button>
                    </li>
                })
            })
            .collect::<Html>()
    };
    let missing = (!state.missing.is_empty() || !state.invalid.is_empty()).then(|| {
        html! {
            <div class="alert" role="alert" data-testid="missing" id="missing" tabindex="-1">
                if !state.missing.is_empty() {
                    <p>{ tr(lang, Msg::MissingAnswers) }</p>
                    <ul>{ jump_list(state.missing.iter().collect()) }</ul>
                }
                if !state.invalid.is_empty() {
                    <p>{ tr(lang, Msg::InvalidAnswers) }</p>
                    <ul>{ jump_list(state.invalid.iter().map(|(id, _)| id).collect()) }</ul>
                }
            </div>
        }
    });

    let progress_label = answered_of(lang, answered, total);
    let pages = survey.sections.len();
    let back = neighbour_page(&survey, &logic, relevance, page, false);
    let forward = neighbour_page(&survey, &logic, relevance, page, true);
    html! {
        <div class="fill">
            <div class="fill-head">
                <p class="survey-name">{ text(&survey.title) }</p>
                <Progress answered={answered} total={total} label={progress_label.clone()} />
                <p class="meta">{ format!("{} · {progress_label}", page_of(lang, page + 1, pages)) }</p>
            </div>
            <h1 id="page-title" tabindex="-1" data-testid="page-title">{ text(&section.title) }</h1>
            { missing }
            <form class="questions" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true>
                { questions }
            </form>
            <nav class="pager" aria-label={tr(lang, Msg::Page)}>
                if let Some(target) = back {
                    <button class="button" data-testid="back" onclick={go(target)}>{ tr(lang, Msg::Back) }</button>
                } else {
                    <span />
                }
                <SaveStatus save={state.save.clone()} lang={lang} />
                if let Some(target) = forward {
                    <button class="button primary" data-testid="next" onclick={go(target)}>{ tr(lang, Msg::Next) }</button>
                } else {
                    <button class="button primary" data-testid="finish" onclick={finish}>{ tr(lang, Msg::Finish) }</button>
                }
            </nav>
        </div>
    }
}
