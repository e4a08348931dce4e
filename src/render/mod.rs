//! See the crate docs.

pub mod audit;
pub mod calendar;
pub mod certificates;
pub mod csv;
pub mod doctor;
mod error;
pub mod grants;
pub mod html;
pub mod inventory;
pub mod leaks;
pub mod offboard;
pub mod rules;
pub mod style;
pub mod table;
pub mod tokens;
pub mod wrap;

pub use error::RenderError;

/// `items` in groups of equal `key`, the groups in order of their first member and each
/// group in the items' order: how the text outputs group findings (by token, rule, client,
/// owner). Linear in the number of items.
pub(crate) fn group_in_order<T, K, F>(
    items: impl IntoIterator<Item = T>,
    key: F,
) -> Vec<(K, Vec<T>)>
where
    K: Eq + std::hash::Hash + Clone,
    F: Fn(&T) -> K,
{
    let mut at: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for item in items {
        let k = key(&item);
        match at.get(&k) {
            Some(&i) => groups[i].1.push(item),
            None => {
                at.insert(k.clone(), groups.len());
                groups.push((k, vec![item]));
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_keep_first_appearance_and_member_order() {
        let groups = super::group_in_order([3, 1, 4, 1, 5, 9, 2, 6], |n| n % 2);
        assert_eq!(groups, vec![(1, vec![3, 1, 1, 5, 9]), (0, vec![4, 2, 6])]);
    }
}
