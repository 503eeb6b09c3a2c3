//! Ordered maps and sets kept as sorted vectors, for the small ones.
//!
//! `BTreeMap<K, V>` compiles its node code (search, split, merge, steal, drop) again for every
//! key/value layout: about 5 KB of the page's wasm per map type, some 60 types. A map with a
//! handful to a few thousand entries (profiles, watches, nodes, resource names, ports) does as
//! well as a sorted vector: a binary search (compiled once, behind `&mut dyn`) and a move of the
//! tail on insert and remove. Iteration is in key order, as with `BTreeMap`, so output stays
//! the same. Maps that grow with the pods stay `BTreeMap`s (an insert here is linear).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;

/// Where `probe` (the comparison of the element at an index with the key sought) finds its
/// key among `n` sorted elements: `Ok(i)` at `i`, `Err(i)` to be inserted at `i`.
#[inline(never)]
fn search(n: usize, probe: &mut dyn FnMut(usize) -> Ordering) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match probe(mid) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Ok(mid),
        }
    }
    Err(lo)
}

/// A map from `K` to `V` in key order, as a sorted vector.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VecMap<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { items: Vec::new() }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> VecMap<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        VecMap { items: Vec::new() }
    }
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Removes every entry.
    pub fn clear(&mut self) {
        self.items.clear()
    }
    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.items.iter().map(|(k, v)| (k, v))
    }
    /// The entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.items.iter_mut().map(|(k, v)| (&*k, v))
    }
    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.items.iter().map(|(k, _)| k)
    }
    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.items.iter().map(|(_, v)| v)
    }
    /// The values in key order, mutable.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.items.iter_mut().map(|(_, v)| v)
    }
    /// The values in key order, owned.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.items.into_iter().map(|(_, v)| v)
    }
    /// The first entry (smallest key).
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.items.first().map(|(k, v)| (k, v))
    }
    /// The last entry (largest key).
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.items.last().map(|(k, v)| (k, v))
    }
    /// Keeps the entries for which `keep` says so.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.items.retain_mut(|(k, v)| keep(k, v))
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        let items = &self.items;
        search(items.len(), &mut |i| items[i].0.borrow().cmp(key))
    }
    /// The value for `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.items[i].1)
    }
    /// The value for `key`, mutable.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.items[i].1)
    }
    /// Whether `key` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }
    /// Sets `key`'s value, giving back the one it replaces (the key itself stays, as in
    /// `BTreeMap`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }
    /// Removes `key`, giving back its value.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.items.remove(i).1)
    }
    /// The entry for `key`, to read or fill.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = self.find(&key);
        Entry { map: self, at, key }
    }
}

impl<K: Ord, V> VecMap<K, Vec<V>> {
    /// The values grouped by key, each group in the order given: one sort and one pass, where
    /// inserting each (in no particular key order) would move the tail every time.
    pub fn grouped(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut all: Vec<(K, V)> = pairs.into_iter().collect();
        crate::sort::sort_by(&mut all, |a, b| a.0.cmp(&b.0));
        let mut items: Vec<(K, Vec<V>)> = Vec::new();
        for (k, v) in all {
            match items.last_mut() {
                Some(last) if last.0 == k => last.1.push(v),
                _ => items.push((k, vec![v])),
            }
        }
        VecMap { items }
    }
}

/// An entry of a [`VecMap`]: present or a place to insert.
pub struct Entry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    at: Result<usize, usize>,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, inserting `make()` first if there is none.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.map.items.insert(i, (self.key, make()));
                i
            }
        };
        &mut self.map.items[i].1
    }
    /// The value, inserting `value` first if there is none.
    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }
    /// The value, inserting the default first if there is none.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
    /// Changes the value if there is one.
    pub fn and_modify(self, change: impl FnOnce(&mut V)) -> Self {
        if let Ok(i) = self.at {
            change(&mut self.map.items[i].1);
        }
        self
    }
}

/// Sorted, with one entry per key (the last, as `BTreeMap`'s `collect` keeps): a sort instead
/// of an insert each, which would be quadratic.
impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut all: Vec<(K, V)> = iter.into_iter().collect();
        crate::sort::sort_by(&mut all, |a, b| a.0.cmp(&b.0));
        let mut items: Vec<(K, V)> = Vec::with_capacity(all.len());
        for (k, v) in all {
            match items.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => items.push((k, v)),
            }
        }
        VecMap { items }
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().map(|(k, v)| (k, v))
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = std::iter::Map<std::slice::IterMut<'a, (K, V)>, fn(&'a mut (K, V)) -> (&'a K, &'a mut V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut().map(|(k, v)| (&*k, v))
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

/// A set of `T` in order, as a sorted vector (see [`VecMap`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VecSet<T> {
    items: Vec<T>,
}

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet { items: Vec::new() }
    }
}

impl<T: fmt::Debug> fmt::Debug for VecSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.items.iter()).finish()
    }
}

