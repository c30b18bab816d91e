from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces"

    def ready(self):
        from django.core.checks import register

        from workspaces.retrieval.checks import pgvector_check

        register(pgvector_check)
