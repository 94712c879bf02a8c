//! The expression language of relevance and constraints (XLSForm-like, small, no eval).
//!
//! Grammar, lowest precedence first:
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := eq ("and" eq)*
//! eq      := cmp (("=" | "!=") cmp)*
//! cmp     := add (("<" | "<=" | ">" | ">=") add)*
//! add     := mul (("+" | "-") mul)*
//! mul     := unary (("*" | "div" | "mod") unary)*
//! unary   := "-" unary | primary
//! primary := NUMBER | STRING | "${" ID "}" | "." | FUNC "(" args ")" | "(" expr ")"
//! ```
//! Functions: `selected(${q}, 'x')`, `count-selected(${q})`, `if(c, a, b)`, `string-length(s)`,
//! `not(b)`, `true()`, `false()`. Strings are quoted with `'` or `"`; the quote is doubled to
//! appear inside. Errors carry the character offset where they were found.

use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    /// `${id}`: the value of another question.
    Ref(String),
    /// `.`: the question's own value (constraints only).
    SelfRef,
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "div",
            BinOp::Mod => "mod",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Selected,
    CountSelected,
    If,
    StringLength,
    Not,
    True,
    False,
}

impl Func {
    pub const ALL: [Func; 7] =
        [Func::Selected, Func::CountSelected, Func::If, Func::StringLength, Func::Not, Func::True, Func::False];

    pub fn name(self) -> &'static str {
        match self {
            Func::Selected => "selected",
            Func::CountSelected => "count-selected",
            Func::If => "if",
            Func::StringLength => "string-length",
            Func::Not => "not",
            Func::True => "true",
            Func::False => "false",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            Func::Selected => 2,
            Func::CountSelected | Func::StringLength | Func::Not => 1,
            Func::If => 3,
            Func::True | Func::False => 0,
        }
    }

    fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A syntax error at a character offset of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Zero-based character offset.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.offset + 1, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Str(String),
    Ref(String),
    Ident(String),
    Dot,
    LParen,
    RParen,
    Comma,
    Op(&'static str),
    End,
}

