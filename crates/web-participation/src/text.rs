//! The texts of the participation pages, in German and English: a typed table like
//! [`crate::i18n::Msgs`], so that a missing translation is a compile error; with the names of
//! states, kinds and events in both languages.

use sozialatlas_core::Locale;
use sozialatlas_participation::export;
use sozialatlas_participation::idea::Event;
use sozialatlas_participation::inbox::MessageKind;
use sozialatlas_participation::measure::Status;
use sozialatlas_participation::process::PhaseKind;
use sozialatlas_participation::{Conflict, GroupType, IdeaState};

/// Every fixed text of the participation pages, in one language.
#[derive(Debug)]
pub struct PMsgs {
    pub participation: &'static str,
    pub my_participation: &'static str,
    pub overview_lead: &'static str,
    pub no_processes: &'static str,
    pub back: &'static str,
    pub example_label: &'static str,
    pub example_text: &'static str,
    pub sign_in: &'static str,
    pub sign_in_hint: &'static str,
    pub sign_in_to_take_part: &'static str,
    pub current_phase: &'static str,
    pub no_phase: &'static str,
    pub action_areas_count: &'static str,
    pub ideas_count: &'static str,
    pub new_process: &'static str,
    pub edit_process: &'static str,
    pub bring_in_idea: &'static str,
    pub proposals_open_on: &'static str,
    pub phases: &'static str,
    pub phase: &'static str,
    pub now: &'static str,
    pub permits: &'static str,
    pub permits_nothing: &'static str,
    pub permit_propose: &'static str,
    pub permit_comment: &'static str,
    pub permit_support: &'static str,
    pub fields_title: &'static str,
    pub goals: &'static str,
    pub ideas_in_field: &'static str,
    pub action_areas: &'static str,
    pub action_area: &'static str,
    pub moderated_first: &'static str,
    pub published_directly: &'static str,
    pub exports: &'static str,
    pub exports_lead: &'static str,
    pub export_csv: &'static str,
    pub export_xlsx: &'static str,
    pub ideas_title: &'static str,
    pub filter_ideas: &'static str,
    pub search: &'static str,
    pub field: &'static str,
    pub state: &'static str,
    pub sort: &'static str,
    pub all_areas: &'static str,
    pub all_fields: &'static str,
    pub all_states: &'static str,
    pub sort_newest: &'static str,
    pub sort_supports: &'static str,
    pub sort_reference: &'static str,
    pub show_ideas: &'static str,
    pub found: &'static str,
    /// The count line of the idea list for exactly one idea.
    pub found_one: &'static str,
    pub page_of: &'static str,
    pub pages: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub no_ideas: &'static str,
    pub supports_label: &'static str,
    pub comments_label: &'static str,
    pub hidden_label: &'static str,
    pub collected_at_meeting: &'static str,
    pub internal_state: &'static str,
    pub draft_notice: &'static str,
    pub submitted_notice: &'static str,
    pub idea_hidden: &'static str,
    pub reason: &'static str,
    pub reason_optional: &'static str,
    pub merged_into: &'static str,
    pub official_answer: &'static str,
    pub published_on: &'static str,
    pub became_measures: &'static str,
    pub brought_in_by: &'static str,
    pub collected_by_staff: &'static str,
    pub location: &'static str,
    pub on_map: &'static str,
    pub cost_estimate: &'static str,
    pub support: &'static str,
    pub unsupport: &'static str,
    pub you_support: &'static str,
    pub edit_idea: &'static str,
    pub submit_idea: &'static str,
    pub withdraw_idea: &'static str,
    pub report: &'static str,
    pub report_idea: &'static str,
    pub report_reason: &'static str,
    pub report_note: &'static str,
    pub report_send: &'static str,
    pub reported_already: &'static str,
    pub reason_spam: &'static str,
    pub reason_offensive: &'static str,
    pub reason_off_topic: &'static str,
    pub reason_other: &'static str,
    pub to_review: &'static str,
    pub comments_title: &'static str,
    pub no_comments: &'static str,
    pub comments_closed: &'static str,
    pub comments_closed_idea: &'static str,
    pub comment_hidden: &'static str,
    pub edited: &'static str,
    pub edit: &'static str,
    pub reply: &'static str,
    pub your_reply: &'static str,
    pub send_reply: &'static str,
    pub your_comment: &'static str,
    pub comment_hint: &'static str,
    pub send_comment: &'static str,
    pub honeypot: &'static str,
    pub history: &'static str,
    pub party_author: &'static str,
    pub party_moderator: &'static str,
    pub party_manager: &'static str,
    pub party_reviewer: &'static str,
    pub party_system: &'static str,
    pub deleted_participant: &'static str,
    pub new_idea: &'static str,
    pub idea_title: &'static str,
    pub idea_title_hint: &'static str,
    pub idea_description: &'static str,
    pub idea_description_hint: &'static str,
    pub choose: &'static str,
    pub meeting_area: &'static str,
    pub on_behalf_of: &'static str,
    pub group_name: &'static str,
    pub group_name_hint: &'static str,
    pub location_optional: &'static str,
    pub location_hint: &'static str,
    pub place_map_title: &'static str,
    pub ideas_map: &'static str,
    pub ideas_map_hint: &'static str,
    pub place_map_other: &'static str,
    pub place_map_point: &'static str,
    pub place_map_hint: &'static str,
    pub place_label: &'static str,
    pub place_none: &'static str,
    pub coordinates: &'static str,
    pub latitude: &'static str,
    pub longitude: &'static str,
    pub cost_estimate_optional: &'static str,
    pub cost_hint: &'static str,
    pub edit_reason: &'static str,
    pub submit_hint_moderated: &'static str,
    pub submit_hint_direct: &'static str,
    pub save_draft: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub edit_comment: &'static str,
    pub editable_until: &'static str,
    pub inbox_title: &'static str,
    pub inbox_lead: &'static str,
    pub no_messages: &'static str,
    pub mark_read: &'static str,
    pub new_label: &'static str,
    pub my_ideas: &'static str,
    pub moderation_title: &'static str,
    pub moderation_lead: &'static str,
    pub waiting_for_publication: &'static str,
    pub nothing_waiting: &'static str,
    pub reported_items: &'static str,
    pub nothing_reported: &'static str,
    pub kind_idea: &'static str,
    pub kind_comment: &'static str,
    pub author: &'static str,
    pub publish: &'static str,
    pub hide: &'static str,
    pub unhide: &'static str,
    pub dismiss: &'static str,
    pub block_author: &'static str,
    pub block: &'static str,
    pub own_content_note: &'static str,
    pub review_title: &'static str,
    pub review_lead: &'static str,
    pub review_waiting: &'static str,
    pub review_running: &'static str,
    pub review_decided: &'static str,
    pub public_state: &'static str,
    pub public_page: &'static str,
    pub reviewer: &'static str,
    pub no_reviewer: &'static str,
    pub assign: &'static str,
    pub start_review: &'static str,
    pub decide: &'static str,
    pub decide_hint: &'static str,
    pub decision: &'static str,
    pub accept: &'static str,
    pub reject: &'static str,
    pub save_decision: &'static str,
    pub not_yet_published: &'static str,
    pub answer_text: &'static str,
    pub save_answer: &'static str,
    pub publish_answer: &'static str,
    pub reopen: &'static str,
    pub merge: &'static str,
    pub merge_into: &'static str,
    pub private_notes: &'static str,
    pub no_notes: &'static str,
    pub add_note: &'static str,
    pub save_note: &'static str,
    pub process_title: &'static str,
    pub description: &'static str,
    pub action_area_set: &'static str,
    pub action_area_set_hint: &'static str,
    pub no_sets: &'static str,
    pub reference_prefix: &'static str,
    pub reference_prefix_hint: &'static str,
    pub moderate_first: &'static str,
    pub hide_after_reports: &'static str,
    pub mark_as_example: &'static str,
    pub phases_hint: &'static str,
    pub phase_kind: &'static str,
    pub phase_title: &'static str,
    pub starts_on: &'static str,
    pub ends_on: &'static str,
    pub fields_hint: &'static str,
    pub field_title: &'static str,
    pub goals_one_per_line: &'static str,
    pub meetings_title: &'static str,
    pub meetings_lead: &'static str,
    pub no_meetings: &'static str,
    pub meeting: &'static str,
    pub date: &'static str,
    pub place: &'static str,
    pub attendees_label: &'static str,
    pub ideas_collected: &'static str,
    pub ideas_collected_here: &'static str,
    pub accessibility: &'static str,
    pub accessibility_hint: &'static str,
    pub minutes: &'static str,
    pub new_meeting: &'static str,
    pub edit_meeting: &'static str,
    pub enter_meeting_idea: &'static str,
    pub meeting_entry_hint: &'static str,
    pub meeting_title: &'static str,
    pub start_time: &'static str,
    pub end_time: &'static str,
    pub after_the_meeting: &'static str,
    pub measures_title: &'static str,
    pub measures_lead: &'static str,
    pub no_measures: &'static str,
    pub measure: &'static str,
    pub status: &'static str,
    pub progress: &'static str,
    pub budget: &'static str,
    pub office: &'static str,
    pub computed_from_parts: &'static str,
    pub rollup_rule: &'static str,
    pub city_wide: &'static str,
    pub part_of: &'static str,
    pub parts: &'static str,
    pub ideas_carried_out: &'static str,
    pub no_linked_ideas: &'static str,
    pub link_idea: &'static str,
    pub link: &'static str,
    pub unlink: &'static str,
    pub updates: &'static str,
    pub no_updates: &'static str,
    pub from_csv: &'static str,
    pub new_update: &'static str,
    pub update_text: &'static str,
    pub unchanged: &'static str,
    pub save_update: &'static str,
    pub new_measure: &'static str,
    pub edit_measure: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub measure_title: &'static str,
    pub no_parent: &'static str,
    pub no_field: &'static str,
    pub upload_title: &'static str,
    pub upload_lead: &'static str,
    pub upload_template: &'static str,
    pub upload_columns: &'static str,
    pub column: &'static str,
    pub meaning: &'static str,
    pub col_code: &'static str,
    pub col_progress: &'static str,
    pub col_status: &'static str,
    pub col_date: &'static str,
    pub col_note: &'static str,
    pub upload_file: &'static str,
    pub upload_button: &'static str,
    pub upload_failed: &'static str,
    pub upload_done: &'static str,
    pub upload_missing: &'static str,
    pub upload_too_large: &'static str,
    pub upload_unreadable: &'static str,
    pub area_lead: &'static str,
    pub processes_here: &'static str,
    pub why_action_area: &'static str,
    pub members_are: &'static str,
    pub indicators_caption: &'static str,
    pub indicator: &'static str,
    pub not_in_atlas: &'static str,
    pub all_ideas_of_area: &'static str,
    pub refused_title: &'static str,
    pub denied_own: &'static str,
    pub denied_not_author: &'static str,
    pub denied_blocked: &'static str,
    pub denied_role: &'static str,
    pub phase_closed_title: &'static str,
    pub phase_closed_propose: &'static str,
    pub phase_closed_comment: &'static str,
    pub phase_closed_support: &'static str,
    pub transition_refused: &'static str,
    pub rate_limited_title: &'static str,
    pub rate_limited: &'static str,
    pub invalid_title: &'static str,
    pub p_required: &'static str,
    pub p_required_named: &'static str,
    pub p_too_short: &'static str,
    pub p_too_long: &'static str,
    pub p_unknown: &'static str,
    pub p_not_a_number: &'static str,
    pub p_range: &'static str,
    pub p_exactly: &'static str,
    pub p_not_a_date: &'static str,
    pub p_not_a_time: &'static str,
    pub p_outside_area: &'static str,
    pub p_incomplete: &'static str,
    pub p_end_before_start: &'static str,
    pub p_overlap: &'static str,
    pub p_in_use: &'static str,
    pub p_duplicate: &'static str,
}

