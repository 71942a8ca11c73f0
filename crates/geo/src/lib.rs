//! sozialatlas-geo (placeholder; see ARCHITECTURE.md).
