//! Points transactions, worked out in memory on a customer's account and lots (`Points`);
//! `writing` puts them in the caller's database transaction.
//!
//! A transaction's `points` is how many points it is about, negative when the customer loses
//! them (a clawback, a spend, an expiry); `balance_after` is the customer's available points
//! after it. Its entries are the truth: balanced moves between the ledger's books.

use crate::domain::ids::IdKind;
use crate::domain::loyalty::{self as rules, DAY_SECS, Lot, PtxType, Transfer};
use crate::server::crypto::new_id;
use crate::server::store::loyalty::{
    EntryRow, LotRow, LotUseRow, LoyaltyAccountRow, ProgramRow, PtxRow,
};

/// What a transaction is about, besides its moves.
#[derive(Debug, Clone)]
pub struct Note {
    /// `(type, id)`: `payment`, `redemption`, `lot`…
    pub source: Option<(String, String)>,
    pub reverses: Option<String>,
    pub redemption: Option<String>,
    pub reason: Option<String>,
    /// JSON object.
    pub metadata: String,
}

impl Default for Note {
    fn default() -> Self {
        Note {
            source: None,
            reverses: None,
            redemption: None,
            reason: None,
            metadata: "{}".into(),
        }
    }
}

/// One transaction, worked out.
#[derive(Debug, Clone)]
pub struct Posting {
    pub ptx: PtxRow,
    pub entries: Vec<EntryRow>,
    pub new_lot: Option<LotRow>,
    /// Points taken from (positive) or given back to (negative) lots.
    pub uses: Vec<LotUseRow>,
    /// Pending lots it made spendable.
    pub activated: Vec<String>,
}

/// A customer's points account and its lots as read, with the transactions worked out on
/// them so far.
#[derive(Debug, Clone)]
pub struct Points {
    pub account: LoyaltyAccountRow,
    /// The lots with points left (every one, when read under the account's lock).
    pub lots: Vec<LotRow>,
    /// The account's version when read (its compare-and-set, or its lock, guards it).
    pub read_version: i64,
    pub postings: Vec<Posting>,
    pub(super) now_micros: i64,
}

/// Not enough points for a spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Short {
    pub available: i64,
}

impl Points {
    pub fn new(account: LoyaltyAccountRow, lots: Vec<LotRow>, now_micros: i64) -> Points {
        Points {
            read_version: account.version,
            account,
            lots,
            postings: Vec::new(),
            now_micros,
        }
    }

    /// A new, empty account of `customer` in `program` (written by the first transaction).
    pub fn open(program: &ProgramRow, customer: &str, now_micros: i64) -> Points {
        let account = LoyaltyAccountRow {
            id: new_id(IdKind::LoyaltyAccount),
            account_id: program.account_id.clone(),
            mode: program.mode,
            program: program.id.clone(),
            customer: customer.to_string(),
            issued: 0,
            pending: 0,
            available: 0,
            reserved: 0,
            redeemed: 0,
            expired: 0,
            lifetime_earned: 0,
            version: 0,
            created: now_micros.div_euclid(1_000_000),
            sort_key: now_micros,
        };
        Points::new(account, Vec::new(), now_micros)
    }

    pub(super) fn now(&self) -> i64 {
        self.now_micros.div_euclid(1_000_000)
    }

    /// Records a transaction of `transfers` that took `uses` from lots; `points` as the
    /// transaction shows it.
    pub(super) fn record(
        &mut self,
        kind: PtxType,
        transfers: &[Transfer],
        points: i64,
        uses: Vec<LotUseRow>,
        note: Note,
    ) -> &mut Posting {
        let delta = rules::balances(&rules::entries(transfers));
        let mut books = self.account.books();
        for (b, d) in books.iter_mut().zip(delta) {
            *b += d;
        }
        self.account.set_books(books);
        let id = new_id(IdKind::PointsTransaction);
        let entries = Points::entries(&id, &self.account.id, delta);
        let uses = uses
            .into_iter()
            .map(|u| LotUseRow {
                ptx: id.clone(),
                ..u
            })
            .collect();
        let sort_key = self.now_micros + self.postings.len() as i64;
        let (source_type, source_id) = match note.source {
            Some((t, i)) => (Some(t), Some(i)),
            None => (None, None),
        };
        self.postings.push(Posting {
            ptx: PtxRow {
                id,
                account_id: self.account.account_id.clone(),
                mode: self.account.mode,
                program: self.account.program.clone(),
                loyalty_account: self.account.id.clone(),
                customer: self.account.customer.clone(),
                kind,
                points,
                balance_after: self.account.available,
                source_type,
                source_id,
                reverses: note.reverses,
                redemption: note.redemption,
                reason: note.reason,
                metadata: note.metadata,
                created: self.now(),
                sort_key,
            },
            entries,
            new_lot: None,
            uses,
            activated: Vec::new(),
        });
        self.postings.last_mut().expect("just pushed")
    }

    /// One entry per book a transaction moves (`delta` in `Book::ALL` order).
    fn entries(ptx: &str, account: &str, delta: [i64; 6]) -> Vec<EntryRow> {
        rules::Book::ALL
            .iter()
            .zip(delta)
            .filter(|(_, points)| *points != 0)
            .map(|(book, points)| EntryRow {
                ptx: ptx.to_string(),
                loyalty_account: account.to_string(),
                book: book.as_str().to_string(),
                points,
            })
            .collect()
    }