/// German texts.
pub static DE: PMsgs = PMsgs {
    participation: "Beteiligung",
    my_participation: "Meine Beteiligung",
    overview_lead: "Bringen Sie Ihre Ideen für die Aktionsräume ein: Projektideen vorschlagen, kommentieren und unterstützen, zu den Aktionsraumgesprächen kommen und verfolgen, was aus jeder Idee geworden ist.",
    no_processes: "Zurzeit gibt es kein Beteiligungsverfahren.",
    back: "Zurück",
    example_label: "Beispielinhalt",
    example_text: "Dieses Verfahren, seine Ideen, Treffen und Maßnahmen sind erfundene Beispiele, um die Beteiligung vorzuführen. Die Indikatoren stammen aus echten Daten.",
    sign_in: "Anmelden",
    sign_in_hint: "Um Ideen einzubringen, zu kommentieren und zu unterstützen, melden Sie sich an oder registrieren sich.",
    sign_in_to_take_part: "um zu unterstützen, zu kommentieren oder zu melden.",
    current_phase: "Aktuelle Phase",
    no_phase: "keine (außerhalb der Phasen)",
    action_areas_count: "Aktionsräume",
    ideas_count: "Ideen",
    new_process: "Neues Verfahren",
    edit_process: "Verfahren bearbeiten",
    bring_in_idea: "Idee einbringen",
    proposals_open_on: "Ideen können ab diesem Tag eingebracht werden:",
    phases: "Phasen",
    phase: "Phase",
    now: "jetzt",
    permits: "In dieser Phase möglich",
    permits_nothing: "In dieser Phase sind keine Beiträge möglich.",
    permit_propose: "Ideen einbringen",
    permit_comment: "kommentieren",
    permit_support: "unterstützen",
    fields_title: "Handlungsfelder",
    goals: "Ziele",
    ideas_in_field: "Ideen in diesem Handlungsfeld",
    action_areas: "Aktionsräume",
    action_area: "Aktionsraum",
    moderated_first: "Eingereichte Ideen werden vor der Veröffentlichung von der Moderation geprüft.",
    published_directly: "Eingereichte Ideen werden sofort veröffentlicht.",
    exports: "Export für den Rat",
    exports_lead: "Alle veröffentlichten Ideen mit Stand, Antwort der Verwaltung, Unterstützungen, Aktionsraum und Handlungsfeld – ohne persönliche Daten.",
    export_csv: "CSV herunterladen",
    export_xlsx: "Excel (XLSX) herunterladen",
    ideas_title: "Projektideen",
    filter_ideas: "Ideen filtern und suchen",
    search: "Suche (Titel, Text oder Kennziffer)",
    field: "Handlungsfeld",
    state: "Stand",
    sort: "Sortierung",
    all_areas: "Alle Aktionsräume",
    all_fields: "Alle Handlungsfelder",
    all_states: "Alle",
    sort_newest: "Neueste zuerst",
    sort_supports: "Meiste Unterstützungen",
    sort_reference: "Nach Kennziffer",
    show_ideas: "Ideen anzeigen",
    found: "{n} Ideen gefunden.",
    found_one: "1 Idee gefunden.",
    page_of: "Seite {n} von {m}",
    pages: "Seiten",
    previous: "Zurück",
    next: "Weiter",
    no_ideas: "Keine Ideen.",
    supports_label: "Unterstützungen",
    comments_label: "Kommentare",
    hidden_label: "ausgeblendet",
    collected_at_meeting: "Gesammelt beim Aktionsraumgespräch",
    internal_state: "(intern: {state})",
    draft_notice: "Dies ist ein Entwurf. Nur Sie sehen ihn, bis Sie ihn einreichen.",
    submitted_notice: "Eingereicht: Die Moderation prüft die Idee vor der Veröffentlichung.",
    idea_hidden: "Diese Idee wurde von der Moderation ausgeblendet.",
    reason: "Begründung",
    reason_optional: "Begründung (freiwillig)",
    merged_into: "Zusammengeführt mit",
    official_answer: "Antwort der Verwaltung",
    published_on: "Veröffentlicht am",
    became_measures: "Umgesetzt in den Maßnahmen",
    brought_in_by: "Eingebracht von",
    collected_by_staff: "Von der Verwaltung für die Teilnehmenden eingetragen",
    location: "Ort",
    on_map: "auf der Karte",
    cost_estimate: "Geschätzte Kosten",
    support: "Idee unterstützen",
    unsupport: "Unterstützung zurücknehmen",
    you_support: "Sie unterstützen diese Idee.",
    edit_idea: "Idee bearbeiten",
    submit_idea: "Idee einreichen",
    withdraw_idea: "Idee zurückziehen",
    report: "Melden",
    report_idea: "Idee melden",
    report_reason: "Grund",
    report_note: "Hinweis (freiwillig)",
    report_send: "Meldung senden",
    reported_already: "Sie haben dies gemeldet.",
    reason_spam: "Spam oder Werbung",
    reason_offensive: "Beleidigend oder rechtswidrig",
    reason_off_topic: "Gehört nicht zum Thema",
    reason_other: "Anderer Grund",
    to_review: "Zur Prüfung dieser Idee",
    comments_title: "Kommentare",
    no_comments: "Noch keine Kommentare.",
    comments_closed: "In der aktuellen Phase kann nicht kommentiert werden.",
    comments_closed_idea: "Diese Idee nimmt keine Kommentare mehr an.",
    comment_hidden: "Dieser Beitrag wurde von der Moderation ausgeblendet.",
    edited: "bearbeitet",
    edit: "Bearbeiten",
    reply: "Antworten",
    your_reply: "Ihre Antwort",
    send_reply: "Antwort senden",
    your_comment: "Ihr Kommentar",
    comment_hint: "Höchstens 2000 Zeichen. Sie können ihn 15 Minuten lang bearbeiten.",
    send_comment: "Kommentar senden",
    honeypot: "Bitte leer lassen",
    history: "Verlauf",
    party_author: "Autorin/Autor",
    party_moderator: "Moderation",
    party_manager: "Prozessleitung",
    party_reviewer: "Fachprüfung",
    party_system: "automatisch",
    deleted_participant: "gelöschte Person",
    new_idea: "Neue Projektidee",
    idea_title: "Titel",
    idea_title_hint: "Kurz und genau, 5 bis 150 Zeichen.",
    idea_description: "Beschreibung",
    idea_description_hint: "Was soll geschehen, für wen, und warum hier? 20 bis 5000 Zeichen.",
    choose: "Bitte wählen",
    meeting_area: "Aktionsraum des Treffens",
    on_behalf_of: "Sie bringen die Idee ein als",
    group_name: "Name der Gruppe (freiwillig)",
    group_name_hint: "Zum Beispiel der Verein oder die Gemeinde. Nennen Sie hier keine Personen.",
    location_optional: "Ort (freiwillig)",
    location_hint: "Wo soll die Idee umgesetzt werden? Wählen Sie ein Gebiet oder klicken Sie auf die Karte.",
    place_map_title: "Karte: Ort der Idee",
    ideas_map: "Ideen mit Ort",
    ideas_map_hint: "Jeder rote Punkt ist eine Idee mit Ort; er führt zur Idee.",
    place_map_other: "andere Gebiete",
    place_map_point: "Ort der Idee",
    place_map_hint: "Klicken oder tippen Sie in einen blauen Aktionsraum, um den Ort der Idee zu setzen.",
    place_label: "Gebiet",
    place_none: "– kein Ort –",
    coordinates: "Genauer Ort in Grad (WGS84), z. B. 54,8104 und 9,4183",
    latitude: "Breitengrad",
    longitude: "Längengrad",
    cost_estimate_optional: "Geschätzte Kosten in Euro (freiwillig)",
    cost_hint: "Ganze Euro, z. B. 12.500.",
    edit_reason: "Grund der Änderung",
    submit_hint_moderated: "Nach dem Einreichen prüft die Moderation Ihre Idee und veröffentlicht sie. Als Entwurf gespeichert sehen nur Sie sie.",
    submit_hint_direct: "Nach dem Einreichen ist Ihre Idee sofort öffentlich. Als Entwurf gespeichert sehen nur Sie sie.",
    save_draft: "Als Entwurf speichern",
    save: "Speichern",
    cancel: "Abbrechen",
    edit_comment: "Kommentar bearbeiten",
    editable_until: "Bearbeiten möglich bis",
    inbox_title: "Benachrichtigungen",
    inbox_lead: "Was mit Ihren Ideen und Kommentaren geschehen ist.",
    no_messages: "Keine Benachrichtigungen.",
    mark_read: "Alle als gelesen markieren",
    new_label: "neu",
    my_ideas: "Meine Ideen",
    moderation_title: "Moderation",
    moderation_lead: "Eingereichte Ideen freigeben, gemeldete Beiträge prüfen. Beiträge werden ausgeblendet, nie gelöscht; jede Handlung steht im Protokoll.",
    waiting_for_publication: "Warten auf Veröffentlichung",
    nothing_waiting: "Keine eingereichten Ideen.",
    reported_items: "Gemeldete Beiträge",
    nothing_reported: "Keine offenen Meldungen.",
    kind_idea: "Idee",
    kind_comment: "Kommentar",
    author: "Verfasst von",
    publish: "Veröffentlichen",
    hide: "Ausblenden",
    unhide: "Wieder einblenden",
    dismiss: "Meldungen zurückweisen",
    block_author: "Konto sperren",
    block: "Sperren",
    own_content_note: "Eigener Beitrag: Niemand moderiert oder entscheidet über eigene Beiträge.",
    review_title: "Prüfung",
    review_lead: "Ideen prüfen, entscheiden und die Antwort der Verwaltung veröffentlichen. Die Entscheidung wird erst mit der Antwort öffentlich.",
    review_waiting: "Veröffentlicht, Prüfung noch nicht begonnen",
    review_running: "In Prüfung",
    review_decided: "Entschieden, Antwort noch nicht veröffentlicht",
    public_state: "öffentlich",
    public_page: "Öffentliche Seite der Idee",
    reviewer: "Fachprüfung durch",
    no_reviewer: "niemand zugewiesen",
    assign: "Zuweisen",
    start_review: "Prüfung beginnen",
    decide: "Entscheiden",
    decide_hint: "Annahme und Ablehnung brauchen eine Antwort der Verwaltung. Sie wird gespeichert und erst veröffentlicht, wenn die Prozessleitung sie freigibt.",
    decision: "Entscheidung",
    accept: "In den Aktionsplan aufnehmen",
    reject: "Ablehnen",
    save_decision: "Entscheidung und Antwort speichern",
    not_yet_published: "noch nicht veröffentlicht",
    answer_text: "Text der Antwort",
    save_answer: "Antwort speichern",
    publish_answer: "Antwort veröffentlichen",
    reopen: "Entscheidung zurücknehmen",
    merge: "Zusammenführen",
    merge_into: "Mit der Idee (Kennziffer)",
    private_notes: "Interne Notizen",
    no_notes: "Keine Notizen.",
    add_note: "Notiz hinzufügen",
    save_note: "Notiz speichern",
    process_title: "Titel des Verfahrens",
    description: "Beschreibung",
    action_area_set: "Aktionsräume",
    action_area_set_hint: "Die Gebietskulisse, für die das Verfahren gilt (aus der Typologie oder importiert).",
    no_sets: "Es gibt noch keine Aktionsräume. Legen Sie sie in der Analyse aus einem Typologie-Vorschlag oder einem Overlay an.",
    reference_prefix: "Kürzel der Kennziffern",
    reference_prefix_hint: "Großbuchstaben oder Ziffern, z. B. AP für AP-2026-0001.",
    moderate_first: "Ideen vor der Veröffentlichung moderieren",
    hide_after_reports: "Nach so vielen Meldungen automatisch ausblenden",
    mark_as_example: "Als Beispielinhalt kennzeichnen",
    phases_hint: "Leere Zeilen werden nicht gespeichert. Phasen dürfen sich nicht überschneiden.",
    phase_kind: "Art",
    phase_title: "Titel (freiwillig)",
    starts_on: "Beginn",
    ends_on: "Ende",
    fields_hint: "Mindestens ein Handlungsfeld. Ein Feld ohne Titel wird entfernt, solange keine Idee es nutzt.",
    field_title: "Titel",
    goals_one_per_line: "Ziele (eines pro Zeile)",
    meetings_title: "Aktionsraumgespräche",
    meetings_lead: "In den Aktionsraumgesprächen sammeln wir vor Ort Ideen. Sie zählen genauso wie die online eingebrachten.",
    no_meetings: "Keine Treffen.",
    meeting: "Treffen",
    date: "Datum",
    place: "Ort",
    attendees_label: "Teilnehmende",
    ideas_collected: "gesammelte Ideen",
    ideas_collected_here: "Hier gesammelte Ideen",
    accessibility: "Barrierefreiheit",
    accessibility_hint: "Zugang, Hörhilfen, Gebärdensprache, Kinderbetreuung, Anfahrt.",
    minutes: "Protokoll",
    new_meeting: "Neues Treffen",
    edit_meeting: "Treffen bearbeiten",
    enter_meeting_idea: "Gesammelte Idee eintragen",
    meeting_entry_hint: "Sie tragen eine beim Treffen gesammelte Idee für die Teilnehmenden ein. Sie wird sofort veröffentlicht und als „gesammelt beim Aktionsraumgespräch“ gekennzeichnet.",
    meeting_title: "Titel",
    start_time: "Beginn (Uhrzeit)",
    end_time: "Ende (Uhrzeit, freiwillig)",
    after_the_meeting: "Nach dem Treffen",
    measures_title: "Maßnahmen",
    measures_lead: "Was aus den angenommenen Ideen geworden ist: Stand, Fortschritt, Budget und zuständige Stelle jeder Maßnahme.",
    no_measures: "Keine Maßnahmen.",
    measure: "Maßnahme",
    status: "Status",
    progress: "Fortschritt",
    budget: "Budget",
    office: "Zuständige Stelle",
    computed_from_parts: "aus den Teilmaßnahmen berechnet",
    rollup_rule: "Der Fortschritt einer Maßnahme mit Teilmaßnahmen ist das nach Budget gewichtete Mittel der Teilmaßnahmen (das einfache Mittel, wenn ein Budget fehlt); eingestellte Teilmaßnahmen zählen nicht.",
    city_wide: "stadtweit",
    part_of: "Teil von",
    parts: "Teilmaßnahmen",
    ideas_carried_out: "Umgesetzte Ideen",
    no_linked_ideas: "Keine verknüpften Ideen.",
    link_idea: "Angenommene Idee verknüpfen (Kennziffer)",
    link: "Verknüpfen",
    unlink: "Verknüpfung lösen",
    updates: "Meldungen zum Stand",
    no_updates: "Noch keine Meldungen.",
    from_csv: "aus Sammelaktualisierung",
    new_update: "Neue Meldung",
    update_text: "Was ist geschehen?",
    unchanged: "unverändert",
    save_update: "Meldung speichern",
    new_measure: "Neue Maßnahme",
    edit_measure: "Maßnahme bearbeiten",
    code: "Kennung",
    code_hint: "Eindeutig im Verfahren, z. B. M-03; wird in der Sammelaktualisierung verwendet.",
    measure_title: "Titel",
    no_parent: "keine (Hauptmaßnahme)",
    no_field: "keines",
    upload_title: "Fortschritt aus CSV aktualisieren",
    upload_lead: "Laden Sie eine CSV- oder XLSX-Datei mit einer Zeile je Maßnahme hoch. Jede Zeile wird geprüft; nur wenn alle stimmen, wird alles übernommen, sonst nichts.",
    upload_template: "Vorlage mit den aktuellen Werten herunterladen",
    upload_columns: "Spalten",
    column: "Spalte",
    meaning: "Bedeutung",
    col_code: "Kennung der Maßnahme (Pflicht)",
    col_progress: "Fortschritt in Prozent, 0 bis 100 (nicht für Maßnahmen mit Teilmaßnahmen)",
    col_status: "geplant, begonnen, abgeschlossen oder eingestellt (oder planned, started, done, stopped)",
    col_date: "Datum der Meldung, TT.MM.JJJJ oder JJJJ-MM-TT, nicht in der Zukunft (Pflicht)",
    col_note: "Text der Meldung (freiwillig)",
    upload_file: "Datei (CSV oder XLSX)",
    upload_button: "Prüfen und übernehmen",
    upload_failed: "Nichts übernommen – die Datei hat Fehler",
    upload_done: "{n} Maßnahmen aktualisiert.",
    upload_missing: "Bitte wählen Sie eine Datei.",
    upload_too_large: "Die Datei ist zu groß (höchstens 5 MB).",
    upload_unreadable: "Die Datei konnte nicht gelesen werden.",
    area_lead: "Warum dies ein Aktionsraum ist – seine Indikatoren aus dem Atlas – und was hier geschieht: Ideen, Treffen und Maßnahmen.",
    processes_here: "Beteiligung hier",
    why_action_area: "Die Lage im Aktionsraum",
    members_are: "Gebiete",
    indicators_caption: "Indikatoren der Gebiete des Aktionsraums im jeweils letzten Jahr mit Daten, mit dem Wert der Stadt",
    indicator: "Indikator",
    not_in_atlas: "Die Gebiete dieses Aktionsraums sind im aktuellen Atlas nicht enthalten.",
    all_ideas_of_area: "Alle Ideen dieses Aktionsraums",
    refused_title: "Nicht möglich",
    denied_own: "Eigene Beiträge moderiert oder entscheidet niemand selbst.",
    denied_not_author: "Das kann nur die Person, die die Idee oder den Kommentar verfasst hat.",
    denied_blocked: "Ihr Konto ist gesperrt.",
    denied_role: "Dafür fehlt Ihnen die Berechtigung.",
    phase_closed_title: "In dieser Phase nicht möglich",
    phase_closed_propose: "In der aktuellen Phase des Verfahrens können keine Ideen eingebracht oder bearbeitet werden.",
    phase_closed_comment: "In der aktuellen Phase des Verfahrens kann nicht kommentiert werden.",
    phase_closed_support: "In der aktuellen Phase des Verfahrens können Ideen nicht unterstützt werden (und Unterstützungen nicht zurückgenommen).",
    transition_refused: "Eine Idee im Stand „{from}“ kann nicht in den Stand „{to}“ wechseln.",
    rate_limited_title: "Zu viele Beiträge",
    rate_limited: "Sie haben in kurzer Zeit viele Beiträge geschrieben (höchstens {limit} in {minutes} Minuten). Bitte warten Sie etwas.",
    invalid_title: "Angaben unvollständig",
    p_required: "Bitte ausfüllen.",
    p_required_named: "Bitte „{field}“ ausfüllen.",
    p_too_short: "Bitte mindestens {n} Zeichen.",
    p_too_long: "Bitte höchstens {n} Zeichen.",
    p_unknown: "„{v}“ ist keine der möglichen Angaben.",
    p_not_a_number: "„{v}“ ist keine Zahl.",
    p_range: "Bitte eine Zahl von {min} bis {max}.",
    p_exactly: "Hier muss {n} stehen.",
    p_not_a_date: "„{v}“ ist kein gültiges Datum (TT.MM.JJJJ).",
    p_not_a_time: "„{v}“ ist keine Uhrzeit (SS:MM).",
    p_outside_area: "Der Punkt liegt nicht im gewählten Aktionsraum.",
    p_incomplete: "Bitte Breiten- und Längengrad angeben (oder keinen).",
    p_end_before_start: "Das Ende liegt vor dem Beginn.",
    p_overlap: "Diese Phase überschneidet sich mit einer anderen.",
    p_in_use: "Wird bereits verwendet und kann nicht geändert werden.",
    p_duplicate: "„{v}“ gibt es schon.",
};

