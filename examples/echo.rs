//! teloxide's echo bot, as its README shows it: the reference floor the process benchmark
//! (`cargo bench --bench process`) measures next to campaign-bot in the same run.
//!
//! TELOXIDE_TOKEN=… TELOXIDE_API_URL=http://127.0.0.1:PORT/ cargo run --release --example echo

use teloxide::prelude::*;

#[tokio::main]
async fn main() {
    let bot = Bot::from_env();
    teloxide::repl(bot, |bot: Bot, msg: Message| async move {
        if let Some(text) = msg.text() {
            bot.send_message(msg.chat.id, text).await?;
        }
        Ok(())
    })
    .await;
}
