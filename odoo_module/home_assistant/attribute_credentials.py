"""What Odoo never keeps of a state's attributes: what would let a browser act as Home Assistant.

No ORM here. Home Assistant already leaves these out (docs/protocol.md §3, "What Home
Assistant leaves out of a state"); Odoo drops them again on arrival, so that no older or
altered integration can put a camera proxy URL or an access token in a record, its history
or a bus message. A camera's still reaches the browser only through `camera_snapshot`.
"""

ACCESS_TOKEN = "access_token"
PICTURE_KEYS = ("entity_picture", "entity_picture_local")
CAMERA_PREFIX = "camera."


def without_credentials(entity_id, attributes):
    """`attributes` without an access token and without token-bearing picture URLs.

    A camera's pictures are its proxy URLs on Home Assistant, so they go whatever they hold.
    The dict is returned as it is when there is nothing to drop (the common case: no copy).
    """
    camera = entity_id.startswith(CAMERA_PREFIX)
    dropped = [
        key
        for key in PICTURE_KEYS
        if key in attributes and (camera or "token=" in str(attributes[key]))
    ]
    if ACCESS_TOKEN in attributes:
        dropped.append(ACCESS_TOKEN)
    if not dropped:
        return attributes
    return {key: value for key, value in attributes.items() if key not in dropped}