impl<T> VecSet<T> {
    /// An empty set.
    pub const fn new() -> Self {
        VecSet { items: Vec::new() }
    }
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// The elements in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
    /// The smallest element.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }
    /// The largest element.
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }
    /// Keeps the elements for which `keep` says so.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep)
    }
    /// Removes every element.
    pub fn clear(&mut self) {
        self.items.clear()
    }
}

impl<T: Ord> VecSet<T> {
    fn find<Q: Ord + ?Sized>(&self, x: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        let items = &self.items;
        search(items.len(), &mut |i| items[i].borrow().cmp(x))
    }
    /// Adds `x`; false if it was there.
    pub fn insert(&mut self, x: T) -> bool {
        match self.find(&x) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, x);
                true
            }
        }
    }
    /// Whether `x` is in the set.
    pub fn contains<Q: Ord + ?Sized>(&self, x: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(x).is_ok()
    }
    /// Removes `x`; false if it was not there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, x: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(x) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }
}

/// Sorted and deduplicated at once (see [`VecMap`]'s `collect`).
impl<T: Ord> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut items: Vec<T> = iter.into_iter().collect();
        crate::sort::sort(&mut items);
        items.dedup();
        VecSet { items }
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for VecSet<T> {
    fn from(a: [T; N]) -> Self {
        a.into_iter().collect()
    }
}

impl<T: Ord> Extend<T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.insert(x);
        }
    }
}

impl<T> IntoIterator for VecSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a VecSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// As `BTreeMap` writes itself: a map in key order.
impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for VecMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, K: Ord + serde::Deserialize<'de>, V: serde::Deserialize<'de>> serde::Deserialize<'de> for VecMap<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Ord + serde::Deserialize<'de>, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Entries<K, V> {
            type Value = VecMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = VecMap::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

/// As `BTreeSet` writes itself: a sequence in order.
impl<T: serde::Serialize> serde::Serialize for VecSet<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items.iter())
    }
}

impl<'de, T: Ord + serde::Deserialize<'de>> serde::Deserialize<'de> for VecSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(VecSet::from_iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The same operations on a `VecMap` and a `BTreeMap` leave the same entries in the same
    /// order and give the same answers.
    #[test]
    fn behaves_as_btree_map() {
        let mut rng = 0x2545F4914F6CDD1Du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let (mut ours, mut std_map) = (VecMap::new(), BTreeMap::new());
        let (mut set, mut std_set) = (VecSet::new(), BTreeSet::new());
        for step in 0..4000u64 {
            let k = format!("k{}", next() % 200);
            match next() % 6 {
                0 | 1 => assert_eq!(ours.insert(k.clone(), step), std_map.insert(k.clone(), step)),
                2 => assert_eq!(ours.remove(k.as_str()), std_map.remove(k.as_str())),
                3 => {
                    *ours.entry(k.clone()).or_insert(0) += 1;
                    *std_map.entry(k.clone()).or_insert(0) += 1;
                }
                4 => assert_eq!(set.insert(k.clone()), std_set.insert(k.clone())),
                _ => assert_eq!(set.remove(k.as_str()), std_set.remove(k.as_str())),
            }
            assert_eq!(ours.get(k.as_str()), std_map.get(k.as_str()));
            assert_eq!(set.contains(k.as_str()), std_set.contains(k.as_str()));
        }
        assert!(ours.len() > 50 && set.len() > 50, "{} {}", ours.len(), set.len());
        assert!(ours.iter().eq(std_map.iter()));
        assert!(set.iter().eq(std_set.iter()));
        ours.retain(|_, v| *v % 2 == 0);
        std_map.retain(|_, v| *v % 2 == 0);
        assert!(ours.clone().into_iter().eq(std_map.clone()));
        let set: VecSet<_> = [5, 1, 5, 3, 1].into();
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), [1, 3, 5]);
        let collected: VecMap<_, _> = [(3, "a"), (1, "b"), (3, "c"), (2, "d")].into_iter().collect();
        let reference: BTreeMap<_, _> = [(3, "a"), (1, "b"), (3, "c"), (2, "d")].into_iter().collect();
        assert!(collected.iter().eq(reference.iter()));
        assert_eq!(format!("{collected:?}"), format!("{reference:?}"));
        let groups = VecMap::grouped([("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)]);
        assert!(groups.iter().eq([(&"a", &vec![2, 5]), (&"b", &vec![1, 3]), (&"c", &vec![4])]));
        // Written and read as the std collections are.
        assert_eq!(serde_json::to_string(&collected).unwrap(), serde_json::to_string(&reference).unwrap());
        let back: VecMap<i32, String> = serde_json::from_str(r#"{"2":"x","1":"y"}"#).unwrap();
        assert!(back.iter().map(|(k, v)| (*k, v.as_str())).eq([(1, "y"), (2, "x")]));
        assert_eq!(serde_json::to_string(&set).unwrap(), "[1,3,5]");
        assert_eq!(serde_json::from_str::<VecSet<i32>>("[5,1,5]").unwrap(), [1, 5].into());
    }
}
