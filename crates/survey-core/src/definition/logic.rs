//! Skip logic and constraints of a survey, compiled once and evaluated incrementally.
//!
//! A question is relevant when its `relevant` expression is true, reading the other questions'
//! values, where the value of an irrelevant question counts as unanswered. Validation rejects
//! cycles, so the questions have a topological order and one pass in that order settles
//! everything. After one answer changes, only the questions that read it (and, transitively, the
//! questions whose relevance changed as a result) are evaluated again.

use crate::definition::expr::{self, Expr, Type, Value};
use crate::definition::{QuestionKind, Survey};
use crate::response::{Answer, AnswerValue};
use std::collections::{BTreeMap, BTreeSet};

/// The static type of a question's value in expressions; `None` when it cannot be read
/// (a `matrix` or a `note`).
pub fn value_type(kind: QuestionKind) -> Option<Type> {
    match kind {
        QuestionKind::Single | QuestionKind::Text | QuestionKind::Date => Some(Type::Str),
        QuestionKind::Multiple => Some(Type::List),
        QuestionKind::Scale | QuestionKind::Integer | QuestionKind::Decimal => Some(Type::Num),
        QuestionKind::YesNo => Some(Type::Bool),
        QuestionKind::Matrix | QuestionKind::Note => None,
    }
}

/// An answer as an expression value.
pub fn to_value(answer: &AnswerValue) -> Value {
    match answer {
        AnswerValue::Bool(b) => Value::Bool(*b),
        AnswerValue::Number(n) => Value::Num(*n as f64),
        AnswerValue::Decimal(x) => Value::Num(*x),
        AnswerValue::Text(s) => Value::Str(s.clone()),
        AnswerValue::List(items) => Value::List(items.clone()),
        AnswerValue::Rows(_) => Value::Null,
    }
}

/// The compiled logic of one survey.
#[derive(Debug, Clone)]
pub struct Logic {
    ids: Vec<String>,
    index: BTreeMap<String, usize>,
    relevance: Vec<Option<Expr>>,
    constraint: Vec<Option<Expr>>,
    /// For each question, the questions whose relevance reads it.
    readers: Vec<Vec<usize>>,
    /// Position in a topological order of the relevance graph.
    rank: Vec<usize>,
}

/// Which questions are relevant now, by question index (page order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relevance(pub Vec<bool>);

impl Logic {
    /// Compiles the expressions of a survey. Expressions that do not parse (validation reports
    /// them) count as absent, so this never fails.
    pub fn new(survey: &Survey) -> Logic {
        let questions: Vec<_> = survey.questions().map(|(_, q)| q).collect();
        let ids: Vec<String> = questions.iter().map(|q| q.id.clone()).collect();
        let index: BTreeMap<String, usize> = ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        let relevance: Vec<Option<Expr>> =
            questions.iter().map(|q| q.relevant.as_deref().and_then(|t| expr::parse(t).ok())).collect();
        let constraint: Vec<Option<Expr>> =
            questions.iter().map(|q| q.constraint.as_deref().and_then(|t| expr::parse(t).ok())).collect();
        let mut readers = vec![Vec::new(); ids.len()];
        for (reader, expr) in relevance.iter().enumerate() {
            let Some(expr) = expr else { continue };
            let read: BTreeSet<usize> = expr.references().into_iter().filter_map(|id| index.get(id).copied()).collect();
            for source in read {
                if source != reader {
                    readers[source].push(reader);
                }
            }
        }
        let rank = topological_rank(&readers);
        Logic { ids, index, relevance, constraint, readers, rank }
    }

    pub fn question_index(&self, question_id: &str) -> Option<usize> {
        self.index.get(question_id).copied()
    }

    fn value(&self, question_id: &str, answers: &BTreeMap<String, Answer>, relevance: &Relevance) -> Value {
        match self.question_index(question_id) {
            Some(idx) if relevance.0.get(idx).copied().unwrap_or(true) => {
                answers.get(question_id).map_or(Value::Null, |a| to_value(&a.value))
            }
            _ => Value::Null,
        }
    }

