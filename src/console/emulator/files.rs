//! Files members post: a document message (with a caption) as Telegram delivers it, `getFile`
//! describing it, and the download route `GET /file/bot<token>/<file_path>` serving its bytes
//! (what teloxide's `Download` fetches).

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::http::{ApiError, ApiResult, Params};
use super::state::StoredFile;
use super::{Emulator, SendOpts};

/// The Bot API serves files of at most 20 MB through getFile.
pub const MAX_GETFILE_BYTES: usize = 20 * 1024 * 1024;

/// What [`Emulator::send_document`] queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedDocument {
    pub update_id: i64,
    pub message_id: i64,
    pub file_id: String,
}

impl Emulator {
    /// Queue a document message from `from` in `chat_id`: `message.document` with file_id,
    /// file_unique_id, file_name, mime_type and file_size, and `caption` (None: no caption).
    pub fn send_document(
        &self,
        chat_id: i64,
        from: i64,
        file_name: &str,
        bytes: &[u8],
        caption: Option<&str>,
    ) -> PostedDocument {
        self.send_document_opts(
            chat_id,
            from,
            file_name,
            bytes,
            caption,
            SendOpts::default(),
        )
    }

    pub fn send_document_opts(
        &self,
        chat_id: i64,
        from: i64,
        file_name: &str,
        bytes: &[u8],
        caption: Option<&str>,
        opts: SendOpts,
    ) -> PostedDocument {
        let file_id = {
            let mut st = self.state();
            st.next_file_id += 1;
            let n = st.next_file_id;
            let file_id = format!("emu-doc-{n}");
            let ext = file_name.rsplit_once('.').map_or("", |(_, e)| e);
            let path = if ext.is_empty() {
                format!("documents/file_{n}")
            } else {
                format!("documents/file_{n}.{ext}")
            };
            st.files.insert(
                file_id.clone(),
                StoredFile {
                    unique_id: format!("emu-udoc-{n}"),
                    path,
                    bytes: bytes.to_vec(),
                },
            );
            file_id
        };
        let plain = caption.unwrap_or_default().to_owned();
        let (update_id, message_id) =
            self.inject_message(chat_id, from, &opts, &plain, |st, msg| {
                let unique_id = st.files.get(&file_id).map(|f| f.unique_id.clone());
                msg["document"] = json!({
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_name": file_name,
                    "mime_type": mime_of(file_name),
                    "file_size": bytes.len(),
                });
                if let Some(caption) = caption {
                    msg["caption"] = json!(caption);
                    // A caption that starts with a command carries a bot_command entity, as in a
                    // text message; teloxide parses the caption either way.
                    if let Some(word) = caption.split_whitespace().next()
                        && word.starts_with('/')
                    {
                        msg["caption_entities"] = json!([{
                            "type": "bot_command",
                            "offset": 0,
                            "length": word.encode_utf16().count(),
                        }]);
                    }
                }
            });
        PostedDocument {
            update_id,
            message_id,
            file_id,
        }
    }

    /// getFile: the file's id, unique id, size and path; Telegram refuses files over 20 MB.
    pub(super) fn get_file(&self, p: &Params) -> ApiResult {
        let file_id = p
            .str("file_id")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad("file_id not specified"))?;
        let st = self.state();
        let file = st
            .files
            .get(&file_id)
            .ok_or_else(|| ApiError::bad("invalid file id"))?;
        if file.bytes.len() > MAX_GETFILE_BYTES {
            return Err(ApiError::bad("file is too big"));
        }
        Ok(json!({
            "file_id": file_id,
            "file_unique_id": file.unique_id,
            "file_size": file.bytes.len(),
            "file_path": file.path,
        }))
    }

    /// `GET /file/bot<token>/<file_path>`: the bytes, or Telegram's 404.
    pub(super) fn download(&self, token: &str, path: &str) -> Response {
        if token != self.inner.token {
            return not_found(401, "Unauthorized");
        }
        let st = self.state();
        let Some(file) = st.files.values().find(|f| f.path == path) else {
            return not_found(404, "Not Found");
        };
        if file.bytes.len() > MAX_GETFILE_BYTES {
            return not_found(400, "Bad Request: file is too big");
        }
        let body = Body::from(file.bytes.clone());
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            body,
        )
            .into_response()
    }
}

fn not_found(code: u16, description: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::NOT_FOUND);
    let body: Value = json!({"ok": false, "error_code": code, "description": description});
    (status, axum::Json(body)).into_response()
}

/// The MIME type Telegram reports for common report files.
fn mime_of(file_name: &str) -> &'static str {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".csv") {
        "text/csv"
    } else if lower.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if lower.ends_with(".zip") {
        "application/zip"
    } else if lower.ends_with(".png") {
        "image/png"
    } else {
        "application/octet-stream"
    }
}
