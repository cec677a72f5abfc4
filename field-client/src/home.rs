//! The client's home directory (`--home`, `FIELD_HOME`, or the platform's data directory) and what lives in it.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hotline_index::{BuildPlan, CatalogueIndex};

/// The home directory of the client.
#[derive(Debug, Clone)]
pub struct FieldHome {
    root: PathBuf,
}

impl FieldHome {
    /// `--home` if given, else the platform data directory (`~/.local/share/border-hotline-field` on Linux).
    pub fn resolve(explicit: Option<&Path>) -> anyhow::Result<FieldHome> {
        let root = match explicit {
            Some(path) => path.to_path_buf(),
            None => dirs::data_dir()
                .context("no platform data directory is known here; pass --home DIR or set FIELD_HOME")?
                .join("border-hotline-field"),
        };
        Ok(FieldHome { root })
    }

    /// The home directory itself, created when missing.
    pub fn ensure(&self) -> std::io::Result<&Path> {
        std::fs::create_dir_all(&self.root)?;
        Ok(&self.root)
    }

    /// The signed-in session: server URL and token (mode 0600).
    pub fn session_file(&self) -> PathBuf {
        self.root.join("session.json")
    }

    /// The offline outbox (SQLite).
    pub fn outbox_file(&self) -> PathBuf {
        self.root.join("outbox.sqlite")
    }

    /// Shrunk photos waiting in the outbox.
    pub fn outbox_photos_dir(&self) -> PathBuf {
        self.root.join("outbox-photos")
    }

    /// Where `field sync` downloads a bundle before verifying it.
    pub fn download_file(&self) -> PathBuf {
        self.root.join("catalogue-download.part")
    }

    /// The offline catalogue index directory.
    pub fn catalogue_dir(&self) -> PathBuf {
        self.root.join("catalogue")
    }

    /// Opens `--index DIR` when given; otherwise the offline catalogue in home, setting up the built-in
    /// starter catalogue there first when nothing was synced yet.
    pub fn open_catalogue(&self, explicit: Option<&Path>) -> anyhow::Result<CatalogueIndex> {
        if let Some(dir) = explicit {
            return CatalogueIndex::open(dir).with_context(|| format!("cannot open the index in {}", dir.display()));
        }
        let dir = self.catalogue_dir();
        match CatalogueIndex::open(&dir) {
            Ok(index) => Ok(index),
            Err(hotline_index::Error::NoIndex(_)) => {
                eprintln!(
                    "field: no catalogue synced yet; setting up the built-in starter catalogue in {} (run `field sync` for the full one)",
                    dir.display()
                );
                std::fs::create_dir_all(&self.root)
                    .with_context(|| format!("cannot create {}", self.root.display()))?;
                hotline_index::build_index(&BuildPlan { include_builtin: true, imports: Vec::new() }, &dir)?;
                Ok(CatalogueIndex::open(&dir)?)
            }
            Err(other) => Err(other.into()),
        }
    }
}
