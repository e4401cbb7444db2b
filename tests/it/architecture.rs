//! The house's rule, checked: no module imports a module that imports it (directly or round a
//! longer circle), in any crate of the workspace. A module may use what its own submodules
//! define (a parent is made of its children); every other `crate::`, `super::` and `self::`
//! path is an import of the module it names. A name the crate root re-exports (`crate::Thing`
//! for `pub use a::b::Thing;` in `lib.rs`) is an import of the module it comes from, not of the
//! root: going round by the root is no way out of a circle. Paths in comments and in
//! `#[cfg(test)]` modules at the end of a file do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates whose insides are checked.
const CRATES: [&str; 4] = ["flow", "storage", "bot", "sandbox"];

/// A crate's modules (`""` is the crate root, `a::b` a module), each with its source.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let Some(name) = module_name(rel) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.insert(name, text);
        }
    }
    out
}

/// `lib.rs` → `""`, `a.rs` and `a/mod.rs` → `a`, `a/b.rs` → `a::b`; binaries are not modules.
fn module_name(rel: &Path) -> Option<String> {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let (last, dirs) = parts.split_last()?;
    if dirs.first().is_some_and(|d| d == "bin") || (dirs.is_empty() && last == "main.rs") {
        return None;
    }
    let stem = last.trim_end_matches(".rs");
    let mut path: Vec<&str> = dirs.iter().map(String::as_str).collect();
    if stem != "mod" && stem != "lib" {
        path.push(stem);
    }
    Some(path.join("::"))
}

/// The code of a file without comments and without its trailing `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path starting at `crate`, `super` or `self`, with `use` groups spread out
/// (`use crate::{a, b::c}` is `crate::a` and `crate::b::c`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|p| chars[i..].starts_with(&p.chars().collect::<Vec<_>>()[..]));
        let boundary = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        match starts {
            Some(_) if boundary => {
                let (found, end) = read_path(&chars, i, Vec::new());
                out.extend(found);
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// Reads one path (with groups) from `at`, after the segments in `prefix`.
fn read_path(chars: &[char], mut at: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut segs = prefix;
    loop {
        let start = at;
        while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
            at += 1;
        }
        if at > start {
            segs.push(chars[start..at].iter().collect());
        }
        if chars[at..].starts_with(&[':', ':']) {
            at += 2;
            if chars.get(at) == Some(&'{') {
                // A group: each item is a path continuing this one.
                let mut found = Vec::new();
                at += 1;
                loop {
                    while chars
                        .get(at)
                        .is_some_and(|c| c.is_whitespace() || *c == ',')
                    {
                        at += 1;
                    }
                    match chars.get(at) {
                        Some('}') | None => return (found, at + 1),
                        _ => {
                            let (inner, end) = read_path(chars, at, segs.clone());
                            found.extend(inner);
                            at = end;
                            // Skip `as name` and anything else up to the next item.
                            while chars.get(at).is_some_and(|c| *c != ',' && *c != '}') {
                                at += 1;
                            }
                        }
                    }
                }
            }
            continue;
        }
        return (vec![segs], at);
    }
}

/// The names the crate root brings in with `use` (`pub use a::b::{Thing, Other as Else};`),
/// each with the path from the root to what it names (`a::b::Thing`). Globs name nothing.
fn root_names(root: &str) -> BTreeMap<String, Vec<String>> {
    let code = code(root);
    let mut out = BTreeMap::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("use ") {
        let boundary = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == ')' || c == ';' || c == '}');
        let after = &rest[at + "use ".len()..];
        let end = after.find(';').unwrap_or(after.len());
        if boundary {
            let tokens = use_tokens(&after[..end]);
            let mut pos = 0;
            use_tree(&tokens, &mut pos, Vec::new(), &mut out);
        }
        rest = &after[end..];
    }
    out
}

