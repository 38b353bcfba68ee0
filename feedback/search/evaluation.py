"""The search query set and its labelled corpus (feedback/analysis/eval/search_*_zh.jsonl):
running the queries and the recall on the first page of results (the corpus is submitted through
the intake service by ``feedback.tests.search_corpus``). Used by
feedback/tests/test_search_eval.py and ``bench/search.py --eval``.

Corpus: 367 Chinese opinions on four consultations (the 325 of the campaign set: long and short
form letters, Traditional copies, zero-width characters, emoji; and 42 written for search: lifts
in old buildings, with 一楼一议, Traditional and Simplified pairs, clause-box texts, free-text
answers, PM2.5 in full and half width). Each text goes where its ``part`` says: the general
comment, a clause box, or the free-text answer of a question. The expected ids of a query are
every opinion of its consultation whose text, folded (OpenCC t2s, NFKC, case, letters and digits
only), contains the query's words; they were labelled once and are stored with the query, so a
change of the search is measured against them.
"""

from __future__ import annotations

import json
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1] / "analysis" / "eval"
CORPUS = EVAL / "search_corpus_zh.jsonl"
QUERIES = EVAL / "search_queries_zh.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def corpus_keys() -> list[str]:
    return sorted({r["consultation"] for r in read_jsonl(CORPUS)})


def evaluate(consultations: dict, pks: dict[int, int]) -> list[dict]:
    """Each query with the corpus ids found on the first page of the staff search and its
    recall there."""
    from feedback.search.query import PAGE_SIZE, search

    ids_by_pk = {pk: i for i, pk in pks.items()}
    out = []
    for q in read_jsonl(QUERIES):
        first_page = search(consultations[q["consultation"]], q["q"])[:PAGE_SIZE]
        found = {ids_by_pk[pk] for pk in first_page.values_list("pk", flat=True)}
        expected = set(q["expected"])
        recall = len(found & expected) / len(expected) if expected else 1.0
        out.append({**q, "found": sorted(found), "recall": recall})
    return out


def overall_recall(results: list[dict]) -> float:
    hits = sum(len(set(r["expected"]) & set(r["found"])) for r in results)
    return hits / sum(len(r["expected"]) for r in results)


def report_lines(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        extra = sorted(set(r["found"]) - set(r["expected"]))
        missed = sorted(set(r["expected"]) - set(r["found"]))
        lines.append(
            f"{r['q']:<16} {r['consultation']:<7} expected {len(r['expected']):>3}  "
            f"recall {r['recall']:.3f}  not expected {len(extra):>2}"
            + (f"  missed {missed}" if missed else "")
        )
    lines.append(f"{len(results)} queries: recall on the first page {overall_recall(results):.4f}")
    return lines
