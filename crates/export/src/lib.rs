//! sozialatlas-export (placeholder; see ARCHITECTURE.md).
