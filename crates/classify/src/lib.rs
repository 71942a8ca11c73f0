//! sozialatlas-classify (placeholder; see ARCHITECTURE.md).
