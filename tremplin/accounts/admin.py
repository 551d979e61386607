from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class TremplinUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Rôle et périmètre",
            {
                "fields": (
                    "role",
                    "disps",
                    "regions",
                    "establishments",
                    "mission_locale",
                    "centre",
                    "teaching_units",
                )
            },
        ),
    )
    filter_horizontal = ("disps", "regions", "establishments", "teaching_units")
