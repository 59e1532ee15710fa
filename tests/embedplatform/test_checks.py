from embedplatform.api.checks import check_api_rate_limit


def test_rate_limit_setting_is_checked_at_startup(settings):
    for good in ("600/min", "10/s", "5000/hour", "1/day", ""):
        settings.API_RATE_LIMIT = good
        assert check_api_rate_limit() == [], good

    settings.API_RATE_LIMIT = "600 per minute"
    (error,) = check_api_rate_limit()
    assert error.id == "embedplatform.E001"
    assert error.msg == (
        "API_RATE_LIMIT is '600 per minute'; expected '<number>/<s|min|hour|day>' such as "
        "'600/min', or empty for no limit"
    )