    fn evaluate_one(&self, idx: usize, answers: &BTreeMap<String, Answer>, relevance: &Relevance) -> bool {
        match &self.relevance[idx] {
            None => true,
            Some(expr) => {
                let lookup = |id: &str| self.value(id, answers, relevance);
                expr::evaluate(expr, &lookup, &Value::Null).is_true()
            }
        }
    }

    /// Evaluates every question's relevance from scratch.
    pub fn evaluate_all(&self, answers: &BTreeMap<String, Answer>) -> Relevance {
        let mut relevance = Relevance(vec![true; self.ids.len()]);
        let mut order: Vec<usize> = (0..self.ids.len()).collect();
        order.sort_by_key(|&idx| self.rank[idx]);
        for idx in order {
            relevance.0[idx] = self.evaluate_one(idx, answers, &relevance);
        }
        relevance
    }

    /// Updates `relevance` after the answer to `changed` was set or cleared, evaluating only what
    /// depends on it. Returns the number of expressions evaluated (for benchmarks and tests).
    pub fn update(&self, relevance: &mut Relevance, answers: &BTreeMap<String, Answer>, changed: &str) -> usize {
        let Some(start) = self.question_index(changed) else { return 0 };
        // Worklist ordered by topological rank, so each question is evaluated after everything
        // its relevance reads, and at most once.
        let mut pending: BTreeSet<(usize, usize)> = self.readers[start].iter().map(|&r| (self.rank[r], r)).collect();
        let mut done = BTreeSet::new();
        let mut evaluated = 0;
        while let Some((_, idx)) = pending.pop_first() {
            if !done.insert(idx) {
                continue;
            }
            evaluated += 1;
            let now = self.evaluate_one(idx, answers, relevance);
            if now != relevance.0[idx] {
                relevance.0[idx] = now;
                // Its value appears or disappears for the questions that read it.
                pending.extend(self.readers[idx].iter().filter(|r| !done.contains(*r)).map(|&r| (self.rank[r], r)));
            }
        }
        evaluated
    }

    /// Whether the answer to `question_id` satisfies its constraint (true when there is no
    /// constraint or no answer: an empty answer is the business of `required`).
    pub fn constraint_holds(
        &self,
        question_id: &str,
        answers: &BTreeMap<String, Answer>,
        relevance: &Relevance,
    ) -> bool {
        let Some(idx) = self.question_index(question_id) else { return true };
        let (Some(expr), Some(answer)) = (&self.constraint[idx], answers.get(question_id)) else { return true };
        let own = to_value(&answer.value);
        let lookup = |id: &str| self.value(id, answers, relevance);
        expr::evaluate(expr, &lookup, &own).is_true()
    }

    /// Whether the question is relevant.
    pub fn is_relevant(&self, question_id: &str, relevance: &Relevance) -> bool {
        self.question_index(question_id).and_then(|idx| relevance.0.get(idx).copied()).unwrap_or(false)
    }
}

