//! Setting an image's tag (or digest) in a kustomization as `kustomize edit set image
//! IMAGE:TAG` does (kustomize `commands/edit/set/setimage.go`): the `images` entry for that image
//! is changed, or added when missing; a new tag clears the entry's digest and a digest clears its
//! tag. Unlike kustomize, which rewrites the whole file through its serializer, only the lines of
//! that one entry change: every other line, comment and indentation stays as written, so the
//! commit's diff is the change itself. Tags that YAML would read as something else (`1.10`,
//! `true`) are quoted. Pure.

use serde_json::Value;

/// The entry an image matches: by `name` (what kustomize matches), else by `newName` (the image
/// a running workload shows is the renamed one), else by the repository's last path segment
/// when only the registry differs (then `newName` is set to the full image too).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Match {
    Name(usize),
    NewName(usize),
    OtherRegistry(usize),
    Missing,
}

/// `images` of a parsed kustomization, and which entry `image` matches.
fn find_entry(kustomization: &Value, image: &str) -> Result<Match, String> {
    let images = match kustomization.get("images") {
        None | Some(Value::Null) => return Ok(Match::Missing),
        Some(Value::Array(images)) => images,
        Some(_) => return Err("`images` is not a list".into()),
    };
    let field =
        |entry: &Value, key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    let position = |key: &str| {
        images
            .iter()
            .position(|e| field(e, key).as_deref() == Some(image))
    };
    if let Some(index) = position("name") {
        return Ok(Match::Name(index));
    }
    if let Some(index) = position("newName") {
        return Ok(Match::NewName(index));
    }
    let base = |name: &str| name.rsplit('/').next().unwrap_or(name).to_owned();
    Ok(images
        .iter()
        .position(|e| {
            field(e, "newName").is_none() && field(e, "name").map(|n| base(&n)) == Some(base(image))
        })
        .map_or(Match::Missing, Match::OtherRegistry))
}

