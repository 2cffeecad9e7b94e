"""Django admin for data repair by the school's director; not the product's interface."""

from django.contrib import admin

from .models import Agent, Department, FirstSignInCode, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "code", "kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "organisation", "parent", "code"]
    list_filter = ["organisation"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin[Agent]):
    list_display = ["last_name", "first_name", "matricule", "organisation", "category", "is_active"]
    list_filter = ["organisation", "category", "status", "is_active", "is_manager_position"]
    search_fields = ["last_name", "first_name", "matricule", "email"]
    raw_id_fields = ["manager", "department"]
    list_select_related = ["organisation"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["login", "email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["login", "email"]
    raw_id_fields = ["agent"]
    exclude = ["password", "groups", "user_permissions"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(FirstSignInCode)
class FirstSignInCodeAdmin(admin.ModelAdmin[FirstSignInCode]):
    list_display = ["user", "created_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = ["code_hash"]
    raw_id_fields = ["user", "created_by"]
