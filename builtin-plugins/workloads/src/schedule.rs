//! A cron schedule in words, as Headlamp shows it next to the schedule: `*/5 * * * *` is
//! "every 5 minutes", `30 9 * * 1-5` is "at 09:30 on Monday through Friday".
//!
//! The syntax is the one the CronJob controller accepts: five fields of `*`, `*/n`, `a`,
//! `a-b`, `a-b/n` and lists of them, month and weekday names, and the `@hourly`-style macros.

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One comma-separated part of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    One(u32),
    Range(u32, u32, u32),
}

/// A parsed field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    /// `*`.
    Any,
    /// `*/n`.
    Every(u32),
    /// Values, ranges and stepped ranges.
    List(Vec<Part>),
}

impl Field {
    /// The single value of a field that has exactly one.
    fn single(&self) -> Option<u32> {
        match self {
            Field::List(parts) if parts.len() == 1 => match parts[0] {
                Part::One(v) => Some(v),
                Part::Range(..) => None,
            },
            _ => None,
        }
    }

    /// The values of a field made only of single values.
    fn singles(&self) -> Option<Vec<u32>> {
        match self {
            Field::List(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::One(v) => Some(*v),
                    Part::Range(..) => None,
                })
                .collect(),
            _ => None,
        }
    }
}

/// The schedule in words, or why it is not a schedule.
pub fn describe(schedule: &str) -> Result<String, String> {
    let trimmed = schedule.trim();
    let (zone, spec) = match trimmed
        .strip_prefix("CRON_TZ=")
        .or(trimmed.strip_prefix("TZ="))
    {
        Some(rest) => match rest.split_once(' ') {
            Some((zone, spec)) => (Some(zone), spec.trim()),
            None => return Err(format!("{schedule:?} names a time zone but no schedule")),
        },
        None => (None, trimmed),
    };
    let words = match spec {
        "@yearly" | "@annually" => "every year on January 1 at 00:00".to_owned(),
        "@monthly" => "at 00:00 on day 1 of the month".to_owned(),
        "@weekly" => "at 00:00 on Sunday".to_owned(),
        "@daily" | "@midnight" => "every day at 00:00".to_owned(),
        "@hourly" => "every hour".to_owned(),
        _ => fields(spec).map_err(|e| format!("{schedule:?} is not a cron schedule: {e}"))?,
    };
    Ok(match zone {
        Some(zone) => format!("{words} ({zone})"),
        None => words,
    })
}

fn fields(spec: &str) -> Result<String, String> {
    let f: Vec<&str> = spec.split_whitespace().collect();
    if f.len() != 5 {
        return Err(format!(
            "it has {} fields; a schedule has five (minute hour day-of-month month weekday)",
            f.len()
        ));
    }
    let minute = parse(f[0], 0, 59, &[], "minute")?;
    let hour = parse(f[1], 0, 23, &[], "hour")?;
    let dom = parse(f[2], 1, 31, &[], "day of the month")?;
    let month = parse(f[3], 1, 12, &MONTHS, "month")?;
    let dow = parse(f[4], 0, 7, &DAYS, "weekday")?;
    let time = time_words(&minute, &hour);
    let mut days = Vec::new();
    if dom != Field::Any {
        days.push(format!(
            "on {}",
            field_words(&dom, "day", &|v| v.to_string())
        ));
    }
    if dow != Field::Any {
        days.push(format!(
            "on {}",
            field_words(&dow, "weekday", &|v| DAYS[(v % 7) as usize].to_owned())
        ));
    }
    let mut out = match (time, days.is_empty() && month == Field::Any) {
        (Time::At(at), true) => format!("every day {at}"),
        (Time::At(at) | Time::Repeating(at), _) => at,
    };
    if dom != Field::Any && dom.single().is_some() {
        // "on day 1" reads better with what it is the day of.
        days[0].push_str(" of the month");
    }
    for day in days {
        out.push(' ');
        out.push_str(&day);
    }
    if month != Field::Any {
        out.push_str(" in ");
        out.push_str(&field_words(&month, "month", &|v| {
            MONTHS[(v - 1) as usize].to_owned()
        }));
    }
    Ok(out)
}

/// Words of the time of day: a fixed time ("at 02:00") or something repeating ("every 5
/// minutes").
enum Time {
    At(String),
    Repeating(String),
}

fn time_words(minute: &Field, hour: &Field) -> Time {
    let clock = |h: u32, m: u32| format!("{h:02}:{m:02}");
    if let (Some(minutes), Some(hours)) = (minute.singles(), hour.singles())
        && minutes.len() * hours.len() <= 4
    {
        let times: Vec<String> = hours
            .iter()
            .flat_map(|h| minutes.iter().map(move |m| clock(*h, *m)))
            .collect();
        return Time::At(format!("at {}", join_and(&times)));
    }
    let minutes = match minute {
        Field::Any => "every minute".to_owned(),
        Field::Every(n) => format!("every {n} minutes"),
        m if m.single() == Some(0) => String::new(),
        m => format!("at minute {}", field_words(m, "minute", &|v| v.to_string())),
    };
    let hours = match hour {
        Field::Any if minutes.is_empty() => "every hour".to_owned(),
        Field::Any if !matches!(minute, Field::Any | Field::Every(_)) => {
            "past every hour".to_owned()
        }
        Field::Any => String::new(),
        Field::Every(n) if minutes.is_empty() => format!("every {n} hours"),
        Field::Every(n) => format!("past every {n} hours"),
        h => format!(
            "during {}",
            field_words(h, "hour", &|v| format!("{v:02}:00"))
        ),
    };
    let words: Vec<&str> = [minutes.as_str(), hours.as_str()]
        .into_iter()
        .filter(|w| !w.is_empty())
        .collect();
    Time::Repeating(words.join(" "))
}

