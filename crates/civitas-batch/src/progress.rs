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
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}  {msg}",
                )
                .expect("the progress template is valid"),
            );
            if already > 0 {
                bar.set_message(format!("({already} resumed)"));
            }
            Sink::Bar(bar)
        } else {
            eprintln!("civitas: {todo} runs to do ({already} already finished)");
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
                    eprintln!(
                        "civitas: {}/{} runs done ({rate:.2} runs/s, about {left:.0} s left)",
                        s.done, self.total
                    );
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
