//! The policy packs bundled in the binary (`extends: default`, `flowgate init --pack strict`):
//! their names and texts, which the loader reads and its errors list.

/// Each bundled pack: its name and its YAML.
pub const BUNDLED: &[(&str, &str)] =
    &[("default", include_str!("../../policies/default.yml")), ("strict", include_str!("../../policies/strict.yml"))];
