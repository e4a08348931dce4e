//! Chart geometry computed in Rust; the templates only draw the shapes as inline SVG.

use serde::Serialize;

/// One stacked segment of a bar.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub y: f64,
    pub height: f64,
    /// CSS class (`sev-critical`, …).
    pub class: String,
    pub value: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub label: String,
    pub label_x: f64,
    pub total: u32,
    pub total_y: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridLine {
    pub y: f64,
    pub label: String,
}

/// A stacked bar chart (findings by severity per quarter).
#[derive(Debug, Clone, Serialize)]
pub struct BarChart {
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub baseline: f64,
    pub grid: Vec<GridLine>,
    pub bars: Vec<Bar>,
    pub label_y: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub value: String,
    pub value_y: f64,
}

/// A line chart on a 0–100 scale (posture score per quarter).
#[derive(Debug, Clone, Serialize)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub baseline: f64,
    pub grid: Vec<GridLine>,
    /// SVG `points` of the polyline (quarters with a score only).
    pub points: String,
    pub dots: Vec<Dot>,
    pub label_y: f64,
}

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 210.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 510.0;
const TOP: f64 = 18.0;
const BASE: f64 = 180.0;

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A "nice" axis maximum and step for `max` (1, 2, 5 × 10^k steps, 4–5 lines).
fn nice_scale(max: u32) -> (u32, u32) {
    if max == 0 {
        return (4, 1);
    }
    let raw = f64::from(max) / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
        .max(1.0);
    let step = step as u32;
    let top = max.div_ceil(step) * step;
    (top, step)
}

fn slot(i: usize, n: usize) -> (f64, f64) {
    let slot = (RIGHT - LEFT) / n.max(1) as f64;
    (LEFT + slot * i as f64, slot)
}

/// Smallest drawn height of a non-empty bar segment, so that one critical finding
/// among a hundred others is a visible block of colour, not a hairline.
pub const MIN_SEGMENT: f64 = 7.0;

/// Segment heights for `values` at `scale`: each non-empty segment at least
/// [`MIN_SEGMENT`], the extra taken from the tallest segment so the bar keeps its height.
fn visible_heights(values: impl Iterator<Item = u32>, scale: f64) -> Vec<f64> {
    let mut h: Vec<f64> = values.map(|v| f64::from(v) * scale).collect();
    let mut extra = 0.0;
    for x in h.iter_mut().filter(|x| **x > 0.0 && **x < MIN_SEGMENT) {
        extra += MIN_SEGMENT - *x;
        *x = MIN_SEGMENT;
    }
    if let Some(tallest) = h
        .iter_mut()
        .filter(|x| **x > MIN_SEGMENT)
        .max_by(|a, b| a.total_cmp(b))
    {
        *tallest = (*tallest - extra).max(MIN_SEGMENT);
    }
    h
}

/// Stacked bars: `columns[i] = (label, [(class, value)…] bottom to top)`.
pub fn stacked_bars(columns: &[(String, Vec<(String, u32)>)]) -> BarChart {
    let max = columns
        .iter()
        .map(|(_, segs)| segs.iter().map(|(_, v)| v).sum::<u32>())
        .max()
        .unwrap_or(0);
    let (top, step) = nice_scale(max);
    let scale = (BASE - TOP) / f64::from(top);
    let grid = (0..=top / step)
        .map(|k| GridLine {
            y: round1(BASE - f64::from(k * step) * scale),
            label: (k * step).to_string(),
        })
        .collect();
    let n = columns.len();
    let bars = columns
        .iter()
        .enumerate()
        .map(|(i, (label, segs))| {
            let (x0, w) = slot(i, n);
            let bar_w = (w * 0.5).min(70.0);
            let x = x0 + (w - bar_w) / 2.0;
            let mut y = BASE;
            let mut segments = Vec::new();
            let heights = visible_heights(segs.iter().map(|(_, v)| *v), scale);
            for ((class, value), h) in segs.iter().zip(heights) {
                y -= h;
                if *value > 0 {
                    segments.push(Segment {
                        y: round1(y),
                        height: round1(h),
                        class: class.clone(),
                        value: *value,
                    });
                }
            }
            let total: u32 = segs.iter().map(|(_, v)| v).sum();
            Bar {
                x: round1(x),
                width: round1(bar_w),
                label: label.clone(),
                label_x: round1(x0 + w / 2.0),
                total,
                total_y: round1(y - 4.0),
                segments,
            }
        })
        .collect();
    BarChart {
        width: WIDTH,
        height: HEIGHT,
        plot_left: LEFT,
        plot_right: RIGHT,
        baseline: BASE,
        grid,
        bars,
        label_y: BASE + 18.0,
    }
}

