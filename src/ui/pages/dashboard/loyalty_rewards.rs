//! Rewards: what customers can spend points on (newest first, pages both ways), a new one,
//! and pausing or offering one again. With programs made through the API beside
//! `prog_default`, each reward names its program and a new one is made in the program chosen.

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
        // (id, name) of each program, `prog_default` first.
        let programs: Vec<(String, String)> = loyalty::programs(&state.store, &scope)
            .await
            .map(|all| all.into_iter().map(|p| (p.id, p.name)).collect())
            .unwrap_or_default();
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
            {
                let programs = programs.clone();
                move |rows| view! { <RewardsTable rows programs /> }.into_any()
            },
        );
        view! { {list} <NewRewardForm currency programs /> }.into_any()
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

/// A program's name by its id (the id itself for one not listed).
fn program_name(programs: &[(String, String)], id: &str) -> String {
    programs
        .iter()
        .find(|(p, _)| p == id)
        .map_or_else(|| id.to_string(), |(_, name)| name.clone())
}

#[component]
fn RewardsTable(rows: Vec<RewardRow>, programs: Vec<(String, String)>) -> impl IntoView {
    let several = programs.len() > 1;
    view! {
        <div class="table-scroll">
            <table data-testid="rewards">
                <thead>
                    <tr>
                        <th scope="col">"Reward"</th>
                        {several.then(|| view! { <th scope="col">"Program"</th> })}
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
                                {several.then(|| view! { <td>{program_name(&programs, &r.program)}</td> })}
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
fn NewRewardForm(currency: String, programs: Vec<(String, String)>) -> impl IntoView {
    // One program: the reward is its; several: the merchant picks (`prog_default` first).
    let (choose, fields) = match programs.len() > 1 {
        true => (Some(programs), Vec::new()),
        false => (None, vec![("program", DEFAULT_PROGRAM.to_string())]),
    };
    let body = view! {
        {choose.map(|programs| view! {
            <div class="field">
                <label for="reward-program">"Program"</label>
                <select id="reward-program" name="program">
                    {programs.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </div>
        })}
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
                fields
                body
                confirm="Create reward"
                confirm_class="button primary"
            />
        </section>
    }
}
