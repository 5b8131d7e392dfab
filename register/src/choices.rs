//! The values a choice field may hold, each set a type (`FindingStatus::Closed`), so code that
//! names a value is checked by the compiler. The schema's choice fields take their names from
//! here (`NAMES`) and the typed views read them as these types; a stored name no version of
//! Ratchet knows reads as no value.

use crate::{Value, schema::FromValue};

macro_rules! choices {
    ($(
        $(#[$doc:meta])*
        $Choice:ident { $( $Variant:ident = $name:literal ),* $(,)? }
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
            pub enum $Choice { $( $Variant, )* }

            impl $Choice {
                /// Every value, in the order a form offers them.
                pub const ALL: &'static [$Choice] = &[ $( $Choice::$Variant, )* ];
                /// Every value's stored name, in the same order.
                pub const NAMES: &'static [&'static str] = &[ $( $name, )* ];

                /// The value as it is stored.
                pub const fn name(self) -> &'static str {
                    match self { $( $Choice::$Variant => $name, )* }
                }

                /// The value a stored name stands for.
                pub fn from_name(name: &str) -> Option<$Choice> {
                    match name {
                        $( $name => Some($Choice::$Variant), )*
                        _ => None,
                    }
                }
            }

            impl AsRef<str> for $Choice {
                fn as_ref(&self) -> &str {
                    self.name()
                }
            }

            impl std::fmt::Display for $Choice {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.name())
                }
            }

            impl FromValue for $Choice {
                fn from_value(value: &Value) -> Option<Self> {
                    Self::from_name(value.as_text()?)
                }
            }

            impl From<$Choice> for Value {
                fn from(choice: $Choice) -> Value {
                    Value::from(choice.name())
                }
            }
        )*
    };
}

