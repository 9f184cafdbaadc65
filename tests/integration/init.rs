//! `vigia init`.
