//! The serde and JSON Schema plumbing of a checked newtype: a value read as a plain scalar,
//! checked as it is read, written back as that scalar, and published with its schema.
//!
//! Each policy newtype used to spell out `Deserialize`, `Serialize` and `JsonSchema` by hand;
//! `checked_newtype!` writes the three from the parts that differ. `Published` lets a check use
//! the very `pattern` the schema publishes, so the rule is written once.

use std::sync::OnceLock;

use regex::Regex;

/// Implements `Deserialize`, `Serialize` and `JsonSchema` for a newtype:
///
/// ```text
/// checked_newtype! {
///     PoolName = "PoolName",                        // the type, its schema name
///     read: String => PoolName::parse,              // fn(raw) -> Result<Self, String>
///     write: |v| &v.0,                              // what it is written back as
///     schema: json_schema!({ "type": "string" }),   // its JSON Schema
/// }
/// ```
///
/// The parse error becomes the serde error unchanged, so the reader reports it at its line.
macro_rules! checked_newtype {
    (
        $ty:ty = $name:literal,
        read: $raw:ty => $parse:expr,
        write: |$v:ident| $show:expr,
        schema: $schema:expr $(,)?
    ) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let parse: fn($raw) -> ::std::result::Result<$ty, String> = $parse;
                parse(<$raw as ::serde::Deserialize>::deserialize(d)?).map_err(::serde::de::Error::custom)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                let $v = self;
                ::serde::Serialize::serialize(&$show, s)
            }
        }

        impl ::schemars::JsonSchema for $ty {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $schema
            }
        }
    };
}

pub(crate) use checked_newtype;

/// A regex the schema publishes as a `pattern` and the reader checks with, compiled on first use.
pub(crate) struct Published {
    pattern: &'static str,
    regex: OnceLock<Regex>,
}

impl Published {
    pub(crate) const fn new(pattern: &'static str) -> Self {
        Published { pattern, regex: OnceLock::new() }
    }

    /// The pattern text, as the schema writes it.
    pub(crate) fn pattern(&self) -> &'static str {
        self.pattern
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        self.regex.get_or_init(|| Regex::new(self.pattern).expect("a published pattern compiles")).is_match(text)
    }
}
