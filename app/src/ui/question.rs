//! One question on a page: its title, help, and the input for its kind. Answers are dispatched
//! as they are given; a problem with the answer (range, selections, constraint) is shown under it.
//!
//! Inputs: radio buttons for `single`, `scale`, `yes_no` and each row of a `matrix`; check
//! boxes for `multiple`; number, date and text boxes; nothing for a `note`.

use crate::ui::i18n::{problem_text, tr, Lang, Msg};
use std::collections::BTreeMap;
use std::rc::Rc;
use survey_core::definition::ScalePoint;
use survey_core::{AnswerValue, Problem, Question, QuestionKind, Survey, Text};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// One question of a survey shared by the page, compared by identity (the same survey, section
/// and position) instead of by value: after an answer, the questions that did not change compare
/// equal at once and are not rendered again, even on a page of a thousand questions.
#[derive(Clone)]
pub struct QuestionRef {
    survey: Rc<Survey>,
    section: usize,
    index: usize,
}

impl QuestionRef {
    /// The question at `index` of `section`, or `None` when there is none.
    pub fn new(survey: &Rc<Survey>, section: usize, index: usize) -> Option<QuestionRef> {
        survey.sections.get(section)?.questions.get(index)?;
        Some(QuestionRef { survey: survey.clone(), section, index })
    }

    pub fn get(&self) -> &Question {
        // Checked when made, and a survey never changes behind its `Rc`.
        &self.survey.sections[self.section].questions[self.index]
    }

    /// The survey's languages, for the fallback of its texts.
    pub fn languages(&self) -> &[String] {
        &self.survey.languages
    }
}

impl PartialEq for QuestionRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.survey, &other.survey) && self.section == other.section && self.index == other.index
    }
}

#[derive(Properties, PartialEq)]
pub struct QuestionProps {
    pub question: QuestionRef,
    /// Position in the survey, for the visible number (`None` for notes).
    pub number: Option<usize>,
    pub answer: Option<AnswerValue>,
    pub lang: Lang,
    /// Highlighted as missing after an attempt to finish.
    pub missing: bool,
    /// What is wrong with the current answer, if anything.
    pub problem: Option<Problem>,
    pub on_answer: Callback<(String, Option<AnswerValue>)>,
}

/// One option of a radio or check box group.
struct Option_ {
    value: String,
    label: String,
    unscored: bool,
    checked: bool,
    /// Shown after the label in smaller type ("not scored").
    hint: Option<&'static str>,
}

