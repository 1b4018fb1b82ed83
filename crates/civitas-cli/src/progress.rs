//! A batch's progress on stderr: an indicatif bar on a terminal, plain periodic lines
//! otherwise (CI logs). The batch library only reports through
//! [`civitas_batch::BatchProgress`]; this is where it is drawn.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::console::say_err;

/// Seconds between plain log lines.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

enum Sink {
    Hidden,
    Bar(ProgressBar),
    Log(LogState),
}

struct LogState {
    done: u64,
    last_line: Instant,
}

struct State {
    sink: Sink,
    total: u64,
    start: Instant,
}

/// The one renderer of the process: the CLI runs one batch at a time.
pub static CONSOLE: std::sync::LazyLock<ConsoleProgress> =
    std::sync::LazyLock::new(ConsoleProgress::new);

/// Renders a batch's progress on stderr.
pub struct ConsoleProgress {
    state: Mutex<State>,
}

impl ConsoleProgress {
    /// Nothing shown until the batch starts.
    pub fn new() -> ConsoleProgress {
        ConsoleProgress {
            state: Mutex::new(State {
                sink: Sink::Hidden,
                total: 0,
                start: Instant::now(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl civitas_batch::BatchProgress for ConsoleProgress {
    fn started(&self, total: u64, already: u64) {
        let todo = total - already;
        let sink = if todo == 0 {
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
            say_err!("civitas: {todo} runs to do ({already} already finished)\n");
            Sink::Log(LogState {
                done: 0,
                last_line: Instant::now(),
            })
        };
        *self.state() = State {
            sink,
            total: todo,
            start: Instant::now(),
        };
    }

    fn run_finished(&self) {
        let mut state = self.state();
        let (total, start) = (state.total, state.start);
        match &mut state.sink {
            Sink::Hidden => {}
            Sink::Bar(bar) => bar.inc(1),
            Sink::Log(s) => {
                s.done += 1;
                if s.last_line.elapsed() >= LOG_INTERVAL || s.done == total {
                    s.last_line = Instant::now();
                    let secs = start.elapsed().as_secs_f64().max(1e-9);
                    let rate = s.done as f64 / secs;
                    let left = (total - s.done) as f64 / rate.max(1e-9);
                    say_err!(
                        "civitas: {}/{} runs done ({}, about {left:.0} s left)\n",
                        s.done,
                        total,
                        format_rate(rate)
                    );
                }
            }
        }
    }

    fn finished(&self) {
        if let Sink::Bar(bar) = &self.state().sink {
            bar.finish_and_clear();
        }
    }

    fn note(&self, message: &str) {
        let state = self.state();
        match &state.sink {
            Sink::Bar(bar) => bar.suspend(|| say_err!("civitas: {message}\n")),
            _ => say_err!("civitas: {message}\n"),
        }
    }
}

/// A run rate with three significant figures in the unit that reads best: `94.7 runs/s`
/// for fast runs, `12.3 s/run` for slow ones (big cities), where runs/s would be `0.08`.
pub fn format_rate(runs_per_second: f64) -> String {
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
