//! Kubernetes resource quantities (`450m`, `16Gi`, `1e3`) as numbers, for usage percentages
//! and gauges.

/// The value of a quantity in base units (cores, bytes, counts); `None` if it is not one.
pub fn parse(quantity: &str) -> Option<f64> {
    let (number, suffix) = split(quantity.trim())?;
    Some(number * multiplier(suffix)?)
}

/// What one unit of a quantity's suffix is worth in base units (`Mi` is 2^20); `None` for a
/// suffix Kubernetes does not know.
pub fn multiplier(suffix: &str) -> Option<f64> {
    let binary = |power: i32| Some(1024_f64.powi(power));
    let decimal = |power: i32| Some(10_f64.powi(power));
    match suffix {
        "" => Some(1.0),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => None,
    }
}

/// The suffix of a quantity (`Gi` of `16Gi`, empty for `8` or `1e3`).
pub fn suffix(quantity: &str) -> &str {
    split(quantity.trim()).map_or("", |(_, suffix)| suffix)
}

/// The number and the suffix; an exponent (`1e3`, `2E-1`) is part of the number.
fn split(quantity: &str) -> Option<(f64, &str)> {
    let end = quantity
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(quantity.len());
    let (number, rest) = quantity.split_at(end);
    // `1e3` is an exponent, `1E` is exa: an exponent has digits after the `e`.
    if let Some(exponent) = rest.strip_prefix(['e', 'E'])
        && !exponent.is_empty()
        && exponent
            .trim_start_matches(['+', '-'])
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        let value: f64 = quantity.parse().ok()?;
        return Some((value, ""));
    }
    if number.is_empty() {
        return None;
    }
    Some((number.parse().ok()?, rest))
}

/// `used` as a share of `hard` (0.25 for a quarter); `None` when either is not a quantity or
/// `hard` is zero.
pub fn share(used: &str, hard: &str) -> Option<f64> {
    let hard = parse(hard)?;
    (hard > 0.0).then_some(parse(used)? / hard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_binary_and_milli_suffixes() {
        assert_eq!(parse("8"), Some(8.0));
        assert_eq!(parse("450m"), Some(0.45));
        assert_eq!(parse("16Gi"), Some(16.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse("576Mi"), Some(576.0 * 1024.0 * 1024.0));
        assert_eq!(parse("2k"), Some(2000.0));
        assert_eq!(parse("1.5"), Some(1.5));
    }

    #[test]
    fn an_exponent_is_a_number_but_a_lone_e_is_exa() {
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("2E"), Some(2e18));
        assert_eq!(suffix("1e3"), "");
        assert_eq!(suffix("16Gi"), "Gi");
    }

    #[test]
    fn refuses_what_is_not_a_quantity() {
        assert_eq!(parse("lots"), None);
        assert_eq!(parse("5Xi"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn share_compares_different_suffixes() {
        assert_eq!(share("512Mi", "1Gi"), Some(0.5));
        assert_eq!(share("450m", "8"), Some(0.05625));
        assert_eq!(share("1", "0"), None);
    }
}
