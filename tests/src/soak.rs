//! What a soak measures and how it is shown: a process's peak and current
//! resident memory (VmHWM, VmRSS), its open file descriptors and the size
//! of its SQLite files, sampled against simulated time; a CSV of the
//! samples, the curves as a PNG, and the slope after warm-up.

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One reading.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Simulated time, in days.
    pub day: f64,
    /// Wall-clock seconds since the soak began.
    pub wall_s: f64,
    pub hwm_kb: u64,
    pub rss_kb: u64,
    pub fds: u64,
    /// The SQLite files' sizes: the database, then its write-ahead log.
    pub db_bytes: u64,
    pub wal_bytes: u64,
}

/// Read process `pid` and the database at `db` (its `-wal` beside it).
pub fn sample(pid: u32, db: &[PathBuf], day: f64, wall_s: f64) -> std::io::Result<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))?.count() as u64;
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let wal = |p: &PathBuf| {
        let mut w = p.clone().into_os_string();
        w.push("-wal");
        PathBuf::from(w)
    };
    Ok(Sample {
        day,
        wall_s,
        hwm_kb: field("VmHWM:"),
        rss_kb: field("VmRSS:"),
        fds,
        db_bytes: db.iter().map(|p| size(p)).sum(),
        wal_bytes: db.iter().map(|p| size(&wal(p))).sum(),
    })
}

/// Samples process `pid` and the database files `db` every `every` on a
/// thread of its own, the simulated day read from `day` at each sample.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    pub fn start(
        pid: u32,
        db: Vec<PathBuf>,
        every: Duration,
        started: Instant,
        day: impl Fn() -> f64 + Send + 'static,
    ) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut out = Vec::new();
            while !halt.load(Ordering::Relaxed) {
                out.push(sample(pid, &db, day(), started.elapsed().as_secs_f64()).expect("the process runs"));
                std::thread::sleep(every);
            }
            out
        });
        Sampler { stop, thread }
    }

    /// Stop sampling; every sample taken.
    pub fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the sampler thread")
    }
}

/// The memory and descriptor figures every soak reports: peak VmHWM,
/// VmRSS at the end of warm-up and at the end, its slope after warm-up (MB a
/// day), and the range of open descriptors after warm-up.
pub fn memory_figures(samples: &[Sample], warm_up_day: f64) -> serde_json::Map<String, serde_json::Value> {
    let mb = |kb: u64| kb as f64 / 1024.0;
    let after: Vec<&Sample> = samples.iter().filter(|s| s.day >= warm_up_day).collect();
    let last = samples.last().copied().unwrap_or_default();
    let figures = serde_json::json!({
        "samples": samples.len(),
        "vm_hwm_mb": mb(samples.iter().map(|s| s.hwm_kb).max().unwrap_or(0)),
        "vm_rss_mb_at_warm_up": after.first().map(|s| mb(s.rss_kb)),
        "vm_rss_mb_at_end": mb(last.rss_kb),
        "vm_rss_slope_mb_per_day_after_warm_up": slope_per_day(samples, warm_up_day, |s| mb(s.rss_kb)),
        "fds_after_warm_up": [after.iter().map(|s| s.fds).min(), after.iter().map(|s| s.fds).max()],
    });
    match figures {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("a JSON object"),
    }
}

/// The middle value (the upper one of an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Least-squares slope of `y` against the day, over samples from `from_day`
/// on; `None` with fewer than two days' worth.
pub fn slope_per_day(samples: &[Sample], from_day: f64, y: impl Fn(&Sample) -> f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = samples.iter().filter(|s| s.day >= from_day).map(|s| (s.day, y(s))).collect();
    let n = pts.len() as f64;
    let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = pts.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    if pts.len() < 2 || sxx == 0.0 {
        return None;
    }
    Some(pts.iter().map(|(x, y)| (x - mx) * (y - my)).sum::<f64>() / sxx)
}

/// The samples as CSV.
pub fn write_csv(path: &Path, samples: &[Sample]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "day,wall_s,vm_hwm_kb,vm_rss_kb,fds,db_bytes,wal_bytes")?;
    for s in samples {
        writeln!(
            f,
            "{:.4},{:.1},{},{},{},{},{}",
            s.day, s.wall_s, s.hwm_kb, s.rss_kb, s.fds, s.db_bytes, s.wal_bytes
        )?;
    }
    f.flush()
}

