//! `wsprobe export`: a recording in other formats.

pub mod har;
