//! Roles.

use serde::{Deserialize, Serialize};

/// What a user may do beyond reading the public atlas. A user may hold several roles; every
/// confirmed registered user holds [`Role::Participant`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Administrator: users, roles, audit log, outbox.
    Admin,
    /// Process manager (city staff): runs participation processes.
    ProcessManager,
    /// Moderator: moderates contributions.
    Moderator,
    /// Reviewer: evaluates the ideas assigned to them.
    Reviewer,
    /// Staff of an action office: their own office's records.
    OfficeStaff,
    /// Supervisor of action offices: aggregates only.
    OfficeSupervisor,
    /// A registered, confirmed participant.
    Participant,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::ProcessManager,
        Role::Moderator,
        Role::Reviewer,
        Role::OfficeStaff,
        Role::OfficeSupervisor,
        Role::Participant,
    ];

    /// The stored and URL name: `admin`, `process-manager`, `moderator`, `reviewer`,
    /// `office-staff`, `office-supervisor`, `participant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ProcessManager => "process-manager",
            Role::Moderator => "moderator",
            Role::Reviewer => "reviewer",
            Role::OfficeStaff => "office-staff",
            Role::OfficeSupervisor => "office-supervisor",
            Role::Participant => "participant",
        }
    }

    /// Parses [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name for people, in German.
    pub fn label_de(self) -> &'static str {
        match self {
            Role::Admin => "Administration",
            Role::ProcessManager => "Prozessleitung",
            Role::Moderator => "Moderation",
            Role::Reviewer => "Fachprüfung",
            Role::OfficeStaff => "Aktionsbüro",
            Role::OfficeSupervisor => "Aufsicht Aktionsbüros",
            Role::Participant => "Teilnehmer*in",
        }
    }

    /// The role's name for people, in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::ProcessManager => "Process manager",
            Role::Moderator => "Moderator",
            Role::Reviewer => "Reviewer",
            Role::OfficeStaff => "Office staff",
            Role::OfficeSupervisor => "Office supervisor",
            Role::Participant => "Participant",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s).ok_or_else(|| {
            format!(
                "unknown role `{s}`; expected one of {}",
                Role::ALL.map(Role::as_str).join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .contains("process-manager")
        );
    }
}
