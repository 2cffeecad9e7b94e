"""Django admin for data repair by the school's director; programming goes through the pages.

Changes made here bypass the services (no conflict check, no audit row): the
admin is the director's last resort, not a second programming tool.
"""

from django.contrib import admin

from .models import ConflictOverride, Room, SessionPart, TrainingSession, Venue


class RoomInline(admin.TabularInline[Room, Venue]):
    model = Room
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin[Venue]):
    list_display = ["name"]
    search_fields = ["name", "address"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ["name", "venue", "capacity", "step_free_access", "is_active"]
    list_filter = ["venue", "is_active", "step_free_access"]
    search_fields = ["name"]
    list_select_related = ["venue"]


class SessionPartInline(admin.TabularInline[SessionPart, TrainingSession]):
    model = SessionPart
    extra = 0
    raw_id_fields = ["room"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin[TrainingSession]):
    list_display = ["course", "title_suffix", "starts_at", "status", "capacity"]
    list_filter = ["status"]
    search_fields = ["course__title", "title_suffix", "series_key"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["course", "trainers", "created_by"]
    list_select_related = ["course"]
    inlines = [SessionPartInline]


@admin.register(ConflictOverride)
class ConflictOverrideAdmin(admin.ModelAdmin[ConflictOverride]):
    list_display = ["session", "other_session", "kind", "decided_by", "decided_at"]
    list_filter = ["kind"]
    raw_id_fields = ["session", "other_session", "decided_by"]
    list_select_related = ["session__course", "other_session__course", "decided_by"]
