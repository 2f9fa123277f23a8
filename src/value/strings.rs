//! A small cache of short strings already made into values, for a reader
//! that makes many equal ones (a status, an endpoint, a country in every
//! row): a repeated string costs a hash and a compare instead of an
//! allocation, and the values share one copy. Direct-mapped and fixed in
//! size, so a column of distinct strings costs a little and holds nothing.

use std::hash::BuildHasher;
use std::sync::Arc;

/// Strings longer than this are made anew (long ones rarely repeat).
const MAX_LEN: usize = 32;
const SLOTS: usize = 512;

/// Make one per task: the strings' reference counts stay on its thread.
pub struct Strings {
    slots: Vec<Option<Arc<str>>>,
    hasher: foldhash::fast::FixedState,
}

impl Default for Strings {
    fn default() -> Strings {
        Strings {
            slots: vec![None; SLOTS],
            hasher: foldhash::fast::FixedState::default(),
        }
    }
}

impl Strings {
    /// `s` as a shared string: the cached copy when there is one.
    #[inline]
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if s.len() > MAX_LEN {
            return Arc::from(s);
        }
        let slot = &mut self.slots[self.hasher.hash_one(s) as usize % SLOTS];
        match slot {
            Some(a) if **a == *s => a.clone(),
            _ => {
                let a: Arc<str> = Arc::from(s);
                *slot = Some(a.clone());
                a
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Strings;
    use std::sync::Arc;

    #[test]
    fn equal_short_strings_share_a_copy_and_long_ones_do_not() {
        let mut c = Strings::default();
        let a = c.get("200");
        let b = c.get("200");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*c.get("404"), "404");
        let long = "x".repeat(40);
        assert!(!Arc::ptr_eq(&c.get(&long), &c.get(&long)));
    }
}