fn describe(token: &Token) -> String {
    match token {
        Token::Num(n) => format!("number {n}"),
        Token::Str(_) => "a string".to_owned(),
        Token::Ref(id) => format!("${{{id}}}"),
        Token::Ident(name) => format!("`{name}`"),
        Token::Dot => "`.`".to_owned(),
        Token::LParen => "`(`".to_owned(),
        Token::RParen => "`)`".to_owned(),
        Token::Comma => "`,`".to_owned(),
        Token::Op(op) => format!("`{op}`"),
        Token::End => "the end of the expression".to_owned(),
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let err = |offset: usize, message: String| Err(ParseError { offset, message });
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' => tokens.push((start, Token::LParen)),
            ')' => tokens.push((start, Token::RParen)),
            ',' => tokens.push((start, Token::Comma)),
            '+' => tokens.push((start, Token::Op("+"))),
            '-' => tokens.push((start, Token::Op("-"))),
            '*' => tokens.push((start, Token::Op("*"))),
            '=' => tokens.push((start, Token::Op("="))),
            '!' if chars.get(i + 1) == Some(&'=') => {
                i += 1;
                tokens.push((start, Token::Op("!=")));
            }
            '<' | '>' => {
                let with_eq = chars.get(i + 1) == Some(&'=');
                let op = match (c, with_eq) {
                    ('<', true) => "<=",
                    ('<', false) => "<",
                    (_, true) => ">=",
                    (_, false) => ">",
                };
                if with_eq {
                    i += 1;
                }
                tokens.push((start, Token::Op(op)));
            }
            '\'' | '"' => {
                let quote = c;
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return err(start, "unterminated string".to_owned()),
                        Some(&ch) if ch == quote => {
                            if chars.get(i + 1) == Some(&quote) {
                                value.push(quote);
                                i += 2;
                            } else {
                                break;
                            }
                        }
                        Some(&ch) => {
                            value.push(ch);
                            i += 1;
                        }
                    }
                }
                tokens.push((start, Token::Str(value)));
            }
            '$' => {
                if chars.get(i + 1) != Some(&'{') {
                    return err(start, "expected `{` after `$` (references are written ${question_id})".to_owned());
                }
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '}' {
                    j += 1;
                }
                if j >= chars.len() {
                    return err(start, "unterminated reference: missing `}`".to_owned());
                }
                let id: String = chars[i + 2..j].iter().collect();
                let well_formed = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !well_formed {
                    return err(i + 2, format!("`{id}` is not a question id"));
                }
                i = j;
                tokens.push((start, Token::Ref(id)));
            }
            '.' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => tokens.push((start, Token::Dot)),
            c if c.is_ascii_digit() || c == '.' => {
                let mut j = i;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j < chars.len() && chars[j] == '.' {
                    j += 1;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                }
                let literal: String = chars[i..j].iter().collect();
                let value: f64 = literal
                    .parse()
                    .map_err(|_| ParseError { offset: start, message: format!("`{literal}` is not a number") })?;
                if !value.is_finite() {
                    return err(start, format!("`{literal}` is too large"));
                }
                i = j - 1;
                tokens.push((start, Token::Num(value)));
            }
            c if c.is_ascii_alphabetic() => {
                let mut j = i;
                while j < chars.len() && is_ident_char(chars[j]) {
                    j += 1;
                }
                let name: String = chars[i..j].iter().collect();
                i = j - 1;
                tokens.push((start, Token::Ident(name)));
            }
            other => return err(start, format!("unexpected character `{other}`")),
        }
        i += 1;
    }
    tokens.push((chars.len(), Token::End));
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos].1
    }

    fn offset(&self) -> usize {
        self.tokens[self.pos].0
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.pos].1.clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn error<T>(&self, message: String) -> Result<T, ParseError> {
        Err(ParseError { offset: self.offset(), message })
    }

    fn expect(&mut self, wanted: &Token, what: &str) -> Result<(), ParseError> {
        if self.peek() == wanted {
            self.advance();
            Ok(())
        } else {
            self.error(format!("expected {what}, found {}", describe(self.peek())))
        }
    }

    /// The binary operator at the cursor if it belongs to `level`.
    fn binary_at(&self, level: &[BinOp]) -> Option<BinOp> {
        let op = match self.peek() {
            Token::Op(symbol) => level.iter().copied().find(|op| op.symbol() == *symbol),
            Token::Ident(word) => level.iter().copied().find(|op| op.symbol() == word),
            _ => None,
        };
        op
    }

    fn level(&mut self, depth: usize) -> Result<Expr, ParseError> {
        const LEVELS: [&[BinOp]; 6] = [
            &[BinOp::Or],
            &[BinOp::And],
            &[BinOp::Eq, BinOp::Ne],
            &[BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge],
            &[BinOp::Add, BinOp::Sub],
            &[BinOp::Mul, BinOp::Div, BinOp::Mod],
        ];
        if depth == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.level(depth + 1)?;
        while let Some(op) = self.binary_at(LEVELS[depth]) {
            self.advance();
            let right = self.level(depth + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == &Token::Op("-") {
            self.advance();
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let offset = self.offset();
        match self.advance() {
            Token::Num(value) => Ok(Expr::Num(value)),
            Token::Str(value) => Ok(Expr::Str(value)),
            Token::Ref(id) => Ok(Expr::Ref(id)),
            Token::Dot => Ok(Expr::SelfRef),
            Token::LParen => {
                let inner = self.level(0)?;
                self.expect(&Token::RParen, "`)`")?;
                Ok(inner)
            }
            Token::Ident(name) => {
                let Some(func) = Func::from_name(&name) else {
                    let hint = if matches!(name.as_str(), "and" | "or" | "div" | "mod") {
                        format!("`{name}` needs a value on its left")
                    } else {
                        format!("unknown function or word `{name}` (references are written ${{{name}}})")
                    };
                    return Err(ParseError { offset, message: hint });
                };
                self.expect(&Token::LParen, &format!("`(` after `{name}`"))?;
                let mut args = Vec::new();
                if self.peek() != &Token::RParen {
                    loop {
                        args.push(self.level(0)?);
                        if self.peek() == &Token::Comma {
                            self.advance();
                        } else {
                            break;
                        }
                    }
                }
                self.expect(&Token::RParen, "`,` or `)`")?;
                if args.len() != func.arity() {
                    return Err(ParseError {
                        offset,
                        message: format!("`{name}` takes {} argument(s), not {}", func.arity(), args.len()),
                    });
                }
                Ok(Expr::Call(func, args))
            }
            token => Err(ParseError { offset, message: format!("expected a value, found {}", describe(&token)) }),
        }
    }
}

/// Parses an expression.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, pos: 0 };
    if parser.peek() == &Token::End {
        return parser.error("the expression is empty".to_owned());
    }
    let expr = parser.level(0)?;
    if parser.peek() != &Token::End {
        return parser.error(format!("unexpected {} after a complete expression", describe(parser.peek())));
    }
    Ok(expr)
}

impl fmt::Display for Expr {
    /// Prints a form that parses back to the same tree: binary operations are parenthesised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(value) => write!(f, "{value}"),
            Expr::Str(value) => {
                let quote = if value.contains('\'') && !value.contains('"') { '"' } else { '\'' };
                let doubled = format!("{quote}{quote}");
                write!(f, "{quote}{}{quote}", value.replace(quote, &doubled))
            }
            Expr::Ref(id) => write!(f, "${{{id}}}"),
            Expr::SelfRef => write!(f, "."),
            Expr::Neg(inner) => write!(f, "-{inner}"),
            Expr::Binary(op, left, right) => write!(f, "({left} {} {right})", op.symbol()),
            Expr::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                for (idx, arg) in args.iter().enumerate() {
                    if idx > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                write!(f, ")")
            }
        }
    }
}

