//! Stable sorting through one shared instance of the standard library's sort, for the size of
//! the page's wasm: `slice::sort_by_key` is compiled anew (some 4 KB) for every element and key
//! type, [`sort_by_key`] sorts indices with a `dyn` comparison, so only its small wrapper is.

use std::cmp::Ordering;

/// Sorts `v` by `key` like `slice::sort_by_key`: stable (equal keys keep their order),
/// O(n log n); `key` is called twice per comparison.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_indices(items.len(), &mut |a, b| key(&items[a]).cmp(&key(&items[b])))
    };
    let mut old: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    // `order` is a permutation of 0..n, so every slot is taken exactly once.
    v.extend(order.into_iter().filter_map(|i| old[i].take()));
}

/// The indices `0..n` stably sorted by `cmp` (the one instance of the standard sort).
fn sorted_indices(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let cases: [&[(u8, char)]; 4] = [
            &[],
            &[(1, 'a')],
            &[(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')],
            &[(3, 'x'), (3, 'y'), (3, 'z')],
        ];
        for case in cases {
            let mut ours = case.to_vec();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = case.to_vec();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "{case:?}");
        }
        let mut long: Vec<(u32, u32)> = (0..500u32).map(|i| ((i * 7919) % 13, i)).collect();
        let mut std = long.clone();
        sort_by_key(&mut long, |p| p.0);
        std.sort_by_key(|p| p.0);
        assert_eq!(long, std);
    }
}
