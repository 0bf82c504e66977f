//! Products and their prices: the catalog subscriptions are made of.

use super::billing::BillingTabs;
use super::{DashboardLayout, load_failed, money, signed_out, viewer};
use crate::domain::billing::UsageType;
use crate::server::services::billing::dashboard::{self as billing, CATALOG_LIMIT};
use crate::server::state::AppState;
use crate::server::store::products::{PriceRow, ProductRow};
use leptos::prelude::*;

#[component]
pub fn ProductsPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        match billing::catalog(&state.store, &scope).await {
            Ok(catalog) if catalog.is_empty() => view! {
                <div class="empty card" data-testid="empty">
                    <p>"No products yet in this mode."</p>
                    <pre><code>"curl $VINR_URL/v1/products -H \"X-Api-Key: $VINR_SECRET_KEY\" -d id=prod_starter -d name=Starter"</code></pre>
                </div>
            }
            .into_any(),
            Ok(catalog) => {
                let full = catalog.len() as i64 == CATALOG_LIMIT;
                view! {
                    {catalog.into_iter().map(|(product, prices)| view! { <Product product prices /> }).collect_view()}
                    {full.then(|| view! { <p class="muted small">{format!("The {CATALOG_LIMIT} newest products are shown; list the rest with GET /v1/products.")}</p> })}
                }
                .into_any()
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="billing" title="Products & prices".to_string()>
            <h1>"Billing"</h1>
            <BillingTabs active="products" />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

/// How a price reads: `€29.00 every month`, `€0.05 per unit used every month`, `€99.00 once`.
pub fn price_label(p: &PriceRow) -> String {
    let amount = money(p.currency.code(), p.unit_amount);
    let Some(interval) = p.recurring_interval else {
        return format!("{amount} once");
    };
    let every = match p.recurring_count {
        1 => interval.as_str().to_string(),
        n => format!("{n} {}s", interval.as_str()),
    };
    match p.usage_type {
        UsageType::Licensed => format!("{amount} every {every}"),
        UsageType::Metered => format!("{amount} per unit used, billed every {every}"),
    }
}

#[component]
fn Product(product: ProductRow, prices: Vec<PriceRow>) -> impl IntoView {
    view! {
        <section class="card" data-testid="product" data-id=product.id.clone()>
            <div class="card-head">
                <h2>{product.name.clone()} " " <code class="muted small">{product.id.clone()}</code></h2>
                {(product.active == 0).then(|| view! { <span class="badge">"Archived"</span> })}
            </div>
            {product.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            {if prices.is_empty() {
                view! { <p class="muted">"No prices yet."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr><th scope="col">"Price"</th><th scope="col">"Id"</th><th scope="col">"Status"</th></tr></thead>
                        <tbody>
                            {prices.into_iter().map(|p| view! {
                                <tr>
                                    <td>{price_label(&p)}</td>
                                    <td><code>{p.id.clone()}</code></td>
                                    <td>{if p.active != 0 { "Active" } else { "Archived" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
