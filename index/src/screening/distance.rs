//! Bounded edit distance (optimal string alignment: insert, delete, substitute, swap two neighbours).
//!
//! Bounded and banded because the screener only asks "within k edits?" with k ≤ 3: cells more
//! than k off the diagonal can never lead to an answer, so long compacted names cost O(n·k).

/// The edit distance between `a` and `b` if it is at most `max`, else `None`.
pub(crate) fn bounded_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    if a == b {
        return Some(0);
    }
    if max == 0 {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    let inf = max + 1;
    let width = m + 1;
    // Three rows: two back (for swaps), previous and current; short words stay on the stack.
    let mut stack = [0usize; 3 * 48];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if 3 * width <= stack.len() {
        &mut stack[..3 * width]
    } else {
        heap.resize(3 * width, 0);
        &mut heap
    };
    rows.fill(inf);
    let (mut back2, mut back1, mut current) = (0usize, width, 2 * width);
    for j in 0..=m.min(max) {
        rows[back1 + j] = j;
    }
    for i in 1..=n {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        rows[current + lo - 1] = if lo == 1 { i.min(inf) } else { inf };
        let mut row_min = rows[current + lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (rows[back1 + j] + 1).min(rows[current + j - 1] + 1).min(rows[back1 + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(rows[back2 + j - 2] + 1);
            }
            let value = value.min(inf);
            rows[current + j] = value;
            row_min = row_min.min(value);
        }
        if hi < m {
            // The next row reads one cell further right: it must look unreachable, not stale.
            rows[current + hi + 1] = inf;
        }
        if row_min > max {
            return None;
        }
        let old_back2 = back2;
        back2 = back1;
        back1 = current;
        current = old_back2;
    }
    let distance = rows[back1 + m];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain full-matrix OSA distance, the reference.
    fn reference(a: &[u8], b: &[u8]) -> usize {
        let (n, m) = (a.len(), b.len());
        let mut d = vec![vec![0usize; m + 1]; n + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=n {
            for j in 1..=m {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[n][m]
    }

    #[test]
    fn screening_bounded_distance_agrees_with_the_full_matrix() {
        let words: &[&[u8]] = &[
            b"",
            b"a",
            b"ab",
            b"ba",
            b"abc",
            b"acb",
            b"technologies",
            b"tecnologies",
            b"technolgoies",
            b"tehcnologies",
            b"huawei",
            b"huawel",
            b"hauwei",
            b"huaweitechnologies",
            b"huaweitechnologles",
            b"rosselkhozbank",
            b"roselkhozbank",
            b"kunlun",
            b"kunlunbank",
            b"xyz",
        ];
        for a in words {
            for b in words {
                let exact = reference(a, b);
                for max in 0..=3 {
                    let expected = (exact <= max).then_some(exact);
                    assert_eq!(bounded_distance(a, b, max), expected, "{:?} {:?} max {max}", a, b);
                }
            }
        }
        let long_a = b"unitedshipbuildingcorporationjscastrakhanshipyardfilialzvezdochka".repeat(3);
        let mut long_b = long_a.clone();
        long_b[100] = b'x';
        long_b.remove(7);
        assert_eq!(bounded_distance(&long_a, &long_b, 3), Some(2));
        assert_eq!(bounded_distance(&long_a, &long_b, 1), None);
    }
}
