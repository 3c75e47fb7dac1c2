"""Two app servers (two processes, each with threads) writing to one PostgreSQL database at once lose no
acknowledged write, store a form sent to both once, and raise nothing but a clear refusal (issue 16).

A short run of the benchmark's load test (benchmarks/load.py), so the two stay one: it found SERIALIZABLE
refusals outlasting 5 attempts (on PostgreSQL a write gets 20, with a random wait), and a write path that
conflicted with every other writer on the change counters (now bumped by PostgreSQL itself)."""

from benchmarks.load import two_servers
from tests.conftest import Backend

ROUNDS, THREADS = 4, 3


def test_two_servers_writing_at_once_lose_no_acknowledged_write(tmp_path, postgres_cluster, postgres_demo_template):
    url = Backend("postgres", postgres_cluster).copy(postgres_demo_template, tmp_path, "load")
    result = two_servers(url, threads=THREADS, rounds=ROUNDS, log=lambda message: None)
    assert result["per_server"] == [THREADS * ROUNDS] * 2, result  # every submission acknowledged, on both servers
    shared = THREADS * (ROUNDS // 2)  # every other one a form sent to both: the second server's is the duplicate
    assert result["duplicates"] == shared and result["acknowledged"] == 2 * THREADS * ROUNDS - shared
    assert result["errors"] == 0, result["error_kinds"]
    assert result["lost"] == 0, result["lost_keys"]
    assert result["partial"] == 0, result["partial_keys"]  # each stored once, with all its ratings
    assert result["unacknowledged"] == 0 and result["stored"] == result["acknowledged"]
    assert result["ok"]
