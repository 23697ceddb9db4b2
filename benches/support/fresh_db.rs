//! A fresh PostgreSQL database for a benchmark, created next to `TEST_DATABASE_URL`'s and
//! dropped afterwards (shared by the benches that measure both backends).

use campaign_bot::storage::Store;

pub struct FreshDatabase {
    admin: Store,
    pub name: String,
    pub url: String,
}

impl FreshDatabase {
    /// `name` must be a plain identifier; a database left by an earlier run is replaced.
    pub async fn create(admin_url: &str, name: &str) -> FreshDatabase {
        let admin = Store::connect(admin_url).await.expect("connect");
        admin
            .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop");
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create");
        let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        FreshDatabase {
            admin,
            name: name.to_string(),
            url: url.to_string(),
        }
    }

    pub async fn drop_it(self) {
        let _ = self
            .admin
            .execute_raw(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await;
        self.admin.close().await;
    }
}
