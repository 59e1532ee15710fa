"""bench/host.py: the host's steal and idle shares over a stretch of time."""

from bench import host


def test_shares_are_percentages_of_all_cpu_time_between_two_readings():
    before = (1000.0, 50.0, 400.0)  # total, steal, idle + iowait
    after = (1200.0, 90.0, 420.0)

    assert host.shares(before, after) == {"steal_percent": 20.0, "idle_percent": 10.0}


def test_no_time_between_readings_is_no_share():
    reading = (1000.0, 50.0, 400.0)

    assert host.shares(reading, reading) == {"steal_percent": 0.0, "idle_percent": 0.0}


def test_guest_time_is_not_counted_twice(monkeypatch):
    from collections import namedtuple

    Times = namedtuple("Times", "user system idle iowait steal guest guest_nice")
    readings = iter([Times(100, 10, 50, 0, 40, 100, 0), Times(200, 20, 100, 0, 80, 200, 0)])
    monkeypatch.setattr(host.psutil, "cpu_times", lambda: next(readings))

    result, shares = host.measured(lambda: "done")

    assert result == "done"
    assert shares == {"steal_percent": 20.0, "idle_percent": 25.0}  # 40 and 50 of 200, guest left out


def test_a_real_reading_is_a_share_of_this_machines_time():
    total, steal, idle = host._totals()

    assert total > 0 and 0 <= steal <= total and 0 <= idle <= total
