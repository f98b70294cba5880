//! A report as columns and rows, and its three renderings: CSV for
//! spreadsheets (UTF-8 with BOM, so Excel in a Chinese locale opens it
//! right), JSON for the data centre's systems, and a text table.

use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Rendered with this many decimals.
    Fixed(f64, usize),
}

impl Cell {
    /// The cell as every rendering writes it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Fixed(x, d) => format!("{x:.d$}"),
        }
    }

    /// Its value, when it is a number (for charts).
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Text(_) => None,
            Cell::Int(n) => Some(*n as f64),
            Cell::Fixed(x, _) => Some(*x),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Fixed(x, d) => {
                let p = 10f64.powi(*d as i32);
                Value::from((x * p).round() / p)
            }
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Table,
}

impl Report {
    pub fn new(columns: &[&'static str]) -> Report {
        Report { columns: columns.to_vec(), rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Csv => self.csv(),
            Format::Json => self.json(),
            Format::Table => self.table(),
        }
    }

    /// The report as a file holds it (the CLI's `--out` and standard
    /// output, the console's download): the rendering and one final newline.
    pub fn file_text(&self, format: Format) -> String {
        let mut text = self.render(format);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns).expect("in-memory write");
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::text)).expect("in-memory write");
        }
        let bytes = w.into_inner().expect("in-memory write");
        format!("\u{feff}{}", String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out"))
    }

    fn json(&self) -> String {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let obj: Map<String, Value> =
                    self.columns.iter().zip(row).map(|(c, v)| ((*c).to_owned(), v.json())).collect();
                Value::Object(obj)
            })
            .collect();
        serde_json::to_string_pretty(&rows).expect("JSON values serialise")
    }

    fn table(&self) -> String {
        let texts: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(Cell::text).collect()).collect();
        let width = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| texts.iter().map(|r| width(&r[i])).chain([width(self.columns[i])]).max().unwrap_or(0))
            .collect();
        let line = |cells: Vec<&str>| -> String {
            let padded: Vec<String> =
                cells.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c)))).collect();
            padded.join("  ").trim_end().to_owned()
        };
        let mut out = vec![line(self.columns.clone())];
        out.extend(texts.iter().map(|r| line(r.iter().map(String::as_str).collect())));
        if self.rows.is_empty() {
            out.push("(no data for this period)".into());
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_three_ways() {
        let mut r = Report::new(&["carrier", "parcels", "weight_kg"]);
        r.push(vec!["顺丰".into(), 3.into(), Cell::Fixed(1.5, 3)]);
        r.push(vec!["a,b".into(), 10.into(), Cell::Fixed(0.25, 3)]);
        assert_eq!(
            r.render(Format::Csv),
            "\u{feff}carrier,parcels,weight_kg\n顺丰,3,1.500\n\"a,b\",10,0.250\n"
        );
        let j: Value = serde_json::from_str(&r.render(Format::Json)).unwrap();
        assert_eq!(j[0]["carrier"], "顺丰");
        assert_eq!(j[1]["weight_kg"], 0.25);
        let t = r.render(Format::Table);
        assert_eq!(t.lines().nth(1).unwrap(), "顺丰     3        1.500");
    }
}