/// A `use` tree's words and punctuation (`a`, `::`, `{`, `}`, `,`, `*`).
fn use_tokens(tree: &str) -> Vec<String> {
    let chars: Vec<char> = tree.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if chars[i..].starts_with(&[':', ':']) {
            out.push("::".to_owned());
            i += 2;
        } else {
            if "{},*".contains(c) {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// Reads one item of a `use` tree at `pos`, after the segments in `prefix`, into `out`.
fn use_tree(
    tokens: &[String],
    pos: &mut usize,
    prefix: Vec<String>,
    out: &mut BTreeMap<String, Vec<String>>,
) {
    let mut segs = prefix;
    while let Some(tok) = tokens.get(*pos) {
        match tok.as_str() {
            "::" => *pos += 1,
            "*" => {
                *pos += 1;
                return;
            }
            "{" => {
                *pos += 1;
                while let Some(tok) = tokens.get(*pos) {
                    match tok.as_str() {
                        "}" => {
                            *pos += 1;
                            return;
                        }
                        "," => *pos += 1,
                        _ => use_tree(tokens, pos, segs.clone(), out),
                    }
                }
                return;
            }
            "," | "}" => break,
            word => {
                segs.push(word.to_owned());
                *pos += 1;
            }
        }
    }
    // `a::b as c`, and `a::{self}` for `a` itself.
    let mut name = None;
    if let Some(i) = segs.iter().position(|s| s == "as") {
        name = segs.get(i + 1).cloned();
        segs.truncate(i);
    }
    if segs.last().is_some_and(|s| s == "self") {
        segs.pop();
    }
    if matches!(segs.first().map(String::as_str), Some("crate" | "self")) {
        segs.remove(0);
    }
    if let Some(name) = name.or_else(|| segs.last().cloned()) {
        if name != "_" && !segs.is_empty() {
            out.insert(name, segs);
        }
    }
}

/// The module a path in module `from` names: the deepest existing module along it, with a
/// name the root re-exports (`roots`) taken for what it names.
fn target(
    from: &str,
    path: &[String],
    known: &BTreeSet<String>,
    roots: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    let mut current: Vec<String> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").map(str::to_owned).collect()
    };
    let mut segs = path.iter().peekable();
    match segs.next().map(String::as_str) {
        Some("crate") => current.clear(),
        Some("self") => {}
        Some("super") => {
            current.pop()?;
            while segs.peek().is_some_and(|s| *s == "super") {
                segs.next();
                current.pop()?;
            }
        }
        _ => return None,
    }
    let mut segs: Vec<String> = segs.cloned().collect();
    if current.is_empty() {
        if let Some(named) = segs.first().and_then(|s| roots.get(s)) {
            if !known.contains(&segs[0]) && named.first().is_some_and(|m| known.contains(m)) {
                segs.splice(..1, named.iter().cloned());
            }
        }
    }
    for seg in segs {
        let mut next = current.clone();
        next.push(seg);
        if known.contains(&next.join("::")) {
            current = next;
        } else {
            break;
        }
    }
    Some(current.join("::"))
}

/// `a` is `b` or inside it.
fn within(a: &str, b: &str) -> bool {
    a == b || b.is_empty() || a.starts_with(&format!("{b}::"))
}

/// The circles among a crate's modules: each a list of modules that import each other.
fn circles(src: &Path) -> Vec<Vec<String>> {
    let edges = imports(src);
    let known: BTreeSet<String> = modules(src).keys().cloned().collect();
    strongly_connected(&known, &edges)
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect()
}

/// Which modules each module imports.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let known: BTreeSet<String> = mods.keys().cloned().collect();
    let roots = mods
        .get("")
        .map(|root| root_names(root))
        .unwrap_or_default();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in &mods {
        for path in paths(&code(text)) {
            let Some(to) = target(name, &path, &known, &roots) else {
                continue;
            };
            // A module's use of its own parts is not an import.
            if within(&to, name) {
                continue;
            }
            edges.entry(name.clone()).or_default().insert(to);
        }
    }
    edges
}

/// Tarjan's strongly connected components.
fn strongly_connected(
    nodes: &BTreeSet<String>,
    edges: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit(s: &mut State<'_>, v: &str) {
        s.index.insert(v.to_owned(), s.next);
        s.low.insert(v.to_owned(), s.next);
        s.next += 1;
        s.stack.push(v.to_owned());
        s.on_stack.insert(v.to_owned());
        let targets: Vec<String> = s.edges.get(v).into_iter().flatten().cloned().collect();
        for w in targets {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let low = s.low[v].min(s.low[&w]);
                s.low.insert(v.to_owned(), low);
            } else if s.on_stack.contains(&w) {
                let low = s.low[v].min(s.index[&w]);
                s.low.insert(v.to_owned(), low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                let done = w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn no_module_imports_a_module_that_imports_it() {
    let mut found = Vec::new();
    for krate in CRATES {
        let src = workspace().join(krate).join("src");
        let edges = imports(&src);
        for circle in circles(&src) {
            let inside: Vec<String> = circle
                .iter()
                .flat_map(|from| {
                    edges[from]
                        .iter()
                        .filter(|to| circle.contains(to))
                        .map(move |to| format!("    {from} → {to}"))
                })
                .collect();
            found.push(format!(
                "{krate}: {}\n{}",
                circle.join(" ↔ "),
                inside.join("\n")
            ));
        }
    }
    assert!(
        found.is_empty(),
        "modules importing each other:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checker_sees_a_circle_and_a_parent_made_of_its_children() {
    let dir = std::env::temp_dir().join(format!("los-arch-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("jobs")).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "pub mod a;\npub mod b;\npub mod jobs;\n",
    )
    .unwrap();
    std::fs::write(src.join("a.rs"), "use crate::{b::thing, jobs};\n").unwrap();
    // A comment naming crate::a is not an import.
    std::fs::write(
        src.join("b.rs"),
        "// see crate::a\npub fn thing() { super::a::x(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("jobs/mod.rs"), "mod send;\npub use send::go;\n").unwrap();
    std::fs::write(src.join("jobs/send.rs"), "use super::super::b;\n").unwrap();
    let found = circles(&src);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, vec![vec!["a".to_owned(), "b".to_owned()]]);
}

#[test]
fn the_checker_sees_through_the_roots_re_exports() {
    let dir = std::env::temp_dir().join(format!("los-arch-roots-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "mod pg;\nmod queue;\nmod rows;\n\
         pub use queue::{claim, Claimed as Claim};\npub use rows::Row;\npub use flow::Step;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("queue.rs"),
        "pub struct Claimed;\npub fn claim() { crate::pg::claim(); }\n",
    )
    .unwrap();
    // `crate::Claim` is `queue::Claimed`: pg imports queue, which imports pg.
    std::fs::write(
        src.join("pg.rs"),
        "use crate::{Claim, Row};\npub fn claim() {}\n",
    )
    .unwrap();
    // A name from another crate stays the root's.
    std::fs::write(src.join("rows.rs"), "use crate::Step;\npub struct Row;\n").unwrap();
    let found = circles(&src);
    let edges = imports(&src);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, vec![vec!["pg".to_owned(), "queue".to_owned()]]);
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(edges["pg"], set(&["queue", "rows"]));
    assert_eq!(edges["rows"], set(&[""]));
}
