from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    actions = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "scope")
        return ("name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("prefix", "scope", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ApiKey, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, plain_key = api_key_create(name=obj.name, scope=obj.scope)
        obj.pk = created.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            f"The new API key is {plain_key} — copy it now: it is stored hashed and will not be shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected API keys")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        keys = list(queryset)
        for api_key in keys:
            api_key_revoke(api_key)
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)
