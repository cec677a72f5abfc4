//! Weighted term queries on the text fields, scored with BM25 exactly as tantivy's `TermQuery` inside a
//! `BoostQuery` scores them, with what one search shares computed once.
//!
//! tantivy builds, for every term query, a 256-entry length-normalisation table (the same for every term of a
//! field), an explanation with four allocated strings (copied again for every scorer), and looks the term up
//! twice. A search here has a dozen or more (term, field) pairs over tiny posting lists, so that set-up cost
//! more than the scoring. [`FieldStats`] holds a field's table for the whole search; [`WeightedTermQuery`] is
//! built from the document frequency the caller already looked up.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term};

/// tantivy's BM25 parameters (`query/bm25.rs`).
const K1: Score = 1.2;
const B: Score = 0.75;

/// One text field's BM25 statistics for a search: the document count and the length-normalisation table.
#[derive(Debug, Clone)]
pub struct FieldStats {
    total_num_docs: u64,
    norms: Arc<[Score; 256]>,
}

impl FieldStats {
    /// The statistics of `field` over all the searcher's segments, as tantivy's `Bm25Weight::for_terms` computes
    /// them.
    pub fn new(searcher: &Searcher, field: Field) -> tantivy::Result<FieldStats> {
        let total_num_tokens = searcher.total_num_tokens(field)?;
        let total_num_docs = searcher.total_num_docs()?;
        let average_fieldnorm = total_num_tokens as Score / total_num_docs as Score;
        let mut norms = [0.0; 256];
        for (id, norm) in norms.iter_mut().enumerate() {
            let fieldnorm = FieldNormReader::id_to_fieldnorm(id as u8);
            *norm = K1 * (1.0 - B + B * fieldnorm as Score / average_fieldnorm);
        }
        Ok(FieldStats { total_num_docs, norms: Arc::new(norms) })
    }
}

/// A term of a text field, its score multiplied by `boost`.
#[derive(Debug, Clone)]
pub struct WeightedTermQuery {
    term: Term,
    /// `idf × (1 + k1)`, before the boost.
    weight: Score,
    boost: Score,
    norms: Arc<[Score; 256]>,
}

impl WeightedTermQuery {
    /// The query of `term`, which `doc_freq` documents of the searcher hold (at least one).
    pub fn new(stats: &FieldStats, term: Term, doc_freq: u64, boost: Score) -> WeightedTermQuery {
        let x = ((stats.total_num_docs - doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
        let idf = (1.0 + x).ln();
        WeightedTermQuery { term, weight: idf * (1.0 + K1), boost, norms: Arc::clone(&stats.norms) }
    }
}

impl Query for WeightedTermQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

impl Weight for WeightedTermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let field = self.term.field();
        let inverted_index = reader.inverted_index(field)?;
        let Some(term_info) = inverted_index.get_term_info(&self.term)? else {
            return Ok(Box::new(EmptyScorer));
        };
        let postings = inverted_index.read_postings_from_terminfo(&term_info, IndexRecordOption::WithFreqs)?;
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        // As `BoostWeight` then `Bm25Weight::boost_by` do: the boosts multiply first, then the weight.
        let boost = boost * self.boost;
        let weight = if boost == 1.0 { self.weight } else { self.weight * boost };
        Ok(Box::new(WeightedTermScorer { postings, fieldnorms, weight, norms: Arc::clone(&self.norms) }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match")));
        }
        Ok(Explanation::new("BM25 of a weighted term", scorer.score()))
    }
}

struct WeightedTermScorer {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    weight: Score,
    norms: Arc<[Score; 256]>,
}

impl DocSet for WeightedTermScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for WeightedTermScorer {
    fn score(&mut self) -> Score {
        let norm = self.norms[usize::from(self.fieldnorms.fieldnorm_id(self.postings.doc()))];
        let term_freq = self.postings.term_freq() as Score;
        self.weight * (term_freq / (term_freq + norm))
    }
}
