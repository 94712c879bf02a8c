//! A survey shown a page at a time, as on the tablet: one page per section with its relevant
//! questions only, pages with nothing relevant skipped, and questions numbered through the whole
//! survey. Pure helpers plus [`SectionQuestions`], the questions of one page, so the field app's
//! fill page and a department's preview of a survey show the same thing.

use crate::ui::i18n::Lang;
use crate::ui::question::QuestionView;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use survey_core::{AnswerValue, Logic, Problem, QuestionKind, Relevance, Section, Survey};
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

#[derive(Properties, PartialEq)]
pub struct SectionQuestionsProps {
    pub survey: Rc<Survey>,
    /// The section shown (an index into `survey.sections`).
    pub page: usize,
    /// The ids of the questions that are relevant now; the others are not shown.
    pub relevant: Rc<BTreeSet<String>>,
    pub numbers: Rc<BTreeMap<String, usize>>,
    pub answers: Rc<BTreeMap<String, AnswerValue>>,
    pub lang: Lang,
    /// Questions highlighted as missing after an attempt to finish.
    #[prop_or_default]
    pub missing: Rc<BTreeSet<String>>,
    /// What is wrong with the answers given, by question id.
    #[prop_or_default]
    pub problems: Rc<BTreeMap<String, Problem>>,
    pub on_answer: Callback<(String, Option<AnswerValue>)>,
}

/// The relevant questions of one section, each with its input, answer and problem.
#[component]
pub fn SectionQuestions(props: &SectionQuestionsProps) -> Html {
    let Some(section): Option<&Section> = props.survey.sections.get(props.page) else { return Html::default() };
    section
        .questions
        .iter()
        .filter(|q| props.relevant.contains(&q.id))
        .map(|question| {
            html! {
                <QuestionView
                    key={question.id.clone()}
                    question={question.clone()}
                    number={props.numbers.get(&question.id).copied()}
                    answer={props.answers.get(&question.id).cloned()}
                    lang={props.lang}
                    languages={props.survey.languages.clone()}
                    missing={props.missing.contains(&question.id)}
                    problem={props.problems.get(&question.id).cloned()}
                    on_answer={props.on_answer.clone()}
                />
            }
        })
        .collect()
}
