//! A small dense row-major matrix: areas in rows, indicators in columns.

use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result, check_finite};

/// Dense `rows × cols` matrix of `f64`, row-major (one row per area).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// Wraps row-major data; errors if the length is not `rows × cols` or a value is not finite.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(AnalysisError::LengthMismatch {
                what: "matrix data".into(),
                expected: rows.saturating_mul(cols),
                got: data.len(),
            });
        }
        check_finite("matrix", &data)?;
        Ok(Self { rows, cols, data })
    }

    /// Builds a matrix from columns of equal length (one per indicator).
    pub fn from_columns(columns: &[&[f64]]) -> Result<Self> {
        let cols = columns.len();
        let rows = columns.first().map_or(0, |c| c.len());
        let mut data = vec![0.0; rows * cols];
        for (j, c) in columns.iter().enumerate() {
            crate::error::check_len("column", rows, c.len())?;
            for (i, v) in c.iter().enumerate() {
                data[i * cols + j] = *v;
            }
        }
        Self::new(rows, cols, data)
    }

    /// Number of rows (areas).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (indicators).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Column `j`, copied.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.rows)
            .map(|i| self.data[i * self.cols + j])
            .collect()
    }

    /// The row-major data.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Element `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }
}
