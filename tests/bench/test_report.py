"""bench/report.py: where a report says it was measured, and where it is written."""

import datetime
import json

from bench import report


def test_the_widest_vector_instructions_are_named():
    assert report.vector_extensions({"sse2", "avx", "avx2", "fma"}) == "AVX2"
    assert report.vector_extensions({"avx2", "avx512f", "avx512bw"}) == "AVX-512"
    assert report.vector_extensions({"avx2", "avx512f", "avx512_vnni"}) == "AVX-512 VNNI"
    assert report.vector_extensions({"avx2", "avx_vnni"}) == "AVX2 VNNI"
    assert report.vector_extensions({"avx512f", "avx512_vnni", "amx_tile"}) == "AMX, AVX-512 VNNI"
    assert report.vector_extensions({"sse2"}) == ""


def test_the_machine_names_the_cpu_its_extensions_and_the_cores_this_process_may_use(monkeypatch):
    cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 fma\n\nprocessor\t: 1\n"
    monkeypatch.setattr(report.Path, "read_text", lambda self: cpuinfo)
    monkeypatch.setattr(report.os, "sched_getaffinity", lambda pid: {0, 1})

    assert report.machine() == "AMD EPYC (AVX2), 2 cores"


def test_a_report_is_dated_and_timed_in_utc_and_keeps_its_own_fields():
    before = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    made = report.new_report(results=[1, 2])
    after = datetime.datetime.now(datetime.UTC)

    stamped = datetime.datetime.strptime(f"{made['date']} {made['time']}", "%Y-%m-%d %H:%M")
    assert before <= stamped.replace(tzinfo=datetime.UTC) <= after
    assert made["results"] == [1, 2]
    assert report.heading(made) == f"{made['date']} {made['time']} UTC, {made['machine']}"


def test_a_second_report_of_the_same_kind_and_minute_does_not_overwrite_the_first(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    monkeypatch.setattr(report, "ROOT", tmp_path)
    when = datetime.datetime(2026, 12, 5, 21, 43, 7, tzinfo=datetime.UTC)

    assert report.report_path("serving", when).name == "serving-2026-12-05-2143.json"
    (tmp_path / "serving-2026-12-05-2143.json").write_text("{}")
    assert report.report_path("serving", when).name == "serving-2026-12-05-214307.json"

    (tmp_path / "serving-2026-12-05-214307.json").write_text("{}")
    assert report.report_path("serving", when).name == "serving-2026-12-05-214307-2.json"

    assert report.report_path("profile-web", when, ".txt").name == "profile-web-2026-12-05-2143.txt"

    saved = [report.save_report("serving", {"run": run}) for run in range(3)]  # in one second, most likely
    assert len(set(saved)) == 3
    assert [json.loads(path.read_text()) for path in saved] == [{"run": 0}, {"run": 1}, {"run": 2}]
