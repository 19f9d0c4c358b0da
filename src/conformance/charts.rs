//! The report's charts, drawn as SVG by `plotters` (its SVG backend only:
//! no fonts are loaded, text stays text). Every chart is a horizontal bar
//! chart with a text alternative: `role="img"`, a `<title>` and a `<desc>`
//! that say what it shows; the report prints the same numbers as a table
//! beside it. Colours are the Okabe–Ito palette, which stays distinct under
//! the common colour-vision deficiencies, and every bar carries its number.

use super::{BodyMembership, SystemReport};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe–Ito.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

const WIDTH: u32 = 720;
const FONT: &str = "sans-serif";

/// One bar: its row (top first), its series (colour and legend), where it
/// starts and ends on the value axis, its slot within the row (grouped
/// bars) and the number written at its end.
struct Bar {
    row: usize,
    series: usize,
    from: f64,
    to: f64,
    slot: usize,
    label: Option<String>,
}

struct HBars {
    id: String,
    title: String,
    desc: String,
    rows: Vec<String>,
    series: Vec<(String, RGBColor)>,
    slots: usize,
    bars: Vec<Bar>,
    x_max: f64,
    x_desc: String,
    percent: bool,
}

fn escape(s: &str) -> String {
    crate::safe::xml_chars(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The most characters on one line of a row's name: a longer name (a
/// source's title) wraps onto a second line, and a third, never clipped.
const LABEL_CHARS: usize = 30;

/// `name` in lines of at most [`LABEL_CHARS`] characters, broken at
/// spaces (a word longer than a line is a line of its own).
fn wrap(name: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= LABEL_CHARS => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Approximate width in pixels of `text` at 14px sans-serif.
fn text_px(text: &str) -> i32 {
    8 * text.chars().count() as i32
}

/// Where each legend entry goes, `(x, y)` from the legend's top left:
/// in a row after the row names when they all fit there, else from the
/// left edge, wrapping onto further rows so that none is cut off at the
/// chart's right edge. The second value is the number of rows.
fn legend_layout(series: &[(String, RGBColor)], start: i32) -> (Vec<(i32, i32)>, i32) {
    let width = |name: &str| 20 + text_px(name) + 24;
    let total: i32 = series.iter().map(|(n, _)| width(n)).sum();
    let right = WIDTH as i32 - 8;
    let mut x = if start + total <= right { start } else { 8 };
    let (mut y, mut rows) = (8, 1);
    let mut at = Vec::new();
    for (name, _) in series {
        if x > 8 && x + width(name) - 24 > right {
            x = 8;
            y += 24;
            rows += 1;
        }
        at.push((x, y));
        x += width(name);
    }
    (at, rows)
}

impl HBars {
    fn draw(&self) -> Result<String, String> {
        let labels: Vec<Vec<String>> = self.rows.iter().map(|r| wrap(r)).collect();
        let lines = labels.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
        let row_h = (22 + 16 * self.slots as u32).max(8 + 16 * lines);
        let label_w = labels
            .iter()
            .flatten()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, LABEL_CHARS) as u32
            * 7
            + 16;
        let (legend_at, legend_rows) = legend_layout(&self.series, label_w as i32 + 8);
        let legend_h = 10 + 24 * legend_rows as u32;
        let height = 20 + 44 + row_h * self.rows.len().max(1) as u32 + legend_h;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let (plot, legend) = root.split_vertically(height - legend_h);
            let n = self.rows.len().max(1) as f64;
            let mut chart = ChartBuilder::on(&plot)
                .margin_top(16)
                .margin_right(56)
                .margin_left(8)
                .x_label_area_size(44)
                .y_label_area_size(label_w)
                .build_cartesian_2d(0f64..self.x_max, 0f64..n)
                .map_err(|e| e.to_string())?;
            let percent = self.percent;
            let ticks = if percent {
                11
            } else {
                (self.x_max as usize + 1).min(11)
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(WHITE)
                .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
                .x_labels(ticks)
                .x_desc(self.x_desc.as_str())
                .label_style((FONT, 14))
                .axis_desc_style((FONT, 14))
                .x_label_formatter(&|x| {
                    if percent {
                        format!("{x:.0}%")
                    } else {
                        format!("{x:.0}")
                    }
                })
                .y_labels(0)
                .draw()
                .map_err(|e| e.to_string())?;
            // Row names, right-aligned against the axis, centred on their band.
            // A name of several lines is centred as a whole.
            for (i, name) in labels.iter().enumerate() {
                let at = chart.backend_coord(&(0.0, n - i as f64 - 0.5));
                let top = at.1 - 8 * (name.len() as i32 - 1);
                for (k, line) in name.iter().enumerate() {
                    let style = TextStyle::from((FONT, 14).into_font())
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Right, VPos::Center));
                    plot.draw(&Text::new(
                        line.clone(),
                        (at.0 - 8, top + 16 * k as i32),
                        style,
                    ))
                    .map_err(|e| e.to_string())?;
                }
            }
            // Row 0 at the top: its band is [n-1, n].
            let band = |b: &Bar| {
                let top = n - b.row as f64 - 0.15;
                let h = 0.7 / self.slots as f64;
                let y1 = top - h * b.slot as f64;
                (y1 - h, y1)
            };
            for (si, (_, colour)) in self.series.iter().enumerate() {
                let colour = *colour;
                chart
                    .draw_series(self.bars.iter().filter(|b| b.series == si).map(|b| {
                        let (y0, y1) = band(b);
                        Rectangle::new([(b.from, y0), (b.to.max(b.from), y1)], colour.filled())
                    }))
                    .map_err(|e| e.to_string())?;
            }
            for b in &self.bars {
                if let Some(l) = &b.label {
                    let (y0, y1) = band(b);
                    let style = TextStyle::from((FONT, 13).into_font())
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center));
                    let at = chart.backend_coord(&(b.to, (y0 + y1) / 2.0));
                    plot.draw(&Text::new(l.clone(), (at.0 + 4, at.1), style))
                        .map_err(|e| e.to_string())?;
                }
            }
            for ((name, colour), (x, y)) in self.series.iter().zip(legend_at) {
                legend
                    .draw(&Rectangle::new([(x, y), (x + 14, y + 14)], colour.filled()))
                    .map_err(|e| e.to_string())?;
                legend
                    .draw(&Text::new(name.clone(), (x + 20, y + 1), (FONT, 14)))
                    .map_err(|e| e.to_string())?;
            }
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(self.accessible(svg))
    }

    /// `role="img"`, `<title>` and `<desc>` on the chart's root element.
    fn accessible(&self, svg: String) -> String {
        let start = svg.find("<svg").unwrap_or(0);
        let Some(end) = svg[start..].find('>').map(|e| start + e) else {
            return svg;
        };
        let id = &self.id;
        let open = svg[start..end].replacen(
            "<svg ",
            &format!(
                "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" "
            ),
            1,
        );
        format!(
            "{open}><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
            escape(&self.title),
            escape(&self.desc),
            &svg[end + 1..]
        )
    }
}

