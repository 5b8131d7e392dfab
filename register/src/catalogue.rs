//! The ISO/IEC 27001:2022 catalogue: the clauses 4–10 and the 93 Annex A controls, by id and
//! short title, with guidance written by us (the standard's requirement text is not copied).
//! A new register starts with every Annex A control as a `Control` record.

use crate::choices::{ControlStatus, ControlTheme};
use crate::{
    ClientId, Kind, RecordId, Value,
    sync::{Device, Replica},
    views,
};
use chrono::NaiveDate;

/// The four Annex A themes, with the `theme` value a control record stores.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
}

impl Theme {
    pub const ALL: [Theme; 4] = [
        Theme::Organizational,
        Theme::People,
        Theme::Physical,
        Theme::Technological,
    ];

    /// The theme as a control's choice.
    pub fn choice(self) -> ControlTheme {
        match self {
            Theme::Organizational => ControlTheme::Organizational,
            Theme::People => ControlTheme::People,
            Theme::Physical => ControlTheme::Physical,
            Theme::Technological => ControlTheme::Technological,
        }
    }

    /// The theme as it is stored (and offered in a form).
    pub fn value(self) -> &'static str {
        self.choice().name()
    }

    /// The Annex A section: A.5 … A.8.
    pub fn section(self) -> u8 {
        match self {
            Theme::Organizational => 5,
            Theme::People => 6,
            Theme::Physical => 7,
            Theme::Technological => 8,
        }
    }
}

pub struct AnnexControl {
    pub reference: &'static str,
    pub theme: Theme,
    pub title: &'static str,
    pub guidance: &'static str,
}

pub struct Clause {
    pub id: &'static str,
    pub title: &'static str,
}

macro_rules! annex {
    ($( $theme:ident { $( $reference:literal $title:literal => $guidance:literal; )* } )*) => {
        /// The 93 Annex A controls, in order.
        pub const ANNEX_A: &[AnnexControl] = &[
            $( $( AnnexControl {
                reference: $reference,
                theme: Theme::$theme,
                title: $title,
                guidance: $guidance,
            }, )* )*
        ];
    };
}

