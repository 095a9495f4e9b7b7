//! `PolicySet`: the policy server's policies in the order they were created, which
//! is the order it lists them in (it does not sort). A set: adding a policy that
//! exists changes nothing. Serialized as a list, as a `BTreeSet` was, so state files
//! stay readable.

use serde::{Deserialize, Serialize};

use super::Policy;

/// Policies in creation order, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Policy>", into = "Vec<Policy>")]
pub struct PolicySet(Vec<Policy>);

impl From<Vec<Policy>> for PolicySet {
    fn from(v: Vec<Policy>) -> PolicySet {
        let mut set = PolicySet::default();
        set.extend(v);
        set
    }
}

impl From<PolicySet> for Vec<Policy> {
    fn from(s: PolicySet) -> Vec<Policy> {
        s.0
    }
}

impl PolicySet {
    /// Adds `p` at the end unless it is there; true when it was added.
    pub fn insert(&mut self, p: Policy) -> bool {
        if self.0.contains(&p) {
            return false;
        }
        self.0.push(p);
        true
    }

    /// Removes `p`; true when it was there.
    pub fn remove(&mut self, p: &Policy) -> bool {
        match self.0.iter().position(|x| x == p) {
            Some(i) => {
                self.0.remove(i);
                true
            }
            None => false,
        }
    }

    /// True when `p` is there.
    pub fn contains(&self, p: &Policy) -> bool {
        self.0.contains(p)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// In creation order.
    pub fn iter(&self) -> std::slice::Iter<'_, Policy> {
        self.0.iter()
    }

    /// Keeps the policies `keep` says yes to, in order.
    pub fn retain(&mut self, keep: impl FnMut(&Policy) -> bool) {
        self.0.retain(keep);
    }
}

impl Extend<Policy> for PolicySet {
    fn extend<I: IntoIterator<Item = Policy>>(&mut self, iter: I) {
        for p in iter {
            self.insert(p);
        }
    }
}

impl IntoIterator for PolicySet {
    type Item = Policy;
    type IntoIter = std::vec::IntoIter<Policy>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a PolicySet {
    type Item = &'a Policy;
    type IntoIter = std::slice::Iter<'a, Policy>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(port: u32) -> Policy {
        Policy {
            source: "a".into(),
            destination: "b".into(),
            protocol: "tcp".into(),
            start: port,
            end: port,
        }
    }

    #[test]
    fn keeps_creation_order_and_no_duplicates() {
        let mut s = PolicySet::default();
        assert!(s.insert(p(9000)));
        assert!(s.insert(p(8080)));
        assert!(!s.insert(p(9000)));
        s.extend([p(7000), p(8080)]);
        let ports: Vec<u32> = s.iter().map(|p| p.start).collect();
        assert_eq!(ports, vec![9000, 8080, 7000]);
        assert!(s.remove(&p(8080)));
        assert!(!s.remove(&p(8080)));
        let json = serde_json::to_string(&s).unwrap();
        let back: PolicySet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
