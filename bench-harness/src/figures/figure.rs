//! A figure as data: title, subtitle (the parameters its slice fixed), axes,
//! series and notes, built by each figure's file and read by the renderer and
//! the report; or, when the data cannot draw it, the reason.

use super::id::FigureId;
use crate::select::series::Series;

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic (base 10).
    Log,
}

/// The x axis of a figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum XAxis {
    /// Numbers on a linear or log axis.
    Numeric(Scale),
    /// Named categories at x = 0, 1, 2, … (evenly spaced, not to scale).
    Categories(Vec<String>),
}

/// A plot, as data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    /// Which figure.
    pub(crate) id: FigureId,
    /// The title.
    pub(crate) title: String,
    /// The parameters the plot fixed, as one line.
    pub(crate) context: String,
    /// The x axis description, with units.
    pub(crate) x_label: String,
    /// A short name of x, for table headers.
    pub(crate) x_key: String,
    /// The y axis description, with units.
    pub(crate) y_label: String,
    /// The y quantity's unit, short, for table headers.
    pub(crate) y_key: String,
    /// The x axis.
    pub(crate) x: XAxis,
    /// The y axis scale.
    pub(crate) y_scale: Scale,
    /// Whether series are shifted sideways so that their error bars do not
    /// overlap (categorical axes).
    pub(crate) dodge: bool,
    /// The series, in legend order.
    pub(crate) series: Vec<Series>,
    /// Short remarks printed beside the legend and in the report.
    pub(crate) notes: Vec<String>,
    /// On a log y axis: zeros drawn on their own row, a decade below the
    /// smallest positive value and set off by a break, instead of left out.
    pub(crate) zero_row: bool,
    /// Strategies that refused a workload the figure shows, so that a
    /// reader sees a refusal where there would be a gap.
    pub(crate) refused: Vec<Refusal>,
}

/// A strategy that refused a workload a figure shows (its runs are
/// `unsupported`): a cross at the bottom of the workload's category on a
/// workload axis, and an entry in the legend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    /// The strategy (which fixes the colour).
    pub(crate) strategy: String,
    /// The workload it refused.
    pub(crate) workload: String,
    /// The workload's category on a workload axis; `None` when the figure
    /// shows that one workload only.
    pub(crate) x: Option<f64>,
}

impl Figure {
    /// Figure `id` showing `series`, with `context` (the fixed parameters) as
    /// its subtitle and, as its first note, what markers and bars mean. The
    /// axes are set with [`x_axis`](Self::x_axis) and [`y_axis`](Self::y_axis).
    pub(super) fn new(id: FigureId, context: String, series: Vec<Series>) -> Figure {
        Figure {
            id,
            title: id.title().to_string(),
            context,
            x_label: String::new(),
            x_key: String::new(),
            y_label: String::new(),
            y_key: String::new(),
            x: XAxis::Numeric(Scale::Linear),
            y_scale: Scale::Linear,
            dodge: false,
            notes: vec![note_repetitions(&series)],
            series,
            zero_row: false,
            refused: Vec::new(),
        }
    }

    /// The x axis: a short name for table headers, a description with units.
    pub(super) fn x_axis(mut self, key: &str, label: &str, x: XAxis) -> Figure {
        self.x_key = key.into();
        self.x_label = label.into();
        self.x = x;
        self
    }

    /// The y axis: its unit for table headers, a description with units.
    pub(super) fn y_axis(mut self, key: &str, label: &str, scale: Scale) -> Figure {
        self.y_key = key.into();
        self.y_label = label.into();
        self.y_scale = scale;
        self
    }

    /// Series shifted sideways so that their error bars do not overlap.
    pub(super) fn dodged(mut self) -> Figure {
        self.dodge = true;
        self
    }

    /// Zeros on their own row below a log y axis (see [`Figure::zero_row`]).
    pub(super) fn zero_row(mut self) -> Figure {
        self.zero_row = true;
        self
    }

    /// One more remark for the legend and the report.
    pub(super) fn note(mut self, note: impl Into<String>) -> Figure {
        self.notes.push(note.into());
        self
    }
}

/// A plot that was not drawn, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Skipped {
    /// The figure.
    pub(crate) id: FigureId,
    /// Why there is no plot.
    pub(crate) reason: String,
}

impl Skipped {
    /// Figure `id`, not drawn, because of `reason`.
    pub(super) fn new(id: FigureId, reason: &str) -> Skipped {
        Skipped {
            id,
            reason: reason.into(),
        }
    }
}

/// A note on what markers and bars mean, with the repetitions per point.
fn note_repetitions(series: &[Series]) -> String {
    let counts: Vec<usize> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.y.count))
        .collect();
    let lo = counts.iter().min().copied().unwrap_or(0);
    let hi = counts.iter().max().copied().unwrap_or(0);
    let reps = match (lo, hi) {
        (1, 1) => "1 repetition".to_string(),
        (a, b) if a == b => format!("{a} repetitions"),
        (a, b) => format!("{a}–{b} repetitions"),
    };
    format!("Filled marker: median; bar/band: min–max over {reps} per point; open circles: single runs.")
}

/// The note of the figures that leave out unfinished runs.
pub(super) const LEFT_OUT: &str = "Runs that hung or failed with an error are left out.";

/// Log when the values span more than a factor of 30, else linear.
pub(super) fn auto_scale(values: &[f64]) -> Scale {
    let lo = values
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    if lo.is_finite() && hi / lo > 30.0 {
        Scale::Log
    } else {
        Scale::Linear
    }
}
