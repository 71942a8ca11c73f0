//! The editors' Markdown (CommonMark, parsed by `pulldown-cmark`) as blocks for the typst
//! template (JSON, laid out by template functions: no text is ever evaluated as typst code) and
//! as HTML (raw HTML in the Markdown is shown as text, never passed through).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

/// A block of the editors' text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph.
    Para { spans: Vec<Span> },
    /// A heading inside the chapter text (level 1 = the first level under the chapter).
    Heading { level: u8, spans: Vec<Span> },
    /// A list; each item is a list of blocks.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    /// A quotation.
    Quote { blocks: Vec<Block> },
    /// A code block, shown as it is.
    Code { text: String },
}

/// A run of text with its style.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Bold.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
    /// Italic.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub emph: bool,
    /// Inline code.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub code: bool,
    /// Link target (only `http(s)` and `mailto` links are kept as links).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn safe_link(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        .then(|| url.to_string())
}

#[derive(Default)]
struct Style {
    strong: usize,
    emph: usize,
    link: Vec<Option<String>>,
}

/// Parses Markdown into blocks.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut parser = Parser::new(markdown);
    let mut style = Style::default();
    parse_blocks(&mut parser, &mut style, None)
}

/// Reads blocks until the end tag `until` (or the end of input).
fn parse_blocks(p: &mut Parser<'_>, style: &mut Style, until: Option<TagEnd>) -> Vec<Block> {
    let mut out = Vec::new();
    // Loose inline content (list items of a tight list carry no paragraph).
    let mut loose: Vec<Span> = Vec::new();
    while let Some(ev) = p.next() {
        match ev {
            Event::End(end) if Some(end) == until => break,
            Event::Start(Tag::Paragraph) => {
                flush(&mut loose, &mut out);
                let spans = parse_inline(p, style, TagEnd::Paragraph);
                out.push(Block::Para { spans });
            }
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut loose, &mut out);
                let end = TagEnd::Heading(level);
                let spans = parse_inline(p, style, end);
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    _ => 3,
                };
                out.push(Block::Heading { level, spans });
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut loose, &mut out);
                let ordered = start.is_some();
                let mut items = Vec::new();
                loop {
                    match p.next() {
                        Some(Event::Start(Tag::Item)) => {
                            items.push(parse_blocks(p, style, Some(TagEnd::Item)));
                        }
                        Some(Event::End(TagEnd::List(_))) | None => break,
                        Some(_) => {}
                    }
                }
                out.push(Block::List {
                    ordered,
                    start: start.unwrap_or(1),
                    items,
                });
            }
            Event::Start(Tag::BlockQuote(_)) => {
                flush(&mut loose, &mut out);
                let blocks = parse_blocks(p, style, Some(TagEnd::BlockQuote(None)));
                out.push(Block::Quote { blocks });
            }
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut loose, &mut out);
                let mut text = String::new();
                for ev in p.by_ref() {
                    match ev {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => text.push_str(&t),
                        _ => {}
                    }
                }
                out.push(Block::Code {
                    text: text.trim_end().to_string(),
                });
            }
            Event::End(TagEnd::BlockQuote(_)) if matches!(until, Some(TagEnd::BlockQuote(_))) => {
                break;
            }
            other => inline_event(other, style, &mut loose),
        }
    }
    flush(&mut loose, &mut out);
    out
}

fn flush(loose: &mut Vec<Span>, out: &mut Vec<Block>) {
    if !loose.is_empty() {
        out.push(Block::Para {
            spans: std::mem::take(loose),
        });
    }
}

fn parse_inline(p: &mut Parser<'_>, style: &mut Style, end: TagEnd) -> Vec<Span> {
    let mut spans = Vec::new();
    for ev in p.by_ref() {
        if ev == Event::End(end) {
            break;
        }
        inline_event(ev, style, &mut spans);
    }
    spans
}

fn push(spans: &mut Vec<Span>, style: &Style, text: &str, code: bool) {
    let span = Span {
        text: text.to_string(),
        strong: style.strong > 0,
        emph: style.emph > 0,
        code,
        link: style.link.last().cloned().flatten(),
    };
    if let Some(last) = spans.last_mut()
        && (last.strong, last.emph, last.code, &last.link)
            == (span.strong, span.emph, span.code, &span.link)
    {
        last.text.push_str(&span.text);
        return;
    }
    spans.push(span);
}

