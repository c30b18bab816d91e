"""Fair turns: workers take the task of highest priority first, then the oldest. A task's
priority is minus the number of other documents its uploader already has waiting or in
processing (the import command's documents count per workspace), so each uploader's
first document goes before anyone's second: a batch of slow files, or a re-index of a
whole workspace, holds up a colleague's upload by at most the one document being read.
"""

from django.db.models import Q
from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MIN_PRIORITY

from workspaces.documents.models import ACTIVE_STATUSES, WorkspaceDocument


def fair_priority(document: WorkspaceDocument) -> int:
    """Minus the number of other unfinished documents of the same uploader (see the module docstring)."""
    unfinished = WorkspaceDocument.objects.filter(Q(status__in=ACTIVE_STATUSES) | Q(reindexing=True))
    if document.uploaded_by_id is None:
        unfinished = unfinished.filter(uploaded_by__isnull=True, workspace_id=document.workspace_id)
    else:
        unfinished = unfinished.filter(uploaded_by_id=document.uploaded_by_id)
    waiting = unfinished.exclude(pk=document.pk)[: DEFAULT_TASK_PRIORITY - TASK_MIN_PRIORITY].count()
    return DEFAULT_TASK_PRIORITY - waiting