annex! {
    Organizational {
        "A.5.1" "Policies for information security" => "Keep a short, approved security policy and topic policies; publish them to staff and review them on a schedule.";
        "A.5.2" "Information security roles and responsibilities" => "Name who is responsible for each security task, and make sure they know it.";
        "A.5.3" "Segregation of duties" => "Split conflicting duties (request, approve, carry out) so no one person can misuse a process alone.";
        "A.5.4" "Management responsibilities" => "Managers ask their teams to follow the policies and set the example.";
        "A.5.5" "Contact with authorities" => "Know whom to call at regulators, police and data protection authorities, and when.";
        "A.5.6" "Contact with special interest groups" => "Take part in security forums and professional groups to stay informed.";
        "A.5.7" "Threat intelligence" => "Collect information about threats relevant to you and use it in risk decisions.";
        "A.5.8" "Information security in project management" => "Every project considers security from its start, with risks and requirements recorded.";
        "A.5.9" "Inventory of information and other associated assets" => "Keep an up-to-date list of information and assets, each with an owner.";
        "A.5.10" "Acceptable use of information and other associated assets" => "Write down how staff may and may not use information and equipment.";
        "A.5.11" "Return of assets" => "Collect equipment and information when people leave or change role.";
        "A.5.12" "Classification of information" => "Sort information by how sensitive it is, using a simple scheme everyone understands.";
        "A.5.13" "Labelling of information" => "Mark information with its classification so people handle it correctly.";
        "A.5.14" "Information transfer" => "Agree rules and tools for sending information inside and outside the organisation.";
        "A.5.15" "Access control" => "Decide who may access what, based on business need, and write the rules down.";
        "A.5.16" "Identity management" => "Give every person and system one identity, managed through its whole life.";
        "A.5.17" "Authentication information" => "Issue, protect and change passwords, keys and tokens safely.";
        "A.5.18" "Access rights" => "Grant, review and remove access rights through a controlled process.";
        "A.5.19" "Information security in supplier relationships" => "Assess suppliers' security before and while you rely on them.";
        "A.5.20" "Addressing information security within supplier agreements" => "Put your security requirements into supplier contracts.";
        "A.5.21" "Managing information security in the ICT supply chain" => "Understand the security of the products and services behind your suppliers.";
        "A.5.22" "Monitoring, review and change management of supplier services" => "Check suppliers deliver the agreed security, and manage changes to their services.";
        "A.5.23" "Information security for use of cloud services" => "Choose, use, manage and leave cloud services with security in mind.";
        "A.5.24" "Information security incident management planning and preparation" => "Prepare an incident process with roles, contacts and steps before you need it.";
        "A.5.25" "Assessment and decision on information security events" => "Triage reported events quickly and decide whether each is an incident.";
        "A.5.26" "Response to information security incidents" => "Handle incidents by the documented process: contain, fix, communicate.";
        "A.5.27" "Learning from information security incidents" => "Review incidents for root causes and improve controls so they do not recur.";
        "A.5.28" "Collection of evidence" => "Collect and keep evidence in a way that stands up if it is ever needed.";
        "A.5.29" "Information security during disruption" => "Keep security in place while operating in a crisis or fallback mode.";
        "A.5.30" "ICT readiness for business continuity" => "Plan and test how IT services recover within the times the business needs.";
        "A.5.31" "Legal, statutory, regulatory and contractual requirements" => "List the laws and contracts that set security duties, and meet them.";
        "A.5.32" "Intellectual property rights" => "Respect licences and intellectual property, including software you install.";
        "A.5.33" "Protection of records" => "Keep records safe from loss, tampering and early deletion.";
        "A.5.34" "Privacy and protection of PII" => "Protect personal data as privacy laws and your commitments require.";
        "A.5.35" "Independent review of information security" => "Have someone independent review your approach to security at planned times.";
        "A.5.36" "Compliance with policies, rules and standards for information security" => "Check regularly that policies and standards are actually followed.";
        "A.5.37" "Documented operating procedures" => "Write down the operating procedures people rely on, and keep them current.";
    }
    People {
        "A.6.1" "Screening" => "Check candidates' backgrounds in proportion to the role and the law.";
        "A.6.2" "Terms and conditions of employment" => "Employment terms state staff and company security responsibilities.";
        "A.6.3" "Information security awareness, education and training" => "Train everyone on security when they join and regularly after.";
        "A.6.4" "Disciplinary process" => "Have a fair, known process for breaches of security policy.";
        "A.6.5" "Responsibilities after termination or change of employment" => "Tell leavers and movers which security duties still apply.";
        "A.6.6" "Confidentiality or non-disclosure agreements" => "Use confidentiality agreements that match what people will see.";
        "A.6.7" "Remote working" => "Set rules and tools that keep information safe when people work away from the office.";
        "A.6.8" "Information security event reporting" => "Make it easy for anyone to report a security event quickly.";
    }
    Physical {
        "A.7.1" "Physical security perimeters" => "Define and protect the boundaries of areas holding information and equipment.";
        "A.7.2" "Physical entry" => "Control who gets in to secure areas, and keep a record.";
        "A.7.3" "Securing offices, rooms and facilities" => "Design offices and rooms so sensitive work is protected.";
        "A.7.4" "Physical security monitoring" => "Watch premises for unauthorised access, for example with alarms or cameras.";
        "A.7.5" "Protecting against physical and environmental threats" => "Protect against fire, flood, heat and other physical hazards.";
        "A.7.6" "Working in secure areas" => "Set rules for working in secure areas.";
        "A.7.7" "Clear desk and clear screen" => "Leave no papers, media or unlocked screens unattended.";
        "A.7.8" "Equipment siting and protection" => "Place and protect equipment to reduce environmental and access risks.";
        "A.7.9" "Security of assets off-premises" => "Protect laptops, phones and other assets outside your premises.";
        "A.7.10" "Storage media" => "Manage removable and other storage media through use, transport and disposal.";
        "A.7.11" "Supporting utilities" => "Protect power, cooling and other utilities against failure.";
        "A.7.12" "Cabling security" => "Protect power and network cabling from damage and interception.";
        "A.7.13" "Equipment maintenance" => "Maintain equipment correctly so it stays available and secure.";
        "A.7.14" "Secure disposal or re-use of equipment" => "Wipe or destroy data before equipment is reused or thrown away.";
    }
    Technological {
        "A.8.1" "User endpoint devices" => "Secure laptops, phones and other endpoints: encryption, updates, lock screens.";
        "A.8.2" "Privileged access rights" => "Limit and watch administrator rights.";
        "A.8.3" "Information access restriction" => "Let systems enforce the access rules you decided.";
        "A.8.4" "Access to source code" => "Control who can read and change source code and tools.";
        "A.8.5" "Secure authentication" => "Use strong sign-in, such as multi-factor authentication, where it matters.";
        "A.8.6" "Capacity management" => "Monitor and plan capacity so services do not fail under load.";
        "A.8.7" "Protection against malware" => "Prevent, detect and recover from malware, helped by staff awareness.";
        "A.8.8" "Management of technical vulnerabilities" => "Find vulnerabilities, judge the exposure and patch in time.";
        "A.8.9" "Configuration management" => "Set secure configurations, record them and keep systems to them.";
        "A.8.10" "Information deletion" => "Delete information when it is no longer needed.";
        "A.8.11" "Data masking" => "Mask personal or sensitive data where full values are not needed.";
        "A.8.12" "Data leakage prevention" => "Detect and stop sensitive data leaving by email, uploads or devices.";
        "A.8.13" "Information backup" => "Back up information and systems, and test that restores work.";
        "A.8.14" "Redundancy of information processing facilities" => "Build in enough redundancy to meet availability needs.";
        "A.8.15" "Logging" => "Record security-relevant activity, and protect the logs.";
        "A.8.16" "Monitoring activities" => "Watch networks and systems for unusual behaviour and act on it.";
        "A.8.17" "Clock synchronization" => "Keep system clocks synchronised to a trusted time source.";
        "A.8.18" "Use of privileged utility programs" => "Restrict tools that can bypass system controls.";
        "A.8.19" "Installation of software on operational systems" => "Control what software is installed on production systems.";
        "A.8.20" "Networks security" => "Secure and manage networks and their devices.";
        "A.8.21" "Security of network services" => "Agree and check security features of network services you use.";
        "A.8.22" "Segregation of networks" => "Separate networks by trust level and purpose.";
        "A.8.23" "Web filtering" => "Limit access to harmful websites.";
        "A.8.24" "Use of cryptography" => "Decide where to use encryption and how keys are managed.";
        "A.8.25" "Secure development life cycle" => "Build security into every stage of developing software.";
        "A.8.26" "Application security requirements" => "Set security requirements when acquiring or building applications.";
        "A.8.27" "Secure system architecture and engineering principles" => "Follow agreed secure design principles for systems.";
        "A.8.28" "Secure coding" => "Apply secure coding practices and review code.";
        "A.8.29" "Security testing in development and acceptance" => "Test security before systems go live.";
        "A.8.30" "Outsourced development" => "Direct and check the security of development you outsource.";
        "A.8.31" "Separation of development, test and production environments" => "Keep development, test and production apart.";
        "A.8.32" "Change management" => "Plan, approve and review changes to systems.";
        "A.8.33" "Test information" => "Choose and protect the data used for testing.";
        "A.8.34" "Protection of information systems during audit testing" => "Plan audit tests so they do not disrupt or expose live systems.";
    }
}