/// English texts.
pub static EN: PMsgs = PMsgs {
    participation: "Participation",
    my_participation: "My participation",
    overview_lead: "Bring in your ideas for the action areas: propose, comment on and support project ideas, come to the area meetings and follow what became of each idea.",
    no_processes: "There is no participation process at the moment.",
    back: "Back",
    example_label: "Example content",
    example_text: "This process, its ideas, meetings and measures are made-up examples that demonstrate participation. The indicators are real data.",
    sign_in: "Sign in",
    sign_in_hint: "To bring in, comment on and support ideas, sign in or register.",
    sign_in_to_take_part: "to support, comment or report.",
    current_phase: "Current phase",
    no_phase: "none (outside the phases)",
    action_areas_count: "action areas",
    ideas_count: "ideas",
    new_process: "New process",
    edit_process: "Edit process",
    bring_in_idea: "Bring in an idea",
    proposals_open_on: "Ideas can be brought in from",
    phases: "Phases",
    phase: "Phase",
    now: "now",
    permits: "Open in this phase",
    permits_nothing: "No contributions in this phase.",
    permit_propose: "propose ideas",
    permit_comment: "comment",
    permit_support: "support",
    fields_title: "Fields of action",
    goals: "Goals",
    ideas_in_field: "Ideas in this field",
    action_areas: "Action areas",
    action_area: "Action area",
    moderated_first: "Submitted ideas are checked by the moderators before they are published.",
    published_directly: "Submitted ideas are published at once.",
    exports: "Export for the council",
    exports_lead: "All published ideas with state, official answer, supports, action area and field of action – without personal data.",
    export_csv: "Download CSV",
    export_xlsx: "Download Excel (XLSX)",
    ideas_title: "Project ideas",
    filter_ideas: "Filter and search ideas",
    search: "Search (title, text or reference)",
    field: "Field of action",
    state: "State",
    sort: "Sort",
    all_areas: "All action areas",
    all_fields: "All fields",
    all_states: "All",
    sort_newest: "Newest first",
    sort_supports: "Most supported",
    sort_reference: "By reference",
    show_ideas: "Show ideas",
    found: "{n} ideas found.",
    found_one: "1 idea found.",
    page_of: "Page {n} of {m}",
    pages: "Pages",
    previous: "Previous",
    next: "Next",
    no_ideas: "No ideas.",
    supports_label: "supports",
    comments_label: "comments",
    hidden_label: "hidden",
    collected_at_meeting: "Collected at the area meeting",
    internal_state: "(internal: {state})",
    draft_notice: "This is a draft. Only you see it until you submit it.",
    submitted_notice: "Submitted: the moderators check the idea before it is published.",
    idea_hidden: "This idea was hidden by the moderators.",
    reason: "Reason",
    reason_optional: "Reason (optional)",
    merged_into: "Merged into",
    official_answer: "Official answer",
    published_on: "Published on",
    became_measures: "Carried out by the measures",
    brought_in_by: "Brought in by",
    collected_by_staff: "Entered by staff for the attendees",
    location: "Location",
    on_map: "on the map",
    cost_estimate: "Cost estimate",
    support: "Support this idea",
    unsupport: "Withdraw my support",
    you_support: "You support this idea.",
    edit_idea: "Edit idea",
    submit_idea: "Submit idea",
    withdraw_idea: "Withdraw idea",
    report: "Report",
    report_idea: "Report this idea",
    report_reason: "Reason",
    report_note: "Note (optional)",
    report_send: "Send report",
    reported_already: "You have reported this.",
    reason_spam: "Spam or advertising",
    reason_offensive: "Offensive or unlawful",
    reason_off_topic: "Off topic",
    reason_other: "Other reason",
    to_review: "Review this idea",
    comments_title: "Comments",
    no_comments: "No comments yet.",
    comments_closed: "Commenting is closed in the current phase.",
    comments_closed_idea: "This idea takes no more comments.",
    comment_hidden: "This comment was hidden by the moderators.",
    edited: "edited",
    edit: "Edit",
    reply: "Reply",
    your_reply: "Your reply",
    send_reply: "Send reply",
    your_comment: "Your comment",
    comment_hint: "At most 2000 characters. You can edit it for 15 minutes.",
    send_comment: "Send comment",
    honeypot: "Leave this empty",
    history: "History",
    party_author: "author",
    party_moderator: "moderation",
    party_manager: "process management",
    party_reviewer: "reviewer",
    party_system: "automatic",
    deleted_participant: "deleted participant",
    new_idea: "New project idea",
    idea_title: "Title",
    idea_title_hint: "Short and precise, 5 to 150 characters.",
    idea_description: "Description",
    idea_description_hint: "What should happen, for whom, and why here? 20 to 5000 characters.",
    choose: "Please choose",
    meeting_area: "The meeting's action area",
    on_behalf_of: "You bring in the idea as",
    group_name: "Name of the group (optional)",
    group_name_hint: "For example the association or parish. Do not name people here.",
    location_optional: "Location (optional)",
    location_hint: "Where should the idea happen? Choose an area or click on the map.",
    place_map_title: "Map: where the idea is",
    ideas_map: "Ideas with a place",
    ideas_map_hint: "Each red dot is an idea with a place; it leads to the idea.",
    place_map_other: "other areas",
    place_map_point: "Where the idea is",
    place_map_hint: "Click or tap in a blue action area to set where the idea is.",
    place_label: "Area",
    place_none: "– no place –",
    coordinates: "Exact place in degrees (WGS84), e.g. 54.8104 and 9.4183",
    latitude: "Latitude",
    longitude: "Longitude",
    cost_estimate_optional: "Estimated cost in euros (optional)",
    cost_hint: "Whole euros, e.g. 12,500.",
    edit_reason: "Reason for the change",
    submit_hint_moderated: "After you submit it, the moderators check your idea and publish it. Saved as a draft, only you see it.",
    submit_hint_direct: "After you submit it, your idea is public at once. Saved as a draft, only you see it.",
    save_draft: "Save as draft",
    save: "Save",
    cancel: "Cancel",
    edit_comment: "Edit comment",
    editable_until: "Editable until",
    inbox_title: "Notifications",
    inbox_lead: "What happened to your ideas and comments.",
    no_messages: "No notifications.",
    mark_read: "Mark all as read",
    new_label: "new",
    my_ideas: "My ideas",
    moderation_title: "Moderation",
    moderation_lead: "Publish submitted ideas, check reported contributions. Contributions are hidden, never deleted; every action is logged.",
    waiting_for_publication: "Waiting for publication",
    nothing_waiting: "No submitted ideas.",
    reported_items: "Reported contributions",
    nothing_reported: "No open reports.",
    kind_idea: "Idea",
    kind_comment: "Comment",
    author: "Written by",
    publish: "Publish",
    hide: "Hide",
    unhide: "Show again",
    dismiss: "Dismiss reports",
    block_author: "Block account",
    block: "Block",
    own_content_note: "Your own contribution: nobody moderates or decides on their own contributions.",
    review_title: "Review",
    review_lead: "Review ideas, decide, and publish the official answer. The decision becomes public only with its answer.",
    review_waiting: "Published, review not started",
    review_running: "Under review",
    review_decided: "Decided, answer not yet published",
    public_state: "public",
    public_page: "Public page of the idea",
    reviewer: "Reviewer",
    no_reviewer: "nobody assigned",
    assign: "Assign",
    start_review: "Start review",
    decide: "Decide",
    decide_hint: "Accepting and rejecting need an official answer. It is saved and published only when a process manager releases it.",
    decision: "Decision",
    accept: "Accept into the action plan",
    reject: "Reject",
    save_decision: "Save decision and answer",
    not_yet_published: "not yet published",
    answer_text: "Text of the answer",
    save_answer: "Save answer",
    publish_answer: "Publish answer",
    reopen: "Take the decision back",
    merge: "Merge",
    merge_into: "Into the idea (reference)",
    private_notes: "Private notes",
    no_notes: "No notes.",
    add_note: "Add a note",
    save_note: "Save note",
    process_title: "Title of the process",
    description: "Description",
    action_area_set: "Action areas",
    action_area_set_hint: "The set of action areas the process covers (from the typology or imported).",
    no_sets: "There are no action areas yet. Create them in the analysis from a typology proposal or an overlay.",
    reference_prefix: "Prefix of the references",
    reference_prefix_hint: "Capital letters or digits, e.g. AP for AP-2026-0001.",
    moderate_first: "Moderate ideas before they are published",
    hide_after_reports: "Hide automatically after this many reports",
    mark_as_example: "Mark as example content",
    phases_hint: "Empty rows are not saved. Phases must not overlap.",
    phase_kind: "Kind",
    phase_title: "Title (optional)",
    starts_on: "Start",
    ends_on: "End",
    fields_hint: "At least one field. A field without a title is removed as long as no idea uses it.",
    field_title: "Title",
    goals_one_per_line: "Goals (one per line)",
    meetings_title: "Area meetings",
    meetings_lead: "At the area meetings we collect ideas in person. They count as much as those brought in online.",
    no_meetings: "No meetings.",
    meeting: "Meeting",
    date: "Date",
    place: "Place",
    attendees_label: "attendees",
    ideas_collected: "ideas collected",
    ideas_collected_here: "Ideas collected here",
    accessibility: "Accessibility",
    accessibility_hint: "Access, hearing aids, sign language, childcare, how to get there.",
    minutes: "Minutes",
    new_meeting: "New meeting",
    edit_meeting: "Edit meeting",
    enter_meeting_idea: "Enter a collected idea",
    meeting_entry_hint: "You enter an idea collected at the meeting on the attendees' behalf. It is published at once and marked as collected at the area meeting.",
    meeting_title: "Title",
    start_time: "Start (time)",
    end_time: "End (time, optional)",
    after_the_meeting: "After the meeting",
    measures_title: "Measures",
    measures_lead: "What became of the accepted ideas: state, progress, budget and responsible office of each measure.",
    no_measures: "No measures.",
    measure: "Measure",
    status: "Status",
    progress: "Progress",
    budget: "Budget",
    office: "Responsible office",
    computed_from_parts: "computed from its parts",
    rollup_rule: "The progress of a measure with parts is the budget-weighted mean of its parts (the plain mean when a budget is missing); stopped parts do not count.",
    city_wide: "city-wide",
    part_of: "Part of",
    parts: "Parts",
    ideas_carried_out: "Ideas carried out",
    no_linked_ideas: "No linked ideas.",
    link_idea: "Link an accepted idea (reference)",
    link: "Link",
    unlink: "Unlink",
    updates: "Updates",
    no_updates: "No updates yet.",
    from_csv: "from a bulk update",
    new_update: "New update",
    update_text: "What happened?",
    unchanged: "unchanged",
    save_update: "Save update",
    new_measure: "New measure",
    edit_measure: "Edit measure",
    code: "Code",
    code_hint: "Unique in the process, e.g. M-03; used in the bulk update.",
    measure_title: "Title",
    no_parent: "none (top-level measure)",
    no_field: "none",
    upload_title: "Update progress from CSV",
    upload_lead: "Upload a CSV or XLSX file with one row per measure. Every row is checked; only if all are right is everything taken over, otherwise nothing.",
    upload_template: "Download a template with the current values",
    upload_columns: "Columns",
    column: "Column",
    meaning: "Meaning",
    col_code: "The measure's code (required)",
    col_progress: "Progress in percent, 0 to 100 (not for measures with parts)",
    col_status: "planned, started, done or stopped (or the German words)",
    col_date: "Date of the update, YYYY-MM-DD or DD.MM.YYYY, not in the future (required)",
    col_note: "Text of the update (optional)",
    upload_file: "File (CSV or XLSX)",
    upload_button: "Check and apply",
    upload_failed: "Nothing applied – the file has errors",
    upload_done: "{n} measures updated.",
    upload_missing: "Please choose a file.",
    upload_too_large: "The file is too large (at most 5 MB).",
    upload_unreadable: "The file could not be read.",
    area_lead: "Why this is an action area – its indicators from the atlas – and what is done here: ideas, meetings and measures.",
    processes_here: "Participation here",
    why_action_area: "The situation in the action area",
    members_are: "Areas",
    indicators_caption: "Indicators of the action area's areas in the latest year with data, with the city's value",
    indicator: "Indicator",
    not_in_atlas: "The areas of this action area are not in the current atlas.",
    all_ideas_of_area: "All ideas of this action area",
    refused_title: "Not possible",
    denied_own: "Nobody moderates or decides on their own contributions.",
    denied_not_author: "Only the person who wrote the idea or comment can do that.",
    denied_blocked: "Your account is blocked.",
    denied_role: "You do not have the permission for this.",
    phase_closed_title: "Not possible in this phase",
    phase_closed_propose: "Ideas cannot be brought in or edited in the current phase of the process.",
    phase_closed_comment: "Commenting is not possible in the current phase of the process.",
    phase_closed_support: "Ideas cannot be supported (nor supports withdrawn) in the current phase of the process.",
    transition_refused: "An idea in the state “{from}” cannot change to “{to}”.",
    rate_limited_title: "Too many contributions",
    rate_limited: "You wrote many contributions in a short time (at most {limit} in {minutes} minutes). Please wait a while.",
    invalid_title: "Incomplete entries",
    p_required: "Please fill this in.",
    p_required_named: "Please fill in “{field}”.",
    p_too_short: "Please at least {n} characters.",
    p_too_long: "Please at most {n} characters.",
    p_unknown: "“{v}” is not one of the possible values.",
    p_not_a_number: "“{v}” is not a number.",
    p_range: "Please a number from {min} to {max}.",
    p_exactly: "This must be {n}.",
    p_not_a_date: "“{v}” is not a valid date (YYYY-MM-DD).",
    p_not_a_time: "“{v}” is not a time (HH:MM).",
    p_outside_area: "The point is not in the chosen action area.",
    p_incomplete: "Please give both latitude and longitude (or neither).",
    p_end_before_start: "The end is before the start.",
    p_overlap: "This phase overlaps another one.",
    p_in_use: "Already in use and cannot be changed.",
    p_duplicate: "“{v}” exists already.",
};

