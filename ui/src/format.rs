//! Formatting cell values: ages from timestamps, label chips.

/// Seconds since the Unix epoch of an RFC 3339 UTC timestamp (`2026-01-02T03:04:05Z`, with
/// optional fractional seconds or a numeric offset), or none when it is not one.
pub fn parse_rfc3339(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = 0.0;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        fraction = format!("0.{}", &after_dot[..digits]).parse().ok()?;
        rest = &after_dot[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 => {
            let sign = match &rest[..1] {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            sign * (rest[1..3].parse::<i64>().ok()? * 3600 + rest[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hour * 3600 + minute * 60 + second - offset) as f64 + fraction)
}

/// An age as Kubernetes tools show it: `45s`, `12m`, `3h20m`, `5d`, `2y`.
pub fn age(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..36_000 => match (s % 3600) / 60 {
            0 => format!("{}h", s / 3600),
            m => format!("{}h{m}m", s / 3600),
        },
        36_000..172_800 => format!("{}h", s / 3600),
        172_800..63_072_000 => format!("{}d", s / 86_400),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// The age of a timestamp cell at `now` (seconds since the epoch): from the cell's `sort`
/// (the kernel puts the epoch seconds there) or by parsing its text; else the text as is.
pub fn age_of(text: &str, sort: Option<f64>, now: f64) -> String {
    match sort.or_else(|| parse_rfc3339(text)) {
        Some(then) => age(now - then),
        None => text.to_owned(),
    }
}

/// `a=1,b=2` as the separate labels to show as chips.
pub fn labels(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2026-01-02T03:04:05Z"), Some(1_767_323_045.0));
        assert_eq!(
            parse_rfc3339("2026-01-02T04:04:05+01:00"),
            Some(1_767_323_045.0)
        );
        assert_eq!(
            parse_rfc3339("2026-01-02T03:04:05.5Z"),
            Some(1_767_323_045.5)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-13-02T03:04:05Z"), None);
    }

    #[test]
    fn formats_ages_like_kubectl() {
        assert_eq!(age(5.0), "5s");
        assert_eq!(age(125.0), "2m");
        assert_eq!(age(3600.0 * 3.0 + 60.0 * 20.0), "3h20m");
        assert_eq!(age(3600.0 * 20.0), "20h");
        assert_eq!(age(86_400.0 * 5.0), "5d");
        assert_eq!(age(-3.0), "0s");
        assert_eq!(age_of("2026-01-02T03:04:05Z", None, 1_767_323_105.0), "1m");
        assert_eq!(age_of("not a time", None, 0.0), "not a time");
    }

    #[test]
    fn splits_labels_into_chips() {
        assert_eq!(labels("app=web, tier=front,"), ["app=web", "tier=front"]);
        assert!(labels("").is_empty());
    }
}
