//! Thin: parse the command line, set up logging, hand off to `app`.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use campaign_bot::app::{self, App};
use campaign_bot::clock::SystemClock;
use campaign_bot::config::{Cli, Command, Settings, parse_webhook_url};
use campaign_bot::storage::Store;

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            // One clear line, not clap's usage block.
            let rendered = err.render().to_string();
            let line = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("campaign-bot: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::from_args(&cli.common) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("campaign-bot: {err}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Run { webhook: None });
    // Validate what each mode needs before starting anything.
    let webhook = match &command {
        Command::Run { webhook } => {
            if let Err(err) = settings.require_token() {
                eprintln!("campaign-bot: {err}");
                return ExitCode::from(2);
            }
            match webhook.as_deref().map(parse_webhook_url).transpose() {
                Ok(url) => {
                    if url.is_some() && settings.webhook_secret.is_none() {
                        eprintln!(
                            "campaign-bot: {}",
                            campaign_bot::config::ConfigError::MissingSecret
                        );
                        return ExitCode::from(2);
                    }
                    url
                }
                Err(err) => {
                    eprintln!("campaign-bot: {err}");
                    return ExitCode::from(2);
                }
            }
        }
        _ => None,
    };
    init_tracing(matches!(command, Command::Console { .. } | Command::Demo));
    // One thread runs every task: the bot waits on Telegram and the database, and handing work
    // between worker threads cost more CPU per update than the work (docs/PERFORMANCE.md,
    // issue 13). What takes milliseconds of CPU (drawing a chart, reading a report) runs on the
    // blocking pool instead.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("campaign-bot: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command, settings, webhook)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("campaign-bot: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    command: Command,
    settings: Settings,
    webhook: Option<url::Url>,
) -> anyhow::Result<()> {
    match command {
        Command::Run { .. } => {
            let store = Store::open(&settings.database_url).await?;
            let token = settings.require_token()?.to_string();
            let bot = app::make_bot(&token, settings.api_url.as_ref(), app::telegram_limits());
            let secret = settings.webhook_secret.clone();
            let port = settings.port;
            let app = App::new(settings, std::sync::Arc::new(SystemClock), store, bot);
            match (webhook, secret) {
                (Some(url), Some(secret)) => app.run_webhook(url, secret, port).await,
                _ => app.run_polling().await,
            }
        }
        Command::Console { lang } => campaign_bot::console::terminal::run(settings, lang).await,
        Command::Demo => campaign_bot::demo::run(settings).await,
        Command::Migrate => {
            let store = Store::open(&settings.database_url).await?;
            store.close().await;
            println!("migrations applied to {}", redact(&settings.database_url));
            Ok(())
        }
    }
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// glibc gives each thread that allocates its own arena, up to 8 per core; the runtime's
/// workers and one thread per SQLite connection then each keep a partly used heap. Two arenas
/// cut peak RSS under load by about 1.5 MiB (issue 8, docs/PERFORMANCE.md). Must run before
/// any thread is started.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn init_tracing(quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if quiet { "warn" } else { "info" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
