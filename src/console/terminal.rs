//! `campaign-bot console`: a terminal in front of the emulator. Lines typed are messages from a
//! simulated member of a simulated group; whatever the bot sends back is printed. Reads stdin,
//! so it can be scripted; exits at end of input.

use crate::domain::ids::ChatId;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::emulator::{ChatKind, Emulator, SentKind, SentMessage, UserSpec};
use crate::app::{self, App, Running};
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::config::Settings;
use crate::domain::lang::Lang;
use crate::domain::when::parse_duration;
use crate::storage::Store;

pub const GROUP_ID: i64 = -1_001_000_000_001;
const GROUP_TITLE: &str = "Promo Team";
const HANDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A simulated session: emulator, bot and clock, driven line by line.
pub struct Session {
    pub emulator: Emulator,
    pub app_ctx: crate::bot::Ctx,
    pub clock: Arc<ManualClock>,
    running: Option<Running>,
    scheduler: crate::scheduler::Scheduler,
    members: Vec<(String, i64)>,
    speaker: usize,
    injected: u64,
    printed: usize,
    edits_seen: usize,
    answers_seen: usize,
    out_dir: PathBuf,
    lang_code: String,
}

impl Session {
    pub async fn start(
        settings: Settings,
        store: Store,
        lang: Lang,
        start_at: i64,
        out_dir: PathBuf,
    ) -> anyhow::Result<Session> {
        let clock = ManualClock::new(start_at);
        let shared: crate::clock::SharedClock = clock.clone();
        let emulator = Emulator::start(shared.clone())
            .await
            .context("cannot start the Bot API emulator")?;
        emulator.add_chat(GROUP_ID, ChatKind::Supergroup, GROUP_TITLE);
        let bot = app::make_bot(
            &emulator.token(),
            Some(&emulator.api_url()),
            app::relaxed_limits(),
        );
        let app = App::new(settings, shared, store, bot);
        crate::bot::set_menus(&app.bot)
            .await
            .context("setMyCommands failed")?;
        let running = app.spawn_polling();
        let scheduler = app.scheduler();
        let mut session = Session {
            emulator,
            app_ctx: app.ctx.clone(),
            clock,
            running: Some(running),
            scheduler,
            members: Vec::new(),
            speaker: 0,
            injected: 0,
            printed: 0,
            edits_seen: 0,
            answers_seen: 0,
            out_dir,
            lang_code: lang.code().to_string(),
        };
        for name in ["alice", "bob", "carol"] {
            session.add_member(name);
        }
        session.set_admin("alice", true);
        Ok(session)
    }

    fn add_member(&mut self, name: &str) -> i64 {
        let id = 1001 + self.members.len() as i64;
        let mut first = name.to_string();
        if let Some(c) = first.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        self.emulator.add_user(UserSpec {
            id,
            first_name: first,
            last_name: None,
            username: Some(name.to_string()),
            language_code: Some(self.lang_code.clone()),
        });
        self.emulator.add_chat(id, ChatKind::Private, name);
        self.members.push((name.to_string(), id));
        id
    }

    fn member_id(&mut self, name: &str) -> i64 {
        let name = name.trim().trim_start_matches('@').to_lowercase();
        match self.members.iter().find(|(n, _)| *n == name) {
            Some((_, id)) => *id,
            None => self.add_member(&name),
        }
    }

    fn set_admin(&mut self, name: &str, admin: bool) {
        let id = self.member_id(name);
        self.emulator.set_admin(GROUP_ID, id, admin);
        self.app_ctx.admins.invalidate(ChatId(GROUP_ID));
    }

    pub fn speaker_name(&self) -> &str {
        &self.members[self.speaker].0
    }

