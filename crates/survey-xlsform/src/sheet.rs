//! A workbook's sheets as text cells, with the spreadsheet's own row numbers (header = row 1):
//! numbers read without a trailing `.0`, booleans as `true`/`false`, empty trailing rows gone.

use calamine::{Data, Reader};
use std::io::Cursor;

/// A header cell: its text as written, and the lower-case key it is matched by.
#[derive(Debug, Clone)]
pub struct Column {
    pub original: String,
    pub key: String,
}

impl Column {
    fn new(text: &str) -> Column {
        let mut original = text.trim().to_owned();
        // Legacy spellings old forms still use: `bind:relevant` for `relevant`, `label:english`
        // (one colon) for `label::english`, `list name` for `list_name`.
        for prefix in ["bind::", "bind:"] {
            if original.len() > prefix.len() && original[..prefix.len()].eq_ignore_ascii_case(prefix) {
                original = original[prefix.len()..].to_owned();
            }
        }
        for base in ["label", "hint", "constraint_message", "constraint message"] {
            let one = format!("{base}:");
            if original.len() > one.len()
                && original[..one.len()].eq_ignore_ascii_case(&one)
                && !original[one.len()..].starts_with(':')
            {
                original = format!("{}::{}", &original[..base.len()], &original[one.len()..]);
            }
        }
        let mut key = original.to_lowercase();
        if key == "list name" {
            key = "list_name".into();
        }
        if let Some(rest) = key.strip_prefix("constraint message") {
            key = format!("constraint_message{rest}");
        }
        Column { original, key }
    }

    /// For a base column (`label`, `hint`, ...): `Some(None)` for the plain column, `Some(Some(language))`
    /// for `base::language`, `None` for another column.
    pub fn language_of(&self, base: &str) -> Option<Option<String>> {
        if self.key == base {
            return Some(None);
        }
        let rest = self.key.strip_prefix(base)?.strip_prefix("::")?;
        // The language as written (its case matters for the name, not for the match).
        let language = &self.original[self.original.len() - rest.len()..];
        Some(Some(language.trim().to_owned()))
    }
}

#[derive(Debug, Clone)]
pub struct SheetRow {
    /// The spreadsheet's row number.
    pub number: u32,
    pub cells: Vec<String>,
}

impl SheetRow {
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map(String::as_str).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<Column>,
    pub rows: Vec<SheetRow>,
}

impl Sheet {
    /// The index of the column with this key (the first, if written twice).
    pub fn column(&self, key: &str) -> Option<usize> {
        self.header.iter().position(|c| c.key == key)
    }
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        // `{}` of an f64 prints 2 for 2.0 and 2.5 for 2.5: no trailing `.0` from Excel's numbers.
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Every sheet of a workbook, `.xlsx` or `.ods` (told apart by their content).
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| e.to_string())?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|e| format!("{name}: {e}"))?;
        // The range starts at the first used cell; the spreadsheet counts from its own row 1.
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut rows = range.rows().enumerate().map(|(i, cells)| {
            let mut texts: Vec<String> = vec![String::new(); first_col as usize];
            texts.extend(cells.iter().map(text));
            SheetRow { number: first_row + i as u32 + 1, cells: texts }
        });
        let Some(header_row) = rows.next() else {
            sheets.push(Sheet { name, header: Vec::new(), rows: Vec::new() });
            continue;
        };
        let header = header_row.cells.iter().map(|c| Column::new(c)).collect();
        let mut rows: Vec<SheetRow> = rows.collect();
        while rows.last().is_some_and(|r| r.cells.iter().all(String::is_empty)) {
            rows.pop();
        }
        sheets.push(Sheet { name, header, rows });
    }
    Ok(sheets)
}
