//! Searching a catalogue index: one implementation for the server and the offline client.

mod expand;
mod merge;
mod plan;
mod snippet;
mod stored;
mod term;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

pub use plan::{Alternative, AlternativeKind, QueryPlan, WordGroup, split_query};
pub use snippet::escape_html;

use crate::analysis::{CatalogueTokenizer, TOKENIZER_NAME};
use crate::build::{Manifest, TANTIVY_DIR, read_manifest};
use crate::codes::{CodeToken, hs_display};
use crate::schema::{CatalogueFields, KIND_PRIOR, TEXT_WEIGHTS};
use crate::{Entry, Error, Kind, Result};
use merge::{Combine, MergeQuery};
use term::{FieldStats, WeightedTermQuery};

/// Score of a hit on its own code.
const OWN_CODE_BOOST: f32 = 40.0;
/// Score of a hit whose code starts with a typed partial code (`2B0`, `8458` for `8458.11`).
const CODE_PREFIX_BOOST: f32 = 10.0;
/// Score of a hit that points to a typed control code (a card citing `2B001`).
const REF_CONTROL_BOOST: f32 = 8.0;
/// Score of a hit mapped to a typed HS code (cards, and controls through cards).
const REF_HS_BOOST: f32 = 12.0;
/// Decompressed doc store blocks kept per segment (16 KiB each, so at most 8 MiB): the full catalogue stores
/// about 7 MiB, and with tantivy's default of 100 blocks most hits decompressed a block again.
const DOC_STORE_CACHE_BLOCKS: usize = 512;
/// Most hits one search returns.
pub const MAX_LIMIT: usize = 100;

/// A search as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub kind: Option<Kind>,
    pub category: Option<String>,
}

impl SearchRequest {
    /// A search for `query` with the default limit of 10 and no filters.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest { query: query.into(), limit: 10, kind: None, category: None }
    }
}

/// One hit, in the shape of the protocol's search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub code: Option<String>,
    pub controls: Vec<String>,
    pub hs: Vec<String>,
    pub score: f32,
    /// HTML: escaped text with `<mark>` around what matched.
    pub snippet: String,
}

/// A search result, in the shape of the protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    pub took_us: u64,
    pub hits: Vec<SearchHit>,
}

/// An opened catalogue index directory, ready to search. Cheap to share across threads.
pub struct CatalogueIndex {
    dir: PathBuf,
    manifest: Manifest,
    reader: IndexReader,
    fields: CatalogueFields,
    /// The denied-party lists, loaded on first use (a search-only process never pays for them).
    screening: std::sync::OnceLock<Option<crate::screening::ScreeningList>>,
}

impl std::fmt::Debug for CatalogueIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueIndex").field("dir", &self.dir).field("version", &self.manifest.version).finish()
    }
}

impl CatalogueIndex {
    /// Opens the index directory built by [`crate::build_index`] or unpacked from a bundle.
    pub fn open(dir: &Path) -> Result<CatalogueIndex> {
        let manifest = read_manifest(dir)?;
        let tantivy_dir = dir.join(TANTIVY_DIR);
        let index = Index::open_in_dir(&tantivy_dir).map_err(|e| match e {
            tantivy::TantivyError::OpenDirectoryError(_) | tantivy::TantivyError::OpenReadError(_) => {
                Error::NoIndex(dir.to_path_buf())
            }
            other => Error::Tantivy(other),
        })?;
        index.tokenizers().register(TOKENIZER_NAME, CatalogueTokenizer);
        let fields = CatalogueFields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(DOC_STORE_CACHE_BLOCKS)
            .try_into()?;
        Ok(CatalogueIndex { dir: dir.to_path_buf(), manifest, reader, fields, screening: std::sync::OnceLock::new() })
    }

    /// Builds the typo automata now rather than on the first misspelt query (a long-running server calls this
    /// once at start; a one-shot `field search` does not, since most queries need no typo correction).
    pub fn warm_up(&self) {
        expand::warm_up();
    }

    /// What the index holds.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The denied-party lists of this index, if it was built with a `csl-json` import.
    pub fn screening(&self) -> Result<Option<&crate::screening::ScreeningList>> {
        if let Some(loaded) = self.screening.get() {
            return Ok(loaded.as_ref());
        }
        let loaded = crate::screening::ScreeningList::load(&self.dir)?;
        Ok(self.screening.get_or_init(|| loaded).as_ref())
    }