#[component]
pub fn QuestionView(props: &QuestionProps) -> Html {
    let q = props.question.get();
    let lang = props.lang;
    let text = |t: &Text| t.get(lang.tag(), props.question.languages()).to_owned();
    let title_id = format!("q-{}-title", q.id);
    let help_id = format!("q-{}-help", q.id);
    let problem_id = format!("q-{}-problem", q.id);
    let required =
        q.required.then(|| html! { <span class="required" aria-label={tr(lang, Msg::Required)}>{ "*" }</span> });
    let help = q.help.as_ref().map(|help| html! { <p class="help" id={help_id.clone()}>{ text(help) }</p> });
    let number = props.number.map(|n| html! { <span class="number">{ format!("{n}. ") }</span> });

    if q.kind == QuestionKind::Note {
        return html! {
            <section class="note" data-testid="question" data-qid={q.id.clone()} data-kind="note" id={format!("q-{}", q.id)} tabindex="-1">
                <p class="note-title">{ text(&q.title) }</p>
                { help }
            </section>
        };
    }

    let emit = {
        let on_answer = props.on_answer.clone();
        let question_id = q.id.clone();
        move |value: Option<AnswerValue>| on_answer.emit((question_id.clone(), value))
    };
    let body = match q.kind {
        QuestionKind::Single => {
            let chosen = match &props.answer {
                Some(AnswerValue::Text(v)) => Some(v.clone()),
                _ => None,
            };
            let options = choice_options(q, &text, |value| chosen.as_deref() == Some(value));
            radio_group(q, &format!("q-{}", q.id), options, false, move |value| emit(Some(AnswerValue::Text(value))))
        }
        QuestionKind::Multiple => {
            let selected: Vec<String> = match &props.answer {
                Some(AnswerValue::List(items)) => items.clone(),
                _ => Vec::new(),
            };
            let options = choice_options(q, &text, |value| selected.iter().any(|s| s == value));
            // Keep the selection in the order of the choices, whatever order they were ticked in.
            let order: Vec<String> = q.choices.as_deref().unwrap_or_default().iter().map(|c| c.value.clone()).collect();
            let on_toggle = move |value: String| {
                let mut next: Vec<String> = selected.clone();
                if let Some(pos) = next.iter().position(|s| *s == value) {
                    next.remove(pos);
                } else {
                    next.push(value);
                }
                next.sort_by_key(|v| order.iter().position(|o| o == v));
                emit((!next.is_empty()).then_some(AnswerValue::List(next)));
            };
            html! {
                <>
                    <p class="hint">{ tr(lang, Msg::SelectAll) }</p>
                    { checkbox_group(q, options, on_toggle) }
                </>
            }
        }
        QuestionKind::Scale => {
            let chosen = match &props.answer {
                Some(AnswerValue::Number(n)) => Some(*n),
                _ => None,
            };
            let options = point_options(q, &text, lang, |v| chosen == Some(v));
            radio_group(q, &format!("q-{}", q.id), options, true, move |value| {
                if let Ok(point) = value.parse::<i64>() {
                    emit(Some(AnswerValue::Number(point)));
                }
            })
        }
        QuestionKind::YesNo => {
            let chosen = match &props.answer {
                Some(AnswerValue::Bool(b)) => Some(*b),
                _ => None,
            };
            let options = [(true, Msg::Yes), (false, Msg::No)]
                .into_iter()
                .map(|(value, msg)| Option_ {
                    value: value.to_string(),
                    label: tr(lang, msg).to_owned(),
                    unscored: false,
                    checked: chosen == Some(value),
                    hint: None,
                })
                .collect();
            radio_group(q, &format!("q-{}", q.id), options, false, move |value| {
                emit(Some(AnswerValue::Bool(value == "true")))
            })
        }
        QuestionKind::Integer | QuestionKind::Decimal => number_box(props, emit),
        QuestionKind::Text => text_box(props, emit),
        QuestionKind::Date => date_box(props, emit),
        QuestionKind::Matrix => matrix(props, &text, emit),
        QuestionKind::Note => html! {},
    };
    let problem = props.problem.as_ref().map(|problem| {
        let message = match (problem, &q.constraint_message) {
            (Problem::Constraint, Some(message)) => text(message),
            _ => problem_text(lang, problem),
        };
        html! { <p class="problem" id={problem_id.clone()} role="alert" data-testid="problem">{ message }</p> }
    });
    let class = classes!("question", props.missing.then_some("missing"), props.problem.is_some().then_some("invalid"));
    let described_by: Vec<String> =
        [q.help.as_ref().map(|_| help_id.clone()), props.problem.as_ref().map(|_| problem_id.clone())]
            .into_iter()
            .flatten()
            .collect();
    html! {
        <fieldset class={class} data-testid="question" data-qid={q.id.clone()} data-kind={q.kind.name()}
            id={format!("q-{}", q.id)} tabindex="-1"
            aria-describedby={(!described_by.is_empty()).then(|| described_by.join(" "))}
            aria-invalid={props.problem.is_some().then_some("true")}>
            <legend id={title_id}>{ number }{ text(&q.title) }{ required }</legend>
            { help }
            { body }
            { problem }
        </fieldset>
    }
}

fn choice_options(q: &Question, text: &dyn Fn(&Text) -> String, checked: impl Fn(&str) -> bool) -> Vec<Option_> {
    q.choices
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|c| Option_ {
            value: c.value.clone(),
            label: text(&c.label),
            unscored: false,
            checked: checked(&c.value),
            hint: None,
        })
        .collect()
}

