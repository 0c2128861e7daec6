//! Tests of the analysis: per-language classification, symbols, detectors, budgets.

mod smoke;