    /// Handles one typed line and returns what to print.
    pub async fn line(&mut self, line: &str) -> anyhow::Result<Vec<String>> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Vec::new());
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "/as" if !rest.is_empty() => {
                let id = self.member_id(rest);
                self.speaker = self.members.iter().position(|(_, i)| *i == id).unwrap_or(0);
                Ok(vec![format!("(you are now {})", self.speaker_name())])
            }
            "/admin" if !rest.is_empty() => {
                self.set_admin(rest, true);
                Ok(vec![format!(
                    "({} is now an admin of {GROUP_TITLE})",
                    rest.trim_start_matches('@')
                )])
            }
            "/advance" => match parse_duration(rest) {
                Ok(seconds) => {
                    self.clock.advance(seconds);
                    let mut out = vec![format!("(clock advanced by {rest})")];
                    out.extend(self.collect().await);
                    Ok(out)
                }
                Err(_) => Ok(vec![
                    "(usage: /advance 23h — units w d h m s, e.g. 2d3h)".to_string(),
                ]),
            },
            "/press" => self.press(rest).await,
            "/import" if !rest.is_empty() => self.import(rest).await,
            "/dm" if !rest.is_empty() => {
                let from = self.members[self.speaker].1;
                self.send(from, from, rest).await
            }
            _ => {
                let from = self.members[self.speaker].1;
                self.send(GROUP_ID, from, line).await
            }
        }
    }

    async fn send(&mut self, chat: i64, from: i64, text: &str) -> anyhow::Result<Vec<String>> {
        self.emulator.send_text(chat, from, text);
        self.injected += 1;
        if !self
            .app_ctx
            .tracker
            .wait_finished(self.injected, HANDLE_TIMEOUT)
            .await
        {
            return Ok(vec!["(the bot did not answer within 30 s)".to_string()]);
        }
        Ok(self.collect().await)
    }

    /// `/import <path> [channel]`: posts a local file with the caption `/import [channel]`, as a
    /// member dropping an export into the group would.
    async fn import(&mut self, args: &str) -> anyhow::Result<Vec<String>> {
        let (path, channel) = match args.rsplit_once(char::is_whitespace) {
            // A path with spaces: the last word is a channel only if the rest is a file.
            Some((p, c)) if std::path::Path::new(p.trim()).is_file() => (p.trim(), c.trim()),
            _ => (args, ""),
        };
        let bytes = match read_capped(std::path::Path::new(path)) {
            Ok(b) => b,
            Err(e) => return Ok(vec![format!("(cannot read {path}: {e})")]),
        };
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".to_string());
        let caption = format!("/import {channel}");
        let from = self.members[self.speaker].1;
        self.emulator
            .send_document(GROUP_ID, from, &name, &bytes, Some(caption.trim()));
        self.injected += 1;
        let mut out = vec![format!(
            "({} posted {name}, {} bytes)",
            self.speaker_name(),
            bytes.len()
        )];
        if !self
            .app_ctx
            .tracker
            .wait_finished(self.injected, HANDLE_TIMEOUT)
            .await
        {
            out.push("(the bot did not answer within 30 s)".to_string());
            return Ok(out);
        }
        out.extend(self.collect().await);
        Ok(out)
    }

    /// `/press N`: presses button N of the newest message that has buttons.
    async fn press(&mut self, arg: &str) -> anyhow::Result<Vec<String>> {
        let sent = self.emulator.sent();
        let Some(msg) = sent.iter().rev().find(|m| !buttons(m).is_empty()) else {
            return Ok(vec!["(no message with buttons yet)".to_string()]);
        };
        let choices = buttons(msg);
        let index = arg
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=choices.len()).contains(n));
        let Some(index) = index else {
            return Ok(vec![format!("(usage: /press 1..{})", choices.len())]);
        };
        let (_, data) = &choices[index - 1];
        let from = self.members[self.speaker].1;
        self.emulator
            .press_button(msg.chat_id, from, msg.message_id, data);
        self.injected += 1;
        self.app_ctx
            .tracker
            .wait_finished(self.injected, HANDLE_TIMEOUT)
            .await;
        Ok(self.collect().await)
    }

    /// Everything the bot sent since the last call, rendered for the terminal. Due jobs run
    /// first: the console drives the scheduler itself so output is deterministic.
    async fn collect(&mut self) -> Vec<String> {
        if let Err(err) = self.scheduler.tick().await {
            tracing::error!(error = %err, "scheduler tick failed");
        }
        let sent = self.emulator.sent();
        let fresh: Vec<SentMessage> = sent.iter().skip(self.printed).cloned().collect();
        self.printed = sent.len();
        let mut out = Vec::new();
        for msg in fresh {
            out.push(self.render(&msg));
        }
        let edits = self.emulator.edits();
        for edit in edits.iter().skip(self.edits_seen) {
            out.push(format!(
                "── bot edited a message ──\n{}",
                super::html::html_to_plain(&edit.new_text)
            ));
        }
        self.edits_seen = edits.len();
        let answers = self.emulator.callback_answers();
        for (_, text) in answers.iter().skip(self.answers_seen) {
            if let Some(text) = text {
                out.push(format!("(button answer: {text})"));
            }
        }
        self.answers_seen = answers.len();
        out
    }

    fn render(&self, msg: &SentMessage) -> String {
        let chat = if msg.chat_id == GROUP_ID {
            GROUP_TITLE.to_string()
        } else {
            self.members
                .iter()
                .find(|(_, id)| *id == msg.chat_id)
                .map(|(n, _)| format!("{n} (private)"))
                .unwrap_or_default()
        };
        let mut text = format!(
            "── bot → {chat} ──\n{}",
            super::html::html_to_plain(&msg.text)
        );
        match msg.kind {
            SentKind::Photo | SentKind::Document => {
                let name = msg
                    .file_name
                    .clone()
                    .unwrap_or_else(|| format!("file-{}", msg.message_id));
                let path = self.out_dir.join(&name);
                let written = msg
                    .file_bytes
                    .as_ref()
                    .map(|bytes| std::fs::write(&path, bytes));
                match written {
                    Some(Ok(())) => text.push_str(&format!("\n[file written: {}]", path.display())),
                    _ => text.push_str(&format!("\n[file {name} could not be written]")),
                }
            }
            SentKind::Text => {}
        }
        let choices = buttons(msg);
        if !choices.is_empty() {
            let labels: Vec<String> = choices
                .iter()
                .enumerate()
                .map(|(i, (label, _))| format!("[{}: {label}]", i + 1))
                .collect();
            text.push_str(&format!("\n{}  (/press N)", labels.join(" ")));
        }
        text
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}

