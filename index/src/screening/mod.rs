//! Party screening: consignee and other party names against denied-party lists (the US
//! Consolidated Screening List and any list in its JSON format), offline, in-process.
//!
//! # How a name is matched
//!
//! Names are normalised the same way at import and at query time (`normalise.rs`): transliterated
//! to ASCII (`deunicode`), lower-cased, split on punctuation, dotted initials joined (`S.A.` =
//! `SA`), company-form words and phrases (`Co., Ltd`, `LLC`, `OOO`, `Joint Stock Company`, ...) set
//! apart and stop words (`of`, `the`, `and`) dropped. What remains are the *core words*; each has a
//! comparison key with a few abbreviations expanded (`Intl`) and OCR look-alikes folded (`0`/`O`,
//! `1`/`l`/`I`, `5`/`S`, `8`/`B`, `rn`/`m`).
//!
//! Candidates come from the prebuilt index, never from a scan of all names: a hash of the exact
//! normalised form (so an exact listed name or alias is never missed, whatever else ranks), a
//! hash of the sorted core keys (same words in any order, any company form), trigram postings
//! of the *compacted* name (core words run together and folded), which survive typos, look-alikes,
//! words run together or split and reordering, and for queries of 4–6 letters a direct comparison
//! with the short names (a typo destroys most trigrams of a short name). The best candidates are
//! then scored precisely (`score.rs`): query words paired with listed words (same spelling,
//! look-alike, abbreviation, initial, typos, several words run together or one word split),
//! weighted by rarity. The best-scoring name of each party stands for the party.
//!
//! # Scores and the threshold
//!
//! 1.0 is an exact listed name or alias (apart from case, punctuation, spacing and accents);
//! everything else is at most 0.99: about 0.98 for the same words with a company form dropped,
//! added or written differently, 0.97 for reordered words or words run together, 0.9–0.97 for one
//! typo (1 typo costs `0.5 / word length`, 2 typos `2 / length`, and each further word with
//! typos multiplies by 0.88), and little for names that share only common words: a word weighs
//! `ln(1 + names / names holding it)`, so `Trading` or `International` carry a third of the
//! weight of a distinctive word and never reach the threshold on their own.
//!
//! [`MATCH_THRESHOLD`] is 0.80, chosen on the labelled set `index/eval/screening-labelled.jsonl`
//! (4,238 variants of real listed names made by rule, one or two rules each, and 2,100 names on
//! no list, 400 of them listed company names with their distinctive word replaced; built and
//! measured by `tests/screening_quality.rs`). Sweeping the threshold over that set:
//!
//! | threshold | precision | recall | wrong alerts on the 2,100 unlisted names |
//! |---:|---:|---:|---:|
//! | 0.70 | 0.986 | 0.996 | 60 |
//! | 0.75 | 0.995 | 0.996 | 23 |
//! | **0.80** | **0.9995** | **0.996** | **2** |
//! | 0.85 | 0.9998 | 0.995 | 1 |
//! | 0.90 | 1.000 | 0.993 | 0 |
//! | 0.95 | 1.000 | 0.962 | 0 |
//!
//! 0.80 is where wrong alerts collapse (23 at 0.75, 2 at 0.80) while recall has not yet moved;
//! above it every step loses variants with two mistakes (typo plus a dropped form, look-alike plus
//! run-together words) for one or two fewer alerts. An officer sees every match with its reason,
//! so between a missed listed party and one more alert to dismiss the threshold takes the alert.
//!
//! # Ids and storage
//!
//! A party's id is its list's code and the list's own entity number (`SDN-17014`), or, for lists
//! without numbers (the Entity List, the Denied Persons List, ...), the code and a digest of the
//! entry's name, countries and Federal Register notice (`EL-3f2a9c01de`): the same file imported
//! again gives the same ids. [`ScreeningList::save`] writes [`SCREENING_FILE`], a compact binary of
//! the list with its whole prebuilt index, which [`ScreeningList::load`] reads in a few
//! milliseconds (see `examples/screening_bench.rs`).

mod distance;
mod import;
mod index;
mod normalise;
mod score;
mod store;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};
use index::{NameIndex, NameSource, SHORT_NAME, Strings, trigrams};
use normalise::{core_hash, normalise, stable_hash};
use score::{Assessment, How, PreparedQuery, assess, describe};

