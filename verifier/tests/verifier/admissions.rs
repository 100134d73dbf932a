//! Admissions (issue #14): scheme files (the two examples read; mistakes named by line) and
//! the candidate checks and scores on records signed here (see `admissions/`).

mod schemes;
