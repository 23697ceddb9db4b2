//! The Telegram edge: the handler tree, permissions, replies. Handlers translate only:
//! parse → domain + store → render.

pub mod commands;
pub mod context;
pub mod inbox;
pub mod marks;
pub mod people;
pub mod polling;
// -- area modules: tasks, plan, numbers --
pub mod abtest;
pub mod import;
pub mod numbers;
// -- rhythm (issue 6) --
mod festivals;
mod plan;
pub mod rhythm;
mod setup;
mod task_actions;
mod tasks;
mod turn;
mod whoami;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

pub use context::{AppContext, Ctx};
pub use inbox::InboxClaim;
pub use turn::Turn;

use crate::storage::StoreError;
use commands::Command;

pub use crate::telegram::TgBot;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

pub type HandlerResult = Result<(), BotError>;

/// The whole handler tree, in the order updates are tried.
pub fn schema() -> UpdateHandler<BotError> {
    dptree::entry()
        // 1. Track the update until every branch is done (console and tests wait on this).
        .map(|ctx: Ctx| ctx.tracker.begin())
        // 2. Telegram may deliver an update twice, and a restarted process replays what it had
        //    not finished: only the first live claim on an update gets through.
        .filter_map_async(inbox::claim)
        .branch(
            Update::filter_message()
                // 3. Remember the team, the speaker and everyone mentioned, from every message;
                //    the team goes on to the command (`people::RecordedTeam`).
                .map_async(people::record_message)
                // 4. Commands addressed to us (also as /cmd@botname), in a text or in a file's
                //    caption (`/import` posted with its report).
                .branch(
                    dptree::entry()
                        .filter_map(|msg: Message, me: teloxide::types::Me| {
                            let text = msg.text().or_else(|| msg.caption())?;
                            commands::parse_command(text, me.username())
                        })
                        .endpoint(handle_command),
                )
                // 5. Something that looks like a command but is not one of ours.
                .branch(
                    dptree::filter(people::is_unknown_command).endpoint(setup::unknown_command),
                ),
        )
        // 6. Buttons on import previews, then on deadline pings.
        .branch(
            Update::filter_callback_query()
                .filter(import::is_import_callback)
                .endpoint(import::on_callback),
        )
        .branch(Update::filter_callback_query().endpoint(tasks::on_callback))
        // 7. The bot was added to or removed from a group.
        .branch(Update::filter_my_chat_member().endpoint(people::my_chat_member))
        // 8. Admin rights changed: forget the cached admin list.
        .branch(Update::filter_chat_member().endpoint(people::chat_member))
}

/// Boxed at once: the command's future holds the state of whichever command runs, kilobytes
/// that the handler tree would otherwise copy several times per update (issue 13: memcpy was
/// a sixth of `/help`'s instructions).
fn handle_command(
    bot: TgBot,
    msg: Message,
    cmd: Command,
    ctx: Ctx,
    claim: InboxClaim,
    recorded: people::RecordedTeam,
) -> futures::future::BoxFuture<'static, HandlerResult> {
    Box::pin(run_command(bot, msg, cmd, ctx, claim, recorded))
}

async fn run_command(
    bot: TgBot,
    msg: Message,
    cmd: Command,
    ctx: Ctx,
    claim: InboxClaim,
    recorded: people::RecordedTeam,
) -> HandlerResult {
    // The semaphore is never closed, so acquiring only waits.
    let _permit = ctx.command_permits.clone().acquire_owned().await.ok();
    // The turn holds the inbox claim, and each queued reply a clone of it: the update is marked
    // done when the last clone drops, after the last reply is sent (not when this returns).
    let turn = Turn::load(bot, ctx, msg, claim.clone(), recorded).await?;
    let result = match cmd {
        Command::Start(_) => setup::start(&turn).await,
        Command::Help(args) => setup::help(&turn, &args).await,
        Command::Lang(args) => setup::lang(&turn, &args).await,
        Command::Timezone(args) => setup::timezone(&turn, &args).await,
        Command::Currency(args) => setup::currency(&turn, &args).await,
        // -- tasks (issue 3) --
        Command::Task(args) => tasks::task(&turn, &args).await,
        Command::Tasks(args) => tasks::tasks(&turn, &args).await,
        Command::Mytasks(_) => tasks::mytasks(&turn).await,
        Command::Done(args) => tasks::done(&turn, &args).await,
        Command::Block(args) => tasks::block(&turn, &args).await,
        Command::Unblock(args) => tasks::unblock(&turn, &args).await,
        Command::Due(args) => tasks::due(&turn, &args).await,
        Command::Reassign(args) => tasks::reassign(&turn, &args).await,
        Command::Cancel(args) => tasks::cancel(&turn, &args).await,
        Command::Quiet(args) => tasks::quiet(&turn, &args).await,
        Command::Whoami(_) => whoami::whoami(&turn).await,
        // -- plan (issue 4) --
        Command::Goal(args) => plan::goal(&turn, &args).await,
        Command::Goals(args) => plan::goals(&turn, &args).await,
        Command::Channel(args) => plan::channel(&turn, &args).await,
        Command::Channels(args) => plan::channels(&turn, &args).await,
        Command::Budget(args) => plan::budget(&turn, &args).await,
        Command::Plan(args) => plan::plan(&turn, &args).await,
        Command::Festival(args) => festivals::festival(&turn, &args).await,
        Command::Festivals(args) => festivals::festivals(&turn, &args).await,
        // -- numbers (issue 5) --
        Command::Checkin(args) => numbers::checkin(&turn, &args).await,
        Command::Metrics(args) => numbers::metrics(&turn, &args).await,
        Command::Export(args) => numbers::export(&turn, &args).await,
        Command::CheckinTime(args) => numbers::checkin_time(&turn, &args).await,
        Command::Import(args) => import::import(&turn, &args).await,
        // -- rhythm (issue 6) --
        Command::Review(args) => rhythm::review(&turn, &args).await,
        Command::Summary(args) => rhythm::summary(&turn, &args).await,
        Command::Bottlenecks(args) => rhythm::bottlenecks(&turn, &args).await,
        Command::Chart(args) => rhythm::chart(&turn, &args).await,
        // -- abtest (issue 7) --
        Command::Abtest(args) => abtest::abtest(&turn, &args).await,
    };
    if let Err(err) = &result {
        tracing::error!(chat = %turn.chat_id(), error = %err, "command failed");
        // Best effort: tell the user nothing changed; the original error is what gets logged.
        let _ = turn.reply(&turn.t("error.internal", &[])).await;
    }
    Ok(())
}

/// Registers the command menu in English (the default) and Chinese.
pub async fn set_menus(bot: &TgBot) -> Result<(), teloxide::RequestError> {
    use crate::domain::lang::Lang;
    use teloxide::types::BotCommand;
    for (lang, code) in [(Lang::En, None), (Lang::Zh, Some("zh"))] {
        let menu: Vec<BotCommand> = commands::MENU
            .iter()
            .map(|name| BotCommand::new(*name, commands::menu_description(lang, name)))
            .collect();
        let mut request = bot.set_my_commands(menu);
        if let Some(code) = code {
            request = request.language_code(code);
        }
        request.await?;
    }
    Ok(())
}
