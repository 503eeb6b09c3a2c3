//! Renders a lesson's Markdown (parsed by `pilothouse_lessons::markdown`) as Yew nodes. Text is
//! always text: nothing a lesson writes becomes raw HTML, and only http(s) and in-page links are
//! kept as links.

use pilothouse_lessons::markdown::{parse, Block, Inline};
use yew::prelude::*;

/// Properties of [`Markdown`].
#[derive(Properties, Clone, PartialEq)]
pub struct MarkdownProps {
    /// The Markdown source.
    pub source: AttrValue,
}

/// A Markdown document.
#[function_component(Markdown)]
pub fn markdown(p: &MarkdownProps) -> Html {
    let blocks = parse(&p.source);
    html! { <div class="markdown">{ for blocks.iter().map(block) }</div> }
}

/// One line of inline Markdown (check texts, hints): code, bold, italic; never HTML.
pub fn inline_text(src: &str) -> Html {
    inlines(&pilothouse_lessons::markdown::inline(src))
}

fn block(b: &Block) -> Html {
    match b {
        Block::Heading(level, inl) => {
            let body = inlines(inl);
            match level {
                1 | 2 => html! { <h3>{ body }</h3> },
                3 => html! { <h4>{ body }</h4> },
                _ => html! { <h5>{ body }</h5> },
            }
        }
        Block::Paragraph(inl) => html! { <p>{ inlines(inl) }</p> },
        Block::List(true, items) => html! { <ol>{ for items.iter().map(|i| html! { <li>{ inlines(i) }</li> }) }</ol> },
        Block::List(false, items) => html! { <ul>{ for items.iter().map(|i| html! { <li>{ inlines(i) }</li> }) }</ul> },
        Block::Code(lang, code) => html! { <pre class="code" data-lang={lang.clone()}><code>{ code.clone() }</code></pre> },
        Block::Quote(inl) => html! { <blockquote>{ inlines(inl) }</blockquote> },
    }
}

fn inlines(v: &[Inline]) -> Html {
    html! { <>{ for v.iter().map(inline) }</> }
}

fn inline(i: &Inline) -> Html {
    match i {
        Inline::Text(t) => html! { { t.clone() } },
        Inline::Code(c) => html! { <code>{ c.clone() }</code> },
        Inline::Strong(v) => html! { <strong>{ inlines(v) }</strong> },
        Inline::Emphasis(v) => html! { <em>{ inlines(v) }</em> },
        Inline::Link { text, url } => {
            if url.starts_with("https://") || url.starts_with("http://") {
                html! { <a href={url.clone()} target="_blank" rel="noopener noreferrer">{ inlines(text) }</a> }
            } else if url.starts_with('#') {
                html! { <a href={url.clone()}>{ inlines(text) }</a> }
            } else {
                inlines(text)
            }
        }
    }
}