/// Points on a 0–100 scale; `None` values are shown as a label without a dot.
pub fn score_line(points: &[(String, Option<u32>)]) -> LineChart {
    let scale = (BASE - TOP) / 100.0;
    let grid = (0..=4)
        .map(|k| GridLine {
            y: round1(BASE - f64::from(k * 25) * scale),
            label: (k * 25).to_string(),
        })
        .collect();
    let n = points.len();
    let mut poly = Vec::new();
    let dots = points
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let (x0, w) = slot(i, n);
            let x = round1(x0 + w / 2.0);
            let y = round1(BASE - f64::from(value.unwrap_or(0).min(100)) * scale);
            if value.is_some() {
                poly.push(format!("{x},{y}"));
            }
            Dot {
                x,
                y: if value.is_some() { y } else { -100.0 },
                label: label.clone(),
                value: value.map(|v| v.to_string()).unwrap_or_else(|| "–".into()),
                value_y: round1(if value.is_some() { y - 8.0 } else { BASE - 8.0 }),
            }
        })
        .collect();
    LineChart {
        width: WIDTH,
        height: HEIGHT,
        plot_left: LEFT,
        plot_right: RIGHT,
        baseline: BASE,
        grid,
        points: poly.join(" "),
        dots,
        label_y: BASE + 18.0,
    }
}

/// One row of a horizontal distribution chart.
#[derive(Debug, Clone, Serialize)]
pub struct DistRow {
    pub label: String,
    pub count: u32,
    pub pct: String,
    /// Bar width in SVG units (0–230).
    pub width: f64,
    pub y: f64,
    pub text_y: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    pub height: f64,
    pub rows: Vec<DistRow>,
    pub total: u32,
}

pub fn distribution(rows: &[(String, u32)]) -> Distribution {
    let total: u32 = rows.iter().map(|(_, c)| c).sum();
    let max = rows.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1);
    let rows: Vec<DistRow> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, count))| {
            let y = 4.0 + i as f64 * 26.0;
            DistRow {
                label: label.clone(),
                count: *count,
                pct: if total == 0 {
                    "0%".into()
                } else {
                    format!("{:.0}%", f64::from(*count) * 100.0 / f64::from(total))
                },
                width: round1(f64::from(*count) * 230.0 / f64::from(max)),
                y,
                text_y: y + 14.0,
            }
        })
        .collect();
    Distribution {
        height: 8.0 + rows.len() as f64 * 26.0,
        rows,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_scale_covers_the_maximum() {
        assert_eq!(nice_scale(0), (4, 1));
        assert_eq!(nice_scale(7), (8, 2));
        let (top, step) = nice_scale(143);
        assert!(
            top >= 143 && top % step == 0 && top / step <= 5,
            "{top} {step}"
        );
    }

    #[test]
    fn one_critical_among_many_is_a_visible_block() {
        let c = stacked_bars(&[(
            "2026Q4".into(),
            vec![("sev-critical".into(), 1), ("sev-low".into(), 400)],
        )]);
        let crit = &c.bars[0].segments[0];
        assert_eq!(crit.class, "sev-critical");
        assert!(crit.height >= MIN_SEGMENT, "{}", crit.height);
        let h: f64 = c.bars[0].segments.iter().map(|s| s.height).sum();
        assert!(h <= BASE - TOP + 0.5, "the bar keeps its height: {h}");
    }

    #[test]
    fn stacked_segments_sum_to_the_bar_height() {
        let c = stacked_bars(&[(
            "2026Q4".into(),
            vec![("sev-critical".into(), 2), ("sev-high".into(), 6)],
        )]);
        let h: f64 = c.bars[0].segments.iter().map(|s| s.height).sum();
        assert!((h - (BASE - TOP)).abs() < 0.5, "{h}");
    }
}
