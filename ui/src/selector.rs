//! Label selectors as typed into a table's label filter (`app=web,tier!=db`).
//!
//! The selector is sent to the kernel, which hands it to the API server; checking it here
//! first lets the filter say what is wrong while the viewer types, instead of a failed watch.

/// Checks a label selector in Kubernetes' syntax: requirements separated by commas, each one
/// of `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`.
/// Returns the trimmed selector, `None` for an empty one, or what is wrong.
pub fn check(selector: &str) -> Result<Option<String>, String> {
    let selector = selector.trim();
    if selector.is_empty() {
        return Ok(None);
    }
    for requirement in split_requirements(selector)? {
        check_requirement(requirement.trim())?;
    }
    Ok(Some(selector.to_owned()))
}

/// Splits at the commas outside parentheses (`a in (x,y),b` is two requirements).
fn split_requirements(selector: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err(format!("unbalanced parentheses in {selector:?}"));
        }
    }
    if depth != 0 {
        return Err(format!("a \"(\" is not closed in {selector:?}"));
    }
    parts.push(&selector[start..]);
    Ok(parts)
}

fn check_requirement(requirement: &str) -> Result<(), String> {
    if requirement.is_empty() {
        return Err("an empty requirement (two commas in a row, or a trailing comma)".into());
    }
    if let Some(key) = requirement.strip_prefix('!') {
        return check_key(key.trim());
    }
    for op in ["!=", "==", "="] {
        if let Some((key, value)) = requirement.split_once(op) {
            check_key(key.trim())?;
            return check_value(value.trim());
        }
    }
    let words: Vec<&str> = requirement.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim_start();
        let set = rest
            .strip_prefix("notin")
            .or_else(|| rest.strip_prefix("in"))
            .ok_or_else(|| {
                format!("{requirement:?}: expected =, !=, in (...) or notin (...) after the key")
            })?
            .trim();
        check_key(key)?;
        let values = set
            .strip_prefix('(')
            .and_then(|s| s.strip_suffix(')'))
            .ok_or_else(|| {
                format!("{requirement:?}: the values of in/notin go in parentheses, as in (a,b)")
            })?;
        return values.split(',').try_for_each(|v| check_value(v.trim()));
    }
    check_key(requirement)
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters of alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
fn check_key(key: &str) -> Result<(), String> {
    let name = match key.rsplit_once('/') {
        Some((prefix, name)) => {
            if prefix.is_empty()
                || prefix.len() > 253
                || !prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return Err(format!(
                    "{key:?} has an invalid prefix: a DNS name such as example.com/"
                ));
            }
            name
        }
        None => key,
    };
    if name.is_empty() {
        return Err("a requirement without a label key".into());
    }
    check_name(name).map_err(|why| format!("the label key {key:?} {why}"))
}

fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    check_name(value).map_err(|why| format!("the label value {value:?} {why}"))
}

fn check_name(name: &str) -> Result<(), &'static str> {
    let edges_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.len() > 63 {
        Err("is longer than 63 characters")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Err("may hold only letters, digits, '-', '_' and '.'")
    } else if !edges_ok {
        Err("must start and end with a letter or digit")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_form_kubernetes_accepts() {
        for good in [
            "app=web",
            "app==web, tier!=db",
            "app.kubernetes.io/name=grafana",
            "environment in (production, qa),tier notin (frontend)",
            "partition,!canary",
            "app=",
        ] {
            assert!(check(good).is_ok(), "{good}: {:?}", check(good));
        }
    }

    #[test]
    fn an_empty_selector_means_no_filter() {
        assert_eq!(check("  "), Ok(None));
        assert_eq!(check(" app=web "), Ok(Some("app=web".into())));
    }

    #[test]
    fn says_what_is_wrong_with_a_bad_selector() {
        assert!(check("app=web,").unwrap_err().contains("empty requirement"));
        assert!(check("app=we b").unwrap_err().contains("label value"));
        assert!(check("env in (a,b").unwrap_err().contains("not closed"));
        assert!(check("env within (a)").unwrap_err().contains("expected"));
        assert!(check("-app=web").unwrap_err().contains("start and end"));
    }
}
