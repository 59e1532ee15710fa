from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from apikeys.models import ApiKey, ApiKeyScope, default_scopes
from apikeys.services import api_key_create, api_key_revoke, api_key_update


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiKeyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=default_scopes,
        help_text="What the key may call. A key never has staff powers, whoever its user is.",
    )

    class Meta:
        model = ApiKey
        fields = ("name", "user", "scopes")


class ScopeFilter(admin.SimpleListFilter):
    title = "scope"
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(scope.value, scope.value) for scope in ApiKeyScope]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        return queryset.filter(scopes__contains=[self.value()]) if self.value() else queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "user", "scope_list", "created_at", "last_used_at", "revoked_at")
    list_filter = (ScopeFilter, ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    actions = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "user", "scopes")
        return ("name", "user", "scopes", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("prefix", "created_at", "last_used_at", "revoked_at")

    @admin.display(description="scopes")
    def scope_list(self, api_key: ApiKey) -> str:
        return ", ".join(api_key.scopes)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            api_key_update(obj, name=data["name"], user=data["user"], scopes=data["scopes"])
            return
        created, plain_key = api_key_create(name=data["name"], user=data["user"], scopes=data["scopes"])
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
