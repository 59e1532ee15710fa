"""bench/wakeup.py: round trips timed back to back or after a pause, summarised in microseconds."""

from bench import wakeup


def test_each_call_is_timed_after_its_pause_and_summarised(monkeypatch):
    sleeps: list[float] = []
    calls: list[int] = []
    monkeypatch.setattr(wakeup.time, "sleep", sleeps.append)
    clock = iter(value / 1e6 for value in [0, 100, 1000, 1300, 2000, 2200, 3000, 3900])
    monkeypatch.setattr(wakeup.time, "perf_counter", lambda: next(clock))

    row = wakeup.round_trips_us(lambda: calls.append(1), count=4, idle_seconds=0.005)

    assert sleeps == [0.005] * 4
    assert len(calls) == 4
    assert row == {"idle_ms": 5.0, "count": 4, "p50_us": 300.0, "p90_us": 900.0}  # bench.load.percentile


def test_back_to_back_calls_do_not_sleep(monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(wakeup.time, "sleep", sleeps.append)

    row = wakeup.round_trips_us(lambda: None, count=3, idle_seconds=0)

    assert sleeps == []
    assert row["count"] == 3 and row["idle_ms"] == 0


def test_cores_are_kept_awake_by_idle_priority_spinners_that_end_with_the_block():
    import os

    import psutil

    with wakeup.cores_kept_awake(2) as spinners:
        processes = [psutil.Process(spinner.pid) for spinner in spinners]
        assert len(processes) == 2
        assert all(process.ppid() == os.getpid() for process in processes)
        assert all(os.sched_getscheduler(process.pid) == os.SCHED_IDLE for process in processes)
    assert all(spinner.poll() is not None for spinner in spinners)