/// Clauses 4–10: the management-system requirements, by id and short title.
pub const CLAUSES: &[Clause] = &[
    Clause {
        id: "4",
        title: "Context of the organization",
    },
    Clause {
        id: "4.1",
        title: "Understanding the organization and its context",
    },
    Clause {
        id: "4.2",
        title: "Needs and expectations of interested parties",
    },
    Clause {
        id: "4.3",
        title: "Scope of the ISMS",
    },
    Clause {
        id: "4.4",
        title: "Information security management system",
    },
    Clause {
        id: "5",
        title: "Leadership",
    },
    Clause {
        id: "5.1",
        title: "Leadership and commitment",
    },
    Clause {
        id: "5.2",
        title: "Policy",
    },
    Clause {
        id: "5.3",
        title: "Roles, responsibilities and authorities",
    },
    Clause {
        id: "6",
        title: "Planning",
    },
    Clause {
        id: "6.1",
        title: "Actions to address risks and opportunities",
    },
    Clause {
        id: "6.1.1",
        title: "General: planning to address risks and opportunities",
    },
    Clause {
        id: "6.1.2",
        title: "Information security risk assessment",
    },
    Clause {
        id: "6.1.3",
        title: "Information security risk treatment",
    },
    Clause {
        id: "6.2",
        title: "Information security objectives",
    },
    Clause {
        id: "6.3",
        title: "Planning of changes",
    },
    Clause {
        id: "7",
        title: "Support",
    },
    Clause {
        id: "7.1",
        title: "Resources",
    },
    Clause {
        id: "7.2",
        title: "Competence",
    },
    Clause {
        id: "7.3",
        title: "Awareness",
    },
    Clause {
        id: "7.4",
        title: "Communication",
    },
    Clause {
        id: "7.5",
        title: "Documented information",
    },
    Clause {
        id: "7.5.1",
        title: "Documented information: general",
    },
    Clause {
        id: "7.5.2",
        title: "Creating and updating",
    },
    Clause {
        id: "7.5.3",
        title: "Control of documented information",
    },
    Clause {
        id: "8",
        title: "Operation",
    },
    Clause {
        id: "8.1",
        title: "Operational planning and control",
    },
    Clause {
        id: "8.2",
        title: "Information security risk assessment",
    },
    Clause {
        id: "8.3",
        title: "Information security risk treatment",
    },
    Clause {
        id: "9",
        title: "Performance evaluation",
    },
    Clause {
        id: "9.1",
        title: "Monitoring, measurement, analysis and evaluation",
    },
    Clause {
        id: "9.2",
        title: "Internal audit",
    },
    Clause {
        id: "9.2.1",
        title: "Internal audit: general",
    },
    Clause {
        id: "9.2.2",
        title: "Internal audit programme",
    },
    Clause {
        id: "9.3",
        title: "Management review",
    },
    Clause {
        id: "9.3.1",
        title: "Management review: general",
    },
    Clause {
        id: "9.3.2",
        title: "Management review inputs",
    },
    Clause {
        id: "9.3.3",
        title: "Management review results",
    },
    Clause {
        id: "10",
        title: "Improvement",
    },
    Clause {
        id: "10.1",
        title: "Continual improvement",
    },
    Clause {
        id: "10.2",
        title: "Nonconformity and corrective action",
    },
];

