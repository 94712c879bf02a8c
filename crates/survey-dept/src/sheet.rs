//! The first sheet of an XLSX workbook as rows of text cells, for the stage, deduction and veto
//! lists (`crate::stages`).
//!
//! Read with the `zip` crate the workbook writer already brings and a scanner of the few
//! SpreadsheetML elements a list uses (`sheet`, `Relationship`, `si`/`t`, `row`, `c`, `v`,
//! `is`/`t`), not with a general spreadsheet reader: calamine and its encoding tables would add
//! about 170 KiB (brotli) to the department page for three columns of text. The test module
//! reads every workbook of the repository with calamine too and compares the cells.

use std::io::{Cursor, Read};

/// The rows of the workbook's first sheet: each with its row number as the spreadsheet shows
/// it, and its cells by column (gaps filled with empty text). Numbers are written as Rust
/// writes an `f64` (`90`, `1.5`), booleans as `true`/`false`, strings as they are.
pub fn first_sheet_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|err| format!("not an XLSX workbook that can be read: {err}"))?;
    let mut read = |name: &str| -> Option<String> {
        let mut file = archive.by_name(name).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        Some(text)
    };
    let workbook = read("xl/workbook.xml").ok_or("not an XLSX workbook: no xl/workbook.xml")?;
    let rels = read("xl/_rels/workbook.xml.rels").unwrap_or_default();
    let sheet_path = first_sheet_path(&workbook, &rels).ok_or("the workbook has no sheet")?;
    let sheet = read(&sheet_path).ok_or_else(|| format!("the first sheet ({sheet_path}) is missing"))?;
    let shared = read("xl/sharedStrings.xml").map(|text| shared_strings(&text)).unwrap_or_default();
    sheet_rows(&sheet, &shared)
}

/// The part name of the first `<sheet>` of `workbook.xml`, through its relationship.
fn first_sheet_path(workbook: &str, rels: &str) -> Option<String> {
    let sheet = Tags::new(workbook).find(|tag| tag.name == "sheet")?;
    let id = sheet.attr("r:id").or_else(|| sheet.attr_suffix(":id"))?;
    let target = Tags::new(rels).find(|tag| tag.name == "Relationship" && tag.attr("Id").as_deref() == Some(&id))?;
    let target = target.attr("Target")?;
    Some(match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    })
}

/// The shared strings: per `<si>`, its `<t>` texts joined (rich-text runs), phonetic runs left out.
fn shared_strings(xml: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut current: Option<String> = None;
    let mut phonetic = 0usize;
    let mut tags = Tags::new(xml);
    while let Some(tag) = tags.next() {
        match (tag.name, tag.kind) {
            ("si", Kind::Open) => current = Some(String::new()),
            ("si", Kind::Empty) => strings.push(String::new()),
            ("si", Kind::Close) => strings.push(current.take().unwrap_or_default()),
            ("rPh", Kind::Open) => phonetic += 1,
            ("rPh", Kind::Close) => phonetic = phonetic.saturating_sub(1),
            ("t", Kind::Open) => {
                let text = tags.text_until("t");
                if let (Some(current), 0) = (current.as_mut(), phonetic) {
                    current.push_str(&text);
                }
            }
            _ => {}
        }
    }
    strings
}

/// The rows of a worksheet's XML.
fn sheet_rows(xml: &str, shared: &[String]) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut tags = Tags::new(xml);
    let mut next_row = 1;
    while let Some(tag) = tags.next() {
        if tag.name != "row" || tag.kind == Kind::Close {
            continue;
        }
        let number = tag.attr("r").and_then(|r| r.parse().ok()).unwrap_or(next_row);
        next_row = number + 1;
        let mut cells: Vec<String> = Vec::new();
        if tag.kind == Kind::Empty {
            rows.push((number, cells));
            continue;
        }
        let mut next_col = 0;
        while let Some(cell) = tags.next() {
            match (cell.name, cell.kind) {
                ("row", Kind::Close) => break,
                ("c", kind @ (Kind::Open | Kind::Empty)) => {
                    let col = cell.attr("r").and_then(|r| column_of(&r)).unwrap_or(next_col);
                    next_col = col + 1;
                    let text = if kind == Kind::Open {
                        cell_text(&mut tags, cell.attr("t").as_deref(), shared)?
                    } else {
                        String::new()
                    };
                    if cells.len() <= col {
                        cells.resize(col + 1, String::new());
                    }
                    cells[col] = text;
                }
                _ => {}
            }
        }
        rows.push((number, cells));
    }
    Ok(rows)
}

