"""A Mosquitto process running the generated configuration on this machine (demo, tests).

``LocalBroker.start(registry, folder, ...)`` renders into ``folder``, starts ``mosquitto``
in the foreground as a child process, and waits for its port; ``url(user)`` is the
client URL for a registry user whose secret is in a file; ``stop()`` ends it by pid.
When run as root the broker stays root (``user root``): its files live in private
temporary folders the ``mosquitto`` user could not read.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ioc.broker.registry import Gateway, IngestUser, Registry
from ioc.broker.render import Layout, RenderedBroker, find_plugin, render
from ioc.errors import ConfigError, ServiceUnavailable

__all__ = ["LocalBroker", "free_port", "local_registry"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
    except OSError:
        return False
    return True


def local_registry(folder: Path, ingest: str, publisher: str) -> Registry:
    """One ingest worker and one city-wide publisher (the simulator), secrets in ``folder``."""
    return Registry(
        ingest=[IngestUser(name=ingest, secret_file=Path("secrets") / ingest)],
        gateways=[Gateway(name=publisher, secret_file=Path("secrets") / publisher, wards=["*"])],
        base=folder,
    )


@dataclass
class LocalBroker:
    registry: Registry
    folder: Path
    rendered: RenderedBroker
    port: int
    tls_port: int | None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @classmethod
    def start(
        cls,
        registry: Registry,
        folder: Path,
        *,
        topic_root: str,
        share_group: str,
        known_wards: Collection[str],
        port: int | None = None,
        tls_port: int | None = None,
        certs_dir: Path | None = None,
        timeout: float = 10.0,
    ) -> LocalBroker:
        binary = shutil.which("mosquitto")
        plugin = find_plugin()
        if binary is None or plugin is None:
            raise ServiceUnavailable("mosquitto or its dynamic-security plugin is not installed")
        folder = folder.resolve()
        (folder / "data").mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        layout = Layout(
            config_dir=str(folder),
            data_dir=str(folder / "data"),
            plugin=plugin,
            port=port,
            tls_port=tls_port,
            certs_dir=str(certs_dir.resolve()) if certs_dir else None,
            log_file=str(folder / "mosquitto.log"),
            run_as="root" if os.geteuid() == 0 else None,
        )
        rendered = render(
            registry, folder, layout, topic_root=topic_root, share_group=share_group,
            known_wards=known_wards, create_secrets=True,
        )  # fmt: skip
        proc = subprocess.Popen(
            [binary, "-c", str(rendered.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal goes to the supervisor, not here
        )
        broker = cls(registry, folder, rendered, port, tls_port, proc)
        deadline = time.monotonic() + timeout
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log = broker.log_tail()
                broker.stop()
                raise ServiceUnavailable(f"mosquitto did not start on port {port}:\n{log}")
            time.sleep(0.05)
        return broker

    def secret(self, user: str) -> str:
        entry = next(
            (u for u in [*self.registry.ingest, *self.registry.gateways] if u.name == user), None
        )
        path = self.registry.secret_path(entry) if entry else None
        if path is None:
            raise ConfigError(f"{user}: no such user with a secret file in the registry")
        return path.read_text(encoding="utf-8").strip()

    def url(self, user: str, *, tls: bool = False) -> str:
        port = self.tls_port if tls else self.port
        scheme = "mqtts" if tls else "mqtt"
        host = "localhost" if tls else "127.0.0.1"  # the test certificates name localhost
        return (
            f"{scheme}://{quote(user, safe='')}:{quote(self.secret(user), safe='')}@{host}:{port}"
        )

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.folder / "mosquitto.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
