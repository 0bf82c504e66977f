//! Loyalty: the tabs between programs, points accounts and rewards, and a program's page (its
//! earn rules, pending and expiry days, refund policy).

use super::loyalty_actions::{AddRule, RemoveRule, SaveProgram};
use super::{ConfirmAction, DashboardLayout, action, load_failed, money, signed_out, viewer};
use crate::domain::loyalty::{EarnEvent, EarnRuleSpec, EarnedPolicy, RedeemedPolicy};
use crate::domain::money::Currency;
use crate::server::services::loyalty::dashboard as loyalty;
use crate::server::services::loyalty::programs::rules_of;
use crate::server::state::AppState;
use crate::server::store::loyalty::{DEFAULT_PROGRAM, ProgramRow};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const TABS: [(&str, &str, &str); 3] = [
    ("program", "/dashboard/loyalty", "Program"),
    ("accounts", "/dashboard/loyalty/accounts", "Points accounts"),
    ("rewards", "/dashboard/loyalty/rewards", "Rewards"),
];

/// The loyalty section's tabs; `active` is this page's.
#[component]
pub fn LoyaltyTabs(active: &'static str) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Loyalty">
            {TABS.into_iter().map(|(key, href, label)| {
                let current = (key == active).then_some("page");
                view! { <a href=href aria-current=current>{label}</a> }
            }).collect_view()}
        </nav>
    }
}

/// `1 point`, `49 points`.
pub fn points(n: i64) -> String {
    if n.abs() == 1 {
        format!("{n} point")
    } else {
        format!("{n} points")
    }
}

/// How a rule reads: `1 point per €1.00 paid`, with its limits.
pub fn rule_label(r: &EarnRuleSpec) -> String {
    let mut text = format!(
        "{} per {} paid",
        points(r.points),
        money(&r.currency, r.per_amount)
    );
    if r.multiplier != "1" {
        text.push_str(&format!(", × {}", r.multiplier));
    }
    if r.min_amount > 0 {
        text.push_str(&format!(", from {}", money(&r.currency, r.min_amount)));
    }
    if let Some(max) = r.max_points {
        text.push_str(&format!(", at most {} a payment", points(max)));
    }
    text
}

#[component]
pub fn LoyaltyPage() -> impl IntoView {
    let Some(v) = viewer() else {
        return signed_out();
    };
    let chosen = use_query_map().with_untracked(|q| q.get("program"));
    let state = expect_context::<AppState>();
    let scope = v.scope.clone();
    let data = Suspend::new(async move {
        let loaded = async {
            let programs = loyalty::programs(&state.store, &scope).await?;
            let currency = loyalty::default_currency(&state.store, &scope).await?;
            Ok::<_, crate::server::services::loyalty::LoyaltyError>((programs, currency))
        };
        match loaded.await {
            Ok((programs, currency)) => {
                let wanted = chosen.as_deref().unwrap_or(DEFAULT_PROGRAM);
                let others: Vec<(String, String, bool)> = programs
                    .iter()
                    .map(|p| (p.id.clone(), p.name.clone(), p.id == wanted))
                    .collect();
                match programs.into_iter().find(|p| p.id == wanted) {
                    Some(program) => view! {
                        {(others.len() > 1).then(|| view! { <ProgramChooser programs=others /> })}
                        <Program program currency />
                    }
                    .into_any(),
                    None => super::not_found("loyalty program", wanted, "/dashboard/loyalty"),
                }
            }
            Err(err) => load_failed(err),
        }
    });
    view! {
        <DashboardLayout viewer=v active="loyalty" title="Loyalty".to_string()>
            <h1>"Loyalty"</h1>
            <LoyaltyTabs active="program" />
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>{data}</Suspense>
        </DashboardLayout>
    }
    .into_any()
}

