"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's PostgreSQL, a temporary folder,
a free local port, its unix socket in that folder. Plain Python (no pytest), so benchmarks import it.

initdb refuses to run as root, so when the tests run as root (CI does) the cluster runs as `nobody`
(runuser); as any other user it runs as that user.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

USER = "mentor"
PASSWORD = "s3cret-Pw-that-must-not-leak"  # the tests check it never reaches a log or an error


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int
    bin_dir: Path

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        """A postgresql:// URL with the password, reaching the server over its unix socket."""
        return (
            f"postgresql://{USER}:{quote(password, safe='')}@/{database}?host={quote(str(self.folder), safe='')}&port={self.port}"
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database in this cluster, empty or a copy of `template` (which nobody may be connected to); its URL."""
        copying = ["-T", template] if template else []
        self._run("createdb", "-h", str(self.folder), "-p", str(self.port), "-U", USER, *copying, name)
        return self.url(name)

    def psql(self, database: str, sql: str) -> str:
        return self._run(
            "psql", "-X", "-A", "-t", "-h", str(self.folder), "-p", str(self.port), "-U", USER, "-d", database, "-c", sql
        )

    def _run(self, tool: str, *args: str) -> str:
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        done = subprocess.run([str(self.bin_dir / tool), *args], env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()}")
        return done.stdout


def postgres_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL's bin folder, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *command]
    return command


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_cluster(start_seconds: float = 60) -> Iterator[Cluster]:
    """A new cluster, accepting password (scram) connections on its socket, stopped and removed afterwards."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    folder = Path(tempfile.mkdtemp(prefix="mentorship-pg-"))
    data = folder / "data"
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        shutil.chown(pwfile, "nobody")
    folder.chmod(0o700)
    port = _free_port()
    log = folder / "server.log"

    def run(*command: str) -> None:
        done = subprocess.run(_as_owner(list(command)), capture_output=True, text=True, check=False, cwd=folder)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    try:
        run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--pwfile",
            str(pwfile),
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        )
        pwfile.unlink()
        # throwaway data: no fsync; unix socket only; room for two app servers' connection pools
        durability = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options = f"-p {port} -k {folder} -c listen_addresses='' {durability} -c max_connections=200"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", str(int(start_seconds)), "start")
        yield Cluster(folder, port, bin_dir)
    finally:
        if data.exists():
            subprocess.run(
                _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True, check=False
            )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":  # a cluster to try things by hand: prints its URL, stops on Enter
    with running_cluster() as cluster:
        print(cluster.create_database("mentorship"), flush=True)
        input()
