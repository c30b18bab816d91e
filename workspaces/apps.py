from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces"

    def ready(self):
        from django.core.checks import register

        from accounts.account_sections import account_section_register
        from accounts.group_sync import group_applier_register
        from accounts.rules import invite_grants_register, visible_workspaces_register
        from settings_app.services import setting_check_register
        from workspaces import permissions
        from workspaces.chats.checks import key_origin_check
        from workspaces.chats.model_setup import setting_change_check
        from workspaces.group_access import group_memberships_apply, groups_give_workspaces
        from workspaces.insights.views import account_usage_section
        from workspaces.invites import invite_grants_still
        from workspaces.models import Workspace
        from workspaces.retrieval.checks import local_model_check, pgvector_check

        register(pgvector_check)
        register(local_model_check)
        register(key_origin_check, deploy=True)
        setting_check_register(setting_change_check)
        visible_workspaces_register(lambda user: permissions.visible_workspaces(user, Workspace.objects.all()))
        invite_grants_register(invite_grants_still)
        account_section_register(account_usage_section)
        group_applier_register("workspaces", apply=group_memberships_apply, grants=groups_give_workspaces)
        one_blas_thread()


def one_blas_thread() -> None:
    """numpy's BLAS (OpenBLAS) on one thread per process. Its threads spin while they wait
    for work, so a vector search's matrix product beside a request's SQL held both CPUs of
    a 2-CPU machine: a hybrid search's two halves took as long side by side as one after the
    other (88 ms; 46 ms with one thread). A web server's parallelism is its requests."""
    import numpy  # noqa: F401 - loads the BLAS library that threadpoolctl limits
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