/// Matches scoring at least this are returned; see the module docs for why this value.
pub const MATCH_THRESHOLD: f32 = 0.80;

/// The file in an index directory that holds the screening list.
pub const SCREENING_FILE: &str = "screening.bin";

/// How many names with the best trigram overlap are scored precisely. Exact and reordered
/// matches are found by hash and come on top, so this bounds only the fuzzy part of the work.
const FUZZY_CANDIDATES: usize = 64;
/// Names sharing less than this share of trigrams (Dice) with the query are not worth scoring.
const MIN_TRIGRAM_OVERLAP: f32 = 0.3;
/// A query reads the postings of at least this many of its rarest trigrams...
const MIN_TRIGRAMS_READ: usize = 24;
/// ...and then stops once it has read this many bytes of postings (about 20,000 names).
const POSTINGS_BUDGET: usize = 30_000;
/// Names whose trigram overlap is this far below the best one's are not scored.
const OVERLAP_BELOW_BEST: f32 = 0.4;

/// A screening answer (`GET /api/v1/screen`, `field screen --json`), as in protocol-v1.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ScreeningResult {
    /// The name as asked.
    pub query: String,
    /// Time spent screening, in microseconds.
    pub took_us: u64,
    /// Matches at or above [`MATCH_THRESHOLD`], best first, one per party.
    pub matches: Vec<ScreeningMatch>,
}

/// One listed party that matched.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ScreeningMatch {
    /// Stable party id: the list's code and its entity number (`SDN-17014`), or a digest of the
    /// entry when the list gives no number (`EL-3f2a9c01de`).
    pub id: String,
    /// The party's listed name.
    pub name: String,
    /// The listed name or alias that matched.
    pub matched_name: String,
    /// The full list name, e.g. `Entity List (EL) - Bureau of Industry and Security`.
    pub list: String,
    /// ISO 3166-1 alpha-2 codes of the party's addresses.
    pub countries: Vec<String>,
    /// 0.0 to 1.0; 1.0 only for an exact listed name or alias.
    pub score: f32,
    /// How it matched, e.g. `exact alias`, `name: all words, reordered; 1 typo in 'technologies' ('tecnologies')`.
    pub reason: String,
}

/// One listed party, as read from a list file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Party {
    pub id: String,
    pub name: String,
    /// Index into [`ScreeningList`]'s list names.
    pub list: u32,
    pub countries: Vec<String>,
}

/// One listed party as stored: its strings live in [`ScreeningList`]'s `text` table (one buffer
/// for all, so that loading is a copy rather than 100,000 allocations).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub(crate) struct StoredParty {
    /// Ids into the text table: the party id, its listed name, its countries joined by `,`.
    pub id: u32,
    pub name: u32,
    pub countries: u32,
    /// Index into [`ScreeningList`]'s list names.
    pub list: u32,
    /// The party's names (listed name first) are `index.names[first_name..first_name + names]`.
    pub first_name: u32,
    pub names: u32,
}

/// A listed party as seen from outside: for listing, tests and building labelled sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedParty<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The listed name and the aliases that differ from it after normalisation, as written.
    pub names: Vec<&'a str>,
    pub list: &'a str,
    pub countries: Vec<&'a str>,
}

/// Denied-party lists with a prebuilt name index. Build with [`ScreeningList::import_csl_json`]
/// (and [`ScreeningList::merge`]), keep with [`ScreeningList::save`], reopen with [`ScreeningList::load`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct ScreeningList {
    lists: Vec<String>,
    parties: Vec<StoredParty>,
    /// Party ids, names and countries.
    text: Strings,
    index: NameIndex,
}

impl ScreeningList {
    /// Imports a Consolidated Screening List JSON file: every party or, at the first bad entry, an
    /// error naming the file, the entry and the problem.
    pub fn import_csl_json(path: &Path) -> Result<ScreeningList> {
        let imported = import::read_csl_json(path)?;
        Ok(ScreeningList::assemble(imported.lists, imported.parties))
    }

