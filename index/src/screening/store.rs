//! The screening list on disk: `screening.bin`, a compact little-endian binary of the list and its
//! prebuilt index, so that a short-lived `field screen` loads it in milliseconds instead of
//! re-normalising 57,000 names (or parsing megabytes of JSON).
//!
//! Layout: magic `HLSCREEN`, format version, the tables in the order of [`encode`], magic `END!`.
//! Records are stored as columns of u32 and strings as one buffer per table, so decoding is a few
//! slice copies. Trigram postings are delta-encoded varints (most lists are runs of nearby names),
//! which keeps the file small enough for the offline bundle, and stay encoded in memory.

use super::index::{IndexedName, NameIndex, Strings, WordRef};
use super::{ScreeningList, StoredParty};

const MAGIC: &[u8; 8] = b"HLSCREEN";
const END: &[u8; 4] = b"END!";
/// Bump when the layout, normalisation or hashing changes: an index of another version is refused
/// (and rebuilt by its owner) rather than silently matching differently.
pub(crate) const FORMAT_VERSION: u32 = 1;

struct Encoder {
    out: Vec<u8>,
}

impl Encoder {
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("screening tables stay below 4 billion entries"));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
    fn strs(&mut self, list: &[String]) {
        self.len(list.len());
        for s in list {
            self.str(s);
        }
    }
    fn u32s(&mut self, list: &[u32]) {
        self.len(list.len());
        for &v in list {
            self.u32(v);
        }
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.len(bytes.len());
        self.out.extend_from_slice(bytes);
    }
    fn strings(&mut self, strings: &Strings) {
        self.str(&strings.text);
        self.u32s(&strings.ends);
    }
    fn hashes(&mut self, list: &[(u64, u32)]) {
        self.len(list.len());
        for &(h, _) in list {
            self.u64(h);
        }
        for &(_, n) in list {
            self.u32(n);
        }
    }
}

struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Decoded<T> = std::result::Result<T, String>;

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> Decoded<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or("file ends early")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u32(&mut self) -> Decoded<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    /// A count of items that each take at least `item_bytes`, checked against what is left so a
    /// damaged count cannot make us allocate gigabytes.
    fn len(&mut self, item_bytes: usize) -> Decoded<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(item_bytes) > self.bytes.len() - self.at {
            return Err("a table is longer than the file".into());
        }
        Ok(n)
    }
    fn str(&mut self) -> Decoded<String> {
        let n = self.len(1)?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map(str::to_string).map_err(|_| "a string is not UTF-8".to_string())
    }
    fn strs(&mut self) -> Decoded<Vec<String>> {
        let n = self.len(4)?;
        (0..n).map(|_| self.str()).collect()
    }
    fn u32s(&mut self) -> Decoded<Vec<u32>> {
        let n = self.len(4)?;
        let bytes = self.take(4 * n)?;
        Ok(bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect())
    }
    fn bytes(&mut self) -> Decoded<Vec<u8>> {
        let n = self.len(1)?;
        Ok(self.take(n)?.to_vec())
    }
    fn strings(&mut self) -> Decoded<Strings> {
        Ok(Strings { text: self.str()?, ends: self.u32s()? })
    }
    fn hashes(&mut self) -> Decoded<Vec<(u64, u32)>> {
        let n = self.len(12)?;
        let hashes = self.take(8 * n)?;
        let names = self.take(4 * n)?;
        Ok(hashes
            .chunks_exact(8)
            .zip(names.chunks_exact(4))
            .map(|(h, n)| {
                (u64::from_le_bytes(h.try_into().expect("8 bytes")), u32::from_le_bytes(n.try_into().expect("4 bytes")))
            })
            .collect())
    }
}

