//! Personal data in reports: PESELs never raw, NIPs of sole traders masked on request.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use ksef_model::Identifier;
use ksef_model::StaffMember;
use ksef_model::mask_nip;
use ksef_model::mask_pesel;

static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").expect("valid regex"));

/// Replaces personal identifiers in everything a report shows.
///
/// - Any run of exactly 11 digits is treated as a PESEL: shown as the staff member's name
///   when the staff list knows it, else masked (`85*******45`).
/// - NIPs in `masked_nips` (sole traders, or every NIP with `--mask-nip=all`) are masked
///   (`526*****35`) wherever they appear as a 10-digit run.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    staff_by_pesel: HashMap<String, String>,
    /// [`ksef_model::pesel_key`] of each staff PESEL -> name, for documents that keep only
    /// the key (audit results).
    staff_by_key: HashMap<String, String>,
    masked_nips: BTreeSet<String>,
}

impl Masker {
    pub fn new(staff: &[StaffMember], masked_nips: BTreeSet<String>) -> Masker {
        let staff_by_pesel = staff
            .iter()
            .filter_map(|m| {
                let pesel = m.pesel.as_ref()?.trim().to_string();
                let name = m.name.clone().unwrap_or_else(|| m.id.clone());
                Some((pesel, name))
            })
            .collect::<HashMap<_, _>>();
        let staff_by_key = staff_by_pesel
            .iter()
            .map(|(p, n)| (ksef_model::pesel_key(p), n.clone()))
            .collect();
        Masker {
            staff_by_key,
            staff_by_pesel,
            masked_nips,
        }
    }

    /// A NIP as the report shows it.
    pub fn nip(&self, nip: &str) -> String {
        if self.masked_nips.contains(nip) {
            mask_nip(nip)
        } else {
            nip.to_string()
        }
    }

    /// A PESEL as the report shows it: the staff name, else masked.
    pub fn pesel(&self, pesel: &str) -> String {
        match self.staff_by_pesel.get(pesel) {
            Some(name) => name.clone(),
            None => mask_pesel(pesel),
        }
    }

    /// A token's author in audit results: the staff name found by the PESEL's join key,
    /// else the (already masked) identifier.
    pub fn audited_author(&self, id: &Identifier, key: Option<&str>) -> String {
        if let Some(name) = key.and_then(|k| self.staff_by_key.get(k)) {
            return name.clone();
        }
        match id.kind.as_str() {
            "Pesel" if id.value.contains('*') => id.value.clone(),
            _ => self.identifier(id),
        }
    }

    /// An author identifier (`Pesel`, `Nip`, …) as the report shows it.
    pub fn identifier(&self, id: &Identifier) -> String {
        match id.kind.as_str() {
            "Pesel" => self.pesel(&id.value),
            "Nip" => self.nip(&id.value),
            _ => self.text(&id.value),
        }
    }

    /// Free text (evidence, messages, descriptions, paths) with identifiers replaced.
    pub fn text(&self, s: &str) -> String {
        if !s.bytes().any(|b| b.is_ascii_digit()) {
            return s.to_string();
        }
        DIGITS
            .replace_all(s, |caps: &regex::Captures<'_>| {
                let run = &caps[0];
                match run.len() {
                    11 => self.pesel(run),
                    10 => self.nip(run),
                    _ => run.to_string(),
                }
            })
            .into_owned()
    }

    pub fn opt_text(&self, s: Option<&str>) -> String {
        s.map(|s| self.text(s)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::StaffStatus;

    fn staff() -> Vec<StaffMember> {
        vec![StaffMember {
            row: 2,
            id: "anna@example.pl".into(),
            name: Some("Anna Nowak".into()),
            pesel: Some("85010112345".into()),
            nip: None,
            fingerprint: None,
            status: StaffStatus::Left,
            left_on: None,
        }]
    }

    #[test]
    fn pesel_becomes_staff_name_or_mask() {
        let m = Masker::new(&staff(), BTreeSet::new());
        assert_eq!(
            m.text("author 85010112345 left; also 90020254321"),
            "author Anna Nowak left; also 90*******21"
        );
    }

    #[test]
    fn only_listed_nips_are_masked() {
        let m = Masker::new(&[], BTreeSet::from(["5265877635".to_string()]));
        assert_eq!(
            m.text("ref|nip-5265877635|*** and 7762811692"),
            "ref|nip-526*****35|*** and 7762811692"
        );
        assert_eq!(m.nip("7762811692"), "7762811692");
    }
}
