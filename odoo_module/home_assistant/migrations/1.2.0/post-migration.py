"""1.2.0: 5-minute and hourly rollups of numeric states (ha.entity.statistic).

New states are rolled up as they are stored; the history stored before is rolled up by the
`ir_cron_ha_statistics_build` cron in bounded chunks, not here: a 20 M-row history would
hold the upgrade (and its lock on the tables) for minutes.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ha.entity.statistic"]._schedule_build()
