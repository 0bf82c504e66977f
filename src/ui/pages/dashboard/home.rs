//! Dashboard home: today's and the last 30 days' volume, count and success rate, monthly
//! recurring revenue and subscriptions, a bar chart of daily volume (SVG drawn here, no chart
//! library), and the latest payments.

use super::{DashboardLayout, PaymentsTable, load_failed, money, signed_out, viewer};
use crate::domain::stats::{self, Summary};
use crate::server::services::billing::dashboard::{self as billing, BillingSummary};
use crate::server::services::dashboard::{self, HOME_DAYS, Home};
use crate::server::state::AppState;
use leptos::prelude::*;

/// The chart's drawing box (the SVG scales to its container).
const CHART_W: i64 = 600;
const CHART_H: i64 = 140;

#[component]
pub fn DashboardHome() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        let home = match dashboard::home(&state.store, &scope, state.clock.now()).await {
            Ok(home) => home,
            Err(err) => return load_failed(err),
        };
        match billing::summary(&state.store, &scope).await {
            Ok(billing) => view! { <HomeContent home billing /> }.into_any(),
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="home" title="Home".to_string()>
            <h1>"Home"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

#[component]
fn HomeContent(home: Home, billing: BillingSummary) -> impl IntoView {
    let currency = stats::main_currency(&home.days, &home.default_currency);
    let others = stats::other_currencies(&home.days, &currency);
    let today = stats::summarize(&home.days, &currency, home.today, home.today);
    let month = stats::summarize(
        &home.days,
        &currency,
        home.today - HOME_DAYS + 1,
        home.today,
    );
    let series = stats::daily_volume(&home.days, &currency, home.today, HOME_DAYS);
    let empty = home.latest.is_empty();
    view! {
        <div class="stats">
            <SummaryCard title="Today" testid="today" summary=today currency=currency.clone() />
            <SummaryCard title="Last 30 days" testid="month" summary=month currency=currency.clone() />
            <RecurringCard billing currency=currency.clone() />
        </div>
        {(!others.is_empty()).then(|| view! {
            <p class="muted small">"Figures in " {currency.clone()} ". Also had payments in: " {others.join(", ")} "."</p>
        })}
        <section class="card">
            <h2>"Volume, last 30 days"</h2>
            <VolumeChart series first_day=home.today - HOME_DAYS + 1 currency=currency.clone() />
        </section>
        <section class="card">
            <div class="card-head">
                <h2>"Latest payments"</h2>
                <a href="/dashboard/payments">"All payments"</a>
            </div>
            {if empty {
                view! {
                    <div class="empty" data-testid="empty">
                        <p>"No payments yet in this mode."</p>
                        <p class="muted">"Create one with your secret key (under " <a href="/dashboard/developers">"Developers"</a> "):"</p>
                        <pre><code>"curl -X POST $VINR_URL/v1/payments -H \"X-Api-Key: $VINR_SECRET_KEY\" -d amount=1250 -d currency=EUR"</code></pre>
                    </div>
                }.into_any()
            } else {
                view! { <PaymentsTable rows=home.latest /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn SummaryCard(
    title: &'static str,
    testid: &'static str,
    summary: Summary,
    currency: String,
) -> impl IntoView {
    view! {
        <section class="card stat-card" data-testid=testid>
            <h2>{title}</h2>
            <p class="stat" data-testid=format!("{testid}-volume")>{money(&currency, summary.volume)}</p>
            <dl class="figures">
                <div><dt>"Payments"</dt><dd data-testid=format!("{testid}-count")>{summary.count}</dd></div>
                <div><dt>"Success rate"</dt><dd data-testid=format!("{testid}-rate")>{summary.success_rate()}</dd></div>
            </dl>
        </section>
    }
}

/// Monthly recurring revenue (in the home's currency, others named) and how many
/// subscriptions pay, try or fail to.
#[component]
fn RecurringCard(billing: BillingSummary, currency: String) -> impl IntoView {
    let mrr = billing.mrr.get(&currency).copied().unwrap_or(0);
    let others: Vec<String> = billing
        .mrr
        .iter()
        .filter(|(c, _)| **c != currency)
        .map(|(c, amount)| money(c, *amount))
        .collect();
    view! {
        <section class="card stat-card" data-testid="recurring">
            <h2><a href="/dashboard/subscriptions">"Monthly recurring revenue"</a></h2>
            <p class="stat" data-testid="mrr">{money(&currency, mrr)}</p>
            {(!others.is_empty()).then(|| view! { <p class="muted small stat-note">"Also " {others.join(", ")}</p> })}
            <dl class="figures">
                <div><dt>"Active subscriptions"</dt><dd data-testid="active-subscriptions">{billing.active}</dd></div>
                <div><dt>"Trialing"</dt><dd>{billing.trialing}</dd></div>
                <div><dt>"Past due"</dt><dd data-testid="past-due-subscriptions">{billing.past_due}</dd></div>
            </dl>
        </section>
    }
}

/// Daily volume as bars; each bar names its day and amount for screen readers and on hover.
#[component]
fn VolumeChart(series: Vec<i64>, first_day: i64, currency: String) -> impl IntoView {
    let total: i64 = series.iter().sum();
    let max = series.iter().copied().max().unwrap_or(0);
    let bars = stats::bars(&series, CHART_W, CHART_H);
    let label = format!(
        "Daily volume from {} to {}: {} in total, at most {} in a day.",
        crate::server::clock::format_date(first_day * 86_400),
        crate::server::clock::format_date((first_day + series.len() as i64 - 1) * 86_400),
        money(&currency, total),
        money(&currency, max)
    );
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-label=label.clone()
                 preserveAspectRatio="none" data-testid="volume-chart">
                <line x1="0" y1=CHART_H.to_string() x2=CHART_W.to_string() y2=CHART_H.to_string() class="axis" />
                {bars.into_iter().zip(series).enumerate().map(|(i, (bar, value))| {
                    let day = crate::server::clock::format_date((first_day + i as i64) * 86_400);
                    view! {
                        <rect x=bar.x.to_string() y=bar.y.to_string() width=bar.width.to_string() height=bar.height.to_string() class="bar">
                            <title>{format!("{day}: {}", money(&currency, value))}</title>
                        </rect>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="chart-axis muted small">
                <span>{crate::server::clock::format_date(first_day * 86_400)}</span>
                <span>"Peak " {money(&currency, max)}</span>
                <span>"Today"</span>
            </figcaption>
        </figure>
    }
}