/// The texts in a language.
pub fn pmsgs(locale: Locale) -> &'static PMsgs {
    match locale {
        Locale::De => &DE,
        Locale::En => &EN,
    }
}

/// An idea state's name (the same words as the exports).
pub fn state_label(s: IdeaState, locale: Locale) -> &'static str {
    export::state_label(s, locale)
}

/// A group type's name.
pub fn group_label(g: Option<GroupType>, locale: Locale) -> &'static str {
    export::group_label(g, locale)
}

/// A phase kind's name.
pub fn phase_kind_label(k: PhaseKind, locale: Locale) -> &'static str {
    match (k, locale) {
        (PhaseKind::Information, Locale::De) => "Information",
        (PhaseKind::Information, Locale::En) => "Information",
        (PhaseKind::Meetings, Locale::De) => "Aktionsraumgespräche",
        (PhaseKind::Meetings, Locale::En) => "Area meetings",
        (PhaseKind::Proposals, Locale::De) => "Ideen einbringen",
        (PhaseKind::Proposals, Locale::En) => "Proposals",
        (PhaseKind::Review, Locale::De) => "Prüfung",
        (PhaseKind::Review, Locale::En) => "Review",
        (PhaseKind::Decision, Locale::De) => "Entscheidung",
        (PhaseKind::Decision, Locale::En) => "Decision",
        (PhaseKind::Implementation, Locale::De) => "Umsetzung",
        (PhaseKind::Implementation, Locale::En) => "Implementation",
    }
}