/// Links to the merchant's other programs (`prog_default` and those made with the API).
#[component]
fn ProgramChooser(programs: Vec<(String, String, bool)>) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Programs">
            {programs.into_iter().map(|(id, name, current)| {
                let href = format!("/dashboard/loyalty?program={id}");
                view! { <a href=href aria-current=current.then_some("page")>{name}</a> }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn Program(program: ProgramRow, currency: Currency) -> impl IntoView {
    let rules = rules_of(&program);
    let id = program.id.clone();
    view! {
        <section class="card" data-testid="earn-rules">
            <div class="card-head">
                <h2>{program.name.clone()} " " <code class="muted small">{id.clone()}</code></h2>
            </div>
            <h3>"Earn rules"</h3>
            {if rules.is_empty() {
                view! { <p class="muted" data-testid="no-rules">"No earn rules: payments earn no points until you add one. Points can still be given with the API or by hand."</p> }.into_any()
            } else {
                view! { <RulesTable program=id.clone() rules /> }.into_any()
            }}
            <AddRuleForm program=id.clone() currency />
        </section>
        <ProgramSettings program />
    }
}

#[component]
fn RulesTable(program: String, rules: Vec<EarnRuleSpec>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table>
                <thead><tr><th scope="col">"When"</th><th scope="col">"Earns"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {rules.into_iter().map(|r| {
                        let label = rule_label(&r);
                        view! {
                            <tr data-testid="rule">
                                <td><code>{r.event.as_str()}</code> " " {r.currency.clone()}</td>
                                <td class="wrap">{label}</td>
                                <td>
                                    <form method="post" action={action::<RemoveRule>()} class="inline">
                                        <input type="hidden" name="program" value=program.clone() />
                                        <input type="hidden" name="event" value=r.event.as_str() />
                                        <input type="hidden" name="currency" value=r.currency.clone() />
                                        <button type="submit" class="button ghost small-button">"Remove"</button>
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
fn AddRuleForm(program: String, currency: Currency) -> impl IntoView {
    let one = currency.format_plain(10_i64.pow(u32::from(currency.exponent())));
    let body = view! {
        <div class="columns">
            <div class="field">
                <label for="rule-event">"When"</label>
                <select id="rule-event" name="event">
                    {[EarnEvent::PaymentCompleted, EarnEvent::InvoicePaid].into_iter().map(|e| view! {
                        <option value=e.as_str()>{e.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="rule-points">"Points"</label>
                <input id="rule-points" name="points" inputmode="numeric" required value="1" />
            </div>
            <div class="field">
                <label for="rule-per">"Per amount paid"</label>
                <input id="rule-per" name="per_amount" inputmode="decimal" value=one />
            </div>
            <div class="field">
                <label for="rule-currency">"Currency"</label>
                <input id="rule-currency" name="currency" maxlength="3" value=currency.code() />
            </div>
            <div class="field">
                <label for="rule-min">"Minimum payment"</label>
                <input id="rule-min" name="min_amount" inputmode="decimal" placeholder="none" />
            </div>
            <div class="field">
                <label for="rule-max">"Most points a payment"</label>
                <input id="rule-max" name="max_points" inputmode="numeric" placeholder="no limit" />
            </div>
            <div class="field">
                <label for="rule-mult">"Multiplier"</label>
                <input id="rule-mult" name="multiplier" inputmode="decimal" value="1" />
            </div>
        </div>
        <p class="muted small">"Points are rounded down. One rule per event and currency; an invoice's payment earns by its invoice.paid rule when there is one."</p>
    }
    .into_any();
    view! {
        <ConfirmAction
            testid="add-rule"
            summary="Add an earn rule"
            action={action::<AddRule>().to_string()}
            fields={vec![("program", program)]}
            body
            confirm="Add rule"
            confirm_class="button primary"
        />
    }
}

#[component]
fn ProgramSettings(program: ProgramRow) -> impl IntoView {
    let expiry = program.expiry_days.unwrap_or(0).to_string();
    let option = |value: &'static str, selected: bool| {
        view! { <option value=value selected=selected>{value.replace('_', " ")}</option> }
    };
    view! {
        <section class="card" data-testid="program-settings">
            <h2>"Settings"</h2>
            <form method="post" action={action::<SaveProgram>()} class="stack">
                <input type="hidden" name="program" value=program.id.clone() />
                <div class="columns">
                <div class="field">
                    <label for="program-name">"Name"</label>
                    <input id="program-name" name="name" required value=program.name.clone() />
                </div>
                <div class="field">
                    <label for="pending-days">"Pending days"</label>
                    <input id="pending-days" name="pending_days" inputmode="numeric" value=program.pending_days.to_string() />
                    <p class="muted small">"Earned points become spendable after this many days (a return window)."</p>
                </div>
                <div class="field">
                    <label for="expiry-days">"Expiry days"</label>
                    <input id="expiry-days" name="expiry_days" inputmode="numeric" value=expiry />
                    <p class="muted small">"Points expire this many days after they become spendable; 0: never."</p>
                </div>
                <div class="field">
                    <label for="refund-earned">"On a refund, earned points"</label>
                    <select id="refund-earned" name="earned">
                        {option("clawback", program.refund_earned == EarnedPolicy::Clawback)}
                        {option("keep", program.refund_earned == EarnedPolicy::Keep)}
                    </select>
                </div>
                <div class="field">
                    <label for="refund-redeemed">"On a full refund, redeemed points"</label>
                    <select id="refund-redeemed" name="redeemed">
                        {option("restore_on_full_refund", program.refund_redeemed == RedeemedPolicy::RestoreOnFullRefund)}
                        {option("keep", program.refund_redeemed == RedeemedPolicy::Keep)}
                    </select>
                </div>
                </div>
                <label class="check">
                    <input type="checkbox" name="allow_negative" value="on" checked={program.allow_negative != 0} />
                    " A clawback may take the balance below zero"
                </label>
                <button type="submit" class="button primary">"Save settings"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_as_sentences() {
        let mut rule = EarnRuleSpec {
            event: EarnEvent::PaymentCompleted,
            points: 1,
            per_amount: 100,
            currency: "EUR".into(),
            min_amount: 0,
            max_points: None,
            multiplier: "1".into(),
        };
        assert_eq!(rule_label(&rule), "1 point per €1.00 paid");
        rule.points = 5;
        rule.multiplier = "1.5".into();
        rule.min_amount = 1000;
        rule.max_points = Some(100);
        assert_eq!(
            rule_label(&rule),
            "5 points per €1.00 paid, × 1.5, from €10.00, at most 100 points a payment"
        );
        assert_eq!(points(-1), "-1 point");
    }
}
