"""A paginator that counts with the page's own query.

Django's `Paginator` asks `SELECT COUNT(*)` before it fetches a page. `OneQueryPaginator`
fetches the page first with the total alongside each row (`COUNT(*) OVER ()`, computed before
LIMIT and OFFSET), so a page that has rows costs one query; only a page past the end (or an
empty list) falls back to Django's count and nearest page, with the same result as `get_page`.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Window

TOTAL = "page_total_rows"


class OneQueryPaginator(Paginator):
    def get_page(self, number):
        wanted = page_wanted(number)
        if wanted >= 1 and not self.orphans and "count" not in self.__dict__ and _of_models(self.object_list):
            bottom = (wanted - 1) * self.per_page
            rows = list(self.object_list.annotate(**{TOTAL: Window(Count("pk"))})[bottom:bottom + self.per_page])
            if rows:
                self.count = getattr(rows[0], TOTAL)  # Paginator.count is a cached_property: this is its value
                return self._get_page(rows, wanted, self)
        return super().get_page(number)


def _of_models(object_list) -> bool:
    """A queryset of model instances (not values() rows, not a list)."""
    return hasattr(object_list, "annotate") and getattr(object_list, "_fields", ()) is None


def page_wanted(number) -> int:
    """The page number asked for, as `Paginator.get_page` reads it: 1 when absent or not a number."""
    try:
        return int(number) if number not in (None, "") else 1
    except (TypeError, ValueError):
        return 1
