//! The offline bundle: one file holding a whole index directory, versioned by content and checksummed.
//!
//! Layout: a tar archive whose first member is `manifest.json`, then `bundle.json` (the SHA-256 of every other
//! member), then the tantivy files, all with fixed metadata so that equal directories give equal bytes.
//! Unpacking verifies every member's checksum and opens the index before it replaces anything.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::build::{MANIFEST_FILE, Manifest, read_manifest, replace_dir, staging_path};
use crate::{CatalogueIndex, Error, Result};

const CONTENTS_FILE: &str = "bundle.json";

/// Checksums of the members of a bundle.
#[derive(Debug, Serialize, Deserialize)]
struct BundleContents {
    format: u32,
    files: BTreeMap<String, String>,
}

/// What was packed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    pub version: String,
    pub bytes: u64,
    /// SHA-256 of the whole bundle file, hex.
    pub sha256: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a file, hex.
pub fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer).map_err(|e| Error::io(path, e))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Every file under `dir`, as relative `/`-separated names, sorted.
fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let absolute = dir.join(&relative);
        for item in std::fs::read_dir(&absolute).map_err(|e| Error::io(&absolute, e))? {
            let item = item.map_err(|e| Error::io(&absolute, e))?;
            let name = relative.join(item.file_name());
            let kind = item.file_type().map_err(|e| Error::io(item.path(), e))?;
            if kind.is_dir() {
                stack.push(name);
            } else if kind.is_file() {
                let text = name.to_string_lossy().replace('\\', "/");
                // tantivy's lock files are not part of the index.
                if !text.ends_with(".lock") {
                    out.push(text);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn append(builder: &mut tar::Builder<impl Write>, name: &str, bytes: &[u8], out: &Path) -> Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder.append_data(&mut header, name, bytes).map_err(|e| Error::io(out, e))
}

/// Packs the index directory `dir` into the bundle file `out` (written whole, then renamed into place).
pub fn pack(dir: &Path, out: &Path) -> Result<BundleInfo> {
    let manifest = read_manifest(dir)?;
    let files: Vec<String> =
        list_files(dir)?.into_iter().filter(|name| name != MANIFEST_FILE && name != CONTENTS_FILE).collect();
    let mut contents = BundleContents { format: 1, files: BTreeMap::new() };
    let mut blobs = Vec::with_capacity(files.len());
    for name in &files {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        contents.files.insert(name.clone(), sha256_hex(&bytes));
        blobs.push(bytes);
    }
    let partial = out.with_extension("partial");
    let file = std::fs::File::create(&partial).map_err(|e| Error::io(&partial, e))?;
    let mut builder = tar::Builder::new(std::io::BufWriter::new(file));
    let manifest_json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    append(&mut builder, MANIFEST_FILE, &manifest_json, out)?;
    append(&mut builder, CONTENTS_FILE, &serde_json::to_vec_pretty(&contents).expect("serialises"), out)?;
    for (name, bytes) in files.iter().zip(&blobs) {
        append(&mut builder, name, bytes, out)?;
    }
    let writer = builder.into_inner().map_err(|e| Error::io(out, e))?;
    let file = writer.into_inner().map_err(|e| Error::io(out, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(&partial, e))?;
    drop(file);
    std::fs::rename(&partial, out).map_err(|e| Error::io(out, e))?;
    let bytes = std::fs::metadata(out).map_err(|e| Error::io(out, e))?.len();
    Ok(BundleInfo { version: manifest.version, bytes, sha256: file_sha256(out)? })
}

fn safe_member_name(name: &str) -> bool {
    let path = Path::new(name);
    !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Reads the manifest at the head of a bundle without unpacking it.
pub fn peek_manifest(bundle: &Path) -> Result<Manifest> {
    let bad = |problem: String| Error::BadBundle { path: bundle.to_path_buf(), problem };
    let file = std::fs::File::open(bundle).map_err(|e| Error::io(bundle, e))?;
    let mut archive = tar::Archive::new(file);
    let mut entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    let mut first =
        entries.next().ok_or_else(|| bad("empty file".into()))?.map_err(|e| bad(format!("not a bundle: {e}")))?;
    let name = first.path().map_err(|e| bad(e.to_string()))?.to_string_lossy().into_owned();
    if name != MANIFEST_FILE {
        return Err(bad(format!("first member is {name:?}, not {MANIFEST_FILE}")));
    }
    let mut text = String::new();
    first.read_to_string(&mut text).map_err(|e| bad(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("unreadable manifest: {e}")))
}

/// Unpacks a bundle into the index directory `dest`, verifying every checksum (and the whole file's, when
/// `expected_sha256` is given) and opening the index before it replaces the old one. On any error the old
/// directory is left as it was.
pub fn unpack(bundle: &Path, dest: &Path, expected_sha256: Option<&str>) -> Result<Manifest> {
    let bad = |problem: String| Error::BadBundle { path: bundle.to_path_buf(), problem };
    if let Some(expected) = expected_sha256 {
        let actual = file_sha256(bundle)?;
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(bad(format!("checksum mismatch: expected sha256 {expected}, got {actual}")));
        }
    }
    let staging = staging_path(dest);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let result = unpack_into(bundle, &staging).and_then(|manifest| {
        CatalogueIndex::open(&staging).map_err(|e| bad(format!("index does not open: {e}")))?;
        Ok(manifest)
    });
    match result {
        Ok(manifest) => {
            replace_dir(&staging, dest)?;
            Ok(manifest)
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(error)
        }
    }
}

fn unpack_into(bundle: &Path, staging: &Path) -> Result<Manifest> {
    let bad = |problem: String| Error::BadBundle { path: bundle.to_path_buf(), problem };
    let file = std::fs::File::open(bundle).map_err(|e| Error::io(bundle, e))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut manifest: Option<Manifest> = None;
    let mut contents: Option<BundleContents> = None;
    let mut seen = BTreeMap::new();
    for member in archive.entries().map_err(|e| bad(format!("not a bundle: {e}")))? {
        let mut member = member.map_err(|e| bad(format!("damaged: {e}")))?;
        let name = member.path().map_err(|e| bad(e.to_string()))?.to_string_lossy().into_owned();
        if !safe_member_name(&name) || member.header().entry_type() != tar::EntryType::Regular {
            return Err(bad(format!("member {name:?} is not a plain relative file")));
        }
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).map_err(|e| bad(format!("damaged: {e}")))?;
        match name.as_str() {
            MANIFEST_FILE => {
                manifest = Some(serde_json::from_slice(&bytes).map_err(|e| bad(format!("manifest: {e}")))?);
            }
            CONTENTS_FILE => {
                contents = Some(serde_json::from_slice(&bytes).map_err(|e| bad(format!("contents: {e}")))?);
            }
            _ => {
                let expected = contents
                    .as_ref()
                    .and_then(|c| c.files.get(&name))
                    .ok_or_else(|| bad(format!("member {name:?} is not listed in {CONTENTS_FILE}")))?;
                if &sha256_hex(&bytes) != expected {
                    return Err(bad(format!("member {name:?} is corrupted (checksum mismatch)")));
                }
                seen.insert(name.clone(), ());
            }
        }
        let path = staging.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    }
    let manifest = manifest.ok_or_else(|| bad("no manifest".into()))?;
    let contents = contents.ok_or_else(|| bad(format!("no {CONTENTS_FILE}")))?;
    if let Some(missing) = contents.files.keys().find(|name| !seen.contains_key(*name)) {
        return Err(bad(format!("member {missing:?} is missing (truncated download?)")));
    }
    Ok(manifest)
}
