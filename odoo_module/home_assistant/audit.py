"""What the command audit log keeps of a command: its row's values, secrets redacted.

No ORM here: lock and alarm codes, PINs, passwords and tokens in service data are kept as
sent-but-hidden (`**REDACTED**`), in the row and in the answer Home Assistant returned.
"""

REDACTED = "**REDACTED**"
# Keys of service data whose values are credentials (lock and alarm codes, PINs,
# passwords, tokens): the audit log keeps that they were sent, not what.
SECRET_KEYS = frozenset({"code", "pin", "passcode", "password", "token", "secret", "api_key"})
SECRET_KEY_PARTS = ("password", "passcode", "token", "secret", "api_key", "apikey")


def audit_values(instance, user, command, share=None):
    """The audit row of `command` (sent through `share`, if given), secret-like service data
    kept as `**REDACTED**`."""
    values = {
        "command_uuid": command["id"],
        "instance_id": instance.id,
        "user_id": user.id,
        "command_type": command["type"],
    }
    if share:
        values.update(share_id=share.id, shared_user_id=share.user_id.id)
    if command["type"] == "call_service":
        values.update(
            domain=command["domain"],
            service=command["service"],
            target=redact(command["target"]),
            data=redact(command["data"]),
        )
    elif command["type"] == "fire_event":
        values.update(event_type=command["event_type"], data=redact(command.get("data", {})))
    else:
        values["data"] = {
            key: value for key, value in command.items() if key not in ("v", "id", "type", "user")
        }
    return values


def share_audit_values(command_uuid, instance, user, share, entities, kind):
    """The audit row of `user` sharing (`kind` share) or revoking (share_revoked) `share`,
    for its `entities` of `instance`; the shared user's name is kept in the data too."""
    return {
        "command_uuid": command_uuid,
        "instance_id": instance.id,
        "user_id": user.id,
        "command_type": kind,
        "share_id": share.id,
        "shared_user_id": share.user_id.id,
        "state": "ok",
        "target": {"entity_id": entities.mapped("entity_id")},
        "data": {
            "shared_with": share.user_id.name,
            "access": share.access,
            "from": share.date_start.isoformat(),
            "until": share.date_end.isoformat(),
        },
    }


def redact(value):
    """`value` (JSON data) with the values of secret-like keys replaced, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED if _is_secret_key(key) else redact(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def redacted_answer(body):
    """HA's answer with its service `response` redacted; the protocol's own keys (the error
    `code` among them) kept as they are."""
    if not isinstance(body, dict) or body.get("response") is None:
        return body
    return {**body, "response": redact(body["response"])}


def _is_secret_key(key):
    name = str(key).lower()
    return name in SECRET_KEYS or any(part in name for part in SECRET_KEY_PARTS)
