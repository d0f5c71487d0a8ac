"""A test MQTT client that reports what the broker answered: CONNACK, SUBACK and PUBACK codes."""

from __future__ import annotations

import threading
import time
from typing import Any

from ioc.config import MqttUrl
from ioc.mqtt import _connect_properties as connect_properties  # the adapter keeps it private
from ioc.mqtt import new_client


class Probe:
    """One MQTT v5 connection; every call waits for the broker's answer."""

    def __init__(
        self,
        url: MqttUrl,
        client_id: str,
        *,
        clean_start: bool = True,
        session_expiry_s: int = 0,
        timeout: float = 5.0,
    ) -> None:
        self.timeout = timeout
        self.messages: list[tuple[str, bytes]] = []
        self.connack: Any = None
        self.disconnects: list[Any] = []
        self._acks: dict[int, Any] = {}
        self._cond = threading.Condition()
        self.client = new_client(url, client_id)
        self.client.reconnect_delay_set(60, 120)  # a refused client stays refused in a test
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.connect(
            url.host, url.port, keepalive=30, clean_start=clean_start,
            properties=connect_properties(session_expiry_s),
        )  # fmt: skip
        self.client.loop_start()
        self._wait(lambda: self.connack is not None or bool(self.disconnects))

    def _wait(self, done: Any) -> None:
        with self._cond:
            self._cond.wait_for(done, self.timeout)

    def _set(self, fn: Any) -> None:
        with self._cond:
            fn()
            self._cond.notify_all()

    def _on_connect(self, c: Any, u: Any, flags: Any, reason: Any, props: Any) -> None:
        self._set(lambda: setattr(self, "connack", reason))

    def _on_subscribe(self, c: Any, u: Any, mid: int, reasons: Any, props: Any) -> None:
        self._set(lambda: self._acks.__setitem__(mid, reasons[0]))

    def _on_publish(self, c: Any, u: Any, mid: int, reason: Any, props: Any) -> None:
        self._set(lambda: self._acks.__setitem__(mid, reason))

    def _on_message(self, c: Any, u: Any, msg: Any) -> None:
        self._set(lambda: self.messages.append((msg.topic, bytes(msg.payload))))

    def _on_disconnect(self, c: Any, u: Any, flags: Any, reason: Any, props: Any) -> None:
        self._set(lambda: self.disconnects.append(reason))

    @property
    def connected(self) -> bool:
        return self.connack is not None and not self.connack.is_failure and not self.disconnects

    def subscribe(self, topic_filter: str) -> Any:
        """The SUBACK reason code (``.is_failure`` when refused)."""
        _, mid = self.client.subscribe(topic_filter, qos=1)
        self._wait(lambda: mid in self._acks or bool(self.disconnects))
        return self._acks.get(mid)

    def publish(self, topic: str, payload: bytes) -> Any:
        """The PUBACK reason code, or None when no PUBACK came (e.g. disconnected)."""
        info = self.client.publish(topic, payload, qos=1)
        self._wait(lambda: info.mid in self._acks or bool(self.disconnects))
        return self._acks.get(info.mid)

    def wait_messages(self, n: int, timeout: float = 5.0) -> list[tuple[str, bytes]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            self._cond.wait_for(
                lambda: len(self.messages) >= n, max(0, deadline - time.monotonic())
            )
        return list(self.messages)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
