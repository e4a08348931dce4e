//! `PERSON` of `ksef-audit offboard PERSON` resolved on the staff list: a PESEL, a staff-list
//! id or e-mail, or a name that names exactly one person. Errors never show a PESEL.

use ksef_model::StaffMember;
use ksef_model::escape_terminal;

/// The one staff member `given` names, or an error saying why not (no one, or which
/// candidates, by id and name).
pub fn resolve<'a>(given: &str, staff: &'a [StaffMember]) -> Result<&'a StaffMember, String> {
    let wanted = given.trim();
    let digits: String = wanted.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let by = |pred: &dyn Fn(&StaffMember) -> bool| -> Vec<&'a StaffMember> {
        staff.iter().filter(|s| pred(s)).collect()
    };
    let shown = if digits.len() == 11 && digits.chars().all(|c| c.is_ascii_digit()) {
        "the PESEL given".to_string()
    } else {
        format!("'{}'", escape_terminal(wanted))
    };
    let mut found = by(&|s| s.id.eq_ignore_ascii_case(wanted));
    if found.is_empty() && digits.len() == 11 {
        found = by(&|s| s.pesel.as_deref() == Some(digits.as_str()));
    }
    if found.is_empty() {
        let name = normalize(wanted);
        found = by(&|s| s.name.as_deref().is_some_and(|n| normalize(n) == name));
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no one on the staff list is {shown}\nhelp: give a PESEL, the staff list's id or e-mail, or a full name as the staff list writes it"
        )),
        many => Err(format!(
            "{shown} names {} people on the staff list: {}\nhelp: give one of their ids instead",
            many.len(),
            many.iter()
                .map(|s| match &s.name {
                    Some(n) => format!("{} ({}, row {})", s.id, n, s.row),
                    None => format!("{} (row {})", s.id, s.row),
                })
                .map(|s| escape_terminal(&s).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Case and runs of spaces do not tell names apart.
fn normalize(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The staff id as a file name part: letters, digits, `.`, `_` and `-` kept, `@` as `-at-`,
/// anything else `_`.
pub fn file_part(id: &str) -> String {
    let mut out = String::new();
    for c in id.trim().chars() {
        match c {
            '@' => out.push_str("-at-"),
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') => out.push(c),
            _ => out.push('_'),
        }
    }
    let out = out.trim_matches('.').to_string();
    if out.is_empty() { "person".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::StaffStatus;

    fn member(row: usize, id: &str, name: &str, pesel: &str) -> StaffMember {
        StaffMember {
            row,
            id: id.into(),
            name: Some(name.into()),
            pesel: Some(pesel.into()),
            nip: None,
            fingerprint: None,
            status: StaffStatus::Left,
            left_on: None,
        }
    }

    fn staff() -> Vec<StaffMember> {
        vec![
            member(2, "jan@firma.pl", "Jan Nowak", "85010112345"),
            member(3, "jan.n@firma.pl", "Jan  nowak", "88020212344"),
            member(4, "E042", "Anna Kowalska", "92071512346"),
        ]
    }

    #[test]
    fn a_person_is_found_by_pesel_id_email_or_a_unique_name() {
        let s = staff();
        assert_eq!(resolve("85010112345", &s).expect("pesel").row, 2);
        assert_eq!(resolve("JAN@firma.pl", &s).expect("e-mail").row, 2);
        assert_eq!(resolve("e042", &s).expect("id").row, 4);
        assert_eq!(resolve("anna kowalska", &s).expect("name").row, 4);
    }

    #[test]
    fn an_ambiguous_name_lists_the_candidates_without_a_pesel() {
        let err = resolve("Jan Nowak", &staff()).expect_err("two people");
        assert!(err.contains("jan@firma.pl (Jan Nowak, row 2)"), "{err}");
        assert!(err.contains("jan.n@firma.pl"), "{err}");
        assert!(
            !err.contains("85010112345") && !err.contains("88020212344"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_pesel_is_not_echoed() {
        let err = resolve("90010112349", &staff()).expect_err("nobody");
        assert!(err.contains("the PESEL given"), "{err}");
        assert!(!err.contains("90010112349"), "{err}");
    }

    #[test]
    fn file_names_carry_a_safe_staff_id() {
        assert_eq!(file_part("jan@firma.pl"), "jan-at-firma.pl");
        assert_eq!(file_part("../x y"), "_x_y");
        assert_eq!(file_part(""), "person");
    }
}
