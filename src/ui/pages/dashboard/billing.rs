//! What the billing pages share: the tabs between subscriptions, invoices and the catalog, the
//! status filter of their lists, and how a period reads.

use crate::server::clock::format_date;
use leptos::prelude::*;

const TABS: [(&str, &str, &str); 3] = [
    ("subscriptions", "/dashboard/subscriptions", "Subscriptions"),
    ("invoices", "/dashboard/invoices", "Invoices"),
    ("products", "/dashboard/products", "Products & prices"),
];

/// The billing section's tabs; `active` is this page's.
#[component]
pub fn BillingTabs(active: &'static str) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Billing">
            {TABS.into_iter().map(|(key, href, label)| {
                let current = (key == active).then_some("page");
                view! { <a href=href aria-current=current>{label}</a> }
            }).collect_view()}
        </nav>
    }
}

/// A list's filter by status: a plain GET form, so it works without JavaScript.
#[component]
pub fn StatusFilter(
    action: &'static str,
    statuses: Vec<&'static str>,
    selected: Option<String>,
) -> impl IntoView {
    let selected = selected.unwrap_or_default();
    view! {
        <form method="get" action=action class="filters card" role="search">
            <div class="field">
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    <option value="">"Any"</option>
                    {statuses.into_iter().map(|value| {
                        view! { <option value=value selected={selected == value}>{super::status_label(value)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field actions"><button type="submit" class="button primary">"Filter"</button></div>
        </form>
    }
}

/// `2027-01-31 – 2027-02-28`.
pub fn period(start: i64, end: i64) -> String {
    format!("{} – {}", format_date(start), format_date(end))
}

/// The query suffix that keeps a status filter on the pager's links.
pub fn status_suffix(status: &Option<String>) -> String {
    status
        .as_ref()
        .map(|s| {
            format!(
                "&status={}",
                url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_filters_read_plainly() {
        assert_eq!(period(0, 86_400 * 31), "1970-01-01 – 1970-02-01");
        assert_eq!(status_suffix(&Some("past_due".into())), "&status=past_due");
        assert_eq!(status_suffix(&None), "");
    }
}
