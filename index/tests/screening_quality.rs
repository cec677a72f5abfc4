//! Screening quality on a labelled set built from the real list by rules: variants of listed names
//! (case, punctuation, accents, company form dropped / abbreviated / added, word order, one typo,
//! one OCR look-alike, words run together) and realistic names on no list. Writes the set to
//! `eval/screening-labelled.jsonl` (deterministic: fixed seed) and asserts precision and recall
//! at the match threshold.
//!
//! Labels come from the rules, not from the screener: a variant expects its source party (and
//! any party listed under the very same name); an unlisted name expects nothing, and a generated
//! name that the variant rules could have produced from a listed name is dropped, not labelled.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hotline_index::screening::{MATCH_THRESHOLD, ScreeningList};
use serde::{Deserialize, Serialize};

/// Fixed seed: the labelled file must come out byte-identical on every run.
const SEED: u64 = 0x5C2E_E41A_2026_0731;
const SOURCE_PARTIES: usize = 1200;
/// Single-rule variants per source name; each source name also gets one variant of two rules.
const VARIANTS_PER_NAME: usize = 3;
const UNLISTED_NAMES: usize = 1700;
/// Listed company names with their most distinctive word replaced: the hard negatives, sharing
/// every common word with a listed party ("Xunwei Technologies Co., Ltd.").
const LOOKALIKE_NAMES: usize = 400;
/// Matches looked at per query, as an officer's screen would show.
const LIMIT: usize = 10;

fn data_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/csl/screening-list.json")
}

fn labelled_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/screening-labelled.jsonl")
}

/// SplitMix64: tiny, seedable, the same everywhere (the crate has no `rand`).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One labelled query.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Labelled {
    query: String,
    /// Party ids that must be among the matches; empty for a name on no list.
    expect: Vec<String>,
    /// `variant:<rule>` or `unlisted:<pattern>`.
    kind: String,
    /// The listed name a variant was made from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    listed: Option<String>,
}

/// Company-form words as the generator knows them (independent of the screener's own table).
const FORMS: &[&str] = &[
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "llp",
    "gmbh",
    "ag",
    "ooo",
    "ao",
    "zao",
    "oao",
    "pao",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "sa",
    "srl",
    "bv",
    "nv",
    "pvt",
    "pte",
    "pty",
    "fze",
    "fzco",
    "fzc",
    "sdn",
    "bhd",
    "spa",
    "sarl",
    "as",
    "kft",
    "sro",
    "ltda",
    "cv",
];

/// Multi-word company forms as the generator knows them.
const FORM_PHRASES: &[&str] = &[
    "open joint stock company",
    "closed joint stock company",
    "public joint stock company",
    "joint stock company",
    "limited liability company",
    "limited liability partnership",
    "private limited",
    "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo",
    "aktsionernoe obshchestvo",
    "obshchestvo s ogranichennoi otvetstvennostiu",
    "obshchestvo s ogranichennoi otvetstvennostyu",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "sociedad anonima",
    "societe anonyme",
    "anonim sirketi",
];

fn is_phrase_word(token: &str) -> bool {
    let word = token.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    FORM_PHRASES.iter().any(|p| p.split(' ').any(|w| w == word))
}

/// Lower-case ASCII words of a name, as the labeller sees them.
fn simple_words(text: &str) -> Vec<String> {
    let ascii = deunicode::deunicode(text).to_lowercase().replace(['\'', '`'], "");
    let mut words: Vec<String> =
        ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect();
    // Dotted abbreviations (S.A., J.S.C.) are one word.
    let mut joined = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j < words.len() && words[j].len() == 1 {
            j += 1;
        }
        if j - i >= 2 {
            joined.push(words[i..j].concat());
            i = j;
        } else {
            joined.push(std::mem::take(&mut words[i]));
            i += 1;
        }
    }
    joined
}

/// The identifying words: no forms, no `and`/`of`/`the`.
fn core_words(text: &str) -> Vec<String> {
    let words = simple_words(text);
    let mut core = Vec::new();
    let mut i = 0;
    'words: while i < words.len() {
        for phrase in FORM_PHRASES {
            let phrase: Vec<&str> = phrase.split(' ').collect();
            if words.len() - i >= phrase.len() && phrase.iter().zip(&words[i..]).all(|(p, w)| p == w) {
                i += phrase.len();
                continue 'words;
            }
        }
        if !FORMS.contains(&words[i].as_str()) && !["and", "of", "the"].contains(&words[i].as_str()) {
            core.push(words[i].clone());
        }
        i += 1;
    }
    if core.is_empty() { words } else { core }
}

fn is_form_token(token: &str) -> bool {
    let w = simple_words(token);
    !w.is_empty() && w.iter().all(|w| FORMS.contains(&w.as_str()))
}

