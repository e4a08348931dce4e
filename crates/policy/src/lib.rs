//! The policy engine: policy rules (schema, conditions, loading), the built-in conditions
//! behind their registry, evaluation of credentials, grants and certificates, exceptions,
//! comparison with an earlier audit, posture and the merge of result documents.
//! Never prints or reads the environment.

pub mod audit;

mod compare;
pub mod evaluate;
pub mod exceptions;
pub mod items;
pub mod merge;
pub mod posture;
pub mod rule;
pub mod selftest;
