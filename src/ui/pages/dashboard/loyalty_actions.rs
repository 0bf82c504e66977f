//! Loyalty actions from the dashboard: a program's settings, adding and removing an earn rule,
//! a manual adjustment of a customer's points, and creating or pausing a reward. Each calls
//! the Engagement service the REST API calls and commits what it staged.

use super::actions::{Ctx, fail, internal, service_error};
use crate::domain::loyalty::EarnRuleSpec;
use crate::domain::money::Currency;
use crate::server::services::loyalty::{
    self, LoyaltyError, adjust,
    programs::{self, EarnRuleInput, ProgramFields, RefundPolicyInput},
    rewards,
};
use leptos::prelude::*;

/// An Engagement refusal in words.
fn loyalty_error(err: LoyaltyError) -> ServerFnError {
    match err {
        LoyaltyError::Service(e) => service_error(e),
        other => fail(other.to_string()),
    }
}

/// A whole number typed into a form (`what` names it in the message); empty is None.
fn number(text: &str, what: &str) -> Result<Option<i64>, ServerFnError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| fail(format!("{what} must be a whole number.")))
}

/// An amount typed in major units (`10.00`) for `currency`; empty is None.
fn amount(text: &str, currency: Currency) -> Result<Option<i64>, ServerFnError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    currency.parse_major(text).map(Some).map_err(fail)
}

async fn account_currency(ctx: &Ctx) -> Result<Currency, ServerFnError> {
    loyalty::dashboard::default_currency(&ctx.state.store, &ctx.scope)
        .await
        .map_err(loyalty_error)
}

/// Changes a program with `fields`, in one transaction.
async fn update_program(
    ctx: &Ctx,
    program: &str,
    fields: ProgramFields,
) -> Result<(), ServerFnError> {
    let currency = account_currency(ctx).await?;
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    programs::update(&mut tx, &ctx.scope, program, currency, fields)
        .await
        .map_err(loyalty_error)?;
    tx.commit().await.map_err(internal)
}

/// A program's name, pending and expiry days and refund policy.
#[server(prefix = "/dashboard/do", endpoint = "loyalty_program")]
pub async fn save_program(
    program: String,
    name: String,
    pending_days: String,
    expiry_days: String,
    earned: String,
    redeemed: String,
    allow_negative: Option<String>,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let fields = ProgramFields {
        name: Some(name),
        pending_days: Some(number(&pending_days, "Pending days")?.unwrap_or(0)),
        expiry_days: Some(number(&expiry_days, "Expiry days")?.unwrap_or(0)),
        refund_policy: Some(RefundPolicyInput {
            earned: Some(earned),
            redeemed: Some(redeemed),
            allow_negative: Some(allow_negative.is_some()),
        }),
        ..ProgramFields::default()
    };
    update_program(&ctx, &program, fields).await?;
    ctx.back("loyalty_saved");
    Ok(())
}

/// A stored rule as the service takes it back.
fn as_input(spec: &EarnRuleSpec) -> EarnRuleInput {
    EarnRuleInput {
        event: Some(spec.event.as_str().to_string()),
        points: Some(spec.points),
        per_amount: Some(spec.per_amount),
        currency: Some(spec.currency.clone()),
        min_amount: Some(spec.min_amount),
        max_points: spec.max_points,
        multiplier: Some(serde_json::Value::String(spec.multiplier.clone())),
    }
}

/// The program's rules with `change` made to them, saved as a whole list (as the API does).
async fn change_rules(
    ctx: &Ctx,
    program: &str,
    change: impl FnOnce(&mut Vec<EarnRuleInput>) -> Result<(), ServerFnError>,
) -> Result<(), ServerFnError> {
    let row = programs::find(ctx.state.store.reader(), &ctx.scope, program, None)
        .await
        .map_err(loyalty_error)?;
    let mut rules: Vec<EarnRuleInput> = programs::rules_of(&row).iter().map(as_input).collect();
    change(&mut rules)?;
    let fields = ProgramFields {
        earn_rules: Some(rules),
        ..ProgramFields::default()
    };
    update_program(ctx, program, fields).await
}

