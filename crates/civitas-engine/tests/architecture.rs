//! ARCHITECTURE.md stays true: every crate and every module of every crate is in its
//! code and module maps, and no engine module imports one above it in the layers it
//! lists ("Engine layers": a module uses only modules of lower layers).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn architecture() -> String {
    fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable")
}

/// The text of the section headed `## {title}`, up to the next `## ` heading.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let heading = format!("\n## {title}\n");
    let start = text
        .find(&heading)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has a section `## {title}`"))
        + heading.len();
    let rest = &text[start..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// The words between backticks in `text`.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The modules of a crate's `src`: each `.rs` file but the crate root, and each folder,
/// by name.
fn modules(src: &Path) -> Vec<(String, bool)> {
    let mut found: Vec<(String, bool)> = fs::read_dir(src)
        .expect("a crate has src/")
        .map(|e| e.expect("a directory entry").path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            if p.is_dir() {
                Some((name, true))
            } else {
                let stem = name.strip_suffix(".rs")?;
                (stem != "lib" && stem != "main").then(|| (stem.to_string(), false))
            }
        })
        .collect();
    found.sort();
    found
}

fn crates() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("crates"))
        .expect("crates/ is readable")
        .map(|e| e.expect("a directory entry").file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| root().join("crates").join(n).join("Cargo.toml").is_file())
        .collect();
    names.sort();
    names
}

#[test]
fn every_crate_and_module_is_on_the_maps() {
    let text = architecture();
    let code_map = section(&text, "Code map");
    let module_map = section(&text, "Module map");
    // Each crate's bullet of the module map: from `- \`name\`:` to the next bullet.
    let mut bullets: BTreeMap<&str, String> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in module_map.lines() {
        if let Some(rest) = line.strip_prefix("- `")
            && let Some((name, _)) = rest.split_once('`')
        {
            current = Some(name);
        }
        if let Some(name) = current {
            let bullet = bullets.entry(name).or_default();
            bullet.push_str(line);
            bullet.push('\n');
        }
    }
    let mut missing = Vec::new();
    for krate in crates() {
        if !code_map.contains(&format!("`crates/{krate}`")) {
            missing.push(format!("crate {krate} in the code map"));
        }
        let Some(bullet) = bullets.get(krate.as_str()) else {
            missing.push(format!("crate {krate} in the module map"));
            continue;
        };
        let named = quoted(bullet);
        for (module, is_dir) in modules(&root().join("crates").join(&krate).join("src")) {
            let as_file = if is_dir {
                format!("{module}/")
            } else {
                format!("{module}.rs")
            };
            let on_map = named
                .iter()
                .any(|q| *q == module || q.starts_with(&as_file) || *q == as_file);
            if !on_map {
                missing.push(format!("{krate}: `{as_file}` in the module map"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md lacks: {}",
        missing.join("; ")
    );
}

/// The engine's layers, bottom first, from the numbered list of "## Engine layers": the
/// modules quoted before the first `:` of each item.
fn layers(text: &str) -> BTreeMap<String, usize> {
    // Each item with its continuation lines (indented) joined to it.
    let mut items: Vec<String> = Vec::new();
    for line in section(text, "Engine layers").lines() {
        match items.last_mut() {
            Some(item) if line.starts_with(' ') && !line.trim().is_empty() => {
                item.push(' ');
                item.push_str(line.trim());
            }
            _ => items.push(line.to_string()),
        }
    }
    let mut layer_of = BTreeMap::new();
    for line in &items {
        let Some((number, rest)) = line.split_once(". ") else {
            continue;
        };
        let Ok(layer) = number.trim().parse::<usize>() else {
            continue;
        };
        let names = rest.split_once(':').map_or(rest, |(names, _)| names);
        for module in quoted(names) {
            let before = layer_of.insert(module.to_string(), layer);
            assert!(before.is_none(), "`{module}` is in two engine layers");
        }
    }
    layer_of
}

/// The source of `path` that builds the library: comments and the test module at the
/// end (`#[cfg(test)]` then `mod …`) left out.
fn library_code(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("a source file is readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut code = String::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        code.push_str(line.split(" // ").next().unwrap_or(line));
        code.push('\n');
    }
    code
}

/// The names `code` reaches through `crate::` (first path segment), grouped imports
/// included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let first = item.trim().split("::").next().unwrap_or("");
                if !first.is_empty() {
                    names.push(first.to_string());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

/// What the engine's root re-exports, by name, and the module it comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut from = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim_end_matches(';').trim_matches(['{', '}']);
        for item in items.split(',') {
            from.insert(item.trim().to_string(), module.to_string());
        }
    }
    from
}

#[test]
fn no_engine_module_imports_one_above_it() {
    let text = architecture();
    let layer_of = layers(&text);
    let src = root().join("crates/civitas-engine/src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let reexported = reexports(&lib);
    let mut problems = Vec::new();
    for (module, is_dir) in modules(&src) {
        let Some(&layer) = layer_of.get(&module) else {
            problems.push(format!("`{module}` is in no engine layer"));
            continue;
        };
        let files: Vec<PathBuf> = if is_dir {
            fs::read_dir(src.join(&module))
                .expect("a module folder is readable")
                .map(|e| e.expect("a directory entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .collect()
        } else {
            vec![src.join(format!("{module}.rs"))]
        };
        for file in files {
            for name in crate_paths(&library_code(&file)) {
                let used = reexported.get(&name).cloned().unwrap_or(name);
                if used == module {
                    continue;
                }
                match layer_of.get(&used) {
                    Some(&l) if l < layer => {}
                    Some(&l) => problems.push(format!(
                        "{}: `{module}` (layer {layer}) uses `{used}` (layer {l})",
                        file.display()
                    )),
                    None => {}
                }
            }
        }
    }
    for module in layer_of.keys() {
        if !src.join(format!("{module}.rs")).is_file() && !src.join(module).is_dir() {
            problems.push(format!("`{module}` is listed but is no engine module"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks above find what they look for.
#[test]
fn the_checks_see_imports_and_layers() {
    let code =
        "use crate::{census, city::City};\n// crate::pass\nfn f() { crate::math::exp(1.0); }\n";
    let path = std::env::temp_dir().join(format!("civitas-arch-{}.rs", std::process::id()));
    fs::write(
        &path,
        format!("{code}#[cfg(test)]\nmod tests {{ use crate::schedule; }}\n"),
    )
    .expect("a temporary file");
    let found = crate_paths(&library_code(&path));
    fs::remove_file(&path).ok();
    assert_eq!(found, ["census", "city", "math"]);
    let text =
        "x\n## Engine layers\n1. `math`, `rng`: bottom\n2. `city`,\n   `pass`: above\n## Next\n";
    let layer_of = layers(text);
    assert_eq!(layer_of["math"], 1);
    assert_eq!(layer_of["city"], 2);
    assert_eq!(layer_of["pass"], 2);
    assert_eq!(
        reexports("pub use sizing::{most_agents, ExpectedPath};")["most_agents"],
        "sizing"
    );
}
