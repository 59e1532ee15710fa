"""Admin: conversations with their messages inline; a message list whose search box is semantic. Staff see
every owner's conversations here (the API shows each key only its user's)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Case, FloatField, QuerySet, Value, When
from django.http import HttpRequest

from chat import selectors, services
from chat.models import Conversation, Message
from embeddings.configs.selectors import config_get_active
from embeddings.models import VectorState
from embedplatform.api.errors import ApiError

SEMANTIC_RESULTS = 50


class MessageInline(admin.TabularInline):
    model = Message
    extra = 1
    fields = ("role", "content", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "owner", "created_at")
    list_select_related = ("owner",)
    search_fields = ("title", "owner__username")
    raw_id_fields = ("owner",)
    inlines = [MessageInline]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}


class EmbeddingStateFilter(admin.SimpleListFilter):
    title = "embedding state (active config)"
    parameter_name = "embedding_state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(VectorState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        return queryset.filter(embedding_state=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "conversation",
        "owner",
        "role",
        "preview",
        "created_at",
        "embedding_state",
        "score",
    )
    list_filter = ("role", EmbeddingStateFilter)
    list_select_related = ("conversation__owner",)
    search_fields = ("content",)  # replaced by semantic search below; kept so the box is shown
    search_help_text = f"Semantic search: the {SEMANTIC_RESULTS} messages nearest in meaning, best first."
    readonly_fields = ("created_at", "embedding_state", "embedding_error")
    actions = ["reembed_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return selectors.message_list_all()

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Message], search_term: str):
        if not search_term.strip():
            return queryset.annotate(semantic_score=Value(None, output_field=FloatField())), False
        config = config_get_active()
        try:
            if config is None:
                raise ApiError("no embedding config is active")
            vector = selectors.embed_query(config, search_term)
        except ApiError as error:
            self.message_user(
                request,
                f"Semantic search unavailable ({error.message}); showing text matches.",
                messages.WARNING,
            )
            found, duplicates = super().get_search_results(request, queryset, search_term)
            return found.annotate(semantic_score=Value(None, output_field=FloatField())), duplicates
        ranked = selectors.message_search_by_vector(config, vector, SEMANTIC_RESULTS, scope=queryset)
        if not ranked:
            return queryset.none().annotate(semantic_score=Value(None, output_field=FloatField())), False
        score = Case(
            *[When(pk=item.message.pk, then=Value(item.score)) for item in ranked], output_field=FloatField()
        )
        found = queryset.filter(pk__in=[item.message.pk for item in ranked]).annotate(semantic_score=score)
        return found.order_by("-semantic_score"), False  # the changelist ordered before searching

    @admin.display(description="owner", ordering="conversation__owner__username")
    def owner(self, message: Message) -> str:
        return message.conversation.owner.get_username()

    @admin.display(description="content")
    def preview(self, message: Message) -> str:
        return message.content if len(message.content) <= 100 else message.content[:97] + "..."

    @admin.display(description="embedding", ordering="embedding_state")
    def embedding_state(self, message: Message) -> str:
        return getattr(message, "embedding_state", VectorState.PENDING)

    @admin.display(description="embedding error")
    def embedding_error(self, message: Message) -> str:
        return getattr(message, "embedding_error", "") or "-"

    @admin.display(description="score")
    def score(self, message: Message) -> str:
        value = getattr(message, "semantic_score", None)
        return "" if value is None else f"{value:.3f}"

    @admin.action(description="Re-embed the selected messages with the active config")
    def reembed_selected(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        config = config_get_active()
        if config is None:
            self.message_user(request, "No embedding config is active.", messages.ERROR)
            return
        queued = services.messages_reembed(list(queryset.values_list("pk", flat=True)), config)
        self.message_user(
            request,
            f"{len(queued)} message(s) queued for embedding with config {config.pk}.",
            messages.SUCCESS,
        )
