//! setMyCommands, deleteMyCommands and getMyCommands, per scope and language.

use serde_json::{Value, json};

use crate::console::emulator::http::{ApiError, ApiResult, Params};
use crate::console::emulator::{CommandSet, Emulator};

impl Emulator {
    /// `(scope, language)` a commands request addresses; Telegram's default scope when absent.
    fn command_key(p: &Params) -> Result<(Value, Option<String>), ApiError> {
        let scope = p
            .json("scope", "can't parse BotCommandScope JSON object")?
            .unwrap_or_else(|| json!({"type": "default"}));
        if scope.get("type").and_then(Value::as_str).is_none() {
            return Err(ApiError::bad("can't parse BotCommandScope JSON object"));
        }
        let language = p.str("language_code").filter(|l| !l.is_empty());
        if let Some(l) = &language
            && !(l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(ApiError::bad("invalid language code specified"));
        }
        Ok((scope, language))
    }

    pub(in crate::console::emulator) fn set_my_commands(&self, p: &Params) -> ApiResult {
        let (scope, language_code) = Self::command_key(p)?;
        let list = p
            .json("commands", "can't parse commands JSON object")?
            .unwrap_or_else(|| json!([]));
        let list = list
            .as_array()
            .ok_or_else(|| ApiError::bad("can't parse commands JSON object"))?;
        if list.len() > 100 {
            return Err(ApiError::bad("too many commands specified"));
        }
        let mut commands = Vec::with_capacity(list.len());
        for c in list {
            let command = c.get("command").and_then(Value::as_str).unwrap_or_default();
            let description = c
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let command_ok = (1..=32).contains(&command.len())
                && command
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !command_ok {
                return Err(ApiError::bad("BOT_COMMAND_INVALID"));
            }
            let description_len = description.chars().count();
            if description.trim().is_empty() || description_len > 256 {
                return Err(ApiError::bad("BOT_COMMAND_DESCRIPTION_INVALID"));
            }
            commands.push((command.to_owned(), description.to_owned()));
        }
        let mut st = self.state();
        st.commands
            .retain(|s| !(s.scope == scope && s.language_code == language_code));
        // An empty list is how Telegram clients delete commands too.
        if !commands.is_empty() {
            st.commands.push(CommandSet {
                scope,
                language_code,
                commands,
            });
        }
        Ok(json!(true))
    }

    pub(in crate::console::emulator) fn delete_my_commands(&self, p: &Params) -> ApiResult {
        let (scope, language_code) = Self::command_key(p)?;
        self.state()
            .commands
            .retain(|s| !(s.scope == scope && s.language_code == language_code));
        Ok(json!(true))
    }

    pub(in crate::console::emulator) fn get_my_commands(&self, p: &Params) -> ApiResult {
        let (scope, language_code) = Self::command_key(p)?;
        let st = self.state();
        let commands = st
            .commands
            .iter()
            .find(|s| s.scope == scope && s.language_code == language_code)
            .map(|s| {
                s.commands
                    .iter()
                    .map(|(c, d)| json!({"command": c, "description": d}))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        Ok(Value::Array(commands))
    }
}
