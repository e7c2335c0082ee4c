from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.models import JobRun, OutboxMessage, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):  # type: ignore[type-var]  # stubs expect AbstractUser
    ordering = ("email",)
    list_display = ("email", "full_name", "display_name", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "full_name", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "display_name", "role")}),
        ("Berechtigungen", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Daten", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin[JobRun]):
    list_display = ("job", "status", "started_at", "finished_at")
    list_filter = ("status", "job")
    readonly_fields = ("job", "status", "started_at", "finished_at", "result", "error")
    ordering = ("-started_at", "-id")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """The outbox, read-only: unsent rows with attempts and the last broker error show what is waiting and why."""

    list_display = ("id", "task_name", "created_at", "published_at", "attempts", "last_error")
    list_filter = ("task_name", ("published_at", admin.EmptyFieldListFilter))
    readonly_fields = ("task_name", "kwargs", "created_at", "published_at", "attempts", "last_error")
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