/// Replaces the case of `c` by that of `like`.
fn same_case(c: char, like: char) -> char {
    if like.is_uppercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }
}

fn tidy(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace(" ,", ",").trim_matches(|c: char| c == ',' || c == ' ' || c == '-').to_string()
}

// ---- variant rules: each returns None when it does not apply to the name ----

fn vary_case(name: &str, rng: &mut Rng) -> Option<String> {
    let options = [name.to_lowercase(), name.to_uppercase(), title_case(name)];
    let differing: Vec<&String> = options.iter().filter(|o| *o != name).collect();
    (!differing.is_empty()).then(|| rng.pick(&differing).to_string())
}

fn title_case(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn vary_punctuation(name: &str, _: &mut Rng) -> Option<String> {
    let stripped: String = name
        .chars()
        .filter_map(|c| match c {
            '.' | ',' | '(' | ')' | '"' | '\'' | '’' | '“' | '”' | ';' | ':' => None,
            '-' | '/' | '&' => Some(' '),
            c => Some(c),
        })
        .collect();
    let stripped = tidy(&stripped);
    (stripped != name && !core_words(&stripped).is_empty()).then_some(stripped)
}

fn vary_accents(name: &str, rng: &mut Rng) -> Option<String> {
    const ACCENTS: &[(char, char, char)] = &[
        ('a', 'á', 'Á'),
        ('e', 'é', 'É'),
        ('i', 'í', 'Í'),
        ('o', 'ö', 'Ö'),
        ('u', 'ü', 'Ü'),
        ('c', 'ç', 'Ç'),
        ('n', 'ñ', 'Ñ'),
        ('s', 'ş', 'Ş'),
    ];
    let mut chars: Vec<char> = name.chars().collect();
    let positions: Vec<usize> = (0..chars.len())
        .filter(|&i| ACCENTS.iter().any(|(plain, _, _)| chars[i].to_ascii_lowercase() == *plain))
        .collect();
    if positions.is_empty() {
        return None;
    }
    for _ in 0..2 {
        let at = *rng.pick(&positions);
        let (_, lower, upper) =
            ACCENTS.iter().find(|(plain, _, _)| chars[at].to_ascii_lowercase() == *plain).copied()?;
        chars[at] = if chars[at].is_uppercase() { upper } else { lower };
    }
    Some(chars.into_iter().collect())
}

fn vary_form_dropped(name: &str, _: &mut Rng) -> Option<String> {
    let lower = name.to_lowercase();
    let mut text = name.to_string();
    for phrase in
        ["limited liability company", "joint stock company", "public joint stock company", "open joint stock company"]
    {
        if let Some(at) = lower.find(phrase) {
            text = format!("{}{}", &name[..at], &name[at + phrase.len()..]);
            break;
        }
    }
    let kept: Vec<&str> = text.split_whitespace().filter(|t| !is_form_token(t)).collect();
    let dropped = tidy(&kept.join(" "));
    (dropped != tidy(name) && !core_words(&dropped).is_empty() && core_words(&dropped) == core_words(name))
        .then_some(dropped)
}

fn vary_form_abbreviated(name: &str, rng: &mut Rng) -> Option<String> {
    const SHORTER: &[(&str, &str)] = &[
        ("Limited Liability Company", "LLC"),
        ("Joint Stock Company", "JSC"),
        ("Private Limited", "Pvt Ltd"),
        ("Limited", "Ltd"),
        ("Corporation", "Corp"),
        ("Company", "Co"),
        ("Incorporated", "Inc"),
    ];
    const LONGER: &[(&str, &str)] = &[
        ("Ltd", "Limited"),
        ("Corp", "Corporation"),
        ("Co", "Company"),
        ("Inc", "Incorporated"),
        ("LLC", "Limited Liability Company"),
    ];
    let table = if rng.chance(70) { SHORTER } else { LONGER };
    let words: Vec<&str> = name.split(' ').collect();
    for (from, to) in table {
        let from_words: Vec<&str> = from.split(' ').collect();
        for start in 0..words.len() {
            if start + from_words.len() > words.len() {
                break;
            }
            let matches = from_words
                .iter()
                .zip(&words[start..])
                .all(|(f, w)| w.trim_matches(|c: char| c == '.' || c == ',').eq_ignore_ascii_case(f));
            if matches {
                let last = words[start + from_words.len() - 1];
                let trailing: String = last.chars().rev().take_while(|c| *c == '.' || *c == ',').collect();
                let trailing: String = trailing.chars().rev().filter(|c| *c == ',').collect();
                let replacement =
                    if words[start].chars().all(|c| !c.is_lowercase()) { to.to_uppercase() } else { to.to_string() };
                let mut out: Vec<String> = words[..start].iter().map(|w| w.to_string()).collect();
                out.push(format!("{replacement}{trailing}"));
                out.extend(words[start + from_words.len()..].iter().map(|w| w.to_string()));
                return Some(out.join(" "));
            }
        }
    }
    None
}

fn vary_form_added(name: &str, country: Option<&str>, entity: bool, rng: &mut Rng) -> Option<String> {
    if !entity || simple_words(name).iter().any(|w| FORMS.contains(&w.as_str())) {
        return None;
    }
    let forms: &[&str] = match country {
        Some("CN") | Some("HK") => &[" Co., Ltd.", " Co. Ltd", " Limited"],
        Some("RU") | Some("BY") => &[" LLC", " JSC", "OOO "],
        Some("AE") => &[" FZE", " LLC", " FZCO"],
        Some("DE") | Some("AT") | Some("CH") => &[" GmbH", " AG"],
        Some("IR") => &[" Co.", " Company", " PJSC"],
        _ => &[" Ltd", " Inc.", " S.A.", " LLC", " Corp."],
    };
    let form = rng.pick(forms);
    Some(if form.ends_with(' ') { format!("{form}{name}") } else { format!("{name}{form}") })
}

fn vary_reordered(name: &str, person: bool, rng: &mut Rng) -> Option<String> {
    if person && name.matches(',').count() == 1 {
        let (surname, given) = name.split_once(',')?;
        let (surname, given) = (surname.trim(), given.trim());
        return (!surname.is_empty() && !given.is_empty()).then(|| format!("{given} {surname}"));
    }
    let mut words: Vec<&str> = name.split_whitespace().collect();
    // Words are swapped, not the words of a company form ("Stock Joint Company" is nobody's spelling).
    let fixed = |w: &str| is_form_token(w) || is_phrase_word(w);
    let movable: Vec<usize> =
        (0..words.len().saturating_sub(1)).filter(|&i| !fixed(words[i]) && !fixed(words[i + 1])).collect();
    if movable.is_empty() {
        return None;
    }
    let at = *rng.pick(&movable);
    words.swap(at, at + 1);
    let swapped = tidy(&words.join(" "));
    (core_words(&swapped) != core_words(name)).then_some(swapped)
}

/// Word (start, end) byte ranges of alphabetic words of at least `min` letters that are not forms.
fn plain_words(name: &str, min: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in name.char_indices().chain(std::iter::once((name.len(), ' '))) {
        match (c.is_ascii_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= min && !is_form_token(&name[s..i]) {
                    out.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn vary_typo(name: &str, rng: &mut Rng) -> Option<String> {
    let words = plain_words(name, 5);
    if words.is_empty() {
        return None;
    }
    let (start, end) = *rng.pick(&words);
    let mut letters: Vec<char> = name[start..end].chars().collect();
    let at = 1 + rng.below(letters.len() - 1);
    let random_letter = |rng: &mut Rng, like: char| same_case((b'a' + rng.below(26) as u8) as char, like);
    match rng.below(4) {
        0 => {
            let mut c = random_letter(rng, letters[at]);
            while c.eq_ignore_ascii_case(&letters[at]) {
                c = random_letter(rng, letters[at]);
            }
            letters[at] = c;
        }
        1 => {
            letters.remove(at);
        }
        2 => {
            let c = random_letter(rng, letters[at]);
            letters.insert(at, c);
        }
        _ => {
            if at + 1 < letters.len() && letters[at] != letters[at + 1] {
                letters.swap(at, at + 1);
            } else {
                letters.remove(at);
            }
        }
    }
    Some(format!("{}{}{}", &name[..start], letters.into_iter().collect::<String>(), &name[end..]))
}

fn vary_ocr(name: &str, rng: &mut Rng) -> Option<String> {
    const SWAPS: &[(char, &str)] =
        &[('O', "0"), ('o', "0"), ('l', "1"), ('I', "1"), ('i', "1"), ('S', "5"), ('s', "5"), ('B', "8"), ('m', "rn")];
    let words = plain_words(name, 4);
    let positions: Vec<usize> = words
        .iter()
        .flat_map(|&(s, e)| name[s..e].char_indices().map(move |(i, _)| s + i))
        .filter(|&i| SWAPS.iter().any(|(c, _)| name[i..].starts_with(*c)))
        .collect();
    if positions.is_empty() {
        return None;
    }
    let at = *rng.pick(&positions);
    let (c, replacement) = SWAPS.iter().find(|(c, _)| name[at..].starts_with(*c))?;
    Some(format!("{}{}{}", &name[..at], replacement, &name[at + c.len_utf8()..]))
}

fn vary_run_together(name: &str, rng: &mut Rng) -> Option<String> {
    let words = plain_words(name, 2);
    let pairs: Vec<usize> = (0..words.len().saturating_sub(1))
        .filter(|&i| name[words[i].1..words[i + 1].0].chars().all(|c| c == ' ') && words[i + 1].0 - words[i].1 == 1)
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let i = *rng.pick(&pairs);
    Some(format!("{}{}", &name[..words[i].1], &name[words[i + 1].0..]))
}

// ---- names on no list ----

const CN_CITIES: &[&str] = &[
    "Shenzhen",
    "Ningbo",
    "Suzhou",
    "Dongguan",
    "Xiamen",
    "Qingdao",
    "Hangzhou",
    "Foshan",
    "Wuxi",
    "Changzhou",
    "Zhuhai",
    "Jinan",
];
const CN_SYLLABLES: &[&str] = &[
    "heng", "rui", "jia", "xin", "tai", "sheng", "long", "feng", "kang", "yuan", "tong", "bao", "hong", "jin", "ming",
    "cheng", "guang", "run", "xiang", "yi", "de", "hao", "lian", "mei", "qi", "shun", "wan", "yu",
];
const CN_TRADES: &[&str] = &[
    "Electronic Technology",
    "Precision Machinery",
    "Trading",
    "Import and Export",
    "New Material",
    "Optoelectronics",
    "Industrial",
    "Logistics",
    "Chemical",
    "Auto Parts",
    "Hardware Products",
    "Intelligent Equipment",
    "Bearing",
    "Textile",
];
const WEST_BRANDS: &[&str] = &[
    "Nordwind",
    "Altamira",
    "Bergmann",
    "Castellan",
    "Everhart",
    "Falkner",
    "Greystone",
    "Halvorsen",
    "Ironbridge",
    "Juniper",
    "Kestrel",
    "Lindqvist",
    "Marlowe",
    "Northgate",
    "Oakridge",
    "Pemberton",
    "Riverside",
    "Thornbury",
    "Westbrook",
    "Yarrow",
    "Zeller",
    "Brightwater",
    "Coldstream",
    "Fairhaven",
];
const WEST_SYLLABLES: &[&str] = &[
    "vel", "tor", "ax", "mar", "quin", "dor", "lex", "tra", "nov", "sen", "ric", "ola", "zen", "pra", "tek", "vis",
    "cal", "ber",
];
const WEST_TRADES: &[&str] = &[
    "Precision Components",
    "Logistics",
    "Industrial Supplies",
    "Instruments",
    "Engineering",
    "Medical Devices",
    "Packaging",
    "Hydraulics",
    "Optics",
    "Marine Services",
    "Aerospace Parts",
    "Electronics",
    "Freight",
    "Automation",
    "Tooling",
];
const WEST_FORMS: &[&str] =
    &["GmbH", "Ltd", "LLC", "Inc.", "S.A.", "B.V.", "AG", "S.r.l.", "Limited", "Corp.", "Pty Ltd", "AB"];
const RU_SYLLABLES: &[&str] = &[
    "prom", "tekh", "stroy", "snab", "energo", "avto", "metall", "sib", "neva", "servis", "trans", "resurs",
    "komplekt", "mash", "pribor", "optika",
];
const GULF_WORDS: &[&str] = &[
    "Noor", "Fajr", "Baraka", "Sahra", "Waha", "Rayan", "Jazeera", "Sultan", "Yasmin", "Majd", "Amal", "Hilal",
    "Nakheel", "Marwa", "Dana",
];
const GULF_TRADES: &[&str] = &[
    "General Trading",
    "Trading",
    "Shipping",
    "Building Materials Trading",
    "Electronics Trading",
    "Spare Parts Trading",
    "Logistics",
];
const TR_BRANDS: &[&str] = &["Anadolu", "Ege", "Karadeniz", "Marmara", "Toros", "Kapadokya", "Bogazici", "Akdeniz"];
const TR_TRADES: &[&str] = &["Makina", "Elektronik", "Kimya", "Lojistik", "Tekstil", "Otomotiv"];
const IN_BRANDS: &[&str] =
    &["Shree Ganesh", "Sai Krishna", "Vardhman", "Suryodaya", "Kaveri", "Annapurna", "Mahalaxmi", "Trimurti"];
const IN_TRADES: &[&str] =
    &["Engineering Works", "Exports", "Industries", "Polymers", "Pharma", "Forgings", "Castings"];
const PERSONS: &[(&[&str], &[&str])] = &[
    (
        &[
            "Ahmad", "Mohammad", "Ali", "Hassan", "Hossein", "Reza", "Omar", "Khalid", "Youssef", "Karim", "Samir",
            "Tariq", "Farid", "Majid", "Saeed", "Amir", "Mehdi", "Leila", "Maryam", "Fatima",
        ],
        &[
            "Rahimi", "Karimi", "Haddad", "Saleh", "Darwish", "Farahani", "Moradi", "Jafari", "Tehrani", "Khoury",
            "Mansour", "Shirazi", "Qasemi", "Azizi", "Habibi", "Sadeghi", "Nouri", "Kazemi", "Bakri", "Hamdan",
        ],
    ),
    (
        &[
            "Ivan", "Sergei", "Dmitry", "Alexei", "Nikolai", "Andrei", "Pavel", "Oleg", "Yuri", "Mikhail", "Elena",
            "Olga", "Natalia", "Tatiana", "Viktor", "Igor",
        ],
        &[
            "Petrov",
            "Ivanov",
            "Smirnov",
            "Kuznetsov",
            "Popov",
            "Volkov",
            "Sokolov",
            "Lebedev",
            "Morozov",
            "Novikov",
            "Fedorov",
            "Orlov",
            "Belov",
            "Zaitsev",
            "Pavlov",
            "Semenov",
        ],
    ),
    (
        &[
            "Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yong", "Hui", "Tao", "Ming", "Xiaoming", "Jianguo", "Li",
            "Na", "Qiang", "Yan",
        ],
        &[
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu",
            "Hu", "Guo",
        ],
    ),
    (
        &[
            "John", "Michael", "David", "James", "Robert", "Maria", "Anna", "Laura", "Peter", "Thomas", "Hans",
            "Klaus", "Pierre", "Jean", "Carlos", "Luis", "Sofia", "Giulia",
        ],
        &[
            "Smith",
            "Johnson",
            "Miller",
            "Brown",
            "Schmidt",
            "Müller",
            "Dubois",
            "Martin",
            "García",
            "Fernández",
            "Rossi",
            "Bianchi",
            "Jansen",
            "Novak",
            "Keller",
            "Larsen",
            "Moreau",
            "Costa",
        ],
    ),
];

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn coined(rng: &mut Rng, syllables: &[&str], parts: usize) -> String {
    capitalised(&(0..parts).map(|_| *rng.pick(syllables)).collect::<String>())
}

fn unlisted_name(rng: &mut Rng) -> (String, &'static str) {
    match rng.below(10) {
        0 | 1 => {
            let form = if rng.chance(70) { "Co., Ltd." } else { "Co. Ltd" };
            (
                format!("{} {} {} {form}", rng.pick(CN_CITIES), coined(rng, CN_SYLLABLES, 2), rng.pick(CN_TRADES)),
                "company-cn",
            )
        }
        2 | 3 => {
            let brand = if rng.chance(60) { rng.pick(WEST_BRANDS).to_string() } else { coined(rng, WEST_SYLLABLES, 3) };
            (format!("{brand} {} {}", rng.pick(WEST_TRADES), rng.pick(WEST_FORMS)), "company-west")
        }
        4 => {
            let brand = coined(rng, RU_SYLLABLES, 2);
            let name = match rng.below(3) {
                0 => format!("OOO {brand}"),
                1 => format!("{brand} LLC"),
                _ => {
                    let syllable: &&str = rng.pick(RU_SYLLABLES);
                    format!("AO {brand}{}", capitalised(syllable))
                }
            };
            (name, "company-ru")
        }
        5 => {
            let name = if rng.chance(50) {
                format!("Al {} {} LLC", rng.pick(GULF_WORDS), rng.pick(GULF_TRADES))
            } else {
                format!("{} {} {} FZE", rng.pick(GULF_WORDS), rng.pick(GULF_WORDS), rng.pick(GULF_TRADES))
            };
            (name, "company-gulf")
        }
        6 => {
            if rng.chance(50) {
                (format!("{} {} Dis Ticaret Ltd. Sti.", rng.pick(TR_BRANDS), rng.pick(TR_TRADES)), "company-tr")
            } else {
                (format!("{} {} Pvt. Ltd.", rng.pick(IN_BRANDS), rng.pick(IN_TRADES)), "company-in")
            }
        }
        _ => {
            let (firsts, lasts) = rng.pick(PERSONS);
            let first = rng.pick(firsts);
            let last = rng.pick(lasts);
            let name = match rng.below(4) {
                0 => format!("{} {first} {last}", rng.pick(firsts)),
                1 => format!("{}, {first}", last.to_uppercase()),
                _ => format!("{first} {last}"),
            };
            (name, "person")
        }
    }
}

/// At most one edit (insert, delete, substitute, swap neighbours) apart.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Less => ra == &rb[1..],
        std::cmp::Ordering::Greater => &ra[1..] == rb,
    }
}

/// What the labeller knows of the listed names: their core words, to tell an unlisted name from
/// a variant of a listed one.
struct ListedWords {
    cores: Vec<Vec<String>>,
    by_word: HashMap<String, Vec<usize>>,
    sorted: HashSet<Vec<String>>,
    compact: HashSet<String>,
}

impl ListedWords {
    fn new(names: impl Iterator<Item = String>) -> ListedWords {
        let mut listed =
            ListedWords { cores: Vec::new(), by_word: HashMap::new(), sorted: HashSet::new(), compact: HashSet::new() };
        for name in names {
            let core = core_words(&name);
            let id = listed.cores.len();
            for word in &core {
                listed.by_word.entry(word.clone()).or_default().push(id);
            }
            let mut sorted = core.clone();
            sorted.sort();
            listed.sorted.insert(sorted);
            listed.compact.insert(core.concat());
            listed.cores.push(core);
        }
        listed
    }

    /// True when `name` equals a listed name up to forms, order and spacing, or is one edit in
    /// one word away from one: such a name is a variant by the rules above, not an unlisted name.
    fn near(&self, name: &str) -> bool {
        let core = core_words(name);
        let mut sorted = core.clone();
        sorted.sort();
        if self.sorted.contains(&sorted) || self.compact.contains(&core.concat()) {
            return true;
        }
        let near_core = |listed: &[String]| {
            if listed.len() != core.len() {
                return false;
            }
            let mut rest: Vec<&String> = listed.iter().collect();
            let mut unmatched = Vec::new();
            for word in &core {
                match rest.iter().position(|l| *l == word) {
                    Some(at) => {
                        rest.swap_remove(at);
                    }
                    None => unmatched.push(word),
                }
            }
            unmatched.len() <= 1 && unmatched.iter().zip(&rest).all(|(a, b)| within_one_edit(a, b))
        };
        if core.len() == 1 {
            return self.cores.iter().any(|listed| near_core(listed));
        }
        // A near name shares all words but one, so it shares one of any two of its words.
        let mut words: Vec<&String> = core.iter().collect();
        words.sort_by_key(|w| self.by_word.get(*w).map_or(0, Vec::len));
        words
            .iter()
            .take(2)
            .any(|w| self.by_word.get(*w).is_some_and(|ids| ids.iter().any(|&id| near_core(&self.cores[id]))))
    }
}

const RULES: &[&str] = &[
    "case",
    "punctuation",
    "accents",
    "form-dropped",
    "form-abbreviated",
    "form-added",
    "reordered",
    "typo",
    "ocr",
    "run-together",
];

/// Builds the labelled set from the list and its raw file (for party types).
fn generate(list: &ScreeningList, raw: &serde_json::Value) -> Vec<Labelled> {
    let mut rng = Rng(SEED);
    let parties: Vec<_> = list.parties().collect();
    let entries = raw["entries"].as_array().unwrap();
    assert_eq!(entries.len(), parties.len());
    // Parties sharing a name: a variant of it may rightly find any of them.
    let mut by_name: HashMap<Vec<String>, Vec<&str>> = HashMap::new();
    for party in &parties {
        for name in &party.names {
            by_name.entry(simple_words(name)).or_default().push(party.id);
        }
    }
    let mut out = Vec::new();
    let mut chosen = HashSet::new();
    while chosen.len() < SOURCE_PARTIES {
        let at = rng.below(parties.len());
        if !chosen.insert(at) {
            continue;
        }
        let party = &parties[at];
        let kind = entries[at].get("t").and_then(|t| t.as_str());
        let name = if party.names.len() > 1 && rng.chance(30) {
            party.names[1 + rng.below(party.names.len() - 1)]
        } else {
            party.names[0]
        };
        let country = party.countries.first().copied();
        let person = kind == Some("Individual") || (kind.is_none() && name.matches(',').count() == 1);
        let entity = kind == Some("Entity");
        let vary = |rule: &str, text: &str, rng: &mut Rng| {
            let varied = match rule {
                "case" => vary_case(text, rng),
                "punctuation" => vary_punctuation(text, rng),
                "accents" => vary_accents(text, rng),
                "form-dropped" => vary_form_dropped(text, rng),
                "form-abbreviated" => vary_form_abbreviated(text, rng),
                "form-added" => vary_form_added(text, country, entity, rng),
                "reordered" => vary_reordered(text, person, rng),
                "typo" => vary_typo(text, rng),
                "ocr" => vary_ocr(text, rng),
                "run-together" => vary_run_together(text, rng),
                _ => unreachable!("unknown rule {rule}"),
            };
            varied.filter(|v| v != text && !simple_words(v).is_empty())
        };
        let mut variants: Vec<(&str, String)> =
            RULES.iter().filter_map(|&rule| vary(rule, name, &mut rng).map(|v| (rule, v))).collect();
        let mut expect: Vec<String> =
            by_name.get(&simple_words(name)).into_iter().flatten().map(|id| id.to_string()).collect();
        expect.sort();
        expect.dedup();
        // Papers rarely make one mistake only: one variant applies a second rule to a first.
        let combined = if variants.is_empty() {
            None
        } else {
            let (first, text) = variants[rng.below(variants.len())].clone();
            let second = *rng.pick(RULES);
            (second != first).then(|| vary(second, &text, &mut rng).map(|v| (format!("{first}+{second}"), v))).flatten()
        };
        for _ in 0..VARIANTS_PER_NAME.min(variants.len()) {
            let (rule, query) = variants.swap_remove(rng.below(variants.len()));
            out.push(Labelled {
                query,
                expect: expect.clone(),
                kind: format!("variant:{rule}"),
                listed: Some(name.to_string()),
            });
        }
        if let Some((_rules, query)) = combined {
            out.push(Labelled {
                query,
                expect: expect.clone(),
                kind: "variant:two-rules".into(),
                listed: Some(name.to_string()),
            });
        }
    }
    let listed = ListedWords::new(parties.iter().flat_map(|p| p.names.iter().map(|n| n.to_string())));
    let mut seen = HashSet::new();
    let mut unlisted = 0;
    while unlisted < UNLISTED_NAMES {
        let (query, pattern) = unlisted_name(&mut rng);
        if !seen.insert(core_words(&query)) || listed.near(&query) {
            continue;
        }
        out.push(Labelled { query, expect: Vec::new(), kind: format!("unlisted:{pattern}"), listed: None });
        unlisted += 1;
    }
    let mut lookalikes = 0;
    while lookalikes < LOOKALIKE_NAMES {
        let at = rng.below(parties.len());
        if entries[at].get("t").and_then(|t| t.as_str()) != Some("Entity") {
            continue;
        }
        let name = parties[at].name;
        let words: Vec<(usize, usize)> =
            plain_words(name, 4).into_iter().filter(|&(s, e)| !is_phrase_word(&name[s..e])).collect();
        if core_words(name).len() < 2 || words.is_empty() {
            continue;
        }
        // The rarest word is what tells this party from others in its trade.
        let &(start, end) = words
            .iter()
            .min_by_key(|(s, e)| listed.by_word.get(&name[*s..*e].to_lowercase()).map_or(0, Vec::len))
            .unwrap();
        let syllables = if rng.chance(50) { CN_SYLLABLES } else { WEST_SYLLABLES };
        let parts = 2 + rng.below(2);
        let mut coined = coined(&mut rng, syllables, parts);
        if name[start..end].chars().all(|c| c.is_uppercase()) {
            coined = coined.to_uppercase();
        }
        let query = format!("{}{coined}{}", &name[..start], &name[end..]);
        if !seen.insert(core_words(&query)) || listed.near(&query) {
            continue;
        }
        out.push(Labelled {
            query,
            expect: Vec::new(),
            kind: "unlisted:lookalike".into(),
            listed: Some(name.to_string()),
        });
        lookalikes += 1;
    }
    out
}

/// Thresholds reported around the screener's.
const SWEEP: [f32; 7] = [0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.99];

/// Precision and recall of (found an expected party, raised any alert) per query. An alert on a
/// name on no list, or one naming only other parties for a variant, is a wrong alert.
fn precision_recall(set: &[Labelled], outcomes: &[(bool, bool)]) -> (f64, f64) {
    let (mut right, mut wrong, mut positives) = (0usize, 0usize, 0usize);
    for (l, &(found, alerted)) in set.iter().zip(outcomes) {
        if !l.expect.is_empty() {
            positives += 1;
        }
        if found {
            right += 1;
        } else if alerted {
            wrong += 1;
        }
    }
    (right as f64 / (right + wrong).max(1) as f64, right as f64 / positives.max(1) as f64)
}

/// Counts per kind of query.
#[derive(Default)]
struct Tally {
    queries: usize,
    found: usize,
    wrong_alerts: usize,
}

#[test]
fn screening_precision_and_recall_on_the_labelled_set() {
    let path = data_path();
    if !path.exists() {
        eprintln!("SKIPPED: {} is absent (a clone without ../shared/data); CI has it", path.display());
        return;
    }
    let list = ScreeningList::import_csl_json(&path).unwrap();
    let raw: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let set = generate(&list, &raw);
    let text: String = set.iter().map(|l| serde_json::to_string(l).unwrap() + "\n").collect();
    assert_eq!(generate(&list, &raw), set, "the generator is deterministic");
    let out = labelled_path();
    if std::fs::read_to_string(&out).ok().as_deref() != Some(text.as_str()) {
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        std::fs::write(&out, &text).unwrap();
        eprintln!("wrote {} ({} queries)", out.display(), set.len());
    }

    // Screen in parallel (the set is a few thousand queries and CI runs unoptimised code), once
    // at the lowest threshold of the sweep: every other threshold's answer is a filter of it.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let answers: Vec<Vec<(String, f32)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = set
            .chunks(set.len().div_ceil(threads))
            .map(|chunk| {
                let list = &list;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|l| {
                            let result = list.screen_at(&l.query, LIMIT, SWEEP[0]);
                            result.matches.into_iter().map(|m| (m.id, m.score)).collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let at = |threshold: f32| -> Vec<(bool, bool)> {
        set.iter()
            .zip(&answers)
            .map(|(l, matches)| {
                let kept: Vec<&(String, f32)> = matches.iter().filter(|(_, score)| *score >= threshold).collect();
                (kept.iter().any(|(id, _)| l.expect.contains(id)), !kept.is_empty())
            })
            .collect()
    };
    eprintln!("\nPrecision and recall by threshold (the screener's is {MATCH_THRESHOLD}):\n");
    eprintln!("| threshold | precision | recall | recall, two-rule variants | wrong alerts on unlisted names |");
    eprintln!("|---:|---:|---:|---:|---:|");
    for threshold in SWEEP {
        let outcomes = at(threshold);
        let (precision, recall) = precision_recall(&set, &outcomes);
        let two: Vec<(Labelled, (bool, bool))> =
            set.iter().cloned().zip(outcomes.iter().copied()).filter(|(l, _)| l.kind == "variant:two-rules").collect();
        let (two_set, two_outcomes): (Vec<Labelled>, Vec<(bool, bool)>) = two.into_iter().unzip();
        let (_, two_recall) = precision_recall(&two_set, &two_outcomes);
        let unlisted_alerts = set.iter().zip(&outcomes).filter(|(l, o)| l.expect.is_empty() && o.1).count();
        eprintln!("| {threshold:.2} | {precision:.4} | {recall:.4} | {two_recall:.4} | {unlisted_alerts} |");
    }
    let outcomes = at(MATCH_THRESHOLD);
    // The screener itself must agree with the sweep at its own threshold.
    for (l, &(found, alerted)) in set.iter().zip(&outcomes).step_by(97) {
        let result = list.screen(&l.query, LIMIT);
        assert_eq!(
            (result.matches.iter().any(|m| l.expect.contains(&m.id)), !result.matches.is_empty()),
            (found, alerted),
            "{l:?}"
        );
    }

    let mut by_kind: BTreeMap<&str, Tally> = BTreeMap::new();
    let (mut true_alerts, mut wrong_alerts, mut positives) = (0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    let mut false_alerts = Vec::new();
    for (labelled, &(found, alerted)) in set.iter().zip(&outcomes) {
        let tally = by_kind.entry(&labelled.kind).or_default();
        tally.queries += 1;
        if labelled.expect.is_empty() {
            if alerted {
                wrong_alerts += 1;
                tally.wrong_alerts += 1;
                false_alerts.push(labelled);
            }
        } else {
            positives += 1;
            if found {
                true_alerts += 1;
                tally.found += 1;
            } else {
                misses.push(labelled);
                if alerted {
                    // An alert that names only other parties is a wrong alert too.
                    wrong_alerts += 1;
                    tally.wrong_alerts += 1;
                }
            }
        }
    }
    let (precision, recall) = precision_recall(&set, &outcomes);
    assert_eq!(recall, true_alerts as f64 / positives as f64);
    eprintln!("\nScreening quality at threshold {MATCH_THRESHOLD} ({} queries, limit {LIMIT}):\n", set.len());
    eprintln!("| kind | queries | found | wrong alerts |");
    eprintln!("|---|---:|---:|---:|");
    for (kind, tally) in &by_kind {
        eprintln!("| {kind} | {} | {} | {} |", tally.queries, tally.found, tally.wrong_alerts);
    }
    eprintln!(
        "\nprecision {precision:.4}, recall {recall:.4} ({true_alerts} of {positives} variants found, {wrong_alerts} wrong alerts)"
    );
    for miss in misses.iter().take(25) {
        let top = list.screen(&miss.query, 3).matches;
        eprintln!(
            "  missed {:?} ({}, from {:?}): {:?}",
            miss.query,
            miss.kind,
            miss.listed.as_deref().unwrap_or(""),
            top.iter().map(|m| (&m.matched_name, m.score)).collect::<Vec<_>>()
        );
    }
    for alert in false_alerts.iter().take(25) {
        let top = list.screen(&alert.query, 3).matches;
        eprintln!(
            "  false alert {:?} ({}): {:?}",
            alert.query,
            alert.kind,
            top.iter().map(|m| (&m.matched_name, m.score, &m.reason)).collect::<Vec<_>>()
        );
    }
    assert!(recall >= 0.95, "recall {recall:.4} is below 0.95");
    assert!(precision >= 0.90, "precision {precision:.4} is below 0.90");
}
