//! Risk scoring (clause 6.1.2): likelihood × impact on the usual 5×5 matrix.

use crate::views::Risk;

/// Qualitative band of a likelihood × impact score.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Rating {
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    pub fn of_score(score: i64) -> Self {
        match score {
            ..=4 => Self::Low,
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
    pub fn inherent_score(&self) -> Option<i64> {
        Some(self.inherent_likelihood? * self.inherent_impact?)
    }

    pub fn residual_score(&self) -> Option<i64> {
        Some(self.residual_likelihood? * self.residual_impact?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;

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
    fn scores_need_both_factors() {
        let mut risk = Risk {
            id: RecordId::new(),
            deleted: false,
            title: Some("Phishing".into()),
            description: None,
            asset: None,
            threat: None,
            vulnerability: None,
            category: None,
            owner: None,
            inherent_likelihood: Some(4),
            inherent_impact: Some(5),
            residual_likelihood: Some(2),
            residual_impact: None,
            treatment: None,
            controls: None,
            review_due: None,
            status: None,
            acceptance_approver: None,
            acceptance_expires: None,
        };
        assert_eq!(risk.inherent_score(), Some(20));
        assert_eq!(risk.residual_score(), None);
        risk.residual_impact = Some(2);
        assert_eq!(risk.residual_score(), Some(4));
    }
}
