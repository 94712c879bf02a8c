//! Filling a response: one page per section, a progress bar, back/next, and finish with a list
//! of missing required answers.

use crate::app::AppHandle;
use crate::components::progress::Progress;
use crate::components::question::QuestionView;
use crate::components::save_status::SaveStatus;
use crate::i18n::{answered_of, page_of, tr, Msg};
use crate::platform;
use crate::state::Action;
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
    // After a refused finish, move to the list of missing answers (focus scrolls it into view).
    use_effect_with(state.missing.len(), |missing| {
        if *missing > 0 {
            platform::focus("missing");
        }
    });

    let Some(draft) = &state.current else {
        return html! { <p class="alert" role="alert">{ tr(lang, Msg::ResponseNotFound) }</p> };
    };
    let Some(entry) = state.survey_for(draft) else {
        return html! { <p class="alert" role="alert">{ tr(lang, Msg::SurveyUnavailable) }</p> };
    };
    let survey = entry.survey.clone();
    let page = draft.page.min(survey.sections.len().saturating_sub(1));
    let Some(section) = survey.sections.get(page) else {
        return html! { <p class="alert" role="alert">{ tr(lang, Msg::SurveyUnavailable) }</p> };
    };
    let text = |t: &survey_core::Text| t.get(lang.tag(), &survey.languages).to_owned();
    let (answered, total) = draft.progress(&survey);
    let pages = survey.sections.len();
    let first_number = survey.sections[..page].iter().map(|s| s.questions.len()).sum::<usize>();

    let on_answer = {
        let state = state.clone();
        Callback::from(move |(question_id, value): (String, Option<AnswerValue>)| {
            state.dispatch(Action::Answer { question_id, value, now: platform::now_ms() });
        })
    };
    let go = |target: usize| {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Page(target)))
    };
    let finish = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Finish { now: platform::now_ms() }))
    };

    let questions = section.questions.iter().enumerate().map(|(idx, question)| {
        html! {
            <QuestionView
                question={question.clone()}
                number={first_number + idx + 1}
                answer={draft.answers.get(&question.id).map(|a| a.value.clone())}
                lang={lang}
                languages={survey.languages.clone()}
                missing={state.missing.contains(&question.id)}
                on_answer={on_answer.clone()}
            />
        }
    });

    let missing = (!state.missing.is_empty()).then(|| {
        let items = state.missing.iter().filter_map(|id| {
            let (section_idx, question) = survey.questions().find(|(_, q)| &q.id == id)?;
            let onclick = go(section_idx);
            Some(html! {
                <li>
                    <button class="link" {onclick}>
                        { format!("{} {} · {}", tr(lang, Msg::GoToQuestion), section_idx + 1, text(&question.title)) }
                    </button>
                </li>
            })
        });
        html! {
            <div class="alert" role="alert" data-testid="missing" id="missing" tabindex="-1">
                <p>{ tr(lang, Msg::MissingAnswers) }</p>
                <ul>{ for items }</ul>
            </div>
        }
    });

    let progress_label = answered_of(lang, answered, total);
    html! {
        <div class="fill">
            <div class="fill-head">
                <p class="survey-name">{ text(&survey.title) }</p>
                <Progress answered={answered} total={total} label={progress_label.clone()} />
                <p class="meta">
                    { format!("{} · {progress_label}", page_of(lang, page + 1, pages)) }
                </p>
            </div>
            <h1 id="page-title" tabindex="-1" data-testid="page-title">{ text(&section.title) }</h1>
            { missing }
            <form class="questions" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true>
                { for questions }
            </form>
            <nav class="pager" aria-label={tr(lang, Msg::Page)}>
                if page > 0 {
                    <button class="button" data-testid="back" onclick={go(page - 1)}>{ tr(lang, Msg::Back) }</button>
                } else {
                    <span />
                }
                <SaveStatus save={state.save.clone()} lang={lang} />
                if page + 1 < pages {
                    <button class="button primary" data-testid="next" onclick={go(page + 1)}>{ tr(lang, Msg::Next) }</button>
                } else {
                    <button class="button primary" data-testid="finish" onclick={finish}>{ tr(lang, Msg::Finish) }</button>
                }
            </nav>
        </div>
    }
}
