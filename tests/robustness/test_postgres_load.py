"""Two app servers (two processes, each with threads) writing to one PostgreSQL database at once lose no
acknowledged write, store a form sent to both once, and raise nothing (issue 16)."""

import json
import os
import subprocess
import sys

from analytics.store import Store
from tests.conftest import Backend

ROUNDS, THREADS = 8, 3


def test_two_servers_writing_at_once_lose_no_acknowledged_write(tmp_path, postgres_cluster, postgres_demo_template):
    url = Backend("postgres", postgres_cluster).copy(postgres_demo_template, tmp_path, "load")
    with Store(url) as store:
        fellows = [
            row[0]
            for row in store.query_all(
                "SELECT person_id FROM people JOIN person_roles USING (person_id) WHERE role = 'fellow' AND active "
                "ORDER BY person_id LIMIT 6"
            )
        ]
        before = store.query_one("SELECT count(*) FROM assessments")[0]
    environment = {**os.environ, "MENTORSHIP_DB": url}
    command = ",".join(map(str, fellows)), str(ROUNDS), str(THREADS)
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.robustness.postgres_writer", name, *command],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    results = []
    for server in servers:
        out, err = server.communicate(timeout=600)
        assert server.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [result["errors"] for result in results] == [[], []]
    acknowledged = {key for result in results for key in result["acknowledged"]}
    assert len(acknowledged) == 2 * THREADS * ROUNDS - THREADS * ROUNDS // 2  # the shared keys once
    with Store(url) as store:
        stored = dict(
            store.query_all(
                "SELECT submission_key, count(*) FROM assessments WHERE submission_key IN (SELECT unnest($keys::VARCHAR[])) "
                "GROUP BY submission_key",
                {"keys": sorted(acknowledged)},
            )
        )
        assert stored == dict.fromkeys(acknowledged, 1)
        assert store.query_one("SELECT count(*) FROM assessments")[0] == before + len(acknowledged)
        incomplete = store.query_one(
            "SELECT count(*) FROM assessments a WHERE submission_key IN (SELECT unnest($keys::VARCHAR[])) "
            "AND (SELECT count(*) FROM responses r WHERE r.assessment_id = a.assessment_id) = 0",
            {"keys": sorted(acknowledged)},
        )[0]
        assert incomplete == 0
