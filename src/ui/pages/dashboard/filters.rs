//! The payment filters of the dashboard's payments page, read from its query string. The page
//! and the CSV export read the same parameters, so an export holds exactly what the page lists.

use crate::domain::money::Currency;
use crate::domain::payment::PaymentStatus;
use crate::server::store::payments::PaymentFilter;

/// The query parameters the payments page understands, as typed (echoed back into the form).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PaymentQuery {
    pub status: String,
    pub currency: String,
    /// `YYYY-MM-DD`, inclusive, UTC.
    pub from: String,
    pub to: String,
    /// A payment id, a customer id, an e-mail or a customer reference.
    pub q: String,
}

impl PaymentQuery {
    /// Reads the parameters from `(name, value)` pairs; unknown names are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> PaymentQuery {
        let mut q = PaymentQuery::default();
        for (k, v) in pairs {
            let v = v.trim().to_string();
            match k {
                "status" => q.status = v,
                "currency" => q.currency = v,
                "from" => q.from = v,
                "to" => q.to = v,
                "q" => q.q = v,
                _ => {}
            }
        }
        q
    }

    /// The query string that reproduces these filters (for links: pages, export).
    pub fn to_query(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("currency", &self.currency),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }

    pub fn is_empty(&self) -> bool {
        *self == PaymentQuery::default()
    }

    /// The store filter, or what is wrong with the parameters in words.
    pub fn filter(&self) -> Result<PaymentFilter, Vec<String>> {
        let mut f = PaymentFilter::default();
        let mut problems = Vec::new();
        if !self.status.is_empty() {
            match PaymentStatus::parse(&self.status) {
                Some(s) => f.status = Some(s.as_str().to_string()),
                None => problems.push(format!("Unknown status: {}.", self.status)),
            }
        }
        if !self.currency.is_empty() {
            match Currency::parse(&self.currency) {
                Some(c) => f.currency = Some(c.code().to_string()),
                None => problems.push(format!("Unknown currency: {}.", self.currency)),
            }
        }
        if !self.from.is_empty() {
            match crate::server::clock::parse_date(&self.from) {
                Some(t) => f.created_gte = Some(t),
                None => problems.push(format!("“From” is not a date: {}.", self.from)),
            }
        }
        if !self.to.is_empty() {
            match crate::server::clock::parse_date(&self.to) {
                // The whole day: up to its last second.
                Some(t) => f.created_lte = Some(t + 86_399),
                None => problems.push(format!("“To” is not a date: {}.", self.to)),
            }
        }
        if let (Some(from), Some(to)) = (f.created_gte, f.created_lte)
            && from > to
        {
            problems.push("“From” is after “To”.".into());
        }
        match search_kind(&self.q) {
            Search::None => {}
            Search::PaymentId(id) => f.id = Some(id),
            Search::Customer(id) => f.customer = Some(id),
            Search::Email(e) => f.customer_email = Some(e),
            Search::Reference(r) => f.customer_reference = Some(r),
        }
        if problems.is_empty() {
            Ok(f)
        } else {
            Err(problems)
        }
    }
}

/// What a search box entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    None,
    PaymentId(String),
    Customer(String),
    Email(String),
    Reference(String),
}

/// Ids are recognised by their prefix, e-mails by their `@`; anything else is the merchant's
/// own customer reference.
pub fn search_kind(q: &str) -> Search {
    let q = q.trim();
    if q.is_empty() {
        Search::None
    } else if q.starts_with("pay_") {
        Search::PaymentId(q.to_string())
    } else if q.starts_with("cust_") {
        Search::Customer(q.to_string())
    } else if q.contains('@') {
        Search::Email(q.to_string())
    } else {
        Search::Reference(q.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_a_filter() {
        let q = PaymentQuery::from_pairs([
            ("status", "succeeded"),
            ("currency", "eur"),
            ("from", "2026-11-01"),
            ("to", "2026-11-21"),
            ("q", " ada@example.com "),
            ("other", "x"),
        ]);
        let f = q.filter().unwrap();
        assert_eq!(f.status.as_deref(), Some("succeeded"));
        assert_eq!(f.currency.as_deref(), Some("EUR"));
        assert_eq!(f.created_gte, Some(1_793_491_200));
        assert_eq!(f.created_lte, Some(1_795_219_200 + 86_399));
        assert_eq!(f.customer_email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            q.to_query(),
            "status=succeeded&currency=eur&from=2026-11-01&to=2026-11-21&q=ada%40example.com"
        );
        assert!(PaymentQuery::default().is_empty());
        assert_eq!(PaymentQuery::default().to_query(), "");
    }

    #[test]
    fn bad_parameters_are_named() {
        let q = PaymentQuery::from_pairs([
            ("status", "paid"),
            ("currency", "XXX"),
            ("from", "2026-12-01"),
            ("to", "2026-11-01"),
        ]);
        let problems = q.filter().unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let q = PaymentQuery::from_pairs([("from", "2026-11-01"), ("to", "2026-10-01")]);
        assert_eq!(
            q.filter().unwrap_err(),
            vec!["“From” is after “To”.".to_string()]
        );
        let q = PaymentQuery::from_pairs([("to", "soon")]);
        assert!(q.filter().unwrap_err()[0].contains("soon"));
    }

    #[test]
    fn search_recognises_what_it_was_given() {
        assert_eq!(search_kind("pay_123"), Search::PaymentId("pay_123".into()));
        assert_eq!(search_kind("cust_9"), Search::Customer("cust_9".into()));
        assert_eq!(search_kind("a@b.co"), Search::Email("a@b.co".into()));
        assert_eq!(
            search_kind("order-77"),
            Search::Reference("order-77".into())
        );
        assert_eq!(search_kind("  "), Search::None);
    }
}
