//! The texts of the search for an atlas with an address register, in German and English (the
//! area search of every atlas uses the kit's texts). `{n}`, `{number}` mark a value filled in
//! by the page.

use sozialatlas_core::Locale;

/// The search's own texts, in one language.
#[derive(Debug)]
pub struct SMsgs {
    pub label: &'static str,
    pub hint: &'static str,
    pub none: &'static str,
    pub empty: &'static str,
    pub address: &'static str,
    pub street: &'static str,
    pub postcode: &'static str,
    pub one_address: &'static str,
    pub addresses: &'static str,
    pub street_areas: &'static str,
    pub postcode_areas: &'static str,
    pub number_missing: &'static str,
    pub similar: &'static str,
}

pub static DE: SMsgs = SMsgs {
    label: "Gebiet oder Adresse suchen",
    hint: "Adresse (Straße und Hausnummer), Straße, Postleitzahl oder Name eines Gebiets, z. B. {example}",
    none: "Nichts gefunden. Prüfen Sie die Schreibweise, oder suchen Sie nach der Straße ohne Hausnummer oder nach der Postleitzahl.",
    empty: "Geben Sie eine Adresse, eine Straße, eine Postleitzahl oder den Namen eines Gebiets ein.",
    address: "Adresse",
    street: "Straße",
    postcode: "Postleitzahl",
    one_address: "1 Adresse",
    addresses: "{n} Adressen",
    street_areas: "verläuft durch {n} Gebiete:",
    postcode_areas: "liegt in {n} Gebieten:",
    number_missing: "Die Hausnummer {number} steht nicht im Adressverzeichnis. Die Straße liegt in:",
    similar: "ähnliche Schreibweise",
};

pub static EN: SMsgs = SMsgs {
    label: "Search for an area or address",
    hint: "An address (street and house number), a street, a postcode or the name of an area, e.g. {example}",
    none: "Nothing found. Check the spelling, or search for the street without house number, or for the postcode.",
    empty: "Enter an address, a street, a postcode or the name of an area.",
    address: "Address",
    street: "Street",
    postcode: "Postcode",
    one_address: "1 address",
    addresses: "{n} addresses",
    street_areas: "runs through {n} areas:",
    postcode_areas: "lies in {n} areas:",
    number_missing: "House number {number} is not in the address register. The street lies in:",
    similar: "similar spelling",
};

/// The search's texts in `locale`.
pub fn smsgs(locale: Locale) -> &'static SMsgs {
    match locale {
        Locale::De => &DE,
        Locale::En => &EN,
    }
}
