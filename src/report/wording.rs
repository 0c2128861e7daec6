//! The verdict's sentences live in `crate::wording::verdict`; these names stay here for the
//! callers that still reach them through `report`.

pub use crate::wording::verdict::{summary, tool_label_description};
