//! The wire: the one axum handler every request goes through, routing by method name, request
//! parameters (JSON, query string, form, multipart), Telegram's error answers, and the webhook
//! sender that delivers updates to the bot's URL.

use std::collections::HashMap;
use std::pin::pin;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::faults::{Answer, hang_up};
use super::multipart::{header_param, parse_multipart};
use super::{Emulator, MAX_BODY_BYTES, Rejection};

// ---------------------------------------------------------------------------------------------
// Errors on the wire
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(super) struct ApiError {
    pub(super) code: u16,
    pub(super) description: String,
    pub(super) parameters: Option<Value>,
}

impl ApiError {
    pub(super) fn new(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            parameters: None,
        }
    }

    pub(super) fn bad(what: impl std::fmt::Display) -> Self {
        Self::new(400, format!("Bad Request: {what}"))
    }

    fn response(&self) -> Response {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let Some(p) = &self.parameters {
            body["parameters"] = p.clone();
        }
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(body)).into_response()
    }
}

pub(super) type ApiResult = Result<Value, ApiError>;

// ---------------------------------------------------------------------------------------------
// Request parameters
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
pub(super) struct Upload {
    pub(super) file_name: Option<String>,
    pub(super) content_type: Option<String>,
    pub(super) bytes: Vec<u8>,
}

/// Request parameters from JSON, a query string, a url-encoded form or multipart. Multipart and
/// form values are all strings, so the accessors accept numbers and JSON either native or as text,
/// like Telegram does.
#[derive(Debug, Default)]
pub(super) struct Params {
    pub(super) fields: Map<String, Value>,
    pub(super) files: HashMap<String, Upload>,
}

impl Params {
    pub(super) fn has(&self, key: &str) -> bool {
        self.fields.get(key).is_some_and(|v| !v.is_null())
    }

    pub(super) fn str(&self, key: &str) -> Option<String> {
        match self.fields.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    pub(super) fn i64(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad(format!("invalid {key} specified"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad(format!("invalid {key} specified"))),
            Some(_) => Err(ApiError::bad(format!("invalid {key} specified"))),
        }
    }

    pub(super) fn bool(&self, key: &str) -> bool {
        match self.fields.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.as_str(), "true" | "True" | "1"),
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// A JSON-typed parameter, given natively or as a JSON string (multipart, query strings).
    pub(super) fn json(&self, key: &str, error: &str) -> Result<Option<Value>, ApiError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| ApiError::bad(error)),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// For `Rejection::body`: the text parameters, uploads summarised.
    pub(super) fn to_value(&self) -> Value {
        let mut fields = self.fields.clone();
        for (name, upload) in &self.files {
            fields.insert(
                name.clone(),
                json!({
                    "file_name": upload.file_name,
                    "size": upload.bytes.len(),
                }),
            );
        }
        Value::Object(fields)
    }
}

fn parse_params(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Params, ApiError> {
    let mut params = Params::default();
    if let Some(query) = uri.query() {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            params
                .fields
                .insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(params);
    }
    match mime.as_str() {
        "multipart/form-data" => {
            let boundary = header_param(&content_type, "boundary")
                .ok_or_else(|| ApiError::bad("multipart boundary is missing"))?;
            for part in parse_multipart(body, &boundary).map_err(ApiError::bad)? {
                let is_file = part.file_name.is_some() || std::str::from_utf8(&part.body).is_err();
                if is_file {
                    params.files.insert(
                        part.name,
                        Upload {
                            file_name: part.file_name.filter(|n| !n.is_empty()),
                            content_type: part.content_type,
                            bytes: part.body,
                        },
                    );
                } else {
                    let text = String::from_utf8_lossy(&part.body).into_owned();
                    params.fields.insert(part.name, Value::String(text));
                }
            }
        }
        "application/x-www-form-urlencoded" => {
            for (k, v) in url::form_urlencoded::parse(body) {
                params
                    .fields
                    .insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
        // teloxide always says application/json; accept a missing type the same way.
        _ => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => params.fields.extend(map),
            Ok(_) => return Err(ApiError::bad("request body must be a JSON object")),
            Err(e) => return Err(ApiError::bad(format!("can't parse JSON: {e}"))),
        },
    }
    Ok(params)
}

// ---------------------------------------------------------------------------------------------
// HTTP entry point
// ---------------------------------------------------------------------------------------------

pub(super) async fn handle(
    AxumState(emu): AxumState<Emulator>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Files: `{api_url}/file/bot{token}/{file_path}`. teloxide pushes the path as one URL
    // segment after the base's empty one, so it arrives as `//file/bot…/documents%2Ffile_1.csv`.
    if let Some((token, path)) = uri
        .path()
        .trim_start_matches('/')
        .strip_prefix("file/bot")
        .and_then(|rest| rest.split_once('/'))
    {
        let token = token.replace("%3A", ":").replace("%3a", ":");
        let path = path.replace("%2F", "/").replace("%2f", "/");
        return emu.download(&token, &path);
    }
    // teloxide calls `{api_url}/bot{token}/{Method}`.
    let Some((token, method)) = uri
        .path()
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'))
    else {
        return ApiError::new(404, "Not Found").response();
    };
    let method = canonical_method_name(method.trim_end_matches('/'));
    let token = token.replace("%3A", ":").replace("%3a", ":");
    if token != emu.inner.token {
        let e = ApiError::new(401, "Unauthorized");
        emu.reject(&method, &e, Value::Null);
        return e.response();
    }
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let e = ApiError::new(413, "Request Entity Too Large");
            emu.reject(&method, &e, Value::Null);
            return e.response();
        }
    };
    match parse_params(&uri, &headers, &bytes) {
        Ok(params) => emu.dispatch(&method, params).await,
        Err(e) => {
            emu.reject(&method, &e, Value::Null);
            e.response()
        }
    }
}