/// A measure status's name.
pub fn status_label(s: Status, locale: Locale) -> &'static str {
    match (s, locale) {
        (Status::Planned, Locale::De) => "geplant",
        (Status::Planned, Locale::En) => "planned",
        (Status::Started, Locale::De) => "begonnen",
        (Status::Started, Locale::En) => "started",
        (Status::Done, Locale::De) => "abgeschlossen",
        (Status::Done, Locale::En) => "done",
        (Status::Stopped, Locale::De) => "eingestellt",
        (Status::Stopped, Locale::En) => "stopped",
    }
}

/// A report reason's name (stored form in, words out).
pub fn reason_label(r: &str, locale: Locale) -> &'static str {
    let t = pmsgs(locale);
    match r {
        "spam" => t.reason_spam,
        "offensive" => t.reason_offensive,
        "off_topic" => t.reason_off_topic,
        _ => t.reason_other,
    }
}

/// Why a request conflicts, in words.
pub fn conflict_message(c: &Conflict, locale: Locale) -> &'static str {
    let de = locale == Locale::De;
    match c {
        Conflict::NotOpen => {
            if de {
                "Diese Idee nimmt zurzeit keine Unterstützungen und Kommentare an."
            } else {
                "This idea does not take supports and comments at the moment."
            }
        }
        Conflict::AlreadyReported => {
            if de {
                "Sie haben diesen Beitrag bereits gemeldet."
            } else {
                "You have reported this contribution already."
            }
        }
        Conflict::OwnReport => {
            if de {
                "Eigene Beiträge kann man nicht melden."
            } else {
                "You cannot report your own contribution."
            }
        }
        Conflict::ReplyToReply => {
            if de {
                "Auf eine Antwort kann nicht weiter geantwortet werden; antworten Sie auf den ursprünglichen Kommentar."
            } else {
                "A reply cannot be answered further; reply to the original comment."
            }
        }
        Conflict::EditWindowClosed => {
            if de {
                "Kommentare können nur in den ersten 15 Minuten bearbeitet werden."
            } else {
                "Comments can only be edited in their first 15 minutes."
            }
        }
        Conflict::NotEditable => {
            if de {
                "Die Idee ist beantwortet, zusammengeführt oder zurückgezogen und kann nicht mehr bearbeitet werden."
            } else {
                "The idea is answered, merged or withdrawn and can no longer be edited."
            }
        }
        Conflict::AnswerRequired => {
            if de {
                "Annahme und Ablehnung brauchen eine Antwort der Verwaltung."
            } else {
                "Accepting and rejecting need an official answer."
            }
        }
        Conflict::AnswerPublished => {
            if de {
                "Die Antwort ist bereits veröffentlicht; die Entscheidung ist endgültig."
            } else {
                "The answer is published already; the decision is final."
            }
        }
        Conflict::NoAnswer => {
            if de {
                "Es gibt keine zur Entscheidung passende Antwort zum Veröffentlichen."
            } else {
                "There is no answer matching the decision to publish."
            }
        }
        Conflict::BadMergeTarget => {
            if de {
                "Zusammenführen geht nur mit einer anderen veröffentlichten, offenen Idee desselben Verfahrens."
            } else {
                "Ideas can only be merged into another published, open idea of the same process."
            }
        }
        Conflict::AlreadyThere => {
            if de {
                "Der Beitrag ist bereits in diesem Zustand, oder es gibt keine offenen Meldungen."
            } else {
                "The contribution is in that state already, or there are no open reports."
            }
        }
        Conflict::NotAccepted => {
            if de {
                "Nur angenommene Ideen mit veröffentlichter Antwort können mit einer Maßnahme verknüpft werden."
            } else {
                "Only accepted ideas with a published answer can be linked to a measure."
            }
        }
        Conflict::Cycle => {
            if de {
                "Eine Maßnahme kann nicht Teil ihrer eigenen Teilmaßnahmen sein."
            } else {
                "A measure cannot be part of its own parts."
            }
        }
        Conflict::HasParts => {
            if de {
                "Diese Maßnahme hat Teilmaßnahmen; ihr Fortschritt wird aus ihnen berechnet."
            } else {
                "This measure has parts; its progress is computed from them."
            }
        }
    }
}

