//! answerCallbackQuery: each button press can be answered once.

use serde_json::json;

use crate::console::emulator::Emulator;
use crate::console::emulator::http::{ApiError, ApiResult, Params};

impl Emulator {
    pub(in crate::console::emulator) fn answer_callback_query(&self, p: &Params) -> ApiResult {
        let id = p.str("callback_query_id").unwrap_or_default();
        let mut st = self.state();
        // Each query can be answered once; later answers fail like an expired query.
        if !st.open_callbacks.remove(&id) {
            return Err(ApiError::bad(
                "query is too old and response timeout expired or query id is invalid",
            ));
        }
        st.callback_answers
            .push((id, p.str("text").filter(|t| !t.is_empty())));
        Ok(json!(true))
    }
}