/// The whole list as bytes.
pub(crate) fn encode(list: &ScreeningList) -> Vec<u8> {
    let mut e = Encoder { out: Vec::with_capacity(8 << 20) };
    e.out.extend_from_slice(MAGIC);
    e.u32(FORMAT_VERSION);
    e.strs(&list.lists);
    e.strings(&list.text);
    // Records as columns of u32: decoding is then one pass over a slice, not a call per field.
    let parties: Vec<u32> =
        list.parties.iter().flat_map(|p| [p.id, p.name, p.countries, p.list, p.first_name, p.names]).collect();
    e.u32s(&parties);
    let index = &list.index;
    let names: Vec<u32> = index
        .names
        .iter()
        .flat_map(|n| {
            [u32::from(n.alias), n.party, n.text, n.core_start, n.core_len, n.forms_start, n.forms_len, n.trigrams]
        })
        .collect();
    e.u32s(&names);
    e.strings(&index.texts);
    e.u32s(&index.words.iter().flat_map(|w| [w.plain, w.key]).collect::<Vec<_>>());
    e.u32s(&index.forms);
    e.strings(&index.plains);
    e.strings(&index.keys);
    e.u32s(&index.key_weights.iter().map(|w| w.to_bits()).collect::<Vec<_>>());
    e.u32s(&index.key_names);
    e.u32s(&index.trigram_offsets);
    e.bytes(&index.trigram_postings);
    e.hashes(&index.exact_hashes);
    e.hashes(&index.core_hashes);
    e.u32s(&index.short_offsets);
    e.u32s(&index.short_names);
    e.strings(&index.short_compacts);
    e.out.extend_from_slice(END);
    e.out
}

/// Reads bytes written by [`encode`]; any damage is an error, never a panic later.
pub(crate) fn decode(bytes: &[u8]) -> Decoded<ScreeningList> {
    let mut d = Decoder { bytes, at: 0 };
    if d.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err("not a screening index".into());
    }
    let version = d.u32()?;
    if version != FORMAT_VERSION {
        return Err(format!("screening index format {version}, this program reads {FORMAT_VERSION}"));
    }
    let lists = d.strs()?;
    let text = d.strings()?;
    let parties = records(&d.u32s()?, 6, |r| StoredParty {
        id: r[0],
        name: r[1],
        countries: r[2],
        list: r[3],
        first_name: r[4],
        names: r[5],
    })?;
    let names = records(&d.u32s()?, 8, |r| IndexedName {
        alias: r[0] != 0,
        party: r[1],
        text: r[2],
        core_start: r[3],
        core_len: r[4],
        forms_start: r[5],
        forms_len: r[6],
        trigrams: r[7],
    })?;
    let texts = d.strings()?;
    let words = records(&d.u32s()?, 2, |r| WordRef { plain: r[0], key: r[1] })?;
    let forms = d.u32s()?;
    let plains = d.strings()?;
    let keys = d.strings()?;
    let key_weights = d.u32s()?.into_iter().map(f32::from_bits).collect();
    let key_names = d.u32s()?;
    let trigram_offsets = d.u32s()?;
    let trigram_postings = d.bytes()?;
    let exact_hashes = d.hashes()?;
    let core_hashes = d.hashes()?;
    let short_offsets = d.u32s()?;
    let short_names = d.u32s()?;
    let short_compacts = d.strings()?;
    if d.take(END.len())? != END || d.at != bytes.len() {
        return Err("the end of the file is damaged".into());
    }
    let index = NameIndex {
        names,
        texts,
        words,
        forms,
        plains,
        keys,
        key_weights,
        key_names,
        trigram_offsets,
        trigram_postings,
        exact_hashes,
        core_hashes,
        short_offsets,
        short_names,
        short_compacts,
    };
    let list = ScreeningList { lists, parties, text, index };
    list.check()?;
    Ok(list)
}

/// Rebuilds records of `width` u32 fields from a column.
fn records<T>(column: &[u32], width: usize, make: impl Fn(&[u32]) -> T) -> Decoded<Vec<T>> {
    if !column.len().is_multiple_of(width) {
        return Err("a record table is damaged".into());
    }
    Ok(column.chunks_exact(width).map(make).collect())
}
