//! JSON shapes of Bot API objects that need no state: users, the bot itself, chat types,
//! administrator rights, the replied-to snapshot.

use serde_json::{Value, json};

use super::{BOT_FIRST_NAME, BOT_ID, BOT_USERNAME, ChatKind, GROUP_ANONYMOUS_BOT_ID, UserSpec};

pub(super) fn user_json(u: &UserSpec) -> Value {
    let mut v = json!({"id": u.id, "is_bot": false, "first_name": u.first_name});
    if let Some(x) = &u.last_name {
        v["last_name"] = json!(x);
    }
    if let Some(x) = &u.username {
        v["username"] = json!(x);
    }
    if let Some(x) = &u.language_code {
        v["language_code"] = json!(x);
    }
    v
}

pub(super) fn bot_user_json() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

pub(super) fn anonymous_admin_json() -> Value {
    json!({
        "id": GROUP_ANONYMOUS_BOT_ID,
        "is_bot": true,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    })
}

pub(super) fn kind_name(kind: ChatKind) -> &'static str {
    match kind {
        ChatKind::Private => "private",
        ChatKind::Group => "group",
        ChatKind::Supergroup => "supergroup",
    }
}

pub(super) fn admin_rights_json() -> Value {
    json!({
        "is_anonymous": false,
        "can_be_edited": false,
        "can_manage_chat": true,
        "can_change_info": true,
        "can_delete_messages": true,
        "can_manage_video_chats": true,
        "can_invite_users": true,
        "can_restrict_members": true,
        "can_pin_messages": true,
        "can_manage_topics": false,
        "can_promote_members": false,
        "can_post_stories": false,
        "can_edit_stories": false,
        "can_delete_stories": false,
    })
}

pub(super) fn merge(mut base: Value, extra: Value) -> Value {
    if let (Value::Object(b), Value::Object(e)) = (&mut base, extra) {
        b.extend(e);
    }
    base
}

/// Telegram includes the replied-to message one level deep only.
pub(super) fn reply_snapshot(message: &Value) -> Value {
    let mut m = message.clone();
    if let Value::Object(map) = &mut m {
        map.remove("reply_to_message");
    }
    m
}
