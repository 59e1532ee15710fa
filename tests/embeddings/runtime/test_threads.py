import threading

import pytest
import torch

from embeddings.runtime.threads import torch_threads


def _in_new_thread(function):
    """torch keeps a thread count per thread: each test runs on a thread of its own, and puts back the count
    that torch gives new threads (setting one sets that too)."""
    results, errors = [], []

    def run():
        original = torch.get_num_threads()
        try:
            results.append(function())
        except Exception as error:  # re-raised on the test's thread
            errors.append(error)
        finally:
            torch.set_num_threads(original)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def test_torch_threads_sets_the_count_for_the_block_then_puts_it_back():
    def check():
        torch.set_num_threads(2)
        with torch_threads(1):
            inside = torch.get_num_threads()
        return inside, torch.get_num_threads()

    assert _in_new_thread(check) == (1, 2)


def test_torch_threads_puts_the_count_back_when_the_block_raises():
    def check():
        torch.set_num_threads(2)
        with pytest.raises(RuntimeError), torch_threads(1):
            raise RuntimeError("a failed pass")
        return torch.get_num_threads()

    assert _in_new_thread(check) == 2


def test_torch_threads_none_leaves_the_count_alone():
    def check():
        torch.set_num_threads(2)
        with torch_threads(None):
            return torch.get_num_threads()

    assert _in_new_thread(check) == 2


def test_on_own_thread_returns_what_the_work_returns_from_a_thread_that_has_ended():
    from embeddings.runtime.threads import on_own_thread

    threads = []

    def work():
        threads.append(threading.current_thread())
        return 42

    assert on_own_thread(work) == 42
    (thread,) = threads
    assert thread is not threading.current_thread() and not thread.is_alive()


def test_on_own_thread_raises_what_the_work_raised():
    from embeddings.runtime.threads import on_own_thread

    def work():
        raise ValueError("failed load")

    with pytest.raises(ValueError, match="failed load"):
        on_own_thread(work)
