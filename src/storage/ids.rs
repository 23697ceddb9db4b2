//! Chat and user ids (`domain::ids`) are stored as plain BIGINT/INTEGER columns: these impls
//! let rows decode into them and queries bind them directly, on both backends and on the
//! inline SQLite connection (rusqlite).

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::domain::ids::{ChatId, UserId};
use crate::domain::playbook::Tier;

macro_rules! stored_as_i64 {
    ($id:ident) => {
        impl<DB: Database> Type<DB> for $id
        where
            i64: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <i64 as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <i64 as Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $id
        where
            i64: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                <i64 as Decode<'r, DB>>::decode(value).map($id)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $id
        where
            i64: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer,
            ) -> Result<IsNull, BoxDynError> {
                <i64 as Encode<'q, DB>>::encode_by_ref(&self.0, buf)
            }
        }

        impl rusqlite::types::FromSql for $id {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map($id)
            }
        }

        impl rusqlite::types::ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.0.into())
            }
        }
    };
}

stored_as_i64!(ChatId);
stored_as_i64!(UserId);

/// A channel's tier as the inline connection reads it: like sqlx, through `Tier::from`.
impl rusqlite::types::FromSql for Tier {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        String::column_result(value).map(Tier::from)
    }
}
