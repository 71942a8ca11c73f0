//! sozialatlas-store (placeholder; see ARCHITECTURE.md).
