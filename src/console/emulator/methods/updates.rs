//! getUpdates (long polling) and setWebhook, deleteWebhook, getWebhookInfo. The sender that
//! delivers updates to the webhook is in `http.rs`.

use std::pin::pin;
use std::time::Duration;

use serde_json::{Value, json};

use crate::console::emulator::Emulator;
use crate::console::emulator::http::{ApiError, ApiResult, Params};
use crate::console::emulator::state::Webhook;

/// How long a superseded poll waits for its client to hang up before it answers 409.
const SUPERSEDED_GRACE: Duration = Duration::from_secs(2);

impl Emulator {
    pub(in crate::console::emulator) async fn get_updates(&self, p: &Params) -> ApiResult {
        let offset = p.i64("offset")?;
        let limit = usize::try_from(p.i64("limit")?.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
        let timeout = u64::try_from(p.i64("timeout")?.unwrap_or(0)).unwrap_or(0);
        let allowed = allowed_updates(p)?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
        let generation = {
            let mut st = self.state();
            if st.webhook.is_some() {
                return Err(ApiError::new(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                ));
            }
            st.acknowledge(offset);
            st.set_allowed_updates(allowed);
            st.poll_generation += 1;
            st.poll_generation
        };
        // A newer getUpdates supersedes an older one still waiting, as on Telegram.
        self.inner.updates_changed.notify_waiters();
        loop {
            let mut notified = pin!(self.inner.updates_changed.notified());
            notified.as_mut().enable();
            let superseded = {
                let mut st = self.state();
                if st.poll_generation != generation {
                    true
                } else {
                    st.drop_unwanted_updates();
                    let batch: Vec<Value> = st
                        .updates
                        .iter_mut()
                        .take(limit)
                        .map(|u| {
                            u.delivered = true;
                            u.body.clone()
                        })
                        .collect();
                    if !batch.is_empty() || st.shutting_down || st.webhook.is_some() {
                        return Ok(Value::Array(batch));
                    }
                    false
                }
            };
            if superseded {
                // A poller that is stopping drops its long poll and sends a last one; the
                // dropped request's connection closes, and hyper drops this future with it.
                // Wait for that before answering 409, or a poll nobody is waiting for any
                // more would be recorded as a rejection when the machine is busy.
                tokio::time::sleep(SUPERSEDED_GRACE).await;
                return Err(ApiError::new(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(json!([]));
            }
        }
    }

    pub(in crate::console::emulator) fn set_webhook(&self, p: &Params) -> ApiResult {
        let url = p.str("url").unwrap_or_default();
        if url.is_empty() {
            return self.delete_webhook(p);
        }
        // Real Telegram insists on HTTPS and public ports; a local emulator delivers to plain
        // HTTP on any port, which is what local scale-out tests need.
        if url::Url::parse(&url).is_err() {
            return Err(ApiError::bad("bad webhook: invalid URL"));
        }
        let secret_token = p.str("secret_token").filter(|s| !s.is_empty());
        let allowed = allowed_updates(p)?;
        if let Some(secret) = &secret_token {
            let valid = secret.len() <= 256
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid {
                return Err(ApiError::bad("secret token contains unallowed characters"));
            }
        }
        {
            let mut st = self.state();
            if p.bool("drop_pending_updates") {
                st.updates.clear();
            }
            st.set_allowed_updates(allowed);
            st.webhook = Some(Webhook { url, secret_token });
            st.webhook_last_error = None;
        }
        self.updates_changed();
        Ok(json!(true))
    }

    pub(in crate::console::emulator) fn delete_webhook(&self, p: &Params) -> ApiResult {
        {
            let mut st = self.state();
            if p.bool("drop_pending_updates") {
                st.updates.clear();
            }
            st.webhook = None;
        }
        self.updates_changed();
        Ok(json!(true))
    }

    pub(in crate::console::emulator) fn webhook_info(&self) -> Value {
        let st = self.state();
        let mut info = json!({
            "url": st.webhook.as_ref().map_or("", |w| w.url.as_str()),
            "has_custom_certificate": false,
            "pending_update_count": st.updates.len(),
        });
        if let Some(error) = &st.webhook_last_error {
            info["last_error_message"] = json!(error);
            info["last_error_date"] = json!(self.now());
        }
        info
    }
}

/// The `allowed_updates` parameter: a JSON array of update type names.
fn allowed_updates(p: &Params) -> Result<Option<Vec<String>>, ApiError> {
    const BAD: &str = "can't parse allowed updates JSON object";
    match p.json("allowed_updates", BAD)? {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::bad(BAD))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ApiError::bad(BAD)),
    }
}