/// A finished chart: the SVG and the sentence a screen reader speaks.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub svg: String,
}

fn finish(c: HBars) -> Chart {
    let svg = c.draw().unwrap_or_else(|e| {
        format!(
            "<p class=\"chart-error\">The chart could not be drawn ({}); the table gives its numbers.</p>",
            escape(&e)
        )
    });
    Chart {
        id: c.id,
        title: c.title,
        desc: c.desc,
        svg,
    }
}

/// Findings by source and severity, stacked: error, warning, advice, explained.
pub fn findings(s: &SystemReport) -> Chart {
    let series = vec![
        ("Error".to_string(), VERMILLION),
        ("Warning".to_string(), ORANGE),
        ("Advice".to_string(), BLUE),
        ("Explained".to_string(), BLUISH_GREEN),
    ];
    let mut bars = Vec::new();
    let mut max: f64 = 1.0;
    let mut parts = Vec::new();
    for (row, c) in s.findings_by_source.iter().enumerate() {
        let mut at = 0.0;
        for (si, n) in [c.error, c.warning, c.advice, c.explained]
            .into_iter()
            .enumerate()
        {
            if n > 0 {
                bars.push(Bar {
                    row,
                    series: si,
                    from: at,
                    to: at + n as f64,
                    slot: 0,
                    label: None,
                });
                at += n as f64;
            }
        }
        if let Some(last) = bars.last_mut().filter(|b| b.row == row) {
            last.label = Some(format!("{at:.0}"));
        }
        max = max.max(at);
        parts.push(format!(
            "{}: {} errors, {} warnings, {} advice, {} explained",
            c.title, c.error, c.warning, c.advice, c.explained
        ));
    }
    let desc = if parts.is_empty() {
        "No findings.".to_string()
    } else {
        format!("{}.", parts.join("; "))
    };
    finish(HBars {
        id: format!("chart-findings-{}", s.id),
        title: format!("Findings by source and severity, {}", s.name),
        desc,
        // The sources' titles, as the report's tables name them, not the
        // packs' IDs.
        rows: s
            .findings_by_source
            .iter()
            .map(|c| c.title.clone())
            .collect(),
        series,
        slots: 1,
        bars,
        x_max: (max * 1.1).ceil(),
        x_desc: "findings".into(),
        percent: false,
    })
}

