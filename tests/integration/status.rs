//! `vigia status`.
