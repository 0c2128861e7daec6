//! Inline SVG charts for the HTML digest, drawn by hand so the page needs no script or asset.
//!
//! Every drawn value carries `data-label`, `data-series` and `data-value` (the digest's figure as
//! is) and a `<title>` that states it, so screen readers and tests both read the numbers.

use super::common::number;
use super::escape::escape;

const FONT: &str = "font-family=\"system-ui, sans-serif\"";
/// Series colours: reviewers blue, authors amber, a third teal. Picked to stay apart for the
/// common colour-vision deficiencies.
const COLOURS: [&str; 3] = ["#3b5bdb", "#f08c00", "#0ca678"];

/// What every chart states about itself.
pub(crate) struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub category_axis: &'a str,
    pub value_axis: &'a str,
    /// The unit said after each value in its `<title>`.
    pub unit: &'a str,
    pub series: &'a [&'a str],
    /// Whole counts (requests) print without a decimal.
    pub counts: bool,
}

/// One row of bars (or one column): a label and a value per series.
pub(crate) struct Row {
    pub label: String,
    pub values: Vec<f64>,
}

/// Horizontal bars, one row per label; several series side by side, or stacked when `stacked`.
pub(crate) fn horizontal_bars(chart: &Chart<'_>, rows: &[Row], stacked: bool) -> String {
    let (left, right, top) = (170.0, 70.0, 48.0);
    let width = 760.0;
    let per_row = if stacked { 26.0 } else { 12.0 + 14.0 * chart.series.len() as f64 };
    let plot_h = per_row * rows.len().max(1) as f64;
    let height = top + plot_h + 56.0 + legend_height(chart);
    let plot_w = width - left - right;
    let max = rows
        .iter()
        .map(|r| {
            if stacked {
                r.values.iter().map(|v| v.max(0.0)).sum()
            } else {
                r.values.iter().copied().fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let scale = Scale::new(max);
    let mut body = String::new();
    // Grid and value ticks along the bottom.
    for tick in scale.ticks() {
        let x = left + plot_w * tick / scale.top;
        body.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#e9ecef\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#495057\">{}</text>",
            top + plot_h,
            top + plot_h + 16.0,
            tick_label(tick)
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let y0 = top + per_row * i as f64;
        body.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#212529\">{}</text>",
            left - 8.0,
            y0 + per_row / 2.0 + 4.0,
            escape(&clip(&row.label, 24))
        ));
        let mut x = left;
        for (s, value) in row.values.iter().enumerate() {
            let w = bar_length(*value, scale.top, plot_w);
            let (y, h) = if stacked { (y0 + 4.0, per_row - 8.0) } else { (y0 + 6.0 + 14.0 * s as f64, 12.0) };
            let x_here = if stacked { x } else { left };
            body.push_str(&bar(chart, &row.label, s, *value, (x_here, y, w, h)));
            if stacked {
                x += w;
            } else if *value > 0.0 {
                body.push_str(&value_text(chart, x_here + w + 4.0, y + h - 2.0, *value));
            }
        }
        if stacked {
            let total: f64 = row.values.iter().map(|v| v.max(0.0)).sum();
            body.push_str(&value_text(chart, x + 4.0, y0 + per_row / 2.0 + 4.0, total));
        }
    }
    body.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{:.1}\" stroke=\"#868e96\"/>\
         <line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#868e96\"/>",
        top + plot_h,
        top + plot_h,
        left + plot_w,
        top + plot_h
    ));
    // Horizontal bars: the values run along the bottom, the categories up the side.
    body.push_str(&axis_labels(
        chart.value_axis,
        chart.category_axis,
        (left + plot_w / 2.0, top + plot_h + 38.0),
        (16.0, top + plot_h / 2.0),
    ));
    body.push_str(&legend(chart, top + plot_h + 62.0, left));
    frame(chart, width, height, &describe(chart, rows), &body)
}

/// Vertical columns, one per label, one series.
pub(crate) fn columns(chart: &Chart<'_>, rows: &[Row]) -> String {
    let (left, right, top, bottom) = (64.0, 24.0, 48.0, 64.0);
    // Wide enough for the title, then 110 px a column.
    let width = (110.0 * rows.len() as f64 + left + right).max(480.0);
    let height = 320.0;
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = rows.iter().flat_map(|r| r.values.iter().copied()).fold(0.0, f64::max);
    let scale = Scale::new(max);
    let mut body = String::new();
    for tick in scale.ticks() {
        let y = top + plot_h - plot_h * tick / scale.top;
        body.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e9ecef\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#495057\">{}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0,
            tick_label(tick)
        ));
    }
    let slot = plot_w / rows.len().max(1) as f64;
    for (i, row) in rows.iter().enumerate() {
        let value = row.values.first().copied().unwrap_or(0.0);
        let h = bar_length(value, scale.top, plot_h);
        let w = (slot * 0.6).min(64.0);
        let x = left + slot * i as f64 + (slot - w) / 2.0;
        let y = top + plot_h - h;
        body.push_str(&bar(chart, &row.label, 0, value, (x, y, w, h)));
        body.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#212529\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#212529\">{}</text>",
            x + w / 2.0,
            y - 4.0,
            number(value),
            x + w / 2.0,
            top + plot_h + 16.0,
            escape(&clip(&row.label, 16))
        ));
    }
    body.push_str(&vertical_axes(chart, left, top, plot_w, plot_h));
    frame(chart, width, height, &describe(chart, rows), &body)
}