/// Members per category against the fewest the sources recommend.
pub fn membership(s: &SystemReport, b: &BodyMembership) -> Chart {
    let mut bars = Vec::new();
    let mut max: f64 = 1.0;
    let mut parts = Vec::new();
    for (row, r) in b.rows.iter().enumerate() {
        bars.push(Bar {
            row,
            series: 0,
            from: 0.0,
            to: r.members as f64,
            slot: 0,
            label: Some(r.members.to_string()),
        });
        max = max.max(r.members as f64);
        match r.recommended {
            Some(n) => {
                bars.push(Bar {
                    row,
                    series: 1,
                    from: 0.0,
                    to: n as f64,
                    slot: 1,
                    label: Some(n.to_string()),
                });
                max = max.max(n as f64);
                parts.push(format!(
                    "{}: {} (at least {n} recommended)",
                    r.label, r.members
                ));
            }
            None => parts.push(format!(
                "{}: {} (no number recommended)",
                r.label, r.members
            )),
        }
    }
    finish(HBars {
        id: format!("chart-membership-{}-{}", s.id, b.body.to_lowercase()),
        title: format!("{} membership by category: {}", b.body, b.name),
        desc: format!("{}.", parts.join("; ")),
        rows: b.rows.iter().map(|r| r.label.to_string()).collect(),
        series: vec![
            ("Members".to_string(), BLUE),
            ("Recommended minimum".to_string(), ORANGE),
        ],
        slots: 2,
        bars,
        x_max: (max + 1.0).ceil(),
        x_desc: "members".into(),
        percent: false,
    })
}

/// Each authority's share of its population in the system, coloured by its
/// CCN type.
pub fn typology(s: &SystemReport) -> Chart {
    let series: Vec<(String, RGBColor)> = vec![
        ("Type 1".into(), BLUISH_GREEN),
        ("Type 2".into(), SKY_BLUE),
        ("Type 3".into(), ORANGE),
        ("Type 4 (split)".into(), VERMILLION),
        ("No type".into(), GREY),
    ];
    let mut parts = Vec::new();
    let bars = s
        .authorities
        .iter()
        .enumerate()
        .map(|(row, a)| {
            parts.push(format!(
                "{}: {}% of its population in this system, {}",
                a.name,
                crate::syntax::fmt_num(a.share),
                a.typology_label
            ));
            Bar {
                row,
                series: a.typology.map_or(4, |k| (k as usize).clamp(1, 4) - 1),
                from: 0.0,
                to: a.share.clamp(0.0, 100.0),
                slot: 0,
                label: Some(format!("{}%", crate::syntax::fmt_num(a.share))),
            }
        })
        .collect();
    finish(HBars {
        id: format!("chart-typology-{}", s.id),
        title: format!("Authorities' typology and shares: {}", s.name),
        desc: if parts.is_empty() {
            "No authority has a share in this system.".into()
        } else {
            format!("{}.", parts.join("; "))
        },
        rows: s.authorities.iter().map(|a| a.name.clone()).collect(),
        series,
        slots: 1,
        bars,
        x_max: 100.0,
        x_desc: "share of the authority's population in this system".into(),
        percent: true,
    })
}

#[cfg(test)]
mod tests {
    use super::{legend_layout, text_px, wrap, LABEL_CHARS, WIDTH};
    use plotters::style::RGBColor;

    /// A source's title wraps at spaces into lines the label area holds.
    #[test]
    fn long_row_names_wrap_at_spaces() {
        let lines = wrap("The law and NHS England's constitution guidance");
        assert_eq!(
            lines,
            ["The law and NHS England's", "constitution guidance"]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= LABEL_CHARS));
        assert_eq!(wrap("Type 1"), ["Type 1"]);
    }

    /// Every legend entry ends inside the chart, however wide the row
    /// names push its start.
    #[test]
    fn the_legend_is_never_cut_off() {
        let series: Vec<(String, RGBColor)> =
            ["Type 1", "Type 2", "Type 3", "Type 4 (split)", "No type"]
                .iter()
                .map(|n| (n.to_string(), RGBColor(0, 0, 0)))
                .collect();
        for start in [40, 200, 300, 600] {
            let (at, _) = legend_layout(&series, start);
            for ((name, _), (x, _)) in series.iter().zip(at) {
                assert!(
                    x + 20 + text_px(name) <= WIDTH as i32,
                    "{name} at {x} (start {start})"
                );
            }
        }
    }

    /// A title or label holds the documents' names: markup and the
    /// characters XML forbids never reach the SVG raw.
    #[test]
    fn svg_text_is_escaped_and_xml_safe() {
        assert_eq!(
            super::escape("<a href=\"x\">&\u{1}\u{FFFE}]]>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;\\u{1}\\u{fffe}]]&gt;"
        );
    }
}
