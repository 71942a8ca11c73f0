//! Demo accounts for the embedded demo (`sozialatlas serve` without a store): one account per
//! role, with published passwords. Example content only: never created in a real store.

use crate::{AccountError, NewUser, Pool, Role, Status, create_user};

/// A demo account.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    /// E-mail address (at example.org).
    pub email: &'static str,
    /// Password (published: this is example content).
    pub password: &'static str,
    /// Display name.
    pub name: &'static str,
    /// The role it demonstrates.
    pub role: Role,
}

/// The demo accounts: one per role.
pub const DEMO_ACCOUNTS: [DemoAccount; 7] = [
    DemoAccount {
        email: "admin@example.org",
        password: "demo-admin",
        name: "Demo Administration",
        role: Role::Admin,
    },
    DemoAccount {
        email: "prozess@example.org",
        password: "demo-prozess",
        name: "Demo Prozessleitung",
        role: Role::ProcessManager,
    },
    DemoAccount {
        email: "moderation@example.org",
        password: "demo-moderation",
        name: "Demo Moderation",
        role: Role::Moderator,
    },
    DemoAccount {
        email: "pruefung@example.org",
        password: "demo-pruefung",
        name: "Demo Fachprüfung",
        role: Role::Reviewer,
    },
    DemoAccount {
        email: "buero@example.org",
        password: "demo-buero",
        name: "Demo Aktionsbüro",
        role: Role::OfficeStaff,
    },
    DemoAccount {
        email: "aufsicht@example.org",
        password: "demo-aufsicht",
        name: "Demo Aufsicht",
        role: Role::OfficeSupervisor,
    },
    DemoAccount {
        email: "teilnahme@example.org",
        password: "demo-teilnahme",
        name: "Demo Teilnehmerin",
        role: Role::Participant,
    },
];

/// Creates the demo accounts (active, each with its role and the participant role).
pub async fn create_demo_accounts(pool: &Pool) -> Result<(), AccountError> {
    for a in &DEMO_ACCOUNTS {
        create_user(
            pool,
            &NewUser {
                email: a.email,
                display_name: a.name,
                password: a.password,
                locale: "de",
                status: Status::Active,
                roles: &[a.role],
            },
            None,
        )
        .await?;
    }
    Ok(())
}
