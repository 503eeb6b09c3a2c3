//! Stable sorts with one compiled copy of the sorting algorithm.
//!
//! `slice::sort_by` is generic over its comparison, so every call site with its own closure
//! compiles the whole merge sort again: 56 copies, about a quarter of a megabyte of the page's
//! wasm. These sort a permutation of indices with the comparison behind `&mut dyn`, so the
//! algorithm is compiled once; per element type there is only the small loop that moves the
//! elements into place. The result is the same as `sort_by`/`sort_by_key`/`sort` (stable).

use std::cmp::Ordering;

/// The indices of `0..n` in sorted order, ties in index order.
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Rearranges `v` so that position `j` holds what was at `perm[j]` (a permutation of the
/// indices of `v`), following each cycle once.
fn apply<T>(v: &mut [T], mut perm: Vec<usize>) {
    for i in 0..v.len().min(perm.len()) {
        // The element that was at `i` travels along the cycle through `x`.
        let mut x = i;
        loop {
            let k = perm[x];
            perm[x] = x;
            if k == i || k >= v.len() {
                break;
            }
            v.swap(x, k);
            x = k;
        }
    }
}

/// `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let perm = {
        let items: &[T] = v;
        permutation(items.len(), &mut |a, b| cmp(&items[a], &items[b]))
    };
    apply(v, perm);
}

/// `v.sort_by_key(key)` (the key is computed for each comparison, as there).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// `iter.collect::<BTreeMap<_, _>>()` without a sort: the standard library's `FromIterator`
/// sorts the items first (a stable sort compiled for every element type, about 4 KB of wasm
/// each); inserting one by one compiles none. Later values win, as with `collect`.
pub fn btree_map<K: Ord, V>(iter: impl IntoIterator<Item = (K, V)>) -> std::collections::BTreeMap<K, V> {
    let mut m = std::collections::BTreeMap::new();
    for (k, v) in iter {
        m.insert(k, v);
    }
    m
}

/// `iter.collect::<BTreeSet<_>>()` without a sort (see [`btree_map`]).
pub fn btree_set<T: Ord>(iter: impl IntoIterator<Item = T>) -> std::collections::BTreeSet<T> {
    let mut s = std::collections::BTreeSet::new();
    for t in iter {
        s.insert(t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_library(v in proptest::collection::vec((0u8..6, any::<u16>()), 0..60)) {
            // Ties on the first field show stability: the second keeps its original order.
            let mut a = v.clone();
            a.sort_by_key(|p| p.0);
            let mut b = v.clone();
            sort_by_key(&mut b, |p| p.0);
            prop_assert_eq!(&a, &b);
            let mut c = v.clone();
            c.sort_by_key(|x| std::cmp::Reverse(x.1));
            let mut d = v.clone();
            sort_by(&mut d, |x, y| y.1.cmp(&x.1));
            prop_assert_eq!(c, d);
            let mut e = v.clone();
            e.sort();
            let mut f = v;
            sort(&mut f);
            prop_assert_eq!(e, f);
        }
    }

    #[test]
    fn moves_owned_values_without_losing_any() {
        let mut v: Vec<String> = ["d", "b", "a", "c", "b"].iter().map(|s| s.to_string()).collect();
        sort(&mut v);
        assert_eq!(v, ["a", "b", "b", "c", "d"]);
        let mut one = vec![String::from("x")];
        sort(&mut one);
        assert_eq!(one, ["x"]);
    }
}
