from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.models import JobRun, User


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
