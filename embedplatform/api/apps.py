from django.apps import AppConfig


class PlatformApiConfig(AppConfig):
    """The project's API plumbing (auth, errors, schema, throttling), as an app that registers its checks."""

    name = "embedplatform.api"
    label = "platform_api"
    verbose_name = "Platform API"

    def ready(self) -> None:
        from embedplatform.api import checks  # registers the API_RATE_LIMIT check

        checks.refuse_published_secret_key()
