//! One question on a page: the title, help, and the input for its kind (radio buttons for
//! `single` and `scale`, a text box for `text`). Answers are dispatched as they are given.

use crate::i18n::{tr, Lang, Msg};
use survey_core::{AnswerValue, Question, QuestionKind, Text};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct QuestionProps {
    pub question: Question,
    /// Position on the page, for the visible number.
    pub number: usize,
    pub answer: Option<AnswerValue>,
    pub lang: Lang,
    pub languages: Vec<String>,
    /// Highlighted as missing after an attempt to finish.
    pub missing: bool,
    pub on_answer: Callback<(String, Option<AnswerValue>)>,
}

#[component]
pub fn QuestionView(props: &QuestionProps) -> Html {
    let q = &props.question;
    let text = |t: &Text| t.get(props.lang.tag(), &props.languages).to_owned();
    let title_id = format!("q-{}-title", q.id);
    let help_id = format!("q-{}-help", q.id);
    let required = q.required.then(|| {
        html! { <span class="required" aria-label={tr(props.lang, Msg::Required)}>{ "*" }</span> }
    });
    let help = q.help.as_ref().map(|help| html! { <p class="help" id={help_id.clone()}>{ text(help) }</p> });
    let body = match q.kind {
        QuestionKind::Single => {
            let options: Vec<(AnswerValue, String, bool)> = q
                .choices
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|c| (AnswerValue::Text(c.value.clone()), text(&c.label), false))
                .collect();
            radios(props, options)
        }
        QuestionKind::Scale => {
            let mut options: Vec<(AnswerValue, String, bool)> = q
                .points
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|p| (AnswerValue::Number(p.value), text(&p.label), false))
                .collect();
            options.extend(
                q.unscored
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| (AnswerValue::Number(p.value), text(&p.label), true)),
            );
            radios(props, options)
        }
        QuestionKind::Text => text_box(props),
    };
    let class = classes!("question", props.missing.then_some("missing"));
    html! {
        <fieldset class={class} data-testid="question" data-qid={q.id.clone()} id={format!("q-{}", q.id)}
            aria-describedby={q.help.as_ref().map(|_| help_id.clone())}>
            <legend id={title_id}>
                <span class="number">{ format!("{}. ", props.number) }</span>{ text(&q.title) }{ required }
            </legend>
            { help }
            { body }
        </fieldset>
    }
}

fn value_attr(value: &AnswerValue) -> String {
    match value {
        AnswerValue::Number(n) => n.to_string(),
        AnswerValue::Text(s) => s.clone(),
    }
}

fn radios(props: &QuestionProps, options: Vec<(AnswerValue, String, bool)>) -> Html {
    let q = &props.question;
    let scale = q.kind == QuestionKind::Scale;
    let items = options.into_iter().map(|(value, label, unscored)| {
        let checked = props.answer.as_ref() == Some(&value);
        let input_id = format!("q-{}-{}", q.id, value_attr(&value));
        let onchange = {
            let on_answer = props.on_answer.clone();
            let question_id = q.id.clone();
            let value = value.clone();
            Callback::from(move |_: Event| on_answer.emit((question_id.clone(), Some(value.clone()))))
        };
        let class = classes!("option", checked.then_some("checked"), unscored.then_some("unscored"));
        let hint = unscored
            .then(|| html! { <span class="hint">{ format!(" ({})", tr(props.lang, Msg::DontKnowHint)) }</span> });
        html! {
            <label class={class} for={input_id.clone()}>
                <input type="radio" id={input_id} name={format!("q-{}", q.id)} value={value_attr(&value)}
                    checked={checked} required={q.required} onchange={onchange} />
                <span class="option-label">{ label }{ hint }</span>
            </label>
        }
    });
    let class = classes!("options", scale.then_some("scale"));
    // The scale's points share one row (as many columns as points); unscored answers go below.
    let points = q.points.as_ref().map_or(0, Vec::len);
    let style = scale.then(|| format!("--points: {}", points.max(1)));
    html! { <div class={class} style={style}>{ for items }</div> }
}

fn text_box(props: &QuestionProps) -> Html {
    let q = &props.question;
    let current = match &props.answer {
        Some(AnswerValue::Text(text)) => text.clone(),
        _ => String::new(),
    };
    let emit = {
        let on_answer = props.on_answer.clone();
        let question_id = q.id.clone();
        move |value: String| {
            let value = if value.trim().is_empty() { None } else { Some(AnswerValue::Text(value)) };
            on_answer.emit((question_id.clone(), value));
        }
    };
    let max_length = q.max_length.map(|m| m.to_string());
    let input_id = format!("q-{}-input", q.id);
    let left = q.max_length.map(|max| {
        let used = current.chars().count() as i64;
        html! { <p class="counter">{ format!("{} {}", i64::from(max) - used, tr(props.lang, Msg::CharactersLeft)) }</p> }
    });
    let labelled_by = format!("q-{}-title", q.id);
    let field = if q.multiline {
        let oninput =
            Callback::from(move |e: InputEvent| emit(e.target_unchecked_into::<HtmlTextAreaElement>().value()));
        html! {
            <textarea id={input_id} rows="4" value={current} oninput={oninput} maxlength={max_length}
                aria-labelledby={labelled_by} placeholder={tr(props.lang, Msg::TextPlaceholder)} />
        }
    } else {
        let oninput = Callback::from(move |e: InputEvent| emit(e.target_unchecked_into::<HtmlInputElement>().value()));
        html! {
            <input type="text" id={input_id} value={current} oninput={oninput} maxlength={max_length}
                aria-labelledby={labelled_by} placeholder={tr(props.lang, Msg::TextPlaceholder)} />
        }
    };
    html! { <div class="text-answer">{ field }{ left }</div> }
}
