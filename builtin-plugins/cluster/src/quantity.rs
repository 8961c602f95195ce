//! Kubernetes resource quantities (`3800m`, `15872Mi`, `4`) as numbers, and back as text.

/// CPU cores of a quantity such as `3800m`, `4` or `250000n` (metrics report nanocores).
pub fn cpu_cores(quantity: &str) -> Option<f64> {
    let q = quantity.trim();
    // Dividing (not multiplying by 1e-3) keeps `3800m` exactly 3.8.
    let (number, divisor) = match q.char_indices().last()? {
        (i, 'n') => (&q[..i], 1e9),
        (i, 'u') => (&q[..i], 1e6),
        (i, 'm') => (&q[..i], 1e3),
        _ => (q, 1.0),
    };
    number.parse::<f64>().ok().map(|n| n / divisor)
}

/// Bytes of a quantity such as `15872Mi`, `16Gi`, `1e9`, `512k` or `1024`.
pub fn bytes(quantity: &str) -> Option<f64> {
    const SUFFIXES: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let q = quantity.trim();
    for (suffix, scale) in SUFFIXES {
        if let Some(number) = q.strip_suffix(suffix) {
            return number.parse::<f64>().ok().map(|n| n * scale);
        }
    }
    // A plain number, possibly in exponent form; `m` (milli-bytes) exists but is never useful.
    q.strip_suffix('m').map_or_else(
        || q.parse::<f64>().ok(),
        |n| n.parse::<f64>().ok().map(|n| n / 1e3),
    )
}

/// `1.5 GiB`, `512 MiB`: bytes in the largest binary unit that keeps the number at least 1.
pub fn bytes_text(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `2.35` cores, with two decimals at most and no trailing zeros.
pub fn cores_text(cores: f64) -> String {
    let text = format!("{cores:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `used` as a whole percentage of `total`; `None` when the total is not positive.
pub fn percent(used: f64, total: f64) -> Option<f64> {
    (total > 0.0).then(|| (used / total * 100.0).round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_reads_millicores_nanocores_and_whole_cores() {
        assert_eq!(cpu_cores("3800m"), Some(3.8));
        assert_eq!(cpu_cores("4"), Some(4.0));
        assert_eq!(cpu_cores("250000000n"), Some(0.25));
        assert_eq!(cpu_cores("0.5"), Some(0.5));
        assert_eq!(cpu_cores("lots"), None);
    }

    #[test]
    fn memory_reads_binary_and_decimal_suffixes() {
        assert_eq!(bytes("16Gi"), Some(17_179_869_184.0));
        assert_eq!(bytes("15872Mi"), Some(16_642_998_272.0));
        assert_eq!(bytes("512k"), Some(512_000.0));
        assert_eq!(bytes("1e3"), Some(1000.0));
        assert_eq!(bytes("1024"), Some(1024.0));
        assert_eq!(bytes("big"), None);
    }

    #[test]
    fn texts_pick_a_readable_unit() {
        assert_eq!(bytes_text(1_610_612_736.0), "1.5 GiB");
        assert_eq!(bytes_text(512.0), "512 B");
        assert_eq!(cores_text(3.8), "3.8");
        assert_eq!(cores_text(4.0), "4");
        assert_eq!(percent(1.0, 4.0), Some(25.0));
        assert_eq!(percent(1.0, 0.0), None);
    }
}
