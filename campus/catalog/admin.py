"""Django admin for data repair by the school's director; not the product's interface.

Coordinators manage the catalogue through its own pages, which validate and audit.
"""

from django.contrib import admin

from .models import Course, Programme, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin[Theme]):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "rhythm", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ["title", "programme", "format", "status", "audience"]
    list_filter = ["status", "format", "audience", "programme"]
    search_fields = ["title", "slug"]
    list_select_related = ["programme"]
    raw_id_fields = ["default_trainers"]
    filter_horizontal = ["themes", "audience_organisations"]
    readonly_fields = ["search_text"]
