//! The plan: channels and goals. Removed channels stay as rows (with `removed_at`) so their
//! check-ins and tasks stay readable.

use super::plan_cache::PlanChange;
use super::{Channel, Goal, NewGoal, Store, StoreResult, on_pool, on_reader};
use crate::domain::goal::Goal as DomainGoal;
use crate::domain::ids::{ChatId, UserId};
use crate::domain::playbook::Tier;

/// Marks a channel removed (`$1` id, `$2` now); its history stays.
const REMOVE_CHANNEL: &str = "UPDATE channels SET removed_at = $2, updated_at = $2 WHERE id = $1";
/// Clears every goal of one channel (`$1` chat, `$2` channel name).
const CLEAR_CHANNEL_GOALS: &str = "DELETE FROM goals WHERE chat_id = $1 AND channel = $2";

impl Store {
    /// Live channels of a team, by name.
    pub async fn channels(&self, chat_id: ChatId) -> StoreResult<Vec<Channel>> {
        let sql = "SELECT * FROM channels WHERE chat_id = $1 AND removed_at IS NULL ORDER BY name";
        let read = async {
            if let Some(rows) = self.on_inline(|inline| inline.all(sql, [chat_id]))? {
                return Ok(Some(rows));
            }
            Ok(Some(on_reader!(self, |conn| sqlx::query_as::<_, Channel>(
                sql
            )
            .bind(chat_id)
            .fetch_all(conn)
            .await?)))
        };
        Ok(self.read_through(chat_id, read).await?.unwrap_or_default())
    }

