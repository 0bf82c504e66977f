//! Rewards: what customers can spend points on (newest first, pages both ways), a new one,
//! and pausing or offering one again.

use super::billing::ListQuery;
use super::loyalty::{LoyaltyTabs, points};
use super::loyalty_actions::{CreateReward, SetRewardActive};
use super::{ConfirmAction, DashboardLayout, action, money, signed_out, viewer};
use crate::server::services::dashboard;
use crate::server::services::loyalty::dashboard as loyalty;
use crate::server::state::AppState;
use crate::server::store::loyalty::{DEFAULT_PROGRAM, RewardFilter, RewardRow};
use leptos::prelude::*;

const PAGE_SIZE: i64 = 25;

#[component]
pub fn RewardsPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let query = ListQuery::read();
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        let currency = loyalty::default_currency(&state.store, &scope)
            .await
            .map(|c| c.code().to_string())
            .unwrap_or_else(|_| "EUR".into());
        let filter = RewardFilter::default();
        let page = dashboard::page(&state.store, &scope, &filter, &query.position, PAGE_SIZE);
        let list = query.show(
            "/dashboard/loyalty/rewards",
            page.await,
            |r: &RewardRow| &r.id,
            [
                "No rewards yet in this mode. Add one below, or with POST /v1/loyalty/rewards.",
                "No rewards.",
            ],
            |rows| view! { <RewardsTable rows /> }.into_any(),
        );
        view! { {list} <NewRewardForm currency /> }.into_any()
    });
    view! {
        <DashboardLayout viewer=v active="loyalty" title="Rewards".to_string()>
            <h1>"Loyalty"</h1>
            <LoyaltyTabs active="rewards" />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

/// `€5.00 off`, `10% off`.
pub fn discount_label(r: &RewardRow) -> String {
    match (r.discount_amount, &r.currency, r.discount_percent) {
        (Some(amount), Some(currency), _) => format!("{} off", money(currency, amount)),
        (_, _, Some(percent)) => format!("{percent}% off"),
        _ => "—".into(),
    }
}

#[component]
fn RewardsTable(rows: Vec<RewardRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table data-testid="rewards">
                <thead>
                    <tr>
                        <th scope="col">"Reward"</th>
                        <th scope="col" class="num">"Costs"</th>
                        <th scope="col">"Gives"</th>
                        <th scope="col" class="hide-narrow">"Id"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let active = r.active != 0;
                        let (label, next) = if active { ("Pause", "false") } else { ("Offer again", "true") };
                        view! {
                            <tr data-id=r.id.clone()>
                                <td class="wrap">{r.name.clone()}</td>
                                <td class="num">{points(r.cost_points)}</td>
                                <td>{discount_label(&r)}</td>
                                <td class="hide-narrow"><code>{r.id.clone()}</code></td>
                                <td>{if active { "Offered" } else { "Paused" }}</td>
                                <td>
                                    <form method="post" action={action::<SetRewardActive>()} class="inline">
                                        <input type="hidden" name="reward" value=r.id.clone() />
                                        <input type="hidden" name="active" value=next />
                                        <button type="submit" class="button ghost small-button">{label}</button>
                                    </form>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn NewRewardForm(currency: String) -> impl IntoView {
    let body = view! {
        <div class="columns">
            <div class="field">
                <label for="reward-name">"Name"</label>
                <input id="reward-name" name="name" required maxlength="256" placeholder="€5 off your next order" />
            </div>
            <div class="field">
                <label for="reward-cost">"Cost in points"</label>
                <input id="reward-cost" name="cost_points" inputmode="numeric" required placeholder="500" />
            </div>
            <div class="field">
                <label for="reward-kind">"Takes off"</label>
                <select id="reward-kind" name="kind">
                    <option value="amount">"An amount"</option>
                    <option value="percent">"A percentage"</option>
                </select>
            </div>
            <div class="field">
                <label for="reward-discount">"Amount or percentage"</label>
                <input id="reward-discount" name="discount" inputmode="decimal" required placeholder="5.00" />
            </div>
            <div class="field">
                <label for="reward-currency">"Currency (for an amount)"</label>
                <input id="reward-currency" name="currency" maxlength="3" value=currency />
            </div>
        </div>
        <p class="muted small">"A reward never takes a payment below one unit of its currency."</p>
    }
    .into_any();
    view! {
        <section class="card">
            <ConfirmAction
                testid="new-reward"
                summary="New reward…"
                action={action::<CreateReward>().to_string()}
                fields={vec![("program", DEFAULT_PROGRAM.to_string())]}
                body
                confirm="Create reward"
                confirm_class="button primary"
            />
        </section>
    }
}