/// A topological rank for the graph `source -> readers`. Nodes on a cycle (which validation
/// rejects) are ranked after the rest in page order, so evaluation still terminates.
fn topological_rank(readers: &[Vec<usize>]) -> Vec<usize> {
    let n = readers.len();
    let mut indegree = vec![0usize; n];
    for targets in readers {
        for &t in targets {
            indegree[t] += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut rank = vec![usize::MAX; n];
    let mut next = 0;
    while let Some(node) = ready.pop_first() {
        rank[node] = next;
        next += 1;
        for &t in &readers[node] {
            indegree[t] -= 1;
            if indegree[t] == 0 {
                ready.insert(t);
            }
        }
    }
    for r in rank.iter_mut().filter(|r| **r == usize::MAX) {
        *r = next;
        next += 1;
    }
    rank
}

/// Finds the cycles of the relevance graph, each as a list of question indices, for validation.
pub fn relevance_cycles(survey: &Survey) -> Vec<Vec<usize>> {
    let logic = Logic::new(survey);
    let n = logic.ids.len();
    // Tarjan's strongly connected components; a component with more than one node is a cycle.
    struct Tarjan<'a> {
        graph: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        components: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.counter);
            self.low[v] = self.counter;
            self.counter += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.graph[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(w_index) if self.on_stack[w] => self.low[v] = self.low[v].min(w_index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort_unstable();
                    self.components.push(component);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        graph: &logic.readers,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for v in 0..n {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    tarjan.components.sort();
    tarjan.components
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::validate::load_survey;

    fn survey(questions: &str) -> Survey {
        let text = format!(
            r#"{{"format": "survey/1", "id": "s", "version": "1", "title": {{"en": "S"}}, "languages": ["en"],
               "sections": [{{"id": "a", "title": {{"en": "A"}}, "questions": [{questions}]}}]}}"#
        );
        let loaded = load_survey(&text);
        loaded.survey.unwrap_or_else(|| panic!("{:#?}", loaded.diagnostics))
    }

    fn answer(value: AnswerValue) -> Answer {
        Answer { value, at: 0, changes: 0 }
    }

    const CHAIN: &str = r#"
        {"id": "lives_here", "kind": "yes_no", "title": {"en": "Lives here?"}},
        {"id": "years", "kind": "integer", "min": 0, "max": 100, "relevant": "${lives_here}", "title": {"en": "Years"}},
        {"id": "old_timer", "kind": "note", "relevant": "${years} >= 10", "title": {"en": "Thanks, long-time resident"}},
        {"id": "other", "kind": "text", "title": {"en": "Other"}}"#;

    #[test]
    fn irrelevance_propagates_through_a_chain() {
        let survey = survey(CHAIN);
        let logic = Logic::new(&survey);
        let mut answers = BTreeMap::new();
        answers.insert("years".to_owned(), answer(AnswerValue::Number(20)));
        let mut relevance = logic.evaluate_all(&answers);
        assert_eq!(relevance.0, vec![true, false, false, true], "years hidden, so its 20 does not count");

        answers.insert("lives_here".to_owned(), answer(AnswerValue::Bool(true)));
        let evaluated = logic.update(&mut relevance, &answers, "lives_here");
        assert_eq!(relevance.0, vec![true, true, true, true]);
        assert_eq!(evaluated, 2, "only years and old_timer are re-evaluated");
        assert_eq!(relevance, logic.evaluate_all(&answers), "incremental equals full");

        let evaluated = logic.update(&mut relevance, &answers, "other");
        assert_eq!(evaluated, 0, "nothing reads `other`");
    }

    #[test]
    fn constraints_read_their_own_value() {
        let survey = survey(
            r#"{"id": "age", "kind": "integer", "constraint": ". >= 18 and . <= 120", "title": {"en": "Age"},
                "constraint_message": {"en": "Adults only"}}"#,
        );
        let logic = Logic::new(&survey);
        let mut answers = BTreeMap::new();
        let relevance = logic.evaluate_all(&answers);
        assert!(logic.constraint_holds("age", &answers, &relevance), "no answer, nothing to check");
        answers.insert("age".to_owned(), answer(AnswerValue::Number(12)));
        assert!(!logic.constraint_holds("age", &answers, &relevance));
        answers.insert("age".to_owned(), answer(AnswerValue::Number(40)));
        assert!(logic.constraint_holds("age", &answers, &relevance));
    }

    #[test]
    fn topological_rank_orders_sources_first() {
        // 2 reads 0, 1 reads 2.
        let rank = topological_rank(&[vec![2], vec![], vec![1]]);
        assert!(rank[0] < rank[2] && rank[2] < rank[1], "{rank:?}");
    }
}
