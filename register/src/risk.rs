//! The risk record (ISO 27001 clause 6.1.2): what could go wrong, scored likelihood × impact.

use crate::RecordId;
use serde::{Deserialize, Serialize};

pub const TITLE_MAX_CHARS: usize = 200;
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

/// A risk as stored and shown.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    pub id: RecordId,
    pub title: String,
    pub likelihood: u8,
    pub impact: u8,
}

/// What a person typed into the risk form, before it is checked.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RiskDraft {
    pub title: String,
    pub likelihood: String,
    pub impact: String,
}

/// A refusal tied to one form field, in words a person can act on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Qualitative band of a likelihood × impact score on the usual 5×5 matrix.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rating {
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    pub fn of_score(score: u8) -> Self {
        match score {
            0..=4 => Self::Low,
            5..=9 => Self::Medium,
            10..=16 => Self::High,
            _ => Self::Critical,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
            Self::Critical => "Critical",
        }
    }
}

impl Risk {
    pub fn score(&self) -> u8 {
        self.likelihood * self.impact
    }

    pub fn rating(&self) -> Rating {
        Rating::of_score(self.score())
    }
}

impl RiskDraft {
    /// Checks every field and either builds the risk or lists every problem at once,
    /// so the form can show all of them next to their fields.
    pub fn validate(&self, id: RecordId) -> Result<Risk, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(FieldError {
                field: "title",
                message: "Give the risk a title.".into(),
            });
        } else if title.chars().count() > TITLE_MAX_CHARS {
            errors.push(FieldError {
                field: "title",
                message: format!("Keep the title to {TITLE_MAX_CHARS} characters or fewer."),
            });
        }
        let likelihood = parse_scale("likelihood", &self.likelihood, &mut errors);
        let impact = parse_scale("impact", &self.impact, &mut errors);
        match (errors.is_empty(), likelihood, impact) {
            (true, Some(likelihood), Some(impact)) => Ok(Risk {
                id,
                title: title.to_owned(),
                likelihood,
                impact,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_scale(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> Option<u8> {
    match text.trim().parse::<u8>() {
        Ok(value) if SCALE.contains(&value) => Some(value),
        _ => {
            errors.push(FieldError {
                field,
                message: format!("Choose a {field} from 1 (lowest) to 5 (highest)."),
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(title: &str, likelihood: &str, impact: &str) -> RiskDraft {
        RiskDraft {
            title: title.into(),
            likelihood: likelihood.into(),
            impact: impact.into(),
        }
    }

    #[test]
    fn a_complete_draft_becomes_a_scored_risk() {
        let id = RecordId::new();
        let risk = draft("  Laptop theft  ", "4", "5").validate(id).unwrap();
        assert_eq!(risk.title, "Laptop theft");
        assert_eq!(risk.id, id);
        assert_eq!(risk.score(), 20);
        assert_eq!(risk.rating(), Rating::Critical);
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let errors = draft("   ", "0", "six")
            .validate(RecordId::new())
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "likelihood", "impact"]);
        assert!(errors[1].message.contains("1 (lowest) to 5"));
    }

    #[test]
    fn an_overlong_title_is_refused() {
        let long = "x".repeat(TITLE_MAX_CHARS + 1);
        let errors = draft(&long, "1", "1")
            .validate(RecordId::new())
            .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "title");
        let exact = "é".repeat(TITLE_MAX_CHARS);
        assert!(draft(&exact, "1", "1").validate(RecordId::new()).is_ok());
    }

    #[test]
    fn ratings_follow_the_5x5_bands() {
        let bands: Vec<_> = [1, 4, 5, 9, 10, 16, 20, 25]
            .into_iter()
            .map(|s| Rating::of_score(s).label())
            .collect();
        assert_eq!(
            bands,
            [
                "Low", "Low", "Medium", "Medium", "High", "High", "Critical", "Critical"
            ]
        );
    }

    #[test]
    fn stored_json_refuses_unknown_fields() {
        let risk = draft("Phishing", "3", "3")
            .validate(RecordId::new())
            .unwrap();
        let mut json: serde_json::Value = serde_json::to_value(&risk).unwrap();
        assert_eq!(serde_json::from_value::<Risk>(json.clone()).unwrap(), risk);
        json["surprise"] = 1.into();
        assert!(serde_json::from_value::<Risk>(json).is_err());
    }
}
