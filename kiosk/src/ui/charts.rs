//! The big screen's charts, drawn by plotters into pixel buffers that the
//! window shows as images, at the panel's real pixel size (twice the layout
//! size on a 3840×2160 wall) so they stay sharp. Text is the kiosk's own
//! embedded font through ab_glyph: no fontconfig, no system fonts.
//!
//! A chart is drawn again only when its figures, size or language change;
//! swapping a finished image is atomic, so a new chart never flickers.

use crate::controllers::big_screen::{PlatformSeries, wan};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use protocol::screen::{DayParcels, MonthSales};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../ui/fonts/NotoSansSC-Regular-subset.otf");
const FAMILY: &str = "kiosk-sans";

/// The wall's colours (`ui/big_screen/screen.slint`'s `Wall`).
pub const CARD: RGBColor = RGBColor(0x15, 0x29, 0x3d);
const GRID: RGBColor = RGBColor(0x2c, 0x41, 0x59);
const LABEL: RGBColor = RGBColor(0xb4, 0xc2, 0xd3);
pub const OUTBOUND: RGBColor = RGBColor(0xf5, 0xa5, 0x24);
pub const INBOUND: RGBColor = RGBColor(0x2d, 0xd4, 0xbf);
/// Farm products' line over the sales bars.
pub const FARM: RGBColor = RGBColor(0xf1, 0xf5, 0xf9);
/// One colour per coloured platform, then the others' grey.
pub const PLATFORMS: [RGBColor; 5] = [
    RGBColor(0xf5, 0xa5, 0x24),
    RGBColor(0x2d, 0xd4, 0xbf),
    RGBColor(0x60, 0xa5, 0xfa),
    RGBColor(0xc0, 0x84, 0xfc),
    RGBColor(0x64, 0x74, 0x8b),
];
/// Axis labels at the layout's scale (at least the wall's 28 px minimum).
const LABEL_PX: f64 = 42.0;

/// The colour of the sales chart's `i`-th series.
pub fn platform_colour(s: &PlatformSeries, i: usize) -> RGBColor {
    if s.id.is_none() { PLATFORMS[PLATFORMS.len() - 1] } else { PLATFORMS[i.min(PLATFORMS.len() - 2)] }
}

fn font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!("the embedded font cannot be read for the charts");
        }
    });
}

/// A chart's size in pixels and how much larger than the layout it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub scale: f32,
}

impl Canvas {
    /// A chart laid out at `width`×`height` logical px on a window at `scale`.
    pub fn new(width: f32, height: f32, scale: f32) -> Canvas {
        Canvas { width: (width * scale).round() as u32, height: (height * scale).round() as u32, scale }
    }