impl Expr {
    /// Ids of the questions this expression reads, in order of appearance (with repeats).
    pub fn references(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |expr| {
            if let Expr::Ref(id) = expr {
                out.push(id.as_str());
            }
        });
        out
    }

    /// Whether `.` appears.
    pub fn uses_self(&self) -> bool {
        let mut found = false;
        self.walk(&mut |expr| found |= matches!(expr, Expr::SelfRef));
        found
    }

    fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::Neg(inner) => inner.walk(visit),
            Expr::Binary(_, left, right) => {
                left.walk(visit);
                right.walk(visit);
            }
            Expr::Call(_, args) => args.iter().for_each(|arg| arg.walk(visit)),
            Expr::Num(_) | Expr::Str(_) | Expr::Ref(_) | Expr::SelfRef => {}
        }
    }
}

/// Static types of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Num,
    Str,
    Bool,
    /// The selections of a `multiple` question.
    List,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Num => "number",
            Type::Str => "text",
            Type::Bool => "yes/no",
            Type::List => "selection list",
        }
    }
}

/// A type error found by [`check_types`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    pub message: String,
}

/// Infers the type of `expr`. `lookup` gives the type of a referenced question (`None`: unknown
/// or not readable, reported by the caller); `self_type` is the type of `.` if allowed.
pub fn check_types(
    expr: &Expr,
    lookup: &dyn Fn(&str) -> Option<Type>,
    self_type: Option<Type>,
) -> Result<Type, TypeError> {
    let fail = |message: String| Err(TypeError { message });
    match expr {
        Expr::Num(_) => Ok(Type::Num),
        Expr::Str(_) => Ok(Type::Str),
        Expr::Ref(id) => lookup(id).map_or_else(|| fail(format!("${{{id}}} cannot be read here")), Ok),
        Expr::SelfRef => self_type.map_or_else(|| fail("`.` is only allowed in a constraint".to_owned()), Ok),
        Expr::Neg(inner) => match check_types(inner, lookup, self_type)? {
            Type::Num => Ok(Type::Num),
            other => fail(format!("`-` needs a number, not {}", other.name())),
        },
        Expr::Binary(op, left, right) => {
            let l = check_types(left, lookup, self_type)?;
            let r = check_types(right, lookup, self_type)?;
            match op {
                BinOp::And | BinOp::Or => {
                    if l == Type::Bool && r == Type::Bool {
                        Ok(Type::Bool)
                    } else {
                        fail(format!(
                            "`{}` needs yes/no values on both sides, not {} and {}",
                            op.symbol(),
                            l.name(),
                            r.name()
                        ))
                    }
                }
                BinOp::Eq | BinOp::Ne => {
                    if l == Type::List || r == Type::List {
                        fail(format!("`{}` cannot compare a selection list; use selected(...)", op.symbol()))
                    } else if l == r {
                        Ok(Type::Bool)
                    } else {
                        fail(format!("`{}` compares {} with {}", op.symbol(), l.name(), r.name()))
                    }
                }
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    if l == r && matches!(l, Type::Num | Type::Str) {
                        Ok(Type::Bool)
                    } else {
                        fail(format!(
                            "`{}` needs two numbers or two texts, not {} and {}",
                            op.symbol(),
                            l.name(),
                            r.name()
                        ))
                    }
                }
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                    if l == Type::Num && r == Type::Num {
                        Ok(Type::Num)
                    } else {
                        fail(format!("`{}` needs numbers, not {} and {}", op.symbol(), l.name(), r.name()))
                    }
                }
            }
        }
        Expr::Call(func, args) if args.len() != func.arity() => {
            fail(format!("`{}` takes {} argument(s), not {}", func.name(), func.arity(), args.len()))
        }
        Expr::Call(func, args) => {
            let types: Vec<Type> =
                args.iter().map(|arg| check_types(arg, lookup, self_type)).collect::<Result<_, _>>()?;
            match func {
                Func::Selected => {
                    if !matches!(args.first(), Some(Expr::Ref(_) | Expr::SelfRef)) {
                        return fail("the first argument of selected() must be a question, e.g. ${q}".to_owned());
                    }
                    if !matches!(types[0], Type::List | Type::Str) || types[1] != Type::Str {
                        return fail(format!(
                            "selected() needs a choice question and a choice value, not {} and {}",
                            types[0].name(),
                            types[1].name()
                        ));
                    }
                    Ok(Type::Bool)
                }
                Func::CountSelected => {
                    if types[0] == Type::List {
                        Ok(Type::Num)
                    } else {
                        fail(format!("count-selected() needs a multiple-choice question, not {}", types[0].name()))
                    }
                }
                Func::If => {
                    if types[0] != Type::Bool {
                        fail(format!("the condition of if() must be yes/no, not {}", types[0].name()))
                    } else if types[1] != types[2] {
                        fail(format!("the two branches of if() differ: {} and {}", types[1].name(), types[2].name()))
                    } else {
                        Ok(types[1])
                    }
                }
                Func::StringLength => {
                    if types[0] == Type::Str {
                        Ok(Type::Num)
                    } else {
                        fail(format!("string-length() needs text, not {}", types[0].name()))
                    }
                }
                Func::Not => {
                    if types[0] == Type::Bool {
                        Ok(Type::Bool)
                    } else {
                        fail(format!("not() needs a yes/no value, not {}", types[0].name()))
                    }
                }
                Func::True | Func::False => Ok(Type::Bool),
            }
        }
    }
}

