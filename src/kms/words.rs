//! How counts read in sentences, the same in every layer: `1 grant`, `2 grants`.

/// `n` and the noun, plural when `n` is not one (`1 key`, `0 keys`, `3 findings`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "grant"), "1 grant");
        assert_eq!(count(0, "key"), "0 keys");
        assert_eq!(count(45_515, "grant"), "45515 grants");
    }
}
