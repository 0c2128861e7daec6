//! Tests of the analysis: per-language classification, symbols, detectors, budgets.

mod budgets;
mod detectors;
mod go;
mod java;
mod javascript;
mod python;
mod rust;
mod smoke;
mod support;
mod tsx;
mod typescript;
