//! Writing what `posting` worked out, in the caller's transaction: the account's balances
//! (under its lock, or by a compare-and-set on the version read before the transaction) and
//! every posting's transaction, entries, lots and lot uses.

use super::Result;
use super::posting::Points;
use crate::server::store::loyalty::{self, LoyaltyAccountRow};
use crate::server::store::{Tx, row};

impl Points {
    /// Queues every posting's rows (the account's own write is the caller's); with
    /// `balance_read_back`, each transaction's balance is read from the account as it is
    /// inserted.
    fn queue_postings(&self, tx: &mut Tx, balance_read_back: bool) {
        for p in &self.postings {
            tx.defer(loyalty::inserting(&p.ptx, balance_read_back));
            if let Some(insert) = row::insert_many(&p.entries) {
                tx.defer(insert);
            }
            if let Some(lot) = &p.new_lot {
                tx.defer(row::insert(lot));
            }
            for u in &p.uses {
                tx.defer(loyalty::using_lot(&u.lot, u.points));
            }
            if let Some(insert) = row::insert_many(&p.uses) {
                tx.defer(insert);
            }
            for lot in &p.activated {
                tx.defer(loyalty::activating_lot(lot));
            }
        }
    }

    /// Writes the postings under the account's lock (read with `lock_account_of`), or as the
    /// account's creation.
    pub async fn write_locked(&mut self, tx: &mut Tx, created: bool) -> Result<()> {
        if self.postings.is_empty() {
            return Ok(());
        }
        self.account.version = self.read_version + 1;
        if created {
            // Written with its first transaction's balances. Another request creating it at
            // the same moment wins; this one changes nothing and says so.
            if !loyalty::create_account(tx, &self.account).await? {
                return Err(super::state(
                    "loyalty_account_busy",
                    "The customer's points account was being created meanwhile; try again.",
                ));
            }
        } else {
            tx.defer(loyalty::saving_account(&self.account));
        }
        self.queue_postings(tx, false);
        Ok(())
    }

    /// Writes postings that only add points (an earn) to the account `read` before the
    /// transaction, as increments of whatever it holds when they run: all queued, so a
    /// payment's success that earns still goes to SQLite's group commit whole, and never
    /// conflicts. The transactions' `balance_after` is read back from the account then.
    pub fn write_adding(&mut self, tx: &mut Tx, read: &LoyaltyAccountRow) {
        let (before, after) = (read.books(), self.account.books());
        let delta = std::array::from_fn(|i| after[i] - before[i]);
        let earned = self.account.lifetime_earned - read.lifetime_earned;
        tx.defer(loyalty::adding_to_account(&self.account.id, delta, earned));
        self.queue_postings(tx, true);
    }

    /// Writes the postings if the account is still as read (false: it changed meanwhile, or
    /// another request created it first; nothing was written). For a change worked out
    /// before its transaction, which then holds nothing while it reads.
    pub async fn write_if_unchanged(&mut self, tx: &mut Tx, created: bool) -> Result<bool> {
        self.account.version = self.read_version + 1;
        let written = if created {
            loyalty::create_account(tx, &self.account).await?
        } else {
            loyalty::save_account_if(tx, &self.account, self.read_version).await?
        };
        if written {
            self.queue_postings(tx, false);
        }
        Ok(written)
    }
}
