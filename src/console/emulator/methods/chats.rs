//! getChat, getChatMember, getChatAdministrators and sendChatAction.

use serde_json::{Value, json};

use crate::console::emulator::http::{ApiError, ApiResult, Params};
use crate::console::emulator::{BOT_ID, ChatKind, Emulator};

impl Emulator {
    pub(in crate::console::emulator) fn get_chat(&self, p: &Params) -> ApiResult {
        let chat_id = self.target_chat(p)?;
        let st = self.state();
        let mut info = st.chat_value(chat_id);
        info["accepted_gift_types"] = json!({
            "unlimited_gifts": false,
            "limited_gifts": false,
            "unique_gifts": false,
            "premium_subscription": false,
        });
        info["max_reaction_count"] = json!(11);
        info["accent_color_id"] = json!(0);
        Ok(info)
    }

    pub(in crate::console::emulator) fn get_chat_member(&self, p: &Params) -> ApiResult {
        let chat_id = self.target_chat(p)?;
        let user_id = p
            .i64("user_id")?
            .ok_or_else(|| ApiError::bad("user not found"))?;
        let st = self.state();
        let chat = st
            .chats
            .get(&chat_id)
            .ok_or_else(|| ApiError::bad("chat not found"))?;
        if user_id != BOT_ID && !st.users.contains_key(&user_id) {
            return Err(ApiError::bad("user not found"));
        }
        Ok(st.member_value(chat, user_id))
    }

    pub(in crate::console::emulator) fn get_chat_administrators(&self, p: &Params) -> ApiResult {
        let chat_id = self.target_chat(p)?;
        let st = self.state();
        let chat = st
            .chats
            .get(&chat_id)
            .ok_or_else(|| ApiError::bad("chat not found"))?;
        if chat.kind == ChatKind::Private {
            return Err(ApiError::bad(
                "there are no administrators in the private chat",
            ));
        }
        let members: Vec<Value> = chat
            .creator
            .into_iter()
            .chain(
                chat.admins
                    .iter()
                    .copied()
                    .filter(|id| Some(*id) != chat.creator),
            )
            .map(|id| st.member_value(chat, id))
            .collect();
        Ok(Value::Array(members))
    }

    pub(in crate::console::emulator) fn send_chat_action(&self, p: &Params) -> ApiResult {
        self.target_chat(p)?;
        const ACTIONS: &[&str] = &[
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        ];
        let action = p.str("action").unwrap_or_default();
        if !ACTIONS.contains(&action.as_str()) {
            return Err(ApiError::bad("wrong parameter action in request"));
        }
        Ok(json!(true))
    }
}
