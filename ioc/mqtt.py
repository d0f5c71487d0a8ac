"""The broker adapter: the only module that imports paho-mqtt.

:func:`new_client` builds a configured MQTT v5 client; :class:`Publisher`
publishes at QoS 1 and counts broker acknowledgements; :class:`Subscription`
delivers every message to a callback on paho's network thread (simulators'
recorder, tests); :class:`Consumer` is ingest's persistent session with manual
acknowledgement.  Callers see :class:`Delivery`, never a paho type.
Reconnects are paho's, with backoff; they are logged at INFO / WARNING, never
ERROR.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from ioc.config import MqttUrl

__all__ = ["Consumer", "Delivery", "Publisher", "Subscription", "new_client"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A received message, decoupled from paho's types."""

    topic: str
    payload: bytes
    qos: int
    mid: int
    retain: bool
    received_at: float  # time.time()


def new_client(
    url: MqttUrl,
    client_id: str,
    *,
    manual_ack: bool = False,
    will: tuple[str, bytes] | None = None,
) -> paho.Client:
    """An MQTT v5 client, not yet connected."""
    client = paho.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=MQTTProtocolVersion.MQTTv5,
        manual_ack=manual_ack,
    )
    if url.username:
        client.username_pw_set(url.username, url.password)
    if url.tls:
        client.tls_set(ca_certs=url.cafile)
    if will:
        client.will_set(will[0], will[1], qos=1, retain=True)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    client.enable_logger(logging.getLogger("ioc.mqtt.paho"))
    return client


def _connect_properties(
    session_expiry_s: int = 0, receive_maximum: int | None = None
) -> Properties:
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    if session_expiry_s:
        props.SessionExpiryInterval = session_expiry_s
    if receive_maximum:
        props.ReceiveMaximum = receive_maximum
    return props


def _failed(reason: ReasonCode | int) -> bool:
    return bool(reason.is_failure) if isinstance(reason, ReasonCode) else reason != 0


