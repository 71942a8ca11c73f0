//! Exports for the council: the public ideas of a process with their state, official answer,
//! supports, action area and field, as CSV (German: `;`, UTF-8 with BOM; international: `,`)
//! and XLSX. No personal data of authors: no names, no user ids — only the kind of group an
//! idea was brought in for and whether it was collected at an area meeting.
//!
//! Spreadsheet formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is prefixed with `'` in the CSV, so that Excel and LibreOffice show it as
//! text; the XLSX writes every text as a string cell, which is never evaluated.

use sozialatlas_core::Locale;
use sozialatlas_core::csv::{CsvWriter, guard_formula};
use sozialatlas_store::Pool;

use crate::Error;
use crate::idea::{GroupType, IdeaFilter, Scope, Sort, list_ideas};
use crate::measure::list_measures;
use crate::meeting::list_meetings;
use crate::process::get_process;
use crate::state::IdeaState;

/// The state's name for readers.
pub fn state_label(s: IdeaState, locale: Locale) -> &'static str {
    match (s, locale) {
        (IdeaState::Draft, Locale::De) => "Entwurf",
        (IdeaState::Draft, Locale::En) => "Draft",
        (IdeaState::Submitted, Locale::De) => "Eingereicht",
        (IdeaState::Submitted, Locale::En) => "Submitted",
        (IdeaState::Published, Locale::De) => "Veröffentlicht",
        (IdeaState::Published, Locale::En) => "Published",
        (IdeaState::UnderReview, Locale::De) => "In Prüfung",
        (IdeaState::UnderReview, Locale::En) => "Under review",
        (IdeaState::Accepted, Locale::De) => "Angenommen",
        (IdeaState::Accepted, Locale::En) => "Accepted",
        (IdeaState::Rejected, Locale::De) => "Abgelehnt",
        (IdeaState::Rejected, Locale::En) => "Rejected",
        (IdeaState::Merged, Locale::De) => "Zusammengeführt",
        (IdeaState::Merged, Locale::En) => "Merged",
        (IdeaState::Withdrawn, Locale::De) => "Zurückgezogen",
        (IdeaState::Withdrawn, Locale::En) => "Withdrawn",
    }
}

/// The group type's name for readers.
pub fn group_label(g: Option<GroupType>, locale: Locale) -> &'static str {
    match (g, locale) {
        (None, Locale::De) => "Einzelperson",
        (None, Locale::En) => "Individual",
        (Some(GroupType::Residents), Locale::De) => "Anwohnerinnen und Anwohner",
        (Some(GroupType::Residents), Locale::En) => "Residents",
        (Some(GroupType::Association), Locale::De) => "Verein oder Verband",
        (Some(GroupType::Association), Locale::En) => "Association",
        (Some(GroupType::Church), Locale::De) => "Kirche oder Glaubensgemeinschaft",
        (Some(GroupType::Church), Locale::En) => "Church or faith community",
        (Some(GroupType::School), Locale::De) => "Schule oder Kita",
        (Some(GroupType::School), Locale::En) => "School or day care",
        (Some(GroupType::Institution), Locale::De) => "Einrichtung",
        (Some(GroupType::Institution), Locale::En) => "Institution",
        (Some(GroupType::Politics), Locale::De) => "Lokale Politik",
        (Some(GroupType::Politics), Locale::En) => "Local politics",
        (Some(GroupType::Business), Locale::De) => "Unternehmen",
        (Some(GroupType::Business), Locale::En) => "Business",
        (Some(GroupType::Other), Locale::De) => "Sonstige",
        (Some(GroupType::Other), Locale::En) => "Other",
    }
}

/// One exported idea, as text cells and numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Reference number.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Action area (name).
    pub area: String,
    /// Field of action (title).
    pub field: String,
    /// Public state.
    pub state: String,
    /// Official answer (published only).
    pub answer: String,
    /// Date the answer was published.
    pub answer_date: String,
    /// Supports.
    pub supports: i64,
    /// Visible comments.
    pub comments: i64,
    /// Brought in by (kind of group).
    pub brought_in_by: String,
    /// The area meeting it was collected at (title and date).
    pub meeting: String,
    /// Cost estimate in euros.
    pub cost_estimate: Option<i64>,
    /// Published on.
    pub published: String,
    /// Merged into (reference).
    pub merged_into: String,
    /// Codes of the measures that carry it out.
    pub measures: String,
}

/// The column names.
pub fn header(locale: Locale) -> [&'static str; 16] {
    match locale {
        Locale::De => [
            "Kennziffer",
            "Titel",
            "Beschreibung",
            "Aktionsraum",
            "Handlungsfeld",
            "Stand",
            "Antwort der Verwaltung",
            "Antwort vom",
            "Unterstützungen",
            "Kommentare",
            "Eingebracht von",
            "Gesammelt beim Aktionsraumgespräch",
            "Geschätzte Kosten (EUR)",
            "Veröffentlicht am",
            "Zusammengeführt mit",
            "Maßnahmen",
        ],
        Locale::En => [
            "reference",
            "title",
            "description",
            "action_area",
            "field_of_action",
            "state",
            "official_answer",
            "answer_date",
            "supports",
            "comments",
            "brought_in_by",
            "collected_at_meeting",
            "cost_estimate_eur",
            "published",
            "merged_into",
            "measures",
        ],
    }
}

