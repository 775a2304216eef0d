//! How counts read in sentences, the same in every layer: `1 grant`, `2 grants`; and how
//! a name or an id too long for its place is shortened.

/// `n` and the noun, plural when `n` is not one (`1 key`, `0 keys`, `3 findings`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Cut a name or an id to at most `max` characters in its middle, keeping its start and
/// its end (where names and ids that share a prefix differ): `aws:ec2-infr…3456789abcdef0`.
pub fn cut_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    if max < 5 {
        // Too narrow for both ends: the start.
        let head: String = s.chars().take(max.saturating_sub(1)).collect();
        return if max == 0 { head } else { format!("{head}…") };
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_middle_keeps_both_ends_and_the_width() {
        let name = "aws:ec2-infrastructure/i-0123456789abcdef0";
        assert_eq!(cut_middle(name, 100), name);
        let cut = cut_middle(name, 30);
        assert_eq!(cut.chars().count(), 30);
        assert!(
            cut.starts_with("aws:ec2-infras") && cut.ends_with("456789abcdef0"),
            "{cut}"
        );
        assert_eq!(cut_middle("abcdefgh", 4), "abc…");
        assert_eq!(cut_middle("", 3), "");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "grant"), "1 grant");
        assert_eq!(count(0, "key"), "0 keys");
        assert_eq!(count(45_515, "grant"), "45515 grants");
    }
}
