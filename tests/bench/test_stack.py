"""bench/stack.py without starting a stack: what a benchmark keeps of a stack's logs."""

from bench.stack import Stack


def test_kept_logs_are_copies_named_for_their_process(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "web.log").write_text("web lines\n")
    (scratch / "worker1.log").write_text("worker lines\n")
    stack = Stack("http://127.0.0.1:1", "", {}, scratch, supervisor=None)
    stack.logs = {
        "web": scratch / "web.log",
        "worker1": scratch / "worker1.log",
        "worker2": scratch / "gone.log",
    }

    kept = stack.keep_logs(tmp_path / "kept" / "run")

    assert sorted(path.name for path in kept.iterdir()) == ["web.log", "worker1.log"]
    assert (kept / "worker1.log").read_text() == "worker lines\n"