/// The public ideas of a process as export rows, in reference order.
pub async fn rows(pool: &Pool, process: i64, locale: Locale) -> Result<Vec<Row>, Error> {
    let p = get_process(pool, process)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let (ideas, _) = list_ideas(
        pool,
        &IdeaFilter {
            process: Some(process),
            sort: Sort::Reference,
            ..Default::default()
        },
        Scope::Public,
    )
    .await?;
    let meetings = list_meetings(pool, Some(process), None).await?;
    let measures = list_measures(pool, Some(process)).await?;
    let refs: std::collections::HashMap<i64, String> =
        ideas.iter().map(|i| (i.id, i.reference.clone())).collect();
    Ok(ideas
        .iter()
        .map(|i| {
            let answer = i.public_answer();
            Row {
                reference: i.reference.clone(),
                title: i.title.clone(),
                description: i.description.clone(),
                area: p
                    .area(i.action_area_id)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                field: p
                    .field(i.field_id)
                    .map(|f| f.title.clone())
                    .unwrap_or_default(),
                state: state_label(i.public_state(), locale).to_string(),
                answer: answer.map(|a| a.body.clone()).unwrap_or_default(),
                answer_date: answer
                    .and_then(|a| a.published_at.as_deref())
                    .map(|d| d.get(..10).unwrap_or(d).to_string())
                    .unwrap_or_default(),
                supports: i.supports,
                comments: i.comments,
                brought_in_by: group_label(i.group_type, locale).to_string(),
                meeting: i
                    .meeting_id
                    .and_then(|m| meetings.iter().find(|x| x.id == m))
                    .map(|m| {
                        format!(
                            "{} ({})",
                            m.title,
                            m.starts_at.get(..10).unwrap_or(&m.starts_at)
                        )
                    })
                    .unwrap_or_default(),
                cost_estimate: i.cost_estimate,
                published: i
                    .published_at
                    .as_deref()
                    .map(|d| d.get(..10).unwrap_or(d).to_string())
                    .unwrap_or_default(),
                merged_into: i
                    .merged_into
                    .and_then(|m| refs.get(&m).cloned())
                    .unwrap_or_default(),
                measures: measures
                    .iter()
                    .filter(|m| m.ideas.iter().any(|(id, _, _)| *id == i.id))
                    .map(|m| m.code.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect())
}

/// Writes the rows as CSV.
pub fn write_csv(rows: &[Row], locale: Locale) -> Result<Vec<u8>, Error> {
    let map = |e: csv::Error| Error::Xlsx(e.to_string());
    let mut w = CsvWriter::new(Vec::new(), locale).map_err(|e| map(e.into()))?;
    w.row(header(locale)).map_err(map)?;
    for r in rows {
        let num = |n: i64| n.to_string();
        // Text cells are guarded even when they look like a number: a title is text.
        w.row([
            guard_formula(&r.reference).as_ref(),
            &guard_formula(&r.title),
            &guard_formula(&r.description),
            &guard_formula(&r.area),
            &guard_formula(&r.field),
            &guard_formula(&r.state),
            &guard_formula(&r.answer),
            &r.answer_date,
            &num(r.supports),
            &num(r.comments),
            &guard_formula(&r.brought_in_by),
            &guard_formula(&r.meeting),
            &r.cost_estimate.map(num).unwrap_or_default(),
            &r.published,
            &guard_formula(&r.merged_into),
            &guard_formula(&r.measures),
        ])
        .map_err(map)?;
    }
    w.finish().map_err(map)
}

/// Writes the rows as an XLSX workbook with one sheet ("Projektideen" / "Ideas").
pub fn write_xlsx(rows: &[Row], locale: Locale, title: &str) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| Error::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let euro = Format::new().set_num_format("#,##0");
    let ws = wb.add_worksheet();
    ws.set_name(match locale {
        Locale::De => "Projektideen",
        Locale::En => "Ideas",
    })
    .map_err(x)?;
    ws.write_string_with_format(0, 0, title, &bold).map_err(x)?;
    for (c, h) in header(locale).iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)
            .map_err(x)?;
    }
    ws.set_freeze_panes(3, 1).map_err(x)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 3;
        let texts = [
            (0, &r.reference),
            (1, &r.title),
            (2, &r.description),
            (3, &r.area),
            (4, &r.field),
            (5, &r.state),
            (6, &r.answer),
            (7, &r.answer_date),
            (10, &r.brought_in_by),
            (11, &r.meeting),
            (13, &r.published),
            (14, &r.merged_into),
            (15, &r.measures),
        ];
        for (c, t) in texts {
            if c == 2 || c == 6 {
                ws.write_string_with_format(row, c, t.as_str(), &wrap)
                    .map_err(x)?;
            } else {
                ws.write_string(row, c, t.as_str()).map_err(x)?;
            }
        }
        ws.write_number(row, 8, r.supports as f64).map_err(x)?;
        ws.write_number(row, 9, r.comments as f64).map_err(x)?;
        if let Some(c) = r.cost_estimate {
            ws.write_number_with_format(row, 12, c as f64, &euro)
                .map_err(x)?;
        }
    }
    for (c, w) in [
        (0u16, 14.0),
        (1, 40.0),
        (2, 60.0),
        (3, 24.0),
        (4, 28.0),
        (5, 16.0),
        (6, 60.0),
    ] {
        ws.set_column_width(c, w).map_err(x)?;
    }
    wb.save_to_buffer().map_err(x)
}
