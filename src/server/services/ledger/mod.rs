//! Posting to the ledger: every capture posts one balanced transaction in the same database
//! transaction as the payment's change; after the settlement delay its net moves from pending
//! to available (`settle_due`). `verify` checks the invariants.

pub mod verify;

use crate::domain::ids::IdKind;
use crate::domain::ledger::{self, Entry};
use crate::server::crypto::new_id;
use crate::server::services::payments::Deps;
use crate::server::store::ledger::{self as rows, EntryRow, TransactionRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::{Store, Tx, is_unique_violation};

/// What a transaction is about, besides its entries.
pub struct Posting<'a> {
    pub account_id: &'a str,
    pub mode: crate::domain::mode::Mode,
    pub kind: &'a str,
    pub payment_id: Option<&'a str>,
    pub charge_id: Option<&'a str>,
    pub refund_id: Option<&'a str>,
    pub owner: &'a str,
    pub currency: crate::domain::money::Currency,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    pub available_on: Option<i64>,
    pub settles: Option<&'a str>,
}

/// Writes one balanced transaction and moves the balances of its books.
pub async fn post(
    tx: &mut Tx,
    now_micros: i64,
    p: Posting<'_>,
    entries: &[Entry],
) -> Result<TransactionRow, sqlx::Error> {
    assert!(
        ledger::is_balanced(entries),
        "an unbalanced posting is a bug: {entries:?}"
    );
    let t = TransactionRow {
        id: new_id(IdKind::LedgerTransaction),
        account_id: p.account_id.to_string(),
        mode: p.mode,
        kind: p.kind.to_string(),
        payment_id: p.payment_id.map(str::to_string),
        charge_id: p.charge_id.map(str::to_string),
        refund_id: p.refund_id.map(str::to_string),
        owner: p.owner.to_string(),
        currency: p.currency,
        amount: p.amount,
        fee: p.fee,
        net: p.net,
        available_on: p.available_on,
        settles: p.settles.map(str::to_string),
        created: now_micros.div_euclid(1_000_000),
        sort_key: now_micros,
    };
    let lines: Vec<EntryRow> = entries
        .iter()
        .map(|e| EntryRow {
            id: new_id(IdKind::LedgerEntry),
            transaction_id: t.id.clone(),
            account_id: t.account_id.clone(),
            mode: t.mode,
            book: e.book.as_str().to_string(),
            owner: e.owner.clone(),
            currency: t.currency,
            debit: e.debit,
            credit: e.credit,
        })
        .collect();
    let changes: Vec<(String, String, i64)> = entries
        .iter()
        .map(|e| {
            (
                e.owner.clone(),
                e.book.as_str().to_string(),
                e.balance_change(),
            )
        })
        .collect();
    rows::insert(tx, &t, &lines, &changes);
    Ok(t)
}

/// Posts the capture of a payment that has just succeeded: gross to the acquirer receivable,
/// net to the merchant's (or the connected account's) pending balance, the fee to fees.
pub async fn post_capture(
    tx: &mut Tx,
    deps: &Deps<'_>,
    row: &PaymentRow,
) -> Result<TransactionRow, sqlx::Error> {
    let amount = row.amount_received;
    let fee = deps.fees.fee(amount);
    let owner = row.on_behalf_of.as_deref().unwrap_or(&row.account_id);
    let now = deps.clock.now_micros();
    let entries = ledger::capture(&row.account_id, owner, amount, fee);
    post(
        tx,
        now,
        Posting {
            account_id: &row.account_id,
            mode: row.mode,
            kind: "capture",
            payment_id: Some(&row.id),
            charge_id: row.latest_charge.as_deref(),
            refund_id: None,
            owner,
            currency: row.currency,
            amount,
            fee,
            net: amount - fee,
            available_on: Some(now.div_euclid(1_000_000) + deps.settlement_delay_secs),
            settles: None,
        },
        &entries,
    )
    .await
}

/// Settles every capture whose net is available at `now` (Unix seconds): one settlement
/// transaction each. Safe on several instances: a capture is settled once (unique index), the
/// loser of a race skips it. Returns how many this call settled.
pub async fn settle_due(store: &Store, now: i64) -> Result<u64, sqlx::Error> {
    settle_due_for(store, now, None).await
}

/// `settle_due` for one account only (tests sharing a database, or settling one merchant by
/// hand).
pub async fn settle_due_for(
    store: &Store,
    now: i64,
    account: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let mut settled = 0;
    loop {
        let due = rows::captures_to_settle(store.reader(), now, account, 200).await?;
        let found = due.len();
        for capture in due {
            let mut tx = store.begin().await?;
            // Refunds before settlement took their part from pending; the rest moves. (The
            // no-op write orders this after any refund of the same payment on Postgres.)
            let net = match &capture.payment_id {
                Some(payment) => {
                    crate::server::store::refunds::lock_payment(&mut tx, payment).await?;
                    capture.net - rows::refunded_from_pending(tx.conn().await?, payment).await?
                }
                None => capture.net,
            };
            let entries = ledger::settlement(&capture.owner, net);
            let posted = post(
                &mut tx,
                now * 1_000_000,
                Posting {
                    account_id: &capture.account_id,
                    mode: capture.mode,
                    kind: "settlement",
                    payment_id: capture.payment_id.as_deref(),
                    charge_id: capture.charge_id.as_deref(),
                    refund_id: None,
                    owner: &capture.owner,
                    currency: capture.currency,
                    amount: net,
                    fee: 0,
                    net,
                    available_on: None,
                    settles: Some(&capture.id),
                },
                &entries,
            )
            .await;
            match posted {
                Ok(_) => {
                    tx.commit().await?;
                    settled += 1;
                }
                Err(err) if is_unique_violation(&err) => {}
                Err(err) => return Err(err),
            }
        }
        if found < 200 {
            return Ok(settled);
        }
    }
}