    /// The directory it was opened from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// One entry by id, whole.
    pub fn entry(&self, id: &str) -> Result<Option<Entry>> {
        let searcher = self.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, address)) => Ok(Some(self.load_entry(&searcher, *address)?)),
            None => Ok(None),
        }
    }

    fn load_entry(&self, searcher: &Searcher, address: tantivy::DocAddress) -> Result<Entry> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc
            .get_first(self.fields.entry)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::BadQuery("index document without its entry".into()))?;
        serde_json::from_str(json)
            .map_err(|e| Error::BadBundle { path: self.dir.clone(), problem: format!("stored entry unreadable: {e}") })
    }

    /// Analyses a query without running it (for tests and `--explain`).
    pub fn plan(&self, query: &str) -> Result<QueryPlan> {
        plan::plan_query(&self.searcher(), &self.fields, query)
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        let searcher = self.searcher();
        let plan = plan::plan_query(&searcher, &self.fields, &request.query)?;
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let mut hits = Vec::new();
        let mut total = 0;
        if let Some(query) = self.build_query(&searcher, &plan, request)? {
            let ranked = TopDocs::with_limit(limit).tweak_score(move |segment: &tantivy::SegmentReader| {
                let kinds = segment.fast_fields().u64("kind_rank").ok().map(|column| column.first_or_default_col(1));
                move |doc: tantivy::DocId, score: tantivy::Score| {
                    let rank = kinds.as_ref().map_or(1, |column| column.get_val(doc)) as usize;
                    score * KIND_PRIOR.get(rank).copied().unwrap_or(1.0)
                }
            });
            let (count, top) = searcher.search(&query, &(Count, ranked))?;
            total = count;
            let mut highlight = snippet::SnippetQuery::new(plan.highlight_terms(), plan.words.len());
            for (score, address) in top {
                let json = stored::hit_json(&searcher, self.fields.hit, address)?;
                let hit = stored::parse_hit(&json, &self.dir)?;
                let matched_codes = matched_codes(&hit, &plan.codes);
                let text = snippet::HitText { title: &hit.title, names: &hit.names, body: &hit.body };
                hits.push(SearchHit {
                    snippet: snippet::snippet(&text, &mut highlight, &matched_codes),
                    id: hit.id,
                    kind: hit.kind,
                    title: hit.title,
                    code: hit.code,
                    controls: hit.controls,
                    hs: hit.hs,
                    score: (score * 1000.0).round() / 1000.0,
                });
            }
        }
        Ok(SearchResults {
            query: request.query.clone(),
            total,
            took_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            hits,
        })
    }

    /// Plain tantivy BM25 over the text fields with tantivy's query parser (OR of the words, no synonyms, typos,
    /// codes, prior or snippets), returning the hits' ids: the baseline of the relevance and speed benchmarks.
    pub fn search_plain_bm25(&self, query: &str, limit: usize) -> Result<Vec<String>> {
        let searcher = self.searcher();
        let parser = tantivy::query::QueryParser::for_index(
            searcher.index(),
            vec![self.fields.title, self.fields.names, self.fields.body],
        );
        let (query, _errors) = parser.parse_query_lenient(query);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        top.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(doc.get_first(self.fields.id).and_then(|v| v.as_str()).unwrap_or_default().to_string())
            })
            .collect()
    }

    fn build_query(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        request: &SearchRequest,
    ) -> Result<Option<Box<dyn Query>>> {
        if plan.is_empty() {
            return Ok(None);
        }
        let f = &self.fields;
        // Unions are `MergeQuery`s: they score as tantivy's `BooleanQuery` of `Should` clauses and
        // `DisjunctionMaxQuery` do, without their per-union buffers.
        let mut should: Vec<Box<dyn Query>> = Vec::new();
        for code in &plan.codes {
            match code {
                CodeToken::Eccn(eccn) => {
                    should.push(constant(f.code, eccn, OWN_CODE_BOOST));
                    should.push(constant(f.ref_control, eccn, REF_CONTROL_BOOST));
                }
                CodeToken::EccnPrefix(prefix) => {
                    let boost = if prefix.len() >= 3 { CODE_PREFIX_BOOST * 1.5 } else { CODE_PREFIX_BOOST * 0.3 };
                    should.push(constant(f.code_prefix, prefix, boost));
                }
                CodeToken::Hs(digits) => {
                    should.push(constant(f.code, digits, OWN_CODE_BOOST));
                    if digits.len() >= 4 {
                        should.push(constant(f.code_prefix, digits, CODE_PREFIX_BOOST));
                        should.push(constant(f.ref_hs, digits, REF_HS_BOOST));
                    }
                }
            }
        }
        let stats = if plan.words.is_empty() {
            Vec::new()
        } else {
            TEXT_WEIGHTS
                .iter()
                .map(|(field, _)| FieldStats::new(searcher, f.text(*field)))
                .collect::<tantivy::Result<_>>()?
        };
        for group in &plan.words {
            let mut alternatives: Vec<Box<dyn Query>> = Vec::with_capacity(group.alternatives.len());
            for alternative in &group.alternatives {
                alternatives.extend(self.alternative_query(searcher, &stats, alternative)?);
            }
            should.push(Box::new(MergeQuery::new(alternatives, Combine::DisMax { tie_breaker: 0.1 })));
        }
        let matching: Box<dyn Query> = Box::new(MergeQuery::new(should, Combine::Sum));
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(kind) = request.kind {
            filters.push((Occur::Must, term_query(f.kind, kind.as_str())));
        }
        if let Some(category) = &request.category {
            filters.push((Occur::Must, term_query(f.category, category)));
        }
        if filters.is_empty() {
            return Ok(Some(matching));
        }
        filters.push((Occur::Must, matching));
        Ok(Some(Box::new(BooleanQuery::new(filters))))
    }

    /// The query of one reading of a word: every term in one of the text fields, weighted per field. Fields that
    /// lack a term get no clause (it would match nothing, and a term query costs a BM25 weight to build); a
    /// reading with a term that no field holds gets no query at all.
    /// `stats` are the text fields' statistics, in the order of [`TEXT_WEIGHTS`].
    fn alternative_query(
        &self,
        searcher: &Searcher,
        stats: &[FieldStats],
        alternative: &Alternative,
    ) -> Result<Option<Box<dyn Query>>> {
        let mut per_term: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(alternative.terms.len());
        for term in &alternative.terms {
            let mut fields: Vec<Box<dyn Query>> = Vec::with_capacity(TEXT_WEIGHTS.len());
            for ((field, weight), stats) in TEXT_WEIGHTS.iter().zip(stats) {
                let term = Term::from_field_text(self.fields.text(*field), term);
                let doc_freq = searcher.doc_freq(&term)?;
                if doc_freq == 0 {
                    continue;
                }
                let boost = weight * alternative.weight;
                fields.push(Box::new(WeightedTermQuery::new(stats, term, doc_freq, boost)));
            }
            if fields.is_empty() {
                return Ok(None);
            }
            per_term.push((Occur::Must, Box::new(MergeQuery::new(fields, Combine::Sum))));
        }
        Ok(Some(if per_term.len() == 1 {
            per_term.into_iter().next().map(|(_, q)| q).expect("one term")
        } else {
            Box::new(BooleanQuery::new(per_term))
        }))
    }
}

fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

fn constant(field: tantivy::schema::Field, text: &str, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(term_query(field, text), score))
}

/// The codes of an entry that a query's codes hit, in display form, for the snippet.
fn matched_codes(entry: &stored::StoredHit<'_>, codes: &[CodeToken]) -> Vec<String> {
    let mut found = Vec::new();
    let own = entry.code.as_deref().and_then(crate::schema::normalised_code);
    for code in codes {
        let hit = match code {
            CodeToken::Eccn(eccn) => entry.controls.iter().find(|c| c.eq_ignore_ascii_case(eccn)).cloned(),
            CodeToken::EccnPrefix(prefix) => {
                own.as_ref().filter(|own| own.starts_with(prefix.as_str())).and(entry.code.clone())
            }
            CodeToken::Hs(digits) => {
                entry.hs.iter().find(|h| h.replace('.', "").starts_with(digits.as_str())).map(|_| hs_display(digits))
            }
        };
        if let Some(hit) = hit
            && !found.contains(&hit)
        {
            found.push(hit);
        }
    }
    found
}
