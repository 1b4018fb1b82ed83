//! Progress of a batch on stderr: an indicatif bar on a terminal, plain periodic lines
//! otherwise (CI logs).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Seconds between plain log lines.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

enum Sink {
    Hidden,
    Bar(ProgressBar),
    Log(Mutex<LogState>),
}

struct LogState {
    done: u64,
    last_line: Instant,
}

/// Counts finished runs and shows them.
pub(crate) struct Progress {
    sink: Sink,
    total: u64,
    start: Instant,
}

impl Progress {
    /// Progress over `total` runs of which `already` were finished before (resume).
    pub fn new(enabled: bool, total: u64, already: u64) -> Progress {
        let todo = total - already;
        let sink = if !enabled || todo == 0 {
            Sink::Hidden
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(todo);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {rate}  ETA {eta}  {msg}")
                    .expect("the progress template is valid")
                    .with_key(
                        "rate",
                        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&format_rate(state.per_sec()));
                        },
                    ),
            );
            if already > 0 {
                bar.set_message(format!("({already} resumed)"));
            }
            Sink::Bar(bar)
        } else {
            log_line(format_args!(
                "civitas: {todo} runs to do ({already} already finished)"
            ));
            Sink::Log(Mutex::new(LogState {
                done: 0,
                last_line: Instant::now(),
            }))
        };
        Progress {
            sink,
            total: todo,
            start: Instant::now(),
        }
    }

    /// One more run finished.
    pub fn run_finished(&self) {
        match &self.sink {
            Sink::Hidden => {}
            Sink::Bar(bar) => bar.inc(1),
            Sink::Log(state) => {
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                s.done += 1;
                if s.last_line.elapsed() >= LOG_INTERVAL || s.done == self.total {
                    s.last_line = Instant::now();
                    let secs = self.start.elapsed().as_secs_f64().max(1e-9);
                    let rate = s.done as f64 / secs;
                    let left = (self.total - s.done) as f64 / rate.max(1e-9);
                    log_line(format_args!(
                        "civitas: {}/{} runs done ({}, about {left:.0} s left)",
                        s.done,
                        self.total,
                        format_rate(rate)
                    ));
                }
            }
        }
    }

    /// All runs finished.
    pub fn finish(&self) {
        if let Sink::Bar(bar) = &self.sink {
            bar.finish_and_clear();
        }
    }
}

/// Writes one line to stderr. A closed stderr (`2>&1 | head -1`) must not stop the batch:
/// `eprintln!` would panic there, so a failed write is dropped.
pub(crate) fn log_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// A run rate with three significant figures in the unit that reads best: `94.7 runs/s`
/// for fast runs, `12.3 s/run` for slow ones (big cities), where runs/s would be `0.08`.
pub(crate) fn format_rate(runs_per_second: f64) -> String {
    if !runs_per_second.is_finite() || runs_per_second <= 0.0 {
        return "- runs/s".to_string();
    }
    let (value, unit) = if runs_per_second >= 1.0 {
        (runs_per_second, "runs/s")
    } else {
        (1.0 / runs_per_second, "s/run")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::format_rate;

    #[test]
    fn rates_read_with_three_significant_figures() {
        assert_eq!(format_rate(94.7183), "94.7 runs/s");
        assert_eq!(format_rate(1234.56), "1235 runs/s");
        assert_eq!(format_rate(2.5), "2.50 runs/s");
        assert_eq!(format_rate(0.08), "12.5 s/run");
        assert_eq!(format_rate(0.0), "- runs/s");
    }
}
