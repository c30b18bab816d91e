"""Search results grouped by place, so near-duplicates of one place do not fill the list.

Hits of the same document count as one place when they sit under the same
heading path, or next to each other when the document has no headings. A group
is shown by its best hit, the others listed as "also" links.
"""

from dataclasses import dataclass, field

from workspaces.retrieval.search import PassageHit


@dataclass
class HitGroup:
    best: PassageHit
    others: list[PassageHit] = field(default_factory=list)

    def holds_same_place(self, hit: PassageHit) -> bool:
        if hit.doc_id != self.best.doc_id:
            return False
        if hit.heading_path or self.best.heading_path:
            return hit.heading_path == self.best.heading_path
        return any(abs(hit.position - member.position) <= 1 for member in [self.best, *self.others])


def group_hits(hits: list[PassageHit]) -> list[HitGroup]:
    """Groups in the order of their best hit; `hits` come best first. A hit joins the first group
    of its document that holds its place (only groups of one document can: each hit looks at those)."""
    groups: list[HitGroup] = []
    by_document: dict = {}
    for hit in hits:
        of_document = by_document.setdefault(hit.doc_id, [])
        group = next((group for group in of_document if group.holds_same_place(hit)), None)
        if group is None:
            group = HitGroup(best=hit)
            groups.append(group)
            of_document.append(group)
        else:
            group.others.append(hit)
    return groups
