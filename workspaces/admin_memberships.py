"""Memberships in the admin: the members of a workspace on its page, the workspaces of a user on
theirs. Both lists save row by row through the membership services (rules and audit).

The user's page is accounts' `UserAdmin` with its workspaces added here: accounts imports no
app above it."""

from django.contrib import admin

from accounts import admin as accounts_admin
from accounts.models import User
from workspaces import permissions
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.models import Workspace, WorkspaceUser
from workspaces.services import memberships_save


def membership_formset_save(request, formset) -> None:
    """An admin list of memberships, saved row by row through the services (rules and audit)."""
    formset.save(commit=False)
    memberships_save(actor=request.user, added=formset.new_objects, changed=formset.changed_objects,
                     removed=formset.deleted_objects, request=request)


class MembershipInline(PermissionsAdminMixin, admin.TabularInline):
    model = WorkspaceUser
    permission_action = permissions.MANAGE_MEMBERS
    workspace_lookup = ""  # inlines are asked with the parent workspace
    extra = 1
    autocomplete_fields = ("user",)
    fields = ("user", "role")
    verbose_name = "member"
    verbose_name_plural = "members"

    def scoped(self, request, queryset):
        return queryset  # the parent workspace was scoped already

    def get_formset(self, request, obj=None, **kwargs):
        """The user field accepts only active people the actor may manage (a manager never adds
        an admin, whatever id is posted; `membership_add` refuses suspended users), plus those
        already members, so existing rows still save."""
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["role"].initial = permissions.default_member_role()
        allowed = User.objects.manageable_by(request.user).filter(suspended=False)
        if obj is not None and obj.pk:
            allowed = allowed | User.objects.filter(pk__in=obj.memberships.values("user_id"))
        formset.form.base_fields["user"].queryset = allowed.distinct()
        return formset



class UserMembershipInline(admin.TabularInline):
    """The workspaces on a user's admin page."""

    model = User.workspaces.through
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("workspace",)
    fields = ("workspace", "role")
    verbose_name = "workspace"
    verbose_name_plural = "workspaces"

    def _managed(self, request):
        return permissions.workspaces_where(request.user, permissions.MANAGE_MEMBERS, Workspace.objects.all())

    def get_queryset(self, request):
        """Only memberships of workspaces whose members this user manages (all, for an admin)."""
        return super().get_queryset(request).filter(workspace__in=self._managed(request).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace":
            kwargs["queryset"] = self._managed(request)  # a forged POST cannot name another workspace
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(accounts_admin.UserAdmin):
    inlines = (UserMembershipInline, *accounts_admin.UserAdmin.inlines)

    def save_formset(self, request, form, formset, change):
        if formset.model is WorkspaceUser:
            return membership_formset_save(request, formset)
        return super().save_formset(request, form, formset, change)
