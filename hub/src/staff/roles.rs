//! What each kind of staff account may do. The console checks every page
//! and action against [`Role::may`]; the command line is for whoever runs
//! the hub machine.

/// A staff account's role, as `hub staff add … --role` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including staff accounts and the fleet.
    Admin,
    /// The catalog editor: upload, check, publish, promote.
    Catalog,
    /// The front desk answering villagers' requests.
    Tickets,
    /// The data centre: reports and their downloads, the working-day calendar.
    Data,
    /// Reads everything, changes nothing.
    Viewer,
}

/// Something a page or an action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Every page, read only (contacts masked).
    View,
    /// Accept, transfer, reply, resolve, close, reopen, refer.
    WorkTickets,
    /// Show a requester's full phone number (the look is logged).
    RevealContact,
    /// Upload, check, publish and promote catalogs.
    EditCatalog,
    /// Download reports.
    DownloadReports,
    /// Add a year to the working-day calendar.
    EditCalendar,
    /// Screenshots, language, restart.
    CommandKiosks,
    /// Register kiosks, rotate secrets, revoke.
    ManageFleet,
    /// Staff accounts.
    ManageStaff,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Catalog, Role::Tickets, Role::Data, Role::Viewer];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Catalog => "catalog",
            Role::Tickets => "tickets",
            Role::Data => "data",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn may(self, p: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Admin => true,
            Role::Viewer => p == P::View,
            Role::Tickets => matches!(p, P::View | P::WorkTickets | P::RevealContact),
            Role::Catalog => matches!(p, P::View | P::EditCatalog),
            Role::Data => matches!(p, P::View | P::DownloadReports | P::EditCalendar),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_does_its_own_work_and_views_the_rest() {
        for r in Role::ALL {
            assert!(r.may(Permission::View), "{r} views");
            assert_eq!(Role::from_name(r.name()), Some(r));
        }
        assert!(!Role::Viewer.may(Permission::EditCatalog));
        assert!(!Role::Tickets.may(Permission::ManageFleet));
        assert!(Role::Tickets.may(Permission::WorkTickets) && !Role::Catalog.may(Permission::WorkTickets));
        assert!(Role::Data.may(Permission::EditCalendar) && !Role::Data.may(Permission::ManageStaff));
        assert!(Role::Admin.may(Permission::ManageStaff));
    }
}
