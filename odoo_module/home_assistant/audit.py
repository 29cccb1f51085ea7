"""What the command audit log keeps of a command: its row's values, secrets redacted.

No ORM here: lock and alarm codes, PINs, passwords and tokens in service data are kept as
sent-but-hidden (`**REDACTED**`), in the row and in the answer Home Assistant returned; an
answer that repeats such a value (an error message quoting the code) has it hidden too; a
camera still's bytes are not kept at all.
"""

import dataclasses
import re

REDACTED = "**REDACTED**"
# Keys of service data whose values are credentials (lock and alarm codes, PINs,
# passwords, tokens): the audit log keeps that they were sent, not what.
SECRET_KEYS = frozenset({"code", "pin", "passcode", "password", "token", "secret", "api_key"})
SECRET_KEY_PARTS = ("password", "passcode", "token", "secret", "api_key", "apikey")
# A `camera_snapshot` answer's image: who looked is audited, not what they saw.
IMAGE_KEY = "image"


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
    """HA's answer with its service `response` redacted and without a camera still's bytes
    (the answer keeps their size); the protocol's own keys (the error `code` among them)
    kept as they are."""
    if not isinstance(body, dict):
        return body
    if IMAGE_KEY in body:
        body = {key: value for key, value in body.items() if key != IMAGE_KEY}
    if body.get("response") is None:
        return body
    return {**body, "response": redact(body["response"])}


def answer_values(answer):
    """What an `ha.command` keeps of HA's answer (a `CommandAnswer`): outcome, redacted body,
    error and timing."""
    return {
        "state": "ok" if answer.ok else "error",
        "http_status": answer.http_status,
        "answer": redacted_answer(answer.body),
        "error_code": answer.code,
        "error_message": answer.message,
        "latency_ms": answer.latency_ms,
        "clock_offset_seconds": answer.clock_offset_seconds,
    }


def secret_values(value):
    """The texts held under secret-like keys of `value` (JSON data), at any depth."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_secret_key(key) and isinstance(item, str | int) and not isinstance(item, bool):
                found.add(str(item))
            else:
                found |= secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= secret_values(item)
    return {secret for secret in found if secret}


def scrubbed_answer(answer, command):
    """`answer` (a CommandAnswer) with the command's secret values hidden wherever it repeats
    them: its message and every text of its body. The answer itself when there is none."""
    secrets = secret_values(command.get("data"))
    if not secrets:
        return answer
    # Whole tokens only: a code "12" hides "12", not the 12 of "HTTP 412".
    pattern = re.compile(
        "|".join(
            rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])"
            for secret in sorted(secrets, key=len, reverse=True)
        )
    )

    def scrub(value):
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [scrub(item) for item in value]
        return value

    return dataclasses.replace(answer, message=scrub(answer.message), body=scrub(answer.body))


def _is_secret_key(key):
    name = str(key).lower()
    return name in SECRET_KEYS or any(part in name for part in SECRET_KEY_PARTS)
