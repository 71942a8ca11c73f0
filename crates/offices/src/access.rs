//! Who may do what. The acting user comes with its roles (from the accounts crate, as the web
//! session knows them); the office assignment is checked here, in SQL, on every call.
//!
//! - **Office staff** (role `office-staff` and a row in `office_staff`): everything about the
//!   cases of the offices they are assigned to; nothing about other offices' cases — a case id
//!   of another office answers exactly like an id that does not exist.
//! - **Office supervisors** (role `office-supervisor`): suppressed aggregates of all offices.
//! - **Administrators**: offices, staff assignments, partner agencies, topics, retention; no
//!   case data and no statistics unless they hold another role too.
//! - Everyone else: the public office pages and the published (suppressed) statistics only.

use crate::{OfficeError, Pool, Result};

/// The acting user: the account id and the roles that matter here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The account id (accounts crate).
    pub user_id: i64,
    /// Holds the office-staff role.
    pub staff: bool,
    /// Holds the office-supervisor role.
    pub supervisor: bool,
    /// Holds the administrator role.
    pub admin: bool,
    /// The command line (an operator with access to the store): administration only, no case
    /// data; logged without a user.
    pub system: bool,
}

impl Actor {
    /// A user with the given role names (`office-staff`, `office-supervisor`, `admin`; others
    /// are ignored here).
    pub fn with_roles<'a>(user_id: i64, roles: impl IntoIterator<Item = &'a str>) -> Actor {
        let mut a = Actor {
            user_id,
            staff: false,
            supervisor: false,
            admin: false,
            system: false,
        };
        for r in roles {
            match r {
                "office-staff" => a.staff = true,
                "office-supervisor" => a.supervisor = true,
                "admin" => a.admin = true,
                _ => {}
            }
        }
        a
    }

    /// The command line: may administer offices, sees no case data.
    pub fn system() -> Actor {
        Actor {
            user_id: 0,
            staff: false,
            supervisor: false,
            admin: true,
            system: true,
        }
    }

    /// The user id the audit log names (none for the command line).
    pub fn audit_id(&self) -> Option<i64> {
        (!self.system).then_some(self.user_id)
    }

    /// May see the (suppressed) statistics of all offices.
    pub fn sees_all_aggregates(&self) -> bool {
        self.supervisor
    }

    pub(crate) fn require_admin(&self) -> Result<()> {
        if self.admin {
            Ok(())
        } else {
            Err(OfficeError::Forbidden(
                "managing offices needs the administrator role".into(),
            ))
        }
    }
}

/// The offices the actor works in (empty without the office-staff role).
pub async fn staff_offices(pool: &Pool, actor: &Actor) -> Result<Vec<i64>> {
    if !actor.staff {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(
        "SELECT office_id FROM office_staff WHERE user_id = $1 ORDER BY office_id",
    )
    .bind(actor.user_id)
    .fetch_all(pool)
    .await?)
}

/// Fails unless the actor is staff of `office_id`. The error does not say whether the office
/// exists.
pub async fn require_staff_of(pool: &Pool, actor: &Actor, office_id: i64) -> Result<()> {
    if actor.staff && is_assigned(pool, actor.user_id, office_id).await? {
        Ok(())
    } else {
        Err(OfficeError::Forbidden(
            "only the staff of this office may see its cases".into(),
        ))
    }
}

pub(crate) async fn is_assigned(pool: &Pool, user_id: i64, office_id: i64) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM office_staff WHERE office_id = $1 AND user_id = $2")
            .bind(office_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

/// The office of a case in the actor's reach; `NotFound` for a case of another office exactly
/// as for an id that does not exist.
pub(crate) async fn case_office(pool: &Pool, actor: &Actor, case_id: &str) -> Result<i64> {
    let not_found = || OfficeError::NotFound(format!("case {}", clean_id(case_id)));
    if !actor.staff {
        return Err(not_found());
    }
    sqlx::query_scalar(
        "SELECT c.office_id FROM office_case c
         JOIN office_staff s ON s.office_id = c.office_id AND s.user_id = $2
         WHERE c.id = $1",
    )
    .bind(case_id)
    .bind(actor.user_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(not_found)
}

/// A case id as it may be echoed in a message (letters, digits and dashes only, shortened).
pub(crate) fn clean_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(20)
        .collect()
}
