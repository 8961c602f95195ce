//! Durations as kubectl prints them (`HumanDuration` of k8s.io/apimachinery): `45s`, `3m20s`,
//! `5h12m`, `2d4h`.

/// kubectl's human duration of `millis`: two units while the larger one is small, one after.
pub fn human(millis: i64) -> String {
    let seconds = millis / 1_000;
    if seconds < -1 {
        return "<invalid>".to_owned();
    }
    if seconds < 0 {
        return "0s".to_owned();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_rest(minutes, "m", seconds % 60, "s");
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return with_rest(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        return with_rest(days, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    if hours < 24 * 365 * 8 {
        return with_rest(days / 365, "y", days % 365, "d");
    }
    format!("{}y", days / 365)
}

/// `3m20s`, or `3m` when the smaller unit is zero.
fn with_rest(big: i64, big_unit: &str, small: i64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{small}{small_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000;
    const M: i64 = 60 * S;
    const H: i64 = 60 * M;
    const D: i64 = 24 * H;

    #[test]
    fn short_durations_are_seconds_then_minutes_with_seconds() {
        assert_eq!(human(0), "0s");
        assert_eq!(human(-500), "0s");
        assert_eq!(human(-5 * S), "<invalid>");
        assert_eq!(human(119 * S), "119s");
        assert_eq!(human(3 * M + 20 * S), "3m20s");
        assert_eq!(human(4 * M), "4m");
        assert_eq!(human(42 * M + 10 * S), "42m");
    }

    #[test]
    fn long_durations_drop_the_smaller_unit_as_the_larger_grows() {
        assert_eq!(human(5 * H + 12 * M), "5h12m");
        assert_eq!(human(20 * H + 5 * M), "20h");
        assert_eq!(human(2 * D + 4 * H), "2d4h");
        assert_eq!(human(30 * D + 4 * H), "30d");
        assert_eq!(human(3 * 365 * D + 10 * D), "3y10d");
        assert_eq!(human(9 * 365 * D), "9y");
    }
}