/// The text of one `<c>` element whose start tag was just read, by its type `t`.
fn cell_text(tags: &mut Tags<'_>, kind: Option<&str>, shared: &[String]) -> Result<String, String> {
    let mut value: Option<String> = None;
    let mut inline = String::new();
    while let Some(tag) = tags.next() {
        match (tag.name, tag.kind) {
            ("c", Kind::Close) => break,
            ("v", Kind::Open) => value = Some(tags.text_until("v")),
            ("t", Kind::Open) => inline.push_str(&tags.text_until("t")),
            _ => {}
        }
    }
    Ok(match kind {
        Some("s") => {
            let index: usize =
                value.as_deref().and_then(|v| v.trim().parse().ok()).ok_or("a shared-string cell without an index")?;
            shared.get(index).cloned().ok_or_else(|| format!("shared string {index} is missing"))?
        }
        Some("inlineStr") => inline,
        Some("b") => match value.as_deref().map(str::trim) {
            Some("1") => "true".to_owned(),
            Some("0") => "false".to_owned(),
            other => other.unwrap_or_default().to_owned(),
        },
        // Numbers (no type, or `n`): as an f64 prints, so that `90.0` and `90` read the same.
        None | Some("n") => match value {
            Some(v) => v.trim().parse::<f64>().map(|x| x.to_string()).unwrap_or(v),
            None => String::new(),
        },
        // `str` (a formula's text), `e` (an error such as #N/A), `d` (an ISO date): as written.
        Some(_) => value.unwrap_or_default(),
    })
}

/// The zero-based column of a cell reference (`B3` → 1).
fn column_of(reference: &str) -> Option<usize> {
    let letters: Vec<u8> = reference.bytes().take_while(u8::is_ascii_alphabetic).collect();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let n = letters.iter().fold(0usize, |n, b| n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1));
    Some(n - 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open,
    Close,
    Empty,
}

/// A tag: its local name (namespace prefix dropped), kind and raw attributes.
struct Tag<'a> {
    name: &'a str,
    kind: Kind,
    attrs: &'a str,
}

impl Tag<'_> {
    /// The unescaped value of the attribute `name` (exactly, prefix included).
    fn attr(&self, name: &str) -> Option<String> {
        self.attributes().find(|(key, _)| *key == name).map(|(_, value)| unescape(value))
    }

    /// The value of the first attribute whose name ends with `suffix` (`:id` in any prefix).
    fn attr_suffix(&self, suffix: &str) -> Option<String> {
        self.attributes().find(|(key, _)| key.ends_with(suffix)).map(|(_, value)| unescape(value))
    }

    fn attributes(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut rest = self.attrs;
        std::iter::from_fn(move || {
            let eq = rest.find('=')?;
            let key = rest[..eq].trim();
            let after = rest[eq + 1..].trim_start();
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let end = after[1..].find(quote)? + 1;
            let value = &after[1..end];
            rest = &after[end + 1..];
            Some((key, value))
        })
    }
}

/// The tags of an XML text in order, with the text between them on request.
struct Tags<'a> {
    xml: &'a str,
    at: usize,
}

impl<'a> Tags<'a> {
    fn new(xml: &'a str) -> Self {
        Tags { xml, at: 0 }
    }

