"""bench/request_stages.py: a request's time cut into stages from its Server-Timing header, adding up to the
total the client saw."""

from bench.request_stages import server_timing, stages


def test_the_header_is_read_into_milliseconds_by_stage():
    assert server_timing("queue;dur=0.78, prepare;dur=0.15, model;dur=4.46, worker;dur=6.03") == {
        "queue": 0.78,
        "prepare": 0.15,
        "model": 4.46,
        "worker": 6.03,
    }


def test_the_stages_add_up_to_the_total():
    timings = {"queue": 0.75, "prepare": 0.25, "model": 4.5, "worker": 6.0}

    cut = stages(8.0, timings)

    assert cut == {"total": 8.0, "queue": 0.75, "prepare": 0.25, "model": 4.5, "reply": 0.5, "rest": 2.0}
    assert sum(value for stage, value in cut.items() if stage != "total") == cut["total"]