/// A clause of the standard by its id (`9.2.2`).
pub fn clause(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}

/// An Annex A control by its reference (`A.5.15`).
pub fn annex_control(reference: &str) -> Option<&'static AnnexControl> {
    ANNEX_A.iter().find(|c| c.reference == reference)
}

/// A requirement's reference with its title (`9.2.2 Internal audit programme`), or `None`
/// when it is neither a clause nor an Annex A control of the standard.
pub fn requirement(reference: &str) -> Option<String> {
    let title = clause(reference)
        .map(|c| c.title)
        .or_else(|| annex_control(reference).map(|c| c.title))?;
    Some(format!("{reference} {title}"))
}

/// The record id of an Annex A control in one register: the same on every device, so a
/// register seeded twice (a retried setup, two devices) still holds each control once.
pub fn control_id(register: &str, reference: &str) -> RecordId {
    RecordId::derived(register, reference)
}

/// Adds every Annex A control a register does not hold yet as ordinary edits, so they sync
/// like any other change. `register` names the register (the organisation's id, or "local").
/// Each starts not decided: whether it applies is the organisation's decision (`soa`).
pub fn seed_controls(device: &mut Device, register: &str, now_ms: u64) {
    seed_missing_controls(device, register, now_ms, ANNEX_A.len());
}

