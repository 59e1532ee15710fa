from django.urls import path

from chat.api.views import (
    ContextView,
    ConversationDetailView,
    ConversationListView,
    ConversationMessagesView,
    MessageDetailView,
    SearchView,
)

urlpatterns = [
    path("conversations/", ConversationListView.as_view(), name="chat-conversations"),
    path("conversations/<int:pk>/", ConversationDetailView.as_view(), name="chat-conversation"),
    path(
        "conversations/<int:pk>/messages/",
        ConversationMessagesView.as_view(),
        name="chat-conversation-messages",
    ),
    path("messages/<int:pk>/", MessageDetailView.as_view(), name="chat-message"),
    path("search", SearchView.as_view(), name="chat-search"),
    path("context", ContextView.as_view(), name="chat-context"),
]
