//! The seeded permission catalog and the built-in roles. The keys are fixed by the contract.

use keebai_api::wire::Permission;

pub const MANAGE_TOKENS: &str = "developer.manage_tokens";
pub const AUDIT_TOKENS: &str = "developer.audit_tokens";
pub const ROTATE_SELF: &str = "developer.rotate_self";
pub const MESSAGES_READ: &str = "messages.read";
pub const MESSAGES_WRITE: &str = "messages.write";
pub const CONTACTS_READ: &str = "contacts.read";
pub const CONTACTS_WRITE: &str = "contacts.write";
pub const MANAGE_ROLES: &str = "admin.manage_roles";
pub const MANAGE_USERS: &str = "admin.manage_users";

/// `(key, group, label, description)` in display order.
const CATALOG: &[(&str, &str, &str, &str)] = &[
    (
        MANAGE_TOKENS,
        "Developer",
        "Manage API Tokens",
        "Create, list and revoke your own personal access tokens.",
    ),
    (
        AUDIT_TOKENS,
        "Developer",
        "Audit API Tokens",
        "See and revoke every user's tokens in the tenant.",
    ),
    (
        ROTATE_SELF,
        "Developer",
        "Rotate itself",
        "A token holding it may rotate itself: mint its own replacement and retire.",
    ),
    (
        MESSAGES_READ,
        "Messages",
        "Read messages",
        "Read the tenant's messages.",
    ),
    (
        MESSAGES_WRITE,
        "Messages",
        "Send messages",
        "Send messages on behalf of the user.",
    ),
    (
        CONTACTS_READ,
        "Contacts",
        "Read contacts",
        "Read the tenant's contacts.",
    ),
    (
        CONTACTS_WRITE,
        "Contacts",
        "Edit contacts",
        "Create and edit contacts.",
    ),
    (
        MANAGE_ROLES,
        "System",
        "Manage roles",
        "Create roles and change their permissions.",
    ),
    (
        MANAGE_USERS,
        "System",
        "Manage users",
        "Create users and assign their roles.",
    ),
];

/// Every permission, in display order.
pub fn catalog() -> Vec<Permission> {
    CATALOG
        .iter()
        .map(|(key, group, label, description)| Permission {
            key: (*key).into(),
            group: (*group).into(),
            label: (*label).into(),
            description: (*description).into(),
        })
        .collect()
}

/// Whether `key` is in the catalog.
pub fn is_known(key: &str) -> bool {
    CATALOG.iter().any(|(k, ..)| *k == key)
}

/// Every key, for the built-in Admin role.
pub fn all_keys() -> Vec<String> {
    CATALOG.iter().map(|(k, ..)| (*k).to_string()).collect()
}

/// The built-in Member role's permissions.
pub fn member_keys() -> Vec<String> {
    [MESSAGES_READ, MESSAGES_WRITE, CONTACTS_READ]
        .iter()
        .map(|k| (*k).to_string())
        .collect()
}

pub const ADMIN_ROLE: &str = "Admin";
pub const MEMBER_ROLE: &str = "Member";