/// An entry of an idea's history in words.
pub fn event_text(e: &Event, locale: Locale) -> String {
    let de = locale == Locale::De;
    match e.kind.as_str() {
        "created" => match e.to {
            Some(IdeaState::Published) => {
                if de {
                    "beim Aktionsraumgespräch gesammelt und veröffentlicht".into()
                } else {
                    "collected at the area meeting and published".into()
                }
            }
            _ => {
                if de {
                    "als Entwurf angelegt".into()
                } else {
                    "created as a draft".into()
                }
            }
        },
        "state" => {
            let to = e.to.map_or("", |s| state_label(s, locale));
            if de {
                format!("Stand: {to}")
            } else {
                format!("State: {to}")
            }
        }
        "edited" => if de { "bearbeitet" } else { "edited" }.into(),
        "answer_saved" => if de {
            "Antwort der Verwaltung gespeichert (nicht öffentlich)"
        } else {
            "official answer saved (not public)"
        }
        .into(),
        "answer_published" => if de {
            "Antwort der Verwaltung veröffentlicht"
        } else {
            "official answer published"
        }
        .into(),
        "hidden" => if de {
            "von der Moderation ausgeblendet"
        } else {
            "hidden by moderation"
        }
        .into(),
        "unhidden" => if de {
            "wieder eingeblendet"
        } else {
            "shown again"
        }
        .into(),
        "reviewer" => if de {
            "Fachprüfung zugewiesen"
        } else {
            "reviewer assigned"
        }
        .into(),
        other => other.to_string(),
    }
}

