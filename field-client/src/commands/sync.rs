//! `field sync`: fetches the server's catalogue bundle when it changed (`If-None-Match`), verifies its
//! SHA-256 and every member's checksum, and swaps it in atomically; on any failure the old catalogue stays.

use std::io::{IsTerminal, Write};

use anyhow::{Context, anyhow};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::HotlineApi;
use crate::home::FieldHome;

/// Runs the sync and says what happened.
pub fn run(home: &FieldHome) -> anyhow::Result<()> {
    let (_, api) = super::signed_in(home)?;
    home.ensure()?;
    crate::block_on(sync(home, &api))?
}

async fn sync(home: &FieldHome, api: &HotlineApi) -> anyhow::Result<()> {
    let dir = home.catalogue_dir();
    let have = hotline_index::read_manifest(&dir).ok().map(|m| m.version);
    let info = api.catalogue().await?;
    let Some(response) = api.bundle(have.as_deref()).await? else {
        println!("catalogue already up to date (version {}, {} entries)", info.version, info.entries);
        return Ok(());
    };
    let download = home.download_file();
    let total = response.content_length().unwrap_or(info.bytes);
    let result = save(api, response, &download, total).await;
    let unpacked = result
        .and_then(|()| hotline_index::bundle::unpack(&download, &dir, Some(&info.sha256)).map_err(anyhow::Error::from));
    let _ = std::fs::remove_file(&download);
    let manifest = unpacked.map_err(|error| {
        let kept = if have.is_some() { "the catalogue you had is kept" } else { "nothing was changed" };
        anyhow!(
            "the downloaded catalogue was rejected ({}); {kept}; run `field sync` again",
            crate::describe_error(&error)
        )
    })?;
    println!(
        "catalogue updated to version {}: {} entries, {} downloaded",
        manifest.version,
        manifest.entries,
        crate::photo::human_bytes(total)
    );
    Ok(())
}

/// Streams the body into `path`, with a progress bar when stderr is a terminal.
async fn save(api: &HotlineApi, response: reqwest::Response, path: &std::path::Path, total: u64) -> anyhow::Result<()> {
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("catalogue {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut file = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| api.offline(&e))?;
        file.write_all(&chunk).with_context(|| format!("cannot write {}", path.display()))?;
        bar.inc(chunk.len() as u64);
    }
    file.sync_all().with_context(|| format!("cannot write {}", path.display()))?;
    bar.finish_and_clear();
    Ok(())
}
