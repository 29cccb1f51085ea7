/**
 * What differs between the Odoo series the dashboard runs on (18.0 and 19.0), in one place.
 * The server side's differences are in the addon's compat.py.
 */

import { session } from "@web/session";

const SERIES = session.server_version_info[0];

/** The bus service's event when a lost connection is back: 19.0 prefixes its events "BUS:". */
export const BUS_RECONNECT_EVENT = SERIES >= 19 ? "BUS:RECONNECT" : "reconnect";