/// teloxide sends payload type names ("SendMessage"); Telegram documents "sendMessage". Record
/// the documented spelling so rejections read like the API reference.
fn canonical_method_name(method: &str) -> String {
    let mut chars = method.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

impl Emulator {
    async fn dispatch(&self, method: &str, params: Params) -> Response {
        let key = method.to_ascii_lowercase();
        {
            let mut st = self.state();
            *st.request_counts.entry(key.clone()).or_default() += 1;
            st.last_params.insert(key.clone(), params.to_value());
        }
        // Announce arrival too: a long poll may not answer for a while.
        self.inner.activity.send_modify(|n| *n += 1);
        let result = match key.as_str() {
            "getme" => Ok(self.get_me()),
            "getupdates" => self.get_updates(&params).await,
            "setwebhook" => self.set_webhook(&params),
            "deletewebhook" => self.delete_webhook(&params),
            "getwebhookinfo" => Ok(self.webhook_info()),
            "sendmessage"
            | "sendphoto"
            | "senddocument"
            | "editmessagetext"
            | "editmessagecaption"
            | "editmessagereplymarkup" => {
                let (answer, params) = self.faulty(method, &key, params).await;
                let response = match answer {
                    Answer::Api(result) => self.respond(method, result, &params),
                    Answer::HangUp => hang_up(),
                };
                self.inner.activity.send_modify(|n| *n += 1);
                return response;
            }
            "answercallbackquery" => self.answer_callback_query(&params),
            "getfile" => self.get_file(&params),
            "getchat" => self.get_chat(&params),
            "getchatmember" => self.get_chat_member(&params),
            "getchatadministrators" => self.get_chat_administrators(&params),
            "setmycommands" => self.set_my_commands(&params),
            "deletemycommands" => self.delete_my_commands(&params),
            "getmycommands" => self.get_my_commands(&params),
            "sendchataction" => self.send_chat_action(&params),
            _ => Err(ApiError::new(404, "Not Found")),
        };
        let response = self.respond(method, result, &params);
        self.inner.activity.send_modify(|n| *n += 1);
        response
    }

    fn respond(&self, method: &str, result: ApiResult, params: &Params) -> Response {
        match result {
            Ok(value) => (
                StatusCode::OK,
                axum::Json(json!({"ok": true, "result": value})),
            )
                .into_response(),
            Err(e) => {
                self.reject(method, &e, params.to_value());
                e.response()
            }
        }
    }

    pub(super) fn reject(&self, method: &str, e: &ApiError, body: Value) {
        self.state().rejections.push(Rejection {
            method: method.to_owned(),
            error_code: e.code,
            description: e.description.clone(),
            body,
        });
    }
}

/// Delivers queued updates to the webhook, one at a time and in order, while one is set.
/// An update leaves the queue only when the endpoint answers 2xx; failures retry with backoff.
pub(super) async fn webhook_sender(emu: Emulator) {
    let client = match teloxide::net::default_reqwest_settings().no_proxy().build() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "emulator cannot build an HTTP client; webhooks disabled");
            return;
        }
    };
    let mut failures: u32 = 0;
    loop {
        let mut notified = pin!(emu.inner.updates_changed.notified());
        notified.as_mut().enable();
        let job = {
            let mut st = emu.state();
            if st.shutting_down {
                return;
            }
            st.drop_unwanted_updates();
            match (&st.webhook, st.updates.front()) {
                (Some(hook), Some(update)) => Some((hook.clone(), update.seq, update.body.clone())),
                _ => None,
            }
        };
        let Some((hook, seq, body)) = job else {
            notified.await;
            continue;
        };
        let mut request = client
            .post(hook.url.as_str())
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(secret) = &hook.secret_token {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret.as_str());
        }
        let outcome = match request.send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("Wrong response from the webhook: {}", r.status())),
            Err(e) => Err(format!("Connection failed: {e}")),
        };
        {
            let mut st = emu.state();
            match &outcome {
                Ok(()) => {
                    st.updates.retain(|u| u.seq != seq);
                    st.webhook_deliveries += 1;
                }
                Err(message) => st.webhook_last_error = Some(message.clone()),
            }
        }
        emu.inner.activity.send_modify(|n| *n += 1);
        match outcome {
            Ok(()) => failures = 0,
            Err(_) => {
                failures = failures.saturating_add(1);
                let backoff = Duration::from_millis(50u64 << failures.min(5));
                // Retry after the backoff, or sooner if the webhook changes or we shut down.
                let _ = tokio::time::timeout(backoff, notified).await;
            }
        }
    }
}