    fn px(&self, v: f64) -> u32 {
        (v * f64::from(self.scale)).round() as u32
    }
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

fn draw(
    canvas: Canvas,
    paint: impl FnOnce(DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Drawn,
) -> Image {
    font();
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(canvas.width.max(1), canvas.height.max(1));
    let size = (buf.width(), buf.height());
    let area = BitMapBackend::with_buffer(buf.make_mut_bytes(), size).into_drawing_area();
    if let Err(e) = paint(area) {
        tracing::error!(error = %e, "a chart could not be drawn");
    }
    Image::from_rgb8(buf)
}

/// A value axis from 0 that leaves room above the tallest bar.
fn headroom(max: f64) -> f64 {
    if max > 0.0 { max * 1.12 } else { 1.0 }
}

/// Parcels per day, outbound and inbound side by side, oldest day first.
pub fn parcels(days: &[DayParcels], canvas: Canvas) -> Image {
    draw(canvas, |root| {
        root.fill(&CARD)?;
        let most = days.iter().map(|d| d.parcels_in.max(d.parcels_out)).max().unwrap_or(0) as f64;
        let n = days.len().max(1) as f64;
        let style = (FAMILY, f64::from(canvas.px(LABEL_PX))).into_font().color(&LABEL);
        let mut chart = ChartBuilder::on(&root)
            .margin(canvas.px(12.0))
            .x_label_area_size(canvas.px(56.0))
            .y_label_area_size(canvas.px(100.0))
            .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..headroom(most))?;
        let label_day = |x: &f64| {
            let i = x.round();
            match days.get(i as usize) {
                Some(d) if (x - i).abs() < 1e-6 && i >= 0.0 => d.day.get(5..).unwrap_or(&d.day).to_owned(),
                _ => String::new(),
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID.stroke_width(canvas.px(1.0)))
            .light_line_style(TRANSPARENT)
            .axis_style(GRID.stroke_width(canvas.px(2.0)))
            .x_labels(7)
            .y_labels(5)
            .x_label_formatter(&label_day)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(style)
            .draw()?;
        chart.draw_series(days.iter().enumerate().map(|(i, d)| {
            let x = i as f64;
            Rectangle::new([(x - 0.4, 0.0), (x, d.parcels_out as f64)], OUTBOUND.filled())
        }))?;
        chart.draw_series(days.iter().enumerate().map(|(i, d)| {
            let x = i as f64;
            Rectangle::new([(x, 0.0), (x + 0.4, d.parcels_in as f64)], INBOUND.filled())
        }))?;
        root.present()?;
        Ok(())
    })
}

/// Online sales per month in 万元, stacked by platform, with farm products'
/// part as a line.
pub fn sales(months: &[MonthSales], series: &[PlatformSeries], canvas: Canvas) -> Image {
    draw(canvas, |root| {
        root.fill(&CARD)?;
        let most = months.iter().map(|m| wan(m.sales_fen)).fold(0.0, f64::max);
        let n = months.len().max(1) as f64;
        let style = (FAMILY, f64::from(canvas.px(LABEL_PX))).into_font().color(&LABEL);
        let mut chart = ChartBuilder::on(&root)
            .margin(canvas.px(12.0))
            .x_label_area_size(canvas.px(56.0))
            .y_label_area_size(canvas.px(100.0))
            .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..headroom(most))?;
        let label_month = |x: &f64| {
            let i = x.round();
            match months.get(i as usize) {
                Some(m) if (x - i).abs() < 1e-6 && i >= 0.0 => month_label(&m.month),
                _ => String::new(),
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID.stroke_width(canvas.px(1.0)))
            .light_line_style(TRANSPARENT)
            .axis_style(GRID.stroke_width(canvas.px(2.0)))
            .x_labels(months.len().max(2))
            .y_labels(5)
            .x_label_formatter(&label_month)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(style)
            .draw()?;
        let mut base = vec![0.0f64; months.len()];
        for (k, s) in series.iter().enumerate() {
            let colour = platform_colour(s, k);
            let bars: Vec<_> = s
                .fen
                .iter()
                .enumerate()
                .map(|(i, fen)| {
                    let (x, v) = (i as f64, wan(*fen));
                    let bar = Rectangle::new([(x - 0.34, base[i]), (x + 0.34, base[i] + v)], colour.filled());
                    base[i] += v;
                    bar
                })
                .collect();
            chart.draw_series(bars)?;
        }
        let farm: Vec<(f64, f64)> =
            months.iter().enumerate().map(|(i, m)| (i as f64, wan(m.farm_sales_fen))).collect();
        chart.draw_series(LineSeries::new(farm.clone(), FARM.stroke_width(canvas.px(4.0))))?;
        chart.draw_series(farm.into_iter().map(|p| Circle::new(p, canvas.px(7.0), FARM.filled())))?;
        root.present()?;
        Ok(())
    })
}

/// `2026-10` as an axis label: the month's number (`10`), and January
/// with its year (`2026-01`); numbers need no translation.
fn month_label(month: &str) -> String {
    match month.get(5..7) {
        Some("01") => month.to_owned(),
        Some(m) => m.trim_start_matches('0').to_owned(),
        None => month.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_labelled_by_number_with_the_year_at_january() {
        assert_eq!(month_label("2026-10"), "10");
        assert_eq!(month_label("2026-09"), "9");
        assert_eq!(month_label("2027-01"), "2027-01");
    }

    #[test]
    fn a_chart_is_drawn_at_its_pixel_size_with_its_bars() {
        let days: Vec<DayParcels> = (1..=30)
            .map(|d| DayParcels { day: format!("2026-11-{d:02}"), parcels_in: d, parcels_out: 31 - d })
            .collect();
        let img = parcels(&days, Canvas::new(600.0, 280.0, 2.0));
        let px = img.to_rgb8().unwrap();
        assert_eq!((px.width(), px.height()), (1200, 560));
        let has = |c: RGBColor| px.as_slice().iter().any(|p| (p.r, p.g, p.b) == (c.0, c.1, c.2));
        assert!(has(OUTBOUND) && has(INBOUND), "both directions are drawn");
    }
}
