//! A union of scorers for a small index: a plain merge of its children, document by document.
//!
//! tantivy's own union (`BooleanQuery` of `Should` clauses, `DisjunctionMaxQuery`) buffers 4,096 documents at a
//! time and allocates a score slot for each, 16 to 48 KiB per union; a search here builds one union per word
//! reading and per word, over posting lists of a few hundred documents, so those buffers cost more than the
//! merging. [`MergeQuery`] scores the same: children in clause order, summed or combined like tantivy's
//! `DisjunctionMaxCombiner` (`max + (sum - max) × tie_breaker`).

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// How the scores of the children that match a document combine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Combine {
    /// Their sum: a `BooleanQuery` of `Should` clauses.
    Sum,
    /// The best plus `tie_breaker` times the others: a `DisjunctionMaxQuery`.
    DisMax { tie_breaker: Score },
}

impl Combine {
    #[inline]
    fn combine(self, scores: impl Iterator<Item = Score>) -> Score {
        match self {
            Combine::Sum => scores.fold(0.0, |sum, score| sum + score),
            Combine::DisMax { tie_breaker } => {
                let (max, sum) =
                    scores.fold((0.0, 0.0), |(max, sum): (Score, Score), score| (score.max(max), sum + score));
                max + (sum - max) * tie_breaker
            }
        }
    }
}

/// Matches what any child matches.
#[derive(Debug)]
pub struct MergeQuery {
    children: Vec<Box<dyn Query>>,
    combine: Combine,
}

impl Clone for MergeQuery {
    fn clone(&self) -> MergeQuery {
        MergeQuery { children: self.children.iter().map(|child| child.box_clone()).collect(), combine: self.combine }
    }
}

impl MergeQuery {
    /// The union of `children`, scored by `combine`.
    pub fn new(children: Vec<Box<dyn Query>>, combine: Combine) -> MergeQuery {
        MergeQuery { children, combine }
    }
}

impl Query for MergeQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let children =
            self.children.iter().map(|child| child.weight(enable_scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(MergeWeight { children, combine: self.combine }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for child in &self.children {
            child.query_terms(visitor);
        }
    }
}

struct MergeWeight {
    children: Vec<Box<dyn Weight>>,
    combine: Combine,
}

impl Weight for MergeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.children.len());
        for weight in &self.children {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                children.push(scorer);
            }
        }
        Ok(match children.len() {
            0 => Box::new(EmptyScorer),
            // One child scores alone the same under both combinations.
            1 => children.pop().expect("one child"),
            _ => Box::new(MergeScorer::new(children, self.combine)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match")));
        }
        let mut explanation = Explanation::new_with_string(format!("{:?} of", self.combine), scorer.score());
        for weight in &self.children {
            if let Ok(child) = weight.explain(reader, doc) {
                explanation.add_detail(child);
            }
        }
        Ok(explanation)
    }
}

/// The merge itself: `doc` is the smallest current document of the children, whose current documents are kept
/// in `docs` (an ended child stays, at `TERMINATED`) so that moving on needs no call to the children that are
/// not on it. The score is computed when asked, over the children on `doc`, in clause order.
struct MergeScorer {
    children: Vec<Box<dyn Scorer>>,
    docs: Vec<DocId>,
    combine: Combine,
    doc: DocId,
}

impl MergeScorer {
    fn new(children: Vec<Box<dyn Scorer>>, combine: Combine) -> MergeScorer {
        let docs = children.iter().map(|child| child.doc()).collect();
        let mut scorer = MergeScorer { children, docs, combine, doc: 0 };
        scorer.settle();
        scorer
    }

    #[inline]
    fn settle(&mut self) {
        self.doc = self.docs.iter().copied().min().unwrap_or(TERMINATED);
    }
}

impl DocSet for MergeScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for (child, at) in self.children.iter_mut().zip(self.docs.iter_mut()) {
            if *at == doc {
                *at = child.advance();
            }
        }
        self.settle();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for (child, at) in self.children.iter_mut().zip(self.docs.iter_mut()) {
            if *at < target {
                *at = child.seek(target);
            }
        }
        self.settle();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children.iter().map(|child| child.size_hint()).fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|child| child.cost()).sum()
    }
}

impl Scorer for MergeScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let scores =
            self.children.iter_mut().zip(self.docs.iter()).filter(|(_, at)| **at == doc).map(|(c, _)| c.score());
        self.combine.combine(scores)
    }
}
