//! A survey shown a page at a time, as on the tablet: one page per section with its relevant
//! questions only, pages with nothing relevant skipped, and questions numbered through the whole
//! survey. Pure helpers plus [`section_questions`], the questions of one page, so the field app's
//! fill page and a department's preview of a survey show the same thing.

use crate::ui::i18n::Lang;
use crate::ui::question::{QuestionRef, QuestionView};
use std::collections::BTreeMap;
use std::rc::Rc;
use survey_core::{Answer, AnswerValue, Logic, Problem, QuestionKind, Relevance, Section, Survey};
use yew::prelude::*;

/// Whether a page has at least one relevant question (pages with none are skipped).
pub fn page_is_shown(survey: &Survey, logic: &Logic, relevance: &Relevance, page: usize) -> bool {
    survey
        .sections
        .get(page)
        .is_some_and(|section| section.questions.iter().any(|q| logic.is_relevant(&q.id, relevance)))
}

/// The next shown page after `page`, forward or back, if any.
pub fn neighbour_page(
    survey: &Survey,
    logic: &Logic,
    relevance: &Relevance,
    page: usize,
    forward: bool,
) -> Option<usize> {
    let shown = |p: &usize| page_is_shown(survey, logic, relevance, *p);
    if forward {
        (page + 1..survey.sections.len()).find(shown)
    } else {
        (0..page).rev().find(shown)
    }
}

/// The visible number of each question: counted through the whole survey, notes excepted, so
/// that a number read out in an interview always means the same question.
pub fn question_numbers(survey: &Survey) -> BTreeMap<String, usize> {
    let mut numbers = BTreeMap::new();
    for (_, question) in survey.questions().filter(|(_, q)| q.kind != QuestionKind::Note) {
        let next = numbers.len() + 1;
        numbers.insert(question.id.clone(), next);
    }
    numbers
}

/// What one page of questions shows: borrowed, since it is rendered inside the page component
/// that owns the response (a component of its own would cost the field wasm a few KB).
pub struct SectionQuestions<'a> {
    pub survey: &'a Rc<Survey>,
    /// The section shown (an index into `survey.sections`).
    pub page: usize,
    pub logic: &'a Logic,
    pub relevance: &'a Relevance,
    pub numbers: &'a BTreeMap<String, usize>,
    pub answers: &'a BTreeMap<String, Answer>,
    pub lang: Lang,
    /// Questions highlighted as missing after an attempt to finish.
    pub missing: &'a [String],
    /// What is wrong with the answers given, by question id.
    pub problems: &'a BTreeMap<String, Problem>,
    /// The same callback on every render (a hook's), or every question would render again.
    pub on_answer: &'a Callback<(String, Option<AnswerValue>)>,
}

/// The relevant questions of one section, each with its input, answer and problem.
pub fn section_questions(view: &SectionQuestions<'_>) -> Html {
    let Some(section): Option<&Section> = view.survey.sections.get(view.page) else { return Html::default() };
    section
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| view.logic.is_relevant(&q.id, view.relevance))
        .filter_map(|(index, question)| Some((QuestionRef::new(view.survey, view.page, index)?, question)))
        .map(|(reference, question)| {
            html! {
                <QuestionView
                    key={question.id.clone()}
                    question={reference}
                    number={view.numbers.get(&question.id).copied()}
                    answer={view.answers.get(&question.id).map(|a| a.value.clone())}
                    lang={view.lang}
                    missing={view.missing.contains(&question.id)}
                    problem={view.problems.get(&question.id).cloned()}
                    on_answer={view.on_answer.clone()}
                />
            }
        })
        .collect()
}
