//! One way to build an atlas: read the folder (`sozialatlas-import`), compute every value with
//! the folder's settings (`sozialatlas-core`), write the whole atlas into a store in one
//! transaction, and read the published atlas back. The command line (`build`, `check`, `init`,
//! the embedded demo) and the tests all build through [`AtlasBuild`].

use sozialatlas_core::compute::{Computed, compute};
use sozialatlas_import::{Atlas, FileSource, ImportErrors, load_atlas};
use sozialatlas_model::{Snapshot, Summary};

use crate::{LoadOutcome, Pool, StoreError, clock, open_memory, read_snapshot, write_atlas};

/// Progress of a build, for a progress bar: (step done, steps in all, what). The steps are
/// those of reading the folder and one more for computing.
pub type Progress<'a> = &'a dyn Fn(usize, usize, &str);

/// How to build an atlas: from which files, recorded as which source and program version, and
/// when. [`compute`](Self::compute) reads and computes, and the [`BuiltAtlas`] it gives is
/// written into a store; [`in_memory`](Self::in_memory) does both into a new in-memory store.
pub struct AtlasBuild<'a> {
    src: &'a dyn FileSource,
    progress: Option<Progress<'a>>,
    program_version: String,
    source: String,
    loaded_at: Option<String>,
}

impl<'a> AtlasBuild<'a> {
    /// A build of the atlas folder `src`, recorded with the folder's description as its source,
    /// this program's version and the time it is written.
    pub fn new(src: &'a dyn FileSource) -> Self {
        AtlasBuild {
            src,
            progress: None,
            program_version: env!("CARGO_PKG_VERSION").to_string(),
            source: src.describe(),
            loaded_at: None,
        }
    }

    /// Reports each step to `progress`.
    pub fn progress(mut self, progress: Progress<'a>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The program version recorded with the load (a reload happens when it changes).
    pub fn program_version(mut self, version: &str) -> Self {
        self.program_version = version.to_string();
        self
    }

    /// Where the atlas came from, as the load records it (a folder, "embedded demo").
    pub fn source(mut self, source: &str) -> Self {
        self.source = source.to_string();
        self
    }

    /// When the load happened (RFC 3339), instead of the time it is written.
    pub fn loaded_at(mut self, loaded_at: &str) -> Self {
        self.loaded_at = Some(loaded_at.to_string());
        self
    }

    /// Reads and validates the folder and computes every value; writes nothing.
    pub fn compute(self) -> Result<BuiltAtlas, ImportErrors> {
        let steps = std::cell::Cell::new(0);
        let report = |done: usize, all: usize, what: &str| {
            steps.set(all);
            if let Some(p) = self.progress {
                p(done, all + 1, what);
            }
        };
        let atlas = load_atlas(self.src, &report)?;
        report(steps.get(), steps.get(), "computing indicators");
        let computed = compute(
            &atlas.tree,
            &atlas.catalogue,
            &atlas.observations,
            &atlas.config.settings.compute_settings(),
        );
        Ok(BuiltAtlas {
            atlas,
            computed,
            program_version: self.program_version,
            source: self.source,
            loaded_at: self.loaded_at,
        })
    }

    /// Reads, computes, writes into a new in-memory store and reads the published atlas back.
    pub async fn in_memory(self) -> Result<(Snapshot, Pool), BuildError> {
        Ok(self.compute()?.in_memory().await?)
    }
}

/// An atlas read and computed, to be written.
pub struct BuiltAtlas {
    /// What the folder holds.
    pub atlas: Atlas,
    /// Every value computed from it.
    pub computed: Computed,
    program_version: String,
    source: String,
    loaded_at: Option<String>,
}

impl BuiltAtlas {
    /// The counts a build prints.
    pub fn summary(&self) -> Summary {
        self.atlas.summary(&self.computed)
    }

    /// Writes the atlas into `pool` in one transaction (nothing when the inputs and program
    /// version are those of the latest load).
    pub async fn write(&self, pool: &Pool) -> Result<LoadOutcome, StoreError> {
        let loaded_at = self.loaded_at.clone().unwrap_or_else(clock::now_rfc3339);
        write_atlas(
            pool,
            &self.atlas,
            &self.computed,
            &self.program_version,
            &self.source,
            &loaded_at,
        )
        .await
    }

    /// Writes the atlas into `pool` and reads the published atlas back.
    pub async fn write_and_read(&self, pool: &Pool) -> Result<Snapshot, StoreError> {
        self.write(pool).await?;
        read_snapshot(pool).await
    }

    /// Writes the atlas into a new in-memory store and reads the published atlas back.
    pub async fn in_memory(&self) -> Result<(Snapshot, Pool), StoreError> {
        let pool = open_memory().await?;
        let snap = self.write_and_read(&pool).await?;
        Ok((snap, pool))
    }
}

/// Why a build failed: the folder (the errors name file, line, column) or the store.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The atlas folder is not valid.
    #[error(transparent)]
    Import(#[from] ImportErrors),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
