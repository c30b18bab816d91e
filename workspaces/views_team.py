"""The owner's tabs: Members (add by name, change role, remove) and Settings.

Views only translate: every rule is in workspaces.services, every permission in
workspaces.permissions (through `required_action`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_noop
from django.views.generic import FormView, View

from accounts.http import status_for
from accounts.roles import ROLE_HELP, WORKSPACE_ROLE_IN_TEXT, WorkspaceRole
from workspaces import permissions
from workspaces.forms import MemberAddForm, MemberRoleForm, WorkspaceSettingsForm
from workspaces.services import (
    MembershipRefused,
    membership_add,
    membership_remove,
    membership_set_role,
    workspace_update,
)
from workspaces.views import WorkspaceMixin

MEMBERS_PER_PAGE = 50


class MembersView(WorkspaceMixin, FormView):
    """Who belongs to the workspace, with their roles; the form to add someone."""

    template_name = "workspaces/members.html"
    form_class = MemberAddForm
    required_action = permissions.MANAGE_MEMBERS

    def get_initial(self):
        return {"role": permissions.default_member_role()}

    def get_context_data(self, **kwargs):
        memberships = self.workspace.memberships.select_related("user").order_by("user__username", "pk")
        page = Paginator(memberships, MEMBERS_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            memberships=page.object_list, member_total=page.paginator.count, page_obj=page,
            is_paginated=page.has_other_pages(),
            roles=WorkspaceRole.choices,
            role_help=[(label, ROLE_HELP[value]) for value, label in WorkspaceRole.choices],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            membership = membership_add(
                actor=self.request.user, workspace=self.workspace, username=form.cleaned_data["username"],
                role=form.cleaned_data["role"], request=self.request,
            )
        except MembershipRefused as refusal:
            form.add_error("username", refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=status_for(refusal))
        messages.success(
            self.request, gettext("Added %(username)s as %(role)s.") % {
                "username": membership.user.username, "role": WORKSPACE_ROLE_IN_TEXT[membership.role],
            }
        )
        return redirect("workspaces:members", slug=self.workspace.slug)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MembershipChangeView(WorkspaceMixin, View):
    """POST a new role, or `remove`, for one membership of this workspace."""

    required_action = permissions.MANAGE_MEMBERS

    def get(self, request, *args, **kwargs):
        return redirect("workspaces:members", slug=self.workspace.slug)

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(
            self.workspace.memberships.select_related("user", "workspace"), pk=kwargs["membership_id"]
        )
        try:
            if "remove" in request.POST:
                membership_remove(actor=request.user, membership=membership, request=request)
                messages.success(request, gettext("Removed %(username)s from %(workspace)s.") % {
                    "username": membership.user.username, "workspace": self.workspace.name,
                })
            else:
                form = MemberRoleForm(request.POST)
                if not form.is_valid():
                    raise MembershipRefused(gettext_noop("Choose viewer, editor or owner."))
                membership_set_role(
                    actor=request.user, membership=membership, role=form.cleaned_data["role"], request=request
                )
                messages.success(
                    request, gettext("%(username)s is now %(role)s.") % {
                        "username": membership.user.username, "role": WORKSPACE_ROLE_IN_TEXT[membership.role],
                    }
                )
        except MembershipRefused as refusal:
            messages.error(request, refusal.message)
        return redirect("workspaces:members", slug=self.workspace.slug)


class WorkspaceSettingsView(WorkspaceMixin, FormView):
    template_name = "workspaces/settings.html"
    form_class = WorkspaceSettingsForm
    required_action = permissions.MANAGE_SETTINGS

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.workspace}

    def form_valid(self, form):
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            workspace_update(actor=self.request.user, workspace=self.workspace, request=self.request, **changes)
        except ValidationError as error:
            self.workspace.refresh_from_db()
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Settings saved."))
        return redirect("workspaces:settings", slug=self.workspace.slug)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