/// An inbox message in words.
pub fn message_text(kind: MessageKind, detail: &str, locale: Locale) -> String {
    let de = locale == Locale::De;
    let state = IdeaState::parse(detail).map_or("", |s| state_label(s, locale));
    match kind {
        MessageKind::StateChanged => {
            if de {
                format!("Ihre Idee hat einen neuen Stand: {state}")
            } else {
                format!("Your idea has a new state: {state}")
            }
        }
        MessageKind::AnswerPublished => {
            if de {
                format!("Die Antwort der Verwaltung zu Ihrer Idee ist veröffentlicht ({state})")
            } else {
                format!("The official answer to your idea is published ({state})")
            }
        }
        MessageKind::Comment => if de {
            "Neuer Kommentar zu Ihrer Idee"
        } else {
            "New comment on your idea"
        }
        .into(),
        MessageKind::Reply => if de {
            "Neue Antwort auf Ihren Kommentar"
        } else {
            "New reply to your comment"
        }
        .into(),
        MessageKind::Hidden => match (detail, de) {
            ("comment", true) => "Ihr Kommentar wurde ausgeblendet".into(),
            ("comment", false) => "Your comment was hidden".into(),
            (_, true) => "Ihre Idee wurde ausgeblendet".into(),
            (_, false) => "Your idea was hidden".into(),
        },
        MessageKind::Unhidden => match (detail, de) {
            ("comment", true) => "Ihr Kommentar ist wieder sichtbar".into(),
            ("comment", false) => "Your comment is visible again".into(),
            (_, true) => "Ihre Idee ist wieder sichtbar".into(),
            (_, false) => "Your idea is visible again".into(),
        },
        MessageKind::ReviewAssigned => if de {
            "Sie wurden mit der Prüfung einer Idee beauftragt"
        } else {
            "You were asked to review an idea"
        }
        .into(),
    }
}