/// `Monday`, `Monday through Friday`, `1, 15 and 30`, `every 2nd month from January through
/// June`.
fn field_words(field: &Field, unit: &str, name: &dyn Fn(u32) -> String) -> String {
    match field {
        Field::Any => format!("every {unit}"),
        Field::Every(n) => format!("every {} {unit}", ordinal(*n)),
        Field::List(parts) => {
            let words: Vec<String> = parts
                .iter()
                .map(|p| match *p {
                    Part::One(v) => name(v),
                    Part::Range(a, b, 1) => format!("{} through {}", name(a), name(b)),
                    Part::Range(a, b, n) => format!(
                        "every {} {unit} from {} through {}",
                        ordinal(n),
                        name(a),
                        name(b)
                    ),
                })
                .collect();
            let prefix = if unit == "day" { "day " } else { "" };
            format!("{prefix}{}", join_and(&words))
        }
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn parse(field: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<Field, String> {
    let value = |s: &str| -> Result<u32, String> {
        let by_name = names
            .iter()
            .position(|n| n[..3].eq_ignore_ascii_case(s))
            // Months count from 1, weekdays from 0 (Sunday).
            .map(|i| i as u32 + min);
        let v = match by_name {
            Some(v) => v,
            None => s
                .parse::<u32>()
                .map_err(|_| format!("the {what} field has {s:?}, which is not a number"))?,
        };
        if v < min || v > max {
            return Err(format!("the {what} field has {v}, outside {min}-{max}"));
        }
        Ok(v)
    };
    if field == "*" || field == "?" {
        return Ok(Field::Any);
    }
    if let Some(step) = field.strip_prefix("*/") {
        let n = value_step(step, what)?;
        return Ok(if n == 1 { Field::Any } else { Field::Every(n) });
    }
    let parts = field
        .split(',')
        .map(|part| {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, value_step(s, what)?),
                None => (part, 1),
            };
            match range.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (value(a)?, value(b)?);
                    if a > b {
                        return Err(format!("the {what} field has the empty range {range}"));
                    }
                    Ok(Part::Range(a, b, step))
                }
                None if step > 1 => Ok(Part::Range(value(range)?, max, step)),
                None => Ok(Part::One(value(range)?)),
            }
        })
        .collect::<Result<Vec<Part>, String>>()?;
    Ok(Field::List(parts))
}

fn value_step(step: &str, what: &str) -> Result<u32, String> {
    match step.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "the {what} field has the step {step:?}; a step is a whole number above 0"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(schedule: &str) -> String {
        describe(schedule).unwrap_or_else(|e| panic!("{schedule}: {e}"))
    }

    #[test]
    fn repeating_schedules_say_how_often() {
        assert_eq!(words("* * * * *"), "every minute");
        assert_eq!(words("*/5 * * * *"), "every 5 minutes");
        assert_eq!(words("0 * * * *"), "every hour");
        assert_eq!(words("@hourly"), "every hour");
        assert_eq!(words("15 * * * *"), "at minute 15 past every hour");
        assert_eq!(words("0 */6 * * *"), "every 6 hours");
        assert_eq!(
            words("*/10 9-17 * * *"),
            "every 10 minutes during 09:00 through 17:00"
        );
    }

    #[test]
    fn fixed_times_say_when() {
        assert_eq!(words("0 2 * * *"), "every day at 02:00");
        assert_eq!(words("@daily"), "every day at 00:00");
        assert_eq!(words("15 10,22 * * *"), "every day at 10:15 and 22:15");
        assert_eq!(words("30 9 * * 1-5"), "at 09:30 on Monday through Friday");
        assert_eq!(words("0 3 * * sun"), "at 03:00 on Sunday");
        assert_eq!(words("0 0 1 * *"), "at 00:00 on day 1 of the month");
        assert_eq!(words("0 0 1,15 * *"), "at 00:00 on day 1 and 15");
        assert_eq!(
            words("0 0 1 jan,jul *"),
            "at 00:00 on day 1 of the month in January and July"
        );
        assert_eq!(
            words("CRON_TZ=Europe/Berlin 0 6 * * *"),
            "every day at 06:00 (Europe/Berlin)"
        );
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        let err = describe("0 2 * *").unwrap_err();
        assert!(err.contains("has 4 fields"), "{err}");
        let err = describe("61 * * * *").unwrap_err();
        assert!(err.contains("minute field has 61, outside 0-59"), "{err}");
        let err = describe("*/0 * * * *").unwrap_err();
        assert!(err.contains("step \"0\""), "{err}");
        let err = describe("0 5-2 * * *").unwrap_err();
        assert!(err.contains("empty range 5-2"), "{err}");
    }
}
