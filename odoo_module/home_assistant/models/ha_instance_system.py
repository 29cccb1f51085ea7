"""Home Assistant's own facts on its instance: version, installation, locale and host."""

from odoo import api, fields, models


class HaInstance(models.Model):
    # One file per job, as `ha_instance_pairing.py` extends the instance with pairing.
    _inherit = "ha.instance"  # pylint: disable=consider-merging-classes-inherited

    installation_type = fields.Char(readonly=True, help="e.g. Home Assistant OS, Container.")
    python_version = fields.Char(readonly=True)
    time_zone = fields.Char(readonly=True)
    unit_system = fields.Char(readonly=True, help="metric or us_customary.")
    location_name = fields.Char(readonly=True, help="The home's name in Home Assistant.")
    country = fields.Char(readonly=True, help="ISO 3166 country code.")
    currency = fields.Char(readonly=True, help="ISO 4217 currency code.")
    host_os = fields.Char(string="Host OS", readonly=True, help="Under the Supervisor only.")
    board = fields.Char(readonly=True, help="Under the Supervisor only.")
    disk_total_gb = fields.Float(string="Disk Size (GB)", digits=(16, 1), readonly=True)
    disk_used_gb = fields.Float(string="Disk Used (GB)", digits=(16, 1), readonly=True)
    memory_total_mb = fields.Float(string="Memory (MB)", digits=(16, 0), readonly=True)
    network_interfaces = fields.Json(
        readonly=True, help='The host\'s interfaces: [{"interface", "ipv4", "ipv6"}].'
    )
    network_text = fields.Text(string="Network", compute="_compute_network_text")
    system_updated = fields.Datetime(
        string="Facts Updated", readonly=True, help="When Home Assistant last sent its facts."
    )

    @api.depends("network_interfaces")
    def _compute_network_text(self):
        for instance in self:
            instance.network_text = (
                "\n".join(
                    f"{interface['interface']}: "
                    + ", ".join([*interface.get("ipv4", []), *interface.get("ipv6", [])])
                    for interface in instance.network_interfaces or []
                )
                or False
            )

    def _apply_system_events(self, events, now):
        """Store the newest of a batch's `system` events on the instance."""
        if not events:
            return
        event = events[-1]
        supervisor = event.supervisor
        values = {
            "installation_type": event.installation_type,
            "python_version": event.python_version,
            "time_zone": event.time_zone,
            "unit_system": event.unit_system,
            "location_name": event.location_name,
            "country": event.country,
            "currency": event.currency,
            "host_os": supervisor and supervisor.host_os,
            "board": supervisor and supervisor.board,
            "disk_total_gb": supervisor and supervisor.disk_total_gb,
            "disk_used_gb": supervisor and supervisor.disk_used_gb,
            "memory_total_mb": supervisor and supervisor.memory_total_mb,
            "network_interfaces": supervisor and supervisor.network,
            "system_updated": now,
        }
        if event.ha_version:
            values["ha_version"] = event.ha_version
        self.write({name: value if value is not None else False for name, value in values.items()})