/// A line per series over the labels (weeks); a missing value breaks the line instead of
/// pretending to be zero.
pub(crate) fn lines(chart: &Chart<'_>, labels: &[String], series: &[Vec<Option<f64>>]) -> String {
    // Room on the right for the last week's label, centred on the last point.
    let (left, right, top, bottom) = (64.0, 48.0, 48.0, 64.0);
    let width = 760.0;
    let height = 320.0 + legend_height(chart);
    let plot_w = width - left - right;
    let plot_h = 320.0 - top - bottom;
    let max = series.iter().flatten().flatten().copied().fold(0.0, f64::max);
    let scale = Scale::new(max);
    let mut body = String::new();
    for tick in scale.ticks() {
        let y = top + plot_h - plot_h * tick / scale.top;
        body.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e9ecef\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#495057\">{}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0,
            tick_label(tick)
        ));
    }
    let step = if labels.len() > 1 { plot_w / (labels.len() - 1) as f64 } else { 0.0 };
    let x_at = |i: usize| if labels.len() > 1 { left + step * i as f64 } else { left + plot_w / 2.0 };
    for (i, label) in labels.iter().enumerate() {
        body.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#212529\">{}</text>",
            x_at(i),
            top + plot_h + 16.0,
            escape(label)
        ));
    }
    for (s, values) in series.iter().enumerate() {
        let colour = COLOURS[s % COLOURS.len()];
        let name = chart.series.get(s).copied().unwrap_or_default();
        let mut path = String::new();
        let mut pen_down = false;
        for (i, value) in values.iter().enumerate() {
            match value {
                Some(v) => {
                    let y = top + plot_h - plot_h * v.max(0.0) / scale.top;
                    path.push_str(&format!("{}{:.1},{y:.1} ", if pen_down { "L" } else { "M" }, x_at(i)));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            body.push_str(&format!(
                "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" data-series=\"{}\"/>",
                path.trim_end(),
                escape(name)
            ));
        }
        for (i, value) in values.iter().enumerate() {
            let Some(v) = value else { continue };
            let label = labels.get(i).map_or("", String::as_str);
            let y = top + plot_h - plot_h * v.max(0.0) / scale.top;
            body.push_str(&format!(
                "<circle class=\"point\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\" data-label=\"{}\" \
                 data-series=\"{}\" data-value=\"{v}\"><title>{}</title></circle>",
                x_at(i),
                escape(label),
                escape(name),
                escape(&value_sentence(chart, label, name, *v))
            ));
        }
    }
    body.push_str(&vertical_axes(chart, left, top, plot_w, plot_h));
    body.push_str(&legend(chart, top + plot_h + 60.0, left));
    let mut description = String::new();
    for (s, values) in series.iter().enumerate() {
        let name = chart.series.get(s).copied().unwrap_or_default();
        let points: Vec<String> = labels
            .iter()
            .zip(values)
            .map(|(label, v)| format!("{label} {}", v.map_or_else(|| "no figure".to_string(), number)))
            .collect();
        description.push_str(&format!("{name} ({}): {}. ", chart.unit, points.join(", ")));
    }
    frame(chart, width, height, description.trim_end(), &body)
}

fn bar(chart: &Chart<'_>, label: &str, series: usize, value: f64, (x, y, w, h): (f64, f64, f64, f64)) -> String {
    let name = chart.series.get(series).copied().unwrap_or_default();
    format!(
        "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"2\" fill=\"{}\" \
         data-label=\"{}\" data-series=\"{}\" data-value=\"{value}\"><title>{}</title></rect>",
        COLOURS[series % COLOURS.len()],
        escape(label),
        escape(name),
        escape(&value_sentence(chart, label, name, value))
    )
}

/// `red tier, first review: 9.0 working hours`.
fn value_sentence(chart: &Chart<'_>, label: &str, series: &str, value: f64) -> String {
    if series.is_empty() {
        format!("{label}: {} {}", figure(chart, value), chart.unit)
    } else {
        format!("{label}, {series}: {} {}", figure(chart, value), chart.unit)
    }
}

fn value_text(chart: &Chart<'_>, x: f64, y: f64, value: f64) -> String {
    format!("<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"11\" fill=\"#212529\">{}</text>", figure(chart, value))
}

fn figure(chart: &Chart<'_>, value: f64) -> String {
    if chart.counts { format!("{value:.0}") } else { number(value) }
}

/// A visible bar for any positive value, however small next to the largest.
fn bar_length(value: f64, top: f64, room: f64) -> f64 {
    if value > 0.0 && value.is_finite() { (room * value / top).clamp(1.5, room) } else { 0.0 }
}

/// The whole figure in words, for the `<desc>` that screen readers announce.
fn describe(chart: &Chart<'_>, rows: &[Row]) -> String {
    if rows.is_empty() {
        return crate::wording::digest::NO_DATA.to_string();
    }
    let parts: Vec<String> = rows
        .iter()
        .map(|row| {
            let values: Vec<String> = row
                .values
                .iter()
                .enumerate()
                .map(|(s, v)| match chart.series.get(s) {
                    Some(name) if chart.series.len() > 1 => format!("{name} {}", figure(chart, *v)),
                    _ => figure(chart, *v),
                })
                .collect();
            format!("{}: {}", row.label, values.join(", "))
        })
        .collect();
    format!("{} ({}). {}.", chart.title, chart.unit, parts.join("; "))
}

fn frame(chart: &Chart<'_>, width: f64, height: f64, description: &str, body: &str) -> String {
    let id = escape(chart.id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" {FONT}>\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <text x=\"12\" y=\"24\" font-size=\"15\" font-weight=\"600\" fill=\"#212529\">{}</text>{body}</svg>",
        escape(chart.title),
        escape(description),
        escape(chart.title)
    )
}

/// Axis titles: `bottom` under the plot at `(hx, hy)`, `side` turned up the left at `(vx, vy)`.
/// The axes of a chart whose categories run along the bottom and values up the side (columns,
/// lines): the bottom and side lines, then their labels.
fn vertical_axes(chart: &Chart<'_>, left: f64, top: f64, plot_w: f64, plot_h: f64) -> String {
    let lines = format!(
        "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#868e96\"/>\
         <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{:.1}\" stroke=\"#868e96\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    lines
        + &axis_labels(
            chart.category_axis,
            chart.value_axis,
            (left + plot_w / 2.0, top + plot_h + 40.0),
            (16.0, top + plot_h / 2.0),
        )
}

fn axis_labels(bottom: &str, side: &str, (hx, hy): (f64, f64), (vx, vy): (f64, f64)) -> String {
    format!(
        "<text class=\"axis-label\" x=\"{hx:.1}\" y=\"{hy:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#495057\">{}</text>\
         <text class=\"axis-label\" x=\"{vx:.1}\" y=\"{vy:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#495057\" \
         transform=\"rotate(-90 {vx:.1} {vy:.1})\">{}</text>",
        escape(bottom),
        escape(side)
    )
}

fn legend_height(chart: &Chart<'_>) -> f64 {
    if chart.series.len() > 1 { 24.0 } else { 0.0 }
}

fn legend(chart: &Chart<'_>, y: f64, left: f64) -> String {
    if chart.series.len() < 2 {
        return String::new();
    }
    let mut out = String::new();
    let mut x = left;
    for (s, name) in chart.series.iter().enumerate() {
        out.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"12\" fill=\"#212529\">{}</text>",
            y - 10.0,
            COLOURS[s % COLOURS.len()],
            x + 16.0,
            escape(name)
        ));
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
    out
}

/// A value axis from zero to a round number, with ticks on 1, 2 or 5 times a power of ten.
struct Scale {
    top: f64,
    step: f64,
}

impl Scale {
    fn new(max: f64) -> Scale {
        let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
        let raw = max / 4.0;
        let power = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= raw).unwrap_or(10.0 * power);
        Scale { top: (max / step).ceil() * step, step }
    }

    fn ticks(&self) -> Vec<f64> {
        let count = (self.top / self.step).round() as usize;
        (0..=count.min(20)).map(|i| self.step * i as f64).collect()
    }
}

fn tick_label(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Long names keep the chart's layout; the full name is in the bar's `<title>` and the table.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_ends_on_a_round_number_above_the_largest_value() {
        let scale = Scale::new(9.0);
        assert_eq!((scale.top, scale.step), (10.0, 5.0));
        assert_eq!(Scale::new(63.0).top, 80.0);
        assert_eq!(Scale::new(0.0).top, 1.0);
        assert_eq!(Scale::new(f64::NAN).top, 1.0);
    }
}