    fn new_lot(&self, ptx: &str, points: i64, available_at: i64, program: &ProgramRow) -> LotRow {
        LotRow {
            id: new_id(IdKind::Lot),
            account_id: self.account.account_id.clone(),
            mode: self.account.mode,
            loyalty_account: self.account.id.clone(),
            ptx: ptx.to_string(),
            points,
            remaining: points,
            pending: i64::from(available_at > self.now()),
            available_at,
            expires_at: program.expiry_days.map(|d| available_at + d * DAY_SECS),
            created: self.now(),
        }
    }

    /// Gives `points` (an earn or a positive adjustment): pending for the program's pending
    /// days when `pending`, then spendable until its expiry days are over.
    pub fn give(
        &mut self,
        program: &ProgramRow,
        kind: PtxType,
        points: i64,
        pending: bool,
        note: Note,
    ) {
        let wait = if pending { program.pending_days } else { 0 };
        let to = if wait > 0 {
            rules::Book::Pending
        } else {
            rules::Book::Available
        };
        self.account.lifetime_earned += points;
        let available_at = self.now() + wait * DAY_SECS;
        let posting = self.record(
            kind,
            &[Transfer {
                from: rules::Book::Issued,
                to,
                points,
            }],
            points,
            Vec::new(),
            note,
        );
        let ptx = posting.ptx.id.clone();
        let lot = self.new_lot(&ptx, points, available_at, program);
        self.lots.push(lot.clone());
        self.postings.last_mut().expect("recorded").new_lot = Some(lot);
    }

    /// The pending lots due by now become spendable, and the spendable lots expired by now
    /// give up what is left of them. One transaction each, when there is anything to do.
    pub fn catch_up(&mut self) {
        let now = self.now();
        let due: Vec<(String, i64)> = self
            .lots
            .iter()
            .filter(|l| l.pending == 1 && l.available_at <= now)
            .map(|l| (l.id.clone(), l.remaining))
            .collect();
        if !due.is_empty() {
            let points: i64 = due.iter().map(|(_, n)| n).sum();
            for lot in self
                .lots
                .iter_mut()
                .filter(|l| due.iter().any(|(id, _)| *id == l.id))
            {
                lot.pending = 0;
            }
            let posting = self.record(
                PtxType::Activate,
                &[Transfer {
                    from: rules::Book::Pending,
                    to: rules::Book::Available,
                    points,
                }],
                points,
                Vec::new(),
                Note::default(),
            );
            posting.activated = due.into_iter().map(|(id, _)| id).collect();
        }
        let lots: Vec<Lot> = self.spendable_lots();
        let expired = rules::expired(&lots, now);
        if !expired.is_empty() {
            let held: i64 = expired.iter().map(|(_, n)| n).sum();
            // Points a negative balance already stands for cannot expire twice.
            let points = held.min(self.account.available.max(0));
            let uses = self.use_lots(&expired);
            self.record(
                PtxType::Expire,
                &[Transfer {
                    from: rules::Book::Available,
                    to: rules::Book::Expired,
                    points,
                }],
                -points,
                uses,
                Note::default(),
            );
        }
    }

    /// The lots that can be spent, as the domain sees them.
    pub(super) fn spendable_lots(&self) -> Vec<Lot> {
        self.lots
            .iter()
            .filter(|l| l.pending == 0)
            .map(|l| Lot {
                id: l.id.clone(),
                remaining: l.remaining,
                expires_at: l.expires_at,
                created: l.created,
            })
            .collect()
    }

    /// Takes `taken` from the lots in memory (a negative count gives back) and says so as
    /// uses.
    pub(super) fn use_lots(&mut self, taken: &[(String, i64)]) -> Vec<LotUseRow> {
        let now = self.now();
        let mut uses = Vec::new();
        for (id, n) in taken {
            if let Some(lot) = self.lots.iter_mut().find(|l| &l.id == id) {
                lot.remaining -= n;
            }
            uses.push(LotUseRow {
                ptx: String::new(),
                lot: id.clone(),
                points: *n,
                created: now,
            });
        }
        uses
    }

    /// Spends `points` of the available balance into `to` (a negative adjustment, a
    /// reservation, an outright redemption), soonest-expiring lots first.
    pub fn spend(
        &mut self,
        kind: PtxType,
        to: rules::Book,
        points: i64,
        note: Note,
    ) -> std::result::Result<&Posting, Short> {
        let available = self.account.available;
        let lots = self.spendable_lots();
        let taken = match rules::take(&lots, points, self.now()) {
            Some(taken) if available >= points => taken,
            _ => {
                return Err(Short {
                    available: available.max(0),
                });
            }
        };
        let uses = self.use_lots(&taken);
        Ok(self.record(
            kind,
            &[Transfer {
                from: rules::Book::Available,
                to,
                points,
            }],
            -points,
            uses,
            note,
        ))
    }

    /// Moves `points` from `from` (reserved or redeemed) back to available, giving them back
    /// to the lots `uses` took them from (a release, a restore).
    pub fn give_back(
        &mut self,
        kind: PtxType,
        from: rules::Book,
        points: i64,
        uses: &[LotUseRow],
        note: Note,
    ) {
        let back: Vec<(String, i64)> = uses
            .iter()
            .filter(|u| u.points > 0)
            .map(|u| (u.lot.clone(), -u.points))
            .collect();
        let back = self.use_lots(&back);
        self.record(
            kind,
            &[Transfer {
                from,
                to: rules::Book::Available,
                points,
            }],
            points,
            back,
            note,
        );
    }

    /// Moves reserved points to redeemed (a reservation's payment succeeded).
    pub fn redeem_reserved(&mut self, points: i64, note: Note) {
        self.record(
            PtxType::Redeem,
            &[Transfer {
                from: rules::Book::Reserved,
                to: rules::Book::Redeemed,
                points,
            }],
            -points,
            Vec::new(),
            note,
        );
    }
}
