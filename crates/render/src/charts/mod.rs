//! Charts: each a function from a plain spec to an SVG string.

pub(crate) mod axis;
