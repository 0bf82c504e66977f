//! The dashboard home's figures: volume, count and success rate over days, and the bars of its
//! chart. Pure: the store hands over one row per (UTC day, currency).

/// Payments of one currency created on one UTC day (day = Unix seconds / 86,400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRow {
    pub day: i64,
    pub currency: String,
    /// Payments created.
    pub count: i64,
    /// Payments whose card was authorised (captured or still capturable).
    pub succeeded: i64,
    /// Payments a card was tried on: the succeeded ones and those declined or failed.
    pub attempted: i64,
    /// Money received (captured), in minor units.
    pub volume: i64,
}

/// Totals over a span of days, in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: i64,
    pub succeeded: i64,
    pub attempted: i64,
    pub volume: i64,
}

impl Summary {
    /// Share of attempted payments that succeeded, in tenths of a percent (`None` when no card
    /// was tried: a rate of nothing is not 0 %).
    pub fn success_permille(&self) -> Option<i64> {
        (self.attempted > 0).then(|| (self.succeeded * 1000 + self.attempted / 2) / self.attempted)
    }

    /// `92.3 %`, or `—` when nothing was attempted.
    pub fn success_rate(&self) -> String {
        match self.success_permille() {
            Some(p) => format!("{}.{} %", p / 10, p % 10),
            None => "—".into(),
        }
    }
}

/// The currency the home page reports in: the one with the most money received, then the most
/// payments; the account's default when there were none.
pub fn main_currency(rows: &[DayRow], default: &str) -> String {
    let mut totals: Vec<(String, i64, i64)> = Vec::new();
    for r in rows {
        match totals.iter_mut().find(|(c, _, _)| *c == r.currency) {
            Some(t) => {
                t.1 += r.volume;
                t.2 += r.count;
            }
            None => totals.push((r.currency.clone(), r.volume, r.count)),
        }
    }
    totals
        .into_iter()
        .max_by(|a, b| (a.1, a.2, &b.0).cmp(&(b.1, b.2, &a.0)))
        .map(|t| t.0)
        .unwrap_or_else(|| default.to_string())
}

/// Other currencies that had payments in the span (the page names them, it cannot add them).
pub fn other_currencies(rows: &[DayRow], main: &str) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .filter(|r| r.currency != main)
        .map(|r| r.currency.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Totals of `currency` over days `first..=last`.
pub fn summarize(rows: &[DayRow], currency: &str, first: i64, last: i64) -> Summary {
    rows.iter()
        .filter(|r| r.currency == currency && (first..=last).contains(&r.day))
        .fold(Summary::default(), |s, r| Summary {
            count: s.count + r.count,
            succeeded: s.succeeded + r.succeeded,
            attempted: s.attempted + r.attempted,
            volume: s.volume + r.volume,
        })
}

/// Volume of `currency` per day for `days` days ending with `last`, oldest first, with zeros
/// for days without payments.
pub fn daily_volume(rows: &[DayRow], currency: &str, last: i64, days: i64) -> Vec<i64> {
    let first = last - days + 1;
    let mut out = vec![0; days.max(0) as usize];
    for r in rows {
        if r.currency == currency && (first..=last).contains(&r.day) {
            out[(r.day - first) as usize] += r.volume;
        }
    }
    out
}

/// One bar of the chart, in the SVG's own units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

/// Bars for `values` in a `width` × `height` box, tallest value full height. A day with any
/// volume gets at least 2 units so it is not mistaken for none.
pub fn bars(values: &[i64], width: i64, height: i64) -> Vec<Bar> {
    let n = values.len() as i64;
    if n == 0 {
        return Vec::new();
    }
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let slot = width / n;
    let gap = (slot / 5).max(1);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = if *v > 0 { (v * height / max).max(2) } else { 0 };
            Bar {
                x: i as i64 * slot + gap / 2,
                y: height - h,
                width: slot - gap,
                height: h,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: i64, currency: &str, count: i64, ok: i64, tried: i64, volume: i64) -> DayRow {
        DayRow {
            day,
            currency: currency.into(),
            count,
            succeeded: ok,
            attempted: tried,
            volume,
        }
    }

    #[test]
    fn totals_and_rates_over_a_span() {
        let rows = vec![
            row(100, "EUR", 3, 2, 3, 5_000),
            row(99, "EUR", 1, 1, 1, 1_000),
            row(70, "EUR", 5, 5, 5, 9_999),
            row(100, "USD", 10, 0, 0, 0),
        ];
        let today = summarize(&rows, "EUR", 100, 100);
        assert_eq!(today.volume, 5_000);
        assert_eq!(today.success_rate(), "66.7 %");
        let month = summarize(&rows, "EUR", 71, 100);
        assert_eq!((month.count, month.volume), (4, 6_000));
        assert_eq!(month.success_rate(), "75.0 %");
        assert_eq!(summarize(&rows, "USD", 71, 100).success_rate(), "—");
        assert_eq!(main_currency(&rows, "GBP"), "EUR");
        assert_eq!(main_currency(&[], "GBP"), "GBP");
        assert_eq!(other_currencies(&rows, "EUR"), vec!["USD".to_string()]);
    }

    #[test]
    fn the_main_currency_is_the_one_with_most_money_then_most_payments() {
        let rows = vec![row(1, "USD", 1, 1, 1, 100), row(1, "EUR", 9, 0, 9, 0)];
        assert_eq!(main_currency(&rows, "EUR"), "USD");
        let rows = vec![row(1, "USD", 1, 0, 1, 0), row(1, "EUR", 2, 0, 2, 0)];
        assert_eq!(main_currency(&rows, "USD"), "EUR");
    }

    #[test]
    fn daily_series_fills_missing_days() {
        let rows = vec![row(10, "EUR", 1, 1, 1, 50), row(8, "EUR", 1, 1, 1, 20)];
        assert_eq!(daily_volume(&rows, "EUR", 10, 4), vec![0, 20, 0, 50]);
        assert_eq!(daily_volume(&rows, "EUR", 20, 3), vec![0, 0, 0]);
    }

    #[test]
    fn bars_fit_the_box_and_small_days_stay_visible() {
        let b = bars(&[0, 1, 1_000], 300, 100);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].height, 0);
        assert_eq!(b[1].height, 2);
        assert_eq!(
            b[2],
            Bar {
                x: 210,
                y: 0,
                width: 80,
                height: 100
            }
        );
        assert!(b.iter().all(|bar| bar.x + bar.width <= 300 && bar.y >= 0));
        assert!(bars(&[], 300, 100).is_empty());
        assert!(bars(&[0, 0], 300, 100).iter().all(|bar| bar.height == 0));
    }
}
