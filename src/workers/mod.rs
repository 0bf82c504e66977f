//! Background work. Each worker exposes one step (`run_once(now)`) that tests call directly
//! with an injected clock, and a loop that calls it on a timer.

pub mod housekeeping;
