//! The ICG abstract syntax tree. Every node carries the byte span of the
//! text it came from.

use crate::source::Span;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: Name,
    pub id: Option<Name>,
    pub name: Option<(String, Span)>,
    pub attrs: Vec<Attr>,
    pub children: Vec<Block>,
    /// The whole block, header to closing brace.
    pub span: Span,
    /// `KIND ID "Name" {`.
    pub header: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub key: Name,
    pub values: Vec<Value>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn is_valid(&self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        self.day >= 1 && self.day <= days
    }
    /// `2026-06-01`: exactly four, two and two digits, a real calendar date.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        let d = literal::date(s);
        (shape && d.is_valid()).then_some(d)
    }
    /// Today's date (UTC) from the system clock. Only the command line and
    /// the language server ask for it; everything else is given a date.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let epoch = Date {
            year: 1970,
            month: 1,
            day: 1,
        };
        Date::from_day_number(epoch.day_number() + (secs / 86_400) as i64)
    }
    /// Days since 0000-03-01 (a proleptic Gregorian day count).
    pub fn day_number(&self) -> i64 {
        let (y, m) = if self.month <= 2 {
            (self.year as i64 - 1, self.month as i64 + 9)
        } else {
            (self.year as i64, self.month as i64 - 3)
        };
        365 * y + y / 4 - y / 100 + y / 400 + (m * 306 + 5) / 10 + (self.day as i64 - 1)
    }
    pub fn from_day_number(g: i64) -> Date {
        let mut y = (10000 * g + 14780) / 3652425;
        let mut ddd = g - (365 * y + y / 4 - y / 100 + y / 400);
        if ddd < 0 {
            y -= 1;
            ddd = g - (365 * y + y / 4 - y / 100 + y / 400);
        }
        let mi = (100 * ddd + 52) / 3060;
        let mm = (mi + 2) % 12 + 1;
        let y = y + (mi + 2) / 12;
        let dd = ddd - (mi * 306 + 5) / 10 + 1;
        Date {
            year: y as i32,
            month: mm as u32,
            day: dd as u32,
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    /// `day(s)`, `week(s)`, `month(s)`, `year(s)`: both grammars' unit words.
    pub fn from_word(w: &str) -> Unit {
        match w.trim_end_matches('s') {
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            _ => Unit::Year,
        }
    }
}

/// The literal forms shared by ICG and the check language.
pub mod literal {
    use super::Date;

    /// `1_503_000`, `2.5`, `-8`.
    pub fn number(s: &str) -> f64 {
        s.replace('_', "").parse().unwrap_or(f64::NAN)
    }

    /// `£3m`, `£1.2bn`, `£500k`, `£250_000`, in pounds.
    pub fn money(s: &str) -> f64 {
        let s = s.trim_start_matches('£');
        let (digits, factor) = if let Some(d) = s.strip_suffix("bn") {
            (d, 1e9)
        } else if let Some(d) = s.strip_suffix('m') {
            (d, 1e6)
        } else if let Some(d) = s.strip_suffix('k') {
            (d, 1e3)
        } else {
            (s, 1.0)
        };
        number(digits) * factor
    }

    /// `2023-04-01` (the grammar guarantees the shape; validity is checked by the caller).
    pub fn date(s: &str) -> Date {
        let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse().ok()).unwrap_or(0);
        Date {
            year: n(0..4) as i32,
            month: n(5..7),
            day: n(8..10),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Duration {
    pub amount: f64,
    pub unit: Unit,
}

impl Duration {
    /// Length in days; a month is a twelfth of 365.25 days, so `12 months`
    /// and `1 year` compare equal.
    pub fn days(&self) -> f64 {
        self.amount
            * match self.unit {
                Unit::Day => 1.0,
                Unit::Week => 7.0,
                Unit::Month => 365.25 / 12.0,
                Unit::Year => 365.25,
            }
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        };
        write!(
            f,
            "{} {}{}",
            fmt_num(self.amount),
            unit,
            if self.amount == 1.0 { "" } else { "s" }
        )
    }
}

pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Str(String),
    Text(String),
    /// Integers and decimals; `is_int` keeps the written form for years.
    Number {
        value: f64,
        is_int: bool,
    },
    Percent(f64),
    /// Pounds sterling.
    Money(f64),
    Date(Date),
    Duration(Duration),
    Every(Duration),
    Word(String),
    Ref(String),
    List(Vec<Value>),
    Range(Date, Date),
}

impl ValueKind {
    /// What the value is, in words, for error messages.
    pub fn describe(&self) -> String {
        match self {
            ValueKind::Str(s) => format!("the string \"{s}\""),
            ValueKind::Text(_) => "a text".into(),
            ValueKind::Number { value, .. } => format!("the number {}", fmt_num(*value)),
            ValueKind::Percent(p) => format!("the percentage {}%", fmt_num(*p)),
            ValueKind::Money(m) => format!("the amount £{}", fmt_num(*m)),
            ValueKind::Date(d) => format!("the date {d}"),
            ValueKind::Duration(d) => format!("the duration {d}"),
            ValueKind::Every(d) => format!("the frequency every {d}"),
            ValueKind::Word(w) => format!("the word `{w}`"),
            ValueKind::Ref(r) => format!("the reference @{r}"),
            ValueKind::List(_) => "a list".into(),
            ValueKind::Range(a, b) => format!("the range {a} to {b}"),
        }
    }
}