/// A runtime value. `Null` is an unanswered or irrelevant question.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<String>),
}

impl Value {
    /// Truthiness for conditions: only a true yes/no is true.
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// Evaluates `expr`. `lookup` gives the current value of a question (Null when unanswered or
/// irrelevant); `own` is the value of `.`. Never panics: ill-typed input (which validation
/// rejects) evaluates to `Null`.
pub fn evaluate(expr: &Expr, lookup: &dyn Fn(&str) -> Value, own: &Value) -> Value {
    match expr {
        Expr::Num(n) => Value::Num(*n),
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::Ref(id) => lookup(id),
        Expr::SelfRef => own.clone(),
        Expr::Neg(inner) => evaluate(inner, lookup, own).as_num().map_or(Value::Null, |n| Value::Num(-n)),
        Expr::Binary(op, left, right) => {
            let l = evaluate(left, lookup, own);
            // `and`/`or` short-circuit so that a guard like `${a} != '' and ${a} > 3` is cheap.
            match op {
                BinOp::And => return Value::Bool(l.is_true() && evaluate(right, lookup, own).is_true()),
                BinOp::Or => return Value::Bool(l.is_true() || evaluate(right, lookup, own).is_true()),
                _ => {}
            }
            let r = evaluate(right, lookup, own);
            binary(*op, &l, &r)
        }
        Expr::Call(func, args) => {
            let arg = |idx: usize| args.get(idx).map_or(Value::Null, |a| evaluate(a, lookup, own));
            match func {
                Func::Selected => {
                    let wanted = match arg(1) {
                        Value::Str(s) => s,
                        _ => return Value::Bool(false),
                    };
                    Value::Bool(match arg(0) {
                        Value::List(items) => items.contains(&wanted),
                        Value::Str(s) => s == wanted,
                        _ => false,
                    })
                }
                Func::CountSelected => match arg(0) {
                    Value::List(items) => Value::Num(items.len() as f64),
                    _ => Value::Num(0.0),
                },
                Func::If => {
                    if arg(0).is_true() {
                        arg(1)
                    } else {
                        arg(2)
                    }
                }
                Func::StringLength => match arg(0) {
                    Value::Str(s) => Value::Num(s.chars().count() as f64),
                    _ => Value::Num(0.0),
                },
                Func::Not => Value::Bool(!arg(0).is_true()),
                Func::True => Value::Bool(true),
                Func::False => Value::Bool(false),
            }
        }
    }
}

fn binary(op: BinOp, l: &Value, r: &Value) -> Value {
    use std::cmp::Ordering;
    // An unanswered question equals the empty string, as in XLSForm (`${q} = ''`).
    let equal = |l: &Value, r: &Value| match (l, r) {
        (Value::Null, Value::Null) => true,
        (Value::Null, Value::Str(s)) | (Value::Str(s), Value::Null) => s.is_empty(),
        (Value::Num(a), Value::Num(b)) => a == b,
        (a, b) => a == b,
    };
    let order = |l: &Value, r: &Value| -> Option<Ordering> {
        match (l, r) {
            (Value::Num(a), Value::Num(b)) => a.partial_cmp(b),
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            _ => None,
        }
    };
    let arith = |f: fn(f64, f64) -> f64| match (l.as_num(), r.as_num()) {
        (Some(a), Some(b)) => {
            let result = f(a, b);
            if result.is_finite() {
                Value::Num(result)
            } else {
                Value::Null
            }
        }
        _ => Value::Null,
    };
    match op {
        BinOp::Eq => Value::Bool(equal(l, r)),
        BinOp::Ne => Value::Bool(!equal(l, r)),
        BinOp::Lt => Value::Bool(order(l, r) == Some(Ordering::Less)),
        BinOp::Le => Value::Bool(matches!(order(l, r), Some(Ordering::Less | Ordering::Equal))),
        BinOp::Gt => Value::Bool(order(l, r) == Some(Ordering::Greater)),
        BinOp::Ge => Value::Bool(matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal))),
        BinOp::Add => arith(|a, b| a + b),
        BinOp::Sub => arith(|a, b| a - b),
        BinOp::Mul => arith(|a, b| a * b),
        BinOp::Div => arith(|a, b| a / b),
        BinOp::Mod => arith(|a, b| a % b),
        BinOp::And => Value::Bool(l.is_true() && r.is_true()),
        BinOp::Or => Value::Bool(l.is_true() || r.is_true()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eval_str(text: &str, values: &[(&str, Value)]) -> Value {
        let expr = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let lookup = |id: &str| values.iter().find(|(k, _)| *k == id).map_or(Value::Null, |(_, v)| v.clone());
        evaluate(&expr, &lookup, &Value::Null)
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert_eq!(parse("1 + 2 * 3").unwrap().to_string(), "(1 + (2 * 3))");
        assert_eq!(
            parse("${a} = 1 or ${b} > 2 and ${c} != 'x'").unwrap().to_string(),
            "((${a} = 1) or ((${b} > 2) and (${c} != 'x')))"
        );
        assert_eq!(parse("-(1 - 2) div 4 mod 3").unwrap().to_string(), "((-(1 - 2) div 4) mod 3)");
    }

    #[test]
    fn errors_point_at_the_character() {
        let cases = [
            ("${a} = ", 7, "expected a value"),
            ("${a} == 1", 6, "expected a value"),
            ("selected(${a})", 0, "takes 2 argument"),
            ("${a b} = 1", 2, "is not a question id"),
            ("'open", 0, "unterminated string"),
            ("${a} = 1 )", 9, "unexpected `)`"),
            ("foo(1)", 0, "unknown function"),
            ("1 # 2", 2, "unexpected character"),
            ("", 0, "empty"),
            ("and 1", 0, "needs a value on its left"),
        ];
        for (text, offset, message) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.offset, offset, "{text}: {err}");
            assert!(err.message.contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn evaluates_like_xlsform() {
        let list = Value::List(vec!["a".into(), "c".into()]);
        assert_eq!(eval_str("selected(${m}, 'c')", &[("m", list.clone())]), Value::Bool(true));
        assert_eq!(eval_str("count-selected(${m}) >= 2", &[("m", list)]), Value::Bool(true));
        assert_eq!(eval_str("${q} = ''", &[]), Value::Bool(true), "unanswered equals empty");
        assert_eq!(eval_str("${q} > 3", &[]), Value::Bool(false), "unanswered is not greater");
        assert_eq!(eval_str("if(${y}, 'yes', 'no')", &[("y", Value::Bool(true))]), Value::Str("yes".into()));
        assert_eq!(eval_str("string-length(${t}) * 2", &[("t", Value::Str("满意度".into()))]), Value::Num(6.0));
        assert_eq!(eval_str("not(${a} = 1) and true()", &[("a", Value::Num(2.0))]), Value::Bool(true));
        assert_eq!(eval_str("1 div 0", &[]), Value::Null, "no infinities");
        assert_eq!(eval_str("'it''s' = \"it's\"", &[]), Value::Bool(true));
        let own = parse(". >= 0 and . <= 120").unwrap();
        assert!(evaluate(&own, &|_| Value::Null, &Value::Num(35.0)).is_true());
        assert!(!evaluate(&own, &|_| Value::Null, &Value::Num(130.0)).is_true());
    }

    #[test]
    fn type_errors_are_found_statically() {
        let lookup = |id: &str| match id {
            "n" => Some(Type::Num),
            "s" => Some(Type::Str),
            "m" => Some(Type::List),
            "y" => Some(Type::Bool),
            _ => None,
        };
        let check = |text: &str| check_types(&parse(text).unwrap(), &lookup, None);
        assert_eq!(check("${n} > 3 and selected(${m}, 'a')"), Ok(Type::Bool));
        assert_eq!(check("${y} and not(${y})"), Ok(Type::Bool));
        for bad in [
            "${n} = 'x'",
            "${s} + 1",
            "${m} = 'a'",
            "count-selected(${s})",
            "${n} and ${y}",
            "if(${n}, 1, 2)",
            "selected('a', 'a')",
            ". = 1",
            "${zz} = 1",
        ] {
            assert!(check(bad).is_err(), "{bad} should not type-check");
        }
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            (0u32..1000).prop_map(|n| Expr::Num(f64::from(n) / 4.0)),
            "[a-z '\"]{0,6}"
                .prop_filter("one quote kind", |s| !(s.contains('\'') && s.contains('"')))
                .prop_map(Expr::Str),
            "[a-z][a-z0-9_]{0,5}".prop_map(Expr::Ref),
            Just(Expr::SelfRef),
            Just(Expr::Call(Func::True, vec![])),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            let ops = prop::sample::select(vec![
                BinOp::Or,
                BinOp::And,
                BinOp::Eq,
                BinOp::Ne,
                BinOp::Lt,
                BinOp::Le,
                BinOp::Gt,
                BinOp::Ge,
                BinOp::Add,
                BinOp::Sub,
                BinOp::Mul,
                BinOp::Div,
                BinOp::Mod,
            ]);
            prop_oneof![
                (ops, inner.clone(), inner.clone()).prop_map(|(op, l, r)| Expr::Binary(op, Box::new(l), Box::new(r))),
                inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
                (inner.clone(), "[a-z]{1,3}").prop_map(|(e, s)| Expr::Call(Func::Selected, vec![e, Expr::Str(s)])),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| Expr::Call(Func::If, vec![a, b, c])),
                inner.clone().prop_map(|e| Expr::Call(Func::Not, vec![e])),
                inner.prop_map(|e| Expr::Call(Func::CountSelected, vec![e])),
            ]
        })
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_tree(expr in arb_expr()) {
            let printed = expr.to_string();
            prop_assert_eq!(parse(&printed).map_err(|e| format!("{printed}: {e}")), Ok(expr));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(text in "\\PC{0,40}") {
            let _ = parse(&text);
        }
    }
}