choices! {
    /// What area of the organisation a risk belongs to.
    RiskCategory {
        Strategic = "strategic", Operational = "operational", Technical = "technical",
        People = "people", Physical = "physical", Supplier = "supplier", Legal = "legal",
        Other = "other",
    }
    /// How a risk is treated (6.1.3).
    Treatment { Mitigate = "mitigate", Accept = "accept", Transfer = "transfer", Avoid = "avoid" }
    /// Where a risk stands.
    RiskStatus {
        Identified = "identified", Assessed = "assessed", Treating = "treating",
        Accepted = "accepted", Closed = "closed",
    }
    /// The theme of an Annex A control (or an organisation's own).
    ControlTheme {
        Organizational = "organizational", People = "people", Physical = "physical",
        Technological = "technological", Custom = "custom",
    }
    /// How far a control is implemented.
    ControlStatus {
        NotStarted = "not_started", Planned = "planned", Partial = "partial",
        Implemented = "implemented",
    }
    /// How well a control works, as last rated.
    Effectiveness {
        NotRated = "not_rated", Ineffective = "ineffective", PartlyEffective = "partly_effective",
        Effective = "effective",
    }
    /// Which way a metric improves.
    Direction { HigherIsBetter = "higher_is_better", LowerIsBetter = "lower_is_better" }
    /// How often a metric is measured.
    Frequency {
        Daily = "daily", Weekly = "weekly", Monthly = "monthly", Quarterly = "quarterly",
        HalfYearly = "half_yearly", Yearly = "yearly",
    }
    /// What a controlled document is.
    DocumentType {
        SecurityPolicy = "security_policy", TopicPolicy = "topic_policy", Procedure = "procedure",
        Standard = "standard", Record = "record", Other = "other",
    }
    /// Whether an objective was achieved by its due date.
    ObjectiveResult { Achieved = "achieved", PartlyAchieved = "partly_achieved", NotAchieved = "not_achieved" }
    /// What kind of security event a report is about.
    EventCategory {
        Phishing = "phishing", Malware = "malware", UnauthorisedAccess = "unauthorised_access",
        DataDisclosure = "data_disclosure", LostDevice = "lost_device", Outage = "outage",
        Physical = "physical", Supplier = "supplier", Other = "other",
    }
    /// What a report in the inbox is.
    EventType {
        Incident = "incident", NearMiss = "near_miss", Observation = "observation",
        Suggestion = "suggestion",
    }
    /// How bad an event is.
    Severity { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
    /// Where a report stands in triage.
    EventStatus { New = "new", Triaged = "triaged", Resolved = "resolved", Closed = "closed" }
    /// Who audits (9.2, or a supplier's audit, or a walkthrough).
    AuditType {
        Internal = "internal", External = "external", Supplier = "supplier",
        Walkthrough = "walkthrough",
    }
    /// Where an audit stands.
    AuditStatus {
        Planned = "planned", InProgress = "in_progress", Reported = "reported", Closed = "closed",
        Cancelled = "cancelled",
    }
    /// An audit check's result.
    CheckResult {
        NotChecked = "not_checked", Conforming = "conforming", Ofi = "ofi",
        Observation = "observation", MinorNc = "minor_nc", MajorNc = "major_nc",
        NotApplicable = "not_applicable",
    }
    /// What a finding is: a nonconformity (major or minor), an observation or an opportunity
    /// for improvement.
    FindingType { MajorNc = "major_nc", MinorNc = "minor_nc", Observation = "observation", Ofi = "ofi" }
    /// Where a finding came from.
    FindingSource {
        Audit = "audit", Event = "event", Measurement = "measurement", Review = "review",
        Direct = "direct",
    }
    /// Where a finding stands in the nonconformity workflow (10.2).
    FindingStatus {
        Open = "open", Correction = "correction", Analysing = "analysing",
        ActionsPlanned = "actions_planned", Implementing = "implementing",
        Verifying = "verifying", Closed = "closed",
    }
    /// What a finding's root cause lies in.
    CauseCategory {
        People = "people", Process = "process", Technology = "technology",
        Supplier = "supplier", Environment = "environment", Other = "other",
    }
    /// What an action does about a finding (or a review's output).
    ActionType {
        Correction = "correction", Corrective = "corrective", Preventive = "preventive",
        Improvement = "improvement",
    }
    /// What a review's output is (9.3.3).
    OutputType { Improvement = "improvement", IsmsChange = "isms_change", ResourceNeed = "resource_need" }
    /// Where an action stands.
    ActionStatus { Open = "open", InProgress = "in_progress", Done = "done", Cancelled = "cancelled" }
    /// Whether an action, checked, did what it was for.
    Verdict { Effective = "effective", NotEffective = "not_effective" }
    /// Whether a management review has been held.
    ReviewStatus { Planned = "planned", Held = "held" }
    /// What a context item is (clause 4).
    ContextItemType {
        Scope = "scope", InternalIssue = "internal_issue", ExternalIssue = "external_issue",
        InterestedParty = "interested_party",
    }
    /// Whether a context item still holds.
    ContextStatus { Current = "current", Retired = "retired" }
    /// Why a maturity snapshot was taken.
    Occasion { Monthly = "monthly", Review = "review" }
    /// Whether a piece of evidence is the one that counts.
    EvidenceStatus { Current = "current", Superseded = "superseded" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FieldType, Kind};

    #[test]
    fn every_value_reads_back_as_itself_and_nothing_else_reads_as_a_value() {
        for &status in FindingStatus::ALL {
            assert_eq!(FindingStatus::from_name(status.name()), Some(status));
            assert_eq!(
                FindingStatus::from_value(&Value::from(status)),
                Some(status)
            );
        }
        assert_eq!(FindingStatus::NAMES.len(), FindingStatus::ALL.len());
        assert_eq!(FindingStatus::from_name("Closed"), None);
        assert_eq!(CheckResult::from_value(&Value::Int(1)), None);
    }

    #[test]
    fn every_choice_field_of_the_schema_takes_its_values_from_a_choice_type() {
        let typed: &[&[&str]] = &[
            RiskCategory::NAMES,
            Treatment::NAMES,
            RiskStatus::NAMES,
            ControlTheme::NAMES,
            ControlStatus::NAMES,
            Effectiveness::NAMES,
            Direction::NAMES,
            Frequency::NAMES,
            ObjectiveResult::NAMES,
            DocumentType::NAMES,
            EventCategory::NAMES,
            EventType::NAMES,
            Severity::NAMES,
            EventStatus::NAMES,
            AuditType::NAMES,
            AuditStatus::NAMES,
            CheckResult::NAMES,
            FindingType::NAMES,
            FindingSource::NAMES,
            FindingStatus::NAMES,
            CauseCategory::NAMES,
            ActionType::NAMES,
            OutputType::NAMES,
            ActionStatus::NAMES,
            Verdict::NAMES,
            ReviewStatus::NAMES,
            ContextItemType::NAMES,
            ContextStatus::NAMES,
            Occasion::NAMES,
            EvidenceStatus::NAMES,
        ];
        let (maturity_areas, photo_location) = (
            crate::schema::MATURITY_AREAS,
            &[crate::policy::STRIP, crate::policy::KEEP][..],
        );
        for kind in Kind::ALL {
            for field in kind.spec().fields {
                if let FieldType::Choice(options) = field.ty {
                    assert!(
                        typed.contains(&options)
                            || options == maturity_areas
                            || options == photo_location,
                        "{}.{} lists its values itself",
                        kind.name(),
                        field.name
                    );
                }
            }
        }
    }
}
