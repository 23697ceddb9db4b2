//! Bot API calls whose answer is read only as far as the bot uses it.
//!
//! teloxide parses every answer into its full type through serde's buffered `Content` (its
//! response envelope is an untagged enum): for a `sendMessage`, the whole sent message with
//! every entity, which nobody here reads. That was a third of the instructions spent per
//! `/help` (issue 13, callgrind). Here the payload is still teloxide's (its fields stay typed),
//! the answer is parsed straight into the message id, and errors come out as teloxide's
//! `RequestError`, the same variants its own call would give.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::{Deserialize, Serialize};
use teloxide::requests::Payload;
use teloxide::types::{MessageId, ResponseParameters};
use teloxide::{ApiError, Bot, RequestError};

/// What the bot keeps of a message it sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    pub message_id: MessageId,
}

impl From<&teloxide::types::Message> for Sent {
    fn from(message: &teloxide::types::Message) -> Sent {
        Sent {
            message_id: message.id,
        }
    }
}

/// As teloxide: a 5xx is answered after a pause, so a caller that sends again does not hammer
/// a server that is struggling.
const DELAY_ON_SERVER_ERROR: Duration = Duration::from_secs(10);

/// Sends a method whose result is a message (sendMessage and the like) as JSON.
pub async fn send_json<P>(bot: &Bot, payload: &P) -> Result<Sent, RequestError>
where
    P: Payload + Serialize,
{
    let body = serde_json::to_vec(payload).map_err(|err| io_error(err.to_string()))?;
    let mut url = bot.api_url();
    url.path_segments_mut()
        .map_err(|()| io_error("the Bot API URL cannot take a path".to_string()))?
        .push(&format!("bot{}", bot.token()))
        .push(P::NAME);
    let response = bot
        .client()
        .post(url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(body)
        .send()
        .await?;
    if response.status().is_server_error() {
        tokio::time::sleep(DELAY_ON_SERVER_ERROR).await;
    }
    let text = response.text().await?;
    read_answer(&text)
}

fn io_error(what: String) -> RequestError {
    RequestError::Io(Arc::new(std::io::Error::other(what)))
}

/// The Bot API's envelope, with only the sent message's id read from its result.
#[derive(Deserialize)]
struct Answer {
    ok: bool,
    result: Option<SentResult>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct SentResult {
    /// A plain number here (teloxide's `MessageId` reads itself from an object).
    message_id: i32,
}

/// Maps an answer as teloxide does: `retry_after` and `migrate_to_chat_id` first, then the
/// description as an `ApiError` (unknown ones kept as text), and anything unreadable as
/// `InvalidJson` with the raw text.
fn read_answer(text: &str) -> Result<Sent, RequestError> {
    let invalid = |source: serde_json::Error| RequestError::InvalidJson {
        source: Arc::new(source),
        raw: text.into(),
    };
    let answer: Answer = serde_json::from_str(text).map_err(invalid)?;
    match answer {
        Answer {
            ok: true,
            result: Some(result),
            ..
        } => Ok(Sent {
            message_id: MessageId(result.message_id),
        }),
        Answer { ok: true, .. } => Err(invalid(serde::de::Error::missing_field("result"))),
        Answer {
            parameters: Some(parameters),
            ..
        } => Err(match parameters {
            ResponseParameters::RetryAfter(after) => RequestError::RetryAfter(after),
            ResponseParameters::MigrateToChatId(to) => RequestError::MigrateToChatId(to),
        }),
        Answer { description, .. } => {
            let description = serde_json::Value::String(description.unwrap_or_default());
            let error = serde_json::from_value::<ApiError>(description).map_err(invalid)?;
            Err(RequestError::Api(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_message_is_read_for_its_id_only() {
        let text = r#"{"ok":true,"result":{"message_id":42,"date":1,"chat":{"id":-5,"type":"group","title":"t"},"text":"hi","entities":[{"type":"bold","offset":0,"length":2}]}}"#;
        assert_eq!(
            read_answer(text).expect("sent"),
            Sent {
                message_id: MessageId(42)
            }
        );
    }

    /// Errors come out as teloxide's own call gives them, so the outbox's handling (wait on
    /// 429, follow a migration, drop a kicked chat, send again after a 5xx) is unchanged.
    #[test]
    fn errors_read_as_teloxide_reads_them() {
        use teloxide::types::{ChatId, Seconds};
        let read = |text: &str| read_answer(text).expect_err("an error");
        assert!(matches!(
            read(r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#),
            RequestError::RetryAfter(after) if after == Seconds::from_seconds(7)
        ));
        assert!(matches!(
            read(
                r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001}}"#
            ),
            RequestError::MigrateToChatId(ChatId(-1001))
        ));
        assert!(matches!(
            read(
                r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}"#
            ),
            RequestError::Api(ApiError::BotKickedFromSupergroup)
        ));
        assert!(matches!(
            read(r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#),
            RequestError::Api(ApiError::ChatNotFound)
        ));
        let server = read(r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#);
        assert!(super::super::send::is_transient(&server), "{server:?}");
        assert!(matches!(
            read(r#"{"ok":false,"error_code":400,"description":"Something nobody has seen"}"#),
            RequestError::Api(ApiError::Unknown(d)) if d == "Something nobody has seen"
        ));
    }

    #[test]
    fn an_unreadable_answer_is_invalid_json_with_its_text() {
        for text in [
            "<html>502</html>",
            r#"{"ok":true}"#,
            r#"{"ok":true,"result":{}}"#,
        ] {
            match read_answer(text) {
                Err(RequestError::InvalidJson { raw, .. }) => assert_eq!(&*raw, text),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
