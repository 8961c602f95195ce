//! Formatting helpers shared by plugins: ages, label lists, timestamps.

use std::collections::BTreeMap;

/// `k=v, k2=v2`, sorted by key (the form [`crate::CellFormat::Labels`] expects).
pub fn labels<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let mut pairs: Vec<(&String, &String)> = labels.into_iter().collect();
    pairs.sort_unstable();
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// [`labels`] of an optional map, as k8s-openapi stores them.
pub fn label_map(map: Option<&BTreeMap<String, String>>) -> String {
    map.map(labels).unwrap_or_default()
}

/// Milliseconds since the Unix epoch of an RFC 3339 UTC timestamp (`2024-01-02T03:04:05Z`,
/// fractions and numeric offsets allowed); `None` if it is not one.
pub fn parse_rfc3339_millis(timestamp: &str) -> Option<i64> {
    let b = timestamp.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = timestamp.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &timestamp[19..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        let scaled: String = frac[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis = scaled.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && matches!(&rest[..1], "+" | "-") && &rest[3..4] == ":" => {
            let h: i64 = rest[1..3].parse().ok()?;
            let m: i64 = rest[4..6].parse().ok()?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (h * 60 + m)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A short age like kubectl prints: `45s`, `12m`, `5h`, `3d`, `2y`.
pub fn age(timestamp: &str, now_millis: u64) -> Option<String> {
    let then = parse_rfc3339_millis(timestamp)?;
    let now = i64::try_from(now_millis).ok()?;
    let secs = (now - then).max(0) / 1_000;
    Some(match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7_200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3_600),
        s if s < 365 * 86_400 * 2 => format!("{}d", s / 86_400),
        s => format!("{}y", s / (365 * 86_400)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_sorted_by_key_and_comma_separated() {
        let map: BTreeMap<String, String> = [("b", "2"), ("a", "1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(label_map(Some(&map)), "a=1, b=2");
        assert_eq!(label_map(None), "");
    }

    #[test]
    fn rfc3339_parses_utc_offsets_and_fractions() {
        assert_eq!(parse_rfc3339_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_millis("2024-03-01T00:00:00Z"),
            Some(1_709_251_200_000)
        );
        assert_eq!(parse_rfc3339_millis("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339_millis("1970-01-01T00:00:01.5Z"), Some(1_500));
        assert_eq!(parse_rfc3339_millis("yesterday"), None);
    }

    #[test]
    fn age_picks_the_largest_sensible_unit() {
        let t = "2024-03-01T00:00:00Z";
        let base = 1_709_251_200_000_u64;
        assert_eq!(age(t, base + 30_000).as_deref(), Some("30s"));
        assert_eq!(age(t, base + 600_000).as_deref(), Some("10m"));
        assert_eq!(age(t, base + 5 * 3_600_000).as_deref(), Some("5h"));
        assert_eq!(age(t, base + 3 * 86_400_000).as_deref(), Some("3d"));
        assert_eq!(age(t, base + 800 * 86_400_000).as_deref(), Some("2y"));
        assert_eq!(age(t, base - 5_000).as_deref(), Some("0s"));
    }
}
