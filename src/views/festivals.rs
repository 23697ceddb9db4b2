//! `/festival` and `/festivals` (issue 15) in words: the list, what a change did, why a
//! command was refused. Pure; dates through [`names`].

use super::html::Html;
use super::names;
use crate::domain::festival_args::FestivalArgError;
use crate::domain::judgement::festivals::BuiltIn;
use crate::domain::lang::Lang;
use crate::service::festivals::{FestivalChange, FestivalList};
use crate::tr;

fn built_in_line(lang: Lang, b: &BuiltIn) -> Html {
    let when = if b.from == b.to {
        Html::text(&names::date(lang, b.from))
    } else {
        tr!(
            lang,
            "festival.range",
            from = names::date(lang, b.from),
            to = names::date(lang, b.to),
        )
    };
    tr!(lang, "festival.line", day = when, name = b.name)
}

/// `/festivals`: the built-in ones of the coming year, then the team's own.
pub fn render_festivals(lang: Lang, list: &FestivalList) -> Html {
    let built: Vec<Html> = list
        .built_in
        .iter()
        .map(|b| built_in_line(lang, b))
        .collect();
    let own = if list.team.is_empty() {
        tr!(lang, "festival.list.none")
    } else {
        Html::lines(list.team.iter().map(|f| {
            tr!(
                lang,
                "festival.line",
                day = names::date(lang, f.day),
                name = f.name.as_str(),
            )
        }))
    };
    Html::lines([
        tr!(lang, "festival.list.built_in"),
        Html::lines(built),
        Html::new(),
        tr!(lang, "festival.list.team"),
        own,
        Html::new(),
        tr!(lang, "festival.list.hint"),
    ])
}

/// What `/festival add|remove` did.
pub fn render_change(lang: Lang, change: &FestivalChange) -> Html {
    match change {
        FestivalChange::Added {
            day,
            name,
            replaced: None,
        } => tr!(
            lang,
            "festival.added",
            day = names::date(lang, *day),
            name = name.as_str(),
        ),
        FestivalChange::Added {
            day,
            name,
            replaced: Some(old),
        } => tr!(
            lang,
            "festival.renamed",
            day = names::date(lang, *day),
            name = name.as_str(),
            old = old.as_str(),
        ),
        FestivalChange::Removed { day, name } => tr!(
            lang,
            "festival.removed",
            day = names::date(lang, *day),
            name = name.as_str(),
        ),
        FestivalChange::NotFound { day } => {
            tr!(lang, "festival.not_found", day = names::date(lang, *day))
        }
    }
}

/// What was typed, cut short enough to quote.
fn quote(input: &str) -> String {
    names::truncate_chars(input, QUOTE_MAX_CHARS)
}

/// The longest piece of input a refusal quotes, in characters.
const QUOTE_MAX_CHARS: usize = 40;

/// Why `/festival …` was refused, with the usage.
pub fn render_error(lang: Lang, e: &FestivalArgError) -> Html {
    let why = match e {
        FestivalArgError::UnknownAction(input) => {
            tr!(lang, "festival.error.unknown_action", input = quote(input))
        }
        FestivalArgError::MissingDate => tr!(lang, "festival.error.missing_date"),
        FestivalArgError::BadDate(input) => {
            tr!(lang, "festival.error.bad_date", input = quote(input))
        }
        FestivalArgError::MissingName => tr!(lang, "festival.error.missing_name"),
        FestivalArgError::NameTooLong { max } => {
            tr!(lang, "festival.error.name_too_long", max = *max as i64)
        }
        FestivalArgError::NameMarkup(input) => {
            tr!(lang, "festival.error.name_markup", input = quote(input))
        }
    };
    Html::lines([why, tr!(lang, "festival.usage")])
}
