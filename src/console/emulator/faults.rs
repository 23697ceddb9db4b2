//! Fault injection: what [`Emulator::set_fault`] arms, and how it refuses, slows down or hangs
//! up on sendMessage / sendPhoto / sendDocument / editMessage* requests.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use serde_json::json;

use super::http::{ApiError, ApiResult, Params};
use super::state::new_chat;
use super::{ChatKind, Emulator, Fault, FaultStats, SentKind};

impl Emulator {
    pub fn set_fault(&self, fault: Fault) {
        let mut st = self.state();
        // A migrated group lives on as a supergroup; create it so the bot's retry can succeed.
        if let Fault::Migrate { chat_id, to } = fault
            && !st.chats.contains_key(&to)
        {
            let mut target = st
                .chats
                .get(&chat_id)
                .cloned()
                .unwrap_or_else(|| new_chat(ChatKind::Supergroup, format!("Group {to}")));
            target.kind = ChatKind::Supergroup;
            st.chats.insert(to, target);
        }
        st.fault = fault;
        st.storm_seen = 0;
    }

    pub fn fault(&self) -> Fault {
        self.state().fault
    }

    /// What the injected faults did so far (all faults since start, not only the current one).
    pub fn fault_stats(&self) -> FaultStats {
        self.state().fault_stats
    }

    /// Methods that go through the injected fault first. The parameters come back for the
    /// rejection log.
    pub(super) async fn faulty(&self, method: &str, key: &str, params: Params) -> (Answer, Params) {
        let injected = match self.inject_fault(&params) {
            Ok(injected) => injected,
            Err(e) => return (Answer::Api(Err(e)), params),
        };
        match injected {
            Injected::Pass => (Answer::Api(self.carry_out(key, &params)), params),
            Injected::HangUp => (Answer::HangUp, params),
            Injected::HangUpAfter => {
                if let Err(e) = self.carry_out(key, &params) {
                    self.reject(method, &e, params.to_value());
                }
                (Answer::HangUp, params)
            }
            Injected::Delay(delay) => {
                // Carried out in its own task: if the client times out and hangs up, the server
                // drops this handler, but Telegram would still carry the request out.
                let emu = self.clone();
                let key = key.to_owned();
                let task = tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let result = emu.carry_out(&key, &params);
                    (result, params)
                });
                match task.await {
                    Ok((result, params)) => (Answer::Api(result), params),
                    // Only a panic in carry_out gets here; answer like a failing server.
                    Err(_) => (
                        Answer::Api(Err(ApiError::new(500, "Internal Server Error"))),
                        Params::default(),
                    ),
                }
            }
        }
    }

    fn carry_out(&self, key: &str, p: &Params) -> ApiResult {
        match key {
            "sendmessage" => self.send_message(p),
            "sendphoto" => self.send_media(p, SentKind::Photo),
            "senddocument" => self.send_media(p, SentKind::Document),
            "editmessagetext" => self.edit_message_text(p),
            "editmessagecaption" => self.edit_message_caption(p),
            _ => self.edit_message_reply_markup(p),
        }
    }

    /// Decides what the current fault does to this request, and counts it.
    fn inject_fault(&self, p: &Params) -> Result<Injected, ApiError> {
        let chat_id = p.i64("chat_id").ok().flatten();
        let mut st = self.state();
        let st = &mut *st;
        let stats = &mut st.fault_stats;
        match st.fault {
            Fault::None => Ok(Injected::Pass),
            Fault::TooManyRequests { retry_after, times } => {
                st.fault = if times > 1 {
                    Fault::TooManyRequests {
                        retry_after,
                        times: times - 1,
                    }
                } else {
                    Fault::None
                };
                stats.too_many_requests += 1;
                Err(too_many_requests(retry_after))
            }
            Fault::RateLimitStorm {
                retry_after,
                period,
                burst,
            } => {
                let seen = st.storm_seen;
                st.storm_seen += 1;
                if seen % u64::from(period.max(1)) < u64::from(burst) {
                    stats.too_many_requests += 1;
                    Err(too_many_requests(retry_after))
                } else {
                    Ok(Injected::Pass)
                }
            }
            Fault::ServerError { times } => {
                st.fault = if times > 1 {
                    Fault::ServerError { times: times - 1 }
                } else {
                    Fault::None
                };
                stats.server_errors += 1;
                Err(ApiError::new(500, "Internal Server Error"))
            }
            Fault::Forbidden { chat_id: blocked } if chat_id == Some(blocked) => {
                let description = match st.chats.get(&blocked).map(|c| c.kind) {
                    Some(ChatKind::Supergroup) => {
                        "Forbidden: bot was kicked from the supergroup chat"
                    }
                    Some(ChatKind::Group) => "Forbidden: bot was kicked from the group chat",
                    _ if blocked < 0 => "Forbidden: bot was kicked from the group chat",
                    _ => "Forbidden: bot was blocked by the user",
                };
                stats.forbidden += 1;
                Err(ApiError::new(403, description))
            }
            Fault::Migrate { chat_id: old, to } if chat_id == Some(old) => {
                let mut e = ApiError::bad("group chat was upgraded to a supergroup chat");
                e.parameters = Some(json!({"migrate_to_chat_id": to}));
                stats.migrated += 1;
                Err(e)
            }
            Fault::Forbidden { .. } | Fault::Migrate { .. } => Ok(Injected::Pass),
            Fault::Slow { millis, times } => {
                st.fault = if times > 1 {
                    Fault::Slow {
                        millis,
                        times: times - 1,
                    }
                } else {
                    Fault::None
                };
                stats.slowed += 1;
                Ok(Injected::Delay(Duration::from_millis(millis)))
            }
            Fault::Drop { times } => {
                st.fault = if times > 1 {
                    Fault::Drop { times: times - 1 }
                } else {
                    Fault::None
                };
                stats.dropped += 1;
                Ok(Injected::HangUp)
            }
            Fault::DropAfterSend { times } => {
                st.fault = if times > 1 {
                    Fault::DropAfterSend { times: times - 1 }
                } else {
                    Fault::None
                };
                stats.dropped_after_send += 1;
                Ok(Injected::HangUpAfter)
            }
        }
    }
}

/// What the injected fault does with one request.
enum Injected {
    Pass,
    /// Carry it out after this much real time.
    Delay(Duration),
    /// Close the connection without carrying it out.
    HangUp,
    /// Carry it out, then close the connection without answering.
    HangUpAfter,
}

/// How a faulty method ends: an answer on the wire, or none at all.
pub(super) enum Answer {
    Api(ApiResult),
    HangUp,
}

fn too_many_requests(retry_after: u32) -> ApiError {
    let mut e = ApiError::new(429, format!("Too Many Requests: retry after {retry_after}"));
    e.parameters = Some(json!({"retry_after": retry_after}));
    e
}

/// A response whose body fails before its first byte: hyper then closes the connection without
/// writing the status line (the head is still buffered when the body fails), so the client sees
/// the connection closed with no HTTP response at all, as when a proxy or the network drops it.
pub(super) fn hang_up() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the emulator hangs up (Fault::Drop)",
        ))
    });
    Response::new(Body::from_stream(failing))
}
