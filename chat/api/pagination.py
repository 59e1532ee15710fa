from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class ChatPagination(PageNumberPagination):
    """`?page=N&page_size=M`; defaults from settings.CHAT (CHAT_PAGE_SIZE, CHAT_MAX_PAGE_SIZE)."""

    page_size_query_param = "page_size"

    def get_page_size(self, request):
        self.page_size = settings.CHAT["PAGE_SIZE"]
        self.max_page_size = settings.CHAT["MAX_PAGE_SIZE"]
        return super().get_page_size(request)
