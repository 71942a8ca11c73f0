//! sozialatlas-analysis (placeholder; see ARCHITECTURE.md).