/// Seeds, in catalogue order, up to `count` of the Annex A controls `register` does not hold,
/// leaving those it holds as they are; says whether some are still missing. Seeded a few at a
/// time, each slice stored before the next, a seed cut short (a tab closed) resumes where it
/// stopped and never overwrites a control someone has changed since.
pub fn seed_missing_controls(
    device: &mut Device,
    register: &str,
    now_ms: u64,
    count: usize,
) -> bool {
    let missing: Vec<(&AnnexControl, RecordId)> = ANNEX_A
        .iter()
        .map(|control| (control, control_id(register, control.reference)))
        .filter(|(_, id)| device.local.record(*id).is_none())
        .collect();
    for &(control, id) in missing.iter().take(count) {
        let fields = [
            ("reference", Value::from(control.reference)),
            ("title", Value::from(control.title)),
            ("theme", Value::from(control.theme.choice())),
            ("guidance", Value::from(control.guidance)),
            ("status", Value::from(ControlStatus::NotStarted)),
        ];
        for (field, value) in fields {
            device.edit(id, Kind::Control, field, value, now_ms);
        }
    }
    missing.len() > count
}

/// How many records of `register` are more than the Annex A catalogue as seeding leaves it
/// (a record of another kind, or a control someone changed): what a restore replacing it
/// would lose.
pub fn own_records(register: &Replica, register_name: &str) -> usize {
    let mut seeded = Device::new(ClientId::from_u128(0));
    seed_controls(&mut seeded, register_name, 0);
    register
        .records()
        .filter(|(id, record)| {
            seeded.local.record(*id).is_none_or(|seed| {
                seed.kind != record.kind
                    || seed.fields.len() != record.fields.len()
                    || seed
                        .fields
                        .iter()
                        .any(|(name, state)| record.get(name) != Some(&state.value))
            })
        })
        .count()
}

/// The id of the last Annex A control in the register kept on a device alone ("local"),
/// written out so the first paint can tell whether that register's catalogue is whole
/// without the code that derives ids (seeding goes in order, so the last one comes last).
pub const LOCAL_LAST_CONTROL: &str = "01840c70-5800-7b07-9351-d0a9ddabc7e2";

/// Orders control references as numbers (A.5.9 before A.5.10); anything else after, by text.
pub fn reference_key(reference: &str) -> (Vec<u32>, String) {
    let numbers: Option<Vec<u32>> = reference
        .trim_start_matches("A.")
        .split('.')
        .map(|part| part.parse().ok())
        .collect();
    (
        numbers.unwrap_or_else(|| vec![u32::MAX]),
        reference.to_owned(),
    )
}

