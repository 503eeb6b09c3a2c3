//! Go's `sort.Sort` (pattern-defeating quicksort, Go 1.19+), step for step: kubectl sorts
//! `--sort-by` with it, and it is not stable, so objects whose keys tie come out in the order
//! this algorithm leaves them — which is what a learner comparing with a real cluster sees.

/// The sort's view of the data: `less(i, j)` and `swap(i, j)` on positions.
pub struct Data<'a> {
    less: &'a mut dyn FnMut(usize, usize) -> bool,
    swap: &'a mut dyn FnMut(usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

/// `sort.Sort` over `n` elements.
pub fn sort(n: usize, less: &mut dyn FnMut(usize, usize) -> bool, swap: &mut dyn FnMut(usize, usize)) {
    if n <= 1 {
        return;
    }
    let mut d = Data { less, swap };
    let limit = usize::BITS - n.leading_zeros();
    pdqsort(&mut d, 0, n, limit);
}

/// Sorts `v` as Go's `sort.Sort` with `less` would.
pub fn sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let v = std::cell::RefCell::new(v);
    let n = v.borrow().len();
    sort(n, &mut |i, j| {
        let v = v.borrow();
        less(&v[i], &v[j])
    }, &mut |i, j| v.borrow_mut().swap(i, j));
}

impl Data<'_> {
    fn less(&mut self, i: usize, j: usize) -> bool {
        (self.less)(i, j)
    }
    fn swap(&mut self, i: usize, j: usize) {
        (self.swap)(i, j)
    }
}

