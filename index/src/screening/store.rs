//! The screening list on disk: `screening.bin`, a compact little-endian binary of the list and its
//! prebuilt index, so that a short-lived `field screen` loads it in milliseconds instead of
//! re-normalising 57,000 names (or parsing megabytes of JSON).
//!
//! Layout: magic `HLSCREEN`, format version, the tables in the order of [`encode`], magic `END!`.
//! Postings are delta-encoded varints (most trigram lists are short runs of nearby names), which
//! keeps the file small enough to ship in the offline bundle.

use super::index::{IndexedName, NameIndex, Strings, WordRef, TRIGRAM_SPACE};
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
    fn varint(&mut self, mut v: u32) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }
    fn strings(&mut self, strings: &Strings) {
        self.str(&strings.text);
        self.u32s(&strings.ends);
    }
    fn hashes(&mut self, list: &[(u64, u32)]) {
        self.len(list.len());
        for &(h, n) in list {
            self.u64(h);
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
    fn u8(&mut self) -> Decoded<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Decoded<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Decoded<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
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
    fn varint(&mut self) -> Decoded<u32> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let byte = self.u8()?;
            value |= u32::from(byte & 0x7f).checked_shl(shift).ok_or("bad varint")?;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("bad varint".into())
    }
    fn strings(&mut self) -> Decoded<Strings> {
        Ok(Strings { text: self.str()?, ends: self.u32s()? })
    }
    fn hashes(&mut self) -> Decoded<Vec<(u64, u32)>> {
        let n = self.len(12)?;
        (0..n).map(|_| Ok((self.u64()?, self.u32()?))).collect()
    }
}

/// The whole list as bytes.
pub(crate) fn encode(list: &ScreeningList) -> Vec<u8> {
    let mut e = Encoder { out: Vec::with_capacity(8 << 20) };
    e.out.extend_from_slice(MAGIC);
    e.u32(FORMAT_VERSION);
    e.strs(&list.lists);
    e.strings(&list.text);
    e.len(list.parties.len());
    for party in &list.parties {
        for v in [party.id, party.name, party.countries, party.list, party.first_name, party.names] {
            e.u32(v);
        }
    }
    let index = &list.index;
    e.len(index.names.len());
    for name in &index.names {
        e.out.push(u8::from(name.alias));
        for v in [name.party, name.text, name.core_start, name.core_len, name.forms_start, name.forms_len, name.trigrams] {
            e.u32(v);
        }
    }
    e.strings(&index.texts);
    e.len(index.words.len());
    for word in &index.words {
        e.u32(word.plain);
        e.u32(word.key);
    }
    e.u32s(&index.forms);
    e.strings(&index.plains);
    e.strings(&index.keys);
    e.u32s(&index.key_weights.iter().map(|w| w.to_bits()).collect::<Vec<_>>());
    e.u32s(&index.key_names);
    for t in 0..TRIGRAM_SPACE {
        let postings = &index.trigram_names[index.trigram_offsets[t] as usize..index.trigram_offsets[t + 1] as usize];
        e.varint(postings.len() as u32);
        let mut previous = 0;
        for &name in postings {
            e.varint(name - previous);
            previous = name;
        }
    }
    e.hashes(&index.exact_hashes);
    e.hashes(&index.core_hashes);
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
    let party_count = d.len(24)?;
    let mut parties = Vec::with_capacity(party_count);
    for _ in 0..party_count {
        parties.push(StoredParty {
            id: d.u32()?,
            name: d.u32()?,
            countries: d.u32()?,
            list: d.u32()?,
            first_name: d.u32()?,
            names: d.u32()?,
        });
    }
    let name_count = d.len(29)?;
    let mut names = Vec::with_capacity(name_count);
    for _ in 0..name_count {
        let alias = d.u8()? != 0;
        names.push(IndexedName {
            alias,
            party: d.u32()?,
            text: d.u32()?,
            core_start: d.u32()?,
            core_len: d.u32()?,
            forms_start: d.u32()?,
            forms_len: d.u32()?,
            trigrams: d.u32()?,
        });
    }
    let texts = d.strings()?;
    let word_count = d.len(8)?;
    let mut words = Vec::with_capacity(word_count);
    for _ in 0..word_count {
        words.push(WordRef { plain: d.u32()?, key: d.u32()? });
    }
    let forms = d.u32s()?;
    let plains = d.strings()?;
    let keys = d.strings()?;
    let key_weights = d.u32s()?.into_iter().map(f32::from_bits).collect();
    let key_names = d.u32s()?;
    let mut trigram_offsets = Vec::with_capacity(TRIGRAM_SPACE + 1);
    let mut trigram_names = Vec::with_capacity(name_count * 24);
    for _ in 0..TRIGRAM_SPACE {
        trigram_offsets.push(trigram_names.len() as u32);
        let n = d.varint()? as usize;
        if n > name_count {
            return Err("a trigram list is longer than the names".into());
        }
        let mut previous = 0u32;
        for _ in 0..n {
            previous = previous.checked_add(d.varint()?).ok_or("bad posting")?;
            trigram_names.push(previous);
        }
    }
    trigram_offsets.push(trigram_names.len() as u32);
    let exact_hashes = d.hashes()?;
    let core_hashes = d.hashes()?;
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
        trigram_names,
        exact_hashes,
        core_hashes,
    };
    let list = ScreeningList { lists, parties, text, index };
    list.check()?;
    Ok(list)
}