fn inline_event(ev: Event<'_>, style: &mut Style, spans: &mut Vec<Span>) {
    match ev {
        Event::Text(t) => push(spans, style, &t, false),
        Event::Code(t) => push(spans, style, &t, true),
        // Raw HTML is shown as the text it is.
        Event::Html(t) | Event::InlineHtml(t) => push(spans, style, &t, false),
        Event::SoftBreak => push(spans, style, " ", false),
        Event::HardBreak => push(spans, style, "\n", false),
        Event::Start(Tag::Strong) => style.strong += 1,
        Event::End(TagEnd::Strong) => style.strong = style.strong.saturating_sub(1),
        Event::Start(Tag::Emphasis) => style.emph += 1,
        Event::End(TagEnd::Emphasis) => style.emph = style.emph.saturating_sub(1),
        Event::Start(Tag::Link { dest_url, .. }) => style.link.push(safe_link(&dest_url)),
        Event::End(TagEnd::Link) => {
            style.link.pop();
        }
        _ => {}
    }
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The blocks as HTML; headings start at `<h{base}>`.
pub fn to_html(blocks: &[Block], base: u8) -> String {
    let mut o = String::new();
    for b in blocks {
        write_block(&mut o, b, base);
    }
    o
}

fn write_spans(o: &mut String, spans: &[Span]) {
    for s in spans {
        let mut t = esc(&s.text).replace('\n', "<br>");
        if s.code {
            t = format!("<code>{t}</code>");
        }
        if s.emph {
            t = format!("<em>{t}</em>");
        }
        if s.strong {
            t = format!("<strong>{t}</strong>");
        }
        if let Some(l) = &s.link {
            t = format!("<a href=\"{}\">{t}</a>", esc(l));
        }
        o.push_str(&t);
    }
}

fn write_block(o: &mut String, b: &Block, base: u8) {
    match b {
        Block::Para { spans } => {
            o.push_str("<p>");
            write_spans(o, spans);
            o.push_str("</p>\n");
        }
        Block::Heading { level, spans } => {
            let h = (base + level - 1).min(6);
            o.push_str(&format!("<h{h}>"));
            write_spans(o, spans);
            o.push_str(&format!("</h{h}>\n"));
        }
        Block::List {
            ordered,
            start,
            items,
        } => {
            if *ordered {
                o.push_str(&format!("<ol start=\"{start}\">"));
            } else {
                o.push_str("<ul>");
            }
            for item in items {
                o.push_str("<li>");
                // A tight item is one paragraph: no <p> around it.
                if let [Block::Para { spans }] = item.as_slice() {
                    write_spans(o, spans);
                } else {
                    o.push_str(&to_html(item, base));
                }
                o.push_str("</li>");
            }
            o.push_str(if *ordered { "</ol>\n" } else { "</ul>\n" });
        }
        Block::Quote { blocks } => {
            o.push_str("<blockquote>");
            o.push_str(&to_html(blocks, base));
            o.push_str("</blockquote>\n");
        }
        Block::Code { text } => {
            o.push_str(&format!("<pre><code>{}</code></pre>\n", esc(text)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_styles() {
        let b = blocks("*Demo* text with **bold**.\n\n1. one\n2. two `x`\n\n- a\n- b\n");
        assert_eq!(b.len(), 3);
        let Block::Para { spans } = &b[0] else {
            panic!("{b:?}")
        };
        assert!(spans[0].emph && spans[0].text == "Demo");
        assert!(spans.iter().any(|s| s.strong && s.text == "bold"));
        let Block::List { ordered, items, .. } = &b[1] else {
            panic!("{b:?}")
        };
        assert!(*ordered);
        assert_eq!(items.len(), 2);
        let Block::List { ordered, .. } = &b[2] else {
            panic!("{b:?}")
        };
        assert!(!ordered);
    }

    #[test]
    fn html_is_escaped_and_raw_html_is_text() {
        let h = to_html(
            &blocks("a <script>x</script> & [l](javascript:alert(1)) [m](https://x.example)"),
            3,
        );
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(h.contains("href=\"https://x.example\""), "{h}");
    }

    #[test]
    fn headings_shift_by_base() {
        let h = to_html(&blocks("# Eins\n\n## Zwei"), 3);
        assert!(
            h.contains("<h3>Eins</h3>") && h.contains("<h4>Zwei</h4>"),
            "{h}"
        );
    }
}
