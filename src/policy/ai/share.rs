//! `ai.tiers.<tier>.max_ai_share`: the most of a file's added lines that may be AI-written
//! before the tier's AI review applies, written as every share in the policy is (`50%`).

use schemars::json_schema;

use crate::model::checked::checked_newtype;

/// A share of a file's added lines, 0% to 100%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaxAiShare(pub u8);

impl MaxAiShare {
    pub fn parse(text: String) -> Result<Self, String> {
        match crate::slo::rule::percent(&text).map(u8::try_from) {
            Some(Ok(n)) if n <= 100 => Ok(MaxAiShare(n)),
            _ => Err(format!(
                "max_ai_share {text:?} is not a share of a file's added lines: write a percentage from 0% to 100%, e.g. 50%"
            )),
        }
    }

    /// Whether `ai_written` of `added` lines is more than this share (exact: no rounding).
    pub fn exceeded_by(self, ai_written: u64, added: u64) -> bool {
        added > 0 && u128::from(ai_written) * 100 > u128::from(self.0) * u128::from(added)
    }
}

checked_newtype! {
    MaxAiShare = "MaxAiShare",
    read: String => MaxAiShare::parse,
    write: |v| format!("{}%", v.0),
    schema: json_schema!({
        "type": "string",
        "pattern": "^\\s*[0-9]{1,3}\\s*%\\s*$",
        "description": "A share of a file's added lines: 50%."
    }),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_like_the_slo_ones_and_stay_within_a_file() {
        assert_eq!(MaxAiShare::parse("50%".into()), Ok(MaxAiShare(50)));
        assert_eq!(MaxAiShare::parse(" 0 %".into()), Ok(MaxAiShare(0)));
        assert_eq!(MaxAiShare::parse("100%".into()), Ok(MaxAiShare(100)));
        insta::assert_snapshot!(MaxAiShare::parse("150%".into()).unwrap_err(), @r#"max_ai_share "150%" is not a share of a file's added lines: write a percentage from 0% to 100%, e.g. 50%"#);
        assert!(MaxAiShare::parse("half".into()).is_err());
        assert!(MaxAiShare::parse("50".into()).is_err());
        assert!(MaxAiShare::parse("+5%".into()).is_err());
    }

    #[test]
    fn a_file_is_over_the_share_only_when_strictly_more_is_ai_written() {
        let half = MaxAiShare(50);
        assert!(!half.exceeded_by(170, 340));
        assert!(half.exceeded_by(171, 340));
        assert!(!half.exceeded_by(0, 0));
        assert!(MaxAiShare(0).exceeded_by(1, 1000));
        assert!(!MaxAiShare(100).exceeded_by(10, 10));
    }
}
