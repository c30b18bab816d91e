"""`make bench`, section `engine` (issue 30): Docent's BM25 ranking against tantivy itself.

The anchor is a plain tantivy index (PyPI `tantivy`, its `en_stem` analyzer, BM25) built in this
process from the same passages' texts; Docent is `bm25.lexical_scores`, what the search page and
the answers call to rank, with this host's search index (`search_index.py`), given the workspace
row as a request reads it: the index is as new as that row already, so no query runs (a change
since would cost one query and the change's sync). Neither side counts every match (`count=False`).
Both return the ids and scores of the best 10 passages; the two are timed interleaved,
query by query, in the same process, and the ratios (Docent ÷ tantivy) of the median and the
95th percentile over all queries are printed with each group's, and for how many queries Docent's
top 10 is tantivy's (the same scores rank by rank; passages tied at the 10th score interchangeable).
"""

import statistics
import tempfile
import time
from dataclasses import dataclass

import tantivy

from workspaces.documents.models import DocumentPassage, DocumentStatus
from workspaces.retrieval.bm25 import lexical_scores
from workspaces.retrieval.query import query_terms

TOP = 10


@dataclass
class Timing:
    group: str
    docent: list[float]
    anchor: list[float]
    same: list[float]  # per query: 1 when Docent's top 10 is tantivy's (`same_top`)


def anchor_index(workspace) -> tuple[tantivy.Index, float]:
    """A tantivy index of the workspace's ready passages, as tantivy's own documentation builds one."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True)
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    index = tantivy.Index(builder.build(), path=tempfile.mkdtemp(prefix="docent-bench-tantivy-"))
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    started = time.perf_counter()
    rows = DocumentPassage.objects.filter(
        document__workspace=workspace, document__status=DocumentStatus.READY
    ).values_list("pk", "heading_path", "text")
    for pk, heading_path, text in rows.iterator(chunk_size=5_000):
        writer.add_document(tantivy.Document(id=pk, text=f"{heading_path}\n{text}" if heading_path else text))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started


def anchor_top(index: tantivy.Index, searcher, query: str) -> list[tuple[int, float]]:
    hits = searcher.search(index.parse_query(query, ["text"]), TOP, count=False).hits
    return [(searcher.doc(address)["id"][0], score) for score, address in hits]


def compare(workspace, groups: dict[str, list[str]], repeat: int) -> list[Timing]:
    index, _ = anchor_index(workspace)
    searcher = index.searcher()
    timings = []
    for group, queries in groups.items():
        timing = Timing(group, [], [], [])
        for query in queries:  # warm both (the index's first search in this process opens it)
            lexical_scores(workspace=workspace, terms=query_terms(query), limit=TOP)
            anchor_top(index, searcher, query)
        for number in range(repeat):
            query = queries[number % len(queries)]
            terms = query_terms(query)
            started = time.perf_counter()
            ours = lexical_scores(workspace=workspace, terms=terms, limit=TOP)
            middle = time.perf_counter()
            theirs = anchor_top(index, searcher, " ".join(terms))
            ended = time.perf_counter()
            timing.docent.append((middle - started) * 1000)
            timing.anchor.append((ended - middle) * 1000)
            if number < len(queries):
                timing.same.append(1.0 if same_top(ours, theirs) else 0.0)
        timings.append(timing)
    return timings


def same_top(ours, theirs) -> bool:
    """The same top 10: equal scores rank by rank (tantivy's float32), and every passage scored
    above the 10th score is in both; passages tied at the 10th score are interchangeable."""
    if len(ours) != len(theirs):
        return False
    if any(abs(a - b) > 1e-4 * max(1.0, abs(b)) for (_, a), (_, b) in zip(ours, theirs, strict=True)):
        return False
    floor = theirs[-1][1] + 1e-4 if theirs else 0.0
    return {pid for pid, score in ours if score > floor} == {pid for pid, score in theirs if score > floor}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(timings: list[Timing]) -> list[str]:
    lines = []
    every = Timing("all queries", [], [], [])
    for timing in [*timings, every]:
        if timing is not every:
            every.docent += timing.docent
            every.anchor += timing.anchor
            every.same += timing.same
        docent_median, anchor_median = statistics.median(timing.docent), statistics.median(timing.anchor)
        docent_p95, anchor_p95 = p95(timing.docent), p95(timing.anchor)
        lines.append(
            f"engine: {timing.group:<26} Docent {docent_median:6.3f} / {docent_p95:6.3f} ms · tantivy "
            f"{anchor_median:6.3f} / {anchor_p95:6.3f} ms · ratio median {docent_median / anchor_median:4.1f}× "
            f"p95 {docent_p95 / anchor_p95:4.1f}× · same top {TOP} {statistics.mean(timing.same):.0%} of queries"
        )
    median_ratio = statistics.median(every.docent) / statistics.median(every.anchor)
    p95_ratio = p95(every.docent) / p95(every.anchor)
    verdict = "meets" if median_ratio <= 3 and p95_ratio <= 5 else "MISSES"
    lines.append(f"engine: target median ≤ 3×, p95 ≤ 5× of tantivy: {verdict} ({median_ratio:.1f}×, {p95_ratio:.1f}×)")
    return lines
