//! Review SLOs that act while a PR waits (pure): whose turn it is now, a tier's first-response
//! target with its escalation ladder (a reminder, the pool's channel, reassignment), and the plan
//! of what is due for each waiting reviewer, counted in that reviewer's own working hours. The
//! App (`serve::slo`) schedules the plans and sends what they say; the simulation replays them.

pub mod ladder;
pub mod rule;
pub mod turn;

#[cfg(test)]
mod tests;

pub use ladder::{Candidate, Due, Held, Plan, Sent, plan};
pub use rule::{Share, SloRule, Step};
pub use turn::{Snooze, Waiting, WaitingOn, whose_turn};