/// The tag `kustomization` sets for `image` (matched as `set_image` matches it).
pub fn image_tag(kustomization: &str, image: &str) -> Option<String> {
    let parsed: Value = serde_saphyr::from_str(kustomization).ok()?;
    let index = match find_entry(&parsed, image).ok()? {
        Match::Name(i) | Match::NewName(i) | Match::OtherRegistry(i) => i,
        Match::Missing => return None,
    };
    match parsed.pointer(&format!("/images/{index}/newTag"))? {
        Value::String(tag) => Some(tag.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Sets `image`'s tag — or its digest when `value` is `sha256:…` — in a kustomization's text.
pub fn set_image(kustomization: &str, image: &str, value: &str) -> Result<String, String> {
    let digest = value.contains(':');
    validate(image, value, digest)?;
    let parsed: Value = serde_saphyr::from_str(kustomization)
        .map_err(|e| format!("the kustomization is not valid YAML: {e}"))?;
    if !parsed.is_object() {
        return Err("the kustomization is not a YAML mapping".into());
    }
    let found = find_entry(&parsed, image)?;
    let mut lines: Vec<String> = kustomization.lines().map(str::to_owned).collect();
    let block = images_block(&lines);
    let (set, clear) = if digest {
        ("digest", "newTag")
    } else {
        ("newTag", "digest")
    };
    match (found, block) {
        (Match::Missing, None) => {
            if parsed.get("images").is_some() {
                return Err(unusual());
            }
            lines.push("images:".into());
            lines.extend(new_entry("", image, set, value));
        }
        (Match::Missing, Some(block)) => {
            let indent = block
                .entries
                .first()
                .map_or(String::new(), |e| e.indent.clone());
            let at = block.entries.last().map_or(block.header + 1, |e| e.end);
            let count = parsed["images"].as_array().map_or(0, Vec::len);
            if block.entries.len() != count {
                return Err(unusual());
            }
            lines.splice(at..at, new_entry(&indent, image, set, value));
        }
        (Match::Name(index) | Match::NewName(index) | Match::OtherRegistry(index), block) => {
            let entry = block
                .filter(|b| b.entries.len() == parsed["images"].as_array().map_or(0, Vec::len))
                .and_then(|b| b.entries.get(index).cloned())
                .ok_or_else(unusual)?;
            let mut edits = vec![(set, Some(value))];
            edits.push((clear, None));
            if matches!(found, Match::OtherRegistry(_)) {
                edits.push(("newName", Some(image)));
            }
            edit_entry(&mut lines, &entry, &edits)?;
        }
    }
    // The file's own line ending, and its final newline (one is added when it had none).
    let newline = if kustomization.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut updated = lines.join(newline);
    updated.push_str(newline);
    check(&updated, image, set, value)?;
    Ok(updated)
}

fn unusual() -> String {
    "`images` is written in a layout flightdeck does not edit (flow style or anchors); set the image by hand".into()
}

/// kustomize's tag pattern (`[a-zA-Z0-9._-]`), or a digest `algorithm:hex`.
fn validate(image: &str, value: &str, digest: bool) -> Result<(), String> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace() || c == '#') {
        return Err(format!("invalid image name `{image}`"));
    }
    let ok = if digest {
        value.split_once(':').is_some_and(|(algorithm, hex)| {
            !algorithm.is_empty()
                && algorithm.chars().all(|c| c.is_ascii_alphanumeric())
                && hex.len() >= 32
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        })
    } else {
        !value.is_empty()
            && value.len() <= 128
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    if ok {
        Ok(())
    } else if digest {
        Err(format!("invalid digest `{value}` (expected sha256:<hex>)"))
    } else {
        Err(format!(
            "invalid tag `{value}`: a tag may contain only letters, digits, '.', '_' and '-'"
        ))
    }
}

/// The `images:` block: its header line and its entries.
struct Block {
    header: usize,
    entries: Vec<Entry>,
}

/// One `- …` entry: its lines `start..end` (trailing blank and comment lines excluded), the
/// indentation of its dash and of its keys.
#[derive(Clone)]
struct Entry {
    start: usize,
    end: usize,
    indent: String,
    key_indent: usize,
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

fn images_block(lines: &[String]) -> Option<Block> {
    let header = lines.iter().position(|line| {
        line.strip_prefix("images:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    })?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut dash_indent: Option<usize> = None;
    for (index, line) in lines.iter().enumerate().skip(header + 1) {
        if !is_content(line) {
            continue;
        }
        let indent = indentation(line);
        let trimmed = line.trim_start();
        let dash = trimmed == "-" || trimmed.starts_with("- ");
        if indent == 0 && !dash {
            break;
        }
        if dash && dash_indent.is_none_or(|d| d == indent) {
            dash_indent = Some(indent);
            let after = trimmed[1..].len() - trimmed[1..].trim_start().len();
            entries.push(Entry {
                start: index,
                end: index + 1,
                indent: line[..indent].to_owned(),
                key_indent: indent + 1 + after.max(1),
            });
        } else if let Some(entry) = entries.last_mut() {
            entry.end = index + 1;
        }
    }
    Some(Block { header, entries })
}

fn new_entry(indent: &str, image: &str, key: &str, value: &str) -> Vec<String> {
    vec![
        format!("{indent}- name: {}", scalar(image, None)),
        format!("{indent}  {key}: {}", scalar(value, None)),
    ]
}

/// The line of `key` in the entry spanning `start..end` (the dash line or a key line).
fn key_line(
    lines: &[String],
    start: usize,
    end: usize,
    key_indent: usize,
    key: &str,
) -> Option<usize> {
    (start..end.min(lines.len())).find(|&index| {
        let line = &lines[index];
        let body = if index == start {
            line.trim_start().trim_start_matches('-').trim_start()
        } else if indentation(line) == key_indent {
            line.trim_start()
        } else {
            return false;
        };
        body.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
    })
}

/// Sets (`Some`) or removes (`None`) each key of one entry, keeping the rest of its lines.
fn edit_entry(
    lines: &mut Vec<String>,
    entry: &Entry,
    edits: &[(&str, Option<&str>)],
) -> Result<(), String> {
    if lines[entry.start].contains('{') {
        return Err(unusual());
    }
    let (start, key_indent) = (entry.start, entry.key_indent);
    let mut end = entry.end;
    for (key, _) in edits.iter().filter(|(_, value)| value.is_none()) {
        let Some(index) = key_line(lines, start, end, key_indent, key) else {
            continue;
        };
        if index == start {
            // `- digest: …` (kustomize sorts keys): the next key moves onto the dash line.
            let next = (start + 1..end)
                .find(|&i| is_content(&lines[i]) && indentation(&lines[i]) == key_indent)
                .ok_or_else(unusual)?;
            lines[start] = format!("{}- {}", entry.indent, lines[next].trim_start());
            lines.remove(next);
        } else {
            lines.remove(index);
        }
        end -= 1;
    }
    for (key, value) in edits {
        let Some(value) = value else { continue };
        match key_line(lines, start, end, key_indent, key) {
            Some(index) => lines[index] = replace_value(&lines[index], value),
            None => {
                let at = (start..end)
                    .rev()
                    .find(|&i| is_content(&lines[i]))
                    .map_or(end, |i| i + 1);
                let line = format!("{}{key}: {}", " ".repeat(key_indent), scalar(value, None));
                lines.insert(at, line);
                end += 1;
            }
        }
    }
    Ok(())
}

/// `key: old  # comment` with the value replaced, the comment and the quoting style kept.
fn replace_value(line: &str, value: &str) -> String {
    let Some(colon) = line.find(':') else {
        return line.to_owned();
    };
    let (head, rest) = line.split_at(colon + 1);
    let old = rest.trim_start();
    let quote = old.chars().next().filter(|c| *c == '"' || *c == '\'');
    let comment = match quote {
        Some(q) => old[1..].find(q).map(|end| &old[end + 2..]),
        None => old.find(" #").map(|at| &old[old[..at].trim_end().len()..]),
    }
    .unwrap_or("");
    format!("{head} {}{comment}", scalar(value, quote))
}

/// `value` as a YAML scalar that reads back as that string: plain when it already would,
/// otherwise quoted (`quote` keeps the style the line had).
fn scalar(value: &str, quote: Option<char>) -> String {
    match quote {
        Some('\'') => format!("'{value}'"),
        Some(_) => format!("\"{value}\""),
        None if reads_as_string(value) => value.to_owned(),
        None => format!("\"{value}\""),
    }
}

/// Whether a plain scalar is read back as this very string (YAML 1.2), and is not one of the
/// YAML 1.1 booleans older parsers still take (`yes`, `on`, …).
fn reads_as_string(value: &str) -> bool {
    const OLD_BOOLEANS: [&str; 8] = ["y", "yes", "n", "no", "on", "off", "true", "false"];
    if OLD_BOOLEANS.contains(&value.to_ascii_lowercase().as_str()) {
        return false;
    }
    serde_saphyr::from_str::<Value>(&format!("v: {value}"))
        .is_ok_and(|parsed| parsed.get("v").and_then(Value::as_str) == Some(value))
}

/// The edited text, read back: the image's entry says what was set (never write a file that
/// says something else).
fn check(updated: &str, image: &str, key: &str, value: &str) -> Result<(), String> {
    let parsed: Value = serde_saphyr::from_str(updated).map_err(|e| {
        format!("editing the kustomization would break it ({e}); set the image by hand")
    })?;
    let index = match find_entry(&parsed, image)? {
        Match::Name(i) | Match::NewName(i) => i,
        _ => {
            return Err(format!(
                "editing the kustomization did not set {image}; set it by hand"
            ));
        }
    };
    if parsed
        .pointer(&format!("/images/{index}/{key}"))
        .and_then(Value::as_str)
        == Some(value)
    {
        Ok(())
    } else {
        Err(format!(
            "editing the kustomization did not set {image}; set it by hand"
        ))
    }
}

#[cfg(test)]
#[path = "kustomize_tests.rs"]
mod tests;