    /// Builds the index over parties and their names (listed name first).
    fn assemble(lists: Vec<String>, parties: Vec<(Party, Vec<String>)>) -> ScreeningList {
        let mut sources = Vec::new();
        let mut text = Strings::default();
        let mut kept = Vec::with_capacity(parties.len());
        for (i, (party, names)) in parties.into_iter().enumerate() {
            for (n, name) in names.into_iter().enumerate() {
                sources.push(NameSource { party: i as u32, text: name, alias: n > 0 });
            }
            kept.push(StoredParty {
                id: text.push(&party.id),
                name: text.push(&party.name),
                countries: text.push(&party.countries.join(",")),
                list: party.list,
                first_name: 0,
                names: 0,
            });
        }
        let index = NameIndex::build(sources);
        // The index drops a party's duplicate spellings: record where each party's names ended up.
        for (n, name) in index.names.iter().enumerate() {
            let party = &mut kept[name.party as usize];
            if party.names == 0 {
                party.first_name = n as u32;
            }
            party.names += 1;
        }
        ScreeningList { lists, parties: kept, text, index }
    }

    /// Adds another list's parties (several lists screened as one). A party whose id is already
    /// present with the same name and list is the same entry imported twice and is skipped;
    /// another party with a taken id keeps its data under the id with a `-2`, `-3`, ... suffix.
    pub fn merge(&mut self, other: ScreeningList) {
        let mut parties: Vec<(Party, Vec<String>)> = Vec::with_capacity(self.parties.len() + other.parties.len());
        let mut ids: HashMap<String, usize> = HashMap::new();
        for party in &self.parties {
            let names = self.names_of(party).map(str::to_string).collect();
            let party = self.unpack(party);
            ids.insert(party.id.clone(), parties.len());
            parties.push((party, names));
        }
        let mut lists = std::mem::take(&mut self.lists);
        for stored in &other.parties {
            let list_name = &other.lists[stored.list as usize];
            let list = match lists.iter().position(|l| l == list_name) {
                Some(i) => i,
                None => {
                    lists.push(list_name.clone());
                    lists.len() - 1
                }
            };
            let names: Vec<String> = other.names_of(stored).map(str::to_string).collect();
            let mut party = Party { list: list as u32, ..other.unpack(stored) };
            if let Some(&existing) = ids.get(&party.id) {
                let (present, present_names) = &parties[existing];
                if present.name == party.name && present.list == party.list && *present_names == names {
                    continue;
                }
                let base = party.id.clone();
                let mut n = 2;
                while ids.contains_key(&party.id) {
                    party.id = format!("{base}-{n}");
                    n += 1;
                }
            }
            ids.insert(party.id.clone(), parties.len());
            parties.push((party, names));
        }
        *self = ScreeningList::assemble(lists, parties);
    }

    /// Number of listed parties.
    pub fn len(&self) -> usize {
        self.parties.len()
    }

    /// True when no party is listed.
    pub fn is_empty(&self) -> bool {
        self.parties.is_empty()
    }

    /// The list names, as in the lists' files.
    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    /// Every party, in import order.
    pub fn parties(&self) -> impl Iterator<Item = ListedParty<'_>> + '_ {
        self.parties.iter().map(|party| ListedParty {
            id: self.text.get(party.id),
            name: self.text.get(party.name),
            names: self.names_of(party).collect(),
            list: &self.lists[party.list as usize],
            countries: self.countries_of(party).collect(),
        })
    }