    pub async fn channel(&self, chat_id: ChatId, name: &str) -> StoreResult<Option<Channel>> {
        let sql = "SELECT * FROM channels WHERE chat_id = $1 AND name = $2 AND removed_at IS NULL";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Channel>(sql)
            .bind(chat_id)
            .bind(name)
            .fetch_optional(pool)
            .await?))
    }

    /// A channel by name, live or removed: the live one if there is one, else the one removed
    /// last. Check-ins and tasks that name a removed channel still find its row here.
    pub async fn channel_including_removed(
        &self,
        chat_id: ChatId,
        name: &str,
    ) -> StoreResult<Option<Channel>> {
        let sql = "SELECT * FROM channels WHERE chat_id = $1 AND name = $2 \
                   ORDER BY CASE WHEN removed_at IS NULL THEN 0 ELSE 1 END, removed_at DESC, id DESC LIMIT 1";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Channel>(sql)
            .bind(chat_id)
            .bind(name)
            .fetch_optional(pool)
            .await?))
    }

    /// Adds a channel; fails with a unique violation if a live one has that name.
    pub async fn add_channel(
        &self,
        chat_id: ChatId,
        name: &str,
        tier: Tier,
        monthly_budget: i64,
        now: i64,
    ) -> StoreResult<Channel> {
        let _plan = self.plan_changing(PlanChange::Channels(Some(chat_id)));
        let sql = "INSERT INTO channels (chat_id, name, tier, monthly_budget, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $5) RETURNING *";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Channel>(sql)
            .bind(chat_id)
            .bind(name)
            .bind(tier.code())
            .bind(monthly_budget)
            .bind(now)
            .fetch_one(pool)
            .await?))
    }

    pub async fn set_channel_budget(
        &self,
        channel_id: i64,
        monthly_budget: i64,
        now: i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Channels(None));
        let sql = "UPDATE channels SET monthly_budget = $2, updated_at = $3 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(channel_id)
            .bind(monthly_budget)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn set_channel_tier(&self, channel_id: i64, tier: Tier, now: i64) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Channels(None));
        let sql = "UPDATE channels SET tier = $2, updated_at = $3 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(channel_id)
            .bind(tier.code())
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn set_channel_owner(
        &self,
        channel_id: i64,
        owner_id: Option<UserId>,
        owner_username: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Channels(None));
        let sql =
            "UPDATE channels SET owner_id = $2, owner_username = $3, updated_at = $4 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(channel_id)
            .bind(owner_id)
            .bind(owner_username)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Live channels waiting for an owner known only by @username; called when that user first
    /// appears (like `resolve_pending_owner` for tasks). Returns how many channels were linked.
    pub async fn resolve_pending_channel_owner(
        &self,
        username: &str,
        user_id: UserId,
        now: i64,
    ) -> StoreResult<u64> {
        let sql = "UPDATE channels SET owner_id = $1, updated_at = $2 \
                   WHERE owner_id IS NULL AND removed_at IS NULL AND lower(owner_username) = $3";
        let linked = on_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(now)
            .bind(username.trim_start_matches('@').to_lowercase())
            .execute(pool)
            .await?
            .rows_affected());
        // Called for every person recorded: most link nothing and keep the plan cache.
        if linked > 0 {
            drop(self.plan_changing(PlanChange::Channels(None)));
        }
        Ok(linked)
    }

    /// Marks a channel removed; its history stays.
    pub async fn remove_channel(&self, channel_id: i64, now: i64) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Channels(None));
        on_pool!(self, |pool| sqlx::query(REMOVE_CHANNEL)
            .bind(channel_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn goals(&self, chat_id: ChatId) -> StoreResult<Vec<Goal>> {
        let sql = "SELECT * FROM goals WHERE chat_id = $1 ORDER BY channel, metric";
        let read = async {
            if let Some(rows) = self.on_inline(|inline| inline.all(sql, [chat_id]))? {
                return Ok(Some(rows));
            }
            Ok(Some(on_reader!(self, |conn| sqlx::query_as::<_, Goal>(
                sql
            )
            .bind(chat_id)
            .fetch_all(conn)
            .await?)))
        };
        Ok(self.read_through(chat_id, read).await?.unwrap_or_default())
    }

    /// A team's goals, typed (rows this version cannot read are skipped, never guessed at).
    pub async fn team_goals(&self, chat_id: ChatId) -> StoreResult<Vec<DomainGoal>> {
        Ok(self
            .goals(chat_id)
            .await?
            .iter()
            .filter_map(Goal::decode)
            .collect())
    }

    /// Removes a channel and clears its goals in one transaction (goals are plan, not
    /// history: a channel added later under the same name starts clean). Returns how many
    /// goals were cleared.
    pub async fn remove_channel_and_goals(&self, channel: &Channel, now: i64) -> StoreResult<u64> {
        let _plan = self.plan_changing(PlanChange::Channels(Some(channel.chat_id)));
        let _goals = self.plan_changing(PlanChange::Goals(channel.chat_id));
        Ok(on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(REMOVE_CHANNEL)
                .bind(channel.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let cleared = sqlx::query(CLEAR_CHANNEL_GOALS)
                .bind(channel.chat_id)
                .bind(&channel.name)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            cleared
        }))
    }

    /// Sets a goal, replacing the one for the same metric and channel.
    pub async fn set_goal(&self, goal: &NewGoal<'_>, now: i64) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Goals(goal.chat_id));
        let sql = "INSERT INTO goals (chat_id, metric, channel, direction, period, value, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                   ON CONFLICT (chat_id, metric, channel) DO UPDATE SET direction = excluded.direction, \
                   period = excluded.period, value = excluded.value, updated_at = excluded.updated_at";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(goal.chat_id)
            .bind(goal.metric)
            .bind(goal.channel)
            .bind(goal.direction)
            .bind(goal.period)
            .bind(goal.value)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Clears every goal of one channel (when it is removed); returns how many there were.
    pub async fn clear_channel_goals(&self, chat_id: ChatId, channel: &str) -> StoreResult<u64> {
        let _plan = self.plan_changing(PlanChange::Goals(chat_id));
        Ok(on_pool!(self, |pool| sqlx::query(CLEAR_CHANNEL_GOALS)
            .bind(chat_id)
            .bind(channel)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// Returns whether a goal was there to clear.
    pub async fn clear_goal(
        &self,
        chat_id: ChatId,
        metric: &str,
        channel: &str,
    ) -> StoreResult<bool> {
        let _plan = self.plan_changing(PlanChange::Goals(chat_id));
        let sql = "DELETE FROM goals WHERE chat_id = $1 AND metric = $2 AND channel = $3";
        let n = on_pool!(self, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(metric)
            .bind(channel)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(n == 1)
    }
}
