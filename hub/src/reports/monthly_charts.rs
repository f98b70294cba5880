//! The monthly analysis's charts as SVG, drawn by plotters from the same
//! reports as its tables. Text is laid out with the kiosk's embedded font
//! (ab_glyph) and named in the SVG so a browser draws it with the system's
//! Noto Sans CJK or its own sans-serif.

use super::Report;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../../kiosk/ui/fonts/NotoSansSC-Regular-subset.otf");
const FAMILY: &str = "Noto Sans CJK SC";
const SIZE: (u32, u32) = (900, 360);
const OUT: RGBColor = RGBColor(0xc2, 0x6d, 0x0a);
const IN: RGBColor = RGBColor(0x0f, 0x76, 0x6e);
const BAR: RGBColor = RGBColor(0x2f, 0x6b, 0x3a);
const GRID: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);

fn font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!("the embedded font cannot be read for the charts");
        }
    });
}

fn column(r: &Report, name: &str) -> Vec<f64> {
    let i = r.columns.iter().position(|c| *c == name);
    r.rows.iter().map(|row| i.and_then(|i| row[i].number()).unwrap_or(0.0)).collect()
}

fn labels(r: &Report, name: &str) -> Vec<String> {
    let i = r.columns.iter().position(|c| *c == name).unwrap_or(0);
    r.rows.iter().map(|row| row[i].text()).collect()
}

/// A value axis from 0 with room above the tallest bar (0–5 when empty, so
/// its labels stay whole numbers).
fn headroom(max: f64) -> f64 {
    if max > 0.0 { max * 1.12 } else { 5.0 }
}

/// Parcels per day of the month (the day report), out (orange) and in
/// (teal) side by side; the page's caption says which is which.
pub fn parcels_per_day(day: &Report) -> Result<String, String> {
    let days = labels(day, "day");
    let (out, inn) = (column(day, "parcels_out"), column(day, "parcels_in"));
    let shown = |d: &str| d.get(8..).unwrap_or(d).to_owned();
    let x_labels = days.len().clamp(2, 16);
    bar_chart(&days, shown, x_labels, 56, &[(&out, -0.4, 0.0, OUT), (&inn, 0.0, 0.4, IN)])
}

/// One bar per row of `r`: labelled by column `label`, as long as `value`.
pub fn bars(r: &Report, label: &str, value: &str) -> Result<String, String> {
    let (names, values) = (labels(r, label), column(r, value));
    bar_chart(&names, str::to_owned, names.len().max(2), 80, &[(&values, -0.35, 0.35, BAR)])
}

/// Bars at 0, 1, 2… labelled by `names` (as `shown` words them); each
/// series is drawn from `from` to `to` around its place, in its colour.
fn bar_chart(
    names: &[String],
    shown: impl Fn(&str) -> String,
    x_labels: usize,
    y_label_area: u32,
    series: &[(&[f64], f64, f64, RGBColor)],
) -> Result<String, String> {
    font();
    let most = series.iter().flat_map(|s| s.0.iter()).copied().fold(0.0, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = names.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(y_label_area)
            .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..headroom(most))
            .map_err(|e| e.to_string())?;
        let name_of = |x: &f64| {
            let i = x.round();
            match names.get(i as usize) {
                Some(s) if (x - i).abs() < 1e-6 && i >= 0.0 => shown(s),
                _ => String::new(),
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .x_labels(x_labels)
            .y_labels(5)
            .x_label_formatter(&name_of)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FAMILY, 16).into_font())
            .draw()
            .map_err(|e| e.to_string())?;
        for (values, from, to, colour) in series {
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let x = i as f64;
                    Rectangle::new([(x + from, 0.0), (x + to, *v)], colour.filled())
                }))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Cell;

    #[test]
    fn a_bar_chart_has_a_bar_per_row_and_its_labels() {
        let mut r = Report::new(&["name", "sales_yuan"]);
        r.push(vec!["淘宝".into(), Cell::Fixed(1200.5, 2)]);
        r.push(vec!["京东".into(), Cell::Fixed(300.0, 2)]);
        let svg = bars(&r, "name", "sales_yuan").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        assert!(svg.contains("淘宝") && svg.contains("京东"));
        // The white background, then one filled rectangle per bar.
        let bars = svg.matches("<rect").filter(|r| !r.is_empty()).count();
        assert!(bars >= 3, "{bars} rectangles");
    }
}
