//! Loads `report.html` from disk in headless Chromium: a script checks that every
//! scorecard row and every plot is present and visible, and a screenshot is saved to
//! `target/tmp/report-browser/screenshot.png`.
//!
//! A missing Chromium fails the test, with how to install it; outside CI it may be
//! skipped on purpose with `CIVITAS_SKIP_BROWSER=1`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use civitas_report::{Report, run_figures};

/// Longest a Chromium run may take before the test gives up on it.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs Chromium headless with `args` plus the flags it needs in a container, returning
/// stdout.
fn run_chromium(browser: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read stdout while Chromium runs: the dumped DOM is larger than a pipe buffer.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let started = Instant::now();
    loop {
        if child.try_wait().expect("chromium status").is_some() {
            break;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            panic!("chromium did not finish within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("stdout reader")
}

/// The checks the page runs on itself once loaded; the verdict lands in `#verdict`.
fn verdict_script(rows: usize, plots: usize) -> String {
    format!(
        r#"<script>
window.addEventListener('load', function () {{
  var problems = [];
  // The breakdowns start folded; a reader unfolds them, and so does the check.
  var folded = document.querySelectorAll('details.fold:not([open])');
  if (folded.length === 0) problems.push('no folded section');
  document.querySelectorAll('details').forEach(function (d) {{ d.open = true; }});
  function visible(el) {{
    var r = el.getBoundingClientRect();
    var s = getComputedStyle(el);
    return r.width > 100 && r.height > 50 && s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0;
  }}
  var rows = document.querySelectorAll('table.scorecard tbody tr.target-row');
  if (rows.length !== {rows}) problems.push('scorecard rows ' + rows.length + ' != {rows}');
  rows.forEach(function (row, i) {{
    var r = row.getBoundingClientRect();
    if (!(r.height > 10 && r.width > 300)) problems.push('row ' + i + ' not visible');
    if (!row.querySelector('.status')) problems.push('row ' + i + ' has no status');
  }});
  var figures = document.querySelectorAll('figure.plot');
  if (figures.length !== {plots}) problems.push('plots ' + figures.length + ' != {plots}');
  figures.forEach(function (fig) {{
    var svg = fig.querySelector('svg');
    if (!svg) {{ problems.push(fig.id + ' has no svg'); return; }}
    if (!visible(svg)) problems.push(fig.id + ' not visible');
    if (svg.querySelectorAll('text').length === 0) problems.push(fig.id + ' has no text');
  }});
  var glance = document.getElementById('at-a-glance');
  if (!glance || !visible(glance)) problems.push('at-a-glance missing');
  var out = document.createElement('pre');
  out.id = 'verdict';
  out.textContent = problems.length ? 'FAIL ' + problems.join('; ') : 'PASS rows=' + rows.length + ' plots=' + figures.length;
  document.body.appendChild(out);
}});
</script>
"#
    )
}

#[test]
fn report_page_shows_every_scorecard_row_and_plot_in_chromium() {
    let Some(browser) = chromium() else {
        // A missing browser never passes silently: skipping takes an explicit opt-out,
        // and CI may not opt out.
        let opted_out = std::env::var_os("CIVITAS_SKIP_BROWSER").is_some_and(|v| v == "1");
        assert!(
            opted_out && std::env::var_os("CI").is_none(),
            "Chromium not found: install it (apt-get install chromium, or set CHROMIUM to its \
             path) to run the browser test of report.html, or set CIVITAS_SKIP_BROWSER=1 to \
             skip it outside CI"
        );
        eprintln!("SKIPPED (CIVITAS_SKIP_BROWSER=1): Chromium not found");
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = std::fs::remove_dir_all(&dir);
    let result = common::synthetic_sweep(&common::baseline_result());
    let files = Report::write(&result, &dir).expect("report writes");
    let page = files.html.expect("report.html written");
    let rows = result.targets.len();
    // Every figure but the scorecard's picture (the page's scorecard is its table).
    let plots = run_figures(&result)
        .iter()
        .filter(|f| f.stem != "scorecard")
        .count();

    // The checked copy carries the verdict script; the report itself has none.
    let html = std::fs::read_to_string(&page).unwrap();
    let checked = dir.join("report-checked.html");
    std::fs::write(
        &checked,
        html.replace("</body>", &(verdict_script(rows, plots) + "</body>")),
    )
    .unwrap();
    let profile = dir.join("chromium-profile");
    let url = |p: &Path| format!("file://{}", p.canonicalize().unwrap().display());
    let dom = run_chromium(
        &browser,
        &profile,
        &[
            "--virtual-time-budget=5000".to_string(),
            "--dump-dom".to_string(),
            url(&checked),
        ],
    );
    let verdict = dom
        .split("<pre id=\"verdict\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| {
            panic!(
                "no verdict in the page; chromium printed {} bytes",
                dom.len()
            )
        });
    assert_eq!(verdict, format!("PASS rows={rows} plots={plots}"));

    let screenshot = dir.join("screenshot.png");
    run_chromium(
        &browser,
        &profile,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,2000".to_string(),
            url(&page),
        ],
    );
    let file = std::fs::File::open(&screenshot).expect("screenshot saved");
    let info = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("screenshot is a PNG");
    assert_eq!((info.info().width, info.info().height), (1280, 2000));
    eprintln!("screenshot: {}", screenshot.display());
}