    fn names_of<'a>(&'a self, party: &StoredParty) -> impl Iterator<Item = &'a str> + 'a {
        let start = party.first_name as usize;
        let end = start + party.names as usize;
        self.index.names[start..end].iter().map(|n| self.index.text_of(n))
    }

    fn countries_of<'a>(&'a self, party: &StoredParty) -> impl Iterator<Item = &'a str> + 'a {
        self.text.get(party.countries).split(',').filter(|c| !c.is_empty())
    }

    fn unpack(&self, party: &StoredParty) -> Party {
        Party {
            id: self.text.get(party.id).to_string(),
            name: self.text.get(party.name).to_string(),
            list: party.list,
            countries: self.countries_of(party).map(str::to_string).collect(),
        }
    }

    /// Writes the list and its index to `dir/screening.bin` (through a temporary file, so a
    /// reader never sees half a file).
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(SCREENING_FILE);
        let temporary = dir.join(format!("{SCREENING_FILE}.tmp"));
        std::fs::write(&temporary, store::encode(self)).map_err(|e| Error::io(&temporary, e))?;
        std::fs::rename(&temporary, &path).map_err(|e| Error::io(&path, e))
    }

    /// Reads `dir/screening.bin`; `None` when the directory holds no screening list.
    pub fn load(dir: &Path) -> Result<Option<ScreeningList>> {
        let path = dir.join(SCREENING_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        store::decode(&bytes).map(Some).map_err(|problem| Error::BadFile {
            path,
            problem: format!("{problem}; rebuild the index with `field index build --import csl-json:PATH`"),
        })
    }

    /// Consistency of a decoded list: every id inside its table.
    fn check(&self) -> std::result::Result<(), String> {
        self.text.check()?;
        let texts = self.text.len() as u32;
        if self.parties.iter().any(|p| p.id >= texts || p.name >= texts || p.countries >= texts) {
            return Err("a party points outside the text table".into());
        }
        if self.parties.iter().any(|p| p.list as usize >= self.lists.len()) {
            return Err("a party names a list that is not there".into());
        }
        let names = self.index.names.len() as u64;
        if self.parties.iter().any(|p| u64::from(p.first_name) + u64::from(p.names) > names) {
            return Err("a party's names point outside the index".into());
        }
        self.index.check(self.parties.len())
    }

    /// Screens one name: matches at or above [`MATCH_THRESHOLD`], best first, at most `limit`
    /// (one per party, by its best-matching name or alias). An empty name matches nothing.
    pub fn screen(&self, name: &str, limit: usize) -> ScreeningResult {
        self.screen_at(name, limit, MATCH_THRESHOLD)
    }

    /// [`ScreeningList::screen`] with another threshold: for measuring how precision and recall
    /// move with it, or for a stricter automatic flag. Thresholds below 0.5 are not meaningful
    /// (candidates are chosen for names that can score well, not for every weak overlap).
    pub fn screen_at(&self, name: &str, limit: usize, threshold: f32) -> ScreeningResult {
        let started = Instant::now();
        let query = PreparedQuery::new(name, &self.index);
        let mut matches = Vec::new();
        if limit > 0 && !query.normalised.exact.is_empty() {
            let mut best: Vec<(Assessment, u32)> = Vec::new();
            let mut best_of_party: HashMap<u32, usize> = HashMap::new();
            let candidates = self.candidates(&query);
            for (name_id, exact) in candidates {
                let listed = &self.index.names[name_id as usize];
                let Some(assessment) = assess(&query, &self.index, listed, exact) else {
                    continue;
                };
                if assessment.score < threshold {
                    continue;
                }
                match best_of_party.get(&listed.party) {
                    Some(&at) => {
                        if rank(&assessment, name_id, &self.index) < rank(&best[at].0, best[at].1, &self.index) {
                            best[at] = (assessment, name_id);
                        }
                    }
                    None => {
                        best_of_party.insert(listed.party, best.len());
                        best.push((assessment, name_id));
                    }
                }
            }
            best.sort_by_key(|(assessment, name_id)| rank(assessment, *name_id, &self.index));
            best.truncate(limit);
            matches = best
                .iter()
                .map(|(assessment, name_id)| {
                    let listed = &self.index.names[*name_id as usize];
                    let party = &self.parties[listed.party as usize];
                    ScreeningMatch {
                        id: self.text.get(party.id).to_string(),
                        name: self.text.get(party.name).to_string(),
                        matched_name: self.index.text_of(listed).to_string(),
                        list: self.lists[party.list as usize].clone(),
                        countries: self.countries_of(party).map(str::to_string).collect(),
                        score: (assessment.score * 1000.0).round() / 1000.0,
                        reason: describe(assessment, &query, &self.index, listed),
                    }
                })
                .collect();
        }
        ScreeningResult { query: name.to_string(), took_us: started.elapsed().as_micros() as u64, matches }
    }

    /// Names worth scoring, each with whether its exact form equals the query's.
    fn candidates(&self, query: &PreparedQuery) -> Vec<(u32, bool)> {
        let index = &self.index;
        let mut chosen: Vec<(u32, bool)> = Vec::new();
        let mut seen: HashSet<u32> = HashSet::new();
        for name_id in NameIndex::with_hash(&index.exact_hashes, stable_hash(&[&query.normalised.exact])) {
            // A hash is only a hint: confirm on the text itself.
            if normalise(index.text_of(&index.names[name_id as usize])).exact == query.normalised.exact
                && seen.insert(name_id)
            {
                chosen.push((name_id, true));
            }
        }
        for name_id in NameIndex::with_hash(&index.core_hashes, core_hash(&query.normalised.core)) {
            if seen.insert(name_id) {
                chosen.push((name_id, false));
            }
        }

        // Short queries: compare with short names directly, one typo allowed from 4 letters.
        let len = query.compact.len();
        if (4..=SHORT_NAME - 1).contains(&len) {
            let starts = &index.short_offsets;
            for at in starts[len - 1] as usize..starts[len + 2] as usize {
                let compact = index.short_compacts.get(at as u32);
                if distance::bounded_distance(query.compact.as_bytes(), compact.as_bytes(), 1).is_some() {
                    let name_id = index.short_names[at];
                    if seen.insert(name_id) {
                        chosen.push((name_id, false));
                    }
                }
            }
        }

        let mut grams = Vec::new();
        trigrams(&query.compact, &mut grams);
        if grams.is_empty() {
            return chosen;
        }
        // Rarest trigrams first; a long query stops once it has read enough postings. Its rare
        // trigrams find its near-identical names as well as all would, at a fraction of the work
        // (a 120-letter name has 110 trigrams, the common ones thousands of postings each).
        grams.sort_by_key(|&g| (index.trigram_offsets[g as usize + 1] - index.trigram_offsets[g as usize], g));
        let mut shared = vec![0u16; index.names.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut read_bytes = 0usize;
        let mut read_grams = 0usize;
        for &gram in &grams {
            if read_grams >= MIN_TRIGRAMS_READ && read_bytes >= POSTINGS_BUDGET {
                break;
            }
            read_grams += 1;
            read_bytes += (index.trigram_offsets[gram as usize + 1] - index.trigram_offsets[gram as usize]) as usize;
            for name_id in index.trigram_names(gram) {
                let count = &mut shared[name_id as usize];
                if *count == 0 {
                    touched.push(name_id);
                }
                *count = count.saturating_add(1);
            }
        }
        // Dice over the trigrams read: a name's trigram count is scaled to the share read, so a
        // name equal to the query still scores 1.
        let read = read_grams as f32;
        let share = read / grams.len() as f32;
        let mut overlaps: Vec<(f32, u32)> = touched
            .into_iter()
            .filter_map(|name_id| {
                let common = f32::from(shared[name_id as usize]);
                let dice = 2.0 * common / (read + share * index.names[name_id as usize].trigrams as f32);
                (dice >= MIN_TRIGRAM_OVERLAP).then_some((dice, name_id))
            })
            .collect();
        if overlaps.len() > FUZZY_CANDIDATES {
            overlaps.select_nth_unstable_by(FUZZY_CANDIDATES - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            overlaps.truncate(FUZZY_CANDIDATES);
        }
        // Far below the best overlap a name cannot score near the best name's score: not worth
        // scoring when the best is a near-identical name (long names make that scoring costly).
        let best = overlaps.iter().map(|o| o.0).fold(0.0f32, f32::max);
        overlaps.retain(|o| o.0 >= best - OVERLAP_BELOW_BEST);
        for (_, name_id) in overlaps {
            if seen.insert(name_id) {
                chosen.push((name_id, false));
            }
        }
        chosen
    }
}

/// Order of matches: higher score first, then names written exactly as asked, listed names
/// before aliases, then list order (so equal matches always come out the same way).
fn rank(assessment: &Assessment, name_id: u32, index: &NameIndex) -> (std::cmp::Reverse<u32>, bool, bool, u32, u32) {
    let name = &index.names[name_id as usize];
    let as_written = matches!(assessment.how, How::Exact { as_written: true });
    (std::cmp::Reverse(assessment.score.to_bits()), !as_written, name.alias, name.party, name_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_list() -> ScreeningList {
        let parties = vec![
            (
                Party {
                    id: "EL-1".into(),
                    name: "Huawei Technologies Co., Ltd.".into(),
                    list: 0,
                    countries: vec!["CN".into()],
                },
                vec!["Huawei Technologies Co., Ltd.".to_string(), "Huawei".to_string()],
            ),
            (
                Party {
                    id: "SDN-9647".into(),
                    name: "ZAHHAR, Mahmoud Khaled".into(),
                    list: 1,
                    countries: vec!["PS".into()],
                },
                vec!["ZAHHAR, Mahmoud Khaled".to_string(), "AL-ZAHAR, Mahmoud".to_string()],
            ),
            (
                Party {
                    id: "SDN-2".into(),
                    name: "GLOBE INTERNATIONAL TRADING SPC".into(),
                    list: 1,
                    countries: vec!["OM".into()],
                },
                vec!["GLOBE INTERNATIONAL TRADING SPC".to_string()],
            ),
        ];
        ScreeningList::assemble(vec!["Entity List (EL)".into(), "SDN".into()], parties)
    }

    #[track_caller]
    fn check(list: &ScreeningList, query: &str, expected_id: Option<&str>, reason_part: &str) {
        let result = list.screen(query, 5);
        match expected_id {
            Some(id) => {
                let first = result.matches.first().unwrap_or_else(|| panic!("{query:?} matched nothing"));
                assert_eq!(first.id, id, "{query:?}: {result:?}");
                assert!(
                    first.reason.contains(reason_part),
                    "{query:?}: reason {:?} lacks {reason_part:?}",
                    first.reason
                );
                assert!(first.score >= MATCH_THRESHOLD);
            }
            None => assert!(result.matches.is_empty(), "{query:?} should match nothing: {result:?}"),
        }
    }

    #[test]
    fn screening_matches_survive_shipping_paper_spellings() {
        let list = tiny_list();
        check(&list, "Huawei Technologies Co., Ltd.", Some("EL-1"), "exact name");
        check(&list, "HUAWEI TECHNOLOGIES CO LTD", Some("EL-1"), "exact name");
        check(&list, "huawei", Some("EL-1"), "exact alias");
        check(&list, "Huawei Technologies", Some("EL-1"), "company form dropped");
        check(&list, "Huawei Technologies Limited", Some("EL-1"), "company form");
        check(&list, "Technologies Huawei", Some("EL-1"), "reordered");
        check(&list, "Huawei Tecnologies", Some("EL-1"), "1 typo in 'technologies'");
        check(&list, "Huawe1 Techn0logies", Some("EL-1"), "look-alike");
        check(&list, "HuaweiTechnologies", Some("EL-1"), "words run together");
        check(&list, "Mahmoud Khaled Zahhar", Some("SDN-9647"), "all words, reordered");
        check(&list, "Mahmoud al Zahar", Some("SDN-9647"), "alias");
    }

    #[test]
    fn screening_result_has_the_protocol_shape() {
        fn shared_between_threads<T: Send + Sync>() {}
        shared_between_threads::<ScreeningList>();
        let result = tiny_list().screen("Huawei Technologies", 1);
        let json = serde_json::to_value(&result).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["matches", "query", "took_us"]);
        let m = &json["matches"][0];
        let mut keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["countries", "id", "list", "matched_name", "name", "reason", "score"]);
        assert_eq!(m["countries"], serde_json::json!(["CN"]));
        // f32 scores print short ("0.98"), as the protocol's examples do.
        assert!(serde_json::to_string(&result).unwrap().contains("\"score\":0.98,"), "{json}");
    }

    #[test]
    fn screening_common_words_alone_never_match() {
        let list = tiny_list();
        check(&list, "International Trading", None, "");
        check(&list, "Trading", None, "");
        check(&list, "", None, "");
        check(&list, "Co., Ltd.", None, "");
        assert!(list.screen("Huawei", 0).matches.is_empty());
    }

    #[test]
    fn screening_merge_and_store_round_trip() {
        let mut list = tiny_list();
        let again = tiny_list();
        list.merge(again);
        assert_eq!(list.len(), 3, "the same parties imported twice are one");
        let dir = std::env::temp_dir().join(format!("screening-unit-{}", std::process::id()));
        assert_eq!(ScreeningList::load(&dir).unwrap(), None);
        list.save(&dir).unwrap();
        let loaded = ScreeningList::load(&dir).unwrap().unwrap();
        assert_eq!(loaded, list);
        assert_eq!(loaded.screen("huawei tecnologies", 5).matches, list.screen("huawei tecnologies", 5).matches);
        std::fs::write(dir.join(SCREENING_FILE), b"HLSCREEN\x01\x00\x00\x00garbage").unwrap();
        let error = ScreeningList::load(&dir).unwrap_err().to_string();
        assert!(error.contains("rebuild"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
