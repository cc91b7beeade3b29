//! Deterministic identifiers, so the same world always has the same uuids.

fn fnv1a(seed: u64, s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // final avalanche (splitmix64)
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A version-4-looking uuid in braces, as Bitbucket writes them: `{xxxxxxxx-xxxx-4xxx-8xxx-…}`.
pub(crate) fn uuid(key: &str) -> String {
    format!("{{{}}}", bare_uuid(key))
}

pub(crate) fn bare_uuid(key: &str) -> String {
    let a = fnv1a(1, key);
    let b = fnv1a(2, key);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        (b >> 52) as u16 & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// An Atlassian account id, e.g. `712020:5b1e…`.
pub(crate) fn account_id(key: &str) -> String {
    format!("712020:{}", bare_uuid(&format!("account:{key}")))
}

/// A 40-hex commit hash.
pub(crate) fn commit_hash(key: &str) -> String {
    format!(
        "{:016x}{:016x}{:08x}",
        fnv1a(3, key),
        fnv1a(4, key),
        fnv1a(5, key) as u32
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_and_shaped() {
        let u = super::uuid("x");
        assert_eq!(u, super::uuid("x"));
        assert_ne!(u, super::uuid("y"));
        assert_eq!(u.len(), 38);
        assert_eq!(super::commit_hash("a").len(), 40);
    }
}