/// When a control is next due for review: its last review plus its interval.
pub fn next_review(control: &views::Control) -> Option<NaiveDate> {
    let last = crate::dates::date(control.last_reviewed.as_deref()?)?;
    last.checked_add_days(chrono::Days::new(
        control.review_interval_days?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_register_holding_only_the_seeded_catalogue_has_no_records_of_its_own() {
        let mut device = Device::new(ClientId::new());
        seed_controls(&mut device, "local", 1_765_000_000_000);
        assert_eq!(own_records(&device.local, "local"), 0);
        let control = control_id("local", "A.5.1");
        device.edit(control, Kind::Control, "owner", Value::from("someone"), 1);
        device.edit(
            RecordId::new(),
            Kind::Risk,
            "title",
            Value::from("A risk"),
            1,
        );
        assert_eq!(own_records(&device.local, "local"), 2);
        // Another register's catalogue is not this one's.
        assert_eq!(own_records(&device.local, "org-1"), 94);
    }

    #[test]
    fn annex_a_holds_93_controls_with_the_right_ids_per_theme() {
        assert_eq!(ANNEX_A.len(), 93);
        let counts = [
            (Theme::Organizational, 37),
            (Theme::People, 8),
            (Theme::Physical, 14),
            (Theme::Technological, 34),
        ];
        for (theme, count) in counts {
            let refs: Vec<&str> = ANNEX_A
                .iter()
                .filter(|c| c.theme == theme)
                .map(|c| c.reference)
                .collect();
            let expected: Vec<String> = (1..=count)
                .map(|n| format!("A.{}.{n}", theme.section()))
                .collect();
            assert_eq!(refs, expected, "{theme:?}");
        }
        for control in ANNEX_A {
            assert!(!control.title.is_empty() && control.title.len() <= 200);
            assert!(control.guidance.ends_with('.'), "{}", control.reference);
        }
    }

    #[test]
    fn references_sort_as_numbers_and_reviews_fall_due() {
        let mut refs = ["A.5.10", "A.8.1", "A.5.9", "OWN-1", "A.5.1"];
        refs.sort_by_key(|r| reference_key(r));
        assert_eq!(refs, ["A.5.1", "A.5.9", "A.5.10", "A.8.1", "OWN-1"]);
        let mut device = Device::new(ClientId::new());
        seed_controls(&mut device, "org", 1_800_000_000_000);
        let id = control_id("org", "A.5.1");
        device.edit(
            id,
            Kind::Control,
            "last_reviewed",
            "2026-01-31".into(),
            1_800_000_000_001,
        );
        let control: views::Control = device.local.view(id).unwrap();
        assert_eq!(next_review(&control), None, "no interval, no due date");
        device.edit(
            id,
            Kind::Control,
            "review_interval_days",
            Value::Int(30),
            1_800_000_000_002,
        );
        let control: views::Control = device.local.view(id).unwrap();
        assert_eq!(next_review(&control), NaiveDate::from_ymd_opt(2026, 3, 2));
    }

    #[test]
    fn clauses_cover_4_to_10_once_each() {
        let tops: Vec<&str> = CLAUSES
            .iter()
            .filter(|c| !c.id.contains('.'))
            .map(|c| c.id)
            .collect();
        assert_eq!(tops, ["4", "5", "6", "7", "8", "9", "10"]);
        let mut ids: Vec<&str> = CLAUSES.iter().map(|c| c.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), CLAUSES.len());
    }

    #[test]
    fn an_interrupted_seed_resumes_with_the_missing_controls_and_keeps_changed_ones() {
        let mut device = Device::new(ClientId::new());
        assert!(seed_missing_controls(&mut device, "local", 1, 16));
        let first = control_id("local", "A.5.1");
        device.edit(
            first,
            Kind::Control,
            "status",
            Value::from("implemented"),
            2,
        );
        let mut slices = 1;
        loop {
            slices += 1;
            assert!(slices < 10, "seeding ends");
            if !seed_missing_controls(&mut device, "local", 3, 16) {
                break;
            }
        }
        assert_eq!(slices, 93usize.div_ceil(16));
        let controls: Vec<views::Control> = device.local.all();
        assert_eq!(controls.len(), 93);
        let changed: views::Control = device.local.view(first).unwrap();
        assert_eq!(
            changed.status,
            Some(ControlStatus::Implemented),
            "not seeded again"
        );
        assert!(!seed_missing_controls(&mut device, "local", 4, 16));
        assert_eq!(
            device.take_changes().queue.len(),
            93 * 5 + 1,
            "nothing seeded twice"
        );
    }

    #[test]
    fn the_local_registers_last_control_id_is_the_derived_one() {
        let last = ANNEX_A.last().unwrap().reference;
        assert_eq!(
            LOCAL_LAST_CONTROL.parse::<RecordId>().unwrap(),
            control_id("local", last),
            "{}",
            control_id("local", last)
        );
    }

    #[test]
    fn seeding_adds_every_control_as_valid_records_once() {
        let mut device = Device::new(ClientId::new());
        seed_controls(&mut device, "org-1", 1_800_000_000_000);
        seed_controls(&mut device, "org-1", 1_800_000_000_001);
        let controls: Vec<views::Control> = device.local.all();
        assert_eq!(controls.len(), 93, "seeding twice keeps one of each");
        let request = device.push_request(usize::MAX).unwrap();
        for op in &request.ops {
            let spec = Kind::Control.spec().field(&op.field).unwrap();
            assert!(spec.check(&op.value).is_ok(), "{op:?}");
        }
        let mut replica = Replica::default();
        request.ops.iter().for_each(|op| {
            replica.apply(op);
        });
        let first: views::Control = replica
            .view(control_id("org-1", "A.5.1"))
            .expect("A.5.1 by its derived id");
        assert_eq!(
            first.title.as_deref(),
            Some("Policies for information security")
        );
        assert_ne!(control_id("org-1", "A.5.1"), control_id("org-2", "A.5.1"));
    }
}
