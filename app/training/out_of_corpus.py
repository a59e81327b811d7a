"""Out-of-corpus questions: answerable questions asked of the store with their own articles hidden.

SQuAD 2.0's unanswerable questions are adversarial: written against one paragraph,
they share its words. What users ask that the articles cannot answer is mostly
different: a question about something no article covers ("What is the population
of …?" of a corpus without it). Hiding a question's gold articles from retrieval
turns any answerable train question into such a natural unanswerable one, so the
scorer learns what "nothing here answers this" looks like.
"""

from collections.abc import Iterable

from citeqa.app.qa import QA
from citeqa.app.training.scorer_fit import QuestionRows, question_rows
from citeqa.eval.dataset import Example, out_of_corpus


def collect_out_of_corpus(qa: QA, examples: Iterable[Example], source: str) -> list[QuestionRows]:
    """Feature rows of each example asked with its gold articles hidden; all negatives.

    Questions that name something no retrieved text mentions are left out: answering abstains on
    those before any scoring, so they teach the scorer nothing it is ever asked.
    """
    found = []
    for example in examples:
        unanswerable = out_of_corpus(example)
        hidden = qa.hiding(unanswerable.hidden)
        evidence = hidden.evidence(unanswerable.question)
        if hidden.absent_names(evidence):
            continue
        rows = question_rows(unanswerable, evidence, source)
        if rows is not None:
            found.append(rows)
    return found
