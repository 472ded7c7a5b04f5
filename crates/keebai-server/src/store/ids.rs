//! Typed ids: a token's id cannot be passed where a user's is expected.
//!
//! Ids are opaque text to the store (UUIDs the domain generates, or whatever a client put in
//! a path: an unknown id simply finds nothing), so they carry no validation, only their kind.
//! Each binds to SQL as text on both engines and reads back from text columns, so the store's
//! statements take them as they are.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Lets maps keyed by the id be looked up with a `&str` (hash and order are the
        /// string's).
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                <String as rusqlite::ToSql>::to_sql(&self.0)
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                <String as rusqlite::types::FromSql>::column_result(value).map(Self)
            }
        }

        impl tokio_postgres::types::ToSql for $name {
            fn to_sql(
                &self,
                ty: &tokio_postgres::types::Type,
                out: &mut bytes::BytesMut,
            ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
            {
                <String as tokio_postgres::types::ToSql>::to_sql(&self.0, ty, out)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <String as tokio_postgres::types::ToSql>::accepts(ty)
            }

            tokio_postgres::types::to_sql_checked!();
        }

        impl<'a> tokio_postgres::types::FromSql<'a> for $name {
            fn from_sql(
                ty: &tokio_postgres::types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                <String as tokio_postgres::types::FromSql>::from_sql(ty, raw).map(Self)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <String as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }
    };
}

id_type!(
    /// A personal access token's id (`tokens.id`).
    TokenId
);
id_type!(
    /// A user's id (`users.id`).
    UserId
);
id_type!(
    /// A tenant's id (`tenants.id`); not its slug.
    TenantId
);
id_type!(
    /// A role's id (`roles.id`).
    RoleId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_and_prints_as_its_text() {
        let id = TokenId::new("0193-abc");
        assert_eq!(id, "0193-abc");
        assert_eq!(id.to_string(), "0193-abc");
        assert_eq!(format!("{id:?}"), "\"0193-abc\"");
        let map: std::collections::HashMap<TokenId, u8> = [(id.clone(), 1)].into();
        assert_eq!(map.get("0193-abc"), Some(&1));
        let parsed: TokenId = serde_json::from_str("\"x\"").expect("json");
        assert_eq!(parsed.into_inner(), "x");
    }
}