fn insertion_sort(d: &mut Data, a: usize, b: usize) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && d.less(j, j - 1) {
            d.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down(d: &mut Data, lo: usize, hi: usize, first: usize) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && d.less(first + child, first + child + 1) {
            child += 1;
        }
        if !d.less(first + root, first + child) {
            return;
        }
        d.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort(d: &mut Data, a: usize, b: usize) {
    let first = a;
    let hi = b - a;
    for i in (0..=(hi - 1) / 2).rev() {
        sift_down(d, i, hi, first);
    }
    for i in (0..hi).rev() {
        d.swap(first, first + i);
        sift_down(d, 0, i, first);
    }
}

fn pdqsort(d: &mut Data, mut a: usize, mut b: usize, mut limit: u32) {
    const MAX_INSERTION: usize = 12;
    let mut was_balanced = true;
    let mut was_partitioned = true;
    loop {
        let length = b - a;
        if length <= MAX_INSERTION {
            insertion_sort(d, a, b);
            return;
        }
        if limit == 0 {
            heap_sort(d, a, b);
            return;
        }
        if !was_balanced {
            break_patterns(d, a, b);
            limit -= 1;
        }
        let (mut pivot, mut hint) = choose_pivot(d, a, b);
        if hint == Hint::Decreasing {
            reverse_range(d, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = Hint::Increasing;
        }
        if was_balanced && was_partitioned && hint == Hint::Increasing && partial_insertion_sort(d, a, b) {
            return;
        }
        if a > 0 && !d.less(a - 1, pivot) {
            a = partition_equal(d, a, b, pivot);
            continue;
        }
        let (mid, already) = partition(d, a, b, pivot);
        was_partitioned = already;
        let (left, right) = (mid - a, b - mid);
        let balance_threshold = length / 8;
        if left < right {
            was_balanced = left >= balance_threshold;
            pdqsort(d, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= balance_threshold;
            pdqsort(d, mid + 1, b, limit);
            b = mid;
        }
    }
}

fn partition(d: &mut Data, a: usize, b: usize, pivot: usize) -> (usize, bool) {
    d.swap(a, pivot);
    // i and j are inclusive bounds of what is left; j may go below a + 1 (signed in Go).
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    while i <= j && d.less(i as usize, a) {
        i += 1;
    }
    while i <= j && !d.less(j as usize, a) {
        j -= 1;
    }
    if i > j {
        d.swap(j as usize, a);
        return (j as usize, true);
    }
    d.swap(i as usize, j as usize);
    i += 1;
    j -= 1;
    loop {
        while i <= j && d.less(i as usize, a) {
            i += 1;
        }
        while i <= j && !d.less(j as usize, a) {
            j -= 1;
        }
        if i > j {
            break;
        }
        d.swap(i as usize, j as usize);
        i += 1;
        j -= 1;
    }
    d.swap(j as usize, a);
    (j as usize, false)
}

fn partition_equal(d: &mut Data, a: usize, b: usize, pivot: usize) -> usize {
    d.swap(a, pivot);
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    loop {
        while i <= j && !d.less(a, i as usize) {
            i += 1;
        }
        while i <= j && d.less(a, j as usize) {
            j -= 1;
        }
        if i > j {
            break;
        }
        d.swap(i as usize, j as usize);
        i += 1;
        j -= 1;
    }
    i as usize
}

fn partial_insertion_sort(d: &mut Data, a: usize, b: usize) -> bool {
    const MAX_STEPS: usize = 5;
    const SHORTEST_SHIFTING: usize = 50;
    let mut i = a + 1;
    for _ in 0..MAX_STEPS {
        while i < b && !d.less(i, i - 1) {
            i += 1;
        }
        if i == b {
            return true;
        }
        if b - a < SHORTEST_SHIFTING {
            return false;
        }
        d.swap(i, i - 1);
        if i - a >= 2 {
            let mut j = i - 1;
            while j >= 1 {
                if !d.less(j, j - 1) {
                    break;
                }
                d.swap(j, j - 1);
                j -= 1;
            }
        }
        if b - i >= 2 {
            let mut j = i + 1;
            while j < b {
                if !d.less(j, j - 1) {
                    break;
                }
                d.swap(j, j - 1);
                j += 1;
            }
        }
    }
    false
}

fn break_patterns(d: &mut Data, a: usize, b: usize) {
    let length = b - a;
    if length >= 8 {
        let mut random = length as u64;
        let modulus = 1usize << (usize::BITS - length.leading_zeros());
        let idx = a + (length / 4) * 2 - 1;
        for i in 0..3 {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut other = (random as usize) & (modulus - 1);
            if other >= length {
                other -= length;
            }
            d.swap(idx - 1 + i, a + other);
        }
    }
}

fn choose_pivot(d: &mut Data, a: usize, b: usize) -> (usize, Hint) {
    const SHORTEST_NINTHER: usize = 50;
    const MAX_SWAPS: usize = 4 * 3;
    let l = b - a;
    let mut swaps = 0;
    let mut i = a + l / 4;
    let mut j = a + l / 4 * 2;
    let mut k = a + l / 4 * 3;
    if l >= 8 {
        if l >= SHORTEST_NINTHER {
            i = median(d, i - 1, i, i + 1, &mut swaps);
            j = median(d, j - 1, j, j + 1, &mut swaps);
            k = median(d, k - 1, k, k + 1, &mut swaps);
        }
        j = median(d, i, j, k, &mut swaps);
    }
    match swaps {
        0 => (j, Hint::Increasing),
        MAX_SWAPS => (j, Hint::Decreasing),
        _ => (j, Hint::Unknown),
    }
}

fn order2(d: &mut Data, a: usize, b: usize, swaps: &mut usize) -> (usize, usize) {
    if d.less(b, a) {
        *swaps += 1;
        return (b, a);
    }
    (a, b)
}

fn median(d: &mut Data, a: usize, b: usize, c: usize, swaps: &mut usize) -> usize {
    let (a, b) = order2(d, a, b, swaps);
    let (b, c) = order2(d, b, c, swaps);
    let _ = c;
    let (_a, b) = order2(d, a, b, swaps);
    b
}

fn reverse_range(d: &mut Data, a: usize, b: usize) {
    let (mut i, mut j) = (a, b - 1);
    while i < j {
        d.swap(i, j);
        i += 1;
        j -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_a_sort_whatever_the_input() {
        // Sizes across insertion sort, median of three, ninther and heap fallback paths.
        let mut seed = 7u64;
        for n in [0, 1, 2, 5, 12, 13, 40, 49, 50, 51, 200, 1000] {
            for pattern in 0..4 {
                let mut v: Vec<u32> = (0..n as u32)
                    .map(|i| match pattern {
                        0 => i,
                        1 => n as u32 - i,
                        2 => i % 3,
                        _ => {
                            seed ^= seed << 13;
                            seed ^= seed >> 7;
                            seed ^= seed << 17;
                            (seed % 50) as u32
                        }
                    })
                    .collect();
                let mut want = v.clone();
                want.sort();
                sort_by(&mut v, |a, b| a < b);
                assert_eq!(v, want, "n={n} pattern={pattern}");
            }
        }
    }

    #[test]
    fn ties_are_left_as_go_leaves_them() {
        // Go 1.23: sort.Sort on 13 (key, tag) pairs by key only (the insertion sort path is
        // stable; past 12 elements the partition moves equal keys).
        let mut v: Vec<(u32, char)> = "abcdefghijklm".chars().enumerate().map(|(i, c)| ((i % 2) as u32, c)).collect();
        sort_by(&mut v, |a, b| a.0 < b.0);
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        let small: Vec<(u32, char)> = "abcde".chars().enumerate().map(|(i, c)| ((i % 2) as u32, c)).collect();
        let mut s = small.clone();
        sort_by(&mut s, |a, b| a.0 < b.0);
        assert_eq!(s, vec![(0, 'a'), (0, 'c'), (0, 'e'), (1, 'b'), (1, 'd')]);
    }
}
