//! Finding what VINR may have made at Stripe when the answer was lost, without making it:
//! an attempt's PaymentIntent by the reference in its metadata, a refund by ours.

use super::Stripe;
use super::wire::Answer;
use serde_json::Value;

/// Pages of 100 intents a lookup reads where the processor has no search.
const LIST_PAGES: usize = 50;

impl Stripe {
    /// The intent made for attempt `reference`, found without making one: Stripe's search, or
    /// (where search is missing: a fake) the list of intents. `Err` when neither answers;
    /// `Ok(None)` when it is not (yet) there.
    pub(super) async fn find_intent(&self, reference: &str) -> Result<Option<Value>, ()> {
        let query = format!("metadata['vinr_attempt']:'{reference}'");
        match self
            .call(
                reqwest::Method::GET,
                "/v1/payment_intents/search",
                &[("query", query)],
                None,
            )
            .await
        {
            Answer::Ok(found) => return Ok(found.pointer("/data/0").cloned()),
            Answer::Refused(404, _) => {}
            _ => return Err(()),
        }
        let mut after: Option<String> = None;
        for _ in 0..LIST_PAGES {
            let mut form = vec![("limit", "100".to_string())];
            if let Some(id) = &after {
                form.push(("starting_after", id.clone()));
            }
            let Answer::Ok(page) = self
                .call(reqwest::Method::GET, "/v1/payment_intents", &form, None)
                .await
            else {
                return Err(());
            };
            let data = page
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(found) = data.iter().find(|pi| {
                pi.pointer("/metadata/vinr_attempt").and_then(Value::as_str) == Some(reference)
            }) {
                return Ok(Some(found.clone()));
            }
            let more = page.get("has_more").and_then(Value::as_bool) == Some(true);
            after = data
                .last()
                .and_then(|pi| pi.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string);
            if !more || after.is_none() {
                return Ok(None);
            }
        }
        Err(())
    }

    /// The refund of intent `id` made for our refund `reference`, if any.
    pub(super) async fn find_refund(&self, reference: &str, id: &str) -> Result<Option<Value>, ()> {
        let form = [
            ("payment_intent", id.to_string()),
            ("limit", "100".to_string()),
        ];
        match self
            .call(reqwest::Method::GET, "/v1/refunds", &form, None)
            .await
        {
            Answer::Ok(page) => {
                Ok(page
                    .get("data")
                    .and_then(Value::as_array)
                    .and_then(|refunds| {
                        refunds
                            .iter()
                            .find(|r| {
                                r.pointer("/metadata/vinr_refund").and_then(Value::as_str)
                                    == Some(reference)
                            })
                            .cloned()
                    }))
            }
            _ => Err(()),
        }
    }
}