    /// The unescaped text from here to the closing tag `name` (which is consumed).
    fn text_until(&mut self, name: &str) -> String {
        let rest = &self.xml[self.at..];
        let mut depth_text = String::new();
        let mut offset = 0;
        // Text may hold CDATA; tags inside `<t>` do not occur in SpreadsheetML.
        while let Some(lt) = rest[offset..].find('<') {
            let start = offset + lt;
            depth_text.push_str(&unescape(&rest[offset..start]));
            if let Some(cdata) = rest[start..].strip_prefix("<![CDATA[") {
                let end = cdata.find("]]>").unwrap_or(cdata.len());
                depth_text.push_str(&cdata[..end]);
                offset = start + 9 + end + 3;
                continue;
            }
            let close = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
            let tag = &rest[start + 1..close.saturating_sub(1)];
            offset = close;
            if tag.strip_prefix('/').map(local) == Some(name) {
                break;
            }
        }
        self.at += offset.min(rest.len());
        depth_text
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        loop {
            let rest = &self.xml[self.at..];
            let lt = rest.find('<')?;
            let body_start = self.at + lt + 1;
            let after = &self.xml[body_start..];
            // Declarations, comments and processing instructions are not elements.
            if let Some(comment) = after.strip_prefix("!--") {
                self.at = body_start + 3 + comment.find("-->").map_or(comment.len(), |e| e + 3);
                continue;
            }
            let gt = after.find('>')?;
            self.at = body_start + gt + 1;
            let body = &after[..gt];
            if body.starts_with('?') || body.starts_with('!') {
                continue;
            }
            let (kind, body) = if let Some(name) = body.strip_prefix('/') {
                (Kind::Close, name)
            } else if let Some(open) = body.strip_suffix('/') {
                (Kind::Empty, open)
            } else {
                (Kind::Open, body)
            };
            let split = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
            return Some(Tag { name: local(&body[..split]), kind, attrs: &body[split..] });
        }
    }
}

/// A name without its namespace prefix.
fn local(name: &str) -> &str {
    name.trim().rsplit(':').next().unwrap_or(name)
}

/// XML character and entity references resolved.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let resolved = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match resolved {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The non-empty cells of the first sheet by (row, column), as this module reads them.
    fn cells(bytes: &[u8]) -> Vec<(usize, usize, String)> {
        let rows = first_sheet_rows(bytes).unwrap_or_else(|err| panic!("{err}"));
        rows.into_iter()
            .flat_map(|(row, cells)| {
                cells.into_iter().enumerate().filter(|(_, c)| !c.is_empty()).map(move |(col, c)| (row, col, c))
            })
            .collect()
    }

    /// The same, as calamine reads them (its `Display` of a cell, floats as an `f64` prints).
    fn calamine_cells(bytes: &[u8]) -> Vec<(usize, usize, String)> {
        use calamine::{Data, Reader};
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let (row0, col0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        let mut out = Vec::new();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = match cell {
                    Data::Empty => continue,
                    Data::Float(value) => value.to_string(),
                    other => other.to_string(),
                };
                if !text.is_empty() {
                    out.push((row0 + r + 1, col0 + c, text));
                }
            }
        }
        out
    }

    #[test]
    fn every_workbook_of_the_repository_reads_as_calamine_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("crates/survey-dept/test_data"), root.join("crates/survey-xlsform/test_data")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("a folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "xlsx") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() >= 5, "{files:?}");
        for file in files {
            let bytes = std::fs::read(&file).expect("readable");
            assert_eq!(cells(&bytes), calamine_cells(&bytes), "{}", file.display());
        }
    }

    #[test]
    fn strings_numbers_booleans_and_markup_come_through() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "单位编号").expect("cell");
        sheet.write_string(0, 1, "<得分> & \"引号\"").expect("cell");
        sheet.write_string(2, 0, "u1").expect("cell");
        sheet.write_number(2, 1, 90.0).expect("cell");
        sheet.write_number(2, 3, 1.25).expect("cell");
        sheet.write_boolean(3, 2, true).expect("cell");
        let bytes = book.save_to_buffer().expect("saved");
        let rows = first_sheet_rows(&bytes).expect("read");
        assert_eq!(rows[0], (1, vec!["单位编号".to_owned(), "<得分> & \"引号\"".to_owned()]));
        assert_eq!(rows[1], (3, vec!["u1".to_owned(), "90".to_owned(), String::new(), "1.25".to_owned()]));
        assert_eq!(rows[2], (4, vec![String::new(), String::new(), "true".to_owned()]));
        assert_eq!(cells(&bytes), calamine_cells(&bytes));
    }

    #[test]
    fn not_a_workbook_is_an_error() {
        assert!(first_sheet_rows(b"PK\x03\x04 not really").is_err());
        assert_eq!(column_of("AA10"), Some(26));
        assert_eq!(unescape("a&lt;b&#x4e2d;&#25991;&bogus;"), "a<b中文&bogus;");
    }
}
