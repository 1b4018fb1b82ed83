//! Console output that never panics.
//!
//! `println!` panics when stdout is a closed pipe (`civitas run … | head -1`), which would
//! kill a batch before it commits. Everything the CLI prints goes through [`say!`] and
//! [`say_err!`] instead: a write that fails (the reader went away) is dropped, the rest of
//! the console output is skipped, and the command carries on to its normal exit status.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

fn write_to(closed: &AtomicBool, mut sink: impl Write, args: fmt::Arguments<'_>, newline: bool) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let formatted = fmt::format(args);
    let text = terminal_safe(&formatted);
    let written = sink
        .write_all(text.as_bytes())
        .and_then(|()| {
            if newline {
                sink.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| sink.flush());
    if written.is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}

/// `text` with every character a terminal would act on, other than a line break or a
/// tab, written as its escape (`\u{1b}`): a name in a scenario or a result file cannot
/// move the cursor, clear the screen, retitle the window or reorder what is shown.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let acts = |c: char| !civitas_scenario::printable(c) && c != '\n' && c != '\t';
    if !text.chars().any(acts) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes one line to stdout, or nothing once stdout is closed.
pub fn stdout_line(args: fmt::Arguments<'_>) {
    write_to(&STDOUT_CLOSED, std::io::stdout().lock(), args, true);
}

/// Writes text (with its own newlines) to stderr, or nothing once stderr is closed.
pub fn stderr_text(args: fmt::Arguments<'_>) {
    write_to(&STDERR_CLOSED, std::io::stderr().lock(), args, false);
}

/// `println!` that survives a closed stdout.
macro_rules! say {
    ($($arg:tt)*) => { $crate::console::stdout_line(format_args!($($arg)*)) };
}

/// `eprint!` that survives a closed stderr.
macro_rules! say_err {
    ($($arg:tt)*) => { $crate::console::stderr_text(format_args!($($arg)*)) };
}

pub(crate) use {say, say_err};

/// Prints a command's error to stderr: a scenario's diagnostics with their quoted source
/// lines, anything else as `error: what: why` with each cause once (an I/O error that a
/// message already quotes is not repeated).
pub fn report_error(err: &anyhow::Error) {
    // A scenario error that nothing wraps but its own transparent carriers (such as
    // `BatchError::Scenario`) prints as compiler-style diagnostics.
    let mut links = err.chain();
    let scenario_error = links.find_map(|e| e.downcast_ref::<civitas_scenario::ScenarioError>());
    if let Some(scenario_error) = scenario_error {
        let text = scenario_error.to_string();
        let only_carried = err
            .chain()
            .take_while(|e| !e.is::<civitas_scenario::ScenarioError>())
            .all(|e| e.to_string() == text);
        if only_carried && links.next().is_none() {
            say_err!("{}", scenario_error.render());
            return;
        }
    }
    say_err!("error: {}\n", error_chain(err));
}

/// `outer: inner: …`, skipping a cause whose text the message so far already contains.
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escapes_reach_the_terminal_as_text() {
        assert_eq!(
            terminal_safe("a\u{1b}]0;owned\u{7}b\u{9b}c\u{202e}d"),
            "a\\u{1b}]0;owned\\u{7}b\\u{9b}c\\u{202e}d"
        );
        assert_eq!(terminal_safe("line\n\tnext"), "line\n\tnext");
    }
}