/// (label, callback data) of a message's inline keyboard.
fn buttons(msg: &SentMessage) -> Vec<(String, String)> {
    let Some(rows) = msg
        .reply_markup
        .as_ref()
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(|k| k.as_array())
    else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| row.as_array())
        .flatten()
        .filter_map(|b| {
            Some((
                b.get("text")?.as_str()?.to_string(),
                b.get("callback_data")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Entry point of `campaign-bot console`.
pub async fn run(settings: Settings, lang: Option<String>) -> anyhow::Result<()> {
    let lang = match lang.as_deref() {
        None => settings.default_lang,
        Some(raw) => Lang::parse(raw).with_context(|| format!("--lang {raw:?}: use zh or en"))?,
    };
    let explicit_db = std::env::var("DATABASE_URL").is_ok_and(|v| !v.is_empty())
        || settings.database_url != crate::config::DEFAULT_DATABASE_URL;
    let out_dir = std::env::temp_dir().join(format!("campaign-bot-console-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    // A console session is a sandbox: a fresh database unless one was named explicitly.
    let db_url = if explicit_db {
        settings.database_url.clone()
    } else {
        format!("sqlite://{}", out_dir.join("console.db").display())
    };
    let store = Store::open(&db_url)
        .await
        .with_context(|| format!("cannot open {db_url}"))?;
    let interactive = std::io::stdin().is_terminal();
    let mut session =
        Session::start(settings, store, lang, SystemClock.now(), out_dir.clone()).await?;
    println!(
        "campaign-bot console — you are {} (admin) in the group \"{GROUP_TITLE}\" with bob and carol.\n\
         Type commands as in Telegram. Also: /as <name> · /admin <name> · /advance <23h|2d|30m> · /press <n> · /dm <text> · /import <path> [channel]. Ctrl-D quits.\n\
         Files go to {}",
        session.speaker_name(),
        out_dir.display()
    );
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await.context("reading stdin")? {
        if !interactive && !line.trim().is_empty() {
            println!("» {}: {}", session.speaker_name(), line.trim());
        }
        for out in session.line(&line).await? {
            println!("{out}");
        }
    }
    session.stop().await;
    Ok(())
}

/// A local file for `/import`, read up to 64 MiB (Telegram would take more; the bot refuses
/// anything over 5 MB anyway, and says so).
fn read_capped(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(64 * 1024 * 1024)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
