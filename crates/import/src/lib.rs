//! sozialatlas-import (placeholder; see ARCHITECTURE.md).
