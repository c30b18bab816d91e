"""Embed every passage lacking a vector of the configured embedding model (after changing the model)."""

from django.core.management.base import BaseCommand, CommandError

from workspaces.models import PassageVector, Workspace
from workspaces.retrieval.embeddings import EmbeddingError, embedder_current
from workspaces.retrieval.services import vectors_reembed
from workspaces.retrieval.vectors import pgvector_install, pgvector_ready


class Command(BaseCommand):
    help = "Embed the passages that lack a vector of the model the embedding_provider setting names."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Only this workspace (its slug).")

    def handle(self, *args, workspace=None, **options):
        try:
            embedder = embedder_current(download=True, retry=True)
        except EmbeddingError as exc:
            raise CommandError(exc.message) from exc
        if embedder is None:
            self.stdout.write("embedding_provider is none: nothing to embed.")
            return
        target = None
        if workspace:
            target = Workspace.objects.filter(slug=workspace).first()
            if target is None:
                raise CommandError(f"No workspace “{workspace}”.")
        if not pgvector_ready() and pgvector_install():
            # Vectors stored before pgvector came are copied into its column by re-embedding.
            PassageVector.objects.filter(model=embedder.name).update(text_sha256="")
        count = vectors_reembed(workspace=target)
        self.stdout.write(f"{count} passages embedded with {embedder.name}.")
