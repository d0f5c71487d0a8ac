"""The MQTT consumer: decode -> validate -> batch -> write -> ack, with dead letters and live state."""