fn point_options(
    q: &Question,
    text: &dyn Fn(&Text) -> String,
    lang: Lang,
    checked: impl Fn(i64) -> bool,
) -> Vec<Option_> {
    let make = |p: &ScalePoint, unscored: bool| Option_ {
        value: p.value.to_string(),
        label: text(&p.label),
        unscored,
        checked: checked(p.value),
        hint: unscored.then(|| tr(lang, Msg::DontKnowHint)),
    };
    let mut options: Vec<Option_> = q.points.as_deref().unwrap_or_default().iter().map(|p| make(p, false)).collect();
    options.extend(q.unscored.as_deref().unwrap_or_default().iter().map(|p| make(p, true)));
    options
}

/// A group of radio buttons named `name`; `scale` lays the scored points out in one row.
fn radio_group(
    q: &Question,
    name: &str,
    options: Vec<Option_>,
    scale: bool,
    on_pick: impl Fn(String) + 'static,
) -> Html {
    let on_pick = std::rc::Rc::new(on_pick);
    let n_points = options.iter().filter(|o| !o.unscored).count();
    let items = options.into_iter().map(|option| {
        let input_id = format!("{name}-{}", option.value);
        let onchange = {
            let on_pick = on_pick.clone();
            let value = option.value.clone();
            Callback::from(move |_: Event| on_pick(value.clone()))
        };
        let class = classes!("option", option.checked.then_some("checked"), option.unscored.then_some("unscored"));
        html! {
            <label class={class} for={input_id.clone()}>
                <input type="radio" id={input_id} name={name.to_owned()} value={option.value}
                    checked={option.checked} required={q.required} onchange={onchange} />
                <span class="option-label">
                    { option.label }
                    if let Some(hint) = option.hint {
                        <span class="hint">{ format!(" ({hint})") }</span>
                    }
                </span>
            </label>
        }
    });
    // The number of columns by class, not by a style attribute, which the page's
    // Content-Security-Policy does not allow (`styles.css` has `points-1` … `points-11`).
    let columns = scale.then(|| format!("points-{}", n_points.clamp(1, 11)));
    let class = classes!("options", scale.then_some("scale"), columns);
    html! { <div class={class} role="radiogroup">{ for items }</div> }
}

fn checkbox_group(q: &Question, options: Vec<Option_>, on_toggle: impl Fn(String) + 'static) -> Html {
    let on_toggle = std::rc::Rc::new(on_toggle);
    let items = options.into_iter().map(|option| {
        let input_id = format!("q-{}-{}", q.id, option.value);
        let onchange = {
            let on_toggle = on_toggle.clone();
            let value = option.value.clone();
            Callback::from(move |_: Event| on_toggle(value.clone()))
        };
        let class = classes!("option", option.checked.then_some("checked"));
        html! {
            <label class={class} for={input_id.clone()}>
                <input type="checkbox" id={input_id} value={option.value} checked={option.checked} onchange={onchange} />
                <span class="option-label">{ option.label }</span>
            </label>
        }
    });
    html! { <div class="options">{ for items }</div> }
}

fn matrix(props: &QuestionProps, text: &dyn Fn(&Text) -> String, emit: impl Fn(Option<AnswerValue>) + 'static) -> Html {
    let q = props.question.get();
    let current: BTreeMap<String, i64> = match &props.answer {
        Some(AnswerValue::Rows(rows)) => rows.clone(),
        _ => BTreeMap::new(),
    };
    let emit = std::rc::Rc::new(emit);
    let rows = q.rows.as_deref().unwrap_or_default().iter().map(|row| {
        let chosen = current.get(&row.id).copied();
        let options = point_options(q, text, props.lang, |v| chosen == Some(v));
        let on_pick = {
            let emit = emit.clone();
            let current = current.clone();
            let row_id = row.id.clone();
            move |value: String| {
                if let Ok(point) = value.parse::<i64>() {
                    let mut next = current.clone();
                    next.insert(row_id.clone(), point);
                    emit(Some(AnswerValue::Rows(next)));
                }
            }
        };
        let row_label_id = format!("q-{}-{}-label", q.id, row.id);
        let answered = chosen.is_some();
        html! {
            <div class={classes!("matrix-row", answered.then_some("answered"))} data-row={row.id.clone()}
                role="group" aria-labelledby={row_label_id.clone()}>
                <p class="matrix-row-label" id={row_label_id}>{ text(&row.label) }</p>
                { radio_group(q, &format!("q-{}-{}", q.id, row.id), options, true, on_pick) }
            </div>
        }
    });
    html! { <div class="matrix">{ for rows }</div> }
}

