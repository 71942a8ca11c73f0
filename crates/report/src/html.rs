//! The report as one self-contained HTML file: inline CSS, inline SVG, no script, no external
//! request; headings with ids and a linked table of contents.

use std::fmt::Write;

use crate::markdown::{esc, to_html};
use crate::model::{Figure, IndicatorSection, Report};

const CSS: &str = "
body{font-family:'Noto Sans',system-ui,sans-serif;color:#222;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;line-height:1.5}
h1{font-size:1.8rem;margin-top:3rem;border-bottom:2px solid #1d70b8}h2{font-size:1.3rem;margin-top:2.2rem}
.title{margin:3rem 0 2rem}.title h1{border:0;font-size:2.4rem;margin:0}.title .city{font-size:1.5rem}
.muted,.note{color:#595959}.note{font-size:.85rem}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.15rem .5rem;text-align:right;vertical-align:middle}th:first-child,td:first-child{text-align:left}
thead th{border-bottom:1px solid #222}tbody tr:nth-child(even){background:#f3f3f3}
tr.city td{font-weight:bold;border-bottom:1px solid #999}
th.group{text-align:left;color:#595959;padding-top:.6rem;background:#fff}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
.profile{border-top:1px solid #ccc;margin-top:2rem}.profile-head{display:flex;gap:1rem;justify-content:space-between;align-items:flex-start}
.profile-head figure{width:16rem;margin:0}.spine svg{width:14rem;height:auto}
nav ol{padding-left:1.2rem}nav ol ol{font-size:.9rem}
dl.defs dt{font-weight:bold;margin-top:.8rem}dl.defs dd{margin-left:0}
.defs table td,.settings td{text-align:left}
.scroll{overflow-x:auto}
@media print{h1{break-before:page}.profile{break-before:page}}
";

fn figure(o: &mut String, f: &Figure, class: &str) {
    // The SVG carries its own <title>/<desc> (aria-labelledby); the figure its alternative text.
    let _ = write!(
        o,
        "<figure class=\"{class}\" role=\"group\" aria-label=\"{}\">{}</figure>",
        esc(&f.alt),
        strip_xml_prolog(&f.svg)
    );
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn indicator(o: &mut String, ind: &IndicatorSection, signs: &str) {
    let _ = write!(
        o,
        "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{}</h2><p class=\"muted\">{}</p>",
        esc(&ind.name),
        esc(&ind.subtitle),
        id = esc(&ind.id)
    );
    if !ind.definition.is_empty() {
        let _ = write!(o, "<p>{}</p>", esc(&ind.definition));
    }
    if let Some(m) = &ind.map {
        figure(o, m, "map");
    }
    let _ = write!(
        o,
        "<div class=\"scroll\"><table><caption class=\"note\">{} · {}</caption><thead><tr>",
        esc(&ind.name),
        esc(&ind.subtitle)
    );
    for c in &ind.columns {
        let _ = write!(o, "<th scope=\"col\">{}</th>", esc(c));
    }
    o.push_str("</tr></thead><tbody>");
    let mut row = |r: &[String], class: &str| {
        let _ = write!(o, "<tr{class}>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(o, "<th scope=\"row\">{}</th>", esc(c));
            } else {
                let _ = write!(o, "<td>{}</td>", esc(c));
            }
        }
        o.push_str("</tr>");
    };
    if !ind.city.is_empty() {
        row(&ind.city, " class=\"city\"");
    }
    for r in &ind.rows {
        row(r, "");
    }
    let _ = write!(o, "</tbody></table></div><p class=\"note\">{}", esc(signs));
    for n in &ind.notes {
        let _ = write!(o, "<br>{}", esc(n));
    }
    o.push_str("</p></section>\n");
}

/// The report as HTML.
pub(crate) fn html(r: &Report) -> String {
    let l = &r.labels;
    let mut o = String::with_capacity(1 << 20);
    let title = format!("{} – {} {}", r.title, r.city, r.year);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        r.lang,
        esc(&title)
    );
    let _ = writeln!(
        o,
        "<header class=\"title\"><p class=\"muted\">{}</p><h1 id=\"titel\">{}</h1><p class=\"city\">{} {}</p><dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl><p class=\"note\">{}</p></header>",
        esc(&r.atlas),
        esc(&r.title),
        esc(&r.city),
        r.year,
        esc(l.year),
        r.year,
        esc(l.level),
        esc(&r.level),
        esc(l.stand),
        esc(&r.stand),
        esc(&r.colophon)
    );

    // Table of contents.
    let _ = write!(
        o,
        "<nav aria-labelledby=\"inhalt\"><h1 id=\"inhalt\">{}</h1><ol>",
        esc(l.contents)
    );
    let link = |id: &str, text: &str| format!("<a href=\"#{}\">{}</a>", esc(id), esc(text));
    let _ = write!(o, "<li>{}</li>", link("einleitung", l.introduction));
    for c in &r.chapters {
        let _ = write!(o, "<li>{}<ol>", link(&c.id, &c.title));
        for i in &c.indicators {
            let _ = write!(o, "<li>{}</li>", link(&i.id, &i.name));
        }
        o.push_str("</ol></li>");
    }
    let _ = write!(o, "<li>{}</li>", link(&r.typology.id, l.typology));
    let _ = write!(o, "<li>{}<ol>", link("profile", l.profiles));
    for p in &r.profiles {
        let _ = write!(o, "<li>{}</li>", link(&p.id, &p.name));
    }
    o.push_str("</ol></li>");
    let _ = write!(
        o,
        "<li>{}</li></ol></nav>\n<main>\n",
        link(&r.appendix.id, l.appendix)
    );

    // Introduction.
    let _ = write!(
        o,
        "<section aria-labelledby=\"einleitung\"><h1 id=\"einleitung\">{}</h1>",
        esc(l.introduction)
    );
    o.push_str(&to_html(&r.introduction, 3));
    let _ = write!(o, "<h2 id=\"lesehilfe\">{}</h2><ul>", esc(l.reading));
    for x in &r.reading {
        let _ = write!(o, "<li>{}</li>", esc(x));
    }
    o.push_str("</ul></section>\n");

    for c in &r.chapters {
        let _ = write!(
            o,
            "<section aria-labelledby=\"{id}\"><h1 id=\"{id}\">{}</h1>",
            esc(&c.title),
            id = esc(&c.id)
        );
        if !c.description.is_empty() {
            let _ = write!(o, "<p><em>{}</em></p>", esc(&c.description));
        }
        o.push_str(&to_html(&c.text, 3));
        for i in &c.indicators {
            indicator(&mut o, i, l.signs);
        }
        o.push_str("</section>\n");
    }

    // Typology.
    let t = &r.typology;
    let _ = write!(
        o,
        "<section aria-labelledby=\"{id}\"><h1 id=\"{id}\">{}</h1>",
        esc(l.typology),
        id = esc(&t.id)
    );
    o.push_str(&to_html(&t.text, 3));
    if let Some(m) = &t.missing {
        let _ = write!(o, "<p><em>{}</em></p>", esc(m));
    } else {
        let _ = write!(o, "<p>{}</p>", esc(&t.caption));
        if let Some(f) = &t.map {
            figure(&mut o, f, "map");
        }
        if let Some(f) = &t.profile {
            figure(&mut o, f, "chart");
        }
        let _ = write!(
            o,
            "<h2 id=\"cluster\">{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(l.clusters),
            esc(l.cluster),
            esc(l.size),
            esc(l.description)
        );
        for c in &t.clusters {
            let _ = write!(
                o,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                esc(&c[0]),
                esc(&c[1]),
                esc(&c[2])
            );
        }
        let _ = write!(
            o,
            "</tbody></table><h2 id=\"vorschlag\">{}</h2>",
            esc(l.proposed)
        );
        if t.proposed.is_empty() {
            let _ = write!(o, "<p>{}</p>", esc(l.none_proposed));
        } else {
            let _ = write!(o, "<p>{}</p>", esc(&t.proposed.join(", ")));
        }
    }
    if let Some((head, areas)) = &t.confirmed {
        let _ = write!(
            o,
            "<p><strong>{}</strong></p><p>{}</p>",
            esc(head),
            esc(&areas.join(", "))
        );
    }
    o.push_str("</section>\n");

    // Profiles.
    let _ = write!(
        o,
        "<section aria-labelledby=\"profile\"><h1 id=\"profile\">{}</h1>",
        esc(l.profiles)
    );
    for p in &r.profiles {
        let _ = write!(
            o,
            "<article class=\"profile\" aria-labelledby=\"{id}\"><div class=\"profile-head\"><div><h2 id=\"{id}\">{}</h2><p class=\"muted\">{}</p></div>",
            esc(&p.name),
            esc(&p.subtitle),
            id = esc(&p.id)
        );
        if let Some(f) = &p.locator {
            figure(&mut o, f, "locator");
        }
        let _ = write!(
            o,
            "</div><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(l.indicator),
            esc(l.year_col),
            esc(&p.name),
            esc(l.city),
            esc(l.position)
        );
        for g in &p.groups {
            let _ = write!(
                o,
                "<tr><th scope=\"rowgroup\" colspan=\"5\" class=\"group\">{}</th></tr>",
                esc(&g.name)
            );
            for row in &g.rows {
                let _ = write!(
                    o,
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"spine\">",
                    esc(&row.name),
                    esc(&row.year),
                    esc(&row.value),
                    esc(&row.city)
                );
                if let Some(s) = &row.spine {
                    o.push_str(strip_xml_prolog(&s.svg));
                }
                o.push_str("</td></tr>");
            }
        }
        let _ = writeln!(
            o,
            "</tbody></table></div><p class=\"note\">{}</p></article>",
            esc(l.signs)
        );
    }
    o.push_str("</section>\n");

    // Appendix.
    let a = &r.appendix;
    let _ = write!(
        o,
        "<section aria-labelledby=\"{id}\"><h1 id=\"{id}\">{}</h1>",
        esc(l.appendix),
        id = esc(&a.id)
    );
    let _ = write!(
        o,
        "<h2 id=\"definitionen\">{}</h2><dl class=\"defs\">",
        esc(l.definitions)
    );
    for (name, rows) in &a.indicators {
        let _ = write!(o, "<dt>{}</dt><dd><table><tbody>", esc(name));
        for (k, v) in rows {
            let _ = write!(
                o,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                esc(k),
                esc(v)
            );
        }
        o.push_str("</tbody></table></dd>");
    }
    let _ = write!(o, "</dl><h2 id=\"quellen\">{}</h2><ul>", esc(l.sources));
    for s in &a.sources {
        let _ = write!(o, "<li>{}</li>", esc(s));
    }
    let _ = write!(
        o,
        "</ul><p><strong>{}:</strong> {}</p><p><strong>{}</strong></p><ul>",
        esc(l.licence),
        esc(&a.licence),
        esc(l.attribution)
    );
    for s in &a.attribution {
        let _ = write!(o, "<li>{}</li>", esc(s));
    }
    let _ = write!(
        o,
        "</ul><h2 id=\"methode\">{}</h2><table class=\"settings\"><tbody>",
        esc(l.method)
    );
    for (k, v) in &a.settings {
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(v)
        );
    }
    let _ = write!(
        o,
        "</tbody></table><h2 id=\"eingaben\">{}</h2><table class=\"settings\"><tbody>",
        esc(l.inputs)
    );
    for (k, v) in &a.inputs {
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>",
            esc(k),
            esc(v)
        );
    }
    o.push_str("</tbody></table></section>\n</main>\n</body>\n</html>\n");
    o
}
