//! Tests of the latency metrics: hand-built timelines with known answers, and real review history.

mod calendar;
mod devlake;
mod digest;
mod exclude;
pub(crate) mod hygiene;
mod repos;
pub(crate) mod support;
mod timeline;
pub(crate) mod tools;
mod tried;
