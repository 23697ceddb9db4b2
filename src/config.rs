//! One typed configuration from flags and environment variables (SPEC §1). A bad value stops
//! start-up with one line that names the setting, never a panic.

use clap::{Args, Parser, Subcommand};

use crate::domain::lang::Lang;
use crate::storage::Backend;

#[derive(Debug, Parser)]
#[command(
    name = "campaign-bot",
    version,
    about = "A Telegram group bot that runs a promotion team's campaign rhythm"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Bot token from BotFather (needed by `run`).
    #[arg(
        long = "token",
        env = "TELOXIDE_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Another Bot API server (for example a local one).
    #[arg(long = "api-url", env = "TELOXIDE_API_URL", global = true)]
    pub api_url: Option<String>,
    /// sqlite:<file> (default sqlite://campaign-bot.db) or postgres://…
    #[arg(long = "database-url", env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Language for teams whose members give none: zh or en.
    #[arg(long = "default-lang", env = "BOT_DEFAULT_LANG", global = true)]
    pub default_lang: Option<String>,
    /// IANA time zone for new teams.
    #[arg(long = "default-tz", env = "BOT_DEFAULT_TZ", global = true)]
    pub default_tz: Option<String>,
    /// Secret Telegram sends with every webhook request.
    #[arg(
        long = "webhook-secret",
        env = "WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// Port the webhook server listens on.
    #[arg(long = "port", env = "PORT", global = true)]
    pub port: Option<String>,
}

#[derive(Debug, Subcommand, Clone)]
pub enum Command {
    /// Run the bot (long polling, or a webhook with --webhook).
    Run {
        /// Public HTTPS URL Telegram should post updates to.
        #[arg(long)]
        webhook: Option<String>,
    },
    /// Talk to the bot in this terminal, with no Telegram account and no network.
    Console {
        /// Language code of the simulated members (zh or en).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Fill a fresh database with a four-week sample campaign and print its weekly review.
    Demo,
}

/// The validated settings every mode runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub token: Option<String>,
    pub api_url: Option<url::Url>,
    pub database_url: String,
    pub default_lang: Lang,
    pub default_tz: chrono_tz::Tz,
    pub webhook_secret: Option<String>,
    pub port: u16,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "TELOXIDE_TOKEN is not set; `run` needs the token from BotFather (try `campaign-bot console` to use the bot without one)"
    )]
    MissingToken,
    #[error("TELOXIDE_API_URL {0:?} is not a valid URL")]
    BadApiUrl(String),
    #[error("DATABASE_URL {0:?} is not supported: use sqlite:<file> or postgres://user@host/db")]
    BadDatabaseUrl(String),
    #[error("BOT_DEFAULT_LANG {0:?} is not supported: use zh or en")]
    BadLang(String),
    #[error("BOT_DEFAULT_TZ {0:?} is not an IANA time zone (for example Asia/Shanghai)")]
    BadTz(String),
    #[error("PORT {0:?} is not a port number (1-65535)")]
    BadPort(String),
    #[error("--webhook {0:?} must be an https:// URL")]
    BadWebhookUrl(String),
    #[error("WEBHOOK_SECRET is required with --webhook (1-256 characters A-Z a-z 0-9 _ -)")]
    MissingSecret,
    #[error("WEBHOOK_SECRET may only contain A-Z a-z 0-9 _ - (1-256 characters)")]
    BadSecret,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://campaign-bot.db";

impl Settings {
    pub fn from_args(args: &CommonArgs) -> Result<Settings, ConfigError> {
        let database_url = match args.database_url.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_DATABASE_URL.to_string(),
            Some(url) => {
                Backend::of_url(url).map_err(|_| ConfigError::BadDatabaseUrl(url.to_string()))?;
                url.to_string()
            }
        };
        let api_url = match args.api_url.as_deref().filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(raw) => Some(
                url::Url::parse(raw)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| ConfigError::BadApiUrl(raw.to_string()))?,
            ),
        };
        let default_lang = match args.default_lang.as_deref() {
            None | Some("") => Lang::En,
            Some(raw) => Lang::parse(raw).ok_or_else(|| ConfigError::BadLang(raw.to_string()))?,
        };
        let default_tz = match args.default_tz.as_deref() {
            None | Some("") => chrono_tz::Asia::Shanghai,
            Some(raw) => crate::domain::lang::parse_time_zone(raw)
                .map_err(|_| ConfigError::BadTz(raw.to_string()))?,
        };
        let port = match args.port.as_deref() {
            None | Some("") => 8080,
            Some(raw) => raw
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| ConfigError::BadPort(raw.to_string()))?,
        };
        let webhook_secret = args.webhook_secret.clone().filter(|s| !s.is_empty());
        if let Some(secret) = &webhook_secret
            && !valid_secret(secret)
        {
            return Err(ConfigError::BadSecret);
        }
        Ok(Settings {
            token: args.token.clone().filter(|t| !t.trim().is_empty()),
            api_url,
            database_url,
            default_lang,
            default_tz,
            webhook_secret,
            port,
        })
    }

    pub fn require_token(&self) -> Result<&str, ConfigError> {
        self.token.as_deref().ok_or(ConfigError::MissingToken)
    }
}

/// Telegram's rule for `secret_token`.
fn valid_secret(s: &str) -> bool {
    (1..=256).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub fn parse_webhook_url(raw: &str) -> Result<url::Url, ConfigError> {
    url::Url::parse(raw)
        .ok()
        .filter(|u| {
            u.scheme() == "https"
                || u.host_str() == Some("127.0.0.1")
                || u.host_str() == Some("localhost")
        })
        .ok_or_else(|| ConfigError::BadWebhookUrl(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> CommonArgs {
        CommonArgs {
            token: None,
            api_url: None,
            database_url: None,
            default_lang: None,
            default_tz: None,
            webhook_secret: None,
            port: None,
        }
    }

    #[test]
    fn defaults_are_sqlite_english_shanghai_8080() {
        let s = Settings::from_args(&args()).expect("defaults are valid");
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.default_lang, Lang::En);
        assert_eq!(s.default_tz, chrono_tz::Asia::Shanghai);
        assert_eq!(s.port, 8080);
        assert_eq!(s.require_token(), Err(ConfigError::MissingToken));
    }

    #[test]
    fn each_bad_value_names_its_setting() {
        let cases: Vec<(CommonArgs, ConfigError)> = vec![
            (
                CommonArgs {
                    default_tz: Some("Mars/Base".into()),
                    ..args()
                },
                ConfigError::BadTz("Mars/Base".into()),
            ),
            (
                CommonArgs {
                    default_lang: Some("fr".into()),
                    ..args()
                },
                ConfigError::BadLang("fr".into()),
            ),
            (
                CommonArgs {
                    database_url: Some("mysql://x".into()),
                    ..args()
                },
                ConfigError::BadDatabaseUrl("mysql://x".into()),
            ),
            (
                CommonArgs {
                    api_url: Some("not a url".into()),
                    ..args()
                },
                ConfigError::BadApiUrl("not a url".into()),
            ),
            (
                CommonArgs {
                    port: Some("70000".into()),
                    ..args()
                },
                ConfigError::BadPort("70000".into()),
            ),
            (
                CommonArgs {
                    webhook_secret: Some("has space".into()),
                    ..args()
                },
                ConfigError::BadSecret,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(Settings::from_args(&input).err(), Some(expected));
        }
    }
}