/// Adds an earn rule: `points` per `per_amount` (major units) of `currency`, from
/// `min_amount`, at most `max_points`, times `multiplier`.
#[server(prefix = "/dashboard/do", endpoint = "loyalty_rule_add")]
#[allow(clippy::too_many_arguments)]
pub async fn add_rule(
    program: String,
    event: String,
    points: String,
    per_amount: String,
    currency: String,
    min_amount: String,
    max_points: String,
    multiplier: String,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let code = currency.trim();
    let money = Currency::parse(code).ok_or_else(|| fail(format!("Unknown currency: {code}.")))?;
    let rule = EarnRuleInput {
        event: Some(event),
        points: Some(number(&points, "Points")?.ok_or_else(|| fail("Enter the points."))?),
        per_amount: amount(&per_amount, money)?,
        currency: Some(money.code().to_string()),
        min_amount: amount(&min_amount, money)?,
        max_points: number(&max_points, "Maximum points")?,
        multiplier: Some(multiplier.trim())
            .filter(|m| !m.is_empty())
            .map(|m| serde_json::Value::String(m.to_string())),
    };
    change_rules(&ctx, &program, |rules| {
        rules.push(rule);
        Ok(())
    })
    .await?;
    ctx.back("loyalty_rule_added");
    Ok(())
}

/// Removes the program's rule for `event` in `currency` (a program has one at most for
/// each), so a page read before another change still removes the rule it showed.
#[server(prefix = "/dashboard/do", endpoint = "loyalty_rule_remove")]
pub async fn remove_rule(
    program: String,
    event: String,
    currency: String,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    change_rules(&ctx, &program, |rules| {
        let before = rules.len();
        rules.retain(|r| {
            !(r.event.as_deref() == Some(event.as_str())
                && r.currency
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&currency)))
        });
        if rules.len() == before {
            return Err(fail("That rule is gone already; reload the page."));
        }
        Ok(())
    })
    .await?;
    ctx.back("loyalty_rule_removed");
    Ok(())
}

/// Gives (positive) or takes (negative) a customer's points by hand, with a reason.
#[server(prefix = "/dashboard/do", endpoint = "loyalty_adjust")]
pub async fn adjust_points(
    program: String,
    customer: String,
    points: String,
    reason: String,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let input = adjust::AdjustInput {
        program: Some(program),
        customer: Some(customer),
        points: Some(number(&points, "Points")?.ok_or_else(|| fail("Enter the points."))?),
        reason: Some(reason).filter(|r| !r.trim().is_empty()),
        metadata: None,
    };
    let clock = ctx.state.clock.as_ref();
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    adjust::adjust(&mut tx, &ctx.state.store, clock, &ctx.scope, input)
        .await
        .map_err(loyalty_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("points_adjusted");
    Ok(())
}

/// A new reward: `cost_points` for `discount` off, an amount of `currency` or a percentage
/// (`kind` = `amount` | `percent`).
#[server(prefix = "/dashboard/do", endpoint = "loyalty_reward")]
pub async fn create_reward(
    program: String,
    name: String,
    cost_points: String,
    kind: String,
    discount: String,
    currency: String,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let cost =
        number(&cost_points, "Cost in points")?.ok_or_else(|| fail("Enter the cost in points."))?;
    let mut input = rewards::NewReward {
        program: Some(program),
        name: Some(name),
        cost_points: Some(cost),
        ..rewards::NewReward::default()
    };
    match kind.as_str() {
        "amount" => {
            let code = currency.trim();
            let money =
                Currency::parse(code).ok_or_else(|| fail(format!("Unknown currency: {code}.")))?;
            input.discount_amount =
                Some(amount(&discount, money)?.ok_or_else(|| fail("Enter the amount off."))?);
            input.currency = Some(money.code().to_string());
        }
        "percent" => {
            input.discount_percent = Some(
                number(&discount, "The percentage")?
                    .ok_or_else(|| fail("Enter the percentage off."))?,
            );
        }
        _ => return Err(fail("Choose an amount or a percentage off.")),
    }
    let currency = account_currency(&ctx).await?;
    let clock = ctx.state.clock.as_ref();
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    rewards::create(&mut tx, &ctx.scope, clock, currency, input)
        .await
        .map_err(loyalty_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back("reward_created");
    Ok(())
}

/// Pauses a reward (`active=false`: it can no longer be redeemed) or offers it again.
#[server(prefix = "/dashboard/do", endpoint = "loyalty_reward_active")]
pub async fn set_reward_active(reward: String, active: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let active = active == "true";
    let update = rewards::RewardUpdate {
        active: Some(active),
        ..rewards::RewardUpdate::default()
    };
    let mut tx = ctx.state.store.begin().await.map_err(internal)?;
    rewards::update(&mut tx, &ctx.scope, &reward, update)
        .await
        .map_err(loyalty_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back(if active {
        "reward_offered"
    } else {
        "reward_paused"
    });
    Ok(())
}