const FAMILY: &str = "soak-sans";
static FONT: &[u8] = include_bytes!("../../kiosk/ui/fonts/NotoSansSC-Regular-subset.otf");

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("drawing the plot: {0}")]
    Draw(String),
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Three panels against the simulated day: memory (VmHWM, VmRSS), open
/// file descriptors, and the store's files; `warm_up_day` is marked.
pub fn plot(path: &Path, title: &str, samples: &[Sample], warm_up_day: f64) -> Result<(), PlotError> {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = register_font(FAMILY, FontStyle::Normal, FONT);
    });
    let (w, h) = (1200u32, 1200u32);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(&mut rgb, (w, h), title, samples, warm_up_day).map_err(PlotError::Draw)?;
    let file =
        std::fs::File::create(path).map_err(|source| PlotError::Write { path: path.into(), source })?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .and_then(|mut wr| wr.write_image_data(&rgb))
        .map_err(|e| PlotError::Write { path: path.into(), source: std::io::Error::other(e) })
}

type Series<'a> = (&'a str, RGBColor, Box<dyn Fn(&Sample) -> f64 + 'a>);

fn draw(
    rgb: &mut [u8],
    size: (u32, u32),
    title: &str,
    samples: &[Sample],
    warm_up_day: f64,
) -> Result<(), String> {
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, (FAMILY, 28).into_font()).map_err(err)?;
    let panels = root.split_evenly((3, 1));
    let mb = |kb: u64| kb as f64 / 1024.0;
    let groups: [(&str, Vec<Series>); 3] = [
        (
            "memory, MB",
            vec![
                ("VmHWM (peak)", RED, Box::new(move |s: &Sample| mb(s.hwm_kb))),
                ("VmRSS (current)", BLUE, Box::new(move |s: &Sample| mb(s.rss_kb))),
            ],
        ),
        ("open file descriptors", vec![("fds", BLACK, Box::new(|s: &Sample| s.fds as f64))]),
        (
            "SQLite files, MB",
            vec![
                ("database", GREEN, Box::new(|s: &Sample| s.db_bytes as f64 / 1_048_576.0)),
                ("write-ahead log", MAGENTA, Box::new(|s: &Sample| s.wal_bytes as f64 / 1_048_576.0)),
            ],
        ),
    ];
    let last_day = samples.last().map_or(1.0, |s| s.day).max(1e-3);
    for (area, (caption, series)) in panels.iter().zip(groups) {
        let top = samples.iter().flat_map(|s| series.iter().map(move |(_, _, f)| f(s))).fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.1 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .caption(caption, (FAMILY, 20).into_font())
            .x_label_area_size(36)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..last_day, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("simulated day")
            .label_style((FAMILY, 14).into_font())
            .axis_desc_style((FAMILY, 14).into_font())
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                [(warm_up_day, 0.0), (warm_up_day, top)],
                RGBColor(160, 160, 160).stroke_width(1),
            ))
            .map_err(err)?;
        for (name, color, f) in series {
            chart
                .draw_series(LineSeries::new(samples.iter().map(|s| (s.day, f(s))), color.stroke_width(2)))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FAMILY, 14).into_font())
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_of_a_line_is_its_rise() {
        let s: Vec<Sample> =
            (0..10).map(|d| Sample { day: d as f64, rss_kb: 1000 + 50 * d, ..Default::default() }).collect();
        let k = slope_per_day(&s, 2.0, |s| s.rss_kb as f64).unwrap();
        assert!((k - 50.0).abs() < 1e-9, "{k}");
        assert_eq!(slope_per_day(&s, 9.0, |s| s.rss_kb as f64), None);
    }

    #[test]
    fn a_plot_is_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let s: Vec<Sample> = (0..20)
            .map(|d| Sample {
                day: d as f64 / 2.0,
                hwm_kb: 4000,
                rss_kb: 3000,
                fds: 12,
                db_bytes: 1 << 20,
                ..Default::default()
            })
            .collect();
        let path = dir.path().join("p.png");
        plot(&path, "test", &s, 2.0).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
    }
}
