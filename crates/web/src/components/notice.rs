//! The banner shown when a saved session or a share link could not be restored.

use pilothouse_lessons::Lang;
use yew::prelude::*;

use crate::app::send;
use crate::i18n::t;
use crate::state::{Action, AppState, Notice};

/// Properties of [`NoticeBanner`].
#[derive(Properties, Clone, PartialEq)]
pub struct NoticeBannerProps {
    /// The notice.
    pub notice: Notice,
    /// Language.
    pub lang: Lang,
    /// Seed for the reset.
    pub seed: u64,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// A dismissable banner with a Reset button.
#[function_component(NoticeBanner)]
pub fn notice_banner(p: &NoticeBannerProps) -> Html {
    let tr = t(p.lang);
    html! {
        <div id="notice" class="banner banner-warn" role="alert">
            <p><strong>{ p.notice.title.clone() }</strong>{ ": " }<code>{ p.notice.detail.clone() }</code></p>
            <p>{ tr.saved_state_help }</p>
            <button id="notice-reset" onclick={send(&p.dispatch, Action::Reset(p.seed))}>{ tr.reset }</button>
            <button onclick={send(&p.dispatch, Action::Dismiss)}>{ tr.dismiss }</button>
        </div>
    }
}
