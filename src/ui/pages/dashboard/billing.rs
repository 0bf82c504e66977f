//! What the billing pages share: the tabs between subscriptions, invoices and the catalog, the
//! status filter of their lists, and how a period reads.

use crate::server::clock::format_date;
use crate::server::services::dashboard::{Page, Position};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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

/// A billing list's query string: the status filter as typed, and where the page starts.
pub struct ListQuery {
    pub status: Option<String>,
    pub position: Position,
}

impl ListQuery {
    /// The query of the page being rendered.
    pub fn read() -> ListQuery {
        use_query_map().with_untracked(|q| ListQuery {
            status: q.get("status").filter(|s| !s.is_empty()),
            position: match (q.get("after"), q.get("before")) {
                (Some(id), _) => Position::After(id),
                (None, Some(id)) => Position::Before(id),
                (None, None) => Position::First,
            },
        })
    }

    /// The status read with `parse`, or the message to show when it is none of them.
    pub fn status_as<T>(&self, parse: fn(&str) -> Option<T>) -> Result<Option<T>, AnyView> {
        match self.status.as_deref().map(parse) {
            Some(None) => Err(view! {
                <p class="notice error" role="alert">"Unknown status: choose one from the list."</p>
            }
            .into_any()),
            other => Ok(other.flatten()),
        }
    }

    /// The links to the newer and older pages of `path` around rows `first` to `last`,
    /// keeping the filter.
    pub fn pages(
        &self,
        path: &str,
        (first, last): (&str, &str),
        newer: bool,
        older: bool,
    ) -> (Option<String>, Option<String>) {
        let suffix = status_suffix(&self.status);
        (
            newer.then(|| format!("{path}?before={first}{suffix}")),
            older.then(|| format!("{path}?after={last}{suffix}")),
        )
    }

    /// A page of the list at `path` as it shows: `table` of its rows (`id` reads a row's
    /// id) with the pager, or what an empty page says: `empty[0]` with no filter,
    /// `empty[1]` under a status filter.
    pub fn show<R>(
        &self,
        path: &str,
        page: Result<Page<R>, sqlx::Error>,
        id: fn(&R) -> &str,
        empty: [&'static str; 2],
        table: impl FnOnce(Vec<R>) -> AnyView,
    ) -> AnyView {
        let Page { rows, newer, older } = match page {
            Ok(page) => page,
            Err(err) => return super::load_failed(err),
        };
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            let message = if self.status.is_some() {
                empty[1]
            } else {
                empty[0]
            };
            return view! { <p class="empty card" data-testid="empty">{message}</p> }.into_any();
        };
        let (newer, older) = self.pages(path, (id(first), id(last)), newer, older);
        view! { {table(rows)} <super::Pager newer older /> }.into_any()
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