fn number_box(props: &QuestionProps, emit: impl Fn(Option<AnswerValue>) + 'static) -> Html {
    let q = props.question.get();
    let integer = q.kind == QuestionKind::Integer;
    let current = match &props.answer {
        Some(AnswerValue::Number(n)) => n.to_string(),
        Some(AnswerValue::Decimal(x)) => x.to_string(),
        _ => String::new(),
    };
    let oninput = Callback::from(move |e: InputEvent| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        let raw = input.value();
        let raw = raw.trim();
        if raw.is_empty() {
            // An empty box is also what the browser reports for text it cannot read as a
            // number (e.g. "1e"): only clear the answer when the box really is empty.
            if input.validity().bad_input() {
                return;
            }
            emit(None);
        } else if integer {
            if let Ok(n) = raw.parse::<i64>() {
                emit(Some(AnswerValue::Number(n)));
            }
        } else if let Ok(x) = raw.parse::<f64>() {
            if x.is_finite() {
                let value = if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    AnswerValue::Number(x as i64)
                } else {
                    AnswerValue::Decimal(x)
                };
                emit(Some(value));
            }
        }
    });
    html! {
        <input type="number" class="number-input" id={format!("q-{}-input", q.id)} value={current}
            inputmode={if integer { "numeric" } else { "decimal" }} step={if integer { "1" } else { "any" }}
            min={q.min.map(|m| m.to_string())} max={q.max.map(|m| m.to_string())}
            aria-labelledby={format!("q-{}-title", q.id)} placeholder={tr(props.lang, Msg::NumberPlaceholder)} oninput={oninput} />
    }
}

fn date_box(props: &QuestionProps, emit: impl Fn(Option<AnswerValue>) + 'static) -> Html {
    let q = props.question.get();
    let current = match &props.answer {
        Some(AnswerValue::Text(date)) => date.clone(),
        _ => String::new(),
    };
    let onchange = Callback::from(move |e: Event| {
        let value = e.target_unchecked_into::<HtmlInputElement>().value();
        emit(if value.is_empty() { None } else { Some(AnswerValue::Text(value)) });
    });
    html! {
        <input type="date" class="date-input" id={format!("q-{}-input", q.id)} value={current}
            min={q.min_date.clone()} max={q.max_date.clone()}
            aria-labelledby={format!("q-{}-title", q.id)} onchange={onchange} />
    }
}

fn text_box(props: &QuestionProps, emit: impl Fn(Option<AnswerValue>) + 'static) -> Html {
    let q = props.question.get();
    let current = match &props.answer {
        Some(AnswerValue::Text(text)) => text.clone(),
        _ => String::new(),
    };
    let emit = std::rc::Rc::new(move |value: String| {
        emit(if value.trim().is_empty() { None } else { Some(AnswerValue::Text(value)) });
    });
    let max_length = q.max_length.map(|m| m.to_string());
    let input_id = format!("q-{}-input", q.id);
    let left = q.max_length.map(|max| {
        let used = current.chars().count() as i64;
        html! { <p class="counter">{ format!("{} {}", i64::from(max) - used, tr(props.lang, Msg::CharactersLeft)) }</p> }
    });
    let labelled_by = format!("q-{}-title", q.id);
    let field = if q.multiline {
        let emit = emit.clone();
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