class Publisher:
    """QoS 1 publisher that counts acknowledgements; thread-safe ``publish``."""

    def __init__(
        self, url: MqttUrl, client_id: str, *, max_inflight: int = 1000, connect_timeout: float = 10
    ) -> None:
        self._client = new_client(url, client_id)
        self._client.max_inflight_messages_set(max_inflight)
        self._client.max_queued_messages_set(0)
        self._connected = threading.Event()
        self._closing = False
        self._lock = threading.Lock()
        self.sent = 0
        self.acked = 0
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish
        self._client.connect_async(url.host, url.port, keepalive=30)
        self._client.loop_start()
        if not self._connected.wait(connect_timeout):
            self.close()
            raise ConnectionError(f"no MQTT connection to {url.host}:{url.port}")

    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if _failed(reason):
            log.warning("publisher connect refused: %s", reason)
            return
        self._connected.set()

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self._connected.clear()
        if not self._closing:
            log.info("publisher disconnected (%s); paho reconnects", reason)

    def _on_publish(
        self, client: paho.Client, userdata: Any, mid: int, reason: Any, props: Any
    ) -> None:
        with self._lock:
            self.acked += 1

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> None:
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc not in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_NO_CONN):
            raise ConnectionError(f"publish failed: {paho.error_string(info.rc)}")
        with self._lock:
            self.sent += 1
            if qos == 0:
                self.acked += 1

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self.sent - self.acked

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every published message is acknowledged."""
        deadline = time.monotonic() + timeout
        while self.in_flight > 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def close(self) -> None:
        self._closing = True
        self._client.disconnect()
        self._client.loop_stop()


class Subscription:
    """Subscribe to one filter and hand every message to ``on_message`` (network thread)."""

    def __init__(
        self,
        url: MqttUrl,
        client_id: str,
        topic_filter: str,
        on_message: Callable[[Delivery], None],
        *,
        qos: int = 1,
        connect_timeout: float = 10,
    ) -> None:
        self._filter, self._qos, self._cb = topic_filter, qos, on_message
        self._subscribed = threading.Event()
        self._client = new_client(url, client_id)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._client.connect_async(url.host, url.port, keepalive=30)
        self._client.loop_start()
        if not self._subscribed.wait(connect_timeout):
            self.close()
            raise ConnectionError(f"could not subscribe to {topic_filter} on {url.host}")

    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if not _failed(reason):
            client.subscribe(self._filter, qos=self._qos)

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: Any, props: Any
    ) -> None:
        self._subscribed.set()

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        try:
            self._cb(
                Delivery(msg.topic, bytes(msg.payload), msg.qos, msg.mid, msg.retain, time.time())
            )
        except Exception:
            # Never raise into paho's network loop: it would drop the connection.
            log.exception("message handler failed for %s", msg.topic)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


class Consumer:
    """A persistent MQTT v5 session with manual acknowledgement (the ingest consumer).

    ``clean_start=False`` and a session expiry keep the subscription and the
    unacknowledged messages at the broker while the process is away, so a
    crash loses nothing: the broker redelivers on reconnect.  Each connection
    has a generation number; :meth:`ack` ignores acknowledgements for messages
    of an earlier connection (their packet ids mean something else now).
    """

    def __init__(
        self,
        url: MqttUrl,
        client_id: str,
        topic_filter: str,
        *,
        session_expiry_s: int = 7 * 24 * 3600,
        receive_maximum: int = 1000,
    ) -> None:
        self._url, self._filter = url, topic_filter
        self._cb: Callable[[Delivery, int], None] | None = None
        self._props = _connect_properties(session_expiry_s, receive_maximum)
        self._client = new_client(url, client_id, manual_ack=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._lock = threading.Lock()
        self.generation = 0
        self._stopping = False
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._client.on_subscribe = self._on_subscribe

    def start(self, on_message: Callable[[Delivery, int], None]) -> None:
        """Connect and hand each message, with its connection generation, to ``on_message``.

        ``on_message`` runs on paho's network thread; it may block (back-pressure).
        """
        self._cb = on_message
        self._client.connect_async(
            self._url.host, self._url.port, keepalive=30, clean_start=False, properties=self._props
        )
        self._client.loop_start()

    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if _failed(reason):
            log.warning("broker refused the ingest connection: %s", reason)
            return
        with self._lock:
            self.generation += 1
        log.info(
            "connected to %s:%s (session present: %s, generation %d)",
            self._url.host,
            self._url.port,
            getattr(flags, "session_present", "?"),
            self.generation,
        )
        self.connected.set()
        client.subscribe(self._filter, qos=1)

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: Any, props: Any
    ) -> None:
        refused = [r for r in reasons if _failed(r)]
        if refused:
            # The broker's ACL refuses this user the filter: nothing will ever arrive.
            log.error("broker refused the subscription to %s: %s", self._filter, refused[0])
            return
        self.subscribed.set()

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if not self._stopping:
            log.warning("disconnected from the broker (%s); reconnecting", reason)

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        try:
            delivery = Delivery(
                msg.topic, bytes(msg.payload), msg.qos, msg.mid, msg.retain, time.time()
            )
            assert self._cb is not None  # set by start() before the first connection
            self._cb(delivery, self.generation)
        except Exception:
            log.exception("could not queue message on %s", msg.topic[:200])

    def ack(self, mid: int, generation: int) -> bool:
        """Acknowledge a QoS 1 message of this connection; False when it is stale."""
        if generation != self.generation or not self.connected.is_set():
            return False
        rc = self._client.ack(mid, 1)
        return rc == paho.MQTT_ERR_SUCCESS

    def unsubscribe(self) -> None:
        """Stop new deliveries; messages already held for this session still arrive."""
        self._client.unsubscribe(self._filter)

    def stop(self, *, end_session: bool = False) -> None:
        """Disconnect; with ``end_session`` the broker forgets the session (expiry 0)."""
        self._stopping = True
        props = None
        if end_session:
            props = Properties(PacketTypes.DISCONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = 0
        self._client.disconnect(properties=props)
        self._client.loop_stop()
