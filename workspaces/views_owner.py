"""More of what an owner runs on the site: invite links, the workspace's activity (its audit
trail), re-indexing its documents; and creating a workspace (whoever creates one owns it).

Views only translate: the rules are in workspaces.invites, workspaces.services and
workspaces.documents.services; permissions through `required_action`."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.views.generic import FormView, ListView, View

from accounts.http import status_for
from accounts.models import AuditEvent
from accounts.roles import ROLE_HELP, WorkspaceRole
from workspaces import permissions
from workspaces.documents.services import workspace_reindex
from workspaces.forms import InviteIssueForm, WorkspaceCreateForm
from workspaces.invites import InviteRefused, workspace_invite_issue, workspace_invite_revoke, workspace_invites
from workspaces.services import WORKSPACE_CREATE_REFUSED, workspace_create
from workspaces.views import LenientPaginationMixin, WorkspaceMixin


class InvitesView(WorkspaceMixin, LenientPaginationMixin, FormView, ListView):
    """The workspace's invite links (newest first, paginated) and the form to issue one."""

    template_name = "workspaces/invites.html"
    form_class = InviteIssueForm
    required_action = permissions.MANAGE_MEMBERS
    context_object_name = "invites"
    paginate_by = 20

    def get_queryset(self):
        invites = workspace_invites(self.workspace).select_related("created_by", "claimed_by")
        return invites.order_by("-created_at", "-pk")

    def get_initial(self):
        return {"role": permissions.default_member_role(), "max_uses": 1, "expires_in_days": "7"}

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        return FormView.post(self, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        roles = [(value, label) for value, label in WorkspaceRole.choices
                 if permissions.may_grant_role(self.request.user, value, self.workspace)]
        context = super().get_context_data(
            role_help=[(label, ROLE_HELP[value]) for value, label in roles],
            new_invite=self.request.GET.get("new", ""), **kwargs,
        )
        context["form"].fields["role"].choices = roles
        return context

    def form_valid(self, form):
        try:
            invite = workspace_invite_issue(
                actor=self.request.user, workspace=self.workspace, role=form.cleaned_data["role"],
                max_uses=form.cleaned_data["max_uses"], expires_in_days=form.cleaned_data["expires_in_days"],
                request=self.request,
            )
        except InviteRefused as refusal:
            form.add_error("role", refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=status_for(refusal))
        messages.success(
            self.request, gettext("Invite link created: copy it from the list and send it to whoever joins.")
        )
        return redirect(f"{self.request.path}?new={invite.pk}#invite-{invite.pk}")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class InviteRevokeView(WorkspaceMixin, View):
    """POST: revoke one pending invite link of this workspace."""

    required_action = permissions.MANAGE_MEMBERS

    def get(self, request, *args, **kwargs):
        return redirect("workspaces:invites", slug=self.workspace.slug)

    def post(self, request, *args, **kwargs):
        revoked = workspace_invite_revoke(actor=request.user, workspace=self.workspace,
                                          invite_id=kwargs["invite_id"], request=request)
        if revoked:
            messages.success(request, gettext("Invite link revoked: it no longer works."))
        else:
            messages.error(
                request, gettext("That invite link is not pending here (already used up, revoked or expired).")
            )
        return redirect("workspaces:invites", slug=self.workspace.slug)


class ActivityView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """The workspace's audit trail, newest first: who added whom, uploaded, deleted, changed what."""

    template_name = "workspaces/activity.html"
    context_object_name = "events"
    required_action = permissions.READ_INSIGHTS
    paginate_by = 50

    def get_queryset(self):
        return AuditEvent.objects.filter(workspace=self.workspace).order_by("-created_at", "-id")


class ReindexView(WorkspaceMixin, View):
    """POST: queue every ready document of the workspace for re-indexing."""

    required_action = permissions.DELETE_DOCUMENT

    def get(self, request, *args, **kwargs):
        return redirect("workspaces:settings", slug=self.workspace.slug)

    def post(self, request, *args, **kwargs):
        queued = workspace_reindex(workspace=self.workspace, user=request.user, request=request)
        if queued:
            messages.success(request, ngettext(
                "%(count)d document queued for re-indexing: "
                "it keeps answering from its current passages until it is done.",
                "%(count)d documents queued for re-indexing: "
                "each keeps answering from its current passages until it is done.",
                queued,
            ) % {"count": queued})
        else:
            messages.info(request, gettext("No ready document to re-index."))
        return redirect("workspaces:detail", slug=self.workspace.slug)


class WorkspaceCreateView(LoginRequiredMixin, FormView):
    """A new workspace, owned by whoever creates it (members while the setting allows)."""

    template_name = "workspaces/workspace_create.html"
    form_class = WorkspaceCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.may_create_workspace(request.user):
            raise PermissionDenied(WORKSPACE_CREATE_REFUSED)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            workspace = workspace_create(actor=self.request.user, request=self.request, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("Created %(workspace)s. You are its owner: invite people from Members.")
            % {"workspace": workspace.name},
        )
        return redirect(workspace.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
